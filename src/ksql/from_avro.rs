//! Avro types as ksqlDB reads them from the registry: the Connect schema `AvroData` makes of the
//! Avro type (`avro::mapping::connect_schema`), through ksqlDB's `ConnectKsqlSchemaTranslator`
//! (confluentinc/ksql, `io.confluent.ksql.serde.connect`), which ksqlDB uses to infer columns
//! from the registry, then `SchemaConverters.connectToSqlConverter` for the SQL types.
//!
//! Not verified against a running service: read from the source on GitHub's default branch, not
//! pinned to ksqlDB 0.29. The other way, SQL to Avro, is [`super::to_avro`].

use crate::avro::mapping::{
    CONNECT_DATE, CONNECT_DECIMAL, CONNECT_TIME, CONNECT_TIMESTAMP, ConnectKind, ConnectSchema, MAX_DEPTH, RawDecimal,
    Unsupported, connect_schema, map_entry, raw_decimal,
};
use crate::avro::{Catalog, NamedKind, NamedType, Primitive, Problem, Type, TypeKind};
use crate::ksql::ast::{SqlType, StructField};
use crate::model::SourceText;
use crate::source::FileId;

/// The ksqlDB type of an Avro type, and the fields ksqlDB leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KsqlMapping {
    pub(crate) sql: SqlType,
    /// Fields (dotted paths, upper-cased as ksqlDB names them) of a type ksqlDB does not support:
    /// `ConnectKsqlSchemaTranslator` logs them and drops them from the struct.
    pub(crate) dropped: Vec<(String, Unsupported)>,
}

/// How the translator names struct fields: ksqlDB's `SchemaTranslationPolicy`, which
/// `ConnectKsqlSchemaTranslator.toKsqlStructSchema` applies (`UPPERCASE_FIELD_NAME` unless
/// `ORIGINAL_FIELD_NAME` is asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldNames {
    /// `UPPERCASE_FIELD_NAME`, the default.
    Upper,
    /// `ORIGINAL_FIELD_NAME`: as Connect names them.
    Original,
}

impl FieldNames {
    /// A Connect field's name as a column or struct field under this policy.
    pub(crate) fn apply(self, name: &str) -> String {
        match self {
            FieldNames::Upper => name.to_uppercase(),
            FieldNames::Original => name.to_string(),
        }
    }
}

/// The dotted path of a field inside `path` (empty at the top), as V205 names what it drops.
pub(super) fn field_path(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
}

/// The ksqlDB type of an Avro type, as ksqlDB infers it from the registry.
///
/// Through the Connect schema ([`connect_schema`]): INT8, INT16 and INT32 INTEGER (Date DATE,
/// Time TIME); INT64 BIGINT (Timestamp TIMESTAMP); FLOAT32 and FLOAT64 DOUBLE; BOOLEAN; STRING
/// (enums too); BYTES (Decimal `DECIMAL(precision, scale)`, 64 when the Avro type gives no
/// precision);
/// ARRAY; MAP with STRING keys (int, bigint and boolean keys become STRING, others are not
/// supported); STRUCT (a record, or a union of several types with one field per branch) with
/// upper-cased field names (the default `UPPERCASE_FIELD_NAME` policy).
/// Every column is nullable in ksqlDB, so `["null", T]` is T. A field of an unsupported type is
/// dropped (listed in [`KsqlMapping::dropped`]); an unsupported type at the root, or anything
/// `AvroData` or ksqlDB's `SqlDecimal` refuses, is an error.
pub(crate) fn ksql_type(catalog: &Catalog, ty: &Type) -> Result<KsqlMapping, Unsupported> {
    ksql_type_named(catalog, ty, FieldNames::Upper)
}

/// [`ksql_type`], with the struct fields named by `names`.
pub(crate) fn ksql_type_named(catalog: &Catalog, ty: &Type, names: FieldNames) -> Result<KsqlMapping, Unsupported> {
    let connect = connect_schema(catalog, ty)?;
    let mut translator = Translator { arena: catalog.arena(), names, dropped: Vec::new() };
    let sql = translator.sql(ty, &connect, "", 0)?;
    Ok(KsqlMapping { sql, dropped: translator.dropped })
}

/// The SQL type of a schema registered for a subject, given as the text of an Avro schema: read
/// into the Avro model on its own, as the registry parses it, then translated as [`ksql_type`]
/// translates it, struct fields named as Connect names them (`ORIGINAL_FIELD_NAME`): the
/// engine upper-cases the columns it infers unless the statement names a schema id, which is
/// when ksqlDB keeps the original names. The fields ksqlDB would drop are left out.
///
/// A text the registry would refuse (V201's problems: not JSON, an unknown type, a missing
/// attribute, ...) is an error; an invalid default (V204) is not, since the registry does not
/// validate defaults by default.
pub(crate) fn registry_type(text: &str) -> Result<SqlType, String> {
    let mut problems = Vec::new();
    let texts = vec![("subject".to_string(), SourceText::from_file(FileId(0), text.to_string()))];
    let catalog = Catalog::from_texts(texts, &mut problems);
    if let Some((problem, _)) = problems.iter().find(|(p, _)| unreadable(p)) {
        return Err(refused(problem));
    }
    let root = catalog.schema("subject").ok_or_else(|| "not an Avro schema".to_string())?;
    match ksql_type_named(&catalog, root, FieldNames::Original) {
        Ok(mapping) => Ok(mapping.sql),
        Err(reason) => Err(reason.to_string()),
    }
}

/// Whether the registry refuses a schema with this problem (V201, not V204's defaults).
fn unreadable(problem: &Problem) -> bool {
    !matches!(problem, Problem::InvalidDefault { .. } | Problem::EnumDefaultNotSymbol { .. })
}

/// Why the registry refuses a schema, in short (`venice check` words V201 in full).
fn refused(problem: &Problem) -> String {
    match problem {
        Problem::InvalidJson { message } => format!("not JSON: {message}"),
        Problem::UnknownType { name, .. } => format!("unknown type `{name}`"),
        Problem::MissingAttribute { owner, attribute } => format!("{owner} without `{attribute}`"),
        Problem::WrongAttribute { attribute, expected, found } => format!("`{attribute}` is {found}, not {expected}"),
        _ => "not a valid Avro schema".into(),
    }
}

/// A Connect schema of no parts as ksqlDB's `ConnectToSqlTypeConverter` reads it, whatever the
/// schema type it came from; `None` for a decimal (its precision is the source's) and for
/// arrays, maps, structs and cycles.
pub(super) fn scalar(connect: &ConnectSchema) -> Option<SqlType> {
    let name = connect.name.as_deref();
    Some(match &connect.kind {
        ConnectKind::Int8 | ConnectKind::Int16 | ConnectKind::Int32 => match name {
            Some(CONNECT_DATE) => SqlType::Date,
            Some(CONNECT_TIME) => SqlType::Time,
            _ => SqlType::Int,
        },
        ConnectKind::Int64 if name == Some(CONNECT_TIMESTAMP) => SqlType::Timestamp,
        ConnectKind::Int64 => SqlType::BigInt,
        ConnectKind::Float32 | ConnectKind::Float64 => SqlType::Double,
        ConnectKind::Boolean => SqlType::Boolean,
        ConnectKind::String => SqlType::String,
        ConnectKind::Bytes if name != Some(CONNECT_DECIMAL) => SqlType::Bytes,
        _ => return None,
    })
}

/// ksqlDB reads a MAP's keys as STRING: int, bigint and boolean keys as their text, other keys
/// not at all.
pub(super) fn map_key_supported(key: &ConnectSchema) -> bool {
    matches!(
        key.kind,
        ConnectKind::Int8
            | ConnectKind::Int16
            | ConnectKind::Int32
            | ConnectKind::Int64
            | ConnectKind::Boolean
            | ConnectKind::String
    )
}

/// The Connect schema to SQL, with the Avro type alongside for decimal precision.
struct Translator<'a> {
    arena: &'a [NamedType],
    names: FieldNames,
    dropped: Vec<(String, Unsupported)>,
}

impl Translator<'_> {
    fn sql(&mut self, avro: &Type, connect: &ConnectSchema, path: &str, depth: usize) -> Result<SqlType, Unsupported> {
        if depth > MAX_DEPTH {
            return Err(Unsupported::TooDeep);
        }
        let avro = strip_optional(avro);
        if let Some(scalar) = scalar(connect) {
            return Ok(scalar);
        }
        Ok(match &connect.kind {
            ConnectKind::Bytes => self.decimal(avro, connect)?,
            ConnectKind::Array(item) => {
                let item_avro = match &avro.kind {
                    TypeKind::Array { items, .. } => &**items,
                    _ => avro,
                };
                SqlType::Array(Box::new(self.sql(item_avro, item, path, depth + 1)?))
            }
            ConnectKind::Map(key, value) => self.map(avro, key, value, path, depth)?,
            ConnectKind::Struct(fields) => self.r#struct(avro, fields, path, depth)?,
            ConnectKind::Cycle(name) => return Err(Unsupported::Recursive { name: name.clone() }),
            _ => unreachable!("scalars are mapped above"),
        })
    }

    /// A MAP: its keys STRING whatever Connect's were (int, bigint and boolean keys are read as
    /// strings; other keys are not supported).
    fn map(
        &mut self,
        avro: &Type,
        key: &ConnectSchema,
        value: &ConnectSchema,
        path: &str,
        depth: usize,
    ) -> Result<SqlType, Unsupported> {
        if !map_key_supported(key) {
            return Err(Unsupported::MapKey { key: key.kind.type_name().to_lowercase() });
        }
        let value_avro = match &avro.kind {
            TypeKind::Map { values, .. } => &**values,
            TypeKind::Array { items, .. } => {
                items.named().and_then(|id| map_entry(&self.arena[id.index()])).map_or(avro, |(_, v)| v)
            }
            _ => avro,
        };
        let value = self.sql(value_avro, value, path, depth + 1)?;
        Ok(SqlType::Map(Box::new(SqlType::String), Box::new(value)))
    }

    /// A STRUCT: its fields named by the policy; a field of a type the translator cannot read
    /// is left out and listed (it logs and drops it), while a decimal `SqlDecimal` refuses fails
    /// the whole schema (ksqlDB converts the columns after the translator, and throws).
    fn r#struct(
        &mut self,
        avro: &Type,
        fields: &[(String, ConnectSchema)],
        path: &str,
        depth: usize,
    ) -> Result<SqlType, Unsupported> {
        let mut out = Vec::new();
        for (i, (name, field)) in fields.iter().enumerate() {
            let name = self.names.apply(name);
            let field_path = field_path(path, &name);
            let field_avro = struct_member(self.arena, avro, i);
            match self.sql(field_avro, field, &field_path, depth + 1) {
                Ok(sql_type) => out.push(StructField { name, sql_type }),
                Err(reason @ Unsupported::InvalidDecimal { .. }) => return Err(reason),
                Err(reason) => self.dropped.push((field_path, reason)),
            }
        }
        Ok(SqlType::Struct(out))
    }

    /// A Decimal's `DECIMAL(precision, scale)`: the precision `AvroData` kept from the Avro
    /// attributes ([`raw_decimal`]), or 64 when it left it out (ksqlDB's `DecimalUtil.precision`
    /// falls back to Connect's default since confluentinc/ksql#7615, "use Connect default
    /// precision for Avro decimals if unspecified"). `SqlDecimal.validateParameters` asks for a
    /// precision of at least 1 and a scale from 0 to the precision, and sets no upper bound.
    fn decimal(&self, avro: &Type, connect: &ConnectSchema) -> Result<SqlType, Unsupported> {
        let scale = connect.scale.unwrap_or(0);
        let precision = decimal_of(self.arena, avro).and_then(|d| d.precision).unwrap_or(64);
        match u32::try_from(precision) {
            Ok(precision) if precision >= 1 && scale <= precision => Ok(SqlType::Decimal { precision, scale }),
            _ => Err(Unsupported::InvalidDecimal { precision: precision.to_string(), scale: i64::from(scale) }),
        }
    }
}

/// The decimal attributes of a `bytes` or `fixed` (the Connect schema was made of them, so they
/// read).
fn decimal_of(arena: &[NamedType], avro: &Type) -> Option<RawDecimal> {
    let props = match &avro.kind {
        TypeKind::Primitive(p) => &p.props,
        TypeKind::Named(id) | TypeKind::Reference(id) => match &arena[id.index()] {
            named @ NamedType { kind: NamedKind::Fixed { .. }, .. } => &named.props,
            _ => return None,
        },
        _ => return None,
    };
    raw_decimal(props)?.ok()
}

/// `["null", T]` as T, the way the Connect schema already sees it.
fn strip_optional(ty: &Type) -> &Type {
    if let TypeKind::Union(branches) = &ty.kind
        && branches.len() == 2
    {
        let is_null = |t: &Type| matches!(&t.kind, TypeKind::Primitive(p) if p.primitive == Primitive::Null);
        if branches.iter().any(is_null)
            && let Some(other) = branches.iter().find(|b| !is_null(b))
        {
            return other;
        }
    }
    ty
}

/// The Avro type of the `i`-th field of the struct a type became: a record's field, or a
/// general union's `i`-th branch that is not `null`.
fn struct_member<'t>(arena: &'t [NamedType], avro: &'t Type, i: usize) -> &'t Type {
    match &avro.kind {
        TypeKind::Union(branches) => branches
            .iter()
            .filter(|b| !matches!(&b.kind, TypeKind::Primitive(p) if p.primitive == Primitive::Null))
            .nth(i)
            .unwrap_or(avro),
        _ => match avro.named().map(|id| &arena[id.index()]) {
            Some(named) => named.fields().get(i).map_or(avro, |f| &f.ty),
            None => avro,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::test_support::parse;

    fn ksql(text: &str) -> Result<KsqlMapping, Unsupported> {
        let (catalog, d) = parse(text);
        assert!(d.is_empty(), "{d:#?}");
        ksql_type(&catalog, catalog.schema("s0").unwrap())
    }

    fn ksql_of_field(ty: &str) -> String {
        let text = format!(r#"{{"type": "record", "name": "R", "fields": [{{"name": "f", "type": {ty}}}]}}"#);
        match ksql(&text) {
            Ok(KsqlMapping { sql: SqlType::Struct(fields), dropped }) if dropped.is_empty() => {
                fields[0].sql_type.written().to_string()
            }
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn ksql_types_of_primitives_and_logical_types() {
        let cases = [
            (r#""boolean""#, "BOOLEAN"),
            (r#""int""#, "INTEGER"),
            (r#""long""#, "BIGINT"),
            (r#""float""#, "DOUBLE"),
            (r#""double""#, "DOUBLE"),
            (r#""string""#, "STRING"),
            (r#""bytes""#, "BYTES"),
            (r#"{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}"#, "DECIMAL(10, 2)"),
            (r#"{"type": "int", "logicalType": "date"}"#, "DATE"),
            (r#"{"type": "int", "logicalType": "time-millis"}"#, "TIME"),
            (r#"{"type": "long", "logicalType": "timestamp-millis"}"#, "TIMESTAMP"),
            (r#"{"type": "long", "logicalType": "timestamp-micros"}"#, "BIGINT"),
            (r#"{"type": "long", "logicalType": "local-timestamp-millis"}"#, "BIGINT"),
            (r#"{"type": "long", "logicalType": "time-micros"}"#, "BIGINT"),
            (r#"{"type": "string", "logicalType": "uuid"}"#, "STRING"),
            (r#"{"type": "int", "connect.type": "int16"}"#, "INTEGER"),
            (r#"["null", "string"]"#, "STRING"),
            (r#"["string", "null"]"#, "STRING"),
            (r#"{"type": "enum", "name": "E", "symbols": ["A"]}"#, "STRING"),
            (r#"{"type": "fixed", "name": "F", "size": 4}"#, "BYTES"),
            (r#"{"type": "array", "items": ["null", "int"]}"#, "ARRAY<INTEGER>"),
            (r#"{"type": "map", "values": "long"}"#, "MAP<STRING, BIGINT>"),
            (
                r#"{"type": "record", "name": "In", "fields": [{"name": "city", "type": "string"}, {"name": "zip_code", "type": "int"}]}"#,
                "STRUCT<CITY STRING, ZIP_CODE INTEGER>",
            ),
            (r#"["int", "string"]"#, "STRUCT<INT INTEGER, STRING STRING>"),
            (r#"["null", "int", {"type": "record", "name": "P", "fields": []}]"#, "STRUCT<INT INTEGER, P STRUCT<>>"),
        ];
        for (ty, expected) in cases {
            assert_eq!(ksql_of_field(ty), expected, "{ty}");
        }
    }

    #[test]
    fn ksql_upper_cases_columns_and_drops_what_it_cannot_read() {
        let mapping = ksql(
            r#"{"type": "record", "name": "R", "fields": [{"name": "id", "type": "string"}, {"name": "weird", "type": {"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 5}}]}"#,
        );
        assert_eq!(mapping, Err(Unsupported::FixedDecimal { name: "D".into() }));
        let mapping = ksql(
            r#"{"type": "record", "name": "R", "fields": [{"name": "orderId", "type": "string"}, {"name": "m", "type": {"type": "array", "items": {"type": "record", "name": "io.confluent.connect.avro.MapEntry", "fields": [{"name": "key", "type": "double"}, {"name": "value", "type": "int"}]}}}]}"#,
        );
        let KsqlMapping { sql, dropped } = mapping.unwrap();
        assert_eq!(sql.written().to_string(), "STRUCT<ORDERID STRING>");
        let field = |name: &str| StructField { name: name.into(), sql_type: SqlType::Int };
        let written = SqlType::Struct(vec![field("a b"), field("END"), field("A1")]).written().to_string();
        assert_eq!(written, "STRUCT<`a b` INTEGER, `END` INTEGER, A1 INTEGER>");
        assert_eq!(dropped, [("M".to_string(), Unsupported::MapKey { key: "float64".into() })]);
        let recursive = ksql(
            r#"{"type": "record", "name": "L", "fields": [{"name": "v", "type": "long"}, {"name": "next", "type": ["null", "L"]}]}"#,
        );
        let KsqlMapping { sql, dropped } = recursive.unwrap();
        assert_eq!(sql.written().to_string(), "STRUCT<V BIGINT>");
        assert_eq!(dropped, [("NEXT".to_string(), Unsupported::Recursive { name: "L".into() })]);
        assert_eq!(ksql(r#""null""#), Err(Unsupported::StandaloneNull));
    }

    fn registry(ty: &str) -> String {
        let text = format!(r#"{{"type": "record", "name": "n.R", "fields": [{{"name": "f", "type": {ty}}}]}}"#);
        match registry_type(&text) {
            Ok(SqlType::Struct(fields)) => fields.iter().map(|f| format!("{} {}", f.name, f.sql_type)).collect(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn registry_subjects_keep_the_names_connect_gives() {
        assert_eq!(registry(r#"["null", "int", "string"]"#), "f STRUCT<`int` INTEGER, `string` STRING>");
        let named = r#"["int", {"type": "record", "name": "P", "fields": [{"name": "x", "type": "int"}]}]"#;
        assert_eq!(registry(named), "f STRUCT<`int` INTEGER, `P` STRUCT<`x` INTEGER>>");
        let map_entry = r#"{"type": "array", "items": {"type": "record", "name": "MapEntry", "namespace": "io.confluent.connect.avro", "fields": [{"name": "key", "type": "int"}, {"name": "value", "type": "string"}]}}"#;
        assert_eq!(registry(map_entry), "f MAP<STRING, STRING>");
        let by_full_name = r#"{"type": "record", "name": "n.R", "fields": [{"name": "p", "type": {"type": "record", "name": "P", "fields": [{"name": "x", "type": "int"}]}}, {"name": "q", "type": "n.P"}]}"#;
        assert_eq!(
            registry_type(by_full_name).unwrap().to_string(),
            "STRUCT<`p` STRUCT<`x` INTEGER>, `q` STRUCT<`x` INTEGER>>"
        );
        let recursive = r#"{"type": "record", "name": "L", "fields": [{"name": "v", "type": "long"}, {"name": "next", "type": ["null", "L"]}]}"#;
        assert_eq!(registry_type(recursive).unwrap().to_string(), "STRUCT<`v` BIGINT>");
    }

    #[test]
    fn registry_decimals_read_the_raw_attributes_as_avro_data_does() {
        let decimal =
            |attributes: &str| registry(&format!(r#"{{"type": "bytes", "logicalType": "decimal"{attributes}}}"#));
        assert_eq!(decimal(r#", "scale": 2"#), "f DECIMAL(64, 2)");
        assert_eq!(decimal(""), "f DECIMAL(64, 0)");
        assert_eq!(decimal(r#", "precision": 100, "scale": 2"#), "f DECIMAL(100, 2)");
        assert_eq!(decimal(r#", "precision": 4, "scale": 5"#), r#"Err("the decimal precision 4 and scale 5")"#);
        assert_eq!(decimal(r#", "precision": "4""#), r#"Err("the decimal precision \"4\" and scale 0")"#);
        assert_eq!(registry(r#"{"type": "bytes", "logicalType": "Decimal", "precision": 4}"#), "f DECIMAL(4, 0)");
        let fixed =
            r#"{"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 10, "scale": 2}"#;
        assert_eq!(registry(fixed), r#"Err("the fixed decimal `n.D`")"#);
        let named_decimal = r#"{"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 10, "scale": 2, "connect.name": "org.apache.kafka.connect.data.Decimal"}"#;
        assert_eq!(registry(named_decimal), "f DECIMAL(10, 2)");
    }

    #[test]
    fn registry_subjects_the_registry_refuses_are_errors() {
        assert_eq!(registry_type(r#"{"type": {"type": "int"}}"#).unwrap_err(), "`type` is an object, not a type name");
        assert_eq!(
            registry_type(r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "n.P"}]}"#).unwrap_err(),
            "unknown type `n.P`"
        );
        assert!(registry_type("{").unwrap_err().starts_with("not JSON"));
        let bad_default =
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": "x"}]}"#;
        assert_eq!(registry_type(bad_default).unwrap().to_string(), "STRUCT<`a` INTEGER>");
        assert_eq!(registry_type(r#""int""#).unwrap(), SqlType::Int);
    }
}
