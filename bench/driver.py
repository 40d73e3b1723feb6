#!/usr/bin/env python3
"""Warren vs Burrow on identical input, in one run (see bench/README.md).

For each scale: start a standalone mock broker (`warren dev-broker`), write deterministic data
and offset commits in Kafka's record format (`warren dev-load`), then run Burrow 1.2.1 and
Warren in turn with equivalent settings, both reading __consumer_offsets from the beginning.
For each tool: time from process start until its HTTP API shows the final offset of every
partition of every group, CPU seconds and peak RSS at that moment, then (first scale) wrk
against the status endpoint of one 100-partition group. Answers are compared partition by
partition. A sustained scale runs both tools side by side on a live commit stream and samples
RSS every second. Then the static scales run again on Apache Kafka (real_kafka.py), with a bare
reader of the offsets topic as the floor. Results go to BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# cargo's target directory: CARGO_TARGET_DIR (relative to the workspace root) or target/.
WARREN = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"), "release", "warren")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def proc_stats(pid):
    """(cpu seconds, peak RSS MiB, current RSS MiB) of a live process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    hwm = rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return cpu, hwm, rss


def offsets_partition(group, partitions):
    """Kafka's partition for a group (as warren_core::codec::offsets_partition): Java's
    String.hashCode, then Utils.abs (the absolute value, 0 for the minimum), modulo."""
    h = 0
    for ch in group:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    if h >= 1 << 31:
        h -= 1 << 32
    return (0 if h == -(1 << 31) else abs(h)) % partitions


def expected_offset(group, index, round_, rounds, records):
    """Same function as warren dev-load's `offset` (host/daemon/src/dev/load.rs)."""
    progress = records * (round_ + 1) // rounds
    return max(progress - (group + index) % 10, 0)


class Scale:
    def __init__(self, name, topics, partitions, records, groups, rounds, offsets_partitions=16):
        self.name, self.topics, self.partitions = name, topics, partitions
        self.records, self.groups, self.rounds = records, groups, rounds
        # The mock broker keeps at most 100,000 records (5 MiB) per partition and drops the
        # oldest beyond that: larger inputs need more offsets-topic partitions.
        self.offsets_partitions = offsets_partitions

    @property
    def commits(self):
        return self.groups * self.topics * self.partitions * self.rounds

    @property
    def windows(self):
        return self.groups * self.topics * self.partitions

    def final(self, g, t, p):
        return expected_offset(g, t * self.partitions + p, self.rounds - 1, self.rounds, self.records)

    def load_args(self, bootstrap, extra=()):
        return [WARREN, "dev-load", "--bootstrap", bootstrap, "--topics", str(self.topics),
                "--partitions", str(self.partitions), "--records", str(self.records),
                "--groups", str(self.groups), "--rounds", str(self.rounds),
                "--offsets-partitions", str(self.offsets_partitions), *extra]


class ZooKeeper:
    def __init__(self, work):
        self.dir = os.path.join(work, "zk")
        os.makedirs(os.path.join(self.dir, "data"))
        self.port = free_port()
        with open(os.path.join(self.dir, "zoo.cfg"), "w") as f:
            f.write(f"tickTime=2000\ndataDir={self.dir}/data\nclientPort={self.port}\n"
                    "clientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=srvr\n")
        self.proc = subprocess.Popen(
            ["java", "-Xmx128m", "-cp", "/usr/share/java/zookeeper.jar:/usr/share/java/*",
             "org.apache.zookeeper.server.ZooKeeperServerMain", os.path.join(self.dir, "zoo.cfg")],
            stdout=open(os.path.join(self.dir, "zk.log"), "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1) as s:
                    # `ruok` answers before the server takes sessions; on a busy machine
                    # Burrow's first connect then fails ("zk: could not connect to a server").
                    s.sendall(b"srvr")
                    if s.recv(64).startswith(b"Zookeeper version"):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("ZooKeeper did not start; see " + self.dir)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Broker:
    def __init__(self, scale, work):
        topics = [f"t{t}:{scale.partitions}" for t in range(scale.topics)] + [f"__consumer_offsets:{scale.offsets_partitions}"]
        self.proc = subprocess.Popen([WARREN, "dev-broker", *topics], stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(work, "broker.log"), "w"), text=True)
        self.bootstrap = self.proc.stdout.readline().strip()
        if not self.bootstrap:
            raise RuntimeError("dev-broker printed no address")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def burrow_config(work, bootstrap, zk_port, http_port, min_distance=1):
    d = os.path.join(work, "burrow")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "burrow.toml"), "w") as f:
        f.write(f"""[general]
pidfile="burrow.pid"
[logging]
level="warn"
[zookeeper]
servers=["127.0.0.1:{zk_port}"]
timeout=6
root-path="/burrow"
[client-profile.local]
client-id="burrow-local"
kafka-version="2.1.0"
[cluster.local]
class-name="kafka"
servers=["{bootstrap}"]
client-profile="local"
topic-refresh=10
offset-refresh=5
[consumer.local]
class-name="kafka"
cluster="local"
servers=["{bootstrap}"]
client-profile="local"
offsets-topic="__consumer_offsets"
start-latest=false
group-blacklist=""
group-whitelist=""
[httpserver.default]
address="127.0.0.1:{http_port}"
[storage.default]
class-name="inmemory"
workers=20
intervals=10
expire-group=604800
min-distance={min_distance}
[evaluator.default]
class-name="caching"
expire-cache=10
""")
    return d


def warren_config(work, bootstrap, http_port, min_distance=1):
    path = os.path.join(work, "warren.toml")
    with open(path, "w") as f:
        f.write(f"""[logging]
level = "warn"
[cluster.local]
servers = ["{bootstrap}"]
topic-refresh = 10
offset-refresh = 5
[consumer.local]
class-name = "kafka"
cluster = "local"
offsets-topic = "__consumer_offsets"
start-latest = false
[storage.default]
intervals = 10
expire-group = 604800
min-distance = {min_distance}
[evaluator.default]
expire-cache = 10
[httpserver.default]
address = "127.0.0.1:{http_port}"
""")
    return path


class Tool:
    """Burrow or Warren with the settings above, plus `extra` config for Warren, optionally
    pinned to one CPU or started under `wrap` (a profiler's command)."""

    def __init__(self, name, scale, work, bootstrap, zk_port, extra="", cpu=None, min_distance=1, wrap=()):
        self.name, self.scale = name, scale
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = open(os.path.join(work, f"{name}.log"), "w")
        pinned = [*(["taskset", "-c", str(cpu)] if cpu is not None else []), *wrap]
        if name == "burrow":
            d = burrow_config(work, bootstrap, zk_port, self.port, min_distance)
            pid = os.path.join(d, "burrow.pid")
            if os.path.exists(pid):
                os.remove(pid)
            self.started = time.time()
            self.proc = subprocess.Popen([*pinned, "Burrow", "-config-dir", "."], cwd=d, stdout=log,
                                         stderr=subprocess.STDOUT)
        else:
            cfg = warren_config(work, bootstrap, self.port, min_distance)
            with open(cfg, "a") as f:
                f.write(extra)
            self.started = time.time()
            self.proc = subprocess.Popen([*pinned, WARREN, "run", "--config", cfg], stdout=log, stderr=subprocess.STDOUT)

    def lag(self, group):
        return get_json(f"{self.base}/v3/kafka/local/consumer/{group}/lag")["status"]

    def group_complete(self, g):
        """Every partition of group g shows the final offset."""
        try:
            status = self.lag(f"group-{g:04d}")
        except Exception:
            return None
        ends = {(p["topic"], p["partition"]): (p.get("end") or {}).get("offset") for p in status.get("partitions", [])}
        s = self.scale
        for t in range(s.topics):
            for p in range(s.partitions):
                if ends.get((f"t{t}", p)) != s.final(g, t, p):
                    return None
        return status

    def sentinels(self):
        """One group per offsets-topic partition: the one whose final commit is written last
        there. Each partition is read in order, so once these show their final offsets every
        group does, and completion is timed without polling a thousand large answers."""
        last = {}
        for g in range(self.scale.groups):
            last[offsets_partition(f"group-{g:04d}", self.scale.offsets_partitions)] = g
        return sorted(last.values())

    def stored_complete(self, g):
        """Every partition of group g has its final commit in storage (the consumer detail
        endpoint reads storage directly; /lag answers may be up to expire-cache old)."""
        try:
            topics = get_json(f"{self.base}/v3/kafka/local/consumer/group-{g:04d}")["topics"]
        except Exception:
            return False
        s = self.scale
        for t in range(s.topics):
            parts = topics.get(f"t{t}") or []
            if len(parts) < s.partitions:
                return False
            for p in range(s.partitions):
                newest = [o for o in parts[p]["offsets"] if o]
                if not newest or newest[-1]["offset"] != s.final(g, t, p):
                    return False
        return True

    def wait_stored(self, groups, deadline):
        pending = list(groups)
        while pending and time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early ({self.proc.returncode})")
            pending = [g for g in pending if not self.stored_complete(g)]
            if pending:
                time.sleep(0.05)
        if pending:
            raise RuntimeError(f"{self.name}: {len(pending)} groups incomplete")

    def wait_groups(self, groups, deadline):
        pending, answers = list(groups), {}
        while pending and time.time() < deadline:
            still = []
            for i, g in enumerate(pending):
                status = self.group_complete(g)
                if status is None:
                    still = pending[i:]
                    break
                answers[g] = summarise(status)
            pending = still
            if pending:
                time.sleep(0.5)
        if pending:
            raise RuntimeError(f"{self.name}: {len(pending)} groups incomplete")
        return answers

    def wait_ingested(self, timeout=1800):
        """Seconds from start until every sentinel group shows its final offsets."""
        self.wait_stored(self.sentinels(), time.time() + timeout)
        return time.time() - self.started

    def wait_complete(self, timeout):
        """(seconds to complete, CPU s and peak RSS MiB at that moment, every group's answer)."""
        deadline = time.time() + timeout
        elapsed = self.wait_ingested(timeout)
        cpu, hwm, _ = proc_stats(self.proc.pid)
        answers = self.wait_groups(range(self.scale.groups), deadline)
        return elapsed, cpu, hwm, answers

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def summarise(status):
    parts = {(p["topic"], p["partition"]): (p["end"]["offset"] if p.get("end") else None, p["current_lag"], p["status"])
             for p in status["partitions"]}
    return {"status": status["status"], "totallag": status["totallag"], "partitions": parts}


def wrk(url, seconds=10):
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", url], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def compare(burrow, warren):
    lag_diff, status_diff = [], {}
    for g, b in burrow.items():
        w = warren[g]
        for key, (b_end, b_lag, b_status) in b["partitions"].items():
            w_end, w_lag, w_status = w["partitions"].get(key, (None, None, None))
            if (b_end, b_lag) != (w_end, w_lag):
                lag_diff.append((g, key, (b_end, b_lag), (w_end, w_lag)))
            if b_status != w_status:
                status_diff[(b_status, w_status)] = status_diff.get((b_status, w_status), 0) + 1
    group_status = sum(1 for g in burrow if burrow[g]["status"] != warren[g]["status"])
    return lag_diff, status_diff, group_status


def run_static(scale, work, zk, results, with_wrk):
    print(f"== {scale.name}: {scale.groups} groups x {scale.topics * scale.partitions} partitions x {scale.rounds} rounds", flush=True)
    broker = Broker(scale, work)
    try:
        t0 = time.time()
        subprocess.run(scale.load_args(broker.bootstrap), check=True, stdout=subprocess.DEVNULL)
        print(f"   input written in {time.time() - t0:.1f}s", flush=True)
        row = {"scale": scale}
        answers = {}
        for name in ("burrow", "warren"):
            tool = Tool(name, scale, work, broker.bootstrap, zk.port)
            try:
                elapsed, cpu, hwm, answers[name] = tool.wait_complete(timeout=1800)
                row[name] = {"time": elapsed, "cpu": cpu, "rss": hwm}
                print(f"   {name}: complete in {elapsed:.2f}s, {cpu:.2f} CPU-s, peak RSS {hwm:.0f} MiB", flush=True)
                if with_wrk:
                    rps, p99 = wrk(f"{tool.base}/v3/kafka/local/consumer/group-0000/status")
                    ceiling, _ = wrk(f"{tool.base}/burrow/admin")
                    row[name].update(rps=rps, p99=p99, ceiling=ceiling)
                    print(f"   {name}: status endpoint {rps:.0f} req/s, p99 {p99:.2f} ms; /burrow/admin {ceiling:.0f} req/s", flush=True)
            finally:
                tool.stop()
        row["compare"] = compare(answers["burrow"], answers["warren"])
        results.append(row)
    finally:
        broker.stop()


def run_sustained(scale, rate, seconds, work, zk):
    print(f"== sustained: {rate} commits/s for {seconds}s over {scale.windows} windows", flush=True)
    broker = Broker(scale, work)
    samples = {"burrow": [], "warren": []}
    try:
        subprocess.run(scale.load_args(broker.bootstrap), check=True, stdout=subprocess.DEVNULL)
        tools = {n: Tool(n, scale, work, broker.bootstrap, zk.port) for n in ("burrow", "warren")}
        try:
            for t in tools.values():
                t.wait_complete(timeout=600)
            load = subprocess.Popen(scale.load_args(broker.bootstrap, ["--skip-data", "--rate", str(rate), "--duration", str(seconds)]),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            start = time.time()
            cpu0 = {n: proc_stats(t.proc.pid)[0] for n, t in tools.items()}
            while load.poll() is None:
                for n, t in tools.items():
                    samples[n].append(proc_stats(t.proc.pid)[2])
                time.sleep(1)
            elapsed = time.time() - start
            cpu = {n: proc_stats(t.proc.pid)[0] - cpu0[n] for n, t in tools.items()}
        finally:
            for t in tools.values():
                t.stop()
    finally:
        broker.stop()
    return samples, cpu, elapsed


def versions():
    burrow = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "burrow"], capture_output=True, text=True).stdout.strip()
    warren = subprocess.run([WARREN, "--version"], capture_output=True, text=True).stdout.strip()
    return burrow, warren


def fmt_ratio(a, b, higher_is_better=False):
    if not a or not b:
        return "n/a"
    return f"{(a / b) if higher_is_better else (b / a):.1f}x"


def write_kafka_section(rows, path):
    """Replaces the real-broker section (the file's last) of an existing report."""
    import real_kafka
    with open(path) as f:
        text = f.read()
    at = text.find(real_kafka.MARKER)
    head = text[:at].rstrip("\n") if at >= 0 else text.rstrip("\n")
    section = real_kafka.section(rows, alone=True)
    with open(path, "w") as f:
        f.write(head + "\n\n" + "\n".join(section) + "\n")
    print("\n".join(section))


def write_report(results, sustained, path, kafka_rows=()):
    burrow_v, warren_v = versions()
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# Benchmarks: Warren vs Burrow",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores ({cpu_model}), "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, {platform.platform()}.",
        f"Burrow {burrow_v} (Debian) and {warren_v}, same broker (librdkafka's mock cluster via `warren dev-broker`), "
        "same input (`warren dev-load`: commits in Kafka's record format, value v3 and v1), same settings "
        "(intervals 10, min-distance 1 s, offset-refresh 5 s, topic-refresh 10 s, both reading __consumer_offsets "
        "from the beginning). Reproduce with `bench/run`.",
        "",
        "Time to complete = from process start until the HTTP API shows the final committed offset of every partition "
        "of every group in its storage (consumer detail endpoint, polled every 50 ms for one sentinel group per "
        "offsets-topic partition, whose final commit is the last record there; every group's /lag answer is verified "
        "afterwards). CPU and peak RSS are read from /proc at that moment. "
        "wrk runs on the same two cores as the server; `/burrow/admin` (a constant string) shows the client's ceiling.",
        "",
        "| scale | commits | tool | time to complete | CPU s | peak RSS | status req/s | status p99 | /burrow/admin req/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r["scale"]
        label = f"{s.name}: {s.groups} groups x {s.topics * s.partitions} partitions x {s.rounds} rounds"
        for n in ("burrow", "warren"):
            x = r[n]
            rps = f"{x['rps']:.0f}" if "rps" in x else ""
            p99 = f"{x['p99']:.2f} ms" if "p99" in x else ""
            ceiling = f"{x['ceiling']:.0f}" if "ceiling" in x else ""
            lines.append(f"| {label} | {s.commits:,} | {n} | {x['time']:.2f} s | {x['cpu']:.2f} | {x['rss']:.0f} MiB | {rps} | {p99} | {ceiling} |")
        b, w = r["burrow"], r["warren"]
        ratios = [f"time {fmt_ratio(w['time'], b['time'])} faster", f"CPU {fmt_ratio(w['cpu'], b['cpu'])} less",
                  f"RSS {fmt_ratio(w['rss'], b['rss'])} less"]
        if "rps" in w:
            ratios.append(f"req/s {fmt_ratio(w['rps'], b['rps'], True)}")
        lines.append(f"| {label} | | **Warren/Burrow** | {' · '.join(ratios)} | | | | | |")
    lines += ["", "## Do both report the same thing?", ""]
    for r in results:
        s = r["scale"]
        lag_diff, status_diff, group_status = r["compare"]
        lines.append(f"- {s.name}: {s.windows:,} partitions compared; end offset and current lag differ on "
                     f"{len(lag_diff)}; partition status differs on {sum(status_diff.values())} "
                     f"({', '.join(f'Burrow {a} vs Warren {b}: {n}' for (a, b), n in status_diff.items()) or 'none'}); "
                     f"group status differs on {group_status} groups.")
        for d in lag_diff[:5]:
            lines.append(f"  - example lag difference: {d}")
    if sustained:
        samples, cpu, elapsed, rate, scale = sustained
        lines += ["", f"## Sustained load: {rate:,} commits/s for {elapsed:.0f} s over {scale.windows:,} windows, both tools side by side", "",
                  "| tool | RSS at start | RSS at end | max RSS | RSS slope (last 80 % of the run) | CPU s during the run |", "|---|---|---|---|---|---|"]
        for n in ("burrow", "warren"):
            xs = samples[n]
            tail = xs[len(xs) // 5:] or xs
            slope = (tail[-1] - tail[0]) / max(len(tail) - 1, 1) * 60 if tail else 0
            lines.append(f"| {n} | {xs[0]:.0f} MiB | {xs[-1]:.0f} MiB | {max(xs):.0f} MiB | {slope:+.2f} MiB/min | {cpu[n]:.1f} |")
    if kafka_rows:
        import real_kafka
        lines += [""] + real_kafka.section(kafka_rows)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small scales only (a smoke test of the driver)")
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--sustain", type=int, default=300)
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--kafka-only", action="store_true",
                    help="only the real-Kafka rows; replaces that section of --out, keeps the rest")
    ap.add_argument("--floor", action="store_true",
                    help="only the performance targets (bench/floor.py); replaces that section of --out")
    ap.add_argument("--ten-million", action="store_true", help="with --floor: the memory row at 10M windows too")
    ap.add_argument("--idle-seconds", type=int, default=120, help="with --floor: how long idle CPU is measured")
    ap.add_argument("--no-burrow", action="store_true", help="with --floor: Warren and the floor only")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="warren-bench-")
    if args.floor:
        import floor
        try:
            floor.run(args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    zk = ZooKeeper(work)
    results = []
    try:
        if args.quick:
            scales = [Scale("recipe", 2, 10, 100, 10, 2)]
            big = []
            sustain_scale, rate, seconds = Scale("sustained", 2, 10, 100, 10, 1), 500, 10
            on_kafka = [(scales[0], "3.9.1")]
        else:
            scales = [Scale("recipe", 10, 10, 1000, 100, 8)]
            big = [Scale("1M windows", 10, 100, 1000, 1000, 3)]
            sustain_scale, rate, seconds = Scale("sustained", 10, 100, 1000, 100, 1), args.rate, args.sustain
            # Burrow 1.2.1 speaks to 3.9 but not to 4.x; 4.4.0 shows Warren and the floor there.
            # Burrow is given 60 s on 4.4.0; the larger scales run where it works.
            on_kafka = [(scales[0], "3.9.1"), (scales[0], "4.4.0"), (Scale("10x recipe", 10, 10, 1000, 1000, 8), "3.9.1"),
                        (big[0], "3.9.1")]
        import real_kafka
        if args.kafka_only:
            rows = [real_kafka.run_scale(s, v, work, zk) for s, v in on_kafka]
            write_kafka_section(rows, args.out)
            return
        for s in scales:
            run_static(s, work, zk, results, with_wrk=True)
        for s in big:
            run_static(s, work, zk, results, with_wrk=False)
        samples, cpu, elapsed = run_sustained(sustain_scale, rate, seconds, work, zk)
        rows = [real_kafka.run_scale(s, v, work, zk) for s, v in on_kafka]
        write_report(results, (samples, cpu, elapsed, rate, sustain_scale), args.out, rows)
    finally:
        zk.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
