//! The front end: venice.kdl text to the typed model.
//!
//! `loader` reads the files and parses them into a spanned `tree`, `grammar` says what each node
//! takes, `reader` checks a node against it, and `decode` fills the model. None of it stops at the
//! first problem (but a KDL syntax error ends the reading of that one file).

pub mod decode;
pub mod grammar;
pub mod guard;
mod kdl_parser;
pub(crate) mod lexical;
pub(crate) mod loader;
mod problem;
pub mod reader;
pub(crate) mod root;
pub mod tree;

pub(crate) use problem::{Expected, Problem, Slot};
