//! Link options of the `rsh` binary.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Packed relative relocations (DT_RELR): the position-independent binary carries ~60k
    // relative relocations, 1.4 MB of RELA records the dynamic loader reads on every start
    // (a tenth of the start-up RSS); packed they take a few kilobytes. Only for a native
    // x86_64 glibc build (rust-lld writes the format) whose glibc can load it (2.36+).
    let target = std::env::var("TARGET").unwrap_or_default();
    let host = std::env::var("HOST").unwrap_or_default();
    if target == "x86_64-unknown-linux-gnu" && host == target && glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bin=rsh=-Wl,-z,pack-relative-relocs");
    }
}

/// The build machine's glibc is at least `major.minor` (`getconf GNU_LIBC_VERSION` prints
/// e.g. `glibc 2.36`); false when that cannot be told.
fn glibc_at_least(major: u32, minor: u32) -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    found >= (major, minor)
}
