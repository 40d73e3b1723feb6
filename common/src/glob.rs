//! Patterns over cluster, topic and consumer-group names, for config that picks clusters,
//! topics or groups (`"payments-*"`), on the host and in plugins alike: `*` (any run, even empty), `?` (one character), `[abc]`, `[a-z]` and
//! `[!a-z]` (one character in, or not in, the set). A pattern matches the whole name.
//!
//! The two kinds of name differ in what may appear in them, so they parse differently:
//!
//! - [`Glob::topic`]: Kafka topic names only use letters, digits, `.`, `_` and `-`, so no escape
//!   is needed, and a pattern containing any other character could never match. That is
//!   reported instead of silently accepting a rule that does nothing.
//! - [`Glob::group`]: a group id is free text, so every other character is literal; a `*`, `?`
//!   or `[` in a group id is matched with a class (`[*]`, `[?]`, `[[]`).
//! - [`Glob::cluster`]: a cluster's name is the operator's own free text, read as a group id is.
//!
//! ```
//! use warren_common::glob::Glob;
//!
//! assert!(Glob::topic("payments-*").unwrap().matches("payments-eu"));
//! assert!(Glob::group("team a/*").unwrap().matches("team a/billing"));
//! assert!(Glob::topic("pay ments").is_err());
//! ```

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    One,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Which names a pattern is written for: what its literals may be, and what messages say.
#[derive(Debug, Clone, Copy)]
enum Names {
    Topics,
    Groups,
    Clusters,
}

impl Glob {
    /// Parses a pattern over topic names, or says what is wrong with it.
    pub fn topic(pattern: &str) -> Result<Self, String> {
        parse(pattern, Names::Topics)
    }

    /// Parses a pattern over consumer-group names, or says what is wrong with it.
    pub fn group(pattern: &str) -> Result<Self, String> {
        parse(pattern, Names::Groups)
    }

    /// Parses a pattern over cluster names (the names of `[cluster.<name>]` tables), or says
    /// what is wrong with it. As in [`Glob::group`], every character but `*`, `?`, `[` and `]`
    /// is literal.
    pub fn cluster(pattern: &str) -> Result<Self, String> {
        parse(pattern, Names::Clusters)
    }

    /// Whether the pattern matches every name (only `*`s).
    pub fn matches_everything(&self) -> bool {
        self.tokens.iter().all(|t| *t == Token::Star)
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        let text: Vec<char> = name.chars().collect();
        let (mut t, mut p) = (0, 0);
        // Where to resume after the last `*`: (pattern index after it, text index it covers up to).
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Star) => {
                    star = Some((p + 1, t));
                    p += 1;
                }
                Some(token) if token.matches_one(text[t]) => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    // Let the last `*` swallow one more character and retry.
                    Some((after, covered)) => {
                        star = Some((after, covered + 1));
                        p = after;
                        t = covered + 1;
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|t| *t == Token::Star)
    }
}

fn parse(pattern: &str, names: Names) -> Result<Glob, String> {
    if pattern.is_empty() {
        let every = match names {
            Names::Topics => "topic",
            Names::Groups => "group",
            Names::Clusters => "cluster",
        };
        return Err(format!("empty pattern (use \"*\" for every {every})"));
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '*' => Token::Star,
            '?' => Token::One,
            '[' => class(&mut chars, names)?,
            ']' => return Err("']' without a matching '['".into()),
            c => Token::Literal(names.literal(c)?),
        });
    }
    Ok(Glob { tokens })
}

impl Token {
    fn matches_one(&self, c: char) -> bool {
        match self {
            Token::Literal(l) => *l == c,
            Token::One => true,
            Token::Star => false,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c)) != *negated
            }
        }
    }
}

/// The rest of a `[...]` class, after its `[`.
fn class(chars: &mut std::str::Chars<'_>, names: Names) -> Result<Token, String> {
    let mut body: Vec<char> = Vec::new();
    loop {
        match chars.next() {
            Some(']') => break,
            Some(c) => body.push(c),
            None => return Err("'[' without a closing ']'".into()),
        }
    }
    let negated = body.first() == Some(&'!');
    let body = &body[usize::from(negated)..];
    if body.is_empty() {
        return Err("empty character class '[]'".into());
    }
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let lo = names.literal(body[i])?;
        if body.get(i + 1) == Some(&'-') && i + 2 < body.len() {
            let hi = names.literal(body[i + 2])?;
            if hi < lo {
                return Err(format!("range '{lo}-{hi}' is backwards"));
            }
            ranges.push((lo, hi));
            i += 3;
        } else {
            ranges.push((lo, lo));
            i += 1;
        }
    }
    Ok(Token::Class { negated, ranges })
}

impl Names {
    /// `c` as a literal of this kind of name, or why it can never match one.
    fn literal(self, c: char) -> Result<char, String> {
        match self {
            Names::Groups | Names::Clusters => Ok(c),
            Names::Topics if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') => Ok(c),
            Names::Topics => Err(format!(
                "{c:?} can never match: Kafka topic names contain only letters, digits, '.', '_' and '-'"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, topic: &str) -> bool {
        Glob::topic(pattern).unwrap().matches(topic)
    }

    #[test]
    fn literals_match_only_themselves() {
        assert!(matches("payments", "payments"));
        assert!(!matches("payments", "payments-eu"));
        assert!(!matches("payments", "payment"));
    }

    #[test]
    fn star_matches_any_run_including_none() {
        assert!(matches("payments-*", "payments-"));
        assert!(matches("payments-*", "payments-eu-1"));
        assert!(matches("*-dlq", "orders-dlq"));
        assert!(matches("a*b*c", "a-x-b-y-b-c"));
        assert!(!matches("a*b*c", "a-x-b-y-c-d"));
        assert!(matches("*", ""));
        assert!(!matches("payments-*", "orders-payments-x"));
    }

    #[test]
    fn question_mark_is_exactly_one_character() {
        assert!(matches("log-?", "log-1"));
        assert!(!matches("log-?", "log-"));
        assert!(!matches("log-?", "log-12"));
    }

    #[test]
    fn classes_match_sets_ranges_and_negations() {
        assert!(matches("shard-[0-3]", "shard-2"));
        assert!(!matches("shard-[0-3]", "shard-4"));
        assert!(matches("[ab]x", "bx"));
        assert!(matches("shard-[!0-3]", "shard-7"));
        assert!(!matches("shard-[!0-3]", "shard-1"));
        assert!(matches("x[-.]y", "x-y"), "a '-' at an end is literal");
    }

    #[test]
    fn bad_topic_patterns_say_what_is_wrong() {
        for (pattern, problem) in [
            ("", "empty pattern (use \"*\" for every topic)"),
            ("pay[", "without a closing"),
            ("pay]", "without a matching"),
            ("[]", "empty character class"),
            ("[!]", "empty character class"),
            ("[z-a]", "backwards"),
            ("pay ments", "can never match"),
            ("pay/*", "can never match"),
            ("[a/]", "can never match"),
        ] {
            let err = Glob::topic(pattern).unwrap_err();
            assert!(err.contains(problem), "{pattern:?}: {err}");
        }
    }

    #[test]
    fn group_patterns_take_any_character_literally() {
        let g = |p: &str| Glob::group(p).unwrap();
        assert!(g("team a/*").matches("team a/billing"));
        assert!(g("svc:[*]").matches("svc:*"));
        assert!(!g("svc:[*]").matches("svc:x"));
        assert!(g("*").matches("console-consumer-4711"));
        assert!(!g("payments-*").matches("orders"));
        assert_eq!(
            Glob::group("").unwrap_err(),
            "empty pattern (use \"*\" for every group)"
        );
        assert!(Glob::group("a[").is_err(), "the syntax is the same");
    }

    #[test]
    fn cluster_patterns_read_like_group_patterns() {
        let c = |p: &str| Glob::cluster(p).unwrap();
        assert!(c("*").matches("anything"));
        assert!(c("prod-*").matches("prod-eu-1"));
        assert!(!c("prod-*").matches("preprod-eu"));
        assert!(c("*-eu-?").matches("prod-eu-1"));
        assert!(!c("*-eu-?").matches("prod-eu-12"));
        assert!(c("prod-[a-f]*").matches("prod-eu"));
        assert!(c("eu west").matches("eu west"));
        assert_eq!(
            Glob::cluster("").unwrap_err(),
            "empty pattern (use \"*\" for every cluster)"
        );
    }

    #[test]
    fn only_stars_match_everything() {
        assert!(Glob::topic("**").unwrap().matches_everything());
        assert!(!Glob::topic("*-x").unwrap().matches_everything());
        assert!(Glob::group("*").unwrap().matches_everything());
    }
}
