//! Words the schema rules (V202, V203, V205, V206) share.

use crate::model::Side;

pub(crate) fn plural(side: Side) -> &'static str {
    match side {
        Side::Key => "keys",
        Side::Value => "values",
    }
}

pub(crate) fn more_problems(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (1 more problem besides this one)".into(),
        n => format!(" ({n} more problems besides this one)"),
    }
}
