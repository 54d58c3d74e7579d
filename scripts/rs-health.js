// Print replication health (seeds 002 and 004): each member's state and health, the oplog
// window of the member connected to, and how far each secondary is behind the primary.
//
// Usage: rsh --quiet <member or --host set/seeds> scripts/rs-health.js

var s = rs.status();
if (!s.ok) {
    printjson(s);
    quit(1);
}
print("set: " + s.set);
s.members.forEach(function (m) {
    print(m.name + "\t" + m.stateStr + "\thealth " + m.health + (m.self ? "\t(this member)" : ""));
});
print("");
rs.printReplicationInfo();
print("");
rs.printSecondaryReplicationInfo();
