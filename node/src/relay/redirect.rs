//! Where a released address's held requests go when its domain moved to another provider (spec
//! §3.11.4, [IOTP-DLV-113]): the engine puts each out as a [`Redirect`]; this resolves the domain's
//! SRV records beside the driver's loop and gives the engine the relays they name, in their order
//! ([IOTP-DLV-51]), to carry it there confirmable and retransmit it ([IOTP-DLV-128]), or none (the
//! records still name this relay, name no relay with an address, or cannot be resolved), in which
//! case the engine answers it `Undeliverable` ([IOTP-DLV-53]). A failed forwarding is not tried
//! again later ([IOTP-DLV-125]). Until the engine says it is done, the request stays in the
//! store's outbox, and a relay started again resolves it anew ([IOTP-DLV-129]).
//!
//! **Bound.** One resolution task per redirect, and a release puts out at most the holding limit
//! of one address; their outcomes wait in a queue of [`QUEUE`] for the driver, the tasks waiting
//! their turn beyond it.

use std::net::SocketAddr;

use iotp2p_protocol::relay::Redirect;
use tokio::sync::mpsc;

use crate::resolve::{Resolver, Tlsa};

/// Outcomes waiting for the driver.
const QUEUE: usize = 64;

/// Where a redirect goes: the addresses of the domain's current relays in the order to try them
/// ([IOTP-DLV-51]), each with its SRV target (the name its certificate must be valid for,
/// [IOTP-DLV-56]) and the target's TLSA records (DANE, [IOTP-DLV-59]), none when it cannot go.
pub(super) type Outcome = (Redirect<SocketAddr>, Vec<(SocketAddr, String, Vec<Tlsa>)>);

/// The relay's means of finding a domain's current relay, and the outcomes of the lookups under
/// way.
pub(super) struct Redirects {
    /// The name server to ask; without one, no redirect goes anywhere.
    resolver: Option<Resolver>,
    /// The host name by which the domain's SRV records name this relay.
    host: Option<String>,
    done: mpsc::Sender<Outcome>,
    pub(super) outcomes: mpsc::Receiver<Outcome>,
}

impl Redirects {
    pub(super) fn new(resolver: Option<Resolver>, host: Option<String>) -> Self {
        let (done, outcomes) = mpsc::channel(QUEUE);
        Redirects {
            resolver,
            host: host.map(|h| h.trim_end_matches('.').to_ascii_lowercase()),
            done,
            outcomes,
        }
    }

    /// Looks up where `redirect` goes, on a task of its own; its outcome arrives in `outcomes`.
    pub(super) fn start(&self, redirect: Redirect<SocketAddr>) {
        let done = self.done.clone();
        let (resolver, host) = (self.resolver.clone(), self.host.clone());
        tokio::spawn(async move {
            let to = match (&resolver, &host) {
                (Some(resolver), Some(host)) => {
                    current_relay(resolver, host, &redirect.domain).await
                }
                // A relay that does not know its own name cannot tell that it is no longer named.
                _ => Vec::new(),
            };
            let _ = done.send((redirect, to)).await;
        });
    }
}

/// The addresses of the relays that `domain`'s SRV records name now, in their order (§3.2.1),
/// each with its SRV target and the target's TLSA records, none if they still name `own_host` or
/// cannot be resolved. A target whose TLSA records are refused (DNSSEC) is left out.
async fn current_relay(
    resolver: &Resolver,
    own_host: &str,
    domain: &str,
) -> Vec<(SocketAddr, String, Vec<Tlsa>)> {
    // By name first: a target of this relay's that does not resolve still names it.
    let Ok(targets) = resolver.relay_targets(domain).await else {
        return Vec::new();
    };
    if targets.iter().any(|t| t.host == own_host) {
        return Vec::new();
    }
    let hosts = resolver.relay_hosts(domain).await.unwrap_or_default();
    let mut relays = Vec::new();
    for h in hosts {
        let Ok(tlsa) = resolver.tlsa(&h.target.host, h.target.port).await else {
            continue;
        };
        let target = h.target.host;
        relays.extend(
            h.addresses
                .into_iter()
                .map(|a| (a, target.clone(), tlsa.clone())),
        );
    }
    relays
}
