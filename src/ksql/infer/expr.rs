//! Typing expressions (V304): [`Cx`] walks an expression in a scope and records the problems,
//! one method per kind of expression.

use super::scope::{Resolved, Scope, children, column_ref};
use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::problem::Problem;
use crate::ksql::types::{self, Arithmetic};
use crate::model::SourceText;
use crate::source::Span;
use sqlparser::ast::{
    AccessExpr, BinaryOperator, CaseWhen, DataType, Expr, Ident, InTarget, ObjectNamePart, Subscript, UnaryOperator,
    Value,
};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AggregateMode {
    Allowed,
    /// Not allowed; the clause, for the message.
    Forbidden(&'static str),
}

/// Types expressions in a scope, collecting problems.
pub(super) struct Cx<'a> {
    pub(super) scope: &'a Scope,
    pub(super) lambdas: Vec<(String, Option<SqlType>)>,
    pub(super) types: &'a BTreeMap<String, SqlType>,
    pub(super) sql: &'a SourceText,
    pub(super) statement: &'a Statement,
    /// Where problems point when the expression has no span of its own.
    pub(super) fallback: Span,
    pub(super) problems: Vec<(Problem, Span)>,
    pub(super) aggregates: AggregateMode,
    pub(super) aggregate_found: bool,
    pub(super) table_functions: bool,
    pub(super) table_function_found: bool,
    /// A function ksqlDB may have and venice does not know was called (V305): whether the
    /// expression aggregates is unknown.
    pub(super) unknown_call: bool,
}

impl Cx<'_> {
    /// Whether the expression typed so far depends on something unknown: a problem was
    /// recorded (its cause is reported, and what depends on it is neither right nor wrong) or a
    /// function venice does not know was called.
    pub(super) fn unknown(&self) -> bool {
        self.unknown_call || !self.problems.is_empty()
    }

    fn span(&self, span: sqlparser::tokenizer::Span) -> Span {
        if span.start.line == 0 { self.fallback } else { self.statement.span_of(self.sql, span) }
    }

    pub(super) fn ident_span(&self, ids: &[Ident]) -> Span {
        match (ids.first(), ids.last()) {
            (Some(first), Some(last)) => {
                let a = self.span(first.span);
                let b = self.span(last.span);
                if a.file == b.file && a.start <= b.end { Span::new(a.file, a.start, b.end) } else { a }
            }
            _ => self.fallback,
        }
    }

    pub(super) fn problem(&mut self, problem: Problem, span: Span) {
        self.problems.push((problem, span));
    }

    pub(super) fn type_error(&mut self, reason: String) {
        let span = self.fallback;
        self.problem(Problem::Type { reason }, span);
    }

    /// Which source of the scope an expression's columns come from, when it is one column.
    pub(super) fn side_of(&self, e: &Expr) -> Option<usize> {
        let mut sides = BTreeSet::new();
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            if let Some((q, name)) = column_ref(e) {
                if let Ok(Resolved::Column { source, .. }) = self.scope.resolve(q.as_deref(), &name) {
                    sides.insert(source);
                }
                continue;
            }
            stack.extend(children(e));
        }
        match sides.len() {
            1 => sides.into_iter().next(),
            _ => None,
        }
    }

    /// The type of an expression; `None` when unknown or wrong (the problem is recorded).
    pub(super) fn ty(&mut self, e: &Expr) -> Option<SqlType> {
        // A chain of binary operators is walked in a loop: it can be thousands long.
        if let Expr::BinaryOp { op, .. } = e
            && *op != BinaryOperator::Arrow
        {
            let mut spine = Vec::new();
            let mut current = e;
            while let Expr::BinaryOp { left, op, right } = current {
                if *op == BinaryOperator::Arrow {
                    break;
                }
                spine.push((op, right.as_ref()));
                current = left;
            }
            let mut acc = self.ty(current);
            let start = self.edge_span(current, true);
            for (op, right) in spine.into_iter().rev() {
                let r = self.ty(right);
                // A problem of this operator points from the chain's start to its right operand.
                let saved = self.fallback;
                if let (Some(a), Some(b)) = (start, self.edge_span(right, false))
                    && a.file == b.file
                    && a.start <= b.end
                {
                    self.fallback = Span::new(a.file, a.start, b.end);
                }
                acc = self.binary(op, acc, r);
                self.fallback = saved;
            }
            return acc;
        }
        self.leaf(e)
    }

    /// The span of an expression's first (or last) token that has one: its leftmost (rightmost)
    /// name or literal. Walked in a loop.
    fn edge_span(&self, e: &Expr, leftmost: bool) -> Option<Span> {
        let mut e = e;
        loop {
            e = match e {
                Expr::Identifier(id) => return Some(self.span(id.span)),
                Expr::CompoundIdentifier(parts) => {
                    let part = if leftmost { parts.first() } else { parts.last() }?;
                    return Some(self.span(part.span));
                }
                Expr::Value(v) => return Some(self.span(v.span)),
                Expr::BinaryOp { left, right, .. } => {
                    if leftmost {
                        left
                    } else {
                        right
                    }
                }
                Expr::Function(f) if leftmost => match f.name.0.as_slice() {
                    [ObjectNamePart::Identifier(id)] => return Some(self.span(id.span)),
                    _ => return None,
                },
                Expr::IsNull(inner) | Expr::IsNotNull(inner) if leftmost => inner,
                Expr::Between { expr, high, .. } => {
                    if leftmost {
                        expr
                    } else {
                        high
                    }
                }
                Expr::Like { expr, pattern, .. } => {
                    if leftmost {
                        expr
                    } else {
                        pattern
                    }
                }
                _ => return None,
            };
        }
    }

    fn binary(&mut self, op: &BinaryOperator, l: Option<SqlType>, r: Option<SqlType>) -> Option<SqlType> {
        use BinaryOperator::*;
        let arithmetic = match op {
            Plus => Some(Arithmetic::Add),
            Minus => Some(Arithmetic::Subtract),
            Multiply => Some(Arithmetic::Multiply),
            Divide => Some(Arithmetic::Divide),
            Modulo => Some(Arithmetic::Modulus),
            _ => None,
        };
        match op {
            And | Or => {
                for t in [&l, &r].into_iter().flatten() {
                    if *t != SqlType::Boolean {
                        self.type_error(format!("`{op}` needs BOOLEAN operands, not {t}"));
                        return None;
                    }
                }
                Some(SqlType::Boolean)
            }
            Eq | NotEq | Lt | LtEq | Gt | GtEq => {
                if let (Some(a), Some(b)) = (&l, &r)
                    && !types::comparable(a, b, matches!(op, Eq | NotEq))
                {
                    self.type_error(format!("cannot compare {a} with {b} (`{op}`)"));
                    return None;
                }
                Some(SqlType::Boolean)
            }
            StringConcat => {
                for t in [&l, &r].into_iter().flatten() {
                    if *t != SqlType::String {
                        self.type_error(format!("`||` needs STRING operands, not {t}"));
                        return None;
                    }
                }
                Some(SqlType::String)
            }
            _ => {
                let arithmetic = arithmetic?;
                let (a, b) = (l?, r?);
                if arithmetic == Arithmetic::Add && a == SqlType::String && b == SqlType::String {
                    return Some(SqlType::String);
                }
                match types::arithmetic(arithmetic, &a, &b) {
                    Some(t) => Some(t),
                    None => {
                        self.type_error(format!("`{op}` needs numbers, not {a} and {b}"));
                        None
                    }
                }
            }
        }
    }

    fn column(&mut self, qualifier: Option<&str>, name: &str, ids: &[Ident]) -> Option<SqlType> {
        if qualifier.is_none()
            && let Some((_, t)) = self.lambdas.iter().rev().find(|(n, _)| n == name)
        {
            return t.clone();
        }
        match self.scope.resolve(qualifier, name) {
            Ok(Resolved::Column { sql_type, .. }) => sql_type,
            Ok(Resolved::Pseudo(t)) => Some(t),
            Err(problem) => {
                let span = self.ident_span(ids);
                self.problem(problem, span);
                None
            }
        }
    }

    /// The type of an expression that is not a chain of binary operators, by its kind.
    fn leaf(&mut self, e: &Expr) -> Option<SqlType> {
        match e {
            Expr::Identifier(id) => self.column(None, &id.value, std::slice::from_ref(id)),
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                // `a.b` may also be a lambda parameter's struct? ksqlDB reads it as source.column.
                self.column(Some(&parts[0].value), &parts[1].value, parts)
            }
            Expr::CompoundIdentifier(_) => None,
            Expr::Value(v) => literal(&v.value),
            Expr::TypedString(ts) => SqlType::from_data_type(&ts.data_type),
            Expr::BinaryOp { left, op: BinaryOperator::Arrow, right } => self.field(left, right),
            Expr::BinaryOp { .. } => self.ty(e),
            Expr::UnaryOp { op, expr } => self.unary(op, expr),
            Expr::Nested(inner) => self.ty(inner),
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                self.ty(inner);
                Some(SqlType::Boolean)
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => self.distinct_from(a, b),
            Expr::Between { expr, low, high, .. } => self.between(expr, low, high),
            Expr::Like { expr, pattern, .. } => self.like(expr, pattern),
            Expr::In { expr, target: InTarget::List(list), .. } => self.in_list(expr, list),
            Expr::Case { operand, conditions, else_result, .. } => {
                self.case(operand.as_deref(), conditions, else_result.as_deref())
            }
            Expr::Cast { expr, data_type, .. } => self.cast(expr, data_type),
            Expr::AtTimeZone { timestamp, .. } => self.ty(timestamp),
            Expr::Array(array) => self.array(&array.elem),
            Expr::CompoundFieldAccess { root, access_chain } => self.subscripts(root, access_chain),
            Expr::Function(f) => self.call(f),
            Expr::Lambda(_) => {
                self.type_error("a lambda here".into());
                None
            }
            _ => None,
        }
    }

    /// `base->field`: the type of a STRUCT's field.
    fn field(&mut self, base: &Expr, field: &Expr) -> Option<SqlType> {
        let base = self.ty(base)?;
        let Expr::Identifier(field) = field else { return None };
        match base {
            SqlType::Struct(fields) => match fields.iter().find(|f| f.name == field.value) {
                Some(f) => Some(f.sql_type.clone()),
                None => {
                    let suggestion = suggest(&field.value, fields.iter().map(|f| f.name.as_str()));
                    let span = self.ident_span(std::slice::from_ref(field));
                    self.problem(Problem::UnknownColumn { name: format!("->{}", field.value), suggestion }, span);
                    None
                }
            },
            other => {
                self.type_error(format!("`->` needs a STRUCT, not {other}"));
                None
            }
        }
    }

    /// `NOT e` needs a BOOLEAN; `-e` and `+e` a number, whose type they keep.
    fn unary(&mut self, op: &UnaryOperator, expr: &Expr) -> Option<SqlType> {
        let t = self.ty(expr);
        match op {
            UnaryOperator::Not => {
                if let Some(t) = &t
                    && *t != SqlType::Boolean
                {
                    self.type_error(format!("NOT needs a BOOLEAN, not {t}"));
                    return None;
                }
                Some(SqlType::Boolean)
            }
            _ => {
                if let Some(t) = &t
                    && !types::is_numeric(t)
                {
                    self.type_error(format!("`{op}` needs a number, not {t}"));
                    return None;
                }
                t
            }
        }
    }

    /// `a IS [NOT] DISTINCT FROM b`.
    fn distinct_from(&mut self, a: &Expr, b: &Expr) -> Option<SqlType> {
        let (a, b) = (self.ty(a), self.ty(b));
        if let (Some(a), Some(b)) = (&a, &b)
            && !types::comparable(a, b, true)
        {
            self.type_error(format!("cannot compare {a} with {b}"));
        }
        Some(SqlType::Boolean)
    }

    /// `e BETWEEN low AND high`.
    fn between(&mut self, expr: &Expr, low: &Expr, high: &Expr) -> Option<SqlType> {
        let t = self.ty(expr);
        for bound in [low, high] {
            let b = self.ty(bound);
            if let (Some(t), Some(b)) = (&t, &b)
                && !types::comparable(t, b, false)
            {
                self.type_error(format!("BETWEEN cannot compare {t} with {b}"));
                return None;
            }
        }
        Some(SqlType::Boolean)
    }

    /// `e LIKE pattern`, both STRING.
    fn like(&mut self, expr: &Expr, pattern: &Expr) -> Option<SqlType> {
        for part in [expr, pattern] {
            if let Some(t) = self.ty(part)
                && t != SqlType::String
            {
                self.type_error(format!("LIKE needs STRING operands, not {t}"));
                return None;
            }
        }
        Some(SqlType::Boolean)
    }

    /// `e IN (a, b, ...)`.
    fn in_list(&mut self, expr: &Expr, list: &[Expr]) -> Option<SqlType> {
        let t = self.ty(expr);
        for item in list {
            let i = self.ty(item);
            if let (Some(t), Some(i)) = (&t, &i)
                && !types::comparable(t, i, true)
            {
                self.type_error(format!("IN cannot compare {t} with {i}"));
                return None;
            }
        }
        Some(SqlType::Boolean)
    }

    /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`: the common type of its results.
    fn case(&mut self, operand: Option<&Expr>, conditions: &[CaseWhen], else_result: Option<&Expr>) -> Option<SqlType> {
        let operand_type = operand.and_then(|o| self.ty(o));
        let mut results = Vec::new();
        for c in conditions {
            let ct = self.ty(&c.condition);
            match (&operand_type, &ct) {
                (Some(o), Some(c)) if !types::comparable(o, c, true) => {
                    self.type_error(format!("CASE cannot compare {o} with {c}"));
                }
                (None, Some(c)) if operand.is_none() && *c != SqlType::Boolean => {
                    self.type_error(format!("WHEN needs a BOOLEAN, not {c}"));
                }
                _ => {}
            }
            results.push(self.ty(&c.result));
        }
        if let Some(e) = else_result {
            results.push(self.ty(e));
        }
        let mut result: Option<SqlType> = None;
        for t in results.into_iter().flatten() {
            result = match result {
                None => Some(t),
                Some(r) => match types::common_type(&r, &t) {
                    Some(c) => Some(c),
                    None => {
                        self.type_error(format!("CASE results differ in type: {r} and {t}"));
                        return None;
                    }
                },
            };
        }
        result
    }

    /// `CAST(e AS type)`, a custom type read as its definition.
    fn cast(&mut self, expr: &Expr, data_type: &DataType) -> Option<SqlType> {
        let from = self.ty(expr);
        let to = SqlType::from_data_type(data_type)?;
        let to = match to {
            SqlType::Custom(name) => self.types.get(&name).cloned()?,
            t => t,
        };
        if let Some(from) = from
            && !castable(&from, &to)
        {
            self.type_error(format!("cannot CAST {from} to {to}"));
            return None;
        }
        Some(to)
    }

    /// `ARRAY[a, b, ...]`: an array of its elements' common type.
    fn array(&mut self, elements: &[Expr]) -> Option<SqlType> {
        let mut element: Option<SqlType> = None;
        for item in elements {
            if let Some(t) = self.ty(item) {
                element = match element {
                    None => Some(t),
                    Some(e) => match types::common_type(&e, &t) {
                        Some(c) => Some(c),
                        None => {
                            self.type_error(format!("array elements differ in type: {e} and {t}"));
                            return None;
                        }
                    },
                };
            }
        }
        match element {
            Some(e) => Some(SqlType::Array(Box::new(e))),
            None if elements.is_empty() => {
                self.type_error("an empty ARRAY[] has no element type".into());
                None
            }
            None => None,
        }
    }

    /// `e[i][k]...`: an array's element (an INT index) or a map's value (a key of its type).
    fn subscripts(&mut self, root: &Expr, access_chain: &[AccessExpr]) -> Option<SqlType> {
        let mut t = self.ty(root);
        for access in access_chain {
            let AccessExpr::Subscript(Subscript::Index { index }) = access else { return None };
            let it = self.ty(index);
            t = match t {
                Some(SqlType::Array(e)) => {
                    if let Some(it) = &it
                        && !matches!(it, SqlType::Int | SqlType::BigInt)
                    {
                        self.type_error(format!("an array index must be INT, not {it}"));
                        return None;
                    }
                    Some(*e)
                }
                Some(SqlType::Map(k, v)) => {
                    if let Some(it) = &it
                        && !types::can_widen(it, &k)
                    {
                        self.type_error(format!("this map's keys are {k}, the subscript is {it}"));
                        return None;
                    }
                    Some(*v)
                }
                Some(other) => {
                    self.type_error(format!("only arrays and maps take `[...]`, not {other}"));
                    return None;
                }
                None => None,
            };
        }
        t
    }
}

/// The type of a literal; `None` for NULL, whose type is unknown.
fn literal(value: &Value) -> Option<SqlType> {
    match value {
        Value::Number(n, _) => types::number_literal(n),
        Value::SingleQuotedString(_) => Some(SqlType::String),
        Value::Boolean(_) => Some(SqlType::Boolean),
        Value::Null => None,
        _ => None,
    }
}

/// Whether CAST converts `from` to `to` (ksqlDB's `CastEvaluator`).
fn castable(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    if from == to {
        return true;
    }
    match (from, to) {
        (_, String) => true,
        (String, _) => !matches!(to, Array(_) | Map(..) | Struct(_)),
        (a, b) if types::is_numeric(a) && types::is_numeric(b) => true,
        (Boolean, _) | (_, Boolean) => false,
        (Timestamp, Date | Time) | (Date, Timestamp) => true,
        (Array(a), Array(b)) => castable(a, b),
        (Map(ka, va), Map(kb, vb)) => castable(ka, kb) && castable(va, vb),
        (Struct(a), Struct(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name && castable(&x.sql_type, &y.sql_type))
        }
        _ => false,
    }
}
