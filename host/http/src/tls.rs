//! HTTPS for a listener: the rustls server configuration built from a `[tls.NAME]` profile
//! (`certfile` + `keyfile`; a `cafile` makes a client certificate signed by that CA
//! mandatory), offering HTTP/2 and HTTP/1.1 by ALPN. Certificates are renewed without a
//! restart: [`watch`] re-reads the files when their contents change and on SIGHUP, and a bad
//! renewal keeps the previous certificate in service (logged) rather than taking HTTPS down.

use std::io;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rustls::RootCertStore;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use warren_core::config::TlsProfile;

/// A listener's TLS configuration, replaced in place when its files change.
pub struct TlsHandle {
    profile: TlsProfile,
    current: RwLock<Arc<ServerConfig>>,
    /// Digest of the files the current configuration was built from.
    loaded: Mutex<[u8; 32]>,
}

impl TlsHandle {
    /// Reads the profile's files; the error names the file and what is wrong with it.
    pub fn load(profile: &TlsProfile) -> Result<Arc<Self>, String> {
        let (config, digest) = build(profile)?;
        Ok(Arc::new(TlsHandle {
            profile: profile.clone(),
            current: RwLock::new(Arc::new(config)),
            loaded: Mutex::new(digest),
        }))
    }

    /// An acceptor over the configuration in force now (a renewal applies to new connections).
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }

    /// Re-reads the files when their contents differ from the loaded ones (or always, when
    /// `force`); `Ok(true)` when a new configuration is in force.
    pub fn reload(&self, force: bool) -> Result<bool, String> {
        let digest = digest(&self.profile).map_err(|e| e.to_string())?;
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if !force && *loaded == digest {
            return Ok(false);
        }
        let (config, digest) = build(&self.profile)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(config);
        *loaded = digest;
        Ok(true)
    }

    /// The `[tls.NAME]` this listener serves.
    pub fn name(&self) -> &str {
        &self.profile.name
    }
}

/// Re-reads every handle's files when they change (checked every `every`) and on SIGHUP, until
/// `cancel`.
pub async fn watch(handles: Vec<Arc<TlsHandle>>, every: Duration, cancel: CancellationToken) {
    if handles.is_empty() {
        return;
    }
    #[cfg(unix)]
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        #[cfg(unix)]
        let hangup = async {
            match hup.as_mut() {
                Some(h) => {
                    h.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let hangup = std::future::pending::<()>();
        let force = tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(every) => false,
            _ = hangup => true,
        };
        for h in &handles {
            let h2 = h.clone();
            let result = tokio::task::spawn_blocking(move || h2.reload(force))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            match result {
                Ok(true) => tracing::info!(tls = h.name(), "HTTPS certificate reloaded"),
                Ok(false) => {}
                Err(why) => tracing::error!(
                    tls = h.name(), error = %why,
                    "HTTPS certificate reload failed; still serving the previous one"
                ),
            }
        }
    }
}

fn read(path: &std::path::Path) -> io::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn digest(p: &TlsProfile) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    for path in [&p.certfile, &p.keyfile, &p.cafile].into_iter().flatten() {
        h.update(read(path)?);
        h.update([0]);
    }
    Ok(h.finalize().into())
}

fn build(p: &TlsProfile) -> Result<(ServerConfig, [u8; 32]), String> {
    let name = &p.name;
    let digest = digest(p).map_err(|e| format!("[tls.{name}]: {e}"))?;
    let (Some(certfile), Some(keyfile)) = (&p.certfile, &p.keyfile) else {
        return Err(format!("[tls.{name}] needs certfile and keyfile"));
    };
    let pem = read(certfile).map_err(|e| e.to_string())?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", certfile.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no PEM certificate", certfile.display()));
    }
    let pem = read(keyfile).map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| format!("{}: no usable PEM private key ({e})", keyfile.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match &p.cafile {
        None => builder.with_no_client_auth(),
        Some(cafile) => {
            let pem = read(cafile).map_err(|e| e.to_string())?;
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| format!("{}: {e}", cafile.display()))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("{}: {e}", cafile.display()))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| format!("{}: {e}", cafile.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("[tls.{name}]: certificate and key do not fit: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((config, digest))
}
