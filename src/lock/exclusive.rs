//! One apply at a time per project and target: `.venice/apply-<target>.lock`, locked by the
//! operating system (`flock`) for the whole run and holding who runs it (pid, host, start time).
//!
//! The operating system releases the lock when the process ends, however it ends, so a lock can
//! never be left held by a dead run. A run that ended cleanly empties the file before it lets
//! go; a file that still names a holder when its lock is free was left by a run that was killed
//! (SIGKILL, a crash, a second Ctrl-C): the next run takes it over and says so.
//!
//! The lock keeps apart the runs of one machine (and of machines sharing the folder on a file
//! system with working `flock`). Two CI jobs on two machines do not see each other's file: see
//! the README's "One apply at a time" for what a team does about that.

use super::journal::{STATE_DIR, file_stem};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Who holds (or held) the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Holder {
    pub(crate) pid: u32,
    pub(crate) host: String,
    /// When the run started, as RFC 3339 UTC.
    pub(crate) since: String,
}

impl Holder {
    /// This process, started at `since`.
    pub(crate) fn me(since: String) -> Holder {
        Holder { pid: std::process::id(), host: host_name(), since }
    }

    fn describe(&self) -> String {
        format!("pid {} on {}, since {}", self.pid, self.host, self.since)
    }
}

/// The machine's name, as the kernel or the environment gives it.
fn host_name() -> String {
    let read = |path: &str| std::fs::read_to_string(path).ok().map(|s| s.trim().to_string());
    read("/proc/sys/kernel/hostname")
        .or_else(|| read("/etc/hostname"))
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unnamed host".into())
}

/// The lock of a running apply; released (its file emptied first) when dropped.
pub(crate) struct ApplyLock {
    file: File,
}

/// Takes the lock of `target` in the project folder `dir` for `me`; with it, the holder of a
/// stale lock it took over. The error is the message of a second apply: `another apply on
/// target `X` is running (pid …, since …)`.
pub(crate) fn acquire(dir: &Path, target: &str, me: &Holder) -> Result<(ApplyLock, Option<String>), String> {
    let path = dir.join(STATE_DIR).join(format!("apply-{}.lock", file_stem(target)));
    let cannot = |e: std::io::Error| format!("cannot lock `{}`: {e}", path.display());
    std::fs::create_dir_all(dir.join(STATE_DIR)).map_err(cannot)?;
    let mut file =
        OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).map_err(cannot)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            // The holder writes its name right after locking: give it a moment to.
            let mut holder = read_holder(&mut file);
            for _ in 0..20 {
                if holder.is_some() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
                holder = read_holder(&mut file);
            }
            let who = holder.map_or_else(|| "its holder is starting".to_string(), |h| h.describe());
            return Err(format!("another apply on target `{target}` is running ({who})"));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(cannot(e)),
    }
    let stale = read_holder(&mut file).map(|h| h.describe());
    let text = serde_json::to_string(me).expect("a holder serializes") + "\n";
    // From the start: reading the stale holder moved the position past it.
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()))
        .and_then(|()| file.sync_data());
    written.map_err(cannot)?;
    Ok((ApplyLock { file }, stale))
}

/// The holder the file names, if it names one.
fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

impl Drop for ApplyLock {
    fn drop(&mut self) {
        // Emptied: the run ended cleanly, so the next one has nothing to take over. The
        // operating system releases the lock itself when the file closes.
        let _ = self.file.set_len(0).and_then(|()| self.file.sync_data());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(pid: u32) -> Holder {
        Holder { pid, host: "ci-7".into(), since: "2026-05-01T10:00:00.000Z".into() }
    }

    #[test]
    fn a_second_apply_is_refused_naming_the_first_and_a_clean_end_leaves_nothing_to_take_over() {
        let dir = tempfile::tempdir().unwrap();
        let (first, stale) = acquire(dir.path(), "prod", &holder(41)).unwrap();
        assert_eq!(stale, None);
        let refused = acquire(dir.path(), "prod", &holder(42)).err().unwrap();
        assert_eq!(
            refused,
            "another apply on target `prod` is running (pid 41 on ci-7, since 2026-05-01T10:00:00.000Z)"
        );
        // Another target of the same project runs beside it.
        let other = acquire(dir.path(), "dev", &holder(43)).unwrap();
        drop(other);
        drop(first);
        let (_next, stale) = acquire(dir.path(), "prod", &holder(44)).unwrap();
        assert_eq!(stale, None);
    }

    #[test]
    fn a_lock_left_by_a_killed_run_is_taken_over_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        // What a killed run leaves: its name in the file, the lock released by the kernel.
        std::fs::create_dir_all(dir.path().join(STATE_DIR)).unwrap();
        let text = serde_json::to_string(&holder(41)).unwrap();
        std::fs::write(dir.path().join(STATE_DIR).join("apply-prod.lock"), text).unwrap();
        let (taken, stale) = acquire(dir.path(), "prod", &holder(45)).unwrap();
        assert_eq!(stale.as_deref(), Some("pid 41 on ci-7, since 2026-05-01T10:00:00.000Z"));
        // Killed in turn: the next run names this one, not the first (the file holds one holder).
        std::mem::forget(taken);
        let file = dir.path().join(STATE_DIR).join("apply-prod.lock");
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(serde_json::from_str::<Holder>(text.trim()).unwrap(), holder(45));
    }
}
