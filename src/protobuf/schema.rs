//! A Protobuf schema as the Schema Registry's diff reads it: each file as written (the shape of
//! wire's `ProtoFileElement`, which `ProtobufSchema` parses a registered schema into), not as a
//! compiler resolves it. Type names stay as the text spells them (`Status`, `.foo.Status`), maps
//! stay `map<K, V>` fields (no synthetic entry messages), and a label is the one written, if any:
//! the diff's rules depend on exactly these.

use std::sync::Arc;

/// Where an element is: its file (as the caller names it), 1-based line and character column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

/// A schema and the files it imports, as the registry holds a schema and its references.
#[derive(Debug, Clone)]
pub struct Schema {
    pub(crate) main: ProtoFile,
    /// The imported files, each once, in the order they were first imported.
    pub(crate) dependencies: Vec<Dependency>,
}

impl Schema {
    /// The main file's messages with their full names (`shop.Order`, `shop.Order.Line`): each
    /// message before those nested in it, in the order written, as the serializers' message
    /// indexes number them (`ProtobufSchema.toMessageIndexes`). The first is the one
    /// `ProtobufSchema` takes when no message is named (its `name()`).
    pub(crate) fn messages(&self) -> Vec<(String, &Message)> {
        fn walk<'s>(prefix: &str, types: &'s [TypeElement], out: &mut Vec<(String, &'s Message)>) {
            for ty in types {
                if let TypeElement::Message(message) = ty {
                    let name =
                        if prefix.is_empty() { message.name.clone() } else { format!("{prefix}.{}", message.name) };
                    out.push((name.clone(), message));
                    walk(&name, &message.nested, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.main.package, &self.main.types, &mut out);
        out
    }

    /// A message by full name, or the first when `name` is `None`.
    pub(crate) fn message(&self, name: Option<&str>) -> Option<(String, &Message)> {
        let messages = self.messages();
        match name {
            None => messages.into_iter().next(),
            Some(name) => messages.into_iter().find(|(full, _)| full == name.trim_start_matches('.')),
        }
    }
}

/// An imported file and the reference it was found through.
#[derive(Debug, Clone)]
pub(crate) struct Dependency {
    pub(crate) file: ProtoFile,
    /// The registry's `SchemaReference` (subject and version) of the file, when it has one; the
    /// files the registry supplies itself (well-known and Confluent types) have none.
    pub(crate) reference: Option<Reference>,
}

/// A schema reference: the subject and version an import resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub subject: String,
    pub version: String,
}

#[derive(Debug, Clone)]
pub(crate) struct ProtoFile {
    /// The package, empty when none is declared.
    pub(crate) package: String,
    /// The `package` statement, or the file's start.
    pub(crate) package_at: Option<Position>,
    pub(crate) types: Vec<TypeElement>,
}

#[derive(Debug, Clone)]
pub(crate) enum TypeElement {
    Message(Message),
    Enum(Enum),
}

impl TypeElement {
    pub(crate) fn name(&self) -> &str {
        match self {
            TypeElement::Message(m) => &m.name,
            TypeElement::Enum(e) => &e.name,
        }
    }

    pub(crate) fn nested(&self) -> &[TypeElement] {
        match self {
            TypeElement::Message(m) => &m.nested,
            TypeElement::Enum(_) => &[],
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) name: String,
    /// The fields outside any `oneof` (a proto3 `optional` field is here: its synthetic oneof
    /// is the compiler's, not the text's).
    pub(crate) fields: Vec<Field>,
    pub(crate) oneofs: Vec<Oneof>,
    pub(crate) nested: Vec<TypeElement>,
    pub(crate) at: Option<Position>,
}

#[derive(Debug, Clone)]
pub(crate) struct Oneof {
    pub(crate) name: String,
    pub(crate) fields: Vec<Field>,
    pub(crate) at: Option<Position>,
}

#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) number: i32,
    /// The label written before the type, if any (wire's `FieldElement.label`, null for a
    /// proto3 field without one, a oneof member or a map).
    pub(crate) label: Option<Label>,
    pub(crate) ty: FieldType,
    pub(crate) at: Option<Position>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    Optional,
    Required,
    Repeated,
}

/// A field's type as written (wire's `ProtoType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldType {
    /// A scalar, by its keyword (`int32`, `string`).
    Scalar(&'static str),
    /// A message or enum, by the name as written (`Status`, `.foo.Bar.Status`).
    Named(String),
    Map(Box<FieldType>, Box<FieldType>),
}

impl FieldType {
    /// The type's text, as `ProtoType.toString()` gives it (the key the diff resolves names by).
    pub(crate) fn text(&self) -> String {
        match self {
            FieldType::Scalar(name) => (*name).to_string(),
            FieldType::Named(name) => name.clone(),
            FieldType::Map(key, value) => format!("map<{}, {}>", key.text(), value.text()),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Enum {
    pub(crate) name: String,
    pub(crate) constants: Vec<EnumConstant>,
    pub(crate) at: Option<Position>,
}

#[derive(Debug, Clone)]
pub(crate) struct EnumConstant {
    pub(crate) name: String,
    pub(crate) number: i32,
    pub(crate) at: Option<Position>,
}
