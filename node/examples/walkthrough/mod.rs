//! The walk-through of spec chapter 12 on real UDP sockets on loopback, as one function that both the
//! demo (`examples/demo.rs`) and the lossy walk-through test (`tests/walkthrough.rs`) run: three
//! providers' home relays that route each other's domains, a lamp out of its box, a sleeping
//! temperature sensor, and two apps of different vendors on different providers.
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
//! 5. The owner moves the lamp to a third provider as `lamp@lamps.example.org` (`rehome`), registers
//!    it there (the third provider's call) and releases it at the first with its re-homing statement
//!    (`release` over the wire). The other vendor's app, which has not heard of the move,
//!    sets the level at the previous address: the previous relay forwards the request to the new
//!    one, and the lamp, attached there, tells the app of its move (`apply_statement`) before it
//!    answers; the app then reaches it at its new address.
//!
//! The relays find each other through DNS (§3.2): an authoritative name server on loopback serves
//! each domain's zone (an SRV record naming its relay, the TXT record with the relay's ID, the relay's
//! address), and each relay resolves the other domains at start (`resolve` in its configuration)
//! instead of being given routes. They talk over DTLS 1.3 (§3.9.1), each with a certificate for its
//! SRV target from a CA the run makes. The apps and devices are given their relay's address, as a
//! provider's set-up or a claim would.
//!
//! With [`Options::lossy`], every pair of nodes that talk does so through a lossy link of its own
//! (`iotp2p_node::link`), each seeded from the options' seed, and every node runs the spec's timers
//! divided by ten, so that the retransmissions the losses need take seconds. Each relay then has a
//! name server of its own, whose zones give the addresses of the links through which it reaches the
//! other relays.
//!
//! Every node and link is owned by the run: on an error they are dropped, which stops their tasks.

#[path = "../pki/mod.rs"]
mod pki;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use iotp2p_codec::capabilities::owned::SetLevel;
use iotp2p_codec::core::owned::{Body, InvokeRequest, ReadRequest};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};
use iotp2p_device::profile::Profile;
use iotp2p_node::app::{AppFile, UdpApp};
use iotp2p_node::device::{DeviceFile, ProfileKind, UdpDevice};
use iotp2p_node::discovery::{browse, Looking};
use iotp2p_node::dns::{DnsServer, Zone};
use iotp2p_node::link::{Impairments, LinkConfig, LinkCounts, LossyLink};
use iotp2p_node::relay::{RelayFile, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::udp::Counts;
use iotp2p_protocol::engine::KnownPeer;
use iotp2p_protocol::params::Timing;
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::statement::sign_own_credential;
use iotp2p_protocol::security::IdentityKey;
use iotp2p_protocol::server::acl::privilege;
use p256::elliptic_curve::sec1::ToEncodedPoint;

pub type Error = Box<dyn std::error::Error>;

const HOME: &str = "home.example.org";
const OTHER: &str = "example.net";
const LAMP: &str = "lamp@home.example.org";
const SENSOR: &str = "sensor@home.example.org";
const OWNER: &str = "app@home.example.org";
const GUEST: &str = "app@example.net";
const LAMPS: &str = "lamps.example.org";
const LAMP_MOVED: &str = "lamp@lamps.example.org";
/// The providers' domains, each with one relay.
const DOMAINS: [&str; 3] = [HOME, OTHER, LAMPS];
const PASSCODE: u32 = 20_202_021;
/// The discriminator of the lamp's setup code: how the owner's app finds it on the link (spec §3.3).
const DISCRIMINATOR: u16 = 742;
/// The enrolment token the home provider gave the owner at sign-up (spec §3.6.1.1).
const TOKEN: [u8; 16] = *b"smith-household!";
/// The actions the walk-through invokes on the lamp: on, level 80, level 30, off.
pub const LAMP_ACTIONS: u32 = 4;
/// The temperature readings it asks of the sensor.
pub const SENSOR_READINGS: u32 = 1;
/// Wakes of the sensor's timer while a request waits for it: each takes under a second.
const MAX_WAKES: u32 = 20;
/// How long a node waits for an administrator's call (claim, rehome).
const ADMIN_WAIT: Duration = Duration::from_secs(20);

/// How to run the walk-through.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Lossy links between every pair of nodes that talk, instead of direct paths.
    pub lossy: Option<Lossy>,
}

/// The links' impairments, the same on every link and both ways.
#[derive(Clone, Debug)]
pub struct Lossy {
    /// What each link does to what it carries.
    pub impairments: Impairments,
    /// The first link's seed; each further link takes the next.
    pub seed: u64,
}

/// What a run that succeeded measured.
#[derive(Debug)]
pub struct Outcome {
    /// Each link's counters at the end, by the pair it joins.
    pub links: Vec<(&'static str, LinkCounts)>,
    /// The actions the lamp ran ([`iotp2p_device::lamp::Lamp::actions_run`]).
    pub lamp_actions: u32,
    /// The temperature readings the sensor served.
    pub sensor_readings: u32,
    /// Datagrams all nodes sent.
    pub sent: u64,
}

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

/// A free port on loopback: nodes and links need each other's addresses before they start.
fn free_port() -> Result<SocketAddr, Error> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?)
}

/// The paths between the nodes: direct, or each through a lossy link of its own.
struct Paths {
    lossy: Option<Lossy>,
    links: Vec<(&'static str, LossyLink)>,
}

impl Paths {
    /// Where `a` sends to reach `b`, and where `b` sends to reach `a`.
    async fn between(
        &mut self,
        name: &'static str,
        a: SocketAddr,
        b: SocketAddr,
    ) -> Result<(SocketAddr, SocketAddr), Error> {
        let Some(lossy) = &self.lossy else {
            return Ok((b, a));
        };
        let seed = lossy.seed.wrapping_add(self.links.len() as u64);
        let config = LinkConfig::symmetric(seed, lossy.impairments.clone());
        let link = LossyLink::start(config, a, b).await?;
        let ends = (link.a_side(), link.b_side());
        self.links.push((name, link));
        Ok(ends)
    }

    /// How long an app waits for a reply: the app's default, or three times it over lossy links,
    /// where a run of losses on one hop holds the messages behind it for as long as that hop's
    /// retransmissions take (up to some 19 s there), and a request and its reply cross four hops.
    fn reply_timeout(&self) -> Duration {
        match self.lossy {
            Some(_) => Duration::from_secs(90),
            None => Duration::from_secs(30),
        }
    }

    /// The seed of the randomness of the node with `keys` over lossy links, so that a run replays
    /// from its seed on tokio's paused clock; on clean links the nodes draw from the system.
    fn seed(&self, keys: &Keys) -> Option<u64> {
        let lossy = self.lossy.as_ref()?;
        Some(lossy.seed ^ (u64::from(keys.identity[0]) << 32))
    }

    /// The message layer's timers: the spec's, or divided by ten over lossy links so that the
    /// retransmissions the losses need take seconds, not minutes. Over lossy links each node also
    /// retransmits six times rather than four, as a deployment on such links would configure
    /// ([IOTP-MSG-134]): at 20 % loss each way a transmission and its acknowledgement both arrive
    /// with probability 0.64, so a hop transmission fails once in 165 with MAX_RETRANSMIT 4
    /// (0.36^5) and once in 1,270 with 6 (0.36^7), and the walk-through makes over a hundred of them.
    /// An app's request whose transmission failed goes once more ([IOTP-MSG-149]), which makes its
    /// loss once in some 1.6 million.
    fn timing(&self) -> Timing {
        match self.lossy {
            Some(_) => Timing {
                ack_timeout: 200,
                max_retransmit: 6,
                ..Timing::default()
            },
            None => Timing::default(),
        }
    }
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

fn set_level(level: u8, transition: Option<u16>) -> Result<Body, Error> {
    let input = SetLevel {
        level,
        transition,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    Ok(invoke(1, 7, 8, Some(input)))
}

fn expect_done(step: &str, reply: &Body) -> Result<(), Error> {
    match reply {
        Body::InvokeResponse(_) => Ok(()),
        other => Err(format!("{step}: the device answered {other:?}").into()),
    }
}

/// The light of the lamp `device` runs.
async fn light(device: &UdpDevice) -> Result<iotp2p_device::lamp::Light, Error> {
    device
        .with_profile(|p| match p {
            Profile::Lamp(l) => Some(l.light()),
            _ => None,
        })
        .await?
        .ok_or_else(|| "not a lamp".into())
}

/// A relay of `domain` on `bind`, started from its configuration's `rest` (addresses, credentials,
/// accounts), with its store in `dir`, that finds the other providers' relays through
/// `name_server` and talks to them over DTLS with a certificate from `ca`.
#[allow(clippy::too_many_arguments)]
async fn relay(
    ca: &pki::TestCa,
    dir: &Path,
    domain: &str,
    bind: SocketAddr,
    keys: &Keys,
    name_server: SocketAddr,
    rest: &str,
    paths: &Paths,
) -> Result<UdpRelay, Error> {
    let others: Vec<String> = DOMAINS
        .iter()
        .filter(|d| **d != domain)
        .map(|d| format!("\"{d}\""))
        .collect();
    let mut file = RelayFile::parse(
        &format!("{domain}.toml"),
        &format!(
            "domain = \"{domain}\"\nbind = \"{bind}\"\nstore = \"{domain}.sqlite\"\n\
             host = \"{}\"\nname_server = \"{name_server}\"\nresolve = [{}]\n{rest}\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n{}",
            relay_host(domain),
            others.join(", "),
            hex(&keys.auth),
            hex(&keys.ccs),
            ca.dtls_table(dir, &relay_host(domain)),
        ),
        dir,
    )?;
    file.setup.relay.timing = paths.timing();
    file.setup.service.timing = paths.timing();
    file.setup.seed = paths.seed(keys);
    let store = Box::new(SqliteStore::open(&file.store)?);
    Ok(UdpRelay::start(file.setup, store).await?)
}

/// An app with `address` on `bind`, whose home relay is at `relay` with the credential `relay_ccs`,
/// with the timers and reply timeout of `paths`.
async fn app(
    address: &str,
    bind: SocketAddr,
    relay: SocketAddr,
    relay_ccs: &[u8],
    keys: &Keys,
    paths: &Paths,
    devices: Vec<KnownPeer>,
) -> Result<(UdpApp, iotp2p_protocol::security::NodeId), Error> {
    let mut file = AppFile::parse(
        "app.toml",
        &format!(
            "address = \"{address}\"\nbind = \"{bind}\"\nhome_relay = \"{relay}\"\n\
             relay_credential = \"{}\"\nidentity_key = \"{}\"\n\n[identity]\nkey = \"{}\"\n\
             credential = \"{}\"\n",
            hex(relay_ccs),
            hex(&keys.identity),
            hex(&keys.auth),
            hex(&keys.ccs),
        ),
    )?;
    file.setup.timing = paths.timing();
    file.setup.reply_timeout = paths.reply_timeout();
    file.setup.seed = paths.seed(keys);
    file.setup.devices = devices;
    let node = file.node_id;
    Ok((UdpApp::start(file.setup).await?, node))
}

/// The relay information a device is given for the relay of `domain`, reached at `at`.
fn relay_info(keys: &Keys, domain: &str, at: SocketAddr) -> Result<RelayInfo, Error> {
    Ok(RelayInfo {
        credential: SignedStatement::decode(&keys.statement(&format!("_relay@{domain}"))?)
            .map_err(|e| e.to_string())?,
        endpoints: vec![format!("iotp2p+udp://{at}")],
        unknown_fields: Default::default(),
    })
}

/// The host name of the relay of `domain`: the target of the domain's SRV record.
fn relay_host(domain: &str) -> String {
    format!("relay.{domain}")
}

/// The zone file of `domain` (§3.2): one SRV record naming its relay, reached at `at`, the TXT
/// record with the relay's ID, and the relay's address.
fn zone(domain: &str, at: SocketAddr, relay: &Keys) -> Result<String, Error> {
    let rid = IdentityKey::from_bytes(&relay.identity)
        .map_err(|_| "identity key")?
        .node_id();
    let record = if at.is_ipv4() { "A" } else { "AAAA" };
    Ok(format!(
        "$ORIGIN {domain}.\n$TTL 60\n\
         @ IN SOA ns.{domain}. hostmaster.{domain}. ( 1 3600 600 86400 60 )\n\
         @ IN NS ns.{domain}.\nns IN A 127.0.0.1\n\
         _iotp2p._udp IN SRV 10 0 {} {}.\n\
         _iotp2p IN TXT \"v=iotp2p1; rid={}\"\n\
         relay IN {record} {}\n",
        at.port(),
        relay_host(domain),
        rid.to_text().as_str(),
        at.ip(),
    ))
}

/// The name servers of the relays: one for all when they see the same addresses, or one for each
/// view when each reaches the others through links of its own.
struct NameServers {
    servers: Vec<(Vec<SocketAddr>, DnsServer)>,
}

impl NameServers {
    /// The name server of a relay that reaches the relays of [`DOMAINS`] at `view`, each with its
    /// keys, serving their zones from `dir`.
    async fn serving(
        &mut self,
        dir: &Path,
        view: [SocketAddr; 3],
        relays: [&Keys; 3],
    ) -> Result<SocketAddr, Error> {
        if let Some((_, server)) = self.servers.iter().find(|(v, _)| v[..] == view[..]) {
            return Ok(server.addr());
        }
        let dir = dir.join(format!("zones-{}", self.servers.len()));
        std::fs::create_dir_all(&dir)?;
        let mut zones = Vec::new();
        for ((domain, at), keys) in DOMAINS.iter().zip(view).zip(relays) {
            let file = dir.join(format!("{domain}.zone"));
            std::fs::write(&file, zone(domain, at, keys)?)?;
            zones.push(Zone::new(domain, file));
        }
        let server = DnsServer::start((std::net::Ipv4Addr::LOCALHOST, 0).into(), &zones).await?;
        let at = server.addr();
        self.servers.push((view.to_vec(), server));
        Ok(at)
    }
}

/// Whether a sleeping device's presence went through: `false` when its transmission failed, which
/// the device meets by trying again at its next wake-up; any other error stands.
fn tolerate_lost(
    announced: Result<(), iotp2p_node::device::DeviceError>,
) -> Result<bool, iotp2p_node::device::DeviceError> {
    match announced {
        Ok(()) => Ok(true),
        Err(e) if e.is_presence_lost() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Runs the walk-through in `dir` (the relays' stores), printing each step; stops every node and
/// link before it returns.
pub async fn run(dir: &Path, options: Options) -> Result<Outcome, Error> {
    std::fs::create_dir_all(dir)?;
    let home_relay = Keys::new(0x41, 0x51, 1)?;
    let other_relay = Keys::new(0x42, 0x52, 2)?;
    let lamp = Keys::new(0x43, 0x53, 3)?;
    let sensor = Keys::new(0x44, 0x54, 4)?;
    let owner = Keys::new(0x45, 0x55, 5)?;
    let guest = Keys::new(0x46, 0x56, 6)?;
    let lamps_relay = Keys::new(0x47, 0x57, 7)?;
    let (home_at, other_at, lamps_at) = (free_port()?, free_port()?, free_port()?);
    let (lamp_at, sensor_at) = (free_port()?, free_port()?);
    let (owner_at, guest_at) = (free_port()?, free_port()?);

    let mut paths = Paths {
        lossy: options.lossy,
        links: Vec::new(),
    };
    let timing = paths.timing();
    // Each pair of nodes that talk, as (where the first sends, where the second sends).
    let (home_to_other, other_to_home) = paths.between("home-other", home_at, other_at).await?;
    let (home_to_lamps, lamps_to_home) = paths.between("home-lamps", home_at, lamps_at).await?;
    let (other_to_lamps, lamps_to_other) = paths.between("other-lamps", other_at, lamps_at).await?;
    let (owner_to_home, _) = paths.between("owner-home", owner_at, home_at).await?;
    let (owner_to_lamp, _) = paths.between("owner-lamp", owner_at, lamp_at).await?;
    let (lamp_to_home, _) = paths.between("lamp-home", lamp_at, home_at).await?;
    let (lamp_to_lamps, _) = paths.between("lamp-lamps", lamp_at, lamps_at).await?;
    let (sensor_to_home, _) = paths.between("sensor-home", sensor_at, home_at).await?;
    let (guest_to_other, _) = paths.between("guest-other", guest_at, other_at).await?;

    println!("iotp2p walk-through on loopback\n");
    // Each relay finds the others through its name server, whose zones give the addresses at which
    // it reaches them.
    let mut names = NameServers {
        servers: Vec::new(),
    };
    let relay_keys = [&home_relay, &other_relay, &lamps_relay];
    let home_ns = names
        .serving(dir, [home_at, home_to_other, home_to_lamps], relay_keys)
        .await?;
    let other_ns = names
        .serving(dir, [other_to_home, other_at, other_to_lamps], relay_keys)
        .await?;
    let lamps_ns = names
        .serving(dir, [lamps_to_home, lamps_to_other, lamps_at], relay_keys)
        .await?;
    let ca = pki::TestCa::new("iotp2p walk-through CA");
    let home_node = relay(
        &ca,
        dir,
        HOME,
        home_at,
        &home_relay,
        home_ns,
        &format!(
            "addresses = [\"{SENSOR}\", \"{OWNER}\"]\n\n[credentials]\n\
             \"{SENSOR}\" = \"{}\"\n\"{OWNER}\" = \"{}\"\n\n\
             [accounts.\"Smith household\"]\ndomains = [\"{HOME}\"]\nmax_registrations = 8\n\
             tokens = [\"{}\"]\n",
            hex(&sensor.ccs),
            hex(&owner.ccs),
            hex(&TOKEN),
        ),
        &paths,
    )
    .await?;
    let other_node = relay(
        &ca,
        dir,
        OTHER,
        other_at,
        &other_relay,
        other_ns,
        &format!(
            "addresses = [\"{GUEST}\"]\n\n[credentials]\n\"{GUEST}\" = \"{}\"\n",
            hex(&guest.ccs),
        ),
        &paths,
    )
    .await?;
    let lamps_node = relay(
        &ca,
        dir,
        LAMPS,
        lamps_at,
        &lamps_relay,
        lamps_ns,
        "addresses = []\n",
        &paths,
    )
    .await?;
    let servers: Vec<String> = names
        .servers
        .iter()
        .map(|(_, s)| s.addr().to_string())
        .collect();
    println!(
        "name server{} on {}: SRV and TXT records of {HOME}, {OTHER} and {LAMPS}",
        if servers.len() > 1 { "s" } else { "" },
        servers.join(", ")
    );
    println!(
        "relay of {HOME} on {home_at}, relay of {OTHER} on {other_at}, relay of {LAMPS} on {lamps_at}, \
         each found by the others through its domain's SRV records"
    );

    let lamp_file = DeviceFile::parse(
        "lamp.toml",
        &format!(
            "bind = \"{lamp_at}\"\n\n[factory]\nidentity_key = \"{}\"\npasscode = {PASSCODE}\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n[info]\nproduct = \"Demo Lamp\"\n\n\
             [discovery]\nbind = \"127.0.0.1:0\"\ninstance = \"Kitchen ceiling\"\nhost = \"lamp\"\n\
             discriminator = {DISCRIMINATOR}\n",
            hex(&lamp.identity),
            hex(&lamp.auth),
            hex(&lamp.ccs),
        ),
    )?;
    let mut setup = lamp_file.setup(ProfileKind::Lamp)?;
    setup.timing = timing;
    setup.seed = paths.seed(&lamp);
    let mut lamp_node = UdpDevice::start(setup).await?;
    println!("lamp out of its box on {lamp_at}, pairing window open");
    let sensor_file = DeviceFile::parse(
        "sensor.toml",
        &format!(
            "address = \"{SENSOR}\"\nbind = \"{sensor_at}\"\nhome_relay = \"{sensor_to_home}\"\n\
             relay_credential = \"{}\"\nsleep_interval = 30\n\n[identity]\nkey = \"{}\"\n\
             credential = \"{}\"\n\n[peers]\n\"{OWNER}\" = \"{}\"\n",
            hex(&home_relay.ccs),
            hex(&sensor.auth),
            hex(&sensor.ccs),
            hex(&owner.ccs),
        ),
    )?;
    let mut setup = sensor_file.setup(ProfileKind::Sensor)?;
    setup.timing = timing;
    setup.seed = paths.seed(&sensor);
    let mut sensor_node = UdpDevice::start(setup).await?;
    println!("{SENSOR} attached to its relay, asleep");

    let sensor_peer = KnownPeer {
        credential: sensor.ccs.clone(),
        address: Some(SENSOR.into()),
        node: None,
    };
    let (mut owner_app, me) = app(
        OWNER,
        owner_at,
        owner_to_home,
        &home_relay.ccs,
        &owner,
        &paths,
        vec![sensor_peer],
    )
    .await?;
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

    // 1. Find the lamp on its link by the discriminator of its setup code (DNS-SD, asked by unicast
    // on loopback), and claim it there.
    let responder = lamp_node
        .discovery_addr()
        .ok_or("the lamp does not advertise itself")?;
    let found = browse(
        (std::net::Ipv4Addr::LOCALHOST, 0).into(),
        responder,
        &Looking::Discriminator(DISCRIMINATOR),
        Duration::from_secs(5),
    )
    .await?;
    match &found[..] {
        [lamp] if lamp.at == lamp_at && lamp.pairing == Some(DISCRIMINATOR) => {}
        other => return Err(format!("DNS-SD found {other:?}, not the lamp at {lamp_at}").into()),
    }
    let enrolled = owner_app.enrol(&TOKEN).await?;
    let claimed = owner_app
        .claim(
            owner_to_lamp,
            PASSCODE,
            LAMP,
            Some(relay_info(&home_relay, HOME, lamp_to_home)?),
            &me,
        )
        .await?;
    owner_app.register(&claimed.statement, None).await?;
    lamp_node.commissioned(ADMIN_WAIT).await?;
    println!(
        "1. enrolled in {:?} at the relay, found the lamp by DNS-SD ({:?}, discriminator \
         {DISCRIMINATOR}), claimed it with its passcode: it is {LAMP}, node ID {},\n   \
         registered over the wire, attached to its relay\n   {}",
        enrolled.account,
        found[0].instance,
        claimed.node_id.to_text().as_str(),
        meter.step(counts(&owner_app, &lamp_node, &sensor_node, None))
    );

    // 2. Switch it on by address.
    let reply = owner_app.ask(LAMP, invoke(1, 6, 9, None)).await?;
    expect_done("switching the lamp on", &reply)?;
    if !light(&lamp_node).await?.on {
        return Err("the lamp did not switch on".into());
    }
    println!(
        "2. {OWNER} switched {LAMP} on through the relay (EDHOC first)\n   {}",
        meter.step(counts(&owner_app, &lamp_node, &sensor_node, None))
    );

    // 3. Another vendor's app on another provider, granted Invoke.
    let (mut guest_app, _) = app(
        GUEST,
        guest_at,
        guest_to_other,
        &other_relay.ccs,
        &guest,
        &paths,
        Vec::new(),
    )
    .await?;
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
        .await
        .map_err(|e| format!("granting {GUEST} Invoke: {e}"))?;
    let reply = guest_app
        .ask(LAMP, set_level(80, Some(10))?)
        .await
        .map_err(|e| format!("{GUEST} setting the level: {e}"))?;
    expect_done("setting the level", &reply)?;
    let level = light(&lamp_node).await?.level;
    if level != 80 {
        return Err(format!("the lamp is at level {level}, not 80").into());
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
    // as its timer would until the reply is in (twice on a clean path: once for the handshake, once
    // for the read).
    let answered = AtomicBool::new(false);
    let asking = async {
        let reply = owner_app.ask(SENSOR, read).await;
        answered.store(true, Ordering::Relaxed);
        reply
    };
    let waking = async {
        for _ in 0..MAX_WAKES {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if answered.load(Ordering::Relaxed) {
                break;
            }
            // A presence that the relay never acknowledged (a run of losses longer than the
            // retransmissions) is tried again at the next wake-up, as the sensor's timer would.
            if tolerate_lost(sensor_node.wake().await)? {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            tolerate_lost(sensor_node.sleep().await)?;
        }
        Ok::<_, iotp2p_node::device::DeviceError>(())
    };
    let (reply, woke) = tokio::join!(asking, waking);
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
    let lamps_info = relay_info(&lamps_relay, LAMPS, lamp_to_lamps)?;
    let moved = owner_app.rehome(LAMP, LAMP_MOVED, Some(lamps_info)).await?;
    let rehomed = lamp_node.rehomed(ADMIN_WAIT).await?;
    lamps_node
        .register_moved(&moved.statement, &moved.credential)
        .await?;
    owner_app.release(LAMP, Some(&moved.statement)).await?;
    lamp_node.move_home(&rehomed).await?;
    let reply = guest_app.ask(LAMP, set_level(30, None)?).await?;
    expect_done("setting the level at the previous address", &reply)?;
    if light(&lamp_node).await?.level != 30 {
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

    let lamp_actions = lamp_node
        .with_profile(|p| match p {
            Profile::Lamp(l) => l.actions_run(),
            _ => 0,
        })
        .await?;
    let sensor_readings = sensor_node
        .with_profile(|p| match p {
            Profile::Sensor(s, _) => s.readings(),
            _ => 0,
        })
        .await?;
    let sent = counts(&owner_app, &lamp_node, &sensor_node, Some(&guest_app))
        .iter()
        .map(|(_, c)| c.sent)
        .sum();

    let within = Duration::from_secs(5);
    guest_app.stop(within).await?;
    owner_app.stop(within).await?;
    lamp_node.stop(within).await?;
    sensor_node.stop(within).await?;
    other_node.stop(within).await?;
    home_node.stop(within).await?;
    lamps_node.stop(within).await?;
    for (_, server) in names.servers {
        server.stop(within).await;
    }
    let mut links = Vec::new();
    for (name, link) in paths.links {
        links.push((name, link.stop(within).await));
    }
    Ok(Outcome {
        links,
        lamp_actions,
        sensor_readings,
        sent,
    })
}
