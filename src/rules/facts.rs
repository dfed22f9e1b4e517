//! The facts of each phase, routed to the rule that words them. Each match is exhaustive and
//! hands a rule only the fields of its own variant, so a new fact does not compile until a rule
//! words it, and no rule can be handed a fact it does not word.

use super::*;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Words a problem of venice.kdl and its files.
pub(crate) fn syntax(problem: &crate::syntax::Problem, span: Span) -> Diagnostic {
    use crate::syntax::Problem::*;
    match problem {
        InvalidKdl { message, label, help } => {
            v001_invalid_kdl::diagnostic(message, label.as_deref(), help.as_deref(), span)
        }
        UnknownNode { name, parent, suggestion } => {
            v002_unknown_node::unknown_node(name, parent.as_deref(), suggestion.as_deref(), span)
        }
        UnknownProperty { node, name, suggestion } => {
            v002_unknown_node::unknown_property(node, name, suggestion.as_deref(), span)
        }
        UnexpectedArgument { node, takes } => v002_unknown_node::unexpected_argument(node, *takes, span),
        UnexpectedChildren { node } => v002_unknown_node::unexpected_children(node, span),
        NotForMechanism { setting, sasl } => v002_unknown_node::not_for_mechanism(setting, sasl, span),
        MissingArgument { node, name } => v003_missing_or_mistyped::missing_argument(node, name, span),
        MissingProperty { node, name } => v003_missing_or_mistyped::missing_property(node, name, span),
        MissingChild { node, child } => v003_missing_or_mistyped::missing_child(node, child, span),
        NeedsBeside { node, given, needs } => v003_missing_or_mistyped::needs_beside(node, given, needs, span),
        TlsWithoutHttps { node } => v003_missing_or_mistyped::tls_without_https(node, span),
        MissingOneOf { node, options } => v003_missing_or_mistyped::missing_one_of(node, options, span),
        Conflicting { node, first, second } => v003_missing_or_mistyped::conflicting(node, first, second, span),
        WrongType { node, slot, expected, found, suggestion } => {
            v003_missing_or_mistyped::wrong_type(node, slot, expected, found, suggestion.as_deref(), span)
        }
        RepeatedNode { node, first } => v003_missing_or_mistyped::repeated_node(node, *first, span),
        UnreadableFile { path, reason } => v006_unreadable_file::unreadable_file(path, reason, span),
        IncludeMatchesNothing { pattern } => v006_unreadable_file::include_matches_nothing(pattern, span),
        NotUtf8 { path } => v006_unreadable_file::not_utf8(path, span),
        InlineSecret { node } => v007_inline_secret::inline_secret(node, span),
        InlineSecretSetting { key } => v007_inline_secret::inline_secret_setting(key, span),
        IncludeCycle { path } => v008_include_cycle::diagnostic(path, span),
        IncludeTooDeep { limit } => v010_includes_too_deep::diagnostic(*limit, span),
        PathOutsideRoot { path, resolved, root } => v011_path_outside_root::diagnostic(path, resolved, root, span),
    }
}

/// Words a problem of name resolution.
pub(crate) fn resolve(problem: &crate::resolve::Problem, span: Span) -> Diagnostic {
    use crate::resolve::Problem::*;
    match problem {
        DuplicateName { kind, name, first } => v004_duplicate_name::diagnostic(kind, name, *first, span),
        OverriddenTwice { target, kind, name, first } => {
            v004_duplicate_name::overridden_twice(target, kind, name, *first, span)
        }
        UnknownReference { kind, name, suggestion } => {
            v005_unknown_reference::diagnostic(kind, name, suggestion.as_deref(), span)
        }
    }
}

/// Words a problem of the baseline.
pub(crate) fn lock(problem: &crate::lock::Problem, span: Span) -> Diagnostic {
    match problem {
        crate::lock::Problem::InvalidLock { message } => v009_invalid_lock::diagnostic(message, span),
    }
}

/// Words a Protobuf schema that does not parse or compile.
pub(crate) fn protobuf(problem: &crate::protobuf::Problem, span: Span) -> Diagnostic {
    v201_invalid_avro::invalid_protobuf(&problem.message, span)
}

/// Words a JSON Schema that the registry's loader would refuse.
pub(crate) fn json_schema(problem: &crate::json_schema::ParseProblem) -> Diagnostic {
    v201_invalid_avro::invalid_json_schema(&problem.message, problem.span)
}

/// Words a problem of an Avro schema.
pub(crate) fn avro(problem: &crate::avro::Problem, span: Span) -> Diagnostic {
    use crate::avro::Problem::*;
    use v201_invalid_avro as v201;
    match problem {
        InvalidJson { message } => v201::invalid_json(message, span),
        NotASchema { found } => v201::not_a_schema(found, span),
        MissingAttribute { owner, attribute } => v201::missing_attribute(owner, attribute, span),
        WrongAttribute { attribute, expected, found } => v201::wrong_attribute(attribute, expected, found, span),
        UnknownType { name, suggestion } => v201::unknown_type(name, suggestion.as_deref(), span),
        InvalidName { what, name } => v201::invalid_name(what, name, span),
        PrimitiveName { name } => v201::primitive_name(name, span),
        DuplicateField { record, field, first } => v201::duplicate_field(record, field, *first, span),
        DuplicateSymbol { symbol, first } => v201::duplicate_symbol(symbol, *first, span),
        InvalidFixedSize { found } => v201::invalid_fixed_size(found, span),
        DuplicateInUnion { branch, first } => v201::duplicate_in_union(branch, *first, span),
        NestedUnion => v201::nested_union(span),
        Redefinition { name, first } => v201::redefinition(name, *first, span),
        UsedBeforeDefinition { name, definition } => v201::used_before_definition(name, *definition, span),
        AmbiguousReference { name, definitions } => v201::ambiguous_reference(name, definitions, span),
        InvalidDefault { field, ty, issue } => v204_invalid_default::invalid_default(field, ty, issue, span),
        EnumDefaultNotSymbol { name, default, suggestion } => {
            v204_invalid_default::enum_default_not_symbol(name, default, suggestion.as_deref(), span)
        }
    }
}

/// Words a problem of ksqlDB statements.
pub(crate) fn ksql(problem: &crate::ksql::Problem, span: Span) -> Diagnostic {
    use crate::ksql::Problem::*;
    match problem {
        Syntax { message } => v301_ksql_syntax::diagnostic(message, span),
        UnknownSource { what, name, suggestion } => {
            v302_unknown_source::diagnostic(what, name, suggestion.as_deref(), span)
        }
        UnknownColumn { name, suggestion } => v303_unknown_column::unknown(name, suggestion.as_deref(), span),
        AmbiguousColumn { name, sources } => v303_unknown_column::ambiguous(name, sources, span),
        Type { reason } => v304_type_error::diagnostic(reason, span),
        UnknownFunction { name, suggestion } => v305_unknown_function::unknown(name, suggestion.as_deref(), span),
        NoSignature { name, arguments, signatures } => {
            v305_unknown_function::no_signature(name, arguments, signatures, span)
        }
        NotCopartitioned { left, left_partitions, right, right_partitions, other } => {
            v306_not_copartitioned::diagnostic(left, *left_partitions, right, *right_partitions, *other, span)
        }
        JoinKeyTypes { left, left_type, right, right_type } => {
            v307_join_key_types::diagnostic(left, left_type, right, right_type, span)
        }
        NotGrouped { expression, clause } => v308_not_grouped::diagnostic(expression, clause, span),
        TopicMismatch { topic, reason, declared } => v309_topic_mismatch::diagnostic(topic, reason, *declared, span),
        Rejected { reason } => v310_rejected::diagnostic(reason, span),
    }
}
