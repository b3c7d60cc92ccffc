//! Fixed limits every decoder enforces, whatever the schema says.

/// MAX_DEPTH of spec/04-wire-format.md §4.16: the depth of a top-level item is 1, of an item directly
/// inside a map or array of depth d it is d + 1, and no item may be deeper. One fixed number, so that
/// every decoder accepts and rejects the same inputs.
pub const MAX_DEPTH: usize = 16;
