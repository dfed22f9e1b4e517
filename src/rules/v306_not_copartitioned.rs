//! V306: a join of two sources whose topics have different partition counts.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V306",
    name: "join not co-partitioned",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v306_not_copartitioned.md"),
};

/// `other` is where the right-hand source is declared.
pub(super) fn diagnostic(
    left: &str,
    left_partitions: u32,
    right: &str,
    right_partitions: u32,
    other: Span,
    span: Span,
) -> Diagnostic {
    let message = format!(
        "join of `{left}` ({left_partitions} partitions) and `{right}` ({right_partitions} partitions): the sources are not co-partitioned"
    );
    RULE.diagnostic(span, message, "joined here")
        .with_label(other, format!("`{right}` is declared here"))
        .with_help("give both topics the same number of partitions, or repartition one side with PARTITION BY into a topic with the other's count")
}
