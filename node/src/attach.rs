//! Attaching a node to its home relay (spec §8.7, §3.8), as a device and an app both do: EDHOC with
//! the relay's service (`_relay@domain`) by the relay's credential, the new context as the hop
//! context, then a sealed presence, whose acknowledgement binds the node's hop at the relay. Every
//! wait is bounded by [`relay_wait`], and a handshake that does not complete in it starts again, up
//! to [`HANDSHAKE_ATTEMPTS`] times.

use std::net::SocketAddr;
use std::time::Duration;

use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::{PresenceState, StatusCode};
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{Destination, Event, KnownPeer, SendError};
use iotp2p_protocol::params::Timing;

use crate::udp::{Driven, NodeError, UdpNode};

/// The least a node waits for its relay to answer a handshake or a presence.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a node whose message layer runs with `timing` waits for its relay to answer: as long as
/// its engine retransmits the request (MAX_TRANSMIT_SPAN), and as long again for an answer that
/// the relay, having acknowledged the request alone, retransmits in turn ([IOTP-MSG-135]); at
/// least [`RELAY_TIMEOUT`]. A shorter wait gives up on a relay that is still being reached: over a
/// link that loses one datagram in five, seven losses in a row happen.
pub fn relay_wait(timing: &Timing) -> Duration {
    RELAY_TIMEOUT.max(Duration::from_millis(
        timing.max_transmit_span().saturating_mul(2),
    ))
}

/// How many handshakes a node starts with its relay, each given [`relay_wait`] to complete, before
/// [`attach`] gives up: over a link that loses one datagram in five, every transmission of one
/// message is lost now and then.
pub const HANDSHAKE_ATTEMPTS: u32 = 3;

/// How often a presence held by a request awaiting its reply is tried again, at most.
const BUSY_RETRY: Duration = Duration::from_millis(500);

/// [`relay_wait`] for the timing `node`'s engine runs with.
async fn relay_wait_of<M: Driven>(node: &UdpNode<M>) -> Result<Duration, NodeError> {
    node.with_engine(|s, _, _| (relay_wait(&s.engine().config().timing), Vec::new()))
        .await
}

/// Why a node could not attach to its relay or announce itself.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    /// The node's task stopped.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The engine refused to start the handshake or to send the presence.
    #[error("{0}")]
    Engine(String),
    /// The relay did not answer in time.
    #[error("the home relay at {relay} did not answer the {what} within {within:?}: is it running, and does it hold this node's credential?")]
    Relay {
        /// The relay's address.
        relay: SocketAddr,
        /// What went unanswered.
        what: &'static str,
        /// How long the node waited.
        within: Duration,
    },
    /// The relay answered with an unsealed `Unauthenticated`: it could not open what the node sealed
    /// under their hop context, so it no longer has that context (it restarted, or forgot it). The
    /// node may run EDHOC with it again (spec §9.4.1, [IOTP-SEC-80]); the status, unauthenticated,
    /// changes nothing by itself.
    #[error("the home relay at {relay} could not open the {what} (an unsealed Unauthenticated): it no longer has the hop context, and EDHOC with it again makes a new one")]
    NoHopContext {
        /// The relay's address.
        relay: SocketAddr,
        /// What it could not open.
        what: &'static str,
    },
    /// The message layer gave up a message to the relay after its last retransmission: a run of
    /// losses, or a relay that has stopped.
    #[error("the home relay at {relay} acknowledged none of the {what}'s transmissions")]
    Unacknowledged {
        /// The relay's address.
        relay: SocketAddr,
        /// What went unacknowledged.
        what: &'static str,
    },
}

/// Attaches the node with `address` to its relay at `relay`, whose credential (a CCS) is
/// `credential`, and announces `presence` (with a sleep interval for `Asleep`). Gives the hop
/// context.
pub async fn attach<M: Driven>(
    node: &mut UdpNode<M>,
    address: &str,
    relay: SocketAddr,
    credential: Vec<u8>,
    presence: (PresenceState, Option<u32>),
) -> Result<ContextId, AttachError> {
    let domain = address
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_default();
    let service = format!("_relay@{domain}");
    let peer = KnownPeer {
        credential,
        address: Some(service.clone()),
        node: None,
    };
    // A handshake whose message_1 every transmission of lost, or whose message_2 the relay's
    // retransmissions did not bring, is over: nothing of it comes any more. It starts again, a
    // bounded number of times (a sleeping device tries again at its next wake-up, [IOTP-DLV-96]).
    let mut attempt = 1;
    let hop = loop {
        let peer = peer.clone();
        node.with_engine(move |s, now, rng| {
            let engine = s.engine();
            engine.set_home_relay(Some(relay));
            match engine.connect(now, rng, relay, Destination::HopPeer, peer) {
                Ok((_, out)) => (Ok(()), out),
                Err(e) => (Err(format!("EDHOC with the home relay: {e:?}")), Vec::new()),
            }
        })
        .await?
        .map_err(AttachError::Engine)?;
        match relay_session(node, relay, service.clone()).await {
            Err(AttachError::Relay { .. }) if attempt < HANDSHAKE_ATTEMPTS => attempt += 1,
            other => break other?,
        }
    };
    node.with_engine(move |s, _, _| {
        s.engine().set_hop_context(Some(hop));
        ((), Vec::new())
    })
    .await?;
    announce(node, relay, presence.0, presence.1).await?;
    Ok(hop)
}

/// The context of the handshake with the relay's `service` once it completes, at most
/// [`relay_wait`] later. A session a peer opened with the node meanwhile, or before (a
/// controller's, while the node was asked to change its relay), is not the relay's.
async fn relay_session<M: Driven>(
    node: &mut UdpNode<M>,
    relay: SocketAddr,
    service: String,
) -> Result<ContextId, AttachError> {
    let within = relay_wait_of(node).await?;
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let session = tokio::time::timeout(left, async {
            while let Some(event) = node.next_event().await {
                if let Event::Session { context, .. } = event {
                    return Some(context);
                }
            }
            None
        })
        .await;
        let context = match session {
            Ok(Some(context)) => context,
            Ok(None) => return Err(AttachError::Node(NodeError::Stopped)),
            Err(_) => {
                return Err(AttachError::Relay {
                    relay,
                    what: "EDHOC handshake",
                    within,
                })
            }
        };
        let service = service.clone();
        let with_relay = node
            .with_engine(move |s, _, _| {
                let peer = s.engine().contexts().get(context).map(|e| &e.peer.address);
                (peer == Some(&Some(service)), Vec::new())
            })
            .await?;
        if with_relay {
            return Ok(context);
        }
    }
}

/// Announces `state` under the hop context and waits for the relay's `presence_ack` to it. The
/// wait ends early when the engine gives the presence up (a run of losses longer than its
/// retransmissions, [IOTP-MSG-47]): what a device does then is its own (a sleeping one tries again
/// at its next wake-up).
pub async fn announce<M: Driven>(
    node: &mut UdpNode<M>,
    relay: SocketAddr,
    state: PresenceState,
    sleep: Option<u32>,
) -> Result<(), AttachError> {
    let within = relay_wait_of(node).await?;
    let deadline = tokio::time::Instant::now() + within;
    let sent = loop {
        let tried = node
            .with_engine(move |s, now, rng| {
                match s.engine().presence(now, rng, state, sleep, None) {
                    Ok((id, out)) => (Ok(id), out),
                    Err(e) => (Err(e), Vec::new()),
                }
            })
            .await?;
        match tried {
            Ok(id) => break id,
            // A request with the presence's `message_id` (unsealed, or sealed under another
            // context: they are counted apart) awaits its reply from the relay, or the table of
            // requests awaiting replies is full ([IOTP-MSG-107]); or the presence would wait its
            // turn in a queue whose room is kept for the replies the node owes ([IOTP-MSG-144]):
            // the presence waits until one is answered, acknowledged or given up.
            Err(SendError::Busy | SendError::QueueFull)
                if tokio::time::Instant::now() < deadline =>
            {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                wait_within(node, left.min(BUSY_RETRY), |e| {
                    matches!(
                        e,
                        Event::Reply { .. } | Event::Failed { .. } | Event::Acknowledged { .. }
                    )
                    .then_some(())
                })
                .await?;
            }
            Err(e) => return Err(AttachError::Engine(format!("the presence: {e:?}"))),
        }
    };
    // The acknowledgement of another presence, late or duplicated, is not this one's.
    let answered = wait_for(node, relay, "presence", |e| match e {
        Event::Reply {
            request,
            body: Body::PresenceAck(_),
            ..
        } if *request == sent => Some(Ok(())),
        // Unsealed (no context): the relay could not open the presence.
        Event::Reply {
            request,
            body: Body::Status(s),
            context: None,
            ..
        } if *request == sent && s.code == StatusCode::Unauthenticated => {
            Some(Err(AttachError::NoHopContext {
                relay,
                what: "presence",
            }))
        }
        Event::Failed { to, message_id } if *to == relay && *message_id == sent => {
            Some(Err(AttachError::Unacknowledged {
                relay,
                what: "presence",
            }))
        }
        _ => None,
    })
    .await?;
    answered
}

/// Waits for the event `pick` takes, at most [`relay_wait`]; other events pass.
pub async fn wait_for<M: Driven, T>(
    node: &mut UdpNode<M>,
    relay: SocketAddr,
    what: &'static str,
    pick: impl Fn(&Event<SocketAddr>) -> Option<T>,
) -> Result<T, AttachError> {
    let within = relay_wait_of(node).await?;
    wait_within(node, within, pick)
        .await?
        .ok_or(AttachError::Relay {
            relay,
            what,
            within,
        })
}

/// Waits for the event `pick` takes, at most `within` (`None` when it did not come); other events
/// pass.
pub async fn wait_within<M: Driven, T>(
    node: &mut UdpNode<M>,
    within: Duration,
    pick: impl Fn(&Event<SocketAddr>) -> Option<T>,
) -> Result<Option<T>, AttachError> {
    let found = tokio::time::timeout(within, async {
        while let Some(event) = node.next_event().await {
            if let Some(found) = pick(&event) {
                return Some(found);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(found)) => Ok(Some(found)),
        Ok(None) => Err(AttachError::Node(NodeError::Stopped)),
        Err(_) => Ok(None),
    }
}
