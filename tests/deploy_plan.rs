//! `venice plan`'s diff, offline: a project's desired state against hand-made deployed states,
//! as the services answer them (broker defaults, compacted schemas, the worker's `name` key,
//! masked secrets), so an unchanged project plans nothing and each dangerous change is refused.

use std::collections::{BTreeMap, BTreeSet};
use venice::deploy::connect::Deployed as DeployedConnector;
use venice::deploy::desired::Desired;
use venice::deploy::kafka::{ConfigEntry, TopicState};
use venice::deploy::plan::{Action, Deployed, DeployedSubject, DeployedTopic, Kind, Plan, diff};
use venice::deploy::registry::Version;
use venice::lock::Applied;

const PROJECT: &str = r##"project p
schema Order avro=#"{"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "string"}, {"name": "total", "type": "double"}]}"#
topic orders partitions=3 replication=1 {
    key string
    value avro schema=Order
    retention "7d"
}
producer web topic=orders {
    key string
    value avro schema=Order
}
sink dump connector=file topic=orders {
    file "/tmp/orders.txt"
    key string
    value avro
}
"##;

fn desired(kdl: &str) -> Desired {
    let dir = tempfile::tempdir().unwrap();
    let checked = venice::check::check_bytes(dir.path(), kdl.as_bytes());
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    Desired::of(&checked, &venice::connect::Deployment::local())
}

/// The desired state of `kdl` as its target `secure` sees it: grants and quotas are deployed to
/// a declared target's cluster, never to the stack's.
fn desired_in_secure(kdl: &str) -> Desired {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    let checked = venice::check::check_view(dir.path(), None, Some("secure")).unwrap();
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    Desired::of(&checked, &venice::connect::Deployment::local())
}

fn entry(value: &str, source: i8) -> ConfigEntry {
    ConfigEntry { value: Some(value.to_string()), source, sensitive: false }
}

/// What the services hold after the project was applied, as they answer it.
fn deployed_as_applied(desired: &Desired) -> Deployed {
    let mut deployed = Deployed::default();
    // The broker reports every config; the project's two were set on the topic, the rest are
    // defaults (source 5), one of them equal to a value the project could have set.
    let mut configs = BTreeMap::new();
    configs.insert("cleanup.policy".to_string(), entry("delete", 5));
    configs.insert("retention.ms".to_string(), entry("604800000", 1));
    configs.insert("segment.bytes".to_string(), entry("1073741824", 5));
    configs.insert("min.insync.replicas".to_string(), entry("1", 4));
    deployed
        .topics
        .insert("orders".into(), DeployedTopic { state: TopicState { partitions: 3, replication: 1 }, configs });
    // The registry compacts the schema and may order keys its own way.
    let schema = r#"{"type":"record","namespace":"shop","name":"Order","fields":[{"type":"string","name":"id"},{"name":"total","type":"double"}]}"#;
    deployed.subjects.insert(
        "orders-value".into(),
        DeployedSubject {
            latest: Some(Version {
                version: 1,
                id: 7,
                schema: schema.into(),
                schema_type: "AVRO".into(),
                has_references: false,
            }),
            compatibility: "BACKWARD".into(),
        },
    );
    // The worker adds `name`; a secret would come back masked.
    let mut config: BTreeMap<String, String> =
        desired.connectors["dump"].config.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect();
    config.insert("name".into(), "dump".into());
    deployed.connectors.insert(
        "dump".into(),
        DeployedConnector {
            config,
            state: "RUNNING".into(),
            task_states: vec!["RUNNING".into()],
            kind: "sink".into(),
            cause: String::new(),
        },
    );
    deployed
}

fn plan(desired: &Desired, deployed: &Deployed) -> Plan {
    diff("test", desired, deployed, &made_by_venice(), false, None, None)
}

/// The record of an apply that made the whole of `PROJECT`.
fn made_by_venice() -> Applied {
    Applied {
        topics: BTreeSet::from(["orders".into()]),
        subjects: BTreeSet::from(["orders-value".into()]),
        connectors: BTreeSet::from(["dump".into()]),
        ..Applied::default()
    }
}

fn item<'p>(plan: &'p Plan, kind: Kind, name: &str) -> &'p venice::deploy::plan::Item {
    plan.items.iter().find(|i| i.kind == kind && i.name == name).unwrap_or_else(|| panic!("no {name}: {plan:#?}"))
}

#[test]
fn an_unchanged_project_plans_no_change() {
    let desired = desired(PROJECT);
    let plan = plan(&desired, &deployed_as_applied(&desired));
    assert!(plan.refusals.is_empty(), "{:#?}", plan.refusals);
    assert_eq!(plan.changes(), 0, "{}", plan.human());
    assert!(plan.items.iter().all(|i| i.action == Action::Unchanged), "{}", plan.human());
    assert_eq!(
        plan.human(),
        "plan for target `test`:\n  = topic `orders`\n  = subject `orders-value`\n  = sink `dump`\n\
         0 to create, 0 to update, 0 to restart, 0 to delete, 3 unchanged\n"
    );
    // The schema the registry holds is the project's: its id goes into the record, with the
    // fingerprint of the text venice registers, for the next plan's bulk read.
    let recorded = &plan.record.schemas["orders-value"];
    assert_eq!(recorded.id, 7);
    assert!(recorded.fingerprint.len() == 16 && recorded.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
}

/// The same objects deployed by someone else (venice.lock does not record them): the plan says
/// they are not venice's, prune leaves them, and an apply would adopt them only when asked.
#[test]
fn objects_that_exist_but_venice_did_not_make_are_not_owned_and_plan_says_so() {
    let desired = desired(PROJECT);
    let deployed = deployed_as_applied(&desired);
    let mut recorded = made_by_venice();
    recorded.connectors.clear();
    let plan = diff("test", &desired, &deployed, &recorded, true, None, None);
    assert_eq!(plan.changes(), 0, "{}", plan.human());
    let not_owned: Vec<(Kind, &str)> = plan.not_owned().map(|i| (i.kind, i.name.as_str())).collect();
    assert_eq!(not_owned, [(Kind::Sink, "dump")]);
    assert_eq!(
        plan.human(),
        "plan for target `test`:\n  = topic `orders`\n  = subject `orders-value`\n  = sink `dump` (not owned: it \
         exists and venice did not make it; `--prune` leaves it, `venice apply --adopt` takes it)\n\
         0 to create, 0 to update, 0 to restart, 0 to delete, 3 unchanged, 1 not owned (`venice apply --adopt` takes them)\n"
    );
    let json = plan.json();
    assert_eq!(json["objects"][2]["owned"], false);
    assert_eq!(json["objects"][0]["owned"], true);
    // Nothing deployed: nothing to own or not.
    assert_eq!(
        diff("test", &desired, &Deployed::default(), &Applied::default(), false, None, None).not_owned().count(),
        0
    );
}

/// A killed apply's creates in doubt: those the target holds were made by it and join the
/// record; those it does not hold were never made. Recorded objects gone from the target leave
/// the record apply starts from.
#[test]
fn creates_in_doubt_are_settled_against_the_target_and_vanished_objects_leave_the_record() {
    let desired = desired(PROJECT);
    let deployed = deployed_as_applied(&desired);
    let recorded =
        Applied { topics: BTreeSet::from(["orders".into(), "deleted-by-hand".into()]), ..Applied::default() };
    let in_doubt = Applied {
        subjects: BTreeSet::from(["orders-value".into()]),
        connectors: BTreeSet::from(["dump".into(), "never-made".into()]),
        ..Applied::default()
    };
    let settled = venice::deploy::plan::settle(&recorded, &in_doubt, &deployed);
    assert_eq!(settled.subjects, BTreeSet::from(["orders-value".to_string()]));
    assert_eq!(settled.connectors, BTreeSet::from(["dump".to_string()]));
    let plan = diff("test", &desired, &deployed, &settled, true, None, None);
    assert_eq!(plan.not_owned().count(), 0, "{}", plan.human());
    assert_eq!(plan.record.schemas["orders-value"].id, 7);
    assert_eq!(Applied { schemas: Default::default(), ..plan.record }, made_by_venice());
}

#[test]
fn nothing_deployed_plans_every_object_created() {
    let desired = desired(PROJECT);
    let plan = plan(&desired, &Deployed::default());
    let actions: Vec<(Kind, &str, Action)> = plan.items.iter().map(|i| (i.kind, i.name.as_str(), i.action)).collect();
    assert_eq!(
        actions,
        [
            (Kind::Topic, "orders", Action::Create),
            (Kind::Subject, "orders-value", Action::Create),
            (Kind::Sink, "dump", Action::Create)
        ]
    );
    let topic = item(&plan, Kind::Topic, "orders");
    let fields: Vec<(&str, Option<&str>)> = topic.changes.iter().map(|c| (c.field.as_str(), c.to.as_deref())).collect();
    assert_eq!(
        fields,
        [
            ("partitions", Some("3")),
            ("replication", Some("1")),
            ("cleanup.policy", Some("delete")),
            ("retention.ms", Some("604800000"))
        ]
    );
    let json = plan.json();
    assert_eq!(json["changes"], 3);
    assert_eq!(json["objects"][0]["action"], "create");
}

#[test]
fn more_partitions_and_a_config_are_updates_and_a_stray_topic_config_goes_back_to_its_default() {
    let desired =
        desired(&PROJECT.replace("partitions=3", "partitions=6").replace("retention \"7d\"", "retention \"1d\""));
    let mut deployed = deployed_as_applied(&desired);
    let topic = deployed.topics.get_mut("orders").unwrap();
    topic.configs.insert("max.message.bytes".into(), entry("2000000", 1));
    let plan = plan(&desired, &deployed);
    assert!(plan.refusals.is_empty(), "{:#?}", plan.refusals);
    let topic = item(&plan, Kind::Topic, "orders");
    assert_eq!(topic.action, Action::Update);
    let changes: Vec<(&str, Option<&str>, Option<&str>)> =
        topic.changes.iter().map(|c| (c.field.as_str(), c.from.as_deref(), c.to.as_deref())).collect();
    assert_eq!(
        changes,
        [
            ("partitions", Some("3"), Some("6")),
            ("retention.ms", Some("604800000"), Some("86400000")),
            ("max.message.bytes", Some("2000000"), None)
        ]
    );
    assert!(plan.human().contains("      max.message.bytes: \"2000000\" -> (default)\n"), "{}", plan.human());
}

#[test]
fn fewer_partitions_a_replication_change_and_a_cleanup_policy_change_are_refused() {
    let desired = desired(
        &PROJECT
            .replace("partitions=3 replication=1", "partitions=2 replication=1")
            .replace("retention \"7d\"", "retention \"7d\"\n    cleanup compact"),
    );
    let mut deployed = deployed_as_applied(&desired);
    deployed.topics.get_mut("orders").unwrap().state.replication = 3;
    let plan = plan(&desired, &deployed);
    let messages: Vec<&str> = plan.refusals.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages[0].starts_with("3 partitions cannot become 2"), "{}", messages[0]);
    assert!(messages[1].starts_with("its replication factor is 3, the project says 1"), "{}", messages[1]);
    assert!(
        messages[2].starts_with("its `cleanup.policy` is \"delete\", the project says \"compact\""),
        "{}",
        messages[2]
    );
    assert!(plan.human().ends_with("; 3 changes refused, nothing will be applied\n"), "{}", plan.human());
    assert_eq!(plan.json()["errors"][0]["kind"], "topic");
}

#[test]
fn cleanup_policies_compare_as_sets() {
    let desired = desired(&PROJECT.replace("retention \"7d\"", "retention \"7d\"\n    cleanup \"compact,delete\""));
    let mut deployed = deployed_as_applied(&desired);
    deployed.topics.get_mut("orders").unwrap().configs.insert("cleanup.policy".into(), entry("delete,compact", 1));
    let plan = plan(&desired, &deployed);
    assert!(plan.refusals.is_empty(), "{:#?}", plan.refusals);
    assert_eq!(plan.changes(), 0, "{}", plan.human());
}

#[test]
fn an_incompatible_value_schema_is_refused_and_a_compatible_one_is_an_update() {
    // BACKWARD: a new field without a default cannot read the old records.
    let incompatible = PROJECT.replace(
        r#"{"name": "total", "type": "double"}"#,
        r#"{"name": "total", "type": "double"}, {"name": "note", "type": "string"}"#,
    );
    let desired_incompatible = desired(&incompatible);
    let plan1 = plan(&desired_incompatible, &deployed_as_applied(&desired_incompatible));
    assert_eq!(plan1.refusals.len(), 1, "{}", plan1.human());
    let message = &plan1.refusals[0].message;
    assert!(message.starts_with("the new schema is incompatible with version 1 under BACKWARD: "), "{message}");
    assert!(message.contains("note"), "{message}");

    let compatible = PROJECT.replace(
        r#"{"name": "total", "type": "double"}"#,
        r#"{"name": "total", "type": "double"}, {"name": "note", "type": "string", "default": ""}"#,
    );
    let desired_compatible = desired(&compatible);
    let plan2 = plan(&desired_compatible, &deployed_as_applied(&desired_compatible));
    assert!(plan2.refusals.is_empty(), "{:#?}", plan2.refusals);
    let subject = item(&plan2, Kind::Subject, "orders-value");
    assert_eq!(subject.action, Action::Update);
    assert_eq!(subject.changes[0].field, "schema");
    assert_eq!(subject.changes[0].from.as_deref(), Some("version 1"));
    // A schema to register again leaves the record until apply has its new id.
    assert!(plan2.record.schemas.is_empty(), "{:?}", plan2.record.schemas);
}

#[test]
fn a_key_schema_change_is_refused() {
    let kdl = r##"project p
schema Id avro=#"{"type": "record", "name": "Id", "fields": [{"name": "id", "type": "string"}]}"#
topic t {
    key avro schema=Id
    value string
}
producer w topic=t {
    key avro schema=Id
    value string
}
"##;
    let desired = desired(kdl);
    let mut deployed = Deployed::default();
    deployed.subjects.insert(
        "t-key".into(),
        DeployedSubject {
            latest: Some(Version {
                version: 2,
                id: 1,
                schema: r#"{"type":"record","name":"Id","fields":[{"name":"id","type":"long"}]}"#.into(),
                schema_type: "AVRO".into(),
                has_references: false,
            }),
            compatibility: "NONE".into(),
        },
    );
    let plan = plan(&desired, &deployed);
    assert_eq!(plan.refusals.len(), 1, "{}", plan.human());
    assert!(plan.refusals[0].message.starts_with("the key schema of topic `t` would change (version 2 is registered)"));
}

#[test]
fn a_compatibility_level_change_is_an_update() {
    let desired = desired(&PROJECT.replace("retention \"7d\"", "retention \"7d\"\n    compatibility full"));
    let plan = plan(&desired, &deployed_as_applied(&desired));
    let subject = item(&plan, Kind::Subject, "orders-value");
    assert_eq!(subject.action, Action::Update);
    assert_eq!(
        (subject.changes[0].field.as_str(), subject.changes[0].from.as_deref(), subject.changes[0].to.as_deref()),
        ("compatibility", Some("BACKWARD"), Some("FULL"))
    );
}

#[test]
fn connectors_compare_without_server_keys_and_masked_secrets_and_failed_ones_restart() {
    let desired = desired(PROJECT);
    let mut deployed = deployed_as_applied(&desired);
    let dump = deployed.connectors.get_mut("dump").unwrap();
    dump.config.insert("file".into(), "********".into());
    dump.state = "RUNNING".into();
    dump.task_states = vec!["FAILED".into()];
    dump.cause = "java.net.ConnectException: Connection refused".into();
    let plan1 = plan(&desired, &deployed);
    assert_eq!(item(&plan1, Kind::Sink, "dump").action, Action::Restart, "{}", plan1.human());
    assert!(
        plan1.human().contains(
            "  ~ sink `dump` (failed: restart)\n      state: \"connector RUNNING, tasks [FAILED]: java.net.ConnectException: Connection refused\" -> \"RUNNING\"\n"
        ),
        "{}",
        plan1.human()
    );

    let dump = deployed.connectors.get_mut("dump").unwrap();
    dump.task_states = vec!["RUNNING".into()];
    dump.config.insert("tasks.max".into(), "4".into());
    dump.config.insert("errors.tolerance".into(), "all".into());
    let plan2 = plan(&desired, &deployed);
    let sink = item(&plan2, Kind::Sink, "dump");
    assert_eq!(sink.action, Action::Update);
    let changes: Vec<(&str, Option<&str>, Option<&str>)> =
        sink.changes.iter().map(|c| (c.field.as_str(), c.from.as_deref(), c.to.as_deref())).collect();
    assert_eq!(changes, [("tasks.max", Some("4"), Some("1")), ("errors.tolerance", Some("all"), None)]);
}

#[test]
fn prune_touches_only_what_the_lock_records() {
    let desired = desired(PROJECT);
    let mut deployed = deployed_as_applied(&desired);
    for name in ["old-topic", "someone-elses-topic"] {
        deployed.topics.insert(
            name.into(),
            DeployedTopic { state: TopicState { partitions: 1, replication: 1 }, configs: BTreeMap::new() },
        );
    }
    deployed.connectors.insert(
        "old-source".into(),
        DeployedConnector { kind: "source".into(), state: "RUNNING".into(), ..Default::default() },
    );
    deployed.ksql.insert("OLD_STREAM".into());
    let recorded = Applied {
        topics: BTreeSet::from(["orders".into(), "old-topic".into(), "gone-already".into()]),
        connectors: BTreeSet::from(["old-source".into()]),
        ksql: BTreeSet::from(["OLD_STREAM".into()]),
        ..Applied::default()
    };
    let kept = diff("test", &desired, &deployed, &recorded, false, None, None);
    let orphans: Vec<(Kind, &str, Action)> = kept
        .items
        .iter()
        .filter(|i| i.action != Action::Unchanged)
        .map(|i| (i.kind, i.name.as_str(), i.action))
        .collect();
    assert_eq!(
        orphans,
        [
            (Kind::Topic, "old-topic", Action::Keep),
            (Kind::Source, "old-source", Action::Keep),
            (Kind::Ksql, "OLD_STREAM", Action::Keep)
        ]
    );
    assert_eq!(kept.changes(), 0);
    let pruned = diff("test", &desired, &deployed, &recorded, true, None, None);
    let deletes: Vec<&str> =
        pruned.items.iter().filter(|i| i.action == Action::Delete).map(|i| i.name.as_str()).collect();
    assert_eq!(deletes, ["old-topic", "old-source", "OLD_STREAM"]);
    assert!(!pruned.items.iter().any(|i| i.name == "someone-elses-topic"));
    assert_eq!(pruned.changes(), 3);
}

/// A ksqlDB file edited since the lock recorded it is an update (apply replaces its streams and
/// tables); the same text is unchanged; an edited file with INSERT INTO is refused.
#[test]
fn an_edited_ksql_file_is_an_update_and_one_with_insert_into_is_refused() {
    let with_ksql = |sql: &str| {
        format!(
            "{PROJECT}stream orders topic=orders\ntransform big path=\"big.sql\"\n\
             transform copy {{\n    sql #\"\"\"\n        {sql}\n        \"\"\"#\n}}\n"
        )
    };
    let project = |big: &str, copy: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.sql"), big).unwrap();
        let checked = venice::check::check_bytes(dir.path(), with_ksql(copy).as_bytes());
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        Desired::of(&checked, &venice::connect::Deployment::local())
    };
    let big = "CREATE STREAM big AS SELECT * FROM orders WHERE total > 100 EMIT CHANGES;";
    let copy =
        "CREATE STREAM copy AS SELECT * FROM orders EMIT CHANGES; INSERT INTO copy SELECT * FROM orders EMIT CHANGES;";
    let applied = project(big, copy);
    let mut deployed = deployed_as_applied(&applied);
    deployed.ksql.extend(["ORDERS".into(), "BIG".into(), "COPY".into()]);
    let recorded = Applied {
        ksql_files: applied.ksql.iter().map(|f| (f.key().to_string(), f.fingerprint())).collect(),
        ..Applied::default()
    };
    let keys: Vec<&str> = applied.ksql.iter().map(|f| f.key()).collect();
    assert_eq!(keys, ["stream-orders.sql", "transform-big.sql", "transform-copy.sql"]);

    let same = diff("test", &applied, &deployed, &recorded, false, None, None);
    assert_eq!(same.changes(), 0, "{}", same.human());

    let edited = project("CREATE STREAM big AS SELECT * FROM orders WHERE total > 500 EMIT CHANGES;", copy);
    let plan = diff("test", &edited, &deployed, &recorded, false, None, None);
    assert!(plan.refusals.is_empty(), "{:#?}", plan.refusals);
    let big_file = item(&plan, Kind::Ksql, "ksql/02-transform-big.sql");
    assert_eq!(big_file.action, Action::Update, "{}", plan.human());
    assert_eq!(big_file.changes[0].field, "text fingerprint");
    assert_eq!(plan.changes(), 1, "{}", plan.human());

    let copy_edited =
        project(big, &copy.replace("FROM orders EMIT CHANGES;", "FROM orders WHERE total > 1 EMIT CHANGES;"));
    let refused = diff("test", &copy_edited, &deployed, &recorded, false, None, None);
    assert_eq!(refused.refusals.len(), 1, "{}", refused.human());
    assert!(refused.refusals[0].message.contains("INSERT INTO would start a second query"), "{:#?}", refused.refusals);
}

#[test]
fn plan_and_apply_have_their_help() {
    let venice = env!("CARGO_BIN_EXE_venice");
    for (command, flags) in [
        ("plan", &["--target", "--format", "--detailed-exitcode", "--prune", "--wait"][..]),
        ("apply", &["--target", "--yes", "--prune", "--adopt", "--wait"][..]),
    ] {
        let out = std::process::Command::new(venice).args([command, "--help"]).output().unwrap();
        assert!(out.status.success());
        let help = String::from_utf8_lossy(&out.stdout);
        for flag in flags {
            assert!(help.contains(flag), "`venice {command} --help` lacks {flag}:\n{help}");
        }
    }
}

#[test]
fn a_target_that_is_not_answering_is_named_and_plan_exits_1_with_detailed_exitcode() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let kdl = format!(
        "project p\ntarget down {{\n    kafka \"127.0.0.1:{port}\"\n}}\ntopic t {{\n    key string\n    value string\n}}\nproducer w topic=t {{\n    key string\n    value string\n}}\n"
    );
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    let venice = env!("CARGO_BIN_EXE_venice");
    let run = |args: &[&str]| {
        std::process::Command::new(venice)
            .args(args)
            .arg(dir.path())
            .args(["--target", "down", "--wait", "1"])
            .output()
            .unwrap()
    };
    let plan = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&plan.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: Kafka is not answering at 127.0.0.1:{port} (connection refused); waited 1 s"
        )),
        "{stderr}"
    );
    let apply = run(&["apply", "--yes"]);
    assert_eq!(apply.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&apply.stderr);
    assert!(stderr.ends_with("\nnothing was applied\n"), "{stderr}");
    assert!(!dir.path().join("venice.lock").exists(), "a failed apply wrote a lock");
}

#[test]
fn the_lock_records_what_apply_made_and_a_build_keeps_it() {
    use venice::lock::{LOCK_VERSION, Lock, LockedTopic};
    let dir = tempfile::tempdir().unwrap();
    let mut lock = Lock { version: LOCK_VERSION, ..Lock::default() };
    lock.topics.insert("orders".into(), LockedTopic { partitions: 3 });
    let applied = Applied {
        topics: BTreeSet::from(["orders".into()]),
        connectors: BTreeSet::from(["dump".into()]),
        ..Applied::default()
    };
    lock.applied.insert("stack".into(), applied.clone());
    lock.write_all(dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    assert!(text.ends_with("[applied.stack]\ntopics = [\"orders\"]\nconnectors = [\"dump\"]\n"), "{text}");
    // `venice build` writes a lock without the section: the one on disk is kept.
    let mut built = Lock { version: LOCK_VERSION, ..Lock::default() };
    built.topics.insert("orders".into(), LockedTopic { partitions: 6 });
    built.write(dir.path()).unwrap();
    let read = Lock::read(dir.path()).expect("the lock reads back");
    assert_eq!(read.topics["orders"], LockedTopic { partitions: 6 });
    assert_eq!(read.applied["stack"], applied);
}

/// V504 on a target: `venice check` cannot know a target's brokers (it names only bootstrap
/// servers), the plan can. A topic to create with more replicas than the cluster has brokers is
/// refused before anything is applied; one within them, or a cluster not asked, is not.
#[test]
fn a_topic_replicated_above_the_clusters_brokers_is_refused_with_v504() {
    let desired = desired(&PROJECT.replace("replication=1", "replication=3"));
    let one_broker = Deployed { brokers: Some(1), ..Deployed::default() };
    let plan = diff("prod", &desired, &one_broker, &Applied::default(), false, None, None);
    assert_eq!(plan.refusals.len(), 1, "{:#?}", plan.refusals);
    let expected = "error: topic `orders`: replication 3 is above the 1 broker the cluster has (V504): each \
                    replica needs its own broker: lower the topic's `replication`\n";
    assert!(plan.human().contains(expected), "{}", plan.human());
    assert!(plan.human().ends_with("; 1 change refused, nothing will be applied\n"), "{}", plan.human());
    for deployed in [Deployed { brokers: Some(3), ..Deployed::default() }, Deployed::default()] {
        let plan = diff("prod", &desired, &deployed, &Applied::default(), false, None, None);
        assert!(plan.refusals.is_empty(), "{:#?}", plan.refusals);
    }
}

/// A producer and a consumer with principals, a grant by hand, and a quota.
const WITH_ACCESS: &str = r#"project p
topic t partitions=1 replication=1 {
    key string
    value string
}
producer p topic=t principal="User:alice" {
    key string
    value string
}
consumer c topic=t group=g principal="User:bob" {
    key string
    value string
}
acl "User:ops" describe topic="t"
quota "User:alice" produce-rate="1MiB" request-percentage=50
target secure {
    kafka "b1.example.com:9094"
    consumer c principal="User:bob"
}
"#;

/// The bindings of `WITH_ACCESS`, as plan and venice.lock name them.
const BINDINGS: [&str; 6] = [
    r#"User:alice describe topic="t" host="*""#,
    r#"User:alice write topic="t" host="*""#,
    r#"User:bob describe topic="t" host="*""#,
    r#"User:bob read group="g" host="*""#,
    r#"User:bob read topic="t" host="*""#,
    r#"User:ops describe topic="t" host="*""#,
];

/// Topic `t` as applied, with these bindings and quotas of `User:alice`.
fn access_deployed(acls: &[&str], quotas: &[(&str, f64)]) -> Deployed {
    let mut deployed = Deployed::default();
    // The one config venice sets on the topic (it keeps records until told otherwise).
    let configs = BTreeMap::from([("retention.ms".to_string(), entry("-1", 1))]);
    deployed.topics.insert("t".into(), DeployedTopic { state: TopicState { partitions: 1, replication: 1 }, configs });
    deployed.acls = acls.iter().map(|a| a.to_string()).collect();
    if !quotas.is_empty() {
        deployed.quotas.insert("User:alice".into(), quotas.iter().map(|(k, v)| (k.to_string(), *v)).collect());
    }
    deployed
}

fn of_kind(plan: &Plan, kinds: &[Kind]) -> Vec<(Kind, String, Action, bool)> {
    let items = plan.items.iter().filter(|i| kinds.contains(&i.kind));
    items.map(|i| (i.kind, i.name.clone(), i.action, i.owned)).collect()
}

/// The stack has no authorizer: the project as declared deploys no grants and no quotas.
#[test]
fn the_stack_gets_no_acls_and_no_quotas() {
    let desired = desired(WITH_ACCESS);
    let plan = diff("local", &desired, &access_deployed(&[], &[]), &Applied::default(), false, None, None);
    assert_eq!(of_kind(&plan, &[Kind::Acl, Kind::Quota]), []);
}

/// Every grant of the view (derived and explicit) is a binding to create; the quota keys too,
/// with their values; the plan lists them after the topics, like any other object.
#[test]
fn acls_and_quotas_are_planned_like_other_objects() {
    let desired = desired_in_secure(WITH_ACCESS);
    let plan = diff("test", &desired, &access_deployed(&[], &[]), &Applied::default(), false, None, None);
    let acls: Vec<(Kind, String, Action, bool)> = of_kind(&plan, &[Kind::Acl]);
    let expected: Vec<_> = BINDINGS.iter().map(|b| (Kind::Acl, b.to_string(), Action::Create, true)).collect();
    assert_eq!(acls, expected);
    let quotas = of_kind(&plan, &[Kind::Quota]);
    assert_eq!(
        quotas,
        [
            (Kind::Quota, "User:alice producer_byte_rate".into(), Action::Create, true),
            (Kind::Quota, "User:alice request_percentage".into(), Action::Create, true)
        ]
    );
    let human = plan.human();
    assert!(human.contains("  + acl `User:bob read group=\"g\" host=\"*\"`\n"), "{human}");
    assert!(human.contains("  + quota `User:alice producer_byte_rate`\n      value: \"1048576\"\n"), "{human}");
    let json = plan.json();
    let kinds: Vec<&str> = json["objects"].as_array().unwrap().iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["topic", "acl", "acl", "acl", "acl", "acl", "acl", "quota", "quota"]);
}

/// After apply the cluster holds exactly the bindings and values: nothing to change.
#[test]
fn equal_bindings_and_quotas_plan_no_change() {
    let desired = desired_in_secure(WITH_ACCESS);
    let deployed = access_deployed(&BINDINGS, &[("producer_byte_rate", 1_048_576.0), ("request_percentage", 50.0)]);
    let recorded = Applied {
        topics: BTreeSet::from(["t".into()]),
        acls: BINDINGS.iter().map(|b| b.to_string()).collect(),
        quotas: BTreeMap::from([(
            "User:alice".into(),
            BTreeSet::from(["producer_byte_rate".into(), "request_percentage".into()]),
        )]),
        ..Applied::default()
    };
    let plan = diff("test", &desired, &deployed, &recorded, true, None, None);
    assert_eq!(plan.changes(), 0, "{}", plan.human());
    assert_eq!(plan.not_owned().count(), 0, "{}", plan.human());
    assert_eq!(plan.record, recorded);
    // A value changed by hand is an update.
    let deployed = access_deployed(&BINDINGS, &[("producer_byte_rate", 2048.0), ("request_percentage", 50.0)]);
    let plan = diff("test", &desired, &deployed, &recorded, false, None, None);
    let update = item(&plan, Kind::Quota, "User:alice producer_byte_rate");
    assert_eq!(update.action, Action::Update);
    assert_eq!((update.changes[0].from.as_deref(), update.changes[0].to.as_deref()), (Some("2048"), Some("1048576")));
}

/// A binding or a quota that exists but that venice did not make (not in venice.lock) is not
/// owned: unchanged, `--prune` leaves it, `--adopt` takes it. Bindings of the project's
/// principals the project does not want are not even listed: venice did not make them.
#[test]
fn bindings_venice_did_not_make_are_not_owned() {
    let desired = desired_in_secure(WITH_ACCESS);
    let by_hand = r#"User:bob read topic="manual" host="*""#;
    let mut on_cluster = BINDINGS.to_vec();
    on_cluster.push(by_hand);
    let deployed = access_deployed(&on_cluster, &[("producer_byte_rate", 1_048_576.0)]);
    let plan = diff("test", &desired, &deployed, &Applied::default(), true, None, None);
    let not_owned: Vec<&str> = plan.not_owned().map(|i| i.name.as_str()).collect();
    let mut expected = vec!["t"];
    expected.extend(BINDINGS);
    expected.push("User:alice producer_byte_rate");
    assert_eq!(not_owned, expected);
    assert!(!plan.items.iter().any(|i| i.name == by_hand), "{}", plan.human());
    assert_eq!(plan.changes(), 1, "only request_percentage is created: {}", plan.human());
    assert!(plan.human().contains("  = acl `User:ops describe topic=\"t\" host=\"*\"` (not owned"), "{}", plan.human());
}

/// Dropped from the project: the bindings and quota keys venice.lock records are kept without
/// `--prune` and deleted with it; a binding made by hand for the same principal is never
/// touched; what the cluster no longer holds leaves the record.
#[test]
fn prune_deletes_only_the_recorded_bindings_and_quota_keys() {
    let without_consumer = WITH_ACCESS
        .replace("consumer c topic=t group=g principal=\"User:bob\" {\n    key string\n    value string\n}\n", "")
        .replace(" request-percentage=50", "")
        .replace("    consumer c principal=\"User:bob\"\n", "");
    let desired = desired_in_secure(&without_consumer);
    let by_hand = r#"User:bob read topic="manual" host="*""#;
    let mut on_cluster = BINDINGS.to_vec();
    on_cluster.push(by_hand);
    let deployed = access_deployed(&on_cluster, &[("producer_byte_rate", 1_048_576.0), ("request_percentage", 50.0)]);
    let mut recorded = Applied {
        topics: BTreeSet::from(["t".into()]),
        acls: BINDINGS.iter().map(|b| b.to_string()).collect(),
        quotas: BTreeMap::from([(
            "User:alice".into(),
            BTreeSet::from(["producer_byte_rate".into(), "request_percentage".into()]),
        )]),
        ..Applied::default()
    };
    recorded.acls.insert(r#"User:bob write topic="gone" host="*""#.into());
    let changed = |plan: &Plan| -> Vec<(Kind, String, Action)> {
        let items = plan.items.iter().filter(|i| i.action != Action::Unchanged);
        items.map(|i| (i.kind, i.name.clone(), i.action)).collect()
    };
    let bob = [BINDINGS[2], BINDINGS[3], BINDINGS[4]];
    let kept = diff("test", &desired, &deployed, &recorded, false, None, None);
    let mut expected: Vec<_> = bob.iter().map(|b| (Kind::Acl, b.to_string(), Action::Keep)).collect();
    expected.push((Kind::Quota, "User:alice request_percentage".into(), Action::Keep));
    assert_eq!(changed(&kept), expected);
    assert_eq!(kept.changes(), 0);
    let pruned = diff("test", &desired, &deployed, &recorded, true, None, None);
    let expected: Vec<_> = expected.into_iter().map(|(k, n, _)| (k, n, Action::Delete)).collect();
    assert_eq!(changed(&pruned), expected);
    let removal = item(&pruned, Kind::Quota, "User:alice request_percentage");
    assert_eq!((removal.changes[0].from.as_deref(), removal.changes[0].to.as_deref()), (Some("50"), None));
    // The binding the cluster lost is off the record apply starts from.
    assert!(!pruned.record.acls.iter().any(|a| a.contains("gone")));
    assert_eq!(pruned.record.acls.len(), BINDINGS.len());
}

/// A killed apply's bindings and quota keys in doubt: those the cluster holds join the record.
#[test]
fn acls_and_quotas_in_doubt_are_settled_against_the_cluster() {
    let deployed = access_deployed(&BINDINGS[..2], &[("producer_byte_rate", 1.0)]);
    let in_doubt = Applied {
        acls: BTreeSet::from([BINDINGS[0].to_string(), BINDINGS[5].to_string()]),
        quotas: BTreeMap::from([(
            "User:alice".into(),
            BTreeSet::from(["producer_byte_rate".into(), "consumer_byte_rate".into()]),
        )]),
        ..Applied::default()
    };
    let settled = venice::deploy::plan::settle(&Applied::default(), &in_doubt, &deployed);
    assert_eq!(settled.acls.iter().collect::<Vec<_>>(), [BINDINGS[0]]);
    assert_eq!(settled.quotas["User:alice"].iter().collect::<Vec<_>>(), ["producer_byte_rate"]);
}

/// The record of bindings and quota keys in venice.lock, and a lock written before they existed.
#[test]
fn the_lock_records_bindings_and_quota_keys_and_older_locks_still_read() {
    use venice::lock::{LOCK_VERSION, Lock};
    let dir = tempfile::tempdir().unwrap();
    let mut lock = Lock { version: LOCK_VERSION, ..Lock::default() };
    let applied = Applied {
        acls: BTreeSet::from([BINDINGS[1].to_string(), r#"User:CN=a b,O=x read group-prefix="g\"" host="*""#.into()]),
        quotas: BTreeMap::from([("User:alice".into(), BTreeSet::from(["producer_byte_rate".into()]))]),
        ..Applied::default()
    };
    lock.applied.insert("secure".into(), applied.clone());
    lock.write_all(dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    assert!(text.contains("[applied.secure.quotas]\n\"User:alice\" = [\"producer_byte_rate\"]\n"), "{text}");
    assert_eq!(Lock::read(dir.path()).expect("reads back").applied["secure"], applied);
    let older = "version = 1\n\n[applied.stack]\ntopics = [\"orders\"]\n";
    std::fs::write(dir.path().join("venice.lock"), older).unwrap();
    let read = Lock::read(dir.path()).expect("an older lock reads");
    assert!(read.applied["stack"].acls.is_empty() && read.applied["stack"].quotas.is_empty());
}
