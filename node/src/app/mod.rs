//! A controller app over the UDP binding: it attaches to its home relay like any node
//! ([`crate::attach`]), claims devices out of their box over their link (spec §8.3, with the
//! protocol crate's [`controller`] steps), and sends requests to devices by address through the
//! relays, running EDHOC with each the first time (§8.4). The engine does everything the protocol
//! asks; this holds only who is known and where requests go.

pub mod config;
mod follow;
mod introduce;
mod relay;

pub use follow::Rehome;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::Duration;

use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::{PresenceState, StatusCode};
use iotp2p_codec::security::owned::RelayInfo;
use iotp2p_protocol::controller::{self, ControllerError, Pairing};
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, EdhocResponder, Event, KnownPeer, Node};
use iotp2p_protocol::params::Timing;
use iotp2p_protocol::security::edhoc::LocalIdentity;
use iotp2p_protocol::security::pairing_states::PAIRING_EXCHANGE_TIMEOUT;
use iotp2p_protocol::security::statement::{sign_revocation, verify_credential};
use iotp2p_protocol::security::{IdentityKey, IdentityPublicKey, NodeId};
use iotp2p_protocol::server::acl::ACL_CAPACITY;
use iotp2p_protocol::server::security::{member, SECURITY};

use crate::attach::{attach, AttachError};
use crate::random::NodeRng;
use crate::udp::{NodeError, StartError, UdpConfig, UdpNode};

pub use config::AppFile;

/// How many SPAKE2+ exchanges claiming or joining a device runs at most when the device abandons one
/// ([`UdpApp::claim`], [`UdpApp::join`]); a claim whose pairing context the device dropped before
/// `commission` pairs again within the same count.
pub const PAIRING_ATTEMPTS: u32 = 3;

/// The longest wait, in seconds, before a new `pair_start` after a `Busy`: the device holds an
/// exchange at most PAIRING_EXCHANGE_TIMEOUT after its last message ([IOTP-SEC-31]), whatever
/// `retry_after` says.
const PAIRING_BUSY_WAIT_MAX: u64 = PAIRING_EXCHANGE_TIMEOUT / 1_000;

/// How a UDP app is set up.
pub struct AppSetup {
    /// Its address.
    pub address: String,
    /// Its socket's address and port.
    pub bind: SocketAddr,
    /// Its home relay's transport address.
    pub home_relay: SocketAddr,
    /// The home relay's credential (a CCS).
    pub relay_credential: Vec<u8>,
    /// Its EDHOC identity.
    pub identity: LocalIdentity,
    /// Its credential statement (an encoded `SignedStatement`), which `add_peer` gives the devices it
    /// claims.
    pub statement: Vec<u8>,
    /// The devices it knows, by address: their credentials, for EDHOC.
    pub devices: Vec<KnownPeer>,
    /// Its identity key, which signs the revocations it hands devices.
    pub identity_key: IdentityKey,
    /// How long it waits for a reply (a sleeping device answers when it wakes).
    pub reply_timeout: Duration,
    /// The message layer's timers (spec §5.14's defaults unless a test shortens them).
    pub timing: Timing,
    /// The seed of the app's randomness, for simulations that must replay
    /// ([`crate::random::NodeRng::seeded`]); `None`, the default, draws from the operating system.
    pub seed: Option<u64>,
}

/// Why a request of the app failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The socket could not be bound.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The app's task stopped.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The app could not attach to its relay.
    #[error(transparent)]
    Attach(#[from] AttachError),
    /// Pairing or claiming stopped.
    #[error("claiming the device: {0:?}")]
    Claim(ControllerError),
    /// The engine refused to send.
    #[error("{0}")]
    Engine(String),
    /// The app holds no credential for the address.
    #[error("no credential for {0}: claim the device, or name it in the [devices] table")]
    Unknown(String),
    /// The request's transmission to the hop peer failed twice ([IOTP-MSG-47], [IOTP-MSG-149]):
    /// neither it nor its acknowledgement got through, over the retransmissions of both tries.
    #[error("no acknowledgement from {hop} of the request to {to}, sent twice with every retransmission")]
    NotAcknowledged {
        /// Whom the request went to.
        to: String,
        /// The hop peer it went through.
        hop: SocketAddr,
    },
    /// No reply came in time.
    #[error("no reply from {to} within {within:?}")]
    NoReply {
        /// Whom the request went to.
        to: String,
        /// How long the app waited.
        within: Duration,
    },
}

/// What claiming a device gave.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// Its node ID.
    pub node_id: NodeId,
    /// Its new credential statement, naming its address.
    pub statement: Vec<u8>,
    /// Its authentication credential (a CCS), to run EDHOC with it.
    pub credential: Vec<u8>,
}

/// A running app.
pub struct UdpApp {
    node: UdpNode,
    relay: SocketAddr,
    statement: Vec<u8>,
    identity_key: IdentityKey,
    devices: BTreeMap<String, Vec<u8>>,
    contexts: BTreeMap<String, ContextId>,
    /// The identity keys of the devices whose credential statements the app holds, by address,
    /// with the sequence of the last re-homing accepted for each (§8.9.3).
    keys: BTreeMap<String, (IdentityPublicKey, u32)>,
    /// Addresses devices left, and where they went ([IOTP-SEC-115]).
    moved: BTreeMap<String, String>,
    reply_timeout: Duration,
    /// The hop context with the home relay, under which the relay's service is asked.
    hop: ContextId,
    /// The home relay's service address, `_relay@` and the app's domain.
    service: String,
    /// What the app draws itself (SPAKE2+'s nonce and share), a stream apart from its engine's.
    rng: NodeRng,
}

impl UdpApp {
    /// Binds the app's socket and attaches it to its home relay.
    pub async fn start(setup: AppSetup) -> Result<UdpApp, AppError> {
        let mut engine = Node::new(
            Config {
                address: Some(setup.address.clone()),
                timing: setup.timing,
                ..Config::default()
            },
            0,
        );
        engine.set_edhoc_responder(Some(EdhocResponder {
            identity: setup.identity,
            peers: Vec::new(),
            max_pending: 4,
            pending_lifetime: iotp2p_protocol::engine::MIN_PENDING_LIFETIME,
            max_visitors: 1,
            max_visitor_sources: 8,
        }));
        let mut node = UdpNode::start(
            UdpConfig {
                seed: setup.seed,
                ..UdpConfig::new(setup.bind)
            },
            engine,
        )
        .await?;
        let hop = attach(
            &mut node,
            &setup.address,
            setup.home_relay,
            setup.relay_credential,
            (PresenceState::Awake, None),
        )
        .await?;
        let domain = setup.address.rsplit_once('@').map_or("", |(_, d)| d);
        let service = format!("_relay@{domain}");
        let devices = setup
            .devices
            .into_iter()
            .filter_map(|d| Some((d.address?, d.credential)))
            .collect();
        Ok(UdpApp {
            node,
            relay: setup.home_relay,
            statement: setup.statement,
            identity_key: setup.identity_key,
            devices,
            contexts: BTreeMap::new(),
            keys: BTreeMap::new(),
            moved: BTreeMap::new(),
            reply_timeout: setup.reply_timeout,
            hop,
            service,
            // Another stream than the engine's: the same seed must not give both the same draws.
            rng: NodeRng::from_seed(setup.seed.map(|seed| !seed)),
        })
    }

    /// The address and port of the app's socket.
    pub fn local_addr(&self) -> SocketAddr {
        self.node.local_addr()
    }

    /// What its socket did so far (datagrams and bytes sent, received, refused).
    pub fn counts(&self) -> crate::udp::Counts {
        self.node.counts()
    }

    /// Claims the device in its pairing window at `device` on the local link with its printed
    /// `passcode` (spec §8.3.3 to §8.3.5): pairs, reads its credential, gives it the app's, writes
    /// an Administer entry for the app, and gives it `address` and its home relay.
    pub async fn claim(
        &mut self,
        device: SocketAddr,
        passcode: u32,
        address: &str,
        relay: Option<RelayInfo>,
        me: &NodeId,
    ) -> Result<Claimed, AppError> {
        let mut attempt = 1;
        loop {
            let paired = self.pair(device, passcode).await?;
            let claimed = self
                .commission(device, paired, address, relay.clone(), me)
                .await;
            // The pairing is over, claimed or not: its context goes ([IOTP-SEC-38]).
            self.node
                .with_engine(move |n, _, _| (n.remove_context(paired), Vec::new()))
                .await?;
            match claimed {
                Err(e) if attempt < PAIRING_ATTEMPTS && pairing_abandoned(&e) => attempt += 1,
                claimed => {
                    let claimed = claimed?;
                    self.know(&claimed.statement)?;
                    return Ok(claimed);
                }
            }
        }
    }

    /// SPAKE2+ with the device at `device` on the local link (§8.3.3): the pairing context. An
    /// exchange the device abandoned goes again from `pair_start`, at most [`PAIRING_ATTEMPTS`] in
    /// all: the device gives an exchange up PAIRING_EXCHANGE_TIMEOUT (30 s) after its last message
    /// ([IOTP-SEC-134]), less than its replies' retransmissions may take over a lossy link (one
    /// transmission fails after up to 93 s, [IOTP-MSG-47]), and then answers the next step
    /// `InvalidState`; while it still holds the exchange it answers a new `pair_start` `Busy` with
    /// the seconds left ([IOTP-SEC-31]). Each abandoned exchange counts as a failed attempt of the
    /// window's 20 ([IOTP-SEC-30]); a wrong passcode is not tried again.
    async fn pair(&mut self, device: SocketAddr, passcode: u32) -> Result<ContextId, AppError> {
        let mut attempt = 1;
        loop {
            match self.pair_once(device, passcode).await {
                Err(AppError::Claim(ControllerError::Refused { code, retry_after }))
                    if attempt < PAIRING_ATTEMPTS
                        && matches!(code, StatusCode::InvalidState | StatusCode::Busy) =>
                {
                    let wait = u64::from(retry_after.unwrap_or(0)).min(PAIRING_BUSY_WAIT_MAX);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                    attempt += 1;
                }
                paired => return paired,
            }
        }
    }

    /// One SPAKE2+ exchange of [`UdpApp::pair`].
    async fn pair_once(
        &mut self,
        device: SocketAddr,
        passcode: u32,
    ) -> Result<ContextId, AppError> {
        let (mut pairing, start) = Pairing::start(passcode, &mut self.rng);
        let reply = self.direct(device, None, start).await?;
        let share = pairing
            .share(&reply, &mut self.rng)
            .map_err(AppError::Claim)?;
        let reply = self.direct(device, None, share).await?;
        let confirm = pairing.confirm(&reply).map_err(AppError::Claim)?;
        let reply = self.direct(device, None, confirm).await?;
        let context = pairing.paired(&reply).map_err(AppError::Claim)?;
        self.node
            .with_engine(move |n, _, _| {
                let peer = Peer {
                    address: None,
                    kind: ContextKind::Pairing,
                    node: None,
                };
                (n.add_context(context, peer), Vec::new())
            })
            .await?
            .map_err(|e| AppError::Engine(format!("the pairing context: {e:?}")))
    }

    /// Joins a claimed device as a second controller in the commissioning window its administrator
    /// opened (spec §8.3.7), at `device` on the local link, with the window's `passcode`: pairs, reads
    /// the device's credential, gives it the app's, and writes the app's entry granting
    /// `privileges` on `target`, within the window. The entry is pending until the app's first
    /// handshake with the device, which its first [`UdpApp::ask`] runs. Gives the device's node ID.
    ///
    /// The app cannot read the device's access control list under the pairing context, so it writes
    /// at the highest free index: a taken one is refused with `ConstraintError` and the window stays
    /// open, so it tries the next one down.
    pub async fn join(
        &mut self,
        device: SocketAddr,
        passcode: u32,
        privileges: u8,
        target: Option<(Option<u16>, Option<u16>)>,
    ) -> Result<NodeId, AppError> {
        let paired = self.pair(device, passcode).await?;
        let joined = self
            .write_own_entry(device, paired, privileges, target)
            .await;
        self.node
            .with_engine(move |n, _, _| (n.remove_context(paired), Vec::new()))
            .await?;
        self.know(&joined?)
    }

    /// The steps of [`UdpApp::join`] under the pairing context; gives the device's credential
    /// statement.
    async fn write_own_entry(
        &mut self,
        device: SocketAddr,
        paired: ContextId,
        privileges: u8,
        target: Option<(Option<u16>, Option<u16>)>,
    ) -> Result<Vec<u8>, AppError> {
        let reply = self
            .direct(device, Some(paired), controller::read_credential())
            .await?;
        let (_, statement) = controller::device_credential(&reply).map_err(AppError::Claim)?;
        let add = controller::add_peer(&self.statement);
        expect_success(self.direct(device, Some(paired), add).await?)?;
        let me = verify_credential(&self.statement)
            .map(|v| v.node_id)
            .map_err(|e| AppError::Claim(ControllerError::Credential(format!("{e:?}"))))?;
        // Index 0 is the claiming controller's.
        for index in (1..ACL_CAPACITY as u8).rev() {
            let write = controller::grant(index, &me, privileges, target, None);
            match self.direct(device, Some(paired), write).await? {
                Body::Status(s) if s.code == StatusCode::ConstraintError => continue,
                reply => return expect_success(reply).map(|()| statement),
            }
        }
        Err(AppError::Claim(ControllerError::Refused {
            code: StatusCode::ResourceExhausted,
            retry_after: None,
        }))
    }

    async fn commission(
        &mut self,
        device: SocketAddr,
        paired: ContextId,
        address: &str,
        relay: Option<RelayInfo>,
        me: &NodeId,
    ) -> Result<Claimed, AppError> {
        let reply = self
            .direct(device, Some(paired), controller::read_credential())
            .await?;
        let (node_id, _) = controller::device_credential(&reply).map_err(AppError::Claim)?;
        let add = controller::add_peer(&self.statement);
        expect_success(self.direct(device, Some(paired), add).await?)?;
        let write = controller::acl_write(0, me, Some("owner"));
        expect_success(self.direct(device, Some(paired), write).await?)?;
        let commission = controller::commission(address, relay, None);
        let reply = self.direct(device, Some(paired), commission).await?;
        let statement =
            controller::check_commissioned(&reply, &node_id, address).map_err(AppError::Claim)?;
        let credential = verify_credential(&statement)
            .ok()
            .and_then(|v| {
                v.statement
                    .auth_credentials
                    .iter()
                    .next()
                    .map(<[u8]>::to_vec)
            })
            .ok_or(AppError::Claim(ControllerError::UnexpectedReply))?;
        Ok(Claimed {
            node_id,
            statement,
            credential,
        })
    }

    /// Sends `body` to `address` through the home relay, under the context of a handshake with it
    /// (run now if there is none), and gives the reply.
    pub async fn ask(&mut self, address: &str, body: Body) -> Result<Body, AppError> {
        // A device that moved is asked at its new address ([IOTP-SEC-115]).
        let address = &self.current(address);
        let context = match self.contexts.get(address) {
            Some(c) => *c,
            None => {
                let c = self.connect(address).await?;
                self.contexts.insert(address.to_owned(), c);
                c
            }
        };
        let relay = self.relay;
        let id = self
            .node
            .request(
                relay,
                Destination::Address(address.into()),
                Some(context),
                body,
                true,
                None,
            )
            .await
            .map_err(|e| AppError::Engine(e.to_string()))?;
        let reply = self.reply(address, relay, id).await?;
        // The device does not hold the context: the handshake's message_3 did not convince it (the
        // app was not yet its peer), or it forgot. The next request runs a new handshake.
        if matches!(&reply, Body::Status(s) if s.code == StatusCode::Unauthenticated) {
            self.contexts.remove(address);
            self.node
                .with_engine(move |n, _, _| (n.remove_context(context), Vec::new()))
                .await?;
        }
        Ok(reply)
    }

    /// Lets another node use the device at `address` (the app administers it): gives the device
    /// the node's credential statement (`add_peer`) and writes an ACL entry at `index` granting it
    /// `privileges` on `target` (§8.8.1). Gives the node's ID.
    pub async fn grant(
        &mut self,
        address: &str,
        statement: &[u8],
        index: u8,
        privileges: u8,
        target: Option<(Option<u16>, Option<u16>)>,
    ) -> Result<NodeId, AppError> {
        let node = verify_credential(statement)
            .map_err(|e| AppError::Claim(ControllerError::Credential(format!("{e:?}"))))?
            .node_id;
        expect_success(self.ask(address, controller::add_peer(statement)).await?)?;
        let write = controller::grant(index, &node, privileges, target, None);
        expect_success(self.ask(address, write).await?)?;
        Ok(node)
    }

    /// Tells the device at `address` to forget `node` (spec §8.11): a revocation statement signed
    /// with the app's identity key, which the device accepts because the app administers it.
    pub async fn revoke(&mut self, address: &str, node: &NodeId) -> Result<(), AppError> {
        let statement = sign_revocation(
            &self.identity_key,
            &iotp2p_codec::security::RevocationStatement {
                node: node.as_bytes(),
                reason: iotp2p_codec::security::RevocationReason::Unspecified,
                issued_at: None,
                unknown_fields: Default::default(),
            },
        )
        .map_err(|e| AppError::Engine(format!("the revocation: {e:?}")))?;
        let apply = Body::Invoke(iotp2p_codec::core::owned::InvokeRequest {
            input: Some(statement),
            ..iotp2p_codec::core::owned::InvokeRequest::new(SECURITY, member::APPLY_STATEMENT)
        });
        expect_success(self.ask(address, apply).await?)
    }

    /// The app's own credential statement, which an administrator grants it access with.
    pub fn statement(&self) -> &[u8] {
        &self.statement
    }

    /// Runs EDHOC with `address` through the home relay.
    async fn connect(&mut self, address: &str) -> Result<ContextId, AppError> {
        self.handshake(address, None, false).await
    }

    /// EDHOC with the device at `address` (node ID `node`, if known), whose credential the app
    /// holds, through the home relay; with the app's credential by value if `as_visitor` (§8.4.6).
    async fn handshake(
        &mut self,
        address: &str,
        node: Option<NodeId>,
        as_visitor: bool,
    ) -> Result<ContextId, AppError> {
        let credential = self
            .devices
            .get(address)
            .cloned()
            .ok_or_else(|| AppError::Unknown(address.into()))?;
        let (relay, to) = (self.relay, address.to_owned());
        let edhoc_1 = self
            .node
            .with_engine(move |n, now, rng| {
                let peer = KnownPeer {
                    credential,
                    address: Some(to.clone()),
                    node,
                };
                let to = Destination::Address(to);
                let started = if as_visitor {
                    n.connect_as_visitor(now, rng, relay, to, peer)
                } else {
                    n.connect(now, rng, relay, to, peer)
                };
                match started {
                    Ok((id, out)) => (Ok(id), out),
                    Err(e) => (Err(format!("EDHOC: {e:?}")), Vec::new()),
                }
            })
            .await?
            .map_err(AppError::Engine)?;
        // Through both relays to the device and back, as long as a reply may take.
        self.wait_for(address, relay, edhoc_1, |event| match event {
            Event::Session { context, .. } => ControlFlow::Break(context),
            other => ControlFlow::Continue(other),
        })
        .await
    }

    /// Sends `body` straight to `device` on the local link, under `context` or unsealed.
    async fn direct(
        &mut self,
        device: SocketAddr,
        context: Option<ContextId>,
        body: Body,
    ) -> Result<Body, AppError> {
        let id = self
            .node
            .request(device, Destination::HopPeer, context, body, true, None)
            .await
            .map_err(|e| AppError::Engine(e.to_string()))?;
        self.reply(&device.to_string(), device, id).await
    }

    /// The reply to request `id`, sent through the hop peer `hop`, within the reply timeout
    /// ([`UdpApp::wait_for`]).
    async fn reply(&mut self, to: &str, hop: SocketAddr, id: u64) -> Result<Body, AppError> {
        self.wait_for(to, hop, id, |event| match event {
            Event::Reply { request, body, .. } if request == id => ControlFlow::Break(body),
            other => ControlFlow::Continue(other),
        })
        .await
    }

    /// The event `pick` takes (it lets the others continue), which the request `id` to `to`, sent
    /// through the hop peer `hop`, brings, within the reply timeout. Requests that come meanwhile
    /// are answered ([`UdpApp::answer`]). A request whose transmission failed goes once more, byte
    /// for byte ([IOTP-MSG-149]): the losses may have taken the replies, not the request, and the
    /// recipient answers the copy from its reply cache without carrying it out again. A second
    /// failure ends the wait at once.
    async fn wait_for<T>(
        &mut self,
        to: &str,
        hop: SocketAddr,
        id: u64,
        mut pick: impl FnMut(Event<SocketAddr>) -> ControlFlow<T, Event<SocketAddr>>,
    ) -> Result<T, AppError> {
        let within = self.reply_timeout;
        let mut sent_again = false;
        let waited = tokio::time::timeout(within, async {
            while let Some(event) = self.node.next_event().await {
                let event = match pick(event) {
                    ControlFlow::Break(found) => return Ok(found),
                    ControlFlow::Continue(event) => event,
                };
                match event {
                    Event::Failed {
                        to: peer,
                        message_id,
                    } if peer == hop && message_id == id => {
                        if sent_again {
                            return Err(AppError::NotAcknowledged {
                                to: to.to_owned(),
                                hop,
                            });
                        }
                        sent_again = true;
                        self.node
                            .with_engine(move |n, now, rng| {
                                match n.send_again(now, rng, &hop, id) {
                                    Ok(out) => (Ok(()), out),
                                    Err(e) => (
                                        Err(AppError::Engine(format!("sending again: {e:?}"))),
                                        Vec::new(),
                                    ),
                                }
                            })
                            .await??;
                    }
                    Event::Request {
                        exchange,
                        sender,
                        context,
                        body,
                        ..
                    } => {
                        // The app's task stopped: no reply will come either.
                        let answered = self.answer(exchange, &sender, context, &body).await;
                        if answered.is_err() {
                            return Err(AppError::Node(NodeError::Stopped));
                        }
                    }
                    _ => {}
                }
            }
            Err(AppError::Node(NodeError::Stopped))
        })
        .await;
        waited.unwrap_or_else(|_| {
            Err(AppError::NoReply {
                to: to.to_owned(),
                within,
            })
        })
    }

    /// Stops the app, waiting at most `within`.
    pub async fn stop(self, within: Duration) -> Result<(), AppError> {
        self.node.stop(within).await?;
        Ok(())
    }
}

/// A success of an action without output, or the status the device answered with.
/// Whether a step under the pairing context failed because the device no longer holds that
/// context: it abandoned the exchange PAIRING_EXCHANGE_TIMEOUT after the step before
/// ([IOTP-SEC-134]), while that step's reply was being lost, and cannot open the next one. The
/// claim then pairs again from `pair_start`; the device is still unclaimed.
fn pairing_abandoned(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Claim(ControllerError::Refused {
            code: StatusCode::Unauthenticated,
            ..
        })
    )
}

fn expect_success(reply: Body) -> Result<(), AppError> {
    match reply {
        Body::InvokeResponse(_) => Ok(()),
        Body::Status(s) => Err(AppError::Claim(ControllerError::Refused {
            code: s.code,
            retry_after: s.retry_after,
        })),
        _ => Err(AppError::Claim(ControllerError::UnexpectedReply)),
    }
}
