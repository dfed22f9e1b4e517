//! The registry of diagnostic codes: each code's name, severity, status and documentation.
//!
//! A code keeps its meaning forever (CHECKS.md). Each code's long explanation lives in
//! `docs/<CODE>.md` beside this file, with the fixed headings that `venice explain` prints and
//! that a test enforces.

mod topic_formats;
mod topic_schemas;
mod v101_key_format;
mod v102_string_key;
mod v103_value_format;
mod v104_registry_framing;
mod v105_json_envelope;
mod v106_schemaless_connector;
mod v107_windowed_key;
mod v108_writers_disagree;
mod v109_undetermined_format;
mod v202_schema_evolution;
mod v203_reader_schema;
mod v205_unrepresentable;
mod v206_inferred_schema;
mod v401_connector_settings;
mod v402_upsert_without_key;
mod v403_pk_field_missing;
mod v404_deletes_without_record_key;
mod v405_tombstones;
mod v406_unstorable_field;
mod v407_envelope_read;
mod v408_ddl;
mod v502_unused_topic;
mod v503_fewer_partitions;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;

/// Runs every rule over a resolved project.
pub fn check_all(project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    // The rules only read the model: they run on every core, and what they find joins in this
    // order, as if they had run one after the other.
    let found = crate::parallel::map_on_every_core(CHECKS, 1, |check| {
        let mut found = Vec::new();
        check(project, &mut found);
        found
    });
    diagnostics.extend(found.into_iter().flatten());
}

/// Every rule's check, in code order.
const CHECKS: &[fn(&Project, &mut Vec<Diagnostic>)] = &[
    v101_key_format::check,
    v102_string_key::check,
    v103_value_format::check,
    v104_registry_framing::check,
    v105_json_envelope::check,
    v106_schemaless_connector::check,
    v107_windowed_key::check,
    v108_writers_disagree::check,
    v109_undetermined_format::check,
    v202_schema_evolution::check,
    v203_reader_schema::check,
    v205_unrepresentable::check,
    v206_inferred_schema::check,
    v401_connector_settings::check,
    v402_upsert_without_key::check,
    v403_pk_field_missing::check,
    v404_deletes_without_record_key::check,
    v405_tombstones::check,
    v406_unstorable_field::check,
    v407_envelope_read::check,
    v408_ddl::check,
    v502_unused_topic::check,
    v503_fewer_partitions::check,
];

/// How far a code's check is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Checked by `venice check`.
    Checked,
    /// Checked in part; the text says which part.
    Partial(&'static str),
    /// Documented and reserved; the check arrives with the phase that can see the problem.
    Planned,
}

/// One diagnostic code.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub status: Status,
    pub doc: &'static str,
}

macro_rules! rule {
    ($code:literal, $name:literal, $severity:ident, $status:expr) => {
        Rule {
            code: $code,
            name: $name,
            severity: Severity::$severity,
            status: $status,
            doc: include_str!(concat!("docs/", $code, ".md")),
        }
    };
}

use Status::{Checked, Partial, Planned};

const INFERRED_FORMATS: &str = "every ksqlDB statement's formats are compared, stated or inferred (inherited from the query's source, else the defaults); a query over a `stream`/`table` whose topic declares no format inherits none, and that edge is not compared (V109 reports the topic)";

/// Every code, sorted.
/// What V403 and V406 read of a sink's records (LANGUAGE.md checks JSON Schema and Protobuf at
/// the format level only).
const AVRO_RECORDS_ONLY: &str = "records with an Avro `schema=`, a Debezium source's derived records and the Avro that ksqlDB queries write are checked; records written as JSON Schema or Protobuf are not";

pub static RULES: &[Rule] = &[
    rule!("V001", "not valid KDL", Error, Checked),
    rule!("V002", "unknown node or property", Error, Checked),
    rule!("V003", "missing or mistyped value", Error, Checked),
    rule!("V004", "duplicate name", Error, Checked),
    rule!("V005", "unknown reference", Error, Checked),
    rule!("V006", "unreadable file", Error, Checked),
    rule!("V007", "inline secret", Error, Checked),
    rule!("V008", "include cycle", Error, Checked),
    rule!("V009", "invalid lock file", Error, Checked),
    rule!("V010", "includes nested too deep", Error, Checked),
    rule!("V101", "key format mismatch", Error, Partial(INFERRED_FORMATS)),
    rule!("V102", "string-key pitfall", Error, Checked),
    rule!("V103", "value format mismatch", Error, Partial(INFERRED_FORMATS)),
    rule!("V104", "registry framing mismatch", Error, Checked),
    rule!("V105", "JSON envelope mismatch", Error, Checked),
    rule!("V106", "schemaless records for a connector that needs schemas", Error, Checked),
    rule!("V107", "windowed key read as a plain key", Error, Checked),
    rule!("V108", "writers disagree on a format", Error, Checked),
    rule!("V109", "undetermined format", Error, Checked),
    rule!("V201", "invalid Avro schema", Error, Checked),
    rule!("V202", "incompatible schema change", Error, Checked),
    rule!(
        "V203",
        "reader cannot read writer",
        Error,
        Partial(
            "consumers and sinks that name an Avro `schema=`, and a topic's declared schema against its writers' own, are checked; ksqlDB readers, whose schemas the ksqlDB front end infers, are not yet"
        )
    ),
    rule!("V204", "default does not match its type", Error, Checked),
    rule!(
        "V205",
        "type the reader cannot represent",
        Error,
        Partial(
            "ksqlDB streams and tables that read a topic's Avro key or value are checked; other readers (the JDBC sink's column types are V406) are not"
        )
    ),
    rule!(
        "V206",
        "declared schema disagrees with inferred schema",
        Error,
        Partial(
            "queries (CREATE ... AS SELECT) writing Avro and Debezium sources are compared; a query's VALUE_SCHEMA_FULL_NAME, KEY_SCHEMA_FULL_NAME and VALUE_SCHEMA_ID, and INSERT INTO writers, are not yet"
        )
    ),
    rule!("V301", "ksqlDB syntax error", Error, Checked),
    rule!("V302", "unknown stream, table or topic", Error, Checked),
    rule!(
        "V303",
        "unknown column",
        Error,
        Partial(
            "columns of `stream`/`table` nodes are known only for Avro values with `schema=`; over other topics any column name is accepted"
        )
    ),
    rule!("V304", "type error", Error, Checked),
    rule!(
        "V305",
        "unknown function or signature",
        Error,
        Partial(
            "one catalog, ksqlDB 0.29's built-in functions, whatever `ksqldb version` says; user-defined functions are unknown"
        )
    ),
    rule!("V306", "join not co-partitioned", Error, Checked),
    rule!(
        "V307",
        "join key types differ",
        Error,
        Partial("the SQL types of the join expressions are compared; their key formats are not")
    ),
    rule!("V308", "column neither grouped nor aggregated", Error, Checked),
    rule!(
        "V309",
        "CREATE disagrees with the declared topic",
        Error,
        Partial(
            "value columns are checked against the topic's Avro value schema; formats and key types are reported along the edges (V101 to V103); JSON Schema and Protobuf values are not read"
        )
    ),
    rule!(
        "V310",
        "statement ksqlDB rejects",
        Error,
        Partial(
            "the rejections of ksqlDB's analysis that its query-validation tests exercise most (properties, formats, keys in projections, join kinds, windows, result kinds); about 8 in 10 of that corpus's expected rejections are reported"
        )
    ),
    rule!("V401", "unknown connector or missing setting", Error, Checked),
    rule!("V402", "upsert without a primary key", Error, Checked),
    rule!("V403", "primary-key field not in the schema", Error, Partial(AVRO_RECORDS_ONLY)),
    rule!("V404", "deletes without record-key", Error, Checked),
    rule!("V405", "tombstones not handled", Error, Checked),
    rule!("V406", "field type the sink cannot store", Error, Partial(AVRO_RECORDS_ONLY)),
    rule!("V407", "Debezium envelope where rows are expected", Error, Checked),
    rule!("V408", "DDL gives no schema", Error, Checked),
    rule!("V501", "cycle among transforms", Error, Planned),
    rule!("V502", "topic not written or not read", Warning, Checked),
    rule!("V503", "fewer partitions than the baseline", Error, Checked),
    rule!("V504", "replication above broker count", Error, Planned),
    rule!("V505", "table topic not compacted", Warning, Planned),
];

/// The rule of a code, case-insensitively (`v102` works too).
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// The severity of a code. Every code a diagnostic carries is in the registry.
pub fn severity(code: &str) -> Severity {
    find(code).map_or(Severity::Error, |r| r.severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADINGS: [&str; 5] = ["## What it does", "## Why it matters", "## Example", "## Instead", "## References"];

    #[test]
    fn codes_are_sorted_and_unique() {
        for pair in RULES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
    }

    #[test]
    fn every_doc_has_its_title_and_the_fixed_headings_in_order() {
        for rule in RULES {
            let title = format!("# {}: ", rule.code);
            assert!(rule.doc.starts_with(&title), "{} doc must start with `{title}`", rule.code);
            let mut last = 0;
            for heading in HEADINGS {
                let at = rule.doc.find(heading).unwrap_or_else(|| panic!("{} lacks `{heading}`", rule.code));
                assert!(at > last, "{}: `{heading}` out of order", rule.code);
                last = at;
            }
        }
    }
}
