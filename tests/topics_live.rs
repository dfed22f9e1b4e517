//! `venice topics` against the real Kafka of `scripts/stack.sh`: the live end offsets of each
//! partition, declared topics marked, missing ones listed. Ignored unless asked for; with the
//! stack up: `cargo test --test topics_live -- --include-ignored`.

#[path = "ops/live.rs"]
mod live;

use live::*;

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn topics_shows_the_live_offsets_of_each_partition() {
    let id = unique();
    let topic = format!("topics.live_{id}");
    let missing = format!("topics.missing_{id}");
    let mut kafka = create_topic(&topic, 2);
    let records = |n: usize| -> Vec<_> { (0..n).map(|i| (None, Some(format!("{i}").into_bytes()))).collect() };
    produce(&mut kafka, &topic, 0, &records(3));
    produce(&mut kafka, &topic, 1, &records(1));
    produce(&mut kafka, &topic, 0, &records(2));

    let body = |with_missing: bool| {
        let mut kdl = format!("topic {topic} partitions=2 replication=1 {{\n    key none\n    value string\n}}\n");
        if with_missing {
            kdl.push_str(&format!("topic {missing} {{\n    key none\n    value string\n}}\n"));
        }
        kdl
    };
    let dir = project(&body(true));
    let run = venice(&["topics", path(&dir), "--format", "json"]);
    assert_eq!(run.code(), Some(1), "{}", run.shown());
    let listing: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let found = listing["topics"].as_array().unwrap().iter().find(|t| t["name"] == topic.as_str()).unwrap();
    assert_eq!(found["declared"], true);
    assert_eq!(found["replication"], 1);
    let ends: Vec<(i64, i64)> = found["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["earliest"].as_i64().unwrap(), p["end"].as_i64().unwrap()))
        .collect();
    assert_eq!(ends, [(0, 5), (0, 1)]);
    assert_eq!(listing["missing"], serde_json::json!([missing]));
    assert!(
        !listing["topics"].as_array().unwrap().iter().any(|t| t["name"] == "__consumer_offsets"),
        "internal topics are hidden without --all"
    );

    let dir = project(&body(false));
    let run = venice(&["topics", path(&dir)]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let out = run.stdout();
    assert!(out.contains(&format!("* {topic}  partitions 2  replication 1  records 6\n")), "{out}");
    assert!(out.contains("      0  earliest 0  end 5  leader 1  in sync 1/1\n"), "{out}");
    let all = venice(&["topics", path(&dir), "--all"]);
    assert!(all.stdout().contains("__consumer_offsets (internal)"), "{}", all.shown());
}
