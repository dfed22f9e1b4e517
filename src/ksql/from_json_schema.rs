//! JSON Schema as ksqlDB reads it from the registry (`JSON_SR`): ksqlDB's `JsonSchemaTranslator`
//! (confluentinc/ksql, `io.confluent.ksql.serde.json`) hands the registered schema to Confluent's
//! `JsonSchemaData.toConnectSchema` (`crate::json_schema::connect`, which the JDBC sinks read
//! too), and `ConnectKsqlSchemaTranslator` turns the Connect schema into SQL types, as for Avro
//! (`super::from_avro`): INT8, INT16 and INT32 INTEGER (Date DATE, Time TIME), INT64 BIGINT
//! (Timestamp TIMESTAMP), FLOAT32 and FLOAT64 DOUBLE, BOOLEAN, STRING, BYTES (Decimal a DECIMAL
//! of `scale` and `connect.decimal.precision` from `connect.parameters`, 64 when absent), ARRAY,
//! MAP with STRING keys (int, bigint and boolean keys read as strings, others refused), STRUCT.
//! A field that refers back into the schema cannot be represented and is left out, as for a
//! recursive Avro record; a union's STRUCT is listed (V205).
//!
//! Not verified against a running service.

use crate::avro::mapping::Unsupported;
use crate::avro::mapping::{ConnectKind, ConnectSchema};
use crate::json_schema::JsonSchema;
use crate::json_schema::connect::{Connected, ONE_OF, Step, connect_schema};
use crate::json_schema::model::NodeId;
use crate::ksql::ast::{SqlType, StructField};
use crate::ksql::from_avro::{FieldNames, field_path, map_key_supported, scalar};

pub(crate) use crate::json_schema::connect::Refused;

/// The ksqlDB type of a JSON Schema, what ksqlDB leaves out, and its unions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonMapping {
    pub(crate) sql: SqlType,
    /// Fields ksqlDB drops (dotted paths), why, and the schema node of each.
    pub(crate) dropped: Vec<(String, Unsupported, NodeId)>,
    /// Each `oneOf`/`anyOf` read as a STRUCT of branches: its path and node.
    pub(crate) unions: Vec<(String, NodeId)>,
}

/// The ksqlDB type of `schema`, struct fields named by `names`.
pub(crate) fn schema_type(schema: &JsonSchema, names: FieldNames) -> Result<JsonMapping, Refused> {
    let connected = connect_schema(schema)?;
    let mut translator =
        Translator { schema, connected: &connected, names, at: Vec::new(), dropped: Vec::new(), unions: Vec::new() };
    let sql = translator.sql(&connected.schema, "")?;
    Ok(JsonMapping { sql, dropped: translator.dropped, unions: translator.unions })
}

/// The SQL type of a registered JSON Schema given as its text (field names as written).
pub(crate) fn registry_type(text: &str) -> Result<SqlType, String> {
    let main = crate::json_schema::Document { name: "", file: crate::source::FileId(0), text };
    let schema = crate::json_schema::parse(main, &[])
        .map_err(|problems| problems.first().map_or_else(String::new, |p| p.message.clone()))?;
    schema_type(&schema, FieldNames::Original).map(|m| m.sql).map_err(|refused| refused.reason)
}

/// The Connect schema to SQL, the JSON Schema node of each part at hand.
struct Translator<'a> {
    schema: &'a JsonSchema,
    connected: &'a Connected,
    names: FieldNames,
    /// The steps to the part being translated.
    at: Vec<Step>,
    dropped: Vec<(String, Unsupported, NodeId)>,
    unions: Vec<(String, NodeId)>,
}

impl Translator<'_> {
    /// The node of the part being translated.
    fn node(&self) -> NodeId {
        self.connected.node(&self.at).unwrap_or(self.schema.root)
    }

    fn sql(&mut self, connect: &ConnectSchema, path: &str) -> Result<SqlType, Refused> {
        if let Some(scalar) = scalar(connect) {
            return Ok(scalar);
        }
        Ok(match &connect.kind {
            ConnectKind::Bytes => self.decimal()?,
            ConnectKind::Array(items) => SqlType::Array(Box::new(self.part(Step::Items, items, path)?)),
            ConnectKind::Map(key, value) => {
                if !map_key_supported(key) {
                    let key = Unsupported::MapKey { key: key.kind.type_name().to_lowercase() };
                    return Err(Refused { reason: key.to_string(), node: self.node() });
                }
                SqlType::Map(Box::new(SqlType::String), Box::new(self.part(Step::Value, value, path)?))
            }
            ConnectKind::Struct(fields) => {
                if connect.name.as_deref() == Some(ONE_OF) {
                    self.unions.push((path.to_string(), self.node()));
                }
                self.r#struct(fields, path)?
            }
            // At the root or inside an array or map there is no field to leave out.
            ConnectKind::Cycle(_) => {
                return Err(Refused { reason: "a schema that refers to itself".into(), node: self.node() });
            }
            _ => unreachable!("scalars are mapped above"),
        })
    }

    fn part(&mut self, step: Step, connect: &ConnectSchema, path: &str) -> Result<SqlType, Refused> {
        self.at.push(step);
        let result = self.sql(connect, path);
        self.at.pop();
        result
    }

    /// A STRUCT, its fields named by the policy; a field that refers back is left out.
    fn r#struct(&mut self, fields: &[(String, ConnectSchema)], path: &str) -> Result<SqlType, Refused> {
        let mut out = Vec::new();
        for (i, (name, field)) in fields.iter().enumerate() {
            let name = self.names.apply(name);
            let field_path = field_path(path, &name);
            if let ConnectKind::Cycle(target) = &field.kind {
                self.at.push(Step::Field(i));
                self.dropped.push((field_path, Unsupported::Recursive { name: target.clone() }, self.node()));
                self.at.pop();
                continue;
            }
            let sql_type = self.part(Step::Field(i), field, &field_path)?;
            out.push(StructField { name, sql_type });
        }
        Ok(SqlType::Struct(out))
    }

    /// A decimal's DECIMAL from `connect.parameters` (`scale`, `connect.decimal.precision`, 64
    /// when absent), checked as ksqlDB's `SqlDecimal` checks it.
    fn decimal(&self) -> Result<SqlType, Refused> {
        let node = self.node();
        let connect = &self.schema.node(node).common.connect;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::mapping::CONNECT_DECIMAL;
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
            "dec": {"type": "number", "connect.type": "bytes", "title": CONNECT_DECIMAL,
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
