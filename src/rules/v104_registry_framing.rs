//! V104: a format written with the Schema Registry's framing and read without it, or the other
//! way round, on a key or a value: `avro` and `avro-raw`, `json-sr` and `json`.
//!
//! The framing is the magic byte 0 and the 4-byte schema id that Confluent's serializers write
//! first (`AbstractKafkaSchemaSerDe.MAGIC_BYTE`; `KafkaJsonSchemaSerializer`, `JsonSchemaConverter`)
//! and their deserializers require (`AbstractKafkaJsonSchemaDeserializer` throws "Unknown magic
//! byte!"). Plain JSON readers parse the bytes as they are: Kafka's `JsonConverter` and
//! `JsonDeserializer` through Jackson, which refuses a leading 0x00, and ksqlDB's `JSON` format
//! likewise (`JsonSerdeUtils.readJsonSR` strips the header only for `JSON_SR`, and refuses data
//! without it).

use super::topic_formats::{ReaderMismatch, Verdict, reader_mismatches};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Format, Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V104",
    name: "registry framing mismatch",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v104_registry_framing.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for side in [Side::Key, Side::Value] {
        reader_mismatches(project, analysis, side, &[Verdict::Framing], diagnostic, diagnostics);
    }
}

fn diagnostic(mismatch: &ReaderMismatch, span: Span) -> Diagnostic {
    let help = if matches!(mismatch.written, Format::Avro | Format::AvroRaw) {
        "`avro` is framed for the Schema Registry (magic byte 0, 4-byte schema id), `avro-raw` is not: make both sides the same"
    } else {
        "`json-sr` is JSON framed for the Schema Registry (magic byte 0, 4-byte schema id; `KafkaJsonSchemaSerializer`, `JsonSchemaConverter`), `json` is bare JSON (`JsonConverter` with `schemas.enable=false`, ksqlDB's `JSON`): make both sides the same"
    };
    mismatch.diagnostic(&RULE, span, help.into())
}
