//! V203: a reader schema that cannot read what a writer schema writes. Each reader of a topic
//! that names a `schema=` (a consumer, a sink), and the topic's own declared schema when
//! writers name schemas of their own, is checked against each schema of the same type written to
//! the topic (a producer's or source's `schema=`, else the topic's declared one): Avro with
//! Avro's resolution rules, as Java's `SchemaCompatibility` applies them; Protobuf and JSON
//! Schema with the registry's own diffs (`SchemaDiff`), the reader's schema taken as a new
//! version of the writer's at BACKWARD (`ProtobufSchema`/`JsonSchema.isBackwardCompatible`).

use super::compat_wording::{more_problems, plural};
use super::topic_schemas::{Written, declared, is_avro, schema_of, written};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::avro::compat::{IncompatibilityType, SchemaRef, check_reader_writer};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Format, Project, Side, Spanned};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V203",
    name: "reader cannot read writer",
    severity: Severity::Error,
    status: Status::Partial(
        "consumers and sinks that name an Avro, Protobuf or JSON Schema `schema=`, and a topic's declared schema against its writers' own, are checked; ksqlDB readers, whose schemas the ksqlDB front end infers, are not yet",
    ),
    doc: include_str!("v203_reader_schema.md"),
};

/// The schema types, each by the formats whose `schema=` is of it; a reader is compared with
/// the writers of its own type (a reader of another format is V103's).
const TYPES: [fn(Format) -> bool; 3] = [is_avro, |f| f == Format::Protobuf, |f| f == Format::JsonSr];

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for (topic, edges) in &analysis.edges {
        for (side, of) in [Side::Key, Side::Value].into_iter().flat_map(|side| TYPES.map(|of| (side, of))) {
            let writers = written(project, topic, edges, side, of);
            if writers.is_empty() {
                continue;
            }
            let mut readers: Vec<(String, &Spanned<String>)> = edges
                .readers
                .iter()
                .filter_map(|reader| schema_of(reader.serde(side), of).map(|schema| (reader.actor.describe(), schema)))
                .collect();
            // The topic's declaration reads what writers with schemas of their own write.
            if let Some(schema) = declared(project, topic, side, of)
                && writers.iter().any(|w| w.schema.span != schema.span)
            {
                readers.push((format!("the schema topic `{topic}` declares"), schema));
            }
            for (reader, reader_schema) in &readers {
                for writer in &writers {
                    if writer.schema.value == reader_schema.value {
                        continue;
                    }
                    let pair = Pair { topic, side, reader, reader_schema, writer };
                    if let Some(diagnostic) = compare(analysis, &pair).or_else(|| compare_by_diff(analysis, &pair)) {
                        diagnostics.push(diagnostic);
                    }
                }
            }
        }
    }
}

/// A reader's schema and a writer's, on one side of a topic.
struct Pair<'a> {
    topic: &'a str,
    side: Side,
    reader: &'a str,
    reader_schema: &'a Spanned<String>,
    writer: &'a Written<'a>,
}

/// Two Avro schemas, with Avro's resolution rules.
fn compare(analysis: &Analysis, pair: &Pair) -> Option<Diagnostic> {
    let Pair { topic, side, reader, reader_schema, writer } = *pair;
    let catalog = &analysis.avro;
    let r = catalog.schema(&reader_schema.value)?;
    let w = catalog.schema(&writer.schema.value)?;
    let found = check_reader_writer(SchemaRef::new(catalog, r), SchemaRef::new(catalog, w));
    let first = found.first()?;
    let (reader_name, writer_name) = (&reader_schema.value, &writer.schema.value);
    let facts = ReaderWriter {
        topic: topic.to_string(),
        side,
        reader: reader.to_string(),
        reader_schema: reader_name.clone(),
        writer: writer.who.clone(),
        writer_schema: writer_name.clone(),
        writer_span: writer.schema.span,
        kind: first.kind(),
        path: first.path.clone(),
        reason: first.reason.describe(&format!("`{reader_name}`"), &format!("`{writer_name}`")),
        more: found.len() - 1,
        fragment: first.reader_span,
    };
    Some(facts.diagnostic(reader_schema.span))
}

/// Two Protobuf or two JSON Schema schemas, through the registry's diff at the level a reader
/// needs: the reader's schema may follow the writer's at BACKWARD (`isBackwardCompatible` with
/// the writer's as the previous version: the new schema reads what the old one wrote). The
/// first change the registry refuses is reported by its name.
fn compare_by_diff(analysis: &Analysis, pair: &Pair) -> Option<Diagnostic> {
    let (reader_name, writer_name) = (&pair.reader_schema.value, &pair.writer.schema.value);
    let (change, path, place, count) = if let Some(reader) = analysis.protobuf.schema(reader_name) {
        let writer = analysis.protobuf.schema(writer_name)?;
        let found = crate::protobuf::compat::incompatible_changes(writer, reader);
        let first = found.first()?;
        let place = first.at.as_ref().and_then(|at| analysis.protobuf.span_of(at));
        (first.change.as_str(), first.path.clone(), place, found.len())
    } else {
        let reader = analysis.json_schema.schema(reader_name)?;
        let writer = analysis.json_schema.schema(writer_name)?;
        let found = crate::json_schema::compat::incompatible_changes(writer, reader);
        let first = found.first()?;
        let in_reader = first.side == crate::json_schema::diff::Side::Update;
        let place = if in_reader { reader.site(first.node).0 } else { writer.site(first.node).0 };
        (first.kind.as_str(), first.path().to_string(), Some(place), found.len())
    };
    let Pair { topic, side, reader, reader_schema, writer } = *pair;
    let message = format!(
        "{reader} cannot read the {} that {} writes to `{topic}`: the registry's diff from `{writer_name}` to `{reader_name}` finds {change} (at `{path}`)",
        plural(side),
        writer.who,
    );
    let mut diagnostic = RULE.diagnostic(place.unwrap_or(reader_schema.span), message, change.to_string());
    if place.is_some() {
        diagnostic = diagnostic.with_label(reader_schema.span, format!("reader schema `{reader_name}`"));
    }
    Some(diagnostic.with_label(writer.schema.span, format!("writer schema `{writer_name}`")).with_help(format!(
        "make `{reader_name}` a schema that may follow `{writer_name}` at BACKWARD, as the registry would judge a new version that reads the old one's records{}; `venice schema compat --level backward` lists every change",
        more_problems(count - 1)
    )))
}

/// The facts of a V203: a reader schema that cannot read what a writer schema of the same topic
/// writes. Points at what to edit, the reader schema's part the reason is about (the field
/// without a default, the type); the reader's and the writer's `schema=` are labels.
struct ReaderWriter {
    topic: String,
    side: Side,
    /// Who reads (`consumer \`invoicing\``, `the schema topic \`orders\` declares`) with which
    /// schema.
    reader: String,
    reader_schema: String,
    /// Who writes (`producer \`web\``, `the topic`) with which schema.
    writer: String,
    writer_schema: String,
    /// The writer's `schema=`.
    writer_span: Span,
    kind: IncompatibilityType,
    path: String,
    reason: String,
    more: usize,
    /// The place in the reader schema the reason is about.
    fragment: Span,
}

impl ReaderWriter {
    /// The diagnostic at the reader schema's part, `span` being the reader's `schema=`.
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let message = format!(
            "{} cannot read the {} that {} writes to `{}`: {} (at `{}`)",
            self.reader,
            plural(self.side),
            self.writer,
            self.topic,
            self.reason,
            self.path
        );
        RULE.diagnostic(self.fragment, message, format!("`{}` of `{}`", self.path, self.reader_schema))
            .with_label(span, format!("reader schema `{}`", self.reader_schema))
            .with_label(self.writer_span, format!("writer schema `{}`", self.writer_schema))
            .with_help(format!(
                "{}{}",
                reader_fix(self.kind, &self.reader_schema, &self.writer_schema),
                more_problems(self.more)
            ))
    }
}

fn reader_fix(kind: IncompatibilityType, reader: &str, writer: &str) -> String {
    use IncompatibilityType::*;
    match kind {
        ReaderFieldMissingDefaultValue => {
            format!("give the field a `default` in `{reader}`, or have `{writer}` write it")
        }
        TypeMismatch => format!(
            "make `{reader}`'s type the writer's, or one it promotes to (`int` to `long`, `float` or `double`; `long` to `float` or `double`; `float` to `double`; `string` and `bytes` either way)"
        ),
        NameMismatch => format!("name the type in `{reader}` as `{writer}` does, or add that name to its `aliases`"),
        MissingEnumSymbols => format!("add the symbols to the enum in `{reader}`, or give it a `default` symbol"),
        FixedSizeMismatch => format!("give the fixed in `{reader}` the writer's size"),
        MissingUnionBranch => format!("add a branch for the writer's type to the union in `{reader}`"),
        AmbiguousField => format!("give the field in `{reader}` aliases that match one of `{writer}`'s fields only"),
    }
}
