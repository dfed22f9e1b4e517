//! The statements of ksqlDB 0.29, as the parser reads them.
//!
//! Statements, clauses and types are ours; expressions are sqlparser's [`Expr`], in the closed set
//! of shapes that ksqlDB's grammar allows (the parser rejects every other shape):
//!
//! - `Identifier` (a column, or a lambda's parameter) and `CompoundIdentifier` of two parts
//!   (`source.column`); names are cased as ksqlDB cases them (unquoted ones upper-cased), with
//!   `quote_style` telling whether they were quoted.
//! - `Value`: a number, a `'string'`, `TRUE`/`FALSE`, `NULL`. `TypedString` for `DECIMAL '1.5'`.
//! - `BinaryOp`: `+ - * / %`, `||`, comparisons, `AND`, `OR`, and `Arrow` for a struct field
//!   dereference `base->FIELD` (its right side is always an `Identifier`).
//! - `UnaryOp` (`-`, `+`, `NOT`), `Nested` (parentheses), `IsNull`, `IsNotNull`, `IsDistinctFrom`,
//!   `IsNotDistinctFrom`, `Between`, `Like` (with its escape), `In` with a `List`, `Case`,
//!   `Cast` (its type converts with [`SqlType::from_data_type`]), `AtTimeZone`.
//! - `Function`: every call, `COUNT(*)` included, with a plain argument list; the `MAP(k := v)`
//!   and `STRUCT(f := v)` constructors are calls named `MAP` and `STRUCT` whose arguments are
//!   `ExprNamed` with the `Assignment` operator.
//! - `Array` (`ARRAY[...]`), `CompoundFieldAccess` with one or more `Subscript::Index`
//!   (`a[1]`), and `Lambda` (`x => ...`, `(x, y) => ...`) as a function's argument.

use crate::model::KsqlSourceKind;
use crate::source::Span;
use sqlparser::ast::{
    ArrayElemTypeDef, DataType, ExactNumberInfo, Expr, Ident, MapBracketKind, ObjectName, StructBracketKind,
    TimezoneInfo,
};
use std::fmt;
use std::ops::Range;

pub(crate) use crate::model::Spanned;

/// A name as ksqlDB knows it (unquoted names upper-cased, quoted ones as written), with its span.
pub(crate) type Name = Spanned<String>;

/// One statement, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    /// The statement in its file, from its first token to its `;`.
    pub(crate) span: Span,
    /// The statement's byte range in the SQL text, as written (before `${var}` substitution).
    pub(crate) range: Range<usize>,
    /// The statement's text after `${var}` substitution, when it has variables.
    pub(crate) substituted: Option<String>,
    pub(crate) locator: crate::ksql::split::Locator,
}

impl Statement {
    /// The span in the SQL text's file of a position sqlparser gives inside this statement (for
    /// instance `sqlparser::ast::Spanned::span` of a sub-expression).
    pub(crate) fn span_of(&self, sql: &crate::model::SourceText, span: sqlparser::tokenizer::Span) -> Span {
        let range = self.locator.range(span);
        sql.span(range.start, range.end)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name [(columns)] [WITH (...)]`.
    CreateSource(CreateSource),
    /// `CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name [WITH (...)] AS SELECT ...`.
    CreateAsSelect(CreateAsSelect),
    /// `INSERT INTO name [WITH (...)] SELECT ...`.
    InsertInto(InsertInto),
    /// `INSERT INTO name [(columns)] VALUES (...)`.
    InsertValues(InsertValues),
    /// `CREATE SOURCE|SINK CONNECTOR [IF NOT EXISTS] name WITH (...)`.
    CreateConnector(CreateConnector),
    /// `CREATE TYPE [IF NOT EXISTS] name AS type`.
    CreateType(CreateType),
    /// `DROP STREAM|TABLE|TYPE|CONNECTOR [IF EXISTS] name [DELETE TOPIC]`.
    Drop(Drop),
    /// `ALTER STREAM|TABLE name ADD [COLUMN] name type, ...`.
    AlterSource(AlterSource),
    /// `TERMINATE query_id|ALL`.
    Terminate(QueryTarget),
    /// `PAUSE query_id|ALL`.
    Pause(QueryTarget),
    /// `RESUME query_id|ALL`.
    Resume(QueryTarget),
    /// `SET 'property' = 'value'`.
    Set(SetProperty),
    /// `UNSET 'property'`.
    Unset(Spanned<String>),
    /// `ALTER SYSTEM 'property' = 'value'`.
    AlterSystem(SetProperty),
    /// `DEFINE name = 'value'`.
    Define(Define),
    /// `UNDEFINE name`.
    Undefine(Name),
    /// `ASSERT [NOT EXISTS] TOPIC name [WITH (...)] [TIMEOUT n unit]`.
    AssertTopic(AssertTopic),
    /// `ASSERT [NOT EXISTS] SCHEMA [SUBJECT name] [ID n] [TIMEOUT n unit]`.
    AssertSchema(AssertSchema),
    /// A query on its own: a push query (`EMIT`) or a pull query.
    Query(Query),
    /// `EXPLAIN statement|query_id`.
    Explain(Explain),
    /// `SHOW`/`LIST`, `DESCRIBE`, `PRINT`: statements that only inform.
    Informational(Informational),
}

impl StatementKind {
    /// The query of a statement that runs one.
    pub(crate) fn query(&self) -> Option<&Query> {
        match self {
            StatementKind::CreateAsSelect(c) => Some(&c.query),
            StatementKind::InsertInto(i) => Some(&i.query),
            StatementKind::Query(q) => Some(q),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateSource {
    pub kind: KsqlSourceKind,
    pub or_replace: bool,
    /// `CREATE SOURCE STREAM|TABLE`: a read-only source.
    pub(crate) source: bool,
    pub(crate) if_not_exists: bool,
    pub(crate) name: Name,
    /// The declared columns; `None` when the statement lists none (they come from the registry).
    pub(crate) elements: Option<Vec<TableElement>>,
    pub(crate) properties: Option<Properties>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateAsSelect {
    pub kind: KsqlSourceKind,
    pub or_replace: bool,
    pub(crate) if_not_exists: bool,
    pub(crate) name: Name,
    pub(crate) properties: Option<Properties>,
    pub(crate) query: Query,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InsertInto {
    pub target: Name,
    pub(crate) properties: Option<Properties>,
    pub(crate) query: Query,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InsertValues {
    pub target: Name,
    pub(crate) columns: Option<Vec<Name>>,
    pub(crate) values: Vec<SqlExpr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorKind {
    Source,
    Sink,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateConnector {
    pub kind: ConnectorKind,
    pub if_not_exists: bool,
    pub(crate) name: Name,
    pub(crate) properties: Properties,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateType {
    pub if_not_exists: bool,
    pub(crate) name: Name,
    pub(crate) sql_type: Spanned<SqlType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropObject {
    Stream,
    Table,
    Type,
    Connector,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drop {
    pub object: DropObject,
    pub if_exists: bool,
    pub(crate) name: Name,
    /// `DELETE TOPIC` (streams and tables only).
    pub(crate) delete_topic: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlterSource {
    pub kind: KsqlSourceKind,
    pub name: Name,
    /// The columns added.
    pub(crate) columns: Vec<AddColumn>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AddColumn {
    pub(crate) name: Name,
    pub(crate) sql_type: Spanned<SqlType>,
}

/// What `TERMINATE`, `PAUSE` and `RESUME` act on.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryTarget {
    All(Span),
    Query(Name),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SetProperty {
    pub name: Spanned<String>,
    pub(crate) value: Spanned<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Define {
    /// The variable's name as written (variables are case-insensitive).
    pub(crate) name: Name,
    pub(crate) value: Spanned<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssertTopic {
    /// `false` for `ASSERT NOT EXISTS`.
    pub(crate) exists: bool,
    pub(crate) name: Name,
    pub(crate) properties: Option<Properties>,
    pub(crate) timeout: Option<Spanned<Duration>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssertSchema {
    /// `false` for `ASSERT NOT EXISTS`.
    pub(crate) exists: bool,
    pub(crate) subject: Option<Name>,
    pub(crate) id: Option<Spanned<Literal>>,
    pub(crate) timeout: Option<Spanned<Duration>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Explain {
    /// `EXPLAIN query_id`.
    QueryId(Name),
    /// `EXPLAIN statement`.
    Statement(Box<StatementKind>),
}

/// Statements that only inform: ksqlDB answers them without changing anything.
#[derive(Debug, Clone, PartialEq)]
pub enum Informational {
    /// `SHOW|LIST ...`: what is listed, upper-cased (`STREAMS`, `ALL TOPICS`, `SOURCE CONNECTORS`).
    List { what: Spanned<String>, extended: bool },
    /// `DESCRIBE name|STREAMS|TABLES|FUNCTION name|CONNECTOR name [EXTENDED]`.
    Describe(Describe),
    /// `PRINT topic [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n]`.
    Print { topic: Name, from_beginning: bool, interval: Option<Spanned<i64>>, limit: Option<Spanned<i64>> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Describe {
    Source { name: Name, extended: bool },
    Streams { extended: bool },
    Tables { extended: bool },
    Function(Name),
    Connector(Name),
}

/// A column of a CREATE statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableElement {
    pub(crate) name: Name,
    pub(crate) sql_type: Spanned<SqlType>,
    pub(crate) constraint: Option<Spanned<ColumnConstraint>>,
    /// The whole element, from its name to its constraint.
    pub(crate) span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ColumnConstraint {
    /// `KEY` (streams).
    Key,
    /// `PRIMARY KEY` (tables).
    PrimaryKey,
    /// `HEADERS`: all the record's headers.
    Headers,
    /// `HEADER('key')`: one header.
    Header(String),
}

/// A `WITH (...)` clause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Properties {
    pub(crate) entries: Vec<Property>,
    pub(crate) span: Span,
}

impl Properties {
    /// A property by name (property names are case-insensitive).
    pub(crate) fn get(&self, name: &str) -> Option<&Property> {
        self.entries.iter().find(|p| p.name.value.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Property {
    /// The name, upper-cased.
    pub(crate) name: Name,
    pub(crate) value: Spanned<Literal>,
}

/// A literal value of a property or an assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Literal {
    Null,
    Boolean(bool),
    /// A number as written (with its sign).
    Number(String),
    String(String),
}

impl Literal {
    /// The value as text: a string's content, a number as written, `true`/`false`, `null`.
    pub(crate) fn text(&self) -> String {
        match self {
            Literal::Null => "null".into(),
            Literal::Boolean(b) => b.to_string(),
            Literal::Number(n) | Literal::String(n) => n.clone(),
        }
    }
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlExpr {
    pub expr: Expr,
    pub(crate) span: Span,
}

/// `SELECT ... FROM ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Vec<SelectItem>,
    pub from: Relation,
    pub window: Option<Window>,
    /// `WHERE`.
    pub(crate) filter: Option<SqlExpr>,
    /// `GROUP BY`: the expressions (maybe none, for `GROUP BY ()`), with the clause's span.
    pub(crate) group_by: Option<Spanned<Vec<SqlExpr>>>,
    pub(crate) partition_by: Option<Spanned<Vec<SqlExpr>>>,
    pub(crate) having: Option<SqlExpr>,
    pub(crate) emit: Option<Spanned<Emit>>,
    pub(crate) limit: Option<Spanned<i64>>,
    pub(crate) span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// An expression, maybe with an alias.
    Expr { expr: SqlExpr, alias: Option<Name> },
    /// `*`.
    Wildcard(Span),
    /// `source.*`.
    SourceWildcard { source: Name, span: Span },
    /// `expr->*`: every field of a struct.
    StructWildcard { expr: SqlExpr, span: Span },
}

/// The `FROM` clause: a source and the sources joined to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub source: AliasedSource,
    pub joins: Vec<Join>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AliasedSource {
    pub name: Name,
    pub(crate) alias: Option<Name>,
}

impl AliasedSource {
    /// The name the query refers to the source by: its alias, else its name.
    pub(crate) fn reference(&self) -> &Name {
        self.alias.as_ref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub kind: Spanned<JoinKind>,
    pub source: AliasedSource,
    pub(crate) within: Option<JoinWindow>,
    pub(crate) on: SqlExpr,
    pub(crate) span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    /// `FULL [OUTER]`.
    Full,
}

/// `WITHIN n unit` (before and after alike) or `WITHIN (before, after)`, maybe with a grace period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JoinWindow {
    pub(crate) before: Spanned<Duration>,
    pub(crate) after: Spanned<Duration>,
    pub(crate) grace: Option<Spanned<Duration>>,
    pub(crate) span: Span,
}

/// `WINDOW [name] TUMBLING|HOPPING|SESSION (...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub name: Option<Name>,
    pub(crate) kind: WindowKind,
    pub(crate) retention: Option<Spanned<Duration>>,
    pub(crate) grace: Option<Spanned<Duration>>,
    pub(crate) span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WindowKind {
    Tumbling { size: Spanned<Duration> },
    Hopping { size: Spanned<Duration>, advance: Spanned<Duration> },
    Session { gap: Spanned<Duration> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emit {
    Changes,
    Final,
}

/// `n unit`, as in a window's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Duration {
    pub(crate) value: i64,
    pub(crate) unit: TimeUnit,
}

impl Duration {
    pub(crate) fn millis(&self) -> i64 {
        self.value.saturating_mul(self.unit.millis())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    Milliseconds,
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    /// The unit a window unit word names (`DAY`, `DAYS`, ..., `MILLISECONDS`), any case.
    pub(crate) fn from_word(word: &str) -> Option<TimeUnit> {
        let upper = word.to_ascii_uppercase();
        let singular = upper.strip_suffix('S').unwrap_or(&upper);
        Some(match singular {
            "MILLISECOND" => TimeUnit::Milliseconds,
            "SECOND" => TimeUnit::Seconds,
            "MINUTE" => TimeUnit::Minutes,
            "HOUR" => TimeUnit::Hours,
            "DAY" => TimeUnit::Days,
            _ => return None,
        })
    }

    pub(crate) fn millis(&self) -> i64 {
        match self {
            TimeUnit::Milliseconds => 1,
            TimeUnit::Seconds => 1_000,
            TimeUnit::Minutes => 60_000,
            TimeUnit::Hours => 3_600_000,
            TimeUnit::Days => 86_400_000,
        }
    }
}

/// A ksqlDB type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum SqlType {
    Boolean,
    /// `INT` or `INTEGER`.
    Int,
    BigInt,
    Double,
    Decimal {
        precision: u32,
        scale: u32,
    },
    /// `STRING` or `VARCHAR`.
    String,
    Bytes,
    Date,
    Time,
    Timestamp,
    Array(Box<SqlType>),
    Map(Box<SqlType>, Box<SqlType>),
    Struct(Vec<StructField>),
    /// A type registered with `CREATE TYPE`, by its name as ksqlDB knows it.
    Custom(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct StructField {
    /// The field's name as ksqlDB knows it (unquoted names upper-cased).
    pub(crate) name: String,
    pub(crate) sql_type: SqlType,
}

/// ksqlDB's spelling of types, as in `DESCRIBE` (`INTEGER`, `MAP<STRING, BIGINT>`,
/// `` STRUCT<`A` INTEGER> ``).
impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, FieldQuotes::Always)
    }
}

/// A type as a statement writes it: [`SqlType`]'s `Display`, with the fields of a STRUCT bare
/// when they read back as themselves (`` STRUCT<CITY STRING, `end` BIGINT> ``).
pub(crate) struct Written<'a>(&'a SqlType);

impl fmt::Display for Written<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, FieldQuotes::WhenNeeded)
    }
}

#[derive(Clone, Copy)]
enum FieldQuotes {
    Always,
    WhenNeeded,
}

impl SqlType {
    /// The type as a statement writes it (see [`Written`]).
    pub(crate) fn written(&self) -> Written<'_> {
        Written(self)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, quotes: FieldQuotes) -> fmt::Result {
        match self {
            SqlType::Boolean => f.write_str("BOOLEAN"),
            SqlType::Int => f.write_str("INTEGER"),
            SqlType::BigInt => f.write_str("BIGINT"),
            SqlType::Double => f.write_str("DOUBLE"),
            SqlType::Decimal { precision, scale } => write!(f, "DECIMAL({precision}, {scale})"),
            SqlType::String => f.write_str("STRING"),
            SqlType::Bytes => f.write_str("BYTES"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::Time => f.write_str("TIME"),
            SqlType::Timestamp => f.write_str("TIMESTAMP"),
            SqlType::Array(element) => {
                f.write_str("ARRAY<")?;
                element.write(f, quotes)?;
                f.write_str(">")
            }
            SqlType::Map(key, value) => {
                f.write_str("MAP<")?;
                key.write(f, quotes)?;
                f.write_str(", ")?;
                value.write(f, quotes)?;
                f.write_str(">")
            }
            SqlType::Struct(fields) => {
                f.write_str("STRUCT<")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match quotes {
                        FieldQuotes::Always => write!(f, "`{}` ", field.name)?,
                        FieldQuotes::WhenNeeded => {
                            write!(f, "{} ", crate::ksql::catalog::quote_if_needed(&field.name))?
                        }
                    }
                    field.sql_type.write(f, quotes)?;
                }
                f.write_str(">")
            }
            SqlType::Custom(name) => f.write_str(name),
        }
    }
}

impl SqlType {
    /// The sqlparser type that stands for this one inside a `CAST` expression.
    pub(crate) fn to_data_type(&self) -> DataType {
        match self {
            SqlType::Boolean => DataType::Boolean,
            SqlType::Int => DataType::Int(None),
            SqlType::BigInt => DataType::BigInt(None),
            SqlType::Double => DataType::Double(ExactNumberInfo::None),
            SqlType::Decimal { precision, scale } => {
                DataType::Decimal(ExactNumberInfo::PrecisionAndScale(u64::from(*precision), i64::from(*scale)))
            }
            SqlType::String => DataType::String(None),
            SqlType::Bytes => DataType::Bytes(None),
            SqlType::Date => DataType::Date,
            SqlType::Time => DataType::Time(None, TimezoneInfo::None),
            SqlType::Timestamp => DataType::Timestamp(None, TimezoneInfo::None),
            SqlType::Array(element) => {
                DataType::Array(ArrayElemTypeDef::AngleBracket(Box::new(element.to_data_type())))
            }
            SqlType::Map(key, value) => DataType::Map(
                Box::new(key.to_data_type()),
                Box::new(value.to_data_type()),
                MapBracketKind::AngleBrackets,
            ),
            SqlType::Struct(fields) => DataType::Struct(
                fields
                    .iter()
                    .map(|field| sqlparser::ast::StructField {
                        field_name: Some(Ident::with_quote('`', field.name.clone())),
                        field_type: field.sql_type.to_data_type(),
                        options: None,
                    })
                    .collect(),
                StructBracketKind::AngleBrackets,
            ),
            SqlType::Custom(name) => {
                DataType::Custom(ObjectName::from(vec![Ident::with_quote('`', name.clone())]), vec![])
            }
        }
    }

    /// The type a `CAST` expression's sqlparser type stands for (the inverse of `to_data_type`).
    pub(crate) fn from_data_type(data_type: &DataType) -> Option<SqlType> {
        Some(match data_type {
            DataType::Boolean | DataType::Bool => SqlType::Boolean,
            DataType::Int(_) | DataType::Integer(_) => SqlType::Int,
            DataType::BigInt(_) => SqlType::BigInt,
            DataType::Double(_) | DataType::DoublePrecision => SqlType::Double,
            DataType::Decimal(ExactNumberInfo::PrecisionAndScale(p, s)) => {
                SqlType::Decimal { precision: u32::try_from(*p).ok()?, scale: u32::try_from(*s).ok()? }
            }
            DataType::String(_) | DataType::Varchar(_) => SqlType::String,
            DataType::Bytes(_) => SqlType::Bytes,
            DataType::Date => SqlType::Date,
            DataType::Time(..) => SqlType::Time,
            DataType::Timestamp(..) => SqlType::Timestamp,
            DataType::Array(ArrayElemTypeDef::AngleBracket(element)) => {
                SqlType::Array(Box::new(SqlType::from_data_type(element)?))
            }
            DataType::Map(key, value, _) => {
                SqlType::Map(Box::new(SqlType::from_data_type(key)?), Box::new(SqlType::from_data_type(value)?))
            }
            DataType::Struct(fields, _) => SqlType::Struct(
                fields
                    .iter()
                    .map(|f| {
                        Some(StructField {
                            name: f.field_name.as_ref()?.value.clone(),
                            sql_type: SqlType::from_data_type(&f.field_type)?,
                        })
                    })
                    .collect::<Option<_>>()?,
            ),
            DataType::Custom(name, modifiers) if modifiers.is_empty() && name.0.len() == 1 => {
                SqlType::Custom(name.0[0].as_ident()?.value.clone())
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_print_as_ksqldb_describes_them_and_convert_both_ways() {
        let t = SqlType::Struct(vec![
            StructField { name: "A".into(), sql_type: SqlType::Array(Box::new(SqlType::Int)) },
            StructField {
                name: "b".into(),
                sql_type: SqlType::Map(
                    Box::new(SqlType::String),
                    Box::new(SqlType::Decimal { precision: 4, scale: 2 }),
                ),
            },
            StructField { name: "C".into(), sql_type: SqlType::Custom("ADDRESS".into()) },
        ]);
        assert_eq!(t.to_string(), "STRUCT<`A` ARRAY<INTEGER>, `b` MAP<STRING, DECIMAL(4, 2)>, `C` ADDRESS>");
        assert_eq!(SqlType::from_data_type(&t.to_data_type()), Some(t));
        assert_eq!(TimeUnit::from_word("seconds"), Some(TimeUnit::Seconds));
        assert_eq!(Duration { value: 2, unit: TimeUnit::Minutes }.millis(), 120_000);
    }
}
