//! Runs a parsed command line: the one place that prints and picks the exit status.
//!
//! Exit statuses (docs/checks.md, README): 0 no errors, 1 errors found (or, with `--check`, files that would
//! change), 2 the command could not run.

use crate::check::{Checked, ProjectNotFound, check_against, check_every_target, check_view, check_within};
use crate::cli::{
    CheckArgs, Cli, Command, CompatArgs, CompatFormat, CompletionsArgs, Deny, ExplainArgs, FmtArgs, InitArgs,
    SchemaCommand,
};
use crate::diagnostic::Severity;
use crate::lock::journal::Folded;
use crate::render::{HumanOptions, OutputFormat, render};
use crate::source::SourceMap;
use clap::CommandFactory;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

const OK: u8 = 0;
const FOUND: u8 = 1;
const CANNOT_RUN: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let status = match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Diff(args) => run_diff(&args),
        Command::Acls(args) => run_acls(&args),
        Command::Build(args) => run_build(&args),
        Command::Graph(args) => run_graph(&args),
        Command::Plan(args) => run_plan(&args),
        Command::Import(args) => run_import(&args),
        Command::Apply(args) => run_apply(&args),
        Command::Fmt(args) => run_fmt(&args),
        Command::Init(args) => run_init(&args),
        Command::Explain(args) => run_explain(&args),
        Command::Schema(SchemaCommand::Compat(args)) => run_schema_compat(&args),
        Command::Ksql(crate::cli::KsqlArgs { command: Some(crate::cli::KsqlCommand::Describe(args)), .. }) => {
            run_ksql_describe(&args)
        }
        Command::Ksql(crate::cli::KsqlArgs { command: Some(crate::cli::KsqlCommand::Conformance(args)), .. }) => {
            run_ksql_conformance(&args)
        }
        Command::Ksql(crate::cli::KsqlArgs { command: None, location }) => run_ksql_shell(&location),
        Command::Up(args) => run_up(&args),
        Command::Down(args) => run_down(&args),
        Command::Status(args) => run_status(&args),
        Command::Logs(args) => run_logs(&args),
        Command::Restart(args) => run_restart(&args),
        Command::Psql(args) => run_psql(&args),
        Command::Connectors(args) => run_connectors(&args),
        Command::Schemas(args) => run_schemas(&args),
        Command::Topics(args) => run_topics(&args),
        Command::Tail(args) => run_tail(&args),
        Command::Doctor(args) => run_doctor(&args),
        Command::Completions(args) => run_completions(&args),
    };
    ExitCode::from(status)
}

fn run_check(args: &CheckArgs) -> u8 {
    let root = args.within.root();
    let checked = match (&args.against, &args.target) {
        (Some(revision), _) => check_against(&args.dir, root, revision),
        (None, None) => check_every_target(&args.dir, root).map_err(|not_found| project_not_found(&not_found)),
        (None, Some(target)) => viewed(&args.dir, root, target),
    };
    let checked = match checked {
        Ok(checked) => checked,
        Err(message) => return cannot_run(&message),
    };
    print_out(&render(args.format, &checked.diagnostics, &checked.sources, &human_options()));
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    let status = check_status(&checked, deny_warnings);
    // The process ends right after this: freeing the model of a large project piece by piece
    // costs a few milliseconds that the operating system does at exit for nothing.
    std::mem::forget(checked);
    status
}

/// `venice diff`: two targets' views, compared offline.
fn run_diff(args: &crate::cli::DiffArgs) -> u8 {
    let [a, b] = args.target.as_slice() else {
        return cannot_run(&format!("`venice diff` compares two targets; {} given", args.target.len()));
    };
    let mut views = Vec::new();
    for target in [a, b] {
        let checked = match target.as_str() {
            // The stack's target changes nothing unless the project declares values for it.
            "local" => check_view(&args.dir, args.within.root(), Some("local")).map_err(|e| project_not_found(&e)),
            _ => viewed(&args.dir, args.within.root(), target),
        };
        match checked {
            Ok(checked) if checked.has_errors() => {
                print_out(&render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &human_options()));
                let _ = writeln!(std::io::stderr(), "error: target `{target}`'s view has errors");
                return FOUND;
            }
            Ok(checked) => views.push(checked),
            Err(message) => return cannot_run(&message),
        }
    }
    let view = |i: usize| (&views[i].project, &views[i].analysis.access);
    let differences = crate::build::diff::diff(view(0), view(1));
    let names = [a.as_str(), b.as_str()];
    match args.format {
        crate::cli::PlanFormat::Human => print_out(&crate::build::diff::human(names, &differences)),
        crate::cli::PlanFormat::Json => {
            print_out(&crate::build::json_file(&crate::build::diff::json(names, &differences)))
        }
    }
    OK
}

/// `venice acls`: a view's grants and quotas, and with `--online` the cluster's bindings beside them.
fn run_acls(args: &crate::cli::AclsArgs) -> u8 {
    let checked = match checked_as(&args.dir, args.within.root(), args.target.as_deref()) {
        Ok(checked) => checked,
        Err(message) => return cannot_run(&message),
    };
    if checked.has_errors() {
        print_out(&render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &human_options()));
        return FOUND;
    }
    let name = args.target.as_deref().unwrap_or("local");
    let access = &checked.analysis.access;
    let online = match args.online {
        false => None,
        true => match crate::deploy::resolve(&checked.project, &args.dir, args.target.as_deref())
            .and_then(|target| crate::deploy::acls::read(&target, access))
        {
            Ok(compared) => Some(compared),
            Err(message) => return cannot_run(&message),
        },
    };
    match args.format {
        crate::cli::PlanFormat::Human => {
            print_out(&crate::build::acls::human(name, &checked.project, access));
            if let Some(compared) = &online {
                print_out(&compared.human());
            }
        }
        crate::cli::PlanFormat::Json => {
            let mut document = crate::build::acls::json(name, &checked.project, access, &checked.sources);
            if let Some(compared) = &online {
                document["cluster"] = compared.json();
            }
            print_out(&crate::build::json_file(&document))
        }
    }
    OK
}

/// The project as declared, or as `target` sees it.
fn checked_as(dir: &std::path::Path, root: Option<&std::path::Path>, target: Option<&str>) -> Result<Checked, String> {
    match target {
        None => check_within(dir, root).map_err(|not_found| project_not_found(&not_found)),
        Some(target) => viewed(dir, root, target),
    }
}

/// The project as `target` sees it; `Err` when the project does not declare that target.
fn viewed(dir: &std::path::Path, root: Option<&std::path::Path>, target: &str) -> Result<Checked, String> {
    let checked = check_view(dir, root, Some(target)).map_err(|not_found| project_not_found(&not_found))?;
    if checked.project.viewed_as.is_none() {
        let names: Vec<String> = checked.project.targets.iter().map(|t| format!("`{}`", t.name.value)).collect();
        let known = if names.is_empty() { "it declares none".into() } else { format!("it has {}", names.join(", ")) };
        return Err(format!("the project has no target `{target}`; {known}"));
    }
    Ok(checked)
}

fn check_status(checked: &Checked, deny_warnings: bool) -> u8 {
    let failing = checked.has_errors() || (deny_warnings && checked.count(Severity::Warning) > 0);
    if failing { FOUND } else { OK }
}

/// `venice build`: check, refuse on errors, render, write the folder, then the lock.
fn run_build(args: &crate::cli::BuildArgs) -> u8 {
    let checked = match checked_as(&args.dir, args.within.root(), args.target.as_deref()) {
        Ok(checked) => checked,
        Err(message) => return cannot_run(&message),
    };
    if !checked.diagnostics.is_empty() {
        print_out(&render(args.format, &checked.diagnostics, &checked.sources, &human_options()));
    }
    if checked.has_errors() {
        let _ = writeln!(std::io::stderr(), "error: not built: the project has errors");
        return FOUND;
    }
    let out = args.out.clone().unwrap_or_else(|| args.dir.join(crate::build::DEFAULT_OUT));
    // On the pool's threads, as the check ran: their heaps are warm (see `parallel::on_pool`).
    let built = crate::parallel::on_pool(|| {
        let rendered = crate::build::render_for(&checked, &args.dir, args.platform.into());
        crate::build::write(&rendered, &out).map_err(|error| error.0)?;
        // The baseline is the project as declared: a target's partitions are not recorded.
        if args.target.is_none() {
            crate::lock::Lock::from_project(&checked.project, &checked.analysis.avro, &checked.sources)
                .write(&args.dir)
                .map_err(|error| {
                    format!("cannot write `{}`: {error}", args.dir.join(crate::lock::LOCK_FILE).display())
                })?;
        }
        Ok::<_, String>(rendered.files.len())
    });
    // The process ends right after this: the model is left for the operating system to free.
    std::mem::forget(checked);
    let files = match built {
        Ok(files) => files,
        Err(message) => return cannot_run(&message),
    };
    let recorded = match &args.target {
        None => format!("recorded {}", args.dir.join(crate::lock::LOCK_FILE).display()),
        Some(target) => format!("for target `{target}` (venice.lock not written)"),
    };
    let _ = writeln!(std::io::stderr(), "built {files} files into {}; {recorded}", out.display());
    OK
}

/// What `plan` and `apply` share: the checked project (errors printed), the target, and what the
/// project wants there.
struct Deploying {
    checked: Checked,
    target: crate::deploy::Target,
    desired: crate::deploy::desired::Desired,
}

fn deploying(dir: &std::path::Path, within: &crate::cli::Within, target: Option<&str>) -> Result<Deploying, u8> {
    // The project as the target sees it (a target not declared, `local` among them, changes nothing).
    let checked = check_view(dir, within.root(), Some(target.unwrap_or("local")))
        .map_err(|not_found| cannot_run(&project_not_found(&not_found)))?;
    if checked.has_errors() {
        print_out(&render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &human_options()));
        let _ = writeln!(std::io::stderr(), "error: the project has errors; nothing was planned or applied");
        return Err(FOUND);
    }
    let target = crate::deploy::resolve(&checked.project, dir, target).map_err(|e| cannot_run(&e))?;
    let desired = crate::deploy::desired::Desired::of(&checked, &target.deployment);
    Ok(Deploying { checked, target, desired })
}

/// venice.lock, and the record of `target`: the lock's with the journal of an apply that did not
/// finish folded in.
fn recorded(dir: &std::path::Path, target: &str) -> Result<(Option<crate::lock::Lock>, Folded), u8> {
    let lock = crate::lock::Lock::read(dir);
    let folded = crate::lock::journal::read_record(dir, target, lock.as_ref()).map_err(|e| cannot_run(&e))?;
    Ok((lock, folded))
}

/// `venice plan`: what apply would change, as lines or JSON.
fn run_plan(args: &crate::cli::PlanArgs) -> u8 {
    // With --detailed-exitcode, 2 means "changes": anything that is not a plan is 1.
    let failed = |status: u8| if args.detailed_exitcode && status == CANNOT_RUN { FOUND } else { status };
    let d = match deploying(&args.dir, &args.within, args.target.as_deref()) {
        Ok(d) => d,
        Err(status) => return failed(status),
    };
    let folded = match recorded(&args.dir, &d.target.name) {
        Ok((_, folded)) => folded,
        Err(status) => return failed(status),
    };
    let wait = std::time::Duration::from_secs(args.wait);
    let plan = match crate::deploy::read_and_plan(&d.target, &d.desired, &folded, args.prune, wait) {
        Ok((plan, _, _)) => plan,
        Err(message) => return failed(cannot_run(&message)),
    };
    let unmanaged = if args.unmanaged {
        match crate::deploy::plan::unmanaged(&d.target, &d.desired) {
            Ok(unmanaged) => Some(unmanaged),
            Err(message) => return failed(cannot_run(&message)),
        }
    } else {
        None
    };
    match args.format {
        crate::cli::PlanFormat::Human => {
            print_out(&plan.human());
            if let Some(unmanaged) = &unmanaged {
                print_out(&unmanaged.human());
            }
        }
        crate::cli::PlanFormat::Json => {
            let mut json = plan.json();
            if let Some(unmanaged) = &unmanaged {
                json["unmanaged"] = unmanaged.json();
            }
            print_out(&crate::build::json_file(&json))
        }
    }
    if !plan.refusals.is_empty() {
        FOUND
    } else if args.detailed_exitcode && plan.changes() > 0 {
        CANNOT_RUN
    } else {
        OK
    }
}

/// `venice import`: read the target, add what the project lacks, then check the result.
fn run_import(args: &crate::cli::ImportArgs) -> u8 {
    let regexes = |patterns: &[String]| -> Result<Vec<regex::Regex>, String> {
        patterns
            .iter()
            .map(|p| regex::Regex::new(p).map_err(|e| format!("`{p}` is not a regular expression: {e}")))
            .collect()
    };
    let filter = match (regexes(&args.include), regexes(&args.exclude)) {
        (Ok(include), Ok(exclude)) => crate::import::Filter { include, exclude },
        (Err(message), _) | (_, Err(message)) => return cannot_run(&message),
    };
    let checked = match check_within(&args.dir, None) {
        Ok(checked) => checked,
        Err(not_found) => return cannot_run(&project_not_found(&not_found)),
    };
    match crate::import::import(&args.dir, &checked, &args.target, &filter) {
        Ok(report) => print_out(&report.human()),
        Err(message) => {
            return cannot_run(&format!(
                "{message}
nothing was imported"
            ));
        }
    }
    let checked = match check_within(&args.dir, None) {
        Ok(checked) => checked,
        Err(not_found) => return cannot_run(&project_not_found(&not_found)),
    };
    print_out(&format!("venice check {}:\n", args.dir.display()));
    print_out(&render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &human_options()));
    check_status(&checked, false)
}

/// The exit status of an apply stopped by Ctrl-C (128 + SIGINT), as shells report it.
const INTERRUPTED: u8 = 130;

/// `venice apply`: lock the target, fold in what a killed run left, plan, confirm, apply in
/// order recording each step, fold the record into venice.lock.
fn run_apply(args: &crate::cli::ApplyArgs) -> u8 {
    let d = match deploying(&args.dir, &args.within, args.target.as_deref()) {
        Ok(d) => d,
        Err(status) => return status,
    };
    let target = d.target.name.clone();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let me = crate::lock::exclusive::Holder::me(crate::ops::tail::timestamp(now.as_millis() as i64));
    // Held until this function returns; the operating system lets go if the process dies.
    let (held, stale) = match crate::lock::exclusive::acquire(&args.dir, &target, &me) {
        Ok(taken) => taken,
        Err(message) => return cannot_run(&message),
    };
    if let Some(stale) = &stale {
        notice(&format!("took over the lock of an apply to target `{target}` that did not finish ({stale})"));
    }
    let (lock, folded) = match recorded(&args.dir, &target) {
        Ok(read) => read,
        Err(status) => return status,
    };
    let wait = std::time::Duration::from_secs(args.wait);
    let (plan, clients, _) = match crate::deploy::read_and_plan(&d.target, &d.desired, &folded, args.prune, wait) {
        Ok(planned) => planned,
        Err(message) => return cannot_run(&format!("{message}\nnothing was applied")),
    };
    if let Err(status) = fold_in(args, &d, lock, &folded, &plan) {
        return status;
    }
    print_out(&plan.human());
    if !plan.refusals.is_empty() {
        let _ = writeln!(std::io::stderr(), "error: the plan has errors; nothing was applied");
        return FOUND;
    }
    let adopting = if args.adopt { plan.not_owned().count() } else { 0 };
    if plan.changes() == 0 && adopting == 0 {
        print_out("nothing to apply\n");
        return OK;
    }
    if !args.yes {
        let question = match adopting {
            0 => format!("apply {} changes to target `{target}`?", plan.changes()),
            n => format!("apply {} changes and adopt {n} objects on target `{target}`?", plan.changes()),
        };
        match confirm(&question) {
            Ok(true) => {}
            Ok(false) => {
                print_out("nothing was applied\n");
                return OK;
            }
            Err(status) => return status,
        }
    }
    let status = apply_recorded(args, &d, &plan, &clients);
    drop(held);
    status
}

/// Writes into venice.lock what the plan found of the record: a journal left by a killed run,
/// its creates in doubt settled, objects gone from the target dropped. Done whether or not
/// anything is applied next: it only records what the target holds.
fn fold_in(
    args: &crate::cli::ApplyArgs,
    d: &Deploying,
    lock: Option<crate::lock::Lock>,
    folded: &Folded,
    plan: &crate::deploy::plan::Plan,
) -> Result<(), u8> {
    let target = &d.target.name;
    let before = lock.as_ref().and_then(|l| l.applied.get(target).cloned()).unwrap_or_default();
    if folded.entries == 0 && !folded.torn && plan.record == before {
        return Ok(());
    }
    if folded.entries > 0 || folded.torn {
        notice(&format!(
            "an apply to target `{target}` did not finish: {} steps of its journal folded into {}{}",
            folded.entries,
            crate::lock::LOCK_FILE,
            if folded.torn { " (its torn last line ignored)" } else { "" }
        ));
    }
    let base = lock.unwrap_or_else(|| {
        let checked = &d.checked;
        crate::lock::Lock::for_apply(&checked.project, &checked.analysis.avro, &checked.sources, &args.dir)
    });
    crate::lock::journal::commit(&args.dir, target, &base, &plan.record)
        .map_err(|e| cannot_run(&format!("cannot write `{}`: {e}", args.dir.join(crate::lock::LOCK_FILE).display())))
}

/// Asks `question` on the terminal: whether the answer is yes.
fn confirm(question: &str) -> Result<bool, u8> {
    if !std::io::stdin().is_terminal() {
        return Err(cannot_run("standard input is not a terminal: give --yes to apply without asking"));
    }
    print_out(&format!("{question} [y/N] "));
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Ctrl-C (or SIGTERM, which CI runners send to cancel a job) sets `flag`: apply finishes the
/// steps in flight and stops. A second one exits at once with status 130: every step the target
/// confirmed is in the journal on disk already, which the next run folds in.
fn on_interrupt(flag: &std::sync::Arc<std::sync::atomic::AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as the earlier signal left it.
        signal_hook::flag::register_conditional_shutdown(signal, i32::from(INTERRUPTED), flag.clone())?;
        signal_hook::flag::register(signal, flag.clone())?;
    }
    Ok(())
}

/// The steps, each journaled as the target confirms it, then the record folded into venice.lock.
fn apply_recorded(
    args: &crate::cli::ApplyArgs,
    d: &Deploying,
    plan: &crate::deploy::plan::Plan,
    clients: &crate::deploy::plan::Clients,
) -> u8 {
    let target = &d.target.name;
    let started = std::time::Instant::now();
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    if let Err(e) = on_interrupt(&interrupted) {
        return cannot_run(&format!("cannot handle Ctrl-C: {e}; nothing was applied"));
    }
    let journal = match crate::lock::journal::Journal::start(&args.dir, target, plan.record.clone()) {
        Ok(journal) => journal,
        Err(e) => return cannot_run(&format!("cannot start the journal of the apply: {e}; nothing was applied")),
    };
    if args.adopt {
        match crate::deploy::adopt(plan, &d.desired, &journal) {
            Ok(lines) => lines.iter().for_each(|line| print_out(&format!("{line}\n"))),
            Err(e) => return cannot_run(&format!("{e}; nothing was applied")),
        }
    }
    let options =
        crate::deploy::ApplyOptions { wait: std::time::Duration::from_secs(args.wait), interrupted: &interrupted };
    let progress: Box<dyn crate::deploy::apply::Progress> = if std::io::stdout().is_terminal() {
        Box::new(crate::deploy::progress::Live::stdout())
    } else {
        Box::new(crate::deploy::progress::Lines)
    };
    let outcome = crate::deploy::apply(plan, &d.desired, clients, &journal, options, progress.as_ref());
    // Recorded even after a failure or an interrupt, so --prune knows what this project made.
    let checked = &d.checked;
    let lock = crate::lock::Lock::for_apply(&checked.project, &checked.analysis.avro, &checked.sources, &args.dir);
    let mut applied = outcome.applied.clone();
    applied.record_partitions(d.desired.topics.iter().map(|(name, topic)| (name, topic.partitions)));
    let lock_error = crate::lock::journal::commit(&args.dir, target, &lock, &applied).err();
    if outcome.interrupted || !outcome.failed.is_empty() {
        let _ = std::io::stderr().write_all(outcome.stopped().as_bytes());
    }
    if let Some(error) = lock_error {
        return cannot_run(&format!(
            "cannot write `{}`: {error}; what was applied is in the journal, which the next apply folds in",
            args.dir.join(crate::lock::LOCK_FILE).display()
        ));
    }
    if outcome.interrupted {
        return INTERRUPTED;
    }
    if !outcome.failed.is_empty() {
        return FOUND;
    }
    print_out(&format!(
        "applied {} changes to target `{target}` in {:.1} s; recorded in {}\n",
        outcome.done.len(),
        started.elapsed().as_secs_f64(),
        crate::lock::LOCK_FILE
    ));
    OK
}

/// A line on stderr about what venice did on its own.
fn notice(message: &str) {
    let _ = writeln!(std::io::stderr(), "notice: {message}");
}

/// `venice graph`: the lineage in one of three formats, printed or written to a file.
fn run_graph(args: &crate::cli::GraphArgs) -> u8 {
    let checked = match check_within(&args.dir, args.within.root()) {
        Ok(checked) => checked,
        Err(not_found) => return cannot_run(&project_not_found(&not_found)),
    };
    if checked.has_errors() {
        print_out(&render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &human_options()));
        let _ = writeln!(std::io::stderr(), "error: no graph: the project has errors");
        return FOUND;
    }
    let lineage = crate::graph::Lineage::of(&checked.project, &checked.analysis);
    let text = match args.format {
        crate::cli::GraphFormat::Mermaid => crate::graph::mermaid(&lineage),
        crate::cli::GraphFormat::Dot => crate::graph::dot(&lineage),
        crate::cli::GraphFormat::Svg => crate::graph::svg(&lineage),
    };
    match &args.output {
        None => print_out(&text),
        Some(path) => {
            if let Err(error) = std::fs::write(path, text) {
                return cannot_run(&format!("cannot write `{}`: {}", path.display(), io_reason(&error)));
            }
        }
    }
    OK
}

fn run_fmt(args: &FmtArgs) -> u8 {
    let outcome = match crate::fmt::format_project(&args.dir, args.within.root(), args.check) {
        Ok(outcome) => outcome,
        Err(not_found) => return cannot_run(&project_not_found(&not_found)),
    };
    if !outcome.diagnostics.is_empty() {
        print_out(&render(OutputFormat::Human, &outcome.diagnostics, &outcome.sources, &human_options()));
        return FOUND;
    }
    print_out(&outcome.summary(args.check));
    if let Some(error) = &outcome.write_error {
        return cannot_run(error);
    }
    if args.check && !outcome.changed.is_empty() { FOUND } else { OK }
}

fn run_init(args: &InitArgs) -> u8 {
    match crate::init::init(&args.dir, args.name.as_deref()) {
        Ok(written) => {
            print_out(&crate::init::report(&written, &args.dir));
            OK
        }
        Err(error) => cannot_run(&error),
    }
}

fn run_explain(args: &ExplainArgs) -> u8 {
    match crate::explain::explain(&args.code) {
        Ok(text) => {
            print_out(&text);
            OK
        }
        Err(message) => cannot_run(&message),
    }
}

fn run_ksql_conformance(args: &crate::cli::KsqlConformanceArgs) -> u8 {
    let started = std::time::Instant::now();
    let report = match crate::ksql_conformance::analysis_conformance(&args.dir) {
        Ok(report) => report,
        Err(message) => return cannot_run(&message),
    };
    let elapsed = started.elapsed();
    print_out(&crate::ksql_conformance::summary(&report, args.verbose, elapsed));
    OK
}

fn run_ksql_describe(args: &crate::cli::KsqlDescribeArgs) -> u8 {
    use crate::ksql::describe::registered;
    let mut sources = SourceMap::default();
    let mut subjects = Vec::new();
    for entry in &args.schemas {
        let Some((subject, path)) = entry.split_once('=') else {
            return cannot_run(&format!("`--schema {entry}`: expected SUBJECT=FILE"));
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => return cannot_run(&format!("cannot read `{path}`: {}", io_reason(&error))),
        };
        subjects.push((subject.to_string(), registered(&text, path)));
    }
    let text = match std::fs::read(&args.file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => return cannot_run(&format!("cannot read `{}`: {}", args.file.display(), io_reason(&error))),
    };
    let file = sources.add(args.file.clone(), text.clone());
    let json = args.format == crate::cli::DescribeFormat::Json;
    let description = crate::ksql_describe::describe_file(&sources, file, text, subjects, json, &human_options());
    print_out(&description.text);
    if description.errors { FOUND } else { OK }
}

/// `venice schema compat`: reads each schema file on its own (as the registry parses each
/// version), then checks the last against the others at the level.
fn run_schema_compat(args: &CompatArgs) -> u8 {
    let mut sources = SourceMap::default();
    let mut files = Vec::new();
    for path in args.old.iter().chain(std::iter::once(&args.new)) {
        match std::fs::read(path) {
            Ok(bytes) => files.push(sources.add(path.clone(), String::from_utf8_lossy(&bytes).into_owned())),
            Err(error) => return cannot_run(&format!("cannot read `{}`: {}", path.display(), io_reason(&error))),
        }
    }
    let format = match args.format {
        CompatFormat::Human => OutputFormat::Human,
        CompatFormat::Json => OutputFormat::Json,
    };
    let level = args.level.compatibility();
    let schema_type = args.schema_type();
    match crate::schema_compat::compat(
        &mut sources,
        &files,
        schema_type,
        level,
        args.level.as_str(),
        format,
        &human_options(),
    ) {
        Ok(verdict) => {
            print_out(&verdict.text);
            if verdict.compatible { OK } else { FOUND }
        }
        Err(message) => cannot_run(&message),
    }
}

/// `venice up`: check, build when the build is missing or older than the project's files,
/// `docker compose up --wait`, then apply to the `local` target as `venice apply --yes` does.
fn run_up(args: &crate::cli::UpArgs) -> u8 {
    use crate::ops::{docker, stack};
    let checked = match check_within(&args.dir, args.within.root()) {
        Ok(checked) => checked,
        Err(not_found) => return cannot_run(&project_not_found(&not_found)),
    };
    if checked.has_errors() {
        print_out(&render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &human_options()));
        let _ = writeln!(std::io::stderr(), "error: the stack was not started: the project has errors");
        return FOUND;
    }
    if checked.project.stack.is_none() {
        return cannot_run(
            "the project declares no `stack`, so there is nothing to start: declare one in venice.kdl \
             (`stack { kafka; schema-registry; connect; postgres }`), or deploy to a running cluster with \
             `venice apply --target NAME`",
        );
    }
    let docker = match docker::find() {
        Ok(docker) => docker,
        Err(missing) => return cannot_run(&missing.to_string()),
    };
    let out = stack::build_folder(&args.dir, args.out.as_deref());
    if let Some(reason) = stack::build_needed(&crate::build::render(&checked, &args.dir), &out) {
        let _ = writeln!(std::io::stderr(), "building: {reason}");
        let built = run_build(&crate::cli::BuildArgs {
            dir: args.dir.clone(),
            within: args.within.clone(),
            out: Some(out.clone()),
            platform: crate::cli::Platform::Compose,
            format: OutputFormat::Human,
            target: None,
        });
        if built != OK {
            return built;
        }
    }
    let stack = match stack::Stack::open(&out) {
        Ok(stack) => stack,
        Err(message) => return cannot_run(&message),
    };
    let missing = stack::missing_variables(&out, |name| std::env::var(name).ok());
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
        return cannot_run(&format!(
            "the stack needs {} set: copy `{}` to `{}` and set every value there (or in the environment)",
            names.join(", "),
            out.join(".env.example").display(),
            out.join(".env").display()
        ));
    }
    let up = stack.compose.args(&["up", "--detach", "--wait"]);
    match docker.run(&up) {
        Ok(status) if status.success() => {}
        Ok(status) => {
            compose_failed(&up, status);
            let _ = writeln!(
                std::io::stderr(),
                "`venice status` shows which service is not ready, `venice logs SERVICE` why"
            );
            return FOUND;
        }
        Err(message) => return cannot_run(&message),
    }
    print_out(&format!("the stack `{}` is up\n", stack.compose.project));
    if args.no_apply {
        return OK;
    }
    run_apply(&crate::cli::ApplyArgs {
        dir: args.dir.clone(),
        within: args.within.clone(),
        target: None,
        yes: true,
        prune: false,
        adopt: false,
        wait: args.wait,
    })
}

/// A `docker compose` command that ran and failed; Compose printed why.
fn compose_failed(args: &[String], status: std::process::ExitStatus) -> u8 {
    let _ = writeln!(std::io::stderr(), "error: `docker {}` failed ({status})", crate::ops::docker::shown(args));
    FOUND
}

/// The built stack of a stack command and Docker, or the exit status of the message printed.
fn stack_and_docker(
    dir: &std::path::Path,
    out: Option<&std::path::Path>,
    services: &[String],
) -> Result<(crate::ops::stack::Stack, crate::ops::docker::Docker), u8> {
    let out = crate::ops::stack::build_folder(dir, out);
    let stack = crate::ops::stack::Stack::open(&out).map_err(|m| cannot_run(&m))?;
    stack.check_services(services).map_err(|m| cannot_run(&m))?;
    let docker = crate::ops::docker::find().map_err(|m| cannot_run(&m.to_string()))?;
    Ok((stack, docker))
}

/// Runs a Compose command with the terminal passed through: OK when it succeeds.
fn compose_run(docker: &crate::ops::docker::Docker, args: &[String]) -> u8 {
    match docker.run(args) {
        Ok(status) if status.success() => OK,
        Ok(status) => compose_failed(args, status),
        Err(message) => cannot_run(&message),
    }
}

/// Runs an interactive shell in a container and exits with its status.
fn shell_run(docker: &crate::ops::docker::Docker, args: &[String]) -> u8 {
    match docker.run(args) {
        Ok(status) => status.code().map_or(FOUND, |code| code.clamp(0, 255) as u8),
        Err(message) => cannot_run(&message),
    }
}

fn run_down(args: &crate::cli::DownArgs) -> u8 {
    let (stack, docker) = match stack_and_docker(&args.dir, args.out.as_deref(), &[]) {
        Ok(found) => found,
        Err(status) => return status,
    };
    let mut rest = vec!["down"];
    if args.volumes {
        rest.push("--volumes");
    }
    let status = compose_run(&docker, &stack.compose.args(&rest));
    if status == OK {
        let volumes = if args.volumes { " and removed its volumes" } else { "" };
        print_out(&format!("stopped the stack `{}`{volumes}\n", stack.compose.project));
    }
    status
}

fn run_status(args: &crate::cli::StatusArgs) -> u8 {
    let (stack, docker) = match stack_and_docker(&args.dir, args.out.as_deref(), &[]) {
        Ok(found) => found,
        Err(status) => return status,
    };
    let ps = stack.compose.args(&["ps", "--all", "--format", "json"]);
    let containers = match docker.output(&ps).and_then(|text| crate::ops::stack::parse_ps(&text)) {
        Ok(containers) => containers,
        Err(message) => return cannot_run(&message),
    };
    let status = crate::ops::stack::Status::of(&stack, containers);
    match args.format {
        crate::cli::ListFormat::Text => print_out(&status.human()),
        crate::cli::ListFormat::Json => print_out(&crate::build::json_file(&status.json())),
    }
    if status.all_up() { OK } else { FOUND }
}

fn run_logs(args: &crate::cli::LogsArgs) -> u8 {
    let (stack, docker) = match stack_and_docker(&args.location.dir, args.location.out.as_deref(), &args.services) {
        Ok(found) => found,
        Err(status) => return status,
    };
    let mut rest = vec!["logs".to_string()];
    if args.follow {
        rest.push("--follow".into());
    }
    if let Some(tail) = args.tail {
        rest.extend(["--tail".to_string(), tail.to_string()]);
    }
    rest.extend(args.services.iter().cloned());
    compose_run(&docker, &stack.compose.args(&rest))
}

fn run_restart(args: &crate::cli::RestartArgs) -> u8 {
    let (stack, docker) = match stack_and_docker(&args.location.dir, args.location.out.as_deref(), &args.services) {
        Ok(found) => found,
        Err(status) => return status,
    };
    let mut rest = vec!["restart".to_string()];
    rest.extend(args.services.iter().cloned());
    compose_run(&docker, &stack.compose.args(&rest))
}

/// `venice ksql` without a subcommand: the ksqlDB CLI container, connected to the server.
fn run_ksql_shell(location: &crate::cli::StackLocation) -> u8 {
    let out = crate::ops::stack::build_folder(&location.dir, location.out.as_deref());
    let stack = match crate::ops::stack::Stack::open(&out) {
        Ok(stack) => stack,
        Err(message) => return cannot_run(&message),
    };
    if let Err(message) = stack.require(crate::ops::stack::KSQLDB_CLI_SERVICE, "the ksqlDB CLI runs in it") {
        return cannot_run(&message);
    }
    let docker = match crate::ops::docker::find() {
        Ok(docker) => docker,
        Err(missing) => return cannot_run(&missing.to_string()),
    };
    let command = crate::ops::stack::ksql_command(std::io::stdin().is_terminal());
    shell_run(&docker, &stack.compose.args(&command))
}

/// `venice psql [DATABASE]`: psql in the PostgreSQL container, as the database's user.
fn run_psql(args: &crate::cli::PsqlArgs) -> u8 {
    let location = &args.location;
    let out = crate::ops::stack::build_folder(&location.dir, location.out.as_deref());
    let stack = match crate::ops::stack::Stack::open(&out) {
        Ok(stack) => stack,
        Err(message) => return cannot_run(&message),
    };
    if let Err(message) = stack.require(crate::ops::stack::POSTGRES_SERVICE, "psql runs in it") {
        return cannot_run(&message);
    }
    // The databases and their users come from the model; a project with errors still has them.
    let checked = match check_within(&location.dir, None) {
        Ok(checked) => checked,
        Err(not_found) => return cannot_run(&project_not_found(&not_found)),
    };
    let target = match crate::ops::stack::psql_target(&checked.project, args.database.as_deref()) {
        Ok(target) => target,
        Err(message) => return cannot_run(&message),
    };
    let docker = match crate::ops::docker::find() {
        Ok(docker) => docker,
        Err(missing) => return cannot_run(&missing.to_string()),
    };
    let command = crate::ops::stack::psql_command(&target, std::io::stdin().is_terminal());
    shell_run(&docker, &stack.compose.args(&command))
}

/// What `connectors` and `schemas` read a target with: the target, and what the project
/// declares there.
fn inspecting(at: &crate::cli::Reading) -> Result<(crate::deploy::Target, crate::deploy::desired::Desired), u8> {
    let (dir, target) = (&at.dir, at.target.as_deref());
    let checked = check_view(dir, at.within.root(), Some(target.unwrap_or("local")))
        .map_err(|not_found| cannot_run(&project_not_found(&not_found)))?;
    if checked.has_errors() {
        print_out(&render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &human_options()));
        let _ = writeln!(std::io::stderr(), "error: the project has errors; nothing was read");
        return Err(FOUND);
    }
    let target = crate::deploy::resolve(&checked.project, dir, target).map_err(|e| cannot_run(&e))?;
    let desired = crate::deploy::desired::Desired::of(&checked, &target.deployment);
    Ok((target, desired))
}

fn run_connectors(args: &crate::cli::ConnectorsArgs) -> u8 {
    let (target, desired) = match inspecting(&args.at) {
        Ok(found) => found,
        Err(status) => return status,
    };
    let Some(url) = &target.connect else {
        return cannot_run(&format!("target `{}` names no Kafka Connect (`connect` in the target)", target.name));
    };
    let declared = desired.connectors.keys().cloned().collect();
    let listing = match crate::ops::connectors::read(&target.name, url, &declared, args.declared) {
        Ok(listing) => listing,
        Err(message) => return cannot_run(&message),
    };
    match args.format {
        crate::cli::ListFormat::Text => print_out(&listing.human(args.trace)),
        crate::cli::ListFormat::Json => print_out(&crate::build::json_file(&listing.json())),
    }
    if listing.problems() { FOUND } else { OK }
}

fn run_schemas(args: &crate::cli::SchemasArgs) -> u8 {
    let (target, desired) = match inspecting(&args.at) {
        Ok(found) => found,
        Err(status) => return status,
    };
    let Some(url) = &target.registry else {
        return cannot_run(&format!(
            "target `{}` names no schema registry (`schema-registry` in the target)",
            target.name
        ));
    };
    let declared = desired.subjects.iter().map(|(name, s)| (name.clone(), s.schema.is_some())).collect();
    let listing = match crate::ops::schemas::read(&target.name, url, &declared, args.declared) {
        Ok(listing) => listing,
        Err(message) => return cannot_run(&message),
    };
    match args.format {
        crate::cli::ListFormat::Text => print_out(&listing.human()),
        crate::cli::ListFormat::Json => print_out(&crate::build::json_file(&listing.json())),
    }
    OK
}

/// `venice topics`: every topic with its offsets; exit 1 when a declared one is missing.
fn run_topics(args: &crate::cli::TopicsArgs) -> u8 {
    let (checked, target) =
        match crate::ops::topics::open(&args.at.dir, args.at.within.root(), args.at.target.as_deref()) {
            Ok(found) => found,
            Err(message) => return cannot_run(&message),
        };
    let declared = crate::ops::topics::declared(&checked);
    let listing = match crate::ops::topics::read(&target, &declared, args.all) {
        Ok(listing) => listing,
        Err(message) => return cannot_run(&message),
    };
    match args.format {
        crate::cli::ListFormat::Text => print_out(&listing.human()),
        crate::cli::ListFormat::Json => print_out(&crate::build::json_file(&listing.json())),
    }
    if listing.problems() { FOUND } else { OK }
}

/// `venice tail`: records decoded as they arrive, written through one buffered lock of stdout.
fn run_tail(args: &crate::cli::TailArgs) -> u8 {
    let (checked, target) =
        match crate::ops::topics::open(&args.at.dir, args.at.within.root(), args.at.target.as_deref()) {
            Ok(found) => found,
            Err(message) => return cannot_run(&message),
        };
    let options = crate::ops::tail::Options {
        topic: args.topic.clone(),
        from_beginning: args.from_beginning,
        limit: args.limit,
        partition: args.partition,
        no_follow: args.no_follow,
        json: args.format == crate::cli::ListFormat::Json,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut err = std::io::stderr();
    match crate::ops::tail::tail(&checked, &target, &options, &mut out, &mut err) {
        Ok(_) => OK,
        // A closed pipe (`venice tail t | head`) is the reader's choice, not a failure.
        Err(message) if message.contains("Broken pipe") => OK,
        Err(message) => {
            let _ = out.flush();
            cannot_run(&message)
        }
    }
}

/// `venice doctor`: exit 0 all matches, 1 problems found, 2 a service not answering.
fn run_doctor(args: &crate::cli::DoctorArgs) -> u8 {
    let (checked, target) =
        match crate::ops::topics::open(&args.at.dir, args.at.within.root(), args.at.target.as_deref()) {
            Ok(found) => found,
            Err(message) => return cannot_run(&message),
        };
    let report = match crate::ops::doctor::doctor(&checked, &target) {
        Ok(report) => report,
        Err(message) => return cannot_run(&message),
    };
    match args.format {
        crate::cli::ListFormat::Text => print_out(&report.human()),
        crate::cli::ListFormat::Json => print_out(&crate::build::json_file(&report.json())),
    }
    if report.problems() > 0 { FOUND } else { OK }
}

/// An I/O error as a short reason (`no such file`), without Rust's `(os error 2)`.
fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

fn run_completions(args: &CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "venice", &mut out);
    let _ = std::io::stdout().write_all(&out);
    OK
}

fn project_not_found(error: &ProjectNotFound) -> String {
    format!("cannot read `{}`: {}", error.path.display(), error.reason)
}

fn cannot_run(message: &str) -> u8 {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    CANNOT_RUN
}

/// Prints to stdout; a closed pipe (`venice check | head`) is not an error worth a panic.
fn print_out(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
fn human_options() -> HumanOptions {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let terminal = std::io::stdout().is_terminal();
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    HumanOptions { color: terminal && !no_color, width }
}
