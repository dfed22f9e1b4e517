//! The outline of ksqlDB statements: the streams and tables they create and the topics those
//! read and write.
//!
//! This reads only the heads of statements, using sqlparser's tokenizer: `CREATE [OR REPLACE]
//! [SOURCE] STREAM|TABLE name`, its key columns, its `WITH (...)` properties, whether it is
//! `AS SELECT`, whether that query is windowed, the first source it selects `FROM`, and
//! `INSERT INTO name`. It does not parse queries or infer types; that is the full front end's job.

use crate::model::{KsqlSourceKind, SourceText, Spanned};
use crate::source::Span;
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};
use std::collections::BTreeMap;

/// A stream or table created by a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedSource {
    pub kind: KsqlSourceKind,
    /// The name as ksqlDB knows it (unquoted names upper-cased).
    pub name: Spanned<String>,
    /// The topic: `KAFKA_TOPIC`, else the upper-cased name.
    pub topic: Spanned<String>,
    /// `CREATE ... AS SELECT`: the statement writes the topic. Otherwise it declares a source over
    /// a topic that something else writes.
    pub writes: bool,
    /// The `WITH` properties, by upper-cased name, with their (unquoted) values.
    pub properties: BTreeMap<String, Spanned<String>>,
    /// The declared key columns (`ID INT KEY`, `ID STRING PRIMARY KEY`), with their types as
    /// written, upper-cased.
    pub key_columns: Vec<KeyColumn>,
    /// The query aggregates over a `WINDOW TUMBLING|HOPPING|SESSION`: its key is windowed.
    pub windowed: bool,
    /// The first source the query selects from.
    pub from: Option<Spanned<String>>,
    /// The whole statement, from `CREATE` to its last token.
    pub span: Span,
}

impl CreatedSource {
    /// A property's value, by its upper-case name.
    pub fn property(&self, name: &str) -> Option<&Spanned<String>> {
        self.properties.get(name)
    }

    /// The key format the statement gives: `KEY_FORMAT`, else `FORMAT`.
    pub fn key_format(&self) -> Option<&Spanned<String>> {
        self.property("KEY_FORMAT").or_else(|| self.property("FORMAT"))
    }

    /// The value format the statement gives: `VALUE_FORMAT`, else `FORMAT`.
    pub fn value_format(&self) -> Option<&Spanned<String>> {
        self.property("VALUE_FORMAT").or_else(|| self.property("FORMAT"))
    }
}

/// A key column of a CREATE statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyColumn {
    pub name: Spanned<String>,
    pub sql_type: String,
}

/// `INSERT INTO name ...`: a statement writing into an existing stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsertInto {
    pub target: Spanned<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub created: Vec<CreatedSource>,
    pub inserts: Vec<InsertInto>,
}

/// Why the SQL could not be tokenized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenizeError {
    pub message: String,
    pub offset: usize,
}

/// Outlines every statement of the text.
pub fn outline(sql: &SourceText) -> Result<Outline, TokenizeError> {
    let tokens = Tokenizer::new(&GenericDialect {}, &sql.text).tokenize_with_location().map_err(|e| TokenizeError {
        message: e.message.clone(),
        offset: sql.offset_of(e.location.line, e.location.column),
    })?;
    let significant: Vec<TokenWithSpan> =
        tokens.into_iter().filter(|t| !matches!(t.token, Token::Whitespace(_))).collect();
    let mut outline = Outline::default();
    for statement in significant.split(|t| t.token == Token::SemiColon) {
        outline_statement(statement, sql, &mut outline);
    }
    Ok(outline)
}

fn outline_statement(tokens: &[TokenWithSpan], sql: &SourceText, outline: &mut Outline) {
    let mut cursor = Cursor { tokens, at: 0, sql };
    if cursor.eat_words(&["INSERT", "INTO"]) {
        if let Some(target) = cursor.identifier() {
            outline.inserts.push(InsertInto { target });
        }
        return;
    }
    let Some(first) = tokens.first() else { return };
    if !cursor.eat_word("CREATE") {
        return;
    }
    cursor.eat_words(&["OR", "REPLACE"]);
    cursor.eat_word("SOURCE");
    let kind = if cursor.eat_word("STREAM") {
        KsqlSourceKind::Stream
    } else if cursor.eat_word("TABLE") {
        KsqlSourceKind::Table
    } else {
        return;
    };
    cursor.eat_words(&["IF", "NOT", "EXISTS"]);
    let Some(name) = cursor.identifier() else { return };
    let key_columns = if cursor.at_token(&Token::LParen) { cursor.key_columns() } else { Vec::new() };
    let properties = if cursor.eat_word("WITH") { cursor.properties() } else { BTreeMap::new() };
    let writes = cursor.eat_words(&["AS", "SELECT"]);
    let (windowed, from) = if writes { cursor.query_facts() } else { (false, None) };
    let last = tokens.last().unwrap_or(first);
    let span = cursor.span_between(first, last);
    let topic = properties.get("KAFKA_TOPIC").cloned().unwrap_or_else(|| name.clone());
    outline.created.push(CreatedSource { kind, name, topic, writes, properties, key_columns, windowed, from, span });
}

struct Cursor<'a> {
    tokens: &'a [TokenWithSpan],
    at: usize,
    sql: &'a SourceText,
}

impl<'a> Cursor<'a> {
    fn peek_word(&self) -> Option<&sqlparser::tokenizer::Word> {
        match self.tokens.get(self.at).map(|t| &t.token) {
            Some(Token::Word(word)) => Some(word),
            _ => None,
        }
    }

    fn eat_word(&mut self, keyword: &str) -> bool {
        let hit = self.peek_word_is(keyword);
        if hit {
            self.at += 1;
        }
        hit
    }

    /// Eats all the words in order, or none of them.
    fn eat_words(&mut self, keywords: &[&str]) -> bool {
        let start = self.at;
        if keywords.iter().all(|k| self.eat_word(k)) {
            return true;
        }
        self.at = start;
        false
    }

    /// An identifier, cased as ksqlDB cases it: unquoted upper-cased, quoted kept.
    fn identifier(&mut self) -> Option<Spanned<String>> {
        let token = self.tokens.get(self.at)?;
        let Token::Word(word) = &token.token else { return None };
        self.at += 1;
        let name = match word.quote_style {
            Some(_) => word.value.clone(),
            None => word.value.to_uppercase(),
        };
        Some(Spanned::new(name, self.span_of(token)))
    }

    fn span_of(&self, token: &TokenWithSpan) -> crate::source::Span {
        let start = self.sql.offset_of(token.span.start.line, token.span.start.column);
        let end = self.sql.offset_of(token.span.end.line, token.span.end.column);
        self.sql.span(start, end)
    }

    fn at_token(&self, token: &Token) -> bool {
        self.tokens.get(self.at).is_some_and(|t| &t.token == token)
    }

    fn span_between(&self, first: &TokenWithSpan, last: &TokenWithSpan) -> Span {
        let start = self.span_of(first);
        let end = self.span_of(last);
        Span::new(start.file, start.start, end.end)
    }

    /// The tokens of a parenthesised list, each element's tokens apart, the cursor left after the
    /// closing parenthesis.
    fn parenthesised_elements(&mut self) -> Vec<Vec<&'a TokenWithSpan>> {
        let mut elements = vec![Vec::new()];
        let mut depth = 0usize;
        let tokens: &'a [TokenWithSpan] = self.tokens;
        while let Some(token) = tokens.get(self.at) {
            self.at += 1;
            match token.token {
                Token::LParen => {
                    depth += 1;
                    if depth == 1 {
                        continue;
                    }
                }
                Token::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                Token::Comma if depth == 1 => {
                    elements.push(Vec::new());
                    continue;
                }
                // `<` and `>` of `MAP<K, V>` and `STRUCT<...>` hold commas that are not ours.
                Token::Lt => depth += 1,
                Token::Gt if depth > 1 => depth -= 1,
                _ => {}
            }
            if let Some(element) = elements.last_mut() {
                element.push(token);
            }
        }
        elements
    }

    /// `(ID INT KEY, NAME STRING, ...)`: the key columns with their types.
    fn key_columns(&mut self) -> Vec<KeyColumn> {
        let mut keys = Vec::new();
        for element in self.parenthesised_elements() {
            let Some((first, rest)) = element.split_first() else { continue };
            let Token::Word(column) = &first.token else { continue };
            let is_key_word =
                |t: &&TokenWithSpan| matches!(&t.token, Token::Word(w) if w.value.eq_ignore_ascii_case("KEY"));
            let Some(key_at) = rest.iter().position(is_key_word) else { continue };
            let type_tokens = &rest[..key_at];
            let type_tokens = match type_tokens.last().map(|t| &t.token) {
                Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("PRIMARY") => {
                    &type_tokens[..type_tokens.len() - 1]
                }
                _ => type_tokens,
            };
            let sql_type: String = type_tokens.iter().map(|t| t.token.to_string()).collect::<Vec<_>>().join(" ");
            let name = match column.quote_style {
                Some(_) => column.value.clone(),
                None => column.value.to_uppercase(),
            };
            keys.push(KeyColumn { name: Spanned::new(name, self.span_of(first)), sql_type: sql_type.to_uppercase() });
        }
        keys
    }

    /// `(KAFKA_TOPIC='t', KEY_FORMAT='AVRO', PARTITIONS=3)`: each property and its value.
    fn properties(&mut self) -> BTreeMap<String, Spanned<String>> {
        let mut properties = BTreeMap::new();
        for element in self.parenthesised_elements() {
            let [name, eq, value, ..] = element.as_slice() else { continue };
            let (Token::Word(name), Token::Eq) = (&name.token, &eq.token) else { continue };
            let text = match &value.token {
                Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => s.clone(),
                Token::Number(n, _) => n.clone(),
                Token::Word(w) => w.value.clone(),
                _ => continue,
            };
            properties.insert(name.value.to_uppercase(), Spanned::new(text, self.span_of(value)));
        }
        properties
    }

    /// Scans a query for a `WINDOW TUMBLING|HOPPING|SESSION` clause and its first `FROM` source.
    fn query_facts(&mut self) -> (bool, Option<Spanned<String>>) {
        let mut windowed = false;
        let mut from = None;
        while let Some(token) = self.tokens.get(self.at) {
            self.at += 1;
            let Token::Word(word) = &token.token else { continue };
            if word.quote_style.is_some() {
                continue;
            }
            if word.value.eq_ignore_ascii_case("WINDOW") {
                windowed |= ["TUMBLING", "HOPPING", "SESSION"].iter().any(|w| self.peek_word_is(w));
            } else if word.value.eq_ignore_ascii_case("FROM") && from.is_none() {
                from = self.identifier();
            }
        }
        (windowed, from)
    }

    fn peek_word_is(&self, keyword: &str) -> bool {
        self.peek_word().is_some_and(|w| w.quote_style.is_none() && w.value.eq_ignore_ascii_case(keyword))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn outline_of(sql: &str) -> Outline {
        outline(&SourceText::from_file(FileId(0), sql.into())).unwrap()
    }

    #[test]
    fn a_query_writes_its_kafka_topic_or_its_upper_cased_name() {
        let o = outline_of(
            "CREATE STREAM platinum WITH (KAFKA_TOPIC='PLAT', VALUE_FORMAT='AVRO') AS SELECT * FROM orders;\n\
             CREATE OR REPLACE TABLE counts AS SELECT id, COUNT(*) FROM orders GROUP BY id;",
        );
        assert_eq!(o.created.len(), 2);
        assert_eq!(o.created[0].name.value, "PLATINUM");
        assert_eq!(o.created[0].topic.value, "PLAT");
        assert!(o.created[0].writes);
        assert_eq!(o.created[1].kind, KsqlSourceKind::Table);
        assert_eq!(o.created[1].topic.value, "COUNTS");
    }

    #[test]
    fn key_columns_properties_windows_and_sources_are_outlined() {
        let o = outline_of(
            "CREATE STREAM s (id STRUCT<a INT, b STRING> KEY, v MAP<STRING, INT>, `k` BIGINT PRIMARY KEY) \
             WITH (kafka_topic='t', key_format='AVRO', partitions=3);\n\
             CREATE TABLE w AS SELECT id, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY id;",
        );
        let s = &o.created[0];
        let keys: Vec<(&str, &str)> =
            s.key_columns.iter().map(|k| (k.name.value.as_str(), k.sql_type.as_str())).collect();
        assert_eq!(keys, [("ID", "STRUCT < A INT , B STRING >"), ("k", "BIGINT")]);
        assert_eq!(s.key_format().map(|f| f.value.as_str()), Some("AVRO"));
        assert_eq!(s.property("PARTITIONS").map(|f| f.value.as_str()), Some("3"));
        assert_eq!(s.value_format(), None);
        assert!(!s.windowed);
        let w = &o.created[1];
        assert!(w.windowed && w.writes);
        assert_eq!(w.from.as_ref().map(|f| f.value.as_str()), Some("S"));
    }

    #[test]
    fn a_source_over_a_topic_reads_it() {
        let o = outline_of("CREATE SOURCE STREAM `raw` (id INT KEY) WITH (kafka_topic='raw-events', format='JSON');");
        assert_eq!(o.created[0].name.value, "raw");
        assert_eq!(o.created[0].topic.value, "raw-events");
        assert!(!o.created[0].writes);
    }

    #[test]
    fn insert_into_names_its_target_and_spans_are_in_the_file() {
        let sql = "-- x\nINSERT INTO all_orders SELECT * FROM orders;";
        let o = outline_of(sql);
        let span = o.inserts[0].target.span;
        assert_eq!(&sql[span.start..span.end], "all_orders");
    }
}
