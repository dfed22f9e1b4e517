//! The impact of a schema change: what downstream reads each field the change removes or
//! retypes, from the lineage (`analysis::lineage`), worded as labels on the diagnostic and as
//! its structured `impact`.

use crate::analysis::Analysis;
use crate::analysis::lineage::Downstream;
use crate::avro::{Catalog, Type, normalized_form_of};
use crate::diagnostic::{Diagnostic, Impact};
use crate::model::Project;
use crate::source::Span;

/// What a change did to a field downstream reads by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Removed,
    Retyped,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Removed => "removed",
            Change::Retyped => "retyped",
        }
    }
}

/// The value schema of `topic` before (`old`, in its own catalog) and after (`new`, in the
/// project's).
pub(super) struct Evolved<'a> {
    pub(super) topic: &'a str,
    pub(super) old: (&'a Catalog, &'a Type),
    pub(super) new: &'a Type,
}

/// Adds to `diagnostic` what downstream reads the fields the evolution removes or retypes.
pub(super) fn with_impact(
    mut diagnostic: Diagnostic,
    project: &Project,
    analysis: &Analysis,
    evolved: &Evolved,
) -> Diagnostic {
    for (field, change) in changed_fields(evolved.old, (&analysis.avro, evolved.new)) {
        let found = analysis.lineage.downstream_of(project, analysis, evolved.topic, &field);
        // What breaks at one place (a query's select item and the column it makes) is one label.
        let mut places: Vec<(Span, Vec<Impact>, Vec<String>)> = Vec::new();
        for downstream in &found {
            let (impact, words) = worded(downstream, &field);
            match places.iter_mut().find(|(span, ..)| *span == impact.span) {
                Some((_, impacts, all)) => {
                    impacts.push(impact);
                    all.push(words);
                }
                None => places.push((impact.span, vec![impact], vec![words])),
            }
        }
        for (span, impact, words) in places {
            let message = format!("{} `{field}` breaks {}", change.as_str(), words.join(" and "));
            diagnostic = diagnostic.with_impact(span, impact, message);
        }
    }
    diagnostic
}

/// The top-level fields of the old record that the new one has no longer (a renamed field is
/// removed for whatever reads it by name) or has with another type, in the old record's order.
fn changed_fields(old: (&Catalog, &Type), new: (&Catalog, &Type)) -> Vec<(String, Change)> {
    let after = fields(new);
    fields(old)
        .iter()
        .filter_map(|f| match after.iter().find(|g| g.name == f.name) {
            None => Some((f.name.clone(), Change::Removed)),
            Some(g) if normalized_form_of(old.0, &f.ty) != normalized_form_of(new.0, &g.ty) => {
                Some((f.name.clone(), Change::Retyped))
            }
            Some(_) => None,
        })
        .collect()
}

/// The top-level fields of a record schema (none for another type).
fn fields<'a>((catalog, root): (&'a Catalog, &Type)) -> &'a [crate::avro::Field] {
    match root.named() {
        Some(id) => catalog.named(id).fields(),
        None => &[],
    }
}

/// The impact entry of one downstream reader of a changed field, and its words.
fn worded(downstream: &Downstream, field: &str) -> (Impact, String) {
    let (name, column, words) = match downstream {
        Downstream::KsqlColumn { source, column, .. } => {
            (source, Some(column.clone()), format!("column `{source}.{column}`"))
        }
        Downstream::KsqlQuery { target, column, .. } => {
            (target, Some(column.clone()), format!("the query writing `{target}` (reads `{column}`)"))
        }
        Downstream::SinkColumn { sink, table, column, .. } => {
            (sink, Some(format!("{table}.{column}")), format!("sink `{sink}` (column `{table}.{column}`)"))
        }
        Downstream::Sink { sink, .. } => (sink, None, format!("sink `{sink}`")),
        Downstream::Consumer { consumer, schema, .. } => {
            (consumer, None, format!("consumer `{consumer}` (reader schema `{schema}`)"))
        }
    };
    let impact = Impact {
        kind: downstream.kind(),
        name: name.clone(),
        column,
        field: field.to_string(),
        span: downstream.span(),
    };
    (impact, words)
}
