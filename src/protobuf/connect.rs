//! A Protobuf message as Kafka Connect sees it through Confluent's `ProtobufConverter`
//! (`ProtobufData.toConnectSchema`): `double` FLOAT64, `float` FLOAT32, `int32`, `sint32` and
//! `sfixed32` INT32, the unsigned 32-bit kinds and every 64-bit kind INT64, `bool` BOOLEAN,
//! `string` STRING, `bytes` BYTES, an enum STRING, a message STRUCT (`google.protobuf.Timestamp`
//! Connect's Timestamp), `repeated` ARRAY, `map<K, V>` MAP, and each `oneof` a STRUCT of its
//! members (`io.confluent.connect.protobuf.Union`). The JDBC sinks read that schema.

use super::schema::{FieldType, Label, Message, ProtoFile, Schema, TypeElement};
use crate::avro::mapping::{CONNECT_TIMESTAMP, ConnectKind, ConnectSchema};

/// What a type name resolves to.
enum Found<'s> {
    Message(String, &'s Message),
    Enum,
}

/// The Connect schema of a message of `schema` (its first when `message` is `None`), with its
/// top-level fields' names. `None` when a type does not resolve or is one whose Connect form
/// venice does not model (Confluent's `Decimal`, `google.type.*`, the wrappers): the record is
/// then not checked.
pub(crate) fn connect_schema(schema: &Schema, message: Option<&str>) -> Option<ConnectSchema> {
    let (name, root) = schema.message(message)?;
    message_schema(schema, &name, root, 0)
}

fn message_schema(schema: &Schema, name: &str, message: &Message, depth: usize) -> Option<ConnectSchema> {
    // A recursive message: `ProtobufData` refuses it too (its schema would be infinite).
    if depth > 32 {
        return None;
    }
    let mut fields = Vec::new();
    for field in &message.fields {
        let ty = field_schema(schema, name, &field.ty, depth)?;
        let ty = if field.label == Some(Label::Repeated) { plain(ConnectKind::Array(Box::new(ty))) } else { ty };
        fields.push((field.name.clone(), ConnectSchema { optional: true, ..ty }));
    }
    for oneof in &message.oneofs {
        let mut members = Vec::new();
        for field in &oneof.fields {
            let ty = field_schema(schema, name, &field.ty, depth)?;
            members.push((field.name.clone(), ConnectSchema { optional: true, ..ty }));
        }
        let union = ConnectSchema {
            kind: ConnectKind::Struct(members),
            name: Some("io.confluent.connect.protobuf.Union".into()),
            optional: true,
            scale: None,
        };
        fields.push((oneof.name.clone(), union));
    }
    Some(ConnectSchema {
        kind: ConnectKind::Struct(fields),
        name: Some(name.to_string()),
        optional: false,
        scale: None,
    })
}

fn field_schema(schema: &Schema, scope: &str, ty: &FieldType, depth: usize) -> Option<ConnectSchema> {
    match ty {
        FieldType::Scalar(scalar) => Some(plain(match *scalar {
            "double" => ConnectKind::Float64,
            "float" => ConnectKind::Float32,
            "int32" | "sint32" | "sfixed32" => ConnectKind::Int32,
            "bool" => ConnectKind::Boolean,
            "string" => ConnectKind::String,
            "bytes" => ConnectKind::Bytes,
            _ => ConnectKind::Int64,
        })),
        FieldType::Map(key, value) => {
            let key = field_schema(schema, scope, key, depth)?;
            let value = field_schema(schema, scope, value, depth)?;
            Some(plain(ConnectKind::Map(Box::new(key), Box::new(value))))
        }
        FieldType::Named(name) => match resolve(schema, scope, name)? {
            Found::Enum => Some(plain(ConnectKind::String)),
            Found::Message(full, _) if full == "google.protobuf.Timestamp" => {
                Some(ConnectSchema { name: Some(CONNECT_TIMESTAMP.into()), ..plain(ConnectKind::Int64) })
            }
            Found::Message(full, _) if full.starts_with("google.") || full.starts_with("confluent.") => None,
            Found::Message(full, message) => message_schema(schema, &full, message, depth + 1),
        },
    }
}

fn plain(kind: ConnectKind) -> ConnectSchema {
    ConnectSchema { kind, name: None, optional: false, scale: None }
}

/// A type name as written, resolved as `protoc` does: a leading `.` is absolute, else the
/// innermost enclosing scope that defines it wins.
fn resolve<'s>(schema: &'s Schema, scope: &str, name: &str) -> Option<Found<'s>> {
    if let Some(absolute) = name.strip_prefix('.') {
        return lookup(schema, absolute);
    }
    let mut scope = scope.to_string();
    loop {
        let candidate = if scope.is_empty() { name.to_string() } else { format!("{scope}.{name}") };
        if let Some(found) = lookup(schema, &candidate) {
            return Some(found);
        }
        if scope.is_empty() {
            return None;
        }
        scope = scope.rsplit_once('.').map_or(String::new(), |(parent, _)| parent.to_string());
    }
}

/// A type by full name, in the schema or a file it imports.
fn lookup<'s>(schema: &'s Schema, full: &str) -> Option<Found<'s>> {
    fn walk<'s>(prefix: &str, types: &'s [TypeElement], full: &str) -> Option<Found<'s>> {
        for ty in types {
            let name = if prefix.is_empty() { ty.name().to_string() } else { format!("{prefix}.{}", ty.name()) };
            if name == full {
                return Some(match ty {
                    TypeElement::Message(m) => Found::Message(name, m),
                    TypeElement::Enum(_) => Found::Enum,
                });
            }
            if full.starts_with(&format!("{name}."))
                && let Some(found) = walk(&name, ty.nested(), full)
            {
                return Some(found);
            }
        }
        None
    }
    let files = std::iter::once(&schema.main).chain(schema.dependencies.iter().map(|d| &d.file));
    files.filter_map(|file: &ProtoFile| walk(&file.package, &file.types, full)).next()
}
