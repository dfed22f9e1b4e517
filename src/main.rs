//! The `venice` binary: parses the command line and hands over to [`venice::run::run`].

fn main() -> std::process::ExitCode {
    let cli = <venice::cli::Cli as clap::Parser>::parse();
    venice::run::run(cli)
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
