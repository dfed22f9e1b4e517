//! The journal of an apply: every step that changes the target, recorded as soon as the target
//! confirms it, so that a run killed at any point leaves a record that is true or a step short.
//!
//! `venice apply` appends one JSON line per step to `.venice/apply-<target>.journal` and syncs
//! it to disk before it goes on; at the end of the run the journal is folded into `venice.lock`
//! (written whole through a rename) and removed. A run that never reached its end (SIGKILL, a
//! crash, a second Ctrl-C) leaves the journal, and the next run folds it in first. Only the last
//! line can be torn (the process died while writing it): it is ignored, which leaves the record
//! a step short, never a step too far.
//!
//! A create is journaled twice: `creating` before the request, `made` once the target confirms.
//! A `creating` left without its `made` is in doubt: the request may or may not have reached the
//! target. The next plan settles it against the target (the object exists: the killed run made
//! it, since the plan that ran it found it missing; it does not: nothing to record).

use super::{Applied, LOCK_FILE, Lock};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The folder beside venice.lock that holds the journal and the locks of `venice apply`. Not
/// for committing: it describes runs on this machine.
pub(crate) const STATE_DIR: &str = ".venice";

/// The kinds of object the record holds, one set each in [`Applied`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Set {
    Topic,
    Subject,
    Connector,
    Ksql,
    /// ACL bindings, by their key (`deploy::kafka::acls::key`).
    Acl,
    /// Client quota keys, named `PRINCIPAL KEY` (`User:alice producer_byte_rate`).
    Quota,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum Entry {
    /// Written before a create is sent: in doubt until a `made` line or the next plan settles it.
    Creating { set: Set, name: String },
    /// The target confirmed the object was created, or `--adopt` took it: venice's from now on.
    Made { set: Set, name: String },
    /// The target confirmed the object was deleted.
    Deleted { set: Set, name: String },
    /// A ksqlDB file applied, with the fingerprint of its text (the baseline for edits).
    KsqlFile { key: String, fingerprint: String },
}

impl Applied {
    /// The set of names `set` records; `None` for quotas, which are keys under a principal.
    fn names_mut(&mut self, set: Set) -> Option<&mut std::collections::BTreeSet<String>> {
        match set {
            Set::Topic => Some(&mut self.topics),
            Set::Subject => Some(&mut self.subjects),
            Set::Connector => Some(&mut self.connectors),
            Set::Ksql => Some(&mut self.ksql),
            Set::Acl => Some(&mut self.acls),
            Set::Quota => None,
        }
    }

    /// Records `name` in `set` (a quota key under its principal).
    pub(crate) fn insert(&mut self, set: Set, name: &str) {
        match self.names_mut(set) {
            Some(names) => {
                names.insert(name.to_string());
            }
            None => {
                let (principal, key) = quota_parts(name);
                self.quotas.entry(principal.to_string()).or_default().insert(key.to_string());
            }
        }
    }

    /// Takes `name` out of `set` (a quota key out of its principal's, which goes when empty).
    pub(crate) fn remove(&mut self, set: Set, name: &str) {
        if let Some(names) = self.names_mut(set) {
            names.remove(name);
            return;
        }
        let (principal, key) = quota_parts(name);
        if let Some(keys) = self.quotas.get_mut(principal) {
            keys.remove(key);
            if keys.is_empty() {
                self.quotas.remove(principal);
            }
        }
    }

    /// Each quota key recorded, named as the journal names it (`User:alice producer_byte_rate`).
    pub(crate) fn quota_names(&self) -> impl Iterator<Item = String> + '_ {
        self.quotas.iter().flat_map(|(principal, keys)| keys.iter().map(move |k| quota_name(principal, k)))
    }

    /// The record with one journal line carried out; `in_doubt` holds the creates not confirmed.
    fn fold(&mut self, in_doubt: &mut Applied, entry: &Entry) {
        match entry {
            Entry::Creating { set, name } => in_doubt.insert(*set, name),
            Entry::Made { set, name } => {
                in_doubt.remove(*set, name);
                self.insert(*set, name);
            }
            Entry::Deleted { set, name } => {
                in_doubt.remove(*set, name);
                self.remove(*set, name);
            }
            Entry::KsqlFile { key, fingerprint } => {
                self.ksql_files.insert(key.clone(), fingerprint.clone());
            }
        }
    }
}

/// A quota key as the journal and the plan name it: `User:alice producer_byte_rate`.
pub(crate) fn quota_name(principal: &str, key: &str) -> String {
    format!("{principal} {key}")
}

/// The principal and the key of a [`quota_name`] (keys hold no space; principals may).
pub(crate) fn quota_parts(name: &str) -> (&str, &str) {
    name.rsplit_once(' ').unwrap_or((name, ""))
}

/// A target's record: venice.lock's `applied` section with a journal left by an earlier run
/// folded in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Folded {
    /// What venice made on the target, as far as the target confirmed it.
    pub(crate) applied: Applied,
    /// The creates sent (or about to be) without a confirmation: the next plan settles them.
    pub(crate) in_doubt: Applied,
    /// How many lines of a journal were folded in (0: there was none).
    pub(crate) entries: usize,
    /// Whether the journal's last line was torn (the run died writing it) and so ignored.
    pub(crate) torn: bool,
}

/// `base` with the journal `text` carried out line by line. A last line without its newline is
/// torn and ignored; any other line that does not read is an error (the journal was edited or
/// damaged): guessing could claim what venice did not make.
pub(crate) fn fold(base: &Applied, text: &str) -> Result<Folded, String> {
    let mut folded = Folded { applied: base.clone(), ..Folded::default() };
    let (complete, torn) = match text.rfind('\n') {
        Some(end) => (&text[..=end], &text[end + 1..]),
        None => ("", text),
    };
    folded.torn = !torn.trim().is_empty();
    for (n, line) in complete.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        folded.applied.fold(&mut folded.in_doubt, &entry);
        folded.entries += 1;
    }
    Ok(folded)
}

/// A name for a file of the target: its name with anything but letters, digits, `-`, `_` and `.`
/// spelled as `%XX`, so that no target name reaches outside the folder.
pub(crate) fn file_stem(target: &str) -> String {
    let mut out = String::new();
    for byte in target.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => out.push(byte as char),
            b'.' if !out.is_empty() => out.push('.'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

pub(crate) fn journal_path(dir: &Path, target: &str) -> PathBuf {
    dir.join(STATE_DIR).join(format!("apply-{}.journal", file_stem(target)))
}

/// The record of `target` in the project folder `dir`: venice.lock's (`lock`) with the journal of
/// a run that did not finish folded in. An error names the journal and the line that does not
/// read.
pub(crate) fn read_record(dir: &Path, target: &str, lock: Option<&Lock>) -> Result<Folded, String> {
    let base = lock.and_then(|l| l.applied.get(target).cloned()).unwrap_or_default();
    let path = journal_path(dir, target);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Folded { applied: base, ..Folded::default() }),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    fold(&base, &text).map_err(|e| format!("`{}` cannot be read, {e}; nothing was planned", path.display()))
}

/// Writes `applied` as the record of `target` in venice.lock (its other sections from `base`,
/// the other targets' records as the file holds them now), synced to disk, then removes the
/// journal it folds in. Two applies to different targets of one project may finish at once: the
/// read and the write happen under a lock of their own.
pub(crate) fn commit(dir: &Path, target: &str, base: &Lock, applied: &Applied) -> std::io::Result<()> {
    let _writing = lock_for_writing(dir)?;
    let mut lock = base.clone();
    lock.applied = Lock::read(dir).map(|l| l.applied).unwrap_or_default();
    if applied.is_empty() {
        lock.applied.remove(target);
    } else {
        lock.applied.insert(target.to_string(), applied.clone());
    }
    lock.write_all(dir)?;
    File::open(dir.join(LOCK_FILE))?.sync_all()?;
    sync_folder(dir)?;
    match std::fs::remove_file(journal_path(dir, target)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The lock held while venice.lock is read and written again (`.venice/venice.lock.guard`), so
/// that two writers do not lose each other's record; none when no apply ever ran here (nothing
/// else writes `applied`). Released when dropped.
pub(crate) fn lock_for_writing(dir: &Path) -> std::io::Result<Option<File>> {
    let state = dir.join(STATE_DIR);
    if !state.is_dir() {
        return Ok(None);
    }
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(state.join("venice.lock.guard"))?;
    file.lock()?;
    Ok(Some(file))
}

/// Makes a rename or a new file in `dir` durable (a crash after it keeps it).
fn sync_folder(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    let _ = dir;
    Ok(())
}

/// The journal of a running apply: each entry appended and synced before the step is reported,
/// and the record it makes kept in memory.
pub(crate) struct Journal {
    file: Mutex<File>,
    record: Mutex<(Applied, Applied)>,
    path: PathBuf,
}

impl Journal {
    /// A new, empty journal for `target`, starting from `record` (already in venice.lock).
    pub(crate) fn start(dir: &Path, target: &str, record: Applied) -> std::io::Result<Journal> {
        let path = journal_path(dir, target);
        std::fs::create_dir_all(dir.join(STATE_DIR))?;
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        file.set_len(0)?;
        file.sync_all()?;
        sync_folder(&dir.join(STATE_DIR))?;
        Ok(Journal { file: Mutex::new(file), record: Mutex::new((record, Applied::default())), path })
    }

    /// Appends `entry` and syncs it to disk, then carries it out on the record in memory.
    pub(crate) fn write(&self, entry: Entry) -> Result<(), String> {
        self.write_all(vec![entry])
    }

    /// Appends `entries`, a line each, with one sync to disk for them all (a batch's steps are
    /// announced, and confirmed, together), then carries them out on the record in memory. A
    /// crash in the middle leaves whole lines and at most one torn one: a prefix of the batch.
    pub(crate) fn write_all(&self, entries: Vec<Entry>) -> Result<(), String> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut lines = String::new();
        for entry in &entries {
            lines.push_str(&serde_json::to_string(entry).expect("an entry serializes"));
            lines.push('\n');
        }
        let mut file = self.file.lock().expect("not poisoned");
        let written = file.write_all(lines.as_bytes()).and_then(|()| file.sync_data());
        written.map_err(|e| format!("cannot write the journal `{}`: {e}", self.path.display()))?;
        let mut record = self.record.lock().expect("not poisoned");
        let (applied, in_doubt) = &mut *record;
        for entry in &entries {
            applied.fold(in_doubt, entry);
        }
        Ok(())
    }

    /// The record so far (creates in doubt left out: they were not confirmed).
    pub(crate) fn record(&self) -> Applied {
        self.record.lock().expect("not poisoned").0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(entry: &Entry) -> String {
        serde_json::to_string(entry).unwrap() + "\n"
    }

    fn made(set: Set, name: &str) -> Entry {
        Entry::Made { set, name: name.into() }
    }

    #[test]
    fn the_journal_folds_onto_the_record_in_order() {
        let mut base = Applied::default();
        base.topics.insert("old".into());
        base.connectors.insert("gone".into());
        let text = [
            Entry::Creating { set: Set::Topic, name: "a".into() },
            made(Set::Topic, "a"),
            Entry::Creating { set: Set::Topic, name: "b".into() },
            Entry::Deleted { set: Set::Connector, name: "gone".into() },
            Entry::Creating { set: Set::Subject, name: "a-value".into() },
            made(Set::Subject, "a-value"),
            Entry::KsqlFile { key: "f.sql".into(), fingerprint: "00ff".into() },
            made(Set::Ksql, "S"),
        ]
        .iter()
        .map(line)
        .collect::<String>();
        let folded = fold(&base, &text).unwrap();
        assert_eq!(folded.entries, 8);
        assert!(!folded.torn);
        assert_eq!(folded.applied.topics.iter().collect::<Vec<_>>(), ["a", "old"]);
        assert!(folded.applied.connectors.is_empty());
        assert_eq!(folded.applied.subjects.iter().collect::<Vec<_>>(), ["a-value"]);
        assert_eq!(folded.applied.ksql.iter().collect::<Vec<_>>(), ["S"]);
        assert_eq!(folded.applied.ksql_files["f.sql"], "00ff");
        // `b` was being created when the run died: in doubt, not recorded.
        assert_eq!(folded.in_doubt.topics.iter().collect::<Vec<_>>(), ["b"]);
        // Folding twice (a run killed after writing venice.lock, before removing the journal)
        // gives the same record.
        let again = fold(&folded.applied, &text).unwrap();
        assert_eq!(again.applied, folded.applied);
    }

    /// Bindings are recorded by key, quota keys under their principal (which goes with its
    /// last key), so an interrupted apply of ACLs and quotas resumes like one of topics.
    #[test]
    fn acl_and_quota_steps_fold_like_the_others() {
        let binding = r#"User:alice write topic="t" host="*""#;
        let text = [
            Entry::Creating { set: Set::Acl, name: binding.into() },
            made(Set::Acl, binding),
            Entry::Creating { set: Set::Quota, name: "User:CN=a b producer_byte_rate".into() },
            made(Set::Quota, "User:CN=a b producer_byte_rate"),
            made(Set::Quota, "User:CN=a b request_percentage"),
            Entry::Creating { set: Set::Acl, name: "User:bob read group=\"g\" host=\"*\"".into() },
        ]
        .iter()
        .map(line)
        .collect::<String>();
        let folded = fold(&Applied::default(), &text).unwrap();
        assert_eq!(folded.applied.acls.iter().collect::<Vec<_>>(), [binding]);
        let keys: Vec<&String> = folded.applied.quotas["User:CN=a b"].iter().collect();
        assert_eq!(keys, ["producer_byte_rate", "request_percentage"]);
        assert_eq!(folded.in_doubt.acls.len(), 1);
        assert!(folded.in_doubt.quotas.is_empty(), "confirmed: {:?}", folded.in_doubt.quotas);
        let text = text
            + &line(&Entry::Deleted { set: Set::Quota, name: "User:CN=a b producer_byte_rate".into() })
            + &line(&Entry::Deleted { set: Set::Quota, name: "User:CN=a b request_percentage".into() })
            + &line(&Entry::Deleted { set: Set::Acl, name: binding.into() });
        let folded = fold(&Applied::default(), &text).unwrap();
        assert!(folded.applied.quotas.is_empty() && folded.applied.acls.is_empty(), "{:?}", folded.applied);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_leaves_the_record_a_step_short() {
        let whole = line(&made(Set::Topic, "a")) + &line(&made(Set::Topic, "b"));
        for cut in 1..line(&made(Set::Topic, "c")).len() {
            let text = whole.clone() + &line(&made(Set::Topic, "c"))[..cut];
            let folded = fold(&Applied::default(), &text).unwrap();
            assert!(folded.torn, "{text}");
            assert_eq!(folded.entries, 2);
            assert_eq!(folded.applied.topics.iter().collect::<Vec<_>>(), ["a", "b"], "{text}");
        }
        // A torn line alone, and an empty journal.
        assert!(fold(&Applied::default(), "{\"step\":\"ma").unwrap().torn);
        assert_eq!(fold(&Applied::default(), "").unwrap(), Folded::default());
    }

    #[test]
    fn a_damaged_line_before_the_last_is_an_error_naming_it() {
        let text = line(&made(Set::Topic, "a")) + "{\"step\":\"made\",\"set\":\"table\",\"name\":\"x\"}\n";
        let error = fold(&Applied::default(), &text).unwrap_err();
        assert!(error.starts_with("line 2: unknown variant `table`"), "{error}");
    }

    #[test]
    fn a_journal_is_written_synced_read_back_and_committed_into_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::start(dir.path(), "prod", Applied::default()).unwrap();
        journal.write(Entry::Creating { set: Set::Topic, name: "a".into() }).unwrap();
        journal.write(made(Set::Topic, "a")).unwrap();
        journal.write(Entry::Creating { set: Set::Connector, name: "c".into() }).unwrap();
        // A batch: announced together, confirmed together, one line each.
        journal.write_all(vec![Entry::Creating { set: Set::Topic, name: "b".into() }, made(Set::Topic, "b")]).unwrap();
        journal.write_all(Vec::new()).unwrap();
        assert_eq!(std::fs::read_to_string(journal_path(dir.path(), "prod")).unwrap().lines().count(), 5);
        assert_eq!(journal.record().topics.iter().collect::<Vec<_>>(), ["a", "b"]);
        // What the next run reads if this one dies now.
        let folded = read_record(dir.path(), "prod", None).unwrap();
        assert_eq!(folded.applied, journal.record());
        assert_eq!(folded.in_doubt.connectors.iter().collect::<Vec<_>>(), ["c"]);
        // Another target's record in venice.lock is kept; the journal is gone.
        let mut other = Applied::default();
        other.topics.insert("theirs".into());
        let base = Lock { version: super::super::LOCK_VERSION, ..Lock::default() };
        let mut with_other = base.clone();
        with_other.applied.insert("dev".into(), other.clone());
        with_other.write_all(dir.path()).unwrap();
        commit(dir.path(), "prod", &base, &journal.record()).unwrap();
        let lock = Lock::read(dir.path()).unwrap();
        assert_eq!(lock.applied["dev"], other);
        assert_eq!(lock.applied["prod"].topics.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(!journal_path(dir.path(), "prod").exists());
        assert_eq!(read_record(dir.path(), "prod", Some(&lock)).unwrap().entries, 0);
    }

    #[test]
    fn a_target_name_stays_one_file_name() {
        assert_eq!(file_stem("prod-eu_1"), "prod-eu_1");
        assert_eq!(file_stem("../x/y"), "%2E.%2Fx%2Fy");
        assert_eq!(file_stem("a.b"), "a.b");
    }
}
