//! A loaded JSON Schema: one node per schema everit's `SchemaLoader` would build, in an arena so
//! that `$ref` cycles are plain indices.

use crate::source::Span;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// An index into [`JsonSchema::nodes`].
pub(crate) type NodeId = usize;

/// A JSON Schema document (with the documents it references), loaded.
#[derive(Debug)]
pub struct JsonSchema {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
}

impl JsonSchema {
    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Where a node is written: its span, and its JSON pointer within its document.
    pub(crate) fn site(&self, id: NodeId) -> (Span, &str) {
        (self.nodes[id].span, &self.nodes[id].pointer)
    }

    /// Follows `$ref`s to the schema they stand for, as `SchemaDiff.normalizeSchema` does.
    /// A chain of references that only refers to itself stands for nothing but itself.
    pub(crate) fn resolved(&self, mut id: NodeId) -> NodeId {
        for _ in 0..self.nodes.len() {
            match self.nodes[id].kind {
                Kind::Ref(target) => id = target,
                _ => return id,
            }
        }
        id
    }
}

/// One schema, where it is written, and what it says.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) span: Span,
    /// Where it is in its document, as a JSON pointer (`/properties/id`).
    pub(crate) pointer: String,
    pub(crate) common: Common,
    pub(crate) kind: Kind,
    /// The schema's text, normalized (`JsonSchema.equals` compares the canonical text); set for the
    /// subschemas of `allOf`/`anyOf`/`oneOf`, which `CombinedSchemaDiff` collapses when equal.
    pub(crate) canonical: Option<String>,
}

/// What every everit schema carries (`Schema.getId`, `getTitle`, `getDescription`,
/// `getDefaultValue`).
#[derive(Debug, Default)]
pub(crate) struct Common {
    pub(crate) id: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) default: Option<Value>,
    /// The Connect properties `JsonSchemaData` writes and reads back (everit keeps them as
    /// unprocessed properties): `connect.type`, `connect.index`, `connect.parameters`.
    pub(crate) connect: Connect,
}

/// The `connect.*` properties of a schema, which `JsonSchemaData.toConnectSchema` reads.
#[derive(Debug, Default)]
pub(crate) struct Connect {
    pub(crate) r#type: Option<String>,
    pub(crate) index: Option<i64>,
    /// `connect.parameters`, those whose values are strings, in document order.
    pub(crate) parameters: Vec<(String, String)>,
}

impl Connect {
    pub(crate) fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The everit class a node loads as; two nodes of different kinds are of different classes.
#[derive(Debug)]
pub(crate) enum Kind {
    /// `{}` or a schema of keywords none of the loaders reads (`EmptySchema`).
    Empty,
    /// `true` (`TrueSchema`, a subclass of `EmptySchema`).
    True,
    /// `false` (`FalseSchema`).
    False,
    /// `$ref` (`ReferenceSchema`), resolved.
    Ref(NodeId),
    Boolean,
    Null,
    String(StringSchema),
    Number(NumberSchema),
    /// `enum`: its values, duplicates removed (`EnumSchema.getPossibleValues` is a set).
    Enum(Vec<Value>),
    Const(Value),
    Combined(Combined),
    Not(NodeId),
    /// `if`/`then`/`else` (`ConditionalSchema`), which the diff compares by common keywords only.
    Conditional,
    Object(ObjectSchema),
    Array(ArraySchema),
}

#[derive(Debug, Default)]
pub(crate) struct StringSchema {
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) pattern: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct NumberSchema {
    pub(crate) maximum: Option<f64>,
    pub(crate) minimum: Option<f64>,
    /// Draft 6 and later: the number; draft 4's boolean form is not a limit of its own.
    pub(crate) exclusive_maximum: Option<f64>,
    pub(crate) exclusive_minimum: Option<f64>,
    pub(crate) multiple_of: Option<f64>,
    /// `"type": "integer"`.
    pub(crate) integer: bool,
}

/// `allOf`, `anyOf` or `oneOf`, named as everit's `ValidationCriterion` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Criterion {
    All,
    Any,
    One,
}

impl Criterion {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Criterion::All => "allOf",
            Criterion::Any => "anyOf",
            Criterion::One => "oneOf",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Combined {
    pub(crate) criterion: Criterion,
    pub(crate) subschemas: Vec<NodeId>,
}

#[derive(Debug, Default)]
pub(crate) struct ObjectSchema {
    /// In document order, and by name ([`ObjectSchema::index`] builds it): wide objects are
    /// compared property by property.
    pub(crate) properties: Vec<(String, NodeId)>,
    pub(crate) by_name: HashMap<String, NodeId>,
    pub(crate) required: HashSet<String>,
    pub(crate) min_properties: Option<u64>,
    pub(crate) max_properties: Option<u64>,
    /// `additionalProperties: false` makes this false.
    pub(crate) permits_additional: bool,
    /// `additionalProperties` given as a schema object.
    pub(crate) additional: Option<NodeId>,
    /// Each pattern as written, with its schema, in document order.
    pub(crate) pattern_properties: Vec<(String, NodeId)>,
    pub(crate) property_dependencies: Vec<(String, Vec<String>)>,
    pub(crate) schema_dependencies: Vec<(String, NodeId)>,
    /// `unevaluatedProperties` (2019-09 and later).
    pub(crate) unevaluated: Option<NodeId>,
}

impl ObjectSchema {
    /// Fills [`ObjectSchema::by_name`] from the properties.
    pub(crate) fn index(&mut self) {
        self.by_name = self.properties.iter().map(|(name, id)| (name.clone(), *id)).collect();
    }

    pub(crate) fn property(&self, name: &str) -> Option<NodeId> {
        self.by_name.get(name).copied()
    }

    pub(crate) fn requires(&self, name: &str) -> bool {
        self.required.contains(name)
    }
}

#[derive(Debug, Default)]
pub(crate) struct ArraySchema {
    /// `items` as one schema for every item.
    pub(crate) all_items: Option<NodeId>,
    /// `items` as a list (`prefixItems` in 2020-12): a schema per position.
    pub(crate) item_schemas: Vec<NodeId>,
    /// `additionalItems: false` makes this false.
    pub(crate) permits_additional: bool,
    pub(crate) additional: Option<NodeId>,
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    pub(crate) unique_items: bool,
    pub(crate) max_contains: Option<i64>,
    pub(crate) min_contains: Option<i64>,
    /// `unevaluatedItems` (2019-09 and later).
    pub(crate) unevaluated: Option<NodeId>,
}
