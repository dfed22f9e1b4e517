//! The registry's levels over the JSON Schema diff.
//!
//! `JsonSchema.isBackwardCompatible(previous)` runs `SchemaDiff.compare(previous, this)` and
//! keeps the changes outside `COMPATIBLE_CHANGES`. `CompatibilityChecker` applies it: BACKWARD
//! asks it of the new schema against the latest, FORWARD of the latest against the new one (the
//! diff with its arguments swapped), FULL both; the TRANSITIVE forms go back through every
//! earlier schema, newest first, and stop at the first that fails.

use super::JsonSchema;
use super::diff::{Difference, compare};
use crate::avro::compat::Direction;
use crate::model::Compatibility;

/// The changes from `previous` to `new` the registry refuses (`isBackwardCompatible`).
pub fn incompatible_changes(previous: &JsonSchema, new: &JsonSchema) -> Vec<Difference> {
    compare(previous, new).into_iter().filter(|d| !d.kind.is_compatible()).collect()
}

/// A change that keeps the new schema from following an earlier one at a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelIncompatibility {
    /// The index of the earlier schema in the list given to [`check_level`] (oldest first).
    pub(crate) against: usize,
    /// NewReadsOld: the diff from the earlier schema to the new one; OldReadsNew: the reverse.
    pub(crate) direction: Direction,
    pub difference: Difference,
}

/// Every change that keeps `new` from following `previous` (oldest first) at `level`; empty when
/// it may follow.
pub fn check_level(level: Compatibility, new: &JsonSchema, previous: &[JsonSchema]) -> Vec<LevelIncompatibility> {
    level.first_failing(previous.len(), |against, old_reads_new| {
        let old = &previous[against];
        let (direction, found) = match old_reads_new {
            true => (Direction::OldReadsNew, incompatible_changes(new, old)),
            false => (Direction::NewReadsOld, incompatible_changes(old, new)),
        };
        found.into_iter().map(|difference| LevelIncompatibility { against, direction, difference }).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_schema::{Document, parse};
    use crate::source::FileId;

    fn load(i: u32, text: &str) -> JsonSchema {
        parse(Document { name: "s.json", file: FileId(i), text }, &[]).expect("loads")
    }

    fn names(found: &[LevelIncompatibility]) -> Vec<(usize, &'static str, String)> {
        found.iter().map(|f| (f.against, f.difference.kind.as_str(), f.difference.path().to_string())).collect()
    }

    const OPEN: &str = r#"{"type": "object", "properties": {"a": {"type": "string"}}}"#;
    const CLOSED: &str =
        r#"{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}"#;
    const CLOSED_WIDER: &str = r#"{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "additionalProperties": false}"#;

    #[test]
    fn backward_forward_and_full_apply_the_diff_each_way() {
        let (v1, v2) = (load(0, CLOSED), load(1, CLOSED_WIDER));
        assert!(check_level(Compatibility::Backward, &v2, std::slice::from_ref(&v1)).is_empty());
        let forward = check_level(Compatibility::Forward, &v2, std::slice::from_ref(&v1));
        assert_eq!(names(&forward), [(0, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/b".to_string())]);
        assert_eq!(forward[0].direction, Direction::OldReadsNew);
        assert_eq!(check_level(Compatibility::Full, &v2, &[v1]).len(), 1);
    }

    #[test]
    fn transitive_levels_check_every_earlier_schema_newest_first() {
        let v1 = load(0, OPEN);
        let v2 = load(1, CLOSED);
        let v3 = load(2, CLOSED_WIDER);
        let previous = [v1, v2];
        assert!(check_level(Compatibility::Backward, &v3, &previous).is_empty());
        let found = check_level(Compatibility::BackwardTransitive, &v3, &previous);
        assert_eq!(
            names(&found),
            [
                (0, "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/b".to_string()),
                (0, "ADDITIONAL_PROPERTIES_REMOVED", "#/additionalProperties".to_string()),
            ]
        );
    }
}
