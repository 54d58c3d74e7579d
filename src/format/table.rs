//! The `show dbs` table of the legacy shell.

use super::number::js_to_fixed;
use super::strings::js_len;

/// `show dbs` text, one line per database (each ending with a newline), sorted by name:
/// the name, then (longest name − this name) + (widest integer part − this integer part) + 2
/// spaces, then `sizeOnDisk` in GB with 3 decimals and `GB`. A database of at most 1 byte
/// shows `(empty)` when `empty` is true, otherwise only its name.
///
/// Input: `(name, sizeOnDisk in bytes, empty)` as listDatabases reports them.
pub fn show_dbs_table(dbs: &[(String, f64, bool)]) -> String {
    struct Row<'a> {
        name: &'a str,
        size: f64,
        empty: bool,
        size_str: String,
        name_len: usize,
        gb_digits: usize,
    }
    let mut rows: Vec<Row<'_>> = dbs
        .iter()
        .map(|(name, size, empty)| {
            let size_str = js_to_fixed(size / 1024.0 / 1024.0 / 1024.0, 3);
            // JS indexOf("."): -1 (no point, e.g. "NaN") never wins the maximum.
            let gb_digits = size_str.find('.').unwrap_or(0);
            Row {
                name,
                size: *size,
                empty: *empty,
                name_len: js_len(name),
                gb_digits,
                size_str,
            }
        })
        .collect();
    let max_name = rows.iter().map(|r| r.name_len).max().unwrap_or(0);
    let max_digits = rows.iter().map(|r| r.gb_digits).max().unwrap_or(0);
    // The legacy sort compares names with JS `<` (UTF-16 order); it equals byte order except
    // around astral characters, which database names do not use in practice.
    rows.sort_by(|a, b| a.name.encode_utf16().cmp(b.name.encode_utf16()));
    let mut out = String::new();
    for r in &rows {
        let pad = (max_name - r.name_len) + (max_digits - r.gb_digits) + 2;
        out.push_str(r.name);
        if r.size > 1.0 {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&r.size_str);
            out.push_str("GB");
        } else if r.empty {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str("(empty)");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_layout() {
        let dbs = vec![
            ("local".to_string(), 83_886_080.0, false),
            ("admin".to_string(), 32_768.0, false),
            ("config".to_string(), 12_288.0, false),
            ("big".to_string(), 12.5 * 1_073_741_824.0, false),
            ("e".to_string(), 0.0, true),
            ("f".to_string(), 1.0, false),
        ];
        assert_eq!(
            show_dbs_table(&dbs),
            "admin    0.000GB\nbig     12.500GB\nconfig   0.000GB\ne        (empty)\nf\nlocal    0.078GB\n"
        );
    }
}
