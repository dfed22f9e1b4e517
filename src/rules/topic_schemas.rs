//! The Avro schemas along the edges, for the schema rules (V203, V205): which schema a topic
//! carries on each side, which one each writer writes and each reader reads.

use crate::model::{Actor, Format, Project, Serde, Side, Spanned, TopicEdges};

/// Whether `schema=` on a serde of this format names an Avro schema.
pub(crate) fn is_avro(format: Format) -> bool {
    matches!(format, Format::Avro | Format::AvroRaw)
}

/// The Avro `schema=` of a serde, if it has one.
pub(crate) fn avro_schema(serde: Option<&Serde>) -> Option<&Spanned<String>> {
    serde.filter(|s| is_avro(s.format.value)).and_then(|s| s.schema.as_ref())
}

/// The Avro schema a declared topic names on a side.
pub(crate) fn declared<'p>(project: &'p Project, topic: &str, side: Side) -> Option<&'p Spanned<String>> {
    let topic = project.topic(topic)?;
    avro_schema(match side {
        Side::Key => topic.key.as_ref(),
        Side::Value => topic.value.as_ref(),
    })
}

/// One schema written to a topic, and by whom.
#[derive(Debug, Clone)]
pub(crate) struct Written<'p> {
    /// `producer \`web\``, or `the topic` when it is the topic's declaration.
    pub(crate) who: String,
    pub(crate) schema: &'p Spanned<String>,
}

/// The distinct Avro schemas written to a topic on a side: each writer's own `schema=`, else (a
/// writer that follows the topic, or no writer at all) the topic's declared one.
pub(crate) fn written<'p>(project: &'p Project, topic: &str, edges: &'p TopicEdges, side: Side) -> Vec<Written<'p>> {
    let declared = declared(project, topic, side);
    let mut out: Vec<Written> = Vec::new();
    let mut add = |who: String, schema: &'p Spanned<String>| {
        if !out.iter().any(|w| w.schema.value == schema.value) {
            out.push(Written { who, schema });
        }
    };
    for writer in &edges.writers {
        match (writer.serde(side), declared) {
            (Some(serde), _) => {
                if let Some(schema) = avro_schema(Some(serde)) {
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
    declared(project, topic, side).or_else(|| written(project, topic, edges, side).first().map(|w| w.schema))
}

/// Whether an actor is a ksqlDB stream or table that reads a topic.
pub(crate) fn is_ksql_reader(actor: &Actor) -> bool {
    matches!(actor, Actor::Ksql { .. })
}
