//! The key of a persistent query's result: the GROUP BY or PARTITION BY expressions, a join's
//! key column, or the source's key columns, which the query must select.

use super::Run;
use super::scope::{Scope, canon, default_name};
use super::select::Item;
use crate::ksql::ast::*;
use crate::ksql::catalog::Role;
use sqlparser::ast::{Expr, Ident};
use std::collections::BTreeSet;

/// The key of a persistent query's result: projection items that are key columns, and key
/// columns the projection leaves out.
#[derive(Default)]
pub(super) struct Key<'q> {
    /// Indexes into the projection's items.
    pub(super) items: Vec<usize>,
    /// Columns ksqlDB adds as the key, not selected.
    pub(super) synthetic: Vec<Item<'q>>,
}

impl Key<'_> {
    /// The key of GROUP BY or PARTITION BY: each expression, selected or else added (named
    /// after its column, else `KSQL_COL_n`) when the columns are known.
    pub(super) fn add_expressions(
        &mut self,
        scope: &Scope,
        items: &[Item<'_>],
        exprs: &[SqlExpr],
        types: &[Option<SqlType>],
        known: bool,
    ) {
        for (e, t) in exprs.iter().zip(types) {
            match find_item(scope, items, &e.expr) {
                Some(i) if !self.items.contains(&i) => self.items.push(i),
                _ if !known => {}
                _ => {
                    let name = default_name(scope, &e.expr).unwrap_or_else(|| next_generated(items, &self.synthetic));
                    self.synthetic.push(Item {
                        expr: None,
                        name: Some(name),
                        sql_type: t.clone(),
                        role: Role::Key,
                        span: e.span,
                        unknown: false,
                    });
                }
            }
        }
    }
}

impl Run<'_> {
    /// The key of a join's result: the synthetic key column, else the join column the query
    /// selects (the left side's first), which it must select.
    pub(super) fn join_key(
        &mut self,
        q: &Query,
        scope: &Scope,
        items: &[Item<'_>],
        join_keys: &[Expr],
        known: bool,
        key: &mut Key<'_>,
    ) -> Option<()> {
        let wanted: Vec<String> = join_keys.iter().map(|k| canon(scope, k)).collect();
        let chosen = if let Some((name, t)) = &scope.synthetic {
            let reference = Expr::Identifier(Ident::new(name.clone()));
            match find_item(scope, items, &reference) {
                Some(i) => Some(i),
                None => {
                    key.synthetic.push(Item {
                        expr: None,
                        name: Some(name.clone()),
                        sql_type: Some(t.clone()),
                        role: Role::Key,
                        span: q.span,
                        unknown: false,
                    });
                    None
                }
            }
        } else {
            // The left side's join column when it is selected, else the right side's.
            wanted
                .iter()
                .find_map(|w| items.iter().position(|i| i.expr.as_ref().is_some_and(|x| canon(scope, x) == *w)))
        };
        match chosen {
            Some(i) => key.items.push(i),
            None if known && !join_keys.is_empty() && scope.synthetic.is_none() => {
                let names: Vec<String> = join_keys.iter().filter_map(|k| default_name(scope, k)).collect();
                self.reject(
                    format!("the query must select the join key ({}): ksqlDB makes it the key", names.join(" or ")),
                    q.span,
                );
                return None;
            }
            None => {}
        }
        Some(())
    }

    /// The key of a query on one source, neither grouped nor repartitioned: the source's key
    /// columns, which it must select (unless the new planner drops them).
    pub(super) fn source_key(
        &mut self,
        q: &Query,
        scope: &Scope,
        items: &[Item<'_>],
        sink_name: Option<&Name>,
        known: bool,
        key: &mut Key<'_>,
    ) -> Option<()> {
        let new_planner = self.engine.property("ksql.new.query.planner.enabled") == Some("true");
        for column in scope.sources[0].source.key_columns() {
            let reference = Expr::Identifier(Ident::new(column.name.clone()));
            match find_item(scope, items, &reference) {
                Some(i) => key.items.push(i),
                // The new planner drops a key the projection leaves out.
                None if new_planner => {}
                None if known => {
                    let what = match sink_name {
                        Some(n) => format!("`{}`", n.value),
                        None => "the target".into(),
                    };
                    self.reject(
                        format!("the query that writes {what} must select the key column `{}`", column.name),
                        q.span,
                    );
                    return None;
                }
                None => {}
            }
        }
        // Key columns keep the projection's order.
        key.items.sort_unstable();
        Some(())
    }
}

/// The first `KSQL_COL_n` name that neither the items nor the `extra` ones take.
fn next_generated(items: &[Item<'_>], extra: &[Item<'_>]) -> String {
    let taken: BTreeSet<&str> = items.iter().chain(extra).filter_map(|i| i.name.as_deref()).collect();
    (0..).map(|n| format!("KSQL_COL_{n}")).find(|n| !taken.contains(n.as_str())).unwrap_or_default()
}

/// The projection item whose expression is `e`.
fn find_item(scope: &Scope, items: &[Item<'_>], e: &Expr) -> Option<usize> {
    let wanted = canon(scope, e);
    items.iter().position(|i| i.expr.as_ref().is_some_and(|x| canon(scope, x) == wanted))
}
