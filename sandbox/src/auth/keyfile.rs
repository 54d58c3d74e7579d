//! `--keyFile` / `security.keyFile`: reading and validating the shared key with mongod's rules
//! (base64 characters only, whitespace ignored, 6..=1024 characters, no group/other access).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const MIN_LEN: usize = 6;
const MAX_LEN: usize = 1024;

/// Reads the key in `path`; errors are mongod's one-line messages.
pub fn load(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("error getting file {shown}: {}", reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("key file {shown} is not a regular file"));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!("permissions on {shown} are too open"));
    }
    let text =
        std::fs::read(path).map_err(|e| format!("error opening file: {shown}: {}", reason(&e)))?;
    parse(&text, &shown.to_string())
}

/// Validates the key text: whitespace is dropped, the rest must be base64 characters.
pub fn parse(text: &[u8], shown: &str) -> Result<String, String> {
    let mut key = String::new();
    for &b in text {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {}
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => key.push(char::from(b)),
            _ => {
                return Err(format!(
                    "invalid char in key file {shown}: {}",
                    String::from_utf8_lossy(text).trim()
                ))
            }
        }
    }
    if key.is_empty() {
        return Err(format!("Security key file {shown} is empty"));
    }
    if !(MIN_LEN..=MAX_LEN).contains(&key.len()) {
        return Err(format!(
            "security key in {shown} has length {}, must be between {MIN_LEN} and {MAX_LEN} chars",
            key.len()
        ));
    }
    Ok(key)
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_ignored_and_charset_checked() {
        assert_eq!(parse(b"abc def\n ghi=\n", "k").as_deref(), Ok("abcdefghi="));
        let e = parse(b"abc-def!", "k").unwrap_err();
        assert!(e.starts_with("invalid char in key file k"), "{e}");
        let e = parse(b"abc", "k").unwrap_err();
        assert_eq!(
            e,
            "security key in k has length 3, must be between 6 and 1024 chars"
        );
        assert!(parse(&[b'a'; 1025], "k").is_err());
        assert!(parse(b" \n", "k").unwrap_err().contains("is empty"));
    }

    #[test]
    fn open_permissions_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
        let p = dir.path().join("key");
        std::fs::write(&p, "abcdefgh").expect("write"); // ok: test setup
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod"); // ok: test setup
        let e = load(&p).unwrap_err();
        assert_eq!(e, format!("permissions on {} are too open", p.display()));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod"); // ok: test setup
        assert_eq!(load(&p).as_deref(), Ok("abcdefgh"));
        assert!(load(&dir.path().join("missing"))
            .unwrap_err()
            .contains("No such file"));
    }
}
