//! `KsqlDialect`: sqlparser's tokenizer and expression parser, fitted to ksqlDB.
//!
//! ksqlDB's lexer: identifiers are letters, digits, `_` and `@` (they may start with digits),
//! quoted with backticks or double quotes; strings are single-quoted, with `''` for a quote and no
//! backslash escapes. What the dialect hooks add to sqlparser's expression parser:
//!
//! - `base->FIELD`, a struct field dereference, binding as tightly as a subscript;
//! - lambdas `x => ...` and `(x, y) => ...` (as `Expr::Lambda`);
//! - every `name(...)` call parsed as ksqlDB does, as a plain function call (sqlparser has special
//!   forms for `SUBSTRING`, `TRIM`, `CEIL` and others that ksqlDB calls like any function), with
//!   `key := value` arguments for the `MAP(...)` and `STRUCT(...)` constructors;
//! - a non-reserved word alone is a column (sqlparser would read `INTERVAL` or `CURRENT_DATE`
//!   as special forms);
//! - `( ... )` holds one expression: no tuples, no subqueries;
//! - ksqlDB's types (`MAP<K, V>`, `STRUCT<...>`, `ARRAY<T>`, `DECIMAL(p, s)`, custom types) in
//!   `CAST`.

use crate::ksql::ast::{SqlType, StructField};
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgOperator, FunctionArgumentList,
    FunctionArguments, Ident, LambdaFunction, LambdaFunctionParameter, LambdaSyntax, ObjectName, OneOrManyWithParens,
};
use sqlparser::dialect::Dialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Word};

/// The dialect of ksqlDB's lexer and expressions.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KsqlDialect;

/// The precedence of `->` and `[`: postfix, tighter than any operator.
const POSTFIX_PRECEDENCE: u8 = 50;

impl Dialect for KsqlDialect {
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '"' || ch == '`'
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_ascii_alphabetic() || ch == '_'
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_ascii_alphanumeric() || ch == '_' || ch == '@'
    }

    /// ksqlDB's `DIGIT_IDENTIFIER`: a name may start with digits (`1R`).
    fn supports_numeric_prefix(&self) -> bool {
        true
    }

    fn supports_named_fn_args_with_rarrow_operator(&self) -> bool {
        false
    }

    fn supports_named_fn_args_with_assignment_operator(&self) -> bool {
        true
    }

    fn supports_named_fn_args_with_expr_name(&self) -> bool {
        true
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        let first = parser.peek_token_ref().token.clone();
        let second = parser.peek_nth_token_ref(1).token.clone();
        match (&first, &second) {
            (Token::Word(_), Token::RArrow) | (Token::LParen, _) if lambda_ahead(parser) => Some(parse_lambda(parser)),
            (Token::LParen, _) => Some(parse_parenthesized(parser)),
            (Token::Word(word), _) if word.quote_style.is_none() && is_reserved(&word.value) => {
                let upper = word.value.to_ascii_uppercase();
                if EXPRESSION_KEYWORDS.contains(&upper.as_str()) {
                    None
                } else if STRUCTURE_WORDS.contains(&upper.as_str()) {
                    Some(expected(parser, "an expression"))
                } else {
                    // A reserved word used as a name (`SIZE`): a column, rejected after parsing
                    // with a hint, unless it is a time unit given to a function.
                    let span = parser.peek_token_ref().span;
                    parser.advance_token();
                    Some(Ok(Expr::Identifier(ident_of(word, span))))
                }
            }
            (Token::Word(_), Token::LParen) => Some(parse_function_call(parser)),
            (Token::Word(word), Token::LBracket) if is_unquoted(word, "ARRAY") => None,
            (Token::Word(word), Token::SingleQuotedString(_)) if word.quote_style.is_none() => None,
            (Token::Word(_), Token::Period) => None,
            (Token::Word(word), _) => {
                let span = parser.peek_token_ref().span;
                parser.advance_token();
                Some(Ok(Expr::Identifier(ident_of(word, span))))
            }
            _ => None,
        }
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        match parser.peek_token_ref().token {
            // `expr->*` selects every field of a struct: a select item, not an expression.
            Token::Arrow if parser.peek_nth_token_ref(1).token == Token::Mul => Some(Ok(0)),
            Token::Arrow => Some(Ok(POSTFIX_PRECEDENCE)),
            // `:=` separates a constructor's key from its value; it is no operator.
            Token::Assignment => Some(Ok(0)),
            // Words that are operators in other dialects but names in ksqlDB (`SELECT x match`).
            Token::Word(ref w)
                if w.quote_style.is_none() && FOREIGN_OPERATORS.contains(&w.value.to_ascii_uppercase().as_str()) =>
            {
                Some(Ok(0))
            }
            Token::Word(ref w) if is_unquoted(w, "NOT") => match &parser.peek_nth_token_ref(1).token {
                Token::Word(w)
                    if w.quote_style.is_none()
                        && FOREIGN_OPERATORS.contains(&w.value.to_ascii_uppercase().as_str()) =>
                {
                    Some(Ok(0))
                }
                _ => None,
            },
            // ksqlDB's operator tokens; sqlparser knows many more (`::`, `&`, `:`, `!`, ...).
            Token::Eq
            | Token::Neq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
            | Token::Plus
            | Token::Minus
            | Token::Mul
            | Token::Div
            | Token::Mod
            | Token::StringConcat
            | Token::LBracket
            | Token::Period
            | Token::Word(_) => None,
            _ => Some(Ok(0)),
        }
    }

    fn parse_data_type(&self, parser: &mut Parser) -> Option<Result<sqlparser::ast::DataType, ParserError>> {
        match &parser.peek_token_ref().token {
            Token::Word(_) => Some(parse_type(parser).map(|t| t.to_data_type())),
            _ => None,
        }
    }
}

/// The reserved words that start an expression.
pub(crate) const EXPRESSION_KEYWORDS: &[&str] = &["CASE", "CAST", "DECIMAL", "FALSE", "NOT", "NULL", "TRUE"];

/// The reserved words that shape a statement (clauses, operators): never a name.
pub(crate) const STRUCTURE_WORDS: &[&str] = &[
    "ALL", "AND", "AS", "AT", "BETWEEN", "BY", "CREATE", "DISTINCT", "ELSE", "END", "EXISTS", "FROM", "FULL", "GROUP",
    "HAVING", "IN", "INNER", "INSERT", "INTO", "IS", "JOIN", "LEFT", "LIKE", "LIMIT", "ON", "OR", "OUTER", "RIGHT",
    "SELECT", "THEN", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH", "WITHIN",
];

/// Words sqlparser reads as infix operators after an expression, which ksqlDB does not have.
const FOREIGN_OPERATORS: &[&str] = &[
    "COLLATE", "DIV", "GLOB", "ILIKE", "MATCH", "MEMBER", "NOTNULL", "OPERATOR", "OVERLAPS", "REGEXP", "RLIKE",
    "SIMILAR", "XOR",
];

/// ksqlDB's reserved words: the keywords of its grammar that cannot be identifiers unless quoted.
pub(crate) const RESERVED: &[&str] = &[
    "ADVANCE",
    "ALL",
    "AND",
    "AS",
    "AT",
    "BEGINNING",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "CATALOG",
    "CONNECTOR",
    "CONNECTORS",
    "CREATE",
    "DAYS",
    "DECIMAL",
    "DELETE",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "EXISTS",
    "EXPORT",
    "EXTENDED",
    "FALSE",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "HOPPING",
    "HOURS",
    "IN",
    "INNER",
    "INSERT",
    "INTO",
    "IS",
    "JOIN",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LIST",
    "LOAD",
    "MATERIALIZED",
    "MILLISECOND",
    "MILLISECONDS",
    "MINUTES",
    "MONTHS",
    "NAMESPACE",
    "NOT",
    "NULL",
    "ON",
    "OR",
    "OUTER",
    "PRINT",
    "PROPERTIES",
    "QUERIES",
    "QUERY",
    "RENAME",
    "RETENTION",
    "RIGHT",
    "RUN",
    "SAMPLE",
    "SCRIPT",
    "SECONDS",
    "SELECT",
    "SIZE",
    "STREAM",
    "STREAMS",
    "TABLE",
    "TERMINATE",
    "THEN",
    "TO",
    "TOPIC",
    "TOPICS",
    "TRUE",
    "TUMBLING",
    "UNSET",
    "VALUES",
    "VIEW",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHIN",
    "YEARS",
];

/// Whether an unquoted word is one of ksqlDB's reserved words.
pub(crate) fn is_reserved(word: &str) -> bool {
    let upper = word.to_ascii_uppercase();
    RESERVED.binary_search(&upper.as_str()).is_ok()
}

/// Whether a word is the unquoted keyword `keyword` (any case).
pub(crate) fn is_unquoted(word: &Word, keyword: &str) -> bool {
    word.quote_style.is_none() && word.value.eq_ignore_ascii_case(keyword)
}

/// The name ksqlDB gives a word: unquoted upper-cased, quoted as written.
pub(crate) fn ksql_name(word: &Word) -> String {
    match word.quote_style {
        Some(_) => word.value.clone(),
        None => word.value.to_uppercase(),
    }
}

/// A sqlparser identifier for a word, cased as ksqlDB cases it.
fn ident_of(word: &Word, span: sqlparser::tokenizer::Span) -> Ident {
    Ident { value: ksql_name(word), quote_style: word.quote_style, span }
}

/// The error sqlparser gives when it expects `expected` at the next token.
fn expected<T>(parser: &Parser, expected: &str) -> Result<T, ParserError> {
    parser.expected_ref(expected, parser.peek_token_ref())
}

/// `x =>` or `(x, y, ...) =>` at the parser's position.
fn lambda_ahead(parser: &Parser) -> bool {
    match parser.peek_token_ref().token {
        Token::Word(_) => parser.peek_nth_token_ref(1).token == Token::RArrow,
        Token::LParen => {
            let mut n = 1;
            loop {
                if !matches!(parser.peek_nth_token_ref(n).token, Token::Word(_)) {
                    return false;
                }
                match parser.peek_nth_token_ref(n + 1).token {
                    Token::Comma => n += 2,
                    Token::RParen => return parser.peek_nth_token_ref(n + 2).token == Token::RArrow,
                    _ => return false,
                }
            }
        }
        _ => false,
    }
}

fn parse_lambda(parser: &mut Parser) -> Result<Expr, ParserError> {
    let mut params = Vec::new();
    let parenthesized = parser.consume_token(&Token::LParen);
    loop {
        let token = parser.next_token();
        let Token::Word(word) = &token.token else { return parser.expected("a lambda parameter", token) };
        params.push(LambdaFunctionParameter { name: ident_of(word, token.span), data_type: None });
        if !parenthesized || !parser.consume_token(&Token::Comma) {
            break;
        }
    }
    if parenthesized {
        parser.expect_token(&Token::RParen)?;
    }
    parser.expect_token(&Token::RArrow)?;
    let body = parser.parse_expr()?;
    let params = match (parenthesized, params.len()) {
        (false, _) => OneOrManyWithParens::One(params.remove(0)),
        _ => OneOrManyWithParens::Many(params),
    };
    Ok(Expr::Lambda(LambdaFunction { params, body: Box::new(body), syntax: LambdaSyntax::Arrow }))
}

/// `( expression )`.
fn parse_parenthesized(parser: &mut Parser) -> Result<Expr, ParserError> {
    parser.expect_token(&Token::LParen)?;
    let inner = parser.parse_expr()?;
    if !parser.consume_token(&Token::RParen) {
        return expected(parser, "`)`");
    }
    Ok(Expr::Nested(Box::new(inner)))
}

/// `name(*)`, `name(arg, ...)`, and the constructors `MAP(k := v, ...)`, `STRUCT(f := v, ...)`.
fn parse_function_call(parser: &mut Parser) -> Result<Expr, ParserError> {
    let token = parser.next_token();
    let Token::Word(word) = &token.token else { return parser.expected("a function name", token) };
    let name = ObjectName::from(vec![ident_of(word, token.span)]);
    parser.expect_token(&Token::LParen)?;
    let mut args = Vec::new();
    if parser.peek_token_ref().token == Token::Mul && parser.peek_nth_token_ref(1).token == Token::RParen {
        parser.advance_token();
        args.push(FunctionArg::Unnamed(FunctionArgExpr::Wildcard));
    } else if parser.peek_token_ref().token != Token::RParen {
        loop {
            let value = parser.parse_expr()?;
            let arg = if parser.consume_token(&Token::Assignment) {
                let assigned = parser.parse_expr()?;
                FunctionArg::ExprNamed {
                    name: value,
                    arg: FunctionArgExpr::Expr(assigned),
                    operator: FunctionArgOperator::Assignment,
                }
            } else {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(value))
            };
            args.push(arg);
            if !parser.consume_token(&Token::Comma) {
                break;
            }
        }
    }
    if !parser.consume_token(&Token::RParen) {
        return expected(parser, "`,` or `)`");
    }
    Ok(Expr::Function(Function {
        name,
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None::<DuplicateTreatment>,
            args,
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    }))
}

/// The deepest nesting of types read (`ARRAY<ARRAY<...>>`), so hostile input cannot exhaust the
/// stack.
const MAX_TYPE_DEPTH: usize = 64;

/// A ksqlDB type at the parser's position:
///
/// ```text
/// type: type ARRAY | ARRAY '<' type '>' | MAP '<' type ',' type '>'
///     | STRUCT '<' (identifier type (',' identifier type)*)? '>'
///     | DECIMAL '(' number ',' number ')' | baseType ('(' typeParameter (',' typeParameter)* ')')?
/// ```
///
/// `>>` must have been split into two `>` tokens before (the parser does so).
pub(crate) fn parse_type(parser: &mut Parser) -> Result<SqlType, ParserError> {
    parse_type_at(parser, 0)
}

fn parse_type_at(parser: &mut Parser, depth: usize) -> Result<SqlType, ParserError> {
    if depth > MAX_TYPE_DEPTH {
        return expected(parser, "a less deeply nested type");
    }
    let token = parser.peek_token_ref().clone();
    let Token::Word(word) = &token.token else { return expected(parser, "a type") };
    let unquoted = word.quote_style.is_none();
    let keyword = word.value.to_ascii_uppercase();
    let next_is = |parser: &Parser, t: &Token| parser.peek_nth_token_ref(1).token == *t;
    let mut sql_type = match keyword.as_str() {
        "ARRAY" if unquoted && next_is(parser, &Token::Lt) => {
            parser.advance_token();
            parser.advance_token();
            let element = parse_type_at(parser, depth + 1)?;
            expect_gt(parser)?;
            SqlType::Array(Box::new(element))
        }
        "MAP" if unquoted && next_is(parser, &Token::Lt) => {
            parser.advance_token();
            parser.advance_token();
            let key = parse_type_at(parser, depth + 1)?;
            if !parser.consume_token(&Token::Comma) {
                return expected(parser, "`,`");
            }
            let value = parse_type_at(parser, depth + 1)?;
            expect_gt(parser)?;
            SqlType::Map(Box::new(key), Box::new(value))
        }
        "STRUCT" if unquoted && next_is(parser, &Token::Neq) => {
            // `STRUCT<>`: `<>` comes as one token.
            parser.advance_token();
            parser.advance_token();
            SqlType::Struct(vec![])
        }
        "STRUCT" if unquoted && next_is(parser, &Token::Lt) => {
            parser.advance_token();
            parser.advance_token();
            SqlType::Struct(parse_struct_fields(parser, depth)?)
        }
        "DECIMAL" if unquoted => {
            parser.advance_token();
            parse_decimal(parser)?
        }
        _ if unquoted && is_reserved(&word.value) => return expected(parser, "a type"),
        _ => {
            parser.advance_token();
            skip_type_parameters(parser)?;
            base_type(word, &keyword)
        }
    };
    // `INT ARRAY`: the postfix form of `ARRAY<INT>`.
    while matches!(&parser.peek_token_ref().token, Token::Word(w) if is_unquoted(w, "ARRAY"))
        && !matches!(parser.peek_nth_token_ref(1).token, Token::Lt | Token::LBracket)
    {
        parser.advance_token();
        sql_type = SqlType::Array(Box::new(sql_type));
    }
    Ok(sql_type)
}

/// The fields of a `STRUCT<`, up to and with its `>`: `identifier type (',' identifier type)*`.
fn parse_struct_fields(parser: &mut Parser, depth: usize) -> Result<Vec<StructField>, ParserError> {
    let mut fields = Vec::new();
    if parser.peek_token_ref().token != Token::Gt {
        loop {
            let token = parser.next_token();
            let name = match &token.token {
                Token::Word(w) if w.quote_style.is_some() || !is_reserved(&w.value) => ksql_name(w),
                _ => return parser.expected("a field name", token),
            };
            let sql_type = parse_type_at(parser, depth + 1)?;
            fields.push(StructField { name, sql_type });
            if !parser.consume_token(&Token::Comma) {
                break;
            }
        }
    }
    expect_gt(parser)?;
    Ok(fields)
}

/// What follows `DECIMAL`: `'(' precision ',' scale ')'`.
fn parse_decimal(parser: &mut Parser) -> Result<SqlType, ParserError> {
    if !parser.consume_token(&Token::LParen) {
        return expected(parser, "`(` and the precision and scale of `DECIMAL`");
    }
    let precision = parse_u32(parser)?;
    if !parser.consume_token(&Token::Comma) {
        return expected(parser, "`,`");
    }
    let scale = parse_u32(parser)?;
    if !parser.consume_token(&Token::RParen) {
        return expected(parser, "`)`");
    }
    Ok(SqlType::Decimal { precision, scale })
}

/// A base type's parameters (`VARCHAR(10)`), if any: accepted and, as ksqlDB does, ignored.
fn skip_type_parameters(parser: &mut Parser) -> Result<(), ParserError> {
    if !parser.consume_token(&Token::LParen) {
        return Ok(());
    }
    loop {
        match parser.next_token().token {
            Token::Number(..) | Token::Word(_) => {}
            _ => {
                parser.prev_token();
                return expected(parser, "a type parameter");
            }
        }
        if !parser.consume_token(&Token::Comma) {
            break;
        }
    }
    if !parser.consume_token(&Token::RParen) {
        return expected(parser, "`)`");
    }
    Ok(())
}

/// A base type by its name (`keyword`, upper-cased): a built-in one when unquoted, else a
/// custom type.
fn base_type(word: &Word, keyword: &str) -> SqlType {
    match (word.quote_style.is_none(), keyword) {
        (true, "BOOLEAN") => SqlType::Boolean,
        (true, "INT" | "INTEGER") => SqlType::Int,
        (true, "BIGINT") => SqlType::BigInt,
        (true, "DOUBLE") => SqlType::Double,
        (true, "STRING" | "VARCHAR") => SqlType::String,
        (true, "BYTES") => SqlType::Bytes,
        (true, "DATE") => SqlType::Date,
        (true, "TIME") => SqlType::Time,
        (true, "TIMESTAMP") => SqlType::Timestamp,
        _ => SqlType::Custom(ksql_name(word)),
    }
}

fn expect_gt(parser: &mut Parser) -> Result<(), ParserError> {
    if parser.consume_token(&Token::Gt) { Ok(()) } else { expected(parser, "`>`") }
}

fn parse_u32(parser: &mut Parser) -> Result<u32, ParserError> {
    let token = parser.next_token();
    match &token.token {
        Token::Number(n, _) => match n.parse() {
            Ok(n) => Ok(n),
            Err(_) => parser.expected("a whole number", token),
        },
        _ => parser.expected("a number", token),
    }
}

/// Splits each `>>` token into two `>`, as ksqlDB's lexer has no shift operators and
/// `MAP<STRING, ARRAY<INT>>` closes two types.
pub(crate) fn split_shifts(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out = Vec::with_capacity(tokens.len());
    for token in tokens {
        if token.token == Token::ShiftRight {
            let mut middle = token.span.start;
            middle.column += 1;
            out.push(TokenWithSpan::new(Token::Gt, sqlparser::tokenizer::Span::new(token.span.start, middle)));
            out.push(TokenWithSpan::new(Token::Gt, sqlparser::tokenizer::Span::new(middle, token.span.end)));
        } else {
            out.push(token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_are_sorted_for_binary_search() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
        assert!(is_reserved("select") && is_reserved("SIZE") && !is_reserved("KEY") && !is_reserved("DATE"));
    }
}
