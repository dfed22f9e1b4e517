//! Canonical forms of a schema, for comparing and recording schemas.
//!
//! - [`parsing_canonical_form`]: the specification's Parsing Canonical Form ([PRIMITIVES],
//!   [FULLNAMES], [STRIP], [ORDER], [STRINGS], [INTEGERS], [WHITESPACE]), what a reader needs to
//!   decode the data and nothing else, and its 64-bit Rabin [`Fingerprint`] (CRC-64-AVRO, the
//!   specification's algorithm). Two schemas with the same form read the same bytes.
//! - [`normalized_form`]: the form the Confluent Schema Registry compares when a schema is
//!   registered or looked up with `normalize=true` (`AvroSchema.normalize()`, built by
//!   `AvroSchemaUtils.toNormalizedString` in confluentinc/schema-registry, `client` module). It
//!   keeps what PCF strips and the registry still counts as a change: full names, field
//!   `order`, `doc` (a named type's only when not empty), aliases (sorted), defaults (as the
//!   Java object the default becomes, so `1` for a `double` is `1.0`), enum defaults, logical
//!   types with decimal `precision` and `scale` (scale only when not 0), and every other
//!   attribute, sorted by key, objects inside them with sorted keys. Types defined by another
//!   schema of the project (the registry's schema references) are written by name. Two
//!   departures from the Java text, neither changing what compares equal: an attribute the
//!   logical type writes is written once (Java also writes it again among the other attributes,
//!   which the registry's re-parse of the text collapses), and numbers are written as Java's
//!   `Double.toString` writes them from the shortest digits (JDK 19 and later).

use super::catalog::Catalog;
use super::schema::*;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt::{self, Write};

/// How deeply the writers follow types before giving up (named types already written are not
/// followed again, so only a pathological chain of distinct types gets here).
const MAX_DEPTH: usize = 2000;

// -------------------------------------------------------------------------------------------
// Parsing Canonical Form and fingerprints
// -------------------------------------------------------------------------------------------

/// The Parsing Canonical Form of a type. Meaningful for schemas without V201 problems: an
/// unresolved name is written as written, a part that could not be read as `"null"`.
pub(crate) fn parsing_canonical_form(catalog: &Catalog, ty: &Type) -> String {
    let mut out = String::new();
    pcf(catalog.arena(), ty, &mut HashSet::new(), &mut out, 0);
    out
}

fn pcf(arena: &[NamedType], ty: &Type, env: &mut HashSet<String>, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &ty.kind {
        // [PRIMITIVES], [STRIP]: a primitive is its name, whatever its attributes.
        TypeKind::Primitive(p) => quoted(out, p.primitive.name()),
        TypeKind::Array { items, .. } => {
            out.push_str("{\"type\":\"array\",\"items\":");
            pcf(arena, items, env, out, depth + 1);
            out.push('}');
        }
        TypeKind::Map { values, .. } => {
            out.push_str("{\"type\":\"map\",\"values\":");
            pcf(arena, values, env, out, depth + 1);
            out.push('}');
        }
        TypeKind::Union(branches) => {
            out.push('[');
            for (i, branch) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pcf(arena, branch, env, out, depth + 1);
            }
            out.push(']');
        }
        TypeKind::Named(id) | TypeKind::Reference(id) => {
            let named = &arena[id.index()];
            // [FULLNAMES]: the full name; a type already written is written by name.
            let fullname = named.fullname();
            if !env.insert(fullname.clone()) {
                quoted(out, &fullname);
                return;
            }
            // [ORDER]: name, type, fields, symbols, items, values, size.
            out.push_str("{\"name\":");
            quoted(out, &fullname);
            match &named.kind {
                NamedKind::Record { fields, .. } => {
                    out.push_str(",\"type\":\"record\",\"fields\":[");
                    for (i, field) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str("{\"name\":");
                        quoted(out, &field.name);
                        out.push_str(",\"type\":");
                        pcf(arena, &field.ty, env, out, depth + 1);
                        out.push('}');
                    }
                    out.push(']');
                }
                NamedKind::Enum { symbols, .. } => {
                    out.push_str(",\"type\":\"enum\",\"symbols\":[");
                    for (i, symbol) in symbols.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        quoted(out, &symbol.value);
                    }
                    out.push(']');
                }
                NamedKind::Fixed { size, .. } => {
                    // [INTEGERS]: no quotes, no leading zeros.
                    let _ = write!(out, ",\"type\":\"fixed\",\"size\":{size}");
                }
            }
            out.push('}');
        }
        TypeKind::Unresolved { name } => quoted(out, name),
        TypeKind::Invalid => quoted(out, "null"),
    }
}

/// A JSON string with [STRINGS]: characters as themselves (UTF-8), escaping only what JSON
/// requires. Valid names and symbols never need escaping.
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A 64-bit Rabin fingerprint (CRC-64-AVRO) of a schema's Parsing Canonical Form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Fingerprint(pub u64);

impl Fingerprint {
    /// The fingerprint of the Parsing Canonical Form of `ty`.
    pub(crate) fn of(catalog: &Catalog, ty: &Type) -> Fingerprint {
        Fingerprint(rabin(parsing_canonical_form(catalog, ty).as_bytes()))
    }

    /// The eight bytes, little-endian, as the specification writes them (single-object
    /// encoding, apache-avro's `Rabin` digest).
    pub(crate) fn to_le_bytes(self) -> [u8; 8] {
        self.0.to_le_bytes()
    }

    #[cfg(test)]
    /// The value as Java's `SchemaNormalization.parsingFingerprint64` returns it (a signed long).
    pub(crate) fn as_i64(self) -> i64 {
        self.0 as i64
    }
}

/// Lowercase hex of the little-endian bytes.
impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.to_le_bytes() {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// `EMPTY` of the specification: the fingerprint of no bytes, and the polynomial.
const EMPTY: u64 = 0xc15d_213a_a4d7_a795;

const FP_TABLE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut fp = i as u64;
        let mut j = 0;
        while j < 8 {
            fp = (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg());
            j += 1;
        }
        table[i] = fp;
        i += 1;
    }
    table
};

/// The specification's `fingerprint64`: CRC-64-AVRO of `bytes`.
pub(crate) fn rabin(bytes: &[u8]) -> u64 {
    bytes.iter().fold(EMPTY, |fp, b| (fp >> 8) ^ FP_TABLE[((fp ^ u64::from(*b)) & 0xff) as usize])
}

// -------------------------------------------------------------------------------------------
// The Schema Registry's normalized form
// -------------------------------------------------------------------------------------------

#[cfg(test)]
/// The normalized form of a venice schema as the registry would compare it when the schema is
/// registered with references to the other schema files it uses: named types defined by
/// another schema of the project are written by name.
pub(crate) fn normalized_form(catalog: &Catalog, id: super::catalog::SchemaId) -> String {
    let mut env: HashSet<String> = HashSet::new();
    for named in catalog.arena().iter().filter(|n| n.origin != id.0) {
        env.insert(named.fullname());
    }
    // A type this schema defines itself is written out even if another file defines it too.
    for named in catalog.arena().iter().filter(|n| n.origin == id.0) {
        env.remove(&named.fullname());
    }
    let mut out = String::new();
    normalized(catalog.arena(), &catalog.get(id).root, &mut env, &mut out, 0, Orders::Java);
    out
}

/// The normalized form of a type with every named type written out (a schema registered
/// without references).
pub(crate) fn normalized_form_of(catalog: &Catalog, ty: &Type) -> String {
    let mut out = String::new();
    normalized(catalog.arena(), ty, &mut HashSet::new(), &mut out, 0, Orders::Java);
    out
}

/// [`normalized_form_of`] as the Schema Registry is sent it by `venice build`: a field's `order`
/// in the specification's lower case (the registry reads either; Venice's parser, like the
/// specification, only lower case).
pub(crate) fn registered_form_of(catalog: &Catalog, ty: &Type) -> String {
    let mut out = String::new();
    normalized(catalog.arena(), ty, &mut HashSet::new(), &mut out, 0, Orders::Specification);
    out
}

/// How a field's `order` is spelled: as Java's enum constant (`ASCENDING`, the registry's
/// normalized form) or as the specification writes it (`ascending`).
#[derive(Clone, Copy)]
enum Orders {
    Java,
    Specification,
}

/// The normalized form of one named type, written out in full: two definitions of a name in
/// different files are the same type when these are equal.
pub(crate) fn normalized_named(arena: &[NamedType], id: NamedId) -> String {
    let mut out = String::new();
    let ty = Type::new(TypeKind::Named(id), arena[id.index()].span);
    normalized(arena, &ty, &mut HashSet::new(), &mut out, 0, Orders::Java);
    out
}

fn normalized(
    arena: &[NamedType],
    ty: &Type,
    env: &mut HashSet<String>,
    out: &mut String,
    depth: usize,
    orders: Orders,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &ty.kind {
        TypeKind::Union(branches) => {
            out.push('[');
            for (i, branch) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                normalized(arena, branch, env, out, depth + 1, orders);
            }
            out.push(']');
        }
        TypeKind::Array { items, props } => {
            out.push_str("{\"type\":\"array\",\"items\":");
            normalized(arena, items, env, out, depth + 1, orders);
            simple_props(out, props, &[]);
            out.push('}');
        }
        TypeKind::Map { values, props } => {
            out.push_str("{\"type\":\"map\",\"values\":");
            normalized(arena, values, env, out, depth + 1, orders);
            simple_props(out, props, &[]);
            out.push('}');
        }
        TypeKind::Named(id) | TypeKind::Reference(id) => {
            let named = &arena[id.index()];
            let fullname = named.fullname();
            if !env.insert(fullname.clone()) {
                quoted_java(out, &fullname);
                return;
            }
            definition(arena, named, &fullname, env, out, depth, orders);
        }
        TypeKind::Primitive(p) => primitive(out, p),
        TypeKind::Unresolved { name } => quoted_java(out, name),
        TypeKind::Invalid => quoted_java(out, "null"),
    }
}

/// The first occurrence of a named type, written out in full: its name, its kind's attributes
/// (a record's fields, an enum's symbols, a fixed's size), then Java's complex and simple props.
fn definition(
    arena: &[NamedType],
    named: &NamedType,
    fullname: &str,
    env: &mut HashSet<String>,
    out: &mut String,
    depth: usize,
    orders: Orders,
) {
    out.push_str("{\"name\":");
    quoted_java(out, fullname);
    let mut written: &[&str] = &[];
    match &named.kind {
        NamedKind::Record { fields, .. } => {
            out.push_str(",\"type\":\"record\",\"fields\":[");
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"name\":");
                quoted_java(out, &field.name);
                out.push_str(",\"type\":");
                normalized(arena, &field.ty, env, out, depth + 1, orders);
                field_props(arena, out, field, orders);
                out.push('}');
            }
            out.push(']');
        }
        NamedKind::Enum { symbols, .. } => {
            out.push_str(",\"type\":\"enum\",\"symbols\":[");
            for (i, symbol) in symbols.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quoted_java(out, &symbol.value);
            }
            out.push(']');
        }
        NamedKind::Fixed { size, logical, .. } => {
            let _ = write!(out, ",\"type\":\"fixed\",\"size\":{size}");
            if let Some(logical) = logical {
                written = logical_props(out, logical);
            }
        }
    }
    // Java's setComplexProps: doc (when not empty), aliases, the enum's default.
    if let Some(doc) = named.doc.as_deref().filter(|d| !d.is_empty()) {
        out.push_str(",\"doc\":");
        quoted_java(out, doc);
    }
    let aliases = named_aliases(named);
    if !aliases.is_empty() {
        out.push_str(",\"aliases\":");
        string_array(out, aliases);
    }
    if let NamedKind::Enum { default: Some(default), .. } = &named.kind {
        out.push_str(",\"default\":");
        quoted_java(out, &default.value);
    }
    simple_props(out, &named.props, written);
    out.push('}');
}

/// A primitive type: its name alone, or an object when it has a logical type or other attributes.
fn primitive(out: &mut String, p: &PrimitiveType) {
    match &p.logical {
        Some(logical) => {
            let _ = write!(out, "{{\"type\":\"{}\"", p.primitive.name());
            let written = logical_props(out, logical);
            simple_props(out, &p.props, written);
            out.push('}');
        }
        None if !p.props.is_empty() => {
            let _ = write!(out, "{{\"type\":\"{}\"", p.primitive.name());
            simple_props(out, &p.props, &[]);
            out.push('}');
        }
        None => quoted_java(out, p.primitive.name()),
    }
}

/// Java's `setLogicalProps`; returns the attributes it wrote.
fn logical_props(out: &mut String, logical: &LogicalType) -> &'static [&'static str] {
    let _ = write!(out, ",\"logicalType\":\"{}\"", logical.name());
    match logical {
        LogicalType::Decimal { precision, scale } => {
            let _ = write!(out, ",\"precision\":{precision}");
            if *scale != 0 {
                let _ = write!(out, ",\"scale\":{scale}");
            }
            &["logicalType", "precision", "scale"]
        }
        _ => &["logicalType"],
    }
}

/// A named type's aliases as Java's `getAliases` gives them (full names; `.name` for an alias
/// in the null namespace of a type that has one), sorted.
fn named_aliases(named: &NamedType) -> Vec<String> {
    let ns = named.name.namespace.as_deref();
    let mut aliases: Vec<String> = named
        .aliases
        .iter()
        .map(|a| {
            let full = FullName::resolve(&a.value, None, ns);
            match (&full.namespace, ns) {
                (None, Some(_)) => format!(".{}", full.name),
                _ => full.full(),
            }
        })
        .collect();
    aliases.sort_by(|a, b| java_cmp(a, b));
    aliases.dedup();
    aliases
}

/// Java's `setFieldProps`: order (as the Java enum's name: `ASCENDING`), doc, aliases, default,
/// then the other attributes.
fn field_props(arena: &[NamedType], out: &mut String, field: &Field, orders: Orders) {
    let order = match (orders, field.order) {
        (Orders::Java, Order::Ascending) => "ASCENDING",
        (Orders::Java, Order::Descending) => "DESCENDING",
        (Orders::Java, Order::Ignore) => "IGNORE",
        (Orders::Specification, order) => order.as_str(),
    };
    let _ = write!(out, ",\"order\":\"{order}\"");
    if let Some(doc) = &field.doc {
        out.push_str(",\"doc\":");
        quoted_java(out, doc);
    }
    if !field.aliases.is_empty() {
        let mut aliases: Vec<String> = field.aliases.iter().map(|a| a.value.clone()).collect();
        aliases.sort_by(|a, b| java_cmp(a, b));
        aliases.dedup();
        out.push_str(",\"aliases\":");
        string_array(out, aliases);
    }
    if let Some(default) = &field.default
        && let Some(value) = java_default(arena, &default.value, Some(&field.ty), true)
    {
        out.push_str(",\"default\":");
        out.push_str(&value);
    }
    simple_props(out, &field.props, &[]);
}

/// Java's `setSimpleProps`: the other attributes, sorted by key, skipping `written`.
fn simple_props(out: &mut String, props: &Props, written: &[&str]) {
    let mut sorted: Vec<&(String, serde_json::Value)> =
        props.iter().filter(|(k, _)| !written.contains(&k.as_str())).collect();
    sorted.sort_by(|a, b| java_cmp(&a.0, &b.0));
    for (key, value) in sorted {
        out.push(',');
        quoted_java(out, key);
        out.push(':');
        out.push_str(&java_json(value));
    }
}

fn string_array(out: &mut String, items: Vec<String>) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        quoted_java(out, item);
    }
    out.push(']');
}

/// Java's `String.compareTo`: by UTF-16 code units.
fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A string as Jackson writes it: `\"`, `\\`, the short escapes `\b \t \n \f \r`, `\u00XX`
/// (upper case) for other control characters, everything else as itself.
fn quoted_java(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An attribute value as Jackson writes the Java object it becomes (`JacksonUtils.toObject`
/// with no schema): integers as themselves, other numbers as doubles, objects with sorted keys.
fn java_json(value: &serde_json::Value) -> String {
    java_default(&[], value, None, false).unwrap_or_else(|| "null".into())
}

/// A default as Jackson writes `JacksonUtils.toObject(default, type)`: a number as the type's
/// Java number (`1` for a `double` is `1.0`), a value the type cannot hold as nothing (`None`),
/// objects with sorted keys. For a union, the first branch the value belongs to (Avro 1.12).
fn java_default(
    arena: &[NamedType],
    value: &serde_json::Value,
    ty: Option<&Type>,
    field_level: bool,
) -> Option<String> {
    use serde_json::Value as J;
    let ty = ty.map(|t| resolve_union(arena, t, value));
    let shape = ty.map(|t| shape(arena, t));
    match value {
        J::Null => Some("null".into()),
        J::Bool(b) => Some(b.to_string()),
        J::Number(n) => {
            let integral = n.is_i64() || n.is_u64();
            match shape {
                None if integral => Some(n.to_string()),
                None => n.as_f64().map(java_double),
                Some(Shape::Int) if integral && n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => {
                    Some(n.to_string())
                }
                Some(Shape::Long) if integral && n.is_i64() => Some(n.to_string()),
                Some(Shape::Float) => n.as_f64().map(|f| java_float(f as f32)),
                Some(Shape::Double) => n.as_f64().map(java_double),
                _ => None,
            }
        }
        J::String(s) => match shape {
            None | Some(Shape::Text) => {
                let mut out = String::new();
                quoted_java(&mut out, s);
                Some(out)
            }
            // Java parsed the string as a double when it read the schema.
            Some(Shape::Double | Shape::Float) if field_level => {
                let parsed = java_parse_double(s)?;
                Some(if shape == Some(Shape::Float) { java_float(parsed as f32) } else { java_double(parsed) })
            }
            _ => None,
        },
        J::Array(items) => {
            let items_ty = match ty.map(|t| &t.kind) {
                Some(TypeKind::Array { items, .. }) => Some(&**items),
                Some(_) => return None,
                None => None,
            };
            let parts: Vec<String> = items
                .iter()
                .map(|i| java_default(arena, i, items_ty, false).unwrap_or_else(|| "null".into()))
                .collect();
            Some(format!("[{}]", parts.join(",")))
        }
        J::Object(map) => {
            let mut entries: Vec<(&String, &serde_json::Value)> = map.iter().collect();
            entries.sort_by(|a, b| java_cmp(a.0, b.0));
            let mut out = String::from("{");
            for (i, (key, v)) in entries.into_iter().enumerate() {
                let value_ty = match ty {
                    None => None,
                    Some(t) => match (&t.kind, t.named().map(|id| &arena[id.index()].kind)) {
                        (TypeKind::Map { values, .. }, _) => Some(&**values),
                        (_, Some(NamedKind::Record { fields, .. })) => {
                            fields.iter().find(|f| f.name == *key).map(|f| &f.ty)
                        }
                        _ => return None,
                    },
                };
                if i > 0 {
                    out.push(',');
                }
                quoted_java(&mut out, key);
                out.push(':');
                out.push_str(&java_default(arena, v, value_ty, false).unwrap_or_else(|| "null".into()));
            }
            out.push('}');
            Some(out)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Int,
    Long,
    Float,
    Double,
    /// string, bytes, enum, fixed: written as a string.
    Text,
    Other,
}

fn shape(arena: &[NamedType], ty: &Type) -> Shape {
    match &ty.kind {
        TypeKind::Primitive(p) => match p.primitive {
            Primitive::Int => Shape::Int,
            Primitive::Long => Shape::Long,
            Primitive::Float => Shape::Float,
            Primitive::Double => Shape::Double,
            Primitive::String | Primitive::Bytes => Shape::Text,
            Primitive::Null | Primitive::Boolean => Shape::Other,
        },
        TypeKind::Named(id) | TypeKind::Reference(id) => match arena[id.index()].kind {
            NamedKind::Enum { .. } | NamedKind::Fixed { .. } => Shape::Text,
            NamedKind::Record { .. } => Shape::Other,
        },
        _ => Shape::Other,
    }
}

/// For a union, the first branch `value` belongs to (by its JSON shape), else the first branch.
fn resolve_union<'t>(arena: &[NamedType], ty: &'t Type, value: &serde_json::Value) -> &'t Type {
    use serde_json::Value as J;
    let TypeKind::Union(branches) = &ty.kind else { return ty };
    let fits = |branch: &Type| {
        let named = branch.named().map(|id| &arena[id.index()].kind);
        match (value, &branch.kind, named) {
            (J::Null, TypeKind::Primitive(p), _) => p.primitive == Primitive::Null,
            (J::Bool(_), TypeKind::Primitive(p), _) => p.primitive == Primitive::Boolean,
            (J::Number(n), TypeKind::Primitive(p), _) => match p.primitive {
                Primitive::Int => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                Primitive::Long => n.is_i64(),
                Primitive::Float | Primitive::Double => true,
                _ => false,
            },
            (J::String(_), TypeKind::Primitive(p), _) => matches!(p.primitive, Primitive::String | Primitive::Bytes),
            (J::String(_), _, Some(NamedKind::Enum { .. } | NamedKind::Fixed { .. })) => true,
            (J::Array(_), TypeKind::Array { .. }, _) => true,
            (J::Object(_), TypeKind::Map { .. }, _) => true,
            (J::Object(_), _, Some(NamedKind::Record { .. })) => true,
            _ => false,
        }
    };
    branches.iter().find(|b| fits(b)).or(branches.first()).unwrap_or(ty)
}

/// Java's `Double.parseDouble` on a default written as a string: `NaN`, `Infinity` with an
/// optional sign, or a decimal number (optionally ending in `d` or `f`), surrounding whitespace
/// ignored. (Java also reads hexadecimal floating-point literals, which this does not.)
pub(crate) fn java_parse_double(s: &str) -> Option<f64> {
    let s = s.trim_matches(|c: char| c <= ' ');
    match s {
        "NaN" | "+NaN" | "-NaN" => return Some(f64::NAN),
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let number = s.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(s);
    let decimal =
        !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if decimal { number.parse::<f64>().ok() } else { None }
}

/// Java's `Double.toString`: plain between 10^-3 and 10^7, else computerized scientific
/// notation (`1.0E7`), always with a digit after the point; shortest digits.
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "\"NaN\"".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "\"Infinity\"".into() } else { "\"-Infinity\"".into() };
    }
    java_decimal(&java_digits(format!("{d:e}"), || format!("{d:.1e}")), d.abs(), d.is_sign_negative())
}

/// Java (JDK 19 and later) writes the shortest digits, except that when one digit would do it
/// writes the two-digit decimal closest to the value (`4.9E-324`, not `5.0E-324`).
fn java_digits(shortest: String, two_digits: impl Fn() -> String) -> String {
    let mantissa = shortest.trim_start_matches('-').split('e').next().unwrap_or("");
    if mantissa.chars().filter(char::is_ascii_digit).count() == 1 { two_digits() } else { shortest }
}

/// Java's `Float.toString`, the same rules on a float's shortest digits.
pub(crate) fn java_float(f: f32) -> String {
    if f.is_nan() {
        return "\"NaN\"".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "\"Infinity\"".into() } else { "\"-Infinity\"".into() };
    }
    java_decimal(&java_digits(format!("{f:e}"), || format!("{f:.1e}")), f64::from(f.abs()), f.is_sign_negative())
}

/// Lays out Rust's shortest scientific form (`-1.2345e-7`) the way Java does.
fn java_decimal(scientific: &str, magnitude: f64, negative: bool) -> String {
    let sign = if negative { "-" } else { "" };
    if magnitude == 0.0 {
        return format!("{sign}0.0");
    }
    let unsigned = scientific.trim_start_matches('-');
    let (mantissa, exponent) = unsigned.split_once('e').unwrap_or((unsigned, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    if (1e-3..1e7).contains(&magnitude) {
        if exponent >= 0 {
            let split = exponent as usize + 1;
            let (int, frac) = if digits.len() > split {
                (digits[..split].to_string(), digits[split..].to_string())
            } else {
                (format!("{digits}{}", "0".repeat(split - digits.len())), "0".to_string())
            };
            format!("{sign}{int}.{frac}")
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exponent - 1) as usize))
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{parse, parse_all};
    use super::*;

    fn pcf_of(text: &str) -> String {
        let (catalog, _) = parse(text);
        parsing_canonical_form(&catalog, catalog.schema("s0").unwrap())
    }

    fn normalized_of(text: &str) -> String {
        let (catalog, d) = parse(text);
        assert!(d.is_empty(), "{d:#?}");
        normalized_form(&catalog, catalog.schema_id("s0").unwrap())
    }

    /// The specification's test data: apache/avro `share/test/data/schema-tests.txt`, whose
    /// fingerprints Java's tests compute with a direct implementation of the algorithm.
    const SPEC_CASES: &[(&str, &str, Option<i64>)] = &[
        (r#""null""#, r#""null""#, Some(7195948357588979594)),
        (r#"{"type":"null"}"#, r#""null""#, None),
        (r#""boolean""#, r#""boolean""#, Some(-6970731678124411036)),
        (r#"{"type":"boolean"}"#, r#""boolean""#, None),
        (r#""int""#, r#""int""#, Some(8247732601305521295)),
        (r#"{"type":"int"}"#, r#""int""#, None),
        (r#""long""#, r#""long""#, Some(-3434872931120570953)),
        (r#"{"type":"long"}"#, r#""long""#, None),
        (r#""float""#, r#""float""#, Some(5583340709985441680)),
        (r#"{"type":"float"}"#, r#""float""#, None),
        (r#""double""#, r#""double""#, Some(-8181574048448539266)),
        (r#"{"type":"double"}"#, r#""double""#, None),
        (r#""bytes""#, r#""bytes""#, Some(5746618253357095269)),
        (r#"{"type":"bytes"}"#, r#""bytes""#, None),
        (r#""string""#, r#""string""#, Some(-8142146995180207161)),
        (r#"{"type":"string"}"#, r#""string""#, None),
        ("[  ]", "[]", Some(-1241056759729112623)),
        (r#"[ "int"  ]"#, r#"["int"]"#, Some(-5232228896498058493)),
        (r#"[ "int" , {"type":"boolean"} ]"#, r#"["int","boolean"]"#, Some(5392556393470105090)),
        (
            r#"{"fields":[], "type":"record", "name":"foo"}"#,
            r#"{"name":"foo","type":"record","fields":[]}"#,
            Some(-4824392279771201922),
        ),
        (
            r#"{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}"#,
            r#"{"name":"x.y.foo","type":"record","fields":[]}"#,
            Some(5916914534497305771),
        ),
        (
            r#"{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}"#,
            r#"{"name":"a.b.foo","type":"record","fields":[]}"#,
            Some(-4616218487480524110),
        ),
        (
            r#"{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}"#,
            r#"{"name":"foo","type":"record","fields":[]}"#,
            Some(-4824392279771201922),
        ),
        (
            r#"{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}"#,
            r#"{"name":"foo","type":"record","fields":[]}"#,
            Some(-4824392279771201922),
        ),
        (
            r#"{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}"#,
            r#"{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}"#,
            Some(7843277075252814651),
        ),
        (
            "{ \"fields\":[{\"type\":\"boolean\", \"aliases\":[], \"name\":\"f1\", \"default\":\"true\"},\n            {\"order\":\"descending\",\"name\":\"f2\",\"doc\":\"Hello\",\"type\":\"int\"}],\n  \"type\":\"record\", \"name\":\"foo\"\n}",
            r#"{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}"#,
            Some(-4860222112080293046),
        ),
        (
            r#"{"type":"enum", "name":"foo", "symbols":["A1"]}"#,
            r#"{"name":"foo","type":"enum","symbols":["A1"]}"#,
            Some(-6342190197741309591),
        ),
        (
            r#"{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}"#,
            r#"{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}"#,
            Some(-4448647247586288245),
        ),
        (
            r#"{"name":"foo","type":"fixed","size":15}"#,
            r#"{"name":"foo","type":"fixed","size":15}"#,
            Some(1756455273707447556),
        ),
        (
            r#"{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}"#,
            r#"{"name":"x.y.z.foo","type":"fixed","size":32}"#,
            Some(-3064184465700546786),
        ),
        (
            r#"{ "items":{"type":"null"}, "type":"array"}"#,
            r#"{"type":"array","items":"null"}"#,
            Some(-589620603366471059),
        ),
        (r#"{ "values":"string", "type":"map"}"#, r#"{"type":"map","values":"string"}"#, Some(-8732877298790414990)),
        (
            "  {\"name\":\"PigValue\",\"type\":\"record\",\n   \"fields\":[{\"name\":\"value\", \"type\":[\"null\", \"int\", \"long\", \"PigValue\"]}]}",
            r#"{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}"#,
            Some(-1759257747318642341),
        ),
    ];

    #[test]
    fn canonical_forms_and_fingerprints_of_the_specification_test_data() {
        for (input, canonical, fingerprint) in SPEC_CASES {
            let (catalog, _) = parse(input);
            let root = catalog.schema("s0").unwrap();
            assert_eq!(parsing_canonical_form(&catalog, root), *canonical, "{input}");
            if let Some(expected) = fingerprint {
                assert_eq!(Fingerprint::of(&catalog, root).as_i64(), *expected, "{input}");
            }
        }
    }

    #[test]
    fn rabin_of_nothing_is_empty_and_bytes_are_little_endian() {
        assert_eq!(rabin(b""), EMPTY);
        let fp = Fingerprint(rabin(br#""int""#));
        assert_eq!(fp.as_i64(), 8247732601305521295);
        assert_eq!(fp.to_le_bytes(), 8247732601305521295u64.to_le_bytes());
        assert_eq!(fp.to_string(), "8f5c393f1ad57572");
    }

    #[test]
    fn canonical_form_strips_logical_types_and_writes_names_once() {
        assert_eq!(pcf_of(r#"{"type": "long", "logicalType": "timestamp-millis"}"#), r#""long""#);
        assert_eq!(
            pcf_of(
                r#"{"type": "fixed", "name": "D", "namespace": "n", "size": 8, "logicalType": "decimal", "precision": 10}"#
            ),
            r#"{"name":"n.D","type":"fixed","size":8}"#
        );
        assert_eq!(
            pcf_of(
                r#"{"type": "record", "name": "R", "namespace": "n", "fields": [
                    {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["X"], "default": "X"}},
                    {"name": "b", "type": "E", "default": "X"},
                    {"name": "c", "type": {"type": "map", "values": "n.E"}}]}"#
            ),
            r#"{"name":"n.R","type":"record","fields":[{"name":"a","type":{"name":"n.E","type":"enum","symbols":["X"]}},{"name":"b","type":"n.E"},{"name":"c","type":{"type":"map","values":"n.E"}}]}"#
        );
    }

    #[test]
    fn a_type_from_another_file_is_written_out_in_the_canonical_form() {
        let address = r#"{"type": "record", "name": "Address", "namespace": "c", "fields": [{"name": "city", "type": "string"}]}"#;
        let user = r#"{"type": "record", "name": "User", "namespace": "c", "fields": [{"name": "a", "type": "Address"}, {"name": "b", "type": "Address"}]}"#;
        let (catalog, d) = parse_all(&[user, address]);
        assert!(d.is_empty());
        assert_eq!(
            parsing_canonical_form(&catalog, catalog.schema("s0").unwrap()),
            r#"{"name":"c.User","type":"record","fields":[{"name":"a","type":{"name":"c.Address","type":"record","fields":[{"name":"city","type":"string"}]}},{"name":"b","type":"c.Address"}]}"#
        );
        // The registry's normalized form refers to it by name (a schema reference).
        assert_eq!(
            normalized_form(&catalog, catalog.schema_id("s0").unwrap()),
            r#"{"name":"c.User","type":"record","fields":[{"name":"a","type":"c.Address","order":"ASCENDING"},{"name":"b","type":"c.Address","order":"ASCENDING"}]}"#
        );
        assert!(normalized_form_of(&catalog, catalog.schema("s0").unwrap()).contains(r#""city""#));
    }

    #[test]
    fn the_normalized_form_keeps_what_the_registry_compares() {
        let text = r#"{"namespace": "shop", "type": "record", "name": "Order", "doc": "An order", "aliases": ["Old", "a.Older"], "x-b": 1, "x-a": {"z": 1, "a": [true, null]},
            "fields": [
              {"type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}, "name": "amount", "doc": "Total"},
              {"name": "qty", "type": "int", "default": 1, "order": "descending", "aliases": ["n", "count"]},
              {"name": "ratio", "type": "double", "default": 1},
              {"name": "when", "type": {"type": "long", "logicalType": "timestamp-millis", "connect.name": "x"}},
              {"name": "note", "type": ["null", "string"], "default": null},
              {"name": "tier", "type": {"type": "enum", "name": "Tier", "doc": "", "symbols": ["A", "B"], "default": "A"}, "default": "B"},
              {"name": "tags", "type": {"type": "map", "values": "string"}, "default": {"b": "2", "a": "1"}}]}"#;
        assert_eq!(
            normalized_of(text),
            concat!(
                r#"{"name":"shop.Order","type":"record","fields":["#,
                r#"{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2},"order":"ASCENDING","doc":"Total"},"#,
                r#"{"name":"qty","type":"int","order":"DESCENDING","aliases":["count","n"],"default":1},"#,
                r#"{"name":"ratio","type":"double","order":"ASCENDING","default":1.0},"#,
                r#"{"name":"when","type":{"type":"long","logicalType":"timestamp-millis","connect.name":"x"},"order":"ASCENDING"},"#,
                r#"{"name":"note","type":["null","string"],"order":"ASCENDING","default":null},"#,
                r#"{"name":"tier","type":{"name":"shop.Tier","type":"enum","symbols":["A","B"],"default":"A"},"order":"ASCENDING","default":"B"},"#,
                r#"{"name":"tags","type":{"type":"map","values":"string"},"order":"ASCENDING","default":{"a":"1","b":"2"}}],"#,
                r#""doc":"An order","aliases":["a.Older","shop.Old"],"x-a":{"a":[true,null],"z":1},"x-b":1}"#
            )
        );
    }

    #[test]
    fn normalized_form_ignores_attribute_order_and_whitespace() {
        let a =
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": 0, "doc": "d"}]}"#;
        let b = "{\"fields\":[{\"doc\":\"d\",\"default\":0,\"type\":\"int\",\"name\":\"a\"}],\n \"name\":\"R\",\"type\":\"record\"}";
        assert_eq!(normalized_of(a), normalized_of(b));
        let c =
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": 1, "doc": "d"}]}"#;
        assert_ne!(normalized_of(a), normalized_of(c));
        assert_eq!(pcf_of(a), pcf_of(c));
    }

    #[test]
    fn java_number_formatting() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1e7, "1.0E7"),
            (9999999.0, "9999999.0"),
            (123456789.0, "1.23456789E8"),
            (-2.5e-3, "-0.0025"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1e300, "1.0E300"),
            (5e-324, "4.9E-324"),
            (1.7976931348623157e308, "1.7976931348623157E308"),
            (12.5, "12.5"),
        ];
        for (value, expected) in cases {
            assert_eq!(java_double(*value), *expected, "{value}");
        }
        assert_eq!(java_float(1.1), "1.1");
        assert_eq!(java_float(1e10), "1.0E10");
        assert_eq!(java_double(f64::NAN), "\"NaN\"");
    }

    /// A small deterministic generator of valid schemas, to compare with apache-avro. It writes
    /// no logical types: apache-avro 0.22 writes `{"type":"long","logicalType":...}` as
    /// `{"type":"long"}` and keeps a decimal's `precision` and `scale`, where the specification
    /// ([PRIMITIVES], [STRIP]) and Java's `SchemaNormalization` write `"long"` (tested above).
    struct Gen(u64);

    impl Gen {
        fn next(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        fn ty(&mut self, depth: usize, names: &mut usize, ns: &str, used: &mut Vec<String>) -> String {
            let pick = if depth > 3 { self.next(8) } else { self.next(15) };
            let primitive = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"];
            match pick {
                0..=7 => {
                    let p = primitive[pick as usize];
                    if self.next(3) == 0 { format!(r#"{{"type": "{p}", "doc": "d"}}"#) } else { format!("\"{p}\"") }
                }
                8 => format!(r#"{{"type": "array", "items": {}}}"#, self.ty(depth + 1, names, ns, used)),
                9 => format!(r#"{{"type": "map", "values": {}}}"#, self.ty(depth + 1, names, ns, used)),
                10 => {
                    *names += 1;
                    let name = format!("E{names}");
                    used.push(format!("{ns}.{name}"));
                    format!(r#"{{"type": "enum", "name": "{name}", "doc": "x", "symbols": ["A", "B{names}"]}}"#)
                }
                11 => {
                    *names += 1;
                    let name = format!("F{names}");
                    let inner_ns = if self.next(2) == 0 { ns.to_string() } else { format!("{ns}.inner") };
                    used.push(format!("{inner_ns}.{name}"));
                    format!(
                        r#"{{"type": "fixed", "name": "{name}", "namespace": "{inner_ns}", "size": {}}}"#,
                        self.next(20)
                    )
                }
                12 if !used.is_empty() => {
                    let i = self.next(used.len() as u64) as usize;
                    format!("\"{}\"", used[i])
                }
                13 => {
                    let a = self.ty(depth + 1, names, ns, used);
                    format!(
                        r#"["null", {}]"#,
                        if a.starts_with('[') || a.contains("\"null\"") { "\"long\"".into() } else { a }
                    )
                }
                _ => {
                    *names += 1;
                    let name = format!("R{names}");
                    used.push(format!("{ns}.{name}"));
                    let count = self.next(4);
                    let fields: Vec<String> = (0..count)
                        .map(|i| {
                            format!(
                                r#"{{"name": "f{i}", "aliases": ["g{i}"], "type": {}}}"#,
                                self.ty(depth + 1, names, ns, used)
                            )
                        })
                        .collect();
                    format!(r#"{{"type": "record", "name": "{name}", "fields": [{}]}}"#, fields.join(", "))
                }
            }
        }
    }

    #[test]
    fn canonical_forms_and_fingerprints_agree_with_apache_avro() {
        use apache_avro::rabin::Rabin;
        let mut generator = Gen(0x9E37_79B9_7F4A_7C15);
        let mut compared = 0;
        for _ in 0..600 {
            let mut names = 0;
            let mut used = Vec::new();
            let body = generator.ty(0, &mut names, "g", &mut used);
            let text = format!(
                r#"{{"type": "record", "name": "Top", "namespace": "g", "fields": [{{"name": "x", "type": {body}}}]}}"#
            );
            let (catalog, diagnostics) = parse(&text);
            if !diagnostics.is_empty() {
                // The generator may repeat a type in a union; such a schema is invalid for both.
                assert!(
                    apache_avro::Schema::parse_str(&text).is_err() || diagnostics.iter().all(|d| d.code == "V201"),
                    "{text}"
                );
                continue;
            }
            let oracle = apache_avro::Schema::parse_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let root = catalog.schema("s0").unwrap();
            assert_eq!(parsing_canonical_form(&catalog, root), oracle.canonical_form(), "{text}");
            let bytes = oracle.fingerprint::<Rabin>().bytes;
            assert_eq!(Fingerprint::of(&catalog, root).to_le_bytes().to_vec(), bytes, "{text}");
            compared += 1;
        }
        assert!(compared > 400, "only {compared} schemas compared");
    }
}

#[cfg(test)]
mod java_parse_tests {
    use super::*;

    #[test]
    fn java_parse_double_reads_what_java_reads() {
        assert!(java_parse_double("NaN").is_some_and(f64::is_nan));
        assert_eq!(java_parse_double(" 1.5 "), Some(1.5));
        assert_eq!(java_parse_double("2d"), Some(2.0));
        assert_eq!(java_parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(java_parse_double("1e3"), Some(1000.0));
        for rejected in ["inf", "infinity", "1x", "", "nan", "0x1p3"] {
            assert_eq!(java_parse_double(rejected), None, "{rejected}");
        }
    }
}
