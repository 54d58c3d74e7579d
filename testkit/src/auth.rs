//! Helpers for the access-control tests: key files and rsh runs with credentials.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::shell::{rsh, Run};

/// A key file with mode 0600 (mongod's rule) in `dir`.
pub fn key_file(dir: &Path, name: &str, key: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, key).expect("write key");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod key");
    p
}

/// `rsh -u admin -p pw --authenticationDatabase admin <uri> --eval <code>`.
pub fn rsh_as(user: &str, pwd: &str, uri: &str, code: &str) -> Run {
    rsh(
        &[
            "--quiet",
            "-u",
            user,
            "-p",
            pwd,
            "--authenticationDatabase",
            "admin",
            uri,
            "--eval",
            code,
        ],
        "",
        Duration::from_secs(60),
    )
}
