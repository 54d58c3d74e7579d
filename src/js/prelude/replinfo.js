// db.getReplicationInfo / printReplicationInfo / printSecondaryReplicationInfo with the legacy
// logic; the report text itself is built in Rust (__replInfoText, __secondaryReplInfoText).

DB.tsToSeconds = function (x) {
    if (x.t && x.i) {
        return x.t;
    }
    return (x.t * 4294967296 + x.i) / 4294967296;
};

// The legacy result object, plus the raw numbers the printer needs (kept off the result).
DB.prototype._replicationWindow = function () {
    var localdb = this.getSiblingDB("local");
    var result = {};
    if (localdb.getCollectionNames().indexOf("oplog.rs") < 0) {
        result.errmsg = "replication not detected";
        return {result: result};
    }
    var ol = localdb.getCollection("oplog.rs");
    var stats = ol.stats();
    if (stats && stats.maxSize) {
        result.logSizeMB = stats.maxSize / (1024 * 1024);
    } else {
        result.errmsg = "Could not get stats for local.oplog.rs collection. collstats returned: " + tojson(stats);
        return {result: result};
    }
    result.usedMB = Math.ceil(stats.size / (1024 * 1024) * 100) / 100;
    var firstc = ol.find().sort({$natural: 1}).limit(1);
    var lastc = ol.find().sort({$natural: -1}).limit(1);
    if (!firstc.hasNext() || !lastc.hasNext()) {
        result.errmsg = "objects not found in local.oplog.$main -- is this a new and empty db instance?";
        result.oplogMainRowCount = ol.count();
        return {result: result};
    }
    var first = firstc.next();
    var last = lastc.next();
    if (!first.ts || !last.ts) {
        result.errmsg = "ts element not found in oplog objects";
        return {result: result};
    }
    var tfirst = DB.tsToSeconds(first.ts);
    var tlast = DB.tsToSeconds(last.ts);
    result.timeDiff = tlast - tfirst;
    result.timeDiffHours = Math.round(result.timeDiff / 36) / 100;
    result.tFirst = __jsDateString(tfirst * 1000);
    result.tLast = __jsDateString(tlast * 1000);
    result.now = __jsDateString(Date.now());
    return {result: result, maxSize: stats.maxSize, used: stats.size, first: tfirst, last: tlast};
};

DB.prototype.getReplicationInfo = function () {
    return this._replicationWindow().result;
};

// print() adds the newline the text already has.
DB._printText = function (text) {
    if (text.length) {
        print(text.replace(/\n$/, ""));
    }
};

DB.prototype.printReplicationInfo = function () {
    var w = this._replicationWindow();
    if (w.result.errmsg) {
        var isMaster = this.isMaster();
        if (isMaster.arbiterOnly) {
            print("cannot provide replication status from an arbiter.");
            return;
        } else if (!isMaster.ismaster) {
            print("this is a secondary, printing secondary replication info.");
            this.printSecondaryReplicationInfo();
            return;
        }
        print(tojson(w.result));
        return;
    }
    DB._printText(__replInfoText(w.maxSize, w.first, w.last, w.used));
};

DB.prototype.printSecondaryReplicationInfo = function () {
    var local = this.getSiblingDB("local");
    if (local.system.replset.count() !== 0) {
        var status = this.adminCommand({replSetGetStatus: 1});
        DB._printText(__secondaryReplInfoText(status));
    }
};

DB.prototype.printSlaveReplicationInfo = function () {
    rs._deprecated("printSlaveReplicationInfo", "WARNING: printSlaveReplicationInfo is deprecated and may be removed in the next major release. Please use printSecondaryReplicationInfo instead.");
    this.printSecondaryReplicationInfo();
};
