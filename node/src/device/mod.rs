//! A device over the UDP binding: a profile of `iotp2p-device` (lamp, sensor or lock) served by the
//! protocol crate's `Server`, driven on one socket by the UDP driver ([`UdpNode`]).
//!
//! [`UdpDevice::start`] binds the socket and attaches the device to its home relay as spec §3.8 and
//! §8.7 describe: it runs EDHOC with the relay's service (`_relay@domain`) by the relay's credential,
//! takes the new context as its hop context, and announces itself with a sealed presence, which binds
//! its hop at the relay. Apps named in its configuration run EDHOC with it by address, through their
//! relays; every request under their contexts is then answered by the profile. A sleeping sensor
//! announces `Asleep` with its sleep interval and wakes ([`UdpDevice::wake`]) to measure and take what
//! its relay held. A device that stays awake announces `Awake` again every `presence_interval`
//! ([`UdpDevice::keep_bound`]), so that its relay keeps its hop bound ([IOTP-SEC-173]).

pub mod config;

use std::net::SocketAddr;
use std::time::Duration;

use iotp2p_codec::core::PresenceState;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::RelayInfo;
use iotp2p_device::profile::Profile;
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{Config, EdhocResponder, KnownPeer, Node};
use iotp2p_protocol::params::Timing;
use iotp2p_protocol::security::edhoc::LocalIdentity;
use iotp2p_protocol::security::statement::verify_credential;
use iotp2p_protocol::server::security::{Commissioned, Manufactured, Rehomed, SecurityService};
use iotp2p_protocol::server::Server;

use crate::attach::{announce, attach, AttachError};
use crate::discovery::{Advertisement, DiscoveryError, Responder};
use crate::udp::{NodeError, StartError, TransportUri, UdpConfig, UdpNode};

pub use config::{DeviceFile, ProfileKind};

/// The server a device's driver runs.
pub type DeviceServer = Server<SocketAddr, Profile>;

/// How a device gets its address and home relay.
pub enum Provisioning {
    /// From its configuration file; every authenticated peer but visitors may use it.
    Configured {
        /// Its address (spec §2.2).
        address: String,
        /// Its home relay's transport address.
        home_relay: SocketAddr,
        /// The home relay's credential (a CCS), to run EDHOC with it.
        relay_credential: Vec<u8>,
    },
    /// Out of its box: a controller pairs with it over its link and claims it (spec §8.3), then its
    /// access control list decides who may use it. What it holds from the factory (boxed: the
    /// verifier and keys are large, and a setup is made once).
    Unclaimed(Box<Manufactured>),
}

/// How a UDP device is set up.
pub struct DeviceSetup {
    /// What it is.
    pub profile: Profile,
    /// The address and port of its socket.
    pub bind: SocketAddr,
    /// How it gets its address and home relay.
    pub provisioning: Provisioning,
    /// The device's EDHOC identity.
    pub identity: LocalIdentity,
    /// The apps that may run EDHOC with it, by their credentials and addresses.
    pub peers: Vec<KnownPeer>,
    /// The message layer's timers (spec §5.14's defaults unless a test shortens them).
    pub timing: Timing,
    /// The seed of the device's randomness, for simulations that must replay
    /// ([`crate::random::NodeRng::seeded`]); `None`, the default, draws from the operating system.
    pub seed: Option<u64>,
    /// How often a device that stays awake announces `Awake` again ([`UdpDevice::keep_bound`]);
    /// below HOP_BINDING_MIN.
    pub presence_interval: Duration,
    /// How it advertises itself on its link (spec §3.3), if it does.
    pub discovery: Option<DiscoverySetup>,
}

/// How a device advertises itself with DNS-SD (spec §3.3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoverySetup {
    /// The responder's socket: port 5353 of 0.0.0.0 joins the mDNS group; any other address
    /// answers unicast queries only (tests, demos).
    pub bind: SocketAddr,
    /// The service instance name, for people.
    pub instance: String,
    /// The host name's label under `local.`.
    pub host: String,
    /// The discriminator of its factory pairing window.
    pub discriminator: u16,
    /// Whether it advertises its address once it has one ([IOTP-DLV-17]: it may not).
    pub advertise_address: bool,
}

impl DiscoverySetup {
    /// What the device at `at` advertises: its address if it has one and advertises it, and its
    /// discriminator while its pairing window is open.
    pub fn advertisement(
        &self,
        at: SocketAddr,
        address: Option<&str>,
        window_open: bool,
    ) -> Advertisement {
        Advertisement {
            instance: self.instance.clone(),
            host: self.host.clone(),
            at,
            address: address
                .filter(|_| self.advertise_address)
                .map(str::to_owned),
            node_id: None,
            pairing: window_open.then_some(self.discriminator),
        }
    }
}

/// Why a device did not start or attach, or stopped badly.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The socket could not be bound.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The device's task stopped, or refused a call.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// Its DNS-SD responder could not start.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The engine refused to start the handshake or announce the presence.
    #[error("{0}")]
    Engine(String),
    /// No administrator moved the device in time.
    #[error("no administrator invoked rehome within {0:?}")]
    NotRehomed(Duration),
    /// No administrator changed the device's home relay in time.
    #[error("no administrator invoked set_home_relay within {0:?}")]
    NoHomeRelayChange(Duration),
    /// No controller claimed the device in time.
    #[error("no controller claimed the device within {0:?}: is its pairing window open, and the passcode right?")]
    NotClaimed(Duration),
    /// The device has no home relay to announce itself to.
    #[error("the device has no home relay: it is used on its local link only")]
    NoRelay,
    /// The home relay `commission` gave cannot be reached.
    #[error("the home relay given at commissioning: {0}")]
    RelayInfo(String),
    /// The device could not attach to its relay or announce itself.
    #[error(transparent)]
    Attach(#[from] AttachError),
}

impl DeviceError {
    /// Whether the relay did not take a presence this time: it acknowledged none of its
    /// transmissions (a run of losses longer than the retransmissions, or a relay down for as
    /// long), or could not open it even under the hop context of a new handshake. A sleeping
    /// device tries again at its next wake-up rather than stopping.
    pub fn is_presence_lost(&self) -> bool {
        matches!(
            self,
            DeviceError::Attach(
                AttachError::Unacknowledged { .. } | AttachError::NoHopContext { .. }
            )
        )
    }
}

/// A running device: the handle of its driver task.
pub struct UdpDevice {
    node: UdpNode<DeviceServer>,
    /// Its home relay, once attached.
    home_relay: Option<SocketAddr>,
    /// Its hop context with the home relay.
    hop: Option<ContextId>,
    /// The home relay's credential, for EDHOC with it again when it no longer has the hop context.
    relay_credential: Option<Vec<u8>>,
    sleep_interval: Option<u32>,
    /// How often it announces `Awake` again if it stays awake.
    presence_interval: Duration,
    /// When it last announced itself to its home relay (a `presence` that was acknowledged).
    last_presence: Option<tokio::time::Instant>,
    /// Its DNS-SD responder, how it advertises itself, and what it advertises now.
    discovery: Option<(Responder, DiscoverySetup, Advertisement)>,
}

impl UdpDevice {
    /// Binds the device's socket and starts serving its profile. A configured device then attaches
    /// to its home relay: EDHOC with the relay's service, then a sealed presence (`Awake`, or `Asleep`
    /// for a sensor). An unclaimed one opens its pairing window and waits for a controller
    /// ([`UdpDevice::commissioned`]).
    pub async fn start(setup: DeviceSetup) -> Result<UdpDevice, DeviceError> {
        let mut engine = Node::new(
            Config {
                timing: setup.timing,
                ..Config::default()
            },
            0,
        );
        engine.set_edhoc_responder(Some(EdhocResponder {
            identity: setup.identity,
            // Room for the peers a controller adds (`add_peer`, at most PEER_CAPACITY).
            max_pending: setup.peers.len().clamp(2, 16),
            peers: setup.peers,
            pending_lifetime: iotp2p_protocol::engine::MIN_PENDING_LIFETIME,
            max_visitors: 4,
            max_visitor_sources: 8,
        }));
        let sleep_interval = setup.profile.sleep_interval();
        let model = setup.profile.model();
        let config = setup.profile.interaction_config();
        let (server, relay) = match setup.provisioning {
            Provisioning::Configured {
                address,
                home_relay,
                relay_credential,
            } => {
                engine.set_address(Some(address.clone()));
                let server = Server::new(engine, model, config, setup.profile);
                (server, Some((address, home_relay, relay_credential)))
            }
            Provisioning::Unclaimed(made) => {
                // The window opens at power-up, the driver's time 0 ([IOTP-SEC-26]).
                let security = SecurityService::unclaimed(*made, 0)
                    .map_err(|e| DeviceError::Engine(format!("the device's credential: {e:?}")))?;
                let server = Server::with_security(engine, model, config, setup.profile, security);
                (server, None)
            }
        };
        let node = UdpNode::start(
            UdpConfig {
                seed: setup.seed,
                ..UdpConfig::new(setup.bind)
            },
            server,
        )
        .await?;
        let discovery = match setup.discovery {
            Some(d) => {
                let address = relay.as_ref().map(|(address, _, _)| address.as_str());
                let advertised = d.advertisement(node.local_addr(), address, relay.is_none());
                let responder = Responder::start(d.bind, &advertised).await?;
                Some((responder, d, advertised))
            }
            None => None,
        };
        let mut device = UdpDevice {
            node,
            home_relay: None,
            hop: None,
            relay_credential: None,
            sleep_interval,
            presence_interval: setup.presence_interval,
            last_presence: None,
            discovery,
        };
        if let Some((address, home_relay, credential)) = relay {
            device.attach(&address, home_relay, credential).await?;
        }
        Ok(device)
    }

    /// Waits at most `within` for a controller to claim the device (spec §8.3.5), then attaches it
    /// to the home relay `commission` named: its first transport URI, its credential statement's
    /// authentication credential. Gives what `commission` gave.
    pub async fn commissioned(&mut self, within: Duration) -> Result<Commissioned, DeviceError> {
        let claimed = self
            .take_within(within, SecurityService::take_commissioned)
            .await?
            .ok_or(DeviceError::NotClaimed(within))?;
        self.advertise().await?;
        if let Some(relay) = &claimed.relay {
            let (home_relay, credential) = relay_of(relay)?;
            self.attach(&claimed.address, home_relay, credential)
                .await?;
        }
        Ok(claimed)
    }

    /// Attaches to the home relay ([`attach`]).
    async fn attach(
        &mut self,
        address: &str,
        relay: SocketAddr,
        credential: Vec<u8>,
    ) -> Result<(), DeviceError> {
        let presence = self.attached_presence();
        self.attach_announcing(address, relay, credential, presence)
            .await
    }

    /// What the device announces when it attaches: `Asleep` with its interval for a sensor,
    /// `Awake` otherwise.
    fn attached_presence(&self) -> (PresenceState, Option<u32>) {
        match self.sleep_interval {
            None => (PresenceState::Awake, None),
            Some(sleep) => (PresenceState::Asleep, Some(sleep)),
        }
    }

    /// Attaches to the home relay ([`attach`]), announcing `presence`.
    async fn attach_announcing(
        &mut self,
        address: &str,
        relay: SocketAddr,
        credential: Vec<u8>,
        presence: (PresenceState, Option<u32>),
    ) -> Result<(), DeviceError> {
        let hop = attach(&mut self.node, address, relay, credential.clone(), presence).await?;
        self.home_relay = Some(relay);
        self.hop = Some(hop);
        self.relay_credential = Some(credential);
        self.last_presence = Some(tokio::time::Instant::now());
        Ok(())
    }

    /// Waits at most `within` for an administrator to move the device (`rehome`, §8.9.1). Gives
    /// what `rehome` gave; [`UdpDevice::move_home`] then moves it.
    pub async fn rehomed(&mut self, within: Duration) -> Result<Rehomed, DeviceError> {
        self.take_within(within, SecurityService::take_rehomed)
            .await?
            .ok_or(DeviceError::NotRehomed(within))
    }

    /// Waits at most `within` for an administrator to change the device's home relay
    /// (`set_home_relay`, §8.9.4), then changes to it ([`UdpDevice::change_home_relay`]). Gives the
    /// new relay.
    pub async fn home_relay_set(&mut self, within: Duration) -> Result<RelayInfo, DeviceError> {
        let relay = self
            .take_within(within, SecurityService::take_home_relay)
            .await?
            .ok_or(DeviceError::NoHomeRelayChange(within))?;
        self.change_home_relay(&relay).await?;
        Ok(relay)
    }

    /// Changes to the home relay `relay` and keeps its address (§3.11.4): attaches to the new
    /// relay, then drops the hop context with the previous one without announcing `Leaving`
    /// ([IOTP-SEC-190], [IOTP-SEC-191], [IOTP-DLV-122]).
    pub async fn change_home_relay(&mut self, relay: &RelayInfo) -> Result<(), DeviceError> {
        let (home_relay, credential) = relay_of(relay)?;
        let presence = self.attached_presence();
        self.attach_anew(home_relay, credential, presence).await
    }

    /// Attaches to `relay` under a new hop context, announcing `presence`, then drops the previous
    /// hop context; if attaching fails, the previous one stays the device's.
    async fn attach_anew(
        &mut self,
        relay: SocketAddr,
        credential: Vec<u8>,
        presence: (PresenceState, Option<u32>),
    ) -> Result<(), DeviceError> {
        let address = self
            .node
            .with_engine(|s, _, _| (s.node().config().address.clone(), Vec::new()))
            .await?
            .ok_or(DeviceError::NotClaimed(Duration::ZERO))?;
        let previous = self.hop.take();
        if let Err(e) = self
            .attach_announcing(&address, relay, credential, presence)
            .await
        {
            self.hop = previous;
            return Err(e);
        }
        if let Some(previous) = previous.filter(|p| Some(*p) != self.hop) {
            self.node
                .with_engine(move |s, _, _| (s.node_mut().remove_context(previous), Vec::new()))
                .await?;
        }
        Ok(())
    }

    /// What `take` takes from the Security capability, once it has something, polled for at most
    /// `within` (`None` then).
    async fn take_within<T: Send + 'static>(
        &mut self,
        within: Duration,
        take: fn(&mut SecurityService) -> Option<T>,
    ) -> Result<Option<T>, DeviceError> {
        let polled = tokio::time::timeout(within, async {
            loop {
                let taken = self
                    .node
                    .with_engine(move |s, _, _| (s.security_mut().and_then(take), Vec::new()))
                    .await?;
                if let Some(t) = taken {
                    return Ok::<_, DeviceError>(t);
                }
                // A pairing window that closed meanwhile is no longer advertised ([IOTP-DLV-16]).
                self.advertise().await?;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        match polled {
            Ok(taken) => taken.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Moves to the address and home relay `rehomed` names (§3.11): announces `Leaving` to the
    /// previous relay, takes the new address (accepting the previous one for the grace period,
    /// [IOTP-DLV-74]), attaches to the new relay, and drops the previous hop context. Peers that
    /// still write to the previous address are told of the move before they are answered.
    pub async fn move_home(&mut self, rehomed: &Rehomed) -> Result<(), DeviceError> {
        let relay = rehomed.relay.as_ref().ok_or(DeviceError::NoRelay)?;
        let (home_relay, credential) = relay_of(relay)?;
        if self.home_relay.is_some() {
            self.announce(PresenceState::Leaving, None).await?;
        }
        let (address, grace) = (rehomed.address.clone(), rehomed.grace_period);
        let previous_hop = self.hop.take();
        self.node
            .with_engine(move |s, now, _| {
                let until = now.saturating_add(u64::from(grace) * 1_000);
                s.node_mut().move_to(address, until);
                ((), Vec::new())
            })
            .await?;
        self.attach(&rehomed.address, home_relay, credential)
            .await?;
        self.advertise().await?;
        if let Some(hop) = previous_hop {
            self.node
                .with_engine(move |s, _, _| (s.node_mut().remove_context(hop), Vec::new()))
                .await?;
        }
        Ok(())
    }

    /// The address and port of the device's socket.
    pub fn local_addr(&self) -> SocketAddr {
        self.node.local_addr()
    }

    /// What its socket did so far (datagrams and bytes sent, received, refused).
    pub fn counts(&self) -> crate::udp::Counts {
        self.node.counts()
    }

    /// Runs `change` on the profile (a switch pressed, a measurement); subscribers hear what it
    /// changed. Returns what `change` returns.
    pub async fn with_profile<R, F>(&self, change: F) -> Result<R, DeviceError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Profile) -> R + Send + 'static,
    {
        Ok(self
            .node
            .with_engine(move |s, _, _| (change(s.app_mut()), Vec::new()))
            .await?)
    }

    /// A sleeping device wakes: it announces `Awake`, and its relay delivers what it held.
    pub async fn wake(&mut self) -> Result<(), DeviceError> {
        self.announce(PresenceState::Awake, None).await
    }

    /// A device that stays awake announces `Awake` again once `presence_interval` has passed since
    /// its last `presence`, so that its home relay neither unbinds its hop (HOP_BINDING_MIN,
    /// [IOTP-SEC-172], [IOTP-SEC-173]) nor keeps holding what it has for it after a delivery failed
    /// ([IOTP-DLV-137]). Gives whether it announced. Called often (the device's main loop); a sleeping
    /// device, or one not attached, announces nothing here.
    pub async fn keep_bound(&mut self) -> Result<bool, DeviceError> {
        let due = self
            .last_presence
            .is_some_and(|t| t.elapsed() >= self.presence_interval);
        if self.sleep_interval.is_some() || self.home_relay.is_none() || !due {
            return Ok(false);
        }
        // Tried again only after another interval when the relay acknowledges none of its
        // transmissions: each try retransmits for about a minute and a half.
        self.last_presence = Some(tokio::time::Instant::now());
        self.announce(PresenceState::Awake, None).await?;
        Ok(true)
    }

    /// A sleeping device goes back to sleep for its sleep interval.
    pub async fn sleep(&mut self) -> Result<(), DeviceError> {
        let sleep = self.sleep_interval;
        self.announce(PresenceState::Asleep, sleep).await
    }

    /// Announces `state` under the hop context and waits for the relay's `presence_ack`.
    async fn announce(
        &mut self,
        state: PresenceState,
        sleep: Option<u32>,
    ) -> Result<(), DeviceError> {
        let relay = self.home_relay.ok_or(DeviceError::NoRelay)?;
        match announce(&mut self.node, relay, state, sleep).await {
            Err(AttachError::NoHopContext { .. }) => self.attach_again(state, sleep).await?,
            other => other?,
        }
        self.last_presence = Some(tokio::time::Instant::now());
        Ok(())
    }

    /// The home relay could not open a presence: it no longer has the hop context (it restarted and
    /// kept only its store). EDHOC with it again, the new context as the hop context and `state`
    /// announced under it, then the previous hop context dropped. Once per announcement: a relay
    /// that cannot open the new context's presence either is an error, so an unsealed status,
    /// which anyone can forge, costs at most one handshake each time the device announces itself.
    async fn attach_again(
        &mut self,
        state: PresenceState,
        sleep: Option<u32>,
    ) -> Result<(), DeviceError> {
        let (Some(relay), Some(credential)) = (self.home_relay, self.relay_credential.clone())
        else {
            return Err(DeviceError::NoRelay);
        };
        self.attach_anew(relay, credential, (state, sleep)).await
    }

    /// Stops the device and hands back its server, waiting at most `within`.
    pub async fn stop(mut self, within: Duration) -> Result<DeviceServer, DeviceError> {
        if let Some((responder, _, _)) = self.discovery.take() {
            responder.stop().await;
        }
        Ok(self.node.stop(within).await?)
    }

    /// What the device advertises on its link now, if it advertises itself (spec §3.3).
    pub fn advertised(&self) -> Option<&Advertisement> {
        self.discovery.as_ref().map(|(_, _, a)| a)
    }

    /// The address of its DNS-SD responder, if it advertises itself.
    pub fn discovery_addr(&self) -> Option<SocketAddr> {
        self.discovery.as_ref().map(|(r, _, _)| r.local_addr())
    }

    /// Advertises what the device is now: its address once it has one, `_p` and its discriminator
    /// only while its pairing window is open ([IOTP-DLV-15], [IOTP-DLV-16]).
    async fn advertise(&mut self) -> Result<(), DeviceError> {
        if self.discovery.is_none() {
            return Ok(());
        }
        let (address, window_open) = self
            .node
            .with_engine(|s, now, _| {
                let open = s
                    .security_mut()
                    .is_some_and(|sec| sec.pairing_window_open(now));
                ((s.node().config().address.clone(), open), Vec::new())
            })
            .await?;
        let at = self.node.local_addr();
        if let Some((responder, setup, advertised)) = self.discovery.as_mut() {
            let now = setup.advertisement(at, address.as_deref(), window_open);
            if now != *advertised {
                responder.set(&now)?;
                *advertised = now;
            }
        }
        Ok(())
    }
}

/// Where the home relay of a `RelayInfo` is, and its authentication credential: the first transport
/// URI with an IP address (a name would need resolution, §3.2), the first credential of its verified
/// credential statement.
fn relay_of(relay: &RelayInfo) -> Result<(SocketAddr, Vec<u8>), DeviceError> {
    let addr = relay
        .endpoints
        .iter()
        .filter_map(|e| e.parse::<TransportUri>().ok())
        .find_map(|u| u.socket_addr())
        .ok_or_else(|| DeviceError::RelayInfo("no transport URI with an IP address".into()))?;
    let statement = relay
        .credential
        .encode_to_vec()
        .map_err(|e| DeviceError::RelayInfo(format!("its credential: {e}")))?;
    let verified = verify_credential(&statement)
        .map_err(|e| DeviceError::RelayInfo(format!("its credential: {e:?}")))?;
    let credential = verified
        .statement
        .auth_credentials
        .iter()
        .next()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| DeviceError::RelayInfo("its credential has no key".into()))?;
    Ok((addr, credential))
}
