//! Parsing Avro schema text (JSON) into the typed model, with a span for every node.
//!
//! JSON is read with `jsonc-parser`, every extension switched off, so the text must be the
//! strict JSON the specification asks for: a comment or a trailing comma is V201 at that token.
//! Each file is read in one pass ([`parse_file`]) that defines its named types in the arena and
//! leaves names it cannot resolve yet as placeholders; [`resolve_file`] then resolves them
//! against the file's own definitions and those of the project's other schema files, and
//! [`check_defaults`] checks every default once all types are known (V204). Problems are
//! collected, never raised: a file always yields a tree, with [`TypeKind::Invalid`] or
//! [`TypeKind::Unresolved`] where nothing could be read.
//!
//! Where Java Avro (which the Schema Registry runs) and the specification differ, the
//! specification is followed and the difference noted beside the check.

use super::problem::{DefaultIssue, Problem};
use super::schema::*;
use crate::diagnostic::suggest;
use crate::model::SourceText;
use crate::source::Span;
use jsonc_parser::CollectOptions;
use jsonc_parser::ast::{Array, Object, ObjectProp, ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use std::collections::HashMap;

/// How deeply types may nest in one schema. Real schemas stay far below; the limit keeps every
/// recursive walk over the model within the stack.
const MAX_DEPTH: usize = 128;

/// Attributes a schema object defines (Java's `SCHEMA_RESERVED`); every other attribute is kept
/// in [`Props`].
const SCHEMA_RESERVED: &[&str] =
    &["doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases"];
/// The same for enums, whose `default` is defined.
const ENUM_RESERVED: &[&str] =
    &["doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases", "default"];
/// The same for fields (Java's `FIELD_RESERVED`).
const FIELD_RESERVED: &[&str] = &["default", "doc", "name", "order", "type", "aliases"];

/// What one schema text yields before names are resolved.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub(crate) root: Type,
    /// The full names this text defines, in order, with their ids.
    pub(crate) names: HashMap<String, NamedId>,
    /// Names not defined before their use in this text, by the span of the use.
    refs: HashMap<(usize, usize), PendingRef>,
    /// Field defaults to check once every type is resolved.
    defaults: Vec<PendingDefault>,
    /// The arena indices of the named types this text defines (a text's definitions are
    /// contiguous: it is parsed in one go).
    defined: std::ops::Range<usize>,
}

impl ParsedFile {
    /// Moves the ids of a text parsed into an arena of its own (ids from 0) by `by`: the number
    /// of named types before it in the project's arena. Its arena entries move with
    /// [`shift_named`].
    pub(crate) fn shift(&mut self, by: u32) {
        shift_type(&mut self.root, by);
        for id in self.names.values_mut() {
            id.0 += by;
        }
        for pending in &mut self.defaults {
            pending.record.0 += by;
        }
        let by = by as usize;
        self.defined = self.defined.start + by..self.defined.end + by;
    }
}

/// Moves the ids a named type's fields use by `by` (see [`ParsedFile::shift`]).
pub(crate) fn shift_named(named: &mut NamedType, by: u32) {
    if let NamedKind::Record { fields, .. } = &mut named.kind {
        for field in fields {
            shift_type(&mut field.ty, by);
        }
    }
}

/// A type tree holds named types by id only, so it nests at most [`MAX_DEPTH`] levels.
fn shift_type(ty: &mut Type, by: u32) {
    match &mut ty.kind {
        TypeKind::Array { items, .. } => shift_type(items, by),
        TypeKind::Map { values, .. } => shift_type(values, by),
        TypeKind::Union(branches) => branches.iter_mut().for_each(|branch| shift_type(branch, by)),
        TypeKind::Named(id) | TypeKind::Reference(id) => id.0 += by,
        TypeKind::Primitive(_) | TypeKind::Unresolved { .. } | TypeKind::Invalid => {}
    }
}

#[derive(Debug)]
struct PendingRef {
    /// The full names the reference may mean, in the order the specification tries them.
    candidates: Vec<String>,
    /// The namespace the reference was written in, for suggestions.
    namespace: Option<String>,
}

#[derive(Debug)]
struct PendingDefault {
    record: NamedId,
    field: usize,
    value: JsonNode,
}

/// A JSON value with its span, for pointing inside defaults.
#[derive(Debug, Clone)]
struct JsonNode {
    span: Span,
    kind: JsonKind,
}

#[derive(Debug, Clone)]
enum JsonKind {
    Null,
    Bool(bool),
    /// The number as written.
    Number(String),
    String(String),
    Array(Vec<JsonNode>),
    Object(Vec<(String, JsonNode)>),
}

impl JsonNode {
    fn found(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }

    fn to_value(&self) -> serde_json::Value {
        match &self.kind {
            JsonKind::Null => serde_json::Value::Null,
            JsonKind::Bool(b) => serde_json::Value::Bool(*b),
            JsonKind::Number(raw) => number_value(raw),
            JsonKind::String(s) => serde_json::Value::String(s.clone()),
            JsonKind::Array(items) => serde_json::Value::Array(items.iter().map(JsonNode::to_value).collect()),
            JsonKind::Object(entries) => {
                // As in Jackson, a repeated key keeps its first position and its last value.
                let mut map = serde_json::Map::new();
                for (key, value) in entries {
                    map.insert(key.clone(), value.to_value());
                }
                serde_json::Value::Object(map)
            }
        }
    }

    /// The value of `key`, the last one when it is repeated (as Jackson reads it).
    fn get(&self, key: &str) -> Option<&JsonNode> {
        match &self.kind {
            JsonKind::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A JSON number as serde_json holds it: an integer when it is written as one and fits,
/// otherwise a double.
fn number_value(raw: &str) -> serde_json::Value {
    if is_integral(raw) {
        if let Ok(i) = raw.parse::<i64>() {
            return i.into();
        }
        if let Ok(u) = raw.parse::<u64>() {
            return u.into();
        }
    }
    raw.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(serde_json::Value::Null, Into::into)
}

/// Whether a JSON number is written as an integer (Jackson's `isIntegralNumber`).
fn is_integral(raw: &str) -> bool {
    !raw.contains(['.', 'e', 'E'])
}

fn found(value: &Value) -> &'static str {
    match value {
        Value::NullKeyword(_) => "null",
        Value::BooleanLit(_) => "a boolean",
        Value::NumberLit(_) => "a number",
        Value::StringLit(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The property `key` of an object: the last one when it is repeated, as Jackson (and so Java
/// Avro) reads it.
fn prop<'v, 'a>(object: &'v Object<'a>, key: &str) -> Option<&'v ObjectProp<'a>> {
    object.properties.iter().rev().find(|p| p.name.as_str() == key)
}

/// The first raw control character inside a string (key or value) of a JSON document, in text
/// order, with its offset. The tree is walked rather than its tokens collected: collecting them
/// costs a good part of parsing.
fn first_control_character(source: &str, value: &Value) -> Option<(usize, char)> {
    enum Next<'v, 'a> {
        Value(&'v Value<'a>),
        Key(&'v ObjectPropName<'a>),
    }
    let in_literal = |range: jsonc_parser::common::Range| {
        let raw = source.get(range.start..range.end)?;
        raw.char_indices().find(|(_, c)| (*c as u32) < 0x20).map(|(at, c)| (range.start + at, c))
    };
    // An explicit stack, what comes next in the text on top: nesting is as deep as the text's.
    let mut pending = vec![Next::Value(value)];
    while let Some(next) = pending.pop() {
        let found = match next {
            Next::Key(ObjectPropName::String(s)) | Next::Value(Value::StringLit(s)) => in_literal(s.range),
            Next::Key(ObjectPropName::Word(_)) => None,
            Next::Value(Value::Array(array)) => {
                pending.extend(array.elements.iter().rev().map(Next::Value));
                None
            }
            Next::Value(Value::Object(object)) => {
                for property in object.properties.iter().rev() {
                    pending.push(Next::Value(&property.value));
                    pending.push(Next::Key(&property.name));
                }
                None
            }
            Next::Value(_) => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Whether `name` is a valid Avro name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `namespace` is valid: empty (the null namespace) or names separated by dots.
pub(crate) fn is_valid_namespace(namespace: &str) -> bool {
    namespace.is_empty() || namespace.split('.').all(is_valid_name)
}

/// Reads one schema text into `arena`. `origin` is the schema's index in the catalog.
pub(crate) fn parse_file(
    text: &SourceText,
    origin: usize,
    arena: &mut Vec<NamedType>,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> ParsedFile {
    let mut parser =
        Parser { text, origin, arena, diagnostics, names: HashMap::new(), refs: HashMap::new(), defaults: Vec::new() };
    let start = parser.arena.len();
    let root = parser.document();
    let defined = start..parser.arena.len();
    ParsedFile { root, names: parser.names, refs: parser.refs, defaults: parser.defaults, defined }
}

struct Parser<'p> {
    text: &'p SourceText,
    origin: usize,
    arena: &'p mut Vec<NamedType>,
    diagnostics: &'p mut Vec<(Problem, Span)>,
    names: HashMap<String, NamedId>,
    refs: HashMap<(usize, usize), PendingRef>,
    defaults: Vec<PendingDefault>,
}

impl Parser<'_> {
    fn span<R: Ranged + ?Sized>(&self, node: &R) -> Span {
        let range = node.range();
        self.text.span(range.start, range.end)
    }

    fn report(&mut self, problem: Problem, span: Span) {
        self.diagnostics.push((problem, span));
    }

    /// Where to point for something missing from an object: the whole object when it is on one
    /// line, otherwise its first line (a record can run for pages).
    fn head(&self, object: &Object) -> Span {
        let range = object.range();
        let text = &self.text.text[range.start..range.end];
        let end = match text.find('\n') {
            Some(newline) => range.start + text[..newline].trim_end().len(),
            None => range.end,
        };
        self.text.span(range.start, end)
    }

    fn whole(&self) -> Span {
        self.text.span(0, self.text.text.len())
    }

    fn document(&mut self) -> Type {
        let source = self.text.text.as_str();
        let options = crate::text::STRICT_JSON;
        let collect = CollectOptions::default();
        let parsed = match jsonc_parser::parse_to_ast(source, &collect, &options) {
            Ok(parsed) => parsed,
            Err(error) => {
                let range = error.range();
                let message = crate::text::lowercase_first(&error.kind().to_string());
                // An unterminated object or array covers everything after it: point at where
                // it opens.
                let end = match error.kind() {
                    jsonc_parser::errors::ParseErrorKind::UnterminatedObject
                    | jsonc_parser::errors::ParseErrorKind::UnterminatedArray => range.start + 1,
                    _ => range.end,
                };
                let span = self.token_span(range.start, end);
                self.report(Problem::InvalidJson { message }, span);
                return Type::new(TypeKind::Invalid, self.whole());
            }
        };
        // JSON forbids raw control characters inside strings; jsonc-parser lets them through.
        if let Some((start, c)) = parsed.value.as_ref().and_then(|value| first_control_character(source, value)) {
            let message = format!("a string holds the control character U+{:04X}; write it escaped", c as u32);
            self.report(Problem::InvalidJson { message }, self.text.span(start, start + c.len_utf8()));
            return Type::new(TypeKind::Invalid, self.whole());
        }
        match &parsed.value {
            Some(value) => self.ty(value, None, 0),
            None => {
                self.report(Problem::InvalidJson { message: "the schema is empty".into() }, self.whole());
                Type::new(TypeKind::Invalid, self.whole())
            }
        }
    }

    /// A span of at least one character where the text has one, so the error is visible.
    fn token_span(&self, start: usize, end: usize) -> Span {
        let text = &self.text.text;
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (start, end) = (floor(start), floor(end));
        if end > start {
            return self.text.span(start, end);
        }
        // An empty range sits after the last good token: point at the next one instead.
        let rest = &text[start..];
        let skipped = rest.len() - rest.trim_start().len();
        let start = start + skipped;
        let end = text[start..].chars().next().map_or(start, |c| start + c.len_utf8());
        self.text.span(start, end)
    }

    /// A schema: a name, an object or a union.
    fn ty(&mut self, value: &Value, namespace: Option<&str>, depth: usize) -> Type {
        let span = self.span(value);
        if depth > MAX_DEPTH {
            let message = format!("types nest more than {MAX_DEPTH} levels deep");
            self.report(Problem::InvalidJson { message }, span);
            return Type::new(TypeKind::Invalid, span);
        }
        match value {
            Value::StringLit(name) => self.named_or_primitive(&name.value, span, namespace),
            Value::Array(array) => self.union(array, namespace, depth),
            Value::Object(object) => self.object(object, span, namespace, depth),
            other => {
                self.report(Problem::NotASchema { found: found(other) }, span);
                Type::new(TypeKind::Invalid, span)
            }
        }
    }

    /// A type written as a string: a primitive, or a reference to a named type.
    fn named_or_primitive(&mut self, name: &str, span: Span, namespace: Option<&str>) -> Type {
        if let Some(primitive) = Primitive::from_name(name) {
            return Type::new(TypeKind::Primitive(PrimitiveType::plain(primitive)), span);
        }
        // The specification: a name with a dot is a full name; one without is in the enclosing
        // namespace. Java then also tries the null namespace, and so does Venice.
        let mut candidates = Vec::new();
        if !name.contains('.')
            && let Some(ns) = namespace
        {
            candidates.push(format!("{ns}.{name}"));
        }
        candidates.push(name.to_string());
        if let Some(id) = candidates.iter().find_map(|c| self.names.get(c)) {
            return Type::new(TypeKind::Reference(*id), span);
        }
        self.refs.insert((span.start, span.end), PendingRef { candidates, namespace: namespace.map(str::to_string) });
        Type::new(TypeKind::Unresolved { name: name.to_string() }, span)
    }

    fn union(&mut self, array: &Array, namespace: Option<&str>, depth: usize) -> Type {
        let mut branches = Vec::new();
        for element in &array.elements {
            if let Value::Array(inner) = element {
                self.report(Problem::NestedUnion, self.span(inner));
                branches.push(Type::new(TypeKind::Invalid, self.span(inner)));
                continue;
            }
            branches.push(self.ty(element, namespace, depth + 1));
        }
        Type::new(TypeKind::Union(branches), self.span(array))
    }

    fn object(&mut self, object: &Object, span: Span, namespace: Option<&str>, depth: usize) -> Type {
        let Some(type_prop) = prop(object, "type") else {
            self.report(Problem::MissingAttribute { owner: "a schema object", attribute: "type" }, self.head(object));
            return Type::new(TypeKind::Invalid, span);
        };
        let type_name = match &type_prop.value {
            Value::StringLit(s) => s.value.to_string(),
            other => {
                // Java Avro rejects `{"type": {...}}` and `{"type": [...]}` ("No type"), so the
                // registry would too.
                let found = found(other).to_string();
                self.report(
                    Problem::WrongAttribute { attribute: "type", expected: "a type name", found },
                    self.span(other),
                );
                return Type::new(TypeKind::Invalid, span);
            }
        };
        match type_name.as_str() {
            "record" | "error" | "enum" | "fixed" => {
                let id = self.named(object, span, &type_name, namespace, depth);
                Type::new(TypeKind::Named(id), span)
            }
            "array" => {
                let props = self.props(object, SCHEMA_RESERVED);
                let Some(items) = prop(object, "items") else {
                    self.report(Problem::MissingAttribute { owner: "an array", attribute: "items" }, self.head(object));
                    return Type::new(TypeKind::Invalid, span);
                };
                let items = self.ty(&items.value, namespace, depth + 1);
                Type::new(TypeKind::Array { items: Box::new(items), props }, span)
            }
            "map" => {
                let props = self.props(object, SCHEMA_RESERVED);
                let Some(values) = prop(object, "values") else {
                    self.report(Problem::MissingAttribute { owner: "a map", attribute: "values" }, self.head(object));
                    return Type::new(TypeKind::Invalid, span);
                };
                let values = self.ty(&values.value, namespace, depth + 1);
                Type::new(TypeKind::Map { values: Box::new(values), props }, span)
            }
            name => match Primitive::from_name(name) {
                Some(primitive) => {
                    let props = self.props(object, SCHEMA_RESERVED);
                    let (logical, ignored_logical) = self.logical(object, Base::Primitive(primitive));
                    Type::new(TypeKind::Primitive(PrimitiveType { primitive, logical, ignored_logical, props }), span)
                }
                // Java reads `{"type": "Name"}` as a reference to `Name`.
                None => self.named_or_primitive(name, self.span(&type_prop.value), namespace),
            },
        }
    }

    /// Attributes outside `reserved`, as JSON.
    fn props(&self, object: &Object, reserved: &[&str]) -> Props {
        let mut props: Props = Vec::new();
        for p in &object.properties {
            let key = p.name.as_str();
            if reserved.contains(&key) {
                continue;
            }
            let value = self.json(&p.value).to_value();
            match props.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => props.push((key.to_string(), value)),
            }
        }
        props
    }

    fn json(&self, value: &Value) -> JsonNode {
        let span = self.span(value);
        let kind = match value {
            Value::NullKeyword(_) => JsonKind::Null,
            Value::BooleanLit(b) => JsonKind::Bool(b.value),
            Value::NumberLit(n) => JsonKind::Number(n.value.to_string()),
            Value::StringLit(s) => JsonKind::String(s.value.to_string()),
            Value::Array(a) => JsonKind::Array(a.elements.iter().map(|e| self.json(e)).collect()),
            Value::Object(o) => JsonKind::Object(
                o.properties.iter().map(|p| (p.name.as_str().to_string(), self.json(&p.value))).collect(),
            ),
        };
        JsonNode { span, kind }
    }

    /// An optional string attribute; another JSON type is reported.
    fn string_attr(&mut self, object: &Object, key: &'static str) -> Option<At<String>> {
        let p = prop(object, key)?;
        match &p.value {
            Value::StringLit(s) => Some(At::new(s.value.to_string(), self.span(&p.value))),
            other => {
                let found = found(other).to_string();
                self.report(Problem::WrongAttribute { attribute: key, expected: "a string", found }, self.span(other));
                None
            }
        }
    }

    /// `doc`: Java ignores a `doc` that is not a string, and so does Venice.
    fn doc(&self, object: &Object) -> Option<String> {
        match prop(object, "doc").map(|p| &p.value) {
            Some(Value::StringLit(s)) => Some(s.value.to_string()),
            _ => None,
        }
    }

    fn aliases(&mut self, object: &Object) -> Vec<At<String>> {
        let Some(p) = prop(object, "aliases") else { return Vec::new() };
        let Value::Array(array) = &p.value else {
            let found = found(&p.value).to_string();
            self.report(
                Problem::WrongAttribute { attribute: "aliases", expected: "an array of strings", found },
                self.span(&p.value),
            );
            return Vec::new();
        };
        let mut aliases = Vec::new();
        for element in &array.elements {
            match element {
                Value::StringLit(s) => aliases.push(At::new(s.value.to_string(), self.span(element))),
                other => {
                    let found = found(other).to_string();
                    self.report(
                        Problem::WrongAttribute { attribute: "aliases", expected: "an array of strings", found },
                        self.span(other),
                    );
                }
            }
        }
        aliases
    }

    /// A record, enum or fixed definition. Its name is registered before its body is read, so
    /// a record may refer to itself.
    fn named(
        &mut self,
        object: &Object,
        span: Span,
        type_name: &str,
        enclosing: Option<&str>,
        depth: usize,
    ) -> NamedId {
        let owner = match type_name {
            "enum" => "an enum",
            "fixed" => "a fixed",
            _ => "a record",
        };
        let name = match prop(object, "name") {
            None => {
                self.report(Problem::MissingAttribute { owner, attribute: "name" }, self.head(object));
                None
            }
            Some(p) => match &p.value {
                Value::StringLit(s) => Some(At::new(s.value.to_string(), self.span(&p.value))),
                other => {
                    let found = found(other).to_string();
                    self.report(
                        Problem::WrongAttribute { attribute: "name", expected: "a string", found },
                        self.span(other),
                    );
                    None
                }
            },
        };
        // A null `namespace` is common and means none. Java ignores any other value that is not a
        // string; Venice reports it.
        let namespace_prop = prop(object, "namespace");
        let namespace = match namespace_prop.map(|p| &p.value) {
            Some(value @ Value::StringLit(s)) => {
                let span = self.span(value);
                if !is_valid_namespace(&s.value) {
                    self.report(Problem::InvalidName { what: "namespace", name: s.value.to_string() }, span);
                }
                Some(s.value.to_string())
            }
            Some(Value::NullKeyword(_)) | None => None,
            Some(other) => {
                let found = found(other).to_string();
                self.report(
                    Problem::WrongAttribute { attribute: "namespace", expected: "a string", found },
                    self.span(other),
                );
                None
            }
        };
        let (full, name_span) = match &name {
            Some(name) => {
                let full = FullName::resolve(&name.value, namespace.as_deref(), enclosing);
                self.check_definition_name(name, &full);
                (full, name.span)
            }
            None => (FullName { name: String::new(), namespace: enclosing.map(str::to_string) }, span),
        };
        let id = NamedId(self.arena.len() as u32);
        let fullname = full.full();
        let props = self.props(object, if type_name == "enum" { ENUM_RESERVED } else { SCHEMA_RESERVED });
        let aliases = self.aliases(object);
        let placeholder = NamedKind::Record { fields: Vec::new(), error: type_name == "error" };
        self.arena.push(NamedType {
            name: full.clone(),
            span,
            name_span,
            aliases,
            doc: self.doc(object),
            kind: placeholder,
            props,
            origin: self.origin,
        });
        if name.is_some() {
            match self.names.get(&fullname) {
                Some(first) => {
                    let first = self.arena[first.index()].name_span;
                    self.report(Problem::Redefinition { name: fullname, first }, name_span);
                }
                None => {
                    self.names.insert(fullname, id);
                }
            }
        }
        let inner_namespace = full.namespace.clone();
        let kind = match type_name {
            "enum" => self.enum_body(object, &full),
            "fixed" => self.fixed_body(object),
            _ => self.record_body(object, id, &full, inner_namespace.as_deref(), depth, type_name == "error"),
        };
        self.arena[id.index()].kind = kind;
        id
    }

    fn check_definition_name(&mut self, name: &At<String>, full: &FullName) {
        if !is_valid_name(&full.name) {
            self.report(Problem::InvalidName { what: "name", name: full.name.clone() }, name.span);
        } else if name.value.contains('.')
            && let Some(ns) = &full.namespace
            && !is_valid_namespace(ns)
        {
            self.report(Problem::InvalidName { what: "namespace", name: ns.clone() }, name.span);
        } else if full.namespace.is_none() && Primitive::from_name(&full.name).is_some() {
            // Java rejects a full name that is a primitive's; `com.example.int` is accepted.
            self.report(Problem::PrimitiveName { name: full.name.clone() }, name.span);
        }
    }

    fn record_body(
        &mut self,
        object: &Object,
        id: NamedId,
        full: &FullName,
        namespace: Option<&str>,
        depth: usize,
        error: bool,
    ) -> NamedKind {
        let mut fields: Vec<Field> = Vec::new();
        let Some(p) = prop(object, "fields") else {
            self.report(Problem::MissingAttribute { owner: "a record", attribute: "fields" }, self.head(object));
            return NamedKind::Record { fields, error };
        };
        let Value::Array(array) = &p.value else {
            let found = found(&p.value).to_string();
            self.report(
                Problem::WrongAttribute { attribute: "fields", expected: "an array of fields", found },
                self.span(&p.value),
            );
            return NamedKind::Record { fields, error };
        };
        for element in &array.elements {
            let Value::Object(field) = element else {
                let found = found(element).to_string();
                self.report(
                    Problem::WrongAttribute { attribute: "fields", expected: "an array of field objects", found },
                    self.span(element),
                );
                continue;
            };
            if let Some((field, default)) = self.field(field, namespace, depth) {
                if let Some(first) = fields.iter().find(|f| f.name == field.name) {
                    let problem = Problem::DuplicateField {
                        record: full.full(),
                        field: field.name.clone(),
                        first: first.name_span,
                    };
                    self.report(problem, field.name_span);
                    continue;
                }
                if let Some(value) = default {
                    self.defaults.push(PendingDefault { record: id, field: fields.len(), value });
                }
                fields.push(field);
            }
        }
        NamedKind::Record { fields, error }
    }

    fn field(&mut self, object: &Object, namespace: Option<&str>, depth: usize) -> Option<(Field, Option<JsonNode>)> {
        let span = self.span(object);
        let name = match prop(object, "name") {
            None => {
                self.report(Problem::MissingAttribute { owner: "a field", attribute: "name" }, self.head(object));
                None
            }
            Some(_) => self.string_attr(object, "name"),
        };
        if let Some(name) = &name
            && !is_valid_name(&name.value)
        {
            self.report(Problem::InvalidName { what: "field name", name: name.value.clone() }, name.span);
        }
        let ty = match prop(object, "type") {
            Some(p) => self.ty(&p.value, namespace, depth + 1),
            None => {
                self.report(Problem::MissingAttribute { owner: "a field", attribute: "type" }, self.head(object));
                Type::new(TypeKind::Invalid, span)
            }
        };
        let order = match prop(object, "order").map(|p| &p.value) {
            None => Order::Ascending,
            Some(Value::StringLit(s)) if Order::parse(&s.value).is_some() => Order::parse(&s.value).unwrap_or_default(),
            Some(other) => {
                let found = match other {
                    Value::StringLit(s) => format!("`{}`", s.value),
                    other => found(other).to_string(),
                };
                self.report(
                    Problem::WrongAttribute {
                        attribute: "order",
                        expected: "`ascending`, `descending` or `ignore`",
                        found,
                    },
                    self.span(other),
                );
                Order::Ascending
            }
        };
        let default = prop(object, "default").map(|p| self.json(&p.value));
        let aliases = self.aliases(object);
        let name = name?;
        let field = Field {
            name: name.value,
            span,
            name_span: name.span,
            ty,
            doc: self.doc(object),
            aliases,
            default: default.as_ref().map(|d| At::new(d.to_value(), d.span)),
            order,
            props: self.props(object, FIELD_RESERVED),
        };
        Some((field, default))
    }

    fn enum_body(&mut self, object: &Object, full: &FullName) -> NamedKind {
        let mut symbols: Vec<At<String>> = Vec::new();
        match prop(object, "symbols").map(|p| &p.value) {
            None => {
                self.report(Problem::MissingAttribute { owner: "an enum", attribute: "symbols" }, self.head(object))
            }
            Some(Value::Array(array)) => {
                for element in &array.elements {
                    let Value::StringLit(s) = element else {
                        let found = found(element).to_string();
                        self.report(
                            Problem::WrongAttribute { attribute: "symbols", expected: "an array of strings", found },
                            self.span(element),
                        );
                        continue;
                    };
                    let symbol = At::new(s.value.to_string(), self.span(element));
                    if !is_valid_name(&symbol.value) {
                        self.report(
                            Problem::InvalidName { what: "enum symbol", name: symbol.value.clone() },
                            symbol.span,
                        );
                    }
                    if let Some(first) = symbols.iter().find(|f| f.value == symbol.value) {
                        let problem = Problem::DuplicateSymbol { symbol: symbol.value.clone(), first: first.span };
                        self.report(problem, symbol.span);
                        continue;
                    }
                    symbols.push(symbol);
                }
            }
            Some(other) => {
                let found = found(other).to_string();
                self.report(
                    Problem::WrongAttribute { attribute: "symbols", expected: "an array of strings", found },
                    self.span(other),
                );
            }
        }
        let default = self.string_attr(object, "default");
        if let Some(default) = &default
            && !symbols.iter().any(|s| s.value == default.value)
        {
            let suggestion = suggest(&default.value, symbols.iter().map(|s| s.value.as_str()));
            let problem =
                Problem::EnumDefaultNotSymbol { name: full.full(), default: default.value.clone(), suggestion };
            self.report(problem, default.span);
        }
        NamedKind::Enum { symbols, default }
    }

    fn fixed_body(&mut self, object: &Object) -> NamedKind {
        let size = match prop(object, "size").map(|p| &p.value) {
            None => {
                self.report(Problem::MissingAttribute { owner: "a fixed", attribute: "size" }, self.head(object));
                None
            }
            Some(Value::NumberLit(n)) if is_integral(n.value) && n.value.parse::<i32>().is_ok_and(|s| s >= 0) => {
                n.value.parse::<u32>().ok()
            }
            Some(other) => {
                let found = match other {
                    Value::NumberLit(n) => n.value.to_string(),
                    other => found(other).to_string(),
                };
                self.report(Problem::InvalidFixedSize { found }, self.span(other));
                None
            }
        };
        let size = size.unwrap_or(0);
        let (logical, ignored_logical) = self.logical(object, Base::Fixed(size));
        NamedKind::Fixed { size, logical, ignored_logical }
    }

    /// The logical type of a primitive or fixed. An annotation that does not apply is ignored,
    /// as the specification asks, and returned as [`IgnoredLogicalType`].
    fn logical(&mut self, object: &Object, base: Base) -> (Option<LogicalType>, Option<IgnoredLogicalType>) {
        let Some(p) = prop(object, "logicalType") else { return (None, None) };
        let span = self.span(&p.value);
        let name = match &p.value {
            Value::StringLit(s) => s.value.to_string(),
            other => {
                let name = self.json(other).to_value().to_string();
                return (None, Some(IgnoredLogicalType { name, reason: LogicalIssue::Unknown, span }));
            }
        };
        match self.logical_of(object, &name, base) {
            Ok(logical) => (Some(logical), None),
            Err((reason, at)) => (None, Some(IgnoredLogicalType { name, reason, span: at.unwrap_or(span) })),
        }
    }

    fn logical_of(&self, object: &Object, name: &str, base: Base) -> LogicalResult<LogicalType> {
        use Primitive as P;
        let wrong = || Err((LogicalIssue::WrongType { found: base.name() }, None));
        let simple = |logical: LogicalType, on: Primitive| match base {
            Base::Primitive(p) if p == on => Ok(logical),
            _ => Err((LogicalIssue::WrongType { found: base.name() }, None)),
        };
        match name {
            "decimal" => match base {
                Base::Primitive(P::Bytes) | Base::Fixed(_) => self.decimal(object, base),
                _ => wrong(),
            },
            "big-decimal" => simple(LogicalType::BigDecimal, P::Bytes),
            "uuid" => match base {
                Base::Primitive(P::String) => Ok(LogicalType::Uuid),
                Base::Fixed(16) => Ok(LogicalType::Uuid),
                Base::Fixed(found) => Err((LogicalIssue::WrongSize { expected: 16, found }, None)),
                _ => wrong(),
            },
            "date" => simple(LogicalType::Date, P::Int),
            "time-millis" => simple(LogicalType::TimeMillis, P::Int),
            "time-micros" => simple(LogicalType::TimeMicros, P::Long),
            "timestamp-millis" => simple(LogicalType::TimestampMillis, P::Long),
            "timestamp-micros" => simple(LogicalType::TimestampMicros, P::Long),
            "timestamp-nanos" => simple(LogicalType::TimestampNanos, P::Long),
            "local-timestamp-millis" => simple(LogicalType::LocalTimestampMillis, P::Long),
            "local-timestamp-micros" => simple(LogicalType::LocalTimestampMicros, P::Long),
            "local-timestamp-nanos" => simple(LogicalType::LocalTimestampNanos, P::Long),
            "duration" => match base {
                Base::Fixed(12) => Ok(LogicalType::Duration),
                Base::Fixed(found) => Err((LogicalIssue::WrongSize { expected: 12, found }, None)),
                _ => wrong(),
            },
            _ => Err((LogicalIssue::Unknown, None)),
        }
    }

    fn decimal(&self, object: &Object, base: Base) -> LogicalResult<LogicalType> {
        let int = |key: &'static str| -> LogicalResult<Option<(i64, Span)>> {
            let Some(p) = prop(object, key) else { return Ok(None) };
            match &p.value {
                Value::NumberLit(n) if is_integral(n.value) && n.value.parse::<i32>().is_ok() => {
                    Ok(Some((n.value.parse::<i64>().unwrap_or_default(), self.span(&p.value))))
                }
                other => Err((LogicalIssue::NotAnInteger { attribute: key }, Some(self.span(other)))),
            }
        };
        let Some((precision, precision_span)) = int("precision")? else {
            return Err((LogicalIssue::MissingPrecision, None));
        };
        if precision < 1 {
            return Err((LogicalIssue::PrecisionNotPositive, Some(precision_span)));
        }
        let (scale, scale_span) = int("scale")?.map_or((0, None), |(s, span)| (s, Some(span)));
        if scale < 0 {
            return Err((LogicalIssue::NotAnInteger { attribute: "scale" }, scale_span));
        }
        if scale > precision {
            let issue = LogicalIssue::ScaleAbovePrecision { precision: precision as u32, scale: scale as u32 };
            return Err((issue, scale_span));
        }
        if let Base::Fixed(size) = base {
            let max = max_decimal_precision(size);
            if precision as u64 > max as u64 {
                return Err((
                    LogicalIssue::PrecisionAboveFixed { precision: precision as u32, max },
                    Some(precision_span),
                ));
            }
        }
        Ok(LogicalType::Decimal { precision: precision as u32, scale: scale as u32 })
    }
}

/// The largest decimal precision a fixed of `size` bytes holds: floor(log10(2^(8·size − 1) − 1)),
/// computed as Java's `LogicalTypes.Decimal.maxPrecision` does.
pub(crate) fn max_decimal_precision(size: u32) -> u32 {
    if size == 0 {
        return 0;
    }
    let bits = 8.0 * f64::from(size) - 1.0;
    (bits * std::f64::consts::LOG10_2).floor().min(f64::from(u32::MAX)) as u32
}

/// A logical type, or why it does not apply and where.
type LogicalResult<T> = Result<T, (LogicalIssue, Option<Span>)>;

#[derive(Debug, Clone, Copy)]
enum Base {
    Primitive(Primitive),
    Fixed(u32),
}

impl Base {
    fn name(self) -> String {
        match self {
            Base::Primitive(p) => p.name().to_string(),
            Base::Fixed(size) => format!("fixed of size {size}"),
        }
    }
}

// -------------------------------------------------------------------------------------------
// Resolution across files
// -------------------------------------------------------------------------------------------

/// The project's definitions, for resolving names across files: each full name with the ids
/// that define it, one per file, in file order.
pub(crate) type Definitions = HashMap<String, Vec<NamedId>>;

/// Resolves the placeholders of one file, then checks its unions (which needs the full names
/// of the types they refer to). `equivalent` says whether two definitions of one name in
/// different files are the same type.
pub(crate) fn resolve_file(
    file: &mut ParsedFile,
    origin: usize,
    arena: &mut [NamedType],
    definitions: &Definitions,
    equivalent: &dyn Fn(&[NamedType], NamedId, NamedId) -> bool,
    diagnostics: &mut Vec<(Problem, Span)>,
) {
    let mut resolver =
        Resolver { file_names: &file.names, refs: &file.refs, origin, definitions, equivalent, diagnostics };
    resolver.resolve(&mut file.root, arena);
    for index in file.defined.clone() {
        let mut fields = match &mut arena[index].kind {
            NamedKind::Record { fields, .. } => std::mem::take(fields),
            _ => continue,
        };
        for field in &mut fields {
            resolver.resolve(&mut field.ty, arena);
        }
        if let NamedKind::Record { fields: slot, .. } = &mut arena[index].kind {
            *slot = fields;
        }
    }
    // Unions, once every branch is known.
    check_unions(&file.root, arena, diagnostics);
    for named in &arena[file.defined.clone()] {
        for field in named.fields() {
            check_unions(&field.ty, arena, diagnostics);
        }
    }
}

struct Resolver<'r> {
    file_names: &'r HashMap<String, NamedId>,
    refs: &'r HashMap<(usize, usize), PendingRef>,
    origin: usize,
    definitions: &'r Definitions,
    equivalent: &'r dyn Fn(&[NamedType], NamedId, NamedId) -> bool,
    diagnostics: &'r mut Vec<(Problem, Span)>,
}

impl Resolver<'_> {
    fn report(&mut self, problem: Problem, span: Span) {
        self.diagnostics.push((problem, span));
    }

    fn resolve(&mut self, ty: &mut Type, arena: &[NamedType]) {
        match &mut ty.kind {
            TypeKind::Array { items, .. } => self.resolve(items, arena),
            TypeKind::Map { values, .. } => self.resolve(values, arena),
            TypeKind::Union(branches) => {
                for branch in branches {
                    self.resolve(branch, arena);
                }
            }
            TypeKind::Unresolved { name } => {
                let Some(pending) = self.refs.get(&(ty.span.start, ty.span.end)) else { return };
                let name = name.clone();
                if let Some(id) = self.lookup(&name, pending, ty.span, arena) {
                    ty.kind = TypeKind::Reference(id);
                }
            }
            TypeKind::Primitive(_) | TypeKind::Named(_) | TypeKind::Reference(_) | TypeKind::Invalid => {}
        }
    }

    fn lookup(&mut self, written: &str, pending: &PendingRef, span: Span, arena: &[NamedType]) -> Option<NamedId> {
        for candidate in &pending.candidates {
            // Defined later in the same text: the specification wants definitions first.
            if let Some(id) = self.file_names.get(candidate) {
                let definition = arena[id.index()].name_span;
                self.report(Problem::UsedBeforeDefinition { name: candidate.clone(), definition }, span);
                return Some(*id);
            }
            let Some(ids) = self.definitions.get(candidate) else { continue };
            let others: Vec<NamedId> =
                ids.iter().copied().filter(|id| arena[id.index()].origin != self.origin).collect();
            let Some(first) = others.first().copied() else { continue };
            if others.iter().skip(1).any(|other| !(self.equivalent)(arena, first, *other)) {
                let definitions = others.iter().map(|id| arena[id.index()].name_span).collect();
                self.report(Problem::AmbiguousReference { name: candidate.clone(), definitions }, span);
            }
            return Some(first);
        }
        let suggestion = suggestion(written, pending.namespace.as_deref(), self.definitions);
        self.report(Problem::UnknownType { name: written.to_string(), suggestion }, span);
        None
    }
}

/// The closest type name to an unknown one: a primitive (for a simple name), or a named type of
/// the project whose simple name is close, written as the reference would write it (its simple
/// name when it is in the reference's namespace, otherwise its full name).
fn suggestion(written: &str, namespace: Option<&str>, definitions: &Definitions) -> Option<String> {
    let (written_ns, simple) = match written.rsplit_once('.') {
        Some((ns, simple)) => (Some(ns), simple),
        None => (namespace, written),
    };
    let mut candidates: Vec<(String, String)> = Vec::new();
    if !written.contains('.') {
        candidates.extend(Primitive::ALL.iter().map(|p| (p.name().to_string(), p.name().to_string())));
    }
    for full in definitions.keys() {
        let (ns, name) = match full.rsplit_once('.') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, full.as_str()),
        };
        let shown = if ns == written_ns && !written.contains('.') { name.to_string() } else { full.clone() };
        candidates.push((name.to_string(), shown));
    }
    candidates.sort();
    let best = suggest(simple, candidates.iter().map(|(name, _)| name.as_str()))?;
    candidates.into_iter().find(|(name, _)| *name == best).map(|(_, shown)| shown)
}

/// The key under which a union branch must be unique: the type's name, or the full name of a
/// named type (Java's `getFullName`, which logical types do not change).
fn union_key(ty: &Type, arena: &[NamedType]) -> Option<String> {
    match &ty.kind {
        TypeKind::Primitive(p) => Some(p.primitive.name().to_string()),
        TypeKind::Array { .. } => Some("array".into()),
        TypeKind::Map { .. } => Some("map".into()),
        TypeKind::Named(id) | TypeKind::Reference(id) => Some(arena[id.index()].fullname()),
        TypeKind::Union(_) | TypeKind::Unresolved { .. } | TypeKind::Invalid => None,
    }
}

fn check_unions(ty: &Type, arena: &[NamedType], diagnostics: &mut Vec<(Problem, Span)>) {
    match &ty.kind {
        TypeKind::Array { items, .. } => check_unions(items, arena, diagnostics),
        TypeKind::Map { values, .. } => check_unions(values, arena, diagnostics),
        TypeKind::Union(branches) => {
            let mut seen: Vec<(String, Span)> = Vec::new();
            for branch in branches {
                check_unions(branch, arena, diagnostics);
                let Some(key) = union_key(branch, arena) else { continue };
                match seen.iter().find(|(k, _)| *k == key) {
                    Some((_, first)) => {
                        let problem = Problem::DuplicateInUnion { branch: key, first: *first };
                        diagnostics.push((problem, branch.span));
                    }
                    None => seen.push((key, branch.span)),
                }
            }
        }
        _ => {}
    }
}

// -------------------------------------------------------------------------------------------
// Defaults (V204)
// -------------------------------------------------------------------------------------------

/// Checks every field default of a file against its field's type, once all files are
/// resolved. Follows the specification's table of default values, and for unions its rule up
/// to Avro 1.11, which the Schema Registry and ksqlDB run: the default is a value of the first
/// branch.
pub(crate) fn check_defaults(file: &ParsedFile, arena: &[NamedType], diagnostics: &mut Vec<(Problem, Span)>) {
    for pending in &file.defaults {
        let Some(field) = arena[pending.record.index()].fields().get(pending.field) else { continue };
        if let Err((span, issue)) = check_value(&field.ty, &pending.value, arena, true, 0) {
            let problem = Problem::InvalidDefault { field: field.name.clone(), ty: describe(&field.ty, arena), issue };
            diagnostics.push((problem, span));
        }
    }
}

type Checked = Result<(), (Span, DefaultIssue)>;

fn expected(node: &JsonNode, expected: &'static str) -> Checked {
    Err((node.span, DefaultIssue::Expected { expected, found: node.found() }))
}

/// Whether `node` is a value of `ty`. `field_level` is set for the default itself (not a value
/// nested in it): there Java also reads a string as a `float` or `double` (`"NaN"`).
fn check_value(ty: &Type, node: &JsonNode, arena: &[NamedType], field_level: bool, depth: usize) -> Checked {
    if depth > MAX_DEPTH * 4 {
        return Ok(());
    }
    match &ty.kind {
        TypeKind::Unresolved { .. } | TypeKind::Invalid => Ok(()),
        TypeKind::Primitive(p) => check_primitive(p.primitive, node, field_level),
        TypeKind::Array { items, .. } => match &node.kind {
            JsonKind::Array(elements) => {
                elements.iter().try_for_each(|e| check_value(items, e, arena, false, depth + 1))
            }
            _ => expected(node, "an array"),
        },
        TypeKind::Map { values, .. } => match &node.kind {
            JsonKind::Object(entries) => {
                entries.iter().try_for_each(|(_, v)| check_value(values, v, arena, false, depth + 1))
            }
            _ => expected(node, "an object"),
        },
        TypeKind::Union(branches) => check_union(branches, node, arena, depth),
        TypeKind::Named(id) | TypeKind::Reference(id) => check_named(&arena[id.index()], node, arena, depth),
    }
}

/// A union's default is a value of its first branch: the Avro specification up to 1.11 ("default
/// values for union fields correspond to the first schema in the union") and Java's
/// `Schema.isValidDefault` there (`case UNION: // union default: first branch`), which
/// `Schema.Parser` runs with `validateDefaults` on. Confluent Platform 7 (the stack's registry,
/// ksqlDB 0.29) ships Avro 1.11 and refuses `["null", "double"]` with `0.0`; Avro 1.12
/// (AVRO-3649) takes a value of any branch, so the issue names the branch that would hold it.
fn check_union(branches: &[Type], node: &JsonNode, arena: &[NamedType], depth: usize) -> Checked {
    let Some((first, others)) = branches.split_first() else { return Err((node.span, DefaultIssue::NoBranch)) };
    match check_value(first, node, arena, false, depth + 1) {
        Ok(()) => Ok(()),
        // A one-branch union: the branch's own issue says more.
        Err(error) if others.is_empty() => Err(error),
        Err(_) => {
            let issue = match others.iter().find(|b| check_value(b, node, arena, false, depth + 1).is_ok()) {
                Some(branch) => {
                    DefaultIssue::NotFirstBranch { first: describe(first, arena), branch: describe(branch, arena) }
                }
                None => DefaultIssue::NoBranch,
            };
            Err((node.span, issue))
        }
    }
}

fn check_primitive(primitive: Primitive, node: &JsonNode, field_level: bool) -> Checked {
    match (primitive, &node.kind) {
        (Primitive::Null, JsonKind::Null) => Ok(()),
        (Primitive::Null, _) => expected(node, "null"),
        (Primitive::Boolean, JsonKind::Bool(_)) => Ok(()),
        (Primitive::Boolean, _) => expected(node, "a boolean"),
        (Primitive::Int | Primitive::Long, JsonKind::Number(raw)) if is_integral(raw) => {
            let fits = match primitive {
                Primitive::Int => raw.parse::<i32>().is_ok(),
                _ => raw.parse::<i64>().is_ok(),
            };
            if fits { Ok(()) } else { Err((node.span, DefaultIssue::OutOfRange { primitive: primitive.name() })) }
        }
        (Primitive::Int | Primitive::Long, _) => expected(node, "an integer"),
        (Primitive::Float | Primitive::Double, JsonKind::Number(_)) => Ok(()),
        // Java parses a string default of a float or double field with `Double.parseDouble`.
        (Primitive::Float | Primitive::Double, JsonKind::String(s))
            if field_level && super::canonical::java_parse_double(s).is_some() =>
        {
            Ok(())
        }
        (Primitive::Float | Primitive::Double, _) => expected(node, "a number"),
        (Primitive::String, JsonKind::String(_)) => Ok(()),
        (Primitive::String, _) => expected(node, "a string"),
        (Primitive::Bytes, JsonKind::String(s)) => check_bytes(s, node),
        (Primitive::Bytes, _) => expected(node, "a string"),
    }
}

/// A `bytes` or `fixed` default: a string whose code points 0-255 are the bytes. Java accepts
/// any string; the specification allows only these.
fn check_bytes(s: &str, node: &JsonNode) -> Checked {
    match s.chars().find(|c| *c as u32 > 0xFF) {
        Some(character) => Err((node.span, DefaultIssue::NotAByte { character })),
        None => Ok(()),
    }
}

fn check_named(named: &NamedType, node: &JsonNode, arena: &[NamedType], depth: usize) -> Checked {
    match &named.kind {
        NamedKind::Enum { symbols, .. } => match &node.kind {
            // Java accepts any string; the specification's table wants a symbol.
            JsonKind::String(s) if symbols.iter().any(|sym| sym.value == *s) => Ok(()),
            JsonKind::String(s) => {
                let suggestion = suggest(s, symbols.iter().map(|sym| sym.value.as_str()));
                Err((node.span, DefaultIssue::NotASymbol { symbol: s.clone(), suggestion }))
            }
            _ => expected(node, "a string"),
        },
        NamedKind::Fixed { size, .. } => match &node.kind {
            JsonKind::String(s) => {
                check_bytes(s, node)?;
                let found = s.chars().count();
                if found == *size as usize {
                    Ok(())
                } else {
                    Err((node.span, DefaultIssue::FixedLength { expected: *size, found }))
                }
            }
            _ => expected(node, "a string"),
        },
        NamedKind::Record { fields, .. } => match &node.kind {
            JsonKind::Object(_) => {
                for field in fields {
                    match node.get(&field.name) {
                        Some(value) => check_value(&field.ty, value, arena, false, depth + 1)?,
                        // A field's own default stands in (and is checked where it is written).
                        None if field.default.is_some() => {}
                        None => return Err((node.span, DefaultIssue::MissingField { field: field.name.clone() })),
                    }
                }
                Ok(())
            }
            _ => expected(node, "an object"),
        },
    }
}

/// A short description of a type for messages: `int`, `array`, `["null", "string"]`, a named
/// type's full name.
pub(crate) fn describe(ty: &Type, arena: &[NamedType]) -> String {
    match &ty.kind {
        TypeKind::Primitive(p) => match &p.logical {
            Some(logical) => format!("{} ({})", p.primitive, logical.name()),
            None => p.primitive.name().to_string(),
        },
        TypeKind::Array { items, .. } => format!("array<{}>", describe(items, arena)),
        TypeKind::Map { values, .. } => format!("map<{}>", describe(values, arena)),
        TypeKind::Union(branches) => {
            let names: Vec<String> = branches
                .iter()
                .map(|b| match &b.kind {
                    TypeKind::Primitive(p) => format!("\"{}\"", p.primitive),
                    TypeKind::Named(id) | TypeKind::Reference(id) => format!("\"{}\"", arena[id.index()].fullname()),
                    TypeKind::Unresolved { name } => format!("\"{name}\""),
                    _ => describe(b, arena),
                })
                .collect();
            format!("[{}]", names.join(", "))
        }
        TypeKind::Named(id) | TypeKind::Reference(id) => arena[id.index()].fullname(),
        TypeKind::Unresolved { name } => name.clone(),
        TypeKind::Invalid => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, clean, parse, parse_all, reported, reported_all};
    use super::*;

    fn root_named(text: &str) -> NamedType {
        let (catalog, diagnostics) = parse(text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let root = catalog.schema("s0").expect("parsed");
        catalog.named(root.named().expect("a named type")).clone()
    }

    // --- JSON ---------------------------------------------------------------------------------

    #[test]
    fn json_errors_point_at_the_bad_token() {
        check(r#"{"type": "record", "name": "A", "fields": [],}"#, &[("V201", ",")]);
        check("{\"type\": \"string\" // note\n}", &[("V201", "// note")]);
        check("{\"type\": /* x */ \"string\"}", &[("V201", "/* x */")]);
        check(r#"{"type": 'string'}"#, &[("V201", "'")]);
        check(r#"{type: "string"}"#, &[("V201", "type")]);
        check(r#"{"type": "string"} {}"#, &[("V201", "{")]);
        check(r#"["int" "long"]"#, &[("V201", "\"")]);
        check(r#"{"type": "fixed", "name": "F", "size": 0x10}"#, &[("V201", "0")]);
        check("{\"type\": \"str\ting\"}", &[("V201", "\t")]);
        check("", &[("V201", "")]);
        check("   \n", &[("V201", "   \n")]);
        check(r#"{"type": "string""#, &[("V201", "{")]);
    }

    #[test]
    fn a_raw_control_character_in_a_string_is_reported_at_the_first_one() {
        let message = |text: &str| {
            let (_, diagnostics) = crate::avro::test_support::parse(text);
            diagnostics.iter().map(|d| (d.message.clone(), d.span.start)).collect::<Vec<_>>()
        };
        let text = "{\"ty\u{1}pe\": \"st\nring\", \"doc\": \"\u{7}\"}";
        assert_eq!(
            message(text),
            [("not a valid Avro schema: a string holds the control character U+0001; write it escaped".to_string(), 4)]
        );
        let text = "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"a\", \"type\": [\"null\", \"lo\rng\"]}], \"doc\": \"\u{1f}\"}";
        assert_eq!(
            message(text),
            [(
                "not a valid Avro schema: a string holds the control character U+000D; write it escaped".to_string(),
                77
            )]
        );
        check("[\"int\", {\"type\": \"map\", \"values\": \"\u{0}\"}]", &[("V201", "\u{0}")]);
    }

    #[test]
    fn json_error_messages_are_worded_our_way() {
        let (_, diagnostics) = parse(r#"{"type": "int",}"#);
        assert_eq!(diagnostics[0].message, "not a valid Avro schema: trailing commas are not allowed");
        let (_, diagnostics) = parse("// x\n\"int\"");
        assert_eq!(diagnostics[0].message, "not a valid Avro schema: comments are not allowed");
    }

    #[test]
    fn hostile_input_never_panics() {
        let deep = format!("{}\"int\"{}", "[".repeat(600), "]".repeat(600));
        assert!(!reported(&deep).is_empty());
        let deep_arrays = format!("{}\"int\"{}", r#"{"type":"array","items":"#.repeat(300), "}".repeat(300));
        assert!(reported(&deep_arrays).iter().any(|(c, _)| *c == "V201"));
        for text in [
            "\u{0}",
            "\"\\ud800\"",
            "{\"type\":\"record\",\"name\":\"é\",\"fields\":[]}",
            "[[]]",
            "[1,",
            "{\"type\":\"fixed\",\"name\":\"F\",\"size\":99999999999999999999}",
            "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":1e400}",
        ] {
            let _ = reported(text);
        }
    }

    // --- Primitives, complex types, logical types ---------------------------------------------------

    #[test]
    fn primitives_in_both_forms() {
        for p in Primitive::ALL {
            clean(&format!("\"{p}\""));
            clean(&format!("{{\"type\": \"{p}\"}}"));
            let (catalog, _) = parse(&format!("{{\"type\": \"{p}\", \"x-note\": 1}}"));
            let prim = catalog.schema("s0").unwrap().primitive().unwrap().clone();
            assert_eq!(prim.primitive, p);
            assert_eq!(prim.props, vec![("x-note".to_string(), serde_json::json!(1))]);
        }
    }

    #[test]
    fn arrays_maps_and_unions() {
        let (catalog, d) = parse(r#"{"type": "array", "items": {"type": "map", "values": ["null", "long"]}}"#);
        assert!(d.is_empty());
        let TypeKind::Array { items, .. } = &catalog.schema("s0").unwrap().kind else { panic!() };
        let TypeKind::Map { values, .. } = &items.kind else { panic!() };
        let TypeKind::Union(branches) = &values.kind else { panic!() };
        assert_eq!(branches.len(), 2);
        check(r#"{"type": "array"}"#, &[("V201", r#"{"type": "array"}"#)]);
        check(r#"{"type": "map", "items": "int"}"#, &[("V201", r#"{"type": "map", "items": "int"}"#)]);
        // Java accepts the empty union; so does Venice.
        clean("[]");
    }

    #[test]
    fn every_logical_type_of_the_specification() {
        let cases = [
            (
                r#"{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}"#,
                LogicalType::Decimal { precision: 10, scale: 2 },
            ),
            (
                r#"{"type": "bytes", "logicalType": "decimal", "precision": 4}"#,
                LogicalType::Decimal { precision: 4, scale: 0 },
            ),
            (r#"{"type": "bytes", "logicalType": "big-decimal"}"#, LogicalType::BigDecimal),
            (r#"{"type": "string", "logicalType": "uuid"}"#, LogicalType::Uuid),
            (r#"{"type": "int", "logicalType": "date"}"#, LogicalType::Date),
            (r#"{"type": "int", "logicalType": "time-millis"}"#, LogicalType::TimeMillis),
            (r#"{"type": "long", "logicalType": "time-micros"}"#, LogicalType::TimeMicros),
            (r#"{"type": "long", "logicalType": "timestamp-millis"}"#, LogicalType::TimestampMillis),
            (r#"{"type": "long", "logicalType": "timestamp-micros"}"#, LogicalType::TimestampMicros),
            (r#"{"type": "long", "logicalType": "timestamp-nanos"}"#, LogicalType::TimestampNanos),
            (r#"{"type": "long", "logicalType": "local-timestamp-millis"}"#, LogicalType::LocalTimestampMillis),
            (r#"{"type": "long", "logicalType": "local-timestamp-micros"}"#, LogicalType::LocalTimestampMicros),
            (r#"{"type": "long", "logicalType": "local-timestamp-nanos"}"#, LogicalType::LocalTimestampNanos),
        ];
        for (text, expected) in cases {
            let (catalog, d) = parse(text);
            assert!(d.is_empty(), "{text}");
            let p = catalog.schema("s0").unwrap().primitive().unwrap().clone();
            assert_eq!(p.logical, Some(expected), "{text}");
            assert_eq!(p.ignored_logical, None);
        }
        let fixed = |text: &str| match root_named(text).kind {
            NamedKind::Fixed { logical, ignored_logical, .. } => (logical, ignored_logical.map(|i| i.reason)),
            _ => panic!(),
        };
        assert_eq!(
            fixed(r#"{"type": "fixed", "name": "U", "size": 16, "logicalType": "uuid"}"#),
            (Some(LogicalType::Uuid), None)
        );
        assert_eq!(
            fixed(r#"{"type": "fixed", "name": "D", "size": 12, "logicalType": "duration"}"#),
            (Some(LogicalType::Duration), None)
        );
        assert_eq!(
            fixed(
                r#"{"type": "fixed", "name": "M", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4}"#
            ),
            (Some(LogicalType::Decimal { precision: 18, scale: 4 }), None)
        );
    }

    #[test]
    fn invalid_logical_types_are_ignored_but_recorded() {
        let ignored = |text: &str| {
            let (catalog, d) = parse(text);
            assert!(d.is_empty(), "an invalid logical type is no error: {text}");
            let root = catalog.schema("s0").unwrap();
            let (logical, ignored) = match &root.kind {
                TypeKind::Primitive(p) => (p.logical, p.ignored_logical.clone()),
                TypeKind::Named(id) => match &catalog.named(*id).kind {
                    NamedKind::Fixed { logical, ignored_logical, .. } => (*logical, ignored_logical.clone()),
                    _ => panic!(),
                },
                _ => panic!(),
            };
            assert_eq!(logical, None, "{text}");
            ignored.expect("recorded").reason
        };
        assert_eq!(
            ignored(r#"{"type": "int", "logicalType": "timestamp-millis"}"#),
            LogicalIssue::WrongType { found: "int".into() }
        );
        assert_eq!(
            ignored(r#"{"type": "string", "logicalType": "date"}"#),
            LogicalIssue::WrongType { found: "string".into() }
        );
        assert_eq!(ignored(r#"{"type": "long", "logicalType": "epoch"}"#), LogicalIssue::Unknown);
        assert_eq!(ignored(r#"{"type": "long", "logicalType": 3}"#), LogicalIssue::Unknown);
        assert_eq!(ignored(r#"{"type": "bytes", "logicalType": "decimal"}"#), LogicalIssue::MissingPrecision);
        assert_eq!(
            ignored(r#"{"type": "bytes", "logicalType": "decimal", "precision": 0}"#),
            LogicalIssue::PrecisionNotPositive
        );
        assert_eq!(
            ignored(r#"{"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 5}"#),
            LogicalIssue::ScaleAbovePrecision { precision: 4, scale: 5 }
        );
        assert_eq!(
            ignored(r#"{"type": "bytes", "logicalType": "decimal", "precision": "4"}"#),
            LogicalIssue::NotAnInteger { attribute: "precision" }
        );
        assert_eq!(
            ignored(r#"{"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": -1}"#),
            LogicalIssue::NotAnInteger { attribute: "scale" }
        );
        assert_eq!(
            ignored(r#"{"type": "fixed", "name": "F", "size": 2, "logicalType": "decimal", "precision": 5}"#),
            LogicalIssue::PrecisionAboveFixed { precision: 5, max: 4 }
        );
        assert_eq!(
            ignored(r#"{"type": "fixed", "name": "F", "size": 8, "logicalType": "uuid"}"#),
            LogicalIssue::WrongSize { expected: 16, found: 8 }
        );
        assert_eq!(
            ignored(r#"{"type": "fixed", "name": "F", "size": 16, "logicalType": "duration"}"#),
            LogicalIssue::WrongSize { expected: 12, found: 16 }
        );
        assert_eq!(
            ignored(r#"{"type": "string", "logicalType": "big-decimal"}"#),
            LogicalIssue::WrongType { found: "string".into() }
        );
    }

    #[test]
    fn decimal_precision_of_fixed_follows_java() {
        // Java's LogicalTypes.Decimal.maxPrecision for sizes 1 to 16.
        let expected = [2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38];
        for (size, max) in (1..=16).zip(expected) {
            assert_eq!(max_decimal_precision(size), max, "size {size}");
        }
    }

    // --- Names and namespaces -------------------------------------------------------------

    #[test]
    fn namespaces_are_inherited_and_full_names_win() {
        let (catalog, d) = parse(
            r#"{"type": "record", "name": "Example", "fields": [
                {"name": "inheritNull", "type": {"type": "enum", "name": "Simple", "symbols": ["a", "b"]}},
                {"name": "explicitNamespace", "type": {"type": "fixed", "name": "Simple", "namespace": "explicit", "size": 12}},
                {"name": "fullName", "type": {"type": "record", "name": "a.full.Name", "namespace": "ignored", "fields": [
                    {"name": "inheritNamespace", "type": {"type": "enum", "name": "Understanding", "symbols": ["d", "e"]}}]}}]}"#,
        );
        assert!(d.is_empty(), "{d:#?}");
        let names: Vec<String> = catalog.arena().iter().map(NamedType::fullname).collect();
        assert_eq!(names, ["Example", "Simple", "explicit.Simple", "a.full.Name", "a.full.Understanding"]);
    }

    #[test]
    fn references_use_the_enclosing_namespace_then_the_null_namespace() {
        let (catalog, d) = parse(
            r#"{"type": "record", "name": "R", "namespace": "n", "fields": [
                {"name": "a", "type": {"type": "fixed", "name": "F", "size": 1}},
                {"name": "b", "type": "F"},
                {"name": "c", "type": "n.F"},
                {"name": "d", "type": {"type": "F"}},
                {"name": "e", "type": {"type": "record", "name": "G", "namespace": "", "fields": []}},
                {"name": "f", "type": "G"}]}"#,
        );
        assert!(d.is_empty(), "{d:#?}");
        let record = catalog.named(catalog.schema("s0").unwrap().named().unwrap());
        let ids: Vec<Option<NamedId>> = record.fields().iter().map(|f| f.ty.named()).collect();
        assert_eq!(ids[1], ids[0]);
        assert_eq!(ids[2], ids[0]);
        assert_eq!(ids[3], ids[0]);
        assert_eq!(ids[5], ids[4]);
        assert!(matches!(record.fields()[1].ty.kind, TypeKind::Reference(_)));
    }

    #[test]
    fn names_must_be_valid() {
        check(r#"{"type": "record", "name": "1Order", "fields": []}"#, &[("V201", r#""1Order""#)]);
        check(r#"{"type": "record", "name": "Or-der", "fields": []}"#, &[("V201", r#""Or-der""#)]);
        check(r#"{"type": "record", "name": "O", "namespace": "com.1x", "fields": []}"#, &[("V201", r#""com.1x""#)]);
        check(r#"{"type": "record", "name": "com..O", "fields": []}"#, &[("V201", r#""com..O""#)]);
        check(
            r#"{"type": "record", "name": "O", "fields": [{"name": "my field", "type": "int"}]}"#,
            &[("V201", r#""my field""#)],
        );
        check(r#"{"type": "enum", "name": "E", "symbols": ["OK", "not-ok"]}"#, &[("V201", r#""not-ok""#)]);
        check(r#"{"type": "record", "name": "int", "fields": []}"#, &[("V201", r#""int""#)]);
        clean(r#"{"type": "record", "name": "_O9", "namespace": "a_b.c9", "fields": [{"name": "_", "type": "int"}]}"#);
        // Java accepts a primitive's name in a namespace, and so does Venice.
        clean(r#"{"type": "record", "name": "com.example.int", "fields": []}"#);
        // The null namespace, written as "".
        clean(r#"{"type": "record", "name": "O", "namespace": "", "fields": []}"#);
    }

    #[test]
    fn missing_and_mistyped_attributes() {
        let record = r#"{"type": "record", "fields": []}"#;
        check(record, &[("V201", record)]);
        check(r#"{"type": "record", "name": 5, "fields": []}"#, &[("V201", "5")]);
        let no_fields = r#"{"type": "record", "name": "R"}"#;
        check(no_fields, &[("V201", no_fields)]);
        check(r#"{"type": "record", "name": "R", "fields": {}}"#, &[("V201", "{}")]);
        check(r#"{"type": "record", "name": "R", "fields": ["int"]}"#, &[("V201", r#""int""#)]);
        check(r#"{"type": "record", "name": "R", "fields": [{"type": "int"}]}"#, &[("V201", r#"{"type": "int"}"#)]);
        check(r#"{"type": "record", "name": "R", "fields": [{"name": "a"}]}"#, &[("V201", r#"{"name": "a"}"#)]);
        let no_symbols = r#"{"type": "enum", "name": "E"}"#;
        check(no_symbols, &[("V201", no_symbols)]);
        check(r#"{"type": "enum", "name": "E", "symbols": ["A", 1]}"#, &[("V201", "1")]);
        let no_size = r#"{"type": "fixed", "name": "F"}"#;
        check(no_size, &[("V201", no_size)]);
        check(r#"{"name": "x"}"#, &[("V201", r#"{"name": "x"}"#)]);
        check(r#"{"type": {"type": "string"}}"#, &[("V201", r#"{"type": "string"}"#)]);
        check(r#"{"type": ["null", "string"]}"#, &[("V201", r#"["null", "string"]"#)]);
        check(r#"{"type": "record", "name": "R", "aliases": "Old", "fields": []}"#, &[("V201", r#""Old""#)]);
        check(r#"{"type": "record", "name": "R", "namespace": 3, "fields": []}"#, &[("V201", "3")]);
        check(
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "order": "up"}]}"#,
            &[("V201", r#""up""#)],
        );
        check("42", &[("V201", "42")]);
        check("[true]", &[("V201", "true")]);
        // Java ignores a doc that is not a string, and a null namespace.
        clean(r#"{"type": "record", "name": "R", "doc": 1, "namespace": null, "fields": []}"#);
    }

    #[test]
    fn fixed_sizes() {
        for bad in ["-1", "1.5", "\"16\"", "2147483648", "1e2"] {
            let text = format!(r#"{{"type": "fixed", "name": "F", "size": {bad}}}"#);
            check(&text, &[("V201", bad)]);
        }
        clean(r#"{"type": "fixed", "name": "F", "size": 0}"#);
        clean(r#"{"type": "fixed", "name": "F", "size": 2147483647}"#);
    }

    #[test]
    fn duplicates_point_at_the_second_and_label_the_first() {
        let text = r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "long"}]}"#;
        check(text, &[("V201", r#""a""#)]);
        let (_, d) = parse(text);
        let label = &d[0].labels[0];
        assert_eq!(&text[label.span.start..label.span.end], r#""a""#);
        assert!(label.span.start < d[0].span.start);
        check(r#"{"type": "enum", "name": "E", "symbols": ["A", "B", "A"]}"#, &[("V201", r#""A""#)]);
    }

    #[test]
    fn unions_reject_duplicates_and_nesting() {
        check(r#"["int", "long", "int"]"#, &[("V201", r#""int""#)]);
        check(
            r#"["int", {"type": "int", "logicalType": "date"}]"#,
            &[("V201", r#"{"type": "int", "logicalType": "date"}"#)],
        );
        check(
            r#"[{"type": "array", "items": "int"}, {"type": "array", "items": "long"}]"#,
            &[("V201", r#"{"type": "array", "items": "long"}"#)],
        );
        check(
            r#"[{"type": "map", "values": "int"}, {"type": "map", "values": "int"}]"#,
            &[("V201", r#"{"type": "map", "values": "int"}"#)],
        );
        check(r#"["null", ["int", "long"]]"#, &[("V201", r#"["int", "long"]"#)]);
        // Named types of different names may share a union; the same name may not.
        clean(
            r#"[{"type": "fixed", "name": "A", "size": 1}, {"type": "fixed", "name": "B", "size": 1}, {"type": "enum", "name": "C", "symbols": ["X"]}]"#,
        );
        check(r#"[{"type": "fixed", "name": "A", "size": 1}, "A"]"#, &[("V201", r#""A""#)]);
    }

    #[test]
    fn unknown_types_suggest_the_closest_name() {
        let text = r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "strng"}]}"#;
        check(text, &[("V201", r#""strng""#)]);
        let (_, d) = parse(text);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `string`?"));
        let (_, d) = parse(
            r#"{"type": "record", "name": "R", "namespace": "shop", "fields": [
                {"name": "a", "type": {"type": "enum", "name": "Tier", "symbols": ["GOLD"]}},
                {"name": "b", "type": "Teir"}]}"#,
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean `Tier`?"));
        check(r#"{"type": "Nothing"}"#, &[("V201", r#""Nothing""#)]);
        check(r#""record""#, &[("V201", r#""record""#)]);
    }

    #[test]
    fn redefinition_and_use_before_definition() {
        check(
            r#"[{"type": "fixed", "name": "A", "size": 1}, {"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "enum", "name": "A", "symbols": ["X"]}}]}]"#,
            &[("V201", r#""A""#)],
        );
        check(
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "F"}, {"name": "b", "type": {"type": "fixed", "name": "F", "size": 2}}]}"#,
            &[("V201", r#""F""#)],
        );
    }

    #[test]
    fn recursive_types_refer_to_themselves() {
        let (catalog, d) = parse(
            r#"{"type": "record", "name": "LongList", "aliases": ["LinkedLongs"], "fields": [
                {"name": "value", "type": "long"},
                {"name": "next", "type": ["null", "LongList"]}]}"#,
        );
        assert!(d.is_empty(), "{d:#?}");
        let root = catalog.schema("s0").unwrap().named().unwrap();
        let TypeKind::Union(branches) = &catalog.named(root).fields()[1].ty.kind else { panic!() };
        assert_eq!(branches[1].kind, TypeKind::Reference(root));
        assert_eq!(catalog.named(root).alias_fullnames(), ["LinkedLongs"]);
    }

    #[test]
    fn fields_keep_every_attribute() {
        let record = root_named(
            r#"{"type": "record", "name": "R", "namespace": "n", "doc": "A record", "aliases": ["Old", "o.Older"], "x": {"b": 1},
                "fields": [{"name": "a", "type": "int", "doc": "The a", "aliases": ["b"], "default": 3, "order": "descending", "x-pii": true}]}"#,
        );
        assert_eq!(record.doc.as_deref(), Some("A record"));
        assert_eq!(record.alias_fullnames(), ["n.Old", "o.Older"]);
        assert_eq!(record.props, vec![("x".to_string(), serde_json::json!({"b": 1}))]);
        let field = &record.fields()[0];
        assert_eq!(field.doc.as_deref(), Some("The a"));
        assert_eq!(field.aliases[0].value, "b");
        assert_eq!(field.default.as_ref().map(|d| &d.value), Some(&serde_json::json!(3)));
        assert_eq!(field.order, Order::Descending);
        assert_eq!(field.props, vec![("x-pii".to_string(), serde_json::json!(true))]);
    }

    #[test]
    fn repeated_keys_keep_the_last_value_as_jackson_does() {
        let (catalog, d) = parse(r#"{"type": "int", "type": "string"}"#);
        assert!(d.is_empty());
        assert_eq!(catalog.schema("s0").unwrap().primitive().unwrap().primitive, Primitive::String);
    }

    #[test]
    fn spans_of_an_inline_schema_land_in_venice_kdl() {
        use crate::source::FileId;
        let kdl = "schema Order avro=#\"\"\"\n    {\"type\": \"record\", \"name\": \"Order\",\n     \"fields\": [{\"name\": \"id\", \"type\": \"strng\"}]}\n    \"\"\"#\n";
        let start = kdl.find("#\"\"\"").unwrap();
        let end = kdl.rfind("\"\"\"#").unwrap() + 4;
        let value =
            "{\"type\": \"record\", \"name\": \"Order\",\n \"fields\": [{\"name\": \"id\", \"type\": \"strng\"}]}";
        let text = SourceText::inline(FileId(0), value.to_string(), &kdl[start..end], start);
        let mut diagnostics = Vec::new();
        let _ = super::super::Catalog::from_texts(vec![("Order".into(), text)], &mut diagnostics);
        assert_eq!(diagnostics.len(), 1);
        let span = diagnostics[0].1;
        assert_eq!(&kdl[span.start..span.end], "\"strng\"");
    }

    // --- Cross-file references ----------------------------------------------------------

    const ADDRESS: &str = r#"{"type": "record", "name": "Address", "namespace": "com.example", "fields": [{"name": "city", "type": "string"}]}"#;

    #[test]
    fn a_schema_file_may_use_a_type_another_defines() {
        let customer = r#"{"type": "record", "name": "Customer", "namespace": "com.example", "fields": [
            {"name": "home", "type": "Address"}, {"name": "work", "type": ["null", "com.example.Address"], "default": null}]}"#;
        let (catalog, d) = parse_all(&[customer, ADDRESS]);
        assert!(d.is_empty(), "{d:#?}");
        let customer = catalog.named(catalog.schema("s0").unwrap().named().unwrap());
        let address = catalog.schema("s1").unwrap().named().unwrap();
        assert_eq!(customer.fields()[0].ty.kind, TypeKind::Reference(address));
        assert_eq!(catalog.named(address).origin, 1);
    }

    #[test]
    fn a_type_defined_differently_in_two_other_files_is_ambiguous() {
        let other = r#"{"type": "record", "name": "Address", "namespace": "com.example", "fields": [{"name": "zip", "type": "string"}]}"#;
        let user = r#"{"type": "record", "name": "U", "namespace": "com.example", "fields": [{"name": "a", "type": "Address"}]}"#;
        assert_eq!(reported_all(&[user, ADDRESS, other]), [("V201", r#""Address""#.to_string())]);
        // The same definition twice is no problem.
        assert_eq!(reported_all(&[user, ADDRESS, ADDRESS]), []);
        // A file's own definition wins over the others'.
        let own = r#"{"type": "record", "name": "U", "namespace": "com.example", "fields": [{"name": "a", "type": {"type": "fixed", "name": "Address", "size": 1}}, {"name": "b", "type": "Address"}]}"#;
        assert_eq!(reported_all(&[own, ADDRESS, other]), []);
    }

    // --- Defaults (V204) ------------------------------------------------------------------

    fn field_default(ty: &str, default: &str) -> Vec<(&'static str, String)> {
        let text = format!(
            r#"{{"type": "record", "name": "R", "fields": [{{"name": "f", "type": {ty}, "default": {default}}}]}}"#
        );
        reported(&text)
    }

    #[track_caller]
    fn valid_default(ty: &str, default: &str) {
        assert_eq!(field_default(ty, default), [], "{ty} with default {default}");
    }

    #[track_caller]
    fn invalid_default(ty: &str, default: &str, at: &str) {
        assert_eq!(field_default(ty, default), [("V204", at.to_string())], "{ty} with default {default}");
    }

    #[test]
    fn defaults_follow_the_specifications_table() {
        valid_default(r#""null""#, "null");
        invalid_default(r#""null""#, "0", "0");
        valid_default(r#""boolean""#, "true");
        invalid_default(r#""boolean""#, r#""true""#, r#""true""#);
        valid_default(r#""int""#, "-2147483648");
        invalid_default(r#""int""#, "2147483648", "2147483648");
        invalid_default(r#""int""#, "1.0", "1.0");
        invalid_default(r#""int""#, "1e2", "1e2");
        invalid_default(r#""int""#, r#""1""#, r#""1""#);
        valid_default(r#""long""#, "9223372036854775807");
        invalid_default(r#""long""#, "9223372036854775808", "9223372036854775808");
        valid_default(r#""float""#, "1.5");
        valid_default(r#""double""#, "1");
        valid_default(r#""double""#, "-2.5e-3");
        // Java reads a string default of a double field with Double.parseDouble.
        valid_default(r#""double""#, r#""NaN""#);
        invalid_default(r#""double""#, r#""lots""#, r#""lots""#);
        invalid_default(r#""double""#, "null", "null");
        valid_default(r#""string""#, r#""""#);
        invalid_default(r#""string""#, "1", "1");
        valid_default(r#""bytes""#, r#""\u00ff\u0000""#);
        invalid_default(r#""bytes""#, r#""\u0100""#, r#""\u0100""#);
        invalid_default(r#""bytes""#, "[1]", "[1]");
        valid_default(r#"{"type": "array", "items": "int"}"#, "[1, 2]");
        invalid_default(r#"{"type": "array", "items": "int"}"#, r#"[1, "2"]"#, r#""2""#);
        invalid_default(r#"{"type": "array", "items": "int"}"#, "{}", "{}");
        valid_default(r#"{"type": "map", "values": "long"}"#, r#"{"a": 1}"#);
        invalid_default(r#"{"type": "map", "values": "long"}"#, r#"{"a": true}"#, "true");
        valid_default(r#"{"type": "int", "logicalType": "date"}"#, "0");
    }

    #[test]
    fn named_type_defaults() {
        let e = r#"{"type": "enum", "name": "E", "symbols": ["A", "B"]}"#;
        valid_default(e, r#""B""#);
        invalid_default(e, r#""C""#, r#""C""#);
        invalid_default(e, "0", "0");
        let f = r#"{"type": "fixed", "name": "F", "size": 2}"#;
        valid_default(f, r#""\u0000\u00ff""#);
        invalid_default(f, r#""abc""#, r#""abc""#);
        invalid_default(f, r#""a\u0100""#, r#""a\u0100""#);
        let r = r#"{"type": "record", "name": "In", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}]}"#;
        valid_default(r, r#"{"a": 1}"#);
        valid_default(r, r#"{"a": 1, "b": "y", "extra": 0}"#);
        invalid_default(r, r#"{"b": "y"}"#, r#"{"b": "y"}"#);
        invalid_default(r, r#"{"a": "1"}"#, r#""1""#);
        invalid_default(r, "[]", "[]");
    }

    #[test]
    fn union_defaults_are_values_of_the_first_branch_as_in_avro_1_11() {
        valid_default(r#"["null", "string"]"#, "null");
        valid_default(r#"["string", "null"]"#, r#""none""#);
        valid_default(r#"["double", "null"]"#, "0.0");
        // A value of a later branch: Avro 1.11 (the registry's) refuses it, 1.12 would not.
        invalid_default(r#"["null", "double"]"#, "0.0", "0.0");
        invalid_default(r#"["null", "string"]"#, r#""none""#, r#""none""#);
        invalid_default(r#"["int", "null"]"#, "null", "null");
        invalid_default(r#"["null", "int"]"#, r#""3""#, r#""3""#);
        invalid_default(r#"["null", {"type": "array", "items": "int"}]"#, r#"["a"]"#, r#"["a"]"#);
        // One branch: the branch's own problem, at its place.
        invalid_default(r#"[{"type": "array", "items": "int"}]"#, r#"[1, "a"]"#, r#""a""#);
        // Nested unions too: `isValidDefault` recurses with the same rule.
        valid_default(r#"{"type": "array", "items": ["null", "int"]}"#, "[null, null]");
        invalid_default(r#"{"type": "array", "items": ["null", "int"]}"#, "[null, 1]", "1");
    }

    #[test]
    fn a_union_default_of_a_later_branch_names_both_branches() {
        let text =
            r#"{"type": "record", "name": "R", "fields": [{"name": "f", "type": ["null", "double"], "default": 0.0}]}"#;
        let labels: Vec<String> = parse(text).1.into_iter().map(|d| d.label).collect();
        assert_eq!(labels, ["a value of `double`, not of the first branch `null`"]);
    }

    #[test]
    fn defaults_of_types_from_other_files_and_recursive_types() {
        let user = r#"{"type": "record", "name": "U", "namespace": "com.example", "fields": [
            {"name": "a", "type": "Address", "default": {"city": "Paris"}},
            {"name": "b", "type": "Address", "default": {"town": "Paris"}}]}"#;
        assert_eq!(reported_all(&[user, ADDRESS]), [("V204", r#"{"town": "Paris"}"#.to_string())]);
        valid_default(
            r#"{"type": "record", "name": "L", "fields": [{"name": "next", "type": {"type": "array", "items": "L"}}]}"#,
            r#"{"next": [{"next": []}]}"#,
        );
    }

    #[test]
    fn enum_default_must_be_a_symbol() {
        let text = r#"{"type": "enum", "name": "E", "symbols": ["UNKNOWN", "A"], "default": "UNKNOWM"}"#;
        check(text, &[("V204", r#""UNKNOWM""#)]);
        let (_, d) = parse(text);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `UNKNOWN`?"));
        clean(r#"{"type": "enum", "name": "E", "symbols": ["UNKNOWN", "A"], "default": "UNKNOWN"}"#);
    }

    #[test]
    fn mutated_schemas_never_panic_anywhere_in_the_phase() {
        let seeds = [
            r#"{"type": "record", "name": "R", "namespace": "n", "fields": [{"name": "a", "type": ["null", {"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "A"}], "default": null}, {"name": "b", "type": {"type": "array", "items": {"type": "map", "values": "E"}}, "default": [{"k": "B"}]}, {"name": "c", "type": {"type": "fixed", "name": "F", "size": 4, "logicalType": "decimal", "precision": 8, "scale": 2}, "default": "abcd"}, {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 4}}, {"name": "next", "type": ["null", "R"]}]}"#,
            r#"[{"type": "record", "name": "x.A", "aliases": ["B"], "fields": [{"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}, "order": "ignore", "aliases": ["u"]}]}, "x.A", "string"]"#,
        ];
        let alphabet = br#"{}[]:,"\ aA0-.e"#;
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for seed in seeds {
            for _ in 0..400 {
                let mut bytes = seed.as_bytes().to_vec();
                for _ in 0..1 + next(4) {
                    let at = next(bytes.len());
                    match next(3) {
                        0 => {
                            bytes.remove(at);
                        }
                        1 => bytes.insert(at, alphabet[next(alphabet.len())]),
                        _ => bytes[at] = alphabet[next(alphabet.len())],
                    }
                }
                let text = String::from_utf8(bytes).expect("ASCII stays UTF-8");
                let (catalog, _) = parse_all(&[&text, seed]);
                for (_, schema) in catalog.schemas() {
                    let _ = crate::avro::canonical::parsing_canonical_form(&catalog, &schema.root);
                    let _ = crate::avro::normalized_form_of(&catalog, &schema.root);
                    let _ = crate::ksql::from_avro::ksql_type(&catalog, &schema.root);
                    let _ = crate::avro::mapping::postgres_columns(&catalog, &schema.root);
                }
            }
        }
    }

    #[test]
    fn every_problem_is_collected_in_one_run() {
        let text = r#"{"type": "record", "name": "R", "fields": [
            {"name": "a", "type": "strng"},
            {"name": "b-c", "type": "int", "default": "x"},
            {"name": "d", "type": ["int", "int"]},
            {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "A"]}}]}"#;
        let codes: Vec<&str> = reported(text).iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ["V201", "V201", "V204", "V201", "V201"]);
    }
}
