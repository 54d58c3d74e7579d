//! Is a REPL buffer unfinished JavaScript (so the shell should read a continuation line)?

use boa_engine::ast::scope::Scope;
use boa_engine::interner::Interner;
use boa_engine::parser::{Error, Parser, Source};

/// `true` when `src` ends before a statement is complete (open bracket, unterminated template
/// literal or block comment). Other syntax errors are "complete": evaluation reports them.
pub fn is_incomplete(src: &str) -> bool {
    let mut interner = Interner::default();
    let result =
        Parser::new(Source::from_bytes(src)).parse_script(&Scope::new_global(), &mut interner);
    match result {
        Ok(_) => false,
        Err(Error::AbruptEnd) => true,
        Err(Error::Lex { err }) => {
            let msg = err.to_string();
            msg.starts_with("unterminated template literal")
                || msg.starts_with("unterminated multiline comment")
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_incomplete;

    #[test]
    fn open_constructs_are_incomplete() {
        for src in [
            "function f() {",
            "let x = [1,",
            "db.coll.find({a: 1",
            "rs.",
            "`abc",
            "/* x",
        ] {
            assert!(is_incomplete(src), "{src}");
        }
        for src in ["1", "x y", "f()", "", "  ", "let a = 1;"] {
            assert!(!is_incomplete(src), "{src}");
        }
    }
}
