//! V506: two topics a target names alike on its cluster (a rename onto another topic's physical
//! name, two renames onto one name, a rename onto a topic a ksqlDB query writes).
//!
//! A topic's physical name is `model::names`' (`names topic-prefix=`, a target `topic`'s
//! `name=`). Kafka has one namespace of topic names per cluster (`CreateTopics` answers
//! `TOPIC_ALREADY_EXISTS` for the second), so two declarations onto one name would write one
//! topic's records into the other's. A prefix alone cannot collide: it is put before every
//! declared name, and declared names are unique (V004).

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Project, Spanned};
use crate::source::Span;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "V506",
    name: "two topics with one physical name",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v506_physical_name_collision.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(target) = project.viewed_target() else { return };
    let renames: BTreeMap<&str, &Spanned<String>> =
        (target.overrides.topics.iter()).filter_map(|o| Some((o.name.value.as_str(), o.rename.as_ref()?))).collect();
    if renames.is_empty() {
        return;
    }
    // Each physical name with the first topic that takes it: declared topics in order, then
    // the topics ksqlDB writes that are not declared (named by their SQL).
    let mut taken: BTreeMap<String, Place> = BTreeMap::new();
    let declared = project.topics.iter().map(|t| {
        let place = renames.get(t.name.value.as_str()).map_or(t.name.span, |r| r.span);
        (t.name.value.as_str(), place)
    });
    let written = analysis.edges.iter().filter(|(_, e)| !e.declared).map(|(name, _)| (name.as_str(), Span::default()));
    for (name, span) in declared.chain(written) {
        let physical = project.physical_topic(name).into_owned();
        let place = Place { topic: name.to_string(), span };
        match taken.get(&physical) {
            Some(first) => {
                let (renamed, other) = if renames.contains_key(name) { (&place, first) } else { (first, &place) };
                diagnostics.push(collision(&target.name.value, &physical, renamed, other));
            }
            None => {
                taken.insert(physical, place);
            }
        }
    }
}

/// A topic and the place that gives it its physical name (its rename, else its declaration;
/// no place for a topic only a ksqlDB statement writes).
struct Place {
    topic: String,
    span: Span,
}

fn collision(target: &str, physical: &str, renamed: &Place, other: &Place) -> Diagnostic {
    let message = format!(
        "topics `{}` and `{}` are both named `{physical}` on the cluster of target `{target}`",
        renamed.topic, other.topic
    );
    let diagnostic = RULE
        .diagnostic(renamed.span, message, format!("`{}` renamed to `{physical}`", renamed.topic))
        .with_help(format!("give `{}` a name no other topic has in target `{target}`", renamed.topic));
    if other.span == Span::default() {
        return diagnostic;
    }
    diagnostic.with_label(other.span, format!("`{}` is named `{physical}` here", other.topic))
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes_as;
    use std::path::Path;

    fn v506(source: &str, target: &str) -> Vec<String> {
        let checked = check_bytes_as(Path::new("/nonexistent"), source.as_bytes(), Some(target));
        checked.diagnostics.iter().filter(|d| d.code == "V506").map(|d| d.message.clone()).collect()
    }

    const TOPICS: &str = "topic orders { key string; value json; }\ntopic audit { key string; value json; }\n\
                          producer p topic=orders\nproducer q topic=audit\nconsumer c topic=orders group=g\n\
                          consumer d topic=audit group=g\n";

    #[test]
    fn a_rename_onto_the_physical_name_of_another_topic() {
        let source = format!(
            "{TOPICS}target t {{ kafka \"k:9092\"; names topic-prefix=\"t.\"; topic audit name=\"t.orders\"; }}\n"
        );
        assert_eq!(
            v506(&source, "t"),
            ["topics `audit` and `orders` are both named `t.orders` on the cluster of target `t`"]
        );
    }

    #[test]
    fn a_rename_onto_a_declared_name_that_the_prefix_moved_is_free() {
        let source = format!(
            "{TOPICS}target t {{ kafka \"k:9092\"; names topic-prefix=\"t.\"; topic audit name=\"orders\"; }}\n"
        );
        assert!(v506(&source, "t").is_empty());
    }

    #[test]
    fn two_renames_onto_one_name() {
        let source =
            format!("{TOPICS}target t {{ kafka \"k:9092\"; topic audit name=\"x\"; topic orders name=\"x\"; }}\n");
        assert_eq!(v506(&source, "t").len(), 1);
    }
}
