//! Decodes parsed KDL files into the typed [`Project`] model.
//!
//! Each top-level node is first checked against the grammar (V002, V003), then read into its
//! model type. Files named by `path=` and `ddl=`, and a `tls` node's `ca` and `cert`, are read
//! here (V006), only inside the project's root (V011), and secrets written inline are reported
//! (V007). Credentials given as `file=` (a `tls` node's `key` among them) are secrets: their
//! paths are recorded, never read here. Names and references are the business of `resolve`.

use super::grammar::{ACL_RESOURCES, ROOT, SASL_MECHANISMS};
use super::loader::{Loaded, read_text};
use super::problem::Problem;
use super::reader::{Node, known_siblings};
use super::root::Root;
use super::tree::Entry;
use crate::model::*;
use crate::source::{SourceMap, Span};
use std::path::{Path, PathBuf};

/// Decodes every parsed file into one project. The files are let go once their nodes are read,
/// before the files those nodes name are: their memory goes back for the texts.
///
/// `view` names the target whose values the project takes (see [`Project::view`]); `None` is
/// the project as declared.
pub(crate) fn decode(
    Loaded { files, root }: Loaded,
    view: Option<&str>,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Project {
    let top_level = files.iter().flat_map(|parsed| parsed.document.nodes.iter().map(|node| (parsed.file, node)));
    let nodes = known_siblings(top_level, &ROOT, None, diagnostics);
    // Each top-level node is validated on its own, on every core; what is found joins in node
    // order. Validation borrows the source map; file reads below add to it, so they come after.
    let found = {
        let sources_ref: &SourceMap = sources;
        crate::parallel::map_on_every_core(&nodes, NODES_PER_TASK, |&(file, kdl, spec)| {
            let mut found = Vec::new();
            Node::new(kdl, spec, file, sources_ref).validate(&mut found);
            found
        })
    };
    diagnostics.extend(found.into_iter().flatten());
    let mut decoder = Decoder { project: Project::default(), reads: Vec::new(), diagnostics };
    for (file, kdl, spec) in nodes {
        let node = Node::new(kdl, spec, file, sources);
        decoder.top_level(node);
    }
    drop(files);
    let reads = std::mem::take(&mut decoder.reads);
    let mut project = decoder.project;
    let texts = read_in_parallel(&reads, &root, sources);
    for (read, text) in reads.into_iter().zip(texts) {
        read.perform(text, &root, &mut project, sources, diagnostics);
    }
    project.view(view).indexed()
}

/// How many top-level nodes a task validates at least: each takes a microsecond or two.
const NODES_PER_TASK: usize = 64;

/// The text of every file the reads name that the source map does not hold yet, read on every
/// core: a project names one file per schema and transform, and opening them is most of the
/// time `venice check` spends (system calls, not parsing). In the order of `reads`.
fn read_in_parallel(reads: &[PendingRead], root: &Root, sources: &SourceMap) -> Vec<Option<FileText>> {
    let read_one = |read: &PendingRead| {
        let (path, shown, span) = read.target();
        sources.find(path).is_none().then(|| read_text(root, path, shown, span))
    };
    // Below this many files a thread costs more than it saves.
    const FILES_PER_TASK: usize = 64;
    crate::parallel::map_on_every_core(reads, FILES_PER_TASK, read_one)
}

struct Decoder<'d> {
    project: Project,
    /// Files to read once decoding is done (reading adds to the source map the nodes borrow).
    reads: Vec<PendingRead>,
    diagnostics: &'d mut Vec<(Problem, Span)>,
}

impl Decoder<'_> {
    fn top_level(&mut self, node: Node) {
        match node.name() {
            "project" => {
                self.project.name = node.arg_string(0);
                self.project.doc = node.doc();
            }
            "include" | "root" => {} // Read by the loader.
            "stack" => self.project.stack = Some(self.stack(node)),
            "defaults" => self.project.defaults = Some(self.defaults(node)),
            "target" => {
                if let Some(target) = self.target(node) {
                    self.project.targets.push(target);
                }
            }
            "database" => {
                if let Some(database) = self.database(node) {
                    self.project.databases.push(database);
                }
            }
            "schema" => self.schema(node),
            "topic" => {
                if let Some(topic) = self.topic(node) {
                    self.project.topics.push(topic);
                }
            }
            "producer" => {
                if let (Some(name), Some(topic)) = (node.arg_string(0), node.prop_string("topic")) {
                    let (key, value) = serdes(node);
                    let (principal, transactional_id) =
                        (node.prop_string("principal"), node.prop_string("transactional-id"));
                    self.project.producers.push(Producer { name, topic, principal, transactional_id, key, value });
                }
            }
            "consumer" => {
                if let (Some(name), Some(topic)) = (node.arg_string(0), node.prop_string("topic")) {
                    let (key, value) = serdes(node);
                    let (group, principal) = (node.prop_string("group"), node.prop_string("principal"));
                    self.project.consumers.push(Consumer { name, topic, group, principal, key, value });
                }
            }
            "source" => self.connector(node, Direction::Source),
            "sink" => self.connector(node, Direction::Sink),
            "stream" => self.ksql_source(node, KsqlSourceKind::Stream),
            "table" => self.ksql_source(node, KsqlSourceKind::Table),
            "transform" => self.transform(node),
            "acl" => {
                if let Some(acl) = self.acl(node) {
                    self.project.acls.push(acl);
                }
            }
            "quota" => self.project.quotas.extend(quota(node)),
            other => unreachable!("`{other}` is in the grammar but not decoded"),
        }
    }

    fn stack(&mut self, node: Node) -> Stack {
        let mut stack = Stack::default();
        for child in node.children() {
            match child.name() {
                "kafka" => {
                    let brokers = child.prop_int("brokers").map(|b| Spanned::new(b.value as u32, b.span));
                    let mode = child.prop_word("mode", |w| match w {
                        "zookeeper" => Some(KafkaMode::Zookeeper),
                        "kraft" => Some(KafkaMode::Kraft),
                        _ => None,
                    });
                    let span = child.name_span();
                    stack.kafka = Some(KafkaService {
                        brokers: brokers.unwrap_or(Spanned::new(1, span)),
                        mode: mode.unwrap_or(Spanned::new(KafkaMode::Kraft, span)),
                    });
                }
                "schema-registry" => stack.schema_registry = Some(child.name_span()),
                "ksqldb" => stack.ksqldb = Some(KsqldbService { version: child.prop_string("version") }),
                "connect" => {
                    let plugins = child.children_named("plugin").filter_map(|p| p.arg_string(0)).collect();
                    stack.connect = Some(ConnectService { span: child.name_span(), plugins });
                }
                "postgres" => stack.postgres = Some(child.name_span()),
                "ui" => stack.ui = child.arg_string(0),
                other => unreachable!("stack child `{other}` is in the grammar but not decoded"),
            }
        }
        stack
    }

    fn target(&mut self, node: Node) -> Option<Target> {
        let name = node.arg_string(0)?;
        let kafka = node.child("kafka");
        let kafka_security = kafka.map(|k| self.kafka_security(k)).unwrap_or_default();
        Some(Target {
            name,
            kafka: kafka.map(|k| k.arg_strings()).unwrap_or_default(),
            kafka_security,
            schema_registry: node.child("schema-registry").and_then(|n| self.endpoint(n)),
            connect: node.child("connect").and_then(|n| self.endpoint(n)),
            ksqldb: node.child("ksqldb").and_then(|n| self.endpoint(n)),
            brokers: kafka.and_then(|k| k.prop_int("brokers")).map(to_u32),
            overrides: self.overrides(node),
            access: self.target_access(node),
        })
    }

    /// A target's principals, its services' identities, its grants and quotas. Names are checked
    /// by `resolve` (V004, V005).
    fn target_access(&mut self, target: Node) -> TargetAccess {
        let actors = target.children().filter(|c| matches!(c.name(), "producer" | "consumer" | "source" | "sink"));
        let principals = actors
            .filter_map(|child| {
                let kind = match child.name() {
                    "producer" => ActorKind::Producer,
                    "consumer" => ActorKind::Consumer,
                    "source" => ActorKind::Source,
                    _ => ActorKind::Sink,
                };
                Some(PrincipalOverride { kind, name: child.arg_string(0)?, principal: child.prop_string("principal")? })
            })
            .collect();
        let connect = target.child("connect").map(|n| WorkerAccess {
            principal: n.prop_string("principal"),
            group: n.prop_string("group"),
            config_topic: n.prop_string("config-topic"),
            offset_topic: n.prop_string("offset-topic"),
            status_topic: n.prop_string("status-topic"),
        });
        let registry = target.child("schema-registry").and_then(|n| {
            let principal = n.prop_string("principal")?;
            Some(RegistryAccess { principal, topic: n.prop_string("topic"), group: n.prop_string("group") })
        });
        TargetAccess {
            name_prefix: target.child("principals").and_then(|n| n.prop_string("name-prefix")),
            principals,
            connect,
            ksqldb_principal: target.child("ksqldb").and_then(|n| n.prop_string("principal")),
            registry,
            acls: target.children_named("acl").filter_map(|n| self.acl(n)).collect(),
            quotas: target.children_named("quota").filter_map(quota).collect(),
        }
    }

    /// An `acl`: its principal, operations and the one resource it names (V003 for none or
    /// several).
    fn acl(&mut self, node: Node) -> Option<AclDecl> {
        let principal = node.arg_string(0)?;
        let operations: Vec<_> = node
            .arg_strings()
            .into_iter()
            .skip(1)
            .filter_map(|w| Some(Spanned::new(Operation::parse(&w.value)?, w.span)))
            .collect();
        let mut resources = ACL_RESOURCES.iter().filter_map(|&prop| Some((prop, self.acl_resource(node, prop)?)));
        let Some((first_prop, resource)) = resources.next() else {
            self.report(Problem::MissingOneOf { node: "acl".into(), options: ACL_RESOURCE_OPTIONS }, principal.span);
            return None;
        };
        if let Some((second, other)) = resources.next() {
            let conflict = Problem::Conflicting { node: "acl".into(), first: first_prop.into(), second: second.into() };
            self.report(conflict, other.span);
            return None;
        }
        (!operations.is_empty()).then(|| AclDecl {
            principal,
            operations,
            resource,
            host: node.prop_string("host"),
            doc: node.doc(),
        })
    }

    /// The resource an `acl` property names, `None` when the property is absent.
    fn acl_resource(&self, node: Node, prop: &str) -> Option<Spanned<Resource>> {
        if prop == "cluster" {
            let name = node.prop_string("cluster")?;
            return Some(Spanned::new(Resource::cluster(), name.span));
        }
        let name = node.prop_string(prop)?;
        let (kind, prefixed) = match prop.strip_suffix("-prefix") {
            Some(kind) => (kind, true),
            None => (prop, false),
        };
        let kind = match kind {
            "topic" => ResourceType::Topic,
            "group" => ResourceType::Group,
            _ => ResourceType::TransactionalId,
        };
        let resource =
            if prefixed { Resource::prefixed(kind, name.value) } else { Resource::literal(kind, name.value) };
        Some(Spanned::new(resource, name.span))
    }

    /// What a target changes of the declarations; names are checked by `resolve` (V004, V005).
    fn overrides(&mut self, target: Node) -> Overrides {
        let names = target.child("names").map(|n| Names {
            topic_prefix: n.prop_string("topic-prefix"),
            group_prefix: n.prop_string("group-prefix"),
        });
        let mut overrides = Overrides {
            defaults: target.child("defaults").map(|n| self.defaults(n)),
            names,
            ksql_service_id: target.child("ksqldb").and_then(|n| n.prop_string("service-id")),
            ..Overrides::default()
        };
        let changes = target.children().filter(|c| matches!(c.name(), "topic" | "source" | "sink" | "database"));
        for child in changes {
            let Some(name) = child.arg_string(0) else { continue };
            match child.name() {
                "topic" => overrides.topics.push(TopicOverride {
                    name,
                    partitions: child.prop_int("partitions").map(to_u32),
                    replication: child.prop_int("replication").map(to_u32),
                    retention: child.child("retention").and_then(|n| n.arg_word(0, Duration::parse)),
                    cleanup: child.child("cleanup").and_then(|n| n.arg_word(0, CleanupPolicy::parse)),
                    config: self.config_entries(child),
                    rename: child.prop_string("name"),
                }),
                "source" | "sink" => overrides.connectors.push(ConnectorOverride {
                    name,
                    direction: if child.name() == "sink" { Direction::Sink } else { Direction::Source },
                    tasks: child.prop_int("tasks").map(to_u32),
                    config: self.config_entries(child),
                }),
                "database" => {
                    let host = child.child("host");
                    overrides.databases.push(DatabaseOverride {
                        name,
                        host: host.and_then(|h| h.arg_string(0)),
                        port: host.and_then(|h| h.prop_int("port")).map(|p| Spanned::new(p.value as u16, p.span)),
                        db_name: child.child("name").and_then(|n| n.arg_string(0)),
                        user: child.child("user").and_then(|n| self.credential(n, false)),
                        password: child.child("password").and_then(|n| self.credential(n, true)),
                    });
                }
                other => unreachable!("`{other}` is filtered above"),
            }
        }
        overrides
    }

    fn defaults(&mut self, node: Node) -> Defaults {
        Defaults {
            partitions: node.prop_int("partitions").map(to_u32),
            replication: node.prop_int("replication").map(to_u32),
            config: self.config_entries(node),
        }
    }

    fn endpoint(&mut self, node: Node) -> Option<Endpoint> {
        let url = node.arg_string(0)?;
        let tls = node.child("tls").map(|n| self.tls(n));
        if let Some(tls_node) = node.child("tls").filter(|_| url.value.to_ascii_lowercase().starts_with("http://")) {
            self.report(Problem::TlsWithoutHttps { node: node.name().into() }, tls_node.name_span());
        }
        Some(Endpoint {
            url,
            user: node.child("user").and_then(|n| self.credential(n, false)),
            password: node.child("password").and_then(|n| self.credential(n, true)),
            token: node.child("token").and_then(|n| self.credential(n, true)),
            tls,
        })
    }

    fn kafka_security(&mut self, kafka: Node) -> KafkaSecurity {
        KafkaSecurity {
            tls: kafka.child("tls").map(|n| self.tls(n)),
            sasl: kafka.child("sasl").and_then(|n| self.sasl(n)),
        }
    }

    /// `tls { ca; cert; key }`. The certificates are files of the project, read (V006) inside
    /// the root (V011) like a schema; the key is a secret, never read here.
    fn tls(&mut self, node: Node) -> Tls {
        let ca = node.child("ca").and_then(|n| self.certificate_file(n));
        let (cert_node, key_node) = (node.child("cert"), node.child("key"));
        let cert = cert_node.and_then(|n| self.certificate_file(n));
        let key = key_node.and_then(|n| self.credential(n, true));
        let client = match (cert_node, key_node) {
            (Some(given), None) => {
                self.report(Problem::NeedsBeside { node: "tls", given: "cert", needs: "key" }, given.name_span());
                None
            }
            (None, Some(given)) => {
                self.report(Problem::NeedsBeside { node: "tls", given: "key", needs: "cert" }, given.name_span());
                None
            }
            _ => cert.zip(key).map(|(cert, key)| ClientCertificate { cert, key }),
        };
        Tls { ca, client }
    }

    /// A `ca` or `cert` path, queued to be read once decoding is done.
    fn certificate_file(&mut self, node: Node) -> Option<Spanned<PathBuf>> {
        let path = node.arg_string(0)?;
        let full = relative_to(node, &path.value);
        self.reads.push(PendingRead::Certificate { path: full.clone(), shown: path.value, span: path.span });
        Some(Spanned::new(full, path.span))
    }

    /// `sasl MECHANISM { ... }`: one grammar node for every mechanism, so which settings go
    /// with which is checked here. Kafka's `PlainLoginModule` and `ScramLoginModule` log in
    /// with `username` and `password`; OAUTHBEARER's `ClientCredentialsAccessTokenRetriever`
    /// requires `clientId` and `clientSecret`, posts them to
    /// `sasl.oauthbearer.token.endpoint.url`, and sends `scope` only when given.
    fn sasl(&mut self, node: Node) -> Option<Sasl> {
        let mechanism = node.arg_word(0, |w| {
            let word = w.to_ascii_lowercase().replace('_', "-");
            SASL_MECHANISMS.contains(&word.as_str()).then_some(word)
        })?;
        let shown = format!("sasl {}", mechanism.value);
        let oauth = mechanism.value == "oauthbearer";
        const LOGIN: [&str; 2] = ["user", "password"];
        const OAUTH: [&str; 4] = ["token-url", "client-id", "client-secret", "scope"];
        let foreign = if oauth { &LOGIN[..] } else { &OAUTH[..] };
        for child in node.children().filter(|c| foreign.contains(&c.name())) {
            self.report(
                Problem::NotForMechanism { setting: child.name().into(), sasl: shown.clone() },
                child.name_span(),
            );
        }
        if oauth {
            let token_url = self.required_child(node, &shown, "token-url").and_then(|n| n.arg_string(0));
            let client_id = self.required_child(node, &shown, "client-id").and_then(|n| self.credential(n, false));
            let secret = self.required_child(node, &shown, "client-secret").and_then(|n| self.credential(n, true));
            let scope = node.child("scope").and_then(|n| n.arg_string(0));
            let (token_url, client_id, client_secret) = (token_url?, client_id?, secret?);
            return Some(Sasl::OAuthBearer(OAuthClient { token_url, client_id, client_secret, scope }));
        }
        let user = self.required_child(node, &shown, "user").and_then(|n| self.credential(n, false));
        let password = self.required_child(node, &shown, "password").and_then(|n| self.credential(n, true));
        let login = Login { user: user?, password: password? };
        Some(match mechanism.value.as_str() {
            "plain" => Sasl::Plain(login),
            "scram-sha-256" => Sasl::ScramSha256(login),
            _ => Sasl::ScramSha512(login),
        })
    }

    /// A child `node` needs (V003 when absent, at the node, which `shown` names).
    fn required_child<'a>(&mut self, node: Node<'a>, shown: &str, child: &'static str) -> Option<Node<'a>> {
        let found = node.child(child);
        if found.is_none() {
            self.report(Problem::MissingChild { node: shown.into(), child }, node.name_span());
        }
        found
    }

    /// A `user`/`password`/`token` node. An inline value of a secret is V007.
    fn credential(&mut self, node: Node, secret: bool) -> Option<Credential> {
        let literal = node.arg_string(0);
        let env = node.prop_string("env");
        let file = node.prop_string("file");
        let given = [literal.is_some(), env.is_some(), file.is_some()].iter().filter(|g| **g).count();
        if given == 0 {
            let options: &'static [&'static str] =
                if secret { &["env=", "file="] } else { &["\"NAME\"", "env=", "file="] };
            self.report(Problem::MissingOneOf { node: node.name().into(), options }, node.name_span());
            return None;
        }
        if given > 1 {
            let names: Vec<&str> =
                [("\"NAME\"", literal.is_some()), ("env=", env.is_some()), ("file=", file.is_some())]
                    .into_iter()
                    .filter_map(|(n, g)| g.then_some(n))
                    .collect();
            self.report(
                Problem::Conflicting { node: node.name().into(), first: names[0].into(), second: names[1].into() },
                node.name_span(),
            );
        }
        if let Some(literal) = literal {
            if secret {
                self.report(Problem::InlineSecret { node: node.name().into() }, literal.span);
                return None;
            }
            return Some(Credential::Literal(literal));
        }
        if let Some(env) = env {
            return Some(Credential::Env(env));
        }
        let file = file?;
        Some(Credential::File(Spanned::new(relative_to(node, &file.value), file.span)))
    }

    fn database(&mut self, node: Node) -> Option<Database> {
        let name = node.arg_string(0)?;
        let host = node.child("host");
        Some(Database {
            name,
            host: host.and_then(|h| h.arg_string(0)),
            port: host.and_then(|h| h.prop_int("port")).map(|p| Spanned::new(p.value as u16, p.span)),
            db_name: node.child("name").and_then(|n| n.arg_string(0)),
            user: node.child("user").and_then(|n| self.credential(n, false)),
            password: node.child("password").and_then(|n| self.credential(n, true)),
        })
    }

    fn schema(&mut self, node: Node) {
        let Some(name) = node.arg_string(0) else { return };
        let source = match (node.prop_string("path"), node.prop_entry_of("avro")) {
            (Some(_), Some(_)) => {
                self.report(
                    Problem::Conflicting { node: "schema".into(), first: "path".into(), second: "avro".into() },
                    name.span,
                );
                return;
            }
            (None, None) => {
                self.report(Problem::MissingOneOf { node: "schema".into(), options: &["path=", "avro="] }, name.span);
                return;
            }
            (None, Some(entry)) => SchemaSource::Inline(embedded_text(node, entry)),
            (Some(path), None) => {
                let full = relative_to(node, &path.value);
                self.reads.push(PendingRead::Schema {
                    index: self.project.schemas.len(),
                    path: full.clone(),
                    shown: path.value.clone(),
                    span: path.span,
                });
                SchemaSource::File { path: Spanned::new(full, path.span), file: None }
            }
        };
        let kind = match &source {
            SchemaSource::File { path, .. } => schema_kind_of(&path.value),
            SchemaSource::Inline(_) => SchemaKind::Avro,
        };
        let references = node.children_named("reference").filter_map(reference).collect();
        self.project.schemas.push(Schema { name, doc: node.doc(), kind, source, references });
    }

    fn topic(&mut self, node: Node) -> Option<Topic> {
        let name = node.arg_string(0)?;
        let (key, value) = serdes(node);
        Some(Topic {
            name,
            partitions: node.prop_int("partitions").map(to_u32),
            replication: node.prop_int("replication").map(to_u32),
            key,
            value,
            compatibility: node.child("compatibility").and_then(|n| n.arg_word(0, Compatibility::parse)),
            retention: node.child("retention").and_then(|n| n.arg_word(0, Duration::parse)),
            cleanup: node.child("cleanup").and_then(|n| n.arg_word(0, CleanupPolicy::parse)),
            config: self.config_entries(node),
        })
    }

    fn connector(&mut self, node: Node, direction: Direction) {
        let Some(name) = node.arg_string(0) else { return };
        let kind = match (node.prop_string("connector"), node.prop_string("class")) {
            (Some(catalog), None) => Some(ConnectorKind::Catalog(catalog)),
            (None, Some(class)) => Some(ConnectorKind::Class(class)),
            (Some(_), Some(class)) => {
                self.report(
                    Problem::Conflicting {
                        node: node.name().into(),
                        first: "connector".into(),
                        second: "class".into(),
                    },
                    class.span,
                );
                None
            }
            (None, None) => {
                self.report(
                    Problem::MissingOneOf { node: node.name().into(), options: &["connector=", "class="] },
                    name.span,
                );
                None
            }
        };
        let topic = node.prop_string("topic");
        let index = self.project.connectors.len();
        let tables = match direction {
            Direction::Source => self.captured_tables(node, index),
            Direction::Sink => Vec::new(),
        };
        let (key, value) = serdes(node);
        let flag = |child: &str| node.child(child).and_then(|n| n.arg_bool(0));
        let is_sink = direction == Direction::Sink;
        let config = self.config_entries(node);
        self.project.connectors.push(Connector {
            name,
            direction,
            kind,
            topic,
            database: node.child("database").and_then(|n| n.arg_string(0)),
            tables,
            table: is_sink.then(|| node.child("table").and_then(|n| n.arg_string(0))).flatten(),
            file: node.child("file").and_then(|n| n.arg_string(0)),
            unwrap: (!is_sink).then(|| flag("unwrap")).flatten(),
            mode: is_sink.then(|| node.child("mode").and_then(|n| n.arg_word(0, sink_mode))).flatten(),
            pk: is_sink.then(|| node.child("pk").and_then(primary_key)).flatten(),
            deletes: is_sink.then(|| flag("deletes")).flatten(),
            key,
            value,
            tasks: node.prop_int("tasks").map(to_u32),
            principal: node.prop_string("principal"),
            config,
        });
    }

    fn captured_tables(&mut self, node: Node, connector: usize) -> Vec<CapturedTable> {
        let mut tables = Vec::new();
        for table in node.children_named("table") {
            let (Some(name), Some(topic)) = (table.arg_string(0), table.prop_string("topic")) else { continue };
            if let Some(ddl) = table.prop_string("ddl") {
                self.reads.push(PendingRead::Ddl {
                    connector,
                    table: tables.len(),
                    path: relative_to(table, &ddl.value),
                    shown: ddl.value,
                    span: ddl.span,
                });
            }
            tables.push(CapturedTable { table: name, topic, ddl: None });
        }
        tables
    }

    fn ksql_source(&mut self, node: Node, kind: KsqlSourceKind) {
        let (Some(name), Some(topic)) = (node.arg_string(0), node.prop_string("topic")) else { return };
        let key_column = node.prop_string("key-column");
        self.project.ksql_sources.push(KsqlSource { kind, name, doc: node.doc(), topic, key_column });
    }

    fn transform(&mut self, node: Node) {
        let Some(name) = node.arg_string(0) else { return };
        let inline = node.child("sql");
        let sql = match (node.prop_string("path"), inline) {
            (Some(path), None) => {
                self.reads.push(PendingRead::Transform {
                    index: self.project.transforms.len(),
                    path: relative_to(node, &path.value),
                    shown: path.value,
                    span: path.span,
                });
                None
            }
            (None, Some(sql)) => inline_sql(sql),
            (Some(path), Some(_)) => {
                self.report(
                    Problem::Conflicting { node: "transform".into(), first: "path".into(), second: "sql".into() },
                    path.span,
                );
                None
            }
            (None, None) => {
                self.report(Problem::MissingOneOf { node: "transform".into(), options: &["path=", "sql"] }, name.span);
                None
            }
        };
        self.project.transforms.push(Transform { name, sql });
    }

    /// `config "key" "value"` entries; a secret setting with a literal value is V007.
    fn config_entries(&mut self, node: Node) -> Vec<ConfigEntry> {
        let entries: Vec<ConfigEntry> = node
            .children_named("config")
            .filter_map(|c| Some(ConfigEntry { key: c.arg_string(0)?, value: c.arg_string(1)? }))
            .collect();
        for entry in entries.iter().filter(|e| holds_inline_secret(e)) {
            self.report(Problem::InlineSecretSetting { key: entry.key.value.clone() }, entry.value.span);
        }
        entries
    }

    fn report(&mut self, kind: Problem, span: Span) {
        self.diagnostics.push((kind, span));
    }
}

/// Whether a passed-through setting names a secret and holds it literally rather than as a
/// config-provider reference (`${env:VAR}`, `${file:/path:key}`).
fn holds_inline_secret(entry: &ConfigEntry) -> bool {
    const SECRET_WORDS: [&str; 7] = ["password", "secret", "token", "credential", "apikey", "api.key", "jaas.config"];
    let key = entry.key.value.to_lowercase();
    let names_secret = SECRET_WORDS.iter().any(|w| key.contains(w));
    let value = entry.value.value.trim();
    let is_reference = value.starts_with("${") && value.ends_with('}');
    names_secret && !value.is_empty() && !is_reference
}

/// A file's text, or why it cannot be read (V006).
type FileText = Result<String, Box<(Problem, Span)>>;

/// A file named in the project, read after decoding. A `Certificate` (a `ca` or `cert` of `tls`)
/// is only checked to be readable, not kept.
enum PendingRead {
    Schema { index: usize, path: PathBuf, shown: String, span: Span },
    Transform { index: usize, path: PathBuf, shown: String, span: Span },
    Ddl { connector: usize, table: usize, path: PathBuf, shown: String, span: Span },
    Certificate { path: PathBuf, shown: String, span: Span },
}

impl PendingRead {
    /// The file to read, as the user wrote it, and where.
    fn target(&self) -> (&PathBuf, &str, Span) {
        match self {
            PendingRead::Schema { path, shown, span, .. }
            | PendingRead::Transform { path, shown, span, .. }
            | PendingRead::Ddl { path, shown, span, .. }
            | PendingRead::Certificate { path, shown, span } => (path, shown, *span),
        }
    }

    /// Records the file in the project. `read` is its text when it was read ahead; `None` when
    /// the source map held it then (or it is named twice and now holds it).
    fn perform(
        self,
        read: Option<FileText>,
        root: &Root,
        project: &mut Project,
        sources: &mut SourceMap,
        diagnostics: &mut Vec<(Problem, Span)>,
    ) {
        let (path, shown, span) = self.target();
        if let PendingRead::Certificate { .. } = self {
            // The clients read it when they connect; check only says it can be read.
            let unreadable =
                sources.find(path).is_none().then(|| read.unwrap_or_else(|| read_text(root, path, shown, span)));
            if let Some(Err(diagnostic)) = unreadable {
                diagnostics.push(*diagnostic);
            }
            return;
        }
        let file = match sources.find(path) {
            Some(file) => file,
            None => match read.unwrap_or_else(|| read_text(root, path, shown, span)) {
                Ok(text) => sources.add(path.clone(), text),
                Err(diagnostic) => {
                    diagnostics.push(*diagnostic);
                    return;
                }
            },
        };
        let text = || sources.get(file).text.clone();
        match self {
            PendingRead::Schema { index, .. } => {
                if let SchemaSource::File { file: slot, .. } = &mut project.schemas[index].source {
                    *slot = Some(file);
                }
            }
            PendingRead::Transform { index, .. } => {
                project.transforms[index].sql = Some(SourceText::from_file(file, text()));
            }
            PendingRead::Ddl { connector, table, .. } => {
                project.connectors[connector].tables[table].ddl = Some(SourceText::from_file(file, text()));
            }
            PendingRead::Certificate { .. } => unreachable!("returned above"),
        }
    }
}

/// An integer the grammar bounds to fit in a `u32`.
/// How V003 names the resource properties of an `acl` when none is given.
const ACL_RESOURCE_OPTIONS: &[&str] = &[
    "topic=",
    "topic-prefix=",
    "group=",
    "group-prefix=",
    "transactional-id=",
    "transactional-id-prefix=",
    "cluster=\"kafka-cluster\"",
];

/// A `quota` node.
fn quota(node: Node) -> Option<QuotaDecl> {
    Some(QuotaDecl {
        principal: node.arg_string(0)?,
        produce_rate: node.prop_rate("produce-rate"),
        consume_rate: node.prop_rate("consume-rate"),
        request_percentage: node.prop_int("request-percentage").map(to_u32),
    })
}

fn to_u32(n: Spanned<i128>) -> Spanned<u32> {
    Spanned::new(n.value as u32, n.span)
}

fn serdes(node: Node) -> (Option<Serde>, Option<Serde>) {
    (node.child("key").and_then(serde), node.child("value").and_then(serde))
}

fn serde(node: Node) -> Option<Serde> {
    Some(Serde {
        format: node.arg_word(0, Format::parse)?,
        schema: node.prop_string("schema"),
        message: node.prop_string("message"),
    })
}

fn reference(node: Node) -> Option<SchemaReference> {
    Some(SchemaReference {
        name: node.arg_string(0)?,
        schema: node.prop_string("schema")?,
        subject: node.prop_string("subject"),
    })
}

fn sink_mode(word: &str) -> Option<SinkMode> {
    match word {
        "insert" => Some(SinkMode::Insert),
        "upsert" => Some(SinkMode::Upsert),
        "update" => Some(SinkMode::Update),
        _ => None,
    }
}

fn primary_key(node: Node) -> Option<PrimaryKey> {
    let source = node.arg_word(0, |w| match w {
        "none" => Some(PkSource::None),
        "kafka" => Some(PkSource::Kafka),
        "record-key" => Some(PkSource::RecordKey),
        "record-value" => Some(PkSource::RecordValue),
        _ => None,
    })?;
    let fields = node.prop_entry_of("fields").map(|e| split_fields(node, e)).unwrap_or_default();
    Some(PrimaryKey { source, fields })
}

/// `fields="A, B"`: each field with its own span when the literal is a plain string.
fn split_fields(node: Node, entry: &Entry) -> Vec<Spanned<String>> {
    let value = entry.value().as_string().unwrap_or_default();
    let (literal, start) = node.value_literal(entry);
    let quote = literal.find(value).filter(|_| !value.is_empty());
    let mut fields = Vec::new();
    let mut offset = 0;
    for part in value.split(',') {
        let trimmed = part.trim();
        let lead = part.len() - part.trim_start().len();
        if !trimmed.is_empty() {
            let span = match quote {
                Some(q) => Span::new(node.file, start + q + offset + lead, start + q + offset + lead + trimmed.len()),
                None => node.value_span(entry),
            };
            fields.push(Spanned::new(trimmed.to_string(), span));
        }
        offset += part.len() + 1;
    }
    fields
}

fn inline_sql(node: Node) -> Option<SourceText> {
    node.arg_entry_of(0).map(|entry| embedded_text(node, entry))
}

/// A string entry's value, mapped back to where it is written.
fn embedded_text(node: Node, entry: &Entry) -> SourceText {
    let value = entry.value().as_string().unwrap_or_default().to_string();
    let (literal, start) = node.value_literal(entry);
    SourceText::inline(node.file, value, literal, start)
}

/// A path written in a file, relative to that file's folder.
fn relative_to(node: Node, written: &str) -> PathBuf {
    node_dir(node).join(written)
}

fn node_dir(node: Node) -> PathBuf {
    node.source_path().parent().map(Path::to_path_buf).unwrap_or_default()
}

fn schema_kind_of(path: &Path) -> SchemaKind {
    match path.extension().and_then(|e| e.to_str()) {
        Some("proto") => SchemaKind::Protobuf,
        Some("json") => SchemaKind::JsonSchema,
        _ => SchemaKind::Avro,
    }
}
