//! An app's configuration file (TOML), read into an [`AppSetup`]. Errors as for every configuration
//! of the node binary ([`crate::config`]): file:line:column, what and why; unknown keys refused.
//!
//! ```toml
//! address = "app@example.net"          # the app's address
//! bind = "127.0.0.1:0"                 # a specific address, not a wildcard (IOTP-UDP-6)
//! home_relay = "127.0.0.1:5784"        # its home relay's transport address
//! relay_credential = "…"               # the relay's credential (a CCS, hex)
//! identity_key = "…"                   # its ES256 identity key (its node ID), 32 bytes of hex
//! reply_timeout = 30                   # seconds to wait for a reply (a sleeping device's included)
//!
//! [identity]                           # its EDHOC identity (spec §8.4)
//! key = "…"
//! credential = "…"                     # a CCS naming its node ID
//!
//! [devices]                            # devices it knows, by address: their credentials (CCS)
//! "lamp@home.example.org" = "…"
//! ```

use std::path::Path;
use std::time::Duration;

use iotp2p_protocol::security::statement::sign_own_credential;
use iotp2p_protocol::security::{IdentityKey, NodeId};

use super::AppSetup;
use crate::config::{ConfigError, Locator};

/// An app's configuration, and its node ID.
pub struct AppFile {
    /// How to start it.
    pub setup: AppSetup,
    /// Its node ID (its identity key's), which the devices it claims name in their ACL.
    pub node_id: NodeId,
}

impl AppFile {
    /// Reads the configuration file at `path`.
    pub fn read(path: &Path) -> Result<AppFile, ConfigError> {
        let text = crate::config::read(path)?;
        AppFile::parse(&path.display().to_string(), &text)
    }

    /// Parses `text`, the file `name`.
    pub fn parse(name: &str, text: &str) -> Result<AppFile, ConfigError> {
        let at = Locator { name, text };
        let doc = at.document()?;
        let root = at.root(
            &doc,
            &[
                "address",
                "bind",
                "home_relay",
                "relay_credential",
                "identity_key",
                "reply_timeout",
                "identity",
                "devices",
            ],
        )?;
        let address = at.address(root, "address")?;
        let bind = at.parsed(root, "bind", "an IP address and port, as 127.0.0.1:0")?;
        let home_relay = at.parsed(
            root,
            "home_relay",
            "an IP address and port, as 127.0.0.1:5784",
        )?;
        let relay_credential = at.credential(root, "relay_credential")?;
        let key: [u8; 32] = at.hex(root, "identity_key")?.try_into().map_err(|_| {
            at.error(
                at.value_at(root, "identity_key"),
                "identity_key",
                "32 bytes of hex",
            )
        })?;
        let identity_key = IdentityKey::from_bytes(&key).map_err(|_| {
            at.error(
                at.value_at(root, "identity_key"),
                "identity_key",
                "not a P-256 private key",
            )
        })?;
        let mut reply_timeout = 30;
        at.at_least(
            root,
            "reply_timeout",
            1,
            "a positive number of seconds",
            &mut reply_timeout,
        )?;
        let (identity, ccs) = at.required_identity(root, "an app needs its EDHOC identity")?;
        let statement = sign_own_credential(&identity_key, &ccs, Some(&address), 1)
        .map_err(|e| {
            at.error(
                at.value_at(root, "identity_key"),
                "identity_key",
                &format!("its credential statement: {e:?} (does [identity].credential name its node ID?)"),
            )
        })?;
        let devices = at.known_peers(root, "devices")?;
        let node_id = identity_key.node_id();
        Ok(AppFile {
            node_id,
            setup: AppSetup {
                address,
                bind,
                home_relay,
                relay_credential,
                identity,
                statement,
                devices,
                reply_timeout: Duration::from_secs(reply_timeout.into()),
                identity_key,
                timing: Default::default(),
                seed: None,
            },
        })
    }
}
