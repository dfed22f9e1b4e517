//! A `target` of venice.kdl resolved for the commands that reach its services: the services'
//! URLs, credentials read from the environment or files, the TLS files and SASL login of its
//! Kafka and the TLS files of its HTTPS services, and the [`Deployment`] that connector configs
//! are rendered for. Everything is read here, so a missing variable, an unreadable file or a
//! key that does not match its certificate is an error before anything is sent.
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

use super::http::{Auth, Secret, Service};
use super::kafka::oauth::TokenSource;
use super::kafka::sasl::{Login, Sasl};
use super::kafka::{Admin, Consumer, Security};
use super::tls::{self, TlsFiles};
use crate::connect::{Deployment, RegistryFlavour};
use crate::model::{self, Credential, Endpoint, Project};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Where one HTTP service is, and how to log in.
#[derive(Debug, Clone)]
pub(crate) struct Url {
    pub(crate) url: String,
    pub(crate) auth: Auth,
    /// The target's `tls` for it: a CA bundle, a client certificate.
    pub(crate) tls: Option<TlsFiles>,
}

impl Url {
    /// The HTTP client of this service, `name` as messages call it.
    pub(crate) fn service(&self, name: &'static str, timeout: Duration) -> Service {
        Service::secured(name, &self.url, self.auth.clone(), self.tls.as_ref(), timeout)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) kafka: Vec<String>,
    /// How the connections to `kafka` are secured.
    pub(crate) kafka_security: Security,
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

impl Target {
    /// An admin client of the target's Kafka, secured as the target says.
    pub(crate) fn admin(&self, timeout: Duration) -> Admin {
        Admin::secured(self.kafka.clone(), timeout, self.kafka_security.clone())
    }

    /// A consumer of the target's Kafka, secured as the target says.
    pub(crate) fn consumer(&self, timeout: Duration) -> Consumer {
        Consumer::secured(self.kafka.clone(), timeout, self.kafka_security.clone())
    }
}

/// How long the OAuth token endpoint has to answer.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The `tls` and `sasl` of the target's `kafka`, read.
fn kafka_security(security: &model::KafkaSecurity, dir: &Path) -> Result<Security, String> {
    let tls = security.tls.as_ref().map(|t| tls::load(t, dir, "Kafka")).transpose()?;
    let mechanism = security.sasl.as_ref().map_or("", model::Sasl::mechanism);
    let login = |l: &model::Login| -> Result<Login, String> {
        Ok(Login {
            user: read_secret(&l.user, dir, &format!("the Kafka {mechanism} user"))?.expose().to_owned(),
            password: read_secret(&l.password, dir, &format!("the Kafka {mechanism} password"))?,
            from: tls::source(&l.password, dir),
        })
    };
    let sasl = match &security.sasl {
        None => None,
        Some(model::Sasl::Plain(l)) => Some(Sasl::Plain(login(l)?)),
        Some(model::Sasl::ScramSha256(l)) => Some(Sasl::Scram { sha512: false, login: login(l)? }),
        Some(model::Sasl::ScramSha512(l)) => Some(Sasl::Scram { sha512: true, login: login(l)? }),
        Some(model::Sasl::OAuthBearer(o)) => Some(Sasl::OAuthBearer(Arc::new(TokenSource::new(
            o.token_url.value.clone(),
            read_secret(&o.client_id, dir, "the Kafka OAuth client ID")?.expose().to_owned(),
            read_secret(&o.client_secret, dir, "the Kafka OAuth client secret")?,
            tls::source(&o.client_secret, dir),
            o.scope.as_ref().map(|s| s.value.clone()),
            TOKEN_TIMEOUT,
        )))),
    };
    Ok(Security { tls, sasl })
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
    let tls = endpoint.tls.as_ref().map(|t| tls::load(t, dir, &format!("the {what}"))).transpose()?;
    Ok(Url { url: endpoint.url.value.trim_end_matches('/').to_string(), auth, tls })
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
    let default =
        |port: u16| local.then(|| Url { url: format!("http://localhost:{port}"), auth: Auth::None, tls: None });
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
    let kafka_security = match declared {
        Some(t) => kafka_security(&t.kafka_security, dir)?,
        None => Security::default(),
    };
    Ok(Target { name: name.to_string(), kafka, kafka_security, registry, connect, ksqldb, deployment })
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

    /// The target's security is read when it is resolved: the files, the secrets, the login.
    #[test]
    fn kafka_and_https_security_is_read_when_the_target_resolves() {
        let (dir, checked) = project(
            "project p\ntarget prod {\n    kafka \"b1:9094\" {\n        tls {\n            ca \"ca.pem\"\n            cert \"client.pem\"\n            key file=\"client.key\"\n        }\n        sasl scram-sha-512 {\n            user venice\n            password file=\"password.txt\"\n        }\n    }\n    connect \"https://connect.example.com\" {\n        tls {\n            ca \"ca.pem\"\n        }\n    }\n}\ntarget missing {\n    kafka \"b1:9094\" {\n        tls {\n            ca \"nowhere.pem\"\n        }\n    }\n}\ntarget mozilla {\n    kafka \"b1:9092\"\n    ksqldb \"https://ksqldb.example.com\" {\n        tls\n    }\n}\n",
        );
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tls");
        for name in ["ca.pem", "client.pem", "client.key"] {
            std::fs::copy(data.join(name), dir.path().join(name)).unwrap();
        }
        std::fs::write(dir.path().join("password.txt"), "pw-Hq4m\n").unwrap();
        let prod = resolve(&checked.project, dir.path(), Some("prod")).unwrap();
        let Some(Sasl::Scram { sha512: true, login }) = &prod.kafka_security.sasl else { panic!("SCRAM-SHA-512") };
        assert_eq!((login.user.as_str(), login.password.expose()), ("venice", "pw-Hq4m"));
        assert_eq!(login.from, "the file `password.txt`");
        assert!(prod.kafka_security.tls.as_ref().is_some_and(TlsFiles::has_client_certificate));
        assert!(prod.connect.as_ref().unwrap().tls.is_some());
        let printed = format!("{prod:?}");
        assert!(!printed.contains("pw-Hq4m") && !printed.contains("PRIVATE KEY"), "{printed}");
        let error = resolve(&checked.project, dir.path(), Some("missing")).unwrap_err();
        assert!(error.starts_with("the CA bundle of Kafka `nowhere.pem` cannot be read:"), "{error}");
        // `tls` with no children over `https://`: the webpki roots.
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
        assert!(stack.connect.is_none());
        assert_eq!(stack.ksqldb.unwrap().url, "http://127.0.0.1:8088");
    }
}
