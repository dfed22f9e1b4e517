//! `--format sarif`: SARIF 2.1.0, one rule per code, for code-scanning tools.
//!
//! Columns count Unicode code points (`columnKind`), as our JSON does. URIs are the files' paths
//! relative to the project's root (the top of its git repository by default), against the base
//! `%SRCROOT%`, as code scanning reads them; the base's absolute URI is left out, so the output
//! is the same on every machine and wherever venice ran.

use super::locate;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{RULES, Rule};
use crate::source::{SourceMap, Span};
use serde_json::{Value, json};

/// The base every URI is relative to: the project's root. Its absolute URI is left out (SARIF
/// 2.1.0 §3.14.14): it would differ between machines and name folders outside the root.
const SRCROOT: &str = "%SRCROOT%";
const SRCROOT_TEXT: &str =
    "The project's root: --root, the `root` setting, the top of its git repository or its folder.";

pub(crate) fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "venice",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": RULES.iter().map(rule).collect::<Vec<_>>(),
                }
            },
            "originalUriBaseIds": {
                SRCROOT: { "description": { "text": SRCROOT_TEXT } }
            },
            "columnKind": "unicodeCodePoints",
            "results": diagnostics.iter().map(|d| result(d, sources)).collect::<Vec<_>>(),
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

fn rule(rule: &Rule) -> Value {
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.name },
        "help": { "text": rule.doc, "markdown": rule.doc },
        "defaultConfiguration": { "level": level(rule.severity) },
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(diagnostic: &Diagnostic, sources: &SourceMap) -> Value {
    let index = RULES.iter().position(|r| r.code == diagnostic.code);
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> = diagnostic
        .labels
        .iter()
        .enumerate()
        .map(|(id, label)| {
            let mut location = location(label.span, sources);
            location["id"] = json!(id);
            location["message"] = json!({ "text": label.message });
            location
        })
        .collect();
    let mut result = json!({
        "ruleId": diagnostic.code,
        "ruleIndex": index,
        "level": level(diagnostic.severity),
        "message": { "text": text },
        "locations": [location(diagnostic.span, sources)],
    });
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    result
}

fn location(span: Span, sources: &SourceMap) -> Value {
    let at = locate(span, sources);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_reference(at.file), "uriBaseId": SRCROOT },
            "region": {
                "startLine": at.start.line,
                "startColumn": at.start.column,
                "endLine": at.end.line,
                "endColumn": at.end.column,
            }
        }
    })
}

/// A relative path as a URI reference: unreserved characters and `/` stay, the rest is
/// percent-encoded (RFC 3986).
fn uri_reference(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => uri.push(byte as char),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("examples/my shop/venice.kdl"), "examples/my%20shop/venice.kdl");
        assert_eq!(uri_reference("ç.kdl"), "%C3%A7.kdl");
    }
}
