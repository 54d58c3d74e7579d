#!/usr/bin/env bash
# Tab completion latency in the REPL (a pseudo-terminal) against an rsh-sandbox member with
# many collections: the time from Tab to the completed name on screen, when the names are
# fetched (an entry ran since the last Tab), cached (Tab again), and with the member stopped
# (SIGSTOP) or killed. Prints medians next to the target (Tab answers within 1 s whatever the
# server does). No assertion: figures only.
# Usage: scripts/bench_complete.sh [runs] (default 10). RSH_BIN / RSH_SANDBOX_BIN use given
# binaries instead of building release ones.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
if [ -z "${RSH_BIN:-}" ] || [ -z "${RSH_SANDBOX_BIN:-}" ]; then
    cargo build --release --quiet --bin rsh --bin rsh-sandbox
fi
rsh="${RSH_BIN:-$PWD/target/release/rsh}"
sandbox="${RSH_SANDBOX_BIN:-$PWD/target/release/rsh-sandbox}"

python3 - "$rsh" "$sandbox" "$runs" <<'PY'
import os, pty, select, signal, socket, statistics, subprocess, sys, tempfile, time

rsh, sandbox, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
tmp = tempfile.mkdtemp(prefix="rsh-bench-complete-")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

port = free_port()
server = subprocess.Popen([sandbox, "--port", str(port), "--bind_ip", "127.0.0.1",
                           "--dbpath", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline:
                sys.exit("the sandbox did not start")
            time.sleep(0.1)
    host = f"127.0.0.1:{port}/bench"
    setup = "for (var i = 0; i < 300; i++) { db.getCollection('c' + i).insertOne({}); } " \
            "db.zebra.insertOne({})"
    subprocess.run([rsh, "--quiet", "--norc", host, "--eval", setup], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, HOME=tmp))

    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm", HOME=tmp)
        os.execv(rsh, [rsh, "--quiet", "--norc", host])

    buf = b""
    def wait_for(needle, limit=30.0):
        global buf
        end = time.time() + limit
        while needle not in buf:
            left = end - time.time()
            if left <= 0:
                sys.exit(f"timed out waiting for {needle!r}; got {buf[-300:]!r}")
            r, _, _ = select.select([fd], [], [], left)
            if r:
                buf += os.read(fd, 65536)
        i = buf.index(needle) + len(needle)
        buf = buf[i:]

    def tab_ms():
        global buf
        buf = b""
        start = time.perf_counter()
        os.write(fd, b"db.zeb\t")
        wait_for(b"zebra")
        ms = (time.perf_counter() - start) * 1000
        os.write(fd, b"\x15")
        return ms

    def entry():
        os.write(fd, b"1\r")
        wait_for(b"> ")

    wait_for(b"> ")
    fetched, cached = [], []
    for _ in range(runs):
        entry()
        fetched.append(tab_ms())
        cached.append(tab_ms())
    server.send_signal(signal.SIGSTOP)
    stopped = []
    for _ in range(runs):
        entry()
        time.sleep(5.1)  # past the rest after a failed fetch: every Tab asks again
        stopped.append(tab_ms())
    server.send_signal(signal.SIGKILL)
    killed = []
    for _ in range(runs):
        entry()
        time.sleep(5.1)
        killed.append(tab_ms())
    os.write(fd, b"exit\r")

    med = statistics.median
    print(f"Tab on `db.zeb` with 301 collections, {runs} runs each ({rsh})")
    print(f"  names fetched:  median {med(fetched):7.1f} ms (max {max(fetched):.1f})")
    print(f"  names cached:   median {med(cached):7.1f} ms (max {max(cached):.1f})")
    print(f"  member stopped: median {med(stopped):7.1f} ms (max {max(stopped):.1f})   target <= 1000 ms")
    print(f"  member killed:  median {med(killed):7.1f} ms (max {max(killed):.1f})   target <= 1000 ms")
finally:
    server.kill()
PY
