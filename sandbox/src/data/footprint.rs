//! Memory per stored byte: a parsed document costs a map, a key string and an enum per element,
//! which for nested documents is tens of times their BSON size. Documents whose parsed form would
//! exceed three times their BSON size, and that nest, are kept as BSON bytes and parsed when read
//! (flat documents stay parsed: queries scan them without decoding). After a drop the freed
//! memory is handed back to the system.

use bson::{Bson, Document};

/// Rough heap cost of one element of a parsed document (key, value enum, map slot).
const PER_ELEMENT: usize = 96;
/// Rough heap cost of one parsed document or array beyond its elements.
const PER_CONTAINER: usize = 128;
/// Largest parsed-to-BSON ratio kept parsed.
const MAX_RATIO: usize = 3;

/// True when `doc` (of `size` BSON bytes) is better stored as bytes. Counted iteratively.
pub fn keep_as_bytes(doc: &Document, size: u32) -> bool {
    let budget = MAX_RATIO * size as usize;
    let mut cost = PER_CONTAINER;
    let mut nested = false;
    let mut stack: Vec<Box<dyn Iterator<Item = &Bson>>> = vec![Box::new(doc.values())];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(v) => {
                cost += PER_ELEMENT;
                match v {
                    Bson::Document(d) => {
                        nested = true;
                        cost += PER_CONTAINER;
                        stack.push(Box::new(d.values()));
                    }
                    Bson::Array(a) => {
                        nested = true;
                        cost += PER_CONTAINER;
                        stack.push(Box::new(a.iter()));
                    }
                    Bson::String(s) => cost += s.len(),
                    _ => {}
                }
                if nested && cost > budget {
                    return true;
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    false
}

/// Returns freed heap pages to the system (glibc keeps them otherwise), e.g. after a drop.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn nested_documents_are_kept_as_bytes_flat_ones_parsed() {
        let mut deep = doc! {"v": 1};
        for _ in 0..50 {
            deep = doc! {"a": deep};
        }
        let size = crate::data::collection::bson_size(&deep);
        assert!(keep_as_bytes(&deep, size));
        let flat = doc! {"_id": 1, "name": "a fairly long string value here", "n": 5};
        let size = crate::data::collection::bson_size(&flat);
        assert!(!keep_as_bytes(&flat, size));
    }
}
