// The rest of the legacy DBCollection API: findAndModify and the CRUD-API find-and-modify
// helpers, bulkWrite, index and size helpers, validate, renames, capped collections, write
// concern, change streams, and the names rsh refuses with a reason.

DBCollection.prototype.runCommand = function (cmd, params) {
    if (typeof cmd === "object" && cmd !== null) {
        return this._db.runCommand(cmd, params);
    }
    var c = {};
    c[cmd] = this.getName();
    for (var k in (params || {})) {
        c[k] = params[k];
    }
    return this._db.runCommand(c);
};

DBCollection.prototype.runReadCommand = DBCollection.prototype.runCommand;

DBCollection.prototype.findAndModify = function (args) {
    if (args.update === undefined && !args.remove) {
        throw new TypeError("db." + this._shortName +
                            ".findAndModify(args): args must have an update or remove: true");
    }
    var cmd = {findAndModify: this.getName()};
    for (var k in args) {
        cmd[k] = args[k];
    }
    var wc = this.getWriteConcern();
    if (wc && cmd.writeConcern === undefined) {
        cmd.writeConcern = wc.toJSON ? wc.toJSON() : wc;
    }
    var res = this._db.runCommand(cmd);
    if (!res.ok) {
        if (res.errmsg === "No matching object found") {
            return null;
        }
        throw _getErrorWithCode(res, "findAndModifyFailed failed: " + tojson(res));
    }
    return res.value;
};

// The CRUD-API option names of find-and-modify, as the command spells them.
DBCollection._famOptions = function (cmd, options) {
    options = options || {};
    ["projection", "sort", "maxTimeMS", "collation", "arrayFilters", "hint", "writeConcern"]
        .forEach(function (k) {
            if (options[k] !== undefined) {
                cmd[k === "projection" ? "fields" : k] = options[k];
            }
        });
    return cmd;
};

DBCollection.prototype.findOneAndDelete = function (filter, options) {
    var cmd = DBCollection._famOptions({query: filter || {}, remove: true}, options);
    return this.findAndModify(cmd);
};

DBCollection.prototype.findOneAndReplace = function (filter, replacement, options) {
    if (replacement === null || typeof replacement !== "object") {
        throw new Error("replacement must be an object");
    }
    for (var k in replacement) {
        if (k.charAt(0) === "$") {
            throw new Error("the replace operation document must not contain atomic operators");
        }
    }
    var cmd = DBCollection._famOptions({query: filter || {}, update: replacement}, options);
    cmd.upsert = !!(options && options.upsert);
    cmd["new"] = !!(options && options.returnNewDocument);
    return this.findAndModify(cmd);
};

DBCollection.prototype.findOneAndUpdate = function (filter, update, options) {
    if (update === null || typeof update !== "object") {
        throw new Error("update must be an object or an array");
    }
    if (!Array.isArray(update)) {
        var keys = Object.keys(update);
        if (keys.length === 0 || keys[0].charAt(0) !== "$") {
            throw new Error("the update operation document must contain atomic operators");
        }
    }
    var cmd = DBCollection._famOptions({query: filter || {}, update: update}, options);
    cmd.upsert = !!(options && options.upsert);
    cmd["new"] = !!(options && options.returnNewDocument);
    return this.findAndModify(cmd);
};

// bulkWrite([{insertOne: {document}}, {updateOne: {filter, update, upsert}}, ...], {ordered}).
DBCollection.prototype.bulkWrite = function (operations, options) {
    options = options || {};
    var ordered = options.ordered === undefined ? true : !!options.ordered;
    var bulk = ordered ? this.initializeOrderedBulkOp() : this.initializeUnorderedBulkOp();
    var inserted = [];
    operations.forEach(function (op) {
        var name = op !== null && typeof op === "object" ? Object.keys(op)[0] : undefined;
        var o = name === undefined || op[name] === null || typeof op[name] !== "object" ? {} : op[name];
        // The legacy shell's messages for a missing field.
        var need = function (field) {
            if (!o[field]) {
                throw new Error(name + " bulkWrite operation expects the " + field + " field");
            }
        };
        var find = function () {
            need("filter");
            var f = bulk.find(o.filter);
            if (o.upsert) {
                f.upsert();
            }
            if (o.collation) {
                f.collation(o.collation);
            }
            if (o.arrayFilters) {
                f.arrayFilters(o.arrayFilters);
            }
            if (o.hint) {
                f.hint(o.hint);
            }
            return f;
        };
        if (name === "insertOne") {
            need("document");
            var d = DBCollection._withId(o.document);
            inserted.push({index: bulk._ops.length, _id: d._id});
            bulk.insert(d);
        } else if (name === "updateOne" || name === "updateMany" || name === "replaceOne") {
            var f = find();
            var field = name === "replaceOne" ? "replacement" : "update";
            need(field);
            f[name === "updateMany" ? "update" : name](o[field]);
        } else if (name === "deleteOne") {
            find().removeOne();
        } else if (name === "deleteMany") {
            find().remove();
        } else {
            throw new Error("bulkWrite supports only insertOne, updateOne, updateMany, " +
                            "replaceOne, deleteOne, deleteMany; got " + name);
        }
    });
    var wc = options.writeConcern;
    var r = bulk.execute(wc);
    var out = {acknowledged: !(wc && wc.w === 0)};
    if (!out.acknowledged) {
        return out;
    }
    out.deletedCount = r.nRemoved;
    out.insertedCount = r.nInserted;
    out.matchedCount = r.nMatched;
    out.upsertedCount = r.nUpserted;
    out.insertedIds = {};
    inserted.forEach(function (x) { out.insertedIds[x.index] = x._id; });
    out.upsertedIds = {};
    r.getUpsertedIds().forEach(function (u) { out.upsertedIds[u.index] = u._id; });
    return out;
};

// validate(true) / validate({full: true}).
DBCollection.prototype.validate = function (options) {
    var cmd = {validate: this.getName()};
    if (typeof options === "boolean") {
        cmd.full = options;
    } else if (typeof options === "object" && options !== null) {
        for (var k in options) {
            cmd[k] = options[k];
        }
    } else if (options !== undefined) {
        throw Error("expected object or boolean for validate options, not " + typeof options);
    }
    var res = this._db.runCommand(cmd);
    if (typeof res.valid === "undefined") {
        res.valid = false;
        var raw = res.result || res.raw;
        if (raw) {
            var str = "-" + tojson(raw);
            res.valid = !(str.match(/exception/) || str.match(/corrupt/));
            var p = /lastExtentSize:(\d+)/;
            var r = p.exec(str);
            if (r) {
                res.lastExtentSize = Number(r[1]);
            }
        }
    }
    return res;
};

DBCollection._indexSpec = function (keys, options) {
    var spec = {key: keys, name: DBCollection._indexName(keys)};
    if (typeof options === "string") {
        spec.name = options;
    } else if (typeof options === "boolean") {
        spec.unique = options;
    } else {
        for (var k in (options || {})) {
            spec[k] = options[k];
        }
    }
    return spec;
};

DBCollection.prototype.createIndexes = function (keyPatterns, options, commitQuorum) {
    if (!Array.isArray(keyPatterns)) {
        throw new Error("createIndexes first argument should be an array");
    }
    var cmd = {
        createIndexes: this.getName(),
        indexes: keyPatterns.map(function (k) { return DBCollection._indexSpec(k, options); })
    };
    if (commitQuorum !== undefined) {
        cmd.commitQuorum = commitQuorum;
    }
    return this._db.runCommand(cmd);
};

DBCollection.prototype.dropIndex = function (index) {
    if (index === undefined) {
        throw Error("need to specify index to dropIndex");
    }
    if (Array.isArray(index)) {
        throw Error("The index to drop must be either the index name or the index specification document");
    }
    if (index === "*") {
        throw Error("To drop indexes in the collection using '*', use db.collection.dropIndexes()");
    }
    return this._db.runCommand({dropIndexes: this.getName(), index: index});
};

DBCollection.prototype.dropIndexes = function (indexNames) {
    var res = this._db.runCommand({dropIndexes: this.getName(), index: indexNames || "*"});
    if (res.ok) {
        return res;
    }
    if (res.errmsg && res.errmsg.match(/not found/)) {
        return res;
    }
    throw _getErrorWithCode(res, "error dropping indexes : " + tojson(res));
};

DBCollection.prototype.reIndex = function () {
    return this._db.runCommand({reIndex: this.getName()});
};

DBCollection.prototype.getIndexKeys = function () {
    return this.getIndexes().map(function (i) { return i.key; });
};
DBCollection.prototype.getIndexSpecs = DBCollection.prototype.getIndexes;

DBCollection.prototype.hideIndex = function (index) {
    var spec = {hidden: true};
    spec[typeof index === "string" ? "name" : "keyPattern"] = index;
    return this._db.runCommand({collMod: this.getName(), index: spec});
};
DBCollection.prototype.unhideIndex = function (index) {
    var spec = {hidden: false};
    spec[typeof index === "string" ? "name" : "keyPattern"] = index;
    return this._db.runCommand({collMod: this.getName(), index: spec});
};

DBCollection.prototype._statsOrThrow = function (scale) {
    var s = this.stats(scale);
    if (!s.ok) {
        throw _getErrorWithCode(s, "collStats failed: " + tojson(s));
    }
    return s;
};
DBCollection.prototype.dataSize = function () { return this._statsOrThrow().size; };
DBCollection.prototype.storageSize = function () { return this._statsOrThrow().storageSize; };
DBCollection.prototype.totalIndexSize = function (verbose) {
    var s = this._statsOrThrow();
    if (verbose) {
        for (var name in s.indexSizes) {
            print(name + "\t" + s.indexSizes[name]);
        }
    }
    return s.totalIndexSize;
};
DBCollection.prototype.totalSize = function () {
    return this.storageSize() + this.totalIndexSize();
};
DBCollection.prototype.isCapped = function () {
    var s = this.stats();
    return !!(s && s.capped);
};
DBCollection.prototype.convertToCapped = function (bytes) {
    if (!bytes) {
        throw Error("have to specify # of bytes");
    }
    return this._db.runCommand({convertToCapped: this.getName(), size: bytes});
};

DBCollection.prototype.renameCollection = function (newName, dropTarget) {
    if (typeof newName === "object") {
        dropTarget = newName.dropTarget;
        newName = newName.to;
    } else if (typeof dropTarget === "object" && dropTarget !== null) {
        dropTarget = dropTarget.dropTarget;
    }
    if (typeof newName !== "string" || (dropTarget !== undefined && typeof dropTarget !== "boolean")) {
        throw Error("renameCollection must either take a string and an optional boolean or an object.");
    }
    return this._db.adminCommand({
        renameCollection: this._fullName,
        to: this._db.getName() + "." + newName,
        dropTarget: !!dropTarget
    });
};

DBCollection.prototype.estimatedDocumentCount = function (options) {
    var cmd = {count: this.getName()};
    if (options && options.maxTimeMS !== undefined) {
        cmd.maxTimeMS = options.maxTimeMS;
    }
    var res = this.runReadCommand(cmd);
    if (!res.ok) {
        throw _getErrorWithCode(res, "Error estimating document count: " + tojson(res));
    }
    return res.n;
};

DBCollection.prototype.exists = function () {
    var infos = this._db.getCollectionInfos({name: this.getName()});
    return infos.length > 0 ? infos[0] : null;
};

DBCollection.prototype.latencyStats = function (options) {
    return this.aggregate([{$collStats: {latencyStats: options || {}}}]);
};

DBCollection.prototype.getCollection = function (sub) {
    return this._db.getCollection(this._shortName + "." + sub);
};

DBCollection.prototype.setWriteConcern = function (wc) {
    if (!wc || typeof wc !== "object") {
        throw Error("the write concern must be an object");
    }
    this._writeConcern = wc instanceof WriteConcern ? wc : new WriteConcern(wc);
};
DBCollection.prototype.getWriteConcern = function () {
    if (this._writeConcern) {
        return this._writeConcern;
    }
    return this._db.getWriteConcern();
};
DBCollection.prototype.unsetWriteConcern = function () { delete this._writeConcern; };

DBCollection.prototype.setSecondaryOk = function (v) { this._secondaryOk = v === undefined ? true : !!v; };
DBCollection.prototype.getSecondaryOk = function () {
    return this._secondaryOk !== undefined ? this._secondaryOk : this._mongo.getSecondaryOk();
};
DBCollection.prototype.setSlaveOk = DBCollection.prototype.setSecondaryOk;
DBCollection.prototype.getSlaveOk = DBCollection.prototype.getSecondaryOk;
DBCollection.prototype.getQueryOptions = function () {
    return this.getSecondaryOk() ? DBQuery.Option.slaveOk : 0;
};

DBCollection.prototype.compact = function (options) {
    return this.runCommand("compact", options);
};

DBCollection.prototype.mapReduce = function (map, reduce, optionsOrOutString) {
    var cmd = {mapreduce: this.getName(), map: map, reduce: reduce};
    if (typeof optionsOrOutString === "string") {
        cmd.out = optionsOrOutString;
    } else {
        Object.extend(cmd, optionsOrOutString || {});
    }
    var res = this._db.runCommand(cmd);
    if (!res.ok) {
        throw _getErrorWithCode(res, "map reduce failed:" + tojson(res));
    }
    return res;
};

DBCollection.prototype.getShardVersion = function () {
    return this._db._adminCommand({getShardVersion: this._fullName});
};

// Legacy DBCollection names rsh does not provide; the helper table has the reason each prints.
["copyTo", "group", "getShardDistribution", "getSplitKeysForChunks", "getPlanCache"].forEach(function (name) {
    DBCollection.prototype[name] = function () {
        __unsupported("db.collection." + name);
    };
});

DBCollection.prototype.convertToSingleObject = function (valueField) {
    var out = {};
    this.find().forEach(function (d) { out[d._id] = d[valueField]; });
    return out;
};

DBCollection.prototype.hashAllDocs = function () {
    var res = this._db.runCommand({dbHash: 1, collections: [this._shortName]});
    if (!res.ok) {
        throw _getErrorWithCode(res, "dbHash failed: " + tojson(res));
    }
    return res.collections[this._shortName];
};

DBCollection.prototype.verify = function () {
    assert(this._fullName, "no fullName");
    assert(this._shortName, "no shortName");
    assert(this._db, "no db");
    assert.eq(this._fullName, this._db.getName() + "." + this._shortName, "name mismatch");
    assert(this._mongo, "no mongo in DBCollection");
};
