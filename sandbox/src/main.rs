//! `rsh-sandbox`: a MongoDB replica-set simulator speaking the real wire protocol on loopback.
//! Everything lives in the library; the shell never depends on this crate.

fn main() {
    std::process::exit(rsh_sandbox::main());
}
