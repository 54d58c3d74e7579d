// Remove a member from the set (seed 000), run against the primary.
//
// Usage: rsh --quiet --host <set>/<seed list> --eval 'var MEMBER = "host:port"' scripts/rs-remove-member.js
// The host must be spelled exactly as in rs.conf(); otherwise rs.remove returns its legacy
// "error: couldn't find …" string, which is printed and the script exits with 1.

if (typeof MEMBER === "undefined") {
    throw Error("set MEMBER to \"host:port\" with --eval");
}
var res = rs.remove(MEMBER);
if (typeof res === "string") {
    print(res);
    quit(1);
}
printjson(res);
print("members: " + rs.conf().members.map(function (m) { return m.host; }).join(", "));
quit(res.ok ? 0 : 1);
