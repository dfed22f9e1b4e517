//! `venice acls --target T --online`: the view's grants beside the bindings the cluster holds for
//! the same principals (DescribeAcls per principal), each marked: on the cluster and derived by
//! the graph, on the cluster and written in an `acl` node, on the cluster and not the project's
//! (extra: someone else's, or one venice made that the project dropped), or missing from the
//! cluster (`venice apply` creates it).

use super::kafka::acls::key;
use super::target::Target;
use crate::analysis::access::{Access, Grant, Why};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum State {
    Derived,
    Explicit,
    Extra,
    Missing,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Derived => "derived",
            State::Explicit => "explicit",
            State::Extra => "extra (not the project's)",
            State::Missing => "missing",
        }
    }
}

/// Each binding of the view's principals, the project's and the cluster's, with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Compared {
    pub(crate) target: String,
    pub(crate) bindings: BTreeMap<String, Vec<(Grant, State)>>,
}

/// The states of the project's grants and the cluster's bindings of the same principals.
pub(crate) fn compare(target: &str, access: &Access, cluster: &BTreeSet<Grant>) -> Compared {
    let mut bindings: BTreeMap<String, Vec<(Grant, State)>> = BTreeMap::new();
    for (grant, whys) in &access.grants {
        let state = match (cluster.contains(grant), whys.iter().any(|w| matches!(w, Why::Derived { .. }))) {
            (false, _) => State::Missing,
            (true, true) => State::Derived,
            (true, false) => State::Explicit,
        };
        bindings.entry(grant.principal.clone()).or_default().push((grant.clone(), state));
    }
    for grant in cluster.iter().filter(|g| !access.grants.contains_key(*g)) {
        bindings.entry(grant.principal.clone()).or_default().push((grant.clone(), State::Extra));
    }
    bindings.values_mut().for_each(|rows| rows.sort());
    Compared { target: target.to_string(), bindings }
}

/// Reads the bindings of every principal the view grants to, from the target's cluster.
pub(crate) fn read(target: &Target, access: &Access) -> Result<Compared, String> {
    if target.kafka.is_empty() {
        return Err(format!("target `{}` names no Kafka bootstrap server (`kafka` in the target)", target.name));
    }
    let principals: BTreeSet<&str> = access.grants.keys().map(|g| g.principal.as_str()).collect();
    let mut admin = target.admin(Duration::from_secs(30));
    let mut cluster = BTreeSet::new();
    for principal in principals {
        cluster.extend(admin.acls_of(principal).map_err(|e| e.to_string())?);
    }
    Ok(compare(&target.name, access, &cluster))
}

impl Compared {
    /// A block per principal, a line per binding with its state.
    pub(crate) fn human(&self) -> String {
        let mut out = format!("\non the cluster of target `{}`:\n", self.target);
        if self.bindings.is_empty() {
            out.push_str("  (no principals)\n");
        }
        for (principal, rows) in &self.bindings {
            out.push_str(&format!("\n{principal}\n"));
            for (grant, state) in rows {
                out.push_str(&format!("  {:<26} {}\n", state.as_str(), key(grant)));
            }
        }
        let count = |s: State| self.bindings.values().flatten().filter(|(_, state)| *state == s).count();
        out.push_str(&format!(
            "\n{} derived, {} explicit on the cluster; {} missing (`venice apply` creates them); {} extra\n",
            count(State::Derived),
            count(State::Explicit),
            count(State::Missing),
            count(State::Extra)
        ));
        out
    }

    /// `[{"principal", "binding", "state"}]`, the state one of `derived`, `explicit`, `extra`,
    /// `missing`.
    pub(crate) fn json(&self) -> Value {
        let rows = self.bindings.iter().flat_map(|(principal, rows)| {
            rows.iter().map(move |(grant, state)| {
                let state = state.as_str().split(' ').next().unwrap_or_default();
                json!({"principal": principal, "binding": key(grant), "state": state})
            })
        });
        json!({"target": self.target, "bindings": rows.collect::<Vec<_>>()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Operation, Resource, ResourceType};
    use crate::source::{FileId, Span};

    fn grant(principal: &str, topic: &str, operation: Operation) -> Grant {
        let resource = Resource::literal(ResourceType::Topic, topic);
        Grant { principal: principal.into(), resource, operation, host: "*".into() }
    }

    #[test]
    fn each_binding_is_derived_explicit_extra_or_missing() {
        let span = Span::file_start(FileId(0));
        let mut access = Access::default();
        let derived = Why::Derived { because: "producer `p` writes `t`".into(), span };
        access.grants.insert(grant("User:a", "t", Operation::Write), vec![derived]);
        access.grants.insert(grant("User:a", "t", Operation::Describe), vec![Why::Explicit { span, doc: None }]);
        access.grants.insert(grant("User:a", "u", Operation::Read), vec![Why::Explicit { span, doc: None }]);
        let cluster = BTreeSet::from([
            grant("User:a", "t", Operation::Write),
            grant("User:a", "t", Operation::Describe),
            grant("User:a", "manual", Operation::Read),
        ]);
        let compared = compare("prod", &access, &cluster);
        let states: Vec<(&str, State)> =
            compared.bindings["User:a"].iter().map(|(g, s)| (g.resource.name.as_str(), *s)).collect();
        assert_eq!(
            states,
            [("manual", State::Extra), ("t", State::Derived), ("t", State::Explicit), ("u", State::Missing)]
        );
        let human = compared.human();
        assert!(human.contains("  extra (not the project's)  User:a read topic=\"manual\" host=\"*\"\n"), "{human}");
        assert!(
            human.ends_with("1 derived, 1 explicit on the cluster; 1 missing (`venice apply` creates them); 1 extra\n")
        );
        assert_eq!(compared.json()["bindings"][0]["state"], "extra");
    }
}
