//! Warren's AWS MSK IAM tokens against Amazon's reference signer,
//! `aws-msk-iam-sasl-signer-python` 1.0.2 (PyPI; `scripts/test` installs it into .venv-broker and
//! names its Python in `WARREN_MSK_SIGNER_PYTHON`): with the same credentials, region and
//! signing time (botocore's clock pinned), the tokens are the same bytes. MSK cannot be reached
//! from here, so this is what proves the signature; `oauth_kafka.rs` proves librdkafka sends it.

use std::process::Command;

use warren_kafka::msk_iam::{AwsCredentials, USER_AGENT, token};

/// The reference signer with botocore's clock fixed at EPOCH; prints the token, then its
/// expiry in ms.
const REFERENCE: &str = r#"
import datetime, sys
import botocore.auth
from botocore.credentials import CredentialProvider, Credentials
from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
region, key, secret, session, epoch = sys.argv[1:6]
fixed = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).replace(tzinfo=None)
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: fixed
class Fixed(CredentialProvider):
    def load(self):
        return Credentials(key, secret, session or None)
token, expiry = MSKAuthTokenProvider.generate_auth_token_from_credentials_provider(region, Fixed())
print(token)
print(expiry)
"#;

fn reference(region: &str, creds: &AwsCredentials, epoch: i64) -> (String, i64) {
    let python = std::env::var_os("WARREN_MSK_SIGNER_PYTHON").expect(
        "WARREN_MSK_SIGNER_PYTHON is not set: this test needs aws-msk-iam-sasl-signer-python \
         (run scripts/test, which installs it)",
    );
    let out = Command::new(python)
        .arg("-c")
        .arg(REFERENCE)
        .args([
            region,
            &creds.access_key_id,
            &creds.secret_access_key,
            creds.session_token.as_deref().unwrap_or(""),
            &epoch.to_string(),
        ])
        .output()
        .expect("run the reference signer");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the reference signer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    let token = lines.next().expect("a token").to_owned();
    let expiry = lines.next().expect("an expiry").parse().expect("ms");
    (token, expiry)
}

#[test]
fn tokens_are_byte_identical_to_the_reference_signers() {
    let cases = [
        (
            "eu-west-1",
            AwsCredentials {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
                session_token: None,
            },
            1_700_000_000,
        ),
        (
            // Temporary credentials: the session token (with characters that must be
            // percent-encoded) is part of the signed query.
            "us-east-1",
            AwsCredentials {
                access_key_id: "ASIAEXAMPLE123".into(),
                secret_access_key: "s3cr3t+/=key".into(),
                session_token: Some("IQoJb3JpZ2luX2VjE/+==token".into()),
            },
            1_735_689_599,
        ),
        (
            "ap-southeast-2",
            AwsCredentials {
                access_key_id: "AKIA0000000000000000".into(),
                secret_access_key: "x".into(),
                session_token: None,
            },
            951_825_600,
        ),
    ];
    let reference_agent = "aws-msk-iam-sasl-signer-python/1.0.2";
    for (region, creds, epoch) in cases {
        let (want, want_expiry) = reference(region, &creds, epoch);
        let got = token(region, &creds, epoch, reference_agent);
        assert_eq!(got.token, want, "{region} at {epoch}");
        assert_eq!(got.expires_at_ms, want_expiry, "{region} at {epoch}");
        // What Warren sends differs only in the User-Agent parameter, after the signature.
        let own = token(region, &creds, epoch, USER_AGENT);
        let decode = |t: &str| {
            use base64ct::Encoding;
            String::from_utf8(base64ct::Base64UrlUnpadded::decode_vec(t).expect("base64url"))
                .expect("utf-8")
        };
        let (theirs, ours) = (decode(&want), decode(&own.token));
        let signed = |url: &str| {
            url.split("&User-Agent=")
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(signed(&ours), signed(&theirs));
        let agent = format!("&User-Agent={}", USER_AGENT.replace('/', "%2F"));
        assert!(ours.ends_with(&agent), "{ours}");
    }
}
