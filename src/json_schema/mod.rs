//! JSON Schema documents as the Schema Registry reads them, and its compatibility rules.
//!
//! The registry loads a JSON Schema with everit's `SchemaLoader` (drafts 4 to 7; 2019-09 and
//! 2020-12 through its translation into the same classes) and compares two of them with
//! `io.confluent.kafka.schemaregistry.json.diff.SchemaDiff`. This module follows both:
//!
//! - `model`: the loaded schema, one node per everit class (`ObjectSchema`, `CombinedSchema`, ...),
//!   each with its span and JSON pointer, for diagnostics.
//! - `parse`: JSON text to the model, `$ref` resolved within the document and into referenced
//!   documents (the registry's `references`, by name).
//! - `connect`: the Connect schema `JsonSchemaConverter` reads a record with
//!   (`JsonSchemaData.toConnectSchema`), for the JDBC sinks and ksqlDB's columns.
//! - `diff`: `SchemaDiff` and its per-keyword classes; the registry's change names.
//! - `compat`: the levels, as `JsonSchema.isBackwardCompatible` and `CompatibilityChecker` apply
//!   the diff.

pub(crate) mod catalog;
pub mod compat;
pub(crate) mod connect;
pub mod diff;
pub(crate) mod model;
mod parse;

pub use catalog::Catalog;
pub use model::JsonSchema;
pub(crate) use parse::referenced_names;
pub use parse::{Document, ParseProblem, parse};
