//! Subscriptions and their reports (spec §6.7): what each subscriber observes, when its next report is
//! due, and the changes and events that report will carry.
//!
//! **Bounds.** At most `capacity` subscriptions (a further subscribe is refused with
//! `ResourceExhausted`, keeping the existing ones, [IOTP-IM-35], [IOTP-IM-36]); each keeps at most
//! [`MAX_PENDING_EVENTS`] events and one entry per changed property until its next report. A
//! subscription whose events reach that bound reports at once, regardless of `min_interval`, so that no
//! observed event is dropped ([IOTP-IM-28]).

use alloc::vec::Vec;

use iotp2p_codec::core::owned::Event;

use crate::params::Instant;

/// Events a subscription holds between two reports.
pub const MAX_PENDING_EVENTS: usize = 16;

/// One subscription.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription<S> {
    /// Who subscribed: the node ID the subscribe's context authenticated (§6.7).
    pub subscriber: S,
    /// The `message_id` of the subscribe: its reports carry it in `correlation_id`.
    pub id: u64,
    /// The capability instance.
    pub endpoint: u16,
    /// The capability instance.
    pub capability: u16,
    /// The observed members; `None`: every observable property and every event.
    pub members: Option<Vec<u16>>,
    /// `min_interval`, in ms.
    pub min_interval: u64,
    /// The granted `max_interval`, in ms.
    pub max_interval: u64,
    /// When the `lifetime` ends, if one was given.
    pub expires: Option<Instant>,
    /// When the previous report was sent.
    pub last_report: Instant,
    /// Properties changed since the previous report, ascending.
    pub changed: Vec<u16>,
    /// Events since the previous report, in ascending event number.
    pub events: Vec<Event>,
}

impl<S> Subscription<S> {
    fn observes(&self, member: u16) -> bool {
        self.members.as_ref().is_none_or(|m| m.contains(&member))
    }

    /// When this subscription next wants a report.
    pub fn deadline(&self) -> Instant {
        let keep_alive = self.last_report.saturating_add(self.max_interval);
        let mut due = keep_alive;
        if self.events.len() >= MAX_PENDING_EVENTS {
            due = self.last_report;
        } else if !self.changed.is_empty() || !self.events.is_empty() {
            due = due.min(self.last_report.saturating_add(self.min_interval));
        }
        match self.expires {
            Some(end) => due.min(end),
            None => due,
        }
    }
}

/// The subscriptions of a node.
#[derive(Clone, Debug)]
pub struct Subscriptions<S> {
    capacity: usize,
    entries: Vec<Subscription<S>>,
}

/// The table is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl<S: PartialEq + Clone> Subscriptions<S> {
    /// A table of at most `capacity` subscriptions.
    pub fn new(capacity: usize) -> Self {
        Subscriptions {
            capacity,
            entries: Vec::new(),
        }
    }

    /// The subscriptions.
    pub fn iter(&self) -> impl Iterator<Item = &Subscription<S>> {
        self.entries.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a subscription; one of the same subscriber to the same instance, or with the same
    /// identifier, is replaced ([IOTP-IM-31], [IOTP-IM-66]).
    pub fn insert(&mut self, sub: Subscription<S>) -> Result<(), Full> {
        self.entries.retain(|e| {
            e.subscriber != sub.subscriber
                || (e.id != sub.id && (e.endpoint, e.capability) != (sub.endpoint, sub.capability))
        });
        if self.entries.len() >= self.capacity {
            return Err(Full);
        }
        self.entries.push(sub);
        Ok(())
    }

    /// Ends the subscription `id` of `subscriber`; false if there is none ([IOTP-IM-32]).
    pub fn remove(&mut self, subscriber: &S, id: u64) -> bool {
        let before = self.entries.len();
        self.entries
            .retain(|e| !(e.subscriber == *subscriber && e.id == id));
        before != self.entries.len()
    }

    /// Keeps only the subscriptions `keep` accepts (the node's access control list changed,
    /// [IOTP-SEC-101], or a subscriber is no longer a peer, [IOTP-IM-67]).
    pub fn retain(&mut self, keep: impl FnMut(&Subscription<S>) -> bool) {
        self.entries.retain(keep);
    }

    /// A property changed: the subscriptions observing it report it ([IOTP-IM-26]).
    pub fn changed(&mut self, endpoint: u16, capability: u16, member: u16) {
        for s in self
            .entries
            .iter_mut()
            .filter(|s| (s.endpoint, s.capability) == (endpoint, capability) && s.observes(member))
        {
            if let Err(i) = s.changed.binary_search(&member) {
                s.changed.insert(i, member);
            }
        }
    }

    /// An event occurred: the subscriptions observing it carry it in their next report
    /// ([IOTP-IM-28]).
    pub fn event(&mut self, endpoint: u16, capability: u16, event: &Event) {
        for s in self.entries.iter_mut().filter(|s| {
            (s.endpoint, s.capability) == (endpoint, capability) && s.observes(event.member)
        }) {
            if s.events.len() < MAX_PENDING_EVENTS {
                s.events.push(event.clone());
            }
        }
    }

    /// The earliest deadline of any subscription.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.entries.iter().map(Subscription::deadline).min()
    }

    /// Removes the subscriptions whose lifetime has ended, and takes those whose report is due at
    /// `now` (their changes and events move into the returned copies, and their clock restarts).
    pub fn due(&mut self, now: Instant) -> Vec<Subscription<S>> {
        self.entries
            .retain(|s| s.expires.is_none_or(|end| now < end));
        let mut out = Vec::new();
        for s in self.entries.iter_mut().filter(|s| s.deadline() <= now) {
            out.push(s.clone());
            s.changed.clear();
            s.events.clear();
            s.last_report = now;
        }
        out
    }
}
