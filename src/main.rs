//! `rsh`: a thin binary over the library (see src/lib.rs for the layers).
/// Counts live heap bytes for `--jsHeapLimitMB`.
#[global_allocator]
static ALLOC: rsh::js::budget::CountingAlloc = rsh::js::budget::CountingAlloc;

fn main() {
    rsh::js::budget::counting_enabled();
    std::process::exit(rsh::run());
}
