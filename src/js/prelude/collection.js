// DBCollection: CRUD helpers with the legacy result shapes (WriteResult, BulkWriteResult,
// WriteCommandError) and the CRUD-API shapes (insertOne, updateMany…). Writes go through the
// native __write (the driver's CRUD API, so retryable writes apply).

var DBCollection = function (mongo, db, shortName, fullName) {
    this._mongo = mongo;
    this._db = db;
    this._shortName = shortName;
    this._fullName = fullName;
    return new Proxy(this, DBCollection._names);
};

// `db.system.replset`: unknown properties name sub-collections.
DBCollection._names = {
    get: function (target, key) {
        if (typeof key !== "string" || key in target || key.charAt(0) === "_" || DB._reserved[key]) {
            return target[key];
        }
        return target._db.getCollection(target._shortName + "." + key);
    }
};

DBCollection.prototype.getName = function () { return this._shortName; };
DBCollection.prototype.getFullName = function () { return this._fullName; };
DBCollection.prototype.getDB = function () { return this._db; };
DBCollection.prototype.getMongo = function () { return this._mongo; };
DBCollection.prototype.toString = function () { return this._fullName; };
DBCollection.prototype.tojson = DBCollection.prototype.toString;

DBCollection.prototype._write = function () {
    var args = [this._mongo._h].concat(Array.prototype.slice.call(arguments));
    args.splice(2, 0, this._db.getName(), this._shortName);
    return __write.apply(null, args);
};

// `doc` ready to insert: an _id is generated when it has none and, as the legacy shell does,
// also set on the caller's object (so `db.c.insert(d); d._id` works); the document sent has
// _id first.
DBCollection._withId = function (doc) {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
        throw Error("can't save a " + (doc === null ? "null" : typeof doc));
    }
    if (doc._id !== undefined) {
        return doc;
    }
    var id = new ObjectId();
    var out = {_id: id};
    for (var k in doc) {
        out[k] = doc[k];
    }
    try {
        doc._id = id;
    } catch (e) {
        // A frozen object keeps its shape; the copy carries the _id.
    }
    return out;
};

// A query as the legacy shell takes it: nothing is {}, an ObjectId or its 24 hex digits
// select by _id, other strings and functions are $where code.
DBCollection._massage = function (q) {
    if (q === undefined || q === null) {
        return {};
    }
    if (typeof q === "function") {
        return {$where: q};
    }
    if (typeof q === "string") {
        return /^[0-9a-fA-F]{24}$/.test(q) ? {_id: ObjectId(q)} : {$where: q};
    }
    if (q instanceof ObjectId) {
        return {_id: q};
    }
    return q;
};

// A filter with `_id: undefined` (a typo'd variable) must not turn into a different match.
DBCollection._checkRemoveFilter = function (q) {
    if (q !== null && typeof q === "object" && Object.prototype.hasOwnProperty.call(q, "_id") &&
        q._id === undefined) {
        throw Error("can't have _id set to undefined in a remove expression");
    }
};

// The CRUD API's update documents: operators only (a replacement goes through replaceOne).
DBCollection._checkUpdateOperators = function (update) {
    if (Array.isArray(update)) {
        return;
    }
    var keys = Object.keys(update);
    if (keys.length === 0) {
        throw Error("the update operation document must contain at least one atomic operator");
    }
    if (keys[0].charAt(0) !== "$") {
        throw Error("the update operation document must contain atomic operators");
    }
};

// A __write result as the legacy WriteResult (or WriteCommandError when refused).
DBCollection._writeResult = function (r, kind, ops) {
    if (r.writeCommandError) {
        return new WriteCommandError(r.writeCommandError);
    }
    return new WriteResult(__bulkFromWrite(r, kind, ops), kind === "delete" ? "remove" : kind);
};

// Throw the CRUD-API way when a write failed.
DBCollection._throwIfFailed = function (r) {
    if (r.writeCommandError) {
        throw Error(tojson(r.writeCommandError));
    }
    if (r.writeError) {
        throw Error("WriteError(" + tojson(r.writeError) + ")");
    }
    if (r.writeConcernError) {
        throw Error("WriteConcernError(" + tojson(r.writeConcernError) + ")");
    }
};

DBCollection.prototype.insert = function (obj, options) {
    if (obj === undefined || obj === null) {
        throw Error("no object passed to insert!");
    }
    var ordered = true;
    if (typeof options === "number") {
        ordered = (options & 1) === 0;
    } else if (options && options.ordered === false) {
        ordered = false;
    }
    if (Array.isArray(obj)) {
        var docs = obj.map(DBCollection._withId);
        var r = this._write("insert", docs, ordered);
        if (r.writeCommandError) {
            return new WriteCommandError(r.writeCommandError);
        }
        var res = new BulkWriteResult(__bulkFromWrite(r, "insert", docs), "insert");
        return res;
    }
    var d = DBCollection._withId(obj);
    return DBCollection._writeResult(this._write("insert", [d], ordered), "insert", [d]);
};

DBCollection.prototype.insertOne = function (doc) {
    var d = DBCollection._withId(doc);
    var r = this._write("insert", [d], true);
    DBCollection._throwIfFailed(r);
    return {acknowledged: true, insertedId: d._id};
};

DBCollection.prototype.insertMany = function (docs, options) {
    for (var i = 0; i < docs.length; i++) {
        if (docs[i] === null || typeof docs[i] !== "object" || Array.isArray(docs[i])) {
            throw new TypeError("db." + this._shortName + ".insertMany(docs): docs[" + i + "] must be an object");
        }
    }
    var ordered = !(options && options.ordered === false);
    var withIds = docs.map(DBCollection._withId);
    var r = this._write("insert", withIds, ordered);
    DBCollection._throwIfFailed(r);
    return {acknowledged: true, insertedIds: withIds.map(function (d) { return d._id; })};
};

DBCollection.prototype.save = function (obj, opts) {
    if (obj === null || obj === undefined) {
        throw Error("can't save a null");
    }
    if (typeof obj === "number" || typeof obj === "string") {
        throw Error("can't save a number or string");
    }
    if (obj._id === undefined) {
        return this.insert(obj, opts);
    }
    return this.update({_id: obj._id}, obj, Object.merge({upsert: true}, opts));
};

// update(query, update, upsert, multi) or update(query, update, {upsert, multi}).
DBCollection.prototype.update = function (query, update, upsert, multi) {
    if (!query) {
        throw Error("need a query");
    }
    if (!update) {
        throw Error("need an update object or pipeline");
    }
    if (upsert !== null && typeof upsert === "object") {
        if (multi) {
            throw Error("Fourth argument must be empty when specifying upsert and multi with an object.");
        }
        multi = upsert.multi;
        upsert = upsert.upsert;
    }
    var r = this._write("update", query || {}, update, !!multi, !!upsert);
    return DBCollection._writeResult(r, "update");
};

DBCollection.prototype._updateApi = function (query, update, options, multi) {
    var r = this._write("update", query || {}, update, multi, !!(options && options.upsert));
    DBCollection._throwIfFailed(r);
    var out = {acknowledged: true, matchedCount: r.nMatched, modifiedCount: r.nModified};
    if (r._id !== undefined) {
        out.upsertedId = r._id;
    }
    return out;
};

DBCollection.prototype.updateOne = function (q, u, o) {
    DBCollection._checkUpdateOperators(u);
    return this._updateApi(q, u, o, false);
};
DBCollection.prototype.updateMany = function (q, u, o) {
    DBCollection._checkUpdateOperators(u);
    return this._updateApi(q, u, o, true);
};
DBCollection.prototype.replaceOne = function (q, doc, o) {
    for (var k in doc) {
        if (k.charAt(0) === "$") {
            throw Error("the replace operation document must not contain atomic operators");
        }
    }
    return this._updateApi(q, doc, o, false);
};

DBCollection.prototype.remove = function (query, justOne) {
    if (query === undefined) {
        throw Error("remove needs a query");
    }
    DBCollection._checkRemoveFilter(query);
    query = DBCollection._massage(query);
    if (justOne !== null && typeof justOne === "object") {
        justOne = justOne.justOne;
    }
    return DBCollection._writeResult(this._write("delete", query || {}, !!justOne), "delete");
};

// Legacy: a delete without a filter is refused (`{}` deletes everything on purpose).
DBCollection._deleteFilter = function (query) {
    if (query === undefined || query === null) {
        throw Error("find() requires query criteria");
    }
    DBCollection._checkRemoveFilter(query);
    return query;
};

DBCollection.prototype.deleteOne = function (query) {
    DBCollection._deleteFilter(query);
    var r = this._write("delete", query || {}, true);
    DBCollection._throwIfFailed(r);
    return {acknowledged: true, deletedCount: r.nRemoved};
};

DBCollection.prototype.deleteMany = function (query) {
    DBCollection._deleteFilter(query);
    var r = this._write("delete", query || {}, false);
    DBCollection._throwIfFailed(r);
    return {acknowledged: true, deletedCount: r.nRemoved};
};

DBCollection.prototype.find = function (query, fields, limit, skip, batchSize) {
    return new DBQuery(this._mongo, this._db, this, this._fullName, DBCollection._massage(query), fields,
                       limit, skip, batchSize);
};

DBCollection.prototype.findOne = function (query, fields) {
    var cursor = this.find(query, fields, -1);
    if (!cursor.hasNext()) {
        return null;
    }
    return cursor.next();
};

DBCollection.prototype.count = function (query) {
    return this.find(query).count();
};

DBCollection.prototype.countDocuments = function (query) {
    var res = this.aggregate([{$match: query || {}}, {$group: {_id: 1, n: {$sum: 1}}}]).toArray();
    return res.length ? res[0].n : 0;
};

DBCollection.prototype.distinct = function (key, query) {
    var res = __runCommand(this._mongo._h, this._db.getName(),
                           {distinct: this._shortName, key: key, query: query || {}}, __READ);
    if (!res.ok) {
        throw Error("distinct failed: " + tojson(res));
    }
    return res.values;
};

DBCollection.prototype.aggregate = function (pipeline, options) {
    if (!Array.isArray(pipeline)) {
        pipeline = Array.prototype.slice.call(arguments);
        options = {};
    }
    pipeline.forEach(function (stage, i) {
        if (stage === null || typeof stage !== "object" || Array.isArray(stage)) {
            throw new TypeError("db." + this._shortName + ".aggregate(pipeline): pipeline[" + i +
                                "] must be an object");
        }
    }, this);
    options = options || {};
    if (options.explain) {
        // {explain: true}: the plan, not a cursor (legacy shell).
        return this.explain().aggregate(pipeline, options);
    }
    var cmd = {aggregate: this._shortName, pipeline: pipeline, cursor: {}};
    for (var k in options) {
        if (k !== "batchSize") {
            cmd[k] = options[k];
        }
    }
    if (options.batchSize !== undefined) {
        cmd.cursor.batchSize = options.batchSize;
    }
    var writes = pipeline.some(function (s) { return s.$out !== undefined || s.$merge !== undefined; });
    // The command runs now, as in the legacy shell: a script that never reads the cursor still
    // gets its $out/$merge written, and a failing pipeline throws at this line.
    var cursor = new DBCommandCursor(this._db, cmd, writes);
    cursor._exec();
    return cursor;
};

DBCollection._indexName = function (keys) {
    var parts = [];
    for (var k in keys) {
        parts.push(k + "_" + (typeof keys[k] === "number" ? keys[k] : keys[k]));
    }
    return parts.join("_");
};

DBCollection.prototype.createIndex = function (keys, options) {
    var spec = DBCollection._indexSpec(keys, options);
    return this._db.runCommand({createIndexes: this._shortName, indexes: [spec]});
};
DBCollection.prototype.ensureIndex = DBCollection.prototype.createIndex;

DBCollection.prototype.getIndexes = function () {
    return new DBCommandCursor(this._db, {listIndexes: this._shortName}, true).toArray();
};
DBCollection.prototype.getIndices = DBCollection.prototype.getIndexes;

DBCollection.prototype.drop = function () {
    var res = this._db.runCommand({drop: this._shortName});
    if (res.ok) {
        return true;
    }
    if (res.code === 26 || res.errmsg === "ns not found") {
        return false;
    }
    throw Error("drop failed: " + tojson(res));
};

DBCollection.prototype.stats = function (scale) {
    var cmd = {collStats: this._shortName};
    if (scale !== undefined) {
        cmd.scale = scale;
    }
    return this._db.runCommand(cmd);
};

DBCollection.prototype.help = function () {
    var n = this._shortName;
    print("DBCollection help");
    print("\tdb." + n + ".find().help() - show DBCursor help");
    print("\tdb." + n + ".count( query = {} ) - count the number of documents that matches the query");
    print("\tdb." + n + ".countDocuments( query = {} ) - count the number of documents that matches the query");
    print("\tdb." + n + ".createIndex(keypattern[,options])");
    print("\tdb." + n + ".explain().help() - show explain help");
    print("\tdb." + n + ".deleteOne( filter ) - delete first matching document");
    print("\tdb." + n + ".deleteMany( filter ) - delete all matching documents");
    print("\tdb." + n + ".distinct( key, query ) - e.g. db." + n + ".distinct( 'x' )");
    print("\tdb." + n + ".drop() drop the collection");
    print("\tdb." + n + ".find([query],[fields]) - query is an optional query filter. fields is optional set of fields to return.");
    print("\tdb." + n + ".findOne([query], [fields])");
    print("\tdb." + n + ".getIndexes()");
    print("\tdb." + n + ".insert(obj)");
    print("\tdb." + n + ".insertOne( obj )");
    print("\tdb." + n + ".insertMany( [objects] )");
    print("\tdb." + n + ".remove(query)");
    print("\tdb." + n + ".replaceOne( filter, replacement, <optional params> ) - replace the first matching document");
    print("\tdb." + n + ".save(obj)");
    print("\tdb." + n + ".stats()");
    print("\tdb." + n + ".update( query, object[, upsert_bool, multi_bool] )");
    print("\tdb." + n + ".updateOne( filter, update, <optional params> ) - update the first matching document");
    print("\tdb." + n + ".updateMany( filter, update, <optional params> ) - update all matching documents");
    print("\tdb." + n + ".aggregate( [pipeline], <optional params> ) - performs an aggregation");
};
