//! `venice acls`: per principal, what the project grants it in a target's view, and why; and the
//! quotas it declares. Offline: it reads the checked view (`analysis::access`), never a cluster.

use crate::analysis::access::{Access, Why};
use crate::model::{Project, QuotaDecl};
use crate::source::SourceMap;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One resource's grants to one principal: the operations, whether derived, and the reasons.
struct Line {
    resource: String,
    operations: Vec<&'static str>,
    origin: &'static str,
    because: Vec<String>,
}

/// The grants by principal, then by resource and host, in a stable order.
fn by_principal(access: &Access) -> BTreeMap<&str, Vec<Line>> {
    let mut grouped: BTreeMap<&str, BTreeMap<(String, &str), Line>> = BTreeMap::new();
    for (grant, whys) in &access.grants {
        let derived = whys.iter().any(|w| matches!(w, Why::Derived { .. }));
        let resource = grant.resource_shown();
        let origin = if derived { "derived" } else { "explicit" };
        let line = grouped.entry(&grant.principal).or_default().entry((resource.clone(), origin)).or_insert(Line {
            resource,
            operations: Vec::new(),
            origin,
            because: Vec::new(),
        });
        line.operations.push(grant.operation.as_str());
        for why in whys {
            let because = match why {
                Why::Derived { because, .. } => because.clone(),
                Why::Explicit { doc: Some(doc), .. } => format!("an `acl` node: {doc}"),
                Why::Explicit { doc: None, .. } => "an `acl` node".to_string(),
            };
            if !line.because.contains(&because) {
                line.because.push(because);
            }
        }
    }
    grouped.into_iter().map(|(principal, lines)| (principal, lines.into_values().collect())).collect()
}

/// The human listing: a block per principal, a line per resource.
pub(crate) fn human(target: &str, project: &Project, access: &Access) -> String {
    let grouped = by_principal(access);
    let mut out = String::new();
    if grouped.is_empty() && project.quotas.is_empty() {
        let _ = writeln!(out, "{target}: no principals; nothing is granted (no `principal=`, `acl` or `quota`)");
        return out;
    }
    let count = access.grants.len();
    let _ = writeln!(out, "{target}: {} principal(s), {count} grant(s)", grouped.len());
    if !project.deploys_access() {
        let _ = writeln!(out, "(the stack's broker has no authorizer: `venice apply` deploys none of these there)");
    }
    for (principal, lines) in &grouped {
        let _ = writeln!(out, "\n{principal}");
        let width = lines.iter().map(|l| l.resource.len()).max().unwrap_or(0);
        for line in lines {
            let ops = line.operations.join(", ");
            let _ = writeln!(out, "  {:<width$}  {ops}  [{}] {}", line.resource, line.origin, line.because.join("; "));
        }
    }
    for quota in &project.quotas {
        let _ = writeln!(out, "\nquota {}: {}", quota.principal.value, quota_settings(quota).join(", "));
    }
    out
}

/// The JSON document: every grant with its origin and reasons, and the quotas.
pub(crate) fn json(target: &str, project: &Project, access: &Access, sources: &SourceMap) -> Value {
    let grants: Vec<Value> = access
        .grants
        .iter()
        .map(|(grant, whys)| {
            let reasons: Vec<Value> = whys
                .iter()
                .map(|why| match why {
                    Why::Derived { because, span } => json!({"derived": because, "at": at(sources, *span)}),
                    Why::Explicit { span, doc } => json!({"explicit": doc, "at": at(sources, *span)}),
                })
                .collect();
            json!({
                "principal": grant.principal,
                "resource_type": grant.resource.kind.as_str(),
                "pattern": if grant.resource.pattern == crate::model::PatternType::Prefixed { "prefixed" } else { "literal" },
                "name": grant.resource.name,
                "operation": grant.operation.as_str(),
                "host": grant.host,
                "reasons": reasons,
            })
        })
        .collect();
    let quotas: Vec<Value> = project.quotas.iter().map(quota_json).collect();
    json!({"target": target, "grants": grants, "quotas": quotas})
}

/// `venice.kdl:12`: where a reason was declared.
fn at(sources: &SourceMap, span: crate::source::Span) -> String {
    let file = sources.get(span.file);
    format!("{}:{}", file.name, file.line_col(span.start).line)
}

fn quota_settings(quota: &QuotaDecl) -> Vec<String> {
    quota.settings().into_iter().filter_map(|(key, value)| Some(format!("{key}={}", value?))).collect()
}

fn quota_json(quota: &QuotaDecl) -> Value {
    let mut object = serde_json::Map::from_iter([("principal".to_string(), json!(quota.principal.value))]);
    object.extend(quota.settings().into_iter().map(|(key, value)| (key.to_string(), json!(value))));
    Value::Object(object)
}
