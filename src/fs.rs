//! Writing files so that an interrupted write never leaves a half-written file in place.

use std::path::Path;

/// Writes `bytes` to a temporary file beside `target` (`.NAME.venice-tmp`), then renames it over
/// `target`: readers see the old file or the new one, never a part. `executable` makes the file
/// `rwxr-xr-x` (Unix only). The temporary file is removed when any step fails.
pub(crate) fn write_atomically(target: &Path, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = target.with_file_name(format!(".{name}.venice-tmp"));
    let written = std::fs::write(&temporary, bytes)
        .and_then(|()| make_executable(&temporary, executable))
        .and_then(|()| std::fs::rename(&temporary, target));
    written.inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

#[cfg(unix)]
fn make_executable(path: &Path, executable: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if !executable {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_: &Path, _: bool) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_and_no_temporary_file_is_left() {
        let dir = std::env::temp_dir().join(format!("venice-fs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("run.sh");
        std::fs::write(&target, "old").unwrap();
        write_atomically(&target, b"new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o755);
        }
        let missing = dir.join("no-such-folder").join("x");
        assert!(write_atomically(&missing, b"x", false).is_err());
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, [std::ffi::OsString::from("run.sh")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
