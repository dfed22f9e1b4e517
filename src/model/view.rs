//! Per-target values: what a `target` changes, for itself, of what the project declares, and
//! the project as that target sees it ([`Project::view`]).
//!
//! A target may change a topic's partitions, replication, retention, cleanup and configs, give
//! every topic defaults, change a connector's `tasks.max` and configs, and move a database. The
//! contract (serdes, schemas, SQL, the edges) is the same in every target: the grammar does not
//! take it there. Precedence, most specific first: the target's `topic X`, the declared `topic
//! X`, the target's `defaults`, the top-level `defaults`, the built-in default. A default fills
//! only what a declaration leaves unset, as kafka-gitops' `settings.topics.defaults` does.

use super::names::{Names, Physical};
use super::{CleanupPolicy, Duration};
use super::{ConfigEntry, Connector, Credential, Database, Direction, Project, Spanned, Topic};

/// `defaults`: what a topic that does not say takes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Defaults {
    pub(crate) partitions: Option<Spanned<u32>>,
    pub(crate) replication: Option<Spanned<u32>>,
    pub(crate) config: Vec<ConfigEntry>,
}

/// What one target changes, as written in it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Overrides {
    pub(crate) defaults: Option<Defaults>,
    pub(crate) topics: Vec<TopicOverride>,
    pub(crate) connectors: Vec<ConnectorOverride>,
    pub(crate) databases: Vec<DatabaseOverride>,
    /// `names`: the prefixes of the target's physical names.
    pub(crate) names: Option<Names>,
    /// `ksqldb ... service-id=`: the target's ksqlDB service id.
    pub(crate) ksql_service_id: Option<Spanned<String>>,
}

impl Overrides {
    pub(crate) fn is_empty(&self) -> bool {
        self.defaults.is_none()
            && self.topics.is_empty()
            && self.connectors.is_empty()
            && self.databases.is_empty()
            && self.names.is_none()
            && self.ksql_service_id.is_none()
    }
}

/// A target's `topic NAME`.
#[derive(Debug, Clone)]
pub(crate) struct TopicOverride {
    pub(crate) name: Spanned<String>,
    pub(crate) partitions: Option<Spanned<u32>>,
    pub(crate) replication: Option<Spanned<u32>>,
    pub(crate) retention: Option<Spanned<Duration>>,
    pub(crate) cleanup: Option<Spanned<CleanupPolicy>>,
    pub(crate) config: Vec<ConfigEntry>,
    /// `name=`: the topic's physical name in this target, as written.
    pub(crate) rename: Option<Spanned<String>>,
}

/// A target's `source NAME` or `sink NAME`.
#[derive(Debug, Clone)]
pub(crate) struct ConnectorOverride {
    pub(crate) name: Spanned<String>,
    pub(crate) direction: Direction,
    pub(crate) tasks: Option<Spanned<u32>>,
    pub(crate) config: Vec<ConfigEntry>,
}

/// A target's `database NAME`.
#[derive(Debug, Clone)]
pub(crate) struct DatabaseOverride {
    pub(crate) name: Spanned<String>,
    pub(crate) host: Option<Spanned<String>>,
    pub(crate) port: Option<Spanned<u16>>,
    pub(crate) db_name: Option<Spanned<String>>,
    pub(crate) user: Option<Credential>,
    pub(crate) password: Option<Credential>,
}

impl Project {
    /// The project as `target` sees it: the top-level `defaults` applied, then, when `target`
    /// names a declared target, that target's values. Decoding calls it, before indexing: every
    /// later phase reads the finished view. A value a default or an override sets keeps the span
    /// of the node that set it, so a check can point there.
    pub(crate) fn view(mut self, target: Option<&str>) -> Project {
        let chosen = target.and_then(|name| self.targets.iter().find(|t| t.name.value == name));
        let overrides = chosen.map(|t| t.overrides.clone()).unwrap_or_default();
        let access = chosen.map(|t| t.access.clone());
        self.viewed_as = chosen.map(|t| t.name.clone());
        let renames = overrides.topics.iter().filter_map(|o| Some((o.name.value.clone(), o.rename.clone()?.value)));
        self.physical = Physical::new(overrides.names.as_ref(), renames);
        let layers = [self.defaults.as_ref(), overrides.defaults.as_ref()];
        for topic in &mut self.topics {
            let own = overrides.topics.iter().find(|o| o.name.value == topic.name.value);
            apply_to_topic(topic, layers, own);
        }
        for connector in &mut self.connectors {
            let own = overrides
                .connectors
                .iter()
                .find(|o| o.name.value == connector.name.value && o.direction == connector.direction);
            if let Some(own) = own {
                apply_to_connector(connector, own);
            }
        }
        for database in &mut self.databases {
            if let Some(own) = overrides.databases.iter().find(|o| o.name.value == database.name.value) {
                apply_to_database(database, own.clone());
            }
        }
        self.apply_access(access.as_ref());
        self
    }

    /// The target this project is the view of.
    pub(crate) fn viewed_target(&self) -> Option<&super::Target> {
        let name = self.viewed_as.as_ref()?;
        self.targets.iter().find(|t| t.name.value == name.value)
    }
}

/// `layers`: the top-level defaults, then the target's.
fn apply_to_topic(topic: &mut Topic, layers: [Option<&Defaults>; 2], own: Option<&TopicOverride>) {
    let [top, target] = layers;
    let defaulted = |pick: fn(&Defaults) -> &Option<Spanned<u32>>| {
        target.and_then(|d| pick(d).clone()).or_else(|| top.and_then(|d| pick(d).clone()))
    };
    let partitions = own.and_then(|o| o.partitions.clone()).or(topic.partitions.take());
    topic.partitions = partitions.or_else(|| defaulted(|d| &d.partitions));
    let replication = own.and_then(|o| o.replication.clone()).or(topic.replication.take());
    topic.replication = replication.or_else(|| defaulted(|d| &d.replication));
    if let Some(own) = own {
        topic.retention = own.retention.clone().or(topic.retention.take());
        topic.cleanup = own.cleanup.clone().or(topic.cleanup.take());
    }
    let declared = std::mem::take(&mut topic.config);
    let layers = [top.map(|d| &d.config[..]), target.map(|d| &d.config[..]), Some(&declared[..])];
    for layer in layers.into_iter().flatten().chain(own.map(|o| &o.config[..])) {
        merge_config(&mut topic.config, layer);
    }
}

fn apply_to_connector(connector: &mut Connector, own: &ConnectorOverride) {
    if own.tasks.is_some() {
        connector.tasks = own.tasks.clone();
    }
    merge_config(&mut connector.config, &own.config);
}

fn apply_to_database(database: &mut Database, own: DatabaseOverride) {
    database.host = own.host.or(database.host.take());
    database.port = own.port.or(database.port.take());
    database.db_name = own.db_name.or(database.db_name.take());
    database.user = own.user.or(database.user.take());
    database.password = own.password.or(database.password.take());
}

/// `config` entries by key: a later one replaces an earlier one of the same key, in its place.
fn merge_config(into: &mut Vec<ConfigEntry>, layer: &[ConfigEntry]) {
    for entry in layer {
        match into.iter_mut().find(|e| e.key.value == entry.key.value) {
            Some(existing) => *existing = entry.clone(),
            None => into.push(entry.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes_as;
    use crate::model::Project;
    use std::path::Path;

    const PROJECT: &str = r#"
defaults replication=1 partitions=2 { config "min.insync.replicas" "1"; config "segment.bytes" "1000"; }
topic orders partitions=6 { key string; value json; config "segment.bytes" "2000"; }
topic audit { key string; value json; retention "7d"; }
database shop { host postgres port=5432; user venice; password env=PG; }
sink to-db connector=jdbc topic=orders { database shop; config "batch.size" "100"; }
target prod {
    kafka "b1:9092" brokers=3
    defaults replication=3 { config "min.insync.replicas" "2"; }
    topic orders partitions=12 { retention "30d"; config "segment.bytes" "3000"; }
    sink to-db tasks=4 { config "batch.size" "3000"; config "max.retries" "5"; }
    database shop { host "db.prod.internal"; name shop_prod; }
}
"#;

    fn view(target: Option<&str>) -> Project {
        let checked = check_bytes_as(Path::new("/nonexistent"), PROJECT.as_bytes(), target);
        checked.project
    }

    fn configs(config: &[crate::model::ConfigEntry]) -> Vec<(String, String)> {
        let mut pairs: Vec<_> = config.iter().map(|e| (e.key.value.clone(), e.value.value.clone())).collect();
        pairs.sort();
        pairs
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn as_declared_the_top_level_defaults_fill_what_a_topic_leaves_unset() {
        let project = view(None);
        assert!(project.viewed_as.is_none());
        let (orders, audit) = (project.topic("orders").unwrap(), project.topic("audit").unwrap());
        assert_eq!(orders.partitions.as_ref().unwrap().value, 6);
        assert_eq!(audit.partitions.as_ref().unwrap().value, 2);
        assert_eq!(audit.replication.as_ref().unwrap().value, 1);
        assert_eq!(configs(&orders.config), [pair("min.insync.replicas", "1"), pair("segment.bytes", "2000")]);
    }

    #[test]
    fn precedence_target_topic_then_topic_then_target_defaults_then_top_level() {
        let project = view(Some("prod"));
        assert_eq!(project.viewed_as.as_ref().unwrap().value, "prod");
        let (orders, audit) = (project.topic("orders").unwrap(), project.topic("audit").unwrap());
        assert_eq!(orders.partitions.as_ref().unwrap().value, 12);
        assert_eq!(audit.partitions.as_ref().unwrap().value, 2, "the top-level default");
        assert_eq!(audit.replication.as_ref().unwrap().value, 3, "the target's default wins over the top level");
        assert_eq!(orders.retention.as_ref().unwrap().value, crate::model::Duration::parse("30d").unwrap());
        assert_eq!(audit.retention.as_ref().unwrap().value, crate::model::Duration::parse("7d").unwrap());
        // `config` merges by key, the most specific layer winning.
        assert_eq!(configs(&orders.config), [pair("min.insync.replicas", "2"), pair("segment.bytes", "3000")]);
        assert_eq!(configs(&audit.config), [pair("min.insync.replicas", "2"), pair("segment.bytes", "1000")]);
    }

    #[test]
    fn an_overridden_value_keeps_the_span_of_the_override() {
        let checked = check_bytes_as(Path::new("/nonexistent"), PROJECT.as_bytes(), Some("prod"));
        let orders = checked.project.topic("orders").unwrap();
        assert_eq!(checked.sources.text(orders.partitions.as_ref().unwrap().span), "12");
        let audit = checked.project.topic("audit").unwrap();
        let replication = audit.replication.as_ref().unwrap().span;
        assert!(PROJECT[..replication.start].ends_with("defaults replication="));
        assert!(replication.start > PROJECT.find("target prod").unwrap());
    }

    #[test]
    fn connectors_and_databases_take_the_targets_values() {
        let project = view(Some("prod"));
        let sink = &project.connectors[0];
        assert_eq!(sink.tasks.as_ref().unwrap().value, 4);
        assert_eq!(configs(&sink.config), [pair("batch.size", "3000"), pair("max.retries", "5")]);
        let shop = project.database("shop").unwrap();
        assert_eq!(shop.host.as_ref().unwrap().value, "db.prod.internal");
        assert_eq!(shop.port.as_ref().unwrap().value, 5432, "kept: the target's `host` gives no port");
        assert_eq!(shop.db_name.as_ref().unwrap().value, "shop_prod");
        assert!(shop.password.is_some());
        let declared = view(None);
        assert!(declared.connectors[0].tasks.is_none());
        assert_eq!(declared.database("shop").unwrap().host.as_ref().unwrap().value, "postgres");
    }

    #[test]
    fn a_target_that_is_not_declared_changes_nothing() {
        let project = view(Some("staging"));
        assert!(project.viewed_as.is_none());
        assert_eq!(project.topic("orders").unwrap().partitions.as_ref().unwrap().value, 6);
    }
}
