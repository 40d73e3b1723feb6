//! `warren hash-password`: the password comes on standard input and the printed PHC string is
//! what `[api-user.NAME] password-hash` accepts and the API verifies.

use std::io::Write;
use std::process::{Command, Stdio};

fn hash(input: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warren"))
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_printed_hash_verifies_the_password_from_stdin_and_nothing_else() {
    let (ok, out, _) = hash("correct horse battery\n");
    assert!(ok);
    let phc = out.trim_end();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    assert!(!out.contains("correct horse"));
    assert!(warren_http::verify_password(phc, "correct horse battery"));
    assert!(!warren_http::verify_password(
        phc,
        "correct horse battery\n"
    ));
    assert!(!warren_http::verify_password(phc, "wrong"));
    // A fresh salt each time.
    let (_, again, _) = hash("correct horse battery\n");
    assert_ne!(again, out);
    // And the config accepts it.
    let text = format!("[api-user.alice]\npassword-hash = \"{phc}\"\nrole = \"read\"\n");
    let loaded = warren_core::config::load(&text, &|_| None).expect("the hash loads");
    assert_eq!(loaded.config.api_users["alice"].password_hash.expose(), phc);
}

#[test]
fn an_empty_password_is_refused() {
    let (ok, out, err) = hash("\n");
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("empty password"), "{err}");
}
