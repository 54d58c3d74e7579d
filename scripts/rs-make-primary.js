// Make one member primary by giving it the highest priority (seed 004, "force a member to
// become primary"), then wait for it to be elected.
//
// Usage: rsh --quiet --host <set>/<seed list> --eval 'var TARGET = "host:port"' scripts/rs-make-primary.js
// Every other member gets priority 1; TARGET gets 5.

if (typeof TARGET === "undefined") {
    throw Error("set TARGET to the \"host:port\" of the member to promote with --eval");
}
var cfg = rs.conf();
var found = false;
cfg.members.forEach(function (m) {
    if (m.arbiterOnly) {
        return;
    }
    m.priority = (m.host === TARGET) ? 5 : 1;
    found = found || m.host === TARGET;
});
if (!found) {
    throw Error(TARGET + " is not a data-bearing member of " + cfg._id);
}
rs.reconfig(cfg);
for (var i = 0; i < 240; i++) {
    try {
        var p = rs.status().members.filter(function (m) { return m.state === 1; })[0];
        if (p && p.name === TARGET) {
            print(TARGET + " is PRIMARY");
            quit(0);
        }
    } catch (e) {
        // The old primary steps down and closes connections: try again.
    }
    sleep(250);
}
print(TARGET + " did not become primary within 60 s");
quit(1);
