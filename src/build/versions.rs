//! The versions venice pins, read from `versions.env` at the repository's root: one table that
//! the Compose stack, the Connect image's Dockerfile, the Strimzi resources and
//! `scripts/stack.sh` (which sources the file) share, so they cannot drift apart.
//!
//! The plugin archives each connector kind needs are built here from those versions, with the
//! checksums of the table: the Dockerfile verifies SHA-256, Strimzi's `build.plugins` SHA-512.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The table's text, compiled in.
pub(crate) const TABLE: &str = include_str!("../../versions.env");

/// `NAME=value` lines of [`TABLE`]; comments and blank lines skipped.
static PARSED: LazyLock<BTreeMap<&'static str, &'static str>> = LazyLock::new(|| parse(TABLE));

pub(crate) fn parse(text: &str) -> BTreeMap<&str, &str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .collect()
}

/// The value of `name` in the table. A name the code asks for is in the table (a test reads
/// every one), so a missing one is a bug.
pub(crate) fn get(name: &str) -> &'static str {
    PARSED.get(name).copied().unwrap_or_else(|| panic!("versions.env has no {name}"))
}

/// The Confluent Platform release every `confluentinc/cp-*` image is pinned to.
pub fn cp_version() -> &'static str {
    get("CP_VERSION")
}

/// The Kafka version of the Strimzi resources.
pub(crate) fn strimzi_kafka_version() -> &'static str {
    get("STRIMZI_KAFKA_VERSION")
}

/// A plugin archive: where it is published and what it must hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Archive {
    /// What it is, for comments and the README.
    pub(crate) title: String,
    pub(crate) url: String,
    /// Strimzi's artifact type: `tgz`, `zip` or `jar`.
    pub(crate) kind: &'static str,
    /// `None` where the publisher could not be reached when the version was pinned.
    pub(crate) sha256: Option<&'static str>,
    pub(crate) sha512: Option<&'static str>,
}

const MAVEN_CENTRAL: &str = "https://repo1.maven.org/maven2";
/// Confluent Hub's download host, as `confluent-hub install` uses it.
const CONFLUENT_HUB: &str = "https://hub-downloads.confluent.io/api/plugins";

/// A Debezium connector's plugin archive on Maven Central.
fn debezium(artifact: &str, prefix: &str, title: &str) -> Archive {
    let version = get(&format!("{prefix}_VERSION"));
    Archive {
        title: format!("{title} {version}"),
        url: format!("{MAVEN_CENTRAL}/io/debezium/{artifact}/{version}/{artifact}-{version}-plugin.tar.gz"),
        kind: "tgz",
        sha256: Some(get(&format!("{prefix}_SHA256"))),
        sha512: Some(get(&format!("{prefix}_SHA512"))),
    }
}

/// A Confluent Hub component's archive (`owner/name` at `version`); no checksum (see versions.env).
pub(crate) fn confluent_hub(component: &str, version: &str, title: &str) -> Archive {
    let file = component.replace('/', "-");
    Archive {
        title: format!("{title} {version}"),
        url: format!("{CONFLUENT_HUB}/{component}/versions/{version}/{file}-{version}.zip"),
        kind: "zip",
        sha256: None,
        sha512: None,
    }
}

/// Confluent's JDBC connector, as `confluent-hub install` names it.
pub(crate) fn confluent_jdbc_component() -> String {
    format!("confluentinc/kafka-connect-jdbc:{}", get("CONFLUENT_JDBC_VERSION"))
}

/// The archive that installs a `stack connect` plugin, when it is not in the Confluent image.
/// `file` is part of Kafka's distribution and comes as a jar only for Strimzi.
pub(crate) fn plugin_archive(plugin: &str) -> Option<Archive> {
    match plugin {
        "debezium-postgres" => {
            Some(debezium("debezium-connector-postgres", "DEBEZIUM_POSTGRES", "Debezium PostgreSQL source"))
        }
        "debezium-jdbc" => Some(debezium("debezium-connector-jdbc", "DEBEZIUM_JDBC", "Debezium JDBC sink")),
        "jdbc" => Some(confluent_hub(
            "confluentinc/kafka-connect-jdbc",
            get("CONFLUENT_JDBC_VERSION"),
            "Confluent JDBC connector",
        )),
        "file" => {
            let version = strimzi_kafka_version();
            Some(Archive {
                title: format!("Kafka FileStream connectors {version}"),
                url: format!("{MAVEN_CENTRAL}/org/apache/kafka/connect-file/{version}/connect-file-{version}.jar"),
                kind: "jar",
                sha256: Some(get("CONNECT_FILE_SHA256")),
                sha512: Some(get("CONNECT_FILE_SHA512")),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plugin_of_the_catalog_has_an_archive_and_maven_central_ones_have_checksums() {
        for entry in crate::connect::catalog::CATALOG {
            let archive = plugin_archive(entry.plugin).unwrap_or_else(|| panic!("{}", entry.plugin));
            if archive.url.starts_with(MAVEN_CENTRAL) {
                assert_eq!(archive.sha256.map(str::len), Some(64), "{}", archive.url);
                assert_eq!(archive.sha512.map(str::len), Some(128), "{}", archive.url);
            }
        }
    }

    #[test]
    fn the_table_has_no_value_a_shell_would_read_otherwise() {
        for (name, value) in parse(TABLE) {
            assert!(name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'), "{name}");
            assert!(!value.is_empty() && !value.contains(['$', ' ', '"', '\'', '`', '#']), "{name}={value}");
        }
    }
}
