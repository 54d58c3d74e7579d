use super::*;
use bson::{doc, Bson};
use proptest::prelude::*;

/// Builds an OP_MSG from raw sections so tests can craft what encoders never produce.
fn raw_msg(request_id: i32, flags: u32, sections: &[u8], checksum: bool) -> Vec<u8> {
    let mut body = flags.to_le_bytes().to_vec();
    body.extend_from_slice(sections);
    let len = 16 + body.len() + if checksum { 4 } else { 0 };
    let mut out = (len as i32).to_le_bytes().to_vec();
    out.extend_from_slice(&request_id.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&OP_MSG.to_le_bytes());
    out.extend_from_slice(&body);
    if checksum {
        let sum = crc32c::crc32c(&out);
        out.extend_from_slice(&sum.to_le_bytes());
    }
    out
}

fn body_section(d: &Document) -> Vec<u8> {
    let mut v = vec![0u8];
    d.to_writer(&mut v).unwrap();
    v
}

fn seq_section(name: &str, docs: &[Document]) -> Vec<u8> {
    let mut inner = name.as_bytes().to_vec();
    inner.push(0);
    for d in docs {
        d.to_writer(&mut inner).unwrap();
    }
    let mut v = vec![1u8];
    v.extend_from_slice(&((inner.len() + 4) as i32).to_le_bytes());
    v.extend_from_slice(&inner);
    v
}

fn protocol_code(r: Result<Message, WireError>) -> i32 {
    match r {
        Err(WireError::Protocol { code, .. }) => code,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn msg_request_round_trips() {
    let cmd = doc! {"ping": 1, "$db": "admin"};
    let m = parse(&encode_msg_request(7, &cmd)).unwrap();
    assert_eq!(m.request_id, 7);
    assert_eq!(m.response_to, 0);
    assert_eq!(
        m.op,
        OpBody::Msg {
            flags: 0,
            body: cmd
        }
    );
}

#[test]
fn msg_reply_has_response_to_and_one_section() {
    let bytes = encode_msg_reply(9, 7, &doc! {"ok": 1.0});
    let m = parse(&bytes).unwrap();
    assert_eq!((m.request_id, m.response_to), (9, 7));
    // flags (4) + kind byte (1) + document: exactly one section, no checksum.
    assert_eq!(bytes.len(), 16 + 4 + 1 + doc! {"ok": 1.0}.to_vec_len());
}

trait VecLen {
    fn to_vec_len(&self) -> usize;
}
impl VecLen for Document {
    fn to_vec_len(&self) -> usize {
        let mut v = Vec::new();
        self.to_writer(&mut v).unwrap();
        v.len()
    }
}

#[test]
fn document_sequences_merge_into_body() {
    let mut sections = body_section(&doc! {"insert": "c", "$db": "test"});
    sections.extend(seq_section(
        "documents",
        &[doc! {"_id": 1}, doc! {"_id": 2}],
    ));
    let m = parse(&raw_msg(1, 0, &sections, false)).unwrap();
    let body = m.document().unwrap();
    assert_eq!(body.get_str("insert").unwrap(), "c");
    let docs = body.get_array("documents").unwrap();
    assert_eq!(
        docs,
        &vec![
            Bson::Document(doc! {"_id": 1}),
            Bson::Document(doc! {"_id": 2})
        ]
    );
}

#[test]
fn sequence_may_precede_body_and_be_empty() {
    let mut sections = seq_section("deletes", &[]);
    sections.extend(body_section(&doc! {"delete": "c", "$db": "test"}));
    let m = parse(&raw_msg(1, 0, &sections, false)).unwrap();
    assert_eq!(m.document().unwrap().get_array("deletes").unwrap().len(), 0);
}

#[test]
fn checksum_is_verified_and_stripped() {
    let sections = body_section(&doc! {"ping": 1, "$db": "admin"});
    let m = parse(&raw_msg(3, FLAG_CHECKSUM_PRESENT, &sections, true)).unwrap();
    assert_eq!(
        m.op,
        OpBody::Msg {
            flags: 0,
            body: doc! {"ping": 1, "$db": "admin"}
        }
    );
    let mut bad = raw_msg(3, FLAG_CHECKSUM_PRESENT, &sections, true);
    let last = bad.len() - 1;
    bad[last] ^= 0xff;
    assert_eq!(protocol_code(parse(&bad)), 288);
}

#[test]
fn unknown_required_flag_is_223_optional_bits_ignored() {
    let sections = body_section(&doc! {"ping": 1, "$db": "admin"});
    let err = parse(&raw_msg(5, 1 << 3, &sections, false)).unwrap_err();
    let (to, reply) = err.error_reply().unwrap();
    assert_eq!(to, 5);
    assert_eq!(reply.get_i32("code").unwrap(), 223);
    assert_eq!(reply.get_str("codeName").unwrap(), "IllegalOpMsgFlag");
    let m = parse(&raw_msg(
        5,
        FLAG_EXHAUST_ALLOWED | (1 << 20),
        &sections,
        false,
    ))
    .unwrap();
    assert!(m.exhaust_allowed());
    assert!(!m.more_to_come());
}

#[test]
fn more_to_come_is_reported() {
    let sections = body_section(&doc! {"insert": "c", "$db": "t"});
    assert!(parse(&raw_msg(1, FLAG_MORE_TO_COME, &sections, false))
        .unwrap()
        .more_to_come());
}

#[test]
fn section_rules_give_server_codes() {
    let b = body_section(&doc! {"insert": "c", "$db": "t"});
    assert_eq!(protocol_code(parse(&raw_msg(1, 0, &[], false))), 40587);
    assert_eq!(
        protocol_code(parse(&raw_msg(
            1,
            0,
            &[b.clone(), b.clone()].concat(),
            false
        ))),
        40430
    );
    let s = seq_section("documents", &[doc! {"a": 1}]);
    assert_eq!(
        protocol_code(parse(&raw_msg(
            1,
            0,
            &[b.clone(), s.clone(), s.clone()].concat(),
            false
        ))),
        40431
    );
    let three = [
        b.clone(),
        seq_section("a", &[]),
        seq_section("b", &[]),
        seq_section("c", &[]),
    ]
    .concat();
    assert_eq!(protocol_code(parse(&raw_msg(1, 0, &three, false))), 233);
    let clash = body_section(&doc! {"insert": "c", "documents": [], "$db": "t"});
    assert_eq!(
        protocol_code(parse(&raw_msg(1, 0, &[clash, s].concat(), false))),
        40433
    );
    assert_eq!(
        protocol_code(parse(&raw_msg(1, 0, &[b, vec![2u8]].concat(), false))),
        40432
    );
}

#[test]
fn op_query_unwraps_query_and_keeps_read_preference() {
    let wrapped = doc! {"$query": {"ismaster": 1, "helloOk": true}, "$readPreference": {"mode": "secondaryPreferred"}};
    let m = parse(&encode_op_query(
        11,
        QUERY_FLAG_SECONDARY_OK,
        "admin.$cmd",
        &wrapped,
    ))
    .unwrap();
    match m.op {
        OpBody::Query {
            flags,
            full_collection_name,
            query,
        } => {
            assert_eq!(flags, 4);
            assert_eq!(full_collection_name, "admin.$cmd");
            assert_eq!(query.keys().next().map(String::as_str), Some("ismaster"));
            assert_eq!(
                query
                    .get_document("$readPreference")
                    .unwrap()
                    .get_str("mode")
                    .unwrap(),
                "secondaryPreferred"
            );
        }
        other => panic!("{other:?}"),
    }
    let plain = doc! {"ismaster": 1};
    let m = parse(&encode_op_query(12, 0, "admin.$cmd", &plain)).unwrap();
    assert_eq!(m.document(), Some(&plain));
}

#[test]
fn op_reply_encodes_flags_8_cursor_0_one_document() {
    let bytes = encode_op_reply(2, 11, &doc! {"ok": 1.0});
    assert_eq!(&bytes[12..16], &OP_REPLY.to_le_bytes());
    assert_eq!(&bytes[16..20], &8i32.to_le_bytes());
    match parse(&bytes).unwrap() {
        Message {
            request_id: 2,
            response_to: 11,
            op:
                OpBody::Reply {
                    flags: 8,
                    cursor_id: 0,
                    documents,
                },
        } => {
            assert_eq!(documents, vec![doc! {"ok": 1.0}])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lengths_compressed_and_unknown_opcodes_are_errors() {
    let mut m = encode_msg_request(1, &doc! {"ping": 1});
    assert!(matches!(parse(&m[..3]), Err(WireError::Truncated(_))));
    assert!(matches!(parse(&m[..10]), Err(WireError::BadLength(_))));
    m[0..4].copy_from_slice(&16i32.to_le_bytes());
    assert!(matches!(parse(&m), Err(WireError::BadLength(16))));
    let too_long = m.len() as i32 + 1;
    m[0..4].copy_from_slice(&too_long.to_le_bytes());
    assert!(matches!(parse(&m), Err(WireError::BadLength(_))));
    let mut c = encode_msg_request(1, &doc! {"ping": 1});
    c[12..16].copy_from_slice(&OP_COMPRESSED.to_le_bytes());
    assert!(matches!(parse(&c), Err(WireError::Compressed)));
    c[12..16].copy_from_slice(&2002i32.to_le_bytes());
    assert!(matches!(parse(&c), Err(WireError::UnknownOpcode(2002))));
}

#[test]
fn bad_bson_is_an_error() {
    let mut sections = body_section(&doc! {"ping": 1, "$db": "admin"});
    // Corrupt the element type byte of "ping".
    sections[5] = 0x7f;
    let err = parse(&raw_msg(1, 0, &sections, false)).unwrap_err();
    assert!(err.keeps_connection(), "{err:?}");
    assert_eq!(err.error_reply().unwrap().1.get_i32("code").unwrap(), 22);
}

#[tokio::test]
async fn read_message_frames_and_rejects_lengths_early() {
    let a = encode_msg_request(1, &doc! {"ping": 1, "$db": "admin"});
    let b = encode_msg_request(2, &doc! {"hello": 1, "$db": "admin"});
    let both = [a, b].concat();
    let mut r = &both[..];
    assert_eq!(
        read_message(&mut r, MAX_MESSAGE_LEN)
            .await
            .unwrap()
            .unwrap()
            .request_id,
        1
    );
    assert_eq!(
        read_message(&mut r, MAX_MESSAGE_LEN)
            .await
            .unwrap()
            .unwrap()
            .request_id,
        2
    );
    assert!(read_message(&mut r, MAX_MESSAGE_LEN)
        .await
        .unwrap()
        .is_none());
    // A huge announced length fails without waiting for (or allocating) the body.
    let huge = [(48_000_001i32).to_le_bytes(), [0; 4]].concat();
    assert!(matches!(
        read_message(&mut &huge[..], MAX_MESSAGE_LEN).await,
        Err(WireError::BadLength(_))
    ));
    let short = [3u8, 0];
    assert!(matches!(
        read_message(&mut &short[..], MAX_MESSAGE_LEN).await,
        Err(WireError::Truncated(_))
    ));
    let cut = encode_msg_request(3, &doc! {"ping": 1});
    assert!(matches!(
        read_message(&mut &cut[..cut.len() - 2], MAX_MESSAGE_LEN).await,
        Err(WireError::Truncated(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn parse_never_panics_on_mutated_messages(
        flags in any::<u32>(),
        pos in any::<usize>(),
        byte in any::<u8>(),
        cut in any::<usize>(),
        seq in any::<bool>(),
    ) {
        let mut sections = body_section(&doc! {"insert": "c", "$db": "t", "n": 1.5});
        if seq {
            sections.extend(seq_section("documents", &[doc! {"_id": 1, "s": "x"}]));
        }
        let mut m = raw_msg(1, flags, &sections, flags & 1 != 0);
        let i = pos % m.len();
        m[i] = byte;
        let _ = parse(&m);
        let end = cut % (m.len() + 1);
        let _ = parse(&m[..end]);
    }

    #[test]
    fn well_formed_requests_round_trip(id in any::<i32>(), n in any::<i64>(), s in ".{0,40}") {
        let cmd = doc! {"find": s.clone(), "filter": {"n": n}, "$db": "test"};
        let m = parse(&encode_msg_request(id, &cmd)).unwrap();
        prop_assert_eq!(m.request_id, id);
        prop_assert_eq!(m.document(), Some(&cmd));
    }
}
