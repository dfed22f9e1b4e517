//! The KDL tree the front end reads: nodes and entries with byte spans, nothing else.
//!
//! It is built by our own KDL v2 parser (`kdl_parser`); the rest of the front end reads only
//! this tree, so the parser behind it can change without touching them.

use std::ops::Range;

/// A parsed KDL file.
#[derive(Debug, Default)]
pub struct Document {
    pub nodes: Vec<Node>,
}

/// A node: its name, entries and children, each with its byte range in the file.
#[derive(Debug)]
pub struct Node {
    pub(super) name: String,
    pub(super) name_span: Range<usize>,
    pub(super) span: Range<usize>,
    pub(super) entries: Vec<Entry>,
    pub(super) children: Option<Vec<Node>>,
}

/// An argument (`value`) or a property (`name=value`).
#[derive(Debug)]
pub struct Entry {
    pub(super) name: Option<String>,
    pub(super) value: Value,
    /// The whole entry, `name=value` for a property; for an argument, its value with any
    /// `(type)`.
    pub(super) span: Range<usize>,
}

/// A KDL value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Integer(i128),
    Float(f64),
    Bool(bool),
    Null,
}

/// A syntax error: what the parser expected, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub(crate) span: Range<usize>,
    /// The parser's short text under the span, and its advice, when it has them.
    pub(crate) label: Option<String>,
    pub(crate) help: Option<String>,
}

impl Node {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn name_span(&self) -> Range<usize> {
        self.name_span.clone()
    }

    /// From the type annotation or name to the end of the last entry or children block, with the
    /// whitespace (and comments) after it, up to the node's terminator.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The last property of a name (in KDL, the rightmost property wins).
    pub(crate) fn property(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.name() == Some(name))
    }

    /// The children block, if the node has one.
    pub fn children(&self) -> Option<&[Node]> {
        self.children.as_deref()
    }
}

impl Entry {
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

impl Value {
    pub(crate) fn as_string(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub(crate) fn is_integer(&self) -> bool {
        matches!(self, Value::Integer(_))
    }

    pub(crate) fn is_bool(&self) -> bool {
        matches!(self, Value::Bool(_))
    }
}

/// Parses a KDL v2 text. Nesting deeper than `guard::MAX_NESTING` blocks is refused (the decoder,
/// and dropping the tree, recurse once per level), and so is a block comment of more than
/// `guard::MAX_COMMENT_STEPS` steps (`venice fmt` hands accepted files to the `kdl` crate).
pub fn parse(text: &str) -> Result<Document, Vec<SyntaxError>> {
    super::kdl_parser::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::guard;

    #[test]
    fn nodes_entries_and_children_keep_their_spans() {
        let text = "topic (t)orders partitions = 6 {\n  key string; value avro schema=Order // c\n}\nx #\"raw\"# 0x1F 1.5e3 #true #null\n";
        let document = parse(text).unwrap();
        let topic = &document.nodes[0];
        assert_eq!(&text[topic.name_span()], "topic");
        assert_eq!(&text[topic.span()], &text[..text.find('}').unwrap() + 1]);
        assert_eq!(&text[topic.entries()[1].span()], "partitions = 6");
        assert_eq!(topic.property("partitions").map(|e| e.value()), Some(&Value::Integer(6)));
        let children = topic.children().unwrap();
        assert_eq!(children.len(), 2);
        assert!(text[children[1].span()].starts_with("value avro schema=Order"));
        let values: Vec<&Value> = document.nodes[1].entries().iter().map(Entry::value).collect();
        assert_eq!(
            values,
            [
                &Value::String("raw".into()),
                &Value::Integer(31),
                &Value::Float(1500.0),
                &Value::Bool(true),
                &Value::Null
            ]
        );
    }

    #[test]
    fn syntax_errors_have_a_span_and_deep_nesting_is_refused() {
        let errors = parse("topic orders {\n").unwrap_err();
        assert!(!errors[0].message.is_empty());
        let closed = |depth: usize| format!("{}{}", "a {".repeat(depth), "}".repeat(depth));
        assert!(parse(&closed(guard::MAX_NESTING)).is_ok());
        let errors = parse(&closed(100_000)).unwrap_err();
        assert_eq!(errors[0].message, format!("nesting deeper than {} levels", guard::MAX_NESTING));
    }
}
