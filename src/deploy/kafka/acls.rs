//! ACLs and client quotas through the admin API: DescribeAcls, CreateAcls, DeleteAcls,
//! DescribeClientQuotas and AlterClientQuotas (KIP-140, KIP-546), with Kafka's codes for
//! resource types, pattern types, operations and permissions (`ResourceType`, `PatternType`,
//! `AclOperation`, `AclPermissionType` in Kafka's clients).
//!
//! Venice grants ALLOW only, and only ever deletes one binding at a time: every DeleteAcls
//! filter it sends names all seven fields of a binding (a LITERAL or PREFIXED pattern, never ANY
//! or MATCH), so it matches exactly the binding venice made and nothing a person added beside it.
//!
//! In KRaft these requests are forwarded to the controller and the bindings reach the brokers
//! through the metadata log: a broker may enforce a new binding a moment after the answer.

use super::{Admin, Error, text};
use crate::analysis::access::Grant;
use crate::model::{Operation, PatternType, Resource, ResourceType};
use kafka_protocol::messages::alter_client_quotas_request::{self as alter, OpData};
use kafka_protocol::messages::create_acls_request::AclCreation;
use kafka_protocol::messages::delete_acls_request::DeleteAclsFilter;
use kafka_protocol::messages::describe_client_quotas_request::ComponentData;
use kafka_protocol::messages::{
    AlterClientQuotasRequest, CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest, DescribeClientQuotasRequest,
};
use std::collections::BTreeMap;

/// `AclPermissionType.ALLOW`.
const ALLOW: i8 = 3;
/// The filter code that matches any value (`ResourceType.ANY`, `PatternType.ANY`, ...).
const ANY: i8 = 1;
const CLUSTER_AUTHORIZATION_FAILED: i16 = 31;
const SECURITY_DISABLED: i16 = 54;

/// The quota entity type of a principal (`ClientQuotaEntity.USER`).
const USER: &str = "user";

fn resource_type(kind: ResourceType) -> i8 {
    match kind {
        ResourceType::Topic => 2,
        ResourceType::Group => 3,
        ResourceType::Cluster => 4,
        ResourceType::TransactionalId => 5,
    }
}

fn resource_type_of(code: i8) -> Option<ResourceType> {
    [ResourceType::Topic, ResourceType::Group, ResourceType::Cluster, ResourceType::TransactionalId]
        .into_iter()
        .find(|k| resource_type(*k) == code)
}

fn pattern_type(pattern: PatternType) -> i8 {
    match pattern {
        PatternType::Literal => 3,
        PatternType::Prefixed => 4,
    }
}

fn pattern_type_of(code: i8) -> Option<PatternType> {
    [PatternType::Literal, PatternType::Prefixed].into_iter().find(|p| pattern_type(*p) == code)
}

pub(crate) fn operation(op: Operation) -> i8 {
    match op {
        Operation::All => 2,
        Operation::Read => 3,
        Operation::Write => 4,
        Operation::Create => 5,
        Operation::Delete => 6,
        Operation::Alter => 7,
        Operation::Describe => 8,
        Operation::ClusterAction => 9,
        Operation::DescribeConfigs => 10,
        Operation::AlterConfigs => 11,
        Operation::IdempotentWrite => 12,
    }
}

fn operation_of(code: i8) -> Option<Operation> {
    Operation::EVERY.into_iter().find(|op| operation(*op) == code)
}

/// A binding as Kafka describes it: an ALLOW of a kind venice knows, else None (a DENY, a
/// DELEGATION_TOKEN or USER resource: never venice's).
fn grant_of(
    (kind, name, pattern): (i8, &str, i8),
    (principal, host, op, permission): (&str, &str, i8, i8),
) -> Option<Grant> {
    if permission != ALLOW {
        return None;
    }
    let resource = Resource { kind: resource_type_of(kind)?, pattern: pattern_type_of(pattern)?, name: name.into() };
    Some(Grant { principal: principal.into(), resource, operation: operation_of(op)?, host: host.into() })
}

/// The DeleteAcls filter that matches exactly `grant`: every field specific.
pub(crate) fn exact_filter(grant: &Grant) -> DeleteAclsFilter {
    DeleteAclsFilter::default()
        .with_resource_type_filter(resource_type(grant.resource.kind))
        .with_resource_name_filter(Some(text(&grant.resource.name)))
        .with_pattern_type_filter(pattern_type(grant.resource.pattern))
        .with_principal_filter(Some(text(&grant.principal)))
        .with_host_filter(Some(text(&grant.host)))
        .with_operation(operation(grant.operation))
        .with_permission_type(ALLOW)
}

/// A refusal in words; the deploy principal's missing rights on the cluster in one line of
/// their own, saying what it needs (`what` is `ACLs` or `client quotas`).
fn refused_about(about: &str, what: String, code: i16, m: Option<kafka_protocol::protocol::StrBytes>) -> Error {
    match code {
        CLUSTER_AUTHORIZATION_FAILED => Error::Denied(format!(
            "Kafka refused {what}: CLUSTER_AUTHORIZATION_FAILED: the deploy principal may not manage {about}; \
             it needs {} on the cluster, which lets it grant itself anything (deploy as an admin)",
            if about == "ACLs" { "DESCRIBE and ALTER" } else { "DESCRIBE_CONFIGS and ALTER_CONFIGS" }
        )),
        SECURITY_DISABLED => Error::Denied(format!(
            "Kafka refused {what}: SECURITY_DISABLED: the cluster has no authorizer, so it keeps no {about} \
             (set `authorizer.class.name`, or leave principals out of this target)"
        )),
        _ => super::refused(what, code, m),
    }
}

impl Admin {
    /// The ALLOW bindings of `principal` that venice can express (DescribeAcls, filtered by the
    /// principal, every other field ANY).
    pub(crate) fn acls_of(&mut self, principal: &str) -> Result<Vec<Grant>, Error> {
        let request = DescribeAclsRequest::default()
            .with_resource_type_filter(ANY)
            .with_resource_name_filter(None)
            .with_pattern_type_filter(ANY)
            .with_principal_filter(Some(text(principal)))
            .with_host_filter(None)
            .with_operation(ANY)
            .with_permission_type(ANY);
        let answer = self.link.call(&request)?;
        if answer.error_code != 0 {
            let what = format!("describing the ACLs of `{principal}`");
            return Err(refused_about("ACLs", what, answer.error_code, answer.error_message));
        }
        let mut grants = Vec::new();
        for r in &answer.resources {
            for acl in &r.acls {
                let resource = (r.resource_type, r.resource_name.as_str(), r.pattern_type);
                let binding = (acl.principal.as_str(), acl.host.as_str(), acl.operation, acl.permission_type);
                grants.extend(grant_of(resource, binding));
            }
        }
        grants.sort();
        Ok(grants)
    }

    /// Creates ALLOW bindings in one CreateAcls; each binding's answer in the order given (one
    /// that exists already is created again without complaint).
    pub(crate) fn create_acls(&mut self, grants: &[Grant]) -> Result<Vec<Result<(), Error>>, Error> {
        let creations = grants
            .iter()
            .map(|g| {
                AclCreation::default()
                    .with_resource_type(resource_type(g.resource.kind))
                    .with_resource_name(text(&g.resource.name))
                    .with_resource_pattern_type(pattern_type(g.resource.pattern))
                    .with_principal(text(&g.principal))
                    .with_host(text(&g.host))
                    .with_operation(operation(g.operation))
                    .with_permission_type(ALLOW)
            })
            .collect();
        let answer = self.link.call(&CreateAclsRequest::default().with_creations(creations))?;
        if answer.results.len() != grants.len() {
            return Err(Error::Protocol(format!(
                "CreateAcls answered {} results for {} bindings",
                answer.results.len(),
                grants.len()
            )));
        }
        let results = grants.iter().zip(answer.results).map(|(g, r)| match r.error_code {
            0 => Ok(()),
            code => Err(refused_about("ACLs", format!("creating ACL {}", key(g)), code, r.error_message)),
        });
        Ok(results.collect())
    }

    /// Deletes bindings in one DeleteAcls, one filter each that matches only that binding;
    /// each binding's answer in the order given (one that is already gone is fine).
    pub(crate) fn delete_acls(&mut self, grants: &[Grant]) -> Result<Vec<Result<(), Error>>, Error> {
        let filters = grants.iter().map(exact_filter).collect();
        let answer = self.link.call(&DeleteAclsRequest::default().with_filters(filters))?;
        if answer.filter_results.len() != grants.len() {
            return Err(Error::Protocol(format!(
                "DeleteAcls answered {} results for {} filters",
                answer.filter_results.len(),
                grants.len()
            )));
        }
        let results = grants.iter().zip(answer.filter_results).map(|(g, r)| {
            let what = || format!("deleting ACL {}", key(g));
            if r.error_code != 0 {
                return Err(refused_about("ACLs", what(), r.error_code, r.error_message));
            }
            match r.matching_acls.into_iter().find(|m| m.error_code != 0) {
                Some(m) => Err(refused_about("ACLs", what(), m.error_code, m.error_message)),
                None => Ok(()),
            }
        });
        Ok(results.collect())
    }

    /// The quotas set on the `user` entity of `principal` alone (DescribeClientQuotas, strict:
    /// not the defaults, not a user and client-id pair), by key.
    pub(crate) fn quotas_of(&mut self, principal: &str) -> Result<BTreeMap<String, f64>, Error> {
        let component = ComponentData::default()
            .with_entity_type(text(USER))
            .with_match_type(0) // exact
            .with_match(Some(text(user_name(principal))));
        let request = DescribeClientQuotasRequest::default().with_components(vec![component]).with_strict(true);
        let answer = self.link.call(&request)?;
        if answer.error_code != 0 {
            let what = format!("describing the client quotas of `{principal}`");
            return Err(refused_about("client quotas", what, answer.error_code, answer.error_message));
        }
        let values = answer.entries.unwrap_or_default().into_iter().flat_map(|e| e.values);
        Ok(values.map(|v| (v.key.to_string(), v.value)).collect())
    }

    /// Sets (`Some`) and removes (`None`) quota keys of principals' `user` entities in one
    /// AlterClientQuotas; each principal's answer in the order given.
    pub(crate) fn alter_quotas(
        &mut self,
        changes: &[(String, BTreeMap<String, Option<f64>>)],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let entries = changes.iter().map(|(principal, ops)| {
            let entity = alter::EntityData::default()
                .with_entity_type(text(USER))
                .with_entity_name(Some(text(user_name(principal))));
            let ops = ops.iter().map(|(key, value)| {
                OpData::default().with_key(text(key)).with_value(value.unwrap_or(0.0)).with_remove(value.is_none())
            });
            alter::EntryData::default().with_entity(vec![entity]).with_ops(ops.collect())
        });
        let request = AlterClientQuotasRequest::default().with_entries(entries.collect());
        let answer = self.link.call(&request)?;
        let mut by_user: BTreeMap<String, Result<(), Error>> = BTreeMap::new();
        for entry in answer.entries {
            let Some(name) = entry.entity.iter().find(|e| e.entity_type.as_str() == USER) else { continue };
            let name = name.entity_name.as_ref().map(|n| n.to_string()).unwrap_or_default();
            let result = match entry.error_code {
                0 => Ok(()),
                code => {
                    let what = format!("setting the client quotas of user `{name}`");
                    Err(refused_about("client quotas", what, code, entry.error_message))
                }
            };
            by_user.insert(name, result);
        }
        let results = changes.iter().map(|(principal, _)| {
            by_user.remove(user_name(principal)).unwrap_or_else(|| {
                Err(Error::Protocol(format!("AlterClientQuotas answered nothing about `{principal}`")))
            })
        });
        Ok(results.collect())
    }
}

/// The name of a principal's `user` quota entity: the principal without its type (`User:alice`
/// is `alice`), as `kafka-configs --entity-type users --entity-name alice` names it.
pub(crate) fn user_name(principal: &str) -> &str {
    crate::model::parse_principal(principal).map_or(principal, |(_, name)| name)
}

/// A quota value as it reads: `1048576`, `12.5`.
pub(crate) fn quota_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{}", value as i64) } else { value.to_string() }
}

/// A binding as venice.lock and the plan name it, one line that reads back ([`parse_key`]):
/// `User:alice write topic="orders" host="*"`. The principal comes first, unquoted; the resource
/// is written as an `acl` node writes it; names and the host are JSON strings, which hold no
/// unescaped `="` (so the text splits at the last ones).
pub(crate) fn key(grant: &Grant) -> String {
    let kind = match (grant.resource.kind, grant.resource.pattern) {
        (kind, PatternType::Literal) => kind.as_str().to_string(),
        (kind, PatternType::Prefixed) => format!("{}-prefix", kind.as_str()),
    };
    let quoted = |s: &str| serde_json::to_string(s).expect("a string serializes");
    format!(
        "{} {} {kind}={} host={}",
        grant.principal,
        grant.operation.as_str(),
        quoted(&grant.resource.name),
        quoted(&grant.host)
    )
}

/// The binding a [`key`] names; None for text no key spells.
pub(crate) fn parse_key(text: &str) -> Option<Grant> {
    let (rest, host) = text.rsplit_once(" host=\"")?;
    let host: String = serde_json::from_str(&format!("\"{host}")).ok()?;
    let (rest, name) = rest.rsplit_once("=\"")?;
    let name: String = serde_json::from_str(&format!("\"{name}")).ok()?;
    let mut words = rest.rsplitn(3, ' ');
    let (kind, op, principal) = (words.next()?, words.next()?, words.next()?);
    let (kind, pattern) = match kind.strip_suffix("-prefix") {
        Some(kind) => (kind, PatternType::Prefixed),
        None => (kind, PatternType::Literal),
    };
    let kind = [ResourceType::Topic, ResourceType::Group, ResourceType::Cluster, ResourceType::TransactionalId]
        .into_iter()
        .find(|k| k.as_str() == kind)?;
    let resource = Resource { kind, pattern, name };
    Some(Grant { principal: principal.into(), resource, operation: Operation::parse(op)?, host })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(principal: &str, resource: Resource, operation: Operation) -> Grant {
        Grant { principal: principal.into(), resource, operation, host: "*".into() }
    }

    /// Keys read back to their binding, whatever the principal and the names hold.
    #[test]
    fn a_binding_key_reads_back() {
        let grants = [
            grant("User:alice", Resource::literal(ResourceType::Topic, "orders"), Operation::Write),
            grant("User:CN=a b,O=x", Resource::prefixed(ResourceType::Group, "g=\" host=\"x"), Operation::Read),
            grant("User:ops", Resource::cluster(), Operation::DescribeConfigs),
            grant("User:tx", Resource::prefixed(ResourceType::TransactionalId, "tx-"), Operation::Describe),
        ];
        assert_eq!(key(&grants[0]), r#"User:alice write topic="orders" host="*""#);
        assert_eq!(key(&grants[2]), r#"User:ops describe-configs cluster="kafka-cluster" host="*""#);
        assert_eq!(key(&grants[3]), r#"User:tx describe transactional-id-prefix="tx-" host="*""#);
        for g in &grants {
            assert_eq!(parse_key(&key(g)).as_ref(), Some(g), "{}", key(g));
        }
        let mut elsewhere = grants[0].clone();
        elsewhere.host = "10.0.0.1".into();
        assert_eq!(parse_key(&key(&elsewhere)), Some(elsewhere));
        for bad in ["", "User:alice write", r#"User:alice fly topic="t" host="*""#, r#"x write user="t" host="*""#] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }

    /// Prune's filters name every field of the binding (never UNKNOWN, ANY or MATCH):
    /// each matches the one binding venice made.
    #[test]
    fn a_delete_filter_is_fully_specific() {
        let g = grant("User:bob", Resource::prefixed(ResourceType::Topic, "sales."), Operation::Read);
        let filter = exact_filter(&g);
        assert_eq!(
            (filter.resource_type_filter, filter.pattern_type_filter, filter.operation, filter.permission_type),
            (2, 4, 3, ALLOW)
        );
        assert_eq!(filter.resource_name_filter.as_deref(), Some("sales."));
        assert_eq!(filter.principal_filter.as_deref(), Some("User:bob"));
        assert_eq!(filter.host_filter.as_deref(), Some("*"));
        for kind in [ResourceType::Topic, ResourceType::Group, ResourceType::Cluster, ResourceType::TransactionalId] {
            for op in Operation::EVERY {
                let filter = exact_filter(&grant("User:x", Resource::literal(kind, "n"), op));
                // Resource and pattern: 0 UNKNOWN, 1 ANY, 2 MATCH; operation: 0 UNKNOWN, 1 ANY.
                assert!(filter.resource_type_filter > 1 && filter.pattern_type_filter > 2, "{kind:?}");
                assert!(filter.operation > 1, "{op:?}");
            }
        }
    }

    /// Kafka's codes, both ways; a DENY or a resource venice does not know is not a grant.
    #[test]
    fn codes_follow_kafkas_enums() {
        assert_eq!(operation(Operation::IdempotentWrite), 12);
        assert_eq!(operation(Operation::All), 2);
        assert_eq!(resource_type(ResourceType::TransactionalId), 5);
        let read = grant_of((2, "t", 3), ("User:a", "*", 3, ALLOW));
        assert_eq!(read, Some(grant("User:a", Resource::literal(ResourceType::Topic, "t"), Operation::Read)));
        assert_eq!(grant_of((2, "t", 3), ("User:a", "*", 3, 2)), None, "DENY");
        assert_eq!(grant_of((7, "u", 3), ("User:a", "*", 3, ALLOW)), None, "USER resource");
        assert_eq!(grant_of((2, "t", 2), ("User:a", "*", 3, ALLOW)), None, "MATCH pattern");
    }

    #[test]
    fn cluster_authorization_failures_say_what_the_deployer_needs_in_one_line() {
        let e = refused_about("ACLs", "describing the ACLs of `User:a`".into(), CLUSTER_AUTHORIZATION_FAILED, None);
        let text = e.to_string();
        assert!(text.contains("CLUSTER_AUTHORIZATION_FAILED") && text.contains("ALTER on the cluster"), "{text}");
        assert!(!text.contains('\n'));
        assert!(matches!(refused_about("ACLs", "x".into(), 30, None), Error::Refused { code: 30, .. }));
    }

    #[test]
    fn quota_entities_and_values_read_as_kafka_writes_them() {
        assert_eq!(user_name("User:alice"), "alice");
        assert_eq!(user_name("alice"), "alice");
        assert_eq!(quota_text(1_048_576.0), "1048576");
        assert_eq!(quota_text(12.5), "12.5");
    }
}
