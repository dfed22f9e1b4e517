//! V505: the topic of a table that is not compacted. Planned: documented and reserved, not checked yet.

use super::{Rule, Status};
use crate::diagnostic::Severity;

pub(crate) const RULE: Rule = Rule {
    code: "V505",
    name: "table topic not compacted",
    severity: Severity::Warning,
    status: Status::Planned,
    doc: include_str!("v505_table_not_compacted.md"),
};
