// rs.*: replica-set helpers with the legacy semantics and strings.
// Every command goes to the admin database of the current `db`'s connection.

var rs = function () {
    return "try rs.help()";
};

rs.help = function () {
    print("\trs.status()                                { replSetGetStatus : 1 } checks repl set status");
    print("\trs.initiate()                              { replSetInitiate : null } initiates set with default settings");
    print("\trs.initiate(cfg)                           { replSetInitiate : cfg } initiates set with configuration cfg");
    print("\trs.conf()                                  get the current configuration object from local.system.replset");
    print("\trs.reconfig(cfg)                           updates the configuration of a running replica set with cfg (disconnects)");
    print("\trs.add(hostportstr)                        add a new member to the set with default attributes (disconnects)");
    print("\trs.add(membercfgobj)                       add a new member to the set with extra attributes (disconnects)");
    print("\trs.addArb(hostportstr)                     add a new member which is arbiterOnly:true (disconnects)");
    print("\trs.stepDown([stepdownSecs, catchUpSecs])   step down as primary (disconnects)");
    print("\trs.syncFrom(hostportstr)                   make a secondary sync from the given member");
    print("\trs.freeze(secs)                            make a node ineligible to become primary for the time specified");
    print("\trs.remove(hostportstr)                     remove a host from the replica set (disconnects)");
    print("\trs.secondaryOk()                               allow queries on secondary nodes");
    print("");
    print("\trs.printReplicationInfo()                  check oplog size and time range");
    print("\trs.printSecondaryReplicationInfo()             check replica set members and replication lag");
    print("\tdb.isMaster()                              check who is primary");
    print("\tdb.hello()                              check who is primary");
    print("");
    print("\treconfiguration helpers disconnect from the database so the shell will display");
    print("\tan error, even if the command succeeds.");
    // rsh's own helpers, after the legacy text.
    print("");
    print("\trs.printStatus()                           one row per member: state, health, lag, heartbeat, priority/votes");
    print("\trs.waitForPrimary([timeoutSecs])           wait until the set has a primary; returns rs.status()");
    print("\trs.waitForMember(host, state[, timeoutSecs]) wait until host is in state (\"SECONDARY\", 2, ...)");
    print("\trs.waitForCaughtUp([maxLagSecs, timeoutSecs]) wait until every secondary is within maxLagSecs of the primary");
    print("\trs.doctor()                                check the set: members, lag, oplog, clocks, config, versions");
    print("");
    print("\tchanges (initiate, add, addArb, remove, reconfig) are checked first: preflight WARN/FAIL lines;");
    print("\ta FAIL sends nothing. Options: {dryRun: true} shows the checks and the config diff only,");
    print("\t{preflight: false} skips the checks. Neither is sent to the server.");
};

// Split the options rsh keeps for itself (`preflight`, `dryRun`: never sent) from the
// command's.
rs._ownOptions = function (options) {
    var own = {preflight: true, dryRun: false}, rest = {};
    if (options !== null && typeof options === "object") {
        for (var k in options) {
            if (k === "preflight") {
                own.preflight = options[k] !== false;
            } else if (k === "dryRun") {
                own.dryRun = options[k] === true;
            } else {
                rest[k] = options[k];
            }
        }
    }
    return {own: own, rest: rest};
};

// Helpers that send no options of their own take only rsh's: anything else would be ignored.
rs._onlyOwnOptions = function (helper, options) {
    var split = rs._ownOptions(options);
    var unknown = Object.keys(split.rest);
    if (unknown.length) {
        throw Error(helper + ": unknown option " + unknown.join(", ") + " (it takes {dryRun: true} and {preflight: false})");
    }
    return split;
};

// Argument checks, made before anything is read or sent: a wrong type is a one-line TypeError
// naming the helper and what it expects (never a default action on nonsense).
rs._isDoc = function (v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
};
rs._argError = function (signature, what) {
    return new TypeError(signature + ": " + what);
};
rs._checkOptions = function (signature, options) {
    if (options !== undefined && options !== null && !rs._isDoc(options)) {
        throw rs._argError(signature, "options must be a document");
    }
};
rs._checkConfig = function (signature, cfg) {
    if (!rs._isDoc(cfg)) {
        throw rs._argError(signature, "cfg must be a config document");
    }
    if (cfg.members !== undefined && !Array.isArray(cfg.members)) {
        throw rs._argError(signature, "cfg.members must be an array");
    }
};
rs._checkHost = function (signature, host) {
    if (typeof host !== "string" || host === "") {
        throw rs._argError(signature, "hostport must be a \"host:port\" string");
    }
};
rs._checkSeconds = function (signature, name, v, optional) {
    if (optional && v === undefined) {
        return;
    }
    if (typeof v !== "number" && !(v instanceof NumberInt) && !(v instanceof NumberLong)) {
        throw rs._argError(signature, name + " must be a number");
    }
};

// Deprecated helpers say so once per session.
rs._deprecationShown = {};
rs._deprecated = function (name, text) {
    if (!rs._deprecationShown[name]) {
        rs._deprecationShown[name] = true;
        print(text);
    }
};

rs.slaveOk = function (value) {
    rs._deprecated("rs.slaveOk", "WARNING: slaveOk() is deprecated and may be removed in the next major release. Please use secondaryOk() instead.");
    db.getMongo().setSecondaryOk(value);
};
rs.secondaryOk = function (value) {
    db.getMongo().setSecondaryOk(value);
};

rs.status = function () { return db._adminCommand("replSetGetStatus"); };
rs.isMaster = function () { return db.isMaster(); };
rs.hello = function () { return db.hello(); };
// No argument: the command carries BSON undefined and the server builds the default config.
// Changes go through rs._change (rs_admin.js): preflight checks, dryRun, a summary line.
rs.initiate = function (c, options) {
    if (c !== undefined) {
        rs._checkConfig("rs.initiate(cfg)", c);
    }
    rs._checkOptions("rs.initiate(cfg, options)", options);
    var d = db;
    var split = rs._onlyOwnOptions("rs.initiate", options);
    return rs._change(d, "initiate", null, c, false, split.own, function () {
        return d._adminCommand({replSetInitiate: c});
    });
};
rs.printReplicationInfo = function () { return db.printReplicationInfo(); };
rs.printSlaveReplicationInfo = function () { return db.printSlaveReplicationInfo(); };
rs.printSecondaryReplicationInfo = function () { return db.printSecondaryReplicationInfo(); };

rs.conf = function () {
    var resp = db._adminCommand({replSetGetConfig: 1});
    if (resp.ok && !(resp.errmsg) && resp.config) {
        return resp.config;
    } else if (resp.errmsg && resp.errmsg.indexOf("no such cmd") === 0) {
        return db.getSiblingDB("local").system.replset.findOne();
    }
    throw new Error("Could not retrieve replica set config: " + tojson(resp));
};
rs.config = rs.conf;

// Messages of errors that mean the connection dropped (the primary stepped down or changed).
rs._isNetworkError = function (e) {
    var m = String(e && e.message !== undefined ? e.message : e);
    return ["error doing query", "socket exception", "network error", "SocketException",
            "HostNotFound", "primary changed"].some(function (s) { return m.indexOf(s) >= 0; });
};

// The reconnect wrapper of rs.reconfig / rs.add: a dropped connection is normal there.
rs._runCmd = function (c) {
    var res;
    try {
        res = db.adminCommand(c);
    } catch (e) {
        if (rs._isNetworkError(e)) {
            try {
                db.adminCommand({ping: 1});
                db.adminCommand({ping: 1});
                print("reconnected to server after rs command (which is normal)");
            } catch (e2) {
                printjson(String(e2));
            }
        } else {
            print("shell got exception during repl set operation: " + e);
            print("in some circumstances, the primary steps down and closes connections on a reconfig");
        }
        return "";
    }
    return res;
};

rs.reconfig = function (cfg, options) {
    rs._checkConfig("rs.reconfig(cfg)", cfg);
    rs._checkOptions("rs.reconfig(cfg, options)", options);
    var current = rs.conf();
    cfg.version = current.version + 1;
    var split = rs._ownOptions(options);
    var cmd = {replSetReconfig: cfg};
    for (var i in split.rest) {
        cmd[i] = split.rest[i];
    }
    return rs._change(db, "reconfig", current, cfg, cmd.force === true, split.own, function () {
        return rs._runCmd(cmd);
    });
};

// The config as stored in local.system.replset (rs.add and rs.remove read it there).
rs._localConfig = function () {
    var local = db.getSiblingDB("local");
    if (!(local.system.replset.count() <= 1)) {
        throw Error("assert failed : error: local.system.replset has unexpected contents");
    }
    var c = local.system.replset.findOne();
    if (!c) {
        throw Error("assert failed : no config object retrievable from local.system.replset");
    }
    return c;
};

// rs.add(host[, arbiterOnly][, options]) and rs.add(host, options): options are rsh's own
// (preflight, dryRun).
rs.add = function (hostport, arb, options) {
    if (arb !== null && typeof arb === "object") {
        options = arb;
        arb = undefined;
    }
    if (arb === true) {
        // A document gets the legacy message below.
        if (!rs._isDoc(hostport)) {
            rs._checkHost("rs.addArb(hostport)", hostport);
        }
    } else if (typeof hostport !== "string" || hostport === "") {
        if (!rs._isDoc(hostport) || typeof hostport.host !== "string") {
            throw rs._argError("rs.add(hostport)",
                "hostport must be a \"host:port\" string or a member document with a host");
        }
    }
    if (arb !== undefined && arb !== null && typeof arb !== "boolean") {
        throw rs._argError("rs.add(hostport, arbiterOnly)", "arbiterOnly must be true or false");
    }
    rs._checkOptions("rs.add(hostport, options)", options);
    var current = rs._localConfig();
    var c = rs._localConfig();
    var split = rs._onlyOwnOptions(arb ? "rs.addArb" : "rs.add", options);
    c.version++;
    var max = 0;
    for (var i in c.members) {
        if (c.members[i]._id > max) {
            max = c.members[i]._id;
        }
    }
    var cfg;
    if (typeof hostport === "string") {
        cfg = {_id: max + 1, host: hostport};
        if (arb) {
            cfg.arbiterOnly = true;
        }
    } else {
        if (arb === true) {
            throw Error("Expected first parameter to be a host-and-port string of arbiter, but got " + tojson(hostport));
        }
        cfg = hostport;
        if (cfg._id === null || cfg._id === undefined) {
            cfg._id = max + 1;
        }
    }
    c.members.push(cfg);
    return rs._change(db, arb ? "addArb" : "add", current, c, false, split.own, function () {
        return rs._runCmd({replSetReconfig: c});
    });
};

rs.addArb = function (hn, options) {
    return this.add(hn, true, options);
};

rs.remove = function (hn, options) {
    rs._checkHost("rs.remove(hostport)", hn);
    rs._checkOptions("rs.remove(hostport, options)", options);
    var current = rs._localConfig();
    var c = rs._localConfig();
    var split = rs._onlyOwnOptions("rs.remove", options);
    c.version++;
    for (var i in c.members) {
        if (c.members[i].host == hn) {
            c.members.splice(i, 1);
            return rs._change(db, "remove", current, c, false, split.own, function () {
                return db._adminCommand({replSetReconfig: c});
            });
        }
    }
    return "error: couldn't find " + hn + " in " + tojson(c.members);
};

rs.stepDown = function (stepdownSecs, catchUpSecs) {
    rs._checkSeconds("rs.stepDown(stepdownSecs, catchUpSecs)", "stepdownSecs", stepdownSecs, true);
    rs._checkSeconds("rs.stepDown(stepdownSecs, catchUpSecs)", "catchUpSecs", catchUpSecs, true);
    var cmd = {replSetStepDown: stepdownSecs === undefined ? 60 : stepdownSecs};
    if (catchUpSecs !== undefined) {
        cmd.secondaryCatchUpPeriodSecs = catchUpSecs;
    }
    return db._adminCommand(cmd);
};

rs.freeze = function (secs) {
    rs._checkSeconds("rs.freeze(secs)", "secs", secs, false);
    return db._adminCommand({replSetFreeze: secs});
};
rs.syncFrom = function (host) {
    rs._checkHost("rs.syncFrom(hostport)", host);
    return db._adminCommand({replSetSyncFrom: host});
};

// Give a member of a primary-secondary-arbiter set a vote and then its priority, in two
// reconfigs (4.4 helper).
rs.reconfigForPSASet = function (memberIndex, config, options) {
    if (typeof memberIndex !== "number") {
        throw rs._argError("rs.reconfigForPSASet(memberIndex, cfg)", "memberIndex must be a number");
    }
    rs._checkConfig("rs.reconfigForPSASet(memberIndex, cfg)", config);
    var member = config.members[memberIndex];
    if (member === undefined) {
        throw Error("Invalid 'memberIndex': " + memberIndex);
    }
    var priority = member.priority === undefined ? 1 : member.priority;
    var votes = member.votes === undefined ? 1 : member.votes;
    if (votes !== 1) {
        throw Error("The 'votes' of the member at 'memberIndex' must be 1");
    }
    if (priority === 0) {
        return rs.reconfig(config, options);
    }
    member.priority = 0;
    print("Running first reconfig to give member at index " + memberIndex + " { votes: 1, priority: 0 }");
    var res = rs.reconfig(config, options);
    if (!res || !res.ok) {
        return res;
    }
    member.priority = priority;
    print("Running second reconfig to give member at index " + memberIndex + " { priority: " + priority + " }");
    return rs.reconfig(config, options);
};
