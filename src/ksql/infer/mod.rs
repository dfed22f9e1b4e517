//! Name resolution and type inference over parsed ksqlDB statements, run in order against a
//! [`Engine`] that holds what ksqlDB would know at each point (its catalog of streams and
//! tables, custom types, `SET` properties and registered schemas).
//!
//! For each statement it resolves the streams, tables and columns it names (V302, V303), types
//! every expression with the function catalog (V304, V305), checks joins (V306, V307) and
//! aggregations (V308), rejects what ksqlDB rejects while analysing a statement (V310), and
//! derives what a CREATE statement makes: its columns in DESCRIBE form, its key (from GROUP BY,
//! PARTITION BY, joins or the source's key), its formats and whether its key is windowed.
//!
//! The rules follow ksqlDB 0.29's analysis (`io.confluent.ksql.analyzer`, `planner`,
//! `schema.ksql.ColumnNames`): a persistent query must select its key columns; an unaliased
//! column keeps its name (`alias_column` when a join makes it ambiguous), a struct field
//! dereference takes the field's name, any other expression is `KSQL_COL_n`; a query inherits
//! the key and value formats of its (leftmost) source unless it states them.
//!
//! This module runs the statements and holds what they share; the rest is by seam: `create`
//! (CREATE statements, their formats and columns) and `insert`; `query` (a query clause by
//! clause) with `select` (the SELECT list and the result's columns), `join` and `key` (the
//! result's key); `scope` (the sources in scope and name resolution); `expr` (typing an
//! expression) and `call` (typing a function call).

mod call;
mod create;
mod expr;
mod insert;
mod join;
mod key;
mod query;
mod scope;
pub(crate) use scope::children;
mod select;

use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::catalog::{Column, Registry, Role, Source};
use crate::ksql::problem::Problem;
use crate::ksql::to_avro::RegisteredCache;
use crate::ksql::types;
use crate::model::{KsqlSourceKind, SourceText};
use crate::source::Span;
use expr::{AggregateMode, Cx};
use scope::Scope;
use std::collections::BTreeMap;

/// What ksqlDB knows between statements.
#[derive(Debug, Default, Clone)]
pub(crate) struct Engine {
    /// Streams and tables by name.
    pub(crate) sources: BTreeMap<String, Source>,
    /// `CREATE TYPE` types by name.
    pub(crate) types: BTreeMap<String, SqlType>,
    /// Properties from `SET` (and the server's configuration), by lower-case name.
    pub(crate) properties: BTreeMap<String, String>,
    /// Registered schemas by subject.
    pub(crate) registry: Registry,
    /// Whether the registry may hold subjects `registry` does not list (a project's topics may
    /// be written by producers venice does not see): a side left to inference without a listed
    /// subject then has unknown columns, where a closed registry rejects the statement.
    pub(crate) registry_open: bool,
    /// Partition counts of topics, when known.
    pub(crate) partitions: BTreeMap<String, u32>,
}

/// What a statement did, for the edges and for `venice ksql describe`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// `CREATE [SOURCE] STREAM|TABLE` without a query: a source over a topic it reads.
    Declared(Created),
    /// `CREATE ... AS SELECT`: a source whose topic the query writes.
    Created(Created),
    /// `INSERT INTO`: writes the target's topic, in the target's formats.
    Inserted {
        target: Spanned<String>,
        topic: String,
        from: Vec<String>,
        key_format: String,
        value_format: String,
        key_types: Vec<SqlType>,
        value_types: Vec<SqlType>,
        windowed: bool,
    },
}

/// A stream or table a statement declares or creates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Created {
    pub(crate) kind: KsqlSourceKind,
    pub(crate) name: Spanned<String>,
    /// The topic, spanned at `KAFKA_TOPIC`'s value or else the name.
    pub(crate) topic: Spanned<String>,
    pub(crate) key_format: Spanned<String>,
    pub(crate) value_format: Spanned<String>,
    /// Whether the formats were stated in the statement (else inherited or defaults).
    pub(crate) key_format_stated: bool,
    pub(crate) value_format_stated: bool,
    /// The key columns' types, in order.
    pub(crate) key_types: Vec<SqlType>,
    pub(crate) windowed: bool,
    /// The sources a query reads.
    pub(crate) from: Vec<String>,
    /// The statement's columns (declared or inferred), when known.
    pub(crate) columns: Option<Vec<Column>>,
    /// `PARTITIONS` is given: ksqlDB creates the topic when it does not exist.
    pub(crate) creates_topic: bool,
    /// `REPLICAS`, when stated: the replication of a topic ksqlDB creates (V504).
    pub(crate) replicas: Option<Spanned<u32>>,
    pub(crate) span: Span,
    /// The Avro ksqlDB registers for each side, made on first use
    /// ([`crate::ksql::to_avro::registered`]): V206, the sink tables and `venice build` ask
    /// for the same query's.
    pub(crate) registered: RegisteredCache,
}

impl Engine {
    pub(crate) fn new() -> Self {
        Engine::default()
    }

    /// A property's value: `SET`, else the engine's configuration.
    fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// Runs the statements in order; returns what each one did.
    pub(crate) fn run(
        &mut self,
        sql: &SourceText,
        statements: &[Statement],
        diagnostics: &mut Vec<(Problem, Span)>,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        for statement in statements {
            let mut run = Run { engine: self, sql, statement, diagnostics: Vec::new() };
            let effect = run.statement();
            diagnostics.append(&mut run.diagnostics);
            effects.extend(effect);
        }
        effects
    }
}

/// One statement being analysed.
struct Run<'a> {
    engine: &'a mut Engine,
    sql: &'a SourceText,
    statement: &'a Statement,
    diagnostics: Vec<(Problem, Span)>,
}

impl Run<'_> {
    /// Records a problem of the statement. An unknown name is its cause wherever the statement
    /// uses it: reported once, at its first use.
    fn report(&mut self, problem: Problem, span: Span) {
        let repeated = matches!(problem, Problem::UnknownColumn { .. } | Problem::UnknownFunction { .. })
            && self.diagnostics.iter().any(|(p, _)| *p == problem);
        if !repeated {
            self.diagnostics.push((problem, span));
        }
    }

    fn reject(&mut self, reason: impl Into<String>, span: Span) {
        self.report(Problem::Rejected { reason: reason.into() }, span);
    }

    fn statement(&mut self) -> Option<Effect> {
        let statement = self.statement;
        match &statement.kind {
            StatementKind::CreateSource(c) => self.create_source(c),
            StatementKind::CreateAsSelect(c) => self.create_as_select(c),
            StatementKind::InsertInto(i) => self.insert_into(i),
            StatementKind::InsertValues(i) => {
                self.insert_values(i);
                None
            }
            StatementKind::CreateType(t) => {
                let resolved = self.resolve_type(&t.sql_type.value, t.sql_type.span);
                if self.engine.types.contains_key(&t.name.value) && !t.if_not_exists {
                    self.reject(format!("type `{}` already exists", t.name.value), t.name.span);
                } else if let Some(resolved) = resolved {
                    self.engine.types.insert(t.name.value.clone(), resolved);
                }
                None
            }
            StatementKind::Drop(d) => {
                self.drop(d);
                None
            }
            StatementKind::AlterSource(a) => {
                self.alter(a);
                None
            }
            StatementKind::Set(p) | StatementKind::AlterSystem(p) => {
                self.engine.properties.insert(p.name.value.to_ascii_lowercase(), p.value.value.clone());
                None
            }
            StatementKind::Unset(name) => {
                self.engine.properties.remove(&name.value.to_ascii_lowercase());
                None
            }
            StatementKind::Query(q) => {
                self.query(q, None, None);
                None
            }
            StatementKind::Informational(Informational::Describe(Describe::Source { name, .. })) => {
                self.lookup_source(name);
                None
            }
            _ => None,
        }
    }

    fn lookup_source(&mut self, name: &Name) -> Option<Source> {
        match self.engine.sources.get(&name.value) {
            Some(source) => Some(source.clone()),
            None => {
                let suggestion = suggest(&name.value, self.engine.sources.keys().map(String::as_str));
                self.report(
                    Problem::UnknownSource { what: "stream or table", name: name.value.clone(), suggestion },
                    name.span,
                );
                None
            }
        }
    }

    /// A type with its custom types replaced by their definitions.
    fn resolve_type(&mut self, t: &SqlType, span: Span) -> Option<SqlType> {
        Some(match t {
            SqlType::Custom(name) => {
                match self.engine.types.get(name).or_else(|| self.engine.types.get(&name.to_uppercase())) {
                    Some(t) => t.clone(),
                    None => {
                        let suggestion = suggest(name, self.engine.types.keys().map(String::as_str));
                        self.report(Problem::UnknownSource { what: "type", name: name.clone(), suggestion }, span);
                        return None;
                    }
                }
            }
            SqlType::Array(e) => SqlType::Array(Box::new(self.resolve_type(e, span)?)),
            SqlType::Map(k, v) => {
                let key = self.resolve_type(k, span)?;
                if !matches!(key, SqlType::String) {
                    self.reject(format!("map keys must be STRING, not {key}"), span);
                    return None;
                }
                SqlType::Map(Box::new(key), Box::new(self.resolve_type(v, span)?))
            }
            SqlType::Struct(fields) => SqlType::Struct(
                fields
                    .iter()
                    .map(|f| {
                        Some(StructField { name: f.name.clone(), sql_type: self.resolve_type(&f.sql_type, span)? })
                    })
                    .collect::<Option<_>>()?,
            ),
            SqlType::Decimal { precision, scale } => {
                if *precision < 1 || *precision > types::MAX_PRECISION || scale > precision {
                    self.reject(
                        format!("DECIMAL({precision}, {scale}): the precision must be 1 to 38 and the scale at most the precision"),
                        span,
                    );
                    return None;
                }
                t.clone()
            }
            other => other.clone(),
        })
    }

    fn drop(&mut self, d: &Drop) {
        match d.object {
            DropObject::Stream | DropObject::Table => {
                let expected =
                    if d.object == DropObject::Stream { KsqlSourceKind::Stream } else { KsqlSourceKind::Table };
                match self.engine.sources.get(&d.name.value) {
                    None if d.if_exists => {}
                    None => {
                        self.lookup_source(&d.name);
                    }
                    Some(s) if s.kind != expected => {
                        let reason =
                            format!("`{}` is a {}, not a {}", d.name.value, s.kind.as_str(), expected.as_str());
                        self.reject(reason, d.name.span);
                    }
                    Some(_) => {
                        self.engine.sources.remove(&d.name.value);
                    }
                }
            }
            DropObject::Type => {
                if self.engine.types.remove(&d.name.value).is_none() && !d.if_exists {
                    let suggestion = suggest(&d.name.value, self.engine.types.keys().map(String::as_str));
                    self.report(
                        Problem::UnknownSource { what: "type", name: d.name.value.clone(), suggestion },
                        d.name.span,
                    );
                }
            }
            DropObject::Connector => {}
        }
    }

    fn alter(&mut self, a: &AlterSource) {
        let Some(source) = self.lookup_source(&a.name) else { return };
        if source.kind != a.kind {
            self.reject(format!("`{}` is a {}", a.name.value, source.kind.as_str()), a.name.span);
            return;
        }
        if source.from_query {
            self.reject(format!("`{}` was created by a query and cannot be altered", a.name.value), a.name.span);
            return;
        }
        let mut added = Vec::new();
        for column in &a.columns {
            if source.column(&column.name.value).is_some() {
                self.reject(
                    format!("`{}` already has a column `{}`", a.name.value, column.name.value),
                    column.name.span,
                );
                return;
            }
            let Some(t) = self.resolve_type(&column.sql_type.value, column.sql_type.span) else { return };
            added.push(Column { name: column.name.value.clone(), sql_type: t, role: Role::Value });
        }
        if let Some(s) = self.engine.sources.get_mut(&a.name.value) {
            s.columns.extend(added);
        }
    }

    fn flush(&mut self, problems: Vec<(Problem, Span)>) {
        for (problem, span) in problems {
            self.report(problem, span);
        }
    }

    fn cx<'s>(&'s self, scope: &'s Scope, fallback: Span) -> Cx<'s> {
        Cx {
            scope,
            lambdas: Vec::new(),
            types: &self.engine.types,
            sql: self.sql,
            statement: self.statement,
            fallback,
            problems: Vec::new(),
            aggregates: AggregateMode::Forbidden("here"),
            aggregate_found: false,
            table_functions: false,
            table_function_found: false,
            unknown_call: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ksql::parser::parse;
    use crate::source::FileId;

    /// Runs `sql`; returns the DESCRIBE schema of each source and the codes reported.
    fn run(sql: &str) -> (BTreeMap<String, String>, Vec<(&'static str, String)>) {
        let text = SourceText::from_file(FileId(0), sql.to_string());
        let (statements, errors) = parse(&text);
        assert!(errors.is_empty(), "{errors:?}");
        let mut engine = Engine::new();
        let mut diagnostics = Vec::new();
        engine.run(&text, &statements, &mut diagnostics);
        let schemas = engine.sources.iter().map(|(n, s)| (n.clone(), s.describe())).collect();
        let codes = diagnostics
            .iter()
            .map(|(problem, span)| (crate::rules::ksql(problem, *span).code, sql[span.start..span.end].to_string()))
            .collect();
        (schemas, codes)
    }

    #[test]
    fn long_operator_chains_are_typed_without_deep_recursion() {
        let chain = vec!["AMOUNT"; 1500].join(" + ");
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE TABLE C AS SELECT NAME, SUM({chain}) AS S, {chain} AS T FROM INPUT GROUP BY NAME HAVING {chain} > 1;"
        ));
        let found: Vec<&str> = codes.iter().map(|(c, _)| *c).collect();
        assert_eq!(found, ["V308", "V308"], "the unaggregated chains are not grouped");
        assert!(schemas.contains_key("C"), "the table is still known to later statements");
    }

    const INPUT: &str = "CREATE STREAM INPUT (ID INT KEY, NAME STRING, AMOUNT DECIMAL(4, 2), TAGS ARRAY<STRING>, \
                         S STRUCT<F INT>) WITH (kafka_topic='t', value_format='JSON');\n";

    #[test]
    fn projections_take_names_types_and_keys_as_ksqldb_does() {
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE STREAM OUT AS SELECT ID, NAME AS N, AMOUNT * 2, S->F, LEN(NAME), TAGS[1] FROM INPUT;"
        ));
        assert_eq!(codes, []);
        assert_eq!(
            schemas["OUT"],
            "ID INTEGER KEY, N STRING, KSQL_COL_0 DECIMAL(15, 2), F INTEGER, KSQL_COL_1 INTEGER, KSQL_COL_2 STRING"
        );
    }

    #[test]
    fn group_by_makes_the_key_and_a_table() {
        let (schemas, codes) =
            run(&format!("{INPUT}CREATE TABLE C AS SELECT NAME, COUNT(*) AS N, SUM(AMOUNT) FROM INPUT GROUP BY NAME;"));
        assert_eq!(codes, []);
        assert_eq!(schemas["C"], "NAME STRING PRIMARY KEY, N BIGINT, KSQL_COL_0 DECIMAL(4, 2)");
    }

    #[test]
    fn unknown_names_types_and_functions_are_reported_where_they_are() {
        let (_, codes) = run(&format!(
            "{INPUT}CREATE STREAM A AS SELECT ID, NAM FROM INPUT;\n\
             CREATE STREAM B AS SELECT ID FROM INPUTS;\n\
             CREATE STREAM C AS SELECT ID, NAME + 1 AS X FROM INPUT;\n\
             CREATE STREAM D AS SELECT ID, LENN(NAME) AS X, LEN(ID) AS Y FROM INPUT;\n\
             CREATE TABLE E AS SELECT NAME, AMOUNT, COUNT(*) AS N FROM INPUT GROUP BY NAME;\n\
             CREATE STREAM F AS SELECT NAME FROM INPUT;"
        ));
        let found: Vec<&str> = codes.iter().map(|(c, _)| *c).collect();
        assert_eq!(found, ["V303", "V302", "V304", "V305", "V305", "V308", "V310"]);
        assert_eq!(codes[0].1, "NAM");
        assert_eq!(codes[1].1, "INPUTS");
        assert_eq!(codes[3].1, "LENN");
        assert_eq!(codes[5].1, "AMOUNT");
    }

    #[test]
    fn what_depends_on_an_unknown_name_is_unknown_and_the_name_reported_once() {
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE STREAM A AS SELECT ID, LENN(NAME) + 1 AS X, UCASE(LENN(NAME)) AS Y, NOSUCH * 2 AS Z, \
             CAST(NOSUCH AS STRING) + 1 AS W FROM INPUT WHERE NOSUCH > 1 AND LENN(NAME) = 'a';\n\
             CREATE TABLE B AS SELECT NAME, SUMM(AMOUNT) AS S, AMOUNT + NOSUCH AS T FROM INPUT GROUP BY NAME HAVING SUMM(ID) > AMOUNT;\n\
             CREATE TABLE C AS SELECT SUMM(AMOUNT) AS S FROM INPUT;\n\
             CREATE STREAM D AS SELECT X, Y + 1 AS Z FROM A;"
        ));
        assert_eq!(
            codes,
            [
                ("V303", "NOSUCH".to_string()),
                ("V305", "LENN".to_string()),
                // A CAST's type is known whatever its operand: adding 1 to a STRING is wrong.
                ("V304", "CAST(NOSUCH AS STRING) + 1".to_string()),
                ("V305", "SUMM".to_string()),
                ("V303", "NOSUCH".to_string()),
                ("V305", "SUMM".to_string())
            ]
        );
        assert!(schemas.contains_key("D"), "a query over unknown columns is not wrong");
    }

    #[test]
    fn attr_aggregates_to_its_argument_type() {
        // `udaf.attr.Attr` (0.29): a TableUdaf<T, _, T>, the single value of the group.
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE TABLE A AS SELECT NAME, ATTR(AMOUNT) AS A, ATTR(TAGS) AS T FROM INPUT GROUP BY NAME;"
        ));
        assert_eq!(codes, []);
        assert_eq!(schemas["A"], "NAME STRING PRIMARY KEY, A DECIMAL(4, 2), T ARRAY<STRING>");
    }

    #[test]
    fn format_settings_are_for_the_formats_that_take_them() {
        let (schemas, codes) = run("CREATE STREAM A (K INT KEY, V STRING) WITH (kafka_topic='a', key_format='KAFKA', \
             key_schema_id=1, value_format='JSON');\n\
             CREATE STREAM B (K INT KEY, V STRING) WITH (kafka_topic='b', value_format='JSON', value_delimiter='|');\n\
             CREATE STREAM C (K INT KEY, V STRING) WITH (kafka_topic='c', value_format='DELIMITED', value_delimiter='|');");
        assert_eq!(codes, [("V310", "key_schema_id".to_string()), ("V310", "value_delimiter".to_string())]);
        assert!(schemas.contains_key("C"));
    }

    #[test]
    fn partition_by_rules_follow_partition_by_params_factory() {
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE STREAM A AS SELECT * FROM INPUT PARTITION BY NAME;\n\
             CREATE STREAM B AS SELECT ID FROM INPUT PARTITION BY NAME;\n\
             CREATE STREAM C AS SELECT NAME, ID FROM INPUT PARTITION BY NAME, NULL;\n\
             CREATE STREAM D AS SELECT * FROM INPUT PARTITION BY NULL;\n\
             CREATE STREAM E AS SELECT MAP('k' := NAME) AS M, ID FROM INPUT PARTITION BY MAP('k' := NAME);\n\
             CREATE STREAM F AS SELECT * FROM INPUT PARTITION BY LEN(NAME);"
        ));
        // After PARTITION BY, `*` puts the old key after the value columns.
        assert_eq!(
            schemas["A"],
            "NAME STRING KEY, AMOUNT DECIMAL(4, 2), TAGS ARRAY<STRING>, S STRUCT<`F` INTEGER>, ID INTEGER"
        );
        assert_eq!(
            schemas["D"],
            "NAME STRING, AMOUNT DECIMAL(4, 2), TAGS ARRAY<STRING>, S STRUCT<`F` INTEGER>, ID INTEGER"
        );
        assert_eq!(
            schemas["F"],
            "KSQL_COL_0 INTEGER KEY, NAME STRING, AMOUNT DECIMAL(4, 2), TAGS ARRAY<STRING>, S STRUCT<`F` INTEGER>, ID INTEGER"
        );
        let found: Vec<&str> = codes.iter().map(|(c, _)| *c).collect();
        assert_eq!(found, ["V310", "V310", "V310"], "{codes:?}");
        assert_eq!(codes[0].1, "NAME", "B does not select its key");
        assert_eq!(codes[1].1, "NAME, NULL");
    }

    #[test]
    fn rowpartition_and_rowoffset_are_pseudocolumns() {
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE STREAM A AS SELECT ID, ROWPARTITION AS P, ROWOFFSET AS O FROM INPUT WHERE ROWOFFSET > 10;\n\
             CREATE STREAM B AS SELECT ID, ROWPARTITION FROM INPUT;\n\
             CREATE STREAM C (K INT KEY, ROWOFFSET BIGINT) WITH (kafka_topic='c', value_format='JSON');\n\
             INSERT INTO INPUT (ID, NAME, ROWTIME) VALUES (1, 'a', 1);\n\
             INSERT INTO INPUT (ID, NAME, ROWPARTITION) VALUES (1, 'a', 1);"
        ));
        assert_eq!(schemas["A"], "ID INTEGER KEY, P INTEGER, O BIGINT");
        let found: Vec<(&str, &str)> = codes.iter().map(|(c, t)| (*c, t.as_str())).collect();
        assert_eq!(found[1..], [("V310", "ROWOFFSET"), ("V310", "ROWPARTITION")]);
        assert_eq!(found[0].0, "V310", "B's column is named ROWPARTITION");
    }

    #[test]
    fn star_over_a_windowed_source_keeps_the_bounds_only_where_a_join_prefixes_them() {
        let (schemas, codes) =
            run("CREATE STREAM S1 (ID INT KEY, V BIGINT) WITH (kafka_topic='l', value_format='JSON', \
             WINDOW_TYPE='Hopping', WINDOW_SIZE='5 SECONDS');\n\
             CREATE STREAM S2 (ID INT KEY, V BIGINT) WITH (kafka_topic='r', value_format='JSON', \
             WINDOW_TYPE='Tumbling', WINDOW_SIZE='2 SECONDS');\n\
             CREATE STREAM J AS SELECT * FROM S1 JOIN S2 WITHIN 1 MINUTE ON S1.ID = S2.ID;\n\
             CREATE STREAM C AS SELECT * FROM S1;");
        assert_eq!(codes, []);
        assert_eq!(
            schemas["J"],
            "S1_ID INTEGER KEY, S1_WINDOWSTART BIGINT, S1_WINDOWEND BIGINT, S1_V BIGINT, S2_ID INTEGER, \
             S2_WINDOWSTART BIGINT, S2_WINDOWEND BIGINT, S2_V BIGINT"
        );
        assert_eq!(schemas["C"], "ID INTEGER KEY, V BIGINT");
    }

    #[test]
    fn a_table_with_a_multi_column_key_is_never_joined_on_its_whole_key() {
        let (_, codes) = run("CREATE STREAM S (A INT KEY, C INT) WITH (kafka_topic='s', value_format='JSON');\n\
             CREATE TABLE M (X INT PRIMARY KEY, Y INT PRIMARY KEY, Z INT) WITH (kafka_topic='m', format='JSON');\n\
             CREATE TABLE T (X INT PRIMARY KEY, Z INT) WITH (kafka_topic='t', format='JSON');\n\
             CREATE STREAM J AS SELECT * FROM S JOIN M ON S.C = M.X;\n\
             CREATE TABLE K AS SELECT * FROM M JOIN T ON M.Z = T.X;");
        // M is on the right of J; K is a foreign-key join from M, which is fine.
        assert_eq!(codes, [("V310", "S.C = M.X".to_string())]);
    }

    #[test]
    fn created_sources_register_their_schemas_for_later_inference() {
        let (schemas, codes) = run("CREATE STREAM A (ID INT KEY, V STRING) WITH (kafka_topic='a', format='AVRO');\n\
             CREATE STREAM B AS SELECT ID, V, LEN(V) AS L FROM A;\n\
             CREATE STREAM C WITH (kafka_topic='B', format='AVRO');\n\
             CREATE STREAM D (K STRING KEY) WITH (kafka_topic='a', key_format='KAFKA', value_format='AVRO');\n\
             CREATE STREAM E (K STRING KEY) WITH (kafka_topic='e', key_format='KAFKA', value_format='AVRO');");
        assert_eq!(schemas["C"], "ROWKEY INTEGER KEY, V STRING, L INTEGER");
        assert_eq!(schemas["D"], "K STRING KEY, V STRING");
        assert_eq!(codes, [("V310", "'e'".to_string())], "no subject `e-value` is registered");
    }

    #[test]
    fn joins_prefix_star_columns_and_check_key_types() {
        let (schemas, codes) = run("CREATE STREAM L (A INT KEY, B INT) WITH (kafka_topic='l', value_format='JSON');\n\
             CREATE STREAM R (A INT KEY, B BIGINT) WITH (kafka_topic='r', value_format='JSON');\n\
             CREATE STREAM J AS SELECT * FROM L JOIN R WITHIN 10 SECONDS ON L.A = R.A;\n\
             CREATE STREAM K AS SELECT * FROM L JOIN R WITHIN 10 SECONDS ON L.A = R.B;");
        assert_eq!(schemas["J"], "L_A INTEGER KEY, L_B INTEGER, R_A INTEGER, R_B BIGINT");
        assert_eq!(codes.iter().map(|(c, _)| *c).collect::<Vec<_>>(), ["V307"]);
    }
}
