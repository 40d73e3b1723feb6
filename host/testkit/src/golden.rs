//! Golden files: expected output kept in the repository beside the test that produces it.
//!
//! `BLESS=1 cargo test -p <crate>` rewrites every golden file its tests touch (any other value
//! of `BLESS`, or none, compares); review the rewrite with `git diff` before committing it.
//! A mismatch names the file and shows a line diff (`-` expected, `+` actual, two lines of
//! context), not both texts in full.

use std::path::Path;

/// Whether this run rewrites golden files: `BLESS=1`.
pub fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file at `path`, or writes it there under `BLESS=1`.
/// `Err` says which file differs and how, for a test that collects several mismatches.
pub fn check(path: &Path, actual: &str) -> Result<(), String> {
    if blessing() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        return std::fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()));
    }
    let Ok(expected) = std::fs::read_to_string(path) else {
        return Err(format!(
            "{} is missing; run with BLESS=1 to write it",
            path.display()
        ));
    };
    if expected == actual {
        return Ok(());
    }
    Err(format!(
        "{} differs (- expected, + actual; rerun with BLESS=1 to accept):\n{}",
        path.display(),
        diff(&expected, actual)
    ))
}

/// Like [`check`], panicking with its message.
#[track_caller]
pub fn assert(path: &Path, actual: &str) {
    if let Err(message) = check(path, actual) {
        panic!("{message}");
    }
}

/// A line diff of `expected` against `actual`: changed lines with two lines of context around
/// each change, hunks headed by their line numbers.
pub fn diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let ops = edit_script(&old, &new);
    const CONTEXT: usize = 2;
    let mut out = String::new();
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut shown_to = 0;
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(CONTEXT).max(shown_to);
        let mut end = changed[i] + 1;
        while i + 1 < changed.len() && changed[i + 1] <= end + 2 * CONTEXT {
            i += 1;
            end = changed[i] + 1;
        }
        let end = (end + CONTEXT).min(ops.len());
        let (o, n) = ops[start].lines();
        out.push_str(&format!(
            "@@ expected line {}, actual line {} @@\n",
            o + 1,
            n + 1
        ));
        for op in &ops[start..end] {
            out.push_str(&match op {
                Op::Same(o, _) => format!(" {}\n", old[*o]),
                Op::Removed(o, _) => format!("-{}\n", old[*o]),
                Op::Added(_, n) => format!("+{}\n", new[*n]),
            });
        }
        shown_to = end;
        i += 1;
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        out.push_str("(the two differ in a final newline)\n");
    }
    out
}

/// One step of the edit script, with the line indices (expected, actual) it stands at.
enum Op {
    Same(usize, usize),
    Removed(usize, usize),
    Added(usize, usize),
}

impl Op {
    fn lines(&self) -> (usize, usize) {
        match *self {
            Op::Same(o, n) | Op::Removed(o, n) | Op::Added(o, n) => (o, n),
        }
    }
}

/// The shortest edit script by longest common subsequence (quadratic; golden files are small).
fn edit_script(old: &[&str], new: &[&str]) -> Vec<Op> {
    let (m, n) = (old.len(), new.len());
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; n + 1]; m + 1];
    for i in (0..m).rev() {
        for j in (0..n).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(m.max(n));
    while i < m || j < n {
        if i < m && j < n && old[i] == new[j] {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if i < m && (j == n || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(Op::Removed(i, j));
            i += 1;
        } else {
            ops.push(Op::Added(i, j));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_shows_changed_lines_with_context() {
        let expected = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let actual = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n";
        assert_eq!(
            diff(expected, actual),
            "@@ expected line 2, actual line 2 @@\n b\n c\n-d\n+D\n e\n f\n\
             @@ expected line 9, actual line 9 @@\n i\n j\n+k\n"
        );
    }

    #[test]
    fn close_changes_share_a_hunk() {
        let d = diff("1\n2\n3\n4\n5\n", "1\nx\n3\ny\n5\n");
        assert_eq!(d.matches("@@").count(), 2, "{d}");
    }

    #[test]
    fn a_missing_final_newline_is_named() {
        assert!(diff("a\n", "a").contains("final newline"));
    }

    #[test]
    fn equal_text_passes_and_a_missing_file_says_how_to_create_it() {
        let dir = std::env::temp_dir().join(format!("warren-testkit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("same.txt");
        std::fs::write(&path, "x\n").unwrap();
        if !blessing() {
            assert_eq!(check(&path, "x\n"), Ok(()));
            let err = check(&dir.join("absent.txt"), "x").unwrap_err();
            assert!(err.contains("BLESS=1"), "{err}");
            let err = check(&path, "y\n").unwrap_err();
            assert!(err.contains("-x\n+y\n"), "{err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
