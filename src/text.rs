//! Small text helpers shared by the phases.

/// A message from a library (KDL, serde_json, sqlparser) in venice's style: its first letter in
/// lower case and no period at the end, so it reads inside a sentence of ours.
pub(crate) fn lowercase_first(message: &str) -> String {
    let message = message.trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_letter_is_lowered_and_the_periods_dropped() {
        assert_eq!(lowercase_first("Expected valid value."), "expected valid value");
        assert_eq!(lowercase_first("Éa.."), "éa");
        assert_eq!(lowercase_first(""), "");
    }
}
