//! V508: in a target that manages ACLs, a client of the pipeline that runs as no declared
//! principal.
//!
//! A target manages ACLs once any principal or `acl` is in its view: from then on the brokers'
//! authorizer denies what no ACL allows (Kafka's `StandardAuthorizer`, unless the cluster sets
//! `allow.everyone.if.no.acl.found`). A producer, consumer or connector without a principal gets
//! no grants, so it is denied at its first request; so are the transforms when the target's
//! `ksqldb` names no principal. A connector without its own principal runs as the Connect
//! worker's (Connect's clients use the worker's settings unless overridden), so it is reported
//! only when the worker has none either; one that names its own principal must be logged in as
//! it (its `*.override.sasl.jaas.config`) where the brokers take SASL. The local stack has no
//! authorizer: only targets are checked.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Direction, Project};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V508",
    name: "client without a principal",
    severity: Severity::Warning,
    status: Status::Checked,
    doc: include_str!("v508_actor_without_principal.md"),
};

pub(crate) fn check(project: &Project, _: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(target) = project.viewed_target().filter(|_| project.deploys_access()) else { return };
    let Some(managed) = project.first_principal().map(|p| p.span) else { return };
    let mut report = |what: String, span: Span, help: &str| {
        let message = format!("{what} runs as no principal, and the target manages ACLs");
        let diagnostic = RULE
            .diagnostic(span, message, "no ACL will allow it")
            .with_label(managed, "ACLs are managed from here")
            .with_help(help.to_string());
        diagnostics.push(diagnostic);
    };
    let principal_help = "add `principal=\"User:...\"` to it, or set it in the target";
    for p in project.producers.iter().filter(|p| p.principal.is_none()) {
        report(format!("producer `{}`", p.name.value), p.name.span, principal_help);
    }
    for c in project.consumers.iter().filter(|c| c.principal.is_none()) {
        report(format!("consumer `{}`", c.name.value), c.name.span, principal_help);
    }
    let worker = target.access.connect.as_ref().and_then(|w| w.principal.as_ref());
    for c in project.connectors.iter().filter(|c| c.principal.is_none() && worker.is_none()) {
        let kind = if c.direction == Direction::Sink { "sink" } else { "source" };
        let help = "give it a `principal=`, or give the target's `connect` one for the worker";
        report(format!("{kind} `{}`", c.name.value), c.name.span, help);
    }
    if let Some(first) = project.transforms.first().filter(|_| target.access.ksqldb_principal.is_none()) {
        let help = "give the target's `ksqldb` a `principal=`: ksqlDB runs every transform as its server's principal";
        report(format!("transform `{}` (ksqlDB)", first.name.value), first.name.span, help);
    }
    if target.kafka_security.sasl.is_some() {
        not_logged_in(project, managed, diagnostics);
    }
}

/// A connector with a principal of its own, in a target whose brokers take SASL logins, whose
/// config does not log its clients in as that principal: Connect then runs them as the worker
/// (the connector's `consumer.override.*`/`producer.override.*` settings are what change that,
/// `ConnectorClientConfigOverridePolicy`), and the grants go to a principal nobody runs as.
fn not_logged_in(project: &Project, managed: Span, diagnostics: &mut Vec<Diagnostic>) {
    for connector in project.connectors.iter() {
        let Some(principal) = &connector.principal else { continue };
        let (kind, client) = match connector.direction {
            Direction::Sink => ("sink", "consumer"),
            Direction::Source => ("source", "producer"),
        };
        let setting = format!("{client}.override.sasl.jaas.config");
        if connector.config.iter().any(|e| e.key.value == setting) {
            continue;
        }
        let message = format!(
            "{kind} `{}` is granted as `{}`, but nothing logs it in as that principal: Connect runs it as the worker",
            connector.name.value, principal.value
        );
        let help = format!(
            "set `config \"{setting}\"` on it (in the target, through a config provider such as \
             `${{dir:/etc/kafka/secrets:{}-jaas}}`), or drop its `principal=` to grant the worker",
            connector.name.value
        );
        let diagnostic = RULE
            .diagnostic(principal.span, message, "no client runs as this principal")
            .with_label(managed, "ACLs are managed from here")
            .with_help(help);
        diagnostics.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes_as;

    const BASE: &str = "topic orders { key string; value json; }\n\
        producer web topic=orders principal=\"User:web\" { key string; value json; }\n\
        consumer audit topic=orders group=audit { key string; value json; }\n\
        sink to-file connector=file topic=orders { file \"/tmp/x\"; }\n";

    fn v508(target: &str, view: Option<&str>) -> Vec<String> {
        let source = format!("{BASE}target prod {{\n    kafka \"b1:9092\"\n{target}}}\n");
        let checked = check_bytes_as(std::path::Path::new("/nonexistent"), source.as_bytes(), view);
        checked.diagnostics.iter().filter(|d| d.code == "V508").map(|d| d.message.clone()).collect()
    }

    #[test]
    fn clients_without_a_principal_in_a_target_that_manages_acls() {
        assert_eq!(
            v508("", Some("prod")),
            [
                "consumer `audit` runs as no principal, and the target manages ACLs",
                "sink `to-file` runs as no principal, and the target manages ACLs",
            ]
        );
        // The worker's principal covers the connector; the consumer's, set in the target, too.
        let covered =
            "    connect \"http://c:8083\" principal=\"User:connect\"\n    consumer audit principal=\"User:a\"\n";
        assert!(v508(covered, Some("prod")).is_empty());
    }

    #[test]
    fn a_connector_principal_needs_a_login_where_the_brokers_take_sasl() {
        let sasl = "    kafka \"b1:9094\" {\n        sasl scram-sha-512 {\n            user venice\n            password env=P\n        }\n    }\n";
        let source = format!(
            "{BASE}target prod {{\n{sasl}    connect \"http://c:8083\" principal=\"User:connect\"\n    sink to-file principal=\"User:sink\"\n    consumer audit principal=\"User:a\"\n}}\n"
        );
        let v508 = |source: &str| {
            let checked = check_bytes_as(std::path::Path::new("/nonexistent"), source.as_bytes(), Some("prod"));
            checked.diagnostics.iter().filter(|d| d.code == "V508").map(|d| d.message.clone()).collect::<Vec<_>>()
        };
        assert_eq!(
            v508(&source),
            [
                "sink `to-file` is granted as `User:sink`, but nothing logs it in as that principal: Connect runs it as the worker"
            ]
        );
        let logged_in = source.replace(
            "sink to-file principal=\"User:sink\"",
            "sink to-file principal=\"User:sink\" {\n        config \"consumer.override.sasl.jaas.config\" \"${dir:/s:jaas}\"\n    }",
        );
        assert!(v508(&logged_in).is_empty(), "{:?}", v508(&logged_in));
    }

    #[test]
    fn the_project_as_declared_runs_on_the_stack_which_has_no_authorizer() {
        assert!(v508("", None).is_empty());
        // So does `target local`, which names no brokers.
        let source = format!("{BASE}target local\n");
        let checked = check_bytes_as(std::path::Path::new("/nonexistent"), source.as_bytes(), Some("local"));
        assert!(!checked.diagnostics.iter().any(|d| d.code == "V508"), "{:?}", checked.diagnostics);
    }
}
