//! V502: a declared topic that nothing in the project writes, or that nothing reads.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V502",
    name: "topic not written or not read",
    severity: Severity::Warning,
    status: Status::Checked,
    doc: include_str!("v502_unused_topic.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for topic in &project.topics {
        let Some(edges) = analysis.edges.get(&topic.name.value) else { continue };
        let unused = match (edges.writers.is_empty(), edges.readers.is_empty()) {
            (false, false) => continue,
            (true, true) => Unused::WrittenOrRead,
            (true, false) => Unused::Written,
            (false, true) => Unused::Read,
        };
        diagnostics.push(unused.diagnostic(&topic.name.value, topic.name.span));
    }
}

/// Which side of a topic nobody is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unused {
    Written,
    Read,
    WrittenOrRead,
}

impl Unused {
    fn diagnostic(self, topic: &str, span: Span) -> Diagnostic {
        let (what, help) = match self {
            Unused::Written => ("writes", "declare the producer or source that writes it, or remove the topic"),
            Unused::Read => ("reads", "declare the consumer or sink that reads it, or remove the topic"),
            Unused::WrittenOrRead => ("writes or reads", "declare who writes and reads it, or remove the topic"),
        };
        RULE.diagnostic(span, format!("nothing in the project {what} topic `{topic}`"), "declared here").with_help(help)
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes;

    fn codes(source: &str) -> Vec<String> {
        let checked = check_bytes(std::path::Path::new("/nonexistent"), source.as_bytes());
        checked.diagnostics.iter().filter(|d| d.code == "V502").map(|d| format!("{} {}", d.code, d.message)).collect()
    }

    #[test]
    fn a_topic_with_a_writer_and_a_reader_is_quiet() {
        let source = "topic t { key string; value json; }\nproducer p topic=t\nconsumer c topic=t\n";
        assert_eq!(codes(source), Vec::<String>::new());
    }

    #[test]
    fn each_missing_side_is_named() {
        assert_eq!(codes("topic t\nproducer p topic=t\n"), ["V502 nothing in the project reads topic `t`"]);
        assert_eq!(codes("topic t\nconsumer c topic=t\n"), ["V502 nothing in the project writes topic `t`"]);
        assert_eq!(codes("topic t\n"), ["V502 nothing in the project writes or reads topic `t`"]);
    }

    #[test]
    fn a_ksqldb_query_counts_as_a_writer() {
        let source = "topic T\nconsumer c topic=T\ntransform x { sql \"CREATE STREAM s WITH (KAFKA_TOPIC='T') AS SELECT * FROM o;\"; }\n";
        assert_eq!(codes(source), Vec::<String>::new());
    }
}
