//! A target's `tls { ca; cert; key }` loaded for the clients: rustls on ring (the provider
//! venice's HTTP client already links, so no aws-lc C build), for the Kafka connections
//! (`kafka::conn`) and, as ureq's TLS settings, for the registry, Connect and ksqlDB.
//!
//! The files are read and the client certificate checked against its key when the target is
//! resolved, so a wrong path or a key for another certificate is an error before anything is
//! sent. The server's certificate and host name are always verified: there is no switch to turn
//! that off. `tls` with no `ca` trusts the Mozilla roots of `webpki-roots` (what ureq uses).
//!
//! [`explain`] words the TLS layer's failures as one line with what to do.

use super::http::Secret;
use crate::model::{Credential, Tls};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{AlertDescription, CertificateError};
use std::path::Path;
use std::sync::Arc;

/// What a `tls` block names, read: the trusted roots and the client's chain and key.
#[derive(Clone)]
pub(crate) struct TlsFiles {
    /// The CA bundle's certificates; empty: the webpki roots.
    ca: Vec<CertificateDer<'static>>,
    /// Mutual TLS: the chain (own certificate first) and its key, in PEM (which ureq takes).
    client: Option<(Vec<CertificateDer<'static>>, Secret)>,
    /// The rustls settings built from the above (the Kafka connections use them as they are).
    pub(crate) config: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for TlsFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let roots = if self.ca.is_empty() { "webpki roots".to_string() } else { format!("{} CA", self.ca.len()) };
        write!(f, "TlsFiles({roots}, client certificate: {})", self.client.is_some())
    }
}

/// The ring provider, named once: rustls's process default may not be set (ureq picks ring too).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads a `tls` block's files (paths relative to the project directory); `what` names the
/// service in the errors (`Kafka`, `the schema registry`).
pub(crate) fn load(tls: &Tls, dir: &Path, what: &str) -> Result<TlsFiles, String> {
    let ca = match &tls.ca {
        Some(path) => {
            certificates(&read(dir, &path.value, &format!("the CA bundle of {what}"))?, shown(&path.value, dir), what)?
        }
        None => Vec::new(),
    };
    let client = match &tls.client {
        Some(c) => {
            let what_cert = format!("the client certificate of {what}");
            let chain = certificates(&read(dir, &c.cert.value, &what_cert)?, shown(&c.cert.value, dir), what)?;
            let key = super::target::read_secret(&c.key, dir, &format!("the client key of {what}"))?;
            private_key(&key, &c.key, dir)?;
            Some((chain, key))
        }
        None => None,
    };
    let config = rustls_config(&ca, client.as_ref()).map_err(|e| match (e, &tls.client) {
        (rustls::Error::InconsistentKeys(_), Some(c)) => format!(
            "the client key of {what} ({}) does not belong to the certificate `{}`: give the key the certificate was issued for",
            source(&c.key, dir),
            shown(&c.cert.value, dir).display()
        ),
        (e, _) => format!("the TLS settings of {what}: {e}"),
    })?;
    Ok(TlsFiles { ca, client, config })
}

fn read(dir: &Path, path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(dir.join(path)).map_err(|e| format!("{what} `{}` cannot be read: {e}", shown(path, dir).display()))
}

/// A path as messages show it: relative to the project directory when it is inside it.
fn shown<'a>(path: &'a Path, dir: &Path) -> &'a Path {
    path.strip_prefix(dir).unwrap_or(path)
}

/// Every certificate of a PEM file; none is an error (a key or a DER file given by mistake).
fn certificates(pem: &[u8], path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let found: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("`{}` (TLS of {what}) is not a PEM file: {e}", path.display()))?;
    if found.is_empty() {
        return Err(format!(
            "`{}` (TLS of {what}) holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)",
            path.display()
        ));
    }
    Ok(found)
}

/// The key in PEM (PKCS#8; PKCS#1 and SEC1 parse too). The error names where the key was read
/// and never shows its bytes.
fn private_key(pem: &Secret, from: &Credential, dir: &Path) -> Result<(), String> {
    PrivateKeyDer::from_pem_slice(pem.expose().as_bytes()).map(drop).map_err(|_| {
        format!(
            "the client key ({}) is not a PEM private key (`-----BEGIN PRIVATE KEY-----`, PKCS#8)",
            source(from, dir)
        )
    })
}

/// Where a secret comes from, for a message: `KAFKA_PASSWORD` or the file `secrets/key.pem`.
pub(crate) fn source(credential: &Credential, dir: &Path) -> String {
    match credential {
        Credential::Env(v) => v.value.clone(),
        Credential::File(p) => format!("the file `{}`", shown(&p.value, dir).display()),
        Credential::Literal(_) => "the value in venice.kdl".to_string(),
    }
}

fn rustls_config(
    ca: &[CertificateDer<'static>],
    client: Option<&(Vec<CertificateDer<'static>>, Secret)>,
) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    if ca.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    } else {
        for cert in ca {
            roots.add(cert.clone())?;
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots);
    let config = match client {
        Some((chain, key)) => {
            // Parsed in `load` already; a failure here is the same refusal.
            let key = PrivateKeyDer::from_pem_slice(key.expose().as_bytes())
                .map_err(|_| rustls::Error::General("the client key is not a PEM private key".into()))?;
            builder.with_client_auth_cert(chain.clone(), key)?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

impl TlsFiles {
    pub(crate) fn has_client_certificate(&self) -> bool {
        self.client.is_some()
    }

    /// The same settings for ureq (HTTPS to the registry, Connect, ksqlDB).
    pub(crate) fn ureq(&self) -> ureq::tls::TlsConfig {
        use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts};
        let der = |c: &CertificateDer<'_>| Certificate::from_der(c.as_ref()).to_owned();
        let roots = if self.ca.is_empty() {
            RootCerts::WebPki
        } else {
            RootCerts::new_with_certs(&self.ca.iter().map(der).collect::<Vec<_>>())
        };
        // The key parsed when it was loaded, so ureq parses it too.
        let client = self.client.as_ref().and_then(|(chain, key)| {
            let key = PrivateKey::from_pem(key.expose().as_bytes()).ok()?;
            Some(ClientCert::new_with_certs(&chain.iter().map(der).collect::<Vec<_>>(), key))
        });
        ureq::tls::TlsConfig::builder()
            .root_certs(roots)
            .client_cert(client)
            .unversioned_rustls_crypto_provider(provider())
            .build()
    }
}

/// The rustls error an I/O error carries, if the TLS layer failed (rustls reports handshake and
/// alert failures through `std::io::Error`).
pub(crate) fn rustls_error(error: &std::io::Error) -> Option<&rustls::Error> {
    error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// A TLS failure in one line: what went wrong and what to do. `host` is the server's name as
/// venice verified it, `peer` what to call it (`the broker`); `client_cert` says whether the
/// target gave a client certificate.
pub(crate) fn explain(error: &rustls::Error, host: &str, peer: &str, client_cert: bool) -> String {
    use rustls::Error as E;
    match error {
        E::InvalidCertificate(c) => server_certificate(c, host),
        E::AlertReceived(alert) => alert_reason(*alert, peer, client_cert),
        E::InconsistentKeys(_) => "the client key does not belong to the client certificate".to_string(),
        other => format!("the TLS handshake with {host} failed: {other}"),
    }
}

fn server_certificate(error: &CertificateError, host: &str) -> String {
    let problem = match error {
        CertificateError::UnknownIssuer => format!(
            "the certificate of {host} is not signed by a CA venice trusts (unknown issuer): name the CA bundle that signed it in `tls {{ ca \"...\" }}`"
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("the certificate of {host} has expired: the server needs a renewed certificate")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!("the certificate of {host} is not valid yet (check this machine's clock)")
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => format!(
            "the certificate of {host} is not issued for `{host}`: connect by a name the certificate lists (its subjectAltName)"
        ),
        CertificateError::Other(other) if other.to_string().contains("UnsupportedCertVersion") => format!(
            "the certificate of {host} (or a CA above it) is X.509 version 1, which is not accepted: reissue it as version 3 (openssl x509 -req with -extfile)"
        ),
        other => format!("the certificate of {host} is refused: {other:?}"),
    };
    format!("TLS: {problem}")
}

/// An alert the server sent: during the handshake, a refused or missing client certificate.
fn alert_reason(alert: AlertDescription, peer: &str, client_cert: bool) -> String {
    let name = format!("{alert:?}");
    let client_side = matches!(
        alert,
        AlertDescription::CertificateRequired
            | AlertDescription::BadCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateExpired
            | AlertDescription::UnknownCA
            | AlertDescription::HandshakeFailure
    );
    if client_side && !client_cert {
        format!("TLS: {peer} requires a client certificate (alert {name}): add `cert` and `key` to the target's `tls`")
    } else if client_side {
        format!(
            "TLS: {peer} refused venice's client certificate (alert {name}): check that it is signed by a CA {peer} trusts and has not expired"
        )
    } else {
        format!("TLS: {peer} ended the handshake (alert {name})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientCertificate, Spanned};

    fn spanned<T>(value: T) -> Spanned<T> {
        Spanned { value, span: Default::default() }
    }

    fn tls(ca: Option<&str>, client: Option<(&str, &str)>) -> Tls {
        Tls {
            ca: ca.map(|p| spanned(p.into())),
            client: client.map(|(cert, key)| ClientCertificate {
                cert: spanned(cert.into()),
                key: Credential::File(spanned(key.into())),
            }),
        }
    }

    /// A directory with the test certificates of tests/data/tls (a CA, a client certificate it
    /// signed and that certificate's key, another key) and `extra` files.
    fn fixtures(extra: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tls");
        for name in ["ca.pem", "client.pem", "client.key", "other.key"] {
            std::fs::copy(data.join(name), dir.path().join(name)).unwrap();
        }
        for (name, text) in extra {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn files_that_are_missing_or_not_pem_are_named_and_no_key_is_shown() {
        let dir = fixtures(&[("empty.pem", "not a certificate\n"), ("garbage.key", "secret-key-bytes-Yq9")]);
        let error = load(&tls(Some("missing.pem"), None), dir.path(), "Kafka").unwrap_err();
        assert!(error.starts_with("the CA bundle of Kafka `missing.pem` cannot be read:"), "{error}");
        let error = load(&tls(Some("empty.pem"), None), dir.path(), "Kafka").unwrap_err();
        assert_eq!(error, "`empty.pem` (TLS of Kafka) holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)");
        let error = load(&tls(None, Some(("client.pem", "garbage.key"))), dir.path(), "Kafka").unwrap_err();
        assert_eq!(
            error,
            "the client key (the file `garbage.key`) is not a PEM private key (`-----BEGIN PRIVATE KEY-----`, PKCS#8)"
        );
        assert!(!error.contains("Yq9"));
    }

    #[test]
    fn a_key_of_another_certificate_is_refused_when_loading() {
        let dir = fixtures(&[]);
        let error = load(&tls(Some("ca.pem"), Some(("client.pem", "other.key"))), dir.path(), "Kafka").unwrap_err();
        assert_eq!(
            error,
            "the client key of Kafka (the file `other.key`) does not belong to the certificate `client.pem`: give the key the certificate was issued for"
        );
        let key = std::fs::read_to_string(dir.path().join("other.key")).unwrap();
        let body = key.lines().nth(1).unwrap();
        assert!(!error.contains(body));
    }

    #[test]
    fn a_ca_bundle_and_a_client_certificate_load_and_no_ca_means_the_webpki_roots() {
        let dir = fixtures(&[]);
        let files = load(&tls(Some("ca.pem"), Some(("client.pem", "client.key"))), dir.path(), "Kafka").unwrap();
        assert_eq!(format!("{files:?}"), "TlsFiles(1 CA, client certificate: true)");
        let _ = files.ureq();
        let files = load(&tls(None, None), dir.path(), "Kafka").unwrap();
        assert_eq!(format!("{files:?}"), "TlsFiles(webpki roots, client certificate: false)");
    }

    #[test]
    fn tls_failures_say_what_to_do() {
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert_eq!(
            explain(&unknown, "b1", "the broker", false),
            "TLS: the certificate of b1 is not signed by a CA venice trusts (unknown issuer): name the CA bundle that signed it in `tls { ca \"...\" }`"
        );
        let expired = rustls::Error::InvalidCertificate(CertificateError::Expired);
        assert!(explain(&expired, "b1", "the broker", false).contains("has expired"));
        let required = rustls::Error::AlertReceived(AlertDescription::CertificateRequired);
        assert_eq!(
            explain(&required, "b1", "the broker", false),
            "TLS: the broker requires a client certificate (alert CertificateRequired): add `cert` and `key` to the target's `tls`"
        );
        let refused = rustls::Error::AlertReceived(AlertDescription::BadCertificate);
        assert!(
            explain(&refused, "b1", "the server", true)
                .starts_with("TLS: the server refused venice's client certificate")
        );
    }
}
