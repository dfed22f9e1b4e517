//! The ACLs and quotas `venice apply` makes, against the stack's secure broker (its standard
//! authorizer; venice deploys as `User:venice`, a super user, over SASL_SSL on 9094 with the
//! stack's CA). The clients that run as alice and bob are Kafka's own console tools from the
//! stack's Kafka distribution, so what is enforced is what a Java client meets. Ignored unless
//! asked for; with the stack up: `cargo test --test acls_live -- --ignored`.
//!
//! A binding reaches the brokers through the metadata log after CreateAcls is answered, so each
//! check of what a client may do is asked again until it holds (bounded).

#[path = "deploy/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Run, unique};

const SASL_SSL: &str = "127.0.0.1:9094";
/// The plaintext listener, whose `User:ANONYMOUS` is a super user: the tools that look.
const PLAINTEXT: &str = "127.0.0.1:9092";

fn stack_home() -> PathBuf {
    std::env::var("VENICE_STACK_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(&std::env::var("HOME").unwrap_or("/root".into())).join(".cache/venice-stack"))
}

/// A target `secure` over SASL_SSL as `user` (password from `KAFKA_PASSWORD`).
fn target(user: &str) -> String {
    format!(
        "target secure {{\n    kafka \"{SASL_SSL}\" {{\n        tls {{\n            ca \"certs/ca.pem\"\n        }}\n        sasl scram-sha-512 {{\n            user {user}\n            password env=KAFKA_PASSWORD\n        }}\n    }}\n}}\n"
    )
}

/// A project deployed as venice, with the stack's CA and a client config per user (for the
/// console tools) in its folder.
fn project(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    let ca = dir.path().join("certs/ca.pem");
    std::fs::copy(stack_home().join("run/certs/ca.pem"), &ca)
        .unwrap_or_else(|e| panic!("ca.pem: {e} (is the stack up with its secure listeners?)"));
    for user in ["alice", "bob"] {
        let config = format!(
            "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n\
             sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{user}\" password=\"{user}-secret\";\n\
             ssl.truststore.type=PEM\nssl.truststore.location={}\n",
            ca.display()
        );
        std::fs::write(dir.path().join(format!("{user}.properties")), config).unwrap();
    }
    write(&dir, body);
    dir
}

fn write(dir: &tempfile::TempDir, body: &str) {
    std::fs::write(dir.path().join("venice.kdl"), format!("project acls\n{}{body}", target("venice"))).unwrap();
}

/// `venice COMMAND DIR --target secure ARGS...` as venice.
fn venice(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .arg(args[0])
        .arg(dir)
        .args(["--target", "secure"])
        .args(&args[1..])
        .env("NO_COLOR", "1")
        .env("KAFKA_PASSWORD", "venice-secret")
        .stdin(Stdio::null())
        .output()
        .expect("venice runs");
    Run { output, took: started.elapsed() }
}

fn applied(dir: &Path, args: &[&str]) -> Run {
    let run = venice(dir, &[&["apply", "--yes"], args].concat());
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    run
}

/// A Kafka tool (`class`) of the stack's distribution, `input` on its standard input: what it
/// printed, both streams.
fn java(class: &str, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("java")
        .arg("-cp")
        .arg(format!("{}/*", stack_home().join("dist/kafka/libs").display()))
        .arg(class)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("java runs (the stack's JDK)");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Writes `key:value` to `topic` as `user` with the console producer (idempotent unless told).
fn produce(dir: &Path, user: &str, topic: &str, idempotent: bool) -> String {
    let config = dir.join(format!("{user}.properties"));
    let idempotence = format!("enable.idempotence={idempotent}");
    let args = [
        "--bootstrap-server",
        SASL_SSL,
        "--topic",
        topic,
        "--command-config",
        config.to_str().unwrap(),
        "--command-property",
        &idempotence,
        "--command-property",
        "acks=all",
        "--reader-property",
        "parse.key=true",
        "--reader-property",
        "key.separator=:",
    ];
    java("org.apache.kafka.tools.ConsoleProducer", &args, "k:v\n")
}

/// Reads one record of `topic` as `user` with the console consumer: in `group` (joined, and its
/// offset committed on close), or without one from partition 0.
fn consume(dir: &Path, user: &str, topic: &str, group: Option<&str>) -> String {
    let config = dir.join(format!("{user}.properties"));
    let mut args = vec!["--bootstrap-server", SASL_SSL, "--topic", topic, "--command-config", config.to_str().unwrap()];
    args.extend(["--max-messages", "1", "--timeout-ms", "8000"]);
    match group {
        Some(group) => args.extend(["--group", group, "--from-beginning"]),
        None => args.extend(["--partition", "0", "--offset", "earliest"]),
    }
    java("org.apache.kafka.tools.consumer.ConsoleConsumer", &args, "")
}

/// `probe` again until it says yes, at most `secs` seconds: the bindings reach the brokers
/// through the metadata log. The last answer.
fn until(secs: u64, mut probe: impl FnMut() -> (bool, String)) -> (bool, String) {
    let started = Instant::now();
    loop {
        let (ok, said) = probe();
        if ok || started.elapsed() > Duration::from_secs(secs) {
            return (ok, said);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn declared(topic: &str) -> String {
    format!("topic {topic} partitions=1 replication=1 {{\n    key string\n    value string\n}}\n")
}

fn producer(topic: &str, principal: &str) -> String {
    format!("producer p topic={topic} principal=\"{principal}\" {{\n    key string\n    value string\n}}\n")
}

fn consumer(topic: &str, group: &str, principal: &str) -> String {
    format!(
        "consumer c topic={topic} group={group} principal=\"{principal}\" {{\n    key string\n    value string\n}}\n"
    )
}

/// The bindings of a principal as Kafka's `kafka-acls --list` prints them.
fn acls_of(principal: &str) -> String {
    java(
        "org.apache.kafka.tools.AclCommand",
        &["--bootstrap-server", PLAINTEXT, "--list", "--principal", principal],
        "",
    )
}

/// Everything venice made, deleted: the project emptied and applied with --prune.
fn prune_all(dir: &tempfile::TempDir) {
    write(dir, "");
    applied(dir.path(), &["--prune"]);
}

/// A declared producer writes (an idempotent one: WRITE on its topic is all it needs, no
/// IDEMPOTENT_WRITE on the cluster, KIP-679); a declared consumer reads in its group and
/// commits; the consumer's principal cannot write; the producer's cannot join the group; a
/// principal with no edge to a topic cannot read it; the plan after apply is empty, and
/// `venice acls --online` finds every derived binding on the cluster.
#[test]
#[ignore = "needs the venice stack (scripts/stack.sh up)"]
fn the_broker_enforces_the_bindings_venice_derives() {
    let id = unique();
    let (t, u, g) = (format!("acl_t_{id}"), format!("acl_u_{id}"), format!("acl_g_{id}"));
    let body = [declared(&t), declared(&u), producer(&t, "User:alice"), consumer(&t, &g, "User:bob")].concat();
    let dir = project(&body);
    let apply = applied(dir.path(), &[]);
    assert!(
        apply.stdout().contains(&format!("created acl `User:bob read group=\"{g}\" host=\"*\"`")),
        "{}",
        apply.shown()
    );
    let plan = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "no change after apply: {}", plan.shown());
    assert!(plan.stdout().contains("0 to create, 0 to update, 0 to restart, 0 to delete"), "{}", plan.shown());
    let acls = venice(dir.path(), &["acls", "--online"]);
    assert_eq!(acls.code(), Some(0), "{}", acls.shown());
    let line = format!("  derived                    User:bob read group=\"{g}\" host=\"*\"\n");
    assert!(acls.stdout().contains(&line), "{}", acls.shown());
    assert!(acls.stdout().contains("5 derived, 0 explicit on the cluster; 0 missing"), "{}", acls.shown());

    let (ok, said) = until(20, || {
        let said = produce(dir.path(), "alice", &t, true);
        (!said.contains("Exception"), said)
    });
    assert!(ok, "alice writes `{t}` idempotently:\n{said}");
    let (ok, said) = until(20, || {
        let said = consume(dir.path(), "bob", &t, Some(&g));
        (said.contains("Processed a total of 1 messages"), said)
    });
    assert!(ok, "bob reads `{t}` in `{g}`:\n{said}");
    let offsets = java(
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        &["--bootstrap-server", PLAINTEXT, "--describe", "--group", &g],
        "",
    );
    let committed = offsets.lines().find(|l| l.starts_with(&g)).unwrap_or_default().to_string();
    assert_eq!(committed.split_whitespace().nth(3), Some("1"), "bob committed in `{g}`:\n{offsets}");

    let said = produce(dir.path(), "bob", &t, false);
    assert!(
        said.contains("TopicAuthorizationException: Not authorized to access topics"),
        "bob may not write:\n{said}"
    );
    let said = consume(dir.path(), "alice", &t, Some(&g));
    assert!(
        said.contains("GroupAuthorizationException: Not authorized to access group"),
        "alice may not join:\n{said}"
    );
    let said = consume(dir.path(), "bob", &u, None);
    assert!(said.contains("TopicAuthorizationException"), "bob has no edge to `{u}`:\n{said}");
    prune_all(&dir);
}

/// `--prune` deletes the bindings venice made and the project dropped, and only them: a binding
/// made by hand for the same principal stays, and venice.lock loses exactly the pruned ones.
#[test]
#[ignore = "needs the venice stack (scripts/stack.sh up)"]
fn prune_deletes_only_the_bindings_venice_made() {
    let id = unique();
    let (t, g, manual) = (format!("acl_pt_{id}"), format!("acl_pg_{id}"), format!("acl_manual_{id}"));
    let by_hand = ["--bootstrap-server", PLAINTEXT, "--add", "--allow-principal", "User:bob", "--operation", "Read"];
    let said = java("org.apache.kafka.tools.AclCommand", &[&by_hand[..], &["--topic", &manual]].concat(), "");
    assert!(said.contains(&manual), "{said}");
    let dir = project(&[declared(&t), producer(&t, "User:alice"), consumer(&t, &g, "User:bob")].concat());
    applied(dir.path(), &[]);
    let recorded = |dir: &Path| -> Vec<String> {
        let lock: toml::Value = toml::from_str(&std::fs::read_to_string(dir.join("venice.lock")).unwrap()).unwrap();
        let acls = lock["applied"]["secure"].get("acls").and_then(|a| a.as_array().cloned()).unwrap_or_default();
        acls.iter().map(|a| a.as_str().unwrap().to_string()).collect()
    };
    let before = recorded(dir.path());
    let bobs: Vec<&String> = before.iter().filter(|a| a.starts_with("User:bob ")).collect();
    assert_eq!(bobs.len(), 3, "{before:?}");
    assert!(!before.iter().any(|a| a.contains(&manual)), "not venice's: {before:?}");

    write(&dir, &[declared(&t), producer(&t, "User:alice")].concat());
    let prune = applied(dir.path(), &["--prune"]);
    assert_eq!(prune.stdout().matches("deleted acl `User:bob").count(), 3, "{}", prune.shown());
    let after = recorded(dir.path());
    let expected: Vec<String> = before.iter().filter(|a| !a.starts_with("User:bob ")).cloned().collect();
    assert_eq!(after, expected);
    let (ok, listed) = until(30, || {
        let listed = acls_of("User:bob");
        (!listed.contains(&t), listed)
    });
    assert!(ok, "venice's bindings of bob are gone:\n{listed}");
    assert!(listed.contains(&manual), "the binding made by hand stays:\n{listed}");
    let remove = ["--bootstrap-server", PLAINTEXT, "--remove", "--force", "--allow-principal", "User:bob"];
    java(
        "org.apache.kafka.tools.AclCommand",
        &[&remove[..], &["--operation", "Read", "--topic", &manual]].concat(),
        "",
    );
    prune_all(&dir);
}

/// A quota is set with AlterClientQuotas and read back with DescribeClientQuotas by Kafka's own
/// tool; dropped from the project and pruned, the key is removed.
#[test]
#[ignore = "needs the venice stack (scripts/stack.sh up)"]
fn quotas_are_applied_and_pruned() {
    // A principal of this run only: a quota left by an earlier run would not be venice's.
    let user = format!("quota-{}", unique().replace('_', "-"));
    let dir = project(&format!("quota \"User:{user}\" produce-rate=\"1MiB\"\n"));
    let apply = applied(dir.path(), &[]);
    assert!(apply.stdout().contains(&format!("created quota `User:{user} producer_byte_rate`")), "{}", apply.shown());
    let describe = || {
        let args = ["--bootstrap-server", PLAINTEXT, "--describe", "--entity-type", "users", "--entity-name", &user];
        java("kafka.admin.ConfigCommand", &args, "")
    };
    let (ok, said) = until(30, || {
        let said = describe();
        (said.contains("producer_byte_rate=1048576.0"), said)
    });
    assert!(ok, "{said}");
    let plan = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "{}", plan.shown());
    prune_all(&dir);
    let (ok, said) = until(30, || {
        let said = describe();
        (!said.contains("producer_byte_rate"), said)
    });
    assert!(ok, "{said}");
    let lock = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    assert!(!lock.contains(&user), "{lock}");
}

/// A deployer without rights on the cluster is told, in one line and with status 2, that
/// managing ACLs needs ALTER on the cluster.
#[test]
#[ignore = "needs the venice stack (scripts/stack.sh up)"]
fn a_deployer_that_may_not_manage_acls_is_told_in_one_line() {
    let dir = project("");
    let kdl = format!("project acls\n{}acl \"User:bob\" describe topic=\"acl_x\"\n", target("alice"));
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["plan"])
        .arg(dir.path())
        .args(["--target", "secure"])
        .env("NO_COLOR", "1")
        .env("KAFKA_PASSWORD", "alice-secret")
        .stdin(Stdio::null())
        .output()
        .expect("venice runs");
    let run = Run { output, took: started.elapsed() };
    assert_eq!(run.code(), Some(2), "{}", run.shown());
    let stderr = run.stderr();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{}", run.shown());
    assert!(lines[0].contains("CLUSTER_AUTHORIZATION_FAILED") && lines[0].contains("ALTER on the cluster"), "{stderr}");
}
