//! Same address, new home relay (spec §3.11.4): a domain whose owner moves it to another provider's
//! relays, its nodes keeping their addresses.
//!
//! - **The new relay** registers the address with `previous_relays`, the host names of the old
//!   relays, and accepts from a relay that authenticated with one of them, for its `max_hold_time`
//!   after the registration, messages for the address ([IOTP-DLV-112]), as an alternative to the
//!   check of [IOTP-DLV-57]. It then holds and delivers them as anything else for the node from an
//!   authenticated relay, answers their non-delivery itself, and forwards none of them again
//!   ([IOTP-DLV-126], [IOTP-DLV-114]).
//! - **The old relay**, at a `release` without re-homing statement, puts out each request it held
//!   for the address as a [`Redirect`]: the caller resolves the domain's SRV records (which the
//!   engine cannot) and, if they no longer name this relay, hands it to [`Relay::redirect_to`] with
//!   the relays they name, which carries it there confirmable ([IOTP-DLV-113], the `outbox`);
//!   otherwise it hands it to [`Relay::redirect_failed`], which answers the request `Undeliverable`
//!   ([IOTP-DLV-53]). A transmission that failed is not tried again later ([IOTP-DLV-125]). The
//!   request stays the store's until [`StoreChange::Redirected`], so that a relay that dies before
//!   the next relay acknowledges it carries it again after its restart
//!   ([`Relay::restore_redirect`], [IOTP-DLV-129]).
//!
//! **Bounds.** At most [`MAX_PREVIOUS_RELAYS`] host names per registered node (the schema's bound on
//! `previous_relays`), each at most [`MAX_HOST_NAME`] bytes; a release puts out at most the node's
//! holding limit of redirects, each owning its held request, and what is under way is the
//! outbox's to bound.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::{Envelope, StatusCode};
use iotp2p_codec::prelude::*;
use rand_core::CryptoRngCore;

use super::held::Held;
use super::registry::PreviousRelays;
use super::relay_peers::host_name;
use super::StoreChange;
use super::{domain_of, Relay, RelayOutput, RestoreError, Source};
use crate::message::digest::Digest;
use crate::params::Instant;

/// The most host names of `previous_relays` a registration keeps (`RegisterRequest`'s bound).
pub const MAX_PREVIOUS_RELAYS: usize = 4;

/// The longest host name of `previous_relays`, in bytes (a DNS name, RFC 1035).
pub const MAX_HOST_NAME: usize = 253;

/// `previous_relays` that name none, more than [`MAX_PREVIOUS_RELAYS`], or one that is not a host
/// name: empty, longer than [`MAX_HOST_NAME`], or with another character than ASCII letters, digits,
/// hyphens and dots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidPreviousRelays;

/// A request held for a released address, to carry once to the relay that the domain's SRV records
/// name now ([IOTP-DLV-113]). It owns the held request: [`Relay::redirect_to`] carries it,
/// [`Relay::redirect_failed`] answers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Redirect<P> {
    /// The domain whose current relay it goes to (the recipient's).
    pub domain: String,
    /// The envelope to send, addresses in full, confirmable, without other hop fields
    /// ([IOTP-DLV-61]).
    pub bytes: Vec<u8>,
    /// The released address it was held for.
    pub(super) recipient: String,
    pub(super) held: Held<Source<P>>,
}

impl<P> Redirect<P> {
    /// Its digest, by which [`StoreChange::Redirected`] names it.
    pub fn digest(&self) -> Digest {
        self.held.digest
    }
}

/// Checks `hosts` against the schema's bounds and puts them as DNS compares them.
pub fn previous_relays(hosts: &[&str]) -> Result<Vec<String>, InvalidPreviousRelays> {
    let host = |h: &str| {
        !h.trim_end_matches('.').is_empty()
            && h.len() <= MAX_HOST_NAME
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    let valid =
        !hosts.is_empty() && hosts.len() <= MAX_PREVIOUS_RELAYS && hosts.iter().all(|h| host(h));
    if !valid {
        return Err(InvalidPreviousRelays);
    }
    Ok(hosts.iter().map(|h| host_name(h)).collect())
}

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// Gives the registered `address` the relays of its domain's previous provider (a `register`
    /// with `previous_relays` that the relay checked, or one a store kept): until `previous.until`
    /// the relay accepts messages for it from those relays ([IOTP-DLV-112]). Returns whether the
    /// relay serves the address.
    pub fn set_previous_relays(&mut self, address: &str, previous: PreviousRelays) -> bool {
        match self.node(address) {
            Some(i) => {
                self.nodes[i].previous_relays = Some(previous);
                true
            }
            None => false,
        }
    }

    /// The end of the window of a registration with `previous_relays` made at `now`: the relay's
    /// `max_hold_time` later ([IOTP-DLV-112]).
    pub fn previous_relays_until(&self, now: Instant) -> Instant {
        now.saturating_add(u64::from(self.config.limits.max_hold_time) * 1_000)
    }

    /// Whether the relay hop peer `from` is one of node `i`'s previous relays, within the window at
    /// `now` ([IOTP-DLV-112]).
    pub(super) fn is_previous_relay_of(&self, i: usize, from: &P, now: Instant) -> bool {
        let hosts = self.relay_peers.hosts(from);
        self.nodes[i]
            .previous_relays
            .as_ref()
            .is_some_and(|p| now < p.until && p.hosts.iter().any(|h| hosts.contains(h)))
    }

    /// The requests among `drained`, held for the released `address`, as redirects to the relay
    /// that its domain's SRV records name now ([IOTP-DLV-113]); what is not a request goes
    /// without a status, as at any release.
    pub(super) fn redirects(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        address: &str,
        drained: Vec<Held<Source<P>>>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let domain = String::from(domain_of(address));
        for h in drained {
            if !h.request {
                continue;
            }
            let Some(bytes) = redirected(&h, address, now) else {
                // Held, so it decoded once: its `ttl` ran out ([IOTP-DLV-53]).
                let digest = h.digest;
                self.give_up(now, rng, h, StatusCode::Expired, out);
                out.push(RelayOutput::Store(StoreChange::Redirected {
                    recipient: address.into(),
                    digest,
                }));
                continue;
            };
            out.push(RelayOutput::Redirect(Redirect {
                domain: domain.clone(),
                bytes,
                recipient: address.into(),
                held: h,
            }));
        }
    }

    /// The caller could not carry `redirect` to the domain's current relay (the SRV records still
    /// name this relay, or name none it reached): the request is answered `Undeliverable`
    /// ([IOTP-DLV-113], [IOTP-DLV-53]).
    pub fn redirect_failed(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        redirect: Redirect<P>,
    ) -> Vec<RelayOutput<P>> {
        self.redirect_to(now, rng, redirect, Vec::new())
    }

    /// Puts back a request that a store kept in its outbox for the released `recipient` (after
    /// [`StoreChange::Held`], a release without statement and no [`StoreChange::Redirected`]),
    /// at `now` on the relay's clock, `held_for` ms after it was accepted: the redirect to carry
    /// again, or to answer ([IOTP-DLV-129]).
    pub fn restore_redirect(
        &self,
        now: Instant,
        recipient: &str,
        sender: Option<&str>,
        envelope: &[u8],
        held_for: u64,
    ) -> Result<Redirect<P>, RestoreError> {
        let held = super::restored(now, recipient, true, sender, envelope, held_for)?;
        // Its `ttl` may have run out while the relay was down: `redirect_to` answers it then.
        let bytes = redirected(&held, recipient, held.received).ok_or(RestoreError::Decode)?;
        Ok(Redirect {
            domain: String::from(domain_of(recipient)),
            bytes,
            recipient: recipient.into(),
            held,
        })
    }
}

/// The held request `h` for `address` as another relay receives it at `now`: the recipient and
/// sender in full ([IOTP-DLV-61]), no contact numbers, no `more`, its `ttl` decreased by the time
/// held ([IOTP-MSG-65]), confirmable: the relay acknowledged it, and its responsibility ends with
/// the next relay's acknowledgement ([IOTP-DLV-126]). `None` if it does not decode or its `ttl`
/// ran out ([IOTP-MSG-66]).
pub(super) fn redirected<P>(h: &Held<Source<P>>, address: &str, now: Instant) -> Option<Vec<u8>> {
    let ttl = h.ttl_at(now).ok()?;
    let env = Envelope::decode(&h.bytes).ok()?;
    let next = Envelope {
        ttl,
        recipient: Some(address),
        sender: h.sender.as_deref(),
        recipient_contact: None,
        sender_contact: None,
        more: false,
        ack_requested: true,
        ..env
    };
    next.encode_to_vec().ok()
}
