//! Burrow's own `[notifier.NAME]` sections, unchanged from a `burrow.toml`, deliver on
//! librdkafka's mock cluster: an `http` one (Burrow's default templates, `extras`, basic auth,
//! `DELETE` on close) and one with a Go template file of the user's and a templated URL to a
//! real HTTP receiver on 127.0.0.1, and an `email` one to a real SMTP server (aiosmtpd). The
//! group stops committing (ERR), then resumes.

use std::time::Duration;

use warren_integration_tests::notify::{broker, start, wait_ok_and_full, wait_requests};
use warren_integration_tests::receiver::Receiver;
use warren_integration_tests::smtp::{Smtp, header};
use warren_integration_tests::wait_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burrow_http_and_email_sections_deliver_as_burrow_did_without_a_plugin_section() {
    let smtp = Smtp::start();
    let hook = Receiver::start().await;
    let (mock, traffic, group) = broker();
    let dir = tempfile::tempdir().unwrap();
    // Burrow's keys only; the templates are Burrow's defaults, not present on this machine.
    let notifiers = format!(
        r#"
[notifier.default]
class-name = "http"
url-open = "{base}/v1/event"
url-close = "{base}/v1/event"
method-close = "DELETE"
template-open = "conf/default-http-post.tmpl"
template-close = "conf/default-http-delete.tmpl"
extras = {{ api_key = "k-123", app = "burrow", tier = "STG" }}
username = "burrow"
password = "pw-basic"
send-close = true
threshold = 3
interval = "300ms"
send-interval = "1h"
timeout = 5

[notifier.custom]
class-name = "http"
url-open = "{base}/custom/{{{{.Group}}}}"
template-open = "custom-post.tmpl"
threshold = 3
interval = "300ms"
send-interval = "1h"

[notifier.mail]
class-name = "email"
server = "127.0.0.1"
port = {smtp_port}
from = "burrow@example.com"
to = "oncall@example.com"
template-open = "/etc/burrow/default-email.tmpl"
threshold = 3
interval = "300ms"
send-interval = "1h"
"#,
        base = hook.base,
        smtp_port = smtp.port,
    );
    // A user's own template, beside the config file as Burrow users keep theirs.
    std::fs::write(
        dir.path().join("custom-post.tmpl"),
        "{\"text\": \"{{.Group}} is {{.Result.Status}}\", \"lag\": {{.Result.TotalLag}}, \
         \"partitions\": {{len .Result.Partitions}}}\n",
    )
    .unwrap();
    let d = start(&mock, dir.path(), &notifiers).await;
    wait_ok_and_full(&d, &group).await;
    traffic.commits(0, false);

    let opened = wait_requests(&hook, "/v1/event", 1, Duration::from_secs(30)).await;
    let body = &opened[0];
    assert_eq!(body["api_key"], "k-123", "{body}");
    assert_eq!(body["app"], "burrow");
    let event = &body["events"][0];
    assert_eq!(event["event"]["severity"], "ERR", "{body}");
    assert_eq!(event["event"]["tier"], "STG");
    assert_eq!(event["event"]["group"], group.as_str());
    let id = event["id"].as_str().expect("incident id").to_owned();
    let recorded = hook.requests("/v1/event");
    assert_eq!(recorded[0].method, "POST");
    let basic = <base64ct::Base64 as base64ct::Encoding>::encode_string(b"burrow:pw-basic");
    assert_eq!(
        recorded[0].headers.get("authorization").map(String::as_str),
        Some(format!("Basic {basic}").as_str())
    );
    let custom = wait_requests(
        &hook,
        &format!("/custom/{group}"),
        1,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        custom[0]["text"],
        format!("{group} is ERR"),
        "{}",
        custom[0]
    );
    assert!(
        custom[0]["lag"].as_i64().is_some_and(|l| l > 0),
        "{}",
        custom[0]
    );
    assert_eq!(custom[0]["partitions"], 1, "{}", custom[0]);

    wait_until(Duration::from_secs(30), "the alert mail", || async {
        !smtp.messages().is_empty()
    })
    .await;
    let mail = &smtp.messages()[0];
    assert!(
        header(mail, "To").is_some_and(|t| t.contains("oncall@example.com")),
        "{mail}"
    );
    assert!(mail.contains(&group), "{mail}");

    traffic.commits(0, true);
    let all = wait_requests(&hook, "/v1/event", 2, Duration::from_secs(30)).await;
    assert_eq!(hook.requests("/v1/event")[1].method, "DELETE");
    assert_eq!(all[1]["ids"][0].as_str(), Some(id.as_str()), "{}", all[1]);
    // Burrow's email notifier sent no close unless asked: one mail only.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(smtp.messages().len(), 1);
    d.stop().await;
}
