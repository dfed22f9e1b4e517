//! V306: a join of two sources whose topics have different partition counts.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::Problem;
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V306",
    name: "join not co-partitioned",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v306_not_copartitioned.md"),
};

pub(super) fn diagnostic(problem: &Problem, span: Span) -> Diagnostic {
    let Problem::NotCopartitioned { left, left_partitions, right, right_partitions, other } = problem else {
        unreachable!("not a V306: {problem:?}")
    };
    let message = format!(
        "join of `{left}` ({left_partitions} partitions) and `{right}` ({right_partitions} partitions): the sources are not co-partitioned"
    );
    RULE.diagnostic(span, message, "joined here")
        .with_label(*other, format!("`{right}` is declared here"))
        .with_help("give both topics the same number of partitions, or repartition one side with PARTITION BY into a topic with the other's count")
}
