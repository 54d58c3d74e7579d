#!/usr/bin/env python3
"""pymongo against rsh-sandbox: a real client must not tell it from mongod.

Usage: pymongo_flow.py SANDBOX_BINARY WORKDIR
Starts three members on free loopback ports, initiates them over a direct connection (fast
settings), discovers the set from one seed, writes with w:majority, SIGKILLs the primary, sees the
driver's reconnect error on the very next write and then a write succeed on the new primary within
electionTimeout + 2 s, restarts the killed member and sees it rejoin as SECONDARY with every
acknowledged write, tags the members by reconfig and reads from the tagged secondary.
Exits non-zero on the first failed expectation; always kills the members it started.
"""
import os
import socket
import subprocess
import sys
import time

import pymongo
from pymongo import MongoClient
from pymongo.errors import AutoReconnect, ConnectionFailure, PyMongoError
from pymongo.read_preferences import Secondary
from pymongo.write_concern import WriteConcern

ELECTION_TIMEOUT_MS = 1500
DEADLINE_S = 30


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Member:
    def __init__(self, binary, workdir, port):
        self.binary, self.port = binary, port
        self.dbpath = os.path.join(workdir, str(port))
        os.makedirs(self.dbpath, exist_ok=True)
        self.log = os.path.join(workdir, f"{port}.log")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind_ip", "127.0.0.1", "--replSet", "rs0",
             "--dbpath", self.dbpath, "--logpath", self.log, "--logappend"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: admin_command(self.port, "ping"), f"member {self.port} listening")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"


def direct(port):
    return MongoClient("127.0.0.1", port, directConnection=True, serverSelectionTimeoutMS=2000,
                       connectTimeoutMS=2000)


def admin_command(port, *cmd):
    """One command on a direct connection that is closed again."""
    with direct(port) as c:
        return c.admin.command(*cmd)


def flow_ids(port):
    """The _ids of test.flow on one member (a direct connection reads from a secondary too)."""
    with direct(port) as c:
        return sorted(d["_id"] for d in c.test.flow.find({}, {"_id": 1}))


def wait_for(fn, what, deadline_s=DEADLINE_S):
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        try:
            result = fn()
            if result:
                return result
        except PyMongoError as e:
            last = e
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r})")


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def main(binary, workdir):
    check(pymongo.version_tuple[:2] >= (4, 7), f"pymongo {pymongo.version} lacks serverMonitoringMode: need >= 4.7")
    members = [Member(binary, workdir, p) for p in free_ports(3)]
    try:
        for m in members:
            m.start()
        config = {"_id": "rs0", "version": 1,
                  "members": [{"_id": i, "host": m.host} for i, m in enumerate(members)],
                  "settings": {"heartbeatIntervalMillis": 300, "heartbeatTimeoutSecs": 2,
                               "electionTimeoutMillis": ELECTION_TIMEOUT_MS}}
        reply = admin_command(members[0].port, "replSetInitiate", config)
        check(reply.get("ok") == 1, f"replSetInitiate: {reply}")
        print("initiated over a direct connection to", members[0].host)

        # Polling monitors with a long interval: nothing but an operation can tell this client that the
        # primary died, so the first write after the kill must meet the dead socket (with the default
        # streaming monitor, the monitor's own connection sees the close first and the write just waits
        # in server selection). Server selection still asks the monitors for an immediate check
        # whenever no suitable server is known, so discovery and failover stay fast.
        client = MongoClient(f"mongodb://{members[0].host}/?replicaSet=rs0", serverSelectionTimeoutMS=30000,
                             retryWrites=False, serverMonitoringMode="poll", heartbeatFrequencyMS=60000)
        # client.primary only reads the topology; a command runs server selection, which waits for one.
        client.admin.command("ping")
        check(client.primary is not None, "no primary known after a primary-selecting command")
        wait_for(lambda: len(client.nodes) == 3, "discovery of all three members")
        check({f"{h}:{p}" for h, p in client.nodes} == {m.host for m in members}, f"nodes {client.nodes}")
        print("discovered", sorted(f"{h}:{p}" for h, p in client.nodes), "from the seed", members[0].host)

        coll = client.test.get_collection("flow", write_concern=WriteConcern("majority", wtimeout=20000))
        acked = [{"_id": i, "v": i} for i in range(20)]
        coll.insert_many(acked)
        # Acknowledged with w:majority means a majority (2 of 3) holds the writes already: at least
        # one secondary must have all of them right now, without waiting.
        acked_ids = sorted(d["_id"] for d in acked)
        holders = [m.host for m in members
                   if ("127.0.0.1", m.port) != client.primary and flow_ids(m.port) == acked_ids]
        check(holders, "w:majority was acknowledged before any secondary held the writes")
        print("w:majority insert acknowledged; held by the secondary", holders[0])

        old_primary = client.primary
        primary = next(m for m in members if ("127.0.0.1", m.port) == old_primary)
        primary.kill()
        killed_at = time.monotonic()
        print("killed primary", primary.host)
        check(client.primary == old_primary, "the client noticed the kill before any operation")
        first_error = None
        recovered = None
        while time.monotonic() - killed_at < DEADLINE_S:
            try:
                coll.insert_one({"_id": 100, "after": "failover"})
                recovered = time.monotonic() - killed_at
                break
            except (AutoReconnect, ConnectionFailure) as e:
                if first_error is None:
                    first_error = e
                    print("driver error after the kill:", type(e).__name__, "-", str(e)[:120])
                time.sleep(0.1)
        check(first_error is not None, "no reconnect error was seen after killing the primary")
        check(recovered is not None, "no write succeeded on a new primary")
        check(client.primary is not None and client.primary != old_primary,
              f"write acknowledged by {client.primary}, the killed primary was {old_primary}")
        print(f"write succeeded on the new primary {client.primary[0]}:{client.primary[1]} after {recovered:.2f} s "
              f"(electionTimeout {ELECTION_TIMEOUT_MS} ms)")
        check(recovered <= ELECTION_TIMEOUT_MS / 1000 + 2,
              f"failover took {recovered:.2f} s, more than electionTimeout + 2 s")
        acked.append({"_id": 100, "after": "failover"})

        primary.start()

        def rejoined():
            hello = admin_command(primary.port, "hello")
            return hello.get("secondary") and hello.get("setName") == "rs0"
        wait_for(rejoined, "the restarted member to be SECONDARY")
        acked_ids = sorted(d["_id"] for d in acked)
        wait_for(lambda: flow_ids(primary.port) == acked_ids, "every acknowledged write on the rejoined member")
        print("restarted member is SECONDARY with all", len(acked), "documents")

        # Tag the rejoined member dc:sf and the others dc:ny by reconfig, then read with that tag set:
        # only the rejoined member may serve the read.
        cfg = client.admin.command("replSetGetConfig")["config"]
        cfg["version"] += 1
        for mc in cfg["members"]:
            mc["tags"] = {"dc": "sf" if mc["host"] == primary.host else "ny"}
        reply = client.admin.command("replSetReconfig", cfg)
        check(reply.get("ok") == 1, f"replSetReconfig: {reply}")
        print("reconfig to version", cfg["version"], "set the tags")

        sf = client.test.get_collection("flow", read_preference=Secondary(tag_sets=[{"dc": "sf"}]))
        cursor = sf.find({"_id": 100})
        docs = list(cursor)
        check(docs == [{"_id": 100, "after": "failover"}], f"tagged read returned {docs}")
        addr = f"{cursor.address[0]}:{cursor.address[1]}"
        check(addr == primary.host, f"tagged read went to {addr}, not the dc:sf member {primary.host}")
        print("secondary read with tag set dc:sf served by", addr)
        client.close()
        print("PYMONGO FLOW OK")
        return 0
    finally:
        for m in members:
            m.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
