//! `warren status [CLUSTER [GROUP]]`: a running daemon's verdicts as a table, for an operator at
//! a terminal. Without arguments, every group of every cluster (the bulk
//! `/v3/kafka/:cluster/status`); with a cluster, that cluster's groups; with a group, its
//! partitions (`/lag`). Statuses are coloured when standard output is a terminal and
//! `NO_COLOR` is unset. When the API requires credentials, `WARREN_TOKEN` is sent as a Bearer
//! token (from the environment, so it stays out of the process list).

use std::io::IsTerminal;
use std::process::ExitCode;

use serde_json::Value;

/// Runs the command against the API at `url`.
pub fn run(url: &str, cluster: Option<&str>, group: Option<&str>) -> ExitCode {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base = url.trim_end_matches('/');
    let result = rt.block_on(async {
        match (cluster, group) {
            (Some(c), Some(g)) => partitions(base, c, g, colour).await,
            (Some(c), None) => groups(base, &[c.to_string()], colour).await,
            _ => {
                let list = get(&format!("{base}/v3/kafka")).await?;
                let clusters: Vec<String> = list["clusters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect();
                groups(base, &clusters, colour).await
            }
        }
    });
    match result {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn get(url: &str) -> Result<Value, String> {
    let mut req = reqwest::Client::new().get(url);
    if let Ok(token) = std::env::var("WARREN_TOKEN") {
        req = req.bearer_auth(token);
    }
    let res = req
        .send()
        .await
        .map_err(|e| format!("cannot reach Warren at {url}: {e}"))?;
    let code = res.status();
    let body: Value = res
        .json()
        .await
        .map_err(|e| format!("{url}: not a Warren answer: {e}"))?;
    if code.is_success() {
        Ok(body)
    } else {
        // The message may quote a group id: escaped like every name this command prints.
        let why = printable(body["message"].as_str().unwrap_or("error"));
        Err(format!("{url}: {code}: {why}"))
    }
}

async fn groups(base: &str, clusters: &[String], colour: bool) -> Result<String, String> {
    let mut rows = vec![vec![
        "CLUSTER".to_string(),
        "GROUP".into(),
        "STATUS".into(),
        "PARTITIONS".into(),
        "TOTAL LAG".into(),
        "LAG TIME".into(),
        "CATCH-UP".into(),
        "WORST PARTITION".into(),
    ]];
    for c in clusters {
        let body = get(&api_url(base, &["v3", "kafka", c, "status"])).await?;
        for s in body["statuses"].as_array().into_iter().flatten() {
            let count = s["partition_count"].as_u64().unwrap_or(0);
            let bad: u64 = s["partition_statuses"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| k.as_str() != "OK")
                        .filter_map(|(_, v)| v.as_u64())
                        .sum()
                })
                .unwrap_or(0);
            let worst = &s["maxlag"];
            let worst = if worst.is_object() {
                format!(
                    "{}[{}] {} lag {}",
                    worst["topic"].as_str().unwrap_or(""),
                    worst["partition"],
                    worst["status"].as_str().unwrap_or(""),
                    worst["current_lag"]
                )
            } else {
                String::new()
            };
            rows.push(vec![
                c.clone(),
                s["group"].as_str().unwrap_or("").to_string(),
                s["status"].as_str().unwrap_or("").to_string(),
                if bad == 0 {
                    format!("{count} ok")
                } else {
                    format!("{bad} of {count} not ok")
                },
                s["totallag"].to_string(),
                duration(&s["max_time_lag_ms"]),
                duration(&s["catchup_eta_ms"]),
                worst,
            ]);
        }
    }
    Ok(table(&rows, 2, colour))
}

async fn partitions(
    base: &str,
    cluster: &str,
    group: &str,
    colour: bool,
) -> Result<String, String> {
    let body = get(&api_url(
        base,
        &["v3", "kafka", cluster, "consumer", group, "lag"],
    ))
    .await?;
    let s = &body["status"];
    let mut out = format!(
        "{}/{}: {} (total lag {}, lag time {}, catch-up {}, {} partitions)\n",
        printable(cluster),
        printable(group),
        paint(s["status"].as_str().unwrap_or(""), colour),
        s["totallag"],
        duration(&s["max_time_lag_ms"]),
        duration(&s["catchup_eta_ms"]),
        s["partition_count"]
    );
    if let Some(note) = s["evaluator"].as_object() {
        let plugin = note.get("plugin").and_then(Value::as_str).unwrap_or("");
        match note.get("fallback").and_then(Value::as_str) {
            Some(why) => out.push_str(&format!(
                "judged by Burrow's rules: evaluator plugin {} failed: {}\n",
                printable(plugin),
                printable(why)
            )),
            None => out.push_str(&format!(
                "judged by evaluator plugin {}\n",
                printable(plugin)
            )),
        }
    }
    let mut rows = vec![vec![
        "TOPIC".to_string(),
        "PARTITION".into(),
        "STATUS".into(),
        "LAG".into(),
        "LAG TIME".into(),
        "CATCH-UP".into(),
        "OFFSET".into(),
        "OWNER".into(),
        "CLIENT".into(),
    ]];
    for p in s["partitions"].as_array().into_iter().flatten() {
        rows.push(vec![
            p["topic"].as_str().unwrap_or("").to_string(),
            p["partition"].to_string(),
            p["status"].as_str().unwrap_or("").to_string(),
            p["current_lag"].to_string(),
            lag_time(p),
            duration(&p["catchup_eta_ms"]),
            p["end"]["offset"].to_string(),
            p["owner"].as_str().unwrap_or("").to_string(),
            p["client_id"].as_str().unwrap_or("").to_string(),
        ]);
    }
    out.push_str(&table(&rows, 2, colour));
    Ok(out)
}

/// A duration in ms as `4m12s`; `-` when absent (unknown, or no ETA).
fn duration(ms: &Value) -> String {
    let Some(ms) = ms.as_u64() else {
        return "-".into();
    };
    let s = ms / 1000;
    match s {
        0 => format!("{ms}ms"),
        1..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

/// A partition's time lag, with `>=` for a lower bound and `~` for an extrapolation.
fn lag_time(p: &Value) -> String {
    let d = duration(&p["time_lag_ms"]);
    match p["time_lag_estimate"].as_str() {
        Some("at_least") => format!(">={d}"),
        Some("extrapolated") => format!("~{d}"),
        _ => d,
    }
}

/// `base` followed by `segments`, each percent-encoded: group ids may hold `/ ? # %`.
fn api_url(base: &str, segments: &[&str]) -> String {
    let mut url = base.to_string();
    for segment in segments {
        url.push('/');
        url.push_str(&warren_common::percent::encode(segment));
    }
    url
}

/// `text` safe to print on a terminal: group, topic and client ids come from Kafka clients, so
/// control characters (an escape sequence could rewrite the screen or the title bar) are shown
/// escaped, as Rust writes them in a string literal.
fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Left-aligned columns; the status column (`status_col`) coloured; every cell
/// [`printable`].
fn table(rows: &[Vec<String>], status_col: usize, colour: bool) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| printable(cell)).collect())
        .collect();
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            let shown = if c == status_col && i > 0 {
                paint(cell, colour)
            } else {
                cell.clone()
            };
            line.push_str(&shown);
            if c + 1 < cols {
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn paint(status: &str, colour: bool) -> String {
    if !colour {
        return status.to_string();
    }
    let code = match status {
        "OK" => "32",
        "WARN" => "33",
        "NOTFOUND" => "90",
        _ => "31",
    };
    format!("\x1b[{code}m{status}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_colour_is_only_for_terminals() {
        let rows = vec![
            vec!["A".to_string(), "STATUS".into(), "X".into()],
            vec!["long-name".to_string(), "ERR".into(), "1".into()],
        ];
        assert_eq!(
            table(&rows, 1, false),
            "A          STATUS  X\nlong-name  ERR     1\n"
        );
        assert!(table(&rows, 1, true).contains("\x1b[31mERR\x1b[0m"));
    }

    #[test]
    fn group_ids_with_url_syntax_are_one_path_segment() {
        assert_eq!(
            api_url(
                "http://w:8000",
                &["v3", "kafka", "prod", "consumer", "a/b?c#d%e f", "lag"]
            ),
            "http://w:8000/v3/kafka/prod/consumer/a%2Fb%3Fc%23d%25e%20f/lag"
        );
    }

    #[test]
    fn control_characters_in_names_are_printed_escaped_not_sent_to_the_terminal() {
        let rows = vec![
            vec!["GROUP".to_string(), "STATUS".into()],
            vec!["evil\x1b]0;pwned\x07\x1b[2J".to_string(), "OK".into()],
        ];
        let out = table(&rows, 1, false);
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
        assert!(
            out.contains("evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"),
            "{out:?}"
        );
        assert_eq!(printable("grüne-gruppe"), "grüne-gruppe");
    }

    #[test]
    fn durations_read_like_an_operator_writes_them_and_unknown_is_a_dash() {
        let d = |v: Value| duration(&v);
        assert_eq!(d(Value::Null), "-");
        assert_eq!(d(350.into()), "350ms");
        assert_eq!(d(59_999.into()), "59s");
        assert_eq!(d(252_000.into()), "4m12s");
        assert_eq!(d(5_400_000.into()), "1h30m");
        assert_eq!(d(90_000_000.into()), "1d01h");
        let p = serde_json::json!({"time_lag_ms": 60_000, "time_lag_estimate": "at_least"});
        assert_eq!(lag_time(&p), ">=1m00s");
    }
}
