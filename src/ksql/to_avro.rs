//! From ksqlDB to Avro: the schema ksqlDB registers for what a statement writes (the other way
//! is [`super::from_avro`]).
//!
//! ksqlDB turns its SQL schema into a Kafka Connect schema in which every part is optional, names
//! the records (`AvroSchemas.getAvroCompatibleConnectSchema` in confluentinc/ksql,
//! `io.confluent.ksql.serde.avro`), and hands it to Confluent's `AvroData.fromConnectSchema`. So:
//!
//! - the value is a record `io.confluent.ksql.avro_schemas.KsqlDataSourceSchema`; a key of several
//!   columns (or of one STRUCT column) a record named after the source in upper camel case with
//!   `Key` appended (`LEFT_TABLE` gives `LeftTableKey`), whose fields are the STRUCT's; a key of
//!   one column of another type is that type alone (ksqlDB's `UNWRAP_SINGLES`);
//! - every field is `["null", T]` with the default `null`, and so are array items and map values;
//! - a STRUCT inside is a record named after its parent with `_` and the field's name;
//! - `INT` int, `BIGINT` long, `DOUBLE` double, `BOOLEAN` boolean, `STRING` string, `BYTES` bytes,
//!   `DECIMAL(p, s)` bytes with the decimal logical type, `DATE` int `date`, `TIME` int
//!   `time-millis`, `TIMESTAMP` long `timestamp-millis`; a `MAP` with STRING keys an Avro map,
//!   with other keys an array of `{key, value}` records (Connect's encoding of such maps).
//!
//! The names and shapes agree with the `valueSchema`/`keySchema` that ksqlDB's own
//! query-validation tests expect (the `query-validation-tests` of confluentinc/ksql's
//! `ksqldb-functional-tests`, e.g. `avro.json`, `group-by.json`). Connect's bookkeeping
//! properties (`connect.name`, `connect.parameters`) are left out: they change neither the
//! canonical form nor compatibility. The record names of STRUCTs nested in arrays and maps are
//! read from the source, not from a test (unverified).

use crate::avro::Catalog;
use crate::ksql::ast::{SqlType, StructField};
use crate::ksql::catalog::Role;
use crate::ksql::infer::Created;
use crate::model::{Side, SourceText};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

/// The name of the one schema in the catalog [`registered`] returns.
pub(crate) const REGISTERED: &str = "ksql";

/// What ksqlDB registers (and writes) on one side of the topic a query creates, parsed into a
/// catalog of its own under the name [`REGISTERED`]; `None` when that side is not Avro or the
/// query's columns are not known. Made once per query and side, on first use.
pub(crate) fn registered(created: &Created, side: Side) -> Option<Arc<Catalog>> {
    let slot = match side {
        Side::Key => &created.registered.key,
        Side::Value => &created.registered.value,
    };
    slot.get_or_init(|| make_registered(created, side).map(Arc::new)).clone()
}

fn make_registered(created: &Created, side: Side) -> Option<Catalog> {
    let (format, role) = match side {
        Side::Key => (&created.key_format.value, Role::Key),
        Side::Value => (&created.value_format.value, Role::Value),
    };
    if !format.eq_ignore_ascii_case("AVRO") {
        return None;
    }
    let columns: Vec<StructField> = created
        .columns
        .as_ref()?
        .iter()
        .filter(|c| c.role == role)
        .map(|c| StructField { name: c.name.clone(), sql_type: c.sql_type.clone() })
        .collect();
    let schema = match side {
        Side::Key => key_schema(&created.name.value, &columns)?,
        Side::Value => value_schema(&columns)?,
    };
    // Generated, and valid: its spans are never shown (problems would point at the statement).
    let mut problems = Vec::new();
    let text = SourceText::from_file(created.span.file, schema.to_string());
    let catalog = Catalog::from_texts(vec![(REGISTERED.into(), text)], &mut problems);
    problems.is_empty().then_some(catalog)
}

/// Where [`registered`] keeps what it made for a query ([`Created::registered`]). It is derived
/// from the query's other fields, so a clone starts empty and any two compare equal.
#[derive(Default)]
pub(crate) struct RegisteredCache {
    key: OnceLock<Option<Arc<Catalog>>>,
    value: OnceLock<Option<Arc<Catalog>>>,
}

impl Clone for RegisteredCache {
    fn clone(&self) -> Self {
        RegisteredCache::default()
    }
}

impl PartialEq for RegisteredCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for RegisteredCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegisteredCache")
    }
}

/// The namespace of every record ksqlDB names.
const NAMESPACE: &str = "io.confluent.ksql.avro_schemas";
/// The name of the value record.
const VALUE_RECORD: &str = "KsqlDataSourceSchema";

/// The Avro schema ksqlDB registers for a statement's value columns; `None` when a column's type
/// is a `CREATE TYPE` name left unresolved.
pub(crate) fn value_schema(columns: &[StructField]) -> Option<Value> {
    record(VALUE_RECORD, columns)
}

/// The Avro schema ksqlDB registers for the key columns of the source `source` (its name as
/// ksqlDB knows it); `None` without key columns (or with an unresolved type).
pub(crate) fn key_schema(source: &str, columns: &[StructField]) -> Option<Value> {
    match columns {
        [] => None,
        // One STRUCT column is unwrapped too: the record is the struct's own fields
        // (avro.json, "STRUCT - key - inference").
        [single] => match &single.sql_type {
            SqlType::Struct(fields) => record(&key_record_name(source), fields),
            other => avro_type(other, ""),
        },
        _ => record(&key_record_name(source), columns),
    }
}

/// `LEFT_TABLE` → `LeftTableKey`, as Guava's `UPPER_UNDERSCORE` to `UPPER_CAMEL` does it.
fn key_record_name(source: &str) -> String {
    let mut name: String = source
        .split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect()
            })
        })
        .collect();
    name.push_str("Key");
    name
}

fn record(name: &str, fields: &[StructField]) -> Option<Value> {
    let fields = fields
        .iter()
        .map(|field| {
            let nested_name = format!("{name}_{}", field.name);
            let schema = avro_type(&field.sql_type, &nested_name)?;
            Some(json!({"name": field.name, "type": optional(schema), "default": null}))
        })
        .collect::<Option<Vec<Value>>>()?;
    Some(json!({"type": "record", "name": name, "namespace": NAMESPACE, "fields": fields}))
}

fn optional(schema: Value) -> Value {
    json!(["null", schema])
}

/// The Avro type of a SQL type; `name` is the record name a STRUCT here would take.
fn avro_type(sql: &SqlType, name: &str) -> Option<Value> {
    Some(match sql {
        SqlType::Boolean => json!("boolean"),
        SqlType::Int => json!("int"),
        SqlType::BigInt => json!("long"),
        SqlType::Double => json!("double"),
        SqlType::String => json!("string"),
        SqlType::Bytes => json!("bytes"),
        SqlType::Decimal { precision, scale } => {
            json!({"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale})
        }
        SqlType::Date => json!({"type": "int", "logicalType": "date"}),
        SqlType::Time => json!({"type": "int", "logicalType": "time-millis"}),
        SqlType::Timestamp => json!({"type": "long", "logicalType": "timestamp-millis"}),
        SqlType::Array(items) => json!({"type": "array", "items": optional(avro_type(items, name)?)}),
        SqlType::Map(key, value) if **key == SqlType::String => {
            json!({"type": "map", "values": optional(avro_type(value, &format!("{name}_MapValue"))?)})
        }
        SqlType::Map(key, value) => {
            let entry = json!({
                "type": "record",
                "name": "MapEntry",
                "namespace": "io.confluent.connect.avro",
                "fields": [
                    {"name": "key", "type": optional(avro_type(key, &format!("{name}_MapKey"))?), "default": null},
                    {"name": "value", "type": optional(avro_type(value, &format!("{name}_MapValue"))?), "default": null},
                ],
            });
            json!({"type": "array", "items": entry})
        }
        SqlType::Struct(fields) => record(name, fields)?,
        // A type from `CREATE TYPE` that inference left unresolved: its shape is unknown.
        SqlType::Custom(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, sql_type: SqlType) -> StructField {
        StructField { name: name.into(), sql_type }
    }

    #[test]
    fn the_value_is_a_record_of_optional_fields_as_the_ksqldb_tests_expect() {
        // avro.json, "STRUCT - key - inference": the value of `SELECT ... FOO INT`.
        let schema = value_schema(&[field("FOO", SqlType::Int)]).unwrap();
        let expected = json!({"type": "record", "name": "KsqlDataSourceSchema", "namespace": "io.confluent.ksql.avro_schemas",
            "fields": [{"name": "FOO", "type": ["null", "int"], "default": null}]});
        assert_eq!(schema, expected);
    }

    #[test]
    fn a_struct_key_or_a_key_of_several_columns_is_a_record_named_after_the_source() {
        // group-by.json, "AVRO group by struct": GROUP BY A, B into OUTPUT.
        let key = key_schema("OUTPUT", &[field("A", SqlType::Int), field("B", SqlType::Int)]).unwrap();
        assert_eq!(key["name"], "OutputKey");
        assert_eq!(key["fields"][1], json!({"name": "B", "type": ["null", "int"], "default": null}));
        assert_eq!(key_record_name("LEFT_TABLE"), "LeftTableKey");
        // avro.json, "STRUCT - key - inference": one STRUCT<F1 STRING> key column.
        let single = key_schema("OUTPUT", &[field("K", SqlType::Struct(vec![field("F1", SqlType::String)]))]).unwrap();
        assert_eq!(single["name"], "OutputKey");
        assert_eq!(single["fields"], json!([{"name": "F1", "type": ["null", "string"], "default": null}]));
    }

    #[test]
    fn a_single_key_column_is_unwrapped() {
        // avro.json, "DECIMAL - key - inference - default precision".
        let key = key_schema("OUTPUT", &[field("K", SqlType::Decimal { precision: 64, scale: 2 })]).unwrap();
        assert_eq!(key, json!({"type": "bytes", "logicalType": "decimal", "precision": 64, "scale": 2}));
        assert_eq!(key_schema("OUTPUT", &[]), None);
        assert_eq!(value_schema(&[field("X", SqlType::Custom("ADDRESS".into()))]), None);
    }

    #[test]
    fn nested_types_take_optional_items_and_named_records() {
        let address = SqlType::Struct(vec![field("CITY", SqlType::String)]);
        let schema = value_schema(&[
            field("TAGS", SqlType::Array(Box::new(SqlType::String))),
            field("COUNTS", SqlType::Map(Box::new(SqlType::String), Box::new(SqlType::BigInt))),
            field("ADDRESS", address),
            field("AT", SqlType::Timestamp),
        ])
        .unwrap();
        assert_eq!(schema["fields"][0]["type"][1], json!({"type": "array", "items": ["null", "string"]}));
        assert_eq!(schema["fields"][1]["type"][1], json!({"type": "map", "values": ["null", "long"]}));
        assert_eq!(schema["fields"][2]["type"][1]["name"], "KsqlDataSourceSchema_ADDRESS");
        assert_eq!(schema["fields"][3]["type"][1], json!({"type": "long", "logicalType": "timestamp-millis"}));
    }
}
