//! `venice explain CODE`: a diagnostic code's documentation, read from the rules' registry,
//! with the code's status when it is not fully checked.

use crate::rules::{self, Status};

/// The text `venice explain` prints for `code`, or why there is none (with the nearest code).
pub(crate) fn explain(code: &str) -> Result<String, String> {
    let Some(rule) = rules::find(code) else {
        let codes = rules::RULES.iter().map(|r| r.code);
        let hint = match crate::diagnostic::suggest(code, codes) {
            Some(code) => format!(" (did you mean `{code}`?)"),
            None => format!("; codes run from V001 to {}", rules::RULES.last().map_or("", |r| r.code)),
        };
        return Err(format!("no diagnostic code `{code}`{hint}"));
    };
    let mut text = rule.doc.to_string();
    match rule.status {
        Status::Checked => {}
        Status::Partial(what) => text.push_str(&format!("\n## Status\nChecked in part: {what}.\n")),
        Status::Planned => {
            text.push_str("\n## Status\nReserved and documented; this version of venice does not report it yet.\n")
        }
    }
    Ok(text)
}
