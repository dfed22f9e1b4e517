//! The KDL tree the front end reads: nodes and entries with byte spans, nothing else.
//!
//! It is parsed with the `kdl` crate (behind `guard`'s limits) and converted; the rest of the
//! front end reads only this tree, so the parser behind it can change without touching them.

use super::guard;
use kdl::{KdlDocument, KdlNode, KdlValue};
use std::ops::Range;

/// A parsed KDL file.
#[derive(Debug, Default)]
pub struct Document {
    pub nodes: Vec<Node>,
}

/// A node: its name, entries and children, each with its byte range in the file.
#[derive(Debug)]
pub struct Node {
    name: String,
    name_span: Range<usize>,
    span: Range<usize>,
    entries: Vec<Entry>,
    children: Option<Vec<Node>>,
}

/// An argument (`value`) or a property (`name=value`).
#[derive(Debug)]
pub struct Entry {
    name: Option<String>,
    value: Value,
    /// The whole entry, `name=value` for a property.
    span: Range<usize>,
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
    pub span: Range<usize>,
    /// The parser's short text under the span, and its advice, when it has them.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Node {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn name_span(&self) -> Range<usize> {
        self.name_span.clone()
    }

    /// From the name to the end of the last entry, or to the closing `}` of the children.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The last property of a name (in KDL, the rightmost property wins).
    pub fn property(&self, name: &str) -> Option<&Entry> {
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
    pub fn as_string(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Value::Integer(_))
    }

    pub fn is_bool(&self) -> bool {
        matches!(self, Value::Bool(_))
    }
}

/// Parses a KDL v2 text. A text beyond `guard`'s limits is refused before parsing.
pub fn parse(text: &str) -> Result<Document, Vec<SyntaxError>> {
    if let Some((offset, complexity)) = guard::too_complex(text) {
        let (message, _) = complexity.describe();
        return Err(vec![SyntaxError { message, span: offset..offset + 1, label: None, help: None }]);
    }
    match guard::with_room(|| text.parse::<KdlDocument>()) {
        Ok(document) => Ok(Document { nodes: document.nodes().iter().map(node).collect() }),
        Err(error) => Err(error
            .diagnostics
            .into_iter()
            .map(|d| SyntaxError {
                message: d.message.unwrap_or_else(|| "syntax error".into()),
                span: d.span.offset()..d.span.offset() + d.span.len(),
                label: d.label,
                help: d.help,
            })
            .collect()),
    }
}

/// One node, converted; the guard bounds the depth of this recursion.
fn node(kdl: &KdlNode) -> Node {
    let name_span = range(kdl.name().span());
    let span = range(kdl.span());
    let entries = kdl
        .entries()
        .iter()
        .map(|e| Entry {
            name: e.name().map(|n| n.value().to_string()),
            value: value(e.value()),
            span: range(e.span()),
        })
        .collect();
    let children = kdl.children().map(|c| c.nodes().iter().map(node).collect());
    Node { name: kdl.name().value().to_string(), name_span, span, entries, children }
}

fn value(kdl: &KdlValue) -> Value {
    match kdl {
        KdlValue::String(s) => Value::String(s.clone()),
        KdlValue::Integer(i) => Value::Integer(*i),
        KdlValue::Float(f) => Value::Float(*f),
        KdlValue::Bool(b) => Value::Bool(*b),
        KdlValue::Null => Value::Null,
    }
}

fn range(span: miette::SourceSpan) -> Range<usize> {
    span.offset()..span.offset() + span.len()
}

#[cfg(test)]
mod tests {
    use super::*;

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
