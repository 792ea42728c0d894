//! The files only the portal's user may read: key files 0600 (or 0400) and owned by the user
//! that runs the check, which should be the service's user.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::{Check, fail, pass};
use crate::config::Settings;
use crate::server_key::load_key_file;

/// The key files, or the settings that replace them, and the data folder that holds them.
pub fn key_files(settings: &Settings) -> Check {
    const NAME: &str = "key files";
    let me = rustix::process::geteuid().as_raw();
    let mut found = Vec::new();
    let mut wrong = Vec::new();
    match std::fs::metadata(&settings.data_dir) {
        Ok(meta) if meta.uid() != me => wrong.push(format!(
            "the data folder {} belongs to uid {}, not to this user (uid {me})",
            settings.data_dir.display(),
            meta.uid()
        )),
        // Not wrong yet: every start closes it (0700) before it holds anything.
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => found.push(format!(
            "the data folder {} is mode {:o} (the next start makes it 0700)",
            settings.data_dir.display(),
            meta.permissions().mode() & 0o777
        )),
        _ => {}
    }
    for key in crate::ops::key_files(settings) {
        if key.setting.is_some() {
            match load_key_file(key.setting, &key.path) {
                Ok(_) => found.push(format!("{} from {}", key.name, key.variable)),
                Err(e) => wrong.push(format!("{}: {e}", key.variable)),
            }
            continue;
        }
        let meta = match std::fs::metadata(&key.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                found.push(format!(
                    "{} not made yet (the first start makes it, 0600)",
                    key.name
                ));
                continue;
            }
            Err(e) => {
                wrong.push(format!("{}: {e}", key.path.display()));
                continue;
            }
        };
        let mode = meta.permissions().mode() & 0o777;
        if meta.uid() != me {
            wrong.push(format!(
                "{} belongs to uid {}, not to this user (uid {me})",
                key.path.display(),
                meta.uid()
            ));
        } else if mode != 0o600 && mode != 0o400 {
            wrong.push(format!(
                "{} has mode {mode:o}; it must be 0600 (chmod 600)",
                key.path.display()
            ));
        } else if let Err(e) = load_key_file(None, &key.path) {
            wrong.push(format!("{}: {e}", key.path.display()));
        } else {
            found.push(format!(
                "{} {mode:o}, owned by uid {me}",
                key.path.display()
            ));
        }
    }
    if wrong.is_empty() {
        pass(NAME, found.join("; "))
    } else {
        fail(NAME, wrong.join("; "))
    }
}

/// `what` at `path` does not exist yet: the start can make it when the nearest folder that
/// exists on its way is writable by this user.
pub fn creatable(name: &'static str, path: &Path, what: &str) -> Check {
    let mut folder = path.parent();
    while let Some(candidate) = folder {
        let candidate = if candidate.as_os_str().is_empty() {
            Path::new(".")
        } else {
            candidate
        };
        if candidate.exists() {
            return match rustix::fs::access(candidate, rustix::fs::Access::WRITE_OK) {
                Ok(()) => pass(
                    name,
                    format!(
                        "{} does not exist yet; the first start makes {what} there",
                        path.display()
                    ),
                ),
                Err(_) => fail(
                    name,
                    format!(
                        "{} does not exist and {} is not writable by this user",
                        path.display(),
                        candidate.display()
                    ),
                ),
            };
        }
        folder = candidate.parent();
    }
    fail(
        name,
        format!("{} has no folder to be made in", path.display()),
    )
}
