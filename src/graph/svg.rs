//! The lineage as an SVG image, laid out here (no Graphviz): a layered drawing, left to right.
//!
//! Layers: each node sits one layer right of its furthest predecessor (longest path; an edge
//! that closes a cycle is ignored for this). Within a layer, nodes are ordered by the mean
//! position of their neighbours in the previous layer, then the next, over a few sweeps (the
//! barycentre heuristic for fewer crossings); ties keep the lineage's order. Boxes are sized
//! from their text with a fixed advance per character, so the image is the same everywhere.

use super::{Lineage, Node, NodeKind, label_lines};

const CHAR_WIDTH: f64 = 7.0;
const LINE_HEIGHT: f64 = 16.0;
const PADDING: f64 = 12.0;
const LAYER_GAP: f64 = 70.0;
const ROW_GAP: f64 = 24.0;
const MARGIN: f64 = 20.0;

/// Fill and stroke colours of a kind of node.
pub(crate) fn colours(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Producer | NodeKind::Consumer => ("#e8f1fb", "#3b6ea8"),
        NodeKind::Source | NodeKind::Sink => ("#fdf0e0", "#b26b00"),
        NodeKind::Topic => ("#eef7ee", "#3d8b3d"),
        NodeKind::Stream | NodeKind::Table => ("#f3ecfa", "#7a4fa3"),
        NodeKind::Transform => ("#fbe9ec", "#a83b4f"),
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Each node's layer: the longest path to it, edges that close a cycle left out.
fn layers(lineage: &Lineage) -> Vec<usize> {
    let n = lineage.nodes.len();
    let mut outgoing = vec![Vec::new(); n];
    for &(a, b) in &lineage.edges {
        outgoing[a].push(b);
    }
    // Depth-first order marks back edges (cycles) so the longest path is finite.
    let mut state = vec![0u8; n];
    let mut forward = Vec::new();
    let mut postorder = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = outgoing[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        forward.push((v, w));
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => {} // A back edge: it closes a cycle.
                    _ => forward.push((v, w)),
                }
            } else {
                state[v] = 2;
                postorder.push(v);
                stack.pop();
            }
        }
    }
    let mut layer = vec![0usize; n];
    let mut incoming = vec![Vec::new(); n];
    for &(a, b) in &forward {
        incoming[b].push(a);
    }
    // Reverse postorder is a topological order of the forward edges.
    for &v in postorder.iter().rev() {
        layer[v] = incoming[v].iter().map(|&u| layer[u] + 1).max().unwrap_or(0);
    }
    layer
}

pub fn svg(lineage: &Lineage) -> String {
    let rows = rows(lineage);
    let layout = Layout::new(lineage, &rows);
    let mut out = layout.header();
    for &(a, b) in &lineage.edges {
        layout.edge(&mut out, a, b);
    }
    for (v, node) in lineage.nodes.iter().enumerate() {
        layout.node(&mut out, v, node);
    }
    out.push_str("</svg>\n");
    out
}

/// The nodes of each layer, top to bottom: the lineage's order, then four barycentre sweeps,
/// down and up in turn.
fn rows(lineage: &Lineage) -> Vec<Vec<usize>> {
    let layer = layers(lineage);
    let depth = layer.iter().copied().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (i, &l) in layer.iter().enumerate() {
        rows[l].push(i);
    }
    let mut position = vec![0f64; lineage.nodes.len()];
    for row in &rows {
        for (p, &v) in row.iter().enumerate() {
            position[v] = p as f64;
        }
    }
    for sweep in 0..4 {
        let downward = sweep % 2 == 0;
        for row in rows.iter_mut() {
            reorder(row, lineage, &layer, &mut position, downward);
        }
    }
    rows
}

/// Sorts one row by the mean position of each node's neighbours in the layer before it
/// (`downward`) or after it; a node without such neighbours keeps its place as its key, and
/// ties keep the row's order. Then records the new positions.
fn reorder(row: &mut Vec<usize>, lineage: &Lineage, layer: &[usize], position: &mut [f64], downward: bool) {
    let neighbours = |v: usize| -> Vec<usize> {
        lineage
            .edges
            .iter()
            .filter_map(|&(a, b)| {
                if downward && b == v && layer[a] < layer[v] {
                    Some(a)
                } else if !downward && a == v && layer[b] > layer[v] {
                    Some(b)
                } else {
                    None
                }
            })
            .collect()
    };
    let mut keyed: Vec<(f64, usize, usize)> = row
        .iter()
        .enumerate()
        .map(|(p, &v)| {
            let near = neighbours(v);
            let key = if near.is_empty() {
                p as f64
            } else {
                near.iter().map(|&u| position[u]).sum::<f64>() / near.len() as f64
            };
            (key, p, v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    *row = keyed.into_iter().map(|(_, _, v)| v).collect();
    for (p, &v) in row.iter().enumerate() {
        position[v] = p as f64;
    }
}

/// Each node's label lines, box and place, and the image's size.
struct Layout {
    labels: Vec<Vec<String>>,
    width: Vec<f64>,
    height: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    image_width: f64,
    image_height: f64,
}

impl Layout {
    /// Sizes each box from its text, then places the rows as columns left to right, each node
    /// below the one before it.
    fn new(lineage: &Lineage, rows: &[Vec<usize>]) -> Layout {
        let n = lineage.nodes.len();
        let labels: Vec<Vec<String>> = lineage.nodes.iter().map(label_lines).collect();
        let width: Vec<f64> = labels
            .iter()
            .map(|lines| lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_WIDTH + 2.0 * PADDING)
            .collect();
        let height: Vec<f64> = labels.iter().map(|lines| lines.len() as f64 * LINE_HEIGHT + PADDING).collect();
        let mut x = vec![0f64; n];
        let mut y = vec![0f64; n];
        let mut left = MARGIN;
        let mut total_height: f64 = 0.0;
        for row in rows {
            let column = row.iter().map(|&v| width[v]).fold(0.0, f64::max);
            let mut top = MARGIN;
            for &v in row {
                x[v] = left;
                y[v] = top;
                top += height[v] + ROW_GAP;
            }
            total_height = total_height.max(top);
            left += column + LAYER_GAP;
        }
        let image_width = (left - LAYER_GAP + MARGIN).max(2.0 * MARGIN);
        let image_height = (total_height - ROW_GAP + MARGIN).max(2.0 * MARGIN);
        Layout { labels, width, height, x, y, image_width, image_height }
    }

    /// The `<svg>` element, the arrowhead marker and the white background.
    fn header(&self) -> String {
        let (image_width, image_height) = (self.image_width, self.image_height);
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{image_width:.0}\" height=\"{image_height:.0}\" \
             viewBox=\"0 0 {image_width:.0} {image_height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        );
        out.push_str(
            "  <defs>\n    <marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" \
             markerHeight=\"8\" orient=\"auto-start-reverse\">\n      <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/>\n    \
             </marker>\n  </defs>\n",
        );
        out.push_str(&format!("  <rect width=\"{image_width:.0}\" height=\"{image_height:.0}\" fill=\"#ffffff\"/>\n"));
        out
    }

    /// An edge from `a`'s right side to `b`'s left side, a cubic curve ending in an arrow.
    fn edge(&self, out: &mut String, a: usize, b: usize) {
        let (x1, y1) = (self.x[a] + self.width[a], self.y[a] + self.height[a] / 2.0);
        let (x2, y2) = (self.x[b], self.y[b] + self.height[b] / 2.0);
        let bend = ((x2 - x1).abs() / 2.0).max(30.0);
        out.push_str(&format!(
            "  <path d=\"M {x1:.1} {y1:.1} C {:.1} {y1:.1}, {:.1} {y2:.1}, {x2:.1} {y2:.1}\" fill=\"none\" \
             stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n",
            x1 + bend,
            x2 - bend
        ));
    }

    /// Node `v`: a group with its title (for a tooltip), its box in its kind's colours and
    /// shape, and its label lines, the first in bold.
    fn node(&self, out: &mut String, v: usize, node: &Node) {
        let (x, y, width, height) = (self.x[v], self.y[v], self.width[v], self.height[v]);
        let (fill, stroke) = colours(node.kind);
        let radius = match node.kind {
            NodeKind::Producer | NodeKind::Consumer => height / 2.0,
            NodeKind::Topic => 10.0,
            _ => 3.0,
        };
        out.push_str(&format!(
            "  <g class=\"{}\">\n    <title>{}</title>\n    <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" \
             rx=\"{radius:.1}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>\n",
            node.kind.as_str(),
            xml(&format!("{} {}", node.kind.as_str(), node.name)),
        ));
        for (i, line) in self.labels[v].iter().enumerate() {
            let weight = if i == 0 { " font-weight=\"bold\"" } else { "" };
            out.push_str(&format!(
                "    <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\"{weight}>{}</text>\n",
                x + width / 2.0,
                y + PADDING / 2.0 + LINE_HEIGHT * (i as f64 + 0.75),
                xml(line)
            ));
        }
        out.push_str("  </g>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lineage(n: usize, edges: &[(usize, usize)]) -> Lineage {
        Lineage {
            nodes: (0..n).map(|i| Node { kind: NodeKind::Topic, name: format!("t{i}"), detail: None }).collect(),
            edges: edges.to_vec(),
        }
    }

    #[test]
    fn layers_follow_the_longest_path_and_survive_cycles() {
        assert_eq!(layers(&lineage(4, &[(0, 1), (1, 2), (0, 2), (3, 2)])), [0, 1, 2, 0]);
        let cyclic = layers(&lineage(3, &[(0, 1), (1, 2), (2, 0)]));
        assert_eq!(cyclic, [0, 1, 2]);
    }

    #[test]
    fn the_svg_is_well_formed_and_escapes_names() {
        let mut l = lineage(2, &[(0, 1)]);
        l.nodes[0].name = "a<b&c".into();
        let svg = svg(&l);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert!(svg.contains("a&lt;b&amp;c") && !svg.contains("a<b"));
        assert_eq!(svg.matches("<g ").count(), 2);
        assert_eq!(svg.matches("marker-end").count(), 1);
    }
}
