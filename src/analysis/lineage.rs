//! Column lineage: what downstream reads each field of a topic's records, so that a schema
//! change can name what it breaks (V202's impact).
//!
//! Built once per check from the model, the ksqlDB effects and the transforms' statements, then
//! only read. A field reaches:
//! - the ksqlDB streams and tables over the topic (a `stream`/`table` node, whose columns are
//!   the record's fields upper-cased, or a `CREATE STREAM|TABLE` over it, with its declared
//!   columns), as the column of the field's name;
//! - the queries (`CREATE ... AS SELECT`, `INSERT INTO`) that read that column, at each place
//!   they name it; a column selected as it is (maybe aliased), or through `*`, is a column of
//!   what the query writes, and is followed on from there. A column computed from an expression
//!   is named by ksqlDB (`KSQL_COL_n`) only inside its analysis, so the lineage stops at the
//!   query that reads it;
//! - the sinks of every topic on the way (a JDBC sink stores each field in the column of its
//!   name) and the consumers whose reader schema has the field.
//!
//! Column names follow ksqlDB's: an Avro field becomes the column of its name upper-cased
//! (`ksql::project`), and a query's output column keeps its input's name unless aliased
//! (`SelectExpression` naming in ksqlDB's `QueryAnalyzer`); in a join, `*` prefixes each column
//! with its source's alias (ksqlDB's `SelectionUtil`).

use super::sink_table;
use crate::avro::TypeKind;
use crate::ksql::ast::{Query, SelectItem, Statement, StatementKind};
use crate::ksql::infer::{Effect, children};
use crate::model::{Direction, KsqlSourceKind, Project, SourceText};
use crate::source::Span;
use sqlparser::ast::Expr;
use std::collections::{BTreeSet, HashMap};

/// What reads the fields of each topic, directly or through ksqlDB.
#[derive(Debug, Default)]
pub(crate) struct Lineage {
    /// The ksqlDB streams and tables over each topic.
    over_topic: HashMap<String, Vec<KsqlReader>>,
    /// The queries, and which of them read each stream or table (by ksqlDB name).
    flows: Vec<Flow>,
    reading: HashMap<String, Vec<usize>>,
    /// The topic of each stream or table (by ksqlDB name).
    topic_of: HashMap<String, String>,
    /// The ksqlDB names of the tables.
    tables: BTreeSet<String>,
    /// The sinks (indexes into the project's connectors) and the consumers reading each topic.
    sinks: HashMap<String, Vec<usize>>,
    consumers: HashMap<String, Vec<usize>>,
}

/// A stream or table over a topic.
#[derive(Debug)]
struct KsqlReader {
    name: String,
    /// Its value columns, when declared in the statement; `None` when they are the record's
    /// fields.
    columns: Option<Vec<String>>,
    span: Span,
}

/// One query: the stream or table it writes, the sources it reads, and every column it names.
#[derive(Debug)]
struct Flow {
    target: String,
    /// Each source's ksqlDB name and the name the query refers to it by (its alias, else its
    /// name).
    sources: Vec<(String, String)>,
    joined: bool,
    /// The query has a HAVING clause.
    having: bool,
    references: Vec<Reference>,
    /// `*` (`None`) and `source.*` (the reference), with where.
    wildcards: Vec<(Option<String>, Span)>,
}

/// A column named in a query.
#[derive(Debug)]
struct Reference {
    qualifier: Option<String>,
    column: String,
    span: Span,
    /// The output column, when the reference is a select item of its own.
    output: Option<String>,
}

/// Something downstream of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Downstream {
    /// A column of a ksqlDB stream or table (`ORDERS.AMOUNT`), where the stream is declared.
    KsqlColumn { source: String, column: String, span: Span },
    /// A query that reads the column, at the place it names it.
    KsqlQuery { target: String, column: String, span: Span },
    /// The column of a JDBC sink's table, at the sink.
    SinkColumn { sink: String, table: String, column: String, span: Span },
    /// Another sink reading the field, at the sink.
    Sink { sink: String, field: String, span: Span },
    /// A consumer whose reader schema has the field, at its `schema=`.
    Consumer { consumer: String, schema: String, span: Span },
}

impl Downstream {
    /// The kind as `--format json` spells it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Downstream::KsqlColumn { .. } => "ksql-column",
            Downstream::KsqlQuery { .. } => "ksql-query",
            Downstream::SinkColumn { .. } => "sink-column",
            Downstream::Sink { .. } => "sink",
            Downstream::Consumer { .. } => "consumer",
        }
    }

    pub(crate) fn span(&self) -> Span {
        match self {
            Downstream::KsqlColumn { span, .. }
            | Downstream::KsqlQuery { span, .. }
            | Downstream::SinkColumn { span, .. }
            | Downstream::Sink { span, .. }
            | Downstream::Consumer { span, .. } => *span,
        }
    }
}

/// What the transforms' statements say that the ksqlDB effects do not keep: each query's column
/// references, and the value columns each `CREATE STREAM|TABLE` declares. Read from the parsed
/// statements before the ksqlDB analysis takes them.
#[derive(Debug, Default)]
pub(crate) struct Queries {
    flows: Vec<Flow>,
    /// The value columns each CREATE statement declares (by ksqlDB name); `None` when ksqlDB
    /// takes them from the registry.
    declared: HashMap<String, Option<Vec<String>>>,
}

impl Queries {
    /// The queries of every transform, from its statements as parsed (in project order, `None`
    /// where a transform has no SQL).
    pub(crate) fn of(project: &Project, parsed: &crate::ksql::project::Parsed) -> Queries {
        let mut queries = Queries::default();
        for (transform, parsed) in project.transforms.iter().zip(parsed) {
            let (Some(sql), Some((statements, _))) = (&transform.sql, parsed) else { continue };
            for statement in statements {
                if let StatementKind::CreateSource(c) = &statement.kind {
                    queries.declared.entry(c.name.value.clone()).or_insert_with(|| value_columns(c));
                }
                queries.flows.extend(flow_of(sql, statement));
            }
        }
        queries
    }
}

/// The value columns a CREATE statement declares; `None` when it declares none (ksqlDB infers
/// them from the value's registered schema, partial inference included).
fn value_columns(create: &crate::ksql::ast::CreateSource) -> Option<Vec<String>> {
    let elements = create.elements.as_ref()?;
    let values: Vec<String> =
        elements.iter().filter(|e| e.constraint.is_none()).map(|e| e.name.value.clone()).collect();
    (!values.is_empty()).then_some(values)
}

impl Lineage {
    /// The lineage of a project, from its queries and the ksqlDB effects (in project order).
    pub(crate) fn of(project: &Project, queries: Queries, effects: &[Vec<Effect>]) -> Lineage {
        let mut lineage = Lineage::default();
        for node in &project.ksql_sources {
            let name = node.name.value.to_uppercase();
            if node.kind == KsqlSourceKind::Table {
                lineage.tables.insert(name.clone());
            }
            lineage.topic_of.entry(name.clone()).or_insert_with(|| node.topic.value.clone());
            let reader = KsqlReader { name, columns: None, span: node.name.span };
            lineage.over_topic.entry(node.topic.value.clone()).or_default().push(reader);
        }
        for effect in effects.iter().flatten() {
            let (Effect::Declared(created) | Effect::Created(created)) = effect else { continue };
            if created.kind == KsqlSourceKind::Table {
                lineage.tables.insert(created.name.value.clone());
            }
            lineage.topic_of.entry(created.name.value.clone()).or_insert_with(|| created.topic.value.clone());
            if let Effect::Declared(created) = effect {
                let columns = queries.declared.get(&created.name.value).cloned().flatten();
                let reader = KsqlReader { name: created.name.value.clone(), columns, span: created.name.span };
                lineage.over_topic.entry(created.topic.value.clone()).or_default().push(reader);
            }
        }
        for (at, flow) in queries.flows.iter().enumerate() {
            for (name, _) in &flow.sources {
                let reading = lineage.reading.entry(name.clone()).or_default();
                // A self-join reads its source twice; the query is walked once.
                if reading.last() != Some(&at) {
                    reading.push(at);
                }
            }
        }
        lineage.flows = queries.flows;
        for (at, connector) in project.connectors.iter().enumerate() {
            if let (Direction::Sink, Some(topic)) = (connector.direction, &connector.topic) {
                lineage.sinks.entry(topic.value.clone()).or_default().push(at);
            }
        }
        for (at, consumer) in project.consumers.iter().enumerate() {
            lineage.consumers.entry(consumer.topic.value.clone()).or_default().push(at);
        }
        lineage
    }

    /// Whether the queries writing the table `table` (a ksqlDB name) may delete its rows, writing
    /// tombstones: a query that reads a table passes its deletes on (and a filter or a join over
    /// tables makes its own), and HAVING deletes the rows it stops matching. An aggregation of
    /// streams without HAVING only updates its rows (ksqlDB's query-validation tests `having.json`,
    /// `count.json`: no null values out of a stream aggregation without HAVING).
    pub(crate) fn deletes_rows(&self, table: &str) -> bool {
        self.flows
            .iter()
            .filter(|f| f.target == table)
            .any(|f| f.having || f.sources.iter().any(|(name, _)| self.tables.contains(name)))
    }

    /// What reads the top-level field `field` of the values of `topic`, directly or through
    /// ksqlDB, in the order the data flows (each once).
    pub(crate) fn downstream_of(
        &self,
        project: &Project,
        analysis: &super::Analysis,
        topic: &str,
        field: &str,
    ) -> Vec<Downstream> {
        let mut walk = Walk { lineage: self, project, analysis, found: Vec::new(), seen: BTreeSet::new() };
        walk.topic(topic, field);
        walk.found
    }
}

/// A walk down the lineage from one field.
struct Walk<'a> {
    lineage: &'a Lineage,
    project: &'a Project,
    analysis: &'a super::Analysis,
    found: Vec<Downstream>,
    /// The (topic or ksqlDB source, field or column) pairs already followed: a cycle among
    /// transforms (V501) ends here.
    seen: BTreeSet<(String, String)>,
}

impl Walk<'_> {
    /// The readers of `field` in the records of `topic`.
    fn topic(&mut self, topic: &str, field: &str) {
        if !self.seen.insert((format!("topic {topic}"), field.to_string())) {
            return;
        }
        for reader in self.lineage.over_topic.get(topic).into_iter().flatten() {
            let column = match &reader.columns {
                None => Some(field.to_uppercase()),
                Some(columns) => columns.iter().find(|c| c.eq_ignore_ascii_case(field)).cloned(),
            };
            if let Some(column) = column {
                let span = reader.span;
                self.found.push(Downstream::KsqlColumn { source: reader.name.clone(), column: column.clone(), span });
                self.source(&reader.name, &column);
            }
        }
        self.sinks(topic, field);
        self.consumers(topic, field);
    }

    /// The queries that read `column` of the stream or table `source`, and on from what they
    /// write.
    fn source(&mut self, source: &str, column: &str) {
        if !self.seen.insert((source.to_string(), column.to_string())) {
            return;
        }
        for &at in self.lineage.reading.get(source).into_iter().flatten() {
            let flow = &self.lineage.flows[at];
            let reference = flow.sources.iter().find(|(name, _)| name == source).map(|(_, r)| r.as_str());
            let mut outputs = Vec::new();
            for r in flow.references.iter().filter(|r| r.column == column) {
                if r.qualifier.as_deref().is_none_or(|q| Some(q) == reference) {
                    let span = r.span;
                    self.found.push(Downstream::KsqlQuery { target: flow.target.clone(), column: column.into(), span });
                    outputs.extend(r.output.clone().map(|o| (o, span)));
                }
            }
            for (qualifier, span) in &flow.wildcards {
                if qualifier.as_deref().is_none_or(|q| Some(q) == reference) {
                    let name = match (flow.joined, reference) {
                        (true, Some(alias)) => format!("{alias}_{column}"),
                        _ => column.to_string(),
                    };
                    outputs.push((name, *span));
                }
            }
            for (output, span) in outputs {
                self.output(&flow.target, &output, span);
            }
        }
    }

    /// A column a query writes: a column of its target, followed into what reads the target
    /// and its topic.
    fn output(&mut self, target: &str, column: &str, span: Span) {
        if self.seen.contains(&(target.to_string(), column.to_string())) {
            return;
        }
        self.found.push(Downstream::KsqlColumn { source: target.into(), column: column.into(), span });
        self.source(target, column);
        if let Some(topic) = self.lineage.topic_of.get(target) {
            self.topic(topic, column);
        }
    }

    /// The sinks of `topic`: a JDBC sink stores the field in the column of its name.
    fn sinks(&mut self, topic: &str, field: &str) {
        for &at in self.lineage.sinks.get(topic).into_iter().flatten() {
            let connector = &self.project.connectors[at];
            let sink = connector.name.value.clone();
            let span = connector.name.span;
            self.found.push(match sink_table::table_of(connector) {
                Some(table) => Downstream::SinkColumn { sink, table, column: field.into(), span },
                None => Downstream::Sink { sink, field: field.into(), span },
            });
        }
    }

    /// The consumers of `topic` whose value reader schema is a record with the field.
    fn consumers(&mut self, topic: &str, field: &str) {
        for &at in self.lineage.consumers.get(topic).into_iter().flatten() {
            let consumer = &self.project.consumers[at];
            let Some(schema) = consumer.value.as_ref().and_then(|v| v.schema.as_ref()) else { continue };
            if has_field(self.analysis, &schema.value, field) {
                let (name, span) = (consumer.name.value.clone(), schema.span);
                self.found.push(Downstream::Consumer { consumer: name, schema: schema.value.clone(), span });
            }
        }
    }
}

/// Whether the Avro schema `name` is a record with the top-level field `field`.
fn has_field(analysis: &super::Analysis, name: &str, field: &str) -> bool {
    let Some(root) = analysis.avro.schema(name) else { return false };
    match &root.kind {
        TypeKind::Named(id) | TypeKind::Reference(id) => {
            analysis.avro.named(*id).fields().iter().any(|f| f.name == field)
        }
        _ => false,
    }
}

/// The flow of a statement that runs a query into a stream or table.
fn flow_of(sql: &SourceText, statement: &Statement) -> Option<Flow> {
    let (target, query) = match &statement.kind {
        StatementKind::CreateAsSelect(c) => (&c.name.value, &c.query),
        StatementKind::InsertInto(i) => (&i.target.value, &i.query),
        _ => return None,
    };
    let from = &query.from;
    let sources = std::iter::once(&from.source)
        .chain(from.joins.iter().map(|j| &j.source))
        .map(|s| (s.name.value.clone(), s.reference().value.clone()))
        .collect();
    let mut flow = Flow {
        target: target.clone(),
        sources,
        joined: !from.joins.is_empty(),
        having: query.having.is_some(),
        references: Vec::new(),
        wildcards: Vec::new(),
    };
    let span = |s: sqlparser::tokenizer::Span| statement.span_of(sql, s);
    for item in &query.select {
        match item {
            SelectItem::Expr { expr, alias } => {
                let before = flow.references.len();
                references(&expr.expr, &span, &mut flow.references);
                // A column selected as it is becomes the output column of its name or alias.
                if flow.references.len() == before + 1 && is_column(&expr.expr) {
                    let r = &mut flow.references[before];
                    r.output = Some(alias.as_ref().map_or_else(|| r.column.clone(), |a| a.value.clone()));
                }
            }
            SelectItem::Wildcard(at) => flow.wildcards.push((None, *at)),
            SelectItem::SourceWildcard { source, span } => flow.wildcards.push((Some(source.value.clone()), *span)),
            SelectItem::StructWildcard { expr, .. } => references(&expr.expr, &span, &mut flow.references),
        }
    }
    for expr in clauses(query) {
        references(expr, &span, &mut flow.references);
    }
    Some(flow)
}

/// The expressions of a query outside its projection: join conditions, WHERE, GROUP BY,
/// PARTITION BY, HAVING.
fn clauses(query: &Query) -> impl Iterator<Item = &Expr> {
    let joins = query.from.joins.iter().map(|j| &j.on.expr);
    let lists = [&query.group_by, &query.partition_by].into_iter().flatten().flat_map(|l| l.value.iter());
    joins
        .chain(query.filter.iter().map(|f| &f.expr))
        .chain(lists.map(|e| &e.expr))
        .chain(query.having.iter().map(|h| &h.expr))
}

/// Whether an expression is a column reference, `col` or `source.col`, maybe in parentheses.
fn is_column(expr: &Expr) -> bool {
    let mut e = expr;
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    matches!(e, Expr::Identifier(_)) || matches!(e, Expr::CompoundIdentifier(parts) if parts.len() == 2)
}

/// Every column an expression names, with where. Walked with a stack (a long chain of operators
/// would exhaust the stack by recursion), over the shapes of expressions ksqlDB's grammar
/// allows (`ksql::ast`): the right side of `->` is a struct field, and a lambda's parameters
/// are not columns.
fn references(expr: &Expr, span: &impl Fn(sqlparser::tokenizer::Span) -> Span, out: &mut Vec<Reference>) {
    let mut pending: Vec<(&Expr, Vec<&str>)> = vec![(expr, Vec::new())];
    while let Some((e, bound)) = pending.pop() {
        match e {
            Expr::Identifier(id) if !bound.contains(&id.value.as_str()) => {
                out.push(Reference { qualifier: None, column: id.value.clone(), span: span(id.span), output: None });
            }
            Expr::CompoundIdentifier(parts) if parts.len() == 2 && !bound.contains(&parts[0].value.as_str()) => {
                let at = span(parts[0].span.union(&parts[1].span));
                let qualifier = Some(parts[0].value.clone());
                out.push(Reference { qualifier, column: parts[1].value.clone(), span: at, output: None });
            }
            Expr::BinaryOp { left, op: sqlparser::ast::BinaryOperator::Arrow, .. } => pending.push((left, bound)),
            Expr::Lambda(lambda) => {
                let mut inner = bound.clone();
                inner.extend(lambda.params.iter().map(|p| p.name.value.as_str()));
                pending.push((&lambda.body, inner));
            }
            _ => pending.extend(children(e).into_iter().map(|c| (c, bound.clone()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What reads `field` of `topic`'s values, as `kind name.column`.
    fn downstream(kdl: &str, topic: &str, field: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        let found = checked.analysis.lineage.downstream_of(&checked.project, &checked.analysis, topic, field);
        found
            .iter()
            .map(|d| match d {
                Downstream::KsqlColumn { source, column, .. } => format!("column {source}.{column}"),
                Downstream::KsqlQuery { target, column, .. } => format!("query {target} reads {column}"),
                Downstream::SinkColumn { sink, table, column, .. } => format!("sink {sink} {table}.{column}"),
                Downstream::Sink { sink, field, .. } => format!("sink {sink} {field}"),
                Downstream::Consumer { consumer, .. } => format!("consumer {consumer}"),
            })
            .collect()
    }

    const PROJECT: &str = r##"project p
schema Click avro=#"{"type": "record", "name": "Click", "fields": [{"name": "user", "type": "string"}, {"name": "page", "type": "string"}, {"name": "tags", "type": {"type": "array", "items": "string"}}]}"#
topic clicks partitions=1 {
    key string
    value avro schema=Click
}
producer web topic=clicks {
    key string
    value avro schema=Click
}
"##;

    #[test]
    fn a_column_is_followed_through_aliases_and_into_the_next_query() {
        let kdl = format!(
            r#"{PROJECT}stream clicks topic=clicks key-column=ID
transform t {{
    sql "CREATE STREAM pages WITH (KAFKA_TOPIC='PAGES', VALUE_FORMAT='AVRO') AS SELECT id, page AS url FROM clicks c WHERE c.user <> 'bot' EMIT CHANGES; CREATE TABLE hits WITH (KAFKA_TOPIC='HITS', VALUE_FORMAT='AVRO') AS SELECT url, COUNT(*) AS n FROM pages GROUP BY url EMIT CHANGES;"
}}
"#
        );
        assert_eq!(
            downstream(&kdl, "clicks", "page"),
            [
                "column CLICKS.PAGE",
                "query PAGES reads PAGE",
                "column PAGES.URL",
                "query HITS reads URL",
                "query HITS reads URL",
                "column HITS.URL",
            ]
        );
        assert_eq!(downstream(&kdl, "clicks", "user"), ["column CLICKS.USER", "query PAGES reads USER"]);
    }

    #[test]
    fn lambda_parameters_and_struct_fields_are_not_columns() {
        let kdl = format!(
            r#"{PROJECT}stream clicks topic=clicks key-column=ID
transform t {{
    sql "CREATE STREAM tagged WITH (KAFKA_TOPIC='TAGGED', VALUE_FORMAT='AVRO') AS SELECT id, TRANSFORM(tags, page => UCASE(page)) AS t FROM clicks EMIT CHANGES;"
}}
"#
        );
        assert_eq!(downstream(&kdl, "clicks", "page"), ["column CLICKS.PAGE"]);
        assert_eq!(downstream(&kdl, "clicks", "tags"), ["column CLICKS.TAGS", "query TAGGED reads TAGS"]);
    }

    #[test]
    fn a_star_over_a_join_prefixes_columns_and_sinks_and_consumers_are_reached() {
        let kdl = format!(
            r#"{PROJECT}consumer audit topic=clicks {{
    key string
    value avro schema=Click
}}
transform t {{
    sql "CREATE STREAM c (id STRING KEY, user STRING, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='AVRO'); CREATE STREAM copy WITH (KAFKA_TOPIC='COPY', VALUE_FORMAT='AVRO') AS SELECT * FROM c EMIT CHANGES;"
}}
sink s connector=file topic=COPY {{
    file "/tmp/copy.txt"
    key string
    value avro
}}
"#
        );
        assert_eq!(
            downstream(&kdl, "clicks", "page"),
            ["column C.PAGE", "column COPY.PAGE", "sink s PAGE", "consumer audit"]
        );
        // Not a column of the declared stream: only the consumer reads it.
        assert_eq!(downstream(&kdl, "clicks", "tags"), ["consumer audit"]);
    }
}
