//! A loopback proxy in front of a server that keeps the body of every message a client sends
//! through it, so a test can check what went over the wire (lsid, txnNumber, readConcern…)
//! without the server having to report it. Threads end when either side closes.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use bson::Document;

pub struct WireTap {
    pub port: u16,
    seen: Arc<Mutex<Vec<Document>>>,
}

impl WireTap {
    /// Listen on a free loopback port and forward every connection to `upstream_port`.
    pub fn start(upstream_port: u16) -> WireTap {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind wire tap");
        let port = listener.local_addr().expect("tap address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
                    continue;
                };
                let log = log.clone();
                if let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) {
                    thread::spawn(move || copy_replies(s2, c2));
                    thread::spawn(move || copy_requests(client, server, log));
                }
            }
        });
        WireTap { port, seen }
    }

    /// The command documents sent so far, in order.
    pub fn commands(&self) -> Vec<Document> {
        match self.seen.lock() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

/// Forward whole messages client → server, keeping each one's body document.
fn copy_requests(mut from: TcpStream, mut to: TcpStream, log: Arc<Mutex<Vec<Document>>>) {
    loop {
        let mut head = [0u8; 4];
        if from.read_exact(&mut head).is_err() {
            break;
        }
        let len = i32::from_le_bytes(head);
        let Some(total) = usize::try_from(len)
            .ok()
            .filter(|l| *l > rsh_wire::HEADER_LEN && *l <= rsh_wire::MAX_MESSAGE_LEN)
        else {
            break;
        };
        let mut whole = vec![0u8; total];
        whole[..4].copy_from_slice(&head);
        if from.read_exact(&mut whole[4..]).is_err() {
            break;
        }
        if let Ok(msg) = rsh_wire::parse(&whole) {
            if let Some(body) = msg.document() {
                if let Ok(mut l) = log.lock() {
                    l.push(body.clone());
                }
            }
        }
        if to.write_all(&whole).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}

fn copy_replies(mut from: TcpStream, mut to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Both);
}
