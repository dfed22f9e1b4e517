//! Protobuf schemas as the Schema Registry reads and compares them.
//!
//! - `schema`: a schema and its imports as written (wire's `ProtoFileElement`, which the
//!   registry's diff reads), every element with its place.
//! - `parse`: `.proto` text to that model, through `protox_parse` (spans kept as
//!   `SourceCodeInfo`) and `protox` (the whole set compiled, so a schema the registry would
//!   refuse is refused); imports beside the schema, the well-known types and Confluent's own.
//! - `diff`: the registry's `SchemaDiff` (its `Difference.Type` names, paths and
//!   `COMPATIBLE_CHANGES`).
//! - `compat`: the compatibility levels over the diff.
//! - `report`: `venice schema compat` on `.proto` files (imports read beside each), as text or JSON.

pub(crate) mod catalog;
pub mod compat;
pub(crate) mod connect;
pub mod diff;
pub(crate) mod files;
pub mod parse;
pub mod schema;

pub use catalog::Catalog;
pub use compat::{Direction, LevelChange, check_level, incompatible_changes};
pub use diff::{Change, Difference, compare};
pub use parse::{Imported, Problem, parse};
pub use schema::{Position, Reference, Schema};
