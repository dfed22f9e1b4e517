//! Writes a synthetic Venice project, for benchmarks and for trying venice at scale.
//!
//! Usage: `cargo run --release --example gen-project -- [--deploy] N OUT_DIR`
//!
//! The project has N topics (and as many schemas), about 1.4 N producers and consumers, N/2
//! transforms, N/5 connectors, split over about N/100 included files. With `--deploy`, the
//! project `scripts/bench-deploy.sh` applies to the real-services stack: N topics, each with an
//! Avro value schema, a producer and a consumer, and nothing else. The same arguments always
//! give the same files. OUT_DIR must be missing, empty, or a project this tool wrote before.

#[path = "../benches/support/gen.rs"]
mod generator;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let shape = match args.iter().position(|a| a == "--deploy") {
        Some(at) => {
            args.remove(at);
            generator::Shape::Deploy
        }
        None => generator::Shape::Full,
    };
    let (n, dir) = match args.as_slice() {
        [n, dir] => match n.parse::<usize>() {
            Ok(n) if n > 0 => (n, PathBuf::from(dir)),
            _ => return usage(&format!("N must be a positive whole number, not `{n}`")),
        },
        _ => return usage("expected two arguments"),
    };
    match generator::write(n, &dir, shape) {
        Ok(counts) => {
            println!(
                "wrote {} files to {}: {} topics, {} schemas, {} producers, {} consumers, {} streams, \
                 {} transforms, {} sources, {} sinks, {} included files",
                counts.files,
                dir.display(),
                counts.topics,
                counts.schemas,
                counts.producers,
                counts.consumers,
                counts.streams,
                counts.transforms,
                counts.sources,
                counts.sinks,
                counts.included_files,
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen-project: {}: {error}", dir.display());
            ExitCode::from(2)
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("gen-project: {problem}\nusage: cargo run --release --example gen-project -- [--deploy] N OUT_DIR");
    ExitCode::from(2)
}
