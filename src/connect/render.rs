//! The config Venice renders for a connector: the JSON body of `PUT /connectors/<name>/config`.
//!
//! Keys come from each connector's documentation (see `catalog`). Converters follow the serde
//! table of docs/language.md. Secrets are config-provider references, never values: `env=VAR`
//! renders `${env:VAR}` (Kafka's `EnvVarConfigProvider`, KIP-887) and `file=PATH` renders
//! `${dir:DIR:FILE}` (Kafka's `DirectoryConfigProvider`, KIP-632, which reads a file's whole
//! content); the worker must enable those providers (`config.providers=env,dir`).

use super::catalog::{self, Kind};
use super::{Deployment, RegistryFlavour};
use crate::model::{
    ConfigEntry, Connector, ConnectorKind, Credential, Database, Direction, Format, PkSource, Project, Serde, SinkMode,
};
use std::collections::BTreeMap;

/// A Connect converter: its class and its own settings (without the `key.converter.` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Converter {
    pub(crate) class: &'static str,
    pub(crate) settings: Vec<(&'static str, String)>,
}

const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";
const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
const CONFLUENT_AVRO: &str = "io.confluent.connect.avro.AvroConverter";
const CONFLUENT_JSON_SCHEMA: &str = "io.confluent.connect.json.JsonSchemaConverter";
const CONFLUENT_PROTOBUF: &str = "io.confluent.connect.protobuf.ProtobufConverter";
const APICURIO_AVRO: &str = "io.apicurio.registry.utils.converter.AvroConverter";

/// The converter that reads and writes a format (docs/language.md, "Serdes"), or `None` for
/// `avro-raw`, which no Connect converter writes (V401 reports a connector that would need one).
///
/// - Confluent: `AvroConverter`, `JsonSchemaConverter`, `ProtobufConverter`, each with
///   `schema.registry.url`.
/// - Apicurio 3.x: its `AvroConverter` with `apicurio.registry.url`, `auto-register` and
///   `find-latest` (its 3.x default writes Confluent's framing: magic byte 0 and a 4-byte id).
///   Apicurio ships no converter that writes the Confluent framing for JSON Schema or Protobuf,
///   so those use Confluent's converters against Apicurio's Confluent-compatible API
///   (`/apis/ccompat/v7`).
/// - `none`: no bytes; `ByteArrayConverter` passes the null key through either way.
pub(crate) fn converter(format: Format, deployment: &Deployment) -> Option<Converter> {
    let plain = |class| Some(Converter { class, settings: Vec::new() });
    let registry = |class| {
        let url = match deployment.registry {
            RegistryFlavour::Confluent => deployment.registry_url.clone(),
            RegistryFlavour::Apicurio => ccompat_url(&deployment.registry_url),
        };
        Some(Converter { class, settings: vec![("schema.registry.url", url)] })
    };
    match format {
        Format::String | Format::Delimited => plain(STRING_CONVERTER),
        Format::Int => plain("org.apache.kafka.connect.converters.IntegerConverter"),
        Format::Long => plain("org.apache.kafka.connect.converters.LongConverter"),
        Format::Double => plain("org.apache.kafka.connect.converters.DoubleConverter"),
        Format::Bytes | Format::None => plain("org.apache.kafka.connect.converters.ByteArrayConverter"),
        Format::Json => Some(Converter { class: JSON_CONVERTER, settings: vec![("schemas.enable", "false".into())] }),
        Format::ConnectJson => {
            Some(Converter { class: JSON_CONVERTER, settings: vec![("schemas.enable", "true".into())] })
        }
        Format::JsonSr => registry(CONFLUENT_JSON_SCHEMA),
        Format::Protobuf => registry(CONFLUENT_PROTOBUF),
        Format::Avro => match deployment.registry {
            RegistryFlavour::Confluent => registry(CONFLUENT_AVRO),
            RegistryFlavour::Apicurio => Some(Converter {
                class: APICURIO_AVRO,
                settings: vec![
                    ("apicurio.registry.auto-register", "true".into()),
                    ("apicurio.registry.find-latest", "true".into()),
                    ("apicurio.registry.url", deployment.registry_url.clone()),
                ],
            }),
        },
        Format::AvroRaw => None,
    }
}

/// Apicurio's Confluent-compatible API beside its v3 API.
fn ccompat_url(v3: &str) -> String {
    let base = v3.trim_end_matches('/');
    let base = base.strip_suffix("/apis/registry/v3").unwrap_or(base);
    format!("{base}/apis/ccompat/v7")
}

/// The serde a connector uses on a side: its own, else its topic's declaration.
pub(crate) fn serde<'p>(project: &'p Project, connector: &'p Connector, key: bool) -> Option<&'p Serde> {
    let own = if key { connector.key.as_ref() } else { connector.value.as_ref() };
    own.or_else(|| {
        let topic = project.topic(&connector.topics().next()?.value)?;
        if key { topic.key.as_ref() } else { topic.value.as_ref() }
    })
}

/// The whole config, sorted by key.
pub(crate) fn config(project: &Project, connector: &Connector, deployment: &Deployment) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut set = |key: &str, value: String| {
        out.insert(key.to_string(), value);
    };
    set("name", connector.name.value.clone());
    set("tasks.max", connector.tasks.as_ref().map_or(1, |t| t.value).to_string());
    let database = connector.database.as_ref().and_then(|d| project.database(&d.value));
    // An unknown catalog name (V401) renders only what every connector has.
    if let Some(entry) = catalog::of(connector) {
        set("connector.class", entry.class(connector.direction).into());
        match entry.kind {
            Kind::Jdbc => jdbc_sink(project, connector, database, deployment, false, &mut set),
            Kind::DebeziumJdbc => jdbc_sink(project, connector, database, deployment, true, &mut set),
            Kind::DebeziumPostgres => debezium_postgres(project, connector, database, deployment, &mut set),
            Kind::File => file(project, connector, &mut set),
        }
    } else if let Some(ConnectorKind::Class(class)) = &connector.kind {
        set("connector.class", class.value.clone());
        topics(project, connector, &mut set);
    }
    for (side, key) in [("key.converter", true), ("value.converter", false)] {
        let Some(serde) = serde(project, connector, key) else { continue };
        if let Some(converter) = converter(serde.format.value, deployment) {
            set(side, converter.class.into());
            for (setting, value) in converter.settings {
                set(&format!("{side}.{setting}"), value);
            }
        }
    }
    // Settings passed through with `config` win: the user asked for them by name.
    for ConfigEntry { key, value } in &connector.config {
        set(&key.value, value.value.clone());
    }
    out
}

/// `topics` of a sink, `topic` of a source that names one: the topic's physical name.
fn topics(project: &Project, connector: &Connector, set: &mut impl FnMut(&str, String)) {
    if let Some(topic) = &connector.topic {
        let physical = project.physical_topic(&topic.value).into_owned();
        match connector.direction {
            Direction::Sink => set("topics", physical),
            Direction::Source => set("topic", physical),
        }
    }
}

/// A database's host, port and name, defaults filled in.
struct Address {
    host: String,
    port: u16,
    name: String,
}

fn address(database: &Database, deployment: &Deployment) -> Address {
    Address {
        host: database.host.as_ref().map_or_else(|| deployment.postgres_host.clone(), |h| h.value.clone()),
        port: database.port.as_ref().map_or(5432, |p| p.value),
        name: database.db_name.as_ref().unwrap_or(&database.name).value.clone(),
    }
}

/// A credential as a config value: a user name as written, a secret as a provider reference.
/// A `file=` secret is read in the worker from [`Deployment::secrets_dir`], by its file name.
/// A literal password (V007) is not rendered.
fn credential(credential: &Credential, secret: bool, deployment: &Deployment) -> Option<String> {
    match credential {
        Credential::Literal(value) if !secret => Some(value.value.clone()),
        Credential::Literal(_) => None,
        Credential::Env(var) => Some(format!("${{env:{}}}", var.value)),
        Credential::File(path) => {
            let file = path.value.file_name().map(|f| f.to_string_lossy().into_owned())?;
            Some(format!("${{dir:{}:{file}}}", deployment.secrets_dir))
        }
    }
}

fn jdbc_sink(
    project: &Project,
    connector: &Connector,
    database: Option<&Database>,
    deployment: &Deployment,
    debezium: bool,
    set: &mut impl FnMut(&str, String),
) {
    topics(project, connector, set);
    // Confluent: connection.user, pk.mode, pk.fields, table.name.format, auto.create.
    // Debezium: connection.username, primary.key.mode, primary.key.fields,
    // collection.name.format (3.x; `table.name.format` is its deprecated name), schema.evolution.
    let (user, pk_mode, pk_fields, table) = if debezium {
        ("connection.username", "primary.key.mode", "primary.key.fields", "collection.name.format")
    } else {
        ("connection.user", "pk.mode", "pk.fields", "table.name.format")
    };
    if let Some(database) = database {
        let at = address(database, deployment);
        set("connection.url", format!("jdbc:postgresql://{}:{}/{}", at.host, at.port, at.name));
        if let Some(value) = database.user.as_ref().and_then(|c| credential(c, false, deployment)) {
            set(user, value);
        }
        if let Some(value) = database.password.as_ref().and_then(|c| credential(c, true, deployment)) {
            set("connection.password", value);
        }
    }
    // Without `table`, the table is named after the topic. Debezium's default naming strategy
    // does that itself from `${topic}`, with dots made underscores (`shop.public.orders` becomes
    // `shop_public_orders`; a literal dotted name would read as catalog.schema.table).
    match (&connector.table, &connector.topic) {
        (Some(name), _) => set(table, name.value.clone()),
        (None, Some(_)) if debezium => set(table, "${topic}".into()),
        (None, Some(topic)) => set(table, topic.value.clone()),
        (None, None) => {}
    }
    let mode = match connector.mode.as_ref().map(|m| m.value) {
        None | Some(SinkMode::Insert) => "insert",
        Some(SinkMode::Upsert) => "upsert",
        Some(SinkMode::Update) => "update",
    };
    set("insert.mode", mode.into());
    let source = connector.pk.as_ref().map_or(PkSource::None, |pk| pk.source.value);
    set(pk_mode, pk_source_word(source).into());
    if let Some(pk) = &connector.pk
        && !pk.fields.is_empty()
    {
        set(pk_fields, pk.fields.iter().map(|f| f.value.as_str()).collect::<Vec<_>>().join(","));
    }
    let deletes = connector.deletes.as_ref().is_some_and(|d| d.value);
    set("delete.enabled", deletes.to_string());
    if debezium {
        // `basic` creates the table and adds columns, as `auto.create`/`auto.evolve` do.
        set("schema.evolution", "basic".into());
    } else {
        set("auto.create", "true".into());
    }
}

/// The word both JDBC sinks use for a primary-key source.
pub(crate) fn pk_source_word(source: PkSource) -> &'static str {
    match source {
        PkSource::None => "none",
        PkSource::Kafka => "kafka",
        PkSource::RecordKey => "record_key",
        PkSource::RecordValue => "record_value",
    }
}

/// Debezium's PostgreSQL source with `pgoutput`, PostgreSQL's built-in logical decoding.
fn debezium_postgres(
    project: &Project,
    connector: &Connector,
    database: Option<&Database>,
    deployment: &Deployment,
    set: &mut impl FnMut(&str, String),
) {
    set("plugin.name", "pgoutput".into());
    if let Some(database) = database {
        let at = address(database, deployment);
        set("database.hostname", at.host);
        set("database.port", at.port.to_string());
        set("database.dbname", at.name);
        if let Some(value) = database.user.as_ref().and_then(|c| credential(c, false, deployment)) {
            set("database.user", value);
        }
        if let Some(value) = database.password.as_ref().and_then(|c| credential(c, true, deployment)) {
            set("database.password", value);
        }
    }
    // A replication slot and a publication of its own, so two sources of one database do not
    // share one: slot names take lower-case letters, digits and underscores.
    let slot = slot_name(&connector.name.value);
    set("slot.name", slot.clone());
    set("publication.name", slot);
    set("publication.autocreate.mode", "filtered".into());
    let tables: Vec<String> = connector.tables.iter().map(|t| qualified(&t.table.value)).collect();
    if !tables.is_empty() {
        set("table.include.list", tables.join(","));
    }
    // Debezium names each table's topic `<topic.prefix>.<schema>.<table>`. When every declared
    // topic follows that shape with one prefix and the target names them as declared, the prefix
    // says it all; otherwise a RegexRouter per table renames Debezium's topic to the physical
    // one. The prefix stays the declared one: Debezium names its schemas after it, and a
    // schema is the same in every target.
    let mut transforms = Vec::new();
    if connector.unwrap.as_ref().is_some_and(|u| u.value) {
        // ExtractNewRecordState: the row (`after`) instead of the envelope. Its 3.x default
        // `delete.tombstone.handling.mode=tombstone` keeps the tombstone after a delete.
        set("transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState".into());
        transforms.push("unwrap".to_string());
    }
    let prefix = topic_prefix(connector);
    set("topic.prefix", prefix.clone());
    let renamed = connector.tables.iter().any(|t| project.is_renamed(&t.topic.value));
    if common_prefix(connector).is_none() || renamed {
        for (i, table) in connector.tables.iter().enumerate() {
            let name = format!("route{i}");
            let from = format!("{prefix}.{}", qualified(&table.table.value));
            let to = project.physical_topic(&table.topic.value);
            set(&format!("transforms.{name}.type"), "org.apache.kafka.connect.transforms.RegexRouter".into());
            set(&format!("transforms.{name}.regex"), regex_escape(&from));
            set(&format!("transforms.{name}.replacement"), to.replace('$', "\\$"));
            transforms.push(name);
        }
    }
    if !transforms.is_empty() {
        set("transforms", transforms.join(","));
    }
}

/// `schema.table`, with PostgreSQL's default schema when none is written.
pub(crate) fn qualified(table: &str) -> String {
    if table.contains('.') { table.to_string() } else { format!("public.{table}") }
}

/// The `topic.prefix` of a Debezium source: the prefix its declared topics share, else a name
/// made from the connector's (and a RegexRouter renames each topic). Debezium also names its
/// schemas after it (`<prefix>.<schema>.<table>.Value`).
pub(crate) fn topic_prefix(connector: &Connector) -> String {
    common_prefix(connector).unwrap_or_else(|| slot_name(&connector.name.value))
}

/// The prefix every captured table's topic shares in Debezium's naming, if one does.
fn common_prefix(connector: &Connector) -> Option<String> {
    let mut prefix: Option<&str> = None;
    for table in &connector.tables {
        let suffix = format!(".{}", qualified(&table.table.value));
        let this = table.topic.value.strip_suffix(&suffix).filter(|p| !p.is_empty())?;
        if prefix.is_some_and(|p| p != this) {
            return None;
        }
        prefix = Some(this);
    }
    prefix.map(str::to_string)
}

/// A PostgreSQL replication slot name from a connector name.
fn slot_name(name: &str) -> String {
    let slot: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).take(63).collect();
    if slot.is_empty() { "venice".into() } else { slot }
}

/// A Java regex matching `text` literally.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if "\\.[]{}()*+?^$|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Kafka's FileStream source (`file`, `topic`) and sink (`file`, `topics`).
fn file(project: &Project, connector: &Connector, set: &mut impl FnMut(&str, String)) {
    if let Some(file) = &connector.file {
        set("file", file.value.clone());
    }
    topics(project, connector, set);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In a target that names topics otherwise, Debezium keeps its declared `topic.prefix` (its
    /// schema names) and a RegexRouter sends each table to the physical topic.
    #[test]
    fn a_debezium_source_routes_to_the_physical_topics_of_the_target() {
        let kdl = "database shop { user venice; password env=PG; }\n\
                   topic shop.public.orders { key json; value json; }\n\
                   consumer c topic=shop.public.orders\n\
                   source cdc connector=debezium-postgres { database shop; table orders topic=shop.public.orders; }\n\
                   target staging { kafka \"k:9092\"; names topic-prefix=\"staging.\"; }\n";
        let config_of = |target| {
            let checked = crate::check::check_bytes_as(std::path::Path::new("/nonexistent"), kdl.as_bytes(), target);
            config(&checked.project, &checked.project.connectors[0], &Deployment::local())
        };
        let declared = config_of(None);
        assert_eq!(declared["topic.prefix"], "shop");
        assert!(!declared.contains_key("transforms"), "the prefix says it all");
        let staging = config_of(Some("staging"));
        assert_eq!(staging["topic.prefix"], "shop");
        assert_eq!(staging["transforms"], "route0");
        assert_eq!(staging["transforms.route0.regex"], "shop\\.public\\.orders");
        assert_eq!(staging["transforms.route0.replacement"], "staging.shop.public.orders");
    }

    /// The serde table of docs/language.md, for both registry flavours.
    #[test]
    fn every_format_has_the_converter_of_the_serde_table() {
        let confluent = Deployment::local();
        let apicurio = Deployment {
            registry: RegistryFlavour::Apicurio,
            registry_url: "http://registry:8080/apis/registry/v3".into(),
            ..Deployment::local()
        };
        let row = |format: Format, deployment: &Deployment| match converter(format, deployment) {
            None => format!("{format}: none"),
            Some(c) => {
                let settings: Vec<String> = c.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{format}: {} {}", c.class, settings.join(" ")).trim_end().to_string()
            }
        };
        let table: Vec<String> = Format::ALL.iter().map(|f| row(*f, &confluent)).collect();
        assert_eq!(
            table,
            [
                "string: org.apache.kafka.connect.storage.StringConverter",
                "int: org.apache.kafka.connect.converters.IntegerConverter",
                "long: org.apache.kafka.connect.converters.LongConverter",
                "double: org.apache.kafka.connect.converters.DoubleConverter",
                "bytes: org.apache.kafka.connect.converters.ByteArrayConverter",
                "none: org.apache.kafka.connect.converters.ByteArrayConverter",
                "json: org.apache.kafka.connect.json.JsonConverter schemas.enable=false",
                "connect-json: org.apache.kafka.connect.json.JsonConverter schemas.enable=true",
                "json-sr: io.confluent.connect.json.JsonSchemaConverter schema.registry.url=http://schema-registry:8081",
                "avro: io.confluent.connect.avro.AvroConverter schema.registry.url=http://schema-registry:8081",
                "avro-raw: none",
                "protobuf: io.confluent.connect.protobuf.ProtobufConverter schema.registry.url=http://schema-registry:8081",
                "delimited: org.apache.kafka.connect.storage.StringConverter",
            ]
        );
        assert_eq!(
            row(Format::Avro, &apicurio),
            "avro: io.apicurio.registry.utils.converter.AvroConverter apicurio.registry.auto-register=true apicurio.registry.find-latest=true apicurio.registry.url=http://registry:8080/apis/registry/v3"
        );
        assert_eq!(
            row(Format::Protobuf, &apicurio),
            "protobuf: io.confluent.connect.protobuf.ProtobufConverter schema.registry.url=http://registry:8080/apis/ccompat/v7"
        );
    }

    #[test]
    fn names_made_for_postgres_and_java_regexes() {
        assert_eq!(slot_name("Orders-CDC.v2"), "orders_cdc_v2");
        assert_eq!(slot_name(""), "venice");
        assert_eq!(regex_escape("shop.public.orders$"), "shop\\.public\\.orders\\$");
        assert_eq!(qualified("orders"), "public.orders");
        assert_eq!(qualified("inventory.stock"), "inventory.stock");
    }
}
