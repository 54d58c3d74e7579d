//! `-p` without a value: read the password from the terminal with echo off (libc termios).
//! Without a terminal (piped input) the first line of stdin is read instead.
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;

/// Print `Enter password: ` and read one line without echoing it.
pub fn prompt_password() -> Result<String, String> {
    match OpenOptions::new().read(true).write(true).open("/dev/tty") {
        Ok(tty) => read_from_tty(tty),
        Err(_) => read_line(&mut std::io::stdin().lock()),
    }
}

fn read_from_tty(mut tty: std::fs::File) -> Result<String, String> {
    let fd = tty.as_raw_fd();
    // SAFETY: a zeroed termios is a valid out-parameter for tcgetattr on an open fd.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: fd is an open terminal descriptor owned by `tty` for this whole function.
    let have_termios = unsafe { libc::tcgetattr(fd, &mut saved) } == 0;
    if have_termios {
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ECHONL;
        // SAFETY: as above; `quiet` is a copy of the settings just read.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    }
    let _ = write!(tty, "Enter password: ");
    let _ = tty.flush();
    let result = match tty.try_clone() {
        Ok(reader) => read_line(&mut BufReader::new(reader)),
        Err(e) => Err(format!("cannot read the password: {e}")),
    };
    if have_termios {
        // SAFETY: restores the settings read above on the same descriptor.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    }
    result
}

fn read_line(input: &mut dyn BufRead) -> Result<String, String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) => Err("no password given".to_string()),
        Ok(_) => Ok(line.trim_end_matches(['\n', '\r']).to_string()),
        Err(e) => Err(format!("cannot read the password: {e}")),
    }
}
