// Force a reconfig from a secondary when the majority is lost (seed 004, "at secondary member
// rs.reconfig(conf, {force: true})"): keep only the members that are up now.
//
// Usage: rsh --quiet <a surviving member host:port> scripts/rs-force-reconfig.js
// Connect directly to a surviving member. Prints the hosts kept and the server's reply.

var status = rs.status();
var up = {};
status.members.forEach(function (m) {
    if (m.health === 1) {
        up[m.name] = true;
    }
});
var cfg = rs.conf();
cfg.members = cfg.members.filter(function (m) { return up[m.host]; });
print("keeping: " + cfg.members.map(function (m) { return m.host; }).join(", "));
var res = rs.reconfig(cfg, {force: true});
printjson(res);
quit(res && res.ok ? 0 : 1);
