//! Registry-framed Protobuf, as Confluent's `KafkaProtobufSerializer` writes it and its console
//! consumer prints it.
//!
//! After the magic byte and the schema id comes the message index array (`MessageIndexes` in
//! confluentinc/schema-registry, protobuf-serializer): which message of the schema the payload
//! is, as the path of indexes from the file's top-level messages down through nested ones. It is
//! written as a zigzag varint count, then that many zigzag varints; the common `[0]` (the first
//! top-level message) is shortened to the single count 0. Indexes count messages only, in
//! declaration order, without the synthetic map entry messages (the registry reads them off the
//! schema as written, where a map is a field, not a nested message).
//!
//! The message is then shown as `ProtobufSchemaUtils.toJson` prints it for the console consumer:
//! protobuf's JSON mapping (`JsonFormat.printer().includingDefaultValueFields()`): field names in
//! lowerCamelCase, default values included, 64-bit integers as strings, enums by name, bytes in
//! base64.

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, SerializeOptions};
use serde_json::Value;

/// A registered Protobuf schema compiled for decoding, kept for the run.
pub(crate) struct ProtoSchema {
    pool: DescriptorPool,
    file: String,
}

/// The name the schema is compiled under (imports are the references' subjects).
const FILE: &str = "registered.proto";

impl ProtoSchema {
    /// Compiles a registered schema with the schemas it references, each by its subject, which
    /// is the import name under the serializer's default `DefaultReferenceSubjectNameStrategy`.
    pub(crate) fn parse(text: &str, references: &[(String, String)]) -> Result<ProtoSchema, String> {
        let load = |name: &str| {
            let (_, text) = references.iter().find(|(subject, _)| subject == name)?;
            Some(crate::protobuf::Imported { shown: name.to_string(), text: text.clone(), reference: None })
        };
        let pool = crate::protobuf::parse::descriptors(FILE, text, &load)
            .map_err(|problems| problems.first().map_or_else(String::new, |p| p.message.clone()))?;
        Ok(ProtoSchema { pool, file: FILE.to_string() })
    }

    /// Decodes a framed payload (what follows the schema id) into protobuf's JSON.
    pub(crate) fn decode(&self, payload: &[u8]) -> Result<Value, String> {
        let (indexes, rest) = message_indexes(payload)?;
        let message = self.message_at(&indexes)?;
        let decoded = DynamicMessage::decode(message.clone(), rest)
            .map_err(|e| format!("not a `{}`: {e}", message.full_name()))?;
        let options = SerializeOptions::new().skip_default_fields(false);
        decoded.serialize_with_options(serde_json::value::Serializer, &options).map_err(|e| e.to_string())
    }

    /// The message the indexes name (`ProtobufSchema.toMessageName`).
    fn message_at(&self, indexes: &[i32]) -> Result<MessageDescriptor, String> {
        let out_of_range = || format!("message index {indexes:?} is not a message of the schema");
        let file = self.pool.get_file_by_name(&self.file).ok_or_else(out_of_range)?;
        let (&first, nested) = indexes.split_first().ok_or_else(out_of_range)?;
        let pick = |mut messages: Box<dyn Iterator<Item = MessageDescriptor> + '_>, index: i32| {
            usize::try_from(index).ok().and_then(|i| messages.nth(i))
        };
        let mut message = pick(Box::new(file.messages()), first).ok_or_else(out_of_range)?;
        for &index in nested {
            let children = message.child_messages().filter(|m| !m.is_map_entry()).collect::<Vec<_>>();
            message = pick(Box::new(children.into_iter()), index).ok_or_else(out_of_range)?;
        }
        Ok(message)
    }
}

/// The message indexes at the start of a payload, and the rest. A count of 0 is `[0]`.
pub(crate) fn message_indexes(payload: &[u8]) -> Result<(Vec<i32>, &[u8]), String> {
    let (count, mut rest) = zigzag(payload)?;
    if count == 0 {
        return Ok((vec![0], rest));
    }
    // Each index takes at least a byte: a count above what is left is not a count.
    if count < 0 || count as usize > rest.len() {
        return Err(format!("a message index count of {count}"));
    }
    let mut indexes = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let (index, after) = zigzag(rest)?;
        indexes.push(index);
        rest = after;
    }
    Ok((indexes, rest))
}

/// One zigzag-encoded varint (`ByteUtils.readVarint`), at most 5 bytes for an int.
fn zigzag(bytes: &[u8]) -> Result<(i32, &[u8]), String> {
    let mut value: u32 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let decoded = ((value >> 1) as i32) ^ -((value & 1) as i32);
            return Ok((decoded, &bytes[i + 1..]));
        }
    }
    Err("a message index that is not a varint".into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Encodes message indexes as the serializer does (`MessageIndexes.toByteArray`).
    pub(crate) fn indexes_bytes(indexes: &[i32]) -> Vec<u8> {
        let mut out = Vec::new();
        if indexes == [0] {
            out.push(0);
            return out;
        }
        for n in std::iter::once(indexes.len() as i32).chain(indexes.iter().copied()) {
            let mut v = ((n << 1) ^ (n >> 31)) as u32;
            while v >= 0x80 {
                out.push((v as u8 & 0x7f) | 0x80);
                v >>= 7;
            }
            out.push(v as u8);
        }
        out
    }

    pub(crate) const SCHEMA: &str = r#"syntax = "proto3";
        package shop;
        message Other { string x = 1; }
        message Order {
          string id = 1;
          int64 cents = 2;
          map<string, int32> tags = 3;
          Line line = 4;
          enum State { NEW = 0; PAID = 1; }
          State state = 5;
          message Line { string sku = 1; int32 qty = 2; }
        }"#;

    #[test]
    fn message_indexes_read_as_the_serializer_writes_them() {
        assert_eq!(message_indexes(&[0, 9]).unwrap(), (vec![0], &[9u8][..]));
        assert_eq!(message_indexes(&indexes_bytes(&[1])).unwrap().0, [1]);
        assert_eq!(message_indexes(&indexes_bytes(&[1, 0])).unwrap().0, [1, 0]);
        assert_eq!(message_indexes(&indexes_bytes(&[300, 2])).unwrap().0, [300, 2]);
        assert!(message_indexes(&[0x80]).is_err());
        assert!(message_indexes(&[6]).is_err(), "a count of 3 with nothing after it");
    }

    #[test]
    fn messages_decode_to_protobufs_json_mapping() {
        let schema = ProtoSchema::parse(SCHEMA, &[]).unwrap();
        // Order { id: "o1", cents: 250, tags: {"a": 1}, line: { sku: "s", qty: 2 } }
        let order =
            [0x0a, 2, b'o', b'1', 0x10, 0xfa, 0x01, 0x1a, 5, 0x0a, 1, b'a', 0x10, 1, 0x22, 5, 0x0a, 1, b's', 0x10, 2];
        let mut payload = indexes_bytes(&[1]);
        payload.extend_from_slice(&order);
        let json = schema.decode(&payload).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"id": "o1", "cents": "250", "tags": {"a": 1}, "line": {"sku": "s", "qty": 2}, "state": "NEW"})
        );
        let mut nested = indexes_bytes(&[1, 0]);
        nested.extend_from_slice(&[0x0a, 1, b's']);
        assert_eq!(schema.decode(&nested).unwrap(), serde_json::json!({"sku": "s", "qty": 0}));
        let mut first = vec![0];
        first.extend_from_slice(&[0x0a, 1, b'x']);
        assert_eq!(schema.decode(&first).unwrap(), serde_json::json!({"x": "x"}));
    }

    #[test]
    fn mismatches_are_errors() {
        let schema = ProtoSchema::parse(SCHEMA, &[]).unwrap();
        let out_of_range = schema.decode(&indexes_bytes(&[5])).unwrap_err();
        assert_eq!(out_of_range, "message index [5] is not a message of the schema");
        // The map entry is no nested message: Order has one, Line.
        assert!(schema.decode(&indexes_bytes(&[1, 1])).is_err());
        let mut garbage = vec![0];
        garbage.extend_from_slice(&[0x0a, 9, b'x']);
        assert!(schema.decode(&garbage).unwrap_err().starts_with("not a `shop.Other`"));
    }
}
