// The legacy shell's assertion library. The failure texts are kept word for word: they are
// what people grep for in logs of maintenance scripts.

var doassert = function (msg, obj) {
    if (typeof msg === "function") {
        msg = msg();
    }
    if (typeof msg === "object") {
        msg = tojson(msg);
    }
    var trace = jsTestOptions().traceExceptions;
    if (trace) {
        var stamp = new Date().toISOString();
        print(typeof msg === "string" && msg.indexOf("assert") === 0
            ? stamp + " " + msg : stamp + " assert: " + msg);
    }
    var ex = obj ? _getErrorWithCode(obj, msg) : new Error(msg);
    if (trace) {
        print(ex.stack);
    }
    throw ex;
};

var assert = (function () {
    var text = function (msg) {
        if (typeof msg === "function") {
            return msg();
        }
        return typeof msg === "object" ? tojson(msg) : msg;
    };

    var checkMsg = function (msg) {
        if (!msg) {
            return;
        }
        if (typeof msg === "function") {
            if (msg.length !== 0) {
                doassert("msg function cannot expect any parameters.");
            }
        } else if (typeof msg !== "string" && typeof msg !== "object") {
            doassert("msg parameter must be a string, function or object.");
        }
        if (assert._debug) {
            print("in assert for: " + text(msg));
        }
    };

    // "prefix : msg", either part optional.
    var message = function (msg, prefix) {
        var out = prefix || "";
        if (prefix && msg) {
            out += " : ";
        }
        if (msg) {
            out += text(msg);
        }
        return out;
    };

    var assert = function (b, msg) {
        if (arguments.length > 2) {
            doassert("Too many parameters to assert().");
        }
        checkMsg(msg);
        if (!b) {
            doassert(message(msg, "assert failed"));
        }
    };
    assert._debug = false;
    assert.automsg = function (b) { assert(eval(b), b); };

    var same = function (a, b) {
        return a == b || (a != null && b != null && friendlyEqual(a, b));
    };
    var sameDoc = function (a, b) {
        if (a == b) {
            return true;
        }
        var x = sortDoc(a), y = sortDoc(b);
        return x != null && y != null && friendlyEqual(x, y);
    };

    assert.eq = function (a, b, msg) {
        checkMsg(msg);
        if (!same(a, b)) {
            doassert(message(msg, "[" + tojson(a) + "] != [" + tojson(b) + "] are not equal"));
        }
    };
    assert.eq.automsg = function (a, b) {
        assert.eq(eval(a), eval(b), "[" + a + "] != [" + b + "]");
    };

    assert.neq = function (a, b, msg) {
        checkMsg(msg);
        if (same(a, b)) {
            doassert(message(msg, "[" + a + "] != [" + b + "] are equal"));
        }
    };

    assert.docEq = function (a, b, msg) {
        checkMsg(msg);
        if (!sameDoc(a, b)) {
            doassert(message(msg, "[" + tojson(a) + "] != [" + tojson(b) + "] are not equal"));
        }
    };

    assert.setEq = function (aSet, bSet, msg) {
        var fail = function () { doassert(message(msg, tojson(aSet) + " != " + tojson(bSet))); };
        if (aSet.size !== bSet.size) {
            fail();
        }
        aSet.forEach(function (x) {
            if (!bSet.has(x)) {
                fail();
            }
        });
    };

    assert.sameMembers = function (aArr, bArr, msg, compareFn) {
        checkMsg(msg);
        var eq = compareFn || sameDoc;
        var fail = function () { doassert(message(msg, tojson(aArr) + " != " + tojson(bArr))); };
        if (aArr.length !== bArr.length) {
            fail();
        }
        var used = [];
        aArr.forEach(function (a) {
            for (var i = 0; i < bArr.length; i++) {
                if (!used[i] && eq(a, bArr[i])) {
                    used[i] = true;
                    return;
                }
            }
            fail();
        });
    };

    assert.hasFields = function (result, arr, msg) {
        if (!Array.isArray(arr)) {
            throw new Error("The second argument to assert.hasFields must be an array.");
        }
        var found = 0;
        for (var field in result) {
            if (arr.indexOf(field) >= 0) {
                found++;
            }
        }
        if (found !== arr.length) {
            doassert(message(msg, "Not all of the values from " + tojson(arr) + " were in " +
                                  tojson(result)));
        }
    };

    assert.contains = function (o, arr, msg) {
        if (!Array.isArray(arr)) {
            throw new Error("The second argument to assert.contains must be an array.");
        }
        var found = arr.some(function (x) { return x == o || (x != null && o != null && friendlyEqual(x, o)); });
        if (!found) {
            doassert(message(msg, tojson(o) + " was not in " + tojson(arr)));
        }
    };

    assert.containsPrefix = function (prefix, arr, msg) {
        if (typeof prefix !== "string") {
            throw new Error("The first argument to containsPrefix must be a string.");
        }
        if (!Array.isArray(arr)) {
            throw new Error("The second argument to containsPrefix must be an array.");
        }
        var found = arr.some(function (x) { return typeof x === "string" && x.indexOf(prefix) === 0; });
        if (!found) {
            doassert(message(msg, tojson(prefix) + " was not a prefix in " + tojson(arr)));
        }
    };

    assert.includes = function (haystack, needle, msg) {
        if (!haystack.includes(needle)) {
            var m = "string [" + haystack + "] does not include [" + needle + "]";
            doassert(msg ? m + ", " + msg : m);
        }
    };

    // Call `func` every `interval` ms until it returns true; fail after `timeout` ms.
    assert.soon = function (func, msg, timeout, interval) {
        checkMsg(msg);
        var prefix = msg && typeof msg !== "function" ? "assert.soon failed, msg"
                                                       : "assert.soon failed: " + func;
        var start = Date.now();
        timeout = timeout || 90 * 1000;
        interval = interval || 200;
        for (;;) {
            if (typeof func === "string" ? eval(func) : func()) {
                return;
            }
            if (Date.now() - start > timeout) {
                doassert(message(msg, prefix));
            }
            sleep(interval);
        }
    };

    // `func` as a function that returns false (and says why) where it would throw.
    var noExcept = function (func, what) {
        return function () {
            try {
                return func();
            } catch (e) {
                print(what + ", exception: " + e);
                return false;
            }
        };
    };

    assert.soonNoExcept = function (func, msg, timeout, interval) {
        assert.soon(noExcept(func, "assert.soonNoExcept caught exception"), msg, timeout, interval);
    };

    assert.retry = function (func, msg, numAttempts, intervalMS) {
        intervalMS = intervalMS || 0;
        for (var attempt = 1; attempt <= numAttempts; attempt++) {
            if (func()) {
                return;
            }
            print("assert.retry failed on attempt " + attempt + " of " + numAttempts);
            sleep(intervalMS);
        }
        doassert(message(msg));
    };

    assert.retryNoExcept = function (func, msg, numAttempts, intervalMS) {
        assert.retry(noExcept(func, "assert.retryNoExcept caught exception"), msg, numAttempts,
                     intervalMS);
    };

    assert.time = function (f, msg, timeout) {
        checkMsg(msg);
        var start = Date.now();
        timeout = timeout || 30000;
        var res = typeof f === "string" ? eval(f) : f();
        var took = Date.now() - start;
        if (took > timeout) {
            doassert(message(msg, "assert.time failed timeout " + timeout + "ms took " + took +
                                  "ms : " + f + ", msg"));
        }
        return res;
    };

    // Run func with params; report whether it threw. Touching `this` is a script bug the
    // legacy shell refuses (the function would see a spy, not the caller's object).
    var run = function (func, params, nargs) {
        if (typeof func !== "function") {
            throw new Error("1st argument must be a function");
        }
        if (nargs >= 2 && !Array.isArray(params) &&
            Object.prototype.toString.call(params) !== "[object Arguments]") {
            throw new Error("2nd argument must be an Array or Arguments object");
        }
        var usedThis = false;
        var spy = new Proxy({}, {
            has: function () { usedThis = true; return false; },
            get: function () { usedThis = true; return undefined; },
            set: function () { usedThis = true; return false; },
            deleteProperty: function () { usedThis = true; return false; }
        });
        var out = {error: null, res: null};
        try {
            out.res = func.apply(spy, params);
        } catch (e) {
            out.error = e;
        }
        if (usedThis) {
            doassert("Attempted to access 'this' during function call in" +
                     " assert.throws/doesNotThrow. Instead, wrap the function argument in" +
                     " another function.");
        }
        return out;
    };

    assert.throws = function (func, params, msg) {
        checkMsg(msg);
        var r = run(func, params, arguments.length);
        if (!r.error) {
            doassert(message(msg, "did not throw exception"));
        }
        return r.error;
    };
    assert.throws.automsg = function (func, params) {
        assert.throws(func, arguments.length === 1 ? [] : params, func.toString());
    };

    assert.throwsWithCode = function (func, expectedCode, params, msg) {
        if (arguments.length < 2) {
            throw new Error("assert.throwsWithCode expects at least 2 arguments");
        }
        var args = [func, params, msg].filter(function (x) { return x !== undefined; });
        var error = assert.throws.apply(null, args);
        var codes = Array.isArray(expectedCode) ? expectedCode : [expectedCode];
        if (!codes.some(function (c) { return error.code == c; })) {
            doassert(message(msg, "[" + tojson(error.code) + "] != [" + tojson(codes) +
                                  "] are not equal"));
        }
        return error;
    };

    assert.doesNotThrow = function (func, params, msg) {
        checkMsg(msg);
        var r = run(func, params, arguments.length);
        if (r.error) {
            doassert(message(msg, "threw unexpected exception: " + r.error));
        }
        return r.res;
    };
    assert.doesNotThrow.automsg = function (func, params) {
        assert.doesNotThrow(func, arguments.length === 1 ? [] : params, func.toString());
    };

    assert.dropExceptionsWithCode = function (func, dropCodes, onDrop) {
        if (typeof func !== "function") {
            doassert("assert.dropExceptionsWithCode 1st argument must be a function");
        }
        if (typeof onDrop !== "function") {
            doassert("assert.dropExceptionsWithCode 3rd argument must be a function");
        }
        var codes = Array.isArray(dropCodes) ? dropCodes : [dropCodes];
        try {
            return func();
        } catch (e) {
            if (codes.indexOf(e.code) >= 0) {
                return onDrop(e);
            }
            throw e;
        }
    };

    var isA = function (res, name) {
        var ctor = globalThis[name];
        return typeof ctor === "function" && res instanceof ctor;
    };
    var isWriteResult = function (res) {
        return isA(res, "WriteResult") || isA(res, "WriteError") ||
            isA(res, "BulkWriteResult") || isA(res, "BulkWriteError");
    };
    var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };

    var rawOk = function (raw, ignoreWriteErrors, ignoreWriteConcernErrors) {
        if (raw.ok === 0) {
            return false;
        }
        if (!ignoreWriteErrors && has(raw, "writeErrors") && raw.writeErrors.length > 0) {
            return false;
        }
        return ignoreWriteConcernErrors || !has(raw, "writeConcernError");
    };

    var checkResponse = function (res, name) {
        if (typeof res !== "object") {
            doassert("unknown response type '" + typeof res + "' given to " + name + ", res='" +
                     res + "'");
        }
    };

    var worked = function (res, msg, ignoreWriteErrors, ignoreWriteConcernErrors) {
        checkMsg(msg);
        checkResponse(res, "commandWorked");
        var failText = function () {
            var prefix = "command failed: " + tojson(res);
            if (res !== null && typeof res._commandObj === "object" && res._commandObj !== null) {
                prefix += " with original command request: " + tojson(res._commandObj);
            }
            return message(msg, prefix);
        };
        if (res === null) {
            doassert(message(msg, "unknown type of result, cannot check ok: null"));
        } else if (isWriteResult(res)) {
            if (!ignoreWriteErrors) {
                assert.writeOK(res, msg, {ignoreWriteConcernErrors: ignoreWriteConcernErrors});
            }
        } else if (isA(res, "WriteCommandError") || res instanceof Error) {
            doassert(failText(), res);
        } else if (has(res, "ok")) {
            if (!rawOk(res, ignoreWriteErrors, ignoreWriteConcernErrors)) {
                doassert(failText(), res);
            }
        } else if (!has(res, "acknowledged")) {
            doassert(message(msg, "unknown type of result, cannot check ok: " + tojson(res)), res);
        }
        return res;
    };

    assert._kAnyErrorCode = Object.create(null);

    var failed = function (res, expectedCode, msg) {
        checkMsg(msg);
        checkResponse(res, "commandFailed");
        var any = expectedCode === assert._kAnyErrorCode;
        var codes = any || Array.isArray(expectedCode) ? expectedCode : [expectedCode];
        var workedText = function () {
            return message(msg, "command worked when it should have failed: " + tojson(res));
        };
        var codeText = function () {
            return any ? "" : message(msg, "command did not fail with any of the following codes " +
                                           tojson(codes) + " " + tojson(res));
        };
        if (res === null) {
            doassert(message(msg, "unknown type of result, cannot check error: null"));
        } else if (isWriteResult(res)) {
            assert.writeErrorWithCode(res, expectedCode, msg);
        } else if (isA(res, "WriteCommandError") || res instanceof Error) {
            if (!any && (!has(res, "code") && res.code === undefined || codes.indexOf(res.code) < 0)) {
                doassert(codeText(), res);
            }
        } else if (has(res, "ok")) {
            if (rawOk(res)) {
                doassert(workedText(), res);
            }
            if (!any) {
                var found = false;
                if (has(res, "code") && codes.indexOf(res.code) >= 0) {
                    found = true;
                } else if (has(res, "writeErrors")) {
                    found = res.writeErrors.some(function (e) { return codes.indexOf(e.code) >= 0; });
                } else if (has(res, "writeConcernError")) {
                    found = codes.indexOf(res.writeConcernError.code) >= 0;
                }
                if (!found) {
                    doassert(codeText(), res);
                }
            }
        } else if (has(res, "acknowledged")) {
            doassert(workedText());
        } else {
            doassert(message(msg, "unknown type of result, cannot check error: " + tojson(res)), res);
        }
        return res;
    };

    assert.commandWorked = function (res, msg) { return worked(res, msg, false, false); };
    assert.commandWorkedIgnoringWriteErrors = function (res, msg) {
        return worked(res, msg, true, false);
    };
    assert.commandWorkedIgnoringWriteConcernErrors = function (res, msg) {
        return worked(res, msg, false, true);
    };
    assert.commandWorkedIgnoringWriteErrorsAndWriteConcernErrors = function (res, msg) {
        return worked(res, msg, true, true);
    };
    assert.commandFailed = function (res, msg) {
        return failed(res, assert._kAnyErrorCode, msg);
    };
    assert.commandFailedWithCode = function (res, expectedCode, msg) {
        return failed(res, expectedCode, msg);
    };
    assert.commandWorkedOrFailedWithCode = function (res, codes, msg) {
        return res.ok ? assert.commandWorked(res, msg) : assert.commandFailedWithCode(res, codes, msg);
    };

    assert.writeOK = function (res, msg, opts) {
        var ignoreWce = !!(opts && opts.ignoreWriteConcernErrors);
        var err = null;
        if (isA(res, "BulkWriteResult")) {
            if (res.hasWriteErrors()) {
                err = "write failed with errors: " + tojson(res);
            } else if (!ignoreWce && res.hasWriteConcernError()) {
                err = "write concern failed with errors: " + tojson(res);
            }
        } else if (isA(res, "WriteResult")) {
            if (res.hasWriteError()) {
                err = "write failed with error: " + tojson(res);
            } else if (!ignoreWce && res.hasWriteConcernError()) {
                err = "write concern failed with errors: " + tojson(res);
            }
        } else if (isA(res, "WriteCommandError") || isA(res, "WriteError") ||
                   isA(res, "BulkWriteError")) {
            err = "write command failed: " + tojson(res);
        } else if (!res || !res.ok) {
            err = "unknown type of write result, cannot check ok: " + tojson(res);
        }
        if (err) {
            doassert(message(msg, err), res);
        }
        return res;
    };

    assert.writeError = function (res, msg) {
        return assert.writeErrorWithCode(res, assert._kAnyErrorCode, msg);
    };

    assert.writeErrorWithCode = function (res, expectedCode, msg) {
        if (expectedCode === undefined) {
            doassert("assert.writeErrorWithCode called with undefined error code");
        }
        var err = null;
        var found = [];
        if (isA(res, "BulkWriteResult") || isA(res, "BulkWriteError")) {
            if (res.hasWriteErrors()) {
                res.getWriteErrors().forEach(function (we) { found.push(we.code); });
            } else if (res.hasWriteConcernError()) {
                found.push(res.getWriteConcernError().code);
            } else {
                err = "no write errors: " + tojson(res);
            }
        } else if (isA(res, "WriteResult")) {
            if (res.hasWriteError()) {
                found.push(res.getWriteError().code);
            } else if (res.hasWriteConcernError()) {
                found.push(res.getWriteConcernError().code);
            } else {
                err = "no write error: " + tojson(res);
            }
        } else if (isA(res, "WriteError")) {
            found.push(res.code);
        } else if (!isA(res, "WriteCommandError") && (!res || res.ok)) {
            err = "unknown type of write result, cannot check error: " + tojson(res);
        }
        if (!err && expectedCode !== assert._kAnyErrorCode) {
            var codes = Array.isArray(expectedCode) ? expectedCode : [expectedCode];
            if (!codes.some(function (c) { return found.indexOf(c) >= 0; })) {
                err = "found code(s) " + tojson(Array.unique(found)) +
                    " does not match any of the expected codes " + tojson(codes);
            }
        }
        if (err) {
            doassert(message(msg, err));
        }
        return res;
    };

    assert.isnull = function (what, msg) {
        checkMsg(msg);
        if (what != null) {
            doassert("supposed to be null (" + (text(msg) || "") + ") was: " + tojson(what));
        }
    };

    // Timestamps compare by value, everything else with JS operators.
    var cmp = function (f, a, b) {
        if (a instanceof Timestamp && b instanceof Timestamp) {
            return f(bsonWoCompare({_: a}, {_: b}), 0);
        }
        return f(a, b);
    };
    var ordered = function (f, a, b, what, msg) {
        checkMsg(msg);
        if (!cmp(f, a, b)) {
            doassert(message(msg, a + " is not " + what + " " + b));
        }
    };
    assert.lt = function (a, b, msg) { ordered(function (x, y) { return x < y; }, a, b, "less than", msg); };
    assert.gt = function (a, b, msg) { ordered(function (x, y) { return x > y; }, a, b, "greater than", msg); };
    assert.lte = function (a, b, msg) {
        ordered(function (x, y) { return x <= y; }, a, b, "less than or eq", msg);
    };
    assert.gte = function (a, b, msg) {
        ordered(function (x, y) { return x >= y; }, a, b, "greater than or eq", msg);
    };

    assert.between = function (a, b, c, msg, inclusive) {
        checkMsg(msg);
        var f = (inclusive === undefined || inclusive == true)
            ? function (x, y) { return x <= y; } : function (x, y) { return x < y; };
        if (!(cmp(f, a, b) && cmp(f, b, c))) {
            doassert(message(msg, b + " is not between " + a + " and " + c));
        }
    };
    assert.betweenIn = function (a, b, c, msg) { assert.between(a, b, c, msg, true); };
    assert.betweenEx = function (a, b, c, msg) { assert.between(a, b, c, msg, false); };

    assert.close = function (a, b, msg, places) {
        places = places === undefined ? 4 : places;
        var absolute = Math.abs(a - b);
        if (Math.round(absolute * Math.pow(10, places)) === 0) {
            return;
        }
        var relative = Math.abs(absolute / b);
        if (Math.round(relative * Math.pow(10, places)) === 0) {
            return;
        }
        doassert(message(msg, a + " is not equal to " + b + " within " + places +
                              " places, absolute error: " + absolute + ", relative error: " +
                              relative));
    };

    assert.closeWithinMS = function (a, b, msg, deltaMS) {
        deltaMS = deltaMS === undefined ? 1000 : deltaMS;
        var x = a instanceof Date ? a.getTime() : a;
        var y = b instanceof Date ? b.getTime() : b;
        var delta = Math.abs(Math.abs(x) - Math.abs(y));
        if (delta > deltaMS) {
            doassert(message(msg, "" + a + " is not equal to " + b + " within " + deltaMS +
                                  " millis, actual delta: " + delta + " millis"));
        }
    };

    assert.noAPIParams = function (cmdOptions) {
        if (!(cmdOptions instanceof Object)) {
            return;
        }
        assert(!has(cmdOptions, "apiVersion") && !has(cmdOptions, "apiStrict") &&
                   !has(cmdOptions, "apiDeprecationErrors"),
               "API parameters are not allowed in this context");
    };

    assert.adminCommandWorkedAllowingNetworkError = function (node, cmd) {
        var res;
        try {
            res = node.adminCommand(cmd);
            assert.commandWorked(res);
        } catch (e) {
            if (!isNetworkError(e)) {
                throw e;
            }
            print("Caught network error: " + tojson(e));
        }
        return res;
    };

    return assert;
})();
