//! The edges of the pipeline: for each topic, who writes it and who reads it, with which serde.

use super::{KsqlSourceKind, Serde};
use crate::source::Span;

/// Something that reads or writes a topic, by its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Actor {
    Producer(String),
    Consumer(String),
    Source(String),
    Sink(String),
    /// A `stream`/`table` node, or a stream or table created by a transform's SQL.
    Ksql {
        kind: KsqlSourceKind,
        name: String,
    },
    /// A transform, for the topics its statements write.
    Transform(String),
}

impl Actor {
    /// `producer \`web-app\``, as messages name it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Actor::Producer(n) => format!("producer `{n}`"),
            Actor::Consumer(n) => format!("consumer `{n}`"),
            Actor::Source(n) => format!("source `{n}`"),
            Actor::Sink(n) => format!("sink `{n}`"),
            Actor::Ksql { kind, name } => format!("{} `{name}`", kind.as_str()),
            Actor::Transform(n) => format!("transform `{n}`"),
        }
    }
}

/// One reader or writer of a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) actor: Actor,
    /// The key serde it uses; `None` when it follows the topic's declaration (ksqlDB sources
    /// that venice declares) or is not known until the deeper phases infer it.
    pub(crate) key: Option<Serde>,
    pub(crate) value: Option<Serde>,
    /// Where the reference to the topic was written.
    pub(crate) span: Span,
    /// The key is windowed (a ksqlDB windowed aggregation writes it, or a ksqlDB source reads it
    /// with `WINDOW_TYPE`).
    pub(crate) windowed: bool,
}

impl Edge {
    /// An edge whose serdes are the actor's declared ones.
    pub(crate) fn new(actor: Actor, key: Option<Serde>, value: Option<Serde>, span: Span) -> Self {
        Edge { actor, key, value, span, windowed: false }
    }

    /// Whether the actor is ksqlDB (a stream, a table, or a transform's query).
    pub(crate) fn is_ksql(&self) -> bool {
        matches!(self.actor, Actor::Ksql { .. } | Actor::Transform(_))
    }

    /// The serde of one side.
    pub(crate) fn serde(&self, side: Side) -> Option<&Serde> {
        match side {
            Side::Key => self.key.as_ref(),
            Side::Value => self.value.as_ref(),
        }
    }
}

/// The key or the value of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Side {
    Key,
    Value,
}

impl Side {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::Key => "key",
            Side::Value => "value",
        }
    }
}

/// The writers and readers of one topic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TopicEdges {
    /// Whether a `topic` node declares it (else it is created by a ksqlDB statement).
    pub(crate) declared: bool,
    pub(crate) writers: Vec<Edge>,
    pub(crate) readers: Vec<Edge>,
}
