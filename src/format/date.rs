//! Dates: `ISODate("…")` (UTC, as the legacy `Date.prototype.tojson`) and the JS
//! `Date.prototype.toString` local-time text.

use std::fmt::Write as _;

/// Largest absolute millisecond value a JS Date holds (ECMAScript TimeClip).
pub const JS_DATE_MAX_MS: i64 = 8_640_000_000_000_000;

const MS_PER_DAY: i64 = 86_400_000;

/// Broken-down time (proleptic Gregorian calendar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32, // 1..=12
    pub day: u32,   // 1..=31
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub ms: u32,
    pub weekday: u32, // 0 = Sunday
}

/// Splits milliseconds since the epoch (UTC) into calendar fields; defined for every i64.
pub(crate) fn civil_from_ms(ms: i64) -> Civil {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    // Days → (y, m, d): the era-based method (400-year eras of 146097 days, March-first years).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (in_day / 3_600_000) as u32,
        minute: (in_day / 60_000 % 60) as u32,
        second: (in_day / 1000 % 60) as u32,
        ms: (in_day % 1000) as u32,
        weekday: (days + 4).rem_euclid(7) as u32, // 1970-01-01 was a Thursday
    }
}

/// Left-pads the decimal text of `n` with zeros to `width` characters, as the legacy
/// `Number.prototype.zeroPad` does (the sign counts: -1 → `00-1`). No allocation: dates are
/// printed once per field of every document.
fn zero_pad(out: &mut String, n: i64, width: usize) {
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    let len = buf.len() - i;
    for _ in len..width {
        out.push('0');
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// `ISODate("YYYY-MM-DDTHH:MM:SS[.mmm]Z")`; milliseconds only when non-zero; dates a JS Date
/// cannot hold print as the legacy shell prints an invalid date.
pub fn iso_date(ms: i64) -> String {
    let mut s = String::with_capacity(32);
    write_iso_date(&mut s, ms);
    s
}

/// Appends [`iso_date`] text to `out`.
pub fn write_iso_date(out: &mut String, ms: i64) {
    if !(-JS_DATE_MAX_MS..=JS_DATE_MAX_MS).contains(&ms) {
        out.push_str("ISODate(\"0NaN-NaN-NaNTNaN:NaN:NaNZ\")");
        return;
    }
    let c = civil_from_ms(ms);
    out.push_str("ISODate(\"");
    zero_pad(out, c.year, 4);
    out.push('-');
    zero_pad(out, i64::from(c.month), 2);
    out.push('-');
    zero_pad(out, i64::from(c.day), 2);
    out.push('T');
    zero_pad(out, i64::from(c.hour), 2);
    out.push(':');
    zero_pad(out, i64::from(c.minute), 2);
    out.push(':');
    zero_pad(out, i64::from(c.second), 2);
    if c.ms != 0 {
        out.push('.');
        zero_pad(out, i64::from(c.ms), 3);
    }
    out.push_str("Z\")");
}

/// ISO-8601 text with milliseconds always present (`Date.prototype.toISOString`), or None
/// when a JS Date cannot hold the value. Used by Extended JSON.
pub(crate) fn iso_string_ms(ms: i64) -> Option<String> {
    if !(-JS_DATE_MAX_MS..=JS_DATE_MAX_MS).contains(&ms) {
        return None;
    }
    let c = civil_from_ms(ms);
    let mut s = String::with_capacity(27);
    if (0..=9999).contains(&c.year) {
        let _ = write!(s, "{:04}", c.year);
    } else {
        let _ = write!(
            s,
            "{}{:06}",
            if c.year < 0 { '-' } else { '+' },
            c.year.abs()
        );
    }
    let _ = write!(
        s,
        "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.month, c.day, c.hour, c.minute, c.second, c.ms
    );
    Some(s)
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

extern "C" {
    // POSIX; not exported by the libc crate on every target.
    fn tzset();
}

/// The local time zone at an instant: offset east of UTC in seconds and its abbreviation.
fn local_zone(secs: i64) -> Option<(i64, String)> {
    let t = libc::time_t::try_from(secs).ok()?;
    // SAFETY: tzset only reads TZ and the zone files; localtime_r writes into the zeroed tm we own;
    // tm_zone, when set, points at a NUL-terminated static string owned by libc.
    unsafe {
        tzset();
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return None;
        }
        let zone = if tm.tm_zone.is_null() {
            String::new()
        } else {
            std::ffi::CStr::from_ptr(tm.tm_zone)
                .to_string_lossy()
                .into_owned()
        };
        Some((tm.tm_gmtoff, zone))
    }
}

/// JS `Date.prototype.toString()` in the local time zone (TZ honoured):
/// `Mon Jan 05 2026 10:00:00 GMT+0000 (UTC)`; `Invalid Date` beyond the JS Date range.
pub fn js_date_to_string(ms: i64) -> String {
    if !(-JS_DATE_MAX_MS..=JS_DATE_MAX_MS).contains(&ms) {
        return "Invalid Date".to_string();
    }
    let (offset, zone) = local_zone(ms.div_euclid(1000)).unwrap_or((0, "UTC".to_string()));
    let c = civil_from_ms(ms + offset * 1000);
    let mut s = String::with_capacity(48);
    let _ = write!(
        s,
        "{} {} {:02} ",
        DAYS[c.weekday as usize % 7],
        MONTHS[(c.month as usize + 11) % 12],
        c.day
    );
    if c.year < 0 {
        let _ = write!(s, "-{:04}", -c.year);
    } else {
        let _ = write!(s, "{:04}", c.year);
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let off_min = offset.abs() / 60;
    let _ = write!(
        s,
        " {:02}:{:02}:{:02} GMT{}{:02}{:02}",
        c.hour,
        c.minute,
        c.second,
        sign,
        off_min / 60,
        off_min % 60
    );
    if !zone.is_empty() {
        let _ = write!(s, " ({zone})");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_points() {
        let c = civil_from_ms(0);
        assert_eq!((c.year, c.month, c.day, c.weekday), (1970, 1, 1, 4));
        let c = civil_from_ms(-1);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.ms),
            (1969, 12, 31, 23, 999)
        );
        let c = civil_from_ms(951_782_400_000); // 2000-02-29
        assert_eq!((c.year, c.month, c.day), (2000, 2, 29));
    }

    #[test]
    fn iso_dates() {
        assert_eq!(
            iso_date(1_450_623_551_000),
            "ISODate(\"2015-12-20T14:59:11Z\")"
        );
        assert_eq!(
            iso_date(1_450_623_551_120),
            "ISODate(\"2015-12-20T14:59:11.120Z\")"
        );
        assert_eq!(
            iso_date(-59_042_995_200_000),
            "ISODate(\"0099-01-01T00:00:00Z\")"
        );
        assert_eq!(iso_date(i64::MAX), "ISODate(\"0NaN-NaN-NaNTNaN:NaN:NaNZ\")");
        assert_eq!(
            iso_date(-62_198_755_200_000),
            "ISODate(\"00-1-01-01T00:00:00Z\")"
        );
    }
}
