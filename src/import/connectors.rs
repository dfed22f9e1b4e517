//! A deployed connector as a `source` or `sink` node: onto the connector catalog when its class
//! is one the catalog knows (`connect::catalog`), else `class=` with its settings. Secrets are
//! never written: a database password becomes `password env=VAR`, another secret setting a
//! `${env:VAR}` reference (Kafka's `EnvVarConfigProvider`, KIP-887, as `connect::render` writes
//! them), and the variables are named in the import's notes.
//!
//! The node says what the catalog can say (database, table, mode, primary key, file, topic,
//! converters); [`settle`] then compares what venice renders for it with the deployed config
//! and passes every other setting through as `config`, so the plan finds nothing to change.

use super::node::{Decl, s};
use crate::connect::catalog::{self, Kind};
use crate::deploy::connect::Deployed;
use crate::model::{Direction, Format};
use kdl::KdlValue;
use std::collections::{BTreeMap, BTreeSet};

/// A connector mapped to declarations.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mapped {
    pub(crate) node: Decl,
    /// The `database` node it connects through, when it is a catalog kind with one.
    pub(crate) database: Option<Decl>,
    /// The topics it reads or writes (which must be declared).
    pub(crate) topics: Vec<String>,
    /// Environment variables that must hold a secret: (variable, the setting it replaces).
    pub(crate) env: Vec<(String, String)>,
}

/// Whether a setting holds a secret, by its name: passwords, secrets, tokens, credentials,
/// keys, and JAAS configs (which embed a password).
pub(crate) fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "token", "credential", "jaas.config", "api.key", "apikey", "private.key"]
        .iter()
        .any(|word| key.contains(word))
}

/// A value that is a config-provider reference (`${env:VAR}`, `${dir:...}`), not a value.
fn is_reference(value: &str) -> bool {
    value.starts_with("${") && value.ends_with('}')
}

/// An environment variable name made of words: upper case, `_` for anything else.
pub(crate) fn env_name(words: &[&str]) -> String {
    let joined = words.join("_");
    joined.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// The serde a converter reads and writes: the way back of `connect::render::converter`.
pub(crate) fn format_of(config: &BTreeMap<String, String>, side: &str) -> Option<Format> {
    let class = config.get(side)?;
    let simple = class.rsplit('.').next().unwrap_or(class);
    Some(match simple {
        "StringConverter" => Format::String,
        "IntegerConverter" => Format::Int,
        "LongConverter" => Format::Long,
        "DoubleConverter" => Format::Double,
        "ByteArrayConverter" => Format::Bytes,
        // JsonConverter's `schemas.enable` defaults to true (JsonConverterConfig).
        "JsonConverter" => match config.get(&format!("{side}.schemas.enable")).map(String::as_str) {
            Some("false") => Format::Json,
            _ => Format::ConnectJson,
        },
        "AvroConverter" => Format::Avro,
        "JsonSchemaConverter" => Format::JsonSr,
        "ProtobufConverter" => Format::Protobuf,
        _ => return None,
    })
}

/// The catalog entry and direction of a connector class.
fn catalog_kind(class: &str) -> Option<(&'static catalog::Entry, Direction)> {
    catalog::CATALOG.iter().find_map(|e| e.directions.iter().find(|d| e.class(**d) == class).map(|d| (e, *d)))
}

/// A JDBC URL of PostgreSQL: host, port, database.
fn postgres_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("jdbc:postgresql://")?;
    let (authority, path) = rest.split_once('/')?;
    let name = path.split(['?', ';']).next().filter(|n| !n.is_empty())?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (authority, 5432),
    };
    Some((host.to_string(), port, name.to_string()))
}

/// Maps one connector, or says why it is left out. `databases` are the names taken so far.
pub(crate) fn map(name: &str, deployed: &Deployed, databases: &BTreeSet<String>) -> Result<Mapped, String> {
    let config = &deployed.config;
    let class = config.get("connector.class").ok_or("its config names no `connector.class`")?;
    let direction = match deployed.kind.as_str() {
        "source" => Some(Direction::Source),
        "sink" => Some(Direction::Sink),
        _ => None,
    };
    let (entry, direction) = match catalog_kind(class) {
        Some((entry, d)) if direction.is_none_or(|k| k == d) => (Some(entry), d),
        _ => (None, direction.ok_or("Connect does not say whether it is a source or a sink")?),
    };
    let mut mapped = Mapped {
        node: Decl::new(if direction == Direction::Source { "source" } else { "sink" }).arg(s(name)),
        database: None,
        topics: Vec::new(),
        env: Vec::new(),
    };
    let topic_key = if direction == Direction::Sink { "topics" } else { "topic" };
    let topic = config.get(topic_key).filter(|t| !t.contains(','));
    if direction == Direction::Sink && topic.is_none() {
        return Err("a sink of several topics or a `topics.regex`: venice declares a sink of one topic".into());
    }
    let kind = entry.map(|e| e.kind).filter(|k| match k {
        // Only PostgreSQL JDBC URLs map onto a `database`.
        Kind::Jdbc | Kind::DebeziumJdbc => config.get("connection.url").and_then(|u| postgres_url(u)).is_some(),
        Kind::DebeziumPostgres => config.contains_key("database.hostname"),
        Kind::File => true,
    });
    match (kind, entry) {
        (Some(kind), Some(entry)) => {
            mapped.node = mapped.node.prop("connector", s(entry.name));
            catalog_node(kind, name, config, databases, &mut mapped);
        }
        _ => mapped.node = mapped.node.prop("class", s(class.as_str())),
    }
    if let Some(topic) = topic
        && kind != Some(Kind::DebeziumPostgres)
    {
        mapped.node = mapped.node.prop("topic", s(topic.as_str()));
        mapped.topics.push(topic.clone());
    }
    for (side, child) in [("key.converter", "key"), ("value.converter", "value")] {
        if let Some(format) = format_of(config, side) {
            mapped.node.children.push(Decl::new(child).arg(s(format.as_str())));
        }
    }
    Ok(mapped)
}

/// The settings a catalog kind says with nodes of its own.
fn catalog_node(
    kind: Kind,
    name: &str,
    config: &BTreeMap<String, String>,
    databases: &BTreeSet<String>,
    mapped: &mut Mapped,
) {
    let get = |key: &str| config.get(key).cloned();
    match kind {
        Kind::File => {
            if let Some(file) = get("file") {
                mapped.node.children.push(Decl::new("file").arg(s(file)));
            }
        }
        Kind::Jdbc | Kind::DebeziumJdbc => {
            let debezium = kind == Kind::DebeziumJdbc;
            let url = get("connection.url").and_then(|u| postgres_url(&u)).expect("checked by the caller");
            let user = get(if debezium { "connection.username" } else { "connection.user" });
            let database = database(name, url, user, get("connection.password"), databases, mapped);
            mapped.node.children.push(Decl::new("database").arg(s(database)));
            let (table_key, pk_mode, pk_fields) = if debezium {
                ("collection.name.format", "primary.key.mode", "primary.key.fields")
            } else {
                ("table.name.format", "pk.mode", "pk.fields")
            };
            if let Some(table) = get(table_key).filter(|t| t != "${topic}") {
                mapped.node.children.push(Decl::new("table").arg(s(table)));
            }
            if let Some(mode) = get("insert.mode").filter(|m| matches!(m.as_str(), "upsert" | "update")) {
                mapped.node.children.push(Decl::new("mode").arg(s(mode)));
            }
            if let Some(source) = get(pk_mode).filter(|m| m != "none") {
                let mut pk = Decl::new("pk").arg(s(source.replace('_', "-")));
                if let Some(fields) = get(pk_fields) {
                    pk = pk.prop("fields", s(fields));
                }
                mapped.node.children.push(pk);
            }
            if get("delete.enabled").as_deref() == Some("true") {
                mapped.node.children.push(Decl::new("deletes").arg(KdlValue::Bool(true)));
            }
        }
        Kind::DebeziumPostgres => {
            let port = get("database.port").and_then(|p| p.parse().ok()).unwrap_or(5432);
            let address =
                (get("database.hostname").unwrap_or_default(), port, get("database.dbname").unwrap_or_default());
            let database = database(name, address, get("database.user"), get("database.password"), databases, mapped);
            mapped.node.children.push(Decl::new("database").arg(s(database)));
            let prefix = get("topic.prefix").unwrap_or_default();
            for table in
                get("table.include.list").unwrap_or_default().split(',').map(str::trim).filter(|t| !t.is_empty())
            {
                let topic = format!("{prefix}.{table}");
                mapped.node.children.push(Decl::new("table").arg(s(table)).prop("topic", s(topic.clone())));
                mapped.topics.push(topic);
            }
            let unwraps = config.iter().any(|(k, v)| {
                k.starts_with("transforms.")
                    && k.ends_with(".type")
                    && v == "io.debezium.transforms.ExtractNewRecordState"
            });
            if unwraps {
                mapped.node.children.push(Decl::new("unwrap").arg(KdlValue::Bool(true)));
            }
        }
    }
}

/// The `database` node of a JDBC connection: its name (the database's, else the connector's),
/// the user as given and the password as `env=`.
fn database(
    connector: &str,
    (host, port, db): (String, u16, String),
    user: Option<String>,
    password: Option<String>,
    databases: &BTreeSet<String>,
    mapped: &mut Mapped,
) -> String {
    let node_name = if databases.contains(&db) { format!("{connector}-db") } else { db.clone() };
    let mut node = Decl::new("database").arg(s(node_name.clone())).prop("kind", s("postgres"));
    node = node.child(Decl::new("host").arg(s(host)).prop("port", KdlValue::Integer(port.into())));
    if node_name != db {
        node = node.child(Decl::new("name").arg(s(db)));
    }
    if let Some(user) = user {
        node = node.child(credential("user", &user, None));
    }
    if let Some(password) = password {
        let variable = env_name(&[&node_name, "password"]);
        let child = credential("password", &password, Some(&variable));
        if child.props.iter().any(|(k, v)| *k == "env" && v.as_string() == Some(variable.as_str())) {
            mapped.env.push((variable, format!("the password of database `{node_name}`")));
        }
        node = node.child(child);
    }
    mapped.database = Some(node);
    node_name
}

/// A credential node: a `${env:VAR}` reference as `env=VAR`, a secret as `env=` the variable
/// given, a user name as written.
fn credential(name: &'static str, value: &str, secret_variable: Option<&str>) -> Decl {
    let referenced = value.strip_prefix("${env:").and_then(|v| v.strip_suffix('}'));
    match (referenced, secret_variable) {
        (Some(variable), _) => Decl::new(name).prop("env", s(variable)),
        (None, Some(variable)) => Decl::new(name).prop("env", s(variable)),
        (None, None) => Decl::new(name).arg(s(value)),
    }
}

/// The node with `config` entries for each deployed setting that venice's rendering of it does
/// not already give, secrets as `${env:VAR}` references (their variables added to `env`); and
/// the settings venice renders that the deployed config does not have (the plan will add them).
pub(crate) fn settle(
    mut mapped: Mapped,
    name: &str,
    deployed: &BTreeMap<String, String>,
    rendered: &BTreeMap<String, String>,
) -> (Mapped, Vec<String>) {
    for (key, value) in deployed {
        if key == "name" || rendered.get(key) == Some(value) {
            continue;
        }
        let value = if is_secret(key) && !is_reference(value) {
            let variable = env_name(&[name, key]);
            mapped.env.push((variable.clone(), format!("`{key}` of connector `{name}`")));
            format!("${{env:{variable}}}")
        } else {
            value.clone()
        };
        // A secret the database node already gives as `env=` renders as the same reference.
        if rendered.get(key) == Some(&value) {
            continue;
        }
        mapped.node.children.push(Decl::new("config").arg(s(key.as_str())).arg(s(value)));
    }
    let extra = rendered.keys().filter(|k| *k != "name" && !deployed.contains_key(*k)).cloned().collect();
    (mapped, extra)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::node::render;

    fn deployed(kind: &str, pairs: &[(&str, &str)]) -> Deployed {
        Deployed {
            config: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            kind: kind.into(),
            ..Deployed::default()
        }
    }

    fn text(mapped: &Mapped) -> String {
        let mut decls: Vec<Decl> = mapped.database.iter().cloned().collect();
        decls.push(mapped.node.clone());
        render(&decls)
    }

    #[test]
    fn a_filestream_sink_is_the_file_kind() {
        let sink = deployed(
            "sink",
            &[
                ("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector"),
                ("file", "/tmp/out.txt"),
                ("topics", "orders"),
                ("key.converter", "org.apache.kafka.connect.storage.StringConverter"),
                ("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
                ("value.converter.schemas.enable", "false"),
            ],
        );
        let mapped = map("orders-file", &sink, &BTreeSet::new()).unwrap();
        assert_eq!(
            text(&mapped),
            "sink orders-file connector=file topic=orders {\n    file \"/tmp/out.txt\"\n    key string\n    value json\n}\n"
        );
        assert_eq!(mapped.topics, ["orders"]);
    }

    #[test]
    fn a_jdbc_sink_gets_a_database_and_never_its_password() {
        let sink = deployed(
            "sink",
            &[
                ("connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"),
                ("connection.url", "jdbc:postgresql://db.internal:5433/shop"),
                ("connection.user", "app"),
                ("connection.password", "hunter2"),
                ("topics", "orders"),
                ("insert.mode", "upsert"),
                ("pk.mode", "record_key"),
                ("pk.fields", "id"),
                ("table.name.format", "orders_copy"),
                ("delete.enabled", "true"),
            ],
        );
        let mapped = map("orders-jdbc", &sink, &BTreeSet::new()).unwrap();
        let written = text(&mapped);
        assert!(!written.contains("hunter2"), "{written}");
        assert_eq!(
            written,
            "database shop kind=postgres {\n    host db.internal port=5433\n    user app\n    password env=SHOP_PASSWORD\n}\n\n\
             sink orders-jdbc connector=jdbc topic=orders {\n    database shop\n    table orders_copy\n    mode upsert\n    pk record-key fields=id\n    deletes #true\n}\n"
        );
        assert_eq!(mapped.env, [("SHOP_PASSWORD".to_string(), "the password of database `shop`".to_string())]);
        // A database of that name is declared already: the connector's name is used.
        let taken = BTreeSet::from(["shop".to_string()]);
        let mapped = map("orders-jdbc", &sink, &taken).unwrap();
        assert!(
            text(&mapped).starts_with(
                "database orders-jdbc-db kind=postgres {\n    host db.internal port=5433\n    name shop\n"
            )
        );
    }

    #[test]
    fn a_password_given_by_reference_keeps_its_variable() {
        let sink = deployed(
            "sink",
            &[
                ("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
                ("connection.url", "jdbc:postgresql://postgres:5432/warehouse"),
                ("connection.username", "venice"),
                ("connection.password", "${env:PG_PASSWORD}"),
                ("topics", "big"),
                ("collection.name.format", "${topic}"),
            ],
        );
        let mapped = map("big-sink", &sink, &BTreeSet::new()).unwrap();
        assert!(text(&mapped).contains("    password env=PG_PASSWORD\n"), "{}", text(&mapped));
        assert!(mapped.env.is_empty());
        assert!(text(&mapped).contains("sink big-sink connector=debezium-jdbc topic=big {\n    database warehouse\n}"));
    }

    #[test]
    fn debezium_postgres_names_its_tables_topics_and_unwrap() {
        let source = deployed(
            "source",
            &[
                ("connector.class", "io.debezium.connector.postgresql.PostgresConnector"),
                ("database.hostname", "postgres"),
                ("database.port", "5432"),
                ("database.dbname", "shop"),
                ("database.user", "venice"),
                ("database.password", "${env:POSTGRES_PASSWORD}"),
                ("topic.prefix", "shop"),
                ("table.include.list", "public.orders"),
                ("transforms", "unwrap"),
                ("transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState"),
            ],
        );
        let mapped = map("orders-cdc", &source, &BTreeSet::new()).unwrap();
        assert!(
            text(&mapped).ends_with(
                "source orders-cdc connector=debezium-postgres {\n    database shop\n    table public.orders topic=shop.public.orders\n    unwrap #true\n}\n"
            ),
            "{}",
            text(&mapped)
        );
        assert_eq!(mapped.topics, ["shop.public.orders"]);
    }

    #[test]
    fn an_unknown_class_keeps_its_class_and_a_sink_of_many_topics_is_left_out() {
        let sink = deployed("sink", &[("connector.class", "com.acme.S3Sink"), ("topics", "a")]);
        assert_eq!(text(&map("s3", &sink, &BTreeSet::new()).unwrap()), "sink s3 class=com.acme.S3Sink topic=a\n");
        let many = deployed("sink", &[("connector.class", "com.acme.S3Sink"), ("topics", "a,b")]);
        assert!(map("s3", &many, &BTreeSet::new()).unwrap_err().contains("several topics"));
        // A JDBC URL that is not PostgreSQL's keeps the class.
        let mysql = deployed(
            "sink",
            &[
                ("connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"),
                ("connection.url", "jdbc:mysql://h/db"),
                ("topics", "a"),
            ],
        );
        assert!(
            text(&map("m", &mysql, &BTreeSet::new()).unwrap())
                .starts_with("sink m class=io.confluent.connect.jdbc.JdbcSinkConnector")
        );
    }

    #[test]
    fn settling_passes_the_rest_through_and_secrets_as_references() {
        let sink = deployed("sink", &[("connector.class", "com.acme.S3Sink"), ("topics", "a")]);
        let mapped = map("s3", &sink, &BTreeSet::new()).unwrap();
        let deployed_config: BTreeMap<String, String> = [
            ("connector.class", "com.acme.S3Sink"),
            ("topics", "a"),
            ("s3.bucket", "logs"),
            ("aws.secret.access.key", "AKIASECRET"),
            ("tasks.max", "2"),
            ("name", "s3"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let rendered: BTreeMap<String, String> = [
            ("connector.class", "com.acme.S3Sink"),
            ("topics", "a"),
            ("tasks.max", "1"),
            ("name", "s3"),
            ("key.converter", "x"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (settled, extra) = settle(mapped, "s3", &deployed_config, &rendered);
        let written = text(&settled);
        assert!(!written.contains("AKIASECRET"), "{written}");
        assert_eq!(
            written,
            "sink s3 class=com.acme.S3Sink topic=a {\n    config aws.secret.access.key \"${env:S3_AWS_SECRET_ACCESS_KEY}\"\n    config s3.bucket logs\n    config tasks.max \"2\"\n}\n"
        );
        assert_eq!(settled.env[0].0, "S3_AWS_SECRET_ACCESS_KEY");
        assert_eq!(extra, ["key.converter"]);
    }

    #[test]
    fn converters_read_back_as_the_serde_table_writes_them() {
        let config = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let json = "org.apache.kafka.connect.json.JsonConverter";
        assert_eq!(format_of(&config(&[("value.converter", json)]), "value.converter"), Some(Format::ConnectJson));
        assert_eq!(
            format_of(
                &config(&[("value.converter", "io.apicurio.registry.utils.converter.AvroConverter")]),
                "value.converter"
            ),
            Some(Format::Avro)
        );
        assert_eq!(format_of(&config(&[("key.converter", "com.acme.Mine")]), "key.converter"), None);
        assert!(is_secret("connection.password") && is_secret("sasl.jaas.config") && !is_secret("connection.user"));
    }
}
