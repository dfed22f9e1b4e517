//! The day-to-day commands over a built project and a running target.
//!
//! - `docker`: finding `docker compose` (and saying what is missing) and running it.
//! - `stack`: `venice up`, `down`, `status`, `logs`, `restart`, `ksql` and `psql` over the
//!   Compose file of the build folder.
//! - `connectors`: `venice connectors`, each connector and task on Kafka Connect.
//! - `schemas`: `venice schemas`, each subject of the schema registry.
//! - `topics`: `venice topics`, each topic on Kafka with its partitions and offsets.
//! - `decode`: a record's key or value decoded by its declared serde, or flagged with what the
//!   bytes look like instead.
//! - `tail`: `venice tail`, a topic's records decoded as they arrive.
//! - `doctor`: `venice doctor`, samples of every declared topic checked against the
//!   declarations, and the connectors and ksqlDB queries that are not running.

pub(crate) mod connectors;
pub(crate) mod decode;
pub(crate) mod docker;
pub(crate) mod doctor;
pub(crate) mod protobuf;
pub(crate) mod schemas;
pub(crate) mod stack;
pub(crate) mod tail;
pub(crate) mod topics;
