//! Protobuf as ksqlDB reads it from the registry (`PROTOBUF`): ksqlDB's `ProtobufSchemaTranslator`
//! (confluentinc/ksql, `io.confluent.ksql.serde.protobuf`) hands the registered schema to
//! Confluent's `ProtobufData.toConnectSchema` (confluentinc/schema-registry, protobuf-converter),
//! and `ConnectKsqlSchemaTranslator` turns the Connect schema into SQL types, as for Avro
//! ([`super::from_avro`]). So, walking the compiled descriptors:
//!
//! - a message is a STRUCT: first one field per real `oneof`, named `<oneof>_<index>`, itself a
//!   STRUCT of the oneof's members (`toConnectSchema(OneofDescriptor)`), then the other fields in
//!   declaration order (a proto3 `optional` field's synthetic oneof is not a union);
//! - `int32`, `sint32`, `sfixed32` INTEGER (INT8/INT16 by `confluent.field_meta`'s `connect.type`,
//!   INTEGER to ksqlDB too); `uint32`, `fixed32` and the 64-bit integers BIGINT; `float`, `double`
//!   DOUBLE; `bool` BOOLEAN; `string` and enums STRING; `bytes` BYTES;
//! - `repeated` ARRAY; a `map<K, V>` (its synthetic `*Entry` message) MAP, keys read as STRING by
//!   ksqlDB (`int`, `bigint` and `boolean` keys, all that Protobuf allows);
//! - `confluent.type.Decimal` DECIMAL with `precision`/`scale` from `confluent.field_meta` (64 and
//!   0 when absent, as `DecimalUtil.precision` falls back); `google.type.Date` DATE,
//!   `google.type.TimeOfDay` TIME, `google.protobuf.Timestamp` TIMESTAMP;
//! - the wrappers (`google.protobuf.Int32Value`, ...) their primitive: ksqlDB's query-validation
//!   test "protobuf inference - wrapped primitives" (protobuf.json) infers `C1 BOOLEAN, C2 INT, ...`
//!   from them without `unwrapPrimitives`;
//! - a message that contains itself cannot be represented: `ProtobufData` builds a cyclic Connect
//!   schema, which `ConnectKsqlSchemaTranslator` cannot translate, so the field is left out, as
//!   for a recursive Avro record.
//!
//! Which message a subject stands for: the one `*_SCHEMA_FULL_NAME` names, else the schema's first
//! message (`ProtobufSchema.toDescriptor()`). Not verified against a running service.

use prost_reflect::{DescriptorPool, FieldDescriptor, Kind, MessageDescriptor, Value};

use crate::avro::mapping::Unsupported;
use crate::ksql::ast::{SqlType, StructField};
use crate::ksql::from_avro::{FieldNames, field_path};

/// The ksqlDB type of a message, what ksqlDB leaves out, and its oneofs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProtoMapping {
    pub(crate) sql: SqlType,
    /// Fields ksqlDB drops (dotted paths as ksqlDB names them), why, and where each is declared.
    pub(crate) dropped: Vec<(String, Unsupported, Place)>,
    /// Each real `oneof`: the path of the STRUCT field it becomes, its full name, and where.
    pub(crate) oneofs: Vec<(String, String, Place)>,
}

/// Where an element is declared: its file's name and its descriptor path (`SourceCodeInfo`'s key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) file: String,
    pub(crate) path: Vec<i32>,
}

/// How deep a schema's messages nest before ksqlDB's view stops (as `avro::mapping::MAX_DEPTH`).
const MAX_DEPTH: usize = 64;

/// The ksqlDB type of `message`, struct fields named by `names`. An invalid decimal (a scale
/// above the precision) fails the whole schema, as ksqlDB's `SqlDecimal` refuses it.
pub(crate) fn message_type(message: &MessageDescriptor, names: FieldNames) -> Result<ProtoMapping, Unsupported> {
    let mut walk = Walk { names, dropped: Vec::new(), oneofs: Vec::new(), open: Vec::new() };
    let sql = walk.message(message, "", 0)?;
    Ok(ProtoMapping { sql, dropped: walk.dropped, oneofs: walk.oneofs })
}

/// The message a subject's schema stands for in the pool: `full_name` when a statement names
/// one, else the first message of the file `file`.
pub(crate) fn subject_message(
    pool: &DescriptorPool,
    file: &str,
    full_name: Option<&str>,
) -> Result<MessageDescriptor, String> {
    match full_name {
        Some(name) => pool.get_message_by_name(name).ok_or_else(|| format!("no message `{name}` in the schema")),
        None => pool
            .get_file_by_name(file)
            .and_then(|f| f.messages().next())
            .ok_or_else(|| "the schema has no message".to_string()),
    }
}

/// The SQL type of a registered Protobuf schema: its text (`main`, named `file` for imports),
/// the texts of the subjects it references by import name, the message `full_name` names (else
/// the first). Field names are kept as written (the engine upper-cases them as ksqlDB does); the
/// fields ksqlDB drops are left out.
pub(crate) fn registry_type(
    main: &str,
    references: &[(String, String)],
    full_name: Option<&str>,
) -> Result<SqlType, String> {
    const FILE: &str = "subject.proto";
    let load = |name: &str| {
        let (_, text) = references.iter().find(|(n, _)| n == name)?;
        Some(crate::protobuf::Imported { shown: name.to_string(), text: text.clone(), reference: None })
    };
    let pool = crate::protobuf::parse::descriptors(FILE, main, &load)
        .map_err(|problems| problems.first().map_or_else(String::new, |p| p.message.clone()))?;
    let message = subject_message(&pool, FILE, full_name)?;
    message_type(&message, FieldNames::Original).map(|m| m.sql).map_err(|why| why.to_string())
}

struct Walk {
    names: FieldNames,
    dropped: Vec<(String, Unsupported, Place)>,
    oneofs: Vec<(String, String, Place)>,
    /// The messages being walked, to stop at a recursive use.
    open: Vec<String>,
}

impl Walk {
    fn message(&mut self, message: &MessageDescriptor, path: &str, depth: usize) -> Result<SqlType, Unsupported> {
        if depth > MAX_DEPTH {
            return Err(Unsupported::TooDeep);
        }
        self.open.push(message.full_name().to_string());
        let mut out = Vec::new();
        for (index, oneof) in message.oneofs().enumerate() {
            if oneof.is_synthetic() {
                continue;
            }
            let name = self.name(&format!("{}_{index}", oneof.name()));
            let union_path = field_path(path, &name);
            let place = Place { file: oneof.parent_file().name().to_string(), path: oneof.path().to_vec() };
            self.oneofs.push((union_path.clone(), oneof.full_name().to_string(), place));
            let members: Vec<FieldDescriptor> = oneof.fields().collect();
            let sql_type = self.fields(&members, &union_path, depth)?;
            out.push(StructField { name, sql_type });
        }
        let plain: Vec<FieldDescriptor> =
            message.fields().filter(|f| f.containing_oneof().is_none_or(|o| o.is_synthetic())).collect();
        let SqlType::Struct(fields) = self.fields(&plain, path, depth)? else { unreachable!("fields make a struct") };
        out.extend(fields);
        self.open.pop();
        Ok(SqlType::Struct(out))
    }

    /// The STRUCT of `fields`; a field ksqlDB cannot read is dropped and listed, while an invalid
    /// decimal fails the schema.
    fn fields(&mut self, fields: &[FieldDescriptor], path: &str, depth: usize) -> Result<SqlType, Unsupported> {
        let mut out = Vec::new();
        for field in fields {
            let name = self.name(field.name());
            let field_path = field_path(path, &name);
            match self.field(field, &field_path, depth + 1) {
                Ok(sql_type) => out.push(StructField { name, sql_type }),
                Err(reason @ Unsupported::InvalidDecimal { .. }) => return Err(reason),
                Err(reason) => {
                    let place = Place { file: field.parent_file().name().to_string(), path: field.path().to_vec() };
                    self.dropped.push((field_path, reason, place));
                }
            }
        }
        Ok(SqlType::Struct(out))
    }

    fn name(&self, name: &str) -> String {
        self.names.apply(name)
    }

    fn field(&mut self, field: &FieldDescriptor, path: &str, depth: usize) -> Result<SqlType, Unsupported> {
        if field.is_map()
            && let Kind::Message(entry) = field.kind()
        {
            // Keys: Protobuf allows integers, bool and string, which ksqlDB reads as STRING.
            let value = self.single(&entry.map_entry_value_field(), path, depth)?;
            return Ok(SqlType::Map(Box::new(SqlType::String), Box::new(value)));
        }
        let single = self.single(field, path, depth)?;
        Ok(if field.is_list() { SqlType::Array(Box::new(single)) } else { single })
    }

    /// One value of a field, as `ProtobufData.toConnectSchema(FieldDescriptor)` types it.
    fn single(&mut self, field: &FieldDescriptor, path: &str, depth: usize) -> Result<SqlType, Unsupported> {
        Ok(match field.kind() {
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => SqlType::Int,
            Kind::Uint32
            | Kind::Fixed32
            | Kind::Int64
            | Kind::Uint64
            | Kind::Sint64
            | Kind::Fixed64
            | Kind::Sfixed64 => SqlType::BigInt,
            Kind::Float | Kind::Double => SqlType::Double,
            Kind::Bool => SqlType::Boolean,
            Kind::String | Kind::Enum(_) => SqlType::String,
            Kind::Bytes => SqlType::Bytes,
            Kind::Message(message) => match message.full_name() {
                "confluent.type.Decimal" => decimal(field)?,
                "google.type.Date" => SqlType::Date,
                "google.type.TimeOfDay" => SqlType::Time,
                "google.protobuf.Timestamp" => SqlType::Timestamp,
                "google.protobuf.BoolValue" => SqlType::Boolean,
                "google.protobuf.Int32Value" => SqlType::Int,
                "google.protobuf.UInt32Value" | "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => {
                    SqlType::BigInt
                }
                "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => SqlType::Double,
                "google.protobuf.StringValue" => SqlType::String,
                "google.protobuf.BytesValue" => SqlType::Bytes,
                name if self.open.iter().any(|open| open == name) => {
                    return Err(Unsupported::Recursive { name: name.to_string() });
                }
                _ => self.message(&message, path, depth)?,
            },
        })
    }
}

/// A `confluent.type.Decimal` field's DECIMAL: `precision` and `scale` from the field's
/// `confluent.field_meta` params (`ProtobufData` ignores values that are not integers), the
/// precision 64 when absent, which `SqlDecimal.validateParameters` then checks.
fn decimal(field: &FieldDescriptor) -> Result<SqlType, Unsupported> {
    let params = field_params(field);
    let param = |key: &str| params.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.parse::<i64>().ok());
    let precision = param("precision").unwrap_or(64);
    let scale = param("scale").unwrap_or(0);
    match (u32::try_from(precision), u32::try_from(scale)) {
        (Ok(precision), Ok(scale)) if precision >= 1 && scale <= precision => Ok(SqlType::Decimal { precision, scale }),
        _ => Err(Unsupported::InvalidDecimal { precision: precision.to_string(), scale }),
    }
}

/// The `params` of a field's `(confluent.field_meta)` option, when the schema imports
/// `confluent/meta.proto` and sets it.
fn field_params(field: &FieldDescriptor) -> Vec<(String, String)> {
    let pool = field.parent_pool();
    let Some(extension) = pool.get_extension_by_name("confluent.field_meta") else { return Vec::new() };
    let options = field.options();
    if !options.has_extension(&extension) {
        return Vec::new();
    }
    let Value::Message(meta) = &*options.get_extension(&extension) else { return Vec::new() };
    let Some(Value::Map(params)) = meta.get_field_by_name("params").as_deref().cloned() else { return Vec::new() };
    params.into_iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(text: &str) -> String {
        match registry_type(text, &[], None) {
            Ok(t) => t.to_string(),
            Err(e) => format!("Err({e})"),
        }
    }

    #[test]
    fn scalars_repeated_maps_and_enums() {
        let proto = "syntax = \"proto3\"; message Outer { enum Suit { A = 0; } message In { int64 x = 1; }\n\
                     Suit s = 1; repeated In items = 2; map<int32, string> m = 3; uint32 u = 4; sint32 i = 5;\n\
                     float f = 6; bytes b = 7; bool ok = 8; }";
        assert_eq!(
            columns(proto),
            "STRUCT<`s` STRING, `items` ARRAY<STRUCT<`x` BIGINT>>, `m` MAP<STRING, STRING>, `u` BIGINT, `i` INTEGER, \
             `f` DOUBLE, `b` BYTES, `ok` BOOLEAN>"
        );
    }

    #[test]
    fn oneofs_come_first_as_structs_and_optional_is_no_union() {
        let proto = "syntax = \"proto3\"; message M { string id = 1; oneof pay { string card = 2; int64 cash = 3; }\n\
                     optional string note = 4; }";
        assert_eq!(columns(proto), "STRUCT<`pay_0` STRUCT<`card` STRING, `cash` BIGINT>, `id` STRING, `note` STRING>");
    }

    #[test]
    fn well_known_and_confluent_types() {
        let proto = r#"syntax = "proto3";
            import "google/protobuf/timestamp.proto"; import "google/protobuf/wrappers.proto";
            import "confluent/meta.proto"; import "confluent/type/decimal.proto";
            message M {
              google.protobuf.Timestamp at = 1;
              google.protobuf.Int64Value n = 2;
              confluent.type.Decimal amount = 3 [(confluent.field_meta) = { params: [{key: "precision", value: "10"}, {key: "scale", value: "2"}] }];
              confluent.type.Decimal plain = 4;
            }"#;
        assert_eq!(
            columns(proto),
            "STRUCT<`at` TIMESTAMP, `n` BIGINT, `amount` DECIMAL(10, 2), `plain` DECIMAL(64, 0)>"
        );
    }

    #[test]
    fn recursion_is_dropped_and_a_named_message_is_chosen() {
        let proto =
            "syntax = \"proto3\"; package p; message A { int32 a = 1; } message Node { string v = 1; Node next = 2; }";
        assert_eq!(columns(proto), "STRUCT<`a` INTEGER>");
        assert_eq!(registry_type(proto, &[], Some("p.Node")).unwrap().to_string(), "STRUCT<`v` STRING>");
        assert_eq!(registry_type(proto, &[], Some("p.X")).unwrap_err(), "no message `p.X` in the schema");
        let pool = crate::protobuf::parse::descriptors("s.proto", proto, &|_| None).unwrap();
        let mapping = message_type(&pool.get_message_by_name("p.Node").unwrap(), FieldNames::Upper).unwrap();
        let place = Place { file: "s.proto".into(), path: vec![4, 1, 2, 1] };
        assert_eq!(mapping.dropped, [("NEXT".to_string(), Unsupported::Recursive { name: "p.Node".into() }, place)]);
    }

    #[test]
    fn references_are_imports_by_name() {
        let references =
            [("event.proto".to_string(), "syntax = \"proto3\"; message Event { int64 t = 1; }".to_string())];
        let main = "syntax = \"proto3\"; import \"event.proto\"; message M { Event event = 1; }";
        assert_eq!(registry_type(main, &references, None).unwrap().to_string(), "STRUCT<`event` STRUCT<`t` BIGINT>>");
        assert!(registry_type("syntax = \"proto3\"; message {", &[], None).is_err());
    }
}
