// Utility globals of the legacy shell that scripts lean on: deep equality, type tests, the
// Array/Object helpers, Random, jsTest. Loaded on first use of one of its globals (or of an
// Array/Object helper, through the stubs shell.js installs).

var isString = function (x) { return typeof x === "string"; };
var isNumber = function (x) { return typeof x === "number"; };
var isObject = function (x) { return typeof x === "object" && x !== null; };

// Equality as the legacy shell's assert.eq sees it: same legacy JSON text (objects), else ==.
var friendlyEqual = function (a, b) {
    if (a == b) {
        return true;
    }
    // NumberInt(5) and 5 are the same value to a script.
    var text = function (x) {
        return tojson(x, undefined, true).replace(/NumberInt\((-?\d+)\)/g, "$1");
    };
    return text(a) === text(b);
};

var tojsonObject = function (x, indent, nolint) {
    if (x === null || typeof x !== "object") {
        throw Error("tojsonObject needs an object, not " + (x === null ? "null" : typeof x));
    }
    return tojson(x, indent, nolint);
};

// A copy of `doc` with its fields (and those of nested plain objects) in sorted order.
var sortDoc = function (doc) {
    if (Array.isArray(doc)) {
        return doc.map(sortDoc);
    }
    if (doc === null || typeof doc !== "object" || doc.constructor !== Object) {
        return doc;
    }
    var out = {};
    Object.keys(doc).sort().forEach(function (k) { out[k] = sortDoc(doc[k]); });
    return out;
};

var printStackTrace = function () {
    try {
        throw new Error("Printing Stack Trace");
    } catch (e) {
        print(e.stack);
    }
};

var _verboseShell = false;
var setVerboseShell = function (value) {
    _verboseShell = value === undefined ? true : !!value;
};

var timestampCmp = function (a, b) {
    if (a.t !== undefined && b.t !== undefined) {
        return a.t !== b.t ? (a.t < b.t ? -1 : 1) : (a.i === b.i ? 0 : (a.i < b.i ? -1 : 1));
    }
    return bsonWoCompare({_: a}, {_: b});
};

var compare = function (l, r) { return l == r ? 0 : (l < r ? -1 : 1); };
var compareOn = function (field) {
    return function (l, r) { return compare(l[field], r[field]); };
};

var isNetworkError = function (error) {
    var text = String(error && error.message !== undefined ? error.message : error);
    return ["network error", "error doing query", "socket exception", "SocketException",
            "HostNotFound", "HostUnreachable", "connection refused", "Connection refused",
            "NetworkTimeout", "no reply"].some(function (w) { return text.indexOf(w) >= 0; });
};

var retryOnNetworkError = function (func, numRetries, sleepMs) {
    numRetries = numRetries === undefined ? 1 : numRetries;
    sleepMs = sleepMs || 1000;
    for (;;) {
        try {
            return func();
        } catch (e) {
            if (isNetworkError(e) && numRetries > 0) {
                print("Network error occurred and the call will be retried: " +
                      tojson({error: e.toString(), stack: e.stack}));
                numRetries--;
                sleep(sleepMs);
            } else {
                throw e;
            }
        }
    }
};

// An Error carrying the server's code (commandWorked failures, CRUD errors).
var _getErrorWithCode = function (codeOrObj, message) {
    var e = new Error(message);
    if (codeOrObj !== null && typeof codeOrObj === "object") {
        if (codeOrObj.code !== undefined) {
            e.code = codeOrObj.code;
        }
        if (codeOrObj.writeErrors !== undefined && codeOrObj.writeErrors.length &&
            e.code === undefined) {
            e.code = codeOrObj.writeErrors[0].code;
        }
        if (codeOrObj.codeName !== undefined) {
            e.codeName = codeOrObj.codeName;
        }
        if (codeOrObj.errorLabels !== undefined) {
            e.errorLabels = codeOrObj.errorLabels;
        }
    } else if (typeof codeOrObj === "number") {
        e.code = codeOrObj;
    }
    return e;
};

// Array/Object/String helpers of the legacy shell. shell.js installs a forwarding stub for
// each at start-up (a plain data property, so compiled code never sees the property change);
// the implementations live here, keyed by owner.
var __legacyStatics = new Map();
var __defineStatic = function (owner, name, f) {
    if (!__legacyStatics.has(owner)) {
        __legacyStatics.set(owner, {});
    }
    __legacyStatics.get(owner)[name] = f;
};

__defineStatic(Array, "contains", function (a, x) {
    if (!Array.isArray(a)) {
        throw new Error("The first argument to Array.contains must be an array");
    }
    for (var i = 0; i < a.length; i++) {
        if (a[i] == x) {
            return true;
        }
    }
    return false;
});

__defineStatic(Array, "unique", function (a) {
    if (!Array.isArray(a)) {
        throw new Error("The first argument to Array.unique must be an array");
    }
    var out = [];
    a.forEach(function (x) {
        if (!Array.contains(out, x)) {
            out.push(x);
        }
    });
    return out;
});

__defineStatic(Array, "shuffle", function (arr) {
    if (!Array.isArray(arr)) {
        throw new Error("The first argument to Array.shuffle must be an array");
    }
    for (var i = arr.length - 1; i > 0; i--) {
        var j = Math.floor(Random.rand() * (i + 1));
        var t = arr[i];
        arr[i] = arr[j];
        arr[j] = t;
    }
    return arr;
});

__defineStatic(Array, "tojson", function (a, indent, nolint) {
    if (!Array.isArray(a)) {
        throw new Error("The first argument to Array.tojson must be an array");
    }
    return tojson(a, indent, nolint);
});

__defineStatic(Array, "fetchRefs", function (arr, coll) {
    if (!Array.isArray(arr)) {
        throw new Error("The first argument to Array.fetchRefs must be an array");
    }
    var out = [];
    arr.forEach(function (ref) {
        if (coll && ref.getCollection && ref.getCollection() !== coll) {
            return;
        }
        out.push(ref.fetch());
    });
    return out;
});

__defineStatic(Array, "sum", function (arr) {
    if (!Array.isArray(arr)) {
        throw new Error("The first argument to Array.sum must be an array");
    }
    if (arr.length === 0) {
        return null;
    }
    var s = arr[0];
    for (var i = 1; i < arr.length; i++) {
        s += arr[i];
    }
    return s;
});

__defineStatic(Array, "avg", function (arr) {
    if (!Array.isArray(arr)) {
        throw new Error("The first argument to Array.avg must be an array");
    }
    return arr.length === 0 ? null : Array.sum(arr) / arr.length;
});

__defineStatic(Array, "stdDev", function (arr) {
    if (!Array.isArray(arr)) {
        throw new Error("The first argument to Array.stdDev must be an array");
    }
    var avg = Array.avg(arr);
    var sum = 0;
    arr.forEach(function (x) { sum += (x - avg) * (x - avg); });
    return Math.sqrt(sum / arr.length);
});

// extend(dst, src, deep): copy src's own fields into dst (deep copies nested objects).
__defineStatic(Object, "extend", function (dst, src, deep) {
    for (var k in src) {
        var v = src[k];
        if (deep && typeof v === "object" && v !== null) {
            if (v.constructor === ObjectId) {
                v = ObjectId(v.str);
            } else if (v instanceof NumberLong) {
                v = NumberLong(v.toString());
            } else if (v instanceof Date) {
                v = new Date(v.getTime());
            } else if (v instanceof RegExp) {
                v = new RegExp(v.source, v.flags);
            } else {
                v = Object.extend(Array.isArray(v) ? [] : {}, v, true);
            }
        }
        dst[k] = v;
    }
    return dst;
});

__defineStatic(Object, "merge", function (dst, src, deep) {
    var out = {};
    Object.extend(out, dst, deep);
    Object.extend(out, src, deep);
    return out;
});

__defineStatic(Object, "keySet", function (o) {
    var out = [];
    for (var k in o) {
        out.push(k);
    }
    return out;
});

__defineStatic(Object, "bsonsize", function (o) {
    return __bsonsize(o);
});

__defineStatic(String.prototype, "ltrim", function () { return this.replace(/^\s+/, ""); });
__defineStatic(String.prototype, "rtrim", function () { return this.replace(/\s+$/, ""); });
__defineStatic(String.prototype, "pad", function (length, right, chr) {
    chr = chr || " ";
    var s = String(this);
    while (s.length < length) {
        s = right ? s + chr : chr + s;
    }
    return s;
});
__defineStatic(Number.prototype, "zeroPad", function (width) {
    return String(this).pad(width, false, "0");
});
__defineStatic(Number.prototype, "toPercentStr", function () {
    return (this * 100).toFixed(2) + "%";
});
__defineStatic(RegExp, "escape", function (text) {
    return String(text).replace(/[-[\]{}()*+?.,\\^$|#\s]/g, "\\$&");
});
__defineStatic(Date, "timeFunc", function (theFunc, numTimes) {
    var start = new Date();
    numTimes = numTimes || 1;
    for (var i = 0; i < numTimes; i++) {
        theFunc.apply(null, Array.prototype.slice.call(arguments, 2));
    }
    return (new Date()).getTime() - start.getTime();
});

// Random: a seedable generator (xorshift), as the legacy Random object.
var Random = (function () {
    var state = 0;
    var seeded = false;
    var next = function () {
        if (!seeded) {
            r.srand(Date.now() ^ Math.floor(Math.random() * 0x7fffffff));
        }
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) / 4294967296;
    };
    var r = {};
    r.srand = function (s) {
        state = (Number(s) | 0) || 0x2545F491;
        seeded = true;
    };
    r.rand = function () { return next(); };
    r.randInt = function (min, max) {
        if (max === undefined) {
            max = min;
            min = 0;
        }
        return min + Math.floor(next() * (max - min));
    };
    r.isInitialized = function () { return seeded; };
    r.setRandomSeed = function (s) {
        var seed = s === undefined ? Date.now() : s;
        r.srand(seed);
        print("setting random seed: " + seed);
        return seed;
    };
    r.genExp = function (mean) { return -Math.log(next()) * mean; };
    r.genNormal = function (mean, sd) {
        var u = 1 - next();
        var v = next();
        return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    return r;
})();

// Geo helpers (distances in radians / on the sphere).
var Geo = {
    distance: function (a, b) {
        var ax = a[0] !== undefined ? a[0] : a.x, ay = a[1] !== undefined ? a[1] : a.y;
        var bx = b[0] !== undefined ? b[0] : b.x, by = b[1] !== undefined ? b[1] : b.y;
        return Math.sqrt(Math.pow(by - ay, 2) + Math.pow(bx - ax, 2));
    },
    sphereDistance: function (a, b) {
        var rad = Math.PI / 180;
        var lng1 = a[0] * rad, lat1 = a[1] * rad, lng2 = b[0] * rad, lat2 = b[1] * rad;
        var c = Math.sin(lat1) * Math.sin(lat2) + Math.cos(lat1) * Math.cos(lat2) * Math.cos(lng2 - lng1);
        return Math.acos(Math.max(-1, Math.min(1, c)));
    }
};

// jsTest: the test-runner helpers scripts call (name, log, options).
var TestData = undefined;
var jsTestName = function () {
    return TestData && TestData.testName ? TestData.testName : "__unknown_name__";
};
var jsTestOptions = function () {
    // Without a test runner's TestData there are no options (doassert then prints nothing).
    if (!TestData) {
        return {};
    }
    return Object.extend({
        noJournal: false, auth: false, authUser: "__system", adminUser: "admin",
        adminPassword: "password", traceExceptions: true
    }, TestData);
};
var jsTestLog = function (msg) {
    if (typeof msg === "object") {
        msg = tojson(msg);
    }
    print("\n\n----\n" + msg + "\n----\n\n");
};
var jsTest = {
    name: jsTestName,
    options: jsTestOptions,
    log: jsTestLog,
    setOption: function (name, value) {
        if (TestData === undefined) {
            TestData = {};
        }
        TestData[name] = value;
    },
    path: function () { return TestData && TestData.testPath ? TestData.testPath : ""; },
    readOnlyUserRoles: ["read"],
    basicUserRoles: ["dbOwner"],
    adminUserRoles: ["root"],
    isMongos: function (conn) {
        return (conn || db.getMongo()).getDB("admin").runCommand("isMaster").msg === "isdbgrid";
    },
    authenticate: function (conn) {
        return true;
    }
};

// Legacy globals rsh does not provide; the helper table has the reason each prints.
var DBPointer = function () { __unsupported("DBPointer"); };
var gc = function () { __unsupported("gc"); };
var runProgram = function () { __unsupported("runProgram"); };
var run = function () { __unsupported("run"); };
var startMongoProgram = function () { __unsupported("startMongoProgram"); };
var ReplSetTest = function () { __unsupported("ReplSetTest"); };
var ShardingTest = function () { __unsupported("ShardingTest"); };
var MongoRunner = {runMongod: function () { __unsupported("MongoRunner"); }};
var sh = {};
["status", "help", "addShard", "enableSharding", "shardCollection", "startBalancer",
 "stopBalancer", "getBalancerState", "setBalancerState", "isBalancerRunning", "moveChunk",
 "splitAt", "splitFind", "addShardTag", "addTagRange", "removeShardTag"].forEach(function (name) {
    sh[name] = function () { __unsupported("sh"); };
});
