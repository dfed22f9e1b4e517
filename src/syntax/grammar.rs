//! The grammar of venice.kdl: every node, its arguments, properties and children.
//!
//! The decoder validates each node against this table before reading it (unknown names are V002,
//! missing or mistyped values V003), and the language reference in `schema/` is generated from it,
//! so the documentation and the decoder cannot drift apart.

/// The type of an argument or property value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Integer,
    /// An integer within inclusive bounds.
    IntegerIn(i64, i64),
    Bool,
    /// One word of a fixed set.
    OneOf(&'static [&'static str]),
    /// One word of a fixed set as another service spells it too: any case, `_` for `-`. The
    /// Schema Registry writes `BACKWARD_TRANSITIVE` where venice writes `backward-transitive`, and
    /// a user copying a level from the registry's docs or API should not be refused.
    OneOfAnyCase(&'static [&'static str]),
    /// `30s`, `15m`, `12h`, `7d` or `forever`.
    Duration,
    /// A path relative to the file that names it.
    Path,
    /// The name of another declared thing of the given kind.
    Ref(&'static str),
    /// A Kafka principal, `Type:name` as `KafkaPrincipal.toString` writes it (`User:web-app`).
    Principal,
    /// Bytes per second: an integer, or a string with a unit (`"512KiB"`, `"5MiB"`, `"1GiB"`).
    Rate,
}

/// A positional argument.
#[derive(Debug)]
pub struct ArgSpec {
    pub name: &'static str,
    pub ty: ValueType,
    pub required: bool,
    /// Takes any number of values (at least one when required).
    pub repeated: bool,
    pub doc: &'static str,
}

/// A `name=value` property.
#[derive(Debug)]
pub struct PropSpec {
    pub name: &'static str,
    pub ty: ValueType,
    pub required: bool,
    pub doc: &'static str,
}

/// A node: what it takes and which children it may have.
#[derive(Debug)]
pub struct NodeSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub args: &'static [ArgSpec],
    pub props: &'static [PropSpec],
    pub children: &'static [NodeSpec],
    /// May appear more than once under the same parent.
    pub repeatable: bool,
}

impl NodeSpec {
    pub fn child(&self, name: &str) -> Option<&'static NodeSpec> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn prop(&self, name: &str) -> Option<&'static PropSpec> {
        self.props.iter().chain([&DOC]).find(|p| p.name == name)
    }

    /// Every property name the node takes, `doc` included.
    pub fn prop_names(&self) -> impl Iterator<Item = &'static str> {
        self.props.iter().chain([&DOC]).map(|p| p.name)
    }
}

/// `doc="..."`, which every node takes.
pub(crate) static DOC: PropSpec = PropSpec {
    name: "doc",
    ty: ValueType::String,
    required: false,
    doc: "A description for the readers of venice.kdl. The project's opens the README of `venice build`; a `stream`'s or `table`'s is a comment in its ksqlDB file.",
};

/// The words of `key`/`value`: the serde formats of docs/language.md.
pub(crate) const FORMATS: &[&str] = &[
    "string",
    "int",
    "long",
    "double",
    "bytes",
    "none",
    "json",
    "connect-json",
    "json-sr",
    "avro",
    "avro-raw",
    "protobuf",
    "delimited",
];

pub(crate) const COMPATIBILITY_LEVELS: &[&str] =
    &["none", "backward", "backward-transitive", "forward", "forward-transitive", "full", "full-transitive"];

pub(crate) const CONNECTORS: &[&str] = &["jdbc", "debezium-jdbc", "debezium-postgres", "file"];

const fn arg(name: &'static str, ty: ValueType, doc: &'static str) -> ArgSpec {
    ArgSpec { name, ty, required: true, repeated: false, doc }
}

const fn prop(name: &'static str, ty: ValueType, doc: &'static str) -> PropSpec {
    PropSpec { name, ty, required: false, doc }
}

const fn required_prop(name: &'static str, ty: ValueType, doc: &'static str) -> PropSpec {
    PropSpec { name, ty, required: true, doc }
}

const fn leaf(name: &'static str, doc: &'static str, args: &'static [ArgSpec], props: &'static [PropSpec]) -> NodeSpec {
    NodeSpec { name, doc, args, props, children: &[], repeatable: false }
}

const NAME: ArgSpec = arg("name", ValueType::String, "The name, unique within its kind.");

const SERDE_ARGS: [ArgSpec; 1] =
    [arg("format", ValueType::OneOf(FORMATS), "The serde format: what bytes are on the wire.")];
const SERDE_PROPS: [PropSpec; 2] = [
    prop(
        "schema",
        ValueType::Ref("schema"),
        "The schema, for schema formats (`avro`, `avro-raw`, `json-sr`, `protobuf`).",
    ),
    prop(
        "message",
        ValueType::String,
        "For `protobuf`: the message of the `.proto` written or read, by its full name (`shop.Order`); default the file's first, as the registry's `ProtobufSchema` takes it. A reader that names none reads whichever message the record's indexes name.",
    ),
];

const fn serde_node(name: &'static str, doc: &'static str) -> NodeSpec {
    leaf(name, doc, &SERDE_ARGS, &SERDE_PROPS)
}

const KEY: NodeSpec = serde_node("key", "The key's serde format.");
const VALUE: NodeSpec = serde_node("value", "The value's serde format.");

/// A value that may be a secret: `password env=VAR`, `password file=PATH`, or (for `user` only)
/// `user NAME` inline; the decoder reports an inline `password` or `token` as V007.
const fn secret_node(name: &'static str, doc: &'static str) -> NodeSpec {
    leaf(
        name,
        doc,
        &[ArgSpec {
            name: "value",
            ty: ValueType::String,
            required: false,
            repeated: false,
            doc: "The value written inline (not allowed for secrets: use `env=` or `file=`).",
        }],
        &SECRET_PROPS,
    )
}

const SECRET_PROPS: [PropSpec; 2] = [
    prop("env", ValueType::String, "The environment variable that holds the value."),
    prop("file", ValueType::Path, "A file that holds the value."),
];

const USER: NodeSpec = secret_node("user", "The user name: inline, or `env=VAR`, or `file=PATH`.");
const PASSWORD: NodeSpec = secret_node("password", "The password: `env=VAR` or `file=PATH`, never inline.");
const TOKEN: NodeSpec = secret_node("token", "A bearer token: `env=VAR` or `file=PATH`, never inline.");

const CONFIG: NodeSpec = NodeSpec {
    repeatable: true,
    ..leaf(
        "config",
        "Any other setting, passed through as is.",
        &[arg("key", ValueType::String, "The setting's name."), arg("value", ValueType::String, "Its value.")],
        &[],
    )
};

const DATABASE_REF: NodeSpec = leaf(
    "database",
    "The database it connects to.",
    &[arg("name", ValueType::Ref("database"), "A declared database.")],
    &[],
);

const FILE: NodeSpec = leaf(
    "file",
    "The file a `file` connector reads or writes.",
    &[arg("path", ValueType::String, "The path on the Connect worker.")],
    &[],
);

const STACK: NodeSpec = NodeSpec {
    name: "stack",
    doc: "The local stack that `venice build` writes as a Compose file.",
    args: &[],
    props: &[],
    repeatable: false,
    children: &[
        leaf(
            "kafka",
            "The Kafka brokers.",
            &[],
            &[
                prop("brokers", ValueType::IntegerIn(1, 9), "How many brokers (default 1)."),
                prop("mode", ValueType::OneOf(&["kraft", "zookeeper"]), "The metadata mode (default `kraft`)."),
            ],
        ),
        leaf("schema-registry", "A Schema Registry.", &[], &[]),
        leaf(
            "ksqldb",
            "A ksqlDB server and CLI.",
            &[],
            &[prop(
                "version",
                ValueType::String,
                "The ksqlDB version transforms are checked against (default `0.29.0`).",
            )],
        ),
        NodeSpec {
            name: "connect",
            doc: "A Kafka Connect worker.",
            args: &[],
            props: &[],
            repeatable: false,
            children: &[NodeSpec {
                repeatable: true,
                ..leaf(
                    "plugin",
                    "A connector plugin installed into the Connect image.",
                    &[arg("name", ValueType::OneOf(CONNECTORS), "The plugin.")],
                    &[],
                )
            }],
        },
        leaf("postgres", "A PostgreSQL service for the databases.", &[], &[]),
        leaf(
            "ui",
            "A web UI over the brokers and the registry.",
            &[arg("kind", ValueType::OneOf(&["kafdrop", "akhq", "kafka-ui"]), "Which UI.")],
            &[],
        ),
    ],
};

const URL_ARGS: [ArgSpec; 1] = [arg("url", ValueType::String, "Its base URL.")];
const ENDPOINT_CHILDREN: [NodeSpec; 4] = [USER, PASSWORD, TOKEN, TLS];

const fn endpoint_node(name: &'static str, doc: &'static str) -> NodeSpec {
    NodeSpec { name, doc, args: &URL_ARGS, props: &[], children: &ENDPOINT_CHILDREN, repeatable: false }
}

/// `tls { ca; cert; key }`: the same block for Kafka and the HTTP services. Server certificates
/// and host names are always verified: there is no setting to turn that off.
const TLS: NodeSpec = NodeSpec {
    name: "tls",
    doc: "Connect over TLS, verifying the server's certificate and host name. With no children, against the webpki roots (Mozilla's root certificates, built into venice).",
    args: &[],
    props: &[],
    repeatable: false,
    children: &[
        leaf(
            "ca",
            "Verify the server with this CA bundle instead of the webpki roots.",
            &[arg("path", ValueType::Path, "A PEM file of CA certificates, relative to this file.")],
            &[],
        ),
        leaf(
            "cert",
            "Mutual TLS: the client's certificate chain, with `key`.",
            &[arg("path", ValueType::Path, "A PEM file, the client's certificate first, relative to this file.")],
            &[],
        ),
        secret_node(
            "key",
            "Mutual TLS: the client certificate's private key (PKCS#8 PEM), with `cert`: `env=VAR` or `file=PATH`, never inline.",
        ),
    ],
};

/// The SASL mechanisms of Kafka's `sasl.mechanism` that venice speaks, spelled as venice writes them.
pub(crate) const SASL_MECHANISMS: &[&str] = &["plain", "scram-sha-256", "scram-sha-512", "oauthbearer"];

const SASL: NodeSpec = NodeSpec {
    name: "sasl",
    doc: "Log in to the brokers with SASL. `plain` and the `scram-*` mechanisms take `user` and `password`; `oauthbearer` takes `token-url`, `client-id`, `client-secret` and `scope` (the OAuth client-credentials grant). Over `tls` unless the listener is SASL_PLAINTEXT.",
    args: &[arg("mechanism", ValueType::OneOfAnyCase(SASL_MECHANISMS), "The mechanism.")],
    props: &[],
    repeatable: false,
    children: &[
        secret_node("user", "`plain`, `scram-*`: the user name: inline, or `env=VAR`, or `file=PATH`."),
        secret_node("password", "`plain`, `scram-*`: the password: `env=VAR` or `file=PATH`, never inline."),
        leaf(
            "token-url",
            "`oauthbearer`: the identity provider's token endpoint.",
            &[arg("url", ValueType::String, "An `https://` URL.")],
            &[],
        ),
        secret_node("client-id", "`oauthbearer`: the client ID: inline, or `env=VAR`, or `file=PATH`."),
        secret_node("client-secret", "`oauthbearer`: the client secret: `env=VAR` or `file=PATH`, never inline."),
        leaf(
            "scope",
            "`oauthbearer`: the scope asked for (default: none).",
            &[arg("scope", ValueType::String, "Space-separated scopes.")],
            &[],
        ),
    ],
};

const TARGET: NodeSpec = NodeSpec {
    name: "target",
    doc: "Where `venice apply` deploys; `target local` is the stack, and the default.",
    args: &[NAME],
    props: &[],
    repeatable: true,
    children: &[
        NodeSpec {
            name: "kafka",
            doc: "The bootstrap servers, and how to reach them securely.",
            args: &[ArgSpec {
                name: "bootstrap",
                ty: ValueType::String,
                required: true,
                repeated: true,
                doc: "`host:port` of a broker, one or more; one string may hold several separated by commas, as Kafka's `bootstrap.servers` does.",
            }],
            props: &[prop(
                "brokers",
                ValueType::IntegerIn(1, 10_000),
                "How many brokers the cluster has (default: not known, and replication is not checked against it).",
            )],
            repeatable: false,
            children: &[TLS, SASL],
        },
        NodeSpec {
            props: &REGISTRY_ACCESS,
            ..endpoint_node("schema-registry", "The Schema Registry (Confluent API).")
        },
        NodeSpec { props: &CONNECT_ACCESS, ..endpoint_node("connect", "The Kafka Connect REST API.") },
        TARGET_KSQLDB,
        TARGET_NAMES,
        DEFAULTS,
        TARGET_TOPIC,
        target_connector(
            "source",
            "Changes a declared `source` for this target: its tasks, configs (merged by key) and principal.",
            &SOURCE_REF,
        ),
        target_connector(
            "sink",
            "Changes a declared `sink` for this target: its tasks, configs (merged by key) and principal.",
            &SINK_REF,
        ),
        TARGET_DATABASE,
        target_app(
            "producer",
            "Changes a declared `producer` for this target: the principal it runs as.",
            &PRODUCER_REF,
        ),
        target_app(
            "consumer",
            "Changes a declared `consumer` for this target: the principal it runs as.",
            &CONSUMER_REF,
        ),
        leaf(
            "principals",
            "How this target names the principals the project declares.",
            &[],
            &[prop(
                "name-prefix",
                ValueType::String,
                "Put before the name of every declared actor's principal (`User:web-app` becomes `User:staging-web-app`); a principal the target sets itself is taken as written.",
            )],
        ),
        ACL,
        QUOTA,
    ],
};

/// A target's `producer NAME` or `consumer NAME`: who it runs as there.
const fn target_app(name: &'static str, doc: &'static str, args: &'static [ArgSpec]) -> NodeSpec {
    NodeSpec { name, doc, args, props: &[PRINCIPAL], repeatable: true, children: &[] }
}

const PRODUCER_REF: [ArgSpec; 1] = [arg("name", ValueType::Ref("producer"), "A declared producer.")];
const CONSUMER_REF: [ArgSpec; 1] = [arg("name", ValueType::Ref("consumer"), "A declared consumer.")];

/// What the ACLs of a service are derived from: the principal it runs as, and for the Connect
/// worker its group and internal topics (Connect's `group.id`, `config.storage.topic`, ...).
const CONNECT_ACCESS: [PropSpec; 5] = [
    prop(
        "principal",
        ValueType::Principal,
        "The Kafka principal the worker runs as: granted its group and internal topics, and the topics of the connectors that declare no principal of their own.",
    ),
    prop(
        "group",
        ValueType::String,
        "The worker's `group.id` (default `<project>-connect`, as `venice build` sets it).",
    ),
    prop(
        "config-topic",
        ValueType::String,
        "The worker's `config.storage.topic` (default `_<project>-connect-configs`, as `venice build` sets it).",
    ),
    prop(
        "offset-topic",
        ValueType::String,
        "The worker's `offset.storage.topic` (default `_<project>-connect-offsets`).",
    ),
    prop(
        "status-topic",
        ValueType::String,
        "The worker's `status.storage.topic` (default `_<project>-connect-status`).",
    ),
];

const KSQLDB_ACCESS: [PropSpec; 2] = [
    prop(
        "service-id",
        ValueType::String,
        "The server's `ksql.service.id`, which names its internal topics and groups (default: the stack's, `{project}_`).",
    ),
    prop(
        "principal",
        ValueType::Principal,
        "The Kafka principal the ksqlDB server runs as: granted its service id's internal topics, groups and transactional id, and what the transforms read and write.",
    ),
];

const REGISTRY_ACCESS: [PropSpec; 3] = [
    prop(
        "principal",
        ValueType::Principal,
        "The Kafka principal a Confluent Schema Registry runs as: granted its schemas topic and group.",
    ),
    prop("topic", ValueType::String, "The registry's `kafkastore.topic` (default `_schemas`)."),
    prop(
        "group",
        ValueType::String,
        "The registry's `kafkastore.group.id`; when not given, no group is granted (Confluent's default names the host and port: give it).",
    ),
];

/// The words of an `acl`'s operations: Kafka's `AclOperation` names in kebab case.
pub(crate) const ACL_OPERATIONS: &[&str] = &[
    "all",
    "read",
    "write",
    "create",
    "delete",
    "alter",
    "describe",
    "cluster-action",
    "describe-configs",
    "alter-configs",
    "idempotent-write",
];

/// The properties of an `acl`, one of which names its resource (all but `host`).
pub(crate) const ACL_RESOURCES: &[&str] =
    &["topic", "topic-prefix", "group", "group-prefix", "transactional-id", "transactional-id-prefix", "cluster"];

/// `acl PRINCIPAL OPERATION... RESOURCE=NAME`: a grant the graph cannot see.
const ACL: NodeSpec = NodeSpec {
    name: "acl",
    doc: "An ALLOW grant the pipeline's graph cannot see (a tool outside the pipeline), beside the ones venice derives: at the top level for every target, inside a `target` for that target. Exactly one resource property.",
    args: &[
        arg("principal", ValueType::Principal, "Who is granted (`User:bi-tool`)."),
        ArgSpec {
            name: "operation",
            ty: ValueType::OneOf(ACL_OPERATIONS),
            required: true,
            repeated: true,
            doc: "What it may do, one or more: Kafka's ACL operations.",
        },
    ],
    props: &[
        prop("topic", ValueType::String, "A topic, by its name."),
        prop("topic-prefix", ValueType::String, "Every topic whose name starts with this (a PREFIXED pattern)."),
        prop("group", ValueType::String, "A consumer group."),
        prop("group-prefix", ValueType::String, "Every group whose name starts with this."),
        prop("transactional-id", ValueType::String, "A transactional id."),
        prop("transactional-id-prefix", ValueType::String, "Every transactional id that starts with this."),
        prop(
            "cluster",
            ValueType::OneOf(&["kafka-cluster"]),
            "The cluster itself, by the name Kafka gives it: `kafka-cluster`.",
        ),
        prop("host", ValueType::String, "The client host it is granted from (default `*`, any)."),
    ],
    repeatable: true,
    children: &[],
};

/// `quota PRINCIPAL produce-rate=... consume-rate=... request-percentage=...`.
const QUOTA: NodeSpec = NodeSpec {
    name: "quota",
    doc: "Client quotas of a principal (Kafka's user quotas), applied with the client-quota API: at the top level for every target, inside a `target` for that target (which replaces the top level's, setting by setting).",
    args: &[arg("principal", ValueType::Principal, "Whose quotas (`User:web-app`).")],
    props: &[
        prop("produce-rate", ValueType::Rate, "Bytes per second it may produce (`producer_byte_rate`)."),
        prop("consume-rate", ValueType::Rate, "Bytes per second it may fetch (`consumer_byte_rate`)."),
        prop(
            "request-percentage",
            ValueType::IntegerIn(1, 100_000),
            "The share of a broker's request and network threads' time it may use, in percent of one thread (`request_percentage`).",
        ),
    ],
    repeatable: true,
    children: &[],
};

const PARTITIONS: PropSpec = prop("partitions", ValueType::IntegerIn(1, 100_000), "Partition count (default 1).");
const REPLICATION: PropSpec =
    prop("replication", ValueType::IntegerIn(1, 32), "Replication factor (default: the brokers, at most 3).");
const TOPIC_SIZE_PROPS: [PropSpec; 2] = [PARTITIONS, REPLICATION];

const RETENTION: NodeSpec = leaf(
    "retention",
    "How long records are kept (default `forever`).",
    &[arg("duration", ValueType::Duration, "A duration.")],
    &[],
);

const CLEANUP: NodeSpec = leaf(
    "cleanup",
    "The cleanup policy (default `delete`).",
    &[arg("policy", ValueType::OneOf(&["delete", "compact", "compact,delete"]), "The policy.")],
    &[],
);

/// `defaults`: what a topic that does not say takes, at the top level (every target) or in a
/// target (that target only).
const DEFAULTS: NodeSpec = NodeSpec {
    name: "defaults",
    doc: "Values for every topic that does not declare them: at the top level for every target, inside a `target` for that target (which wins). A topic's own value wins over both.",
    args: &[],
    props: &TOPIC_SIZE_PROPS,
    repeatable: false,
    children: &[CONFIG],
};

/// A target's `ksqldb`: the endpoint, and the service id its server runs with.
const TARGET_KSQLDB: NodeSpec = NodeSpec {
    name: "ksqldb",
    doc: "The ksqlDB REST API.",
    args: &URL_ARGS,
    props: &KSQLDB_ACCESS,
    children: &ENDPOINT_CHILDREN,
    repeatable: false,
};

/// A target's `names`: the physical names of what the project declares (`model::names`).
const TARGET_NAMES: NodeSpec = leaf(
    "names",
    "How this target names on its cluster what the project declares. Everything in venice.kdl still refers to the declared names; what is created, configured and addressed is the prefixed name. Kafka Connect's sink groups stay `connect-<connector>`.",
    &[],
    &[
        prop(
            "topic-prefix",
            ValueType::String,
            "Put before every topic's name (a topic renamed with `name=` excepted).",
        ),
        prop("group-prefix", ValueType::String, "Put before every consumer's `group=`."),
    ],
);

const TARGET_TOPIC_PROPS: [PropSpec; 3] = [
    PARTITIONS,
    REPLICATION,
    prop(
        "name",
        ValueType::String,
        "The topic's name on this target's cluster, as written (no `topic-prefix` is added); venice.kdl still refers to it by its declared name.",
    ),
];

/// A target's `topic NAME`: the declared topic's settings for that target; never its contract.
const TARGET_TOPIC: NodeSpec = NodeSpec {
    name: "topic",
    doc: "Changes a declared topic for this target: its partitions, replication, retention, cleanup, configs (merged by key) and physical name. Its serdes and schemas, the contract, are the same in every target.",
    args: &[arg("name", ValueType::Ref("topic"), "A declared topic.")],
    props: &TARGET_TOPIC_PROPS,
    repeatable: true,
    children: &[RETENTION, CLEANUP, CONFIG],
};

const TASKS: PropSpec = prop("tasks", ValueType::IntegerIn(1, 1_000), "The connector's `tasks.max` (default 1).");

const SOURCE_REF: [ArgSpec; 1] = [arg("name", ValueType::Ref("source"), "A declared source.")];
const SINK_REF: [ArgSpec; 1] = [arg("name", ValueType::Ref("sink"), "A declared sink.")];

const fn target_connector(name: &'static str, doc: &'static str, args: &'static [ArgSpec]) -> NodeSpec {
    NodeSpec { name, doc, args, props: &[TASKS, CONNECTOR_PRINCIPAL], repeatable: true, children: &[CONFIG] }
}

/// A target's `database NAME`: where the database is in that target.
const TARGET_DATABASE: NodeSpec = NodeSpec {
    name: "database",
    doc: "Changes a declared database for this target: its host, name and credentials.",
    args: &[arg("name", ValueType::Ref("database"), "A declared database.")],
    props: &[],
    repeatable: true,
    children: &[DATABASE_HOST, DATABASE_NAME, USER, PASSWORD],
};

const DATABASE: NodeSpec = NodeSpec {
    name: "database",
    doc: "A database that sources read from and sinks write to.",
    args: &[NAME],
    props: &[prop("kind", ValueType::OneOf(&["postgres"]), "The database kind (default `postgres`).")],
    repeatable: true,
    children: &[DATABASE_HOST, DATABASE_NAME, USER, PASSWORD],
};

const DATABASE_HOST: NodeSpec = leaf(
    "host",
    "The host (default: the stack's `postgres` service).",
    &[arg("host", ValueType::String, "Host name.")],
    &[prop("port", ValueType::IntegerIn(1, 65535), "Port (default 5432).")],
);

const DATABASE_NAME: NodeSpec =
    leaf("name", "The database name (default: the node's name).", &[arg("name", ValueType::String, "Name.")], &[]);

const SCHEMA: NodeSpec = NodeSpec {
    repeatable: true,
    children: &[NodeSpec {
        repeatable: true,
        ..leaf(
            "reference",
            "Another schema this one uses, as the registry's `references` hold it: a Protobuf `import` or a JSON Schema `$ref` by its name, resolved to a declared schema, registered under its own subject.",
            &[arg(
                "name",
                ValueType::String,
                "The name the schema uses: the import's path (`common.proto`) or the `$ref`'s URL (`address.json`).",
            )],
            &[
                required_prop("schema", ValueType::Ref("schema"), "The declared schema it names."),
                prop(
                    "subject",
                    ValueType::String,
                    "The subject the referenced schema is registered under (default: the name, as the serializers' `DefaultReferenceSubjectNameStrategy` does).",
                ),
            ],
        )
    }],
    ..leaf(
        "schema",
        "A schema: a file (`path=`) or inline Avro (`avro=`).",
        &[NAME],
        &[
            prop(
                "path",
                ValueType::Path,
                "The schema file (`.avsc` for Avro, `.json` for JSON Schema, `.proto` for Protobuf).",
            ),
            prop("avro", ValueType::String, "An Avro schema written inline."),
        ],
    )
};

const TOPIC: NodeSpec = NodeSpec {
    name: "topic",
    doc: "A topic: the contract of a channel, its key and value serdes.",
    args: &[NAME],
    props: &TOPIC_SIZE_PROPS,
    repeatable: true,
    children: &[
        KEY,
        VALUE,
        leaf(
            "compatibility",
            "The subjects' compatibility level (default `backward`).",
            &[arg("level", ValueType::OneOfAnyCase(COMPATIBILITY_LEVELS), "The level.")],
            &[],
        ),
        RETENTION,
        CLEANUP,
        CONFIG,
    ],
};

const NAME_ARGS: [ArgSpec; 1] = [NAME];
const SERDES: [NodeSpec; 2] = [KEY, VALUE];

const fn app_node(name: &'static str, doc: &'static str, props: &'static [PropSpec]) -> NodeSpec {
    NodeSpec { name, doc, args: &NAME_ARGS, props, children: &SERDES, repeatable: true }
}

/// `principal=`: who an actor runs as, what the ACLs venice derives are granted to.
const PRINCIPAL: PropSpec = prop(
    "principal",
    ValueType::Principal,
    "The Kafka principal it runs as (`User:web-app`): venice grants it, and only it, what the pipeline needs (see `venice acls`).",
);

const TRANSACTIONAL_ID: PropSpec = prop(
    "transactional-id",
    ValueType::String,
    "Its `transactional.id`, when it writes in transactions: its principal is granted WRITE on it.",
);

const PRODUCER: NodeSpec = app_node(
    "producer",
    "An app outside the pipeline that writes a topic (its serdes are the writer's).",
    &[required_prop("topic", ValueType::Ref("topic"), "The topic it writes."), PRINCIPAL, TRANSACTIONAL_ID],
);

const CONSUMER: NodeSpec = app_node(
    "consumer",
    "An app outside the pipeline that reads a topic (its serdes are the reader's).",
    &[
        required_prop("topic", ValueType::Ref("topic"), "The topic it reads."),
        prop("group", ValueType::String, "Its consumer group."),
        PRINCIPAL,
    ],
);

const SOURCE_PROPS: [PropSpec; 5] = [
    prop(
        "connector",
        ValueType::String,
        "The connector kind from the catalog: `jdbc`, `debezium-jdbc`, `debezium-postgres` or `file` (another word is V401).",
    ),
    prop("class", ValueType::String, "Any other connector, by its Java class."),
    prop("topic", ValueType::Ref("topic"), "The one topic it writes, for single-topic sources (`file`)."),
    TASKS,
    CONNECTOR_PRINCIPAL,
];

const SINK_PROPS: [PropSpec; 5] = [
    prop(
        "connector",
        ValueType::String,
        "The connector kind from the catalog: `jdbc`, `debezium-jdbc`, `debezium-postgres` or `file` (another word is V401).",
    ),
    prop("class", ValueType::String, "Any other connector, by its Java class."),
    required_prop("topic", ValueType::Ref("topic"), "The topic it reads."),
    TASKS,
    CONNECTOR_PRINCIPAL,
];

/// A connector's `principal=`: Connect runs its clients as the worker unless the connector's
/// `producer.override.*`/`consumer.override.*` settings log in as another principal.
const CONNECTOR_PRINCIPAL: PropSpec = prop(
    "principal",
    ValueType::Principal,
    "The Kafka principal its Kafka clients run as (`User:pg-sink`): venice grants it what the connector needs. The worker must log the connector in as it (`consumer.override.sasl.jaas.config` for a sink, `producer.override.…` for a source, through a config provider); without it, the connector runs as the worker's principal and the grants go there.",
);

const SOURCE: NodeSpec = NodeSpec {
    name: "source",
    doc: "A Kafka Connect source connector.",
    args: &[NAME],
    props: &SOURCE_PROPS,
    repeatable: true,
    children: &[
        DATABASE_REF,
        NodeSpec {
            repeatable: true,
            ..leaf(
                "table",
                "A table it captures, and the topic it writes.",
                &[arg("name", ValueType::String, "The table, `schema.table`.")],
                &[
                    required_prop("topic", ValueType::Ref("topic"), "The topic its changes go to."),
                    prop("ddl", ValueType::Path, "The table's DDL, from which venice derives the record schemas."),
                ],
            )
        },
        FILE,
        leaf(
            "unwrap",
            "Rows instead of Debezium change envelopes (ExtractNewRecordState).",
            &[arg("enabled", ValueType::Bool, "On or off.")],
            &[],
        ),
        KEY,
        VALUE,
        CONFIG,
    ],
};

const SINK: NodeSpec = NodeSpec {
    name: "sink",
    doc: "A Kafka Connect sink connector.",
    args: &[NAME],
    props: &SINK_PROPS,
    repeatable: true,
    children: &[
        DATABASE_REF,
        leaf(
            "table",
            "The table it writes (default: the topic's name).",
            &[arg("name", ValueType::String, "The table.")],
            &[],
        ),
        FILE,
        leaf(
            "mode",
            "How rows are written (default `insert`).",
            &[arg("mode", ValueType::OneOf(&["insert", "upsert", "update"]), "The mode.")],
            &[],
        ),
        leaf(
            "pk",
            "Where the primary key comes from (default `none`).",
            &[arg("source", ValueType::OneOf(&["none", "kafka", "record-key", "record-value"]), "The key's source.")],
            &[prop("fields", ValueType::String, "The key fields, comma-separated.")],
        ),
        leaf("deletes", "Whether a tombstone deletes the row.", &[arg("enabled", ValueType::Bool, "On or off.")], &[]),
        KEY,
        VALUE,
        CONFIG,
    ],
};

const KSQL_SOURCE_PROPS: [PropSpec; 2] = [
    required_prop("topic", ValueType::Ref("topic"), "The declared topic it reads."),
    prop("key-column", ValueType::String, "The name of its key column."),
];

const fn ksql_source_node(name: &'static str, doc: &'static str) -> NodeSpec {
    NodeSpec { name, doc, args: &NAME_ARGS, props: &KSQL_SOURCE_PROPS, children: &[], repeatable: true }
}

const TRANSFORM: NodeSpec = NodeSpec {
    name: "transform",
    doc: "ksqlDB statements, from a file (`path=`) or inline (`sql`).",
    args: &[NAME],
    props: &[prop("path", ValueType::Path, "A `.sql` file of ksqlDB statements.")],
    repeatable: true,
    children: &[leaf(
        "sql",
        "ksqlDB statements written inline.",
        &[arg("text", ValueType::String, "The statements.")],
        &[],
    )],
};

/// The top-level nodes of a venice.kdl file.
pub static ROOT: NodeSpec = NodeSpec {
    name: "venice.kdl",
    doc: "A Venice project.",
    args: &[],
    props: &[],
    repeatable: false,
    children: &[
        leaf("project", "The project's name.", &[NAME], &[]),
        leaf(
            "root",
            "The folder every file the project names must be in, after `..` and symlinks (V011): relative to venice.kdl's folder, or absolute. Default: the top of the git repository holding venice.kdl, else its folder. Read only in venice.kdl; `--root DIR` on the command line replaces it. Credentials given as `file=` are secrets and may be outside it.",
            &[arg("folder", ValueType::Path, "A folder.")],
            &[],
        ),
        NodeSpec {
            repeatable: true,
            ..leaf(
                "include",
                "Merges more files into the project (a glob, relative to this file, sorted).",
                &[arg("pattern", ValueType::Path, "A path or glob.")],
                &[],
            )
        },
        STACK,
        TARGET,
        DEFAULTS,
        DATABASE,
        SCHEMA,
        TOPIC,
        PRODUCER,
        CONSUMER,
        SOURCE,
        SINK,
        ksql_source_node("stream", "A ksqlDB stream over a declared topic (venice writes its CREATE STREAM)."),
        ksql_source_node("table", "A ksqlDB table over a declared topic (venice writes its CREATE TABLE)."),
        TRANSFORM,
        ACL,
        QUOTA,
    ],
};
