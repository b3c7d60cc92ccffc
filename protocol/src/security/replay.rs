//! The replay window of a security context (spec §8.6.2, as [RFC 8613] §7.4) and its loss (§8.6.3).
//!
//! The window records the highest `message_id` opened (H) and which of the 32 values from H − 31 to H
//! were opened: 8 bytes of state per context whatever the traffic, the bound [IOTP-SEC-83] asks for.
//! [`ReplayWindow::check`] never changes the state; only [`ReplayWindow::record`], called after a
//! successful decryption, does ([IOTP-SEC-84]).

use crate::params::REPLAY_WINDOW;

/// What the window says of a `message_id` before decryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// Not opened before: decrypt it.
    Fresh,
    /// Opened before, and still inside the window: a duplicate, which the receiver acknowledges again
    /// and answers from its cache, without decrypting it ([IOTP-SEC-75]).
    Opened,
    /// Below the window: the receiver cannot tell, and discards it ([IOTP-SEC-75]).
    Stale,
    /// The window was lost (a reboot without stored windows): the envelope may be decrypted, but not
    /// acted on until the peer proves freshness with an echo ([IOTP-SEC-85]).
    Unverified,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing opened yet under this context.
    Empty,
    /// `highest` is H; bit i of `seen` records whether H − i was opened (bit 0, H itself, is always set).
    Tracking { highest: u64, seen: u32 },
    /// The window was lost and freshness is not yet proven.
    Lost,
}

/// The replay window of one security context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayWindow {
    state: State,
}

impl Default for ReplayWindow {
    fn default() -> Self {
        ReplayWindow::new()
    }
}

// The bitmap is exactly as wide as the window the spec's bound requires.
const _: () = assert!(REPLAY_WINDOW == u32::BITS as u64);

impl ReplayWindow {
    /// The window of a new context: every `message_id` is fresh.
    pub const fn new() -> ReplayWindow {
        ReplayWindow {
            state: State::Empty,
        }
    }

    /// The window of a context whose window was lost (after a reboot, [IOTP-SEC-85]).
    pub const fn lost() -> ReplayWindow {
        ReplayWindow { state: State::Lost }
    }

    /// Whether the window was lost and not yet resynchronised.
    pub const fn is_lost(&self) -> bool {
        matches!(self.state, State::Lost)
    }

    /// The highest `message_id` opened, if any.
    pub const fn highest(&self) -> Option<u64> {
        match self.state {
            State::Tracking { highest, .. } => Some(highest),
            State::Empty | State::Lost => None,
        }
    }

    /// The verdict on `message_id`, without changing anything.
    pub const fn check(&self, message_id: u64) -> ReplayVerdict {
        match self.state {
            State::Empty => ReplayVerdict::Fresh,
            State::Lost => ReplayVerdict::Unverified,
            State::Tracking { highest, seen } => {
                if message_id > highest {
                    ReplayVerdict::Fresh
                } else if highest - message_id < REPLAY_WINDOW {
                    if seen & (1 << (highest - message_id)) != 0 {
                        ReplayVerdict::Opened
                    } else {
                        ReplayVerdict::Fresh
                    }
                } else {
                    ReplayVerdict::Stale
                }
            }
        }
    }

    /// Records `message_id` as opened. Call only after the envelope decrypted ([IOTP-SEC-84]). A lost
    /// window stays lost: only [`resync`](Self::resync) ends that state.
    pub fn record(&mut self, message_id: u64) {
        self.state = match self.state {
            State::Empty => State::Tracking {
                highest: message_id,
                seen: 1,
            },
            State::Lost => State::Lost,
            State::Tracking { highest, seen } => {
                if message_id > highest {
                    let shift = message_id - highest;
                    let seen = if shift >= REPLAY_WINDOW {
                        1
                    } else {
                        (seen << shift) | 1
                    };
                    State::Tracking {
                        highest: message_id,
                        seen,
                    }
                } else if highest - message_id < REPLAY_WINDOW {
                    State::Tracking {
                        highest,
                        seen: seen | (1 << (highest - message_id)),
                    }
                } else {
                    State::Tracking { highest, seen }
                }
            }
        };
    }

    /// Ends the loss of the window: the peer proved freshness with the request `message_id`, which
    /// becomes H ([IOTP-SEC-85]).
    pub fn resync(&mut self, message_id: u64) {
        self.state = State::Tracking {
            highest: message_id,
            seen: 1,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn boundaries() {
        let mut w = ReplayWindow::new();
        assert_eq!(w.check(0), ReplayVerdict::Fresh);
        w.record(100);
        assert_eq!(w.check(100), ReplayVerdict::Opened);
        assert_eq!(w.check(101), ReplayVerdict::Fresh);
        // H − 32 < M ≤ H: 69 is the lowest value still in the window, 68 is below it.
        assert_eq!(w.check(69), ReplayVerdict::Fresh);
        assert_eq!(w.check(68), ReplayVerdict::Stale);
        w.record(69);
        assert_eq!(w.check(69), ReplayVerdict::Opened);
        w.record(101);
        assert_eq!(w.check(69), ReplayVerdict::Stale);
        assert_eq!(w.check(100), ReplayVerdict::Opened);
        w.record(1000);
        assert_eq!(w.check(101), ReplayVerdict::Stale);
        assert_eq!(w.check(999), ReplayVerdict::Fresh);
    }

    #[test]
    fn a_lost_window_waits_for_an_echo() {
        let mut w = ReplayWindow::lost();
        assert_eq!(w.check(5), ReplayVerdict::Unverified);
        w.record(5);
        assert!(w.is_lost());
        w.resync(7);
        assert_eq!(w.check(7), ReplayVerdict::Opened);
        assert_eq!(w.check(6), ReplayVerdict::Fresh);
    }

    proptest! {
        /// The window agrees with a model that remembers every opened value: a value is `Opened` iff
        /// it was recorded and lies in the window, `Fresh` iff it was not recorded and is above
        /// H − 32, and `Stale` otherwise.
        #[test]
        fn agrees_with_a_model(ids in proptest::collection::vec(0u64..200, 0..60), probe in 0u64..220) {
            let mut w = ReplayWindow::new();
            let mut opened = std::collections::BTreeSet::new();
            for id in ids {
                if w.check(id) == ReplayVerdict::Fresh {
                    w.record(id);
                    opened.insert(id);
                } else {
                    prop_assert!(opened.contains(&id) || opened.last().is_some_and(|h| h - id >= 32));
                }
            }
            let expected = match opened.last() {
                None => ReplayVerdict::Fresh,
                Some(&h) if probe > h => ReplayVerdict::Fresh,
                Some(&h) if h - probe < 32 && opened.contains(&probe) => ReplayVerdict::Opened,
                Some(&h) if h - probe < 32 => ReplayVerdict::Fresh,
                Some(_) => ReplayVerdict::Stale,
            };
            prop_assert_eq!(w.check(probe), expected);
        }
    }
}
