//! Which vectors a run takes: `--filter` patterns and `--shard K/N`.

use std::str::FromStr;

use crate::glob;
use crate::suite::{Entry, Suite};

/// One of N shards (`--shard K/N`, K from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: usize,
    /// How many.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Whether `pattern` selects `entry`: a glob or exact id (`wire.uint.*`), an id prefix ending at a
/// dot (`wire.uint` selects `wire.uint.zero`), an area, or a requirement ID (`IOTP-WIRE-8`).
pub fn selects(pattern: &str, entry: &Entry<'_>) -> bool {
    let id = entry.vector.id.as_str();
    glob::matches(pattern, id)
        || id
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.'))
        || glob::matches(pattern, entry.area)
        || entry.vector.requirements.iter().any(|r| r == pattern)
}

/// The vectors of `suite` that any of `filters` selects (all when there is none), then those of the
/// shard: the vectors in suite order are dealt round-robin to the N shards, so that each shard gets a
/// mix of areas and the union of all shards is the whole selection.
pub fn select<'a>(suite: &'a Suite, filters: &[String], shard: Option<Shard>) -> Vec<Entry<'a>> {
    suite
        .entries()
        .filter(|e| filters.is_empty() || filters.iter().any(|p| selects(p, e)))
        .enumerate()
        .filter(|(i, _)| shard.is_none_or(|s| i % s.count == s.index - 1))
        .map(|(_, e)| e)
        .collect()
}
