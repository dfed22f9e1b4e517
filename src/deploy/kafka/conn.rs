//! The connection layer under the Kafka client: one blocking connection to a broker (the first
//! of its addresses that answers), opened on first use, the API versions negotiated at connect
//! (ApiVersions, KIP-511), and typed calls: [`Link::call`] encodes the request header and body
//! with `kafka-protocol` at the newest version both sides speak and decodes the answer. Requests
//! are answered in order; a connection that fails is dropped and the next call opens it again.
//!
//! [`Security`] is the target's: TLS (rustls, the handshake finished at connect so that a
//! certificate problem is its own error) and a SASL login after the negotiation (SaslHandshake
//! v1, then SaslAuthenticate rounds), repeated on the same connection before the session the
//! broker granted ends (KIP-368). Calls are synchronous, so no request is ever in flight during
//! a re-authentication, the one thing the KIP asks of a client.

use super::Error;
use super::sasl::Sasl;
use crate::deploy::tls;
use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, RequestHeader, ResponseHeader, SaslAuthenticateRequest, SaslHandshakeRequest,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Message, Request, StrBytes};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a connection to the brokers is secured. Neither set: plain TCP, no login (`PLAINTEXT`).
#[derive(Debug, Clone, Default)]
pub struct Security {
    /// TLS with these settings (`SSL`, or `SASL_SSL` with a login).
    pub(crate) tls: Option<tls::TlsFiles>,
    /// A SASL login (`SASL_PLAINTEXT`, or `SASL_SSL` with TLS).
    pub(crate) sasl: Option<Sasl>,
}

enum Stream {
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// The largest answer read: a Fetch asks for at most [`super::FETCH_MAX_BYTES`], plus headers.
const MAX_ANSWER: usize = 64 * 1024 * 1024;
const UNSUPPORTED_VERSION: i16 = 35;
const UNSUPPORTED_SASL_MECHANISM: i16 = 33;
const ILLEGAL_SASL_STATE: i16 = 34;

/// The newest version venice reads of each request whose meaning changes after it: Fetch 13,
/// Produce 13 and DeleteTopics 6 name topics by id (KIP-516), FindCoordinator 4 and OffsetFetch
/// 8 batch groups (KIP-699, KIP-709). Below these, the newer versions only add fields venice
/// does not read, so the newest both sides speak is used.
fn newest_read(key: i16) -> i16 {
    match ApiKey::try_from(key) {
        Ok(ApiKey::Fetch | ApiKey::Produce) => 12,
        Ok(ApiKey::DeleteTopics) => 5,
        Ok(ApiKey::FindCoordinator) => 3,
        Ok(ApiKey::OffsetFetch) => 7,
        _ => i16::MAX,
    }
}

struct Open {
    stream: Stream,
    /// The server it is connected to (`host:port`), for messages.
    server: String,
    /// The versions the broker serves, by API key.
    versions: HashMap<i16, (i16, i16)>,
    /// When to log in again: before the session the broker granted ends (KIP-368).
    reauthenticate_at: Option<Instant>,
}

pub(crate) struct Link {
    pub(crate) servers: Vec<String>,
    timeout: Duration,
    security: Security,
    open: Option<Open>,
    correlation: i32,
}

impl Link {
    pub(crate) fn new(servers: Vec<String>, timeout: Duration, security: Security) -> Link {
        Link { servers, timeout, security, open: None, correlation: 0 }
    }

    fn unreachable(&self, reason: String) -> Error {
        Error::Unreachable(crate::deploy::http::Unreachable { service: "Kafka", at: self.servers.join(","), reason })
    }

    /// The first server that accepts a TCP connection, with its `host:port`.
    fn connect(&self) -> Result<(TcpStream, String), Error> {
        let mut last = "no bootstrap server".to_string();
        for server in &self.servers {
            let addresses = match server.to_socket_addrs() {
                Ok(a) => a.collect::<Vec<_>>(),
                Err(e) => {
                    last = format!("{server}: {e}");
                    continue;
                }
            };
            for address in addresses {
                match TcpStream::connect_timeout(&address, self.timeout.min(Duration::from_secs(5))) {
                    Ok(stream) => {
                        let _ = stream.set_read_timeout(Some(self.timeout));
                        let _ = stream.set_write_timeout(Some(self.timeout));
                        let _ = stream.set_nodelay(true);
                        return Ok((stream, server.clone()));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => last = "connection refused".into(),
                    Err(e) => last = e.to_string(),
                }
            }
        }
        Err(self.unreachable(last))
    }

    /// Connects and asks for the broker's versions: ApiVersions at our newest, and at v0 when
    /// the broker does not know it (it answers UNSUPPORTED_VERSION with its own list, KIP-511).
    /// Then logs in, if the target has a SASL login.
    fn open(&mut self) -> Result<&mut Open, Error> {
        if self.open.is_none() {
            let (tcp, server) = self.connect()?;
            let stream = self.secure(tcp, &server)?;
            self.open = Some(Open { stream, server, versions: HashMap::new(), reauthenticate_at: None });
            let request = ApiVersionsRequest::default()
                .with_client_software_name(StrBytes::from_static_str("venice"))
                .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
            let mut answer = self.call_at(&request, ApiVersionsRequest::VERSIONS.max.min(3))?;
            if answer.error_code == UNSUPPORTED_VERSION {
                answer = self.call_at(&request, 0)?;
            }
            if answer.error_code != 0 {
                self.open = None;
                let code = answer.error_code;
                return Err(Error::Refused { what: "ApiVersions".into(), code, message: String::new() });
            }
            let versions = answer.api_keys.iter().map(|k| (k.api_key, (k.min_version, k.max_version))).collect();
            self.open.as_mut().expect("opened").versions = versions;
            if let Err(e) = self.authenticate() {
                self.open = None;
                return Err(e);
            }
        }
        Ok(self.open.as_mut().expect("opened"))
    }

    /// TLS over the TCP stream when the target asks for it, the handshake done here. The server
    /// is verified under the host name of its address.
    fn secure(&self, tcp: TcpStream, server: &str) -> Result<Stream, Error> {
        let Some(settings) = &self.security.tls else { return Ok(Stream::Tcp(tcp)) };
        let host = host_of(server);
        let name = rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|_| {
            Error::Denied(format!("TLS: `{host}` is not a host name or IP address to verify a certificate for"))
        })?;
        let connection = rustls::ClientConnection::new(Arc::clone(&settings.config), name)
            .map_err(|e| Error::Denied(format!("TLS: {e}")))?;
        let mut stream = rustls::StreamOwned::new(connection, tcp);
        while stream.conn.is_handshaking() {
            if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
                return Err(self.failed(&e, server));
            }
        }
        Ok(Stream::Tls(Box::new(stream)))
    }

    /// An I/O failure as an error: the TLS layer's reason when it failed (a certificate, an alert
    /// from the broker), else the broker is unreachable.
    fn failed(&self, e: &std::io::Error, server: &str) -> Error {
        if let Some(tls) = tls::rustls_error(e) {
            let client_cert = self.security.tls.as_ref().is_some_and(tls::TlsFiles::has_client_certificate);
            return Error::Denied(format!(
                "{} (Kafka at {server})",
                tls::explain(tls, host_of(server), "the broker", client_cert)
            ));
        }
        let reason = match e.kind() {
            std::io::ErrorKind::UnexpectedEof if self.security.tls.is_none() && self.security.sasl.is_some() => {
                "the connection closed (does this listener expect TLS? add `tls` to the target)".to_string()
            }
            std::io::ErrorKind::UnexpectedEof => "the connection closed".to_string(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => "timed out".to_string(),
            _ => e.to_string(),
        };
        self.unreachable(reason)
    }

    /// The SASL login, when the target has one: SaslHandshake v1 names the mechanism (the broker
    /// answers with those it enables when it is not one), then SaslAuthenticate carries the
    /// exchange. The broker's `session_lifetime_ms` says when to log in again.
    fn authenticate(&mut self) -> Result<(), Error> {
        let Some(sasl) = self.security.sasl.clone() else { return Ok(()) };
        let server = self.open.as_ref().map(|o| o.server.clone()).unwrap_or_default();
        let refused = |reason: String| {
            Error::Denied(format!(
                "authentication failed for {} ({}) at {server}: {reason}; {}",
                sasl.who(),
                sasl.mechanism(),
                sasl.hint()
            ))
        };
        let handshake = SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(sasl.mechanism()));
        let answer = self.call_at(&handshake, 1)?;
        match answer.error_code {
            0 => {}
            UNSUPPORTED_SASL_MECHANISM => {
                let enabled: Vec<&str> = answer.mechanisms.iter().map(|m| m.as_str()).collect();
                return Err(Error::Denied(format!(
                    "the broker at {server} does not enable SASL {}; it enables {}: use one of those in the target's `sasl`",
                    sasl.mechanism(),
                    if enabled.is_empty() { "none".to_string() } else { enabled.join(", ") }
                )));
            }
            ILLEGAL_SASL_STATE => {
                return Err(Error::Denied(format!(
                    "the listener at {server} does not expect a SASL login: remove `sasl` from the target, or use the broker's SASL listener"
                )));
            }
            code => return Err(refused(format!("SaslHandshake answered {} ({code})", super::error_name(code)))),
        }
        let version = self.version::<SaslAuthenticateRequest>()?;
        let started = Instant::now();
        let mut exchange = sasl.start().map_err(Error::Denied)?;
        let mut message = exchange.first();
        loop {
            let request = SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(message));
            let answer = self.call_at(&request, version)?;
            if answer.error_code != 0 {
                let code = answer.error_code;
                let reason =
                    answer.error_message.map_or_else(|| super::error_name(code).to_string(), |m| m.to_string());
                return Err(refused(reason));
            }
            match exchange.step(&answer.auth_bytes).map_err(&refused)? {
                Some(next) => message = next,
                None => {
                    // As Kafka's Java client: log in again at 85% of the session.
                    let lifetime = u64::try_from(answer.session_lifetime_ms).unwrap_or(0);
                    let again = (lifetime > 0).then(|| started + Duration::from_millis(lifetime * 85 / 100));
                    self.open.as_mut().expect("opened").reauthenticate_at = again;
                    return Ok(());
                }
            }
        }
    }

    /// The version to speak for `R`: the newest the broker, the crate and venice all know.
    fn version<R: Request>(&mut self) -> Result<i16, Error> {
        let name = ApiKey::try_from(R::KEY).map_or_else(|_| R::KEY.to_string(), |k| format!("{k:?}"));
        let served = self.open()?.versions.get(&R::KEY).copied();
        let Some((low, high)) = served else {
            return Err(Error::Protocol(format!("the broker at {} does not serve {name}", self.servers.join(","))));
        };
        let (low, high) = (low.max(R::VERSIONS.min), high.min(R::VERSIONS.max).min(newest_read(R::KEY)));
        if low > high {
            let ours = R::VERSIONS;
            return Err(Error::Protocol(format!("no version of {name} both the broker and venice ({ours:?}) speak")));
        }
        Ok(high)
    }

    /// Sends one request and reads its answer, at the newest version both sides speak.
    pub(crate) fn call<R: Request>(&mut self, request: &R) -> Result<R::Response, Error> {
        let version = self.version::<R>()?;
        let due = self.open.as_ref().and_then(|o| o.reauthenticate_at).is_some_and(|at| Instant::now() >= at);
        if due && let Err(e) = self.authenticate() {
            self.open = None;
            return Err(e);
        }
        self.call_at(request, version)
    }

    fn call_at<R: Request>(&mut self, request: &R, version: i16) -> Result<R::Response, Error> {
        self.correlation = self.correlation.wrapping_add(1);
        let correlation = self.correlation;
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(correlation)
            .with_client_id(Some(StrBytes::from_static_str("venice")));
        let mut frame = BytesMut::with_capacity(256);
        frame.put_i32(0);
        let encoded =
            header.encode(&mut frame, R::header_version(version)).and_then(|()| request.encode(&mut frame, version));
        encoded.map_err(|e| Error::Protocol(format!("encoding a request: {e}")))?;
        let size = (frame.len() - 4) as i32;
        frame[..4].copy_from_slice(&size.to_be_bytes());
        let mut answer = match self.exchange(&frame) {
            Ok(answer) => answer,
            Err(e) => {
                let server = self.open.take().map(|o| o.server).unwrap_or_default();
                return Err(self.failed(&e, &server));
            }
        };
        let decoded = ResponseHeader::decode(&mut answer, R::Response::header_version(version)).and_then(|header| {
            if header.correlation_id != correlation {
                anyhow::bail!("correlation id {}, expected {correlation}", header.correlation_id);
            }
            R::Response::decode(&mut answer, version)
        });
        decoded.map_err(|e| {
            self.open = None;
            Error::Protocol(e.to_string())
        })
    }

    /// Writes a framed request, reads the framed answer.
    fn exchange(&mut self, frame: &[u8]) -> std::io::Result<Bytes> {
        let stream = &mut self.open.as_mut().expect("connected").stream;
        stream.write_all(frame)?;
        stream.flush()?;
        let mut size = [0; 4];
        stream.read_exact(&mut size)?;
        let size = i32::from_be_bytes(size);
        if !(4..=MAX_ANSWER as i32).contains(&size) {
            return Err(std::io::Error::other(format!("an answer of {size} bytes")));
        }
        let mut answer = vec![0; size as usize];
        stream.read_exact(&mut answer)?;
        Ok(Bytes::from(answer))
    }
}

/// The host of `host:port` (an IPv6 address in brackets without them).
fn host_of(server: &str) -> &str {
    let host = server.rsplit_once(':').map_or(server, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}
