#!/usr/bin/env bash
# mongosh against rsh-sandbox: its rs.* helpers must work as against mongod.
# Usage: mongosh_flow.sh SANDBOX_BINARY MONGOSH WORKDIR
# Starts a 2-member set with the cluster launcher plus a spare member, then runs rs.status(),
# rs.conf(), rs.add() and rs.stepDown() through `mongosh --eval` and checks the printed shapes,
# the key order of the status and config documents, and the handover after the stepdown.
set -euo pipefail
bin=$1 mongosh=$2 work=$3
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$bin" cluster --nodes 2 --initiate --fast --dbpath-root "$work/set" >"$work/cluster.out" 2>&1 &
cluster=$!
spare_port=$(free_port)
mkdir -p "$work/spare"
"$bin" --port "$spare_port" --bind_ip 127.0.0.1 --replSet rs0 --dbpath "$work/spare" --logpath "$work/spare.log" &
spare=$!
trap 'kill -TERM $cluster $spare 2>/dev/null; wait $cluster $spare 2>/dev/null || true' EXIT

uri=""
for _ in $(seq 1 600); do
  uri=$(grep -o 'mongodb://[^ ]*' "$work/cluster.out" | head -n1 || true)
  [ -n "$uri" ] && break
  kill -0 $cluster 2>/dev/null || { cat "$work/cluster.out"; exit 1; }
  sleep 0.1
done
[ -n "$uri" ] || { echo "cluster did not come up"; cat "$work/cluster.out"; exit 1; }
echo "set: $uri"

sh() { "$mongosh" "$uri" --quiet --norc --eval "$1"; }
expect() { # expect NAME OUTPUT PATTERN...
  local name=$1 out=$2; shift 2
  for pat in "$@"; do
    grep -q -- "$pat" <<<"$out" || { echo "FAIL $name: no '$pat' in:"; echo "$out"; exit 1; }
  done
  echo "ok $name"
}

out=$(sh 'rs.status()')
expect rs.status "$out" "set: 'rs0'" "myState: 1" "members: \[" "stateStr: 'PRIMARY'" "stateStr: 'SECONDARY'" "optimeDate:" "ok: 1"
# Key order as the real server serves it (reference 6.2 and 6.3), as mongosh hands it to scripts.
out=$(sh 'const s = rs.status(); print(Object.keys(s).join());
  print(Object.keys(s.members.find(m => m.self)).join());
  print(Object.keys(s.members.find(m => !m.self)).join())')
expect rs.status-keys "$out" \
  "^set,date,myState,term,syncSourceHost,syncSourceId,heartbeatIntervalMillis,majorityVoteCount,writeMajorityCount,votingMembersCount,writableVotingMembersCount,optimes,lastStableRecoveryTimestamp,electionCandidateMetrics,members,ok,\$clusterTime,operationTime$" \
  "^_id,name,health,state,stateStr,uptime,optime,optimeDate,lastAppliedWallTime,lastDurableWallTime,syncSourceHost,syncSourceId,infoMessage,electionTime,electionDate,configVersion,configTerm,self,lastHeartbeatMessage$" \
  "^_id,name,health,state,stateStr,uptime,optime,optimeDurable,optimeDate,optimeDurableDate,lastAppliedWallTime,lastDurableWallTime,lastHeartbeat,lastHeartbeatRecv,pingMs,lastHeartbeatMessage,syncSourceHost,syncSourceId,infoMessage,configVersion,configTerm$"
out=$(sh 'const c = rs.conf(); print(Object.keys(c).join()); print(Object.keys(c.members[0]).join());
  print(Object.keys(c.settings).join())')
expect rs.conf-keys "$out" \
  "^_id,version,term,members,protocolVersion,writeConcernMajorityJournalDefault,settings$" \
  "^_id,host,arbiterOnly,buildIndexes,hidden,priority,tags,secondaryDelaySecs,votes$" \
  "^chainingAllowed,heartbeatIntervalMillis,heartbeatTimeoutSecs,electionTimeoutMillis,catchUpTimeoutMillis,catchUpTakeoverDelayMillis,getLastErrorModes,getLastErrorDefaults,replicaSetId$"
out=$(sh 'rs.conf()')
expect rs.conf "$out" "_id: 'rs0'" "protocolVersion: Long('1')" "secondaryDelaySecs: Long('0')" "heartbeatIntervalMillis: 300" "replicaSetId: ObjectId("
out=$(sh "rs.add('127.0.0.1:$spare_port')")
expect rs.add "$out" "ok: 1"
out=$(sh 'rs.conf().members.length')
expect rs.add-members "$out" "^3$"
old=$(sh 'print(db.hello().primary)')
expect hello.primary "$old" "^127.0.0.1:[0-9]*$"
out=$(sh 'rs.stepDown(30)' 2>&1 || true)
expect rs.stepDown "$out" "ok: 1"
# The stepped-down member stays SECONDARY (30 s) while the other data member takes over.
out=$(sh "let p = null;
  for (let i = 0; i < 150 && !(p && p !== '$old'); i++) { sleep(200); p = db.hello().primary; }
  print('new primary ' + p);
  print('old primary ' + rs.status().members.find(m => m.name === '$old').stateStr)")
expect rs.stepDown-handover "$out" "^new primary 127.0.0.1:" "^old primary SECONDARY$"
grep -q "new primary $old" <<<"$out" && { echo "FAIL: $old is still primary"; exit 1; }
echo "MONGOSH FLOW OK"
