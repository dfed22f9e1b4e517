//! JSON text to the loaded model, as everit's `SchemaLoader` loads it for the registry.
//!
//! Each schema object is read by everit's extractors in turn (`EnumSchemaExtractor`,
//! `CombinedSchemaLoader`, `NotSchemaExtractor`, `ConstSchemaExtractor`, then
//! `TypeBasedSchemaExtractor` when `type` is given, else `PropertySnifferSchemaExtractor`, which
//! builds a schema for each type whose keywords appear). One schema found is the node; several
//! are a synthetic `allOf` of them; none is the empty schema. `$ref` stands alone (siblings are
//! ignored) and resolves within its document or into a referenced one, by the name the
//! registry's `references` give it. JSON is read with `jsonc-parser` (strict JSON), as for Avro.

use super::model::*;
use crate::source::{FileId, Span};
use fancy_regex::Regex;
use jsonc_parser::CollectOptions;
use jsonc_parser::ast::{Object, Value as Ast};
use serde_json::Value;
use std::collections::HashMap;

/// How deeply schemas may nest; real ones stay far below, and every walk stays within the stack.
const MAX_DEPTH: usize = 128;

/// A schema text to load: the main one, or one it references by `name`.
#[derive(Debug, Clone, Copy)]
pub struct Document<'t> {
    pub name: &'t str,
    pub file: FileId,
    pub text: &'t str,
}

/// Why a document is not a schema the registry would load, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    pub message: String,
    pub span: Span,
}

/// The JSON Schema draft, from `$schema` (the registry's default is draft 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Draft {
    V4,
    V6,
    V7,
    V2019,
    V2020,
}

impl Draft {
    fn of(root: &Ast) -> Draft {
        let Ast::Object(o) = root else { return Draft::V7 };
        let Some(uri) = o.get_string("$schema") else { return Draft::V7 };
        let uri = uri.value.as_ref();
        [("draft-04", Draft::V4), ("draft-06", Draft::V6), ("2019-09", Draft::V2019), ("2020-12", Draft::V2020)]
            .into_iter()
            .find(|(marker, _)| uri.contains(marker))
            .map_or(Draft::V7, |(_, draft)| draft)
    }
}

/// Loads `main`, resolving `$ref`s into `references` by name.
pub fn parse(main: Document<'_>, references: &[Document<'_>]) -> Result<JsonSchema, Vec<ParseProblem>> {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for doc in std::iter::once(&main).chain(references) {
        match read_json(doc) {
            Ok(ast) => docs.push((*doc, Draft::of(&ast), ast)),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut loader = Loader { docs: &docs, nodes: Vec::new(), by_pointer: HashMap::new(), problems };
    let root = loader.load(0, &docs[0].2, String::new(), 0);
    if loader.problems.is_empty() { Ok(JsonSchema { nodes: loader.nodes, root }) } else { Err(loader.problems) }
}

/// The names of the documents `text`'s `$ref`s point into (`other.json` of
/// `other.json#/definitions/x`), so a caller can find them; empty if the text is not JSON.
pub(crate) fn referenced_names(text: &str) -> Vec<String> {
    let doc = Document { name: "", file: FileId(0), text };
    let mut names = Vec::new();
    if let Ok(ast) = read_json(&doc) {
        collect_refs(&ast, &mut names, 0);
    }
    names
}

fn collect_refs(value: &Ast, names: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Ast::Object(o) => {
            for p in &o.properties {
                if let (Ast::StringLit(s), "$ref") = (&p.value, p.name.as_str()) {
                    let document = s.value.split('#').next().unwrap_or_default();
                    if !document.is_empty() && !names.iter().any(|n| n == document) {
                        names.push(document.to_string());
                    }
                }
                collect_refs(&p.value, names, depth + 1);
            }
        }
        Ast::Array(a) => a.elements.iter().for_each(|e| collect_refs(e, names, depth + 1)),
        _ => {}
    }
}

fn read_json<'t>(doc: &Document<'t>) -> Result<Ast<'t>, ParseProblem> {
    let options = crate::text::STRICT_JSON;
    match jsonc_parser::parse_to_ast(doc.text, &CollectOptions::default(), &options) {
        Ok(parsed) => parsed.value.ok_or_else(|| ParseProblem {
            message: "the file holds no JSON value".into(),
            span: Span::file_start(doc.file),
        }),
        Err(error) => {
            let range = error.range();
            let message = crate::text::lowercase_first(&error.kind().to_string());
            Err(ParseProblem { message, span: Span::new(doc.file, range.start, range.end) })
        }
    }
}

fn range_of(value: &Ast) -> (usize, usize) {
    use jsonc_parser::common::Ranged;
    (value.start(), value.end())
}

/// Escapes a property name for a JSON pointer.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

struct Loader<'d, 't> {
    docs: &'d [(Document<'t>, Draft, Ast<'t>)],
    nodes: Vec<Node>,
    /// Each loaded schema by (document, pointer), so `$ref`s share nodes and cycles close.
    by_pointer: HashMap<(usize, String), NodeId>,
    problems: Vec<ParseProblem>,
}

impl<'t> Loader<'_, 't> {
    fn span(&self, doc: usize, value: &Ast) -> Span {
        let (start, end) = range_of(value);
        Span::new(self.docs[doc].0.file, start, end)
    }

    fn problem(&mut self, message: impl Into<String>, span: Span) {
        self.problems.push(ParseProblem { message: message.into(), span });
    }

    fn draft(&self, doc: usize) -> Draft {
        self.docs[doc].1
    }

    /// The node for the schema `value` at `pointer` of document `doc`.
    fn load(&mut self, doc: usize, value: &Ast<'t>, pointer: String, depth: usize) -> NodeId {
        if let Some(&id) = self.by_pointer.get(&(doc, pointer.clone())) {
            return id;
        }
        let span = self.span(doc, value);
        let id = self.push(span, pointer.clone(), Kind::Empty);
        self.by_pointer.insert((doc, pointer.clone()), id);
        if depth > MAX_DEPTH {
            self.problem("the schema nests too deeply", span);
            return id;
        }
        let kind = match value {
            Ast::BooleanLit(b) if b.value => Kind::True,
            Ast::BooleanLit(_) => Kind::False,
            Ast::Object(o) => {
                self.nodes[id].common = self.common(doc, o);
                self.object(doc, o, span, &pointer, depth)
            }
            _ => {
                self.problem("a schema is an object or a boolean", span);
                Kind::Empty
            }
        };
        self.nodes[id].kind = kind;
        id
    }

    fn push(&mut self, span: Span, pointer: String, kind: Kind) -> NodeId {
        self.nodes.push(Node { span, pointer, common: Common::default(), kind, canonical: None });
        self.nodes.len() - 1
    }

    fn common(&self, doc: usize, o: &Object<'t>) -> Common {
        let id_keyword = if self.draft(doc) == Draft::V4 { "id" } else { "$id" };
        let string = |key: &str| o.get_string(key).map(|s| s.value.to_string());
        Common {
            id: string(id_keyword),
            title: string("title"),
            description: string("description"),
            default: o.get("default").map(|p| to_value(&p.value)),
            connect: Connect {
                r#type: string("connect.type"),
                index: o.get("connect.index").and_then(|p| to_value(&p.value).as_i64()),
                parameters: match o.get("connect.parameters").map(|p| to_value(&p.value)) {
                    Some(Value::Object(map)) => {
                        map.into_iter().filter_map(|(k, v)| Some((k, v.as_str()?.to_string()))).collect()
                    }
                    _ => Vec::new(),
                },
            },
        }
    }

    /// The everit schema an object loads as: `$ref`, or what its extractors find.
    fn object(&mut self, doc: usize, o: &Object<'t>, span: Span, pointer: &str, depth: usize) -> Kind {
        if let Some(p) = o.get("$ref") {
            let Ast::StringLit(target) = &p.value else {
                self.problem("`$ref` is a string", self.span(doc, &p.value));
                return Kind::Empty;
            };
            let at = self.span(doc, &p.value);
            return match self.resolve(doc, &target.value, at, depth) {
                Some(target) => Kind::Ref(target),
                None => Kind::Empty,
            };
        }
        let mut found: Vec<(&'static str, Kind)> = Vec::new();
        if let Some(p) = o.get("enum") {
            found.push(("enum", self.enumeration(doc, &p.value)));
        }
        for criterion in [Criterion::All, Criterion::Any, Criterion::One] {
            if let Some(p) = o.get(criterion.as_str()) {
                found.push((criterion.as_str(), self.combined(doc, criterion, &p.value, pointer, depth)));
            }
        }
        if let Some(p) = o.get("not") {
            found.push(("not", Kind::Not(self.load(doc, &p.value, format!("{pointer}/not"), depth + 1))));
        }
        if let (Some(p), true) = (o.get("const"), self.draft(doc) >= Draft::V6) {
            found.push(("const", Kind::Const(to_value(&p.value))));
        }
        match o.get("type") {
            Some(p) => found.push(("type", self.typed(doc, o, &p.value, span, pointer, depth))),
            None => found.extend(self.sniffed(doc, o, pointer, depth)),
        }
        match found.len() {
            0 => Kind::Empty,
            1 => found.pop().map(|(_, kind)| kind).unwrap_or(Kind::Empty),
            _ => {
                Kind::Combined(Combined { criterion: Criterion::All, subschemas: self.synthetic(span, pointer, found) })
            }
        }
    }

    /// Nodes for the schemas of a synthetic combination, each known by its extractor.
    fn synthetic(&mut self, span: Span, pointer: &str, kinds: Vec<(&'static str, Kind)>) -> Vec<NodeId> {
        kinds
            .into_iter()
            .map(|(tag, kind)| {
                let id = self.push(span, pointer.to_string(), kind);
                self.nodes[id].canonical = Some(format!("{pointer}#{tag}"));
                id
            })
            .collect()
    }

    fn enumeration(&mut self, doc: usize, value: &Ast<'t>) -> Kind {
        let Ast::Array(a) = value else {
            self.problem("`enum` is an array", self.span(doc, value));
            return Kind::Enum(Vec::new());
        };
        let mut values: Vec<Value> = Vec::new();
        for v in a.elements.iter().map(to_value) {
            if !values.contains(&v) {
                values.push(v);
            }
        }
        Kind::Enum(values)
    }

    fn combined(&mut self, doc: usize, criterion: Criterion, value: &Ast<'t>, pointer: &str, depth: usize) -> Kind {
        let Ast::Array(a) = value else {
            self.problem(format!("`{}` is an array of schemas", criterion.as_str()), self.span(doc, value));
            return Kind::Empty;
        };
        let subschemas = a
            .elements
            .iter()
            .enumerate()
            .map(|(i, element)| {
                let id = self.load(doc, element, format!("{pointer}/{}/{i}", criterion.as_str()), depth + 1);
                self.nodes[id].canonical.get_or_insert_with(|| canonical(&to_value(element)));
                id
            })
            .collect();
        Kind::Combined(Combined { criterion, subschemas })
    }

    /// `type`: one name, or a list of them (a synthetic `anyOf`, everit's
    /// `TypeBasedSchemaExtractor`); the object's other keywords go to the type's schema.
    fn typed(&mut self, doc: usize, o: &Object<'t>, value: &Ast<'t>, span: Span, pointer: &str, depth: usize) -> Kind {
        match value {
            Ast::StringLit(name) => self.of_type(doc, o, &name.value, span, pointer, depth),
            Ast::Array(names) => {
                let mut kinds = Vec::new();
                for element in &names.elements {
                    let Ast::StringLit(name) = element else {
                        self.problem("a type is a string", self.span(doc, element));
                        continue;
                    };
                    let kind = self.of_type(doc, o, &name.value, span, pointer, depth);
                    kinds.push((type_tag(&name.value), kind));
                }
                Kind::Combined(Combined { criterion: Criterion::Any, subschemas: self.synthetic(span, pointer, kinds) })
            }
            _ => {
                self.problem("`type` is a string or an array of strings", self.span(doc, value));
                Kind::Empty
            }
        }
    }

    fn of_type(&mut self, doc: usize, o: &Object<'t>, name: &str, span: Span, pointer: &str, depth: usize) -> Kind {
        match name {
            "string" => Kind::String(self.string(o)),
            "number" => Kind::Number(self.number(doc, o, false)),
            "integer" => Kind::Number(self.number(doc, o, true)),
            "boolean" => Kind::Boolean,
            "null" => Kind::Null,
            "object" => Kind::Object(self.object_schema(doc, o, pointer, depth)),
            "array" => Kind::Array(self.array(doc, o, pointer, depth)),
            other => {
                self.problem(format!("`{other}` is not a JSON Schema type"), span);
                Kind::Empty
            }
        }
    }

    /// Without `type`: a schema for each type whose keywords appear (everit's
    /// `PropertySnifferSchemaExtractor`, in its order).
    fn sniffed(&mut self, doc: usize, o: &Object<'t>, pointer: &str, depth: usize) -> Vec<(&'static str, Kind)> {
        let draft = self.draft(doc);
        let has = |keys: &[&str]| keys.iter().any(|k| o.get(k).is_some());
        let mut found = Vec::new();
        if has(ARRAY_KEYWORDS)
            || (draft >= Draft::V6 && has(&["contains"]))
            || (draft >= Draft::V2019 && has(&["unevaluatedItems"]))
            || (draft >= Draft::V2020 && has(&["prefixItems"]))
        {
            found.push(("array", Kind::Array(self.array(doc, o, pointer, depth))));
        }
        if has(OBJECT_KEYWORDS)
            || (draft >= Draft::V6 && has(&["propertyNames"]))
            || (draft >= Draft::V2019 && has(&["dependentRequired", "dependentSchemas", "unevaluatedProperties"]))
        {
            found.push(("object", Kind::Object(self.object_schema(doc, o, pointer, depth))));
        }
        if has(&["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]) {
            found.push(("number", Kind::Number(self.number(doc, o, false))));
        }
        if has(&["minLength", "maxLength", "pattern", "format"]) {
            found.push(("string", Kind::String(self.string(o))));
        }
        if draft >= Draft::V7 && has(&["if", "then", "else"]) {
            found.push(("if", Kind::Conditional));
        }
        found
    }

    fn string(&mut self, o: &Object<'t>) -> StringSchema {
        StringSchema {
            min_length: count(o, "minLength"),
            max_length: count(o, "maxLength"),
            pattern: o.get_string("pattern").map(|s| s.value.to_string()),
        }
    }

    fn number(&mut self, doc: usize, o: &Object<'t>, integer: bool) -> NumberSchema {
        // Draft 4's `exclusiveMaximum: true` qualifies `maximum`; it is no limit of its own.
        let exclusive = |key| if self.draft(doc) == Draft::V4 { None } else { number(o, key) };
        NumberSchema {
            maximum: number(o, "maximum"),
            minimum: number(o, "minimum"),
            exclusive_maximum: exclusive("exclusiveMaximum"),
            exclusive_minimum: exclusive("exclusiveMinimum"),
            multiple_of: number(o, "multipleOf"),
            integer,
        }
    }

    fn object_schema(&mut self, doc: usize, o: &Object<'t>, pointer: &str, depth: usize) -> ObjectSchema {
        let mut schema = ObjectSchema { permits_additional: true, ..ObjectSchema::default() };
        schema.properties = self.schemas_by_name(doc, o, "properties", pointer, depth);
        schema.index();
        if let Some(p) = o.get("required") {
            schema.required = self.names(doc, &p.value).into_iter().collect();
        }
        schema.min_properties = count(o, "minProperties");
        schema.max_properties = count(o, "maxProperties");
        (schema.permits_additional, schema.additional) =
            self.additional(doc, o, "additionalProperties", pointer, depth);
        for (pattern, id) in self.schemas_by_name(doc, o, "patternProperties", pointer, depth) {
            if let Err(error) = Regex::new(&pattern) {
                let span = self.nodes[id].span;
                self.problem(format!("`{pattern}` is not a regular expression: {error}"), span);
            }
            schema.pattern_properties.push((pattern, id));
        }
        self.dependencies(doc, o, pointer, depth, &mut schema);
        if self.draft(doc) >= Draft::V2019 {
            schema.unevaluated = self.subschema(doc, o, "unevaluatedProperties", pointer, depth);
        }
        schema
    }

    /// `dependencies` (a list is property dependencies, a schema schema dependencies), and
    /// 2019-09's `dependentRequired` and `dependentSchemas`, which split it.
    fn dependencies(&mut self, doc: usize, o: &Object<'t>, pointer: &str, depth: usize, schema: &mut ObjectSchema) {
        for keyword in ["dependencies", "dependentRequired", "dependentSchemas"] {
            let Some(Ast::Object(deps)) = o.get(keyword).map(|p| &p.value) else { continue };
            for p in &deps.properties {
                let name = p.name.as_str().to_string();
                if let Ast::Array(_) = p.value {
                    schema.property_dependencies.push((name, self.names(doc, &p.value)));
                } else {
                    let at = format!("{pointer}/{keyword}/{}", escape(&name));
                    schema.schema_dependencies.push((name, self.load(doc, &p.value, at, depth + 1)));
                }
            }
        }
    }

    fn array(&mut self, doc: usize, o: &Object<'t>, pointer: &str, depth: usize) -> ArraySchema {
        let mut schema = ArraySchema { permits_additional: true, ..ArraySchema::default() };
        let draft = self.draft(doc);
        let tuple_keyword = if draft >= Draft::V2020 { "prefixItems" } else { "items" };
        if let Some(Ast::Array(items)) = o.get(tuple_keyword).map(|p| &p.value) {
            schema.item_schemas = (items.elements.iter().enumerate())
                .map(|(i, e)| self.load(doc, e, format!("{pointer}/{tuple_keyword}/{i}"), depth + 1))
                .collect();
        }
        // 2020-12's `items` beside `prefixItems` is what `additionalItems` was.
        let additional_keyword =
            if draft >= Draft::V2020 && o.get("prefixItems").is_some() { "items" } else { "additionalItems" };
        (schema.permits_additional, schema.additional) = self.additional(doc, o, additional_keyword, pointer, depth);
        if additional_keyword != "items" && !matches!(o.get("items").map(|p| &p.value), Some(Ast::Array(_))) {
            schema.all_items = self.subschema(doc, o, "items", pointer, depth);
        }
        schema.min_items = count(o, "minItems");
        schema.max_items = count(o, "maxItems");
        schema.unique_items = matches!(o.get("uniqueItems").map(|p| &p.value), Some(Ast::BooleanLit(b)) if b.value);
        schema.max_contains = count(o, "maxContains").map(|n| n as i64);
        schema.min_contains = count(o, "minContains").map(|n| n as i64);
        if draft >= Draft::V2019 {
            schema.unevaluated = self.subschema(doc, o, "unevaluatedItems", pointer, depth);
        }
        schema
    }

    /// `additionalProperties`/`additionalItems`: whether more are permitted, and their schema
    /// when given as an object (`true` and absence permit any, with no schema).
    fn additional(
        &mut self,
        doc: usize,
        o: &Object<'t>,
        key: &str,
        pointer: &str,
        depth: usize,
    ) -> (bool, Option<NodeId>) {
        match o.get(key).map(|p| &p.value) {
            None => (true, None),
            Some(Ast::BooleanLit(b)) => (b.value, None),
            Some(value) => (true, Some(self.load(doc, value, format!("{pointer}/{key}"), depth + 1))),
        }
    }

    fn subschema(&mut self, doc: usize, o: &Object<'t>, key: &str, pointer: &str, depth: usize) -> Option<NodeId> {
        let value = &o.get(key)?.value;
        Some(self.load(doc, value, format!("{pointer}/{key}"), depth + 1))
    }

    fn schemas_by_name(
        &mut self,
        doc: usize,
        o: &Object<'t>,
        key: &str,
        pointer: &str,
        depth: usize,
    ) -> Vec<(String, NodeId)> {
        let Some(value) = o.get(key).map(|p| &p.value) else { return Vec::new() };
        let Ast::Object(members) = value else {
            self.problem(format!("`{key}` is an object of schemas"), self.span(doc, value));
            return Vec::new();
        };
        (members.properties.iter())
            .map(|p| {
                let name = p.name.as_str().to_string();
                let id = self.load(doc, &p.value, format!("{pointer}/{key}/{}", escape(&name)), depth + 1);
                (name, id)
            })
            .collect()
    }

    fn names(&mut self, doc: usize, value: &Ast<'t>) -> Vec<String> {
        let Ast::Array(a) = value else {
            self.problem("expected an array of property names", self.span(doc, value));
            return Vec::new();
        };
        a.elements
            .iter()
            .filter_map(|e| if let Ast::StringLit(s) = e { Some(s.value.to_string()) } else { None })
            .collect()
    }

    /// The node a `$ref` stands for: `#/pointer` or `#anchor` in this document, or the same in the
    /// referenced document it names.
    fn resolve(&mut self, doc: usize, reference: &str, at: Span, depth: usize) -> Option<NodeId> {
        let (document, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target_doc = if document.is_empty() {
            doc
        } else if let Some(i) = self.docs.iter().position(|(d, _, _)| d.name == document) {
            i
        } else {
            self.problem(format!("`$ref` names `{document}`, which is not given as a reference"), at);
            return None;
        };
        let root = &self.docs[target_doc].2;
        let found = if fragment.is_empty() || fragment.starts_with('/') {
            let pointer = percent_decode(fragment);
            walk(root, &pointer).map(|v| (v, pointer))
        } else {
            find_anchor(root, fragment, String::new(), 0)
        };
        match found {
            Some((value, pointer)) => Some(self.load(target_doc, value, pointer, depth + 1)),
            None => {
                self.problem(format!("`$ref` `{reference}` points at nothing"), at);
                None
            }
        }
    }
}

const ARRAY_KEYWORDS: &[&str] = &["items", "additionalItems", "minItems", "maxItems", "uniqueItems"];
const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "patternProperties",
    "additionalProperties",
];

fn type_tag(name: &str) -> &'static str {
    ["string", "number", "integer", "boolean", "null", "object", "array"]
        .into_iter()
        .find(|t| *t == name)
        .unwrap_or("type")
}

fn number(o: &Object, key: &str) -> Option<f64> {
    o.get_number(key).and_then(|n| n.value.parse().ok())
}

fn count(o: &Object, key: &str) -> Option<u64> {
    number(o, key).filter(|n| *n >= 0.0).map(|n| n as u64)
}

/// The value at a JSON pointer (already percent-decoded) under `root`.
fn walk<'a, 't>(root: &'a Ast<'t>, pointer: &str) -> Option<&'a Ast<'t>> {
    let mut value = root;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        value = match value {
            Ast::Object(o) => &o.get(&token)?.value,
            Ast::Array(a) => a.elements.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

/// The schema that names itself `anchor` (`$anchor`, or an `$id`/`id` of `#anchor`).
fn find_anchor<'a, 't>(
    value: &'a Ast<'t>,
    anchor: &str,
    pointer: String,
    depth: usize,
) -> Option<(&'a Ast<'t>, String)> {
    if depth > MAX_DEPTH {
        return None;
    }
    match value {
        Ast::Object(o) => {
            let names_it = |key: &str, want: &str| o.get_string(key).is_some_and(|s| s.value == want);
            let hashed = format!("#{anchor}");
            if names_it("$anchor", anchor) || names_it("$id", &hashed) || names_it("id", &hashed) {
                return Some((value, pointer));
            }
            (o.properties.iter()).find_map(|p| {
                find_anchor(&p.value, anchor, format!("{pointer}/{}", escape(p.name.as_str())), depth + 1)
            })
        }
        Ast::Array(a) => (a.elements.iter().enumerate())
            .find_map(|(i, e)| find_anchor(e, anchor, format!("{pointer}/{i}"), depth + 1)),
        _ => None,
    }
}

/// A URI fragment's `%XX` escapes decoded.
fn percent_decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON value of an AST node.
fn to_value(value: &Ast) -> Value {
    match value {
        Ast::NullKeyword(_) => Value::Null,
        Ast::BooleanLit(b) => Value::Bool(b.value),
        Ast::NumberLit(n) => n.value.parse::<serde_json::Number>().map_or(Value::Null, Value::Number),
        Ast::StringLit(s) => Value::String(s.value.to_string()),
        Ast::Array(a) => Value::Array(a.elements.iter().map(to_value).collect()),
        Ast::Object(o) => {
            Value::Object(o.properties.iter().map(|p| (p.name.as_str().to_string(), to_value(&p.value))).collect())
        }
    }
}

/// A value's text with object keys sorted, so that equal schemas have equal text.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> =
                entries.iter().map(|(k, v)| format!("{}:{}", Value::String((*k).clone()), canonical(v))).collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> JsonSchema {
        parse(Document { name: "s.json", file: FileId(0), text }, &[]).expect("loads")
    }

    fn root_kind(schema: &JsonSchema) -> &Kind {
        &schema.node(schema.resolved(schema.root)).kind
    }

    #[test]
    fn keywords_of_several_extractors_make_a_synthetic_all_of() {
        let schema = load(r#"{"type": "string", "enum": ["red"]}"#);
        let Kind::Combined(c) = root_kind(&schema) else { panic!("combined") };
        assert_eq!(c.criterion, Criterion::All);
        assert!(matches!(schema.node(c.subschemas[0]).kind, Kind::Enum(_)));
        assert!(matches!(schema.node(c.subschemas[1]).kind, Kind::String(_)));
    }

    #[test]
    fn keywords_without_type_are_sniffed() {
        assert!(matches!(root_kind(&load(r#"{"additionalItems": true}"#)), Kind::Array(_)));
        assert!(matches!(root_kind(&load(r#"{"properties": {}}"#)), Kind::Object(_)));
        assert!(matches!(root_kind(&load(r#"{"title": "x"}"#)), Kind::Empty));
    }

    #[test]
    fn references_resolve_within_and_across_documents_and_close_cycles() {
        let schema = load(
            r##"{"$ref": "#/definitions/node", "definitions": {"node": {"properties": {"next": {"$ref": "#/definitions/node"}}}}}"##,
        );
        let Kind::Object(o) = root_kind(&schema) else { panic!("object") };
        let next = schema.resolved(o.properties[0].1);
        assert_eq!(next, schema.resolved(schema.root));
        assert_eq!(schema.node(next).pointer, "/definitions/node");
        let other = Document { name: "other.json", file: FileId(1), text: r#"{"type": "integer"}"# };
        let main = Document { name: "s.json", file: FileId(0), text: r#"{"$ref": "other.json"}"# };
        let schema = parse(main, &[other]).expect("loads");
        assert!(matches!(root_kind(&schema), Kind::Number(n) if n.integer));
    }

    #[test]
    fn draft_2020_prefix_items_are_the_tuple() {
        let schema = load(
            r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": [{"type": "string"}], "items": false}"#,
        );
        let Kind::Array(a) = root_kind(&schema) else { panic!("array") };
        assert_eq!((a.item_schemas.len(), a.permits_additional, a.all_items), (1, false, None));
    }

    #[test]
    fn problems_point_at_their_text() {
        let text = r##"{"properties": {"a": {"$ref": "#/nowhere"}, "b": 3}}"##;
        let problems = parse(Document { name: "s.json", file: FileId(0), text }, &[]).expect_err("problems");
        let covered: Vec<&str> = problems.iter().map(|p| &text[p.span.start..p.span.end]).collect();
        assert_eq!(covered, [r##""#/nowhere""##, "3"]);
        assert_eq!(referenced_names(r#"{"$ref": "a.json#/x", "items": {"$ref": "b.json"}}"#), ["a.json", "b.json"]);
    }
}
