//! Dotted field paths (`a.b.0.c`) as queries, sorts and projections resolve them.

use bson::{Bson, Document};

/// The first value at `path`, descending into documents and (by numeric index, or else into the
/// first element that has the field) arrays.
pub fn lookup_first<'a>(doc: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut cur = doc.get(first)?;
    for p in parts {
        cur = step_first(cur, p)?;
    }
    Some(cur)
}

fn step_first<'a>(v: &'a Bson, part: &str) -> Option<&'a Bson> {
    match v {
        Bson::Document(d) => d.get(part),
        Bson::Array(a) => {
            if let Ok(i) = part.parse::<usize>() {
                return a.get(i);
            }
            a.iter().find_map(|e| match e {
                Bson::Document(d) => d.get(part),
                _ => None,
            })
        }
        _ => None,
    }
}

/// Every value a query on `path` looks at, with array expansion at intermediate levels;
/// the flag is true when some branch lacks the field (so `{f: null}` matches).
pub fn lookup_all<'a>(doc: &'a Document, path: &str) -> (Vec<&'a Bson>, bool) {
    let parts: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    let mut missing = false;
    match doc.get(parts[0]) {
        Some(v) => collect(v, &parts[1..], &mut out, &mut missing),
        None => missing = true,
    }
    (out, missing)
}

fn collect<'a>(v: &'a Bson, rest: &[&str], out: &mut Vec<&'a Bson>, missing: &mut bool) {
    let Some((part, tail)) = rest.split_first() else {
        out.push(v);
        return;
    };
    match v {
        Bson::Document(d) => match d.get(*part) {
            Some(x) => collect(x, tail, out, missing),
            None => *missing = true,
        },
        Bson::Array(a) => {
            if let Ok(i) = part.parse::<usize>() {
                if let Some(x) = a.get(i) {
                    collect(x, tail, out, missing);
                }
            }
            for e in a {
                if let Bson::Document(d) = e {
                    match d.get(*part) {
                        Some(x) => collect(x, tail, out, missing),
                        None => *missing = true,
                    }
                }
            }
        }
        _ => *missing = true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn first_value_through_documents_and_arrays() {
        let d = doc! {"a": {"b": [ {"c": 1}, {"c": 2} ]}, "x": [10, 20]};
        assert_eq!(lookup_first(&d, "a.b.c"), Some(&Bson::Int32(1)));
        assert_eq!(lookup_first(&d, "a.b.1.c"), Some(&Bson::Int32(2)));
        assert_eq!(lookup_first(&d, "x.1"), Some(&Bson::Int32(20)));
        assert_eq!(lookup_first(&d, "a.z"), None);
        assert_eq!(lookup_first(&d, "x.5"), None);
    }

    #[test]
    fn all_values_expand_arrays() {
        let d = doc! {"a": [ {"b": 1}, {"b": 2}, {"c": 3} ]};
        let (vals, missing) = lookup_all(&d, "a.b");
        assert_eq!(vals, vec![&Bson::Int32(1), &Bson::Int32(2)]);
        assert!(missing);
        let (vals, missing) = lookup_all(&d, "nope");
        assert!(vals.is_empty() && missing);
    }
}
