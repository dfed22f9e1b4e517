//! The HTTP layer the REST clients share: one `ureq` agent per service, a base URL that may have
//! a path (`http://host:8081/apis/ccompat/v7`), basic auth or a bearer token, JSON in and out.
//!
//! Every status comes back as a [`Reply`] (the clients decide what a 404 or a 409 means); only a
//! service that cannot be reached is an [`Unreachable`] error, which names the service and where.

use std::time::{Duration, Instant};

/// Credentials for a service, resolved from the target (`env=`/`file=`) before any request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    #[default]
    None,
    Basic {
        user: String,
        password: Secret,
    },
    Bearer(Secret),
}

/// A secret's value (a password, a token, a key), read where the target says
/// (`target::read_secret`). It prints as `Secret(***)` and has no `Display`: only
/// [`Secret::expose`] gives the value, to the request or handshake that sends it, so no error,
/// log line or `{:?}` of a resolved target can show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A service could not be reached (connection refused, a timeout, a name that does not resolve).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// `schema registry`, `Kafka Connect`, `ksqlDB`, `Kafka`.
    pub(crate) service: &'static str,
    /// The URL (or `host:port`) it was asked at.
    pub(crate) at: String,
    pub(crate) reason: String,
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not answering at {} ({})", self.service, self.at, self.reason)
    }
}

/// One answer: its status and body (JSON when the service speaks it).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The service's own error text: `message` of a JSON error body, else the body.
    pub(crate) fn message(&self) -> String {
        let json = self.json();
        json.get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| self.body.chars().take(300).collect())
    }
}

/// An HTTP service at a base URL.
#[derive(Clone)]
pub struct Service {
    pub name: &'static str,
    /// The base URL without a trailing slash.
    pub(crate) base: String,
    auth: Auth,
    /// Whether the TLS settings give a client certificate (for the wording of a refusal).
    client_cert: bool,
    agent: ureq::Agent,
    /// How long the first try of a request that may be sent twice waits for its answer to begin
    /// ([`FIRST_ANSWER`], or the timeout when shorter).
    first_answer: Duration,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("name", &self.name).field("base", &self.base).finish()
    }
}

/// The base64 of basic auth (RFC 4648, with padding).
/// How long the first try of a request that may be sent twice waits for its answer to begin.
/// Apicurio answers a registration in milliseconds, Connect a connector's config in well under a
/// second; a slower answer costs this much more, sent again with the whole timeout.
const FIRST_ANSWER: Duration = Duration::from_secs(5);

pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Service {
    /// `timeout` bounds each request as a whole (connect, send, read).
    pub fn new(name: &'static str, base: &str, auth: Auth, timeout: Duration) -> Service {
        Service::secured(name, base, auth, None, timeout)
    }

    /// A service whose `https://` is verified with the target's CA bundle and, for mutual TLS,
    /// answers with its client certificate (`tls`); `None`: the webpki roots, no certificate.
    pub(crate) fn secured(
        name: &'static str,
        base: &str,
        auth: Auth,
        tls: Option<&super::tls::TlsFiles>,
        timeout: Duration,
    ) -> Service {
        let config = ureq::Agent::config_builder()
            .tls_config(tls.map(super::tls::TlsFiles::ureq).unwrap_or_default())
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(5))))
            .user_agent(concat!("venice/", env!("CARGO_PKG_VERSION")))
            // Keep-alive for every request a phase runs side by side (ureq keeps 3 by default).
            .max_idle_connections_per_host(super::batch::CONCURRENCY)
            .build();
        Service {
            name,
            base: base.trim_end_matches('/').to_string(),
            auth,
            client_cert: tls.is_some_and(super::tls::TlsFiles::has_client_certificate),
            agent: ureq::Agent::new_with_config(config),
            first_answer: FIRST_ANSWER.min(timeout),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The base URL, without a trailing `/`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    fn authorization(&self) -> Option<String> {
        match &self.auth {
            Auth::None => None,
            Auth::Basic { user, password } => {
                Some(format!("Basic {}", base64(format!("{user}:{}", password.expose()).as_bytes())))
            }
            Auth::Bearer(token) => Some(format!("Bearer {}", token.expose())),
        }
    }

    /// One request; `body` is sent as JSON. Any status is a reply; only a transport failure errs.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, Unreachable> {
        self.call(method, path, body).map_err(|e| self.unreachable(&e))
    }

    /// [`Service::request`] of a request that may be sent twice (a read, or a write whose repeat
    /// changes nothing more: a registration answers the same id for the same schema), sent once
    /// more on a fresh connection when the first try died on its connection ([`stale`]). A kept-alive
    /// connection that the server closed, or whose answer never came (a 200 in Apicurio's log that
    /// the client never read, once in three runs of `scripts/bench-deploy.sh`), fails one object of
    /// a deploy otherwise. The first try waits at most [`FIRST_ANSWER`] for the answer to begin, so
    /// such a lost answer costs seconds, not the whole timeout; the second has all of it.
    pub(crate) fn idempotent(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, Unreachable> {
        self.twice(method, &self.url(path), body)
    }

    /// [`Service::idempotent`] of a full URL.
    fn twice(&self, method: &str, url: &str, body: Option<&serde_json::Value>) -> Result<Reply, Unreachable> {
        match self.call_url(method, url, body, Some(self.first_answer)) {
            Err(e) if stale(&e) => self.call_url(method, url, body, None).map_err(|e| self.unreachable(&e)),
            answer => answer.map_err(|e| self.unreachable(&e)),
        }
    }

    fn unreachable(&self, error: &ureq::Error) -> Unreachable {
        Unreachable { service: self.name, at: self.base.clone(), reason: reason(error, &self.base, self.client_cert) }
    }

    fn call(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Result<Reply, ureq::Error> {
        self.call_url(method, &self.url(path), body, None)
    }

    /// One request to `url`; `first_answer` bounds the wait for the answer to begin (else only
    /// the service's timeout does).
    fn call_url(
        &self,
        method: &str,
        url: &str,
        body: Option<&serde_json::Value>,
        first_answer: Option<Duration>,
    ) -> Result<Reply, ureq::Error> {
        let auth = self.authorization();
        let content = "application/json";
        let accept = "application/json";
        let result = match (method, body) {
            ("GET" | "DELETE", _) => {
                let mut r = if method == "GET" { self.agent.get(url) } else { self.agent.delete(url) };
                // None is the agent's own setting: no bound but the whole timeout.
                r = r.config().timeout_recv_response(first_answer).build().header("Accept", accept);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            (_, body) => {
                let mut r = match method {
                    "PUT" => self.agent.put(url),
                    _ => self.agent.post(url),
                };
                r = r.config().timeout_recv_response(first_answer).build();
                r = r.header("Accept", accept).header("Content-Type", content);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                let text = body.map(|b| b.to_string()).unwrap_or_default();
                r.send(text)
            }
        };
        let mut response = result?;
        let status = response.status().as_u16();
        let body = response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string().unwrap_or_default();
        Ok(Reply { status, body })
    }

    /// A GET: sent once more on a fresh connection when the first died on its connection.
    pub fn get(&self, path: &str) -> Result<Reply, Unreachable> {
        self.idempotent("GET", path, None)
    }

    /// A GET of another API the same server serves beside the base (`url` in full, sent with
    /// the service's credentials), sent once more like [`Service::get`].
    pub(crate) fn get_beside(&self, url: &str) -> Result<Reply, Unreachable> {
        self.twice("GET", url, None)
    }
}

/// Whether a request died on its connection rather than at the service: reset, closed before the
/// answer, or no answer within the timeout. Not a refused connection, a connection not made in
/// time, an unknown host or a TLS failure, which a second try meets again.
fn stale(error: &ureq::Error) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
    match error {
        ureq::Error::Io(e) => {
            super::tls::rustls_error(e).is_none()
                && matches!(e.kind(), ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof)
        }
        ureq::Error::Timeout(at) => !matches!(at, ureq::Timeout::Resolve | ureq::Timeout::Connect),
        _ => false,
    }
}

/// A transport error in a few words; a TLS failure as [`super::tls::explain`] words it.
fn reason(error: &ureq::Error, base: &str, client_cert: bool) -> String {
    let host = base.split("://").nth(1).and_then(|rest| rest.split(['/', ':']).next()).unwrap_or(base);
    let tls = match error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(e) => super::tls::rustls_error(e),
        _ => None,
    };
    if let Some(e) = tls {
        return super::tls::explain(e, host, "the server", client_cert);
    }
    match error {
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        ureq::Error::Io(e) => e.to_string(),
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        other => other.to_string(),
    }
}

/// Bounded exponential backoff: 100 ms doubling up to 2 s between tries, until `bound` has
/// passed since the first try. `attempt` answers `Ok(Some(v))` when done, `Ok(None)` to try
/// again, `Err` to stop at once; the last `Ok(None)` or transport error is what times out.
pub(crate) fn with_backoff<T, E: Clone>(
    bound: Duration,
    mut attempt: impl FnMut() -> Result<Option<T>, Retry<E>>,
) -> Result<T, Retry<E>> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(100);
    loop {
        match attempt() {
            Ok(Some(value)) => return Ok(value),
            Err(Retry::Fatal(e)) => return Err(Retry::Fatal(e)),
            Ok(None) | Err(Retry::Again(_)) if start.elapsed() + delay > bound => {
                return Err(match attempt() {
                    Ok(Some(value)) => return Ok(value),
                    Ok(None) => Retry::TimedOut(None),
                    Err(Retry::Again(e)) => Retry::TimedOut(Some(e)),
                    Err(other) => other,
                });
            }
            Ok(None) | Err(Retry::Again(_)) | Err(Retry::TimedOut(_)) => {}
        }
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

/// How one try of [`with_backoff`] failed.
#[derive(Debug, Clone)]
pub(crate) enum Retry<E> {
    /// Worth another try (a refused connection, a 409 during a rebalance).
    Again(E),
    /// Not worth another (a 400, a 500 that is not transient).
    Fatal(E),
    /// The bound passed; the last transient error, if any.
    TimedOut(Option<E>),
}

/// A scripted HTTP server for the clients' offline tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::io::{BufRead, BufReader, Read, Write};

    /// Serves `replies` in order, one per connection (`Connection: close`), on a free loopback
    /// port; the handle yields each request as text (request line, headers, body).
    pub(crate) fn serve(replies: Vec<(u16, String)>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let mut replies = replies.into_iter();
        let count = replies.len();
        route(count, move |_| replies.next().expect("one reply a request"))
    }

    /// Serves `count` requests, each answered by `answer` of its request line
    /// (`GET /path HTTP/1.1`), one per connection; then the port closes, so a request more fails.
    pub(crate) fn route(
        count: usize,
        mut answer: impl FnMut(&str) -> (u16, String) + Send + 'static,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut requests = Vec::new();
            for _ in 0..count {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream);
                let mut request = String::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    request.push_str(&line);
                }
                let mut content = vec![0; length];
                reader.read_exact(&mut content).unwrap();
                request.push_str(&String::from_utf8_lossy(&content));
                let (status, body) = answer(request.lines().next().unwrap_or_default());
                requests.push(request);
                let mut stream = reader.into_inner();
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(answer.as_bytes()).unwrap();
            }
            requests
        });
        (url, handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_follows_rfc_4648() {
        // The test vectors of RFC 4648, section 10.
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output, "{input}");
        }
        assert_eq!(base64(b"user:pa ss"), "dXNlcjpwYSBzcw==");
    }

    #[test]
    fn backoff_is_bounded_and_stops_on_a_fatal_error() {
        let start = Instant::now();
        let mut tries = 0;
        let result: Result<(), Retry<&str>> = with_backoff(Duration::from_millis(500), || {
            tries += 1;
            Err(Retry::Again("refused"))
        });
        assert!(matches!(result, Err(Retry::TimedOut(Some("refused")))));
        assert!(start.elapsed() < Duration::from_millis(1500), "{:?}", start.elapsed());
        assert!(tries >= 3, "{tries}");
        let mut tries = 0;
        let result: Result<(), Retry<&str>> = with_backoff(Duration::from_secs(5), || {
            tries += 1;
            Err(Retry::Fatal("bad request"))
        });
        assert!(matches!(result, Err(Retry::Fatal("bad request"))));
        assert_eq!(tries, 1);
        let mut tries = 0;
        let result: Result<u32, Retry<&str>> = with_backoff(Duration::from_secs(5), || {
            tries += 1;
            Ok((tries == 3).then_some(7))
        });
        assert_eq!(result.ok(), Some(7));
    }

    /// A server that reads each request and closes the connection unanswered, `drops` times, then
    /// answers 200 on the next connection; the number of requests it read.
    fn drops_then_answers(drops: usize) -> (String, std::thread::JoinHandle<usize>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            for read in 0.. {
                let Ok((stream, _)) = listener.accept() else { return read };
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 2 {
                    line.clear();
                }
                if read == drops {
                    let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
                    let _ = reader.into_inner().write_all(answer.as_bytes());
                    return read + 1;
                }
            }
            unreachable!()
        });
        (url, handle)
    }

    #[test]
    fn an_answer_that_does_not_begin_in_time_is_asked_again_on_a_fresh_connection() {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            // The first request is read and never answered (its connection kept open).
            let (held, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(held.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let (mut second, _) = listener.accept().unwrap();
            let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
            second.write_all(answer.as_bytes()).unwrap();
            held
        });
        let mut service = Service::new("the schema registry", &url, Auth::None, Duration::from_secs(30));
        service.first_answer = Duration::from_millis(300);
        let started = std::time::Instant::now();
        assert_eq!(service.get("/subjects/s/versions/latest").unwrap().status, 200);
        assert!(started.elapsed() < Duration::from_secs(10), "waited {:?}", started.elapsed());
        drop(server.join().unwrap());
    }

    #[test]
    fn an_idempotent_request_is_sent_again_once_when_its_connection_dies() {
        let timeout = Duration::from_secs(5);
        let (url, server) = drops_then_answers(1);
        let service = Service::new("the schema registry", &url, Auth::None, timeout);
        assert_eq!(service.get("/subjects").unwrap().status, 200);
        assert_eq!(server.join().unwrap(), 2);
        // Twice is once too many: the second failure is the answer.
        let (url, server) = drops_then_answers(2);
        let service = Service::new("the schema registry", &url, Auth::None, timeout);
        assert!(service.idempotent("POST", "/subjects/s/versions", None).is_err());
        drop(std::net::TcpStream::connect(url.trim_start_matches("http://")));
        assert_eq!(server.join().unwrap(), 3);
        // A request that may not be repeated is sent once.
        let (url, server) = drops_then_answers(1);
        let service = Service::new("Kafka Connect", &url, Auth::None, timeout);
        assert!(service.request("POST", "/connectors", None).is_err());
        drop(std::net::TcpStream::connect(url.trim_start_matches("http://")));
        assert_eq!(server.join().unwrap(), 2);
    }

    #[test]
    fn a_closed_port_is_unreachable_and_named() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let service =
            Service::new("Kafka Connect", &format!("http://127.0.0.1:{port}/"), Auth::None, Duration::from_secs(2));
        let error = service.get("/connectors").unwrap_err();
        assert_eq!(error.service, "Kafka Connect");
        assert_eq!(error.at, format!("http://127.0.0.1:{port}"));
        assert_eq!(
            error.to_string(),
            format!("Kafka Connect is not answering at http://127.0.0.1:{port} (connection refused)")
        );
    }
}
