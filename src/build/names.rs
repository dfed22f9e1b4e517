//! Names as the build's files spell them.

/// A name as a file name: characters outside `[A-Za-z0-9._-]` become `_`, and a name that would
/// be `.` or `..` gets a leading `_`, so no name can leave its folder.
pub(crate) fn file_name(name: &str) -> String {
    let mut out: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    if out.is_empty() || out.chars().all(|c| c == '.') {
        out.insert(0, '_');
    }
    out
}

/// Whether a shell and Compose accept the name as an environment variable.
pub(crate) fn env_var_ok(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A ksqlDB string literal.
pub(crate) fn ksql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A ksqlDB identifier: bare when ksqlDB reads it bare (it is then upper-cased, as the rest of the
/// project refers to it), else quoted with backticks (case kept).
pub(crate) fn ksql_ident(name: &str) -> String {
    let mut chars = name.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::ksql::dialect::is_reserved(name);
    if plain { name.to_string() } else { format!("`{}`", name.replace('`', "``")) }
}

/// A word for a shell command line, single-quoted when it needs it.
pub(crate) fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "_-.,/=:@".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_in_their_folder() {
        assert_eq!(file_name("orders-value"), "orders-value");
        assert_eq!(file_name("../etc/passwd"), ".._etc_passwd");
        assert_eq!(file_name(".."), "_..");
        assert_eq!(file_name(""), "_");
        assert_eq!(file_name("a b/c"), "a_b_c");
    }

    #[test]
    fn identifiers_are_quoted_when_ksqldb_needs_it() {
        assert_eq!(ksql_ident("orders"), "orders");
        assert_eq!(ksql_ident("platinum-orders"), "`platinum-orders`");
        assert_eq!(ksql_ident("select"), "`select`");
        assert_eq!(ksql_string("it's"), "'it''s'");
        assert_eq!(shell_word("shop"), "shop");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert!(env_var_ok("POSTGRES_PASSWORD") && !env_var_ok("1X") && !env_var_ok("A-B") && !env_var_ok(""));
    }
}
