//! Burrow-style Go templates beyond the three defaults (those are rendered by the webhook's
//! and email's tests): Burrow's `default-slack-post.tmpl`, and `default-wecom-post.tmpl`, a
//! template written the way users write them (`with`, `.` inside it, `$variables`, `printf`,
//! pipes without spaces, `range $k,$v :=` over Burrow's helpers, `{{-` trimming, `.Lag.Value`).
//! Each is translated, rendered for the sample incident, and compared with what Burrow's Go
//! templates print for it.

use warren_plugin_sdk::notifier::fixture;
use warren_plugin_sdk::template::{Syntax, Template};
use warren_plugin_sdk::types::IncidentKind;

fn render(text: &str) -> String {
    let t = Template::check(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.syntax(), Syntax::Go);
    t.render(&fixture::event(IncidentKind::Opened), &[])
        .unwrap_or_else(|e| panic!("{e}\n{}", t.source()))
}

#[test]
fn burrows_slack_template_renders_its_attachment() {
    let body = render(include_str!("burrow-templates/default-slack-post.tmpl"));
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    let fields = &value["attachments"][0]["fields"];
    assert_eq!(fields[0]["value"], "payments-consumer");
    assert_eq!(fields[1]["value"], "prod-eu");
    assert_eq!(fields[2]["value"], "612331");
    assert_eq!(fields[3]["value"], "2025-11-20T10:04:11Z");
}

#[test]
fn a_user_written_wecom_template_renders_as_go_would() {
    let body = render(include_str!("burrow-templates/default-wecom-post.tmpl"));
    let expected = concat!(
        "{\"msgtype\": \"markdown\",\"markdown\": {\"content\": \"\n",
        "# Kafka: prod-eu\n",
        "ConsumerGroup: payments-consumer<font color=\\\"comment\\\">abnormal</font>\n",
        "**Status**: Total(Partitions=12,Lag=612331)[<font color=\\\"comment\\\">ERR</font>]",
        "(https://pkg.go.dev/github.com/linkedin/Burrow/core/protocol#StatusConstant)1.00\n",
        "Time: 1970-01-01 00:00:00\n",
        "**MaxLagDetails:**\\tMaxLag=402118\n",
        "payments[STALL]()1.00\\n\\tConsumerHost=/10.0.0.7\\n\\tConsumerClientID=payments-1\n",
        "\\tCurrentLag=402118\n",
        "\\tPartition=7\n",
        "### <font color=\\\"comment\\\">2 partitions have problems</font>\n",
        ">**CountPartitions:**\\n\\tstall=1\\n\\twarn=1\n",
        "**TopicsByStatus:**\n",
        "\\tSTALL=[payments]\n",
        "\\tWARN=[payments]\n",
        "**PartitionDetails:**\n",
        "payments[WARN]()1.00\\n\\tConsumerHost=/10.0.0.7\\n\\tConsumerClientID=payments-1\n",
        "\\tCurrentLag=190007\n",
        "\\tPartition=2\n",
        "\\tStart=2025-11-20 09:54:11\n",
        "\\t\\tOffset=1000\\tLag=190007\n",
        "\\tEnd=2025-11-20 10:04:11\n",
        "\\t\\tOffset=1500\\tLag=190007\n",
        "payments[STALL]()1.00\\n\\tConsumerHost=/10.0.0.7\\n\\tConsumerClientID=payments-1\n",
        "\\tCurrentLag=402118\n",
        "\\tPartition=7\n",
        "\\tStart=2025-11-20 09:54:11\n",
        "\\t\\tOffset=1000\\tLag=402118\n",
        "\\tEnd=2025-11-20 10:04:11\n",
        "\\t\\tOffset=1500\\tLag=402118\n",
        "\"\n}}\n",
    );
    assert_eq!(body, expected, "\n{body}");
}
