//! Notifier mail through the host: the probe notifier calls `mail.send`, the host checks the
//! recipients against the grant and delivers over SMTP to a minimal server on 127.0.0.1 that
//! records what it receives; SMTP answers map to transient and permanent failures.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{incident, permanent, probe};
use warren_core::config::MailSecurity;
use warren_runtime::{
    Capabilities, Limits, MailCapability, NotifyError, PluginError, PluginNotifier,
};

/// Recipients and message text of one delivery.
type Delivered = (Vec<String>, String);

/// A minimal SMTP server on 127.0.0.1:0 that records envelopes and messages and answers the
/// end of `DATA` with `data_reply` (`250 ...`, `451 ...`, `554 ...`).
struct Smtp {
    port: u16,
    received: Arc<Mutex<Vec<Delivered>>>,
}

impl Smtp {
    async fn start(data_reply: &'static str) -> Self {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 fake.test ESMTP\r\n").await.unwrap();
                    let mut rcpt = Vec::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                        let reply = match verb.as_str() {
                            "EHLO" | "HELO" => "250 fake.test".to_string(),
                            "RCPT" => {
                                rcpt.push(line[8..].trim_matches(['<', '>']).to_string());
                                "250 ok".into()
                            }
                            "DATA" => {
                                write.write_all(b"354 go ahead\r\n").await.unwrap();
                                let mut message = String::new();
                                while let Ok(Some(l)) = lines.next_line().await {
                                    if l == "." {
                                        break;
                                    }
                                    message.push_str(&l);
                                    message.push('\n');
                                }
                                store
                                    .lock()
                                    .unwrap()
                                    .push((std::mem::take(&mut rcpt), message));
                                data_reply.to_string()
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => "250 ok".into(),
                        };
                        write
                            .write_all(format!("{reply}\r\n").as_bytes())
                            .await
                            .unwrap();
                    }
                });
            }
        });
        Smtp { port, received }
    }

    fn grant(&self) -> MailCapability {
        smtp_grant(self.port)
    }

    fn received(&self) -> Vec<Delivered> {
        self.received.lock().unwrap().clone()
    }
}

/// A plain-SMTP grant for 127.0.0.1:`port`.
fn smtp_grant(port: u16) -> MailCapability {
    MailCapability {
        server: "127.0.0.1".into(),
        port,
        security: MailSecurity::None,
        username: None,
        password: None,
        from: "Warren <warren@example.com>".into(),
        to: vec!["oncall@example.com".into()],
        timeout: Duration::from_secs(5),
        allowed_recipients: vec!["@ops.example.com".into()],
    }
}

async fn mailer(smtp: Option<&Smtp>, to: &[&str]) -> PluginNotifier {
    let caps = Capabilities {
        mail: smtp.map(Smtp::grant),
        ..Capabilities::default()
    };
    let config = serde_json::json!({"mode": "mail", "url": "", "to": to});
    probe(config, Limits::notifier(), caps).await.unwrap()
}

#[tokio::test]
async fn mail_is_denied_without_the_capability() {
    let message = permanent(mailer(None, &[]).await.notify(&incident()).await);
    assert!(
        message.contains("this plugin has no mail capability"),
        "{message}"
    );
}

#[tokio::test]
async fn mail_is_delivered_through_the_smtp_server_with_a_threadable_message_id() {
    let smtp = Smtp::start("250 queued").await;
    mailer(Some(&smtp), &[])
        .await
        .notify(&incident())
        .await
        .unwrap();
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let (rcpt, message) = &received[0];
    assert_eq!(rcpt, &["oncall@example.com"]);
    assert!(message.contains("Subject: orders ERR"), "{message}");
    assert!(
        message.contains("From: Warren <warren@example.com>"),
        "{message}"
    );
    assert!(
        message.contains("Message-ID: <prod/orders/1700000000000@example.com>"),
        "{message}"
    );
    assert!(
        message.contains("incident prod/orders/1700000000000"),
        "{message}"
    );

    // A recipient the grant allows (`@ops.example.com`) may be named; anyone else may not.
    let ops = mailer(Some(&smtp), &["lead@ops.example.com"]).await;
    ops.notify(&incident()).await.unwrap();
    assert_eq!(smtp.received()[1].0, ["lead@ops.example.com"]);
    let evil = mailer(Some(&smtp), &["someone@evil.example"]).await;
    let message = permanent(evil.notify(&incident()).await);
    assert!(message.contains("not allowed"), "{message}");
    assert_eq!(evil.health().calls.get("denied"), Some(&1));
    assert_eq!(smtp.received().len(), 2, "the refused message was not sent");
}

#[tokio::test]
async fn smtp_4xx_is_transient_and_5xx_permanent() {
    let busy = Smtp::start("451 try again later").await;
    match mailer(Some(&busy), &[]).await.notify(&incident()).await {
        Err(NotifyError::Transient { message, .. }) => {
            assert!(
                message.contains("451") || message.contains("try again"),
                "{message}"
            )
        }
        other => panic!("expected transient, got {other:?}"),
    }
    let refusing = Smtp::start("554 rejected as spam").await;
    let message = permanent(mailer(Some(&refusing), &[]).await.notify(&incident()).await);
    assert!(message.contains("rejected as spam"), "{message}");
}

#[tokio::test]
async fn a_bad_mail_grant_fails_load_with_every_problem() {
    let caps = Capabilities {
        mail: Some(MailCapability {
            from: "not an address".into(),
            to: vec!["also@not@valid".into()],
            ..smtp_grant(25)
        }),
        ..Capabilities::default()
    };
    let config = serde_json::json!({"mode": "noop", "url": ""});
    match probe(config, Limits::notifier(), caps).await {
        Err(PluginError::InvalidConfig { problems, .. }) => {
            assert_eq!(problems.len(), 2, "{problems:?}")
        }
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
}
