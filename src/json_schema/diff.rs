//! The registry's JSON Schema diff: `io.confluent.kafka.schemaregistry.json.diff.SchemaDiff` and
//! its per-keyword classes (`StringSchemaDiff`, `NumberSchemaDiff`, `EnumSchemaDiff`,
//! `ConstSchemaDiff`, `CombinedSchemaDiff`, `NotSchemaDiff`, `ObjectSchemaDiff`,
//! `ArraySchemaDiff`), with `Context`'s memo of compared pairs and its cycle rule. Each change is
//! named by `Difference.Type` and placed by the registry's path (`#/properties/foo`); a change is
//! compatible when `SchemaDiff.COMPATIBLE_CHANGES` lists it.
//!
//! Functions here return the changes of a pair with paths relative to it; the caller prefixes
//! the keyword it descended through (`Context.enterPath`).

use super::model::*;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

macro_rules! change_types {
    ($($name:ident),* $(,)?) => {
        /// `Difference.Type`: the registry's names for the changes its diff reports.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ChangeType { $($name),* }

        impl ChangeType {
            /// The registry's name (`PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`).
            pub fn as_str(self) -> &'static str {
                match self { $(ChangeType::$name => stringify!($name)),* }
            }
        }
    };
}

change_types!(
    ID_CHANGED,
    DESCRIPTION_CHANGED,
    TITLE_CHANGED,
    DEFAULT_CHANGED,
    SCHEMA_ADDED,
    SCHEMA_REMOVED,
    TYPE_EXTENDED,
    TYPE_NARROWED,
    TYPE_CHANGED,
    MAX_LENGTH_ADDED,
    MAX_LENGTH_REMOVED,
    MAX_LENGTH_INCREASED,
    MAX_LENGTH_DECREASED,
    MIN_LENGTH_ADDED,
    MIN_LENGTH_REMOVED,
    MIN_LENGTH_INCREASED,
    MIN_LENGTH_DECREASED,
    PATTERN_ADDED,
    PATTERN_REMOVED,
    PATTERN_CHANGED,
    MAXIMUM_ADDED,
    MAXIMUM_REMOVED,
    MAXIMUM_INCREASED,
    MAXIMUM_DECREASED,
    MINIMUM_ADDED,
    MINIMUM_REMOVED,
    MINIMUM_INCREASED,
    MINIMUM_DECREASED,
    EXCLUSIVE_MAXIMUM_ADDED,
    EXCLUSIVE_MAXIMUM_REMOVED,
    EXCLUSIVE_MAXIMUM_INCREASED,
    EXCLUSIVE_MAXIMUM_DECREASED,
    EXCLUSIVE_MINIMUM_ADDED,
    EXCLUSIVE_MINIMUM_REMOVED,
    EXCLUSIVE_MINIMUM_INCREASED,
    EXCLUSIVE_MINIMUM_DECREASED,
    MULTIPLE_OF_ADDED,
    MULTIPLE_OF_REMOVED,
    MULTIPLE_OF_EXPANDED,
    MULTIPLE_OF_REDUCED,
    MULTIPLE_OF_CHANGED,
    REQUIRED_ATTRIBUTE_ADDED,
    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED,
    REQUIRED_ATTRIBUTE_REMOVED,
    MAX_PROPERTIES_ADDED,
    MAX_PROPERTIES_REMOVED,
    MAX_PROPERTIES_INCREASED,
    MAX_PROPERTIES_DECREASED,
    MIN_PROPERTIES_ADDED,
    MIN_PROPERTIES_REMOVED,
    MIN_PROPERTIES_INCREASED,
    MIN_PROPERTIES_DECREASED,
    ADDITIONAL_PROPERTIES_ADDED,
    ADDITIONAL_PROPERTIES_REMOVED,
    ADDITIONAL_PROPERTIES_EXTENDED,
    ADDITIONAL_PROPERTIES_NARROWED,
    DEPENDENCY_ARRAY_ADDED,
    DEPENDENCY_ARRAY_REMOVED,
    DEPENDENCY_ARRAY_EXTENDED,
    DEPENDENCY_ARRAY_NARROWED,
    DEPENDENCY_ARRAY_CHANGED,
    DEPENDENCY_SCHEMA_ADDED,
    DEPENDENCY_SCHEMA_REMOVED,
    REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    UNEVALUATED_PROPERTIES_ADDED,
    UNEVALUATED_PROPERTIES_REMOVED,
    UNEVALUATED_PROPERTIES_EXTENDED,
    UNEVALUATED_PROPERTIES_NARROWED,
    MAX_ITEMS_ADDED,
    MAX_ITEMS_REMOVED,
    MAX_ITEMS_INCREASED,
    MAX_ITEMS_DECREASED,
    MIN_ITEMS_ADDED,
    MIN_ITEMS_REMOVED,
    MIN_ITEMS_INCREASED,
    MIN_ITEMS_DECREASED,
    MAX_CONTAINS_ADDED,
    MAX_CONTAINS_REMOVED,
    MAX_CONTAINS_INCREASED,
    MAX_CONTAINS_DECREASED,
    MIN_CONTAINS_ADDED,
    MIN_CONTAINS_REMOVED,
    MIN_CONTAINS_INCREASED,
    MIN_CONTAINS_DECREASED,
    UNIQUE_ITEMS_ADDED,
    UNIQUE_ITEMS_REMOVED,
    ADDITIONAL_ITEMS_ADDED,
    ADDITIONAL_ITEMS_REMOVED,
    ADDITIONAL_ITEMS_EXTENDED,
    ADDITIONAL_ITEMS_NARROWED,
    UNEVALUATED_ITEMS_ADDED,
    UNEVALUATED_ITEMS_REMOVED,
    UNEVALUATED_ITEMS_EXTENDED,
    UNEVALUATED_ITEMS_NARROWED,
    ITEM_ADDED_TO_OPEN_CONTENT_MODEL,
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL,
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ENUM_ARRAY_EXTENDED,
    ENUM_ARRAY_NARROWED,
    ENUM_ARRAY_CHANGED,
    COMBINED_TYPE_EXTENDED,
    COMBINED_TYPE_CHANGED,
    PRODUCT_TYPE_EXTENDED,
    PRODUCT_TYPE_NARROWED,
    SUM_TYPE_EXTENDED,
    SUM_TYPE_NARROWED,
    COMBINED_TYPE_SUBSCHEMAS_CHANGED,
    NOT_TYPE_EXTENDED,
    NOT_TYPE_NARROWED,
);

use ChangeType::*;

impl ChangeType {
    /// Whether the registry accepts the change: `SchemaDiff.COMPATIBLE_CHANGES`. The list there
    /// predates `unevaluated*` and `*Contains`; of those, the ones `Difference.error()` does not
    /// word as a failure (added/extended openness, a looser bound) are accepted, as their
    /// `additional*` and `*Items` counterparts are.
    pub fn is_compatible(self) -> bool {
        matches!(
            self,
            ID_CHANGED
                | DESCRIPTION_CHANGED
                | TITLE_CHANGED
                | DEFAULT_CHANGED
                | SCHEMA_REMOVED
                | TYPE_EXTENDED
                | MAX_LENGTH_INCREASED
                | MAX_LENGTH_REMOVED
                | MIN_LENGTH_DECREASED
                | MIN_LENGTH_REMOVED
                | PATTERN_REMOVED
                | MAXIMUM_INCREASED
                | MAXIMUM_REMOVED
                | MINIMUM_DECREASED
                | MINIMUM_REMOVED
                | EXCLUSIVE_MAXIMUM_INCREASED
                | EXCLUSIVE_MAXIMUM_REMOVED
                | EXCLUSIVE_MINIMUM_DECREASED
                | EXCLUSIVE_MINIMUM_REMOVED
                | MULTIPLE_OF_REDUCED
                | MULTIPLE_OF_REMOVED
                | REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                | REQUIRED_ATTRIBUTE_REMOVED
                | DEPENDENCY_ARRAY_NARROWED
                | DEPENDENCY_ARRAY_REMOVED
                | DEPENDENCY_SCHEMA_REMOVED
                | MAX_PROPERTIES_INCREASED
                | MAX_PROPERTIES_REMOVED
                | MIN_PROPERTIES_DECREASED
                | MIN_PROPERTIES_REMOVED
                | ADDITIONAL_PROPERTIES_ADDED
                | ADDITIONAL_PROPERTIES_EXTENDED
                | PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                | REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
                | OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
                | PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                | PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
                | PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | UNEVALUATED_PROPERTIES_ADDED
                | UNEVALUATED_PROPERTIES_EXTENDED
                | MAX_ITEMS_INCREASED
                | MAX_ITEMS_REMOVED
                | MIN_ITEMS_DECREASED
                | MIN_ITEMS_REMOVED
                | MAX_CONTAINS_INCREASED
                | MAX_CONTAINS_REMOVED
                | MIN_CONTAINS_DECREASED
                | MIN_CONTAINS_REMOVED
                | UNIQUE_ITEMS_REMOVED
                | ADDITIONAL_ITEMS_ADDED
                | ADDITIONAL_ITEMS_EXTENDED
                | UNEVALUATED_ITEMS_ADDED
                | UNEVALUATED_ITEMS_EXTENDED
                | ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                | ITEM_ADDED_TO_CLOSED_CONTENT_MODEL
                | ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                | ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL
                | ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                | ENUM_ARRAY_EXTENDED
                | COMBINED_TYPE_EXTENDED
                | PRODUCT_TYPE_NARROWED
                | SUM_TYPE_EXTENDED
                | NOT_TYPE_NARROWED
        )
    }
}

/// Which of the two schemas a change is best shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Original,
    Update,
}

/// One change the diff found (`Difference`): its type, the registry's path, and the node of the
/// original or the update it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub kind: ChangeType,
    /// Relative to the pair being compared while the diff runs; `#/...` once [`compare`] returns.
    path: String,
    pub(crate) side: Side,
    pub(crate) node: NodeId,
}

impl Difference {
    /// The registry's JSON path of the change (`#/properties/foo`).
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// `SchemaDiff.compare(original, update)`: every change from `original` to `update`.
pub fn compare(original: &JsonSchema, update: &JsonSchema) -> Vec<Difference> {
    let mut differ = Differ::new(original, update);
    let mut found = differ.compare(Some(original.root), Some(update.root));
    for d in &mut found {
        d.path = format!("#/{}", d.path);
    }
    found
}

/// `Context.isCompatible`: no change outside `COMPATIBLE_CHANGES`.
fn compatible(found: &[Difference]) -> bool {
    found.iter().all(|d| d.kind.is_compatible())
}

/// Prefixes `segment` (a keyword, or `keyword/index`) to the paths of `found`.
fn under(segment: &str, mut found: Vec<Difference>) -> Vec<Difference> {
    for d in &mut found {
        d.path = if d.path.is_empty() { segment.to_string() } else { format!("{segment}/{}", d.path) };
    }
    found
}

/// A pair being compared: the original's node and the update's.
type Pair = (NodeId, NodeId);

struct Differ<'a> {
    original: &'a JsonSchema,
    update: &'a JsonSchema,
    /// `Context.compareMemoized`: each pair's changes, relative to the pair.
    memo: HashMap<Pair, Rc<Vec<Difference>>>,
    /// Pairs on the stack; met again, a pair is a recursive cycle and compatible.
    in_progress: HashSet<Pair>,
    no_change: Rc<Vec<Difference>>,
}

impl<'a> Differ<'a> {
    fn new(original: &'a JsonSchema, update: &'a JsonSchema) -> Self {
        Differ { original, update, memo: HashMap::new(), in_progress: HashSet::new(), no_change: Rc::default() }
    }

    fn o(&self, id: NodeId) -> &Node {
        self.original.node(id)
    }

    fn u(&self, id: NodeId) -> &Node {
        self.update.node(id)
    }

    fn at(&self, kind: ChangeType, side: Side, node: NodeId) -> Difference {
        Difference { kind, path: String::new(), side, node }
    }

    /// A change at the update's node of `pair`.
    fn here(&self, kind: ChangeType, pair: Pair) -> Difference {
        self.at(kind, Side::Update, pair.1)
    }

    /// `SchemaDiff.compare(ctx, original, update)`, either side possibly absent.
    fn compare(&mut self, original: Option<NodeId>, update: Option<NodeId>) -> Vec<Difference> {
        let (o, u) = match (original, update) {
            (None, None) => return Vec::new(),
            (None, Some(u)) => return vec![self.at(SCHEMA_ADDED, Side::Update, u)],
            (Some(o), None) => return vec![self.at(SCHEMA_REMOVED, Side::Original, o)],
            (Some(o), Some(u)) => (self.original.resolved(o), self.update.resolved(u)),
        };
        if let Some(found) = self.memo.get(&(o, u)) {
            return found.as_ref().clone();
        }
        if !self.in_progress.insert((o, u)) {
            return Vec::new();
        }
        let found = self.pair((o, u));
        self.in_progress.remove(&(o, u));
        // Most pairs have no change: their empty list is shared without allocating.
        self.memo.insert((o, u), if found.is_empty() { self.no_change.clone() } else { Rc::new(found.clone()) });
        found
    }

    fn pair(&mut self, pair: Pair) -> Vec<Difference> {
        if let Some(found) = self.across_combined(pair) {
            return found;
        }
        let (o, u) = (self.o(pair.0), self.u(pair.1));
        if std::mem::discriminant(&o.kind) != std::mem::discriminant(&u.kind) {
            // TrueSchema extends EmptySchema: anything may become empty, and false anything.
            let loosened = matches!(o.kind, Kind::False) || matches!(u.kind, Kind::Empty | Kind::True);
            return if loosened { Vec::new() } else { vec![self.here(TYPE_CHANGED, pair)] };
        }
        let mut found = self.common(pair);
        found.extend(self.by_kind(pair));
        found
    }

    /// `SchemaDiff`'s special cases between a combined schema and another: a singleton union
    /// stands for its member; an update `anyOf`/`oneOf` may extend the original (SUM_TYPE_EXTENDED),
    /// and an original `allOf` may be narrowed to one of its members (PRODUCT_TYPE_NARROWED).
    fn across_combined(&mut self, pair: Pair) -> Option<Vec<Difference>> {
        let combined = |kind: &Kind| match kind {
            Kind::Combined(c) => Some((c.criterion, c.subschemas.clone())),
            _ => None,
        };
        match (combined(&self.o(pair.0).kind), combined(&self.u(pair.1).kind)) {
            (None, Some((criterion, members))) => {
                if members.len() == 1 {
                    let found = self.compare(Some(pair.0), Some(members[0]));
                    return compatible(&found).then_some(found);
                }
                if criterion == Criterion::All {
                    return None;
                }
                members.iter().find_map(|&member| {
                    let mut found = self.compare(Some(pair.0), Some(member));
                    compatible(&found).then(|| {
                        found.push(self.here(SUM_TYPE_EXTENDED, pair));
                        found
                    })
                })
            }
            (Some((criterion, members)), None) => {
                if members.len() == 1 {
                    let found = self.compare(Some(members[0]), Some(pair.1));
                    return compatible(&found).then_some(found);
                }
                if criterion != Criterion::All {
                    return None;
                }
                members.iter().find_map(|&member| {
                    let mut found = self.compare(Some(member), Some(pair.1));
                    compatible(&found).then(|| {
                        found.push(self.here(PRODUCT_TYPE_NARROWED, pair));
                        found
                    })
                })
            }
            _ => None,
        }
    }

    /// `$id`, `title`, `description` and `default`, on schemas of the same class.
    fn common(&self, pair: Pair) -> Vec<Difference> {
        let (o, u) = (&self.o(pair.0).common, &self.u(pair.1).common);
        [
            (o.id != u.id, ID_CHANGED),
            (o.title != u.title, TITLE_CHANGED),
            (o.description != u.description, DESCRIPTION_CHANGED),
            (o.default != u.default, DEFAULT_CHANGED),
        ]
        .into_iter()
        .filter(|(changed, _)| *changed)
        .map(|(_, kind)| self.here(kind, pair))
        .collect()
    }

    fn by_kind(&mut self, pair: Pair) -> Vec<Difference> {
        let (original, update) = (self.original, self.update);
        match (&original.node(pair.0).kind, &update.node(pair.1).kind) {
            (Kind::String(o), Kind::String(u)) => self.string(pair, o, u),
            (Kind::Number(o), Kind::Number(u)) => self.number(pair, o, u),
            (Kind::Enum(o), Kind::Enum(u)) => self.enumeration(pair, o, u),
            (Kind::Const(o), Kind::Const(u)) => {
                if o == u {
                    Vec::new()
                } else {
                    under("const", vec![self.here(ENUM_ARRAY_CHANGED, pair)])
                }
            }
            (Kind::Combined(o), Kind::Combined(u)) => self.combined(pair, o, u),
            (&Kind::Not(o), &Kind::Not(u)) => self.not(pair, o, u),
            (Kind::Object(o), Kind::Object(u)) => self.object(pair, o, u),
            (Kind::Array(o), Kind::Array(u)) => self.array(pair, o, u),
            _ => Vec::new(),
        }
    }

    /// A bound's change, as each `*SchemaDiff.compareAttributes` words it: added, removed,
    /// increased or decreased, at the keyword.
    fn bound<T: PartialOrd>(
        &self,
        pair: Pair,
        keyword: &str,
        (o, u): (Option<T>, Option<T>),
        [added, removed, increased, decreased]: [ChangeType; 4],
    ) -> Option<Difference> {
        let kind = match (o, u) {
            (None, Some(_)) => added,
            (Some(_), None) => removed,
            (Some(o), Some(u)) if o < u => increased,
            (Some(o), Some(u)) if o > u => decreased,
            _ => return None,
        };
        under(keyword, vec![self.here(kind, pair)]).pop()
    }

    /// `StringSchemaDiff`.
    fn string(&self, pair: Pair, o: &StringSchema, u: &StringSchema) -> Vec<Difference> {
        let mut found: Vec<Difference> = [
            self.bound(
                pair,
                "maxLength",
                (o.max_length, u.max_length),
                [MAX_LENGTH_ADDED, MAX_LENGTH_REMOVED, MAX_LENGTH_INCREASED, MAX_LENGTH_DECREASED],
            ),
            self.bound(
                pair,
                "minLength",
                (o.min_length, u.min_length),
                [MIN_LENGTH_ADDED, MIN_LENGTH_REMOVED, MIN_LENGTH_INCREASED, MIN_LENGTH_DECREASED],
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let pattern = match (&o.pattern, &u.pattern) {
            (None, Some(_)) => Some(PATTERN_ADDED),
            (Some(_), None) => Some(PATTERN_REMOVED),
            (Some(o), Some(u)) if o != u => Some(PATTERN_CHANGED),
            _ => None,
        };
        found.extend(pattern.map(|kind| under("pattern", vec![self.here(kind, pair)]).remove(0)));
        found
    }

    /// `NumberSchemaDiff`. Its exclusiveMaximum branch compares the original's limit with the
    /// update's `maximum` when deciding "decreased"; venice compares the two limits.
    fn number(&self, pair: Pair, o: &NumberSchema, u: &NumberSchema) -> Vec<Difference> {
        let mut found: Vec<Difference> = [
            self.bound(
                pair,
                "maximum",
                (o.maximum, u.maximum),
                [MAXIMUM_ADDED, MAXIMUM_REMOVED, MAXIMUM_INCREASED, MAXIMUM_DECREASED],
            ),
            self.bound(
                pair,
                "minimum",
                (o.minimum, u.minimum),
                [MINIMUM_ADDED, MINIMUM_REMOVED, MINIMUM_INCREASED, MINIMUM_DECREASED],
            ),
            self.bound(
                pair,
                "exclusiveMaximum",
                (o.exclusive_maximum, u.exclusive_maximum),
                [
                    EXCLUSIVE_MAXIMUM_ADDED,
                    EXCLUSIVE_MAXIMUM_REMOVED,
                    EXCLUSIVE_MAXIMUM_INCREASED,
                    EXCLUSIVE_MAXIMUM_DECREASED,
                ],
            ),
            self.bound(
                pair,
                "exclusiveMinimum",
                (o.exclusive_minimum, u.exclusive_minimum),
                [
                    EXCLUSIVE_MINIMUM_ADDED,
                    EXCLUSIVE_MINIMUM_REMOVED,
                    EXCLUSIVE_MINIMUM_INCREASED,
                    EXCLUSIVE_MINIMUM_DECREASED,
                ],
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let multiple = match (o.multiple_of, u.multiple_of) {
            (None, Some(_)) => Some(MULTIPLE_OF_ADDED),
            (Some(_), None) => Some(MULTIPLE_OF_REMOVED),
            (Some(o), Some(u)) if o != u => Some(multiple_of_change(o, u)),
            _ => None,
        };
        found.extend(multiple.map(|kind| under("multipleOf", vec![self.here(kind, pair)]).remove(0)));
        if o.integer != u.integer {
            found.push(self.here(if o.integer { TYPE_EXTENDED } else { TYPE_NARROWED }, pair));
        }
        found
    }

    /// `EnumSchemaDiff`: the values as sets.
    fn enumeration(&self, pair: Pair, o: &[serde_json::Value], u: &[serde_json::Value]) -> Vec<Difference> {
        let has_all = |a: &[serde_json::Value], b: &[serde_json::Value]| b.iter().all(|v| a.contains(v));
        let kind = match (has_all(u, o), has_all(o, u)) {
            (true, true) => return Vec::new(),
            (true, false) => ENUM_ARRAY_EXTENDED,
            (false, true) => ENUM_ARRAY_NARROWED,
            (false, false) => ENUM_ARRAY_CHANGED,
        };
        under("enum", vec![self.here(kind, pair)])
    }

    /// `NotSchemaDiff`: the negated schemas compared the other way round.
    fn not(&mut self, pair: Pair, o: NodeId, u: NodeId) -> Vec<Difference> {
        // The update's negated schema is read as an original: swap the schemas for the call.
        let mut reversed = Differ::new(self.update, self.original);
        let kind = if compatible(&reversed.compare(Some(u), Some(o))) { NOT_TYPE_NARROWED } else { NOT_TYPE_EXTENDED };
        under("not", vec![self.here(kind, pair)])
    }

    /// `CombinedSchemaDiff`: the criterion, the number of distinct subschemas, and a maximum
    /// matching of compatible original/update subschema pairs that must cover the smaller side.
    fn combined(&mut self, pair: Pair, o: &Combined, u: &Combined) -> Vec<Difference> {
        let mut found = Vec::new();
        let criterion_change = combined_criterion_change(o, u);
        if let Some(kind) = criterion_change {
            found.push(self.here(kind, pair));
            if kind == COMBINED_TYPE_CHANGED {
                return found;
            }
        }
        let originals = distinct(self.original, &o.subschemas);
        let updates = distinct(self.update, &u.subschemas);
        let product = u.criterion == Criterion::All;
        match originals.len().cmp(&updates.len()) {
            std::cmp::Ordering::Less => {
                found.push(self.here(if product { PRODUCT_TYPE_EXTENDED } else { SUM_TYPE_EXTENDED }, pair))
            }
            std::cmp::Ordering::Greater => {
                found.push(self.here(if product { PRODUCT_TYPE_NARROWED } else { SUM_TYPE_NARROWED }, pair))
            }
            std::cmp::Ordering::Equal => {}
        }
        let mut edges: Vec<Vec<Option<Vec<Difference>>>> = Vec::new();
        for (i, &original) in originals.iter().enumerate() {
            let segment = format!("{}/{i}", o.criterion.as_str());
            let row = (updates.iter())
                .map(|&update| {
                    let sub = under(&segment, self.compare(Some(original), Some(update)));
                    compatible(&sub).then_some(sub)
                })
                .collect();
            edges.push(row);
        }
        let matching = maximum_matching(&edges, updates.len());
        for (i, j) in matching.iter().enumerate().filter_map(|(i, j)| j.map(|j| (i, j))) {
            found.extend(edges[i][j].take().unwrap_or_default());
        }
        if matching.iter().flatten().count() < originals.len().min(updates.len()) {
            found.push(self.here(COMBINED_TYPE_SUBSCHEMAS_CHANGED, pair));
        }
        found
    }

    /// `ObjectSchemaDiff`: required, properties, dependencies, additional properties (and
    /// `unevaluatedProperties`, as `ArraySchemaDiff` treats `unevaluatedItems`), then the bounds.
    fn object(&mut self, pair: Pair, o: &ObjectSchema, u: &ObjectSchema) -> Vec<Difference> {
        let mut found = under("required", self.required(pair, o, u));
        found.extend(under("properties", self.properties(o, u)));
        found.extend(under("dependencies", self.dependencies(pair, o, u)));
        found.extend(under("additionalProperties", self.additional_properties(pair, o, u)));
        found.extend(self.unevaluated(
            pair,
            "unevaluatedProperties",
            (o.unevaluated, u.unevaluated),
            UNEVALUATED_PROPERTIES,
        ));
        found.extend(self.bound(
            pair,
            "maxProperties",
            (o.max_properties, u.max_properties),
            [MAX_PROPERTIES_ADDED, MAX_PROPERTIES_REMOVED, MAX_PROPERTIES_INCREASED, MAX_PROPERTIES_DECREASED],
        ));
        found.extend(self.bound(
            pair,
            "minProperties",
            (o.min_properties, u.min_properties),
            [MIN_PROPERTIES_ADDED, MIN_PROPERTIES_REMOVED, MIN_PROPERTIES_INCREASED, MIN_PROPERTIES_DECREASED],
        ));
        found
    }

    fn required(&self, pair: Pair, o: &ObjectSchema, u: &ObjectSchema) -> Vec<Difference> {
        let mut found = Vec::new();
        for (name, _) in &o.properties {
            let Some(property) = u.property(name) else { continue };
            let kind = match (o.requires(name), u.requires(name)) {
                (true, false) => REQUIRED_ATTRIBUTE_REMOVED,
                (false, true) if self.has_default(property) => REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED,
                (false, true) => REQUIRED_ATTRIBUTE_ADDED,
                _ => continue,
            };
            found.extend(under(name, vec![self.here(kind, (pair.0, property))]));
        }
        found
    }

    fn has_default(&self, update: NodeId) -> bool {
        self.u(update).common.default.is_some()
    }

    /// Each property in either schema, original's order first.
    fn properties(&mut self, o: &ObjectSchema, u: &ObjectSchema) -> Vec<Difference> {
        let mut found = Vec::new();
        for (name, original) in &o.properties {
            let found_here = match u.property(name) {
                Some(update) => self.compare(Some(*original), Some(update)),
                None => self.property_removed(*original, name, u),
            };
            found.extend(under(name, found_here));
        }
        for (name, update) in u.properties.iter().filter(|(name, _)| o.property(name).is_none()) {
            let found_here = self.property_added(*update, name, o, u);
            found.extend(under(name, found_here));
        }
        found
    }

    /// A property the update lacks: what the update's content model says of it.
    fn property_removed(&mut self, original: NodeId, name: &str, u: &ObjectSchema) -> Vec<Difference> {
        let partial = match self.object_is_open(self.update, u) {
            true => Taken::Open,
            false => self.partial_schema(self.update, u, name).map_or(Taken::Closed, Taken::Partially),
        };
        self.removed(original, partial, &PROPERTY_REMOVED)
    }

    /// A property the original lacks: what the original's content model says of it, and
    /// whether the update requires it (with a default or not).
    fn property_added(&mut self, update: NodeId, name: &str, o: &ObjectSchema, u: &ObjectSchema) -> Vec<Difference> {
        let required = u.requires(name);
        let with_default = self.has_default(update);
        let added = |kind| Difference { kind, path: String::new(), side: Side::Update, node: update };
        if self.object_is_open(self.original, o) {
            let kind = match (&self.u(update).kind, required, with_default) {
                (Kind::Empty | Kind::True, _, _) => PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
                (_, true, true) => REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL,
                (_, true, false) => REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
                (_, false, _) => OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
            };
            return vec![added(kind)];
        }
        let mut found = Vec::new();
        if let Some(partial) = self.partial_schema(self.original, o, name) {
            found = self.compare(Some(partial), Some(update));
            let ok = compatible(&found);
            found.push(added(if ok {
                PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            } else {
                PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
            }));
        }
        found.push(added(match (required, with_default) {
            (true, true) => REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
            (true, false) => REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
            (false, _) => OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
        }));
        found
    }

    /// `ObjectSchemaDiff.isOpenContentModel`: no pattern properties, no schema for additional
    /// ones, and additional ones permitted (nor closed by `unevaluatedProperties`).
    fn object_is_open(&self, schema: &JsonSchema, s: &ObjectSchema) -> bool {
        s.pattern_properties.is_empty()
            && s.additional.is_none()
            && s.permits_additional
            && s.unevaluated.is_none_or(|id| is_empty_schema(schema, id))
    }

    /// `ObjectSchemaDiff.schemaFromPartiallyOpenContentModel`: the first pattern property that
    /// finds `name` (Java's `Matcher.find`), else the schema of additional properties (else that
    /// of unevaluated ones).
    fn partial_schema(&self, schema: &JsonSchema, s: &ObjectSchema, name: &str) -> Option<NodeId> {
        let by_pattern = s
            .pattern_properties
            .iter()
            .find(|(pattern, _)| fancy_regex::Regex::new(pattern).is_ok_and(|re| re.is_match(name).unwrap_or(false)));
        by_pattern.map(|(_, id)| *id).or(s.additional).or_else(|| partially_open_unevaluated(schema, s.unevaluated))
    }

    fn dependencies(&mut self, pair: Pair, o: &ObjectSchema, u: &ObjectSchema) -> Vec<Difference> {
        let mut found = Vec::new();
        for name in union_of_names(&o.property_dependencies, &u.property_dependencies) {
            let get =
                |s: &ObjectSchema| s.property_dependencies.iter().find(|(n, _)| *n == name).map(|(_, d)| d.clone());
            let kind = match (get(o), get(u)) {
                (_, None) => DEPENDENCY_ARRAY_REMOVED,
                (None, _) => DEPENDENCY_ARRAY_ADDED,
                (Some(o), Some(u)) => match (o.iter().all(|d| u.contains(d)), u.iter().all(|d| o.contains(d))) {
                    (true, true) => continue,
                    (true, false) => DEPENDENCY_ARRAY_EXTENDED,
                    (false, true) => DEPENDENCY_ARRAY_NARROWED,
                    (false, false) => DEPENDENCY_ARRAY_CHANGED,
                },
            };
            found.extend(under(&name, vec![self.here(kind, pair)]));
        }
        for name in union_of_names(&o.schema_dependencies, &u.schema_dependencies) {
            let get = |s: &ObjectSchema| s.schema_dependencies.iter().find(|(n, _)| *n == name).map(|(_, d)| *d);
            let found_here = match (get(o), get(u)) {
                (_, None) => vec![self.at(DEPENDENCY_SCHEMA_REMOVED, Side::Original, pair.0)],
                (None, _) => vec![self.here(DEPENDENCY_SCHEMA_ADDED, pair)],
                (original, update) => self.compare(original, update),
            };
            found.extend(under(&name, found_here));
        }
        found
    }

    fn additional_properties(&mut self, pair: Pair, o: &ObjectSchema, u: &ObjectSchema) -> Vec<Difference> {
        let kind = match (o.permits_additional, u.permits_additional, o.additional, u.additional) {
            (false, true, _, _) => ADDITIONAL_PROPERTIES_ADDED,
            (true, false, _, _) => ADDITIONAL_PROPERTIES_REMOVED,
            (_, _, None, Some(_)) => ADDITIONAL_PROPERTIES_NARROWED,
            (_, _, Some(_), None) => ADDITIONAL_PROPERTIES_EXTENDED,
            (_, _, original, update) => return self.compare(original, update),
        };
        vec![self.here(kind, pair)]
    }

    /// `ArraySchemaDiff.compareUnevaluatedItems` (and the same for properties): absent, `false`,
    /// empty, or a schema, each change worded as a widening or a narrowing.
    fn unevaluated(
        &mut self,
        pair: Pair,
        keyword: &str,
        (o, u): (Option<NodeId>, Option<NodeId>),
        [added, removed, extended, narrowed]: [ChangeType; 4],
    ) -> Vec<Difference> {
        let is_false = |schema: &JsonSchema, id: NodeId| matches!(schema.node(schema.resolved(id)).kind, Kind::False);
        let kind = match (o, u) {
            (None, None) => return Vec::new(),
            (None, Some(u)) => {
                if is_false(self.update, u) {
                    removed
                } else {
                    narrowed
                }
            }
            (Some(o), None) => {
                if is_false(self.original, o) {
                    added
                } else {
                    extended
                }
            }
            (Some(o), Some(u)) => match (
                is_false(self.original, o),
                is_false(self.update, u),
                is_empty_schema(self.original, o),
                is_empty_schema(self.update, u),
            ) {
                (true, false, _, _) => added,
                (false, true, _, _) => removed,
                (_, _, true, false) => narrowed,
                (_, _, false, true) => extended,
                _ => return under(keyword, self.compare(Some(o), Some(u))),
            },
        };
        under(keyword, vec![self.here(kind, pair)])
    }

    /// `ArraySchemaDiff`: the schema of all items, the tuple, additional and unevaluated items,
    /// then the bounds.
    fn array(&mut self, pair: Pair, o: &ArraySchema, u: &ArraySchema) -> Vec<Difference> {
        let mut found = under("items", self.compare(o.all_items, u.all_items));
        found.extend(self.tuple(o, u));
        let additional = match (o.permits_additional, u.permits_additional, o.additional, u.additional) {
            (true, false, _, _) => vec![self.here(ADDITIONAL_ITEMS_REMOVED, pair)],
            (false, true, _, _) => vec![self.here(ADDITIONAL_ITEMS_ADDED, pair)],
            (_, _, None, Some(_)) => vec![self.here(ADDITIONAL_ITEMS_NARROWED, pair)],
            (_, _, Some(_), None) => vec![self.here(ADDITIONAL_ITEMS_EXTENDED, pair)],
            (_, _, original, update) => self.compare(original, update),
        };
        found.extend(under("additionalItems", additional));
        found.extend(self.unevaluated(pair, "unevaluatedItems", (o.unevaluated, u.unevaluated), UNEVALUATED_ITEMS));
        found.extend(self.bound(
            pair,
            "maxItems",
            (o.max_items, u.max_items),
            [MAX_ITEMS_ADDED, MAX_ITEMS_REMOVED, MAX_ITEMS_INCREASED, MAX_ITEMS_DECREASED],
        ));
        found.extend(self.bound(
            pair,
            "minItems",
            (o.min_items, u.min_items),
            [MIN_ITEMS_ADDED, MIN_ITEMS_REMOVED, MIN_ITEMS_INCREASED, MIN_ITEMS_DECREASED],
        ));
        if o.unique_items != u.unique_items {
            let kind = if o.unique_items { UNIQUE_ITEMS_REMOVED } else { UNIQUE_ITEMS_ADDED };
            found.extend(under("uniqueItems", vec![self.here(kind, pair)]));
        }
        found.extend(self.bound(
            pair,
            "maxContains",
            (o.max_contains, u.max_contains),
            [MAX_CONTAINS_ADDED, MAX_CONTAINS_REMOVED, MAX_CONTAINS_INCREASED, MAX_CONTAINS_DECREASED],
        ));
        found.extend(self.bound(
            pair,
            "minContains",
            (o.min_contains, u.min_contains),
            [MIN_CONTAINS_ADDED, MIN_CONTAINS_REMOVED, MIN_CONTAINS_INCREASED, MIN_CONTAINS_DECREASED],
        ));
        found
    }

    /// `ArraySchemaDiff.compareItemSchemaArray`: positions both have, then those only the
    /// original has (judged by the update's content model), then those only the update has.
    fn tuple(&mut self, o: &ArraySchema, u: &ArraySchema) -> Vec<Difference> {
        let mut found = Vec::new();
        let shared = o.item_schemas.len().min(u.item_schemas.len());
        for index in 0..o.item_schemas.len().max(u.item_schemas.len()) {
            let here = match (o.item_schemas.get(index), u.item_schemas.get(index)) {
                (Some(&original), Some(&update)) if index < shared => self.compare(Some(original), Some(update)),
                (Some(&original), _) => self.item_removed(original, u),
                (_, Some(&update)) => self.item_added(update, o),
                (None, None) => Vec::new(),
            };
            found.extend(under(&format!("items/{index}"), here));
        }
        found
    }

    fn item_removed(&mut self, original: NodeId, u: &ArraySchema) -> Vec<Difference> {
        let partial = match array_is_open(self.update, u) {
            true => Taken::Open,
            false => partial_items(self.update, u).map_or(Taken::Closed, Taken::Partially),
        };
        self.removed(original, partial, &ITEM_REMOVED)
    }

    /// A property or item the update lacks, as the update's content model takes it
    /// (`ObjectSchemaDiff` and `ArraySchemaDiff` decide the two alike, each with its own names).
    fn removed(&mut self, original: NodeId, taken: Taken, kinds: &RemovedKinds) -> Vec<Difference> {
        let removed = |kind| vec![Difference { kind, path: String::new(), side: Side::Original, node: original }];
        match taken {
            Taken::Open => removed(kinds.open),
            Taken::Partially(partial) => {
                let mut found = self.compare(Some(original), Some(partial));
                let covered = compatible(&found);
                found.extend(removed(if covered { kinds.covered } else { kinds.not_covered }));
                found
            }
            Taken::Closed if matches!(self.o(original).kind, Kind::False) => removed(kinds.false_closed),
            Taken::Closed => removed(kinds.closed),
        }
    }

    fn item_added(&mut self, update: NodeId, o: &ArraySchema) -> Vec<Difference> {
        let added = |kind| Difference { kind, path: String::new(), side: Side::Update, node: update };
        if array_is_open(self.original, o) {
            let empty = matches!(self.u(update).kind, Kind::Empty | Kind::True);
            return vec![added(if empty {
                ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            } else {
                ITEM_ADDED_TO_OPEN_CONTENT_MODEL
            })];
        }
        match partial_items(self.original, o) {
            Some(partial) => {
                let mut found = self.compare(Some(partial), Some(update));
                let ok = compatible(&found);
                found.push(added(if ok {
                    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                } else {
                    ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                }));
                found
            }
            None => vec![added(ITEM_ADDED_TO_CLOSED_CONTENT_MODEL)],
        }
    }
}

const UNEVALUATED_PROPERTIES: [ChangeType; 4] = [
    UNEVALUATED_PROPERTIES_ADDED,
    UNEVALUATED_PROPERTIES_REMOVED,
    UNEVALUATED_PROPERTIES_EXTENDED,
    UNEVALUATED_PROPERTIES_NARROWED,
];
const UNEVALUATED_ITEMS: [ChangeType; 4] =
    [UNEVALUATED_ITEMS_ADDED, UNEVALUATED_ITEMS_REMOVED, UNEVALUATED_ITEMS_EXTENDED, UNEVALUATED_ITEMS_NARROWED];

/// `EmptySchema` (or `TrueSchema`), through references.
fn is_empty_schema(schema: &JsonSchema, id: NodeId) -> bool {
    matches!(schema.node(schema.resolved(id)).kind, Kind::Empty | Kind::True)
}

/// The `unevaluated*` schema that partially opens a content model: neither `false` nor empty.
fn partially_open_unevaluated(schema: &JsonSchema, unevaluated: Option<NodeId>) -> Option<NodeId> {
    unevaluated
        .filter(|&id| !is_empty_schema(schema, id) && !matches!(schema.node(schema.resolved(id)).kind, Kind::False))
}

/// `ArraySchemaDiff.isOpenContentModel`: additional items permitted with no schema, and
/// unevaluated ones absent or empty.
fn array_is_open(schema: &JsonSchema, s: &ArraySchema) -> bool {
    s.permits_additional && s.additional.is_none() && s.unevaluated.is_none_or(|id| is_empty_schema(schema, id))
}

/// `ArraySchemaDiff.schemaFromPartiallyOpenContentModel`.
fn partial_items(schema: &JsonSchema, s: &ArraySchema) -> Option<NodeId> {
    if s.additional.is_some() {
        return s.additional;
    }
    if s.permits_additional { partially_open_unevaluated(schema, s.unevaluated) } else { None }
}

/// `CombinedSchemaDiff.compareCriteria`: allOf/oneOf may become anyOf; a singleton may become
/// oneOf; singletons may become a singleton allOf.
fn combined_criterion_change(o: &Combined, u: &Combined) -> Option<ChangeType> {
    let singleton = |c: &Combined| c.subschemas.len() == 1;
    match (o.criterion, u.criterion) {
        (a, b) if a == b => None,
        (_, Criterion::Any) => Some(COMBINED_TYPE_EXTENDED),
        (_, Criterion::One) if singleton(o) => Some(COMBINED_TYPE_EXTENDED),
        (_, Criterion::All) if singleton(o) && singleton(u) => Some(COMBINED_TYPE_EXTENDED),
        _ => Some(COMBINED_TYPE_CHANGED),
    }
}

/// The subschemas with equal ones collapsed, first occurrence kept (`LinkedHashSet<JsonSchema>`).
fn distinct(schema: &JsonSchema, members: &[NodeId]) -> Vec<NodeId> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for &id in members {
        match schema.node(id).canonical.as_deref() {
            Some(text) if seen.contains(&text) => {}
            Some(text) => {
                seen.push(text);
                out.push(id);
            }
            None => out.push(id),
        }
    }
    out
}

/// `MaximumCardinalityMatch` over the compatible (original, update) pairs: for each original,
/// the update it is matched with (augmenting paths; the sides are small).
fn maximum_matching<T>(edges: &[Vec<Option<T>>], updates: usize) -> Vec<Option<usize>> {
    fn augment<T>(i: usize, edges: &[Vec<Option<T>>], seen: &mut [bool], owner: &mut [Option<usize>]) -> bool {
        for j in 0..owner.len() {
            if edges[i][j].is_some() && !seen[j] {
                seen[j] = true;
                if owner[j].is_none_or(|k| augment(k, edges, seen, owner)) {
                    owner[j] = Some(i);
                    return true;
                }
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; updates];
    for i in 0..edges.len() {
        augment(i, edges, &mut vec![false; updates], &mut owner);
    }
    let mut matched = vec![None; edges.len()];
    for (j, i) in owner.iter().enumerate() {
        if let Some(i) = i {
            matched[*i] = Some(j);
        }
    }
    matched
}

/// `NumberSchemaDiff`'s multipleOf rule on integer values: a multiple of the old one narrows
/// (EXPANDED), a divisor widens (REDUCED), else CHANGED.
fn multiple_of_change(o: f64, u: f64) -> ChangeType {
    let (o, u) = (o as i64, u as i64);
    if o != 0 && u % o == 0 {
        MULTIPLE_OF_EXPANDED
    } else if u != 0 && o % u == 0 {
        MULTIPLE_OF_REDUCED
    } else {
        MULTIPLE_OF_CHANGED
    }
}

fn union_of_names<T>(o: &[(String, T)], u: &[(String, T)]) -> Vec<String> {
    let mut names: Vec<String> = o.iter().map(|(n, _)| n.clone()).collect();
    names.extend(u.iter().filter(|(n, _)| !o.iter().any(|(m, _)| m == n)).map(|(n, _)| n.clone()));
    names
}

/// How an update's content model takes a property or item the original had: any is allowed,
/// some are (by this schema), or none.
enum Taken {
    Open,
    Partially(NodeId),
    Closed,
}

/// The registry's names for a removed property or item under each kind of content model.
struct RemovedKinds {
    open: ChangeType,
    covered: ChangeType,
    not_covered: ChangeType,
    false_closed: ChangeType,
    closed: ChangeType,
}

const PROPERTY_REMOVED: RemovedKinds = RemovedKinds {
    open: PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
    covered: PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    not_covered: PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    false_closed: PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    closed: PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
};

const ITEM_REMOVED: RemovedKinds = RemovedKinds {
    open: ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
    covered: ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    not_covered: ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    false_closed: ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    closed: ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_schema::{Document, parse};
    use crate::source::FileId;

    fn changes(original: &str, update: &str) -> Vec<String> {
        let load = |i, text| parse(Document { name: "s.json", file: FileId(i), text }, &[]).expect("loads");
        let found = compare(&load(0, original), &load(1, update));
        found.iter().map(|d| format!("{} {}", d.kind.as_str(), d.path())).collect()
    }

    #[test]
    fn recursive_schemas_compare_once_per_pair() {
        let v1 = r##"{"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}, "v": {"type": "integer"}}}}}"##;
        let v2 = r##"{"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}, "v": {"type": "number"}}}}}"##;
        assert_eq!(changes(v1, v2), ["TYPE_EXTENDED #/properties/v"]);
    }

    #[test]
    fn pattern_properties_match_as_java_finds_with_lookaround() {
        let original =
            r#"{"properties": {}, "additionalProperties": false, "patternProperties": {"^(?!x)": {"type": "string"}}}"#;
        let covered = r#"{"properties": {"a": {"type": "string"}}, "additionalProperties": false, "patternProperties": {"^(?!x)": {"type": "string"}}}"#;
        assert_eq!(
            changes(original, covered),
            [
                "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/a",
                "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/a"
            ]
        );
    }

    #[test]
    fn unevaluated_properties_close_a_2020_content_model() {
        let open =
            r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {"a": {}}}"#;
        let closed = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {}, "unevaluatedProperties": false}"#;
        assert_eq!(
            changes(open, closed),
            [
                "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/a",
                "UNEVALUATED_PROPERTIES_REMOVED #/unevaluatedProperties"
            ]
        );
    }
}
