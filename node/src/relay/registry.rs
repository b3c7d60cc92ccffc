//! The Relay capability's registry between the relay's engine and its store (spec §3.6.1): at
//! start, the provider's accounts and tokens from the configuration, then what the store kept
//! (administrators, the tokens they used, registrations, quarantines) put back; while running,
//! each change the service makes written to the store before the reply that follows it. The
//! engine's instants are its own clock's; the store keeps wall-clock times, which outlive the
//! process.

use iotp2p_codec::capabilities::owned::RelayPolicy;
use iotp2p_codec::prelude::*;
use iotp2p_protocol::params::Instant;
use iotp2p_protocol::relay::registry::{
    Admin, Arrival, Departure, PreviousRelays, Registration, RegistryChange,
};
use iotp2p_protocol::relay::Relay;
use iotp2p_protocol::security::NodeId;

use super::handle::{AccountSetup, RelayError};
use crate::store::{self, Quarantined, RelayStore, StoreError, MAX_PAGE};

/// The engine's clock and the wall clock at one moment, to convert between them.
#[derive(Clone, Copy, Debug)]
pub(super) struct Times {
    pub(super) now: Instant,
    pub(super) wall: u64,
}

impl Times {
    fn to_wall(self, at: Instant) -> u64 {
        if at >= self.now {
            self.wall.saturating_add(at - self.now)
        } else {
            self.wall.saturating_sub(self.now - at)
        }
    }

    fn to_instant(self, wall: u64) -> Instant {
        if wall >= self.wall {
            self.now.saturating_add(wall - self.wall)
        } else {
            self.now.saturating_sub(self.wall - wall)
        }
    }
}

fn invalid(why: String) -> RelayError {
    RelayError::Registry(why)
}

/// Gives `relay` its accounts and the tokens not yet used, then puts back what `store` kept;
/// returns the addresses registered over the wire, whose held messages come back next.
pub(super) fn restore(
    relay: &mut Relay<std::net::SocketAddr>,
    store: &mut (dyn RelayStore + Send),
    accounts: &[AccountSetup],
    times: Times,
) -> Result<Vec<String>, RelayError> {
    for a in accounts {
        let name = a.account.name.clone();
        relay
            .registry_mut()
            .add_account(a.account.clone())
            .map_err(|e| invalid(format!("account {name:?}: {e:?}")))?;
        for token in &a.tokens {
            if store.token_used(token)? {
                continue;
            }
            let expires = times.now.saturating_add(a.token_lifetime);
            relay
                .registry_mut()
                .issue_token(&name, token, expires, times.now)
                .map_err(|e| invalid(format!("a token of account {name:?}: {e:?}")))?;
        }
    }
    let mut after = None;
    loop {
        let page = store.admins(after, MAX_PAGE)?;
        let Some(last) = page.last() else { break };
        after = Some(last.node);
        for admin in page {
            let account = admin.account.clone();
            relay
                .restore_admin(
                    &admin.account,
                    Admin {
                        node: NodeId::from_bytes(admin.node),
                        credential: admin.credential,
                    },
                )
                .map_err(|e| {
                    invalid(format!(
                        "an administrator of account {account:?} in the store: {e:?} (is the \
                         account still configured?)"
                    ))
                })?;
        }
    }
    let mut after: Option<String> = None;
    loop {
        let page = store.quarantined(times.wall, after.as_deref(), MAX_PAGE)?;
        let Some(last) = page.last() else { break };
        after = Some(last.address.clone());
        for q in page {
            relay.registry_mut().quarantine(
                &q.address,
                &q.account,
                times.now,
                times.to_instant(q.until),
            );
        }
    }
    let mut registered = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.every_registration(after.as_deref(), MAX_PAGE)?;
        let Some(last) = page.last() else { break };
        after = Some(last.address.clone());
        for r in page {
            // A registration the provider made (no credential statement) is the configuration's.
            if r.credential.is_empty() {
                continue;
            }
            let address = r.address.clone();
            let registration = from_store(r, times).map_err(|why| {
                invalid(format!("the registration of {address} in the store: {why}"))
            })?;
            let served = relay
                .restore_registration(times.now, registration)
                .map_err(|e| invalid(format!("the registration of {address}: {e:?}")))?;
            if served {
                registered.push(address);
            }
        }
    }
    Ok(registered)
}

/// Writes one change of the registry to `store`.
pub(super) fn store(
    store: &mut (dyn RelayStore + Send),
    change: RegistryChange,
    times: Times,
) -> Result<(), StoreError> {
    match change {
        RegistryChange::Enrolled {
            account,
            admin,
            token,
        } => store.enrol(&account, *admin.node.as_bytes(), &admin.credential, &token),
        RegistryChange::Unenrolled { node } => store.unenrol(*node.as_bytes()).map(|_| ()),
        RegistryChange::Registered(r) => store.register(&to_store(&r, times)?).map(|_| ()),
        RegistryChange::Unregistered {
            address,
            account,
            quarantined_until,
        } => store.quarantine(&Quarantined {
            address,
            account,
            until: times.to_wall(quarantined_until),
        }),
    }
}

fn to_store(r: &Registration, times: Times) -> Result<store::Registration, StoreError> {
    let policy = r.policy.encode_to_vec().map_err(|e| StoreError::Invalid {
        what: "policy",
        why: format!("{e:?}"),
    })?;
    Ok(store::Registration {
        address: r.address.clone(),
        account: r.account.clone(),
        node: *r.node.as_bytes(),
        policy,
        credential: r.credential.clone(),
        departed: r.departed.as_ref().map(|d| store::Departed {
            to: d.to.clone(),
            statement: d.statement.clone(),
            sequence: d.sequence,
            until: times.to_wall(d.until),
        }),
        arrived: r.arrived.as_ref().map(|a| store::Arrived {
            previous: a.previous.clone(),
            until: times.to_wall(a.until),
        }),
        previous_relays: r.previous_relays.as_ref().map(|p| store::PreviousRelays {
            hosts: p.hosts.clone(),
            until: times.to_wall(p.until),
        }),
    })
}

fn from_store(r: store::Registration, times: Times) -> Result<Registration, String> {
    let policy = RelayPolicy::decode(&r.policy).map_err(|e| format!("its policy: {e:?}"))?;
    let verified = iotp2p_protocol::security::statement::verify_credential(&r.credential)
        .map_err(|e| format!("its credential statement: {e}"))?;
    Ok(Registration {
        serial: verified.statement.serial,
        address: r.address,
        account: r.account,
        node: NodeId::from_bytes(r.node),
        credential: r.credential.clone(),
        policy,
        departed: r.departed.map(|d| Departure {
            to: d.to,
            statement: d.statement,
            sequence: d.sequence,
            until: times.to_instant(d.until),
        }),
        arrived: r.arrived.map(|a| Arrival {
            previous: a.previous,
            until: times.to_instant(a.until),
        }),
        previous_relays: r.previous_relays.map(|p| PreviousRelays {
            hosts: p.hosts,
            until: times.to_instant(p.until),
        }),
    })
}
