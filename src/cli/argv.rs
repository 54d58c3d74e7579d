//! Hide a password given on the command line from `ps` (as the legacy shell does): the bytes of
//! the process's own argument area (`/proc/self/stat` fields arg_start..arg_end) that spell the
//! password are overwritten with `x`. Linux only; elsewhere, or on any surprise, nothing happens.

/// Overwrite every occurrence of `password` inside the arguments `-p`/`--password` values and
/// `user:password@` URIs in this process's argv memory.
pub fn hide_password(password: &str) {
    if password.is_empty() {
        return;
    }
    let Some((start, end)) = arg_area() else {
        return;
    };
    let len = end - start;
    // SAFETY: the kernel reports [arg_start, arg_end) as this process's argument strings, which
    // live in its writable initial stack mapping and are not used by Rust after start-up
    // (std::env::args keeps copies). Only bytes inside that range are written.
    let area = unsafe { std::slice::from_raw_parts_mut(start as *mut u8, len) };
    scrub(area, password.as_bytes());
}

/// Replace the password bytes in a NUL-separated argument area: whole arguments equal to the
/// password, the value of `--password=…`/`-p…`, and `:password@` inside any argument.
pub fn scrub(area: &mut [u8], password: &[u8]) {
    let mut offset = 0;
    while offset < area.len() {
        let arg_len = area[offset..]
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(area.len() - offset);
        let arg = &mut area[offset..offset + arg_len];
        for prefix in [&b""[..], b"--password=", b"-p"] {
            if arg.len() == prefix.len() + password.len()
                && arg.starts_with(prefix)
                && arg.ends_with(password)
            {
                arg[prefix.len()..].fill(b'x');
            }
        }
        // `scheme://user:password@host`: the password sits between ':' and '@'.
        let mut i = 0;
        while i + password.len() + 2 <= arg.len() {
            let end = i + 1 + password.len();
            if arg[i] == b':' && &arg[i + 1..end] == password && arg[end] == b'@' {
                arg[i + 1..end].fill(b'x');
            }
            i += 1;
        }
        offset += arg_len + 1;
    }
}

/// (arg_start, arg_end) from `/proc/self/stat` (fields 48 and 49).
fn arg_area() -> Option<(usize, usize)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; fields after its ')' start at field 3.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let start: usize = fields.get(48 - 3)?.parse().ok()?;
    let end: usize = fields.get(49 - 3)?.parse().ok()?;
    (start != 0 && end > start && end - start < (1 << 24)).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn password_bytes_are_replaced() {
        let mut area =
            b"rsh\0-u\0root\0-p\0pw1\0--password=pw1\0-ppw1\0mongodb://root:pw1@h:1/\0pw12\0"
                .to_vec();
        scrub(&mut area, b"pw1");
        let want =
            b"rsh\0-u\0root\0-p\0xxx\0--password=xxx\0-pxxx\0mongodb://root:xxx@h:1/\0pw12\0";
        assert_eq!(
            String::from_utf8_lossy(&area),
            String::from_utf8_lossy(want)
        );
    }

    #[test]
    fn odd_areas_do_not_panic() {
        for area in [&b""[..], b"\0", b"pw", b":pw", b":pw@", b"\0\0pw"] {
            let mut v = area.to_vec();
            scrub(&mut v, b"pw");
        }
    }
}
