//! Wire-level behaviour of a running rsh-sandbox: handshake over OP_QUERY, responseTo, concurrent
//! connections, and malformed input that closes only its own connection.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bson::{doc, Document};
use proptest::prelude::*;
use support::{encode_msg, ok, ping, Member};

fn op_query(request_id: i32, ns: &str, query: &Document) -> Vec<u8> {
    let mut d = Vec::new();
    query.to_writer(&mut d).unwrap();
    let mut body = 0i32.to_le_bytes().to_vec();
    body.extend_from_slice(ns.as_bytes());
    body.push(0);
    body.extend_from_slice(&0i32.to_le_bytes());
    body.extend_from_slice(&(-1i32).to_le_bytes());
    body.extend_from_slice(&d);
    let mut out = Vec::new();
    for v in [(16 + body.len()) as i32, request_id, 0, 2004] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&body);
    out
}

/// True when the server closed the connection (read gives EOF or reset) within a few seconds.
fn closed(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // an error reply may precede the close
            Err(e) => {
                return e.kind() != std::io::ErrorKind::WouldBlock
                    && e.kind() != std::io::ErrorKind::TimedOut
            }
        }
    }
}

#[test]
fn op_query_handshake_gets_op_reply_and_other_commands_get_352() {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let mut c = m.connect();
    let (to, opcode, reply) = c
        .send_raw(&op_query(
            77,
            "admin.$cmd",
            &doc! {"ismaster": 1, "helloOk": true},
        ))
        .unwrap();
    assert_eq!((to, opcode), (77, 1));
    assert!(ok(&reply));
    assert!(reply.get_bool("isreplicaset").unwrap());
    assert!(reply.get_bool("helloOk").unwrap());
    assert!(!reply.get_bool("ismaster").unwrap());
    let wrapped =
        doc! {"$query": {"isMaster": 1}, "$readPreference": {"mode": "secondaryPreferred"}};
    let (to, opcode, reply) = c.send_raw(&op_query(78, "admin.$cmd", &wrapped)).unwrap();
    assert_eq!((to, opcode), (78, 1));
    assert!(ok(&reply), "{reply}");
    let (_, _, reply) = c
        .send_raw(&op_query(79, "admin.$cmd", &doc! {"ping": 1}))
        .unwrap();
    assert_eq!(reply.get_i32("code").unwrap(), 352);
    assert!(reply
        .get_str("errmsg")
        .unwrap()
        .starts_with("Unsupported OP_QUERY command: ping."));
    // After the handshake the same connection speaks OP_MSG.
    assert!(ok(&c.admin(ping())));
}

#[test]
fn many_concurrent_connections_get_their_own_replies() {
    let m = Member::sandbox(&[]);
    let port = m.port;
    let handles: Vec<_> = (0..24)
        .map(|t| {
            std::thread::spawn(move || {
                let mut c = support::Client::connect(port);
                let mut ids = Vec::new();
                for i in 0..20 {
                    let r = c.admin(doc! {"hello": 1, "comment": format!("{t}-{i}")});
                    assert!(ok(&r));
                    ids.push(r.get_i32("connectionId").unwrap());
                }
                ids.dedup();
                assert_eq!(ids.len(), 1, "one connectionId per connection");
                ids[0]
            })
        })
        .collect();
    let mut conn_ids: Vec<i32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    conn_ids.sort();
    conn_ids.dedup();
    assert_eq!(conn_ids.len(), 24, "connection ids are distinct");
}

#[test]
fn garbage_closes_only_its_own_connection() {
    let m = Member::sandbox(&[]);
    let mut good = m.connect();
    assert!(ok(&good.admin(ping())));

    let cases: Vec<Vec<u8>> = vec![
        // Length ≤ 16.
        [
            16i32.to_le_bytes(),
            1i32.to_le_bytes(),
            0i32.to_le_bytes(),
            2013i32.to_le_bytes(),
        ]
        .concat(),
        // Length over maxMessageSizeBytes.
        [48_000_001i32.to_le_bytes(), 1i32.to_le_bytes()].concat(),
        // Negative length.
        (-5i32).to_le_bytes().to_vec(),
        // OP_COMPRESSED is declined.
        {
            let mut b = encode_msg(1, 0, &doc! {"ping": 1, "$db": "admin"});
            b[12..16].copy_from_slice(&2012i32.to_le_bytes());
            b
        },
        // Unknown required flag bit: error 223, then close.
        encode_msg(1, 1 << 4, &doc! {"ping": 1, "$db": "admin"}),
    ];
    for (i, bytes) in cases.iter().enumerate() {
        let mut s = TcpStream::connect(("127.0.0.1", m.port)).unwrap();
        s.write_all(bytes).unwrap();
        assert!(closed(&mut s), "case {i}: connection should be closed");
        assert!(
            ok(&good.admin(ping())),
            "case {i}: other connection still works"
        );
    }
    // The 223 case answers before closing.
    let mut c = m.connect();
    let (to, _, reply) = c
        .send_raw(&encode_msg(9, 1 << 4, &doc! {"ping": 1, "$db": "admin"}))
        .unwrap();
    assert_eq!(to, 9);
    assert_eq!(reply.get_i32("code").unwrap(), 223);
    assert!(ok(&good.admin(ping())));
}

#[test]
fn more_to_come_gets_no_reply_and_missing_db_is_an_error() {
    let m = Member::sandbox(&[]);
    let mut c = m.connect();
    c.stream
        .write_all(&encode_msg(5, 2, &doc! {"ping": 1, "$db": "admin"}))
        .unwrap();
    // The next reply on the wire answers the next request, not the moreToCome one.
    let (to, _, reply) = c
        .send_raw(&encode_msg(6, 0, &doc! {"ping": 1, "$db": "admin"}))
        .unwrap();
    assert_eq!(to, 6);
    assert!(ok(&reply));
    let (_, _, reply) = c.send_raw(&encode_msg(7, 0, &doc! {"ping": 1})).unwrap();
    assert_eq!(reply.get_i32("code").unwrap(), 40571);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random bytes on one connection never disturb another one.
    #[test]
    fn random_bytes_do_not_disturb_other_connections(bytes in proptest::collection::vec(any::<u8>(), 1..200)) {
        thread_local! {
            static MEMBER: Member = Member::sandbox(&[]);
        }
        MEMBER.with(|m| {
            let mut good = m.connect();
            let mut s = TcpStream::connect(("127.0.0.1", m.port)).unwrap();
            let _ = s.write_all(&bytes);
            let _ = s.shutdown(std::net::Shutdown::Write);
            assert!(closed(&mut s));
            assert!(ok(&good.admin(ping())));
        });
    }
}
