//! What the node's integration tests share: two engines with a shared security context (as the
//! protocol crate's own tests set them up), numbered invoke requests and their replies, and a bound
//! on how long any test may run.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use iotp2p_codec::core::owned::{Body, InvokeRequest, InvokeResponse};
use iotp2p_codec::core::PresenceState;
use iotp2p_node::udp::UdpNode;
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Event, Node};
use iotp2p_protocol::params::Timing;
use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};

/// The longest any test may take before it fails (and its tasks are stopped).
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The loopback address with any free port.
pub fn loopback() -> SocketAddr {
    (std::net::Ipv4Addr::LOCALHOST, 0).into()
}

/// How long an acknowledgement waits for the reply to carry it ([IOTP-MSG-44]). The engine sends a
/// reply non-confirmable, so a reply that follows a separate acknowledgement and is lost is never
/// recovered (the request is no longer retransmitted); these tests' applications answer at once, and
/// the window lets every reply carry its acknowledgement.
pub const PIGGYBACK_WINDOW: u64 = 50;

const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

pub const APP: &str = "app@example.com";
pub const LAMP: &str = "lamp@home.example.org";

/// The context of the node whose Sender ID is `sender`, with the peer whose Sender ID is `recipient`.
pub fn context(sender: u8, recipient: u8) -> SecurityContext {
    SecurityContext::derive(
        MasterSecret {
            secret: &SECRET,
            salt: &SALT,
        },
        KeyId::new(&[sender]).unwrap(),
        KeyId::new(&[recipient]).unwrap(),
    )
}

/// An engine with its address, the given timing, and a context with `peer` (its own Sender ID is
/// `sender`, the peer's `recipient`).
pub fn engine(
    address: &str,
    timing: Timing,
    peer: &str,
    sender: u8,
    recipient: u8,
) -> (Node<SocketAddr>, ContextId) {
    let mut node = Node::new(
        Config {
            address: Some(address.into()),
            timing,
            piggyback_window: PIGGYBACK_WINDOW,
            ..Config::default()
        },
        0,
    );
    let id = node
        .add_context(
            context(sender, recipient),
            Peer {
                address: Some(peer.into()),
                kind: ContextKind::Ordinary,
                node: None,
            },
        )
        .unwrap();
    (node, id)
}

/// The app's and the lamp's engines, sharing one context.
pub fn pair(timing: Timing) -> ((Node<SocketAddr>, ContextId), (Node<SocketAddr>, ContextId)) {
    (
        engine(APP, timing, LAMP, 1, 2),
        engine(LAMP, timing, APP, 2, 1),
    )
}

/// An invoke whose input carries `n` (a CBOR unsigned integer), so that each request is told apart.
pub fn invoke(n: u32) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 7,
        action: 8,
        input: Some(number(n)),
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// The reply to `invoke(n)`: the same number back.
pub fn response(n: u32) -> Body {
    Body::InvokeResponse(InvokeResponse {
        output: Some(number(n)),
        unknown_fields: Default::default(),
    })
}

fn number(n: u32) -> Vec<u8> {
    let mut v = vec![0x1a];
    v.extend_from_slice(&n.to_be_bytes());
    v
}

/// The number an `invoke` carries.
pub fn number_of(body: &Body) -> Option<u32> {
    match body {
        Body::Invoke(InvokeRequest {
            input: Some(input), ..
        }) if input.len() == 5 && input[0] == 0x1a => {
            Some(u32::from_be_bytes(input[1..].try_into().ok()?))
        }
        _ => None,
    }
}

/// A directory removed when the test ends, however it ends.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A new, empty directory under the system's temporary directory, named for `what` and this
    /// process (what an earlier run of the same process ID left there is removed).
    pub fn new(what: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("iotp2p-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An EDHOC identity from the P-256 key `secret`, and its credential (a CCS naming the node ID
/// `[owner; 32]`, with key identifier `kid`).
pub fn identity(
    secret: [u8; 32],
    owner: u8,
    kid: u8,
) -> (iotp2p_protocol::security::edhoc::LocalIdentity, Vec<u8>) {
    use iotp2p_protocol::security::edhoc::{AuthKey, Credential, LocalIdentity};
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let key = p256::SecretKey::from_bytes(&secret.into()).unwrap();
    let point = key.public_key().to_encoded_point(false);
    let ccs = iotp2p_protocol::security::statement::ccs::p256_credential(
        &iotp2p_protocol::security::NodeId::from_bytes([owner; 32]),
        &[kid],
        point.x().unwrap().as_slice().try_into().unwrap(),
        point.y().unwrap().as_slice().try_into().unwrap(),
    )
    .unwrap();
    let id = LocalIdentity::new(
        AuthKey::new(&secret).unwrap(),
        Credential::parse(&ccs).unwrap(),
    )
    .unwrap();
    (id, ccs)
}

/// A relay of `domain` on a loopback port as its operator configures it from its file in `dir`: its
/// identity and the credential of the one node it serves, `node`, which runs EDHOC with it. Gives
/// the relay, the relay's credential (as the node got it at commissioning) and the node's engine,
/// with its identity and the relay as its home relay unset.
pub async fn relay_and_edhoc_node(
    dir: &std::path::Path,
    domain: &str,
    node: &str,
) -> (iotp2p_node::relay::UdpRelay, Vec<u8>, Node<SocketAddr>) {
    use iotp2p_node::relay::{RelayFile, UdpRelay};
    use iotp2p_node::store::sqlite::SqliteStore;
    use iotp2p_protocol::engine::{EdhocResponder, MIN_PENDING_LIFETIME};

    let relay_secret = [0x21; 32];
    let (_, relay_ccs) = identity(relay_secret, 0xaa, 1);
    let (node_id, node_ccs) = identity([0x42; 32], 0xbb, 2);
    let text = format!(
        "domain = \"{domain}\"\nbind = \"127.0.0.1:0\"\nstore = \"relay.sqlite\"\n\
         addresses = [\"{node}\"]\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
         [credentials]\n\"{node}\" = \"{}\"\n",
        hex(&relay_secret),
        hex(&relay_ccs),
        hex(&node_ccs)
    );
    let file = RelayFile::parse("relay.toml", &text, dir).unwrap();
    let store = Box::new(SqliteStore::open(&file.store).unwrap());
    let relay = UdpRelay::start(file.setup, store).await.unwrap();
    let mut engine = Node::new(
        Config {
            address: Some(node.into()),
            ..Config::default()
        },
        0,
    );
    // Its own identity, which its handshakes authenticate it by.
    engine.set_edhoc_responder(Some(EdhocResponder {
        identity: node_id,
        peers: Vec::new(),
        max_pending: 1,
        pending_lifetime: MIN_PENDING_LIFETIME,
        max_visitors: 1,
        max_visitor_sources: 8,
    }));
    (relay, relay_ccs, engine)
}

/// Lowercase hex, as configuration files take bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A node's keys as a factory makes them: an identity key (its node ID) from `identity`, and an EDHOC
/// authentication key from `auth` with its credential (a CCS naming that node ID, key identifier
/// `kid`).
pub struct Keys {
    pub identity: iotp2p_protocol::security::IdentityKey,
    pub auth: [u8; 32],
    pub ccs: Vec<u8>,
}

impl Keys {
    pub fn new(identity: u8, auth: u8, kid: u8) -> Keys {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let identity = iotp2p_protocol::security::IdentityKey::from_bytes(&[identity; 32]).unwrap();
        let point = p256::SecretKey::from_bytes(&[auth; 32].into())
            .unwrap()
            .public_key()
            .to_encoded_point(false);
        let ccs = iotp2p_protocol::security::statement::ccs::p256_credential(
            &identity.node_id(),
            &[kid],
            point.x().unwrap().as_slice().try_into().unwrap(),
            point.y().unwrap().as_slice().try_into().unwrap(),
        )
        .unwrap();
        Keys {
            identity,
            auth: [auth; 32],
            ccs,
        }
    }

    /// The EDHOC identity.
    pub fn local(&self) -> iotp2p_protocol::security::edhoc::LocalIdentity {
        use iotp2p_protocol::security::edhoc::{AuthKey, Credential, LocalIdentity};
        LocalIdentity::new(
            AuthKey::new(&self.auth).unwrap(),
            Credential::parse(&self.ccs).unwrap(),
        )
        .unwrap()
    }

    /// The credential statement naming `address` (an encoded `SignedStatement`).
    pub fn statement(&self, address: &str) -> Vec<u8> {
        iotp2p_protocol::security::statement::sign_own_credential(
            &self.identity,
            &self.ccs,
            Some(address),
            1,
        )
        .unwrap()
    }
}

/// An ordinary context's peer at `address`.
pub fn peer(address: &str) -> Peer {
    Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

/// `node` announces `state` under its hop context; waits for the relay's `presence_ack`.
pub async fn announce(node: &mut UdpNode, state: PresenceState, sleep: Option<u32>) {
    node.with_engine(move |n, now, rng| {
        let (_, out) = n.presence(now, rng, state, sleep, None).unwrap();
        ((), out)
    })
    .await
    .unwrap();
    loop {
        match node.next_event().await {
            Some(Event::Reply {
                body: Body::PresenceAck(_),
                ..
            }) => return,
            Some(_) => {}
            None => panic!("the node stopped"),
        }
    }
}

/// An app at `address` attached to the relay at `at` (whose keys are `relay`), with its keys `me`
/// and its identity key of 32 bytes `key`.
pub async fn app(
    address: &str,
    at: std::net::SocketAddr,
    relay: &Keys,
    me: &Keys,
    key: u8,
) -> iotp2p_node::app::UdpApp {
    let text = format!(
        "address = \"{address}\"\nbind = \"127.0.0.1:0\"\nhome_relay = \"{at}\"\n\
         relay_credential = \"{}\"\nidentity_key = \"{}\"\n\n[identity]\nkey = \"{}\"\n\
         credential = \"{}\"\n",
        hex(&relay.ccs),
        hex(&[key; 32]),
        hex(&me.auth),
        hex(&me.ccs),
    );
    let file = iotp2p_node::app::AppFile::parse("app.toml", &text).unwrap();
    iotp2p_node::app::UdpApp::start(file.setup).await.unwrap()
}

/// A lamp out of its box on loopback, waiting to be claimed with the printed passcode 20202021:
/// its identity key of 32 bytes 0x32 and its EDHOC identity `keys`.
pub async fn lamp_out_of_its_box(keys: &Keys) -> iotp2p_node::device::UdpDevice {
    use iotp2p_node::device::{DeviceFile, ProfileKind, UdpDevice};
    let text = format!(
        "bind = \"127.0.0.1:0\"\n\n[factory]\nidentity_key = \"{}\"\npasscode = 20202021\n\n\
         [identity]\nkey = \"{}\"\ncredential = \"{}\"\n",
        hex(&[0x32; 32]),
        hex(&keys.auth),
        hex(&keys.ccs),
    );
    let file = DeviceFile::parse("lamp.toml", &text).unwrap();
    UdpDevice::start(file.setup(ProfileKind::Lamp).unwrap())
        .await
        .unwrap()
}

/// A proxy in front of `target`: what a node sends to the proxy goes on to `target` but the first
/// `drop_to` datagrams, and what `target` sends back goes to that node but the first `drop_from`.
/// Gives the proxy's address, its task (to abort), and the count of datagrams dropped.
#[allow(dead_code)]
pub async fn dropping_proxy(
    target: std::net::SocketAddr,
    drop_to: usize,
    drop_from: usize,
) -> (
    std::net::SocketAddr,
    tokio::task::JoinHandle<()>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::net::UdpSocket;
    let front = UdpSocket::bind(loopback()).await.unwrap();
    let back = UdpSocket::bind(loopback()).await.unwrap();
    let at = front.local_addr().unwrap();
    let dropped = std::sync::Arc::new(AtomicUsize::new(0));
    let count = dropped.clone();
    let task = tokio::spawn(async move {
        let mut node: Option<std::net::SocketAddr> = None;
        let (mut a, mut b) = ([0u8; 2048], [0u8; 2048]);
        let (mut to_left, mut from_left) = (drop_to, drop_from);
        // Bounded: a test's few exchanges take far fewer datagrams.
        for _ in 0..1_000 {
            tokio::select! {
                r = front.recv_from(&mut a) => {
                    let Ok((n, from)) = r else { return };
                    node = Some(from);
                    if to_left > 0 {
                        to_left -= 1;
                        count.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let _ = back.send_to(&a[..n], target).await;
                }
                r = back.recv_from(&mut b) => {
                    let Ok((n, _)) = r else { return };
                    if from_left > 0 {
                        from_left -= 1;
                        count.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    if let Some(to) = node {
                        let _ = front.send_to(&b[..n], to).await;
                    }
                }
            }
        }
    });
    (at, task, dropped)
}
