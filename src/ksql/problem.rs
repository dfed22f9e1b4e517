//! The problems the ksqlDB front end finds (codes V301 to V310), as facts; `rules` words them.

use crate::source::Span;

/// A problem found while parsing, resolving or typing a ksqlDB statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// V301: ksqlDB text that cannot even be tokenized.
    Syntax { message: String },
    /// V302: a stream, table or type that does not exist at this point of the statements.
    UnknownSource { what: &'static str, name: String, suggestion: Option<String> },
    /// V303: a column that none of the sources in scope has.
    UnknownColumn { name: String, suggestion: Option<String> },
    /// V303: a column name that more than one source in scope has, used without its source.
    AmbiguousColumn { name: String, sources: Vec<String> },
    /// V304: an expression whose types do not fit (the reason names the types).
    Type { reason: String },
    /// V305: a function ksqlDB does not have.
    UnknownFunction { name: String, suggestion: Option<String> },
    /// V305: a function none of whose signatures takes these argument types.
    NoSignature { name: String, arguments: Vec<String>, signatures: Vec<String> },
    /// V306: a join of two sources whose topics have different partition counts.
    NotCopartitioned { left: String, left_partitions: u32, right: String, right_partitions: u32, other: Span },
    /// V307: a join whose two sides' key types differ.
    JoinKeyTypes { left: String, left_type: String, right: String, right_type: String },
    /// V308: an aggregate query selecting a column that is neither grouped nor aggregated.
    NotGrouped { expression: String, clause: &'static str },
    /// V309: a CREATE statement over a declared topic that disagrees with the declaration.
    TopicMismatch { topic: String, reason: String, declared: Span },
    /// V310: a statement ksqlDB rejects for another reason.
    Rejected { reason: String },
}
