//! Facts behind a failed command's message: the monitors' heartbeats (kept by the topology
//! view) and, after a broken connection on a replica set, a quick `hello` to every host. A
//! broken connection alone cannot tell a failover (other members answer) from a set that is
//! down (none does); the `hello` can, within [`REACH_TIMEOUT`].

use std::collections::BTreeMap;
use std::time::Duration;

use super::error::{map_class, ConnError, ErrClass, Facts};
use super::runtime::block_on;
use super::topology::{address_string, Failure};
use super::Connection;

/// How long one host may take to answer before it counts as not answering.
const REACH_TIMEOUT: Duration = Duration::from_millis(1500);

impl Connection {
    /// What is known about the hosts now, without waiting.
    pub(crate) fn facts(&self) -> Facts {
        Facts {
            expected_set: self.options.repl_set_name.clone(),
            seeds: self.options.hosts.iter().map(address_string).collect(),
            heard: self.topology().heard,
            probed: None,
        }
    }

    /// The user-facing error for a failure that is not a server reply.
    pub(crate) fn map_failure(
        &self,
        class: ErrClass,
        command: &str,
        to_primary: bool,
    ) -> ConnError {
        let mut ctx = self.ctx(command, to_primary);
        if self.replica_set && matches!(class, ErrClass::Network(_)) {
            ctx.facts.probed = self.reach(&ctx.facts.hosts());
            if super::error::verbose() {
                if let Some(probed) = &ctx.facts.probed {
                    let found: Vec<String> = probed
                        .iter()
                        .map(|(h, f)| match f {
                            None => format!("{h} answers"),
                            Some(f) => format!("{h}: {}", f.phrase()),
                        })
                        .collect();
                    eprintln!("connection probe: {}", found.join(", "));
                }
            }
        }
        map_class(class, &ctx)
    }

    /// Ask every host at once whether a server answers there; `None` when interrupted.
    fn reach(&self, hosts: &[String]) -> Option<BTreeMap<String, Option<Failure>>> {
        // A member that requires TLS may reset a plain `hello` unread, like a dying process;
        // there only the connection itself is tried.
        let tls = matches!(self.options.tls, Some(mongodb::options::Tls::Enabled(_)));
        let tries = hosts.iter().map(|h| async move {
            let attempt = async {
                if tls {
                    connects(h).await
                } else {
                    answers(h).await
                }
            };
            let outcome = match tokio::time::timeout(REACH_TIMEOUT, attempt).await {
                Ok(outcome) => outcome,
                Err(_) => Some(Failure::NoAnswer),
            };
            (h.clone(), outcome)
        });
        block_on(&self.interrupt, futures_util::future::join_all(tries))
            .ok()
            .map(|v| v.into_iter().collect())
    }
}

/// Whether `host` accepts a TCP connection: `None` if so, else why not.
async fn connects(host: &str) -> Option<Failure> {
    tokio::net::TcpStream::connect(host)
        .await
        .err()
        .map(|e| failure_of_io(&e))
}

/// Whether a live server is at `host`: `None` if so, else why not.
///
/// An accepted TCP connection alone does not tell: the kernel accepts for a process that is
/// frozen or still dying (a killed server may close its client connections before its
/// listening socket), and such a member would be taken for one that answers. So a `hello` is
/// sent and the host counts as answering when anything comes back: a reply, or the server
/// closing the connection after reading it. A dying process resets the connection; a frozen
/// one stays silent until the caller's timeout.
async fn answers(host: &str) -> Option<Failure> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = match tokio::net::TcpStream::connect(host).await {
        Ok(s) => s,
        Err(e) => return Some(failure_of_io(&e)),
    };
    if let Err(e) = stream.write_all(&hello_message()).await {
        return Some(failure_of_io(&e));
    }
    let mut first = [0u8; 1];
    match stream.read(&mut first).await {
        Ok(_) => None,
        Err(e) => Some(failure_of_io(&e)),
    }
}

/// An OP_MSG `{hello: 1, $db: "admin"}`.
fn hello_message() -> Vec<u8> {
    const OP_MSG: i32 = 2013;
    let mut body = Vec::new();
    // Writing a document into a Vec cannot fail; were it to, the server would answer the
    // malformed message with an error, an answer just the same.
    let _ = mongodb::bson::doc! {"hello": 1, "$db": "admin"}.to_writer(&mut body);
    let length = 16 + 4 + 1 + body.len();
    let mut msg = Vec::with_capacity(length);
    msg.extend_from_slice(&(length as i32).to_le_bytes());
    msg.extend_from_slice(&1i32.to_le_bytes()); // requestID
    msg.extend_from_slice(&0i32.to_le_bytes()); // responseTo
    msg.extend_from_slice(&OP_MSG.to_le_bytes());
    msg.extend_from_slice(&0u32.to_le_bytes()); // flagBits
    msg.push(0); // section kind 0: the body
    msg.extend_from_slice(&body);
    msg
}

fn failure_of_io(e: &std::io::Error) -> Failure {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Failure::Refused,
        std::io::ErrorKind::TimedOut => Failure::NoAnswer,
        // What a dying server does to a connection it had not served.
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
            Failure::Other("connection reset".to_string())
        }
        _ if e.to_string().contains("failed to lookup address") => Failure::NameNotFound,
        _ => Failure::Other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn probe(host: &str) -> Option<Failure> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(300), answers(host))
                .await
                .unwrap_or(Some(Failure::NoAnswer))
        })
    }

    /// A listener whose one connection is handled by `serve` on another thread.
    fn serving(serve: fn(std::net::TcpStream)) -> String {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let host = l.local_addr().expect("addr").to_string();
        std::thread::spawn(move || {
            if let Ok((c, _)) = l.accept() {
                serve(c);
            }
        });
        host
    }

    #[test]
    fn only_a_server_that_reacts_counts_as_answering() {
        // Replies: answers.
        let host = serving(|mut c| {
            let mut buf = [0u8; 64];
            let _ = c.read(&mut buf);
            let _ = c.write_all(&[16, 0, 0, 0]);
            std::thread::sleep(Duration::from_millis(500));
        });
        assert_eq!(probe(&host), None);
        // Reads the message and closes: answers.
        let host = serving(|mut c| {
            let mut buf = [0u8; 64];
            let _ = c.read(&mut buf);
        });
        assert_eq!(probe(&host), None);
        // Accepts in the kernel but never serves (a frozen process): no answer.
        let frozen = TcpListener::bind("127.0.0.1:0").expect("bind");
        let host = frozen.local_addr().expect("addr").to_string();
        assert_eq!(probe(&host), Some(Failure::NoAnswer));
        // The listening socket closes with the connection unserved (a dying process).
        drop(frozen);
        assert_eq!(probe(&host), Some(Failure::Refused));
        let dying = TcpListener::bind("127.0.0.1:0").expect("bind");
        let host = dying.local_addr().expect("addr").to_string();
        let closer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(dying);
        });
        assert_eq!(
            probe(&host),
            Some(Failure::Other("connection reset".to_string()))
        );
        let _ = closer.join();
    }

    #[test]
    fn the_hello_is_a_well_formed_op_msg() {
        let msg = hello_message();
        let length = i32::from_le_bytes([msg[0], msg[1], msg[2], msg[3]]);
        assert_eq!(length as usize, msg.len());
        assert_eq!(
            i32::from_le_bytes([msg[12], msg[13], msg[14], msg[15]]),
            2013
        );
        let body = mongodb::bson::Document::from_reader(&msg[21..]).expect("body");
        assert_eq!(body, mongodb::bson::doc! {"hello": 1, "$db": "admin"});
    }

    #[test]
    fn io_failures_sort() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(failure_of_io(&refused), Failure::Refused);
        let dns = std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        );
        assert_eq!(failure_of_io(&dns), Failure::NameNotFound);
    }
}
