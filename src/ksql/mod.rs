//! The ksqlDB front end.
//!
//! `parser` parses whole statements into `ast`, with sqlparser's tokenizer and expression parser
//! fitted to ksqlDB by `dialect`; `split` cuts SQL into statements and substitutes `${var}`
//! references. `infer` runs parsed statements in order against an `Engine` (its `catalog` of
//! streams, tables, types and registered schemas): it resolves names, types expressions with
//! `types` and the `functions` catalog, derives keys, formats and output schemas, and reports
//! V301 to V310 as `Problem`s (facts; `rules` words them). `from_avro`, `from_protobuf` and
//! `from_json_schema` are the columns ksqlDB infers from a registered schema of each type. `project` runs a project's transforms
//! (each statement tokenized once) and gives `resolve` the edges; `describe` is `venice ksql
//! describe`. (`crate::ksql_conformance` measures all of it against ksqlDB's own tests.)

pub(crate) mod ast;
pub(crate) mod catalog;
pub(crate) mod describe;
pub(crate) mod dialect;
pub(crate) mod foreign;
pub(crate) mod from_avro;
pub(crate) mod from_json_schema;
pub(crate) mod from_protobuf;
pub(crate) mod functions;
pub mod infer;
pub mod parser;
mod problem;
pub(crate) mod project;
pub(crate) mod split;
pub(crate) mod to_avro;
pub(crate) mod types;

pub(crate) use problem::Problem;
