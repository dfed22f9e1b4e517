//! Joins: the kinds of sources they combine, their `ON` equality, key types (V307), foreign-key
//! joins, co-partitioning (V306), and the key each join leaves the result with.

use super::Run;
use super::scope::{Scope, canon, column_ref, is_key_ref, strip_nested};
use crate::ksql::ast::*;
use crate::ksql::problem::Problem;
use crate::model::KsqlSourceKind;
use sqlparser::ast::{BinaryOperator, Expr, Ident};

impl Run<'_> {
    /// Checks the joins, left to right; fills `keys` with the expressions the result is keyed on.
    pub(super) fn joins(&mut self, q: &Query, scope: &mut Scope, keys: &mut Vec<Expr>) -> bool {
        for (index, join) in q.from.joins.iter().enumerate() {
            let kinds = (joined_kind(scope, index), scope.sources[index + 1].source.kind);
            if !self.check_join_kinds(join, kinds) {
                return false;
            }
            let on = match self.join_criteria(scope, join, index) {
                Some(Some(on)) => on,
                // A side's type is unknown (reported already, or an open schema): the joins are
                // not checked further.
                Some(None) => return true,
                None => return false,
            };
            if !self.check_join_key_types(join, &on) {
                return false;
            }
            let Some(foreign_key) = self.foreign_key_join(scope, join, index, kinds, &on) else { return false };
            if !foreign_key {
                self.check_copartitioned(scope, join, index, on.left_source);
            }
            key_after_join(scope, join, &on, foreign_key, keys);
        }
        true
    }

    /// The kinds a join combines (what is joined so far, and the source joined to it): a
    /// stream-stream join needs WITHIN, which no other takes; a stream-table join is INNER or
    /// LEFT; a stream is not joined to a table.
    fn check_join_kinds(&mut self, join: &Join, kinds: (KsqlSourceKind, KsqlSourceKind)) -> bool {
        use KsqlSourceKind::{Stream, Table};
        match kinds {
            (Stream, Stream) if join.within.is_none() => {
                self.reject("a stream-stream join needs a WITHIN clause", join.span);
                false
            }
            (Stream, Table) | (Table, Table) if join.within.is_some() => {
                self.reject(
                    "WITHIN is only for stream-stream joins",
                    join.within.as_ref().map_or(join.span, |w| w.span),
                );
                false
            }
            (Stream, Table) if matches!(join.kind.value, JoinKind::Full | JoinKind::Right) => {
                self.reject("a stream-table join is INNER or LEFT", join.kind.span);
                false
            }
            (Table, Stream) => {
                self.reject("a table cannot be joined with a stream: put the stream on the left", join.span);
                false
            }
            _ => true,
        }
    }

    /// `ON a = b`, typed, one side from the source joined at `index + 1` and one from a source
    /// before it. `None` when it is not (rejected); `Some(None)` when a side's type is unknown.
    fn join_criteria<'q>(&mut self, scope: &Scope, join: &'q Join, index: usize) -> Option<Option<JoinOn<'q>>> {
        let Expr::BinaryOp { left, op: BinaryOperator::Eq, right } = strip_nested(&join.on.expr) else {
            self.reject("a join condition must be an equality between the two sides", join.on.span);
            return None;
        };
        let mut cx = self.cx(scope, join.on.span);
        let lt = cx.ty(left);
        let rt = cx.ty(right);
        let lside = cx.side_of(left);
        let rside = cx.side_of(right);
        let problems = cx.problems;
        self.flush(problems);
        let (Some(lt), Some(rt)) = (lt, rt) else { return Some(None) };
        let joined = index + 1;
        let left_source = match (lside, rside) {
            (Some(l), Some(r)) if l != r && (l == joined || r == joined) => {
                if l == joined {
                    r
                } else {
                    l
                }
            }
            _ => {
                self.reject(
                    format!(
                        "the join condition must compare a column of `{}` with one of the sources before it",
                        scope.sources[joined].alias
                    ),
                    join.on.span,
                );
                return None;
            }
        };
        // The operand on the newly joined source is the right side, whichever way `=` reads.
        Some(Some(if lside == Some(joined) {
            JoinOn { left: right, right: left, left_type: rt, right_type: lt, left_source }
        } else {
            JoinOn { left, right, left_type: lt, right_type: rt, left_source }
        }))
    }

    /// The two sides of a join are compared in one type (V307).
    fn check_join_key_types(&mut self, join: &Join, on: &JoinOn<'_>) -> bool {
        if on.left_type == on.right_type {
            return true;
        }
        self.report(
            Problem::JoinKeyTypes {
                left: on.left.to_string(),
                left_type: on.left_type.to_string(),
                right: on.right.to_string(),
                right_type: on.right_type.to_string(),
            },
            join.on.span,
        );
        false
    }

    /// Whether a join is a foreign-key join: a table joined to a table on something else than
    /// the left one's key. The right table of any other join is joined on its key; a
    /// foreign-key join is INNER or LEFT. `None` when rejected.
    fn foreign_key_join(
        &mut self,
        scope: &Scope,
        join: &Join,
        index: usize,
        (left_kind, right_kind): (KsqlSourceKind, KsqlSourceKind),
        on: &JoinOn<'_>,
    ) -> Option<bool> {
        use KsqlSourceKind::Table;
        let right = &scope.sources[index + 1];
        // A join compares one expression of each side, so it is on a table's primary key only
        // when that key is one column: a multi-column key is never joined on whole
        // (`JoinNode.getKeyColumnName`: "JOINs are not supported with multiple key columns").
        let right_on_key = on_whole_key(scope, on.right, index + 1);
        let left_on_key = on_whole_key(scope, on.left, on.left_source);
        if right_kind == Table && !right_on_key && right.source.columns_known {
            self.reject(
                format!("a join must use the PRIMARY KEY of the table `{}` on its right", right.alias),
                join.on.span,
            );
            return None;
        }
        if left_kind == Table && right_kind == Table && !left_on_key {
            if matches!(join.kind.value, JoinKind::Right | JoinKind::Full) {
                self.reject("a foreign-key join is INNER or LEFT", join.kind.span);
                return None;
            }
            return Some(true);
        }
        Some(false)
    }

    /// Co-partitioning (V306), when both topics' partition counts are known. A side joined on
    /// something else than its key is repartitioned into a topic of the same partition count, so
    /// the counts must agree all the same.
    fn check_copartitioned(&mut self, scope: &Scope, join: &Join, index: usize, left_source: usize) {
        let left = &scope.sources[left_source].source;
        let right = &scope.sources[index + 1].source;
        if let (Some(lp), Some(rp)) = (left.partitions, right.partitions)
            && lp != rp
        {
            self.report(
                Problem::NotCopartitioned {
                    left: left.name.clone(),
                    left_partitions: lp,
                    right: right.name.clone(),
                    right_partitions: rp,
                    other: right.origin.unwrap_or(join.span),
                },
                join.on.span,
            );
        }
    }
}

/// The equality a join is on, oriented: `right` is the operand on the newly joined source.
struct JoinOn<'q> {
    left: &'q Expr,
    right: &'q Expr,
    left_type: SqlType,
    right_type: SqlType,
    /// The index in the scope of the source `left` reads.
    left_source: usize,
}

/// The kind of what is joined before the source at `index + 1`: the first source, else a table
/// when the joins so far join tables only.
fn joined_kind(scope: &Scope, index: usize) -> KsqlSourceKind {
    if index == 0 {
        scope.sources[0].source.kind
    } else if scope.sources[..=index].iter().all(|s| s.source.kind == KsqlSourceKind::Table) {
        KsqlSourceKind::Table
    } else {
        KsqlSourceKind::Stream
    }
}

/// The expressions the result is keyed on after a join. A foreign-key join keeps the left
/// table's key; a full outer join or a join on expressions is keyed on a synthetic column; else
/// the join column is the key, with the keys before when the join continues on them.
fn key_after_join(scope: &mut Scope, join: &Join, on: &JoinOn<'_>, foreign_key: bool, keys: &mut Vec<Expr>) {
    if foreign_key {
        let key = scope.sources[0].source.key_columns().next().map(|k| {
            Expr::CompoundIdentifier(vec![Ident::new(scope.sources[0].alias.clone()), Ident::new(k.name.clone())])
        });
        keys.clear();
        keys.extend(key);
        return;
    }
    let continues = keys.iter().any(|k| canon(scope, k) == canon(scope, on.left));
    if !continues {
        keys.clear();
    }
    let expression_join = column_ref(on.left).is_none() && column_ref(on.right).is_none();
    if matches!(join.kind.value, JoinKind::Full) || expression_join {
        // The key is neither side's column: ksqlDB names it ROWKEY (ROWKEY_1, ... when a
        // source has a ROWKEY column).
        let taken = |n: &str| scope.sources.iter().any(|s| s.source.column(n).is_some());
        let name = std::iter::once("ROWKEY".to_string())
            .chain((1..).map(|i| format!("ROWKEY_{i}")))
            .find(|n| !taken(n))
            .unwrap_or_default();
        scope.synthetic = Some((name, on.left_type.clone()));
        keys.clear();
    } else {
        // The key is the join column; one side may be an expression, which is no column.
        keys.extend([on.left, on.right].into_iter().filter(|e| column_ref(e).is_some()).cloned());
    }
}

/// Whether `e` is the key column of the source at `index`, and that source's only one.
fn on_whole_key(scope: &Scope, e: &Expr, index: usize) -> bool {
    is_key_ref(scope, e, index) && scope.sources[index].source.key_columns().count() == 1
}
