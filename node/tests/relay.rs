//! A home relay on a real loopback socket with its SQLite store, between an app and a sleeping sensor
//! of its domain, each a UDP node with a hop context with the relay: the app's sealed request is held
//! while the sensor sleeps; the relay is killed, started again from its store on the same port, and
//! delivers the request when the sensor wakes; the sensor's reply reaches the app. A device runs
//! EDHOC with a relay configured from its file and binds its hop; a hostile peer's random datagrams
//! hold nothing, move no hop and stop nothing. A batch of store changes that cannot be committed
//! lets no acknowledgement out, and the request is held when it comes again.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{
    announce, context, invoke, loopback, peer, relay_and_edhoc_node, response, TempDir,
    TEST_TIMEOUT,
};
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::PresenceState;
use iotp2p_node::relay::{RelaySetup, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::store::{
    Forwarding, Held, HeldMessage, HoldLimits, NewMessage, Quarantined, Registration, RelayStore,
    StoreError, StoredAdmin,
};
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::{Config, Destination, Event, Node};
use iotp2p_protocol::security::KeyId;

const DOMAIN: &str = "home.example.org";
const SERVICE: &str = "_relay@home.example.org";
const SENSOR: &str = "sensor@home.example.org";
const APP: &str = "app@home.example.org";

/// Starts the relay on `bind` from the store at `path`, with hop contexts with both nodes: the relay's
/// Sender IDs `ids.0` (sensor) and `ids.1` (app), the nodes' one less.
async fn start_relay(bind: SocketAddr, path: &std::path::Path, ids: (u8, u8)) -> UdpRelay {
    let store = Box::new(SqliteStore::open(path).unwrap());
    start_relay_on(bind, store, ids).await
}

/// The same, on `store`.
async fn start_relay_on(
    bind: SocketAddr,
    store: Box<dyn RelayStore + Send>,
    ids: (u8, u8),
) -> UdpRelay {
    let mut setup = RelaySetup::new(bind, DOMAIN);
    setup.addresses = vec![SENSOR.into(), APP.into()];
    let relay = UdpRelay::start(setup, store).await.unwrap();
    relay
        .with_relay(move |r, _, _| {
            let service = r.service_mut();
            service
                .add_context(context(ids.0, ids.0 - 1), peer(SENSOR))
                .unwrap();
            service
                .add_context(context(ids.1, ids.1 - 1), peer(APP))
                .unwrap();
            ((), Vec::new())
        })
        .await
        .unwrap();
    relay
}

/// A node of the relay's domain with an end-to-end context with `other` (Sender IDs `e2e`).
fn end_node(address: &str, e2e: (u8, u8), other: &str, relay: SocketAddr) -> Node<SocketAddr> {
    let mut node = Node::new(
        Config {
            address: Some(address.into()),
            ..Config::default()
        },
        0,
    );
    node.add_context(context(e2e.0, e2e.1), peer(other))
        .unwrap();
    node.set_home_relay(Some(relay));
    node
}

/// Gives `node` a new hop context with the relay (its Sender ID `own`, the relay's `own + 1`) and
/// announces `state`; waits for the relay's `presence_ack`.
async fn attach(node: &mut UdpNode, own: u8, state: PresenceState, sleep: Option<u32>) {
    node.with_engine(move |n, _, _| {
        let hop = n.add_context(context(own, own + 1), peer(SERVICE)).unwrap();
        n.set_hop_context(Some(hop));
        ((), Vec::new())
    })
    .await
    .unwrap();
    announce(node, state, sleep).await;
}

/// The app awake and the sensor asleep for 600 s, each bound at the relay under its first hop
/// context (Sender IDs 5 and 3), each with an end-to-end context with the other.
async fn app_and_sleeping_sensor(relay: SocketAddr) -> (UdpNode, UdpNode) {
    let mut app = UdpNode::start(
        UdpConfig::new(loopback()),
        end_node(APP, (1, 2), SENSOR, relay),
    )
    .await
    .unwrap();
    let mut sensor = UdpNode::start(
        UdpConfig::new(loopback()),
        end_node(SENSOR, (2, 1), APP, relay),
    )
    .await
    .unwrap();
    attach(&mut app, 5, PresenceState::Awake, None).await;
    attach(&mut sensor, 3, PresenceState::Asleep, Some(600)).await;
    (app, sensor)
}

/// The app's sealed, confirmable invoke 7 to the sensor through the relay at `relay`, under their
/// end-to-end context; returns its `message_id` once the relay acknowledged it.
async fn invoke_acknowledged(app: &mut UdpNode, relay: SocketAddr) -> u64 {
    let e2e = app
        .with_engine(|n, _, _| {
            (
                n.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap()),
                Vec::new(),
            )
        })
        .await
        .unwrap();
    let id = app
        .request(
            relay,
            Destination::Address(SENSOR.into()),
            e2e,
            invoke(7),
            true,
            Some(3600),
        )
        .await
        .unwrap();
    loop {
        match app.next_event().await {
            Some(Event::Acknowledged { message_id, .. }) if message_id == id => return id,
            Some(_) => {}
            None => panic!("the app stopped"),
        }
    }
}

#[tokio::test]
async fn a_relay_killed_while_it_holds_a_request_delivers_it_after_a_restart() {
    tokio::time::timeout(TEST_TIMEOUT, run()).await.unwrap();
}

async fn run() {
    let dir = TempDir::new("relay");
    let store = dir.0.join("relay.sqlite");

    let relay = start_relay(loopback(), &store, (4, 6)).await;
    let relay_addr = relay.local_addr();
    let (mut app, mut sensor) = app_and_sleeping_sensor(relay_addr).await;

    // The app's sealed invoke, held for the sleeping sensor and acknowledged by the relay.
    let id = invoke_acknowledged(&mut app, relay_addr).await;
    let held = relay
        .with_relay(|r, _, _| (r.held(SENSOR), Vec::new()))
        .await
        .unwrap();
    assert_eq!(held, 1);

    // Killed with the request held; started again from the same file on the same port.
    relay.kill().await;
    let relay = start_relay(relay_addr, &store, (8, 10)).await;
    let held = relay
        .with_relay(|r, _, _| (r.held(SENSOR), Vec::new()))
        .await
        .unwrap();
    assert_eq!(held, 1, "the store gave the held request back");

    // The nodes run new handshakes with the new process (here: new hop contexts) and bind again.
    attach(&mut app, 9, PresenceState::Awake, None).await;
    attach(&mut sensor, 7, PresenceState::Awake, Some(600)).await;
    let exchange = loop {
        match sensor.next_event().await {
            Some(Event::Request { exchange, body, .. }) => {
                assert_eq!(body, invoke(7));
                break exchange;
            }
            Some(_) => {}
            None => panic!("the sensor stopped"),
        }
    };
    sensor.reply(exchange, response(7)).await.unwrap();
    loop {
        match app.next_event().await {
            Some(Event::Reply { request, body, .. }) if request == id => {
                assert_eq!(body, response(7));
                break;
            }
            Some(_) => {}
            None => panic!("the app stopped"),
        }
    }
    // The sensor's receipt deletes it at the relay and in the store.
    for _ in 0..100 {
        let held = relay
            .with_relay(|r, _, _| (r.held(SENSOR), Vec::new()))
            .await
            .unwrap();
        if held == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut store = relay.stop(Duration::from_secs(5)).await.unwrap();
    assert!(store.held(SENSOR, 16).unwrap().is_empty());
    app.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_device_runs_edhoc_with_a_relay_configured_from_its_file_and_binds_its_hop() {
    tokio::time::timeout(TEST_TIMEOUT, edhoc_run())
        .await
        .unwrap();
}

async fn edhoc_run() {
    use iotp2p_protocol::engine::KnownPeer;

    let dir = TempDir::new("relay-edhoc");
    // The relay as its operator configures it: its identity and the sensor's credential.
    let (relay, relay_ccs, mut engine) = relay_and_edhoc_node(&dir.0, DOMAIN, SENSOR).await;
    let relay_addr = relay.local_addr();
    // The sensor holds the relay's credential (from its commissioning's RelayInfo) and runs EDHOC
    // with `_relay@home.example.org` by `kid`.
    engine.set_home_relay(Some(relay_addr));
    let mut sensor = UdpNode::start(UdpConfig::new(loopback()), engine)
        .await
        .unwrap();
    sensor
        .with_engine(move |n, now, rng| {
            let peer = KnownPeer {
                credential: relay_ccs,
                address: Some(SERVICE.into()),
                node: None,
            };
            let (_, out) = n
                .connect(now, rng, relay_addr, Destination::HopPeer, peer)
                .unwrap();
            ((), out)
        })
        .await
        .unwrap();
    let hop = loop {
        match sensor.next_event().await {
            Some(Event::Session { context, .. }) => break context,
            Some(_) => {}
            None => panic!("the sensor stopped"),
        }
    };
    // Its first sealed presence under the new hop context binds its hop at the relay.
    sensor
        .with_engine(move |n, now, rng| {
            n.set_hop_context(Some(hop));
            let (_, out) = n
                .presence(now, rng, PresenceState::Awake, None, None)
                .unwrap();
            ((), out)
        })
        .await
        .unwrap();
    loop {
        match sensor.next_event().await {
            Some(Event::Reply {
                body: Body::PresenceAck(_),
                context: Some(c),
                ..
            }) => {
                assert_eq!(c, hop);
                break;
            }
            Some(_) => {}
            None => panic!("the sensor stopped"),
        }
    }
    let local = sensor.local_addr();
    let bound = relay
        .with_relay(move |r, now, _| (r.bound(SENSOR, now).copied(), Vec::new()))
        .await
        .unwrap();
    assert_eq!(bound, Some(local));
    relay.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn hostile_datagrams_at_a_relay_hold_nothing_bind_nothing_and_stop_nothing() {
    tokio::time::timeout(TEST_TIMEOUT, hostile_run())
        .await
        .unwrap();
}

async fn hostile_run() {
    use rand_chacha::ChaCha8Rng;
    use rand_core::{RngCore, SeedableRng};

    let dir = TempDir::new("relay-hostile");
    let relay = start_relay(loopback(), &dir.0.join("relay.sqlite"), (4, 6)).await;
    let relay_addr = relay.local_addr();
    let (app, mut sensor) = app_and_sleeping_sensor(relay_addr).await;

    // A hostile peer: random datagrams of every length up to past MAX_MESSAGE, half of them starting
    // like an envelope (a CBOR map), so that they reach the relay's engine.
    let attacker = tokio::net::UdpSocket::bind(loopback()).await.unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(363);
    let before = relay.counts().received;
    // Paced, as for the node's hostile test: the test is about the relay, not what the kernel drops.
    for sent in 1..=2_000u64 {
        let len = (rng.next_u32() as usize) % 1_300;
        let mut bytes = vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        if sent % 2 == 0 && len > 0 {
            bytes[0] = 0xa0 | (bytes[0] & 0x1f);
        }
        attacker.send_to(&bytes, relay_addr).await.unwrap();
        while relay.counts().received + 32 < before + sent {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    while relay.counts().received < before + 2_000 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (sensor_addr, app_addr) = (sensor.local_addr(), app.local_addr());
    let (held, bound) = relay
        .with_relay(move |r, now, _| {
            let bound = (r.bound(SENSOR, now).copied(), r.bound(APP, now).copied());
            ((r.held(SENSOR) + r.held(APP), bound), Vec::new())
        })
        .await
        .unwrap();
    assert_eq!(held, 0, "nothing a stranger sent is held");
    assert_eq!(bound, (Some(sensor_addr), Some(app_addr)), "no hop moved");
    let counts = relay.counts();
    assert!(counts.refused + counts.discarded >= 1_000, "{counts:?}");

    // The relay still serves its nodes: the app's request is held, then delivered when the sensor
    // wakes.
    let e2e = app
        .with_engine(|n, _, _| {
            (
                n.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap()),
                Vec::new(),
            )
        })
        .await
        .unwrap();
    app.request(
        relay_addr,
        Destination::Address(SENSOR.into()),
        e2e,
        invoke(9),
        true,
        Some(600),
    )
    .await
    .unwrap();
    announce(&mut sensor, PresenceState::Awake, Some(600)).await;
    loop {
        match sensor.next_event().await {
            Some(Event::Request { body, .. }) => {
                assert_eq!(body, invoke(9));
                break;
            }
            Some(_) => {}
            None => panic!("the sensor stopped"),
        }
    }
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

/// A SQLite store whose next `failures` batches fail to commit (rolled back), as a full or failing
/// disk would make them.
struct FailingCommits {
    inner: SqliteStore,
    path: std::path::PathBuf,
    failures: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl RelayStore for FailingCommits {
    fn begin_batch(&mut self) -> Result<(), StoreError> {
        self.inner.begin_batch()
    }
    fn end_batch(&mut self) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering;
        let fail = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if !fail {
            return self.inner.end_batch();
        }
        // Undone, as SQLite undoes a transaction whose commit fails: the connection closed with
        // the batch open rolls it back (and gives up its lock before the file is opened again).
        drop(std::mem::replace(
            &mut self.inner,
            SqliteStore::in_memory()?,
        ));
        self.inner = SqliteStore::open(&self.path)?;
        Err(StoreError::Invalid {
            what: "batch",
            why: "the test's disk refused it".into(),
        })
    }
    fn register(&mut self, r: &Registration) -> Result<Option<Registration>, StoreError> {
        self.inner.register(r)
    }
    fn registration(&mut self, address: &str) -> Result<Option<Registration>, StoreError> {
        self.inner.registration(address)
    }
    fn release(&mut self, address: &str) -> Result<bool, StoreError> {
        self.inner.release(address)
    }
    fn registrations(
        &mut self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Registration>, StoreError> {
        self.inner.registrations(account, after, limit)
    }
    fn every_registration(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Registration>, StoreError> {
        self.inner.every_registration(after, limit)
    }
    fn enrol(
        &mut self,
        account: &str,
        node: [u8; 32],
        credential: &[u8],
        token: &[u8],
    ) -> Result<(), StoreError> {
        self.inner.enrol(account, node, credential, token)
    }
    fn unenrol(&mut self, node: [u8; 32]) -> Result<bool, StoreError> {
        self.inner.unenrol(node)
    }
    fn admins(
        &mut self,
        after: Option<[u8; 32]>,
        limit: usize,
    ) -> Result<Vec<StoredAdmin>, StoreError> {
        self.inner.admins(after, limit)
    }
    fn token_used(&mut self, token: &[u8]) -> Result<bool, StoreError> {
        self.inner.token_used(token)
    }
    fn quarantine(&mut self, q: &Quarantined) -> Result<(), StoreError> {
        self.inner.quarantine(q)
    }
    fn quarantined(
        &mut self,
        now: u64,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Quarantined>, StoreError> {
        self.inner.quarantined(now, after, limit)
    }
    fn hold(&mut self, m: &NewMessage<'_>, limits: HoldLimits) -> Result<Held, StoreError> {
        self.inner.hold(m, limits)
    }
    fn held(&mut self, recipient: &str, limit: usize) -> Result<Vec<HeldMessage>, StoreError> {
        self.inner.held(recipient, limit)
    }
    fn remove(&mut self, recipient: &str, ids: &[u64]) -> Result<usize, StoreError> {
        self.inner.remove(recipient, ids)
    }
    fn outbox(&mut self, after: Option<u64>, limit: usize) -> Result<Vec<HeldMessage>, StoreError> {
        self.inner.outbox(after, limit)
    }
    fn sent(&mut self, id: u64) -> Result<bool, StoreError> {
        self.inner.sent(id)
    }
    fn forwarding(
        &mut self,
        domain: &str,
        envelope: &[u8],
        received_at: u64,
    ) -> Result<u64, StoreError> {
        self.inner.forwarding(domain, envelope, received_at)
    }
    fn retry_forwarding(&mut self, id: u64, failed: u32, next: u64) -> Result<bool, StoreError> {
        self.inner.retry_forwarding(id, failed, next)
    }
    fn forwardings(
        &mut self,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Forwarding>, StoreError> {
        self.inner.forwardings(after, limit)
    }
    fn forwarded(&mut self, id: u64) -> Result<bool, StoreError> {
        self.inner.forwarded(id)
    }
    fn expired(&mut self, now: u64, limit: usize) -> Result<Vec<HeldMessage>, StoreError> {
        self.inner.expired(now, limit)
    }
}

#[tokio::test]
async fn a_batch_the_store_cannot_commit_lets_no_acknowledgement_out() {
    tokio::time::timeout(TEST_TIMEOUT, failed_commit_run())
        .await
        .unwrap();
}

async fn failed_commit_run() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let dir = TempDir::new("relay-commit");
    let failures = std::sync::Arc::new(AtomicUsize::new(0));
    let path = dir.0.join("relay.sqlite");
    let store = FailingCommits {
        inner: SqliteStore::open(&path).unwrap(),
        path,
        failures: failures.clone(),
    };
    let relay = start_relay_on(loopback(), Box::new(store), (4, 6)).await;
    let relay_addr = relay.local_addr();
    let (mut app, sensor) = app_and_sleeping_sensor(relay_addr).await;
    // The batch that holds the request fails: no acknowledgement leaves, and the relay holds
    // nothing; the app's retransmission (after ACK_TIMEOUT at least) is held and acknowledged.
    failures.store(1, Ordering::SeqCst);
    let sent = std::time::Instant::now();
    invoke_acknowledged(&mut app, relay_addr).await;
    assert_eq!(failures.load(Ordering::SeqCst), 0, "a batch failed");
    let ack_timeout = Duration::from_millis(Config::default().timing.ack_timeout);
    assert!(
        sent.elapsed() >= ack_timeout,
        "acknowledged after {:?}, before any retransmission: the failed batch let it out",
        sent.elapsed()
    );
    assert_eq!(relay.counts().store_errors, 1);
    let held = relay
        .with_relay(|r, _, _| (r.held(SENSOR), Vec::new()))
        .await
        .unwrap();
    assert_eq!(held, 1, "held once, when it came again");
    let mut store = relay.stop(Duration::from_secs(5)).await.unwrap();
    assert_eq!(store.held(SENSOR, 16).unwrap().len(), 1);
    app.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
}
