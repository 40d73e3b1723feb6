//! Giving freed heap back to the operating system. glibc's allocator keeps what a thread frees
//! in that thread's arena and returns to the system only the free space at the top of each
//! heap; and once a large buffer from `mmap` is freed, it serves buffers of that size from the
//! arenas too. So the large short-lived buffers of a `/metrics` render (the figures of every
//! group, the body's chunks, the previous body) stay resident after they are freed, and
//! resident memory settles at the sum of every render's high-water mark instead of what is
//! live. [`give_back`] asks glibc to return every free page of every arena (`malloc_trim`),
//! a walk of the arenas' free lists: cheap beside a render.

/// Returns the free pages of every heap arena to the system; a no-op where the allocator is
/// not glibc's.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only works on the allocator's own free lists and takes its locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Resident memory of this process, in bytes.
    fn resident() -> usize {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
        pages * 4096
    }

    #[test]
    fn freed_blocks_below_a_live_one_leave_resident_memory_once_given_back() {
        const BLOCKS: usize = 16 * 1024;
        const SIZE: usize = 4096;
        // Small blocks come from the arena, not from mmap; the live block allocated after them
        // keeps the freed space from being the top of the heap, which free() trims by itself.
        let blocks: Vec<Vec<u8>> = (0..BLOCKS).map(|i| vec![i as u8 | 1; SIZE]).collect();
        let pin = vec![1u8; SIZE];
        drop(blocks);
        let before = resident();
        give_back();
        let after = resident();
        assert!(
            before.saturating_sub(after) >= BLOCKS * SIZE / 2,
            "{} MiB resident before, {} MiB after",
            before >> 20,
            after >> 20
        );
        assert_eq!(pin[0], 1);
    }
}
