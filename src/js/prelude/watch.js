// Change streams and tailable cursors. db.coll.watch(), db.watch() and db.getMongo().watch()
// open an aggregate with a leading $changeStream stage; the cursor waits on the server
// (awaitData) for the next event, so hasNext()/next() block until one arrives and Ctrl-C
// stops them. Printing the stream at the prompt prints each event as it arrives. When the
// member goes away (failover), the stream reopens on the new primary after the last event it
// returned (resumeAfter), so nothing is repeated or lost.

// Options that go into the $changeStream stage; the rest are refused (never silently ignored).
var __CHANGE_STREAM_STAGE_OPTIONS = ["fullDocument", "fullDocumentBeforeChange", "resumeAfter",
                                     "startAfter", "startAtOperationTime", "showExpandedEvents"];

var ChangeStreamCursor = function (db, target, stage, pipeline, batchSize) {
    this._db = db;
    this._target = target;
    this._stage = stage;
    this._pipeline = pipeline;
    this._batchSize = batchSize || 0;
    this._token = null;
    this._cursor = null;
    this._closed = false;
    this._open();
};

ChangeStreamCursor.prototype._open = function () {
    var stage = Object.assign({}, this._stage);
    if (this._token !== null) {
        delete stage.startAtOperationTime;
        delete stage.startAfter;
        stage.resumeAfter = this._token;
    }
    var cmd = {aggregate: this._target, pipeline: [{$changeStream: stage}].concat(this._pipeline),
               cursor: this._batchSize ? {batchSize: this._batchSize} : {}};
    this._cursor = new DBCommandCursor(this._db, cmd, true, this._batchSize);
    this._cursor._exec();
};

// Errors after which a stream resumes: the member went away or stopped being primary.
ChangeStreamCursor.prototype._resumable = function (e) {
    var msg = String(e && e.message !== undefined ? e.message : e);
    if (/interrupted/.test(msg) && !/Interrupted(AtShutdown|DueToReplStateChange)/.test(msg)) {
        return false;
    }
    return /network|connection|socket|not primary|NotWritablePrimary|NotPrimary|PrimarySteppedDown|InterruptedAtShutdown|InterruptedDueToReplStateChange|ShutdownInProgress|CursorNotFound|cursor id .* not found|primary changed|no primary|server selection|timed out/i.test(msg);
};

// Runs f on the current server cursor; on a resumable error reopens after the last event
// (retrying for up to 60 s while a new primary is elected) and tries again.
ChangeStreamCursor.prototype._withResume = function (f) {
    if (this._closed) {
        throw Error("ChangeStreamCursor is closed");
    }
    var deadline = Date.now() + 60000;
    for (;;) {
        try {
            return f(this._cursor);
        } catch (e) {
            if (!this._resumable(e) || Date.now() > deadline) {
                throw e;
            }
            for (;;) {
                try {
                    this._open();
                    break;
                } catch (e2) {
                    if (!this._resumable(e2) || Date.now() > deadline) {
                        throw e2;
                    }
                    sleep(250);
                }
            }
        }
    }
};

ChangeStreamCursor.prototype.hasNext = function () {
    return this._withResume(function (c) { return c.hasNext(); });
};

ChangeStreamCursor.prototype.next = function () {
    var ev = this._withResume(function (c) { return c.next(); });
    if (ev && ev._id !== undefined) {
        this._token = ev._id;
    }
    return ev;
};

ChangeStreamCursor.prototype.forEach = function (f) {
    while (this.hasNext()) {
        f(this.next());
    }
};

ChangeStreamCursor.prototype.getResumeToken = function () {
    return this._token;
};

ChangeStreamCursor.prototype.isExhausted = function () {
    return this._closed;
};

ChangeStreamCursor.prototype.isClosed = ChangeStreamCursor.prototype.isExhausted;

ChangeStreamCursor.prototype.close = function () {
    if (this._cursor !== null) {
        this._cursor.close();
    }
    this._closed = true;
};

// At the prompt: every event as it arrives, until Ctrl-C (or an invalidate ends the stream).
ChangeStreamCursor.prototype.shellPrint = function () {
    for (;;) {
        var ev = this.next();
        printjson(ev);
        if (ev && ev.operationType === "invalidate") {
            this.close();
            return;
        }
    }
};

ChangeStreamCursor.prototype.toString = function () {
    return "ChangeStreamCursor";
};
ChangeStreamCursor.prototype.tojson = ChangeStreamCursor.prototype.toString;

ChangeStreamCursor.prototype.help = function () {
    print("ChangeStreamCursor - events as they happen (Ctrl-C stops waiting)");
    print("\t.hasNext() - waits for the next event");
    print("\t.next() - the next event (waits for it)");
    print("\t.forEach(func) - calls func for each event, until Ctrl-C");
    print("\t.getResumeToken() - the _id of the last event returned (for resumeAfter)");
    print("\t.close() - ends the stream");
};

// Splits watch() options into the $changeStream stage and the cursor's batch size.
var __changeStreamStage = function (options, extra) {
    options = options || {};
    if (typeof options !== "object") {
        throw Error("'options' argument must be an object");
    }
    var stage = Object.assign({}, extra);
    var batchSize = 0;
    for (var k in options) {
        if (__CHANGE_STREAM_STAGE_OPTIONS.indexOf(k) >= 0) {
            stage[k] = options[k];
        } else if (k === "batchSize") {
            batchSize = options[k];
        } else {
            throw Error("unknown option to watch(): " + k);
        }
    }
    return {stage: stage, batchSize: batchSize};
};

var __watch = function (db, target, pipeline, options, extra) {
    pipeline = pipeline || [];
    if (!Array.isArray(pipeline)) {
        throw Error("'pipeline' argument must be an array");
    }
    var o = __changeStreamStage(options, extra);
    return new ChangeStreamCursor(db, target, o.stage, pipeline, o.batchSize);
};

DBCollection.prototype.watch = function (pipeline, options) {
    return __watch(this._db, this._shortName, pipeline, options, {});
};

DB.prototype.watch = function (pipeline, options) {
    return __watch(this, 1, pipeline, options, {});
};

Mongo.prototype.watch = function (pipeline, options) {
    return __watch(this.getDB("admin"), 1, pipeline, options, {allChangesForCluster: true});
};

// Tailable find cursors (the legacy shell's query option bits).
DBQuery.Option = {
    tailable: 0x2,
    slaveOk: 0x4,
    oplogReplay: 0x8,
    noTimeout: 0x10,
    awaitData: 0x20,
    exhaust: 0x40,
    partial: 0x80
};

DBQuery.prototype.addOption = function (opt) {
    this._checkModify();
    if (typeof opt !== "number") {
        throw Error("addOption takes a DBQuery.Option bit");
    }
    if (opt & DBQuery.Option.exhaust) {
        throw Error("exhaust cursors are not supported by rsh");
    }
    if (opt & DBQuery.Option.tailable) {
        this._extra.tailable = true;
    }
    if (opt & DBQuery.Option.awaitData) {
        this._extra.awaitData = true;
    }
    if (opt & DBQuery.Option.noTimeout) {
        this._extra.noCursorTimeout = true;
    }
    if (opt & DBQuery.Option.partial) {
        this._extra.allowPartialResults = true;
    }
    if (opt & DBQuery.Option.slaveOk) {
        this._readPref = {mode: "secondaryPreferred"};
    }
    // oplogReplay: servers since 4.4 find the start point themselves and ignore the flag.
    return this;
};

DBQuery.prototype.tailable = function (awaitData) {
    this._checkModify();
    this._extra.tailable = true;
    if (awaitData === undefined || awaitData) {
        this._extra.awaitData = true;
    }
    return this;
};
