//! How Avro types look to the systems downstream: Kafka Connect and PostgreSQL (ksqlDB reads
//! them through Connect, in `ksql::from_avro`).
//!
//! Each mapping follows the code that does the conversion, read in its public source:
//!
//! - Avro → Kafka Connect: Confluent's `AvroData.toConnectSchema` (confluentinc/schema-registry,
//!   module `avro-data`), which the `AvroConverter` of Connect and ksqlDB use, with its default
//!   configuration (`connect.meta.data` on, `enhanced.avro.schema.support`,
//!   `generalized.sum.type.support` and `scrub.invalid.names` off).
//! - Avro → PostgreSQL: that Connect schema through the JDBC sink's
//!   `PostgreSqlDatabaseDialect.getSqlType` (confluentinc/kafka-connect-jdbc), the column types
//!   `auto.create` gives a table.
//!
//! Not verified against a running service: these are read from the source on GitHub's default
//! branches, not pinned to the versions Venice targets (ksqlDB 0.29, connector 10.x). Marked
//! "unverified" below: the exact names of the fields of a general union (read from
//! `AvroData.unionMemberFieldName`), arrays in PostgreSQL columns (only in JDBC sink versions
//! whose dialect maps `ARRAY`), and a `fixed` decimal through Connect (which `AvroData` rejects
//! with "Mismatched names" as the code reads).
//!
//! The other way, to Avro: ksqlDB SQL types as ksqlDB registers them in `ksql::to_avro`; Kafka
//! Connect schemas as an `AvroConverter` registers them in `connect::avro`; PostgreSQL columns as
//! Debezium captures them (to Connect, then Avro) in `connect::derive`.

use super::catalog::Catalog;
use super::schema::*;
use std::fmt;

/// Why a type cannot be mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unsupported {
    /// `null` on its own: Connect has no null type ("Standalone null schemas are not supported").
    StandaloneNull,
    /// A type that refers to itself; ksqlDB and the JDBC sink have no recursive types.
    Recursive { name: String },
    /// A part of the schema that could not be read or resolved (V201).
    Unknown,
    /// A `fixed` with a `decimal` logical type: `AvroData` names the Connect schema
    /// `org.apache.kafka.connect.data.Decimal`, then meets the fixed's own name and fails with
    /// "Mismatched names" (only a `connect.name` of the Decimal's name agrees with it).
    FixedDecimal { name: String },
    /// A decimal whose attributes are refused: a `precision` that is not a number (`AvroData`:
    /// "precision property must be a JSON Integer"), a negative `scale` (no Connect schema here
    /// holds one), or, for ksqlDB, a precision below 1 or below the scale
    /// (`SqlDecimal.validateParameters`). `precision` as written, or ksqlDB's default 64.
    InvalidDecimal { precision: String, scale: i64 },
    /// A map key type ksqlDB does not accept (only int, bigint, boolean and string keys).
    MapKey { key: String },
    /// Two branches of a union that become the same Connect field name.
    UnionFieldClash { field: String },
    /// A PostgreSQL column for a Connect type the JDBC sink has no column type for.
    NoColumnType { connect: String },
    /// Nested too deeply to follow.
    TooDeep,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::StandaloneNull => f.write_str("a `null` type on its own"),
            Unsupported::Recursive { name } => write!(f, "the recursive type `{name}`"),
            Unsupported::Unknown => f.write_str("a type that could not be read"),
            Unsupported::FixedDecimal { name } => write!(f, "the fixed decimal `{name}`"),
            Unsupported::InvalidDecimal { precision, scale } => {
                write!(f, "the decimal precision {precision} and scale {scale}")
            }
            Unsupported::MapKey { key } => write!(f, "a map with `{key}` keys"),
            Unsupported::UnionFieldClash { field } => write!(f, "a union with two branches named `{field}`"),
            Unsupported::NoColumnType { connect } => write!(f, "a Connect `{connect}`"),
            Unsupported::TooDeep => f.write_str("a type nested too deeply"),
        }
    }
}

/// How deep a type is followed (here and in `ksql::from_avro`).
pub(crate) const MAX_DEPTH: usize = 256;

// -------------------------------------------------------------------------------------------
// Kafka Connect
// -------------------------------------------------------------------------------------------

/// The logical names Connect gives its logical types.
pub(crate) const CONNECT_DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
pub(crate) const CONNECT_DATE: &str = "org.apache.kafka.connect.data.Date";
pub(crate) const CONNECT_TIME: &str = "org.apache.kafka.connect.data.Time";
pub(crate) const CONNECT_TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
/// The name `AvroData` gives the struct of a general union.
pub(crate) const CONNECT_UNION: &str = "io.confluent.connect.avro.Union";

/// A Kafka Connect schema, as `AvroData` builds it from an Avro type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectSchema {
    pub(crate) kind: ConnectKind,
    /// The schema's name: a logical type's (`org.apache.kafka.connect.data.Date`), or a record,
    /// enum or fixed's full name.
    pub(crate) name: Option<String>,
    pub(crate) optional: bool,
    /// `scale` of a decimal (Connect's only parameter that changes the data).
    pub(crate) scale: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectKind {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array(Box<ConnectSchema>),
    Map(Box<ConnectSchema>, Box<ConnectSchema>),
    Struct(Vec<(String, ConnectSchema)>),
    /// A use of an enclosing struct (a recursive Avro record; `AvroData` builds a cycle).
    Cycle(String),
}

impl ConnectKind {
    /// Connect's name of the type (`Schema.Type`).
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            ConnectKind::Int8 => "INT8",
            ConnectKind::Int16 => "INT16",
            ConnectKind::Int32 => "INT32",
            ConnectKind::Int64 => "INT64",
            ConnectKind::Float32 => "FLOAT32",
            ConnectKind::Float64 => "FLOAT64",
            ConnectKind::Boolean => "BOOLEAN",
            ConnectKind::String => "STRING",
            ConnectKind::Bytes => "BYTES",
            ConnectKind::Array(_) => "ARRAY",
            ConnectKind::Map(..) => "MAP",
            ConnectKind::Struct(_) | ConnectKind::Cycle(_) => "STRUCT",
        }
    }
}

impl ConnectSchema {
    fn new(kind: ConnectKind) -> Self {
        ConnectSchema { kind, name: None, optional: false, scale: None }
    }

    fn named(kind: ConnectKind, name: &str) -> Self {
        ConnectSchema { kind, name: Some(name.to_string()), optional: false, scale: None }
    }
}

/// The Connect schema `AvroData` makes of an Avro type.
///
/// - `boolean` BOOLEAN; `int` INT32 (`date` Date, `time-millis` Time; a `connect.type` of
///   `int8`/`int16` INT8/INT16); `long` INT64 (`timestamp-millis` Timestamp; the micro, nano and
///   local timestamps and `time-micros` stay INT64); `float` FLOAT32; `double` FLOAT64; `string`
///   STRING (`uuid` too); `bytes` BYTES (a `decimal` Decimal with its scale, read from the
///   raw attributes, as `raw_decimal` says); `fixed` BYTES named after it (a `decimal` fails,
///   unless its `connect.name` is the Decimal's).
/// - `enum` STRING named after it; `array` ARRAY (an array of
///   `io.confluent.connect.avro.MapEntry` key/value records is a MAP); `map` MAP with STRING
///   keys; `record` STRUCT named after it, a recursive use a [`ConnectKind::Cycle`].
/// - A union of `null` and one type: that type, optional. Any other union: a STRUCT named
///   `io.confluent.connect.avro.Union` with one optional field per branch, named after the
///   branch (a named type's simple name, otherwise the type's name: `int`, `string`, `array`),
///   optional if the union holds `null`.
pub(crate) fn connect_schema(catalog: &Catalog, ty: &Type) -> Result<ConnectSchema, Unsupported> {
    Connect { arena: catalog.arena(), open: Vec::new() }.schema(ty, 0)
}

struct Connect<'a> {
    arena: &'a [NamedType],
    /// Records being converted, to spot a recursive use.
    open: Vec<NamedId>,
}

impl Connect<'_> {
    fn schema(&mut self, ty: &Type, depth: usize) -> Result<ConnectSchema, Unsupported> {
        if depth > MAX_DEPTH {
            return Err(Unsupported::TooDeep);
        }
        match &ty.kind {
            TypeKind::Primitive(p) => primitive_connect(p),
            TypeKind::Array { items, .. } => {
                if let Some(id) = items.named()
                    && let Some((key, value)) = map_entry(&self.arena[id.index()])
                {
                    let key = self.schema(key, depth + 1)?;
                    let value = self.schema(value, depth + 1)?;
                    return Ok(ConnectSchema::new(ConnectKind::Map(Box::new(key), Box::new(value))));
                }
                Ok(ConnectSchema::new(ConnectKind::Array(Box::new(self.schema(items, depth + 1)?))))
            }
            TypeKind::Map { values, .. } => {
                let key = ConnectSchema::new(ConnectKind::String);
                Ok(ConnectSchema::new(ConnectKind::Map(Box::new(key), Box::new(self.schema(values, depth + 1)?))))
            }
            TypeKind::Union(branches) => self.union(branches, depth),
            TypeKind::Named(id) | TypeKind::Reference(id) => self.named(*id, depth),
            TypeKind::Unresolved { .. } | TypeKind::Invalid => Err(Unsupported::Unknown),
        }
    }

    fn union(&mut self, branches: &[Type], depth: usize) -> Result<ConnectSchema, Unsupported> {
        let is_null = |t: &Type| matches!(&t.kind, TypeKind::Primitive(p) if p.primitive == Primitive::Null);
        if branches.len() == 2
            && let Some(other) = branches.iter().find(|b| !is_null(b))
            && branches.iter().any(is_null)
        {
            let mut schema = self.schema(other, depth + 1)?;
            schema.optional = true;
            return Ok(schema);
        }
        let mut fields: Vec<(String, ConnectSchema)> = Vec::new();
        let mut optional = false;
        for branch in branches {
            if is_null(branch) {
                optional = true;
                continue;
            }
            let name = union_member_name(branch, self.arena);
            if fields.iter().any(|(n, _)| *n == name) {
                return Err(Unsupported::UnionFieldClash { field: name });
            }
            let mut schema = self.schema(branch, depth + 1)?;
            schema.optional = true;
            fields.push((name, schema));
        }
        let mut schema = ConnectSchema::named(ConnectKind::Struct(fields), CONNECT_UNION);
        schema.optional = optional;
        Ok(schema)
    }

    fn named(&mut self, id: NamedId, depth: usize) -> Result<ConnectSchema, Unsupported> {
        let named = &self.arena[id.index()];
        let fullname = named.fullname();
        match &named.kind {
            NamedKind::Enum { .. } => Ok(ConnectSchema::named(ConnectKind::String, &fullname)),
            NamedKind::Fixed { .. } => match raw_decimal(&named.props) {
                None => Ok(ConnectSchema::named(ConnectKind::Bytes, &fullname)),
                Some(decimal) if connect_name(&named.props) == Some(CONNECT_DECIMAL) => decimal_connect(decimal?),
                Some(_) => Err(Unsupported::FixedDecimal { name: fullname }),
            },
            NamedKind::Record { fields, .. } => {
                if self.open.contains(&id) {
                    return Ok(ConnectSchema::named(ConnectKind::Cycle(fullname.clone()), &fullname));
                }
                self.open.push(id);
                let mut out = Vec::new();
                for field in fields {
                    match self.schema(&field.ty, depth + 1) {
                        Ok(schema) => out.push((field.name.clone(), schema)),
                        Err(e) => {
                            self.open.pop();
                            return Err(e);
                        }
                    }
                }
                self.open.pop();
                Ok(ConnectSchema::named(ConnectKind::Struct(out), &fullname))
            }
        }
    }
}

fn primitive_connect(p: &PrimitiveType) -> Result<ConnectSchema, Unsupported> {
    let connect_type = p.props.iter().find(|(k, _)| k == "connect.type").and_then(|(_, v)| v.as_str());
    let schema = match (p.primitive, &p.logical) {
        (Primitive::Null, _) => return Err(Unsupported::StandaloneNull),
        (Primitive::Boolean, _) => ConnectSchema::new(ConnectKind::Boolean),
        (Primitive::Int, Some(LogicalType::Date)) => ConnectSchema::named(ConnectKind::Int32, CONNECT_DATE),
        (Primitive::Int, Some(LogicalType::TimeMillis)) => ConnectSchema::named(ConnectKind::Int32, CONNECT_TIME),
        (Primitive::Int, _) => match connect_type {
            Some("int8") => ConnectSchema::new(ConnectKind::Int8),
            Some("int16") => ConnectSchema::new(ConnectKind::Int16),
            _ => ConnectSchema::new(ConnectKind::Int32),
        },
        (Primitive::Long, Some(LogicalType::TimestampMillis)) => {
            ConnectSchema::named(ConnectKind::Int64, CONNECT_TIMESTAMP)
        }
        (Primitive::Long, _) => ConnectSchema::new(ConnectKind::Int64),
        (Primitive::Float, _) => ConnectSchema::new(ConnectKind::Float32),
        (Primitive::Double, _) => ConnectSchema::new(ConnectKind::Float64),
        (Primitive::String, _) => ConnectSchema::new(ConnectKind::String),
        (Primitive::Bytes, _) => match raw_decimal(&p.props) {
            Some(decimal) => return decimal_connect(decimal?),
            None => ConnectSchema::new(ConnectKind::Bytes),
        },
    };
    Ok(schema)
}

/// A decimal's attributes as `AvroData.toConnectSchema` reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawDecimal {
    /// `precision`, when written; `AvroData` keeps it as the `connect.decimal.precision`
    /// parameter unless it is its default, 64.
    pub(crate) precision: Option<i64>,
    /// `scale`, 0 when absent or not a number.
    pub(crate) scale: i64,
}

/// The decimal a `bytes` or `fixed` with these attributes is to `AvroData`, if any.
///
/// `AvroData` reads the raw attributes, not Avro's logical type: a `logicalType` of `decimal` in
/// any case makes a Connect Decimal, whatever Avro makes of it. Java Avro drops an invalid decimal
/// (`LogicalTypes.fromSchemaIgnoreInvalid`: no precision, a scale above it, a fixed too small)
/// and reads plain bytes, as the Avro model does ([`PrimitiveType::ignored_logical`]); the raw
/// attributes stay in the model's props, as in Java's, which is where `AvroData` finds them.
pub(crate) fn raw_decimal(props: &Props) -> Option<Result<RawDecimal, Unsupported>> {
    let prop = |key: &str| props.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    // A JSON number as Java's `Number.intValue()` reads it (a fraction truncated).
    let int = |v: &serde_json::Value| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64));
    let logical = prop("logicalType").and_then(|v| v.as_str())?;
    if !logical.eq_ignore_ascii_case("decimal") {
        return None;
    }
    let scale = prop("scale").and_then(int).unwrap_or(0);
    Some(match prop("precision") {
        None => Ok(RawDecimal { precision: None, scale }),
        Some(written) => match int(written) {
            Some(precision) => Ok(RawDecimal { precision: Some(precision), scale }),
            None => Err(Unsupported::InvalidDecimal { precision: written.to_string(), scale }),
        },
    })
}

/// The Connect Decimal of a decimal's attributes, with its scale.
fn decimal_connect(decimal: RawDecimal) -> Result<ConnectSchema, Unsupported> {
    let Ok(scale) = u32::try_from(decimal.scale) else {
        let precision = decimal.precision.map_or_else(|| "64".into(), |p| p.to_string());
        return Err(Unsupported::InvalidDecimal { precision, scale: decimal.scale });
    };
    let mut schema = ConnectSchema::named(ConnectKind::Bytes, CONNECT_DECIMAL);
    schema.scale = Some(scale);
    Ok(schema)
}

/// A `connect.name` attribute: `AvroData` names the Connect schema after it.
fn connect_name(props: &Props) -> Option<&str> {
    props.iter().find(|(k, _)| k == "connect.name").and_then(|(_, v)| v.as_str())
}

/// `AvroData`'s encoding of a map with non-string keys: an array of records
/// `io.confluent.connect.avro.MapEntry` with fields `key` and `value`.
pub(crate) fn map_entry(named: &NamedType) -> Option<(&Type, &Type)> {
    if named.fullname() != "io.confluent.connect.avro.MapEntry" {
        return None;
    }
    let fields = named.fields();
    match fields {
        [a, b] if a.name == "key" && b.name == "value" => Some((&a.ty, &b.ty)),
        [a, b] if a.name == "value" && b.name == "key" => Some((&b.ty, &a.ty)),
        _ => None,
    }
}

/// `AvroData.unionMemberFieldName` with the default configuration: a named type's simple name,
/// otherwise the Avro type's name.
pub(crate) fn union_member_name(ty: &Type, arena: &[NamedType]) -> String {
    match &ty.kind {
        TypeKind::Primitive(p) => p.primitive.name().to_string(),
        TypeKind::Array { .. } => "array".into(),
        TypeKind::Map { .. } => "map".into(),
        TypeKind::Union(_) => "union".into(),
        TypeKind::Named(id) | TypeKind::Reference(id) => arena[id.index()].name.name.clone(),
        TypeKind::Unresolved { name } => name.rsplit('.').next().unwrap_or(name).to_string(),
        TypeKind::Invalid => "invalid".into(),
    }
}

// -------------------------------------------------------------------------------------------
// PostgreSQL (JDBC sink)
// -------------------------------------------------------------------------------------------

#[cfg(test)]
/// A column the JDBC sink creates for a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PgColumn {
    pub(crate) name: String,
    pub(crate) sql_type: String,
    /// Optional in Connect (`["null", T]`): the column is created without `NOT NULL`.
    pub(crate) nullable: bool,
}

/// The PostgreSQL column type the JDBC sink gives a Connect schema (`getSqlType`): Decimal
/// `DECIMAL` (without precision or scale), Date `DATE`, Time `TIME`, Timestamp `TIMESTAMP`;
/// INT8 and INT16 `SMALLINT`, INT32 `INT`, INT64 `BIGINT`, FLOAT32 `REAL`, FLOAT64
/// `DOUBLE PRECISION`, BOOLEAN `BOOLEAN`, STRING `TEXT`, BYTES `BYTEA`, ARRAY the element's type
/// with `[]` (unverified: newer connector versions only). MAP and STRUCT have no column type.
pub(crate) fn postgres_type(connect: &ConnectSchema) -> Result<String, Unsupported> {
    match connect.name.as_deref() {
        Some(CONNECT_DECIMAL) => return Ok("DECIMAL".into()),
        Some(CONNECT_DATE) => return Ok("DATE".into()),
        Some(CONNECT_TIME) => return Ok("TIME".into()),
        Some(CONNECT_TIMESTAMP) => return Ok("TIMESTAMP".into()),
        _ => {}
    }
    Ok(match &connect.kind {
        ConnectKind::Int8 | ConnectKind::Int16 => "SMALLINT".into(),
        ConnectKind::Int32 => "INT".into(),
        ConnectKind::Int64 => "BIGINT".into(),
        ConnectKind::Float32 => "REAL".into(),
        ConnectKind::Float64 => "DOUBLE PRECISION".into(),
        ConnectKind::Boolean => "BOOLEAN".into(),
        ConnectKind::String => "TEXT".into(),
        ConnectKind::Bytes => "BYTEA".into(),
        ConnectKind::Array(item) => format!("{}[]", postgres_type(item)?),
        other => return Err(Unsupported::NoColumnType { connect: other.type_name().into() }),
    })
}

#[cfg(test)]
/// The columns the JDBC sink creates for a record value: one per top-level field, in order.
/// A field whose type has no column type is an error for the sink (it fails the task).
pub(crate) fn postgres_columns(catalog: &Catalog, ty: &Type) -> Result<Vec<PgColumn>, (String, Unsupported)> {
    let connect = connect_schema(catalog, ty).map_err(|e| (String::new(), e))?;
    let ConnectKind::Struct(fields) = &connect.kind else {
        return Err((String::new(), Unsupported::NoColumnType { connect: connect.kind.type_name().into() }));
    };
    fields
        .iter()
        .map(|(name, schema)| {
            let sql_type = postgres_type(schema).map_err(|e| (name.clone(), e))?;
            Ok(PgColumn { name: name.clone(), sql_type, nullable: schema.optional })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::parse;
    use super::*;

    fn connect(text: &str) -> Result<ConnectSchema, Unsupported> {
        let (catalog, d) = parse(text);
        assert!(d.is_empty(), "{d:#?}");
        connect_schema(&catalog, catalog.schema("s0").unwrap())
    }

    fn pg(ty: &str) -> Result<String, Unsupported> {
        let text = format!(r#"{{"type": "record", "name": "R", "fields": [{{"name": "f", "type": {ty}}}]}}"#);
        let (catalog, d) = parse(&text);
        assert!(d.is_empty(), "{d:#?}");
        postgres_columns(&catalog, catalog.schema("s0").unwrap()).map(|c| c[0].sql_type.clone()).map_err(|(_, e)| e)
    }

    #[test]
    fn connect_schemas_as_avro_data_builds_them() {
        let decimal = connect(r#"{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}"#).unwrap();
        assert_eq!(
            (decimal.kind, decimal.name.as_deref(), decimal.scale),
            (ConnectKind::Bytes, Some(CONNECT_DECIMAL), Some(2))
        );
        let date = connect(r#"{"type": "int", "logicalType": "date"}"#).unwrap();
        assert_eq!((date.kind, date.name.as_deref()), (ConnectKind::Int32, Some(CONNECT_DATE)));
        assert_eq!(connect(r#""float""#).unwrap().kind, ConnectKind::Float32);
        assert_eq!(connect(r#"{"type": "int", "connect.type": "int8"}"#).unwrap().kind, ConnectKind::Int8);
        let optional = connect(r#"["null", "string"]"#).unwrap();
        assert!(optional.optional);
        let union = connect(r#"["null", "int", "string"]"#).unwrap();
        assert_eq!(union.name.as_deref(), Some(CONNECT_UNION));
        assert!(union.optional);
        let ConnectKind::Struct(fields) = union.kind else { panic!() };
        assert_eq!(fields.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["int", "string"]);
        let e = connect(r#"{"type": "enum", "name": "E", "namespace": "n", "symbols": ["A"]}"#).unwrap();
        assert_eq!((e.kind, e.name.as_deref()), (ConnectKind::String, Some("n.E")));
        let record =
            connect(r#"{"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]}"#).unwrap();
        let ConnectKind::Struct(fields) = record.kind else { panic!() };
        assert_eq!(fields[0].1.kind, ConnectKind::Cycle("L".into()));
        assert_eq!(
            connect(r#"[{"type": "fixed", "name": "a.X", "size": 1}, {"type": "fixed", "name": "b.X", "size": 1}]"#),
            Err(Unsupported::UnionFieldClash { field: "X".into() })
        );
    }

    #[test]
    fn postgres_columns_as_the_jdbc_sink_creates_them() {
        let cases = [
            (r#""boolean""#, "BOOLEAN"),
            (r#""int""#, "INT"),
            (r#"{"type": "int", "connect.type": "int16"}"#, "SMALLINT"),
            (r#""long""#, "BIGINT"),
            (r#""float""#, "REAL"),
            (r#""double""#, "DOUBLE PRECISION"),
            (r#""string""#, "TEXT"),
            (r#""bytes""#, "BYTEA"),
            (r#"{"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}"#, "DECIMAL"),
            (r#"{"type": "int", "logicalType": "date"}"#, "DATE"),
            (r#"{"type": "int", "logicalType": "time-millis"}"#, "TIME"),
            (r#"{"type": "long", "logicalType": "timestamp-millis"}"#, "TIMESTAMP"),
            (r#"{"type": "long", "logicalType": "timestamp-micros"}"#, "BIGINT"),
            (r#"{"type": "enum", "name": "E", "symbols": ["A"]}"#, "TEXT"),
            (r#"{"type": "array", "items": "string"}"#, "TEXT[]"),
        ];
        for (ty, expected) in cases {
            assert_eq!(pg(ty).as_deref(), Ok(expected), "{ty}");
        }
        assert_eq!(pg(r#"{"type": "map", "values": "int"}"#), Err(Unsupported::NoColumnType { connect: "MAP".into() }));
        let (catalog, _) = parse(
            r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"]}]}"#,
        );
        let columns = postgres_columns(&catalog, catalog.schema("s0").unwrap()).unwrap();
        assert_eq!(
            columns,
            [
                PgColumn { name: "a".into(), sql_type: "INT".into(), nullable: false },
                PgColumn { name: "b".into(), sql_type: "TEXT".into(), nullable: true }
            ]
        );
    }
}
