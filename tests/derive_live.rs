//! The schemas venice derives from a Debezium source's DDL, against what Debezium's converter
//! really registers: the `tests/deploy/stack-cdc` pipeline applied to the real-services stack
//! (Debezium 3.6 PostgreSQL source, Apicurio's AvroConverter), then the key and value subjects
//! read back from the registry with their references inlined, and compared with venice's
//! derived schemas: names, fields, types, defaults and `connect.*` properties. Ignored unless
//! asked for; with the stack up: `cargo test --test derive_live -- --include-ignored`.

#[path = "deploy/support.rs"]
mod support;

use serde_json::{Map, Value};
use support::*;

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn the_derived_key_and_envelope_are_what_debezium_registers() {
    let project = Project::stack_cdc();
    create_source_table(&project);
    let apply = project.venice(&["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());

    derived_as_registered(project.path(), &project.cdc_topic);
    clean_up(&project);
}

/// A table with one column of each kind Debezium maps its own way (decimals with and without
/// precision, money, time types at each precision, timestamptz, uuid, json, arrays, a composite
/// primary key), captured with the connector's defaults: the derived key and envelope are what
/// Debezium registers for it.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn the_derived_schemas_of_every_column_kind_are_what_debezium_registers() {
    let id = unique();
    let table = format!("k{id}");
    let ddl = format!(
        "CREATE TABLE public.{table} (\n\
         region text NOT NULL,\n\
         n integer NOT NULL,\n\
         small smallint,\n\
         big bigint,\n\
         flag boolean,\n\
         ratio real,\n\
         score double precision,\n\
         price numeric(10,2),\n\
         amount numeric,\n\
         cash money,\n\
         day date,\n\
         at_ms time(3),\n\
         at_us time,\n\
         stamp_ms timestamp(3),\n\
         stamp timestamp,\n\
         zoned timestamptz,\n\
         ident uuid,\n\
         doc jsonb,\n\
         tags text[],\n\
         raw bytea,\n\
         code char(3),\n\
         label varchar(20),\n\
         PRIMARY KEY (region, n)\n);\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("table.sql"), &ddl).unwrap();
    let topic = format!("d{id}.public.{table}");
    let kdl = format!(
        "project kinds\n\
         target stack {{\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7\"\n    connect \"http://127.0.0.1:8083\"\n}}\n\
         database app kind=postgres {{\n    host \"127.0.0.1\" port=5432\n    name venice\n    user venice\n    password env=VENICE_STACK_PG_PASSWORD\n}}\n\
         source k{id}-cdc connector=debezium-postgres {{\n    database app\n    table \"public.{table}\" topic={topic} ddl=\"table.sql\"\n    key avro\n    value avro\n    config \"topic.prefix\" \"d{id}\"\n}}\n\
         topic {topic} partitions=1 replication=1 {{\n    key avro\n    value avro\n}}\n\
         consumer audit topic={topic} group=audit {{\n    key avro\n    value avro\n}}\n"
    );
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    psql(&ddl).unwrap();
    psql(&format!(
        "INSERT INTO public.{table} VALUES ('eu', 1, 2, 3, true, 1.5, 2.5, 12.34, 5.678, 9.99, '2026-11-26', \
         '12:34:56.789', '12:34:56.789012', '2026-11-26 12:34:56.789', '2026-11-26 12:34:56.789012', \
         '2026-11-26 12:34:56+01', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{{\"a\": 1}}', '{{x,y}}', '\\x00ff', 'abc', 'label')"
    ))
    .unwrap();
    let apply = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    derived_as_registered(dir.path(), &topic);
    std::fs::write(
        dir.path().join("venice.kdl"),
        "project kinds\ntarget stack {\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7\"\n    connect \"http://127.0.0.1:8083\"\n}\n",
    )
    .unwrap();
    let pruned = venice(dir.path(), &["apply", "--yes", "--prune"]);
    assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
    let slot = format!("k{id}_cdc");
    let _ = wait_for("the replication slot to be dropped", 30, || {
        psql(&format!(
            "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = '{slot}' AND NOT active"
        ))
        .ok()?;
        let left = psql(&format!("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}'")).ok()?;
        (left == "0").then_some(())
    });
    psql(&format!("DROP TABLE IF EXISTS public.{table}; DROP PUBLICATION IF EXISTS {slot};")).unwrap();
}

/// Venice's derived key and value schemas of `topic` in the project at `dir` are what Debezium
/// registered for them.
fn derived_as_registered(dir: &std::path::Path, topic: &str) {
    let checked = venice::check::check(dir).unwrap();
    for side in ["key", "value"] {
        let subject = format!("{topic}-{side}");
        let (registered, _) = wait_for(&format!("Debezium to register `{subject}`"), 60, || registered(&subject));
        let ours = checked.project.schema(&subject).unwrap_or_else(|| panic!("venice derives no `{subject}`"));
        let venice::model::SchemaSource::Inline(text) = &ours.source else { panic!("{ours:?}") };
        let ours: Value = serde_json::from_str(&text.text).unwrap();
        let (ours, registered) = (resolved(&ours, ""), resolved(&registered, ""));
        assert!(ours == registered, "`{subject}` differs at {}", first_difference(&ours, &registered, String::new()));
    }
}

/// Where two JSON values first differ, and how: for a failed comparison that a person can read.
fn first_difference(ours: &Value, theirs: &Value, at: String) -> String {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys()) {
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) if x != y => return first_difference(x, y, format!("{at}/{key}")),
                    (Some(x), None) => return format!("{at}/{key}: venice has {x}, Debezium nothing"),
                    (None, Some(y)) => return format!("{at}/{key}: Debezium has {y}, venice nothing"),
                    _ => {}
                }
            }
            format!("{at}: equal")
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let (i, (x, y)) = a.iter().zip(b).enumerate().find(|(_, (x, y))| x != y).expect("they differ");
            let name = x["name"].as_str().map_or(String::new(), |n| format!(" ({n})"));
            first_difference(x, y, format!("{at}/{i}{name}"))
        }
        _ => format!("{at}: venice has {ours}, Debezium {theirs}"),
    }
}

/// The latest schema of a subject with its references inlined (Apicurio's native API: the
/// converter registers `source`, `transaction` and the row record as references).
fn registered(subject: &str) -> Option<Value> {
    let url = format!(
        "http://127.0.0.1:8081/apis/registry/v3/groups/default/artifacts/{subject}/versions/branch=latest/content?references=DEREFERENCE"
    );
    let mut reply = ureq::get(&url).call().ok()?;
    serde_json::from_str(&reply.body_mut().read_to_string().ok()?).ok()
}

/// A schema with every name written in full (namespaces resolved as Avro 1.12 says) and
/// `"order": "ASCENDING"` (the default) left out, so two spellings of one schema compare equal.
fn resolved(schema: &Value, namespace: &str) -> Value {
    const KEYWORDS: [&str; 13] = [
        "null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "enum", "fixed", "array",
        "map",
    ];
    let full = |name: &str, namespace: &str| {
        if name.contains('.') || namespace.is_empty() { name.to_string() } else { format!("{namespace}.{name}") }
    };
    match schema {
        Value::String(name) if !KEYWORDS.contains(&name.as_str()) => Value::String(full(name, namespace)),
        Value::Array(branches) => Value::Array(branches.iter().map(|b| resolved(b, namespace)).collect()),
        Value::Object(object) => {
            let mut out = Map::new();
            let mut inner = namespace.to_string();
            if let Some(name) = object.get("name").and_then(Value::as_str).filter(|_| object.contains_key("type")) {
                let own = object.get("namespace").and_then(Value::as_str).unwrap_or(namespace);
                let name = full(name, own);
                inner = name.rsplit_once('.').map_or(String::new(), |(ns, _)| ns.to_string());
                out.insert("name".into(), Value::String(name));
            }
            for (key, value) in object {
                match key.as_str() {
                    "name" | "namespace" => {}
                    "order" if value == "ASCENDING" => {}
                    "type" | "items" | "values" => {
                        out.insert(key.clone(), resolved(value, &inner));
                    }
                    "fields" => {
                        let fields = value.as_array().into_iter().flatten().map(|f| field(f, &inner)).collect();
                        out.insert(key.clone(), Value::Array(fields));
                    }
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// A record field: its name kept as written, its type resolved.
fn field(field: &Value, namespace: &str) -> Value {
    let mut out = Map::new();
    for (key, value) in field.as_object().into_iter().flatten() {
        match key.as_str() {
            "type" => {
                out.insert(key.clone(), resolved(value, namespace));
            }
            "order" if value == "ASCENDING" => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}
