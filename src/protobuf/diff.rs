//! The Schema Registry's Protobuf diff, `io.confluent.kafka.schemaregistry.protobuf.diff`:
//! `SchemaDiff.compare(original, update)` walks both schemas and lists each [`Difference`] with
//! its `Difference.Type` ([`Change`]) and its `#/`-path; `SchemaDiff.COMPATIBLE_CHANGES` says
//! which changes a BACKWARD check lets through (`ProtobufSchema.isBackwardCompatible`, in
//! `compat`). Each function below is the class method it is named after; the registry resolves
//! type names its own way (`Context.resolve`), and so does this.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::schema::{
    Enum, EnumConstant, Field, FieldType, Label, Message, Oneof, Position, ProtoFile, Reference, Schema, TypeElement,
};

/// `Difference.Type`: every change the diff reports, by the registry's own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Change {
    PackageChanged,
    MessageAdded,
    MessageRemoved,
    MessageMoved,
    EnumAdded,
    EnumRemoved,
    EnumConstAdded,
    EnumConstChanged,
    EnumConstRemoved,
    FieldAdded,
    FieldRemoved,
    FieldNameChanged,
    FieldKindChanged,
    FieldScalarKindChanged,
    FieldNamedTypeChanged,
    FieldNumericLabelChanged,
    FieldStringOrBytesLabelChanged,
    RequiredFieldAdded,
    RequiredFieldRemoved,
    OneofAdded,
    OneofRemoved,
    OneofFieldAdded,
    OneofFieldRemoved,
    OneofFieldMovedToTopLevel,
    MultipleFieldsMovedToOneof,
    FieldMovedToExistingOneof,
}

impl Change {
    /// The registry's name (`FIELD_NAMED_TYPE_CHANGED`).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::PackageChanged => "PACKAGE_CHANGED",
            Change::MessageAdded => "MESSAGE_ADDED",
            Change::MessageRemoved => "MESSAGE_REMOVED",
            Change::MessageMoved => "MESSAGE_MOVED",
            Change::EnumAdded => "ENUM_ADDED",
            Change::EnumRemoved => "ENUM_REMOVED",
            Change::EnumConstAdded => "ENUM_CONST_ADDED",
            Change::EnumConstChanged => "ENUM_CONST_CHANGED",
            Change::EnumConstRemoved => "ENUM_CONST_REMOVED",
            Change::FieldAdded => "FIELD_ADDED",
            Change::FieldRemoved => "FIELD_REMOVED",
            Change::FieldNameChanged => "FIELD_NAME_CHANGED",
            Change::FieldKindChanged => "FIELD_KIND_CHANGED",
            Change::FieldScalarKindChanged => "FIELD_SCALAR_KIND_CHANGED",
            Change::FieldNamedTypeChanged => "FIELD_NAMED_TYPE_CHANGED",
            Change::FieldNumericLabelChanged => "FIELD_NUMERIC_LABEL_CHANGED",
            Change::FieldStringOrBytesLabelChanged => "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
            Change::RequiredFieldAdded => "REQUIRED_FIELD_ADDED",
            Change::RequiredFieldRemoved => "REQUIRED_FIELD_REMOVED",
            Change::OneofAdded => "ONEOF_ADDED",
            Change::OneofRemoved => "ONEOF_REMOVED",
            Change::OneofFieldAdded => "ONEOF_FIELD_ADDED",
            Change::OneofFieldRemoved => "ONEOF_FIELD_REMOVED",
            Change::OneofFieldMovedToTopLevel => "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
            Change::MultipleFieldsMovedToOneof => "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
            Change::FieldMovedToExistingOneof => "FIELD_MOVED_TO_EXISTING_ONEOF",
        }
    }

    /// Whether `SchemaDiff.COMPATIBLE_CHANGES` holds the change. The list is the registry's at
    /// the commit its examples come from (794611bd): `ONEOF_FIELD_MOVED_TO_TOP_LEVEL` joined it
    /// with the per-tag `MessageSchemaDiff` ("a compatible relocation"), and `PACKAGE_CHANGED`,
    /// listed in some earlier versions, is not in it (a package change renames every message,
    /// and the registry's own examples record it as incompatible).
    pub fn is_compatible(self) -> bool {
        matches!(
            self,
            Change::MessageAdded
                | Change::MessageMoved
                | Change::EnumAdded
                | Change::EnumRemoved
                | Change::EnumConstAdded
                | Change::EnumConstChanged
                | Change::EnumConstRemoved
                | Change::FieldAdded
                | Change::FieldRemoved
                | Change::FieldNameChanged
                | Change::FieldStringOrBytesLabelChanged
                | Change::OneofAdded
                | Change::OneofRemoved
                | Change::OneofFieldAdded
                | Change::OneofFieldMovedToTopLevel
        )
    }
}

/// One change: its type, the registry's path (`#/TestMessage/2`), and where the element it is
/// about stands (in the update, or in the original when it was removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub change: Change,
    pub path: String,
    pub at: Option<Position>,
}

/// Where a type came from (`TypeElementInfo.reference()`): the schema itself (the registry's
/// dummy reference), a referenced subject-version, or a file the registry supplies (no reference).
#[derive(Debug, Clone, Copy)]
enum Origin<'a> {
    Local,
    Referenced(&'a Reference),
    Supplied,
}

impl Origin<'_> {
    /// Both local, or the same subject and version: `compareMessageTypes` need not look inside.
    fn same_version(self, other: Origin<'_>) -> bool {
        match (self, other) {
            (Origin::Local, Origin::Local) => true,
            (Origin::Referenced(a), Origin::Referenced(b)) => a == b,
            _ => false,
        }
    }
}

/// `Context.TypeElementInfo`.
struct TypeInfo<'a> {
    package: &'a str,
    origin: Origin<'a>,
    ty: &'a TypeElement,
}

/// Every type of each side by full name (`Context.collectTypeInfo`).
#[derive(Default)]
struct Types<'a> {
    original: HashMap<String, TypeInfo<'a>>,
    update: HashMap<String, TypeInfo<'a>>,
}

impl<'a> Types<'a> {
    fn side(&self, original: bool) -> &HashMap<String, TypeInfo<'a>> {
        if original { &self.original } else { &self.update }
    }

    /// The dependencies' types, then the schema's own (which win a clash, as they are put last).
    fn collect(&mut self, schema: &'a Schema, original: bool) {
        let map = if original { &mut self.original } else { &mut self.update };
        for dependency in &schema.dependencies {
            let origin = dependency.reference.as_ref().map_or(Origin::Supplied, Origin::Referenced);
            collect_file(map, &dependency.file, origin);
        }
        collect_file(map, &schema.main, Origin::Local);
    }
}

fn collect_file<'a>(map: &mut HashMap<String, TypeInfo<'a>>, file: &'a ProtoFile, origin: Origin<'a>) {
    let mut stack: Vec<(String, &'a TypeElement)> =
        file.types.iter().map(|t| (qualify(&file.package, t.name()), t)).collect();
    while let Some((name, ty)) = stack.pop() {
        stack.extend(ty.nested().iter().map(|n| (format!("{name}.{}", n.name()), n)));
        map.insert(name, TypeInfo { package: &file.package, origin, ty });
    }
}

fn qualify(package: &str, name: &str) -> String {
    if package.is_empty() { name.to_string() } else { format!("{package}.{name}") }
}

/// `SchemaDiff.compare(original, update)`: every difference, in the registry's walk order.
pub fn compare(original: &Schema, update: &Schema) -> Vec<Difference> {
    let mut types = Types::default();
    types.collect(original, true);
    types.collect(update, false);
    let mut ctx = Context::new(&types, &original.main.package, &update.main.package);
    if original.main.package != update.main.package {
        ctx.add(Change::PackageChanged, update.main.package_at.as_ref());
    }
    compare_type_elements(&mut ctx, &original.main.types, &update.main.types);
    ctx.diffs
}

/// `Context`: the path walked so far, the scope names resolve in, the messages being compared
/// (so that recursive types end), and the differences found.
struct Context<'t, 'a> {
    types: &'t Types<'a>,
    original_package: &'a str,
    update_package: &'a str,
    /// `fullPath`: the `#/` path of what is compared.
    path: Vec<String>,
    /// `fullName`: the message names of the path, the scope of relative type names.
    name: Vec<String>,
    /// `schemas`: the original messages being compared, by identity.
    schemas: Vec<*const Message>,
    diffs: Vec<Difference>,
}

impl<'t, 'a> Context<'t, 'a> {
    fn new(types: &'t Types<'a>, original_package: &'a str, update_package: &'a str) -> Self {
        Context {
            types,
            original_package,
            update_package,
            path: Vec::new(),
            name: Vec::new(),
            schemas: Vec::new(),
            diffs: Vec::new(),
        }
    }

    /// `getSubcontext`, then `setPackageName` for both sides and `setFullName`.
    fn subcontext(&self, original_package: &'a str, update_package: &'a str, full_name: &str) -> Self {
        let parts: Vec<String> = full_name.split('.').map(str::to_string).collect();
        Context {
            path: parts.clone(),
            name: parts,
            schemas: self.schemas.clone(),
            ..Context::new(self.types, original_package, update_package)
        }
    }

    fn add(&mut self, change: Change, at: Option<&Position>) {
        self.diffs.push(Difference { change, path: format!("#/{}", self.path.join("/")), at: at.cloned() });
    }

    /// `addDifference` inside `enterPath(step)`.
    fn add_at(&mut self, step: &str, change: Change, at: Option<&Position>) {
        self.path.push(step.to_string());
        self.add(change, at);
        self.path.pop();
    }

    fn is_compatible(&self) -> bool {
        self.diffs.iter().all(|d| d.change.is_compatible())
    }

    /// `Context.resolve`: a name with a leading dot is full; another is tried in the package and
    /// each enclosing message, innermost first, then on its own.
    fn resolve(&self, name: &str, original: bool) -> Option<String> {
        let map = self.types.side(original);
        if let Some(full) = name.strip_prefix('.') {
            return map.contains_key(full).then(|| full.to_string());
        }
        let package = if original { self.original_package } else { self.update_package };
        let mut prefix: Vec<&str> = package.split('.').filter(|p| !p.is_empty()).collect();
        prefix.extend(self.name.iter().map(String::as_str));
        while !prefix.is_empty() {
            let candidate = format!("{}.{name}", prefix.join("."));
            if map.contains_key(&candidate) {
                return Some(candidate);
            }
            prefix.pop();
        }
        map.contains_key(name).then(|| name.to_string())
    }

    /// `Context.getType`.
    fn get_type(&self, name: &str, original: bool) -> Option<&'t TypeInfo<'a>> {
        let full = self.resolve(name, original)?;
        self.types.side(original).get(&full)
    }

    fn is_enum(&self, name: &str, original: bool) -> bool {
        self.get_type(name, original).is_some_and(|t| matches!(t.ty, TypeElement::Enum(_)))
    }
}

/// The messages of a list by name with their index among the messages, and the enums by name
/// (`SchemaDiff.compareMessageElements`).
type Split<'a> = (BTreeMap<&'a str, (&'a Message, usize)>, BTreeMap<&'a str, &'a Enum>);

fn split(types: &[TypeElement]) -> Split<'_> {
    let (mut messages, mut enums) = (BTreeMap::new(), BTreeMap::new());
    for ty in types {
        match ty {
            TypeElement::Message(m) => {
                let index = messages.len();
                messages.insert(m.name.as_str(), (m, index));
            }
            TypeElement::Enum(e) => {
                enums.insert(e.name.as_str(), e);
            }
        }
    }
    (messages, enums)
}

/// `SchemaDiff.compareTypeElements`: messages and enums matched by name.
fn compare_type_elements<'a>(ctx: &mut Context<'_, 'a>, original: &'a [TypeElement], update: &'a [TypeElement]) {
    let (original_messages, original_enums) = split(original);
    let (update_messages, update_enums) = split(update);
    let names: BTreeSet<&str> = original_messages.keys().chain(update_messages.keys()).copied().collect();
    for name in names {
        enter_name(ctx, name);
        match (original_messages.get(name), update_messages.get(name)) {
            (Some((o, _)), None) if ctx.get_type(name, true).is_some() => {
                ctx.add(Change::MessageRemoved, o.at.as_ref())
            }
            (None, Some((u, _))) if ctx.get_type(name, false).is_some() => ctx.add(Change::MessageAdded, u.at.as_ref()),
            (Some((o, oi)), Some((u, ui))) => {
                compare_messages(ctx, o, u);
                // Moving a message is compatible: message indexes refer to the schema of their ID.
                if oi != ui {
                    ctx.add(Change::MessageMoved, u.at.as_ref());
                }
            }
            _ => {}
        }
        leave_name(ctx);
    }
    let names: BTreeSet<&str> = original_enums.keys().chain(update_enums.keys()).copied().collect();
    for name in names {
        enter_name(ctx, name);
        match (original_enums.get(name), update_enums.get(name)) {
            (Some(o), None) => ctx.add(Change::EnumRemoved, o.at.as_ref()),
            (None, Some(u)) => ctx.add(Change::EnumAdded, u.at.as_ref()),
            (Some(o), Some(u)) => compare_enums(ctx, o, u),
            (None, None) => {}
        }
        leave_name(ctx);
    }
}

/// `Context.enterName`: a step of the path that is also a scope.
fn enter_name(ctx: &mut Context<'_, '_>, name: &str) {
    ctx.path.push(name.to_string());
    ctx.name.push(name.to_string());
}

fn leave_name(ctx: &mut Context<'_, '_>) {
    ctx.path.pop();
    ctx.name.pop();
}

/// `EnumSchemaDiff.compare`: constants matched by number.
fn compare_enums(ctx: &mut Context<'_, '_>, original: &Enum, update: &Enum) {
    let (original, update) = (constants_by_number(original), constants_by_number(update));
    let numbers: BTreeSet<i32> = original.keys().chain(update.keys()).copied().collect();
    for number in numbers {
        let step = number.to_string();
        match (original.get(&number), update.get(&number)) {
            (Some(o), None) => ctx.add_at(&step, Change::EnumConstRemoved, o.at.as_ref()),
            (None, Some(u)) => ctx.add_at(&step, Change::EnumConstAdded, u.at.as_ref()),
            (Some(o), Some(u)) if o.name != u.name => ctx.add_at(&step, Change::EnumConstChanged, u.at.as_ref()),
            _ => {}
        }
    }
}

fn constants_by_number(e: &Enum) -> BTreeMap<i32, &EnumConstant> {
    e.constants.iter().map(|c| (c.number, c)).collect()
}

/// A message's fields by number (its own and its oneofs' alike), the oneof of each oneof member,
/// and its oneofs by name (`MessageSchemaDiff.collectFields`).
struct Members<'a> {
    by_number: BTreeMap<i32, &'a Field>,
    oneof_of: HashMap<i32, &'a str>,
    oneofs: BTreeMap<&'a str, &'a Oneof>,
}

impl<'a> Members<'a> {
    fn of(message: &'a Message) -> Self {
        let mut by_number: BTreeMap<i32, &Field> = message.fields.iter().map(|f| (f.number, f)).collect();
        let (mut oneof_of, mut oneofs) = (HashMap::new(), BTreeMap::new());
        for oneof in &message.oneofs {
            oneofs.insert(oneof.name.as_str(), oneof);
            for field in &oneof.fields {
                by_number.insert(field.number, field);
                oneof_of.insert(field.number, oneof.name.as_str());
            }
        }
        Members { by_number, oneof_of, oneofs }
    }
}

/// `MessageSchemaDiff.compare`: the fields by number across the whole message, whatever oneof
/// holds them, then the nested types. A message already being compared (a recursive type) has
/// only its nested types compared again.
fn compare_messages<'a>(ctx: &mut Context<'_, 'a>, original: &'a Message, update: &'a Message) {
    let identity: *const Message = original;
    let entered = !ctx.schemas.contains(&identity);
    if entered {
        ctx.schemas.push(identity);
        let (o, u) = (Members::of(original), Members::of(update));
        let deleted = completely_deleted_oneofs(&o, &u);
        newly_exclusive(ctx, &o, update);
        oneofs_added_or_removed(ctx, &o, &u);
        let numbers: BTreeSet<i32> = o.by_number.keys().chain(u.by_number.keys()).copied().collect();
        for number in numbers {
            compare_member(ctx, &o, &u, &deleted, number);
        }
    }
    compare_type_elements(ctx, &original.nested, &update.nested);
    if entered {
        ctx.schemas.pop();
    }
}

/// The original oneofs gone by name none of whose members is left anywhere: deleting a whole
/// oneof is compatible, so their members are not reported as removed.
fn completely_deleted_oneofs<'a>(original: &Members<'a>, update: &Members<'_>) -> HashSet<&'a str> {
    (original.oneofs.iter())
        .filter(|(name, oneof)| {
            !update.oneofs.contains_key(*name) && !oneof.fields.iter().any(|f| update.by_number.contains_key(&f.number))
        })
        .map(|(name, _)| *name)
        .collect()
}

/// Where an update oneof's members were: one original oneof, or each its own top-level field.
#[derive(PartialEq, Eq, Hash)]
enum Group<'a> {
    Oneof(&'a str),
    Field(i32),
}

/// Fields that were independent and are now in one oneof (newly mutually exclusive): more than
/// one top-level field moved in, or one joined to the members of an existing oneof.
fn newly_exclusive(ctx: &mut Context<'_, '_>, original: &Members<'_>, update: &Message) {
    for oneof in &update.oneofs {
        let mut groups = HashSet::new();
        let mut moved_in = 0;
        for field in &oneof.fields {
            if let Some(name) = original.oneof_of.get(&field.number) {
                groups.insert(Group::Oneof(name));
            } else if original.by_number.contains_key(&field.number) {
                groups.insert(Group::Field(field.number));
                moved_in += 1;
            }
        }
        if groups.len() > 1 {
            let change =
                if moved_in > 1 { Change::MultipleFieldsMovedToOneof } else { Change::FieldMovedToExistingOneof };
            ctx.add_at(&oneof.name, change, oneof.at.as_ref());
        }
    }
}

fn oneofs_added_or_removed(ctx: &mut Context<'_, '_>, original: &Members<'_>, update: &Members<'_>) {
    let names: BTreeSet<&str> = original.oneofs.keys().chain(update.oneofs.keys()).copied().collect();
    for name in names {
        match (original.oneofs.get(name), update.oneofs.get(name)) {
            (Some(o), None) => ctx.add_at(name, Change::OneofRemoved, o.at.as_ref()),
            (None, Some(u)) => ctx.add_at(name, Change::OneofAdded, u.at.as_ref()),
            _ => {}
        }
    }
}

/// The field numbered `number` on each side: removed, added, or compared where it now stands.
fn compare_member(ctx: &mut Context<'_, '_>, o: &Members<'_>, u: &Members<'_>, deleted: &HashSet<&str>, number: i32) {
    let step = number.to_string();
    let (original_oneof, update_oneof) = (o.oneof_of.get(&number).copied(), u.oneof_of.get(&number).copied());
    match (o.by_number.get(&number), u.by_number.get(&number)) {
        (Some(field), None) => match original_oneof {
            Some(oneof) if !deleted.contains(oneof) => {
                add_in_oneof(ctx, oneof, &step, Change::OneofFieldRemoved, field.at.as_ref());
            }
            Some(_) => {}
            None => {
                let change = if field.label == Some(Label::Required) {
                    Change::RequiredFieldRemoved
                } else {
                    Change::FieldRemoved
                };
                ctx.add_at(&step, change, field.at.as_ref());
            }
        },
        (None, Some(field)) => match update_oneof {
            Some(oneof) => add_in_oneof(ctx, oneof, &step, Change::OneofFieldAdded, field.at.as_ref()),
            None => {
                let change =
                    if field.label == Some(Label::Required) { Change::RequiredFieldAdded } else { Change::FieldAdded };
                ctx.add_at(&step, change, field.at.as_ref());
            }
        },
        (Some(original), Some(update)) => {
            if original_oneof.is_some() && update_oneof.is_none() {
                ctx.add_at(&step, Change::OneofFieldMovedToTopLevel, update.at.as_ref());
            }
            let steps = update_oneof.map_or(1, |oneof| {
                ctx.path.push(oneof.to_string());
                2
            });
            ctx.path.push(step);
            compare_fields(ctx, original, update);
            ctx.path.truncate(ctx.path.len() - steps);
        }
        (None, None) => {}
    }
}

fn add_in_oneof(ctx: &mut Context<'_, '_>, oneof: &str, step: &str, change: Change, at: Option<&Position>) {
    ctx.path.push(oneof.to_string());
    ctx.add_at(step, change, at);
    ctx.path.pop();
}

/// `FieldSchemaDiff.compare`.
fn compare_fields(ctx: &mut Context<'_, '_>, original: &Field, update: &Field) {
    if original.name != update.name {
        ctx.add(Change::FieldNameChanged, update.at.as_ref());
    }
    compare_labels_and_types(ctx, (original.label, &original.ty), (update.label, &update.ty), update.at.as_ref());
}

/// `FieldSchemaDiff.Kind`.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Scalar,
    Map,
    Message,
}

/// `FieldSchemaDiff.ScalarKind`: the scalars that share a wire encoding.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum ScalarKind {
    GeneralNumber,
    SignedNumber,
    StringOrBytes,
    Fixed32,
    Fixed64,
    Float,
    Double,
}

/// `FieldSchemaDiff.compareLabelsAndTypes`. (Its first step, reading a `map_entry` message as
/// `map<K, V>`, has nothing to do here: a schema parsed from text, as the registry parses one,
/// has its maps as `map<K, V>` already.)
fn compare_labels_and_types(
    ctx: &mut Context<'_, '_>,
    (original_label, original): (Option<Label>, &FieldType),
    (update_label, update): (Option<Label>, &FieldType),
    at: Option<&Position>,
) {
    let kinds = (kind(ctx, original, true), kind(ctx, update, false));
    match kinds {
        (Kind::Scalar, Kind::Scalar) => compare_scalars(ctx, (original_label, original), (update_label, update), at),
        (Kind::Message, Kind::Message) => compare_message_types(ctx, &original.text(), &update.text(), at),
        (Kind::Map, Kind::Map) => {
            if let (FieldType::Map(ok, ov), FieldType::Map(uk, uv)) = (original, update) {
                compare_labels_and_types(ctx, (None, ok), (None, uk), at);
                compare_labels_and_types(ctx, (None, ov), (None, uv), at);
            }
        }
        _ => ctx.add(Change::FieldKindChanged, at),
    }
}

/// `FieldSchemaDiff.kind`: an enum is a scalar.
fn kind(ctx: &Context<'_, '_>, ty: &FieldType, original: bool) -> Kind {
    match ty {
        FieldType::Scalar(_) => Kind::Scalar,
        FieldType::Map(..) => Kind::Map,
        FieldType::Named(name) if ctx.is_enum(name, original) => Kind::Scalar,
        FieldType::Named(_) => Kind::Message,
    }
}

/// `FieldSchemaDiff.scalarKind`, grouped as the Protobuf guide's "Updating A Message Type"
/// groups them. A named type reaches here only as an enum (`kind` said scalar), a general number.
fn scalar_kind(ty: &FieldType) -> ScalarKind {
    let FieldType::Scalar(keyword) = ty else {
        return ScalarKind::GeneralNumber;
    };
    match *keyword {
        "sint32" | "sint64" => ScalarKind::SignedNumber,
        "string" | "bytes" => ScalarKind::StringOrBytes,
        "fixed32" | "sfixed32" => ScalarKind::Fixed32,
        "fixed64" | "sfixed64" => ScalarKind::Fixed64,
        "float" => ScalarKind::Float,
        "double" => ScalarKind::Double,
        _ => ScalarKind::GeneralNumber,
    }
}

/// `FieldSchemaDiff.compareScalarTypes`: a changed label counts only when both sides write one.
fn compare_scalars(
    ctx: &mut Context<'_, '_>,
    (original_label, original): (Option<Label>, &FieldType),
    (update_label, update): (Option<Label>, &FieldType),
    at: Option<&Position>,
) {
    let kind = scalar_kind(original);
    if kind != scalar_kind(update) {
        ctx.add(Change::FieldScalarKindChanged, at);
        return;
    }
    let (Some(o), Some(u)) = (original_label, update_label) else { return };
    if o != u {
        let change = if kind == ScalarKind::StringOrBytes {
            Change::FieldStringOrBytesLabelChanged
        } else {
            Change::FieldNumericLabelChanged
        };
        ctx.add(change, at);
    }
}

/// `FieldSchemaDiff.compareMessageTypes`: the same local name (the full name less its package),
/// and, unless both are the schema's own or the same subject-version, the same contents, which a
/// subcontext compares with its own path (`#/outer/Inner/1`).
fn compare_message_types(ctx: &mut Context<'_, '_>, original: &str, update: &str, at: Option<&Position>) {
    let (Some(original_full), Some(update_full)) = (ctx.resolve(original, true), ctx.resolve(update, false)) else {
        // Names that do not resolve are compared as written.
        if original != update {
            ctx.add(Change::FieldNamedTypeChanged, at);
        }
        return;
    };
    let (Some(o), Some(u)) = (ctx.get_type(&original_full, true), ctx.get_type(&update_full, false)) else { return };
    let local = |full: &str, package: &str| {
        full.strip_prefix(package).and_then(|r| r.strip_prefix('.')).unwrap_or(full).to_string()
    };
    let original_local = local(&original_full, o.package);
    if original_local != local(&update_full, u.package) {
        ctx.add(Change::FieldNamedTypeChanged, at);
        return;
    }
    if o.origin.same_version(u.origin) {
        return;
    }
    let (TypeElement::Message(om), TypeElement::Message(um)) = (o.ty, u.ty) else { return };
    let mut sub = ctx.subcontext(o.package, u.package, &original_local);
    compare_messages(&mut sub, om, um);
    let compatible = sub.is_compatible();
    ctx.diffs.append(&mut sub.diffs);
    if !compatible {
        ctx.add(Change::FieldNamedTypeChanged, at);
    }
}

impl Change {
    /// The change in words (after the registry's `Difference.error()` where it words one).
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Change::PackageChanged => "the package changed, which renames every message",
            Change::MessageAdded => "a message was added",
            Change::MessageRemoved => "a message was removed",
            Change::MessageMoved => "a message moved",
            Change::EnumAdded => "an enum was added",
            Change::EnumRemoved => "an enum was removed",
            Change::EnumConstAdded => "an enum constant was added",
            Change::EnumConstChanged => "an enum constant was renamed",
            Change::EnumConstRemoved => "an enum constant was removed",
            Change::FieldAdded => "a field was added",
            Change::FieldRemoved => "a field was removed",
            Change::FieldNameChanged => "a field was renamed",
            Change::FieldKindChanged => "the field changed kind (scalar or enum, message, map)",
            Change::FieldScalarKindChanged => "the field's scalar type changed to one encoded otherwise on the wire",
            Change::FieldNamedTypeChanged => "the field's message type changed",
            Change::FieldNumericLabelChanged => "the label of a numeric field changed",
            Change::FieldStringOrBytesLabelChanged => "the label of a string or bytes field changed",
            Change::RequiredFieldAdded => "a required field was added",
            Change::RequiredFieldRemoved => "a required field was removed",
            Change::OneofAdded => "a oneof was added",
            Change::OneofRemoved => "a oneof was removed",
            Change::OneofFieldAdded => "a field was added to a oneof",
            Change::OneofFieldRemoved => "a field was removed from a oneof",
            Change::OneofFieldMovedToTopLevel => "a field moved out of its oneof",
            Change::MultipleFieldsMovedToOneof => "several fields that were independent were moved into one oneof",
            Change::FieldMovedToExistingOneof => "a field was moved into a oneof with the fields of another",
        }
    }
}
