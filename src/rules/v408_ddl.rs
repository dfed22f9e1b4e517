//! V408: the DDL of a captured table (`ddl=`) that venice cannot derive Debezium's records
//! from: not PostgreSQL that sqlparser's PostgreSQL dialect reads, or no `CREATE TABLE` of the
//! captured table in it.

use crate::connect::derive::{self, DeriveError, Options};
use crate::connect::{DdlIssue, Kind, Problem, catalog};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::Project;

pub fn check(project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    let sources =
        project.connectors.iter().filter(|c| catalog::of(c).is_some_and(|e| e.kind == Kind::DebeziumPostgres));
    for source in sources {
        let prefix = crate::connect::topic_prefix(source);
        for table in &source.tables {
            let Some(ddl) = &table.ddl else { continue };
            let Err((error, span)) = derive::derive(&prefix, table, ddl, Options::of(source)) else { continue };
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
