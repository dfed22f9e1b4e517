//! V504: a topic replicated more times than the stack has brokers (a declared topic's
//! `replication`, or a ksqlDB statement's `REPLICAS`).
//!
//! Kafka places each replica of a partition on a different broker, so `CreateTopics` with a
//! factor above the live brokers fails (`InvalidReplicationFactorException`, "Replication
//! factor: 3 larger than available brokers: 1"). The stack's broker count is declared
//! (`kafka brokers=`; one broker when `kafka` is not declared, as `venice build` starts it); a
//! target's bootstrap servers are seeds and not the cluster (Kafka's `bootstrap.servers`: "this
//! list only impacts the initial hosts used to discover the full set of servers"), so a target's
//! broker count is known only when it declares it (`kafka ... brokers=3`); then the project as
//! that target sees it is checked against it.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::infer::Effect;
use crate::model::Project;
use crate::model::Spanned;

pub(crate) const RULE: Rule = Rule {
    code: "V504",
    name: "replication above broker count",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v504_replication_above_brokers.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(cluster) = Cluster::of(project) else { return };
    let brokers = cluster.brokers.value;
    let mut above = |what: String, knob: &str, replication: &Spanned<u32>| {
        if replication.value <= brokers {
            return;
        }
        let message = format!("{what} has replication {}, but {}", replication.value, cluster.runs);
        let diagnostic = RULE.diagnostic(replication.span, message, "more replicas than brokers").with_help(format!(
            "each replica lives on another broker: lower `{knob}` to {brokers}, or {}",
            (cluster.more)(replication.value)
        ));
        diagnostics.push(match cluster.declared {
            true => diagnostic.with_label(cluster.brokers.span, cluster.runs.clone()),
            false => diagnostic,
        });
    };
    for topic in &project.topics {
        if let Some(replication) = &topic.replication {
            above(format!("topic `{}`", topic.name.value), "replication", replication);
        }
    }
    // A statement's `REPLICAS` is the replication of the topic ksqlDB creates for it
    // (`TopicCreateInjector`; without it the source topic's, which the loop above checks).
    for effect in analysis.ksql.effects.iter().flatten() {
        let (Effect::Declared(created) | Effect::Created(created)) = effect else { continue };
        if let Some(replicas) = &created.replicas {
            above(format!("`{}`'s topic `{}`", created.name.value, created.topic.value), "REPLICAS", replicas);
        }
    }
}

/// The brokers replication is checked against: the stack's for the project as declared, a
/// target's `kafka brokers=` for the project as that target sees it (a target that does not say
/// is not checked).
struct Cluster {
    brokers: Spanned<u32>,
    /// Whether `brokers` was written (its span is worth a label).
    declared: bool,
    runs: String,
    more: fn(u32) -> String,
}

impl Cluster {
    fn of(project: &Project) -> Option<Cluster> {
        let plural = |n: u32| if n == 1 { "" } else { "s" };
        if let Some(target) = &project.viewed_as {
            let brokers = project.viewed_target()?.brokers.clone()?;
            let runs = format!("target `{}` has {} broker{}", target.value, brokers.value, plural(brokers.value));
            let more = |n| format!("correct `kafka brokers=` in the target if it has {n}");
            return Some(Cluster { brokers, declared: true, runs, more });
        }
        let stack = project.stack.as_ref()?;
        let kafka = stack.kafka.as_ref();
        let brokers = kafka.map_or(Spanned::new(1, crate::source::Span::default()), |k| k.brokers.clone());
        let runs = format!("the stack runs {} broker{}", brokers.value, plural(brokers.value));
        let more = |n| format!("run {n} brokers (`kafka brokers={n}` in `stack`)");
        Some(Cluster { brokers, declared: kafka.is_some(), runs, more })
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes;

    fn v504(source: &str) -> Vec<String> {
        let checked = check_bytes(std::path::Path::new("/nonexistent"), source.as_bytes());
        checked.diagnostics.iter().filter(|d| d.code == "V504").map(|d| d.message.clone()).collect()
    }

    const TOPIC: &str = "topic t partitions=3 replication=3 { key string; value json; }\n";

    #[test]
    fn replication_above_the_stack_brokers() {
        let one = "stack { kafka brokers=1; }\n";
        assert_eq!(v504(&format!("{one}{TOPIC}")), ["topic `t` has replication 3, but the stack runs 1 broker"]);
        assert_eq!(v504(&format!("stack {{ kafka brokers=2; }}\n{TOPIC}")).len(), 1);
        assert_eq!(v504(&format!("stack {{ kafka brokers=3; }}\n{TOPIC}")), Vec::<String>::new());
        // Without `kafka` the stack starts one broker.
        assert_eq!(v504(&format!("stack {{ schema-registry; }}\n{TOPIC}")).len(), 1);
    }

    #[test]
    fn no_stack_or_no_replication_is_not_checked() {
        assert_eq!(v504(TOPIC), Vec::<String>::new());
        assert_eq!(v504("stack { kafka brokers=1; }\ntopic t partitions=3\n"), Vec::<String>::new());
    }
}
