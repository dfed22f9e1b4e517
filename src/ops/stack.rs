//! The stack commands over the build folder: what `venice up`, `down`, `status`, `logs`,
//! `restart`, `ksql` and `psql` need besides Docker itself ([`super::docker`]).
//!
//! The stack is the `docker-compose.yml` that `venice build` writes into the build folder
//! (`build/` in the project folder, or `--out`). Its Compose project name is the file's own
//! `name:`, which `venice build` derives from the project's `project` name (lower-cased, any
//! character but a letter, digit, `-` or `_` as `-`; `venice` when the project has no name), and
//! every command passes it with `-p`, so the stack is the same one whichever folder the command
//! runs from. Compose reads `.env` beside the file, as the build's README says.

use super::docker::Compose;
use crate::model::{Credential, Project};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The Compose file of a build folder.
pub(crate) const COMPOSE_FILE: &str = "docker-compose.yml";

/// The services the shells run in, as `venice build` names them.
pub(crate) const POSTGRES_SERVICE: &str = "postgres";
pub(crate) const KSQLDB_CLI_SERVICE: &str = "ksqldb-cli";
pub(crate) const KSQLDB_SERVER_URL: &str = "http://ksqldb-server:8088";

/// The build folder: `--out`, else `build/` in the project folder.
pub(crate) fn build_folder(dir: &Path, out: Option<&Path>) -> PathBuf {
    out.map_or_else(|| dir.join(crate::build::DEFAULT_OUT), Path::to_path_buf)
}

#[derive(Deserialize)]
struct ComposeDoc {
    name: Option<String>,
    #[serde(default)]
    services: BTreeMap<String, ServiceDoc>,
}

#[derive(Deserialize)]
struct ServiceDoc {
    healthcheck: Option<serde::de::IgnoredAny>,
}

/// A built stack: the Compose project and its services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stack {
    pub(crate) compose: Compose,
    /// Each service's name, and whether it has a healthcheck.
    pub(crate) services: BTreeMap<String, bool>,
}

impl Stack {
    /// Reads the Compose file of a build folder.
    pub(crate) fn open(out: &Path) -> Result<Stack, String> {
        let file = out.join(COMPOSE_FILE);
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "there is no stack in `{}` (no {COMPOSE_FILE}): run `venice up` (or `venice build`) first",
                    out.display()
                ));
            }
            Err(e) => return Err(format!("cannot read `{}`: {e}", file.display())),
        };
        let doc: ComposeDoc = serde_saphyr::from_str(&text)
            .map_err(|e| format!("`{}` is not a Compose file venice can read: {e}", file.display()))?;
        let project = doc.name.filter(|n| !n.is_empty()).unwrap_or_else(|| fallback_name(out));
        let services = doc.services.into_iter().map(|(name, s)| (name, s.healthcheck.is_some())).collect();
        Ok(Stack { compose: Compose { file, project }, services })
    }

    /// Checks names given on the command line against the file's services.
    pub(crate) fn check_services(&self, names: &[String]) -> Result<(), String> {
        for name in names {
            if self.services.contains_key(name) {
                continue;
            }
            let hint = match crate::diagnostic::suggest(name, self.services.keys().map(String::as_str)) {
                Some(close) => format!(" (did you mean `{close}`?)"),
                None => String::new(),
            };
            let known: Vec<String> = self.services.keys().map(|s| format!("`{s}`")).collect();
            return Err(format!(
                "the stack has no service `{name}`{hint}; its services are {}",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            ));
        }
        Ok(())
    }

    /// Fails with what to do when the stack lacks a service a command needs.
    pub(crate) fn require(&self, service: &str, what: &str) -> Result<(), String> {
        if self.services.contains_key(service) {
            Ok(())
        } else {
            Err(format!(
                "the stack has no `{service}` service: {what}, and the project's `stack` declares none; add it to \
                 `stack {{ }}` in venice.kdl and run `venice up`"
            ))
        }
    }
}

/// A Compose project name from a folder name, by Docker's rule (lower-case letters, digits, `-`
/// and `_`, starting with a letter or digit), for a file without `name:`.
fn fallback_name(out: &Path) -> String {
    let folder =
        std::fs::canonicalize(out).ok().and_then(|p| p.parent().and_then(|p| p.file_name()).map(|n| n.to_owned()));
    let raw = folder.map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let name: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let name = name.trim_start_matches(['-', '_']).to_string();
    if name.is_empty() { "venice".into() } else { name }
}

/// Why the build folder must be (re)built before `venice up` starts it, or None when it holds
/// exactly what `venice build` would write now.
///
/// The files are compared, not their times: a build leaves a file it would not change alone
/// (its time stays older than an edited venice.kdl), so "older than the project" would rebuild
/// forever; what counts is whether the project, as it is now, builds to something else.
pub(crate) fn build_needed(rendered: &crate::build::Rendered, out: &Path) -> Option<String> {
    if !out.join(COMPOSE_FILE).is_file() {
        return Some(format!("no build in `{}` yet", out.display()));
    }
    let differ: Vec<String> = rendered
        .files
        .iter()
        .filter(|(path, text)| std::fs::read(out.join(path)).map_or(true, |old| old != text.as_bytes()))
        .map(|(path, _)| format!("`{path}`"))
        .collect();
    if differ.is_empty() {
        return None;
    }
    let shown = if differ.len() > 3 {
        format!("{} and {} more", differ[..3].join(", "), differ.len() - 3)
    } else {
        differ.join(", ")
    };
    Some(format!("the build in `{}` is out of date ({shown} differ from the project)", out.display()))
}

/// The variables of the build's `.env.example` that neither `.env` beside it nor the
/// environment sets to a non-empty value: Compose refuses to start while one is missing.
pub(crate) fn missing_variables(out: &Path, environment: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let Ok(example) = std::fs::read_to_string(out.join(".env.example")) else { return Vec::new() };
    let set: BTreeMap<String, String> =
        std::fs::read_to_string(out.join(".env")).unwrap_or_default().lines().filter_map(assignment).collect();
    example
        .lines()
        .filter_map(assignment)
        .map(|(name, _)| name)
        .filter(|name| {
            let in_file = set.get(name).is_some_and(|v| !v.is_empty());
            let in_environment = environment(name).is_some_and(|v| !v.is_empty());
            !in_file && !in_environment
        })
        .collect()
}

/// `NAME=value` of an env file (comments and blank lines skipped, quotes around the value
/// removed).
fn assignment(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (name, value) = line.split_once('=')?;
    let value = value.trim();
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    Some((name.trim().to_string(), unquoted.to_string()))
}

/// One container of `docker compose ps --all --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Container {
    pub(crate) service: String,
    /// `running`, `exited`, `restarting`, `paused`, `created`, `dead`.
    pub(crate) state: String,
    /// `healthy`, `unhealthy`, `starting`, or empty without a healthcheck.
    pub(crate) health: String,
    /// Docker's words: `Up 3 minutes (healthy)`, `Exited (1) 2 minutes ago`.
    pub(crate) status: String,
    pub(crate) exit_code: i64,
    /// `127.0.0.1:8083->8083/tcp`, sorted, each once.
    pub(crate) ports: Vec<String>,
}

/// Parses `docker compose ps --format json`: one JSON object a line (Compose 2.21 and later) or
/// one JSON array (earlier releases). Reference: docs.docker.com, "docker compose ps".
pub(crate) fn parse_ps(text: &str) -> Result<Vec<Container>, String> {
    let trimmed = text.trim();
    let objects: Vec<Value> = if trimmed.is_empty() {
        Vec::new()
    } else if trimmed.starts_with('[') {
        serde_json::from_str::<Vec<Value>>(trimmed).map_err(|e| format!("cannot read `docker compose ps`: {e}"))?
    } else {
        trimmed
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<Value>(l).map_err(|e| format!("cannot read `docker compose ps`: {e}")))
            .collect::<Result<_, _>>()?
    };
    let text_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut containers: Vec<Container> = objects
        .iter()
        .map(|o| {
            let mut ports: Vec<String> = o
                .get("Publishers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|p| p.get("PublishedPort").and_then(Value::as_u64).unwrap_or(0) != 0)
                .map(|p| {
                    let url = p.get("URL").and_then(Value::as_str).unwrap_or("0.0.0.0");
                    let published = p.get("PublishedPort").and_then(Value::as_u64).unwrap_or(0);
                    let target = p.get("TargetPort").and_then(Value::as_u64).unwrap_or(0);
                    let protocol = p.get("Protocol").and_then(Value::as_str).unwrap_or("tcp");
                    format!("{url}:{published}->{target}/{protocol}")
                })
                .collect();
            ports.sort();
            ports.dedup();
            Container {
                service: text_of(o, "Service"),
                state: text_of(o, "State"),
                health: text_of(o, "Health"),
                status: text_of(o, "Status"),
                exit_code: o.get("ExitCode").and_then(Value::as_i64).unwrap_or(0),
                ports,
            }
        })
        .collect();
    containers.sort_by(|a, b| a.service.cmp(&b.service));
    Ok(containers)
}

/// One line of `venice status`: a service of the Compose file and its container, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) service: String,
    pub(crate) healthcheck: bool,
    /// None: Compose has no container for it (never started, or removed by `down`).
    pub(crate) container: Option<Container>,
}

impl Row {
    /// Running, and healthy when it has a healthcheck.
    pub(crate) fn up(&self) -> bool {
        self.container.as_ref().is_some_and(|c| c.state == "running" && (!self.healthcheck || c.health == "healthy"))
    }

    fn state(&self) -> String {
        match &self.container {
            None => "not created".into(),
            Some(c) if c.state == "exited" || c.state == "dead" => format!("{} ({})", c.state, c.exit_code),
            Some(c) => c.state.clone(),
        }
    }

    fn health(&self) -> String {
        match &self.container {
            Some(c) if !c.health.is_empty() => c.health.clone(),
            _ => "-".into(),
        }
    }
}

/// What `venice status` shows: every service of the Compose file, in name order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Status {
    pub(crate) project: String,
    pub(crate) file: PathBuf,
    pub(crate) rows: Vec<Row>,
}

impl Status {
    pub(crate) fn of(stack: &Stack, containers: Vec<Container>) -> Status {
        let mut by_service: BTreeMap<String, Vec<Container>> = BTreeMap::new();
        for container in containers {
            by_service.entry(container.service.clone()).or_default().push(container);
        }
        let mut rows = Vec::new();
        for (service, &healthcheck) in &stack.services {
            match by_service.remove(service) {
                None => rows.push(Row { service: service.clone(), healthcheck, container: None }),
                Some(containers) => rows.extend(containers.into_iter().map(|c| Row {
                    service: service.clone(),
                    healthcheck,
                    container: Some(c),
                })),
            }
        }
        // Containers of services no longer in the file (orphans of an earlier build).
        for (service, containers) in by_service {
            rows.extend(containers.into_iter().map(|c| Row {
                service: service.clone(),
                healthcheck: false,
                container: Some(c),
            }));
        }
        Status { project: stack.compose.project.clone(), file: stack.compose.file.clone(), rows }
    }

    pub(crate) fn all_up(&self) -> bool {
        self.rows.iter().all(Row::up)
    }

    /// A table, then a summary line.
    pub(crate) fn human(&self) -> String {
        let header = ["SERVICE", "STATE", "HEALTH", "PORTS"];
        let lines: Vec<[String; 4]> = self
            .rows
            .iter()
            .map(|r| {
                let ports = r.container.as_ref().map(|c| c.ports.join(", ")).unwrap_or_default();
                [r.service.clone(), r.state(), r.health(), ports]
            })
            .collect();
        let width = |i: usize| lines.iter().map(|l| l[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0);
        let widths = [width(0), width(1), width(2)];
        let line = |cells: [&str; 4]| {
            let text = format!(
                "{:w0$}  {:w1$}  {:w2$}  {}",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
            format!("{}\n", text.trim_end())
        };
        let mut out = format!("stack `{}` ({})\n", self.project, self.file.display());
        out.push_str(&line(header));
        for l in &lines {
            out.push_str(&line([&l[0], &l[1], &l[2], &l[3]]));
        }
        let running = self.rows.iter().filter(|r| r.container.as_ref().is_some_and(|c| c.state == "running")).count();
        let up = self.rows.iter().filter(|r| r.up()).count();
        out.push_str(&format!(
            "{running} of {} services running, {up} ready (running, and healthy where they have a healthcheck)\n",
            self.rows.len()
        ));
        out
    }

    pub(crate) fn json(&self) -> Value {
        let services: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let c = r.container.clone().unwrap_or_default();
                json!({
                    "service": r.service,
                    "state": if r.container.is_some() { c.state } else { "not created".to_string() },
                    "health": if c.health.is_empty() { Value::Null } else { Value::from(c.health) },
                    "healthcheck": r.healthcheck,
                    "status": c.status,
                    "exitCode": c.exit_code,
                    "ports": c.ports,
                    "ready": r.up(),
                })
            })
            .collect();
        json!({
            "project": self.project,
            "file": self.file.display().to_string(),
            "services": services,
            "ready": self.all_up(),
        })
    }
}

/// Where `venice psql` connects: the role and the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PsqlTarget {
    pub(crate) user: String,
    pub(crate) database: String,
}

/// The role and database of `venice psql [DATABASE]`, from the project's `database` nodes that
/// live in the stack's PostgreSQL (as `venice build` creates them). DATABASE is a `database`
/// node's name or the database's own name; without it, the first such node. The role is the
/// node's `user` when written in venice.kdl; a user read from the environment or a file (which
/// the stack creates no role for), or no node at all, connects as `postgres`, the superuser.
pub(crate) fn psql_target(project: &Project, wanted: Option<&str>) -> Result<PsqlTarget, String> {
    let databases = crate::build::compose::stack_databases(project);
    let db_name = |d: &crate::model::Database| d.db_name.as_ref().map_or(&d.name.value, |n| &n.value).clone();
    let chosen = match wanted {
        None => databases.first().copied(),
        Some(name) => {
            let found = databases.iter().copied().find(|d| d.name.value == name || db_name(d) == name);
            if found.is_none() {
                let mut names: Vec<String> = databases.iter().map(|d| db_name(d)).collect();
                names.sort();
                names.dedup();
                let hint = match crate::diagnostic::suggest(name, names.iter().map(String::as_str)) {
                    Some(close) => format!(" (did you mean `{close}`?)"),
                    None => String::new(),
                };
                let known = if names.is_empty() {
                    "it declares none in the stack's PostgreSQL".to_string()
                } else {
                    format!(
                        "the stack's PostgreSQL holds {}",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    )
                };
                return Err(format!("the project has no database `{name}`{hint}; {known}"));
            }
            found
        }
    };
    Ok(match chosen {
        None => PsqlTarget { user: "postgres".into(), database: "postgres".into() },
        Some(d) => PsqlTarget {
            user: match &d.user {
                Some(Credential::Literal(user)) => user.value.clone(),
                _ => "postgres".into(),
            },
            database: db_name(d),
        },
    })
}

/// `exec [-T] postgres psql -U USER -d DATABASE`: `-T` when standard input is not a terminal
/// (`venice psql < file.sql`), so Compose does not ask for one.
pub(crate) fn psql_command(target: &PsqlTarget, terminal: bool) -> Vec<String> {
    let mut args = vec!["exec".to_string()];
    if !terminal {
        args.push("-T".into());
    }
    args.extend([POSTGRES_SERVICE, "psql", "-U", &target.user, "-d", &target.database].map(str::to_string));
    args
}

/// `exec [-T] ksqldb-cli ksql http://ksqldb-server:8088`: the ksqlDB CLI connected to the server.
pub(crate) fn ksql_command(terminal: bool) -> Vec<String> {
    let mut args = vec!["exec".to_string()];
    if !terminal {
        args.push("-T".into());
    }
    args.extend([KSQLDB_CLI_SERVICE, "ksql", KSQLDB_SERVER_URL].map(str::to_string));
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(yaml: &str) -> (tempfile::TempDir, Result<Stack, String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(COMPOSE_FILE), yaml).unwrap();
        let stack = Stack::open(dir.path());
        (dir, stack)
    }

    #[test]
    fn the_project_name_and_services_come_from_the_compose_file() {
        let yaml = "name: shop\nservices:\n  kafka-1:\n    image: x\n    healthcheck:\n      test: [CMD, true]\n  ksqldb-cli:\n    image: y\n";
        let (dir, stack) = stack(yaml);
        let stack = stack.unwrap();
        assert_eq!(stack.compose.project, "shop");
        assert_eq!(stack.compose.file, dir.path().join(COMPOSE_FILE));
        assert_eq!(
            stack.services.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(),
            [("kafka-1", true), ("ksqldb-cli", false)]
        );
        assert_eq!(stack.check_services(&["kafka-1".into()]), Ok(()));
        assert_eq!(
            stack.check_services(&["kafka".into()]).unwrap_err(),
            "the stack has no service `kafka` (did you mean `kafka-1`?); its services are `kafka-1`, `ksqldb-cli`"
        );
        assert_eq!(
            stack.require("postgres", "psql runs in it").unwrap_err(),
            "the stack has no `postgres` service: psql runs in it, and the project's `stack` declares none; add it to `stack { }` in venice.kdl and run `venice up`"
        );
    }

    #[test]
    fn a_missing_or_unreadable_compose_file_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let error = Stack::open(&dir.path().join("build")).unwrap_err();
        assert!(error.starts_with("there is no stack in `"), "{error}");
        assert!(error.ends_with("(no docker-compose.yml): run `venice up` (or `venice build`) first"), "{error}");
        let (_dir, broken) = stack("services: [\n");
        assert!(broken.unwrap_err().contains("is not a Compose file venice can read"));
    }

    #[test]
    fn ps_output_is_read_as_json_lines_or_as_an_array() {
        let lines = concat!(
            r#"{"Name":"shop-kafka-1-1","Service":"kafka-1","State":"running","Health":"healthy","Status":"Up 2 minutes (healthy)","ExitCode":0,"Publishers":[{"URL":"127.0.0.1","TargetPort":9092,"PublishedPort":9092,"Protocol":"tcp"},{"URL":"127.0.0.1","TargetPort":9092,"PublishedPort":9092,"Protocol":"tcp"},{"URL":"","TargetPort":29092,"PublishedPort":0,"Protocol":"tcp"}]}"#,
            "\n",
            r#"{"Name":"shop-ksqldb-cli-1","Service":"ksqldb-cli","State":"exited","Health":"","Status":"Exited (137) 1 minute ago","ExitCode":137,"Publishers":null}"#,
            "\n"
        );
        let parsed = parse_ps(lines).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].ports, ["127.0.0.1:9092->9092/tcp"]);
        assert_eq!(parsed[1].exit_code, 137);
        let array = format!("[{}]", lines.trim().replace('\n', ","));
        assert_eq!(parse_ps(&array).unwrap(), parsed);
        assert_eq!(parse_ps("").unwrap(), []);
        assert!(parse_ps("not json").unwrap_err().starts_with("cannot read `docker compose ps`"));
    }

    #[test]
    fn missing_variables_are_those_set_neither_in_env_nor_in_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env.example"), "# c\nA=\nB=\nC=\n").unwrap();
        assert_eq!(missing_variables(dir.path(), |_| None), ["A", "B", "C"]);
        std::fs::write(dir.path().join(".env"), "A=x\nB=\n# C=y\n").unwrap();
        assert_eq!(missing_variables(dir.path(), |n| (n == "C").then(|| "z".to_string())), ["B"]);
        std::fs::write(dir.path().join(".env"), "A=\"x\"\nexport B='y'\n").unwrap();
        assert_eq!(missing_variables(dir.path(), |n| (n == "C").then(|| "z".to_string())), Vec::<String>::new());
    }

    #[test]
    fn psql_connects_as_the_databases_user() {
        let dir = tempfile::tempdir().unwrap();
        let kdl = "project p\nstack {\n    postgres\n}\ndatabase shop kind=postgres {\n    host postgres port=5432\n    name shopdb\n    user venice\n    password env=PW\n}\ndatabase other kind=postgres {\n    host \"db.example.com\" port=5432\n    user x\n}\n";
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        let project = &checked.project;
        let shop = PsqlTarget { user: "venice".into(), database: "shopdb".into() };
        assert_eq!(psql_target(project, None), Ok(shop.clone()));
        assert_eq!(psql_target(project, Some("shop")), Ok(shop.clone()));
        assert_eq!(psql_target(project, Some("shopdb")), Ok(shop.clone()));
        assert_eq!(
            psql_target(project, Some("shopd")).unwrap_err(),
            "the project has no database `shopd` (did you mean `shopdb`?); the stack's PostgreSQL holds `shopdb`"
        );
        assert_eq!(psql_command(&shop, true), ["exec", "postgres", "psql", "-U", "venice", "-d", "shopdb"]);
        assert_eq!(psql_command(&shop, false)[..2], ["exec", "-T"]);
        assert_eq!(ksql_command(true), ["exec", "ksqldb-cli", "ksql", "http://ksqldb-server:8088"]);
    }
}
