//! `.proto` files to the [`Schema`] the diff reads.
//!
//! Each file is parsed by `protox_parse` (proto2 and proto3: packages, nested types, enums,
//! `oneof`, maps, `optional`, reserved ranges and names, options), which keeps every element's
//! place as `SourceCodeInfo` locations, and the whole set is compiled by `protox` so that a
//! schema the registry would refuse (a name that does not resolve, a number used twice) is
//! refused here too, at its place. Imports are read through the caller's loader (the files beside
//! the schema), except the files the registry supplies itself: the well-known types
//! `google/protobuf/*.proto` (protox's own copies) and Confluent's `confluent/meta.proto` and
//! `confluent/type/decimal.proto` (bundled under `include/`, see its ORIGIN.md).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use prost_types::field_descriptor_proto::{Label as DescriptorLabel, Type};
use prost_types::{DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto};
use protox::file::{File, FileResolver, GoogleFileResolver};

use super::schema::{
    Dependency, Enum, EnumConstant, Field, FieldType, Label, Message, Oneof, Position, ProtoFile, Reference, Schema,
    TypeElement,
};

/// Confluent's types, which `ProtobufSchema` resolves without a reference.
const BUNDLED: &[(&str, &str)] = &[
    ("confluent/meta.proto", include_str!("include/confluent/meta.proto")),
    ("confluent/type/decimal.proto", include_str!("include/confluent/type/decimal.proto")),
];

/// A file that could not be read, parsed or compiled: where, and the parser's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// An imported file as the loader found it.
pub struct Imported {
    /// The name to show for it (its path as the user would write it).
    pub shown: String,
    pub text: String,
    /// The reference it stands for, if the caller knows one.
    pub reference: Option<Reference>,
}

/// Finds an imported file by its import name (`other.proto`, `dir/other.proto`).
pub type Loader<'a> = &'a dyn Fn(&str) -> Option<Imported>;

/// One file of a schema while it is read.
struct Source {
    name: String,
    shown: Arc<str>,
    /// The text, for files read as text (protox's well-known files come as descriptors).
    text: Option<String>,
    descriptor: FileDescriptorProto,
    reference: Option<Reference>,
}

/// Parses the schema `text` (shown as `shown`, imported by others as `name`) and every file it
/// imports, transitively, then compiles them together.
pub fn parse(shown: &str, name: &str, text: &str, load: Loader<'_>) -> Result<Schema, Vec<Problem>> {
    let main = parsed(name, shown, text.to_string(), None).map_err(|p| vec![p])?;
    let files = with_imports(main, load)?;
    compile(&files, false)?;
    let mut files = files.iter();
    let main = proto_file(files.next().expect("the main file comes first"));
    let dependencies =
        files.map(|source| Dependency { file: proto_file(source), reference: source.reference.clone() }).collect();
    Ok(Schema { main, dependencies })
}

/// The schema `text` (imported by others as `name`) compiled with its imports into descriptors,
/// as the registry's `ProtobufSchema.toDescriptor` builds them: what ksqlDB's view of a schema
/// (`ProtobufData.toConnectSchema`) and the decoding of a framed record walk.
///
/// Confluent's options (`confluent.field_meta`, ...) resolve even where the schema does not import
/// `confluent/meta.proto`: the registry builds descriptors with its known dependencies at hand
/// (`ProtobufSchema.toDynamicSchema`), and ksqlDB's own tests register such schemas
/// (protobuf.json, "protobuf inference - partial schema"). The import is added on the `syntax`
/// line, so the places of the lines after it do not move.
pub(crate) fn descriptors(
    name: &str,
    text: &str,
    load: Loader<'_>,
) -> Result<prost_reflect::DescriptorPool, Vec<Problem>> {
    let text = with_meta_import(text);
    let main = parsed(name, name, text.into_owned(), None).map_err(|p| vec![p])?;
    let files = with_imports(main, load)?;
    Ok(compile(&files, true)?.descriptor_pool())
}

/// `text` importing `confluent/meta.proto` when it names a `confluent.` option without it.
fn with_meta_import(text: &str) -> std::borrow::Cow<'_, str> {
    const META: &str = "confluent/meta.proto";
    if !text.contains("(confluent.") || text.contains(META) {
        return text.into();
    }
    let at = text.find("syntax").and_then(|s| text[s..].find(';').map(|end| s + end + 1)).unwrap_or(0);
    format!("{} import \"{META}\";{}", &text[..at], &text[at..]).into()
}

fn parsed(name: &str, shown: &str, text: String, reference: Option<Reference>) -> Result<Source, Problem> {
    match protox_parse::parse(name, &text) {
        Ok(descriptor) => {
            Ok(Source { name: name.to_string(), shown: shown.into(), text: Some(text), descriptor, reference })
        }
        Err(error) => Err(problem(&error, shown, &text)),
    }
}

/// The main file, then each file it imports (transitively), each once.
fn with_imports(main: Source, load: Loader<'_>) -> Result<Vec<Source>, Vec<Problem>> {
    let mut files = vec![main];
    let mut seen: HashSet<String> = HashSet::from([files[0].name.clone()]);
    let mut problems = Vec::new();
    let mut next = 0;
    while next < files.len() {
        let imports = files[next].descriptor.dependency.clone();
        for (index, import) in imports.iter().enumerate() {
            if !seen.insert(import.clone()) {
                continue;
            }
            match open(import, load) {
                Some(Ok(source)) => files.push(source),
                Some(Err(problem)) => problems.push(problem),
                None => problems.push(missing_import(&files[next], index, import)),
            }
        }
        next += 1;
    }
    if problems.is_empty() { Ok(files) } else { Err(problems) }
}

/// An imported file: the registry's own files first, then the loader's.
fn open(name: &str, load: Loader<'_>) -> Option<Result<Source, Problem>> {
    if let Some((_, text)) = BUNDLED.iter().find(|(n, _)| *n == name) {
        return Some(parsed(name, name, (*text).to_string(), None));
    }
    if let Ok(file) = GoogleFileResolver::new().open_file(name) {
        let descriptor = file.file_descriptor_proto().clone();
        return Some(Ok(Source {
            name: name.to_string(),
            shown: name.into(),
            text: None,
            descriptor,
            reference: None,
        }));
    }
    let imported = load(name)?;
    Some(parsed(name, &imported.shown, imported.text, imported.reference))
}

fn missing_import(importer: &Source, index: usize, import: &str) -> Problem {
    let (line, column) = Locator::new(importer).line_col(&[3, index as i32]).unwrap_or((1, 1));
    Problem {
        file: importer.shown.to_string(),
        line,
        column,
        message: format!("imported file `{import}` was not found beside the schema"),
    }
}

/// The files as text, for protox's compiler; its well-known files it finds itself.
struct Texts(HashMap<String, String>);

impl FileResolver for Texts {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.get(name) {
            Some(text) => File::from_source(name, text),
            None => GoogleFileResolver::new().open_file(name),
        }
    }
}

/// Compiles the files together: names resolve, numbers are unique, types fit, as `protoc` (and
/// the registry, which builds each schema's descriptors) requires.
/// `source_info`: keep each element's place (`SourceCodeInfo`) in the descriptors.
fn compile(files: &[Source], source_info: bool) -> Result<protox::Compiler, Vec<Problem>> {
    let texts = files.iter().filter_map(|f| Some((f.name.clone(), f.text.clone()?))).collect();
    let mut compiler = protox::Compiler::with_file_resolver(Texts(texts));
    compiler.include_source_info(source_info);
    if let Err(error) = compiler.open_file(&files[0].name) {
        let file = error.file().and_then(|name| files.iter().find(|f| f.name == name)).unwrap_or(&files[0]);
        return Err(vec![problem(&error, &file.shown, file.text.as_deref().unwrap_or_default())]);
    }
    Ok(compiler)
}

/// A parser's or compiler's error at its first label, in `file` whose text is `text`.
fn problem(error: &dyn miette::Diagnostic, file: &str, text: &str) -> Problem {
    let offset = error.labels().and_then(|mut labels| labels.next()).map_or(0, |label| label.offset());
    let (line, column) = line_col(text, offset.min(text.len()));
    Problem { file: file.to_string(), line, column, message: error.to_string() }
}

/// The 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..text.floor_char_boundary(offset)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line as u32, before[line_start..].chars().count() as u32 + 1)
}

/// The places `SourceCodeInfo` records, by descriptor path.
struct Locator<'a> {
    file: Arc<str>,
    text: &'a str,
    /// Each located path's start: 0-based line and byte column.
    starts: HashMap<&'a [i32], (usize, usize)>,
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    fn new(source: &'a Source) -> Self {
        let text = source.text.as_deref().unwrap_or_default();
        let mut starts = HashMap::new();
        for location in source.descriptor.source_code_info.iter().flat_map(|info| &info.location) {
            if let [line, column, ..] = location.span[..] {
                starts.entry(&location.path[..]).or_insert((line as usize, column as usize));
            }
        }
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Locator { file: source.shown.clone(), text, starts, line_starts }
    }

    fn line_col(&self, path: &[i32]) -> Option<(u32, u32)> {
        let &(line, column) = self.starts.get(path)?;
        let start = *self.line_starts.get(line)?;
        Some(line_col(self.text, start + column))
    }

    fn at(&self, path: &[i32]) -> Option<Position> {
        let (line, column) = self.line_col(path)?;
        Some(Position { file: self.file.clone(), line, column })
    }
}

// Descriptor field numbers (descriptor.proto) that SourceCodeInfo paths are made of.
const FILE_PACKAGE: i32 = 2;
const FILE_MESSAGE: i32 = 4;
const FILE_ENUM: i32 = 5;
const MESSAGE_FIELD: i32 = 2;
const MESSAGE_NESTED: i32 = 3;
const MESSAGE_ENUM: i32 = 4;
const MESSAGE_ONEOF: i32 = 8;
const ENUM_VALUE: i32 = 2;

/// How a file's fields were written: proto2 writes `optional`, proto3 leaves it out.
struct Cx<'a> {
    locator: Locator<'a>,
    proto2: bool,
}

fn proto_file(source: &Source) -> ProtoFile {
    let d = &source.descriptor;
    let cx = Cx { locator: Locator::new(source), proto2: matches!(d.syntax(), "" | "proto2") };
    let mut types: Vec<TypeElement> = (d.message_type.iter().enumerate())
        .map(|(i, m)| TypeElement::Message(message(&cx, m, &mut vec![FILE_MESSAGE, i as i32])))
        .collect();
    types.extend(
        (d.enum_type.iter().enumerate()).map(|(i, e)| TypeElement::Enum(enumeration(&cx, e, &[FILE_ENUM, i as i32]))),
    );
    let package_at = cx.locator.at(&[FILE_PACKAGE]).or_else(|| cx.locator.at(&[]));
    ProtoFile { package: d.package().to_string(), package_at, types }
}

/// A message as written: map entries folded back into `map<K, V>` fields, synthetic oneofs
/// (proto3 `optional`) left out, and its nested messages before its nested enums (the message
/// indexes count messages only, so their order among themselves is what matters).
fn message(cx: &Cx<'_>, d: &DescriptorProto, path: &mut Vec<i32>) -> Message {
    let synthetic: HashSet<i32> =
        d.field.iter().filter(|f| f.proto3_optional()).filter_map(|f| f.oneof_index).collect();
    let mut oneofs: Vec<(i32, Oneof)> = (d.oneof_decl.iter().enumerate())
        .filter(|(k, _)| !synthetic.contains(&(*k as i32)))
        .map(|(k, o)| {
            let at = cx.locator.at(&[&path[..], &[MESSAGE_ONEOF, k as i32]].concat());
            (k as i32, Oneof { name: o.name().to_string(), fields: Vec::new(), at })
        })
        .collect();
    let mut fields = Vec::new();
    for (i, f) in d.field.iter().enumerate() {
        let field = field(cx, d, f, &[&path[..], &[MESSAGE_FIELD, i as i32]].concat());
        match oneofs.iter_mut().find(|(k, _)| Some(*k) == f.oneof_index) {
            Some((_, oneof)) => oneof.fields.push(Field { label: None, ..field }),
            None => fields.push(field),
        }
    }
    let mut nested = Vec::new();
    for (j, m) in d.nested_type.iter().enumerate() {
        if !is_map_entry(m) {
            path.extend([MESSAGE_NESTED, j as i32]);
            nested.push(TypeElement::Message(message(cx, m, path)));
            path.truncate(path.len() - 2);
        }
    }
    for (j, e) in d.enum_type.iter().enumerate() {
        nested.push(TypeElement::Enum(enumeration(cx, e, &[&path[..], &[MESSAGE_ENUM, j as i32]].concat())));
    }
    let oneofs = oneofs.into_iter().map(|(_, o)| o).collect();
    Message { name: d.name().to_string(), fields, oneofs, nested, at: cx.locator.at(path) }
}

fn is_map_entry(d: &DescriptorProto) -> bool {
    d.options.as_ref().is_some_and(|o| o.map_entry())
}

fn field(cx: &Cx<'_>, parent: &DescriptorProto, f: &FieldDescriptorProto, path: &[i32]) -> Field {
    let entry = map_entry(parent, f);
    let ty = match entry {
        Some(entry) => {
            let part = |number| {
                entry.field.iter().find(|f| f.number() == number).map_or(FieldType::Named(String::new()), plain_type)
            };
            FieldType::Map(Box::new(part(1)), Box::new(part(2)))
        }
        None => plain_type(f),
    };
    let label = match f.label() {
        _ if entry.is_some() => None,
        DescriptorLabel::Required => Some(Label::Required),
        DescriptorLabel::Repeated => Some(Label::Repeated),
        DescriptorLabel::Optional if cx.proto2 || f.proto3_optional() => Some(Label::Optional),
        DescriptorLabel::Optional => None,
    };
    Field { name: f.name().to_string(), number: f.number(), label, ty, at: cx.locator.at(path) }
}

/// The map entry a repeated field's type names among its message's nested types, if any.
fn map_entry<'d>(parent: &'d DescriptorProto, f: &FieldDescriptorProto) -> Option<&'d DescriptorProto> {
    if f.label() != DescriptorLabel::Repeated || f.type_name.is_none() {
        return None;
    }
    let simple = f.type_name().rsplit('.').next().unwrap_or_default();
    parent.nested_type.iter().find(|m| m.name() == simple && is_map_entry(m))
}

/// A field's type other than a map: a scalar by keyword, else the name as written.
fn plain_type(f: &FieldDescriptorProto) -> FieldType {
    match f.r#type.and_then(|t| Type::try_from(t).ok()).and_then(scalar_keyword) {
        Some(keyword) => FieldType::Scalar(keyword),
        None => FieldType::Named(f.type_name().to_string()),
    }
}

fn scalar_keyword(ty: Type) -> Option<&'static str> {
    Some(match ty {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
        Type::Group | Type::Message | Type::Enum => return None,
    })
}

fn enumeration(cx: &Cx<'_>, d: &EnumDescriptorProto, path: &[i32]) -> Enum {
    let constants = (d.value.iter().enumerate())
        .map(|(k, v)| EnumConstant {
            name: v.name().to_string(),
            number: v.number(),
            at: cx.locator.at(&[path, &[ENUM_VALUE, k as i32]].concat()),
        })
        .collect();
    Enum { name: d.name().to_string(), constants, at: cx.locator.at(path) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> Schema {
        parse("s.proto", "s.proto", text, &|_| None).expect("compiles")
    }

    fn message(schema: &Schema, index: usize) -> &Message {
        match &schema.main.types[index] {
            TypeElement::Message(m) => m,
            TypeElement::Enum(e) => panic!("an enum: {}", e.name),
        }
    }

    #[test]
    fn fields_keep_the_labels_and_types_the_text_writes() {
        let s = schema(
            "syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n  optional string b = 2;\n  repeated bytes c = 3;\n  \
             map<string, .M.N> d = 4;\n  oneof o { N e = 5; }\n  message N {}\n}\n",
        );
        let m = message(&s, 0);
        let shape: Vec<(&str, Option<Label>, String)> =
            m.fields.iter().map(|f| (f.name.as_str(), f.label, f.ty.text())).collect();
        assert_eq!(
            shape,
            [
                ("a", None, "int32".to_string()),
                ("b", Some(Label::Optional), "string".to_string()),
                ("c", Some(Label::Repeated), "bytes".to_string()),
                ("d", None, "map<string, .M.N>".to_string()),
            ]
        );
        // The proto3 `optional`'s synthetic oneof is not the text's; the map entry is folded.
        assert_eq!(m.oneofs.len(), 1);
        assert_eq!((m.oneofs[0].fields[0].label, m.oneofs[0].fields[0].ty.text()), (None, "N".to_string()));
        assert_eq!(m.nested.iter().map(TypeElement::name).collect::<Vec<_>>(), ["N"]);
    }

    #[test]
    fn proto2_writes_optional_and_required() {
        let s = schema("syntax = \"proto2\";\nmessage M { optional int32 a = 1; required string b = 2; }\n");
        let labels: Vec<_> = message(&s, 0).fields.iter().map(|f| f.label).collect();
        assert_eq!(labels, [Some(Label::Optional), Some(Label::Required)]);
    }

    #[test]
    fn every_element_has_its_line_and_column() {
        let s = schema(
            "syntax = \"proto3\";\npackage p;\n\nmessage M {\n  /* é */ string a = 1; int32 x = 2;\n}\nenum E { A = 0; }\n",
        );
        let m = message(&s, 0);
        let at = |p: &Option<Position>| p.as_ref().map(|p| (p.line, p.column));
        assert_eq!(at(&s.main.package_at), Some((2, 1)));
        assert_eq!(at(&m.at), Some((4, 1)));
        // Columns count characters, not bytes.
        assert_eq!((at(&m.fields[0].at), at(&m.fields[1].at)), (Some((5, 11)), Some((5, 25))));
        let TypeElement::Enum(e) = &s.main.types[1] else { panic!("an enum") };
        assert_eq!((at(&e.at), at(&e.constants[0].at)), (Some((7, 1)), Some((7, 10))));
    }

    #[test]
    fn the_registrys_own_files_need_no_loader() {
        let s = schema(
            "syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nimport \"confluent/type/decimal.proto\";\n\
             import \"confluent/meta.proto\";\nmessage M {\n  google.protobuf.Timestamp at = 1;\n  \
             confluent.type.Decimal d = 2 [(confluent.field_meta).doc = \"money\"];\n}\n",
        );
        let names: Vec<&str> = s.dependencies.iter().map(|d| d.file.package.as_str()).collect();
        assert!(names.contains(&"google.protobuf") && names.contains(&"confluent.type"), "{names:?}");
    }

    #[test]
    fn problems_say_where() {
        let problems = parse("s.proto", "s.proto", "syntax = \"proto3\";\nmessage M {\n  Nope n = 1;\n}\n", &|_| None)
            .expect_err("does not compile");
        assert_eq!((problems[0].file.as_str(), problems[0].line, problems[0].column), ("s.proto", 3, 3));
        let problems = parse("s.proto", "s.proto", "syntax = \"proto3\";\nmessage M { int32 a = 1 }\n", &|_| None)
            .expect_err("does not parse");
        assert_eq!((problems[0].line, problems[0].column), (2, 25));
    }
}
