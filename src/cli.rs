//! The command line: arguments and their help. Parsing only; `run` does the work.

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
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a project: every node, name, reference and file, and each edge's serdes.
    ///
    /// Exit status: 0 no errors, 1 errors found (warnings alone exit 0 unless `--deny
    /// warnings`), 2 the command could not run.
    Check(CheckArgs),
    /// Format venice.kdl and the files it includes, keeping comments and strings as written.
    Fmt(FmtArgs),
    /// Create a new project: the orders pipeline (web app → Kafka → ksqlDB → PostgreSQL).
    Init(InitArgs),
    /// Print the long explanation of a diagnostic code, with an example.
    Explain(ExplainArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Treat warnings as errors (exit 1 when any is found).
    #[arg(long, value_enum, value_name = "LINT")]
    pub deny: Vec<Deny>,
    /// Compare with `venice.lock` as committed at this git revision (a branch, tag or commit)
    /// instead of the one in the folder, as `buf breaking --against` does.
    #[arg(long, value_name = "REF")]
    pub against: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Every warning.
    Warnings,
}

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// The project folder (holding venice.kdl).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Change nothing; list the files that would change and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to create the project in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The project's name (default: the folder's name).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A diagnostic code, such as V102.
    pub code: String,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
