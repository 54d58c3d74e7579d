// `use <db>` and `show dbs|collections|tables|users|roles|profile|startupWarnings` on a
// connection.

shellHelper.use = function (name) {
    if (typeof db === "undefined" || db === null || typeof db.getMongo !== "function") {
        throw Error("not connected to a database (rsh was started with --nodb)");
    }
    if (!name) {
        throw Error("bad use parameter");
    }
    db = db.getMongo().getDB(name);
    print("switched to db " + db.getName());
};

shellHelper.show = function (what) {
    if (typeof db === "undefined" || db === null || typeof db.getMongo !== "function") {
        throw Error("not connected to a database (rsh was started with --nodb)");
    }
    if (what === "dbs" || what === "databases") {
        var res = db.getMongo().adminCommand({listDatabases: 1});
        if (!res.ok) {
            throw Error("listDatabases failed:" + tojson(res));
        }
        DB._printText(__showDbsTable(res.databases));
        return;
    }
    if (what === "collections" || what === "tables") {
        db.getCollectionNames().forEach(function (n) { print(n); });
        return;
    }
    if (what === "users") {
        db.getUsers().forEach(function (u) { printjson(u); });
        return;
    }
    if (what === "roles") {
        db.getRoles({showBuiltinRoles: true}).forEach(function (r) { printjson(r); });
        return;
    }
    if (what === "profile") {
        if (db.system.profile.count() === 0) {
            print("db.system.profile is empty");
            print("Use db.setProfilingLevel(2) will enable profiling");
            print("Use db.system.profile.find() to show raw profile entries");
            return;
        }
        db.system.profile.find({millis: {$gt: 0}}).sort({$natural: -1}).limit(5).forEach(function (p) {
            print(p.op + "\t" + p.ns + " " + p.millis + "ms " + String(p.ts).substring(0, 24));
            printjson(p);
            print("");
        });
        return;
    }
    if (what === "startupWarnings") {
        // As the 4.4 shell: nothing when there are none, or when getLog is missing or refused.
        var log = db.getSiblingDB("admin").runCommand({getLog: "startupWarnings"});
        if (log.ok) {
            DB._printText(__startupWarningsText(log.log || []));
        } else if (log.errmsg !== "no such cmd: getLog" && log.code !== 13 &&
                   log.errmsg !== "unauthorized" && log.errmsg !== "need to login") {
            print("Error while trying to show server startup warnings: " + log.errmsg);
        }
        return;
    }
    throw Error("don't know how to show [" + what + "]");
};
