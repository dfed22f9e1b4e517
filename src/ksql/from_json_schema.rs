//! JSON Schema as ksqlDB reads it from the registry (`JSON_SR`): ksqlDB's `JsonSchemaTranslator`
//! (confluentinc/ksql, `io.confluent.ksql.serde.json`) hands the registered schema to Confluent's
//! `JsonSchemaData.toConnectSchema` (confluentinc/schema-registry, json-schema-converter), and
//! `ConnectKsqlSchemaTranslator` turns the Connect schema into SQL types. Over the schema as
//! everit loads it (`crate::json_schema`):
//!
//! - `boolean` BOOLEAN; `string` STRING (BYTES with `connect.type: bytes`); `enum` STRING;
//! - a number by its `connect.type`: `int8`/`int16`/`int32` INTEGER, `int64` BIGINT,
//!   `float32`/`float64` DOUBLE, `bytes` BYTES (a DECIMAL when titled
//!   `org.apache.kafka.connect.data.Decimal`, `scale` and `connect.decimal.precision` from
//!   `connect.parameters`); without one, `integer` BIGINT and `number` DOUBLE; another
//!   `connect.type` is refused ("Unsupported type");
//! - the title names Connect's logical types: `org.apache.kafka.connect.data.Date`/`Time` DATE/TIME
//!   and `...Timestamp` TIMESTAMP, as ksqlDB reads the Connect names;
//! - an `object` a STRUCT of its `properties`, ordered by `connect.index` (the others in document
//!   order), or with `connect.type: map` a MAP of `additionalProperties`; an `array` an ARRAY of
//!   its `items` (refused without: "Array schema did not specify the items type"), or with
//!   `connect.type: map` a MAP of its `{key, value}` items;
//! - `oneOf`/`anyOf` of `null` and one schema is that schema; any other is a STRUCT with one field
//!   per non-null branch, `io.confluent.connect.json.OneOf.field.N`; `allOf` only as the pairs
//!   `allOfToConnectSchema` reads (`const` or `enum` with a `string`, `const` with a number, a
//!   number with a formatted `string`), refused otherwise;
//! - `$ref` the schema it refers to; a reference back into itself cannot be represented (the field
//!   is left out, as for a recursive Avro record); `{}`, `true`, `false`, `null`, `not`, a lone
//!   `const` and `if`/`then`/`else` are refused ("Unsupported schema type").
//!
//! Not verified against a running service.

use crate::avro::mapping::Unsupported;
use crate::json_schema::JsonSchema;
use crate::json_schema::model::{Criterion, Kind, NodeId};
use crate::ksql::ast::{SqlType, StructField};
use crate::ksql::from_avro::FieldNames;

/// The Connect name of the decimal logical type, which `JsonSchemaData` writes as the title.
const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
/// The field name prefix of a union's branches (`JsonSchemaData.JSON_TYPE_ONE_OF`).
const ONE_OF: &str = "io.confluent.connect.json.OneOf";

/// The ksqlDB type of a JSON Schema, what ksqlDB leaves out, and its unions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonMapping {
    pub(crate) sql: SqlType,
    /// Fields ksqlDB drops (dotted paths), why, and the schema node of each.
    pub(crate) dropped: Vec<(String, Unsupported, NodeId)>,
    /// Each `oneOf`/`anyOf` read as a STRUCT of branches: its path and node.
    pub(crate) unions: Vec<(String, NodeId)>,
}

/// Why ksqlDB cannot read a JSON Schema at all, and the node that makes it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) reason: String,
    pub(crate) node: NodeId,
}

const MAX_DEPTH: usize = 64;

/// The ksqlDB type of `schema`, struct fields named by `names`.
pub(crate) fn schema_type(schema: &JsonSchema, names: FieldNames) -> Result<JsonMapping, Refused> {
    let mut walk = Walk { schema, names, open: Vec::new(), dropped: Vec::new(), unions: Vec::new() };
    let sql = walk.sql(schema.root, "", 0)?;
    Ok(JsonMapping { sql, dropped: walk.dropped, unions: walk.unions })
}

/// The SQL type of a registered JSON Schema given as its text (field names as written).
pub(crate) fn registry_type(text: &str) -> Result<SqlType, String> {
    let main = crate::json_schema::Document { name: "", file: crate::source::FileId(0), text };
    let schema = crate::json_schema::parse(main, &[])
        .map_err(|problems| problems.first().map_or_else(String::new, |p| p.message.clone()))?;
    schema_type(&schema, FieldNames::Original).map(|m| m.sql).map_err(|refused| refused.reason)
}

struct Walk<'a> {
    schema: &'a JsonSchema,
    names: FieldNames,
    /// The nodes being walked, to stop at a reference back into one.
    open: Vec<NodeId>,
    dropped: Vec<(String, Unsupported, NodeId)>,
    unions: Vec<(String, NodeId)>,
}

enum Step {
    Type(SqlType),
    /// A reference back into a node being walked.
    Recursive,
}

impl Walk<'_> {
    fn sql(&mut self, id: NodeId, path: &str, depth: usize) -> Result<SqlType, Refused> {
        match self.step(id, path, depth)? {
            Step::Type(t) => Ok(t),
            // At the root or inside an array or map there is no field to leave out.
            Step::Recursive => Err(Refused { reason: "a schema that refers to itself".into(), node: id }),
        }
    }

    fn step(&mut self, id: NodeId, path: &str, depth: usize) -> Result<Step, Refused> {
        if depth > MAX_DEPTH {
            return Err(Refused { reason: Unsupported::TooDeep.to_string(), node: id });
        }
        let id = self.schema.resolved(id);
        if self.open.contains(&id) {
            return Ok(Step::Recursive);
        }
        self.open.push(id);
        let result = self.kind(id, path, depth);
        self.open.pop();
        result.map(Step::Type)
    }

    fn kind(&mut self, id: NodeId, path: &str, depth: usize) -> Result<SqlType, Refused> {
        let node = self.schema.node(id);
        let refuse = |reason: String| Err(Refused { reason, node: id });
        let logical = logical(node.common.title.as_deref());
        Ok(match &node.kind {
            Kind::Boolean => SqlType::Boolean,
            Kind::Enum(_) => SqlType::String,
            Kind::String(_) if node.common.connect.r#type.as_deref() == Some("bytes") => SqlType::Bytes,
            Kind::String(_) => SqlType::String,
            Kind::Number(number) => match node.common.connect.r#type.as_deref() {
                None if number.integer => logical.unwrap_or(SqlType::BigInt),
                None => SqlType::Double,
                Some("int8" | "int16" | "int32") => logical.unwrap_or(SqlType::Int),
                Some("int64") => logical.unwrap_or(SqlType::BigInt),
                Some("float32" | "float64") => SqlType::Double,
                Some("bytes") if node.common.title.as_deref() == Some(DECIMAL) => decimal(&node.common.connect, id)?,
                Some("bytes") => SqlType::Bytes,
                Some(other) => return refuse(format!("the `connect.type` `{other}`")),
            },
            Kind::Ref(target) => return self.sql(*target, path, depth + 1),
            Kind::Combined(combined) if combined.criterion == Criterion::All => {
                let picked = self.all_of(&combined.subschemas).ok_or_else(|| Refused {
                    reason: "an `allOf` other than a `const` or `enum` with its type".into(),
                    node: id,
                })?;
                return self.sql(picked, path, depth + 1);
            }
            Kind::Combined(combined) => return self.union(id, &combined.subschemas, path, depth),
            Kind::Array(array) => {
                let Some(items) = array.all_items else {
                    return refuse("an array without `items`".into());
                };
                if node.common.connect.r#type.as_deref() == Some("map")
                    && let Kind::Object(entry) = &self.schema.node(self.schema.resolved(items)).kind
                {
                    let value = entry
                        .property("value")
                        .ok_or_else(|| Refused { reason: "a map entry without `value`".into(), node: items })?;
                    SqlType::Map(Box::new(SqlType::String), Box::new(self.sql(value, path, depth + 1)?))
                } else {
                    SqlType::Array(Box::new(self.sql(items, path, depth + 1)?))
                }
            }
            Kind::Object(object) if node.common.connect.r#type.as_deref() == Some("map") => {
                let Some(values) = object.additional else {
                    return refuse("a map without `additionalProperties`".into());
                };
                SqlType::Map(Box::new(SqlType::String), Box::new(self.sql(values, path, depth + 1)?))
            }
            Kind::Object(object) => {
                let ordered = self.by_connect_index(&object.properties);
                self.r#struct(&ordered, path, depth)?
            }
            Kind::Empty | Kind::True => return refuse("a schema that allows any value (`{}`)".into()),
            Kind::False => return refuse("the schema `false`".into()),
            Kind::Null => return refuse("a `null` type on its own".into()),
            Kind::Const(_) => return refuse("a `const` on its own".into()),
            Kind::Not(_) => return refuse("a `not` schema".into()),
            Kind::Conditional => return refuse("an `if`/`then`/`else` schema".into()),
        })
    }

    /// The properties in `JsonSchemaData`'s order: by `connect.index`, a property without one at
    /// the count so far (a `TreeMap` keyed so, where a later equal index replaces the earlier).
    fn by_connect_index(&self, properties: &[(String, NodeId)]) -> Vec<(String, NodeId)> {
        let mut sorted: std::collections::BTreeMap<i64, (String, NodeId)> = std::collections::BTreeMap::new();
        for (name, id) in properties {
            let index = self.schema.node(*id).common.connect.index.unwrap_or(sorted.len() as i64);
            sorted.insert(index, (name.clone(), *id));
        }
        sorted.into_values().collect()
    }

    fn r#struct(&mut self, fields: &[(String, NodeId)], path: &str, depth: usize) -> Result<SqlType, Refused> {
        let mut out = Vec::new();
        for (name, id) in fields {
            let name = match self.names {
                FieldNames::Upper => name.to_uppercase(),
                FieldNames::Original => name.clone(),
            };
            let field_path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            match self.step(*id, &field_path, depth + 1)? {
                Step::Type(sql_type) => out.push(StructField { name, sql_type }),
                Step::Recursive => {
                    let target = self.schema.resolved(*id);
                    let name = self.schema.node(target).pointer.clone();
                    self.dropped.push((field_path, Unsupported::Recursive { name }, *id));
                }
            }
        }
        Ok(SqlType::Struct(out))
    }

    /// `oneOf`/`anyOf`: `null` with one schema is that schema, else a STRUCT of the branches.
    fn union(&mut self, id: NodeId, branches: &[NodeId], path: &str, depth: usize) -> Result<SqlType, Refused> {
        let is_null = |b: &NodeId| matches!(self.schema.node(*b).kind, Kind::Null);
        if branches.len() == 2
            && let Some(other) = branches.iter().find(|b| !is_null(b))
            && branches.iter().any(is_null)
        {
            return self.sql(*other, path, depth + 1);
        }
        self.unions.push((path.to_string(), id));
        let fields: Vec<(String, NodeId)> = (branches.iter().filter(|b| !is_null(b)).enumerate())
            .map(|(i, b)| (format!("{ONE_OF}.field.{i}"), *b))
            .collect();
        self.r#struct(&fields, path, depth)
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

/// The SQL type of Connect's logical types, named by the schema's title.
fn logical(title: Option<&str>) -> Option<SqlType> {
    match title? {
        "org.apache.kafka.connect.data.Date" => Some(SqlType::Date),
        "org.apache.kafka.connect.data.Time" => Some(SqlType::Time),
        "org.apache.kafka.connect.data.Timestamp" => Some(SqlType::Timestamp),
        _ => None,
    }
}

/// A decimal's DECIMAL from `connect.parameters` (`scale`, `connect.decimal.precision`, 64 when
/// absent), checked as ksqlDB's `SqlDecimal` checks it.
fn decimal(connect: &crate::json_schema::model::Connect, node: NodeId) -> Result<SqlType, Refused> {
    let precision = connect.parameter("connect.decimal.precision").unwrap_or("64");
    let scale = connect.parameter("scale").unwrap_or("0");
    match (precision.parse::<u32>(), scale.parse::<u32>()) {
        (Ok(p), Ok(s)) if p >= 1 && s <= p => Ok(SqlType::Decimal { precision: p, scale: s }),
        _ => Err(Refused {
            reason: Unsupported::InvalidDecimal { precision: precision.into(), scale: scale.parse().unwrap_or(-1) }
                .to_string(),
            node,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sql(schema: serde_json::Value) -> String {
        match registry_type(&schema.to_string()) {
            Ok(t) => t.to_string(),
            Err(e) => format!("Err({e})"),
        }
    }

    #[test]
    fn types_as_json_schema_data_reads_them() {
        let schema = json!({"type": "object", "properties": {
            "b": {"type": "boolean", "connect.index": 3},
            "i": {"type": "integer", "connect.type": "int32", "connect.index": 0},
            "l": {"type": "integer", "connect.index": 1},
            "d": {"type": "number", "connect.index": 2},
            "bytes": {"type": "string", "connect.type": "bytes", "connect.index": 4},
            "e": {"enum": ["A", "B"], "connect.index": 5},
            "m": {"type": "object", "connect.type": "map", "additionalProperties": {"type": "integer"}, "connect.index": 6},
            "a": {"type": "array", "items": {"type": "string"}, "connect.index": 7},
            "n": {"oneOf": [{"type": "null"}, {"type": "string"}], "connect.index": 8},
            "ts": {"type": "integer", "connect.type": "int64", "title": "org.apache.kafka.connect.data.Timestamp", "connect.index": 9},
            "dec": {"type": "number", "connect.type": "bytes", "title": DECIMAL,
                    "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}, "connect.index": 10}
        }});
        assert_eq!(
            sql(schema),
            "STRUCT<`i` INTEGER, `l` BIGINT, `d` DOUBLE, `b` BOOLEAN, `bytes` BYTES, `e` STRING, \
             `m` MAP<STRING, BIGINT>, `a` ARRAY<STRING>, `n` STRING, `ts` TIMESTAMP, `dec` DECIMAL(10, 2)>"
        );
    }

    #[test]
    fn unions_become_structs_of_branches_and_refusals_are_errors() {
        let union =
            json!({"type": "object", "properties": {"u": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}});
        assert_eq!(
            sql(union),
            "STRUCT<`u` STRUCT<`io.confluent.connect.json.OneOf.field.0` STRING, `io.confluent.connect.json.OneOf.field.1` BIGINT>>"
        );
        assert_eq!(sql(json!({"type": ["string", "null"]})), "STRING");
        assert_eq!(sql(json!({"type": "array"})), "Err(an array without `items`)");
        assert_eq!(
            sql(json!({"type": "object", "properties": {"x": {}}})),
            "Err(a schema that allows any value (`{}`))"
        );
        assert_eq!(sql(json!({"allOf": [{"type": "string"}, {"enum": ["a"]}]})), "STRING");
    }

    #[test]
    fn a_reference_back_into_the_schema_is_dropped() {
        let schema = json!({"type": "object", "properties": {
            "v": {"type": "string"},
            "next": {"$ref": "#"}
        }});
        let main = serde_json::to_string(&schema).unwrap();
        let doc = crate::json_schema::Document { name: "", file: crate::source::FileId(0), text: &main };
        let loaded = crate::json_schema::parse(doc, &[]).unwrap();
        let mapping = schema_type(&loaded, FieldNames::Upper).unwrap();
        assert_eq!(mapping.sql.to_string(), "STRUCT<`V` STRING>");
        assert_eq!(mapping.dropped.len(), 1);
        assert_eq!(mapping.dropped[0].0, "NEXT");
    }
}
