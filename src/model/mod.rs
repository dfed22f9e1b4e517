//! The typed model of a project: the intermediate representation every later phase reads.
//!
//! Decoding (in `syntax`) fills it from venice.kdl and indexes it; nothing changes it after that.
//! What the later phases find (Avro catalog, ksqlDB analysis, edges, ...) is theirs, gathered in
//! `analysis::Analysis`: the model imports no later phase. Every value keeps the [`Span`] it came
//! from, so a later check can point at it.

mod access;
mod edges;
mod format;
mod names;
mod security;
mod text;
mod view;

pub(crate) use access::{
    AclDecl, ActorKind, Operation, PatternType, PrincipalOverride, QuotaDecl, RegistryAccess, Resource, ResourceType,
    TargetAccess, WorkerAccess, parse_principal, parse_rate,
};
pub(crate) use edges::{Actor, Edge, Side, TopicEdges};
pub use format::{CleanupPolicy, Compatibility, Duration, Format};
pub(crate) use names::Names;
pub(crate) use security::{ClientCertificate, KafkaSecurity, Login, OAuthClient, Sasl, Tls};
pub use text::SourceText;
pub(crate) use view::{ConnectorOverride, DatabaseOverride, Defaults, Overrides, TopicOverride};

use crate::source::{FileId, Span};
use std::collections::HashMap;
use std::path::PathBuf;

/// A value and the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub(crate) span: Span,
}

impl<T> Spanned<T> {
    pub(crate) fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A whole project: everything declared in venice.kdl and the files it includes.
#[derive(Debug, Default)]
pub struct Project {
    pub name: Option<Spanned<String>>,
    pub doc: Option<String>,
    pub(crate) stack: Option<Stack>,
    pub(crate) targets: Vec<Target>,
    /// The top-level `defaults`: what a topic that does not say takes, in every target.
    pub(crate) defaults: Option<Defaults>,
    /// The target this project is the view of (its values applied), `None` for the project as
    /// declared. See [`Project::view`].
    pub(crate) viewed_as: Option<Spanned<String>>,
    /// The `acl` grants written by hand: the top level's, and in a view its target's after them.
    pub(crate) acls: Vec<AclDecl>,
    /// The `quota` nodes: the top level's, in a view merged with its target's.
    pub(crate) quotas: Vec<QuotaDecl>,
    /// The view's physical names (`names`, renames); see [`Project::physical_topic`].
    physical: names::Physical,
    pub(crate) databases: Vec<Database>,
    pub schemas: Vec<Schema>,
    pub topics: Vec<Topic>,
    pub producers: Vec<Producer>,
    pub consumers: Vec<Consumer>,
    pub connectors: Vec<Connector>,
    pub ksql_sources: Vec<KsqlSource>,
    pub transforms: Vec<Transform>,
    /// Each topic's index by name; see [`Project::topic`].
    topic_index: HashMap<String, usize>,
    schema_index: HashMap<String, usize>,
    /// The source connectors' captured tables by the topic each writes (connector index, table
    /// index). See [`Project::captured`].
    captured_index: HashMap<String, Vec<(usize, usize)>>,
}

impl Project {
    /// A declared topic by name (the first, when a name is declared twice: V004).
    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topic_index.get(name).and_then(|&i| self.topics.get(i))
    }

    /// Indexes the topics, schemas and captured tables by name, for [`Project::topic`],
    /// [`Project::schema`] and [`Project::captured`] (the first of a name wins, as V004 reports
    /// the others). Whoever makes a project calls it last: decoding, and the step that adds what
    /// Debezium sources declare implicitly.
    pub(crate) fn indexed(mut self) -> Self {
        self.topic_index.clear();
        for (i, topic) in self.topics.iter().enumerate() {
            self.topic_index.entry(topic.name.value.clone()).or_insert(i);
        }
        self.schema_index.clear();
        for (i, schema) in self.schemas.iter().enumerate() {
            self.schema_index.entry(schema.name.value.clone()).or_insert(i);
        }
        let mut captured: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (c, connector) in self.connectors.iter().enumerate().filter(|(_, c)| c.direction == Direction::Source) {
            for (t, table) in connector.tables.iter().enumerate() {
                captured.entry(table.topic.value.clone()).or_default().push((c, t));
            }
        }
        self.captured_index = captured;
        self
    }

    /// The source connectors that capture a table into `topic`, with the table, in project
    /// order. The rules ask per sink and per topic: indexed, not a scan of every connector.
    pub(crate) fn captured<'p>(&'p self, topic: &str) -> Vec<(&'p Connector, &'p CapturedTable)> {
        self.captured_index
            .get(topic)
            .into_iter()
            .flatten()
            .map(|&(c, t)| (&self.connectors[c], &self.connectors[c].tables[t]))
            .collect()
    }

    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.schema_index.get(name).and_then(|&i| self.schemas.get(i))
    }

    /// A topic's partition count: as declared, else 1.
    pub(crate) fn partitions(topic: &Topic) -> u32 {
        topic.partitions.as_ref().map_or(1, |p| p.value)
    }

    pub(crate) fn database(&self, name: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.name.value == name)
    }

    /// The ksqlDB version transforms are checked against.
    pub(crate) fn ksqldb_version(&self) -> &str {
        self.stack
            .as_ref()
            .and_then(|s| s.ksqldb.as_ref())
            .and_then(|k| k.version.as_ref())
            .map_or(DEFAULT_KSQLDB_VERSION, |v| v.value.as_str())
    }
}

pub(crate) const DEFAULT_KSQLDB_VERSION: &str = "0.29.0";

/// The local stack that `venice build` writes as a Compose file.
#[derive(Debug, Default)]
pub(crate) struct Stack {
    pub(crate) kafka: Option<KafkaService>,
    pub(crate) schema_registry: Option<Span>,
    pub(crate) ksqldb: Option<KsqldbService>,
    pub(crate) connect: Option<ConnectService>,
    pub(crate) postgres: Option<Span>,
    pub(crate) ui: Option<Spanned<String>>,
}

#[derive(Debug)]
pub(crate) struct KafkaService {
    pub(crate) brokers: Spanned<u32>,
    pub(crate) mode: Spanned<KafkaMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KafkaMode {
    Kraft,
    Zookeeper,
}

#[derive(Debug)]
pub(crate) struct KsqldbService {
    pub(crate) version: Option<Spanned<String>>,
}

#[derive(Debug, Default)]
pub(crate) struct ConnectService {
    pub(crate) span: Span,
    pub(crate) plugins: Vec<Spanned<String>>,
}

/// Where `venice apply` deploys.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) name: Spanned<String>,
    pub(crate) kafka: Vec<Spanned<String>>,
    /// TLS and SASL for the brokers (`tls`, `sasl` in the `kafka` node).
    pub(crate) kafka_security: KafkaSecurity,
    pub(crate) schema_registry: Option<Endpoint>,
    pub(crate) connect: Option<Endpoint>,
    pub(crate) ksqldb: Option<Endpoint>,
    /// `kafka brokers=`: how many brokers the target's cluster has, when declared.
    pub(crate) brokers: Option<Spanned<u32>>,
    /// What the target changes, for itself, of what the project declares.
    pub(crate) overrides: Overrides,
    /// Its principals, services' identities, grants and quotas.
    pub(crate) access: TargetAccess,
}

/// A service URL with optional credentials.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) url: Spanned<String>,
    pub(crate) user: Option<Credential>,
    pub(crate) password: Option<Credential>,
    pub(crate) token: Option<Credential>,
    /// `tls`: a CA bundle and a client certificate for an `https://` URL.
    pub(crate) tls: Option<Tls>,
}

/// A credential: a plain value (allowed for user names only) or a reference to a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    Literal(Spanned<String>),
    Env(Spanned<String>),
    File(Spanned<PathBuf>),
}

#[derive(Debug)]
pub(crate) struct Database {
    pub(crate) name: Spanned<String>,
    /// `None`: the stack's PostgreSQL service.
    pub(crate) host: Option<Spanned<String>>,
    pub(crate) port: Option<Spanned<u16>>,
    /// The database's own name; `None` means the node's name.
    pub(crate) db_name: Option<Spanned<String>>,
    pub(crate) user: Option<Credential>,
    pub(crate) password: Option<Credential>,
}

/// A schema declaration. Its text is loaded here; its meaning is the `avro` phase's business.
#[derive(Debug)]
pub struct Schema {
    pub name: Spanned<String>,
    pub doc: Option<String>,
    pub(crate) kind: SchemaKind,
    pub source: SchemaSource,
    /// The other schemas it uses (`reference` children), as the registry's `references`.
    pub(crate) references: Vec<SchemaReference>,
}

/// `reference NAME schema=OTHER subject=S`: a schema another one uses by `name` (a Protobuf
/// import's path, a JSON Schema `$ref`), registered under its own subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaReference {
    pub(crate) name: Spanned<String>,
    pub(crate) schema: Spanned<String>,
    pub(crate) subject: Option<Spanned<String>>,
}

impl SchemaReference {
    /// The subject it is registered under: its own, else its name, as Confluent's
    /// `DefaultReferenceSubjectNameStrategy` names a reference's subject.
    pub(crate) fn subject(&self) -> &str {
        self.subject.as_ref().map_or(&self.name.value, |s| &s.value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemaKind {
    Avro,
    JsonSchema,
    Protobuf,
}

#[derive(Debug)]
pub enum SchemaSource {
    /// A schema file, read into the source map (`None` when it could not be read: V006).
    File { path: Spanned<PathBuf>, file: Option<FileId> },
    /// Inline text (`avro=`), mapped back into venice.kdl.
    Inline(SourceText),
}

impl Schema {
    /// Whether [`Schema::text`] has a text to give: not when its file could not be read.
    pub(crate) fn has_text(&self) -> bool {
        !matches!(self.source, SchemaSource::File { file: None, .. })
    }

    /// The schema's text with its origin; `None` when its file could not be read.
    pub fn text(&self, sources: &crate::source::SourceMap) -> Option<SourceText> {
        match &self.source {
            SchemaSource::File { file: Some(file), .. } => {
                Some(SourceText::from_file(*file, sources.get(*file).text.clone()))
            }
            SchemaSource::File { file: None, .. } => None,
            SchemaSource::Inline(text) => Some(text.clone()),
        }
    }
}

/// A key or value serde: a format and, for schema formats, the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serde {
    pub format: Spanned<Format>,
    pub schema: Option<Spanned<String>>,
    /// For `protobuf`: the message of the schema written or read (`message=`), by full name.
    pub(crate) message: Option<Spanned<String>>,
}

#[derive(Debug)]
pub struct Topic {
    pub name: Spanned<String>,
    pub partitions: Option<Spanned<u32>>,
    pub replication: Option<Spanned<u32>>,
    pub key: Option<Serde>,
    pub value: Option<Serde>,
    pub compatibility: Option<Spanned<Compatibility>>,
    pub retention: Option<Spanned<Duration>>,
    pub cleanup: Option<Spanned<CleanupPolicy>>,
    pub config: Vec<ConfigEntry>,
}

/// `config "key" "value"`: a setting passed through.
#[derive(Debug, Clone)]
pub struct ConfigEntry {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
}

#[derive(Debug)]
pub struct Producer {
    pub name: Spanned<String>,
    pub(crate) topic: Spanned<String>,
    /// The principal it runs as (`principal=`), in a view as its target names it.
    pub(crate) principal: Option<Spanned<String>>,
    pub(crate) transactional_id: Option<Spanned<String>>,
    pub(crate) key: Option<Serde>,
    pub(crate) value: Option<Serde>,
}

#[derive(Debug)]
pub struct Consumer {
    pub name: Spanned<String>,
    pub(crate) topic: Spanned<String>,
    pub(crate) group: Option<Spanned<String>>,
    /// The principal it runs as (`principal=`), in a view as its target names it.
    pub(crate) principal: Option<Spanned<String>>,
    pub(crate) key: Option<Serde>,
    pub(crate) value: Option<Serde>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Source,
    Sink,
}

/// Which connector: a catalog entry, or any class passed through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectorKind {
    Catalog(Spanned<String>),
    Class(Spanned<String>),
}

/// A Kafka Connect source or sink.
#[derive(Debug)]
pub struct Connector {
    pub name: Spanned<String>,
    pub direction: Direction,
    /// `None` when neither `connector=` nor `class=` was given (V003).
    pub(crate) kind: Option<ConnectorKind>,
    /// `topic=`: the topic a sink reads, or the one topic a source writes.
    pub(crate) topic: Option<Spanned<String>>,
    pub(crate) database: Option<Spanned<String>>,
    /// A source's captured tables, each with its topic.
    pub(crate) tables: Vec<CapturedTable>,
    /// A sink's target table.
    pub(crate) table: Option<Spanned<String>>,
    pub(crate) file: Option<Spanned<String>>,
    pub(crate) unwrap: Option<Spanned<bool>>,
    pub(crate) mode: Option<Spanned<SinkMode>>,
    pub(crate) pk: Option<PrimaryKey>,
    pub(crate) deletes: Option<Spanned<bool>>,
    pub(crate) key: Option<Serde>,
    pub(crate) value: Option<Serde>,
    /// `tasks=`: the connector's `tasks.max`.
    pub(crate) tasks: Option<Spanned<u32>>,
    /// The principal its Kafka clients run as; `None`: the worker's.
    pub(crate) principal: Option<Spanned<String>>,
    pub config: Vec<ConfigEntry>,
}

impl Connector {
    /// The topics this connector writes (a source) or reads (a sink).
    pub(crate) fn topics(&self) -> impl Iterator<Item = &Spanned<String>> {
        self.topic.iter().chain(self.tables.iter().map(|t| &t.topic))
    }
}

#[derive(Debug)]
pub(crate) struct CapturedTable {
    pub(crate) table: Spanned<String>,
    pub(crate) topic: Spanned<String>,
    pub(crate) ddl: Option<SourceText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkMode {
    Insert,
    Upsert,
    Update,
}

#[derive(Debug, Clone)]
pub(crate) struct PrimaryKey {
    pub(crate) source: Spanned<PkSource>,
    pub(crate) fields: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PkSource {
    None,
    Kafka,
    RecordKey,
    RecordValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KsqlSourceKind {
    Stream,
    Table,
}

impl KsqlSourceKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            KsqlSourceKind::Stream => "stream",
            KsqlSourceKind::Table => "table",
        }
    }
}

/// `stream NAME topic=T` or `table NAME topic=T`: a ksqlDB source over a declared topic.
#[derive(Debug)]
pub struct KsqlSource {
    pub kind: KsqlSourceKind,
    pub(crate) name: Spanned<String>,
    pub(crate) doc: Option<String>,
    pub(crate) topic: Spanned<String>,
    pub(crate) key_column: Option<Spanned<String>>,
}

/// ksqlDB statements.
#[derive(Debug)]
pub struct Transform {
    pub name: Spanned<String>,
    /// `None` when the file could not be read (V006) or no SQL was given (V003).
    pub(crate) sql: Option<SourceText>,
}
