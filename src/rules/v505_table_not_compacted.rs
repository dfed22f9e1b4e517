//! V505: a ksqlDB table over a topic that is not compacted.
//!
//! ksqlDB's docs (concepts, Tables): "Under the hood, ksqlDB uses Kafka's notion of a compacted
//! topic to make this work", and a table "created from scratch" gets "a backing compacted Kafka
//! topic".
//! ksqlDB compacts the topics it creates for tables (`TopicCreateInjector`: `CREATE TABLE` with
//! `PARTITIONS` and `CREATE TABLE AS SELECT` get `cleanup.policy=compact`, a windowed one
//! `compact,delete`) and never changes a topic that exists. So the topics to check are those
//! someone else makes: a topic venice.kdl declares (venice creates it with its `cleanup`,
//! default `delete`, or `config "cleanup.policy"`), and one a ksqlDB stream query creates (with
//! `delete`). A table over either is a table whose rows age out.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::infer::{Created, Effect};
use crate::model::{KsqlSourceKind, Project, Topic};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V505",
    name: "table topic not compacted",
    severity: Severity::Warning,
    status: Status::Checked,
    doc: include_str!("v505_table_not_compacted.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for node in project.ksql_sources.iter().filter(|s| s.kind == KsqlSourceKind::Table) {
        let table = Table { name: &node.name.value, span: node.name.span, verb: "reads" };
        diagnostics.extend(table.over(project, analysis, &node.topic.value));
    }
    for effect in analysis.ksql.effects.iter().flatten() {
        let (created, verb) = match effect {
            Effect::Declared(created) if !created.creates_topic => (created, "reads"),
            // A query's own topic: ksqlDB compacts it unless it was declared (and so made) first.
            Effect::Created(created) => (created, "writes"),
            _ => continue,
        };
        if created.kind != KsqlSourceKind::Table {
            continue;
        }
        let table = Table { name: &created.name.value, span: created.topic.span, verb };
        let over_declared = project.topic(&created.topic.value).is_some();
        if over_declared || verb == "reads" {
            diagnostics.extend(table.over(project, analysis, &created.topic.value));
        }
    }
}

/// A ksqlDB table, where it names its topic, and whether it reads or writes it.
struct Table<'a> {
    name: &'a str,
    span: Span,
    verb: &'static str,
}

impl Table<'_> {
    /// The warning for this table over `topic`, when the topic is not compacted.
    fn over(&self, project: &Project, analysis: &Analysis, topic: &str) -> Option<Diagnostic> {
        match project.topic(topic) {
            Some(declared) => self.over_declared(declared),
            None => {
                let stream = analysis.ksql.created_on(topic).find(|c| c.kind == KsqlSourceKind::Stream)?;
                Some(self.over_stream_output(topic, stream))
            }
        }
    }

    fn over_declared(&self, topic: &Topic) -> Option<Diagnostic> {
        let (policy, span) = cleanup_policy(topic);
        if policy.split(',').any(|p| p.trim() == "compact") {
            return None;
        }
        let name = &topic.name.value;
        let message =
            format!("table `{}` {} topic `{name}`, whose `cleanup.policy` is `{policy}`", self.name, self.verb);
        let label = if topic.cleanup.is_none() && span == topic.name.span {
            format!("no `cleanup`: venice creates it with `{policy}`")
        } else {
            "not compacted".to_string()
        };
        Some(
            RULE.diagnostic(span, message, label)
                .with_label(self.span, format!("table `{}` {} it", self.name, self.verb))
                .with_help("declare `cleanup compact` (or `compact,delete`): a table is the latest row per key, and `delete` drops rows once they are older than the retention"),
        )
    }

    fn over_stream_output(&self, topic: &str, stream: &Created) -> Diagnostic {
        let message = format!(
            "table `{}` {} topic `{topic}`, which stream `{}` creates with `cleanup.policy` `delete`",
            self.name, self.verb, stream.name.value
        );
        RULE.diagnostic(self.span, message, "not compacted")
            .with_label(stream.span, "ksqlDB creates a stream's topic with `delete`")
            .with_help(
                "declare the topic with `cleanup compact` in venice.kdl, or build the table with CREATE TABLE AS SELECT, whose topic ksqlDB compacts",
            )
    }
}

/// The `cleanup.policy` venice creates a topic with, and where it is written (the topic's name
/// when nothing says): a `config "cleanup.policy"` entry wins over `cleanup`, as in `venice
/// build`'s topic configs.
fn cleanup_policy(topic: &Topic) -> (String, Span) {
    if let Some(entry) = topic.config.iter().rev().find(|e| e.key.value == "cleanup.policy") {
        return (entry.value.value.clone(), entry.value.span);
    }
    match &topic.cleanup {
        Some(cleanup) => (cleanup.value.kafka_value().to_string(), cleanup.span),
        None => ("delete".to_string(), topic.name.span),
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes;

    fn v505(source: &str) -> Vec<String> {
        let checked = check_bytes(std::path::Path::new("/nonexistent"), source.as_bytes());
        checked.diagnostics.iter().filter(|d| d.code == "V505").map(|d| d.message.clone()).collect()
    }

    const TOPIC: &str = "topic customers partitions=3 { key string; value json; CLEANUP }\n";

    fn with_cleanup(cleanup: &str) -> String {
        TOPIC.replace("CLEANUP", cleanup)
    }

    #[test]
    fn a_table_node_over_a_topic_without_compaction() {
        let table = "table customers topic=customers key-column=ID\n";
        assert_eq!(
            v505(&(with_cleanup("") + table)),
            ["table `customers` reads topic `customers`, whose `cleanup.policy` is `delete`"]
        );
        assert_eq!(v505(&(with_cleanup("cleanup delete") + table)).len(), 1);
        assert_eq!(v505(&(with_cleanup("cleanup compact") + table)), Vec::<String>::new());
        assert_eq!(v505(&(with_cleanup("cleanup \"compact,delete\"") + table)), Vec::<String>::new());
        // `config` is passed through last, so it decides.
        let configured = with_cleanup("cleanup delete; config \"cleanup.policy\" \"compact\"") + table;
        assert_eq!(v505(&configured), Vec::<String>::new());
    }

    #[test]
    fn a_stream_node_is_not_a_table() {
        assert_eq!(v505(&(with_cleanup("") + "stream customers topic=customers\n")), Vec::<String>::new());
    }

    #[test]
    fn create_table_over_a_declared_topic_and_ctas() {
        let create = "transform t { sql \"CREATE TABLE c (id STRING PRIMARY KEY, n STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');\"; }\n";
        assert_eq!(v505(&(with_cleanup("") + create)).len(), 1);
        assert_eq!(v505(&(with_cleanup("cleanup compact") + create)), Vec::<String>::new());
        // ksqlDB creates a CTAS's undeclared topic compacted.
        let ctas = "stream s topic=customers\ntransform t { sql \"CREATE TABLE n AS SELECT n, COUNT(*) AS c FROM s GROUP BY n;\"; }\n";
        assert_eq!(v505(&(with_cleanup("cleanup compact") + ctas)), Vec::<String>::new());
    }

    #[test]
    fn create_table_over_a_stream_query_output() {
        let sql = "transform t { sql \"CREATE STREAM o WITH (KAFKA_TOPIC='o') AS SELECT * FROM s; CREATE TABLE x (id STRING PRIMARY KEY, n STRING) WITH (KAFKA_TOPIC='o', VALUE_FORMAT='JSON');\"; }\n";
        let source = with_cleanup("cleanup compact") + "stream s topic=customers\n" + sql;
        assert_eq!(
            v505(&source),
            ["table `X` reads topic `o`, which stream `O` creates with `cleanup.policy` `delete`"]
        );
    }
}
