//! A node of a parsed file, checked against the grammar, with typed and spanned accessors.
//!
//! [`Node::validate`] reports everything the grammar alone can tell (unknown nodes and
//! properties, missing and mistyped values); the accessors then read values that are known to be
//! well-typed, and return `None` for those already reported.

use super::grammar::{NodeSpec, ValueType};
use super::problem::{Expected, Problem, Slot};
use super::tree::{Entry as KdlEntry, Node as KdlNode, Value as KdlValue};
use crate::diagnostic::suggest;
use crate::model::Spanned;
use crate::source::{FileId, SourceMap, Span};

/// A KDL node with its grammar entry and its file.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a> {
    pub(crate) kdl: &'a KdlNode,
    pub(crate) spec: &'static NodeSpec,
    pub(crate) file: FileId,
    sources: &'a SourceMap,
}

impl<'a> Node<'a> {
    pub(crate) fn new(kdl: &'a KdlNode, spec: &'static NodeSpec, file: FileId, sources: &'a SourceMap) -> Self {
        Node { kdl, spec, file, sources }
    }

    /// The path on disk of the file this node is in.
    pub(crate) fn source_path(&self) -> &'a std::path::Path {
        &self.sources.get(self.file).path
    }

    pub(crate) fn name(&self) -> &'a str {
        self.kdl.name()
    }

    /// The span of the node's name: where most diagnostics about the node point.
    pub(crate) fn name_span(&self) -> Span {
        Span::of(self.file, self.kdl.name_span())
    }

    /// Reports what the grammar alone can tell about this node and, recursively, its children.
    pub(crate) fn validate(&self, diagnostics: &mut Vec<(Problem, Span)>) {
        self.validate_entries(diagnostics);
        self.validate_children(diagnostics);
    }

    fn validate_entries(&self, diagnostics: &mut Vec<(Problem, Span)>) {
        let mut position = 0;
        for entry in self.kdl.entries() {
            match entry.name() {
                Some(name) => self.validate_property(entry, name, diagnostics),
                None => {
                    self.validate_argument(entry, position, diagnostics);
                    position += 1;
                }
            }
        }
        if let Some(missing) = self.spec.args.iter().skip(position).find(|a| a.required) {
            self.report(Problem::MissingArgument { node: self.name().into(), name: missing.name }, diagnostics);
        }
        for prop in self.spec.props.iter().filter(|p| p.required) {
            if self.kdl.property(prop.name).is_none() {
                self.report(Problem::MissingProperty { node: self.name().into(), name: prop.name }, diagnostics);
            }
        }
    }

    fn validate_property(&self, entry: &KdlEntry, name: &str, diagnostics: &mut Vec<(Problem, Span)>) {
        let span = Span::of(self.file, entry.span());
        let Some(spec) = self.spec.prop(name) else {
            let suggestion = suggest(name, self.spec.prop_names());
            diagnostics
                .push((Problem::UnknownProperty { node: self.name().into(), name: name.into(), suggestion }, span));
            return;
        };
        self.check_type(entry, Slot::Property(name.into()), spec.ty, diagnostics);
    }

    fn validate_argument(&self, entry: &KdlEntry, position: usize, diagnostics: &mut Vec<(Problem, Span)>) {
        let spec = self.spec.args.get(position).or_else(|| self.spec.args.last().filter(|a| a.repeated));
        let Some(spec) = spec else {
            diagnostics.push((
                Problem::UnexpectedArgument { node: self.name().into(), takes: self.spec.args.len() },
                Span::of(self.file, entry.span()),
            ));
            return;
        };
        let slot = Slot::Argument { index: position, name: spec.name };
        self.check_type(entry, slot, spec.ty, diagnostics);
    }

    fn check_type(&self, entry: &KdlEntry, slot: Slot, ty: ValueType, diagnostics: &mut Vec<(Problem, Span)>) {
        let value = entry.value();
        let (expected, suggestion) = match type_mismatch(value, ty) {
            None => return,
            Some(mismatch) => mismatch,
        };
        diagnostics.push((
            Problem::WrongType { node: self.name().into(), slot, expected, found: describe_value(value), suggestion },
            self.value_span(entry),
        ));
    }

    fn validate_children(&self, diagnostics: &mut Vec<(Problem, Span)>) {
        let Some(children) = self.kdl.children() else { return };
        if self.spec.children.is_empty() {
            self.report(Problem::UnexpectedChildren { node: self.name().into() }, diagnostics);
            return;
        }
        let siblings = children.iter().map(|child| (self.file, child));
        for (file, child, spec) in known_siblings(siblings, self.spec, Some(self.name()), diagnostics) {
            Node::new(child, spec, file, self.sources).validate(diagnostics);
        }
    }

    fn report(&self, kind: Problem, diagnostics: &mut Vec<(Problem, Span)>) {
        diagnostics.push((kind, self.name_span()));
    }

    /// The known children of this node, in order (unknown ones were reported by `validate`).
    pub(crate) fn children(&self) -> impl Iterator<Item = Node<'a>> + 'a {
        let spec = self.spec;
        let (file, sources) = (self.file, self.sources);
        self.kdl
            .children()
            .into_iter()
            .flatten()
            .filter_map(move |c| spec.child(c.name()).map(|s| Node::new(c, s, file, sources)))
    }

    /// The first child of a given name.
    pub(crate) fn child(&self, name: &str) -> Option<Node<'a>> {
        debug_assert!(self.spec.child(name).is_some(), "`{name}` is not in the grammar of `{}`", self.name());
        self.children().find(|c| c.name() == name)
    }

    /// The children of a given name.
    pub(crate) fn children_named(&self, name: &'static str) -> impl Iterator<Item = Node<'a>> + 'a {
        debug_assert!(self.spec.child(name).is_some(), "`{name}` is not in the grammar of `{}`", self.name());
        self.children().filter(move |c| c.name() == name)
    }

    fn arg_entry(&self, index: usize) -> Option<&'a KdlEntry> {
        debug_assert!(
            index < self.spec.args.len() || self.spec.args.last().is_some_and(|a| a.repeated),
            "argument {index} is not in the grammar of `{}`",
            self.name()
        );
        self.kdl.entries().iter().filter(|e| e.name().is_none()).nth(index)
    }

    fn prop_entry(&self, name: &str) -> Option<&'a KdlEntry> {
        debug_assert!(self.spec.prop(name).is_some(), "`{name}` is not in the grammar of `{}`", self.name());
        // KDL: the rightmost property of a name wins.
        self.kdl.property(name)
    }

    /// The span of an entry's value: for a property, the part after `=`.
    pub(crate) fn value_span(&self, entry: &KdlEntry) -> Span {
        let span = Span::of(self.file, entry.span());
        if entry.name().is_none() {
            return span;
        }
        let text = self.sources.text(span);
        // The name is a bare identifier or a string (which may itself hold `=`).
        let name_len = super::lexical::string_len(text)
            .unwrap_or_else(|| text.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(text.len()));
        let after_name = &text[name_len.min(text.len())..];
        let skip = after_name.find('=').map_or(0, |eq| eq + 1);
        let skip = skip + after_name[skip..].len() - after_name[skip..].trim_start().len();
        Span::new(self.file, span.start + name_len + skip, span.end)
    }

    /// The text of an entry's value as written (quotes and all).
    pub(crate) fn value_literal(&self, entry: &KdlEntry) -> (&'a str, usize) {
        let span = self.value_span(entry);
        (self.sources.text(span), span.start)
    }

    pub(crate) fn arg_string(&self, index: usize) -> Option<Spanned<String>> {
        self.arg_entry(index).and_then(|e| self.string_of(e))
    }

    /// All the string arguments (for repeated arguments).
    pub(crate) fn arg_strings(&self) -> Vec<Spanned<String>> {
        self.kdl.entries().iter().filter(|e| e.name().is_none()).filter_map(|e| self.string_of(e)).collect()
    }

    pub(crate) fn arg_bool(&self, index: usize) -> Option<Spanned<bool>> {
        let entry = self.arg_entry(index)?;
        Some(Spanned::new(entry.value().as_bool()?, self.value_span(entry)))
    }

    pub(crate) fn prop_string(&self, name: &str) -> Option<Spanned<String>> {
        self.prop_entry(name).and_then(|e| self.string_of(e))
    }

    /// A well-typed `ValueType::Rate` property in bytes per second.
    pub(crate) fn prop_rate(&self, name: &str) -> Option<Spanned<u64>> {
        let entry = self.prop_entry(name)?;
        Some(Spanned::new(rate_of(entry.value())?, self.value_span(entry)))
    }

    pub(crate) fn prop_int(&self, name: &str) -> Option<Spanned<i128>> {
        let entry = self.prop_entry(name)?;
        Some(Spanned::new(entry.value().as_integer()?, self.value_span(entry)))
    }

    /// The raw entry of a string argument, for callers that need the literal (inline SQL).
    pub(crate) fn arg_entry_of(&self, index: usize) -> Option<&'a KdlEntry> {
        self.arg_entry(index).filter(|e| e.value().is_string())
    }

    /// The raw entry of a string property.
    pub(crate) fn prop_entry_of(&self, name: &str) -> Option<&'a KdlEntry> {
        self.prop_entry(name).filter(|e| e.value().is_string())
    }

    /// A word argument turned into a typed value; `None` when absent or already reported.
    pub(crate) fn arg_word<T>(&self, index: usize, parse: impl Fn(&str) -> Option<T>) -> Option<Spanned<T>> {
        let word = self.arg_string(index)?;
        Some(Spanned::new(parse(&word.value)?, word.span))
    }

    pub(crate) fn prop_word<T>(&self, name: &str, parse: impl Fn(&str) -> Option<T>) -> Option<Spanned<T>> {
        let word = self.prop_string(name)?;
        Some(Spanned::new(parse(&word.value)?, word.span))
    }

    fn string_of(&self, entry: &KdlEntry) -> Option<Spanned<String>> {
        let value = entry.value().as_string()?;
        Some(Spanned::new(value.to_string(), self.value_span(entry)))
    }

    pub(crate) fn doc(&self) -> Option<String> {
        self.prop_string("doc").map(|d| d.value)
    }
}

/// The sibling nodes (possibly from several files) that `parent`'s grammar knows, each with its
/// grammar entry. Reports unknown names (V002) and second occurrences of nodes that may appear
/// once (V003); those are left out.
pub(crate) fn known_siblings<'k>(
    siblings: impl IntoIterator<Item = (FileId, &'k KdlNode)>,
    parent: &'static NodeSpec,
    parent_name: Option<&str>,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Vec<(FileId, &'k KdlNode, &'static NodeSpec)> {
    let mut known = Vec::new();
    let mut first_seen: Vec<(&str, Span)> = Vec::new();
    for (file, node) in siblings {
        let name = node.name();
        let name_span = Span::of(file, node.name_span());
        let Some(spec) = parent.child(name) else {
            let suggestion = suggest(name, parent.children.iter().map(|c| c.name));
            let parent = parent_name.map(str::to_string);
            diagnostics.push((Problem::UnknownNode { name: name.into(), parent, suggestion }, name_span));
            continue;
        };
        if !spec.repeatable {
            if let Some((_, first)) = first_seen.iter().find(|(n, _)| *n == name) {
                diagnostics.push((Problem::RepeatedNode { node: name.into(), first: *first }, name_span));
                continue;
            }
            first_seen.push((spec.name, name_span));
        }
        known.push((file, node, spec));
    }
    known
}

/// What was expected, and a suggestion, when `value` does not fit `ty`.
fn type_mismatch(value: &KdlValue, ty: ValueType) -> Option<(Expected, Option<String>)> {
    let fits = |ok: bool, expected: Expected| if ok { None } else { Some((expected, None)) };
    match ty {
        ValueType::String | ValueType::Path | ValueType::Ref(_) => fits(value.is_string(), Expected::String),
        ValueType::Integer => fits(value.is_integer(), Expected::Integer),
        ValueType::IntegerIn(low, high) => {
            let ok = value.as_integer().is_some_and(|n| (low as i128..=high as i128).contains(&n));
            fits(ok, Expected::IntegerIn(low, high))
        }
        ValueType::Bool => fits(value.is_bool(), Expected::Bool),
        ValueType::Duration => {
            fits(value.as_string().and_then(crate::model::Duration::parse).is_some(), Expected::Duration)
        }
        ValueType::OneOf(words) => {
            let word = value.as_string();
            if word.is_some_and(|w| words.contains(&w)) {
                return None;
            }
            let suggestion = word.and_then(|w| suggest(w, words.iter().copied()));
            Some((Expected::OneOf(words), suggestion))
        }
        ValueType::Principal => {
            fits(value.as_string().and_then(crate::model::parse_principal).is_some(), Expected::Principal)
        }
        ValueType::Rate => fits(rate_of(value).is_some(), Expected::Rate),
        ValueType::OneOfAnyCase(words) => {
            let word = value.as_string().map(|w| w.to_ascii_lowercase().replace('_', "-"));
            if word.as_deref().is_some_and(|w| words.contains(&w)) {
                return None;
            }
            let suggestion = word.and_then(|w| suggest(&w, words.iter().copied()));
            Some((Expected::OneOf(words), suggestion))
        }
    }
}

/// A rate in bytes per second: a positive integer, or a string with a unit.
fn rate_of(value: &KdlValue) -> Option<u64> {
    match value {
        KdlValue::Integer(n) => u64::try_from(*n).ok().filter(|&n| n > 0),
        KdlValue::String(s) => crate::model::parse_rate(s),
        _ => None,
    }
}

/// A value as a message shows it: `6`, `"six"`, `#true`.
fn describe_value(value: &KdlValue) -> String {
    match value {
        KdlValue::String(s) => {
            let short: String = s.chars().take(40).collect();
            let ellipsis = if s.chars().count() > 40 { "…" } else { "" };
            format!("`\"{short}{ellipsis}\"`")
        }
        KdlValue::Integer(i) => format!("`{i}`"),
        KdlValue::Float(f) => format!("`{f}`"),
        KdlValue::Bool(b) => format!("`#{b}`"),
        KdlValue::Null => "`#null`".into(),
    }
}
