//! Where the binaries under test are. Cargo gives a test binary the paths of its own package's
//! binaries only, so the shell's tests find `rsh-sandbox` (and the sandbox's tests find `rsh`)
//! beside the test executable: target/<profile>/deps/<test> → target/<profile>/<binary>.
//! `RSH_BIN` / `RSH_SANDBOX_BIN` override the search.

use std::path::PathBuf;

fn find(name: &str, env_var: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    let mut dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built: run the workspace's tests (`cargo test` at the repository root builds \
         every binary) or set {env_var}",
        path.display()
    );
    path
}

/// The shell binary.
pub fn rsh_binary() -> PathBuf {
    find("rsh", "RSH_BIN")
}

/// The simulator binary.
pub fn sandbox_binary() -> PathBuf {
    find("rsh-sandbox", "RSH_SANDBOX_BIN")
}
