//! V102: the string-key pitfall. ksqlDB reads a key as a KAFKA string that is written as Avro,
//! JSON or another structured format, or the declared ksqlDB version reads every key as a string.

use super::topic_formats::{Verdict, compare, written};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Format, Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V102",
    name: "string-key pitfall",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v102_string_key.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
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
            let pitfall = StringKey {
                topic: topic.clone(),
                reader: reader.actor.describe(),
                written: written.format,
                writer: written.says(),
                writer_span: written.span,
                old_version: old_version.clone(),
            };
            diagnostics.push(pitfall.diagnostic(span));
        }
    }
}

/// Whether a ksqlDB version reads every key as a KAFKA string: KSQL and ksqlDB before 0.15,
/// which introduced `KEY_FORMAT`. Versions of 5 and above are Confluent Platform releases (the
/// talk's "KSQL 5.4"); Confluent Platform 6.2 was the first to ship ksqlDB 0.15 or later.
pub(crate) fn reads_keys_as_strings(version: &str) -> bool {
    let mut parts = version.trim_start_matches('v').split('.').map(|p| p.parse::<u32>().ok());
    let (Some(Some(major)), minor) = (parts.next(), parts.next().flatten().unwrap_or(0)) else { return false };
    match major {
        0 => minor < 15,
        1..=4 => false,
        _ => (major, minor) < (6, 2),
    }
}

/// The facts of a V102: ksqlDB reads a structured key as a KAFKA string.
struct StringKey {
    topic: String,
    reader: String,
    written: Format,
    writer: String,
    writer_span: Span,
    /// Set when the declared ksqlDB version reads every key as a string.
    old_version: Option<String>,
}

impl StringKey {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let StringKey { topic, reader, written, writer, writer_span, old_version } = self;
        let message = match old_version {
            None => format!(
                "string-key pitfall: {reader} reads the key of topic `{topic}` as a KAFKA string, but {writer} `{written}` keys"
            ),
            Some(version) => format!(
                "string-key pitfall: ksqlDB {version} reads every key as a string, so {reader} reads the `{written}` keys of topic `{topic}` as text"
            ),
        };
        let bytes = string_key_bytes(*written);
        let fix = match old_version {
            None => format!("declare `KEY_FORMAT='{}'` (ksqlDB 0.15 or later)", ksql_format_name(*written)),
            Some(_) => "use ksqlDB 0.15 or later, whose `KEY_FORMAT` can read it".into(),
        };
        RULE.diagnostic(span, message, "reads the key as a string")
            .with_label(*writer_span, format!("`{written}` keys here"))
            .with_help(format!(
                "ksqlDB would keep each key as the text of its bytes ({bytes}), write that text as the key of what it produces, and a sink downstream would store it; {fix}, or write `string` keys"
            ))
    }
}

/// What the string-key pitfall turns a key written in `format` into, in words.
fn string_key_bytes(format: Format) -> &'static str {
    match format {
        Format::Avro | Format::JsonSr | Format::Protobuf => {
            "the magic byte 0x00, the 4-byte schema id, then the encoded record"
        }
        Format::AvroRaw => "raw Avro binary",
        Format::Json => "the JSON document as text, quotes and braces included",
        Format::ConnectJson => "the whole {\"schema\": ..., \"payload\": ...} envelope as text",
        _ => "the key's bytes",
    }
}

/// The ksqlDB format that reads `format` (the serde table of docs/language.md).
fn ksql_format_name(format: Format) -> &'static str {
    match format {
        Format::Avro => "AVRO",
        Format::JsonSr => "JSON_SR",
        Format::Protobuf => "PROTOBUF",
        Format::Json => "JSON",
        Format::Delimited => "DELIMITED",
        Format::None => "NONE",
        _ => "KAFKA",
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
