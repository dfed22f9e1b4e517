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

/// JSON as the registry and Java's parsers read it: no comments, trailing commas, single quotes or
/// other leniencies jsonc-parser offers. Avro schemas and JSON Schemas are both read this way.
pub(crate) const STRICT_JSON: jsonc_parser::ParseOptions = jsonc_parser::ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

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
