//! The connection layer under the Kafka client: one blocking connection to a broker (the first
//! of its addresses that answers), opened on first use, the API versions negotiated at connect
//! (ApiVersions, KIP-511), and typed calls: [`Link::call`] encodes the request header and body
//! with `kafka-protocol` at the newest version both sides speak and decodes the answer. Requests
//! are answered in order; a connection that fails is dropped and the next call opens it again.
//!
//! [`Security`] is where TLS (rustls) and SASL (handshake, SaslAuthenticate, KIP-368
//! re-authentication) plug in: each would wrap the TCP stream or run after the negotiation in
//! [`Link::open`]. Only plaintext exists today.

use super::Error;
use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Message, Request, StrBytes};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How a connection to the brokers is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Plain TCP, no login (a listener with `PLAINTEXT`).
    #[default]
    Plaintext,
}

/// The largest answer read: a Fetch asks for at most [`super::FETCH_MAX_BYTES`], plus headers.
const MAX_ANSWER: usize = 64 * 1024 * 1024;
const UNSUPPORTED_VERSION: i16 = 35;

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
    stream: TcpStream,
    /// The versions the broker serves, by API key.
    versions: HashMap<i16, (i16, i16)>,
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

    /// The first server that accepts a TCP connection.
    fn connect(&self) -> Result<TcpStream, Error> {
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
                        return Ok(stream);
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
    fn open(&mut self) -> Result<&mut Open, Error> {
        if self.open.is_none() {
            let Security::Plaintext = self.security;
            self.open = Some(Open { stream: self.connect()?, versions: HashMap::new() });
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
        }
        Ok(self.open.as_mut().expect("opened"))
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
                self.open = None;
                let reason = match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => "the connection closed".to_string(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => "timed out".to_string(),
                    _ => e.to_string(),
                };
                return Err(self.unreachable(reason));
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
