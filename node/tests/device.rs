//! Devices on real loopback sockets, each started from its configuration file and attached to a home
//! relay started from its own: the device runs EDHOC with the relay, binds its hop with a sealed
//! presence, and answers an app that ran EDHOC with it by address through the relay. The lamp is
//! switched and dimmed; a request for the sleeping sensor is held until it wakes, or answered
//! expired when its ttl passes first and never delivered, and still delivered after the relay was
//! killed and restarted from its store (the sensor runs EDHOC with it again); the lock asks for
//! freshness before it moves. A lamp out of its box is claimed by an app on its link and then
//! reached through its relay; its owner grants an app of another provider access, which then
//! switches it through both providers' relays, and only within its grant. A subscriber hears each
//! wake of the sleeping sensor; commands through a lossy link run exactly once.

mod common;
#[path = "../examples/pki/mod.rs"]
mod pki;

use std::net::SocketAddr;
use std::time::Duration;

use common::{hex, loopback, Keys, TempDir, TEST_TIMEOUT};
use iotp2p_codec::capabilities::owned::SetLevel;
use iotp2p_codec::core::owned::{Body, InvokeRequest, ReadRequest};
use iotp2p_codec::core::{PresenceState, StatusCode};
use iotp2p_codec::prelude::*;
use iotp2p_device::profile::Profile;
use iotp2p_node::app::AppFile;
use iotp2p_node::device::{DeviceFile, ProfileKind, UdpDevice};
use iotp2p_node::relay::{RelayFile, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::store::RelayStore;
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{Config, Destination, EdhocResponder, Event, KnownPeer, Node};

const DOMAIN: &str = "home.example.org";
const SERVICE: &str = "_relay@home.example.org";
const DEVICE: &str = "device@home.example.org";
const APP: &str = "app@home.example.org";

/// The keys of the relay, the device and the app.
struct Identities {
    relay: Keys,
    device: Keys,
    app: Keys,
}

fn identities() -> Identities {
    Identities {
        relay: Keys::new(0x31, 0x21, 1),
        device: Keys::new(0x32, 0x42, 2),
        app: Keys::new(0x33, 0x63, 3),
    }
}

/// The relay as its operator configures it: serving the device and the app, with their credentials.
async fn relay(dir: &TempDir, ids: &Identities) -> UdpRelay {
    relay_with(dir, ids, |_| {}).await
}

/// The relay of [`relay`], its setup changed by `adjust` before it starts.
async fn relay_with(
    dir: &TempDir,
    ids: &Identities,
    adjust: impl FnOnce(&mut iotp2p_node::relay::RelaySetup),
) -> UdpRelay {
    let text = format!(
        "domain = \"{DOMAIN}\"\nbind = \"127.0.0.1:0\"\nstore = \"relay.sqlite\"\n\
         addresses = [\"{DEVICE}\", \"{APP}\"]\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
         [credentials]\n\"{DEVICE}\" = \"{}\"\n\"{APP}\" = \"{}\"\n",
        hex(&ids.relay.auth),
        hex(&ids.relay.ccs),
        hex(&ids.device.ccs),
        hex(&ids.app.ccs),
    );
    let mut file = RelayFile::parse("relay.toml", &text, &dir.0).unwrap();
    adjust(&mut file.setup);
    let store = Box::new(SqliteStore::open(&file.store).unwrap());
    UdpRelay::start(file.setup, store).await.unwrap()
}

/// The device as its owner configures it: its relay, its identity, the app that may talk to it.
async fn device(kind: ProfileKind, relay: SocketAddr, ids: &Identities) -> UdpDevice {
    UdpDevice::start(device_file(relay, ids, "").setup(kind).unwrap())
        .await
        .unwrap()
}

/// The device's configuration file, with `extra` top-level lines.
fn device_file(relay: SocketAddr, ids: &Identities, extra: &str) -> DeviceFile {
    DeviceFile::parse("device.toml", &device_text(relay, ids, extra)).unwrap()
}

/// The text of [`device_file`].
fn device_text(relay: SocketAddr, ids: &Identities, extra: &str) -> String {
    format!(
        "address = \"{DEVICE}\"\nbind = \"127.0.0.1:0\"\nhome_relay = \"{relay}\"\n\
         relay_credential = \"{}\"\nsleep_interval = 600\n{extra}\n[identity]\nkey = \"{}\"\n\
         credential = \"{}\"\n\n[peers]\n\"{APP}\" = \"{}\"\n\n[info]\nproduct = \"Test device\"\n",
        hex(&ids.relay.ccs),
        hex(&ids.device.auth),
        hex(&ids.device.ccs),
        hex(&ids.app.ccs),
    )
}

/// The next event `pick` takes; others pass.
async fn next<T>(node: &mut UdpNode, pick: impl Fn(Event<std::net::SocketAddr>) -> Option<T>) -> T {
    loop {
        let event = node.next_event().await.expect("the app runs");
        if let Some(found) = pick(event) {
            return found;
        }
    }
}

/// Runs EDHOC with `address`'s credential `credential`, through `to`; the new context.
async fn connect(
    app: &mut UdpNode,
    to: SocketAddr,
    credential: Vec<u8>,
    address: &'static str,
    destination: Destination,
) -> ContextId {
    app.with_engine(move |n, now, rng| {
        let peer = KnownPeer {
            credential,
            address: Some(address.into()),
            node: None,
        };
        let (_, out) = n.connect(now, rng, to, destination, peer).unwrap();
        ((), out)
    })
    .await
    .unwrap();
    next(app, |e| match e {
        Event::Session { context, .. } => Some(context),
        _ => None,
    })
    .await
}

/// An app of the relay's domain, attached to it: EDHOC with the relay and a presence.
async fn attached_app(relay: SocketAddr, ids: &Identities) -> UdpNode {
    let mut engine = Node::new(
        Config {
            address: Some(APP.into()),
            ..Config::default()
        },
        0,
    );
    engine.set_home_relay(Some(relay));
    engine.set_edhoc_responder(Some(EdhocResponder {
        identity: ids.app.local(),
        peers: Vec::new(),
        max_pending: 2,
        pending_lifetime: iotp2p_protocol::engine::MIN_PENDING_LIFETIME,
        max_visitors: 1,
        max_visitor_sources: 8,
    }));
    let mut app = UdpNode::start(UdpConfig::new(loopback()), engine)
        .await
        .unwrap();
    attach_app(&mut app, relay, ids).await;
    app
}

/// The app runs EDHOC with the relay and announces itself awake under the new hop context.
async fn attach_app(app: &mut UdpNode, relay: SocketAddr, ids: &Identities) {
    iotp2p_node::attach::attach(
        app,
        APP,
        relay,
        ids.relay.ccs.clone(),
        (PresenceState::Awake, None),
    )
    .await
    .unwrap();
}

/// The app attached to the relay, and its context with the device from EDHOC by the device's address
/// through the relay.
async fn app(relay: SocketAddr, ids: &Identities) -> (UdpNode, ContextId) {
    let mut app = attached_app(relay, ids).await;
    let context = connect(
        &mut app,
        relay,
        ids.device.ccs.clone(),
        DEVICE,
        Destination::Address(DEVICE.into()),
    )
    .await;
    (app, context)
}

/// Sends `body` to the device under `context` and waits for the reply.
async fn ask(app: &mut UdpNode, relay: SocketAddr, context: ContextId, body: Body) -> Body {
    let id = app
        .request(
            relay,
            Destination::Address(DEVICE.into()),
            Some(context),
            body,
            true,
            None,
        )
        .await
        .unwrap();
    next(app, |e| match e {
        Event::Reply { request, body, .. } if request == id => Some(body),
        _ => None,
    })
    .await
}

fn invoke(endpoint: u16, capability: u16, action: u16, input: Option<Vec<u8>>) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint,
        capability,
        action,
        input,
        echo: None,
        unknown_fields: Default::default(),
    })
}

#[tokio::test]
async fn an_app_switches_and_dims_a_lamp_attached_to_its_relay() {
    tokio::time::timeout(TEST_TIMEOUT, lamp_run())
        .await
        .unwrap();
}

async fn lamp_run() {
    let dir = TempDir::new("device-lamp");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let at = relay.local_addr();
    let lamp = device(ProfileKind::Lamp, at, &ids).await;
    let (mut app, context) = app(at, &ids).await;

    let reply = ask(&mut app, at, context, invoke(1, 6, 9, None)).await;
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    let level = SetLevel {
        level: 120,
        transition: Some(5),
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap();
    let reply = ask(&mut app, at, context, invoke(1, 7, 8, Some(level))).await;
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    let light = lamp
        .with_profile(|p| match p {
            Profile::Lamp(l) => l.light(),
            _ => unreachable!(),
        })
        .await
        .unwrap();
    assert_eq!((light.on, light.level, light.transition), (true, 120, 5));

    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_lamp_announces_itself_again_every_presence_interval() {
    tokio::time::timeout(TEST_TIMEOUT, keep_bound_run())
        .await
        .unwrap();
}

async fn keep_bound_run() {
    // [IOTP-SEC-173]: a device that stays awake announces itself before its relay would unbind its
    // hop (and after a failed delivery, its relay waits for it, [IOTP-DLV-137]).
    let dir = TempDir::new("device-keep-bound");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let at = relay.local_addr();
    let file = device_file(at, &ids, "presence_interval = 1\n");
    let mut lamp = UdpDevice::start(file.setup(ProfileKind::Lamp).unwrap())
        .await
        .unwrap();
    assert!(!lamp.keep_bound().await.unwrap(), "not due yet");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let sent = lamp.counts().sent;
    assert!(
        lamp.keep_bound().await.unwrap(),
        "due: announced, and the relay acknowledged it"
    );
    assert!(lamp.counts().sent > sent);
    assert!(!lamp.keep_bound().await.unwrap(), "not due again at once");

    let text = device_text(at, &ids, "presence_interval = 900\n");
    let refused = DeviceFile::parse("device.toml", &text)
        .err()
        .unwrap()
        .to_string();
    assert!(
        refused.contains("device.toml:6:21: presence_interval: 900 s is not below HOP_BINDING_MIN"),
        "{refused}"
    );

    lamp.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_read_for_a_sleeping_sensor_is_answered_when_it_wakes() {
    tokio::time::timeout(TEST_TIMEOUT, sensor_run())
        .await
        .unwrap();
}

/// The relay, the sensor attached to it and asleep, and an app that ran EDHOC with the sensor,
/// with their context.
async fn sleeping_sensor(dir: &TempDir) -> (UdpRelay, UdpDevice, UdpNode, ContextId) {
    let ids = identities();
    let relay = relay(dir, &ids).await;
    let at = relay.local_addr();
    let mut sensor = device(ProfileKind::Sensor, at, &ids).await;
    // The EDHOC handshake reaches a sleeping sensor only when it wakes: it wakes for it.
    sensor.wake().await.unwrap();
    let (app, context) = app(at, &ids).await;
    sensor.sleep().await.unwrap();
    (relay, sensor, app, context)
}

/// Sends the sensor a read of its temperature (endpoint 1, capability 9, member 0) through
/// `relay`, under `context`, with `ttl`; returns its message ID.
async fn read_temperature(
    app: &UdpNode,
    relay: SocketAddr,
    context: ContextId,
    ttl: Option<u32>,
) -> u64 {
    let read = Body::Read(ReadRequest {
        endpoint: 1,
        capability: 9,
        members: Some(vec![0]),
        unknown_fields: Default::default(),
    });
    let to = Destination::Address(DEVICE.into());
    app.request(relay, to, Some(context), read, true, ttl)
        .await
        .unwrap()
}

async fn sensor_run() {
    let dir = TempDir::new("device-sensor");
    let (relay, mut sensor, mut app, context) = sleeping_sensor(&dir).await;
    let at = relay.local_addr();
    let id = read_temperature(&app, at, context, None).await;
    // Held at the relay while the sensor sleeps: nothing comes back yet.
    let early = tokio::time::timeout(Duration::from_millis(500), async {
        next(&mut app, |e| match e {
            Event::Reply { request, .. } if request == id => Some(()),
            _ => None,
        })
        .await
    })
    .await;
    assert!(early.is_err(), "answered while the sensor slept");

    sensor
        .with_profile(|p| {
            if let Profile::Sensor(s, _) = p {
                s.measured(2150);
            }
        })
        .await
        .unwrap();
    sensor.wake().await.unwrap();
    let reply = next(&mut app, |e| match e {
        Event::Reply { request, body, .. } if request == id => Some(body),
        _ => None,
    })
    .await;
    let Body::Report(report) = reply else {
        panic!("{reply:?}")
    };
    let values = report.values.expect("the temperature");
    assert_eq!(values[0].value, [0x19, 0x08, 0x66]);

    app.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_read_held_past_its_ttl_is_answered_expired_and_never_delivered() {
    tokio::time::timeout(TEST_TIMEOUT, expiry_run())
        .await
        .unwrap();
}

/// A request for the sleeping sensor with a ttl of one second: the relay holds it, and when the
/// ttl passes it deletes it from its store and tells the app, sealed under its hop context, that
/// the request expired (§3.7, §3.8); the sensor, waking later, is not given it.
async fn expiry_run() {
    let dir = TempDir::new("device-expiry");
    let (relay, mut sensor, mut app, context) = sleeping_sensor(&dir).await;
    let at = relay.local_addr();
    let sent = std::time::Instant::now();
    let id = read_temperature(&app, at, context, Some(1)).await;
    let (status, sealed) = next(&mut app, |e| match e {
        Event::Reply {
            request,
            body: Body::Status(s),
            context,
            ..
        } if request == id => Some((s, context.is_some())),
        _ => None,
    })
    .await;
    assert_eq!(status.code, StatusCode::Expired);
    assert_eq!(status.recipient.as_deref(), Some(DEVICE));
    assert!(sealed, "the status is sealed under the app's hop context");
    assert!(
        sent.elapsed() >= Duration::from_secs(1),
        "expired before its ttl passed: {:?}",
        sent.elapsed()
    );
    let held = relay
        .with_relay(|r, _, _| (r.held(DEVICE), Vec::new()))
        .await
        .unwrap();
    assert_eq!(held, 0, "the relay holds nothing more for the sensor");

    // The sensor wakes: nothing is delivered, so nothing answers the app.
    sensor.wake().await.unwrap();
    let late = tokio::time::timeout(Duration::from_millis(700), async {
        next(&mut app, |e| match e {
            Event::Reply { request, body, .. } if request == id => Some(body),
            _ => None,
        })
        .await
    })
    .await;
    assert!(
        late.is_err(),
        "the expired read reached the sensor: {late:?}"
    );

    app.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
    let mut store = SqliteStore::open(&dir.0.join("relay.sqlite")).unwrap();

    assert!(
        store.held(DEVICE, 16).unwrap().is_empty(),
        "deleted from the store too"
    );
}

#[tokio::test]
async fn a_relay_restarted_while_it_holds_a_read_delivers_it_when_the_sensor_wakes() {
    tokio::time::timeout(TEST_TIMEOUT, restart_run())
        .await
        .unwrap();
}

/// What `relay` holds for the device.
async fn held(relay: &UdpRelay) -> usize {
    relay
        .with_relay(|r, _, _| (r.held(DEVICE), Vec::new()))
        .await
        .unwrap()
}

/// The relay is killed while it holds a read for the sleeping sensor, and started again from its
/// file and its store on the same port: it has the read, and no hop context any more. The sensor,
/// waking, finds its sealed presence answered `Unauthenticated`, runs EDHOC with the relay again and
/// announces itself under the new context; the relay delivers the read, and the app, attached
/// again, has the answer.
async fn restart_run() {
    let dir = TempDir::new("device-restart");
    let ids = identities();
    let (relay, mut sensor, app, context) = sleeping_sensor(&dir).await;
    let at = relay.local_addr();
    let mut app = app;
    let id = read_temperature(&app, at, context, None).await;
    next(&mut app, |e| match e {
        Event::Acknowledged { message_id, .. } if message_id == id => Some(()),
        _ => None,
    })
    .await;
    relay.kill().await;
    let relay = relay_with(&dir, &ids, |setup| setup.bind = at).await;
    // The read, acknowledged, was stored (the app's handshake with the sensor, held too while it
    // slept, may or may not have been stored yet).
    assert!(held(&relay).await >= 1, "the store gave the read back");

    attach_app(&mut app, at, &ids).await;
    sensor.wake().await.unwrap();
    let reply = next(&mut app, |e| match e {
        Event::Reply { request, body, .. } if request == id => Some(body),
        _ => None,
    })
    .await;
    assert!(matches!(reply, Body::Report(_)), "{reply:?}");

    app.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_lock_moves_only_on_a_fresh_command() {
    tokio::time::timeout(TEST_TIMEOUT, lock_run())
        .await
        .unwrap();
}

async fn lock_run() {
    let dir = TempDir::new("device-lock");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let at = relay.local_addr();
    let lock = device(ProfileKind::Lock, at, &ids).await;
    let (mut app, context) = app(at, &ids).await;

    let unlock = invoke(1, 128, 9, None);
    let reply = ask(&mut app, at, context, unlock.clone()).await;
    let Body::Status(s) = &reply else {
        panic!("{reply:?}")
    };
    assert_eq!(s.code, StatusCode::FreshnessRequired);
    let locked = || async {
        lock.with_profile(|p| match p {
            Profile::Lock(l) => l.locked(),
            _ => unreachable!(),
        })
        .await
        .unwrap()
    };
    assert!(locked().await);
    let Body::Invoke(mut fresh) = unlock else {
        unreachable!()
    };
    fresh.echo = s.echo.clone();
    let reply = ask(&mut app, at, context, Body::Invoke(fresh)).await;
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    assert!(!locked().await);

    app.stop(Duration::from_secs(5)).await.unwrap();
    lock.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn an_app_claims_a_lamp_out_of_its_box_and_then_switches_it_through_the_relay() {
    tokio::time::timeout(TEST_TIMEOUT, claim_run())
        .await
        .unwrap();
}

async fn claim_run() {
    use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};
    use iotp2p_node::app::{AppError, UdpApp};

    let dir = TempDir::new("device-claim");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let at = relay.local_addr();
    let mut lamp = boxed_lamp(&ids).await;
    // The app from its file, attached to the relay; it knows no device yet.
    let file = app_file(APP, at, &ids.relay.ccs, 0x33, &ids.app);
    let me = file.node_id;
    let mut app = UdpApp::start(file.setup).await.unwrap();
    let unknown = app.ask(DEVICE, invoke(1, 6, 9, None)).await;
    assert!(
        matches!(unknown, Err(AppError::Unknown(_))),
        "no credential for the lamp before the claim: {unknown:?}"
    );

    // Claimed on its link: pairing with the passcode, then its address and its home relay.
    let relay_info = RelayInfo {
        credential: SignedStatement::decode(&ids.relay.statement(SERVICE)).unwrap(),
        endpoints: vec![format!("iotp2p+udp://{at}")],
        unknown_fields: Default::default(),
    };
    let claimed = app
        .claim(lamp.local_addr(), 20_202_021, DEVICE, Some(relay_info), &me)
        .await
        .unwrap();
    assert_eq!(claimed.node_id, ids.device.identity.node_id());
    let commissioned = lamp.commissioned(Duration::from_secs(20)).await.unwrap();
    assert_eq!(commissioned.address, DEVICE);

    // The lamp attached to the relay it was given; the app reaches it there by address.
    let reply = app.ask(DEVICE, invoke(1, 6, 9, None)).await.unwrap();
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    let on = lamp
        .with_profile(|p| match p {
            Profile::Lamp(l) => l.light().on,
            _ => unreachable!(),
        })
        .await
        .unwrap();
    assert!(on);

    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

/// Every reply of the lamp to the app's first `pair_start` is lost, so the request's transmission
/// fails after the lamp took it: the app sends it once more, byte for byte ([IOTP-MSG-149]), and the
/// lamp answers from its reply cache. By then the lamp has abandoned the exchange
/// (PAIRING_EXCHANGE_TIMEOUT, [IOTP-SEC-134]) and refuses the next step with `InvalidState`, so the
/// app pairs again from `pair_start`, and the claim succeeds. On tokio's paused clock: the
/// retransmissions take no real time.
#[tokio::test(start_paused = true)]
async fn a_claim_whose_replies_are_lost_sends_again_pairs_again_and_succeeds() {
    use iotp2p_node::app::UdpApp;
    use iotp2p_protocol::params::Timing;
    use std::sync::atomic::Ordering;

    let dir = TempDir::new("device-claim-lost");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let mut lamp = boxed_lamp(&ids).await;
    // The replies to every transmission of the first request: the first and MAX_RETRANSMIT copies.
    let lost = 1 + Timing::default().max_retransmit as usize;
    let (proxy, task, dropped) = common::dropping_proxy(lamp.local_addr(), 0, lost).await;
    let mut file = app_file(APP, relay.local_addr(), &ids.relay.ccs, 0x33, &ids.app);
    // Long enough for both tries of the request (MAX_TRANSMIT_WAIT, 93 s, each).
    file.setup.reply_timeout = Duration::from_secs(300);
    let me = file.node_id;
    let mut app = UdpApp::start(file.setup).await.unwrap();

    let claimed = app.claim(proxy, 20_202_021, DEVICE, None, &me).await;
    assert_eq!(
        dropped.load(Ordering::Relaxed),
        lost,
        "every reply to the first request"
    );
    let claimed = claimed.expect("claimed after the request went again and the pairing again");
    assert_eq!(claimed.node_id, ids.device.identity.node_id());
    let commissioned = lamp.commissioned(Duration::from_secs(20)).await.unwrap();
    assert_eq!(commissioned.address, DEVICE);

    task.abort();
    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

/// Local discovery (spec §3.3): a lamp out of its box advertises `_p` and its discriminator; the app
/// finds it by the discriminator of its setup code, claims it at the address found, and the lamp then
/// advertises its address and no longer its pairing window ([IOTP-DLV-14] to [IOTP-DLV-16]). Asked by
/// unicast on loopback, as RFC 6762 §6.7 allows; a product joins the mDNS group on port 5353.
#[tokio::test]
async fn an_app_finds_a_lamp_in_its_pairing_window_by_dns_sd_and_claims_it() {
    tokio::time::timeout(TEST_TIMEOUT, discovery_run())
        .await
        .unwrap();
}

async fn discovery_run() {
    use iotp2p_node::app::UdpApp;
    use iotp2p_node::discovery::{browse, Looking};

    let dir = TempDir::new("device-discovery");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let more = "\n[discovery]\nbind = \"127.0.0.1:0\"\ninstance = \"Kitchen ceiling\"\n\
                host = \"lamp-3f2a\"\ndiscriminator = 742\n";
    let mut lamp = boxed_lamp_with(&ids, more).await;
    let responder = lamp.discovery_addr().expect("it advertises itself");
    let look = |looking: Looking| async move {
        browse(loopback(), responder, &looking, Duration::from_millis(300))
            .await
            .unwrap()
    };

    let found = look(Looking::Discriminator(742)).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].instance, "Kitchen ceiling");
    assert_eq!(found[0].at, lamp.local_addr());
    assert_eq!((found[0].pairing, &found[0].address), (Some(742), &None));
    assert_eq!(look(Looking::Pairing).await, found);
    assert!(look(Looking::Discriminator(7)).await.is_empty());
    assert!(
        look(Looking::Address(DEVICE.into())).await.is_empty(),
        "no address yet"
    );

    let file = app_file(APP, relay.local_addr(), &ids.relay.ccs, 0x33, &ids.app);
    let me = file.node_id;
    let mut app = UdpApp::start(file.setup).await.unwrap();
    app.claim(found[0].at, 20_202_021, DEVICE, None, &me)
        .await
        .unwrap();
    lamp.commissioned(Duration::from_secs(20)).await.unwrap();

    assert!(look(Looking::Pairing).await.is_empty(), "the window closed");
    let found = look(Looking::Address(DEVICE.into())).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].at, found[0].address.as_deref(), found[0].pairing),
        (lamp.local_addr(), Some(DEVICE), None)
    );
    assert_eq!(look(Looking::All).await, found);

    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[test]
fn a_bad_discovery_table_is_refused_where_it_is_wrong() {
    let ids = identities();
    let good = "\n[discovery]\nbind = \"127.0.0.1:0\"\ninstance = \"Kitchen ceiling\"\nhost = \"lamp-3f2a\"\n";
    let parse = |more: &str| DeviceFile::parse("lamp.toml", &boxed_lamp_text(&ids, more));
    assert!(parse(good).is_ok());
    let refused = |more: &str| parse(more).err().map(|e| e.to_string()).unwrap_or_default();
    for (more, expected) in [
        (
            "discriminator = 1000\n",
            "lamp.toml:15:17: discriminator: an integer from 0 to 999",
        ),
        (
            "advertise_address = 1\n",
            "lamp.toml:15:21: advertise_address: true or false",
        ),
        (
            "colour = \"red\"\n",
            "lamp.toml:15:1: unknown key \"colour\"",
        ),
    ] {
        let refused = refused(&format!("{good}{more}"));
        assert!(refused.contains(expected), "{more}: {refused}");
    }
    let dotted =
        refused("\n[discovery]\nbind = \"127.0.0.1:0\"\ninstance = \"L\"\nhost = \"a.b\"\n");
    assert!(
        dotted.contains("lamp.toml:14:8: host: the host name"),
        "{dotted}"
    );
    let long = format!(
        "\n[discovery]\nbind = \"127.0.0.1:0\"\ninstance = \"{}\"\nhost = \"l\"\n",
        "x".repeat(64)
    );
    let long = refused(&long);
    assert!(
        long.contains("lamp.toml:13:12: instance: the instance name must be 1 to 63"),
        "{long}"
    );
}

#[tokio::test]
async fn a_second_app_joins_the_claimed_lamp_in_a_commissioning_window_its_owner_opened() {
    tokio::time::timeout(TEST_TIMEOUT, join_run())
        .await
        .unwrap();
}

/// A phone's address at the home provider, beside the owner's app.
const PHONE: &str = "phone@home.example.org";

/// A relay serving the lamp, the owner's app and a phone; the lamp claimed by the owner's app and
/// attached; the phone's app started, knowing nothing of the lamp.
struct Household {
    ids: Identities,
    relay: UdpRelay,
    lamp: UdpDevice,
    owner: iotp2p_node::app::UdpApp,
    phone: iotp2p_node::app::UdpApp,
    /// The lamp's credential statement, from its claim.
    lamp_statement: Vec<u8>,
}

async fn household(dir: &TempDir) -> Household {
    use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};
    use iotp2p_node::app::UdpApp;

    let ids = identities();
    let phone_keys = Keys::new(0x36, 0x66, 6);
    let phone_ccs = phone_keys.ccs.clone();
    let relay = relay_with(dir, &ids, move |setup| {
        setup.addresses.push(PHONE.into());
        if let Some(edhoc) = setup.edhoc.as_mut() {
            edhoc.peers.push(KnownPeer {
                credential: phone_ccs,
                address: Some(PHONE.into()),
                node: None,
            });
        }
    })
    .await;
    let at = relay.local_addr();
    let mut lamp = boxed_lamp(&ids).await;
    let owner_file = app_file(APP, at, &ids.relay.ccs, 0x33, &ids.app);
    let me = owner_file.node_id;
    let mut owner = UdpApp::start(owner_file.setup).await.unwrap();
    let relay_info = RelayInfo {
        credential: SignedStatement::decode(&ids.relay.statement(SERVICE)).unwrap(),
        endpoints: vec![format!("iotp2p+udp://{at}")],
        unknown_fields: Default::default(),
    };
    let claimed = owner
        .claim(lamp.local_addr(), 20_202_021, DEVICE, Some(relay_info), &me)
        .await
        .unwrap();
    lamp.commissioned(Duration::from_secs(20)).await.unwrap();
    let phone = UdpApp::start(app_file(PHONE, at, &ids.relay.ccs, 0x36, &phone_keys).setup)
        .await
        .unwrap();
    Household {
        ids,
        relay,
        lamp,
        owner,
        phone,
        lamp_statement: claimed.statement,
    }
}

impl Household {
    /// The phone switches the lamp on and is refused its level (beyond a grant of Invoke on OnOff).
    async fn phone_may_switch_only(&mut self) {
        use iotp2p_codec::core::StatusCode;
        let reply = self.phone.ask(DEVICE, invoke(1, 6, 9, None)).await.unwrap();
        assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
        let reply = self
            .phone
            .ask(DEVICE, invoke(1, 7, 10, None))
            .await
            .unwrap();
        let Body::Status(s) = &reply else {
            panic!("{reply:?}")
        };
        assert_eq!(s.code, StatusCode::Forbidden);
        let on = self
            .lamp
            .with_profile(|p| match p {
                Profile::Lamp(l) => l.light().on,
                _ => unreachable!(),
            })
            .await
            .unwrap();
        assert!(on);
    }

    async fn stop(self) {
        self.phone.stop(Duration::from_secs(5)).await.unwrap();
        self.owner.stop(Duration::from_secs(5)).await.unwrap();
        self.lamp.stop(Duration::from_secs(5)).await.unwrap();
        self.relay.stop(Duration::from_secs(5)).await.unwrap();
    }
}

async fn join_run() {
    use iotp2p_protocol::controller::{self, Window};
    use iotp2p_protocol::server::acl::privilege;

    let dir = TempDir::new("device-join");
    let mut h = household(&dir).await;
    // The printed passcode claims the lamp no more; its owner opens a window, through the relay,
    // for a second app that may switch it and nothing else.
    let lamp_at = h.lamp.local_addr();
    let on_off = Some((Some(1), Some(6)));
    assert!(h
        .phone
        .join(lamp_at, 20_202_021, privilege::INVOKE, on_off)
        .await
        .is_err());
    let window = controller::open_commissioning_window(&Window {
        passcode: 40_617_352,
        salt: &[0xa5; 16],
        iterations: 1000,
        timeout: 300,
        discriminator: 318,
        privileges: privilege::INVOKE,
        target: on_off,
    })
    .unwrap();
    let reply = h.owner.ask(DEVICE, window).await.unwrap();
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");

    // The phone pairs with the window's passcode on the lamp's link and writes its own entry; its
    // first request by address runs the handshake that makes the entry effective.
    let lamp_id = h
        .phone
        .join(lamp_at, 40_617_352, privilege::INVOKE, on_off)
        .await
        .unwrap();
    assert_eq!(lamp_id, h.ids.device.identity.node_id());
    h.phone_may_switch_only().await;
    h.stop().await;
}

#[tokio::test]
async fn an_app_presents_the_introduction_its_owner_signed_and_then_switches_the_lamp() {
    tokio::time::timeout(TEST_TIMEOUT, introduce_run())
        .await
        .unwrap();
}

async fn introduce_run() {
    use iotp2p_protocol::server::acl::privilege;

    let dir = TempDir::new("device-introduce");
    let mut h = household(&dir).await;
    // The owner introduces the phone to the lamp (§8.8.4.1); the lamp need not be reachable by the
    // owner when the phone presents it.
    let on_off = Some((Some(1), Some(6)));
    let phone_statement = h.phone.statement().to_vec();
    let introduction = h
        .owner
        .sign_introduction(
            &h.lamp_statement,
            &phone_statement,
            privilege::INVOKE,
            on_off,
            1,
        )
        .unwrap();
    // The phone presents it as a visitor through the relay, then is the lamp's peer.
    assert_eq!(h.phone.present(&introduction).await.unwrap(), DEVICE);
    h.phone_may_switch_only().await;
    // Each introduction once ([IOTP-SEC-186]): presented again (over the phone's context), refused.
    assert!(h.phone.present(&introduction).await.is_err());
    h.stop().await;
}

/// A lamp out of its box: the factory's identity key and printed passcode, no address, no relay.
async fn boxed_lamp(ids: &Identities) -> UdpDevice {
    boxed_lamp_with(ids, "").await
}

/// [`boxed_lamp`] with more of its file (`more`, such as a `[discovery]` table).
async fn boxed_lamp_with(ids: &Identities, more: &str) -> UdpDevice {
    let file = DeviceFile::parse("lamp.toml", &boxed_lamp_text(ids, more)).unwrap();
    assert_eq!(file.address(), None);
    UdpDevice::start(file.setup(ProfileKind::Lamp).unwrap())
        .await
        .unwrap()
}

/// The file of a lamp out of its box (nine lines), then `more`.
fn boxed_lamp_text(ids: &Identities, more: &str) -> String {
    format!(
        "bind = \"127.0.0.1:0\"\n\n[factory]\nidentity_key = \"{}\"\npasscode = 20202021\n\n\
         [identity]\nkey = \"{}\"\ncredential = \"{}\"\n{more}",
        hex(&[0x32; 32]),
        hex(&ids.device.auth),
        hex(&ids.device.ccs),
    )
}

/// An app's file: its address, its home relay and that relay's credential, its keys.
fn app_file(
    address: &str,
    relay: SocketAddr,
    relay_ccs: &[u8],
    identity: u8,
    keys: &Keys,
) -> AppFile {
    AppFile::parse(
        "app.toml",
        &format!(
            "address = \"{address}\"\nbind = \"127.0.0.1:0\"\nhome_relay = \"{relay}\"\n\
             relay_credential = \"{}\"\nidentity_key = \"{}\"\n\n[identity]\nkey = \"{}\"\n\
             credential = \"{}\"\n",
            hex(relay_ccs),
            hex(&[identity; 32]),
            hex(&keys.auth),
            hex(&keys.ccs),
        ),
    )
    .unwrap()
}

/// A free port on loopback (bound, read and released: the relays of two domains need each other's
/// address before either starts).
fn free_port() -> SocketAddr {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[tokio::test]
async fn an_app_of_another_provider_switches_the_lamp_once_its_owner_grants_it_until_revoked() {
    tokio::time::timeout(TEST_TIMEOUT, grant_run())
        .await
        .unwrap();
}

async fn grant_run() {
    use iotp2p_codec::core::StatusCode;
    use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};
    use iotp2p_node::app::UdpApp;
    use iotp2p_protocol::server::acl::privilege;

    const OTHER: &str = "example.net";
    const APP_B: &str = "app@example.net";
    let dir = TempDir::new("device-grant");
    let ids = identities();
    let (other_relay, app_b) = (Keys::new(0x34, 0x24, 4), Keys::new(0x35, 0x65, 5));
    let (home_at, other_at) = (free_port(), free_port());
    // Two providers, each relay routing the other's domain to it over DTLS, with certificates
    // from one CA (§3.9.1).
    let ca = pki::TestCa::new("iotp2p test CA");
    let (home_host, other_host) = ("relay1.home.example.org", "relay1.example.net");
    let home_dtls = ca.dtls_table(&dir.0, home_host);
    let other_dtls = ca.dtls_table(&dir.0, other_host);
    let mut home = RelayFile::parse(
        "home.toml",
        &format!(
            "domain = \"{DOMAIN}\"\nbind = \"{home_at}\"\nstore = \"home.sqlite\"\n\
             addresses = [\"{DEVICE}\", \"{APP}\"]\n\n{home_dtls}\n\
             [routes]\n\"{OTHER}\" = \"{other_host}@{other_at}\"\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
             [credentials]\n\"{DEVICE}\" = \"{}\"\n\"{APP}\" = \"{}\"\n",
            hex(&ids.relay.auth),
            hex(&ids.relay.ccs),
            hex(&ids.device.ccs),
            hex(&ids.app.ccs),
        ),
        &dir.0,
    )
    .unwrap();
    home.setup.bind = home_at;
    let home_store = Box::new(SqliteStore::open(&home.store).unwrap());
    let home_relay = UdpRelay::start(home.setup, home_store).await.unwrap();
    let other = RelayFile::parse(
        "other.toml",
        &format!(
            "domain = \"{OTHER}\"\nbind = \"{other_at}\"\nstore = \"other.sqlite\"\n\
             addresses = [\"{APP_B}\"]\n\n{other_dtls}\n\
             [routes]\n\"{DOMAIN}\" = \"{home_host}@{home_at}\"\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n[credentials]\n\"{APP_B}\" = \"{}\"\n",
            hex(&other_relay.auth),
            hex(&other_relay.ccs),
            hex(&app_b.ccs),
        ),
        &dir.0,
    )
    .unwrap();
    let other_store = Box::new(SqliteStore::open(&other.store).unwrap());
    let other_relay_node = UdpRelay::start(other.setup, other_store).await.unwrap();

    // The lamp out of its box, claimed by its owner's app on the home provider.
    let mut lamp = boxed_lamp(&ids).await;
    let owner_file = app_file(APP, home_at, &ids.relay.ccs, 0x33, &ids.app);
    let me = owner_file.node_id;
    let mut owner = UdpApp::start(owner_file.setup).await.unwrap();
    let relay_info = RelayInfo {
        credential: SignedStatement::decode(&ids.relay.statement(SERVICE)).unwrap(),
        endpoints: vec![format!("iotp2p+udp://{home_at}")],
        unknown_fields: Default::default(),
    };
    let claimed = owner
        .claim(lamp.local_addr(), 20_202_021, DEVICE, Some(relay_info), &me)
        .await
        .unwrap();
    lamp.commissioned(Duration::from_secs(20)).await.unwrap();

    // Another vendor's app on the other provider: it knows the lamp's credential, but the lamp does
    // not know it: its handshake's last message does not convince the lamp, which opens nothing.
    let mut b_file = app_file(APP_B, other_at, &other_relay.ccs, 0x35, &app_b);
    b_file.setup.devices.push(KnownPeer {
        credential: claimed.credential.clone(),
        address: Some(DEVICE.into()),
        node: None,
    });
    let mut second = UdpApp::start(b_file.setup).await.unwrap();
    let refused = second.ask(DEVICE, invoke(1, 6, 9, None)).await.unwrap();
    let Body::Status(s) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(s.code, StatusCode::Unauthenticated);

    // The owner grants it Invoke on OnOff only; it switches the lamp through both relays.
    let statement = second.statement().to_vec();
    let granted = owner
        .grant(
            DEVICE,
            &statement,
            1,
            privilege::INVOKE,
            Some((Some(1), Some(6))),
        )
        .await
        .unwrap();
    assert_eq!(granted, app_b.identity.node_id());
    let reply = second.ask(DEVICE, invoke(1, 6, 9, None)).await.unwrap();
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    // Level (7) is not in its grant.
    let reply = second.ask(DEVICE, invoke(1, 7, 10, None)).await.unwrap();
    let Body::Status(s) = &reply else {
        panic!("{reply:?}")
    };
    assert_eq!(s.code, StatusCode::Forbidden);
    let on = lamp
        .with_profile(|p| match p {
            Profile::Lamp(l) => l.light().on,
            _ => unreachable!(),
        })
        .await
        .unwrap();
    assert!(on);

    // Revoked by the owner: refused everywhere on the lamp, with a new handshake too.
    owner.revoke(DEVICE, &granted).await.unwrap();
    for _ in 0..2 {
        let reply = second.ask(DEVICE, invoke(1, 6, 8, None)).await.unwrap();
        let Body::Status(s) = &reply else {
            panic!("{reply:?}")
        };
        assert_eq!(s.code, StatusCode::Unauthenticated);
    }
    let still_on = lamp
        .with_profile(|p| match p {
            Profile::Lamp(l) => l.light().on,
            _ => unreachable!(),
        })
        .await
        .unwrap();
    assert!(still_on, "a revoked app switched the lamp off");
    // The relays talked over one DTLS association, each authenticating the other (IOTP-DLV-54).
    for relay in [&home_relay, &other_relay_node] {
        let c = relay.dtls_counts();
        assert_eq!(
            (c.associations, c.authenticated, c.refused),
            (1, 1, 0),
            "{c:?}"
        );
        assert!(c.datagrams_received > 4, "{c:?}");
    }

    second.stop(Duration::from_secs(5)).await.unwrap();
    owner.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
    other_relay_node.stop(Duration::from_secs(5)).await.unwrap();
    home_relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn every_command_through_a_lossy_link_runs_exactly_once() {
    tokio::time::timeout(TEST_TIMEOUT, lossy_run())
        .await
        .unwrap();
}

/// Commands sent one after the other through a link that loses, duplicates and reorders 20% of the
/// datagrams between the app and its relay.
const LOSSY_COMMANDS: u8 = 10;

async fn lossy_run() {
    use iotp2p_codec::capabilities::owned::StepLevel;
    use iotp2p_node::app::UdpApp;
    use iotp2p_node::link::{Impairments, LinkConfig, LossyLink};

    let dir = TempDir::new("device-lossy");
    let ids = identities();
    // The spec's timers divided by ten, so that the retransmissions a lossy link needs take seconds,
    // not minutes; what the test checks does not depend on them.
    let fast = iotp2p_protocol::params::Timing {
        ack_timeout: 200,
        ..Default::default()
    };
    let relay = relay_with(&dir, &ids, |setup| {
        setup.relay.timing = fast;
        setup.service.timing = fast;
    })
    .await;
    let at = relay.local_addr();
    let lamp = device(ProfileKind::Lamp, at, &ids).await;
    let app_at = free_port();
    let impairments = Impairments {
        loss: 0.2,
        duplicate: 0.2,
        reorder: 0.2,
        reorder_delay: 30,
        ..Impairments::none()
    };
    let link = LossyLink::start(LinkConfig::symmetric(7, impairments), app_at, at)
        .await
        .unwrap();
    let mut file = AppFile::parse(
        "app.toml",
        &format!(
            "address = \"{APP}\"\nbind = \"{app_at}\"\nhome_relay = \"{}\"\n\
             relay_credential = \"{}\"\nidentity_key = \"{}\"\nreply_timeout = 60\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n",
            link.a_side(),
            hex(&ids.relay.ccs),
            hex(&[0x33; 32]),
            hex(&ids.app.auth),
            hex(&ids.app.ccs),
        ),
    )
    .unwrap();
    file.setup.devices.push(KnownPeer {
        credential: ids.device.ccs.clone(),
        address: Some(DEVICE.into()),
        node: None,
    });
    file.setup.timing = fast;
    let mut app = UdpApp::start(file.setup).await.unwrap();

    // Each command lowers the level by one: the level at the end counts the executions.
    let step = StepLevel {
        delta: -1,
        transition: None,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap();
    for n in 0..LOSSY_COMMANDS {
        let reply = app
            .ask(DEVICE, invoke(1, 7, 9, Some(step.clone())))
            .await
            .unwrap_or_else(|e| panic!("command {n}: {e}"));
        assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    }
    let level = lamp
        .with_profile(|p| match p {
            Profile::Lamp(l) => l.light().level,
            _ => unreachable!(),
        })
        .await
        .unwrap();
    assert_eq!(level, 254 - LOSSY_COMMANDS, "each command exactly once");
    let carried = link.stop(Duration::from_secs(5)).await;
    assert!(
        carried.lost > 0 && carried.duplicated > 0,
        "the link impaired nothing: {carried:?}"
    );

    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_subscriber_hears_each_wake_of_the_sleeping_sensor() {
    tokio::time::timeout(TEST_TIMEOUT, subscription_run())
        .await
        .unwrap();
}

async fn subscription_run() {
    use iotp2p_codec::core::owned::SubscribeRequest;

    let dir = TempDir::new("device-subscription");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let at = relay.local_addr();
    let mut sensor = device(ProfileKind::Sensor, at, &ids).await;
    sensor.wake().await.unwrap();
    let (mut app, context) = app(at, &ids).await;

    // Subscribed while the sensor is awake: the first report answers at once, with the value now;
    // the sensor grants its sleep interval (600 s) as the longest time between reports.
    let subscribe = Body::Subscribe(SubscribeRequest {
        endpoint: 1,
        capability: 9,
        members: None,
        min_interval: 0,
        max_interval: 60,
        lifetime: None,
        unknown_fields: Default::default(),
    });
    let id = app
        .request(
            at,
            Destination::Address(DEVICE.into()),
            Some(context),
            subscribe,
            true,
            None,
        )
        .await
        .unwrap();
    let report = |body: Body| match body {
        Body::Report(r) => r,
        other => panic!("not a report: {other:?}"),
    };
    let first = report(
        next(&mut app, |e| match e {
            Event::Reply { request, body, .. } if request == id => Some(body),
            _ => None,
        })
        .await,
    );
    assert_eq!(first.max_interval, Some(600));
    sensor.sleep().await.unwrap();

    // Three wakes, each with a new measurement: each reaches the app as a report of the
    // subscription, through the relay.
    for (n, centi) in [2150i16, 2210, 1980].into_iter().enumerate() {
        sensor.wake().await.unwrap();
        sensor
            .with_profile(move |p| {
                if let Profile::Sensor(s, _) = p {
                    s.measured(centi);
                }
            })
            .await
            .unwrap();
        let body = next(&mut app, |e| match e {
            Event::Reply { request, body, .. } if request == id => Some(body),
            _ => None,
        })
        .await;
        let values = report(body).values.expect("the temperature");
        let mut w = [0u8; 8];
        let mut writer = iotp2p_codec::runtime::Writer::new(&mut w);
        writer.i64(centi.into()).unwrap();
        let len = writer.position();
        assert_eq!(values[0].value, w[..len], "wake {n}");
        sensor.sleep().await.unwrap();
    }

    app.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}
