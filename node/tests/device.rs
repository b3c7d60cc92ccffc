//! Devices on real loopback sockets, each started from its configuration file and attached to a home
//! relay started from its own: the device runs EDHOC with the relay, binds its hop with a sealed
//! presence, and answers an app that ran EDHOC with it by address through the relay. The lamp is
//! switched and dimmed; a request for the sleeping sensor is held until it wakes; the lock asks for
//! freshness before it moves.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{hex, identity, loopback, TempDir, TEST_TIMEOUT};
use iotp2p_codec::capabilities::owned::SetLevel;
use iotp2p_codec::core::owned::{Body, InvokeRequest, ReadRequest};
use iotp2p_codec::core::{PresenceState, StatusCode};
use iotp2p_codec::prelude::*;
use iotp2p_device::profile::Profile;
use iotp2p_node::device::{DeviceFile, ProfileKind, UdpDevice};
use iotp2p_node::relay::{RelayFile, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{Config, Destination, EdhocResponder, Event, KnownPeer, Node};

const DOMAIN: &str = "home.example.org";
const SERVICE: &str = "_relay@home.example.org";
const DEVICE: &str = "device@home.example.org";
const APP: &str = "app@home.example.org";

/// The credentials of the relay, the device and the app.
struct Identities {
    relay: ([u8; 32], Vec<u8>),
    device: ([u8; 32], Vec<u8>),
    app: ([u8; 32], Vec<u8>),
}

fn identities() -> Identities {
    let of = |secret: [u8; 32], owner, kid| (secret, identity(secret, owner, kid).1);
    Identities {
        relay: of([0x21; 32], 0xaa, 1),
        device: of([0x42; 32], 0xbb, 2),
        app: of([0x63; 32], 0xcc, 3),
    }
}

/// The relay as its operator configures it: serving the device and the app, with their credentials.
async fn relay(dir: &TempDir, ids: &Identities) -> UdpRelay {
    let text = format!(
        "domain = \"{DOMAIN}\"\nbind = \"127.0.0.1:0\"\nstore = \"relay.sqlite\"\n\
         addresses = [\"{DEVICE}\", \"{APP}\"]\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
         [credentials]\n\"{DEVICE}\" = \"{}\"\n\"{APP}\" = \"{}\"\n",
        hex(&ids.relay.0),
        hex(&ids.relay.1),
        hex(&ids.device.1),
        hex(&ids.app.1),
    );
    let file = RelayFile::parse("relay.toml", &text, &dir.0).unwrap();
    let store = Box::new(SqliteStore::open(&file.store).unwrap());
    UdpRelay::start(file.setup, store).await.unwrap()
}

/// The device as its owner configures it: its relay, its identity, the app that may talk to it.
async fn device(kind: ProfileKind, relay: SocketAddr, ids: &Identities) -> UdpDevice {
    let text = format!(
        "address = \"{DEVICE}\"\nbind = \"127.0.0.1:0\"\nhome_relay = \"{relay}\"\n\
         relay_credential = \"{}\"\nsleep_interval = 600\n\n[identity]\nkey = \"{}\"\n\
         credential = \"{}\"\n\n[peers]\n\"{APP}\" = \"{}\"\n\n[info]\nproduct = \"Test device\"\n",
        hex(&ids.relay.1),
        hex(&ids.device.0),
        hex(&ids.device.1),
        hex(&ids.app.1),
    );
    let file = DeviceFile::parse("device.toml", &text).unwrap();
    UdpDevice::start(file.setup(kind)).await.unwrap()
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

/// An app of the relay's domain: EDHOC with the relay and a presence, then EDHOC with the device by
/// its address through the relay. Returns the app and its context with the device.
async fn app(relay: SocketAddr, ids: &Identities) -> (UdpNode, ContextId) {
    let (identity, _) = identity(ids.app.0, 0xcc, 3);
    let mut engine = Node::new(
        Config {
            address: Some(APP.into()),
            ..Config::default()
        },
        0,
    );
    engine.set_home_relay(Some(relay));
    engine.set_edhoc_responder(Some(EdhocResponder {
        identity,
        peers: Vec::new(),
        max_pending: 2,
        pending_lifetime: iotp2p_protocol::engine::MIN_PENDING_LIFETIME,
        max_visitors: 1,
    }));
    let mut app = UdpNode::start(UdpConfig::new(loopback()), engine)
        .await
        .unwrap();
    let connect = |credential: Vec<u8>, address: &'static str, destination: Destination| {
        move |n: &mut Node<SocketAddr>, now, rng: &mut dyn rand_core::CryptoRngCore| {
            let peer = KnownPeer {
                credential,
                address: Some(address.into()),
                node: None,
            };
            let (_, out) = n.connect(now, rng, relay, destination, peer).unwrap();
            ((), out)
        }
    };
    app.with_engine(connect(ids.relay.1.clone(), SERVICE, Destination::HopPeer))
        .await
        .unwrap();
    let hop = next(&mut app, |e| match e {
        Event::Session { context, .. } => Some(context),
        _ => None,
    })
    .await;
    app.with_engine(move |n, now, rng| {
        n.set_hop_context(Some(hop));
        let (_, out) = n
            .presence(now, rng, PresenceState::Awake, None, None)
            .unwrap();
        ((), out)
    })
    .await
    .unwrap();
    next(&mut app, |e| match e {
        Event::Reply {
            body: Body::PresenceAck(_),
            ..
        } => Some(()),
        _ => None,
    })
    .await;
    app.with_engine(connect(
        ids.device.1.clone(),
        DEVICE,
        Destination::Address(DEVICE.into()),
    ))
    .await
    .unwrap();
    let context = next(&mut app, |e| match e {
        Event::Session { context, .. } => Some(context),
        _ => None,
    })
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
async fn a_read_for_a_sleeping_sensor_is_answered_when_it_wakes() {
    tokio::time::timeout(TEST_TIMEOUT, sensor_run())
        .await
        .unwrap();
}

async fn sensor_run() {
    let dir = TempDir::new("device-sensor");
    let ids = identities();
    let relay = relay(&dir, &ids).await;
    let at = relay.local_addr();
    let mut sensor = device(ProfileKind::Sensor, at, &ids).await;
    // The EDHOC handshake reaches a sleeping sensor only when it wakes: it wakes for it.
    sensor.wake().await.unwrap();
    let (mut app, context) = app(at, &ids).await;
    sensor.sleep().await.unwrap();

    let id = app
        .request(
            at,
            Destination::Address(DEVICE.into()),
            Some(context),
            Body::Read(ReadRequest {
                endpoint: 1,
                capability: 9,
                members: Some(vec![0]),
                unknown_fields: Default::default(),
            }),
            true,
            None,
        )
        .await
        .unwrap();
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
