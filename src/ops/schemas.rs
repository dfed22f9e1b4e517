//! `venice schemas`: every subject of a target's schema registry with its latest version's
//! number, id and schema type, its compatibility level (the subject's own, else the registry's
//! global level) and the numbers of all its versions; the subjects the project declares are
//! marked, and those it declares that the registry does not have are listed.
//!
//! The Confluent API, at a base URL that may have a path: Confluent's Schema Registry at its
//! root, Apicurio Registry 3 at `/apis/ccompat/v7`. With many subjects to read, their latest
//! versions come from one `GET /schemas?latestOnly=true` (Confluent Platform 7 and later); else,
//! on Apicurio (whose answer to it lacks subjects and ids), or when the registry lacks it, from
//! `GET /subjects/S/versions/latest` each. Then `GET /subjects/S/versions` (the version numbers)
//! and `GET /config/S` for each subject: Confluent
//! answers 404 (error 40408) when the subject has no level of its own, and the global level
//! (`GET /config`) applies; Apicurio answers with the level that applies, so a level Apicurio
//! reports is never shown as inherited. Subjects are read side by side, 16 requests at a time:
//! 637 subjects of the real-services stack's Apicurio (three requests each) in about 4.3 s, the 3
//! a project declares (`--declared`) in 0.03 s.
//! Reference: docs.confluent.io, "Schema Registry API Reference".

use crate::deploy::http::{Reply, Service};
use crate::deploy::registry::segment;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// Requests in flight at once.
const PARALLEL: usize = 16;
/// Past this many subjects, the latest versions come from one `GET /schemas?latestOnly=true`.
const BULK_FROM: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Latest {
    pub(crate) version: i64,
    pub(crate) id: i64,
    /// `AVRO` when the registry leaves it out, as Confluent's API does for Avro.
    pub(crate) schema_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subject {
    pub(crate) name: String,
    pub(crate) latest: Option<Latest>,
    /// The numbers of its versions, as the registry lists them (ascending; deleted ones left out).
    pub(crate) versions: Vec<i64>,
    pub(crate) compatibility: String,
    /// The level is the registry's global one (the subject has none of its own).
    pub(crate) inherited: bool,
    pub(crate) declared: bool,
}

/// A subject the project declares and the registry lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing {
    pub(crate) name: String,
    /// Registered by whoever first writes it (a connector's converter, ksqlDB), not by venice.
    pub(crate) by_writer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    pub(crate) target: String,
    pub(crate) url: String,
    pub(crate) global: String,
    /// In name order.
    pub(crate) subjects: Vec<Subject>,
    pub(crate) missing: Vec<Missing>,
}

fn refused(what: &str, reply: &Reply) -> String {
    format!("the schema registry refused {what}: {}: {}", reply.status, reply.message())
}

fn get(service: &Service, path: &str) -> Result<Reply, String> {
    service.get(path).map_err(|e| e.to_string())
}

fn latest_of(json: &Value) -> Latest {
    Latest {
        version: json["version"].as_i64().unwrap_or(0),
        id: json["id"].as_i64().unwrap_or(0),
        schema_type: json["schemaType"].as_str().unwrap_or("AVRO").to_string(),
    }
}

/// The latest version of every subject, in one request; None when the registry does not
/// answer `GET /schemas` (an older Confluent release).
fn all_latest(service: &Service) -> Result<Option<BTreeMap<String, Latest>>, String> {
    let reply = get(service, "/schemas?latestOnly=true")?;
    let json = reply.json();
    let Some(schemas) = json.as_array().filter(|_| reply.ok()) else { return Ok(None) };
    // Apicurio 3 answers with the schema texts alone (no subject, version or id): of no use here.
    let complete = |s: &Value| s.get("subject").is_some_and(Value::is_string) && s.get("id").is_some_and(Value::is_i64);
    if !schemas.iter().all(complete) {
        return Ok(None);
    }
    Ok(Some(schemas.iter().map(|s| (s["subject"].as_str().unwrap_or_default().to_string(), latest_of(s))).collect()))
}

/// One subject read: its latest version (unless known already) and its level.
fn subject(service: &Service, name: &str, known: Option<Option<Latest>>, global: &str) -> Result<Subject, String> {
    let latest = match known {
        Some(latest) => latest,
        None => {
            let reply = get(service, &format!("/subjects/{}/versions/latest", segment(name)))?;
            if reply.ok() {
                Some(latest_of(&reply.json()))
            } else if reply.status == 404 {
                None
            } else {
                return Err(refused(&format!("reading the latest version of `{name}`"), &reply));
            }
        }
    };
    let listed = get(service, &format!("/subjects/{}/versions", segment(name)))?;
    if !listed.ok() && listed.status != 404 {
        return Err(refused(&format!("listing the versions of `{name}`"), &listed));
    }
    let versions = listed.json().as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
    let config = get(service, &format!("/config/{}", segment(name)))?;
    let own = if config.ok() { config.json()["compatibilityLevel"].as_str().map(str::to_owned) } else { None };
    if !config.ok() && config.status != 404 {
        return Err(refused(&format!("reading the config of `{name}`"), &config));
    }
    let (compatibility, inherited) = match own {
        Some(level) => (level, false),
        None => (global.to_string(), true),
    };
    Ok(Subject { name: name.to_string(), latest, versions, compatibility, inherited, declared: false })
}

/// Reads the registry at `url`. `declared`: each subject the project declares, and whether
/// venice registers its schema (false: a connector's converter or ksqlDB does).
pub(crate) fn read(
    target: &str,
    url: &crate::deploy::target::Url,
    declared: &BTreeMap<String, bool>,
    only_declared: bool,
) -> Result<Listing, String> {
    let service = url.service("the schema registry", Duration::from_secs(30));
    read_from(target, &service, declared, only_declared)
}

pub(crate) fn read_from(
    target: &str,
    service: &Service,
    declared: &BTreeMap<String, bool>,
    only_declared: bool,
) -> Result<Listing, String> {
    let listed = get(service, "/subjects")?;
    if !listed.ok() {
        return Err(refused("`GET /subjects`", &listed));
    }
    let mut names: Vec<String> =
        listed.json().as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect();
    names.sort();
    names.dedup();
    let global_reply = get(service, "/config")?;
    if !global_reply.ok() {
        return Err(refused("`GET /config`", &global_reply));
    }
    let global = global_reply.json()["compatibilityLevel"].as_str().unwrap_or("BACKWARD").to_string();
    let wanted: Vec<&String> = names.iter().filter(|n| !only_declared || declared.contains_key(*n)).collect();
    // One large answer costs less than a request per subject once there are more than a few.
    // Apicurio (known by its path) answers `/schemas` without subjects: not worth asking.
    let apicurio = service.base.contains("/apis/ccompat/");
    let known = if wanted.len() > BULK_FROM && !apicurio { all_latest(service)? } else { None };
    let chunk = wanted.len().div_ceil(PARALLEL).max(1);
    let results: Vec<Result<Vec<Subject>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = wanted
            .chunks(chunk)
            .map(|part| {
                let (global, known) = (&global, &known);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for name in part {
                        let latest = known.as_ref().map(|k| k.get(*name).cloned());
                        out.push(subject(service, name, latest, global)?);
                    }
                    Ok(out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a registry request panicked".into()))).collect()
    });
    let mut subjects = Vec::new();
    for result in results {
        subjects.extend(result?);
    }
    for s in &mut subjects {
        s.declared = declared.contains_key(&s.name);
    }
    subjects.sort_by(|a, b| a.name.cmp(&b.name));
    let missing = declared
        .iter()
        .filter(|(name, _)| names.binary_search(name).is_err())
        .map(|(name, registers)| Missing { name: name.clone(), by_writer: !registers })
        .collect();
    Ok(Listing { target: target.to_string(), url: service.base.clone(), global, subjects, missing })
}

/// Version numbers as runs, `1-3,5`; `-` for none.
fn runs(versions: &[i64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut at = 0;
    while at < versions.len() {
        let start = versions[at];
        let mut end = at;
        while versions.get(end + 1) == Some(&(versions[end] + 1)) {
            end += 1;
        }
        parts.push(if end == at { start.to_string() } else { format!("{start}-{}", versions[end]) });
        at = end + 1;
    }
    if parts.is_empty() { "-".to_string() } else { parts.join(",") }
}

impl Listing {
    /// A table (declared subjects marked `*`), the missing ones, and a summary.
    pub(crate) fn human(&self) -> String {
        let header = ["SUBJECT", "VERSION", "ID", "TYPE", "COMPATIBILITY", "VERSIONS"];
        let rows: Vec<[String; 6]> = self
            .subjects
            .iter()
            .map(|s| {
                let (version, id, kind) = match &s.latest {
                    Some(l) => (l.version.to_string(), l.id.to_string(), l.schema_type.clone()),
                    None => ("-".into(), "-".into(), "-".into()),
                };
                let level = if s.inherited { format!("{} (global)", s.compatibility) } else { s.compatibility.clone() };
                [s.name.clone(), version, id, kind, level, runs(&s.versions)]
            })
            .collect();
        let widths: Vec<usize> = (0..6)
            .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0))
            .collect();
        let line = |mark: &str, cells: [&str; 6]| {
            let mut text = mark.to_string();
            for (i, cell) in cells.iter().enumerate() {
                text.push_str(&format!("{cell:width$}  ", width = widths[i]));
            }
            format!("{}\n", text.trim_end())
        };
        let mut out = String::new();
        if !rows.is_empty() {
            out.push_str(&line("  ", header));
        }
        for (s, r) in self.subjects.iter().zip(&rows) {
            out.push_str(&line(if s.declared { "* " } else { "  " }, [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]));
        }
        for m in &self.missing {
            let why = if m.by_writer {
                " (registered by the connector or ksqlDB query that first writes it)"
            } else {
                " (venice registers it: `venice apply`)"
            };
            out.push_str(&format!("missing: `{}` is declared by the project and not in the registry{why}\n", m.name));
        }
        let declared = self.subjects.iter().filter(|s| s.declared).count();
        let subjects = if self.subjects.len() == 1 {
            "1 subject".to_string()
        } else {
            format!("{} subjects", self.subjects.len())
        };
        out.push_str(&format!(
            "{subjects} in the schema registry at {} (target `{}`): {declared} declared by the project (*), {} missing; global compatibility {}\n",
            self.url,
            self.target,
            self.missing.len(),
            self.global
        ));
        out
    }

    pub(crate) fn json(&self) -> Value {
        let subjects: Vec<Value> = self
            .subjects
            .iter()
            .map(|s| {
                json!({
                    "subject": s.name,
                    "declared": s.declared,
                    "latest": s.latest.as_ref().map(|l| json!({"version": l.version, "id": l.id, "schemaType": l.schema_type})),
                    "versions": s.versions,
                    "compatibility": s.compatibility,
                    "compatibilityFrom": if s.inherited { "global" } else { "subject" },
                })
            })
            .collect();
        let missing: Vec<Value> = self
            .missing
            .iter()
            .map(|m| json!({"subject": m.name, "registeredBy": if m.by_writer { "writer" } else { "venice" }}))
            .collect();
        json!({
            "target": self.target,
            "registry": self.url,
            "globalCompatibility": self.global,
            "subjects": subjects,
            "missing": missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::http::{Auth, testing::serve};

    #[test]
    fn subjects_are_read_with_their_versions_and_levels() {
        // One subject with its own level, read under a base path, as Apicurio serves it.
        let (url, server) = serve(vec![
            (200, r#"["orders-value"]"#.into()),
            (200, r#"{"compatibilityLevel":"BACKWARD"}"#.into()),
            (200, r#"{"subject":"orders-value","version":2,"id":7,"schema":"\"string\""}"#.into()),
            (200, "[1,2]".into()),
            (404, r#"{"error_code":40408,"message":"Subject 'orders-value' does not have subject-level compatibility configured"}"#.into()),
        ]);
        let service =
            Service::new("the schema registry", &format!("{url}/apis/ccompat/v7"), Auth::None, Duration::from_secs(5));
        let declared: BTreeMap<String, bool> =
            [("orders-value".to_string(), true), ("orders-key".to_string(), false)].into();
        let listing = read_from("local", &service, &declared, false).unwrap();
        let requests = server.join().unwrap();
        let lines: Vec<&str> = requests.iter().map(|r| r.lines().next().unwrap()).collect();
        assert_eq!(
            lines,
            [
                "GET /apis/ccompat/v7/subjects HTTP/1.1",
                "GET /apis/ccompat/v7/config HTTP/1.1",
                "GET /apis/ccompat/v7/subjects/orders-value/versions/latest HTTP/1.1",
                "GET /apis/ccompat/v7/subjects/orders-value/versions HTTP/1.1",
                "GET /apis/ccompat/v7/config/orders-value HTTP/1.1",
            ]
        );
        assert_eq!(
            listing.subjects,
            [Subject {
                name: "orders-value".into(),
                latest: Some(Latest { version: 2, id: 7, schema_type: "AVRO".into() }),
                versions: vec![1, 2],
                compatibility: "BACKWARD".into(),
                inherited: true,
                declared: true,
            }]
        );
        assert_eq!(listing.missing, [Missing { name: "orders-key".into(), by_writer: true }]);
        assert_eq!(
            listing.human(),
            format!(
                "  SUBJECT       VERSION  ID  TYPE  COMPATIBILITY      VERSIONS\n\
                 * orders-value  2        7   AVRO  BACKWARD (global)  1-2\n\
                 missing: `orders-key` is declared by the project and not in the registry (registered by the connector or ksqlDB query that first writes it)\n\
                 1 subject in the schema registry at {url}/apis/ccompat/v7 (target `local`): 1 declared by the project (*), 1 missing; global compatibility BACKWARD\n"
            )
        );
        assert_eq!(listing.json()["subjects"][0]["compatibilityFrom"], "global");
        assert_eq!(listing.json()["subjects"][0]["versions"], json!([1, 2]));
    }

    /// Answers by path (each request on its own connection), for reads made side by side.
    fn route(connections: usize, answer: fn(&str) -> (u16, String)) -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut paths = Vec::new();
            for _ in 0..connections {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream);
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = first.split(' ').nth(1).unwrap_or_default().to_string();
                let (status, body) = answer(&path);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                reader.into_inner().write_all(reply.as_bytes()).unwrap();
                paths.push(path);
            }
            paths.sort();
            paths
        });
        (url, handle)
    }

    #[test]
    fn many_subjects_take_their_latest_versions_from_one_request() {
        // 20 subjects: `s00`..`s19`; `s03` has a level of its own.
        let (url, server) = route(43, |path| {
            match path {
            "/subjects" => (200, serde_json::to_string(&(0..20).map(|i| format!("s{i:02}")).collect::<Vec<_>>()).unwrap()),
            "/config" => (200, r#"{"compatibilityLevel":"FULL"}"#.into()),
            "/schemas?latestOnly=true" => (
                200,
                serde_json::to_string(
                    &(0..20)
                        .map(|i| json!({"subject": format!("s{i:02}"), "version": 3, "id": 100 + i, "schema": "\"int\""}))
                        .collect::<Vec<_>>(),
                )
                .unwrap(),
            ),
            "/config/s03" => (200, r#"{"compatibilityLevel":"NONE"}"#.into()),
            p if p.ends_with("/versions") => (200, "[1,2,3]".into()),
            _ => (404, r#"{"error_code":40408,"message":"no subject-level config"}"#.into()),
        }
        });
        let service = Service::new("the schema registry", &url, Auth::None, Duration::from_secs(5));
        let declared: BTreeMap<String, bool> = [("s07".to_string(), true)].into();
        let listing = read_from("local", &service, &declared, false).unwrap();
        let paths = server.join().unwrap();
        assert_eq!(paths.iter().filter(|p| p.starts_with("/config/")).count(), 20);
        assert!(!paths.iter().any(|p| p.contains("/versions/latest")), "{paths:?}");
        assert_eq!(paths.iter().filter(|p| p.ends_with("/versions")).count(), 20);
        assert_eq!(listing.subjects.len(), 20);
        assert_eq!(listing.subjects[3].compatibility, "NONE");
        assert!(!listing.subjects[3].inherited);
        assert_eq!((listing.subjects[4].compatibility.as_str(), listing.subjects[4].inherited), ("FULL", true));
        assert_eq!(listing.subjects[19].latest, Some(Latest { version: 3, id: 119, schema_type: "AVRO".into() }));
        assert_eq!(listing.subjects[19].versions, [1, 2, 3]);
        assert!(listing.subjects[7].declared && listing.missing.is_empty());
    }

    #[test]
    fn schemas_without_subjects_are_not_taken_for_the_latest_versions() {
        // Apicurio 3's `/schemas`: texts alone. Each subject is then read on its own.
        let (url, server) = route(3 + 17 * 3, |path| match path {
            "/subjects" => {
                (200, serde_json::to_string(&(0..17).map(|i| format!("s{i:02}")).collect::<Vec<_>>()).unwrap())
            }
            "/config" => (200, r#"{"compatibilityLevel":"BACKWARD"}"#.into()),
            "/schemas?latestOnly=true" => (200, r#"[{"schema":"\"int\""}]"#.into()),
            p if p.ends_with("/versions/latest") => (200, r#"{"version":1,"id":5,"schema":"\"int\""}"#.into()),
            p if p.ends_with("/versions") => (200, "[1]".into()),
            _ => (200, r#"{"compatibilityLevel":"BACKWARD"}"#.into()),
        });
        let service = Service::new("the schema registry", &url, Auth::None, Duration::from_secs(5));
        let listing = read_from("local", &service, &BTreeMap::new(), false).unwrap();
        let paths = server.join().unwrap();
        assert_eq!(paths.iter().filter(|p| p.ends_with("/versions/latest")).count(), 17);
        assert!(
            listing.subjects.iter().all(|s| s.latest == Some(Latest { version: 1, id: 5, schema_type: "AVRO".into() }))
        );
        assert!(listing.subjects.iter().all(|s| !s.inherited));
    }

    #[test]
    fn version_numbers_are_shown_as_runs() {
        assert_eq!(runs(&[]), "-");
        assert_eq!(runs(&[4]), "4");
        assert_eq!(runs(&[1, 3]), "1,3");
        assert_eq!(runs(&[1, 2, 3, 5, 7, 8]), "1-3,5,7-8");
    }

    #[test]
    fn an_unreachable_registry_is_named_with_where() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let service = Service::new(
            "the schema registry",
            &format!("http://127.0.0.1:{port}"),
            Auth::None,
            Duration::from_secs(2),
        );
        let error = read_from("local", &service, &BTreeMap::new(), false).unwrap_err();
        assert_eq!(
            error,
            format!("the schema registry is not answering at http://127.0.0.1:{port} (connection refused)")
        );
    }
}
