//! `venice plan` and `venice apply`: the project deployed to live services.
//!
//! - `http`: the HTTP layer of the REST clients (`ureq`), auth, bounded backoff.
//! - `batch`: many objects at once: topic requests split into batches a controller accepts, REST
//!   requests a few at a time, answers kept in order.
//! - `registry`, `connect`, `ksqldb`: clients of the Schema Registry (Confluent API), Kafka
//!   Connect's REST API and ksqlDB's REST API.
//! - `kafka`: the Kafka client: `kafka-protocol`'s messages over connections of our own
//!   (`kafka::conn`: TCP, TLS, version negotiation, the SASL login of `kafka::sasl` with the
//!   OAuth token of `kafka::oauth`), so no C library is needed. `Admin` reads and changes topics, configs, partitions and groups; `Consumer` reads
//!   offsets and records at each partition's leader (`venice topics`, `tail`, `doctor`).
//! - `records`: Kafka's record batches (magic v2) through `kafka-protocol`'s record codec with
//!   venice's pure-Rust compression codecs, and the walk over a Fetch answer's batches.
//! - `target`: the `target` of venice.kdl resolved to URLs, credentials and security;
//!   `tls`: its `tls` files read into rustls settings for Kafka and ureq.
//! - `desired`: what the project wants deployed, from the model and `venice build`'s renderers.
//! - `acls`: the view's grants beside the cluster's bindings of its principals
//!   (`venice acls --online`).
//! - `listed`: topics the controller holds and the brokers do not list yet, waited for by
//!   whoever reads them next (a plan, an apply's connectors and ksqlDB files).
//! - `plan`: what is deployed, read from the services, and the difference, normalized, with the
//!   changes that are refused before anything is applied.
//! - `apply`: the plan carried out in dependency order, the lock's `applied` section updated;
//!   `progress`: how its steps show, spinners on a terminal and plain lines otherwise.
//!
//! Only this module touches the network.

pub(crate) mod acls;
pub mod apply;
pub(crate) mod batch;
pub mod connect;
pub mod desired;
pub mod http;
pub mod kafka;
pub mod ksqldb;
pub(crate) mod listed;
pub mod plan;
pub mod progress;
pub mod records;
pub mod registry;
pub(crate) mod target;
pub(crate) mod tls;

pub(crate) use apply::{ApplyOptions, adopt, apply};
pub(crate) use plan::read_and_plan;
pub(crate) use target::{Target, resolve};
