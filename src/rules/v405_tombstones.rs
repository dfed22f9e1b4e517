//! V405: a JDBC sink that reads a topic with tombstones (records with a key and a null value,
//! the way a table says a row is gone) and does not handle deletes.
//!
//! A topic carries tombstones when a ksqlDB table writes it (its changelog) from a query that may
//! delete rows (one reading a table, or with HAVING; not an aggregation of streams), when a `table`
//! node reads it as a table, when it is compacted, or when a Debezium source writes it (after
//! each delete, unless `tombstones.on.delete=false`, or `unwrap` drops them). Confluent's JDBC
//! sink with `delete.enabled=false` stops its task at the first tombstone ("requires records
//! with a non-null Struct value"); Debezium's skips it, so deleted rows stay in the table.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::analysis::sink_table::{debezium_writer, is_jdbc_sink};
use crate::connect::{Kind, catalog};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{CleanupPolicy, KsqlSource, KsqlSourceKind, Project};
use crate::source::Span;
use std::collections::HashMap;

pub(crate) const RULE: Rule = Rule {
    code: "V405",
    name: "tombstones not handled",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v405_tombstones.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    // The `table` nodes by the topic they read (the first of each), asked once per sink.
    let mut tables: HashMap<&str, &KsqlSource> = HashMap::new();
    for table in project.ksql_sources.iter().filter(|s| s.kind == KsqlSourceKind::Table) {
        tables.entry(table.topic.value.as_str()).or_insert(table);
    }
    for sink in project.connectors.iter().filter(|c| is_jdbc_sink(c)) {
        if sink.deletes.as_ref().is_some_and(|d| d.value) {
            continue;
        }
        let Some(topic) = &sink.topic else { continue };
        let Some((because, because_span)) = tombstones(project, analysis, &tables, &topic.value) else { continue };
        let fails = catalog::of(sink).is_some_and(|e| e.kind == Kind::Jdbc);
        let problem = TombstonesNotHandled {
            sink: sink.name.value.clone(),
            topic: topic.value.clone(),
            because,
            because_span,
            fails,
        };
        diagnostics.push(problem.diagnostic(topic.span));
    }
}

/// Why a topic carries tombstones, and where that is said.
fn tombstones(
    project: &Project,
    analysis: &Analysis,
    tables: &HashMap<&str, &KsqlSource>,
    topic: &str,
) -> Option<(String, Span)> {
    // A table's changelog has tombstones when its query may delete rows: not an aggregation
    // of streams without HAVING, which only updates them.
    let created_table = analysis
        .ksql
        .created_on(topic)
        .find(|c| c.kind == KsqlSourceKind::Table && analysis.lineage.deletes_rows(&c.name.value));
    if let Some(table) = created_table {
        return Some((format!("the ksqlDB table `{}` writes its changelog here", table.name.value), table.span));
    }
    if let Some(table) = tables.get(topic) {
        return Some((format!("read as the ksqlDB table `{}`", table.name.value), table.name.span));
    }
    if let Some(cleanup) = project
        .topic(topic)
        .and_then(|t| t.cleanup.as_ref())
        .filter(|c| matches!(c.value, CleanupPolicy::Compact | CleanupPolicy::CompactDelete))
    {
        return Some(("compacted: a key's last record may be a tombstone".into(), cleanup.span));
    }
    let (source, table) = debezium_writer(project, topic)?;
    let setting = |key: &str| source.config.iter().rev().find(|c| c.key.value == key).map(|c| c.value.value.as_str());
    let unwrap = source.unwrap.as_ref().is_some_and(|u| u.value);
    let dropped = setting("tombstones.on.delete") == Some("false")
        || (unwrap && matches!(setting("transforms.unwrap.delete.tombstone.handling.mode"), Some("drop" | "rewrite")));
    (!dropped)
        .then(|| (format!("source `{}` writes a tombstone after each delete", source.name.value), table.topic.span))
}

/// The facts of a V405: a sink reads a topic with tombstones and does not handle them.
struct TombstonesNotHandled {
    sink: String,
    topic: String,
    because: String,
    because_span: Span,
    fails: bool,
}

impl TombstonesNotHandled {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let TombstonesNotHandled { sink, topic, because, because_span, fails } = self;
        let help = if *fails {
            "add `deletes #true` with `pk record-key`, so a tombstone deletes its row; without it the Confluent JDBC sink stops its task at the first tombstone"
        } else {
            "add `deletes #true` with `pk record-key`, so a tombstone deletes its row; without it deleted rows stay in the table"
        };
        let message = format!("sink `{sink}` reads tombstones from topic `{topic}` but does not handle deletes");
        RULE.diagnostic(span, message, "reads tombstones").with_label(*because_span, because.clone()).with_help(help)
    }
}
