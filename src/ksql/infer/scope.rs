//! The sources a query reads and how its column references resolve against them, with the
//! expression walks the checks share (column references, canonical text, sub-expressions).

use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::catalog::{Role, Source, WindowType};
use crate::ksql::problem::Problem;
use sqlparser::ast::{
    AccessExpr, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, InTarget, ObjectNamePart,
    Subscript,
};

/// The sources a query reads, by the names it refers to them with.
#[derive(Debug, Default)]
pub(super) struct Scope {
    pub(super) sources: Vec<ScopeSource>,
    pub(super) joined: bool,
    pub(super) window: Option<WindowType>,
    /// The synthetic key column of a join on expressions or a full outer join (`ROWKEY`).
    pub(super) synthetic: Option<(String, SqlType)>,
}

#[derive(Debug)]
pub(super) struct ScopeSource {
    pub(super) alias: String,
    pub(super) source: Source,
}

/// A column reference, resolved.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved {
    /// A column of the source at this index of the scope.
    Column { source: usize, name: String, sql_type: Option<SqlType> },
    /// ROWTIME, WINDOWSTART and the like.
    Pseudo(SqlType),
}

fn pseudo_column(name: &str, windowed: bool) -> Option<SqlType> {
    Some(match name {
        "ROWTIME" | "ROWOFFSET" => SqlType::BigInt,
        "ROWPARTITION" => SqlType::Int,
        "WINDOWSTART" | "WINDOWEND" if windowed => SqlType::BigInt,
        _ => return None,
    })
}

impl Scope {
    pub(super) fn resolve(&self, qualifier: Option<&str>, name: &str) -> Result<Resolved, Problem> {
        match qualifier {
            Some(q) => {
                let Some(index) = self.sources.iter().position(|s| s.alias == q) else {
                    let suggestion = suggest(q, self.sources.iter().map(|s| s.alias.as_str()));
                    return Err(Problem::UnknownSource { what: "source in FROM", name: q.to_string(), suggestion });
                };
                let source = &self.sources[index].source;
                if let Some(c) = source.column(name) {
                    return Ok(Resolved::Column {
                        source: index,
                        name: name.to_string(),
                        sql_type: Some(c.sql_type.clone()),
                    });
                }
                if let Some(t) = pseudo_column(name, self.window.is_some() || source.windowed.is_some()) {
                    return Ok(Resolved::Pseudo(t));
                }
                if !source.columns_known {
                    return Ok(Resolved::Column { source: index, name: name.to_string(), sql_type: None });
                }
                let suggestion = suggest(name, source.columns.iter().map(|c| c.name.as_str()));
                Err(Problem::UnknownColumn { name: format!("{q}.{name}"), suggestion })
            }
            None => {
                let hits: Vec<usize> =
                    (0..self.sources.len()).filter(|&i| self.sources[i].source.column(name).is_some()).collect();
                match hits.as_slice() {
                    [one] => {
                        let c = self.sources[*one].source.column(name).map(|c| c.sql_type.clone());
                        Ok(Resolved::Column { source: *one, name: name.to_string(), sql_type: c })
                    }
                    [] => {
                        if let Some((synthetic, t)) = &self.synthetic
                            && synthetic == name
                        {
                            return Ok(Resolved::Pseudo(t.clone()));
                        }
                        if let Some(t) = pseudo_column(
                            name,
                            self.window.is_some() || self.sources.iter().any(|s| s.source.windowed.is_some()),
                        ) {
                            return Ok(Resolved::Pseudo(t));
                        }
                        if let Some(open) = self.sources.iter().position(|s| !s.source.columns_known) {
                            return Ok(Resolved::Column { source: open, name: name.to_string(), sql_type: None });
                        }
                        let all = self.sources.iter().flat_map(|s| s.source.columns.iter().map(|c| c.name.as_str()));
                        Err(Problem::UnknownColumn { name: name.to_string(), suggestion: suggest(name, all) })
                    }
                    many => Err(Problem::AmbiguousColumn {
                        name: name.to_string(),
                        sources: many.iter().map(|&i| self.sources[i].alias.clone()).collect(),
                    }),
                }
            }
        }
    }
}

/// Whether `e` is a key column of the source at `index`.
pub(super) fn is_key_ref(scope: &Scope, e: &Expr, index: usize) -> bool {
    let Some((qualifier, name)) = column_ref(e) else { return false };
    match scope.resolve(qualifier.as_deref(), &name) {
        Ok(Resolved::Column { source, name, .. }) => {
            source == index && scope.sources[source].source.column(&name).is_some_and(|c| c.role == Role::Key)
        }
        _ => false,
    }
}

/// `col` or `source.col`, as (qualifier, name).
pub(super) fn column_ref(e: &Expr) -> Option<(Option<String>, String)> {
    match strip_nested(e) {
        Expr::Identifier(id) => Some((None, id.value.clone())),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            Some((Some(parts[0].value.clone()), parts[1].value.clone()))
        }
        _ => None,
    }
}

pub(super) fn strip_nested(e: &Expr) -> &Expr {
    let mut e = e;
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// The name ksqlDB gives an unaliased expression, when it is not `KSQL_COL_n`.
pub(super) fn default_name(scope: &Scope, e: &Expr) -> Option<String> {
    match strip_nested(e) {
        Expr::Identifier(id) => Some(id.value.clone()),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            let (q, name) = (&parts[0].value, &parts[1].value);
            let shared = scope.joined
                && (pseudo_column(name, true).is_some()
                    || scope.sources.iter().filter(|s| s.source.column(name).is_some()).count() > 1);
            Some(if shared { format!("{q}_{name}") } else { name.clone() })
        }
        Expr::BinaryOp { op: BinaryOperator::Arrow, right, .. } => match right.as_ref() {
            Expr::Identifier(field) => Some(field.value.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A canonical text of an expression, column references resolved to `source.column`, for
/// comparing GROUP BY and join expressions with the projection.
pub(super) fn canon(scope: &Scope, e: &Expr) -> String {
    // sqlparser prints expressions recursively: a long chain of operators is not printed (it
    // could exhaust the stack), and matches nothing but itself.
    if !shallow(e, 64) {
        return format!("#{:p}", e as *const Expr);
    }
    match column_ref(e) {
        Some((q, name)) => match scope.resolve(q.as_deref(), &name) {
            Ok(Resolved::Column { source, name, .. }) => format!("{}.{}", scope.sources[source].alias, name),
            _ => name,
        },
        None => strip_nested(e).to_string(),
    }
}

/// Whether `e` nests at most `limit` deep (walked with a stack, not by recursion).
fn shallow(e: &Expr, limit: usize) -> bool {
    let mut stack = vec![(e, 0usize)];
    while let Some((e, depth)) = stack.pop() {
        if depth > limit {
            return false;
        }
        stack.extend(children(e).into_iter().map(|c| (c, depth + 1)));
    }
    true
}

pub(super) fn function_name(f: &sqlparser::ast::Function) -> Option<&str> {
    match f.name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id.value.as_str()),
        _ => None,
    }
}

/// The direct sub-expressions of an expression. A named argument's name (`STRUCT(f := v)`) is
/// a field, not a column, and is not among them. The lineage walks the same shapes.
pub(crate) fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::BinaryOp { left, right, .. } => vec![left, right],
        Expr::UnaryOp { expr, .. } | Expr::Nested(expr) | Expr::IsNull(expr) | Expr::IsNotNull(expr) => vec![expr],
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => vec![a, b],
        Expr::Between { expr, low, high, .. } => vec![expr, low, high],
        Expr::Like { expr, pattern, .. } => vec![expr, pattern],
        Expr::In { expr, target: InTarget::List(list), .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
        Expr::Case { operand, conditions, else_result, .. } => operand
            .iter()
            .map(|o| o.as_ref())
            .chain(conditions.iter().flat_map(|c| [&c.condition, &c.result]))
            .chain(else_result.iter().map(|e| e.as_ref()))
            .collect(),
        Expr::Cast { expr, .. } => vec![expr],
        Expr::AtTimeZone { timestamp, time_zone } => vec![timestamp, time_zone],
        Expr::Function(f) => match &f.args {
            FunctionArguments::List(list) => list
                .args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                    | FunctionArg::ExprNamed { arg: FunctionArgExpr::Expr(e), .. } => Some(e),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        },
        Expr::Array(a) => a.elem.iter().collect(),
        Expr::CompoundFieldAccess { root, access_chain } => std::iter::once(root.as_ref())
            .chain(access_chain.iter().filter_map(|a| match a {
                AccessExpr::Subscript(Subscript::Index { index }) => Some(index),
                _ => None,
            }))
            .collect(),
        Expr::Lambda(l) => vec![&l.body],
        _ => vec![],
    }
}
