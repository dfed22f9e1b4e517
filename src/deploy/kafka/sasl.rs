//! The SASL mechanisms as byte exchanges; `conn` carries them in SaslAuthenticate requests.
//! PLAIN (RFC 4616), SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677; Kafka's KIP-84) on
//! ring's HMAC, digest and PBKDF2, so no SCRAM crate and no second crypto stack beside the one
//! rustls uses, and OAUTHBEARER's client response (RFC 7628, KIP-255) with a token from
//! `oauth`.
//!
//! Kafka's SCRAM (`ScramSaslClient`, `ScramFormatter`) does not SASLprep names or passwords: they
//! go as UTF-8, with `=` and `,` in the name escaped. The server's final signature is checked, so
//! a server that does not know the password cannot pass for the broker.

use super::oauth::TokenSource;
use crate::deploy::http::Secret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::rand::SecureRandom;
use ring::{digest, hmac, pbkdf2};
use std::num::NonZeroU32;
use std::sync::Arc;

/// A login for a mechanism, with the values the target resolved.
#[derive(Debug, Clone)]
pub enum Sasl {
    Plain(Login),
    Scram { sha512: bool, login: Login },
    OAuthBearer(Arc<TokenSource>),
}

/// A user name and password, and where the password came from (an environment variable or a
/// file) so that a refused login says what to check.
#[derive(Debug, Clone)]
pub struct Login {
    pub(crate) user: String,
    pub(crate) password: Secret,
    pub(crate) from: String,
}

impl Sasl {
    /// The mechanism as the SaslHandshake names it.
    pub(crate) fn mechanism(&self) -> &'static str {
        match self {
            Sasl::Plain(_) => "PLAIN",
            Sasl::Scram { sha512: false, .. } => "SCRAM-SHA-256",
            Sasl::Scram { sha512: true, .. } => "SCRAM-SHA-512",
            Sasl::OAuthBearer(_) => "OAUTHBEARER",
        }
    }

    /// Who logs in, for messages: the user, or the OAuth client.
    pub(crate) fn who(&self) -> String {
        match self {
            Sasl::Plain(l) | Sasl::Scram { login: l, .. } => format!("user `{}`", l.user),
            Sasl::OAuthBearer(source) => format!("OAuth client `{}`", source.client_id()),
        }
    }

    /// What to check when the broker refuses the login.
    pub(crate) fn hint(&self) -> String {
        match self {
            Sasl::Plain(l) | Sasl::Scram { login: l, .. } => format!("check the user name and {}", l.from),
            Sasl::OAuthBearer(_) => {
                "check the token's claims (subject, audience, issuer) against the broker's OAuth settings".into()
            }
        }
    }

    /// The exchange of one authentication (a fresh token for OAUTHBEARER when the cached one is
    /// near its expiry).
    pub(crate) fn start(&self) -> Result<Exchange, String> {
        Ok(match self {
            Sasl::Plain(l) => Exchange::Once(Some(format!("\0{}\0{}", l.user, l.password.expose()).into_bytes())),
            Sasl::Scram { sha512, login } => Exchange::Scram(Scram::new(*sha512, &login.user, &login.password)),
            Sasl::OAuthBearer(source) => {
                let token = source.token()?;
                Exchange::Once(Some(format!("n,,\x01auth=Bearer {}\x01\x01", token.expose()).into_bytes()))
            }
        })
    }
}

/// One authentication in progress: [`Exchange::first`], then [`Exchange::step`] on each server
/// message until it answers `None`.
pub(crate) enum Exchange {
    /// One message and done (PLAIN, OAUTHBEARER).
    Once(Option<Vec<u8>>),
    Scram(Scram),
}

impl Exchange {
    pub(crate) fn first(&mut self) -> Vec<u8> {
        match self {
            Exchange::Once(message) => message.take().unwrap_or_default(),
            Exchange::Scram(s) => format!("n,,{}", s.client_first_bare).into_bytes(),
        }
    }

    /// The answer to a server message, or `None` when the exchange is complete.
    pub(crate) fn step(&mut self, server: &[u8]) -> Result<Option<Vec<u8>>, String> {
        match self {
            Exchange::Once(_) => Ok(None),
            Exchange::Scram(s) => s.step(server),
        }
    }
}

/// A SCRAM client between its messages.
pub(crate) struct Scram {
    sha512: bool,
    password: Secret,
    nonce: String,
    client_first_bare: String,
    /// Set once the client-final message is sent: what the server must prove.
    server_signature: Option<Vec<u8>>,
}

/// `saslname` of RFC 5802: `=` and `,` escaped.
fn saslname(user: &str) -> String {
    user.replace('=', "=3D").replace(',', "=2C")
}

fn attribute(message: &str, key: char) -> Option<&str> {
    message.split(',').find_map(|part| part.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
}

impl Scram {
    fn new(sha512: bool, user: &str, password: &Secret) -> Scram {
        let mut raw = [0u8; 24];
        // The system's random source failing is not something a command can recover from.
        ring::rand::SystemRandom::new().fill(&mut raw).expect("the system's random source");
        Scram::with_nonce(sha512, user, password, &B64.encode(raw))
    }

    fn with_nonce(sha512: bool, user: &str, password: &Secret, nonce: &str) -> Scram {
        Scram {
            sha512,
            password: password.clone(),
            nonce: nonce.to_string(),
            client_first_bare: format!("n={},r={nonce}", saslname(user)),
            server_signature: None,
        }
    }

    fn algorithms(&self) -> (hmac::Algorithm, pbkdf2::Algorithm, &'static digest::Algorithm) {
        if self.sha512 {
            (hmac::HMAC_SHA512, pbkdf2::PBKDF2_HMAC_SHA512, &digest::SHA512)
        } else {
            (hmac::HMAC_SHA256, pbkdf2::PBKDF2_HMAC_SHA256, &digest::SHA256)
        }
    }

    fn step(&mut self, server: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let message = std::str::from_utf8(server).map_err(|_| "the SCRAM server message is not UTF-8".to_string())?;
        if let Some(error) = attribute(message, 'e') {
            return Err(format!("the broker refused the SCRAM exchange: {error}"));
        }
        match &self.server_signature {
            None => self.client_final(message).map(Some),
            Some(expected) => {
                let signature = attribute(message, 'v').and_then(|v| B64.decode(v).ok());
                if signature.as_ref() != Some(expected) {
                    return Err("the server's SCRAM signature does not match: it does not know the password, so it is not the broker".into());
                }
                Ok(None)
            }
        }
    }

    /// The client-final message for the server-first one: the proof that we know the password.
    fn client_final(&mut self, server_first: &str) -> Result<Vec<u8>, String> {
        let nonce = attribute(server_first, 'r').ok_or("the SCRAM server message has no nonce")?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err("the SCRAM server nonce does not extend venice's".into());
        }
        let salt = attribute(server_first, 's').and_then(|s| B64.decode(s).ok()).ok_or("the SCRAM salt is missing")?;
        let iterations = attribute(server_first, 'i')
            .and_then(|i| i.parse().ok())
            .and_then(NonZeroU32::new)
            .ok_or("the SCRAM iteration count is missing")?;
        let (mac, kdf, hash) = self.algorithms();
        let mut salted = vec![0u8; hash.output_len()];
        pbkdf2::derive(kdf, iterations, &salt, self.password.expose().as_bytes(), &mut salted);
        let salted = hmac::Key::new(mac, &salted);
        let client_key = hmac::sign(&salted, b"Client Key");
        let stored_key = digest::digest(hash, client_key.as_ref());
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let client_signature = hmac::sign(&hmac::Key::new(mac, stored_key.as_ref()), auth_message.as_bytes());
        let proof: Vec<u8> = client_key.as_ref().iter().zip(client_signature.as_ref()).map(|(k, s)| k ^ s).collect();
        let server_key = hmac::sign(&salted, b"Server Key");
        let server_signature = hmac::sign(&hmac::Key::new(mac, server_key.as_ref()), auth_message.as_bytes());
        self.server_signature = Some(server_signature.as_ref().to_vec());
        Ok(format!("{without_proof},p={}", B64.encode(proof)).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sha512: bool, user: &str, password: &str, nonce: &str, server_first: &str, server_final: &str) -> String {
        let mut scram = Scram::with_nonce(sha512, user, &Secret::new(password), nonce);
        let mut exchange = Exchange::Scram(Scram::with_nonce(sha512, user, &Secret::new(password), nonce));
        assert_eq!(String::from_utf8(exchange.first()).unwrap(), format!("n,,n={user},r={nonce}"));
        let client_final = String::from_utf8(scram.step(server_first.as_bytes()).unwrap().unwrap()).unwrap();
        assert_eq!(scram.step(server_final.as_bytes()), Ok(None));
        client_final
    }

    /// RFC 7677, section 3: user `user`, password `pencil`.
    #[test]
    fn scram_sha_256_follows_the_rfc_7677_example() {
        let client_final = run(
            false,
            "user",
            "pencil",
            "rOprNGfwEbeRWgbNEkqO",
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        );
        assert_eq!(
            client_final,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
    }

    /// RFC 5802's algorithm with SHA-512 (no RFC gives a vector): the values computed by
    /// Python's hashlib/hmac, which reproduce RFC 7677's vector above with SHA-256.
    #[test]
    fn scram_sha_512_matches_an_independent_computation() {
        let client_final = run(
            true,
            "venice",
            "venice-secret",
            "fyko+d2lbbFgONRv9qkxdawL",
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=c2FsdC1vZi12ZW5pY2UhIQ==,i=4096",
            "v=ejhY750MvjwwuGd+0m6VWaBekIjZcrw8fouw3unQmesruBognPaVn/8mSLR104Bp63Dc0h3wR/JGOGQx49VS8A==",
        );
        assert_eq!(
            client_final,
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=AhvQh55Ft65Sqwn5btxXVeLt9GlTFaxHjCKVmxW3JjYYujwnsnV6e1Z2SqzRwjpzITkBDgvt6MORsMd2awQFHQ=="
        );
    }

    #[test]
    fn a_server_that_does_not_know_the_password_or_refuses_is_caught() {
        let server_first = "r=abcDEF,s=c2FsdA==,i=4096";
        let mut scram = Scram::with_nonce(false, "venice", &Secret::new("pw-Zr8x"), "abc");
        scram.step(server_first.as_bytes()).unwrap();
        let error = scram.step(b"v=AAAA").unwrap_err();
        assert!(error.contains("does not match"), "{error}");
        let mut scram = Scram::with_nonce(false, "venice", &Secret::new("pw-Zr8x"), "abc");
        let error = scram.step(b"e=unknown-user").unwrap_err();
        assert_eq!(error, "the broker refused the SCRAM exchange: unknown-user");
        let mut scram = Scram::with_nonce(false, "venice", &Secret::new("pw-Zr8x"), "abc");
        assert!(scram.step(b"r=xyz,s=c2FsdA==,i=1").unwrap_err().contains("nonce"));
    }

    #[test]
    fn the_client_first_messages_and_debug_output_show_no_password() {
        let login = Login { user: "a=b,c".into(), password: Secret::new("pw-Zr8x"), from: "KAFKA_PASSWORD".into() };
        let scram = Sasl::Scram { sha512: true, login: login.clone() };
        let first = String::from_utf8(scram.start().unwrap().first()).unwrap();
        assert!(first.starts_with("n,,n=a=3Db=2Cc,r="), "{first}");
        assert!(!first.contains("pw-Zr8x"));
        let plain = Sasl::Plain(login);
        assert_eq!(plain.start().unwrap().first(), b"\0a=b,c\0pw-Zr8x");
        let printed = format!("{scram:?} {plain:#?}");
        assert!(!printed.contains("pw-Zr8x") && printed.contains("Secret(***)"), "{printed}");
        assert_eq!(scram.hint(), "check the user name and KAFKA_PASSWORD");
        assert_eq!(scram.who(), "user `a=b,c`");
    }
}
