//! Server processes started like mongod on loopback ports: killed on drop, restartable on the
//! same port and dbpath, their output kept in `<dbpath>/server.log`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::bins::sandbox_binary;
use crate::ports::{free_port, wait_listening};
use crate::wire::Client;

/// The server binary the walkthroughs run against: the sandbox, or a real mongod when
/// `RSH_TEST_MONGOD` names one.
pub fn server_binary() -> PathBuf {
    match std::env::var_os("RSH_TEST_MONGOD") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => sandbox_binary(),
    }
}

pub fn real_mongod() -> bool {
    std::env::var_os("RSH_TEST_MONGOD").is_some_and(|p| !p.is_empty())
}

/// One running server process; killed when this is dropped.
pub struct Member {
    pub port: u16,
    pub dir: PathBuf,
    /// Arguments after `--port P --bind_ip 127.0.0.1 --dbpath D` (or the whole command line
    /// with `own_args`).
    pub args: Vec<String>,
    pub child: Option<Child>,
    binary: PathBuf,
    own_args: bool,
    /// RLIMIT_FSIZE (soft; the hard limit stays unlimited) for the next `spawn`: a full disk.
    pub fsize_limit: Option<u64>,
    /// Keeps a member's own temporary dbpath alive as long as the member.
    _tmp: Option<tempfile::TempDir>,
}

impl Member {
    fn new(binary: PathBuf, port: u16, dir: PathBuf, args: &[&str], own_args: bool) -> Member {
        Member {
            port,
            dir,
            args: args.iter().map(|s| s.to_string()).collect(),
            child: None,
            binary,
            own_args,
            fsize_limit: None,
            _tmp: None,
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `server_binary() --port P --bind_ip 127.0.0.1 --dbpath <root>/<port> <extra…>`.
    pub fn start(root: &Path, port: u16, extra: &[&str]) -> Member {
        let dir = root.join(port.to_string());
        std::fs::create_dir_all(&dir).expect("dbpath");
        let mut m = Member::new(server_binary(), port, dir, extra, false);
        m.spawn();
        m
    }

    /// A member started only with `args` (e.g. `-f file.conf`); `port` must match the config.
    pub fn start_with_args(root: &Path, port: u16, args: &[&str]) -> Member {
        let dir = root.join(port.to_string());
        std::fs::create_dir_all(&dir).expect("dbpath");
        let mut m = Member::new(server_binary(), port, dir, args, true);
        m.spawn();
        m
    }

    /// An rsh-sandbox member on a free port with its own temporary dbpath; `extra` args come
    /// after the standard ones.
    pub fn sandbox(extra: &[&str]) -> Member {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut m = Member::new(sandbox_binary(), free_port(), dir, extra, false);
        m._tmp = Some(tmp);
        m.spawn();
        m
    }

    pub fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .expect("log file");
        let mut cmd = Command::new(&self.binary);
        if !self.own_args {
            cmd.args([
                "--port",
                &self.port.to_string(),
                "--bind_ip",
                "127.0.0.1",
                "--dbpath",
            ])
            .arg(&self.dir);
        }
        cmd.args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("clone log")))
            .stderr(Stdio::from(log));
        if let Some(limit) = self.fsize_limit {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit is async-signal-safe and touches only this stack value.
            unsafe {
                cmd.pre_exec(move || {
                    let lim = libc::rlimit {
                        rlim_cur: limit as libc::rlim_t,
                        rlim_max: libc::RLIM_INFINITY,
                    };
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        self.child = Some(cmd.spawn().expect("spawn server"));
        wait_listening(self.port);
    }

    /// SIGKILL and wait (a crash, as in the seeds' "kill the primary").
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// SIGTERM (a clean shutdown) and wait up to `secs` for the exit; SIGKILL after that.
    /// Returns the exit code of a clean exit.
    pub fn terminate(&mut self, secs: u64) -> Option<i32> {
        let mut c = self.child.take()?;
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe { libc::kill(c.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = c.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let _ = c.wait();
        None
    }

    /// Changes the running member's file-size limit (`None`: unlimited), e.g. space coming back.
    pub fn set_fsize_limit(&mut self, limit: Option<u64>) {
        self.fsize_limit = limit;
        if let Some(c) = &self.child {
            let lim = libc::rlimit {
                rlim_cur: limit.map_or(libc::RLIM_INFINITY, |l| l as libc::rlim_t),
                rlim_max: libc::RLIM_INFINITY,
            };
            // SAFETY: prlimit on our own child's pid with a valid, initialised struct.
            unsafe {
                libc::prlimit(
                    c.id() as i32,
                    libc::RLIMIT_FSIZE,
                    &lim,
                    std::ptr::null_mut(),
                )
            };
        }
    }

    /// SIGSTOP: the member stays connected but answers nothing (a hung host); drop kills it.
    pub fn stop(&self) {
        if let Some(c) = &self.child {
            // SAFETY: kill(2) on our own child's pid has no memory effects.
            unsafe { libc::kill(c.id() as i32, libc::SIGSTOP) };
        }
    }

    pub fn connect(&self) -> Client {
        Client::connect(self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.kill();
    }
}
