//! The connector catalog: what Venice knows about each connector kind that `connector=` names.
//!
//! Class names and required settings come from each connector's own documentation:
//! - `jdbc`: Confluent's JDBC sink, "Configuration Reference for JDBC Sink Connector"
//!   (docs.confluent.io/kafka-connectors/jdbc/current/sink-connector/sink_config_options.html).
//! - `debezium-jdbc`: Debezium's JDBC sink connector, "Connector configuration properties"
//!   (debezium.io/documentation/reference/3.x/connectors/jdbc.html).
//! - `debezium-postgres`: Debezium's PostgreSQL connector with `pgoutput`
//!   (debezium.io/documentation/reference/3.x/connectors/postgresql.html, "Required connector
//!   configuration properties").
//! - `file`: Kafka's FileStream connectors (kafka.apache.org/documentation/#connect, the
//!   `connect-file` module: `file`, `topic` for the source, `topics` for the sink).

use crate::model::{Connector, ConnectorKind, Direction};

/// A connector kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Confluent's `JdbcSinkConnector`.
    Jdbc,
    /// Debezium's `JdbcSinkConnector`.
    DebeziumJdbc,
    /// Debezium's PostgreSQL source, streaming with `pgoutput`.
    DebeziumPostgres,
    /// Kafka's `FileStreamSourceConnector` / `FileStreamSinkConnector`.
    File,
}

/// What the catalog knows about one kind.
#[derive(Debug)]
pub struct Entry {
    pub kind: Kind,
    /// The word `connector=` takes.
    pub name: &'static str,
    /// The directions the kind works in.
    pub directions: &'static [Direction],
    /// The `plugin` of `stack connect` that installs it.
    pub(crate) plugin: &'static str,
    /// The settings a Venice node must give (the connector's documented required settings that
    /// Venice fills from them), as the node names them.
    pub(crate) required: &'static [Setting],
    /// Whether its records need a schema (a JDBC sink builds statements from it).
    pub(crate) needs_schema: bool,
    /// The keys that the connector's documentation marks required, for the rendered config.
    pub(crate) required_keys: &'static [&'static str],
}

/// A setting a Venice connector node provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Setting {
    Database,
    Topic,
    Table,
    File,
}

impl Setting {
    /// How the setting is written in venice.kdl.
    pub(crate) fn node(self) -> &'static str {
        match self {
            Setting::Database => "database",
            Setting::Topic => "topic=",
            Setting::Table => "table",
            Setting::File => "file",
        }
    }

    /// Whether a connector node gives the setting.
    pub(crate) fn given(self, connector: &Connector) -> bool {
        match self {
            Setting::Database => connector.database.is_some(),
            Setting::Topic => connector.topic.is_some() || !connector.tables.is_empty(),
            Setting::Table => !connector.tables.is_empty(),
            Setting::File => connector.file.is_some(),
        }
    }
}

const SINK: &[Direction] = &[Direction::Sink];
const SOURCE: &[Direction] = &[Direction::Source];
const BOTH: &[Direction] = &[Direction::Source, Direction::Sink];

/// Every catalog entry, in the order of `Kind`.
pub static CATALOG: &[Entry] = &[
    Entry {
        kind: Kind::Jdbc,
        name: "jdbc",
        directions: SINK,
        plugin: "jdbc",
        required: &[Setting::Database, Setting::Topic],
        needs_schema: true,
        // `connection.url` has no default; `topics` (or `topics.regex`) every sink needs.
        required_keys: &["connector.class", "connection.url", "topics"],
    },
    Entry {
        kind: Kind::DebeziumJdbc,
        name: "debezium-jdbc",
        directions: SINK,
        plugin: "debezium-jdbc",
        required: &[Setting::Database, Setting::Topic],
        needs_schema: true,
        // `connection.url` has no default; `topics` (or `topics.regex`) every sink needs. The
        // user name and password have no default either, but a database may not ask for them.
        required_keys: &["connector.class", "connection.url", "topics"],
    },
    Entry {
        kind: Kind::DebeziumPostgres,
        name: "debezium-postgres",
        directions: SOURCE,
        plugin: "debezium-postgres",
        required: &[Setting::Database, Setting::Table],
        needs_schema: false,
        // The "Required connector configuration properties" without a default, and
        // `plugin.name`, whose default (`decoderbufs`) needs a server plugin; `pgoutput` is built in.
        required_keys: &[
            "connector.class",
            "database.dbname",
            "database.hostname",
            "database.password",
            "database.port",
            "database.user",
            "plugin.name",
            "topic.prefix",
        ],
    },
    Entry {
        kind: Kind::File,
        name: "file",
        directions: BOTH,
        plugin: "file",
        required: &[Setting::File, Setting::Topic],
        needs_schema: false,
        // FileStreamSourceConnector: `topic` (required), `file` (stdin when absent, which a
        // distributed worker does not have); FileStreamSinkConnector: `topics`, `file`.
        required_keys: &["connector.class", "file"],
    },
];

/// The catalog entry that `connector=` names, if it is one.
pub(crate) fn entry(name: &str) -> Option<&'static Entry> {
    CATALOG.iter().find(|e| e.name == name)
}

/// The catalog entry of a connector node (`None` for `class=` and unknown names).
pub fn of(connector: &Connector) -> Option<&'static Entry> {
    match &connector.kind {
        Some(ConnectorKind::Catalog(name)) => entry(&name.value),
        _ => None,
    }
}

/// The names `connector=` accepts.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|e| e.name)
}

impl Entry {
    /// The Java class for a direction.
    pub fn class(&self, direction: Direction) -> &'static str {
        match (self.kind, direction) {
            (Kind::Jdbc, _) => "io.confluent.connect.jdbc.JdbcSinkConnector",
            (Kind::DebeziumJdbc, _) => "io.debezium.connector.jdbc.JdbcSinkConnector",
            (Kind::DebeziumPostgres, _) => "io.debezium.connector.postgresql.PostgresConnector",
            (Kind::File, Direction::Source) => "org.apache.kafka.connect.file.FileStreamSourceConnector",
            (Kind::File, Direction::Sink) => "org.apache.kafka.connect.file.FileStreamSinkConnector",
        }
    }

    pub(crate) fn works_as(&self, direction: Direction) -> bool {
        self.directions.contains(&direction)
    }

    /// Whether the connector is one of the JDBC sinks.
    pub(crate) fn is_jdbc_sink(&self) -> bool {
        matches!(self.kind, Kind::Jdbc | Kind::DebeziumJdbc)
    }

    /// Keys of the rendered config that the docs mark required for a direction.
    pub fn required_keys(&self, direction: Direction) -> Vec<&'static str> {
        let mut keys = self.required_keys.to_vec();
        match (self.kind, direction) {
            (Kind::File, Direction::Source) => keys.push("topic"),
            (Kind::File, Direction::Sink) => keys.push("topics"),
            _ => {}
        }
        keys.sort_unstable();
        keys
    }
}

/// The word for a direction, as venice.kdl writes it.
pub(crate) fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Source => "source",
        Direction::Sink => "sink",
    }
}
