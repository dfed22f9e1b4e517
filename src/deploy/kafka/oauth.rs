//! The token for SASL OAUTHBEARER, from an OAuth 2.0 token endpoint by the client-credentials
//! grant (RFC 6749, section 4.4): how Confluent Cloud, Strimzi with Keycloak and Kafka's own
//! `OAuthBearerLoginCallbackHandler` get one. The client authenticates with HTTP basic auth
//! (`client_secret_basic`, section 2.3.1: the ID and secret form-encoded, then base64), as
//! Kafka's `HttpAccessTokenRetriever` does; the body carries `grant_type` and `scope`.
//!
//! The token is kept until 80% of its `expires_in` has passed, so the re-authentications of a
//! long `venice tail` (KIP-368) reuse it until it nears its end and then fetch a new one.

use crate::deploy::http::{Secret, base64};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where tokens come from, and the one in use.
pub struct TokenSource {
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    /// Where the secret came from, for the message when the endpoint refuses the client.
    pub(crate) secret_from: String,
    pub(crate) scope: Option<String>,
    pub(crate) timeout: Duration,
    cached: Mutex<Option<(Secret, Instant)>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// A token lifetime when the endpoint gives none (`expires_in` is only RECOMMENDED).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

impl TokenSource {
    pub(crate) fn new(
        token_url: String,
        client_id: String,
        client_secret: Secret,
        secret_from: String,
        scope: Option<String>,
        timeout: Duration,
    ) -> TokenSource {
        TokenSource { token_url, client_id, client_secret, secret_from, scope, timeout, cached: Mutex::new(None) }
    }

    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The token: the cached one while it is fresh, else a new one from the endpoint.
    pub(crate) fn token(&self) -> Result<Secret, String> {
        let mut cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((token, renew_at)) = cached.as_ref()
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = self.fetch()?;
        *cached = Some((token.clone(), Instant::now() + lifetime * 4 / 5));
        Ok(token)
    }

    fn fetch(&self) -> Result<(Secret, Duration), String> {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout))
            .user_agent(concat!("venice/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = ureq::Agent::new_with_config(config);
        let basic = base64(format!("{}:{}", form(&self.client_id), form(self.client_secret.expose())).as_bytes());
        let mut body = "grant_type=client_credentials".to_string();
        if let Some(scope) = &self.scope {
            body.push_str(&format!("&scope={}", form(scope)));
        }
        let answer = agent
            .post(&self.token_url)
            .header("Authorization", &format!("Basic {basic}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .send(body);
        // ureq's transport errors name the URL and the cause, never the request's headers.
        let mut answer =
            answer.map_err(|e| format!("the OAuth token endpoint {} is not answering ({e})", self.token_url))?;
        let status = answer.status().as_u16();
        let text = answer.body_mut().with_config().limit(1 << 20).read_to_string().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        if !(200..300).contains(&status) {
            return Err(self.refused(status, &json));
        }
        let token = json["access_token"].as_str().ok_or_else(|| {
            format!("the OAuth token endpoint {} answered {status} without an access_token", self.token_url)
        })?;
        let lifetime = json["expires_in"].as_u64().map_or(DEFAULT_LIFETIME, Duration::from_secs);
        Ok((Secret::new(token), lifetime))
    }

    /// The endpoint's refusal in one line (RFC 6749, section 5.2: `error`, `error_description`).
    fn refused(&self, status: u16, json: &serde_json::Value) -> String {
        let mut reason = status.to_string();
        for field in ["error", "error_description"] {
            if let Some(text) = json[field].as_str() {
                reason.push_str(if field == "error" { " " } else { ": " });
                reason.push_str(text);
            }
        }
        format!(
            "the OAuth token endpoint {} refused client `{}` ({reason}): check the client ID and {}",
            self.token_url, self.client_id, self.secret_from
        )
    }
}

/// `application/x-www-form-urlencoded` of a value (unreserved characters kept, the rest as %XX).
fn form(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::http::testing::serve;

    fn source(url: &str) -> TokenSource {
        TokenSource::new(
            format!("{url}/token"),
            "venice".into(),
            Secret::new("cs-Wq3v:&"),
            "KAFKA_CLIENT_SECRET".into(),
            Some("kafka admin".into()),
            Duration::from_secs(5),
        )
    }

    #[test]
    fn a_token_is_fetched_once_and_kept_while_fresh() {
        let (url, server) =
            serve(vec![(200, r#"{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}"#.into())]);
        let tokens = source(&url);
        assert_eq!(tokens.token().unwrap().expose(), "tok-1");
        assert_eq!(tokens.token().unwrap().expose(), "tok-1");
        let requests = server.join().unwrap();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert!(request.starts_with("POST /token "), "{request}");
        assert!(request.ends_with("grant_type=client_credentials&scope=kafka%20admin"), "{request}");
        // `venice:cs-Wq3v%3A%26` in base64.
        assert!(request.contains(&format!("Basic {}", base64(b"venice:cs-Wq3v%3A%26"))), "{request}");
    }

    #[test]
    fn a_refused_client_is_one_line_with_what_to_check_and_no_secret() {
        let (url, server) = serve(vec![(401, r#"{"error":"invalid_client","error_description":"bad secret"}"#.into())]);
        let tokens = source(&url);
        let error = tokens.token().unwrap_err();
        server.join().unwrap();
        assert_eq!(
            error,
            format!(
                "the OAuth token endpoint {url}/token refused client `venice` (401 invalid_client: bad secret): check the client ID and KAFKA_CLIENT_SECRET"
            )
        );
        let printed = format!("{tokens:?}");
        assert!(!error.contains("Wq3v") && !printed.contains("Wq3v"), "{printed}");
    }
}
