//! A small real file system for tests of what happens when the disk fills up or turns
//! read-only: a tmpfs mounted on a fresh directory (root only, as the suite runs), unmounted
//! when dropped. A test that cannot mount it fails and says why, rather than pass untested.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A mounted tmpfs.
pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`mount -o size=`, e.g. `"4m"`).
    pub fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("a temporary directory");
        mount(
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            dir.path(),
        );
        Tmpfs { dir }
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Remounts it `ro` or `rw` (the kernel refuses `ro` while a file is open for writing).
    pub fn remount(&self, mode: &str) {
        mount(&["-o", &format!("remount,{mode}")], self.path());
    }

    /// Fills it to the last page with one file, and returns the file (remove it to free the
    /// space again).
    pub fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut f = std::fs::File::create(&path).expect("the filler file");
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        // A tmpfs hands out whole pages: what is left after the big chunks is under 64 KiB.
        while f.write_all(&chunk[..4096]).is_ok() {}
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

fn mount(args: &[&str], at: &Path) {
    let status = Command::new("mount")
        .args(args)
        .arg(at)
        .status()
        .expect("mount(8) runs");
    assert!(
        status.success(),
        "mount {args:?} {} failed: disk-fault tests need root to mount a tmpfs",
        at.display()
    );
}
