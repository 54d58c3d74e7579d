"""The simulator's own figures (used by bench.py): resident memory of each member after loading
n small documents into a 3-member set at default settings, and the failover time (SIGKILL of the
primary until another member reports itself writable primary) with the default election timeout.
Figures only: nothing here asserts a timing."""
import os
import re
import signal
import subprocess
import time


def member_pids(cluster):
    """{port: (pid, state)} from the cluster's start-up summary."""
    cluster.log.flush()
    with open(cluster.log.name) as f:
        text = f.read()
    out = {}
    for port, state, pid in re.findall(r"member \d+: 127\.0\.0\.1:(\d+) (\S+).*? pid (\d+)", text):
        out[int(port)] = (int(pid), state)
    return out


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def is_primary(rsh, port):
    try:
        r = subprocess.run([rsh, "--quiet", f"127.0.0.1:{port}", "--eval",
                            "print(db.hello().isWritablePrimary)"],
                           capture_output=True, timeout=5)
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0 and r.stdout.strip().endswith(b"true")


def run(sandbox, rsh, n, cluster_cls, seed):
    """Returns [(label, value string)]."""
    rows = []
    cluster = cluster_cls(sandbox)
    try:
        pids = member_pids(cluster)
        t0 = time.perf_counter()
        seed(rsh, cluster.uri, "mem", n)
        load = time.perf_counter() - t0
        time.sleep(3)  # secondaries finish applying
        rss = {port: rss_mib(pid) for port, (pid, _) in pids.items()}
        label = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
        rows.append((f"load {label} small docs (rsh insertMany 1000s)", f"{load:.1f} s"))
        for port, mib in sorted(rss.items()):
            rows.append((f"member :{port} RSS after {label} docs", f"{mib or 0:.1f} MiB"))
        primary = next((p for p in pids if is_primary(rsh, p)), None)
        if primary is None:
            rows.append(("failover (default settings)", "n/a: no primary"))
            return rows
        os.kill(pids[primary][0], signal.SIGKILL)
        t0 = time.perf_counter()
        others = [p for p in pids if p != primary]
        took = None
        while time.perf_counter() - t0 < 120:
            if any(is_primary(rsh, p) for p in others):
                took = time.perf_counter() - t0
                break
            time.sleep(0.1)
        rows.append(("failover: SIGKILL primary → new primary (default settings)",
                     f"{took:.1f} s" if took is not None else "none within 120 s"))
    finally:
        cluster.stop()
    return rows
