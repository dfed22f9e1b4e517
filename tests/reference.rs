//! The generated references, and the checks that keep them, the language guide and the decoder in
//! step.
//!
//! `schema/REFERENCE.md` (for people) and `schema/venice.schema.kdl` (a KDL Schema, for tools) are
//! rendered here from `venice::syntax::grammar::ROOT`, and `docs/checks.md` from the rules'
//! registry, `venice::rules::RULES`; each is compared with the committed file. After changing the
//! grammar or the registry, run `VENICE_BLESS=1 cargo test --test reference` to rewrite them.
//!
//! The other tests check that the reference and the decoder agree: every node and property the
//! table has is documented, every documented node and property is accepted with a value of its
//! documented type, and the examples of the language guide (`docs/language.md`) are accepted, its
//! complete project without an error.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use venice::check::{Checked, check_bytes};
use venice::syntax::grammar::{NodeSpec, PropSpec, ROOT, ValueType};

const REFERENCE: &str = "schema/REFERENCE.md";
const SCHEMA: &str = "schema/venice.schema.kdl";
const BLESS: &str = "VENICE_BLESS=1 cargo test --test reference";
const CHECKS: &str = "docs/checks.md";
const GUIDE: &str = "docs/language.md";

/// `writeln!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).expect("writing to a String cannot fail")
    };
}

// ---------------------------------------------------------------------------------------------
// Walking the grammar
// ---------------------------------------------------------------------------------------------

/// A node of the grammar with the nodes above it, outermost first (the root excluded).
type NodePath = Vec<&'static NodeSpec>;

/// Every node of the grammar, depth first in the table's order.
fn node_paths() -> Vec<NodePath> {
    fn visit(path: &mut NodePath, node: &'static NodeSpec, out: &mut Vec<NodePath>) {
        for child in node.children {
            path.push(child);
            out.push(path.clone());
            visit(path, child, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    visit(&mut Vec::new(), &ROOT, &mut out);
    out
}

fn last(path: &[&'static NodeSpec]) -> &'static NodeSpec {
    path.last().expect("a node path is never empty")
}

/// `stack > kafka`.
fn path_name(path: &[&NodeSpec]) -> String {
    path.iter().map(|n| n.name).collect::<Vec<_>>().join(" > ")
}

/// Every property a node takes, `doc` included, as the decoder looks them up.
fn props(node: &'static NodeSpec) -> Vec<&'static PropSpec> {
    node.prop_names().map(|name| node.prop(name).expect("prop_names and prop agree")).collect()
}

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn blessing() -> bool {
    std::env::var_os("VENICE_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The committed file, or while blessing (when it is being rewritten) the generated text.
fn committed(relative: &str, generate: fn() -> String) -> String {
    if blessing() {
        return generate();
    }
    fs::read_to_string(repo_path(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative} ({e}): run `{BLESS}` to write it"))
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

/// A KDL v2 quoted string.
fn kdl_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A word as KDL v2 writes it: bare when it is a plain identifier, quoted otherwise.
fn kdl_word(word: &str) -> String {
    let mut chars = word.chars();
    let bare = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !matches!(word, "true" | "false" | "null" | "inf" | "nan");
    if bare { word.to_string() } else { kdl_string(word) }
}

/// Text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The anchor GitHub gives a heading.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn heading(path: &[&NodeSpec]) -> String {
    format!("`{}`", path_name(path))
}

fn link(path: &[&NodeSpec], text: &str) -> String {
    format!("[`{text}`](#{})", slug(&heading(path)))
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

// ---------------------------------------------------------------------------------------------
// The decoder's rules beyond the table
// ---------------------------------------------------------------------------------------------

/// A rule of the decoder beyond the grammar table: the node needs one of several items
/// (properties, arguments or children) and takes at most one, or reports V003.
struct Rule {
    node: &'static str,
    one_of: &'static [&'static str],
    /// Items that also exclude the others, but do not satisfy the rule (an inline secret, V007).
    or_rejected: &'static [&'static str],
}

impl Rule {
    fn covers(&self, item: &str) -> bool {
        self.one_of.contains(&item) || self.or_rejected.contains(&item)
    }
}

/// The decoder's rules beyond the table. Keep this in step with `src/syntax/decode.rs`: the
/// reference documents these rules, a fragment that exercises none of a rule's items adds the
/// first, and `the_rules_beyond_the_table_are_the_decoders` checks that the decoder enforces them.
const NEEDS_ONE_OF: &[Rule] = &[
    Rule { node: "schema", one_of: &["path", "avro"], or_rejected: &[] },
    Rule { node: "transform", one_of: &["path", "sql"], or_rejected: &[] },
    Rule { node: "source", one_of: &["connector", "class"], or_rejected: &[] },
    Rule { node: "sink", one_of: &["connector", "class"], or_rejected: &[] },
    Rule { node: "user", one_of: &["value", "env", "file"], or_rejected: &[] },
    Rule { node: "password", one_of: &["env", "file"], or_rejected: &["value"] },
    Rule { node: "token", one_of: &["env", "file"], or_rejected: &["value"] },
    Rule { node: "key", one_of: &["env", "file"], or_rejected: &["value"] },
    Rule { node: "client-id", one_of: &["value", "env", "file"], or_rejected: &[] },
    Rule { node: "client-secret", one_of: &["env", "file"], or_rejected: &["value"] },
    Rule {
        node: "acl",
        one_of: &[
            "topic",
            "topic-prefix",
            "group",
            "group-prefix",
            "transactional-id",
            "transactional-id-prefix",
            "cluster",
        ],
        or_rejected: &[],
    },
];

/// The rules of a node: those of its name that name only items it takes (`tls`'s `key`, a
/// secret, is not a topic's `key`, a serde).
fn rules_of(node: &NodeSpec) -> impl Iterator<Item = (usize, &'static Rule)> {
    let name = node.name;
    NEEDS_ONE_OF
        .iter()
        .enumerate()
        .filter(move |(_, rule)| rule.node == name && rule.one_of.iter().all(|i| takes(node, i)))
}

fn takes(node: &NodeSpec, item: &str) -> bool {
    node.prop(item).is_some() || node.child(item).is_some() || node.args.iter().any(|a| a.name == item)
}

/// A rule of the decoder beyond the table that asks for children beside an item: a node with
/// `when` (a child, or its first argument with that value) needs the children `needs` too. For
/// an argument value, the node takes `needs` and `also` and no child another value asks for.
struct Beside {
    node: &'static str,
    when: &'static str,
    needs: &'static [&'static str],
    also: &'static [&'static str],
}

/// Keep this in step with `src/syntax/decode.rs` (`tls`, `sasl`), as [`NEEDS_ONE_OF`].
const NEEDS_BESIDE: &[Beside] = &[
    Beside { node: "tls", when: "cert", needs: &["key"], also: &[] },
    Beside { node: "tls", when: "key", needs: &["cert"], also: &[] },
    Beside { node: "sasl", when: "plain", needs: &["user", "password"], also: &[] },
    Beside { node: "sasl", when: "scram-sha-256", needs: &["user", "password"], also: &[] },
    Beside { node: "sasl", when: "scram-sha-512", needs: &["user", "password"], also: &[] },
    Beside { node: "sasl", when: "oauthbearer", needs: &["token-url", "client-id", "client-secret"], also: &["scope"] },
];

fn beside_of(node: &NodeSpec) -> impl Iterator<Item = &'static Beside> {
    let name = node.name;
    NEEDS_BESIDE.iter().filter(move |rule| rule.node == name)
}

/// A word as the decoder compares it: `"SCRAM_SHA_512"` is `scram-sha-512`.
fn word_of(value: &str) -> String {
    value.trim_matches('"').to_ascii_lowercase().replace('_', "-")
}

/// The rules of [`NEEDS_BESIDE`] for a node, as sentences.
fn beside_md(node: &NodeSpec) -> Vec<String> {
    beside_of(node)
        .map(|rule| {
            let when = if node.child(rule.when).is_some() {
                format!("a `{}` child", rule.when)
            } else {
                format!("`{}`", rule.when)
            };
            let needs: Vec<String> = rule.needs.iter().map(|n| format!("`{n}`")).collect();
            let also: String = rule.also.iter().map(|n| format!(", and may take `{n}`")).collect();
            format!("With {when}, needs {}{also}.", needs.join(", "))
        })
        .collect()
}

/// An item of a [`NEEDS_ONE_OF`] rule as the reference names it.
fn item_md(node: &NodeSpec, item: &str) -> String {
    if node.prop(item).is_some() {
        format!("`{item}=`")
    } else if node.child(item).is_some() {
        format!("a `{item}` child")
    } else if node.args.iter().any(|a| a.name == item) {
        format!("the argument `{item}`")
    } else {
        panic!("NEEDS_ONE_OF names `{item}`, which `{}` does not take in the grammar", node.name)
    }
}

/// The rules of [`NEEDS_ONE_OF`] for a node, as sentences.
fn rules_md(node: &NodeSpec) -> Vec<String> {
    rules_of(node)
        .map(|(_, rule)| {
            for item in rule.or_rejected {
                item_md(node, item);
            }
            let items: Vec<String> = rule.one_of.iter().map(|item| item_md(node, item)).collect();
            match items.as_slice() {
                [one] => format!("Needs {one}."),
                [init @ .., last] => format!("Takes exactly one of {} or {last}.", init.join(", ")),
                [] => unreachable!("a rule has at least one item"),
            }
        })
        .collect()
}

/// Whether the decoder requires a property although the table does not say so.
fn required_by_rule(node: &NodeSpec, prop: &str) -> bool {
    rules_of(node).any(|(_, rule)| rule.one_of == [prop])
}

// ---------------------------------------------------------------------------------------------
// REFERENCE.md
// ---------------------------------------------------------------------------------------------

const INTRO: &str = r##"# venice.kdl language reference

<!-- Generated from the grammar table (src/syntax/grammar.rs) by tests/reference.rs: do not edit.
     After changing the table or the generator, run `VENICE_BLESS=1 cargo test --test reference`. -->

Every node and property that `venice check` accepts, with the type of each value. This page is
generated from the grammar the decoder validates against, and a test keeps the two in step. The
[language guide](../docs/language.md) explains the ideas with examples;
[`venice.schema.kdl`](venice.schema.kdl) holds the same grammar in the KDL Schema language, for
tools.

## Writing venice.kdl: KDL v2 in brief

venice.kdl is written in KDL v2. A node is a name, then arguments and `name=value` properties,
then an optional block of children in braces. Any node may carry `doc="..."`, a description for
the readers of venice.kdl; the project's opens the README that `venice build` writes.

```kdl
topic orders partitions=6 doc="Every order placed on the web shop" {
    key string
    value avro schema=Order
}
```

### Quote words that start with a digit

KDL v2 reads a bare word that starts with a digit as a number, so a bare `7d` is a syntax error
(V001), not a duration. Quote durations, versions and any other such word:

```kdl
topic orders {
    retention "7d"          // not: retention 7d
}
stack {
    ksqldb version="0.29.0"
}
```

A duration is a whole number followed by `s`, `m`, `h` or `d` (`"30s"`, `"15m"`, `"12h"`, `"7d"`),
or `forever`, the only duration that may stay bare: `retention forever`.

Other words may be bare where KDL allows it (`topic orders`, `key string`, `cleanup compact`).
Quote a name that has spaces or any of `( ) { } [ ] / \ " # ; =`, and the words `true`, `false`,
`null`, `inf` and `nan`.

### Booleans are `#true` and `#false`

`unwrap #true`, `deletes #false`. A bare `true` is a syntax error in KDL v2: `true`, `false` and
`null` only exist with the `#`.

### Raw and multi-line strings for JSON and SQL

In a raw string, `#"..."#`, a backslash or a quote is just a character, so JSON is written as is:

```kdl
schema OrderId avro=#"{"type": "string"}"#
```

A multi-line string opens with `"""` (raw: `#"""`) at the end of a line and closes with `"""`
(raw: `"""#`) on a line of its own; the indentation of the closing line is removed from every
line. Inline ksqlDB statements are best written as multi-line raw strings:

```kdl
transform order-counts {
    sql #"""
        CREATE TABLE order_counts AS
          SELECT customer_id, COUNT(*) AS orders FROM orders GROUP BY customer_id EMIT CHANGES;
        """#
}
```

### More files: `include`

`include "pipelines/*.kdl"` merges more files into the project: a path or a glob, relative to the
file that has the `include`, whose matches are read in sorted order. An included file holds
top-level nodes like venice.kdl itself, and may include more files. A glob that matches nothing or
a path that does not exist is an error (V006), and so is an include cycle (V008).

### Secrets: `env=` and `file=`

A password or a token is never written inline (that is V007): name the environment variable that
holds it, or a file. Generated files refer to the variable, never to its value. A user name may be
written inline.

```kdl
database shop {
    user venice
    password env=POSTGRES_PASSWORD
}
target staging {
    schema-registry "https://sr.staging.example.com" {
        token file="secrets/registry-token"
    }
}
```

### Paths are relative to the file that names them

Every value of type *path* below (`path=`, `ddl=`, `file=`, `include`) is relative to the folder
of the file it is written in: in `pipelines/orders.kdl`, `schema Order path="order.avsc"` names
`pipelines/order.avsc`.

### Comments

`//` comments to the end of the line, `/* ... */` comments a span, and `/-` comments out the next
node, argument or property.

## Value types

| type | a value of this type is | for example |
|---|---|---|
| string | any string, bare where KDL allows it or quoted | `orders`, `"public.orders"` |
| integer, integer *a*..*b* | a whole number (from *a* to *b* inclusive), not quoted | `6` |
| `#true` or `#false` | a boolean | `#true` |
| one of ... | one of the listed words, bare or quoted | `kraft`, `"compact,delete"` |
| duration | a whole number followed by `s`, `m`, `h` or `d`, quoted; or `forever` | `"30s"`, `"7d"`, `forever` |
| path | a file path, relative to the file that names it | `"schema/order.avsc"` |
| reference to a *kind* | the name of a declared node of that kind; a name that is not declared is an error (V005) that suggests the closest one | `schema=Order` |
"##;

/// A type as the reference shows it.
fn type_md(ty: ValueType) -> String {
    match ty {
        ValueType::String => "string".into(),
        ValueType::Integer => "integer".into(),
        ValueType::IntegerIn(low, high) => format!("integer {low}..{high}"),
        ValueType::Bool => "`#true` or `#false`".into(),
        ValueType::OneOf(words) => {
            let words: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
            format!("one of {}", words.join(" \\| "))
        }
        ValueType::OneOfAnyCase(words) => format!("{} (in any case, `_` for `-`)", type_md(ValueType::OneOf(words))),
        ValueType::Duration => "duration".into(),
        ValueType::Principal => "principal (`Type:name`)".into(),
        ValueType::Rate => "rate (bytes per second: an integer, or `\"512KiB\"`, `\"5MiB\"`, `\"1GiB\"`)".into(),
        ValueType::Path => "path".into(),
        ValueType::Ref(kind) => {
            let target = ROOT.child(kind).map(|n| link(&[n], kind)).unwrap_or(format!("`{kind}`"));
            format!("reference to {} {target}", article(kind))
        }
    }
}

/// A type as a synopsis shows it.
fn type_short(ty: ValueType, name: &str) -> String {
    match ty {
        ValueType::String => "<string>".into(),
        ValueType::Integer => "<integer>".into(),
        ValueType::IntegerIn(low, high) => format!("<{low}..{high}>"),
        ValueType::Bool => "#true|#false".into(),
        ValueType::OneOf(words) if words.len() <= 4 => words.join("|"),
        ValueType::OneOf(_) | ValueType::OneOfAnyCase(_) => format!("<{name}>"),
        ValueType::Duration => "<duration>".into(),
        ValueType::Principal => "<principal>".into(),
        ValueType::Rate => "<rate>".into(),
        ValueType::Path => "<path>".into(),
        ValueType::Ref(kind) => format!("<{kind}>"),
    }
}

/// The default a description states: `(default 1)`, `(default: the brokers)`, `(default `x`)`,
/// or `KRaft (default)` for a word of the property's set.
fn default_in(doc: &str, ty: ValueType) -> Option<String> {
    let start = doc.find("(default")?;
    let rest = &doc[start + "(default".len()..];
    let inner = rest[..rest.find(')')?].trim_start_matches(':').trim();
    if inner.is_empty() {
        let (ValueType::OneOf(words) | ValueType::OneOfAnyCase(words)) = ty else { return None };
        let before = doc[..start].split_whitespace().last()?.to_lowercase();
        return words.contains(&before.as_str()).then(|| format!("`{before}`"));
    }
    let plain = !inner.contains(['`', ' ']);
    Some(if plain { format!("`{inner}`") } else { inner.to_string() })
}

fn synopsis(node: &NodeSpec) -> String {
    let mut parts = vec![kdl_word(node.name)];
    for arg in node.args {
        let mut part = format!("<{}>", arg.name);
        if arg.repeated {
            part.push_str("...");
        }
        parts.push(if arg.required { part } else { format!("[{part}]") });
    }
    for prop in node.props {
        let part = format!("{}={}", prop.name, type_short(prop.ty, prop.name));
        let required = prop.required || required_by_rule(node, prop.name);
        parts.push(if required { part } else { format!("[{part}]") });
    }
    if !node.children.is_empty() {
        parts.push("{ ... }".into());
    }
    parts.join(" ")
}

fn occurrence(node: &NodeSpec) -> &'static str {
    if node.repeatable { "any number of times" } else { "at most once" }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

fn render_reference() -> String {
    let mut out = String::from(INTRO);
    w!(out);
    w!(out, "## Nodes at a glance");
    w!(out);
    for path in node_paths() {
        let indent = "  ".repeat(path.len() - 1);
        let node = last(&path);
        w!(out, "{indent}- {}: {}", link(&path, node.name), node.doc);
    }
    w!(out);
    w!(out, "## Nodes");
    for path in node_paths() {
        w!(out);
        node_section(&mut out, &path);
    }
    out
}

fn node_section(out: &mut String, path: &[&'static NodeSpec]) {
    let node = last(path);
    w!(out, "### {}", heading(path));
    w!(out);
    w!(out, "{}", node.doc);
    w!(out);
    w!(out, "```text");
    w!(out, "{}", synopsis(node));
    w!(out, "```");
    w!(out);
    match &path[..path.len() - 1] {
        [] => w!(out, "At the top level, {} in the project.", occurrence(node)),
        parent => {
            let parent_name = last(parent).name;
            w!(out, "In {}, {}.", link(parent, parent_name), occurrence(node));
        }
    }
    w!(out);
    for rule in rules_md(node).into_iter().chain(beside_md(node)) {
        w!(out, "{rule}");
        w!(out);
    }
    if node.args.is_empty() {
        w!(out, "Arguments: none.");
    } else {
        w!(out, "| argument | type | required | repeated | description |");
        w!(out, "|---|---|---|---|---|");
        for arg in node.args {
            w!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                arg.name,
                type_md(arg.ty),
                yes_no(arg.required),
                yes_no(arg.repeated),
                cell(arg.doc)
            );
        }
    }
    w!(out);
    w!(out, "| property | type | required | default | description |");
    w!(out, "|---|---|---|---|---|");
    for prop in props(node) {
        w!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            prop.name,
            type_md(prop.ty),
            yes_no(prop.required || required_by_rule(node, prop.name)),
            default_in(prop.doc, prop.ty).unwrap_or_default(),
            cell(prop.doc)
        );
    }
    w!(out);
    if node.children.is_empty() {
        w!(out, "Children: none.");
    } else {
        w!(out, "| child | may appear | description |");
        w!(out, "|---|---|---|");
        for child in node.children {
            let mut child_path = path.to_vec();
            child_path.push(child);
            w!(out, "| {} | {} | {} |", link(&child_path, child.name), occurrence(child), cell(child.doc));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// venice.schema.kdl
// ---------------------------------------------------------------------------------------------

fn render_schema() -> String {
    let mut out = String::new();
    w!(out, "// The grammar of venice.kdl in the KDL Schema language (kdl-org/kdl, SCHEMA-SPEC.md).");
    w!(out, "// Generated from the grammar table (src/syntax/grammar.rs) by tests/reference.rs: do not edit.");
    w!(out, "// After changing the table or the generator, run `{BLESS}`.");
    w!(out, "//");
    w!(out, "// Values are listed in the order the node takes them. Rules the table cannot express, such");
    w!(out, "// as \"`path=` or `avro=`\", and the resolution of references, are `venice check`'s (see");
    w!(out, "// REFERENCE.md).");
    w!(out, "document {{");
    w!(out, "    info {{");
    w!(out, "        title \"venice.kdl\" lang=en");
    w!(
        out,
        "        description {} lang=en",
        kdl_string(
            "A Venice project: one event-streaming pipeline, its topics and serdes, schemas, apps, Kafka Connect connectors, ksqlDB transforms, local stack and deploy targets."
        )
    );
    w!(out, "        link \"REFERENCE.md\" rel=documentation");
    w!(out, "    }}");
    let doc = ROOT.prop("doc").expect("every node takes doc");
    w!(out, "    definitions {{");
    w!(out, "        prop {} id=doc description={} {{", kdl_word(doc.name), kdl_string(doc.doc));
    schema_type(&mut out, doc.ty, 3);
    w!(out, "        }}");
    w!(out, "    }}");
    for child in ROOT.children {
        schema_node(&mut out, child, 1);
    }
    w!(out, "}}");
    out
}

fn schema_node(out: &mut String, node: &NodeSpec, depth: usize) {
    let pad = "    ".repeat(depth);
    w!(out, "{pad}node {} description={} {{", kdl_word(node.name), kdl_string(node.doc));
    if !node.repeatable {
        w!(out, "{pad}    max 1");
    }
    for arg in node.args {
        let description = format!("{}: {}", arg.name, arg.doc);
        w!(out, "{pad}    value description={} {{", kdl_string(&description));
        w!(out, "{pad}        min {}", u8::from(arg.required));
        if !arg.repeated {
            w!(out, "{pad}        max 1");
        }
        schema_type(out, arg.ty, depth + 2);
        w!(out, "{pad}    }}");
    }
    for prop in node.props {
        w!(out, "{pad}    prop {} description={} {{", kdl_word(prop.name), kdl_string(prop.doc));
        if prop.required || required_by_rule(node, prop.name) {
            w!(out, "{pad}        required #true");
        }
        schema_type(out, prop.ty, depth + 2);
        w!(out, "{pad}    }}");
    }
    w!(out, "{pad}    prop ref=#\"[id=\"doc\"]\"#");
    if !node.children.is_empty() {
        w!(out, "{pad}    children {{");
        for child in node.children {
            schema_node(out, child, depth + 2);
        }
        w!(out, "{pad}    }}");
    }
    w!(out, "{pad}}}");
}

fn schema_type(out: &mut String, ty: ValueType, depth: usize) {
    let pad = "    ".repeat(depth);
    match ty {
        ValueType::String => w!(out, "{pad}type string"),
        ValueType::Integer => {
            w!(out, "{pad}type number");
            w!(out, "{pad}format i64");
        }
        ValueType::IntegerIn(low, high) => {
            w!(out, "{pad}type number");
            w!(out, "{pad}format i64");
            w!(out, "{pad}\">=\" {low}");
            w!(out, "{pad}\"<=\" {high}");
        }
        ValueType::Bool => w!(out, "{pad}type boolean"),
        ValueType::OneOf(words) => {
            w!(out, "{pad}type string");
            let words: Vec<String> = words.iter().map(|w| kdl_word(w)).collect();
            w!(out, "{pad}enum {}", words.join(" "));
        }
        ValueType::OneOfAnyCase(words) => {
            // KDL Schema's enum is exact; the pattern says what the decoder accepts.
            let words: Vec<String> = words.iter().map(|w| w.replace('-', "[-_]")).collect();
            w!(out, "{pad}type string // one of the words, in any case, `_` for `-`");
            w!(out, "{pad}pattern #\"(?i)^({})$\"#", words.join("|"));
        }
        ValueType::Duration => {
            w!(out, "{pad}type string // a duration: `30s`, `15m`, `12h`, `7d` or `forever`");
            w!(out, "{pad}pattern #\"^(forever|[0-9]+[smhd])$\"#");
        }
        ValueType::Principal => {
            w!(out, "{pad}type string // a Kafka principal, `Type:name`");
            w!(out, "{pad}pattern #\"^[A-Za-z]+:.+$\"#");
        }
        ValueType::Rate => {
            w!(out, "{pad}type string integer // bytes per second: an integer, or digits and KiB, MiB or GiB");
            w!(out, "{pad}pattern #\"^[0-9]+(KiB|MiB|GiB)?$\"#");
        }
        ValueType::Path => w!(out, "{pad}type string // a path, relative to the file that names it"),
        ValueType::Ref(kind) => w!(out, "{pad}type string // the name of a declared `{kind}`"),
    }
}

// ---------------------------------------------------------------------------------------------
// docs/checks.md
// ---------------------------------------------------------------------------------------------

const CHECKS_INTRO: &str = r##"# Diagnostic codes

<!-- Generated from the rules' registry (venice::rules::RULES) by tests/reference.rs: do not edit.
     After changing the registry or the generator, run `VENICE_BLESS=1 cargo test --test reference`. -->

Every problem `venice check` reports has a code, a severity, the place in your files where the
mistake is (with the other places involved, such as the writer of a topic), and help that says how
to fix it. A code keeps its meaning: it is never reused for another kind of problem. Each code
below links to its documentation, which `venice explain CODE` prints: what the check does, why it
matters, an example and what to write instead.

An error fails `venice check` (exit status 1); a warning fails it only with `--deny warnings`. The
status says how far a check goes: *checked* in full, *partial* (what is and is not checked
follows), or *planned*: the code is reserved and documented, and its check arrives with the part
of venice that can see the problem.

`venice check --format json` writes the same diagnostics as one JSON document, `--format sarif`
as SARIF 2.1.0 with one rule per code, and `--format github` as GitHub Actions annotations. These
three name each file relative to the project's root (the top of the git repository by default;
in SARIF, against the base `%SRCROOT%`), with forward slashes, wherever venice runs, so code
scanning and annotations find it in the repository; the human format names files as the project
folder was given.

The JSON document is `{"diagnostics": [...], "summary": {"errors": N, "warnings": N}}`. Each
diagnostic has `code`, `severity`, `message`, `file`, `line`, `column`, `end_line`, `end_column`
(exclusive), `labels` (each with `file`, `line`, `column`, `message`), `help`, and, when it
knows what downstream the problem breaks (V202), `impact`: entries with `kind`, `name`,
`column_name`, `field`, `file`, `line` and `column`, described with V202.
"##;

/// The ranges of codes, by their first two characters.
const CODE_RANGES: &[(&str, &str)] = &[
    ("V0", "V0xx: the files themselves"),
    ("V1", "V1xx: serdes along the edges"),
    ("V2", "V2xx: schemas"),
    ("V3", "V3xx: ksqlDB transforms"),
    ("V4", "V4xx: connectors"),
    ("V5", "V5xx: the topology"),
];

/// Every `.md` file under `dir`, with its text.
fn markdown_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())) {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files.extend(markdown_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "md") {
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            files.push((path, text));
        }
    }
    files
}

/// The documentation file of a rule, relative to `docs/`: the file under `src/rules/` that holds
/// its text, wherever the rule keeps it.
fn doc_link(rule: &venice::rules::Rule, docs: &[(PathBuf, String)]) -> String {
    let (path, _) = docs
        .iter()
        .find(|(_, text)| text == rule.doc)
        .unwrap_or_else(|| panic!("no .md file under src/rules/ holds the documentation of {}", rule.code));
    let relative = path.strip_prefix(repo_path("")).expect("under the repository");
    format!("../{}", relative.to_string_lossy().replace('\\', "/"))
}

fn status_md(status: venice::rules::Status) -> String {
    match status {
        venice::rules::Status::Checked => "checked".into(),
        venice::rules::Status::Partial(what) => format!("partial: {}", cell(what)),
        venice::rules::Status::Planned => "planned".into(),
    }
}

fn render_checks() -> String {
    let docs = markdown_files(&repo_path("src/rules"));
    let mut out = String::from(CHECKS_INTRO);
    for (prefix, title) in CODE_RANGES {
        w!(out);
        w!(out, "## {title}");
        w!(out);
        w!(out, "| code | name | severity | status |");
        w!(out, "|---|---|---|---|");
        for rule in venice::rules::RULES.iter().filter(|rule| rule.code.starts_with(prefix)) {
            let (code, name, severity) = (rule.code, cell(rule.name), rule.severity.as_str());
            w!(out, "| [{code}]({}) | {name} | {severity} | {} |", doc_link(rule, &docs), status_md(rule.status));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The generated files are committed
// ---------------------------------------------------------------------------------------------

/// Writes the generated files while blessing; otherwise, what differs from the committed ones.
fn stale_files(generated: &[(&str, String)]) -> Vec<String> {
    let mut stale = Vec::new();
    for (relative, text) in generated {
        let path = repo_path(relative);
        if blessing() {
            fs::create_dir_all(path.parent().expect("in a folder")).expect("create the folder");
            fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {relative}: {e}"));
            continue;
        }
        let on_disk = fs::read_to_string(&path).unwrap_or_default();
        if on_disk != *text {
            stale.push(format!("{relative}: {}", first_difference(&on_disk, text)));
        }
    }
    stale
}

#[test]
fn the_committed_reference_is_generated_from_the_grammar() {
    let stale = stale_files(&[(REFERENCE, render_reference()), (SCHEMA, render_schema())]);
    assert!(
        stale.is_empty(),
        "the language reference is out of date with the grammar table:\n  {}\n\
         Run `{BLESS}` to rewrite it, then review and commit the result.",
        stale.join("\n  ")
    );
}

#[test]
fn the_committed_list_of_codes_is_generated_from_the_registry() {
    let stale = stale_files(&[(CHECKS, render_checks())]);
    assert!(
        stale.is_empty(),
        "the list of codes is out of date with the rules' registry:\n  {}\n\
         Run `{BLESS}` to rewrite it, then review and commit the result.",
        stale.join("\n  ")
    );
}

#[test]
fn every_code_is_in_a_range_of_the_list() {
    for rule in venice::rules::RULES {
        assert!(
            CODE_RANGES.iter().any(|(prefix, _)| rule.code.starts_with(prefix)),
            "{} is in no range of CODE_RANGES: add its range to docs/checks.md's generator",
            rule.code
        );
    }
}

fn first_difference(on_disk: &str, generated: &str) -> String {
    if on_disk.is_empty() {
        return "missing".into();
    }
    let (mut old, mut new) = (on_disk.lines(), generated.lines());
    let mut line = 1;
    loop {
        match (old.next(), new.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (None, None) => return "differs in line endings".into(),
            (a, b) => {
                return format!(
                    "differs from line {line}:\n    committed: {}\n    generated: {}",
                    a.unwrap_or("(end of file)"),
                    b.unwrap_or("(end of file)")
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The table is consistent
// ---------------------------------------------------------------------------------------------

#[test]
fn the_grammar_table_is_consistent() {
    let mut problems = Vec::new();
    let mut nodes: Vec<NodePath> = vec![vec![]];
    nodes.extend(node_paths());
    for path in &nodes {
        let node = path.last().copied().unwrap_or(&ROOT);
        let name = if path.is_empty() { ROOT.name.to_string() } else { path_name(path) };
        if node.doc.trim().is_empty() {
            problems.push(format!("`{name}` has no description"));
        }
        let mut seen = BTreeSet::new();
        for child in node.children {
            if !seen.insert(child.name) {
                problems.push(format!("`{name}` has two children named `{}`", child.name));
            }
        }
        let mut seen = BTreeSet::new();
        for prop in node.prop_names() {
            if !seen.insert(prop) {
                problems.push(format!("`{name}` has two properties named `{prop}`"));
            }
        }
        let mut types = Vec::new();
        for (i, arg) in node.args.iter().enumerate() {
            if arg.required && node.args[..i].iter().any(|a| !a.required) {
                problems.push(format!("`{name}`: required argument `{}` follows an optional one", arg.name));
            }
            if arg.repeated && i + 1 != node.args.len() {
                problems.push(format!("`{name}`: only the last argument can be repeated, not `{}`", arg.name));
            }
            types.push((format!("argument `{}`", arg.name), arg.ty, arg.doc));
        }
        for prop in node.props {
            types.push((format!("property `{}`", prop.name), prop.ty, prop.doc));
        }
        for (what, ty, doc) in types {
            if doc.trim().is_empty() {
                problems.push(format!("`{name}`: {what} has no description"));
            }
            match ty {
                ValueType::IntegerIn(low, high) if low > high => {
                    problems.push(format!("`{name}`: {what} has an empty range {low}..{high}"));
                }
                ValueType::OneOf(words) | ValueType::OneOfAnyCase(words) => {
                    let unique: BTreeSet<_> = words.iter().collect();
                    if words.is_empty() || unique.len() != words.len() {
                        problems.push(format!("`{name}`: {what} has an empty or repeated word set"));
                    }
                }
                ValueType::Ref(kind) => match ROOT.child(kind) {
                    None => problems.push(format!("`{name}`: {what} refers to `{kind}`, which is no top-level node")),
                    Some(target) => {
                        let named = target.args.first().is_some_and(|a| a.required && a.ty == ValueType::String);
                        if !named || !target.repeatable {
                            problems.push(format!(
                                "`{name}`: {what} refers to `{kind}`, which is not a repeatable node with a name"
                            ));
                        }
                    }
                },
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "the grammar table is inconsistent:\n  {}", problems.join("\n  "));
}

// ---------------------------------------------------------------------------------------------
// (a) Everything the decoder accepts is documented
// ---------------------------------------------------------------------------------------------

/// The body of the reference's section on one node.
fn section<'r>(reference: &'r str, path: &[&NodeSpec]) -> Option<&'r str> {
    let title = format!("### {}\n", heading(path));
    let start = reference.find(&title)? + title.len();
    let rest = &reference[start..];
    let end = rest.find("\n### ").or_else(|| rest.find("\n## ")).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[test]
fn every_node_and_property_is_in_the_reference() {
    let reference = committed(REFERENCE, render_reference);
    let mut missing = Vec::new();
    for path in node_paths() {
        let node = last(&path);
        let name = path_name(&path);
        let Some(body) = section(&reference, &path) else {
            missing.push(format!("node `{name}` (no section `### {}`)", heading(&path)));
            continue;
        };
        for arg in node.args {
            if !body.contains(&format!("\n| `{}` | {} |", arg.name, type_md(arg.ty))) {
                missing.push(format!("argument `{}` of `{name}`", arg.name));
            }
        }
        for prop in props(node) {
            if !body.contains(&format!("\n| `{}` | {} |", prop.name, type_md(prop.ty))) {
                missing.push(format!("property `{}` of `{name}`", prop.name));
            }
        }
        for child in node.children {
            let mut child_path = path.clone();
            child_path.push(child);
            if !body.contains(&format!("\n| {} |", link(&child_path, child.name))) {
                missing.push(format!("child `{}` of `{name}`", child.name));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{REFERENCE} does not document what the decoder accepts:\n  {}\nRun `{BLESS}` to regenerate it.",
        missing.join("\n  ")
    );
}

/// The nodes and properties a KDL Schema describes, as `a > b` and `a > b prop=name`.
fn schema_items(document: &kdl::KdlDocument) -> BTreeSet<String> {
    fn visit(nodes: &[kdl::KdlNode], path: &str, out: &mut BTreeSet<String>) {
        for node in nodes.iter().filter(|n| n.name().value() == "node") {
            let name = node.get(0).and_then(|v| v.as_string()).unwrap_or("?");
            let path = if path.is_empty() { name.to_string() } else { format!("{path} > {name}") };
            out.insert(path.clone());
            let children = node.children().map(|c| c.nodes()).unwrap_or_default();
            for prop in children.iter().filter(|n| n.name().value() == "prop") {
                let key = match (prop.get(0).and_then(|v| v.as_string()), prop.get("ref")) {
                    (Some(key), _) => key.to_string(),
                    (None, Some(_)) => "doc".to_string(),
                    (None, None) => "?".to_string(),
                };
                out.insert(format!("{path} prop={key}"));
            }
            for block in children.iter().filter(|n| n.name().value() == "children") {
                visit(block.children().map(|c| c.nodes()).unwrap_or_default(), &path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    let top = document.get("document").and_then(|d| d.children()).map(|c| c.nodes()).unwrap_or_default();
    visit(top, "", &mut out);
    out
}

#[test]
fn the_kdl_schema_is_kdl_v2_and_describes_every_node_and_property() {
    let text = committed(SCHEMA, render_schema);
    let document = kdl::KdlDocument::parse_v2(&text).unwrap_or_else(|e| panic!("{SCHEMA} is not KDL v2: {e:?}"));
    let described = schema_items(&document);
    let mut expected = BTreeSet::new();
    for path in node_paths() {
        let name = path_name(&path);
        expected.insert(name.clone());
        for prop in last(&path).prop_names() {
            expected.insert(format!("{name} prop={prop}"));
        }
    }
    let missing: Vec<_> = expected.difference(&described).collect();
    let extra: Vec<_> = described.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{SCHEMA} and the grammar differ.\n  not in the schema: {missing:?}\n  not in the grammar: {extra:?}\n\
         Run `{BLESS}` to regenerate it."
    );
}

// ---------------------------------------------------------------------------------------------
// (b) Everything documented is accepted
// ---------------------------------------------------------------------------------------------

/// Files that `Path` values name in fragments, with their contents.
const FILES: &[(&str, &str)] = &[
    ("included/more.kdl", "// an included file\n"),
    ("schemas/order.avsc", r#"{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}"#),
    ("ksql/statements.sql", "SHOW TOPICS;\n"),
    ("sql/table.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n"),
    ("secrets/value.txt", "secret\n"),
    ("files/other.txt", "other\n"),
];

fn sample_path(node: &str, slot: &str) -> &'static str {
    match (node, slot) {
        ("include", _) => "included/*.kdl",
        ("schema", "path") => "schemas/order.avsc",
        ("transform", "path") => "ksql/statements.sql",
        (_, "ddl") => "sql/table.sql",
        (_, "file") => "secrets/value.txt",
        _ => "files/other.txt",
    }
}

/// Valid values of a type, as KDL literals: every word of a set, both ends of a range.
fn samples(node: &str, slot: &str, ty: ValueType) -> Vec<String> {
    match ty {
        ValueType::String => vec![match (node, slot) {
            ("schema", "avro") => r##"#"{"type": "string"}"#"##.to_string(),
            ("sql", "text") => "#\"\"\"\nSHOW TOPICS;\n\"\"\"#".to_string(),
            ("ksqldb", "version") => "\"0.29.0\"".to_string(),
            ("kafka", "bootstrap") => "\"localhost:9092\"".to_string(),
            (_, "url") => "\"https://localhost:8081\"".to_string(),
            (_, "env") => "VENICE_TEST_SECRET".to_string(),
            (_, "doc") => "\"A description.\"".to_string(),
            ("pk", "fields") => "ID".to_string(),
            _ => "x".to_string(),
        }],
        ValueType::Integer => vec!["1".into()],
        ValueType::IntegerIn(low, high) => {
            let mut values = vec![low.to_string()];
            if high != low {
                values.push(high.to_string());
            }
            values
        }
        ValueType::Bool => vec!["#true".into(), "#false".into()],
        ValueType::OneOf(words) => words.iter().map(|w| kdl_word(w)).collect(),
        ValueType::OneOfAnyCase(words) => {
            let registry = words.iter().map(|w| kdl_word(&w.to_uppercase().replace('-', "_")));
            words.iter().map(|w| kdl_word(w)).chain(registry).collect()
        }
        ValueType::Duration => ["forever", "\"30s\"", "\"15m\"", "\"12h\"", "\"7d\""].map(String::from).to_vec(),
        ValueType::Principal => vec!["\"User:app\"".into()],
        ValueType::Rate => vec!["1048576".into(), "\"5MiB\"".into()],
        ValueType::Path => vec![kdl_string(sample_path(node, slot))],
        ValueType::Ref(kind) => vec![kdl_word(&format!("ref-{kind}"))],
    }
}

/// What a fragment exercises on its innermost node.
#[derive(Clone, Debug)]
enum Exercise {
    Node,
    Arg(usize, String),
    Prop(&'static str, String),
}

/// One fragment to check: what it exercises, and the venice.kdl text.
struct Case {
    what: String,
    kdl: String,
}

#[derive(Default)]
struct Builder {
    /// The kinds that references in the fragment name, to declare.
    refs: BTreeSet<&'static str>,
    /// A rule of [`NEEDS_ONE_OF`] (by index) that the fragment's nodes are built without.
    skip_rule: Option<usize>,
    /// A rule whose first item the fragment's nodes are given even when they have another.
    force_rule: Option<usize>,
    /// Built without what [`NEEDS_BESIDE`] asks for.
    skip_beside: bool,
}

impl Builder {
    /// The fragment that exercises `exercise` on the last node of `path`, with declarations of
    /// everything it refers to.
    fn fragment(path: &[&'static NodeSpec], exercise: &Exercise) -> String {
        Builder::default().build(path, exercise)
    }

    fn build(mut self, path: &[&'static NodeSpec], exercise: &Exercise) -> String {
        let mut body = String::new();
        self.node(path, exercise, 0, &mut body);
        // The rules are bent for the fragment only, never for the declarations.
        (self.skip_rule, self.force_rule, self.skip_beside) = (None, None, false);
        let mut declared = BTreeSet::new();
        let mut declarations = String::new();
        while let Some(kind) = self.refs.iter().copied().find(|k| !declared.contains(k)) {
            declared.insert(kind);
            let node =
                ROOT.child(kind).unwrap_or_else(|| panic!("a reference to `{kind}`, which is no top-level node"));
            let name = Exercise::Arg(0, kdl_word(&format!("ref-{kind}")));
            self.node(&[node], &name, 0, &mut declarations);
        }
        declarations + &body
    }

    fn value(&mut self, node: &NodeSpec, slot: &str, ty: ValueType) -> String {
        if let ValueType::Ref(kind) = ty {
            self.refs.insert(kind);
        }
        samples(node.name, slot, ty).swap_remove(0)
    }

    fn node(&mut self, path: &[&'static NodeSpec], exercise: &Exercise, depth: usize, out: &mut String) {
        let node = path[0];
        let here = (path.len() == 1).then_some(exercise);
        let pad = "    ".repeat(depth);
        // The item this node is given for the fragment's sake: an argument, a property or a child.
        let exercised: Option<&str> = match here {
            Some(Exercise::Node) => None,
            Some(Exercise::Arg(i, _)) => Some(node.args[*i].name),
            Some(Exercise::Prop(name, _)) => Some(name),
            None => Some(path[1].name),
        };
        // What the decoder's rules beyond the table ask for (see NEEDS_ONE_OF).
        let mut wanted_props: Vec<&'static str> = node.props.iter().filter(|p| p.required).map(|p| p.name).collect();
        let mut filler_children = Vec::new();
        let mut filler_args = 0;
        for (index, rule) in rules_of(node) {
            let (forced, skipped) = (self.force_rule == Some(index), self.skip_rule == Some(index));
            if skipped || (!forced && exercised.is_some_and(|e| rule.covers(e))) {
                continue;
            }
            let first = rule.one_of[0];
            if node.prop(first).is_some() {
                wanted_props.push(first);
            } else if let Some(child) = node.child(first) {
                filler_children.push(child);
            } else if let Some(i) = node.args.iter().position(|a| a.name == first) {
                filler_args = filler_args.max(i + 1);
            } else {
                panic!("NEEDS_ONE_OF names `{first}`, which `{}` does not take in the grammar", node.name);
            }
        }
        let first_arg = self.first_arg(node, here, exercised);
        for rule in beside_of(node).filter(|_| !self.skip_beside) {
            let applies = match &first_arg {
                Some(value) if node.child(rule.when).is_none() => word_of(value) == rule.when,
                _ => exercised == Some(rule.when),
            };
            let missing = rule.needs.iter().filter(|n| exercised != Some(**n));
            filler_children.extend(missing.filter_map(|n| node.child(n)).filter(|_| applies));
        }
        let mut entries = Vec::new();
        let exercised_arg = match here {
            Some(Exercise::Arg(i, _)) => Some(*i),
            _ => None,
        };
        let required_args = node.args.iter().rposition(|a| a.required).map_or(0, |i| i + 1);
        let arg_count = required_args.max(filler_args).max(exercised_arg.map_or(0, |i| i + 1));
        for (i, arg) in node.args.iter().enumerate().take(arg_count) {
            let value = match here {
                Some(Exercise::Arg(j, value)) if *j == i => {
                    if let ValueType::Ref(kind) = arg.ty {
                        self.refs.insert(kind);
                    }
                    value.clone()
                }
                _ if i == 0 && first_arg.is_some() => first_arg.clone().unwrap_or_default(),
                _ => self.value(node, arg.name, arg.ty),
            };
            if arg.repeated && exercised_arg == Some(i) {
                entries.push(value.clone());
            }
            entries.push(value);
        }
        if let Some(Exercise::Prop(name, _)) = here {
            wanted_props.push(name);
        }
        let mut given = BTreeSet::new();
        for name in wanted_props {
            if !given.insert(name) {
                continue;
            }
            let spec = node.prop(name).expect("a property of the grammar");
            let value = match here {
                Some(Exercise::Prop(exercised, value)) if *exercised == name => {
                    if let ValueType::Ref(kind) = spec.ty {
                        self.refs.insert(kind);
                    }
                    value.clone()
                }
                _ => self.value(node, name, spec.ty),
            };
            entries.push(format!("{}={value}", kdl_word(name)));
        }
        let _ = write!(out, "{pad}{}", kdl_word(node.name));
        for entry in &entries {
            let _ = write!(out, " {entry}");
        }
        if here.is_some() && filler_children.is_empty() {
            w!(out);
            return;
        }
        w!(out, " {{");
        if here.is_none() {
            self.node(&path[1..], exercise, depth + 1, out);
        }
        for child in filler_children {
            self.node(&[child], &Exercise::Node, depth + 1, out);
        }
        w!(out, "{pad}}}");
    }

    /// The first argument of a node whose [`NEEDS_BESIDE`] rules depend on its value (`sasl`'s
    /// mechanism): as exercised, else the value whose settings the exercised child is among,
    /// else the first sample.
    fn first_arg(&mut self, node: &NodeSpec, here: Option<&Exercise>, exercised: Option<&str>) -> Option<String> {
        let arg = node.args.first()?;
        let mut by_value = beside_of(node).filter(|rule| node.child(rule.when).is_none()).peekable();
        by_value.peek()?;
        if let Some(Exercise::Arg(0, value)) = here {
            return Some(value.clone());
        }
        let wanted = by_value.find(|rule| exercised.is_some_and(|e| rule.needs.contains(&e) || rule.also.contains(&e)));
        Some(wanted.map_or_else(|| self.value(node, arg.name, arg.ty), |rule| kdl_word(rule.when)))
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for path in node_paths() {
        let node = last(&path);
        let name = path_name(&path);
        let mut add = |what: String, exercise: Exercise| {
            let kdl = Builder::fragment(&path, &exercise);
            cases.push(Case { what, kdl });
        };
        add(format!("node `{name}`"), Exercise::Node);
        for (i, arg) in node.args.iter().enumerate() {
            for value in samples(node.name, arg.name, arg.ty) {
                add(format!("argument `{}` of `{name}` = {value}", arg.name), Exercise::Arg(i, value));
            }
        }
        for prop in props(node) {
            for value in samples(node.name, prop.name, prop.ty) {
                add(format!("property `{}` of `{name}` = {value}", prop.name), Exercise::Prop(prop.name, value));
            }
        }
    }
    cases
}

/// The diagnostics with one of `codes`, one a line, with where they point.
fn reported(checked: &Checked, codes: &[&str]) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .filter(|d| codes.contains(&d.code))
        .map(|d| {
            let file = checked.sources.get(d.span.file);
            let at = file.line_col(d.span.start);
            format!("{} at {}:{}:{}: {}", d.code, file.name, at.line, at.column, d.message)
        })
        .collect()
}

fn project_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, text) in FILES {
        let full = dir.path().join(path);
        fs::create_dir_all(full.parent().expect("in a folder")).expect("create a folder");
        fs::write(full, text).expect("write a file");
    }
    dir
}

/// Checks `kdl` as a venice.kdl in `dir`, catching a panic of the decoder (a debug assertion
/// that it read something the grammar does not have) as a failure.
fn check(dir: &Path, kdl: &str) -> Result<Checked, String> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_bytes(dir, kdl.as_bytes())));
    result.map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("the check panicked: {message}")
    })
}

#[test]
fn everything_the_reference_documents_is_accepted() {
    let dir = project_dir();
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let problems = match check(dir.path(), &case.kdl) {
            Ok(checked) => reported(&checked, &["V001", "V002", "V003"]),
            Err(panic) => vec![panic],
        };
        if !problems.is_empty() {
            failures.push(format!(
                "{} is rejected:\n{}\n  in this fragment:\n{}",
                case.what,
                problems.iter().map(|p| format!("    {p}")).collect::<Vec<_>>().join("\n"),
                case.kdl.lines().map(|l| format!("    | {l}")).collect::<Vec<_>>().join("\n"),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fragments that use a documented node or property are rejected:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The fragment's path and exercise that give a node one item of a rule.
fn exercise_item(path: &[&'static NodeSpec], item: &str) -> (NodePath, Exercise) {
    let node = last(path);
    if let Some(prop) = node.prop(item) {
        let value = samples(node.name, prop.name, prop.ty).swap_remove(0);
        return (path.to_vec(), Exercise::Prop(prop.name, value));
    }
    if let Some(child) = node.child(item) {
        let mut child_path = path.to_vec();
        child_path.push(child);
        return (child_path, Exercise::Node);
    }
    let (index, arg) = node.args.iter().enumerate().find(|(_, a)| a.name == item).expect("an item of the grammar");
    (path.to_vec(), Exercise::Arg(index, samples(node.name, arg.name, arg.ty).swap_remove(0)))
}

#[test]
fn the_rules_beyond_the_table_are_the_decoders() {
    let dir = project_dir();
    let codes = |kdl: &str| -> Vec<&'static str> {
        let checked = check(dir.path(), kdl).expect("no panic");
        checked.diagnostics.iter().map(|d| d.code).collect()
    };
    let mut failures = Vec::new();
    let mut expect = |code: &str, what: String, kdl: String| {
        if !codes(&kdl).contains(&code) {
            failures.push(format!("{what}, and no {code} is reported:\n{kdl}"));
        }
    };
    for (index, rule) in NEEDS_ONE_OF.iter().enumerate() {
        let (name, options) = (rule.node, rule.one_of);
        let path = node_paths().into_iter().find(|p| rules_of(last(p)).any(|(i, _)| i == index));
        let path = path.unwrap_or_else(|| panic!("NEEDS_ONE_OF names `{name}`, which is no node of the grammar"));
        let shown = path_name(&path);
        let without = Builder { skip_rule: Some(index), ..Builder::default() }.build(&path, &Exercise::Node);
        expect("V003", format!("`{shown}` has none of {options:?}"), without);
        for second in options.iter().skip(1).chain(rule.or_rejected) {
            let (both_path, exercise) = exercise_item(&path, second);
            let both = Builder { force_rule: Some(index), ..Builder::default() }.build(&both_path, &exercise);
            expect("V003", format!("`{shown}` has both `{}` and `{second}`", options[0]), both);
        }
        for rejected in rule.or_rejected {
            let (alone_path, exercise) = exercise_item(&path, rejected);
            let alone = Builder::fragment(&alone_path, &exercise);
            expect("V007", format!("`{shown}` has `{rejected}`"), alone);
        }
    }
    for rule in NEEDS_BESIDE {
        let path = node_paths().into_iter().find(|p| last(p).name == rule.node);
        let path =
            path.unwrap_or_else(|| panic!("NEEDS_BESIDE names `{}`, which is no node of the grammar", rule.node));
        let (when_path, exercise) = if last(&path).child(rule.when).is_some() {
            exercise_item(&path, rule.when)
        } else {
            (path.clone(), Exercise::Arg(0, kdl_word(rule.when)))
        };
        let without = Builder { skip_beside: true, ..Builder::default() }.build(&when_path, &exercise);
        expect("V003", format!("`{}` has `{}` without {:?}", path_name(&path), rule.when, rule.needs), without);
    }
    assert!(failures.is_empty(), "NEEDS_ONE_OF says more than the decoder does:\n{}", failures.join("\n"));
}

#[test]
fn the_fragments_would_catch_a_rejected_property() {
    // The fragments are only a test if a wrong one fails: a property the grammar does not have,
    // added to a fragment, must be reported.
    let dir = project_dir();
    let topic = ROOT.child("topic").expect("topic is in the grammar");
    let good = Builder::fragment(&[topic], &Exercise::Node);
    let checked = check(dir.path(), &good).expect("no panic");
    assert!(reported(&checked, &["V001", "V002", "V003"]).is_empty(), "{good}");
    let bad = good.replacen("topic x", "topic x no-such-property=1", 1);
    assert_ne!(bad, good);
    let checked = check(dir.path(), &bad).expect("no panic");
    assert!(!reported(&checked, &["V002"]).is_empty(), "{bad}");
}

// ---------------------------------------------------------------------------------------------
// (c) The examples of the language guide and of the reference are accepted
// ---------------------------------------------------------------------------------------------

/// The fenced ```kdl blocks of a Markdown text.
fn kdl_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim_start().starts_with("```kdl") => current = Some((n + 2, String::new())),
            None => {}
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    blocks
}

/// Whether a block of KDL is a whole project: its first node is `project`.
fn is_whole_project(kdl: &str) -> bool {
    let mut lines = kdl.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with("//"));
    lines.next().is_some_and(|first| first.starts_with("project "))
}

/// What is wrong with an example of the guide: a whole project must check without an error, in
/// a folder of its own; a fragment must only be accepted by the decoder (it names files and
/// declarations that it does not show, V005 and V006).
fn guide_problems(kdl: &str, fragments_dir: &Path) -> Vec<String> {
    let whole = is_whole_project(kdl);
    let own_dir = tempfile::tempdir().expect("a temporary folder");
    let dir = if whole { own_dir.path() } else { fragments_dir };
    let checked = match check(dir, kdl) {
        Ok(checked) => checked,
        Err(panic) => return vec![panic],
    };
    if !whole {
        return reported(&checked, &["V001", "V002", "V003"]);
    }
    if !checked.has_errors() {
        return Vec::new();
    }
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    reported(&checked, &codes)
}

#[test]
fn the_examples_of_the_language_guide_are_accepted() {
    let guide = fs::read_to_string(repo_path(GUIDE)).unwrap_or_else(|e| panic!("cannot read {GUIDE}: {e}"));
    let blocks = kdl_blocks(&guide);
    assert!(
        blocks.iter().any(|(_, kdl)| is_whole_project(kdl)),
        "{GUIDE} has no complete project (a ```kdl block that starts with `project`)"
    );
    let dir = project_dir();
    let mut failures = Vec::new();
    for (line, example) in blocks {
        let problems = guide_problems(&example, dir.path());
        if !problems.is_empty() {
            failures.push(format!(
                "the example at line {line} (lines below count from there):\n{example}  {}",
                problems.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{GUIDE}'s examples are rejected:\n{}", failures.join("\n"));
}

#[test]
fn the_examples_of_the_reference_are_accepted() {
    let reference = committed(REFERENCE, render_reference);
    let dir = project_dir();
    let blocks = kdl_blocks(&reference);
    assert!(!blocks.is_empty(), "{REFERENCE} has no ```kdl examples");
    let mut failures = Vec::new();
    for (line, example) in blocks {
        let problems = match check(dir.path(), &example) {
            Ok(checked) => reported(&checked, &["V001", "V002", "V003"]),
            Err(panic) => vec![panic],
        };
        if !problems.is_empty() {
            failures.push(format!("the example at line {line}:\n{example}  {}", problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{REFERENCE}'s examples are rejected:\n{}", failures.join("\n"));
}

#[test]
fn what_the_reference_says_about_kdl_v2_holds() {
    let dir = project_dir();
    let codes = |kdl: &str| -> Vec<&'static str> {
        let checked = check(dir.path(), kdl).expect("no panic");
        // The front end's codes (V0xx) only, and no V005: the fragments refer to undeclared names.
        checked.diagnostics.iter().map(|d| d.code).filter(|c| c.starts_with("V0") && *c != "V005").collect()
    };
    let none = Vec::<&str>::new();
    // A bare word that starts with a digit is a syntax error; quoted, it is a duration.
    assert_eq!(codes("topic t {\n    retention 7d\n}\n"), ["V001"]);
    assert_eq!(codes("topic t {\n    retention \"7d\"\n}\n"), none);
    assert_eq!(codes("topic t {\n    retention forever\n}\n"), none);
    // Keywords must be quoted to be names.
    for word in ["true", "false", "null", "inf", "nan"] {
        assert_eq!(codes(&format!("topic {word}\n")), ["V001"], "bare `{word}`");
        assert_eq!(codes(&format!("topic \"{word}\"\n")), none, "quoted `{word}`");
    }
    // Booleans need their `#`.
    assert_eq!(codes("source s connector=jdbc {\n    unwrap true\n}\n"), ["V001"]);
    assert_eq!(codes("source s connector=jdbc {\n    unwrap #true\n}\n"), none);
    // Includes: a glob that matches nothing and a missing file are V006.
    assert_eq!(codes("include \"nowhere/*.kdl\"\n"), ["V006"]);
    assert_eq!(codes("include \"nowhere.kdl\"\n"), ["V006"]);
    // Paths are relative to the file that names them, also in an included file.
    let pipelines = dir.path().join("pipelines");
    fs::create_dir_all(&pipelines).expect("create a folder");
    fs::write(pipelines.join("order.avsc"), r#"{"type": "string"}"#).expect("write a file");
    fs::write(pipelines.join("orders.kdl"), "schema Order path=\"order.avsc\"\n").expect("write a file");
    assert_eq!(codes("include \"pipelines/*.kdl\"\n"), none);
    assert_eq!(codes("schema Order path=\"order.avsc\"\n"), ["V006"]);
    // Inline secrets are V007; `env=` and `file=` are fine.
    assert_eq!(codes("database d {\n    password secret\n}\n"), ["V007"]);
    assert_eq!(codes("database d {\n    password env=PG\n}\n"), none);
}
