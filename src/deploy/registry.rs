//! A Schema Registry client over the Confluent REST API (subjects, versions, `/compatibility`,
//! `/config`), at a base URL that may have a path: Apicurio Registry 3 serves the same API at
//! `/apis/ccompat/v7`. Confluent's reference: docs.confluent.io, "Schema Registry API Reference".
//!
//! Every request here may be sent twice ([`Service::idempotent`]): registering a schema the subject
//! already has answers its id again, setting a level to the level it has changes nothing, and
//! deleting a subject already deleted answers 404, taken for done.

use super::http::{Reply, Service, Unreachable};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What a client call can fail with: the service is down, or it answered an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Unreachable(Unreachable),
    /// The status, the registry's `error_code` (0 when none) and its message.
    Refused {
        what: String,
        status: u16,
        code: i64,
        message: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unreachable(u) => u.fmt(f),
            Error::Refused { what, status, code, message } => {
                write!(f, "the schema registry refused {what}: {status}")?;
                if *code != 0 {
                    write!(f, " (error {code})")?;
                }
                write!(f, ": {message}")
            }
        }
    }
}

impl From<Unreachable> for Error {
    fn from(u: Unreachable) -> Self {
        Error::Unreachable(u)
    }
}

/// The latest version of a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    pub id: i64,
    pub schema: String,
    /// `AVRO` when the registry leaves it out.
    pub schema_type: String,
    /// Whether the version refers to other subjects (Apicurio's serdes register nested records so).
    pub has_references: bool,
}

/// A subject's latest version as Apicurio lists it in bulk: its number and the two ids Apicurio
/// gives a version (the Confluent API answers one of them as the schema id: the content id, or
/// the global id in Apicurio's legacy id mode), without the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) version: i64,
    pub(crate) content_id: i64,
    pub(crate) global_id: i64,
}

/// How many versions one page of the bulk listing asks for: Apicurio 3.3 answers at most 1,000
/// whatever the limit (its Confluent API's `GET /subjects` stops at 1,000 subjects too).
const LISTING_PAGE: usize = 1000;

/// Which schema [`Registry::schema`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SchemaAt {
    Id(i64),
    Version(String, i64),
}

/// A schema as the registry keeps it; `references` are `(subject, version)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registered {
    pub(crate) schema: String,
    /// `AVRO` when the registry leaves it out.
    pub(crate) schema_type: String,
    pub(crate) references: Vec<(String, i64)>,
}

/// Percent-encodes a path segment (a subject may hold any character but `/` is the risky one).
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The server root of an Apicurio Confluent-API base URL (`http://h:8080/apis/ccompat/v7`).
fn apicurio_root(base: &str) -> Option<&str> {
    base.strip_suffix("/apis/ccompat/v7").or_else(|| base.strip_suffix("/apis/ccompat/v6"))
}

/// One entry of Apicurio's `search/versions`: its subject (artifact id) and ids. None when an
/// entry lacks them, or its version is not a number (made through Apicurio's own API): the
/// listing is then not used.
fn listed_version(v: &Value) -> Option<(&str, Listed)> {
    let subject = v["artifactId"].as_str()?;
    let version = v["version"].as_str()?.parse().ok()?;
    Some((subject, Listed { version, content_id: v["contentId"].as_i64()?, global_id: v["globalId"].as_i64()? }))
}

pub struct Registry {
    pub(crate) service: Service,
}

fn refused(what: &str, reply: &Reply) -> Error {
    let code = reply.json().get("error_code").and_then(Value::as_i64).unwrap_or(0);
    Error::Refused { what: what.to_string(), status: reply.status, code, message: reply.message() }
}

/// Confluent's `40401` (subject not found), `40402` (version not found), `40403` (schema not
/// found), `40408` (no subject-level config).
fn not_found(reply: &Reply) -> bool {
    reply.status == 404
}

impl Registry {
    pub fn new(service: Service) -> Registry {
        Registry { service }
    }

    /// Answers when the registry does: `GET /schemas/types`, a few bytes whatever the registry
    /// holds (`GET /subjects` lists every subject: 30 KB on the stack after the live tests).
    pub(crate) fn ping(&self) -> Result<(), Error> {
        let reply = self.service.get("/schemas/types")?;
        if reply.ok() { Ok(()) } else { Err(refused("`GET /schemas/types`", &reply)) }
    }

    /// Every subject that has a version, sorted: Apicurio's bulk listing where there is one
    /// ([`Registry::listing`]: its `GET /subjects` stops at 1,000 subjects), else `GET /subjects`.
    pub(crate) fn subjects(&self) -> Result<Vec<String>, Error> {
        if let Some(listed) = self.listing()? {
            return Ok(listed.into_keys().collect());
        }
        let reply = self.service.get("/subjects")?;
        if !reply.ok() {
            return Err(refused("`GET /subjects`", &reply));
        }
        let mut names: Vec<String> =
            reply.json().as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned)).collect();
        names.sort();
        Ok(names)
    }

    /// The latest version, or None when the subject has none.
    pub fn latest(&self, subject: &str) -> Result<Option<Version>, Error> {
        let reply = self.service.get(&format!("/subjects/{}/versions/latest", segment(subject)))?;
        if not_found(&reply) {
            return Ok(None);
        }
        if !reply.ok() {
            return Err(refused(&format!("reading subject `{subject}`"), &reply));
        }
        let json = reply.json();
        Ok(Some(Version {
            version: json["version"].as_i64().unwrap_or(0),
            id: json["id"].as_i64().unwrap_or(0),
            schema: json["schema"].as_str().unwrap_or_default().to_string(),
            schema_type: json["schemaType"].as_str().unwrap_or("AVRO").to_string(),
            has_references: json["references"].as_array().is_some_and(|r| !r.is_empty()),
        }))
    }

    /// Every subject's latest version in a few requests, when the registry is Apicurio Registry 3
    /// (its Confluent API at `<root>/apis/ccompat/v7` or `v6`, its own API at
    /// `<root>/apis/registry/v3`): `GET /search/versions` of the `default` group, where the
    /// Confluent API keeps subjects, in pages by global id. A subject's latest version is its
    /// newest (highest global id) that is ENABLED or DEPRECATED: the Confluent API's soft delete
    /// leaves versions DISABLED, and a DRAFT is not yet a version. None when the URL is not
    /// Apicurio's or its own API does not answer (the caller reads subject by subject).
    pub(crate) fn listing(&self) -> Result<Option<BTreeMap<String, Listed>>, Error> {
        let Some(root) = apicurio_root(self.service.base()) else { return Ok(None) };
        let mut listed: BTreeMap<String, Listed> = BTreeMap::new();
        let mut offset = 0;
        loop {
            let url = format!(
                "{root}/apis/registry/v3/search/versions?groupId=default&orderby=globalId&order=asc&offset={offset}&limit={LISTING_PAGE}"
            );
            let reply = self.service.get_beside(&url)?;
            if !reply.ok() {
                return Ok(None);
            }
            let page = reply.json();
            let Some(versions) = page["versions"].as_array() else { return Ok(None) };
            for v in versions {
                let Some((subject, version)) = listed_version(v) else { return Ok(None) };
                let live = matches!(v["state"].as_str(), Some("ENABLED" | "DEPRECATED"));
                if live && listed.get(subject).is_none_or(|l| l.global_id < version.global_id) {
                    listed.insert(subject.to_string(), version);
                }
            }
            offset += versions.len();
            if versions.is_empty() || page["count"].as_u64().is_none_or(|count| offset as u64 >= count) {
                return Ok(Some(listed));
            }
        }
    }

    /// The schema id of one version of a subject (`GET /subjects/S/versions/N`), None when it
    /// has no such version.
    pub(crate) fn version_id(&self, subject: &str, version: i64) -> Result<Option<i64>, Error> {
        let reply = self.service.get(&format!("/subjects/{}/versions/{version}", segment(subject)))?;
        if not_found(&reply) {
            return Ok(None);
        }
        if !reply.ok() {
            return Err(refused(&format!("reading version {version} of `{subject}`"), &reply));
        }
        Ok(reply.json()["id"].as_i64())
    }

    /// A schema by its id, or one version of a subject (what a reference names), with its type
    /// and references: `GET /schemas/ids/{id}`, `GET /subjects/S/versions/N`. `venice tail`
    /// decodes records with it. None when the registry has no such schema.
    pub(crate) fn schema(&self, at: &SchemaAt) -> Result<Option<Registered>, Error> {
        let path = match at {
            SchemaAt::Id(id) => format!("/schemas/ids/{id}"),
            SchemaAt::Version(subject, version) => format!("/subjects/{}/versions/{version}", segment(subject)),
        };
        let reply = self.service.get(&path)?;
        if not_found(&reply) {
            return Ok(None);
        }
        if !reply.ok() {
            return Err(refused(&format!("`GET {path}`"), &reply));
        }
        let json = reply.json();
        let references = json["references"].as_array().into_iter().flatten();
        Ok(Some(Registered {
            schema: json["schema"].as_str().unwrap_or_default().to_string(),
            schema_type: json["schemaType"].as_str().unwrap_or("AVRO").to_string(),
            references: references
                .filter_map(|r| Some((r["subject"].as_str()?.to_string(), r["version"].as_i64()?)))
                .collect(),
        }))
    }

    /// The body of a registration or a compatibility question: the schema, its type and, when it
    /// has any, its references, each version -1 (the latest, as `venice build` writes them)
    /// replaced by the referenced subject's latest version number, as the registry itself
    /// would (`AbstractSchemaProvider.replaceLatestVersion`; Apicurio's ccompat API wants the
    /// number).
    fn payload(&self, schema_type: &str, schema: &str, references: &[Value]) -> Result<Value, Error> {
        let mut body = json!({ "schemaType": schema_type, "schema": schema });
        if references.is_empty() {
            return Ok(body);
        }
        let mut resolved = Vec::new();
        for reference in references {
            let mut reference = reference.clone();
            if reference["version"].as_i64() == Some(-1) {
                let subject = reference["subject"].as_str().unwrap_or_default().to_string();
                let version = self.latest(&subject)?.map_or(-1, |v| v.version);
                reference["version"] = json!(version);
            }
            resolved.push(reference);
        }
        body["references"] = Value::Array(resolved);
        Ok(body)
    }

    /// Registers a schema (or finds it already registered): its id.
    pub fn register(&self, subject: &str, schema_type: &str, schema: &str) -> Result<i64, Error> {
        self.register_with(subject, schema_type, schema, &[])
    }

    /// [`Registry::register`] of a schema with references.
    pub fn register_with(
        &self,
        subject: &str,
        schema_type: &str,
        schema: &str,
        references: &[Value],
    ) -> Result<i64, Error> {
        let body = self.payload(schema_type, schema, references)?;
        let reply =
            self.service.idempotent("POST", &format!("/subjects/{}/versions", segment(subject)), Some(&body))?;
        if !reply.ok() {
            return Err(refused(&format!("registering a schema under `{subject}`"), &reply));
        }
        Ok(reply.json()["id"].as_i64().unwrap_or(0))
    }

    /// Whether the registry would accept the schema as the subject's next version, at the
    /// subject's level (`POST /compatibility/subjects/S/versions/latest`). A subject without
    /// versions accepts anything.
    pub(crate) fn compatible(
        &self,
        subject: &str,
        schema_type: &str,
        schema: &str,
        references: &[Value],
    ) -> Result<bool, Error> {
        let body = self.payload(schema_type, schema, references)?;
        let path = format!("/compatibility/subjects/{}/versions/latest", segment(subject));
        let reply = self.service.idempotent("POST", &path, Some(&body))?;
        if not_found(&reply) {
            return Ok(true);
        }
        if !reply.ok() {
            return Err(refused(&format!("the compatibility check of `{subject}`"), &reply));
        }
        Ok(reply.json()["is_compatible"].as_bool().unwrap_or(false))
    }

    /// The subject's compatibility level: its own, else the global one (`BACKWARD`).
    pub(crate) fn compatibility(&self, subject: &str) -> Result<String, Error> {
        match self.own_compatibility(subject)? {
            Some(level) => Ok(level),
            None => self.global_compatibility(),
        }
    }

    /// The level set on the subject itself (`GET /config/S`), None when it has none.
    pub(crate) fn own_compatibility(&self, subject: &str) -> Result<Option<String>, Error> {
        let reply = self.service.get(&format!("/config/{}", segment(subject)))?;
        if reply.ok()
            && let Some(level) = reply.json()["compatibilityLevel"].as_str()
        {
            return Ok(Some(level.to_string()));
        }
        if !reply.ok() && !not_found(&reply) {
            return Err(refused(&format!("reading the config of `{subject}`"), &reply));
        }
        Ok(None)
    }

    /// The registry's global level (`GET /config`), `BACKWARD` when it names none.
    pub(crate) fn global_compatibility(&self) -> Result<String, Error> {
        let global = self.service.get("/config")?;
        if !global.ok() {
            return Err(refused("reading the global config", &global));
        }
        Ok(global.json()["compatibilityLevel"].as_str().unwrap_or("BACKWARD").to_string())
    }

    pub(crate) fn set_compatibility(&self, subject: &str, level: &str) -> Result<(), Error> {
        let body = json!({ "compatibility": level });
        let reply = self.service.idempotent("PUT", &format!("/config/{}", segment(subject)), Some(&body))?;
        if !reply.ok() {
            return Err(refused(&format!("setting the compatibility of `{subject}`"), &reply));
        }
        Ok(())
    }

    /// Deletes a subject: soft, then permanently (Confluent needs both steps).
    pub fn delete(&self, subject: &str) -> Result<(), Error> {
        let path = format!("/subjects/{}", segment(subject));
        let soft = self.service.idempotent("DELETE", &path, None)?;
        if !soft.ok() && !not_found(&soft) {
            return Err(refused(&format!("deleting `{subject}`"), &soft));
        }
        let hard = self.service.idempotent("DELETE", &format!("{path}?permanent=true"), None)?;
        if !hard.ok() && !not_found(&hard) {
            return Err(refused(&format!("deleting `{subject}` permanently"), &hard));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_encoded_as_one_path_segment() {
        assert_eq!(segment("shop.public.orders-value"), "shop.public.orders-value");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
        assert_eq!(segment("ü"), "%C3%BC");
    }

    fn version(subject: &str, version: &str, global_id: i64, content_id: i64, state: &str) -> Value {
        json!({ "artifactId": subject, "version": version, "globalId": global_id, "contentId": content_id, "state": state })
    }

    fn registry_at(url: &str) -> Registry {
        use crate::deploy::http::{Auth, Service};
        Registry::new(Service::new("the schema registry", url, Auth::None, std::time::Duration::from_secs(5)))
    }

    #[test]
    fn apicurio_lists_each_subjects_newest_live_version_in_pages() {
        use crate::deploy::http::testing::serve;
        let first = json!({ "count": 5, "versions": [
            version("a", "1", 1, 1, "ENABLED"),
            version("b", "1", 2, 1, "DISABLED"),
            version("a", "2", 3, 2, "DEPRECATED"),
            version("c", "1", 4, 4, "DRAFT"),
        ]});
        let second = json!({ "count": 5, "versions": [version("d", "1", 5, 3, "ENABLED")] });
        let (url, server) = serve(vec![(200, first.to_string()), (200, second.to_string())]);
        let registry = registry_at(&format!("{url}/apis/ccompat/v7"));
        let listed = registry.listing().unwrap().expect("Apicurio lists");
        let a = Listed { version: 2, content_id: 2, global_id: 3 };
        let d = Listed { version: 1, content_id: 3, global_id: 5 };
        assert_eq!(listed, BTreeMap::from([("a".to_string(), a), ("d".to_string(), d)]));
        let requests = server.join().unwrap();
        let page = "/apis/registry/v3/search/versions?groupId=default&orderby=globalId&order=asc";
        assert!(requests[0].starts_with(&format!("GET {page}&offset=0&limit=1000 ")), "{}", requests[0]);
        assert!(requests[1].starts_with(&format!("GET {page}&offset=4&limit=1000 ")), "{}", requests[1]);
    }

    #[test]
    fn a_registry_without_apicurios_listing_is_read_subject_by_subject() {
        use crate::deploy::http::testing::serve;
        // Not Apicurio's URL: nothing is asked.
        assert_eq!(registry_at("http://127.0.0.1:1/registry").listing(), Ok(None));
        // Apicurio's URL, but its own API is not served, or a version is not a number.
        let odd = json!({ "count": 1, "versions": [version("a", "draft-1", 1, 1, "ENABLED")] });
        let (url, server) = serve(vec![(404, "{}".into()), (200, odd.to_string())]);
        let registry = registry_at(&format!("{url}/apis/ccompat/v6/"));
        assert_eq!(registry.listing(), Ok(None));
        assert_eq!(registry.listing(), Ok(None));
        assert_eq!(server.join().unwrap().len(), 2);
    }

    #[test]
    fn requests_go_under_the_base_path_with_basic_auth() {
        use crate::deploy::http::{Auth, Secret, Service, testing::serve};
        let not_found = r#"{"error_code":40401,"message":"Subject 'a/b' not found."}"#;
        let (url, server) = serve(vec![(404, not_found.into()), (200, r#"{"id":3}"#.into())]);
        let auth = Auth::Basic { user: "ada".into(), password: Secret::new("s3cret") };
        let registry = Registry::new(Service::new(
            "the schema registry",
            &format!("{url}/apis/ccompat/v7/"),
            auth,
            std::time::Duration::from_secs(5),
        ));
        assert_eq!(registry.latest("a/b"), Ok(None));
        assert_eq!(registry.register("a/b", "AVRO", "\"string\""), Ok(3));
        let requests = server.join().unwrap();
        assert!(
            requests[0].starts_with("GET /apis/ccompat/v7/subjects/a%2Fb/versions/latest HTTP/1.1\r\n"),
            "{}",
            requests[0]
        );
        // base64("ada:s3cret")
        assert!(requests[0].contains("authorization: Basic YWRhOnMzY3JldA==\r\n"), "{}", requests[0]);
        assert!(
            requests[1].starts_with("POST /apis/ccompat/v7/subjects/a%2Fb/versions HTTP/1.1\r\n"),
            "{}",
            requests[1]
        );
        assert!(requests[1].ends_with(r#"{"schemaType":"AVRO","schema":"\"string\""}"#), "{}", requests[1]);
    }
}
