// Write results and the Bulk API of the legacy shell: WriteResult (one write), BulkWriteResult
// (several), the errors BulkWriteError / WriteCommandError / WriteError / WriteConcernError,
// WriteConcern, and db.c.initializeOrderedBulkOp() / initializeUnorderedBulkOp(). A bulk
// result is kept in the legacy field order: writeErrors, writeConcernErrors, nInserted,
// nUpserted, nMatched, nModified, nRemoved, upserted.

var __bulkEmpty = function () {
    return {
        writeErrors: [], writeConcernErrors: [], nInserted: 0, nUpserted: 0, nMatched: 0,
        nModified: 0, nRemoved: 0, upserted: []
    };
};

var WriteConcern = function (w, wtimeout, j) {
    if (!(this instanceof WriteConcern)) {
        var wc = Object.create(WriteConcern.prototype);
        WriteConcern.apply(wc, arguments);
        return wc;
    }
    var o = {};
    if (typeof w === "object" && w !== null) {
        if (arguments.length !== 1) {
            throw Error("If the first arg is an Object then no additional args are allowed!");
        }
        o = Object.extend({}, w);
    } else {
        if (w !== undefined) {
            o.w = w;
        }
        if (wtimeout !== undefined) {
            o.wtimeout = wtimeout;
        }
        if (j !== undefined) {
            o.j = j;
        }
    }
    if (o.w !== undefined && typeof o.w !== "number" && typeof o.w !== "string") {
        throw Error("w value must be a number or string but was found to be a " + typeof o.w);
    }
    if (typeof o.w === "number" && o.w < 0) {
        throw Error("Numeric w value must be equal to or larger than 0, not " + o.w);
    }
    if (o.wtimeout !== undefined) {
        if (typeof o.wtimeout !== "number") {
            throw Error("wtimeout must be a number, not " + o.wtimeout);
        }
        if (o.wtimeout < 0) {
            throw Error("wtimeout must be a number greater than or equal to 0, not " + o.wtimeout);
        }
    }
    if (o.j !== undefined && typeof o.j !== "boolean") {
        throw Error("j value must be true or false if defined, not " + o.j);
    }
    this._wc = o;
};
WriteConcern.prototype.toJSON = function () { return Object.extend({}, this._wc); };
WriteConcern.prototype.tojson = function (indent, nolint) { return tojson(this.toJSON(), indent, nolint); };
WriteConcern.prototype.toString = function () { return "WriteConcern(" + this.tojson() + ")"; };
WriteConcern.prototype.shellPrint = function () { return this.toString(); };

// One write error of a bulk result: {index, code, errmsg, op}.
var WriteError = function (err) {
    if (!(this instanceof WriteError)) {
        return new WriteError(err);
    }
    this._err = err;
};
["code", "index", "errmsg", "errInfo"].forEach(function (k) {
    Object.defineProperty(WriteError.prototype, k, {get: function () { return this._err[k]; }});
});
WriteError.prototype.getOperation = function () { return this._err.op; };
WriteError.prototype.tojson = function (indent, nolint) { return tojson(this._err, indent, nolint); };
WriteError.prototype.toString = function () { return "WriteError(" + tojson(this._err) + ")"; };
WriteError.prototype.shellPrint = function () { return this.toString(); };

var WriteConcernError = function (err) {
    if (!(this instanceof WriteConcernError)) {
        return new WriteConcernError(err);
    }
    this._err = err;
};
["code", "errInfo", "errmsg"].forEach(function (k) {
    Object.defineProperty(WriteConcernError.prototype, k, {get: function () { return this._err[k]; }});
});
WriteConcernError.prototype.tojson = function (indent, nolint) { return tojson(this._err, indent, nolint); };
WriteConcernError.prototype.toString = function () { return "WriteConcernError(" + tojson(this._err) + ")"; };
WriteConcernError.prototype.shellPrint = function () { return this.toString(); };

var __resultCounters = ["ok", "nInserted", "nUpserted", "nMatched", "nModified", "nRemoved"];

// The result of one insert/update/remove. `type` says which counters it shows.
var WriteResult = function (bulkResult, type, writeConcern) {
    if (!(this instanceof WriteResult)) {
        return new WriteResult(bulkResult, type, writeConcern);
    }
    this._r = bulkResult;
    this._type = type;
    this._wc = writeConcern;
};
__resultCounters.forEach(function (k) {
    Object.defineProperty(WriteResult.prototype, k, {get: function () { return this._r[k]; }});
});
WriteResult.prototype.getUpsertedId = function () {
    var u = this._r.upserted;
    return u.length === 0 ? null : u[u.length - 1];
};
WriteResult.prototype.getRawResponse = function () { return this._r; };
WriteResult.prototype.getWriteError = function () {
    var e = this._r.writeErrors;
    return e.length === 0 ? null : e[e.length - 1];
};
WriteResult.prototype.hasWriteError = function () { return this.getWriteError() !== null; };
WriteResult.prototype.getWriteConcernError = function () {
    var e = this._r.writeConcernErrors;
    return e.length === 0 ? null : e[0];
};
WriteResult.prototype.hasWriteConcernError = function () { return this.getWriteConcernError() !== null; };
WriteResult.prototype.tojson = function (indent, nolint) {
    var out = {};
    if (this._type === "insert") {
        out.nInserted = this.nInserted;
    } else if (this._type === "update") {
        out.nMatched = this.nMatched;
        out.nUpserted = this.nUpserted;
        if (this.nModified !== undefined) {
            out.nModified = this.nModified;
        }
        if (this._r.upserted.length === 1) {
            out._id = this._r.upserted[0]._id;
        }
    } else if (this._type === "remove") {
        out.nRemoved = this.nRemoved;
    }
    var we = this.getWriteError();
    if (we !== null) {
        out.writeError = {code: we.code, errmsg: we.errmsg};
    }
    var wce = this.getWriteConcernError();
    if (wce !== null) {
        out.writeConcernError = wce;
    }
    return tojson(out, indent, nolint);
};
WriteResult.prototype.toString = function () {
    if (this._wc && this._wc.w === 0) {
        return "WriteResult(" + tojson({}) + ")";
    }
    return "WriteResult(" + this.tojson() + ")";
};
WriteResult.prototype.shellPrint = function () { print(this.toString()); };

// A bulk result with its WriteError / WriteConcernError objects as plain documents.
var __bulkPlain = function (r) {
    var out = {};
    for (var k in r) {
        out[k] = r[k];
    }
    var plain = function (e) { return e && e._err !== undefined ? e._err : e; };
    out.writeErrors = r.writeErrors.map(plain);
    out.writeConcernErrors = r.writeConcernErrors.map(plain);
    return out;
};

// The result of several writes (insert of an array, a Bulk, bulkWrite).
var BulkWriteResult = function (bulkResult, type, writeConcern) {
    if (!(this instanceof BulkWriteResult)) {
        return new BulkWriteResult(bulkResult, type, writeConcern);
    }
    this._r = bulkResult;
    this._type = type;
    this._wc = writeConcern;
};
var __bulkResultMethods = {
    getUpsertedIds: function () { return this._r.upserted; },
    getUpsertedIdAt: function (i) { return this._r.upserted[i]; },
    getRawResponse: function () { return this._r; },
    hasWriteErrors: function () { return this._r.writeErrors.length > 0; },
    getWriteErrorCount: function () { return this._r.writeErrors.length; },
    getWriteErrorAt: function (i) { return i < this._r.writeErrors.length ? this._r.writeErrors[i] : null; },
    getWriteErrors: function () { return this._r.writeErrors; },
    hasWriteConcernError: function () { return this._r.writeConcernErrors.length > 0; },
    getWriteConcernError: function () {
        var all = this._r.writeConcernErrors;
        if (all.length === 0) {
            return null;
        }
        if (all.length === 1) {
            return all[0];
        }
        return new WriteConcernError({
            errmsg: all.map(function (e) { return e.errmsg; }).join(" and "),
            code: 64
        });
    },
    // Nested error objects print as their documents.
    tojson: function (indent, nolint) { return tojson(__bulkPlain(this._r), indent, nolint); },
    hasErrors: function () { return this.hasWriteErrors() || this.hasWriteConcernError(); },
    toSingleResult: function () {
        if (this._type === null || this._type === undefined) {
            throw Error("Cannot output single WriteResult from multiple batch result");
        }
        return new WriteResult(this._r, this._type, this._wc);
    }
};
Object.keys(__bulkResultMethods).forEach(function (k) {
    BulkWriteResult.prototype[k] = __bulkResultMethods[k];
});
__resultCounters.forEach(function (k) {
    Object.defineProperty(BulkWriteResult.prototype, k, {get: function () { return this._r[k]; }});
});
BulkWriteResult.prototype.toString = function () {
    if (this._wc && this._wc.w === 0) {
        return "BulkWriteResult(" + tojson({}) + ")";
    }
    return "BulkWriteResult(" + this.tojson() + ")";
};
BulkWriteResult.prototype.shellPrint = function () { print(this.toString()); };
BulkWriteResult.prototype.toError = function () {
    if (!this.hasErrors()) {
        throw Error("batch was successful, cannot create BulkWriteError");
    }
    var n = this.getWriteErrorCount();
    var msg = n === 1 ? "write error at item " + this.getWriteErrors()[0].index
                      : (n > 1 ? n + " write errors" : "");
    if (n > 0 && this.hasWriteConcernError()) {
        msg += " and ";
    }
    if (this.hasWriteConcernError()) {
        msg += "problem enforcing write concern";
    }
    return new BulkWriteError(this._r, this._type, this._wc, msg + " in bulk operation");
};

// Thrown by a failed bulk; a real Error (stack, instanceof Error) with the result's methods.
var BulkWriteError = function (bulkResult, type, writeConcern, message) {
    var e = new Error(message || "unknown bulk write error");
    Object.setPrototypeOf(e, BulkWriteError.prototype);
    e.name = "BulkWriteError";
    e._r = bulkResult;
    e._type = type;
    e._wc = writeConcern;
    return e;
};
BulkWriteError.prototype = Object.create(Error.prototype);
BulkWriteError.prototype.constructor = BulkWriteError;
Object.keys(__bulkResultMethods).forEach(function (k) {
    BulkWriteError.prototype[k] = __bulkResultMethods[k];
});
__resultCounters.forEach(function (k) {
    Object.defineProperty(BulkWriteError.prototype, k, {get: function () { return this._r[k]; }});
});
BulkWriteError.prototype.toString = function () { return "BulkWriteError(" + this.tojson() + ")"; };
BulkWriteError.prototype.shellPrint = function () { print(this.toString()); };
BulkWriteError.prototype.toResult = function () {
    return new BulkWriteResult(this._r, this._type, this._wc);
};

// A write command the server refused as a whole (not primary, unauthorized...).
var WriteCommandError = function (reply) {
    var e = new Error(reply.errmsg);
    Object.setPrototypeOf(e, WriteCommandError.prototype);
    e.name = "WriteCommandError";
    e._reply = reply;
    return e;
};
WriteCommandError.prototype = Object.create(Error.prototype);
WriteCommandError.prototype.constructor = WriteCommandError;
Object.defineProperty(WriteCommandError.prototype, "code", {get: function () { return this._reply.code; }});
Object.defineProperty(WriteCommandError.prototype, "errmsg", {get: function () { return this._reply.errmsg; }});
WriteCommandError.prototype.tojson = function (indent, nolint) { return tojson(this._reply, indent, nolint); };
WriteCommandError.prototype.toString = function () { return "WriteCommandError(" + this.tojson() + ")"; };
WriteCommandError.prototype.shellPrint = function () { print(this.toString()); };
WriteCommandError.prototype.toSingleResult = function () {
    var r = __bulkEmpty();
    r.writeErrors.push({code: this.code, index: 0, errmsg: this.errmsg});
    return new WriteResult(r, null);
};

// A __write result ({nInserted, writeError...}) as a bulk result of `count` operations.
var __bulkFromWrite = function (r, kind, ops) {
    var b = __bulkEmpty();
    if (kind === "insert") {
        b.nInserted = r.nInserted || 0;
    } else if (kind === "update") {
        b.nMatched = r.nMatched || 0;
        b.nUpserted = r.nUpserted || 0;
        b.nModified = r.nModified || 0;
        if (r._id !== undefined) {
            b.upserted.push({index: 0, _id: r._id});
        }
    } else {
        b.nRemoved = r.nRemoved || 0;
    }
    var errors = r.writeErrors || (r.writeError ? [Object.extend({index: 0}, r.writeError)] : []);
    errors.forEach(function (e) {
        var index = e.index || 0;
        b.writeErrors.push(new WriteError({index: index, code: e.code, errmsg: e.errmsg,
                                           op: ops ? ops[index] : undefined}));
    });
    if (r.writeConcernError) {
        b.writeConcernErrors.push(new WriteConcernError(r.writeConcernError));
    }
    return b;
};

// The Bulk builder. Operations are grouped into batches of one kind (ordered: in order;
// unordered: all inserts, then updates, then removes), each sent as one write command.
var Bulk = function (collection, ordered) {
    this._coll = collection;
    this._ordered = ordered;
    this._ops = [];
    this._executed = false;
};
["insert", "update", "remove"].forEach(function (kind) {
    var name = {insert: "nInsertOps", update: "nUpdateOps", remove: "nRemoveOps"}[kind];
    Object.defineProperty(Bulk.prototype, name, {
        get: function () { return this._ops.filter(function (o) { return o.kind === kind; }).length; }
    });
});
Bulk.prototype._add = function (kind, doc) {
    if (Array.isArray(doc)) {
        throw Error("operation passed in cannot be an Array");
    }
    this._ops.push({kind: kind, doc: doc, index: this._ops.length});
};
Bulk.prototype.insert = function (doc) {
    if (doc === null || typeof doc !== "object") {
        throw Error("cannot insert a " + (doc === null ? "null" : typeof doc));
    }
    this._add("insert", doc);
};
Bulk.prototype.find = function (selector) {
    if (selector === undefined) {
        throw Error("find() requires query criteria");
    }
    var bulk = this;
    var op = {q: selector};
    var update = function (u, multi, method) {
        if (u === null || typeof u !== "object") {
            throw new TypeError("bulk.find(query)." + method + "(update): update must be an object or an array");
        }
        var d = {q: op.q, u: u, multi: multi, upsert: !!op.upsert};
        ["collation", "arrayFilters", "hint"].forEach(function (k) {
            if (op[k] !== undefined) {
                d[k] = op[k];
            }
        });
        bulk._add("update", d);
    };
    var remove = function (limit) {
        var d = {q: op.q, limit: limit};
        if (op.collation !== undefined) {
            d.collation = op.collation;
        }
        bulk._add("remove", d);
    };
    var ops = {
        upsert: function () { op.upsert = true; return ops; },
        collation: function (c) { op.collation = c; return ops; },
        arrayFilters: function (f) { op.arrayFilters = f; return ops; },
        hint: function (h) { op.hint = h; return ops; },
        update: function (u) { update(u, true, "update"); },
        updateOne: function (u) { update(u, false, "updateOne"); },
        replaceOne: function (doc) { update(doc, false, "replaceOne"); },
        remove: function () { remove(0); },
        removeOne: function () { remove(1); },
        delete: function () { remove(0); },
        deleteOne: function () { remove(1); }
    };
    return ops;
};
Bulk.prototype.getOperations = function () { return this._batches(); };
Bulk.prototype.tojson = function () {
    return tojson({nInsertOps: this.nInsertOps, nUpdateOps: this.nUpdateOps,
                   nRemoveOps: this.nRemoveOps, nBatches: this._batches().length});
};
Bulk.prototype.toString = Bulk.prototype.tojson;

Bulk.prototype._batches = function () {
    var ops = this._ops;
    if (!this._ordered) {
        var rank = {insert: 0, update: 1, remove: 2};
        ops = ops.slice().sort(function (a, b) { return rank[a.kind] - rank[b.kind] || a.index - b.index; });
    }
    var batches = [];
    ops.forEach(function (o) {
        var last = batches[batches.length - 1];
        if (!last || last.kind !== o.kind || last.ops.length >= 100000) {
            last = {kind: o.kind, ops: [], indexes: []};
            batches.push(last);
        }
        last.ops.push(o.doc);
        last.indexes.push(o.index);
    });
    return batches;
};

Bulk.prototype.execute = function (writeConcern) {
    if (this._executed) {
        throw Error("A bulk operation cannot be re-executed");
    }
    if (this._ops.length === 0) {
        throw Error("Invalid Operation, no operations specified");
    }
    this._executed = true;
    var coll = this._coll;
    var wc = writeConcern || coll.getWriteConcern();
    if (wc instanceof WriteConcern) {
        wc = wc.toJSON();
    }
    var result = __bulkEmpty();
    var batches = this._batches();
    for (var i = 0; i < batches.length; i++) {
        var b = batches[i];
        var cmd;
        if (b.kind === "insert") {
            b.ops = b.ops.map(DBCollection._withId);
            cmd = {insert: coll.getName(), documents: b.ops, ordered: this._ordered};
        } else if (b.kind === "update") {
            cmd = {update: coll.getName(), updates: b.ops, ordered: this._ordered};
        } else {
            cmd = {delete: coll.getName(), deletes: b.ops, ordered: this._ordered};
        }
        if (wc) {
            cmd.writeConcern = wc;
        }
        var reply = __runCommand(coll._mongo._h, coll._db.getName(), cmd);
        if (!reply.ok) {
            throw new WriteCommandError(reply);
        }
        __bulkMerge(result, b, reply);
        if (this._ordered && result.writeErrors.length > 0) {
            // An ordered bulk stops at its first error and reports no write concern error.
            result.writeConcernErrors = [];
            break;
        }
    }
    var out = new BulkWriteResult(result, batches.length === 1 ? batches[0].kind : null, wc);
    if (out.hasErrors()) {
        throw out.toError();
    }
    return out;
};

// Fold one write command's reply into the bulk result (indexes mapped back to the bulk's).
var __bulkMerge = function (result, batch, reply) {
    var n = reply.n || 0;
    var upserted = reply.upserted || [];
    if (batch.kind === "insert") {
        result.nInserted += n;
    } else if (batch.kind === "remove") {
        result.nRemoved += n;
    } else {
        result.nUpserted += upserted.length;
        result.nMatched += n - upserted.length;
        result.nModified += reply.nModified || 0;
    }
    upserted.forEach(function (u) {
        result.upserted.push({index: batch.indexes[u.index], _id: u._id});
    });
    (reply.writeErrors || []).forEach(function (e) {
        result.writeErrors.push(new WriteError({
            index: batch.indexes[e.index], code: e.code, errmsg: e.errmsg, op: batch.ops[e.index]
        }));
    });
    if (reply.writeConcernError) {
        result.writeConcernErrors.push(new WriteConcernError(reply.writeConcernError));
    }
};

DBCollection.prototype.initializeOrderedBulkOp = function () { return new Bulk(this, true); };
DBCollection.prototype.initializeUnorderedBulkOp = function () { return new Bulk(this, false); };
