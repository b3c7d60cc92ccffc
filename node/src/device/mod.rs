//! A device over the UDP binding: a profile of `iotp2p-device` (lamp, sensor or lock) served by the
//! protocol crate's `Server`, driven on one socket by the UDP driver ([`UdpNode`]).
//!
//! [`UdpDevice::start`] binds the socket and attaches the device to its home relay as spec §3.8 and
//! §8.7 describe: it runs EDHOC with the relay's service (`_relay@domain`) by the relay's credential,
//! takes the new context as its hop context, and announces itself with a sealed presence, which binds
//! its hop at the relay. Apps named in its configuration run EDHOC with it by address, through their
//! relays; every request under their contexts is then answered by the profile. A sleeping sensor
//! announces `Asleep` with its sleep interval and wakes ([`UdpDevice::wake`]) to measure and take what
//! its relay held.

pub mod config;

use std::net::SocketAddr;
use std::time::Duration;

use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::PresenceState;
use iotp2p_device::profile::Profile;
use iotp2p_protocol::engine::{Config, Destination, EdhocResponder, Event, KnownPeer, Node};
use iotp2p_protocol::security::edhoc::LocalIdentity;
use iotp2p_protocol::server::Server;

use crate::udp::{NodeError, StartError, UdpConfig, UdpNode};

pub use config::{DeviceFile, ProfileKind};

/// The server a device's driver runs.
pub type DeviceServer = Server<SocketAddr, Profile>;

/// How a UDP device is set up.
pub struct DeviceSetup {
    /// What it is.
    pub profile: Profile,
    /// Its address (spec §2.2).
    pub address: String,
    /// The address and port of its socket.
    pub bind: SocketAddr,
    /// Its home relay's transport address.
    pub home_relay: SocketAddr,
    /// The home relay's credential (from commissioning's `RelayInfo`), to run EDHOC with it.
    pub relay_credential: Vec<u8>,
    /// The device's EDHOC identity.
    pub identity: LocalIdentity,
    /// The apps that may run EDHOC with it, by their credentials and addresses.
    pub peers: Vec<KnownPeer>,
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
    /// The engine refused to start the handshake or announce the presence.
    #[error("{0}")]
    Engine(String),
    /// The relay did not answer in time.
    #[error("the home relay at {relay} did not answer the {what} within {within:?}: is it running, and does it hold this device's credential?")]
    Relay {
        /// The relay's address.
        relay: SocketAddr,
        /// What went unanswered.
        what: &'static str,
        /// How long the device waited.
        within: Duration,
    },
}

/// How long a device waits for its relay to answer a handshake or a presence.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(20);

/// A running device: the handle of its driver task.
pub struct UdpDevice {
    node: UdpNode<DeviceServer>,
    home_relay: SocketAddr,
    sleep_interval: Option<u32>,
}

impl UdpDevice {
    /// Binds the device's socket, starts serving its profile and attaches it to its home relay:
    /// EDHOC with the relay's service, then a sealed presence (`Awake`, or `Asleep` for a sensor).
    pub async fn start(setup: DeviceSetup) -> Result<UdpDevice, DeviceError> {
        let domain = setup
            .address
            .rsplit_once('@')
            .map(|(_, d)| d.to_owned())
            .unwrap_or_default();
        let mut engine = Node::new(
            Config {
                address: Some(setup.address.clone()),
                ..Config::default()
            },
            0,
        );
        engine.set_home_relay(Some(setup.home_relay));
        engine.set_edhoc_responder(Some(EdhocResponder {
            identity: setup.identity,
            max_pending: setup.peers.len().clamp(2, 16),
            peers: setup.peers,
            pending_lifetime: iotp2p_protocol::engine::MIN_PENDING_LIFETIME,
            max_visitors: 4,
        }));
        let sleep_interval = setup.profile.sleep_interval();
        let model = setup.profile.model();
        let config = setup.profile.interaction_config();
        let server = Server::new(engine, model, config, setup.profile);
        let mut node = UdpNode::start(UdpConfig::new(setup.bind), server).await?;

        let relay = setup.home_relay;
        let peer = KnownPeer {
            credential: setup.relay_credential,
            address: Some(format!("_relay@{domain}")),
            node: None,
        };
        node.with_engine(move |s, now, rng| {
            let out = s
                .node_mut()
                .connect(now, rng, relay, Destination::HopPeer, peer)
                .map(|(_, out)| out);
            match out {
                Ok(out) => (Ok(()), out),
                Err(e) => (Err(format!("EDHOC with the home relay: {e:?}")), Vec::new()),
            }
        })
        .await?
        .map_err(DeviceError::Engine)?;
        let hop = wait(&mut node, relay, "EDHOC handshake", |e| match e {
            Event::Session { context, .. } => Some(*context),
            _ => None,
        })
        .await?;
        node.with_engine(move |s, _, _| {
            s.node_mut().set_hop_context(Some(hop));
            ((), Vec::new())
        })
        .await?;
        let mut device = UdpDevice {
            node,
            home_relay: relay,
            sleep_interval,
        };
        match sleep_interval {
            None => device.announce(PresenceState::Awake, None).await?,
            Some(sleep) => device.announce(PresenceState::Asleep, Some(sleep)).await?,
        }
        Ok(device)
    }

    /// The address and port of the device's socket.
    pub fn local_addr(&self) -> SocketAddr {
        self.node.local_addr()
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
        self.node
            .with_engine(move |s, now, rng| {
                match s.node_mut().presence(now, rng, state, sleep, None) {
                    Ok((_, out)) => (Ok(()), out),
                    Err(e) => (Err(format!("the presence: {e:?}")), Vec::new()),
                }
            })
            .await?
            .map_err(DeviceError::Engine)?;
        wait(&mut self.node, self.home_relay, "presence", |e| match e {
            Event::Reply {
                body: Body::PresenceAck(_),
                ..
            } => Some(()),
            _ => None,
        })
        .await
    }

    /// Stops the device and hands back its server, waiting at most `within`.
    pub async fn stop(self, within: Duration) -> Result<DeviceServer, DeviceError> {
        Ok(self.node.stop(within).await?)
    }
}

/// Waits for the event `pick` takes, at most [`RELAY_TIMEOUT`]; other events pass.
async fn wait<T>(
    node: &mut UdpNode<DeviceServer>,
    relay: SocketAddr,
    what: &'static str,
    pick: impl Fn(&Event<SocketAddr>) -> Option<T>,
) -> Result<T, DeviceError> {
    let late = DeviceError::Relay {
        relay,
        what,
        within: RELAY_TIMEOUT,
    };
    let found = tokio::time::timeout(RELAY_TIMEOUT, async {
        while let Some(event) = node.next_event().await {
            if let Some(found) = pick(&event) {
                return Some(found);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(DeviceError::Node(NodeError::Stopped)),
        Err(_) => Err(late),
    }
}
