"""The real-broker rows of BENCHMARKS.md (see bench/README.md).

The same scales as on the mock broker, on Apache Kafka started by `scripts/kafka up`. A real
broker refuses client appends to __consumer_offsets, so the input comes through Kafka's own
Java clients (`scripts/kafka tool bench-load`: dev-load's topics, records, groups and offsets,
committed with the Admin API). Per scale: the floor (`warren dev-read`, a bare librdkafka read
of the offsets topic to its end with Warren's reader settings), then Burrow and Warren as on
the mock broker, timed and compared by driver.py's code.
"""

import json
import os
import re
import shutil
import subprocess
import time

import driver

KAFKA = os.path.join(driver.ROOT, "scripts", "kafka")
MARKER = "## On Apache Kafka"
# Burrow 1.2.1 fails against Kafka 4 (see burrow_failure); this bounds how long it is given.
BURROW_FAIL_WAIT = 60


class Kafka:
    def __init__(self, version, work):
        self.dir = os.path.join(work, f"kafka-{version}")
        out = subprocess.run([KAFKA, "up", "--version", version, "--dir", self.dir, "--offsets-partitions", "16"],
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"Kafka {version} did not start: {out.stderr[-2000:]}")
        self.bootstrap = re.search(r"^BOOTSTRAP=(\S+)", out.stdout, re.M).group(1)

    def stop(self):
        subprocess.run([KAFKA, "down", "--dir", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def load(scale, bootstrap):
    """Seconds to write the scale's data and commits through the Java clients."""
    started = time.time()
    out = subprocess.run([KAFKA, "tool", "bench-load", bootstrap, str(scale.topics), str(scale.partitions),
                          str(scale.records), str(scale.groups), str(scale.rounds)], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"bench-load failed: {out.stderr[-2000:]}")
    return time.time() - started


def floor(bootstrap, runs=3):
    """The median of `runs` reads by `warren dev-read`: wall time from spawn to its report,
    CPU and peak RSS of the process (from wait4, so including its exit)."""
    results = []
    for _ in range(runs):
        started = time.time()
        p = subprocess.Popen([driver.WARREN, "dev-read", "--bootstrap", bootstrap], stdout=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        elapsed = time.time() - started
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode or "records=" not in line:
            raise RuntimeError(f"dev-read failed ({p.returncode}): {line!r}")
        fields = dict(kv.split("=") for kv in line.split())
        results.append({"time": elapsed, "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss / 1024,
                        "records": int(fields["records"]), "bytes": int(fields["bytes"])})
    results.sort(key=lambda r: r["time"])
    return results[len(results) // 2]


def burrow_failure(log_path):
    """What Burrow logged, one line per distinct (message, error) with a count."""
    seen = {}
    with open(log_path) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("level") not in ("warn", "error"):
                continue
            detail = ", ".join(f"{k}={e[k]}" for k in ("sarama_error", "error", "reason", "version") if k in e)
            key = f'{e["level"]}: "{e["msg"]}" {detail}'.strip()
            seen[key] = seen.get(key, 0) + 1
    return sorted(seen.items(), key=lambda kv: -kv[1])


def refusals(log_path):
    """The broker's UnsupportedVersionException lines (requests it refused), counted."""
    seen = {}
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                if "UnsupportedVersionException" in line:
                    text = line[line.index("UnsupportedVersionException"):].strip()
                    seen[text] = seen.get(text, 0) + 1
    except OSError:
        pass
    return sorted(seen.items(), key=lambda kv: -kv[1])


def run_scale(scale, version, work, zk):
    print(f"== Kafka {version}, {scale.name}: {scale.commits:,} commits", flush=True)
    kafka = Kafka(version, work)
    try:
        row = {"scale": scale, "version": version, "load": load(scale, kafka.bootstrap)}
        print(f"   input written through Java clients in {row['load']:.1f}s", flush=True)
        row["floor"] = floor(kafka.bootstrap)
        f = row["floor"]
        print(f"   floor: {f['records']:,} records read in {f['time']:.2f}s", flush=True)
        answers = {}
        for name in ("burrow", "warren"):
            tool = driver.Tool(name, scale, work, kafka.bootstrap, zk.port)
            try:
                timeout = BURROW_FAIL_WAIT if name == "burrow" and version.startswith("4.") else 600
                elapsed, cpu, hwm, answers[name] = tool.wait_complete(timeout=timeout)
                row[name] = {"time": elapsed, "cpu": cpu, "rss": hwm}
                print(f"   {name}: complete in {elapsed:.2f}s, {cpu:.2f} CPU-s, peak RSS {hwm:.0f} MiB", flush=True)
            except RuntimeError as e:
                row[name] = {"failed": str(e), "log": burrow_failure(os.path.join(work, f"{name}.log"))}
                print(f"   {name}: {e}", flush=True)
            finally:
                tool.stop()
        if "burrow" in answers and "warren" in answers:
            row["compare"] = driver.compare(answers["burrow"], answers["warren"])
        if "failed" in row["burrow"]:
            row["broker_log"] = refusals(os.path.join(kafka.dir, "node1", "server.log"))
        return row
    finally:
        kafka.stop()


def mib(n):
    return n / 2**20


def section(rows, alone=False):
    """The BENCHMARKS.md section for these rows (it is the file's last section); `alone`: it
    was measured by itself (`--kafka-only`), not in the same run as the sections above."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"{MARKER}: Warren, the floor and Burrow",
        "",
        f"Run on {when}" + (" by `bench/run --kafka-only`: the mock-broker sections above come from their "
                             "own, earlier run and were not repeated with this one." if alone else "."),
        "",
        "The same input on a real broker: one Apache Kafka node (KRaft, `scripts/kafka up --version V "
        "--offsets-partitions 16`, jars from Maven Central). A real broker refuses client appends to "
        "__consumer_offsets, so `scripts/kafka tool bench-load` (tests/kafka/java/KafkaTool.java) writes "
        "dev-load's topics and records with a Java producer and commits dev-load's offsets for every "
        "group with Kafka's Admin API (alterConsumerGroupOffsets, one call per group and round, up to 64 "
        "in flight); the broker encodes the commits itself. Each offsets-topic "
        "partition's last group commits its last round after all the others, so the sentinel rule above "
        "still holds. Same settings as above; wrk is not run (the HTTP side does not depend on the broker).",
        "",
        "Floor = `warren dev-read --bootstrap B`: a bare librdkafka consumer (Rust, in host/daemon/src/dev/"
        "read.rs) that assigns every partition of __consumer_offsets from the beginning and polls until each "
        "has reported end-of-partition, counting records and bytes and decoding nothing. It uses the offsets "
        "reader's own librdkafka settings (`warren_kafka::reader_config`, the function Warren's reader calls: "
        "isolation.level=read_committed since the reader stopped counting aborted transactions, fetch.wait.max.ms=100, queued.min.messages=20000, "
        "queued.max.messages.kbytes=16384, fetch.queue.backoff.ms=10) and the same poll loop shape (100 ms "
        "poll, then drain without waiting). Time is from spawn to its report, the median of three runs; "
        "CPU and peak RSS are the process's at exit. Warren's and Burrow's times are measured as above "
        "(process start until the API shows every group's final offset), so they include start-up, the "
        "first metadata and HEAD polls, decoding and storing.",
        "",
        "Kafka versions: 3.9.1 and 4.4.0 both start from the same `scripts/kafka up` (3.9.1 needed no "
        "property changes). Burrow 1.2.1 works with 3.9.1. With 4.4.0 it does not: its sarama client "
        "asks for HEAD offsets with ListOffsets v0, which Kafka 4 no longer accepts (the broker closes the "
        "connection, Burrow logs `failed to fetch offsets from broker` with `sarama_error=EOF`), and it "
        "cannot decode the commits Kafka 4.4.0 writes (`failed to decode ... reason=value version, "
        "version=4`), so it never shows a group; its log is summarised below the table. Warren and the "
        "floor read both versions.",
        "",
        "| broker | scale | commits | offsets topic | reader | time to reflect | CPU s | peak RSS | time / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s, f = r["scale"], r["floor"]
        label = f"{s.name}: {s.groups} groups x {s.topics * s.partitions} partitions x {s.rounds} rounds"
        head = f"| Kafka {r['version']} | {label} | {s.commits:,} |"
        topic = f"{f['records']:,} records, {mib(f['bytes']):.1f} MiB"
        lines.append(f"{head} {topic} | floor: `warren dev-read` | {f['time']:.2f} s | {f['cpu']:.2f} | {f['rss']:.0f} MiB | 1.0x |")
        for n in ("warren", "burrow"):
            x = r[n]
            if "failed" in x:
                lines.append(f"{head} | {n} | did not complete: {x['failed']} | | | |")
            else:
                lines.append(f"{head} | {n} | {x['time']:.2f} s | {x['cpu']:.2f} | {x['rss']:.0f} MiB | "
                             f"{x['time'] / f['time']:.1f}x |")
    lines += ["", "Input generation through the Java clients (data and commits, one node, same two cores):", ""]
    for r in rows:
        s = r["scale"]
        lines.append(f"- Kafka {r['version']}, {s.name}: {s.commits:,} commits (and {s.topics * s.partitions * s.records:,} "
                     f"data records) in {r['load']:.1f} s.")
    compared = [r for r in rows if "compare" in r]
    if compared:
        lines += ["", "Do both report the same thing on the real broker? (Statuses depend on when each tool "
                  "evaluates: rule 3 compares the time since a partition's last commit with the span of its "
                  "window, and Warren is evaluated after Burrow has finished, so where Burrow takes a minute "
                  "a stopped-looking partition can read OK in Burrow and STOP in Warren with the same "
                  "offsets and lag.)", ""]
        for r in compared:
            s = r["scale"]
            lag_diff, status_diff, group_status = r["compare"]
            lines.append(f"- Kafka {r['version']}, {s.name}: {s.windows:,} partitions compared; end offset and current "
                         f"lag differ on {len(lag_diff)}; partition status differs on {sum(status_diff.values())} "
                         f"({', '.join(f'Burrow {a} vs Warren {b}: {n}' for (a, b), n in status_diff.items()) or 'none'}); "
                         f"group status differs on {group_status} groups.")
            for d in lag_diff[:5]:
                lines.append(f"  - example lag difference: {d}")
    failed = [r for r in rows if "failed" in r["burrow"]]
    if failed:
        lines += ["", "What Burrow 1.2.1 logged where it did not complete (level warn and above, distinct lines, counted):", ""]
        for r in failed:
            lines.append(f"- Kafka {r['version']}, {r['scale'].name}:")
            for text, n in r["burrow"]["log"][:8]:
                lines.append(f"  - {n} x `{text}`")
            for text, n in r.get("broker_log", [])[:4]:
                lines.append(f"  - the broker's log, {n} x: `{text}`")
    return lines
