//! The built-in functions of ksqlDB 0.29: scalar, aggregate and table functions, with their
//! signatures, and the choice of a signature for given argument types.
//!
//! The signatures follow ksqlDB's function reference (docs.ksqldb.io, "Scalar functions",
//! "Aggregate functions", "Table functions") and the UDF classes of `ksqldb-engine`
//! (`io.confluent.ksql.function.udf`, `udaf`, `udtf`). They are written in a small notation,
//! one signature a line: `NAME(PARAM, ...) -> RETURN`, where a parameter is a ksqlDB type,
//! `DECIMAL` (any decimal: the return `DECIMAL` is the argument's), `STRUCT` (any struct), `ANY`,
//! a one-letter type variable (`T`, `K`, `V`, `S`, `U`), `ARRAY<..>`/`MAP<..>`/`STRUCT<..>` of
//! those, a lambda `(T) => U`, and a last parameter may end in `...` (any number of them).
//!
//! A call picks the signature that fits with the fewest implicit casts; numbers widen as
//! [`crate::ksql::types::can_widen`] says, and `NULL` fits every parameter.

use crate::ksql::ast::{SqlType, StructField};
use crate::ksql::types::{can_widen, common_type};
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FunctionKind {
    Scalar,
    /// Aggregates rows (COUNT, SUM): only in queries that group.
    Aggregate,
    /// Returns rows (EXPLODE): one output row per element.
    Table,
}

#[derive(Debug)]
pub(crate) struct Function {
    pub(crate) kind: FunctionKind,
    pub(crate) signatures: Vec<Signature>,
}

#[derive(Debug)]
pub(crate) struct Signature {
    pub(crate) params: Vec<Param>,
    /// The last parameter may repeat (or be absent).
    pub(crate) variadic: bool,
    pub(crate) ret: Param,
    /// As written in the table, for messages.
    pub(crate) text: String,
}

/// A parameter or return type of a signature.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Type(SqlType),
    /// Any decimal; in a return, the decimal the arguments bound.
    AnyDecimal,
    AnyStruct,
    Any,
    Var(char),
    Array(Box<Param>),
    Map(Box<Param>, Box<Param>),
    Struct(Vec<(String, Param)>),
    Lambda(Vec<Param>, Box<Param>),
}

/// What a call passes, as the signature choice sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    /// A value of a type; `None` for `NULL` (or a value whose type is unknown).
    Value(Option<SqlType>),
    /// A lambda with this many parameters.
    Lambda(usize),
}

/// The function of a name (any case).
pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    catalog().get(&name.to_ascii_uppercase())
}

/// Every function name, for "did you mean".
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    catalog().keys().map(String::as_str)
}

/// ksqlDB's name for a function other SQL dialects spell differently (`UPPER` is `UCASE`).
pub(crate) fn ksql_name_for(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_uppercase().as_str() {
        "UPPER" => "UCASE",
        "LOWER" => "LCASE",
        "LENGTH" | "CHAR_LENGTH" | "CHARACTER_LENGTH" => "LEN",
        "SUBSTR" => "SUBSTRING",
        "NOW" | "CURRENT_TIMESTAMP" => "UNIX_TIMESTAMP",
        "CURRENT_DATE" => "UNIX_DATE",
        "NVL" | "ISNULL" => "IFNULL",
        "POW" => "POWER",
        "CEILING" => "CEIL",
        "ARRAY_AGG" => "COLLECT_LIST",
        "STDDEV" => "STDDEV_SAMP",
        "UNNEST" => "EXPLODE",
        _ => return None,
    })
}

fn catalog() -> &'static BTreeMap<String, Function> {
    static CATALOG: OnceLock<BTreeMap<String, Function>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut map: BTreeMap<String, Function> = BTreeMap::new();
        let mut kind = FunctionKind::Scalar;
        for line in SIGNATURES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("--")) {
            match line {
                "[scalar]" => kind = FunctionKind::Scalar,
                "[aggregate]" => kind = FunctionKind::Aggregate,
                "[table]" => kind = FunctionKind::Table,
                _ => {
                    let Some((name, signature)) = parse_signature(line) else {
                        debug_assert!(false, "bad signature `{line}`");
                        continue;
                    };
                    map.entry(name)
                        .or_insert_with(|| Function { kind, signatures: Vec::new() })
                        .signatures
                        .push(signature);
                }
            }
        }
        map
    })
}

impl Function {
    /// The signature that fits the arguments best. `lambda` types a lambda's body: it is given
    /// the lambda's argument index and its parameter types, and returns the body's type.
    pub(crate) fn resolve(
        &self,
        args: &[Arg],
        lambda: &mut dyn FnMut(usize, &[SqlType]) -> Option<SqlType>,
    ) -> Option<SqlType> {
        let mut best: Option<(usize, &Signature, BTreeMap<char, SqlType>)> = None;
        for signature in &self.signatures {
            if let Some((casts, bindings)) = fit_values(signature, args)
                && best.as_ref().is_none_or(|(c, ..)| casts < *c)
            {
                best = Some((casts, signature, bindings));
            }
        }
        let (_, signature, mut bindings) = best?;
        for (i, arg) in args.iter().enumerate() {
            let Arg::Lambda(_) = arg else { continue };
            let Param::Lambda(params, ret) = param_at(signature, i)? else { return None };
            let types: Option<Vec<SqlType>> = params.iter().map(|p| substitute(p, &bindings)).collect();
            let types = types?;
            let body = lambda(i, &types)?;
            let mut casts = 0;
            if !bind(ret, &body, &mut bindings, &mut casts) {
                return None;
            }
        }
        substitute(&signature.ret, &bindings)
    }
}

fn param_at(signature: &Signature, i: usize) -> Option<&Param> {
    match signature.params.get(i) {
        Some(p) => Some(p),
        None if signature.variadic => signature.params.last(),
        None => None,
    }
}

/// Whether the values fit (lambdas only by arity), and with how many casts.
fn fit_values(signature: &Signature, args: &[Arg]) -> Option<(usize, BTreeMap<char, SqlType>)> {
    let fixed = signature.params.len() - usize::from(signature.variadic);
    if args.len() < fixed || (!signature.variadic && args.len() > fixed) {
        return None;
    }
    let mut bindings = BTreeMap::new();
    let mut casts = 0;
    for (i, arg) in args.iter().enumerate() {
        let param = param_at(signature, i)?;
        match (param, arg) {
            (Param::Lambda(params, _), Arg::Lambda(n)) if params.len() == *n => {}
            (Param::Lambda(..), _) | (_, Arg::Lambda(_)) => return None,
            (_, Arg::Value(None)) => {}
            (_, Arg::Value(Some(t))) => {
                if !bind(param, t, &mut bindings, &mut casts) {
                    return None;
                }
            }
        }
    }
    Some((casts, bindings))
}

/// Matches a type against a parameter, binding variables; counts implicit casts.
fn bind(param: &Param, t: &SqlType, bindings: &mut BTreeMap<char, SqlType>, casts: &mut usize) -> bool {
    match param {
        Param::Any => true,
        Param::Type(expected) => {
            if expected == t {
                true
            } else if can_widen(t, expected) {
                *casts += 1;
                true
            } else {
                false
            }
        }
        Param::AnyDecimal => match t {
            SqlType::Decimal { .. } => bind_var('D', t, bindings, casts),
            _ => false,
        },
        Param::AnyStruct => matches!(t, SqlType::Struct(_)),
        Param::Var(v) => bind_var(*v, t, bindings, casts),
        Param::Array(element) => match t {
            SqlType::Array(e) => bind(element, e, bindings, casts),
            _ => false,
        },
        Param::Map(key, value) => match t {
            SqlType::Map(k, v) => bind(key, k, bindings, casts) && bind(value, v, bindings, casts),
            _ => false,
        },
        Param::Struct(fields) => match t {
            SqlType::Struct(actual) => {
                fields.len() == actual.len()
                    && fields
                        .iter()
                        .zip(actual)
                        .all(|((n, p), f)| *n == f.name && bind(p, &f.sql_type, bindings, casts))
            }
            _ => false,
        },
        Param::Lambda(..) => false,
    }
}

fn bind_var(v: char, t: &SqlType, bindings: &mut BTreeMap<char, SqlType>, casts: &mut usize) -> bool {
    match bindings.get(&v) {
        None => {
            bindings.insert(v, t.clone());
            true
        }
        Some(bound) if bound == t => true,
        Some(bound) => match common_type(bound, t) {
            Some(common) => {
                *casts += 1;
                bindings.insert(v, common);
                true
            }
            None => false,
        },
    }
}

/// The type a parameter stands for once its variables are bound.
fn substitute(param: &Param, bindings: &BTreeMap<char, SqlType>) -> Option<SqlType> {
    Some(match param {
        Param::Type(t) => t.clone(),
        Param::AnyDecimal => bindings.get(&'D')?.clone(),
        Param::Var(v) => bindings.get(v)?.clone(),
        Param::Array(e) => SqlType::Array(Box::new(substitute(e, bindings)?)),
        Param::Map(k, v) => SqlType::Map(Box::new(substitute(k, bindings)?), Box::new(substitute(v, bindings)?)),
        Param::Struct(fields) => SqlType::Struct(
            fields
                .iter()
                .map(|(name, p)| Some(StructField { name: name.clone(), sql_type: substitute(p, bindings)? }))
                .collect::<Option<_>>()?,
        ),
        Param::Any | Param::AnyStruct | Param::Lambda(..) => return None,
    })
}

// The notation's parser.

fn parse_signature(line: &str) -> Option<(String, Signature)> {
    let (head, ret) = line.rsplit_once("->")?;
    let open = head.find('(')?;
    let name = head[..open].trim().to_string();
    let inner = head[open + 1..].trim().strip_suffix(')')?;
    let mut params = Vec::new();
    let mut variadic = false;
    for part in split_top(inner) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (part, dots) = match part.strip_suffix("...") {
            Some(p) => (p.trim(), true),
            None => (part, false),
        };
        variadic |= dots;
        params.push(parse_param(part)?);
    }
    let ret = parse_param(ret.trim())?;
    Some((name, Signature { params, variadic, ret, text: line.to_string() }))
}

/// Splits at commas outside `<>` and `()`.
fn split_top(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' if text[..i].ends_with('=') => {}
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_param(text: &str) -> Option<Param> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('(') {
        let (params, body) = rest.split_once(")")?;
        let body = body.trim().strip_prefix("=>")?;
        let params = split_top(params).into_iter().map(parse_param).collect::<Option<Vec<_>>>()?;
        return Some(Param::Lambda(params, Box::new(parse_param(body)?)));
    }
    if let Some(inner) = text.strip_prefix("ARRAY<").and_then(|t| t.strip_suffix('>')) {
        return Some(Param::Array(Box::new(parse_param(inner)?)));
    }
    if let Some(inner) = text.strip_prefix("MAP<").and_then(|t| t.strip_suffix('>')) {
        let parts = split_top(inner);
        let [k, v] = parts.as_slice() else { return None };
        return Some(Param::Map(Box::new(parse_param(k)?), Box::new(parse_param(v)?)));
    }
    if let Some(inner) = text.strip_prefix("STRUCT<").and_then(|t| t.strip_suffix('>')) {
        let fields = split_top(inner)
            .into_iter()
            .map(|f| {
                let (name, ty) = f.trim().split_once(' ')?;
                Some((name.to_string(), parse_param(ty)?))
            })
            .collect::<Option<Vec<_>>>()?;
        return Some(Param::Struct(fields));
    }
    Some(match text {
        "ANY" => Param::Any,
        "STRUCT" => Param::AnyStruct,
        "DECIMAL" => Param::AnyDecimal,
        "BOOLEAN" => Param::Type(SqlType::Boolean),
        "INT" => Param::Type(SqlType::Int),
        "BIGINT" => Param::Type(SqlType::BigInt),
        "DOUBLE" => Param::Type(SqlType::Double),
        "STRING" => Param::Type(SqlType::String),
        "BYTES" => Param::Type(SqlType::Bytes),
        "DATE" => Param::Type(SqlType::Date),
        "TIME" => Param::Type(SqlType::Time),
        "TIMESTAMP" => Param::Type(SqlType::Timestamp),
        v if v.len() == 1 && v.chars().all(|c| c.is_ascii_uppercase()) => Param::Var(v.chars().next()?),
        _ => return None,
    })
}

/// ksqlDB 0.29's functions. `DECIMAL` in a return is the argument's decimal.
const SIGNATURES: &str = r#"
[scalar]
-- Numbers.
ABS(INT) -> INT
ABS(BIGINT) -> BIGINT
ABS(DOUBLE) -> DOUBLE
ABS(DECIMAL) -> DECIMAL
CEIL(INT) -> INT
CEIL(BIGINT) -> BIGINT
CEIL(DOUBLE) -> DOUBLE
CEIL(DECIMAL) -> DECIMAL
FLOOR(INT) -> INT
FLOOR(BIGINT) -> BIGINT
FLOOR(DOUBLE) -> DOUBLE
FLOOR(DECIMAL) -> DECIMAL
ROUND(INT) -> INT
ROUND(BIGINT) -> BIGINT
ROUND(DOUBLE) -> BIGINT
ROUND(DOUBLE, INT) -> DOUBLE
ROUND(DECIMAL) -> DECIMAL
ROUND(DECIMAL, INT) -> DECIMAL
TRUNC(INT) -> INT
TRUNC(BIGINT) -> BIGINT
TRUNC(DOUBLE) -> BIGINT
TRUNC(DOUBLE, INT) -> DOUBLE
TRUNC(DECIMAL) -> DECIMAL
TRUNC(DECIMAL, INT) -> DECIMAL
SIGN(INT) -> INT
SIGN(BIGINT) -> INT
SIGN(DOUBLE) -> INT
SIGN(DECIMAL) -> INT
SQRT(INT) -> DOUBLE
SQRT(BIGINT) -> DOUBLE
SQRT(DOUBLE) -> DOUBLE
SQRT(DECIMAL) -> DECIMAL
CBRT(DOUBLE) -> DOUBLE
EXP(DOUBLE) -> DOUBLE
LN(DOUBLE) -> DOUBLE
LOG(DOUBLE) -> DOUBLE
LOG(DOUBLE, DOUBLE) -> DOUBLE
POWER(DOUBLE, DOUBLE) -> DOUBLE
RANDOM() -> DOUBLE
PI() -> DOUBLE
DEGREES(DOUBLE) -> DOUBLE
RADIANS(DOUBLE) -> DOUBLE
SIN(DOUBLE) -> DOUBLE
COS(DOUBLE) -> DOUBLE
TAN(DOUBLE) -> DOUBLE
COT(DOUBLE) -> DOUBLE
ASIN(DOUBLE) -> DOUBLE
ACOS(DOUBLE) -> DOUBLE
ATAN(DOUBLE) -> DOUBLE
ATAN2(DOUBLE, DOUBLE) -> DOUBLE
SINH(DOUBLE) -> DOUBLE
COSH(DOUBLE) -> DOUBLE
TANH(DOUBLE) -> DOUBLE
GEO_DISTANCE(DOUBLE, DOUBLE, DOUBLE, DOUBLE) -> DOUBLE
GEO_DISTANCE(DOUBLE, DOUBLE, DOUBLE, DOUBLE, STRING) -> DOUBLE
GREATEST(T, T...) -> T
LEAST(T, T...) -> T
-- Strings and bytes.
CONCAT(STRING...) -> STRING
CONCAT(BYTES...) -> BYTES
CONCAT_WS(STRING, STRING...) -> STRING
CONCAT_WS(BYTES, BYTES...) -> BYTES
LEN(STRING) -> INT
LEN(BYTES) -> INT
LCASE(STRING) -> STRING
UCASE(STRING) -> STRING
INITCAP(STRING) -> STRING
TRIM(STRING) -> STRING
LPAD(STRING, INT, STRING) -> STRING
LPAD(BYTES, INT, BYTES) -> BYTES
RPAD(STRING, INT, STRING) -> STRING
RPAD(BYTES, INT, BYTES) -> BYTES
REPLACE(STRING, STRING, STRING) -> STRING
SUBSTRING(STRING, INT) -> STRING
SUBSTRING(STRING, INT, INT) -> STRING
SUBSTRING(BYTES, INT) -> BYTES
SUBSTRING(BYTES, INT, INT) -> BYTES
INSTR(STRING, STRING) -> INT
INSTR(STRING, STRING, INT) -> INT
INSTR(STRING, STRING, INT, INT) -> INT
MASK(STRING) -> STRING
MASK(STRING, STRING, STRING, STRING, STRING) -> STRING
MASK_KEEP_LEFT(STRING, INT) -> STRING
MASK_KEEP_LEFT(STRING, INT, STRING, STRING, STRING, STRING) -> STRING
MASK_KEEP_RIGHT(STRING, INT) -> STRING
MASK_KEEP_RIGHT(STRING, INT, STRING, STRING, STRING, STRING) -> STRING
MASK_LEFT(STRING, INT) -> STRING
MASK_LEFT(STRING, INT, STRING, STRING, STRING, STRING) -> STRING
MASK_RIGHT(STRING, INT) -> STRING
MASK_RIGHT(STRING, INT, STRING, STRING, STRING, STRING) -> STRING
SPLIT(STRING, STRING) -> ARRAY<STRING>
SPLIT(BYTES, BYTES) -> ARRAY<BYTES>
SPLIT_TO_MAP(STRING, STRING, STRING) -> MAP<STRING, STRING>
REGEXP_EXTRACT(STRING, STRING) -> STRING
REGEXP_EXTRACT(STRING, STRING, INT) -> STRING
REGEXP_EXTRACT_ALL(STRING, STRING) -> ARRAY<STRING>
REGEXP_EXTRACT_ALL(STRING, STRING, INT) -> ARRAY<STRING>
REGEXP_REPLACE(STRING, STRING, STRING) -> STRING
REGEXP_SPLIT_TO_ARRAY(STRING, STRING) -> ARRAY<STRING>
CHR(INT) -> STRING
CHR(STRING) -> STRING
ENCODE(STRING, STRING, STRING) -> STRING
UUID() -> STRING
UUID(BYTES) -> STRING
ELT(INT, STRING...) -> STRING
FIELD(STRING, STRING...) -> INT
FROM_BYTES(BYTES, STRING) -> STRING
TO_BYTES(STRING, STRING) -> BYTES
INT_FROM_BYTES(BYTES) -> INT
INT_FROM_BYTES(BYTES, STRING) -> INT
BIGINT_FROM_BYTES(BYTES) -> BIGINT
BIGINT_FROM_BYTES(BYTES, STRING) -> BIGINT
DOUBLE_FROM_BYTES(BYTES) -> DOUBLE
DOUBLE_FROM_BYTES(BYTES, STRING) -> DOUBLE
-- JSON.
EXTRACTJSONFIELD(STRING, STRING) -> STRING
IS_JSON_STRING(STRING) -> BOOLEAN
JSON_ARRAY_CONTAINS(STRING, ANY) -> BOOLEAN
JSON_ARRAY_LENGTH(STRING) -> INT
JSON_CONCAT(STRING...) -> STRING
JSON_ITEMS(STRING) -> ARRAY<STRING>
JSON_KEYS(STRING) -> ARRAY<STRING>
JSON_RECORDS(STRING) -> MAP<STRING, STRING>
TO_JSON_STRING(ANY) -> STRING
-- URLs.
URL_DECODE_PARAM(STRING) -> STRING
URL_ENCODE_PARAM(STRING) -> STRING
URL_EXTRACT_FRAGMENT(STRING) -> STRING
URL_EXTRACT_HOST(STRING) -> STRING
URL_EXTRACT_PARAMETER(STRING, STRING) -> STRING
URL_EXTRACT_PATH(STRING) -> STRING
URL_EXTRACT_PORT(STRING) -> INT
URL_EXTRACT_PROTOCOL(STRING) -> STRING
URL_EXTRACT_QUERY(STRING) -> STRING
-- Nulls and values.
COALESCE(T, T...) -> T
IFNULL(T, T) -> T
NULLIF(T, T) -> T
AS_VALUE(T) -> T
-- Dates and times.
UNIX_DATE() -> INT
UNIX_DATE(DATE) -> INT
UNIX_TIMESTAMP() -> BIGINT
UNIX_TIMESTAMP(TIMESTAMP) -> BIGINT
DATETOSTRING(INT, STRING) -> STRING
STRINGTODATE(STRING, STRING) -> INT
TIMESTAMPTOSTRING(BIGINT, STRING) -> STRING
TIMESTAMPTOSTRING(BIGINT, STRING, STRING) -> STRING
STRINGTOTIMESTAMP(STRING, STRING) -> BIGINT
STRINGTOTIMESTAMP(STRING, STRING, STRING) -> BIGINT
FORMAT_TIMESTAMP(TIMESTAMP, STRING) -> STRING
FORMAT_TIMESTAMP(TIMESTAMP, STRING, STRING) -> STRING
PARSE_TIMESTAMP(STRING, STRING) -> TIMESTAMP
PARSE_TIMESTAMP(STRING, STRING, STRING) -> TIMESTAMP
FORMAT_DATE(DATE, STRING) -> STRING
PARSE_DATE(STRING, STRING) -> DATE
FORMAT_TIME(TIME, STRING) -> STRING
PARSE_TIME(STRING, STRING) -> TIME
CONVERT_TZ(TIMESTAMP, STRING, STRING) -> TIMESTAMP
FROM_UNIXTIME(BIGINT) -> TIMESTAMP
FROM_DAYS(INT) -> DATE
-- Collections.
ARRAY_CONTAINS(ARRAY<T>, T) -> BOOLEAN
ARRAY_DISTINCT(ARRAY<T>) -> ARRAY<T>
ARRAY_EXCEPT(ARRAY<T>, ARRAY<T>) -> ARRAY<T>
ARRAY_INTERSECT(ARRAY<T>, ARRAY<T>) -> ARRAY<T>
ARRAY_UNION(ARRAY<T>, ARRAY<T>) -> ARRAY<T>
ARRAY_CONCAT(ARRAY<T>, ARRAY<T>) -> ARRAY<T>
ARRAY_JOIN(ARRAY<T>) -> STRING
ARRAY_JOIN(ARRAY<T>, STRING) -> STRING
ARRAY_LENGTH(ARRAY<T>) -> INT
ARRAY_MAX(ARRAY<T>) -> T
ARRAY_MIN(ARRAY<T>) -> T
ARRAY_REMOVE(ARRAY<T>, T) -> ARRAY<T>
ARRAY_SORT(ARRAY<T>) -> ARRAY<T>
ARRAY_SORT(ARRAY<T>, STRING) -> ARRAY<T>
AS_MAP(ARRAY<STRING>, ARRAY<T>) -> MAP<STRING, T>
ENTRIES(MAP<STRING, T>, BOOLEAN) -> ARRAY<STRUCT<K STRING, V T>>
GENERATE_SERIES(INT, INT) -> ARRAY<INT>
GENERATE_SERIES(INT, INT, INT) -> ARRAY<INT>
GENERATE_SERIES(BIGINT, BIGINT) -> ARRAY<BIGINT>
GENERATE_SERIES(BIGINT, BIGINT, INT) -> ARRAY<BIGINT>
MAP_KEYS(MAP<K, V>) -> ARRAY<K>
MAP_VALUES(MAP<K, V>) -> ARRAY<V>
MAP_UNION(MAP<K, V>, MAP<K, V>) -> MAP<K, V>
SLICE(ARRAY<T>, INT, INT) -> ARRAY<T>
TRANSFORM(ARRAY<T>, (T) => U) -> ARRAY<U>
TRANSFORM(MAP<K, V>, (K, V) => S, (K, V) => U) -> MAP<S, U>
FILTER(ARRAY<T>, (T) => BOOLEAN) -> ARRAY<T>
FILTER(MAP<K, V>, (K, V) => BOOLEAN) -> MAP<K, V>
REDUCE(ARRAY<T>, S, (S, T) => S) -> S
REDUCE(MAP<K, V>, S, (S, K, V) => S) -> S

[aggregate]
ATTR(T) -> T
COUNT() -> BIGINT
COUNT(ANY) -> BIGINT
COUNT_DISTINCT(ANY) -> BIGINT
SUM(INT) -> INT
SUM(BIGINT) -> BIGINT
SUM(DOUBLE) -> DOUBLE
SUM(DECIMAL) -> DECIMAL
AVG(INT) -> DOUBLE
AVG(BIGINT) -> DOUBLE
AVG(DOUBLE) -> DOUBLE
AVG(DECIMAL) -> DECIMAL
MIN(INT) -> INT
MIN(BIGINT) -> BIGINT
MIN(DOUBLE) -> DOUBLE
MIN(DECIMAL) -> DECIMAL
MIN(STRING) -> STRING
MIN(BYTES) -> BYTES
MIN(DATE) -> DATE
MIN(TIME) -> TIME
MIN(TIMESTAMP) -> TIMESTAMP
MAX(INT) -> INT
MAX(BIGINT) -> BIGINT
MAX(DOUBLE) -> DOUBLE
MAX(DECIMAL) -> DECIMAL
MAX(STRING) -> STRING
MAX(BYTES) -> BYTES
MAX(DATE) -> DATE
MAX(TIME) -> TIME
MAX(TIMESTAMP) -> TIMESTAMP
TOPK(T, INT) -> ARRAY<T>
TOPK(T, STRING, INT) -> ARRAY<STRUCT<SORT_COL T, COL0 STRING>>
TOPKDISTINCT(T, INT) -> ARRAY<T>
COLLECT_LIST(T) -> ARRAY<T>
COLLECT_SET(T) -> ARRAY<T>
HISTOGRAM(STRING) -> MAP<STRING, BIGINT>
EARLIEST_BY_OFFSET(T) -> T
EARLIEST_BY_OFFSET(T, BOOLEAN) -> T
EARLIEST_BY_OFFSET(T, INT) -> ARRAY<T>
EARLIEST_BY_OFFSET(T, INT, BOOLEAN) -> ARRAY<T>
LATEST_BY_OFFSET(T) -> T
LATEST_BY_OFFSET(T, BOOLEAN) -> T
LATEST_BY_OFFSET(T, INT) -> ARRAY<T>
LATEST_BY_OFFSET(T, INT, BOOLEAN) -> ARRAY<T>
STDDEV_SAMP(INT) -> DOUBLE
STDDEV_SAMP(BIGINT) -> DOUBLE
STDDEV_SAMP(DOUBLE) -> DOUBLE
STDDEV_SAMPLE(INT) -> DOUBLE
STDDEV_SAMPLE(BIGINT) -> DOUBLE
STDDEV_SAMPLE(DOUBLE) -> DOUBLE
CORRELATION(DOUBLE, DOUBLE) -> DOUBLE

[table]
EXPLODE(ARRAY<T>) -> T
CUBE_EXPLODE(ARRAY<T>) -> ARRAY<T>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[SqlType]) -> Option<SqlType> {
        let args: Vec<Arg> = args.iter().map(|t| Arg::Value(Some(t.clone()))).collect();
        lookup(name)?.resolve(&args, &mut |_, _| None)
    }

    #[test]
    fn every_signature_line_parses() {
        let lines = SIGNATURES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with(['-', '[']));
        for line in lines {
            assert!(parse_signature(line).is_some(), "`{line}` does not parse");
        }
        assert_eq!(lookup("count").map(|f| f.kind), Some(FunctionKind::Aggregate));
        assert_eq!(lookup("EXPLODE").map(|f| f.kind), Some(FunctionKind::Table));
    }

    #[test]
    fn calls_pick_the_signature_with_fewest_casts() {
        assert_eq!(call("ABS", &[SqlType::Int]), Some(SqlType::Int));
        assert_eq!(call("SQRT", &[SqlType::Int]), Some(SqlType::Double));
        let dec = SqlType::Decimal { precision: 4, scale: 2 };
        assert_eq!(call("SUM", std::slice::from_ref(&dec)), Some(dec));
        assert_eq!(call("SUBSTRING", &[SqlType::String, SqlType::Int]), Some(SqlType::String));
        assert_eq!(call("LEN", &[SqlType::Int]), None);
        assert_eq!(call("CONCAT", &[SqlType::String, SqlType::String, SqlType::String]), Some(SqlType::String));
        let array = SqlType::Array(Box::new(SqlType::BigInt));
        assert_eq!(call("ARRAY_MAX", std::slice::from_ref(&array)), Some(SqlType::BigInt));
        assert_eq!(call("ARRAY_CONTAINS", &[array, SqlType::Int]), Some(SqlType::Boolean));
        assert_eq!(call("GREATEST", &[SqlType::Int, SqlType::BigInt]), Some(SqlType::BigInt));
    }

    #[test]
    fn lambdas_are_typed_with_their_parameters() {
        let f = lookup("TRANSFORM").unwrap();
        let array = SqlType::Array(Box::new(SqlType::Int));
        let ret = f
            .resolve(&[Arg::Value(Some(array)), Arg::Lambda(1)], &mut |_, params| {
                assert_eq!(params, [SqlType::Int]);
                Some(SqlType::String)
            })
            .unwrap();
        assert_eq!(ret, SqlType::Array(Box::new(SqlType::String)));
    }
}
