//! Which `__consumer_offsets` partition holds a group's records: the group coordinator's rule,
//! `Utils.abs(groupId.hashCode()) % partitions`, with Java's `String.hashCode` over UTF-16
//! code units. `Utils.abs` is the absolute value (and 0 for `i32::MIN`), not the
//! `& 0x7fffffff` mask Kafka uses for record keys: the two differ for every negative hash.

/// The offsets-topic partition of `group` on a topic of `partitions` partitions.
pub fn offsets_partition(group: &str, partitions: i32) -> i32 {
    let hash = group.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    });
    hash.checked_abs().unwrap_or(0) % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::offsets_partition;

    #[test]
    fn short_names_hash_as_java_does() {
        // Java: "a".hashCode() == 97, "ab".hashCode() == 97 * 31 + 98.
        assert_eq!(offsets_partition("a", 50), 97 % 50);
        assert_eq!(offsets_partition("ab", 50), (97 * 31 + 98) % 50);
    }

    #[test]
    fn a_negative_hash_is_negated_not_masked() {
        // Java: "analytics-pipeline".hashCode() == -848090871, so Kafka's partition on 50
        // partitions is 848090871 % 50 == 21; masking would have said 27.
        assert_eq!(offsets_partition("analytics-pipeline", 50), 21);
        assert_eq!(offsets_partition("fraud-detector", 50), 43);
    }

    #[test]
    fn the_one_hash_without_an_absolute_value_lands_in_partition_zero() {
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        assert_eq!(offsets_partition("polygenelubricants", 50), 0);
    }
}
