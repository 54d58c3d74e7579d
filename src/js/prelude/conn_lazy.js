// The connection helpers (Mongo, DB, collections, cursors; rs.js stays eager for completion)
// are compiled on first use, so `rsh --nodb` does not pay for them: each name below is a
// placeholder that loads them.
var __connLazyNames = ["Mongo", "connect", "DB", "DBCollection", "DBCommandCursor",
                       "WriteResult", "BulkWriteResult", "WriteCommandError", "BulkWriteError",
                       "WriteError", "WriteConcernError", "WriteConcern", "Bulk", "DriverSession",
                       "SessionOptions"];

var __loadConn = function () {
    if (__loadConn.done) {
        return;
    }
    __loadConn.done = true;
    __connLazyNames.forEach(function (n) { delete globalThis[n]; });
    __loadConnPrelude();
};

__connLazyNames.forEach(function (n) {
    Object.defineProperty(globalThis, n, {
        configurable: true,
        enumerable: false,
        get: function () {
            __loadConn();
            return globalThis[n];
        },
        set: function (v) {
            delete globalThis[n];
            globalThis[n] = v;
        }
    });
});
