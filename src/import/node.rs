//! The declarations import writes, built as `kdl` crate nodes so the crate picks each value's
//! quoting (bare where KDL v2 allows it), then appended to venice.kdl's text, which is kept as
//! it was, comments and formatting included.

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};

/// One node: its name, arguments, properties, children, and the comment lines above it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decl {
    pub(crate) name: &'static str,
    pub(crate) args: Vec<KdlValue>,
    pub(crate) props: Vec<(&'static str, KdlValue)>,
    pub(crate) children: Vec<Decl>,
    pub(crate) comments: Vec<String>,
}

/// A string value.
pub(crate) fn s(text: impl Into<String>) -> KdlValue {
    KdlValue::String(text.into())
}

impl Decl {
    pub(crate) fn new(name: &'static str) -> Decl {
        Decl { name, args: Vec::new(), props: Vec::new(), children: Vec::new(), comments: Vec::new() }
    }

    pub(crate) fn arg(mut self, value: KdlValue) -> Decl {
        self.args.push(value);
        self
    }

    pub(crate) fn prop(mut self, key: &'static str, value: KdlValue) -> Decl {
        self.props.push((key, value));
        self
    }

    pub(crate) fn child(mut self, child: Decl) -> Decl {
        self.children.push(child);
        self
    }

    pub(crate) fn comment(mut self, line: impl Into<String>) -> Decl {
        self.comments.push(line.into());
        self
    }

    /// The first argument, as a string (the node's name for named nodes).
    pub(crate) fn first(&self) -> String {
        self.args.first().and_then(|v| v.as_string()).unwrap_or_default().to_string()
    }

    fn to_kdl(&self) -> KdlNode {
        let mut node = KdlNode::new(self.name);
        for value in &self.args {
            node.push(KdlEntry::new(value.clone()));
        }
        for (key, value) in &self.props {
            node.push(KdlEntry::new_prop(*key, value.clone()));
        }
        if !self.children.is_empty() {
            let children = node.ensure_children();
            for child in &self.children {
                children.nodes_mut().push(child.to_kdl());
            }
        }
        node
    }
}

/// The nodes as KDL text, four spaces a level, each comment line above its node, a blank line
/// between top-level nodes that have children or comments.
pub(crate) fn render(decls: &[Decl]) -> String {
    let mut out = String::new();
    for (i, decl) in decls.iter().enumerate() {
        let roomy = !decl.children.is_empty() || !decl.comments.is_empty();
        if i > 0 && (roomy || !decls[i - 1].children.is_empty()) {
            out.push('\n');
        }
        for line in &decl.comments {
            out.push_str(&format!("// {line}\n"));
        }
        let mut document = KdlDocument::new();
        document.nodes_mut().push(decl.to_kdl());
        document.autoformat();
        out.push_str(document.to_string().trim_end());
        out.push('\n');
    }
    out
}

/// `text` with `added` after it, under a comment naming where it came from.
pub(crate) fn append(text: &str, added: &str, heading: &str) -> String {
    if added.is_empty() {
        return text.to_string();
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.trim().is_empty() {
        out.push('\n');
    }
    out.push_str(&format!("// {heading}\n"));
    out.push_str(added);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_written_as_kdl_v2_with_the_quoting_each_value_needs() {
        let topic = Decl::new("topic")
            .arg(s("shop.orders"))
            .prop("partitions", KdlValue::Integer(3))
            .child(Decl::new("key").arg(s("string")))
            .child(Decl::new("config").arg(s("min.insync.replicas")).arg(s("1")))
            .comment("the values disagree");
        let sink = Decl::new("unwrap").arg(KdlValue::Bool(true));
        let text = render(&[topic, sink]);
        assert_eq!(
            text,
            "// the values disagree\ntopic shop.orders partitions=3 {\n    key string\n    config min.insync.replicas \"1\"\n}\n\nunwrap #true\n"
        );
        let parsed: KdlDocument = text.parse().unwrap();
        assert_eq!(parsed.nodes().len(), 2);
    }

    #[test]
    fn appending_keeps_the_text_as_it_was() {
        let text = "project p // mine\ntarget local";
        assert_eq!(append(text, "topic t\n", "imported"), "project p // mine\ntarget local\n\n// imported\ntopic t\n");
        assert_eq!(append(text, "", "imported"), text);
    }
}
