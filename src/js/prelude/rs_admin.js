// Careful replica-set changes and views: preflight before a change, dry runs with a config
// diff, one-line summaries, rs.printStatus(), rs.waitFor*(), rs.doctor(). The rules are Rust
// natives (__rsPreflight, __rsDiff, __rsTable, __rsDoctor); this file gathers what they need
// from the servers and prints. Loaded with the connection helpers.

// On a terminal warnings share stdout with the rest; in scripts they go to stderr.
rs._warn = function (text) {
    if (__stdoutIsTerminal()) {
        print(text);
    } else {
        __printErr(text);
    }
};

// The first reply among `tries` (functions) that has ok: 1, else null.
rs._firstOk = function (tries) {
    for (var i = 0; i < tries.length; i++) {
        try {
            var r = tries[i]();
            if (r && r.ok) {
                return r;
            }
        } catch (e) {
            // The next way of asking.
        }
    }
    return null;
};

// The admin command on any member that answers (the primary's view when there is one).
rs._anyMember = function (d, cmd) {
    var h = d.getMongo()._h;
    return rs._firstOk([
        function () { return __runCommand(h, "admin", cmd, {mode: "primaryPreferred"}); },
        function () { return __runCommand(h, "admin", cmd, {mode: "nearest"}); }
    ]);
};

// What the preflight rules need besides the two configs, then the rules; prints the findings.
rs._preflight = function (d, action, current, proposed, force) {
    var hello = rs._anyMember(d, {hello: 1}) || {};
    var plan = {
        action: action,
        current: current || null,
        proposed: proposed || null,
        force: force === true,
        connected: hello.me || d.getMongo().host,
        defaultRWConcern: rs._anyMember(d, {getDefaultRWConcern: 1})
    };
    // A member that has a config refuses rs.initiate() itself; the host-name trap is for new sets.
    if (!proposed && action === "initiate" && !hello.setName) {
        var info = rs._anyMember(d, {hostInfo: 1});
        if (info && info.system) {
            plan.serverHostname = info.system.hostname;
        }
        var opts = rs._anyMember(d, {getCmdLineOpts: 1});
        if (opts && opts.parsed && opts.parsed.replication) {
            var name = opts.parsed.replication.replSet || opts.parsed.replication.replSetName;
            if (name) {
                plan.setName = String(name).split("/")[0];
            }
        }
    }
    var res = __rsPreflight(d.getMongo()._h, plan);
    res.findings.forEach(function (f) {
        var text = "preflight: " + f.level + " " + f.message + (f.fix ? "\npreflight:      fix: " + f.fix : "");
        if (f.level === "FAIL") {
            print(text);
        } else {
            rs._warn(text);
        }
    });
    return res;
};

// A result whose lines were printed already: the REPL shows `line` instead of the whole
// document (printjson and --json still show it all).
rs._quiet = function (doc, line) {
    Object.defineProperty(doc, "shellPrint", {
        value: function () { print(line); },
        enumerable: false
    });
    return doc;
};

// One change through the checks: `send()` runs it unless the preflight fails or it is a dry run.
rs._change = function (d, action, current, proposed, force, own, send) {
    var pf = null;
    if (own.preflight || own.dryRun) {
        pf = rs._preflight(d, action, current, proposed, force);
    }
    var diff = proposed !== null && typeof proposed === "object" ? __rsDiff(current || null, proposed) : null;
    if (own.dryRun) {
        print("dry run: nothing was sent; preflight " + pf.verdict);
        if (diff) {
            diff.lines.forEach(function (l) { print(l); });
        } else {
            print("  (the server builds the config)");
        }
        return rs._quiet({
            ok: 1, dryRun: true, preflight: pf.verdict, findings: pf.findings,
            summary: diff ? diff.summary : "default config", changes: diff ? diff.lines : []
        }, "dry run: " + (diff ? diff.summary : "default config") + " (preflight " + pf.verdict + ")");
    }
    if (pf && pf.verdict === "FAIL") {
        throw Error("preflight failed: nothing was sent (pass {preflight: false} to send it anyway)");
    }
    if (diff && __stdoutIsTerminal()) {
        print(action + ": " + diff.summary);
    }
    // The command is checked: the guarded runCommand/adminCommand let it through as it is.
    rs._sending = true;
    try {
        return send();
    } finally {
        rs._sending = false;
    }
};

// replSetInitiate / replSetReconfig typed as commands get the same checks. Returns the reply,
// or null when the command is not one of them.
rs._guardedCommand = function (d, cmd, extra, run) {
    if (rs._sending || cmd === null || typeof cmd !== "object") {
        return null;
    }
    var name = Object.keys(cmd)[0];
    if (name !== "replSetInitiate" && name !== "replSetReconfig") {
        return null;
    }
    // The command without rsh's own fields; its name stays first.
    var split = rs._ownOptions(cmd);
    var toSend = split.rest;
    var current = null;
    if (name === "replSetReconfig") {
        var got = rs._anyMember(d, {replSetGetConfig: 1});
        current = got ? got.config : null;
    }
    var proposed = cmd[name];
    if (proposed === null || proposed === undefined || typeof proposed !== "object") {
        proposed = null;
    }
    return rs._change(d, name === "replSetInitiate" ? "initiate" : "reconfig", current, proposed,
                      cmd.force === true, split.own, function () { return run.call(d, toSend, extra); });
};

(function () {
    var run = DB.prototype.runCommand;
    var admin = DB.prototype.adminCommand;
    DB.prototype.runCommand = function (cmd, extra) {
        var r = rs._guardedCommand(this, cmd, extra, run);
        return r === null ? run.call(this, cmd, extra) : r;
    };
    DB.prototype.adminCommand = function (cmd, extra) {
        var r = rs._guardedCommand(this, cmd, extra, admin);
        return r === null ? admin.call(this, cmd, extra) : r;
    };
})();

// --- the member table -------------------------------------------------------------------

rs.printStatus = function () {
    var s = rs._anyMember(db, {replSetGetStatus: 1});
    if (!s) {
        var why = db._adminCommand({replSetGetStatus: 1});
        throw Error("rs.printStatus(): cannot read the set's status: " + (why.errmsg || tojson(why)));
    }
    var got = rs._anyMember(db, {replSetGetConfig: 1});
    var t = __rsTable(s, got ? got.config : null);
    if (__jsonOutput()) {
        __printResult(t.rows);
    } else {
        print(t.text.replace(/\n$/, ""));
    }
};

// --- waits ------------------------------------------------------------------------------

// Poll `test(status)` with backoff until it returns a value or `timeoutSecs` pass; on a
// terminal a progress line every few seconds. Throws with every member's last state.
rs._waitFor = function (what, timeoutSecs, test) {
    var limit = (timeoutSecs === undefined ? 60 : Number(timeoutSecs)) * 1000;
    if (!(limit >= 0)) {
        throw Error(what + ": the timeout must be a number of seconds");
    }
    var start = Date.now(), pause = 100, lastStatus = null, lastProgress = start;
    var describe = function (s) {
        if (!s) {
            return "no member answered";
        }
        return s.members.map(function (m) { return m.name + " " + m.stateStr; }).join(", ");
    };
    for (;;) {
        var s = rs._anyMember(db, {replSetGetStatus: 1});
        if (s) {
            lastStatus = s;
            var done = test(s);
            if (done) {
                return done === true ? s : done;
            }
        }
        var spent = Date.now() - start;
        if (spent >= limit) {
            var extra = test.lastReason ? " (" + test.lastReason + ")" : "";
            throw Error(what + ": timed out after " + Math.round(limit / 1000) + "s" + extra +
                        "; last seen: " + describe(lastStatus));
        }
        if (__stdoutIsTerminal() && Date.now() - lastProgress >= 2000) {
            lastProgress = Date.now();
            print(what + ": waiting (" + Math.round(spent / 1000) + "s of " + Math.round(limit / 1000) + "s) " + describe(lastStatus));
        }
        sleep(Math.max(0, Math.min(pause, limit - spent)));
        pause = Math.min(1000, Math.round(pause * 1.5));
    }
};

// A member's view of a primary can be a heartbeat old (a killed primary stays PRIMARY there
// for a while): the primary must say so itself.
rs._confirmedPrimary = function (s) {
    var p = s.members.filter(function (m) { return m.state === 1 && m.health === 1; })[0];
    if (!p) {
        return null;
    }
    if (p.self) {
        return p;
    }
    var answer = __rsProbe(db.getMongo()._h, [p.name]).list[0];
    return answer.hello && answer.hello.isWritablePrimary ? p : null;
};

rs.waitForPrimary = function (timeoutSecs) {
    return rs._waitFor("rs.waitForPrimary", timeoutSecs, function (s) {
        var p = rs._confirmedPrimary(s);
        if (!p) {
            return false;
        }
        if (p.self) {
            return true;
        }
        // The primary's own view, where no stale PRIMARY is left.
        try {
            var own = __runCommand(db.getMongo()._h, "admin", {replSetGetStatus: 1}, p.name);
            return own.ok ? own : true;
        } catch (e) {
            return true;
        }
    });
};

rs.waitForMember = function (host, state, timeoutSecs) {
    if (typeof host !== "string") {
        throw Error("rs.waitForMember(host, state[, timeoutSecs]): host must be a \"host:port\" string");
    }
    var want = typeof state === "string" ? state.toUpperCase() : state;
    if (typeof want !== "string" && typeof want !== "number") {
        throw Error("rs.waitForMember(host, state[, timeoutSecs]): state is a name (\"SECONDARY\") or a number");
    }
    var check = function (s) {
        var m = s.members.filter(function (x) { return x.name === host; })[0];
        if (!m) {
            check.lastReason = host + " is not in the config";
            return false;
        }
        check.lastReason = host + " is " + m.stateStr;
        return typeof want === "string" ? m.stateStr === want : m.state === want;
    };
    return rs._waitFor("rs.waitForMember", timeoutSecs, check);
};

rs.waitForCaughtUp = function (maxLagSecs, timeoutSecs) {
    var maxLag = maxLagSecs === undefined ? 0 : Number(maxLagSecs);
    var check = function (s) {
        var primary = rs._confirmedPrimary(s);
        if (!primary) {
            check.lastReason = "no primary";
            return false;
        }
        var cfg = rs._anyMember(db, {replSetGetConfig: 1});
        var delayed = {};
        if (cfg) {
            cfg.config.members.forEach(function (m) {
                if ((m.secondaryDelaySecs || m.slaveDelay || 0) > 0 || m.arbiterOnly) {
                    delayed[m.host] = true;
                }
            });
        }
        var behind = [];
        s.members.forEach(function (m) {
            if (m.state === 1 || m.state === 7 || delayed[m.name]) {
                return;
            }
            if (m.health !== 1 || !m.optime) {
                behind.push(m.name + " " + m.stateStr);
                return;
            }
            var pt = primary.optime.ts, mt = m.optime.ts;
            var later = pt.t > mt.t || (pt.t === mt.t && pt.i > mt.i);
            var lag = (primary.optimeDate.getTime() - m.optimeDate.getTime()) / 1000;
            if (later && (maxLag === 0 || lag > maxLag)) {
                behind.push(m.name + " " + Math.max(lag, 0) + "s behind");
            }
        });
        check.lastReason = behind.length ? "lagging: " + behind.join(", ") : "";
        return behind.length === 0;
    };
    return rs._waitFor("rs.waitForCaughtUp", timeoutSecs, check);
};

// --- rs.doctor() ------------------------------------------------------------------------

rs.doctor = function () {
    var status = rs._anyMember(db, {replSetGetStatus: 1});
    if (!status) {
        var why = db._adminCommand({replSetGetStatus: 1});
        throw Error("rs.doctor(): cannot read the set's status: " + (why.errmsg || tojson(why)));
    }
    var h = db.getMongo()._h;
    var got = rs._anyMember(db, {replSetGetConfig: 1});
    var now = new Date();
    // Every member's hello at once, each bounded: a member that just died costs 2 s.
    var hellos = {};
    __rsProbe(h, status.members.map(function (m) { return m.name; })).list.forEach(function (p) {
        hellos[p.host] = p;
    });
    var members = status.members.map(function (m) {
        var r = {host: m.name};
        var probe = hellos[m.name] || {error: "not asked"};
        if (m.health !== 1 || !probe.hello) {
            r.error = m.health !== 1 ? "not reachable" : probe.error;
            return r;
        }
        try {
            r.hello = probe.hello;
            var b = __runCommand(h, "admin", {buildInfo: 1}, m.name);
            if (b.ok) {
                r.version = b.version;
            }
            var l = __runCommand(h, "admin", {getLog: "startupWarnings"}, m.name);
            if (l.ok) {
                r.startupWarnings = l.log;
            }
        } catch (e) {
            r.error = String(e && e.message !== undefined ? e.message : e);
        }
        return r;
    });
    var inputs = {status: status, config: got ? got.config : {}, now: now, members: members};
    var fcv = rs._anyMember(db, {getParameter: 1, featureCompatibilityVersion: 1});
    if (fcv && fcv.featureCompatibilityVersion) {
        inputs.fcv = fcv.featureCompatibilityVersion.version;
    }
    var rw = rs._anyMember(db, {getDefaultRWConcern: 1});
    if (rw) {
        inputs.defaultRWConcern = rw;
    }
    try {
        var info = db.getReplicationInfo();
        if (info && info.timeDiffHours !== undefined && !info.errmsg) {
            inputs.oplog = {windowHours: info.timeDiffHours, usedMB: info.usedMB, sizeMB: info.logSizeMB};
        }
    } catch (e) {
        // No oplog finding without a readable oplog.
    }
    var res = __rsDoctor(inputs);
    print(res.text);
    var count = {OK: 0, WARN: 0, FAIL: 0};
    res.findings.forEach(function (f) { count[f.level]++; });
    return rs._quiet({ok: res.ok, findings: res.findings},
                     "rs.doctor(): " + count.FAIL + " FAIL, " + count.WARN + " WARN, " + count.OK + " OK");
};
