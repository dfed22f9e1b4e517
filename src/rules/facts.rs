//! The facts of each phase, routed to the rule that words them. The matches are exhaustive, so
//! a new fact does not compile until a rule words it.

use super::*;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Words a problem of venice.kdl and its files.
pub(crate) fn syntax(problem: &crate::syntax::Problem, span: Span) -> Diagnostic {
    use crate::syntax::Problem::*;
    match problem {
        InvalidKdl { .. } => v001_invalid_kdl::diagnostic(problem, span),
        UnknownNode { .. } | UnknownProperty { .. } | UnexpectedArgument { .. } | UnexpectedChildren { .. } => {
            v002_unknown_node::diagnostic(problem, span)
        }
        MissingArgument { .. }
        | MissingProperty { .. }
        | MissingChild { .. }
        | MissingOneOf { .. }
        | Conflicting { .. }
        | WrongType { .. }
        | RepeatedNode { .. } => v003_missing_or_mistyped::diagnostic(problem, span),
        UnreadableFile { .. } | IncludeMatchesNothing { .. } | NotUtf8 { .. } => {
            v006_unreadable_file::diagnostic(problem, span)
        }
        InlineSecret { .. } | InlineSecretSetting { .. } => v007_inline_secret::diagnostic(problem, span),
        IncludeCycle { .. } => v008_include_cycle::diagnostic(problem, span),
        IncludeTooDeep { .. } => v010_includes_too_deep::diagnostic(problem, span),
    }
}

/// Words a problem of name resolution.
pub(crate) fn resolve(problem: &crate::resolve::Problem, span: Span) -> Diagnostic {
    use crate::resolve::Problem::*;
    match problem {
        DuplicateName { .. } => v004_duplicate_name::diagnostic(problem, span),
        UnknownReference { .. } => v005_unknown_reference::diagnostic(problem, span),
    }
}

/// Words a problem of the baseline.
pub(crate) fn lock(problem: &crate::lock::Problem, span: Span) -> Diagnostic {
    match problem {
        crate::lock::Problem::InvalidLock { .. } => v009_invalid_lock::diagnostic(problem, span),
    }
}

/// Words a problem of an Avro schema.
pub(crate) fn avro(problem: &crate::avro::Problem, span: Span) -> Diagnostic {
    use crate::avro::Problem::*;
    match problem {
        InvalidJson { .. }
        | NotASchema { .. }
        | MissingAttribute { .. }
        | WrongAttribute { .. }
        | UnknownType { .. }
        | InvalidName { .. }
        | PrimitiveName { .. }
        | DuplicateField { .. }
        | DuplicateSymbol { .. }
        | InvalidFixedSize { .. }
        | DuplicateInUnion { .. }
        | NestedUnion
        | Redefinition { .. }
        | UsedBeforeDefinition { .. }
        | AmbiguousReference { .. } => v201_invalid_avro::diagnostic(problem, span),
        InvalidDefault { .. } | EnumDefaultNotSymbol { .. } => v204_invalid_default::diagnostic(problem, span),
    }
}

/// Words a problem of ksqlDB statements.
pub(crate) fn ksql(problem: &crate::ksql::Problem, span: Span) -> Diagnostic {
    use crate::ksql::Problem::*;
    match problem {
        Syntax { .. } => v301_ksql_syntax::diagnostic(problem, span),
        UnknownSource { .. } => v302_unknown_source::diagnostic(problem, span),
        UnknownColumn { .. } | AmbiguousColumn { .. } => v303_unknown_column::diagnostic(problem, span),
        Type { .. } => v304_type_error::diagnostic(problem, span),
        UnknownFunction { .. } | NoSignature { .. } => v305_unknown_function::diagnostic(problem, span),
        NotCopartitioned { .. } => v306_not_copartitioned::diagnostic(problem, span),
        JoinKeyTypes { .. } => v307_join_key_types::diagnostic(problem, span),
        NotGrouped { .. } => v308_not_grouped::diagnostic(problem, span),
        TopicMismatch { .. } => v309_topic_mismatch::diagnostic(problem, span),
        Rejected { .. } => v310_rejected::diagnostic(problem, span),
    }
}
