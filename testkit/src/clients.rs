//! The third-party clients some tests drive (pymongo through a Python interpreter, mongosh).
//! scripts/test.sh installs them on a fresh machine and exports where they are; where a registry
//! cannot be reached it exports `RSH_SKIP_PYMONGO` / `RSH_SKIP_MONGOSH` with the reason instead,
//! and only then do those tests skip (with a printed notice). Without either variable a missing
//! client is a test failure, so a broken install can never pass silently.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn skip_reason(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|s| !s.is_empty())
}

fn workspace_root() -> PathBuf {
    // testkit/ sits in the workspace root.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn imports_pymongo(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import pymongo"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A Python interpreter that can `import pymongo`: `RSH_PYTHON`, then `.tools/venv`, then
/// `python3`. `None` (after a notice) only when scripts/test.sh said pymongo cannot be installed.
pub fn pymongo_python(test: &str) -> Option<PathBuf> {
    if let Some(why) = skip_reason("RSH_SKIP_PYMONGO") {
        println!("notice: {test} skipped: pymongo is not available ({why})");
        return None;
    }
    let candidates = [
        std::env::var_os("RSH_PYTHON").map(PathBuf::from),
        Some(workspace_root().join(".tools/venv/bin/python")),
        Some(PathBuf::from("python3")),
    ];
    for p in candidates.into_iter().flatten() {
        if imports_pymongo(&p) {
            return Some(p);
        }
    }
    panic!(
        "{test}: no Python with pymongo (run scripts/test.sh, which installs it into .tools/venv, \
         or set RSH_PYTHON; RSH_SKIP_PYMONGO=<reason> skips)"
    );
}

/// mongosh: `RSH_MONGOSH`, then `.tools/node_modules/.bin/mongosh`. `None` (after a notice) only
/// when scripts/test.sh said mongosh cannot be installed.
pub fn mongosh(test: &str) -> Option<PathBuf> {
    if let Some(why) = skip_reason("RSH_SKIP_MONGOSH") {
        println!("notice: {test} skipped: mongosh is not available ({why})");
        return None;
    }
    let path = std::env::var_os("RSH_MONGOSH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".tools/node_modules/.bin/mongosh"));
    assert!(
        path.exists(),
        "{test}: mongosh is not installed at {} (run scripts/test.sh, which installs it into \
         .tools/, or set RSH_MONGOSH; RSH_SKIP_MONGOSH=<reason> skips)",
        path.display()
    );
    Some(path)
}
