//! `venice ksql describe`, through the binary: the sources after a file of statements, in
//! ksqlDB's DESCRIBE form, with the schemas given for registry subjects; exit statuses.

use std::path::Path;
use std::process::{Command, Output};

fn venice(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_venice"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("venice runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const ORDERS_VALUE: &str = r#"{"type": "record", "name": "Order", "fields": [
    {"name": "customer", "type": "string"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}
]}"#;

const STATEMENTS: &str = "\
CREATE STREAM orders (id BIGINT KEY) WITH (kafka_topic='orders', value_format='AVRO');
CREATE TABLE spend WITH (KEY_FORMAT='JSON') AS
  SELECT customer, SUM(amount) AS total, COUNT(*) FROM orders
  WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY customer;
CREATE STREAM big AS SELECT id, amount * 2 AS doubled FROM orders WHERE amount > 100;
";

#[test]
fn json_lists_every_source_in_describe_form_with_formats() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pipeline.sql"), STATEMENTS).unwrap();
    std::fs::write(dir.path().join("order.avsc"), ORDERS_VALUE).unwrap();
    let output = venice(
        dir.path(),
        &["ksql", "describe", "pipeline.sql", "--schema", "orders-value=order.avsc", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one JSON document");
    assert_eq!(document["diagnostics"], serde_json::json!([]));
    let sources = document["sources"].as_array().unwrap();
    let by_name = |name: &str| sources.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("{name}"));
    let orders = by_name("ORDERS");
    assert_eq!(orders["type"], "stream");
    assert_eq!(orders["schema"], "ID BIGINT KEY, CUSTOMER STRING, AMOUNT DECIMAL(10, 2)");
    assert_eq!((orders["keyFormat"].as_str(), orders["valueFormat"].as_str()), (Some("KAFKA"), Some("AVRO")));
    let spend = by_name("SPEND");
    assert_eq!(spend["type"], "table");
    assert_eq!(spend["schema"], "CUSTOMER STRING PRIMARY KEY, TOTAL DECIMAL(10, 2), KSQL_COL_0 BIGINT");
    assert_eq!((spend["keyFormat"].as_str(), spend["valueFormat"].as_str()), (Some("JSON"), Some("AVRO")));
    assert_eq!(spend["windowType"], "TUMBLING");
    assert_eq!(by_name("BIG")["schema"], "ID BIGINT KEY, DOUBLED DECIMAL(21, 2)");
}

#[test]
fn problems_are_diagnostics_and_exit_one_human_output_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let sql = "CREATE STREAM s (id INT KEY, name STRING) WITH (kafka_topic='s', value_format='JSON');\n\
               CREATE STREAM t AS SELECT id, nmae FROM s;\n";
    std::fs::write(dir.path().join("bad.sql"), sql).unwrap();
    let output = venice(dir.path(), &["ksql", "describe", "bad.sql"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("V303"), "{text}");
    assert!(text.contains("unknown column `NMAE`"), "{text}");
    assert!(text.contains("did you mean `NAME`?"), "{text}");
    assert!(text.contains("STREAM S (topic `s`, key KAFKA, value JSON)\n  ID INTEGER KEY, NAME STRING"), "{text}");

    let json = venice(dir.path(), &["ksql", "describe", "bad.sql", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(document["diagnostics"][0]["code"], "V303");
    assert_eq!(document["diagnostics"][0]["line"], 2);
}

#[test]
fn a_file_that_cannot_be_read_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(venice(dir.path(), &["ksql", "describe", "missing.sql"]).status.code(), Some(2));
    std::fs::write(dir.path().join("a.sql"), "SET 'x' = 'y';").unwrap();
    let output = venice(dir.path(), &["ksql", "describe", "a.sql", "--schema", "no-equals-sign"]);
    assert_eq!(output.status.code(), Some(2));
}
