//! mongod's limits on incoming documents: depth, size, UTF-8, duplicate names; and hostile bytes
//! never panic.

use super::validate::{check_document, Dups, MAX_DEPTH};
use super::*;
use bson::{doc, Bson};
use proptest::prelude::*;

/// `{a: {a: ... {a: 1}}}` with `levels` nested documents below the top, built iteratively.
fn nested(levels: usize) -> Document {
    let mut d = doc! {"a": 1};
    for _ in 0..levels {
        d = doc! {"a": d};
    }
    d
}

/// Raw bytes of `{ping: 1, x: <levels deep>, $db: "admin"}` built without any recursion (the bson
/// crate's encoder recurses, so 2000 levels are assembled by hand).
fn deep_command(levels: usize) -> Vec<u8> {
    // Innermost: {a: 1} = len(4) + 0x10 "a\0" int32 + NUL.
    let mut inner: Vec<u8> = vec![0x10, b'a', 0, 1, 0, 0, 0];
    let mut cur = with_len(inner);
    for _ in 0..levels {
        inner = vec![0x03, b'a', 0];
        inner.extend_from_slice(&cur);
        cur = with_len(inner);
    }
    let mut body = vec![0x10, b'p', b'i', b'n', b'g', 0, 1, 0, 0, 0];
    body.extend_from_slice(&[0x03, b'x', 0]);
    body.extend_from_slice(&cur);
    body.extend_from_slice(&[0x02, b'$', b'd', b'b', 0, 6, 0, 0, 0]);
    body.extend_from_slice(b"admin\0");
    with_len(body)
}

fn with_len(mut elements: Vec<u8>) -> Vec<u8> {
    elements.push(0);
    let mut out = ((elements.len() + 4) as i32).to_le_bytes().to_vec();
    out.extend_from_slice(&elements);
    out
}

fn op_msg(request_id: i32, body: &[u8]) -> Vec<u8> {
    let len = 16 + 4 + 1 + body.len();
    let mut out = (len as i32).to_le_bytes().to_vec();
    out.extend_from_slice(&request_id.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&OP_MSG.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.push(0);
    out.extend_from_slice(body);
    out
}

fn refused_code(r: Result<Message, WireError>) -> i32 {
    match r {
        Err(e @ WireError::Refused { .. }) => {
            assert!(e.keeps_connection());
            e.error_reply().unwrap().1.get_i32("code").unwrap()
        }
        other => panic!("expected a refused document, got {other:?}"),
    }
}

#[test]
fn two_thousand_levels_are_refused_with_overflow() {
    let err = parse(&op_msg(5, &deep_command(2000))).unwrap_err();
    let (to, reply) = err.error_reply().unwrap();
    assert_eq!(to, 5);
    assert_eq!(reply.get_i32("code").unwrap(), 15);
    assert_eq!(reply.get_str("codeName").unwrap(), "Overflow");
    assert_eq!(
        reply.get_str("errmsg").unwrap(),
        "BSONObj exceeds maximum nested object depth"
    );
}

/// Runs `f` on a thread with a server-sized stack: the bson crate's parser and encoder recurse,
/// and 200 levels need more than a test thread's default in a debug build.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(validate::PARSE_STACK_BYTES)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn depth_limit_is_two_hundred_levels_below_the_top() {
    with_big_stack(depth_limit_checks);
}

fn depth_limit_checks() {
    // `x` is one level; `deep_command(n)` adds n more below it.
    assert!(parse(&op_msg(1, &deep_command(MAX_DEPTH - 1))).is_ok());
    assert_eq!(
        refused_code(parse(&op_msg(1, &deep_command(MAX_DEPTH)))),
        15
    );
    let mut v = Vec::new();
    nested(MAX_DEPTH).to_writer(&mut v).unwrap();
    assert!(check_document(&v, Dups::Command).is_ok());
    let mut v = Vec::new();
    nested(MAX_DEPTH + 1).to_writer(&mut v).unwrap();
    assert!(check_document(&v, Dups::Command).is_err());
}

#[test]
fn duplicate_command_fields_are_refused() {
    // {ping: 1, ping: 1, $db: "admin"} by hand (a Document cannot hold a name twice).
    let mut el = vec![];
    for _ in 0..2 {
        el.extend_from_slice(&[0x10, b'p', b'i', b'n', b'g', 0, 1, 0, 0, 0]);
    }
    el.extend_from_slice(&[0x02, b'$', b'd', b'b', 0, 6, 0, 0, 0]);
    el.extend_from_slice(b"admin\0");
    let err = parse(&op_msg(1, &with_len(el))).unwrap_err();
    let reply = err.error_reply().unwrap().1;
    assert_eq!(reply.get_i32("code").unwrap(), 40413);
    assert_eq!(
        reply.get_str("errmsg").unwrap(),
        "BSON field 'ping.ping' is a duplicate field"
    );
}

#[test]
fn duplicate_ids_in_a_document_are_refused() {
    // {_id: 1, _id: 2}
    let mut el = vec![];
    for v in [1u8, 2] {
        el.extend_from_slice(&[0x10, b'_', b'i', b'd', 0, v, 0, 0, 0]);
    }
    let d = with_len(el);
    assert_eq!(check_document(&d, Dups::Document).unwrap_err().code, 2);
    assert!(check_document(&d, Dups::Allowed).is_ok());
    // Inside a command's documents array.
    let mut el = vec![
        0x02, b'i', b'n', b's', b'e', b'r', b't', 0, 2, 0, 0, 0, b'c', 0,
    ];
    el.extend_from_slice(&[0x04, b'd', 0]);
    let mut arr = vec![0x03, b'0', 0];
    arr.extend_from_slice(&d);
    el.extend_from_slice(&with_len(arr));
    let err = check_document(&with_len(el), Dups::Command).unwrap_err();
    assert_eq!(err.errmsg, "can't have multiple _id fields in one document");
}

#[test]
fn invalid_utf8_is_refused_with_a_reply() {
    // {ping: "\xff"} and a field name with \xc3 alone.
    let el = vec![0x02, b'p', b'i', b'n', b'g', 0, 2, 0, 0, 0, 0xff, 0];
    assert_eq!(refused_code(parse(&op_msg(3, &with_len(el)))), 22);
    let el = vec![0x10, 0xc3, 0, 1, 0, 0, 0];
    assert_eq!(refused_code(parse(&op_msg(3, &with_len(el)))), 22);
}

#[test]
fn oversized_documents_are_refused() {
    let big = "x".repeat(validate::MAX_DOCUMENT_LEN);
    let mut v = Vec::new();
    doc! {"insert": "c", "s": big}.to_writer(&mut v).unwrap();
    let err = check_document(&v, Dups::Command).unwrap_err();
    assert_eq!(err.code, 10334);
    assert!(err.errmsg.starts_with("BSONObj size: "), "{}", err.errmsg);
    let ok = "x".repeat(16 * 1024 * 1024);
    let mut v = Vec::new();
    doc! {"insert": "c", "s": ok}.to_writer(&mut v).unwrap();
    assert!(check_document(&v, Dups::Command).is_ok());
}

#[test]
fn every_bson_type_passes_the_validator() {
    let d = doc! {
        "d": 1.5, "s": "é", "o": {"x": [1, {"y": null}]}, "b": Bson::Binary(bson::Binary {
            subtype: bson::spec::BinarySubtype::Generic, bytes: vec![1, 2]}),
        "u": Bson::Undefined, "oid": bson::oid::ObjectId::new(), "t": true,
        "dt": bson::DateTime::from_millis(5), "n": Bson::Null,
        "re": Bson::RegularExpression(bson::Regex { pattern: "a".into(), options: "i".into() }),
        "js": Bson::JavaScriptCode("f()".into()),
        "jsw": Bson::JavaScriptCodeWithScope(bson::JavaScriptCodeWithScope {
            code: "g()".into(), scope: doc! {"v": 1}}),
        "sym": Bson::Symbol("q".into()), "i": 7, "ts": Bson::Timestamp(bson::Timestamp {time: 1, increment: 2}),
        "l": 9i64, "dec": Bson::Decimal128(bson::Decimal128::from_bytes([0; 16])),
        "min": Bson::MinKey, "max": Bson::MaxKey,
    };
    let mut v = Vec::new();
    d.to_writer(&mut v).unwrap();
    assert_eq!(check_document(&v, Dups::Command), Ok(()));
}

/// A valid request to mutate.
fn sample_request() -> Vec<u8> {
    encode_msg_request(
        9,
        &doc! {"insert": "c", "documents": [{"_id": 1, "a": {"b": [1, "x"]}}], "$db": "test"},
    )
}

/// `PROPTEST_CASES` when set (scripts/fuzz.sh), else the suite's bounded number.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// Random bytes: an error or a message, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&bytes);
        let _ = check_document(&bytes, Dups::Command);
    }

    /// Mutated valid requests (byte flips, truncation, insertion): an error or a message.
    #[test]
    fn mutated_requests_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut m = sample_request();
        for (at, b) in flips {
            let i = at.index(m.len());
            m[i] = b;
        }
        if truncate {
            let n = cut.index(m.len());
            m.truncate(n);
            if m.len() >= 4 {
                let len = m.len() as i32;
                m[0..4].copy_from_slice(&len.to_le_bytes());
            }
        }
        if let Ok(msg) = parse(&m) {
            // Whatever parses re-encodes.
            if let Some(d) = msg.document() {
                let _ = encode_msg_reply(1, 2, d);
            }
        }
    }
}
