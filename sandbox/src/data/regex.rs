//! A small backtracking regular-expression engine for `$regex` (the sandbox may not pull in a
//! regex crate). Supports literals, `.`, classes `[a-z]`/`[^..]`, `\d \w \s` (and negations),
//! anchors `^ $`, groups `( )`/`(?: )`, lookaheads `(?= )`/`(?! )`, alternation `|`,
//! quantifiers `* + ? {n} {n,} {n,m}` (lazy forms accepted and run greedily) and the options
//! `i m s x`.

use std::cell::Cell;

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, u32, u32),
    /// `(?=...)` (false) or `(?!...)` (true): the alternatives must (not) match here; nothing
    /// is consumed.
    Look(Vec<Vec<Node>>, bool),
}

#[derive(Debug, Clone)]
pub struct Regex {
    alts: Vec<Vec<Node>>,
    icase: bool,
    multiline: bool,
    dotall: bool,
}

/// Recursion budget per match attempt, so a hostile pattern cannot overflow the stack, and a
/// step budget per match, so catastrophic backtracking gives up (as "no match") instead of hanging.
const MAX_DEPTH: u32 = 20_000;
const MAX_STEPS: u64 = 2_000_000;

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    extended: bool,
    _p: std::marker::PhantomData<&'a ()>,
}

fn class_escape(c: char) -> Option<(Vec<(char, char)>, bool)> {
    let digits = vec![('0', '9')];
    let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
    let space = vec![(' ', ' '), ('\t', '\r')];
    match c {
        'd' => Some((digits, false)),
        'D' => Some((digits, true)),
        'w' => Some((word, false)),
        'W' => Some((word, true)),
        's' => Some((space, false)),
        'S' => Some((space, true)),
        _ => None,
    }
}

fn escaped_char(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'f' => '\u{c}',
        'v' => '\u{b}',
        other => other,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alts(&mut self) -> Result<Vec<Vec<Node>>, String> {
        let mut alts = vec![self.seq()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.seq()?);
        }
        Ok(alts)
    }

    fn seq(&mut self) -> Result<Vec<Node>, String> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.pos += 1;
            if self.extended && c.is_whitespace() {
                continue;
            }
            let atom = match c {
                '.' => Node::Any,
                '^' => Node::Start,
                '$' => Node::End,
                '(' => {
                    let look = match self.chars.get(self.pos..self.pos + 2) {
                        Some(['?', ':']) => Some(None),
                        Some(['?', '=']) => Some(Some(false)),
                        Some(['?', '!']) => Some(Some(true)),
                        _ => None,
                    };
                    if look.is_some() {
                        self.pos += 2;
                    }
                    let alts = self.alts()?;
                    if self.peek() != Some(')') {
                        return Err("missing )".into());
                    }
                    self.pos += 1;
                    match look.flatten() {
                        Some(negate) => Node::Look(alts, negate),
                        None => Node::Group(alts),
                    }
                }
                '[' => self.class()?,
                '\\' => {
                    let e = self.peek().ok_or("trailing backslash")?;
                    self.pos += 1;
                    match class_escape(e) {
                        Some((r, neg)) => Node::Class(r, neg),
                        None => Node::Char(escaped_char(e)),
                    }
                }
                '*' | '+' | '?' => {
                    return Err("quantifier does not follow a repeatable item".into())
                }
                other => Node::Char(other),
            };
            let atom = self.quantified(atom)?;
            seq.push(atom);
        }
        Ok(seq)
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, u32::MAX),
            Some('+') => (1, u32::MAX),
            Some('?') => (0, 1),
            Some('{') => match self.braces() {
                Some(mm) => return self.finish_quant(atom, mm),
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        self.pos += 1;
        self.finish_quant(atom, (min, max))
    }

    fn finish_quant(&mut self, atom: Node, (min, max): (u32, u32)) -> Result<Node, String> {
        if matches!(atom, Node::Start | Node::End) {
            return Err("nothing to repeat".into());
        }
        if matches!(self.peek(), Some('?') | Some('+')) {
            self.pos += 1;
        }
        if min > max {
            return Err("numbers out of order in {} quantifier".into());
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }

    /// `{n}`, `{n,}`, `{n,m}`; anything else is a literal `{`.
    fn braces(&mut self) -> Option<(u32, u32)> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let end = rest.find('}')?;
        let inner = &rest[1..end];
        let (a, b) = match inner.split_once(',') {
            Some((a, b)) => (
                a.trim().parse().ok()?,
                if b.trim().is_empty() {
                    u32::MAX
                } else {
                    b.trim().parse().ok()?
                },
            ),
            None => {
                let n = inner.trim().parse().ok()?;
                (n, n)
            }
        };
        self.pos += rest[..=end].chars().count();
        Some((a, b))
    }

    fn class(&mut self) -> Result<Node, String> {
        let mut neg = false;
        if self.peek() == Some('^') {
            neg = true;
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self
                .peek()
                .ok_or("missing terminating ] for character class")?;
            self.pos += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                let e = self.peek().ok_or("trailing backslash")?;
                self.pos += 1;
                if let Some((r, false)) = class_escape(e) {
                    ranges.extend(r);
                    continue;
                }
                escaped_char(e)
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']') {
                self.pos += 1;
                let mut hi = self.peek().ok_or("bad range")?;
                self.pos += 1;
                if hi == '\\' {
                    hi = escaped_char(self.peek().ok_or("trailing backslash")?);
                    self.pos += 1;
                }
                if hi < lo {
                    return Err("range out of order in character class".into());
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Node::Class(ranges, neg))
    }
}

struct Run<'a> {
    re: &'a Regex,
    text: &'a [char],
    depth: Cell<u32>,
    steps: Cell<u64>,
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

impl Run<'_> {
    fn char_ok(&self, n: &Node, c: char) -> bool {
        match n {
            Node::Char(x) => *x == c || (self.re.icase && fold(*x) == fold(c)),
            Node::Any => self.re.dotall || c != '\n',
            Node::Class(ranges, neg) => {
                let hit = |c: char| ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
                let m = hit(c) || (self.re.icase && (hit(fold(c)) || c.to_uppercase().any(hit)));
                m != *neg
            }
            _ => false,
        }
    }

    fn seq(&self, seq: &[Node], pos: usize, k: &dyn Fn(usize) -> bool) -> bool {
        match seq.split_first() {
            None => k(pos),
            Some((n, rest)) => self.node(n, pos, &|p| self.seq(rest, p, k)),
        }
    }

    fn node(&self, n: &Node, pos: usize, k: &dyn Fn(usize) -> bool) -> bool {
        let d = self.depth.get() + 1;
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if d > MAX_DEPTH || steps > MAX_STEPS {
            return false;
        }
        self.depth.set(d);
        let r = match n {
            Node::Start => {
                (pos == 0 || (self.re.multiline && self.text[pos - 1] == '\n')) && k(pos)
            }
            Node::End => {
                (pos == self.text.len() || (self.re.multiline && self.text[pos] == '\n')) && k(pos)
            }
            Node::Group(alts) => alts.iter().any(|s| self.seq(s, pos, k)),
            Node::Look(alts, negate) => {
                let here = alts.iter().any(|s| self.seq(s, pos, &|_| true));
                here != *negate && k(pos)
            }
            Node::Repeat(inner, min, max) => self.rep(inner, *min, *max, 0, pos, k),
            _ => pos < self.text.len() && self.char_ok(n, self.text[pos]) && k(pos + 1),
        };
        self.depth.set(d - 1);
        r
    }

    fn rep(
        &self,
        inner: &Node,
        min: u32,
        max: u32,
        count: u32,
        pos: usize,
        k: &dyn Fn(usize) -> bool,
    ) -> bool {
        if count < max
            && self.node(inner, pos, &|p| {
                (p != pos || count < min) && self.rep(inner, min, max, count + 1, p, k)
            })
        {
            return true;
        }
        count >= min && k(pos)
    }
}

impl Regex {
    /// Compiles `pattern` with `$options`-style flags; the error text names the problem.
    pub fn new(pattern: &str, options: &str) -> Result<Regex, String> {
        for o in options.chars() {
            if !"imsxu".contains(o) {
                return Err(format!("invalid flag in regex options: {o}"));
            }
        }
        let mut p = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
            extended: options.contains('x'),
            _p: std::marker::PhantomData,
        };
        let alts = p.alts()?;
        if p.pos != p.chars.len() {
            return Err("unmatched closing parenthesis".into());
        }
        Ok(Regex {
            alts,
            icase: options.contains('i'),
            multiline: options.contains('m'),
            dotall: options.contains('s'),
        })
    }

    /// True when the pattern matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let run = Run {
            re: self,
            text: &chars,
            depth: Cell::new(0),
            steps: Cell::new(0),
        };
        (0..=chars.len()).any(|start| {
            run.depth.set(0);
            self.alts.iter().any(|s| run.seq(s, start, &|_| true))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, o: &str, t: &str) -> bool {
        Regex::new(p, o)
            .map(|r| r.is_match(t))
            .unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn basics() {
        assert!(m("abc", "", "xxabcxx"));
        assert!(!m("^abc", "", "xxabc"));
        assert!(m("^a.c$", "", "abc"));
        assert!(m("^ab*c$", "", "ac"));
        assert!(m("^ab+c$", "", "abbbc"));
        assert!(!m("^ab+c$", "", "ac"));
        assert!(m("^(foo|bar)+$", "", "foobarfoo"));
        assert!(m("^[a-c]{2,3}$", "", "abc"));
        assert!(!m("^[a-c]{2,3}$", "", "abcd"));
        assert!(m("^\\d+-\\w+$", "", "12-ab_c"));
        assert!(m("^[^0-9]+$", "", "abc"));
        assert!(m("ABC", "i", "xabcx"));
        assert!(m("^b", "m", "a\nb"));
        assert!(!m("^b", "", "a\nb"));
        assert!(m("a.b", "s", "a\nb"));
        assert!(m("^a b$", "x", "ab"));
        assert!(m("x{", "", "x{"));
        assert!(m("^(?:ab)?c$", "", "c"));
        assert!(!m("^(a*)*$", "", "aaaaaaaaaaaaaaaaaaaaaaaab"));
        // Lookaheads (pymongo's list_collection_names filter uses one).
        assert!(m("^(?!system\\.)", "", "users"));
        assert!(!m("^(?!system\\.)", "", "system.views"));
        assert!(m("^a(?=b)", "", "ab"));
        assert!(!m("^a(?=b)", "", "ac"));
        assert!(m("^a(?=b)b$", "", "ab"));
        assert!(m("^(?!.*x).*$", "", "abc"));
        assert!(!m("^(?!.*x).*$", "", "abxc"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        for p in ["(abc", "abc)", "[abc", "*a", "a{3,1}", "\\"] {
            assert!(Regex::new(p, "").is_err(), "{p}");
        }
        assert!(Regex::new("a", "q").is_err());
    }
}
