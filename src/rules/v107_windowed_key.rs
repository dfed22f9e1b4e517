//! V107: the windowed key of a ksqlDB windowed aggregation read as a plain key.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Format, Project};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V107",
    name: "windowed key read as a plain key",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v107_windowed_key.md"),
};

pub(crate) fn check(_: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for (topic, edges) in &analysis.edges {
        let Some(writer) = edges.writers.iter().find(|w| w.windowed) else { continue };
        for reader in &edges.readers {
            let plain = match &reader.key {
                // `bytes` takes the key uninterpreted, window included.
                Some(key) => key.format.value != Format::Bytes && !reader.windowed,
                None => reader.is_ksql() && !reader.windowed,
            };
            if plain {
                let span = reader.key.as_ref().map_or(reader.span, |k| k.format.span);
                let windowed = WindowedKey {
                    topic: topic.clone(),
                    reader: reader.actor.describe(),
                    writer: writer.actor.describe(),
                    writer_span: writer.span,
                };
                diagnostics.push(windowed.diagnostic(span));
            }
        }
    }
}

/// The facts of a V107.
struct WindowedKey {
    topic: String,
    reader: String,
    writer: String,
    writer_span: Span,
}

impl WindowedKey {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let WindowedKey { topic, reader, writer, writer_span } = self;
        let message = format!("{reader} reads the windowed key that {writer} writes to topic `{topic}` as a plain key");
        RULE.diagnostic(span, message, "reads a plain key")
            .with_label(*writer_span, "a windowed aggregation writes it")
            .with_help("read the key as `bytes` and split off the window, declare `WINDOW_TYPE` on the ksqlDB source, or re-key the table without its window before it reaches this reader")
    }
}
