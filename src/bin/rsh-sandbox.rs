//! `rsh-sandbox`: a MongoDB replica-set simulator speaking the real wire protocol on loopback.
//! Its code lives in src/sandbox and is compiled only into this binary; the shell never imports it.
#[path = "../../src/sandbox/mod.rs"]
mod sandbox;

fn main() {
    std::process::exit(sandbox::main());
}
