//! Confirmable envelopes and their retransmission (spec §5.8.2), on a clock and randomness that the
//! caller injects.
//!
//! Each confirmable envelope gets a first timeout drawn between ACK_TIMEOUT and ACK_TIMEOUT ×
//! ACK_RANDOM_FACTOR ([IOTP-MSG-45]), doubled at each of at most MAX_RETRANSMIT retransmissions of the
//! same bytes ([IOTP-MSG-46]); an acknowledgement or a status ends it ([IOTP-MSG-47],
//! [IOTP-MSG-48]). At most NSTART envelopes are outstanding towards one hop peer, and never two with
//! the same `message_id` ([IOTP-MSG-49], [IOTP-MSG-50]): the others wait, in order. A relay's
//! envelopes to another relay carry their sender, and once that relay has named a sender in an
//! acknowledgement ([`names_senders`](Retransmitter::names_senders), [IOTP-MSG-146]), envelopes
//! of different senders with one `message_id` go together and each acknowledgement ends its own
//! ([`acknowledge_from`](Retransmitter::acknowledge_from), [IOTP-MSG-147], [IOTP-MSG-148]).
//!
//! The `message_id`s of the envelopes that ended lately are kept too, so that a node can keep a new
//! confirmable unsealed envelope off them ([IOTP-MSG-142]): a duplicate of their acknowledgement,
//! arriving late, would otherwise end the new envelope's retransmission. A relay, which passes envelopes
//! on with their senders' identifiers and cannot skip them, holds such an envelope back instead until
//! its quarantine (ACK_TIMEOUT after the last one ended) is over, where the last one was retransmitted
//! or failed ([IOTP-DLV-138]): a late copy of an acknowledgement is mostly the answer to a
//! retransmission that crossed the first, and holding back after every envelope would serialise the
//! many envelopes that new contexts number alike.
//!
//! Towards other relays (spec §10.5.3), a relay's retransmitter runs a congestion window per hop
//! peer instead of NSTART ([`with_relay_window`](Retransmitter::with_relay_window)): at most W
//! envelopes outstanding, W starting at INITIAL_WINDOW_RELAY (and again after an idle period longer
//! than the retransmission timeout), growing by one after W envelopes acknowledged without
//! retransmission up to NSTART_RELAY, halved at a retransmission at most once per round trip
//! ([IOTP-UDP-21], [IOTP-UDP-22]); the first timeout is RFC 6298's, from the round trips of the
//! envelopes acknowledged without retransmission, at least MIN_RTO_RELAY, once one was measured
//! ([IOTP-UDP-23]). Several envelopes outstanding at once could reach the other relay out of order
//! when one is lost and retransmitted, so an envelope submitted with a flow (its sender and
//! recipient, [`submit_in_flow`](Retransmitter::submit_in_flow)) waits while one of its flow is
//! outstanding: the messages of one sender to one recipient keep their order ([IOTP-DLV-32]), and
//! the window is shared by the flows. The non-confirmable envelopes sent to a relay count against
//! its window for a round trip (SRTT, or ACK_TIMEOUT before any measure; [IOTP-UDP-24]): one finds
//! room only beside the outstanding ones ([`admit_non`](Retransmitter::admit_non)), else its
//! sender drops it, and a confirmable envelope they fill the window for waits for the round trip's
//! end.
//!
//! **Bounds.** At most `max_waiting` envelopes wait (beyond that [`submit`](Retransmitter::submit)
//! refuses; [`submit_keeping`](Retransmitter::submit_keeping) keeps places free for replies), and at most NSTART per hop peer are in flight (NSTART_RELAY with a relay window); each holds at most MAX_MESSAGE bytes.
//! The last [`ENDED_KEPT`] ended envelopes are remembered (hop peer, `message_id`). With a relay
//! window, at most [`MAX_WINDOWS`] hop peers' windows are kept; a peer whose window was forgotten
//! starts again at INITIAL_WINDOW_RELAY.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use crate::params::{Instant, Timing, INITIAL_WINDOW_RELAY, MIN_RTO_RELAY, NSTART_RELAY};

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
        /// The envelope (what tells it apart from another with its `message_id`).
        bytes: Vec<u8>,
    },
}

/// How many ended envelopes (acknowledged, answered or failed) are remembered.
pub const ENDED_KEPT: usize = 16;

/// How many hop peers' congestion windows a relay's retransmitter keeps (one per relay it talks to).
pub const MAX_WINDOWS: usize = 64;

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
    /// When it was first sent: the start of its round trip.
    sent_at: Instant,
    /// Its flow, if it was submitted with one.
    flow: Option<u64>,
    /// Its sender, if it was submitted with one: what tells it from another envelope with its
    /// `message_id` in a named acknowledgement ([IOTP-MSG-147]).
    sender: Option<u64>,
    /// Not sent yet: it waits out the quarantine of its `message_id` until `deadline`
    /// ([IOTP-DLV-138]), and an acknowledgement naming it meanwhile is a late one of the last.
    held_back: bool,
}

/// An envelope that ended lately (acknowledged, answered or failed).
#[derive(Clone, Debug)]
struct Ended<P> {
    peer: P,
    message_id: u64,
    /// When it ended.
    at: Instant,
    /// It was sent more than once, or failed: a copy of its acknowledgement may still come.
    late_ack_likely: bool,
}

/// The congestion state towards one other relay (§10.5.3).
#[derive(Clone, Debug)]
struct Window<P> {
    peer: P,
    /// W: how many envelopes may be outstanding.
    size: usize,
    /// Envelopes acknowledged without retransmission since W last changed.
    acked: usize,
    /// When W was last halved.
    halved_at: Option<Instant>,
    /// When an envelope was last sent to this peer or acknowledged by it.
    active_at: Instant,
    /// RFC 6298's SRTT and RTTVAR, in ms, once a round trip was measured.
    rtt: Option<(u64, u64)>,
    /// The peer names the sender of what it acknowledges ([IOTP-MSG-146]): envelopes of different
    /// senders with one `message_id` may be outstanding together ([IOTP-MSG-148]).
    names_senders: bool,
    /// Non-confirmable envelopes sent in the round trip that started at `non_since`, counted
    /// against W ([IOTP-UDP-24]).
    non_sent: usize,
    /// When that round trip started.
    non_since: Instant,
}

impl<P> Window<P> {
    /// RFC 6298's RTO, at least MIN_RTO_RELAY ([IOTP-UDP-23]); ACK_TIMEOUT before any measure.
    fn rto(&self, ack_timeout: u64) -> u64 {
        match self.rtt {
            Some((srtt, rttvar)) => srtt
                .saturating_add(rttvar.saturating_mul(4).max(1))
                .max(MIN_RTO_RELAY),
            None => ack_timeout,
        }
    }

    /// The round trip that counts non-confirmable envelopes ([IOTP-UDP-24]): SRTT, or ACK_TIMEOUT
    /// before any measure.
    fn round_trip(&self, ack_timeout: u64) -> u64 {
        self.rtt.map_or(ack_timeout, |(srtt, _)| srtt).max(1)
    }

    /// The non-confirmable envelopes sent in the round trip under way at `now`.
    fn non_in_round(&self, now: Instant, ack_timeout: u64) -> usize {
        if now < self.non_since.saturating_add(self.round_trip(ack_timeout)) {
            self.non_sent
        } else {
            0
        }
    }

    /// When the round trip that counts non-confirmable envelopes ends, if any were sent in it.
    fn non_round_ends(&self, ack_timeout: u64) -> Option<Instant> {
        (self.non_sent > 0).then(|| self.non_since.saturating_add(self.round_trip(ack_timeout)))
    }

    /// A round trip of `sample` ms (RFC 6298 §2).
    fn measured(&mut self, sample: u64) {
        self.rtt = Some(match self.rtt {
            None => (sample, sample / 2),
            Some((srtt, rttvar)) => (
                (srtt * 7 + sample) / 8,
                (rttvar * 3 + srtt.abs_diff(sample)) / 4,
            ),
        });
    }
}

#[derive(Clone, Debug)]
struct Waiting<P> {
    peer: P,
    message_id: u64,
    bytes: Vec<u8>,
    flow: Option<u64>,
    sender: Option<u64>,
}

/// Whether two envelopes keep their order: towards one hop peer, unless both have flows and the
/// flows differ.
fn same_lane<P: PartialEq>(a: (&P, Option<u64>), b: (&P, Option<u64>)) -> bool {
    a.0 == b.0
        && match (a.1, b.1) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// The confirmable envelopes of a node, towards all its hop peers.
#[derive(Clone, Debug)]
pub struct Retransmitter<P> {
    timing: Timing,
    max_waiting: usize,
    in_flight: Vec<InFlight<P>>,
    waiting: VecDeque<Waiting<P>>,
    /// The envelopes that ended lately, newest last (at most [`ENDED_KEPT`]).
    ended: VecDeque<Ended<P>>,
    /// How long after an envelope ended another with its `message_id` waits before it is first sent
    /// towards the same hop peer (0: not at all).
    quarantine: u64,
    /// Whether each hop peer gets a relay pair's congestion window instead of NSTART.
    relay_window: bool,
    /// The windows of the hop peers (at most [`MAX_WINDOWS`]).
    windows: Vec<Window<P>>,
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
            relay_window: false,
            windows: Vec::new(),
        }
    }

    /// The same, with the congestion control of a relay-to-relay hop towards each hop peer
    /// (§10.5.3): a window from INITIAL_WINDOW_RELAY to NSTART_RELAY instead of NSTART, and a
    /// retransmission timeout from measured round trips ([IOTP-UDP-21] to [IOTP-UDP-23]).
    pub fn with_relay_window(self) -> Self {
        Retransmitter {
            relay_window: true,
            ..self
        }
    }

    /// The congestion window towards `peer` (with [`with_relay_window`](Self::with_relay_window)):
    /// how many envelopes may be outstanding towards it now.
    pub fn window(&self, peer: &P) -> Option<usize> {
        self.relay_window.then(|| self.limit(peer))
    }

    /// The retransmission timeout towards `peer` from its measured round trips, if any was
    /// measured (with [`with_relay_window`](Self::with_relay_window)).
    pub fn measured_rto(&self, peer: &P) -> Option<u64> {
        let w = self.windows.iter().find(|w| w.peer == *peer)?;
        w.rtt.map(|_| w.rto(self.timing.ack_timeout))
    }

    /// Whether a non-confirmable envelope may go to `peer` now (with
    /// [`with_relay_window`](Self::with_relay_window)): the envelopes outstanding towards it and the
    /// non-confirmable ones sent to it in the current round trip stay within W ([IOTP-UDP-24]). If
    /// so, it is counted; if not, the caller drops it, as a best-effort envelope may be (a
    /// confirmable one would wait). Without a relay window, and when no window can be kept for
    /// `peer` ([`MAX_WINDOWS`] of them, each with envelopes outstanding), always true.
    pub fn admit_non(&mut self, peer: &P, now: Instant) -> bool {
        if !self.relay_window {
            return true;
        }
        let ack_timeout = self.timing.ack_timeout;
        let towards_peer = self.in_flight.iter().filter(|f| f.peer == *peer).count();
        let Some(w) = self.window_mut(peer, now) else {
            return true;
        };
        if w.non_in_round(now, ack_timeout) == 0 {
            w.non_sent = 0;
            w.non_since = now;
        }
        if towards_peer.saturating_add(w.non_sent) >= w.size {
            return false;
        }
        w.non_sent += 1;
        w.active_at = now;
        true
    }

    /// The non-confirmable envelopes sent to `peer` in the current round trip ([IOTP-UDP-24]).
    fn non_towards(&self, peer: &P, now: Instant) -> usize {
        if !self.relay_window {
            return 0;
        }
        let ack_timeout = self.timing.ack_timeout;
        self.windows
            .iter()
            .find(|w| w.peer == *peer)
            .map_or(0, |w| w.non_in_round(now, ack_timeout))
    }

    /// How many envelopes may be outstanding towards `peer`: NSTART, or its window.
    fn limit(&self, peer: &P) -> usize {
        if !self.relay_window {
            return self.timing.nstart.max(1);
        }
        self.windows
            .iter()
            .find(|w| w.peer == *peer)
            .map_or(INITIAL_WINDOW_RELAY, |w| w.size)
    }

    /// The window towards `peer`, made if it is not kept yet (forgetting the one idle longest if
    /// [`MAX_WINDOWS`] are kept; `None` if each of those has envelopes outstanding).
    fn window_mut(&mut self, peer: &P, now: Instant) -> Option<&mut Window<P>> {
        if let Some(i) = self.windows.iter().position(|w| w.peer == *peer) {
            return self.windows.get_mut(i);
        }
        if self.windows.len() >= MAX_WINDOWS {
            let in_flight = &self.in_flight;
            let idle = self
                .windows
                .iter()
                .enumerate()
                .filter(|(_, w)| !in_flight.iter().any(|f| f.peer == w.peer))
                .min_by_key(|(_, w)| w.active_at)
                .map(|(i, _)| i)?;
            self.windows.swap_remove(idle);
        }
        self.windows.push(Window {
            peer: peer.clone(),
            size: INITIAL_WINDOW_RELAY,
            acked: 0,
            halved_at: None,
            active_at: now,
            rtt: None,
            names_senders: false,
            non_sent: 0,
            non_since: now,
        });
        self.windows.last_mut()
    }

    /// The same, for a relay, which forwards envelopes with the `message_id` their sender gave and
    /// cannot skip values as a node does ([IOTP-MSG-142]): an envelope whose `message_id` ended
    /// towards its hop peer less than `quarantine` ms ago, retransmitted or failed, is sent when that
    /// time is over, so that a late copy of the first one's acknowledgement does not end its
    /// retransmission ([IOTP-DLV-138]).
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
        let ended = self.ended.iter().map(|e| (&e.peer, e.message_id));
        in_flight
            .chain(waiting)
            .chain(ended)
            .filter(move |(p, _)| *p == peer)
            .map(|(_, id)| id)
    }

    fn ended(&mut self, f: &InFlight<P>, failed: bool, now: Instant) {
        if self.ended.len() >= ENDED_KEPT {
            self.ended.pop_front();
        }
        self.ended.push_back(Ended {
            peer: f.peer.clone(),
            message_id: f.message_id,
            at: now,
            late_ack_likely: failed || f.retransmissions > 0,
        });
    }

    /// Until when an envelope with `message_id` towards `peer` is held back ([IOTP-DLV-138]).
    fn quarantined_until(&self, peer: &P, message_id: u64, now: Instant) -> Option<Instant> {
        if self.quarantine == 0 {
            return None;
        }
        self.ended
            .iter()
            .filter(|e| e.late_ack_likely && e.peer == *peer && e.message_id == message_id)
            .map(|e| e.at.saturating_add(self.quarantine))
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
        let waiting = Waiting {
            peer,
            message_id,
            bytes,
            flow: None,
            sender: None,
        };
        self.submit_waiting(waiting, now, rng, kept)
    }

    /// As [`submit`](Self::submit), for an envelope of the flow `flow` (a relay's: its sender and
    /// recipient) from `sender`: it also waits while an envelope of its flow towards `peer` is
    /// outstanding, and envelopes of other flows may go before it ([IOTP-DLV-32]); once `peer`
    /// [names senders](Self::names_senders), it waits for an outstanding envelope with its
    /// `message_id` only if that one has its sender too, or either has none ([IOTP-MSG-148]).
    #[allow(clippy::too_many_arguments)]
    pub fn submit_in_flow(
        &mut self,
        peer: P,
        message_id: u64,
        bytes: Vec<u8>,
        flow: u64,
        sender: Option<u64>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Option<Action<P>>, QueueFull> {
        let waiting = Waiting {
            peer,
            message_id,
            bytes,
            flow: Some(flow),
            sender,
        };
        self.submit_waiting(waiting, now, rng, 0)
    }

    fn submit_waiting(
        &mut self,
        w: Waiting<P>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        kept: usize,
    ) -> Result<Option<Action<P>>, QueueFull> {
        // A later envelope never overtakes one of its lane that waits.
        let lane_waits = self
            .waiting
            .iter()
            .any(|e| same_lane((&e.peer, e.flow), (&w.peer, w.flow)));
        if !lane_waits && self.may_start(&w, now) {
            return Ok(self.start(w, now, rng));
        }
        if self.waiting.len().saturating_add(kept) >= self.max_waiting {
            return Err(QueueFull);
        }
        self.waiting.push_back(w);
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
        self.acknowledge_from(peer, message_id, None, now, rng, actions)
            .is_some()
    }

    /// As [`acknowledge`](Self::acknowledge), for an acknowledgement or status that names the
    /// envelope's sender (if `sender` is given): only the envelope submitted with that sender
    /// ([IOTP-MSG-147]). Returns the envelope that ended, if one did.
    pub fn acknowledge_from(
        &mut self,
        peer: &P,
        message_id: u64,
        sender: Option<u64>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        actions: &mut Vec<Action<P>>,
    ) -> Option<Vec<u8>> {
        let i = self.in_flight.iter().position(|f| {
            f.peer == *peer
                && f.message_id == message_id
                && !f.held_back
                && (sender.is_none() || f.sender == sender)
        })?;
        let f = self.in_flight.swap_remove(i);
        if self.relay_window {
            self.window_acknowledged(&f, now);
        }
        self.ended(&f, false, now);
        self.start_waiting(now, rng, actions);
        Some(f.bytes)
    }

    /// [IOTP-UDP-22], [IOTP-UDP-23]: an envelope acknowledged without retransmission gives a round
    /// trip, and W grows by one after W such envelopes. (Karn: a retransmitted one tells nothing.)
    fn window_acknowledged(&mut self, f: &InFlight<P>, now: Instant) {
        let Some(w) = self.window_mut(&f.peer, now) else {
            return;
        };
        w.active_at = now;
        if f.retransmissions > 0 {
            return;
        }
        w.measured(now.saturating_sub(f.sent_at));
        w.acked += 1;
        if w.acked >= w.size {
            w.size = (w.size + 1).min(NSTART_RELAY);
            w.acked = 0;
        }
    }

    /// [IOTP-UDP-22]: W is halved when an envelope towards `peer` is retransmitted, at most once
    /// per round trip (SRTT, or ACK_TIMEOUT before any measure).
    fn window_retransmitted(&mut self, peer: &P, now: Instant) {
        let ack_timeout = self.timing.ack_timeout;
        let Some(w) = self.window_mut(peer, now) else {
            return;
        };
        let round_trip = w.rtt.map_or(ack_timeout, |(srtt, _)| srtt);
        if w.halved_at
            .is_some_and(|at| now < at.saturating_add(round_trip))
        {
            return;
        }
        w.size = (w.size / 2).max(1);
        w.acked = 0;
        w.halved_at = Some(now);
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
                f.sent_at = now;
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
                if self.relay_window {
                    let peer = f.peer.clone();
                    self.window_retransmitted(&peer, now);
                }
                i += 1;
            } else {
                let f = self.in_flight.swap_remove(i);
                self.ended(&f, true, now);
                actions.push(Action::Failed {
                    peer: f.peer,
                    message_id: f.message_id,
                    bytes: f.bytes,
                });
                failed = true;
            }
        }
        // A failure frees a place; so does the end of a round trip whose non-confirmable envelopes
        // counted against W, which is then forgotten (and no longer a deadline).
        let ack_timeout = self.timing.ack_timeout;
        for w in self.windows.iter_mut() {
            if w.non_in_round(now, ack_timeout) == 0 {
                w.non_sent = 0;
            }
        }
        if failed || !self.waiting.is_empty() {
            self.start_waiting(now, rng, actions);
        }
    }

    /// When the next timer is due: an outstanding envelope's, or the end of a round trip whose
    /// non-confirmable envelopes keep a waiting one back ([IOTP-UDP-24]).
    pub fn next_deadline(&self) -> Option<Instant> {
        let ack_timeout = self.timing.ack_timeout;
        let rounds = self
            .windows
            .iter()
            .filter(|v| self.waiting.iter().any(|w| w.peer == v.peer))
            .filter_map(|v| v.non_round_ends(ack_timeout));
        self.in_flight
            .iter()
            .map(|f| f.deadline)
            .chain(rounds)
            .min()
    }

    fn may_start(&self, w: &Waiting<P>, now: Instant) -> bool {
        let names_senders = self.relay_window
            && self
                .windows
                .iter()
                .any(|v| v.peer == w.peer && v.names_senders);
        let mut towards_peer = 0;
        for f in self.in_flight.iter().filter(|f| f.peer == w.peer) {
            // [IOTP-MSG-50], unless the peer's acknowledgements tell the two apart ([IOTP-MSG-148]).
            let told_apart = names_senders && w.sender.is_some() && f.sender.is_some();
            if f.message_id == w.message_id && !(told_apart && f.sender != w.sender) {
                return false;
            }
            if w.flow.is_some() && f.flow == w.flow {
                return false;
            }
            towards_peer += 1;
        }
        // The non-confirmable envelopes of this round trip count against W too ([IOTP-UDP-24]).
        towards_peer + self.non_towards(&w.peer, now) < self.limit(&w.peer)
    }

    /// `peer` named the sender of an envelope it acknowledged ([IOTP-MSG-146]): from now on, its
    /// acknowledgements tell apart envelopes of different senders with one `message_id`
    /// ([IOTP-MSG-148]). With a relay window only.
    pub fn names_senders(&mut self, peer: &P, now: Instant) {
        if !self.relay_window {
            return;
        }
        if let Some(w) = self.window_mut(peer, now) {
            w.names_senders = true;
        }
    }

    fn start(
        &mut self,
        w: Waiting<P>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
    ) -> Option<Action<P>> {
        let Waiting {
            peer,
            message_id,
            bytes,
            flow,
            sender,
        } = w;
        let timeout = match self.relay_window {
            true => self.window_started(&peer, now, rng),
            false => self.first_timeout(rng),
        };
        let held_back = self.quarantined_until(&peer, message_id, now);
        self.in_flight.push(InFlight {
            peer: peer.clone(),
            message_id,
            bytes: bytes.clone(),
            timeout,
            deadline: held_back.unwrap_or(now.saturating_add(timeout)),
            retransmissions: 0,
            sent_at: now,
            flow,
            sender,
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
            // Keep the order of a lane's envelopes: a later one never overtakes an earlier one.
            let earlier_blocked = self
                .waiting
                .iter()
                .take(i)
                .any(|e| same_lane((&e.peer, e.flow), (&w.peer, w.flow)));
            if !earlier_blocked && self.may_start(w, now) {
                let w = self.waiting.remove(i).expect("index checked");
                actions.extend(self.start(w, now, rng));
            } else {
                i += 1;
            }
        }
    }

    /// An envelope starts towards `peer` under its window: W starts again at INITIAL_WINDOW_RELAY
    /// after an idle period longer than the retransmission timeout ([IOTP-UDP-22]). Returns its
    /// first timeout: the RTO of the measured round trips ([IOTP-UDP-23]), or as [IOTP-MSG-45]
    /// says before any was measured.
    fn window_started(&mut self, peer: &P, now: Instant, rng: &mut dyn CryptoRngCore) -> u64 {
        let ack_timeout = self.timing.ack_timeout;
        let idle = !self.in_flight.iter().any(|f| f.peer == *peer);
        let rto = self.window_mut(peer, now).and_then(|w| {
            let rto = w.rto(ack_timeout);
            if idle && now > w.active_at.saturating_add(rto) {
                w.size = INITIAL_WINDOW_RELAY;
                w.acked = 0;
            }
            w.active_at = now;
            w.rtt.map(|_| rto)
        });
        rto.unwrap_or_else(|| self.first_timeout(rng))
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
