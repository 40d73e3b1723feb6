//! Go template actions as tokens: fields (`.A.B`), variables (`$x.A`), strings (quoted and
//! raw), numbers, names, parenthesised groups and punctuation, with the spaces that separate
//! a command's operands kept until the operands are split.

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// `.A.B` (empty: `.`).
    Field(Vec<String>),
    /// `$x.A.B` (`$` alone: an empty name).
    Var(String, Vec<String>),
    Str(String),
    Number(String),
    Ident(String),
    /// `( … )`.
    Group(Vec<Token>),
    Pipe,
    Declare,
    Assign,
    Comma,
    /// Whitespace between operands (dropped after splitting operands).
    Space,
}

pub(super) fn lex(body: &str) -> Result<Vec<Token>, String> {
    let (tokens, rest) = lex_until(body, false)?;
    debug_assert!(rest.is_empty());
    Ok(tokens)
}

/// Tokens up to the end (or the `)` closing a group), and what follows.
fn lex_until(mut s: &str, in_group: bool) -> Result<(Vec<Token>, &str), String> {
    let mut tokens = Vec::new();
    let path = |s: &str| -> (Vec<String>, usize) {
        let mut fields = Vec::new();
        let mut at = 0;
        while s[at..].starts_with('.') {
            let name: String = s[at + 1..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            at += 1 + name.len();
            if name.is_empty() {
                break;
            }
            fields.push(name);
        }
        (fields, at)
    };
    while let Some(c) = s.chars().next() {
        match c {
            c if c.is_whitespace() => {
                if tokens.last() != Some(&Token::Space) {
                    tokens.push(Token::Space);
                }
                s = &s[c.len_utf8()..];
            }
            '.' if !s[1..].starts_with(|d: char| d.is_ascii_digit()) => {
                let (fields, len) = path(s);
                tokens.push(Token::Field(fields));
                s = &s[len..];
            }
            '$' => {
                let name: String = s[1..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let (fields, len) = path(&s[1 + name.len()..]);
                tokens.push(Token::Var(name.clone(), fields));
                s = &s[1 + name.len() + len..];
            }
            '"' => {
                let end = find_string_end(s).ok_or("unterminated string")?;
                let value: String = serde_json::from_str(&s[..=end])
                    .map_err(|_| format!("cannot read the string {}", &s[..=end]))?;
                tokens.push(Token::Str(value));
                s = &s[end + 1..];
            }
            '`' => {
                let end = s[1..].find('`').ok_or("unterminated raw string")? + 1;
                tokens.push(Token::Str(s[1..end].to_string()));
                s = &s[end + 1..];
            }
            '\'' => return Err("character constants are not supported: use a number".into()),
            '(' => {
                let (inner, rest) = lex_until(&s[1..], true)?;
                tokens.push(Token::Group(inner));
                s = rest;
                // A field right after `)` is chained onto the group's value.
                if s.starts_with('.') {
                    let (fields, len) = path(s);
                    tokens.push(Token::Field(fields));
                    s = &s[len..];
                }
            }
            ')' if in_group => return Ok((tokens, &s[1..])),
            ')' => return Err("unbalanced `)`".into()),
            '|' => {
                tokens.push(Token::Pipe);
                s = &s[1..];
            }
            ',' => {
                tokens.push(Token::Comma);
                s = &s[1..];
            }
            ':' if s.starts_with(":=") => {
                tokens.push(Token::Declare);
                s = &s[2..];
            }
            '=' => {
                tokens.push(Token::Assign);
                s = &s[1..];
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                let len = s[1..]
                    .find(|d: char| !(d.is_ascii_alphanumeric() || d == '.' || d == '_'))
                    .map_or(s.len(), |n| n + 1);
                let number = s[..len].replace('_', "");
                if number.parse::<f64>().is_err() && number.parse::<i64>().is_err() {
                    return Err(format!("cannot read the number {number}"));
                }
                tokens.push(Token::Number(number.trim_start_matches('+').to_string()));
                s = &s[len..];
            }
            c if c.is_alphabetic() || c == '_' => {
                let name: String = s
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                s = &s[name.len()..];
                tokens.push(Token::Ident(name));
            }
            other => return Err(format!("unexpected `{other}`")),
        }
    }
    if in_group {
        return Err("unclosed `(`".into());
    }
    Ok((strip_edges(tokens), s))
}

fn strip_edges(mut tokens: Vec<Token>) -> Vec<Token> {
    while tokens.last() == Some(&Token::Space) {
        tokens.pop();
    }
    while tokens.first() == Some(&Token::Space) {
        tokens.remove(0);
    }
    tokens
}

fn find_string_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `tokens` split at the top-level tokens `is_separator` accepts, spaces around each part
/// dropped.
pub(super) fn split_top(tokens: &[Token], is_separator: impl Fn(&Token) -> bool) -> Vec<&[Token]> {
    tokens
        .split(is_separator)
        .map(|part| {
            let start = part
                .iter()
                .position(|t| *t != Token::Space)
                .unwrap_or(part.len());
            let end = part
                .iter()
                .rposition(|t| *t != Token::Space)
                .map_or(start, |e| e + 1);
            &part[start..end]
        })
        .collect()
}

/// A command's operands: runs of tokens between spaces (a group and the fields chained onto
/// it are one operand).
pub(super) fn operands(tokens: &[Token]) -> Result<Vec<Vec<Token>>, String> {
    let mut out: Vec<Vec<Token>> = Vec::new();
    let mut current = Vec::new();
    for t in tokens {
        match t {
            Token::Space => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            Token::Declare | Token::Assign | Token::Comma => {
                return Err("a declaration (`$x := …`) must start the action".into());
            }
            t => current.push(t.clone()),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}
