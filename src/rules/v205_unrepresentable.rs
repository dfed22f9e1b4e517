//! V205: an Avro type that a ksqlDB reader cannot represent. For each ksqlDB stream or table that
//! reads an `avro` side of a topic with a schema, the schema is mapped as ksqlDB maps it
//! (`crate::ksql::from_avro::ksql_type`, through Connect's `AvroData`): a type that makes the whole
//! schema unreadable, a field ksqlDB leaves out (a recursive record), and a union of two or more
//! non-null types, which ksqlDB 0.29 reads as a STRUCT with one optional field per branch rather
//! than as one value, are each reported at the type in the schema, with a label on each reader.
//! The same for a `protobuf` or `json-schema` side read as `PROTOBUF`/`JSON_SR`: a schema
//! `JsonSchemaData` refuses (`{}`, an array without `items`, `not`, ...), a recursive message or
//! `$ref` (left out), and a `oneof` or a `oneOf`/`anyOf` of several types (a STRUCT of branches),
//! as `crate::ksql::foreign` found them.

use super::compat_wording::plural;
use super::topic_formats;
use super::topic_schemas::{carried, is_ksql_reader};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::avro::mapping::{Unsupported, union_member_name};
use crate::avro::{Catalog, NamedId, NamedKind, Primitive, Type, TypeKind};
use crate::avro::{LogicalType, describe};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::from_avro::ksql_type;
use crate::model::{Format, Project, Side};
use crate::source::Span;
use std::collections::HashMap;

pub(crate) const RULE: Rule = Rule {
    code: "V205",
    name: "type the reader cannot represent",
    severity: Severity::Error,
    status: Status::Partial(
        "ksqlDB streams and tables that read a topic's Avro, Protobuf or JSON Schema key or value are checked; other readers (the JDBC sink's column types are V406) are not",
    ),
    doc: include_str!("v205_unrepresentable.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    // Each side of a topic that a ksqlDB reader reads as `avro`, with its schema and readers; then
    // their schemas walked on every core (mapping each as ksqlDB does is the costly part).
    let mut read = Vec::new();
    for (topic, edges) in &analysis.edges {
        for side in [Side::Key, Side::Value] {
            let written = topic_formats::written(project, topic, edges, side).map(|w| w.format);
            let readers: Vec<(String, Span)> = edges
                .readers
                .iter()
                .filter(|e| is_ksql_reader(&e.actor))
                .filter(|e| e.serde(side).map(|s| s.format.value).or(written) == Some(Format::Avro))
                .map(|e| (e.actor.describe(), e.span))
                .collect();
            if readers.is_empty() {
                foreign(project, analysis, (topic, edges, side, written), diagnostics);
                continue;
            }
            let Some(schema) = carried(project, topic, edges, side) else { continue };
            let Some(root) = analysis.avro.schema(&schema.value) else { continue };
            read.push((topic, side, schema, root, readers));
        }
    }
    let found = crate::parallel::map_on_every_core(&read, SCHEMAS_PER_TASK, |(_, _, _, root, _)| {
        unrepresented(&analysis.avro, root)
    });
    for ((topic, side, _, _, readers), found) in read.iter().zip(found) {
        for (span, what) in found {
            let facts = Unrepresentable { topic: (*topic).clone(), side: *side, what, readers: readers.clone() };
            diagnostics.push(facts.diagnostic(span));
        }
    }
}

/// The same for a side ksqlDB reads as `PROTOBUF` or `JSON_SR`: what `ProtobufData` or
/// `JsonSchemaData` make of the schema that ksqlDB cannot represent
/// ([`crate::ksql::foreign`], which found each at its place in the schema file).
fn foreign(
    project: &Project,
    analysis: &Analysis,
    (topic, edges, side, written): (&String, &crate::model::TopicEdges, Side, Option<Format>),
    diagnostics: &mut Vec<Diagnostic>,
) {
    // The schema of the topic's declared serde, else the first a writer names.
    let declared = project.topic(topic).and_then(|t| match side {
        Side::Key => t.key.as_ref(),
        Side::Value => t.value.as_ref(),
    });
    let serdes = declared.into_iter().chain(edges.writers.iter().filter_map(|w| w.serde(side)));
    let Some(schema) = serdes.filter_map(|s| s.schema.as_ref()).next() else { return };
    let schema = schema.value.as_str();
    let readers: Vec<(String, Span)> = (edges.readers.iter())
        .filter(|e| is_ksql_reader(&e.actor))
        .filter(|e| {
            matches!(e.serde(side).map(|s| s.format.value).or(written), Some(Format::Protobuf | Format::JsonSr))
        })
        .map(|e| (e.actor.describe(), e.span))
        .collect();
    let Some(view) = analysis.ksql.foreign.view(schema) else { return };
    if readers.is_empty() {
        return;
    }
    let mut found = Vec::new();
    match &view.sql {
        Some(Err((reason, span))) => found.push((*span, Unrepresented::Whole { reason: reason.clone() })),
        Some(Ok(_)) => {
            for (field, reason, span) in &view.dropped {
                let recursive = reason.starts_with("the recursive type");
                found.push((*span, Unrepresented::Dropped { field: field.clone(), reason: reason.clone(), recursive }));
            }
            for (field, union, span) in &view.unions {
                found.push((*span, Unrepresented::Union { field: field.clone(), union: union.clone() }));
            }
        }
        None => {}
    }
    for (span, what) in found {
        let facts = Unrepresentable { topic: topic.clone(), side, what, readers: readers.clone() };
        diagnostics.push(facts.diagnostic(span));
    }
}

/// How many schemas a task walks at least: each takes a few microseconds.
const SCHEMAS_PER_TASK: usize = 16;

/// What ksqlDB cannot represent in a schema, each at its place.
fn unrepresented(catalog: &Catalog, root: &Type) -> Vec<(Span, Unrepresented)> {
    let mut walk = Walk {
        catalog,
        open: Vec::new(),
        fields: HashMap::new(),
        unions: Vec::new(),
        nulls: Vec::new(),
        fixed_decimals: Vec::new(),
        clashes: Vec::new(),
    };
    walk.visit(root, "", false, 0);
    let mut found = Vec::new();
    match ksql_type(catalog, root) {
        Err(Unsupported::Unknown) => return found,
        Err(reason) => {
            let span = walk.locate(&reason).unwrap_or(root.span);
            found.push((span, Unrepresented::Whole { reason: reason.to_string() }));
            return found;
        }
        Ok(mapping) => {
            for (field, reason) in mapping.dropped {
                if reason == Unsupported::Unknown {
                    continue;
                }
                let span = walk.fields.get(&field).copied().unwrap_or(root.span);
                let recursive = matches!(reason, Unsupported::Recursive { .. });
                found.push((span, Unrepresented::Dropped { field, reason: reason.to_string(), recursive }));
            }
        }
    }
    for (field, span, union) in walk.unions {
        found.push((span, Unrepresented::Union { field, union }));
    }
    found
}

/// The places of a schema a V205 may point at, by ksqlDB's field path (`AMOUNT`, `A.B`).
struct Walk<'a> {
    catalog: &'a Catalog,
    /// Records being visited, to stop at a recursive use.
    open: Vec<NamedId>,
    /// Each field's name, by path.
    fields: HashMap<String, Span>,
    /// Unions of two or more non-null types: path, span, description.
    unions: Vec<(String, Span, String)>,
    /// `null` outside a union: Connect has no null type.
    nulls: Vec<Span>,
    /// Fixed decimals, by full name.
    fixed_decimals: Vec<(String, Span)>,
    /// Unions two of whose branches become the same Connect field.
    clashes: Vec<(String, Span)>,
}

const MAX_DEPTH: usize = 256;

impl<'a> Walk<'a> {
    fn visit(&mut self, ty: &'a Type, path: &str, in_union: bool, depth: usize) {
        let catalog = self.catalog;
        if depth > MAX_DEPTH {
            return;
        }
        match &ty.kind {
            TypeKind::Primitive(p) if p.primitive == Primitive::Null && !in_union => self.nulls.push(ty.span),
            TypeKind::Primitive(_) | TypeKind::Unresolved { .. } | TypeKind::Invalid => {}
            TypeKind::Array { items, .. } => self.visit(items, path, false, depth + 1),
            TypeKind::Map { values, .. } => self.visit(values, path, false, depth + 1),
            TypeKind::Union(branches) => {
                let is_null = |t: &Type| matches!(&t.kind, TypeKind::Primitive(p) if p.primitive == Primitive::Null);
                let others: Vec<&Type> = branches.iter().filter(|b| !is_null(b)).collect();
                let general = !(branches.len() == 2 && others.len() == 1);
                if general && others.len() >= 2 {
                    self.unions.push((
                        path.to_string(),
                        ty.span,
                        format!("the union `{}`", describe(ty, catalog.arena())),
                    ));
                }
                let mut names: Vec<String> = Vec::new();
                for branch in &others {
                    let member = union_member_name(branch, catalog.arena());
                    if general && names.contains(&member) {
                        self.clashes.push((member.clone(), ty.span));
                    }
                    let branch_path = if general { join(path, &member.to_uppercase()) } else { path.to_string() };
                    if general {
                        self.fields.entry(branch_path.clone()).or_insert(branch.span);
                    }
                    names.push(member);
                    self.visit(branch, &branch_path, true, depth + 1);
                }
            }
            TypeKind::Named(id) | TypeKind::Reference(id) => {
                if self.open.contains(id) {
                    return;
                }
                let named = catalog.named(*id);
                match &named.kind {
                    NamedKind::Fixed { logical: Some(LogicalType::Decimal { .. }), .. } => {
                        self.fixed_decimals.push((named.fullname(), named.name_span));
                    }
                    NamedKind::Fixed { .. } | NamedKind::Enum { .. } => {}
                    NamedKind::Record { fields, .. } => {
                        self.open.push(*id);
                        for field in fields {
                            let field_path = join(path, &field.name.to_uppercase());
                            self.fields.entry(field_path.clone()).or_insert(field.name_span);
                            self.visit(&field.ty, &field_path, false, depth + 1);
                        }
                        self.open.pop();
                    }
                }
            }
        }
    }

    /// The place of what makes the whole schema unreadable.
    fn locate(&self, reason: &Unsupported) -> Option<Span> {
        match reason {
            Unsupported::StandaloneNull => self.nulls.first().copied(),
            Unsupported::FixedDecimal { name } => self.fixed_decimals.iter().find(|(n, _)| n == name).map(|(_, s)| *s),
            Unsupported::UnionFieldClash { field } => self.clashes.iter().find(|(f, _)| f == field).map(|(_, s)| *s),
            _ => None,
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
}

/// The facts of a V205: an Avro type a ksqlDB reader cannot represent. Points at the type in the
/// schema.
struct Unrepresentable {
    topic: String,
    side: Side,
    what: Unrepresented,
    /// Each ksqlDB reader (`stream \`payments\``) and where it names the topic.
    readers: Vec<(String, Span)>,
}

/// What ksqlDB cannot represent.
enum Unrepresented {
    /// A union of two or more non-null types, which ksqlDB reads as a STRUCT of its branches;
    /// `union` says which (`the union \`["int", "string"]\``, `the oneof \`p.M.pay\``).
    Union { field: String, union: String },
    /// A field of a type ksqlDB does not support, which it leaves out.
    Dropped { field: String, reason: String, recursive: bool },
    /// A type that makes the whole schema unreadable to ksqlDB.
    Whole { reason: String },
}

impl Unrepresentable {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let (message, help) = match &self.what {
            Unrepresented::Union { field, union } => (
                format!(
                    "ksqlDB reads {union}{} as a STRUCT with one field per branch, not as one value",
                    of_field(field)
                ),
                "give each field a single type, optionally in a union with `null`, and carry alternatives in separate fields",
            ),
            Unrepresented::Dropped { field, reason, recursive } => (
                format!("ksqlDB cannot represent {reason} and leaves the field `{field}` out of `{}`", self.topic),
                if *recursive {
                    "ksqlDB has no recursive types: end the recursion, or store the nested part as a string or bytes"
                } else {
                    ONE_KSQL_SUPPORTS
                },
            ),
            Unrepresented::Whole { reason } => (
                format!("ksqlDB cannot read the {} of `{}`: the schema holds {reason}", plural(self.side), self.topic),
                ONE_KSQL_SUPPORTS,
            ),
        };
        let mut diagnostic = RULE.diagnostic(span, message, "not representable in ksqlDB").with_help(help);
        for (reader, span) in &self.readers {
            diagnostic = diagnostic.with_label(*span, format!("read by {reader}"));
        }
        diagnostic
    }
}

const ONE_KSQL_SUPPORTS: &str = "change the type to one ksqlDB supports (see the Avro to ksqlDB mapping)";

fn of_field(field: &str) -> String {
    if field.is_empty() { String::new() } else { format!(" of field `{field}`") }
}
