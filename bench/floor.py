"""The performance targets side by side in one run (`bench/run --floor`, see bench/README.md).

Each row measures one figure against its target and its reference:
- ingest: time to reflect the 1M-window input on Apache Kafka 4.4.0 vs `warren dev-read`, a
  bare librdkafka read of the same offsets topic (real_kafka.py's floor); again on 3.9.1, the
  last Kafka Burrow 1.2.1 can read, with Burrow;
- memory: resident memory per window at 1M (and, with --ten-million, 10M) windows after a
  sustained commit stream with /metrics scraped every 15 s as Prometheus does (gzip), Burrow
  beside Warren at 1M;
- idle: CPU while 100k groups each commit once a minute and /metrics is scraped every 15 s,
  Burrow beside Warren;
- /metrics: the render at 10k groups x 10 partitions (`cargo bench -p warren-http --bench
  metrics`) and a scrape of the cached body;
- status: p99 of the status endpoint of a 100-partition group with wrk pinned to CPU 0 and
  the server (Warren, then Burrow) to CPU 1, quiet and while commits stream in (and Warren's
  /metrics is scraped).
The mock broker (`warren dev-broker`) and `warren dev-load` feed every row but the first.
`--no-burrow` leaves Burrow out; `--quick` runs every row on tiny input."""

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


def warren(scale, work, bootstrap, **kw):
    return driver.Tool("warren", scale, work, bootstrap, None, **kw)


def burrow(scale, work, bootstrap, zk, **kw):
    return driver.Tool("burrow", scale, work, bootstrap, zk.port, **kw)


def memory(scale, rate, seconds, work, zk=None, extra=""):
    """RSS per window after `seconds` of `rate` commits/s with Warren's /metrics scraped every
    15 s; with `zk`, Burrow reads the same broker side by side (it has no /metrics to scrape)."""
    print(f"== memory: {scale.windows:,} windows, then {rate} commits/s for {seconds}s, scraped every 15 s", flush=True)
    broker = driver.Broker(scale, work)
    tools = {}
    try:
        written = load(scale, broker)
        print(f"   input written in {written:.1f}s", flush=True)
        # The load writes its rounds less than a second apart: with Burrow's min-distance of a
        # second they would merge into fewer commits than the windows are meant to hold.
        tools["warren"] = warren(scale, work, broker.bootstrap, extra=extra, min_distance=0)
        if zk:
            tools["burrow"] = burrow(scale, work, broker.bootstrap, zk, min_distance=0)
        w = tools["warren"]
        ingest, loaded = {}, {}
        for name, tool in tools.items():
            ingest[name] = tool.wait_ingested()
            loaded[name] = driver.proc_stats(tool.proc.pid)[2]
            print(f"   {name}: ingested in {ingest[name]:.1f}s, RSS {loaded[name]:.0f} MiB", flush=True)
        # The body may be from before the ingest (up to two metrics-refresh old).
        deadline = time.time() + 60
        while (stored := stored_commits(w.base)) != scale.commits and time.time() < deadline:
            time.sleep(2)
        if stored != scale.commits:
            raise RuntimeError(f"Warren stored {stored:,} commits, not the {scale.commits:,} written")
        scraper = Scraper(w.base)
        scraper.start()
        stream = sustain(scale, broker, rate, seconds)
        rss = {name: [] for name in tools}
        while stream.poll() is None:
            for name, tool in tools.items():
                rss[name].append(driver.proc_stats(tool.proc.pid)[2])
            time.sleep(1)
        scraper.stop.set()
        scraper.join(130)
        result = {"scale": scale, "rate": rate, "seconds": seconds, "scrapes": scraper.scrapes}
        for name, tool in tools.items():
            _, hwm, end = driver.proc_stats(tool.proc.pid)
            # The API still answers at this scale.
            t = time.time()
            driver.get_json(f"{tool.base}/v3/kafka/local/consumer/group-0000/status", timeout=300)
            result[name] = {"loaded": loaded[name], "end": end, "max": max(rss[name] + [end]), "hwm": hwm,
                            "ingest": ingest[name], "status": time.time() - t}
            print(f"   {name}: RSS {end:.0f} MiB at the end, {end * 2**20 / scale.windows:.0f} B per window", flush=True)
    finally:
        for tool in tools.values():
            tool.stop()
        broker.stop()
    renders = [r for _, _, r in scraper.scrapes if r is not None]
    result["render"] = max(renders) if renders else None
    return result


def idle(groups, seconds, work, zk=None, watch=None):
    """CPU share while every group commits once a minute and Warren's /metrics is scraped every
    15 s; with `zk`, Burrow reads the same broker side by side. `watch(pid)`, when given, starts
    something beside Warren for the measured seconds (a profiler) and returns the function that
    stops it."""
    scale = driver.Scale("idle", 1, 1, 100, groups, 1, offsets_partitions=64)
    rate = max(1, groups // 60)
    print(f"== idle: {groups:,} groups committing once a minute ({rate}/s), scraped every 15 s, {seconds}s", flush=True)
    broker = driver.Broker(scale, work)
    tools = {}
    try:
        load(scale, broker)
        tools["warren"] = warren(scale, work, broker.bootstrap)
        if zk:
            tools["burrow"] = burrow(scale, work, broker.bootstrap, zk)
        for tool in tools.values():
            tool.wait_ingested()
        stream = sustain(scale, broker, rate, seconds + 60)
        scraper = Scraper(tools["warren"].base)
        scraper.start()
        # The first minute re-commits every window once; measure after it.
        time.sleep(60)
        stop = watch(tools["warren"].proc.pid) if watch else None
        cpu0, t0 = {n: driver.proc_stats(t.proc.pid)[0] for n, t in tools.items()}, time.time()
        time.sleep(seconds)
        cpu1, t1 = {n: driver.proc_stats(t.proc.pid)[0] for n, t in tools.items()}, time.time()
        if stop:
            stop()
        scraper.stop.set()
        stream.wait()
    finally:
        for tool in tools.values():
            tool.stop()
        broker.stop()
    shares = {n: (cpu1[n] - cpu0[n]) / (t1 - t0) for n in tools}
    for n, share in shares.items():
        print(f"   {n}: {share * 100:.2f}% of a core", flush=True)
    return {"groups": groups, "rate": rate, "seconds": t1 - t0, "share": shares["warren"], "burrow": shares.get("burrow")}


def wrk_pinned(url, seconds=10):
    out = subprocess.run(["taskset", "-c", "0", "wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    return rps, float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]


def status_latency(rate, work, zk=None):
    """wrk on CPU 0, the server alone on CPU 1; quiet, then under a commit stream (and, for
    Warren, scrapes). Warren, then with `zk` Burrow, each on a broker of its own (the stream
    moves the offsets the next server would wait for)."""
    scale = driver.Scale("recipe", 10, 10, 1000, 100, 8)
    print("== status endpoint, wrk pinned to CPU 0 and the server to CPU 1", flush=True)
    result = {"rate": rate}
    for name in ("warren", "burrow") if zk else ("warren",):
        broker = driver.Broker(scale, work)
        pin(broker.proc.pid, 0)
        try:
            load(scale, broker)
            if name == "warren":
                tool = warren(scale, work, broker.bootstrap, cpu=1)
            else:
                tool = burrow(scale, work, broker.bootstrap, zk, cpu=1)
            try:
                tool.wait_ingested()
                # Quiet means after the start's own work (first polls, evaluations, render).
                time.sleep(15)
                url = f"{tool.base}/v3/kafka/local/consumer/group-0000/status"
                quiet = wrk_pinned(url)
                print(f"   {name} quiet: {quiet[0]:.0f} req/s, p99 {quiet[1]:.2f} ms", flush=True)
                stream = sustain(scale, broker, rate, 40, cpu=0)
                scraper = Scraper(tool.base, every=5) if name == "warren" else None
                if scraper:
                    scraper.start()
                time.sleep(5)
                loaded = wrk_pinned(url, 20)
                print(f"   {name} with {rate} commits/s: {loaded[0]:.0f} req/s, p99 {loaded[1]:.2f} ms", flush=True)
                if scraper:
                    scraper.stop.set()
                stream.wait()
                result[name] = {"quiet": quiet, "loaded": loaded}
            finally:
                tool.stop()
        finally:
            broker.stop()
    return result


def metrics_bench():
    """The 10k x 10 row of `cargo bench -p warren-http --bench metrics`, as its header names it."""
    out = subprocess.run(["cargo", "bench", "-q", "-p", "warren-http", "--bench", "metrics"], cwd=driver.ROOT,
                         capture_output=True, text=True, check=True).stdout
    rows = [l for l in out.splitlines() if l.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    last = [c.strip() for c in rows[-1].strip("|").split("|")]
    return dict(zip(header, last))


def ingest_vs_floor(scale, version, work, zk=None):
    """The floor's and Warren's median of three reads of the scale's input on Apache Kafka
    `version`; with `zk`, one Burrow read too (its input takes it a minute)."""
    print(f"== ingest on Kafka {version}, {scale.name}: {scale.commits:,} commits", flush=True)
    kafka = real_kafka.Kafka(version, work)
    try:
        loaded = real_kafka.load(scale, kafka.bootstrap)
        print(f"   input written through Java clients in {loaded:.1f}s", flush=True)
        floor = real_kafka.floor(kafka.bootstrap)
        print(f"   floor: {floor['records']:,} records in {floor['time']:.2f}s", flush=True)
        times = []
        for _ in range(3):
            w = warren(scale, work, kafka.bootstrap)
            try:
                times.append(w.wait_ingested(timeout=900))
            finally:
                w.stop()
        times.sort()
        print(f"   warren: {times}", flush=True)
        row = {"scale": scale, "version": version, "floor": floor["time"], "warren": times[1]}
        if zk:
            b = burrow(scale, work, kafka.bootstrap, zk)
            try:
                row["burrow"] = b.wait_ingested(timeout=900)
            finally:
                b.stop()
            print(f"   burrow: {row['burrow']:.2f}s", flush=True)
        return row
    finally:
        kafka.stop()


def verdict(ok):
    return "met" if ok else "**missed**"


def mib_per_window(m, windows):
    return f"{m['end'] * 2**20 / windows:,.0f} B ({m['end']:,.0f} MiB; {m['loaded']:,.0f} MiB after ingest, max {m['max']:,.0f} MiB)"


def report(rows, command):
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    idle_row, metrics, status = rows["idle"], rows["metrics"], rows["status"]
    out = [
        f"{MARKER}: every target in one run",
        "",
        f"Run on {when} by `{command}` (bench/floor.py) on 2 cores. Burrow 1.2.1 runs in the same run "
        "wherever it can: side by side with Warren on the same broker and stream for memory and idle CPU "
        "(it has no `/metrics`, so nothing scrapes it), alone on CPU 1 for the status endpoint, and on "
        "Kafka 3.9.1 for ingest (it cannot read Kafka 4, see the section above).",
        "",
        "| figure | target | Warren | floor | Burrow 1.2.1 | |",
        "|---|---|---|---|---|---|",
    ]
    for ing in rows["ingest"]:
        ratio = ing["warren"] / ing["floor"]
        if "burrow" in ing:
            b = f"{ing['burrow']:.2f} s, one run: {ing['burrow'] / ing['floor']:.1f}x the floor"
        else:
            b = "cannot read Kafka 4"
        out.append(f"| time to reflect {ing['scale'].commits:,} commits ({ing['scale'].windows:,} windows, Kafka "
                   f"{ing['version']}), median of 3 | <= 1.15x the bare read | {ing['warren']:.2f} s: **{ratio:.2f}x** "
                   f"| `warren dev-read` {ing['floor']:.2f} s | {b} | {verdict(ratio <= 1.15)} |")
    for m in rows["memory"]:
        s = m["scale"]
        b = mib_per_window(m["burrow"], s.windows) if "burrow" in m else "not run at this scale (time)"
        out.append(f"| resident memory per window, {s.windows:,} windows of {s.rounds} "
                   f"commit{'s' if s.rounds > 1 else ''}, after {m['seconds']} s of {m['rate']:,} commits/s, "
                   f"/metrics scraped every 15 s | <= 100 B | {mib_per_window(m['warren'], s.windows)} | | {b} "
                   f"| {verdict(m['warren']['end'] * 2**20 / s.windows <= 100)} |")
    biggest = max(rows["memory"], key=lambda m: m["scale"].windows)
    bw = biggest["warren"]
    out.append(f"| windows one instance holds with ingest and the API working | 10M | {biggest['scale'].windows:,} "
               f"(ingested in {bw['ingest']:.0f} s; a status answer after the stream took {bw['status'] * 1e3:.0f} ms) "
               f"| | | {verdict(biggest['scale'].windows >= 10_000_000)} |")
    b = f"{idle_row['burrow'] * 100:.1f}% (not scraped)" if idle_row.get("burrow") is not None else ""
    out.append(f"| CPU while {idle_row['groups']:,} groups commit once a minute, /metrics scraped every 15 s | < 2% of a core "
               f"| {idle_row['share'] * 100:.1f}% | | {b} | {verdict(idle_row['share'] < 0.02)} |")
    render = float(metrics["render (evaluation included)"].split()[0])
    out.append(f"| `/metrics` at 10k groups x 10 partitions ({metrics['series lines']} lines) | render < 100 ms; "
               f"the scrape streams the cached body, gzip when asked | render {render:.0f} ms "
               f"({metrics['evaluation alone']} of it evaluating), with gzip {metrics['render + gzip']}; "
               f"scrape {metrics['scrape (cached gzip body)']}; body {metrics['body']}, gzipped {metrics['gzipped']} "
               f"| | has no `/metrics` | {verdict(render < 100)} |")

    def latency(x, scraped):
        (qr, qp), (lr, lp) = x["quiet"], x["loaded"]
        return (f"quiet: p99 {qp:.2f} ms ({qr:,.0f} req/s); with {status['rate']:,} commits/s{scraped}: "
                f"p99 {lp:.2f} ms ({lr:,.0f} req/s)")

    w = status["warren"]
    b = latency(status["burrow"], "") if "burrow" in status else ""
    out.append(f"| status endpoint, 100-partition group, wrk on CPU 0, server on CPU 1 | p99 < 1 ms "
               f"| {latency(w, ' and a scrape every 5 s')} | | {b} "
               f"| {verdict(max(w['quiet'][1], w['loaded'][1]) < 1.0)} |")
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
    """Every row; `args.quick` runs each on tiny input (a smoke test of this file)."""
    zk = None if args.no_burrow else driver.ZooKeeper(work)
    if args.quick:
        groups, idle_seconds, sustain_seconds = 1000, 10, 10
        scales = [driver.Scale("memory", 2, 10, 100, 10, 10)]
        ingest_scale = driver.Scale("ingest", 2, 10, 100, 10, 3)
    else:
        groups, idle_seconds, sustain_seconds = 100_000, args.idle_seconds, args.sustain
        # A million windows holding ten commits each, as the target reads. At ten million the
        # mock broker could not hold the hundred million commits that would take: those windows
        # hold one.
        scales = [driver.Scale("1M windows", 10, 100, 1000, 1000, 10, offsets_partitions=512)]
        if args.ten_million:
            scales.append(driver.Scale("10M windows", 10, 100, 1000, 10_000, 1, offsets_partitions=512))
        ingest_scale = driver.Scale("1M windows", 10, 100, 1000, 1000, 3)
    try:
        rows = {"metrics": metrics_bench()}
        print(f"== /metrics bench: {rows['metrics']}", flush=True)
        rows["status"] = status_latency(20000, work, zk)
        rows["idle"] = idle(groups, idle_seconds, work, zk)
        rows["memory"] = []
        for s in scales:
            big = s.windows > 1_000_000
            extra = '[general]\nmetrics-granularity = "topic"\n' if big else ""
            # Burrow at ten million windows would add ten minutes for a figure the million shows.
            rows["memory"].append(memory(s, args.rate, sustain_seconds, work, None if big else zk, extra))
        rows["ingest"] = [ingest_vs_floor(ingest_scale, "4.4.0", work)]
        if zk:
            rows["ingest"].append(ingest_vs_floor(ingest_scale, "3.9.1", work, zk))
    finally:
        if zk:
            zk.stop()
    flags = "".join(f" --{f.replace('_', '-')}" for f in ("ten_million", "quick") if getattr(args, f))
    section = report(rows, f"bench/run --floor{flags}")
    print(section)
    write(section, args.out)
