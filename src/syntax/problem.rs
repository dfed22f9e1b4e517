//! What the front end finds wrong in venice.kdl and its files, as facts; `rules` words them
//! (V001, V002, V003, V006, V007, V008, V010, V011).

use crate::source::Span;

/// What a value was expected to be, for V003.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    String,
    Integer,
    Bool,
    /// An integer within bounds.
    IntegerIn(i64, i64),
    /// One of a fixed set of words.
    OneOf(&'static [&'static str]),
    /// `30s`, `15m`, `12h`, `7d` or `forever`.
    Duration,
    /// `Type:name`.
    Principal,
    /// Bytes per second, `1048576` or `"1MiB"`.
    Rate,
}

/// Where an argument or property sits, to name it in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The n-th argument (0-based) with the name the grammar gives it.
    Argument {
        index: usize,
        name: &'static str,
    },
    Property(String),
}

/// A problem in the project's KDL files, with the facts needed to word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// V001: the KDL parser rejected the file.
    InvalidKdl { message: String, label: Option<String>, help: Option<String> },
    /// V002: a node the grammar does not have at this place.
    UnknownNode { name: String, parent: Option<String>, suggestion: Option<String> },
    /// V002: a property the node does not take.
    UnknownProperty { node: String, name: String, suggestion: Option<String> },
    /// V002: more arguments than the node takes.
    UnexpectedArgument { node: String, takes: usize },
    /// V002: a node that takes no children was given a block.
    UnexpectedChildren { node: String },
    /// V002: a setting of another SASL mechanism (`token-url` under `sasl scram-sha-512`).
    NotForMechanism { setting: String, sasl: String },
    /// V003: a required argument is absent.
    MissingArgument { node: String, name: &'static str },
    /// V003: a required property is absent.
    MissingProperty { node: String, name: &'static str },
    /// V003: one of several alternatives must be given.
    MissingOneOf { node: String, options: &'static [&'static str] },
    /// V003: a child the node needs is absent (`password` of `sasl plain`).
    MissingChild { node: String, child: &'static str },
    /// V003: a child that only makes sense beside another (`cert` of `tls` without `key`).
    NeedsBeside { node: &'static str, given: &'static str, needs: &'static str },
    /// V003: `tls` on a service whose URL is `http://`.
    TlsWithoutHttps { node: String },
    /// V003: two properties that exclude each other.
    Conflicting { node: String, first: String, second: String },
    /// V003: a value of the wrong type or outside its set.
    WrongType { node: String, slot: Slot, expected: Expected, found: String, suggestion: Option<String> },
    /// V003: a node that may appear once appears again.
    RepeatedNode { node: String, first: Span },
    /// V006: a file that cannot be read.
    UnreadableFile { path: String, reason: String },
    /// V006: an include pattern that matches no file.
    IncludeMatchesNothing { pattern: String },
    /// V006: a file that is not UTF-8 text.
    NotUtf8 { path: String },
    /// V007: a secret written inline.
    InlineSecret { node: String },
    /// V007: a `config` setting that holds a secret, written inline.
    InlineSecretSetting { key: String },
    /// V008: an include that leads back to a file already being read.
    IncludeCycle { path: String },
    /// V010: includes nested deeper than the limit.
    IncludeTooDeep { limit: usize },
    /// V011: a file named by the project that resolves outside its root: the path as written,
    /// where it leads, and the root as shown.
    PathOutsideRoot { path: String, resolved: String, root: String },
}
