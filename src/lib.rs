//! Venice: a pipeline-as-code compiler for Kafka event-streaming pipelines.
//!
//! Data flows one way: `syntax` reads venice.kdl into the `model` (the declaration), the phases
//! of `check` (`lock`, `connect`, `avro`, `ksql`, `resolve`) gather what they find in an
//! `analysis::Analysis`, `rules` turns it into diagnostics, and the commands (`render`, `build`,
//! `graph`, `deploy`, `ops`) read the result. See ARCHITECTURE.md for the map; `tests/tidy.rs`
//! keeps the direction.

pub mod analysis;
pub mod avro;
pub mod build;
pub mod check;
pub mod cli;
pub mod connect;
pub mod deploy;
pub mod diagnostic;
mod explain;
pub mod fmt;
mod fs;
pub mod graph;
mod import;
pub mod init;
pub mod json_schema;
pub mod ksql;
pub mod ksql_conformance;
mod ksql_describe;
pub mod lock;
pub mod model;
pub(crate) mod ops;
mod parallel;
pub mod protobuf;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod run;
mod schema_compat;
pub mod source;
pub mod syntax;
mod text;
