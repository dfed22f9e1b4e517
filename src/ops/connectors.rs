//! `venice connectors`: every connector on a target's Kafka Connect, with its type, state and
//! worker, each task's state, and the trace of what failed; the connectors the project
//! declares are marked, and those it declares that Connect does not have are listed.
//!
//! One request reads them all: `GET /connectors?expand=status&expand=info` (Kafka Connect 2.3
//! and later, KIP-465). Each entry holds `info` (`config`, `tasks`, `type`) and `status`
//! (`connector: {state, worker_id, trace?}`, `tasks: [{id, state, worker_id, trace?}]`, `type`).
//! Reference: kafka.apache.org, "Kafka Connect REST Interface"; docs.confluent.io, "Kafka Connect
//! REST Interface for Confluent Platform".

use crate::deploy::http::Service;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// How many lines of a failed task's trace the text output shows (`--trace`: all of them).
pub(crate) const TRACE_LINES: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Task {
    pub(crate) id: i64,
    /// `RUNNING`, `FAILED`, `PAUSED`, `UNASSIGNED`, ...
    pub(crate) state: String,
    pub(crate) worker: String,
    /// The worker's stack trace when the task failed.
    pub(crate) trace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Connector {
    pub(crate) name: String,
    /// `source` or `sink` (empty when the worker does not say).
    pub(crate) kind: String,
    pub(crate) class: String,
    pub(crate) state: String,
    pub(crate) worker: String,
    /// The connector's own trace when it failed (its tasks have their own).
    pub(crate) trace: Option<String>,
    pub(crate) tasks: Vec<Task>,
    /// Whether the project declares it.
    pub(crate) declared: bool,
}

impl Connector {
    pub(crate) fn failed(&self) -> bool {
        self.state == "FAILED" || self.tasks.iter().any(|t| t.state == "FAILED")
    }
}

/// What `venice connectors` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    pub(crate) target: String,
    pub(crate) url: String,
    /// In name order.
    pub(crate) connectors: Vec<Connector>,
    /// Declared by the project, absent from Connect, in name order.
    pub(crate) missing: Vec<String>,
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn trace(value: &Value) -> Option<String> {
    value.get("trace").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// Reads the answer of `GET /connectors?expand=status&expand=info`.
pub(crate) fn parse(answer: &Value, declared: &BTreeSet<String>) -> Vec<Connector> {
    let mut connectors: Vec<Connector> = answer
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, entry)| {
            let status = &entry["status"];
            let info = &entry["info"];
            let kind = Some(text(info, "type")).filter(|k| !k.is_empty()).unwrap_or_else(|| text(status, "type"));
            let mut tasks: Vec<Task> = status["tasks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| Task {
                    id: t.get("id").and_then(Value::as_i64).unwrap_or(0),
                    state: text(t, "state"),
                    worker: text(t, "worker_id"),
                    trace: trace(t),
                })
                .collect();
            tasks.sort_by_key(|t| t.id);
            Connector {
                name: name.clone(),
                kind,
                class: info["config"].get("connector.class").and_then(Value::as_str).unwrap_or_default().to_string(),
                state: text(&status["connector"], "state"),
                worker: text(&status["connector"], "worker_id"),
                trace: trace(&status["connector"]),
                tasks,
                declared: declared.contains(name),
            }
        })
        .collect();
    connectors.sort_by(|a, b| a.name.cmp(&b.name));
    connectors
}

/// Reads every connector of the Kafka Connect at `url`. The error is a message naming the
/// service and where, as `venice apply` words it.
pub(crate) fn read(
    target: &str,
    url: &crate::deploy::target::Url,
    declared: &BTreeSet<String>,
    only_declared: bool,
) -> Result<Listing, String> {
    let service = url.service("Kafka Connect", Duration::from_secs(30));
    read_from(target, &service, declared, only_declared)
}

pub(crate) fn read_from(
    target: &str,
    service: &Service,
    declared: &BTreeSet<String>,
    only_declared: bool,
) -> Result<Listing, String> {
    let reply = service.get("/connectors?expand=status&expand=info").map_err(|e| e.to_string())?;
    if !reply.ok() {
        return Err(format!(
            "Kafka Connect refused listing the connectors (`GET /connectors?expand=status&expand=info`): {}: {}",
            reply.status,
            reply.message()
        ));
    }
    let mut connectors = parse(&reply.json(), declared);
    let present: BTreeSet<&str> = connectors.iter().map(|c| c.name.as_str()).collect();
    let missing = declared.iter().filter(|d| !present.contains(d.as_str())).cloned().collect();
    if only_declared {
        connectors.retain(|c| c.declared);
    }
    Ok(Listing { target: target.to_string(), url: service.base.clone(), connectors, missing })
}

/// A trace, indented; without `full`, its first [`TRACE_LINES`] lines, then its root cause
/// (the last `Caused by:`) when that was cut, and how many lines were left out.
fn trace_text(trace: &str, indent: &str, full: bool) -> String {
    let lines: Vec<&str> = trace.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = String::new();
    let mut push = |line: &str| out.push_str(&format!("{indent}{}\n", line.replace('\t', "    ").trim_end()));
    if full || lines.len() <= TRACE_LINES {
        lines.iter().for_each(|l| push(l));
        return out;
    }
    lines[..TRACE_LINES].iter().for_each(|l| push(l));
    let cause = lines.iter().rposition(|l| l.starts_with("Caused by: "));
    let mut shown = TRACE_LINES;
    if let Some(at) = cause.filter(|&at| at >= TRACE_LINES) {
        push("...");
        push(lines[at]);
        shown += 1;
    }
    out.push_str(&format!("{indent}({} more lines: `--trace` shows the whole trace)\n", lines.len() - shown));
    out
}

fn on(worker: &str) -> String {
    if worker.is_empty() { String::new() } else { format!(" on {worker}") }
}

impl Listing {
    /// A declared connector is missing, or a declared connector or one of its tasks failed.
    pub(crate) fn problems(&self) -> bool {
        !self.missing.is_empty() || self.connectors.iter().any(|c| c.declared && c.failed())
    }

    pub(crate) fn human(&self, full_trace: bool) -> String {
        let mut out = String::new();
        for c in &self.connectors {
            let mut labels = Vec::new();
            if !c.kind.is_empty() {
                labels.push(c.kind.as_str());
            }
            if c.declared {
                labels.push("declared");
            }
            let labels = if labels.is_empty() { String::new() } else { format!(" ({})", labels.join(", ")) };
            out.push_str(&format!("{}{labels}: {}{}\n", c.name, c.state, on(&c.worker)));
            if let Some(trace) = &c.trace {
                out.push_str(&trace_text(trace, "    ", full_trace));
            }
            if c.tasks.is_empty() {
                out.push_str("  no tasks\n");
            }
            for t in &c.tasks {
                out.push_str(&format!("  task {}: {}{}\n", t.id, t.state, on(&t.worker)));
                if let Some(trace) = &t.trace {
                    out.push_str(&trace_text(trace, "    ", full_trace));
                }
            }
        }
        for name in &self.missing {
            out.push_str(&format!("missing: `{name}` is declared by the project and not on Kafka Connect\n"));
        }
        let failed = self.connectors.iter().filter(|c| c.failed()).count();
        let declared = self.connectors.iter().filter(|c| c.declared).count();
        let count = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
        out.push_str(&format!(
            "{} on Kafka Connect at {} (target `{}`): {} declared by the project, {} missing; {} with a failure\n",
            count(self.connectors.len(), "connector", "connectors"),
            self.url,
            self.target,
            declared,
            self.missing.len(),
            failed
        ));
        out
    }

    pub(crate) fn json(&self) -> Value {
        let connectors: Vec<Value> = self
            .connectors
            .iter()
            .map(|c| {
                json!({
                    "name": c.name,
                    "declared": c.declared,
                    "type": c.kind,
                    "class": c.class,
                    "state": c.state,
                    "worker": c.worker,
                    "trace": c.trace,
                    "tasks": c.tasks.iter().map(|t| json!({
                        "id": t.id,
                        "state": t.state,
                        "worker": t.worker,
                        "trace": t.trace,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "target": self.target,
            "connect": self.url,
            "connectors": connectors,
            "missing": self.missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::http::Auth;

    /// The Connect service of a URL with no credentials.
    fn service(url: &str) -> Service {
        Service::new("Kafka Connect", url, Auth::None, Duration::from_secs(5))
    }

    const ANSWER: &str = r#"{
      "copy": {"info": {"name": "copy", "config": {"connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector"}, "tasks": [{"connector": "copy", "task": 0}], "type": "sink"},
               "status": {"name": "copy", "connector": {"state": "RUNNING", "worker_id": "10.0.0.1:8083"},
                          "tasks": [{"id": 1, "state": "RUNNING", "worker_id": "10.0.0.2:8083"},
                                    {"id": 0, "state": "FAILED", "worker_id": "10.0.0.1:8083", "trace": "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n\tat a.B.e(B.java:3)\n\tat a.B.f(B.java:4)\n\tat a.B.g(B.java:5)\n\tat a.B.h(B.java:6)\nCaused by: org.postgresql.util.PSQLException: FATAL: database \"nope\" does not exist\n\tat o.p.Q(Q.java:9)\n"}],
                          "type": "sink"}},
      "other": {"info": {"name": "other", "config": {}, "tasks": [], "type": "source"},
                "status": {"name": "other", "connector": {"state": "UNASSIGNED"}, "tasks": [], "type": "source"}}
    }"#;

    #[test]
    fn connectors_and_tasks_are_read_in_order_with_their_traces() {
        let declared: BTreeSet<String> = ["copy".to_string(), "gone".to_string()].into();
        let connectors = parse(&serde_json::from_str(ANSWER).unwrap(), &declared);
        assert_eq!(connectors.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["copy", "other"]);
        let copy = &connectors[0];
        assert_eq!(
            (copy.kind.as_str(), copy.state.as_str(), copy.worker.as_str()),
            ("sink", "RUNNING", "10.0.0.1:8083")
        );
        assert_eq!(
            copy.tasks.iter().map(|t| (t.id, t.state.as_str())).collect::<Vec<_>>(),
            [(0, "FAILED"), (1, "RUNNING")]
        );
        assert!(copy.declared && copy.failed());
        assert!(!connectors[1].declared && !connectors[1].failed());
    }

    #[test]
    fn the_text_shows_the_first_lines_of_a_trace_and_its_root_cause() {
        let declared: BTreeSet<String> = ["copy".to_string(), "gone".to_string()].into();
        let listing = Listing {
            target: "stack".into(),
            url: "http://127.0.0.1:8083".into(),
            connectors: parse(&serde_json::from_str(ANSWER).unwrap(), &declared),
            missing: vec!["gone".into()],
        };
        assert!(listing.problems());
        assert_eq!(
            listing.human(false),
            "copy (sink, declared): RUNNING on 10.0.0.1:8083\n\
             \x20 task 0: FAILED on 10.0.0.1:8083\n\
             \x20   org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask\n\
             \x20       at a.B.c(B.java:1)\n\
             \x20       at a.B.d(B.java:2)\n\
             \x20       at a.B.e(B.java:3)\n\
             \x20       at a.B.f(B.java:4)\n\
             \x20       at a.B.g(B.java:5)\n\
             \x20   ...\n\
             \x20   Caused by: org.postgresql.util.PSQLException: FATAL: database \"nope\" does not exist\n\
             \x20   (2 more lines: `--trace` shows the whole trace)\n\
             \x20 task 1: RUNNING on 10.0.0.2:8083\n\
             other (source): UNASSIGNED\n\
             \x20 no tasks\n\
             missing: `gone` is declared by the project and not on Kafka Connect\n\
             2 connectors on Kafka Connect at http://127.0.0.1:8083 (target `stack`): 1 declared by the project, 1 missing; 1 with a failure\n"
        );
        let full = listing.human(true);
        assert!(full.contains("        at a.B.h(B.java:6)\n    Caused by: org.postgresql"), "{full}");
        assert!(!full.contains("more lines"), "{full}");
        let json = listing.json();
        assert_eq!(json["connectors"][0]["tasks"][0]["trace"].as_str().unwrap().lines().count(), 9);
        assert_eq!(json["missing"], json!(["gone"]));
    }

    #[test]
    fn a_refusal_and_an_unreachable_worker_are_errors_naming_the_service() {
        use crate::deploy::http::testing::serve;
        let (url, server) = serve(vec![(500, r#"{"error_code":500,"message":"boom"}"#.into())]);
        let error = read_from("local", &service(&url), &BTreeSet::new(), false).unwrap_err();
        assert_eq!(
            error,
            "Kafka Connect refused listing the connectors (`GET /connectors?expand=status&expand=info`): 500: boom"
        );
        let requests = server.join().unwrap();
        assert!(requests[0].starts_with("GET /connectors?expand=status&expand=info HTTP/1.1\r\n"), "{}", requests[0]);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let error =
            read_from("local", &service(&format!("http://127.0.0.1:{port}")), &BTreeSet::new(), false).unwrap_err();
        assert_eq!(error, format!("Kafka Connect is not answering at http://127.0.0.1:{port} (connection refused)"));
    }
}
