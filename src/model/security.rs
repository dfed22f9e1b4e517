//! How venice reaches a target's services securely: TLS (with a client certificate for mutual
//! TLS) and, for Kafka, a SASL login, as the target declares them.
//!
//! Secrets are [`Credential`]s: references to an environment variable or a file, never values.
//! The decoder refuses an inline secret (V007), so a `password`, `client-secret` or `key` here
//! is `Env` or `File`; only a user name or a client ID may be `Literal`. The commands that
//! connect read the values at run time (`deploy::target`), and nothing here holds one, so
//! printing this model (`{:?}` included) cannot show a secret.

use super::{Credential, Spanned};
use std::path::PathBuf;

/// A target's `kafka` node beyond its bootstrap servers. Neither set: plaintext, no login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KafkaSecurity {
    pub(crate) tls: Option<Tls>,
    pub(crate) sasl: Option<Sasl>,
}

/// `tls { ca; cert; key }`. The server's certificate and host name are always verified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tls {
    /// The CA bundle (PEM) that verifies the server; `None`: the webpki roots (Mozilla's, built into venice).
    pub(crate) ca: Option<Spanned<PathBuf>>,
    /// Mutual TLS: the client's certificate and its key, declared together or not at all.
    pub(crate) client: Option<ClientCertificate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientCertificate {
    /// The certificate chain (PEM), the client's own certificate first.
    pub(crate) cert: Spanned<PathBuf>,
    /// The private key (PKCS#8 PEM): `env=` or `file=`.
    pub(crate) key: Credential,
}

/// `sasl MECHANISM { ... }`: each mechanism with the settings it needs, all of them present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sasl {
    Plain(Login),
    ScramSha256(Login),
    ScramSha512(Login),
    /// OAUTHBEARER with a token from the OAuth client-credentials grant.
    OAuthBearer(OAuthClient),
}

impl Sasl {
    /// The mechanism as Kafka spells it (`sasl.mechanism`, the SaslHandshake request).
    pub(crate) fn mechanism(&self) -> &'static str {
        match self {
            Sasl::Plain(_) => "PLAIN",
            Sasl::ScramSha256(_) => "SCRAM-SHA-256",
            Sasl::ScramSha512(_) => "SCRAM-SHA-512",
            Sasl::OAuthBearer(_) => "OAUTHBEARER",
        }
    }
}

/// A user name and password (PLAIN, SCRAM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Login {
    pub(crate) user: Credential,
    pub(crate) password: Credential,
}

/// The client-credentials grant: what is posted to the token endpoint for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthClient {
    pub(crate) token_url: Spanned<String>,
    pub(crate) client_id: Credential,
    pub(crate) client_secret: Credential,
    pub(crate) scope: Option<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model names where a secret is, and printing it shows that name, never a value
    /// (here one the environment holds while the model is printed).
    #[test]
    fn printing_the_model_shows_references_not_values() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
        std::fs::write(dir.path().join("client.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
        let secret_in_file = "file-secret-Zq81";
        std::fs::write(dir.path().join("client.key"), secret_in_file).unwrap();
        let kdl = "project p\ntarget prod {\n    kafka \"b1:9094\" {\n        tls {\n            ca \"ca.pem\"\n            cert \"client.pem\"\n            key file=\"client.key\"\n        }\n        sasl scram-sha-512 {\n            user venice\n            password env=PATH\n        }\n    }\n}\n";
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let security = &checked.project.targets[0].kafka_security;
        let printed = format!("{security:?} {security:#?}");
        assert!(printed.contains("\"PATH\"") && printed.contains("client.key"), "{printed}");
        let path_value = std::env::var("PATH").unwrap();
        assert!(!printed.contains(&path_value), "{printed}");
        assert!(!printed.contains(secret_in_file), "{printed}");
        assert_eq!(security.sasl.as_ref().map(Sasl::mechanism), Some("SCRAM-SHA-512"));
    }
}
