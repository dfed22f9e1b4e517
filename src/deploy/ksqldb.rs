//! A ksqlDB REST client: `GET /info`, `POST /ksql` with the command sequence number of the last
//! statement run, so each statement waits for the ones before it on every server of the cluster.
//! Reference: ksqlDB 0.29's "ksqlDB REST API" (`/ksql` endpoint, "Coordinate multiple requests").

use super::http::{Reply, Service, Unreachable};
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Unreachable(Unreachable),
    /// The status, ksqlDB's `error_code`, its message and the statement it refused.
    Refused {
        status: u16,
        code: i64,
        message: String,
        statement: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unreachable(u) => u.fmt(f),
            Error::Refused { status, code, message, statement } => {
                write!(f, "ksqlDB refused `{}`: {status} (error {code}): {message}", statement.trim())
            }
        }
    }
}

impl From<Unreachable> for Error {
    fn from(u: Unreachable) -> Self {
        Error::Unreachable(u)
    }
}

fn refused(reply: &Reply, statement: &str) -> Error {
    let json = reply.json();
    Error::Refused {
        status: reply.status,
        code: json["error_code"].as_i64().unwrap_or(0),
        message: reply.message(),
        statement: statement.to_string(),
    }
}

pub struct Ksqldb {
    pub(crate) service: Service,
    /// The sequence number of the last command this client ran, sent with the next request.
    pub sequence: Option<i64>,
    /// How long to retry a 503: ksqlDB answers it while it starts (50302) and when waiting for
    /// an earlier command timed out (50301).
    pub(crate) not_ready_bound: std::time::Duration,
}

impl Ksqldb {
    pub fn new(service: Service) -> Ksqldb {
        Ksqldb { service, sequence: None, not_ready_bound: std::time::Duration::from_secs(30) }
    }

    /// The server's version when it says it is running (`GET /info`).
    pub fn info(&self) -> Result<String, Error> {
        let reply = self.service.get("/info")?;
        if !reply.ok() {
            return Err(refused(&reply, "GET /info"));
        }
        let info = &reply.json()["KsqlServerInfo"];
        Ok(info["version"].as_str().unwrap_or("unknown").to_string())
    }

    /// Runs statements (one request); the entities ksqlDB answers with. Remembers the highest
    /// command sequence number for the next call.
    pub fn run(&mut self, statements: &str) -> Result<Vec<Value>, Error> {
        let mut body = json!({ "ksql": statements, "streamsProperties": {} });
        if let Some(sequence) = self.sequence {
            body["commandSequenceNumber"] = json!(sequence);
        }
        use super::http::{Retry, with_backoff};
        let sent = with_backoff(self.not_ready_bound, || match self.service.request("POST", "/ksql", Some(&body)) {
            Ok(reply) if reply.status == 503 => Err(Retry::Again(Ok(reply))),
            Ok(reply) => Ok(Some(reply)),
            Err(unreachable) => Err(Retry::Fatal(Err(unreachable))),
        });
        let reply = match sent {
            Ok(reply) => reply,
            Err(Retry::Again(last) | Retry::Fatal(last) | Retry::TimedOut(Some(last))) => last?,
            Err(Retry::TimedOut(None)) => {
                return Err(Error::Refused {
                    status: 503,
                    code: 0,
                    message: "not ready".into(),
                    statement: statements.to_string(),
                });
            }
        };
        if !reply.ok() {
            let statement = reply.json()["statementText"].as_str().unwrap_or(statements).to_string();
            return Err(refused(&reply, &statement));
        }
        let entities = reply.json().as_array().cloned().unwrap_or_default();
        for entity in &entities {
            if let Some(n) = entity["commandSequenceNumber"].as_i64() {
                self.sequence = Some(self.sequence.map_or(n, |s| s.max(n)));
            }
            if entity["commandStatus"]["status"].as_str() == Some("ERROR") {
                return Err(Error::Refused {
                    status: reply.status,
                    code: 0,
                    message: entity["commandStatus"]["message"].as_str().unwrap_or_default().to_string(),
                    statement: entity["statementText"].as_str().unwrap_or_default().to_string(),
                });
            }
        }
        Ok(entities)
    }

    /// The names of every stream and table (`LIST STREAMS; LIST TABLES;`), as ksqlDB spells them.
    pub fn sources(&mut self) -> Result<BTreeSet<String>, Error> {
        let entities = self.run("LIST STREAMS; LIST TABLES;")?;
        let mut names = BTreeSet::new();
        for entity in &entities {
            for key in ["streams", "tables"] {
                for source in entity[key].as_array().into_iter().flatten() {
                    if let Some(name) = source["name"].as_str() {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::http::{Auth, testing::serve};

    #[test]
    fn not_ready_is_retried_and_sequence_numbers_are_sent_on() {
        let not_ready = r#"{"@type":"generic_error","error_code":50302,"message":"Server is not ready"}"#;
        let created = r#"[{"@type":"currentStatus","statementText":"CREATE STREAM A ...","commandId":"stream/A/create","commandStatus":{"status":"SUCCESS","message":"Stream created"},"commandSequenceNumber":5}]"#;
        let (url, server) = serve(vec![
            (503, not_ready.into()),
            (503, not_ready.into()),
            (200, created.into()),
            (200, r#"[{"@type":"streams","streams":[{"name":"A"}]},{"@type":"tables","tables":[]}]"#.into()),
        ]);
        let mut ksqldb = Ksqldb::new(Service::new("ksqlDB", &url, Auth::None, std::time::Duration::from_secs(5)));
        ksqldb.run("CREATE STREAM a (id INT KEY) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON');").unwrap();
        assert_eq!(ksqldb.sequence, Some(5));
        assert_eq!(ksqldb.sources().unwrap().into_iter().collect::<Vec<_>>(), ["A"]);
        let requests = server.join().unwrap();
        assert_eq!(requests.len(), 4);
        assert!(requests[0].starts_with("POST /ksql HTTP/1.1\r\n"), "{}", requests[0]);
        assert!(!requests[2].contains("commandSequenceNumber"), "{}", requests[2]);
        assert!(requests[3].contains(r#""commandSequenceNumber":5"#), "{}", requests[3]);
    }

    #[test]
    fn a_statement_error_names_the_statement() {
        let error = r#"{"@type":"statement_error","error_code":40001,"message":"Cannot add stream 'A': A stream with the same name already exists","statementText":"CREATE STREAM a (id INT KEY) WITH (KAFKA_TOPIC='a');","entities":[]}"#;
        let (url, server) = serve(vec![(400, error.into())]);
        let mut ksqldb = Ksqldb::new(Service::new("ksqlDB", &url, Auth::None, std::time::Duration::from_secs(5)));
        let refused = ksqldb.run("CREATE STREAM a (id INT KEY) WITH (KAFKA_TOPIC='a');").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "ksqlDB refused `CREATE STREAM a (id INT KEY) WITH (KAFKA_TOPIC='a');`: 400 (error 40001): Cannot add stream 'A': A stream with the same name already exists"
        );
        server.join().unwrap();
    }
}
