//! V107: the windowed key of a ksqlDB windowed aggregation read as a plain key.

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{Format, Project};

pub fn check(_: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
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
                diagnostics.push(Diagnostic::new(
                    DiagnosticKind::WindowedKey {
                        topic: topic.clone(),
                        reader: reader.actor.describe(),
                        writer: writer.actor.describe(),
                        writer_span: writer.span,
                    },
                    span,
                ));
            }
        }
    }
}
