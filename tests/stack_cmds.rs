//! The stack commands (`venice up`, `down`, `status`, `logs`, `restart`, `ksql`, `psql`),
//! tested by the commands they run: a fake `docker` first on PATH appends its argv to a log
//! and answers as Docker would (`compose version`, `info`, `compose ps --format json` lines),
//! so each test asserts the exact `docker` command lines venice ran and what the user sees.
//! Also: no `docker` on PATH, no Compose plugin, an engine that is down (exit 2, the message).

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A project with a stack (Kafka, the registry, Connect, ksqlDB, PostgreSQL) whose `local`
/// target points at a closed port, so the apply that `venice up` ends with fails fast and says
/// where it looked.
const PROJECT: &str = r#"project demo

stack {
    kafka brokers=1 mode=kraft
    schema-registry
    ksqldb version="0.29.0"
    connect
    postgres
}

target local {
    kafka "127.0.0.1:9"
    schema-registry "http://127.0.0.1:9"
}

database app kind=postgres {
    host postgres port=5432
    name appdb
    user app_user
    password env=APP_PASSWORD
}

topic orders partitions=1 replication=1 {
    key string
    value string
}
producer web topic=orders {
    key string
    value string
}
consumer audit topic=orders group=audit {
    key string
    value string
}
"#;

/// The fake `docker`: logs `arg|arg|...|` a line, then answers by its arguments.
const FAKE_DOCKER: &str = r#"#!/bin/sh
for arg in "$@"; do printf '%s|' "$arg" >> "$FAKE_DOCKER_LOG"; done
echo >> "$FAKE_DOCKER_LOG"
if [ "$1 $2" = "compose version" ]; then
    if [ -n "$FAKE_NO_COMPOSE" ]; then echo "docker: unknown command: docker compose" >&2; exit 1; fi
    echo "Docker Compose version v2.29.7"; exit 0
fi
if [ "$1" = "info" ]; then
    if [ -n "$FAKE_NO_ENGINE" ]; then
        echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
        exit 1
    fi
    echo "28.2.2"; exit 0
fi
for arg in "$@"; do
    if [ "$arg" = "ps" ]; then cat "$FAKE_PS"; exit 0; fi
    if [ "$arg" = "exec" ]; then exit 3; fi
done
exit "${FAKE_EXIT:-0}"
"#;

struct Fixture {
    dir: tempfile::TempDir,
    bin: PathBuf,
    log: PathBuf,
    ps: PathBuf,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn shown(&self) -> String {
        format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let project = dir.path().join("demo");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("venice.kdl"), PROJECT).unwrap();
        let fixture = Fixture { log: dir.path().join("docker.log"), ps: dir.path().join("ps.json"), bin, dir };
        std::fs::write(&fixture.ps, "").unwrap();
        fixture
    }

    fn project(&self) -> PathBuf {
        self.dir.path().join("demo")
    }

    /// Puts the fake `docker` in `bin/`.
    fn with_docker(self) -> Fixture {
        let docker = self.bin.join("docker");
        std::fs::write(&docker, FAKE_DOCKER).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        self
    }

    /// `build/.env` with every variable the stack needs.
    fn with_env_file(self) -> Fixture {
        std::fs::write(self.project().join("build/.env"), "POSTGRES_ADMIN_PASSWORD=admin\nAPP_PASSWORD=app\n").unwrap();
        self
    }

    /// `venice ARGS` in the project folder, with a clean environment: PATH is `bin/` (and, with
    /// the fake `docker` there, the system folders its `cat` lives in: a real `docker` there
    /// comes after it), standard input is not a terminal.
    fn venice(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let path = if self.bin.join("docker").exists() {
            format!("{}:/usr/bin:/bin", self.bin.display())
        } else {
            self.bin.display().to_string()
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_venice"));
        command
            .args(args)
            .current_dir(self.project())
            .env_clear()
            .env("PATH", path)
            .env("FAKE_DOCKER_LOG", &self.log)
            .env("FAKE_PS", &self.ps)
            .stdin(Stdio::null());
        for (k, v) in extra {
            command.env(k, v);
        }
        let output = command.output().expect("venice runs");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The command lines the fake `docker` was run with, one `a|b|c|` line each; the log is
    /// emptied.
    fn docker_calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log);
        text.lines().map(str::to_owned).collect()
    }

    fn build(&self) {
        let run = self.venice(&["build"], &[]);
        assert_eq!(run.code, Some(0), "{}", run.shown());
        self.docker_calls();
    }
}

const PROBES: [&str; 2] = ["compose|version|", "info|--format|{{.ServerVersion}}|"];
const COMPOSE: &str = "compose|-f|./build/docker-compose.yml|-p|demo|";

fn calls(rest: &[&str]) -> Vec<String> {
    let mut expected: Vec<String> = PROBES.iter().map(|s| s.to_string()).collect();
    expected.extend(rest.iter().map(|r| format!("{COMPOSE}{r}")));
    expected
}

#[test]
fn up_builds_the_stack_starts_it_with_compose_then_applies_to_the_local_target() {
    let fx = Fixture::new().with_docker();
    // No .env yet: nothing is started, and the message says what to set and where.
    let refused = fx.venice(&["up", "--wait", "1"], &[]);
    assert_eq!(refused.code, Some(2), "{}", refused.shown());
    assert!(refused.stderr.contains("building: no build in `./build` yet\n"), "{}", refused.shown());
    assert!(
        refused.stderr.ends_with(
            "error: the stack needs `APP_PASSWORD`, `POSTGRES_ADMIN_PASSWORD` set: copy `./build/.env.example` to \
             `./build/.env` and set every value there (or in the environment)\n"
        ),
        "{}",
        refused.shown()
    );
    assert_eq!(fx.docker_calls(), calls(&[]), "only the probes ran");
    assert!(fx.project().join("build/docker-compose.yml").is_file());

    // With .env: the build is up to date, so it is not rebuilt; compose up, then the apply,
    // which finds nothing at the target's closed port.
    let fx = fx.with_env_file();
    let up = fx.venice(&["up", "--wait", "1"], &[]);
    assert_eq!(fx.docker_calls(), calls(&["up|--detach|--wait|"]));
    assert_eq!(up.code, Some(2), "{}", up.shown());
    assert!(!up.stderr.contains("building:"), "{}", up.shown());
    assert!(up.stdout.starts_with("the stack `demo` is up\n"), "{}", up.shown());
    assert!(up.stderr.contains("is not answering at 127.0.0.1:9"), "{}", up.shown());
    assert!(up.stderr.ends_with("nothing was applied\n"), "{}", up.shown());

    // A project that now builds to something else is rebuilt first (a venice.kdl saved again
    // unchanged is not). `--no-apply` stops after compose.
    let kdl = std::fs::read_to_string(fx.project().join("venice.kdl")).unwrap();
    std::fs::write(fx.project().join("venice.kdl"), &kdl).unwrap();
    let same = fx.venice(&["up", "--no-apply"], &[]);
    assert_eq!((same.code, same.stderr.as_str()), (Some(0), ""), "{}", same.shown());
    fx.docker_calls();
    std::fs::write(fx.project().join("venice.kdl"), kdl.replace("partitions=1", "partitions=2")).unwrap();
    let again = fx.venice(&["up", "--no-apply"], &[]);
    assert_eq!(again.code, Some(0), "{}", again.shown());
    assert!(
        again.stderr.starts_with(
            "building: the build in `./build` is out of date (`README.md`, `manifest.json`, `topics.json` differ from the project)\n"
        ),
        "{}",
        again.shown()
    );
    assert_eq!(again.stdout, "the stack `demo` is up\n");
    assert_eq!(fx.docker_calls(), calls(&["up|--detach|--wait|"]));
    let up_to_date = fx.venice(&["up", "--no-apply"], &[]);
    assert_eq!((up_to_date.code, up_to_date.stderr.as_str()), (Some(0), ""), "{}", up_to_date.shown());
    fx.docker_calls();

    // Compose failing is reported with the command it ran.
    let failed = fx.venice(&["up", "--no-apply"], &[("FAKE_EXIT", "1")]);
    assert_eq!(failed.code, Some(1), "{}", failed.shown());
    assert_eq!(
        failed.stderr,
        "error: `docker compose -f ./build/docker-compose.yml -p demo up --detach --wait` failed (exit status: 1)\n\
         `venice status` shows which service is not ready, `venice logs SERVICE` why\n"
    );
}

#[test]
fn up_refuses_a_project_without_a_stack() {
    let fx = Fixture::new().with_docker();
    std::fs::write(fx.project().join("venice.kdl"), "project nostack\n").unwrap();
    let run = fx.venice(&["up"], &[]);
    assert_eq!(run.code, Some(2), "{}", run.shown());
    assert!(
        run.stderr.starts_with("error: the project declares no `stack`, so there is nothing to start"),
        "{}",
        run.shown()
    );
    assert_eq!(fx.docker_calls(), Vec::<String>::new());
}

#[test]
fn down_status_logs_and_restart_run_compose_on_the_built_file() {
    let fx = Fixture::new().with_docker();
    fx.build();

    let down = fx.venice(&["down", "--volumes"], &[]);
    assert_eq!(down.code, Some(0), "{}", down.shown());
    assert_eq!(down.stdout, "stopped the stack `demo` and removed its volumes\n");
    assert_eq!(fx.docker_calls(), calls(&["down|--volumes|"]));

    let logs = fx.venice(&["logs", "connect", "kafka-1", "--follow", "--tail", "5"], &[]);
    assert_eq!(logs.code, Some(0), "{}", logs.shown());
    assert_eq!(fx.docker_calls(), calls(&["logs|--follow|--tail|5|connect|kafka-1|"]));
    let all = fx.venice(&["logs"], &[]);
    assert_eq!(all.code, Some(0), "{}", all.shown());
    assert_eq!(fx.docker_calls(), calls(&["logs|"]));

    let restart = fx.venice(&["restart", "connect"], &[]);
    assert_eq!(restart.code, Some(0), "{}", restart.shown());
    assert_eq!(fx.docker_calls(), calls(&["restart|connect|"]));

    // A service name that is not in the Compose file: a suggestion, and Docker is not asked.
    let typo = fx.venice(&["restart", "conect"], &[]);
    assert_eq!(typo.code, Some(2), "{}", typo.shown());
    assert_eq!(
        typo.stderr,
        "error: the stack has no service `conect` (did you mean `connect`?); its services are `connect`, \
         `kafka-1`, `ksqldb-cli`, `ksqldb-server`, `postgres`, `schema-registry`\n"
    );
    let typo = fx.venice(&["logs", "kafka"], &[]);
    assert!(typo.stderr.contains("no service `kafka` (did you mean `kafka-1`?)"), "{}", typo.shown());
    assert_eq!(fx.docker_calls(), Vec::<String>::new());
    let missing = fx.venice(&["restart"], &[]);
    assert_eq!(missing.code, Some(2), "{}", missing.shown());

    // Another build folder.
    let elsewhere = fx.venice(&["down", "--out", "nowhere"], &[]);
    assert_eq!(elsewhere.code, Some(2), "{}", elsewhere.shown());
    assert_eq!(
        elsewhere.stderr,
        "error: there is no stack in `nowhere` (no docker-compose.yml): run `venice up` (or `venice build`) first\n"
    );
}

#[test]
fn status_reads_compose_ps_and_shows_each_services_state_and_health() {
    let fx = Fixture::new().with_docker();
    fx.build();
    let running = |service: &str, health: &str, port: Option<u16>| {
        let publishers = match port {
            Some(p) => format!(
                r#"[{{"URL":"127.0.0.1","TargetPort":{p},"PublishedPort":{p},"Protocol":"tcp"}},{{"URL":"","TargetPort":29092,"PublishedPort":0,"Protocol":"tcp"}}]"#
            ),
            None => "[]".into(),
        };
        format!(
            r#"{{"Name":"demo-{service}-1","Service":"{service}","State":"running","Health":"{health}","Status":"Up 1 minute","ExitCode":0,"Publishers":{publishers}}}"#
        )
    };
    let lines = [
        running("connect", "starting", Some(8083)),
        running("kafka-1", "healthy", Some(9092)),
        r#"{"Name":"demo-ksqldb-cli-1","Service":"ksqldb-cli","State":"exited","Health":"","Status":"Exited (1) 5 seconds ago","ExitCode":1,"Publishers":[]}"#.to_string(),
        running("ksqldb-server", "healthy", Some(8088)),
        running("schema-registry", "healthy", Some(8081)),
    ];
    std::fs::write(&fx.ps, lines.join("\n") + "\n").unwrap();
    let status = fx.venice(&["status"], &[]);
    assert_eq!(fx.docker_calls(), calls(&["ps|--all|--format|json|"]));
    assert_eq!(status.code, Some(1), "{}", status.shown());
    assert_eq!(
        status.stdout,
        "stack `demo` (./build/docker-compose.yml)\n\
         SERVICE          STATE        HEALTH    PORTS\n\
         connect          running      starting  127.0.0.1:8083->8083/tcp\n\
         kafka-1          running      healthy   127.0.0.1:9092->9092/tcp\n\
         ksqldb-cli       exited (1)   -\n\
         ksqldb-server    running      healthy   127.0.0.1:8088->8088/tcp\n\
         postgres         not created  -\n\
         schema-registry  running      healthy   127.0.0.1:8081->8081/tcp\n\
         4 of 6 services running, 3 ready (running, and healthy where they have a healthcheck)\n"
    );

    let json = fx.venice(&["status", "--format", "json"], &[]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap_or_else(|_| panic!("{}", json.shown()));
    assert_eq!(doc["project"], "demo");
    assert_eq!(doc["ready"], false);
    assert_eq!(doc["services"][0]["service"], "connect");
    assert_eq!(doc["services"][0]["health"], "starting");
    assert_eq!(doc["services"][2]["exitCode"], 1);
    assert_eq!(doc["services"][4]["state"], "not created");

    // Every service running and healthy (`venice build` gives each a healthcheck), as one JSON
    // array, as Compose before 2.21 prints it.
    let all: Vec<String> = ["connect", "kafka-1", "ksqldb-cli", "ksqldb-server", "postgres", "schema-registry"]
        .iter()
        .map(|s| running(s, "healthy", None))
        .collect();
    std::fs::write(&fx.ps, format!("[{}]", all.join(","))).unwrap();
    let ready = fx.venice(&["status"], &[]);
    assert_eq!(ready.code, Some(0), "{}", ready.shown());
    assert!(
        ready
            .stdout
            .ends_with("6 of 6 services running, 6 ready (running, and healthy where they have a healthcheck)\n")
    );
}

#[test]
fn ksql_and_psql_open_shells_in_their_containers_and_exit_with_their_status() {
    let fx = Fixture::new().with_docker();
    fx.build();
    // Standard input is not a terminal here, so `exec -T`; the fake shell exits 3.
    let ksql = fx.venice(&["ksql"], &[]);
    assert_eq!(ksql.code, Some(3), "{}", ksql.shown());
    assert_eq!(fx.docker_calls(), calls(&["exec|-T|ksqldb-cli|ksql|http://ksqldb-server:8088|"]));

    let psql = fx.venice(&["psql"], &[]);
    assert_eq!(psql.code, Some(3), "{}", psql.shown());
    assert_eq!(fx.docker_calls(), calls(&["exec|-T|postgres|psql|-U|app_user|-d|appdb|"]));
    let by_node = fx.venice(&["psql", "app"], &[]);
    assert_eq!(by_node.code, Some(3), "{}", by_node.shown());
    assert_eq!(fx.docker_calls(), calls(&["exec|-T|postgres|psql|-U|app_user|-d|appdb|"]));

    let unknown = fx.venice(&["psql", "apdb"], &[]);
    assert_eq!(unknown.code, Some(2), "{}", unknown.shown());
    assert_eq!(
        unknown.stderr,
        "error: the project has no database `apdb` (did you mean `appdb`?); the stack's PostgreSQL holds `appdb`\n"
    );
    assert_eq!(fx.docker_calls(), Vec::<String>::new());

    // `venice ksql describe` is still the file command.
    let describe = fx.venice(&["ksql", "describe", "missing.sql"], &[]);
    assert_eq!(describe.code, Some(2), "{}", describe.shown());
    assert!(describe.stderr.starts_with("error: cannot read `missing.sql`"), "{}", describe.shown());
}

#[test]
fn without_docker_each_stack_command_says_what_is_missing_and_exits_2() {
    let fx = Fixture::new();
    fx.build();
    let not_installed = "error: Docker is not installed: there is no `docker` on PATH; the stack commands run the \
                         stack of `venice build` with Docker Compose: install Docker Engine with its Compose plugin \
                         and try again\n";
    for args in [&["up"][..], &["down"], &["status"], &["logs"], &["restart", "connect"], &["ksql"], &["psql"]] {
        let run = fx.venice(args, &[("POSTGRES_ADMIN_PASSWORD", "a"), ("APP_PASSWORD", "b")]);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.shown());
        assert_eq!(run.stderr, not_installed, "{args:?}");
        assert_eq!(run.stdout, "", "{args:?}");
    }

    let fx = fx.with_docker();
    let no_compose = fx.venice(&["status"], &[("FAKE_NO_COMPOSE", "1")]);
    assert_eq!(no_compose.code, Some(2), "{}", no_compose.shown());
    assert_eq!(
        no_compose.stderr,
        "error: `docker compose` is not available (docker: unknown command: docker compose): install the Docker \
         Compose plugin (Debian: `apt-get install docker-compose-plugin` from Docker's repository) and try again\n"
    );
    assert_eq!(fx.docker_calls(), ["compose|version|"]);
    let no_engine = fx.venice(&["down"], &[("FAKE_NO_ENGINE", "1")]);
    assert_eq!(no_engine.code, Some(2), "{}", no_engine.shown());
    assert_eq!(
        no_engine.stderr,
        "error: the Docker engine is not answering (Cannot connect to the Docker daemon at \
         unix:///var/run/docker.sock. Is the docker daemon running?): start Docker and try again\n"
    );
    assert_eq!(fx.docker_calls(), calls(&[]));
}

#[test]
fn every_day_to_day_command_has_help() {
    for (command, first_line) in [
        ("up", "Start the project's stack"),
        ("down", "Stop the project's stack"),
        ("status", "Show each service of the project's stack"),
        ("logs", "Print the logs of the stack's services"),
        ("restart", "Restart services of the project's stack"),
        ("ksql", "Open the ksqlDB CLI of the project's stack"),
        ("psql", "Open psql in the stack's PostgreSQL container"),
        ("connectors", "List the connectors on a target's Kafka Connect"),
        ("schemas", "List the subjects of a target's schema registry"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_venice")).args([command, "--help"]).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{command}: {stdout}");
        assert!(stdout.starts_with(first_line), "{command}:\n{stdout}");
    }
    let top = Command::new(env!("CARGO_BIN_EXE_venice")).arg("--help").output().unwrap();
    let top = String::from_utf8_lossy(&top.stdout);
    for command in ["up", "down", "status", "logs", "restart", "psql", "connectors", "schemas"] {
        assert!(top.contains(&format!("\n  {command} ")), "{command} missing from:\n{top}");
    }
}
