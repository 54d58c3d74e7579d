//! Tab completion: the dotted word before the cursor (`rs.st`, `db.getSi`) is completed by
//! `Runtime::complete`, which walks the global object without running user code.
use std::cell::RefCell;
use std::rc::Rc;

use rustyline::completion::Completer;
use rustyline::{Context, Helper, Highlighter, Hinter, Validator};

use crate::js::Runtime;

/// The rustyline helper of the REPL. It shares the runtime with the loop: readline and
/// evaluation take turns on one thread, so a `RefCell` borrow never overlaps.
#[derive(Helper, Hinter, Highlighter, Validator)]
pub struct ShellHelper {
    pub runtime: Rc<RefCell<Runtime>>,
}

impl Completer for ShellHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let start = word_start(line, pos);
        let word = line.get(start..pos).unwrap_or("");
        // `show <Tab>`: its words, not JavaScript names.
        if line
            .get(..start)
            .is_some_and(|head| head.trim_start() == "show ")
        {
            let words = SHOW_WORDS
                .iter()
                .filter(|w| w.starts_with(word))
                .map(|w| w.to_string())
                .collect();
            return Ok((start, words));
        }
        // Inside a string or after a digit there is nothing useful to offer.
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            return Ok((pos, Vec::new()));
        }
        let candidates = match self.runtime.try_borrow_mut() {
            Ok(mut rt) => rt.complete(word),
            Err(_) => Vec::new(),
        };
        Ok((start, candidates))
    }
}

/// What `show` takes (the legacy shell's list), sorted as the editor lists them.
pub const SHOW_WORDS: [&str; 8] = [
    "collections",
    "databases",
    "dbs",
    "profile",
    "roles",
    "startupWarnings",
    "tables",
    "users",
];

/// Byte index where the identifier-or-dot word ending at `pos` begins.
pub fn word_start(line: &str, pos: usize) -> usize {
    let pos = pos.min(line.len());
    let head = line.get(..pos).unwrap_or("");
    head.char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$' || *c == '.'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::word_start;

    #[test]
    fn finds_the_dotted_word_before_the_cursor() {
        assert_eq!(word_start("rs.st", 5), 0);
        assert_eq!(word_start("x = db.getSi", 12), 4);
        assert_eq!(word_start("printjson(rs.co", 15), 10);
        assert_eq!(word_start("a ", 2), 2);
        assert_eq!(word_start("é.x", 4), 0);
        assert_eq!(word_start("", 0), 0);
    }
}
