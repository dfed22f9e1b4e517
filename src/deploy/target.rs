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

use super::http::Auth;
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

fn read_credential(credential: &Credential, dir: &Path, what: &str) -> Result<String, String> {
    match credential {
        Credential::Literal(v) => Ok(v.value.clone()),
        Credential::Env(v) => std::env::var(&v.value)
            .map_err(|_| format!("{what} is read from the environment variable `{}`, which is not set", v.value)),
        Credential::File(p) => {
            let path = if p.value.is_absolute() { p.value.clone() } else { dir.join(&p.value) };
            std::fs::read_to_string(&path)
                .map(|t| t.trim_end_matches(['\n', '\r']).to_string())
                .map_err(|e| format!("{what} is read from `{}`, which cannot be read: {e}", path.display()))
        }
    }
}

fn url(endpoint: &Endpoint, dir: &Path, what: &str) -> Result<Url, String> {
    let auth = match (&endpoint.user, &endpoint.password, &endpoint.token) {
        (_, _, Some(token)) => Auth::Bearer(read_credential(token, dir, &format!("the {what} token"))?),
        (Some(user), password, None) => Auth::Basic {
            user: read_credential(user, dir, &format!("the {what} user"))?,
            password: match password {
                Some(p) => read_credential(p, dir, &format!("the {what} password"))?,
                None => String::new(),
            },
        },
        (None, _, None) => Auth::None,
    };
    Ok(Url { url: endpoint.url.value.trim_end_matches('/').to_string(), auth })
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
    let mut kafka: Vec<String> =
        declared.map(|t| t.kafka.iter().map(|k| k.value.clone()).collect()).unwrap_or_default();
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
