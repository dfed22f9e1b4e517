//! Compatibility levels over the diff, as the Schema Registry applies them to Protobuf:
//! `ProtobufSchema.isBackwardCompatible(previous)` runs `SchemaDiff.compare(previous, this)` and
//! keeps the differences not in `COMPATIBLE_CHANGES`; FORWARD asks the same of the previous
//! schema against the new one, FULL asks both, and the TRANSITIVE forms ask it of every earlier
//! schema instead of the latest only (`CompatibilityChecker`).

use super::diff::{Difference, compare};
use super::schema::Schema;
use crate::model::Compatibility;

/// Which schema the diff took as the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// BACKWARD: the earlier schema is the original, the new one the update.
    Backward,
    /// FORWARD: the new schema is the original, the earlier one the update.
    Forward,
}

impl Direction {
    /// As `venice schema compat` words it for Avro: who reads whom.
    pub fn describe(self) -> &'static str {
        match self {
            Direction::Backward => "reader new / writer old",
            Direction::Forward => "reader old / writer new",
        }
    }
}

/// A change that stops the new schema from following an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelChange {
    /// The index of the earlier schema in the list given to [`check_level`] (oldest first).
    pub against: usize,
    pub direction: Direction,
    pub difference: Difference,
}

/// `ProtobufSchema.isBackwardCompatible`: the changes from `previous` to `new` that the registry
/// does not let through; empty when `new` may follow `previous` at BACKWARD.
pub fn incompatible_changes(previous: &Schema, new: &Schema) -> Vec<Difference> {
    compare(previous, new).into_iter().filter(|d| !d.change.is_compatible()).collect()
}

/// Every change that stops `new` from following `previous` (oldest first) at `level`; empty
/// when it may. As for Avro, the registry checks from the newest schema back and stops at the
/// first it may not follow.
pub fn check_level(level: Compatibility, new: &Schema, previous: &[Schema]) -> Vec<LevelChange> {
    level.first_failing(previous.len(), |against, old_reads_new| {
        let old = &previous[against];
        let (direction, found) = match old_reads_new {
            true => (Direction::Forward, incompatible_changes(new, old)),
            false => (Direction::Backward, incompatible_changes(old, new)),
        };
        found.into_iter().map(|difference| LevelChange { against, direction, difference }).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protobuf::parse::parse;

    fn schema(body: &str) -> Schema {
        let text = format!("syntax = \"proto3\";\nmessage M {{ {body} }}\n");
        parse("m.proto", "m.proto", &text, &|_| None).expect("compiles")
    }

    fn found(level: Compatibility, versions: &[&str]) -> Vec<(usize, Direction, &'static str)> {
        let schemas: Vec<Schema> = versions.iter().map(|b| schema(b)).collect();
        let (new, previous) = schemas.split_last().unwrap();
        check_level(level, new, previous)
            .into_iter()
            .map(|c| (c.against, c.direction, c.difference.change.as_str()))
            .collect()
    }

    #[test]
    fn each_level_asks_the_registry_s_question() {
        let (v1, v2) = ("int32 a = 1;", "int32 a = 1; oneof o { int32 b = 2; }");
        // Adding a oneof member is compatible; taking it away is not, so FORWARD refuses the add.
        assert!(found(Compatibility::Backward, &[v1, v2]).is_empty());
        assert_eq!(found(Compatibility::Backward, &[v2, v1]), []);
        let (w1, w2) = ("oneof o { int32 a = 1; int32 b = 2; }", "oneof o { int32 a = 1; }");
        assert_eq!(found(Compatibility::Backward, &[w1, w2]), [(0, Direction::Backward, "ONEOF_FIELD_REMOVED")]);
        assert!(found(Compatibility::Forward, &[w1, w2]).is_empty());
        assert_eq!(found(Compatibility::Full, &[w2, w1]), [(0, Direction::Forward, "ONEOF_FIELD_REMOVED")]);
        assert!(found(Compatibility::None, &[w1, w2]).is_empty());
    }

    #[test]
    fn transitive_levels_ask_every_earlier_schema() {
        let versions = ["string a = 1;", "int32 a = 1;", "int64 a = 1;"];
        assert!(found(Compatibility::Backward, &versions).is_empty());
        assert_eq!(
            found(Compatibility::BackwardTransitive, &versions),
            [(0, Direction::Backward, "FIELD_SCALAR_KIND_CHANGED")]
        );
    }

    #[test]
    fn recursive_messages_end() {
        let v1 = "M next = 1; message N { N self = 1; M up = 2; }";
        assert!(found(Compatibility::FullTransitive, &[v1, v1]).is_empty());
    }
}
