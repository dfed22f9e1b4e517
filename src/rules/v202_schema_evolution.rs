//! V202: a schema change the subject's compatibility level does not allow, against the baseline.
//! For each declared topic whose key or value is `avro` with a `schema=`, the project's schema is
//! checked against the one recorded for the subject `<topic>-key` / `<topic>-value` in the
//! baseline, at the topic's `compatibility` (BACKWARD when not declared), as the Schema Registry
//! would check it on registration. The lock holds one version per subject, so a `-transitive`
//! level checks that one version too.
//!
//! A `protobuf` or `json-sr` topic's schema is checked the same way against its recorded text
//! (and the recorded subjects its references name), with the registry's own diffs: Protobuf's
//! `SchemaDiff` and JSON Schema's `SchemaDiff`, through `ProtobufSchema.isBackwardCompatible` and
//! `JsonSchema.isBackwardCompatible` at the level; the first incompatible change is reported by
//! the registry's name for it.

use super::compat_wording::more_problems;
use super::impact::{Evolved, with_impact};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::avro::compat::{Direction, IncompatibilityType, SchemaRef, check_level};
use crate::avro::{Catalog, NamedId, Type, TypeKind, normalized_form_of};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lock::Baseline;
use crate::model::{Compatibility, Format, Project, Side, SourceText, Spanned};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V202",
    name: "incompatible schema change",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v202_schema_evolution.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(baseline) = &analysis.baseline else { return };
    for topic in &project.topics {
        let level = topic.compatibility.as_ref().map_or(Compatibility::Backward, |c| c.value);
        for (side, serde) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let Some(serde) = serde.as_ref() else { continue };
            let Some(schema) = &serde.schema else { continue };
            let subject = format!("{}-{}", topic.name.value, side.as_str());
            match serde.format.value {
                Format::Avro => {
                    let topic = (side == Side::Value).then_some((project, topic.name.value.as_str()));
                    check_subject(analysis, baseline, &subject, schema, level, topic, diagnostics);
                }
                Format::Protobuf | Format::JsonSr => {
                    let found = other_type_change(analysis, baseline, &subject, schema, level);
                    diagnostics.extend(found);
                }
                _ => {}
            }
        }
    }
}

fn check_subject(
    analysis: &Analysis,
    baseline: &Baseline,
    subject: &str,
    schema: &Spanned<String>,
    level: Compatibility,
    value_of: Option<(&Project, &str)>,
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
    if let Some((problem, span)) = problems.first() {
        let message = format!(
            "the schema of subject `{subject}` is not a valid Avro schema: {}",
            super::avro(problem, *span).message
        );
        diagnostics.push(super::v009_invalid_lock::diagnostic(&message, subject_span));
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
        fragment,
    };
    let mut diagnostic = evolution.diagnostic(schema.span);
    // What reads the value's fields downstream, named as the change's impact.
    if let Some((project, topic)) = value_of {
        let evolved = Evolved { topic, old: (&old, old_root), new };
        diagnostic = with_impact(diagnostic, project, analysis, &evolved);
    }
    diagnostics.push(diagnostic);
}

/// A Protobuf or JSON Schema subject's first incompatible change against its recorded schema,
/// as the registry's diff names it, placed in the new schema when the change is about it.
fn other_type_change(
    analysis: &Analysis,
    baseline: &Baseline,
    subject: &str,
    schema: &Spanned<String>,
    level: Compatibility,
) -> Option<Diagnostic> {
    let &subject_span = baseline.subject_spans.get(subject)?;
    let invalid = |message: String| {
        let message = format!("the schema of subject `{subject}` does not parse: {message}");
        super::v009_invalid_lock::diagnostic(&message, subject_span)
    };
    let (change, path, place, count) = if let Some(new) = analysis.protobuf.schema(&schema.value) {
        let old = match baseline.protobuf(subject)? {
            Ok(old) => old,
            Err(message) => return Some(invalid(message)),
        };
        let found = crate::protobuf::check_level(level, new, std::slice::from_ref(&old));
        let first = found.first()?;
        let place = first.difference.at.as_ref().and_then(|at| analysis.protobuf.span_of(at));
        (first.difference.change.as_str(), first.difference.path.clone(), place, found.len())
    } else {
        let new = analysis.json_schema.schema(&schema.value)?;
        let old = match baseline.json_schema(subject)? {
            Ok(old) => old,
            Err(message) => return Some(invalid(message)),
        };
        let found = crate::json_schema::compat::check_level(level, new, std::slice::from_ref(&old));
        let first = found.first()?;
        // The change is shown in the new schema when it is about a node of it.
        let in_new = (first.difference.side == crate::json_schema::diff::Side::Update)
            == (first.direction == Direction::NewReadsOld);
        let place = in_new.then(|| new.site(first.difference.node).0);
        (first.difference.kind.as_str(), first.difference.path().to_string(), place, found.len())
    };
    let message = format!(
        "`{}` is not {} compatible with subject `{subject}` in {}: {change} (at `{path}`)",
        schema.value,
        level_word(level),
        baseline.origin,
    );
    let mut diagnostic =
        RULE.diagnostic(place.unwrap_or(schema.span), message, format!("not {} compatible", level_word(level)));
    // A change about the recorded schema alone (a removed property) is shown at `schema=`.
    if place.is_some() {
        diagnostic = diagnostic.with_label(schema.span, format!("registered as `{subject}`"));
    }
    Some(
        diagnostic
            .with_label(subject_span, format!("`{subject}` recorded here"))
            .with_help(format!(
                "the registry would refuse this version with the same finding; keep the change within what the level allows, or change the topic's `compatibility` if old data and old readers do not matter{}; `venice schema compat` lists every change",
                more_problems(count - 1)
            )),
    )
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

/// The facts of a V202: a topic's schema that its subject's compatibility level does not allow
/// after the schema recorded in the baseline. Points at what to edit, in the new schema: the
/// field added or retyped, or (a field removed) the record that no longer has it; the topic's
/// `schema=` and the recorded subject are labels.
struct Evolution {
    /// The venice schema the topic names.
    schema: String,
    /// The registry subject (`orders-value`).
    subject: String,
    /// Where the baseline came from: `venice.lock` or `venice.lock at REF`.
    origin: String,
    level: Compatibility,
    /// Which way the failing check read.
    direction: Direction,
    /// The first incompatibility found, and how many more there are.
    kind: IncompatibilityType,
    path: String,
    /// The reason in words, the sides named.
    reason: String,
    more: usize,
    /// The subject's entry in the lock.
    baseline: Span,
    /// The place in the new schema the reason is about: under BACKWARD the reader's part (a
    /// field without a default, a type), under FORWARD the writer's (the record without a field
    /// the recorded schema needs, a type).
    fragment: Span,
}

impl Evolution {
    /// The diagnostic at the new schema's part, `topic_schema` being the topic's `schema=`.
    fn diagnostic(&self, topic_schema: Span) -> Diagnostic {
        let message = format!(
            "`{}` is not {} compatible with subject `{}` in {}: {} (at `{}`)",
            self.schema,
            level_word(self.level),
            self.subject,
            self.origin,
            self.reason,
            self.path
        );
        let fix = evolution_fix(self.kind, self.direction == Direction::NewReadsOld);
        let more = more_problems(self.more);
        RULE.diagnostic(self.fragment, message, format!("not {} compatible", level_word(self.level)))
            .with_label(topic_schema, format!("registered as `{}`", self.subject))
            .with_label(self.baseline, format!("`{}` recorded here", self.subject))
            .with_help(format!(
                "{fix}, or change the topic's `compatibility` if old data and old readers do not matter{more}; `venice schema compat` lists every problem"
            ))
    }
}

/// `backward`, `full-transitive`: the level as the language writes it.
fn level_word(level: Compatibility) -> String {
    level.registry_name().to_lowercase().replace('_', "-")
}

/// How to make a new schema acceptable, by the kind of problem; `new_reads` when the new schema
/// is the reader (BACKWARD), otherwise the recorded schema reads the new one (FORWARD).
fn evolution_fix(kind: IncompatibilityType, new_reads: bool) -> String {
    use IncompatibilityType::*;
    match (kind, new_reads) {
        (ReaderFieldMissingDefaultValue, true) => "give the new field a `default`".into(),
        (ReaderFieldMissingDefaultValue, false) => {
            "keep writing the field, which readers with the recorded schema need as it has no default there".into()
        }
        (TypeMismatch, _) => {
            "change types only along Avro's promotions (`int` to `long`, `float` or `double`; `long` to `float` or `double`; `float` to `double`; `string` and `bytes` either way), and only the way the level allows".into()
        }
        (NameMismatch, _) => "keep the type's name, or list the other name in the reading type's `aliases`".into(),
        (MissingEnumSymbols, _) => "keep every symbol, or give the reading enum a `default` symbol".into(),
        (FixedSizeMismatch, _) => "keep the fixed's size".into(),
        (MissingUnionBranch, _) => "keep every branch of the union the reading side needs".into(),
        (AmbiguousField, _) => "give the field aliases that match one field only".into(),
    }
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
