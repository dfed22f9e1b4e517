//! A JSON Schema as Kafka Connect sees it through Confluent's `JsonSchemaConverter`:
//! `JsonSchemaData.toConnectSchema` (confluentinc/schema-registry, json-schema-converter) over the
//! schema as everit loads it. The JDBC sinks (V403, V406) read this Connect schema, and ksqlDB's
//! `JSON_SR` columns are translated from it (`ksql::from_json_schema`).
//!
//! - `boolean` BOOLEAN; `string` STRING (BYTES with `connect.type: bytes`); `enum` STRING;
//! - a number by its `connect.type`: `int8`, `int16`, `int32`, `int64`, `float32`, `float64`, or
//!   `bytes` (the decimal, with its `connect.parameters`); without one, `integer` INT64 and
//!   `number` FLOAT64; another `connect.type` is refused ("Unsupported type");
//! - the `title` is the Connect schema's name (so `org.apache.kafka.connect.data.Timestamp`
//!   names Connect's logical types);
//! - an `object` a STRUCT of its `properties`, ordered by `connect.index` (the others at the count
//!   so far, a `TreeMap` where a later equal index replaces the earlier), or with
//!   `connect.type: map` a MAP of STRING to `additionalProperties`; an `array` an ARRAY of its
//!   `items` (refused without: "Array schema did not specify the items type"), or with
//!   `connect.type: map` a MAP of its `{key, value}` items;
//! - `oneOf`/`anyOf` of `null` and one schema is that schema, optional; any other is a STRUCT
//!   named `io.confluent.connect.json.OneOf` with one optional field per non-null branch,
//!   `io.confluent.connect.json.OneOf.field.N`; `allOf` only as the pairs `allOfToConnectSchema`
//!   reads (`const` or `enum` with a `string`, `const` with a number, a number with a `string`),
//!   refused otherwise;
//! - `$ref` the schema it refers to; a reference back into a schema being converted is a
//!   [`ConnectKind::Cycle`] (`JsonSchemaData` would recurse without end); `{}`, `true`, `false`,
//!   `null`, `not`, a lone `const` and `if`/`then`/`else` are refused ("Unsupported schema
//!   type").
//!
//! A property is optional only as the `null` branch of a `oneOf` makes it: this
//! `JsonSchemaData` does not read `required`.

use std::collections::{BTreeMap, HashMap};

use super::JsonSchema;
use super::model::{Criterion, Kind, NodeId};
use crate::avro::mapping::{ConnectKind, ConnectSchema};

/// The name `JsonSchemaData` gives the STRUCT of a union's branches (`JSON_TYPE_ONE_OF`), and the
/// prefix of its fields' names.
pub(crate) const ONE_OF: &str = "io.confluent.connect.json.OneOf";

/// How deep a schema is followed.
const MAX_DEPTH: usize = 64;

/// One step from a Connect schema into a part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Step {
    /// A STRUCT's field, by position.
    Field(usize),
    /// An ARRAY's items.
    Items,
    /// A MAP's keys.
    Key,
    /// A MAP's values.
    Value,
}

/// The Connect schema of a JSON Schema, and the node each part of it was made of.
#[derive(Debug)]
pub(crate) struct Connected {
    pub(crate) schema: ConnectSchema,
    /// By the steps from the root: the innermost node (past `$ref`s and `null` unions) that made
    /// the part; for a [`ConnectKind::Cycle`], the node that refers back.
    nodes: HashMap<Vec<Step>, NodeId>,
}

impl Connected {
    /// The node the part at `steps` was made of.
    pub(crate) fn node(&self, steps: &[Step]) -> Option<NodeId> {
        self.nodes.get(steps).copied()
    }
}

/// Why `JsonSchemaData` cannot convert a schema, and the node that makes it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) reason: String,
    pub(crate) node: NodeId,
}

/// The Connect schema `JsonSchemaConverter` reads a record of `schema` with.
pub(crate) fn connect_schema(schema: &JsonSchema) -> Result<Connected, Refused> {
    let mut walk = Walk { schema, open: Vec::new(), nodes: HashMap::new(), at: Vec::new() };
    let connect = walk.schema(schema.root, 0)?;
    Ok(Connected { schema: connect, nodes: walk.nodes })
}

struct Walk<'a> {
    schema: &'a JsonSchema,
    /// The nodes being converted, to spot a reference back into one.
    open: Vec<NodeId>,
    nodes: HashMap<Vec<Step>, NodeId>,
    /// The steps to the part being converted.
    at: Vec<Step>,
}

impl Walk<'_> {
    fn schema(&mut self, id: NodeId, depth: usize) -> Result<ConnectSchema, Refused> {
        if depth > MAX_DEPTH {
            return Err(Refused { reason: crate::avro::mapping::Unsupported::TooDeep.to_string(), node: id });
        }
        let target = self.schema.resolved(id);
        if self.open.contains(&target) {
            self.nodes.entry(self.at.clone()).or_insert(id);
            let pointer = self.schema.node(target).pointer.clone();
            return Ok(plain(ConnectKind::Cycle(if pointer.is_empty() { "#".into() } else { pointer })));
        }
        self.open.push(target);
        let result = self.kind(target, depth);
        self.open.pop();
        // The innermost node wins: the one whose keywords made the part.
        self.nodes.entry(self.at.clone()).or_insert(target);
        result
    }

    /// The schema at one step further in.
    fn part(&mut self, step: Step, id: NodeId, depth: usize) -> Result<ConnectSchema, Refused> {
        self.at.push(step);
        let result = self.schema(id, depth + 1);
        self.at.pop();
        result
    }

    fn kind(&mut self, id: NodeId, depth: usize) -> Result<ConnectSchema, Refused> {
        let node = self.schema.node(id);
        let refuse = |reason: &str| Err(Refused { reason: reason.to_string(), node: id });
        let connect_type = node.common.connect.r#type.as_deref();
        let kind = match &node.kind {
            Kind::Boolean => ConnectKind::Boolean,
            Kind::Enum(_) => ConnectKind::String,
            Kind::String(_) if connect_type == Some("bytes") => ConnectKind::Bytes,
            Kind::String(_) => ConnectKind::String,
            Kind::Number(number) => match connect_type {
                None if number.integer => ConnectKind::Int64,
                None => ConnectKind::Float64,
                Some("int8") => ConnectKind::Int8,
                Some("int16") => ConnectKind::Int16,
                Some("int32") => ConnectKind::Int32,
                Some("int64") => ConnectKind::Int64,
                Some("float32") => ConnectKind::Float32,
                Some("float64") => ConnectKind::Float64,
                Some("bytes") => ConnectKind::Bytes,
                Some(other) => return refuse(&format!("the `connect.type` `{other}`")),
            },
            Kind::Ref(target) => return self.schema(*target, depth + 1),
            Kind::Combined(combined) if combined.criterion == Criterion::All => {
                let Some(picked) = self.all_of(&combined.subschemas) else {
                    return refuse("an `allOf` other than a `const` or `enum` with its type");
                };
                return self.schema(picked, depth + 1);
            }
            Kind::Combined(combined) => return self.union(&combined.subschemas, depth),
            Kind::Array(array) => {
                let Some(items) = array.all_items else { return refuse("an array without `items`") };
                self.array(id, items, depth)?
            }
            Kind::Object(object) if connect_type == Some("map") => {
                let Some(values) = object.additional else {
                    return refuse("a map without `additionalProperties`");
                };
                let value = self.part(Step::Value, values, depth)?;
                ConnectKind::Map(Box::new(plain(ConnectKind::String)), Box::new(value))
            }
            Kind::Object(object) => {
                let mut fields = Vec::new();
                for (i, (name, property)) in self.by_connect_index(&object.properties).into_iter().enumerate() {
                    fields.push((name, self.part(Step::Field(i), property, depth)?));
                }
                ConnectKind::Struct(fields)
            }
            Kind::Empty | Kind::True => return refuse("a schema that allows any value (`{}`)"),
            Kind::False => return refuse("the schema `false`"),
            Kind::Null => return refuse("a `null` type on its own"),
            Kind::Const(_) => return refuse("a `const` on its own"),
            Kind::Not(_) => return refuse("a `not` schema"),
            Kind::Conditional => return refuse("an `if`/`then`/`else` schema"),
        };
        let scale = (kind == ConnectKind::Bytes)
            .then(|| node.common.connect.parameter("scale").and_then(|s| s.parse().ok()))
            .flatten();
        Ok(ConnectSchema { kind, name: node.common.title.clone(), optional: false, scale })
    }

    /// An ARRAY of its items, or with `connect.type: map` a MAP of its `{key, value}` entries.
    fn array(&mut self, id: NodeId, items: NodeId, depth: usize) -> Result<ConnectKind, Refused> {
        let is_map = self.schema.node(id).common.connect.r#type.as_deref() == Some("map");
        if is_map && let Kind::Object(entry) = &self.schema.node(self.schema.resolved(items)).kind {
            let missing = |what: &str| Refused { reason: format!("a map entry without `{what}`"), node: items };
            let key = entry.property("key").ok_or_else(|| missing("key"))?;
            let value = entry.property("value").ok_or_else(|| missing("value"))?;
            let key = self.part(Step::Key, key, depth)?;
            let value = self.part(Step::Value, value, depth)?;
            return Ok(ConnectKind::Map(Box::new(key), Box::new(value)));
        }
        Ok(ConnectKind::Array(Box::new(self.part(Step::Items, items, depth)?)))
    }

    /// The properties in `JsonSchemaData`'s order: by `connect.index`, a property without one at
    /// the count so far (a `TreeMap` keyed so, where a later equal index replaces the earlier).
    fn by_connect_index(&self, properties: &[(String, NodeId)]) -> Vec<(String, NodeId)> {
        let mut sorted: BTreeMap<i64, (String, NodeId)> = BTreeMap::new();
        for (name, id) in properties {
            let index = self.schema.node(*id).common.connect.index.unwrap_or(sorted.len() as i64);
            sorted.insert(index, (name.clone(), *id));
        }
        sorted.into_values().collect()
    }

    /// `oneOf`/`anyOf`: `null` with one schema is that schema, optional; else a STRUCT of the
    /// branches, each optional, the STRUCT optional when a branch is `null`.
    fn union(&mut self, branches: &[NodeId], depth: usize) -> Result<ConnectSchema, Refused> {
        let is_null = |b: &NodeId| matches!(self.schema.node(*b).kind, Kind::Null);
        if branches.len() == 2
            && let Some(other) = branches.iter().find(|b| !is_null(b))
            && branches.iter().any(is_null)
        {
            let schema = self.schema(*other, depth + 1)?;
            return Ok(ConnectSchema { optional: true, ..schema });
        }
        let mut fields = Vec::new();
        for (i, branch) in branches.iter().filter(|b| !is_null(b)).enumerate() {
            let schema = self.part(Step::Field(i), *branch, depth)?;
            fields.push((format!("{ONE_OF}.field.{i}"), ConnectSchema { optional: true, ..schema }));
        }
        Ok(ConnectSchema {
            kind: ConnectKind::Struct(fields),
            name: Some(ONE_OF.into()),
            optional: branches.iter().any(is_null),
            scale: None,
        })
    }

    /// The branch of an `allOf` that `allOfToConnectSchema` reads, if it reads one.
    fn all_of(&self, branches: &[NodeId]) -> Option<NodeId> {
        let find = |wanted: fn(&Kind) -> bool| branches.iter().copied().find(|b| wanted(&self.schema.node(*b).kind));
        let constant = find(|k| matches!(k, Kind::Const(_)));
        let enumeration = find(|k| matches!(k, Kind::Enum(_)));
        let number = find(|k| matches!(k, Kind::Number(_)));
        let string = find(|k| matches!(k, Kind::String(_)));
        match (constant, enumeration, number, string) {
            (Some(_), _, _, Some(s)) => Some(s),
            (Some(_), _, Some(n), None) => Some(n),
            (None, Some(e), _, Some(_)) => Some(e),
            // A number with a string that has a `format`: the model keeps no format, so any string.
            (None, None, Some(n), Some(_)) => Some(n),
            _ => None,
        }
    }
}

fn plain(kind: ConnectKind) -> ConnectSchema {
    ConnectSchema { kind, name: None, optional: false, scale: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn connected(schema: serde_json::Value) -> (JsonSchema, Result<Connected, Refused>) {
        let text = schema.to_string();
        let doc = crate::json_schema::Document { name: "", file: crate::source::FileId(0), text: &text };
        let loaded = crate::json_schema::parse(doc, &[]).unwrap();
        let connected = connect_schema(&loaded);
        (loaded, connected)
    }

    fn fields(schema: &ConnectSchema) -> Vec<(&str, &ConnectKind, bool)> {
        let ConnectKind::Struct(fields) = &schema.kind else { panic!("a struct") };
        fields.iter().map(|(n, s)| (n.as_str(), &s.kind, s.optional)).collect()
    }

    #[test]
    fn properties_in_connect_index_order_with_their_connect_types() {
        let (_, connected) = connected(json!({"type": "object", "properties": {
            "b": {"type": "boolean", "connect.index": 1},
            "i": {"type": "integer", "connect.type": "int32", "connect.index": 0},
            "n": {"oneOf": [{"type": "null"}, {"type": "number"}], "connect.index": 2},
            "m": {"type": "object", "connect.type": "map", "additionalProperties": {"type": "string"}, "connect.index": 3}
        }}));
        let connected = connected.unwrap();
        let string = ConnectSchema { kind: ConnectKind::String, name: None, optional: false, scale: None };
        assert_eq!(
            fields(&connected.schema),
            vec![
                ("i", &ConnectKind::Int32, false),
                ("b", &ConnectKind::Boolean, false),
                ("n", &ConnectKind::Float64, true),
                ("m", &ConnectKind::Map(Box::new(string.clone()), Box::new(string)), false),
            ]
        );
    }

    #[test]
    fn a_union_is_a_named_struct_and_a_reference_back_is_a_cycle_at_its_node() {
        let (schema, connected) = connected(json!({"type": "object", "properties": {
            "u": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "next": {"$ref": "#"}
        }}));
        let connected = connected.unwrap();
        let ConnectKind::Struct(fields) = &connected.schema.kind else { panic!("a struct") };
        assert_eq!(fields[0].1.name.as_deref(), Some(ONE_OF));
        assert_eq!(fields[1].1.kind, ConnectKind::Cycle("#".into()));
        let node = connected.node(&[Step::Field(1)]).unwrap();
        assert_eq!(schema.node(node).pointer, "/properties/next");
    }

    #[test]
    fn what_json_schema_data_refuses() {
        let (_, refused) = connected(json!({"type": "object", "properties": {"x": {}}}));
        assert_eq!(refused.unwrap_err().reason, "a schema that allows any value (`{}`)");
        let (_, refused) = connected(json!({"type": "array"}));
        assert_eq!(refused.unwrap_err().reason, "an array without `items`");
    }
}
