//! What the host's answer means for an event, shared by every notifier so they all retry the
//! same things: a receiver that is down, overloaded or rate-limiting is worth another try; a
//! receiver that rejected the message, or a destination the operator did not allow, is not.
//!
//! | answer | outcome |
//! |---|---|
//! | HTTP 2xx | delivered |
//! | HTTP 429 | transient, no sooner than its `Retry-After` (seconds) |
//! | HTTP 408, 5xx | transient (honouring a `Retry-After` too) |
//! | any other status (3xx, 4xx) | permanent, with an excerpt of the body |
//! | `denied`, `invalid-request` | permanent, with the host's message |
//! | `timeout`, `connection` | transient |
//! | `response-too-large` | permanent: the receiver answered, so the event may have arrived |
//! | mail `transient` | transient; mail `permanent`, `invalid`, `denied`: permanent |

use super::{http, mail, permanent, transient};
use crate::types::NotifyError;

/// How much of a rejecting receiver's body goes into the error (Slack says `invalid_payload`,
/// PagerDuty a JSON list of errors: the start is what matters).
const EXCERPT_CHARS: usize = 200;

/// Maps the result of [`http::send`] to the notifier's answer, per the table above.
pub fn classify_response(answer: Result<http::Response, http::Error>) -> Result<(), NotifyError> {
    let response = match answer {
        Ok(response) => response,
        Err(http::Error::Timeout) => return Err(transient("no answer before the timeout", None)),
        Err(http::Error::Connection(e)) => {
            return Err(transient(format!("connection failed: {e}"), None));
        }
        Err(http::Error::Denied(e)) => {
            return Err(permanent(format!("destination not allowed: {e}")));
        }
        Err(http::Error::InvalidRequest(e)) => {
            return Err(permanent(format!("invalid request: {e}")));
        }
        Err(http::Error::ResponseTooLarge) => {
            return Err(permanent("the receiver's response was too large"));
        }
    };
    let status = response.status;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let message = format!(
        "receiver answered HTTP {status}: {}",
        excerpt(&response.body)
    );
    match status {
        408 | 429 | 500..=599 => Err(transient(message, retry_after_ms(&response.headers))),
        _ => Err(permanent(message)),
    }
}

/// Maps the result of [`mail::send`]: only the server's "try later" is worth retrying.
pub fn classify_mail(answer: Result<(), mail::Error>) -> Result<(), NotifyError> {
    match answer {
        Ok(()) => Ok(()),
        Err(mail::Error::Transient(e)) => Err(transient(format!("mail server: {e}"), None)),
        Err(mail::Error::Permanent(e)) => Err(permanent(format!("mail refused: {e}"))),
        Err(mail::Error::Invalid(e)) => Err(permanent(format!("mail is malformed: {e}"))),
        Err(mail::Error::Denied(e)) => Err(permanent(format!("mail not allowed: {e}"))),
    }
}

/// A `Retry-After` header in seconds, as ms. The HTTP-date form is ignored (a plugin has no
/// clock to compare it with): the host's own backoff applies instead.
pub fn retry_after_ms(headers: &[(String, String)]) -> Option<u64> {
    let (_, value) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))?;
    value.trim().parse::<u64>().ok()?.checked_mul(1000)
}

/// The start of a body, on one line, for an error message.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None if line.is_empty() => "(empty body)".into(),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::notifier::fixture::response as answer;

    fn retry_after(outcome: Result<(), NotifyError>) -> Option<u64> {
        match outcome {
            Err(NotifyError::Transient(t)) => t.retry_after_ms,
            other => panic!("expected a transient error, got {other:?}"),
        }
    }

    fn permanent_message(outcome: Result<(), NotifyError>) -> String {
        match outcome {
            Err(NotifyError::Permanent(m)) => m,
            other => panic!("expected a permanent error, got {other:?}"),
        }
    }

    #[test]
    fn any_2xx_is_delivered() {
        for status in [200, 202, 204] {
            assert_eq!(classify_response(answer(status, &[], "ok")), Ok(()));
        }
    }

    #[test]
    fn a_429_is_retried_no_sooner_than_its_retry_after() {
        assert_eq!(
            retry_after(classify_response(answer(429, &[("retry-after", "30")], ""))),
            Some(30_000)
        );
        assert_eq!(
            retry_after(classify_response(answer(
                429,
                &[("Retry-After", " 2 ")],
                ""
            ))),
            Some(2_000)
        );
        let date = [("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")];
        assert_eq!(retry_after(classify_response(answer(429, &date, ""))), None);
    }

    #[test]
    fn server_errors_and_request_timeouts_are_transient() {
        for status in [408, 500, 502, 503, 599] {
            assert_eq!(
                retry_after(classify_response(answer(status, &[], "down"))),
                None
            );
        }
        assert_eq!(
            retry_after(classify_response(Err(http::Error::Timeout))),
            None
        );
        assert_eq!(
            retry_after(classify_response(Err(http::Error::Connection(
                "refused".into()
            )))),
            None
        );
    }

    #[test]
    fn client_errors_are_permanent_with_a_short_excerpt_of_the_body() {
        let m = permanent_message(classify_response(answer(400, &[], "invalid_payload\n")));
        assert_eq!(m, "receiver answered HTTP 400: invalid_payload");
        let m = permanent_message(classify_response(answer(404, &[], &"x".repeat(5000))));
        assert!(m.chars().count() < 260, "{m}");
        assert!(m.ends_with('…'));
        let m = permanent_message(classify_response(answer(301, &[], "")));
        assert_eq!(m, "receiver answered HTTP 301: (empty body)");
    }

    #[test]
    fn refused_destinations_bad_requests_and_huge_answers_are_permanent() {
        let m = permanent_message(classify_response(Err(http::Error::Denied(
            "host not allowed".into(),
        ))));
        assert!(m.contains("host not allowed"), "{m}");
        permanent_message(classify_response(Err(http::Error::InvalidRequest(
            "bad url".into(),
        ))));
        permanent_message(classify_response(Err(http::Error::ResponseTooLarge)));
    }

    #[test]
    fn only_a_transient_mail_error_is_retried() {
        assert_eq!(classify_mail(Ok(())), Ok(()));
        assert_eq!(
            retry_after(classify_mail(Err(mail::Error::Transient("421".into())))),
            None
        );
        for e in [
            mail::Error::Permanent("550".into()),
            mail::Error::Invalid("bad address".into()),
            mail::Error::Denied("no mail".into()),
        ] {
            permanent_message(classify_mail(Err(e)));
        }
    }
}
