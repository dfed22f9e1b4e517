//! `venice tail` decoding registry-framed Avro from the local broker, beside `kcat` reading the
//! same records raw (the floor that consuming alone costs: kcat cannot decode Avro).
//!
//! Needs the stack of `scripts/stack.sh` (Kafka at 127.0.0.1:9092, the registry's Confluent API
//! at 127.0.0.1:8081/apis/ccompat/v7); without it the benchmark says so and exits with status 1.
//! `kcat` (`apt-get install kcat`) is skipped with a message when absent. Run with `cargo bench
//! --bench tail` (`VENICE_BENCH_RECORDS=N` for another count than 200,000). It writes N Avro
//! records to a new topic (one partition), then times, best of three runs each: `venice tail
//! TOPIC --from-beginning --no-follow` in text and in JSON, and `kcat -C -e`, each reading every
//! record into a pipe that this program drains and counts.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use venice::deploy::http::{Auth, Service};
use venice::deploy::kafka::{Admin, Consumer, NewTopic};
use venice::deploy::records::write::Batch;
use venice::deploy::registry::Registry;

const KAFKA: &str = "127.0.0.1:9092";
const REGISTRY: &str = "http://127.0.0.1:8081/apis/ccompat/v7";
const SCHEMA: &str = r#"{"type":"record","name":"Visit","namespace":"bench","fields":[{"name":"customer","type":"int"},{"name":"page","type":"string"},{"name":"at","type":"long"},{"name":"referrer","type":["null","string"],"default":null}]}"#;
const BATCH: usize = 2_000;

/// Runs a command, reading its stdout as it comes: (lines, seconds).
fn timed(command: &mut Command) -> Result<(usize, f64), String> {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut buffer = vec![0u8; 1 << 20];
    let mut lines = 0;
    loop {
        let n = stdout.read(&mut buffer).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        lines += buffer[..n].iter().filter(|&&b| b == b'\n').count();
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let took = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("{:?}: {}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    Ok((lines, took))
}

fn best_of(runs: usize, mut command: impl FnMut() -> Command) -> Result<(usize, f64), String> {
    let mut best: Option<(usize, f64)> = None;
    for _ in 0..runs {
        let (lines, took) = timed(&mut command())?;
        if best.is_none_or(|(_, b)| took < b) {
            best = Some((lines, took));
        }
    }
    Ok(best.expect("at least one run"))
}

/// Without the stack there is nothing to measure: say so and fail, so that a run that measured
/// nothing does not pass for one that did.
fn no_stack(error: &str) -> ! {
    eprintln!("the tail bench needs the real-services stack (scripts/stack.sh up): {error}");
    std::process::exit(1);
}

fn main() {
    let records: usize = std::env::var("VENICE_BENCH_RECORDS").ok().and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let mut admin = Admin::new(vec![KAFKA.into()], Duration::from_secs(10));
    if let Err(e) = admin.ping() {
        no_stack(&e.to_string());
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let topic = format!("bench.tail_{}_{}", std::process::id(), nanos % 100_000_000);
    let registry = Registry::new(Service::new("the schema registry", REGISTRY, Auth::None, Duration::from_secs(30)));
    let id = match registry.register(&format!("{topic}-value"), "AVRO", SCHEMA) {
        Ok(id) => id,
        Err(e) => no_stack(&e.to_string()),
    };
    admin
        .create_topic(&NewTopic { name: topic.clone(), partitions: 1, replication: 1, configs: Default::default() })
        .unwrap();

    // The records: string keys, registry-framed Avro values of about 40 bytes.
    let schema = apache_avro::Schema::parse_str(SCHEMA).unwrap();
    let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema).build().unwrap();
    let mut consumer = Consumer::new(vec![KAFKA.into()], Duration::from_secs(30));
    let started = Instant::now();
    let mut written = 0;
    while written < records {
        let n = BATCH.min(records - written);
        let mut owned = Vec::with_capacity(n);
        for i in written..written + n {
            use apache_avro::types::Value as Avro;
            let value = Avro::Record(vec![
                ("customer".into(), Avro::Int((i % 5000) as i32)),
                ("page".into(), Avro::String(format!("/products/{}", i % 977))),
                ("at".into(), Avro::Long(1_700_000_000_000 + i as i64)),
                ("referrer".into(), Avro::Union(0, Box::new(Avro::Null))),
            ]);
            let mut bytes = vec![0];
            bytes.extend_from_slice(&(id as u32).to_be_bytes());
            bytes.extend(writer.write_value_to_vec(value).unwrap());
            owned.push((format!("customer-{}", i % 5000).into_bytes(), bytes));
        }
        let refs: Vec<venice::deploy::records::write::KeyValue> =
            owned.iter().map(|(k, v)| (Some(k.as_slice()), Some(v.as_slice()))).collect();
        let batch = Batch::plain(0, &refs).encode();
        let mut tries = 0;
        loop {
            consumer.refresh(Some(std::slice::from_ref(&topic))).unwrap();
            match consumer.produce(&topic, 0, &batch) {
                Ok(_) => break,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("{e}"),
            }
        }
        written += n;
    }
    println!("wrote {records} Avro records to `{topic}` in {:.2} s", started.elapsed().as_secs_f64());

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("venice.kdl"),
        format!(
            "project bench\ntarget bench {{\n    kafka \"{KAFKA}\"\n    schema-registry \"{REGISTRY}\"\n}}\nschema Visit avro=#\"{SCHEMA}\"#\ntopic {topic} {{\n    key string\n    value avro schema=Visit\n}}\n"
        ),
    )
    .unwrap();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before reading: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    let venice = |format: &'static str| {
        let dir = dir.path().to_path_buf();
        let topic = topic.clone();
        move || {
            let mut c = Command::new(env!("CARGO_BIN_EXE_venice"));
            c.arg("tail").arg(&topic).arg(&dir).args(["--target", "bench", "--from-beginning", "--no-follow"]);
            c.args(["--format", format]);
            c
        }
    };
    for format in ["text", "json"] {
        match best_of(3, venice(format)) {
            Ok((lines, took)) => {
                assert_eq!(lines, records, "venice tail printed {lines} lines");
                println!(
                    "venice tail --format {format:<4}: {records} records in {took:.3} s = {:>9.0} records/s (decoded)",
                    records as f64 / took
                );
            }
            Err(e) => println!("venice tail --format {format}: failed: {e}"),
        }
    }
    let kcat = || {
        let mut c = Command::new("kcat");
        c.args(["-C", "-b", KAFKA, "-t", &topic, "-o", "beginning", "-e", "-q"]);
        c
    };
    match best_of(3, kcat) {
        Ok((_, took)) => println!(
            "kcat -C -e             : {records} records in {took:.3} s = {:>9.0} records/s (raw, not decoded)",
            records as f64 / took
        ),
        Err(e) if e.contains("No such file") || e.contains("not found") => {
            println!("kcat skipped: not installed (apt-get install kcat)")
        }
        Err(e) => println!("kcat failed: {e}"),
    }
    let _ = admin.delete_topic(&topic);
    let _ = registry.delete(&format!("{topic}-value"));
}
