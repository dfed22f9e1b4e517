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
    pub service: Service,
    /// The sequence number of the last command this client ran, sent with the next request.
    pub sequence: Option<i64>,
}

impl Ksqldb {
    pub fn new(service: Service) -> Ksqldb {
        Ksqldb { service, sequence: None }
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
        let reply = self.service.request("POST", "/ksql", Some(&body))?;
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
