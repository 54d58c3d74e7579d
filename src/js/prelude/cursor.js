// DBQuery (find cursors) and DBCommandCursor (aggregate, listCollections…). The server cursor
// lives on the Rust side (__cursor* natives, BSON batches, lazy getMore); printing a cursor
// formats its documents in Rust without turning them into JS objects.

// Reads use the connection's read preference (`true` asks the native for it).
var __READ = true;

var __shellBatchSize = DBQuery.shellBatchSize;
DBQuery = function (mongo, db, collection, ns, query, fields, limit, skip, batchSize, options) {
    this._mongo = mongo;
    this._db = db;
    this._collection = collection;
    this._ns = ns;
    this._query = query || {};
    this._fields = fields;
    this._limit = limit || 0;
    this._skip = skip || 0;
    this._batchSize = batchSize || 0;
    this._sort = undefined;
    this._extra = {};
    this._readPref = undefined;
    this._pretty = false;
    this._cursor = null;
    if (options) {
        this.addOption(options);
    }
    return new Proxy(this, DBQuery._indexes);
};
DBQuery.shellBatchSize = __shellBatchSize || 20;

// `cursor[i]`: a numeric property reads the i-th document (the whole result is fetched).
DBQuery._indexes = {
    get: function (target, key, receiver) {
        if (typeof key === "string" && /^(0|[1-9][0-9]*)$/.test(key) && !(key in target)) {
            return target.arrayAccess.call(receiver, Number(key));
        }
        return target[key];
    }
};

DBQuery.prototype._checkModify = function () {
    if (this._cursor !== null) {
        throw Error("query already executed");
    }
};

DBQuery.prototype._command = function () {
    var cmd = {find: this._collection.getName(), filter: this._query};
    if (this._sort !== undefined) {
        cmd.sort = this._sort;
    }
    if (this._fields !== undefined && this._fields !== null) {
        cmd.projection = this._fields;
    }
    if (this._skip) {
        cmd.skip = this._skip;
    }
    if (this._limit > 0) {
        cmd.limit = this._limit;
    } else if (this._limit < 0) {
        cmd.limit = -this._limit;
        cmd.singleBatch = true;
    }
    if (this._batchSize) {
        cmd.batchSize = Math.abs(this._batchSize);
    }
    for (var k in this._extra) {
        cmd[k] = this._extra[k];
    }
    return cmd;
};

DBQuery.prototype._target = function () {
    return this._readPref !== undefined ? this._readPref : __READ;
};

DBQuery.prototype._exec = function () {
    if (this._cursor === null) {
        this._cursor = __cursorOpen(this._mongo._h, this._db.getName(), this._command(),
                                    this._target(), this._batchSize);
    }
    return this._cursor;
};

DBQuery.prototype.sort = function (s) { this._checkModify(); this._sort = s; return this; };
DBQuery.prototype.limit = function (n) { this._checkModify(); this._limit = n; return this; };
DBQuery.prototype.skip = function (n) { this._checkModify(); this._skip = n; return this; };
DBQuery.prototype.batchSize = function (n) { this._checkModify(); this._batchSize = n; return this; };
DBQuery.prototype.hint = function (h) { this._checkModify(); this._extra.hint = h; return this; };
DBQuery.prototype.comment = function (c) { this._checkModify(); this._extra.comment = c; return this; };
DBQuery.prototype.maxTimeMS = function (ms) { this._checkModify(); this._extra.maxTimeMS = ms; return this; };
DBQuery.prototype.projection = function (p) { this._checkModify(); this._fields = p; return this; };
DBQuery.prototype.pretty = function () { this._pretty = true; return this; };
DBQuery.prototype.min = function (m) { this._checkModify(); this._extra.min = m; return this; };
DBQuery.prototype.max = function (m) { this._checkModify(); this._extra.max = m; return this; };
DBQuery.prototype.returnKey = function () { this._checkModify(); this._extra.returnKey = true; return this; };
DBQuery.prototype.showRecordId = function () {
    this._checkModify();
    this._extra.showRecordId = true;
    return this;
};
DBQuery.prototype.showDiskLoc = DBQuery.prototype.showRecordId;
DBQuery.prototype.collation = function (c) { this._checkModify(); this._extra.collation = c; return this; };
DBQuery.prototype.readConcern = function (level) {
    this._checkModify();
    this._extra.readConcern = {level: level};
    return this;
};
DBQuery.prototype.allowDiskUse = function (v) {
    this._checkModify();
    this._extra.allowDiskUse = v === undefined ? true : !!v;
    return this;
};
DBQuery.prototype.noCursorTimeout = function () {
    return this.addOption(DBQuery.Option.noTimeout);
};
DBQuery.prototype.allowPartialResults = function () {
    return this.addOption(DBQuery.Option.partial);
};
// The query flags set (addOption and the helpers keep them as find command fields).
DBQuery.prototype.getOptions = function () {
    var x = this._extra, o = DBQuery.Option, bits = 0;
    bits |= x.tailable ? o.tailable : 0;
    bits |= x.awaitData ? o.awaitData : 0;
    bits |= x.noCursorTimeout ? o.noTimeout : 0;
    bits |= x.allowPartialResults ? o.partial : 0;
    return bits;
};
DBQuery.prototype.modifiers = function (document) {
    this._checkModify();
    var names = {$hint: "hint", $min: "min", $max: "max", $comment: "comment",
                 $maxTimeMS: "maxTimeMS", $returnKey: "returnKey", $showDiskLoc: "showRecordId",
                 $orderby: "sort"};
    for (var name in document) {
        if (name.charAt(0) !== "$") {
            throw new Error("All modifiers must start with a $ such as $returnKey");
        }
    }
    for (var n in document) {
        if (n === "$orderby") {
            this._sort = document[n];
        } else {
            this._extra[names[n] || n.substring(1)] = document[n];
        }
    }
    return this;
};
DBQuery.prototype.clone = function () {
    var q = new DBQuery(this._mongo, this._db, this._collection, this._ns, this._query,
                        this._fields, this._limit, this._skip, this._batchSize);
    q._sort = this._sort;
    q._extra = Object.extend({}, this._extra);
    q._readPref = this._readPref;
    return q;
};
DBQuery.prototype.readOnly = function () { return this; };
DBQuery.prototype.arrayAccess = function (i) { return this.toArray()[i]; };
DBQuery.prototype.length = function () { return this.toArray().length; };
DBQuery.prototype.countReturn = function () {
    var c = this.count();
    if (this._skip) {
        c = c - this._skip;
    }
    if (this._limit > 0 && this._limit < c) {
        return this._limit;
    }
    return c;
};
DBQuery.prototype.getId = function () {
    return __cursorId(this._exec());
};
DBQuery.prototype.isClosed = function () {
    return __cursorId(this._exec()).toNumber() === 0;
};
DBQuery.prototype.isExhausted = function () {
    return this.isClosed() && this.objsLeftInBatch() === 0;
};
DBQuery.prototype.readPref = function (mode, tagSet) {
    this._checkModify();
    this._readPref = {mode: mode};
    if (tagSet) {
        this._readPref.tags = tagSet;
    }
    return this;
};

DBQuery.prototype.hasNext = function () {
    return __cursorHasNext(this._exec());
};

DBQuery.prototype.next = function () {
    var docs = __cursorNext(this._exec(), 1);
    if (docs.length === 0) {
        throw Error("error hasNext: false");
    }
    return docs[0];
};

DBQuery.prototype.objsLeftInBatch = function () {
    return __cursorBuffered(this._exec());
};

DBQuery.prototype.toArray = function () {
    if (this._arr) {
        return this._arr;
    }
    var id = this._exec();
    var all = [];
    for (;;) {
        var docs = __cursorNext(id, 1000);
        if (docs.length === 0) {
            break;
        }
        for (var i = 0; i < docs.length; i++) {
            all.push(docs[i]);
        }
    }
    this._arr = all;
    return all;
};

DBQuery.prototype.forEach = function (f) {
    while (this.hasNext()) {
        f.apply(null, [this.next()]);
    }
};

DBQuery.prototype.map = function (f) {
    var out = [];
    while (this.hasNext()) {
        out.push(f(this.next()));
    }
    return out;
};

DBQuery.prototype.itcount = function () {
    var n = 0;
    var id = this._exec();
    for (;;) {
        var docs = __cursorNext(id, 1000);
        if (docs.length === 0) {
            return n;
        }
        n += docs.length;
    }
};

DBQuery.prototype.count = function (applySkipLimit) {
    var cmd = {count: this._collection.getName(), query: this._query};
    if (applySkipLimit) {
        if (this._limit) {
            cmd.limit = Math.abs(this._limit);
        }
        if (this._skip) {
            cmd.skip = this._skip;
        }
    }
    var res = __runCommand(this._mongo._h, this._db.getName(), cmd, this._target());
    if (res && res.ok) {
        return res.n;
    }
    throw Error("count failed: " + tojson(res));
};

DBQuery.prototype.size = function () {
    return this.count(true);
};

DBQuery.prototype.explain = function (verbosity) {
    var cmd = {explain: this._command(), verbosity: __explainVerbosity(verbosity)};
    var res = __runCommand(this._mongo._h, this._db.getName(), cmd, this._target());
    if (!res || !res.ok) {
        throw Error("explain failed: " + tojson(res));
    }
    return res;
};

DBQuery.prototype.close = function () {
    if (this._cursor !== null) {
        __cursorClose(this._cursor);
    }
};

// REPL printing: up to DBQuery.shellBatchSize documents, then `Type "it" for more` (the
// native prints both; under --json one Extended JSON array). Errors while iterating are
// printed, not thrown (legacy).
DBQuery.prototype.shellPrint = function () {
    try {
        var more = __cursorPrint(this._exec(), DBQuery.shellBatchSize, this._pretty);
        ___it___ = more ? this : null;
    } catch (e) {
        print(e);
    }
};
// --json prints a cursor through shellPrint too (other objects print as Extended JSON).
DBQuery.prototype._shellPrintJson = DBQuery.prototype.shellPrint;

DBQuery.prototype.toString = function () {
    return "DBQuery: " + this._ns + " -> " + tojson(this._query);
};
DBQuery.prototype.tojson = DBQuery.prototype.toString;

DBQuery.prototype.help = function () {
    print("find(<predicate>, <projection>) modifiers");
    print("\t.sort({...})");
    print("\t.limit(<n>)");
    print("\t.skip(<n>)");
    print("\t.batchSize(<n>) - sets the number of docs to return per getMore");
    print("\t.hint({...})");
    print("\t.readPref(mode, tagset)");
    print("\t.count(applySkipLimit) - total # of objects matching query. by default ignores skip,limit");
    print("\t.size() - total # of objects cursor would return, honors skip,limit");
    print("\t.explain(<verbosity>)");
    print("\t.collation({...})");
    print("\t.readConcern(<level>)");
    print("\t.min({...})");
    print("\t.max({...})");
    print("\t.maxTimeMS(<n>)");
    print("\t.comment(<comment>)");
    print("\t.tailable(<isAwaitData>)");
    print("\t.noCursorTimeout()");
    print("\t.allowPartialResults()");
    print("\t.returnKey()");
    print("\t.showRecordId() - adds a $recordId field to each returned object");
    print("\t.allowDiskUse() - allow using disk in completing the query");
    print("\t.pretty() - pretty print each document, possibly over multiple lines");
    print("");
    print("Cursor methods");
    print("\t.toArray() - iterates through docs and returns an array of the results");
    print("\t.forEach(<func>)");
    print("\t.map(<func>)");
    print("\t.hasNext()");
    print("\t.next()");
    print("\t.close()");
    print("\t.objsLeftInBatch() - returns count of docs left in current batch");
    print("\t.itcount() - iterates through documents and counts them");
};

// A cursor over a command's reply (aggregate, listCollections, listIndexes).
var DBCommandCursor = function (db, cmd, primary, batchSize) {
    this._mongo = db.getMongo();
    this._db = db;
    this._cmd = cmd;
    this._readPref = primary ? null : undefined;
    this._batchSize = batchSize || 0;
    this._pretty = false;
    this._cursor = null;
    return new Proxy(this, DBQuery._indexes);
};
DBCommandCursor.prototype = Object.create(DBQuery.prototype);
DBCommandCursor.prototype.constructor = DBCommandCursor;
DBCommandCursor.prototype._exec = function () {
    if (this._cursor === null) {
        this._cursor = __cursorOpen(this._mongo._h, this._db.getName(), this._cmd,
                                    this._target(), this._batchSize);
    }
    return this._cursor;
};
DBCommandCursor.prototype._checkModify = function () {
    throw Error("not supported on a command cursor");
};
DBCommandCursor.prototype.count = function () {
    return this.itcount();
};
DBCommandCursor.prototype.toString = function () {
    return "DBCommandCursor";
};
DBCommandCursor.prototype.tojson = DBCommandCursor.prototype.toString;
DBCommandCursor.prototype.getResumeToken = function () {
    return this._resumeToken;
};
DBCommandCursor.prototype.help = function () {
    print("\nCursor methods");
    print("\t.toArray() - iterates through docs and returns an array of the results");
    print("\t.forEach( func )");
    print("\t.map( func )");
    print("\t.hasNext()");
    print("\t.next()");
    print("\t.objsLeftInBatch() - returns count of docs left in current batch (when exhausted, a new getMore will be issued)");
    print("\t.itcount() - iterates through documents and counts them");
    print("\t.getResumeToken() - for a change stream cursor, obtains the most recent valid resume token, if it exists.");
    print("\t.pretty() - pretty print each document, possibly over multiple lines");
    print("\t.close()");
};
