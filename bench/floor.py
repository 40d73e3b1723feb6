"""The performance targets side by side in one run (`bench/run --floor`, see bench/README.md).

Each row measures one figure against its target and its reference:
- ingest: time to reflect the 1M-window input on Apache Kafka vs `warren dev-read`, a bare
  librdkafka read of the same offsets topic (real_kafka.py's floor);
- memory: resident memory per window at 1M (and, with --ten-million, 10M) windows after a
  sustained commit stream with /metrics scraped every 15 s as Prometheus does (gzip);
- idle: CPU while 100k groups each commit once a minute and /metrics is scraped every 15 s;
- /metrics: the render at 10k groups x 10 partitions (`cargo bench -p warren-http --bench
  metrics`) and a scrape of the cached body;
- status: p99 of the status endpoint of a 100-partition group with wrk pinned to CPU 0 and
  Warren to CPU 1, quiet and while commits stream in and /metrics is scraped.
The mock broker (`warren dev-broker`) and `warren dev-load` feed every row but the first.
"""

import gzip
import os
import re
import subprocess
import threading
import time
import urllib.request

import driver
import real_kafka

MARKER = "## Near the floor"


class Warren(driver.Tool):
    """Warren with the driver's settings plus `extra` config, optionally pinned to one CPU."""

    def __init__(self, scale, work, bootstrap, extra="", cpu=None, min_distance=1):
        self.name, self.scale = "warren", scale
        self.port = driver.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cfg = driver.warren_config(work, bootstrap, self.port, min_distance)
        with open(cfg, "a") as f:
            f.write(extra)
        cmd = [driver.WARREN, "run", "--config", cfg]
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu), *cmd]
        self.started = time.time()
        self.proc = subprocess.Popen(cmd, stdout=open(os.path.join(work, "warren.log"), "w"), stderr=subprocess.STDOUT)

    def wait_ingested(self, timeout=1800):
        """Seconds from start until every sentinel group shows its final offsets."""
        self.wait_stored(self.sentinels(), time.time() + timeout)
        return time.time() - self.started


class Scraper(threading.Thread):
    """GETs /metrics every `every` seconds with Accept-Encoding: gzip, as Prometheus does."""

    def __init__(self, base, every=15):
        super().__init__(daemon=True)
        self.base, self.every = base, every
        self.stop = threading.Event()
        self.scrapes = []  # (seconds, gzipped bytes, render seconds)

    def run(self):
        while not self.stop.is_set():
            started = time.time()
            try:
                req = urllib.request.Request(f"{self.base}/metrics", headers={"Accept-Encoding": "gzip"})
                with urllib.request.urlopen(req, timeout=120) as r:
                    body = r.read()
                    packed = r.headers.get("Content-Encoding") == "gzip"
                took = time.time() - started
                text = gzip.decompress(body) if packed else body
                m = re.search(rb"^warren_metrics_render_seconds (\S+)$", text, re.M)
                self.scrapes.append((took, len(body), float(m.group(1)) if m else None))
            except OSError as e:
                print(f"   scrape failed: {e}", flush=True)
            self.stop.wait(max(0.0, self.every - (time.time() - started)))


def stored_commits(base):
    """Commits Warren stored (`warren_storage_commits_total{outcome="stored"}`)."""
    req = urllib.request.Request(f"{base}/metrics", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=300) as r:
        body = r.read()
        if r.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
    m = re.search(rb'^warren_storage_commits_total\{cluster="local",outcome="stored"\} (\d+)$', body, re.M)
    return int(m.group(1)) if m else 0


def sustain(scale, broker, rate, seconds, cpu=None):
    cmd = scale.load_args(broker.bootstrap, ["--skip-data", "--rate", str(rate), "--duration", str(seconds)])
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pin(pid, cpu):
    subprocess.run(["taskset", "-a", "-p", "-c", str(cpu), str(pid)], check=True, stdout=subprocess.DEVNULL)


def load(scale, broker):
    started = time.time()
    subprocess.run(scale.load_args(broker.bootstrap), check=True, stdout=subprocess.DEVNULL)
    return time.time() - started


def memory(scale, rate, seconds, work, extra=""):
    """RSS per window after `seconds` of `rate` commits/s with /metrics scraped every 15 s."""
    print(f"== memory: {scale.windows:,} windows, then {rate} commits/s for {seconds}s, scraped every 15 s", flush=True)
    broker = driver.Broker(scale, work)
    try:
        written = load(scale, broker)
        print(f"   input written in {written:.1f}s", flush=True)
        # The load writes its rounds less than a second apart: with Burrow's min-distance of a
        # second they would merge into fewer commits than the windows are meant to hold.
        w = Warren(scale, work, broker.bootstrap, extra, min_distance=0)
        try:
            ingest = w.wait_ingested()
            _, _, loaded = driver.proc_stats(w.proc.pid)
            # The body may be from before the ingest (up to two metrics-refresh old).
            deadline = time.time() + 60
            while (stored := stored_commits(w.base)) != scale.commits and time.time() < deadline:
                time.sleep(2)
            if stored != scale.commits:
                raise RuntimeError(f"Warren stored {stored:,} commits, not the {scale.commits:,} written")
            print(f"   ingested in {ingest:.1f}s, RSS {loaded:.0f} MiB", flush=True)
            scraper = Scraper(w.base)
            scraper.start()
            stream = sustain(scale, broker, rate, seconds)
            rss = []
            while stream.poll() is None:
                rss.append(driver.proc_stats(w.proc.pid)[2])
                time.sleep(1)
            scraper.stop.set()
            scraper.join(130)
            _, hwm, end = driver.proc_stats(w.proc.pid)
            # The API still answers at this scale.
            t = time.time()
            driver.get_json(f"{w.base}/v3/kafka/local/consumer/group-0000/status")
            status_s = time.time() - t
        finally:
            w.stop()
    finally:
        broker.stop()
    renders = [r for _, _, r in scraper.scrapes if r is not None]
    return {"scale": scale, "rate": rate, "seconds": seconds, "loaded": loaded, "end": end, "max": max(rss + [end]),
            "hwm": hwm, "ingest": ingest, "scrapes": scraper.scrapes, "render": max(renders) if renders else None,
            "status": status_s}


def idle(groups, seconds, work, watch=None):
    """CPU share while every group commits once a minute and /metrics is scraped every 15 s;
    `watch(pid)`, when given, starts something beside Warren for the measured seconds (a
    profiler) and returns the function that stops it."""
    scale = driver.Scale("idle", 1, 1, 100, groups, 1, offsets_partitions=64)
    rate = max(1, groups // 60)
    print(f"== idle: {groups:,} groups committing once a minute ({rate}/s), scraped every 15 s, {seconds}s", flush=True)
    broker = driver.Broker(scale, work)
    try:
        load(scale, broker)
        w = Warren(scale, work, broker.bootstrap)
        try:
            w.wait_ingested()
            stream = sustain(scale, broker, rate, seconds + 60)
            scraper = Scraper(w.base)
            scraper.start()
            # The first minute re-commits every window once; measure after it.
            time.sleep(60)
            stop = watch(w.proc.pid) if watch else None
            cpu0, t0 = driver.proc_stats(w.proc.pid)[0], time.time()
            time.sleep(seconds)
            cpu1, t1 = driver.proc_stats(w.proc.pid)[0], time.time()
            if stop:
                stop()
            scraper.stop.set()
            stream.wait()
        finally:
            w.stop()
    finally:
        broker.stop()
    return {"groups": groups, "rate": rate, "seconds": t1 - t0, "share": (cpu1 - cpu0) / (t1 - t0)}


def wrk_pinned(url, seconds=10):
    out = subprocess.run(["taskset", "-c", "0", "wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    return rps, float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]


def status_latency(rate, work):
    """wrk on CPU 0, Warren alone on CPU 1; quiet, then under a commit stream and scrapes."""
    scale = driver.Scale("recipe", 10, 10, 1000, 100, 8)
    print("== status endpoint, wrk pinned to CPU 0 and Warren to CPU 1", flush=True)
    broker = driver.Broker(scale, work)
    pin(broker.proc.pid, 0)
    try:
        load(scale, broker)
        w = Warren(scale, work, broker.bootstrap, cpu=1)
        try:
            w.wait_ingested()
            # Quiet means after the start's own work (first polls, evaluations, render).
            time.sleep(15)
            url = f"{w.base}/v3/kafka/local/consumer/group-0000/status"
            quiet = wrk_pinned(url)
            print(f"   quiet: {quiet[0]:.0f} req/s, p99 {quiet[1]:.2f} ms", flush=True)
            stream = sustain(scale, broker, rate, 40, cpu=0)
            scraper = Scraper(w.base, every=5)
            scraper.start()
            time.sleep(5)
            loaded = wrk_pinned(url, 20)
            print(f"   {rate} commits/s and a scrape every 5 s: {loaded[0]:.0f} req/s, p99 {loaded[1]:.2f} ms", flush=True)
            scraper.stop.set()
            stream.wait()
        finally:
            w.stop()
    finally:
        broker.stop()
    return {"quiet": quiet, "loaded": loaded, "rate": rate}


def metrics_bench():
    """The 10k x 10 row of `cargo bench -p warren-http --bench metrics`, as its header names it."""
    out = subprocess.run(["cargo", "bench", "-q", "-p", "warren-http", "--bench", "metrics"], cwd=driver.ROOT,
                         capture_output=True, text=True, check=True).stdout
    rows = [l for l in out.splitlines() if l.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    last = [c.strip() for c in rows[-1].strip("|").split("|")]
    return dict(zip(header, last))


def ingest_vs_floor(scale, version, work):
    print(f"== ingest on Kafka {version}, {scale.name}: {scale.commits:,} commits", flush=True)
    kafka = real_kafka.Kafka(version, work)
    try:
        loaded = real_kafka.load(scale, kafka.bootstrap)
        print(f"   input written through Java clients in {loaded:.1f}s", flush=True)
        floor = real_kafka.floor(kafka.bootstrap)
        print(f"   floor: {floor['records']:,} records in {floor['time']:.2f}s", flush=True)
        times = []
        for _ in range(3):
            w = driver.Tool("warren", scale, work, kafka.bootstrap, None)
            try:
                times.append(w.wait_complete(timeout=900)[0])
            finally:
                w.stop()
        times.sort()
        print(f"   warren: {times}", flush=True)
        return {"scale": scale, "version": version, "floor": floor["time"], "warren": times[1]}
    finally:
        kafka.stop()


def verdict(ok):
    return "met" if ok else "**missed**"


def report(rows):
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    ing, idle_row, metrics, status = rows["ingest"], rows["idle"], rows["metrics"], rows["status"]
    out = [
        f"{MARKER}: every target in one run",
        "",
        f"Run on {when} by `bench/run --floor` (bench/floor.py) on 2 cores. Burrow's figure is the one measured "
        "above (1M windows), not re-run here.",
        "",
        "| figure | target | Warren | reference | |",
        "|---|---|---|---|---|",
    ]
    ratio = ing["warren"] / ing["floor"]
    out.append(f"| time to reflect {ing['scale'].commits:,} commits ({ing['scale'].windows:,} windows, Kafka {ing['version']}), "
               f"median of 3 | <= 1.15x the bare read | {ing['warren']:.2f} s | floor (`warren dev-read`) {ing['floor']:.2f} s: "
               f"**{ratio:.2f}x** | {verdict(ratio <= 1.15)} |")
    for m in rows["memory"]:
        per = m["end"] * 2**20 / m["scale"].windows
        out.append(f"| resident memory per window, {m['scale'].windows:,} windows of {m['scale'].rounds} "
                   f"commit{'s' if m['scale'].rounds > 1 else ''}, after {m['seconds']} s of "
                   f"{m['rate']:,} commits/s, /metrics scraped every 15 s | <= 100 B | {per:,.0f} B "
                   f"({m['end']:.0f} MiB; {m['loaded']:.0f} MiB after ingest, max {m['max']:.0f} MiB) | Burrow ~1,290 B "
                   f"(1,233 MiB at 1M windows) | {verdict(per <= 100)} |")
    biggest = max(rows["memory"], key=lambda m: m["scale"].windows)
    out.append(f"| windows one instance holds with ingest and the API working | 10M | {biggest['scale'].windows:,} "
               f"(ingested in {biggest['ingest']:.0f} s; a status answer during the stream took {biggest['status'] * 1e3:.0f} ms) "
               f"| | {verdict(biggest['scale'].windows >= 10_000_000)} |")
    out.append(f"| CPU while {idle_row['groups']:,} groups commit once a minute, /metrics scraped every 15 s | < 2% of a core "
               f"| {idle_row['share'] * 100:.1f}% | | {verdict(idle_row['share'] < 0.02)} |")
    render = float(metrics["render (evaluation included)"].split()[0])
    out.append(f"| `/metrics` at 10k groups x 10 partitions ({metrics['series lines']} lines) | render < 100 ms; "
               f"the scrape streams the cached body, gzip when asked | render {render:.0f} ms "
               f"({metrics['evaluation alone']} of it evaluating), with gzip {metrics['render + gzip']}; "
               f"scrape {metrics['scrape (cached gzip body)']} | body {metrics['body']}, gzipped {metrics['gzipped']} "
               f"| {verdict(render < 100)} |")
    (qr, qp), (lr, lp) = status["quiet"], status["loaded"]
    out.append(f"| status endpoint, 100-partition group, wrk on CPU 0, Warren on CPU 1 | p99 < 1 ms | quiet: p99 {qp:.2f} ms "
               f"({qr:,.0f} req/s); with {status['rate']:,} commits/s and a scrape every 5 s: p99 {lp:.2f} ms ({lr:,.0f} req/s) "
               f"| | {verdict(max(qp, lp) < 1.0)} |")
    out.append("")
    return "\n".join(out) + "\n"


def write(section, path):
    """Replaces this section of BENCHMARKS.md (everything from its heading to the next `## `)."""
    text = open(path).read() if os.path.exists(path) else ""
    start = text.find(MARKER)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(MARKER))
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(text)


def run(args, work):
    rows = {"metrics": metrics_bench()}
    print(f"== /metrics bench: {rows['metrics']}", flush=True)
    rows["status"] = status_latency(20000, work)
    rows["idle"] = idle(100_000, args.idle_seconds, work)
    print(f"   idle CPU: {rows['idle']['share'] * 100:.2f}% of a core", flush=True)
    # A million windows holding ten commits each, as the target reads. At ten million the mock
    # broker could not hold the hundred million commits that would take: those windows hold one.
    scales = [driver.Scale("1M windows", 10, 100, 1000, 1000, 10, offsets_partitions=512)]
    if args.ten_million:
        scales.append(driver.Scale("10M windows", 10, 100, 1000, 10_000, 1, offsets_partitions=512))
    rows["memory"] = []
    for s in scales:
        extra = "" if s.windows <= 1_000_000 else '[general]\nmetrics-granularity = "topic"\n'
        m = memory(s, args.rate, args.sustain, work, extra)
        print(f"   {m['end'] * 2**20 / s.windows:.0f} B per window", flush=True)
        rows["memory"].append(m)
    rows["ingest"] = ingest_vs_floor(driver.Scale("1M windows", 10, 100, 1000, 1000, 3), "4.4.0", work)
    section = report(rows)
    print(section)
    write(section, args.out)
