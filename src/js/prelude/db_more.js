// The rest of the legacy DB API: users and roles, profiling, log levels, views, write
// concern, sessions, database-level aggregate, and the names rsh refuses with a
// reason (server features removed since: eval, copyDatabase...).

// User and role changes wait for a majority by default, as in the legacy shell.
DB._defaultWriteConcern = {w: "majority", wtimeout: 10 * 60 * 1000};

DB.prototype._checked = function (cmd, what) {
    var res = this.runCommand(cmd);
    if (!res.ok) {
        throw _getErrorWithCode(res, what ? what + res.errmsg : res.errmsg);
    }
    return res;
};

DB.prototype._withWc = function (cmd, writeConcern) {
    cmd.writeConcern = writeConcern ? writeConcern : DB._defaultWriteConcern;
    return cmd;
};

DB.prototype.getUser = function (username, args) {
    if (typeof username !== "string") {
        throw Error("User name for getUser shell helper must be a string");
    }
    var res = this._checked(Object.extend({usersInfo: username}, args || {}));
    return res.users.length === 0 ? null : res.users[0];
};

DB.prototype.getUsers = function (args) {
    var res = this._checked(Object.extend({usersInfo: 1}, args || {}));
    return res.users;
};

DB.prototype.updateUser = function (name, update, writeConcern) {
    var cmd = Object.extend({updateUser: name}, update || {});
    this._checked(this._withWc(cmd, writeConcern), "Updating user failed: ");
};

DB.prototype.changeUserPassword = function (username, password, writeConcern) {
    this.updateUser(username, {pwd: password}, writeConcern);
};

DB.prototype.grantRolesToUser = function (username, roles, writeConcern) {
    this._checked(this._withWc({grantRolesToUser: username, roles: roles}, writeConcern));
};

DB.prototype.revokeRolesFromUser = function (username, roles, writeConcern) {
    this._checked(this._withWc({revokeRolesFromUser: username, roles: roles}, writeConcern));
};

DB.prototype.dropAllUsers = function (writeConcern) {
    return this._checked(this._withWc({dropAllUsersFromDatabase: 1}, writeConcern)).n;
};

DB.prototype.removeUser = function (username, writeConcern) {
    print("WARNING: db.removeUser has been deprecated, please use db.dropUser instead");
    return this.dropUser(username, writeConcern);
};

DB.prototype.createRole = function (roleObj, writeConcern) {
    var cmd = Object.extend({createRole: roleObj.role}, roleObj);
    delete cmd.role;
    this._checked(this._withWc(cmd, writeConcern));
    printjson(roleObj);
};

DB.prototype.updateRole = function (name, update, writeConcern) {
    var cmd = Object.extend({updateRole: name}, update || {});
    this._checked(this._withWc(cmd, writeConcern));
};

DB.prototype.dropRole = function (name, writeConcern) {
    var res = this.runCommand(this._withWc({dropRole: name}, writeConcern));
    if (res.ok) {
        return true;
    }
    if (res.code === 31) {
        return false;
    }
    throw _getErrorWithCode(res, res.errmsg);
};

DB.prototype.dropAllRoles = function (writeConcern) {
    return this._checked(this._withWc({dropAllRolesFromDatabase: 1}, writeConcern)).n;
};

DB.prototype.grantRolesToRole = function (rolename, roles, writeConcern) {
    this._checked(this._withWc({grantRolesToRole: rolename, roles: roles}, writeConcern));
};
DB.prototype.revokeRolesFromRole = function (rolename, roles, writeConcern) {
    this._checked(this._withWc({revokeRolesFromRole: rolename, roles: roles}, writeConcern));
};
DB.prototype.grantPrivilegesToRole = function (rolename, privileges, writeConcern) {
    this._checked(this._withWc({grantPrivilegesToRole: rolename, privileges: privileges}, writeConcern));
};
DB.prototype.revokePrivilegesFromRole = function (rolename, privileges, writeConcern) {
    this._checked(this._withWc({revokePrivilegesFromRole: rolename, privileges: privileges}, writeConcern));
};

DB.prototype.getRole = function (rolename, args) {
    if (typeof rolename !== "string") {
        throw Error("Role name for getRole shell helper must be a string");
    }
    var res = this._checked(Object.extend({rolesInfo: rolename}, args || {}));
    return res.roles.length === 0 ? null : res.roles[0];
};

DB.prototype.getRoles = function (args) {
    return this._checked(Object.extend({rolesInfo: 1}, args || {})).roles;
};

// Profiling.
DB.prototype.getProfilingLevel = function () {
    var res = this.runCommand({profile: -1});
    if (!res.ok) {
        throw _getErrorWithCode(res, "profile command failed: " + tojson(res));
    }
    return res.was;
};

DB.prototype.getProfilingStatus = function () {
    var res = this.runCommand({profile: -1});
    if (!res.ok) {
        throw _getErrorWithCode(res, "profile command failed: " + tojson(res));
    }
    delete res.ok;
    return res;
};

DB.prototype.setProfilingLevel = function (level, options) {
    if (level < 0 || level > 2) {
        var text = "input level " + level + " is out of range [0..2]";
        var e = new Error(text);
        e.dbSetProfilingException = text;
        throw e;
    }
    var cmd = {profile: level};
    if (typeof options === "number") {
        cmd.slowms = options;
    } else {
        Object.extend(cmd, options || {});
    }
    return assert.commandWorked(this.runCommand(cmd));
};

// Errors of the last write on this connection (servers before 5.1).
DB.prototype.getLastErrorObj = function (w, wtimeout, j) {
    var cmd = {getlasterror: 1};
    if (w !== undefined) {
        cmd.w = w;
        if (wtimeout !== undefined) {
            cmd.wtimeout = wtimeout;
        }
        if (j !== undefined) {
            cmd.j = j;
        }
    }
    var res = this.runCommand(cmd);
    if (!res.ok) {
        throw _getErrorWithCode(res, "getlasterror failed: " + tojson(res));
    }
    return res;
};
DB.prototype.getLastErrorCmd = DB.prototype.getLastErrorObj;
DB.prototype.getLastError = function (w, wtimeout) {
    var res = this.getLastErrorObj(w, wtimeout);
    return res.err;
};
DB.prototype.getPrevError = function () { return this.runCommand({getpreverror: 1}); };
DB.prototype.resetError = function () { return this.runCommand({reseterror: 1}); };
DB.prototype.forceError = function () { return this.runCommand({forceerror: 1}); };

// Log levels.
DB.prototype.getLogComponents = function () {
    return this.getMongo().adminCommand({getParameter: 1, logComponentVerbosity: 1}).logComponentVerbosity;
};
DB.prototype.setLogLevel = function (logLevel, component) {
    var verbosity = {verbosity: logLevel};
    if (component !== undefined) {
        if (typeof component !== "string") {
            throw Error("component must be a string");
        }
        verbosity = {};
        var cur = verbosity;
        var parts = component.split(".");
        parts.forEach(function (p, i) {
            cur[p] = i === parts.length - 1 ? {verbosity: logLevel} : {};
            cur = cur[p];
        });
    }
    return this.adminCommand({setParameter: 1, logComponentVerbosity: verbosity});
};

DB.prototype.serverBits = function () { return this.serverBuildInfo().bits; };

DB.prototype.listCommands = function () {
    var res = this.runCommand("listCommands");
    var names = Object.keys(res.commands || {}).sort();
    names.forEach(function (name) {
        var c = res.commands[name];
        var s = name + ": ";
        if (c.adminOnly) {
            s += " adminOnly ";
        }
        if (c.secondaryOk || c.slaveOk) {
            s += " secondaryOk ";
        }
        s += "\n  " + String(c.help || "").replace(/\n/g, "\n  ") + "\n";
        print(s);
    });
};

DB.prototype.commandHelp = function (name) {
    var c = {};
    c[name] = 1;
    c.help = true;
    var res = this.runCommand(c);
    if (!res.ok) {
        throw _getErrorWithCode(res, res.errmsg);
    }
    return res.help;
};

DB.prototype.createView = function (name, viewOn, pipeline, opts) {
    var cmd = {create: name, viewOn: viewOn, pipeline: pipeline === undefined ? [] : pipeline};
    if (!Array.isArray(cmd.pipeline)) {
        cmd.pipeline = [cmd.pipeline];
    }
    return this.runCommand(Object.extend(cmd, opts || {}));
};

DB.prototype.printCollectionStats = function (scale) {
    if (arguments.length > 1) {
        print("printCollectionStats() has a single optional argument (scale)");
        return;
    }
    if (scale !== undefined && typeof scale !== "number") {
        print("scale has to be a number >= 1");
        return;
    }
    var self = this;
    this.getCollectionNames().forEach(function (name) {
        print(name);
        printjson(self.getCollection(name).stats(scale));
        print("---");
    });
};

// db.aggregate(pipeline): a collectionless aggregate ($currentOp, $listLocalSessions...).
DB.prototype.aggregate = function (pipeline, options) {
    if (!Array.isArray(pipeline)) {
        pipeline = Array.prototype.slice.call(arguments);
        options = {};
    }
    options = options || {};
    var cmd = {aggregate: 1, pipeline: pipeline, cursor: {}};
    for (var k in options) {
        if (k !== "batchSize") {
            cmd[k] = options[k];
        }
    }
    if (options.batchSize !== undefined) {
        cmd.cursor.batchSize = options.batchSize;
    }
    // Runs now, as db.coll.aggregate does.
    var cursor = new DBCommandCursor(this, cmd, true);
    cursor._exec();
    return cursor;
};

DB.prototype.setWriteConcern = function (wc) {
    if (!wc || typeof wc !== "object") {
        throw Error("the write concern must be an object");
    }
    this._writeConcern = wc instanceof WriteConcern ? wc : new WriteConcern(wc);
};
DB.prototype.getWriteConcern = function () {
    if (this._writeConcern) {
        return this._writeConcern;
    }
    return this._mongo.getWriteConcern();
};
DB.prototype.unsetWriteConcern = function () { delete this._writeConcern; };

DB.prototype.setSecondaryOk = function (v) { this._secondaryOk = v === undefined ? true : !!v; };
DB.prototype.getSecondaryOk = function () {
    return this._secondaryOk !== undefined ? this._secondaryOk : this._mongo.getSecondaryOk();
};
DB.prototype.setSlaveOk = DB.prototype.setSecondaryOk;
DB.prototype.getSlaveOk = DB.prototype.getSecondaryOk;
DB.prototype.getQueryOptions = function () {
    return this.getSecondaryOk() ? DBQuery.Option.slaveOk : 0;
};

DB.prototype.getSession = function () {
    return this._session || this._mongo._implicitSession();
};

DB.prototype.runReadCommand = function (cmd, extra) {
    return __runCommand(this._mongo._h, this._name, DB._command(cmd, extra), __READ);
};

DB.prototype.getFreeMonitoringStatus = function () {
    return this.adminCommand({getFreeMonitoringStatus: 1});
};
DB.prototype.enableFreeMonitoring = function () {
    return this.adminCommand({setFreeMonitoring: 1, action: "enable"});
};
DB.prototype.disableFreeMonitoring = function () {
    return this.adminCommand({setFreeMonitoring: 1, action: "disable"});
};

// Legacy DB names rsh does not provide; the helper table has the reason each prints.
["eval", "copyDatabase", "cloneDatabase", "cloneCollection", "repairDatabase", "loadServerScripts",
 "printShardingStatus", "group", "groupcmd", "groupeval", "dbEval"].forEach(function (name) {
    DB.prototype[name] = function () {
        __unsupported("db." + name);
    };
});
