//! Who runs as whom, and the grants and quotas a project declares itself: the model side of
//! access control. What the pipeline's graph derives from it is `analysis::access`'s.
//!
//! Principals are written as Kafka prints them (`KafkaPrincipal.toString`: `User:web-app`). A
//! target may rename them all (`principals name-prefix=`) or set one actor's; the view
//! ([`Project::view`]) applies both, so later phases read each actor's effective principal.

use super::{Project, Spanned};

/// The parts of a principal, `Type:name`; `None` when it has no type or no name.
pub(crate) fn parse_principal(text: &str) -> Option<(&str, &str)> {
    let (kind, name) = text.split_once(':')?;
    let kind_ok = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphabetic());
    (kind_ok && !name.is_empty()).then_some((kind, name))
}

/// A rate in bytes per second: digits, or digits and `KiB`, `MiB` or `GiB`.
pub(crate) fn parse_rate(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale: u64 = match unit.trim() {
        "" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return None,
    };
    number.parse::<u64>().ok().and_then(|n| n.checked_mul(scale)).filter(|&n| n > 0)
}

/// A Kafka resource type an ACL binds (`ResourceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ResourceType {
    Topic,
    Group,
    Cluster,
    TransactionalId,
}

impl ResourceType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ResourceType::Topic => "topic",
            ResourceType::Group => "group",
            ResourceType::Cluster => "cluster",
            ResourceType::TransactionalId => "transactional-id",
        }
    }
}

/// How an ACL's resource name matches (`PatternType`): the name itself, or every name that
/// starts with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum PatternType {
    Literal,
    Prefixed,
}

/// A resource pattern: `topic orders`, `group-prefix _confluent-ksql-shop_`, the cluster.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Resource {
    pub(crate) kind: ResourceType,
    pub(crate) pattern: PatternType,
    /// `kafka-cluster` for the cluster, as `Resource.CLUSTER_NAME` names it.
    pub(crate) name: String,
}

/// The name Kafka gives the cluster resource (`org.apache.kafka.common.resource.Resource`).
pub(crate) const CLUSTER_NAME: &str = "kafka-cluster";

impl Resource {
    pub(crate) fn literal(kind: ResourceType, name: impl Into<String>) -> Self {
        Resource { kind, pattern: PatternType::Literal, name: name.into() }
    }

    pub(crate) fn prefixed(kind: ResourceType, name: impl Into<String>) -> Self {
        Resource { kind, pattern: PatternType::Prefixed, name: name.into() }
    }

    pub(crate) fn cluster() -> Self {
        Resource::literal(ResourceType::Cluster, CLUSTER_NAME)
    }

    /// As venice.kdl writes it: `topic="orders"`, `topic-prefix="staging."`, `cluster`.
    pub(crate) fn describe(&self) -> String {
        match (self.kind, self.pattern) {
            (ResourceType::Cluster, _) => "cluster".into(),
            (kind, PatternType::Literal) => format!("{}=\"{}\"", kind.as_str(), self.name),
            (kind, PatternType::Prefixed) => format!("{}-prefix=\"{}\"", kind.as_str(), self.name),
        }
    }

    /// Whether the pattern matches a resource of this kind named `name`.
    pub(crate) fn matches(&self, kind: ResourceType, name: &str) -> bool {
        self.kind == kind
            && match self.pattern {
                PatternType::Literal => self.name == name || self.name == "*",
                PatternType::Prefixed => name.starts_with(&self.name),
            }
    }
}

/// A Kafka ACL operation (`AclOperation`), spelled in venice.kdl as `ACL_OPERATIONS` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Operation {
    All,
    Read,
    Write,
    Create,
    Delete,
    Alter,
    Describe,
    ClusterAction,
    DescribeConfigs,
    AlterConfigs,
    IdempotentWrite,
}

impl Operation {
    pub(crate) const EVERY: [Operation; 11] = [
        Operation::All,
        Operation::Read,
        Operation::Write,
        Operation::Create,
        Operation::Delete,
        Operation::Alter,
        Operation::Describe,
        Operation::ClusterAction,
        Operation::DescribeConfigs,
        Operation::AlterConfigs,
        Operation::IdempotentWrite,
    ];

    /// The word venice.kdl writes (`describe-configs`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Operation::All => "all",
            Operation::Read => "read",
            Operation::Write => "write",
            Operation::Create => "create",
            Operation::Delete => "delete",
            Operation::Alter => "alter",
            Operation::Describe => "describe",
            Operation::ClusterAction => "cluster-action",
            Operation::DescribeConfigs => "describe-configs",
            Operation::AlterConfigs => "alter-configs",
            Operation::IdempotentWrite => "idempotent-write",
        }
    }

    pub(crate) fn parse(word: &str) -> Option<Operation> {
        Operation::EVERY.into_iter().find(|op| op.as_str() == word)
    }

    /// Whether granting `self` also grants `other`: ALL grants everything; READ, WRITE, DELETE
    /// and ALTER grant DESCRIBE; ALTER_CONFIGS grants DESCRIBE_CONFIGS
    /// (`StandardAuthorizerData.IMPLIES_DESCRIBE`, `IMPLIES_DESCRIBE_CONFIGS`).
    pub(crate) fn implies(self, other: Operation) -> bool {
        use Operation::*;
        self == other
            || self == All
            || (other == Describe && matches!(self, Read | Write | Delete | Alter))
            || (other == DescribeConfigs && self == AlterConfigs)
    }
}

/// `acl PRINCIPAL OPERATION... RESOURCE=NAME`: an ALLOW grant written by hand.
#[derive(Debug, Clone)]
pub(crate) struct AclDecl {
    pub(crate) principal: Spanned<String>,
    pub(crate) operations: Vec<Spanned<Operation>>,
    pub(crate) resource: Spanned<Resource>,
    /// `*` when not given.
    pub(crate) host: Option<Spanned<String>>,
    pub(crate) doc: Option<String>,
}

/// `quota PRINCIPAL ...`: a principal's client quotas (Kafka's `user` quota entity).
#[derive(Debug, Clone)]
pub(crate) struct QuotaDecl {
    pub(crate) principal: Spanned<String>,
    pub(crate) produce_rate: Option<Spanned<u64>>,
    pub(crate) consume_rate: Option<Spanned<u64>>,
    pub(crate) request_percentage: Option<Spanned<u32>>,
}

/// Kafka's client quota keys venice sets (`QuotaConfigs`).
pub(crate) const PRODUCER_BYTE_RATE: &str = "producer_byte_rate";
pub(crate) const CONSUMER_BYTE_RATE: &str = "consumer_byte_rate";
pub(crate) const REQUEST_PERCENTAGE: &str = "request_percentage";

impl QuotaDecl {
    /// Each of Kafka's quota keys, in that order, with the value the node sets, if it sets one.
    pub(crate) fn settings(&self) -> [(&'static str, Option<u64>); 3] {
        [
            (PRODUCER_BYTE_RATE, self.produce_rate.as_ref().map(|r| r.value)),
            (CONSUMER_BYTE_RATE, self.consume_rate.as_ref().map(|r| r.value)),
            (REQUEST_PERCENTAGE, self.request_percentage.as_ref().map(|r| u64::from(r.value))),
        ]
    }
}

/// Which declared actor a target's `producer`/`consumer`/`source`/`sink` node names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ActorKind {
    Producer,
    Consumer,
    Source,
    Sink,
}

/// A target's `producer NAME principal=...` (or consumer, source, sink).
#[derive(Debug, Clone)]
pub(crate) struct PrincipalOverride {
    pub(crate) kind: ActorKind,
    pub(crate) name: Spanned<String>,
    pub(crate) principal: Spanned<String>,
}

/// The Connect worker's identity in a target: its principal, group and internal topics.
#[derive(Debug, Clone)]
pub(crate) struct WorkerAccess {
    pub(crate) principal: Option<Spanned<String>>,
    pub(crate) group: Option<Spanned<String>>,
    pub(crate) config_topic: Option<Spanned<String>>,
    pub(crate) offset_topic: Option<Spanned<String>>,
    pub(crate) status_topic: Option<Spanned<String>>,
}

/// A Confluent Schema Registry's identity in a target.
#[derive(Debug, Clone)]
pub(crate) struct RegistryAccess {
    pub(crate) principal: Spanned<String>,
    pub(crate) topic: Option<Spanned<String>>,
    pub(crate) group: Option<Spanned<String>>,
}

/// What a target says about access: how it names principals, the services' principals, and its
/// own grants and quotas.
#[derive(Debug, Clone, Default)]
pub(crate) struct TargetAccess {
    pub(crate) name_prefix: Option<Spanned<String>>,
    pub(crate) principals: Vec<PrincipalOverride>,
    pub(crate) connect: Option<WorkerAccess>,
    pub(crate) ksqldb_principal: Option<Spanned<String>>,
    pub(crate) registry: Option<RegistryAccess>,
    pub(crate) acls: Vec<AclDecl>,
    pub(crate) quotas: Vec<QuotaDecl>,
}

impl TargetAccess {
    /// Whether the target says anything about access (principals, grants, quotas).
    pub(crate) fn declares_any(&self) -> bool {
        self.name_prefix.is_some()
            || !self.principals.is_empty()
            || self.ksqldb_principal.is_some()
            || self.registry.is_some()
            || self.connect.as_ref().is_some_and(|c| c.principal.is_some())
            || !self.acls.is_empty()
            || !self.quotas.is_empty()
    }
}

/// The Connect worker's group and internal topics: Connect's `group.id`, `config.storage.topic`,
/// `offset.storage.topic` and `status.storage.topic`.
pub(crate) struct WorkerNames {
    pub(crate) group: String,
    pub(crate) config_topic: String,
    pub(crate) offset_topic: String,
    pub(crate) status_topic: String,
}

impl Project {
    /// The worker's names in this view: the target's `connect` values, else those `venice
    /// build` gives the stack's worker (`<project>-connect`, `_<project>-connect-configs`, ...).
    pub(crate) fn connect_worker_names(&self) -> WorkerNames {
        let name = self.stack_name();
        let worker = self.viewed_target().and_then(|t| t.access.connect.as_ref());
        let named = |pick: fn(&WorkerAccess) -> &Option<Spanned<String>>, default: String| {
            worker.and_then(|w| pick(w).as_ref()).map_or(default, |n| n.value.clone())
        };
        WorkerNames {
            group: named(|w| &w.group, format!("{name}-connect")),
            config_topic: named(|w| &w.config_topic, format!("_{name}-connect-configs")),
            offset_topic: named(|w| &w.offset_topic, format!("_{name}-connect-offsets")),
            status_topic: named(|w| &w.status_topic, format!("_{name}-connect-status")),
        }
    }

    /// The first principal the project (in a view: with its target's services) names for a
    /// client, or an `acl` names: where it starts managing ACLs. `None` when it names none.
    pub(crate) fn first_principal(&self) -> Option<&Spanned<String>> {
        let actors = self.producers.iter().filter_map(|p| p.principal.as_ref());
        let actors = actors.chain(self.consumers.iter().filter_map(|c| c.principal.as_ref()));
        let actors = actors.chain(self.connectors.iter().filter_map(|c| c.principal.as_ref()));
        let access = self.viewed_target().map(|t| &t.access);
        let services = access.into_iter().flat_map(|a| {
            let worker = a.connect.as_ref().and_then(|c| c.principal.as_ref());
            [a.ksqldb_principal.as_ref(), worker, a.registry.as_ref().map(|r| &r.principal)].into_iter().flatten()
        });
        let grants = self.acls.iter().map(|a| &a.principal);
        actors.chain(services).chain(grants).next()
    }

    /// Whether this view's grants and quotas reach a cluster: a target that names its `kafka`.
    /// The stack (`target local`, or the project as declared) runs a broker without an
    /// authorizer, so nothing there is granted or limited.
    pub(crate) fn deploys_access(&self) -> bool {
        self.viewed_target().is_some_and(|t| !t.kafka.is_empty())
    }

    /// Applies a target's access settings to the project as it declares it: the target's name
    /// prefix to every principal written outside it, its per-actor principals, its grants after
    /// the top-level ones, and its quotas over the top-level ones setting by setting. Called by
    /// [`Project::view`].
    pub(crate) fn apply_access(&mut self, access: Option<&TargetAccess>) {
        let Some(access) = access else { return };
        if let Some(prefix) = &access.name_prefix {
            self.rename_principals(&prefix.value);
        }
        for o in &access.principals {
            if let Some(slot) = self.principal_slot(o.kind, &o.name.value) {
                *slot = Some(o.principal.clone());
            }
        }
        self.acls.extend(access.acls.iter().cloned());
        for quota in &access.quotas {
            merge_quota(&mut self.quotas, quota);
        }
    }

    fn rename_principals(&mut self, prefix: &str) {
        let rename = |p: &mut Spanned<String>| p.value = with_name_prefix(&p.value, prefix);
        self.producers.iter_mut().filter_map(|p| p.principal.as_mut()).for_each(rename);
        self.consumers.iter_mut().filter_map(|c| c.principal.as_mut()).for_each(rename);
        self.connectors.iter_mut().filter_map(|c| c.principal.as_mut()).for_each(rename);
        self.acls.iter_mut().for_each(|a| rename(&mut a.principal));
        self.quotas.iter_mut().for_each(|q| rename(&mut q.principal));
    }

    /// Where the principal of the declared actor `kind NAME` is held.
    fn principal_slot(&mut self, kind: ActorKind, name: &str) -> Option<&mut Option<Spanned<String>>> {
        use super::Direction;
        let connector = |direction| move |c: &&mut super::Connector| c.direction == direction && c.name.value == name;
        match kind {
            ActorKind::Producer => self.producers.iter_mut().find(|p| p.name.value == name).map(|p| &mut p.principal),
            ActorKind::Consumer => self.consumers.iter_mut().find(|c| c.name.value == name).map(|c| &mut c.principal),
            ActorKind::Source => {
                self.connectors.iter_mut().find(connector(Direction::Source)).map(|c| &mut c.principal)
            }
            ActorKind::Sink => self.connectors.iter_mut().find(connector(Direction::Sink)).map(|c| &mut c.principal),
        }
    }
}

/// `User:web-app` with `staging-` is `User:staging-web-app`.
pub(crate) fn with_name_prefix(principal: &str, prefix: &str) -> String {
    match principal.split_once(':') {
        Some((kind, name)) => format!("{kind}:{prefix}{name}"),
        None => format!("{prefix}{principal}"),
    }
}

/// A target's quota replaces the top-level one of the same principal setting by setting.
fn merge_quota(into: &mut Vec<QuotaDecl>, quota: &QuotaDecl) {
    let Some(existing) = into.iter_mut().find(|q| q.principal.value == quota.principal.value) else {
        into.push(quota.clone());
        return;
    };
    existing.produce_rate = quota.produce_rate.clone().or(existing.produce_rate.take());
    existing.consume_rate = quota.consume_rate.clone().or(existing.consume_rate.take());
    existing.request_percentage = quota.request_percentage.clone().or(existing.request_percentage.take());
    existing.principal.span = quota.principal.span;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_have_a_type_and_a_name() {
        assert_eq!(parse_principal("User:web-app"), Some(("User", "web-app")));
        assert_eq!(parse_principal("User:CN=venice,O=x"), Some(("User", "CN=venice,O=x")));
        for bad in ["web-app", "User:", ":web-app", "Us3r:x"] {
            assert_eq!(parse_principal(bad), None, "{bad}");
        }
    }

    #[test]
    fn rates_take_binary_units() {
        assert_eq!(parse_rate("1048576"), Some(1_048_576));
        assert_eq!(parse_rate("512KiB"), Some(524_288));
        assert_eq!(parse_rate("5MiB"), Some(5 * 1_048_576));
        assert_eq!(parse_rate("1GiB"), Some(1 << 30));
        for bad in ["", "0", "5MB", "MiB", "1.5MiB", "-1"] {
            assert_eq!(parse_rate(bad), None, "{bad}");
        }
    }

    #[test]
    fn implied_operations_follow_the_standard_authorizer() {
        assert!(Operation::Read.implies(Operation::Describe));
        assert!(Operation::AlterConfigs.implies(Operation::DescribeConfigs));
        assert!(Operation::All.implies(Operation::IdempotentWrite));
        assert!(!Operation::Describe.implies(Operation::Read));
        assert!(!Operation::Write.implies(Operation::Read));
    }

    #[test]
    fn patterns_match_literal_names_wildcards_and_prefixes() {
        let topic = ResourceType::Topic;
        assert!(Resource::literal(topic, "orders").matches(topic, "orders"));
        assert!(Resource::literal(topic, "*").matches(topic, "anything"));
        assert!(Resource::prefixed(topic, "sales.").matches(topic, "sales.eu"));
        assert!(!Resource::prefixed(topic, "sales.").matches(ResourceType::Group, "sales.eu"));
        assert_eq!(Resource::prefixed(ResourceType::Group, "g-").describe(), "group-prefix=\"g-\"");
    }
}
