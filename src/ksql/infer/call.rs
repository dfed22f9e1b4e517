//! Function calls: the STRUCT and MAP constructors, time arithmetic, and the catalog's functions
//! (aggregates, table functions, scalars) whose signature the arguments pick, lambdas typed with
//! the parameters the signature gives them.

use super::expr::{AggregateMode, Cx};
use super::scope::{function_name, strip_nested};
use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::functions::{self, Arg, FunctionKind};
use crate::ksql::problem::Problem;
use crate::ksql::types;
use crate::source::Span;
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, LambdaFunction, ObjectNamePart, OneOrManyWithParens, Value,
};
use std::collections::BTreeMap;

impl Cx<'_> {
    /// A function call: a constructor, a time arithmetic function, or a catalog function (an
    /// aggregate, a table function or a scalar) whose signature its arguments pick.
    pub(super) fn call(&mut self, f: &sqlparser::ast::Function) -> Option<SqlType> {
        let name = function_name(f)?.to_string();
        let name_span = match f.name.0.as_slice() {
            [ObjectNamePart::Identifier(id)] => self.ident_span(std::slice::from_ref(id)),
            _ => self.fallback,
        };
        let args: Vec<&FunctionArg> = match &f.args {
            FunctionArguments::List(list) => list.args.iter().collect(),
            _ => Vec::new(),
        };
        if name == "STRUCT" {
            return self.struct_constructor(&args);
        }
        if name == "MAP" && args.iter().all(|a| matches!(a, FunctionArg::ExprNamed { .. })) {
            return self.map_constructor(&args);
        }
        // Units as arguments: TIMESTAMPADD(unit, n, ts) and friends.
        if let Some(t) = self.time_arithmetic(&name, &args) {
            return t;
        }
        let Some(function) = functions::lookup(&name) else {
            let suggestion =
                functions::ksql_name_for(&name).map(str::to_string).or_else(|| suggest(&name, functions::names()));
            self.problem(Problem::UnknownFunction { name, suggestion }, name_span);
            self.unknown_call = true;
            return None;
        };
        self.check_function_kind(&name, function.kind, name_span)?;
        // An argument's type is unknown (reported already, or an open schema): the lambdas are
        // not typed and the result is unknown.
        let (shapes, lambdas) = self.arguments(&args, function.kind)?;
        let (result, had_lambda_problems) = self.resolve_signature(function, &shapes, &lambdas);
        match result {
            Some(t) => Some(special_return(&name, &shapes, t)),
            None if had_lambda_problems => None,
            None => {
                let arguments = shapes
                    .iter()
                    .map(|s| match s {
                        Arg::Value(Some(t)) => t.to_string(),
                        Arg::Value(None) => "NULL".into(),
                        Arg::Lambda(n) => format!("a lambda of {n}"),
                    })
                    .collect();
                let signatures = function.signatures.iter().map(|s| s.text.clone()).collect();
                self.problem(Problem::NoSignature { name, arguments, signatures }, name_span);
                None
            }
        }
    }

    /// `STRUCT(name := value, ...)`: a STRUCT of the named values' types.
    fn struct_constructor(&mut self, args: &[&FunctionArg]) -> Option<SqlType> {
        let mut fields = Vec::new();
        for a in args {
            if let FunctionArg::ExprNamed { name: Expr::Identifier(field), arg: FunctionArgExpr::Expr(v), .. } = a {
                let t = self.ty(v);
                // A NULL field has no type ksqlDB can infer.
                let Some(t) = t else {
                    if matches!(v, Expr::Value(x) if x.value == Value::Null) {
                        self.type_error(format!("field `{}` is NULL: CAST it to its type", field.value));
                    }
                    return None;
                };
                fields.push(StructField { name: field.value.clone(), sql_type: t });
            }
        }
        Some(SqlType::Struct(fields))
    }

    /// `MAP(key := value, ...)`: a map from STRING to the values' common type.
    fn map_constructor(&mut self, args: &[&FunctionArg]) -> Option<SqlType> {
        let (mut key, mut value): (Option<SqlType>, Option<SqlType>) = (None, None);
        for a in args {
            if let FunctionArg::ExprNamed { name: k, arg: FunctionArgExpr::Expr(v), .. } = a {
                let kt = self.ty(k);
                let vt = self.ty(v);
                for (slot, t) in [(&mut key, kt), (&mut value, vt)] {
                    if let Some(t) = t {
                        *slot = match slot.take() {
                            None => Some(t),
                            Some(s) => types::common_type(&s, &t).or(Some(s)),
                        };
                    }
                }
            }
        }
        if let Some(k) = &key
            && *k != SqlType::String
        {
            self.type_error(format!("map keys must be STRING, not {k}"));
            return None;
        }
        match value {
            Some(v) => Some(SqlType::Map(Box::new(SqlType::String), Box::new(v))),
            None if args.is_empty() => {
                self.type_error("an empty MAP() has no value type".into());
                None
            }
            None => None,
        }
    }

    /// An aggregate where the clause allows one, a table function only in SELECT; records
    /// which was found.
    fn check_function_kind(&mut self, name: &str, kind: FunctionKind, name_span: Span) -> Option<()> {
        match kind {
            FunctionKind::Aggregate => {
                if let AggregateMode::Forbidden(clause) = self.aggregates {
                    self.problems.push((
                        Problem::Rejected { reason: format!("aggregate function `{name}` cannot be used in {clause}") },
                        name_span,
                    ));
                    return None;
                }
                self.aggregate_found = true;
            }
            FunctionKind::Table => {
                if !self.table_functions {
                    self.problems.push((
                        Problem::Rejected { reason: format!("table function `{name}` can only be used in SELECT") },
                        name_span,
                    ));
                    return None;
                }
                self.table_function_found = true;
            }
            FunctionKind::Scalar => {}
        }
        Some(())
    }

    /// The shapes of a call's arguments (values typed, lambdas by arity) and its lambdas by
    /// position; `None` when a value's type is unknown (not NULL). Aggregates may not nest.
    fn arguments<'f>(
        &mut self,
        args: &[&'f FunctionArg],
        kind: FunctionKind,
    ) -> Option<(Vec<Arg>, BTreeMap<usize, &'f LambdaFunction>)> {
        let saved = self.aggregates;
        if kind == FunctionKind::Aggregate {
            self.aggregates = AggregateMode::Forbidden("another aggregate");
        }
        let mut shapes = Vec::new();
        let mut lambdas = BTreeMap::new();
        let mut unknown = false;
        for (i, a) in args.iter().enumerate() {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(l))) => {
                    let arity = match &l.params {
                        OneOrManyWithParens::One(_) => 1,
                        OneOrManyWithParens::Many(ps) => ps.len(),
                    };
                    shapes.push(Arg::Lambda(arity));
                    lambdas.insert(i, l);
                }
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    let t = self.ty(e);
                    let is_null = matches!(strip_nested(e), Expr::Value(v) if v.value == Value::Null);
                    unknown |= t.is_none() && !is_null;
                    shapes.push(Arg::Value(t));
                }
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => {}
                _ => {}
            }
        }
        self.aggregates = saved;
        (!unknown).then_some((shapes, lambdas))
    }

    /// The signature the arguments pick and its result type; each lambda's body is typed with
    /// its parameters bound to the types the signature gives them. Also whether a lambda's body
    /// had problems (recorded).
    fn resolve_signature(
        &mut self,
        function: &functions::Function,
        shapes: &[Arg],
        lambdas: &BTreeMap<usize, &LambdaFunction>,
    ) -> (Option<SqlType>, bool) {
        let mut lambda_problems = Vec::new();
        let scope_lambdas = self.lambdas.clone();
        let result = {
            let this = &mut *self;
            let mut type_lambda = |i: usize, params: &[SqlType]| -> Option<SqlType> {
                let l = lambdas.get(&i)?;
                let names: Vec<String> = match &l.params {
                    OneOrManyWithParens::One(p) => vec![p.name.value.clone()],
                    OneOrManyWithParens::Many(ps) => ps.iter().map(|p| p.name.value.clone()).collect(),
                };
                this.lambdas = scope_lambdas.clone();
                for (n, t) in names.into_iter().zip(params) {
                    this.lambdas.push((n, Some(t.clone())));
                }
                let before = this.problems.len();
                let t = this.ty(&l.body);
                lambda_problems.extend(this.problems.drain(before..));
                t
            };
            function.resolve(shapes, &mut type_lambda)
        };
        self.lambdas = scope_lambdas;
        let had_lambda_problems = !lambda_problems.is_empty();
        self.problems.extend(lambda_problems);
        (result, had_lambda_problems)
    }

    /// `TIMESTAMPADD(unit, n, ts)`, `TIMESTAMPSUB`, `DATEADD`, `DATESUB`, `TIMEADD`, `TIMESUB`:
    /// the first argument is a time unit, not a value.
    fn time_arithmetic(&mut self, name: &str, args: &[&FunctionArg]) -> Option<Option<SqlType>> {
        let result = match name {
            "TIMESTAMPADD" | "TIMESTAMPSUB" => SqlType::Timestamp,
            "DATEADD" | "DATESUB" => SqlType::Date,
            "TIMEADD" | "TIMESUB" => SqlType::Time,
            _ => return None,
        };
        let [_, n, value] = args else {
            self.type_error(format!("`{name}` takes a unit, an amount and a {result}"));
            return Some(None);
        };
        let ty = |cx: &mut Self, a: &FunctionArg| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => cx.ty(e),
            _ => None,
        };
        let nt = ty(self, n);
        let vt = ty(self, value);
        if let Some(nt) = nt
            && !matches!(nt, SqlType::Int | SqlType::BigInt)
        {
            self.type_error(format!("`{name}` takes an INT amount, not {nt}"));
            return Some(None);
        }
        if let Some(vt) = vt
            && vt != result
        {
            self.type_error(format!("`{name}` takes a {result}, not {vt}"));
            return Some(None);
        }
        Some(Some(result))
    }
}

/// Returns that depend on the arguments beyond what the notation says.
fn special_return(name: &str, args: &[Arg], t: SqlType) -> SqlType {
    match (name, args, &t) {
        // ROUND, CEIL and FLOOR of a decimal keep its integer digits, with the scale asked.
        // ROUND of a decimal to no places drops its scale; to some places keeps its type.
        ("ROUND", [Arg::Value(Some(SqlType::Decimal { precision, scale }))], SqlType::Decimal { .. }) => {
            SqlType::Decimal { precision: precision.saturating_sub(*scale).max(1), scale: 0 }
        }
        ("CEIL" | "FLOOR", [Arg::Value(Some(SqlType::Decimal { precision, scale }))], SqlType::Decimal { .. }) => {
            SqlType::Decimal {
                precision: precision.saturating_sub(*scale).saturating_add(1).min(types::MAX_PRECISION),
                scale: 0,
            }
        }
        _ => t,
    }
}
