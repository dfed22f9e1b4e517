//! `users/<user>.yaml`: one Strimzi `KafkaUser` per `User` principal the view grants or limits,
//! and what the cluster needs for them (an authorizer, an authenticated listener, Connect's
//! login, the deployer as a super user).
//!
//! Strimzi's User Operator owns the ACLs and quotas of every principal on the cluster: it makes
//! a KafkaUser's `spec.authorization.acls` and `spec.quotas`, and deletes the ACLs of principals
//! that have no KafkaUser (Strimzi PR #1729 exempts only `*` and `ANONYMOUS`). So on Kubernetes
//! the grants are written here, never also applied by `venice apply`.
//!
//! A KafkaUser's name is its user's (the v1 CRD, `044-Crd-kafkauser.yaml`, has no `userName`):
//! with `scram-sha-512` the broker sees `User:<name>`, with `tls` the certificate's subject
//! `User:CN=<name>`. A principal that cannot be written so gets no KafkaUser, and a note.

use super::{API, metadata, resource_name, yaml};
use crate::analysis::access::Access;
use crate::model::{
    Credential, Operation, PatternType, Project, QuotaDecl, Resource, ResourceType, Sasl, parse_principal,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// How clients log in to the cluster's listener, and so how each KafkaUser authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Auth {
    /// Mutual TLS: the User Operator issues each user a certificate signed by the clients' CA.
    Tls,
    /// SASL SCRAM-SHA-512: the User Operator generates each user's password.
    Scram,
}

impl Auth {
    /// Mutual TLS when the target logs in with a client certificate, SCRAM-SHA-512 otherwise (the
    /// one SASL mechanism both Strimzi's listeners and its User Operator take).
    fn of(project: &Project) -> Auth {
        let security = project.viewed_target().map(|t| &t.kafka_security);
        let mtls = security.and_then(|s| s.tls.as_ref()).is_some_and(|tls| tls.client.is_some());
        if mtls { Auth::Tls } else { Auth::Scram }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Auth::Tls => "tls",
            Auth::Scram => "scram-sha-512",
        }
    }

    /// The user name a principal is written with, if this authentication can give it.
    fn user_name(self, principal: &str) -> Option<String> {
        let (kind, name) = parse_principal(principal)?;
        let name = match self {
            Auth::Scram => name,
            // Strimzi's certificates name the user in their subject's CN alone.
            Auth::Tls => name.strip_prefix("CN=").filter(|n| !n.contains(','))?,
        };
        (kind == "User" && resource_name(name) == name).then(|| name.to_string())
    }

    /// The listener of the cluster: SCRAM on the plain port, or TLS with client certificates.
    pub(super) fn listener(self) -> Value {
        match self {
            Auth::Scram => json!({"name": "plain", "port": 9092, "type": "internal", "tls": false,
                "authentication": {"type": "scram-sha-512"}}),
            Auth::Tls => json!({"name": "tls", "port": 9093, "type": "internal", "tls": true,
                "authentication": {"type": "tls"}}),
        }
    }

    /// The port of [`Auth::listener`].
    pub(super) fn port(self) -> u16 {
        match self {
            Auth::Scram => 9092,
            Auth::Tls => 9093,
        }
    }
}

/// The KafkaUsers of a view and what the rest of the build takes from them.
#[derive(Debug)]
pub(super) struct Users {
    /// `users/<name>.yaml` and its text, sorted by name.
    pub(super) files: Vec<(String, String)>,
    pub(super) auth: Auth,
    /// `Kafka.spec.kafka.authorization.superUsers`: the deployer, when the target names it.
    pub(super) super_users: Vec<String>,
    /// The KafkaUser the Connect worker logs in as, when the target declares its principal.
    pub(super) connect_user: Option<String>,
    /// The users, with what they are for, for the README.
    pub(super) listed: Vec<String>,
    pub(super) notes: Vec<String>,
}

/// The KafkaUsers of a target's view, or `None` when it grants and limits nobody, or for the
/// project as declared: that is the stack, whose broker has no authorizer, in Kubernetes as in
/// Compose (V508 and `venice apply` read it the same way). The cluster then stays as open as the
/// Compose stack's.
pub(super) fn render(project: &Project, access: &Access, cluster: &str) -> Option<Users> {
    if !project.deploys_access() || (access.grants.is_empty() && project.quotas.is_empty()) {
        return None;
    }
    let auth = Auth::of(project);
    let mut users = Users {
        files: Vec::new(),
        auth,
        super_users: Vec::new(),
        connect_user: None,
        listed: Vec::new(),
        notes: Vec::new(),
    };
    let mut rules: BTreeMap<String, BTreeMap<(Resource, String), BTreeSet<Operation>>> = BTreeMap::new();
    let mut principals: BTreeSet<&str> = access.grants.keys().map(|g| g.principal.as_str()).collect();
    principals.extend(project.quotas.iter().map(|q| q.principal.value.as_str()));
    for principal in &principals {
        match auth.user_name(principal) {
            Some(name) => {
                rules.entry(name).or_default();
            }
            None => users.notes.push(unwritable(principal, auth)),
        }
    }
    for grant in access.grants.keys() {
        if let Some(rules) = auth.user_name(&grant.principal).and_then(|name| rules.get_mut(&name)) {
            rules.entry((grant.resource.clone(), grant.host.clone())).or_default().insert(grant.operation);
        }
    }
    if let Some(deployer) = deployer(project, auth, &mut users.notes) {
        rules.entry(deployer.clone()).or_default();
        users.super_users.push(deployer);
    }
    users.connect_user = connect_user(project, auth, &rules, &mut users.notes);
    for (name, acls) in &rules {
        let quota = project.quotas.iter().find(|q| auth.user_name(&q.principal.value).as_deref() == Some(name));
        users.listed.push(listed(name, acls, quota, users.super_users.contains(name)));
        users.files.push((format!("users/{name}.yaml"), kafka_user(name, cluster, auth, acls, quota)));
    }
    Some(users)
}

fn unwritable(principal: &str, auth: Auth) -> String {
    let how = match auth {
        Auth::Scram => "`User:NAME` with NAME a Kubernetes name",
        Auth::Tls => "`User:CN=NAME` with NAME a Kubernetes name (the subject of the certificate Strimzi issues)",
    };
    format!(
        "the principal `{principal}` has no KafkaUser: a KafkaUser authenticated with {} names {how}, so its grants \
         and quotas are not made on this cluster",
        auth.as_str()
    )
}

/// The user `venice apply` logs in as, made a super user: the target's SCRAM-SHA-512 login when
/// it names the user in venice.kdl. Any other login is not one this cluster's listener takes.
fn deployer(project: &Project, auth: Auth, notes: &mut Vec<String>) -> Option<String> {
    let sasl = project.viewed_target().and_then(|t| t.kafka_security.sasl.as_ref());
    let name = match (auth, sasl) {
        (Auth::Scram, Some(Sasl::ScramSha512(login))) => match &login.user {
            Credential::Literal(user) => Some(user.value.clone()),
            _ => None,
        },
        _ => None,
    };
    let name = name.filter(|n| resource_name(n) == *n);
    if name.is_none() {
        let why = match auth {
            Auth::Scram => {
                "venice.kdl names no SCRAM-SHA-512 user for `venice apply` (a target's `kafka { sasl \
                            scram-sha-512 { user NAME } }`)"
            }
            Auth::Tls => "`venice apply` logs in with a client certificate, whose subject venice does not read",
        };
        notes.push(format!(
            "no super user: {why}; add the deployer's user to `spec.kafka.authorization.superUsers` of `kafka.yaml`"
        ));
    }
    name
}

/// The KafkaUser of the Connect worker's principal, if the view declares one that has a KafkaUser.
fn connect_user(
    project: &Project,
    auth: Auth,
    rules: &BTreeMap<String, BTreeMap<(Resource, String), BTreeSet<Operation>>>,
    notes: &mut Vec<String>,
) -> Option<String> {
    let worker = project.viewed_target().and_then(|t| t.access.connect.as_ref());
    let user = worker.and_then(|w| w.principal.as_ref()).and_then(|p| auth.user_name(&p.value));
    let user = user.filter(|u| rules.contains_key(u));
    if user.is_none() && project.stack.as_ref().is_some_and(|s| s.connect.is_some()) {
        notes.push(
            "Kafka Connect has no principal in this view (a target's `connect ... principal=`): it cannot log in to the \
             authenticated listener until `connect.yaml` is given a KafkaUser's credentials"
                .into(),
        );
    }
    user
}

/// A KafkaUser: the user's authentication, its ACLs (operations merged per resource and host)
/// and its quotas.
fn kafka_user(
    name: &str,
    cluster: &str,
    auth: Auth,
    acls: &BTreeMap<(Resource, String), BTreeSet<Operation>>,
    quota: Option<&QuotaDecl>,
) -> String {
    let mut spec = Map::new();
    spec.insert("authentication".into(), json!({"type": auth.as_str()}));
    if !acls.is_empty() {
        let acls: Vec<Value> =
            acls.iter().map(|((resource, host), operations)| acl(resource, host, operations)).collect();
        spec.insert("authorization".into(), json!({"type": "simple", "acls": acls}));
    }
    if let Some(quotas) = quota.map(quotas).filter(|q| !q.is_empty()) {
        spec.insert("quotas".into(), Value::Object(quotas));
    }
    yaml(&json!({"apiVersion": API, "kind": "KafkaUser", "metadata": metadata(name, Some(cluster)), "spec": spec}))
}

/// An `AclRule`: allow, the resource, its host unless any, the operations as Strimzi spells them.
fn acl(resource: &Resource, host: &str, operations: &BTreeSet<Operation>) -> Value {
    let kind = match resource.kind {
        ResourceType::Topic => "topic",
        ResourceType::Group => "group",
        ResourceType::Cluster => "cluster",
        ResourceType::TransactionalId => "transactionalId",
    };
    let resource = match resource.kind {
        ResourceType::Cluster => json!({"type": kind}),
        _ => {
            let pattern = match resource.pattern {
                PatternType::Literal => "literal",
                PatternType::Prefixed => "prefix",
            };
            json!({"type": kind, "name": resource.name, "patternType": pattern})
        }
    };
    let mut rule = json!({"type": "allow", "resource": resource});
    if host != "*" {
        rule["host"] = json!(host);
    }
    rule["operations"] = operations.iter().map(|&op| json!(strimzi_operation(op))).collect();
    rule
}

/// `AclOperation` as the CRD's enum writes it.
fn strimzi_operation(operation: Operation) -> &'static str {
    match operation {
        Operation::All => "All",
        Operation::Read => "Read",
        Operation::Write => "Write",
        Operation::Create => "Create",
        Operation::Delete => "Delete",
        Operation::Alter => "Alter",
        Operation::Describe => "Describe",
        Operation::ClusterAction => "ClusterAction",
        Operation::DescribeConfigs => "DescribeConfigs",
        Operation::AlterConfigs => "AlterConfigs",
        Operation::IdempotentWrite => "IdempotentWrite",
    }
}

/// `KafkaUserQuotas`: bytes per second per broker and a share of the request threads, as Kafka's
/// user quotas are.
fn quotas(quota: &QuotaDecl) -> Map<String, Value> {
    let mut quotas = Map::new();
    if let Some(rate) = &quota.produce_rate {
        quotas.insert("producerByteRate".into(), json!(rate.value));
    }
    if let Some(rate) = &quota.consume_rate {
        quotas.insert("consumerByteRate".into(), json!(rate.value));
    }
    if let Some(percentage) = &quota.request_percentage {
        quotas.insert("requestPercentage".into(), json!(percentage.value));
    }
    quotas
}

/// A README line: the user and what it may do.
fn listed(
    name: &str,
    acls: &BTreeMap<(Resource, String), BTreeSet<Operation>>,
    quota: Option<&QuotaDecl>,
    super_user: bool,
) -> String {
    let mut what = Vec::new();
    if super_user {
        what.push("super user: `venice apply` logs in as it, with the password of its Secret".to_string());
    }
    if !acls.is_empty() {
        what.push(format!("{} ACL rule{}", acls.len(), if acls.len() == 1 { "" } else { "s" }));
    }
    if quota.is_some_and(|q| !quotas(q).is_empty()) {
        what.push("quotas".into());
    }
    format!("`{name}`: {}", what.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_follow_the_authentication() {
        assert_eq!(Auth::Scram.user_name("User:web-app").as_deref(), Some("web-app"));
        assert_eq!(Auth::Tls.user_name("User:CN=web-app").as_deref(), Some("web-app"));
        for (auth, principal) in [
            (Auth::Tls, "User:web-app"),
            (Auth::Tls, "User:CN=web-app,O=shop"),
            (Auth::Scram, "User:Web_App"),
            (Auth::Scram, "Group:admins"),
        ] {
            assert_eq!(auth.user_name(principal), None, "{principal}");
        }
    }
}
