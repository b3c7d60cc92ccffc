//! The walk-through of spec chapter 12 on real UDP sockets on loopback, as far as the reference
//! elements go today: two providers' home relays that route each other's domains, a lamp out of its
//! box, a sleeping temperature sensor, and two apps of different vendors on different providers.
//!
//! 1. The owner's app (`app@home.example.org`) attaches to its provider's relay, enrols in the
//!    owner's account there with the provider's token, claims the lamp on its link with the printed
//!    passcode and registers it at the relay over the wire (the Relay capability's `enrol` and
//!    `register`); the lamp takes its address and attaches to the relay.
//! 2. The owner's app switches the lamp on by address, through the relay, after EDHOC.
//! 3. The owner grants another vendor's app (`app@example.net`, on the other provider) Invoke on
//!    the lamp; that app sets the lamp's level through both providers' relays.
//! 4. The owner's app reads the sleeping sensor: its relay holds the request, and the sensor answers
//!    when it wakes.
//!
//! 5. The owner moves the lamp to a third provider as `lamp@lamps.example.org` (`rehome`), registers
//!    it there (the third provider's call) and releases it at the first with its re-homing statement
//!    (`release` over the wire). The other vendor's app, which has not heard of the move,
//!    sets the level at the previous address: the previous relay forwards the request to the new
//!    one, and the lamp, attached there, tells the app of its move (`apply_statement`) before it
//!    answers; the app then reaches it at its new address.
//!
//! Each step prints what happened and the datagrams and bytes each node sent for it; the run exits 0
//! only if every step did what it should. `scripts/demo` runs it. Relays found through DNS are not part
//! of it yet: each relay has a route to the others.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use iotp2p_codec::capabilities::owned::SetLevel;
use iotp2p_codec::core::owned::{Body, InvokeRequest, ReadRequest};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};
use iotp2p_device::profile::Profile;
use iotp2p_node::app::{AppFile, UdpApp};
use iotp2p_node::device::{DeviceFile, ProfileKind, UdpDevice};
use iotp2p_node::relay::{RelayFile, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::udp::Counts;
use iotp2p_protocol::engine::KnownPeer;
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::statement::sign_own_credential;
use iotp2p_protocol::security::IdentityKey;
use iotp2p_protocol::server::acl::privilege;
use p256::elliptic_curve::sec1::ToEncodedPoint;

type Error = Box<dyn std::error::Error>;

const HOME: &str = "home.example.org";
const OTHER: &str = "example.net";
const LAMP: &str = "lamp@home.example.org";
const SENSOR: &str = "sensor@home.example.org";
const OWNER: &str = "app@home.example.org";
const GUEST: &str = "app@example.net";
const LAMPS: &str = "lamps.example.org";
const LAMP_MOVED: &str = "lamp@lamps.example.org";
const PASSCODE: u32 = 20_202_021;
/// The enrolment token the home provider gave the owner at sign-up (spec §3.6.1.1).
const TOKEN: [u8; 16] = *b"smith-household!";

/// A node's keys, as its factory or its operator makes them: the identity key (its node ID), the
/// EDHOC authentication key, and its credential (a CCS naming the node ID).
struct Keys {
    identity: [u8; 32],
    auth: [u8; 32],
    ccs: Vec<u8>,
}

impl Keys {
    fn new(identity: u8, auth: u8, kid: u8) -> Result<Keys, Error> {
        let node = IdentityKey::from_bytes(&[identity; 32])
            .map_err(|_| "identity key")?
            .node_id();
        let point = p256::SecretKey::from_bytes(&[auth; 32].into())
            .map_err(|_| "authentication key")?
            .public_key()
            .to_encoded_point(false);
        let (x, y) = (point.x().ok_or("x")?, point.y().ok_or("y")?);
        let ccs = p256_credential(
            &node,
            &[kid],
            x.as_slice().try_into()?,
            y.as_slice().try_into()?,
        )
        .map_err(|e| e.to_string())?;
        Ok(Keys {
            identity: [identity; 32],
            auth: [auth; 32],
            ccs,
        })
    }

    /// The credential statement naming `address`.
    fn statement(&self, address: &str) -> Result<Vec<u8>, Error> {
        let key = IdentityKey::from_bytes(&self.identity).map_err(|_| "identity key")?;
        Ok(sign_own_credential(&key, &self.ccs, Some(address), 1).map_err(|e| format!("{e:?}"))?)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A free port on loopback: the two relays need each other's address before either starts.
fn free_port() -> Result<SocketAddr, Error> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?)
}

/// What the nodes sent since the last step.
struct Meter {
    last: Vec<(&'static str, Counts)>,
}

impl Meter {
    fn step(&mut self, now: Vec<(&'static str, Counts)>) -> String {
        let mut parts = Vec::new();
        for (name, counts) in &now {
            let before = self
                .last
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| *c)
                .unwrap_or_default();
            let sent = counts.sent - before.sent;
            if sent > 0 {
                let bytes = counts.bytes_sent - before.bytes_sent;
                parts.push(format!("{name} {sent} datagrams / {bytes} B"));
            }
        }
        self.last = now;
        parts.join(", ")
    }
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

fn expect_done(step: &str, reply: &Body) -> Result<(), Error> {
    match reply {
        Body::InvokeResponse(_) => Ok(()),
        other => Err(format!("{step}: the device answered {other:?}").into()),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = std::env::temp_dir().join(format!("iotp2p-demo-{}", std::process::id()));
    let result = run(&dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => println!("\nevery step succeeded"),
        Err(e) => {
            eprintln!("\nerror: {e}");
            std::process::exit(1);
        }
    }
}

async fn run(dir: &PathBuf) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let home_relay = Keys::new(0x41, 0x51, 1)?;
    let other_relay = Keys::new(0x42, 0x52, 2)?;
    let lamp = Keys::new(0x43, 0x53, 3)?;
    let sensor = Keys::new(0x44, 0x54, 4)?;
    let owner = Keys::new(0x45, 0x55, 5)?;
    let guest = Keys::new(0x46, 0x56, 6)?;
    let lamps_relay = Keys::new(0x47, 0x57, 7)?;
    let (home_at, other_at, lamps_at) = (free_port()?, free_port()?, free_port()?);

    println!("iotp2p walk-through on loopback\n");
    let home = RelayFile::parse(
        "home.toml",
        &format!(
            "domain = \"{HOME}\"\nbind = \"{home_at}\"\nstore = \"home.sqlite\"\n\
             addresses = [\"{SENSOR}\", \"{OWNER}\"]\n\n[routes]\n\"{OTHER}\" = \"{other_at}\"\n\
             \"{LAMPS}\" = \"{lamps_at}\"\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n[credentials]\n\
             \"{SENSOR}\" = \"{}\"\n\"{OWNER}\" = \"{}\"\n\n\
             [accounts.\"Smith household\"]\ndomains = [\"{HOME}\"]\nmax_registrations = 8\n\
             tokens = [\"{}\"]\n",
            hex(&home_relay.auth),
            hex(&home_relay.ccs),
            hex(&sensor.ccs),
            hex(&owner.ccs),
            hex(&TOKEN),
        ),
        dir,
    )?;
    let store = Box::new(SqliteStore::open(&home.store)?);
    let home_node = UdpRelay::start(home.setup, store).await?;
    let other = RelayFile::parse(
        "other.toml",
        &format!(
            "domain = \"{OTHER}\"\nbind = \"{other_at}\"\nstore = \"other.sqlite\"\n\
             addresses = [\"{GUEST}\"]\n\n[routes]\n\"{HOME}\" = \"{home_at}\"\n\
             \"{LAMPS}\" = \"{lamps_at}\"\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n[credentials]\n\"{GUEST}\" = \"{}\"\n",
            hex(&other_relay.auth),
            hex(&other_relay.ccs),
            hex(&guest.ccs),
        ),
        dir,
    )?;
    let store = Box::new(SqliteStore::open(&other.store)?);
    let other_node = UdpRelay::start(other.setup, store).await?;
    let lamps = RelayFile::parse(
        "lamps.toml",
        &format!(
            "domain = \"{LAMPS}\"\nbind = \"{lamps_at}\"\nstore = \"lamps.sqlite\"\n\
             addresses = []\n\n[routes]\n\"{HOME}\" = \"{home_at}\"\n\"{OTHER}\" = \"{other_at}\"\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n",
            hex(&lamps_relay.auth),
            hex(&lamps_relay.ccs),
        ),
        dir,
    )?;
    let store = Box::new(SqliteStore::open(&lamps.store)?);
    let lamps_node = UdpRelay::start(lamps.setup, store).await?;
    println!(
        "relay of {HOME} on {home_at}, relay of {OTHER} on {other_at}, relay of {LAMPS} on {lamps_at}"
    );

    let lamp_file = DeviceFile::parse(
        "lamp.toml",
        &format!(
            "bind = \"127.0.0.1:0\"\n\n[factory]\nidentity_key = \"{}\"\npasscode = {PASSCODE}\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n[info]\nproduct = \"Demo Lamp\"\n",
            hex(&lamp.identity),
            hex(&lamp.auth),
            hex(&lamp.ccs),
        ),
    )?;
    let mut lamp_node = UdpDevice::start(lamp_file.setup(ProfileKind::Lamp)?).await?;
    println!(
        "lamp out of its box on {}, pairing window open",
        lamp_node.local_addr()
    );
    let sensor_file = DeviceFile::parse(
        "sensor.toml",
        &format!(
            "address = \"{SENSOR}\"\nbind = \"127.0.0.1:0\"\nhome_relay = \"{home_at}\"\n\
             relay_credential = \"{}\"\nsleep_interval = 30\n\n[identity]\nkey = \"{}\"\n\
             credential = \"{}\"\n\n[peers]\n\"{OWNER}\" = \"{}\"\n",
            hex(&home_relay.ccs),
            hex(&sensor.auth),
            hex(&sensor.ccs),
            hex(&owner.ccs),
        ),
    )?;
    let mut sensor_node = UdpDevice::start(sensor_file.setup(ProfileKind::Sensor)?).await?;
    println!("{SENSOR} attached to its relay, asleep");

    let app = |address: &str, relay: SocketAddr, relay_ccs: &[u8], keys: &Keys| {
        AppFile::parse(
            "app.toml",
            &format!(
                "address = \"{address}\"\nbind = \"127.0.0.1:0\"\nhome_relay = \"{relay}\"\n\
                 relay_credential = \"{}\"\nidentity_key = \"{}\"\n\n[identity]\nkey = \"{}\"\n\
                 credential = \"{}\"\n",
                hex(relay_ccs),
                hex(&keys.identity),
                hex(&keys.auth),
                hex(&keys.ccs),
            ),
        )
    };
    let mut owner_file = app(OWNER, home_at, &home_relay.ccs, &owner)?;
    owner_file.setup.devices.push(KnownPeer {
        credential: sensor.ccs.clone(),
        address: Some(SENSOR.into()),
        node: None,
    });
    let me = owner_file.node_id;
    let mut owner_app = UdpApp::start(owner_file.setup).await?;
    println!("{OWNER} (vendor A's app) attached to its relay\n");

    let mut meter = Meter { last: Vec::new() };
    let counts = |owner: &UdpApp, lamp: &UdpDevice, sensor: &UdpDevice, guest: Option<&UdpApp>| {
        let mut v = vec![
            ("owner app", owner.counts()),
            ("lamp", lamp.counts()),
            ("sensor", sensor.counts()),
            ("home relay", home_node.counts()),
            ("other relay", other_node.counts()),
            ("lamps relay", lamps_node.counts()),
        ];
        if let Some(g) = guest {
            v.push(("guest app", g.counts()));
        }
        v
    };
    meter.step(counts(&owner_app, &lamp_node, &sensor_node, None));

    // 1. Claim the lamp on its link.
    let relay_info = RelayInfo {
        credential: SignedStatement::decode(&home_relay.statement(&format!("_relay@{HOME}"))?)
            .map_err(|e| e.to_string())?,
        endpoints: vec![format!("iotp2p+udp://{home_at}")],
        unknown_fields: Default::default(),
    };
    let enrolled = owner_app.enrol(&TOKEN).await?;
    let claimed = owner_app
        .claim(
            lamp_node.local_addr(),
            PASSCODE,
            LAMP,
            Some(relay_info),
            &me,
        )
        .await?;
    owner_app.register(&claimed.statement, None).await?;
    lamp_node.commissioned(Duration::from_secs(20)).await?;
    println!(
        "1. enrolled in {:?} at the relay, claimed the lamp with its passcode: it is {LAMP}, node ID {},\n   \
         registered over the wire, attached to its relay\n   {}",
        enrolled.account,
        claimed.node_id.to_text().as_str(),
        meter.step(counts(&owner_app, &lamp_node, &sensor_node, None))
    );

    // 2. Switch it on by address.
    let reply = owner_app.ask(LAMP, invoke(1, 6, 9, None)).await?;
    expect_done("switching the lamp on", &reply)?;
    let light = lamp_node
        .with_profile(|p| match p {
            Profile::Lamp(l) => Some(l.light()),
            _ => None,
        })
        .await?
        .ok_or("not a lamp")?;
    if !light.on {
        return Err("the lamp did not switch on".into());
    }
    println!(
        "2. {OWNER} switched {LAMP} on through the relay (EDHOC first)\n   {}",
        meter.step(counts(&owner_app, &lamp_node, &sensor_node, None))
    );

    // 3. Another vendor's app on another provider, granted Invoke.
    let guest_file = app(GUEST, other_at, &other_relay.ccs, &guest)?;
    let mut guest_app = UdpApp::start(guest_file.setup).await?;
    // The owner hands the other app the lamp's credential statement with the grant.
    guest_app.know(&claimed.statement)?;
    let statement = guest_app.statement().to_vec();
    owner_app
        .grant(
            LAMP,
            &statement,
            1,
            privilege::INVOKE,
            Some((Some(1), None)),
        )
        .await?;
    let level = SetLevel {
        level: 80,
        transition: Some(10),
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    let reply = guest_app.ask(LAMP, invoke(1, 7, 8, Some(level))).await?;
    expect_done("setting the level", &reply)?;
    let light = lamp_node
        .with_profile(|p| match p {
            Profile::Lamp(l) => Some(l.light()),
            _ => None,
        })
        .await?
        .ok_or("not a lamp")?;
    if light.level != 80 {
        return Err(format!("the lamp is at level {}, not 80", light.level).into());
    }
    println!(
        "3. {OWNER} granted {GUEST} Invoke on the lamp's light; {GUEST} set it to level 80 \
         through both providers' relays\n   {}",
        meter.step(counts(
            &owner_app,
            &lamp_node,
            &sensor_node,
            Some(&guest_app)
        ))
    );

    // 4. A read held for the sleeping sensor, answered when it wakes.
    sensor_node
        .with_profile(|p| {
            if let Profile::Sensor(s, _) = p {
                s.measured(2150);
            }
        })
        .await?;
    let read = Body::Read(ReadRequest {
        endpoint: 1,
        capability: 9,
        members: Some(vec![0]),
        unknown_fields: Default::default(),
    });
    // The EDHOC handshake and the read wait at the relay while the sensor sleeps; the sensor wakes
    // twice (as its timer would): once for the handshake, once for the read.
    let waking = async {
        for _ in 0..2 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            sensor_node.wake().await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            sensor_node.sleep().await?;
        }
        Ok::<_, iotp2p_node::device::DeviceError>(())
    };
    let (reply, woke) = tokio::join!(owner_app.ask(SENSOR, read), waking);
    woke?;
    let reply = reply?;
    let Body::Report(report) = &reply else {
        return Err(format!("reading the sensor: {reply:?}").into());
    };
    let value = report
        .values
        .iter()
        .flatten()
        .next()
        .ok_or("no temperature")?;
    if value.value != [0x19, 0x08, 0x66] {
        return Err(format!("the sensor reported {}", hex(&value.value)).into());
    }
    println!(
        "4. {OWNER} read the sleeping sensor: held at the relay, answered when it woke: 21.50 °C\n   {}",
        meter.step(counts(&owner_app, &lamp_node, &sensor_node, Some(&guest_app)))
    );

    // 5. Re-homing to the third provider, and the other app following.
    let lamps_info = RelayInfo {
        credential: SignedStatement::decode(&lamps_relay.statement(&format!("_relay@{LAMPS}"))?)
            .map_err(|e| e.to_string())?,
        endpoints: vec![format!("iotp2p+udp://{lamps_at}")],
        unknown_fields: Default::default(),
    };
    let moved = owner_app.rehome(LAMP, LAMP_MOVED, Some(lamps_info)).await?;
    let rehomed = lamp_node.rehomed(Duration::from_secs(20)).await?;
    lamps_node
        .register_moved(&moved.statement, &moved.credential)
        .await?;
    owner_app.release(LAMP, Some(&moved.statement)).await?;
    lamp_node.move_home(&rehomed).await?;
    let level = SetLevel {
        level: 30,
        transition: None,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    let reply = guest_app.ask(LAMP, invoke(1, 7, 8, Some(level))).await?;
    expect_done("setting the level at the previous address", &reply)?;
    let level_now = lamp_node
        .with_profile(|p| match p {
            Profile::Lamp(l) => Some(l.light().level),
            _ => None,
        })
        .await?;
    if level_now != Some(30) {
        return Err("the lamp did not take the level sent to its previous address".into());
    }
    if guest_app.current(LAMP) != LAMP_MOVED {
        return Err(format!("{GUEST} did not follow the lamp to {LAMP_MOVED}").into());
    }
    let reply = owner_app.ask(LAMP_MOVED, invoke(1, 6, 8, None)).await?;
    expect_done("switching the lamp off at its new address", &reply)?;
    println!(
        "5. {OWNER} moved the lamp to {LAMP_MOVED}; {GUEST} set level 30 at {LAMP}, \
         forwarded by the previous relay, and followed the lamp when it told of its move; \
         {OWNER} switched it off at {LAMP_MOVED}\n   {}",
        meter.step(counts(
            &owner_app,
            &lamp_node,
            &sensor_node,
            Some(&guest_app)
        ))
    );

    guest_app.stop(Duration::from_secs(5)).await?;
    owner_app.stop(Duration::from_secs(5)).await?;
    lamp_node.stop(Duration::from_secs(5)).await?;
    sensor_node.stop(Duration::from_secs(5)).await?;
    other_node.stop(Duration::from_secs(5)).await?;
    home_node.stop(Duration::from_secs(5)).await?;
    lamps_node.stop(Duration::from_secs(5)).await?;
    Ok(())
}
