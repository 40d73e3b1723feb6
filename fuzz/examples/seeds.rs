//! Writes the seed corpora of the binary fuzz targets into `fuzz/seeds/TARGET/` from real
//! inputs: the `__consumer_offsets` records a real broker wrote
//! (`host/core/tests/fixtures/consumer-offsets`), framed as `offsets_record` reads them, the
//! assignments inside them, and storage snapshots of a store filled through its writer.
//! `scripts/fuzz --seeds` runs it; the seeds are checked in, so a fuzz run needs no step before
//! it. The text targets read the repository's config files and `warren evaluate` examples
//! where they are (`scripts/fuzz` names those folders).

use std::fs;
use std::path::{Path, PathBuf};

use warren_core::codec::{Record, decode, encode_assignment};
use warren_core::model::{Commit, GroupMembership, Member};
use warren_core::storage::{CommitSource, StorageHandle, StorageSettings};

fn main() -> std::io::Result<()> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz.parent().expect("repository");
    let seeds = fuzz.join("seeds");
    let fixtures = repo.join("host/core/tests/fixtures/consumer-offsets");
    let mut records = Vec::new();
    let mut assignments = Vec::new();
    for key_file in sorted(&fixtures, "key")? {
        let key = fs::read(&key_file)?;
        let value = fs::read(key_file.with_extension("value")).unwrap_or_default();
        let mut seed = vec![u8::try_from(key.len()).expect("keys under 256 bytes")];
        seed.extend(&key);
        seed.extend(&value);
        records.push(seed);
        if let Ok(Record::GroupMetadata { value: Some(v), .. }) = decode(&key, Some(&value)) {
            for m in v.members.iter().filter(|m| !m.assignment.is_empty()) {
                assignments.push(encode_assignment(&m.assignment));
            }
        }
    }
    write(&seeds.join("offsets_record"), &records)?;
    write(&seeds.join("offsets_assignment"), &assignments)?;
    write(&seeds.join("persisted_state"), &snapshots())?;
    Ok(())
}

/// Snapshots of group `g` on topic `t`, framed as `persisted_state` reads them: a bare
/// window, a merged and membership-carrying one, and one with a full ring of commits.
fn snapshots() -> Vec<Vec<u8>> {
    [1, 3, 12]
        .into_iter()
        .map(|commits| {
            let h = StorageHandle::new(["c".to_string()], StorageSettings::burrow_defaults());
            let cluster = h.cluster("c").expect("cluster c");
            {
                let mut w = cluster.writer();
                w.set_topics(&[("t".into(), 2)]);
                for i in 0..commits {
                    w.record_heads("t", &[(0, 100 + i * 10), (1, 50)], 1_000 + i * 1_000);
                    let c = Commit {
                        group: "g",
                        topic: "t",
                        partition: i32::from(i % 2 == 1),
                        offset: 90 + i * 7,
                        timestamp_ms: 1_500 + i * 1_000,
                        order: i,
                    };
                    w.commit(&c, CommitSource::OffsetsTopic, 2_000 + i * 1_000);
                }
                if commits > 1 {
                    let membership = GroupMembership {
                        state: Some("Stable".into()),
                        members: vec![Member {
                            host: "/127.0.0.1".into(),
                            client_id: "fx-classic-client".into(),
                            assignment: vec![("t".into(), vec![0, 1])],
                        }],
                    };
                    w.set_membership("g", &membership, 9_000);
                }
            }
            let delta = cluster.take_delta(true);
            let heads = &delta.topics.iter().find(|(n, _)| n == "t").expect("t").1;
            let group = &delta.groups.iter().find(|(n, _)| n == "g").expect("g").1;
            let mut seed = u16::try_from(heads.len())
                .expect("small")
                .to_le_bytes()
                .to_vec();
            seed.extend(heads);
            seed.extend(group);
            seed
        })
        .collect()
}

fn sorted(dir: &Path, extension: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == extension));
    files.sort();
    Ok(files)
}

/// Replaces `dir`'s seeds with `seeds`, named by position.
fn write(dir: &Path, seeds: &[Vec<u8>]) -> std::io::Result<()> {
    assert!(!seeds.is_empty(), "no seeds for {}", dir.display());
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir)?;
    for (i, seed) in seeds.iter().enumerate() {
        fs::write(dir.join(format!("{i:03}")), seed)?;
    }
    println!("{}: {} seeds", dir.display(), seeds.len());
    Ok(())
}
