//! What the phases after decoding find out about a project, gathered for the rules and for the
//! commands that act on a checked project (build, graph, deploy, ops).
//!
//! `check` builds it in a straight line: the baseline (`lock`), the schemas Debezium sources
//! derive (`connect`), the Avro catalog (`avro`), then the ksqlDB analysis and the edges
//! (`resolve`), then the column lineage and the access grants over them. Each field is set once, by the phase that owns it; [`Project`] stays what
//! venice.kdl declares.
//!
//! [`Project`]: crate::model::Project

pub(crate) mod access;
pub(crate) mod lineage;
pub mod sink_table;

use crate::avro::Catalog;
use crate::connect::derive::Derivations;
use crate::ksql;
use crate::lock::Baseline;
use crate::resolve::Edges;

/// The results of the analyses of one project.
#[derive(Debug, Default)]
pub struct Analysis {
    /// What the project is compared with for evolution: venice.lock, or its version at a git
    /// revision. `None` when there is none.
    pub(crate) baseline: Option<Baseline>,
    /// What each Debezium source's captured tables derive from their DDL.
    pub(crate) derived: Derivations,
    /// The project's Avro schemas, parsed, the derived ones included.
    pub avro: Catalog,
    /// The project's Protobuf schemas, parsed with the schemas their references name.
    pub(crate) protobuf: crate::protobuf::Catalog,
    /// The project's JSON Schemas, loaded with the schemas their references name.
    pub(crate) json_schema: crate::json_schema::Catalog,
    /// What the transforms' ksqlDB statements do.
    pub(crate) ksql: ksql::project::Analysis,
    /// For each topic name, who writes it and who reads it.
    pub(crate) edges: Edges,
    /// What reads each field of each topic, directly or through ksqlDB (the impact of a
    /// schema change).
    pub(crate) lineage: lineage::Lineage,
    /// Who may do what on the cluster: the grants the graph derives and the `acl` nodes.
    pub(crate) access: access::Access,
}
