//! The small vocabularies of the language: serde formats, compatibility levels, durations.

use std::fmt;

/// A serde format: exactly what bytes are on the wire (docs/language.md, "Serdes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    String,
    Int,
    Long,
    Double,
    Bytes,
    None,
    Json,
    ConnectJson,
    JsonSr,
    Avro,
    AvroRaw,
    Protobuf,
    Delimited,
}

impl Format {
    pub(crate) const ALL: [Format; 13] = [
        Format::String,
        Format::Int,
        Format::Long,
        Format::Double,
        Format::Bytes,
        Format::None,
        Format::Json,
        Format::ConnectJson,
        Format::JsonSr,
        Format::Avro,
        Format::AvroRaw,
        Format::Protobuf,
        Format::Delimited,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::String => "string",
            Format::Int => "int",
            Format::Long => "long",
            Format::Double => "double",
            Format::Bytes => "bytes",
            Format::None => "none",
            Format::Json => "json",
            Format::ConnectJson => "connect-json",
            Format::JsonSr => "json-sr",
            Format::Avro => "avro",
            Format::AvroRaw => "avro-raw",
            Format::Protobuf => "protobuf",
            Format::Delimited => "delimited",
        }
    }

    pub(crate) fn parse(word: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == word)
    }

    /// The format a ksqlDB `KEY_FORMAT`/`VALUE_FORMAT` reads and writes. `KAFKA` depends on the
    /// column's SQL type, when it is known (docs/language.md, "Serdes").
    pub(crate) fn from_ksql(format: &str, kafka_type: Option<&str>) -> Option<Format> {
        Some(match format.to_uppercase().as_str() {
            "AVRO" => Format::Avro,
            "JSON" => Format::Json,
            "JSON_SR" => Format::JsonSr,
            "PROTOBUF" => Format::Protobuf,
            "DELIMITED" => Format::Delimited,
            "NONE" => Format::None,
            "KAFKA" => match kafka_type?.to_uppercase().as_str() {
                "STRING" | "VARCHAR" => Format::String,
                "INT" | "INTEGER" => Format::Int,
                "BIGINT" => Format::Long,
                "DOUBLE" => Format::Double,
                "BYTES" => Format::Bytes,
                _ => return None,
            },
            _ => return None,
        })
    }

    /// Whether the bytes hold structure (a record, a document) rather than one primitive value:
    /// what the string-key pitfall turns into garbage text.
    pub(crate) fn is_structured(self) -> bool {
        matches!(
            self,
            Format::Json | Format::ConnectJson | Format::JsonSr | Format::Avro | Format::AvroRaw | Format::Protobuf
        )
    }

    /// Whether records in this format carry a schema that a registry or a reader can use.
    pub(crate) fn has_schema(self) -> bool {
        matches!(self, Format::ConnectJson | Format::JsonSr | Format::Avro | Format::Protobuf)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Schema Registry compatibility level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compatibility {
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl Compatibility {
    /// A level as venice.kdl (`backward-transitive`) or the Schema Registry
    /// (`BACKWARD_TRANSITIVE`) spells it, in any case, with `-` or `_`.
    pub fn parse(word: &str) -> Option<Compatibility> {
        Some(match word.to_ascii_lowercase().replace('_', "-").as_str() {
            "none" => Compatibility::None,
            "backward" => Compatibility::Backward,
            "backward-transitive" => Compatibility::BackwardTransitive,
            "forward" => Compatibility::Forward,
            "forward-transitive" => Compatibility::ForwardTransitive,
            "full" => Compatibility::Full,
            "full-transitive" => Compatibility::FullTransitive,
            _ => return None,
        })
    }

    /// The checks the registry runs for a new schema against the `previous` ones (oldest first),
    /// in its order (`CompatibilityChecker`): from the newest back, the latest alone unless the
    /// level is transitive; per schema, FORWARD's check (the old schema reads the new) before
    /// BACKWARD's, as FULL's strategy lists them; stopping at the first schema with findings.
    /// `check(against, old_reads_new)` gives the findings of one check, for every schema type.
    pub(crate) fn first_failing<T>(self, previous: usize, mut check: impl FnMut(usize, bool) -> Vec<T>) -> Vec<T> {
        let (backward, forward, transitive) = match self {
            Compatibility::None => return Vec::new(),
            Compatibility::Backward => (true, false, false),
            Compatibility::BackwardTransitive => (true, false, true),
            Compatibility::Forward => (false, true, false),
            Compatibility::ForwardTransitive => (false, true, true),
            Compatibility::Full => (true, true, false),
            Compatibility::FullTransitive => (true, true, true),
        };
        let checked = if transitive { previous } else { previous.min(1) };
        for against in (0..previous).rev().take(checked) {
            let mut found = Vec::new();
            if forward {
                found.extend(check(against, true));
            }
            if backward {
                found.extend(check(against, false));
            }
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// The name the Schema Registry uses (`BACKWARD_TRANSITIVE`).
    pub(crate) fn registry_name(self) -> &'static str {
        match self {
            Compatibility::None => "NONE",
            Compatibility::Backward => "BACKWARD",
            Compatibility::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Compatibility::Forward => "FORWARD",
            Compatibility::ForwardTransitive => "FORWARD_TRANSITIVE",
            Compatibility::Full => "FULL",
            Compatibility::FullTransitive => "FULL_TRANSITIVE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanupPolicy {
    Delete,
    Compact,
    CompactDelete,
}

impl CleanupPolicy {
    pub(crate) fn parse(word: &str) -> Option<CleanupPolicy> {
        Some(match word {
            "delete" => CleanupPolicy::Delete,
            "compact" => CleanupPolicy::Compact,
            "compact,delete" => CleanupPolicy::CompactDelete,
            _ => return None,
        })
    }

    /// The value of Kafka's `cleanup.policy`.
    pub(crate) fn kafka_value(self) -> &'static str {
        match self {
            CleanupPolicy::Delete => "delete",
            CleanupPolicy::Compact => "compact",
            CleanupPolicy::CompactDelete => "compact,delete",
        }
    }
}

/// A retention: a number of seconds, or forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    Forever,
    Seconds(u64),
}

impl Duration {
    /// Parses `30s`, `15m`, `12h`, `7d` or `forever`.
    pub(crate) fn parse(text: &str) -> Option<Duration> {
        if text == "forever" {
            return Some(Duration::Forever);
        }
        let unit = text.chars().last()?;
        let digits = &text[..text.len() - unit.len_utf8()];
        // Digits only: Rust's integer parsing would also take a leading `+`.
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: u64 = digits.parse().ok()?;
        let scale = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        number.checked_mul(scale).map(Duration::Seconds)
    }

    /// The value of Kafka's `retention.ms` (`-1` is forever).
    pub(crate) fn kafka_millis(self) -> i64 {
        match self {
            Duration::Forever => -1,
            Duration::Seconds(s) => i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_their_units() {
        assert_eq!(Duration::parse("30s"), Some(Duration::Seconds(30)));
        assert_eq!(Duration::parse("15m"), Some(Duration::Seconds(900)));
        assert_eq!(Duration::parse("7d").map(Duration::kafka_millis), Some(604_800_000));
        assert_eq!(Duration::parse("forever").map(Duration::kafka_millis), Some(-1));
        for bad in ["", "s", "7", "7w", "-1d", "+7d", "1.5h", "99999999999999999999d", "ß"] {
            assert_eq!(Duration::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ksqldb_formats_map_to_serdes() {
        assert_eq!(Format::from_ksql("avro", None), Some(Format::Avro));
        assert_eq!(Format::from_ksql("KAFKA", Some("STRING")), Some(Format::String));
        assert_eq!(Format::from_ksql("KAFKA", Some("BIGINT")), Some(Format::Long));
        assert_eq!(Format::from_ksql("KAFKA", None), None);
        assert_eq!(Format::from_ksql("KAFKA", Some("STRUCT<A INT>")), None);
        assert_eq!(Format::from_ksql("XML", None), None);
    }

    #[test]
    fn every_format_word_round_trips() {
        for format in Format::ALL {
            assert_eq!(Format::parse(format.as_str()), Some(format));
        }
        let words: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(words, crate::syntax::grammar::FORMATS);
    }
}
