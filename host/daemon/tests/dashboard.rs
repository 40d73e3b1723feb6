//! The dashboard in a real browser, against `warren demo`: Debian's headless Chromium, driven
//! by its chromedriver over the W3C WebDriver protocol (plain HTTP + JSON). Every demo group
//! must show the status it is built to show in the group table (the steady ones in the first
//! table drawn), the filter must survive refreshes, a group page must draw its chart and list
//! its partitions with their owners, the plugin cluster's group page must say the evaluator
//! plugin judged it, the incident panel must see the batch group's incident open and then
//! resolve, and the page must log no console error. Screenshots go to `target/dashboard-screenshots/`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`scripts/test` installs them); the
//! test fails, rather than skips, without them.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};
use warren_testkit::free_port;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// `target/dashboard-screenshots`, next to the `debug` directory the binary is in.
fn screenshot_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_warren"));
    let target = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("target"));
    target.join("dashboard-screenshots")
}

/// A W3C WebDriver session on chromedriver.
struct Browser {
    http: reqwest::Client,
    base: String,
    session: Option<String>,
    /// Every browser log entry read so far (reading the log empties it).
    logs: Vec<Value>,
}

/// chromedriver on `port`, in a process group of its own (so stopping it stops its Chromium).
fn chromedriver(port: u16, stdout: File, stderr: File) -> std::process::Child {
    Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("start chromedriver")
}

impl Browser {
    /// A client of the chromedriver on `port`, before any session.
    fn new(port: u16) -> Self {
        Browser {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            base: format!("http://127.0.0.1:{port}"),
            session: None,
            logs: Vec::new(),
        }
    }

    /// Waits for chromedriver to be ready, then starts a headless Chromium with `profile`.
    async fn open(&mut self, profile: &Path) -> anyhow::Result<()> {
        let http = self.http.clone();
        let status_url = format!("{}/status", self.base);
        wait_for("chromedriver", Duration::from_secs(20), async || match http
            .get(&status_url)
            .send()
            .await
        {
            Ok(r) => r
                .json::<Value>()
                .await
                .is_ok_and(|v| v["value"]["ready"] == true),
            Err(_) => false,
        })
        .await?;
        self.start(profile).await
    }

    async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method.clone(), &url);
        if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
            req = req.json(&body);
        }
        let res = req
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = res.status();
        let value: Value = res
            .json()
            .await
            .with_context(|| format!("{method} {path}: body"))?;
        ensure!(status.is_success(), "{method} {path}: {status}: {value}");
        Ok(value["value"].clone())
    }

    async fn start(&mut self, profile: &Path) -> anyhow::Result<()> {
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1400,1000".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let value = self
            .command(reqwest::Method::POST, "/session", caps)
            .await?;
        let id = value["sessionId"].as_str().context("no sessionId")?;
        self.session = Some(id.to_string());
        Ok(())
    }

    fn path(&self, rest: &str) -> String {
        format!(
            "/session/{}{rest}",
            self.session.as_deref().unwrap_or("none")
        )
    }

    async fn go(&self, url: &str) -> anyhow::Result<()> {
        self.command(
            reqwest::Method::POST,
            &self.path("/url"),
            json!({ "url": url }),
        )
        .await
        .map(drop)
    }

    /// Runs `body` (a function body: use `return`) in the page.
    async fn script(&self, body: &str) -> anyhow::Result<Value> {
        self.command(
            reqwest::Method::POST,
            &self.path("/execute/sync"),
            json!({ "script": body, "args": [] }),
        )
        .await
    }

    async fn find(&self, using: &str, value: &str) -> anyhow::Result<String> {
        let found = self
            .command(
                reqwest::Method::POST,
                &self.path("/element"),
                json!({ "using": using, "value": value }),
            )
            .await?;
        // The W3C element reference key.
        found["element-6066-11e4-a52e-4f735466cecf"]
            .as_str()
            .map(str::to_string)
            .context("no element reference")
    }

    async fn click(&self, element: &str) -> anyhow::Result<()> {
        self.command(
            reqwest::Method::POST,
            &self.path(&format!("/element/{element}/click")),
            json!({}),
        )
        .await
        .map(drop)
    }

    /// Finds an element and clicks it, finding it again when a redraw replaced it in between:
    /// the dashboard rebuilds its tables on every refresh, and a loaded machine widens the gap
    /// between the find and the click.
    async fn click_found(&self, using: &str, selector: &str) -> anyhow::Result<()> {
        let mut stale = 0;
        loop {
            let element = self.find(using, selector).await?;
            match self.click(&element).await {
                Err(e) if stale < 5 && format!("{e:#}").contains("stale element reference") => {
                    stale += 1
                }
                done => return done,
            }
        }
    }

    async fn type_into(&self, element: &str, text: &str) -> anyhow::Result<()> {
        self.command(
            reqwest::Method::POST,
            &self.path(&format!("/element/{element}/value")),
            json!({ "text": text }),
        )
        .await
        .map(drop)
    }

    /// Saves a PNG screenshot of the whole page (the window is resized to the page's height
    /// first) and returns its path.
    async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let height = self
            .script("return document.documentElement.scrollHeight;")
            .await?
            .as_u64()
            .unwrap_or(1000)
            .clamp(600, 4000);
        self.command(
            reqwest::Method::POST,
            &self.path("/window/rect"),
            json!({ "width": 1400, "height": height + 140 }),
        )
        .await?;
        let b64 = self
            .command(reqwest::Method::GET, &self.path("/screenshot"), Value::Null)
            .await?;
        let png = base64_decode(b64.as_str().context("screenshot is not a string")?)?;
        ensure!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "screenshot is not a PNG"
        );
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        println!("screenshot: {}", path.display());
        Ok(path)
    }

    /// Reads the browser console log (chromedriver's extension command) into `self.logs`.
    async fn read_logs(&mut self) -> anyhow::Result<()> {
        let body = json!({ "type": "browser" });
        let entries = match self
            .command(reqwest::Method::POST, &self.path("/se/log"), body.clone())
            .await
        {
            Ok(v) => v,
            Err(_) => {
                self.command(reqwest::Method::POST, &self.path("/log"), body)
                    .await?
            }
        };
        self.logs
            .extend(entries.as_array().cloned().unwrap_or_default());
        Ok(())
    }

    async fn quit(&mut self) {
        if self.session.is_some() {
            let _ = self
                .command(reqwest::Method::DELETE, &self.path(""), Value::Null)
                .await;
            self.session = None;
        }
    }
}

/// Standard base64 (with padding), as WebDriver returns screenshots.
fn base64_decode(text: &str) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => bail!("invalid base64 byte {c}"),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// A table as shown (`{ heads, rows }`, cell texts). Rows go back as arrays: chromedriver
/// fails to serialise an object with a `Window` key, which is one of the column headers.
fn read_table(id: &str) -> String {
    format!(
        r#"
const heads = [...document.querySelectorAll('#{id} thead th')].map((th) => th.textContent.trim());
const rows = [...document.querySelectorAll('#{id} tbody tr')]
  .filter((tr) => tr.cells.length === heads.length)
  .map((tr) => [...tr.cells].map((td) => td.textContent.trim()));
return {{ heads, rows }};
"#
    )
}

/// `read_table`'s answer as one map per row, from column header to cell text.
fn rows(table: &Value) -> Vec<BTreeMap<String, String>> {
    let heads: Vec<&str> = table["heads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    table["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            heads
                .iter()
                .zip(row.as_array().into_iter().flatten())
                .map(|(h, c)| (h.to_string(), c.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .collect()
}

async fn table(browser: &Browser, id: &str) -> anyhow::Result<Vec<BTreeMap<String, String>>> {
    Ok(rows(&browser.script(&read_table(id)).await?))
}

/// What the page shows in plain text, for the NaN/undefined check.
const PAGE_TEXT: &str = "return document.body.innerText;";

fn row_shows(row: &BTreeMap<String, String>, group: &str, status: &str, partition: &str) -> bool {
    let cell = |c: &str| row.get(c).map_or("", String::as_str);
    cell("Group") == group
        && cell("Status") == status
        && cell("Partitions")
            .split(", ")
            .any(|c| c.ends_with(&format!(" {partition}")))
}

/// Text that must never appear on the page (a formatting bug shows as one of these).
fn bad_text(text: &str) -> Option<&'static str> {
    ["NaN", "undefined", "[object Object]"]
        .into_iter()
        .find(|bad| text.contains(bad))
}

async fn wait_for(
    what: &str,
    limit: Duration,
    mut ok: impl AsyncFnMut() -> bool,
) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ok().await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bail!("timed out after {limit:?} waiting for {what}")
}

struct Outcome {
    reached: BTreeMap<&'static str, Duration>,
    last_table: Vec<BTreeMap<String, String>>,
    screenshots: Vec<PathBuf>,
}

/// Everything the browser does; errors instead of panics so the caller always cleans up.
async fn drive(browser: &mut Browser, port: u16, demo_started: Instant) -> anyhow::Result<Outcome> {
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    // Readiness is 503 until the demo's consumer caught up, and Chromium logs a failed fetch
    // as a console error: open the page once the daemon says READY.
    wait_for(
        "the demo to be ready",
        Duration::from_secs(90),
        async || {
            let ready = http.get(format!("{base}/burrow/admin/ready")).send().await;
            ready.is_ok_and(|r| r.status().is_success())
        },
    )
    .await?;
    browser.go(&format!("{base}/?refresh=1#/")).await?;

    let expected = warren_daemon::demo::designed_groups(true);
    let mut reached: BTreeMap<&'static str, Duration> = BTreeMap::new();
    let mut last_table = Vec::new();
    // The demo seeds its history: the first table that lists the groups already shows each
    // one as designed (the cyclic ones may have moved on by the time the page opens).
    wait_for("the first table", Duration::from_secs(30), async || {
        table(browser, "groups")
            .await
            .is_ok_and(|rows| rows.len() >= expected.len())
    })
    .await?;
    let first = table(browser, "groups").await?;
    for d in expected.iter().filter(|d| !d.cyclic) {
        ensure!(
            first
                .iter()
                .any(|r| row_shows(r, d.group, d.status, d.partition_status)),
            "the first table does not show {} as {} ({}): {first:#?}",
            d.group,
            d.status,
            d.partition_status
        );
    }
    while reached.len() < expected.len() && demo_started.elapsed() < Duration::from_secs(150) {
        last_table = table(browser, "groups").await?;
        let text = browser.script(PAGE_TEXT).await?;
        if let Some(bad) = bad_text(text.as_str().unwrap_or_default()) {
            bail!("the page shows {bad:?}:\n{text}");
        }
        browser.read_logs().await?;
        for row in &last_table {
            for d in &expected {
                if row_shows(row, d.group, d.status, d.partition_status) {
                    reached.entry(d.group).or_insert(demo_started.elapsed());
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let mut screenshots = Vec::new();
    if reached.len() < expected.len() {
        screenshots.push(browser.screenshot("overview-timeout").await?);
        return Ok(Outcome {
            reached,
            last_table,
            screenshots,
        });
    }
    // For the picture, a moment where every group shows its status at once (the rewinding
    // and batch groups move through other statuses on their cycles), if one comes within 15 s.
    let all_at_once = Instant::now();
    while all_at_once.elapsed() < Duration::from_secs(15) {
        let rows = table(browser, "groups").await?;
        if expected.iter().all(|d| {
            rows.iter()
                .any(|r| row_shows(r, d.group, d.status, d.partition_status))
        }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let updated = browser
        .script("return document.getElementById('updated').textContent;")
        .await?;
    ensure!(
        updated.as_str().is_some_and(|u| u.starts_with("updated ")),
        "no 'updated … ago': {updated}"
    );
    // The Incidents panel names the instance sending notifications (the demo leads itself).
    let leads = browser
        .script("return document.getElementById('leadership')?.textContent ?? '';")
        .await?;
    ensure!(
        leads
            .as_str()
            .is_some_and(|t| t.starts_with("Sent by instance ") && t.contains("served by")),
        "the sending instance is not named: {leads}"
    );
    screenshots.push(browser.screenshot("overview").await?);

    // The filter narrows the table and stays applied across refreshes (1 s here).
    let filter = browser.find("css selector", "#group-filter").await?;
    browser.type_into(&filter, "stalled").await?;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let filtered = table(browser, "groups").await?;
    let groups: Vec<&str> = filtered
        .iter()
        .filter_map(|r| r.get("Group"))
        .map(String::as_str)
        .collect();
    ensure!(
        groups == ["demo-stalled"],
        "filter 'stalled' across refreshes shows {groups:?}"
    );
    browser
        .script(
            "const f = document.getElementById('group-filter');
             f.value = '';
             f.dispatchEvent(new Event('input'));
             return true;",
        )
        .await?;

    // Sorting by a header: biggest total lag first, kept across refreshes.
    browser
        .click_found(
            "xpath",
            "//table[@id='groups']//th/button[text()='Total lag']",
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let sorted = table(browser, "groups").await?;
    let lags: Vec<u64> = sorted
        .iter()
        .map(|r| {
            r.get("Total lag")
                .map_or("", String::as_str)
                .replace(',', "")
        })
        .map(|l| l.parse().unwrap_or(u64::MAX))
        .collect();
    ensure!(
        lags.len() == expected.len() && lags.windows(2).all(|w| w[0] >= w[1]),
        "sorted by total lag across refreshes: {lags:?}"
    );
    let aria = browser
        .script(
            "const th = document.querySelector('#groups th[aria-sort]');
             return `${th.textContent} ${th.getAttribute('aria-sort')}`;",
        )
        .await?;
    ensure!(aria == "Total lag descending", "aria-sort: {aria}");

    // A group page, reached by clicking its link in the table.
    browser
        .click_found("xpath", "//table[@id='groups']//a[text()='demo-slow']")
        .await?;
    let mut page = Value::Null;
    let read_page = r#"
return {
  hash: location.hash,
  canvas: document.querySelectorAll('#lag-chart canvas').length,
  legend: [...document.querySelectorAll('#lag-chart .u-legend .u-series th')]
    .map((th) => th.textContent.trim()),
  reason: document.getElementById('reason')?.textContent ?? '',
  partitions: document.querySelectorAll('#partitions tbody tr').length,
};
"#;
    let waited = wait_for(
        "the group page's chart and partitions",
        Duration::from_secs(20),
        async || match browser.script(read_page).await {
            Ok(v) => {
                let done = v["canvas"].as_u64().unwrap_or(0) > 0 && v["partitions"] == 3;
                page = v;
                done
            }
            Err(_) => false,
        },
    )
    .await;
    screenshots.push(browser.screenshot("group-demo-slow").await?);
    waited.with_context(|| format!("group page: {page:#}"))?;
    ensure!(page["hash"] == "#/cluster/demo/group/demo-slow", "{page:#}");
    let legend: Vec<&str> = page["legend"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for p in 0..3 {
        let label = format!("demo-events:{p}");
        ensure!(
            legend.contains(&label.as_str()),
            "chart legend lacks {label}: {legend:?}"
        );
    }
    ensure!(
        ["OK:", "WARN:", "ERR:"]
            .iter()
            .any(|s| page["reason"].as_str().unwrap_or_default().starts_with(s)),
        "no evaluation reason: {page:#}"
    );
    let partitions = table(browser, "partitions").await?;
    ensure!(partitions.len() == 3, "{partitions:?}");
    for row in &partitions {
        let cell = |c: &str| row.get(c).map_or("", String::as_str);
        ensure!(cell("Topic") == "demo-events", "{row:?}");
        ensure!(cell("Owner") == "/127.0.0.1", "owner missing: {row:?}");
        ensure!(
            cell("Client ID") == "demo-slow-1",
            "client id missing: {row:?}"
        );
        ensure!(
            ["OK", "WARN", "STOP", "STALL", "REWIND"].contains(&cell("Status")),
            "{row:?}"
        );
    }
    let text = browser.script(PAGE_TEXT).await?;
    if let Some(bad) = bad_text(text.as_str().unwrap_or_default()) {
        bail!("the group page shows {bad:?}:\n{text}");
    }
    browser.read_logs().await?;
    screenshots.extend(plugin_verdict(browser, &base).await?);
    screenshots.extend(incident_opens_and_resolves(browser, &base).await?);
    browser.read_logs().await?;
    Ok(Outcome {
        reached,
        last_table,
        screenshots,
    })
}

/// The evaluator plugin's verdict on a group page: the group the SLO flags, judged by the
/// plugin (not Burrow's rules), WARN.
async fn plugin_verdict(browser: &Browser, base: &str) -> anyhow::Result<Vec<PathBuf>> {
    browser
        .go(&format!("{base}/#/cluster/demo-slo/group/orders-behind"))
        .await?;
    let read = r#"
const p = document.getElementById('reason');
return { judged: p?.parentElement?.innerText ?? '', reason: p?.textContent ?? '' };
"#;
    let mut seen = Value::Null;
    let waited = wait_for(
        "the evaluator plugin's verdict",
        Duration::from_secs(20),
        async || match browser.script(read).await {
            Ok(v) => {
                let done = v["judged"]
                    .as_str()
                    .is_some_and(|t| t.contains("Judged by the evaluator plugin slo."))
                    && v["reason"].as_str().is_some_and(|r| r.starts_with("WARN:"));
                seen = v;
                done
            }
            Err(_) => false,
        },
    )
    .await;
    let shot = browser
        .screenshot("group-orders-behind-plugin-verdict")
        .await?;
    waited.with_context(|| format!("verdict: {seen:#}"))?;
    Ok(vec![shot])
}

/// The incident panel sees the batch group's incident open, then resolve (listed under
/// "Recently resolved"), as the webhook notifier delivers it to the demo's receiver.
async fn incident_opens_and_resolves(
    browser: &Browser,
    base: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    browser.go(&format!("{base}/?refresh=1#/")).await?;
    let mut shots = Vec::new();
    // Open now, or at the next cycle (every 40 s).
    let mut open = Vec::new();
    let waited = wait_for("an open incident", Duration::from_secs(60), async || {
        open = table(browser, "incidents").await.unwrap_or_default();
        open.iter().any(|r| {
            r.get("Group").map(String::as_str) == Some("orders-batch")
                && r.get("Cluster").map(String::as_str) == Some("demo-slo")
                && r.get("Notifier").map(String::as_str) == Some("incidents")
        })
    })
    .await;
    shots.push(browser.screenshot("incident-open").await?);
    waited.with_context(|| format!("open incidents: {open:#?}"))?;
    let recent = "return document.getElementById('recent-incidents').innerText;";
    let mut listed = Value::Null;
    let waited = wait_for(
        "the incident to resolve",
        Duration::from_secs(40),
        async || {
            listed = browser.script(recent).await.unwrap_or(Value::Null);
            listed
                .as_str()
                .is_some_and(|t| t.contains("demo-slo / orders-batch via incidents"))
        },
    )
    .await;
    shots.push(browser.screenshot("incident-resolved").await?);
    waited.with_context(|| format!("recently resolved: {listed}"))?;
    let open_now = table(browser, "incidents").await?;
    ensure!(
        !open_now
            .iter()
            .any(|r| r.get("Group").map(String::as_str) == Some("orders-batch")),
        "resolved but still open: {open_now:#?}"
    );
    Ok(shots)
}

/// Processes the test started; stopped on every path, including panics.
struct Processes {
    demo: Option<Child>,
    driver: Option<Child>,
}

impl Processes {
    fn stop(&mut self) {
        if let Some(mut driver) = self.driver.take() {
            // chromedriver leads its own process group, with the browser it started in it.
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{}", driver.id())])
                .status();
            let _ = driver.wait();
        }
        if let Some(mut demo) = self.demo.take() {
            let _ = Command::new("kill")
                .args(["-INT", &demo.id().to_string()])
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(20) {
                if let Ok(Some(_)) = demo.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = demo.kill();
            let _ = demo.wait();
        }
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_every_demo_group_as_designed_a_plugin_verdict_and_an_incident_opening_and_resolving_in_chromium_without_console_errors()
 {
    for bin in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is missing: the dashboard's browser test needs Debian's chromium and \
             chromium-driver packages (scripts/test installs them: \
             apt-get install chromium chromium-driver)"
        );
    }
    let scratch = tempfile::tempdir().unwrap();
    let port = free_port();
    let driver_port = free_port();
    let log = |name: &str| File::create(scratch.path().join(name)).unwrap();
    let mut processes = Processes {
        demo: None,
        driver: None,
    };
    let demo_started = Instant::now();
    processes.demo = Some(
        Command::new(env!("CARGO_BIN_EXE_warren"))
            .args([
                "demo",
                "--no-table",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(log("demo.out"))
            .stderr(log("demo.err"))
            .spawn()
            .expect("start the demo"),
    );
    processes.driver = Some(chromedriver(
        driver_port,
        log("chromedriver.out"),
        log("chromedriver.err"),
    ));
    let mut browser = Browser::new(driver_port);
    let profile = scratch.path().join("chromium-profile");
    let outcome = async {
        browser.open(&profile).await?;
        drive(&mut browser, port, demo_started).await
    }
    .await;
    browser.quit().await;
    processes.stop();
    let read = |name: &str| std::fs::read_to_string(scratch.path().join(name)).unwrap_or_default();

    let outcome = outcome.unwrap_or_else(|e| {
        panic!(
            "{e:#}\n--- demo stdout\n{}\n--- demo stderr\n{}\n--- chromedriver\n{}",
            read("demo.out"),
            read("demo.err"),
            read("chromedriver.err")
        )
    });
    let expected = warren_daemon::demo::designed_groups(true);
    let missing: Vec<_> = expected
        .iter()
        .filter(|d| !outcome.reached.contains_key(d.group))
        .collect();
    assert!(
        missing.is_empty(),
        "the table never showed: {missing:?}; reached: {:?}; last table: {:#?}; screenshots: {:?}",
        outcome.reached,
        outcome.last_table,
        outcome.screenshots
    );
    let severe: Vec<&Value> = browser
        .logs
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .collect();
    assert!(severe.is_empty(), "console errors: {severe:#?}");
    println!(
        "time to intended status in the dashboard: {:?}",
        outcome.reached
    );
    println!("browser log entries: {}", browser.logs.len());
}

#[test]
fn base64_decodes_the_standard_alphabet() {
    assert_eq!(base64_decode("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
    assert_eq!(base64_decode("+/8=").unwrap(), [0xfb, 0xff]);
    assert!(base64_decode("a*b").is_err());
}

/// The token prompt: a daemon whose API requires a token, the page opened without one.
async fn drive_login(browser: &Browser, port: u16, token: &str) -> anyhow::Result<()> {
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    wait_for(
        "the daemon to listen",
        Duration::from_secs(30),
        async || {
            http.get(format!("{base}/burrow/admin"))
                .send()
                .await
                .is_ok()
        },
    )
    .await?;
    let login_visible = "return !document.getElementById('login').hidden;";
    let nav = "return [...document.querySelectorAll('#cluster-nav a')].map((a) => a.textContent);";
    browser.go(&format!("{base}/?refresh=1#/")).await?;
    wait_for("the token prompt", Duration::from_secs(10), async || {
        browser.script(login_visible).await.is_ok_and(|v| v == true)
    })
    .await?;

    // A wrong token is refused and asked for again.
    let input = browser.find("css selector", "#login-token").await?;
    browser.type_into(&input, "not-the-token").await?;
    browser
        .click(&browser.find("css selector", "#login-submit").await?)
        .await?;
    let refusal = "return document.getElementById('login-error').textContent;";
    wait_for("the refusal", Duration::from_secs(10), async || {
        browser
            .script(refusal)
            .await
            .is_ok_and(|v| v.as_str().is_some_and(|t| t.contains("refused")))
    })
    .await?;
    // It stays through the refresh ticks that follow (each asks again without a token).
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let still = browser.script(refusal).await?;
    ensure!(
        still.as_str().is_some_and(|t| t.contains("refused")),
        "the refusal was wiped by a later refresh: {still}"
    );
    browser.screenshot("login-refused").await?;

    let input = browser.find("css selector", "#login-token").await?;
    browser.type_into(&input, token).await?;
    browser
        .click(&browser.find("css selector", "#login-submit").await?)
        .await?;
    wait_for(
        "the cluster list behind the token",
        Duration::from_secs(10),
        async || {
            browser
                .script(nav)
                .await
                .is_ok_and(|v| v == json!(["local"]))
        },
    )
    .await?;
    ensure!(
        browser.script(login_visible).await? == false,
        "prompt still shown"
    );
    let stored = browser
        .script("return sessionStorage.getItem('warren.token');")
        .await?;
    ensure!(stored == token, "sessionStorage holds {stored}");
    browser.screenshot("login-accepted").await?;

    // A reload in the same tab keeps the token: no prompt.
    browser.go(&format!("{base}/?refresh=1#/")).await?;
    wait_for(
        "the cluster list after a reload",
        Duration::from_secs(10),
        async || {
            browser
                .script(nav)
                .await
                .is_ok_and(|v| v == json!(["local"]))
        },
    )
    .await?;
    ensure!(
        browser.script(login_visible).await? == false,
        "prompt after reload"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_asks_for_a_token_when_the_api_needs_one_and_keeps_it_for_the_tab() {
    for bin in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is missing (scripts/test installs it)"
        );
    }
    let scratch = tempfile::tempdir().unwrap();
    let port = free_port();
    let driver_port = free_port();
    let token = "dashboard-token-3e1f";
    let config = scratch.path().join("warren.toml");
    // The broker is unreachable on purpose: the API answers from configuration regardless.
    std::fs::write(
        &config,
        format!(
            "[cluster.local]\nservers = [\"127.0.0.1:1\"]\n\
             [httpserver.default]\naddress = \"127.0.0.1:{port}\"\n\
             [api-token.browser]\ntoken = \"env:WARREN_TEST_TOKEN\"\nrole = \"read\"\n"
        ),
    )
    .unwrap();
    let log = |name: &str| File::create(scratch.path().join(name)).unwrap();
    let mut processes = Processes {
        demo: None,
        driver: None,
    };
    processes.demo = Some(
        Command::new(env!("CARGO_BIN_EXE_warren"))
            .args(["run", "--config"])
            .arg(&config)
            .env("WARREN_TEST_TOKEN", token)
            .stdout(log("warren.out"))
            .stderr(log("warren.err"))
            .spawn()
            .expect("start warren"),
    );
    processes.driver = Some(chromedriver(
        driver_port,
        log("chromedriver.out"),
        log("chromedriver.err"),
    ));
    let mut browser = Browser::new(driver_port);
    let profile = scratch.path().join("chromium-profile");
    let outcome = async {
        browser.open(&profile).await?;
        drive_login(&browser, port, token).await
    }
    .await;
    browser.quit().await;
    processes.stop();
    let read = |name: &str| std::fs::read_to_string(scratch.path().join(name)).unwrap_or_default();
    if let Err(e) = outcome {
        panic!(
            "{e:#}\n--- warren stderr\n{}\n--- chromedriver\n{}",
            read("warren.err"),
            read("chromedriver.err")
        );
    }
    let log = read("warren.err");
    assert!(!log.contains(token), "the token reached the log");
    assert!(
        log.contains("every request needs a token or user"),
        "the start-up log does not say the API needs credentials:\n{log}"
    );
}
