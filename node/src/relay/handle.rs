//! The application's side of a UDP relay: starting it from its store, calling its engine (hop
//! contexts, registrations), taking its events, and stopping it.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use iotp2p_protocol::engine::{Config, EdhocResponder};
use iotp2p_protocol::params::Instant;
use iotp2p_protocol::relay::{Relay, RelayConfig, RelayEvent, RelayOutput, RestoreError};
use rand_core::CryptoRngCore;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::driver::{Driver, RelayCall};
use super::dtls::{DtlsCounts, DtlsError, DtlsSetup, DtlsStats, Hop};
use super::redirect::Redirects;
use super::registry::Times;
use crate::clock::Clock;
use crate::random::NodeRng;
use crate::resolve::{RelayHost, Resolver, Tlsa};
use crate::store::{RelayStore, StoreError, MAX_PAGE};
use crate::udp::{Counts, Stats};
use iotp2p_protocol::relay::registry::Account;
use iotp2p_protocol::server::relay::RelayServer;

/// How a UDP relay is set up.
#[derive(Debug)]
pub struct RelaySetup {
    /// The address and port of its socket (a specific address, as for any node, [IOTP-UDP-6]).
    pub bind: SocketAddr,
    /// The relay's engine configuration (its domain, what it holds).
    pub relay: RelayConfig,
    /// Its service's engine configuration (contexts and the other tables of an end node).
    pub service: Config,
    /// The addresses the provider registers itself, at start; the accounts' controllers register
    /// theirs through the Relay capability.
    pub addresses: Vec<String>,
    /// The home relays of other domains (domain → relay): where `Forward` goes, over DTLS to a
    /// relay whose certificate must be valid for the route's host name (§3.9.1). Each is also
    /// taken as a relay of its domain ([IOTP-DLV-57]) once it authenticated.
    pub routes: BTreeMap<String, Route>,
    /// The relay's DTLS identity and the CAs it validates other relays with (§3.9.1): required
    /// when it has `routes` or `resolve` domains, since every hop to another domain's relay is
    /// DTLS ([IOTP-DLV-54]).
    pub dtls: Option<DtlsSetup>,
    /// The relay's EDHOC identity and the credentials of its nodes, so that they establish their hop
    /// contexts with it (spec §8.7, §8.4); without it, hop contexts are added through
    /// [`UdpRelay::with_relay`].
    pub edhoc: Option<EdhocResponder>,
    /// Events held for the application before further ones are dropped (and counted).
    pub event_queue: usize,
    /// The provider's accounts, whose controllers enrol and register over the Relay capability.
    pub accounts: Vec<AccountSetup>,
    /// The relay's credential statement, naming its service address, which nodes read unsealed at
    /// first contact (spec §3.10.1).
    pub statement: Option<Vec<u8>>,
    /// The relay's host name: the SRV target by which its domain's records name it (§3.9.1).
    pub host: Option<String>,
    /// The name server it asks for its domain's current relays when an address is released
    /// without statement (§3.11.4); without it, or without `host`, each request held for the
    /// address is answered `Undeliverable`.
    pub resolver: Option<Resolver>,
    /// Other providers' domains whose relays it finds through `resolver` at start, by their SRV
    /// records and their targets' addresses (§3.2): where `Forward` goes for each, in SRV order,
    /// and the relays it accepts as sending for each once they authenticated over DTLS with a
    /// certificate valid for their SRV target ([IOTP-DLV-56]). A domain also in `routes` keeps its
    /// route.
    pub resolve: Vec<String>,
    /// The seed of the relay's randomness, for simulations that must replay
    /// ([`NodeRng::seeded`]); `None`, the default, draws from the operating system.
    pub seed: Option<u64>,
}

/// A statically configured route: the other domain's relay, by host name and address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Its host name: the reference identity its certificate is validated for (§3.9.1).
    pub host: String,
    /// Its address and port.
    pub addr: SocketAddr,
}

/// A provider account and the enrolment tokens issued for it (spec §3.6.1.1).
#[derive(Clone, Debug)]
pub struct AccountSetup {
    /// The account.
    pub account: Account,
    /// Its single-use enrolment tokens (16 to 32 bytes); a token the store says was used is not
    /// issued again.
    pub tokens: Vec<Vec<u8>>,
    /// How long each token is valid from the relay's start, in ms.
    pub token_lifetime: u64,
}

impl RelaySetup {
    /// A relay of `domain` on `bind`, serving no address yet, with the spec's defaults.
    pub fn new(bind: SocketAddr, domain: &str) -> Self {
        RelaySetup {
            bind,
            relay: RelayConfig::new(domain),
            service: Config {
                max_contexts: 64,
                max_exchanges: 16,
                ..Config::default()
            },
            addresses: Vec::new(),
            routes: BTreeMap::new(),
            edhoc: None,
            event_queue: 64,
            accounts: Vec::new(),
            statement: None,
            host: None,
            resolver: None,
            dtls: None,
            resolve: Vec::new(),
            seed: None,
        }
    }
}

/// Why a relay did not start, or stopped badly.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The socket could not be bound.
    #[error("cannot bind the relay's UDP socket to {addr}: {source} (is another node using that port? configure another one)")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// The relays of a domain to resolve were not found.
    #[error("the relays of {domain}: {why}")]
    Resolve {
        /// The domain of `RelaySetup::resolve`.
        domain: String,
        /// Why they were not found.
        why: String,
    },
    /// Other domains are to be reached without the DTLS that every such hop needs.
    #[error("the relay has {0} but no DTLS certificate: every hop to another domain's relay is DTLS 1.3 with mutual certificate authentication (IOTP-DLV-54); configure [dtls]")]
    NoDtls(&'static str),
    /// The DTLS identity or trust anchors cannot be used.
    #[error("the relay's DTLS: {0}")]
    Dtls(#[from] DtlsError),
    /// The store failed.
    #[error("the relay's store: {0}")]
    Store(#[from] StoreError),
    /// An address to serve is not in the relay's domain, or too many were given.
    #[error("cannot serve {address}: {why}")]
    Address {
        /// The address.
        address: String,
        /// Why.
        why: String,
    },
    /// A held message of the store could not be put back.
    #[error("message {id} held for {recipient} in the store: {why:?}")]
    Restore {
        /// Its identifier in the store.
        id: u64,
        /// Its recipient.
        recipient: String,
        /// Why.
        why: RestoreError,
    },
    /// A statement given to the relay does not verify.
    #[error("{0}")]
    Statement(String),
    /// The accounts of the configuration, or what the store kept of them, cannot be put back.
    #[error("the relay's accounts: {0}")]
    Registry(String),
    /// The event queue has no room.
    #[error("the event queue must hold at least one entry")]
    EmptyQueue,
    /// The relay's task is no longer running.
    #[error("the relay has stopped")]
    Stopped,
    /// The relay's task did not stop within the time given.
    #[error("the relay did not stop within {0:?}")]
    StopTimeout(Duration),
}

/// A running relay: the handle of its driver task. Dropping it stops the task.
#[derive(Debug)]
pub struct UdpRelay {
    calls: mpsc::Sender<RelayCall>,
    events: mpsc::Receiver<RelayEvent<SocketAddr>>,
    local: SocketAddr,
    stats: Arc<Stats>,
    dtls_stats: Arc<DtlsStats>,
    task: JoinHandle<Box<dyn RelayStore + Send>>,
}

impl std::fmt::Debug for dyn RelayStore + Send {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RelayStore")
    }
}

/// What a relay resolves at start: the relays of each domain of `setup.resolve`, in SRV order
/// (§3.2.1), each with its addresses, and the TLSA records of their SRV targets (DANE).
type Resolved = (Vec<(String, Vec<RelayHost>)>, Vec<(String, Vec<Tlsa>)>);

/// The relays of each domain of `setup.resolve`, and their targets' TLSA records.
async fn resolve_relays(setup: &RelaySetup) -> Result<Resolved, RelayError> {
    let mut found = Vec::new();
    let mut dane = Vec::new();
    for domain in &setup.resolve {
        let failed = |why: String| RelayError::Resolve {
            domain: domain.clone(),
            why,
        };
        let resolver = setup
            .resolver
            .as_ref()
            .ok_or_else(|| failed("no name server to ask".into()))?;
        let relays = resolver
            .relay_hosts(domain)
            .await
            .map_err(|e| failed(e.to_string()))?;
        if relays.iter().all(|r| r.addresses.is_empty()) {
            return Err(failed(
                "no relay named by its SRV records has an address".into(),
            ));
        }
        // DANE ([IOTP-DLV-59]): none unless the resolver validates; records refused by DNSSEC
        // stop the start, as the SRV records' would.
        for relay in &relays {
            let tlsa = resolver
                .tlsa(&relay.target.host, relay.target.port)
                .await
                .map_err(|e| failed(e.to_string()))?;
            if !tlsa.is_empty() {
                dane.push((relay.target.host.clone(), tlsa));
            }
        }
        found.push((domain.clone(), relays));
    }
    Ok((found, dane))
}

impl UdpRelay {
    /// Starts a relay from `store`: registers its addresses, puts back every message the store holds
    /// for them (each goes again when its node next listens), binds the socket and starts the driver
    /// on the current tokio runtime.
    pub async fn start(
        setup: RelaySetup,
        mut store: Box<dyn RelayStore + Send>,
    ) -> Result<Self, RelayError> {
        if setup.event_queue == 0 {
            return Err(RelayError::EmptyQueue);
        }
        if setup.dtls.is_none() {
            if !setup.routes.is_empty() {
                return Err(RelayError::NoDtls("routes to other domains"));
            }
            if !setup.resolve.is_empty() {
                return Err(RelayError::NoDtls("domains to resolve"));
            }
        }
        // Before the engine takes the configuration: the lookups only read it.
        let (resolved, dane) = resolve_relays(&setup).await?;
        let mut relay = Relay::new(setup.relay, setup.service, 0);
        for address in &setup.addresses {
            relay.register(address).map_err(|e| RelayError::Address {
                address: address.clone(),
                why: format!("{e:?}"),
            })?;
        }
        // Each other relay's address with the host name its certificate must be valid for: the
        // route's host, or the SRV target (§3.9.1). The engine learns the name a relay proved
        // when its handshake completes; what a domain's relays may send for it is declared here,
        // and holds only for what comes through DTLS from them (the driver drops the rest).
        let mut known: Vec<(SocketAddr, String)> = Vec::new();
        let mut routes: BTreeMap<String, Vec<SocketAddr>> = BTreeMap::new();
        for (domain, route) in &setup.routes {
            routes.insert(domain.clone(), vec![route.addr]);
            known.push((route.addr, route.host.clone()));
        }
        for (domain, relays) in resolved {
            for relay_host in &relays {
                for peer in &relay_host.addresses {
                    known.push((*peer, relay_host.target.host.clone()));
                }
            }
            let addresses = relays.into_iter().flat_map(|h| h.addresses).collect();
            routes.entry(domain).or_insert(addresses);
        }
        for (domain, peers) in &routes {
            for peer in peers {
                relay.add_relay_peer(*peer, domain);
            }
        }
        relay.service_mut().set_edhoc_responder(setup.edhoc);
        let clock = Clock::start();
        let mut rng = NodeRng::from_seed(setup.seed);
        let mut ids = HashMap::new();
        let (now, wall) = (clock.now(), clock.wall());
        let times = Times { now, wall };
        let registered =
            super::registry::restore(&mut relay, store.as_mut(), &setup.accounts, times)?;
        let mut addresses = setup.addresses.clone();
        addresses.extend(registered);
        for address in &addresses {
            // The store holds at most the relay's limit per recipient, which is below MAX_PAGE.
            for m in store.held(address, MAX_PAGE)? {
                let digest = relay
                    .restore(
                        now,
                        &m.recipient,
                        m.request,
                        m.sender.as_deref(),
                        &m.envelope,
                        wall.saturating_sub(m.received_at),
                    )
                    .map_err(|why| RelayError::Restore {
                        id: m.id,
                        recipient: m.recipient.clone(),
                        why,
                    })?;
                ids.insert(digest, m.id);
            }
        }
        // The requests a release left in the outbox go again, or are answered ([IOTP-DLV-129]).
        let mut redirects = Vec::new();
        let mut after = None;
        loop {
            let page = store.outbox(after, MAX_PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for m in page {
                let held_for = wall.saturating_sub(m.received_at);
                let redirect = relay
                    .restore_redirect(
                        now,
                        &m.recipient,
                        m.sender.as_deref(),
                        &m.envelope,
                        held_for,
                    )
                    .map_err(|why| RelayError::Restore {
                        id: m.id,
                        recipient: m.recipient.clone(),
                        why,
                    })?;
                ids.insert(redirect.digest(), m.id);
                redirects.push(redirect);
            }
        }
        // What was acknowledged for other domains goes again ([IOTP-DLV-130]), when its retry is
        // due ([IOTP-DLV-131]); what cannot wait any more is answered.
        let mut pending = Vec::new();
        let mut after = None;
        loop {
            let page = store.forwardings(after, MAX_PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for f in page {
                let held_for = wall.saturating_sub(f.received_at);
                let wait = f.next_attempt_at.saturating_sub(wall);
                let (digest, out) = relay
                    .restore_forward(
                        now,
                        &mut rng,
                        &f.domain,
                        &f.envelope,
                        held_for,
                        f.failed,
                        wait,
                    )
                    .map_err(|why| RelayError::Restore {
                        id: f.id,
                        recipient: f.domain.clone(),
                        why,
                    })?;
                ids.insert(digest, f.id);
                pending.extend(out);
            }
        }
        let socket = UdpSocket::bind(setup.bind)
            .await
            .map_err(|source| RelayError::Bind {
                addr: setup.bind,
                source,
            })?;
        let local = socket.local_addr().map_err(|source| RelayError::Bind {
            addr: setup.bind,
            source,
        })?;
        let mut dtls_stats = Arc::new(DtlsStats::default());
        let hop = match setup.dtls {
            Some(dtls) => {
                let mut hop = Hop::new(dtls, local)?;
                dtls_stats = hop.stats();
                for (peer, host) in &known {
                    hop.expect(*peer, host);
                }
                for (host, tlsa) in dane {
                    hop.expect_dane(&host, tlsa);
                }
                Some(hop)
            }
            None => None,
        };
        let (calls, call_rx) = mpsc::channel(16);
        let (event_tx, events) = mpsc::channel(setup.event_queue);
        let stats = Arc::new(Stats::default());
        let mut server = RelayServer::new(relay);
        server.set_credential_statement(setup.statement);
        let driver = Driver {
            socket,
            relay: server,
            store,
            ids,
            routes,
            calls: call_rx,
            events: event_tx,
            stats: stats.clone(),
            clock,
            rng,
            redirects: Redirects::new(setup.resolver, setup.host),
            hop,
            dtls_stats: dtls_stats.clone(),
        };
        for redirect in redirects {
            driver.redirects.start(redirect);
        }
        let task = tokio::spawn(driver.run(pending));
        Ok(UdpRelay {
            calls,
            events,
            local,
            stats,
            dtls_stats,
            task,
        })
    }

    /// The relay-to-relay hop's counters now (§3.9.1): associations, handshakes, refusals.
    pub fn dtls_counts(&self) -> DtlsCounts {
        self.dtls_stats.counts()
    }

    /// Why the last certificate of another relay was refused ([IOTP-DLV-55]), escaped.
    pub fn dtls_last_refusal(&self) -> Option<String> {
        self.dtls_stats.last_refusal()
    }

    /// The address and port the socket is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The socket's counters now.
    pub fn counts(&self) -> Counts {
        self.stats.counts()
    }

    /// Runs `call` on the relay's engine, on the driver's task, with the engine's time and the OS RNG
    /// (adding a hop context to its service, reading what it holds); the outputs it returns are carried
    /// out like any other, and its result comes back.
    pub async fn with_relay<R, F>(&self, call: F) -> Result<R, RelayError>
    where
        R: Send + 'static,
        F: FnOnce(
                &mut Relay<SocketAddr>,
                Instant,
                &mut dyn CryptoRngCore,
            ) -> (R, Vec<RelayOutput<SocketAddr>>)
            + Send
            + 'static,
    {
        let (done, answer) = oneshot::channel();
        self.calls
            .send(Box::new(move |relay, now, rng| {
                let (result, outputs) = call(relay, now, rng);
                let _ = done.send(result);
                outputs
            }))
            .await
            .map_err(|_| RelayError::Stopped)?;
        answer.await.map_err(|_| RelayError::Stopped)
    }

    /// The next event for the application, or `None` once the relay has stopped.
    pub async fn next_event(&mut self) -> Option<RelayEvent<SocketAddr>> {
        self.events.recv().await
    }

    /// Stops the relay and hands back its store, waiting at most `within`.
    pub async fn stop(self, within: Duration) -> Result<Box<dyn RelayStore + Send>, RelayError> {
        let UdpRelay { calls, task, .. } = self;
        // The driver ends when the call queue closes.
        drop(calls);
        crate::clock::join_within(task, within)
            .await
            .map_err(|late| {
                if late {
                    RelayError::StopTimeout(within)
                } else {
                    RelayError::Stopped
                }
            })
    }

    /// Ends the relay's task at once, as a crash would: nothing more is sent or stored, and the store
    /// is left as its last committed change left it. Returns once the task is gone and its socket
    /// closed.
    pub async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}
