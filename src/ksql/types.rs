//! ksqlDB's type rules: numeric widening, the result types of arithmetic (decimals included),
//! what may be compared with what, and the types of literals.
//!
//! Sources: ksqlDB's `SqlTypes`/`SqlBaseType.canImplicitlyCast` (INT widens to BIGINT, to
//! DECIMAL, to DOUBLE), `DecimalUtil` (the precision and scale of decimal arithmetic, and of an
//! integer as a decimal: INT is `DECIMAL(10, 0)`, BIGINT `DECIMAL(19, 0)`), and
//! `ComparisonUtil` (numbers compare with numbers, strings with strings and, since 0.20, with
//! dates and times).

use crate::ksql::ast::SqlType;

/// The largest precision of a ksqlDB DECIMAL.
pub(crate) const MAX_PRECISION: u32 = 38;

/// Whether the type is INT, BIGINT, DECIMAL or DOUBLE.
pub(crate) fn is_numeric(t: &SqlType) -> bool {
    matches!(t, SqlType::Int | SqlType::BigInt | SqlType::Decimal { .. } | SqlType::Double)
}

/// The rank of a numeric type in the widening order INT < BIGINT < DECIMAL < DOUBLE.
fn rank(t: &SqlType) -> Option<u8> {
    Some(match t {
        SqlType::Int => 0,
        SqlType::BigInt => 1,
        SqlType::Decimal { .. } => 2,
        SqlType::Double => 3,
        _ => return None,
    })
}

/// An integer type as a decimal, as `DecimalUtil.toSqlDecimal` sees it.
pub(crate) fn as_decimal(t: &SqlType) -> Option<(u32, u32)> {
    match t {
        SqlType::Int => Some((10, 0)),
        SqlType::BigInt => Some((19, 0)),
        SqlType::Decimal { precision, scale } => Some((*precision, *scale)),
        _ => None,
    }
}

/// Whether a value of `from` may be used where `to` is expected without a CAST.
pub(crate) fn can_widen(from: &SqlType, to: &SqlType) -> bool {
    if from == to {
        return true;
    }
    match (from, to) {
        (SqlType::Decimal { .. }, SqlType::Decimal { .. }) => true,
        (SqlType::Array(a), SqlType::Array(b)) => can_widen(a, b),
        (SqlType::Map(ka, va), SqlType::Map(kb, vb)) => can_widen(ka, kb) && can_widen(va, vb),
        _ => matches!((rank(from), rank(to)), (Some(a), Some(b)) if a < b),
    }
}

/// The type both may widen to (for CASE branches, IN lists, COALESCE, array elements).
pub(crate) fn common_type(a: &SqlType, b: &SqlType) -> Option<SqlType> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (SqlType::Array(x), SqlType::Array(y)) => common_type(x, y).map(|t| SqlType::Array(Box::new(t))),
        (SqlType::Map(kx, vx), SqlType::Map(ky, vy)) => {
            Some(SqlType::Map(Box::new(common_type(kx, ky)?), Box::new(common_type(vx, vy)?)))
        }
        (SqlType::Struct(x), SqlType::Struct(y)) if x.len() == y.len() => Some(SqlType::Struct(
            x.iter()
                .zip(y)
                .map(|(f, g)| {
                    (f.name == g.name).then_some(())?;
                    Some(crate::ksql::ast::StructField {
                        name: f.name.clone(),
                        sql_type: common_type(&f.sql_type, &g.sql_type)?,
                    })
                })
                .collect::<Option<_>>()?,
        )),
        _ if is_numeric(a) && is_numeric(b) => Some(widest(a, b)),
        _ => None,
    }
}

/// The wider of two numeric types; two decimals widen to one that holds both.
fn widest(a: &SqlType, b: &SqlType) -> SqlType {
    let (ra, rb) = (rank(a).unwrap_or(3), rank(b).unwrap_or(3));
    if ra == 2 || rb == 2 {
        if ra == 3 || rb == 3 {
            return SqlType::Double;
        }
        let clamp = |(p, s): (u32, u32)| (p.min(MAX_PRECISION), s.min(p.min(MAX_PRECISION)));
        let (pa, sa) = clamp(as_decimal(a).unwrap_or((10, 0)));
        let (pb, sb) = clamp(as_decimal(b).unwrap_or((10, 0)));
        let scale = sa.max(sb);
        let precision = (pa.saturating_sub(sa).max(pb.saturating_sub(sb)) + scale).min(MAX_PRECISION);
        return SqlType::Decimal { precision, scale };
    }
    if ra >= rb { a.clone() } else { b.clone() }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arithmetic {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulus,
}

/// The type of `a op b` for numbers, or `None` when the operands are not numbers.
pub(crate) fn arithmetic(op: Arithmetic, a: &SqlType, b: &SqlType) -> Option<SqlType> {
    if !is_numeric(a) || !is_numeric(b) {
        return None;
    }
    if matches!(a, SqlType::Double) || matches!(b, SqlType::Double) {
        return Some(SqlType::Double);
    }
    if !matches!(a, SqlType::Decimal { .. }) && !matches!(b, SqlType::Decimal { .. }) {
        return Some(widest(a, b));
    }
    // Clamped: a CAST or a registered schema may name a decimal ksqlDB would refuse.
    let clamp = |(p, s): (u32, u32)| (p.min(MAX_PRECISION), s.min(p.min(MAX_PRECISION)));
    let (p1, s1) = clamp(as_decimal(a)?);
    let (p2, s2) = clamp(as_decimal(b)?);
    // `DecimalUtil` in ksqlDB's `io.confluent.ksql.util`.
    let (precision, scale) = match op {
        Arithmetic::Add | Arithmetic::Subtract => {
            let scale = s1.max(s2);
            (p1.saturating_sub(s1).max(p2.saturating_sub(s2)) + scale + 1, scale)
        }
        Arithmetic::Multiply => (p1 + p2 + 1, s1 + s2),
        Arithmetic::Divide => {
            let scale = 6.max(s1 + p2 + 1);
            (p1.saturating_sub(s1) + s2 + scale, scale)
        }
        Arithmetic::Modulus => {
            let scale = s1.max(s2);
            (p1.saturating_sub(s1).min(p2.saturating_sub(s2)) + scale, scale)
        }
    };
    Some(SqlType::Decimal { precision: precision.min(MAX_PRECISION), scale: scale.min(MAX_PRECISION) })
}

/// Whether `a` and `b` may be compared (`=`, `<`, `BETWEEN`, `IN`); `equality` for `=`, `<>`
/// and `IS DISTINCT FROM`, which also compare booleans, arrays, maps and structs.
pub(crate) fn comparable(a: &SqlType, b: &SqlType, equality: bool) -> bool {
    use SqlType::*;
    if is_numeric(a) && is_numeric(b) {
        return true;
    }
    match (a, b) {
        (String, String) | (Bytes, Bytes) => true,
        (Boolean, Boolean) => equality,
        // Strings are parsed as dates and times; dates and timestamps compare with each other.
        (String, Date | Time | Timestamp) | (Date | Time | Timestamp, String) => true,
        (Date | Timestamp, Date | Timestamp) | (Time, Time) => true,
        // ROWTIME and other epoch millis compare with timestamp strings.
        (BigInt, String) | (String, BigInt) => true,
        (Array(_), Array(_)) | (Map(..), Map(..)) | (Struct(_), Struct(_)) => equality && common_type(a, b).is_some(),
        _ => false,
    }
}

/// The type of a numeric literal as ksqlDB reads it: an integer is INT when it fits, else
/// BIGINT; a number with a point is a DECIMAL of its digits; one with an exponent a DOUBLE.
pub(crate) fn number_literal(text: &str) -> Option<SqlType> {
    let digits = text.trim_start_matches(['-', '+']);
    if digits.contains(['e', 'E']) {
        return Some(SqlType::Double);
    }
    if let Some((whole, fraction)) = digits.split_once('.') {
        let whole = whole.trim_start_matches('0');
        let scale = fraction.len() as u32;
        let precision = (whole.len() as u32 + scale).max(scale).max(1);
        return Some(SqlType::Decimal { precision, scale });
    }
    match text.parse::<i64>() {
        Ok(n) if i32::try_from(n).is_ok() => Some(SqlType::Int),
        Ok(_) => Some(SqlType::BigInt),
        Err(_) => None,
    }
}

/// Whether values of this type may be keys of the KAFKA format (one primitive column).
pub(crate) fn kafka_key_type(t: &SqlType) -> bool {
    matches!(t, SqlType::Int | SqlType::BigInt | SqlType::Double | SqlType::String | SqlType::Bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(precision: u32, scale: u32) -> SqlType {
        SqlType::Decimal { precision, scale }
    }

    #[test]
    fn arithmetic_widens_and_follows_decimal_util() {
        assert_eq!(arithmetic(Arithmetic::Add, &SqlType::Int, &SqlType::BigInt), Some(SqlType::BigInt));
        assert_eq!(arithmetic(Arithmetic::Add, &SqlType::Int, &SqlType::Double), Some(SqlType::Double));
        assert_eq!(arithmetic(Arithmetic::Add, &dec(4, 2), &dec(4, 2)), Some(dec(5, 2)));
        assert_eq!(arithmetic(Arithmetic::Multiply, &dec(4, 2), &dec(4, 2)), Some(dec(9, 4)));
        assert_eq!(arithmetic(Arithmetic::Divide, &dec(4, 2), &dec(4, 2)), Some(dec(11, 7)));
        assert_eq!(arithmetic(Arithmetic::Add, &SqlType::String, &SqlType::Int), None);
    }

    #[test]
    fn literals_and_comparisons() {
        assert_eq!(number_literal("1"), Some(SqlType::Int));
        assert_eq!(number_literal("3000000000"), Some(SqlType::BigInt));
        assert_eq!(number_literal("1.50"), Some(dec(3, 2)));
        assert_eq!(number_literal("0.5"), Some(dec(1, 1)));
        assert_eq!(number_literal("1E3"), Some(SqlType::Double));
        assert!(comparable(&SqlType::Int, &dec(4, 2), false));
        assert!(!comparable(&SqlType::Int, &SqlType::String, true));
        assert!(!comparable(&SqlType::Boolean, &SqlType::Boolean, false));
        assert_eq!(common_type(&SqlType::Int, &SqlType::BigInt), Some(SqlType::BigInt));
        assert!(can_widen(&SqlType::Int, &SqlType::Double) && !can_widen(&SqlType::Double, &SqlType::Int));
    }
}
