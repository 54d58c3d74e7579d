//! What the completion analysis makes of typed text.

use super::*;

fn want(line: &str) -> Want {
    analyze(line, line.len()).want
}

fn start(line: &str) -> usize {
    analyze(line, line.len()).start
}

#[test]
fn shell_words_take_one_argument() {
    assert_eq!(
        want("use "),
        Want::Database {
            prefix: String::new()
        }
    );
    assert_eq!(
        want("  use  ad"),
        Want::Database {
            prefix: "ad".into()
        }
    );
    assert_eq!(start("  use  ad"), 7);
    assert_eq!(
        want("show coll"),
        Want::ShowWord {
            prefix: "coll".into()
        }
    );
    // JavaScript that starts with the word, and a second argument.
    assert_eq!(
        want("use = db."),
        Want::DbMember {
            db: None,
            before: "db.".into(),
            prefix: String::new()
        }
    );
    assert_eq!(want("use a b"), Want::Js { word: "b".into() });
    assert_eq!(
        want("user.na"),
        Want::Js {
            word: "user.na".into()
        }
    );
}

#[test]
fn db_members() {
    assert_eq!(
        want("db."),
        Want::DbMember {
            db: None,
            before: "db.".into(),
            prefix: String::new()
        }
    );
    assert_eq!(start("x = db.my"), 4);
    assert_eq!(
        want("x = db.my"),
        Want::DbMember {
            db: None,
            before: "db.".into(),
            prefix: "my".into()
        }
    );
    assert_eq!(
        want("db.getSiblingDB('other').c"),
        Want::DbMember {
            db: Some("other".into()),
            before: "db.getSiblingDB('other').".into(),
            prefix: "c".into()
        }
    );
}

#[test]
fn collection_members() {
    assert_eq!(
        want("db.mycoll.fi"),
        Want::CollectionMember {
            db: None,
            collection: "mycoll".into(),
            before: "db.mycoll.".into(),
            prefix: "fi".into()
        }
    );
    assert_eq!(
        want("db.system."),
        Want::CollectionMember {
            db: None,
            collection: "system".into(),
            before: "db.system.".into(),
            prefix: String::new()
        }
    );
    assert_eq!(
        want(r#"db.getCollection("my-coll").ins"#),
        Want::CollectionMember {
            db: None,
            collection: "my-coll".into(),
            before: r#"db.getCollection("my-coll")."#.into(),
            prefix: "ins".into()
        }
    );
    assert_eq!(
        want(r#"db["a b"]."#),
        Want::CollectionMember {
            db: None,
            collection: "a b".into(),
            before: r#"db["a b"]."#.into(),
            prefix: String::new()
        }
    );
    assert_eq!(
        want(r#"db.getCollection("my"#),
        Want::CollectionNameInString {
            db: None,
            quote: '"',
            prefix: "my".into()
        }
    );
    assert_eq!(start(r#"db.getCollection("my"#), 18);
    // A database method is not a collection.
    assert_eq!(
        want("db.getName."),
        Want::Js {
            word: "db.getName.".into()
        }
    );
}

#[test]
fn cursor_chains_are_recognised_by_shape() {
    let cursor = |p: &str| Want::CursorMethod {
        command: false,
        prefix: p.into(),
    };
    assert_eq!(want("db.c.find()."), cursor(""));
    assert_eq!(
        want(r#"db.c.find({a: "x)(", b: [1, {c: 2}]}).sort({b: -1}).li"#),
        cursor("li")
    );
    let line = "db.c.find().limit(2).";
    assert_eq!(start(line), line.len());
    assert_eq!(want("db.c.find().sort().skip(1).pr"), cursor("pr"));
    assert_eq!(want("db.getSiblingDB('x').c.find({}).so"), cursor("so"));
    let command = Want::CursorMethod {
        command: true,
        prefix: "it".into(),
    };
    assert_eq!(want("db.c.aggregate([{$match: {}}]).it"), command);
    assert_eq!(want("db.aggregate([]).it"), command);
    assert_eq!(want("db.c.aggregate([]).sort()."), Want::Nothing);
    // Results that are not cursors, and calls of unknown things: nothing to offer.
    assert_eq!(want("db.c.findOne()."), Want::Nothing);
    assert_eq!(want("db.c.find().toArray()."), Want::Nothing);
    assert_eq!(want("f()."), Want::Nothing);
    assert_eq!(want("(db)."), Want::Nothing);
}

#[test]
fn helpers_and_plain_names() {
    assert_eq!(
        want("rs.st"),
        Want::Helper {
            object: "rs",
            before: "rs.".into(),
            prefix: "st".into()
        }
    );
    assert_eq!(
        want("printjson(rs.co"),
        Want::Helper {
            object: "rs",
            before: "rs.".into(),
            prefix: "co".into(),
        }
    );
    assert_eq!(start("printjson(rs.co"), 10);
    assert_eq!(want("pri"), Want::Js { word: "pri".into() });
    assert_eq!(
        want("a.b.c"),
        Want::Js {
            word: "a.b.c".into()
        }
    );
    assert_eq!(
        want("x.rs."),
        Want::Js {
            word: "x.rs.".into()
        }
    );
}

#[test]
fn comments_numbers_and_strings_offer_nothing() {
    assert_eq!(want("db.c // db."), Want::Nothing);
    assert_eq!(want("/* db."), Want::Nothing);
    assert_eq!(
        want("/* x */ db."),
        Want::DbMember {
            db: None,
            before: "db.".into(),
            prefix: String::new(),
        }
    );
    assert_eq!(want("1."), Want::Nothing);
    assert_eq!(want("'db."), Want::Nothing);
    assert_eq!(want(""), Want::Nothing);
    assert_eq!(want("x "), Want::Nothing);
}

#[test]
fn any_cursor_position_is_safe() {
    let line = "é = db.c.find({'a': [1, 2]}).sort()./* x */ 'y";
    for pos in 0..=line.len() + 2 {
        let r = analyze(line, pos);
        assert!(r.start <= pos.min(line.len()));
    }
    // Deep nesting is counted, not recursed.
    let deep = format!("db.c.find({}{}).", "(".repeat(50_000), ")".repeat(50_000));
    assert_eq!(
        want(&deep),
        Want::CursorMethod {
            command: false,
            prefix: "".into()
        }
    );
}

#[test]
fn method_lists_come_from_the_helper_table() {
    let coll = methods("db.collection.");
    assert!(coll.contains(&"find") && coll.contains(&"findOne"));
    assert!(!coll
        .iter()
        .any(|m| m.starts_with('_') || *m == "constructor"));
    let cursor = methods("cursor.");
    assert!(cursor.contains(&"sort") && cursor.contains(&"limit"));
    let db = methods("db.");
    assert!(db.contains(&"getCollectionNames") && !db.contains(&"collection"));
    // Deprecated helpers are left out, as in mongosh.
    assert!(!methods("rs.").contains(&"slaveOk"));
    assert!(CURSOR_CHAIN.iter().all(|m| cursor.contains(m)));
}

#[test]
fn help_topics_one_level_at_a_time() {
    assert_eq!(want("help r"), Want::HelpTopic { prefix: "r".into() });
    let top = help_topics("");
    assert!(top.contains(&"rs") && top.contains(&"db") && top.contains(&"cursor"));
    assert!(top.contains(&"sh"), "unsupported names have help too");
    assert!(!top.iter().any(|t| t.contains('.')));
    let db = help_topics("db.");
    assert!(db.contains(&"db.collection") && db.contains(&"db.getName"));
    assert!(!db.contains(&"db.collection.find"));
    assert_eq!(help_topics("rs.stat"), vec!["rs.status"]);
}

proptest::proptest! {
    /// Any text, any cursor position: no panic, the replaced text ends at the cursor and
    /// begins with what the candidates keep (`before`), and the typed prefix is what
    /// precedes the cursor.
    #[test]
    fn any_text_any_position(
        line in "([a-z$_.()\\[\\]{}'\"`/* :,=-]|db|rs|find|sort|use |getCollection|\\PC){0,40}",
        pos in 0usize..60,
    ) {
        let r = analyze(&line, pos);
        let mut end = pos.min(line.len());
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        proptest::prop_assert!(r.start <= end);
        let replaced = &line[r.start..end];
        match &r.want {
            Want::DbMember { before, prefix, .. }
            | Want::CollectionMember { before, prefix, .. }
            | Want::Helper { before, prefix, .. } => {
                proptest::prop_assert_eq!(replaced, format!("{before}{prefix}"));
            }
            Want::CursorMethod { prefix, .. }
            | Want::ShowWord { prefix }
            | Want::Database { prefix }
            | Want::HelpTopic { prefix } => {
                proptest::prop_assert_eq!(replaced, prefix.as_str());
            }
            Want::Js { word } => proptest::prop_assert_eq!(replaced, word.as_str()),
            Want::CollectionNameInString { .. } | Want::Nothing => {}
        }
    }

    /// A find() on any collection, then any chain of cursor methods with any simple
    /// arguments, is a cursor.
    #[test]
    fn find_chains_are_cursors(
        coll in "[a-z][a-zA-Z0-9_]{0,10}",
        chain in proptest::collection::vec(
            (0..CURSOR_CHAIN.len(), "[0-9a-z:{} ,\\[\\]'\"-]{0,12}"), 0..5),
        prefix in "[a-z]{0,3}",
    ) {
        proptest::prop_assume!(!is_method("db.", &coll));
        let mut line = format!("db.{coll}.find({{}})");
        for (i, arg) in &chain {
            // Only arguments whose brackets and quotes balance are a call's.
            if tokenize(arg).is_some_and(|t| balanced(&t)) {
                line.push_str(&format!(".{}({arg})", CURSOR_CHAIN[*i]));
            }
        }
        line.push('.');
        line.push_str(&prefix);
        proptest::prop_assert_eq!(
            want(&line),
            Want::CursorMethod { command: false, prefix: prefix.clone() },
            "{}", line
        );
    }
}

/// Brackets pair up and no string is left open.
fn balanced(tokens: &[Token]) -> bool {
    let mut stack = Vec::new();
    for t in tokens {
        match t.tok {
            Tok::OpenStr(_) => return false,
            Tok::Punct(c @ ('(' | '[' | '{')) => stack.push(c),
            Tok::Punct(c @ (')' | ']' | '}')) => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(open) {
                    return false;
                }
            }
            _ => {}
        }
    }
    stack.is_empty()
}

#[test]
fn collection_names_as_written_after_db() {
    assert_eq!(collection_member("mycoll"), "mycoll");
    assert_eq!(collection_member("system.views"), "system.views");
    assert_eq!(collection_member("my-coll"), r#"getCollection("my-coll")"#);
    assert_eq!(collection_member("getName"), r#"getCollection("getName")"#);
    assert_eq!(collection_member("_x"), r#"getCollection("_x")"#);
    assert_eq!(collection_member("a\"b"), r#"getCollection("a\"b")"#);
    assert_eq!(escape_in_string(r#"it's "x"\"#, '\''), r#"it\'s "x"\\"#);
    assert_eq!(escape_in_string("a`b", '`'), "a\\`b");
}
