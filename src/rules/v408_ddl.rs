//! V408: the DDL of a captured table (`ddl=`) that venice cannot derive Debezium's records
//! from: not PostgreSQL that sqlparser's PostgreSQL dialect reads, or no `CREATE TABLE` of the
//! captured table in it.

use crate::analysis::Analysis;
use crate::connect::derive::DeriveError;
use crate::connect::{DdlIssue, Kind, Problem, catalog};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::Project;

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
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
            let problem = Problem::Ddl { table: crate::connect::qualified(&table.table.value), issue };
            diagnostics.push(Diagnostic::new(DiagnosticKind::Connect(problem), span));
        }
    }
}
