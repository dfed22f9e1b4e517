//! V509: a transform's SQL names a declared topic that the target names otherwise on its
//! cluster (`names topic-prefix=`, a rename).
//!
//! venice copies a transform's SQL as written, and ksqlDB takes `KAFKA_TOPIC` (or, without it,
//! the stream's name) literally as the topic: in a target whose physical name differs, the
//! statement would read or create the declared name, not the topic venice made. venice does not
//! rewrite the SQL (a literal in SQL is the user's text); it refuses instead. A `stream` or
//! `table` node is written by venice, with the physical name: that is the way to read a declared
//! topic in such a target.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::infer::Effect;
use crate::model::Project;

pub(crate) const RULE: Rule = Rule {
    code: "V509",
    name: "ksqlDB SQL names a renamed topic",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v509_ksql_physical_name.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(target) = &project.viewed_as else { return };
    for effect in analysis.ksql.effects.iter().flatten() {
        let (Effect::Declared(created) | Effect::Created(created)) = effect else { continue };
        let topic = &created.topic.value;
        if project.topic(topic).is_none() || !project.is_renamed(topic) {
            continue;
        }
        let physical = project.physical_topic(topic);
        let message = format!(
            "`{}` names topic `{topic}`, which target `{}` names `{physical}`: ksqlDB would use `{topic}`",
            created.name.value, target.value
        );
        diagnostics.push(
            RULE.diagnostic(created.topic.span, message, format!("`{physical}` on the cluster")).with_help(format!(
                "read the topic through a `stream` or `table` node, which venice writes with `{physical}`, \
                     or keep `{topic}`'s name in target `{}`",
                target.value
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes_as;
    use std::path::Path;

    fn v509(source: &str, target: Option<&str>) -> usize {
        let checked = check_bytes_as(Path::new("/nonexistent"), source.as_bytes(), target);
        checked.diagnostics.iter().filter(|d| d.code == "V509").count()
    }

    const PROJECT: &str = "topic orders { key string; value json; }\nproducer p topic=orders\n\
        transform t { sql \"CREATE STREAM o (id STRING KEY, n INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');\"; }\n\
        target plain { kafka \"k:9092\"; }\n\
        target prefixed { kafka \"k:9092\"; names topic-prefix=\"p.\"; }\n";

    #[test]
    fn only_where_the_target_names_the_topic_otherwise() {
        assert_eq!(v509(PROJECT, None), 0);
        assert_eq!(v509(PROJECT, Some("plain")), 0);
        assert_eq!(v509(PROJECT, Some("prefixed")), 1);
    }
}
