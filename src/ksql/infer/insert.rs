//! `INSERT INTO ... SELECT` (the query's result must be the target's schema) and `INSERT INTO
//! ... VALUES` (each value typed against its column).

use super::scope::Scope;
use super::{Effect, Run};
use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::catalog::{Column, Role, describe_columns};
use crate::ksql::problem::Problem;
use crate::ksql::types;
use crate::model::KsqlSourceKind;

impl Run<'_> {
    pub(super) fn insert_into(&mut self, i: &InsertInto) -> Option<Effect> {
        let target = self.lookup_source(&i.target);
        let output = self.query(&i.query, target.as_ref().map(|t| t.kind), Some(&i.target));
        let target = target?;
        if target.kind == KsqlSourceKind::Table {
            self.reject(format!("INSERT INTO writes streams only; `{}` is a table", target.name), i.target.span);
            return None;
        }
        if target.read_only {
            self.reject(format!("`{}` is a read-only source stream", target.name), i.target.span);
            return None;
        }
        let output = output?;
        if output.known && target.columns_known {
            let strip = |cols: &[Column]| -> Vec<(String, SqlType, bool)> {
                cols.iter()
                    .filter(|c| c.role != Role::Headers)
                    .map(|c| (c.name.clone(), c.sql_type.clone(), c.role == Role::Key))
                    .collect()
            };
            if strip(&output.columns) != strip(&target.columns) {
                self.reject(
                    format!(
                        "the query's schema ({}) differs from that of `{}` ({})",
                        describe_columns(&output.columns, KsqlSourceKind::Stream),
                        target.name,
                        describe_columns(&target.columns, KsqlSourceKind::Stream)
                    ),
                    i.target.span,
                );
                return None;
            }
        }
        if output.windowed.is_some() != target.windowed.is_some() {
            self.reject("the query's key and the target's key differ in windowing", i.target.span);
            return None;
        }
        let types = |role: Role| target.columns.iter().filter(|c| c.role == role).map(|c| c.sql_type.clone()).collect();
        Some(Effect::Inserted {
            target: i.target.clone(),
            topic: target.topic.clone(),
            from: output.from,
            key_format: target.key_format.clone(),
            value_format: target.value_format.clone(),
            key_types: types(Role::Key),
            value_types: types(Role::Value),
            windowed: target.windowed.is_some(),
        })
    }

    pub(super) fn insert_values(&mut self, i: &InsertValues) {
        let Some(target) = self.lookup_source(&i.target) else { return };
        let columns: Vec<Column> = match &i.columns {
            Some(names) => {
                let mut out = Vec::new();
                for name in names {
                    match target.column(&name.value) {
                        Some(c) => out.push(c.clone()),
                        // ROWTIME may be given; the partition and offset are Kafka's to assign
                        // (`SystemColumns.isDisallowedForInsertValues`).
                        None if name.value == "ROWTIME" => {
                            out.push(Column { name: name.value.clone(), sql_type: SqlType::BigInt, role: Role::Value })
                        }
                        None if matches!(name.value.as_str(), "ROWPARTITION" | "ROWOFFSET") => {
                            self.reject(
                                format!("`{}` cannot be inserted into: Kafka assigns it", name.value),
                                name.span,
                            );
                            return;
                        }
                        None if !target.columns_known => return,
                        None => {
                            let suggestion = suggest(&name.value, target.columns.iter().map(|c| c.name.as_str()));
                            self.report(Problem::UnknownColumn { name: name.value.clone(), suggestion }, name.span);
                            return;
                        }
                    }
                }
                out
            }
            None if target.columns_known => {
                target.columns.iter().filter(|c| c.role != Role::Headers).cloned().collect()
            }
            None => return,
        };
        if columns.len() != i.values.len() {
            self.reject(
                format!("{} values for {} columns", i.values.len(), columns.len()),
                i.values.first().map_or(i.target.span, |v| v.span),
            );
            return;
        }
        let scope = Scope::default();
        for (column, value) in columns.iter().zip(&i.values) {
            let mut cx = self.cx(&scope, value.span);
            let t = cx.ty(&value.expr);
            let problems = cx.problems;
            self.flush(problems);
            if let Some(t) = t
                && !types::can_widen(&t, &column.sql_type)
                && !(t == SqlType::String
                    && matches!(column.sql_type, SqlType::Timestamp | SqlType::Date | SqlType::Time))
            {
                self.report(
                    Problem::Type {
                        reason: format!("column `{}` is {}, the value is {t}", column.name, column.sql_type),
                    },
                    value.span,
                );
            }
        }
    }
}
