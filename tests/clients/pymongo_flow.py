#!/usr/bin/env python3
"""pymongo against rsh-sandbox (issue 3, first bullet of "Done when").

Usage: pymongo_flow.py SANDBOX_BINARY WORKDIR
Starts three members on free loopback ports, initiates them over a direct connection, discovers
the set from one seed, writes with w:majority, SIGKILLs the primary, sees the driver's error and
then a write succeed on the new primary, restarts the killed member and sees it rejoin as
SECONDARY with every acknowledged write, and reads from a secondary chosen by tag set.
Exits non-zero on the first failed expectation; always kills the members it started.
"""
import os
import socket
import subprocess
import sys
import time

from pymongo import MongoClient, ReadPreference
from pymongo.errors import AutoReconnect, ConnectionFailure, PyMongoError
from pymongo.read_preferences import Secondary
from pymongo.write_concern import WriteConcern

ELECTION_TIMEOUT_MS = 1500
DEADLINE_S = 60


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
        wait_for(lambda: direct(self.port).admin.command("ping"), f"member {self.port} listening")

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
    members = [Member(binary, workdir, p) for p in free_ports(3)]
    try:
        for m in members:
            m.start()
        tags = [{"dc": "ny"}, {"dc": "sf"}, {"dc": "sf"}]
        config = {"_id": "rs0", "version": 1,
                  "members": [{"_id": i, "host": m.host, "tags": tags[i]} for i, m in enumerate(members)],
                  "settings": {"heartbeatIntervalMillis": 300, "heartbeatTimeoutSecs": 2,
                               "electionTimeoutMillis": ELECTION_TIMEOUT_MS}}
        reply = direct(members[0].port).admin.command("replSetInitiate", config)
        check(reply.get("ok") == 1, f"replSetInitiate: {reply}")

        client = MongoClient(f"mongodb://{members[0].host}/?replicaSet=rs0", serverSelectionTimeoutMS=30000,
                             retryWrites=False, heartbeatFrequencyMS=500)
        wait_for(lambda: client.primary, "a primary")
        wait_for(lambda: len(client.nodes) == 3, "discovery of all three members")
        check({f"{h}:{p}" for h, p in client.nodes} == {m.host for m in members}, f"nodes {client.nodes}")
        print("discovered", sorted(client.nodes))

        coll = client.test.get_collection("flow", write_concern=WriteConcern("majority", wtimeout=20000))
        acked = [{"_id": i, "v": i} for i in range(20)]
        coll.insert_many(acked)
        print("w:majority insert acknowledged")

        primary = next(m for m in members if (f"127.0.0.1", m.port) == client.primary)
        primary.kill()
        killed_at = time.monotonic()
        print("killed primary", primary.host)
        saw_error = False
        recovered = None
        while time.monotonic() - killed_at < DEADLINE_S:
            try:
                coll.insert_one({"_id": 100, "after": "failover"})
                recovered = time.monotonic() - killed_at
                break
            except (AutoReconnect, ConnectionFailure, PyMongoError) as e:
                if not saw_error:
                    print("driver error after the kill:", type(e).__name__)
                saw_error = True
                time.sleep(0.1)
        check(saw_error, "no error was seen after killing the primary")
        check(recovered is not None, "no write succeeded on a new primary")
        print(f"write succeeded on the new primary {client.primary} after {recovered:.2f} s "
              f"(electionTimeout {ELECTION_TIMEOUT_MS} ms)")
        acked.append({"_id": 100, "after": "failover"})

        primary.start()

        def rejoined():
            hello = direct(primary.port).admin.command("hello")
            return hello.get("secondary") and hello.get("setName") == "rs0"
        wait_for(rejoined, "the restarted member to be SECONDARY")
        restarted = direct(primary.port).test.get_collection(
            "flow", read_preference=ReadPreference.SECONDARY_PREFERRED)
        wait_for(lambda: restarted.count_documents({}) == len(acked), "every acknowledged write on the rejoined member")
        check(sorted(d["_id"] for d in restarted.find()) == sorted(d["_id"] for d in acked), "documents differ")
        print("restarted member is SECONDARY with all", len(acked), "documents")

        sf = client.test.get_collection("flow", read_preference=Secondary(tag_sets=[{"dc": "sf"}]))
        wait_for(lambda: sf.find_one({"_id": 0}) is not None, "a tagged secondary read")
        cursor = sf.find({"_id": 0})
        list(cursor)
        addr = f"{cursor.address[0]}:{cursor.address[1]}"
        sf_hosts = {m.host for i, m in enumerate(members) if tags[i]["dc"] == "sf"}
        check(addr in sf_hosts, f"tagged read went to {addr}, not one of {sf_hosts}")
        check((cursor.address[0], cursor.address[1]) != client.primary, "tagged read went to the primary")
        print("secondary read with tag set dc:sf served by", addr)
        client.close()
        print("PYMONGO FLOW OK")
        return 0
    finally:
        for m in members:
            m.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
