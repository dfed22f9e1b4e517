//! The front end: venice.kdl text to the typed model.
//!
//! `loader` reads and parses the files, `grammar` says what each node takes, `reader` checks a
//! node against it, and `decode` fills the model. None of it stops at the first problem.

pub mod decode;
pub mod grammar;
pub(crate) mod lexical;
pub mod loader;
pub mod reader;
