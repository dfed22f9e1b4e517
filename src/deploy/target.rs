//! A `target` of venice.kdl resolved for `plan` and `apply`: the services' URLs, credentials
//! read from the environment or files, and the [`Deployment`] that connector configs are
//! rendered for.
//!
//! `target local` (the default) with no children is the stack of `venice build` seen from the
//! host: Kafka at `localhost:9092`, the registry at `http://localhost:8081`, Connect at
//! `http://localhost:8083`, ksqlDB at `http://localhost:8088`; its connectors are rendered for
//! the Compose network (`schema-registry:8081`, `postgres`). Any other target names its
//! services; a service the project needs and the target does not name is an error.
//!
//! A registry URL whose path is Apicurio's Confluent API (`.../apis/ccompat/v7`) means Apicurio
//! Registry: connectors then use Apicurio's `AvroConverter` with its native API
//! (`.../apis/registry/v3`) at the same host, as the Connect worker must reach it.

use super::http::{Auth, Secret};
use crate::connect::{Deployment, RegistryFlavour};
use crate::model::{Credential, Endpoint, Project};
use std::path::Path;

/// Where one HTTP service is, and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) url: String,
    pub(crate) auth: Auth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) kafka: Vec<String>,
    pub(crate) registry: Option<Url>,
    pub(crate) connect: Option<Url>,
    pub(crate) ksqldb: Option<Url>,
    /// How connector configs are rendered for this target.
    pub(crate) deployment: Deployment,
}

/// The path at which Apicurio Registry serves the Confluent API.
const APICURIO_CCOMPAT: &str = "/apis/ccompat/";

/// The value a credential refers to, read when a command connects: the variable's value, or
/// the file's content without its final line break. `what` names it in the error, which says
/// where the value was looked for and never shows one.
pub(crate) fn read_secret(credential: &Credential, dir: &Path, what: &str) -> Result<Secret, String> {
    match credential {
        Credential::Literal(v) => Ok(Secret::new(v.value.clone())),
        Credential::Env(v) => std::env::var(&v.value)
            .map(Secret::new)
            .map_err(|_| format!("{what} is read from the environment variable `{}`, which is not set", v.value)),
        Credential::File(p) => {
            let path = if p.value.is_absolute() { p.value.clone() } else { dir.join(&p.value) };
            std::fs::read_to_string(&path)
                .map(|t| Secret::new(t.trim_end_matches(['\n', '\r']).to_string()))
                .map_err(|e| format!("{what} is read from `{}`, which cannot be read: {e}", path.display()))
        }
    }
}

fn url(endpoint: &Endpoint, dir: &Path, what: &str) -> Result<Url, String> {
    let auth = match (&endpoint.user, &endpoint.password, &endpoint.token) {
        (_, _, Some(token)) => Auth::Bearer(read_secret(token, dir, &format!("the {what} token"))?),
        (Some(user), password, None) => Auth::Basic {
            user: read_secret(user, dir, &format!("the {what} user"))?.expose().to_owned(),
            password: match password {
                Some(p) => read_secret(p, dir, &format!("the {what} password"))?,
                None => Secret::new(""),
            },
        },
        (None, _, None) => Auth::None,
    };
    Ok(Url { url: endpoint.url.value.trim_end_matches('/').to_string(), auth })
}

/// Why the commands cannot honour the security a target declares yet, if they cannot: the
/// Kafka client speaks only plaintext without a login, and the HTTP client verifies `https://`
/// against its built-in roots but takes no CA bundle or client certificate. Refused before
/// anything is sent, rather than connecting without the security the target asks for. (Issue
/// 14: this goes once the clients read `KafkaSecurity` and `Tls`.)
fn unsupported_security(target: &crate::model::Target) -> Option<String> {
    let name = &target.name.value;
    let kafka = &target.kafka_security;
    let declared: Vec<String> = kafka
        .tls
        .iter()
        .map(|_| "TLS".to_string())
        .chain(kafka.sasl.iter().map(|s| format!("SASL {}", s.mechanism())))
        .collect();
    if !declared.is_empty() {
        return Some(format!(
            "target `{name}` declares {} for Kafka, which venice's Kafka client does not support yet (it connects in plaintext, without a login); nothing was sent",
            declared.join(" and ")
        ));
    }
    let services = [
        ("the schema registry", &target.schema_registry),
        ("Kafka Connect", &target.connect),
        ("ksqlDB", &target.ksqldb),
    ];
    let (service, _) = services.into_iter().find(|(_, endpoint)| {
        endpoint.as_ref().and_then(|e| e.tls.as_ref()).is_some_and(|tls| tls.ca.is_some() || tls.client.is_some())
    })?;
    Some(format!(
        "target `{name}` declares a CA bundle or a client certificate (`tls`) for {service}, which venice's HTTP client does not support yet; nothing was sent"
    ))
}

/// The Connect worker's view of an Apicurio registry given by its Confluent API URL.
pub(crate) fn apicurio_native(ccompat: &str) -> Option<String> {
    let at = ccompat.find(APICURIO_CCOMPAT)?;
    Some(format!("{}/apis/registry/v3", &ccompat[..at]))
}

/// Resolves `--target NAME` (default `local`). Credentials are read here, so a missing
/// variable is an error before any request.
pub(crate) fn resolve(project: &Project, dir: &Path, name: Option<&str>) -> Result<Target, String> {
    let name = name.unwrap_or("local");
    let declared = project.targets.iter().find(|t| t.name.value == name);
    if declared.is_none() && name != "local" {
        let names: Vec<String> = project.targets.iter().map(|t| format!("`{}`", t.name.value)).collect();
        let known =
            if names.is_empty() { "it declares none".to_string() } else { format!("it has {}", names.join(", ")) };
        return Err(format!("the project has no target `{name}`; {known}"));
    }
    if let Some(refused) = declared.and_then(unsupported_security) {
        return Err(refused);
    }
    let local = name == "local";
    let default = |port: u16| local.then(|| Url { url: format!("http://localhost:{port}"), auth: Auth::None });
    let endpoint = |e: Option<&Endpoint>, what: &str, port: u16| -> Result<Option<Url>, String> {
        match e {
            Some(e) => url(e, dir, what).map(Some),
            None => Ok(default(port)),
        }
    };
    let registry = endpoint(declared.and_then(|t| t.schema_registry.as_ref()), "schema registry", 8081)?;
    let connect = endpoint(declared.and_then(|t| t.connect.as_ref()), "Connect", 8083)?;
    let ksqldb = endpoint(declared.and_then(|t| t.ksqldb.as_ref()), "ksqlDB", 8088)?;
    // `kafka "b1:9094" "b2:9094"` or, as Kafka's `bootstrap.servers` writes it, `"b1:9094,b2:9094"`.
    let mut kafka: Vec<String> = declared
        .map(|t| t.kafka.iter().flat_map(|k| k.value.split(',')).map(str::trim).filter(|s| !s.is_empty()))
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect();
    if kafka.is_empty() && local {
        kafka.push("localhost:9092".into());
    }
    let mut deployment = Deployment::local();
    if let Some(registry) = declared.and_then(|t| t.schema_registry.as_ref()) {
        let given = registry.url.value.trim_end_matches('/');
        match apicurio_native(given) {
            Some(native) => {
                deployment.registry = RegistryFlavour::Apicurio;
                deployment.registry_url = native;
            }
            None => deployment.registry_url = given.to_string(),
        }
    }
    Ok(Target { name: name.to_string(), kafka, registry, connect, ksqldb, deployment })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(kdl: &str) -> (tempfile::TempDir, crate::check::Checked) {
        let dir = tempfile::tempdir().unwrap();
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        (dir, checked)
    }

    #[test]
    fn local_is_the_default_and_apicurio_is_recognized_by_its_path() {
        let (dir, checked) = project(
            "project p\ntarget local\ntarget stack {\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7/\" {\n        user alice\n        password env=VENICE_TEST_NO_SUCH_VARIABLE\n    }\n    connect \"http://127.0.0.1:8083\"\n}\n",
        );
        let local = resolve(&checked.project, dir.path(), None).unwrap();
        assert_eq!(local.kafka, ["localhost:9092"]);
        assert_eq!(local.registry.unwrap().url, "http://localhost:8081");
        assert_eq!(local.deployment, Deployment::local());

        let error = resolve(&checked.project, dir.path(), Some("stack")).unwrap_err();
        assert_eq!(
            error,
            "the schema registry password is read from the environment variable `VENICE_TEST_NO_SUCH_VARIABLE`, which is not set"
        );
        let error = resolve(&checked.project, dir.path(), Some("prod")).unwrap_err();
        assert_eq!(error, "the project has no target `prod`; it has `local`, `stack`");
        assert_eq!(apicurio_native("http://h:8081/apis/ccompat/v7").as_deref(), Some("http://h:8081/apis/registry/v3"));
        assert_eq!(apicurio_native("http://h:8081"), None);
    }

    /// Until the clients read the target's `tls` and `sasl`, a command refuses such a target
    /// rather than connecting without the security it asks for.
    #[test]
    fn security_the_clients_cannot_use_yet_is_refused_before_anything_is_sent() {
        let (dir, checked) = project(
            "project p\ntarget prod {\n    kafka \"b1:9094\" {\n        tls\n        sasl scram-sha-512 {\n            user venice\n            password env=VENICE_TEST_NO_SUCH_VARIABLE\n        }\n    }\n}\ntarget web {\n    kafka \"b1:9092\"\n    connect \"https://connect.example.com\" {\n        tls {\n            ca \"ca.pem\"\n        }\n    }\n}\ntarget mozilla {\n    kafka \"b1:9092\"\n    ksqldb \"https://ksqldb.example.com\" {\n        tls\n    }\n}\n",
        );
        let error = resolve(&checked.project, dir.path(), Some("prod")).unwrap_err();
        assert_eq!(
            error,
            "target `prod` declares TLS and SASL SCRAM-SHA-512 for Kafka, which venice's Kafka client does not support yet (it connects in plaintext, without a login); nothing was sent"
        );
        let error = resolve(&checked.project, dir.path(), Some("web")).unwrap_err();
        assert_eq!(
            error,
            "target `web` declares a CA bundle or a client certificate (`tls`) for Kafka Connect, which venice's HTTP client does not support yet; nothing was sent"
        );
        // `tls` with no children over `https://` is what the HTTP client does already.
        let mozilla = resolve(&checked.project, dir.path(), Some("mozilla")).unwrap();
        assert_eq!(mozilla.ksqldb.unwrap().url, "https://ksqldb.example.com");
    }

    /// A resolved target holds the secrets' values to send them; printing it shows none.
    #[test]
    fn a_resolved_target_prints_no_secret() {
        let (dir, checked) = project(
            "project p\ntarget prod {\n    kafka \"b1:9092, b2:9092\" \"b3:9092\"\n    schema-registry \"https://registry.example.com\" {\n        user venice\n        password file=\"password.txt\"\n    }\n    connect \"https://connect.example.com\" {\n        token file=\"token.txt\"\n    }\n}\n",
        );
        std::fs::write(dir.path().join("password.txt"), "pw-Xy7q\n").unwrap();
        std::fs::write(dir.path().join("token.txt"), "tok-Kp3r").unwrap();
        let prod = resolve(&checked.project, dir.path(), Some("prod")).unwrap();
        assert_eq!(prod.kafka, ["b1:9092", "b2:9092", "b3:9092"]);
        let Auth::Basic { password, .. } = &prod.registry.as_ref().unwrap().auth else { panic!("basic auth") };
        assert_eq!(password.expose(), "pw-Xy7q");
        let printed = format!("{prod:?} {prod:#?}");
        assert!(printed.contains("Secret(***)"), "{printed}");
        assert!(!printed.contains("pw-Xy7q") && !printed.contains("tok-Kp3r"), "{printed}");
    }

    #[test]
    fn a_target_without_credentials_resolves_to_its_urls() {
        let (dir, checked) = project(
            "project p\ntarget stack {\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7\"\n    ksqldb \"http://127.0.0.1:8088\"\n}\n",
        );
        let stack = resolve(&checked.project, dir.path(), Some("stack")).unwrap();
        assert_eq!(stack.kafka, ["127.0.0.1:9092"]);
        assert_eq!(stack.deployment.registry, RegistryFlavour::Apicurio);
        assert_eq!(stack.deployment.registry_url, "http://127.0.0.1:8081/apis/registry/v3");
        assert_eq!(stack.connect, None);
        assert_eq!(stack.ksqldb.unwrap().url, "http://127.0.0.1:8088");
    }
}
