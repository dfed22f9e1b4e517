//! Finding and running `docker compose` for the stack commands (`venice up`, `down`, `status`,
//! `logs`, `restart`, `ksql`, `psql`).
//!
//! Before any stack command runs, [`find`] checks the three things it needs, in order, and says
//! which one is missing: a `docker` program on `PATH`, its Compose plugin (`docker compose
//! version`), and an engine that answers (`docker info`). Each probe is bounded in time, so a
//! hung engine is reported instead of waited for. Every command then runs as
//! `docker compose -f <build>/docker-compose.yml -p <name> ...` ([`Compose::args`]): the same
//! file and the same project name every time, whatever the current folder.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long `docker compose version` and `docker info` may take before the engine counts as
/// not answering.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// Why Docker cannot run the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unavailable {
    /// No `docker` program on `PATH`.
    NotOnPath,
    /// `docker compose version` failed: the Compose plugin is missing. The detail is the first
    /// line it printed.
    NoCompose(String),
    /// `docker info` failed or did not answer in time.
    EngineDown(String),
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::NotOnPath => write!(
                f,
                "Docker is not installed: there is no `docker` on PATH; the stack commands run the stack of \
                 `venice build` with Docker Compose: install Docker Engine with its Compose plugin and try again"
            ),
            Unavailable::NoCompose(detail) => write!(
                f,
                "`docker compose` is not available ({detail}): install the Docker Compose plugin \
                 (Debian: `apt-get install docker-compose-plugin` from Docker's repository) and try again"
            ),
            Unavailable::EngineDown(detail) => {
                write!(f, "the Docker engine is not answering ({detail}): start Docker and try again")
            }
        }
    }
}

/// The `docker` program found on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Docker {
    pub(crate) program: PathBuf,
}

/// The first path named `name` in `path` (a `PATH` value) that is an executable file.
pub(crate) fn which(name: &str, path: Option<OsString>) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The outcome of a bounded probe: whether it succeeded, and the first non-empty line it printed
/// (standard error first, where Docker writes its errors).
struct Probe {
    success: bool,
    first_line: String,
}

/// Runs `program args` with no input and a time bound; a probe that runs over is killed.
fn probe(program: &Path, args: &[&str], timeout: Duration) -> Result<Probe, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", program.display()))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("`docker {}` did not answer in {} s", args.join(" "), timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for `docker {}`: {e}", args.join(" "))),
        }
    }
    let output = child.wait_with_output().map_err(|e| format!("cannot read `docker {}`: {e}", args.join(" ")))?;
    let first = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes).lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default().to_string()
    };
    let mut first_line = first(&output.stderr);
    if first_line.is_empty() {
        first_line = first(&output.stdout);
    }
    if first_line.is_empty() {
        first_line = format!("`docker {}` exited with {}", args.join(" "), output.status);
    }
    Ok(Probe { success: output.status.success(), first_line })
}

/// Finds `docker` on `PATH` and checks that its Compose plugin and the engine answer.
pub(crate) fn find() -> Result<Docker, Unavailable> {
    let program = which("docker", std::env::var_os("PATH")).ok_or(Unavailable::NotOnPath)?;
    let compose = probe(&program, &["compose", "version"], PROBE_TIMEOUT).map_err(Unavailable::NoCompose)?;
    if !compose.success {
        return Err(Unavailable::NoCompose(compose.first_line));
    }
    let info =
        probe(&program, &["info", "--format", "{{.ServerVersion}}"], PROBE_TIMEOUT).map_err(Unavailable::EngineDown)?;
    if !info.success {
        return Err(Unavailable::EngineDown(info.first_line));
    }
    Ok(Docker { program })
}

/// One Compose project: its file and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Compose {
    pub(crate) file: PathBuf,
    pub(crate) project: String,
}

impl Compose {
    /// `compose -f FILE -p NAME REST...`: the arguments of `docker` for one Compose command.
    pub(crate) fn args<S: AsRef<str>>(&self, rest: &[S]) -> Vec<String> {
        let mut args = vec![
            "compose".to_string(),
            "-f".to_string(),
            self.file.display().to_string(),
            "-p".to_string(),
            self.project.clone(),
        ];
        args.extend(rest.iter().map(|s| s.as_ref().to_string()));
        args
    }
}

impl Docker {
    /// Runs `docker ARGS` with the terminal passed through (standard input, output and error
    /// inherited), as the shells and `logs --follow` need; waits for it to end.
    pub(crate) fn run(&self, args: &[String]) -> Result<ExitStatus, String> {
        Command::new(&self.program)
            .args(args)
            .status()
            .map_err(|e| format!("cannot run `{}`: {e}", self.program.display()))
    }

    /// Runs `docker ARGS` and returns what it printed on standard output; standard error is
    /// passed through. An unsuccessful exit is an error carrying its status and its error text.
    pub(crate) fn output(&self, args: &[String]) -> Result<String, String> {
        let output = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", self.program.display()))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            let text = String::from_utf8_lossy(&output.stderr);
            let detail = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
            Err(format!("`docker {}` failed ({}): {detail}", shown(args), output.status))
        }
    }
}

/// A command line as the user would type it (arguments with spaces quoted).
pub(crate) fn shown(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains([' ', '\'', '"']) {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_commands_name_the_file_and_the_project() {
        let compose = Compose { file: PathBuf::from("shop/build/docker-compose.yml"), project: "shop".into() };
        assert_eq!(
            compose.args(&["logs", "--tail", "20", "connect"]),
            ["compose", "-f", "shop/build/docker-compose.yml", "-p", "shop", "logs", "--tail", "20", "connect"]
        );
        assert_eq!(
            shown(&compose.args(&["exec", "a b"])),
            "compose -f shop/build/docker-compose.yml -p shop exec 'a b'"
        );
    }

    #[test]
    fn which_finds_only_executable_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = std::env::join_paths([dir.path()]).unwrap();
        assert_eq!(which("docker", Some(path.clone())), None);
        std::fs::write(dir.path().join("docker"), "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            assert_eq!(which("docker", Some(path.clone())), None, "not executable yet");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path().join("docker"), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        assert_eq!(which("docker", Some(path)), Some(dir.path().join("docker")));
        assert_eq!(which("docker", None), None);
    }

    #[test]
    fn each_missing_piece_says_what_to_do() {
        assert!(
            Unavailable::NotOnPath.to_string().starts_with("Docker is not installed: there is no `docker` on PATH")
        );
        let no_compose = Unavailable::NoCompose("docker: unknown command: docker compose".into()).to_string();
        assert!(no_compose.starts_with("`docker compose` is not available (docker: unknown command: docker compose)"));
        assert!(no_compose.contains("install the Docker Compose plugin"));
        let down = Unavailable::EngineDown("Cannot connect to the Docker daemon".into()).to_string();
        assert_eq!(
            down,
            "the Docker engine is not answering (Cannot connect to the Docker daemon): start Docker and try again"
        );
    }
}
