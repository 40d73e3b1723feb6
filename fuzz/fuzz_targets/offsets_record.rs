//! One `__consumer_offsets` record: the first byte is the key's length, the key follows, the
//! rest is the value (empty: a tombstone). Decoding must never panic; an offset commit or group
//! metadata record that decodes must survive Warren's encoder unchanged (decode, encode,
//! decode gives the same record), so decoder and encoder agree on every layout they accept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warren_core::codec::{
    Record, decode, encode_group_metadata_key, encode_group_metadata_value,
    encode_offset_commit_key, encode_offset_commit_value,
};

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let (key, value) = rest.split_at(usize::from(len).min(rest.len()));
    let Ok(record) = decode(key, Some(value)) else {
        return;
    };
    let _ = format!("{record:?}");
    match &record {
        Record::OffsetCommit {
            group,
            topic,
            partition,
            value,
        } => {
            let key = encode_offset_commit_key(group, topic, *partition);
            let bytes = value.as_ref().map(encode_offset_commit_value);
            let again = decode(&key, bytes.as_deref()).expect("an encoded commit decodes");
            assert_eq!(again, record, "offset commit changed through the encoder");
        }
        Record::GroupMetadata { group, value } => {
            let key = encode_group_metadata_key(group);
            let bytes = value.as_ref().map(encode_group_metadata_value);
            let again = decode(&key, bytes.as_deref()).expect("encoded group metadata decodes");
            assert_eq!(again, record, "group metadata changed through the encoder");
        }
        _ => {}
    }
});
