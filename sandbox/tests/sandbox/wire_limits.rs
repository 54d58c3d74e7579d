//! mongod's limits on incoming documents, end to end: a 2000-level packet, duplicate names,
//! invalid UTF-8 and over-deep stored documents get error replies and the member keeps serving.

use bson::doc;
use support::{encode_msg, ok, ping, Member};

fn with_len(mut elements: Vec<u8>) -> Vec<u8> {
    elements.push(0);
    let mut out = ((elements.len() + 4) as i32).to_le_bytes().to_vec();
    out.extend_from_slice(&elements);
    out
}

/// An OP_MSG whose body is `body` (raw bytes, so tests can send what encoders never produce).
fn op_msg(request_id: i32, body: &[u8]) -> Vec<u8> {
    let len = 16 + 4 + 1 + body.len();
    let mut out = Vec::new();
    for v in [len as i32, request_id, 0, 2013] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.push(0);
    out.extend_from_slice(body);
    out
}

/// `{<cmd>: 1, x: {a: {a: ... }}, $db: "admin"}` nested `levels` deep, assembled iteratively.
fn deep_command(cmd: &str, levels: usize) -> Vec<u8> {
    let mut cur = with_len(vec![0x10, b'a', 0, 1, 0, 0, 0]);
    for _ in 0..levels {
        let mut inner = vec![0x03, b'a', 0];
        inner.extend_from_slice(&cur);
        cur = with_len(inner);
    }
    let mut body = vec![0x10];
    body.extend_from_slice(cmd.as_bytes());
    body.extend_from_slice(&[0, 1, 0, 0, 0, 0x03, b'x', 0]);
    body.extend_from_slice(&cur);
    body.extend_from_slice(&[0x02, b'$', b'd', b'b', 0, 6, 0, 0, 0]);
    body.extend_from_slice(b"admin\0");
    with_len(body)
}

#[test]
fn a_2000_level_packet_gets_an_error_reply_and_the_member_keeps_serving() {
    for extra in [&[][..], &["--auth"][..]] {
        let m = Member::sandbox(extra);
        for cmd in ["ping", "hello"] {
            let mut c = m.connect();
            let (to, _, reply) = c.send_raw(&op_msg(41, &deep_command(cmd, 2000))).unwrap();
            assert_eq!(to, 41);
            assert_eq!(reply.get_i32("code").unwrap(), 15, "{reply}");
            assert_eq!(reply.get_str("codeName").unwrap(), "Overflow");
            // The same connection, and a new one, still work.
            let ping_admin = doc! {"ping": 1, "$db": "admin"};
            let (_, _, again) = c.send_raw(&encode_msg(42, 0, &ping_admin)).unwrap();
            assert!(ok(&again), "{again}");
            assert!(ok(&m.connect().admin(ping())));
        }
    }
}

#[test]
fn duplicate_names_and_invalid_utf8_get_error_replies() {
    let m = Member::sandbox(&[]);
    let mut c = m.connect();
    // {ping: 1, ping: 1, $db: "admin"}
    let mut el = vec![];
    for _ in 0..2 {
        el.extend_from_slice(&[0x10, b'p', b'i', b'n', b'g', 0, 1, 0, 0, 0]);
    }
    el.extend_from_slice(&[0x02, b'$', b'd', b'b', 0, 6, 0, 0, 0]);
    el.extend_from_slice(b"admin\0");
    let (_, _, reply) = c.send_raw(&op_msg(1, &with_len(el))).unwrap();
    assert_eq!(reply.get_i32("code").unwrap(), 40413, "{reply}");
    // {insert: "c", documents: [{_id: 1, _id: 2}], $db: "test"}: nothing is inserted.
    let mut d = vec![];
    for v in [1u8, 2] {
        d.extend_from_slice(&[0x10, b'_', b'i', b'd', 0, v, 0, 0, 0]);
    }
    let mut arr = vec![0x03, b'0', 0];
    arr.extend_from_slice(&with_len(d));
    let mut el = vec![
        0x02, b'i', b'n', b's', b'e', b'r', b't', 0, 2, 0, 0, 0, b'c', 0,
    ];
    el.extend_from_slice(&[
        0x04, b'd', b'o', b'c', b'u', b'm', b'e', b'n', b't', b's', 0,
    ]);
    el.extend_from_slice(&with_len(arr));
    el.extend_from_slice(&[0x02, b'$', b'd', b'b', 0, 5, 0, 0, 0]);
    el.extend_from_slice(b"test\0");
    let (_, _, reply) = c.send_raw(&op_msg(2, &with_len(el))).unwrap();
    assert_eq!(reply.get_i32("code").unwrap(), 2, "{reply}");
    let n = c.run("test", doc! {"count": "c"});
    assert_eq!(n.get_i32("n").unwrap(), 0, "{n}");
    // {ping: "\xff", $db: "admin"}
    let mut el = vec![0x02, b'p', b'i', b'n', b'g', 0, 2, 0, 0, 0, 0xff, 0];
    el.extend_from_slice(&[0x02, b'$', b'd', b'b', 0, 6, 0, 0, 0]);
    el.extend_from_slice(b"admin\0");
    let (to, _, reply) = c.send_raw(&op_msg(3, &with_len(el))).unwrap();
    assert_eq!(to, 3);
    assert_eq!(reply.get_i32("code").unwrap(), 22, "{reply}");
    assert!(ok(&c.admin(ping())));
    // An unknown element type inside a well-framed OP_MSG: answered, the connection kept.
    let mut b = encode_msg(4, 0, &doc! {"ping": 1, "$db": "admin"});
    b[25] = 0x55;
    let (to, _, reply) = c.send_raw(&b).unwrap();
    assert_eq!((to, reply.get_i32("code").unwrap()), (4, 22), "{reply}");
    assert!(ok(&c.admin(ping())));
}

#[test]
fn documents_deeper_than_180_levels_are_not_stored() {
    let m = Member::sandbox(&[]);
    let mut c = m.connect();
    let mut deep = doc! {"v": 1};
    for _ in 0..181 {
        deep = doc! {"a": deep};
    }
    let reply = c.run("test", doc! {"insert": "c", "documents": [deep]});
    let code = reply
        .get_array("writeErrors")
        .ok()
        .and_then(|w| w.first()?.as_document()?.get_i32("code").ok())
        .or_else(|| reply.get_i32("code").ok());
    assert_eq!(code, Some(15), "{reply}");
    let n = c.run("test", doc! {"count": "c"});
    assert_eq!(n.get_i32("n").unwrap(), 0, "{n}");
}

/// The listen backlog `ss` reports (Send-Q of a listening socket) for `port`.
fn listen_backlog(port: u16) -> Option<u32> {
    let out = std::process::Command::new("ss")
        .args(["-ltnH", &format!("sport = :{port}")])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines().next()?.split_whitespace().nth(2)?.parse().ok()
}

#[test]
fn listen_backlog_follows_the_option_and_defaults_to_somaxconn() {
    let m = Member::sandbox(&["--listenBacklog", "37"]);
    let Some(given) = listen_backlog(m.port) else {
        eprintln!("ss is not available; skipping the backlog check");
        return;
    };
    assert_eq!(given, 37);
    let d = Member::sandbox(&[]);
    let somaxconn: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(listen_backlog(d.port), Some(somaxconn));
}
