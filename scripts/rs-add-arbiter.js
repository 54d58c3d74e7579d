// Add an arbiter to the set (seeds 001 and 002), run against the primary.
//
// Usage: rsh --quiet --host <set>/<seed list> --eval 'var ARBITER = "host:port"' scripts/rs-add-arbiter.js
// Prints the reply of rs.addArb and, once it has joined, the arbiter's state.
// Servers from 5.0 refuse an arbiter that changes the implicit default write concern (code
// 103); the script then sets the cluster-wide default to {w: 1} first, as the server asks.

if (typeof ARBITER === "undefined") {
    throw Error("set ARBITER to \"host:port\" with --eval");
}
var res = rs.addArb(ARBITER);
if (res && res.code === 103) {
    var wc = db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 1}});
    if (!wc.ok) {
        printjson(wc);
        quit(1);
    }
    res = rs.addArb(ARBITER);
}
if (!res || !res.ok) {
    printjson(res);
    quit(1);
}
for (var i = 0; i < 120; i++) {
    var m = rs.status().members.filter(function (x) { return x.name === ARBITER; })[0];
    if (m && m.stateStr === "ARBITER") {
        print(m.name + " " + m.stateStr);
        quit(0);
    }
    sleep(250);
}
print("the arbiter did not join within 30 s");
quit(1);
