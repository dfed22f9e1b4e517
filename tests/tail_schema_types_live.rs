//! `venice tail` on records written with the registry's Protobuf and JSON Schema framing, against
//! the real Kafka and Apicurio Registry of `scripts/stack.sh`: the schema registered through the
//! Confluent API with its `schemaType`, the records framed as Confluent's serializers frame them
//! (magic byte, schema id, for Protobuf the message indexes), and what does not match flagged.
//! Ignored unless asked for; with the stack up:
//! `cargo test --test tail_schema_types_live -- --include-ignored`.

#[path = "ops/live.rs"]
mod live;

use live::*;

/// Two top-level messages, so that the record's message index matters: Visit is index [1].
const VISITS_PROTO: &str = r#"syntax = "proto3";
package live;

message Session {
  string id = 1;
}

message Visit {
  int32 customer = 1;
  string page = 2;
}
"#;

const REVIEW_JSON: &str = r#"{"type":"object","properties":{"order":{"type":"string"},"stars":{"type":"integer"}},"additionalProperties":false}"#;

/// The framing of `KafkaProtobufSerializer`: magic byte, the id, then the message indexes as
/// `MessageIndexes.toByteArray` writes them (a zigzag varint count, then each index; the list
/// [0] shortened to one 0), then the message.
fn protobuf_framed(id: i64, indexes: &[u8], message: &[u8]) -> Vec<u8> {
    let mut out = vec![0];
    out.extend_from_slice(&(id as u32).to_be_bytes());
    out.extend_from_slice(indexes);
    out.extend_from_slice(message);
    out
}

/// Visit { customer, page } in the Protobuf wire format (field 1 varint, field 2 bytes).
fn visit(customer: u8, page: &str) -> Vec<u8> {
    let mut out = vec![0x08, customer, 0x12, page.len() as u8];
    out.extend_from_slice(page.as_bytes());
    out
}

fn json_framed(id: i64, json: &str) -> Vec<u8> {
    let mut out = vec![0];
    out.extend_from_slice(&(id as u32).to_be_bytes());
    out.extend_from_slice(json.as_bytes());
    out
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn protobuf_records_are_decoded_by_their_message_indexes() {
    let topic = format!("tail.pb_{}", unique());
    let dir = project(&format!(
        "schema Visits path=\"visits.proto\"\ntopic {topic} partitions=1 replication=1 {{\n    key string\n    value protobuf schema=Visits message=\"live.Visit\"\n}}\n"
    ));
    std::fs::write(dir.path().join("visits.proto"), VISITS_PROTO).unwrap();
    let id = registry().register(&format!("{topic}-value"), "PROTOBUF", VISITS_PROTO).unwrap();
    let mut kafka = create_topic(&topic, 1);
    produce(
        &mut kafka,
        &topic,
        0,
        &[
            // Visit is the second message: indexes [1], a count of 1 and the index 1, zigzag.
            (Some(b"c-7".to_vec()), Some(protobuf_framed(id, &[2, 2], &visit(7, "/p/7")))),
            // Session is the first: the list [0] is written as a single 0.
            (Some(b"s-1".to_vec()), Some(protobuf_framed(id, &[0], &[0x0a, 2, b's', b'1']))),
            // A message index the schema does not have.
            (Some(b"bad".to_vec()), Some(protobuf_framed(id, &[2, 10], &visit(1, "/")))),
        ],
    );

    let run = venice(&["tail", &topic, path(&dir), "--from-beginning", "--no-follow", "--format", "json"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3, "{}", run.shown());
    assert_eq!(lines[0]["key"], "c-7");
    assert_eq!(lines[0]["value"]["customer"], 7, "{}", run.shown());
    assert_eq!(lines[0]["value"]["page"], "/p/7", "{}", run.shown());
    assert_eq!(lines[0]["valueSchemaId"], id);
    assert!(lines[0].get("flags").is_none(), "{}", run.shown());
    assert_eq!(lines[1]["value"]["id"], "s1", "{}", run.shown());
    assert!(lines[1].get("flags").is_none(), "{}", run.shown());
    let flags = lines[2]["flags"].to_string();
    assert!(flags.contains("\"side\":\"value\""), "{}", run.shown());
    assert!(flags.contains("index"), "the out-of-range message index is named: {}", run.shown());
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn json_schema_records_are_decoded_and_bytes_that_are_not_json_flagged() {
    let topic = format!("tail.jsr_{}", unique());
    let dir = project(&format!(
        "schema Review path=\"review.json\"\ntopic {topic} partitions=1 replication=1 {{\n    key string\n    value json-sr schema=Review\n}}\n"
    ));
    std::fs::write(dir.path().join("review.json"), REVIEW_JSON).unwrap();
    let id = registry().register(&format!("{topic}-value"), "JSON", REVIEW_JSON).unwrap();
    let mut kafka = create_topic(&topic, 1);
    produce(
        &mut kafka,
        &topic,
        0,
        &[
            (Some(b"r-1".to_vec()), Some(json_framed(id, r#"{"order":"o-1","stars":5}"#))),
            (Some(b"r-2".to_vec()), Some(json_framed(id, "not json at all"))),
        ],
    );

    let run = venice(&["tail", &topic, path(&dir), "--from-beginning", "--no-follow", "--format", "json"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2, "{}", run.shown());
    assert_eq!(lines[0]["value"], serde_json::json!({"order": "o-1", "stars": 5}), "{}", run.shown());
    assert_eq!(lines[0]["valueSchemaId"], id);
    assert!(lines[0].get("flags").is_none(), "{}", run.shown());
    assert!(lines[1]["flags"].to_string().contains("\"side\":\"value\""), "{}", run.shown());
}
