//! Freshness challenges (spec §6.8, §8.6.4): the echo values a node issues with `FreshnessRequired`
//! and accepts once, from the same security context, within FRESHNESS_WINDOW. The interaction model
//! uses them for fresh commands, the engine to resynchronise a lost replay window (§8.6.3).
//!
//! **Bound.** At most `capacity` challenges are outstanding; issuing one more forgets the oldest (its
//! client then gets a new challenge on its next try). Each is 16 random bytes ([IOTP-IM-41],
//! [IOTP-SEC-87]).

use alloc::collections::VecDeque;

use rand_core::CryptoRngCore;

use crate::params::Instant;

/// Length of the challenges this node issues (8 to 40 allowed).
pub const CHALLENGE_LEN: usize = 16;

/// The longest FRESHNESS_WINDOW ([IOTP-SEC-89]), in ms.
pub const MAX_FRESHNESS_WINDOW: u64 = 60_000;

#[derive(Clone, Debug)]
struct Challenge<K> {
    value: [u8; CHALLENGE_LEN],
    context: K,
    issued: Instant,
}

/// The challenges a node has issued and not yet seen used. `K` names a security context (the engine's
/// handle on it): a challenge is accepted only from the context it was issued in ([IOTP-SEC-88]).
#[derive(Clone, Debug)]
pub struct Challenges<K> {
    window: u64,
    capacity: usize,
    issued: VecDeque<Challenge<K>>,
}

impl<K: Copy + PartialEq> Challenges<K> {
    /// A table of `capacity` challenges valid for `window` ms (at most 60 s; 10 s recommended,
    /// [IOTP-IM-44]).
    pub fn new(window: u64, capacity: usize) -> Self {
        Challenges {
            window: window.min(MAX_FRESHNESS_WINDOW),
            capacity: capacity.max(1),
            issued: VecDeque::new(),
        }
    }

    /// Issues a new challenge for requests opened under `context` ([IOTP-SEC-88]).
    pub fn issue(
        &mut self,
        context: K,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
    ) -> [u8; CHALLENGE_LEN] {
        let mut value = [0u8; CHALLENGE_LEN];
        rng.fill_bytes(&mut value);
        if self.issued.len() >= self.capacity {
            self.issued.pop_front();
        }
        self.issued.push_back(Challenge {
            value,
            context,
            issued: now,
        });
        value
    }

    /// Whether `echo` makes a request opened under `context` at `now` fresh ([IOTP-IM-39]); a
    /// challenge that matches is used up ([IOTP-IM-43]).
    pub fn redeem(&mut self, context: K, echo: &[u8], now: Instant) -> bool {
        let window = self.window;
        self.issued
            .retain(|c| now <= c.issued.saturating_add(window));
        match self
            .issued
            .iter()
            .position(|c| c.context == context && c.value.as_slice() == echo)
        {
            Some(i) => {
                self.issued.remove(i);
                true
            }
            None => false,
        }
    }
}
