"""Where Warren spends its CPU: `perf record -g` of Warren in one of the scenarios of
`bench/run --floor`, then the samples by thread and library and the hottest functions.

    python3 bench/profile.py ingest    while it reads the 1M-window input (1,000 groups x 1,000
                                       partitions x 3 rounds) from the mock broker; the driver's
                                       completion polls (every sentinel group's consumer detail
                                       every 50 ms) run during it, as in the ingest row
    python3 bench/profile.py idle [S]  for S seconds (default 60) while 100,000 groups each commit
                                       once a minute and /metrics is scraped every 15 s, after the
                                       first minute (the idle row's scenario)

Run after `cargo build --release --bin warren`; needs perf.
"""

import os
import subprocess
import sys
import tempfile
import time

import driver
import floor


def record(pid, data):
    return subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(pid), "-o", data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ingest(work, data):
    scale = driver.Scale("1M windows", 10, 100, 1000, 1000, 3, offsets_partitions=128)
    broker = driver.Broker(scale, work)
    try:
        floor.load(scale, broker)
        w = floor.Warren(scale, work, broker.bootstrap)
        try:
            perf = record(w.proc.pid, data)
            took = w.wait_ingested()
            perf.send_signal(2)
            perf.wait()
        finally:
            w.stop()
    finally:
        broker.stop()
    print(f"ingested in {took:.1f}s; profile in {data}")
    return ["--comm", "warren-offsets-"]


def idle(work, data, seconds):
    scale = driver.Scale("idle", 1, 1, 100, 100_000, 1, offsets_partitions=64)
    broker = driver.Broker(scale, work)
    try:
        floor.load(scale, broker)
        w = floor.Warren(scale, work, broker.bootstrap)
        try:
            w.wait_ingested()
            stream = floor.sustain(scale, broker, scale.groups // 60, seconds + 60)
            scraper = floor.Scraper(w.base)
            scraper.start()
            time.sleep(60)
            cpu0 = driver.proc_stats(w.proc.pid)[0]
            perf = record(w.proc.pid, data)
            time.sleep(seconds)
            perf.send_signal(2)
            perf.wait()
            cpu1 = driver.proc_stats(w.proc.pid)[0]
            scraper.stop.set()
            stream.wait()
        finally:
            w.stop()
    finally:
        broker.stop()
    print(f"{(cpu1 - cpu0) / seconds * 100:.2f}% of a core over {seconds}s (perf itself included); profile in {data}")
    return []


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    work = tempfile.mkdtemp(prefix="warren-profile-")
    data = os.path.join(work, "perf.data")
    if mode == "ingest":
        hottest = ingest(work, data)
    elif mode == "idle":
        hottest = idle(work, data, int(sys.argv[2]) if len(sys.argv) > 2 else 60)
    else:
        sys.exit(__doc__)
    report = ["perf", "report", "-i", data, "--no-children", "-g", "none", "--stdio"]
    for extra in (["--sort", "comm,dso"], [*hottest, "--sort", "comm,symbol"]):
        out = subprocess.run(report + extra, capture_output=True, text=True).stdout
        print("\n".join(l for l in out.splitlines() if l.strip() and not l.startswith("#"))[:5000])


if __name__ == "__main__":
    main()
