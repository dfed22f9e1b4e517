//! A Kafka Connect REST client: every connector with its config and status in one request,
//! `PUT /connectors/NAME/config` (create or update, retrying the 409 a worker answers while the
//! group rebalances), status, restart, `/connector-plugins/CLASS/config/validate`, delete.
//! Reference: kafka.apache.org, "Kafka Connect REST Interface".

use super::http::{Reply, Retry, Service, Unreachable, with_backoff};
use super::registry::segment;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Unreachable(Unreachable),
    Refused { what: String, status: u16, message: String },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unreachable(u) => u.fmt(f),
            Error::Refused { what, status, message } => write!(f, "Kafka Connect refused {what}: {status}: {message}"),
        }
    }
}

impl From<Unreachable> for Error {
    fn from(u: Unreachable) -> Self {
        Error::Unreachable(u)
    }
}

fn refused(what: &str, reply: &Reply) -> Error {
    Error::Refused { what: what.to_string(), status: reply.status, message: reply.message() }
}

/// A deployed connector: its config as the worker keeps it, and its state and its tasks'.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deployed {
    pub config: BTreeMap<String, String>,
    /// `RUNNING`, `PAUSED`, `FAILED`, `UNASSIGNED`, ... (empty when unknown).
    pub state: String,
    pub task_states: Vec<String>,
    /// `source` or `sink`, as `?expand=info` says.
    pub kind: String,
    /// The root cause of the first failure, from the worker's trace (its last `Caused by:`
    /// line, else its first line); empty when nothing failed.
    pub cause: String,
}

/// The line of a Java stack trace that says why: the last `Caused by:`, else the first line.
pub(crate) fn root_cause(trace: &str) -> String {
    let line = trace.lines().rev().find(|l| l.starts_with("Caused by: ")).or_else(|| trace.lines().next());
    line.unwrap_or_default().trim_start_matches("Caused by: ").chars().take(400).collect()
}

fn cause(status: &Value) -> String {
    let traces = std::iter::once(&status["connector"]).chain(status["tasks"].as_array().into_iter().flatten());
    traces.filter_map(|s| s["trace"].as_str()).map(root_cause).next().unwrap_or_default()
}

impl Deployed {
    pub(crate) fn failed(&self) -> bool {
        self.state == "FAILED" || self.task_states.iter().any(|s| s == "FAILED")
    }
}

pub struct Connect {
    pub service: Service,
    /// How long to keep retrying a 409 (a rebalance) before giving up.
    pub(crate) rebalance_bound: Duration,
}

fn strings(config: &Value) -> BTreeMap<String, String> {
    config
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect()
}

impl Connect {
    pub fn new(service: Service) -> Connect {
        Connect { service, rebalance_bound: Duration::from_secs(60) }
    }

    /// Answers when the worker has joined its group: `GET /connectors` is 200.
    pub(crate) fn ping(&self) -> Result<(), Error> {
        let reply = self.service.get("/connectors")?;
        if reply.ok() { Ok(()) } else { Err(refused("`GET /connectors`", &reply)) }
    }

    /// Every connector with its config and status (`?expand=info&expand=status`, one request).
    pub(crate) fn connectors(&self) -> Result<BTreeMap<String, Deployed>, Error> {
        let reply =
            self.retrying("listing the connectors", || self.service.get("/connectors?expand=info&expand=status"))?;
        let mut out = BTreeMap::new();
        for (name, entry) in reply.json().as_object().into_iter().flatten() {
            let status = &entry["status"];
            out.insert(
                name.clone(),
                Deployed {
                    config: strings(&entry["info"]["config"]),
                    kind: entry["info"]["type"].as_str().unwrap_or_default().to_string(),
                    cause: cause(status),
                    state: status["connector"]["state"].as_str().unwrap_or_default().to_string(),
                    task_states: status["tasks"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t["state"].as_str().map(str::to_owned))
                        .collect(),
                },
            );
        }
        Ok(out)
    }

    /// A request retried while the worker answers 409 (rebalancing) or is briefly unreachable.
    fn retrying(&self, what: &str, mut send: impl FnMut() -> Result<Reply, Unreachable>) -> Result<Reply, Error> {
        let result = with_backoff(self.rebalance_bound, || match send() {
            Ok(reply) if reply.status == 409 => Err(Retry::Again(refused(what, &reply))),
            Ok(reply) if reply.ok() || reply.status == 404 => Ok(Some(reply)),
            Ok(reply) => Err(Retry::Fatal(refused(what, &reply))),
            Err(unreachable) => Err(Retry::Fatal(Error::Unreachable(unreachable))),
        });
        match result {
            Ok(reply) => Ok(reply),
            Err(Retry::Fatal(e) | Retry::Again(e) | Retry::TimedOut(Some(e))) => Err(e),
            Err(Retry::TimedOut(None)) => {
                Err(Error::Refused { what: what.into(), status: 409, message: "rebalancing".into() })
            }
        }
    }

    /// Creates or updates a connector (`PUT /connectors/NAME/config`); true when created.
    pub fn put_config(&self, name: &str, config: &Map<String, Value>) -> Result<bool, Error> {
        let body = Value::Object(config.clone());
        let path = format!("/connectors/{}/config", segment(name));
        let what = format!("the config of `{name}`");
        let reply = self.retrying(&what, || self.service.request("PUT", &path, Some(&body)))?;
        if reply.status == 404 {
            return Err(refused(&what, &reply));
        }
        Ok(reply.status == 201)
    }

    /// Restarts a connector and its failed tasks (`POST .../restart?includeTasks=true&onlyFailed=true`).
    pub(crate) fn restart(&self, name: &str) -> Result<(), Error> {
        let path = format!("/connectors/{}/restart?includeTasks=true&onlyFailed=true", segment(name));
        let what = format!("restarting `{name}`");
        let reply = self.retrying(&what, || self.service.request("POST", &path, None))?;
        if reply.status == 404 {
            return Err(refused(&what, &reply));
        }
        Ok(())
    }

    pub fn status(&self, name: &str) -> Result<Option<Deployed>, Error> {
        let reply = self.retrying("a status", || self.service.get(&format!("/connectors/{}/status", segment(name))))?;
        if reply.status == 404 {
            return Ok(None);
        }
        let json = reply.json();
        Ok(Some(Deployed {
            config: BTreeMap::new(),
            kind: json["type"].as_str().unwrap_or_default().to_string(),
            cause: cause(&json),
            state: json["connector"]["state"].as_str().unwrap_or_default().to_string(),
            task_states: json["tasks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["state"].as_str().map(str::to_owned))
                .collect(),
        }))
    }

    /// Validates a config against its plugin: the error messages, by key (empty when valid).
    pub(crate) fn validate(&self, config: &Map<String, Value>) -> Result<BTreeMap<String, Vec<String>>, Error> {
        let class = config.get("connector.class").and_then(Value::as_str).unwrap_or_default();
        // The plugin may be named by its simple class name or its full one.
        let path = format!("/connector-plugins/{}/config/validate", segment(class));
        let body = Value::Object(config.clone());
        let what = format!("validating a `{class}` config");
        let reply = self.retrying(&what, || self.service.request("PUT", &path, Some(&body)))?;
        if reply.status == 404 {
            return Err(refused(&what, &reply));
        }
        let mut errors = BTreeMap::new();
        for entry in reply.json()["configs"].as_array().into_iter().flatten() {
            let messages: Vec<String> = entry["value"]["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect();
            if !messages.is_empty() {
                errors.insert(entry["value"]["name"].as_str().unwrap_or_default().to_string(), messages);
            }
        }
        Ok(errors)
    }

    /// Deletes a connector and, first, its offsets, so that a connector created later under the
    /// same name starts afresh (a snapshot for a source, the topic's start for a sink) instead of
    /// resuming from positions that may no longer exist: a Debezium source whose replication slot
    /// was dropped fails on its old LSN. The offsets can only be reset while the connector is
    /// STOPPED (KIP-875, Kafka Connect 3.6 and later): stop it, wait for STOPPED, reset, delete.
    /// An older worker (no `/stop`) gets the plain delete it supports.
    pub fn delete(&self, name: &str) -> Result<(), Error> {
        let path = format!("/connectors/{}", segment(name));
        let stopped =
            self.retrying(&format!("stopping `{name}`"), || self.service.request("PUT", &format!("{path}/stop"), None));
        if stopped.is_ok_and(|reply| reply.ok()) {
            self.reset_offsets(name, &path)?;
        }
        self.retrying(&format!("deleting `{name}`"), || self.service.request("DELETE", &path, None))?;
        Ok(())
    }

    /// `DELETE /connectors/NAME/offsets`, retried while the connector is still stopping (the
    /// worker answers 400 until it is STOPPED).
    fn reset_offsets(&self, name: &str, path: &str) -> Result<(), Error> {
        let what = format!("resetting the offsets of `{name}`");
        let result = with_backoff(self.rebalance_bound.min(Duration::from_secs(20)), || {
            match self.service.request("DELETE", &format!("{path}/offsets"), None) {
                Ok(reply) if reply.ok() || reply.status == 404 => Ok(Some(())),
                Ok(reply) if reply.status == 400 || reply.status == 409 => Err(Retry::Again(refused(&what, &reply))),
                Ok(reply) => Err(Retry::Fatal(refused(&what, &reply))),
                Err(unreachable) => Err(Retry::Fatal(Error::Unreachable(unreachable))),
            }
        });
        match result {
            Ok(_) => Ok(()),
            Err(Retry::Fatal(e) | Retry::Again(e) | Retry::TimedOut(Some(e))) => Err(e),
            Err(Retry::TimedOut(None)) => Err(Error::Refused { what, status: 400, message: "not stopped".into() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_cause_is_the_last_caused_by_of_a_trace() {
        let trace = "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\n\tat a.b(C.java:1)\nCaused by: java.lang.RuntimeException: wrapped\n\tat d.e(F.java:2)\nCaused by: java.net.ConnectException: Connection refused\n\tat g.h(I.java:3)\n";
        assert_eq!(root_cause(trace), "java.net.ConnectException: Connection refused");
        assert_eq!(
            root_cause("io.debezium.DebeziumException: no slot\n\tat x"),
            "io.debezium.DebeziumException: no slot"
        );
        assert_eq!(root_cause(""), "");
    }

    #[test]
    fn a_put_is_retried_while_the_worker_rebalances() {
        use crate::deploy::http::{Auth, Service, testing::serve};
        let rebalancing = r#"{"error_code":409,"message":"Cannot complete request because of a conflicting operation (e.g. worker rebalance)"}"#;
        let (url, server) = serve(vec![
            (409, rebalancing.into()),
            (409, rebalancing.into()),
            (201, r#"{"name":"dump","config":{},"tasks":[]}"#.into()),
        ]);
        let connect = Connect::new(Service::new("Kafka Connect", &url, Auth::None, Duration::from_secs(5)));
        let mut config = Map::new();
        config.insert("connector.class".into(), Value::from("FileStreamSink"));
        assert_eq!(connect.put_config("dump", &config), Ok(true));
        let requests = server.join().unwrap();
        assert_eq!(requests.len(), 3);
        for request in &requests {
            assert!(request.starts_with("PUT /connectors/dump/config HTTP/1.1\r\n"), "{request}");
            assert!(request.ends_with(r#"{"connector.class":"FileStreamSink"}"#), "{request}");
        }
    }

    #[test]
    fn a_delete_stops_the_connector_and_resets_its_offsets_first() {
        use crate::deploy::http::{Auth, Service, testing::serve};
        let (url, server) = serve(vec![
            (204, String::new()),
            (400, r#"{"error_code":400,"message":"Connectors must be in the STOPPED state"}"#.into()),
            (200, r#"{"message":"The Connect framework-managed offsets for this connector have been reset successfully."}"#.into()),
            (204, String::new()),
        ]);
        let connect = Connect::new(Service::new("Kafka Connect", &url, Auth::None, Duration::from_secs(5)));
        assert_eq!(connect.delete("cdc"), Ok(()));
        let lines: Vec<String> =
            server.join().unwrap().iter().map(|r| r.lines().next().unwrap_or_default().to_string()).collect();
        assert_eq!(
            lines,
            [
                "PUT /connectors/cdc/stop HTTP/1.1",
                "DELETE /connectors/cdc/offsets HTTP/1.1",
                "DELETE /connectors/cdc/offsets HTTP/1.1",
                "DELETE /connectors/cdc HTTP/1.1"
            ]
        );
    }

    #[test]
    fn an_old_worker_without_stop_gets_a_plain_delete() {
        use crate::deploy::http::{Auth, Service, testing::serve};
        let (url, server) = serve(vec![
            (405, r#"{"error_code":405,"message":"HTTP 405 Method Not Allowed"}"#.into()),
            (204, String::new()),
        ]);
        let connect = Connect::new(Service::new("Kafka Connect", &url, Auth::None, Duration::from_secs(5)));
        assert_eq!(connect.delete("cdc"), Ok(()));
        let lines: Vec<String> =
            server.join().unwrap().iter().map(|r| r.lines().next().unwrap_or_default().to_string()).collect();
        assert_eq!(lines, ["PUT /connectors/cdc/stop HTTP/1.1", "DELETE /connectors/cdc HTTP/1.1"]);
    }

    #[test]
    fn a_refusal_carries_the_workers_message() {
        use crate::deploy::http::{Auth, Service, testing::serve};
        let (url, server) = serve(vec![(400, r#"{"error_code":400,"message":"Connector config is invalid"}"#.into())]);
        let connect = Connect::new(Service::new("Kafka Connect", &url, Auth::None, Duration::from_secs(5)));
        let error = connect.put_config("x", &Map::new()).unwrap_err();
        assert_eq!(error.to_string(), "Kafka Connect refused the config of `x`: 400: Connector config is invalid");
        server.join().unwrap();
    }
}
