//! V402: a JDBC sink with `mode upsert` or `mode update` and no primary key. Both sinks build
//! their `INSERT ... ON CONFLICT` and `UPDATE ... WHERE` from the key columns, and refuse to
//! start without them.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::analysis::sink_table::is_jdbc_sink;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{PkSource, Project, SinkMode};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V402",
    name: "upsert without a primary key",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v402_upsert_without_key.md"),
};

pub(crate) fn check(project: &Project, _: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for sink in project.connectors.iter().filter(|c| is_jdbc_sink(c)) {
        let Some(mode) = &sink.mode else { continue };
        let word = match mode.value {
            SinkMode::Insert => continue,
            SinkMode::Upsert => "upsert",
            SinkMode::Update => "update",
        };
        if sink.pk.as_ref().is_none_or(|pk| pk.source.value == PkSource::None) {
            diagnostics.push(diagnostic(&sink.name.value, word, mode.span));
        }
    }
}

fn diagnostic(sink: &str, mode: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("sink `{sink}` uses `mode {mode}` without a primary key"), format!("`{mode}` needs a primary key"))
        .with_help("add `pk record-key` (the key's fields) or `pk record-value fields=...`: upserts and updates find their row by its primary key")
}
