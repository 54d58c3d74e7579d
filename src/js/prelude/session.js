// The rest of the legacy Mongo API (write concern, read concern, command modes, log levels)
// and sessions: `db.getMongo().startSession()` gives a DriverSession with the 4.4
// methods. rsh's commands run on the connection's own logical session (the driver's implicit
// session); an explicit session is a driver session of its own: the databases it gives use a
// connection handle naming it, so their commands carry its lsid (and retryable writes its
// txnNumber). Multi-document transactions are refused with the reason.

Mongo.prototype.setWriteConcern = function (wc) {
    if (!wc || typeof wc !== "object") {
        throw Error("the write concern must be an object");
    }
    this._writeConcern = wc instanceof WriteConcern ? wc : new WriteConcern(wc);
};
Mongo.prototype.getWriteConcern = function () { return this._writeConcern; };
Mongo.prototype.unsetWriteConcern = function () { delete this._writeConcern; };

Mongo.prototype.setReadConcern = function (level) { this._readConcernLevel = level; };
Mongo.prototype.getReadConcern = function () { return this._readConcernLevel; };

Mongo.prototype.runCommand = function (dbname, cmd, options) {
    return this.getDB(dbname).runCommand(cmd, options);
};
Mongo.prototype.getURI = function () { return "mongodb://" + this.host; };
Mongo.prototype.isMongos = function () {
    return this.getDB("admin").runCommand({isMaster: 1}).msg === "isdbgrid";
};
Mongo.prototype.setLogLevel = function (level, component) {
    return this.getDB("admin").setLogLevel(level, component);
};
Mongo.prototype.getLogComponents = function () {
    return this.getDB("admin").getLogComponents();
};
// rsh always speaks the command protocol; these answer as the legacy shell did for it.
Mongo.prototype.useReadCommands = function () { return true; };
Mongo.prototype.useWriteCommands = function () { return true; };
Mongo.prototype.hasWriteCommands = function () { return true; };
Mongo.prototype.hasExplainCommand = function () { return true; };
Mongo.prototype.writeMode = function () { return "commands"; };
Mongo.prototype.readMode = function () { return "commands"; };
Mongo.prototype.forceWriteMode = function (mode) {
    if (mode !== "commands") {
        throw Error("rsh sends writes as commands only (legacy opcodes were removed in MongoDB 5.1)");
    }
};
Mongo.prototype.forceReadMode = function (mode) {
    if (mode !== "commands") {
        throw Error("rsh sends reads as commands only (legacy opcodes were removed in MongoDB 5.1)");
    }
};

Mongo.prototype.isCausalConsistency = function () { return !!this._causal; };
Mongo.prototype.setCausalConsistency = function (v) { this._causal = v === undefined ? true : !!v; };
Mongo.prototype.getClusterTime = function () { return this._clusterTime; };
Mongo.prototype.advanceClusterTime = function (t) { this._clusterTime = t; };

Mongo.prototype.getCollection = function (ns) {
    var cut = String(ns).indexOf(".");
    if (cut <= 0) {
        throw Error("need a full namespace (db.collection), got " + ns);
    }
    return this.getDB(ns.substring(0, cut)).getCollection(ns.substring(cut + 1));
};
Mongo.prototype.find = function (ns, query, fields, limit, skip, batchSize) {
    return this.getCollection(ns).find(query, fields, limit, skip, batchSize);
};
Mongo.prototype.insert = function (ns, docs, options) {
    return this.getCollection(ns).insert(docs, options);
};
Mongo.prototype.update = function (ns, query, update, upsert, multi) {
    return this.getCollection(ns).update(query, update, upsert, multi);
};
Mongo.prototype.remove = function (ns, query, justOne) {
    return this.getCollection(ns).remove(query, justOne);
};
Mongo.prototype.auth = function (db, user, pwd) {
    if (typeof db === "object") {
        return this.getDB(db.db || "admin").auth(db);
    }
    return this.getDB(db).auth(user, pwd);
};
Mongo.prototype.logout = function (db) {
    return this.getDB(db || "admin").logout();
};
["runCommandWithMetadata", "cursorFromId", "cursorHandleFromId"].forEach(function (name) {
    Mongo.prototype[name] = function () {
        __unsupported("Mongo." + name);
    };
});

Mongo.prototype.startSession = function (options) {
    return new DriverSession(this, options);
};

// The session every command uses when no explicit one is given.
Mongo.prototype._implicitSession = function () {
    if (!this.__implicit) {
        this.__implicit = new DriverSession(this, {}, true);
    }
    return this.__implicit;
};

var SessionOptions = function (raw) {
    if (!(this instanceof SessionOptions)) {
        return new SessionOptions(raw);
    }
    this._raw = Object.extend({}, raw || {});
};
SessionOptions.prototype.getRawOpts = function () { return this._raw; };
SessionOptions.prototype.getReadPreference = function () { return this._raw.readPreference; };
SessionOptions.prototype.setReadPreference = function (rp) { this._raw.readPreference = rp; };
SessionOptions.prototype.getReadConcern = function () { return this._raw.readConcern; };
SessionOptions.prototype.setReadConcern = function (rc) { this._raw.readConcern = rc; };
SessionOptions.prototype.getWriteConcern = function () { return this._raw.writeConcern; };
SessionOptions.prototype.setWriteConcern = function (wc) { this._raw.writeConcern = wc; };
SessionOptions.prototype.isCausalConsistency = function () {
    return this._raw.causalConsistency === undefined ? true : !!this._raw.causalConsistency;
};
SessionOptions.prototype.setCausalConsistency = function (v) {
    this._raw.causalConsistency = v === undefined ? true : !!v;
};
SessionOptions.prototype.shouldRetryWrites = function () { return !!this._raw.retryWrites; };
SessionOptions.prototype.tojson = function (indent, nolint) { return tojson(this._raw, indent, nolint); };
SessionOptions.prototype.toString = function () { return "SessionOptions(" + this.tojson() + ")"; };

var DriverSession = function (mongo, options, implicit) {
    this._mongo = mongo;
    this._options = options instanceof SessionOptions ? options : new SessionOptions(options);
    this._implicit = !!implicit;
    this._ended = false;
    this._id = null;
    this._operationTime = undefined;
    this._clusterTime = undefined;
    if (!this._implicit) {
        DriverSession._refuseUnapplied(this._options.getRawOpts());
        var base = mongo._h % DriverSession._STRIDE;
        var started = __sessionStart(base, this._options.isCausalConsistency());
        this._id = {id: started.id.id};
        this._handle = started.handle;
        // The session's view of the connection: same settings, its own handle.
        this._bound = Object.create(mongo);
        this._bound._h = base + DriverSession._STRIDE * started.handle;
    }
};
// Connection handles stay below this; a session's handle is the multiple above (natives/conn).
DriverSession._STRIDE = 65536;
// Session options rsh does not apply per session are refused rather than ignored.
DriverSession._refuseUnapplied = function (raw) {
    var where = {
        readPreference: "set it on the connection: db.getMongo().setReadPref(mode, tags)",
        readConcern: "give it in the command (readConcern: {level: ...})",
        writeConcern: "give it to the write or set it on the connection: db.getMongo().setWriteConcern(wc)"
    };
    for (var k in where) {
        if (raw[k] !== undefined) {
            throw new Error("startSession(options): " + k + " is not applied per session by rsh; " + where[k]);
        }
    }
    if (raw.retryWrites === false) {
        throw new Error("startSession(options): retryWrites: false is not applied per session by rsh; " +
                        "use retryWrites=false in the connection string");
    }
};
DriverSession.prototype.getClient = function () { return this._mongo; };
DriverSession.prototype.getOptions = function () { return this._options; };
DriverSession.prototype.getSessionId = function () {
    if (this._id === null && this._implicit) {
        // The implicit session's id is the driver's: the lsid the shell's commands carry.
        this._id = __sessionImplicitId(this._mongo._h % DriverSession._STRIDE);
    }
    return this._id;
};
DriverSession.prototype.getDatabase = function (name) {
    var d = (this._bound || this._mongo).getDB(name);
    d._session = this;
    return d;
};
// An explicit session's times are its driver session's (what the server reported to it).
DriverSession.prototype._times = function () {
    return __sessionTimes(this._mongo._h % DriverSession._STRIDE, this._handle);
};
DriverSession.prototype.getOperationTime = function () {
    return this._implicit ? this._operationTime : this._times().operationTime;
};
DriverSession.prototype.getClusterTime = function () {
    return this._implicit ? this._clusterTime : this._times().clusterTime;
};
DriverSession.prototype.advanceOperationTime = function (t) {
    if (this._implicit) {
        this._operationTime = t;
    } else {
        __sessionAdvance(this._mongo._h % DriverSession._STRIDE, this._handle, t, null);
    }
};
DriverSession.prototype.advanceClusterTime = function (t) {
    if (this._implicit) {
        this._clusterTime = t;
    } else {
        __sessionAdvance(this._mongo._h % DriverSession._STRIDE, this._handle, null, t);
    }
};
DriverSession.prototype.hasEnded = function () { return this._ended; };
DriverSession.prototype.endSession = function () {
    if (this._ended) {
        return;
    }
    this._ended = true;
    if (!this._implicit) {
        __sessionEnd(this._mongo._h % DriverSession._STRIDE, this._handle);
    }
};
DriverSession.prototype.isCausalConsistency = function () { return this._options.isCausalConsistency(); };
DriverSession.prototype.shouldRetryWrites = function () { return this._options.shouldRetryWrites(); };
DriverSession.prototype.getTxnNumber = function () { return NumberLong(0); };
// Transactions are refused; the helper table has the reason.
["startTransaction", "commitTransaction", "abortTransaction"].forEach(function (name) {
    DriverSession.prototype[name] = function () {
        __unsupported("session." + name);
    };
});
DriverSession.prototype.tojson = function () {
    return this._id === null ? "session (not started)" : "session " + tojson({id: this._id.id});
};
DriverSession.prototype.toString = DriverSession.prototype.tojson;
DriverSession.prototype.shellPrint = function () { print(this.toString()); };
