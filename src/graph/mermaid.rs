//! The lineage as a Mermaid flowchart, left to right (GitHub renders it in Markdown).

use super::{Lineage, NodeKind, label_lines};

/// Mermaid label text: quotes and markup characters as entity codes, lines joined with `<br/>`.
fn label(lines: &[String]) -> String {
    let escape = |s: &str| s.replace('&', "#amp;").replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;");
    lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br/>")
}

pub fn mermaid(lineage: &Lineage) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, node) in lineage.nodes.iter().enumerate() {
        let text = label(&label_lines(node));
        let shape = match node.kind {
            NodeKind::Producer | NodeKind::Consumer => format!("([\"{text}\"])"),
            NodeKind::Source => format!("[/\"{text}\"/]"),
            NodeKind::Sink => format!("[\\\"{text}\"\\]"),
            NodeKind::Topic => format!("[(\"{text}\")]"),
            NodeKind::Stream | NodeKind::Table => format!("[\"{text}\"]"),
            NodeKind::Transform => format!("{{{{\"{text}\"}}}}"),
        };
        out.push_str(&format!("    n{i}{shape}:::{}\n", node.kind.as_str()));
    }
    for (from, to) in &lineage.edges {
        out.push_str(&format!("    n{from} --> n{to}\n"));
    }
    for kind in [
        NodeKind::Producer,
        NodeKind::Source,
        NodeKind::Topic,
        NodeKind::Stream,
        NodeKind::Table,
        NodeKind::Transform,
        NodeKind::Sink,
        NodeKind::Consumer,
    ] {
        let (fill, stroke) = super::svg::colours(kind);
        out.push_str(&format!("    classDef {} fill:{fill},stroke:{stroke}\n", kind.as_str()));
    }
    out
}
