//! Go `text/template` (what Burrow's `.tmpl` files are written in) translated to MiniJinja,
//! action by action, text untouched, so a translated template keeps its line numbers.
//!
//! | Go | MiniJinja |
//! |---|---|
//! | `{{.Result.Status}}`, `{{.Result.Status.String}}` | `{{ Result.Status }}` |
//! | `{{.Start.Lag.Value}}` (later Burrow's lag struct) | `{{ Start.Lag }}` |
//! | `{{index .Extras "app"}}` | `{{ index(Extras, "app") }}` |
//! | `{{.Result.Partitions \| jsonencoder}}` | `{{ jsonencoder(Result.Partitions) }}` |
//! | `{{.Start.Format "Jan 02, 2006"}}` | `{{ strftime(Start, "%b %d, %Y") }}` |
//! | `{{if eq .Result.Status 2}}…{{else if …}}…{{else}}…{{end}}` | `{% if eq(Result.Status, 2) %}…{% elif … %}…{% else %}…{% endif %}` |
//! | `{{range .Result.Partitions}}{{.Topic}}{{else}}…{{end}}` | `{% for dot1 in Result.Partitions \| govalues %}{{ dot1.Topic }}{% else %}…{% endfor %}` |
//! | `{{range $i, $p := …}}`, `{{$x := …}}`, `{{$.Group}}` | `{% for v_i, v_p in … \| goitems %}`, `{% set v_x = … %}`, `{{ Group }}` |
//! | `{{with .Result.Maxlag}}{{.Topic}}{{end}}` | `{% with dot1 = Result.Maxlag %}{% if dot1 %}{{ dot1.Topic }}{% endif %}{% endwith %}` |
//! | `{{and a b}}`, `{{or a b}}`, `{{not a}}` | `(a and b)`, `(a or b)`, `(not a)` |
//! | `{{- … -}}`, `{{/* … */}}` | `{{- … -}}` (the same trimming), `{# … #}` |
//!
//! What has no equivalent is an error naming the line and what to write instead:
//! `define`/`template`/`block` (inline the named template), `break`/`continue`, `js`,
//! `slice`, `call`, and `.` alone outside a `range` or `with`.

use std::fmt::Write as _;

use lex::{Token, lex, operands, split_top};

mod lex;

/// Go's built-in functions and Burrow's helpers that have a MiniJinja function of the same
/// name (see [`super::functions`]).
const FUNCTIONS: &[&str] = &[
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "len",
    "index",
    "print",
    "printf",
    "println",
    "html",
    "urlquery",
    "jsonencoder",
    "topicsbystatus",
    "partitioncounts",
    "add",
    "minus",
    "multiply",
    "divide",
    "maxlag",
    "formattimestamp",
];

/// Whether `text` is written in Go's template syntax rather than MiniJinja's: it has no
/// `{%`/`{#` and some action starts the Go way (`.Field`, `$var`, a keyword such as `range`
/// or `end`, a comment, or a function applied without parentheses: `index .Extras "app"`).
pub fn is_go(text: &str) -> bool {
    if text.contains("{%") || text.contains("{#") {
        return false;
    }
    text.split("{{").skip(1).any(|action| {
        let body = action.strip_prefix('-').unwrap_or(action).trim_start();
        let word: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = body[word.len()..].chars().next().unwrap_or(' ');
        let next = body[word.len()..]
            .trim_start()
            .chars()
            .next()
            .unwrap_or('}');
        body.starts_with('.')
            || body.starts_with('$')
            || body.starts_with("/*")
            || ([
                "if", "range", "end", "else", "with", "define", "template", "block",
            ]
            .contains(&word.as_str())
                && (after.is_whitespace() || after == '}'))
            || (FUNCTIONS.contains(&word.as_str())
                && after.is_whitespace()
                && (".$\"`(-".contains(next) || next.is_ascii_digit()))
    })
}

/// `go` translated to MiniJinja; an error names the 1-based line of the action and says
/// what to write instead.
pub fn translate(go: &str) -> Result<String, String> {
    let mut t = Translator {
        out: String::with_capacity(go.len() + go.len() / 4),
        stack: Vec::new(),
        dots: Vec::new(),
        next_dot: 0,
    };
    let mut rest = go;
    let mut line = 1;
    while let Some(open) = rest.find("{{") {
        t.text(&rest[..open]);
        line += rest[..open].matches('\n').count();
        let action = &rest[open + 2..];
        let close = find_close(action).ok_or_else(|| format!("line {line}: unclosed action"))?;
        let inner = &action[..close];
        t.action(inner)
            .map_err(|e| format!("line {line}: {{{{{}}}}}: {e}", inner.trim()))?;
        line += inner.matches('\n').count();
        rest = &action[close + 2..];
    }
    t.text(rest);
    if let Some(open) = t.stack.last() {
        return Err(format!(
            "line {line}: {{{{{}}}}} is never closed: add {{{{end}}}}",
            open.keyword()
        ));
    }
    Ok(t.out)
}

/// The offset of the `}}` closing an action, skipping strings and comments.
fn find_close(action: &str) -> Option<usize> {
    let bytes = action.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += action[i..].find("*/")? + 1;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// An open block.
enum Frame {
    If,
    /// `range`; whether the body's dot is still pushed (not after `{{else}}`).
    Range(bool),
    With(bool),
}

impl Frame {
    fn keyword(&self) -> &'static str {
        match self {
            Frame::If => "if",
            Frame::Range(_) => "range",
            Frame::With(_) => "with",
        }
    }
}

struct Translator {
    out: String,
    stack: Vec<Frame>,
    /// What `.` is inside each enclosing `range`/`with`; empty at the top (the variables).
    dots: Vec<String>,
    next_dot: usize,
}

impl Translator {
    fn text(&mut self, text: &str) {
        if text.contains("{%") || text.contains("{#") || text.contains("{{") {
            let _ = write!(self.out, "{{% raw %}}{text}{{% endraw %}}");
        } else {
            self.out.push_str(text);
        }
    }

    fn action(&mut self, inner: &str) -> Result<(), String> {
        let (trim_left, body) = match inner.strip_prefix('-') {
            Some(rest) if rest.starts_with(char::is_whitespace) => (true, rest),
            _ => (false, inner),
        };
        let (trim_right, body) = match body.strip_suffix('-') {
            Some(rest) if rest.ends_with(char::is_whitespace) => (true, rest),
            _ => (false, body),
        };
        let (l, r) = (
            if trim_left { "-" } else { "" },
            if trim_right { "-" } else { "" },
        );
        let body = body.trim();
        if let Some(comment) = body.strip_prefix("/*") {
            let comment = comment.strip_suffix("*/").ok_or("unclosed comment")?;
            let _ = write!(self.out, "{{#{l}{}{r}#}}", comment.replace("#}", "# }"));
            return Ok(());
        }
        let tokens = lex(body)?;
        let words: Vec<&Token> = tokens.iter().filter(|t| **t != Token::Space).collect();
        let declared = tokens
            .iter()
            .position(|t| matches!(t, Token::Declare | Token::Assign));
        let stmt = |out: &mut String, s: &str| {
            let _ = write!(out, "{{%{l} {s} {r}%}}");
        };
        match tokens.first() {
            Some(Token::Ident(k)) if k == "if" => {
                let e = self.pipeline(&tokens[1..])?;
                self.stack.push(Frame::If);
                stmt(&mut self.out, &format!("if {e}"));
            }
            Some(Token::Ident(k)) if k == "else" => match (words.get(1), self.stack.last_mut()) {
                (None, Some(Frame::If)) => stmt(&mut self.out, "else"),
                (None, Some(Frame::Range(pushed) | Frame::With(pushed))) => {
                    if std::mem::take(pushed) {
                        self.dots.pop();
                    }
                    stmt(&mut self.out, "else");
                }
                (Some(Token::Ident(k)), Some(Frame::If)) if k == "if" => {
                    let at = tokens
                        .iter()
                        .skip(1)
                        .position(|t| *t == Token::Ident("if".into()));
                    let e = self.pipeline(&tokens[at.unwrap_or(0) + 2..])?;
                    stmt(&mut self.out, &format!("elif {e}"));
                }
                (Some(_), _) => {
                    return Err(
                        "only `else if` chains are supported: nest an `{{if}}` in the \
                                `{{else}}` instead"
                            .into(),
                    );
                }
                (None, None) => return Err("`else` outside `if`, `range` or `with`".into()),
            },
            Some(Token::Ident(k)) if k == "end" => match self.stack.pop() {
                Some(Frame::If) => stmt(&mut self.out, "endif"),
                Some(Frame::Range(pushed)) => {
                    if pushed {
                        self.dots.pop();
                    }
                    stmt(&mut self.out, "endfor");
                }
                Some(Frame::With(pushed)) => {
                    if pushed {
                        self.dots.pop();
                    }
                    let _ = write!(self.out, "{{%{l} endif %}}{{% endwith {r}%}}");
                }
                None => return Err("`end` without an open `if`, `range` or `with`".into()),
            },
            Some(Token::Ident(k)) if k == "range" => self.range(&tokens[1..], l, r)?,
            Some(Token::Ident(k)) if k == "with" => {
                let e = self.pipeline(&tokens[1..])?;
                let dot = self.new_dot();
                let _ = write!(self.out, "{{%{l} with {dot} = {e} %}}{{% if {dot} {r}%}}");
                self.dots.push(dot);
                self.stack.push(Frame::With(true));
            }
            Some(Token::Ident(k)) if ["define", "template", "block"].contains(&k.as_str()) => {
                return Err(format!(
                    "`{k}` (named templates) is not supported: write the named template's text \
                     in its place"
                ));
            }
            Some(Token::Ident(k)) if k == "break" || k == "continue" => {
                return Err(format!(
                    "`{k}` is not supported: filter with an `{{{{if}}}}` around the loop's body"
                ));
            }
            Some(Token::Var(name, path)) if path.is_empty() && declared.is_some() => {
                let at = declared.unwrap_or(0);
                if words.len() < 2 || !matches!(words[1], Token::Declare | Token::Assign) {
                    return Err("a declaration is `$name := value`".into());
                }
                let e = self.pipeline(&tokens[at + 1..])?;
                stmt(&mut self.out, &format!("set {} = {e}", var_name(name)?));
            }
            Some(_) => {
                let e = self.pipeline(&tokens)?;
                let _ = write!(self.out, "{{{{{l} {e} {r}}}}}");
            }
            None => return Err("empty action".into()),
        }
        Ok(())
    }

    fn range(&mut self, tokens: &[Token], l: &str, r: &str) -> Result<(), String> {
        let declared = tokens.iter().position(|t| matches!(t, Token::Declare));
        let (head, e) = match declared {
            Some(at) => {
                let names: Vec<String> = tokens[..at]
                    .iter()
                    .filter(|t| !matches!(t, Token::Comma | Token::Space))
                    .map(|t| match t {
                        Token::Var(name, path) if path.is_empty() => var_name(name),
                        _ => Err(
                            "expected `range $element := …` or `range $index, $element := …`"
                                .to_string(),
                        ),
                    })
                    .collect::<Result<_, _>>()?;
                let e = self.pipeline(&tokens[at + 1..])?;
                match names.as_slice() {
                    [element] => (element.clone(), format!("{e} | govalues")),
                    [index, element] => (format!("{index}, {element}"), format!("{e} | goitems")),
                    _ => return Err("`range` declares one or two variables".into()),
                }
            }
            None => {
                let e = self.pipeline(tokens)?;
                (self.new_dot(), format!("{e} | govalues"))
            }
        };
        // Inside the body, `.` is the element (the last name of the head).
        let dot = head.rsplit(", ").next().unwrap_or(&head).to_string();
        let _ = write!(self.out, "{{%{l} for {head} in {e} {r}%}}");
        self.dots.push(dot);
        self.stack.push(Frame::Range(true));
        Ok(())
    }

    fn new_dot(&mut self) -> String {
        self.next_dot += 1;
        format!("dot{}", self.next_dot)
    }

    /// A pipeline: commands separated by `|`, each command's value passed as the last argument
    /// of the next.
    fn pipeline(&self, tokens: &[Token]) -> Result<String, String> {
        if tokens.is_empty() {
            return Err("missing value".into());
        }
        let mut piped: Option<String> = None;
        for command in split_top(tokens, |t| matches!(t, Token::Pipe)) {
            piped = Some(self.command(command, piped)?);
        }
        Ok(piped.expect("at least one command"))
    }

    fn command(&self, tokens: &[Token], piped: Option<String>) -> Result<String, String> {
        let operands = operands(tokens)?;
        let (first, args) = operands
            .split_first()
            .ok_or("missing value in a pipeline")?;
        if let [Token::Ident(name)] = first.as_slice()
            && !["true", "false", "nil"].contains(&name.as_str())
        {
            let mut values = args
                .iter()
                .map(|a| self.operand(a))
                .collect::<Result<Vec<_>, _>>()?;
            values.extend(piped);
            return function(name, &values);
        }
        if let [.., Token::Field(path)] = first.as_slice()
            && path.last().is_some_and(|m| m == "Format")
        {
            let layout = match (args, &piped) {
                ([arg], None) => match arg.as_slice() {
                    [Token::Str(layout)] => layout,
                    _ => return Err("`.Format` needs a quoted layout".into()),
                },
                _ => return Err("`.Format` takes one layout".into()),
            };
            let pattern = super::time::go_layout(layout)?;
            let mut time = first.clone();
            if let Some(Token::Field(p)) = time.last_mut() {
                p.pop();
            }
            return Ok(format!(
                "strftime({}, {})",
                self.operand(&time)?,
                quote(&pattern)
            ));
        }
        if !args.is_empty() || piped.is_some() {
            return Err(format!(
                "`{}` is not a function; Warren knows: {}, and, or, not",
                self.operand(first)?,
                FUNCTIONS.join(", ")
            ));
        }
        self.operand(first)
    }

    /// One operand: a term and the fields chained onto it.
    fn operand(&self, tokens: &[Token]) -> Result<String, String> {
        let mut out = String::new();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                Token::Field(path) if i == 0 => {
                    let dot = self.dots.last().map(String::as_str).unwrap_or("");
                    out = join_path(dot, path)?;
                }
                Token::Field(path) => out = join_path(&out, path)?,
                Token::Var(name, path) if name.is_empty() => out = join_path("", path)?,
                Token::Var(name, path) => out = join_path(&var_name(name)?, path)?,
                Token::Str(s) => out = quote(s),
                Token::Number(n) => out.clone_from(n),
                Token::Ident(b) if b == "true" || b == "false" => out.clone_from(b),
                Token::Ident(b) if b == "nil" => out = "none".into(),
                Token::Ident(name) => out = function(name, &[])?,
                Token::Group(inner) => out = format!("({})", self.pipeline(inner)?),
                _ => return Err("unexpected punctuation".into()),
            }
        }
        Ok(out)
    }
}

/// `base.A.B` (`A.B` at the top). A trailing `.String` (Burrow's status method) is dropped,
/// statuses being their names already, and so is the `.Value` of `.Lag.Value` (later Burrow
/// versions made a lag a struct; here it is the number).
fn join_path(base: &str, path: &[String]) -> Result<String, String> {
    let path = match path {
        [rest @ .., last] if last == "String" => rest,
        [rest @ .., lag, value] if lag == "Lag" && value == "Value" => &path[..rest.len() + 1],
        _ => path,
    };
    if base.is_empty() && path.is_empty() {
        return Err(
            "`.` alone (all the data) has no name here: name a field, e.g. `.Result`".into(),
        );
    }
    let mut out = base.to_string();
    for field in path {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(field);
    }
    Ok(out)
}

fn var_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("`$` cannot be assigned".into());
    }
    Ok(format!("v_{name}"))
}

/// A Go function call in MiniJinja.
fn function(name: &str, args: &[String]) -> Result<String, String> {
    match name {
        "and" | "or" if args.len() >= 2 => Ok(format!("({})", args.join(&format!(" {name} ")))),
        "not" if args.len() == 1 => Ok(format!("(not {})", args[0])),
        "and" | "or" | "not" => Err(format!("`{name}` has the wrong number of arguments")),
        "js" | "slice" | "call" => Err(format!(
            "`{name}` is not supported: use jsonencoder for JSON, index for elements"
        )),
        _ if FUNCTIONS.contains(&name) => Ok(format!("{name}({})", args.join(", "))),
        _ => Err(format!(
            "unknown function `{name}`; Warren knows: {}, and, or, not",
            FUNCTIONS.join(", ")
        )),
    }
}

/// `s` as a MiniJinja string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
