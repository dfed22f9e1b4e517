//! `docker-compose.yml`, `.env.example` and `postgres/init.sh`: the local stack of `stack { }`.
//!
//! Every service has a healthcheck and every dependency waits for `service_healthy`, so
//! `docker compose up --wait` starts the stack in order without wait scripts. Ports are published
//! on 127.0.0.1 only, data lives in named volumes, and secrets are `${VAR:?...}` references that
//! Compose fills from `.env` (never values). The YAML is serialized from typed values with
//! `serde-saphyr`, which quotes what YAML 1.1 would misread (`yes`, `22:22`).
//!
//! Images are pinned to one Confluent Platform release of the 7.x line, which runs both KRaft
//! and ZooKeeper (8.0 dropped ZooKeeper).

use super::names::{env_var_ok, file_name, shell_word};
use super::versions::get;
use crate::model::{Credential, Database, KafkaMode, Project, Stack};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The Confluent Platform release every `confluentinc/cp-*` image is pinned to (`versions.env`).
pub use super::versions::cp_version;
/// Where the Connect image keeps the FileStream connectors, which Confluent Platform moved out of
/// Kafka Connect in 6.2.1 (Confluent's "Kafka Connect FileStream Connectors": add it to
/// `plugin.path`).
const FILESTREAM_PATH: &str = "/usr/share/filestream-connectors";

/// The superuser password of the stack's PostgreSQL (the `postgres` role).
pub(crate) const POSTGRES_ADMIN_VAR: &str = "POSTGRES_ADMIN_PASSWORD";

#[derive(Serialize)]
struct ComposeFile {
    name: String,
    services: BTreeMap<String, Service>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    volumes: BTreeMap<String, Empty>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    secrets: BTreeMap<String, SecretFile>,
}

/// A Compose secret read from a file; services see it at `/run/secrets/<name>`.
#[derive(Serialize)]
struct SecretFile {
    file: String,
}

/// The variable that names the folder holding the files of `file=` credentials.
pub(crate) const SECRETS_DIR_VAR: &str = "VENICE_SECRETS_DIR";

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize, Default)]
struct Service {
    image: String,
    /// The folder holding the Dockerfile that builds `image` (the Connect worker's).
    #[serde(skip_serializing_if = "Option::is_none")]
    build: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entrypoint: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tty: Option<bool>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    environment: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    volumes: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    depends_on: BTreeMap<String, Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<String>,
    healthcheck: Healthcheck,
    restart: &'static str,
}

#[derive(Serialize)]
struct Dependency {
    condition: &'static str,
}

#[derive(Serialize, Default)]
struct Healthcheck {
    test: Vec<String>,
    interval: &'static str,
    timeout: &'static str,
    retries: u32,
    start_period: &'static str,
}

impl Healthcheck {
    fn shell(command: &str, start_period: &'static str) -> Self {
        Healthcheck {
            test: vec!["CMD-SHELL".into(), command.into()],
            interval: "10s",
            timeout: "10s",
            retries: 30,
            start_period,
        }
    }
}

/// What the stack's files need to know besides the YAML: the variables of `.env.example`.
#[derive(Debug, Default)]
pub(crate) struct StackInfo {
    /// Each variable the stack reads from `.env`, with what it is for.
    pub(crate) variables: BTreeMap<String, String>,
    /// The Compose service names, sorted.
    pub(crate) services: Vec<String>,
    /// The Kafka service names.
    pub(crate) brokers: Vec<String>,
    /// Things the build could not wire into the stack, for the build README.
    pub(crate) notes: Vec<String>,
}

/// The rendered stack files.
pub(crate) struct StackFiles {
    pub(crate) compose: String,
    pub(crate) env_example: String,
    pub(crate) postgres_init: Option<String>,
    /// `connect/Dockerfile`, when the stack runs Connect.
    pub(crate) connect_dockerfile: Option<String>,
    pub(crate) info: StackInfo,
}

/// A broker's service name.
pub(crate) fn broker_name(i: u32) -> String {
    format!("kafka-{i}")
}

/// The brokers' internal bootstrap list (`kafka-1:29092,...`).
pub(crate) fn bootstrap(brokers: u32) -> String {
    (1..=brokers).map(|i| format!("{}:29092", broker_name(i))).collect::<Vec<_>>().join(",")
}

/// The broker count of the stack (1 when `kafka` is not declared: the stack still needs one).
pub(crate) fn broker_count(stack: &Stack) -> u32 {
    stack.kafka.as_ref().map_or(1, |k| k.brokers.value.clamp(1, 9))
}

/// The replication factor of internal topics: the brokers, at most 3.
fn internal_replication(brokers: u32) -> String {
    brokers.min(3).to_string()
}

fn healthy(names: impl IntoIterator<Item = String>) -> BTreeMap<String, Dependency> {
    names.into_iter().map(|n| (n, Dependency { condition: "service_healthy" })).collect()
}

fn cp_image(name: &str) -> String {
    format!("confluentinc/{name}:{}", cp_version())
}

/// A `${VAR:?...}` reference: Compose refuses to start when the variable is unset or empty.
fn secret_ref(var: &str) -> String {
    format!("${{{var}:?set {var} in .env (see .env.example)}}")
}

/// A KRaft cluster id: 16 bytes, URL-safe base64 without padding (22 characters), derived from
/// the project's name so that the same project gives the same file.
fn cluster_id(project: &Project) -> String {
    let name = project.name.as_ref().map_or("venice", |n| n.value.as_str());
    let a = crate::avro::rabin(format!("venice-cluster-a:{name}").as_bytes());
    let b = crate::avro::rabin(format!("venice-cluster-b:{name}").as_bytes());
    let mut bytes = Vec::with_capacity(16);
    bytes.extend_from_slice(&a.to_be_bytes());
    bytes.extend_from_slice(&b.to_be_bytes());
    base64_url(&bytes)
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The databases the stack's PostgreSQL holds: those without `host`, or with the host `postgres`.
pub(crate) fn stack_databases(project: &Project) -> Vec<&Database> {
    project.databases.iter().filter(|d| d.host.as_ref().is_none_or(|h| h.value == "postgres")).collect()
}

/// Renders the stack, or `None` when the project declares no `stack`.
pub(crate) fn render(project: &Project) -> Option<StackFiles> {
    let stack = project.stack.as_ref()?;
    let mut b = StackBuilder::new(project, stack);
    let mode = stack.kafka.as_ref().map_or(KafkaMode::Kraft, |k| k.mode.value);
    if mode == KafkaMode::Zookeeper {
        b.zookeeper();
    }
    let cluster_id = cluster_id(project);
    for i in 1..=b.brokers {
        b.kafka(i, mode, &cluster_id);
    }
    if b.registry {
        b.schema_registry();
    }
    if stack.postgres.is_some() {
        b.postgres();
    }
    if let Some(connect) = &stack.connect {
        b.connect(&connect.plugins.iter().map(|p| p.value.as_str()).collect());
    }
    if stack.ksqldb.is_some() {
        b.ksqldb();
    }
    if let Some(ui) = &stack.ui {
        b.ui(&ui.value);
    }
    Some(b.finish())
}

/// The stack on its way to its files: each service's method adds the service, its volumes and
/// secrets, and what `.env.example` and the build README must say.
struct StackBuilder<'p> {
    project: &'p Project,
    stack: &'p Stack,
    brokers: u32,
    broker_names: Vec<String>,
    /// The brokers' internal bootstrap list.
    bootstrap: String,
    /// Whether the stack runs a Schema Registry.
    registry: bool,
    /// The databases the stack's PostgreSQL holds.
    databases: Vec<&'p Database>,
    info: StackInfo,
    services: BTreeMap<String, Service>,
    volumes: BTreeMap<String, Empty>,
    /// The Compose secrets of `file=` credentials, which the services that need them mount.
    secrets: BTreeSet<String>,
    connect_dockerfile: Option<String>,
}

impl<'p> StackBuilder<'p> {
    fn new(project: &'p Project, stack: &'p Stack) -> Self {
        let brokers = broker_count(stack);
        let broker_names: Vec<String> = (1..=brokers).map(broker_name).collect();
        StackBuilder {
            project,
            stack,
            brokers,
            info: StackInfo { brokers: broker_names.clone(), ..StackInfo::default() },
            broker_names,
            bootstrap: bootstrap(brokers),
            registry: stack.schema_registry.is_some(),
            databases: stack_databases(project),
            services: BTreeMap::new(),
            volumes: BTreeMap::new(),
            secrets: BTreeSet::new(),
            connect_dockerfile: None,
        }
    }

    /// The services a client of Kafka waits for: the brokers, and the registry if there is one.
    fn brokers_and_registry(&self) -> Vec<String> {
        let mut names = self.broker_names.clone();
        if self.registry {
            names.push("schema-registry".into());
        }
        names
    }

    fn zookeeper(&mut self) {
        self.volumes.insert("zookeeper-data".into(), Empty {});
        self.volumes.insert("zookeeper-log".into(), Empty {});
        let mut environment = BTreeMap::new();
        environment.insert("ZOOKEEPER_CLIENT_PORT".into(), "2181".into());
        environment.insert("ZOOKEEPER_TICK_TIME".into(), "2000".into());
        // The healthcheck asks `srvr`, a four-letter word ZooKeeper answers only when allowed.
        environment.insert("KAFKA_OPTS".into(), "-Dzookeeper.4lw.commands.whitelist=srvr,ruok".into());
        self.services.insert(
            "zookeeper".into(),
            Service {
                image: cp_image("cp-zookeeper"),
                hostname: Some("zookeeper".into()),
                environment,
                volumes: vec![
                    "zookeeper-data:/var/lib/zookeeper/data".into(),
                    "zookeeper-log:/var/lib/zookeeper/log".into(),
                ],
                healthcheck: Healthcheck::shell("echo srvr | nc -w 2 localhost 2181 | grep -q Mode", "10s"),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
    }

    /// The broker `i` (from 1).
    fn kafka(&mut self, i: u32, mode: KafkaMode, cluster_id: &str) {
        let name = broker_name(i);
        let host_port = 9091 + i;
        let volume = format!("{name}-data");
        self.volumes.insert(volume.clone(), Empty {});
        self.services.insert(
            name.clone(),
            Service {
                image: cp_image("cp-kafka"),
                hostname: Some(name.clone()),
                environment: kafka_environment(i, self.brokers, mode, cluster_id),
                ports: vec![format!("127.0.0.1:{host_port}:9092")],
                volumes: vec![format!("{volume}:/var/lib/kafka/data")],
                // KRaft brokers form their quorum together, so none waits for another.
                depends_on: if mode == KafkaMode::Zookeeper {
                    healthy(["zookeeper".to_string()])
                } else {
                    BTreeMap::new()
                },
                healthcheck: Healthcheck::shell(
                    &format!("kafka-broker-api-versions --bootstrap-server {name}:29092 > /dev/null"),
                    "30s",
                ),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
    }

    fn schema_registry(&mut self) {
        let mut environment = BTreeMap::new();
        environment.insert("SCHEMA_REGISTRY_HOST_NAME".into(), "schema-registry".into());
        environment.insert("SCHEMA_REGISTRY_LISTENERS".into(), "http://0.0.0.0:8081".into());
        environment.insert(
            "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS".into(),
            format!("PLAINTEXT://{}", self.bootstrap.replace(',', ",PLAINTEXT://")),
        );
        environment
            .insert("SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR".into(), internal_replication(self.brokers));
        self.services.insert(
            "schema-registry".into(),
            Service {
                image: cp_image("cp-schema-registry"),
                hostname: Some("schema-registry".into()),
                environment,
                ports: vec!["127.0.0.1:8081:8081".into()],
                depends_on: healthy(self.broker_names.clone()),
                healthcheck: Healthcheck::shell("curl -fsS http://localhost:8081/subjects > /dev/null", "20s"),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
    }

    fn postgres(&mut self) {
        self.volumes.insert("postgres-data".into(), Empty {});
        let mut environment = BTreeMap::new();
        environment.insert("POSTGRES_PASSWORD".into(), secret_ref(POSTGRES_ADMIN_VAR));
        self.info
            .variables
            .insert(POSTGRES_ADMIN_VAR.into(), "the password of the stack's PostgreSQL superuser `postgres`".into());
        for var in database_vars(&self.databases, &mut self.info.notes) {
            environment.insert(format!("VENICE_SECRET_{var}"), secret_ref(&var));
            self.info.variables.insert(var, "a database credential of venice.kdl".into());
        }
        let postgres_secrets: Vec<String> = database_secrets(&self.databases).into_iter().collect();
        self.secrets.extend(postgres_secrets.iter().cloned());
        // Debezium reads the write-ahead log through logical decoding (pgoutput).
        let logical = self.project.connectors.iter().any(
            |c| matches!(&c.kind, Some(crate::model::ConnectorKind::Catalog(k)) if k.value == "debezium-postgres"),
        );
        let command = logical.then(|| {
            ["postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=10", "-c", "max_wal_senders=10"]
                .map(String::from)
                .to_vec()
        });
        self.services.insert(
            "postgres".into(),
            Service {
                image: super::versions::get("POSTGRES_IMAGE").into(),
                hostname: Some("postgres".into()),
                command,
                environment,
                ports: vec!["127.0.0.1:5432:5432".into()],
                volumes: vec![
                    "postgres-data:/var/lib/postgresql/data".into(),
                    "./postgres:/docker-entrypoint-initdb.d:ro".into(),
                ],
                secrets: postgres_secrets,
                // Over TCP: while the image runs init.sh, its server listens on the socket only,
                // so the stack is healthy once the databases exist.
                healthcheck: Healthcheck::shell("pg_isready -h 127.0.0.1 -U postgres -d postgres", "10s"),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
    }

    /// The Connect worker, built from `connect/Dockerfile` with `plugins` in its image.
    fn connect(&mut self, plugins: &BTreeSet<&str>) {
        let plugin_path = plugin_path(plugins, &mut self.info.notes);
        let dockerfile = super::dockerfile::render(plugins);
        let mut env = connect_environment(&self.project.stack_name(), &self.bootstrap, self.brokers, &plugin_path);
        let connector_databases: Vec<&Database> = self
            .project
            .connectors
            .iter()
            .filter_map(|c| c.database.as_ref())
            .filter_map(|d| self.project.database(&d.value))
            .collect();
        for var in database_vars(&connector_databases, &mut self.info.notes) {
            env.insert(var.clone(), secret_ref(&var));
            self.info.variables.insert(var, "a database credential of venice.kdl".into());
        }
        let connect_secrets: Vec<String> = database_secrets(&connector_databases).into_iter().collect();
        self.secrets.extend(connect_secrets.iter().cloned());
        let mut after = self.brokers_and_registry();
        if self.stack.postgres.is_some()
            && connector_databases.iter().any(|d| self.databases.iter().any(|s| std::ptr::eq(*s, *d)))
        {
            after.push("postgres".into());
        }
        // The image's tag names its Dockerfile: a changed Dockerfile is a missing image, which
        // `docker compose up` builds, where a fixed tag would keep running the old one.
        let tag = format!("{}-{:016x}", cp_version(), crate::avro::rabin(dockerfile.as_bytes()));
        self.connect_dockerfile = Some(dockerfile);
        self.services.insert(
            "connect".into(),
            Service {
                image: format!("{}-connect:{tag}", self.project.stack_name()),
                build: Some("./connect".into()),
                hostname: Some("connect".into()),
                environment: env,
                ports: vec!["127.0.0.1:8083:8083".into()],
                depends_on: healthy(after),
                secrets: connect_secrets,
                // The worker scans its plugins on start.
                healthcheck: Healthcheck::shell("curl -fsS http://localhost:8083/connectors > /dev/null", "60s"),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
    }

    /// The ksqlDB server, and a CLI container to `docker compose exec` into.
    fn ksqldb(&mut self) {
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        let replication = internal_replication(self.brokers);
        env.insert("KSQL_BOOTSTRAP_SERVERS".into(), self.bootstrap.clone());
        env.insert("KSQL_LISTENERS".into(), "http://0.0.0.0:8088".into());
        env.insert("KSQL_KSQL_SERVICE_ID".into(), self.project.stack_ksql_service_id());
        env.insert("KSQL_KSQL_INTERNAL_TOPIC_REPLICAS".into(), replication.clone());
        env.insert("KSQL_KSQL_STREAMS_REPLICATION_FACTOR".into(), replication.clone());
        env.insert("KSQL_KSQL_LOGGING_PROCESSING_TOPIC_REPLICATION_FACTOR".into(), replication);
        env.insert("KSQL_KSQL_LOGGING_PROCESSING_TOPIC_AUTO_CREATE".into(), "true".into());
        // Queries start from the beginning of their topics: a pipeline processes every record.
        env.insert("KSQL_KSQL_STREAMS_AUTO_OFFSET_RESET".into(), "earliest".into());
        env.insert("KSQL_KSQL_LOGGING_PROCESSING_STREAM_AUTO_CREATE".into(), "true".into());
        if self.registry {
            env.insert("KSQL_KSQL_SCHEMA_REGISTRY_URL".into(), "http://schema-registry:8081".into());
        }
        self.services.insert(
            "ksqldb-server".into(),
            Service {
                image: cp_image("cp-ksqldb-server"),
                hostname: Some("ksqldb-server".into()),
                environment: env,
                ports: vec!["127.0.0.1:8088:8088".into()],
                depends_on: healthy(self.brokers_and_registry()),
                healthcheck: Healthcheck::shell("curl -fsS http://localhost:8088/healthcheck > /dev/null", "30s"),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
        self.services.insert(
            "ksqldb-cli".into(),
            Service {
                image: cp_image("cp-ksqldb-cli"),
                hostname: Some("ksqldb-cli".into()),
                // The CLI is run with `docker compose exec`; the container only waits.
                entrypoint: Some(vec!["/bin/sh".into()]),
                tty: Some(true),
                volumes: vec!["./ksql:/venice/ksql:ro".into()],
                depends_on: healthy(["ksqldb-server".to_string()]),
                healthcheck: Healthcheck::shell("command -v ksql > /dev/null", "5s"),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
    }

    /// The web UI `ui` (`akhq`, `kafka-ui`, else Kafdrop), pointed at the stack's services.
    fn ui(&mut self, ui: &str) {
        let (image, port, check) = match ui {
            "akhq" => (get("AKHQ_IMAGE"), 8080, "curl -fsS http://localhost:28081/health > /dev/null"),
            "kafka-ui" => (get("KAFKA_UI_IMAGE"), 8080, "wget -q -O /dev/null http://localhost:8080/actuator/health"),
            _ => (get("KAFDROP_IMAGE"), 9000, "curl -fsS http://localhost:9000/actuator/health > /dev/null"),
        };
        self.services.insert(
            "ui".into(),
            Service {
                image: image.into(),
                hostname: Some("ui".into()),
                environment: self.ui_environment(ui),
                ports: vec![format!("127.0.0.1:{port}:{port}")],
                depends_on: healthy(self.brokers_and_registry()),
                healthcheck: Healthcheck::shell(check, "30s"),
                restart: "unless-stopped",
                ..Service::default()
            },
        );
    }

    /// The configuration of the UI `ui`: the cluster, its registry and its Connect worker.
    fn ui_environment(&self, ui: &str) -> BTreeMap<String, String> {
        let bootstrap = &self.bootstrap;
        let connect = self.stack.connect.is_some();
        let mut env = BTreeMap::new();
        match ui {
            "akhq" => {
                let mut config = format!(
                    "akhq:\n  connections:\n    {}:\n      properties:\n        bootstrap.servers: \"{bootstrap}\"\n",
                    self.project.stack_name()
                );
                if self.registry {
                    config.push_str("      schema-registry:\n        url: \"http://schema-registry:8081\"\n");
                }
                if connect {
                    config
                        .push_str("      connect:\n        - name: connect\n          url: \"http://connect:8083\"\n");
                }
                env.insert("AKHQ_CONFIGURATION".into(), config);
            }
            "kafka-ui" => {
                env.insert("KAFKA_CLUSTERS_0_NAME".into(), self.project.stack_name());
                env.insert("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS".into(), bootstrap.clone());
                if self.registry {
                    env.insert("KAFKA_CLUSTERS_0_SCHEMAREGISTRY".into(), "http://schema-registry:8081".into());
                }
                if connect {
                    env.insert("KAFKA_CLUSTERS_0_KAFKACONNECT_0_NAME".into(), "connect".into());
                    env.insert("KAFKA_CLUSTERS_0_KAFKACONNECT_0_ADDRESS".into(), "http://connect:8083".into());
                }
            }
            _ => {
                env.insert("KAFKA_BROKERCONNECT".into(), bootstrap.clone());
                if self.registry {
                    env.insert("SCHEMAREGISTRY_CONNECT".into(), "http://schema-registry:8081".into());
                    env.insert("CMD_ARGS".into(), "--message.format=AVRO".into());
                }
            }
        }
        env
    }

    /// The stack's files: the Compose file with its volumes and secrets, `.env.example` and
    /// PostgreSQL's init script.
    fn finish(mut self) -> StackFiles {
        self.info.services = self.services.keys().cloned().collect();
        if !self.secrets.is_empty() {
            self.info.variables.insert(
                SECRETS_DIR_VAR.into(),
                "the folder holding the files that `file=` credentials name (absolute, or relative to this folder)"
                    .into(),
            );
        }
        let secrets = self
            .secrets
            .into_iter()
            .map(|name| {
                let file = format!("${{{SECRETS_DIR_VAR}:?set {SECRETS_DIR_VAR} in .env (see .env.example)}}/{name}");
                (name, SecretFile { file })
            })
            .collect();
        let file =
            ComposeFile { name: self.project.stack_name(), services: self.services, volumes: self.volumes, secrets };
        let compose = compose_yaml(&file);
        let postgres_init =
            self.stack.postgres.is_some().then(|| postgres_init(self.project, &self.databases, &mut self.info.notes));
        let env_example = env_example(&self.info);
        StackFiles { compose, env_example, postgres_init, connect_dockerfile: self.connect_dockerfile, info: self.info }
    }
}

/// The Compose file's text, under a header that says where it comes from.
fn compose_yaml(file: &ComposeFile) -> String {
    // Long one-line values (a command, a `${VAR:?...}`) stay on one line rather than folded.
    let options = serde_saphyr::ser_options! { folded_wrap_chars: 1000 };
    let yaml = serde_saphyr::to_string_with_options(file, options).expect("the Compose file serializes");
    let mut compose = String::new();
    compose.push_str("# Generated by `venice build`: the local stack of venice.kdl. Do not edit; rebuild.\n");
    compose.push_str(&format!(
        "# Images: Confluent Platform {}; Connect is built from connect/Dockerfile. Start: docker compose up -d --wait\n",
        cp_version()
    ));
    compose.push_str(&yaml);
    compose
}

/// The environment of the broker `i` of `brokers`.
fn kafka_environment(i: u32, brokers: u32, mode: KafkaMode, cluster_id: &str) -> BTreeMap<String, String> {
    let name = broker_name(i);
    let host_port = 9091 + i;
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    match mode {
        KafkaMode::Kraft => {
            set("CLUSTER_ID", cluster_id.to_string());
            set("KAFKA_NODE_ID", i.to_string());
            set("KAFKA_PROCESS_ROLES", "broker,controller".into());
            let voters: Vec<String> = (1..=brokers).map(|j| format!("{j}@{}:29093", broker_name(j))).collect();
            set("KAFKA_CONTROLLER_QUORUM_VOTERS", voters.join(","));
            set("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER".into());
            set("KAFKA_LISTENERS", format!("PLAINTEXT://{name}:29092,CONTROLLER://{name}:29093,HOST://0.0.0.0:9092"));
            set(
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT".into(),
            );
        }
        KafkaMode::Zookeeper => {
            set("KAFKA_BROKER_ID", i.to_string());
            set("KAFKA_ZOOKEEPER_CONNECT", "zookeeper:2181".into());
            set("KAFKA_LISTENERS", format!("PLAINTEXT://{name}:29092,HOST://0.0.0.0:9092"));
            set("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT".into());
        }
    }
    set("KAFKA_ADVERTISED_LISTENERS", format!("PLAINTEXT://{name}:29092,HOST://localhost:{host_port}"));
    set("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT".into());
    set("KAFKA_LOG_DIRS", "/var/lib/kafka/data".into());
    // Topics come from topics.json (or the tools that create their own), never by accident.
    set("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false".into());
    // The talk's default retention is forever; a topic's own `retention` overrides it.
    set("KAFKA_LOG_RETENTION_MS", "-1".into());
    set("KAFKA_DEFAULT_REPLICATION_FACTOR", internal_replication(brokers));
    set("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", internal_replication(brokers));
    set("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", internal_replication(brokers));
    set("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", brokers.min(2).to_string());
    set("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0".into());
    env
}

/// The Connect worker's plugin path for `plugins` (the Dockerfile installs them into the
/// components folder). A plugin this venice does not know goes to `notes`.
fn plugin_path(plugins: &BTreeSet<&str>, notes: &mut Vec<String>) -> Vec<String> {
    let mut path = vec!["/usr/share/java".to_string(), super::dockerfile::COMPONENTS.to_string()];
    for plugin in plugins {
        match *plugin {
            "jdbc" | "debezium-postgres" | "debezium-jdbc" => {}
            "file" => path.push(FILESTREAM_PATH.into()),
            other => {
                notes.push(format!("the Connect plugin `{other}` is not known to this venice; install it by hand"))
            }
        }
    }
    path
}

/// The Connect worker's environment: its cluster, internal topics (named after the project
/// `name`), default converters and config providers.
fn connect_environment(name: &str, bootstrap: &str, brokers: u32, plugin_path: &[String]) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    set("CONNECT_BOOTSTRAP_SERVERS", bootstrap.to_string());
    set("CONNECT_REST_ADVERTISED_HOST_NAME", "connect".into());
    set("CONNECT_REST_PORT", "8083".into());
    set("CONNECT_GROUP_ID", format!("{name}-connect"));
    set("CONNECT_CONFIG_STORAGE_TOPIC", format!("_{name}-connect-configs"));
    set("CONNECT_OFFSET_STORAGE_TOPIC", format!("_{name}-connect-offsets"));
    set("CONNECT_STATUS_STORAGE_TOPIC", format!("_{name}-connect-status"));
    set("CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR", internal_replication(brokers));
    set("CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR", internal_replication(brokers));
    set("CONNECT_STATUS_STORAGE_REPLICATION_FACTOR", internal_replication(brokers));
    // Each connector config names its own converters; these are only the worker's defaults.
    set("CONNECT_KEY_CONVERTER", "org.apache.kafka.connect.storage.StringConverter".into());
    set("CONNECT_VALUE_CONVERTER", "org.apache.kafka.connect.json.JsonConverter".into());
    set("CONNECT_PLUGIN_PATH", plugin_path.join(","));
    // Secrets in connector configs are `${env:VAR}` (KIP-887) or `${dir:DIR:FILE}` (KIP-632).
    set("CONNECT_CONFIG_PROVIDERS", "env,dir".into());
    set("CONNECT_CONFIG_PROVIDERS_ENV_CLASS", "org.apache.kafka.common.config.provider.EnvVarConfigProvider".into());
    set("CONNECT_CONFIG_PROVIDERS_DIR_CLASS", "org.apache.kafka.common.config.provider.DirectoryConfigProvider".into());
    // A restarted worker gets its tasks back at once, not after five minutes.
    set("CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS", "0".into());
    env
}

/// The environment variables of the databases' credentials, sorted and deduplicated. A
/// variable name that a shell could not use is left out, with a note.
fn database_vars(databases: &[&Database], notes: &mut Vec<String>) -> BTreeSet<String> {
    let mut vars = BTreeSet::new();
    for database in databases {
        for credential in [&database.user, &database.password].into_iter().flatten() {
            match credential {
                Credential::Env(var) if env_var_ok(&var.value) => {
                    vars.insert(var.value.clone());
                }
                Credential::Env(var) => {
                    notes.push(format!("the variable `{}` is not a valid environment variable name", var.value))
                }
                Credential::File(_) | Credential::Literal(_) => {}
            }
        }
    }
    vars
}

/// The Compose secret of a `file=` credential: named after the file, as the connector configs
/// refer to it (`${dir:/run/secrets:FILE}`, `crate::connect`).
fn secret_name(path: &std::path::Path) -> String {
    file_name(&path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default())
}

/// The Compose secrets of the databases' `file=` credentials, sorted.
fn database_secrets(databases: &[&Database]) -> BTreeSet<String> {
    databases
        .iter()
        .flat_map(|d| [&d.user, &d.password])
        .filter_map(|c| match c {
            Some(Credential::File(path)) => Some(secret_name(&path.value)),
            _ => None,
        })
        .collect()
}

/// `.env.example`: every variable the stack reads, empty, with what it is for.
fn env_example(info: &StackInfo) -> String {
    let mut out = String::from(
        "# The variables the stack reads. Copy this file to .env (beside docker-compose.yml) and set\n\
         # every value; Compose refuses to start while one is empty. Never commit .env.\n",
    );
    for (var, what) in &info.variables {
        out.push_str(&format!("\n# {what}\n{var}=\n"));
    }
    out
}

/// A PostgreSQL identifier, double-quoted.
fn pg_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `postgres/init.sh`: run once by the PostgreSQL image on an empty data folder. Creates each
/// role and database the project names, then the tables its sources capture (from their `ddl=`),
/// as the database's user so that it owns them. Passwords come from the container's environment
/// or its Compose secrets (`file=`), through psql variables, never from this file. Roles get `REPLICATION`, which Debezium's
/// logical decoding needs; this is a local development stack.
fn postgres_init(project: &Project, databases: &[&Database], notes: &mut Vec<String>) -> String {
    let mut out = String::from(
        "#!/bin/bash\n# Generated by `venice build`: the roles, databases and captured tables of venice.kdl.\n\
         # The PostgreSQL image runs it once, when its data volume is empty.\nset -euo pipefail\n",
    );
    let user_of = |database: &Database| match &database.user {
        Some(Credential::Literal(user)) => Some(user.value.clone()),
        _ => None,
    };
    // Each role once, with the password variable of the first database that names it.
    let mut roles: BTreeMap<String, Option<String>> = BTreeMap::new();
    for database in databases {
        if matches!(database.user, Some(Credential::Env(_)) | Some(Credential::File(_))) {
            notes.push(format!(
                "database `{}` takes its user name from the environment or a file: the stack creates no role for it",
                database.name.value
            ));
        }
        let Some(user) = user_of(database) else { continue };
        let password = match &database.password {
            Some(Credential::Env(var)) if env_var_ok(&var.value) => Some(format!("\"$VENICE_SECRET_{}\"", var.value)),
            Some(Credential::File(path)) => Some(format!("\"$(cat /run/secrets/{})\"", secret_name(&path.value))),
            _ => None,
        };
        roles.entry(user).or_insert(password);
    }
    for (role, password) in &roles {
        out.push_str(&format!("\n# role `{role}`\n"));
        match password {
            Some(value) => out.push_str(&format!(
                "psql -v ON_ERROR_STOP=1 -U postgres -d postgres -v password={value} <<'SQL'\n\
                 CREATE ROLE {} LOGIN REPLICATION PASSWORD :'password';\nSQL\n",
                pg_ident(role)
            )),
            None => out.push_str(&format!(
                "psql -v ON_ERROR_STOP=1 -U postgres -d postgres <<'SQL'\nCREATE ROLE {} LOGIN REPLICATION;\nSQL\n",
                pg_ident(role)
            )),
        }
    }
    let mut created = BTreeSet::new();
    for database in databases {
        let db_name = database.db_name.as_ref().map_or(&database.name.value, |n| &n.value);
        let user = user_of(database);
        if created.insert(db_name.clone()) {
            let owner = user.as_ref().map(|o| format!(" OWNER {}", pg_ident(o))).unwrap_or_default();
            out.push_str(&format!(
                "\n# database `{}`\npsql -v ON_ERROR_STOP=1 -U postgres -d postgres <<'SQL'\nCREATE DATABASE {}{owner};\nSQL\n",
                database.name.value,
                pg_ident(db_name)
            ));
        }
        for (path, _) in ddl_files_of(project, database) {
            let who = user.as_deref().unwrap_or("postgres");
            out.push_str(&format!(
                "psql -v ON_ERROR_STOP=1 -U {} -d {} -f /docker-entrypoint-initdb.d/{path}\n",
                shell_word(who),
                shell_word(db_name)
            ));
        }
    }
    out
}

/// The DDL files of the tables captured from one database: (path under `postgres/`, text).
fn ddl_files_of(project: &Project, database: &Database) -> Vec<(String, String)> {
    let db_name = database.db_name.as_ref().map_or(&database.name.value, |n| &n.value);
    let mut files = Vec::new();
    let from_here =
        project.connectors.iter().filter(|c| c.database.as_ref().is_some_and(|d| d.value == database.name.value));
    for connector in from_here {
        for table in &connector.tables {
            if let Some(ddl) = &table.ddl {
                files.push((
                    format!("ddl/{}/{}.sql", file_name(db_name), file_name(&table.table.value)),
                    ddl.text.clone(),
                ));
            }
        }
    }
    files
}

/// The DDL files of captured tables, beside init.sh: (path under `postgres/`, text), each once.
pub(crate) fn ddl_files(project: &Project) -> Vec<(String, String)> {
    let mut files = BTreeMap::new();
    for database in stack_databases(project) {
        for (path, text) in ddl_files_of(project, database) {
            files.entry(path).or_insert(text);
        }
    }
    files.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_sixteen_bytes_is_twenty_two_characters() {
        assert_eq!(base64_url(b"hello"), "aGVsbG8");
        assert_eq!(base64_url(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64_url(&[0u8; 16]).len(), 22);
    }
}
