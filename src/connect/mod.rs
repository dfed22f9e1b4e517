//! Kafka Connect: the connector catalog, the configs Venice renders for it, the record schemas
//! a Debezium source writes (derived from the table's DDL), and the table a JDBC sink writes.
//!
//! - `catalog`: one entry per connector kind (`jdbc`, `debezium-jdbc`, `debezium-postgres`,
//!   `file`, or any `class=`), with its Java class, direction, plugin and required settings.
//! - `render`: the JSON body of `PUT /connectors/<name>/config`, converters per the serde table
//!   of docs/language.md, secrets as config-provider references.
//! - `derive`: PostgreSQL DDL to the Kafka Connect schemas Debezium writes (key, envelope, row).
//! - `avro`: a Connect schema as the Avro schema an `AvroConverter` registers for it.
//! - `sink_table`: the value schema a sink reads, and the `CREATE TABLE` a JDBC sink writes.
//!
//! [`derive_schemas`] is a phase of `venice check`, between `resolve` and `avro`: it turns what
//! each Debezium source derives from its DDL into Avro schemas of the project, so the schema
//! checks and ksqlDB see them as they see a `schema` node.

pub(crate) mod avro;
pub mod catalog;
pub(crate) mod derive;
pub(crate) mod render;

pub(crate) use catalog::Kind;
pub(crate) use render::{qualified, topic_prefix};

use crate::model::{
    CapturedTable, Connector, Direction, Format, Project, Schema, SchemaKind, SchemaSource, Side, SourceText, Spanned,
};
use crate::source::SourceMap;

/// Which Schema Registry the converters talk to. Both write the same wire format for Avro
/// (magic byte 0, a 4-byte schema id, the Avro datum): Apicurio 3.x's converter defaults to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistryFlavour {
    /// Confluent's converters (`io.confluent.connect.*`) with `schema.registry.url`.
    #[default]
    Confluent,
    /// Apicurio Registry 3.x's `AvroConverter` with `apicurio.registry.url` (its native v3 API).
    Apicurio,
}

/// Where the rendered config will run: the registry flavour and the URLs the worker reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub registry: RegistryFlavour,
    /// The registry's URL as the Connect worker sees it. For Apicurio, its v3 API
    /// (`http://host:8080/apis/registry/v3`); for Confluent, the registry's root.
    pub registry_url: String,
    /// The host of the stack's PostgreSQL service, for databases without `host`.
    pub postgres_host: String,
    /// The folder in the Connect worker that holds the secrets given by `file=` (each file
    /// under its own name), read through Kafka's `DirectoryConfigProvider`. Docker Compose
    /// mounts its secrets at `/run/secrets`.
    pub secrets_dir: String,
}

impl Deployment {
    /// The local stack of `venice build`: Confluent's registry at `schema-registry:8081` and
    /// PostgreSQL at `postgres`, the Compose service names.
    pub fn local() -> Self {
        Deployment {
            registry: RegistryFlavour::Confluent,
            registry_url: "http://schema-registry:8081".into(),
            postgres_host: "postgres".into(),
            secrets_dir: "/run/secrets".into(),
        }
    }
}

/// The JSON body of `PUT /connectors/<name>/config`: every key the connector needs, sorted,
/// converters per the serde table of docs/language.md, secrets as `${env:VAR}` config-provider references.
///
/// Renders for the local stack ([`Deployment::local`]); [`connector_config_for`] takes another.
pub fn connector_config(project: &Project, connector: &Connector) -> serde_json::Map<String, serde_json::Value> {
    connector_config_for(project, connector, &Deployment::local())
}

/// [`connector_config`] for a given deployment (registry flavour and URLs).
pub fn connector_config_for(
    project: &Project,
    connector: &Connector,
    deployment: &Deployment,
) -> serde_json::Map<String, serde_json::Value> {
    render::config(project, connector, deployment)
        .into_iter()
        .map(|(key, value)| (key, serde_json::Value::String(value)))
        .collect()
}

/// How the `doc` of a schema that [`derive_schemas`] adds begins.
pub(crate) const DERIVED_DOC: &str = "Derived by venice from the DDL of";

/// Whether the schema of this name is one [`derive_schemas`] added: what a Debezium source will
/// register itself (its `AvroConverter` auto-registers), so `venice build` need not.
pub fn is_derived(project: &Project, schema: &str) -> bool {
    project.schema(schema).and_then(|s| s.doc.as_deref()).is_some_and(|d| d.starts_with(DERIVED_DOC))
}

/// Derives, for each table a Debezium source captures with `ddl=` and writes as `avro`, the Avro
/// schemas of its key and value (the change envelope, or the row with `unwrap #true`), named
/// after the registry subjects (`<topic>-key`, `<topic>-value`; a `schema` node of that name
/// wins). The schema texts join the source map beside the DDL file
/// (`sql/orders.sql#shop.public.orders-value.avsc`), so a problem in them can be shown.
///
/// A source with `ddl=` declares those schemas as surely as a `schema` node would, only
/// implicitly: [`Implied::complete`] makes them explicit in the project, before `resolve`,
/// whose edges copy the serdes.
pub(crate) fn derive_schemas(project: &Project, sources: &mut SourceMap) -> Implied {
    // Each table's derivation and schema texts, on every core: the DDL parse and the JSON are
    // most of the work, and tables derive on their own.
    let captured: Vec<(usize, &Connector, &CapturedTable, &SourceText)> = project
        .connectors
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.direction == Direction::Source && catalog::of(c).is_some_and(|e| e.kind == Kind::DebeziumPostgres)
        })
        .flat_map(|(index, c)| c.tables.iter().filter_map(move |t| Some((index, c, t, t.ddl.as_ref()?))))
        .collect();
    let derived = crate::parallel::map_on_every_core(&captured, TABLES_PER_TASK, |&(_, connector, table, ddl)| {
        let derivation = derive::derive(&topic_prefix(connector), table, ddl, derive::Options::of(connector));
        let topic = project.topic(&table.topic.value);
        let texts = derivation.as_ref().map(|derived| derived_texts(topic, connector, derived)).unwrap_or_default();
        (derivation, texts)
    });
    let mut implied = Implied::default();
    // The schemas added so far, by name: a project has thousands.
    let mut added_names: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (&(index, connector, table, ddl), (derivation, texts)) in captured.iter().zip(derived) {
        let table_name = derivation.as_ref().map(|d| d.table.clone()).unwrap_or_default();
        implied.derivations.insert(table, derivation);
        let only = (connector.tables.len() == 1).then_some(index);
        for (side, text) in texts {
            let name = format!("{}-{}", table.topic.value, side.as_str());
            if project.schema(&name).is_some() || !added_names.insert(name.clone()) {
                continue;
            }
            let path = format!("{}#{name}.avsc", sources.get(ddl.file()).path.display());
            let file = sources.add(path.into(), text.clone());
            let schema = Schema {
                name: Spanned::new(name, table.table.span),
                doc: Some(format!("{DERIVED_DOC} `{table_name}` (source `{}`)", connector.name.value)),
                kind: SchemaKind::Avro,
                source: SchemaSource::Inline(SourceText::from_file(file, text)),
                references: Vec::new(),
            };
            implied.added.push(Added { topic: table.topic.value.clone(), side, only_table_of: only, schema });
        }
    }
    implied
}

/// What Debezium sources declare implicitly: the schemas derived from their DDL, and each
/// captured table's derivation (or why it failed).
#[derive(Debug, Default)]
pub(crate) struct Implied {
    added: Vec<Added>,
    derivations: derive::Derivations,
}

#[derive(Debug)]
struct Added {
    topic: String,
    side: Side,
    /// The connector's index, when the table is its only one: its own serde names the schema.
    only_table_of: Option<usize>,
    schema: Schema,
}

impl Implied {
    /// The derived schemas, in the order they join the project.
    pub(crate) fn schemas(&self) -> impl Iterator<Item = &Schema> {
        self.added.iter().map(|a| &a.schema)
    }

    /// The project with the derived schemas declared: each joins the schemas, and a topic that
    /// declares `avro` without `schema=`, and the source's own serde when the table is its only
    /// one, name it. Also gives the derivations.
    pub(crate) fn complete(self, mut project: Project) -> (Project, derive::Derivations) {
        if self.added.is_empty() {
            return (project, self.derivations);
        }
        for Added { topic, side, only_table_of, schema } in self.added {
            let name = schema.name.value.clone();
            let name_it = |serde: Option<&mut crate::model::Serde>| {
                if let Some(serde) =
                    serde.filter(|s| s.schema.is_none() && matches!(s.format.value, Format::Avro | Format::AvroRaw))
                {
                    serde.schema = Some(Spanned::new(name.clone(), serde.format.span));
                }
            };
            if let Some(declared) = project.topics.iter_mut().find(|t| t.name.value == topic) {
                name_it(match side {
                    Side::Key => declared.key.as_mut(),
                    Side::Value => declared.value.as_mut(),
                });
            }
            if let Some(connector) = only_table_of.and_then(|i| project.connectors.get_mut(i)) {
                name_it(match side {
                    Side::Key => connector.key.as_mut(),
                    Side::Value => connector.value.as_mut(),
                });
            }
            project.schemas.push(schema);
        }
        (project.indexed(), self.derivations)
    }
}

/// How many captured tables a task derives at least: each is a DDL parse and two JSON texts.
const TABLES_PER_TASK: usize = 4;

/// The Avro texts, key then value, that a Debezium source writes for a table in `avro`: the
/// side's serde is the connector's own, or else that of the table's `topic`.
fn derived_texts(
    topic: Option<&crate::model::Topic>,
    connector: &Connector,
    derived: &derive::Derived,
) -> Vec<(Side, String)> {
    let unwrap = connector.unwrap.as_ref().is_some_and(|u| u.value);
    let mut texts = Vec::new();
    for side in [Side::Key, Side::Value] {
        let own = match side {
            Side::Key => connector.key.as_ref(),
            Side::Value => connector.value.as_ref(),
        };
        let declared = topic.and_then(|t| match side {
            Side::Key => t.key.as_ref(),
            Side::Value => t.value.as_ref(),
        });
        let format = own.or(declared).map(|s| s.format.value);
        if !matches!(format, Some(Format::Avro | Format::AvroRaw)) {
            continue;
        }
        let Some(connect) = (match side {
            Side::Key => derived.key.as_ref(),
            Side::Value => Some(derived.value(unwrap)),
        }) else {
            continue;
        };
        let mut avro = avro::avro_schema(connect, &|f| derived.precision(f));
        if side == Side::Value && !unwrap {
            avro::debezium_envelope_details(&mut avro);
        }
        texts.push((side, serde_json::to_string_pretty(&avro).unwrap_or_default() + "\n"));
    }
    texts
}
