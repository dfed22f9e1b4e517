//! Venice against the secure listeners of `scripts/stack.sh` (issue 14): SASL_SSL with SCRAM and
//! PLAIN, mutual TLS, OAUTHBEARER with a token from an endpoint this test serves, and each
//! failure as one line with exit status 2 and no secret. Ignored unless asked for; with the
//! stack up: `cargo test --test secure_live -- --include-ignored`.
//!
//! The stack (its contract): 127.0.0.1:9094 SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; users
//! venice/venice-secret, alice/alice-secret), 9095 SSL with client certificates required (CN=venice),
//! 9096 SASL_SSL OAUTHBEARER (JWTs signed RS256 by `oauth.key`, kid `venice-stack`, `aud`
//! "kafka", `iss` "venice-stack", `sub` the principal); its certificates in
//! `$VENICE_STACK_HOME/run/certs` (`ca.pem`, `client.pem`/`client.key`, `other-ca.pem`,
//! `expired.pem`/`expired.key`, `oauth.key`).

#[path = "ops/live.rs"]
mod live;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use live::{Run, create_topic, produce, unique};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SASL_SSL: &str = "127.0.0.1:9094";
const MTLS: &str = "127.0.0.1:9095";
const OAUTH: &str = "127.0.0.1:9096";
const PASSWORD: &str = "venice-secret";
/// The OAuth client secret the test's token endpoint expects.
const CLIENT_SECRET: &str = "client-secret-Jx7w";

/// The stack's certificates (`scripts/stack.sh` writes them under its home).
fn certs() -> PathBuf {
    let home = std::env::var("VENICE_STACK_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(&std::env::var("HOME").unwrap_or("/root".into())).join(".cache/venice-stack"));
    home.join("run/certs")
}

/// A project whose targets reach the secure listeners; the certificates copied to `certs/`.
fn project(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    for name in ["ca.pem", "client.pem", "client.key", "other-ca.pem", "expired.pem", "expired.key"] {
        std::fs::copy(certs().join(name), dir.path().join("certs").join(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (is the stack up with its secure listeners?)"));
    }
    std::fs::write(dir.path().join("venice.kdl"), format!("project secure\n{body}")).unwrap();
    dir
}

/// A target over SASL_SSL with the stack's CA, `mechanism` and `user`, the password from
/// `KAFKA_PASSWORD`.
fn sasl_target(name: &str, mechanism: &str, user: &str, ca: &str) -> String {
    format!(
        "target {name} {{\n    kafka \"{SASL_SSL}\" {{\n        tls {{\n            ca \"certs/{ca}\"\n        }}\n        sasl {mechanism} {{\n            user {user}\n            password env=KAFKA_PASSWORD\n        }}\n    }}\n}}\n"
    )
}

/// A target over mutual TLS with the client certificate `cert`/`key` (none: no `cert`).
fn mtls_target(name: &str, client: Option<(&str, &str)>) -> String {
    let client = client
        .map(|(cert, key)| format!("            cert \"certs/{cert}\"\n            key file=\"certs/{key}\"\n"))
        .unwrap_or_default();
    format!(
        "target {name} {{\n    kafka \"{MTLS}\" {{\n        tls {{\n            ca \"certs/ca.pem\"\n{client}        }}\n    }}\n}}\n"
    )
}

fn oauth_target(name: &str, kafka: &str, token_url: &str) -> String {
    format!(
        "target {name} {{\n    kafka \"{kafka}\" {{\n        tls {{\n            ca \"certs/ca.pem\"\n        }}\n        sasl oauthbearer {{\n            token-url \"{token_url}\"\n            client-id venice\n            client-secret env=KAFKA_CLIENT_SECRET\n            scope \"kafka\"\n        }}\n    }}\n}}\n"
    )
}

fn topic(name: &str) -> String {
    format!(
        "topic {name} partitions=2 replication=1 {{\n    key string\n    value string\n}}\nproducer p_{name} topic={name} {{\n    key string\n    value string\n}}\nconsumer c_{name} topic={name} {{\n    key string\n    value string\n}}\n"
    )
}

/// `venice COMMAND DIR --target TARGET ARGS...` (`venice tail TOPIC DIR ...`) with the
/// secrets in the environment.
fn venice(dir: &Path, target: &str, args: &[&str], password: &str) -> Run {
    let started = std::time::Instant::now();
    let before = if args[0] == "tail" { 2 } else { 1 };
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(&args[..before])
        .arg(dir)
        .args(["--target", target])
        .args(&args[before..])
        .env("NO_COLOR", "1")
        .env("KAFKA_PASSWORD", password)
        .env("KAFKA_CLIENT_SECRET", CLIENT_SECRET)
        .stdin(Stdio::null())
        .output()
        .expect("venice runs");
    Run { output, took: started.elapsed() }
}

/// What must never appear in anything venice prints or writes.
fn secrets() -> Vec<String> {
    let key = std::fs::read_to_string(certs().join("client.key")).unwrap();
    let key_line = key.lines().nth(1).unwrap().to_string();
    vec![PASSWORD.into(), "alice-secret".into(), CLIENT_SECRET.into(), key_line]
}

/// No secret in the run's output nor in any file of the project folder.
fn assert_no_secret(run: &Run, dir: &Path) {
    let mut texts = vec![("stdout".to_string(), run.stdout()), ("stderr".to_string(), run.stderr())];
    for entry in walk(dir) {
        if entry.components().any(|c| c.as_os_str() == "certs") {
            continue;
        }
        texts.push((entry.display().to_string(), String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into()));
    }
    for (place, text) in &texts {
        for secret in secrets() {
            assert!(!text.contains(&secret), "a secret in {place}:\n{text}");
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

/// A failure: exit status 2, one line on stderr that contains `expected`, quickly, no secret.
fn assert_fails(run: &Run, dir: &Path, expected: &str) {
    assert_eq!(run.code(), Some(2), "{}", run.shown());
    let stderr = run.stderr();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.shown());
    assert!(lines[0].contains(expected), "`{expected}` expected:\n{}", run.shown());
    assert!(run.took.as_secs() < 20, "took {:?}", run.took);
    assert_no_secret(run, dir);
}

/// apply, plan, topics, tail and doctor through one target, the topic made by apply.
fn every_command(target: &str, target_kdl: &str) {
    let name = format!("secure_{}", unique());
    let dir = project(&format!("{target_kdl}{}", topic(&name)));
    let apply = venice(dir.path(), target, &["apply", "--yes"], PASSWORD);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    assert!(apply.stdout().contains(&format!("created topic `{name}`")), "{}", apply.shown());
    assert_no_secret(&apply, dir.path());
    let plan = venice(dir.path(), target, &["plan"], PASSWORD);
    assert_eq!(plan.code(), Some(0), "{}", plan.shown());
    assert!(plan.stdout().contains("0 to create, 0 to update"), "{}", plan.shown());
    assert_no_secret(&plan, dir.path());
    // Records written over the plaintext listener, read over the secure one.
    let mut kafka = live::client();
    kafka.refresh(Some(std::slice::from_ref(&name))).unwrap();
    produce(&mut kafka, &name, 0, &[(Some(b"k1".to_vec()), Some(b"v1".to_vec()))]);
    let topics = venice(dir.path(), target, &["topics"], PASSWORD);
    assert_eq!(topics.code(), Some(0), "{}", topics.shown());
    assert!(
        topics.stdout().contains(&format!("* {name}  partitions 2  replication 1  records 1")),
        "{}",
        topics.shown()
    );
    assert_no_secret(&topics, dir.path());
    let tail = venice(dir.path(), target, &["tail", &name, "--from-beginning", "--no-follow"], PASSWORD);
    assert_eq!(tail.code(), Some(0), "{}", tail.shown());
    assert!(tail.stdout().contains("key=k1 value=v1"), "{}", tail.shown());
    assert_no_secret(&tail, dir.path());
    let doctor = venice(dir.path(), target, &["doctor"], PASSWORD);
    assert_eq!(doctor.code(), Some(0), "{}", doctor.shown());
    assert_no_secret(&doctor, dir.path());
    let prune = std::fs::read_to_string(dir.path().join("venice.kdl")).unwrap().replace(&topic(&name), "");
    std::fs::write(dir.path().join("venice.kdl"), prune).unwrap();
    let pruned = venice(dir.path(), target, &["apply", "--yes", "--prune"], PASSWORD);
    assert!(pruned.stdout().contains(&format!("deleted topic `{name}`")), "{}", pruned.shown());
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn every_kafka_command_over_sasl_ssl_with_scram_sha_512() {
    every_command("prod", &sasl_target("prod", "scram-sha-512", "venice", "ca.pem"));
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn every_kafka_command_over_mutual_tls() {
    every_command("prod", &mtls_target("prod", Some(("client.pem", "client.key"))));
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn scram_sha_256_and_plain_log_in_too() {
    for mechanism in ["scram-sha-256", "plain"] {
        let dir = project(&sasl_target("prod", mechanism, "venice", "ca.pem"));
        let run = venice(dir.path(), "prod", &["topics"], PASSWORD);
        assert_eq!(run.code(), Some(0), "{mechanism}: {}", run.shown());
        assert_no_secret(&run, dir.path());
        let name = format!("secure_{}", unique());
        create_topic(&name, 1);
        let tail = venice(dir.path(), "prod", &["tail", &name, "--from-beginning", "--no-follow"], PASSWORD);
        assert_eq!(tail.code(), Some(0), "{mechanism}: {}", tail.shown());
    }
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn login_failures_are_one_line_with_what_to_check() {
    let targets = [
        sasl_target("scram", "scram-sha-512", "venice", "ca.pem"),
        sasl_target("plain", "plain", "venice", "ca.pem"),
        sasl_target("nobody", "scram-sha-512", "nobody", "ca.pem"),
        oauth_target("oauth", SASL_SSL, "http://127.0.0.1:9/token"),
    ]
    .concat();
    let dir = project(&targets);
    let wrong = |target: &str| venice(dir.path(), target, &["topics"], "wrong-Pq2z");
    assert_fails(
        &wrong("scram"),
        dir.path(),
        "authentication failed for user `venice` (SCRAM-SHA-512) at 127.0.0.1:9094: ",
    );
    assert_fails(&wrong("scram"), dir.path(), "; check the user name and KAFKA_PASSWORD");
    assert_fails(&wrong("plain"), dir.path(), "authentication failed for user `venice` (PLAIN)");
    let unknown = venice(dir.path(), "nobody", &["topics"], PASSWORD);
    assert_fails(&unknown, dir.path(), "authentication failed for user `nobody` (SCRAM-SHA-512)");
    // The handshake names what the listener enables before any token is asked for.
    let oauth = venice(dir.path(), "oauth", &["topics"], PASSWORD);
    assert_fails(&oauth, dir.path(), "does not enable SASL OAUTHBEARER; it enables ");
    assert!(oauth.stderr().contains("SCRAM-SHA-512"), "{}", oauth.shown());
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn certificate_failures_are_one_line_with_what_to_do() {
    let targets = [
        sasl_target("other_ca", "scram-sha-512", "venice", "other-ca.pem"),
        mtls_target("no_cert", None),
        mtls_target("expired", Some(("expired.pem", "expired.key"))),
        mtls_target("mismatch", Some(("client.pem", "expired.key"))),
    ]
    .concat();
    let dir = project(&targets);
    let run = |target: &str| venice(dir.path(), target, &["topics"], PASSWORD);
    assert_fails(&run("other_ca"), dir.path(), "is not signed by a CA venice trusts (unknown issuer)");
    assert_fails(&run("no_cert"), dir.path(), "the broker requires a client certificate");
    assert_fails(&run("expired"), dir.path(), "the broker refused venice's client certificate");
    assert_fails(
        &run("mismatch"),
        dir.path(),
        "the client key of Kafka (the file `certs/expired.key`) does not belong to the certificate `certs/client.pem`",
    );
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn oauthbearer_with_a_token_from_the_client_credentials_grant() {
    let (url, requests) = token_endpoint(3);
    let name = format!("secure_{}", unique());
    let dir = project(&format!("{}{}", oauth_target("oauth", OAUTH, &url), topic(&name)));
    let apply = venice(dir.path(), "oauth", &["apply", "--yes"], PASSWORD);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    assert_no_secret(&apply, dir.path());
    let topics = venice(dir.path(), "oauth", &["topics"], PASSWORD);
    assert_eq!(topics.code(), Some(0), "{}", topics.shown());
    assert!(topics.stdout().contains(&format!("* {name}")), "{}", topics.shown());
    // A client the endpoint refuses: its reason, and what to check.
    let refused = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["topics", dir.path().to_str().unwrap(), "--target", "oauth"])
        .env("KAFKA_CLIENT_SECRET", "not-the-secret")
        .output()
        .unwrap();
    let refused = Run { output: refused, took: Default::default() };
    assert_fails(&refused, dir.path(), "refused client `venice` (401 invalid_client");
    assert!(refused.stderr().contains("check the client ID and KAFKA_CLIENT_SECRET"), "{}", refused.shown());
    let requests = requests.join().unwrap();
    assert!(requests.iter().all(|r| r.contains("grant_type=client_credentials&scope=kafka")), "{requests:?}");
    let _ = std::fs::remove_dir_all(dir.path());
}

/// An OAuth token endpoint on a free port answering `count` client-credentials requests: a JWT
/// signed RS256 with the stack's `oauth.key` for the right client secret, 401 otherwise.
fn token_endpoint(count: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    let key = std::fs::read_to_string(certs().join("oauth.key")).unwrap();
    let expected = format!("Basic {}", STANDARD.encode(format!("venice:{CLIENT_SECRET}")));
    let handle = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for _ in 0..count {
            let (stream, _) = listener.accept().unwrap();
            let request = read_request(&stream);
            let (status, body) = if request.contains(&expected) {
                (200, format!(r#"{{"access_token":"{}","token_type":"Bearer","expires_in":3600}}"#, jwt(&key)))
            } else {
                (401, r#"{"error":"invalid_client","error_description":"client authentication failed"}"#.to_string())
            };
            let answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            (&stream).write_all(answer.as_bytes()).unwrap();
            requests.push(request);
        }
        requests
    });
    (url, handle)
}

fn read_request(stream: &std::net::TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut request = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        request.push_str(&line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    request + &String::from_utf8_lossy(&body)
}

/// A JWT for principal `venice` with the claims the stack's broker checks, signed RS256.
fn jwt(pem: &str) -> String {
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(der).unwrap();
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "venice-stack"});
    let claims = serde_json::json!({"sub": "venice", "aud": "kafka", "iss": "venice-stack", "iat": now, "exp": now + 3600, "scope": "kafka"});
    let signed =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut signature = vec![0; key.public().modulus_len()];
    let random = ring::rand::SystemRandom::new();
    key.sign(&ring::signature::RSA_PKCS1_SHA256, &random, signed.as_bytes(), &mut signature).unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A target whose registry, Connect and ksqlDB answer over HTTPS, verified with `ca`.
fn https_target(name: &str, ca: &str) -> String {
    let tls = format!(" {{\n        tls {{\n            ca \"certs/{ca}\"\n        }}\n    }}\n");
    format!(
        "target {name} {{\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"https://127.0.0.1:8444/apis/ccompat/v7\"{tls}    connect \"https://127.0.0.1:8443\"{tls}    ksqldb \"https://127.0.0.1:8089\"{tls}}}\n"
    )
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn the_http_services_over_https_with_the_targets_ca() {
    let dir = project(&[https_target("https", "ca.pem"), https_target("other_ca", "other-ca.pem")].concat());
    for command in ["schemas", "connectors", "doctor"] {
        let run = venice(dir.path(), "https", &[command], PASSWORD);
        assert_eq!(run.code(), Some(0), "{command}: {}", run.shown());
    }
    let refused = venice(dir.path(), "other_ca", &["connectors"], PASSWORD);
    assert_fails(
        &refused,
        dir.path(),
        "Kafka Connect is not answering at https://127.0.0.1:8443 (TLS: the certificate of 127.0.0.1 is not signed by a CA venice trusts",
    );
}

/// The stack's broker ends a SASL session after `connections.max.reauth.ms` (10 s) unless the
/// client logs in again (KIP-368): a `venice tail` that follows past it still gets new records.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn a_following_tail_logs_in_again_before_the_session_ends() {
    let name = format!("secure_{}", unique());
    let mut kafka = create_topic(&name, 1);
    let dir = project(&sasl_target("prod", "scram-sha-512", "venice", "ca.pem"));
    let mut tail = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["tail", &name])
        .arg(dir.path())
        .args(["--target", "prod"])
        .env("KAFKA_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = tail.stdout.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    std::thread::sleep(std::time::Duration::from_secs(25));
    produce(&mut kafka, &name, 0, &[(Some(b"late".to_vec()), Some(b"after-reauth".to_vec()))]);
    let line = received.recv_timeout(std::time::Duration::from_secs(15));
    let still_running = tail.try_wait().unwrap().is_none();
    let _ = tail.kill();
    let output = tail.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(still_running, "tail stopped: {stderr}");
    assert!(line.as_deref().is_ok_and(|l| l.contains("value=after-reauth")), "{line:?} {stderr}");
}

/// The reference's own example (docs/language.md, "Security: `tls` and `sasl`"), with only the
/// addresses and the key's path changed to the stack's: SCRAM-SHA-512 over TLS with a client
/// certificate beside it, and the registry over HTTPS with a login.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn the_references_example_target_works_against_the_stack() {
    let reference = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap();
    let start = reference.find("```kdl\ntarget prod {").expect("the reference's security example") + "```kdl\n".len();
    let example = &reference[start..];
    let example = &example[..example.find("target cloud").expect("the example's second target")];
    let target = example
        .replace("b1.example.com:9094,b2.example.com:9094", SASL_SSL)
        .replace("/run/secrets/client.key", "certs/client.key")
        .replace("https://registry.example.com", "https://127.0.0.1:8444/apis/ccompat/v7")
        .replace("REGISTRY_PASSWORD", "KAFKA_PASSWORD");
    every_command("prod", &target);
}

/// A TLS server (`openssl s_server`) at `address` with a certificate signed by the stack's CA:
/// `days` of validity (-1: expired from the start) and, unless `v1`, the extensions of a v3
/// server certificate for 127.0.0.1 and localhost. Killed when dropped.
struct TlsServer(std::process::Child);

impl TlsServer {
    fn start(dir: &Path, address: &str, days: i32, v1: bool) -> TlsServer {
        let openssl = |args: &[&str]| {
            let status = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
            assert!(status.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&status.stderr));
        };
        let ca = certs();
        let (ca_pem, ca_key) = (ca.join("ca.pem"), ca.join("ca.key"));
        std::fs::write(
            dir.join("server.ext"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "server.key"]);
        openssl(&["req", "-new", "-key", "server.key", "-subj", "/CN=venice-test-server", "-out", "server.csr"]);
        let days = days.to_string();
        let mut sign = vec!["x509", "-req", "-in", "server.csr", "-CA", ca_pem.to_str().unwrap()];
        sign.extend(["-CAkey", ca_key.to_str().unwrap(), "-CAserial", "server.srl", "-CAcreateserial"]);
        sign.extend(["-days", &days, "-out", "server.pem"]);
        if !v1 {
            sign.extend(["-extfile", "server.ext"]);
        }
        openssl(&sign);
        let child = Command::new("openssl")
            .args(["s_server", "-accept", address, "-cert", "server.pem", "-key", "server.key", "-quiet"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server starts");
        // Listening once a connection is accepted.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(address).is_err() {
            assert!(std::time::Instant::now() < deadline, "s_server did not listen at {address}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        TlsServer(child)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free port on `host`.
fn free_port(host: &str) -> u16 {
    std::net::TcpListener::bind((host, 0)).unwrap().local_addr().unwrap().port()
}

fn tls_only_target(name: &str, kafka: &str) -> String {
    format!(
        "target {name} {{\n    kafka \"{kafka}\" {{\n        tls {{\n            ca \"certs/ca.pem\"\n        }}\n    }}\n}}\n"
    )
}

/// The server's side of TLS, live: a broker address whose certificate has expired, is X.509
/// v1, or is not issued for the name venice connects by. Each is one line, exit 2.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn server_certificate_failures_are_one_line_with_what_to_do() {
    let servers = tempfile::tempdir().unwrap();
    let server = |name: &str, host: &str, days: i32, v1: bool| {
        let dir = servers.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        let address = format!("{host}:{}", free_port(host));
        (TlsServer::start(&dir, &address, days, v1), address)
    };
    let (_expired, expired) = server("expired", "127.0.0.1", -1, false);
    let (_v1, v1) = server("v1", "127.0.0.1", 30, true);
    // 127.0.0.2 is loopback too, but the certificate lists 127.0.0.1 and localhost only.
    let (_other_name, other_name) = server("name", "127.0.0.2", 30, false);
    let targets =
        [tls_only_target("expired", &expired), tls_only_target("v1", &v1), tls_only_target("other_name", &other_name)]
            .concat();
    let dir = project(&targets);
    let run = |target: &str| venice(dir.path(), target, &["topics"], PASSWORD);
    assert_fails(&run("expired"), dir.path(), "has expired: the server needs a renewed certificate");
    assert_fails(&run("v1"), dir.path(), "is X.509 version 1, which is not accepted");
    assert_fails(&run("other_name"), dir.path(), "is not issued for `127.0.0.2`");
}

/// `venice import` reads a cluster over SASL_SSL as it reads the plaintext one, and writes no
/// secret into the venice.kdl it writes.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn import_reads_a_cluster_over_sasl_ssl() {
    let name = format!("secimp_{}", unique());
    // Records to sample, written over the plaintext listener: their key and value formats go
    // into the topic, so the check after the import is clean.
    let mut kafka = create_topic(&name, 3);
    let records: Vec<_> =
        (0..3).map(|i| (Some(format!("k{i}").into_bytes()), Some(format!("v{i}").into_bytes()))).collect();
    produce(&mut kafka, &name, 0, &records);
    produce(&mut kafka, &name, 1, &records);
    produce(&mut kafka, &name, 2, &records);
    let dir = project(&sasl_target("secure", "scram-sha-512", "venice", "ca.pem"));
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["import"])
        .arg(dir.path())
        .args(["--target", "secure", "--include", &format!("^{name}$")])
        .env("NO_COLOR", "1")
        .env("KAFKA_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("venice runs");
    let run = Run { output, took: std::time::Duration::ZERO };
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let kdl = std::fs::read_to_string(dir.path().join("venice.kdl")).unwrap();
    assert!(kdl.contains(&format!("topic {name} partitions=3")), "{kdl}");
    assert!(kdl.contains("password env=KAFKA_PASSWORD"), "the target is kept as written: {kdl}");
    assert_no_secret(&run, dir.path());
}
