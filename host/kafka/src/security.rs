//! The one place a client profile becomes librdkafka properties: TLS (`[tls.NAME]`), SASL
//! (`[sasl.NAME]`) and the raw `librdkafka` table, applied to every client Warren creates. The
//! security protocol follows from what the profile names, never from a default: a profile with
//! `tls` can only ever connect with TLS, so a broken certificate or password makes the cluster
//! fail instead of falling back to plaintext.

use rdkafka::ClientConfig;
use warren_core::config::{ClientProfile, SaslCredentials};

use crate::oauth::TokenSource;

/// Sets the profile's security properties and raw properties on `config`. Fails when a
/// password reference cannot be read (the message names the reference, never a value); token
/// credentials are read when a token is fetched instead.
pub(crate) fn apply(profile: &ClientProfile, config: &mut ClientConfig) -> Result<(), String> {
    let protocol = match (&profile.tls_settings, &profile.sasl_settings) {
        (None, None) => "plaintext",
        (Some(_), None) => "ssl",
        (None, Some(_)) => "sasl_plaintext",
        (Some(_), Some(_)) => "sasl_ssl",
    };
    // Raw properties first, so Warren's typed ones win (config validation refuses clashes; this
    // order is the second line of defence).
    for (name, value) in profile.librdkafka.iter() {
        config.set(name, value);
    }
    if profile.tls_settings.is_some() || profile.sasl_settings.is_some() {
        config.set("security.protocol", protocol);
    }
    if let Some(tls) = &profile.tls_settings {
        if let Some(ca) = &tls.cafile {
            config.set("ssl.ca.location", ca.display().to_string());
        }
        if let (Some(cert), Some(key)) = (&tls.certfile, &tls.keyfile) {
            config
                .set("ssl.certificate.location", cert.display().to_string())
                .set("ssl.key.location", key.display().to_string());
        }
        if tls.noverify {
            config
                .set("enable.ssl.certificate.verification", "false")
                .set("ssl.endpoint.identification.algorithm", "none");
        } else {
            // librdkafka's default since 2.0, written out: the broker's name must match its
            // certificate.
            config
                .set("enable.ssl.certificate.verification", "true")
                .set("ssl.endpoint.identification.algorithm", "https");
        }
    }
    if let Some(sasl) = &profile.sasl_settings {
        config.set("sasl.mechanism", sasl.mechanism.as_str());
        match &sasl.credentials {
            SaslCredentials::Password { password } => {
                let password = password
                    .read()
                    .map_err(|e| format!("[sasl.{}] password: {e}", sasl.name))?;
                config
                    .set("sasl.username", &sasl.username)
                    .set("sasl.password", password.expose());
            }
            // Warren fetches the tokens itself ([`crate::oauth`]), from librdkafka's refresh
            // callback, which finds its settings here.
            SaslCredentials::Oidc(oidc) => {
                let source = TokenSource::oidc(&sasl.username, oidc);
                config.set("sasl.oauthbearer.config", source.encode());
            }
            SaslCredentials::MskIam(iam) => {
                config.set(
                    "sasl.oauthbearer.config",
                    TokenSource::msk_iam(iam).encode(),
                );
            }
            SaslCredentials::Kerberos(krb) => {
                if !cfg!(feature = "gssapi") {
                    return Err(format!(
                        "[sasl.{}] GSSAPI: this build of Warren has no Kerberos support; build \
                         it with `--features gssapi` (Debian: apt install libsasl2-dev \
                         libsasl2-modules-gssapi-mit krb5-user)",
                        sasl.name
                    ));
                }
                config.set("sasl.kerberos.service.name", &krb.service_name);
                if let Some(principal) = &krb.principal {
                    config.set("sasl.kerberos.principal", principal);
                }
                if let Some(keytab) = &krb.keytab {
                    config.set("sasl.kerberos.keytab", keytab.display().to_string());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use warren_core::config::{
        ClientProfile, Kerberos, MskIam, OidcClient, RawProperties, SaslCredentials, SaslMechanism,
        SaslProfile, Secret, SecretRef, SecretSource, TlsProfile,
    };

    use super::apply;

    fn profile() -> ClientProfile {
        ClientProfile {
            name: "p".into(),
            client_id: "warren".into(),
            tls: None,
            sasl: None,
            tls_settings: None,
            sasl_settings: None,
            librdkafka: RawProperties::default(),
        }
    }

    fn tls(noverify: bool) -> TlsProfile {
        TlsProfile {
            name: "t".into(),
            certfile: Some(PathBuf::from("/c.pem")),
            keyfile: Some(PathBuf::from("/k.pem")),
            cafile: Some(PathBuf::from("/ca.pem")),
            noverify,
        }
    }

    fn sasl(password: SecretSource) -> SaslProfile {
        SaslProfile {
            name: "s".into(),
            username: "warren".into(),
            credentials: SaslCredentials::Password { password },
            mechanism: SaslMechanism::ScramSha512,
            handshake_first: true,
        }
    }

    fn props(p: &ClientProfile) -> BTreeMap<String, String> {
        let mut c = rdkafka::ClientConfig::new();
        apply(p, &mut c).expect("applies");
        [
            "security.protocol",
            "ssl.ca.location",
            "ssl.certificate.location",
            "ssl.key.location",
            "enable.ssl.certificate.verification",
            "ssl.endpoint.identification.algorithm",
            "sasl.mechanism",
            "sasl.username",
            "sasl.password",
            "sasl.oauthbearer.config",
            "socket.timeout.ms",
        ]
        .iter()
        .filter_map(|k| c.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
        .collect()
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_profile_without_tls_or_sasl_sets_no_security_property() {
        assert_eq!(props(&profile()), map(&[]));
    }

    #[test]
    fn tls_with_a_client_certificate_is_mtls_with_host_name_checks() {
        let mut p = profile();
        p.tls_settings = Some(tls(false));
        assert_eq!(
            props(&p),
            map(&[
                ("security.protocol", "ssl"),
                ("ssl.ca.location", "/ca.pem"),
                ("ssl.certificate.location", "/c.pem"),
                ("ssl.key.location", "/k.pem"),
                ("enable.ssl.certificate.verification", "true"),
                ("ssl.endpoint.identification.algorithm", "https"),
            ])
        );
    }

    #[test]
    fn noverify_switches_off_both_certificate_and_host_name_checks() {
        let mut p = profile();
        p.tls_settings = Some(tls(true));
        let got = props(&p);
        assert_eq!(got["enable.ssl.certificate.verification"], "false");
        assert_eq!(got["ssl.endpoint.identification.algorithm"], "none");
    }

    #[test]
    fn sasl_over_tls_is_sasl_ssl_with_the_password_read_from_its_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").expect("write");
        let mut p = profile();
        p.tls_settings = Some(tls(false));
        p.sasl_settings = Some(sasl(SecretSource::Ref(SecretRef::File(file))));
        let got = props(&p);
        assert_eq!(got["security.protocol"], "sasl_ssl");
        assert_eq!(got["sasl.mechanism"], "SCRAM-SHA-512");
        assert_eq!(got["sasl.username"], "warren");
        assert_eq!(got["sasl.password"], "s3cret");
    }

    #[test]
    fn sasl_alone_is_sasl_plaintext() {
        let mut p = profile();
        p.sasl_settings = Some(sasl(SecretSource::Inline(Secret::new("pw"))));
        assert_eq!(props(&p)["security.protocol"], "sasl_plaintext");
    }

    #[test]
    fn an_unset_password_variable_is_an_error_naming_it_not_a_value() {
        let mut p = profile();
        p.sasl_settings = Some(sasl(SecretSource::Ref(SecretRef::Env(
            "WARREN_TEST_SURELY_UNSET_VAR".into(),
        ))));
        let err = apply(&p, &mut rdkafka::ClientConfig::new()).unwrap_err();
        assert_eq!(
            err,
            "[sasl.s] password: environment variable WARREN_TEST_SURELY_UNSET_VAR is not set"
        );
    }

    #[test]
    fn raw_properties_are_passed_through_but_never_override_typed_security() {
        let mut p = profile();
        p.tls_settings = Some(tls(false));
        p.librdkafka = RawProperties(map(&[
            ("socket.timeout.ms", "30000"),
            ("security.protocol", "plaintext"),
        ]));
        let got = props(&p);
        assert_eq!(got["socket.timeout.ms"], "30000");
        assert_eq!(got["security.protocol"], "ssl");
    }

    #[test]
    fn oauthbearer_hands_its_settings_to_the_token_callback_with_secrets_as_references() {
        let mut p = profile();
        p.tls_settings = Some(tls(false));
        p.sasl_settings = Some(SaslProfile {
            name: "o".into(),
            username: "warren".into(),
            credentials: SaslCredentials::Oidc(OidcClient {
                token_endpoint: "https://idp.example.com/token".into(),
                client_secret: SecretSource::Ref(SecretRef::Env("IDP_SECRET".into())),
                scope: Some("kafka".into()),
            }),
            mechanism: SaslMechanism::OAuthBearer,
            handshake_first: true,
        });
        let got = props(&p);
        assert_eq!(got["security.protocol"], "sasl_ssl");
        assert_eq!(got["sasl.mechanism"], "OAUTHBEARER");
        assert!(!got.contains_key("sasl.username") && !got.contains_key("sasl.password"));
        let settings: serde_json::Value =
            serde_json::from_str(&got["sasl.oauthbearer.config"]).expect("json");
        assert_eq!(
            settings,
            serde_json::json!({
                "kind": "oidc",
                "token_endpoint": "https://idp.example.com/token",
                "client_id": "warren",
                "client_secret": { "env": "IDP_SECRET" },
                "scope": "kafka",
            })
        );
    }

    #[test]
    fn msk_iam_is_oauthbearer_on_the_wire() {
        let mut p = profile();
        p.tls_settings = Some(tls(false));
        p.sasl_settings = Some(SaslProfile {
            name: "m".into(),
            username: String::new(),
            credentials: SaslCredentials::MskIam(MskIam {
                region: "eu-west-1".into(),
                profile: None,
                access_key_id: None,
                secret_access_key: None,
                session_token: None,
            }),
            mechanism: SaslMechanism::AwsMskIam,
            handshake_first: true,
        });
        let got = props(&p);
        assert_eq!(got["sasl.mechanism"], "OAUTHBEARER");
        assert!(got["sasl.oauthbearer.config"].contains(r#""kind":"msk-iam""#));
    }

    fn kerberos(over_tls: bool) -> ClientProfile {
        let mut p = profile();
        p.tls_settings = over_tls.then(|| tls(false));
        p.sasl_settings = Some(SaslProfile {
            name: "krb".into(),
            username: "warren/host.example.com@EXAMPLE.COM".into(),
            credentials: SaslCredentials::Kerberos(Kerberos {
                service_name: "kafka".into(),
                principal: Some("warren/host.example.com@EXAMPLE.COM".into()),
                keytab: Some(PathBuf::from("/etc/warren/warren.keytab")),
            }),
            mechanism: SaslMechanism::Gssapi,
            handshake_first: true,
        });
        p
    }

    #[cfg(feature = "gssapi")]
    #[test]
    fn gssapi_sets_the_kerberos_properties_and_librdkafka_accepts_them() {
        let mut c = rdkafka::ClientConfig::new();
        apply(&kerberos(true), &mut c).expect("applies");
        let got = |k: &str| c.get(k).map(str::to_owned);
        assert_eq!(got("security.protocol").as_deref(), Some("sasl_ssl"));
        assert_eq!(got("sasl.mechanism").as_deref(), Some("GSSAPI"));
        assert_eq!(got("sasl.kerberos.service.name").as_deref(), Some("kafka"));
        assert_eq!(
            got("sasl.kerberos.principal").as_deref(),
            Some("warren/host.example.com@EXAMPLE.COM")
        );
        assert_eq!(
            got("sasl.kerberos.keytab").as_deref(),
            Some("/etc/warren/warren.keytab")
        );
        assert_eq!(got("sasl.password"), None);
        // A librdkafka without Cyrus SASL refuses the mechanism when the client is made; this
        // build has it. (No broker is contacted: a client connects lazily. No TLS, whose
        // files do not exist here, and a kinit that does nothing.)
        let mut c = rdkafka::ClientConfig::new();
        apply(&kerberos(false), &mut c).expect("applies");
        c.set("bootstrap.servers", "127.0.0.1:1")
            .set("sasl.kerberos.kinit.cmd", "true");
        let made: Result<rdkafka::consumer::BaseConsumer, _> = c.create();
        assert!(made.is_ok(), "librdkafka refused GSSAPI: {:?}", made.err());
    }

    #[cfg(not(feature = "gssapi"))]
    #[test]
    fn gssapi_in_a_build_without_kerberos_fails_its_cluster_with_the_fix() {
        let mut c = rdkafka::ClientConfig::new();
        let err = apply(&kerberos(true), &mut c).expect_err("refused");
        assert!(
            err.contains("--features gssapi") && err.contains("[sasl.krb]"),
            "{err}"
        );
    }
}
