//! `warren hash-password`: reads a password from standard input (the first line, so
//! `echo "$PW" | warren hash-password` and typing it both work, and it never appears in the
//! process list or shell history as an argument) and prints the argon2id PHC string to paste as
//! `[api-user.NAME] password-hash`.

use std::io::{BufRead, Write};
use std::process::ExitCode;

/// Runs the command.
pub fn run() -> ExitCode {
    let mut line = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut line) {
        eprintln!("error: reading the password from standard input: {e}");
        return ExitCode::FAILURE;
    }
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        eprintln!("error: empty password (give it on standard input)");
        return ExitCode::from(2);
    }
    match warren_http::hash_password(password) {
        Ok(hash) => {
            let _ = writeln!(std::io::stdout(), "{hash}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: hashing failed: {e}");
            ExitCode::FAILURE
        }
    }
}
