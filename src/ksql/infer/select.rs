//! The SELECT list: its items typed (wildcards expanded), named as ksqlDB names them, and made
//! into the result's columns, key first.

use super::Run;
use super::expr::AggregateMode;
use super::key::Key;
use super::query::Aggregation;
use super::scope::{Scope, ScopeSource, column_ref, default_name};
use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::catalog::{Column, Role};
use crate::ksql::problem::Problem;
use crate::source::Span;
use sqlparser::ast::{Expr, Ident};
use std::collections::BTreeSet;

impl Run<'_> {
    /// The SELECT items, typed, and whether the query aggregates (it groups or calls an
    /// aggregate function). It may not also call a table function.
    pub(super) fn projection<'q>(&mut self, q: &'q Query, scope: &Scope) -> Option<(Vec<Item<'q>>, Aggregation)> {
        let mut items: Vec<Item<'q>> = Vec::new();
        let mut aggregate = q.group_by.is_some();
        let mut maybe_aggregate = false;
        let mut table_function = false;
        for item in &q.select {
            match item {
                SelectItem::Expr { expr, alias } => {
                    let mut cx = self.cx(scope, expr.span);
                    cx.aggregates = AggregateMode::Allowed;
                    cx.table_functions = true;
                    let t = cx.ty(&expr.expr);
                    aggregate |= cx.aggregate_found;
                    maybe_aggregate |= cx.unknown_call;
                    table_function |= cx.table_function_found;
                    let unknown = cx.unknown();
                    let problems = cx.problems;
                    self.flush(problems);
                    let name = alias.as_ref().map(|a| a.value.clone());
                    items.push(Item {
                        expr: Some(std::borrow::Cow::Borrowed(&expr.expr)),
                        name,
                        sql_type: t,
                        role: Role::Value,
                        span: expr.span,
                        unknown,
                    });
                }
                SelectItem::Wildcard(span) => {
                    for s in &scope.sources {
                        self.star(scope, s, q.partition_by.as_ref(), *span, &mut items);
                    }
                }
                SelectItem::SourceWildcard { source, span } => {
                    self.source_wildcard(scope, q.partition_by.as_ref(), source, *span, &mut items)?
                }
                SelectItem::StructWildcard { expr, span } => self.struct_wildcard(scope, expr, *span, &mut items)?,
            }
        }
        if aggregate && table_function {
            self.reject("a query cannot both aggregate and use a table function", q.span);
            return None;
        }
        let aggregation = match (aggregate, maybe_aggregate) {
            (true, _) => Aggregation::Yes,
            (false, true) => Aggregation::Unknown,
            (false, false) => Aggregation::No,
        };
        Some((items, aggregation))
    }

    /// `source.*`, where `source` is one of FROM's.
    fn source_wildcard(
        &mut self,
        scope: &Scope,
        partition: Option<&Spanned<Vec<SqlExpr>>>,
        source: &Name,
        span: Span,
        items: &mut Vec<Item<'_>>,
    ) -> Option<()> {
        let Some(s) = scope.sources.iter().find(|s| s.alias == source.value) else {
            let suggestion = suggest(&source.value, scope.sources.iter().map(|s| s.alias.as_str()));
            self.report(
                Problem::UnknownSource { what: "source in FROM", name: source.value.clone(), suggestion },
                source.span,
            );
            return None;
        };
        self.star(scope, s, partition, span, items);
        Some(())
    }

    /// `expr->*`: a column for each field of a STRUCT.
    fn struct_wildcard(&mut self, scope: &Scope, expr: &SqlExpr, span: Span, items: &mut Vec<Item<'_>>) -> Option<()> {
        let mut cx = self.cx(scope, expr.span);
        let t = cx.ty(&expr.expr);
        let problems = cx.problems;
        self.flush(problems);
        match t {
            Some(SqlType::Struct(fields)) => {
                for f in fields {
                    items.push(Item {
                        expr: None,
                        name: Some(f.name),
                        sql_type: Some(f.sql_type),
                        role: Role::Value,
                        span,
                        unknown: false,
                    });
                }
                Some(())
            }
            Some(other) => {
                self.report(Problem::Type { reason: format!("`->*` needs a STRUCT, not {other}") }, expr.span);
                None
            }
            None => None,
        }
    }

    /// The result's columns, key first (in key order), and whether every one is typed. A
    /// persistent query's names are distinct and not reserved.
    pub(super) fn result_columns(
        &mut self,
        mut items: Vec<Item<'_>>,
        key: Key<'_>,
        persistent: bool,
    ) -> Option<(Vec<Column>, bool)> {
        for &i in &key.items {
            items[i].role = Role::Key;
        }
        let mut columns = Vec::new();
        for item in key.synthetic.iter().chain(key.items.iter().map(|&i| &items[i])) {
            columns.push(item);
        }
        for (i, item) in items.iter().enumerate() {
            if !key.items.contains(&i) {
                columns.push(item);
            }
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut typed = true;
        for item in columns {
            let name = item.name.clone().unwrap_or_default();
            if !seen.insert(name.clone()) && persistent {
                self.reject(format!("the query selects two columns named `{name}`: give one an alias"), item.span);
                return None;
            }
            if persistent && super::create::SYSTEM_COLUMNS.contains(&name.as_str()) {
                self.reject(format!("`{name}` is a reserved column name: give the column an alias"), item.span);
                return None;
            }
            match &item.sql_type {
                Some(t) => out.push(Column { name, sql_type: t.clone(), role: item.role.clone() }),
                None => typed = false,
            }
        }
        Some((out, typed))
    }

    /// `*` or `source.*`: the source's columns, key first, then a windowed source's window
    /// bounds (in a join, where they keep their alias prefix), then its values, prefixed with its
    /// alias in a join (`PreJoinProjectNode`); never ROWTIME nor the pseudocolumns
    /// (`PlanNode.orderColumns`, over the schema `DataSourceNode` builds with
    /// `withPseudoAndKeyColsInValue(windowed)`). After PARTITION BY
    /// the key is the partitioning columns, and the source's key columns, moved to the value,
    /// come after its value columns (`UserRepartitionNode.resolveSelectStar`).
    fn star(
        &mut self,
        scope: &Scope,
        s: &ScopeSource,
        partition: Option<&Spanned<Vec<SqlExpr>>>,
        span: Span,
        items: &mut Vec<Item<'_>>,
    ) {
        for (column, sql_type) in star_order(scope, s, partition) {
            let name = if scope.joined { format!("{}_{}", s.alias, column) } else { column.to_string() };
            let expr = Expr::CompoundIdentifier(vec![Ident::new(s.alias.clone()), Ident::new(column)]);
            items.push(Item {
                expr: Some(std::borrow::Cow::Owned(expr)),
                name: Some(name),
                sql_type: Some(sql_type),
                role: Role::Value,
                span,
                unknown: false,
            });
        }
    }

    /// Gives names to unaliased items: a column's name, a field's name, else `KSQL_COL_n`.
    pub(super) fn name_items(&self, scope: &Scope, items: &mut [Item<'_>]) {
        let taken: BTreeSet<String> = items.iter().filter_map(|i| i.name.clone()).collect();
        let mut taken = taken;
        for item in items.iter_mut() {
            if item.name.is_some() {
                continue;
            }
            if let Some(e) = &item.expr
                && let Some(name) = default_name(scope, e)
            {
                taken.insert(name.clone());
                item.name = Some(name);
            }
        }
        let mut n = 0;
        for item in items.iter_mut() {
            if item.name.is_some() {
                continue;
            }
            while taken.contains(&format!("KSQL_COL_{n}")) {
                n += 1;
            }
            let name = format!("KSQL_COL_{n}");
            taken.insert(name.clone());
            item.name = Some(name);
        }
    }
}

/// The columns `*` selects of a source, in order, with their types.
fn star_order<'s>(
    scope: &Scope,
    s: &'s ScopeSource,
    partition: Option<&Spanned<Vec<SqlExpr>>>,
) -> Vec<(&'s str, SqlType)> {
    let columns = &s.source.columns;
    let typed = |c: &'s Column| (c.name.as_str(), c.sql_type.clone());
    let Some(partition) = partition.filter(|_| !scope.joined) else {
        let keys = columns.iter().filter(|c| c.role == Role::Key).map(typed);
        // A persistent query's sink drops the window bounds from its value
        // (`LogicalSchema.withoutPseudoAndKeyColsInValue`): unprefixed they go, while a join's
        // `S1_WINDOWSTART` is an ordinary column and stays.
        let windowed = s.source.windowed.is_some() && scope.joined;
        let bounds =
            windowed.then_some(["WINDOWSTART", "WINDOWEND"].map(|b| (b, SqlType::BigInt))).into_iter().flatten();
        let values = columns.iter().filter(|c| c.role != Role::Key).map(typed);
        return keys.chain(bounds).chain(values).collect();
    };
    let new_keys: Vec<&Column> = partition
        .value
        .iter()
        .filter_map(|e| column_ref(&e.expr))
        .filter_map(|(_, name)| s.source.column(&name))
        .collect();
    let is_new_key = |c: &Column| new_keys.iter().any(|k| k.name == c.name);
    let values = columns.iter().filter(|c| c.role != Role::Key && !is_new_key(c));
    let old_keys = columns.iter().filter(|c| c.role == Role::Key && !is_new_key(c));
    new_keys.iter().copied().chain(values).chain(old_keys).map(typed).collect()
}

/// A projection item on its way to a column. Its expression is borrowed from the statement (a
/// deep expression is not cloned: cloning recurses).
#[derive(Debug, Clone)]
pub(super) struct Item<'q> {
    pub(super) expr: Option<std::borrow::Cow<'q, Expr>>,
    pub(super) name: Option<String>,
    pub(super) sql_type: Option<SqlType>,
    pub(super) role: Role,
    pub(super) span: Span,
    /// Its expression depends on something unknown (reported where it is): neither its type
    /// nor whether it is grouped can be known.
    pub(super) unknown: bool,
}
