//! What each topic carries on the wire, side by side: the format its key and value are written
//! in, and where that comes from. The serde rules (V101 to V109) compare readers and writers
//! against it.

use super::Rule;
use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::{Actor, Edge, Format, Project, Side, TopicEdges};
use crate::source::Span;

/// The format a topic's key or value is written in, and who says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    pub(crate) format: Format,
    /// The declaration on the topic, or the writer it was taken from.
    pub(crate) origin: Origin,
    pub(crate) span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Declared,
    Writer(Actor),
}

impl Written {
    /// Who says what is written, as the subject of a sentence: `the topic declares` or
    /// `producer \`web\` writes`.
    pub(crate) fn says(&self) -> String {
        match &self.origin {
            Origin::Declared => "the topic declares".into(),
            Origin::Writer(actor) => format!("{} writes", actor.describe()),
        }
    }
}

/// The format of one side of a topic: the topic's declaration, else its first writer that states
/// one. `None` when neither says (V109 when nothing could say, later phases when ksqlDB infers it).
pub(crate) fn written(project: &Project, topic: &str, edges: &TopicEdges, side: Side) -> Option<Written> {
    let declared = project.topic(topic).and_then(|t| match side {
        Side::Key => t.key.as_ref(),
        Side::Value => t.value.as_ref(),
    });
    if let Some(serde) = declared {
        return Some(Written { format: serde.format.value, origin: Origin::Declared, span: serde.format.span });
    }
    edges.writers.iter().find_map(|edge| {
        let serde = edge.serde(side)?;
        Some(Written {
            format: serde.format.value,
            origin: Origin::Writer(edge.actor.clone()),
            span: serde.format.span,
        })
    })
}

/// How a reader's format relates to what is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Fits,
    /// `avro` against `avro-raw`, `json-sr` against `json`: the same encoding, with and without
    /// the registry's framing (V104).
    Framing,
    /// `json` against `connect-json`: the same syntax, a different envelope (V105).
    Envelope,
    /// ksqlDB reads a structured key as a KAFKA string (V102).
    StringKey,
    /// Any other difference (V101, V103).
    Differs,
}

/// Compares a reader's format with the written one.
pub(crate) fn compare(written: Format, read: Format, side: Side, reader_is_ksql: bool) -> Verdict {
    use Format::*;
    match (written, read) {
        _ if written == read => Verdict::Fits,
        // `bytes` reads anything; CSV is UTF-8 text either way.
        (_, Bytes) | (Delimited, String) | (String, Delimited) => Verdict::Fits,
        (Avro, AvroRaw) | (AvroRaw, Avro) | (JsonSr, Json) | (Json, JsonSr) => Verdict::Framing,
        (Json, ConnectJson) | (ConnectJson, Json) => Verdict::Envelope,
        (w, String) if side == Side::Key && reader_is_ksql && w.is_structured() => Verdict::StringKey,
        _ => Verdict::Differs,
    }
}

/// Each reader of each topic, with the reader's format on `side` and what is written there, for
/// the rules that compare them.
pub(crate) fn reader_pairs<'a>(
    project: &'a Project,
    analysis: &'a Analysis,
    side: Side,
) -> Vec<(&'a str, &'a Edge, Format, Written)> {
    let mut pairs = Vec::new();
    for (topic, edges) in &analysis.edges {
        let Some(written) = written(project, topic, edges, side) else { continue };
        for reader in &edges.readers {
            if let Some(serde) = reader.serde(side) {
                pairs.push((topic.as_str(), reader, serde.format.value, written.clone()));
            }
        }
    }
    pairs
}

/// How V101 and V103 are checked (their status).
pub(crate) const INFERRED_FORMATS: &str = "every ksqlDB statement's formats are compared, stated or inferred (inherited from the query's source, else the defaults); a query over a `stream`/`table` whose topic declares no format inherits none, and that edge is not compared (V109 reports the topic)";

/// A reader that expects another format than the one written: the facts of V101, V103, V104
/// and V105.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReaderMismatch {
    pub(crate) side: Side,
    pub(crate) topic: String,
    pub(crate) reader: String,
    pub(crate) read: Format,
    pub(crate) written: Format,
    /// Who says what is written, as a sentence's subject (`the topic declares`), and where.
    pub(crate) writer: String,
    pub(crate) writer_span: Span,
}

impl ReaderMismatch {
    /// The diagnostic of `rule` about the mismatch: the four codes word it alike, but for `help`.
    pub(crate) fn diagnostic(&self, rule: &Rule, span: Span, help: String) -> Diagnostic {
        let ReaderMismatch { side, topic, reader, read, written, writer, writer_span } = self;
        let message =
            format!("{reader} reads the {} of topic `{topic}` as `{read}`, but {writer} `{written}`", side.as_str());
        rule.diagnostic(span, message, format!("reads `{read}`"))
            .with_label(*writer_span, format!("`{written}` here"))
            .with_help(help)
    }

    /// The help of V101 and V103, where the formats differ altogether.
    pub(crate) fn differs_help(&self) -> String {
        format!(
            "read the {} as `{}` (or as `bytes`, uninterpreted), or change what is written",
            self.side.as_str(),
            self.written
        )
    }
}

/// The readers whose format on `side` gets `verdict` against what is written, as diagnostics
/// that `word` words (V101, V103, V104, V105 share this).
pub(crate) fn reader_mismatches(
    project: &Project,
    analysis: &Analysis,
    side: Side,
    verdicts: &[Verdict],
    word: fn(&ReaderMismatch, Span) -> Diagnostic,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (topic, reader, read, written) in reader_pairs(project, analysis, side) {
        if !verdicts.contains(&compare(written.format, read, side, reader.is_ksql())) {
            continue;
        }
        let span = reader.serde(side).map_or(reader.span, |s| s.format.span);
        let mismatch = ReaderMismatch {
            side,
            topic: topic.to_string(),
            reader: reader.actor.describe(),
            read,
            written: written.format,
            writer: written.says(),
            writer_span: written.span,
        };
        diagnostics.push(word(&mismatch, span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Format::*;

    #[test]
    fn bytes_reads_anything_and_near_misses_get_their_own_verdicts() {
        assert_eq!(compare(Avro, Bytes, Side::Key, false), Verdict::Fits);
        assert_eq!(compare(Avro, AvroRaw, Side::Value, false), Verdict::Framing);
        assert_eq!(compare(ConnectJson, Json, Side::Value, false), Verdict::Envelope);
        assert_eq!(compare(JsonSr, Json, Side::Value, true), Verdict::Framing);
        assert_eq!(compare(Json, JsonSr, Side::Key, false), Verdict::Framing);
        assert_eq!(compare(JsonSr, ConnectJson, Side::Value, false), Verdict::Differs);
        assert_eq!(compare(Avro, String, Side::Key, true), Verdict::StringKey);
        assert_eq!(compare(Avro, String, Side::Key, false), Verdict::Differs);
        assert_eq!(compare(Avro, String, Side::Value, true), Verdict::Differs);
        assert_eq!(compare(Int, String, Side::Key, true), Verdict::Differs);
        assert_eq!(compare(Delimited, String, Side::Value, false), Verdict::Fits);
    }
}
