//! Protobuf and JSON Schema subjects through `venice apply` on the stack of `scripts/stack.sh`
//! (Apicurio Registry's Confluent API): a Protobuf schema that imports another through a
//! `reference` (the referenced subject registered first, the payload carrying `schemaType` and
//! `references`), a JSON Schema, and an incompatible change of each refused by `venice plan` by
//! venice's own diff, before the registry is asked. Ignored unless asked for; with the stack up:
//! `cargo test --test schema_types_live -- --include-ignored`.

#[path = "deploy/support.rs"]
mod support;

use support::*;

const MONEY: &str =
    "syntax = \"proto3\";\npackage shop.common;\n\nmessage Money {\n  string currency = 1;\n  int64 units = 2;\n}\n";
const PAYMENT: &str = "syntax = \"proto3\";\npackage shop.payments;\n\nimport \"money.proto\";\n\nmessage Payment {\n  string payment_id = 1;\n  shop.common.Money amount = 2;\n}\n";
const SCORE: &str =
    "syntax = \"proto3\";\npackage shop.scores;\n\nmessage Score {\n  string order_id = 1;\n  int64 points = 2;\n}\n";
const REVIEW: &str = r#"{"type": "object", "properties": {"review_id": {"type": "string"}, "text": {"type": "string"}}, "additionalProperties": false}"#;

/// A project with a Protobuf topic importing `money.proto`, a Protobuf topic without imports and a
/// JSON Schema topic, every name suffixed with `id`.
fn project(id: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("money.proto"), MONEY).unwrap();
    std::fs::write(dir.path().join("payment.proto"), PAYMENT).unwrap();
    std::fs::write(dir.path().join("score.proto"), SCORE).unwrap();
    std::fs::write(dir.path().join("review.json"), REVIEW).unwrap();
    let kdl = format!(
        r#"project schema_types
target stack {{
    kafka "127.0.0.1:9092"
    schema-registry "http://127.0.0.1:8081/apis/ccompat/v7"
}}
schema Money path="money.proto"
schema Payment path="payment.proto" {{
    reference "money.proto" schema=Money subject="money-{id}.proto"
}}
schema Score path="score.proto"
schema Review path="review.json"
topic payments-{id} {{
    key string
    value protobuf schema=Payment
}}
topic scores-{id} {{
    key string
    value protobuf schema=Score
}}
topic reviews-{id} {{
    key string
    value json-sr schema=Review
}}
producer shop topic=payments-{id} {{
    key string
    value protobuf schema=Payment
}}
producer scoring topic=scores-{id} {{
    key string
    value protobuf schema=Score
}}
producer form topic=reviews-{id} {{
    key string
    value json-sr schema=Review
}}
consumer books topic=payments-{id} group=books
consumer ranks topic=scores-{id} group=ranks
consumer mod topic=reviews-{id} group=mod
"#
    );
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    dir
}

/// The latest version of a subject in the registry, as JSON.
fn latest(subject: &str) -> serde_json::Value {
    let url = format!("http://127.0.0.1:8081/apis/ccompat/v7/subjects/{subject}/versions/latest");
    let output = std::process::Command::new("curl").args(["-fsS", &url]).output().expect("curl runs");
    assert!(output.status.success(), "{subject}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn protobuf_and_json_schema_subjects_are_applied_and_an_incompatible_change_is_refused_by_plan() {
    let id = unique().replace('_', "-");
    let dir = project(&id);
    let apply = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    let out = apply.stdout();
    let money = out.find(&format!("created subject `money-{id}.proto`")).unwrap_or_else(|| panic!("{out}"));
    let payments = out.find(&format!("created subject `payments-{id}-value`")).unwrap_or_else(|| panic!("{out}"));
    assert!(money < payments, "the referenced subject is registered first:\n{out}");

    let payment = latest(&format!("payments-{id}-value"));
    assert_eq!(payment["schemaType"], "PROTOBUF", "{payment}");
    let references = payment["references"].as_array().expect("references");
    assert_eq!(references[0]["name"], "money.proto", "{payment}");
    assert_eq!(references[0]["subject"], format!("money-{id}.proto"), "{payment}");
    assert_eq!(latest(&format!("reviews-{id}-value"))["schemaType"], "JSON");

    let again = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code(), Some(0), "{}", again.shown());

    // Incompatible changes: a scalar kind changed, a property removed from a closed model. The
    // lock is set aside so that `check` does not stop the plan first (V202 would).
    std::fs::remove_file(dir.path().join("venice.lock")).ok();
    std::fs::write(dir.path().join("score.proto"), SCORE.replace("int64 points", "string points")).unwrap();
    std::fs::write(dir.path().join("review.json"), REVIEW.replace(r#", "text": {"type": "string"}"#, "")).unwrap();
    let scores_before = latest(&format!("scores-{id}-value"))["version"].clone();
    let plan = venice(dir.path(), &["plan"]);
    let shown = plan.shown();
    assert_ne!(plan.code(), Some(0), "{shown}");
    assert!(shown.contains("FIELD_SCALAR_KIND_CHANGED"), "venice's own diff refuses the Protobuf change:\n{shown}");
    assert!(
        shown.contains("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
        "venice's own diff refuses the JSON Schema change:\n{shown}"
    );
    assert_eq!(latest(&format!("scores-{id}-value"))["version"], scores_before, "nothing was registered");
}
