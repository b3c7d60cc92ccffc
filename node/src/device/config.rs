//! A device's configuration file (TOML), read into what [`DeviceFile::setup`] turns into a
//! [`DeviceSetup`] for the profile chosen on the command line. Errors as for every configuration of
//! the node binary ([`crate::config`]): file:line:column, what and why; unknown keys refused.
//!
//! A device is either provisioned by its file (`address`, `home_relay`, `relay_credential`, and the
//! apps of `[peers]`), or it comes out of its box (`[factory]`) and a controller claims it over its
//! link, giving it its address and home relay (spec §8.3):
//!
//! ```toml
//! [factory]                            # what the factory wrote; instead of address and relay
//! identity_key = "…"                   # its ES256 identity key (its node ID), 32 bytes of hex
//! passcode = 20202021                  # the printed passcode (eight digits at most)
//! salt = "…"                           # the verifier's PBKDF2 salt, 16 to 32 bytes (default: 16 × 0x5a)
//! iterations = 1000                    # the verifier's PBKDF2 iterations (1000 to 100000)
//! ```
//!
//! A provisioned device:
//!
//! ```toml
//! address = "lamp@home.example.org"    # the device's address
//! bind = "127.0.0.1:5790"              # a specific address, not a wildcard (IOTP-UDP-6)
//! home_relay = "127.0.0.1:5783"        # its home relay's transport address
//! relay_credential = "…"               # the relay's credential (a CCS, hex): EDHOC by kid (§8.7)
//! sleep_interval = 300                 # a sensor's sleep between wakes, in seconds (default 60)
//! presence_interval = 300              # a lamp's or lock's presence to its relay, in seconds
//!                                      # (default 300; below 900, HOP_BINDING_MIN: IOTP-SEC-173)
//!
//! [identity]                           # the device's EDHOC identity (spec §8.4), lowercase hex
//! key = "…"                            # its P-256 authentication private key, 32 bytes
//! credential = "…"                     # its credential (a CCS naming its node ID)
//!
//! [peers]                              # the apps that may run EDHOC with it, by address
//! "app@example.net" = "…"              # each app's credential
//!
//! [info]                               # DeviceInfo (each at most 32 bytes)
//! vendor = "iotp2p"
//! product = "Reference Lamp"
//! name = "kitchen"                     # the owner's name for it; empty by default
//! ```
//!
//! Either kind may advertise itself on its link with DNS-SD (spec §3.3): `_p` and its
//! discriminator while its pairing window is open, its address once it has one:
//!
//! ```toml
//! [discovery]
//! bind = "0.0.0.0:5353"                # the responder's socket: on port 5353 of 0.0.0.0 it joins
//!                                      # the mDNS group; elsewhere it answers unicast queries only
//! instance = "Kitchen ceiling"         # the service instance name, for people (1 to 63 bytes)
//! host = "lamp-3f2a"                   # its host name's label under local.
//! discriminator = 742                  # its setup payload's discriminator (0 to 999; default 0)
//! advertise_address = true             # advertise its address (`_a<hash>`, TXT a); default true
//! ```

use std::net::SocketAddr;
use std::path::Path;

use iotp2p_device::info::{DeviceInfo, MAX_NAME};
use iotp2p_device::lamp::Lamp;
use iotp2p_device::lock::Lock;
use iotp2p_device::profile::Profile;
use iotp2p_device::sensor::Sensor;
use iotp2p_protocol::engine::KnownPeer;
use iotp2p_protocol::security::edhoc::LocalIdentity;
use iotp2p_protocol::security::spake2plus::ProverSecret;
use iotp2p_protocol::security::IdentityKey;
use iotp2p_protocol::server::security::Manufactured;
use toml_edit::{Item, Table};

use super::{DeviceSetup, DiscoverySetup, Provisioning};
use crate::config::{ConfigError, Locator};

/// The sleep between a sensor's wakes when the file gives none, in seconds.
pub const DEFAULT_SLEEP: u32 = 60;

/// How often a device that stays awake announces itself when the file does not say, in seconds: a
/// third of HOP_BINDING_MIN, so that two lost presences in a row still leave its hop bound.
pub const DEFAULT_PRESENCE_INTERVAL: u32 = 300;

/// HOP_BINDING_MIN of spec §8.7.1 in seconds: a presence interval must stay below it ([IOTP-SEC-173]).
const HOP_BINDING_MIN_S: u32 = (iotp2p_protocol::relay::binding::HOP_BINDING_MIN / 1_000) as u32;

/// The profiles a device can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileKind {
    /// A dimmable lamp.
    Lamp,
    /// A sleeping temperature sensor.
    Sensor,
    /// A door lock.
    Lock,
}

/// Where a device's address and home relay come from.
enum Source {
    /// The file gives them.
    File {
        address: String,
        home_relay: SocketAddr,
        relay_credential: Vec<u8>,
    },
    /// A controller will: what the factory wrote.
    Factory {
        identity_key: [u8; 32],
        passcode: u32,
        salt: Vec<u8>,
        iterations: u32,
    },
}

/// A device's configuration.
pub struct DeviceFile {
    source: Source,
    bind: SocketAddr,
    sleep_interval: u32,
    presence_interval: u32,
    identity: LocalIdentity,
    /// The identity's credential (a CCS), for the credential statements of a claimed device.
    auth_credential: Vec<u8>,
    peers: Vec<KnownPeer>,
    vendor: String,
    product: String,
    name: String,
    discovery: Option<DiscoverySetup>,
}

impl DeviceFile {
    /// Reads the configuration file at `path`.
    pub fn read(path: &Path) -> Result<DeviceFile, ConfigError> {
        let text = crate::config::read(path)?;
        DeviceFile::parse(&path.display().to_string(), &text)
    }

    /// Parses `text`, the file `name`.
    pub fn parse(name: &str, text: &str) -> Result<DeviceFile, ConfigError> {
        let at = Locator { name, text };
        let doc = at.document()?;
        let root = at.root(
            &doc,
            &[
                "address",
                "bind",
                "home_relay",
                "relay_credential",
                "sleep_interval",
                "presence_interval",
                "identity",
                "peers",
                "info",
                "factory",
                "discovery",
            ],
        )?;
        let source = match root.get("factory") {
            Some(item) => {
                for key in ["address", "home_relay", "relay_credential"] {
                    if root.contains_key(key) {
                        return Err(at.error(
                            at.value_at(root, key),
                            key,
                            "a device out of its box ([factory]) is given its address and home \
                             relay by the controller that claims it, not by its file",
                        ));
                    }
                }
                factory(&at, root, item)?
            }
            None => Source::File {
                address: at.address(root, "address")?,
                home_relay: at.parsed(
                    root,
                    "home_relay",
                    "an IP address and port, as 127.0.0.1:5783",
                )?,
                relay_credential: at.credential(root, "relay_credential")?,
            },
        };
        let bind = at.parsed(root, "bind", "an IP address and port, as 127.0.0.1:5790")?;
        let mut sleep_interval = DEFAULT_SLEEP;
        at.at_least(root, "sleep_interval", 1, "IOTP-IM-25", &mut sleep_interval)?;
        let mut presence_interval = DEFAULT_PRESENCE_INTERVAL;
        at.at_least(
            root,
            "presence_interval",
            1,
            "IOTP-SEC-173",
            &mut presence_interval,
        )?;
        if presence_interval >= HOP_BINDING_MIN_S {
            return Err(at.error(
                at.value_at(root, "presence_interval"),
                "presence_interval",
                &format!(
                    "{presence_interval} s is not below HOP_BINDING_MIN ({HOP_BINDING_MIN_S} s): the \
                     relay would unbind the device's hop between two presences ([IOTP-SEC-173])"
                ),
            ));
        }
        let (identity, auth_credential) = at.required_identity(
            root,
            "a device needs its EDHOC identity to attach to its relay",
        )?;
        let peers = at.known_peers(root, "peers")?;
        let (vendor, product, name) = match root.get("info") {
            Some(item) => {
                let info = item
                    .as_table()
                    .ok_or_else(|| at.error(at.value_at(root, "info"), "info", "a table"))?;
                at.only(info, &["vendor", "product", "name"])?;
                (
                    text_of(&at, info, "vendor", "iotp2p")?,
                    text_of(&at, info, "product", "Reference device")?,
                    text_of(&at, info, "name", "")?,
                )
            }
            None => ("iotp2p".into(), "Reference device".into(), String::new()),
        };
        let discovery = match root.get("discovery") {
            Some(item) => Some(discovery(&at, root, item)?),
            None => None,
        };
        Ok(DeviceFile {
            source,
            bind,
            sleep_interval,
            presence_interval,
            identity,
            auth_credential,
            peers,
            vendor,
            product,
            name,
            discovery,
        })
    }

    /// The address the file gives the device, if it gives one.
    pub fn address(&self) -> Option<&str> {
        match &self.source {
            Source::File { address, .. } => Some(address),
            Source::Factory { .. } => None,
        }
    }

    /// The setup of a device of `kind` from this file.
    pub fn setup(self, kind: ProfileKind) -> Result<DeviceSetup, String> {
        let mut info = DeviceInfo::new(self.vendor, self.product);
        info.name = self.name;
        let profile = match kind {
            ProfileKind::Lamp => Profile::Lamp(Lamp::new(info, 1, 254)),
            ProfileKind::Sensor => {
                Profile::Sensor(Sensor::new(info, (-4000, 8500), 50), self.sleep_interval)
            }
            ProfileKind::Lock => Profile::Lock(Lock::new(info)),
        };
        let provisioning = match self.source {
            Source::File {
                address,
                home_relay,
                relay_credential,
            } => Provisioning::Configured {
                address,
                home_relay,
                relay_credential,
            },
            Source::Factory {
                identity_key,
                passcode,
                salt,
                iterations,
            } => {
                // What the factory does: the verifier from the passcode; the device keeps only it.
                let verifier = ProverSecret::from_passcode(passcode, &salt, iterations)
                    .map_err(|e| format!("the passcode's verifier: {e}"))?
                    .record();
                let identity = IdentityKey::from_bytes(&identity_key)
                    .map_err(|_| "the identity key is not a P-256 private key".to_string())?;
                Provisioning::Unclaimed(Box::new(Manufactured {
                    identity,
                    auth_credentials: vec![self.auth_credential],
                    verifier,
                    salt,
                    iterations,
                    suites: vec![2],
                }))
            }
        };
        Ok(DeviceSetup {
            profile,
            bind: self.bind,
            provisioning,
            identity: self.identity,
            peers: self.peers,
            timing: Default::default(),
            seed: None,
            presence_interval: std::time::Duration::from_secs(self.presence_interval.into()),
            discovery: self.discovery,
        })
    }
}

/// What the `[factory]` table says.
fn factory(at: &Locator<'_>, root: &Table, item: &Item) -> Result<Source, ConfigError> {
    let table = item
        .as_table()
        .ok_or_else(|| at.error(at.value_at(root, "factory"), "factory", "a table"))?;
    at.only(table, &["identity_key", "passcode", "salt", "iterations"])?;
    let identity_key: [u8; 32] = at.hex(table, "identity_key")?.try_into().map_err(|_| {
        at.error(
            at.value_at(table, "identity_key"),
            "identity_key",
            "32 bytes of hex",
        )
    })?;
    let passcode = table
        .get("passcode")
        .and_then(Item::as_integer)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= 99_999_999)
        .ok_or_else(|| {
            at.error(
                at.value_at(table, "passcode"),
                "passcode",
                "the printed passcode: a number of at most eight digits",
            )
        })?;
    let salt = match table.get("salt") {
        Some(_) => at.hex(table, "salt")?,
        None => vec![0x5a; 16],
    };
    if !(16..=32).contains(&salt.len()) {
        return Err(at.error(
            at.value_at(table, "salt"),
            "salt",
            "16 to 32 bytes ([IOTP-SEC-22])",
        ));
    }
    let mut iterations = 1000;
    at.at_least(table, "iterations", 1000, "IOTP-SEC-23", &mut iterations)?;
    Ok(Source::Factory {
        identity_key,
        passcode,
        salt,
        iterations,
    })
}

/// What the `[discovery]` table says.
fn discovery(at: &Locator<'_>, root: &Table, item: &Item) -> Result<DiscoverySetup, ConfigError> {
    let table = item
        .as_table()
        .ok_or_else(|| at.error(at.value_at(root, "discovery"), "discovery", "a table"))?;
    at.only(
        table,
        &[
            "bind",
            "instance",
            "host",
            "discriminator",
            "advertise_address",
        ],
    )?;
    let bind = at.parsed(table, "bind", "an IP address and port, as 0.0.0.0:5353")?;
    let instance = at.string(table, "instance")?;
    let host = at.string(table, "host")?;
    let discriminator = match table.get("discriminator") {
        None => 0,
        Some(value) => value
            .as_integer()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| *n <= 999)
            .ok_or_else(|| {
                at.error(
                    at.value_at(table, "discriminator"),
                    "discriminator",
                    "an integer from 0 to 999 (three digits of the manual pairing code, §8.3.1)",
                )
            })?,
    };
    let advertise_address = match table.get("advertise_address") {
        None => true,
        Some(value) => value.as_bool().ok_or_else(|| {
            at.error(
                at.value_at(table, "advertise_address"),
                "advertise_address",
                "true or false",
            )
        })?,
    };
    let setup = DiscoverySetup {
        bind,
        instance,
        host,
        discriminator,
        advertise_address,
    };
    // The names must make records: refused here with the file's position, not at start.
    setup
        .advertisement(setup.bind, None, false)
        .records()
        .map_err(|e| {
            let key = match e {
                crate::discovery::records::AdvertisementError::Instance(_) => "instance",
                crate::discovery::records::AdvertisementError::Host(_) => "host",
            };
            at.error(at.value_at(table, key), key, &e.to_string())
        })?;
    Ok(setup)
}

/// A `DeviceInfo` text of at most 32 bytes, or `default`.
fn text_of(
    at: &Locator<'_>,
    table: &Table,
    key: &str,
    default: &str,
) -> Result<String, ConfigError> {
    if table.get(key).is_none() {
        return Ok(default.into());
    }
    let text = at.string(table, key)?;
    if text.len() > MAX_NAME {
        return Err(at.error(
            at.value_at(table, key),
            key,
            &format!(
                "{} bytes, more than the {MAX_NAME} DeviceInfo allows",
                text.len()
            ),
        ));
    }
    Ok(text)
}
