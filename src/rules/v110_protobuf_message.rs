//! V110: a Protobuf message that is not the one written. A `.proto` may hold several messages;
//! a record names its message by the indexes after the schema id (`MessageIndexes`, written by
//! `KafkaProtobufSerializer` for the message it serializes). A reader bound to one message
//! (`KafkaProtobufDeserializer` with `specific.protobuf.value.type`, the class it parses with)
//! ignores the indexes and parses the bytes as its own message (`AbstractKafkaProtobufDeserializer`):
//! another message's fields come out under the wrong names and types, or the parse fails. A
//! reader that names no message (Connect's `ProtobufConverter`, a `DynamicMessage` consumer)
//! follows the indexes and reads whichever message was written.
//!
//! Each serde's `message=` (default: the schema's first message, as `ProtobufSchema` takes it)
//! is compared with what the topic carries: its declaration, else its first writer's. A
//! `message=` the schema does not define is reported too: the serializer has no such message to
//! write (`ProtobufSchema.toDescriptor(name)` finds none).

use super::topic_formats::Origin;
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity, suggest};
use crate::model::{Edge, Format, Project, Serde, Side, Spanned, TopicEdges};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V110",
    name: "Protobuf message mismatch",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v110_protobuf_message.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for (topic, edges) in &analysis.edges {
        for side in [Side::Key, Side::Value] {
            check_side(project, analysis, topic, edges, side, diagnostics);
        }
    }
}

/// A serde's message: the full name it names (or the schema's first), with the schema's name,
/// and where to point.
struct Bound {
    schema: String,
    message: String,
    span: Span,
}

fn check_side(
    project: &Project,
    analysis: &Analysis,
    topic: &str,
    edges: &TopicEdges,
    side: Side,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let declared = project.topic(topic).and_then(|t| if side == Side::Key { t.key.as_ref() } else { t.value.as_ref() });
    let mut written: Option<(Bound, Origin)> = None;
    if let Some(serde) = declared {
        written = bound(analysis, serde, diagnostics).map(|b| (b, Origin::Declared));
    }
    for writer in &edges.writers {
        let Some(serde) = writer.serde(side) else { continue };
        let Some(bound) = bound(analysis, serde, diagnostics) else { continue };
        match &written {
            None => written = Some((bound, Origin::Writer(writer.actor.clone()))),
            Some(reference) if serde.message.is_some() => {
                compare(topic, side, (writer, "writes"), &bound, reference, diagnostics)
            }
            Some(_) => {}
        }
    }
    for reader in &edges.readers {
        let Some(serde) = reader.serde(side) else { continue };
        let Some(bound) = bound(analysis, serde, diagnostics) else { continue };
        // A reader that names no message follows the record's indexes.
        if let (Some(reference), Some(_)) = (&written, &serde.message) {
            compare(topic, side, (reader, "reads"), &bound, reference, diagnostics);
        }
    }
}

/// The message a Protobuf serde with a schema binds, reporting a `message=` the schema does not
/// define. `None` when the serde is not Protobuf, names no schema, or the schema does not parse.
fn bound(analysis: &Analysis, serde: &Serde, diagnostics: &mut Vec<Diagnostic>) -> Option<Bound> {
    if serde.format.value != Format::Protobuf {
        return None;
    }
    let name = serde.schema.as_ref()?;
    let schema = analysis.protobuf.schema(&name.value)?;
    let asked = serde.message.as_ref();
    match schema.message(asked.map(|m| m.value.as_str())) {
        Some((message, _)) => {
            Some(Bound { schema: name.value.clone(), message, span: asked.map_or(name.span, |m| m.span) })
        }
        None => {
            if let Some(asked) = asked {
                let names: Vec<String> = schema.messages().into_iter().map(|(n, _)| n).collect();
                diagnostics.push(unknown(asked, name, &names));
            }
            None
        }
    }
}

/// `edge` (a writer or a reader, with its verb) binding `bound` where the topic carries
/// `reference`, which `origin` says.
fn compare(
    topic: &str,
    side: Side,
    (edge, verb): (&Edge, &str),
    bound: &Bound,
    (reference, origin): &(Bound, Origin),
    diagnostics: &mut Vec<Diagnostic>,
) {
    if bound.message == reference.message || bound.span == reference.span {
        return;
    }
    let who = edge.actor.describe();
    let says = match origin {
        Origin::Declared => "the topic declares".to_string(),
        Origin::Writer(actor) => format!("{} writes", actor.describe()),
    };
    let message = format!(
        "{who} {verb} the {} of topic `{topic}` as message `{}`, but {says} `{}`",
        side.as_str(),
        bound.message,
        reference.message
    );
    let fix = if verb == "reads" {
        "name the written message in `message=`, or leave `message=` out to read whichever message each record's indexes name (a `DynamicMessage`, as Connect's `ProtobufConverter` does)"
    } else {
        "write the message the topic carries, or another topic for the other message"
    };
    diagnostics.push(
        RULE.diagnostic(bound.span, message, format!("message `{}` of `{}`", bound.message, bound.schema))
            .with_label(reference.span, format!("message `{}` here", reference.message))
            .with_help(format!(
                "a record's message indexes name the message written; a reader bound to another parses the bytes as its own; {fix}"
            )),
    );
}

fn unknown(asked: &Spanned<String>, schema: &Spanned<String>, names: &[String]) -> Diagnostic {
    let message = format!("schema `{}` defines no message `{}`", schema.value, asked.value);
    let help = match suggest(&asked.value, names.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("name a message by its full name, package included: {}", list(names)),
    };
    RULE.diagnostic(asked.span, message, "no such message")
        .with_label(schema.span, format!("schema `{}`", schema.value))
        .with_help(help)
}

fn list(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
