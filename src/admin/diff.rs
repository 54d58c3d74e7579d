//! What changes between two replica-set configs: members added and removed (matched by
//! `_id`), member fields changed (absent fields read as the server's defaults), settings and
//! the version. Lines for a dry run, and a one-line summary.

use bson::{Bson, Document};

use super::config;

/// Member fields the server fills in when absent, with their defaults.
fn member_default(field: &str, arbiter: bool) -> Option<Bson> {
    Some(match field {
        "arbiterOnly" | "hidden" => Bson::Boolean(false),
        "buildIndexes" => Bson::Boolean(true),
        "priority" => Bson::Double(if arbiter { 0.0 } else { 1.0 }),
        "votes" => Bson::Int32(1),
        "secondaryDelaySecs" | "slaveDelay" => Bson::Int64(0),
        "tags" => Bson::Document(Document::new()),
        _ => return None,
    })
}

/// Values compared as the server would store them: numbers by value.
fn same(a: &Bson, b: &Bson) -> bool {
    match (config::num(Some(a)), config::num(Some(b))) {
        (Some(x), Some(y)) if !matches!(a, Bson::Boolean(_)) && !matches!(b, Bson::Boolean(_)) => {
            x == y
        }
        _ => a == b,
    }
}

fn show(v: &Bson) -> String {
    crate::format::tojson(v, "", true, crate::format::Style::default())
}

fn member_id(d: &Document) -> Option<i64> {
    config::num(d.get("_id")).map(|n| n as i64)
}

fn member_docs(cfg: &Document) -> Vec<&Document> {
    cfg.get_array("members")
        .map(|a| a.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default()
}

/// Field changes of one document (`prefix.field: old -> new`), defaults applied for members.
fn field_changes(
    old: &Document,
    new: &Document,
    defaults: &dyn Fn(&str) -> Option<Bson>,
    skip: &[&str],
) -> Vec<String> {
    let mut keys: Vec<&String> = old.keys().collect();
    keys.extend(new.keys().filter(|k| !old.contains_key(k.as_str())));
    let mut out = Vec::new();
    for k in keys {
        if skip.contains(&k.as_str()) {
            continue;
        }
        let a = old.get(k).cloned().or_else(|| defaults(k));
        let b = new.get(k).cloned().or_else(|| defaults(k));
        match (a, b) {
            (Some(a), Some(b)) if same(&a, &b) => {}
            (Some(a), Some(b)) => out.push(format!("{k}: {} -> {}", show(&a), show(&b))),
            (None, Some(b)) => out.push(format!("{k}: (none) -> {}", show(&b))),
            (Some(a), None) => out.push(format!("{k}: {} -> (none)", show(&a))),
            (None, None) => {}
        }
    }
    out
}

/// The dry-run lines: `  version: 3 -> 4`, `+ member {…}`, `- member {…}`,
/// `~ member 0 (host): priority: 1 -> 5`, `~ settings.x: a -> b`. Empty when nothing changes.
pub fn diff(old: Option<&Document>, new: &Document) -> Vec<String> {
    let empty = Document::new();
    let old_cfg = old.unwrap_or(&empty);
    let mut out = Vec::new();
    let (ov, nv) = (config::version(old_cfg), config::version(new));
    if ov != nv || old.is_none() {
        let show_v = |v: Option<i64>| v.map_or("(none)".to_string(), |v| v.to_string());
        out.push(format!("  version: {} -> {}", show_v(ov), show_v(nv)));
    }
    let old_members = member_docs(old_cfg);
    let new_members = member_docs(new);
    for o in &old_members {
        if !new_members.iter().any(|n| member_id(n) == member_id(o)) {
            out.push(format!("- member {}", show(&Bson::Document((*o).clone()))));
        }
    }
    for n in &new_members {
        match old_members.iter().find(|o| member_id(o) == member_id(n)) {
            None => out.push(format!("+ member {}", show(&Bson::Document((*n).clone())))),
            Some(o) => {
                let arbiter = config::truthy(n.get("arbiterOnly"));
                let label = format!(
                    "~ member {} ({})",
                    member_id(n).unwrap_or(-1),
                    n.get_str("host").unwrap_or("?")
                );
                for c in field_changes(o, n, &|k| member_default(k, arbiter), &[]) {
                    out.push(format!("{label}: {c}"));
                }
            }
        }
    }
    if old.is_some() {
        // Other top-level fields given in the new config (absent ones keep the server's).
        for (k, v) in new.iter() {
            if matches!(k.as_str(), "version" | "members" | "settings" | "term") {
                continue;
            }
            match old_cfg.get(k) {
                Some(o) if same(o, v) => {}
                o => out.push(format!(
                    "~ {k}: {} -> {}",
                    o.map_or("(none)".to_string(), show),
                    show(v)
                )),
            }
        }
    }
    if let (Some(_), Ok(ns)) = (old, new.get_document("settings")) {
        let os = old_cfg
            .get_document("settings")
            .cloned()
            .unwrap_or_default();
        // Settings absent from the new config keep the server's values: only what is given changes.
        let mut os_given = Document::new();
        for (k, v) in os.iter() {
            if ns.contains_key(k) {
                os_given.insert(k, v.clone());
            }
        }
        for c in field_changes(&os_given, ns, &|_| None, &["replicaSetId"]) {
            out.push(format!("~ settings.{c}"));
        }
    }
    out
}

/// One line: `version 3 -> 4: +127.0.0.1:40004 (arbiter); -h:2; h:1 priority 1 -> 5`.
pub fn summary(old: Option<&Document>, new: &Document) -> String {
    let empty = Document::new();
    let old_cfg = old.unwrap_or(&empty);
    let old_members = config::members(old_cfg);
    let new_members = config::members(new);
    let mut parts = Vec::new();
    for n in &new_members {
        match old_members.iter().find(|o| o.id == n.id) {
            None => {
                let kind = if n.arbiter {
                    " (arbiter)"
                } else if n.votes == 0 {
                    " (non-voting)"
                } else {
                    ""
                };
                parts.push(format!("+{}{kind}", n.host));
            }
            Some(o) => {
                let mut changes = Vec::new();
                if o.host != n.host {
                    changes.push(format!("host {} -> {}", o.host, n.host));
                }
                if o.priority != n.priority {
                    changes.push(format!("priority {} -> {}", o.priority, n.priority));
                }
                if o.votes != n.votes {
                    changes.push(format!("votes {} -> {}", o.votes, n.votes));
                }
                if o.hidden != n.hidden {
                    changes.push(format!("hidden {} -> {}", o.hidden, n.hidden));
                }
                if o.delay_secs != n.delay_secs {
                    changes.push(format!("delay {}s -> {}s", o.delay_secs, n.delay_secs));
                }
                if !changes.is_empty() {
                    parts.push(format!("{} {}", n.host, changes.join(", ")));
                }
            }
        }
    }
    for o in &old_members {
        if !new_members.iter().any(|n| n.id == o.id) {
            parts.push(format!("-{}", o.host));
        }
    }
    let settings = diff(old, new)
        .iter()
        .filter(|l| l.starts_with("~ settings."))
        .count();
    if settings > 0 {
        parts.push(format!("{settings} setting(s) changed"));
    }
    let head = match (old.and_then(config::version), config::version(new)) {
        (Some(a), Some(b)) => format!("version {a} -> {b}"),
        (None, Some(b)) => format!("version {b}"),
        (Some(a), None) => format!("version {a} -> next"),
        (None, None) => "new config".to_string(),
    };
    if parts.is_empty() {
        format!("{head}: no member changes")
    } else {
        format!("{head}: {}", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn old() -> Document {
        doc! {"_id": "rs0", "version": 3, "term": 1, "members": [
            {"_id": 0, "host": "a:1", "arbiterOnly": false, "buildIndexes": true, "hidden": false, "priority": 1.0, "tags": {}, "secondaryDelaySecs": 0i64, "votes": 1},
            {"_id": 1, "host": "b:1", "arbiterOnly": false, "buildIndexes": true, "hidden": false, "priority": 1.0, "tags": {}, "secondaryDelaySecs": 0i64, "votes": 1},
        ], "settings": {"electionTimeoutMillis": 10000, "replicaSetId": bson::oid::ObjectId::new()}}
    }

    #[test]
    fn add_remove_change() {
        let new = doc! {"_id": "rs0", "version": 4, "members": [
            {"_id": 0, "host": "a:1", "priority": 5},
            {"_id": 2, "host": "c:1", "arbiterOnly": true},
        ], "settings": {"electionTimeoutMillis": 2000}};
        let lines = diff(Some(&old()), &new);
        assert_eq!(
            lines,
            vec![
                "  version: 3 -> 4",
                "- member { \"_id\" : 1, \"host\" : \"b:1\", \"arbiterOnly\" : false, \"buildIndexes\" : true, \"hidden\" : false, \"priority\" : 1, \"tags\" : {  }, \"secondaryDelaySecs\" : NumberLong(0), \"votes\" : 1 }",
                "~ member 0 (a:1): priority: 1 -> 5",
                "+ member { \"_id\" : 2, \"host\" : \"c:1\", \"arbiterOnly\" : true }",
                "~ settings.electionTimeoutMillis: 10000 -> 2000",
            ]
        );
        assert_eq!(
            summary(Some(&old()), &new),
            "version 3 -> 4: a:1 priority 1 -> 5; +c:1 (arbiter); -b:1; 1 setting(s) changed"
        );
    }

    #[test]
    fn unchanged_config_has_only_the_version() {
        let mut new = old();
        new.insert("version", 4);
        assert_eq!(diff(Some(&old()), &new), vec!["  version: 3 -> 4"]);
        assert_eq!(
            summary(Some(&old()), &new),
            "version 3 -> 4: no member changes"
        );
    }

    #[test]
    fn initiate_lists_every_member() {
        let new = doc! {"_id": "rs0", "members": [{"_id": 0, "host": "a:1"}]};
        let lines = diff(None, &new);
        assert_eq!(lines[1], "+ member { \"_id\" : 0, \"host\" : \"a:1\" }");
        assert_eq!(summary(None, &new), "new config: +a:1");
    }
}
