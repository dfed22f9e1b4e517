//! The problems the Avro phase reports (codes V2xx), with their wording.

use crate::diagnostic::Label;

/// A problem in an Avro schema or between schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// V201: the schema text is not JSON.
    InvalidJson { message: String },
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Problem::InvalidJson { .. } => "V201",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Problem::InvalidJson { message } => format!("not a valid Avro schema: {message}"),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Problem::InvalidJson { .. } => "not JSON".into(),
        }
    }

    pub fn labels(&self) -> Vec<Label> {
        Vec::new()
    }

    pub fn help(&self) -> Option<String> {
        match self {
            Problem::InvalidJson { .. } => None,
        }
    }
}
