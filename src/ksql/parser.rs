//! The statement parser of ksqlDB 0.29, over sqlparser's tokenizer and expression parser.
//!
//! [`parse`] cuts the SQL text into statements, substitutes `${var}` references (as ksqlDB does,
//! with the variables of the `DEFINE` statements before), tokenizes each statement with
//! [`KsqlDialect`] and parses it by ksqlDB's grammar (SqlBase.g4), calling sqlparser's expression
//! parser for expressions. Each statement is parsed on its own, so a syntax error ends only its
//! statement: one run reports every error. Besides the grammar, it rejects what ksqlDB rejects
//! while building its syntax tree: `KEY` columns in tables and `PRIMARY KEY` columns in streams,
//! duplicate columns, source names with characters a topic cannot have, numbers out of range,
//! and windowed-source properties (`WINDOW_TYPE`, `WINDOW_SIZE`) that do not fit together.

use crate::ksql::ast::*;
use crate::ksql::dialect::{self, KsqlDialect, is_reserved, is_unquoted, ksql_name};
use crate::ksql::split::{Locator, split_statements, substitute};
use crate::model::{KsqlSourceKind, SourceText};
use crate::source::Span;
use sqlparser::ast::{
    AccessExpr, BinaryOperator, CastKind, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, InTarget,
    ObjectNamePart, OneOrManyWithParens, Spanned as _, Subscript, UnaryOperator, Value,
};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Word};
use std::collections::BTreeMap;

/// A syntax error, or a statement ksqlDB rejects while parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, lowercase, names in backticks, no trailing period.
    pub(crate) message: String,
    /// The offending token (or a point, at the end of the input).
    pub(crate) span: Span,
}

/// Parses every statement of `sql`. Never panics; a statement with an error is left out and
/// parsing goes on with the next statement, so every syntax error is reported.
pub fn parse(sql: &SourceText) -> (Vec<Statement>, Vec<ParseError>) {
    let mut statements = Vec::new();
    let mut errors = Vec::new();
    // `DEFINE`d variables, by upper-cased name.
    let mut variables: BTreeMap<String, String> = BTreeMap::new();
    for range in split_statements(&sql.text) {
        let raw = &sql.text[range.clone()];
        let substituted = raw.contains("${").then(|| substitute(raw, &variables));
        if let Some(s) = &substituted
            && !s.undefined.is_empty()
        {
            for (name, r) in &s.undefined {
                errors.push(ParseError {
                    message: format!("variable `{name}` is not defined"),
                    span: sql.span(range.start + r.start, range.start + r.end),
                });
            }
            continue;
        }
        let text = substituted.as_ref().map_or(raw, |s| s.text.as_str());
        let locator = Locator::new(text, range.start, substituted.as_ref());
        match parse_statement(sql, locator, substituted.as_ref().map(|s| s.text.clone())) {
            Ok(statement) => {
                match &statement.kind {
                    StatementKind::Define(d) => {
                        variables.insert(d.name.value.to_uppercase(), d.value.value.clone());
                    }
                    StatementKind::Undefine(name) => {
                        variables.remove(&name.value.to_uppercase());
                    }
                    _ => {}
                }
                statements.push(statement);
            }
            Err(error) => errors.push(error),
        }
    }
    (statements, errors)
}

/// Tokenizes and parses one statement.
fn parse_statement(sql: &SourceText, locator: Locator, substituted: Option<String>) -> Result<Statement, ParseError> {
    let tokens = match Tokenizer::new(&KsqlDialect, locator.text()).tokenize_with_location() {
        Ok(tokens) => tokens,
        Err(e) => {
            let at = locator.original(locator.local_offset(e.location.line, e.location.column), false);
            let message = match e.message.strip_prefix("Expected close delimiter '") {
                Some(rest) => {
                    let quote = rest.chars().next().unwrap_or('`');
                    format!("unterminated quoted name: its closing {quote} is missing")
                }
                None => crate::text::lowercase_first(&e.message),
            };
            return Err(ParseError { message, span: sql.span(at, at) });
        }
    };
    let tokens: Vec<TokenWithSpan> =
        dialect::split_shifts(tokens.into_iter().filter(|t| !matches!(t.token, Token::Whitespace(_))).collect());
    if tokens.len() > MAX_TOKENS {
        let span = token_range(&locator, &tokens[0]);
        return Err(ParseError {
            message: format!("statement too long to check: over {MAX_TOKENS} tokens"),
            span: sql.span(span.0, span.1),
        });
    }
    let mut p = StatementParser::new(sql, &locator, tokens);
    let kind = p.statement(0)?;
    p.expect_token(&Token::SemiColon, "`;`")?;
    // Only a substituted variable can bring a `;` into the middle of a statement.
    p.expect_token(&Token::EOF, "the end of the statement")?;
    let (start, end) = p.statement_range();
    Ok(Statement { kind, span: sql.span(start, end), range: start..end, substituted, locator })
}

/// The most tokens a statement may have: the expression tree of a longer one could be deep
/// enough to exhaust the stack.
const MAX_TOKENS: usize = 10_000;

/// The most alternatives an "expected A, B or C" message lists.
const MAX_ALTERNATIVES: usize = 6;

/// How deeply expressions may nest in the checks after parsing.
const MAX_EXPR_DEPTH: usize = 256;

/// sqlparser's precedence of comparisons: `parse_subexpr` with it reads a ksqlDB
/// `valueExpression` (arithmetic, no comparison, `AND`, `OR`, `LIKE`, `IN`, `BETWEEN`, `IS`).
const VALUE_EXPRESSION: u8 = 20;

/// The byte range in the SQL text of a token.
fn token_range(locator: &Locator, token: &TokenWithSpan) -> (usize, usize) {
    let range = locator.range(token.span);
    (range.start, range.end)
}

/// Joins alternatives as "`A`, `B` or `C`".
fn alternatives(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

struct StatementParser<'a> {
    p: Parser<'a>,
    tokens: Vec<TokenWithSpan>,
    locator: &'a Locator,
    sql: &'a SourceText,
    /// What was tried and not found at token `expected_at`, for "expected A or B" messages.
    expected: Vec<String>,
    expected_at: usize,
}

impl<'a> StatementParser<'a> {
    fn new(sql: &'a SourceText, locator: &'a Locator, tokens: Vec<TokenWithSpan>) -> Self {
        let p = Parser::new(&KsqlDialect).with_tokens_with_locations(tokens.clone());
        StatementParser { p, tokens, locator, sql, expected: Vec::new(), expected_at: 0 }
    }

    // Positions and spans.

    fn index(&self) -> usize {
        self.p.index()
    }

    fn span_of_token(&self, index: usize) -> Span {
        match self.tokens.get(index) {
            Some(token) => {
                let (start, end) = token_range(self.locator, token);
                self.sql.span(start, end)
            }
            None => {
                let end =
                    self.tokens.last().map_or(self.locator.original(0, false), |t| token_range(self.locator, t).1);
                self.sql.span(end, end)
            }
        }
    }

    /// The span from token `start` to the last token consumed.
    fn span_from(&self, start: usize) -> Span {
        let first = self.span_of_token(start);
        let last = self.span_of_token(self.index().saturating_sub(1).max(start));
        Span::new(first.file, first.start, last.end)
    }

    /// The statement's byte range in the SQL text: its first token to its last.
    fn statement_range(&self) -> (usize, usize) {
        let start = self.tokens.first().map_or(0, |t| token_range(self.locator, t).0);
        let end = self.tokens.last().map_or(start, |t| token_range(self.locator, t).1);
        (start, end)
    }

    /// The span in the SQL text's file of a sqlparser span, or `fallback` when it has none.
    fn sql_span(&self, span: sqlparser::tokenizer::Span, fallback: Span) -> Span {
        if span.start.line == 0 {
            return fallback;
        }
        let range = self.locator.range(span);
        self.sql.span(range.start, range.end)
    }

    // Tokens.

    fn peek(&self) -> &Token {
        &self.p.peek_token_ref().token
    }

    fn peek_nth(&self, n: usize) -> &Token {
        &self.p.peek_nth_token_ref(n).token
    }

    fn peek_word(&self) -> Option<&Word> {
        match self.peek() {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    fn at_kw(&self, keyword: &str) -> bool {
        self.peek_word().is_some_and(|w| is_unquoted(w, keyword))
    }

    fn nth_is_kw(&self, n: usize, keyword: &str) -> bool {
        matches!(self.peek_nth(n), Token::Word(w) if is_unquoted(w, keyword))
    }

    /// Remembers that `what` could have come at the current token.
    fn note(&mut self, what: String) {
        let at = self.index();
        if at != self.expected_at {
            self.expected.clear();
            self.expected_at = at;
        }
        if !self.expected.contains(&what) {
            self.expected.push(what);
        }
    }

    fn advance(&mut self) {
        self.p.advance_token();
    }

    fn eat_kw(&mut self, keyword: &str) -> bool {
        if self.at_kw(keyword) {
            self.advance();
            true
        } else {
            self.note(format!("`{keyword}`"));
            false
        }
    }

    /// Eats all of `keywords` in order, or none of them when the first is not there. Once the
    /// first is there, the others must follow (`GROUP` needs its `BY`).
    fn eat_kws(&mut self, keywords: &[&str]) -> Result<bool, ParseError> {
        if !keywords.first().is_some_and(|k| self.at_kw(k)) {
            self.note(format!("`{}`", keywords.join(" ")));
            return Ok(false);
        }
        for keyword in keywords {
            self.expect_kw(keyword)?;
        }
        Ok(true)
    }

    fn expect_kw(&mut self, keyword: &str) -> Result<(), ParseError> {
        if self.eat_kw(keyword) { Ok(()) } else { Err(self.error_here()) }
    }

    fn eat_token(&mut self, token: &Token, shown: &str) -> bool {
        if self.p.consume_token(token) {
            true
        } else {
            self.note(shown.to_string());
            false
        }
    }

    fn expect_token(&mut self, token: &Token, shown: &str) -> Result<(), ParseError> {
        if self.eat_token(token, shown) { Ok(()) } else { Err(self.error_here()) }
    }

    /// How the token at `index` reads in a message.
    fn describe(&self, index: usize) -> String {
        match self.tokens.get(index) {
            None | Some(TokenWithSpan { token: Token::EOF, .. }) => "end of input".into(),
            Some(token) => {
                let text = self.locator.text();
                let start = self.locator.local_offset(token.span.start.line, token.span.start.column);
                let end = self.locator.local_offset(token.span.end.line, token.span.end.column);
                let shown = text.get(start..end).unwrap_or_default();
                let shown = match shown.chars().count() {
                    n if n > 40 => format!("{}...", shown.chars().take(37).collect::<String>()),
                    _ => shown.to_string(),
                };
                // A quoted name shows its own backticks.
                if shown.starts_with('`') { shown } else { format!("`{shown}`") }
            }
        }
    }

    /// "expected <what was tried here>, found <the current token>".
    fn error_here(&self) -> ParseError {
        let index = self.index();
        let expected = if self.expected_at == index && !self.expected.is_empty() {
            // A long list of optional clauses says less than what was required last.
            let tried = &self.expected;
            if tried.len() > MAX_ALTERNATIVES { tried[tried.len() - 1].clone() } else { alternatives(tried) }
        } else {
            "something else".into()
        };
        ParseError {
            message: format!("expected {expected}, found {}", self.describe(index)),
            span: self.span_of_token(index),
        }
    }

    fn error_expecting(&mut self, what: &str) -> ParseError {
        self.note(what.to_string());
        self.error_here()
    }

    fn error_at(&self, message: impl Into<String>, span: Span) -> ParseError {
        ParseError { message: message.into(), span }
    }

    /// An error of sqlparser's, with its position, worded as ours.
    fn sqlparser_error(&self, error: ParserError) -> ParseError {
        let message = match error {
            ParserError::RecursionLimitExceeded => {
                return self.error_at("expression nested too deeply", self.span_of_token(self.index()));
            }
            ParserError::ParserError(m) | ParserError::TokenizerError(m) => m,
        };
        // sqlparser appends " at Line: L, Column: C" when it knows where.
        let (text, location) = match message.rfind(" at Line: ") {
            Some(at) => {
                let numbers: Vec<u64> =
                    message[at + 10..].split(", Column: ").filter_map(|n| n.trim().parse().ok()).collect();
                match numbers.as_slice() {
                    [line, column] => (&message[..at], Some(Location::new(*line, *column))),
                    _ => (message.as_str(), None),
                }
            }
            None => (message.as_str(), None),
        };
        let index = location
            .and_then(|l| self.tokens.iter().position(|t| t.span.start == l))
            .unwrap_or_else(|| self.index().min(self.tokens.len()));
        let span = self.span_of_token(index);
        let message = match text.strip_prefix("Expected: ").and_then(|rest| rest.split_once(", found: ")) {
            Some((expected, _)) => {
                let expected = match expected {
                    e if e.starts_with("[NOT] NULL") => {
                        "`NULL`, `NOT NULL`, `DISTINCT FROM` or `NOT DISTINCT FROM` after `IS`".to_string()
                    }
                    e if e.starts_with('`') || e.contains(' ') => e.to_string(),
                    e => format!("`{e}`"),
                };
                format!("expected {expected}, found {}", self.describe(index))
            }
            None if text.starts_with("No infix parser") => format!("unexpected {}", self.describe(index)),
            None => crate::text::lowercase_first(text),
        };
        self.error_at(message, span)
    }

    // Names and literals.

    /// An identifier: a word, quoted or not reserved. Cased as ksqlDB cases it.
    fn identifier(&mut self, what: &str) -> Result<Name, ParseError> {
        match self.peek_word() {
            Some(w) if w.quote_style.is_some() || !is_reserved(&w.value) => {
                let name = ksql_name(w);
                let span = self.span_of_token(self.index());
                self.advance();
                Ok(Spanned::new(name, span))
            }
            _ => Err(self.error_expecting(what)),
        }
    }

    /// A stream or table name: an identifier with only the characters of a topic name.
    fn source_name(&mut self) -> Result<Name, ParseError> {
        let name = self.identifier("a stream or table name")?;
        if !name.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(self.error_at(
                format!(
                    "invalid name `{}`: stream and table names may only contain letters, digits, `_` or `-`",
                    name.value
                ),
                name.span,
            ));
        }
        Ok(name)
    }

    /// An identifier or a string (a topic or subject name): kept as written.
    fn resource_name(&mut self, what: &str) -> Result<Name, ParseError> {
        let span = self.span_of_token(self.index());
        let name = match self.peek() {
            Token::SingleQuotedString(s) => s.clone(),
            Token::Word(w) if w.quote_style.is_some() || !is_reserved(&w.value) => w.value.clone(),
            _ => return Err(self.error_expecting(what)),
        };
        self.advance();
        Ok(Spanned::new(name, span))
    }

    fn string(&mut self, what: &str) -> Result<Spanned<String>, ParseError> {
        match self.peek() {
            Token::SingleQuotedString(s) => {
                let value = Spanned::new(s.clone(), self.span_of_token(self.index()));
                self.advance();
                Ok(value)
            }
            _ => Err(self.error_expecting(what)),
        }
    }

    /// A number, maybe negative, as written.
    fn number_text(&mut self) -> Option<String> {
        match (self.peek().clone(), self.peek_nth(1).clone()) {
            (Token::Number(n, _), _) => {
                self.advance();
                Some(n)
            }
            (Token::Minus, Token::Number(n, _)) => {
                self.advance();
                self.advance();
                Some(format!("-{n}"))
            }
            _ => None,
        }
    }

    /// A whole number (`LIMIT 10`, a window's size).
    fn integer(&mut self, what: &str) -> Result<Spanned<i64>, ParseError> {
        let start = self.index();
        let Some(text) = self.number_text() else { return Err(self.error_expecting(what)) };
        let span = self.span_from(start);
        match text.parse() {
            Ok(value) => Ok(Spanned::new(value, span)),
            Err(_) => Err(self.error_at(format!("expected {what}, found `{text}`"), span)),
        }
    }

    /// `NULL`, `TRUE`, `FALSE`, a number or a string.
    fn literal(&mut self) -> Result<Spanned<Literal>, ParseError> {
        let start = self.index();
        let literal = match self.peek().clone() {
            Token::SingleQuotedString(s) => {
                self.advance();
                Literal::String(s)
            }
            Token::Word(w) if is_unquoted(&w, "NULL") => {
                self.advance();
                Literal::Null
            }
            Token::Word(w) if is_unquoted(&w, "TRUE") || is_unquoted(&w, "FALSE") => {
                self.advance();
                Literal::Boolean(is_unquoted(&w, "TRUE"))
            }
            _ => match self.number_text() {
                Some(n) => Literal::Number(n),
                None => return Err(self.error_expecting("a literal (a string, a number, `TRUE`, `FALSE` or `NULL`)")),
            },
        };
        Ok(Spanned::new(literal, self.span_from(start)))
    }

    /// `n unit`: a number and a window unit.
    fn duration(&mut self) -> Result<Spanned<Duration>, ParseError> {
        let start = self.index();
        let value = self.integer("a number")?;
        let unit = match self.peek_word() {
            Some(w) if w.quote_style.is_none() => TimeUnit::from_word(&w.value),
            _ => None,
        };
        let Some(unit) = unit else {
            return Err(self.error_expecting("a time unit (`MILLISECONDS`, `SECONDS`, `MINUTES`, `HOURS` or `DAYS`)"));
        };
        self.advance();
        Ok(Spanned::new(Duration { value: value.value, unit }, self.span_from(start)))
    }

    fn sql_type(&mut self) -> Result<Spanned<SqlType>, ParseError> {
        let start = self.index();
        match dialect::parse_type(&mut self.p) {
            Ok(sql_type) => Ok(Spanned::new(sql_type, self.span_from(start))),
            Err(e) => Err(self.sqlparser_error(e)),
        }
    }

    // Statements.

    fn statement(&mut self, depth: usize) -> Result<StatementKind, ParseError> {
        let keyword = self.peek_word().filter(|w| w.quote_style.is_none()).map(|w| w.value.to_ascii_uppercase());
        match keyword.as_deref() {
            Some("CREATE") => self.create(),
            Some("INSERT") => self.insert(),
            Some("DROP") => self.drop(),
            Some("SELECT") => Ok(StatementKind::Query(self.query()?)),
            Some("TERMINATE") => {
                self.advance();
                Ok(StatementKind::Terminate(self.query_target()?))
            }
            Some("PAUSE") => {
                self.advance();
                Ok(StatementKind::Pause(self.query_target()?))
            }
            Some("RESUME") => {
                self.advance();
                Ok(StatementKind::Resume(self.query_target()?))
            }
            Some("SET") => {
                self.advance();
                Ok(StatementKind::Set(self.set_property()?))
            }
            Some("UNSET") => {
                self.advance();
                Ok(StatementKind::Unset(self.string("a property name in quotes")?))
            }
            Some("ALTER") => self.alter(),
            Some("DEFINE") => self.define(),
            Some("UNDEFINE") => {
                self.advance();
                Ok(StatementKind::Undefine(self.variable_name()?))
            }
            Some("ASSERT") => self.assert(),
            Some("SHOW" | "LIST") => self.list(),
            Some("DESCRIBE") => self.describe_statement(),
            Some("PRINT") => self.print(),
            Some("EXPLAIN") if depth < 4 => {
                self.advance();
                let starts_statement = self.peek_word().is_some_and(|w| {
                    w.quote_style.is_none() && STATEMENT_KEYWORDS.contains(&w.value.to_ascii_uppercase().as_str())
                });
                if starts_statement {
                    Ok(StatementKind::Explain(Explain::Statement(Box::new(self.statement(depth + 1)?))))
                } else {
                    Ok(StatementKind::Explain(Explain::QueryId(self.identifier("a statement or a query id")?)))
                }
            }
            _ => Err(self.error_expecting("a statement")),
        }
    }

    fn create(&mut self) -> Result<StatementKind, ParseError> {
        self.expect_kw("CREATE")?;
        let or_replace_at = self.index();
        let or_replace = self.eat_kws(&["OR", "REPLACE"])?;
        if self.at_kw("TYPE") && !or_replace {
            self.advance();
            let if_not_exists = self.eat_kws(&["IF", "NOT", "EXISTS"])?;
            let name = self.identifier("a type name")?;
            self.expect_kw("AS")?;
            let sql_type = self.sql_type()?;
            return Ok(StatementKind::CreateType(CreateType { if_not_exists, name, sql_type }));
        }
        let source_at = self.index();
        let source = self.eat_kw("SOURCE");
        let sink = !source && self.eat_kw("SINK");
        if (source || sink) && self.eat_kw("CONNECTOR") {
            if or_replace {
                return Err(
                    self.error_at("a connector cannot be created with `OR REPLACE`", self.span_of_token(or_replace_at))
                );
            }
            let if_not_exists = self.eat_kws(&["IF", "NOT", "EXISTS"])?;
            let name = self.identifier("a connector name")?;
            self.expect_kw("WITH")?;
            let properties = self.properties()?;
            let kind = if source { ConnectorKind::Source } else { ConnectorKind::Sink };
            return Ok(StatementKind::CreateConnector(CreateConnector { kind, if_not_exists, name, properties }));
        }
        if sink {
            return Err(self.error_here());
        }
        if !or_replace && !source {
            self.note("`TYPE`".into());
            self.note("`SINK`".into());
        }
        let kind = if self.eat_kw("STREAM") {
            KsqlSourceKind::Stream
        } else if self.eat_kw("TABLE") {
            KsqlSourceKind::Table
        } else {
            return Err(self.error_here());
        };
        let if_not_exists = self.eat_kws(&["IF", "NOT", "EXISTS"])?;
        let name = self.source_name()?;
        let elements_at = self.index();
        let elements = if self.p.peek_token_ref().token == Token::LParen {
            Some(self.table_elements(kind)?)
        } else {
            self.note("`(`".into());
            None
        };
        let properties = if self.eat_kw("WITH") { Some(self.properties()?) } else { None };
        if self.at_kw("AS") {
            if source {
                return Err(
                    self.error_at("`CREATE SOURCE` cannot be followed by `AS SELECT`", self.span_of_token(source_at))
                );
            }
            if elements.is_some() {
                return Err(self.error_at(
                    "a `CREATE ... AS SELECT` statement cannot declare columns",
                    self.span_of_token(elements_at),
                ));
            }
            self.advance();
            let query = self.query()?;
            return Ok(StatementKind::CreateAsSelect(CreateAsSelect {
                kind,
                or_replace,
                if_not_exists,
                name,
                properties,
                query,
            }));
        }
        if elements.is_none() || properties.is_none() {
            self.note("`AS`".into());
        }
        if let Some(properties) = &properties {
            self.check_source_properties(properties)?;
        }
        Ok(StatementKind::CreateSource(CreateSource {
            kind,
            or_replace,
            source,
            if_not_exists,
            name,
            elements,
            properties,
        }))
    }

    fn table_elements(&mut self, kind: KsqlSourceKind) -> Result<Vec<TableElement>, ParseError> {
        self.expect_token(&Token::LParen, "`(`")?;
        let mut elements: Vec<TableElement> = Vec::new();
        loop {
            let start = self.index();
            let name = self.identifier("a column name")?;
            let sql_type = self.sql_type()?;
            let constraint_at = self.index();
            let constraint = if self.eat_kws(&["PRIMARY", "KEY"])? {
                Some(ColumnConstraint::PrimaryKey)
            } else if self.eat_kw("KEY") {
                Some(ColumnConstraint::Key)
            } else if self.eat_kw("HEADERS") {
                Some(ColumnConstraint::Headers)
            } else if self.eat_kw("HEADER") {
                self.expect_token(&Token::LParen, "`(`")?;
                let key = self.string("a header key in quotes")?;
                self.expect_token(&Token::RParen, "`)`")?;
                Some(ColumnConstraint::Header(key.value))
            } else {
                None
            };
            let constraint = constraint.map(|c| Spanned::new(c, self.span_from(constraint_at)));
            match (&constraint, kind) {
                (Some(Spanned { value: ColumnConstraint::Key, span }), KsqlSourceKind::Table) => {
                    return Err(self.error_at(
                        format!("column `{}` is a `KEY` column: tables have a `PRIMARY KEY`", name.value),
                        *span,
                    ));
                }
                (Some(Spanned { value: ColumnConstraint::PrimaryKey, span }), KsqlSourceKind::Stream) => {
                    return Err(self.error_at(
                        format!("column `{}` is a `PRIMARY KEY` column: streams have a `KEY`", name.value),
                        *span,
                    ));
                }
                _ => {}
            }
            if elements.iter().any(|e| e.name.value == name.value) {
                return Err(self.error_at(format!("duplicate column `{}`", name.value), name.span));
            }
            elements.push(TableElement { name, sql_type, constraint, span: self.span_from(start) });
            if !self.eat_token(&Token::Comma, "`,`") {
                break;
            }
        }
        self.expect_token(&Token::RParen, "`)`")?;
        Ok(elements)
    }

    /// `( name = literal, ... )`.
    fn properties(&mut self) -> Result<Properties, ParseError> {
        let start = self.index();
        self.expect_token(&Token::LParen, "`(`")?;
        let mut entries: Vec<Property> = Vec::new();
        loop {
            let name_span = self.span_of_token(self.index());
            let name = match self.peek() {
                Token::SingleQuotedString(s) => s.to_uppercase(),
                Token::Word(w) if w.quote_style.is_some() || !is_reserved(&w.value) => w.value.to_uppercase(),
                _ => return Err(self.error_expecting("a property name")),
            };
            self.advance();
            self.expect_token(&Token::Eq, "`=`")?;
            let value = self.literal()?;
            if entries.iter().any(|e| e.name.value == name) {
                return Err(self.error_at(format!("duplicate property `{name}`"), name_span));
            }
            entries.push(Property { name: Spanned::new(name, name_span), value });
            if !self.eat_token(&Token::Comma, "`,`") {
                break;
            }
        }
        self.expect_token(&Token::RParen, "`)`")?;
        Ok(Properties { entries, span: self.span_from(start) })
    }

    /// What ksqlDB checks of a windowed source's properties while parsing: a known
    /// `WINDOW_TYPE`, a `WINDOW_SIZE` it can read, given for tumbling and hopping windows only.
    fn check_source_properties(&self, properties: &Properties) -> Result<(), ParseError> {
        let window_type = properties.get("WINDOW_TYPE");
        let window_size = properties.get("WINDOW_SIZE");
        if let Some(t) = window_type {
            let text = t.value.value.text().to_uppercase();
            if !["SESSION", "HOPPING", "TUMBLING"].contains(&text.as_str()) {
                return Err(self.error_at(
                    format!(
                        "unknown `WINDOW_TYPE` `{}`: expected `SESSION`, `HOPPING` or `TUMBLING`",
                        t.value.value.text()
                    ),
                    t.value.span,
                ));
            }
        }
        if let Some(size) = window_size {
            let text = size.value.value.text();
            let mut parts = text.split_whitespace();
            let (number, unit) = (parts.next(), parts.next());
            let valid = parts.next().is_none()
                && number.is_some_and(|n| n.parse::<i64>().is_ok())
                && unit.is_some_and(|u| TimeUnit::from_word(u).is_some());
            if !valid {
                return Err(self.error_at(
                    format!("invalid `WINDOW_SIZE` `{text}`: expected a number and a time unit, as in '10 SECONDS'"),
                    size.value.span,
                ));
            }
        }
        let session = window_type.is_none_or(|t| t.value.value.text().eq_ignore_ascii_case("SESSION"));
        match (window_type, window_size) {
            (Some(t), None) if !session => Err(self.error_at(
                format!(
                    "`{}` windows need a `WINDOW_SIZE`, as in `WINDOW_SIZE='10 SECONDS'`",
                    t.value.value.text().to_uppercase()
                ),
                t.value.span,
            )),
            (_, Some(size)) if session => {
                Err(self.error_at("`WINDOW_SIZE` is only for `TUMBLING` and `HOPPING` windows", size.name.span))
            }
            _ => Ok(()),
        }
    }

    fn insert(&mut self) -> Result<StatementKind, ParseError> {
        self.expect_kw("INSERT")?;
        self.expect_kw("INTO")?;
        let target = self.source_name()?;
        let columns_ahead = self.p.peek_token_ref().token == Token::LParen;
        if columns_ahead || self.at_kw("VALUES") {
            let columns = if columns_ahead {
                self.advance();
                let mut columns = Vec::new();
                loop {
                    columns.push(self.identifier("a column name")?);
                    if !self.eat_token(&Token::Comma, "`,`") {
                        break;
                    }
                }
                self.expect_token(&Token::RParen, "`)`")?;
                Some(columns)
            } else {
                None
            };
            self.expect_kw("VALUES")?;
            self.expect_token(&Token::LParen, "`(`")?;
            let mut values = Vec::new();
            if !self.eat_token(&Token::RParen, "`)`") {
                loop {
                    values.push(self.value_expr()?);
                    if !self.eat_token(&Token::Comma, "`,`") {
                        break;
                    }
                }
                self.expect_token(&Token::RParen, "`)`")?;
            }
            return Ok(StatementKind::InsertValues(InsertValues { target, columns, values }));
        }
        self.note("`(`".into());
        self.note("`VALUES`".into());
        let properties = if self.eat_kw("WITH") { Some(self.properties()?) } else { None };
        let query = self.query()?;
        Ok(StatementKind::InsertInto(InsertInto { target, properties, query }))
    }

    fn drop(&mut self) -> Result<StatementKind, ParseError> {
        self.expect_kw("DROP")?;
        let object = if self.eat_kw("STREAM") {
            DropObject::Stream
        } else if self.eat_kw("TABLE") {
            DropObject::Table
        } else if self.eat_kw("TYPE") {
            DropObject::Type
        } else if self.eat_kw("CONNECTOR") {
            DropObject::Connector
        } else {
            return Err(self.error_here());
        };
        let if_exists = self.eat_kws(&["IF", "EXISTS"])?;
        let (name, delete_topic) = match object {
            DropObject::Stream | DropObject::Table => (self.source_name()?, self.eat_kws(&["DELETE", "TOPIC"])?),
            DropObject::Type => (self.identifier("a type name")?, false),
            DropObject::Connector => (self.identifier("a connector name")?, false),
        };
        Ok(StatementKind::Drop(Drop { object, if_exists, name, delete_topic }))
    }

    fn query_target(&mut self) -> Result<QueryTarget, ParseError> {
        let at = self.index();
        if self.eat_kw("ALL") {
            return Ok(QueryTarget::All(self.span_of_token(at)));
        }
        Ok(QueryTarget::Query(self.identifier("a query id")?))
    }

    /// `'name' = 'value'`.
    fn set_property(&mut self) -> Result<SetProperty, ParseError> {
        let name = self.string("a property name in quotes")?;
        self.expect_token(&Token::Eq, "`=`")?;
        let value = self.string("a value in quotes")?;
        Ok(SetProperty { name, value })
    }

    fn alter(&mut self) -> Result<StatementKind, ParseError> {
        self.expect_kw("ALTER")?;
        if self.eat_kw("SYSTEM") {
            return Ok(StatementKind::AlterSystem(self.set_property()?));
        }
        let kind = if self.eat_kw("STREAM") {
            KsqlSourceKind::Stream
        } else if self.eat_kw("TABLE") {
            KsqlSourceKind::Table
        } else {
            return Err(self.error_here());
        };
        let name = self.source_name()?;
        let mut columns = Vec::new();
        loop {
            self.expect_kw("ADD")?;
            self.eat_kw("COLUMN");
            let column = self.identifier("a column name")?;
            let sql_type = self.sql_type()?;
            columns.push(AddColumn { name: column, sql_type });
            if !self.eat_token(&Token::Comma, "`,`") {
                break;
            }
        }
        Ok(StatementKind::AlterSource(AlterSource { kind, name, columns }))
    }

    /// A variable's name: an unquoted word (keywords included, as ksqlDB allows).
    fn variable_name(&mut self) -> Result<Name, ParseError> {
        match self.peek_word() {
            Some(w) if w.quote_style.is_none() && crate::ksql::split::is_variable_name(&w.value) => {
                let name = Spanned::new(w.value.clone(), self.span_of_token(self.index()));
                self.advance();
                Ok(name)
            }
            _ => Err(self.error_expecting("a variable name")),
        }
    }

    fn define(&mut self) -> Result<StatementKind, ParseError> {
        self.expect_kw("DEFINE")?;
        let name = self.variable_name()?;
        self.expect_token(&Token::Eq, "`=`")?;
        let value = self.string("a value in quotes")?;
        Ok(StatementKind::Define(Define { name, value }))
    }

    fn timeout(&mut self) -> Result<Option<Spanned<Duration>>, ParseError> {
        if self.eat_kw("TIMEOUT") { Ok(Some(self.duration()?)) } else { Ok(None) }
    }

    fn assert(&mut self) -> Result<StatementKind, ParseError> {
        let start = self.index();
        self.expect_kw("ASSERT")?;
        let exists = !self.eat_kws(&["NOT", "EXISTS"])?;
        if self.eat_kw("TOPIC") {
            let name = self.resource_name("a topic name")?;
            let properties = if self.eat_kw("WITH") { Some(self.properties()?) } else { None };
            let timeout = self.timeout()?;
            return Ok(StatementKind::AssertTopic(AssertTopic { exists, name, properties, timeout }));
        }
        if self.eat_kw("SCHEMA") {
            let subject = if self.eat_kw("SUBJECT") { Some(self.resource_name("a subject name")?) } else { None };
            let id = if self.eat_kw("ID") { Some(self.literal()?) } else { None };
            let timeout = self.timeout()?;
            if subject.is_none() && id.is_none() {
                return Err(self.error_at("`ASSERT SCHEMA` needs a `SUBJECT` or an `ID`", self.span_from(start)));
            }
            return Ok(StatementKind::AssertSchema(AssertSchema { exists, subject, id, timeout }));
        }
        Err(self.error_here())
    }

    fn list(&mut self) -> Result<StatementKind, ParseError> {
        self.advance();
        let start = self.index();
        let (what, can_extend) = if self.eat_kw("PROPERTIES") {
            ("PROPERTIES", false)
        } else if self.eat_kws(&["ALL", "TOPICS"])? {
            ("ALL TOPICS", true)
        } else if self.eat_kw("TOPICS") {
            ("TOPICS", true)
        } else if self.eat_kw("STREAMS") {
            ("STREAMS", true)
        } else if self.eat_kw("TABLES") {
            ("TABLES", true)
        } else if self.eat_kw("FUNCTIONS") {
            ("FUNCTIONS", false)
        } else if self.eat_kws(&["SOURCE", "CONNECTORS"])? {
            ("SOURCE CONNECTORS", false)
        } else if self.eat_kws(&["SINK", "CONNECTORS"])? {
            ("SINK CONNECTORS", false)
        } else if self.eat_kw("CONNECTORS") {
            ("CONNECTORS", false)
        } else if self.eat_kws(&["CONNECTOR", "PLUGINS"])? {
            ("CONNECTOR PLUGINS", false)
        } else if self.eat_kw("TYPES") {
            ("TYPES", false)
        } else if self.eat_kw("VARIABLES") {
            ("VARIABLES", false)
        } else if self.eat_kw("QUERIES") {
            ("QUERIES", true)
        } else {
            return Err(self.error_here());
        };
        let what = Spanned::new(what.to_string(), self.span_from(start));
        let extended = can_extend && self.eat_kw("EXTENDED");
        Ok(StatementKind::Informational(Informational::List { what, extended }))
    }

    fn describe_statement(&mut self) -> Result<StatementKind, ParseError> {
        self.expect_kw("DESCRIBE")?;
        let describe = if self.eat_kw("STREAMS") {
            Describe::Streams { extended: self.eat_kw("EXTENDED") }
        } else if self.at_kw("TABLES") && !matches!(self.peek_nth(1), Token::Word(w) if !is_unquoted(w, "EXTENDED")) {
            self.advance();
            Describe::Tables { extended: self.eat_kw("EXTENDED") }
        } else if self.at_kw("FUNCTION") && matches!(self.peek_nth(1), Token::Word(_)) {
            self.advance();
            Describe::Function(self.identifier("a function name")?)
        } else if self.at_kw("CONNECTOR") {
            self.advance();
            Describe::Connector(self.identifier("a connector name")?)
        } else {
            let name = self.source_name()?;
            Describe::Source { name, extended: self.eat_kw("EXTENDED") }
        };
        Ok(StatementKind::Informational(Informational::Describe(describe)))
    }

    fn print(&mut self) -> Result<StatementKind, ParseError> {
        self.expect_kw("PRINT")?;
        let topic = self.resource_name("a topic name")?;
        let from_beginning = self.eat_kws(&["FROM", "BEGINNING"])?;
        let interval =
            if self.eat_kw("INTERVAL") || self.eat_kw("SAMPLE") { Some(self.integer("a whole number")?) } else { None };
        let limit = if self.eat_kw("LIMIT") { Some(self.integer("a whole number")?) } else { None };
        Ok(StatementKind::Informational(Informational::Print { topic, from_beginning, interval, limit }))
    }

    // Queries.

    fn query(&mut self) -> Result<Query, ParseError> {
        let start = self.index();
        self.expect_kw("SELECT")?;
        let mut select = Vec::new();
        loop {
            select.push(self.select_item()?);
            if !self.eat_token(&Token::Comma, "`,`") {
                break;
            }
        }
        self.expect_kw("FROM")?;
        let from = self.relation()?;
        let window = if self.eat_kw("WINDOW") { Some(self.window()?) } else { None };
        let filter = if self.eat_kw("WHERE") { Some(self.expr()?) } else { None };
        let group_by = if self.eat_kws(&["GROUP", "BY"])? {
            Some(self.grouping(&["PARTITION", "HAVING", "EMIT", "LIMIT"])?)
        } else {
            None
        };
        let partition_by =
            if self.eat_kws(&["PARTITION", "BY"])? { Some(self.grouping(&["HAVING", "EMIT", "LIMIT"])?) } else { None };
        let having = if self.eat_kw("HAVING") { Some(self.expr()?) } else { None };
        let emit_at = self.index();
        let emit = if self.eat_kw("EMIT") {
            let emit = if self.eat_kw("CHANGES") {
                Emit::Changes
            } else if self.eat_kw("FINAL") {
                Emit::Final
            } else {
                return Err(self.error_here());
            };
            Some(Spanned::new(emit, self.span_from(emit_at)))
        } else {
            None
        };
        let limit = if self.eat_kw("LIMIT") { Some(self.integer("a whole number")?) } else { None };
        Ok(Query {
            select,
            from,
            window,
            filter,
            group_by,
            partition_by,
            having,
            emit,
            limit,
            span: self.span_from(start),
        })
    }

    fn select_item(&mut self) -> Result<SelectItem, ParseError> {
        let start = self.index();
        if self.p.consume_token(&Token::Mul) {
            return Ok(SelectItem::Wildcard(self.span_from(start)));
        }
        if matches!(self.peek(), Token::Word(_))
            && *self.peek_nth(1) == Token::Period
            && *self.peek_nth(2) == Token::Mul
        {
            let source = self.identifier("a source name")?;
            self.advance();
            self.advance();
            return Ok(SelectItem::SourceWildcard { source, span: self.span_from(start) });
        }
        let expr = self.expr()?;
        if *self.peek() == Token::Arrow && *self.peek_nth(1) == Token::Mul {
            self.advance();
            self.advance();
            return Ok(SelectItem::StructWildcard { expr, span: self.span_from(start) });
        }
        let explicit = self.eat_kw("AS");
        let implicit = !explicit && self.peek_word().is_some_and(|w| w.quote_style.is_some() || !is_reserved(&w.value));
        let alias = if explicit || implicit { Some(self.identifier("an alias")?) } else { None };
        Ok(SelectItem::Expr { expr, alias })
    }

    fn relation(&mut self) -> Result<Relation, ParseError> {
        let source = self.aliased_source()?;
        let mut joins = Vec::new();
        loop {
            let start = self.index();
            let kind = if self.eat_kw("JOIN") {
                JoinKind::Inner
            } else if self.eat_kw("INNER") {
                self.expect_kw("JOIN")?;
                JoinKind::Inner
            } else if self.eat_kw("LEFT") {
                self.eat_kw("OUTER");
                self.expect_kw("JOIN")?;
                JoinKind::Left
            } else if self.eat_kw("RIGHT") {
                self.eat_kw("OUTER");
                self.expect_kw("JOIN")?;
                JoinKind::Right
            } else if self.eat_kw("FULL") {
                self.eat_kw("OUTER");
                self.expect_kw("JOIN")?;
                JoinKind::Full
            } else {
                break;
            };
            let kind = Spanned::new(kind, self.span_from(start));
            let source = self.aliased_source()?;
            let within = if self.eat_kw("WITHIN") { Some(self.join_window()?) } else { None };
            self.expect_kw("ON")?;
            let on = self.expr()?;
            joins.push(Join { kind, source, within, on, span: self.span_from(start) });
        }
        Ok(Relation { source, joins })
    }

    fn aliased_source(&mut self) -> Result<AliasedSource, ParseError> {
        let name = self.source_name()?;
        let explicit = self.eat_kw("AS");
        let alias = if explicit || self.alias_ahead() { Some(self.source_name()?) } else { None };
        Ok(AliasedSource { name, alias })
    }

    /// Whether the next word is a source's alias and not the start of the next clause
    /// (`EMIT CHANGES`, `PARTITION BY`: those words are not reserved).
    fn alias_ahead(&self) -> bool {
        match self.peek_word() {
            Some(w) if w.quote_style.is_some() => true,
            Some(w) if is_reserved(&w.value) => false,
            Some(w) if is_unquoted(w, "EMIT") => !(self.nth_is_kw(1, "CHANGES") || self.nth_is_kw(1, "FINAL")),
            Some(w) if is_unquoted(w, "PARTITION") => !self.nth_is_kw(1, "BY"),
            Some(_) => true,
            None => false,
        }
    }

    fn join_window(&mut self) -> Result<JoinWindow, ParseError> {
        let start = self.index();
        let (before, after) = if self.eat_token(&Token::LParen, "`(`") {
            let before = self.duration()?;
            self.expect_token(&Token::Comma, "`,`")?;
            let after = self.duration()?;
            self.expect_token(&Token::RParen, "`)`")?;
            (before, after)
        } else {
            let size = self.duration()?;
            (size.clone(), size)
        };
        let grace = if self.eat_kws(&["GRACE", "PERIOD"])? { Some(self.duration()?) } else { None };
        Ok(JoinWindow { before, after, grace, span: self.span_from(start) })
    }

    fn window(&mut self) -> Result<Window, ParseError> {
        let start = self.index();
        let is_kind = |p: &Self, n: usize| ["TUMBLING", "HOPPING", "SESSION"].iter().any(|k| p.nth_is_kw(n, k));
        let name = if !is_kind(self, 0) && is_kind(self, 1) { Some(self.identifier("a window name")?) } else { None };
        let kind = if self.eat_kw("TUMBLING") {
            self.expect_token(&Token::LParen, "`(`")?;
            self.expect_kw("SIZE")?;
            WindowKind::Tumbling { size: self.duration()? }
        } else if self.eat_kw("HOPPING") {
            self.expect_token(&Token::LParen, "`(`")?;
            self.expect_kw("SIZE")?;
            let size = self.duration()?;
            self.expect_token(&Token::Comma, "`,`")?;
            self.expect_kw("ADVANCE")?;
            self.expect_kw("BY")?;
            WindowKind::Hopping { size, advance: self.duration()? }
        } else if self.eat_kw("SESSION") {
            self.expect_token(&Token::LParen, "`(`")?;
            WindowKind::Session { gap: self.duration()? }
        } else {
            return Err(self.error_here());
        };
        let mut retention = None;
        let mut grace = None;
        while self.eat_token(&Token::Comma, "`,`") {
            if retention.is_none() && grace.is_none() && self.eat_kw("RETENTION") {
                retention = Some(self.duration()?);
            } else if grace.is_none() && self.eat_kws(&["GRACE", "PERIOD"])? {
                grace = Some(self.duration()?);
            } else {
                return Err(self.error_here());
            }
        }
        self.expect_token(&Token::RParen, "`)`")?;
        Ok(Window { name, kind, retention, grace, span: self.span_from(start) })
    }

    /// `GROUP BY` and `PARTITION BY`: value expressions, bare or all in one pair of parentheses.
    /// `enders` are the keywords of the clauses that may follow.
    fn grouping(&mut self, enders: &[&str]) -> Result<Spanned<Vec<SqlExpr>>, ParseError> {
        let start = self.index();
        if *self.peek() == Token::LParen
            && let Some(items) = self.parenthesized_grouping(enders)?
        {
            return Ok(Spanned::new(items, self.span_from(start)));
        }
        let mut items = Vec::new();
        loop {
            items.push(self.value_expr()?);
            if !self.eat_token(&Token::Comma, "`,`") {
                break;
            }
        }
        Ok(Spanned::new(items, self.span_from(start)))
    }

    /// `( a, b )` or `()` as a whole grouping, when what follows the `)` ends the clause; else
    /// `None`, with nothing consumed (the parentheses belong to the first expression).
    fn parenthesized_grouping(&mut self, enders: &[&str]) -> Result<Option<Vec<SqlExpr>>, ParseError> {
        // Find the matching `)` and look at what follows it.
        let open = self.index();
        let mut depth = 0usize;
        let mut close = None;
        let mut has_comma = false;
        for (i, token) in self.tokens.iter().enumerate().skip(open) {
            match token.token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                Token::Comma if depth == 1 => has_comma = true,
                _ => {}
            }
        }
        let Some(close) = close else { return Ok(None) };
        // `(a)` reads the same either way, but `(a IS NULL)` only as one parenthesized expression,
        // which is how ksqlDB reads it.
        if !has_comma && close != open + 1 {
            return Ok(None);
        }
        let ends_clause = match self.tokens.get(close + 1).map(|t| &t.token) {
            None | Some(Token::SemiColon | Token::EOF) => true,
            Some(Token::Word(w)) => enders.iter().any(|e| is_unquoted(w, e)),
            _ => false,
        };
        if !ends_clause {
            return Ok(None);
        }
        self.advance();
        let mut items = Vec::new();
        if !self.eat_token(&Token::RParen, "`)`") {
            loop {
                items.push(self.value_expr()?);
                if !self.eat_token(&Token::Comma, "`,`") {
                    break;
                }
            }
            self.expect_token(&Token::RParen, "`)`")?;
        }
        Ok(Some(items))
    }

    // Expressions.

    fn expr(&mut self) -> Result<SqlExpr, ParseError> {
        self.expression(None)
    }

    /// A ksqlDB `valueExpression`: no comparison, `AND`, `OR`, `LIKE`, `IN`, `BETWEEN` or `IS`.
    fn value_expr(&mut self) -> Result<SqlExpr, ParseError> {
        self.expression(Some(VALUE_EXPRESSION))
    }

    fn expression(&mut self, precedence: Option<u8>) -> Result<SqlExpr, ParseError> {
        let start = self.index();
        if matches!(self.peek(), Token::EOF | Token::SemiColon) {
            return Err(self.error_expecting("an expression"));
        }
        let parsed = match precedence {
            Some(precedence) => self.p.parse_subexpr(precedence),
            None => self.p.parse_expr(),
        };
        let mut expr = parsed.map_err(|e| self.sqlparser_error(e))?;
        let span = self.span_from(start);
        let context = Context { value: precedence.is_some(), ..Context::default() };
        ExprCheck { parser: self, fallback: span }.check(&mut expr, 0, context)?;
        Ok(SqlExpr { expr, span })
    }
}

/// The words that start a statement (for `EXPLAIN statement`).
const STATEMENT_KEYWORDS: &[&str] = &[
    "ALTER",
    "ASSERT",
    "CREATE",
    "DEFINE",
    "DESCRIBE",
    "DROP",
    "INSERT",
    "LIST",
    "PAUSE",
    "PRINT",
    "RESUME",
    "SELECT",
    "SET",
    "SHOW",
    "TERMINATE",
    "UNDEFINE",
    "UNSET",
];

/// Where an expression sits, for the rules that depend on it.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    /// A function's argument: may be a window unit (`TIMESTAMPADD(SECONDS, ...)`) or a lambda.
    function_argument: bool,
    /// The operand of a unary minus: a number here is negative.
    negated: bool,
    /// A ksqlDB `valueExpression`: no condition (comparison, `AND`, `NOT`, `IS`, `LIKE`, ...)
    /// unless in parentheses.
    value: bool,
}

impl Context {
    const VALUE: Context = Context { function_argument: false, negated: false, value: true };
}

/// Whether an expression is a condition (a `booleanExpression` of ksqlDB's grammar, not a
/// `valueExpression`).
fn is_condition(expr: &Expr) -> bool {
    match expr {
        Expr::BinaryOp { op, .. } => is_condition_operator(op),
        Expr::UnaryOp { op: UnaryOperator::Not, .. }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::In { .. } => true,
        _ => false,
    }
}

fn is_condition_operator(op: &BinaryOperator) -> bool {
    use BinaryOperator::*;
    matches!(op, Gt | Lt | GtEq | LtEq | Eq | NotEq | And | Or)
}

/// The checks of an expression sqlparser parsed: only the shapes ksqlDB's grammar has (see the
/// `ast` module), names cased as ksqlDB cases them, numbers in range.
struct ExprCheck<'p, 'a> {
    parser: &'p StatementParser<'a>,
    fallback: Span,
}

impl ExprCheck<'_, '_> {
    fn span(&self, expr: &Expr) -> Span {
        self.parser.sql_span(shallow_span(expr), self.fallback)
    }

    fn error(&self, message: impl Into<String>, expr: &Expr) -> ParseError {
        self.parser.error_at(message, self.span(expr))
    }

    fn name(&self, ident: &mut Ident, context: Context) -> Result<(), ParseError> {
        if ident.quote_style.is_none() {
            ident.value = ident.value.to_uppercase();
            let unit_argument = context.function_argument && TimeUnit::from_word(&ident.value).is_some();
            let keyword = dialect::EXPRESSION_KEYWORDS.contains(&ident.value.as_str())
                || dialect::STRUCTURE_WORDS.contains(&ident.value.as_str());
            if keyword {
                // sqlparser falls back on a name where a keyword cannot go (`x, NOT BETWEEN 1 AND 2`).
                return Err(self.parser.error_at(
                    format!("expected an expression, found `{}`", ident.value),
                    self.parser.sql_span(ident.span, self.fallback),
                ));
            }
            if is_reserved(&ident.value) && !unit_argument {
                return Err(self.parser.error_at(
                    format!("`{}` is a reserved word: quote it with backticks to use it as a name", ident.value),
                    self.parser.sql_span(ident.span, self.fallback),
                ));
            }
        }
        Ok(())
    }

    /// A chain of binary operators (`a + b + c ...`): its left operands nest as deeply as the
    /// chain is long, so they are walked in a loop, not by recursion.
    fn check_chain(&self, expr: &mut Expr, depth: usize) -> Result<(), ParseError> {
        let mut current = expr;
        // Whether `current` must be a value: the left operand of an arithmetic operator or a
        // comparison.
        let mut value = false;
        loop {
            if subscripted_field(current) {
                reassociate_subscripts(current);
                return self.check(current, depth, Context { value, ..Context::default() });
            }
            if value && is_condition(current) {
                return Err(self.condition_error(current));
            }
            let Expr::BinaryOp { left, op, right } = current else { break };
            use BinaryOperator::*;
            let operands = if matches!(op, And | Or) { Context::default() } else { Context::VALUE };
            match op {
                Arrow => {
                    let Expr::Identifier(field) = right.as_mut() else {
                        return Err(self.error("expected a field name after `->`", right));
                    };
                    if field.quote_style.is_none() {
                        field.value = field.value.to_uppercase();
                    }
                }
                Plus | Minus | Multiply | Divide | Modulo | StringConcat | Gt | Lt | GtEq | LtEq | Eq | NotEq | And
                | Or => self.check(right, depth, operands)?,
                other => return Err(self.error(format!("ksqlDB has no `{other}` operator"), right)),
            }
            value = operands.value;
            current = left.as_mut();
        }
        self.check(current, depth, Context { value, ..Context::default() })
    }

    fn condition_error(&self, expr: &Expr) -> ParseError {
        self.error("a condition cannot be an operand here: put it in parentheses", expr)
    }

    fn check(&self, expr: &mut Expr, depth: usize, context: Context) -> Result<(), ParseError> {
        if depth > MAX_EXPR_DEPTH {
            return Err(self.error("expression nested too deeply", expr));
        }
        if context.value && is_condition(expr) {
            return Err(self.condition_error(expr));
        }
        let inner = Context::default();
        let depth = depth + 1;
        match expr {
            Expr::Identifier(ident) => self.name(ident, context)?,
            Expr::CompoundIdentifier(parts) => {
                if parts.len() != 2 {
                    return Err(self
                        .error("a column is named `source.column` at most: reach a struct's fields with `->`", expr));
                }
                for part in parts.iter_mut() {
                    self.name(part, inner)?;
                }
            }
            Expr::Value(value) => self.check_value(&value.value, value.span, context)?,
            Expr::TypedString(_) => {}
            Expr::BinaryOp { .. } => self.check_chain(expr, depth)?,
            Expr::UnaryOp { op, expr: operand } => {
                let negated = matches!(op, UnaryOperator::Minus);
                match op {
                    UnaryOperator::Plus | UnaryOperator::Minus => {
                        self.check(operand, depth, Context { negated, ..Context::VALUE })?
                    }
                    UnaryOperator::Not => self.check(operand, depth, inner)?,
                    other => return Err(self.error(format!("ksqlDB has no `{other}` operator"), expr)),
                }
            }
            Expr::Nested(e) => self.check(e, depth, inner)?,
            Expr::IsNull(e) | Expr::IsNotNull(e) => self.check(e, depth, Context::VALUE)?,
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                self.check(a, depth, Context::VALUE)?;
                self.check(b, depth, Context::VALUE)?;
            }
            Expr::AtTimeZone { timestamp, time_zone } => {
                self.check(timestamp, depth, Context::VALUE)?;
                self.check(time_zone, depth, Context::VALUE)?;
            }
            Expr::Between { expr: e, low, high, .. } => {
                self.check(e, depth, Context::VALUE)?;
                self.check(low, depth, Context::VALUE)?;
                self.check(high, depth, Context::VALUE)?;
            }
            Expr::Like { any: false, expr: e, pattern, escape_char, .. } => {
                self.check(e, depth, Context::VALUE)?;
                self.check(pattern, depth, Context::VALUE)?;
                if let Some(escape) = escape_char
                    && !matches!(escape.as_ref(), Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
                {
                    return Err(self.error("expected a string after `ESCAPE`", escape));
                }
            }
            Expr::In { expr: e, target: InTarget::List(list), global: false, .. } => {
                self.check(e, depth, Context::VALUE)?;
                for item in list {
                    self.check(item, depth, inner)?;
                }
            }
            Expr::Case { .. } => self.check_case(expr, depth)?,
            Expr::Cast { kind: CastKind::Cast, expr: e, format: None, .. } => self.check(e, depth, inner)?,
            Expr::Array(array) if array.named => {
                for item in &mut array.elem {
                    self.check(item, depth, inner)?;
                }
            }
            Expr::CompoundFieldAccess { .. } => self.check_field_access(expr, depth)?,
            Expr::Function(_) => self.check_function(expr, depth)?,
            Expr::Lambda(_) => self.check_lambda(expr, depth, context)?,
            Expr::Array(_) => return Err(self.error("an array is written `ARRAY[...]`", expr)),
            Expr::Cast { .. } => return Err(self.error("ksqlDB casts with `CAST(value AS type)`", expr)),
            _ => return Err(self.error("ksqlDB has no such expression", expr)),
        }
        Ok(())
    }

    /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`.
    fn check_case(&self, expr: &mut Expr, depth: usize) -> Result<(), ParseError> {
        let Expr::Case { operand, conditions, else_result, .. } = expr else { return Ok(()) };
        let inner = Context::default();
        if let Some(operand) = operand {
            self.check(operand, depth, Context::VALUE)?;
        }
        for when in conditions {
            self.check(&mut when.condition, depth, inner)?;
            self.check(&mut when.result, depth, inner)?;
        }
        if let Some(e) = else_result {
            self.check(e, depth, inner)?;
        }
        Ok(())
    }

    /// A column followed by subscripts (`column[1]`), the only accesses ksqlDB has besides `->`.
    fn check_field_access(&self, expr: &mut Expr, depth: usize) -> Result<(), ParseError> {
        let Expr::CompoundFieldAccess { root, access_chain } = expr else { return Ok(()) };
        let inner = Context::default();
        // sqlparser reads `source.column[1]` as `source` with the accesses `.column`,
        // `[1]`: the first two parts are the column.
        if let (Expr::Identifier(source), Some(AccessExpr::Dot(Expr::Identifier(column)))) =
            (root.as_ref(), access_chain.first())
        {
            **root = Expr::CompoundIdentifier(vec![source.clone(), column.clone()]);
            access_chain.remove(0);
        }
        self.check(root, depth, inner)?;
        for access in access_chain {
            match access {
                AccessExpr::Subscript(Subscript::Index { index }) => self.check(index, depth, Context::VALUE)?,
                _ => return Err(self.error("ksqlDB reaches a struct's fields with `->`", expr)),
            }
        }
        Ok(())
    }

    /// A lambda (`x => ...`), which only a function's argument can be.
    fn check_lambda(&self, expr: &mut Expr, depth: usize, context: Context) -> Result<(), ParseError> {
        if !context.function_argument {
            return Err(self.error("a lambda can only be a function's argument", expr));
        }
        let Expr::Lambda(lambda) = expr else { return Ok(()) };
        let inner = Context::default();
        match &mut lambda.params {
            OneOrManyWithParens::One(p) => self.name(&mut p.name, inner)?,
            OneOrManyWithParens::Many(ps) => {
                for p in ps {
                    self.name(&mut p.name, inner)?;
                }
            }
        }
        self.check(&mut lambda.body, depth, inner)?;
        Ok(())
    }

    fn check_value(&self, value: &Value, span: sqlparser::tokenizer::Span, context: Context) -> Result<(), ParseError> {
        // The span is worked out only for an error: it costs a scan of the line.
        let span = || self.parser.sql_span(span, self.fallback);
        match value {
            Value::Number(text, _) => {
                let signed = if context.negated { format!("-{text}") } else { text.clone() };
                if text.contains(['e', 'E']) {
                    if !signed.parse::<f64>().is_ok_and(f64::is_finite) {
                        return Err(self.parser.error_at(format!("number overflows `DOUBLE`: {signed}"), span()));
                    }
                } else if !text.contains('.') && signed.parse::<i64>().is_err() {
                    return Err(self
                        .parser
                        .error_at(format!("invalid numeric literal: {signed} (out of `BIGINT`'s range)"), span()));
                }
                Ok(())
            }
            Value::SingleQuotedString(_) | Value::Boolean(_) | Value::Null => Ok(()),
            _ => Err(self.parser.error_at("ksqlDB has no such literal", span())),
        }
    }

    fn check_function(&self, expr: &mut Expr, depth: usize) -> Result<(), ParseError> {
        let Expr::Function(function) = &*expr else { return Ok(()) };
        let simple = function.name.0.len() == 1
            && matches!(function.name.0[0], ObjectNamePart::Identifier(_))
            && function.filter.is_none()
            && function.over.is_none()
            && function.within_group.is_empty()
            && function.null_treatment.is_none()
            && matches!(function.parameters, FunctionArguments::None)
            && matches!(&function.args, FunctionArguments::List(list)
                if list.duplicate_treatment.is_none() && list.clauses.is_empty());
        if !simple {
            // Only sqlparser's own forms get here (`a.b(x)`): ksqlDB's calls come from the dialect.
            return Err(self.error("ksqlDB calls functions by a one-part name with plain arguments", expr));
        }
        let Expr::Function(function) = expr else { return Ok(()) };
        let FunctionArguments::List(list) = &mut function.args else { return Ok(()) };
        let ObjectNamePart::Identifier(name) = &mut function.name.0[0] else { return Ok(()) };
        if name.quote_style.is_none() {
            name.value = name.value.to_uppercase();
        }
        let constructor = name.quote_style.is_none() && (name.value == "MAP" || name.value == "STRUCT");
        let is_struct = name.value == "STRUCT";
        let argument = Context { function_argument: true, ..Context::default() };
        let mut lambda_seen = false;
        for arg in &mut list.args {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    let is_lambda = matches!(e, Expr::Lambda(_));
                    if lambda_seen && !is_lambda {
                        return Err(self.error("a function's lambdas come after its other arguments", e));
                    }
                    lambda_seen |= is_lambda;
                    self.check(e, depth, argument)?;
                }
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => {}
                FunctionArg::ExprNamed { name: key, arg: FunctionArgExpr::Expr(value), .. } if constructor => {
                    if is_struct {
                        let Expr::Identifier(field) = key else {
                            return Err(self.error("expected a field name before `:=`", key));
                        };
                        self.name(field, Context::default())?;
                    } else {
                        self.check(key, depth, Context::default())?;
                    }
                    self.check(value, depth, Context::default())?;
                }
                FunctionArg::ExprNamed { name: key, .. } => {
                    return Err(self.error("only the `MAP` and `STRUCT` constructors take `key := value`", key));
                }
                _ => return Err(self.parser.error_at("ksqlDB has no such function argument", self.fallback)),
            }
        }
        Ok(())
    }
}

/// sqlparser's span of an expression, walking the left operands of a chain of binary operators
/// in a loop: `Spanned::span` recurses as deep as the chain is long.
fn shallow_span(expr: &Expr) -> sqlparser::tokenizer::Span {
    let mut current = expr;
    let mut end = None;
    while let Expr::BinaryOp { left, right, .. } = current {
        end = end.or_else(|| Some(right.span()));
        current = left;
    }
    let start = current.span();
    match end {
        Some(end) => start.union(&end),
        None => start,
    }
}

/// Whether `expr` is `a -> b[...]` as sqlparser reads it: the subscripts taken as the field's.
fn subscripted_field(expr: &Expr) -> bool {
    matches!(expr, Expr::BinaryOp { op: BinaryOperator::Arrow, right, .. }
        if matches!(right.as_ref(), Expr::CompoundFieldAccess { root, .. } if matches!(root.as_ref(), Expr::Identifier(_))))
}

/// Turns `a -> (b[1])` into `(a -> b)[1]`, as ksqlDB reads it.
fn reassociate_subscripts(expr: &mut Expr) {
    let placeholder = || Expr::Value(Value::Null.into());
    let Expr::BinaryOp { left, right, .. } = expr else { return };
    let Expr::CompoundFieldAccess { root, access_chain } = right.as_mut() else { return };
    let field = std::mem::replace(root.as_mut(), placeholder());
    let access_chain = std::mem::take(access_chain);
    let base = std::mem::replace(left.as_mut(), placeholder());
    let dereference = Expr::BinaryOp { left: Box::new(base), op: BinaryOperator::Arrow, right: Box::new(field) };
    *expr = Expr::CompoundFieldAccess { root: Box::new(dereference), access_chain };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn parse_str(sql: &str) -> (Vec<Statement>, Vec<ParseError>) {
        parse(&SourceText::from_file(FileId(0), sql.into()))
    }

    /// The one statement of `sql`, which must parse.
    fn one(sql: &str) -> StatementKind {
        let (statements, errors) = parse_str(sql);
        assert!(errors.is_empty(), "{sql}: {errors:?}");
        assert_eq!(statements.len(), 1, "{sql}");
        statements.into_iter().next().unwrap().kind
    }

    /// The errors of `sql`, as (message, the text they point at).
    fn errors(sql: &str) -> Vec<(String, String)> {
        let (_, errors) = parse_str(sql);
        errors.into_iter().map(|e| (e.message, sql[e.span.start..e.span.end].to_string())).collect()
    }

    fn error(sql: &str) -> (String, String) {
        let mut all = errors(sql);
        assert_eq!(all.len(), 1, "{sql}: {all:?}");
        all.remove(0)
    }

    #[test]
    fn create_stream_with_columns_keys_headers_and_properties() {
        let sql = "CREATE OR REPLACE STREAM IF NOT EXISTS orders (id STRUCT<a INT, `b` ARRAY<MAP<STRING, BIGINT>>> KEY, \
                   `Amount` DECIMAL(10, 2), h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, k BYTES HEADER('k')) \
                   WITH (kafka_topic='orders', 'value_format'='AVRO', partitions=3, wrap_single_value=false);";
        let StatementKind::CreateSource(c) = one(sql) else { panic!() };
        assert_eq!(c.kind, KsqlSourceKind::Stream);
        assert!(c.or_replace && c.if_not_exists && !c.source);
        assert_eq!(c.name.value, "ORDERS");
        let elements = c.elements.unwrap();
        let names: Vec<&str> = elements.iter().map(|e| e.name.value.as_str()).collect();
        assert_eq!(names, ["ID", "Amount", "H", "K"]);
        assert_eq!(elements[0].sql_type.value.to_string(), "STRUCT<`A` INTEGER, `b` ARRAY<MAP<STRING, BIGINT>>>");
        assert_eq!(elements[0].constraint.as_ref().unwrap().value, ColumnConstraint::Key);
        assert_eq!(elements[1].sql_type.value, SqlType::Decimal { precision: 10, scale: 2 });
        assert_eq!(elements[2].constraint.as_ref().unwrap().value, ColumnConstraint::Headers);
        assert_eq!(elements[3].constraint.as_ref().unwrap().value, ColumnConstraint::Header("k".into()));
        assert_eq!(&sql[elements[1].name.span.start..elements[1].name.span.end], "`Amount`");
        let properties = c.properties.unwrap();
        assert_eq!(properties.get("kafka_topic").unwrap().value.value, Literal::String("orders".into()));
        assert_eq!(properties.get("VALUE_FORMAT").unwrap().value.value.text(), "AVRO");
        assert_eq!(properties.get("PARTITIONS").unwrap().value.value, Literal::Number("3".into()));
        assert_eq!(properties.get("WRAP_SINGLE_VALUE").unwrap().value.value, Literal::Boolean(false));
    }

    #[test]
    fn create_source_table_and_a_table_without_columns() {
        let StatementKind::CreateSource(c) =
            one("CREATE SOURCE TABLE t (id INT PRIMARY KEY, v STRING) WITH (kafka_topic='t', format='JSON');")
        else {
            panic!()
        };
        assert!(c.source);
        assert_eq!(c.kind, KsqlSourceKind::Table);
        let StatementKind::CreateSource(c) = one("CREATE TABLE t WITH (kafka_topic='t', format='AVRO');") else {
            panic!()
        };
        assert_eq!(c.elements, None);
    }

    #[test]
    fn create_as_select_with_every_clause() {
        let sql = "CREATE TABLE counts WITH (kafka_topic='counts') AS SELECT o.id AS id, COUNT(*) cnt, \
                   LATEST_BY_OFFSET(o.v->name) FROM orders o WINDOW TUMBLING (SIZE 1 HOUR, RETENTION 2 DAYS, \
                   GRACE PERIOD 10 MINUTES) WHERE o.v->amount > 10 AND o.id IS NOT NULL GROUP BY o.id \
                   HAVING COUNT(*) > 1 EMIT FINAL LIMIT 5;";
        let StatementKind::CreateAsSelect(c) = one(sql) else { panic!() };
        assert_eq!(c.kind, KsqlSourceKind::Table);
        let q = &c.query;
        assert_eq!(q.select.len(), 3);
        let SelectItem::Expr { alias: Some(alias), .. } = &q.select[1] else { panic!() };
        assert_eq!(alias.value, "CNT");
        assert_eq!(q.from.source.reference().value, "O");
        let window = q.window.as_ref().unwrap();
        assert_eq!(
            window.kind,
            WindowKind::Tumbling {
                size: Spanned::new(Duration { value: 1, unit: TimeUnit::Hours }, window_span(sql, "1 HOUR")),
            }
        );
        assert_eq!(window.retention.as_ref().unwrap().value.millis(), 2 * 86_400_000);
        assert_eq!(window.grace.as_ref().unwrap().value, Duration { value: 10, unit: TimeUnit::Minutes });
        assert!(q.filter.is_some() && q.having.is_some());
        assert_eq!(q.group_by.as_ref().unwrap().value.len(), 1);
        assert_eq!(q.emit.as_ref().unwrap().value, Emit::Final);
        assert_eq!(q.limit.as_ref().unwrap().value, 5);
        let filter = q.filter.as_ref().unwrap();
        assert_eq!(&sql[filter.span.start..filter.span.end], "o.v->amount > 10 AND o.id IS NOT NULL");
    }

    fn window_span(sql: &str, text: &str) -> Span {
        let at = sql.find(text).unwrap();
        Span::new(FileId(0), at, at + text.len())
    }

    #[test]
    fn expressions_have_ksqldb_shapes_and_names() {
        let sql = "SELECT s->f->g, a[1]->x, TRANSFORM(arr, x => x + 1), REDUCE(m, 0, (s, k, v) => s + v), \
                   MAP('a' := 1), STRUCT(f := 1, `g` := 'x'), ARRAY[1, 2], CAST(x AS MAP<STRING, ARRAY<INT>>), \
                   CASE WHEN x BETWEEN 1 AND 2 THEN 'a' ELSE 'b' END, x LIKE '%a' ESCAPE '!', x IN (1, 2), \
                   SUBSTRING(s, 1, 2), TIMESTAMPADD(SECONDS, 5, ts), `Col`, interval, -9223372036854775808 \
                   FROM s EMIT CHANGES;";
        let StatementKind::Query(q) = one(sql) else { panic!() };
        let exprs: Vec<&Expr> = q
            .select
            .iter()
            .map(|i| match i {
                SelectItem::Expr { expr, .. } => &expr.expr,
                _ => panic!(),
            })
            .collect();
        let Expr::BinaryOp { left, op: BinaryOperator::Arrow, right } = exprs[0] else { panic!("{:?}", exprs[0]) };
        assert!(matches!(left.as_ref(), Expr::BinaryOp { op: BinaryOperator::Arrow, .. }));
        assert_eq!(right.as_ref(), &Expr::Identifier(Ident::new("G")));
        assert!(
            matches!(exprs[1], Expr::BinaryOp { left, .. } if matches!(left.as_ref(), Expr::CompoundFieldAccess { .. }))
        );
        let Expr::Function(transform) = exprs[2] else { panic!() };
        let FunctionArguments::List(args) = &transform.args else { panic!() };
        assert!(matches!(&args.args[1], FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(_)))));
        let Expr::Function(reduce) = exprs[3] else { panic!() };
        let FunctionArguments::List(args) = &reduce.args else { panic!() };
        let FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(lambda))) = &args.args[2] else { panic!() };
        assert!(matches!(&lambda.params, OneOrManyWithParens::Many(p) if p.len() == 3 && p[0].name.value == "S"));
        let Expr::Function(map) = exprs[4] else { panic!() };
        assert_eq!(map.name.to_string(), "MAP");
        let Expr::Cast { data_type, .. } = exprs[7] else { panic!() };
        assert_eq!(SqlType::from_data_type(data_type).unwrap().to_string(), "MAP<STRING, ARRAY<INTEGER>>");
        assert!(matches!(exprs[11], Expr::Function(f) if f.name.to_string() == "SUBSTRING"));
        assert_eq!(exprs[13], &Expr::Identifier(Ident::with_quote('`', "Col")));
        assert_eq!(exprs[14], &Expr::Identifier(Ident::new("INTERVAL")));
    }

    #[test]
    fn every_join_kind_with_within_and_grace() {
        let sql = "SELECT * FROM a JOIN b WITHIN 1 HOUR ON a.id = b.id INNER JOIN c ON a.id = c.id \
                   LEFT OUTER JOIN d WITHIN (1 SECOND, 2 MINUTES) GRACE PERIOD 3 SECONDS ON a.id = d.id \
                   RIGHT JOIN e AS ee ON a.id = ee.id FULL OUTER JOIN f ON a.id = f.id LEFT JOIN g ON a.id = g.id \
                   PARTITION BY a.id EMIT CHANGES;";
        let StatementKind::Query(q) = one(sql) else { panic!() };
        let kinds: Vec<JoinKind> = q.from.joins.iter().map(|j| j.kind.value).collect();
        use JoinKind::*;
        assert_eq!(kinds, [Inner, Inner, Left, Right, Full, Left]);
        let w = q.from.joins[2].within.as_ref().unwrap();
        assert_eq!((w.before.value.millis(), w.after.value.millis()), (1_000, 120_000));
        assert_eq!(w.grace.as_ref().unwrap().value.millis(), 3_000);
        assert_eq!(q.from.joins[0].within.as_ref().unwrap().after.value.millis(), 3_600_000);
        assert_eq!(q.from.joins[3].source.reference().value, "EE");
        assert_eq!(q.partition_by.as_ref().unwrap().value.len(), 1);
    }

    #[test]
    fn windows_hopping_and_session_and_groupings() {
        let StatementKind::Query(q) = one(
            "SELECT k, COUNT(*) FROM s WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY (k, j) EMIT CHANGES;",
        ) else {
            panic!()
        };
        assert!(matches!(q.window.unwrap().kind, WindowKind::Hopping { advance, .. } if advance.value.value == 10));
        assert_eq!(q.group_by.unwrap().value.len(), 2);
        let StatementKind::Query(q) =
            one("SELECT k FROM s WINDOW w SESSION (5 MINUTES) GROUP BY (k + 1) * 2, j EMIT CHANGES;")
        else {
            panic!()
        };
        assert_eq!(q.window.as_ref().unwrap().name.as_ref().unwrap().value, "W");
        assert_eq!(q.group_by.unwrap().value.len(), 2);
    }

    #[test]
    fn insert_drop_terminate_and_the_other_statements() {
        assert!(matches!(one("INSERT INTO s WITH (QUERY_ID='q') SELECT * FROM t;"), StatementKind::InsertInto(_)));
        let StatementKind::InsertValues(v) = one("INSERT INTO s (a, `B`) VALUES (1, 'x');") else { panic!() };
        assert_eq!(v.columns.unwrap().iter().map(|c| c.value.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(v.values.len(), 2);
        assert!(matches!(one("INSERT INTO s VALUES ();"), StatementKind::InsertValues(v) if v.values.is_empty()));
        let StatementKind::CreateConnector(c) =
            one("CREATE SOURCE CONNECTOR IF NOT EXISTS `jdbc` WITH ('connector.class'='x', \"tasks.max\"='1');")
        else {
            panic!()
        };
        assert!(c.if_not_exists && c.kind == ConnectorKind::Source && c.name.value == "jdbc");
        assert_eq!(c.properties.get("connector.class").unwrap().value.value.text(), "x");
        assert!(matches!(one("CREATE SINK CONNECTOR k WITH (a='b');"), StatementKind::CreateConnector(_)));
        let StatementKind::CreateType(t) = one("CREATE TYPE IF NOT EXISTS address AS STRUCT<street STRING>;") else {
            panic!()
        };
        assert_eq!(t.name.value, "ADDRESS");
        let StatementKind::Drop(d) = one("DROP TABLE IF EXISTS t DELETE TOPIC;") else { panic!() };
        assert!(d.if_exists && d.delete_topic && d.object == DropObject::Table);
        assert!(matches!(one("DROP TYPE address;"), StatementKind::Drop(d) if d.object == DropObject::Type));
        assert!(matches!(one("DROP CONNECTOR c;"), StatementKind::Drop(d) if d.object == DropObject::Connector));
        assert!(matches!(one("TERMINATE ALL;"), StatementKind::Terminate(QueryTarget::All(_))));
        assert!(
            matches!(one("TERMINATE CSAS_X_1;"), StatementKind::Terminate(QueryTarget::Query(q)) if q.value == "CSAS_X_1")
        );
        assert!(
            matches!(one("SET 'auto.offset.reset'='earliest';"), StatementKind::Set(s) if s.value.value == "earliest")
        );
        assert!(matches!(one("UNSET 'auto.offset.reset';"), StatementKind::Unset(_)));
        assert!(matches!(one("ALTER SYSTEM 'a'='b';"), StatementKind::AlterSystem(_)));
        assert!(
            matches!(one("ALTER STREAM s ADD COLUMN c INT, ADD d STRING;"), StatementKind::AlterSource(a) if a.columns.len() == 2)
        );
        assert!(
            matches!(one("ASSERT NOT EXISTS TOPIC 'x' WITH (partitions=1) TIMEOUT 3 SECONDS;"), StatementKind::AssertTopic(a) if !a.exists)
        );
        assert!(matches!(one("ASSERT SCHEMA SUBJECT 'x-value' ID 3;"), StatementKind::AssertSchema(a) if a.exists));
        assert!(matches!(
            one("SHOW STREAMS EXTENDED;"),
            StatementKind::Informational(Informational::List { extended: true, .. })
        ));
        assert!(matches!(one("LIST SOURCE CONNECTORS;"), StatementKind::Informational(_)));
        assert!(matches!(one("DESCRIBE orders EXTENDED;"), StatementKind::Informational(_)));
        assert!(matches!(one("DESCRIBE FUNCTION concat;"), StatementKind::Informational(_)));
        assert!(matches!(
            one("DESCRIBE TABLES;"),
            StatementKind::Informational(Informational::Describe(Describe::Tables { .. }))
        ));
        assert!(matches!(one("PRINT 'topic' FROM BEGINNING INTERVAL 2 LIMIT 3;"), StatementKind::Informational(_)));
        assert!(matches!(one("EXPLAIN SELECT * FROM t;"), StatementKind::Explain(Explain::Statement(_))));
        assert!(matches!(one("EXPLAIN CTAS_T_0;"), StatementKind::Explain(Explain::QueryId(_))));
        assert!(matches!(one("PAUSE ALL;"), StatementKind::Pause(_)));
    }

    #[test]
    fn variables_are_defined_substituted_and_undefined() {
        let sql = "DEFINE topic = 'orders';\nDEFINE n = '3';\nCREATE STREAM ${topic} (id INT KEY) \
                   WITH (kafka_topic='${topic}', partitions=${n}, format='JSON');\nUNDEFINE n;\nSELECT ${n} FROM x;";
        let (statements, errors) = parse_str(sql);
        assert_eq!(statements.len(), 4);
        let StatementKind::CreateSource(c) = &statements[2].kind else { panic!() };
        assert_eq!(c.name.value, "ORDERS");
        // The name's span covers the `${topic}` it came from.
        assert_eq!(&sql[c.name.span.start..c.name.span.end], "${topic}");
        assert_eq!(c.properties.as_ref().unwrap().get("PARTITIONS").unwrap().value.value.text(), "3");
        assert!(statements[2].substituted.is_some());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "variable `n` is not defined");
        assert_eq!(&sql[errors[0].span.start..errors[0].span.end], "${n}");
    }

    #[test]
    fn errors_point_at_the_offending_token_and_parsing_resumes_after_the_semicolon() {
        let sql = "CREATE STREAM s FROM x;\nSELECT * FROM t;\nCREATE TABLE u (id INT PRIMARY KEY) WITH (a=);\n\
                   SELECT a b c FROM t;\nRUN SCRIPT 'x';";
        let (statements, errors) = parse_str(sql);
        assert_eq!(statements.len(), 1);
        let found: Vec<(&str, &str)> =
            errors.iter().map(|e| (e.message.as_str(), &sql[e.span.start..e.span.end])).collect();
        assert_eq!(
            found,
            [
                ("expected `(`, `WITH`, `AS` or `;`, found `FROM`", "FROM"),
                ("expected a literal (a string, a number, `TRUE`, `FALSE` or `NULL`), found `)`", ")"),
                ("expected `,` or `FROM`, found `c`", "c"),
                ("expected a statement, found `RUN`", "RUN"),
            ]
        );
    }

    #[test]
    fn the_rules_ksqldb_applies_while_parsing() {
        let (message, at) = error("CREATE TABLE t (id INT KEY, v INT) WITH (kafka_topic='t', format='JSON');");
        assert_eq!(
            (message.as_str(), at.as_str()),
            ("column `ID` is a `KEY` column: tables have a `PRIMARY KEY`", "KEY")
        );
        assert!(
            error("CREATE STREAM s (id INT PRIMARY KEY) WITH (kafka_topic='t');").0.contains("streams have a `KEY`")
        );
        assert_eq!(error("CREATE STREAM s (a INT, A STRING) WITH (kafka_topic='t');").0, "duplicate column `A`");
        assert_eq!(error("CREATE STREAM s (c NULL) WITH (kafka_topic='t');").1, "NULL");
        assert_eq!(error("CREATE STREAM s (c MAP<STRING, NULL>) WITH (kafka_topic='t');").1, "NULL");
        assert_eq!(error("SELECT * FROM s WHERE id IN ( );").1, ")");
        assert_eq!(error("SELECT COUNT(*) FROM s GROUP BY a AND b;").1, "AND");
        assert_eq!(error("SELECT COUNT(*) FROM s GROUP BY a, (b, c);").1, ",");
        assert_eq!(error("SELECT * FROM EXPLODE(arr);").1, "(");
        assert_eq!(
            error("SELECT 9223372036854775808 FROM s;"),
            (
                "invalid numeric literal: 9223372036854775808 (out of `BIGINT`'s range)".into(),
                "9223372036854775808".into()
            )
        );
        assert!(error("SELECT -9223372036854775809 FROM s;").0.contains("-9223372036854775809"));
        assert!(error("SELECT 1.7976931348623159E308 FROM s;").0.starts_with("number overflows `DOUBLE`"));
        let window = "CREATE TABLE t (k STRING PRIMARY KEY) WITH (kafka_topic='t', format='JSON', WINDOW_TYPE='Hopping', WINDOW_SIZE='30 bobs');";
        assert_eq!(error(window).1, "'30 bobs'");
        let session = "CREATE TABLE t (k STRING PRIMARY KEY) WITH (kafka_topic='t', format='JSON', WINDOW_TYPE='Session', WINDOW_SIZE='3 SECONDS');";
        assert_eq!(error(session).1, "WINDOW_SIZE");
        assert_eq!(error("SELECT size FROM s;").1, "size");
        assert_eq!(error("CREATE STREAM `a b` (x INT) WITH (kafka_topic='t');").1, "`a b`");
        assert_eq!(error("SELECT (a, b) FROM s;").1, ",");
        assert_eq!(error("SELECT a.b.c FROM s;").1, "a.b.c");
        assert_eq!(error("SELECT * FROM s").0, "expected `;`, found end of input");
    }

    #[test]
    fn conditions_are_operands_only_in_parentheses() {
        for sql in [
            "SELECT * FROM s WHERE a = 1 = 2;",
            "SELECT * FROM s WHERE a IS NULL = TRUE;",
            "SELECT * FROM s WHERE a = b IS NULL;",
            "SELECT COUNT(*) FROM s GROUP BY NOT a;",
            "SELECT COUNT(*) FROM s GROUP BY a = b;",
            "INSERT INTO s VALUES (a = b);",
        ] {
            let (_, errors) = parse_str(sql);
            assert_eq!(errors.len(), 1, "{sql}");
        }
        for sql in [
            "SELECT * FROM s WHERE (a = 1) = TRUE AND NOT b LIKE 'x%' OR c NOT IN (1, 2);",
            "SELECT * FROM s WHERE a BETWEEN 1 + 2 AND 3 AND b IS NOT DISTINCT FROM c;",
            "SELECT COUNT(*) FROM s GROUP BY (a IS NULL);",
            "SELECT CASE WHEN a = 1 THEN b = 2 ELSE FALSE END FROM s;",
        ] {
            let (_, errors) = parse_str(sql);
            assert!(errors.is_empty(), "{sql}: {errors:?}");
        }
    }

    #[test]
    fn spans_land_in_the_file_for_inline_sql() {
        let kdl = "transform t {\n    sql #\"\"\"\n        SELECT *\n          FROM t WHERE;\n        \"\"\"#\n}\n";
        let start = kdl.find("#\"\"\"").unwrap();
        let end = kdl.rfind("\"\"\"#").unwrap() + 4;
        let value = "SELECT *\n  FROM t WHERE;".to_string();
        let sql = SourceText::inline(FileId(0), value, &kdl[start..end], start);
        let (_, errors) = parse(&sql);
        assert_eq!(errors.len(), 1);
        assert_eq!(&kdl[errors[0].span.start..errors[0].span.end], ";");
        assert_eq!(errors[0].message, "expected an expression, found `;`");
    }

    #[test]
    fn statement_spans_and_ranges_cover_the_statement() {
        let sql = "-- a comment\nSELECT * FROM t;\n\n  DROP STREAM s;";
        let (statements, errors) = parse_str(sql);
        assert!(errors.is_empty());
        assert_eq!(&sql[statements[0].range.clone()], "SELECT * FROM t;");
        assert_eq!(&sql[statements[1].span.start..statements[1].span.end], "DROP STREAM s;");
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        for sql in [
            "SELECT ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1 FROM s;",
            "CREATE STREAM s (a ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<INT>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>);",
            "SELECT 'unterminated FROM s;",
            "EXPLAIN EXPLAIN EXPLAIN EXPLAIN EXPLAIN EXPLAIN SELECT * FROM s;",
            "SELECT é FROM s;",
            "SELECT x FROM s WHERE a->;",
            "",
            ";",
        ] {
            let _ = parse_str(sql);
        }
        let long = format!("SELECT {} FROM s;", vec!["1"; 4000].join(" + "));
        assert_eq!(parse_str(&long).1, []);
    }
}
