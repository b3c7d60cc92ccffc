//! Confirmable envelopes and their retransmission (spec §5.8.2), on a clock and randomness that the
//! caller injects.
//!
//! Each confirmable envelope gets a first timeout drawn between ACK_TIMEOUT and ACK_TIMEOUT ×
//! ACK_RANDOM_FACTOR ([IOTP-MSG-45]), doubled at each of at most MAX_RETRANSMIT retransmissions of the
//! same bytes ([IOTP-MSG-46]); an acknowledgement or a status ends it ([IOTP-MSG-47],
//! [IOTP-MSG-48]). At most NSTART envelopes are outstanding towards one hop peer, and never two with
//! the same `message_id` ([IOTP-MSG-49], [IOTP-MSG-50]): the others wait, in order.
//!
//! The `message_id`s of the envelopes that ended lately are kept too, so that a node can keep a new
//! confirmable unsealed envelope off them ([IOTP-MSG-142]): a duplicate of their acknowledgement,
//! arriving late, would otherwise end the new envelope's retransmission. A relay, which passes envelopes
//! on with their senders' identifiers and cannot skip them, holds such an envelope back instead until
//! its quarantine (ACK_TIMEOUT after the last one ended) is over ([IOTP-DLV-136]).
//!
//! **Bounds.** At most `max_waiting` envelopes wait (beyond that [`submit`](Retransmitter::submit)
//! refuses; [`submit_keeping`](Retransmitter::submit_keeping) keeps places free for replies), and at most NSTART per hop peer are in flight; each holds at most MAX_MESSAGE bytes.
//! The last [`ENDED_KEPT`] ended envelopes are remembered (hop peer, `message_id`).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use crate::params::{Instant, Timing};

/// What the caller does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<P> {
    /// Send these bytes to the hop peer (a first transmission or a retransmission).
    Send {
        /// The hop peer.
        peer: P,
        /// The envelope's `message_id`.
        message_id: u64,
        /// The encoded envelope (or the frame to send).
        bytes: Vec<u8>,
    },
    /// The transmission on this hop failed after MAX_RETRANSMIT retransmissions ([IOTP-MSG-47]).
    Failed {
        /// The hop peer.
        peer: P,
        /// The envelope's `message_id`.
        message_id: u64,
    },
}

/// How many ended envelopes (acknowledged, answered or failed) are remembered.
pub const ENDED_KEPT: usize = 16;

/// The waiting queue is full: the envelope was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull;

#[derive(Clone, Debug)]
struct InFlight<P> {
    peer: P,
    message_id: u64,
    bytes: Vec<u8>,
    timeout: u64,
    deadline: Instant,
    retransmissions: u32,
    /// Not sent yet: it waits out the quarantine of its `message_id` until `deadline`
    /// ([IOTP-DLV-136]), and an acknowledgement naming it meanwhile is a late one of the last.
    held_back: bool,
}

#[derive(Clone, Debug)]
struct Waiting<P> {
    peer: P,
    message_id: u64,
    bytes: Vec<u8>,
}

/// The confirmable envelopes of a node, towards all its hop peers.
#[derive(Clone, Debug)]
pub struct Retransmitter<P> {
    timing: Timing,
    max_waiting: usize,
    in_flight: Vec<InFlight<P>>,
    waiting: VecDeque<Waiting<P>>,
    /// The envelopes that ended lately, newest last (at most [`ENDED_KEPT`]), and when.
    ended: VecDeque<(P, u64, Instant)>,
    /// How long after an envelope ended another with its `message_id` waits before it is first sent
    /// towards the same hop peer (0: not at all).
    quarantine: u64,
}

impl<P: PartialEq + Clone> Retransmitter<P> {
    /// A retransmitter with these parameters, holding at most `max_waiting` envelopes back.
    pub fn new(timing: Timing, max_waiting: usize) -> Self {
        Retransmitter {
            timing,
            max_waiting,
            in_flight: Vec::new(),
            waiting: VecDeque::new(),
            ended: VecDeque::new(),
            quarantine: 0,
        }
    }

    /// The same, for a relay, which forwards envelopes with the `message_id` their sender gave and
    /// cannot skip values as a node does ([IOTP-MSG-142]): an envelope whose `message_id` ended
    /// towards its hop peer less than `quarantine` ms ago is sent when that time is over, so that a
    /// late copy of the first one's acknowledgement does not end its retransmission
    /// ([IOTP-DLV-136]).
    pub fn with_quarantine(timing: Timing, max_waiting: usize, quarantine: u64) -> Self {
        Retransmitter {
            quarantine,
            ..Self::new(timing, max_waiting)
        }
    }

    /// The `message_id`s towards `peer` that a new confirmable envelope must not take: those in
    /// flight or waiting, and those of the last [`ENDED_KEPT`] envelopes that ended.
    pub fn ids_towards<'a>(&'a self, peer: &'a P) -> impl Iterator<Item = u64> + 'a {
        let in_flight = self.in_flight.iter().map(|f| (&f.peer, f.message_id));
        let waiting = self.waiting.iter().map(|w| (&w.peer, w.message_id));
        let ended = self.ended.iter().map(|(p, id, _)| (p, *id));
        in_flight
            .chain(waiting)
            .chain(ended)
            .filter(move |(p, _)| *p == peer)
            .map(|(_, id)| id)
    }

    fn ended(&mut self, peer: P, message_id: u64, now: Instant) {
        if self.ended.len() >= ENDED_KEPT {
            self.ended.pop_front();
        }
        self.ended.push_back((peer, message_id, now));
    }

    /// Until when an envelope with `message_id` towards `peer` is held back ([IOTP-DLV-136]).
    fn quarantined_until(&self, peer: &P, message_id: u64, now: Instant) -> Option<Instant> {
        if self.quarantine == 0 {
            return None;
        }
        self.ended
            .iter()
            .filter(|(p, id, _)| p == peer && *id == message_id)
            .map(|(_, _, at)| at.saturating_add(self.quarantine))
            .max()
            .filter(|until| *until > now)
    }

    /// How many envelopes are outstanding (sent, not yet acknowledged).
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// How many envelopes wait for NSTART or for an outstanding one with the same `message_id`.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// How many more envelopes may wait.
    pub fn room(&self) -> usize {
        self.max_waiting.saturating_sub(self.waiting.len())
    }

    /// Whether an envelope with this `message_id` is outstanding or waiting towards `peer`.
    pub fn is_pending(&self, peer: &P, message_id: u64) -> bool {
        self.in_flight
            .iter()
            .any(|f| f.peer == *peer && f.message_id == message_id)
            || self
                .waiting
                .iter()
                .any(|w| w.peer == *peer && w.message_id == message_id)
    }

    /// Whether the envelope `bytes` waits towards `peer`, not sent yet.
    pub fn is_waiting(&self, peer: &P, bytes: &[u8]) -> bool {
        self.waiting
            .iter()
            .any(|w| w.peer == *peer && w.bytes == bytes)
    }

    /// Sends a confirmable envelope to `peer`: returns the action to send it now, or nothing if it must
    /// wait its turn.
    pub fn submit(
        &mut self,
        peer: P,
        message_id: u64,
        bytes: Vec<u8>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Option<Action<P>>, QueueFull> {
        self.submit_keeping(peer, message_id, bytes, now, rng, 0)
    }

    /// As [`submit`](Self::submit), but an envelope that must wait is refused unless `kept` places
    /// of the waiting queue stay free after it: a node keeps them for the replies it owes
    /// ([IOTP-MSG-144]).
    pub fn submit_keeping(
        &mut self,
        peer: P,
        message_id: u64,
        bytes: Vec<u8>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        kept: usize,
    ) -> Result<Option<Action<P>>, QueueFull> {
        // A later envelope of a peer never overtakes one that waits.
        let peer_waits = self.waiting.iter().any(|w| w.peer == peer);
        if !peer_waits && self.may_start(&peer, message_id) {
            return Ok(self.start(peer, message_id, bytes, now, rng));
        }
        if self.waiting.len().saturating_add(kept) >= self.max_waiting {
            return Err(QueueFull);
        }
        self.waiting.push_back(Waiting {
            peer,
            message_id,
            bytes,
        });
        Ok(None)
    }

    /// Ends the retransmission of the envelope `message_id` towards `peer`, which an acknowledgement
    /// or a status answered ([IOTP-MSG-47], [IOTP-MSG-48]); returns whether it was outstanding, and
    /// pushes into `actions` the envelopes that may start now.
    pub fn acknowledge(
        &mut self,
        peer: &P,
        message_id: u64,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        actions: &mut Vec<Action<P>>,
    ) -> bool {
        let Some(i) = self
            .in_flight
            .iter()
            .position(|f| f.peer == *peer && f.message_id == message_id && !f.held_back)
        else {
            return false;
        };
        let f = self.in_flight.swap_remove(i);
        self.ended(f.peer, f.message_id, now);
        self.start_waiting(now, rng, actions);
        true
    }

    /// Handles the timers due at `now`: retransmissions and failures, and the envelopes that a
    /// failure lets start.
    pub fn on_timer(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        actions: &mut Vec<Action<P>>,
    ) {
        let max = self.timing.max_retransmit;
        let mut i = 0;
        let mut failed = false;
        while i < self.in_flight.len() {
            let f = &mut self.in_flight[i];
            if f.deadline > now {
                i += 1;
                continue;
            }
            if f.held_back {
                // Its quarantine is over: the first transmission.
                f.held_back = false;
                f.deadline = now.saturating_add(f.timeout);
                actions.push(Action::Send {
                    peer: f.peer.clone(),
                    message_id: f.message_id,
                    bytes: f.bytes.clone(),
                });
                i += 1;
                continue;
            }
            if f.retransmissions < max {
                f.retransmissions += 1;
                f.timeout = f.timeout.saturating_mul(2);
                f.deadline = now.saturating_add(f.timeout);
                actions.push(Action::Send {
                    peer: f.peer.clone(),
                    message_id: f.message_id,
                    bytes: f.bytes.clone(),
                });
                i += 1;
            } else {
                let f = self.in_flight.swap_remove(i);
                self.ended(f.peer.clone(), f.message_id, now);
                actions.push(Action::Failed {
                    peer: f.peer,
                    message_id: f.message_id,
                });
                failed = true;
            }
        }
        if failed {
            self.start_waiting(now, rng, actions);
        }
    }

    /// When the next timer is due, if any envelope is outstanding.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.in_flight.iter().map(|f| f.deadline).min()
    }

    fn may_start(&self, peer: &P, message_id: u64) -> bool {
        let mut towards_peer = 0;
        for f in self.in_flight.iter().filter(|f| f.peer == *peer) {
            if f.message_id == message_id {
                return false;
            }
            towards_peer += 1;
        }
        towards_peer < self.timing.nstart.max(1)
    }

    fn start(
        &mut self,
        peer: P,
        message_id: u64,
        bytes: Vec<u8>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
    ) -> Option<Action<P>> {
        let timeout = self.first_timeout(rng);
        let held_back = self.quarantined_until(&peer, message_id, now);
        self.in_flight.push(InFlight {
            peer: peer.clone(),
            message_id,
            bytes: bytes.clone(),
            timeout,
            deadline: held_back.unwrap_or(now.saturating_add(timeout)),
            retransmissions: 0,
            held_back: held_back.is_some(),
        });
        // Held back, it takes its place in flight (NSTART, [IOTP-MSG-50]) and goes at `deadline`.
        held_back.is_none().then_some(Action::Send {
            peer,
            message_id,
            bytes,
        })
    }

    /// Starts, in order, the waiting envelopes that may go now.
    fn start_waiting(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        actions: &mut Vec<Action<P>>,
    ) {
        let mut i = 0;
        while i < self.waiting.len() {
            let w = &self.waiting[i];
            // Keep the order of one peer's envelopes: a later one never overtakes an earlier one.
            let earlier_blocked = self.waiting.iter().take(i).any(|e| e.peer == w.peer);
            if !earlier_blocked && self.may_start(&w.peer, w.message_id) {
                let w = self.waiting.remove(i).expect("index checked");
                actions.extend(self.start(w.peer, w.message_id, w.bytes, now, rng));
            } else {
                i += 1;
            }
        }
    }

    /// A random duration between ACK_TIMEOUT and ACK_TIMEOUT × ACK_RANDOM_FACTOR ([IOTP-MSG-45]).
    fn first_timeout(&self, rng: &mut dyn CryptoRngCore) -> u64 {
        let base = self.timing.ack_timeout;
        let spread =
            base.saturating_mul(self.timing.ack_random_factor_milli.saturating_sub(1000)) / 1000;
        // A 32-bit draw scaled to 0..=spread, without modulo bias worth speaking of at these sizes.
        let draw = u64::from(rng.next_u32());
        base + ((u128::from(spread) * u128::from(draw)) / u128::from(u32::MAX)) as u64
    }
}
