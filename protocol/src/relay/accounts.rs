//! The registry of a home relay's Relay capability kept with its engine (spec §3.6.1): the provider's
//! calls (accounts, tokens), putting back what a store kept after a restart, the end of the
//! registrations whose node left, and the count of failed enrolments per hop peer. The actions that
//! change the registry over the wire are the Relay capability's, served above the engine
//! (`server::relay`); this is what they and the engine's timers share.
//!
//! **Bounds.** Failed enrolments are counted for at most `registry.max_failures` hop peers, the
//! oldest count forgotten first; lookups are rate-limited for at most `registry.max_lookup_peers`
//! hop peers, the least recent forgotten first.

use alloc::string::String;
use alloc::vec::Vec;

use super::registry::{
    self, RegistryChange, ENROL_FAILURE_LIMIT, ENROL_FAILURE_WINDOW, QUARANTINE_TIME,
};
use super::verify::known_peer;
use super::{rate, RegisterError, Relay, RelayOutput, StoreChange};
use crate::params::Instant;
use crate::security;

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// The accounts, tokens and registrations of the Relay capability.
    pub fn registry(&self) -> &registry::Registry {
        &self.registry
    }

    /// The accounts, tokens and registrations of the Relay capability, for the provider's calls
    /// (accounts, tokens) and for putting back what a store kept ([`registry::Registry::enrol`]
    /// without a token, [`registry::Registry::token_used`]); a registration goes back with
    /// [`Relay::restore_registration`], an administrator with [`Relay::restore_admin`].
    pub fn registry_mut(&mut self) -> &mut registry::Registry {
        &mut self.registry
    }

    /// Puts back an administrator that a store kept (a [`registry::RegistryChange::Enrolled`]): it
    /// runs EDHOC with the relay by `kid` again.
    pub fn restore_admin(
        &mut self,
        account: &str,
        admin: registry::Admin,
    ) -> Result<(), registry::RegistryError> {
        let peer = security::statement::verify_credential(&admin.credential)
            .map_err(|_| registry::RegistryError::Invalid)
            .map(|v| known_peer(&v, v.statement.address.map(String::from)))?;
        self.registry.enrol(account, admin, None)?;
        self.service.add_edhoc_peer(peer);
        Ok(())
    }

    /// Puts back a registration that a store kept (a [`registry::RegistryChange::Registered`]), its
    /// instants on the relay's clock: the relay serves the address again, answers its node's
    /// handshakes by `kid`, and forwards for a node that left until its grace period ends. One whose
    /// grace period is over at `now` is not put back; returns whether it was.
    pub fn restore_registration(
        &mut self,
        now: Instant,
        registration: registry::Registration,
    ) -> Result<bool, RegisterError> {
        if registration
            .departed
            .as_ref()
            .is_some_and(|d| d.until <= now)
        {
            return Ok(false);
        }
        let address = registration.address.clone();
        match &registration.arrived {
            Some(a) if now < a.until => self.moved_in(&address, &a.previous, a.until)?,
            _ => self.register(&address)?,
        }
        if let Ok(v) = security::statement::verify_credential(&registration.credential) {
            self.service
                .add_edhoc_peer(known_peer(&v, Some(address.clone())));
        }
        if let Some(d) = &registration.departed {
            let (to, until) = (d.to.clone(), d.until);
            // Nothing is held yet after a restart: the held messages come back afterwards and
            // are forwarded as they arrive for the address.
            let _ = self.moved_away(now, &address, &to, until);
        }
        if let Some(previous) = registration
            .previous_relays
            .as_ref()
            .filter(|p| now < p.until)
        {
            self.set_previous_relays(&address, previous.clone());
        }
        let p = &registration.policy;
        self.set_holding_policy(&address, p.max_held_messages, p.max_hold_time);
        self.registry.put(registration);
        Ok(true)
    }

    /// Ends the registrations whose node left and whose grace period is over at `now`
    /// ([IOTP-DLV-72]); their addresses are quarantined ([IOTP-ADDR-37]).
    pub fn end_departures(&mut self, now: Instant, out: &mut Vec<RelayOutput<P>>) {
        for address in self.registry.departures_over(now) {
            let until = now.saturating_add(QUARANTINE_TIME);
            if let Some(gone) = self.registry.remove(&address, now, until) {
                out.push(RelayOutput::Store(StoreChange::Registry(
                    RegistryChange::Unregistered {
                        address,
                        account: gone.account,
                        quarantined_until: until,
                    },
                )));
            }
        }
    }

    /// Counts a failed enrolment at `now` (§3.6.1.1: a token or statement refused) against each of
    /// `who`: the peer's identity and, for a peer that sends directly, its transport address.
    pub fn enrol_failed(&mut self, who: &[Enrolling<P>], now: Instant) {
        // A count lives for the window from its first failure.
        self.enrol_failures
            .retain(|(_, _, t)| now < t.saturating_add(ENROL_FAILURE_WINDOW));
        for key in who {
            match self.enrol_failures.iter_mut().find(|(k, _, _)| k == key) {
                Some((_, count, _)) => *count = count.saturating_add(1),
                None => {
                    if self.enrol_failures.len() >= self.registry.limits.max_failures.max(1) {
                        self.enrol_failures.remove(0);
                    }
                    self.enrol_failures.push((key.clone(), 1, now));
                }
            }
        }
    }

    /// Takes a lookup of `hop` at `now` from its bucket, at the relay's rate for its nodes
    /// ([IOTP-DLV-67], per transport address, which also holds visitors whose node IDs cost
    /// nothing); `Err` with the seconds until the next is allowed.
    pub fn take_lookup(&mut self, hop: &P, now: Instant) -> Result<(), u32> {
        let rate = self.config.rate;
        let i = match self.lookups.iter().position(|(p, _)| p == hop) {
            Some(i) => i,
            None => {
                if self.lookups.len() >= self.registry.limits.max_lookup_peers.max(1) {
                    self.lookups.remove(0);
                }
                self.lookups
                    .push((hop.clone(), rate::Bucket::full(rate, now)));
                self.lookups.len() - 1
            }
        };
        // The most recent last, so the least recent goes first when room is needed.
        let (peer, mut bucket) = self.lookups.remove(i);
        let taken = bucket.take(rate, now);
        self.lookups.push((peer, bucket));
        taken
    }

    /// When one of `who` failed ENROL_FAILURE_LIMIT enrolments within the hour since its first
    /// failure: the seconds until the last such hour ends, for the `retry_after` of the `Busy` its
    /// `enrol` is answered with. `None` when it may enrol.
    pub fn enrol_barred(&self, who: &[Enrolling<P>], now: Instant) -> Option<u32> {
        self.enrol_failures
            .iter()
            .filter(|(key, count, t)| {
                who.contains(key)
                    && now < t.saturating_add(ENROL_FAILURE_WINDOW)
                    && *count >= ENROL_FAILURE_LIMIT
            })
            .map(|(_, _, t)| {
                let left = t.saturating_add(ENROL_FAILURE_WINDOW).saturating_sub(now);
                u32::try_from(left.div_ceil(1000)).unwrap_or(u32::MAX)
            })
            .max()
    }
}

/// What failed enrolments are counted against (§3.6.1.1): the peer's authenticated node ID, or,
/// under a visitor context, the credential it ran the handshake with; and, for a peer that sends
/// directly to the relay's service (path (c)), its transport address. A peer behind another relay
/// shares that relay's address with every other node behind it, so only its identity counts. A
/// visitor's claimed node ID never counts: anyone can claim anyone's ([IOTP-DLV-127]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Enrolling<P> {
    /// The node ID the peer's context authenticated.
    Node(security::NodeId),
    /// The SHA-256 digest of the authentication credential (CCS) a visitor sent by value and proved
    /// it holds the key of: 32 bytes whatever the credential's length.
    Credential([u8; 32]),
    /// The transport address of a peer that sends directly.
    Hop(P),
}

impl<P> Enrolling<P> {
    /// The count of a visitor that authenticated with `ccs`.
    pub fn credential(ccs: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        Enrolling::Credential(Sha256::digest(ccs).into())
    }
}
