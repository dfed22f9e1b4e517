//! Guards around the `kdl` crate's parser, which recurses: once per nesting level, and once per
//! `*`, `/` or run of other characters inside a block comment (`commented_block` in its v2
//! parser). Hostile input could exhaust the stack, so texts beyond these limits are refused, and
//! the parser runs on a thread with a large stack.

use super::lexical::{block_comment_len, first_char_len, line_comment_len, string_len};

/// Real projects nest three levels.
pub(crate) const MAX_NESTING: usize = 64;

/// Steps of one block comment (see the module's documentation).
pub(crate) const MAX_COMMENT_STEPS: usize = 4096;

/// Enough stack for the limits above in a debug build, with a wide margin. It is reserved, not
/// touched, unless the parser needs it.
const STACK_BYTES: usize = 256 << 20;

/// What makes a text too complex for the recursive parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complexity {
    Nesting,
    Comment,
}

impl Complexity {
    /// The problem in words, and a short label.
    pub(crate) fn describe(self) -> (String, &'static str) {
        match self {
            Complexity::Nesting => (format!("nesting deeper than {MAX_NESTING} levels"), "too deep"),
            Complexity::Comment => (format!("a block comment longer than {MAX_COMMENT_STEPS} steps"), "too long"),
        }
    }
}

/// Where the text first nests deeper than [`MAX_NESTING`] blocks, or holds a block comment of
/// more than [`MAX_COMMENT_STEPS`] steps. Strings (quoted, raw, multi-line) and comments (line,
/// nested block) are skipped with the formatter's lexical rules, so braces inside them neither
/// count nor hide real ones.
pub fn too_complex(text: &str) -> Option<(usize, Complexity)> {
    let mut depth = 0usize;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        if let Some(len) = string_len(rest) {
            at += len.max(1);
            continue;
        }
        if rest.starts_with("//") {
            at += line_comment_len(rest).max(2);
            continue;
        }
        if rest.starts_with("/*") {
            let len = block_comment_len(rest).max(2);
            if rest[..len].bytes().filter(|b| matches!(b, b'*' | b'/')).count() > MAX_COMMENT_STEPS {
                return Some((at, Complexity::Comment));
            }
            at += len;
            continue;
        }
        match rest.as_bytes()[0] {
            b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((at, Complexity::Nesting));
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += first_char_len(rest);
    }
    None
}

/// Runs `work` on a thread with a large stack; on this thread if no such thread can be made.
pub fn with_room<T: Send>(work: impl Fn() -> T + Sync) -> T {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().stack_size(STACK_BYTES);
        match thread.spawn_scoped(scope, &work) {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => work(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_comments_are_measured_outside_strings() {
        assert_eq!(too_complex("a { b { c } }"), None);
        let deep = "a {".repeat(MAX_NESTING + 1);
        assert_eq!(too_complex(&deep).map(|(_, c)| c), Some(Complexity::Nesting));
        let quoted = format!("a \"{}\"", "{".repeat(500));
        assert_eq!(too_complex(&quoted), None);
        let commented = format!("// {}\na", "{".repeat(500));
        assert_eq!(too_complex(&commented), None);
        // A quote inside a block comment must not hide the braces after it (found by fuzzing).
        let hidden = format!("/*\"*/\n{}", "a{".repeat(MAX_NESTING + 1));
        assert!(too_complex(&hidden).is_some());
        let raw = format!("a #\"{}\"# {}", "\\\"{".repeat(100), "b{".repeat(MAX_NESTING + 1));
        assert!(too_complex(&raw).is_some(), "a backslash in a raw string escapes nothing");
        let long = format!("a \"/*\" b /* {} */", "* ".repeat(MAX_COMMENT_STEPS));
        assert_eq!(too_complex(&long), Some((9, Complexity::Comment)));
    }

    #[test]
    fn work_runs_with_room_and_returns_its_value() {
        assert_eq!(with_room(|| 6 * 7), 42);
    }
}
