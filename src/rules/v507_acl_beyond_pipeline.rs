//! V507: an explicit `acl` that gives more than the pipeline uses.
//!
//! venice derives every grant the pipeline's clients need (`analysis::access`); an `acl` is for
//! what the graph cannot see, a tool outside the pipeline. A grant is more than the pipeline uses
//! when it reaches the pipeline's topics or groups by a wildcard or a prefix, when it gives an
//! operation no client of a pipeline needs (ALL, DELETE, ALTER, ALTER_CONFIGS, CLUSTER_ACTION,
//! IDEMPOTENT_WRITE, CREATE on a topic venice creates, anything on the cluster beyond DESCRIBE
//! and DESCRIBE_CONFIGS: Kafka's "Operations and Resources on Protocols" table lists those for
//! administration and brokers), or when it gives a pipeline actor's principal more than its edges
//! need. Implied operations follow the StandardAuthorizer (`StandardAuthorizerData.IMPLIES_DESCRIBE`).

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{AclDecl, Operation, PatternType, Project, ResourceType, Spanned};

pub(crate) const RULE: Rule = Rule {
    code: "V507",
    name: "grant beyond the pipeline",
    severity: Severity::Warning,
    status: Status::Checked,
    doc: include_str!("v507_acl_beyond_pipeline.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for acl in &project.acls {
        if let Some(diagnostic) = broad_pattern(project, acl)
            .or_else(|| admin_operation(project, acl))
            .or_else(|| beyond_derived(analysis, acl))
        {
            diagnostics.push(diagnostic);
        }
    }
}

/// A wildcard or prefix that covers declared topics or groups: name them instead.
fn broad_pattern(project: &Project, acl: &AclDecl) -> Option<Diagnostic> {
    let resource = &acl.resource.value;
    let broad = resource.pattern == PatternType::Prefixed || resource.name == "*";
    if !broad || resource.kind == ResourceType::Cluster {
        return None;
    }
    let names: Vec<String> = match resource.kind {
        ResourceType::Topic => {
            project.topics.iter().map(|t| project.physical_topic(&t.name.value).into_owned()).collect()
        }
        ResourceType::Group => project
            .consumers
            .iter()
            .filter_map(|c| c.group.as_ref())
            .map(|g| project.physical_group(&g.value).into_owned())
            .collect(),
        _ => return None,
    };
    let covered: Vec<String> =
        names.into_iter().filter(|n| resource.matches(resource.kind, n)).map(|n| format!("`{n}`")).collect();
    if covered.is_empty() {
        return None;
    }
    let message = format!(
        "the grant to `{}` on {} covers the pipeline's {}s {}",
        acl.principal.value,
        resource.describe(),
        resource.kind.as_str(),
        shortened(&covered)
    );
    Some(
        RULE.diagnostic(acl.resource.span, message, "a pattern over the pipeline's names")
            .with_help("name the topics or groups the tool needs, one `acl` each"),
    )
}

/// An operation no pipeline client needs on its kind of resource.
fn admin_operation(project: &Project, acl: &AclDecl) -> Option<Diagnostic> {
    let resource = &acl.resource.value;
    let admin = |op: Operation| match op {
        Operation::All | Operation::Delete | Operation::Alter | Operation::AlterConfigs => true,
        Operation::ClusterAction | Operation::IdempotentWrite => true,
        Operation::Create => resource.kind == ResourceType::Topic && venice_creates(project, &resource.name),
        Operation::Describe | Operation::DescribeConfigs => false,
        Operation::Read | Operation::Write => resource.kind == ResourceType::Cluster,
    };
    let op: &Spanned<Operation> = acl.operations.iter().find(|op| admin(op.value))?;
    let message = format!(
        "the grant to `{}` gives `{}` on {}, which no client of the pipeline needs",
        acl.principal.value,
        op.value.as_str(),
        resource.describe()
    );
    Some(RULE.diagnostic(op.span, message, "an administrator's operation").with_help(
        "give the tool only what it does (`read`, `write`, `describe`); administration belongs to the deployer",
    ))
}

/// Whether venice creates the topic (a declared one), so no client needs to.
fn venice_creates(project: &Project, name: &str) -> bool {
    project.topics.iter().any(|t| project.physical_topic(&t.name.value) == name)
}

/// More than the graph derives for a principal the pipeline runs as.
fn beyond_derived(analysis: &Analysis, acl: &AclDecl) -> Option<Diagnostic> {
    let access = &analysis.access;
    let principal = &acl.principal.value;
    access.derived_of(principal).next()?;
    let op = acl.operations.iter().find(|op| !access.derived_covers(principal, &acl.resource.value, op.value))?;
    let message = format!(
        "`{principal}` runs in the pipeline, which needs no `{}` on {} from it",
        op.value.as_str(),
        acl.resource.value.describe()
    );
    Some(RULE.diagnostic(op.span, message, "more than its edges need").with_help(
        "declare the edge that needs it (a producer, consumer or connector), or drop the operation; `venice acls` lists what the graph grants",
    ))
}

/// At most three names, then how many more.
fn shortened(names: &[String]) -> String {
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes_as;

    fn v507(acls: &str) -> Vec<String> {
        let source = format!(
            "topic orders {{ key string; value json; }}\ntopic sales.eu {{ key string; value json; }}\n\
             producer web topic=orders principal=\"User:web\" {{ key string; value json; }}\n\
             consumer eu topic=sales.eu group=eu {{ key string; value json; }}\n{acls}"
        );
        let checked = check_bytes_as(std::path::Path::new("/nonexistent"), source.as_bytes(), None);
        checked.diagnostics.iter().filter(|d| d.code == "V507").map(|d| d.message.clone()).collect()
    }

    #[test]
    fn a_literal_read_for_a_tool_outside_the_pipeline_is_silent() {
        assert!(v507("acl \"User:bi\" read describe topic=\"orders\"\n").is_empty());
        assert!(v507("acl \"User:bi\" read group=\"bi\"\n").is_empty());
        assert!(v507("acl \"User:ops\" describe-configs cluster=\"kafka-cluster\"\n").is_empty());
        // What the graph already gives is not more.
        assert!(v507("acl \"User:web\" write topic=\"orders\"\n").is_empty());
    }

    #[test]
    fn wildcards_and_prefixes_over_the_pipeline() {
        assert_eq!(
            v507("acl \"User:bi\" read topic-prefix=\"sales.\"\n"),
            ["the grant to `User:bi` on topic-prefix=\"sales.\" covers the pipeline's topics `sales.eu`"]
        );
        assert_eq!(v507("acl \"User:bi\" read topic=\"*\"\n").len(), 1);
        assert!(v507("acl \"User:bi\" read topic-prefix=\"bi.\"\n").is_empty(), "covers nothing declared");
    }

    #[test]
    fn administrators_operations_and_more_than_the_edges_need() {
        assert_eq!(
            v507("acl \"User:bi\" read delete topic=\"orders\"\n"),
            ["the grant to `User:bi` gives `delete` on topic=\"orders\", which no client of the pipeline needs"]
        );
        assert_eq!(v507("acl \"User:bi\" create topic=\"orders\"\n").len(), 1);
        assert!(v507("acl \"User:bi\" create topic=\"scratch\"\n").is_empty(), "not a topic venice creates");
        assert_eq!(
            v507("acl \"User:web\" read topic=\"orders\"\n"),
            ["`User:web` runs in the pipeline, which needs no `read` on topic=\"orders\" from it"]
        );
    }
}
