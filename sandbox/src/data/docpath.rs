//! Mutating a document at a dotted path (update operators): find, create and remove fields,
//! stepping through sub-documents and array indexes.

use bson::{Bson, Document};

use crate::error::CmdError;

pub use crate::bson_type::name as bson_type_name;

/// A reference to the value at `path`, if present (numeric parts index arrays).
pub fn get<'a>(doc: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let mut cur = doc.get(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Bson::Document(d) => d.get(p)?,
            Bson::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The slot at `path`, creating missing intermediate documents (and padding arrays with null);
/// errors name the element that blocks the path.
pub fn slot<'a>(doc: &'a mut Document, path: &str) -> Result<&'a mut Bson, CmdError> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(CmdError::new(
            56,
            "EmptyFieldName",
            "An empty update path is not valid.",
        ));
    }
    let first = parts[0];
    if !doc.contains_key(first) {
        doc.insert(
            first,
            if parts.len() > 1 {
                Bson::Document(Document::new())
            } else {
                Bson::Null
            },
        );
    }
    let mut cur = match doc.get_mut(first) {
        Some(v) => v,
        None => return Err(CmdError::bad_value("path vanished")),
    };
    for (i, part) in parts.iter().enumerate().skip(1) {
        let last = i == parts.len() - 1;
        let fresh = if last {
            Bson::Null
        } else {
            Bson::Document(Document::new())
        };
        cur = match cur {
            Bson::Document(d) => {
                if !d.contains_key(*part) {
                    d.insert(*part, fresh);
                }
                match d.get_mut(*part) {
                    Some(v) => v,
                    None => return Err(CmdError::bad_value("path vanished")),
                }
            }
            Bson::Array(a) => {
                let Ok(idx) = part.parse::<usize>() else {
                    return Err(CmdError::new(
                        28,
                        "PathNotViable",
                        format!(
                            "Cannot create field '{part}' in element {{{}: {}}}",
                            parts[i - 1],
                            Bson::Array(a.clone())
                        ),
                    ));
                };
                if idx > 1_500_000 {
                    return Err(CmdError::bad_value(format!(
                        "can't backfill array to larger than 1500000 elements: {idx}"
                    )));
                }
                while a.len() <= idx {
                    a.push(Bson::Null);
                }
                if !last && matches!(a[idx], Bson::Null) {
                    a[idx] = fresh;
                }
                &mut a[idx]
            }
            other => {
                return Err(CmdError::new(
                    28,
                    "PathNotViable",
                    format!(
                        "Cannot create field '{part}' in element {{{}: {}}}",
                        parts[i - 1],
                        other
                    ),
                ))
            }
        };
    }
    Ok(cur)
}

/// Sets `path` to `v`.
pub fn set(doc: &mut Document, path: &str, v: Bson) -> Result<(), CmdError> {
    *slot(doc, path)? = v;
    Ok(())
}

/// Removes the field at `path` (an array element becomes null, as `$unset` does).
pub fn unset(doc: &mut Document, path: &str) -> Option<Bson> {
    match path.rsplit_once('.') {
        None => doc.remove(path),
        Some((parent, leaf)) => match get_mut(doc, parent)? {
            Bson::Document(d) => d.remove(leaf),
            Bson::Array(a) => {
                let i = leaf.parse::<usize>().ok()?;
                let slot = a.get_mut(i)?;
                Some(std::mem::replace(slot, Bson::Null))
            }
            _ => None,
        },
    }
}

pub fn get_mut<'a>(doc: &'a mut Document, path: &str) -> Option<&'a mut Bson> {
    let mut parts = path.split('.');
    let mut cur = doc.get_mut(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Bson::Document(d) => d.get_mut(p)?,
            Bson::Array(a) => a.get_mut(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn set_creates_paths_and_pads_arrays() {
        let mut d = doc! {"a": 1, "arr": [1]};
        set(&mut d, "b.c.d", Bson::Int32(5)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d, doc! {"a": 1, "arr": [1], "b": {"c": {"d": 5}}});
        set(&mut d, "arr.2", Bson::Int32(3)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            get(&d, "arr"),
            Some(&Bson::Array(vec![
                Bson::Int32(1),
                Bson::Null,
                Bson::Int32(3)
            ]))
        );
        let e = set(&mut d, "a.x", Bson::Int32(1)).err().map(|e| e.code);
        assert_eq!(e, Some(28));
        assert_eq!(
            set(&mut d, "a..x", Bson::Int32(1)).err().map(|e| e.code),
            Some(56)
        );
    }

    #[test]
    fn unset_removes_fields_and_nulls_array_slots() {
        let mut d = doc! {"a": {"b": 1, "c": 2}, "arr": [1, 2]};
        assert_eq!(unset(&mut d, "a.b"), Some(Bson::Int32(1)));
        assert_eq!(unset(&mut d, "arr.0"), Some(Bson::Int32(1)));
        assert_eq!(unset(&mut d, "zz.y"), None);
        assert_eq!(d, doc! {"a": {"c": 2}, "arr": [null, 2]});
    }
}
