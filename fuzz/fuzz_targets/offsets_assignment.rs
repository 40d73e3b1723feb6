//! A consumer-protocol assignment (`ConsumerProtocolAssignment`), as found in group metadata
//! members and in DescribeGroups answers: never a panic, and what decodes survives Warren's
//! encoder unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warren_core::codec::{decode_assignment, encode_assignment};

fuzz_target!(|data: &[u8]| {
    let Ok(assignment) = decode_assignment(data) else {
        return;
    };
    let bytes = encode_assignment(&assignment);
    let again = decode_assignment(&bytes).expect("an encoded assignment decodes");
    assert_eq!(again, assignment, "assignment changed through the encoder");
});
