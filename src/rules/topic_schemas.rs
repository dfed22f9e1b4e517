//! The schemas along the edges, for the schema rules (V203, V205): which schema a topic carries
//! on each side, which one each writer writes and each reader reads. Schemas of one type are
//! compared with each other: `of` picks the formats whose `schema=` is of that type.

use crate::model::{Actor, Format, Project, Serde, Side, Spanned, TopicEdges};

/// Whether `schema=` on a serde of this format names an Avro schema.
pub(crate) fn is_avro(format: Format) -> bool {
    matches!(format, Format::Avro | Format::AvroRaw)
}

/// The `schema=` of a serde whose format `of` picks, if it has one.
pub(crate) fn schema_of(serde: Option<&Serde>, of: fn(Format) -> bool) -> Option<&Spanned<String>> {
    serde.filter(|s| of(s.format.value)).and_then(|s| s.schema.as_ref())
}

/// The schema a declared topic names on a side, in a format `of` picks.
pub(crate) fn declared<'p>(
    project: &'p Project,
    topic: &str,
    side: Side,
    of: fn(Format) -> bool,
) -> Option<&'p Spanned<String>> {
    let topic = project.topic(topic)?;
    let serde = match side {
        Side::Key => topic.key.as_ref(),
        Side::Value => topic.value.as_ref(),
    };
    schema_of(serde, of)
}

/// One schema written to a topic, and by whom.
#[derive(Debug, Clone)]
pub(crate) struct Written<'p> {
    /// `producer \`web\``, or `the topic` when it is the topic's declaration.
    pub(crate) who: String,
    pub(crate) schema: &'p Spanned<String>,
}

/// The distinct schemas (in formats `of` picks) written to a topic on a side: each writer's own
/// `schema=`, else (a writer that follows the topic, or no writer at all) the topic's declared one.
pub(crate) fn written<'p>(
    project: &'p Project,
    topic: &str,
    edges: &'p TopicEdges,
    side: Side,
    of: fn(Format) -> bool,
) -> Vec<Written<'p>> {
    let declared = declared(project, topic, side, of);
    let mut out: Vec<Written> = Vec::new();
    let mut add = |who: String, schema: &'p Spanned<String>| {
        if !out.iter().any(|w| w.schema.value == schema.value) {
            out.push(Written { who, schema });
        }
    };
    for writer in &edges.writers {
        match (writer.serde(side), declared) {
            (Some(serde), _) => {
                if let Some(schema) = schema_of(Some(serde), of) {
                    add(writer.actor.describe(), schema);
                }
            }
            (None, Some(schema)) => add("the topic".into(), schema),
            (None, None) => {}
        }
    }
    if edges.writers.is_empty()
        && let Some(schema) = declared
    {
        add("the topic".into(), schema);
    }
    out
}

/// The Avro schema a topic carries on a side: its declared one, else the first a writer names.
pub(crate) fn carried<'p>(
    project: &'p Project,
    topic: &str,
    edges: &'p TopicEdges,
    side: Side,
) -> Option<&'p Spanned<String>> {
    declared(project, topic, side, is_avro)
        .or_else(|| written(project, topic, edges, side, is_avro).first().map(|w| w.schema))
}

/// Whether an actor is a ksqlDB stream or table that reads a topic.
pub(crate) fn is_ksql_reader(actor: &Actor) -> bool {
    matches!(actor, Actor::Ksql { .. })
}
