//! A hand-written KDL v2 parser that builds the front end's [`tree`](super::tree) directly.
//!
//! It follows the KDL 2.0.0 grammar and keeps the spans the `kdl` crate gave before it: a node
//! runs from its type annotation (or name) to the end of the whitespace after its last entry or
//! children block; an argument covers its value with any `(type)`; a property covers
//! `name=value`. Type annotations are checked, then dropped: the tree has no place for them.
//!
//! Where the 2.0.0 grammar and the KDL test suite differ, the suite wins: a `/-` inside a node
//! needs whitespace before it (`"a"/-1` is refused), as the later grammar says. A children block
//! may follow a name or value directly (`node{}`), as 2.0.0 allows. Unlike the `kdl` crate, we
//! refuse the disallowed code points everywhere (U+007F, and inside comments too), radix prefixes
//! other than `0x`, `0o` and `0b`, anything glued to a keyword (`#true/-1`), and slashdashed
//! entries after a children block.
//!
//! Nothing recurses: open children blocks live on an explicit stack, and comments nest with a
//! depth counter, so no input can exhaust the call stack. Nesting deeper than
//! [`MAX_NESTING`](super::guard::MAX_NESTING) blocks is refused (the decoder, and dropping the
//! tree, recurse), and so is a block comment longer than
//! [`MAX_COMMENT_STEPS`](super::guard::MAX_COMMENT_STEPS) (`venice fmt` later hands the file to
//! the `kdl` crate, whose comment parser recurses once per step).
//!
//! Errors do not stop the parse when it can go on safely: a bad string or escape is reported and
//! the string still ends where it ends; a malformed node is skipped up to the end of its line (or
//! its `;`, or into its children block); unclosed strings and comments end the parse.

use super::guard::{Complexity, MAX_COMMENT_STEPS, MAX_NESTING};
use super::tree::{Document, Entry, Node, SyntaxError, Value};
use std::ops::Range;

/// More errors than this in one file are not collected (the loader reports fewer still).
const MAX_ERRORS: usize = 64;

/// Parses a KDL v2 document.
pub(crate) fn parse(text: &str) -> Result<Document, Vec<SyntaxError>> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, errors: Vec::new() };
    let nodes = parser.document();
    if parser.errors.is_empty() { Ok(Document { nodes }) } else { Err(parser.errors) }
}

// Character classes. Bytes below 0x80 are classified by table; other characters by `class`.
const OTHER: u8 = 0;
const IDENT: u8 = 1;
const SPACE: u8 = 2;
const NEWLINE: u8 = 3;
const DISALLOWED: u8 = 4;

static ASCII: [u8; 128] = ascii_classes();

const fn ascii_classes() -> [u8; 128] {
    let mut table = [IDENT; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'\t' | b' ' => SPACE,
            b'\n' | 0x0B | 0x0C | b'\r' => NEWLINE,
            0x00..=0x08 | 0x0E..=0x1F | 0x7F => DISALLOWED,
            b'\\' | b'/' | b'(' | b')' | b'{' | b'}' | b';' | b'[' | b']' | b'"' | b'#' | b'=' => OTHER,
            _ => IDENT,
        };
        b += 1;
    }
    table
}

fn class(c: char) -> u8 {
    if c.is_ascii() {
        return ASCII[c as usize];
    }
    match c {
        '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => SPACE,
        '\u{85}' | '\u{2028}' | '\u{2029}' => NEWLINE,
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' => DISALLOWED,
        _ => IDENT,
    }
}

/// A printable ASCII byte with no meaning inside a string or comment body.
#[inline]
fn plain(b: u8) -> bool {
    (0x20..0x7F).contains(&b) || b == b'\t'
}

/// Why parsing a piece stopped: the error is already recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Skip to the end of the node and go on.
    Recover,
    /// Nothing after this can be trusted (an unclosed string or comment, too deep a nesting).
    Fatal,
}

type Parsed<T> = Result<T, Stop>;

/// A node being read: its entries so far, and which blocks it has had.
struct Pending {
    name: String,
    name_span: Range<usize>,
    start: usize,
    entries: Vec<Entry>,
    children: Option<Vec<Node>>,
    /// Slashdashed, inside something slashdashed, or malformed: read, then dropped.
    discard: bool,
    has_children: bool,
    /// A children block, slashdashed or not, has been read: no entries may follow.
    any_block: bool,
}

impl Pending {
    fn placeholder(start: usize) -> Self {
        Pending {
            name: String::new(),
            name_span: start..start,
            start,
            entries: Vec::new(),
            children: None,
            discard: true,
            has_children: false,
            any_block: false,
        }
    }

    fn finish(self, end: usize) -> Node {
        Node {
            name: self.name,
            name_span: self.name_span,
            span: self.start..end,
            entries: self.entries,
            children: self.children,
        }
    }
}

/// An open children block.
struct Open {
    node: Pending,
    /// The nodes of the enclosing list, set aside while the block is read.
    siblings: Vec<Node>,
    /// Where its `{` is.
    at: usize,
    slashdashed: bool,
    /// The nodes read inside are dropped.
    discard: bool,
}

/// How the rest of a node ended.
enum Rest {
    /// At its terminator (or the `}` of its parent, or the end of the file); the node's span ends
    /// at the offset given.
    End(usize),
    /// At the `{` of a children block.
    Block { at: usize, slashdashed: bool },
}

/// Where skipping a malformed node stopped.
enum Resync {
    End,
    Block(usize),
}

/// What went wrong in a number.
enum NumberProblem {
    /// A word such as `7d` or `3.x`.
    Word,
    FractionDigit,
    ExponentDigit,
    Radix(&'static str, &'static str),
    Unexpected(char),
    TooLarge,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    errors: Vec<SyntaxError>,
}

impl<'a> Parser<'a> {
    // ----- the document -------------------------------------------------------------------

    fn document(&mut self) -> Vec<Node> {
        if self.text.starts_with('\u{FEFF}') {
            self.pos = '\u{FEFF}'.len_utf8();
        }
        let mut stack: Vec<Open> = Vec::new();
        let mut nodes: Vec<Node> = Vec::new();
        while self.errors.len() < MAX_ERRORS {
            let mut node = match self.next_node(&mut stack, &mut nodes) {
                Ok(Some(node)) => node,
                Ok(None) | Err(Stop::Fatal) => break,
                Err(Stop::Recover) => {
                    let placeholder = Pending::placeholder(self.pos);
                    if self.recover(&mut stack, &mut nodes, placeholder).is_err() {
                        break;
                    }
                    continue;
                }
            };
            let going_on = match self.node_rest(&mut node) {
                Ok(Rest::End(end)) => {
                    if !node.discard {
                        nodes.push(node.finish(end));
                    }
                    Ok(())
                }
                Ok(Rest::Block { at, slashdashed }) => self.open(&mut stack, &mut nodes, node, at, slashdashed),
                Err(Stop::Fatal) => Err(Stop::Fatal),
                Err(Stop::Recover) => self.recover(&mut stack, &mut nodes, node),
            };
            if going_on.is_err() {
                break;
            }
        }
        nodes
    }

    /// After an error in `node`: drops it and skips the rest of it (see `resync`).
    fn recover(&mut self, stack: &mut Vec<Open>, nodes: &mut Vec<Node>, mut node: Pending) -> Parsed<()> {
        node.discard = true;
        match self.resync()? {
            Resync::End => Ok(()),
            Resync::Block(at) => self.open(stack, nodes, node, at, false),
        }
    }

    /// Skips to the next node of the current list and reads its head; closes the blocks that end
    /// on the way (returning their node, whose rest is still to read). None at the end of the file.
    fn next_node(&mut self, stack: &mut Vec<Open>, nodes: &mut Vec<Node>) -> Parsed<Option<Pending>> {
        loop {
            self.skip_line_space()?;
            let mut slashdash = None;
            if self.starts_with(b"/-") {
                slashdash = Some(self.pos);
                self.pos += 2;
                self.skip_line_space()?;
                if self.starts_with(b"/-") {
                    let at = self.pos;
                    self.error(
                        at..at + 2,
                        "a slashdash cannot comment out another slashdash",
                        Some("second `/-`"),
                        Some("remove one of the two `/-`"),
                    );
                    return Err(Stop::Recover);
                }
            }
            let at = self.pos;
            let nothing = |parser: &mut Self| {
                if let Some(dash) = slashdash {
                    parser.error(
                        dash..dash + 2,
                        "expected a node after `/-`",
                        Some("comments out nothing"),
                        Some("a `/-` comments out the node, argument, property or children block after it"),
                    );
                }
            };
            match self.byte() {
                None => {
                    nothing(self);
                    for open in stack.iter() {
                        self.error(
                            open.at..open.at + 1,
                            "expected `}` to close the block opened here",
                            Some("not closed"),
                            Some("add a `}` after the last node of this block"),
                        );
                    }
                    return Ok(None);
                }
                Some(b'}') => {
                    nothing(self);
                    let Some(open) = stack.pop() else {
                        self.error(
                            at..at + 1,
                            "unexpected `}`: no block is open here",
                            Some("nothing to close"),
                            Some("remove it, or add the `{` it was meant to close"),
                        );
                        self.pos += 1;
                        continue;
                    };
                    self.pos += 1;
                    let children = std::mem::replace(nodes, open.siblings);
                    let mut node = open.node;
                    node.any_block = true;
                    if !open.slashdashed {
                        node.children = Some(children);
                        node.has_children = true;
                    }
                    return Ok(Some(node));
                }
                Some(b';') if slashdash.is_none() => {
                    self.error(
                        at..at + 1,
                        "unexpected `;`: there is no node to end here",
                        Some("no node before this"),
                        Some("remove it"),
                    );
                    self.pos += 1;
                }
                Some(b';') => {
                    nothing(self);
                    self.pos += 1;
                }
                Some(_) => {
                    let discard = slashdash.is_some() || stack.last().is_some_and(|open| open.discard);
                    return self.node_head(discard).map(Some);
                }
            }
        }
    }

    /// Opens a children block (its `{` at `at`) for `node`.
    fn open(
        &mut self,
        stack: &mut Vec<Open>,
        nodes: &mut Vec<Node>,
        node: Pending,
        at: usize,
        slashdashed: bool,
    ) -> Parsed<()> {
        if stack.len() >= MAX_NESTING {
            let (message, _) = Complexity::Nesting.describe();
            self.errors.push(SyntaxError { message, span: at..at + 1, label: None, help: None });
            return Err(Stop::Fatal);
        }
        self.pos = at + 1;
        let discard = slashdashed || node.discard;
        let siblings = std::mem::take(nodes);
        stack.push(Open { node, siblings, at, slashdashed, discard });
        Ok(())
    }

    /// After an error in a node: skips the rest of it, up to its end (a newline, `;` or `}`) or
    /// its children block (whose nodes are still read). Strings and comments are skipped whole,
    /// and a line continuation carries on to the next line.
    fn resync(&mut self) -> Parsed<Resync> {
        loop {
            let Some(b) = self.byte() else { return Ok(Resync::End) };
            match b {
                b';' => {
                    self.pos += 1;
                    return Ok(Resync::End);
                }
                b'}' => return Ok(Resync::End),
                b'{' => return Ok(Resync::Block(self.pos)),
                b'"' => self.skip_token(Self::quoted_string)?,
                b'#' if matches!(self.byte_at(self.pos + 1), Some(b'#' | b'"')) => self.skip_token(Self::raw_string)?,
                b'/' if self.byte_at(self.pos + 1) == Some(b'/') => {
                    self.line_comment();
                    return Ok(Resync::End);
                }
                b'/' if self.byte_at(self.pos + 1) == Some(b'*') => self.block_comment()?,
                b'\\' => {
                    let at = self.pos;
                    self.pos += 1;
                    self.skip_ws()?;
                    let newline = self.newline_len(self.pos);
                    if newline > 0 {
                        self.pos += newline;
                    } else if self.starts_with(b"//") {
                        self.line_comment();
                    } else if self.byte().is_some() {
                        self.pos = at + 1;
                    }
                }
                _ => {
                    let newline = self.newline_len(self.pos);
                    if newline > 0 {
                        self.pos += newline;
                        return Ok(Resync::End);
                    }
                    self.pos += self.char_len(self.pos);
                }
            }
        }
    }

    /// Reads a string token while resynchronising: only an unclosed one matters.
    fn skip_token(&mut self, read: fn(&mut Self) -> Parsed<String>) -> Parsed<()> {
        let at = self.pos;
        match read(self) {
            Err(Stop::Fatal) => Err(Stop::Fatal),
            _ => {
                if self.pos == at {
                    self.pos += 1;
                }
                Ok(())
            }
        }
    }

    // ----- nodes ---------------------------------------------------------------------------

    /// `type? node-space* string`: a node's type annotation and name.
    fn node_head(&mut self, discard: bool) -> Parsed<Pending> {
        let start = self.pos;
        let mut expected = "a node name";
        if self.byte() == Some(b'(') {
            self.type_annotation()?;
            self.skip_node_space()?;
            expected = "a node name after the type annotation";
        }
        let name_start = self.pos;
        let value = self.value_token(expected)?;
        let Value::String(name) = value else {
            let span = name_start..self.pos;
            let help = self.quote_help(span.clone());
            self.error(span, "a node name must be a string", Some("not a string"), help);
            return Err(Stop::Recover);
        };
        Ok(Pending {
            name,
            name_span: name_start..self.pos,
            start,
            entries: Vec::new(),
            children: None,
            discard,
            has_children: false,
            any_block: false,
        })
    }

    /// The entries of a node, up to its end or its next children block.
    fn node_rest(&mut self, node: &mut Pending) -> Parsed<Rest> {
        loop {
            let before = self.pos;
            self.skip_node_space()?;
            let spaced = self.pos > before;
            let at = self.pos;
            let Some(b) = self.byte() else { return Ok(Rest::End(at)) };
            match b {
                b';' => {
                    self.pos += 1;
                    return Ok(Rest::End(at));
                }
                b'}' => return Ok(Rest::End(at)),
                b'{' => {
                    if node.has_children {
                        self.error(
                            at..at + 1,
                            "a node can only have one children block",
                            Some("second children block"),
                            Some("merge it into the first one, or comment one out with `/-`"),
                        );
                        return Err(Stop::Recover);
                    }
                    return Ok(Rest::Block { at, slashdashed: false });
                }
                b'/' if self.byte_at(at + 1) == Some(b'/') => {
                    self.line_comment();
                    return Ok(Rest::End(at));
                }
                b'/' if self.byte_at(at + 1) == Some(b'-') => {
                    if let Some(block) = self.slashdashed(node, spaced)? {
                        return Ok(block);
                    }
                }
                b'=' => {
                    self.error(
                        at..at + 1,
                        "unexpected `=`",
                        Some("no property name before this"),
                        Some("a property is written `name=value`, with a string as its name"),
                    );
                    return Err(Stop::Recover);
                }
                _ => {
                    let newline = self.newline_len(at);
                    if newline > 0 {
                        self.pos += newline;
                        return Ok(Rest::End(at));
                    }
                    self.before_entry(node, spaced)?;
                    let entry = self.entry()?;
                    if !node.discard {
                        node.entries.push(entry);
                    }
                }
            }
        }
    }

    /// Checks that an entry may start here: after whitespace, before any children block.
    fn before_entry(&mut self, node: &Pending, spaced: bool) -> Parsed<()> {
        let at = self.pos;
        let len = self.char_len(at);
        if !self.starts_value() {
            self.unexpected("an argument, a property, a children block or the end of the node");
            return Err(Stop::Recover);
        }
        if node.any_block {
            self.error(
                at..at + len,
                "arguments and properties must come before the children block",
                Some("after the children block"),
                Some("move it before the `{`, or end the node with a newline or `;` first"),
            );
            return Err(Stop::Recover);
        }
        if !spaced {
            self.error(
                at..at + len,
                "missing whitespace before this argument or property",
                Some("no space before this"),
                Some("separate the entries of a node with whitespace"),
            );
            return Err(Stop::Recover);
        }
        Ok(())
    }

    /// `/-` inside a node: reads and drops the entry after it, or returns the slashdashed block.
    fn slashdashed(&mut self, node: &Pending, spaced: bool) -> Parsed<Option<Rest>> {
        let dash = self.pos;
        if !spaced {
            // The KDL 2.0.0 grammar lets `"a"/-1` through, its test suite does not: we follow the
            // suite (and the later grammar), for entries and blocks alike.
            self.error(
                dash..dash + 2,
                "missing whitespace before `/-`",
                Some("no space before this"),
                Some("separate the entries of a node with whitespace"),
            );
            return Err(Stop::Recover);
        }
        self.pos += 2;
        self.skip_line_space()?;
        let target = self.pos;
        match self.byte() {
            Some(b'{') => Ok(Some(Rest::Block { at: target, slashdashed: true })),
            Some(b'/') if self.byte_at(target + 1) == Some(b'-') => {
                self.error(
                    target..target + 2,
                    "a slashdash cannot comment out another slashdash",
                    Some("second `/-`"),
                    Some("remove one of the two `/-`"),
                );
                Err(Stop::Recover)
            }
            None | Some(b';' | b'}') => {
                self.error(
                    dash..dash + 2,
                    "expected an argument, a property or a children block after `/-`",
                    Some("comments out nothing"),
                    None::<&str>,
                );
                Err(Stop::Recover)
            }
            Some(_) => {
                self.before_entry(node, true)?;
                self.entry()?;
                Ok(None)
            }
        }
    }

    /// `prop | value`: `name=value`, `(type)value` or `value`.
    fn entry(&mut self) -> Parsed<Entry> {
        let start = self.pos;
        let typed = self.byte() == Some(b'(');
        if typed {
            self.type_annotation()?;
            self.skip_node_space()?;
        }
        let value_start = self.pos;
        let value = self.value_token(if typed { "a value after the type annotation" } else { "a value" })?;
        let end = self.pos;
        // Look for `=` past any node space; if there is none, the node reads that space again.
        let reported = self.errors.len();
        if self.skip_node_space().is_err() || self.byte() != Some(b'=') {
            self.errors.truncate(reported);
            self.pos = end;
            return Ok(Entry { name: None, value, span: start..end });
        }
        let key = match value {
            Value::String(key) if !typed => key,
            Value::String(_) => {
                self.error(
                    start..end,
                    "a type annotation cannot come before a property name",
                    Some("annotated property name"),
                    Some("annotate the value instead: `name=(type)value`"),
                );
                return Err(Stop::Recover);
            }
            _ => {
                let help = self.quote_help(value_start..end);
                self.error(value_start..end, "a property name must be a string", Some("not a string"), help);
                return Err(Stop::Recover);
            }
        };
        self.pos += 1;
        self.skip_node_space()?;
        let typed = self.byte() == Some(b'(');
        if typed {
            self.type_annotation()?;
            self.skip_node_space()?;
        }
        let value = self.value_token(if typed { "a value after the type annotation" } else { "a value after `=`" })?;
        Ok(Entry { name: Some(key), value, span: start..self.pos })
    }

    /// `'(' node-space* string node-space* ')'`; the type itself is not kept.
    fn type_annotation(&mut self) -> Parsed<()> {
        let open = self.pos;
        self.pos += 1;
        self.skip_node_space()?;
        if self.byte() == Some(b')') {
            self.error(
                open..self.pos + 1,
                "a type annotation needs a name between its parentheses",
                Some("empty"),
                Some("write it like `(u8)`, or remove it"),
            );
            self.pos += 1;
            return Err(Stop::Recover);
        }
        let at = self.pos;
        let value = self.value_token("a type name")?;
        if !matches!(value, Value::String(_)) {
            let help = self.quote_help(at..self.pos);
            self.error(at..self.pos, "a type annotation must be a string", Some("not a string"), help);
            return Err(Stop::Recover);
        }
        self.skip_node_space()?;
        if self.byte() != Some(b')') {
            self.unexpected("`)` to close the type annotation");
            return Err(Stop::Recover);
        }
        self.pos += 1;
        Ok(())
    }

    // ----- values --------------------------------------------------------------------------

    /// Whether a value (or a type annotation) can start here.
    fn starts_value(&self) -> bool {
        match self.byte() {
            Some(b'"' | b'#' | b'(') => true,
            Some(_) => self.class_at(self.pos).is_some_and(|(class, _)| class == IDENT),
            None => false,
        }
    }

    /// A string, number or keyword.
    fn value_token(&mut self, expected: &str) -> Parsed<Value> {
        match self.byte() {
            Some(b'"') => self.quoted_string().map(Value::String),
            Some(b'#') if matches!(self.byte_at(self.pos + 1), Some(b'#' | b'"')) => {
                self.raw_string().map(Value::String)
            }
            Some(b'#') => self.keyword(),
            Some(_) if self.class_at(self.pos).is_some_and(|(class, _)| class == IDENT) => self.word(),
            _ => {
                self.unexpected(expected);
                Err(Stop::Recover)
            }
        }
    }

    /// A run of identifier characters: a bare string, or a number.
    fn word(&mut self) -> Parsed<Value> {
        let text = self.text;
        let start = self.pos;
        self.pos = self.word_end(start);
        let word = &text[start..self.pos];
        let b = word.as_bytes();
        let signed = matches!(b.first(), Some(b'+' | b'-'));
        let after_sign = usize::from(signed);
        if b.get(after_sign).is_some_and(u8::is_ascii_digit) {
            return self.number(start, word);
        }
        if b.get(after_sign) == Some(&b'.') && b.get(after_sign + 1).is_some_and(u8::is_ascii_digit) {
            let fixed = format!("{}0{}", &word[..after_sign], &word[after_sign..]);
            self.error(
                start..self.pos,
                format!("`{word}` is not a valid number: a number needs a digit before its `.`"),
                Some("not a number"),
                Some(format!("write `{fixed}`, or quote it (`\"{word}\"`) for text")),
            );
            return Err(Stop::Recover);
        }
        if matches!(word, "true" | "false" | "null" | "inf" | "-inf" | "nan") {
            self.error(
                start..self.pos,
                format!("a bare `{word}` is not allowed in KDL v2"),
                Some("ambiguous"),
                Some(format!("write `#{word}` for the keyword, or `\"{word}\"` for the text")),
            );
            return Err(Stop::Recover);
        }
        Ok(Value::String(word.to_owned()))
    }

    /// A number: `word` starts with a digit, or a sign and a digit.
    fn number(&mut self, start: usize, word: &str) -> Parsed<Value> {
        let problem = match parse_number(word) {
            Ok(value) => return Ok(value),
            Err(problem) => problem,
        };
        let (message, help) = match problem {
            NumberProblem::Word => {
                ("a word that starts with a digit is not a valid value".to_string(), format!("quote it: `\"{word}\"`"))
            }
            NumberProblem::FractionDigit => (
                format!("`{word}` is not a valid number: expected a digit after the `.`"),
                "write a fraction like `1.5`, or quote the word".into(),
            ),
            NumberProblem::ExponentDigit => (
                format!("`{word}` is not a valid number: expected a digit in the exponent"),
                "write an exponent like `1e3` or `2.5E-4`, or quote the word".into(),
            ),
            NumberProblem::Radix(name, example) => (
                format!("`{word}` is not a valid {name} number"),
                format!("{name} numbers look like `{example}`; quote the word if it is text"),
            ),
            NumberProblem::Unexpected(c) => (
                format!("`{word}` is not a valid number: unexpected `{c}`"),
                "numbers look like `42`, `-1.5`, `1e3`, `0x1F`, `0o17` or `0b101`; quote the word if it is text".into(),
            ),
            NumberProblem::TooLarge => {
                (format!("`{word}` is too large: integers must fit in 128 bits"), "quote it if it is text".into())
            }
        };
        self.error(start..start + word.len(), message, Some("not a number"), Some(help));
        Err(Stop::Recover)
    }

    /// `#true`, `#false`, `#null`, `#inf`, `#-inf` or `#nan`.
    fn keyword(&mut self) -> Parsed<Value> {
        let text = self.text;
        let start = self.pos;
        self.pos = self.word_end(start + 1);
        let value = match &text[start + 1..self.pos] {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            "inf" => Value::Float(f64::INFINITY),
            "-inf" => Value::Float(f64::NEG_INFINITY),
            "nan" => Value::Float(f64::NAN),
            other => {
                let message = if other.is_empty() {
                    "expected a keyword after `#`".into()
                } else {
                    format!("`#{other}` is not a keyword")
                };
                self.error(
                    start..self.pos.max(start + 1),
                    message,
                    Some("unknown keyword"),
                    Some("the keywords are `#true`, `#false`, `#null`, `#inf`, `#-inf` and `#nan`"),
                );
                return Err(Stop::Recover);
            }
        };
        Ok(value)
    }

    /// `"…"`, or a multi-line `"""…"""`; pos at the opening quote.
    fn quoted_string(&mut self) -> Parsed<String> {
        let text = self.text;
        let open = self.pos;
        if self.starts_with(b"\"\"\"") {
            self.pos += 3;
            return self.multi_line(open, 0);
        }
        self.pos += 1;
        let mut value = String::new();
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                self.error(
                    open..self.pos,
                    "this string is never closed",
                    Some("not closed"),
                    Some("close it with `\"`"),
                );
                return Err(Stop::Fatal);
            };
            match b {
                b'"' => {
                    value.push_str(&text[run..self.pos]);
                    self.pos += 1;
                    return Ok(value);
                }
                b'\\' => {
                    value.push_str(&text[run..self.pos]);
                    self.escape(&mut value);
                    run = self.pos;
                }
                _ if plain(b) => self.pos += 1,
                _ => {
                    let (class, len) = self.class_at(self.pos).unwrap_or((OTHER, 1));
                    match class {
                        NEWLINE => {
                            self.error(
                                open..self.pos,
                                "this string is not closed before the end of the line",
                                Some("not closed"),
                                Some(
                                    "close it with `\"`; for text on several lines, use `\\n` or a multi-line \
                                     string (`\"\"\"`)",
                                ),
                            );
                            value.push_str(&text[run..self.pos]);
                            return Ok(value);
                        }
                        DISALLOWED => self.disallowed(self.pos, len),
                        _ => {}
                    }
                    self.pos += len;
                }
            }
        }
    }

    /// An escape in a quoted string, pos at the backslash: appends its character, or skips the
    /// whitespace after a backslash (a whitespace escape). Returns false for an invalid escape.
    fn escape(&mut self, out: &mut String) -> bool {
        let at = self.pos;
        self.pos += 1;
        let Some(&b) = self.bytes.get(self.pos) else { return true };
        let c = match b {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'"' => '"',
            b'b' => '\u{8}',
            b'f' => '\u{C}',
            b's' => ' ',
            b'u' => return self.unicode_escape(at, out),
            _ => {
                if self.skip_escaped_whitespace() {
                    return true;
                }
                let len = self.char_len(self.pos);
                let shown = &self.text[at..self.pos + len];
                let message = if self.class_at(self.pos).is_some_and(|(class, _)| class == DISALLOWED) {
                    "unknown escape".to_string()
                } else {
                    format!("unknown escape `{shown}`")
                };
                self.error(at..self.pos + len, message, Some("unknown escape"), Some(ESCAPES_HELP));
                self.pos += len;
                return false;
            }
        };
        out.push(c);
        self.pos += 1;
        true
    }

    /// `\u{…}`, pos at the `u`.
    fn unicode_escape(&mut self, at: usize, out: &mut String) -> bool {
        let text = self.text;
        self.pos += 1;
        if self.byte() != Some(b'{') {
            self.error(
                at..self.pos,
                "expected `{` after `\\u` in a unicode escape",
                Some("unicode escape"),
                Some("write a unicode escape like `\\u{e9}`"),
            );
            return false;
        }
        self.pos += 1;
        let digits = self.pos;
        while self.byte().is_some_and(|b| b.is_ascii_hexdigit()) {
            self.pos += 1;
        }
        let hex = &text[digits..self.pos];
        if self.byte() != Some(b'}') {
            let len = self.char_len(self.pos);
            self.error(
                at..self.pos + len,
                "expected `}` to close the unicode escape",
                Some("unicode escape"),
                Some("write a unicode escape like `\\u{e9}`, with 1 to 6 hexadecimal digits"),
            );
            return false;
        }
        self.pos += 1;
        let span = at..self.pos;
        if hex.is_empty() || hex.len() > 6 {
            self.error(
                span,
                "a unicode escape takes 1 to 6 hexadecimal digits",
                Some("unicode escape"),
                Some("write a unicode escape like `\\u{e9}`"),
            );
            return false;
        }
        match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
            Some(c) => {
                out.push(c);
                true
            }
            None => {
                self.error(
                    span.clone(),
                    format!("`{}` is not a unicode scalar value", &text[span]),
                    Some("not a character"),
                    Some("surrogates (U+D800 to U+DFFF) and code points above U+10FFFF cannot be escaped"),
                );
                false
            }
        }
    }

    /// Skips unicode spaces and newlines; whether there were any.
    fn skip_escaped_whitespace(&mut self) -> bool {
        let start = self.pos;
        while let Some((SPACE | NEWLINE, len)) = self.class_at(self.pos) {
            self.pos += len;
        }
        self.pos > start
    }

    /// `#"…"#` or `#"""…"""#`, with any number of `#`; pos at the first `#`.
    fn raw_string(&mut self) -> Parsed<String> {
        let text = self.text;
        let open = self.pos;
        while self.byte() == Some(b'#') {
            self.pos += 1;
        }
        let hashes = self.pos - open;
        if self.byte() != Some(b'"') {
            self.unexpected("`\"` to start a raw string");
            return Err(Stop::Recover);
        }
        if self.starts_with(b"\"\"\"") {
            self.pos += 3;
            return self.multi_line(open, hashes);
        }
        self.pos += 1;
        let body = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                self.error(
                    open..body,
                    "this raw string is never closed",
                    Some("opened here"),
                    Some(format!("close it with `\"{}`", "#".repeat(hashes))),
                );
                return Err(Stop::Fatal);
            };
            if b == b'"' && self.hashes_at(self.pos + 1, hashes) {
                let value = text[body..self.pos].to_owned();
                self.pos += 1 + hashes;
                return Ok(value);
            }
            if plain(b) {
                self.pos += 1;
                continue;
            }
            let (class, len) = self.class_at(self.pos).unwrap_or((OTHER, 1));
            match class {
                NEWLINE => {
                    self.error(
                        open..self.pos,
                        "a raw string on one line cannot contain a newline",
                        Some("not closed"),
                        Some(format!(
                            "close it with `\"{0}`; for text on several lines, use a multi-line raw string \
                             (`{0}\"\"\"`)",
                            "#".repeat(hashes)
                        )),
                    );
                    return Ok(text[body..self.pos].to_owned());
                }
                DISALLOWED => self.disallowed(self.pos, len),
                _ => {}
            }
            self.pos += len;
        }
    }

    /// The rest of a multi-line string, pos after its opening `"""`: `hashes` is 0 for a quoted
    /// one, else the number of `#` of a raw one, which takes no escapes.
    ///
    /// Whitespace escapes are resolved first, other escapes are kept as written; the last line
    /// (only whitespace before the closing quotes) is the prefix the other lines must start with
    /// and lose; lines of only whitespace become empty; then the other escapes are resolved.
    fn multi_line(&mut self, open: usize, hashes: usize) -> Parsed<String> {
        let opener = open..self.pos;
        let newline = self.newline_len(self.pos);
        if newline == 0 {
            return self.multi_line_without_newline(opener, hashes);
        }
        self.pos += newline;
        let Some(scanned) = self.scan_multi_line(opener, hashes)? else { return Ok(String::new()) };
        Ok(self.dedent_multi_line(&scanned, hashes).unwrap_or_default())
    }

    /// `"""text"""` with no newline after the opening quotes: an error, then a skip to its
    /// closing quotes if they are on this line, else to its end.
    fn multi_line_without_newline(&mut self, opener: Range<usize>, hashes: usize) -> Parsed<String> {
        self.error(
            opener,
            "a multi-line string must start with a newline right after its opening quotes",
            Some("no newline after this"),
            Some("start the text on the next line, or use a quoted string (`\"…\"`) for a single line"),
        );
        while let Some((class, len)) = self.class_at(self.pos) {
            if class == NEWLINE {
                break;
            }
            if self.starts_with(b"\"\"\"") && self.hashes_at(self.pos + 3, hashes) {
                self.pos += 3 + hashes;
                return Ok(String::new());
            }
            self.pos += len;
        }
        Err(Stop::Recover)
    }

    /// The body of a multi-line string up to its closing quotes, pos after its first newline:
    /// whitespace escapes resolved, other escapes kept as written, every newline as `\n`. `None`
    /// when a character or escape in it is invalid (already reported).
    fn scan_multi_line(&mut self, opener: Range<usize>, hashes: usize) -> Parsed<Option<MultiLine>> {
        let text = self.text;
        let raw = hashes > 0;
        let mut valid = true;
        let mut resolved = String::new();
        let mut line_starts = vec![self.pos];
        let mut scratch = String::new();
        let mut run = self.pos;
        let close = loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                self.error(
                    opener,
                    "this multi-line string is never closed",
                    Some("opened here"),
                    Some(format!("close it with `\"\"\"{}` on a line of its own", "#".repeat(hashes))),
                );
                return Err(Stop::Fatal);
            };
            match b {
                b'"' if self.starts_with(b"\"\"\"") && self.hashes_at(self.pos + 3, hashes) => {
                    resolved.push_str(&text[run..self.pos]);
                    let close = self.pos;
                    self.pos += 3 + hashes;
                    break close;
                }
                b'\\' if !raw => {
                    resolved.push_str(&text[run..self.pos]);
                    let at = self.pos;
                    self.pos += 1;
                    if !self.skip_escaped_whitespace() {
                        self.pos = at;
                        valid &= self.escape(&mut scratch);
                        resolved.push_str(&text[at..self.pos]);
                    }
                    run = self.pos;
                }
                _ if plain(b) => self.pos += 1,
                _ => {
                    let (class, len) = self.class_at(self.pos).unwrap_or((OTHER, 1));
                    match class {
                        NEWLINE => {
                            resolved.push_str(&text[run..self.pos]);
                            resolved.push('\n');
                            self.pos += self.newline_len(self.pos);
                            line_starts.push(self.pos);
                            run = self.pos;
                            continue;
                        }
                        DISALLOWED => {
                            self.disallowed(self.pos, len);
                            valid = false;
                        }
                        _ => {}
                    }
                    self.pos += len;
                }
            }
        };
        Ok(valid.then_some(MultiLine { resolved, line_starts, close }))
    }

    /// The value of a scanned multi-line string: the last line (only whitespace before the
    /// closing quotes) is the prefix the other lines must start with and lose; lines of only
    /// whitespace become empty; then the other escapes are resolved. `None` when a line breaks
    /// those rules (reported).
    fn dedent_multi_line(&mut self, scanned: &MultiLine, hashes: usize) -> Option<String> {
        let MultiLine { resolved, line_starts, close } = scanned;
        let close = *close;
        let (body, last) = match resolved.rfind('\n') {
            Some(i) => (Some(&resolved[..i]), &resolved[i + 1..]),
            None => (None, resolved.as_str()),
        };
        if !last.chars().all(|c| class(c) == SPACE) {
            self.error(
                close..close + 3 + hashes,
                "the closing quotes of a multi-line string must be on a line of their own",
                Some("not on a line of their own"),
                Some("put them on the next line, after only whitespace"),
            );
            return None;
        }
        let mut value = String::with_capacity(resolved.len());
        for (i, line) in body.into_iter().flat_map(|body| body.split('\n')).enumerate() {
            if i > 0 {
                value.push('\n');
            }
            if line.chars().all(|c| class(c) == SPACE) {
                continue;
            }
            match line.strip_prefix(last) {
                Some(rest) if hashes > 0 => value.push_str(rest),
                Some(rest) => unescape(rest, &mut value),
                None => {
                    self.less_indented(line_starts.get(i).copied().unwrap_or(close));
                    return None;
                }
            }
        }
        Some(value)
    }

    /// Reports a line of a multi-line string, starting at `start`, that lacks the closing line's
    /// indentation.
    fn less_indented(&mut self, start: usize) {
        let mut end = start;
        while let Some((SPACE, len)) = self.class_at(end) {
            end += len;
        }
        let end = end.max(start + self.char_len(start));
        self.error(
            start..end,
            "this line is indented less than the closing quotes of its multi-line string",
            Some("less indented"),
            Some("every line of a multi-line string must start with the exact whitespace before its closing quotes"),
        );
    }

    // ----- whitespace and comments -----------------------------------------------------------

    /// `line-space*`: whitespace, newlines, comments and line continuations.
    fn skip_line_space(&mut self) -> Parsed<()> {
        loop {
            match self.byte() {
                Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C) => self.pos += 1,
                Some(b'/') => match self.byte_at(self.pos + 1) {
                    Some(b'/') => self.line_comment(),
                    Some(b'*') => self.block_comment()?,
                    _ => return Ok(()),
                },
                Some(b'\\') => self.escline()?,
                Some(b) if b >= 0x80 => match self.class_at(self.pos) {
                    Some((SPACE | NEWLINE, len)) => self.pos += len,
                    _ => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    /// `node-space*`: whitespace, block comments and line continuations.
    fn skip_node_space(&mut self) -> Parsed<()> {
        loop {
            self.skip_ws()?;
            if self.byte() != Some(b'\\') {
                return Ok(());
            }
            self.escline()?;
        }
    }

    /// `ws*`: unicode spaces and block comments.
    fn skip_ws(&mut self) -> Parsed<()> {
        loop {
            match self.byte() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'/') if self.byte_at(self.pos + 1) == Some(b'*') => self.block_comment()?,
                Some(b) if b >= 0x80 => match self.class_at(self.pos) {
                    Some((SPACE, len)) => self.pos += len,
                    _ => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    /// A line continuation: `\`, whitespace, then a line comment, a newline or the end of the file.
    fn escline(&mut self) -> Parsed<()> {
        let at = self.pos;
        self.pos += 1;
        self.skip_ws()?;
        if self.byte().is_none() {
            return Ok(());
        }
        if self.starts_with(b"//") {
            self.line_comment();
            return Ok(());
        }
        let newline = self.newline_len(self.pos);
        if newline > 0 {
            self.pos += newline;
            return Ok(());
        }
        self.error(
            at..at + 1,
            "a line continuation `\\` must be followed by a newline",
            Some("line continuation"),
            Some("only whitespace or a comment may follow `\\` on its line"),
        );
        Err(Stop::Recover)
    }

    /// `//` to the end of the line, with the newline.
    fn line_comment(&mut self) {
        self.pos += 2;
        while let Some(&b) = self.bytes.get(self.pos) {
            if plain(b) {
                self.pos += 1;
                continue;
            }
            let (class, len) = self.class_at(self.pos).unwrap_or((OTHER, 1));
            match class {
                NEWLINE => {
                    self.pos += self.newline_len(self.pos);
                    return;
                }
                DISALLOWED => self.disallowed(self.pos, len),
                _ => {}
            }
            self.pos += len;
        }
    }

    /// `/* … */`, which nests; pos at the `/*`.
    fn block_comment(&mut self) -> Parsed<()> {
        let open = self.pos;
        let mut depth = 0usize;
        let mut steps = 0usize;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                self.error(
                    open..open + 2,
                    "this comment is never closed",
                    Some("opened here"),
                    Some("close it with `*/`"),
                );
                return Err(Stop::Fatal);
            };
            match b {
                b'/' | b'*' => {
                    steps += 1;
                    let next = self.byte_at(self.pos + 1);
                    if b == b'/' && next == Some(b'*') {
                        depth += 1;
                        steps += 1;
                        self.pos += 2;
                    } else if b == b'*' && next == Some(b'/') {
                        depth -= 1;
                        steps += 1;
                        self.pos += 2;
                        if depth == 0 {
                            return Ok(());
                        }
                    } else {
                        self.pos += 1;
                    }
                    if steps > MAX_COMMENT_STEPS {
                        let (message, _) = Complexity::Comment.describe();
                        self.errors.push(SyntaxError { message, span: open..open + 1, label: None, help: None });
                        return Err(Stop::Fatal);
                    }
                }
                _ if plain(b) || matches!(b, b'\n' | b'\r' | 0x0B | 0x0C) => self.pos += 1,
                _ => {
                    let (class, len) = self.class_at(self.pos).unwrap_or((OTHER, 1));
                    if class == DISALLOWED {
                        self.disallowed(self.pos, len);
                    }
                    self.pos += len;
                }
            }
        }
    }

    // ----- errors ------------------------------------------------------------------------------

    fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        label: Option<&str>,
        help: Option<impl Into<String>>,
    ) {
        if self.errors.len() < MAX_ERRORS {
            let end = span.end.min(self.text.len());
            let span = span.start.min(end)..end;
            let (message, label, help) = (message.into(), label.map(Into::into), help.map(Into::into));
            self.errors.push(SyntaxError { message, span, label, help });
        }
    }

    /// A disallowed code point at `at`.
    fn disallowed(&mut self, at: usize, len: usize) {
        let code = self.char_at(at).map_or(0, u32::from);
        let help = if code == 0xFEFF {
            "a byte order mark may only start the file; in a quoted string, write `\\u{feff}`".to_string()
        } else {
            format!("in a quoted string, write it as `\\u{{{code:x}}}`")
        };
        self.error(
            at..at + len,
            format!("the character U+{code:04X} is not allowed in a KDL document"),
            Some("not allowed"),
            Some(help),
        );
    }

    /// Something else than `expected` is here.
    fn unexpected(&mut self, expected: &str) {
        let at = self.pos;
        match self.class_at(at) {
            None => self.error(
                at..at,
                format!("expected {expected}, found the end of the file"),
                Some("the file ends here"),
                None::<&str>,
            ),
            Some((DISALLOWED, len)) => self.disallowed(at, len),
            Some((NEWLINE, len)) => self.error(
                at..at + len,
                format!("expected {expected}, found the end of the line"),
                Some("the line ends here"),
                None::<&str>,
            ),
            Some((_, len)) => {
                let len = if self.starts_with(b"/-") { 2 } else { len };
                let found = &self.text[at..at + len];
                let help = (found == "{" && expected.starts_with("a node name"))
                    .then(|| "a children block follows the name (and entries) of its node".to_string());
                self.error(at..at + len, format!("expected {expected}, found `{found}`"), Some("unexpected"), help);
            }
        }
    }

    /// Advice to quote a token that is not a string, when quoting it is simple.
    fn quote_help(&self, span: Range<usize>) -> Option<String> {
        let token = self.text.get(span)?;
        (!token.contains(['"', '\\', '#'])).then(|| format!("quote it: `\"{token}\"`"))
    }

    // ----- reading ---------------------------------------------------------------------------

    #[inline]
    fn byte(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn starts_with(&self, prefix: &[u8]) -> bool {
        self.bytes.get(self.pos..).is_some_and(|rest| rest.starts_with(prefix))
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|rest| rest.chars().next())
    }

    /// The length of the character at `at` (1 past the end, so that skipping always advances).
    fn char_len(&self, at: usize) -> usize {
        self.char_at(at).map_or(1, char::len_utf8)
    }

    #[inline]
    fn class_at(&self, at: usize) -> Option<(u8, usize)> {
        let b = *self.bytes.get(at)?;
        if b < 0x80 {
            return Some((ASCII[b as usize], 1));
        }
        let c = self.char_at(at)?;
        Some((class(c), c.len_utf8()))
    }

    /// The length of the newline at `at`, 0 if there is none (CRLF is one newline).
    fn newline_len(&self, at: usize) -> usize {
        match self.bytes.get(at..).unwrap_or_default() {
            [b'\r', b'\n', ..] => 2,
            [b'\n' | b'\r' | 0x0B | 0x0C, ..] => 1,
            [0xC2, 0x85, ..] => 2,
            [0xE2, 0x80, 0xA8 | 0xA9, ..] => 3,
            _ => 0,
        }
    }

    /// Whether `count` `#` are at `at`.
    fn hashes_at(&self, at: usize, count: usize) -> bool {
        self.bytes.get(at..at + count).is_some_and(|hashes| hashes.iter().all(|&b| b == b'#'))
    }

    /// The end of the run of identifier characters from `at`.
    fn word_end(&self, mut at: usize) -> usize {
        while let Some(&b) = self.bytes.get(at) {
            if b < 0x80 {
                if ASCII[b as usize] != IDENT {
                    break;
                }
                at += 1;
            } else {
                match self.char_at(at) {
                    Some(c) if class(c) == IDENT => at += c.len_utf8(),
                    _ => break,
                }
            }
        }
        at
    }
}

const ESCAPES_HELP: &str = "the escapes are `\\n`, `\\r`, `\\t`, `\\\\`, `\\\"`, `\\b`, `\\f`, `\\s` and `\\u{…}`; \
                            write `\\\\` for a backslash";

/// Resolves the escapes of one line of a multi-line string, already checked (whitespace escapes
/// are gone).
fn unescape(line: &str, out: &mut String) {
    let mut rest = line;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (c, used) = match after.as_bytes().first() {
            Some(b'n') => (Some('\n'), 1),
            Some(b'r') => (Some('\r'), 1),
            Some(b't') => (Some('\t'), 1),
            Some(b'\\') => (Some('\\'), 1),
            Some(b'"') => (Some('"'), 1),
            Some(b'b') => (Some('\u{8}'), 1),
            Some(b'f') => (Some('\u{C}'), 1),
            Some(b's') => (Some(' '), 1),
            Some(b'u') => match after.find('}') {
                Some(close) => {
                    let hex = after.get(2..close).unwrap_or_default();
                    (u32::from_str_radix(hex, 16).ok().and_then(char::from_u32), close + 1)
                }
                None => (None, 0),
            },
            _ => (None, 0),
        };
        out.extend(c);
        rest = &after[used..];
    }
    out.push_str(rest);
}

/// A number; `word` starts with a digit, or with a sign and a digit.
fn parse_number(word: &str) -> Result<Value, NumberProblem> {
    let b = word.as_bytes();
    let (negative, start) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let radix = match b.get(start..start + 2) {
        Some(b"0x") => Some((16, "hexadecimal", "0x1F")),
        Some(b"0o") => Some((8, "octal", "0o17")),
        Some(b"0b") => Some((2, "binary", "0b101")),
        _ => None,
    };
    if let Some((radix, name, example)) = radix {
        let digits = &word[start + 2..];
        if !digits.chars().next().is_some_and(|c| c.is_digit(radix)) {
            return Err(NumberProblem::Radix(name, example));
        }
        let mut magnitude: u128 = 0;
        for c in digits.chars().filter(|&c| c != '_') {
            let digit = c.to_digit(radix).ok_or(NumberProblem::Radix(name, example))?;
            magnitude = magnitude
                .checked_mul(u128::from(radix))
                .and_then(|m| m.checked_add(u128::from(digit)))
                .ok_or(NumberProblem::TooLarge)?;
        }
        return signed(negative, magnitude).map(Value::Integer);
    }
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(|&c| c.is_ascii_digit() || c == b'_') {
            i += 1;
        }
        i
    };
    // Past a failure, a word with letters other than an exponent's is a word, not a typo.
    let word_or = |problem: NumberProblem| {
        let letters = word.chars().filter(|c| c.is_alphabetic() && !matches!(c, 'e' | 'E')).count();
        if letters > 0 { NumberProblem::Word } else { problem }
    };
    let mut i = digits(start);
    let mut float = false;
    if b.get(i) == Some(&b'.') {
        if !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return Err(word_or(NumberProblem::FractionDigit));
        }
        i = digits(i + 1);
        float = true;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return Err(word_or(NumberProblem::ExponentDigit));
        }
        i = digits(i);
        float = true;
    }
    if let Some(c) = word.get(i..).and_then(|rest| rest.chars().next()) {
        return Err(word_or(NumberProblem::Unexpected(c)));
    }
    if float {
        let plain: String = word.chars().filter(|&c| c != '_').collect();
        return plain.parse::<f64>().map(Value::Float).map_err(|_| NumberProblem::Word);
    }
    let mut magnitude: u128 = 0;
    for &digit in &b[start..] {
        if digit == b'_' {
            continue;
        }
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u128::from(digit - b'0')))
            .ok_or(NumberProblem::TooLarge)?;
    }
    signed(negative, magnitude).map(Value::Integer)
}

fn signed(negative: bool, magnitude: u128) -> Result<i128, NumberProblem> {
    if negative {
        // -(2^127) is i128::MIN, whose magnitude is one more than i128::MAX.
        match i128::try_from(magnitude) {
            Ok(m) => Ok(-m),
            Err(_) if magnitude == i128::MIN.unsigned_abs() => Ok(i128::MIN),
            Err(_) => Err(NumberProblem::TooLarge),
        }
    } else {
        i128::try_from(magnitude).map_err(|_| NumberProblem::TooLarge)
    }
}

/// A multi-line string's body as `scan_multi_line` read it.
struct MultiLine {
    /// The text, whitespace escapes resolved, other escapes as written, newlines as `\n`.
    resolved: String,
    /// Where each line starts in the file.
    line_starts: Vec<usize>,
    /// Where the closing quotes are.
    close: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document on one line: `name arg key=value {child; child}`, nodes joined by `; `.
    fn dump(nodes: &[Node]) -> String {
        let word = |s: &str| {
            if !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_')) {
                s.to_string()
            } else {
                format!("{s:?}")
            }
        };
        let nodes: Vec<String> = nodes
            .iter()
            .map(|node| {
                let mut out = word(&node.name);
                for entry in &node.entries {
                    out.push(' ');
                    if let Some(name) = &entry.name {
                        out.push_str(&word(name));
                        out.push('=');
                    }
                    out.push_str(&match &entry.value {
                        Value::String(s) => format!("{s:?}"),
                        Value::Integer(i) => i.to_string(),
                        Value::Float(f) => format!("{f:?}"),
                        Value::Bool(b) => format!("#{b}"),
                        Value::Null => "#null".into(),
                    });
                }
                if let Some(children) = &node.children {
                    out.push_str(&format!(" {{{}}}", dump(children)));
                }
                out
            })
            .collect();
        nodes.join("; ")
    }

    #[track_caller]
    fn read(text: &str) -> String {
        match parse(text) {
            Ok(document) => dump(&document.nodes),
            Err(errors) => panic!("{text:?} is rejected: {errors:#?}"),
        }
    }

    #[track_caller]
    fn errors(text: &str) -> Vec<SyntaxError> {
        match parse(text) {
            Ok(document) => panic!("{text:?} is accepted as {}", dump(&document.nodes)),
            Err(errors) => errors,
        }
    }

    #[test]
    fn identifier_strings() {
        assert_eq!(
            read("node foo bar-baz ?15 _15 --x -- + - . .. ..5 -. -.a .md +a r"),
            r#"node "foo" "bar-baz" "?15" "_15" "--x" "--" "+" "-" "." ".." "..5" "-." "-.a" ".md" "+a" "r""#
        );
        assert_eq!(read("😁 happy!\nノード　お名前=\"☜\""), r#""😁" "happy!"; ノード お名前="☜""#);
        assert_eq!(read(r#""foo bar" "" ""=1"#), r#""foo bar" "" ""=1"#);
        assert_eq!(
            read(r##"node a=1 "b c"=2 #"d"#=3 true-ish=x nullable"##),
            r#"node a=1 "b c"=2 d=3 true-ish="x" "nullable""#
        );
        assert_eq!(read("a,b <c> d~e"), r#""a,b" "<c>" "d~e""#);
    }

    #[test]
    fn quoted_strings_and_escapes() {
        assert_eq!(read(r#"node "\"\\\b\f\n\r\t\s""#), r#"node "\"\\\u{8}\u{c}\n\r\t ""#);
        assert_eq!(read(r#"node "\u{0a}\u{1F600}\u{10FFFF}\u{0}""#), r#"node "\n😀\u{10ffff}\0""#);
        // A backslash before whitespace (newlines included) drops them both.
        assert_eq!(read("node \"Hello \\    World\" \"a\\\n   b\""), r#"node "Hello World" "ab""#);
        assert_eq!(read("node \"Hello\\n\\      \\tWorld\""), r#"node "Hello\n\tWorld""#);
        assert_eq!(read("node \"a\\\u{3000}\u{2028}b\""), r#"node "ab""#);
        assert_eq!(read(r#"node "" "#), r#"node """#);
    }

    #[test]
    fn raw_strings() {
        assert_eq!(
            read(r###"node #"\n will be literal"# ##"hello\n\r\asd"#world"## #""#"###),
            r####"node "\\n will be literal" "hello\\n\\r\\asd\"#world" """####
        );
        assert_eq!(read(r##"node #"a"b"# #"\"#"##), r#"node "a\"b" "\\""#);
        assert_eq!(read(r###"#"raw name"# ##"x"##=1"###), r#""raw name" x=1"#);
    }

    #[test]
    fn multi_line_strings() {
        assert_eq!(read("node \"\"\"\n  foo\n    bar\n  baz\n  \"\"\""), r#"node "foo\n  bar\nbaz""#);
        assert_eq!(read("node \"\"\"\n\"\"\" \"\"\"\n\n\"\"\" \"\"\"\n\n\n\"\"\""), r#"node "" "" "\n""#);
        assert_eq!(read("node \"\"\"\r\nfoo\r\nbar\r\n\"\"\""), r#"node "foo\nbar""#);
        // Escapes are resolved after dedenting, and escaped newlines are not normalised.
        assert_eq!(read("node \"\"\"\n    \\r\\n\n    foo\n    \"\"\""), r#"node "\r\n\nfoo""#);
        // Lines of only whitespace are empty, whatever their indentation.
        assert_eq!(read("node \"\"\"\n  a\n      \n\n  b\n  \"\"\""), r#"node "a\n\n\nb""#);
        // Whitespace escapes are resolved before dedenting, also on the closing line.
        assert_eq!(read("node \"\"\"\n  foo \\\nbar\n  baz\n  \\   \"\"\""), r#"node "foo bar\nbaz""#);
        assert_eq!(read("node \"\"\"\n  foo \\\nbar\n  baz\n\\   \"\"\""), r#"node "  foo bar\n  baz""#);
        assert_eq!(read("node \"\"\"\n    a\n   \\\n\"\"\""), r#"node " a""#);
        assert_eq!(read("node \"\"\"\n  \"a\" \"\"b\"\" \\\"\"\"\n  \"\"\""), r#"node "\"a\" \"\"b\"\" \"\"\"""#);
        assert_eq!(
            read(
                "node #\"\"\"\n    Here's a \"\"\"\n        multiline string\n        \"\"\"\n    without escapes.\n    \"\"\"#"
            ),
            r#"node "Here's a \"\"\"\n    multiline string\n    \"\"\"\nwithout escapes.""#
        );
        assert_eq!(read("node #\"\"\"\n  \\n \\\n  \"\"\"#"), r#"node "\\n \\""#);
        assert_eq!(read("\"\"\"\n  x\n  \"\"\" \"\"\"\n\tk\n\t\"\"\"=1"), r#"x k=1"#);
        // The prefix is matched code point for code point.
        assert_eq!(read("node \"\"\"\n\u{3000} a\n\u{3000} \"\"\""), r#"node "a""#);
    }

    #[test]
    fn multi_line_string_errors_name_the_place_and_the_rule() {
        let first = |text: &str| {
            let errors = errors(text);
            (errors[0].message.clone(), errors[0].span.clone())
        };
        assert_eq!(
            first("node \"\"\"a\"\"\" b"),
            ("a multi-line string must start with a newline right after its opening quotes".into(), 5..8)
        );
        assert_eq!(first("node \"\"\"\n  a\n"), ("this multi-line string is never closed".into(), 5..8));
        assert_eq!(
            first("node \"\"\"\n  a\n  b\"\"\""),
            ("the closing quotes of a multi-line string must be on a line of their own".into(), 16..19)
        );
        assert_eq!(
            first("node \"\"\"\n    a\n  b\n    \"\"\""),
            ("this line is indented less than the closing quotes of its multi-line string".into(), 15..17)
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            read("node 0 -0 +5 1_000 1__0_ 0x1F 0xdead_BEEF -0x10 0o17 0o7_7 0b101 0b1_0 -0b1 0xabcdef1234567890"),
            "node 0 0 5 1000 10 31 3735928559 -16 15 63 5 2 -1 12379813812177893520"
        );
        assert_eq!(
            read("node 1.5 -1.5 1e3 1E+3 1.0e-3 1_0.5_0 0.0 -0.0 1e10 12_34.56 1e1_0 +2.5"),
            "node 1.5 -1.5 1000.0 1000.0 0.001 10.5 0.0 -0.0 10000000000.0 1234.56 10000000000.0 2.5"
        );
        assert_eq!(
            read("node 170141183460469231731687303715884105727 -170141183460469231731687303715884105728"),
            format!("node {} {}", i128::MAX, i128::MIN)
        );
        assert_eq!(read("node -0x80000000000000000000000000000000"), format!("node {}", i128::MIN));
        assert_eq!(read("node #true #false #null #inf #-inf #nan"), "node #true #false #null inf -inf NaN");
        assert_eq!(read("node k=#true k2=-1"), "node k=#true k2=-1");
    }

    #[test]
    fn type_annotations_are_read_and_dropped() {
        assert_eq!(
            read(r##"(t)node (u8)1 ( t )"x" k=(t)2 k2 = (t) 3 ("a b")x (#"r"#)y"##),
            r#"node 1 "x" k=2 k2=3 "x" "y""#
        );
        assert_eq!(read("node (/*c*/t/*c*/)1 (t)/*c*/2"), "node 1 2");
        assert_eq!(read("(t) /*c*/ node; (t)\\\nother"), "node; other");
        assert_eq!(read("(\"\")node (\"\")10"), "node 10");
    }

    #[test]
    fn slashdash() {
        assert_eq!(read("/-node 1 {x}\nkept"), "kept");
        assert_eq!(read("node /-1 2 /-k=3 k=4 /-{a} {b} /-{c}"), "node 2 k=4 {b}");
        assert_eq!(read("node /-\n  1 2"), "node 2");
        assert_eq!(read("node /- { }\n"), "node");
        assert_eq!(read("/-\nnode1\nnode2"), "node2");
        assert_eq!(read("node arg1 /-\\\n{\n}"), r#"node "arg1""#);
        assert_eq!(read("node { /- child; kept }"), "node {kept}");
        assert_eq!(read("/- node1 /- 1.0\nnode2"), "node2");
        assert_eq!(read("node /-(t)1 /- // comment\n 2 3"), "node 3");
        assert_eq!(read("node /- /* c */ k=1 /-k=(t)2 3"), "node 3");
        assert_eq!(read("/- kdl-version 2\nnode"), "node");
        assert_eq!(read("/-a;b; /-\"s\";"), "b");
        assert_eq!(read("node /-{a} {b}"), "node {b}");
        // A slashdash needs whitespace before it, in front of a block too.
        assert!(parse("node/-{a}").is_err() && parse("node {}/-{a}").is_err());
        // Nodes inside a slashdashed node or block are dropped too.
        assert_eq!(read("a { /-b { c { d } }; e } /-{ f { g } }"), "a {e}");
    }

    #[test]
    fn whitespace_comments_and_line_continuations() {
        assert_eq!(read("node 1 \\\n  2 \\ // comment\n  3 \\   /* c */\n 4"), "node 1 2 3 4");
        assert_eq!(read("a\r\nb\rc\u{85}d\u{b}e\u{c}f\u{2028}g\u{2029}h"), "a; b; c; d; e; f; g; h");
        assert_eq!(read("a\u{a0}1\u{3000}2\u{205f}3\t4\u{1680}5"), "a 1 2 3 4 5");
        assert_eq!(read("/* a /* nested */ */ node /* x\n y */ 1 // end\n// line\nother"), "node 1; other");
        assert_eq!(read("/* hey*/node /**/ 1 /*/*/ */*/ 2"), "node 1 2");
        assert_eq!(read("\u{feff}node"), "node");
        assert_eq!(read("node; \\\nnode"), "node; node");
        assert_eq!(read("\\\n"), "");
        assert_eq!(read("node \\"), "node");
        assert_eq!(read(""), "");
        assert_eq!(read(" \n\t\r\n// only a comment"), "");
        assert_eq!(read("node 1/*x*/2"), "node 1 2");
        assert_eq!(read("node 1//x"), "node 1");
    }

    #[test]
    fn terminators_and_children() {
        assert_eq!(read("a; b;c"), "a; b; c");
        assert_eq!(read("node {foo;bar;baz}"), "node {foo; bar; baz}");
        assert_eq!(read("node {\n     childnode\n};"), "node {childnode}");
        assert_eq!(read("parent { child1; child2 }"), "parent {child1; child2}");
        assert_eq!(read("a {}\nb { }\nc {\n\n}"), "a {}; b {}; c {}");
        assert_eq!(read("foo{}; bar 1{}"), "foo {}; bar 1 {}");
        assert_eq!(read("a { b { c { d 1 } } }"), "a {b {c {d 1}}}");
        assert_eq!(read("a {b}; c"), "a {b}; c");
    }

    /// The spans the `kdl` crate gave (tests/kdl_parser.rs compares them on every file).
    #[test]
    fn spans_follow_the_kdl_crate() {
        let spans = |text: &str| {
            let document = parse(text).unwrap();
            let mut out = Vec::new();
            let mut stack: Vec<&Node> = document.nodes.iter().rev().collect();
            while let Some(node) = stack.pop() {
                out.push(format!("{}:{:?}", &text[node.name_span.clone()], &text[node.span.clone()]));
                for entry in &node.entries {
                    out.push(format!("  {:?}", &text[entry.span.clone()]));
                }
                stack.extend(node.children.iter().flatten().rev());
            }
            out.join("\n")
        };
        assert_eq!(spans("foo bar  \n"), "foo:\"foo bar  \"\n  \"bar\"");
        assert_eq!(spans("  (t)foo 1 // c\n"), "foo:\"(t)foo 1 \"\n  \"1\"");
        assert_eq!(
            spans("foo (t)1 a = 1 /-x b=2 \\\n  3"),
            "foo:\"foo (t)1 a = 1 /-x b=2 \\\\\\n  3\"\n  \"(t)1\"\n  \"a = 1\"\n  \"b=2\"\n  \"3\""
        );
        assert_eq!(spans("a { b  ; c {d} }  "), "a:\"a { b  ; c {d} }  \"\nb:\"b  \"\nc:\"c {d} \"\nd:\"d\"");
        assert_eq!(spans("x /-{a} {b}"), "x:\"x /-{a} {b}\"\nb:\"b\"");
        assert_eq!(spans("\"x y\"  1 ;"), "\"x y\":\"\\\"x y\\\"  1 \"\n  \"1\"");
        assert_eq!(spans("foo 1 /* c */ // x\n"), "foo:\"foo 1 /* c */ \"\n  \"1\"");
        assert_eq!(spans("/- a\nb 1"), "b:\"b 1\"\n  \"1\"");
        assert_eq!(spans("foo a\t=\t#\"x\"#"), "foo:\"foo a\\t=\\t#\\\"x\\\"#\"\n  \"a\\t=\\t#\\\"x\\\"#\"");
        assert_eq!(spans("\u{feff}n"), "n:\"n\"");
    }

    #[test]
    fn invalid_documents_are_rejected() {
        let invalid = [
            // Entries and whitespace.
            "node\"string\"",
            "node foo=\"value\"bar=5",
            "node \"string\"1",
            "node \"string\"/-1",
            "node r\"foo\"",
            "node r#\"foo\"#",
            "foo123{bar}foo weeee",
            "foo123\\bar weeee",
            "foo[bar]",
            "foo 1)",
            "a;;",
            ";",
            "}",
            "a {",
            "a {} {}",
            "a {} b",
            "{ a }",
            "node =1",
            "node 1=2",
            // Slashdash.
            "node (ty)/-arg1 arg2",
            "(ty)/-node\nother-node",
            "node key /- = value",
            "node key=(ty)/-val other-arg",
            "node (type) /- arg1 arg2",
            "node {\n    child1\n    /-\n}",
            "node foo /-\n",
            "/-",
            "node key = /-val etc",
            "node foo /-;",
            "node { one } /- { two } { three }",
            "node {} /-arg",
            "node #true/-\"x\"",
            "node /-{\n    child\n} foo {\n    bar\n}",
            "/- /- node",
            // Type annotations.
            "node (/-bad)nope",
            "(/-ty)node",
            "node (type)",
            "(type)",
            "node key=(type)",
            "node (type)key=10",
            "node ()1",
            "node ( )1",
            "(1)node",
            "node (t",
            // Keywords and bare words.
            "floats inf -inf nan",
            "node true",
            "node null",
            "true",
            "node true=1",
            "#true",
            "node #True",
            "node #",
            "node #nullx",
            // Strings.
            "node #\"\"\"#",
            "node ##\"foo\"#",
            "node \"\nhey\n\"",
            "node #\"\nhey\n\"#",
            "node #\"\"\"one line\"\"\"#",
            "node \"\"\"one line\"\"\"",
            "node \"\\/\"",
            "node \"\\x\"",
            "node \"\\u{D800}\"",
            "node \"\\u{110000}\"",
            "node \"\\u{}\"",
            "node \"\\u{1234567}\"",
            "node \"\\u0041\"",
            "node \"unclosed",
            "node #\"unclosed",
            "node \"\"\"\n  unclosed",
            "node \"\"\"\n  foo\n  bar\\\n  \"\"\"",
            "node \"\"\"\n\\s escaped prefix\n  literal prefix\n  \"\"\"",
            "node \"\"\"\na\n   \\\n\"\"\"",
            "node \"\"\"\n\ta\n  b\n \t\n\t\"\"\"",
            "node \"\"\"\n  foo\n  \"\"\"\"",
            "node \"\"\"\n  closing quote with non-whitespace prefix\"\"\"",
            "node \"\"\"stuff\n  \"\"\"",
            // Numbers.
            "node 1.",
            "node 1.e7",
            "node 1.2.3",
            "node 1e2e3",
            "node 1e",
            "node 1e_1",
            "node 0xx10",
            "node 0x",
            "node 0x_1",
            "node 0xG",
            "node 0X1F",
            "node 0b12",
            "node 0o8",
            "node 1._5",
            "node .0",
            "node -.5",
            "node 7d",
            "node 1.0v2",
            "node -1em",
            "node 99999999999999999999999999999999999999999",
            "node 0x1_0000_0000_0000_0000_0000_0000_0000_0000",
            // Disallowed code points, anywhere.
            "node \u{7f}",
            "node \u{1}",
            "node a\u{200e}",
            "node \u{feff}arg",
            "node 1\u{2066}",
            "node \"\u{202a}\"",
            "node #\"\u{8}\"#",
            "// \u{7f}\nnode",
            "/* \u{202e} */ node",
            // Comments.
            "node /* unclosed",
            "node 1 \\ 2",
        ];
        for text in invalid {
            let errors = parse(text).err().unwrap_or_else(|| panic!("{text:?} is accepted"));
            for error in errors {
                assert!(!error.message.is_empty() && error.span.end <= text.len(), "{text:?}: {error:?}");
                assert!(text.is_char_boundary(error.span.start) && text.is_char_boundary(error.span.end));
            }
        }
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let cases = [
            ("topic t {\n    retention 7d\n}", "7d", "a word that starts with a digit is not a valid value"),
            ("topic t partitions=3.x {\n}", "3.x", "a word that starts with a digit is not a valid value"),
            ("a {\n  b\n", "{", "expected `}` to close the block opened here"),
            ("node\"s\"", "\"", "missing whitespace before this argument or property"),
            ("node \"\\/\"", "\\/", "unknown escape `\\/`"),
            ("a \u{7f}", "\u{7f}", "the character U+007F is not allowed in a KDL document"),
            ("a true", "true", "a bare `true` is not allowed in KDL v2"),
            ("a {b} c", "c", "arguments and properties must come before the children block"),
            ("a {b} {c}", "{", "a node can only have one children block"),
            (
                "a \"\"\"\n  x\n y\n  \"\"\"",
                " ",
                "this line is indented less than the closing quotes of its multi-line string",
            ),
            (
                "a \"\"\"\n  x\n  y\"\"\"",
                "\"\"\"",
                "the closing quotes of a multi-line string must be on a line of their own",
            ),
            ("a /* never", "/*", "this comment is never closed"),
            ("a }", "}", "unexpected `}`: no block is open here"),
            ("a 1=2", "1", "a property name must be a string"),
            ("a \"x\ny", "\"x", "this string is not closed before the end of the line"),
            ("a 0xZZ", "0xZZ", "`0xZZ` is not a valid hexadecimal number"),
            ("a .5", ".5", "`.5` is not a valid number: a number needs a digit before its `.`"),
            ("a (t)", "", "expected a value after the type annotation, found the end of the file"),
            ("a x= }", "}", "expected a value after `=`, found `}`"),
            ("a b\\c", "\\", "a line continuation `\\` must be followed by a newline"),
            ("a /-", "/-", "expected an argument, a property or a children block after `/-`"),
            ("a \"\\u{d800}\"", "\\u{d800}", "`\\u{d800}` is not a unicode scalar value"),
        ];
        for (text, at, message) in cases {
            let error = errors(text).remove(0);
            assert_eq!((&text[error.span.clone()], error.message.as_str()), (at, message), "{text:?}");
        }
    }

    #[test]
    fn parsing_goes_on_after_an_error() {
        let messages = |text: &str| -> Vec<String> {
            errors(text).into_iter().map(|e| format!("{}: {}", &text[e.span], e.message)).collect()
        };
        assert_eq!(
            messages("a 7d\nb \"\\q\"\nc {\n  d 1x\n}\ne"),
            [
                "7d: a word that starts with a digit is not a valid value",
                "\\q: unknown escape `\\q`",
                "1x: a word that starts with a digit is not a valid value"
            ]
        );
        // The block of a malformed node is still read, and its `}` still closes it.
        assert_eq!(
            messages("topic t partitions=3.x {\n  retention 7d\n}\nnext 1y\n"),
            [
                "3.x: a word that starts with a digit is not a valid value",
                "7d: a word that starts with a digit is not a valid value",
                "1y: a word that starts with a digit is not a valid value"
            ]
        );
        assert_eq!(
            messages("a \"unclosed\nb 1x"),
            [
                "\"unclosed: this string is not closed before the end of the line",
                "1x: a word that starts with a digit is not a valid value"
            ]
        );
        // A line continuation carries a malformed node on to the next line.
        assert_eq!(messages("a 1x \\\n  2 3\nb"), ["1x: a word that starts with a digit is not a valid value"]);
        // Strings in the skipped part are skipped whole.
        assert_eq!(messages("a 1x \"}\" { b }\nc"), ["1x: a word that starts with a digit is not a valid value"]);
        // Unclosed strings and comments end the parse.
        assert_eq!(
            messages("a 1x \"\"\"\n b 2x"),
            [
                "1x: a word that starts with a digit is not a valid value",
                "\"\"\": this multi-line string is never closed"
            ]
        );
        let many = "a 1x\n".repeat(1000);
        assert_eq!(errors(&many).len(), MAX_ERRORS);
    }

    #[test]
    fn nesting_and_comment_length_are_bounded() {
        let nested = |depth: usize| format!("{}{}", "a {".repeat(depth), "}".repeat(depth));
        assert!(parse(&nested(MAX_NESTING)).is_ok());
        let errors = errors(&nested(MAX_NESTING + 1));
        let deepest = "a {".len() * MAX_NESTING + 2;
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].message.as_str(), errors[0].span.clone()),
            ("nesting deeper than 64 levels", deepest..deepest + 1)
        );
        // Slashdashed blocks count, and a huge nesting is refused as fast.
        assert!(parse(&format!("a /-{{ {} }}", nested(MAX_NESTING))).is_err());
        assert_eq!(self::errors(&nested(1_000_000)).len(), 1);
        // Comments nest without recursion; beyond the guard's steps they are refused (for fmt).
        assert_eq!(read(&format!("{}{} a", "/*".repeat(1000), "*/".repeat(1000))), "a");
        let long = format!("a /* {} */", "* ".repeat(MAX_COMMENT_STEPS));
        assert_eq!(self::errors(&long)[0].message, format!("a block comment longer than {MAX_COMMENT_STEPS} steps"));
        assert!(parse(&"/*".repeat(1_000_000)).is_err());
    }

    #[test]
    fn never_panics() {
        let rich = "\u{feff}(t)node 1 -2.5e3 0x1F #true #nan \"q\\n\\u{e9}\\  x\" #\"raw\"# k=(u8)\"v\" /-d \\\n  \
                    { child \"\"\"\n    multi\n    line\n    \"\"\" ##\"\"\"\n  r\n  \"\"\"## /* c /* n */ */ ; x {} }\n\
                    // end \u{3000}ノード é\u{2028}";
        assert!(parse(rich).is_ok());
        for (at, _) in rich.char_indices() {
            let _ = parse(&rich[..at]);
            let _ = parse(&rich[at..]);
        }
        for b in 0u8..0x80 {
            let c = char::from(b);
            for text in [c.to_string(), format!("a {c}"), format!("a \"{c}"), format!("a {c}{c}"), format!("a {{{c}")] {
                let _ = parse(&text);
            }
        }
        let pieces = [
            "\"", "#", "##", "\"\"\"", "\\", "/-", "/*", "*/", "//", "{", "}", "(", ")", "=", ";", "\n", " ", "1", "a",
            ".",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let _ = parse(&format!("{a}{b}{c}"));
                    let _ = parse(&format!("n {a}{b} {c}"));
                }
            }
        }
    }
}
