//! rsh-sandbox: see README "The sandbox".

pub fn main() -> i32 {
    eprintln!("rsh-sandbox: not built yet");
    1
}
