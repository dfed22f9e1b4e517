//! How `venice apply` shows its steps. In a log or a pipe, one plain line per finished step,
//! the same everywhere. On a terminal, a spinner with the elapsed time for each running step
//! (several run side by side), replaced by its line when it finishes, so a slow connector shows
//! what it is waiting for instead of a silent pause; a batch of topics or subjects spins as one
//! (`creating 100 topics`). Drawn by `indicatif`.

use super::apply::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

/// One line per finished step, to standard output.
pub(crate) struct Lines;

impl Progress for Lines {
    fn finished(&self, _step: &str, line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// Spinners for the running steps, finished lines printed above them.
pub(crate) struct Live {
    bars: MultiProgress,
    running: Mutex<HashMap<String, ProgressBar>>,
}

impl Live {
    pub(crate) fn new(target: ProgressDrawTarget) -> Live {
        Live { bars: MultiProgress::with_draw_target(target), running: Mutex::new(HashMap::new()) }
    }

    /// On standard output, which must be a terminal (else use [`Lines`]).
    pub(crate) fn stdout() -> Live {
        Live::new(ProgressDrawTarget::stdout())
    }
}

impl Progress for Live {
    fn started(&self, step: &str) {
        let bar = self.bars.add(ProgressBar::new_spinner());
        let style =
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})").unwrap_or(ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(step.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.running.lock().expect("not poisoned").insert(step.to_string(), bar);
    }

    fn finished(&self, step: &str, line: &str) {
        self.ended(step);
        if self.bars.println(line).is_err() || self.bars.is_hidden() {
            Lines.finished(step, line);
        }
    }

    fn ended(&self, batch: &str) {
        if let Some(bar) = self.running.lock().expect("not poisoned").remove(batch) {
            bar.finish_and_clear();
            self.bars.remove(&bar);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::InMemoryTerm;

    #[test]
    fn a_running_step_spins_and_its_line_replaces_it_when_done() {
        let term = InMemoryTerm::new(10, 80);
        let live = Live::new(ProgressDrawTarget::term_like(Box::new(term.clone())));
        live.started("creating source `cdc`");
        live.started("creating sink `copy`");
        live.bars.suspend(|| {});
        let screen = term.contents();
        assert!(screen.contains("creating source `cdc` (0s)"), "{screen}");
        assert!(screen.contains("creating sink `copy` (0s)"), "{screen}");
        live.finished("creating source `cdc`", "[1/2] created source `cdc` (0.1 s)");
        let screen = term.contents();
        assert!(screen.starts_with("[1/2] created source `cdc` (0.1 s)\n"), "{screen}");
        assert!(!screen.contains("creating source"), "{screen}");
        assert!(screen.contains("creating sink `copy`"), "{screen}");
        live.finished("creating sink `copy`", "[2/2] created sink `copy` (0.2 s)");
        assert_eq!(term.contents(), "[1/2] created source `cdc` (0.1 s)\n[2/2] created sink `copy` (0.2 s)");
        // A batch spins as one, and its steps' lines come when it is over.
        live.started("creating 2 topics");
        live.bars.suspend(|| {});
        assert!(term.contents().contains("creating 2 topics (0s)"), "{}", term.contents());
        live.ended("creating 2 topics");
        live.finished("creating topic `a`", "[3/4] created topic `a` (0.0 s)");
        live.finished("creating topic `b`", "[4/4] created topic `b` (0.0 s)");
        let screen = term.contents();
        assert!(!screen.contains("creating 2 topics"), "{screen}");
        assert!(screen.ends_with("[3/4] created topic `a` (0.0 s)\n[4/4] created topic `b` (0.0 s)"), "{screen}");
    }
}
