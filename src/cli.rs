//! The command line: arguments and their help. Parsing only; `run` does the work.

use crate::model::Compatibility;
use crate::render::OutputFormat;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Venice: declare, check and deploy Kafka event-streaming pipelines.
///
/// A `venice.kdl` file declares topics with their key and value serdes, Avro schemas, producers
/// and consumers, Kafka Connect sources and sinks, ksqlDB transforms, the local stack and the
/// deploy targets. `venice check` type-checks the whole pipeline offline.
#[derive(Debug, Parser)]
#[command(name = "venice", version, about, long_about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check a project: every node, name, reference and file, and each edge's serdes.
    ///
    /// Exit status: 0 no errors, 1 errors found (warnings alone exit 0 unless `--deny
    /// warnings`), 2 the command could not run.
    Check(CheckArgs),
    /// Build a checked project: the Compose stack (or, with `--platform kubernetes`, Strimzi
    /// resources), topics, registry payloads, connector configs, ksqlDB scripts, sink tables and
    /// a manifest, in one folder; and `venice.lock`.
    ///
    /// Refuses a project with errors (they are printed as `venice check` prints them, and nothing
    /// is written). Writes into `--out` (default: `build/` inside the project folder), which must
    /// be missing, empty or an earlier build; records the schemas and partition counts in the
    /// project's `venice.lock`, the baseline `venice check` compares later changes with. The
    /// same project gives byte-identical files. Exit status: 0 built, 1 errors found, 2 the
    /// command could not run.
    Build(BuildArgs),
    /// Draw the lineage of the pipeline: producers, topics (with their key and value serdes),
    /// ksqlDB streams, tables and transforms, connectors and consumers.
    ///
    /// Prints Mermaid (for Markdown), Graphviz DOT, or an SVG drawn by venice itself (no Graphviz
    /// needed). Refuses a project with errors, as `venice build` does.
    Graph(GraphArgs),
    /// Show how two targets differ, offline: each topic's name, partitions, replication and
    /// configs, each connector's config, each database's host, port and name, consumer groups,
    /// the ksqlDB service id, and each principal's ACLs and quotas, as the project gives them in
    /// each target (`venice diff --target staging --target prod`).
    ///
    /// Exit status: 0 shown (whether or not they differ), 1 errors found in a target's view, 2
    /// the command could not run.
    Diff(DiffArgs),
    /// List, per principal, what the project grants it in a target and why: the ACLs venice
    /// derives from the pipeline's graph (each producer, consumer, connector and service's
    /// least privilege) and the `acl` nodes, then the `quota` nodes.
    ///
    /// Offline: it reads venice.kdl, not the cluster. Without `--target`, the project as declared
    /// (the local stack, whose broker has no authorizer). Exit status: 0 listed, 1 errors found in
    /// the view, 2 the command could not run.
    Acls(AclsArgs),
    /// Show what `venice apply` would change on a target: each topic, schema subject, connector
    /// and ksqlDB file to create, update (with the changed fields), restart or delete, or
    /// unchanged.
    ///
    /// Reads what is deployed (Kafka, the Schema Registry, Kafka Connect, ksqlDB, as the target
    /// names them) and compares it normalized: schemas in the registry's normalized form,
    /// connector configs without the keys the worker adds and with masked secrets taken as equal,
    /// topic configs against the broker's values and defaults. Refuses, as errors, changes that
    /// cannot be applied safely: fewer partitions, a replication or `cleanup.policy` change, a key
    /// schema change, a value schema the subject's compatibility level rejects (checked by venice
    /// and by the registry), a connector config that Connect's validation rejects. Changes nothing.
    /// An object that exists and is declared but that venice did not make is marked not owned.
    /// A topic the Kafka controller has that the brokers do not list yet (an apply created it a
    /// moment ago) is waited for (`--wait`), not planned again.
    ///
    /// With `--unmanaged`, also lists what the target has that the project does not declare
    /// (topics, subjects, connectors, ksqlDB streams and tables), without proposing to delete it.
    ///
    /// Exit status: 0 planned (with `--detailed-exitcode`: 0 no changes, 1 errors or the
    /// services could not be read, 2 changes to apply); without it, 1 errors found, 2 the command
    /// could not run.
    Plan(PlanArgs),
    /// Add what a running cluster has to a project: topics (partitions, replication, the configs
    /// that differ from the defaults), subjects (the latest schema into `schema/`), the key and
    /// value format of each topic (from its subjects and sampled records), consumer groups with
    /// committed offsets as consumers, connectors (onto the connector catalog when recognized,
    /// else `class=`), ksqlDB streams, tables and queries (into `ksql/`, in dependency order).
    ///
    /// The project's venice.kdl must declare the target. Nothing it declares is touched and no
    /// file is overwritten; internal topics (`__*`, Connect's, ksqlDB's, the registry's) are left
    /// out. Secrets are never written: a `password env=VAR` (or a `${env:VAR}` setting) stands in,
    /// and the variables to set are listed. Prints what was added and what was left out and why,
    /// then checks the result as `venice check` does.
    ///
    /// Exit status: 0 imported and the project checks clean, 1 the check found errors, 2 the
    /// command could not run.
    Import(ImportArgs),
    /// Deploy a project to a target: topics, then schemas, source connectors, ksqlDB statements
    /// and sink connectors, each phase waiting for the one before it.
    ///
    /// Waits for each service with a bounded backoff (`--wait`), plans as `venice plan` does,
    /// refuses to start when the plan has errors, asks for confirmation on a terminal unless
    /// `--yes`, then applies, steps of one phase side by side, one line per finished step. A
    /// topic is done when the Kafka controller has it; the brokers list it moments later, and
    /// connectors and ksqlDB statements wait for that (`--wait`). A connector is done when it
    /// runs. Every step is idempotent: a second apply changes nothing,
    /// and after a failure (which is reported with what was applied and what was not) running it
    /// again converges. What apply made is recorded in `venice.lock` under the target's name;
    /// `--prune` deletes what is recorded there and no longer in the project, never anything
    /// else, and never without `--prune`.
    ///
    /// The record is kept step by step: each step is written to `.venice/apply-TARGET.journal`
    /// (synced to disk) as soon as the target confirms it and folded into `venice.lock` at the
    /// end, so a run killed at any point leaves a record that is true; the next apply folds in
    /// what it left and goes on. An object that exists and is declared but that venice did not
    /// make is not venice's: `plan` says so, `--prune` never deletes it, `--adopt` takes it.
    ///
    /// Ctrl-C lets the steps in flight finish, starts no other, records, lists what was not
    /// applied and exits 130; a second Ctrl-C exits at once, the journal still true. One apply
    /// at a time per project and target: a second one exits 2 naming the running one (pid,
    /// host, start time); the lock of a killed run is taken over with a notice.
    ///
    /// Exit status: 0 applied (or nothing to do), 1 the plan has errors or a step failed, 2 the
    /// command could not run (no project, a service not answering, a missing credential, another
    /// apply on the target), 130 interrupted.
    Apply(ApplyArgs),
    /// Start the project's stack: build it if the build is missing or out of date, `docker compose
    /// up --wait`, then deploy the pipeline to the `local` target as `venice apply --target local
    /// --yes` does.
    ///
    /// The build is out of date when the project now builds to other files than those in the
    /// build folder (the files are compared, not their times). It runs the `docker-compose.yml` of the build folder (`build/`, or `--out`) as the Compose
    /// project named by its `name:` (the project's name), so every stack command finds the same
    /// stack. Compose reads `.env` beside the file: every variable of `.env.example` must be set
    /// there or in the environment. Needs Docker with the Compose plugin. Exit status: 0 started
    /// and applied, 1 the project has errors or a step failed, 2 the command could not run (no
    /// Docker, no `stack` in the project, a variable not set).
    Up(UpArgs),
    /// Stop the project's stack and remove its containers (`docker compose down`); `--volumes`
    /// also removes its data.
    Down(DownArgs),
    /// Show each service of the project's stack: its state, its health, its ports.
    ///
    /// Read from `docker compose ps`. Exit status: 0 every service runs (and is healthy, where it
    /// has a healthcheck), 1 some service does not, 2 the command could not run.
    Status(StatusArgs),
    /// Print the logs of the stack's services (all of them, or those named).
    Logs(LogsArgs),
    /// Restart services of the project's stack.
    Restart(RestartArgs),
    /// Open psql in the stack's PostgreSQL container, connected to a database of the project as
    /// its user.
    ///
    /// DATABASE is a `database` node's name or the database's name; the default is the first
    /// database of the project that lives in the stack. Its `user` when written in venice.kdl,
    /// else the superuser `postgres`. Exits with psql's status.
    Psql(PsqlArgs),
    /// List the connectors on a target's Kafka Connect: each one's type, state and worker, each
    /// task's state, and the trace of what failed; those the project declares are marked, and
    /// declared ones that Connect lacks are listed.
    ///
    /// Exit status: 0 every declared connector is there and none of them failed, 1 one is
    /// missing or failed, 2 the command could not run (Connect not answering, no project).
    Connectors(ConnectorsArgs),
    /// List the subjects of a target's schema registry: the latest version's number, id and
    /// schema type, the compatibility level (the subject's own, else the global one), and the
    /// numbers of all its versions; those the project declares are marked, and declared ones
    /// the registry lacks are listed.
    ///
    /// Works with Confluent's Schema Registry and with Apicurio Registry's Confluent API
    /// (`.../apis/ccompat/v7`). Exit status: 0 read, 2 the command could not run.
    Schemas(SchemasArgs),
    /// List the topics on a target's Kafka: partitions, replication, and per partition the
    /// leader and the earliest and end offsets; topics the project declares are marked, and
    /// declared topics the cluster lacks are listed.
    ///
    /// Internal topics (`__consumer_offsets`, ...) are shown with `--all`. Exit status: 0 every
    /// declared topic is there, 1 one is missing, 2 the command could not run (Kafka not
    /// answering, no project).
    Topics(TopicsArgs),
    /// Print a topic's records with each key and value decoded by the serdes the project
    /// declares for the topic: partition, offset, timestamp, key and value.
    ///
    /// Registry formats are read by their schema id from the target's registry (Avro is shown as
    /// JSON; JSON Schema as its JSON; Protobuf as raw bytes with the id); `avro-raw` with the
    /// project's schema. A key or value whose bytes are not what the project declares is shown
    /// raw (hex, and the text when printable) and flagged with what it looks like instead
    /// ("looks like Avro with schema id 7"). A topic the project does not declare is shown by
    /// what its bytes look like. By default it starts 10 records (or `--limit`) before the end
    /// of each partition and follows new records until interrupted (Ctrl-C). A topic the Kafka
    /// controller has that the brokers do not list yet (just created) is waited for, up to 30 s.
    /// Exit status: 0 printed, 2 the command could not run (Kafka not answering, no such topic).
    Tail(TailArgs),
    /// Check what runs on a target against the project: samples every declared topic (the last
    /// 100 records of each partition) and reports each mismatch between the declared and the
    /// actual serdes, with the code of the static check for the same mistake (V101 to V105; V203
    /// for Avro written with a registry schema the declared `schema=` cannot read);
    /// declared topics missing from Kafka; connectors or tasks not running (with the root
    /// cause); ksqlDB persistent queries not running.
    ///
    /// Exit status: 0 everything matches, 1 problems found, 2 the command could not run (a
    /// service not answering, no project).
    Doctor(DoctorArgs),
    /// Format venice.kdl and the files it includes, keeping comments and strings as written.
    Fmt(FmtArgs),
    /// Create a new project: the orders pipeline (web app → Kafka → ksqlDB → PostgreSQL).
    Init(InitArgs),
    /// Print the long explanation of a diagnostic code, with an example.
    Explain(ExplainArgs),
    /// Work with Avro schema files on their own, outside a project.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Open the ksqlDB CLI of the project's stack, connected to its server; or work with ksqlDB
    /// statement files on their own (`describe`, `conformance`).
    ///
    /// `venice ksql` alone runs `ksql http://ksqldb-server:8088` in the stack's `ksqldb-cli`
    /// container, with the terminal passed through, and exits with its status.
    Ksql(KsqlArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// The folder every file a project names must be in (`--root`), for the commands that read a
/// project.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Within {
    /// Read the files the project names only inside DIR (default: the `root` setting of
    /// venice.kdl, else the top of the git repository holding the project, else its folder).
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
}

impl Within {
    pub(crate) fn root(&self) -> Option<&std::path::Path> {
        self.root.as_deref()
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
    /// Treat warnings as errors (exit 1 when any is found).
    #[arg(long, value_enum, value_name = "LINT")]
    pub(crate) deny: Vec<Deny>,
    /// Compare with `venice.lock` as committed at this git revision (a branch, tag or commit)
    /// instead of the one in the folder, as `buf breaking --against` does.
    #[arg(long, value_name = "REF")]
    pub(crate) against: Option<String>,
    /// Check the project as this `target` of venice.kdl sees it (its `defaults`, `topic`,
    /// `source`, `sink` and `database` values applied). Without it, the project as declared and
    /// as each target sees it are checked, each diagnostic once.
    #[arg(long, value_name = "NAME", conflicts_with = "against")]
    pub(crate) target: Option<String>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The output folder (default: `build` inside the project folder). It must be missing, empty,
    /// or an earlier build, whose files are replaced. It may be outside the project's root: you
    /// name it here.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Where the stack runs: `compose` writes docker-compose.yml and the Connect image's
    /// Dockerfile; `kubernetes` writes Strimzi resources (`kubernetes/`, applied with `kubectl
    /// apply -k`) instead. Topics, registry payloads, connector configs and ksqlDB files are the
    /// same for both.
    #[arg(long, value_enum, default_value_t = Platform::Compose)]
    pub(crate) platform: Platform,
    /// The output format of the diagnostics, when there are any.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub(crate) format: OutputFormat,
    /// Build the project as this `target` of venice.kdl sees it: topics, connector configs and
    /// the rest take its values. `venice.lock` is not written then: the baseline is the project
    /// as declared.
    #[arg(long, value_name = "NAME")]
    pub(crate) target: Option<String>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The two targets to compare, each a `target` of venice.kdl (`local` is the project as declared).
    #[arg(long, value_name = "NAME", num_args = 1, required = true)]
    pub(crate) target: Vec<String>,
    /// The output format: `human` lines or one `json` document.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub(crate) format: PlanFormat,
}

#[derive(Debug, clap::Args)]
pub(crate) struct AclsArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The target whose principals, grants and quotas to list (a `target` of venice.kdl).
    #[arg(long, value_name = "NAME")]
    pub(crate) target: Option<String>,
    /// Also read the target's cluster: each binding of those principals marked derived,
    /// explicit, extra (not the project's) or missing.
    #[arg(long, requires = "target")]
    pub(crate) online: bool,
    /// The output format: `human` lines or one `json` document.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub(crate) format: PlanFormat,
}

/// `venice build --platform`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Platform {
    Compose,
    Kubernetes,
}

impl From<Platform> for crate::build::Platform {
    fn from(platform: Platform) -> Self {
        match platform {
            Platform::Compose => crate::build::Platform::Compose,
            Platform::Kubernetes => crate::build::Platform::Kubernetes,
        }
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The `target` of venice.kdl to compare with (default: `local`, the stack of `venice build`).
    #[arg(long, value_name = "NAME")]
    pub(crate) target: Option<String>,
    /// The output format: `human` lines or one `json` document.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub(crate) format: PlanFormat,
    /// Exit 0 when there is nothing to change, 2 when there are changes, 1 on errors.
    #[arg(long)]
    pub(crate) detailed_exitcode: bool,
    /// Plan the deletion of what `venice.lock` records as applied and the project no longer has,
    /// as `venice apply --prune` would.
    #[arg(long)]
    pub(crate) prune: bool,
    /// How long to wait for a service that is not answering yet, or for the brokers to list a
    /// topic the controller has, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) wait: u64,
    /// Also list what the target has that the project does not declare (never deleted; ACLs
    /// are not listed, venice does not declare them yet). The exit status is the plan's.
    #[arg(long)]
    pub(crate) unmanaged: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// The project folder (holding venice.kdl, which declares the target).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// The `target` of venice.kdl to read.
    #[arg(long, value_name = "NAME")]
    pub(crate) target: String,
    /// Import only topics, connectors and ksqlDB streams and tables whose name matches (a
    /// regular expression; repeatable, any may match).
    #[arg(long, value_name = "REGEX")]
    pub(crate) include: Vec<String>,
    /// Leave out those whose name matches (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub(crate) exclude: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    /// One line per object, changed fields below it, then a summary.
    Human,
    /// `{"target", "changes", "objects": [{"kind", "name", "action", "changes"}], "errors"}`.
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ApplyArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The `target` of venice.kdl to deploy to (default: `local`, the stack of `venice build`).
    #[arg(long, value_name = "NAME")]
    pub(crate) target: Option<String>,
    /// Apply without asking (needed when standard input is not a terminal).
    #[arg(long, short)]
    pub(crate) yes: bool,
    /// Also delete what `venice.lock` records as applied to this target by this project and the
    /// project no longer has. Nothing else is ever deleted.
    #[arg(long)]
    pub(crate) prune: bool,
    /// Take ownership of the declared objects that exist on the target but that venice did not
    /// make (`plan` marks them not owned): they are recorded as venice's, listed, and from then
    /// on `--prune` may delete them.
    #[arg(long)]
    pub(crate) adopt: bool,
    /// How long to wait for a service that is not answering yet, a connector to run, an
    /// asserted topic or subject, or the brokers to list new topics, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub(crate) wait: u64,
}

/// Where a stack command finds the project and its build, for the commands whose positional
/// arguments are services or databases.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct StackLocation {
    /// The project folder (holding venice.kdl).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) dir: PathBuf,
    /// The build folder holding docker-compose.yml (default: `build` inside the project folder).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct UpArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The build folder (default: `build` inside the project folder).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Start the stack only; deploy nothing.
    #[arg(long)]
    pub(crate) no_apply: bool,
    /// How long the apply waits for a service that is not answering yet, or a connector to run,
    /// in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub(crate) wait: u64,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DownArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// The build folder (default: `build` inside the project folder).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Also remove the stack's named volumes: every topic, schema and table is lost.
    #[arg(long, short)]
    pub(crate) volumes: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// The build folder (default: `build` inside the project folder).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
}

/// The formats of the listing commands (`status`, `connectors`, `schemas`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// A table or lines, for people.
    Text,
    /// One JSON document.
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct LogsArgs {
    /// The services (default: all of them).
    #[arg(value_name = "SERVICE")]
    pub(crate) services: Vec<String>,
    #[command(flatten)]
    pub(crate) location: StackLocation,
    /// Keep printing new lines as they come.
    #[arg(long, short)]
    pub(crate) follow: bool,
    /// Only the last N lines of each service.
    #[arg(long, short = 'n', value_name = "N")]
    pub(crate) tail: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RestartArgs {
    /// The services to restart.
    #[arg(value_name = "SERVICE", required = true)]
    pub(crate) services: Vec<String>,
    #[command(flatten)]
    pub(crate) location: StackLocation,
}

#[derive(Debug, clap::Args)]
pub(crate) struct PsqlArgs {
    /// The database (default: the project's first database in the stack).
    pub(crate) database: Option<String>,
    #[command(flatten)]
    pub(crate) location: StackLocation,
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct KsqlArgs {
    #[command(subcommand)]
    pub(crate) command: Option<KsqlCommand>,
    #[command(flatten)]
    pub(crate) location: StackLocation,
}

/// Where the commands that read a running target look: the project, and which of its targets.
#[derive(Debug, clap::Args)]
pub(crate) struct Reading {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The `target` of venice.kdl to read (default: `local`, the stack of `venice build`).
    #[arg(long, value_name = "NAME")]
    pub(crate) target: Option<String>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ConnectorsArgs {
    #[command(flatten)]
    pub(crate) at: Reading,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
    /// Print the whole trace of each failure (the text shows its first lines and root cause).
    #[arg(long)]
    pub(crate) trace: bool,
    /// Only the connectors the project declares.
    #[arg(long)]
    pub(crate) declared: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct TopicsArgs {
    #[command(flatten)]
    pub(crate) at: Reading,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
    /// Also show internal topics (`__consumer_offsets`, `__transaction_state`, ...).
    #[arg(long)]
    pub(crate) all: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct TailArgs {
    /// The topic to read.
    pub(crate) topic: String,
    #[command(flatten)]
    pub(crate) at: Reading,
    /// Start at the earliest records instead of the last ones.
    #[arg(long)]
    pub(crate) from_beginning: bool,
    /// Stop after N records (without `--from-beginning`, start N records before the end).
    #[arg(long, short = 'n', value_name = "N")]
    pub(crate) limit: Option<u64>,
    /// Read only this partition.
    #[arg(long, short, value_name = "P")]
    pub(crate) partition: Option<i32>,
    /// Stop at the end offsets read at the start instead of following new records.
    #[arg(long)]
    pub(crate) no_follow: bool,
    /// The output format: lines, or one JSON object per record (`{"partition", "offset",
    /// "timestamp", "key", "value", "keySchemaId", "valueSchemaId", "flags"}`).
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DoctorArgs {
    #[command(flatten)]
    pub(crate) at: Reading,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SchemasArgs {
    #[command(flatten)]
    pub(crate) at: Reading,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) format: ListFormat,
    /// Only the subjects the project declares.
    #[arg(long)]
    pub(crate) declared: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct GraphArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// The drawing's format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub(crate) format: GraphFormat,
    /// Write the drawing to this file instead of printing it.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// The formats of `venice graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// An SVG image, laid out by venice.
    Svg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Deny {
    /// Every warning.
    Warnings,
}

#[derive(Debug, clap::Args)]
pub(crate) struct FmtArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) within: Within,
    /// Change nothing; list the files that would change and exit 1 if there are any.
    #[arg(long)]
    pub(crate) check: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// The folder to create the project in (created if missing).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// The project's name (default: the folder's name).
    #[arg(long)]
    pub(crate) name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KsqlCommand {
    /// Run a file of ksqlDB statements in order and describe the streams and tables that exist
    /// afterwards, as ksqlDB's DESCRIBE would (`ID INTEGER KEY, NAME STRING`), with their key and
    /// value formats.
    ///
    /// Columns that statements leave to the registry come from `--schema SUBJECT=FILE`
    /// (`orders-value=order.avsc`; a `.json` file is read as JSON Schema, a `.proto` file as
    /// Protobuf). Problems are reported
    /// as `venice check` reports them (V301 to V310). Exit status: 0 clean, 1 problems found, 2 a
    /// file cannot be read.
    Describe(KsqlDescribeArgs),
    /// Measure the ksqlDB front end against ksqlDB's own query-validation tests (a folder of
    /// their JSON files) and print the shares it gets right, and the time it took.
    ///
    /// The tests are the JSON files of
    /// `ksqldb-functional-tests/src/test/resources/query-validation-tests` in ksqlDB's repository
    /// (github.com/confluentinc/ksql); venice does not ship them. Exit status: 0 measured, 2 the
    /// folder cannot be read.
    Conformance(KsqlConformanceArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct KsqlConformanceArgs {
    /// The folder of the query-validation tests' JSON files.
    pub(crate) dir: PathBuf,
    /// Also list each statement, source and rejection that does not conform.
    #[arg(long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct KsqlDescribeArgs {
    /// The file of ksqlDB statements.
    pub(crate) file: PathBuf,
    /// A registry subject's schema: `SUBJECT=FILE` (`<topic>-key` or `<topic>-value`).
    #[arg(long = "schema", value_name = "SUBJECT=FILE")]
    pub(crate) schemas: Vec<String>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = DescribeFormat::Human)]
    pub(crate) format: DescribeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DescribeFormat {
    /// Diagnostics, then each source's schema, for people.
    Human,
    /// One JSON document: `{"sources": [{"name", "type", "schema", "keyFormat", "valueFormat"}],
    /// "diagnostics": [...]}`.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SchemaCommand {
    /// Check that a new schema (Avro, JSON Schema or Protobuf) may follow earlier ones at a Schema
    /// Registry compatibility level, as the registry would check it on registration.
    ///
    /// Give the earlier schemas oldest first and the new one last:
    /// `venice schema compat --level full v1.avsc v2.avsc v3.avsc`. The type comes from `--type`,
    /// else from the new file's extension (`.json` JSON Schema, otherwise Avro); a JSON Schema's
    /// `$ref` to another document reads that file beside it. Exit status: 0 the new schema may
    /// follow, 1 it may not (each reason is listed with its path and the schema it concerns; for
    /// JSON Schema, the registry's change name) or a schema is invalid, 2 a file cannot be read.
    Compat(CompatArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct CompatArgs {
    /// The compatibility level, as venice.kdl or the registry names it, in any case
    /// (`backward-transitive`, `BACKWARD_TRANSITIVE`).
    #[arg(long, value_enum, ignore_case = true, default_value_t = CompatLevel::Backward)]
    pub(crate) level: CompatLevel,
    /// The output format.
    #[arg(long, value_enum, default_value_t = CompatFormat::Human)]
    pub(crate) format: CompatFormat,
    /// The schemas' type; by default the new file's extension says it (`.json` JSON Schema,
    /// `.proto` Protobuf, anything else Avro). A JSON Schema's `$ref` to another document, and a
    /// Protobuf file's imports, are read from beside each file.
    #[arg(long = "type", value_enum)]
    pub(crate) schema_type: Option<crate::schema_compat::SchemaType>,
    /// The earlier schemas (.avsc, .json or .proto files), oldest first.
    #[arg(required = true, num_args = 1.., value_name = "OLD")]
    pub(crate) old: Vec<PathBuf>,
    /// The new schema (an .avsc, .json or .proto file).
    #[arg(required = true, value_name = "NEW")]
    pub(crate) new: PathBuf,
}

/// The Schema Registry's compatibility levels, named as venice.kdl's `compatibility` names them;
/// the registry's own names (`BACKWARD_TRANSITIVE`) are aliases, and case is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompatLevel {
    /// Anything may follow.
    None,
    /// The new schema reads data written with the latest one.
    Backward,
    /// The new schema reads data written with every earlier one.
    #[value(alias = "backward_transitive")]
    BackwardTransitive,
    /// The latest schema reads data written with the new one.
    Forward,
    /// Every earlier schema reads data written with the new one.
    #[value(alias = "forward_transitive")]
    ForwardTransitive,
    /// Backward and forward, with the latest schema.
    Full,
    /// Backward and forward, with every earlier schema.
    #[value(alias = "full_transitive")]
    FullTransitive,
}

impl CompatLevel {
    pub(crate) fn compatibility(self) -> Compatibility {
        match self {
            CompatLevel::None => Compatibility::None,
            CompatLevel::Backward => Compatibility::Backward,
            CompatLevel::BackwardTransitive => Compatibility::BackwardTransitive,
            CompatLevel::Forward => Compatibility::Forward,
            CompatLevel::ForwardTransitive => Compatibility::ForwardTransitive,
            CompatLevel::Full => Compatibility::Full,
            CompatLevel::FullTransitive => Compatibility::FullTransitive,
        }
    }

    /// The level as the command line and venice.kdl write it (`backward-transitive`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CompatLevel::None => "none",
            CompatLevel::Backward => "backward",
            CompatLevel::BackwardTransitive => "backward-transitive",
            CompatLevel::Forward => "forward",
            CompatLevel::ForwardTransitive => "forward-transitive",
            CompatLevel::Full => "full",
            CompatLevel::FullTransitive => "full-transitive",
        }
    }
}

impl CompatArgs {
    /// The type given, else the one the new file's extension names.
    pub(crate) fn schema_type(&self) -> crate::schema_compat::SchemaType {
        self.schema_type.unwrap_or_else(|| crate::schema_compat::SchemaType::of_path(&self.new))
    }
}

/// The output formats of `venice schema compat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompatFormat {
    /// Lines for people.
    Human,
    /// One JSON document: `{"compatible", "level", "incompatibilities": [...]}`.
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// A diagnostic code, such as V102.
    pub(crate) code: String,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn compat_levels_are_named_as_the_language_names_them() {
        for level in CompatLevel::value_variants() {
            let name = level.to_possible_value().expect("shown").get_name().to_string();
            assert_eq!(name, level.as_str());
            assert_eq!(Compatibility::parse(&name), Some(level.compatibility()));
        }
        let cli = Cli::try_parse_from(["venice", "schema", "compat", "a.avsc", "b.avsc", "c.avsc"]).expect("parses");
        let Command::Schema(SchemaCommand::Compat(args)) = cli.command else { panic!("compat") };
        assert_eq!(args.level, CompatLevel::Backward);
        assert_eq!(args.old, [PathBuf::from("a.avsc"), PathBuf::from("b.avsc")]);
        assert_eq!(args.new, PathBuf::from("c.avsc"));
        assert!(Cli::try_parse_from(["venice", "schema", "compat", "a.avsc"]).is_err());
    }

    #[test]
    fn each_spelling_the_command_line_takes_is_one_the_language_takes() {
        for level in CompatLevel::value_variants() {
            let shown = level.to_possible_value().expect("shown");
            for name in shown.get_name_and_aliases() {
                for spelling in [name.to_string(), name.to_uppercase()] {
                    let cli = Cli::try_parse_from(["venice", "schema", "compat", "--level", &spelling, "a", "b"]);
                    let Command::Schema(SchemaCommand::Compat(args)) = cli.expect("parses").command else { panic!() };
                    assert_eq!(args.level, *level, "{spelling}");
                    assert_eq!(Compatibility::parse(&spelling), Some(level.compatibility()), "{spelling}");
                }
            }
        }
    }
}
