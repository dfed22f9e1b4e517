//! The problems the ksqlDB analysis reports (codes V302 to V310), with their wording.
//!
//! The syntax errors of V301 are [`crate::diagnostic::DiagnosticKind::KsqlSyntax`]; everything
//! found once a statement parses is a [`Problem`], carried by
//! [`crate::diagnostic::DiagnosticKind::Ksql`].

use crate::diagnostic::Label;
use crate::source::Span;

/// A problem found while resolving or typing a ksqlDB statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
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

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Problem::UnknownSource { .. } => "V302",
            Problem::UnknownColumn { .. } | Problem::AmbiguousColumn { .. } => "V303",
            Problem::Type { .. } => "V304",
            Problem::UnknownFunction { .. } | Problem::NoSignature { .. } => "V305",
            Problem::NotCopartitioned { .. } => "V306",
            Problem::JoinKeyTypes { .. } => "V307",
            Problem::NotGrouped { .. } => "V308",
            Problem::TopicMismatch { .. } => "V309",
            Problem::Rejected { .. } => "V310",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Problem::UnknownSource { what, name, .. } => format!("unknown {what} `{name}`"),
            Problem::UnknownColumn { name, .. } => format!("unknown column `{name}`"),
            Problem::AmbiguousColumn { name, sources } => {
                format!("column `{name}` is ambiguous: it is in {}", backticked(sources))
            }
            Problem::Type { reason } => format!("type error: {reason}"),
            Problem::UnknownFunction { name, .. } => format!("unknown function `{name}`"),
            Problem::NoSignature { name, arguments, .. } => {
                format!("function `{name}` does not take ({})", arguments.join(", "))
            }
            Problem::NotCopartitioned { left, left_partitions, right, right_partitions, .. } => format!(
                "join of `{left}` ({left_partitions} partitions) and `{right}` ({right_partitions} partitions): the sources are not co-partitioned"
            ),
            Problem::JoinKeyTypes { left, left_type, right, right_type } => {
                format!("join key types differ: `{left}` is {left_type}, `{right}` is {right_type}")
            }
            Problem::NotGrouped { expression, clause } => {
                format!("`{expression}` in {clause} is neither in GROUP BY nor aggregated")
            }
            Problem::TopicMismatch { topic, reason, .. } => {
                format!("the statement disagrees with topic `{topic}`: {reason}")
            }
            Problem::Rejected { reason } => format!("ksqlDB rejects this statement: {reason}"),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Problem::UnknownSource { what, .. } => format!("no such {what} here"),
            Problem::UnknownColumn { .. } => "not a column of the sources in FROM".into(),
            Problem::AmbiguousColumn { .. } => "qualify it with its source".into(),
            Problem::Type { .. } => "this expression".into(),
            Problem::UnknownFunction { .. } => "not a ksqlDB function".into(),
            Problem::NoSignature { .. } => "no signature fits".into(),
            Problem::NotCopartitioned { .. } => "joined here".into(),
            Problem::JoinKeyTypes { .. } => "this join condition".into(),
            Problem::NotGrouped { .. } => "not grouped".into(),
            Problem::TopicMismatch { .. } => "disagrees with the topic".into(),
            Problem::Rejected { .. } => "rejected".into(),
        }
    }

    pub fn labels(&self) -> Vec<Label> {
        match self {
            Problem::NotCopartitioned { other, right, .. } => {
                vec![Label { span: *other, message: format!("`{right}` is declared here") }]
            }
            Problem::TopicMismatch { declared, .. } => {
                vec![Label { span: *declared, message: "the topic is declared here".into() }]
            }
            _ => Vec::new(),
        }
    }

    pub fn help(&self) -> Option<String> {
        match self {
            Problem::UnknownSource { suggestion: Some(s), .. } | Problem::UnknownColumn { suggestion: Some(s), .. } => {
                Some(format!("did you mean `{s}`?"))
            }
            Problem::UnknownSource { what: "stream or table", .. } => Some(
                "declare it with a `stream` or `table` node, or create it with a statement before this one".into(),
            ),
            Problem::UnknownFunction { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            Problem::UnknownSource { what: "topic", .. } => Some(
                "declare the topic with a `topic` node, or give `PARTITIONS` so that ksqlDB creates it".into(),
            ),
            Problem::NoSignature { signatures, .. } if !signatures.is_empty() => {
                let shown: Vec<&str> = signatures.iter().take(6).map(String::as_str).collect();
                let more = signatures.len().saturating_sub(shown.len());
                let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
                Some(format!("it takes {}{tail}", shown.join("; ")))
            }
            Problem::AmbiguousColumn { name, sources } => {
                sources.first().map(|s| format!("write `{s}.{name}`"))
            }
            Problem::NotCopartitioned { .. } => Some(
                "give both topics the same number of partitions, or repartition one side with PARTITION BY into a topic with the other's count".into(),
            ),
            Problem::JoinKeyTypes { .. } => Some("CAST one side to the other's type".into()),
            Problem::NotGrouped { .. } => {
                Some("add it to GROUP BY, or wrap it in an aggregate such as LATEST_BY_OFFSET".into())
            }
            Problem::TopicMismatch { .. } => {
                Some("make the statement's columns and formats match the topic's declaration".into())
            }
            _ => None,
        }
    }
}

fn backticked(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
