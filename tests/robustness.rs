//! Robustness: `venice check` rejects malformed projects cleanly.
//!
//! Every project in tests/malformed (written by tests/malformed/generate.py), and the huge ones
//! made here at run time, must make `venice check DIR --format json` exit with status 1, print a
//! JSON document with at least one coded diagnostic, never panic, and finish: a case still
//! running after its bound is killed and fails, so a hang cannot block the suite.
//!
//! In process, `check_bytes` (and every renderer) must not panic on any single byte, nor on any
//! prefix of examples/shop/venice.kdl.

use serde_json::Value;
use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use venice::render::{HumanOptions, OutputFormat, render};

const VENICE: &str = env!("CARGO_BIN_EXE_venice");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The kill bound of a committed case: none needs more than a second.
const CORPUS_TIMEOUT: Duration = Duration::from_secs(20);

/// The kill bound of a generated huge case: the unoptimised build parses a 5 MB string in about
/// 20 s on a 2-core machine, so these get more room. Still a bound on hangs, not on speed.
const HUGE_TIMEOUT: Duration = Duration::from_secs(120);

/// What one run of `venice check` did.
struct Outcome {
    /// `None` when it was killed for running past its bound.
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    elapsed: Duration,
}

fn run_check(dir: &Path, timeout: Duration) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new(VENICE)
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("venice starts");
    // Drain both pipes while waiting, so a large output cannot block the child.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for venice") {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    Outcome {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        elapsed: start.elapsed(),
    }
}

/// The number of diagnostics when the run was a clean rejection, else what went wrong.
fn judge(outcome: &Outcome, timeout: Duration) -> Result<usize, String> {
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    let tail = || {
        let text = stderr.trim();
        let start = text.char_indices().rev().nth(400).map_or(0, |(i, _)| i);
        text[start..].replace('\n', " | ")
    };
    let Some(status) = outcome.status else {
        return Err(format!("did not finish within {timeout:?}: killed (a hang?)"));
    };
    if stderr.contains("panicked") {
        return Err(format!("panicked: {}", tail()));
    }
    match status.code() {
        Some(1) => {}
        Some(code) => return Err(format!("exit status {code} (expected 1): {}", tail())),
        None => return Err(format!("{}: {}", describe_signal(status), tail())),
    }
    let json: Value = serde_json::from_slice(&outcome.stdout)
        .map_err(|e| format!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&outcome.stdout)))?;
    let diagnostics = json["diagnostics"].as_array().ok_or("stdout JSON has no `diagnostics` array")?;
    let coded = diagnostics.iter().filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with('V'))).count();
    if coded == 0 {
        return Err("exit status 1 but no diagnostic with a code".into());
    }
    Ok(diagnostics.len())
}

#[cfg(unix)]
fn describe_signal(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "killed by SIGABRT (a stack overflow aborts so)".into(),
        Some(signal) => format!("killed by signal {signal}"),
        None => format!("ended without an exit code: {status}"),
    }
}

#[cfg(not(unix))]
fn describe_signal(status: ExitStatus) -> String {
    format!("ended without an exit code: {status}")
}

/// Runs every case (on a few threads), and fails with the list of cases that were not a clean
/// rejection. Returns how many cases ran.
fn check_all(label: &str, cases: &[PathBuf], timeout: Duration, threads: usize) -> usize {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let slowest = Mutex::new((Duration::ZERO, String::new()));
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(index) else { break };
                    let name = case
                        .file_name()
                        .map_or_else(|| case.display().to_string(), |n| n.to_string_lossy().into_owned());
                    let outcome = run_check(case, timeout);
                    if let Err(why) = judge(&outcome, timeout) {
                        failures.lock().unwrap().push(format!("{name}: {why}"));
                    }
                    let mut slowest = slowest.lock().unwrap();
                    if outcome.elapsed > slowest.0 {
                        *slowest = (outcome.elapsed, name);
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    let (time, name) = slowest.into_inner().unwrap();
    let _ = writeln!(
        std::io::stderr(),
        "robustness: {label}: {} cases, {} clean rejections, {} failures (slowest: {name}, {time:.1?})",
        cases.len(),
        cases.len() - failures.len(),
        failures.len(),
    );
    assert!(
        failures.is_empty(),
        "{} of {} {label} cases were not rejected cleanly:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(MANIFEST_DIR).join("tests/malformed");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/malformed exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.len() > 4 && name.as_bytes()[..3].iter().all(u8::is_ascii_digit) && name.as_bytes()[3] == b'-'
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_committed_malformed_project_is_rejected_cleanly() {
    let cases = corpus();
    assert!(cases.len() >= 110, "tests/malformed holds only {} cases; run generate.py", cases.len());
    for case in &cases {
        assert!(case.join("venice.kdl").is_file(), "{} has no venice.kdl", case.display());
    }
    let materialized = tempfile::tempdir().unwrap();
    let cases: Vec<PathBuf> = cases.iter().map(|case| with_side_files(case, materialized.path())).collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    check_all("committed", &cases, CORPUS_TIMEOUT, threads);
}

/// A case that is an example cut short names the example in `side-files-from` (see
/// generate.py): it runs in a copy of that example (its schemas, SQL, DDL and venice.lock) with
/// the case's venice.kdl. Other cases run where they are.
fn with_side_files(case: &Path, root: &Path) -> PathBuf {
    let Ok(example) = std::fs::read_to_string(case.join("side-files-from")) else { return case.to_path_buf() };
    let into = root.join(case.file_name().expect("a case folder"));
    copy_tree(&Path::new(MANIFEST_DIR).join(example.trim()), &into);
    std::fs::copy(case.join("venice.kdl"), into.join("venice.kdl")).expect("the case's venice.kdl");
    into
}

/// Copies a folder's files (not its README.md), folders included.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a case folder");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.expect("readable entry").path();
        let name = path.file_name().expect("a name");
        if path.is_dir() {
            copy_tree(&path, &to.join(name));
        } else if name != "README.md" {
            std::fs::copy(&path, to.join(name)).expect("a copy");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Huge cases, made at run time so the repository stays small.

/// A deterministic xorshift64* stream: the same bytes on every run and platform.
struct Bytes(u64);

impl Bytes {
    fn take(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
            })
            .collect()
    }

    fn take_from(&mut self, n: usize, alphabet: &[u8]) -> Vec<u8> {
        self.take(n).into_iter().map(|b| alphabet[b as usize % alphabet.len()]).collect()
    }
}

fn write_case(root: &Path, name: &str, files: Vec<(String, Vec<u8>)>) -> PathBuf {
    let dir = root.join(name);
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("case folder");
        std::fs::write(&path, bytes).expect("case file");
    }
    dir
}

fn root_only(text: impl Into<Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    vec![("venice.kdl".to_string(), text.into())]
}

fn huge_cases(root: &Path) -> Vec<PathBuf> {
    const MB: usize = 1_000_000;
    let mut cases = Vec::new();
    let mut add = |name: &str, files: Vec<(String, Vec<u8>)>| cases.push(write_case(root, name, files));

    add("nest-100000-unclosed", root_only("a {".repeat(100_000)));
    add("nest-100000-closed", root_only("a {".repeat(100_000) + &"}".repeat(100_000)));
    // The depth guard reads the quote in the comment as the start of a string.
    add(
        "nest-100000-hidden-by-quote-in-block-comment",
        root_only("/* \" */\n".to_string() + &"a {".repeat(100_000) + &"}".repeat(100_000)),
    );
    add(
        "block-comments-nested-100000",
        root_only("project x\ntopics y\n".to_string() + &"/*".repeat(100_000) + &"*/".repeat(100_000)),
    );
    add("string-5mb-unterminated", root_only("project x doc=\"".to_string() + &"a".repeat(5 * MB)));
    add("string-5mb-for-an-integer", root_only("topic t partitions=\"".to_string() + &"a".repeat(5 * MB) + "\"\n"));
    add("node-name-1mb", root_only("n".repeat(MB) + " 1\n"));
    add("arguments-100000-on-one-node", root_only("topic t ".to_string() + &"1 ".repeat(100_000) + "\n"));
    let properties: Vec<String> = (0..20_000).map(|i| format!("p{i}={i}")).collect();
    add("properties-20000-unknown", root_only(format!("topic t {}\n", properties.join(" "))));
    add("nodes-20000-unknown", root_only("x\n".repeat(20_000)));
    add("random-bytes-1mib", root_only(Bytes(0x5eed_0001).take(1 << 20)));
    add("random-printable-64kib", root_only(Bytes(0x5eed_0002).take_from(1 << 16, b"abc{}=\"#;/\\()*- \n0123456789")));
    let mut late_junk = b"// a comment line\n".repeat(60_000);
    late_junk.push(0xff);
    add("invalid-utf8-after-1mb", root_only(late_junk));
    add(
        "include-17mib-file",
        vec![
            ("venice.kdl".into(), b"project x\ninclude \"big.kdl\"\n".to_vec()),
            ("big.kdl".into(), vec![b' '; 17 << 20]),
        ],
    );
    let mut chain = vec![("venice.kdl".to_string(), b"project x\ninclude \"c0.kdl\"\n".to_vec())];
    chain.extend((0..4000).map(|i| (format!("c{i}.kdl"), format!("include \"c{}.kdl\"\n", i + 1).into_bytes())));
    add("include-chain-4000", chain);
    let mut fan = vec![("venice.kdl".to_string(), b"project x\ninclude \"parts/*.kdl\"\n".to_vec())];
    fan.extend((0..1000).map(|i| (format!("parts/p{i:04}.kdl"), format!("topic t{i} partitions=0\n").into_bytes())));
    add("include-fanout-1000", fan);
    cases
}

#[test]
fn every_huge_generated_project_is_rejected_cleanly() {
    let temp = tempfile::tempdir().expect("a temporary folder");
    let cases = huge_cases(temp.path());
    // One at a time: these are the slow ones, and contention would only stretch their times.
    check_all("generated huge", &cases, HUGE_TIMEOUT, 1);
}

// ---------------------------------------------------------------------------------------------
// In process: check_bytes and the renderers must not panic.

const FORMATS: [OutputFormat; 4] = [OutputFormat::Human, OutputFormat::Json, OutputFormat::Sarif, OutputFormat::Github];

/// Checks and renders `bytes` in every format; `Err` with the panic message if anything panicked.
fn check_and_render(dir: &Path, bytes: &[u8]) -> Result<(), String> {
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        let checked = venice::check::check_bytes(dir, bytes);
        for format in FORMATS {
            render(format, &checked.diagnostics, &checked.sources, &HumanOptions::default());
        }
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into())
    })
}

fn assert_no_panics(label: &str, inputs: impl Iterator<Item = (String, Vec<u8>)>, dir: &Path) {
    let mut count = 0;
    let mut failures = Vec::new();
    for (name, bytes) in inputs {
        count += 1;
        if let Err(message) = check_and_render(dir, &bytes) {
            failures.push(format!("{name}: {message}"));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "robustness: {label}: {count} inputs checked in process, {} panics",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "check_bytes panicked on {} of {count} {label}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn check_bytes_does_not_panic_on_any_single_byte() {
    let inputs = (0..=255u8).map(|b| (format!("byte {b:#04x}"), vec![b]));
    assert_no_panics("single bytes", inputs, Path::new("/nonexistent-venice-robustness"));
}

#[test]
fn check_bytes_does_not_panic_on_any_prefix_of_an_example() {
    let dir = Path::new(MANIFEST_DIR).join("examples/shop");
    let text = std::fs::read(dir.join("venice.kdl")).expect("examples/shop/venice.kdl");
    let inputs = (0..=text.len()).map(|n| (format!("prefix of {n} bytes"), text[..n].to_vec()));
    assert_no_panics("prefixes of examples/shop/venice.kdl", inputs, &dir);
}
