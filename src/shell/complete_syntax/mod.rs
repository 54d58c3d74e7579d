//! What the text before the cursor asks Tab to complete, read from the text alone: a shell
//! word's argument (`use <db>`, `show <what>`), a member of `db`, of a collection, of a
//! `find()` cursor chain, of `rs`/`sh`, or a dotted JavaScript name. Nothing is evaluated: a
//! call chain such as `db.c.find({a: 1}).sort({b: 1}).` is recognised by its shape.

use crate::helpers;

/// Where the candidates replace the line (`start`) and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Byte index in the line where the replaced text begins (it ends at the cursor).
    pub start: usize,
    pub want: Want,
}

/// What is being completed. `before` is the verbatim text from `start` to the typed prefix
/// (`db.`, `db.getSiblingDB("x").`); candidates are `before` + a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// `show <prefix>`: its words.
    ShowWord { prefix: String },
    /// `use <prefix>`: database names.
    Database { prefix: String },
    /// `help <prefix>`: the topics `help` takes (`rs`, `db.collection`, `rs.status`…).
    HelpTopic { prefix: String },
    /// `db.<prefix>`: database methods and collection names. `db` is `None` for the current
    /// database, or the name given to `getSiblingDB`.
    DbMember {
        db: Option<String>,
        before: String,
        prefix: String,
    },
    /// `<collection>.<prefix>`: collection methods and the names of its sub-collections
    /// (`db.system.` → `views`).
    CollectionMember {
        db: Option<String>,
        collection: String,
        before: String,
        prefix: String,
    },
    /// `db.getCollection("<prefix>`: collection names inside the string opened by `quote`.
    CollectionNameInString {
        db: Option<String>,
        quote: char,
        prefix: String,
    },
    /// `<find() chain>.<prefix>` (a query cursor) or `<aggregate()>.<prefix>` (a command
    /// cursor): cursor methods (`start` is at the prefix).
    CursorMethod { command: bool, prefix: String },
    /// `rs.<prefix>`, `sh.<prefix>`: the public helpers of that object.
    Helper {
        object: &'static str,
        before: String,
        prefix: String,
    },
    /// A plain (possibly dotted) JavaScript name: the runtime walks the global object.
    Js { word: String },
    /// Inside a comment, after a number, or after a call whose result is unknown.
    Nothing,
}

/// Cursor methods that return the cursor, so a chain of them is still a cursor.
const CURSOR_CHAIN: &[&str] = &[
    "sort",
    "limit",
    "skip",
    "batchSize",
    "hint",
    "min",
    "max",
    "comment",
    "maxTimeMS",
    "readConcern",
    "readPref",
    "collation",
    "allowDiskUse",
    "projection",
    "returnKey",
    "showRecordId",
    "showDiskLoc",
    "tailable",
    "noCursorTimeout",
    "allowPartialResults",
    "addOption",
    "pretty",
];

/// Read the line up to `pos` (a byte index; clamped) and say what to complete.
pub fn analyze(line: &str, pos: usize) -> Request {
    let mut pos = pos.min(line.len());
    while !line.is_char_boundary(pos) {
        pos -= 1;
    }
    let head = &line[..pos];
    if let Some(r) = shell_word(head) {
        return r;
    }
    let tokens = match tokenize(head) {
        Some(t) => t,
        None => return nothing(pos),
    };
    chain_request(head, &tokens).unwrap_or_else(|| nothing(pos))
}

fn nothing(pos: usize) -> Request {
    Request {
        start: pos,
        want: Want::Nothing,
    }
}

/// `use <arg>` / `show <arg>` / `help <arg>` with the cursor in the one argument.
fn shell_word(head: &str) -> Option<Request> {
    let trimmed = head.trim_start();
    let lead = head.len() - trimmed.len();
    let (word, rest) = trimmed.split_once(char::is_whitespace)?;
    if !["use", "show", "help"].contains(&word) {
        return None;
    }
    let arg = rest.trim_start();
    // `use = 1` is JavaScript; a second word is past the one argument.
    if arg.starts_with(['=', '(', '.', '[', '+', '-', '*', '/', '?', ':', ','])
        || arg.contains(char::is_whitespace)
    {
        return None;
    }
    let start = lead + (trimmed.len() - arg.len());
    let prefix = arg.to_string();
    let want = match word {
        "use" => Want::Database { prefix },
        "help" => Want::HelpTopic { prefix },
        _ => Want::ShowWord { prefix },
    };
    Some(Request { start, want })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// A complete string literal's value.
    Str(String),
    /// A string literal still open at the cursor: its value so far.
    OpenStr(String),
    Num,
    Punct(char),
}

/// A token and the byte range it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Whether `s` is a JavaScript identifier (as far as completion needs to know).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(is_ident_char)
}

/// Split `head` into tokens; `None` when the cursor is inside a comment. Regular expression
/// literals are not told from division: their characters become punctuation, which at worst
/// gives no candidates.
fn tokenize(head: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut it = head.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            continue;
        }
        if is_ident_start(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if !is_ident_char(d) {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
            out.push(Token {
                tok: Tok::Ident(head[i..end].to_string()),
                start: i,
                end,
            });
        } else if c.is_ascii_digit() {
            let mut end = i + 1;
            while let Some(&(j, d)) = it.peek() {
                if !(d.is_alphanumeric() || d == '.' || d == '_') {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
            out.push(Token {
                tok: Tok::Num,
                start: i,
                end,
            });
        } else if c == '"' || c == '\'' || c == '`' {
            let mut value = String::new();
            let mut closed = None;
            while let Some((j, d)) = it.next() {
                if d == '\\' {
                    if let Some((_, e)) = it.next() {
                        value.push(unescape(e));
                    }
                } else if d == c {
                    closed = Some(j + 1);
                    break;
                } else {
                    value.push(d);
                }
            }
            let (tok, end) = match closed {
                Some(end) => (Tok::Str(value), end),
                None => (Tok::OpenStr(value), head.len()),
            };
            out.push(Token { tok, start: i, end });
        } else if c == '/' && it.peek().is_some_and(|&(_, d)| d == '/') {
            return None;
        } else if c == '/' && it.peek().is_some_and(|&(_, d)| d == '*') {
            it.next();
            let mut prev = ' ';
            let mut closed = false;
            for (_, d) in it.by_ref() {
                if prev == '*' && d == '/' {
                    closed = true;
                    break;
                }
                prev = d;
            }
            if !closed {
                return None;
            }
        } else {
            out.push(Token {
                tok: Tok::Punct(c),
                start: i,
                end: i + c.len_utf8(),
            });
        }
    }
    Some(out)
}

fn unescape(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        other => other,
    }
}

/// One link of a member chain, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// `.name` (or the first name).
    Name(String),
    /// `(…)`: the single string argument when the call has exactly that.
    Call(Option<String>),
    /// `[…]`: the single string inside when it is exactly that.
    Index(Option<String>),
}

fn chain_request(head: &str, tokens: &[Token]) -> Option<Request> {
    let last = tokens.last()?;
    // `db.getCollection("my` : collection names inside the string.
    if let Tok::OpenStr(prefix) = &last.tok {
        let n = tokens.len();
        if n >= 2 && tokens[n - 2].tok == Tok::Punct('(') {
            let segs = chain_before(tokens, n - 2)?.0;
            if let [rest @ .., Seg::Name(f)] = segs.as_slice() {
                if f == "getCollection" {
                    if let Receiver::Db(db) = classify(rest) {
                        return Some(Request {
                            start: last.start + 1,
                            want: Want::CollectionNameInString {
                                db,
                                quote: head[last.start..].chars().next().unwrap_or('"'),
                                prefix: prefix.clone(),
                            },
                        });
                    }
                }
            }
        }
        return None;
    }
    // The typed prefix: an identifier touching the cursor, or nothing after a dot.
    let (prefix, prefix_start, dot_index) = match &last.tok {
        Tok::Ident(name) if last.end == head.len() => {
            let n = tokens.len();
            if n >= 2 && tokens[n - 2].tok == Tok::Punct('.') {
                (name.clone(), last.start, Some(n - 2))
            } else {
                return Some(Request {
                    start: last.start,
                    want: Want::Js { word: name.clone() },
                });
            }
        }
        Tok::Punct('.') => (String::new(), head.len(), Some(tokens.len() - 1)),
        _ => None?,
    };
    let dot = dot_index?;
    let (segs, chain_start) = chain_before(tokens, dot)?;
    let before = head[chain_start..prefix_start].to_string();
    let plain = segs.iter().all(|s| matches!(s, Seg::Name(_)));
    let want = match classify(&segs) {
        Receiver::Db(db) => Want::DbMember { db, before, prefix },
        Receiver::Collection(db, collection) => Want::CollectionMember {
            db,
            collection,
            before,
            prefix,
        },
        Receiver::Cursor(command) => {
            return Some(Request {
                start: prefix_start,
                want: Want::CursorMethod { command, prefix },
            })
        }
        Receiver::Helper(object) => Want::Helper {
            object,
            before,
            prefix,
        },
        Receiver::Unknown if plain => Want::Js {
            word: head[chain_start..].to_string(),
        },
        Receiver::Unknown => Want::Nothing,
    };
    Some(Request {
        start: chain_start,
        want,
    })
}

/// The member chain that ends just before `tokens[end]` (a `.` or `(`), in reading order, and
/// the byte where it starts. `None` when there is no chain (`(x).`, `1.`).
fn chain_before(tokens: &[Token], end: usize) -> Option<(Vec<Seg>, usize)> {
    let mut segs = Vec::new();
    let mut i = end;
    loop {
        let t = tokens.get(i.checked_sub(1)?)?;
        match &t.tok {
            Tok::Ident(name) => {
                segs.push(Seg::Name(name.clone()));
                i -= 1;
                // Continue through a dot before the name; stop at anything else.
                match i.checked_sub(1).and_then(|j| tokens.get(j)) {
                    Some(Token {
                        tok: Tok::Punct('.'),
                        ..
                    }) => i -= 1,
                    _ => break,
                }
            }
            Tok::Punct(close @ (')' | ']')) => {
                let open = if *close == ')' { '(' } else { '[' };
                let o = matching_open(tokens, i - 1, open, *close)?;
                let inner = &tokens[o + 1..i - 1];
                let single = match inner {
                    [Token {
                        tok: Tok::Str(s), ..
                    }] => Some(s.clone()),
                    _ => None,
                };
                segs.push(if open == '(' {
                    Seg::Call(single)
                } else {
                    Seg::Index(single)
                });
                // A call or index follows an expression directly: continue at `o`.
                i = o;
            }
            _ => return None,
        }
    }
    segs.reverse();
    let start = tokens[i].start;
    matches!(segs.first(), Some(Seg::Name(_))).then_some((segs, start))
}

/// Index of the bracket that opens the group closed at `tokens[close_at]` (counted, not
/// recursive: nesting depth is bounded only by the line).
fn matching_open(tokens: &[Token], close_at: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = close_at;
    loop {
        match tokens[i].tok {
            Tok::Punct(c) if c == close => depth += 1,
            Tok::Punct(c) if c == open => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i = i.checked_sub(1)?;
    }
}

/// What a chain evaluates to, judged by its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Receiver {
    /// A database: the current one, or `getSiblingDB(name)`.
    Db(Option<String>),
    /// A collection (database as for `Db`, full collection name).
    Collection(Option<String>, String),
    /// A cursor: `false` for `find()`'s, `true` for a command cursor (`aggregate()`).
    Cursor(bool),
    Helper(&'static str),
    Unknown,
}

fn classify(segs: &[Seg]) -> Receiver {
    let mut it = segs.iter().peekable();
    let mut state = match it.next() {
        Some(Seg::Name(n)) if n == "db" => Receiver::Db(None),
        Some(Seg::Name(n)) if segs.len() == 1 && (n == "rs" || n == "sh") => {
            return Receiver::Helper(if n == "rs" { "rs" } else { "sh" })
        }
        _ => return Receiver::Unknown,
    };
    while let Some(seg) = it.next() {
        let call = match it.peek() {
            Some(Seg::Call(arg)) => Some(arg.clone()),
            _ => None,
        };
        if call.is_some() {
            it.next();
        }
        state = match (state, seg, call) {
            (Receiver::Db(_), Seg::Name(m), Some(Some(name)))
                if m == "getSiblingDB" || m == "getSisterDB" =>
            {
                Receiver::Db(Some(name))
            }
            (Receiver::Db(db), Seg::Name(m), Some(Some(name))) if m == "getCollection" => {
                Receiver::Collection(db, name)
            }
            (Receiver::Db(db), Seg::Index(Some(name)), None) => {
                Receiver::Collection(db, name.clone())
            }
            (Receiver::Db(db), Seg::Name(name), None)
                if !is_method("db.", name) && !name.starts_with('_') =>
            {
                Receiver::Collection(db, name.clone())
            }
            (Receiver::Collection(db, c), Seg::Name(sub), None)
                if !is_method("db.collection.", sub) && !sub.starts_with('_') =>
            {
                Receiver::Collection(db, format!("{c}.{sub}"))
            }
            (Receiver::Collection(_, _), Seg::Name(m), Some(_)) if m == "find" => {
                Receiver::Cursor(false)
            }
            (Receiver::Collection(_, _) | Receiver::Db(_), Seg::Name(m), Some(_))
                if m == "aggregate" =>
            {
                Receiver::Cursor(true)
            }
            (Receiver::Cursor(false), Seg::Name(m), Some(_))
                if CURSOR_CHAIN.contains(&m.as_str()) =>
            {
                Receiver::Cursor(false)
            }
            _ => return Receiver::Unknown,
        };
    }
    state
}

/// Whether the helper table has a row `<receiver><name>` (`receiver` ends with a dot).
fn is_method(receiver: &str, name: &str) -> bool {
    helpers::all().any(|h| h.path.strip_prefix(receiver) == Some(name))
}

/// The method names the helper table lists under `receiver` (`"db."`, `"db.collection."`,
/// `"cursor."`, `"rs."`): one part after it, not deprecated, sorted.
pub fn methods(receiver: &str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = helpers::all()
        .filter(|h| h.deprecated.is_none())
        .filter_map(|h| h.path.strip_prefix(receiver))
        .filter(|rest| is_identifier(rest))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The `help` topics starting with `prefix`, one level deeper than it: `help ` offers `rs`,
/// `db`, `print`…; `help db.` offers `db.collection`, `db.getName`…; from the helper table,
/// unsupported names included (their help gives the reason).
pub fn help_topics(prefix: &str) -> Vec<&'static str> {
    let depth = prefix.matches('.').count();
    let paths = helpers::all()
        .map(|h| h.path)
        .chain(helpers::UNSUPPORTED.iter().map(|u| u.path));
    let mut out: Vec<&'static str> = paths
        .filter_map(|p| {
            // The path cut after its (depth + 1)th part.
            let end = p.match_indices('.').nth(depth).map_or(p.len(), |(i, _)| i);
            let topic = &p[..end];
            topic.starts_with(prefix).then_some(topic)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// How a collection is written after `db.`: its name when that reads back as the same
/// collection (identifier parts, not a database method or an internal name), else
/// `getCollection("name")`.
pub fn collection_member(name: &str) -> String {
    let first = name.split('.').next().unwrap_or("");
    let plain = name.split('.').all(is_identifier)
        && !first.starts_with('_')
        && !is_method("db.", first)
        && !RESERVED.contains(&first);
    if plain {
        name.to_string()
    } else {
        format!("getCollection({})", js_string(name))
    }
}

/// Names the `db` object keeps for itself (printing and conversion probe them).
const RESERVED: &[&str] = &[
    "toJSON",
    "then",
    "shellPrint",
    "tojson",
    "constructor",
    "length",
];

/// `text` as the inside of a string literal opened by `quote`.
pub fn escape_in_string(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A JavaScript string literal for `text` (JSON string syntax is valid JavaScript).
pub fn js_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests;
