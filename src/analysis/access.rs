//! The least privilege each principal needs, derived from the pipeline's graph, and the grants
//! written by hand beside it.
//!
//! Every edge says who reads or writes which topic; each actor's principal (in a view, as its
//! target names it) is granted exactly what its Kafka clients do, after Kafka's own table of
//! "Operations and Resources on Protocols" (docs, Authorization and ACLs) and the services'
//! security guides:
//! - a producer: WRITE and DESCRIBE on its topic (what `kafka-acls --producer` grants, without
//!   CREATE: venice creates the topics). No IDEMPOTENT_WRITE: since Kafka 2.8 (KIP-679)
//!   `KafkaApis.handleInitProducerIdRequest` lets an idempotent producer in with WRITE on any
//!   topic. With a `transactional-id`, WRITE and DESCRIBE on it.
//! - a consumer: READ and DESCRIBE on its topic, READ on its group (`kafka-acls --consumer`).
//! - a sink: READ and DESCRIBE on its topics, READ on its group `connect-<name>`
//!   (`SinkUtils.consumerGroupId`); a source: WRITE and DESCRIBE on its topics. A connector with
//!   no principal runs as the worker, whose principal then gets its grants.
//! - the Connect worker: READ on its group; READ, WRITE, DESCRIBE and DESCRIBE_CONFIGS on its
//!   three internal topics (Connect's security guide; `TopicAdmin.verifyTopicCleanupPolicyOnlyCompact`
//!   describes their configs).
//! - ksqlDB (interactive server, service id S), after ksqlDB's "Configure Security for ksqlDB":
//!   DESCRIBE and DESCRIBE_CONFIGS on the cluster; on topics and groups prefixed
//!   `_confluent-ksql-S` every operation the guide lists; WRITE and DESCRIBE on transactional id S
//!   (the command topic's producer); READ on the topics its statements read, WRITE on those they
//!   write, and CREATE on those it creates (a query's topic no `topic` node declares). The
//!   guide's `DESCRIBE` on every topic and group serves only `SHOW TOPICS`: not granted.
//! - a Confluent Schema Registry: READ, WRITE, DESCRIBE and DESCRIBE_CONFIGS on its schemas
//!   topic, READ on its group when named (the registry's "Authorizing Access to the Schemas
//!   Topic").
//!
//! Names are the physical ones the target creates.

use crate::model::{AclDecl, Actor, Direction, Operation, Project, Resource, ResourceType, Spanned};
use crate::resolve::Edges;
use crate::source::Span;
use std::collections::BTreeMap;

/// One ALLOW binding: a principal may do an operation on a resource pattern, from a host.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Grant {
    pub(crate) principal: String,
    pub(crate) resource: Resource,
    pub(crate) operation: Operation,
    /// `*`: any host.
    pub(crate) host: String,
}

impl Grant {
    /// Its resource as venice.kdl writes it, with `host="..."` when it is not any host.
    pub(crate) fn resource_shown(&self) -> String {
        match self.host.as_str() {
            "*" => self.resource.describe(),
            host => format!("{} host=\"{host}\"", self.resource.describe()),
        }
    }
}

/// Why a grant is there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Why {
    /// The graph needs it: what needs it, in words (`producer \`web-app\` writes \`orders\``),
    /// and where that was declared.
    Derived { because: String, span: Span },
    /// An `acl` node gives it, with the node's `doc=`.
    Explicit { span: Span, doc: Option<String> },
}

/// Every grant of a project's view, each with why it is there (derived reasons first).
#[derive(Debug, Default)]
pub(crate) struct Access {
    pub(crate) grants: BTreeMap<Grant, Vec<Why>>,
}

impl Access {
    /// The grants of the project as its view's target sees it (the local stack for the base).
    pub(crate) fn of(project: &Project, edges: &Edges) -> Access {
        let principals = principals(project);
        let mut access = Deriving { project, principals, access: Access::default() };
        access.edges(edges);
        access.services();
        for acl in &project.acls {
            access.explicit(acl);
        }
        let mut access = access.access;
        access.grants.values_mut().for_each(|whys| whys.sort());
        access
    }

    /// Whether the graph derives this grant (or one that implies it).
    pub(crate) fn derived_covers(&self, principal: &str, resource: &Resource, operation: Operation) -> bool {
        self.grants.iter().any(|(g, whys)| {
            g.principal == principal
                && &g.resource == resource
                && g.operation.implies(operation)
                && whys.iter().any(|w| matches!(w, Why::Derived { .. }))
        })
    }

    /// The derived grants of one principal.
    pub(crate) fn derived_of<'a>(&'a self, principal: &'a str) -> impl Iterator<Item = &'a Grant> + 'a {
        self.grants
            .iter()
            .filter(move |(g, whys)| g.principal == principal && whys.iter().any(|w| matches!(w, Why::Derived { .. })))
            .map(|(g, _)| g)
    }
}

/// The principal each client of the view runs as, by actor: a producer's or consumer's own, a
/// connector's own or else the Connect worker's, every ksqlDB actor the server's. Built once,
/// so that each edge is one lookup (a project has thousands of edges).
fn principals(project: &Project) -> BTreeMap<Actor, &Spanned<String>> {
    let target = project.viewed_target();
    let worker = target.and_then(|t| t.access.connect.as_ref()).and_then(|w| w.principal.as_ref());
    let mut out = BTreeMap::new();
    for p in &project.producers {
        out.extend(p.principal.as_ref().map(|principal| (Actor::Producer(p.name.value.clone()), principal)));
    }
    for c in &project.consumers {
        out.extend(c.principal.as_ref().map(|principal| (Actor::Consumer(c.name.value.clone()), principal)));
    }
    for c in &project.connectors {
        let actor = match c.direction {
            Direction::Source => Actor::Source(c.name.value.clone()),
            Direction::Sink => Actor::Sink(c.name.value.clone()),
        };
        out.extend(c.principal.as_ref().or(worker).map(|principal| (actor, principal)));
    }
    out
}

struct Deriving<'p> {
    project: &'p Project,
    /// Each non-ksqlDB actor's principal ([`principals`]).
    principals: BTreeMap<Actor, &'p Spanned<String>>,
    access: Access,
}

impl<'p> Deriving<'p> {
    fn grant(&mut self, principal: &str, resource: Resource, operations: &[Operation], why: Why) {
        for &operation in operations {
            let grant =
                Grant { principal: principal.to_string(), resource: resource.clone(), operation, host: "*".into() };
            let whys = self.access.grants.entry(grant).or_default();
            if !whys.contains(&why) {
                whys.push(why.clone());
            }
        }
    }

    fn derived(because: String, span: Span) -> Why {
        Why::Derived { because, span }
    }

    /// What each reader and writer of each topic needs on it.
    fn edges(&mut self, edges: &Edges) {
        use Operation::{Create, Describe, Read, Write};
        for (topic, topic_edges) in edges {
            let resource = Resource::literal(ResourceType::Topic, self.project.physical_topic(topic));
            for edge in &topic_edges.writers {
                let Some(principal) = self.principal_of(&edge.actor) else { continue };
                let why = Self::derived(format!("{} writes `{topic}`", edge.actor.describe()), edge.span);
                // ksqlDB creates a query's topic that no `topic` node declares (venice creates
                // the declared ones).
                let creates = edge.is_ksql() && !topic_edges.declared;
                let operations: &[Operation] = if creates { &[Write, Describe, Create] } else { &[Write, Describe] };
                self.grant(&principal.value, resource.clone(), operations, why);
            }
            for edge in &topic_edges.readers {
                let Some(principal) = self.principal_of(&edge.actor) else { continue };
                let why = Self::derived(format!("{} reads `{topic}`", edge.actor.describe()), edge.span);
                self.grant(&principal.value, resource.clone(), &[Read, Describe], why);
            }
        }
        self.groups();
    }

    /// The groups consumers and sinks read with, and the producers' transactional ids.
    fn groups(&mut self) {
        let project = self.project;
        for consumer in &project.consumers {
            let (Some(principal), Some(group)) = (&consumer.principal, &consumer.group) else { continue };
            let why = Self::derived(
                format!("consumer `{}` reads in group `{}`", consumer.name.value, group.value),
                group.span,
            );
            let group = Resource::literal(ResourceType::Group, project.physical_group(&group.value));
            self.grant(&principal.value, group, &[Operation::Read], why);
        }
        for sink in project.connectors.iter().filter(|c| c.direction == Direction::Sink) {
            let Some(principal) = self.principal_of(&Actor::Sink(sink.name.value.clone())) else { continue };
            let group = format!("connect-{}", sink.name.value);
            let why = Self::derived(format!("sink `{}` reads in group `{group}`", sink.name.value), sink.name.span);
            self.grant(&principal.value, Resource::literal(ResourceType::Group, group), &[Operation::Read], why);
        }
        for producer in &project.producers {
            let (Some(principal), Some(id)) = (&producer.principal, &producer.transactional_id) else { continue };
            let why = Self::derived(format!("producer `{}` writes in transactions", producer.name.value), id.span);
            let id = Resource::literal(ResourceType::TransactionalId, id.value.clone());
            self.grant(&principal.value, id, &[Operation::Write, Operation::Describe], why);
        }
    }

    /// The principal an actor's Kafka clients run as in this view, if declared.
    fn principal_of(&self, actor: &Actor) -> Option<&'p Spanned<String>> {
        match actor {
            Actor::Ksql { .. } | Actor::Transform(_) => self.project.viewed_target()?.access.ksqldb_principal.as_ref(),
            other => self.principals.get(other).copied(),
        }
    }

    fn target(&self) -> Option<&crate::model::Target> {
        self.project.viewed_target()
    }

    fn worker(&self) -> Option<&crate::model::WorkerAccess> {
        self.target()?.access.connect.as_ref()
    }

    /// The services' own needs, where the target declares their principals.
    fn services(&mut self) {
        self.connect_worker();
        self.ksqldb();
        self.registry();
    }

    fn connect_worker(&mut self) {
        let Some(worker) = self.worker().cloned() else { return };
        let Some(principal) = &worker.principal else { return };
        let names = self.project.connect_worker_names();
        let why = Self::derived("the Connect worker coordinates its group".into(), principal.span);
        self.grant(&principal.value, Resource::literal(ResourceType::Group, names.group), &[Operation::Read], why);
        let topics = [names.config_topic, names.offset_topic, names.status_topic];
        use Operation::{Describe, DescribeConfigs, Read, Write};
        for topic in topics {
            let why = Self::derived(format!("the Connect worker keeps its state in `{topic}`"), principal.span);
            let resource = Resource::literal(ResourceType::Topic, topic);
            self.grant(&principal.value, resource, &[Read, Write, Describe, DescribeConfigs], why);
        }
    }

    fn ksqldb(&mut self) {
        let Some(principal) = self.target().and_then(|t| t.access.ksqldb_principal.clone()) else { return };
        use Operation::*;
        let id = self.project.ksql_service_id();
        let why = |what: &str| Self::derived(format!("ksqlDB (service id `{id}`) {what}"), principal.span);
        self.grant(&principal.value, Resource::cluster(), &[Describe, DescribeConfigs], why("describes the cluster"));
        let internal = format!("_confluent-ksql-{id}");
        let every = [Create, Describe, Alter, DescribeConfigs, AlterConfigs, Read, Write, Delete];
        let topics = Resource::prefixed(ResourceType::Topic, internal.clone());
        self.grant(&principal.value, topics, &every, why("keeps its command, changelog and repartition topics"));
        let groups = Resource::prefixed(ResourceType::Group, internal);
        self.grant(&principal.value, groups, &[Read, Describe, Delete], why("runs its queries' consumer groups"));
        let tx = Resource::literal(ResourceType::TransactionalId, id.clone());
        self.grant(&principal.value, tx, &[Write, Describe], why("writes its command topic in transactions"));
    }

    fn registry(&mut self) {
        let Some(registry) = self.target().and_then(|t| t.access.registry.clone()) else { return };
        use Operation::{Describe, DescribeConfigs, Read, Write};
        let principal = &registry.principal;
        let topic = registry.topic.as_ref().map_or("_schemas".to_string(), |t| t.value.clone());
        let why = Self::derived(format!("the Schema Registry keeps its schemas in `{topic}`"), principal.span);
        let resource = Resource::literal(ResourceType::Topic, topic);
        self.grant(&principal.value, resource, &[Read, Write, Describe, DescribeConfigs], why);
        if let Some(group) = &registry.group {
            let why = Self::derived(format!("the Schema Registry reads in group `{}`", group.value), group.span);
            self.grant(&principal.value, Resource::literal(ResourceType::Group, group.value.clone()), &[Read], why);
        }
    }

    fn explicit(&mut self, acl: &AclDecl) {
        let operations: Vec<Operation> = acl.operations.iter().map(|o| o.value).collect();
        let host = acl.host.as_ref().map_or("*", |h| h.value.as_str()).to_string();
        for operation in operations {
            let grant = Grant {
                principal: acl.principal.value.clone(),
                resource: acl.resource.value.clone(),
                operation,
                host: host.clone(),
            };
            let why = Why::Explicit { span: acl.principal.span, doc: acl.doc.clone() };
            let whys = self.access.grants.entry(grant).or_default();
            if !whys.contains(&why) {
                whys.push(why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes_as;
    use std::path::Path;

    const PROJECT: &str = r#"
project shop
topic orders partitions=3 { key string; value json; }
topic audit { key string; value json; }
producer web-app topic=orders principal="User:web-app" transactional-id="web-app-tx" { key string; value json; }
producer anonymous topic=orders { key string; value json; }
consumer billing topic=orders group=billing principal="User:billing" { key string; value json; }
consumer reporting topic=orders principal="User:reporting" { key string; value json; }
sink orders-to-file connector=file topic=orders { file "/tmp/orders.txt"; }
source audit-in connector=file topic=audit principal="User:audit-source" { file "/tmp/audit.txt"; }
stream orders_stream topic=orders
transform big { sql "CREATE STREAM big AS SELECT * FROM orders_stream WHERE ROWTIME > 0;"; }
acl "User:bi-tool" read describe topic="orders"
target prod {
    kafka "b1:9092"
    connect "http://connect:8083" principal="User:connect" group="prod-connect"
    ksqldb "http://ksqldb:8088" principal="User:ksql"
    principals name-prefix="prod-"
    consumer reporting principal="User:sa-42"
    acl "User:ops" describe-configs cluster="kafka-cluster"
}
"#;

    /// The grants as `principal operation resource [derived|explicit]` lines, sorted.
    fn grants(target: Option<&str>) -> Vec<String> {
        let checked = check_bytes_as(Path::new("/nonexistent"), PROJECT.as_bytes(), target);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .map(|d| d.message.clone())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let access = &checked.analysis.access;
        let mut lines: Vec<String> = access
            .grants
            .iter()
            .map(|(g, whys)| {
                let how =
                    if whys.iter().any(|w| matches!(w, super::Why::Derived { .. })) { "derived" } else { "explicit" };
                format!("{} {} {} {how}", g.principal, g.operation.as_str(), g.resource.describe())
            })
            .collect();
        lines.sort();
        lines
    }

    fn has(lines: &[String], line: &str) -> bool {
        lines.iter().any(|l| l == line)
    }

    #[test]
    fn producers_write_consumers_read_and_their_group() {
        let lines = grants(None);
        for line in [
            "User:web-app write topic=\"orders\" derived",
            "User:web-app describe topic=\"orders\" derived",
            "User:web-app write transactional-id=\"web-app-tx\" derived",
            "User:billing read topic=\"orders\" derived",
            "User:billing read group=\"billing\" derived",
            "User:reporting read topic=\"orders\" derived",
            "User:audit-source write topic=\"audit\" derived",
            "User:bi-tool read topic=\"orders\" explicit",
        ] {
            assert!(has(&lines, line), "{line} missing from {lines:#?}");
        }
        // Least privilege: no producer reads, no consumer writes, no cluster-wide idempotence
        // (KIP-679), and nothing for an actor with no principal or for a service without one.
        assert!(!lines.iter().any(|l| l.starts_with("User:web-app read")), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.starts_with("User:billing write")), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.contains("idempotent-write") || l.contains("cluster")), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.contains("connect-orders-to-file")), "the sink has no principal: {lines:#?}");
        assert_eq!(lines.len(), 13, "{lines:#?}");
    }

    #[test]
    fn a_target_renames_principals_and_grants_its_services() {
        let lines = grants(Some("prod"));
        for line in [
            "User:prod-web-app write topic=\"orders\" derived",
            "User:prod-billing read group=\"billing\" derived",
            // The target's own mapping is taken as written, without the prefix.
            "User:sa-42 read topic=\"orders\" derived",
            "User:prod-bi-tool read topic=\"orders\" explicit",
            "User:ops describe-configs cluster explicit",
            // The sink has no principal: it runs as the worker, which is granted its group.
            "User:connect read topic=\"orders\" derived",
            "User:connect read group=\"connect-orders-to-file\" derived",
            "User:connect read group=\"prod-connect\" derived",
            "User:connect write topic=\"_shop-connect-configs\" derived",
            // ksqlDB: its internal topics and groups, its command topic's transactional id, what
            // its statements read, and the query's own topic, which it creates.
            "User:ksql describe cluster derived",
            "User:ksql create topic-prefix=\"_confluent-ksql-shop_\" derived",
            "User:ksql read group-prefix=\"_confluent-ksql-shop_\" derived",
            "User:ksql write transactional-id=\"shop_\" derived",
            "User:ksql read topic=\"orders\" derived",
            "User:ksql create topic=\"BIG\" derived",
            "User:ksql write topic=\"BIG\" derived",
        ] {
            assert!(has(&lines, line), "{line} missing from {lines:#?}");
        }
        assert!(!lines.iter().any(|l| l.starts_with("User:reporting") || l.starts_with("User:prod-reporting")));
        assert!(!lines.iter().any(|l| l.starts_with("User:ksql write topic=\"orders\"")), "ksqlDB only reads orders");
        assert!(!lines.iter().any(|l| l.starts_with("User:audit-source")), "renamed: {lines:#?}");
    }
}
