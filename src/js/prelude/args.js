// Argument checks: every db, collection and cursor helper with an argument spec in the helper
// table checks its arguments (natively, against that spec) before its own code runs, so a
// wrong type is a one-line TypeError naming the helper and nothing is sent.
// `db.c.explain().remove(…)` takes the collection method's arguments.
[[DB.prototype, "db."], [DBCollection.prototype, "db.collection."], [DBQuery.prototype, "cursor."],
 [Explainable.prototype, "db.collection."], [Bulk.prototype, "Bulk."], [Mongo.prototype, "Mongo."],
 [DriverSession.prototype, "session."]]
    .forEach(function (target) {
        __argPaths(target[1]).forEach(function (entry) {
            var name = entry[0], spec = entry[1];
            var run = target[0][name];
            if (typeof run !== "function" || !Object.prototype.hasOwnProperty.call(target[0], name)) {
                return;
            }
            var checked = function () {
                __args(spec, arguments, this);
                return run.apply(this, arguments);
            };
            // Typing `db.c.find` shows the helper's own source, as before.
            checked.toString = function () { return run.toString(); };
            target[0][name] = checked;
        });
    });
