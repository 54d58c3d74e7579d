// db.c.explain(verbosity): the legacy shell's Explainable. Each method sends the matching command
// wrapped in {explain: <cmd>, verbosity} and returns the server's plan; find() returns a query whose
// modifiers chain and whose printing (or finish()) runs the explain.

var __EXPLAIN_VERBOSITIES = ["queryPlanner", "executionStats", "allPlansExecution"];

var __explainVerbosity = function (v) {
    if (v === undefined || v === false) {
        return "queryPlanner";
    }
    if (v === true) {
        return "allPlansExecution";
    }
    if (__EXPLAIN_VERBOSITIES.indexOf(v) < 0) {
        throw Error("verbosity must be one of " + tojson(__EXPLAIN_VERBOSITIES));
    }
    return v;
};

// `cmd` with every field of `options` added (but `except`).
var __withOptions = function (cmd, options, except) {
    for (var k in (options || {})) {
        if (k !== except) {
            cmd[k] = options[k];
        }
    }
    return cmd;
};

var Explainable = function (collection, verbosity) {
    this._collection = collection;
    this._verbosity = __explainVerbosity(verbosity);
};

Explainable.prototype.toString = function () {
    return "Explainable(" + this._collection.getFullName() + ")";
};
Explainable.prototype.tojson = Explainable.prototype.toString;
Explainable.prototype.shellPrint = function () { print(this.toString()); };
Explainable.prototype.getCollection = function () { return this._collection; };
Explainable.prototype.getVerbosity = function () { return this._verbosity; };
Explainable.prototype.setVerbosity = function (v) {
    this._verbosity = __explainVerbosity(v);
    return this;
};

// Runs {explain: cmd, verbosity} on the collection's database; a failed explain throws.
Explainable.prototype._run = function (cmd) {
    var c = this._collection;
    var res = __runCommand(c._mongo._h, c._db.getName(), {explain: cmd, verbosity: this._verbosity}, __READ);
    if (!res || !res.ok) {
        throw Error("explain failed: " + tojson(res));
    }
    return res;
};

Explainable.prototype.find = function (query, fields, limit, skip, batchSize) {
    return new DBExplainQuery(this._collection.find(query, fields, limit, skip, batchSize), this._verbosity);
};

Explainable.prototype.aggregate = function (pipeline, options) {
    if (!Array.isArray(pipeline)) {
        pipeline = Array.prototype.slice.call(arguments);
        options = {};
    }
    return this._run(__withOptions({aggregate: this._collection.getName(), pipeline: pipeline, cursor: {}},
                                   options, "explain"));
};

Explainable.prototype.count = function (query, options) {
    return this._run(__withOptions({count: this._collection.getName(), query: query || {}}, options));
};

Explainable.prototype.distinct = function (key, query, options) {
    return this._run(__withOptions({distinct: this._collection.getName(), key: key, query: query || {}},
                                   options));
};

Explainable.prototype.findAndModify = function (params) {
    return this._run(__withOptions({findAndModify: this._collection.getName()}, params));
};

Explainable.prototype.remove = function (query, justOne) {
    if (query === undefined) {
        throw Error("remove needs a query");
    }
    if (justOne !== null && typeof justOne === "object") {
        justOne = justOne.justOne;
    }
    return this._run({delete: this._collection.getName(),
                      deletes: [{q: query || {}, limit: justOne ? 1 : 0}]});
};

Explainable.prototype.update = function (query, update, upsert, multi) {
    if (!query) {
        throw Error("need a query");
    }
    if (!update) {
        throw Error("need an update object or pipeline");
    }
    if (upsert !== null && typeof upsert === "object") {
        multi = upsert.multi;
        upsert = upsert.upsert;
    }
    return this._run({update: this._collection.getName(),
                      updates: [{q: query || {}, u: update, upsert: !!upsert, multi: !!multi}]});
};

Explainable.prototype.help = function () {
    print("Explainable operations");
    print("\t.aggregate(...) - explain an aggregation operation");
    print("\t.count(...) - explain a count operation");
    print("\t.distinct(...) - explain a distinct operation");
    print("\t.find(...) - get an explainable query");
    print("\t.findAndModify(...) - explain a findAndModify operation");
    print("\t.remove(...) - explain a remove operation");
    print("\t.update(...) - explain an update operation");
    print("Explainable collection methods");
    print("\t.getCollection()");
    print("\t.getVerbosity()");
    print("\t.setVerbosity(verbosity)");
};

// A find() under explain: modifiers apply to the underlying query; finish() (or printing it)
// runs the explain once.
var DBExplainQuery = function (query, verbosity) {
    this._query = query;
    this._verbosity = verbosity;
    this._result = null;
};

["sort", "limit", "skip", "batchSize", "hint", "comment", "maxTimeMS", "projection", "readPref",
 "pretty", "collation", "allowDiskUse", "min", "max", "returnKey", "showRecordId", "readConcern",
 "addOption", "noCursorTimeout", "tailable", "allowPartialResults"].forEach(function (name) {
    DBExplainQuery.prototype[name] = function () {
        var f = this._query[name];
        if (typeof f !== "function") {
            throw Error("explain queries do not support ." + name + "()");
        }
        f.apply(this._query, arguments);
        return this;
    };
});

DBExplainQuery.prototype.finish = function () {
    if (this._result === null) {
        this._result = this._query.explain(this._verbosity);
    }
    return this._result;
};
DBExplainQuery.prototype.hasNext = function () { return this._result === null; };
DBExplainQuery.prototype.next = function () {
    if (this._result !== null) {
        throw Error("there is no next explain result");
    }
    return this.finish();
};
DBExplainQuery.prototype.getVerbosity = function () { return this._verbosity; };
DBExplainQuery.prototype.toString = function () {
    return "DBExplainQuery: " + this._query.toString();
};
DBExplainQuery.prototype.tojson = DBExplainQuery.prototype.toString;
DBExplainQuery.prototype.shellPrint = function () { __printResult(this.finish()); };
DBExplainQuery.prototype._shellPrintJson = DBExplainQuery.prototype.shellPrint;
DBExplainQuery.prototype.help = function () {
    print("Explain query methods");
    print("\t.finish() - sends explain command to the server and returns the result");
    print("\t.forEach(func) - apply a function to the explain results");
    print("\t.hasNext() - whether this explain query still has a result to retrieve");
    print("\t.next() - alias for .finish()");
    print("Explain query modifiers");
    print("\t.sort({...}), .limit(<n>), .skip(<n>), .hint({...}), .batchSize(<n>), .projection({...})");
};
DBExplainQuery.prototype.forEach = function (f) { f(this.finish()); };

DBCollection.prototype.explain = function (verbosity) {
    return new Explainable(this, verbosity);
};
