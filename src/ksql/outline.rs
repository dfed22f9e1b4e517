//! The outline of ksqlDB statements: the streams and tables they create and the topics those
//! read and write.
//!
//! This reads only the heads of statements (`CREATE [OR REPLACE] [SOURCE] STREAM|TABLE name`,
//! its `WITH (KAFKA_TOPIC=...)`, whether it is `AS SELECT`, and `INSERT INTO name`), using
//! sqlparser's tokenizer. It does not parse queries; that is the full front end's job.

use crate::model::{KsqlSourceKind, SourceText, Spanned};
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

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
    let (topic, writes) = cursor.topic_and_query();
    let topic = topic.unwrap_or_else(|| name.clone());
    outline.created.push(CreatedSource { kind, name, topic, writes });
}

struct Cursor<'a> {
    tokens: &'a [TokenWithSpan],
    at: usize,
    sql: &'a SourceText,
}

impl Cursor<'_> {
    fn peek_word(&self) -> Option<&sqlparser::tokenizer::Word> {
        match self.tokens.get(self.at).map(|t| &t.token) {
            Some(Token::Word(word)) => Some(word),
            _ => None,
        }
    }

    fn eat_word(&mut self, keyword: &str) -> bool {
        let hit = self.peek_word().is_some_and(|w| w.quote_style.is_none() && w.value.eq_ignore_ascii_case(keyword));
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

    /// Scans the rest of a CREATE statement for `KAFKA_TOPIC = '...'` in its WITH clause and for
    /// `AS SELECT` at the top level.
    fn topic_and_query(&mut self) -> (Option<Spanned<String>>, bool) {
        let mut depth = 0usize;
        let mut topic = None;
        let mut writes = false;
        while let Some(token) = self.tokens.get(self.at) {
            match &token.token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Word(w) if depth == 0 && w.value.eq_ignore_ascii_case("AS") => {
                    let next = self.tokens.get(self.at + 1).map(|t| &t.token);
                    if matches!(next, Some(Token::Word(n)) if n.value.eq_ignore_ascii_case("SELECT")) {
                        writes = true;
                        break;
                    }
                }
                Token::Word(w) if depth == 1 && w.value.eq_ignore_ascii_case("KAFKA_TOPIC") => {
                    if let (Some(Token::Eq), Some(value)) =
                        (self.tokens.get(self.at + 1).map(|t| &t.token), self.tokens.get(self.at + 2))
                        && let Token::SingleQuotedString(name) = &value.token
                    {
                        topic = Some(Spanned::new(name.clone(), self.span_of(value)));
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
        (topic, writes)
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
