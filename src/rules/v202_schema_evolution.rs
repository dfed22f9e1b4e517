//! V202: a schema change the subject's compatibility level does not allow, against the baseline.
//! For each declared topic whose key or value is `avro` with a `schema=`, the project's schema is
//! checked against the one recorded for the subject `<topic>-key` / `<topic>-value` in the
//! baseline, at the topic's `compatibility` (BACKWARD when not declared), as the Schema Registry
//! would check it on registration. The lock holds one version per subject, so a `-transitive`
//! level checks that one version too.

use crate::analysis::Analysis;
use crate::avro::compat::{Direction, SchemaRef, check_level};
use crate::avro::{Catalog, Evolution, NamedId, Problem, Type, TypeKind, normalized_form_of};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::lock::Baseline;
use crate::model::{Compatibility, Format, Project, Side, SourceText, Spanned};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(baseline) = &analysis.baseline else { return };
    for topic in &project.topics {
        let level = topic.compatibility.as_ref().map_or(Compatibility::Backward, |c| c.value);
        for (side, serde) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let Some(serde) = serde.as_ref().filter(|s| s.format.value == Format::Avro) else { continue };
            let Some(schema) = &serde.schema else { continue };
            let subject = format!("{}-{}", topic.name.value, side.as_str());
            check_subject(analysis, baseline, &subject, schema, level, diagnostics);
        }
    }
}

fn check_subject(
    analysis: &Analysis,
    baseline: &Baseline,
    subject: &str,
    schema: &Spanned<String>,
    level: Compatibility,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(locked) = baseline.lock.subjects.get(subject) else { return };
    let Some(new) = analysis.avro.schema(&schema.value) else { return };
    let Some(&subject_span) = baseline.subject_spans.get(subject) else { return };
    // Most subjects are as recorded: the lock holds the normalized form `venice build` wrote,
    // and a schema whose normalized form is that text again (every part read) is the recorded
    // schema, compatible with itself at every level. Only a changed one is parsed and compared.
    if normalized_form_of(&analysis.avro, new) == locked.schema && is_fully_known(&analysis.avro, new) {
        return;
    }
    // The recorded text is parsed on its own; spans into it are not shown.
    let mut problems = Vec::new();
    let text = SourceText::from_file(baseline.file, locked.schema_text());
    let old = Catalog::from_texts(vec![(subject.to_string(), text)], &mut problems);
    if let Some(problem) = problems.first() {
        let message = format!("the schema of subject `{subject}` is not a valid Avro schema: {}", problem.message());
        diagnostics.push(Diagnostic::new(DiagnosticKind::InvalidLock { message }, subject_span));
        return;
    }
    let Some(old_root) = old.schema(subject) else { return };
    let found = check_level(level, SchemaRef::new(&analysis.avro, new), &[SchemaRef::new(&old, old_root)]);
    let Some(first) = found.first() else { return };
    let incompatibility = &first.incompatibility;
    let new_name = format!("`{}`", schema.value);
    let old_name = format!("the recorded `{subject}`");
    let (reason, fragment) = match first.direction {
        Direction::NewReadsOld => (incompatibility.reason.describe(&new_name, &old_name), incompatibility.reader_span),
        Direction::OldReadsNew => (incompatibility.reason.describe(&old_name, &new_name), incompatibility.writer_span),
    };
    let evolution = Evolution {
        schema: schema.value.clone(),
        subject: subject.to_string(),
        origin: baseline.origin.clone(),
        level,
        direction: first.direction,
        kind: incompatibility.kind(),
        path: incompatibility.path.clone(),
        reason,
        more: found.len() - 1,
        baseline: subject_span,
        fragment: Some(fragment),
    };
    diagnostics
        .push(Diagnostic::new(DiagnosticKind::Avro(Problem::IncompatibleChange(Box::new(evolution))), schema.span));
}

/// Whether every node of a schema was read and resolved (no V201 left in it), named types it
/// uses included.
fn is_fully_known(catalog: &Catalog, root: &Type) -> bool {
    let mut seen: std::collections::HashSet<NamedId> = std::collections::HashSet::new();
    let mut pending = vec![root];
    while let Some(ty) = pending.pop() {
        match &ty.kind {
            TypeKind::Unresolved { .. } | TypeKind::Invalid => return false,
            TypeKind::Primitive(_) => {}
            TypeKind::Array { items, .. } => pending.push(items),
            TypeKind::Map { values, .. } => pending.push(values),
            TypeKind::Union(branches) => pending.extend(branches),
            TypeKind::Named(id) | TypeKind::Reference(id) => {
                if seen.insert(*id) {
                    pending.extend(catalog.named(*id).fields().iter().map(|f| &f.ty));
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::test_support::parse;

    fn known(text: &str) -> bool {
        let (catalog, _) = parse(text);
        let (_, schema) = catalog.schemas().next().expect("one schema");
        is_fully_known(&catalog, &schema.root)
    }

    #[test]
    fn a_schema_with_a_part_not_read_is_not_fully_known() {
        // Recursive types end the walk.
        assert!(known(r#"{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}"#));
        assert!(known(r#"{"type": "map", "values": {"type": "array", "items": "long"}}"#));
        assert!(!known(r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "Missing"}]}"#));
        assert!(!known(r#"{"type": "array", "items": {"type": "map", "values": ["null", 5]}}"#));
        assert!(!known("not json"));
    }
}
