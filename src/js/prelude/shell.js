// Shell words and settings shared by every session (with or without a connection).
// The connection layer's prelude files add `db`, `rs`, cursors, and replace
// shellHelper.use / shellHelper.show with working versions.

var DBQuery = function () {};
DBQuery.shellBatchSize = 20;

// `word rest` typed at the REPL: the shell calls shellHelper("use", "test").
var shellHelper = function (command, rest) {
    command = String(command).trim();
    if (command.indexOf(" ") >= 0) {
        throw Error("whitespace in command name: " + command);
    }
    var f = shellHelper[command];
    if (typeof f !== "function") {
        throw Error("no command [" + command + "]");
    }
    return f(rest === undefined ? "" : String(rest).trim());
};

shellHelper.help = function (topic) {
    return topic ? help(topic) : help();
};

// The cursor `it` iterates; the cursor's shellPrint sets it.
var ___it___ = null;
shellHelper.it = function () {
    if (___it___ === null || typeof ___it___ !== "object" || typeof ___it___.shellPrint !== "function") {
        print("no cursor");
        return;
    }
    ___it___.shellPrint();
};

shellHelper.use = function () {
    throw Error("not connected to a database (rsh was started with --nodb)");
};

shellHelper.show = function () {
    throw Error("not connected to a database (rsh was started with --nodb)");
};

// The legacy Array/Object/String helpers (Array.contains, Object.extend...) are implemented
// in a lazily loaded file; each is a stub here that forwards to it (touching
// `__legacyStatics` loads the file).
[[Array, ["contains", "unique", "shuffle", "tojson", "fetchRefs", "sum", "avg", "stdDev"]],
 [Object, ["extend", "merge", "keySet", "bsonsize"]],
 [String.prototype, ["ltrim", "rtrim", "pad"]],
 [Number.prototype, ["zeroPad", "toPercentStr"]],
 [RegExp, ["escape"]], [Date, ["timeFunc"]]].forEach(function (entry) {
    entry[1].forEach(function (name) {
        Object.defineProperty(entry[0], name, {
            configurable: true,
            enumerable: false,
            writable: true,
            value: function () {
                return __legacyStatics.get(entry[0])[name].apply(this, arguments);
            }
        });
    });
});
