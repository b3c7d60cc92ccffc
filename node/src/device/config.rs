//! A device's configuration file (TOML), read into what [`DeviceFile::setup`] turns into a
//! [`DeviceSetup`] for the profile chosen on the command line. Errors as for every configuration of
//! the node binary ([`crate::config`]): file:line:column, what and why; unknown keys refused.
//!
//! ```toml
//! address = "lamp@home.example.org"    # the device's address
//! bind = "127.0.0.1:5790"              # a specific address, not a wildcard (IOTP-UDP-6)
//! home_relay = "127.0.0.1:5783"        # its home relay's transport address
//! relay_credential = "…"               # the relay's credential (a CCS, hex): EDHOC by kid (§8.7)
//! sleep_interval = 300                 # a sensor's sleep between wakes, in seconds (default 60)
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

use std::net::SocketAddr;
use std::path::Path;

use iotp2p_device::info::{DeviceInfo, MAX_NAME};
use iotp2p_device::lamp::Lamp;
use iotp2p_device::lock::Lock;
use iotp2p_device::profile::Profile;
use iotp2p_device::sensor::Sensor;
use iotp2p_protocol::engine::KnownPeer;
use iotp2p_protocol::security::edhoc::LocalIdentity;
use toml_edit::Table;

use super::DeviceSetup;
use crate::config::{ConfigError, Locator};

/// The sleep between a sensor's wakes when the file gives none, in seconds.
pub const DEFAULT_SLEEP: u32 = 60;

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

/// A device's configuration.
#[derive(Debug)]
pub struct DeviceFile {
    address: String,
    bind: SocketAddr,
    home_relay: SocketAddr,
    relay_credential: Vec<u8>,
    sleep_interval: u32,
    identity: LocalIdentity,
    peers: Vec<KnownPeer>,
    vendor: String,
    product: String,
    name: String,
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
                "identity",
                "peers",
                "info",
            ],
        )?;
        let address = at.address(root, "address")?;
        let bind = at.parsed(root, "bind", "an IP address and port, as 127.0.0.1:5790")?;
        let home_relay = at.parsed(
            root,
            "home_relay",
            "an IP address and port, as 127.0.0.1:5783",
        )?;
        let relay_credential = at.credential(root, "relay_credential")?;
        let mut sleep_interval = DEFAULT_SLEEP;
        at.at_least(root, "sleep_interval", 1, "IOTP-IM-25", &mut sleep_interval)?;
        let identity = match root.get("identity") {
            Some(item) => at.identity(root, item)?,
            None => {
                return Err(at.error(
                    0,
                    "no [identity]",
                    "a device needs its EDHOC identity to attach to its relay",
                ))
            }
        };
        let mut peers = Vec::new();
        if let Some(item) = root.get("peers") {
            let table = item
                .as_table()
                .ok_or_else(|| at.error(at.value_at(root, "peers"), "peers", "a table"))?;
            for (peer, _) in table.iter() {
                iotp2p_protocol::address::check(peer).map_err(|e| {
                    let key = table
                        .key(peer)
                        .and_then(|k| k.span())
                        .map_or(0, |s| s.start);
                    at.error(key, &format!("peer {peer:?}"), &format!("{e:?}"))
                })?;
                peers.push(KnownPeer {
                    credential: at.credential(table, peer)?,
                    address: Some(peer.to_owned()),
                    node: None,
                });
            }
        }
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
        Ok(DeviceFile {
            address,
            bind,
            home_relay,
            relay_credential,
            sleep_interval,
            identity,
            peers,
            vendor,
            product,
            name,
        })
    }

    /// The address the file gives the device.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The setup of a device of `kind` from this file.
    pub fn setup(self, kind: ProfileKind) -> DeviceSetup {
        let mut info = DeviceInfo::new(self.vendor, self.product);
        info.name = self.name;
        let profile = match kind {
            ProfileKind::Lamp => Profile::Lamp(Lamp::new(info, 1, 254)),
            ProfileKind::Sensor => {
                Profile::Sensor(Sensor::new(info, (-4000, 8500), 50), self.sleep_interval)
            }
            ProfileKind::Lock => Profile::Lock(Lock::new(info)),
        };
        DeviceSetup {
            profile,
            address: self.address,
            bind: self.bind,
            home_relay: self.home_relay,
            relay_credential: self.relay_credential,
            identity: self.identity,
            peers: self.peers,
        }
    }
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
