//! V102: the string-key pitfall. ksqlDB reads a key as a KAFKA string that is written as Avro,
//! JSON or another structured format, or the declared ksqlDB version reads every key as a string.

use super::topic_formats::{Verdict, compare, written};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{Format, Project, Side};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let old_version = reads_keys_as_strings(project.ksqldb_version()).then(|| project.ksqldb_version().to_string());
    for (topic, edges) in &analysis.edges {
        let Some(written) = written(project, topic, edges, Side::Key) else { continue };
        for reader in edges.readers.iter().filter(|r| r.is_ksql()) {
            let read = reader.key.as_ref().map(|k| k.format.value);
            let pitfall = match (&old_version, read) {
                // An old KSQL reads every key as a string, whatever the statement says.
                (Some(_), _) => !matches!(written.format, Format::String | Format::None | Format::Delimited),
                (None, Some(read)) => compare(written.format, read, Side::Key, true) == Verdict::StringKey,
                (None, None) => false,
            };
            if !pitfall {
                continue;
            }
            let span = reader.key.as_ref().map_or(reader.span, |k| k.format.span);
            diagnostics.push(Diagnostic::new(
                DiagnosticKind::StringKey {
                    topic: topic.clone(),
                    reader: reader.actor.describe(),
                    written: written.format,
                    writer: written.says(),
                    writer_span: written.span,
                    old_version: old_version.clone(),
                },
                span,
            ));
        }
    }
}

/// Whether a ksqlDB version reads every key as a KAFKA string: KSQL and ksqlDB before 0.15,
/// which introduced `KEY_FORMAT`. Versions of 5 and above are Confluent Platform releases (the
/// talk's "KSQL 5.4"); Confluent Platform 6.2 was the first to ship ksqlDB 0.15 or later.
pub fn reads_keys_as_strings(version: &str) -> bool {
    let mut parts = version.trim_start_matches('v').split('.').map(|p| p.parse::<u32>().ok());
    let (Some(Some(major)), minor) = (parts.next(), parts.next().flatten().unwrap_or(0)) else { return false };
    match major {
        0 => minor < 15,
        1..=4 => false,
        _ => (major, minor) < (6, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_before_key_formats_read_every_key_as_a_string() {
        for old in ["0.14.0", "0.6", "5.4.1", "6.1.0"] {
            assert!(reads_keys_as_strings(old), "{old}");
        }
        for new in ["0.15.0", "0.29.0", "6.2.0", "7.6.1", "nonsense"] {
            assert!(!reads_keys_as_strings(new), "{new}");
        }
    }
}
