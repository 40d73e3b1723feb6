//! `warren status [CLUSTER [GROUP]]`: a running daemon's verdicts as a table, for an operator at
//! a terminal. Without arguments, every group of every cluster (the bulk
//! `/v3/kafka/:cluster/status`); with a cluster, that cluster's groups; with a group, its
//! partitions (`/lag`). Statuses are coloured when standard output is a terminal and
//! `NO_COLOR` is unset.

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
    let res = reqwest::get(url)
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
        let why = body["message"].as_str().unwrap_or("error");
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
        "WORST PARTITION".into(),
    ]];
    for c in clusters {
        let body = get(&format!("{base}/v3/kafka/{c}/status")).await?;
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
    let body = get(&format!("{base}/v3/kafka/{cluster}/consumer/{group}/lag")).await?;
    let s = &body["status"];
    let mut out = format!(
        "{cluster}/{group}: {} (total lag {}, {} partitions)\n",
        paint(s["status"].as_str().unwrap_or(""), colour),
        s["totallag"],
        s["partition_count"]
    );
    if let Some(note) = s["evaluator"].as_object() {
        let plugin = note.get("plugin").and_then(Value::as_str).unwrap_or("");
        match note.get("fallback").and_then(Value::as_str) {
            Some(why) => out.push_str(&format!(
                "judged by Burrow's rules: evaluator plugin {plugin} failed: {why}\n"
            )),
            None => out.push_str(&format!("judged by evaluator plugin {plugin}\n")),
        }
    }
    let mut rows = vec![vec![
        "TOPIC".to_string(),
        "PARTITION".into(),
        "STATUS".into(),
        "LAG".into(),
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
            p["end"]["offset"].to_string(),
            p["owner"].as_str().unwrap_or("").to_string(),
            p["client_id"].as_str().unwrap_or("").to_string(),
        ]);
    }
    out.push_str(&table(&rows, 2, colour));
    Ok(out)
}

/// Left-aligned columns; the status column (`status_col`) coloured.
fn table(rows: &[Vec<String>], status_col: usize, colour: bool) -> String {
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
}
