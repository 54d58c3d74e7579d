//! mongod's nesting limit for stored documents (180 levels, below the 200 a message may carry, so
//! a stored document still fits inside an oplog entry and a command reply). Counted iteratively.

use bson::{Bson, Document};

use crate::error::CmdError;

pub const MAX_STORAGE_DEPTH: usize = 180;

/// True when `doc` holds more than `max` nested documents counting itself (empty documents and
/// arrays do not count, as in mongod).
pub fn exceeds(doc: &Document, max: usize) -> bool {
    let mut stack: Vec<Box<dyn Iterator<Item = &Bson>>> = vec![Box::new(doc.values())];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(Bson::Document(d)) if !d.is_empty() => {
                if stack.len() >= max {
                    return true;
                }
                stack.push(Box::new(d.values()));
            }
            Some(Bson::Array(a)) if !a.is_empty() => {
                if stack.len() >= max {
                    return true;
                }
                stack.push(Box::new(a.iter()));
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    false
}

pub fn check_insert(doc: &Document) -> Result<(), CmdError> {
    if exceeds(doc, MAX_STORAGE_DEPTH) {
        return Err(CmdError::new(
            15,
            "Overflow",
            format!(
                "cannot insert document because it exceeds {MAX_STORAGE_DEPTH} levels of nesting"
            ),
        ));
    }
    Ok(())
}

pub fn check_update(doc: &Document) -> Result<(), CmdError> {
    if exceeds(doc, MAX_STORAGE_DEPTH) {
        return Err(CmdError::new(
            15,
            "Overflow",
            format!("Document exceeds maximum nesting depth of {MAX_STORAGE_DEPTH}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn nested(levels: usize) -> Document {
        let mut d = doc! {"a": 1};
        for _ in 0..levels {
            d = doc! {"a": d};
        }
        d
    }

    #[test]
    fn limit_counts_documents_including_the_top() {
        // `nested(n)` is n + 1 documents deep: 180 in all is the most mongod stores.
        assert!(!exceeds(&nested(MAX_STORAGE_DEPTH - 1), MAX_STORAGE_DEPTH));
        assert!(exceeds(&nested(MAX_STORAGE_DEPTH), MAX_STORAGE_DEPTH));
        assert!(!exceeds(&doc! {"a": {}, "b": []}, 0));
        assert!(exceeds(&doc! {"a": [1]}, 0));
    }
}
