//! Reader/writer compatibility of Avro schemas, and the Schema Registry's compatibility levels.
//!
//! [`check_reader_writer`] follows Java Avro's `SchemaCompatibility.checkReaderWriterCompatibility`
//! (its private `ReaderWriterCompatibilityChecker`, Avro 1.12, apache/avro
//! `lang/java/avro/src/main/java/org/apache/avro/SchemaCompatibility.java`), which the Confluent
//! Schema Registry calls for every Avro check (`AvroSchema.isBackwardCompatible`). It reports
//! every incompatibility Java reports, in Java's order, with Java's type, Java's location (a JSON
//! pointer such as `/fields/2/type/symbols`) and Java's detail message, and adds a reason in
//! words. What Java does, and so what this does too:
//!
//! - Primitives: equal types, and the promotions `int` → `long` → `float` → `double`
//!   (`int` → `float`, `int` → `double`, `long` → `double` as well), `string` ↔ `bytes`.
//!   Logical types are ignored: a `date` reads an `int`.
//! - Named types: the *simple* names must be equal (`a.Order` reads `b.Order`), or one of the
//!   reader's aliases (resolved against the reader's namespace) must be the writer's full name.
//!   Fixed sizes must be equal. An enum must hold every symbol the writer may write, unless it
//!   has a default symbol (Avro 1.9 and later).
//! - Records: each reader field is matched by name or by one of its aliases; a reader field the
//!   writer lacks needs a default (`"default": null` counts), and writer fields the reader lacks
//!   are skipped. A reader field with no default whose type is an enum with a default symbol is
//!   compared, as Java does, with the writer *record* (a type mismatch at `/fields/N/type`).
//!   A reader field matching several writer fields makes Java throw; the registry then refuses
//!   the schema, which is reported here as [`IncompatibilityType::AmbiguousField`].
//! - Unions: each branch of a writer union must be readable (by the reader, or by one branch of
//!   a reader union); a non-union writer must be readable by some branch of a reader union.
//!   Where Java checks a union branch with a fresh location (both sides unions, or the reader a
//!   union), so does this, so the locations of what it reports agree with Java's.
//! - Recursive types: a reader/writer pair already being compared is compatible unless proven
//!   otherwise, and each pair's result is memoized, with the locations of its first visit (pairs
//!   are told apart by identity: a named type is one node wherever it is used, every other node
//!   is its own, as in a schema Java parses).
//!
//! [`check_level`] applies a registry compatibility level the way `CompatibilityChecker` and
//! `SchemaValidatorBuilder` of confluentinc/schema-registry do: BACKWARD checks that the new
//! schema reads the latest one, FORWARD that the latest reads the new one, FULL both (FORWARD's
//! findings first), each `_TRANSITIVE` form checks every earlier schema from the newest to the
//! oldest and stops at the first that fails, NONE checks nothing.

use super::catalog::Catalog;
use super::parse::describe;
use super::schema::*;
use crate::model::Compatibility;
use crate::source::Span;
use std::collections::HashMap;
use std::fmt;

/// How deeply the checker follows nested and referenced types before it stops looking (and says
/// nothing more about what lies deeper). Real schemas stay far below.
const MAX_DEPTH: usize = 400;

/// A schema to compare: a type and the catalog whose arena holds its named types.
#[derive(Debug, Clone, Copy)]
pub struct SchemaRef<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) root: &'a Type,
}

impl<'a> SchemaRef<'a> {
    pub fn new(catalog: &'a Catalog, root: &'a Type) -> Self {
        SchemaRef { catalog, root }
    }
}

/// Java's `SchemaIncompatibilityType`, and one more for the case where Java throws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IncompatibilityType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
    /// A reader field whose name and aliases match several writer fields: Java throws
    /// `AvroRuntimeException`, and the registry answers "Unexpected exception during
    /// compatibility check", refusing the schema.
    AmbiguousField,
}

impl IncompatibilityType {
    /// Java's name (`MISSING_ENUM_SYMBOLS`); `AMBIGUOUS_FIELD` for the case Java throws.
    pub fn as_str(self) -> &'static str {
        match self {
            IncompatibilityType::NameMismatch => "NAME_MISMATCH",
            IncompatibilityType::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            IncompatibilityType::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            IncompatibilityType::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            IncompatibilityType::TypeMismatch => "TYPE_MISMATCH",
            IncompatibilityType::MissingUnionBranch => "MISSING_UNION_BRANCH",
            IncompatibilityType::AmbiguousField => "AMBIGUOUS_FIELD",
        }
    }

    #[cfg(test)]
    pub(crate) fn parse(name: &str) -> Option<IncompatibilityType> {
        use IncompatibilityType::*;
        [
            NameMismatch,
            FixedSizeMismatch,
            MissingEnumSymbols,
            ReaderFieldMissingDefaultValue,
            TypeMismatch,
            MissingUnionBranch,
            AmbiguousField,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
    }
}

impl fmt::Display for IncompatibilityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Java's `Schema.Type`: what kind of type a schema node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AvroKind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array,
    Map,
    Union,
    Record,
    Enum,
    Fixed,
}

impl AvroKind {
    /// As Java's messages write it: `INT`, `RECORD`.
    pub(crate) fn java_name(self) -> &'static str {
        match self {
            AvroKind::Null => "NULL",
            AvroKind::Boolean => "BOOLEAN",
            AvroKind::Int => "INT",
            AvroKind::Long => "LONG",
            AvroKind::Float => "FLOAT",
            AvroKind::Double => "DOUBLE",
            AvroKind::Bytes => "BYTES",
            AvroKind::String => "STRING",
            AvroKind::Array => "ARRAY",
            AvroKind::Map => "MAP",
            AvroKind::Union => "UNION",
            AvroKind::Record => "RECORD",
            AvroKind::Enum => "ENUM",
            AvroKind::Fixed => "FIXED",
        }
    }

    fn of_primitive(p: Primitive) -> AvroKind {
        match p {
            Primitive::Null => AvroKind::Null,
            Primitive::Boolean => AvroKind::Boolean,
            Primitive::Int => AvroKind::Int,
            Primitive::Long => AvroKind::Long,
            Primitive::Float => AvroKind::Float,
            Primitive::Double => AvroKind::Double,
            Primitive::Bytes => AvroKind::Bytes,
            Primitive::String => AvroKind::String,
        }
    }
}

/// A type as a message names it: its kind (for Java's wording) and a short description
/// (`array<int>`, `com.example.Address`, `long (timestamp-millis)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub kind: AvroKind,
    pub(crate) text: String,
}

/// Why a reader cannot read what a writer writes, with what is needed to say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Named types whose simple names differ, and no reader alias is the writer's full name.
    NameMismatch { kind: AvroKind, reader: String, writer: String },
    /// Fixed types of different sizes.
    FixedSizeMismatch { name: String, reader: u32, writer: u32 },
    /// Writer enum symbols the reader lacks (sorted), the reader having no default symbol.
    MissingEnumSymbols { name: String, symbols: Vec<String> },
    /// A reader field the writer does not have, without a default.
    ReaderFieldMissingDefaultValue { record: String, field: String },
    /// Types that neither are equal nor promote.
    TypeMismatch { reader: Described, writer: Described },
    /// A writer type (a writer union's branch, or the whole writer) that no branch of the
    /// reader's union reads.
    MissingUnionBranch { writer: Described },
    /// A reader field matching several writer fields through its name and aliases.
    AmbiguousField { field: String, record: String, matches: Vec<String> },
}

impl Reason {
    pub(crate) fn kind(&self) -> IncompatibilityType {
        match self {
            Reason::NameMismatch { .. } => IncompatibilityType::NameMismatch,
            Reason::FixedSizeMismatch { .. } => IncompatibilityType::FixedSizeMismatch,
            Reason::MissingEnumSymbols { .. } => IncompatibilityType::MissingEnumSymbols,
            Reason::ReaderFieldMissingDefaultValue { .. } => IncompatibilityType::ReaderFieldMissingDefaultValue,
            Reason::TypeMismatch { .. } => IncompatibilityType::TypeMismatch,
            Reason::MissingUnionBranch { .. } => IncompatibilityType::MissingUnionBranch,
            Reason::AmbiguousField { .. } => IncompatibilityType::AmbiguousField,
        }
    }

    /// Java's `Incompatibility.getMessage()`: `expected: Enum2`, `[C]`, `reader type: INT not
    /// compatible with writer type: STRING`, ... (for an ambiguous field, the start of the
    /// exception's message).
    pub(crate) fn java_message(&self) -> String {
        match self {
            Reason::NameMismatch { writer, .. } => format!("expected: {writer}"),
            Reason::FixedSizeMismatch { reader, writer, .. } => format!("expected: {writer}, found: {reader}"),
            Reason::MissingEnumSymbols { symbols, .. } => format!("[{}]", symbols.join(", ")),
            Reason::ReaderFieldMissingDefaultValue { field, .. } => field.clone(),
            Reason::TypeMismatch { reader, writer } => format!(
                "reader type: {} not compatible with writer type: {}",
                reader.kind.java_name(),
                writer.kind.java_name()
            ),
            Reason::MissingUnionBranch { writer } => {
                format!("reader union lacking writer type: {}", writer.kind.java_name())
            }
            Reason::AmbiguousField { field, .. } => {
                format!("Reader record field {field} matches multiple fields in writer record schema")
            }
        }
    }

    /// The reason in words, naming the two sides as the caller calls them (`the reader` and `the
    /// writer`, or `the new schema` and `v2.avsc`).
    pub(crate) fn describe(&self, reader: &str, writer: &str) -> String {
        match self {
            Reason::NameMismatch { kind, reader: r, writer: w } => format!(
                "{writer} writes the {} `{w}` where {reader} reads `{r}`: the names differ and `{r}` has no alias `{w}`",
                kind_word(*kind)
            ),
            Reason::FixedSizeMismatch { name, reader: r, writer: w } => {
                format!("fixed `{name}` is {w} bytes in {writer} but {r} in {reader}")
            }
            Reason::MissingEnumSymbols { name, symbols } => {
                let list = symbols.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
                let (noun, pronoun) = if symbols.len() == 1 { ("symbol", "it") } else { ("symbols", "them") };
                format!(
                    "{writer} may write the {noun} {list} of enum `{name}`; {reader} lacks {pronoun} and has no default symbol"
                )
            }
            Reason::ReaderFieldMissingDefaultValue { field, .. } => {
                format!("{reader} has the field `{field}` without a default, and {writer} does not write it")
            }
            Reason::TypeMismatch { reader: r, writer: w } => {
                let why = if is_primitive(r.kind) && is_primitive(w.kind) {
                    format!(
                        "`{}` does not promote to `{}`",
                        w.kind.java_name().to_lowercase(),
                        r.kind.java_name().to_lowercase()
                    )
                } else {
                    format!("{} cannot read {}", kind_noun(r.kind), kind_noun(w.kind))
                };
                format!("{writer} writes `{}` where {reader} reads `{}`, and {why}", w.text, r.text)
            }
            Reason::MissingUnionBranch { writer: w } => {
                format!("{writer} may write `{}`, which no branch of {reader}'s union reads", w.text)
            }
            Reason::AmbiguousField { field, matches, .. } => {
                let list = matches.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" and ");
                format!(
                    "{reader}'s field `{field}` matches the fields {list} of {writer} through its name and aliases, which the registry rejects"
                )
            }
        }
    }
}

fn is_primitive(kind: AvroKind) -> bool {
    !matches!(
        kind,
        AvroKind::Array | AvroKind::Map | AvroKind::Union | AvroKind::Record | AvroKind::Enum | AvroKind::Fixed
    )
}

/// `an array`, `a record`: the kind with its article.
fn kind_noun(kind: AvroKind) -> String {
    let word = kind.java_name().to_lowercase();
    let article = if matches!(kind, AvroKind::Array | AvroKind::Enum | AvroKind::Int) { "an" } else { "a" };
    format!("{article} {word}")
}

fn kind_word(kind: AvroKind) -> &'static str {
    match kind {
        AvroKind::Record => "record",
        AvroKind::Enum => "enum",
        AvroKind::Fixed => "fixed",
        _ => "type",
    }
}

/// Words for the reason with the sides called `the reader` and `the writer`.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("the reader", "the writer"))
    }
}

/// One reason a reader cannot read a writer, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    pub reason: Reason,
    /// Java's location: a JSON pointer into the reader schema (`/fields/1/type/size`, `/` for
    /// the root).
    pub path: String,
    /// The part of the reader schema concerned (a field, a named type's name, a type).
    pub(crate) reader_span: Span,
    /// The part of the writer schema concerned.
    pub(crate) writer_span: Span,
}

impl Incompatibility {
    pub fn kind(&self) -> IncompatibilityType {
        self.reason.kind()
    }

    pub fn java_message(&self) -> String {
        self.reason.java_message()
    }
}

/// Every reason `reader` cannot read data written with `writer`, in Java's order; empty when it
/// can. A part of either schema that could not be read (V201) is taken as compatible.
pub fn check_reader_writer(reader: SchemaRef<'_>, writer: SchemaRef<'_>) -> Vec<Incompatibility> {
    let mut checker = Checker {
        reader: reader.catalog.arena(),
        writer: writer.catalog.arena(),
        memo: HashMap::new(),
        depth: 0,
        thrown: None,
    };
    let mut location = Vec::new();
    let result = checker.compat(Token::Root, reader.root, writer.root, &mut location);
    match checker.thrown {
        Some(thrown) => vec![thrown],
        None => result,
    }
}

/// One step of a location: Java pushes strings; these are the ones it pushes.
#[derive(Debug, Clone, Copy)]
enum Token {
    Root,
    Word(&'static str),
    Index(usize),
}

/// A schema node's identity, as Java's `ReaderWriter` pair tells nodes apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NodeKey {
    Named(NamedId),
    Node(usize),
}

fn node_key(ty: &Type) -> NodeKey {
    match ty.named() {
        Some(id) => NodeKey::Named(id),
        None => NodeKey::Node(ty as *const Type as usize),
    }
}

enum Memo {
    InProgress,
    Done(Vec<Incompatibility>),
}

struct Checker<'a> {
    reader: &'a [NamedType],
    writer: &'a [NamedType],
    memo: HashMap<(NodeKey, NodeKey), Memo>,
    depth: usize,
    /// The first ambiguous field match: Java throws there and reports nothing else.
    thrown: Option<Incompatibility>,
}

fn path_of(location: &[Token]) -> String {
    let mut path = String::from("/");
    // The first token is the root's (Java's empty reference token), which the pointer omits.
    for (i, token) in location.iter().skip(1).enumerate() {
        if i > 0 {
            path.push('/');
        }
        match token {
            Token::Root => {}
            Token::Word(word) => path.push_str(word),
            Token::Index(index) => path.push_str(&index.to_string()),
        }
    }
    path
}

/// The node a type stands for: itself, or for a named type its definition in the arena.
enum Node<'a> {
    Kind(AvroKind),
    Named(&'a NamedType),
    Unknown,
}

fn node<'a>(ty: &Type, arena: &'a [NamedType]) -> Node<'a> {
    match &ty.kind {
        TypeKind::Primitive(p) => Node::Kind(AvroKind::of_primitive(p.primitive)),
        TypeKind::Array { .. } => Node::Kind(AvroKind::Array),
        TypeKind::Map { .. } => Node::Kind(AvroKind::Map),
        TypeKind::Union(_) => Node::Kind(AvroKind::Union),
        TypeKind::Named(id) | TypeKind::Reference(id) => match arena.get(id.index()) {
            Some(named) => Node::Named(named),
            None => Node::Unknown,
        },
        TypeKind::Unresolved { .. } | TypeKind::Invalid => Node::Unknown,
    }
}

fn kind_of(node: &Node<'_>) -> Option<AvroKind> {
    match node {
        Node::Kind(kind) => Some(*kind),
        Node::Named(named) => Some(match named.kind {
            NamedKind::Record { .. } => AvroKind::Record,
            NamedKind::Enum { .. } => AvroKind::Enum,
            NamedKind::Fixed { .. } => AvroKind::Fixed,
        }),
        Node::Unknown => None,
    }
}

fn branches(ty: &Type) -> &[Type] {
    match &ty.kind {
        TypeKind::Union(branches) => branches,
        _ => &[],
    }
}

impl<'a> Checker<'a> {
    /// Java's `getCompatibility(referenceToken, reader, writer, location)`.
    fn compat(&mut self, token: Token, r: &'a Type, w: &'a Type, location: &mut Vec<Token>) -> Vec<Incompatibility> {
        location.push(token);
        let result = self.memoized(r, w, location);
        location.pop();
        result
    }

    /// Java's two-argument `getCompatibility(reader, writer)`: a fresh location.
    fn fresh(&mut self, r: &'a Type, w: &'a Type) -> Vec<Incompatibility> {
        let mut location = Vec::new();
        self.compat(Token::Root, r, w, &mut location)
    }

    fn memoized(&mut self, r: &'a Type, w: &'a Type, location: &mut Vec<Token>) -> Vec<Incompatibility> {
        let key = (node_key(r), node_key(w));
        match self.memo.get(&key) {
            // Break the recursion: compatible unless proven otherwise.
            Some(Memo::InProgress) => return Vec::new(),
            Some(Memo::Done(result)) => return result.clone(),
            None => {}
        }
        if self.depth >= MAX_DEPTH {
            return Vec::new();
        }
        self.memo.insert(key, Memo::InProgress);
        self.depth += 1;
        let result = self.calculate(r, w, location);
        self.depth -= 1;
        self.memo.insert(key, Memo::Done(result.clone()));
        result
    }

    fn incompatible(&self, reason: Reason, r: Span, w: Span, location: &[Token]) -> Incompatibility {
        Incompatibility { reason, path: path_of(location), reader_span: r, writer_span: w }
    }

    fn described_r(&self, ty: &Type, kind: AvroKind) -> Described {
        Described { kind, text: describe(ty, self.reader) }
    }

    fn described_w(&self, ty: &Type, kind: AvroKind) -> Described {
        Described { kind, text: describe(ty, self.writer) }
    }

    /// Java's `calculateCompatibility`.
    fn calculate(&mut self, r: &'a Type, w: &'a Type, location: &mut Vec<Token>) -> Vec<Incompatibility> {
        let (r_node, w_node) = (node(r, self.reader), node(w, self.writer));
        let (Some(r_kind), Some(w_kind)) = (kind_of(&r_node), kind_of(&w_node)) else {
            return Vec::new();
        };
        if r_kind == w_kind {
            return match (r_kind, &r.kind, &w.kind, r_node, w_node) {
                (AvroKind::Array, TypeKind::Array { items: ri, .. }, TypeKind::Array { items: wi, .. }, ..) => {
                    self.compat(Token::Word("items"), ri, wi, location)
                }
                (AvroKind::Map, TypeKind::Map { values: rv, .. }, TypeKind::Map { values: wv, .. }, ..) => {
                    self.compat(Token::Word("values"), rv, wv, location)
                }
                (AvroKind::Union, ..) => self.writer_union(r, w, location),
                (_, _, _, Node::Named(rn), Node::Named(wn)) => {
                    let mut result = self.names(rn, wn, location);
                    match (&rn.kind, &wn.kind) {
                        (NamedKind::Fixed { size: rs, .. }, NamedKind::Fixed { size: ws, .. }) if rs != ws => {
                            location.push(Token::Word("size"));
                            let reason = Reason::FixedSizeMismatch { name: rn.fullname(), reader: *rs, writer: *ws };
                            result.push(self.incompatible(reason, rn.name_span, wn.name_span, location));
                            location.pop();
                        }
                        (
                            NamedKind::Enum { symbols: r_symbols, default },
                            NamedKind::Enum { symbols: w_symbols, .. },
                        ) => {
                            let mut missing: Vec<String> = w_symbols
                                .iter()
                                .map(|s| s.value.clone())
                                .filter(|s| !r_symbols.iter().any(|r| r.value == *s))
                                .collect();
                            missing.sort();
                            missing.dedup();
                            let has_default =
                                default.as_ref().is_some_and(|d| r_symbols.iter().any(|s| s.value == d.value));
                            if !missing.is_empty() && !has_default {
                                location.push(Token::Word("symbols"));
                                let reason = Reason::MissingEnumSymbols { name: rn.fullname(), symbols: missing };
                                result.push(self.incompatible(reason, rn.name_span, wn.name_span, location));
                                location.pop();
                            }
                        }
                        (NamedKind::Record { fields: r_fields, .. }, NamedKind::Record { fields: w_fields, .. }) => {
                            result.extend(self.record_fields(rn, r_fields, wn, w_fields, w, location));
                        }
                        _ => {}
                    }
                    result
                }
                // Equal primitive types.
                _ => Vec::new(),
            };
        }
        // A reader that reads every branch of a writer union reads the union.
        if w_kind == AvroKind::Union {
            let mut result = Vec::new();
            for (index, branch) in branches(w).iter().enumerate() {
                result.extend(self.compat(Token::Index(index), r, branch, location));
            }
            return result;
        }
        if promotes(r_kind, w_kind) {
            return Vec::new();
        }
        if r_kind == AvroKind::Union {
            for branch in branches(r) {
                if self.fresh(branch, w).is_empty() {
                    return Vec::new();
                }
            }
            let reason = Reason::MissingUnionBranch { writer: self.described_w(w, w_kind) };
            return vec![self.incompatible(reason, r.span, w.span, location)];
        }
        let reason = Reason::TypeMismatch { reader: self.described_r(r, r_kind), writer: self.described_w(w, w_kind) };
        vec![self.incompatible(reason, r.span, w.span, location)]
    }

    /// Both sides unions: each writer branch must be readable by the reader union.
    fn writer_union(&mut self, r: &'a Type, w: &'a Type, location: &mut Vec<Token>) -> Vec<Incompatibility> {
        let mut result = Vec::new();
        for (index, branch) in branches(w).iter().enumerate() {
            location.push(Token::Index(index));
            if !self.fresh(r, branch).is_empty() {
                let kind = kind_of(&node(branch, self.writer)).unwrap_or(AvroKind::Null);
                let reason = Reason::MissingUnionBranch { writer: self.described_w(branch, kind) };
                result.push(self.incompatible(reason, r.span, branch.span, location));
            }
            location.pop();
        }
        result
    }

    /// Java's `checkSchemaNames`: simple names equal, or a reader alias is the writer's full name.
    fn names(&self, r: &NamedType, w: &NamedType, location: &mut Vec<Token>) -> Vec<Incompatibility> {
        let writer_full = w.fullname();
        if r.name.name == w.name.name || r.alias_fullnames().contains(&writer_full) {
            return Vec::new();
        }
        let kind = match r.kind {
            NamedKind::Record { .. } => AvroKind::Record,
            NamedKind::Enum { .. } => AvroKind::Enum,
            NamedKind::Fixed { .. } => AvroKind::Fixed,
        };
        location.push(Token::Word("name"));
        let reason = Reason::NameMismatch { kind, reader: r.fullname(), writer: writer_full };
        let result = vec![self.incompatible(reason, r.name_span, w.name_span, location)];
        location.pop();
        result
    }

    /// Java's `checkReaderWriterRecordFields`.
    fn record_fields(
        &mut self,
        rn: &NamedType,
        r_fields: &'a [Field],
        wn: &NamedType,
        w_fields: &'a [Field],
        w: &'a Type,
        location: &mut Vec<Token>,
    ) -> Vec<Incompatibility> {
        let mut result = Vec::new();
        // The first writer field of each name, as Java's field map keeps it.
        let mut by_name: HashMap<&str, &'a Field> = HashMap::with_capacity(w_fields.len());
        for field in w_fields {
            by_name.entry(field.name.as_str()).or_insert(field);
        }
        location.push(Token::Word("fields"));
        for (position, field) in r_fields.iter().enumerate() {
            location.push(Token::Index(position));
            match lookup_writer_field(&by_name, field) {
                Err(matches) => {
                    if self.thrown.is_none() {
                        let reason =
                            Reason::AmbiguousField { field: field.name.clone(), record: wn.fullname(), matches };
                        self.thrown = Some(self.incompatible(reason, field.name_span, wn.name_span, location));
                    }
                }
                Ok(Some(writer_field)) => {
                    result.extend(self.compat(Token::Word("type"), &field.ty, &writer_field.ty, location));
                }
                Ok(None) if field.default.is_some() => {}
                Ok(None) => {
                    if self.has_enum_default(&field.ty) {
                        // As Java does: the enum against the writer record.
                        result.extend(self.compat(Token::Word("type"), &field.ty, w, location));
                    } else {
                        let reason =
                            Reason::ReaderFieldMissingDefaultValue { record: rn.fullname(), field: field.name.clone() };
                        result.push(self.incompatible(reason, field.name_span, wn.name_span, location));
                    }
                }
            }
            location.pop();
        }
        location.pop();
        result
    }

    fn has_enum_default(&self, ty: &Type) -> bool {
        matches!(node(ty, self.reader), Node::Named(NamedType { kind: NamedKind::Enum { default: Some(_), .. }, .. }))
    }
}

/// The primitive promotions of schema resolution.
fn promotes(reader: AvroKind, writer: AvroKind) -> bool {
    use AvroKind::*;
    matches!(
        (reader, writer),
        (Long, Int) | (Float, Int | Long) | (Double, Int | Long | Float) | (Bytes, String) | (String, Bytes)
    )
}

/// Java's `lookupWriterField`: the writer field named like the reader field, or like one of its
/// aliases; `Err` with the names when several match (Java throws).
fn lookup_writer_field<'f>(writer: &HashMap<&str, &'f Field>, field: &Field) -> Result<Option<&'f Field>, Vec<String>> {
    let by_name = |name: &str| writer.get(name).copied();
    let mut found: Vec<&Field> = by_name(&field.name).into_iter().collect();
    // Java keeps a field's aliases in a set: each counts once.
    let mut aliases: Vec<&str> = Vec::new();
    for alias in &field.aliases {
        if !aliases.contains(&alias.value.as_str()) {
            aliases.push(&alias.value);
        }
    }
    found.extend(aliases.into_iter().filter_map(by_name));
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(many.iter().map(|f| f.name.clone()).collect()),
    }
}

// -------------------------------------------------------------------------------------------
// Registry levels
// -------------------------------------------------------------------------------------------

/// Which way a level's check read: the new schema reading an earlier one (BACKWARD), or an
/// earlier one reading the new schema (FORWARD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    NewReadsOld,
    OldReadsNew,
}

impl Direction {
    /// `reader new / writer old`.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Direction::NewReadsOld => "reader new / writer old",
            Direction::OldReadsNew => "reader old / writer new",
        }
    }
}

/// A reason the new schema may not follow an earlier one at a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelIncompatibility {
    /// The index of the earlier schema in the list given to [`check_level`] (oldest first).
    pub(crate) against: usize,
    pub(crate) direction: Direction,
    pub incompatibility: Incompatibility,
}

/// Every reason `new` may not follow `previous` (oldest first) at `level`, as the Schema
/// Registry finds them; empty when it may.
pub fn check_level(level: Compatibility, new: SchemaRef<'_>, previous: &[SchemaRef<'_>]) -> Vec<LevelIncompatibility> {
    level.first_failing(previous.len(), |against, old_reads_new| {
        let old = previous[against];
        let (direction, found) = match old_reads_new {
            true => (Direction::OldReadsNew, check_reader_writer(old, new)),
            false => (Direction::NewReadsOld, check_reader_writer(new, old)),
        };
        found.into_iter().map(|incompatibility| LevelIncompatibility { against, direction, incompatibility }).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::parse_all;
    use super::*;

    /// Checks reader `r` against writer `w`, each its own catalog, as (type, path) pairs.
    fn check(r: &str, w: &str) -> Vec<(&'static str, String)> {
        let (rc, rd) = parse_all(&[r]);
        let (wc, wd) = parse_all(&[w]);
        assert!(rd.is_empty() && wd.is_empty(), "{rd:?} {wd:?}");
        let reader = SchemaRef::new(&rc, &rc.schemas().next().unwrap().1.root);
        let writer = SchemaRef::new(&wc, &wc.schemas().next().unwrap().1.root);
        check_reader_writer(reader, writer).into_iter().map(|i| (i.kind().as_str(), i.path)).collect()
    }

    #[test]
    fn promotions_go_one_way() {
        assert!(check(r#""long""#, r#""int""#).is_empty());
        assert!(check(r#""double""#, r#""float""#).is_empty());
        assert!(check(r#""bytes""#, r#""string""#).is_empty());
        assert_eq!(check(r#""int""#, r#""long""#), [("TYPE_MISMATCH", "/".to_string())]);
    }

    #[test]
    fn recursive_records_terminate() {
        let list = |t: &str| {
            format!(
                r#"{{"type": "record", "name": "List", "fields": [{{"name": "head", "type": "{t}"}}, {{"name": "tail", "type": ["null", "List"]}}]}}"#
            )
        };
        assert!(check(&list("long"), &list("int")).is_empty());
        assert_eq!(check(&list("int"), &list("long")), [("TYPE_MISMATCH", "/fields/0/type".to_string())]);
    }

    #[test]
    fn a_field_matching_two_writer_fields_is_what_java_throws_on() {
        let reader = r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "aliases": ["b"]}]}"#;
        let writer = r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]}"#;
        assert_eq!(check(reader, writer), [("AMBIGUOUS_FIELD", "/fields/0".to_string())]);
    }

    #[test]
    fn names_compare_simple_names_or_the_readers_aliases() {
        let record =
            |name: &str, extra: &str| format!(r#"{{"type": "record", "name": "{name}"{extra}, "fields": []}}"#);
        // Java compares simple names: a namespace change reads.
        assert!(check(&record("a.Order", ""), &record("b.Order", "")).is_empty());
        assert_eq!(check(&record("a.Purchase", ""), &record("a.Order", "")), [("NAME_MISMATCH", "/name".to_string())]);
        // A reader alias is resolved against the reader's namespace and matches the full name.
        assert!(check(&record("a.Purchase", r#", "aliases": ["Order"]"#), &record("a.Order", "")).is_empty());
        assert!(check(&record("a.Purchase", r#", "aliases": ["b.Order"]"#), &record("b.Order", "")).is_empty());
        assert!(!check(&record("a.Purchase", r#", "aliases": ["Order"]"#), &record("b.Order", "")).is_empty());
        // The writer's aliases do not count.
        assert!(!check(&record("a.Purchase", ""), &record("a.Order", r#", "aliases": ["Purchase"]"#)).is_empty());
    }

    #[test]
    fn logical_types_are_ignored() {
        assert!(check(r#"{"type": "int", "logicalType": "date"}"#, r#""int""#).is_empty());
        assert!(check(r#""long""#, r#"{"type": "int", "logicalType": "date"}"#).is_empty());
    }

    #[test]
    fn a_missing_enum_field_with_an_enum_default_is_compared_with_the_writer_record_as_java_does() {
        let reader = r#"{"type": "record", "name": "R", "fields": [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"], "default": "A"}}]}"#;
        let writer = r#"{"type": "record", "name": "R", "fields": []}"#;
        assert_eq!(check(reader, writer), [("TYPE_MISMATCH", "/fields/0/type".to_string())]);
    }

    #[test]
    fn levels_check_the_latest_or_every_schema_newest_first() {
        let texts = [
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 0}]}"#,
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]}"#,
        ];
        let parsed: Vec<_> = texts.iter().map(|t| parse_all(&[t]).0).collect();
        let refs: Vec<SchemaRef> =
            parsed.iter().map(|c| SchemaRef::new(c, &c.schemas().next().unwrap().1.root)).collect();
        assert!(check_level(Compatibility::Backward, refs[2], &refs[..2]).is_empty());
        let found = check_level(Compatibility::BackwardTransitive, refs[2], &refs[..2]);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].against, found[0].direction), (0, Direction::NewReadsOld));
        assert_eq!(found[0].incompatibility.path, "/fields/1");
        let full = check_level(Compatibility::Full, refs[0], &refs[2..]);
        assert_eq!(full.iter().map(|f| f.direction).collect::<Vec<_>>(), [Direction::OldReadsNew]);
        assert!(check_level(Compatibility::None, refs[0], &refs[2..]).is_empty());
    }

    #[test]
    fn reasons_read_as_sentences() {
        let reason = Reason::ReaderFieldMissingDefaultValue { record: "R".into(), field: "f".into() };
        assert_eq!(
            reason.describe("the new schema", "`v1.avsc`"),
            "the new schema has the field `f` without a default, and `v1.avsc` does not write it"
        );
        assert_eq!(reason.java_message(), "f");
        let symbols = Reason::MissingEnumSymbols { name: "E".into(), symbols: vec!["B".into(), "D".into()] };
        assert_eq!(symbols.java_message(), "[B, D]");
        assert_eq!(IncompatibilityType::parse("TYPE_MISMATCH"), Some(IncompatibilityType::TypeMismatch));
    }
}
