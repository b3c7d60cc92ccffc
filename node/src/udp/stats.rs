//! Counters of what a node's socket did, shared between the driver and its handle: what tests check
//! and a person reads when a node seems silent.

use std::sync::atomic::{AtomicU64, Ordering};

/// What the socket of a node saw and did since it started.
#[derive(Debug, Default)]
pub struct Stats {
    received: AtomicU64,
    refused: AtomicU64,
    discarded: AtomicU64,
    sent: AtomicU64,
    bytes_sent: AtomicU64,
    send_errors: AtomicU64,
    receive_errors: AtomicU64,
    events_dropped: AtomicU64,
    store_errors: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Datagrams read from the socket.
    pub received: u64,
    /// Of those, dropped by the binding's rules before the engine ([`super::Refusal`]).
    pub refused: u64,
    /// Envelopes the engine discarded (its `Event::Discarded`).
    pub discarded: u64,
    /// Datagrams sent.
    pub sent: u64,
    /// Their bytes (UDP payloads).
    pub bytes_sent: u64,
    /// Datagrams the engine asked to send that were not sent (the socket refused them, or the
    /// binding withheld them, [`super::Withheld`]).
    pub send_errors: u64,
    /// Reads from the socket that failed.
    pub receive_errors: u64,
    /// Events lost because the application did not take them from the full queue.
    pub events_dropped: u64,
    /// Store changes, or batches of them, that a relay could not commit (each withheld the
    /// datagrams that waited for it).
    pub store_errors: u64,
}

impl Stats {
    pub(crate) fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn discarded(&self) {
        self.discarded.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn sent(&self, bytes: usize) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.bytes_sent.fetch_add(bytes as u64, Ordering::Relaxed);
    }
    pub(crate) fn send_error(&self) {
        self.send_errors.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn receive_error(&self) {
        self.receive_errors.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn event_dropped(&self) {
        self.events_dropped.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn store_error(&self) {
        self.store_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn counts(&self) -> Counts {
        Counts {
            received: self.received.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            discarded: self.discarded.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            bytes_sent: self.bytes_sent.load(Ordering::Relaxed),
            send_errors: self.send_errors.load(Ordering::Relaxed),
            receive_errors: self.receive_errors.load(Ordering::Relaxed),
            events_dropped: self.events_dropped.load(Ordering::Relaxed),
            store_errors: self.store_errors.load(Ordering::Relaxed),
        }
    }
}
