//! Envelopes on their way to another relay (spec §5.8.2, §3.8.1, §3.11.4): what a relay forwards
//! to another domain's relay ([IOTP-DLV-25], [IOTP-DLV-70]) and the requests it held for an address
//! it released ([IOTP-DLV-113]). Reliability is hop by hop on this hop too: a confirmable envelope
//! is retransmitted until the next relay acknowledges it ([IOTP-MSG-45] to [IOTP-MSG-50]), within
//! the relay pair's congestion window (§10.5.3: from INITIAL_WINDOW_RELAY up to NSTART_RELAY
//! outstanding, [IOTP-UDP-21] to [IOTP-UDP-23]), and a transmission that fails tries the domain's next relay
//! ([IOTP-DLV-51]). A forward whose every relay failed waits in the retry queue of [IOTP-DLV-52]
//! ([`retry`](super::retry)); a redirect whose every relay failed is answered `Undeliverable`
//! ([IOTP-DLV-125], [IOTP-DLV-53]).
//!
//! The caller resolves where each goes ([`Relay::forward_to`], [`Relay::redirect_to`]); the engine
//! sends, retransmits on its timer and hears the acknowledgements. A redirect, and a forward the
//! relay acknowledged ([`StoreChange::Outgoing`]), is the store's until it ends
//! ([`StoreChange::Redirected`], [`StoreChange::Forwarded`]): the next relay acknowledged it,
//! answered it with a status, or the relay answered it `Undeliverable` ([IOTP-DLV-129],
//! [IOTP-DLV-130]).
//!
//! **Bounds.** At most `max_nodes` × `max_messages` envelopes under way (what the relay may hold in
//! all); beyond it a forward fails at once. Each keeps at most [`MAX_RELAYS`] relays to try and an
//! envelope of at most MAX_MESSAGE bytes (twice: the bytes sent, and a redirect's held request).

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::{Body, Envelope, StatusCode};
use iotp2p_codec::prelude::*;
use rand_core::CryptoRngCore;

use super::held::Held;
use super::relay_change::redirected as redirected_bytes;
use super::retry::forward_held;
use super::{Redirect, Relay, RelayOutput, Source, StoreChange};
use crate::message::retransmit::{Action, Retransmitter};
use crate::params::{Instant, Timing};

/// The most relays of a domain tried for one envelope, in the order of the SRV records.
pub const MAX_RELAYS: usize = 8;

/// The flow of an envelope to another relay: its sender and recipient, whose messages keep their
/// order ([IOTP-DLV-32]) while the relay pair's window lets several envelopes be outstanding; and its
/// sender alone, which the other relay names in its acknowledgement ([IOTP-MSG-146]). Both hashed
/// (FNV-1a): two flows that hash alike only wait for each other, two senders that hash alike keep
/// their envelopes with one `message_id` apart as [IOTP-MSG-50] does. An envelope without `sender`
/// has none: its acknowledgement names nothing, and it waits for any other with its `message_id`.
fn flow_and_sender(bytes: &[u8]) -> (u64, Option<u64>) {
    let env = Envelope::decode(bytes).ok();
    let (sender, recipient) = env.as_ref().map_or(("", ""), |e| {
        (
            e.sender.unwrap_or_default(),
            e.recipient.unwrap_or_default(),
        )
    });
    let flow = fnv(sender.bytes().chain([0xff]).chain(recipient.bytes()));
    let named = env.as_ref().and_then(|e| e.sender).map(sender_key);
    (flow, named)
}

/// How an envelope's sender is compared with the one an acknowledgement names.
pub(super) fn sender_key(sender: &str) -> u64 {
    fnv(sender.bytes())
}

fn fnv(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What an envelope under way is.
#[derive(Debug)]
enum What<P> {
    /// A forward to `domain`'s relays: tried again later if it fails ([IOTP-DLV-52]), after
    /// `failed` failed attempts so far.
    Forward {
        domain: String,
        held: Held<Source<P>>,
        failed: u32,
    },
    /// A request held for the released `recipient`: answered `Undeliverable` if it fails, and taken
    /// from the store either way.
    Redirect {
        recipient: String,
        held: Held<Source<P>>,
    },
}

#[derive(Debug)]
struct Outgoing<P> {
    /// The relay it was sent to last.
    peer: P,
    /// The relays still to try, in order.
    rest: Vec<P>,
    message_id: u64,
    /// Its sender ([`sender_key`]), if it has one.
    sender: Option<u64>,
    bytes: Vec<u8>,
    what: What<P>,
}

/// The envelopes a relay has under way to other relays.
#[derive(Debug)]
pub(super) struct Outbox<P> {
    sending: Retransmitter<P>,
    entries: Vec<Outgoing<P>>,
    max: usize,
}

impl<P: Clone + PartialEq> Outbox<P> {
    /// At most `max` envelopes under way.
    pub(super) fn new(timing: Timing, max: usize) -> Self {
        Outbox {
            sending: Retransmitter::with_quarantine(timing, max, timing.ack_timeout)
                .with_relay_window(),
            entries: Vec::new(),
            max,
        }
    }

    /// Whether a non-confirmable envelope may go to `peer` now, counted against the relay pair's
    /// window ([IOTP-UDP-24]).
    pub(super) fn admit_non(&mut self, peer: &P, now: Instant) -> bool {
        self.sending.admit_non(peer, now)
    }

    /// How many envelopes are under way.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.sending.next_deadline()
    }

    /// Whether envelopes are under way to `peer`.
    pub(super) fn sends_to(&self, peer: &P) -> bool {
        self.entries.iter().any(|e| e.peer == *peer)
    }

    /// `peer` named a sender in an acknowledgement ([IOTP-MSG-146]).
    pub(super) fn names_senders(&mut self, peer: &P, now: Instant) {
        self.sending.names_senders(peer, now);
    }

    pub(super) fn window(&self, peer: &P) -> (usize, Option<u64>) {
        let size = self.sending.window(peer).unwrap_or(1);
        (size, self.sending.measured_rto(peer))
    }
}

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// Carries the envelope of a [`RelayOutput::Forward`] for `domain` to `relays`, the home relays
    /// of that domain in the order of its SRV records ([IOTP-DLV-51]): confirmable if it was
    /// received so, a reply always ([IOTP-DLV-134]), retransmitted until acknowledged
    /// ([IOTP-MSG-46]); if every relay fails, it is
    /// tried again later ([IOTP-DLV-52], [`retry`](super::retry)). An empty `relays` says that the
    /// domain has no relay (no SRV record, [IOTP-DLV-4]): a request's sender hears `NoRoute` at
    /// once, and nothing is retried. A forward that the retry queue put out again comes back here,
    /// and keeps its count of attempts and its hold time.
    pub fn forward_to(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        domain: &str,
        relays: Vec<P>,
        bytes: Vec<u8>,
    ) -> Vec<RelayOutput<P>> {
        let mut out = Vec::new();
        let Ok(env) = Envelope::decode(&bytes) else {
            return out;
        };
        let request = env.correlation_id.is_none();
        if !env.ack_requested && request {
            // Best effort, as it came ([IOTP-MSG-63]): once, to the first relay, if the relay
            // pair's window has room for it this round trip ([IOTP-UDP-24]); else dropped, as the
            // path would drop it.
            if let Some(to) = relays.into_iter().next() {
                if self.outbox.admit_non(&to, now) {
                    out.push(RelayOutput::Send { to, bytes });
                }
            }
            return out;
        }
        // A reply goes confirmable whatever it came as ([IOTP-DLV-134]): every hop before it
        // acknowledged its request, and the reply that reached this relay acknowledged the relay's
        // delivery ([IOTP-MSG-42]), so nothing would bring it again if it were lost from here.
        let message_id = env.message_id;
        let bytes = if env.ack_requested {
            bytes.clone()
        } else {
            let made = Envelope {
                ack_requested: true,
                ..env
            }
            .encode_to_vec();
            let Ok(made) = made else {
                return out;
            };
            made
        };
        let Some(fresh) = forward_held(now, bytes.clone(), 0) else {
            return out;
        };
        let (held, failed) = self.retrying(&fresh.digest).unwrap_or((fresh, 0));
        if relays.is_empty() {
            self.forward_ends(now, rng, held, StatusCode::NoRoute, &mut out);
            return out;
        }
        let what = What::Forward {
            domain: domain.into(),
            held,
            failed,
        };
        self.send_out(now, rng, relays, message_id, bytes, what, &mut out);
        out
    }

    /// Carries `redirect` to `relays`, the relays that the domain's SRV records name now, in their
    /// order ([IOTP-DLV-113], [IOTP-DLV-51]): confirmable, retransmitted until acknowledged; if every
    /// one fails, the request is answered `Undeliverable` ([IOTP-DLV-53]). An empty `relays` fails
    /// at once, as [`Relay::redirect_failed`].
    pub fn redirect_to(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        redirect: Redirect<P>,
        relays: Vec<P>,
    ) -> Vec<RelayOutput<P>> {
        let mut out = Vec::new();
        let Redirect {
            bytes,
            held,
            recipient,
            ..
        } = redirect;
        let message_id = held.message_id;
        // Its `ttl` as of now ([IOTP-MSG-65]); one that ran out is answered `Expired`
        // ([IOTP-DLV-53]).
        if held.ttl_at(now).is_err() {
            let change = redirected(recipient, &held);
            self.give_up(now, rng, held, StatusCode::Expired, &mut out);
            out.push(change);
            return out;
        }
        let bytes = redirected_bytes(&held, &recipient, now).unwrap_or(bytes);
        let what = What::Redirect { recipient, held };
        self.send_out(now, rng, relays, message_id, bytes, what, &mut out);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn send_out(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        relays: Vec<P>,
        message_id: u64,
        bytes: Vec<u8>,
        what: What<P>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let mut relays = relays.into_iter().take(MAX_RELAYS);
        let (Some(peer), true) = (relays.next(), self.outbox.entries.len() < self.outbox.max)
        else {
            self.failed(now, rng, what, out);
            return;
        };
        let (flow, sender) = flow_and_sender(&bytes);
        let entry = Outgoing {
            peer: peer.clone(),
            rest: relays.collect(),
            message_id,
            sender,
            bytes: bytes.clone(),
            what,
        };
        match self
            .outbox
            .sending
            .submit_in_flow(peer, message_id, bytes, flow, sender, now, rng)
        {
            Ok(action) => {
                self.outbox.entries.push(entry);
                if let Some(action) = action {
                    self.outbox_action(now, rng, action, out);
                }
            }
            Err(_) => self.failed(now, rng, entry.what, out),
        }
    }

    /// An envelope from the relay `from` that answers `message_id`: an acknowledgement, or a status
    /// about it ([IOTP-MSG-47], [IOTP-MSG-48]), naming the envelope's sender if `sender` is given
    /// (its [`sender_key`]: [IOTP-MSG-147]). Ends its retransmission; returns whether it was under
    /// way.
    pub(super) fn outbox_answered(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        message_id: u64,
        sender: Option<u64>,
        out: &mut Vec<RelayOutput<P>>,
    ) -> bool {
        let mut started = Vec::new();
        let Some(ended) =
            self.outbox
                .sending
                .acknowledge_from(from, message_id, sender, now, rng, &mut started)
        else {
            return false;
        };
        let Some(i) = self.entry(from, &ended) else {
            return false;
        };
        let entry = self.outbox.entries.swap_remove(i);
        out.push(match entry.what {
            What::Redirect { recipient, held } => redirected(recipient, &held),
            What::Forward { held, .. } => RelayOutput::Store(StoreChange::Forwarded {
                digest: held.digest,
            }),
        });
        for action in started {
            self.outbox_action(now, rng, action, out);
        }
        true
    }

    /// A reply from the relay `from` that piggybacks the acknowledgement of the envelope under way to
    /// it ([IOTP-MSG-42]): its `correlation_id` is that envelope's `message_id` and its recipient is
    /// that envelope's sender. Ends its retransmission as an acknowledgement would; returns whether
    /// it did. Without it, a forward whose acknowledgements were all lost went on being retransmitted
    /// after its reply came back, and held the later envelopes of its flow behind it.
    pub(super) fn outbox_replied(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        reply: &Envelope<'_>,
        out: &mut Vec<RelayOutput<P>>,
    ) -> bool {
        let (Some(c), Some(recipient)) = (reply.correlation_id, reply.recipient) else {
            return false;
        };
        let sender = sender_key(recipient);
        let answers = self.outbox.entries.iter().any(|e| {
            e.peer == *from
                && e.message_id == c
                && e.sender == Some(sender)
                && Envelope::decode(&e.bytes).is_ok_and(|sent| sent.sender == Some(recipient))
        });
        answers && self.outbox_answered(now, rng, from, c, Some(sender), out)
    }

    /// The entry of the envelope `bytes` sent to `peer`: another with its `message_id` may be under
    /// way to it too ([IOTP-MSG-148]).
    fn entry(&self, peer: &P, bytes: &[u8]) -> Option<usize> {
        self.outbox
            .entries
            .iter()
            .position(|e| e.peer == *peer && e.bytes == bytes)
    }

    /// Retransmissions, and the transmissions that failed: the next relay, or the end.
    pub(super) fn outbox_timer(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let mut actions = Vec::new();
        self.outbox.sending.on_timer(now, rng, &mut actions);
        for action in actions {
            self.outbox_action(now, rng, action, out);
        }
    }

    fn outbox_action(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        action: Action<P>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        match action {
            Action::Send { peer, bytes, .. } => out.push(RelayOutput::Send { to: peer, bytes }),
            Action::Failed {
                peer,
                message_id,
                bytes,
            } => {
                let Some(i) = self.entry(&peer, &bytes) else {
                    return;
                };
                let entry = self.outbox.entries.swap_remove(i);
                // The domain's next relay, if any ([IOTP-DLV-51]).
                self.send_out(
                    now,
                    rng,
                    entry.rest,
                    message_id,
                    entry.bytes,
                    entry.what,
                    out,
                );
            }
        }
    }

    /// Nowhere to carry `what` now: a forward waits for its next attempt; a redirect's request is
    /// answered `Undeliverable` and leaves the store.
    fn failed(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        what: What<P>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        match what {
            What::Forward {
                domain,
                held,
                failed,
            } => self.retry_later(now, rng, domain, held, failed.saturating_add(1), out),
            What::Redirect { recipient, held } => {
                // The status first: a crash in between answers it twice rather than never.
                let change = redirected(recipient, &held);
                self.give_up(now, rng, held, StatusCode::Undeliverable, out);
                out.push(change);
            }
        }
    }
}

/// The store change that ends the redirect of `held`, for the released `recipient`.
fn redirected<P, R>(recipient: String, held: &Held<R>) -> RelayOutput<P> {
    RelayOutput::Store(StoreChange::Redirected {
        recipient,
        digest: held.digest,
    })
}

/// Whether `env` answers an envelope sent to a relay: an acknowledgement or a status.
pub(super) fn answers(env: &Envelope<'_>) -> Option<u64> {
    match env.body {
        Some(Body::Ack) | Some(Body::Status(_)) => env.correlation_id,
        _ => None,
    }
}
