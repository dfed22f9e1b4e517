//! `kubernetes/`: the project on Kubernetes with the Strimzi operator (`kafka.strimzi.io/v1`),
//! for `venice build --platform kubernetes`. One resource per file, listed in apply order by
//! `kubernetes/kustomization.yaml` (`kubectl apply -k kubernetes/`):
//!
//! - `kafka-node-pool.yaml` and `kafka.yaml`: a KRaft cluster whose one node pool holds the
//!   stack's brokers, each both broker and controller (the Compose stack's combined mode);
//! - `topics/<topic>.yaml`: one `KafkaTopic` per topic, with the partitions, replicas and configs
//!   of topics.json;
//! - `connect.yaml`: a `KafkaConnect` whose `build.plugins` are the plugin archives of
//!   `versions.env` (SHA-512 where the table has one) and the converters its connectors use,
//!   with the `env` and `dir` config providers reading one Kubernetes Secret;
//! - `connectors/<connector>.yaml`: one `KafkaConnector` per connector, its config rendered by
//!   the same code as the REST body of `connect/<name>.json`.
//!
//! Field names follow Strimzi's CRDs (strimzi/strimzi-kafka-operator,
//! `packaging/install/cluster-operator/04*-Crd-*.yaml`), which tests/build.rs validates every
//! resource against. No `KafkaUser` yet: venice.kdl declares no principals (the environments
//! issue adds them). The Schema Registry, ksqlDB and PostgreSQL are not Strimzi resources and are
//! left to the cluster's own charts or operators: the README says so, and the names the
//! connector configs expect (`schema-registry:8081`, `postgres`).

use super::names::file_name;
use super::versions::{self, Archive};
use crate::connect::Deployment;
use crate::model::{KafkaMode, Project, Stack};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

const API: &str = "kafka.strimzi.io/v1";
/// Where the Connect pods mount the Secret that `file=` credentials come from.
pub(crate) const SECRETS_DIR: &str = "/mnt/venice-secrets";
/// The default size of each broker's volume: venice.kdl does not size storage yet.
const STORAGE_SIZE: &str = "10Gi";

/// The files of `kubernetes/` and the notes for the README.
pub(crate) fn render(project: &Project) -> (Vec<(String, String)>, Vec<String>) {
    let default_stack = Stack::default();
    let stack = project.stack.as_ref().unwrap_or(&default_stack);
    let cluster = cluster_name(project);
    let mut notes = Vec::new();
    if stack.kafka.as_ref().is_some_and(|k| k.mode.value == KafkaMode::Zookeeper) {
        notes.push("Kafka runs in KRaft mode on Kubernetes: Strimzi has not run ZooKeeper since 0.46".into());
    }
    let mut files = vec![
        ("kafka-node-pool.yaml".to_string(), node_pool(&cluster, stack)),
        ("kafka.yaml".to_string(), kafka(&cluster, stack)),
    ];
    let mut topics: Vec<_> = project.topics.iter().collect();
    topics.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    for topic in topics {
        let name = resource_name(&project.physical_topic(&topic.name.value));
        files.push((format!("topics/{}.yaml", file_name(&name)), kafka_topic(project, topic, &cluster, &name)));
    }
    if stack.connect.is_some() {
        let deployment = deployment();
        let configs: Vec<_> = project
            .connectors
            .iter()
            .map(|c| (c, crate::connect::connector_config_for(project, c, &deployment)))
            .collect();
        files.push(("connect.yaml".into(), kafka_connect(project, stack, &cluster, &configs, &mut notes)));
        for (connector, config) in &configs {
            let name = resource_name(&connector.name.value);
            if name != connector.name.value {
                notes.push(format!(
                    "the connector `{}` is named `{name}` on Kubernetes (a KafkaConnector's name is its connector's)",
                    connector.name.value
                ));
            }
            files.push((format!("connectors/{}.yaml", file_name(&name)), kafka_connector(&cluster, &name, config)));
        }
    } else if !project.connectors.is_empty() {
        notes.push("the project's connectors need `stack connect`: no KafkaConnect is written".into());
    }
    let paths: Vec<String> = files.iter().map(|(path, _)| path.clone()).collect();
    files.push(("kustomization.yaml".into(), yaml(&kustomization(&paths))));
    let files = files.into_iter().map(|(path, text)| (format!("kubernetes/{path}"), text)).collect();
    (files, notes)
}

/// Where the connectors run on Kubernetes: the registry and PostgreSQL at the Service names the
/// Compose stack uses, `file=` secrets from the mounted Secret.
fn deployment() -> Deployment {
    Deployment { secrets_dir: SECRETS_DIR.into(), ..Deployment::local() }
}

/// The Kafka cluster's name: the project's, as a Kubernetes name.
pub(crate) fn cluster_name(project: &Project) -> String {
    resource_name(project.name.as_ref().map_or("venice", |n| n.value.as_str()))
}

/// The Secret holding the project's credentials.
pub(crate) fn secret_name(cluster: &str) -> String {
    format!("{cluster}-credentials")
}

/// A Kubernetes resource name (RFC 1123: lower-case letters, digits, `-` and `.`, starting and
/// ending with a letter or digit). A name that had to change gets a fingerprint of the original,
/// so that `Orders` and `orders` stay two resources.
pub(crate) fn resource_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-' | '.') => c,
            _ => '-',
        })
        .collect();
    out = out.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
    if out != name || out.is_empty() {
        let hash = crate::avro::rabin(name.as_bytes()) & 0xffff_ffff;
        out = if out.is_empty() { format!("x-{hash:08x}") } else { format!("{out}-{hash:08x}") };
    }
    out.truncate(253);
    out
}

/// The YAML of a resource, under a header.
fn yaml(value: &Value) -> String {
    let options = serde_saphyr::ser_options! { folded_wrap_chars: 1000 };
    let text = serde_saphyr::to_string_with_options(value, options).expect("the resource serializes");
    format!("# Generated by `venice build --platform kubernetes`. Do not edit; rebuild.\n{text}")
}

fn metadata(name: &str, cluster: Option<&str>) -> Value {
    match cluster {
        Some(cluster) => json!({"name": name, "labels": {"strimzi.io/cluster": cluster}}),
        None => json!({"name": name}),
    }
}

fn node_pool(cluster: &str, stack: &Stack) -> String {
    yaml(&json!({
        "apiVersion": API,
        "kind": "KafkaNodePool",
        "metadata": metadata("combined", Some(cluster)),
        "spec": {
            "replicas": super::compose::broker_count(stack),
            "roles": ["controller", "broker"],
            "storage": {"type": "persistent-claim", "size": STORAGE_SIZE, "deleteClaim": false},
        },
    }))
}

/// The Kafka resource: the brokers' settings of the Compose stack (no automatic topics, records
/// kept forever by default, internal topics replicated up to three times).
fn kafka(cluster: &str, stack: &Stack) -> String {
    let brokers = super::compose::broker_count(stack);
    let replication = brokers.min(3);
    let mut value = json!({
        "apiVersion": API,
        "kind": "Kafka",
        "metadata": metadata(cluster, None),
        "spec": {
            "kafka": {
                "version": versions::strimzi_kafka_version(),
                "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": false}],
                "config": {
                    "auto.create.topics.enable": false,
                    "log.retention.ms": -1,
                    "default.replication.factor": replication,
                    "offsets.topic.replication.factor": replication,
                    "transaction.state.log.replication.factor": replication,
                    "transaction.state.log.min.isr": brokers.min(2),
                },
            },
            "entityOperator": {"topicOperator": {}},
        },
    });
    // Strimzi releases before the v1 API asked for these; later ones ignore them.
    value["metadata"]["annotations"] = json!({"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"});
    yaml(&value)
}

fn kafka_topic(project: &Project, topic: &crate::model::Topic, cluster: &str, name: &str) -> String {
    let mut spec = Map::new();
    let physical = project.physical_topic(&topic.name.value);
    if name != physical {
        spec.insert("topicName".into(), json!(physical));
    }
    spec.insert("partitions".into(), json!(Project::partitions(topic)));
    spec.insert("replicas".into(), json!(super::topics::replication(project, topic)));
    spec.insert("config".into(), Value::Object(super::topics::configs(topic)));
    yaml(&json!({"apiVersion": API, "kind": "KafkaTopic", "metadata": metadata(name, Some(cluster)), "spec": spec}))
}

/// The Confluent Hub component of each converter class the configs name (Strimzi's Kafka image
/// has Kafka's own converters, not Confluent's).
fn converter_archives(configs: &[(&crate::model::Connector, Map<String, Value>)]) -> BTreeMap<&'static str, Archive> {
    let mut archives = BTreeMap::new();
    let classes: BTreeSet<&str> = configs
        .iter()
        .flat_map(|(_, config)| ["key.converter", "value.converter"].map(|k| config.get(k).and_then(Value::as_str)))
        .flatten()
        .collect();
    for class in classes {
        let (plugin, component, title) = match class {
            "io.confluent.connect.avro.AvroConverter" => {
                ("confluent-avro-converter", "confluentinc/kafka-connect-avro-converter", "Confluent Avro converter")
            }
            "io.confluent.connect.json.JsonSchemaConverter" => (
                "confluent-json-schema-converter",
                "confluentinc/kafka-connect-json-schema-converter",
                "Confluent JSON Schema converter",
            ),
            "io.confluent.connect.protobuf.ProtobufConverter" => (
                "confluent-protobuf-converter",
                "confluentinc/kafka-connect-protobuf-converter",
                "Confluent Protobuf converter",
            ),
            _ => continue,
        };
        archives.insert(plugin, versions::confluent_hub(component, versions::cp_version(), title));
    }
    archives
}

/// A `build.plugins` entry.
fn plugin(name: &str, archive: &Archive) -> Value {
    let mut artifact = json!({"type": archive.kind, "url": archive.url});
    if let Some(sha512) = archive.sha512 {
        artifact["sha512sum"] = json!(sha512);
    }
    json!({"name": name, "artifacts": [artifact]})
}

/// The plugins of `stack connect` and the converters, each under a Strimzi plugin name.
fn build_plugins(
    stack: &Stack,
    configs: &[(&crate::model::Connector, Map<String, Value>)],
    notes: &mut Vec<String>,
) -> Vec<Value> {
    let mut plugins = BTreeMap::new();
    let declared: BTreeSet<&str> =
        stack.connect.iter().flat_map(|c| c.plugins.iter().map(|p| p.value.as_str())).collect();
    for name in declared {
        match versions::plugin_archive(name) {
            Some(archive) => {
                let strimzi_name = if name == "jdbc" { "confluent-jdbc".to_string() } else { resource_name(name) };
                plugins.insert(strimzi_name, archive);
            }
            None => {
                notes.push(format!("the Connect plugin `{name}` is not known to this venice; add it to build.plugins"))
            }
        }
    }
    for (name, archive) in converter_archives(configs) {
        plugins.insert(name.to_string(), archive);
    }
    plugins.iter().map(|(name, archive)| plugin(name, archive)).collect()
}

/// The credentials the connectors read: (environment variables, files), each once, sorted.
fn credentials(project: &Project) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut vars = BTreeSet::new();
    let mut files = BTreeSet::new();
    let databases =
        project.connectors.iter().filter_map(|c| c.database.as_ref()).filter_map(|d| project.database(&d.value));
    for credential in databases.flat_map(|d| [&d.user, &d.password]).flatten() {
        match credential {
            crate::model::Credential::Env(var) if super::names::env_var_ok(&var.value) => {
                vars.insert(var.value.clone());
            }
            crate::model::Credential::File(path) => {
                files.extend(path.value.file_name().map(|f| f.to_string_lossy().into_owned()));
            }
            _ => {}
        }
    }
    (vars, files)
}

/// The Connect pods' environment and volumes that carry the credentials from the Secret.
fn secret_template(cluster: &str, vars: &BTreeSet<String>, files: &BTreeSet<String>) -> Option<Value> {
    if vars.is_empty() && files.is_empty() {
        return None;
    }
    let secret = secret_name(cluster);
    let env: Vec<Value> = vars
        .iter()
        .map(|var| json!({"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": var}}}))
        .collect();
    let mut container = json!({ "env": env });
    let mut template = json!({});
    if !files.is_empty() {
        let items: Vec<Value> = files.iter().map(|f| json!({"key": f, "path": f})).collect();
        template["pod"] =
            json!({"volumes": [{"name": "venice-secrets", "secret": {"secretName": secret, "items": items}}]});
        container["volumeMounts"] = json!([{"name": "venice-secrets", "mountPath": SECRETS_DIR, "readOnly": true}]);
    }
    template["connectContainer"] = container;
    Some(template)
}

/// The KafkaConnect resource: the Compose worker's settings, the plugins built into its image.
fn kafka_connect(
    project: &Project,
    stack: &Stack,
    cluster: &str,
    configs: &[(&crate::model::Connector, Map<String, Value>)],
    notes: &mut Vec<String>,
) -> String {
    let name = cluster;
    let group = project.stack_name();
    let replication = super::compose::broker_count(stack).min(3);
    let (vars, files) = credentials(project);
    let plugins = build_plugins(stack, configs, notes);
    let mut spec = json!({
        "version": versions::strimzi_kafka_version(),
        "replicas": 1,
        "bootstrapServers": format!("{cluster}-kafka-bootstrap:9092"),
        "groupId": format!("{group}-connect"),
        "configStorageTopic": format!("_{group}-connect-configs"),
        "offsetStorageTopic": format!("_{group}-connect-offsets"),
        "statusStorageTopic": format!("_{group}-connect-status"),
        "config": {
            "config.storage.replication.factor": replication,
            "offset.storage.replication.factor": replication,
            "status.storage.replication.factor": replication,
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "config.providers": "env,dir",
            "config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
            "config.providers.dir.class": "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
        },
        "build": {
            "output": {"type": "docker", "image": format!("registry.invalid/{cluster}/connect:{}", versions::strimzi_kafka_version())},
            "plugins": plugins,
        },
    });
    if let Some(template) = secret_template(cluster, &vars, &files) {
        spec["template"] = template;
    }
    let mut metadata = metadata(name, None);
    metadata["annotations"] = json!({"strimzi.io/use-connector-resources": "true"});
    yaml(&json!({"apiVersion": API, "kind": "KafkaConnect", "metadata": metadata, "spec": spec}))
}

/// A KafkaConnector: the REST body's class and task count as fields, the rest as `config`
/// (Strimzi refuses `name`, `connector.class` and `tasks.max` there).
fn kafka_connector(connect: &str, name: &str, config: &Map<String, Value>) -> String {
    let mut spec = Map::new();
    if let Some(class) = config.get("connector.class") {
        spec.insert("class".into(), class.clone());
    }
    let tasks = config.get("tasks.max").and_then(Value::as_str).and_then(|t| t.parse::<u32>().ok()).unwrap_or(1);
    spec.insert("tasksMax".into(), json!(tasks));
    let rest: Map<String, Value> = config
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "name" | "connector.class" | "tasks.max"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    spec.insert("config".into(), Value::Object(rest));
    yaml(&json!({"apiVersion": API, "kind": "KafkaConnector", "metadata": metadata(name, Some(connect)), "spec": spec}))
}

fn kustomization(paths: &[String]) -> Value {
    json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": paths,
    })
}

/// The build README's sections for Kubernetes: what to install first, the Secret, the image
/// registry, `kubectl apply -k`, the order the operator works in, and `venice apply` after it.
pub(crate) fn readme(out: &mut String, project: &Project, subjects: &[super::registry::Subject]) {
    let cluster = cluster_name(project);
    let (vars, files) = credentials(project);
    out.push_str(
        "\n## Apply on Kubernetes\n\nThe resources in `kubernetes/` are for the Strimzi operator (API `kafka.strimzi.io/v1`), \
         which must be installed in the namespace first. They were validated against Strimzi's CRDs, not on a cluster: \
         venice's tests run no Kubernetes.\n\n\
         1. Kafka Connect's image is built by the operator with the plugins of `connect.yaml` and pushed to \
         `spec.build.output.image`, which names `registry.invalid` until you give a registry the cluster can push to \
         and pull from (edit it, or patch it from a kustomize overlay; add `pushSecret` if the registry needs one). \
         The operator checks each archive from Maven Central against its `sha512sum`; those from Confluent Hub \
         (Confluent's JDBC connector and converters) have none: Confluent Hub could not be reached when venice \
         pinned them.\n"
    );
    if !vars.is_empty() || !files.is_empty() {
        let mut command = format!("kubectl create secret generic {}", secret_name(&cluster));
        for var in &vars {
            command.push_str(&format!(" --from-literal={var}=\"${var}\""));
        }
        for file in &files {
            command.push_str(&format!(" --from-file={file}=PATH/TO/{file}"));
        }
        out.push_str(&format!(
            "1. The connectors' credentials come from the Secret `{}`, never from these files: Connect reads each \
             variable through the `env` config provider and each file, mounted at `{SECRETS_DIR}`, through `dir`.\n\n   \
             ```sh\n   {command}\n   ```\n",
            secret_name(&cluster)
        ));
    }
    out.push_str(&format!(
        "1. Apply everything, then wait for the cluster and Connect:\n\n   ```sh\n   kubectl apply -k kubernetes/\n   \
         kubectl wait kafka/{cluster} --for=condition=Ready --timeout=15m\n   \
         kubectl wait kafkaconnect/{cluster} --for=condition=Ready --timeout=15m\n   ```\n\n   \
         `kustomization.yaml` lists the node pool and the Kafka cluster first, then the topics, Connect and the \
         connectors. The operator reconciles them in that order whatever order they arrive in: the Topic Operator \
         creates the topics once the cluster is ready, and the connectors start once Connect's image is built and \
         its pods are ready.\n\
         1. The Schema Registry, ksqlDB and PostgreSQL are not Strimzi resources and are not written here: run them \
         with your own charts or operators (a database is rarely something a pipeline build should own). The \
         connector configs expect them at the Services `schema-registry` (port 8081) and `postgres` (for databases \
         without `host`), as in the Compose stack.\n\
         1. Then `venice apply --target NAME` registers the subjects and runs the ksqlDB files, with a `target` in \
         venice.kdl naming the cluster's bootstrap and your registry and ksqlDB (`kubectl port-forward` to reach them \
         from here). Leave `connect` out of that target: the operator owns the connectors and puts back any change \
         made through Connect's REST API. The topics it finds are Strimzi's, with the same partitions and configs.\n"
    ));
    if !subjects.is_empty() {
        out.push_str("\nBy hand instead of `venice apply`, with the registry port-forwarded to localhost:8081:\n");
        super::readme::register_subjects(out, subjects);
    }
    out.push_str(
        "\nThere is no `KafkaUser`: venice.kdl declares no principals yet. Each broker's volume is a 10Gi \
         persistent claim, which venice.kdl does not size yet: patch `kafka-node-pool.yaml` from an overlay to change it.\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_kubernetes_names_and_changed_ones_stay_distinct() {
        assert_eq!(resource_name("shop.public.orders"), "shop.public.orders");
        let upper = resource_name("BIG_ORDERS");
        assert!(upper.starts_with("big-orders-") && upper.len() == "big-orders-".len() + 8, "{upper}");
        assert_ne!(resource_name("Orders"), resource_name("orders"));
        assert!(resource_name("__").starts_with("x-"));
    }
}
