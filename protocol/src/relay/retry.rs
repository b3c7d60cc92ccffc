//! The retry queue of [IOTP-DLV-52] (spec §3.8.1): a confirmable forward whose transmission failed
//! on every relay of its domain ([IOTP-DLV-51]) waits here and is tried again, like an SMTP queue,
//! after 60 s, then 120 s, 240 s, ... at most 3600 s, until its hold time ends (its `ttl`, counted
//! down while it is kept, or the relay's `max_hold_time`, §3.7.2), when its sender hears `Expired`
//! or `Undeliverable` ([IOTP-DLV-53]). A redirect of [IOTP-DLV-113] never comes here
//! ([IOTP-DLV-125]), nor a forward for a domain without relay, answered `NoRoute` at once
//! ([IOTP-DLV-4]).
//!
//! A due entry goes out again as a [`RelayOutput::Forward`], so that the caller resolves the
//! domain's relays anew, in the order of their SRV records, and hands them to
//! [`Relay::forward_to`], which recognises the envelope by its digest and keeps its count of
//! attempts. Each change of the queue goes to the store ([`StoreChange::Retry`]); after a restart
//! [`Relay::restore_forward`] puts an entry back with what is left of its wait and its hold.
//!
//! **Bound.** At most `max_nodes` × `max_messages` entries, the bound of the outbox: a forward that
//! fails when the queue is full is answered `Undeliverable` at once rather than kept ([IOTP-DLV-133]).
//! Each entry is one held envelope (at most MAX_MESSAGE bytes), its domain (a DNS name) and two
//! numbers: 256 bytes in place (with an 18-byte hop peer) besides the envelope, its sender's
//! address and the domain on the heap.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::{Envelope, StatusCode};
use iotp2p_codec::prelude::*;
use rand_core::CryptoRngCore;

use super::held::Held;
use super::{NdnRoute, Relay, RelayOutput, RestoreError, Source, StoreChange};
use crate::message::digest::{digest, Digest};
use crate::params::Instant;

/// The first interval of [IOTP-DLV-52], in ms.
pub const RETRY_FIRST: u64 = 60_000;
/// The longest interval of [IOTP-DLV-52], in ms.
pub const RETRY_MOST: u64 = 3_600_000;

/// The intervals between the attempts to forward an envelope ([IOTP-DLV-52]): the spec's by
/// default; shorter ones only for tests on real time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The interval after the first failed attempt, in ms.
    pub first: u64,
    /// The longest interval, in ms.
    pub most: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: RETRY_FIRST,
            most: RETRY_MOST,
        }
    }
}

impl Backoff {
    /// The wait after the `failed`-th failed attempt (1 for the first): `first`, doubled after each
    /// failed attempt, at most `most`.
    pub fn interval(&self, failed: u32) -> u64 {
        let doublings = failed.saturating_sub(1).min(63);
        self.first.saturating_mul(1u64 << doublings).min(self.most)
    }
}

/// A forward waiting for its next attempt.
#[derive(Debug)]
struct Waiting<P> {
    domain: String,
    held: Held<Source<P>>,
    /// Its failed attempts so far.
    failed: u32,
    /// When it goes again; `None` once it went out as a [`RelayOutput::Forward`] and waits for
    /// the caller's [`Relay::forward_to`].
    due: Option<Instant>,
}

/// The forwards waiting to be tried again.
#[derive(Debug)]
pub(super) struct Retries<P> {
    entries: Vec<Waiting<P>>,
    max: usize,
}

impl<P> Retries<P> {
    /// At most `max` entries.
    pub(super) fn new(max: usize) -> Self {
        Retries {
            entries: Vec::new(),
            max,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the envelope `digest` waits here.
    pub(super) fn holds(&self, digest: &Digest) -> bool {
        self.entries.iter().any(|w| w.held.digest == *digest)
    }

    /// The earliest next attempt or end of a hold.
    pub(super) fn next_deadline(&self, max_hold_time: u32) -> Option<Instant> {
        self.entries
            .iter()
            .flat_map(|w| [w.due, Some(w.held.expiry(max_hold_time))])
            .flatten()
            .min()
    }

    /// Takes the entry of `digest` out: the caller forwards it now. Its held envelope and failed
    /// attempts.
    fn take(&mut self, digest: &Digest) -> Option<(Held<Source<P>>, u32)> {
        let i = self.entries.iter().position(|w| w.held.digest == *digest)?;
        let w = self.entries.swap_remove(i);
        Some((w.held, w.failed))
    }
}

/// The status that ends a forward whose hold ended at `now` ([IOTP-DLV-53]), if it did.
fn hold_ended<R>(held: &Held<R>, now: Instant, max_hold_time: u32) -> Option<StatusCode> {
    if held.ttl_at(now).is_err() {
        Some(StatusCode::Expired)
    } else if now >= held.expiry(max_hold_time) {
        Some(StatusCode::Undeliverable)
    } else {
        None
    }
}

/// A forward of `bytes` as the relay keeps it, accepted `held_for` ms before `now`: a non-delivery
/// status goes to its sender's address ([IOTP-DLV-48]).
pub(super) fn forward_held<P>(
    now: Instant,
    bytes: Vec<u8>,
    held_for: u64,
) -> Option<Held<Source<P>>> {
    let env = Envelope::decode(&bytes).ok()?;
    let d = digest(&env, env.recipient, env.sender).ok()?;
    let sender = env.sender.map(String::from);
    Some(Held {
        digest: d,
        message_id: env.message_id,
        request: env.correlation_id.is_none(),
        received: now.saturating_sub(held_for),
        ttl: env.ttl,
        route: Source {
            hop: None,
            ndn: match &sender {
                Some(s) => NdnRoute::Sender(s.clone()),
                None => NdnRoute::Nowhere,
            },
        },
        sender,
        delivered: None,
        bytes,
    })
}

/// The envelope of `held` as it goes at `now`: its `ttl` decreased by the time held
/// ([IOTP-MSG-65]).
fn as_of<R>(held: &Held<R>, now: Instant) -> Option<Vec<u8>> {
    let ttl = held.ttl_at(now).ok()?;
    let env = Envelope::decode(&held.bytes).ok()?;
    Envelope { ttl, ..env }.encode_to_vec().ok()
}

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// The `failed`-th attempt to forward `held` to `domain`'s relays failed: it waits for the
    /// next, or its sender hears why not ([IOTP-DLV-52], [IOTP-DLV-53]).
    pub(super) fn retry_later(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        domain: String,
        held: Held<Source<P>>,
        failed: u32,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        if let Some(code) = self.cannot_wait(now, &held) {
            return self.forward_ends(now, rng, held, code, out);
        }
        let next = now.saturating_add(self.config.retry.interval(failed));
        let digest = held.digest;
        self.queue(domain, held, failed, next);
        out.push(RelayOutput::Store(StoreChange::Retry {
            digest,
            failed,
            next,
        }));
    }

    /// Why `held` cannot wait for another attempt, if it cannot: the status its sender is owed.
    fn cannot_wait(&self, now: Instant, held: &Held<Source<P>>) -> Option<StatusCode> {
        let full = self.retries.len() >= self.retries.max;
        // No room to keep it: answered now ([IOTP-DLV-133]).
        hold_ended(held, now, self.config.limits.max_hold_time)
            .or(full.then_some(StatusCode::Undeliverable))
    }

    fn queue(&mut self, domain: String, held: Held<Source<P>>, failed: u32, due: Instant) {
        self.retries.entries.push(Waiting {
            domain,
            held,
            failed,
            due: Some(due),
        });
    }

    /// A forward ends without reaching the next relay: its sender hears `code`, and it is no
    /// longer the store's.
    pub(super) fn forward_ends(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        held: Held<Source<P>>,
        code: StatusCode,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let digest = held.digest;
        self.give_up(now, rng, held, code, out);
        out.push(RelayOutput::Store(StoreChange::Forwarded { digest }));
    }

    /// The forward `digest` if it waits for its next attempt: taken out, with its failed attempts.
    pub(super) fn retrying(&mut self, digest: &Digest) -> Option<(Held<Source<P>>, u32)> {
        self.retries.take(digest)
    }

    /// Holds that ended, and attempts that are due.
    pub(super) fn retry_timer(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let max_hold_time = self.config.limits.max_hold_time;
        let mut i = 0;
        while i < self.retries.entries.len() {
            let w = &mut self.retries.entries[i];
            let ended = hold_ended(&w.held, now, max_hold_time);
            let due = ended.is_none() && w.due.is_some_and(|d| d <= now);
            // The caller resolves the domain again ([IOTP-DLV-51]); `forward_to` takes it back.
            let bytes = if due { as_of(&w.held, now) } else { None };
            match (ended, due, bytes) {
                (None, false, _) => i += 1,
                (None, true, Some(bytes)) => {
                    w.due = None;
                    let domain = w.domain.clone();
                    out.push(RelayOutput::Forward { domain, bytes });
                    i += 1;
                }
                // Its hold ended, or (never, for an envelope that decoded before) it cannot go.
                (code, _, _) => {
                    let w = self.retries.entries.swap_remove(i);
                    let code = code.unwrap_or(StatusCode::Undeliverable);
                    self.forward_ends(now, rng, w.held, code, out);
                }
            }
        }
    }

    /// Puts back a forward that a store kept ([`StoreChange::Outgoing`], [`StoreChange::Retry`])
    /// after a restart, at `now` on the relay's clock: accepted `held_for` ms ago for `domain`,
    /// after `failed` failed attempts, the next `wait` ms from now (0: at once, as one never tried).
    /// Its digest, and what to do if it cannot wait (its hold ended, or the queue is full): tell
    /// its sender ([IOTP-DLV-53]).
    #[allow(clippy::too_many_arguments)]
    pub fn restore_forward(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        domain: &str,
        envelope: &[u8],
        held_for: u64,
        failed: u32,
        wait: u64,
    ) -> Result<(Digest, Vec<RelayOutput<P>>), RestoreError> {
        let held = forward_held(now, envelope.into(), held_for).ok_or(RestoreError::Decode)?;
        let digest = held.digest;
        let mut out = Vec::new();
        match self.cannot_wait(now, &held) {
            Some(code) => self.forward_ends(now, rng, held, code, &mut out),
            None => self.queue(domain.into(), held, failed, now.saturating_add(wait)),
        }
        Ok((digest, out))
    }

    /// How many forwards wait to be tried again (at most `max_nodes` × `max_messages`): what a
    /// fuzz target checks the bound by.
    pub fn retrying_count(&self) -> usize {
        self.retries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_start_at_60_s_and_double_up_to_3600_s() {
        let b = Backoff::default();
        let waits: Vec<u64> = (1..=9).map(|n| b.interval(n) / 1000).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(b.interval(u32::MAX), RETRY_MOST);
    }
}
