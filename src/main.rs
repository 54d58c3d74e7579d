//! `rsh`: a thin binary over the library (see src/lib.rs for the layers).
/// Counts live heap bytes for `--jsHeapLimitMB`.
#[global_allocator]
static ALLOC: rsh::js::budget::CountingAlloc = rsh::js::budget::CountingAlloc;

fn main() {
    // One malloc arena for every thread. The shell runs on a thread of its own (`rsh::run`),
    // and glibc would give that thread a fresh arena grown a few pages at a time (hundreds of
    // mprotect calls while the engine starts) and the driver's threads more arenas still; the
    // JavaScript runs on one thread, so there is next to no contention to spread.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
    rsh::js::budget::counting_enabled();
    std::process::exit(rsh::run());
}
