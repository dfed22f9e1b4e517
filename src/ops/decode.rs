//! A record's key or value decoded by the serde the project declares for it (docs/language.md, the
//! serde table), and, when the bytes cannot be that, what they look like instead.
//!
//! Registry formats (`avro`, `json-sr`, `protobuf`) carry the Confluent wire format: magic byte
//! 0, a 4-byte big-endian schema id, then the payload. The schema is read once per id from the
//! target's registry (`GET /schemas/ids/{id}`, with its references) and cached. Avro is decoded
//! with `apache-avro` and shown as JSON (unions unwrapped, bytes as `\u00XX` text as Avro's JSON
//! encoding writes them, decimals with their scale); `avro-raw` is decoded with the project's
//! own schema. `json-sr` shows the schema id and the JSON after the header; `protobuf` reads the
//! message indexes and decodes the message to protobuf's JSON mapping, as Confluent's console
//! consumer prints it (`ops::protobuf`). A mismatch is shown as raw bytes
//! (hex, and the text when it is printable) with what the bytes look like instead; `venice
//! doctor` turns that into the code of the matching static check.

use crate::deploy::registry::{Registered, Registry, SchemaAt};
use crate::model::Format;
use crate::ops::protobuf::ProtoSchema;
use apache_avro::Schema;
use apache_avro::types::Value as Avro;
use serde_json::{Value, json};
use std::collections::HashMap;

/// What a key or value should be: the declared format and, for `avro`/`avro-raw`, the
/// project's schema (parsed; `None` when it does not parse on its own).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect<'a> {
    pub(crate) format: Format,
    pub(crate) schema: Option<&'a Schema>,
}

/// What the bytes look like when they are not what was declared (or nothing was declared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Looks {
    /// The registry's framing with an id the registry has, of this format.
    Registry {
        format: Format,
        id: u32,
    },
    /// The registry's framing, but the registry has no schema with that id.
    UnknownId(u32),
    /// The registry's framing; the registry could not be asked about the id.
    Unverified(u32),
    /// Avro the project's schema decodes, without registry framing.
    AvroRaw,
    /// Registry-framed bytes whose payload is not what the registry's schema of `format`
    /// decodes: Avro that does not decode, a Protobuf message index out of range or a message
    /// that does not parse, JSON that is not JSON.
    BadPayload {
        format: Format,
        id: u32,
        error: String,
    },
    /// Avro written with a registry schema the declared schema cannot read (`venice doctor`).
    Unreadable {
        id: u32,
        reason: String,
    },
    ConnectJson,
    Json,
    Text,
    /// 4 bytes that are not text: a big-endian int, probably.
    Int,
    /// 8 bytes that are not text: a long or a double.
    Long,
    Binary,
}

impl Looks {
    /// What the bytes look like, as the end of "looks like ...".
    pub(crate) fn describe(&self) -> String {
        match self {
            Looks::Registry { format: Format::Avro, id } => format!("Avro with schema id {id}"),
            Looks::Registry { format: Format::JsonSr, id } => format!("JSON Schema-framed JSON with schema id {id}"),
            Looks::Registry { format, id } => format!("{} with schema id {id}", format_name(*format)),
            Looks::UnknownId(id) => format!("registry framing with schema id {id}, which the registry does not have"),
            Looks::Unverified(id) => format!("registry framing with schema id {id} (the registry could not be asked)"),
            Looks::AvroRaw => "Avro without registry framing (avro-raw)".into(),
            Looks::Unreadable { id, reason } => {
                format!("Avro with schema id {id}, which the declared schema cannot read: {reason}")
            }
            Looks::BadPayload { format, id, error } => {
                format!("registry framing with schema id {id}, but not {} it decodes: {error}", format_name(*format))
            }
            Looks::ConnectJson => "Connect JSON with an embedded schema (connect-json)".into(),
            Looks::Json => "JSON".into(),
            Looks::Text => "text".into(),
            Looks::Int => "4 bytes: an int?".into(),
            Looks::Long => "8 bytes: a long or a double?".into(),
            Looks::Binary => "binary data".into(),
        }
    }

    /// The serde that writes bytes like these, when it can be told.
    pub(crate) fn format(&self) -> Option<Format> {
        match self {
            Looks::Registry { format, .. } => Some(*format),
            Looks::Unreadable { .. } => Some(Format::Avro),
            Looks::BadPayload { .. } | Looks::UnknownId(_) | Looks::Unverified(_) => None,
            Looks::AvroRaw => Some(Format::AvroRaw),
            Looks::ConnectJson => Some(Format::ConnectJson),
            Looks::Json => Some(Format::Json),
            Looks::Text => Some(Format::String),
            Looks::Int => Some(Format::Int),
            Looks::Long => Some(Format::Long),
            Looks::Binary => Some(Format::Bytes),
        }
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Avro => "Avro",
        Format::Protobuf => "Protobuf",
        Format::JsonSr => "JSON Schema",
        other => other.as_str(),
    }
}

/// A decoded key or value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decoded {
    /// The value as JSON: a string, a number, an Avro record, or, for raw bytes,
    /// `{"hex": "...", "text": "..."}` (`text` only when the bytes are printable).
    pub(crate) json: Value,
    /// The registry schema id the bytes carry.
    pub(crate) schema_id: Option<u32>,
    /// A remark that is not a mismatch: `protobuf payload shown as raw bytes`, `not declared`.
    pub(crate) note: Option<String>,
    /// Set when the bytes are not what was declared.
    pub(crate) mismatch: Option<Looks>,
    /// Whether `json` is raw bytes (`{"hex", "text"}`) rather than a decoded value.
    pub(crate) raw: bool,
}

impl Decoded {
    fn shown(json: Value) -> Decoded {
        Decoded { json, schema_id: None, note: None, mismatch: None, raw: false }
    }

    fn bytes(bytes: &[u8]) -> Decoded {
        Decoded { raw: true, ..Decoded::shown(raw(bytes)) }
    }

    /// How the text output shows it: strings as they are (control characters escaped), the
    /// rest as compact JSON, raw bytes as hex and text.
    pub(crate) fn text(&self) -> String {
        match &self.json {
            Value::String(s) => escaped(s),
            Value::Object(o) if self.raw => {
                let hex = o["hex"].as_str().unwrap_or_default();
                match o.get("text").and_then(Value::as_str) {
                    Some(text) => format!("0x{hex} {:?}", text),
                    None => format!("0x{hex}"),
                }
            }
            other => other.to_string(),
        }
    }
}

/// `str::escape_debug`, without its per-character formatting in the common case (`venice tail`
/// spent a third of its time there on short text records): ASCII text is escaped byte by byte
/// into one buffer, as `escape_debug` escapes it; other text goes through `escape_debug` (its
/// rules for Unicode: printable, grapheme extenders).
fn escaped(s: &str) -> String {
    if !s.is_ascii() {
        return s.escape_debug().to_string();
    }
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for b in s.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0 => out.push_str("\\0"),
            0x20..0x7f => out.push(b as char),
            _ => out.extend(char::from(b).escape_debug()),
        }
    }
    out
}

/// Raw bytes as JSON: hex, and the text when every character is printable.
pub(crate) fn raw(bytes: &[u8]) -> Value {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        hex.push_str(&format!("{b:02x}"));
    }
    match printable(bytes) {
        Some(text) => json!({ "hex": hex, "text": text }),
        None => json!({ "hex": hex }),
    }
}

/// The text of bytes that are UTF-8 without control characters (tabs and newlines allowed).
fn printable(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let ok = text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
    (ok && !text.is_empty()).then_some(text)
}

/// A registry schema, parsed for decoding.
enum Parsed {
    Avro(Box<AvroSchema>),
    Protobuf(Box<ProtoSchema>),
    /// `JSON`: the JSON after the header is shown.
    Other(Format),
    /// A schema that could not be read or parsed: the reason.
    Broken(String),
}

/// An Avro writer schema with the named types of its references, kept for the whole run.
pub(crate) struct AvroSchema {
    /// The schema's text and the texts of the schemas it refers to, as the registry has them.
    pub(crate) text: String,
    pub(crate) references: Vec<String>,
    reader: apache_avro::reader::datum::GenericDatumReader<'static>,
    schema: &'static Schema,
    names: HashMap<apache_avro::schema::Name, &'static Schema>,
}

impl AvroSchema {
    /// Parses a schema and the schemas it refers to. They are leaked on purpose: a decoder
    /// borrows them, and a run reads a handful of schemas that live until it exits.
    pub(crate) fn parse(schema_text: &str, references: &[String]) -> Result<AvroSchema, String> {
        let (schema, named) = if references.is_empty() {
            (Schema::parse_str(schema_text).map_err(|e| e.to_string())?, Vec::new())
        } else {
            Schema::parse_str_with_list(schema_text, references).map_err(|e| e.to_string())?
        };
        let schema: &'static Schema = Box::leak(Box::new(schema));
        let named: &'static [Schema] = Box::leak(named.into_boxed_slice());
        let mut all: Vec<&'static Schema> = named.iter().collect();
        all.push(schema);
        let resolved = apache_avro::schema::ResolvedSchema::try_from(all.clone()).map_err(|e| e.to_string())?;
        let names = resolved.get_names().iter().map(|(k, v)| (k.clone(), *v)).collect();
        let builder = apache_avro::reader::datum::GenericDatumReader::builder(schema);
        let reader = builder.writer_schemata(named.iter().collect()).and_then(|b| b.build());
        let reader = reader.map_err(|e| e.to_string())?;
        Ok(AvroSchema { text: schema_text.to_string(), references: references.to_vec(), reader, schema, names })
    }

    /// Decodes one datum, which must use every byte.
    pub(crate) fn decode(&self, bytes: &[u8]) -> Result<Value, String> {
        let mut rest = bytes;
        let value = self.reader.read_value(&mut rest).map_err(|e| e.to_string())?;
        if !rest.is_empty() {
            return Err(format!("{} bytes left after the record", rest.len()));
        }
        avro_json(&value, Some(self.schema), &self.names)
    }
}

/// Avro's value as JSON. The schema goes along for what the value alone does not say (a
/// decimal's scale); unions are shown by their value. apache-avro 0.22 decodes a string or
/// bytes cut off by the end of the input as `null` instead of failing (`decode.rs`,
/// `UnexpectedEof => Ok(Value::Null)`): a null where the schema has no null is that, an error.
fn avro_json(
    value: &Avro,
    schema: Option<&Schema>,
    names: &HashMap<apache_avro::schema::Name, &Schema>,
) -> Result<Value, String> {
    let schema = match schema {
        Some(Schema::Ref { name }) => names.get(name).copied(),
        other => other,
    };
    Ok(match value {
        Avro::Null if schema.is_some_and(|s| !matches!(s, Schema::Null)) => {
            return Err("the datum ends early".into());
        }
        Avro::Null => Value::Null,
        Avro::Boolean(b) => json!(b),
        Avro::Int(n) | Avro::Date(n) | Avro::TimeMillis(n) => json!(n),
        Avro::Long(n)
        | Avro::TimeMicros(n)
        | Avro::TimestampMillis(n)
        | Avro::TimestampMicros(n)
        | Avro::TimestampNanos(n)
        | Avro::LocalTimestampMillis(n)
        | Avro::LocalTimestampMicros(n)
        | Avro::LocalTimestampNanos(n) => json!(n),
        Avro::Float(f) => number(f64::from(*f)),
        Avro::Double(f) => number(*f),
        Avro::Bytes(b) | Avro::Fixed(_, b) => Value::String(b.iter().map(|&c| char::from(c)).collect()),
        Avro::String(s) => json!(s),
        Avro::Enum(_, symbol) => json!(symbol),
        Avro::Uuid(u) => json!(u.to_string()),
        Avro::Union(i, inner) => {
            let variant = match schema {
                Some(Schema::Union(u)) => u.variants().get(*i as usize),
                _ => None,
            };
            avro_json(inner, variant, names)?
        }
        Avro::Array(items) => {
            let item = match schema {
                Some(Schema::Array(a)) => Some(&*a.items),
                _ => None,
            };
            Value::Array(items.iter().map(|v| avro_json(v, item, names)).collect::<Result<_, _>>()?)
        }
        Avro::Map(map) => {
            let item = match schema {
                Some(Schema::Map(m)) => Some(&*m.types),
                _ => None,
            };
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries = entries.into_iter().map(|(k, v)| Ok((k.clone(), avro_json(v, item, names)?)));
            Value::Object(entries.collect::<Result<_, String>>()?)
        }
        Avro::Record(fields) => {
            let schemas = match schema {
                Some(Schema::Record(r)) => Some(&r.fields),
                _ => None,
            };
            let object = fields.iter().enumerate().map(|(i, (name, v))| {
                let field = schemas.and_then(|f| f.get(i)).filter(|f| f.name == *name).map(|f| &f.schema);
                Ok((name.clone(), avro_json(v, field, names)?))
            });
            Value::Object(object.collect::<Result<_, String>>()?)
        }
        Avro::Decimal(d) => {
            let scale = match schema {
                Some(Schema::Decimal(d)) => d.scale,
                _ => 0,
            };
            match <Vec<u8>>::try_from(d) {
                Ok(bytes) if bytes.len() <= 16 => {
                    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
                    let mut n: i128 = if negative { -1 } else { 0 };
                    for b in &bytes {
                        n = (n << 8) | i128::from(*b);
                    }
                    json!(scaled(n, scale))
                }
                Ok(bytes) => raw(&bytes),
                Err(e) => json!(e.to_string()),
            }
        }
        Avro::BigDecimal(d) => json!(d.to_string()),
        Avro::Duration(d) => {
            json!({"months": u32::from(d.months()), "days": u32::from(d.days()), "millis": u32::from(d.millis())})
        }
    })
}

/// An unscaled decimal with its scale, as text (`-12.30`), so no precision is lost.
fn scaled(n: i128, scale: usize) -> String {
    let digits = n.unsigned_abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = digits.split_at(digits.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// A JSON number, or a string for NaN and the infinities, which JSON has no number for.
fn number(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| json!(f.to_string()), Value::Number)
}

/// Looks schemas up by id (cached, misses too) and decodes keys and values.
pub(crate) struct Decoder {
    registry: Option<Registry>,
    schemas: HashMap<u32, Parsed>,
    /// The first registry failure (unreachable, refused), reported once by the caller.
    pub(crate) registry_error: Option<String>,
}

impl Decoder {
    pub(crate) fn new(registry: Option<Registry>) -> Decoder {
        // A garbled length in a datum must not make apache-avro allocate its default 512 MiB:
        // no key or value Kafka serves by default is larger than a fetch (the first call wins).
        apache_avro::util::max_allocation_bytes(crate::deploy::kafka::FETCH_MAX_BYTES as usize);
        Decoder { registry, schemas: HashMap::new(), registry_error: None }
    }

    #[cfg(test)]
    /// A decoder that knows these schemas by id and asks no registry (tests, and `doctor`'s
    /// samples after a first look-up).
    pub(crate) fn with_schemas(schemas: impl IntoIterator<Item = (u32, Registered)>) -> Decoder {
        let mut decoder = Decoder::new(None);
        for (id, registered) in schemas {
            let parsed = parse_registered(&registered, &[]);
            decoder.schemas.insert(id, parsed);
        }
        decoder
    }

    fn lookup(&mut self, id: u32) -> Option<&Parsed> {
        if !self.schemas.contains_key(&id) {
            let parsed = match &self.registry {
                None => return None,
                Some(registry) => match fetch(registry, id) {
                    Ok(Some(parsed)) => parsed,
                    Ok(None) => {
                        self.schemas.insert(id, Parsed::Broken("not in the registry".into()));
                        return None;
                    }
                    Err(e) => {
                        // Not cached: a registry that is down now may answer later.
                        self.registry_error.get_or_insert(e);
                        return None;
                    }
                },
            };
            self.schemas.insert(id, parsed);
        }
        match self.schemas.get(&id) {
            Some(Parsed::Broken(reason)) if reason == "not in the registry" => None,
            other => other,
        }
    }

    /// The Avro schema registered under `id`, once a record has made the decoder read it.
    pub(crate) fn avro_schema(&self, id: u32) -> Option<&AvroSchema> {
        match self.schemas.get(&id) {
            Some(Parsed::Avro(schema)) => Some(schema),
            _ => None,
        }
    }

    /// The registry framing of `bytes`, when it has the shape: the schema id.
    fn framed(bytes: &[u8]) -> Option<u32> {
        (bytes.len() >= 5 && bytes[0] == 0).then(|| u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]))
    }

    /// Decodes bytes as `expect` says; `None` expected means the topic is not declared: the
    /// bytes are shown by what they look like.
    pub(crate) fn decode(&mut self, bytes: Option<&[u8]>, expect: Option<Expect>) -> Decoded {
        let Some(bytes) = bytes else { return Decoded::shown(Value::Null) };
        let Some(expect) = expect else {
            let looks = self.looks(bytes, None);
            let mut decoded = self.show_as(bytes, &looks);
            decoded.note = Some(format!("not declared; looks like {}", looks.describe()));
            return decoded;
        };
        let mismatch = |this: &mut Decoder, hint: Option<&Schema>| {
            let looks = this.looks(bytes, hint);
            Decoded { schema_id: Decoder::framed(bytes), mismatch: Some(looks), ..Decoded::bytes(bytes) }
        };
        // Text formats: a registry-framed record with an id the registry knows is no text.
        let registry_framed = |this: &mut Decoder| Decoder::framed(bytes).is_some_and(|id| this.lookup(id).is_some());
        match expect.format {
            Format::Bytes => Decoded::bytes(bytes),
            Format::None => mismatch(self, expect.schema),
            Format::String | Format::Delimited => match std::str::from_utf8(bytes) {
                Ok(text) if !registry_framed(self) => Decoded::shown(json!(text)),
                _ => mismatch(self, expect.schema),
            },
            Format::Int if bytes.len() == 4 => {
                Decoded::shown(json!(i32::from_be_bytes(bytes.try_into().expect("four bytes"))))
            }
            Format::Long if bytes.len() == 8 => {
                Decoded::shown(json!(i64::from_be_bytes(bytes.try_into().expect("eight bytes"))))
            }
            Format::Double if bytes.len() == 8 => {
                Decoded::shown(number(f64::from_be_bytes(bytes.try_into().expect("eight bytes"))))
            }
            Format::Int | Format::Long | Format::Double => mismatch(self, expect.schema),
            Format::Json | Format::ConnectJson => match serde_json::from_slice::<Value>(bytes) {
                Ok(value) if registry_framed(self) => {
                    let _ = value;
                    mismatch(self, expect.schema)
                }
                Ok(value) => {
                    let enveloped = is_connect_json(&value);
                    match (expect.format, enveloped) {
                        (Format::Json, false) => Decoded::shown(value),
                        (Format::ConnectJson, true) => Decoded::shown(value["payload"].clone()),
                        (Format::Json, true) => Decoded { mismatch: Some(Looks::ConnectJson), ..Decoded::bytes(bytes) },
                        _ => Decoded { mismatch: Some(Looks::Json), ..Decoded::bytes(bytes) },
                    }
                }
                Err(_) => mismatch(self, expect.schema),
            },
            Format::AvroRaw => match expect.schema.map(|s| raw_avro(s, bytes)) {
                Some(Ok(value)) => Decoded::shown(value),
                Some(Err(_)) => mismatch(self, expect.schema),
                None => Decoded {
                    note: Some("the project's schema cannot be read: shown as raw bytes".into()),
                    ..Decoded::bytes(bytes)
                },
            },
            Format::Avro | Format::JsonSr | Format::Protobuf => {
                let Some(id) = Decoder::framed(bytes) else { return mismatch(self, expect.schema) };
                let payload = &bytes[5..];
                let wanted = expect.format;
                let decoded = match self.lookup(id) {
                    None => return mismatch(self, expect.schema),
                    Some(Parsed::Avro(schema)) if wanted == Format::Avro => match schema.decode(payload) {
                        Ok(value) => Decoded::shown(value),
                        Err(_) => return mismatch(self, expect.schema),
                    },
                    Some(Parsed::Other(Format::JsonSr)) if wanted == Format::JsonSr => {
                        match serde_json::from_slice::<Value>(payload) {
                            Ok(value) => Decoded::shown(value),
                            Err(_) => return mismatch(self, expect.schema),
                        }
                    }
                    Some(Parsed::Protobuf(schema)) if wanted == Format::Protobuf => match schema.decode(payload) {
                        Ok(value) => Decoded::shown(value),
                        Err(_) => return mismatch(self, expect.schema),
                    },
                    Some(Parsed::Broken(reason)) => Decoded {
                        note: Some(format!("schema id {id} cannot be read ({reason}): shown as raw bytes")),
                        ..Decoded::bytes(bytes)
                    },
                    Some(_) => return mismatch(self, expect.schema),
                };
                Decoded { schema_id: Some(id), ..decoded }
            }
        }
    }

    /// What bytes look like, most telling first: registry framing, Avro the hint decodes,
    /// Connect JSON, JSON, text, an int or a long, else binary.
    pub(crate) fn looks(&mut self, bytes: &[u8], hint: Option<&Schema>) -> Looks {
        if let Some(id) = Decoder::framed(bytes) {
            match self.lookup(id) {
                Some(Parsed::Avro(schema)) => {
                    return match schema.decode(&bytes[5..]) {
                        Ok(_) => Looks::Registry { format: Format::Avro, id },
                        Err(error) => Looks::BadPayload { format: Format::Avro, id, error },
                    };
                }
                Some(Parsed::Protobuf(schema)) => {
                    return match schema.decode(&bytes[5..]) {
                        Ok(_) => Looks::Registry { format: Format::Protobuf, id },
                        Err(error) => Looks::BadPayload { format: Format::Protobuf, id, error },
                    };
                }
                Some(Parsed::Other(format)) => {
                    return match serde_json::from_slice::<Value>(&bytes[5..]) {
                        Ok(_) => Looks::Registry { format: *format, id },
                        Err(e) => Looks::BadPayload { format: *format, id, error: format!("not JSON: {e}") },
                    };
                }
                Some(Parsed::Broken(_)) => return Looks::Registry { format: Format::Avro, id },
                None => {}
            }
        }
        if let Some(schema) = hint
            && raw_avro(schema, bytes).is_ok()
        {
            return Looks::AvroRaw;
        }
        let starts_json = bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'{' | b'['));
        if starts_json && let Ok(value) = serde_json::from_slice::<Value>(bytes) {
            return if is_connect_json(&value) { Looks::ConnectJson } else { Looks::Json };
        }
        if printable(bytes).is_some() {
            return Looks::Text;
        }
        if let Some(id) = Decoder::framed(bytes)
            && self.registry.is_some()
        {
            return if self.schemas.contains_key(&id) { Looks::UnknownId(id) } else { Looks::Unverified(id) };
        }
        match bytes.len() {
            4 => Looks::Int,
            8 => Looks::Long,
            _ => Looks::Binary,
        }
    }

    /// Bytes of an undeclared topic shown as what they look like.
    fn show_as(&mut self, bytes: &[u8], looks: &Looks) -> Decoded {
        let format = match looks {
            Looks::Registry { format, .. } => *format,
            Looks::ConnectJson => Format::ConnectJson,
            Looks::Json => Format::Json,
            Looks::Text => Format::String,
            _ => return Decoded::bytes(bytes),
        };
        let mut decoded = self.decode(Some(bytes), Some(Expect { format, schema: None }));
        decoded.mismatch = None;
        decoded
    }
}

fn is_connect_json(value: &Value) -> bool {
    value.as_object().is_some_and(|o| o.len() == 2 && o.contains_key("schema") && o.contains_key("payload"))
}

/// Decodes an `avro-raw` datum with the project's schema; it must use every byte.
fn raw_avro(schema: &Schema, bytes: &[u8]) -> Result<Value, String> {
    let mut rest = bytes;
    let reader = apache_avro::reader::datum::GenericDatumReader::builder(schema).build();
    let value = reader.and_then(|r| r.read_value(&mut rest)).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!("{} bytes left after the record", rest.len()));
    }
    avro_json(&value, Some(schema), &HashMap::new())
}

/// Reads schema `id` and, for Avro, the schemas it refers to (transitively, at most 64).
fn fetch(registry: &Registry, id: u32) -> Result<Option<Parsed>, String> {
    let Some(registered) = registry.schema(&SchemaAt::Id(i64::from(id))).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let mut references = Vec::new();
    let mut queue = registered.references.clone();
    let mut seen = std::collections::BTreeSet::new();
    while let Some((subject, version)) = queue.pop() {
        if !seen.insert((subject.clone(), version)) || seen.len() > 64 {
            continue;
        }
        match registry.schema(&SchemaAt::Version(subject.clone(), version)).map_err(|e| e.to_string())? {
            Some(r) => {
                queue.extend(r.references.iter().cloned());
                references.push((subject, r.schema));
            }
            None => {
                return Ok(Some(Parsed::Broken(format!("its reference `{subject}` version {version} is missing"))));
            }
        }
    }
    // Referenced schemas first: each names types the later ones use.
    references.reverse();
    Ok(Some(parse_registered(&registered, &references)))
}

/// A registered schema parsed for decoding, with the schemas it refers to (each with its subject).
fn parse_registered(registered: &Registered, references: &[(String, String)]) -> Parsed {
    match registered.schema_type.as_str() {
        "AVRO" => {
            match AvroSchema::parse(&registered.schema, &references.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>())
            {
                Ok(schema) => Parsed::Avro(Box::new(schema)),
                Err(e) => Parsed::Broken(e),
            }
        }
        "JSON" => Parsed::Other(Format::JsonSr),
        "PROTOBUF" => match ProtoSchema::parse(&registered.schema, references) {
            Ok(schema) => Parsed::Protobuf(Box::new(schema)),
            Err(e) => Parsed::Broken(e),
        },
        other => Parsed::Broken(format!("schema type `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_as_escape_debug_escapes_it() {
        let ascii: String = (0u8..0x80).map(char::from).collect();
        for text in
            ["plain text, 42", "a\"b", "a'b", "back\\slash", "tab\tnew\nline\r", "é ü", "\u{7f}\0\u{1}", "", &ascii]
        {
            assert_eq!(escaped(text), text.escape_debug().to_string(), "{text:?}");
        }
    }

    const CUSTOMER: &str = r#"{"type":"record","name":"Customer","namespace":"shop","fields":[
        {"name":"id","type":"int"},{"name":"name","type":"string"},
        {"name":"email","type":["null","string"],"default":null},
        {"name":"balance","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
        {"name":"tags","type":{"type":"map","values":"long"}}]}"#;

    fn customer_bytes() -> Vec<u8> {
        let schema = Schema::parse_str(CUSTOMER).unwrap();
        let mut record = apache_avro::types::Record::new(&schema).unwrap();
        record.put("id", 7);
        record.put("name", "Ada");
        record.put("email", Avro::Union(1, Box::new(Avro::String("ada@example.com".into()))));
        record.put("balance", Avro::Decimal(apache_avro::Decimal::from(vec![0xfb, 0x2e]))); // -1234
        record.put("tags", Avro::Map([("b".to_string(), Avro::Long(2)), ("a".to_string(), Avro::Long(1))].into()));
        let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema).build().unwrap();
        writer.write_value_to_vec(record).unwrap()
    }

    fn framed(id: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0];
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    fn decoder() -> Decoder {
        let avro = Registered { schema: CUSTOMER.into(), schema_type: "AVRO".into(), references: vec![] };
        let json = Registered { schema: "{}".into(), schema_type: "JSON".into(), references: vec![] };
        let proto = Registered {
            schema: crate::ops::protobuf::tests::SCHEMA.into(),
            schema_type: "PROTOBUF".into(),
            references: vec![],
        };
        Decoder::with_schemas([(7, avro), (8, json), (9, proto)])
    }

    fn expect(format: Format) -> Option<Expect<'static>> {
        Some(Expect { format, schema: None })
    }

    #[test]
    fn avro_through_the_registry_decodes_to_json() {
        let decoded = decoder().decode(Some(&framed(7, &customer_bytes())), expect(Format::Avro));
        assert_eq!(decoded.mismatch, None);
        assert_eq!(decoded.schema_id, Some(7));
        assert_eq!(
            decoded.json.to_string(),
            r#"{"id":7,"name":"Ada","email":"ada@example.com","balance":"-12.34","tags":{"a":1,"b":2}}"#
        );
    }

    #[test]
    fn avro_raw_decodes_with_the_projects_schema() {
        let schema = Schema::parse_str(CUSTOMER).unwrap();
        let expect = Some(Expect { format: Format::AvroRaw, schema: Some(&schema) });
        let decoded = decoder().decode(Some(&customer_bytes()), expect);
        assert_eq!(decoded.mismatch, None);
        assert_eq!(decoded.json["name"], "Ada");
        // Registry framing on an avro-raw topic (V104 in doctor).
        let decoded = decoder().decode(Some(&framed(7, &customer_bytes())), expect);
        assert_eq!(decoded.mismatch, Some(Looks::Registry { format: Format::Avro, id: 7 }));
        // And the other way round: avro declared, no framing, bytes the declared schema reads.
        let expect = Some(Expect { format: Format::Avro, schema: Some(&schema) });
        let decoded = decoder().decode(Some(&customer_bytes()), expect);
        assert_eq!(decoded.mismatch, Some(Looks::AvroRaw));
        assert_eq!(decoded.mismatch.unwrap().describe(), "Avro without registry framing (avro-raw)");
    }

    #[test]
    fn primitive_serdes_decode_by_their_width() {
        let mut d = decoder();
        assert_eq!(d.decode(Some(b"order-1"), expect(Format::String)).json, json!("order-1"));
        assert_eq!(d.decode(Some(&42i32.to_be_bytes()), expect(Format::Int)).json, json!(42));
        assert_eq!(d.decode(Some(&(-5i64).to_be_bytes()), expect(Format::Long)).json, json!(-5));
        assert_eq!(d.decode(Some(&2.5f64.to_be_bytes()), expect(Format::Double)).json, json!(2.5));
        assert_eq!(d.decode(Some(&f64::NAN.to_be_bytes()), expect(Format::Double)).json, json!("NaN"));
        let bytes = d.decode(Some(&[0, 1, 0xff]), expect(Format::Bytes));
        assert_eq!((bytes.json.clone(), bytes.text()), (json!({"hex": "0001ff"}), "0x0001ff".to_string()));
        // A JSON document that happens to have a `hex` field is a value, not raw bytes.
        assert_eq!(d.decode(Some(br#"{"hex":"00"}"#), expect(Format::Json)).text(), r#"{"hex":"00"}"#);
        assert_eq!(d.decode(Some(b"a,b"), expect(Format::Delimited)).json, json!("a,b"));
        assert_eq!(d.decode(None, expect(Format::Int)), Decoded::shown(Value::Null));
        assert_eq!(d.decode(Some(br#"{"a":1}"#), expect(Format::Json)).json, json!({"a": 1}));
        let enveloped = br#"{"schema":{"type":"int32"},"payload":5}"#;
        let decoded = d.decode(Some(enveloped), expect(Format::ConnectJson));
        assert_eq!((decoded.json, decoded.mismatch), (json!(5), None));
    }

    #[test]
    fn registry_formats_show_their_schema_id() {
        let mut d = decoder();
        let decoded = d.decode(Some(&framed(8, br#"{"a":1}"#)), expect(Format::JsonSr));
        assert_eq!((decoded.json, decoded.schema_id, decoded.mismatch), (json!({"a": 1}), Some(8), None));
        // Message index [0] shortened to 0, then `Other { x: "x" }`.
        let decoded = d.decode(Some(&framed(9, &[0, 0x0a, 1, b'x'])), expect(Format::Protobuf));
        assert_eq!((decoded.json, decoded.schema_id, decoded.mismatch), (json!({"x": "x"}), Some(9), None));
        // [1, 0]: the message `Line` nested in the second top-level message.
        let mut line = crate::ops::protobuf::tests::indexes_bytes(&[1, 0]);
        line.extend_from_slice(&[0x10, 3]);
        let decoded = d.decode(Some(&framed(9, &line)), expect(Format::Protobuf));
        assert_eq!(decoded.json, json!({"sku": "", "qty": 3}));
    }

    #[test]
    fn bytes_that_do_not_match_the_declaration_are_flagged_with_what_they_look_like() {
        let mut d = decoder();
        let avro = framed(7, &customer_bytes());
        // An Avro key on a string topic (the string-key pitfall).
        let decoded = d.decode(Some(&avro), expect(Format::String));
        assert_eq!(decoded.mismatch.as_ref().unwrap().describe(), "Avro with schema id 7");
        assert_eq!(decoded.json["hex"].as_str().unwrap()[..10], *"0000000007");
        assert!(decoded.text().starts_with("0x0000000007"), "{}", decoded.text());
        // A value without the magic byte on an avro topic.
        let decoded = d.decode(Some(b"plain text"), expect(Format::Avro));
        assert_eq!(decoded.mismatch, Some(Looks::Text));
        assert_eq!(decoded.text(), r#"0x706c61696e2074657874 "plain text""#);
        // Invalid UTF-8 on a string topic.
        let decoded = d.decode(Some(&[0xc3, 0x28, 0x01]), expect(Format::String));
        assert_eq!(decoded.mismatch, Some(Looks::Binary));
        assert_eq!(decoded.text(), "0xc32801");
        // A 3-byte value on an int topic; 8 bytes on an int topic.
        assert_eq!(d.decode(Some(&[1, 2, 3]), expect(Format::Int)).mismatch, Some(Looks::Binary));
        assert_eq!(d.decode(Some(&[1; 8]), expect(Format::Int)).mismatch, Some(Looks::Long));
        assert_eq!(d.decode(Some(&[1; 4]), expect(Format::Long)).mismatch, Some(Looks::Int));
        // JSON where Connect JSON is declared, and the other way round.
        assert_eq!(d.decode(Some(br#"{"a":1}"#), expect(Format::ConnectJson)).mismatch, Some(Looks::Json));
        let enveloped = br#"{"schema":null,"payload":{"a":1}}"#;
        assert_eq!(d.decode(Some(enveloped), expect(Format::Json)).mismatch, Some(Looks::ConnectJson));
        // A key where none is declared.
        assert_eq!(d.decode(Some(b"k"), expect(Format::None)).mismatch, Some(Looks::Text));
        // JSON Schema framing where Avro is declared; an id the registry lacks; a payload that
        // is not what the schema says.
        let decoded = d.decode(Some(&framed(8, b"{}")), expect(Format::Avro));
        assert_eq!(decoded.mismatch, Some(Looks::Registry { format: Format::JsonSr, id: 8 }));
        let decoded = d.decode(Some(&framed(99, &[1, 2])), expect(Format::Avro));
        assert_eq!(decoded.mismatch, Some(Looks::Binary));
        let decoded = d.decode(Some(&framed(7, &[2])), expect(Format::Avro));
        assert!(matches!(decoded.mismatch, Some(Looks::BadPayload { format: Format::Avro, id: 7, .. })), "{decoded:?}");
        // Plain JSON where JSON Schema framing is declared; framed bytes that are not JSON.
        assert_eq!(d.decode(Some(br#"[1]"#), expect(Format::JsonSr)).mismatch, Some(Looks::Json));
        let decoded = d.decode(Some(&framed(8, b"{oops")), expect(Format::JsonSr));
        assert!(matches!(decoded.mismatch, Some(Looks::BadPayload { format: Format::JsonSr, id: 8, .. })));
        // Protobuf: a message index out of range; a payload that is not the message.
        let decoded =
            d.decode(Some(&framed(9, &crate::ops::protobuf::tests::indexes_bytes(&[7]))), expect(Format::Protobuf));
        let looks = decoded.mismatch.unwrap();
        assert_eq!(
            looks.describe(),
            "registry framing with schema id 9, but not Protobuf it decodes: message index [7] is not a message of the schema"
        );
        let decoded = d.decode(Some(&framed(9, &[0, 0x0a, 9])), expect(Format::Protobuf));
        assert!(matches!(decoded.mismatch, Some(Looks::BadPayload { format: Format::Protobuf, id: 9, .. })));
        // Protobuf framing where Avro is declared.
        let decoded = d.decode(Some(&framed(9, &[0, 0x0a, 1, b'x'])), expect(Format::Avro));
        assert_eq!(decoded.mismatch, Some(Looks::Registry { format: Format::Protobuf, id: 9 }));
    }

    #[test]
    fn undeclared_topics_are_shown_by_what_they_look_like() {
        let mut d = decoder();
        let decoded = d.decode(Some(&framed(7, &customer_bytes())), None);
        assert_eq!(decoded.json["name"], "Ada");
        assert_eq!(decoded.schema_id, Some(7));
        assert_eq!(decoded.note.as_deref(), Some("not declared; looks like Avro with schema id 7"));
        assert_eq!(d.decode(Some(b"hello"), None).json, json!("hello"));
        assert_eq!(d.decode(Some(&[0xff, 0]), None).json, json!({"hex": "ff00"}));
    }

    #[test]
    fn garbage_never_panics() {
        let mut d = decoder();
        let schema = Schema::parse_str(CUSTOMER).unwrap();
        let good = framed(7, &customer_bytes());
        for cut in 0..good.len() {
            for format in Format::ALL {
                let _ = d.decode(Some(&good[..cut]), Some(Expect { format, schema: Some(&schema) }));
            }
        }
        for i in 5..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0xff;
            let _ = d.decode(Some(&bad), expect(Format::Avro));
        }
    }

    #[test]
    fn a_string_cut_off_by_the_end_is_an_error_not_a_null() {
        let schema = Schema::parse_str(
            r#"{"type":"record","name":"V","fields":[{"name":"n","type":"int"},{"name":"s","type":"string"}]}"#,
        )
        .unwrap();
        // `{"customer":1}` read as that record: an int, then a 17-byte string with 12 left.
        assert_eq!(raw_avro(&schema, br#"{"customer":1}"#).unwrap_err(), "the datum ends early");
        let expect = Some(Expect { format: Format::Avro, schema: Some(&schema) });
        assert_eq!(decoder().decode(Some(br#"{"customer":1}"#), expect).mismatch, Some(Looks::Json));
    }

    #[test]
    fn a_schema_with_references_is_read_from_the_registry_once() {
        use crate::deploy::http::{Auth, Service, testing::serve};
        // As Apicurio registers Debezium's envelope: the row record is a subject of its own.
        let outer = r#"{"type":"record","name":"Envelope","namespace":"app","fields":[{"name":"after","type":["null","app.Value"]}]}"#;
        let inner = r#"{"type":"record","name":"Value","namespace":"app","fields":[{"name":"id","type":"int"}]}"#;
        let by_id =
            json!({"schema": outer, "references": [{"name": "app.Value", "subject": "app.Value", "version": 1}]});
        let version = json!({"subject": "app.Value", "version": 1, "id": 4, "schema": inner});
        let (url, server) = serve(vec![(200, by_id.to_string()), (200, version.to_string())]);
        let service = Service::new(
            "the schema registry",
            &format!("{url}/apis/ccompat/v7"),
            Auth::None,
            std::time::Duration::from_secs(5),
        );
        let mut decoder = Decoder::new(Some(Registry::new(service)));
        // after: union branch 1 (zigzag 2), id 21 (zigzag 42).
        let record = framed(5, &[2, 42]);
        for _ in 0..3 {
            let decoded = decoder.decode(Some(&record), expect(Format::Avro));
            assert_eq!((decoded.json, decoded.mismatch), (json!({"after": {"id": 21}}), None));
        }
        let requests = server.join().unwrap();
        assert!(requests[0].starts_with("GET /apis/ccompat/v7/schemas/ids/5 "), "{}", requests[0]);
        assert!(requests[1].starts_with("GET /apis/ccompat/v7/subjects/app.Value/versions/1 "), "{}", requests[1]);
        assert_eq!(decoder.registry_error, None);
    }

    #[test]
    fn a_registry_that_does_not_answer_is_said_not_taken_for_a_missing_id() {
        use crate::deploy::http::{Auth, Service};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("http://127.0.0.1:{port}");
        let service = Service::new("the schema registry", &url, Auth::None, std::time::Duration::from_secs(2));
        let mut decoder = Decoder::new(Some(Registry::new(service)));
        let decoded = decoder.decode(Some(&framed(7, &[2, 42])), expect(Format::Avro));
        assert_eq!(decoded.mismatch, Some(Looks::Unverified(7)));
        assert_eq!(
            decoded.mismatch.unwrap().describe(),
            "registry framing with schema id 7 (the registry could not be asked)"
        );
        assert_eq!(
            decoder.registry_error.as_deref(),
            Some(format!("the schema registry is not answering at {url} (connection refused)").as_str())
        );
    }

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(scaled(-1234, 2), "-12.34");
        assert_eq!(scaled(5, 3), "0.005");
        assert_eq!(scaled(120, 0), "120");
    }
}
