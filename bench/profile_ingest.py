"""Where ingest spends its time: `perf record -g` of Warren while it reads the 1M-window input
(1,000 groups x 1,000 partitions x 3 rounds) from the mock broker, then the samples by thread
and the reader thread's hottest functions.

    python3 bench/profile_ingest.py        (after `cargo build --release --bin warren`; needs perf)

The driver's completion polls (every sentinel group's consumer detail every 50 ms) run during
the profile, as they do during the ingest row of `bench/run --floor`.
"""

import os
import subprocess
import tempfile

import driver
import floor


def main():
    work = tempfile.mkdtemp(prefix="warren-profile-")
    data = os.path.join(work, "perf.data")
    scale = driver.Scale("1M windows", 10, 100, 1000, 1000, 3, offsets_partitions=128)
    broker = driver.Broker(scale, work)
    try:
        floor.load(scale, broker)
        w = floor.Warren(scale, work, broker.bootstrap)
        try:
            perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(w.proc.pid), "-o", data],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            took = w.wait_ingested()
            perf.send_signal(2)
            perf.wait()
        finally:
            w.stop()
    finally:
        broker.stop()
    print(f"ingested in {took:.1f}s; profile in {data}")
    report = ["perf", "report", "-i", data, "--no-children", "-g", "none", "--stdio"]
    for extra in (["--sort", "comm,dso"], ["--comm", "warren-offsets-", "--sort", "symbol"]):
        out = subprocess.run(report + extra, capture_output=True, text=True).stdout
        print("\n".join(l for l in out.splitlines() if l.strip() and not l.startswith("#"))[:4000])


if __name__ == "__main__":
    main()
