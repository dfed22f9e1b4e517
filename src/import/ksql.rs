//! ksqlDB's streams and tables in dependency order: a source after every source its query
//! reads, ties by name, so the transforms venice writes run in an order ksqlDB accepts.

use super::snapshot::KsqlSource;
use std::collections::BTreeSet;

/// The sources, each after those it reads (Kahn's algorithm; a cycle, which ksqlDB cannot
/// hold, keeps its members in name order at the end).
pub(crate) fn order(sources: &[KsqlSource]) -> Vec<&KsqlSource> {
    let names: BTreeSet<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    let mut sorted: Vec<&KsqlSource> = sources.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    loop {
        let ready = sorted.iter().find(|s| {
            !placed.contains(s.name.as_str())
                && s.reads.iter().all(|r| placed.contains(r.as_str()) || !names.contains(r.as_str()))
        });
        match ready {
            Some(source) => {
                placed.insert(&source.name);
                out.push(*source);
            }
            None => break,
        }
    }
    out.extend(sorted.into_iter().filter(|s| !placed.contains(s.name.as_str())));
    out
}

/// A file and transform name for a statement: lower case, `_` for anything but letters and digits.
pub(crate) fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// A statement as a file's text: ended by `;` and a newline.
pub(crate) fn file_text(statement: &str) -> String {
    let statement = statement.trim().trim_end_matches(';').trim_end();
    format!("{statement};\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, reads: &[&str]) -> KsqlSource {
        KsqlSource {
            name: name.into(),
            topic: name.to_lowercase(),
            statement: format!("CREATE STREAM {name} ..."),
            reads: reads.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn sources_come_after_what_they_read() {
        let sources = [
            source("A_TOTALS", &["PLATINUM"]),
            source("PLATINUM", &["ORDERS", "CUSTOMERS"]),
            source("ORDERS", &[]),
            source("CUSTOMERS", &[]),
            source("Z", &["GONE"]),
        ];
        let order: Vec<&str> = order(&sources).into_iter().map(|s| s.name.as_str()).collect();
        assert_eq!(order, ["CUSTOMERS", "ORDERS", "PLATINUM", "A_TOTALS", "Z"]);
        let cycle = [source("B", &["A"]), source("A", &["B"]), source("C", &[])];
        let order: Vec<&str> = super::order(&cycle).into_iter().map(|s| s.name.as_str()).collect();
        assert_eq!(order, ["C", "A", "B"]);
        assert_eq!(slug("Big-Orders.v2"), "big_orders_v2");
        assert_eq!(file_text("CREATE STREAM X AS SELECT 1 FROM Y;  \n"), "CREATE STREAM X AS SELECT 1 FROM Y;\n");
    }
}
