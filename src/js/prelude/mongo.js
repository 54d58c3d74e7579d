// Mongo: one connection, a handle on the Rust side (natives __conn*). `new Mongo(host)`,
// `connect(url)`, `db.getMongo()`; read preference and the secondary-ok flag live here.

var Mongo = function (host) {
    if (!(this instanceof Mongo)) {
        return new Mongo(host);
    }
    var h = (host === undefined || host === null) ? "127.0.0.1:27017" : String(host);
    this._h = __connOpen(h);
    this.host = __connInfo(this._h).host;
};

// A Mongo object for an already open handle (the command-line connection).
Mongo._fromHandle = function (h) {
    var m = Object.create(Mongo.prototype);
    m._h = h;
    m.host = __connInfo(h).host;
    return m;
};

Mongo.prototype.getDB = function (name) {
    return new DB(this, String(name));
};
Mongo.prototype.getSiblingDB = Mongo.prototype.getDB;

Mongo.prototype.adminCommand = function (cmd) {
    return this.getDB("admin").runCommand(cmd);
};

Mongo.prototype.getDBs = function () {
    var res = this.adminCommand({listDatabases: 1});
    if (!res.ok) {
        throw Error("listDatabases failed:" + tojson(res));
    }
    return res;
};

Mongo.prototype.getDBNames = function () {
    return this.getDBs().databases.map(function (d) { return d.name; });
};

// setReadPref(mode, tagSets): mode null clears it.
Mongo.prototype.setReadPref = function (mode, tagSet) {
    __connSetReadPref(this._h, mode, tagSet);
};

Mongo.prototype.getReadPrefMode = function () {
    var rp = __connGetReadPref(this._h);
    return rp ? rp.mode : "primary";
};

Mongo.prototype.getReadPrefTagSet = function () {
    var rp = __connGetReadPref(this._h);
    return rp ? rp.tags : undefined;
};

Mongo.prototype.getReadPref = function () {
    var rp = __connGetReadPref(this._h);
    return rp ? rp : undefined;
};

Mongo.prototype.setSecondaryOk = function (value) {
    __connSetSecondaryOk(this._h, value === undefined ? true : value);
};

Mongo.prototype.getSecondaryOk = function () {
    return __connGetSecondaryOk(this._h);
};

Mongo.prototype.setSlaveOk = function (value) {
    print("WARNING: setSlaveOk() is deprecated and may be removed in the next major release. Please use setSecondaryOk() instead.");
    this.setSecondaryOk(value);
};

Mongo.prototype.getSlaveOk = Mongo.prototype.getSecondaryOk;

Mongo.prototype.toString = function () {
    return "connection to " + this.host;
};
Mongo.prototype.tojson = Mongo.prototype.toString;

// connect("host[:port]/db" | "db" | "mongodb://…"[, user, pass]) → a DB.
var connect = function (url, user, pass) {
    url = String(url);
    var host, name;
    if (url.indexOf("mongodb://") === 0 || url.indexOf("mongodb+srv://") === 0) {
        host = url;
        var path = url.replace(/^mongodb(\+srv)?:\/\/[^\/]*\/?/, "").split("?")[0];
        name = path.length ? path : "test";
    } else if (url.indexOf("/") >= 0) {
        var cut = url.lastIndexOf("/");
        host = url.substring(0, cut);
        name = url.substring(cut + 1);
    } else {
        host = "127.0.0.1:27017";
        name = url;
    }
    var d = new Mongo(host).getDB(name);
    if (user !== undefined && pass !== undefined) {
        d.auth(user, pass);
    }
    return d;
};

// The default prompt (legacy rules, computed in Rust); the REPL calls it before every line.
var defaultPrompt = function () {
    if (typeof db === "undefined" || db === null || typeof db.getMongo !== "function") {
        return "> ";
    }
    return __connPrompt(db.getMongo()._h);
};

// Called by the shell once the command-line connection is open.
var __shellConnected = function (h, name) {
    db = Mongo._fromHandle(h).getDB(name);
};
