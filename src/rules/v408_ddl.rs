//! V408: the DDL of a captured table (`ddl=`) that venice cannot derive Debezium's records
//! from: not PostgreSQL that sqlparser's PostgreSQL dialect reads, or no `CREATE TABLE` of the
//! captured table in it.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::connect::derive::DeriveError;
use crate::connect::{Kind, catalog};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V408",
    name: "DDL gives no schema",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v408_ddl.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let sources =
        project.connectors.iter().filter(|c| catalog::of(c).is_some_and(|e| e.kind == Kind::DebeziumPostgres));
    for source in sources {
        for table in &source.tables {
            let Some(Err((error, span))) = analysis.derived.of(table) else { continue };
            let (error, span) = (error.clone(), *span);
            let (issue, span) = match error {
                DeriveError::Syntax { message } => (DdlIssue::Syntax { message }, span),
                // Said at the captured table, which names what the DDL lacks.
                DeriveError::NoTable { found, .. } => (DdlIssue::NoTable { found }, table.table.span),
            };
            diagnostics.push(issue.diagnostic(&crate::connect::qualified(&table.table.value), span));
        }
    }
}

/// Why a captured table's DDL gives no schema: the facts of a V408.
enum DdlIssue {
    Syntax { message: String },
    NoTable { found: Vec<String> },
}

impl DdlIssue {
    fn diagnostic(&self, table: &str, span: Span) -> Diagnostic {
        let (message, label) = match self {
            DdlIssue::Syntax { message } => {
                (format!("the DDL of `{table}` is not valid PostgreSQL: {message}"), "here")
            }
            DdlIssue::NoTable { .. } => (format!("the DDL has no `CREATE TABLE {table}`"), "this DDL"),
        };
        let help = match self {
            DdlIssue::NoTable { found } if !found.is_empty() => format!(
                "it creates {}; name the captured table as the DDL does (`schema.table`, `public` by default)",
                found.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            ),
            _ => "the DDL must hold the table's `CREATE TABLE` statement, in PostgreSQL syntax".into(),
        };
        RULE.diagnostic(span, message, label).with_help(help)
    }
}
