//! `--format github`: GitHub Actions workflow commands, one annotation per diagnostic.
//!
//! Escaping follows the Actions toolkit (`@actions/core` `command.ts`): in data `%`, CR and LF are
//! percent-encoded; in properties also `:` and `,`.

use super::locate;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

pub(crate) fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    diagnostics.iter().map(|d| annotation(d, sources)).collect()
}

fn annotation(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let at = locate(diagnostic.span, sources);
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        escape_property(at.file),
        at.start.line,
        at.start.column,
        at.end.line,
        at.end.column,
        diagnostic.code,
        escape_data(&message)
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_actions_toolkit_does() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
