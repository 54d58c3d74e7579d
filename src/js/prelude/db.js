// DB: a database on a connection. `db.coll` names a collection (a Proxy turns unknown
// properties into collections, as the legacy shell's getter did). Commands go through the
// native __runCommand, which returns the reply whatever its `ok`.

var DB = function (mongo, name) {
    this._mongo = mongo;
    this._name = name;
    // Tab completion reads the database behind the proxy without calling its handler.
    return __completionTarget(new Proxy(this, DB._names), this);
};

// Property names that are never collections (printing and conversion probe them).
DB._reserved = {toJSON: 1, then: 1, shellPrint: 1, tojson: 1, constructor: 1, length: 1};

DB._names = {
    get: function (target, key) {
        if (typeof key !== "string" || key in target || key.charAt(0) === "_" || DB._reserved[key]) {
            return target[key];
        }
        return target.getCollection(key);
    }
};

// "cmd" → {cmd: 1}; extra fields merged in.
DB._command = function (cmd, extra) {
    // Checked before anything is sent: a wrong type is a one-line TypeError.
    var named = typeof cmd === "string" ? cmd !== "" :
        cmd !== null && typeof cmd === "object" && !Array.isArray(cmd) && Object.keys(cmd).length > 0;
    if (!named) {
        throw new TypeError("db.runCommand(cmd): cmd must name a command, e.g. {ping: 1} or \"ping\"");
    }
    if (typeof cmd === "string") {
        var o = {};
        o[cmd] = 1;
        cmd = o;
    }
    if (extra && typeof extra === "object") {
        for (var k in extra) {
            cmd[k] = extra[k];
        }
    }
    return cmd;
};

DB.prototype.runCommand = function (cmd, extra) {
    return __runCommand(this._mongo._h, this._name, DB._command(cmd, extra));
};
DB.prototype._dbCommand = DB.prototype.runCommand;

DB.prototype.adminCommand = function (cmd, extra) {
    return __runCommand(this._mongo._h, "admin", DB._command(cmd, extra));
};
DB.prototype._adminCommand = DB.prototype.adminCommand;

DB.prototype.getSiblingDB = function (name) {
    if (typeof name !== "string" || name === "") {
        throw new TypeError("db.getSiblingDB(name): name must be a database name (a string)");
    }
    return this._mongo.getDB(name);
};
DB.prototype.getSisterDB = DB.prototype.getSiblingDB;
DB.prototype.getName = function () { return this._name; };
DB.prototype.getMongo = function () { return this._mongo; };
DB.prototype.toString = function () { return this._name; };
DB.prototype.tojson = DB.prototype.toString;

DB.prototype.getCollection = function (name) {
    if (typeof name !== "string" || name === "") {
        throw new TypeError("db.getCollection(name): name must be a collection name (a string)");
    }
    return new DBCollection(this._mongo, this, String(name), this._name + "." + name);
};

DB.prototype.getCollectionInfos = function (filter, nameOnly, authorizedCollections) {
    var cmd = {listCollections: 1, filter: filter || {}};
    if (nameOnly) {
        cmd.nameOnly = true;
    }
    if (authorizedCollections) {
        cmd.authorizedCollections = true;
    }
    var infos = new DBCommandCursor(this, cmd, true).toArray();
    return infos.sort(function (a, b) { return a.name < b.name ? -1 : (a.name > b.name ? 1 : 0); });
};

DB.prototype.getCollectionNames = function () {
    return this.getCollectionInfos({}, true).map(function (c) { return c.name; });
};

DB.prototype.createCollection = function (name, opts) {
    var cmd = {create: name};
    for (var k in (opts || {})) {
        cmd[k] = opts[k];
    }
    return this.runCommand(cmd);
};

DB.prototype.dropDatabase = function (writeConcern) {
    return this.runCommand(writeConcern ? {dropDatabase: 1, writeConcern: writeConcern} : {dropDatabase: 1});
};
DB.prototype.serverStatus = function (opts) { return this.adminCommand(DB._command("serverStatus", opts)); };
DB.prototype.serverCmdLineOpts = function () { return this.adminCommand("getCmdLineOpts"); };
DB.prototype.hostInfo = function () { return this.adminCommand("hostInfo"); };
DB.prototype.serverBuildInfo = function () { return this.adminCommand("buildinfo"); };
DB.prototype.version = function () { return this.serverBuildInfo().version; };
DB.prototype.stats = function (scale) {
    var cmd = {dbstats: 1};
    if (scale !== undefined) {
        cmd.scale = scale;
    }
    return this.runCommand(cmd);
};
DB.prototype.isMaster = function () { return this.runCommand("isMaster"); };
DB.prototype.hello = function () { return this.runCommand("hello"); };

DB.prototype.currentOp = function (arg) {
    var cmd = {currentOp: 1};
    if (arg === true) {
        cmd.$all = true;
    } else if (arg && typeof arg === "object") {
        for (var k in arg) {
            cmd[k] = arg[k];
        }
    }
    return this.adminCommand(cmd);
};
DB.prototype.currentOP = DB.prototype.currentOp;
DB.prototype.killOp = function (op) {
    if (op === undefined || op === null) {
        throw Error("no opNum to kill specified");
    }
    return this.adminCommand({killOp: 1, op: op});
};
DB.prototype.killOP = DB.prototype.killOp;

DB.prototype.createUser = function (user, writeConcern) {
    var cmd = {createUser: user.user};
    for (var k in user) {
        if (k !== "user") {
            cmd[k] = user[k];
        }
    }
    if (writeConcern) {
        cmd.writeConcern = writeConcern;
    }
    var res = this.runCommand(cmd);
    if (res.ok) {
        var shown = {};
        for (var j in user) {
            if (j !== "pwd") {
                shown[j] = user[j];
            }
        }
        print("Successfully added user: " + tojson(shown));
        return;
    }
    throw Error("couldn't add user: " + res.errmsg);
};

DB.prototype.dropUser = function (name) {
    var res = this.runCommand({dropUser: name});
    if (res.ok) {
        return true;
    }
    if (res.code === 11) {
        return false;
    }
    throw Error(tojson(res));
};

DB.prototype.getUsers = function () {
    var res = this.runCommand({usersInfo: 1});
    if (!res.ok) {
        throw Error(tojson(res));
    }
    return res.users;
};

DB.prototype.getRoles = function (args) {
    var cmd = {rolesInfo: 1};
    for (var k in (args || {})) {
        cmd[k] = args[k];
    }
    var res = this.runCommand(cmd);
    if (!res.ok) {
        throw Error(tojson(res));
    }
    return res.roles;
};

// auth(user, pwd) or auth({user, pwd, mechanism, db}): 1 on success, else prints the legacy
// message and returns 0.
DB.prototype.auth = function (user, pwd) {
    var o = (typeof user === "object") ? user : {user: user, pwd: pwd};
    try {
        __connAuth(this._mongo._h, o.user, o.pwd, o.db || this._name, o.mechanism);
        return 1;
    } catch (e) {
        print("Error: " + e.message);
        return 0;
    }
};

DB.prototype.logout = function () {
    __connLogout(this._mongo._h);
    return {ok: 1};
};

DB.prototype.shutdownServer = function (opts) {
    if (this._name !== "admin") {
        return "shutdown command only works with the admin database; try 'use admin'";
    }
    var cmd = DB._command("shutdown", opts);
    try {
        var res = this.runCommand(cmd);
        if (!res.ok) {
            throw Error("shutdownServer failed: " + tojson(res));
        }
        throw Error("shutdownServer failed: server is still up.");
    } catch (e) {
        if (String(e.message).indexOf("shutdownServer failed") === 0) {
            throw e;
        }
        print("server should be down...");
    }
};

DB.prototype.fsyncLock = function () { return this.adminCommand({fsync: 1, lock: true}); };
DB.prototype.fsyncUnlock = function () { return this.adminCommand({fsyncUnlock: 1}); };

DB.prototype.help = function () {
    print("DB methods:");
    print("\tdb.adminCommand(nameOrDocument) - switches to 'admin' db, and runs command [just calls db.runCommand(...)]");
    print("\tdb.auth(username, password)");
    print("\tdb.createCollection(name, {size: ..., capped: ..., max: ...})");
    print("\tdb.createUser(userDocument)");
    print("\tdb.currentOp() displays currently executing operations in the db");
    print("\tdb.dropDatabase()");
    print("\tdb.fsyncLock() flush data to disk and lock server for backups");
    print("\tdb.fsyncUnlock() unlocks server following a db.fsyncLock()");
    print("\tdb.getCollection(cname) same as db['cname'] or db.cname");
    print("\tdb.getCollectionInfos([filter]) - returns a list that contains the names and options of the db's collections");
    print("\tdb.getCollectionNames()");
    print("\tdb.getMongo() get the server connection object");
    print("\tdb.getName()");
    print("\tdb.getReplicationInfo()");
    print("\tdb.getSiblingDB(name) get the db at the same server as this one");
    print("\tdb.hello() check replica primary status");
    print("\tdb.hostInfo() get details about the server's host");
    print("\tdb.isMaster() check replica primary status");
    print("\tdb.killOp(opid) kills the current operation in the db");
    print("\tdb.logout()");
    print("\tdb.printReplicationInfo()");
    print("\tdb.printSecondaryReplicationInfo()");
    print("\tdb.runCommand(cmdObj) run a database command.  if cmdObj is a string, turns it into {cmdObj: 1}");
    print("\tdb.serverStatus()");
    print("\tdb.serverCmdLineOpts()");
    print("\tdb.shutdownServer()");
    print("\tdb.stats()");
    print("\tdb.version() current version of the server");
};
