// Initiate a three-member replica set from an explicit config (seeds 000 and 004).
//
// Usage: rsh --quiet <any member> --eval 'var SET = "rs0", HOSTS = ["h1:p1", "h2:p2", "h3:p3"]' \
//            scripts/rs-initiate-three.js
// Hosts should be ip:port (or names every member can resolve). Waits up to 60 s for a PRIMARY
// and prints the members' states.

if (typeof HOSTS === "undefined" || HOSTS.length !== 3) {
    throw Error("set HOSTS to three \"host:port\" strings with --eval");
}
var conf = {
    _id: (typeof SET === "undefined") ? "rs0" : SET,
    members: HOSTS.map(function (h, i) { return {_id: i, host: h}; })
};
if (typeof SETTINGS !== "undefined") {
    conf.settings = SETTINGS;
}
var res = rs.initiate(conf);
if (!res.ok) {
    printjson(res);
    quit(1);
}
var states = "";
for (var i = 0; i < 240; i++) {
    var s = rs.status();
    var ms = s.members || [];
    if (ms.filter(function (m) { return m.state === 1; }).length === 1 &&
        ms.filter(function (m) { return m.state === 2; }).length === ms.length - 1) {
        states = ms.map(function (m) { return m.name + " " + m.stateStr; }).join("\n");
        break;
    }
    sleep(250);
}
if (!states) {
    print("no PRIMARY after 60 s");
    quit(1);
}
print(states);
