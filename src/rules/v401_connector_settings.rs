//! V401: a connector the catalog does not know, used the wrong way round, without a setting it
//! cannot run without, with a format no Connect converter handles, or whose plugin the stack's
//! Connect does not install.

use crate::analysis::Analysis;
use crate::connect::catalog::Setting;
use crate::connect::{Kind, Problem, catalog};
use crate::diagnostic::{Diagnostic, DiagnosticKind, suggest};
use crate::model::{Connector, ConnectorKind, Direction, Format, Project, Side};

pub fn check(project: &Project, _: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let mut report = |problem, span| diagnostics.push(Diagnostic::new(DiagnosticKind::Connect(problem), span));
    for connector in &project.connectors {
        let who = describe(connector);
        if let Some(ConnectorKind::Catalog(name)) = &connector.kind {
            let Some(entry) = catalog::entry(&name.value) else {
                let suggestion = suggest(&name.value, catalog::names());
                report(Problem::UnknownConnector { connector: who, name: name.value.clone(), suggestion }, name.span);
                continue;
            };
            if !entry.works_as(connector.direction) {
                let works_as = catalog::direction_word(entry.directions[0]);
                report(Problem::WrongDirection { connector: who, name: name.value.clone(), works_as }, name.span);
                continue;
            }
            // A sink's `topic=` is the grammar's to require (V003).
            let missing = entry.required.iter().filter(|s| !s.given(connector));
            for setting in missing.filter(|s| !(**s == Setting::Topic && connector.direction == Direction::Sink)) {
                let problem = Problem::MissingSetting {
                    connector: who.clone(),
                    name: name.value.clone(),
                    setting: setting.node(),
                };
                report(problem, connector.name.span);
            }
            if entry.kind == Kind::DebeziumPostgres
                && let Some(reference) = &connector.database
                && project.database(&reference.value).is_some_and(|d| d.user.is_none())
            {
                let problem =
                    Problem::DatabaseUserMissing { connector: who.clone(), database: reference.value.clone() };
                report(problem, reference.span);
            }
            let connect = project.stack.as_ref().and_then(|s| s.connect.as_ref());
            if let Some(connect) = connect.filter(|c| !c.plugins.is_empty())
                && !connect.plugins.iter().any(|p| p.value == entry.plugin)
            {
                let problem =
                    Problem::PluginMissing { connector: who.clone(), plugin: entry.plugin, stack: connect.span };
                report(problem, name.span);
            }
        }
        for side in [Side::Key, Side::Value] {
            let own = match side {
                Side::Key => connector.key.as_ref(),
                Side::Value => connector.value.as_ref(),
            };
            let Some(serde) = own else { continue };
            let format = serde.format.value;
            if format == Format::AvroRaw {
                let problem = Problem::NoConverter { connector: who.clone(), side, format };
                report(problem, serde.format.span);
            } else if let Some(records) = written_records(connector, side).filter(|r| !fits(r, format)) {
                let problem = Problem::CannotWrite { connector: who.clone(), side, format, records: records.words() };
                report(problem, serde.format.span);
            }
        }
    }
}

/// `sink \`name\``, as messages name a connector.
pub fn describe(connector: &Connector) -> String {
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
