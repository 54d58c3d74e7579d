//! `ISODate([string])` → a JS `Date` (UTC when no zone is given, as in the legacy shell).

use boa_engine::object::builtins::JsDate;
use boa_engine::object::FunctionObjectBuilder;
use boa_engine::{js_string, Context, JsResult, JsValue, NativeFunction};

use super::common::{js_str, new_date};
use super::object_id::NativeFn;
use crate::js::args::{type_error, wrong_type};
use crate::js::format;
use crate::js::natives::global_fn;

pub fn register(ctx: &mut Context) -> JsResult<()> {
    global_fn(ctx, "ISODate", 1, iso_date)?;
    // Legacy text for dates: `tojson()` → ISODate("…"), `toString()` → local time as the
    // legacy shell shows it (both produced by the format layer).
    let proto = ctx.intrinsics().constructors().date().prototype();
    for (name, f) in [
        ("tojson", date_tojson as NativeFn),
        ("toString", date_to_string),
    ] {
        let func = FunctionObjectBuilder::new(ctx.realm(), NativeFunction::from_fn_ptr(f))
            .name(js_string!(name))
            .length(0)
            .build();
        crate::js::args::define_builtin(&proto, js_string!(name), func, ctx)?;
    }
    Ok(())
}

/// The time value of a Date `this` (NaN for an invalid date).
fn time_of(this: &JsValue, ctx: &mut Context) -> JsResult<f64> {
    let obj = this
        .as_object()
        .ok_or_else(|| type_error("Date method called on a non-Date"))?;
    let date = JsDate::from_object(obj.clone())?;
    Ok(date.get_time(ctx)?.as_number().unwrap_or(f64::NAN))
}

fn date_tojson(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let ms = time_of(this, ctx)?;
    if !ms.is_finite() {
        return Ok(js_str("ISODate(\"0NaN-NaN-NaNTNaN:NaN:NaNZ\")"));
    }
    Ok(js_str(&format::iso_date(ms as i64)))
}

fn date_to_string(this: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let ms = time_of(this, ctx)?;
    if !ms.is_finite() {
        return Ok(js_str("Invalid Date"));
    }
    Ok(js_str(&format::js_date_to_string(ms as i64)))
}

fn iso_date(_: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    let ms = match args.first().filter(|v| !v.is_undefined()) {
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as f64)
            .unwrap_or(0.0),
        Some(v) => match v.as_string() {
            Some(s) => {
                let text = s.to_std_string_escaped();
                parse_iso(&text).ok_or_else(|| type_error(format!("invalid ISO date: {text}")))?
                    as f64
            }
            None if v.as_number().is_some() => v.as_number().unwrap_or(f64::NAN),
            None => return Err(wrong_type("ISODate()", "argument", "a string", Some(v))),
        },
    };
    new_date(ms, ctx)
}

/// Milliseconds since the epoch for `YYYY-MM-DD[(T| )HH[:]MM[[:]SS[.fff]]][Z|±HH[:][MM]]`
/// (also without dashes), the forms the legacy `ISODate` accepts.
pub fn parse_iso(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let mut p = Parser { b, i: 0 };
    let year = p.digits(4)? as i64;
    p.opt(b'-');
    let month = p.digits(2)?;
    p.opt(b'-');
    let day = p.digits(2)?;
    let (mut h, mut m, mut sec, mut ms, mut offset_min) = (0u32, 0u32, 0u32, 0u32, 0i64);
    if p.i < b.len() && (b[p.i] == b'T' || b[p.i] == b' ') {
        p.i += 1;
        h = p.digits(2)?;
        p.opt(b':');
        if p.peek_digit() {
            m = p.digits(2)?;
            p.opt(b':');
            if p.peek_digit() {
                sec = p.digits(2)?;
                if p.opt(b'.') {
                    let start = p.i;
                    while p.peek_digit() {
                        p.i += 1;
                    }
                    let frac = std::str::from_utf8(&b[start..p.i]).ok()?;
                    if frac.is_empty() {
                        return None;
                    }
                    // Milliseconds: first three digits, right-padded.
                    let three: String = frac.chars().chain("000".chars()).take(3).collect();
                    ms = three.parse().ok()?;
                }
            }
        }
        if p.opt(b'Z') {
        } else if p.i < b.len() && (b[p.i] == b'+' || b[p.i] == b'-') {
            let sign = if b[p.i] == b'-' { -1 } else { 1 };
            p.i += 1;
            let oh = p.digits(2)? as i64;
            p.opt(b':');
            let om = if p.peek_digit() {
                p.digits(2)? as i64
            } else {
                0
            };
            offset_min = sign * (oh * 60 + om);
        }
    }
    if p.i != b.len() || !(1..=12).contains(&month) || day == 0 || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = chrono::NaiveTime::from_hms_milli_opt(h, m, sec.min(59), ms)?;
    let utc = chrono::NaiveDateTime::new(date, time)
        .and_utc()
        .timestamp_millis();
    Some(utc - offset_min * 60_000)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.i.checked_add(n)?;
        let part = self.b.get(self.i..end)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i = end;
        std::str::from_utf8(part).ok()?.parse().ok()
    }

    fn opt(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek_digit(&self) -> bool {
        self.b.get(self.i).is_some_and(u8::is_ascii_digit)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_iso;

    #[test]
    fn iso_forms() {
        assert_eq!(parse_iso("1970-01-01"), Some(0));
        assert_eq!(parse_iso("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_iso("1970-01-01T00:00:00.120Z"), Some(120));
        assert_eq!(parse_iso("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_iso("19700101T000002"), Some(2000));
        assert_eq!(parse_iso("2020-13-01"), None);
        assert_eq!(parse_iso("nonsense"), None);
        assert_eq!(parse_iso("2020-01-01T00:00:00Zjunk"), None);
    }
}
