//! The real-services stack (`scripts/stack.sh up`) checked end to end, at the protocol level.
//!
//! Ignored unless asked for (`cargo test -- --include-ignored`): these tests need PostgreSQL,
//! Kafka, Apicurio Registry, Kafka Connect and the fake ksqlDB server running on loopback
//! (`scripts/stack.sh up`, docs/real-services.md). Each test names the service and the address
//! that did not answer, so a failure says what is down.
//!
//! HTTP is spoken over `std::net::TcpStream` by the small client below (HTTP/1.1, one request
//! per connection, fixed-length or chunked bodies); Kafka and PostgreSQL get one handshake each
//! in their own wire protocols. The round trip test also needs `psql` (Debian's
//! postgresql-client, which the stack script installs).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const REGISTRY: &str = "127.0.0.1:8081";
const CCOMPAT: &str = "/apis/ccompat/v7";
const CONNECT: &str = "127.0.0.1:8083";
const KSQLDB: &str = "127.0.0.1:8088";
const KAFKA: &str = "127.0.0.1:9092";
const POSTGRES: &str = "127.0.0.1:5432";
const APICURIO_AVRO: &str = "io.apicurio.registry.utils.converter.AvroConverter";

struct Response {
    status: u16,
    body: String,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn connect(service: &str, addr: &str) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{service} is not answering at {addr}: {e} (run scripts/stack.sh up)"));
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    stream.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
}

/// One HTTP/1.1 request; the body, if any, is JSON.
fn http(service: &str, addr: &str, method: &str, path: &str, body: Option<&Value>) -> Response {
    let mut stream = connect(service, addr);
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n");
    if body.is_some() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{payload}", payload.len()));
    stream.write_all(request.as_bytes()).unwrap();

    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{service} at {addr}: not an HTTP status line: {line:?}"));
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
    }
    let mut bytes = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap(), 16)
                .unwrap_or_else(|_| panic!("{service}: bad chunk size {line:?}"));
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(n) = length {
        bytes.resize(n, 0);
        reader.read_exact(&mut bytes).unwrap();
    } else {
        reader.read_to_end(&mut bytes).unwrap();
    }
    Response { status, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn get(service: &str, addr: &str, path: &str) -> Response {
    http(service, addr, "GET", path, None)
}

/// Polls `check` until it returns Some, or panics after `secs` with `what`.
fn wait_for<T>(what: &str, secs: u64, mut check: impl FnMut() -> Option<T>) -> (T, Duration) {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return (value, start.elapsed());
        }
        assert!(start.elapsed() < Duration::from_secs(secs), "timed out after {secs} s waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A name no earlier run used, for topics, tables, subjects and connectors.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    format!("{prefix}_{}_{}", std::process::id(), nanos.as_millis() % 100_000_000)
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn registry_serves_the_confluent_api_at_a_path() {
    let subjects = get("registry", REGISTRY, &format!("{CCOMPAT}/subjects"));
    assert_eq!(subjects.status, 200, "{}", subjects.body);
    assert!(subjects.json().is_array(), "GET /subjects is not an array: {}", subjects.body);

    // The stack sets BACKWARD as the global rule, so /config answers like Confluent's default.
    let config = get("registry", REGISTRY, &format!("{CCOMPAT}/config"));
    assert_eq!(config.status, 200, "{}", config.body);
    assert_eq!(config.json()["compatibilityLevel"], "BACKWARD", "{}", config.body);

    // Register, read back, and ask /compatibility about a breaking change.
    let subject = format!("{}-value", unique("live_registry"));
    let v1 = r#"{"type":"record","name":"Row","fields":[{"name":"id","type":"int"}]}"#;
    let posted = http(
        "registry",
        REGISTRY,
        "POST",
        &format!("{CCOMPAT}/subjects/{subject}/versions"),
        Some(&json!({ "schema": v1 })),
    );
    assert_eq!(posted.status, 200, "{}", posted.body);
    let id = posted.json()["id"].as_i64().expect("an id");
    let latest = get("registry", REGISTRY, &format!("{CCOMPAT}/subjects/{subject}/versions/latest"));
    assert_eq!(latest.json()["id"].as_i64(), Some(id), "{}", latest.body);
    assert_eq!(latest.json()["version"], 1, "{}", latest.body);

    let breaking = r#"{"type":"record","name":"Row","fields":[{"name":"id","type":"string"}]}"#;
    let compat = http(
        "registry",
        REGISTRY,
        "POST",
        &format!("{CCOMPAT}/compatibility/subjects/{subject}/versions/latest"),
        Some(&json!({ "schema": breaking })),
    );
    assert_eq!(compat.status, 200, "{}", compat.body);
    assert_eq!(compat.json()["is_compatible"], false, "{}", compat.body);
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn connect_has_the_plugins_the_pipelines_use() {
    let plugins = get("connect", CONNECT, "/connector-plugins?connectorsOnly=false");
    assert_eq!(plugins.status, 200, "{}", plugins.body);
    let classes: Vec<String> = plugins
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["class"].as_str().map(str::to_owned))
        .collect();
    for class in [
        "io.debezium.connector.postgresql.PostgresConnector",
        "io.debezium.connector.jdbc.JdbcSinkConnector",
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "org.apache.kafka.connect.file.FileStreamSinkConnector",
        APICURIO_AVRO,
    ] {
        assert!(classes.iter().any(|c| c == class), "Connect does not list {class}: {classes:?}");
    }

    // A connector config naming the Apicurio converter validates (the class loads); a converter
    // that does not exist is an error on that key, so the check can fail.
    let validate = |converter: &str| {
        let config = json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "name": "live-validate",
            "topics": "live-validate",
            "file": "/dev/null",
            "value.converter": converter,
            "value.converter.apicurio.registry.url": "http://127.0.0.1:8081/apis/registry/v3",
        });
        let r = http(
            "connect",
            CONNECT,
            "PUT",
            "/connector-plugins/FileStreamSinkConnector/config/validate",
            Some(&config),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    };
    let good = validate(APICURIO_AVRO);
    assert_eq!(good["error_count"], 0, "{good}");
    let bad = validate("io.apicurio.registry.utils.converter.NoSuchConverter");
    assert!(bad["error_count"].as_i64().unwrap_or(0) >= 1, "{bad}");
    let errors: Vec<&Value> = bad["configs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["value"]["name"] == "value.converter")
        .flat_map(|c| c["value"]["errors"].as_array().unwrap())
        .collect();
    assert!(!errors.is_empty(), "no error on value.converter: {bad}");
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn fake_ksqldb_answers_info_and_sequences_commands() {
    let info = get("ksqldb", KSQLDB, "/info");
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.json()["KsqlServerInfo"]["serverStatus"], "RUNNING", "{}", info.body);

    let stream = unique("LIVE_KSQL").to_uppercase();
    let created = http(
        "ksqldb",
        KSQLDB,
        "POST",
        "/ksql",
        Some(&json!({
            "ksql": format!("CREATE STREAM {stream} (id INT KEY, v STRING) \
                             WITH (KAFKA_TOPIC='{stream}', VALUE_FORMAT='AVRO');"),
            "streamsProperties": {},
        })),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let entity = &created.json()[0];
    assert_eq!(entity["commandStatus"]["status"], "SUCCESS", "{entity}");
    let seq = entity["commandSequenceNumber"].as_i64().expect("a sequence number");
    let command_id = entity["commandId"].as_str().unwrap().to_owned();
    assert_eq!(command_id, format!("stream/{stream}/create"));

    let status = get("ksqldb", KSQLDB, &format!("/status/{command_id}"));
    assert_eq!(status.json()["status"], "SUCCESS", "{}", status.body);

    let listed = http(
        "ksqldb",
        KSQLDB,
        "POST",
        "/ksql",
        Some(&json!({ "ksql": "LIST STREAMS;", "commandSequenceNumber": seq })),
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    let names: Vec<String> = listed.json()[0]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str().map(str::to_owned))
        .collect();
    assert!(names.contains(&stream), "{}", listed.body);

    // Waiting for a command that never ran times out as ksqlDB does: 503, error 50301.
    let ahead = http(
        "ksqldb",
        KSQLDB,
        "POST",
        "/ksql",
        Some(&json!({ "ksql": "LIST STREAMS;", "commandSequenceNumber": seq + 1000 })),
    );
    assert_eq!(ahead.status, 503, "{}", ahead.body);
    assert_eq!(ahead.json()["error_code"], 50301, "{}", ahead.body);
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn kafka_answers_api_versions() {
    // ApiVersions v0: size, api_key 18, api_version 0, correlation_id, client_id.
    let client = b"venice-live";
    let mut request = Vec::new();
    request.extend_from_slice(&18i16.to_be_bytes());
    request.extend_from_slice(&0i16.to_be_bytes());
    request.extend_from_slice(&7i32.to_be_bytes());
    request.extend_from_slice(&(client.len() as i16).to_be_bytes());
    request.extend_from_slice(client);
    let mut stream = connect("kafka", KAFKA);
    stream.write_all(&(request.len() as i32).to_be_bytes()).unwrap();
    stream.write_all(&request).unwrap();
    let mut size = [0; 4];
    stream.read_exact(&mut size).unwrap();
    let mut response = vec![0; i32::from_be_bytes(size) as usize];
    stream.read_exact(&mut response).unwrap();
    assert_eq!(i32::from_be_bytes(response[0..4].try_into().unwrap()), 7, "correlation id");
    assert_eq!(i16::from_be_bytes(response[4..6].try_into().unwrap()), 0, "error code");
    let count = i32::from_be_bytes(response[6..10].try_into().unwrap());
    assert!(count > 40, "Kafka 4 answers with many APIs, got {count}");
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn postgres_speaks_its_protocol() {
    // SSLRequest: the server answers one byte, 'N' (no TLS on this stack) or 'S'.
    let mut stream = connect("postgres", POSTGRES);
    stream.write_all(&8i32.to_be_bytes()).unwrap();
    stream.write_all(&80877103i32.to_be_bytes()).unwrap();
    let mut answer = [0; 1];
    stream.read_exact(&mut answer).unwrap();
    assert!(answer[0] == b'N' || answer[0] == b'S', "not PostgreSQL: {answer:?}");
}

fn psql(sql: &str) -> String {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-p", "5432", "-U", "venice", "-d", "venice", "-qAtX"])
        .args(["-v", "ON_ERROR_STOP=1", "-c", sql])
        .env("PGPASSWORD", "venice")
        .output()
        .expect("psql runs (apt-get install postgresql-client)");
    assert!(out.status.success(), "psql {sql:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn put_connector(name: &str, config: &Value) {
    // Connect answers 409 while it rebalances: retry, bounded.
    let (status, _) = wait_for(&format!("PUT /connectors/{name}/config"), 60, || {
        let r = http("connect", CONNECT, "PUT", &format!("/connectors/{name}/config"), Some(config));
        match r.status {
            200 | 201 => Some(r.status),
            409 => None,
            other => panic!("PUT {name}: {other} {}", r.body),
        }
    });
    assert!(status == 200 || status == 201);
}

fn converters() -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    for side in ["key", "value"] {
        map.insert(format!("{side}.converter"), json!(APICURIO_AVRO));
        for (k, v) in [
            ("apicurio.registry.url", "http://127.0.0.1:8081/apis/registry/v3"),
            ("apicurio.registry.auto-register", "true"),
            ("apicurio.registry.find-latest", "true"),
        ] {
            map.insert(format!("{side}.converter.{k}"), json!(v));
        }
    }
    map
}

/// PostgreSQL table -> Debezium source (Apicurio Avro) -> Kafka -> Debezium JDBC sink -> table:
/// insert, update and delete arrive; the registry shows the subjects through the Confluent API.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn cdc_round_trip_through_debezium_avro_and_the_jdbc_sink() {
    let name = unique("live_rt");
    let (source_table, sink_table) = (format!("{name}_src"), format!("{name}_dst"));
    psql(&format!(
        "CREATE TABLE {source_table} (id int PRIMARY KEY, name text NOT NULL, email text); \
         INSERT INTO {source_table} VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL);"
    ));
    let topic = format!("{name}.public.{source_table}");
    let mut source = converters();
    for (k, v) in [
        ("connector.class", "io.debezium.connector.postgresql.PostgresConnector"),
        ("database.hostname", "127.0.0.1"),
        ("database.port", "5432"),
        ("database.user", "venice"),
        // Resolved by the worker's EnvVarConfigProvider (the stack script sets the variable).
        ("database.password", "${env:VENICE_STACK_PG_PASSWORD}"),
        ("database.dbname", "venice"),
        ("plugin.name", "pgoutput"),
        ("publication.autocreate.mode", "filtered"),
        ("slot.drop.on.stop", "true"),
    ] {
        source.insert(k.into(), json!(v));
    }
    source.insert("topic.prefix".into(), json!(name));
    source.insert("table.include.list".into(), json!(format!("public.{source_table}")));
    source.insert("slot.name".into(), json!(name));
    source.insert("publication.name".into(), json!(format!("{name}_pub")));
    let mut sink = converters();
    for (k, v) in [
        ("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
        ("connection.url", "jdbc:postgresql://127.0.0.1:5432/venice"),
        ("connection.username", "venice"),
        ("connection.password", "${env:VENICE_STACK_PG_PASSWORD}"),
        ("insert.mode", "upsert"),
        ("primary.key.mode", "record_key"),
        ("delete.enabled", "true"),
        ("schema.evolution", "basic"),
    ] {
        sink.insert(k.into(), json!(v));
    }
    sink.insert("topics".into(), json!(topic));
    sink.insert("collection.name.format".into(), json!(sink_table));

    let (source_name, sink_name) = (format!("{name}-source"), format!("{name}-sink"));
    put_connector(&source_name, &Value::Object(source));
    put_connector(&sink_name, &Value::Object(sink));

    let rows = |sql: &str| {
        let out = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "venice", "-d", "venice", "-qAtX", "-c", sql])
            .env("PGPASSWORD", "venice")
            .output()
            .unwrap();
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let select = format!("SELECT id, name, coalesce(email, '-') FROM {sink_table} ORDER BY id");
    let (_, snapshot) = wait_for("the snapshot in the sink table", 90, || {
        rows(&select).filter(|r| r == "1|Ada|ada@example.com\n2|Grace|-")
    });
    psql(&format!(
        "INSERT INTO {source_table} VALUES (3, 'Edsger', 'ed@example.com'); \
         UPDATE {source_table} SET email = 'grace@example.com' WHERE id = 2; \
         DELETE FROM {source_table} WHERE id = 1;"
    ));
    let (_, streaming) = wait_for("insert, update and delete in the sink table", 60, || {
        rows(&select).filter(|r| r == "2|Grace|grace@example.com\n3|Edsger|ed@example.com")
    });
    eprintln!("round trip: snapshot {snapshot:?} after the connectors were created, changes {streaming:?}");

    // The converter registered key and value through the registry; the Confluent API shows them.
    let subjects = get("registry", REGISTRY, &format!("{CCOMPAT}/subjects")).json();
    for subject in [format!("{topic}-key"), format!("{topic}-value")] {
        assert!(subjects.as_array().unwrap().iter().any(|s| s == subject.as_str()), "{subject} not in {subjects}");
    }

    for connector in [&sink_name, &source_name] {
        let r = http("connect", CONNECT, "DELETE", &format!("/connectors/{connector}"), None);
        assert!(r.status == 204 || r.status == 200, "DELETE {connector}: {} {}", r.status, r.body);
    }
    // The slot is dropped when the source task stops (slot.drop.on.stop); drop what is left.
    let _ = wait_for("the replication slot to go", 30, || {
        let left = rows(&format!("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{name}'"));
        (left.as_deref() == Some("0")).then_some(())
    });
    psql(&format!(
        "DROP TABLE {source_table}; DROP TABLE IF EXISTS {sink_table}; \
         DROP PUBLICATION IF EXISTS {name}_pub;"
    ));
}
