//! The certificate files a client profile names, as they were when a client was made.
//! librdkafka reads them only when a client is created, and certificates are rotated in place
//! (cert-manager, a Vault agent, a Kubernetes secret swapping its symlink): each collector
//! compares the files with this snapshot between polls (at most every [`CHECK_EVERY`]) and
//! makes its client anew when one changed, so a renewed certificate is used without a restart.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use warren_core::config::ClientProfile;

/// How often the files are looked at: a poll loop may ask far more often.
pub(crate) const CHECK_EVERY: Duration = Duration::from_secs(2);

/// The profile's CA, certificate and key files with what they looked like.
#[derive(Debug, Clone)]
pub(crate) struct TlsFiles {
    files: Vec<(PathBuf, Option<Stamp>)>,
    checked: Instant,
}

/// Enough of a file's metadata to see it was rewritten or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl TlsFiles {
    /// The files as they are now.
    pub(crate) fn of(profile: &ClientProfile) -> TlsFiles {
        let paths = profile
            .tls_settings
            .iter()
            .flat_map(|t| [&t.cafile, &t.certfile, &t.keyfile])
            .flatten();
        TlsFiles {
            files: paths.map(|p| (p.clone(), stamp(p))).collect(),
            checked: Instant::now(),
        }
    }

    /// Whether a file was rewritten, replaced, created or removed since the snapshot, looked
    /// at no more than every [`CHECK_EVERY`] (`false` in between).
    pub(crate) fn changed(&mut self) -> bool {
        if self.checked.elapsed() < CHECK_EVERY {
            return false;
        }
        self.checked = Instant::now();
        self.differ()
    }

    /// Whether a file differs from the snapshot now.
    fn differ(&self) -> bool {
        self.files.iter().any(|(path, then)| stamp(path) != *then)
    }
}

fn stamp(path: &Path) -> Option<Stamp> {
    // Follows symlinks: a secret volume swaps the link, and the target is what counts.
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
        inode: m.ino(),
    })
}

#[cfg(test)]
mod tests {
    use warren_core::config::{ClientProfile, RawProperties, TlsProfile};

    use super::{CHECK_EVERY, TlsFiles};

    fn profile(ca: &std::path::Path) -> ClientProfile {
        ClientProfile {
            name: "p".into(),
            client_id: "warren".into(),
            tls: Some("t".into()),
            sasl: None,
            tls_settings: Some(TlsProfile {
                name: "t".into(),
                certfile: None,
                keyfile: None,
                cafile: Some(ca.to_path_buf()),
                noverify: false,
            }),
            sasl_settings: None,
            librdkafka: RawProperties::default(),
        }
    }

    #[test]
    fn a_rewritten_or_replaced_file_counts_as_changed_an_untouched_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "first").unwrap();
        let p = profile(&ca);
        let before = TlsFiles::of(&p);
        assert!(!before.differ());
        std::fs::write(&ca, "second, longer").unwrap();
        assert!(before.differ());
        let now = TlsFiles::of(&p);
        // Replaced by a new file of the same size (a rename over it, as secret volumes do).
        let next = dir.path().join("next.pem");
        std::fs::write(&next, "second, LONGER").unwrap();
        std::fs::rename(&next, &ca).unwrap();
        assert!(now.differ());
        let now = TlsFiles::of(&p);
        std::fs::remove_file(&ca).unwrap();
        assert!(now.differ());
    }

    #[test]
    fn the_files_are_looked_at_no_more_than_every_two_seconds() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "first").unwrap();
        let mut files = TlsFiles::of(&profile(&ca));
        std::fs::write(&ca, "second, longer").unwrap();
        assert!(!files.changed(), "looked at again at once");
        files.checked -= CHECK_EVERY;
        assert!(files.changed());
    }

    #[test]
    fn a_profile_without_tls_never_changes() {
        let p = ClientProfile {
            tls_settings: None,
            ..profile(std::path::Path::new("/nonexistent"))
        };
        assert!(!TlsFiles::of(&p).differ());
    }
}
