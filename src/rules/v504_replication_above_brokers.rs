//! V504: a topic replicated more times than the stack has brokers. Planned: documented and reserved, not checked yet.

use super::{Rule, Status};
use crate::diagnostic::Severity;

pub(crate) const RULE: Rule = Rule {
    code: "V504",
    name: "replication above broker count",
    severity: Severity::Error,
    status: Status::Planned,
    doc: include_str!("v504_replication_above_brokers.md"),
};
