#!/usr/bin/env python3
"""rsh against mongosh, side by side on one machine in one run.

Starts a sandbox replica set, seeds collections, then measures each scenario for rsh and for
mongosh (when installed): median wall time over N runs and peak RSS of the measured process
(os.wait4 gives the child's own rusage). Prints a table with the ratio mongosh / rsh.
Figures only: nothing here asserts a timing.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port_block(n):
    """A base port with n consecutive free loopback ports."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        ok = True
        for p in range(base, base + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free port block")


def run_once(argv, stdin=None, env=None, timeout=600):
    """Run argv; return (wall seconds, peak RSS MiB, exit code, stdout bytes)."""
    out = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=out, stderr=subprocess.STDOUT, env=env)
    if stdin is not None:
        p.stdin.write(stdin.encode())
        p.stdin.close()
    deadline = time.time() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.0005)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    return wall, ru.ru_maxrss / 1024.0, p.returncode, out.read()


def measure(argv, runs, env=None, label=""):
    walls, rss = [], []
    for _ in range(runs):
        w, m, rc, out = run_once(argv, env=env)
        if rc != 0:
            sys.stderr.write(f"  {label}: exit {rc}: {out[-400:].decode(errors='replace')}\n")
            return None
        walls.append(w)
        rss.append(m)
    return statistics.median(walls), max(rss)


def idle_rss(argv, env=None, settle=2.0):
    """Resident memory of an interactive session, connected and idle."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    time.sleep(settle)
    rss = None
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    p.kill()
    p.wait()
    return rss


class Cluster:
    # Default (production) timing, not --fast: a loaded 2-core machine inserting 1M documents
    # must not see spurious elections in the middle of a measurement.
    def __init__(self, sandbox, nodes=3):
        self.dir = tempfile.mkdtemp(prefix="rsh-bench-")
        self.base = free_port_block(nodes)
        self.log = open(os.path.join(self.dir, "cluster.log"), "w+")
        self.proc = subprocess.Popen(
            [sandbox, "cluster", "--nodes", str(nodes), "--base-port", str(self.base), "--initiate",
             "--dbpath-root", self.dir],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.uri = None
        deadline = time.time() + 90
        while time.time() < deadline:
            self.log.flush()
            with open(self.log.name) as f:
                m = re.search(r"mongodb://\S+", f.read())
            if m:
                self.uri = m.group(0)
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not self.uri:
            self.stop()
            with open(self.log.name) as f:
                raise RuntimeError("sandbox cluster did not start:\n" + f.read())

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except Exception:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except Exception:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def seed(rsh, uri, coll, n):
    """Insert n small documents with rsh itself (batches of 1000)."""
    js = (f"db.{coll}.drop(); for (var b = 0; b < {n}; b += 1000) {{ var a = [];"
          f" for (var i = b; i < Math.min(b + 1000, {n}); i++) a.push({{_id: i, x: i, s: 'abc'}});"
          f" db.{coll}.insertMany(a); }} print(db.{coll}.count());")
    w, m, rc, out = run_once([rsh, "--quiet", uri, "--eval", js], timeout=1200)
    if rc != 0:
        raise RuntimeError(f"seeding {coll} failed: {out[-500:]!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--mongosh", default=os.environ.get("RSH_MONGOSH") or
                    os.path.join(ROOT, ".tools/node_modules/.bin/mongosh"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--skip-1m", action="store_true", help="leave out the 1M-document growth run")
    ap.add_argument("--sandbox-only", action="store_true",
                    help="only the simulator's figures (member memory after loading, failover time)")
    ap.add_argument("--sandbox-1m", action="store_true",
                    help="load 1M documents for the simulator's memory figure (default 100k)")
    ap.add_argument("--sandbox-binary", help="rsh-sandbox to measure (e.g. an older build to compare)")
    ap.add_argument("--rsh-binary", help="rsh to measure and to seed with")
    args = ap.parse_args()

    if not args.no_build:
        subprocess.check_call(["cargo", "build", "--release", "--quiet", "--bin", "rsh", "--bin", "rsh-sandbox"],
                              cwd=ROOT)
    rsh = args.rsh_binary or os.path.join(ROOT, "target/release/rsh")
    sandbox = args.sandbox_binary or os.path.join(ROOT, "target/release/rsh-sandbox")
    mongosh = args.mongosh if os.access(args.mongosh, os.X_OK) else shutil.which("mongosh")
    env = dict(os.environ, MONGOSH_NO_UPDATE="1")
    rows = []

    def row(name, r, m, unit="s"):
        rows.append((name, r, m))

    sandbox_docs = 1_000_000 if args.sandbox_1m else 100_000
    if args.sandbox_only:
        import bench_sandbox
        for label, value in bench_sandbox.run(sandbox, rsh, sandbox_docs, Cluster, seed):
            print(f"{label:60} {value:>12}")
        return

    runs = args.runs
    print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}; runs per figure: {runs}")
    print(f"mongosh: {mongosh or 'not installed (npm install --prefix .tools mongosh@2)'}")

    row("startup --nodb --eval 1", measure([rsh, "--nodb", "--eval", "1"], runs, label="rsh"),
        mongosh and measure([mongosh, "--nodb", "--eval", "1"], runs, env=env, label="mongosh"))

    cluster = Cluster(sandbox)
    try:
        uri = cluster.uri
        print(f"sandbox set: {uri}")
        row("connect + rs.status()", measure([rsh, "--quiet", uri, "--eval", "rs.status()"], runs, label="rsh"),
            mongosh and measure([mongosh, "--quiet", uri, "--eval", "rs.status()"], runs, env=env,
                                label="mongosh"))
        sizes = [10_000, 100_000] + ([] if args.skip_1m else [1_000_000])
        seeded = []
        for n in sizes:
            try:
                seed(rsh, uri, f"c{n}", n)
                seeded.append(n)
            except RuntimeError as e:
                # Reported in the table rather than aborting the whole run.
                print(f"note: {n} documents could not be seeded: {str(e)[:300]}")
        sizes = seeded
        it = "var n = 0; db.{c}.find().forEach(function (d) {{ n += 1 }}); n"
        row("iterate 100k documents",
            measure([rsh, "--quiet", uri, "--eval", it.format(c="c100000")], runs, label="rsh"),
            mongosh and measure([mongosh, "--quiet", uri, "--eval", it.format(c="c100000")], runs, env=env,
                                label="mongosh"))
        pr = "db.c10000.find().toArray()"
        row("print 10k documents",
            measure([rsh, "--quiet", uri, "--eval", pr], runs, label="rsh"),
            mongosh and measure([mongosh, "--quiet", uri, "--eval", pr], runs, env=env, label="mongosh"))
        idle_r = idle_rss([rsh, "--quiet", uri])
        idle_m = mongosh and idle_rss([mongosh, "--quiet", uri], env=env, settle=4.0)
        growth = []
        for n in sizes:
            gruns = 3 if n >= 1_000_000 else max(3, runs // 2)
            g_r = measure([rsh, "--quiet", uri, "--eval", it.format(c=f"c{n}")], gruns, label="rsh")
            g_m = mongosh and measure([mongosh, "--quiet", uri, "--eval", it.format(c=f"c{n}")],
                                      gruns, env=env, label="mongosh")
            growth.append((n, g_r, g_m))
    finally:
        cluster.stop()

    def fmt(v):
        return "n/a" if not v else f"{v[0] * 1000:9.1f} ms {v[1]:7.1f} MiB"

    print()
    print(f"{'scenario':28} {'rsh':>22} {'mongosh':>22} {'time ratio':>11} {'RSS (rsh)':>10}")
    for name, r, m in rows:
        ratio = f"{m[0] / r[0]:9.1f}x" if r and m else "n/a"
        print(f"{name:28} {fmt(r):>22} {fmt(m):>22} {ratio:>11}")
    print(f"{'idle session RSS':28} {idle_r or 0:18.1f} MiB {idle_m or 0:18.1f} MiB "
          f"{(idle_m / idle_r) if idle_r and idle_m else 0:9.1f}x")
    print()
    print("growth (iterate n documents, median wall):")
    for n, r, m in growth:
        per = f"{r[0] / n * 1e6:.2f} us/doc" if r else "n/a"
        ratio = f"{m[0] / r[0]:.1f}x" if r and m else "n/a"
        print(f"  {n:>9}  rsh {fmt(r)}  ({per})   mongosh {fmt(m)}   ratio {ratio}")
    import bench_sandbox
    print()
    print("simulator (3 members, default settings):")
    for label, value in bench_sandbox.run(sandbox, rsh, sandbox_docs, Cluster, seed):
        print(f"  {label:60} {value:>12}")
    print()
    print("targets: startup >= 40x and <= 20 MiB; rs.status() >= 20x; iteration ratio >= 1; "
          "printing >= 2x; idle <= 25 MiB")


if __name__ == "__main__":
    main()
