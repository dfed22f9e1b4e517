//! The ksqlDB front end.
//!
//! `parser` parses whole statements into `ast`, with sqlparser's tokenizer and expression parser
//! fitted to ksqlDB by `dialect`; `split` cuts SQL into statements and substitutes `${var}`
//! references. `infer` runs parsed statements in order against an `Engine` (its `catalog` of
//! streams, tables, types and registered schemas): it resolves names, types expressions with
//! `types` and the `functions` catalog, derives keys, formats and output schemas, and reports
//! V301 to V310 as `Problem`s (facts; `rules` words them). `project` runs a project's transforms
//! (each statement tokenized once) and gives `resolve` the edges; `describe` is `venice ksql
//! describe`. (`crate::ksql_conformance` measures all of it against ksqlDB's own tests.)

pub mod ast;
pub mod catalog;
pub mod describe;
pub mod dialect;
pub mod from_avro;
pub mod functions;
pub mod infer;
pub mod parser;
mod problem;
pub mod project;
pub mod split;
pub mod to_avro;
pub mod types;

pub use problem::Problem;
