//! `venice build`: the golden builds of the examples, the validity of every output (the Compose
//! file against the Compose Specification's JSON schema, every JSON file, every ksqlDB file with
//! venice's own parser), and the command's behaviour (errors build nothing, no secret leaks, an
//! earlier build is replaced, a foreign folder is refused, venice.lock is written).
//!
//! The Compose Specification's schema is not part of the project: the tests that need it are
//! ignored unless asked for, and read it from `VENICE_SCHEMAS_DIR` (tests/support/schemas.rs).
//!
//! After an intended change of the output, rewrite `golden/` with
//! `VENICE_BLESS=1 cargo test --test build` and review the diff like code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use venice::build::Platform;

const EXAMPLES: [&str; 3] = ["shop", "bus-locations", "cdc"];
const BLESS: &str = "VENICE_BLESS=1 cargo test --test build";
/// The stacks of three brokers built with every UI: (mode, ui).
const WIDE_STACKS: [(&str, &str); 3] = [("zookeeper", "akhq"), ("kraft", "kafka-ui"), ("zookeeper", "kafdrop")];

#[path = "support/schemas.rs"]
mod schemas;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn blessing() -> bool {
    std::env::var_os("VENICE_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Checks and renders a project folder; panics on errors.
fn render(dir: &Path) -> BTreeMap<String, String> {
    render_for(dir, Platform::Compose)
}

/// [`render`] for a platform.
fn render_for(dir: &Path, platform: Platform) -> BTreeMap<String, String> {
    let checked = venice::check::check(dir).expect("the project is found");
    assert!(!checked.has_errors(), "{} has errors: {:#?}", dir.display(), checked.diagnostics);
    venice::build::render_for(&checked, dir, platform).files
}

/// Every file under `dir`, by relative path with forward slashes.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(relative, std::fs::read_to_string(&path).expect("a text file"));
            }
        }
    }
    files
}

fn venice(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_venice"));
    command.args(args).env("NO_COLOR", "1");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("venice runs")
}

fn copy_tree(from: &Path, to: &Path) {
    for (path, text) in read_tree(from) {
        let target = to.join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
}

/// Where the golden build of an example for a platform lives: `golden/<example>/` for Compose,
/// `golden/kubernetes/<example>/` for Kubernetes.
fn golden_dir(example: &str, platform: Platform) -> PathBuf {
    match platform {
        Platform::Compose => root().join("golden").join(example),
        Platform::Kubernetes => root().join("golden/kubernetes").join(example),
    }
}

#[test]
fn each_example_builds_exactly_its_golden_output() {
    let mut stale = Vec::new();
    let builds = EXAMPLES.into_iter().flat_map(|e| [(e, Platform::Compose), (e, Platform::Kubernetes)]);
    for (example, platform) in builds {
        let built = render_for(&root().join("examples").join(example), platform);
        let golden_dir = golden_dir(example, platform);
        if blessing() {
            let _ = std::fs::remove_dir_all(&golden_dir);
            for (path, text) in &built {
                let target = golden_dir.join(path);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(target, text).unwrap();
            }
            continue;
        }
        let golden = if golden_dir.is_dir() { read_tree(&golden_dir) } else { BTreeMap::new() };
        let paths: std::collections::BTreeSet<&String> = built.keys().chain(golden.keys()).collect();
        for path in paths {
            if built.get(path) != golden.get(path) {
                stale.push(format!("{}/{path}", golden_dir.display()));
            }
        }
    }
    assert!(stale.is_empty(), "the build differs from the golden files (review, then `{BLESS}`): {stale:#?}");
}

#[test]
fn the_same_project_builds_byte_identical_files_every_time() {
    for example in EXAMPLES {
        let dir = root().join("examples").join(example);
        assert_eq!(render(&dir), render(&dir), "{example}");
        assert_eq!(render_for(&dir, Platform::Kubernetes), render_for(&dir, Platform::Kubernetes), "{example}");
    }
}

/// The Compose file as JSON.
fn parse_compose(yaml: &str) -> serde_json::Value {
    serde_saphyr::from_str(yaml).expect("the Compose file is YAML")
}

/// Every Compose file built here: the examples', the wide stacks', the file credentials' and the
/// error-free fixtures', each with what it was built from.
fn every_compose_file() -> Vec<(String, String)> {
    let mut built = Vec::new();
    for example in EXAMPLES {
        built.push((format!("examples/{example}"), render(&root().join("examples").join(example))));
    }
    for (mode, ui) in WIDE_STACKS {
        built.push((format!("the wide stack in {mode} mode with {ui}"), render_wide_stack(mode, ui)));
    }
    built.push(("the project with file credentials".to_string(), render_file_credentials()));
    let mut composes: Vec<(String, String)> = built
        .into_iter()
        .map(|(from, mut files)| {
            let compose = files.remove("docker-compose.yml").unwrap_or_else(|| panic!("{from} has no Compose file"));
            (from, compose)
        })
        .collect();
    for (dir, checked) in error_free_fixtures() {
        let mut files = venice::build::render(&checked, &dir).files;
        composes.extend(files.remove("docker-compose.yml").map(|compose| (dir.display().to_string(), compose)));
    }
    composes
}

#[test]
#[ignore = "needs the Compose Specification's schema in VENICE_SCHEMAS_DIR (.ci/run sets it)"]
fn every_compose_file_is_valid_against_the_compose_specification() {
    let validator = schemas::validator("compose-spec.json");
    for (built_from, yaml) in every_compose_file() {
        let errors: Vec<String> =
            validator.iter_errors(&parse_compose(&yaml)).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "invalid Compose file of {built_from}: {errors:#?}\n{yaml}");
    }
}

/// What "starts in order by construction" means, checked on the parsed file.
fn assert_starts_in_order(compose: &serde_json::Value) {
    let services = compose["services"].as_object().expect("services");
    assert!(!services.is_empty());
    for (name, service) in services {
        let test = &service["healthcheck"]["test"];
        assert!(test.as_array().is_some_and(|t| t.len() == 2 && t[0] == "CMD-SHELL"), "{name} has a healthcheck");
        if let Some(depends) = service.get("depends_on").and_then(|d| d.as_object()) {
            for (on, condition) in depends {
                assert_eq!(condition["condition"], "service_healthy", "{name} waits for {on}");
                assert!(services.contains_key(on), "{name} depends on a service that exists: {on}");
            }
        }
        for port in service.get("ports").and_then(|p| p.as_array()).into_iter().flatten() {
            assert!(port.as_str().is_some_and(|p| p.starts_with("127.0.0.1:")), "{name} publishes on loopback: {port}");
        }
        for volume in service.get("volumes").and_then(|v| v.as_array()).into_iter().flatten() {
            let source = volume.as_str().unwrap().split(':').next().unwrap();
            let named = compose["volumes"].get(source).is_some();
            assert!(named || source.starts_with("./"), "{name}: `{source}` is a named volume or a build file");
        }
        let image = service["image"].as_str().unwrap();
        assert!(image.contains(':') && !image.ends_with(":latest"), "{name} pins its image: {image}");
        if image.starts_with("confluentinc/") {
            assert!(image.ends_with(&format!(":{}", venice::build::compose::cp_version())), "{image}");
        }
    }
}

#[test]
fn every_compose_file_starts_in_dependency_order() {
    for (_, yaml) in every_compose_file() {
        assert_starts_in_order(&parse_compose(&yaml));
    }
}

/// A project that uses every option of the stack: ZooKeeper, three brokers, every plugin, a UI.
fn wide_stack(mode: &str, ui: &str) -> String {
    format!(
        r#"project "Wide Stack"
stack {{
    kafka brokers=3 mode={mode}
    schema-registry
    ksqldb
    connect {{
        plugin jdbc
        plugin debezium-postgres
        plugin debezium-jdbc
        plugin file
    }}
    postgres
    ui {ui}
}}
database app kind=postgres {{
    name app
    user app
    password env=APP_DB_PASSWORD
}}
topic events partitions=6 replication=3 {{
    key string
    value json
    retention "7d"
    cleanup compact
    config "min.insync.replicas" "2"
}}
producer p topic=events
consumer c topic=events
"#
    )
}

/// The files built from [`wide_stack`].
fn render_wide_stack(mode: &str, ui: &str) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("venice.kdl"), wide_stack(mode, ui)).unwrap();
    render(dir.path())
}

#[test]
fn zookeeper_and_kraft_stacks_of_three_brokers_are_built_with_every_ui() {
    for (mode, ui) in WIDE_STACKS {
        let files = render_wide_stack(mode, ui);
        let compose = parse_compose(&files["docker-compose.yml"]);
        let services = compose["services"].as_object().unwrap();
        assert_eq!(services.contains_key("zookeeper"), mode == "zookeeper");
        for broker in ["kafka-1", "kafka-2", "kafka-3"] {
            let env = &services[broker]["environment"];
            if mode == "kraft" {
                assert_eq!(env["KAFKA_CONTROLLER_QUORUM_VOTERS"], "1@kafka-1:29093,2@kafka-2:29093,3@kafka-3:29093");
                assert!(services[broker].get("depends_on").is_none(), "KRaft brokers wait for none of each other");
            } else {
                assert_eq!(env["KAFKA_ZOOKEEPER_CONNECT"], "zookeeper:2181");
            }
            assert_eq!(env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"], "3");
        }
        assert_eq!(compose["name"], "wide-stack");
        assert_eq!(services["connect"]["build"], "./connect");
        let dockerfile = &files["connect/Dockerfile"];
        assert!(dockerfile.contains("confluent-hub install --no-prompt confluentinc/kafka-connect-jdbc:10.8.0"));
        assert!(dockerfile.contains("debezium-connector-postgres/3.6.1.Final/"), "{dockerfile}");
        assert!(dockerfile.contains("debezium-connector-jdbc/3.6.0.Final/"), "{dockerfile}");
        assert!(services["connect"]["environment"]["CONNECT_PLUGIN_PATH"].as_str().unwrap().contains("filestream"));
        assert!(
            services["postgres"]["environment"]["VENICE_SECRET_APP_DB_PASSWORD"]
                .as_str()
                .unwrap()
                .starts_with("${APP_DB_PASSWORD:?")
        );
        assert!(files[".env.example"].contains("\nAPP_DB_PASSWORD=\n"));
        assert!(files[".env.example"].contains("\nPOSTGRES_ADMIN_PASSWORD=\n"));
        let topics: serde_json::Value = serde_json::from_str(&files["topics.json"]).unwrap();
        assert_eq!(
            topics["topics"][0],
            serde_json::json!({
                "name": "events", "partitions": 6, "replication_factor": 3,
                "configs": {"cleanup.policy": "compact", "min.insync.replicas": "2", "retention.ms": "604800000"}
            })
        );
    }
}

#[test]
fn every_json_file_parses_and_every_ksql_file_parses_with_venices_parser() {
    let mut ksql_files = 0;
    for example in EXAMPLES {
        let files = render(&root().join("examples").join(example));
        for (path, text) in &files {
            if path.ends_with(".json") {
                serde_json::from_str::<serde_json::Value>(text).unwrap_or_else(|e| panic!("{example}/{path}: {e}"));
            }
            if path.starts_with("ksql/") {
                ksql_files += 1;
                let sql = venice::model::SourceText::from_file(venice::source::FileId(0), text.clone());
                let (statements, errors) = venice::ksql::parser::parse(&sql);
                assert!(errors.is_empty(), "{example}/{path}: {errors:#?}");
                assert!(!statements.is_empty(), "{example}/{path} has statements");
            }
        }
        let manifest: serde_json::Value = serde_json::from_str(&files["manifest.json"]).unwrap();
        assert_eq!(manifest["version"], 1);
        let outputs: Vec<&str> = manifest["outputs"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
        assert_eq!(
            outputs,
            files.keys().map(String::as_str).collect::<Vec<_>>(),
            "{example}: outputs lists every file"
        );
    }
    assert_eq!(ksql_files, 4, "shop and cdc each have a stream and a transform");
}

#[test]
fn ksql_files_assert_what_they_need_and_come_in_dependency_order() {
    let files = render(&root().join("examples/shop"));
    let stream = &files["ksql/01-stream-orders.sql"];
    let assert_topic = stream.find("ASSERT TOPIC 'orders' WITH (PARTITIONS=3)").expect("asserts the topic");
    let assert_schema = stream.find("ASSERT SCHEMA SUBJECT 'orders-value'").expect("asserts the subject");
    let create = stream.find("CREATE STREAM IF NOT EXISTS orders (ORDER_ID STRING KEY)").expect("creates the stream");
    assert!(assert_topic < create && assert_schema < create);
    assert!(files["ksql/02-transform-platinum-orders.sql"].contains("CREATE STREAM platinum_orders"));
    let cdc = render(&root().join("examples/cdc"));
    // The key record Debezium derives from the table's primary key, unwrapped as one key column.
    assert!(cdc["ksql/01-stream-orders.sql"].contains("(ID STRUCT<ID INTEGER> KEY)"));
}

/// A temporary copy of an example, so that building it (which writes venice.lock) leaves the
/// repository alone.
fn example_copy(example: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("examples").join(example), dir.path());
    dir
}

#[test]
fn the_command_writes_the_build_and_the_lock_and_check_then_reads_it() {
    let project = example_copy("shop");
    let out = project.path().join("out");
    let output = venice(&["build", project.path().to_str().unwrap(), "--out", out.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("built 19 files"));
    assert_eq!(read_tree(&out), render(project.path()));
    let lock = std::fs::read_to_string(project.path().join("venice.lock")).expect("venice.lock is written");
    assert!(lock.contains("[subjects.orders-value]") && lock.contains("[topics.orders]\npartitions = 3"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("postgres/init.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "init.sh is executable");
    }
    let check = venice(&["check", project.path().to_str().unwrap()], &[]);
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    // Fewer partitions than the lock recorded: the baseline is read.
    let kdl = std::fs::read_to_string(project.path().join("venice.kdl")).unwrap();
    std::fs::write(project.path().join("venice.kdl"), kdl.replace("partitions=3", "partitions=2")).unwrap();
    let check = venice(&["check", project.path().to_str().unwrap()], &[]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("V503"));
}

#[test]
fn the_default_output_folder_is_build_inside_the_project() {
    let project = example_copy("bus-locations");
    let output = venice(&["build", project.path().to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(project.path().join("build/docker-compose.yml").is_file());
    assert!(project.path().join("build/manifest.json").is_file());
}

#[test]
fn a_project_with_errors_builds_nothing() {
    let project = example_copy("shop");
    let kdl = std::fs::read_to_string(project.path().join("venice.kdl")).unwrap();
    std::fs::write(project.path().join("venice.kdl"), kdl.replace("topic=orders group", "topic=ordres group")).unwrap();
    let lock = project.path().join("venice.lock");
    // The example commits its lock; a failed build leaves it as it was.
    let committed = std::fs::read_to_string(&lock).expect("the example commits its lock");
    let out = project.path().join("out");
    let output = venice(&["build", project.path().to_str().unwrap(), "--out", out.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("V005") && stdout.contains("ordres"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("not built"));
    assert!(!out.exists(), "nothing is written");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), committed, "the lock is not rewritten");
    let json = venice(&["build", project.path().to_str().unwrap(), "--format", "json"], &[]);
    assert_eq!(json.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("diagnostics as JSON");
    assert_eq!(document["summary"]["errors"], 1);
}

#[test]
fn no_secret_value_appears_in_any_generated_file() {
    const SECRET: &str = "s3cr3t-Value-9f2c";
    for example in EXAMPLES {
        let project = example_copy(example);
        let out = project.path().join("out");
        let envs = [("POSTGRES_PASSWORD", SECRET), ("POSTGRES_ADMIN_PASSWORD", SECRET), ("SR_PASSWORD", SECRET)];
        let output = venice(&["build", project.path().to_str().unwrap(), "--out", out.to_str().unwrap()], &envs);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let files = read_tree(&out);
        assert!(files.len() >= 10);
        for (path, text) in &files {
            assert!(!text.contains(SECRET), "{example}/{path} holds the secret");
        }
        let lock = std::fs::read_to_string(project.path().join("venice.lock")).unwrap();
        assert!(!lock.contains(SECRET));
        // The variable is named where the stack needs it, never valued.
        assert!(files["docker-compose.yml"].contains("${POSTGRES_PASSWORD:?"), "{example}");
        assert!(files[".env.example"].contains("\nPOSTGRES_PASSWORD=\n"), "{example}");
    }
}

#[test]
fn a_rebuild_replaces_the_earlier_build_and_a_foreign_folder_is_refused() {
    let project = example_copy("shop");
    let out = project.path().join("out");
    let args = ["build", project.path().to_str().unwrap(), "--out", out.to_str().unwrap()];
    assert_eq!(venice(&args, &[]).status.code(), Some(0));
    // A file the earlier build made and this one does not is removed; the user's .env stays.
    std::fs::write(out.join("ksql/09-stale.sql"), "x").unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    manifest["outputs"].as_array_mut().unwrap().push("ksql/09-stale.sql".into());
    manifest["outputs"].as_array_mut().unwrap().push("../escape.txt".into());
    std::fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(out.join(".env"), "POSTGRES_PASSWORD=x\n").unwrap();
    std::fs::write(project.path().join("escape.txt"), "kept").unwrap();
    assert_eq!(venice(&args, &[]).status.code(), Some(0));
    assert!(!out.join("ksql/09-stale.sql").exists());
    assert!(out.join(".env").exists(), "the user's .env is kept");
    assert!(project.path().join("escape.txt").exists(), "nothing outside the output folder is removed");
    // A folder with other files is refused, and left as it was.
    let foreign = project.path().join("notes");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("todo.txt"), "mine").unwrap();
    let output = venice(&["build", project.path().to_str().unwrap(), "--out", foreign.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds no build of venice"));
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
    // The project folder itself is refused.
    let output = venice(&["build", project.path().to_str().unwrap(), "--out", project.path().to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn registry_payloads_are_what_the_registry_takes() {
    let files = render(&root().join("examples/shop"));
    let config: serde_json::Value = serde_json::from_str(&files["registry/orders-value/config.json"]).unwrap();
    assert_eq!(config, serde_json::json!({"compatibility": "BACKWARD"}));
    let version: serde_json::Value = serde_json::from_str(&files["registry/orders-value/versions.json"]).unwrap();
    assert_eq!(version["schemaType"], "AVRO");
    let schema: serde_json::Value =
        serde_json::from_str(version["schema"].as_str().unwrap()).expect("the schema is JSON text");
    assert_eq!(schema["name"], "com.example.shop.Order");
    assert_eq!(schema["fields"][0]["order"], "ascending");
    // A subject whose schema the connector registers gets its config only.
    let cdc = render(&root().join("examples/cdc"));
    assert!(cdc.contains_key("registry/shop.public.orders-value/config.json"));
    assert!(!cdc.contains_key("registry/shop.public.orders-value/versions.json"));
}

#[test]
#[ignore = "needs the Compose Specification's schema in VENICE_SCHEMAS_DIR (.ci/run sets it)"]
fn the_compose_check_is_not_vacuous() {
    let validator = schemas::validator("compose-spec.json");
    let broken: serde_json::Value = serde_saphyr::from_str(
        "services:\n  a:\n    image: x:1\n    depends_on:\n      b:\n        condition: service_ready\n    healthcheck:\n      retries: many\n",
    )
    .unwrap();
    assert!(!validator.is_valid(&broken), "an unknown condition is refused");
}

#[test]
fn the_lock_is_written_whole_through_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let checked = venice::check::check(&root().join("examples/shop")).unwrap();
    let lock = venice::lock::Lock::from_project(&checked.project, &checked.analysis.avro, &checked.sources);
    lock.write(dir.path()).unwrap();
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["venice.lock"], "no temporary file is left behind");
    assert_eq!(std::fs::read_to_string(dir.path().join("venice.lock")).unwrap(), lock.to_toml());
}

/// A project whose database password is in a file, built.
fn render_file_credentials() -> BTreeMap<String, String> {
    let (dir, _) = file_credentials_project();
    render(dir.path())
}

/// A project whose database password is in a file, and that file's secret.
fn file_credentials_project() -> (tempfile::TempDir, &'static str) {
    const SECRET: &str = "s3cr3t-in-a-file";
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("secrets")).unwrap();
    std::fs::write(dir.path().join("secrets/app-db-password"), format!("{SECRET}\n")).unwrap();
    std::fs::write(
        dir.path().join("venice.kdl"),
        r##"project files
stack {
    kafka brokers=1 mode=kraft
    schema-registry
    connect {
        plugin jdbc
    }
    postgres
}
database app kind=postgres {
    name app
    user app
    password file="secrets/app-db-password"
}
schema Ev avro=#"{"type": "record", "name": "Ev", "fields": [{"name": "id", "type": "string"}]}"#
topic events {
    key string
    value avro schema=Ev
}
producer p topic=events
sink to-db connector=jdbc topic=events {
    database app
    table events
    mode insert
    pk none
    key string
    value avro
}
"##,
    )
    .unwrap();
    (dir, SECRET)
}

#[test]
fn file_credentials_become_compose_secrets_named_after_the_file() {
    let files = render_file_credentials();
    let compose = parse_compose(&files["docker-compose.yml"]);
    assert_starts_in_order(&compose);
    assert_eq!(
        compose["secrets"]["app-db-password"]["file"],
        "${VENICE_SECRETS_DIR:?set VENICE_SECRETS_DIR in .env (see .env.example)}/app-db-password"
    );
    assert_eq!(compose["services"]["connect"]["secrets"], serde_json::json!(["app-db-password"]));
    assert_eq!(compose["services"]["postgres"]["secrets"], serde_json::json!(["app-db-password"]));
    assert!(files["postgres/init.sh"].contains("-v password=\"$(cat /run/secrets/app-db-password)\""));
    assert!(files[".env.example"].contains("\nVENICE_SECRETS_DIR=\n"));
    let config: serde_json::Value = serde_json::from_str(&files["connect/to-db.json"]).unwrap();
    assert_eq!(config["connection.password"], "${dir:/run/secrets:app-db-password}");
    for (path, text) in &files {
        assert!(!text.contains("s3cr3t-in-a-file"), "{path} holds the secret");
    }
}

/// Every project of the diagnostic fixtures that checks without errors builds without a panic,
/// into valid files: the renderers meet many shapes of project there.
#[test]
fn every_error_free_fixture_builds_valid_files() {
    let mut built = 0;
    for (entry, checked) in error_free_fixtures() {
        built += 1;
        let files = venice::build::render(&checked, &entry).files;
        for (path, text) in &files {
            if path.ends_with(".json") {
                serde_json::from_str::<serde_json::Value>(text)
                    .unwrap_or_else(|e| panic!("{}/{path}: {e}", entry.display()));
            }
            if path.starts_with("ksql/") {
                let sql = venice::model::SourceText::from_file(venice::source::FileId(0), text.clone());
                let (_, errors) = venice::ksql::parser::parse(&sql);
                assert!(errors.is_empty(), "{}/{path}: {errors:#?}", entry.display());
            }
        }
        let _ = venice::graph::svg(&venice::graph::Lineage::of(&checked.project, &checked.analysis));
    }
    assert!(built >= 20, "only {built} fixtures build");
}

/// The diagnostic fixtures that check without errors, checked.
fn error_free_fixtures() -> Vec<(PathBuf, venice::check::Checked)> {
    let checked = glob_dirs(&root().join("tests/ui"))
        .into_iter()
        .map(|dir| (venice::check::check(&dir).expect("the fixture is found"), dir));
    checked.filter(|(checked, _)| !checked.has_errors()).map(|(checked, dir)| (dir, checked)).collect()
}

/// The fixture folders (`tests/ui/<CODE>/<case>/`) that hold a venice.kdl.
fn glob_dirs(ui: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for code in std::fs::read_dir(ui).unwrap() {
        let code = code.unwrap().path();
        if !code.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&code).unwrap() {
            let case = case.unwrap().path();
            if case.join("venice.kdl").is_file() {
                dirs.push(case);
            }
        }
    }
    dirs.sort();
    dirs
}

/// The `v1` schema of each Strimzi CRD in tests/data/strimzi, by kind.
fn strimzi_schemas() -> BTreeMap<String, serde_json::Value> {
    let mut schemas = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("tests/data/strimzi")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let crd: serde_json::Value = serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let kind = crd["spec"]["names"]["kind"].as_str().unwrap().to_string();
        let versions = crd["spec"]["versions"].as_array().unwrap();
        let v1 = versions.iter().find(|v| v["name"] == "v1").expect("a v1 version");
        schemas.insert(kind, v1["schema"]["openAPIV3Schema"].clone());
    }
    schemas
}

/// The fields of `value` that `schema` does not declare, by path. Kubernetes drops unknown
/// fields of a structural schema without an error, so a misspelled one would pass the JSON
/// schema and do nothing: this finds them.
fn undeclared_fields(value: &serde_json::Value, schema: &serde_json::Value, at: &str, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(fields) => {
            let Some(declared) = schema.get("properties").and_then(|p| p.as_object()) else { return };
            for (name, inner) in fields {
                match declared.get(name) {
                    Some(inner_schema) => undeclared_fields(inner, inner_schema, &format!("{at}.{name}"), found),
                    None => found.push(format!("{at}.{name}")),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                undeclared_fields(item, &schema["items"], &format!("{at}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// The Strimzi resources of a Kubernetes build, parsed, by path.
fn strimzi_resources(files: &BTreeMap<String, String>) -> Vec<(String, serde_json::Value)> {
    files
        .iter()
        .filter(|(path, _)| path.starts_with("kubernetes/") && !path.ends_with("kustomization.yaml"))
        .map(|(path, text)| (path.clone(), serde_saphyr::from_str(text).expect("a resource is YAML")))
        .collect()
}

/// Every Kubernetes build made here: the examples', the wide stacks' and the file credentials'.
fn every_kubernetes_build() -> Vec<(String, BTreeMap<String, String>)> {
    let mut builds: Vec<_> = EXAMPLES
        .into_iter()
        .map(|e| (format!("examples/{e}"), render_for(&root().join("examples").join(e), Platform::Kubernetes)))
        .collect();
    for (mode, ui) in WIDE_STACKS {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("venice.kdl"), wide_stack(mode, ui)).unwrap();
        builds.push((format!("the wide stack in {mode} mode"), render_for(dir.path(), Platform::Kubernetes)));
    }
    let (dir, _) = file_credentials_project();
    builds.push(("the project with file credentials".into(), render_for(dir.path(), Platform::Kubernetes)));
    let dir = access_project();
    for target in ACCESS_TARGETS {
        builds
            .push((format!("the access project in {target}"), render_target(dir.path(), target, Platform::Kubernetes)));
    }
    for target in ["staging", "prod"] {
        let shop = root().join("examples/shop");
        builds.push((format!("examples/shop in {target}"), render_target(&shop, target, Platform::Kubernetes)));
    }
    builds
}

/// [`render_for`] of the project as `target` sees it.
fn render_target(dir: &Path, target: &str, platform: Platform) -> BTreeMap<String, String> {
    let checked = venice::check::check_view(dir, Some(dir), Some(target)).expect("the project is found");
    assert!(!checked.has_errors(), "{} in {target} has errors: {:#?}", dir.display(), checked.diagnostics);
    venice::build::render_for(&checked, dir, platform).files
}

/// The targets of [`access_project`]: one logs in with SCRAM-SHA-512, one with a client certificate.
const ACCESS_TARGETS: [&str; 2] = ["scram", "mtls"];

/// A project whose actors run as principals, with a quota and a grant of its own, and two targets
/// that log in to Kafka each its way.
fn access_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    std::fs::write(
        dir.path().join("venice.kdl"),
        r##"project access
stack {
    kafka brokers=1 mode=kraft
    connect {
        plugin file
    }
}
topic orders {
    key string
    value json
}
producer web-app topic=orders principal="User:web-app" transactional-id="web-app-tx"
consumer billing topic=orders group=billing principal="User:CN=billing"
sink orders-to-file connector=file topic=orders {
    file "/tmp/orders.txt"
}
acl "User:bi-tool" read describe topic-prefix="ord" doc="BI extracts, outside the pipeline"
quota "User:web-app" produce-rate="5MiB" request-percentage=50
target scram {
    kafka "access-kafka-bootstrap:9092" {
        sasl scram-sha-512 {
            user venice
            password env=KAFKA_PASSWORD
        }
    }
    connect "http://connect:8083" principal="User:connect" group="scram-connect" config-topic="_scram-connect-configs"
}
target mtls {
    kafka "access-kafka-bootstrap:9093" {
        tls {
            cert "client.pem"
            key env=KAFKA_CLIENT_KEY
        }
    }
    connect "http://connect:8083" principal="User:CN=connect"
}
"##,
    )
    .unwrap();
    dir
}

/// A resource of a Kubernetes build, parsed.
fn resource(files: &BTreeMap<String, String>, path: &str) -> serde_json::Value {
    let text = files.get(path).unwrap_or_else(|| panic!("no {path} in {:?}", files.keys()));
    serde_saphyr::from_str(text).unwrap()
}

/// With SCRAM-SHA-512: a KafkaUser per principal with the grants merged per resource and its
/// quotas; the cluster authorizes, authenticates its listener, and takes the deployer as a super
/// user; Connect logs in as the worker's user; the README says the User Operator owns the ACLs.
#[test]
fn kafka_users_carry_the_views_grants_and_quotas() {
    let dir = access_project();
    let files = render_target(dir.path(), "scram", Platform::Kubernetes);
    let web_app = resource(&files, "kubernetes/users/web-app.yaml");
    assert_eq!(web_app["metadata"]["labels"]["strimzi.io/cluster"], "access");
    assert_eq!(web_app["spec"]["authentication"]["type"], "scram-sha-512");
    assert_eq!(
        web_app["spec"]["authorization"],
        serde_json::json!({"type": "simple", "acls": [
            {"type": "allow", "resource": {"type": "topic", "name": "orders", "patternType": "literal"}, "operations": ["Write", "Describe"]},
            {"type": "allow", "resource": {"type": "transactionalId", "name": "web-app-tx", "patternType": "literal"}, "operations": ["Write", "Describe"]},
        ]})
    );
    assert_eq!(web_app["spec"]["quotas"], serde_json::json!({"producerByteRate": 5_242_880, "requestPercentage": 50}));
    let bi_tool = resource(&files, "kubernetes/users/bi-tool.yaml");
    assert_eq!(bi_tool["spec"]["authorization"]["acls"][0]["resource"]["patternType"], "prefix");
    // The worker runs the sink, which has no principal: its group and topic are the worker's.
    let connect_user = resource(&files, "kubernetes/users/connect.yaml");
    let acls = connect_user["spec"]["authorization"]["acls"].as_array().unwrap();
    assert!(acls.iter().any(|a| a["resource"]["name"] == "connect-orders-to-file"), "{acls:#?}");
    // `User:CN=billing` is not a SCRAM user name: no KafkaUser, and the README says why.
    assert!(!files.keys().any(|p| p.contains("billing")), "{:?}", files.keys());
    assert!(files["README.md"].contains("the principal `User:CN=billing` has no KafkaUser"));
    let venice = resource(&files, "kubernetes/users/venice.yaml");
    assert!(venice["spec"].get("authorization").is_none(), "the super user needs no ACLs");
    let kafka = resource(&files, "kubernetes/kafka.yaml");
    assert_eq!(
        kafka["spec"]["kafka"]["authorization"],
        serde_json::json!({"type": "simple", "superUsers": ["venice"]})
    );
    assert_eq!(kafka["spec"]["kafka"]["listeners"][0]["authentication"]["type"], "scram-sha-512");
    assert!(kafka["spec"]["entityOperator"].get("userOperator").is_some());
    let connect = resource(&files, "kubernetes/connect.yaml");
    assert_eq!(connect["spec"]["authentication"]["username"], "connect");
    assert_eq!(connect["spec"]["authentication"]["passwordSecret"]["secretName"], "connect");
    // The worker's group and topics are those its grants are for.
    assert_eq!(
        (&connect["spec"]["groupId"], &connect["spec"]["configStorageTopic"]),
        (&"scram-connect".into(), &"_scram-connect-configs".into())
    );
    assert!(acls.iter().any(|a| a["resource"]["name"] == "scram-connect"), "{acls:#?}");
    let readme = &files["README.md"];
    assert!(readme.contains("deletes the ACLs of every principal that has no KafkaUser"), "{readme}");
    assert!(readme.contains("`venice apply` must not also manage ACLs"), "{readme}");
    // Users come before Connect, which needs its user's Secret.
    let kustomization = &files["kubernetes/kustomization.yaml"];
    assert!(kustomization.find("users/connect.yaml").unwrap() < kustomization.find("connect.yaml\n").unwrap());
}

/// With a client certificate: TLS users named by their certificate's CN, a TLS listener, Connect
/// logging in with its user's certificate and trusting the cluster CA.
#[test]
fn a_target_with_a_client_certificate_gets_tls_users() {
    let dir = access_project();
    let files = render_target(dir.path(), "mtls", Platform::Kubernetes);
    let billing = resource(&files, "kubernetes/users/billing.yaml");
    assert_eq!(billing["spec"]["authentication"]["type"], "tls");
    let kafka = resource(&files, "kubernetes/kafka.yaml");
    let listener = &kafka["spec"]["kafka"]["listeners"][0];
    assert_eq!((listener["tls"].as_bool(), listener["authentication"]["type"].as_str()), (Some(true), Some("tls")));
    assert!(kafka["spec"]["kafka"]["authorization"].get("superUsers").is_none(), "the deployer's subject is unknown");
    assert!(files["README.md"].contains("no super user"), "{}", files["README.md"]);
    let connect = resource(&files, "kubernetes/connect.yaml");
    assert_eq!(connect["spec"]["bootstrapServers"], "access-kafka-bootstrap:9093");
    assert_eq!(connect["spec"]["authentication"]["certificateAndKey"]["secretName"], "connect");
    assert_eq!(connect["spec"]["tls"]["trustedCertificates"][0]["secretName"], "access-cluster-ca-cert");
    // `User:web-app` is no certificate subject.
    assert!(!files.contains_key("kubernetes/users/web-app.yaml"));
    assert!(files["README.md"].contains("the principal `User:web-app` has no KafkaUser"));
}

#[test]
fn every_strimzi_resource_validates_against_its_crd() {
    let schemas = strimzi_schemas();
    let validators: BTreeMap<&String, jsonschema::Validator> = schemas
        .iter()
        .map(|(kind, schema)| (kind, jsonschema::validator_for(schema).expect("the CRD compiles")))
        .collect();
    let mut validated = 0;
    for (from, files) in every_kubernetes_build() {
        assert!(!files.contains_key("docker-compose.yml"), "{from}: no Compose file on Kubernetes");
        for (path, resource) in strimzi_resources(&files) {
            assert_eq!(resource["apiVersion"], "kafka.strimzi.io/v1", "{from}/{path}");
            let kind = resource["kind"].as_str().unwrap().to_string();
            let validator = validators.get(&kind).unwrap_or_else(|| panic!("{from}/{path}: no CRD for {kind}"));
            let errors: Vec<String> =
                validator.iter_errors(&resource).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{from}/{path} is not a valid {kind}: {errors:#?}");
            let mut undeclared = Vec::new();
            undeclared_fields(&resource["spec"], &schemas[&kind]["properties"]["spec"], "spec", &mut undeclared);
            assert!(undeclared.is_empty(), "{from}/{path}: fields the CRD does not declare: {undeclared:?}");
            validated += 1;
        }
    }
    assert!(validated >= 20, "only {validated} resources validated");
}

#[test]
fn the_crd_check_is_not_vacuous() {
    let schemas = strimzi_schemas();
    let topic = jsonschema::validator_for(&schemas["KafkaTopic"]).unwrap();
    let broken = serde_json::json!({"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
        "metadata": {"name": "t"}, "spec": {"partitions": "three"}});
    assert!(!topic.is_valid(&broken), "a partition count that is not a number is refused");
    let mut undeclared = Vec::new();
    let misspelled = serde_json::json!({"partitions": 1, "replica": 1});
    undeclared_fields(&misspelled, &schemas["KafkaTopic"]["properties"]["spec"], "spec", &mut undeclared);
    assert_eq!(undeclared, ["spec.replica"]);
    // KafkaUser v1 takes `operations`, capitalized; the singular `operation` is gone.
    let user = jsonschema::validator_for(&schemas["KafkaUser"]).unwrap();
    let acl = |operations: serde_json::Value| {
        serde_json::json!({"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaUser", "metadata": {"name": "u"},
            "spec": {"authorization": {"type": "simple", "acls": [{"resource": {"type": "topic", "name": "t"}, "operations": operations}]}}})
    };
    assert!(user.is_valid(&acl(serde_json::json!(["Read"]))));
    assert!(!user.is_valid(&acl(serde_json::json!(["read"]))), "operations are capitalized");
    let mut undeclared = Vec::new();
    let singular = serde_json::json!({"authorization": {"type": "simple", "acls": [{"operation": "Read"}]}});
    undeclared_fields(&singular, &schemas["KafkaUser"]["properties"]["spec"], "spec", &mut undeclared);
    assert_eq!(undeclared, ["spec.authorization.acls[0].operation"]);
}

#[test]
fn kubernetes_builds_have_one_topic_and_one_connector_resource_each_listed_by_kustomize() {
    for example in EXAMPLES {
        let dir = root().join("examples").join(example);
        let checked = venice::check::check(&dir).unwrap();
        let files = render_for(&dir, Platform::Kubernetes);
        let resources = strimzi_resources(&files);
        let count = |kind: &str| resources.iter().filter(|(_, r)| r["kind"] == kind).count();
        assert_eq!(count("KafkaTopic"), checked.project.topics.len(), "{example}");
        assert_eq!(count("KafkaConnector"), checked.project.connectors.len(), "{example}");
        assert_eq!((count("Kafka"), count("KafkaNodePool"), count("KafkaConnect")), (1, 1, 1), "{example}");
        let kustomization: serde_json::Value = serde_saphyr::from_str(&files["kubernetes/kustomization.yaml"]).unwrap();
        let listed: Vec<String> = kustomization["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("kubernetes/{}", r.as_str().unwrap()))
            .collect();
        let mut paths: Vec<String> = resources.iter().map(|(p, _)| p.clone()).collect();
        paths.sort();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(sorted, paths, "{example}: kustomize lists every resource");
        assert!(listed[0].ends_with("kafka-node-pool.yaml") && listed[1].ends_with("kafka.yaml"), "{listed:?}");
        // The connectors' configs are the REST bodies of connect/, less what Strimzi takes as fields.
        for (path, connector) in resources.iter().filter(|(_, r)| r["kind"] == "KafkaConnector") {
            let name = connector["metadata"]["name"].as_str().unwrap();
            let rest: serde_json::Value = serde_json::from_str(&files[&format!("connect/{name}.json")]).unwrap();
            assert_eq!(connector["spec"]["class"], rest["connector.class"], "{path}");
            for (key, value) in connector["spec"]["config"].as_object().unwrap() {
                assert_eq!(&rest[key], value, "{path}: {key}");
            }
        }
    }
}

#[test]
fn no_compose_service_downloads_anything_when_it_starts() {
    for (from, yaml) in every_compose_file() {
        let compose = parse_compose(&yaml);
        for (name, service) in compose["services"].as_object().unwrap() {
            let start = format!("{} {}", service["command"], service["entrypoint"]);
            for download in ["curl", "wget", "confluent-hub", "http://", "https://"] {
                assert!(!start.contains(download), "{from}: `{name}` runs {download} when it starts: {start}");
            }
        }
        if let Some(connect) = compose["services"].get("connect") {
            assert_eq!(connect["build"], "./connect", "{from}: Connect is built from its Dockerfile");
        }
    }
}

/// `versions.env`, parsed as the shell reads it: `NAME=value` lines.
fn version_table() -> BTreeMap<String, String> {
    std::fs::read_to_string(root().join("versions.env"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| {
            let (name, value) = l.split_once('=').expect("NAME=value");
            (name.to_string(), value.to_string())
        })
        .collect()
}

#[test]
fn the_stack_script_the_builds_and_the_derived_schemas_read_one_table_of_versions() {
    let table = version_table();
    let script = std::fs::read_to_string(root().join("scripts/stack.sh")).unwrap();
    assert!(script.contains("\n. \"$SCRIPT_DIR/../versions.env\"\n"), "scripts/stack.sh sources versions.env");
    for name in table.keys() {
        assert!(!script.contains(&format!("\n{name}=")), "scripts/stack.sh sets {name} itself");
    }
    for used in ["KAFKA_VERSION", "DEBEZIUM_POSTGRES_VERSION", "DEBEZIUM_JDBC_VERSION", "APICURIO_VERSION"] {
        assert!(script.contains(&format!("${used}")), "scripts/stack.sh uses {used}");
    }
    let pom = std::fs::read_to_string(root().join("scripts/stack/kafka/pom.xml")).unwrap();
    assert!(pom.contains(&format!("<kafka.version>{}</kafka.version>", table["KAFKA_VERSION"])), "the Kafka pom");
    // The builds carry the table's versions and checksums.
    let compose = render_wide_stack("kraft", "akhq");
    let dockerfile = &compose["connect/Dockerfile"];
    assert!(dockerfile.contains(&format!("FROM confluentinc/cp-kafka-connect:{}\n", table["CP_VERSION"])));
    for name in ["DEBEZIUM_POSTGRES_SHA256", "DEBEZIUM_JDBC_SHA256"] {
        assert!(dockerfile.contains(&table[name]), "the Dockerfile checks {name}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("venice.kdl"), wide_stack("kraft", "akhq")).unwrap();
    let connect = &render_for(dir.path(), Platform::Kubernetes)["kubernetes/connect.yaml"];
    for name in ["DEBEZIUM_POSTGRES_SHA512", "DEBEZIUM_JDBC_SHA512", "CONNECT_FILE_SHA512"] {
        assert!(connect.contains(&table[name]), "connect.yaml checks {name}");
    }
    assert!(connect.contains(&format!("version: \"{}\"", table["STRIMZI_KAFKA_VERSION"])));
    // The schemas venice derives follow the Debezium the builds install.
    let derive = std::fs::read_to_string(root().join("src/connect/derive.rs")).unwrap();
    let minor = table["DEBEZIUM_POSTGRES_VERSION"].rsplitn(3, '.').nth(2).unwrap().to_string();
    assert!(derive.contains(&format!("PostgreSQL connector ({minor}")), "derive.rs follows Debezium {minor}");
}

#[test]
fn kubernetes_credentials_come_from_a_secret_never_inline() {
    let (dir, secret) = file_credentials_project();
    let files = render_for(dir.path(), Platform::Kubernetes);
    let connect: serde_json::Value = serde_saphyr::from_str(&files["kubernetes/connect.yaml"]).unwrap();
    let template = &connect["spec"]["template"];
    assert_eq!(template["pod"]["volumes"][0]["secret"]["secretName"], "files-credentials");
    assert_eq!(template["connectContainer"]["volumeMounts"][0]["mountPath"], "/mnt/venice-secrets");
    let connector: serde_json::Value = serde_saphyr::from_str(&files["kubernetes/connectors/to-db.yaml"]).unwrap();
    assert_eq!(connector["spec"]["config"]["connection.password"], "${dir:/mnt/venice-secrets:app-db-password}");
    assert_eq!(connect["spec"]["config"]["config.providers"], "env,dir");
    for (path, text) in &files {
        assert!(!text.contains(secret), "{path} holds the secret");
    }
    let cdc = render_for(&root().join("examples/cdc"), Platform::Kubernetes);
    let connect: serde_json::Value = serde_saphyr::from_str(&cdc["kubernetes/connect.yaml"]).unwrap();
    assert_eq!(
        connect["spec"]["template"]["connectContainer"]["env"][0],
        serde_json::json!({"name": "POSTGRES_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "cdc-credentials", "key": "POSTGRES_PASSWORD"}}})
    );
}

/// `venice build --target prod` of the shop: the topics and the sink's config take prod's values
/// (partitions, replication, configs, `tasks.max`, the database's host and name).
#[test]
fn a_target_build_takes_the_targets_values() {
    let dir = root().join("examples/shop");
    let checked = venice::check::check_view(&dir, Some(&root()), Some("prod")).expect("the project is found");
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    let files = venice::build::render_for(&checked, &dir, Platform::Compose).files;
    insta::assert_snapshot!("shop_prod_topics", files["topics.json"]);
    insta::assert_snapshot!("shop_prod_sink", files["connect/platinum-to-postgres.json"]);
    let declared = render(&dir);
    assert_ne!(declared["topics.json"], files["topics.json"]);
}
