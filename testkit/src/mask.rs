//! Masking of values that change from run to run, so transcripts compare with golden files.

/// Replace values that change from run to run (dates, timestamps, ObjectIds, uptimes…) so a
/// transcript can be compared with a golden file.
pub fn mask(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(&mask_line(line));
        out.push('\n');
    }
    out
}

fn mask_line(line: &str) -> String {
    // Oplog window and lag figures of the replication reports.
    if line.starts_with("log length start to end: ") {
        return "log length start to end: *secs (*hrs)".to_string();
    }
    if line.starts_with('\t') && line.ends_with(" behind the primary ") {
        return "\t* secs (* hrs) behind the primary ".to_string();
    }
    let mut s = line.to_string();
    for (open, close) in [
        ("ISODate(\"", "\")"),
        ("Timestamp(", ")"),
        ("ObjectId(\"", "\")"),
        ("NumberLong(", ")"),
        ("BinData(", ")"),
    ] {
        let mut from = 0;
        while let Some(i) = s[from..].find(open) {
            let start = from + i + open.len();
            let Some(j) = s[start..].find(close) else {
                break;
            };
            s.replace_range(start..start + j, "*");
            from = start + 1;
        }
    }
    // Numbers after keys whose values vary.
    for key in [
        "uptime",
        "pingMs",
        "electionTime",
        "configVersion",
        "version",
        "term",
        "configTerm",
        "syncSourceId",
        "lastHeartbeatMessage",
        "electionDate",
        "infoMessage",
        "syncSourceHost",
        "syncingTo",
        "localTime",
        "connectionId",
        "lastCommittedWallTime",
        "optimeDurableDate",
        "optimeDate",
        "lastHeartbeat",
        "lastHeartbeatRecv",
        "date",
        "port",
        "heartbeatIntervalMillis",
        "operationTime",
        "$clusterTime",
        "setVersion",
    ] {
        let pat = format!("\"{key}\" : ");
        if let Some(i) = s.find(&pat) {
            let start = i + pat.len();
            let end = s[start..].find(',').map(|e| start + e).unwrap_or(s.len());
            if !s[start..end].starts_with('{') && !s[start..end].starts_with('[') {
                s.replace_range(start..end, "*");
            }
        }
    }
    // Ports of loopback members.
    let mut res = String::new();
    let mut rest = s.as_str();
    while let Some(i) = rest.find("127.0.0.1:") {
        res.push_str(&rest[..i + 10]);
        rest = &rest[i + 10..];
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        res.push_str("PORT");
        rest = &rest[digits..];
    }
    res.push_str(rest);
    // Dates in legacy Date.toString() form.
    if let Some(i) = res.find(" GMT+0000 (") {
        if i >= 24 {
            let start = i - 24;
            if res.is_char_boundary(start) {
                let end = res[i..].find(')').map(|e| i + e + 1).unwrap_or(res.len());
                res.replace_range(start..end, "DATE");
            }
        }
    }
    res
}
