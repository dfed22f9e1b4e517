//! `venice graph`: snapshots of the lineage of each example in the three formats, and the
//! command's behaviour. Review changed snapshots with `cargo insta review`.

use std::path::Path;
use std::process::Command;

const EXAMPLES: [&str; 3] = ["shop", "bus-locations", "cdc"];

fn lineage(example: &str) -> venice::graph::Lineage {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(example);
    let checked = venice::check::check(&dir).expect("the example is found");
    assert!(!checked.has_errors(), "{example}: {:#?}", checked.diagnostics);
    venice::graph::Lineage::of(&checked.project, &checked.analysis)
}

#[test]
fn mermaid_of_each_example() {
    for example in EXAMPLES {
        insta::assert_snapshot!(format!("{example}.mermaid"), venice::graph::mermaid(&lineage(example)));
    }
}

#[test]
fn dot_of_each_example() {
    for example in EXAMPLES {
        insta::assert_snapshot!(format!("{example}.dot"), venice::graph::dot(&lineage(example)));
    }
}

#[test]
fn svg_of_each_example() {
    for example in EXAMPLES {
        let svg = venice::graph::svg(&lineage(example));
        // Every node is drawn once and every edge once.
        let l = lineage(example);
        assert_eq!(svg.matches("<g class=").count(), l.nodes.len(), "{example}");
        assert_eq!(svg.matches("marker-end=").count(), l.edges.len(), "{example}");
        insta::assert_snapshot!(format!("{example}.svg"), svg);
    }
}

#[test]
fn the_lineage_runs_from_the_producers_to_the_sinks() {
    let l = lineage("shop");
    let name = |i: usize| format!("{} {}", l.nodes[i].kind.as_str(), l.nodes[i].name);
    let edges: Vec<String> = l.edges.iter().map(|&(a, b)| format!("{} -> {}", name(a), name(b))).collect();
    assert_eq!(
        edges,
        [
            "topic PLATINUM_ORDERS -> sink platinum-to-postgres",
            "topic orders -> stream orders",
            "topic orders -> consumer fulfillment",
            "topic payments -> consumer ledger",
            "topic reviews -> consumer moderation",
            "producer web-app -> topic orders",
            "producer payment-service -> topic payments",
            "producer review-form -> topic reviews",
            "stream orders -> transform platinum-orders",
            "transform platinum-orders -> topic PLATINUM_ORDERS",
        ]
    );
}

fn venice(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_venice")).args(args).env("NO_COLOR", "1").output().expect("venice runs")
}

#[test]
fn the_command_draws_each_format_and_refuses_a_project_with_errors() {
    let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shop");
    for (format, start) in [("mermaid", "flowchart LR\n"), ("dot", "digraph lineage {\n"), ("svg", "<svg ")] {
        let output = venice(&["graph", shop, "--format", format]);
        assert_eq!(output.status.code(), Some(0), "{format}");
        assert!(String::from_utf8_lossy(&output.stdout).starts_with(start), "{format}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.svg");
    let output = venice(&["graph", shop, "--format", "svg", "--output", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("<svg "));
    std::fs::write(dir.path().join("venice.kdl"), "project p\nproducer web topic=nowhere\n").unwrap();
    let output = venice(&["graph", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("V005"));
}
