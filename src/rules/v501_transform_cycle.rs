//! V501: transforms that read, through topics, what they write. Planned: documented and reserved, not checked yet.

use super::{Rule, Status};
use crate::diagnostic::Severity;

pub(crate) const RULE: Rule = Rule {
    code: "V501",
    name: "cycle among transforms",
    severity: Severity::Error,
    status: Status::Planned,
    doc: include_str!("v501_transform_cycle.md"),
};
