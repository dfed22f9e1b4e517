//! The connector catalog end to end: the config `venice build` sends to Kafka Connect for every
//! catalog entry in each mode that changes it (snapshots in `tests/connect/`), the settings each
//! connector's documentation marks required, and the table a JDBC sink writes.

use std::path::Path;
use venice::analysis::sink_table::create_table;
use venice::check::{Checked, check, check_bytes};
use venice::connect::{Deployment, RegistryFlavour, catalog, connector_config, connector_config_for};
use venice::model::Direction;

/// Checks a project written as text, with side files, in a temporary folder.
fn project(kdl: &str, files: &[(&str, &str)]) -> Checked {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let checked = check_bytes(dir.path(), kdl.as_bytes());
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity.as_str() == "error")
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "the fixture has errors: {errors:#?}");
    checked
}

/// The rendered config of the connector named `name`, as pretty JSON.
fn config(checked: &Checked, name: &str, deployment: Option<&Deployment>) -> String {
    let connector = checked.project.connectors.iter().find(|c| c.name.value == name).expect("the connector");
    let map = match deployment {
        Some(d) => connector_config_for(&checked.project, connector, d),
        None => connector_config(&checked.project, connector),
    };
    let keys: Vec<&String> = map.keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "keys must come out sorted");
    serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap()
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/connect"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

const ORDER: &str = r#"{"type": "record", "name": "Order", "namespace": "shop", "fields": [
    {"name": "ORDER_ID", "type": "string"},
    {"name": "CUSTOMER_ID", "type": "long"},
    {"name": "AMOUNT", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "PLACED", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "NOTE", "type": ["null", "string"], "default": null}]}"#;

const SINKS: &str = r#"
project demo
database shop {
    host db.example.com port=6543
    name orders_db
    user venice
    password env=POSTGRES_PASSWORD
}
database local
schema Order path="order.avsc"
topic orders {
    key string
    value avro schema=Order
}
producer web topic=orders {
    key string
    value avro schema=Order
}
sink orders-insert connector=jdbc topic=orders {
    database shop
}
sink orders-upsert connector=jdbc topic=orders {
    database shop
    table "public.orders"
    mode upsert
    pk record-key fields=ORDER_ID
    deletes #true
    key string
    value avro
}
sink orders-by-value connector=jdbc topic=orders {
    database local
    table orders_by_value
    mode update
    pk record-value fields=ORDER_ID,CUSTOMER_ID
}
sink orders-dbz-insert connector=debezium-jdbc topic=orders {
    database shop
}
sink orders-dbz-upsert connector=debezium-jdbc topic=orders {
    database local
    table orders_copy
    mode upsert
    pk record-key fields=ORDER_ID
    deletes #true
    config "tasks.max" "3"
}
"#;

fn sinks() -> Checked {
    project(SINKS, &[("order.avsc", ORDER)])
}

#[test]
fn confluent_jdbc_sink_configs() {
    let checked = sinks();
    snapshot("jdbc-insert", &config(&checked, "orders-insert", None));
    snapshot("jdbc-upsert-record-key-deletes", &config(&checked, "orders-upsert", None));
    snapshot("jdbc-update-record-value", &config(&checked, "orders-by-value", None));
}

#[test]
fn debezium_jdbc_sink_configs() {
    let checked = sinks();
    snapshot("debezium-jdbc-insert", &config(&checked, "orders-dbz-insert", None));
    snapshot("debezium-jdbc-upsert", &config(&checked, "orders-dbz-upsert", None));
}

#[test]
fn apicurio_flavour_renders_its_avro_converter() {
    let checked = sinks();
    let apicurio = Deployment {
        registry: RegistryFlavour::Apicurio,
        registry_url: "http://registry:8080/apis/registry/v3".into(),
        postgres_host: "postgres".into(),
        secrets_dir: "/run/secrets".into(),
    };
    snapshot("jdbc-upsert-apicurio", &config(&checked, "orders-upsert", Some(&apicurio)));
}

const ORDERS_DDL: &str = "CREATE TABLE public.orders (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL,
    status      text NOT NULL,
    total       numeric(10,2),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE inventory.stock (sku text PRIMARY KEY, count int NOT NULL);
";

const SOURCES: &str = r#"
project demo
database shop {
    user venice
    password file="secrets/pg-password"
}
topic shop.public.orders {
    key avro
    value avro
}
topic orders-changes {
    key json-sr
    value protobuf
}
topic stock {
    key connect-json
    value connect-json
}
topic lines {
    value string
}
topic lines-out {
    key string
    value json
}
source orders-cdc connector=debezium-postgres {
    database shop
    table "public.orders" topic=shop.public.orders ddl="orders.sql"
    unwrap #true
    key avro
    value avro
    config "snapshot.mode" "initial"
}
source changes-cdc connector=debezium-postgres {
    database shop
    table orders topic=orders-changes ddl="orders.sql"
    table "inventory.stock" topic=stock ddl="orders.sql"
}
source lines-in connector=file topic=lines {
    file "/data/in.txt"
    key none
}
sink lines-to-file connector=file topic=lines-out {
    file "/data/out.jsonl"
}
sink custom class="com.example.MySinkConnector" topic=stock {
    value connect-json
    config "custom.setting" "42"
}
"#;

fn sources() -> Checked {
    project(SOURCES, &[("orders.sql", ORDERS_DDL)])
}

#[test]
fn debezium_postgres_source_configs() {
    let checked = sources();
    snapshot("debezium-postgres-unwrap", &config(&checked, "orders-cdc", None));
    snapshot("debezium-postgres-envelope-routed", &config(&checked, "changes-cdc", None));
}

#[test]
fn file_and_class_connector_configs() {
    let checked = sources();
    snapshot("file-source", &config(&checked, "lines-in", None));
    snapshot("file-sink", &config(&checked, "lines-to-file", None));
    snapshot("class-passthrough", &config(&checked, "custom", None));
}

#[test]
fn the_cdc_example_renders_and_its_sink_table_is_for_review() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let checked = check(&root.join("examples/cdc")).expect("the example");
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    snapshot("cdc-source", &config(&checked, "orders-cdc", None));
    snapshot("cdc-sink", &config(&checked, "big-orders-to-postgres", None));
    let sink = checked.project.connectors.iter().find(|c| c.name.value == "big-orders-to-postgres").unwrap();
    snapshot("cdc-sink-table", &create_table(&checked.project, &checked.analysis, sink).expect("a JDBC sink"));
    let source = checked.project.connectors.iter().find(|c| c.name.value == "orders-cdc").unwrap();
    assert_eq!(create_table(&checked.project, &checked.analysis, source), None, "a source writes no table");
}

#[test]
fn sink_tables_from_avro_and_from_debezium_ddl() {
    let checked = sinks();
    for name in ["orders-insert", "orders-upsert", "orders-by-value", "orders-dbz-upsert"] {
        let sink = checked.project.connectors.iter().find(|c| c.name.value == name).unwrap();
        snapshot(&format!("table-{name}"), &create_table(&checked.project, &checked.analysis, sink).unwrap());
    }
    let ddl = "CREATE TABLE public.payments (
        id bigint PRIMARY KEY, amount numeric(12,4) NOT NULL, paid date, at timestamp(3),
        meta jsonb, ref uuid);";
    let kdl = r#"
project demo
database shop {
    user venice
}
source pay-cdc connector=debezium-postgres {
    database shop
    table payments topic=shop.public.payments ddl="payments.sql"
    key avro
    value avro
}
topic shop.public.payments {
    key avro
    value avro
}
sink pay-dbz connector=debezium-jdbc topic=shop.public.payments {
    database shop
    mode upsert
    pk record-key
    deletes #true
}
"#;
    let checked = project(kdl, &[("payments.sql", ddl)]);
    let sink = checked.project.connectors.iter().find(|c| c.name.value == "pay-dbz").unwrap();
    snapshot("table-debezium-envelope", &create_table(&checked.project, &checked.analysis, sink).unwrap());
    // Confluent's sink over the unwrapped rows: Debezium's time types arrive as plain numbers
    // and strings, the columns hold those.
    let kdl = kdl
        .replace("    key avro\n    value avro\n}\ntopic", "    unwrap #true\n    key avro\n    value avro\n}\ntopic");
    let kdl = kdl.replace("connector=debezium-jdbc", "connector=jdbc");
    let checked = project(&kdl, &[("payments.sql", ddl)]);
    let sink = checked.project.connectors.iter().find(|c| c.name.value == "pay-dbz").unwrap();
    snapshot("table-confluent-unwrapped", &create_table(&checked.project, &checked.analysis, sink).unwrap());
}

/// Every config carries the settings its connector's documentation marks required (see
/// `connect::catalog` for the sources of each list).
#[test]
fn every_rendered_config_has_the_documented_required_settings() {
    let checked_sinks = sinks();
    let checked_sources = sources();
    let mut seen = Vec::new();
    for checked in [&checked_sinks, &checked_sources] {
        for connector in &checked.project.connectors {
            let Some(entry) = catalog::of(connector) else { continue };
            let config = connector_config(&checked.project, connector);
            for key in entry.required_keys(connector.direction) {
                assert!(config.contains_key(key), "{}: `{key}` missing from {config:#?}", connector.name.value);
            }
            assert_eq!(config["connector.class"], entry.class(connector.direction));
            assert_eq!(config["name"], connector.name.value.as_str());
            seen.push((entry.name, connector.direction));
        }
    }
    for entry in catalog::CATALOG {
        for direction in entry.directions {
            assert!(seen.contains(&(entry.name, *direction)), "{} as {direction:?} is not covered", entry.name);
        }
    }
    assert!(seen.iter().any(|(_, d)| *d == Direction::Source));
}

/// Secrets are config-provider references, never values.
#[test]
fn secrets_render_as_provider_references() {
    let checked = sinks();
    let sink = checked.project.connectors.iter().find(|c| c.name.value == "orders-upsert").unwrap();
    assert_eq!(connector_config(&checked.project, sink)["connection.password"], "${env:POSTGRES_PASSWORD}");
    let checked = sources();
    let source = checked.project.connectors.iter().find(|c| c.name.value == "orders-cdc").unwrap();
    assert_eq!(connector_config(&checked.project, source)["database.password"], "${dir:/run/secrets:pg-password}");
}

/// The same project renders the same bytes every time.
#[test]
fn configs_are_deterministic() {
    let once = config(&sources(), "changes-cdc", None);
    for _ in 0..3 {
        assert_eq!(config(&sources(), "changes-cdc", None), once);
    }
}

/// What Debezium sources derive joins the project's Avro schemas under the registry subjects'
/// names, parses without a problem, and is what the topic declares and ksqlDB reads.
#[test]
fn derived_schemas_join_the_project_and_parse() {
    let ddl = "CREATE TABLE public.everything (
        id bigserial PRIMARY KEY, code char(3) NOT NULL, small smallint, r real, d double precision,
        total numeric(12,3), loose numeric, cash money, doc jsonb, ref uuid, raw bytea, day date,
        t time, ts timestamp(3), tstz timestamptz, span interval, tags text[], flag boolean,
        CONSTRAINT second UNIQUE (code));";
    let kdl = r#"
project demo
database shop {
    user venice
}
source all-cdc connector=debezium-postgres {
    database shop
    table everything topic=shop.public.everything ddl="everything.sql"
    key avro
    value avro
}
topic shop.public.everything {
    key avro
    value avro
}
stream everything topic=shop.public.everything key-column=ID
"#;
    let checked = project(kdl, &[("everything.sql", ddl)]);
    let topic = checked.project.topic("shop.public.everything").unwrap();
    assert_eq!(topic.key.as_ref().unwrap().schema.as_ref().unwrap().value, "shop.public.everything-key");
    assert_eq!(topic.value.as_ref().unwrap().schema.as_ref().unwrap().value, "shop.public.everything-value");
    for name in ["shop.public.everything-key", "shop.public.everything-value"] {
        assert!(checked.project.schema(name).is_some(), "{name} is a schema of the project");
        assert!(venice::connect::is_derived(&checked.project, name));
        assert!(checked.analysis.avro.schema(name).is_some(), "{name} parses");
    }
    assert!(!venice::connect::is_derived(&checked.project, "Order"));
    let value = checked.project.schema("shop.public.everything-value").unwrap();
    let text = value.text(&checked.sources).unwrap().text;
    snapshot("derived-envelope-avsc", &text);
}
