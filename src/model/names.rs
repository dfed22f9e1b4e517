//! Physical names: what a target calls, on its cluster, what the project declares.
//!
//! A declared name is the identity everything in venice.kdl refers to (edges, `topic=`, ksqlDB
//! sources, the lock's baseline); a target may give it another name on its cluster, with a prefix
//! for every topic and consumer group (`names topic-prefix="staging." group-prefix="staging-"`)
//! or a new name for one topic (`topic audit name="audit.v2"`, taken as written: no prefix is
//! added to it). What is created on the cluster, what connectors, ksqlDB and the apps are
//! configured with, what `plan`, `apply`, `topics` and `tail` address and what the registry
//! subjects are named after (TopicNameStrategy, `<physical>-value`) is the physical name, which
//! every phase asks of [`Project::physical_topic`] and [`Project::physical_group`].
//!
//! Kafka Connect names a sink's consumer group itself, `connect-<connector>`
//! (`SinkUtils.consumerGroupId`): a group prefix does not reach it.

use super::{Project, Spanned};
use std::borrow::Cow;
use std::collections::HashMap;

/// A target's `names`: the prefixes of its physical names.
#[derive(Debug, Default, Clone)]
pub(crate) struct Names {
    pub(crate) topic_prefix: Option<Spanned<String>>,
    pub(crate) group_prefix: Option<Spanned<String>>,
}

/// The physical naming of the view's target, made once by [`Project::view`].
#[derive(Debug, Default)]
pub(crate) struct Physical {
    topic_prefix: String,
    group_prefix: String,
    /// `name=` of the target's `topic` nodes, by declared name.
    renamed: HashMap<String, String>,
}

impl Physical {
    pub(crate) fn new(names: Option<&Names>, renames: impl Iterator<Item = (String, String)>) -> Physical {
        let prefix = |p: Option<&Spanned<String>>| p.map(|p| p.value.clone()).unwrap_or_default();
        Physical {
            topic_prefix: prefix(names.and_then(|n| n.topic_prefix.as_ref())),
            group_prefix: prefix(names.and_then(|n| n.group_prefix.as_ref())),
            renamed: renames.collect(),
        }
    }
}

/// `prefix` + `name`, borrowed when there is no prefix.
fn prefixed<'a>(prefix: &str, name: &'a str) -> Cow<'a, str> {
    if prefix.is_empty() { Cow::Borrowed(name) } else { Cow::Owned(format!("{prefix}{name}")) }
}

impl Project {
    /// The name on the cluster of the topic declared as `declared`: the target's rename of it,
    /// else the target's topic prefix and the name; the name itself in the project as declared.
    /// A topic a ksqlDB query writes that is not declared keeps the name its SQL gives it: ksqlDB
    /// names it, not venice.
    pub(crate) fn physical_topic<'a>(&'a self, declared: &'a str) -> Cow<'a, str> {
        match self.physical.renamed.get(declared) {
            Some(renamed) => Cow::Borrowed(renamed),
            None if self.topic(declared).is_none() => Cow::Borrowed(declared),
            None => prefixed(&self.physical.topic_prefix, declared),
        }
    }

    /// The name on the cluster of a consumer's group, `group=` as declared.
    pub(crate) fn physical_group<'a>(&'a self, declared: &'a str) -> Cow<'a, str> {
        prefixed(&self.physical.group_prefix, declared)
    }

    /// Whether a declared topic is named otherwise on the view's cluster.
    pub(crate) fn is_renamed(&self, declared: &str) -> bool {
        self.physical_topic(declared) != declared
    }

    /// The ksqlDB service id of the view's target (`ksqldb "url" service-id=...`), else the one
    /// the stack gives its server ([`Project::stack_ksql_service_id`]).
    pub(crate) fn ksql_service_id(&self) -> String {
        let own = self.viewed_target().and_then(|t| t.overrides.ksql_service_id.as_ref());
        own.map_or_else(|| self.stack_ksql_service_id(), |id| id.value.clone())
    }

    /// `KSQL_KSQL_SERVICE_ID` of the stack's ksqlDB server: `{name}_`, the Compose project name
    /// with `_` for `-`.
    pub(crate) fn stack_ksql_service_id(&self) -> String {
        format!("{}_", self.stack_name().replace('-', "_"))
    }

    /// The Compose project name: lower-case letters, digits, `-` and `_`, starting with a letter
    /// or digit (Docker's rule).
    pub(crate) fn stack_name(&self) -> String {
        let raw = self.name.as_ref().map_or("venice", |n| n.value.as_str()).to_lowercase();
        let mut name: String =
            raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
        name = name.trim_start_matches(['-', '_']).to_string();
        if name.is_empty() { "venice".into() } else { name }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes_as;
    use crate::model::Project;
    use std::path::Path;

    const PROJECT: &str = r#"
project shop-app
topic orders { key string; value json; }
topic audit { key string; value json; }
consumer billing topic=orders group=billing
target staging {
    kafka "b1:9092"
    names topic-prefix="staging." group-prefix="staging-"
    topic audit name="audit.v2"
    ksqldb "http://ksqldb:8088" service-id="shop_staging_"
}
target prod { kafka "b1:9092"; }
"#;

    fn view(target: Option<&str>) -> Project {
        check_bytes_as(Path::new("/nonexistent"), PROJECT.as_bytes(), target).project
    }

    #[test]
    fn as_declared_a_name_is_its_physical_name() {
        let project = view(None);
        assert_eq!(project.physical_topic("orders"), "orders");
        assert_eq!(project.physical_group("billing"), "billing");
        assert!(!project.is_renamed("audit"));
        assert_eq!(project.ksql_service_id(), "shop_app_");
    }

    #[test]
    fn a_target_prefixes_topics_and_groups_and_a_rename_is_taken_as_written() {
        let project = view(Some("staging"));
        assert_eq!(project.physical_topic("orders"), "staging.orders");
        assert_eq!(project.physical_topic("audit"), "audit.v2");
        assert_eq!(project.physical_group("billing"), "staging-billing");
        assert_eq!(project.physical_topic("UNDECLARED"), "UNDECLARED", "ksqlDB names what it writes");
        assert!(project.is_renamed("orders"));
        assert_eq!(project.ksql_service_id(), "shop_staging_");
        // The declared name stays the identity.
        assert!(project.topic("audit").is_some());
    }

    #[test]
    fn a_target_without_names_keeps_them_and_the_stacks_service_id() {
        let project = view(Some("prod"));
        assert_eq!(project.physical_topic("audit"), "audit");
        assert_eq!(project.ksql_service_id(), "shop_app_");
    }
}
