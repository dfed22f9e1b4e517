//! Kafka Connect schemas as the Avro schemas an `AvroConverter` registers for them, following
//! Confluent's `AvroData.fromConnectSchema` (confluentinc/schema-registry, module `avro-data`)
//! with its default configuration (`connect.meta.data` on):
//!
//! - a struct is a record named after the Connect schema (`shop.public.orders.Value`: namespace
//!   `shop.public.orders`, name `Value`) with `connect.name`; an optional field is
//!   `["null", T]` with `"default": null`; a struct used a second time is referred to by name;
//! - INT8 and INT16 are `int` with `connect.type`; INT32 `int`, INT64 `long`, FLOAT32 `float`,
//!   FLOAT64 `double`, BOOLEAN `boolean`, STRING `string`, BYTES `bytes`;
//! - Connect's logical types carry Avro's (`Decimal` is `bytes`/`decimal` with its scale and a
//!   precision of 64, `AvroData`'s default when the schema has no `connect.decimal.precision`;
//!   `Date` `int`/`date`, `Time` `int`/`time-millis`, `Timestamp` `long`/`timestamp-millis`);
//!   other named types (Debezium's `io.debezium.time.Date`, ...) keep their Connect type with
//!   `connect.name` and `connect.version` 1, and no logical type;
//! - ARRAY is `array`; MAP with string keys is `map`.
//!
//! Debezium's derived schemas are compared with what Debezium 3.6 and Apicurio's converter
//! register, for a table with a column of every kind, in `tests/derive_live.rs`.

use crate::avro::mapping::{
    CONNECT_DATE, CONNECT_DECIMAL, CONNECT_TIME, CONNECT_TIMESTAMP, ConnectKind, ConnectSchema,
};
use crate::connect::derive::DEBEZIUM_VARIABLE_SCALE_DECIMAL;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// The Avro schema of a Connect schema, as JSON. `precision` gives the precision of a decimal
/// field by its name (Debezium's `connect.decimal.precision` of a `numeric(p,s)` column);
/// decimals without one get `AvroData`'s default, 64.
pub(crate) fn avro_schema(schema: &ConnectSchema, precision: &dyn Fn(&str) -> Option<u32>) -> Value {
    let mut walk = Walk { defined: BTreeSet::new(), precision };
    // The top level is written without the `null` branch: Debezium's row and key records are
    // registered as plain records.
    walk.non_null(schema, None)
}

/// What Debezium's envelope schema sets that Venice's Connect model does not keep, put on its
/// Avro form as Debezium 3.6's `AvroConverter` registration has it (compared field by field with
/// the registry's copy in `tests/derive_live.rs`): `connect.version` 2 on the envelope and 1 on
/// `source` and `transaction`; `source.snapshot` is the `io.debezium.data.Enum` of the snapshot
/// phases, optional with the default `"false"`, so its union puts `string` first.
pub(crate) fn debezium_envelope_details(envelope: &mut Value) {
    let Some(record) = envelope.as_object_mut() else { return };
    insert_before_name(record, 2);
    for field in record.get_mut("fields").and_then(Value::as_array_mut).into_iter().flatten() {
        match field["name"].as_str() {
            Some("source") => {
                let Some(source) = field["type"].as_object_mut() else { continue };
                insert_before_name(source, 1);
                for inner in source.get_mut("fields").and_then(Value::as_array_mut).into_iter().flatten() {
                    if inner["name"] == "snapshot" {
                        *inner = json!({"name": "snapshot", "type": [{
                            "type": "string",
                            "connect.version": 1,
                            "connect.parameters": {"allowed": SNAPSHOT_PHASES},
                            "connect.default": "false",
                            "connect.name": "io.debezium.data.Enum"
                        }, "null"], "default": "false"});
                    }
                }
            }
            Some("transaction") => {
                if let Some(block) = field["type"].get_mut(1).and_then(Value::as_object_mut) {
                    insert_before_name(block, 1);
                }
            }
            _ => {}
        }
    }
}

/// The values of `source.snapshot` (Debezium's `SnapshotRecord`).
const SNAPSHOT_PHASES: &str = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";

/// `connect.version` placed before `connect.name`, where `AvroData` writes it.
fn insert_before_name(record: &mut Map<String, Value>, version: u32) {
    let name = record.remove("connect.name");
    record.insert("connect.version".into(), json!(version));
    if let Some(name) = name {
        record.insert("connect.name".into(), name);
    }
}

struct Walk<'a> {
    defined: BTreeSet<String>,
    precision: &'a dyn Fn(&str) -> Option<u32>,
}

impl Walk<'_> {
    fn with_null(&mut self, schema: &ConnectSchema, field: Option<&str>) -> Value {
        let inner = self.non_null(schema, field);
        if schema.optional { json!(["null", inner]) } else { inner }
    }

    fn non_null(&mut self, schema: &ConnectSchema, field: Option<&str>) -> Value {
        let name = schema.name.as_deref();
        let logical = |ty: &str, logical: &str, name: &str| json!({"type": ty, "connect.version": 1, "connect.name": name, "logicalType": logical});
        match (name, &schema.kind) {
            (Some(CONNECT_DECIMAL), _) => {
                let scale = schema.scale.unwrap_or(0);
                let mut parameters = Map::new();
                parameters.insert("scale".into(), json!(scale.to_string()));
                let precision = field.and_then(|f| (self.precision)(f));
                if let Some(precision) = precision {
                    parameters.insert("connect.decimal.precision".into(), json!(precision.to_string()));
                }
                json!({
                    "type": "bytes",
                    "scale": scale,
                    "precision": precision.unwrap_or(64),
                    "connect.version": 1,
                    "connect.parameters": parameters,
                    "connect.name": CONNECT_DECIMAL,
                    "logicalType": "decimal",
                })
            }
            (Some(CONNECT_DATE), _) => logical("int", "date", CONNECT_DATE),
            (Some(CONNECT_TIME), _) => logical("int", "time-millis", CONNECT_TIME),
            (Some(CONNECT_TIMESTAMP), _) => logical("long", "timestamp-millis", CONNECT_TIMESTAMP),
            (_, ConnectKind::Struct(fields)) => {
                let full = name.unwrap_or("ConnectDefault");
                if !self.defined.insert(full.to_string()) {
                    return json!(full);
                }
                let (namespace, simple) = match full.rsplit_once('.') {
                    Some((namespace, simple)) => (Some(namespace), simple),
                    None => (None, full),
                };
                let fields: Vec<Value> = fields
                    .iter()
                    .map(|(field, schema)| {
                        let mut out = Map::new();
                        out.insert("name".into(), json!(field));
                        out.insert("type".into(), self.with_null(schema, Some(field)));
                        if schema.optional {
                            out.insert("default".into(), Value::Null);
                        }
                        Value::Object(out)
                    })
                    .collect();
                let mut record = Map::new();
                record.insert("type".into(), json!("record"));
                record.insert("name".into(), json!(simple));
                if let Some(namespace) = namespace {
                    record.insert("namespace".into(), json!(namespace));
                }
                record.insert("fields".into(), Value::Array(fields));
                if full == DEBEZIUM_VARIABLE_SCALE_DECIMAL {
                    // Debezium's `VariableScaleDecimal.schema()` has a doc and a version.
                    record.insert("connect.doc".into(), json!("Variable scaled decimal"));
                    record.insert("connect.version".into(), json!(1));
                }
                record.insert("connect.name".into(), json!(full));
                Value::Object(record)
            }
            (_, ConnectKind::Array(items)) => json!({"type": "array", "items": self.with_null(items, None)}),
            (_, ConnectKind::Map(_, values)) => json!({"type": "map", "values": self.with_null(values, None)}),
            (_, ConnectKind::Cycle(name)) => json!(name),
            (name, kind) => {
                let (ty, connect_type) = match kind {
                    ConnectKind::Int8 => ("int", Some("int8")),
                    ConnectKind::Int16 => ("int", Some("int16")),
                    ConnectKind::Int32 => ("int", None),
                    ConnectKind::Int64 => ("long", None),
                    ConnectKind::Float32 => ("float", None),
                    ConnectKind::Float64 => ("double", None),
                    ConnectKind::Boolean => ("boolean", None),
                    ConnectKind::String => ("string", None),
                    _ => ("bytes", None),
                };
                if name.is_none() && connect_type.is_none() {
                    return json!(ty);
                }
                let mut out = Map::new();
                out.insert("type".into(), json!(ty));
                if let Some(connect_type) = connect_type {
                    out.insert("connect.type".into(), json!(connect_type));
                }
                if let Some(name) = name {
                    out.insert("connect.version".into(), json!(1));
                    out.insert("connect.name".into(), json!(name));
                }
                Value::Object(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::derive::{Options, column_schema};

    #[test]
    fn debezium_columns_become_the_avro_a_converter_registers() {
        let field = |sql: &str, optional| avro_schema(&column_schema(sql, optional, Options::default()), &|_| None);
        assert_eq!(field("INTEGER", false), json!("int"));
        assert_eq!(field("SMALLINT", false), json!({"type": "int", "connect.type": "int16"}));
        assert_eq!(
            field("DATE", false),
            json!({"type": "int", "connect.version": 1, "connect.name": "io.debezium.time.Date"})
        );
        assert_eq!(field("NUMERIC(10,2)", false)["logicalType"], json!("decimal"));
        assert_eq!(field("NUMERIC(10,2)", false)["scale"], json!(2));
        assert_eq!(field("NUMERIC(10,2)", false)["precision"], json!(64));
        let amount = ConnectSchema {
            kind: ConnectKind::Struct(vec![(
                "amount".into(),
                column_schema("NUMERIC(10,2)", false, Options::default()),
            )]),
            name: Some("R".into()),
            optional: false,
            scale: None,
        };
        let avro = avro_schema(&amount, &|f| (f == "amount").then_some(10));
        assert_eq!(avro["fields"][0]["type"]["precision"], json!(10));
        assert_eq!(avro["fields"][0]["type"]["connect.parameters"]["connect.decimal.precision"], json!("10"));
        assert_eq!(field("TEXT[]", false), json!({"type": "array", "items": ["null", "string"]}));
    }

    #[test]
    fn a_struct_used_twice_is_defined_once() {
        let row = ConnectSchema {
            kind: ConnectKind::Struct(vec![(
                "id".into(),
                ConnectSchema { kind: ConnectKind::Int32, name: None, optional: false, scale: None },
            )]),
            name: Some("shop.public.orders.Value".into()),
            optional: true,
            scale: None,
        };
        let envelope = ConnectSchema {
            kind: ConnectKind::Struct(vec![("before".into(), row.clone()), ("after".into(), row)]),
            name: Some("shop.public.orders.Envelope".into()),
            optional: false,
            scale: None,
        };
        let avro = avro_schema(&envelope, &|_| None);
        assert_eq!(avro["name"], json!("Envelope"));
        assert_eq!(avro["namespace"], json!("shop.public.orders"));
        assert_eq!(avro["fields"][0]["type"][1]["name"], json!("Value"));
        assert_eq!(avro["fields"][1]["type"], json!(["null", "shop.public.orders.Value"]));
        assert_eq!(avro["fields"][1]["default"], Value::Null);
    }
}
