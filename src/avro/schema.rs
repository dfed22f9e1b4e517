//! The typed Avro model (Avro 1.12 specification): primitives, logical types, records, enums,
//! fixed, arrays, maps and unions, each node with the [`Span`] it was written at.
//!
//! Named types (records, enums, fixed) live in an arena owned by the [`Catalog`]
//! (`crate::avro::Catalog`) and are referred to by [`NamedId`], so a recursive type and a type
//! used by another schema file of the project are the same node. A [`Type`] tree holds the
//! definition of a named type once ([`TypeKind::Named`]) and every later use as a
//! [`TypeKind::Reference`].

use crate::source::Span;
use std::fmt;

/// The index of a named type in the catalog's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NamedId(pub u32);

impl NamedId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Attributes the specification does not define, kept as written (in order) because the
/// registry's normalized form keeps them.
pub(crate) type Props = Vec<(String, serde_json::Value)>;

/// The eight primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primitive {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
}

impl Primitive {
    pub(crate) const ALL: [Primitive; 8] = [
        Primitive::Null,
        Primitive::Boolean,
        Primitive::Int,
        Primitive::Long,
        Primitive::Float,
        Primitive::Double,
        Primitive::Bytes,
        Primitive::String,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Primitive::Null => "null",
            Primitive::Boolean => "boolean",
            Primitive::Int => "int",
            Primitive::Long => "long",
            Primitive::Float => "float",
            Primitive::Double => "double",
            Primitive::Bytes => "bytes",
            Primitive::String => "string",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Primitive> {
        Primitive::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Primitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A logical type that applies to the type it annotates (see [`IgnoredLogicalType`] for one
/// that does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicalType {
    /// On `bytes` or `fixed`; `scale` defaults to 0.
    Decimal {
        precision: u32,
        scale: u32,
    },
    /// On `bytes`: a decimal that carries its scale in each value (Java and Rust only).
    BigDecimal,
    /// On `string`, or (since 1.12) `fixed` of size 16.
    Uuid,
    /// On `int`: days since the epoch.
    Date,
    /// On `int`.
    TimeMillis,
    /// On `long`.
    TimeMicros,
    /// On `long`.
    TimestampMillis,
    TimestampMicros,
    TimestampNanos,
    LocalTimestampMillis,
    LocalTimestampMicros,
    LocalTimestampNanos,
    /// On `fixed` of size 12.
    Duration,
}

impl LogicalType {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            LogicalType::Decimal { .. } => "decimal",
            LogicalType::BigDecimal => "big-decimal",
            LogicalType::Uuid => "uuid",
            LogicalType::Date => "date",
            LogicalType::TimeMillis => "time-millis",
            LogicalType::TimeMicros => "time-micros",
            LogicalType::TimestampMillis => "timestamp-millis",
            LogicalType::TimestampMicros => "timestamp-micros",
            LogicalType::TimestampNanos => "timestamp-nanos",
            LogicalType::LocalTimestampMillis => "local-timestamp-millis",
            LogicalType::LocalTimestampMicros => "local-timestamp-micros",
            LogicalType::LocalTimestampNanos => "local-timestamp-nanos",
            LogicalType::Duration => "duration",
        }
    }
}

/// A `logicalType` attribute that does not apply: the specification says to ignore it and use
/// the underlying type, which is what the model does; it is kept here so a check can warn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredLogicalType {
    /// The `logicalType` value as written.
    pub(crate) name: String,
    pub(crate) reason: LogicalIssue,
    /// The `logicalType` value (or the attribute that makes it invalid).
    pub(crate) span: Span,
}

/// Why a logical type annotation does not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LogicalIssue {
    /// Not a logical type of the specification.
    Unknown,
    /// A logical type of the specification on a type it does not annotate.
    WrongType { found: String },
    /// `fixed` of the wrong size (`uuid` needs 16, `duration` 12).
    WrongSize { expected: u32, found: u32 },
    /// `decimal` without `precision`.
    MissingPrecision,
    /// `precision` or `scale` that is not a JSON integer in range.
    NotAnInteger { attribute: &'static str },
    /// `precision` below 1.
    PrecisionNotPositive,
    /// `scale` above `precision`.
    ScaleAbovePrecision { precision: u32, scale: u32 },
    /// A `fixed` too small for the precision.
    PrecisionAboveFixed { precision: u32, max: u32 },
}

/// A primitive type with its annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimitiveType {
    pub primitive: Primitive,
    pub logical: Option<LogicalType>,
    pub ignored_logical: Option<IgnoredLogicalType>,
    pub props: Props,
}

impl PrimitiveType {
    pub(crate) fn plain(primitive: Primitive) -> Self {
        PrimitiveType { primitive, logical: None, ignored_logical: None, props: Vec::new() }
    }
}

/// A schema node as written, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Primitive(PrimitiveType),
    Array {
        items: Box<Type>,
        props: Props,
    },
    Map {
        values: Box<Type>,
        props: Props,
    },
    Union(Vec<Type>),
    /// The place a named type is defined.
    Named(NamedId),
    /// A use of a named type by name (a recursive use, a second use, or a type defined in
    /// another schema file of the project).
    Reference(NamedId),
    /// A name that names no defined type (reported as V201).
    Unresolved {
        name: String,
    },
    /// Text that is no schema at all (reported as V201).
    Invalid,
}

impl Type {
    pub(crate) fn new(kind: TypeKind, span: Span) -> Self {
        Type { kind, span }
    }

    /// The named type this node defines or refers to.
    pub(crate) fn named(&self) -> Option<NamedId> {
        match self.kind {
            TypeKind::Named(id) | TypeKind::Reference(id) => Some(id),
            _ => None,
        }
    }

    #[cfg(test)]
    pub(crate) fn primitive(&self) -> Option<&PrimitiveType> {
        match &self.kind {
            TypeKind::Primitive(p) => Some(p),
            _ => None,
        }
    }
}

/// A named type's full name: `namespace.name`, or `name` in the null namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct FullName {
    /// The simple name (after the last dot).
    pub(crate) name: String,
    /// `None` for the null namespace.
    pub(crate) namespace: Option<String>,
}

impl FullName {
    /// The full name of a definition's `name` and `namespace` attributes, inheriting
    /// `enclosing` when neither gives a namespace (the specification's three cases).
    pub(crate) fn resolve(name: &str, namespace: Option<&str>, enclosing: Option<&str>) -> FullName {
        match name.rfind('.') {
            Some(dot) => FullName::split(&name[..dot], &name[dot + 1..]),
            None => FullName::split(namespace.or(enclosing).unwrap_or(""), name),
        }
    }

    fn split(namespace: &str, name: &str) -> FullName {
        let namespace = (!namespace.is_empty()).then(|| namespace.to_string());
        FullName { name: name.to_string(), namespace }
    }

    pub(crate) fn full(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{ns}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A value and where it was written inside the schema text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct At<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

impl<T> At<T> {
    pub(crate) fn new(value: T, span: Span) -> Self {
        At { value, span }
    }
}

/// A record, enum or fixed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NamedType {
    pub(crate) name: FullName,
    /// The whole definition object.
    pub(crate) span: Span,
    /// The `name` value.
    pub(crate) name_span: Span,
    /// The aliases as written (each may be a full name or relative to this type's namespace).
    pub(crate) aliases: Vec<At<String>>,
    pub(crate) doc: Option<String>,
    pub(crate) kind: NamedKind,
    pub(crate) props: Props,
    /// The index of the schema (in the catalog) whose text defines this type.
    pub(crate) origin: usize,
}

impl NamedType {
    pub(crate) fn fullname(&self) -> String {
        self.name.full()
    }

    /// The aliases as full names, as the specification resolves them: a name with a dot is
    /// full, one without is relative to this type's namespace.
    pub(crate) fn alias_fullnames(&self) -> Vec<String> {
        let ns = self.name.namespace.as_deref();
        self.aliases.iter().map(|a| FullName::resolve(&a.value, None, ns).full()).collect()
    }

    pub(crate) fn fields(&self) -> &[Field] {
        match &self.kind {
            NamedKind::Record { fields, .. } => fields,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NamedKind {
    Record {
        fields: Vec<Field>,
        /// `"type": "error"` (an RPC error record), which is otherwise a record.
        error: bool,
    },
    Enum {
        symbols: Vec<At<String>>,
        default: Option<At<String>>,
    },
    Fixed {
        size: u32,
        logical: Option<LogicalType>,
        ignored_logical: Option<IgnoredLogicalType>,
    },
}

/// The sort order of a record field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Order {
    #[default]
    Ascending,
    Descending,
    Ignore,
}

impl Order {
    pub(crate) fn parse(word: &str) -> Option<Order> {
        match word {
            "ascending" => Some(Order::Ascending),
            "descending" => Some(Order::Descending),
            "ignore" => Some(Order::Ignore),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Order::Ascending => "ascending",
            Order::Descending => "descending",
            Order::Ignore => "ignore",
        }
    }
}

/// A field of a record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub(crate) name: String,
    /// The whole field object.
    pub(crate) span: Span,
    pub(crate) name_span: Span,
    pub(crate) ty: Type,
    pub(crate) doc: Option<String>,
    pub(crate) aliases: Vec<At<String>>,
    /// The default, as JSON, with the span of the value.
    pub(crate) default: Option<At<serde_json::Value>>,
    pub(crate) order: Order,
    pub(crate) props: Props,
}
