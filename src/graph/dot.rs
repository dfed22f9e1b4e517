//! The lineage as Graphviz DOT, left to right.

use super::{Lineage, NodeKind, label_lines};

/// A DOT string literal's contents.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn dot(lineage: &Lineage) -> String {
    let mut out = String::from(
        "digraph lineage {\n    rankdir=LR;\n    node [fontname=\"Helvetica\", fontsize=11, style=filled];\n",
    );
    for (i, node) in lineage.nodes.iter().enumerate() {
        let text = label_lines(node).iter().map(|l| escape(l)).collect::<Vec<_>>().join("\\n");
        let shape = match node.kind {
            NodeKind::Producer | NodeKind::Consumer => "ellipse",
            NodeKind::Source => "invhouse",
            NodeKind::Sink => "house",
            NodeKind::Topic => "cylinder",
            NodeKind::Stream | NodeKind::Table => "box",
            NodeKind::Transform => "hexagon",
        };
        let (fill, stroke) = super::svg::colours(node.kind);
        out.push_str(&format!(
            "    n{i} [label=\"{text}\", shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\"];\n"
        ));
    }
    for (from, to) in &lineage.edges {
        out.push_str(&format!("    n{from} -> n{to};\n"));
    }
    out.push_str("}\n");
    out
}
