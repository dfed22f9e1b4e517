//! The ksqlDB front end.
//!
//! For now this holds the statement outline (which streams and tables the SQL creates, and which
//! topics it reads and writes), enough for the model's edges. The full parser, name resolution
//! and type inference (codes V301 to V310) build on the same tokenizer.

pub mod outline;
