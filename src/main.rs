//! `rsh`: a thin binary over the library (see src/lib.rs for the layers).
fn main() {
    std::process::exit(rsh::run());
}
