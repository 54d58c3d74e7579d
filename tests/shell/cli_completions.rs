//! The committed shell completions (completions/) must match the clap definition.
//! `RSH_BLESS=1 cargo test --test cli_completions` rewrites them.
use clap_complete::{generate, Shell};
use std::path::PathBuf;

fn generated(shell: Shell) -> String {
    let mut out = Vec::new();
    generate(shell, &mut rsh::cli::command(), "rsh", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn committed_completions_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bless = std::env::var_os("RSH_BLESS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "rsh.bash"),
        (Shell::Zsh, "_rsh"),
        (Shell::Fish, "rsh.fish"),
    ] {
        let path = dir.join(file);
        let want = generated(shell);
        assert!(
            want.contains("authenticationDatabase"),
            "{file} lacks an option"
        );
        if bless {
            if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &want))
            {
                panic!("cannot write {}: {e}", path.display());
            }
            continue;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completions {stale:?}: run `RSH_BLESS=1 cargo test --test cli_completions`"
    );
}
