//! Avro schemas: parsing with spans, named types across the project's files, canonical forms,
//! and compatibility.

mod problem;

pub use problem::Problem;
