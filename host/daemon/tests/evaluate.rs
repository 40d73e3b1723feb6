//! `warren evaluate` as an operator runs it: every input under `examples/evaluate/` gives the
//! output in its `.out` file (`BLESS=1` rewrites them), stdin works, and malformed input is
//! rejected with the offending field named and exit code 2.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn evaluate(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warren"))
        .arg("evaluate")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run warren");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(pipe);
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn example_inputs_evaluate_to_their_golden_outputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/evaluate");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/evaluate") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        seen += 1;
        let (code, stdout, stderr) = evaluate(&[path.to_str().unwrap()], None);
        assert_eq!(code, 0, "{path:?}: {stderr}");
        warren_testkit::golden::assert(&path.with_extension("out"), &stdout);
    }
    assert!(seen >= 3, "examples missing");
}

#[test]
fn input_on_stdin_is_evaluated() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/evaluate/stopped.json"),
    )
    .unwrap();
    let (code, stdout, stderr) = evaluate(&["-"], Some(&text));
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (v["status"].as_str(), v["partitions"][0]["status"].as_str()),
        (Some("ERR"), Some("STOP"))
    );
}

#[test]
fn malformed_input_names_the_field_and_exits_2() {
    let cases = [
        (r#"{"cluster":"c","group":"g","partitions":[]}"#, "now"),
        (
            r#"{"cluster":"c","group":"g","now":1,"partitions":[{"topic":"t","partition":0,"offsets":[{"offset":1,"timestamp":"soon"}]}]}"#,
            "partitions[0].offsets[0].timestamp",
        ),
        (
            r#"{"cluster":"c","group":"g","now":1,"minimum-complete":2.0,"partitions":[]}"#,
            "minimum-complete",
        ),
        (
            r#"{"cluster":"c","group":"g","now":1,"partitions":[],"colour":"red"}"#,
            "colour",
        ),
        ("not json", "expected"),
        // Plugin windows are indexed by partition id: an id no topic has must be refused
        // before it sizes a table (2^31 slots), and a negative one must not become 0.
        (
            r#"{"cluster":"c","group":"g","now":1,"partitions":[{"topic":"t","partition":2147483647,"offsets":[]}]}"#,
            "partitions[0].partition",
        ),
        (
            r#"{"cluster":"c","group":"g","now":1,"partitions":[{"topic":"t","partition":-1,"offsets":[]}]}"#,
            "partitions[0].partition",
        ),
    ];
    for (input, field) in cases {
        let (code, _, stderr) = evaluate(&["-"], Some(input));
        assert_eq!(code, 2, "{input}: {stderr}");
        assert!(
            stderr.contains(field),
            "{input}: expected {field:?} in {stderr:?}"
        );
    }
}
