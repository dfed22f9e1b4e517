//! The lexical shapes of KDL v2 that more than one phase needs to skip over without parsing:
//! newlines, comments (line and nested block) and strings (quoted, raw, multi-line). Used by the
//! formatter to lay out trivia and by the loader to measure nesting before parsing.

pub(crate) fn newline_len(s: &str) -> Option<usize> {
    if s.starts_with("\r\n") {
        return Some(2);
    }
    let first = s.chars().next()?;
    is_newline(first).then(|| first.len_utf8())
}

pub(crate) fn is_newline(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}')
}

pub(crate) fn first_char_len(s: &str) -> usize {
    s.chars().next().map_or(0, char::len_utf8)
}

/// `//` up to, not including, the newline.
pub(crate) fn line_comment_len(s: &str) -> usize {
    s.char_indices().find(|&(at, _)| newline_len(&s[at..]).is_some()).map_or(s.len(), |(at, _)| at)
}

/// `/* */`, which nests in KDL.
pub(crate) fn block_comment_len(s: &str) -> usize {
    let mut depth = 0usize;
    let mut at = 0;
    while at < s.len() {
        let rest = &s[at..];
        if rest.starts_with("/*") {
            depth += 1;
            at += 2;
        } else if rest.starts_with("*/") {
            depth = depth.saturating_sub(1);
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += first_char_len(rest);
        }
    }
    s.len()
}

/// A quoted, raw (`#"…"#`) or multi-line (`"""…"""`) string; None when `s`
/// does not start with one.
pub(crate) fn string_len(s: &str) -> Option<usize> {
    let hashes = s.bytes().take_while(|&b| b == b'#').count();
    let body = &s[hashes..];
    if !body.starts_with('"') {
        return None;
    }
    let quotes = if body.starts_with("\"\"\"") { 3 } else { 1 };
    let closing = format!("{}{}", "\"".repeat(quotes), "#".repeat(hashes));
    let is_raw = hashes > 0;
    let mut at = hashes + quotes;
    while at < s.len() {
        let rest = &s[at..];
        if rest.starts_with(&closing) {
            return Some(at + closing.len());
        }
        let step = first_char_len(rest);
        // An escape hides the character after the backslash (e.g. `\"`).
        at += if !is_raw && rest.starts_with('\\') { step + first_char_len(&rest[step..]) } else { step };
    }
    Some(s.len())
}
