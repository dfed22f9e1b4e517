//! Format-preserving formatting of venice.kdl files (`venice fmt`).
//!
//! The source is parsed with the `kdl` crate (KDL v2) and only the
//! whitespace recorded in its format structs is rewritten before printing.
//! Every value keeps the exact text it was written with (`value_repr`), so raw
//! and multi-line strings (inline SQL), number spellings, `#true` and quoting
//! come out byte for byte. `KdlDocument::autoformat()` is not used because it
//! drops end-of-line comments and re-escapes raw multi-line strings.
//!
//! Comments and slashdashed (`/-`) elements are not tree nodes: the parser
//! keeps them inside the whitespace strings of the format structs ("trivia").
//! Each trivia string is therefore split into tokens (newlines, comments,
//! slashdashed elements, line continuations) and laid out again:
//!
//! - 4 spaces of indentation per nesting level, for nodes and for comment
//!   lines, which take the level of the node that follows them (or of the
//!   block's nodes when they are last in a block);
//! - one space between a node name and each entry and before `{`, none around
//!   `=`, one before an end-of-line comment, no trailing whitespace;
//! - runs of blank lines collapse to one; none at the start or end of a block
//!   or of the file; the file ends with exactly one newline;
//! - `;` between nodes becomes a line break; slashdashed nodes, entries and
//!   children blocks are formatted like live ones and always keep their `/-`.

use crate::syntax::lexical::{
    block_comment_len, first_char_len, is_newline, line_comment_len, newline_len, string_len,
};
use kdl::{KdlDocument, KdlDocumentFormat, KdlEntry, KdlError, KdlNode};

/// One level of indentation.
const INDENT: &str = "    ";

/// A byte order mark may only start a file; it is kept where it was.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// Formats KDL v2 source. Returns Err with kdl's own error when the text is not valid KDL (the caller reports it).
pub(crate) fn format_source(src: &str) -> Result<String, KdlError> {
    let original: KdlDocument = src.parse()?;
    let formatted = render_file(&original);
    // Safety net: a formatter must never change what a file means. Should the
    // layout ever produce text that parses differently (a bug), hand back the
    // user's text untouched rather than a corrupted file.
    if reparses_to_same_document(&original, &formatted) { Ok(formatted) } else { Ok(src.to_owned()) }
}

/// Lays out a parsed file in the canonical style and prints it.
fn render_file(original: &KdlDocument) -> String {
    let mut doc = original.clone();
    let had_bom = remove_byte_order_mark(&mut doc);
    lay_out_document(&mut doc, 0, Container::File);
    let text = doc.to_string();
    if had_bom { format!("{BYTE_ORDER_MARK}{text}") } else { text }
}

/// The parser stores a leading BOM in the document's leading trivia, where
/// the tokenizer would not understand it; take it out and report whether it
/// was there.
fn remove_byte_order_mark(doc: &mut KdlDocument) -> bool {
    let mut format = doc.format().cloned().unwrap_or_default();
    let Some(rest) = format.leading.strip_prefix(BYTE_ORDER_MARK) else {
        return false;
    };
    format.leading = rest.to_owned();
    doc.set_format(format);
    true
}

fn indent(depth: usize) -> String {
    INDENT.repeat(depth)
}

// ---------------------------------------------------------------------------
// Documents and nodes
// ---------------------------------------------------------------------------

/// Where a list of nodes lives, which decides what surrounds it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    /// The whole file (or a standalone fragment): nothing before or after.
    File,
    /// A `{ }` children block: opened by a `{` line, closed by a `}` line.
    Block,
}

/// Rewrites the trivia of every node in `doc` (recursively) so that the
/// nodes sit at `depth` levels of indentation.
fn lay_out_document(doc: &mut KdlDocument, depth: usize, container: Container) {
    let gaps = collect_gaps(doc);
    let node_count = doc.nodes().len();
    if node_count == 0 {
        let only_gap = gaps.first().map(String::as_str).unwrap_or_default();
        lay_out_empty_document(doc, only_gap, depth, container);
        return;
    }

    let layouts: Vec<GapLayout> = gaps
        .iter()
        .enumerate()
        .map(|(index, gap)| {
            let position = gap_position(index, node_count, container);
            layout_gap(tokenize(gap, Slashdashed::Node, depth), position)
        })
        .collect();

    for (index, node) in doc.nodes_mut().iter_mut().enumerate() {
        let opens_block = index == 0 && container == Container::Block;
        let leading = leading_of_node(node, &layouts[index], depth, opens_block);
        lay_out_node(node, depth, leading, &layouts[index + 1].tail);
    }

    let last = &layouts[node_count];
    let mut trailing = render_own_lines(&last.own_lines, &indent(depth));
    trailing.push_str(&closing_indent(depth, container));
    doc.set_format(KdlDocumentFormat { leading: String::new(), trailing });
}

/// Everything printed before a node's name: for the first node of a block
/// the rest of the `{` line, then comment lines, then the indentation.
fn leading_of_node(node: &KdlNode, before: &GapLayout, depth: usize, opens_block: bool) -> String {
    let mut leading = String::new();
    if opens_block {
        leading.push_str(&render_tail(&before.tail));
        leading.push('\n');
    }
    let (type_lines, type_prefix) = comments_in_node_type(node, depth);
    let own_lines: Vec<Line> = before.own_lines.iter().cloned().chain(type_lines).collect();
    let prefix: Line = before.prefix.iter().cloned().chain(type_prefix).collect();
    let node_indent = indent(depth);
    leading.push_str(&render_own_lines(&own_lines, &node_indent));
    leading.push_str(&render_prefix(&prefix, &node_indent));
    leading
}

/// The trivia around the nodes of `doc`, as it was parsed: the gap before
/// each node, then the gap after the last one. A gap runs from the end of one
/// node's line (its terminator) to the start of the next node's name.
fn collect_gaps(doc: &KdlDocument) -> Vec<String> {
    let doc_format = doc.format().cloned().unwrap_or_default();
    let mut gaps = Vec::with_capacity(doc.nodes().len() + 1);
    let mut pending = doc_format.leading;
    for node in doc.nodes() {
        let format = node.format().cloned().unwrap_or_default();
        pending.push_str(&format.leading);
        gaps.push(std::mem::take(&mut pending));
        pending = format.terminator + &format.trailing;
    }
    pending.push_str(&doc_format.trailing);
    gaps.push(pending);
    gaps
}

fn gap_position(index: usize, node_count: usize, container: Container) -> GapPosition {
    GapPosition {
        follows_line: index > 0 || container == Container::Block,
        precedes_node: index < node_count,
        opens_container: index == 0,
    }
}

/// A document without nodes: only comments (or nothing) between the braces
/// or in the file.
fn lay_out_empty_document(doc: &mut KdlDocument, gap: &str, depth: usize, container: Container) {
    let position =
        GapPosition { follows_line: container == Container::Block, precedes_node: false, opens_container: true };
    let layout = layout_gap(tokenize(gap, Slashdashed::Node, depth), position);
    let nothing_to_keep = layout.tail.is_empty() && layout.own_lines.is_empty();
    let leading = match container {
        Container::File => render_own_lines(&layout.own_lines, &indent(depth)),
        // An empty block stays `{}`.
        Container::Block if nothing_to_keep => String::new(),
        Container::Block => {
            let mut text = render_tail(&layout.tail);
            text.push('\n');
            text.push_str(&render_own_lines(&layout.own_lines, &indent(depth)));
            text.push_str(&closing_indent(depth, container));
            text
        }
    };
    doc.set_format(KdlDocumentFormat { leading, trailing: String::new() });
}

/// Indentation of the `}` that closes a block whose nodes are at `depth`.
fn closing_indent(depth: usize, container: Container) -> String {
    match container {
        Container::File => String::new(),
        Container::Block => indent(depth.saturating_sub(1)),
    }
}

/// kdl prints a node's type annotation as `(type)` and ignores the trivia
/// recorded around it, so comments written there would vanish; move them in
/// front of the node instead (line comments onto their own line, as they
/// would otherwise comment the node out).
fn comments_in_node_type(node: &KdlNode, depth: usize) -> (Vec<Line>, Line) {
    let Some(format) = node.format() else {
        return (Vec::new(), Vec::new());
    };
    let trivia = [&format.before_ty_name, &format.after_ty_name, &format.after_ty];
    let mut own_lines = Vec::new();
    let mut prefix = Vec::new();
    for text in trivia {
        for token in tokenize(text, Slashdashed::EntryOrChildren, depth) {
            match token {
                Trivia::Piece(piece @ Piece::LineComment(_)) => own_lines.push(vec![piece]),
                Trivia::Piece(piece) => prefix.push(piece),
                Trivia::Newline | Trivia::Semicolon | Trivia::Escline => {}
            }
        }
    }
    (own_lines, prefix)
}

/// Rewrites one node's own trivia: `leading` is already laid out by the
/// caller; `tail` holds the comments that end the node's line.
fn lay_out_node(node: &mut KdlNode, depth: usize, leading: String, tail: &[Piece]) {
    let continuation = indent(depth + 1);
    for entry in node.entries_mut() {
        lay_out_entry(entry, depth, &continuation);
    }
    let has_children = node.children().is_some();
    if let Some(children) = node.children_mut() {
        lay_out_document(children, depth + 1, Container::Block);
    }

    let mut format = node.format().cloned().unwrap_or_default();
    format.leading = leading;
    format.before_children =
        if has_children { separator_before_next(&format.before_children, depth, &continuation) } else { String::new() };
    format.before_terminator = render_line_end(&format.before_terminator, tail, depth);
    format.terminator = "\n".to_owned();
    format.trailing = String::new();
    node.set_format(format);
}

/// Entries keep their value text; only the space around them changes.
fn lay_out_entry(entry: &mut KdlEntry, depth: usize, continuation: &str) {
    let Some(mut format) = entry.format().cloned() else {
        // kdl prints a single space before an entry without format.
        return;
    };
    format.leading = separator_before_next(&format.leading, depth, continuation);
    for slot in [
        &mut format.after_key,
        &mut format.after_eq,
        &mut format.before_ty_name,
        &mut format.after_ty_name,
        &mut format.after_ty,
        &mut format.trailing,
    ] {
        *slot = tight_slot(slot, depth, continuation);
    }
    entry.set_format(format);
}

// ---------------------------------------------------------------------------
// Trivia tokens
// ---------------------------------------------------------------------------

/// Something in trivia that must survive formatting.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// `// ...`, without its newline and trailing spaces.
    LineComment(String),
    /// `/* ... */`, verbatim (it may span lines).
    BlockComment(String),
    /// `/-` and the element it comments out, already formatted.
    Slashdashed(String),
    /// Text the tokenizer did not recognise; kept verbatim so nothing is lost.
    Verbatim(String),
}

impl Piece {
    fn text(&self) -> &str {
        match self {
            Piece::LineComment(text) | Piece::BlockComment(text) | Piece::Slashdashed(text) | Piece::Verbatim(text) => {
                text
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Trivia {
    Newline,
    Semicolon,
    /// `\` line continuation; the comment or newline after it are own tokens.
    Escline,
    Piece(Piece),
}

/// What a `/-` comments out depends on where the trivia sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slashdashed {
    /// Between nodes: a whole node.
    Node,
    /// Inside a node's line: an entry or a `{ }` children block.
    EntryOrChildren,
}

/// Splits a trivia string into tokens, dropping plain spaces. `depth` is the
/// nesting level slashdashed elements are formatted at.
fn tokenize(trivia: &str, slashdashed: Slashdashed, depth: usize) -> Vec<Trivia> {
    let mut tokens = Vec::new();
    let mut rest = trivia;
    while let Some(first) = rest.chars().next() {
        let consumed = if let Some(len) = newline_len(rest) {
            tokens.push(Trivia::Newline);
            len
        } else if is_unicode_space(first) {
            first.len_utf8()
        } else if rest.starts_with("//") {
            let len = line_comment_len(rest);
            let comment = rest[..len].trim_end().to_owned();
            tokens.push(Trivia::Piece(Piece::LineComment(comment)));
            len
        } else if rest.starts_with("/*") {
            let len = block_comment_len(rest);
            tokens.push(Trivia::Piece(Piece::BlockComment(rest[..len].to_owned())));
            len
        } else if rest.starts_with("/-") {
            let (piece, len) = slashdashed_piece(rest, slashdashed, depth);
            tokens.push(Trivia::Piece(piece));
            len
        } else if first == '\\' {
            tokens.push(Trivia::Escline);
            1
        } else if first == ';' {
            tokens.push(Trivia::Semicolon);
            1
        } else {
            let len = unrecognised_len(rest);
            tokens.push(Trivia::Piece(Piece::Verbatim(rest[..len].to_owned())));
            len
        };
        rest = &rest[consumed..];
    }
    tokens
}

/// `rest` starts with `/-`. Returns the formatted piece and how many bytes of
/// `rest` it covers.
fn slashdashed_piece(rest: &str, slashdashed: Slashdashed, depth: usize) -> (Piece, usize) {
    let element_start = 2 + slashdash_space_len(&rest[2..]);
    let element = &rest[element_start..];
    let (len, kind) = match slashdashed {
        Slashdashed::Node => (node_len(element), Fragment::Node),
        Slashdashed::EntryOrChildren if element.starts_with('{') => (children_block_len(element), Fragment::Children),
        Slashdashed::EntryOrChildren => (entry_len(element), Fragment::Entry),
    };
    let text = &element[..len];
    // Comments between `/-` and its element are rare; keep them as written.
    let between = &rest[2..element_start];
    let between = if between.trim().is_empty() { "" } else { between };
    let formatted = format_fragment(text, kind, depth).unwrap_or_else(|| text.to_owned());
    let piece = Piece::Slashdashed(format!("/-{between}{formatted}"));
    (piece, element_start + len)
}

/// The kinds of element a `/-` can comment out.
#[derive(Clone, Copy)]
enum Fragment {
    Node,
    Entry,
    Children,
}

/// Formats the text of a slashdashed element like live KDL at `depth`, so
/// commented-out nodes look like the nodes around them. None when the text
/// does not stand alone (then it is kept as written).
fn format_fragment(text: &str, kind: Fragment, depth: usize) -> Option<String> {
    // Entries and children blocks need a node to belong to.
    const HOST: &str = "n ";
    let source = match kind {
        Fragment::Node => text.to_owned(),
        Fragment::Entry | Fragment::Children => format!("{HOST}{text}"),
    };
    let mut doc: KdlDocument = source.parse().ok()?;
    if doc.nodes().len() != 1 {
        return None;
    }
    lay_out_document(&mut doc, depth, Container::File);
    let printed = doc.to_string();
    let body = printed.strip_prefix(&indent(depth))?.strip_suffix('\n')?;
    let body = match kind {
        Fragment::Node => body,
        Fragment::Entry | Fragment::Children => body.strip_prefix(HOST)?,
    };
    Some(body.to_owned())
}

// ---------------------------------------------------------------------------
// Gaps between nodes
// ---------------------------------------------------------------------------

/// Comments (and slashdashed nodes) that share one output line; empty means
/// a blank line.
type Line = Vec<Piece>;

#[derive(Clone, Copy)]
struct GapPosition {
    /// A line (a node's, or the `{` line) ends where the gap starts.
    follows_line: bool,
    /// A node starts where the gap ends (otherwise `}` or the end of file).
    precedes_node: bool,
    /// The gap is the first one of a file or block.
    opens_container: bool,
}

/// How the content of a gap is placed.
#[derive(Clone, Debug, Default)]
struct GapLayout {
    /// Stays at the end of the line before the gap, e.g. `node // comment`.
    tail: Line,
    /// Lines of their own, indented like the following node.
    own_lines: Vec<Line>,
    /// Goes on the next node's line, before its name, e.g. `/* c */ node`.
    prefix: Line,
}

fn layout_gap(tokens: Vec<Trivia>, position: GapPosition) -> GapLayout {
    let mut lines = split_into_lines(tokens);
    let mut layout = GapLayout::default();
    if position.follows_line && !lines.is_empty() {
        // What was on the same line as the previous node stays there, except
        // slashdashed nodes: next to a node they would read as its entries.
        let first = lines.remove(0);
        let (tail, rest) = split_before_first_slashdash(first);
        layout.tail = tail;
        if !rest.is_empty() {
            lines.insert(0, rest);
        }
    }
    if position.precedes_node
        && let Some(last) = lines.pop()
    {
        let (own, prefix) = split_after_last_slashdash(last);
        layout.prefix = prefix;
        if !own.is_empty() {
            lines.push(own);
        }
    }
    layout.own_lines = tidy_blank_lines(lines, position.opens_container, !position.precedes_node);
    layout
}

/// Groups a gap's pieces by the line they are on. A `;` ends a node like a
/// newline does, and the canonical style puts every node on its own line.
fn split_into_lines(tokens: Vec<Trivia>) -> Vec<Line> {
    let mut lines = vec![Line::new()];
    let mut after_escline = false;
    for (index, token) in tokens.into_iter().enumerate() {
        let continued = std::mem::take(&mut after_escline);
        match token {
            // A leading `;` is the previous node's terminator, which becomes
            // the newline every node line ends with.
            Trivia::Semicolon if index == 0 => {}
            // A `\` joins its line to the next; between nodes that is all it
            // does, so its newline must not count as a (blank) line.
            Trivia::Newline if continued => {}
            Trivia::Newline | Trivia::Semicolon => lines.push(Line::new()),
            Trivia::Escline => after_escline = true,
            Trivia::Piece(piece) => {
                if let Some(line) = lines.last_mut() {
                    line.push(piece);
                }
            }
        }
    }
    lines
}

fn split_before_first_slashdash(line: Line) -> (Line, Line) {
    let at = line.iter().position(|piece| matches!(piece, Piece::Slashdashed(_))).unwrap_or(line.len());
    let mut before = line;
    let after = before.split_off(at);
    (before, after)
}

fn split_after_last_slashdash(line: Line) -> (Line, Line) {
    let at = line.iter().rposition(|piece| matches!(piece, Piece::Slashdashed(_))).map_or(0, |index| index + 1);
    let mut up_to = line;
    let after = up_to.split_off(at);
    (up_to, after)
}

/// Collapses runs of blank lines to one and drops them where the style wants
/// none: at the start of a file or block, and before `}` or the end of file.
fn tidy_blank_lines(lines: Vec<Line>, trim_start: bool, trim_end: bool) -> Vec<Line> {
    let mut tidy: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        let repeats_blank = tidy.last().is_some_and(Vec::is_empty);
        let leading_blank = trim_start && tidy.is_empty();
        if line.is_empty() && (repeats_blank || leading_blank) {
            continue;
        }
        tidy.push(line);
    }
    if trim_end {
        while tidy.last().is_some_and(Vec::is_empty) {
            tidy.pop();
        }
    }
    tidy
}

fn join_pieces(line: &[Piece]) -> String {
    line.iter().map(Piece::text).collect::<Vec<_>>().join(" ")
}

fn render_tail(tail: &[Piece]) -> String {
    if tail.is_empty() { String::new() } else { format!(" {}", join_pieces(tail)) }
}

fn render_own_lines(lines: &[Line], indentation: &str) -> String {
    let mut text = String::new();
    for line in lines {
        if !line.is_empty() {
            text.push_str(indentation);
            text.push_str(&join_pieces(line));
        }
        text.push('\n');
    }
    text
}

fn render_prefix(prefix: &[Piece], indentation: &str) -> String {
    if prefix.is_empty() { indentation.to_owned() } else { format!("{indentation}{} ", join_pieces(prefix)) }
}

// ---------------------------------------------------------------------------
// Trivia inside a node's line
// ---------------------------------------------------------------------------

/// Trivia inside a node's line, with line continuations made explicit.
#[derive(Clone, Debug, PartialEq, Eq)]
enum InlineItem {
    Piece(Piece),
    /// A `\` continuation, possibly followed by a `//` comment.
    LineBreak {
        comment: Option<String>,
    },
}

fn inline_items(trivia: &str, depth: usize) -> Vec<InlineItem> {
    let mut items = Vec::new();
    for token in tokenize(trivia, Slashdashed::EntryOrChildren, depth) {
        match token {
            Trivia::Escline => items.push(InlineItem::LineBreak { comment: None }),
            Trivia::Piece(Piece::LineComment(text)) => match items.last_mut() {
                Some(InlineItem::LineBreak { comment: slot @ None }) => *slot = Some(text),
                // Inside a node a `//` comment only follows a `\`; keep a
                // stray one working by giving it one.
                _ => items.push(InlineItem::LineBreak { comment: Some(text) }),
            },
            Trivia::Piece(piece) => items.push(InlineItem::Piece(piece)),
            // The newline after a `\` is written by the line break itself.
            Trivia::Newline => {}
            // Not expected inside a node; keep it rather than lose text.
            Trivia::Semicolon => items.push(InlineItem::Piece(Piece::Verbatim(";".to_owned()))),
        }
    }
    drop_empty_continuation_lines(&mut items);
    items
}

/// A `\` directly followed by another `\` only continues onto an empty line;
/// one line break is enough.
fn drop_empty_continuation_lines(items: &mut Vec<InlineItem>) {
    let mut index = 0;
    while index + 1 < items.len() {
        let empty_break = items[index] == InlineItem::LineBreak { comment: None };
        if empty_break && matches!(items[index + 1], InlineItem::LineBreak { .. }) {
            items.remove(index);
        } else {
            index += 1;
        }
    }
}

/// Writes items separated by single spaces (with one before the first);
/// a line break continues on the next line at `continuation`. Also tells
/// whether the text ends at the start of a continuation line.
fn render_inline(items: &[InlineItem], continuation: &str) -> (String, bool) {
    let mut text = String::new();
    let mut at_line_start = false;
    for item in items {
        match item {
            InlineItem::Piece(piece) => {
                if !at_line_start {
                    text.push(' ');
                }
                text.push_str(piece.text());
                at_line_start = false;
            }
            InlineItem::LineBreak { comment } => {
                text.push_str(" \\");
                if let Some(comment) = comment {
                    text.push(' ');
                    text.push_str(comment);
                }
                text.push('\n');
                text.push_str(continuation);
                at_line_start = true;
            }
        }
    }
    (text, at_line_start)
}

/// Trivia right before an entry or `{`: a single space, or the comments and
/// slashdashed elements it holds, each followed by a space.
fn separator_before_next(trivia: &str, depth: usize, continuation: &str) -> String {
    let (mut text, at_line_start) = render_inline(&inline_items(trivia, depth), continuation);
    if !at_line_start {
        text.push(' ');
    }
    text
}

/// Trivia inside an entry (around `=`, inside a type annotation): nothing at
/// all unless it holds a comment.
fn tight_slot(trivia: &str, depth: usize, continuation: &str) -> String {
    let items = inline_items(trivia, depth);
    if items.is_empty() {
        return String::new();
    }
    let (mut text, at_line_start) = render_inline(&items, continuation);
    if !at_line_start {
        text.push(' ');
    }
    text
}

/// What ends a node's line after its last entry or `}`: trailing slashdashed
/// elements and comments (from the node) and `tail` (from the gap after it).
fn render_line_end(before_terminator: &str, tail: &[Piece], depth: usize) -> String {
    let mut items = inline_items(before_terminator, depth);
    items.extend(tail.iter().cloned().map(InlineItem::Piece));
    drop_dangling_line_breaks(&mut items);
    render_inline(&items, &indent(depth + 1)).0
}

/// A `\` with nothing after it on the node would leave an empty continuation
/// line. Drop it; a comment it carried becomes an end-of-line comment.
fn drop_dangling_line_breaks(items: &mut Vec<InlineItem>) {
    while let Some(InlineItem::LineBreak { comment }) = items.last_mut() {
        match comment.take() {
            Some(text) => {
                items.pop();
                items.push(InlineItem::Piece(Piece::LineComment(text)));
                return;
            }
            None => {
                items.pop();
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Scanning KDL text (lengths in bytes of the construct at the start of `s`)
// ---------------------------------------------------------------------------

fn is_unicode_space(c: char) -> bool {
    matches!(c, '\t' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

/// Spaces and block comments.
fn spaces_and_block_comments_len(s: &str) -> usize {
    let mut at = 0;
    while let Some(c) = s[at..].chars().next() {
        at += if is_unicode_space(c) {
            c.len_utf8()
        } else if s[at..].starts_with("/*") {
            block_comment_len(&s[at..])
        } else {
            break;
        };
    }
    at
}

/// `\` line continuation: spaces, then a line comment or newline.
fn escline_len(s: &str) -> usize {
    let mut at = 1 + spaces_and_block_comments_len(&s[1..]);
    if s[at..].starts_with("//") {
        at += line_comment_len(&s[at..]);
    }
    at + newline_len(&s[at..]).unwrap_or(0)
}

/// KDL's `node-space`: spaces, block comments and line continuations.
fn node_space_len(s: &str) -> usize {
    let mut at = 0;
    loop {
        at += spaces_and_block_comments_len(&s[at..]);
        if s[at..].starts_with('\\') {
            at += escline_len(&s[at..]);
        } else {
            return at;
        }
    }
}

/// What may follow `/-` before the element: any spaces, newlines, comments.
fn slashdash_space_len(s: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &s[at..];
        let step = if let Some(len) = newline_len(rest) {
            len
        } else if rest.starts_with("//") {
            line_comment_len(rest)
        } else {
            node_space_len(rest)
        };
        if step == 0 {
            return at;
        }
        at += step;
    }
}

/// Text that is none of the above; up to the next space or newline.
fn unrecognised_len(s: &str) -> usize {
    let len: usize = s.chars().take_while(|&c| !is_unicode_space(c) && !is_newline(c)).map(char::len_utf8).sum();
    len.max(first_char_len(s))
}

/// A `(type)` annotation, or 0.
fn type_annotation_len(s: &str) -> usize {
    if !s.starts_with('(') {
        return 0;
    }
    let mut at = 1;
    while at < s.len() {
        let rest = &s[at..];
        if rest.starts_with(')') {
            return at + 1;
        }
        at += if let Some(len) = string_len(rest) {
            len
        } else if rest.starts_with("/*") {
            block_comment_len(rest)
        } else {
            first_char_len(rest)
        };
    }
    s.len()
}

/// An identifier, number or keyword: up to a character identifiers cannot hold.
fn bare_value_len(s: &str) -> usize {
    s.chars()
        .take_while(|&c| {
            !is_unicode_space(c)
                && !is_newline(c)
                && !matches!(c, '\\' | '/' | '(' | ')' | '{' | '}' | '[' | ']' | ';' | '"' | '=')
        })
        .map(char::len_utf8)
        .sum()
}

/// An optional type annotation and a string or bare value.
fn value_len(s: &str) -> usize {
    let annotation = type_annotation_len(s);
    let start = if annotation > 0 { annotation + node_space_len(&s[annotation..]) } else { 0 };
    let rest = &s[start..];
    start + string_len(rest).unwrap_or_else(|| bare_value_len(rest))
}

/// An argument, or a property `key=value`.
fn entry_len(s: &str) -> usize {
    let first = value_len(s);
    let equals = first + node_space_len(&s[first..]);
    if !s[equals..].starts_with('=') {
        return first;
    }
    let value_start = equals + 1 + node_space_len(&s[equals + 1..]);
    value_start + value_len(&s[value_start..])
}

/// A `{ }` block, braces included.
fn children_block_len(s: &str) -> usize {
    let mut depth = 0usize;
    let mut at = 0;
    while at < s.len() {
        let rest = &s[at..];
        at += if let Some(len) = string_len(rest) {
            len
        } else if rest.starts_with("/*") {
            block_comment_len(rest)
        } else if rest.starts_with("//") {
            line_comment_len(rest)
        } else if rest.starts_with('{') {
            depth += 1;
            1
        } else if rest.starts_with('}') {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return at + 1;
            }
            1
        } else {
            first_char_len(rest)
        };
    }
    s.len()
}

/// A whole node: it ends at a newline, `;`, line comment or `}` outside its
/// children, or after its children block unless a `/-{ }` follows.
fn node_len(s: &str) -> usize {
    let mut at = 0;
    while at < s.len() {
        let rest = &s[at..];
        if ends_node(rest) {
            break;
        }
        at += if let Some(len) = string_len(rest) {
            len
        } else if rest.starts_with("/*") {
            block_comment_len(rest)
        } else if let Some(after_dash) = rest.strip_prefix("/-") {
            2 + slashdash_space_len(after_dash)
        } else if rest.starts_with('\\') {
            escline_len(rest)
        } else if rest.starts_with('{') {
            let block = children_block_len(rest);
            if !slashdashed_children_follow(&rest[block..]) {
                at += block;
                break;
            }
            block
        } else {
            first_char_len(rest)
        };
    }
    s[..at].trim_end().len()
}

fn ends_node(s: &str) -> bool {
    newline_len(s).is_some() || s.starts_with(';') || s.starts_with("//") || s.starts_with('}')
}

fn slashdashed_children_follow(s: &str) -> bool {
    let at = node_space_len(s);
    let Some(after_dash) = s[at..].strip_prefix("/-") else {
        return false;
    };
    after_dash[slashdash_space_len(after_dash)..].starts_with('{')
}

// ---------------------------------------------------------------------------
// Meaning check
// ---------------------------------------------------------------------------

/// True when `formatted` parses to the same nodes, entries and values as
/// `original`, each value written exactly the same way.
fn reparses_to_same_document(original: &KdlDocument, formatted: &str) -> bool {
    formatted.parse::<KdlDocument>().is_ok_and(|reparsed| same_documents(original, &reparsed))
}

fn same_documents(left: &KdlDocument, right: &KdlDocument) -> bool {
    left.nodes().len() == right.nodes().len() && left.nodes().iter().zip(right.nodes()).all(|(l, r)| same_nodes(l, r))
}

fn same_nodes(left: &KdlNode, right: &KdlNode) -> bool {
    let same_children = match (left.children(), right.children()) {
        (None, None) => true,
        (Some(l), Some(r)) => same_documents(l, r),
        _ => false,
    };
    left.name().value() == right.name().value()
        && left.name().repr() == right.name().repr()
        && left.ty().map(|t| t.value()) == right.ty().map(|t| t.value())
        && left.entries().len() == right.entries().len()
        && left.entries().iter().zip(right.entries()).all(|(l, r)| same_entries(l, r))
        && same_children
}

fn same_entries(left: &KdlEntry, right: &KdlEntry) -> bool {
    let repr = |entry: &KdlEntry| entry.format().map(|f| f.value_repr.clone());
    left.name().map(|n| n.value()) == right.name().map(|n| n.value())
        && left.ty().map(|t| t.value()) == right.ty().map(|t| t.value())
        && left.value() == right.value()
        && repr(left) == repr(right)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats without the safety net, so a layout bug fails the test instead
    /// of silently handing back the input.
    fn format_strict(src: &str) -> String {
        let original: KdlDocument = src.parse().expect("test input is valid KDL");
        let formatted = render_file(&original);
        assert!(
            reparses_to_same_document(&original, &formatted),
            "formatting changed the meaning of\n{src}\ninto\n{formatted}"
        );
        formatted
    }

    /// The messy file of `messy_file_becomes_exactly_the_canonical_text`;
    /// `→` stands for a tab and `·` for a trailing space.
    const MESSY: &str = r###"


// Venice pipeline
  →·
pipeline   "orders"   version=2  {   // the main one


      source   kafka   topic="orders"   /* inline */   partitions=0x10···
  /-   sink old { x 1 }
→transform  {
        sql #"""
            SELECT id,
                   total
              FROM orders
            """#
         // trailing in transform


    }
  sink  "pg" table = orders ;  sink2 #true; // after sink2···
  // last comment



}
value avro schema=Order // c
multi 1 \
   2 \ // why
   3"###;

    const MESSY_FORMATTED: &str = r###"// Venice pipeline

pipeline "orders" version=2 { // the main one
    source kafka topic="orders" /* inline */ partitions=0x10
    /-sink old {
        x 1
    }
    transform {
        sql #"""
            SELECT id,
                   total
              FROM orders
            """#
        // trailing in transform
    }
    sink "pg" table=orders
    sink2 #true // after sink2
    // last comment
}
value avro schema=Order // c
multi 1 \
    2 \ // why
    3
"###;

    fn messy() -> String {
        MESSY.replace('→', "\t").replace('·', " ")
    }

    fn all_cases() -> Vec<String> {
        CASES.iter().map(|case| case.to_string()).chain([messy()]).collect()
    }

    /// Inputs covering every place trivia can hide in.
    const CASES: &[&str] = &[
        "",
        "  \n\n ",
        "// only\n\n\n// two\n\n",
        "a 1\r\nb {\r\n  c \"x\"\r\n}\r\n",
        "/- a\nb\n/-c {\n d\n}",
        "a; /*x*/ b; c",
        "n { a }\nm { /* c */ }\nk{}\nj {\n}",
        "/* multi\n   line */\n  a /* in\n line */ 1\n",
        "(/*c*/t)n 1\n(t) /*c*/ m",
        "n 1 \\\n",
        "a\n\\\nb \\\n  \\ // why\n  1",
        "n 1 \\ // c\n",
        "n 1 \\ // c\n// d\nm",
        "\"my node\" \"a b\" r=#\"raw\"#",
        "n /- // why\n  1 2",
        "/-n {\n  /-m { x }\n}\nz",
        "n {\n\n\n  a\n\n\n\n  b\n\n\n}\n\n\n",
        "/-a {x} b",
        "/-a /*c*/\nb",
        "n /-k = (t) \"v w\" 2 /-(u)#\"}\"# 3",
        "n /-{\n  a \"}\" // }\n} {\n b\n} /-{c} /-{d}",
        "a 1.0e10 0b1010 -0o7 #inf #-inf #nan #null #false \"\"",
        "n \"a\\\"b\" \"\\u{41}\" (ty)\"x\"",
        "n \"\"\"\n  multi\n    line\n  \"\"\" // after\n",
        "a{b{c{d}}}",
        "a { // c\n\n  b\n}\nz { // only\n}",
        "\u{feff}// bom\nn 1",
        "k key = /* why */ 1 b=(c)2 (a)3 k2= /*x*/ ( t ) 4",
        r###"
  topic orders {
          query #"""
    SELECT *
      FROM "orders" -- "quoted" ; { }
    """#
     }
"###,
    ];

    #[test]
    fn messy_file_becomes_exactly_the_canonical_text() {
        assert_eq!(format_strict(&messy()), MESSY_FORMATTED);
    }

    #[test]
    fn format_source_returns_the_canonical_text() {
        assert_eq!(format_source(&messy()).expect("valid KDL"), MESSY_FORMATTED);
    }

    #[test]
    fn every_kind_of_comment_survives() {
        let src = r#"// line comment
/* block comment */ node 1 // end-of-line comment
/-slashdashed_node {
    child 1
}
node /-"slashdashed arg" 2 /-key="slashdashed prop" /-{ slashdashed children }
node /* inside */ 3
"#;
        let expected = r#"// line comment
/* block comment */ node 1 // end-of-line comment
/-slashdashed_node {
    child 1
}
node /-"slashdashed arg" 2 /-key="slashdashed prop" /-{
    slashdashed children
}
node /* inside */ 3
"#;
        let formatted = format_strict(src);
        assert_eq!(formatted, expected);
        for comment in [
            "// line comment",
            "/* block comment */",
            "// end-of-line comment",
            "/-slashdashed_node",
            "/-\"slashdashed arg\"",
            "/-key=\"slashdashed prop\"",
            "/-{",
            "/* inside */",
        ] {
            assert!(formatted.contains(comment), "lost {comment:?}");
        }
    }

    #[test]
    fn end_of_line_comment_gets_exactly_one_space() {
        assert_eq!(format_strict("value avro schema=Order    // c   \n"), "value avro schema=Order // c\n");
        assert_eq!(format_strict("a;// c\nb"), "a // c\nb\n");
    }

    #[test]
    fn comment_lines_take_the_indentation_of_what_follows() {
        let src = "a {\n// before b\n          b\n                // last in block\n}\n";
        let expected = "a {\n    // before b\n    b\n    // last in block\n}\n";
        assert_eq!(format_strict(src), expected);
    }

    #[test]
    fn raw_multiline_sql_survives_byte_for_byte() {
        let sql = "#\"\"\"\n        SELECT o.id, \"total\" -- not a // comment\n          FROM orders o /* nor this */\n         WHERE o.note = '{ ; }'\n        \"\"\"#";
        let src = format!("pipeline {{\n  view  name=\"v\"  {{\n   query {sql}\n  }}\n}}\n");
        let formatted = format_strict(&src);
        assert!(formatted.contains(&format!("        query {sql}\n")));

        let value_of = |text: &str| {
            let doc: KdlDocument = text.parse().expect("valid KDL");
            let query =
                &doc.nodes()[0].children().expect("pipeline block").nodes()[0].children().expect("view block").nodes()
                    [0];
            let entry = &query.entries()[0];
            let repr = entry.format().expect("parsed entry").value_repr.clone();
            (entry.value().clone(), repr)
        };
        assert_eq!(value_of(&formatted), value_of(&src));
        assert_eq!(value_of(&formatted).1, sql);
    }

    #[test]
    fn values_keep_their_spelling() {
        let src = "n   0xFF  1_000  1.5e3  #true  #null  bare  \"quoted\"  #\"raw \\n\"#  (u8)7\n";
        assert_eq!(format_strict(src), "n 0xFF 1_000 1.5e3 #true #null bare \"quoted\" #\"raw \\n\"# (u8)7\n");
    }

    #[test]
    fn blank_lines_collapse_and_never_open_or_close_a_block_or_file() {
        let src = "\n\n\na\n\n\n\nb {\n\n\n  c\n\n\n  d\n\n\n}\n\n\n";
        assert_eq!(format_strict(src), "a\n\nb {\n    c\n\n    d\n}\n");
    }

    #[test]
    fn semicolons_become_line_breaks() {
        assert_eq!(format_strict("a 1; b 2 {c; d}; e"), "a 1\nb 2 {\n    c\n    d\n}\ne\n");
    }

    #[test]
    fn line_continuations_are_indented_one_level() {
        let src = "top {\nlong 1 \\\n        2 \\   // why\n 3\n}";
        assert_eq!(format_strict(src), "top {\n    long 1 \\\n        2 \\ // why\n        3\n}\n");
        // A `\` alone on a line between nodes, and one continuing onto an
        // empty line, mean nothing.
        assert_eq!(format_strict("a\n\\\nb \\\n  \\ // why\n  1"), "a\nb \\ // why\n    1\n");
    }

    #[test]
    fn files_end_with_exactly_one_newline() {
        assert_eq!(format_strict(""), "");
        assert_eq!(format_strict(" \n\n"), "");
        assert_eq!(format_strict("a"), "a\n");
        assert_eq!(format_strict("a\n\n\n"), "a\n");
        assert_eq!(format_strict("a // c"), "a // c\n");
        assert_eq!(format_strict("// c\n\n\n"), "// c\n");
    }

    #[test]
    fn line_endings_become_newlines_and_a_byte_order_mark_stays() {
        assert_eq!(format_strict("a\r\nb {\r\n c\r\n}"), "a\nb {\n    c\n}\n");
        assert_eq!(format_strict("\u{feff}  a  1"), "\u{feff}a 1\n");
    }

    #[test]
    fn comments_inside_a_node_type_move_before_the_node() {
        // kdl does not print trivia inside a node's `( )`.
        assert_eq!(format_strict("( /*c*/ t ) n 1"), "/*c*/ (t)n 1\n");
    }

    #[test]
    fn output_is_canonical_for_every_case() {
        for src in &all_cases() {
            let formatted = format_strict(src);
            for line in formatted.lines() {
                assert_eq!(line, line.trim_end(), "trailing whitespace in\n{formatted}");
            }
            assert!(formatted.is_empty() || formatted.ends_with('\n'));
            assert!(!formatted.ends_with("\n\n"), "blank line at end:\n{formatted}");
            assert!(!formatted.starts_with('\n'), "blank line at start:\n{formatted}");
        }
    }

    #[test]
    fn formatting_is_idempotent() {
        for src in &all_cases() {
            let once = format_strict(src);
            let twice = format_strict(&once);
            assert_eq!(once, twice, "not idempotent for {src:?}");
        }
    }

    /// A document reduced to what it means: names, types, values (with
    /// their spelling) and children, in order.
    #[derive(Debug, PartialEq)]
    struct Meaning {
        name: String,
        ty: Option<String>,
        entries: Vec<(Option<String>, Option<String>, kdl::KdlValue, String)>,
        children: Option<Vec<Meaning>>,
    }

    fn meaning(doc: &KdlDocument) -> Vec<Meaning> {
        doc.nodes()
            .iter()
            .map(|node| Meaning {
                name: node.name().value().to_owned(),
                ty: node.ty().map(|t| t.value().to_owned()),
                entries: node
                    .entries()
                    .iter()
                    .map(|entry| {
                        (
                            entry.name().map(|n| n.value().to_owned()),
                            entry.ty().map(|t| t.value().to_owned()),
                            entry.value().clone(),
                            entry.format().expect("parsed").value_repr.clone(),
                        )
                    })
                    .collect(),
                children: node.children().map(meaning),
            })
            .collect()
    }

    #[test]
    fn formatted_text_parses_to_the_same_nodes_and_values() {
        for src in &all_cases() {
            let formatted = format_source(src).expect("valid KDL");
            let before: KdlDocument = src.parse().expect("valid KDL");
            let after: KdlDocument = formatted.parse().expect("formatted text is valid KDL");
            assert_eq!(meaning(&before), meaning(&after), "for {src:?}");
        }
    }

    #[test]
    fn invalid_kdl_is_an_error() {
        for src in ["node {", "node \"unterminated", "a;;b", "n 1 /* open", "=x", "}"] {
            assert!(format_source(src).is_err(), "accepted {src:?}");
        }
    }

    #[test]
    fn scanner_finds_the_end_of_strings() {
        assert_eq!(string_len(r#""a\"b" rest"#), Some(6));
        assert_eq!(string_len(r##"#"a"b"# rest"##), Some(7));
        assert_eq!(string_len("\"\"\"\n x \"\" \n\"\"\" rest"), Some(14));
        assert_eq!(string_len("#\"\"\"\n\"\"\"\n\"\"\"# rest"), Some(13));
        assert_eq!(string_len("#true"), None);
        assert_eq!(string_len("\"\" rest"), Some(2));
    }

    #[test]
    fn scanner_finds_the_end_of_slashdashed_elements() {
        assert_eq!(node_len("a \"}\" { b \"}\" } /-{ c }\nnext"), 23);
        assert_eq!(node_len("a 1 // c\nnext"), 3);
        assert_eq!(node_len("a {x} b"), 5);
        assert_eq!(entry_len("key = (t)\"v w\" next"), 14);
        assert_eq!(entry_len("#\"a b\"# next"), 7);
        assert_eq!(children_block_len("{ a \"}\" /* } */ } next"), 17);
    }
}
