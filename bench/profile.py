"""Where Warren spends its CPU: `perf record -g` of Warren in one of the scenarios of
`bench/run --floor`, then the samples by thread and library and the hottest functions.

    python3 bench/profile.py ingest    while it reads the 1M-window input (1,000 groups x 1,000
                                       partitions x 3 rounds) from the mock broker; the driver's
                                       completion polls (every sentinel group's consumer detail
                                       every 50 ms) run during it, as in the ingest row
    python3 bench/profile.py idle [S]  for S seconds (default 60) while 100,000 groups each commit
                                       once a minute and /metrics is scraped every 15 s, after the
                                       first minute (the idle row's scenario)
    python3 bench/profile.py heap [S]  heaptrack instead of perf: the 1M-window memory row's
                                       scenario (windows of ten commits, then 20,000 commits/s
                                       for S seconds, default 120, /metrics scraped every 15 s);
                                       Warren is killed at the end, so what heaptrack reports as
                                       leaked is what the heap held then, beside the RSS

Run after `cargo build --release --bin warren`; needs perf (heaptrack for `heap`).
"""

import glob
import os
import signal
import subprocess
import sys
import tempfile

import driver
import floor


def record(data):
    """Starts `perf record` of a process; returns the function that stops it."""
    def start(pid):
        perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(pid), "-o", data],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop():
            perf.send_signal(2)
            perf.wait()
        return stop
    return start


def ingest(work, data):
    scale = driver.Scale("1M windows", 10, 100, 1000, 1000, 3, offsets_partitions=128)
    broker = driver.Broker(scale, work)
    try:
        floor.load(scale, broker)
        w = floor.warren(scale, work, broker.bootstrap)
        try:
            stop = record(data)(w.proc.pid)
            took = w.wait_ingested()
            stop()
        finally:
            w.stop()
    finally:
        broker.stop()
    print(f"ingested in {took:.1f}s; profile in {data}")
    return ["--comm", "warren-offsets-"]


def idle(work, data, seconds):
    row = floor.idle(100_000, seconds, work, watch=record(data))
    print(f"{row['share'] * 100:.2f}% of a core over {seconds}s (perf itself included); profile in {data}")
    return []


def heap(work, data, seconds):
    scale = driver.Scale("1M windows", 10, 100, 1000, 1000, 10, offsets_partitions=512)
    broker = driver.Broker(scale, work)
    try:
        floor.load(scale, broker)
        w = floor.warren(scale, work, broker.bootstrap, min_distance=0, wrap=["heaptrack", "-o", data])
        try:
            took = w.wait_ingested()
            # heaptrack's script runs Warren as its child.
            pid = int(subprocess.run(["pgrep", "-n", "-f", f"{driver.WARREN} run"], capture_output=True,
                                     text=True, check=True).stdout.split()[0])
            loaded = driver.proc_stats(pid)[2]
            scraper = floor.Scraper(w.base)
            scraper.start()
            floor.sustain(scale, broker, 20000, seconds).wait()
            scraper.stop.set()
            scraper.join(130)
            end = driver.proc_stats(pid)[2]
            os.kill(pid, signal.SIGKILL)
            w.proc.wait(600)
        finally:
            w.stop()
    finally:
        broker.stop()
    print(f"ingested in {took:.1f}s under heaptrack; RSS {loaded:.0f} MiB after ingest, {end:.0f} MiB "
          f"after {seconds}s of 20,000 commits/s (heaptrack's own buffers included)")
    # heaptrack names its file after the compressor it used.
    trace = sorted(glob.glob(data + "*"), key=os.path.getmtime)[-1]
    out = subprocess.run(["heaptrack_print", "-f", trace, "--print-peaks", "1", "--print-leaks", "1",
                          "--print-allocators", "0", "--print-temporary", "0", "-n", "12", "-s", "2"],
                         capture_output=True, text=True).stdout
    print(out[-20000:])


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    work = tempfile.mkdtemp(prefix="warren-profile-")
    data = os.path.join(work, "perf.data")
    if mode == "ingest":
        hottest = ingest(work, data)
    elif mode == "idle":
        hottest = idle(work, data, int(sys.argv[2]) if len(sys.argv) > 2 else 60)
    elif mode == "heap":
        return heap(work, data, int(sys.argv[2]) if len(sys.argv) > 2 else 120)
    else:
        sys.exit(__doc__)
    report = ["perf", "report", "-i", data, "--no-children", "-g", "none", "--stdio"]
    for extra in (["--sort", "comm,dso"], [*hottest, "--sort", "comm,symbol"]):
        out = subprocess.run(report + extra, capture_output=True, text=True).stdout
        print("\n".join(l for l in out.splitlines() if l.strip() and not l.startswith("#"))[:5000])


if __name__ == "__main__":
    main()
