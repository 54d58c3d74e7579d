//! Decimal128 canonical string (the BSON Decimal128 spec's to-scientific-string), decoded from
//! the 16 little-endian bytes so the output never depends on a library's Display choices.

use std::fmt::Write as _;

const EXPONENT_BIAS: i32 = 6176;
const MAX_COEFFICIENT: u128 = 10u128.pow(34) - 1;

/// The canonical string of a Decimal128 value: `1.5`, `-0`, `1E+3`, `1.23E-10`, `NaN`,
/// `Infinity`, `-Infinity`.
pub fn decimal128_string(bytes: [u8; 16]) -> String {
    let bits = u128::from_le_bytes(bytes);
    let negative = bits >> 127 == 1;
    let combination = (bits >> 122) & 0x1f;
    if combination == 0x1f {
        return "NaN".to_string(); // MongoDB prints NaN without a sign
    }
    if combination == 0x1e {
        return if negative { "-Infinity" } else { "Infinity" }.to_string();
    }
    let (biased_exp, coefficient) = if (bits >> 125) & 0x3 == 0x3 {
        // The "11" form has an implied 100 prefix: always above 10^34 - 1, so it means zero.
        (((bits >> 111) & 0x3fff) as i32, 0u128)
    } else {
        let c = bits & ((1u128 << 113) - 1);
        (
            ((bits >> 113) & 0x3fff) as i32,
            if c > MAX_COEFFICIENT { 0 } else { c },
        )
    };
    let exponent = biased_exp - EXPONENT_BIAS;
    let mut digits = String::with_capacity(36);
    let _ = write!(digits, "{coefficient}");
    let len = digits.len() as i32;
    let adjusted = exponent + len - 1;

    let mut s = String::with_capacity(44);
    if negative {
        s.push('-');
    }
    if exponent <= 0 && adjusted >= -6 {
        if exponent == 0 {
            s.push_str(&digits);
        } else {
            let frac_len = (-exponent) as usize;
            if frac_len >= digits.len() {
                s.push_str("0.");
                for _ in 0..frac_len - digits.len() {
                    s.push('0');
                }
                s.push_str(&digits);
            } else {
                let (int, frac) = digits.split_at(digits.len() - frac_len);
                s.push_str(int);
                s.push('.');
                s.push_str(frac);
            }
        }
    } else {
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let _ = write!(
            s,
            "E{}{}",
            if adjusted >= 0 { "+" } else { "-" },
            adjusted.abs()
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(negative: bool, exponent: i32, coefficient: u128) -> [u8; 16] {
        let bits = (u128::from(negative) << 127)
            | (((exponent + EXPONENT_BIAS) as u128) << 113)
            | coefficient;
        bits.to_le_bytes()
    }

    #[test]
    fn spec_examples() {
        let cases: &[([u8; 16], &str)] = &[
            (d(false, 0, 0), "0"),
            (d(true, 0, 0), "-0"),
            (d(false, -1, 15), "1.5"),
            (d(false, 0, 123), "123"),
            (d(false, -12, 123), "1.23E-10"),
            (d(false, 3, 1), "1E+3"),
            (d(false, -6, 1), "0.000001"),
            (d(false, -7, 1), "1E-7"),
            (d(false, 1, 0), "0E+1"),
            (d(false, -2, 100), "1.00"),
            (d(true, -2, 12345), "-123.45"),
            (d(false, 6111, 1), "1E+6111"),
            (d(false, -6176, 1), "1E-6176"),
            (d(false, 0, MAX_COEFFICIENT + 1), "0"),
        ];
        for (bytes, want) in cases {
            assert_eq!(decimal128_string(*bytes), *want);
        }
        let nan = (0x7cu128 << 120).to_le_bytes();
        assert_eq!(decimal128_string(nan), "NaN");
        let inf = (0x78u128 << 120).to_le_bytes();
        assert_eq!(decimal128_string(inf), "Infinity");
        let neg_inf = (0xf8u128 << 120).to_le_bytes();
        assert_eq!(decimal128_string(neg_inf), "-Infinity");
    }

    #[test]
    fn matches_parsed_values() {
        for text in [
            "1.5",
            "-0",
            "1E+3",
            "0.001234",
            "12345678901234567890123456789012.34",
        ] {
            let v: bson::Decimal128 = match text.parse() {
                Ok(v) => v,
                Err(e) => panic!("{text}: {e}"),
            };
            assert_eq!(decimal128_string(v.bytes()), text);
        }
    }
}
