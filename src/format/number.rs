//! JS number text: ECMAScript Number::toString (radix 10), Math.round and Number.prototype.toFixed.

use std::fmt::Write as _;

/// A small stack buffer for `{:e}` output, so formatting a number does not allocate.
struct StackBuf {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// ECMAScript Number::toString: `1`, `1.5`, `-0` → `0`, `1e+21`, `1e-7`, `NaN`, `Infinity`.
pub fn js_number(f: f64) -> String {
    let mut s = String::new();
    write_js_number(&mut s, f);
    s
}

/// Appends the ECMAScript Number::toString text of `f` to `out`.
pub fn write_js_number(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f == 0.0 {
        out.push('0'); // covers -0 as well
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    // Rust's `{:e}` gives the shortest digits that round-trip (like ECMAScript requires),
    // as `d[.ddd]e<exp>`; only the layout rules differ.
    let mut buf = StackBuf {
        buf: [0; 40],
        len: 0,
    };
    if write!(buf, "{:e}", f.abs()).is_err() {
        // ok: cannot happen (at most 17 digits + exponent), but never panic on it.
        let _ = write!(out, "{}", f.abs());
        return;
    }
    let text = &buf.buf[..buf.len];
    let e_pos = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    let mut digits = [0u8; 24];
    let mut k = 0usize;
    for &b in &text[..e_pos] {
        if b.is_ascii_digit() && k < digits.len() {
            digits[k] = b;
            k += 1;
        }
    }
    let exp: i32 = std::str::from_utf8(&text[(e_pos + 1).min(text.len())..])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let digits = &digits[..k];
    let n = exp + 1; // value = 0.d1d2…dk × 10^n
    let k = k as i32;
    let push_digits = |out: &mut String, d: &[u8]| {
        for &b in d {
            out.push(b as char);
        }
    };
    if k <= n && n <= 21 {
        push_digits(out, digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        push_digits(out, &digits[..n as usize]);
        out.push('.');
        push_digits(out, &digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        push_digits(out, digits);
    } else {
        push_digits(out, &digits[..1]);
        if k > 1 {
            out.push('.');
            push_digits(out, &digits[1..]);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        let _ = write!(out, "{}", (n - 1).abs());
    }
}

/// JS `Math.round`: rounds half up (towards +∞), keeps NaN and infinities.
pub fn js_round(x: f64) -> f64 {
    if !x.is_finite() || x.fract() == 0.0 {
        return x;
    }
    // x - floor(x) is exact, unlike x + 0.5 (which rounds up for 0.49999999999999994).
    let r = x.floor();
    if x - r >= 0.5 {
        r + 1.0
    } else {
        r
    }
}

/// JS `Number.prototype.toFixed(digits)` for `digits` ≤ 20: exact decimal value, ties rounded up
/// in magnitude (unlike Rust's `{:.N}`, which rounds exact ties to even).
pub fn js_to_fixed(x: f64, digits: usize) -> String {
    let digits = digits.min(20);
    if !x.is_finite() || x.abs() >= 1e21 {
        return js_number(x);
    }
    // The exact binary value has at most 1074 fractional decimal digits: print them all, then
    // round half-up by hand on that exact expansion.
    let exact = format!("{:.1075}", x.abs());
    let (int_part, frac) = exact.split_once('.').unwrap_or((exact.as_str(), ""));
    let mut kept: Vec<u8> = int_part.bytes().chain(frac.bytes().take(digits)).collect();
    let round_up = frac.as_bytes().get(digits).is_some_and(|&d| d >= b'5');
    if round_up {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let int_len = kept.len() - digits;
    let mut s = String::with_capacity(kept.len() + 2);
    if x < 0.0 {
        s.push('-'); // JS keeps the sign even when the rounded digits are all zero
    }
    s.push_str(std::str::from_utf8(&kept[..int_len]).unwrap_or("0"));
    if digits > 0 {
        s.push('.');
        s.push_str(std::str::from_utf8(&kept[int_len..]).unwrap_or(""));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_to_string_rules() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (1.5, "1.5"),
            (-0.0, "0"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456789.125, "123456789.125"),
            (-2.5e-10, "-2.5e-10"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (2147483648.0, "2147483648"),
            (0.5, "0.5"),
            (1.25e21, "1.25e+21"),
        ];
        for (f, want) in cases {
            assert_eq!(js_number(*f), *want, "for {f:?}");
        }
    }

    #[test]
    fn math_round() {
        assert_eq!(js_round(2.5), 3.0);
        assert_eq!(js_round(-2.5), -2.0);
        assert_eq!(js_round(0.49999999999999994), 0.0);
        assert_eq!(js_round(-0.4), -0.0);
        assert_eq!(js_round(1.4), 1.0);
    }

    #[test]
    fn to_fixed() {
        assert_eq!(js_to_fixed(0.0625, 3), "0.063");
        assert_eq!(js_to_fixed(2.5, 0), "3");
        assert_eq!(js_to_fixed(0.0, 3), "0.000");
        assert_eq!(js_to_fixed(1.0005, 3), "1.000"); // 1.0005 is just below the tie in binary
        assert_eq!(js_to_fixed(9.9996, 3), "10.000");
        assert_eq!(js_to_fixed(-1.5, 0), "-2");
        assert_eq!(js_to_fixed(83886080.0 / 1073741824.0, 3), "0.078");
    }
}
