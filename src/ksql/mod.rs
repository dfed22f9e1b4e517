//! The ksqlDB front end.
//!
//! `outline` reads the heads of statements (which streams and tables SQL creates, and which
//! topics it reads and writes), enough for the model's edges. `parser` parses whole statements
//! into `ast`, with sqlparser's tokenizer and expression parser fitted to ksqlDB by `dialect`;
//! `split` cuts SQL into statements and substitutes `${var}` references; `conformance` measures
//! the parser against ksqlDB's own tests. Name resolution and type inference (codes V302 to V310)
//! build on the parser.

pub mod ast;
pub mod conformance;
pub mod dialect;
pub mod outline;
pub mod parser;
pub mod split;
