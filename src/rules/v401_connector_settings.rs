//! V401: a connector the catalog does not know, used the wrong way round, without a setting it
//! cannot run without, with a format no Connect converter handles, or whose plugin the stack's
//! Connect does not install.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::connect::catalog::Setting;
use crate::connect::{Kind, catalog};
use crate::diagnostic::{Diagnostic, Severity, suggest};
use crate::model::{Connector, ConnectorKind, Direction, Format, Project, Side, Spanned};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V401",
    name: "unknown connector or missing setting",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v401_connector_settings.md"),
};

pub(crate) fn check(project: &Project, _: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for connector in &project.connectors {
        let who = describe(connector);
        if let Some(ConnectorKind::Catalog(name)) = &connector.kind {
            check_entry(project, connector, &who, name, diagnostics);
        }
        check_formats(connector, &who, diagnostics);
    }
}

/// A connector that names a catalog entry: the entry exists, works this way round, has the
/// settings it cannot run without, and the stack installs its plugin.
fn check_entry(
    project: &Project,
    connector: &Connector,
    who: &str,
    name: &Spanned<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(entry) = catalog::entry(&name.value) else {
        let suggestion = suggest(&name.value, catalog::names());
        diagnostics.push(unknown_connector(who, &name.value, suggestion.as_deref(), name.span));
        return;
    };
    if !entry.works_as(connector.direction) {
        let works_as = catalog::direction_word(entry.directions[0]);
        diagnostics.push(wrong_direction(who, &name.value, works_as, name.span));
        return;
    }
    // A sink's `topic=` is the grammar's to require (V003).
    let missing = entry.required.iter().filter(|s| !s.given(connector));
    for setting in missing.filter(|s| !(**s == Setting::Topic && connector.direction == Direction::Sink)) {
        diagnostics.push(missing_setting(who, &name.value, setting.node(), connector.name.span));
    }
    if entry.kind == Kind::DebeziumPostgres
        && let Some(reference) = &connector.database
        && project.database(&reference.value).is_some_and(|d| d.user.is_none())
    {
        diagnostics.push(database_user_missing(who, &reference.value, reference.span));
    }
    let connect = project.stack.as_ref().and_then(|s| s.connect.as_ref());
    if let Some(connect) = connect.filter(|c| !c.plugins.is_empty())
        && !connect.plugins.iter().any(|p| p.value == entry.plugin)
    {
        diagnostics.push(plugin_missing(who, entry.plugin, connect.span, name.span));
    }
}

/// The key and value formats of a connector: each has a converter that can hold what it writes.
fn check_formats(connector: &Connector, who: &str, diagnostics: &mut Vec<Diagnostic>) {
    for side in [Side::Key, Side::Value] {
        let own = match side {
            Side::Key => connector.key.as_ref(),
            Side::Value => connector.value.as_ref(),
        };
        let Some(serde) = own else { continue };
        let format = serde.format.value;
        if format == Format::AvroRaw {
            diagnostics.push(no_converter(who, side, format, serde.format.span));
        } else if let Some(records) = written_records(connector, side).filter(|r| !fits(r, format)) {
            diagnostics.push(cannot_write(who, side, format, records, serde.format.span));
        }
    }
}

/// `sink \`name\``, as messages name a connector.
fn describe(connector: &Connector) -> String {
    format!("{} `{}`", catalog::direction_word(connector.direction), connector.name.value)
}

/// What a catalog source writes on a side, when Venice knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Records {
    /// Debezium's key and value structs.
    Structs,
    /// A FileStream source's lines: Connect strings.
    Lines,
}

impl Records {
    fn words(self) -> &'static str {
        match self {
            Records::Structs => "records (Connect structs)",
            Records::Lines => "lines of text",
        }
    }
}

fn written_records(connector: &Connector, side: Side) -> Option<Records> {
    if connector.direction != Direction::Source {
        return None;
    }
    match catalog::of(connector)?.kind {
        Kind::DebeziumPostgres => Some(Records::Structs),
        // The FileStream source writes no key.
        Kind::File if side == Side::Value => Some(Records::Lines),
        _ => None,
    }
}

/// Whether a format's converter can write such records: `IntegerConverter` and its siblings
/// take only their own type, `ByteArrayConverter` only bytes, and `StringConverter` writes a
/// struct as its `toString()`.
fn fits(records: &Records, format: Format) -> bool {
    match format {
        Format::Int | Format::Long | Format::Double | Format::Bytes => false,
        Format::String | Format::Delimited => *records == Records::Lines,
        _ => true,
    }
}

/// `connector=` names no catalog entry.
fn unknown_connector(connector: &str, name: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "use one of {}, or any connector by its Java class with `class=\"...\"`",
            catalog::names().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    RULE.diagnostic(span, format!("{connector} names the unknown connector `{name}`"), "not in the catalog")
        .with_help(help)
}

/// A catalog entry used in a direction it does not work in (`source connector=jdbc`).
fn wrong_direction(connector: &str, name: &str, works_as: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(
        span,
        format!("{connector} uses `{name}`, which is a {works_as} connector"),
        format!("a {works_as} connector"),
    )
    .with_help(format!("declare it as a `{works_as}`, or pick a connector that works this way"))
}

/// A setting the connector cannot run without.
fn missing_setting(connector: &str, name: &str, setting: &str, span: Span) -> Diagnostic {
    let help = match setting {
        "database" => "add `database NAME`, naming a declared `database`".into(),
        "table" => "add `table \"schema.table\" topic=TOPIC` for each table to capture".into(),
        "file" => "add `file \"PATH\"`: the file the connector reads or writes".into(),
        "topic=" => "add `topic=TOPIC`".into(),
        other => format!("add `{other}`"),
    };
    RULE.diagnostic(span, format!("{connector} (`{name}`) needs `{setting}`"), format!("no `{setting}`"))
        .with_help(help)
}

/// The database a Debezium source reads has no `user` (`database.user` has no default).
fn database_user_missing(connector: &str, database: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("{connector} reads database `{database}`, which has no `user`"), "read here")
        .with_help(format!(
            "Debezium's `database.user` has no default: add `user NAME` to `database {database}`, a role with REPLICATION and LOGIN"
        ))
}

/// A format that no Kafka Connect converter reads or writes (`avro-raw`).
fn no_converter(connector: &str, side: Side, format: Format, span: Span) -> Diagnostic {
    RULE.diagnostic(
        span,
        format!("no Kafka Connect converter reads or writes `{format}`, the {} format of {connector}", side.as_str()),
        format!("`{format}` has no converter"),
    )
    .with_help("`avro-raw` has no registry framing, and Connect's converters only read and write `avro` (with the framing): use `avro`, or `bytes` to pass the bytes through")
}

/// A source whose records a format's converter cannot write (a Debezium struct as `string`, a
/// FileStream line as `int`).
fn cannot_write(connector: &str, side: Side, format: Format, records: Records, span: Span) -> Diagnostic {
    let help = match format {
        Format::String | Format::Delimited => {
            "`StringConverter` writes a record's `toString()`, which nothing can read back: use `avro`, `json-sr`, `protobuf`, `json` or `connect-json`"
        }
        _ => "that converter fails the task on the first record: use a format that holds what the connector writes",
    };
    let message =
        format!("{connector} writes {} as its {}, which `{format}` cannot hold", records.words(), side.as_str());
    RULE.diagnostic(span, message, format!("`{format}` here")).with_help(help)
}

/// The stack's Connect lists its plugins, and not this connector's; `stack` is where it lists them.
fn plugin_missing(connector: &str, plugin: &str, stack: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(
        span,
        format!("{connector} needs the Connect plugin `{plugin}`, which the stack does not install"),
        "its plugin is not installed",
    )
    .with_label(stack, "the plugins the stack installs")
    .with_help(format!("add `plugin {plugin}` to `stack {{ connect {{ ... }} }}`"))
}
