//! The rules: one file per diagnostic code, each with its name, severity, status, documentation
//! (the sibling `.md` file), its check or the wording of the facts a phase found, in one place.
//!
//! A code keeps its meaning forever. [`RULES`], the registry, is derived from the rule files by
//! the one `rules!` list below; each doc has the fixed headings that `venice explain` prints and
//! that a test enforces. [`facts`] routes each phase's facts to the rule that words them.

mod compat_wording;
mod facts;
mod impact;
mod topic_formats;
mod topic_schemas;

pub(crate) use facts::{avro, json_schema, ksql, lock, protobuf, resolve, syntax};

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::source::Span;

/// Declares the rule modules, in code order, and derives from them the registry and the checks:
/// `module: check` for a rule that checks the project itself, `module` alone for one that words
/// the facts of a phase (or is planned).
macro_rules! rules {
    ($($module:ident $(: $check:ident)?),* $(,)?) => {
        $(mod $module;)*

        /// Every code, sorted.
        pub static RULES: &[Rule] = &[$($module::RULE),*];

        /// Every rule's check, in code order.
        const CHECKS: &[fn(&Project, &Analysis, &mut Vec<Diagnostic>)] = &[$($($module::$check,)?)*];

        /// Each rule module's name, with its rule.
        #[cfg(test)]
        const MODULES: &[(&str, &Rule)] = &[$((stringify!($module), &$module::RULE)),*];
    };
}

rules! {
    v001_invalid_kdl,
    v002_unknown_node,
    v003_missing_or_mistyped,
    v004_duplicate_name,
    v005_unknown_reference,
    v006_unreadable_file,
    v007_inline_secret,
    v008_include_cycle,
    v009_invalid_lock,
    v010_includes_too_deep,
    v011_path_outside_root,
    v101_key_format: check,
    v102_string_key: check,
    v103_value_format: check,
    v104_registry_framing: check,
    v105_json_envelope: check,
    v106_schemaless_connector: check,
    v107_windowed_key: check,
    v108_writers_disagree: check,
    v109_undetermined_format: check,
    v110_protobuf_message: check,
    v201_invalid_avro,
    v202_schema_evolution: check,
    v203_reader_schema: check,
    v204_invalid_default,
    v205_unrepresentable: check,
    v206_inferred_schema: check,
    v301_ksql_syntax,
    v302_unknown_source,
    v303_unknown_column,
    v304_type_error,
    v305_unknown_function,
    v306_not_copartitioned,
    v307_join_key_types,
    v308_not_grouped,
    v309_topic_mismatch,
    v310_rejected,
    v401_connector_settings: check,
    v402_upsert_without_key: check,
    v403_pk_field_missing: check,
    v404_deletes_without_record_key: check,
    v405_tombstones: check,
    v406_unstorable_field: check,
    v407_envelope_read: check,
    v408_ddl: check,
    v501_transform_cycle: check,
    v502_unused_topic: check,
    v503_fewer_partitions: check,
    v504_replication_above_brokers: check,
    v505_table_not_compacted: check,
    v506_physical_name_collision: check,
    v507_acl_beyond_pipeline: check,
    v508_actor_without_principal: check,
    v509_ksql_physical_name: check,
}

/// Runs every rule over a project and what the analyses found.
pub(crate) fn check_all(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    // The rules only read the model: they run on every core, and what they find joins in this
    // order, as if they had run one after the other.
    let found = crate::parallel::map_on_every_core(CHECKS, 1, |check| {
        let mut found = Vec::new();
        check(project, analysis, &mut found);
        found
    });
    diagnostics.extend(found.into_iter().flatten());
}

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

impl Rule {
    /// A diagnostic of this code at `span`, without secondary labels or help.
    pub(crate) fn diagnostic(&self, span: Span, message: impl Into<String>, label: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: self.code,
            severity: self.severity,
            message: message.into(),
            span,
            label: label.into(),
            labels: Vec::new(),
            impact: Vec::new(),
            help: None,
        }
    }
}

/// What V403 and V406 read of a sink's records: the status both share (the records whose Connect
/// schema venice knows, `analysis::sink_table`).
const KNOWN_RECORDS: &str = "records with an Avro, Protobuf or JSON Schema `schema=` (as `ProtobufConverter` and `JsonSchemaConverter` give them to Connect), a Debezium source's derived records and the Avro that ksqlDB queries write are checked; records of a ksqlDB query written in another format are not";

/// The rule of a code, case-insensitively (`v102` works too).
pub(crate) fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code))
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
    fn each_rule_module_is_named_after_its_code() {
        for (module, rule) in MODULES {
            assert!(module.starts_with(&format!("{}_", rule.code.to_lowercase())), "{module} holds {}", rule.code);
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
