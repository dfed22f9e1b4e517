//! A query, clause by clause in the order ksqlDB's analyser reports: FROM, WINDOW, the joins,
//! WHERE, GROUP BY, PARTITION BY, SELECT, HAVING, the sink, then the key and the result's columns.

use super::Run;
use super::expr::AggregateMode;
use super::key::Key;
use super::scope::{Resolved, Scope, ScopeSource, canon, children, column_ref, function_name, strip_nested};
use super::select::Item;
use crate::ksql::ast::*;
use crate::ksql::catalog::{Column, WindowType};
use crate::ksql::functions::{self, FunctionKind};
use crate::ksql::problem::Problem;
use crate::model::KsqlSourceKind;
use sqlparser::ast::{Expr, Value};

impl Run<'_> {
    /// Analyses a query; `sink` is the kind of what a persistent query creates or writes
    /// (`None` for a query on its own). Clause by clause, in the order ksqlDB's analyser reports.
    pub(super) fn query(
        &mut self,
        q: &Query,
        sink: Option<KsqlSourceKind>,
        sink_name: Option<&Name>,
    ) -> Option<QueryOutput> {
        let (mut scope, from) = self.scope_of_from(q)?;
        let persistent = sink.is_some();
        let window = self.window_clause(q);
        let mut join_keys = Vec::new();
        if scope.joined && !self.joins(q, &mut scope, &mut join_keys) {
            return None;
        }
        self.check_window_applies(q, &scope, persistent)?;
        scope.window = window.or(scope.sources[0].source.windowed);
        self.where_clause(q, &scope);
        let (group_types, grouping_unknown) = match &q.group_by {
            Some(group) => self.group_by_clause(group, &scope)?,
            None => (Vec::new(), false),
        };
        let partition_types = match &q.partition_by {
            Some(partition) => self.partition_by_clause(q, partition, &scope)?.0,
            None => Vec::new(),
        };
        let (mut items, aggregate) = self.projection(q, &scope)?;
        let having_unknown = self.having_clause(q, &scope, aggregate)?;
        if !grouping_unknown {
            self.check_grouped(q, &scope, &items, aggregate, persistent, having_unknown)?;
        }
        if let Some(sink) = sink {
            self.check_sink(q, &scope, aggregate, sink, sink_name)?;
        }
        self.check_persistent_clauses(q, window, persistent)?;
        // A query that may aggregate has a key that is unknown, and so are its columns.
        let known = scope.sources.iter().all(|s| s.source.columns_known) && aggregate != Aggregation::Unknown;
        self.name_items(&scope, &mut items);
        let mut key = Key::default();
        if persistent {
            if let Some(group) = &q.group_by {
                key.add_expressions(&scope, &items, &group.value, &group_types, known);
            } else if let Some(partition) = &q.partition_by {
                // `SELECT *` selects the new key columns too (`UserRepartitionNode.resolveSelectStar`).
                let star = q.select.iter().any(|i| matches!(i, SelectItem::Wildcard(_)));
                if !partition_by_null(partition) && known && !star {
                    self.check_partition_selected(&scope, &items, partition)?;
                }
                if !partition_by_null(partition) {
                    key.add_expressions(&scope, &items, &partition.value, &partition_types, known);
                }
            } else if scope.joined {
                self.join_key(q, &scope, &items, &join_keys, known, &mut key)?;
            } else {
                self.source_key(q, &scope, &items, sink_name, known, &mut key)?;
            }
        }
        let (columns, typed) = self.result_columns(items, key, persistent)?;
        let source0 = &scope.sources[0].source;
        Some(QueryOutput {
            columns,
            known: known && typed,
            key_format: source0.key_format.clone(),
            value_format: source0.value_format.clone(),
            windowed: if aggregate == Aggregation::Yes { window } else { source0.windowed },
            partitions: source0.partitions,
            from,
        })
    }

    /// FROM and its joins: the scope of the sources (each alias once), and their names. `None`
    /// when one is unknown or an alias repeats.
    fn scope_of_from(&mut self, q: &Query) -> Option<(Scope, Vec<String>)> {
        let mut scope = Scope::default();
        let mut from = Vec::new();
        let mut all_found = true;
        for aliased in std::iter::once(&q.from.source).chain(q.from.joins.iter().map(|j| &j.source)) {
            from.push(aliased.name.value.clone());
            match self.lookup_source(&aliased.name) {
                Some(source) => {
                    let alias = aliased.reference().value.clone();
                    if scope.sources.iter().any(|s| s.alias == alias) {
                        self.reject(
                            format!("`{alias}` appears twice in FROM: give each an alias"),
                            aliased.reference().span,
                        );
                        return None;
                    }
                    scope.sources.push(ScopeSource { alias, source });
                }
                None => all_found = false,
            }
        }
        if !all_found {
            return None;
        }
        scope.joined = !q.from.joins.is_empty();
        Some((scope, from))
    }

    /// The WINDOW clause's type; a HOPPING window's ADVANCE BY is checked against its SIZE.
    fn window_clause(&mut self, q: &Query) -> Option<WindowType> {
        if let Some(w) = &q.window
            && let WindowKind::Hopping { size, advance } = &w.kind
            && (advance.value.millis() > size.value.millis() || advance.value.millis() <= 0)
        {
            self.reject("a HOPPING window's ADVANCE BY must be positive and at most its SIZE", advance.span);
        }
        q.window.as_ref().map(|w| match w.kind {
            WindowKind::Tumbling { .. } => WindowType::Tumbling,
            WindowKind::Hopping { .. } => WindowType::Hopping,
            WindowKind::Session { .. } => WindowType::Session,
        })
    }

    /// A WINDOW needs an aggregation (when the query persists or emits) over a stream.
    fn check_window_applies(&mut self, q: &Query, scope: &Scope, persistent: bool) -> Option<()> {
        let Some(window) = &q.window else { return Some(()) };
        // ksqlDB: windowing only applies to aggregations.
        if q.group_by.is_none() && (persistent || q.emit.is_some()) {
            self.reject("WINDOW is only for aggregations: add GROUP BY", window.span);
            return None;
        }
        if scope.sources[0].source.kind == KsqlSourceKind::Table {
            self.reject("a table cannot be windowed: WINDOW applies to streams", window.span);
            return None;
        }
        Some(())
    }

    /// WHERE: a BOOLEAN, without aggregates.
    fn where_clause(&mut self, q: &Query, scope: &Scope) {
        let Some(filter) = &q.filter else { return };
        let mut cx = self.cx(scope, filter.span);
        cx.aggregates = AggregateMode::Forbidden("WHERE");
        let t = cx.ty(&filter.expr);
        let problems = cx.problems;
        self.flush(problems);
        if let Some(t) = t
            && t != SqlType::Boolean
        {
            self.report(Problem::Type { reason: format!("WHERE needs a BOOLEAN, not {t}") }, filter.span);
        }
    }

    /// GROUP BY: the types of its expressions, at least one, and whether one is unknown.
    fn group_by_clause(&mut self, group: &Spanned<Vec<SqlExpr>>, scope: &Scope) -> Option<ClauseTypes> {
        let types = self.clause_types(&group.value, scope, "GROUP BY");
        if group.value.is_empty() {
            self.reject("GROUP BY needs at least one expression", group.span);
            return None;
        }
        Some(types)
    }

    /// A persistent query selects every PARTITION BY expression, which become its key columns
    /// (`UserRepartitionNode.validateKeyPresent`).
    fn check_partition_selected(
        &mut self,
        scope: &Scope,
        items: &[Item<'_>],
        partition: &Spanned<Vec<SqlExpr>>,
    ) -> Option<()> {
        let selected: Vec<String> = items.iter().filter_map(|i| i.expr.as_ref()).map(|e| canon(scope, e)).collect();
        let missing: Vec<String> = partition
            .value
            .iter()
            .filter(|e| !selected.contains(&canon(scope, &e.expr)))
            .map(|e| e.expr.to_string())
            .collect();
        if missing.is_empty() {
            return Some(());
        }
        self.reject(
            format!(
                "the query must select the PARTITION BY expression{} {}: ksqlDB makes {} the key",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                if missing.len() > 1 { "them" } else { "it" }
            ),
            partition.span,
        );
        None
    }

    /// PARTITION BY: the types of its expressions; not with GROUP BY, nor NULL among several
    /// (`PartitionByParamsFactory.isPartitionByNull`).
    fn partition_by_clause(
        &mut self,
        q: &Query,
        partition: &Spanned<Vec<SqlExpr>>,
        scope: &Scope,
    ) -> Option<ClauseTypes> {
        if q.group_by.is_some() {
            self.reject("PARTITION BY and GROUP BY cannot be used together", partition.span);
            return None;
        }
        if partition.value.len() > 1 && partition.value.iter().any(|e| is_null(&e.expr)) {
            self.reject("PARTITION BY cannot take several expressions including NULL", partition.span);
            return None;
        }
        Some(self.clause_types(&partition.value, scope, "PARTITION BY"))
    }

    /// The types of a clause's expressions, which may not aggregate.
    fn clause_types(&mut self, exprs: &[SqlExpr], scope: &Scope, clause: &'static str) -> ClauseTypes {
        let mut types = Vec::new();
        let mut unknown = false;
        for e in exprs {
            let mut cx = self.cx(scope, e.span);
            cx.aggregates = AggregateMode::Forbidden(clause);
            types.push(cx.ty(&e.expr));
            unknown |= cx.unknown();
            let problems = cx.problems;
            self.flush(problems);
        }
        (types, unknown)
    }

    /// HAVING: a BOOLEAN, in an aggregation; whether it depends on something unknown.
    fn having_clause(&mut self, q: &Query, scope: &Scope, aggregate: Aggregation) -> Option<bool> {
        let Some(having) = &q.having else { return Some(false) };
        if aggregate == Aggregation::No {
            self.reject("HAVING needs GROUP BY", having.span);
            return None;
        }
        let mut cx = self.cx(scope, having.span);
        cx.aggregates = AggregateMode::Allowed;
        let t = cx.ty(&having.expr);
        let unknown = cx.unknown();
        let problems = cx.problems;
        self.flush(problems);
        if let Some(t) = t
            && t != SqlType::Boolean
        {
            self.report(Problem::Type { reason: format!("HAVING needs a BOOLEAN, not {t}") }, having.span);
        }
        Some(unknown)
    }

    /// An aggregation persists only with GROUP BY, and then selects (and HAVING reads) only
    /// what is grouped or aggregated (V308). What depends on something unknown is not checked:
    /// whether it is grouped is unknown too.
    fn check_grouped(
        &mut self,
        q: &Query,
        scope: &Scope,
        items: &[Item<'_>],
        aggregate: Aggregation,
        persistent: bool,
        having_unknown: bool,
    ) -> Option<()> {
        if aggregate != Aggregation::Yes {
            return Some(());
        }
        let Some(group) = &q.group_by else {
            if persistent {
                self.reject("an aggregate query needs GROUP BY", q.span);
                return None;
            }
            return Some(());
        };
        let keys: Vec<String> = group.value.iter().map(|e| canon(scope, &e.expr)).collect();
        for item in items.iter().filter(|i| !i.unknown) {
            let Some(expr) = &item.expr else {
                self.report(
                    Problem::NotGrouped { expression: item.name.clone().unwrap_or_default(), clause: "SELECT" },
                    item.span,
                );
                continue;
            };
            if let Some(bad) = ungrouped(scope, expr, &keys) {
                self.report(Problem::NotGrouped { expression: bad, clause: "SELECT" }, item.span);
            }
        }
        if let Some(having) = &q.having
            && !having_unknown
            && let Some(bad) = ungrouped(scope, &having.expr, &keys)
        {
            self.report(Problem::NotGrouped { expression: bad, clause: "HAVING" }, having.span);
        }
        Some(())
    }

    /// The sink a persistent query creates or writes is of the kind the query produces (a
    /// table when it aggregates or joins tables only), and a table is not repartitioned.
    fn check_sink(
        &mut self,
        q: &Query,
        scope: &Scope,
        aggregate: Aggregation,
        sink: KsqlSourceKind,
        sink_name: Option<&Name>,
    ) -> Option<()> {
        let result_kind = if aggregate == Aggregation::Unknown {
            // The kind the query produces is unknown: it may aggregate.
            return Some(());
        } else if aggregate == Aggregation::Yes {
            KsqlSourceKind::Table
        } else if scope.joined {
            if scope.sources.iter().all(|s| s.source.kind == KsqlSourceKind::Table) {
                KsqlSourceKind::Table
            } else {
                KsqlSourceKind::Stream
            }
        } else {
            scope.sources[0].source.kind
        };
        if sink != result_kind && sink_name.is_some() {
            let (what, instead) = match result_kind {
                KsqlSourceKind::Table => ("a TABLE", "CREATE TABLE AS SELECT"),
                KsqlSourceKind::Stream => ("a STREAM", "CREATE STREAM AS SELECT"),
            };
            self.reject(format!("the query produces {what}: use {instead}"), q.span);
            return None;
        }
        if result_kind == KsqlSourceKind::Table && q.partition_by.is_some() {
            self.reject("a table cannot be repartitioned with PARTITION BY", q.span);
            return None;
        }
        Some(())
    }

    /// LIMIT and EMIT FINAL in a persistent query.
    fn check_persistent_clauses(&mut self, q: &Query, window: Option<WindowType>, persistent: bool) -> Option<()> {
        if !persistent {
            return Some(());
        }
        if let Some(limit) = &q.limit {
            self.reject("a persistent query cannot have LIMIT", limit.span);
            return None;
        }
        if let Some(emit) = &q.emit
            && emit.value == Emit::Final
            && window.is_none()
        {
            self.reject("EMIT FINAL needs a windowed aggregation", emit.span);
            return None;
        }
        Some(())
    }
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if v.value == Value::Null)
}

/// `PARTITION BY NULL`: the result has no key.
pub(super) fn partition_by_null(partition: &Spanned<Vec<SqlExpr>>) -> bool {
    matches!(partition.value.as_slice(), [one] if is_null(&one.expr))
}

/// The types of a clause's expressions, and whether one depends on something unknown.
type ClauseTypes = (Vec<Option<SqlType>>, bool);

/// Whether a query aggregates (it groups, or calls an aggregate function): `Unknown` when it
/// calls a function venice does not know, which may be an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Aggregation {
    No,
    Yes,
    Unknown,
}

/// The result of a query's analysis.
#[derive(Debug, Clone)]
pub(super) struct QueryOutput {
    pub(super) columns: Vec<Column>,
    /// Every column's name and type is known.
    pub(super) known: bool,
    pub(super) key_format: String,
    pub(super) value_format: String,
    pub(super) windowed: Option<WindowType>,
    pub(super) partitions: Option<u32>,
    pub(super) from: Vec<String>,
}

/// The first part of `e` that is neither grouped nor inside an aggregate, as text. Walked with a
/// stack: chains of operators can be thousands long.
fn ungrouped(scope: &Scope, e: &Expr, keys: &[String]) -> Option<String> {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if keys.contains(&canon(scope, e)) {
            continue;
        }
        match strip_nested(e) {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                let Some((q, name)) = column_ref(e) else { continue };
                if let Ok(Resolved::Column { .. }) = scope.resolve(q.as_deref(), &name) {
                    return Some(e.to_string());
                }
            }
            Expr::Function(f)
                if function_name(f).and_then(functions::lookup).is_some_and(|f| f.kind == FunctionKind::Aggregate) => {}
            Expr::Lambda(_) => {}
            other => {
                // Left to right: the first offending column is the one reported.
                let mut parts = children(other);
                parts.reverse();
                stack.extend(parts);
            }
        }
    }
    None
}
