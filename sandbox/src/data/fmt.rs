//! Values printed the way the server prints them inside error messages
//! (`dup key: { _id: ObjectId('…') }`, `{_id: 1}`).

use bson::{Bson, Document};

fn double(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else if f.is_nan() {
        "nan.0".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "inf.0" } else { "-inf.0" }.to_string()
    } else {
        format!("{f}")
    }
}

/// `UUID("…")` for 16-byte UUID binaries (session ids), else `BinData(subtype, HEX)`.
fn binary(b: &bson::Binary) -> String {
    if b.subtype == bson::spec::BinarySubtype::Uuid {
        if let Ok(bytes) = <[u8; 16]>::try_from(b.bytes.as_slice()) {
            return format!("UUID(\"{}\")", bson::Uuid::from_bytes(bytes));
        }
    }
    format!(
        "BinData({}, {})",
        u8::from(b.subtype),
        hex::encode_upper(&b.bytes)
    )
}

/// One value in server notation.
pub fn value(v: &Bson) -> String {
    match v {
        Bson::Double(f) => double(*f),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        Bson::String(s) => format!("\"{s}\""),
        Bson::ObjectId(o) => format!("ObjectId('{}')", o.to_hex()),
        Bson::Boolean(b) => b.to_string(),
        Bson::Null => "null".to_string(),
        Bson::Undefined => "undefined".to_string(),
        Bson::DateTime(d) => format!("new Date({})", d.timestamp_millis()),
        Bson::Timestamp(t) => format!("Timestamp({}, {})", t.time, t.increment),
        Bson::Document(d) => document(d),
        Bson::Array(a) => {
            if a.is_empty() {
                "[]".to_string()
            } else {
                format!("[ {} ]", a.iter().map(value).collect::<Vec<_>>().join(", "))
            }
        }
        Bson::RegularExpression(r) => format!("/{}/{}", r.pattern, r.options),
        Bson::Binary(b) => binary(b),
        Bson::MinKey => "MinKey".to_string(),
        Bson::MaxKey => "MaxKey".to_string(),
        other => other.to_string(),
    }
}

/// A document as `{ a: 1, b: "x" }` (empty: `{}`).
pub fn document(d: &Document) -> String {
    if d.is_empty() {
        return "{}".to_string();
    }
    let parts: Vec<String> = d
        .iter()
        .map(|(k, v)| format!("{k}: {}", value(v)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// A single element without spaces inside the braces: `{_id: 1}` (update error messages).
pub fn element(k: &str, v: &Bson) -> String {
    format!("{{{k}: {}}}", value(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn server_notation() {
        assert_eq!(document(&doc! {"_id": 1}), "{ _id: 1 }");
        assert_eq!(
            document(&doc! {"a": "x", "b": 2.0, "c": 2.5, "d": [1, 2]}),
            "{ a: \"x\", b: 2.0, c: 2.5, d: [ 1, 2 ] }"
        );
        assert_eq!(element("_id", &Bson::Int64(7)), "{_id: 7}");
        let oid = bson::oid::ObjectId::parse_str("65a1b2c3d4e5f60718293a4b")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            value(&Bson::ObjectId(oid)),
            "ObjectId('65a1b2c3d4e5f60718293a4b')"
        );
        let uuid = bson::Uuid::parse_str("715809ba-611c-4aad-905d-6badf8a465ab")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            document(&doc! {"lsid": {"id": uuid}}),
            "{ lsid: { id: UUID(\"715809ba-611c-4aad-905d-6badf8a465ab\") } }"
        );
        let hash = bson::Binary {
            subtype: bson::spec::BinarySubtype::Generic,
            bytes: vec![0x51, 0x03, 0xe2],
        };
        assert_eq!(value(&Bson::Binary(hash)), "BinData(0, 5103E2)");
    }
}
