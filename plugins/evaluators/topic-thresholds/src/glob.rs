//! Topic globs: `*` (any run, even empty), `?` (one character), `[abc]`, `[a-z]` and `[!a-z]`
//! (one character in, or not in, the set). Nothing else is special: Kafka topic names only use
//! letters, digits, `.`, `_` and `-`, so no escape is needed — and a pattern containing any
//! other character could never match, which [`Glob::parse`] reports instead of silently
//! accepting a rule that does nothing.

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

impl Glob {
    /// Parses `pattern`, or says what is wrong with it.
    pub fn parse(pattern: &str) -> Result<Self, String> {
        if pattern.is_empty() {
            return Err("empty pattern (use \"*\" for every topic)".into());
        }
        let mut tokens = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::Star,
                '?' => Token::One,
                '[' => class(&mut chars)?,
                ']' => return Err("']' without a matching '['".into()),
                c => Token::Literal(topic_char(c)?),
            });
        }
        Ok(Self { tokens })
    }

    /// Whether the pattern matches every topic name (only `*`s).
    pub fn matches_everything(&self) -> bool {
        self.tokens.iter().all(|t| *t == Token::Star)
    }

    /// Whether `topic` matches the whole pattern.
    pub fn matches(&self, topic: &str) -> bool {
        let text: Vec<char> = topic.chars().collect();
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
fn class(chars: &mut std::str::Chars<'_>) -> Result<Token, String> {
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
        let lo = topic_char(body[i])?;
        if body.get(i + 1) == Some(&'-') && i + 2 < body.len() {
            let hi = topic_char(body[i + 2])?;
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

fn topic_char(c: char) -> Result<char, String> {
    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
        Ok(c)
    } else {
        Err(format!(
            "{c:?} can never match: Kafka topic names contain only letters, digits, '.', '_' and '-'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, topic: &str) -> bool {
        Glob::parse(pattern).unwrap().matches(topic)
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
    fn bad_patterns_say_what_is_wrong() {
        for (pattern, problem) in [
            ("", "empty pattern"),
            ("pay[", "without a closing"),
            ("pay]", "without a matching"),
            ("[]", "empty character class"),
            ("[!]", "empty character class"),
            ("[z-a]", "backwards"),
            ("pay ments", "can never match"),
            ("pay/*", "can never match"),
        ] {
            let err = Glob::parse(pattern).unwrap_err();
            assert!(err.contains(problem), "{pattern:?}: {err}");
        }
    }

    #[test]
    fn only_stars_match_everything() {
        assert!(Glob::parse("**").unwrap().matches_everything());
        assert!(!Glob::parse("*-x").unwrap().matches_everything());
    }
}
