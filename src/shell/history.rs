//! REPL history in `~/.rsh_history` (mode 0600). Lines that may hold a secret are never saved
//! (the legacy shell's list, plus `passwordPrompt` and connection strings with a password).
use std::path::{Path, PathBuf};

/// Name of the history file in the home directory.
pub const FILE_NAME: &str = ".rsh_history";

/// The history file, when a home directory is known.
pub fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| Path::new(&h).join(FILE_NAME))
}

/// Restrict the file to its owner (rustyline does this when it writes, this covers the rest).
pub fn restrict_mode(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

/// False for blank lines and lines that may carry a credential.
pub fn should_save(line: &str) -> bool {
    if line.trim().is_empty() || line.contains("passwordPrompt") {
        return false;
    }
    let calls = ["auth", "createUser", "updateUser", "changeUserPassword"];
    if calls.iter().any(|name| dotted_call(line, name)) {
        return false;
    }
    // Any `createUser(`-style call, dotted or not, is kept out of history.
    if calls[1..].iter().any(|name| call_after(line, name)) {
        return false;
    }
    if command_document(line) {
        return false;
    }
    if line.contains("Mongo(") && line.contains("secretAccessKey") {
        return false;
    }
    !uri_with_password(line)
}

/// `.` + spaces + `name` + spaces + `(` (so `.author(` does not match `.auth`).
fn dotted_call(line: &str, name: &str) -> bool {
    line.match_indices('.').any(|(i, _)| {
        let rest = line[i + 1..].trim_start();
        rest.strip_prefix(name)
            .is_some_and(|after| after.trim_start().starts_with('('))
    })
}

/// `name` + spaces + `(` anywhere, with `name` not the tail of a longer identifier.
fn call_after(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(i, _)| {
        let before_ok = line[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'));
        before_ok && line[i + name.len()..].trim_start().starts_with('(')
    })
}

/// `runCommand(` / `adminCommand(` + spaces + `{` + spaces + `createUser:` / `updateUser:`
/// (the key may be quoted).
fn command_document(line: &str) -> bool {
    ["runCommand", "adminCommand"].iter().any(|call| {
        line.match_indices(call).any(|(i, _)| {
            let Some(rest) = line[i + call.len()..].trim_start().strip_prefix('(') else {
                return false;
            };
            let Some(rest) = rest.trim_start().strip_prefix('{') else {
                return false;
            };
            let key = rest.trim_start().trim_start_matches(['"', '\'']);
            ["createUser", "updateUser"].iter().any(|k| {
                key.strip_prefix(k).is_some_and(|after| {
                    after
                        .trim_start_matches(['"', '\''])
                        .trim_start()
                        .starts_with(':')
                })
            })
        })
    })
}

/// `mongodb://user:pass@` or `mongodb+srv://user:pass@` anywhere in the line.
fn uri_with_password(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    ["mongodb://", "mongodb+srv://"].iter().any(|scheme| {
        lower.match_indices(scheme).any(|(i, _)| {
            let rest = &line[i + scheme.len()..];
            let authority = rest
                .split(|c: char| c == '/' || c == '?' || c.is_whitespace() || "\"'`".contains(c))
                .next()
                .unwrap_or("");
            authority
                .rsplit_once('@')
                .is_some_and(|(user_info, _)| user_info.contains(':'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::should_save;

    #[test]
    fn ordinary_lines_are_saved() {
        for line in [
            "rs.status()",
            "db.author.find()",
            "db.books.find({author: 'x'})",
            "var createUsers = 1",
            "db.runCommand({ping: 1})",
            "mongodb://host:1/db",
            "connect('mongodb://user@h:1/')",
            "printjson({auth: 1})",
        ] {
            assert!(should_save(line), "{line}");
        }
    }

    #[test]
    fn secrets_are_left_out() {
        for line in [
            "db.auth(\"u\",\"p\")",
            "db.auth ( 'u', 'p' )",
            "db . auth('u','p')",
            "db.getSiblingDB('admin').auth('u', 'p')",
            "db.createUser({user: 'a', pwd: 'b', roles: []})",
            "createUser({user: 'a'})",
            "db.updateUser('a', {pwd: 'x'})",
            "db.changeUserPassword('a', 'b')",
            "db.runCommand({createUser: 'a', pwd: 'b', roles: []})",
            "db.adminCommand( { \"updateUser\" : 'a', pwd: 'b' })",
            "new Mongo('h', {secretAccessKey: 'x'})",
            "db.createUser({user: 'a', pwd: passwordPrompt(), roles: []})",
            "var x = passwordPrompt()",
            "conn = new Mongo('mongodb://root:secret@h:1/admin')",
            "connect(\"MONGODB+SRV://root:s3cr%40t@cluster.example.com\")",
            "",
            "   ",
        ] {
            assert!(!should_save(line), "{line}");
        }
    }
}
