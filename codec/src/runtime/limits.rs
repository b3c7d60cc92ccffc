//! Fixed limits every decoder enforces, whatever the schema says.

/// MAX_DEPTH of spec/04-wire-format.md §4.16: the depth of a top-level item is 1, of an item directly
/// inside a map or array of depth d it is d + 1, and no item may be deeper. One fixed number, so that
/// every decoder accepts and rejects the same inputs.
pub const MAX_DEPTH: usize = 16;

/// `n` as a `usize`, or `usize::MAX` where `usize` cannot hold it (16- and 32-bit targets). Generated
/// code uses it for a `MAX_ENCODED_SIZE` above 4 GiB (deep recursive types): such a constant then still
/// compiles everywhere, and says "larger than any buffer here", which is true.
pub const fn saturating_usize(n: u64) -> usize {
    if n > usize::MAX as u64 {
        usize::MAX
    } else {
        n as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_that_fit_stay_and_larger_ones_saturate() {
        assert_eq!(saturating_usize(0), 0);
        assert_eq!(saturating_usize(1232), 1232);
        assert_eq!(saturating_usize(usize::MAX as u64), usize::MAX);
        assert_eq!(saturating_usize(u64::MAX), usize::MAX);
    }
}
