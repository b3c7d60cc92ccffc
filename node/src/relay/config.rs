//! A relay's configuration file (TOML), read into a [`RelaySetup`] and the path of its store. Every
//! error names the file, the line and column, what is wrong and why, so that the person running the
//! relay can fix it; unknown keys are errors (a misspelt limit is not silently the default).
//!
//! ```toml
//! domain = "home.example.org"          # the domain it serves: its service is _relay@home.example.org
//! bind = "127.0.0.1:5783"              # a specific address, not a wildcard (IOTP-UDP-6)
//! store = "relay.sqlite"               # relative to this file's directory
//! addresses = ["lamp@home.example.org", "sensor@home.example.org"]
//!
//! [routes]                             # the home relays of other domains
//! "example.net" = "127.0.0.1:5784"
//!
//! [identity]                           # the relay's EDHOC identity (spec §8.4), lowercase hex
//! key = "…"                            # its P-256 authentication private key, 32 bytes
//! credential = "…"                     # its credential (a CCS naming its node ID)
//!
//! [credentials]                        # each node's credential, by its address: the node runs EDHOC
//! "lamp@home.example.org" = "…"        # with the relay by `kid` and gets its hop context (§8.7)
//!
//! [limits]                             # per node; at least the spec's floors (spec §3.7.1, §3.6.3)
//! max_held_messages = 16
//! max_held_bytes = 4096
//! max_hold_time = 86400                # seconds
//! rate_per_second = 4
//! rate_burst = 32
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use iotp2p_protocol::engine::{EdhocResponder, KnownPeer, MIN_PENDING_LIFETIME};
use iotp2p_protocol::relay::held::{MIN_HELD_BYTES, MIN_HELD_MESSAGES, MIN_HOLD_TIME};
use iotp2p_protocol::relay::rate::{RELAY_BURST_MIN, RELAY_RATE_MIN};
use iotp2p_protocol::security::edhoc::{AuthKey, Credential, LocalIdentity};
use toml_edit::{Document, Item, Table};

use super::RelaySetup;

/// The largest configuration file read, in bytes: a relay's file is a few hundred bytes per address.
pub const MAX_CONFIG: usize = 1 << 20;

/// A relay's configuration: how to start it, and where its store is.
#[derive(Debug)]
pub struct RelayFile {
    /// The relay.
    pub setup: RelaySetup,
    /// Its store's file.
    pub store: PathBuf,
}

/// What is wrong with a configuration file, and where.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{column}: {what}: {why}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// What is wrong.
    pub what: String,
    /// Why, and what to do.
    pub why: String,
}

impl RelayFile {
    /// Reads the configuration file at `path`.
    pub fn read(path: &Path) -> Result<RelayFile, ConfigError> {
        let fail = |why: String| ConfigError {
            path: path.display().to_string(),
            line: 1,
            column: 1,
            what: "cannot read the configuration".into(),
            why,
        };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        if bytes.len() > MAX_CONFIG {
            return Err(fail(format!(
                "{} bytes, more than the {MAX_CONFIG} a relay's configuration may have",
                bytes.len()
            )));
        }
        let text = String::from_utf8(bytes).map_err(|e| fail(format!("not UTF-8: {e}")))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        RelayFile::parse(&path.display().to_string(), &text, dir)
    }

    /// Parses `text`, the file `name`; a relative store path is taken from `dir`.
    pub fn parse(name: &str, text: &str, dir: &Path) -> Result<RelayFile, ConfigError> {
        let at = Locator { name, text };
        let doc = Document::parse(text).map_err(|e| {
            at.error(
                e.span().map_or(0, |s| s.start),
                "not TOML",
                e.message().trim(),
            )
        })?;
        let root = doc
            .as_item()
            .as_table()
            .ok_or_else(|| at.error(0, "not TOML", "the document is not a table"))?;
        at.only(
            root,
            &[
                "domain",
                "bind",
                "store",
                "addresses",
                "routes",
                "identity",
                "credentials",
                "limits",
            ],
        )?;

        let domain = at.string(root, "domain")?;
        iotp2p_protocol::address::check(&format!("_relay@{domain}"))
            .map_err(|e| at.error(at.value_at(root, "domain"), "domain", &format!("{e:?}")))?;
        let bind: SocketAddr =
            at.parsed(root, "bind", "an IP address and port, as 127.0.0.1:5783")?;
        let store = dir.join(at.string(root, "store")?);

        let mut setup = RelaySetup::new(bind, &domain);
        if let Some(item) = root.get("addresses") {
            let array = item.as_array().ok_or_else(|| {
                at.error(
                    at.value_at(root, "addresses"),
                    "addresses",
                    "an array of addresses",
                )
            })?;
            for value in array.iter() {
                let start = value.span().map_or(0, |s| s.start);
                let address = value
                    .as_str()
                    .ok_or_else(|| at.error(start, "addresses", "each address is a string"))?;
                iotp2p_protocol::address::check(address).map_err(|e| {
                    at.error(start, &format!("address {address:?}"), &format!("{e:?}"))
                })?;
                if address.rsplit_once('@').map(|(_, d)| d) != Some(domain.as_str()) {
                    return Err(at.error(
                        start,
                        &format!("address {address:?}"),
                        &format!("not in the relay's domain {domain}"),
                    ));
                }
                setup.addresses.push(address.to_owned());
            }
        }
        if let Some(item) = root.get("routes") {
            let routes = item
                .as_table()
                .ok_or_else(|| at.error(at.value_at(root, "routes"), "routes", "a table"))?;
            for (other, _) in routes.iter() {
                let addr: SocketAddr =
                    at.parsed(routes, other, "an IP address and port, as 127.0.0.1:5784")?;
                setup.routes.insert(other.to_owned(), addr);
            }
        }
        if let Some(item) = root.get("identity") {
            setup.edhoc = Some(at.edhoc(root, item, &setup.addresses)?);
        } else if root.get("credentials").is_some() {
            return Err(at.error(
                at.value_at(root, "credentials"),
                "credentials",
                "the nodes' credentials need the relay's [identity] to run EDHOC with",
            ));
        }
        if let Some(item) = root.get("limits") {
            let limits = item
                .as_table()
                .ok_or_else(|| at.error(at.value_at(root, "limits"), "limits", "a table"))?;
            at.only(
                limits,
                &[
                    "max_held_messages",
                    "max_held_bytes",
                    "max_hold_time",
                    "rate_per_second",
                    "rate_burst",
                ],
            )?;
            let l = &mut setup.relay.limits;
            at.at_least(
                limits,
                "max_held_messages",
                MIN_HELD_MESSAGES,
                "IOTP-DLV-33",
                &mut l.max_messages,
            )?;
            at.at_least(
                limits,
                "max_held_bytes",
                MIN_HELD_BYTES,
                "IOTP-DLV-33",
                &mut l.max_bytes,
            )?;
            at.at_least(
                limits,
                "max_hold_time",
                MIN_HOLD_TIME,
                "IOTP-DLV-39",
                &mut l.max_hold_time,
            )?;
            let r = &mut setup.relay.rate;
            at.at_least(
                limits,
                "rate_per_second",
                RELAY_RATE_MIN,
                "IOTP-DLV-123",
                &mut r.per_second,
            )?;
            at.at_least(
                limits,
                "rate_burst",
                RELAY_BURST_MIN,
                "IOTP-DLV-123",
                &mut r.burst,
            )?;
        }
        Ok(RelayFile { setup, store })
    }
}

/// Positions in the file being read.
struct Locator<'a> {
    name: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    /// The relay's EDHOC responder from `[identity]` and `[credentials]` (each a served address).
    fn edhoc(
        &self,
        root: &Table,
        identity: &Item,
        served: &[String],
    ) -> Result<EdhocResponder, ConfigError> {
        let table = identity
            .as_table()
            .ok_or_else(|| self.error(self.value_at(root, "identity"), "identity", "a table"))?;
        self.only(table, &["key", "credential"])?;
        let key: [u8; 32] = self
            .hex(table, "key")?
            .try_into()
            .map_err(|_| self.error(self.value_at(table, "key"), "key", "32 bytes of hex"))?;
        let credential = self.hex(table, "credential")?;
        let auth = AuthKey::new(&key).map_err(|e| {
            self.error(
                self.value_at(table, "key"),
                "key",
                &format!("not a P-256 key: {e}"),
            )
        })?;
        let parsed = Credential::parse(&credential).map_err(|e| {
            self.error(
                self.value_at(table, "credential"),
                "credential",
                &e.to_string(),
            )
        })?;
        let identity = LocalIdentity::new(auth, parsed)
            .map_err(|e| self.error(self.value_at(table, "key"), "identity", &e.to_string()))?;
        let mut peers = Vec::new();
        if let Some(item) = root.get("credentials") {
            let table = item.as_table().ok_or_else(|| {
                self.error(self.value_at(root, "credentials"), "credentials", "a table")
            })?;
            for (address, _) in table.iter() {
                if !served.iter().any(|a| a == address) {
                    let at = table
                        .key(address)
                        .and_then(|k| k.span())
                        .map_or(0, |s| s.start);
                    return Err(self.error(
                        at,
                        &format!("credentials of {address:?}"),
                        "not one of the relay's `addresses`",
                    ));
                }
                let credential = self.hex(table, address)?;
                Credential::parse(&credential).map_err(|e| {
                    self.error(self.value_at(table, address), address, &e.to_string())
                })?;
                peers.push(KnownPeer {
                    credential,
                    address: Some(address.to_owned()),
                    node: None,
                });
            }
        }
        Ok(EdhocResponder {
            identity,
            max_pending: peers.len().clamp(4, 64),
            peers,
            pending_lifetime: MIN_PENDING_LIFETIME,
            max_visitors: 16,
        })
    }

    fn hex(&self, table: &Table, key: &str) -> Result<Vec<u8>, ConfigError> {
        let text = self.string(table, key)?;
        let bad = || {
            self.error(
                self.value_at(table, key),
                key,
                "lowercase hex, two digits a byte",
            )
        };
        if text.len() % 2 != 0 {
            return Err(bad());
        }
        (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .and_then(|d| u8::from_str_radix(d, 16).ok())
                    .ok_or_else(bad)
            })
            .collect()
    }

    fn error(&self, offset: usize, what: &str, why: &str) -> ConfigError {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError {
            path: self.name.to_owned(),
            line,
            column,
            what: what.to_owned(),
            // Values come from the file: control characters shown escaped, never raw.
            why: why
                .chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        }
    }

    /// Where the value of `key` starts (or the key, or the table).
    fn value_at(&self, table: &Table, key: &str) -> usize {
        let value = table.get(key).and_then(Item::span);
        let key = table.key(key).and_then(|k| k.span());
        value.or(key).or(table.span()).map_or(0, |s| s.start)
    }

    /// Every key of `table` is one of `known`.
    fn only(&self, table: &Table, known: &[&str]) -> Result<(), ConfigError> {
        for (key, _) in table.iter() {
            if !known.contains(&key) {
                let at = table.key(key).and_then(|k| k.span()).map_or(0, |s| s.start);
                return Err(self.error(
                    at,
                    &format!("unknown key {key:?}"),
                    &format!("the keys here are {}", known.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn string(&self, table: &Table, key: &str) -> Result<String, ConfigError> {
        match table.get(key) {
            None => Err(self.error(
                table.span().map_or(0, |s| s.start),
                &format!("no {key:?}"),
                "it is required",
            )),
            Some(item) => item
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| self.error(self.value_at(table, key), key, "a string, in quotes")),
        }
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        table: &Table,
        key: &str,
        expected: &str,
    ) -> Result<T, ConfigError> {
        let text = self.string(table, key)?;
        text.parse().map_err(|_| {
            self.error(
                self.value_at(table, key),
                key,
                &format!("{text:?} is not {expected}"),
            )
        })
    }

    /// Sets `value` from `key` when present: an integer of at least `floor`, which `requirement`
    /// sets.
    fn at_least(
        &self,
        table: &Table,
        key: &str,
        floor: u32,
        requirement: &str,
        value: &mut u32,
    ) -> Result<(), ConfigError> {
        let Some(item) = table.get(key) else {
            return Ok(());
        };
        let at = self.value_at(table, key);
        let n = item
            .as_integer()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.error(at, key, "a whole number from 0 to 4294967295"))?;
        if n < floor {
            return Err(self.error(
                at,
                key,
                &format!("{n} is below the least a home relay may use, {floor} ([{requirement}])"),
            ));
        }
        *value = n;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
domain = "home.example.org"
bind = "127.0.0.1:5783"
store = "relay.sqlite"
addresses = ["lamp@home.example.org", "sensor@home.example.org"]

[routes]
"example.net" = "127.0.0.1:5784"

[limits]
max_held_messages = 32
rate_burst = 64
"#;

    fn parse(text: &str) -> Result<RelayFile, ConfigError> {
        RelayFile::parse("relay.toml", text, Path::new("/etc/iotp2p"))
    }

    #[test]
    fn a_good_file_gives_the_setup() {
        let f = parse(GOOD).unwrap();
        assert_eq!(f.store, Path::new("/etc/iotp2p/relay.sqlite"));
        assert_eq!(f.setup.relay.domain, "home.example.org");
        assert_eq!(f.setup.addresses.len(), 2);
        assert_eq!(
            f.setup.routes["example.net"],
            "127.0.0.1:5784".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(f.setup.relay.limits.max_messages, 32);
        assert_eq!(f.setup.relay.rate.burst, 64);
        assert_eq!(f.setup.relay.rate.per_second, RELAY_RATE_MIN);
    }

    #[test]
    fn errors_name_the_line_what_and_why() {
        let cases = [
            (
                GOOD.replace("rate_burst = 64", "rate_burst = 8"),
                12,
                "rate_burst",
                "below the least",
            ),
            (
                GOOD.replace("max_held_messages", "max_held_mesages"),
                11,
                "unknown key",
                "the keys here are",
            ),
            (
                GOOD.replace("127.0.0.1:5783", "localhost"),
                3,
                "bind",
                "is not an IP address",
            ),
            (
                GOOD.replace("\"lamp@home.example.org\"", "\"lamp@elsewhere.org\""),
                5,
                "address",
                "not in the relay's domain",
            ),
            (
                GOOD.replace("store = \"relay.sqlite\"\n", ""),
                1,
                "no \"store\"",
                "required",
            ),
            (GOOD.replace("[limits]", "[limits"), 10, "not TOML", ""),
            (
                format!("{GOOD}\n[credentials]\n\"lamp@home.example.org\" = \"00\"\n"),
                14,
                "credentials",
                "need the relay's [identity]",
            ),
            (
                format!("{GOOD}\n[identity]\nkey = \"0g\"\ncredential = \"00\"\n"),
                15,
                "key",
                "lowercase hex",
            ),
        ];
        for (text, line, what, why) in cases {
            let e = parse(&text).unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.what.contains(what), "{e}");
            assert!(e.why.contains(why), "{e}");
            assert!(
                e.to_string().starts_with(&format!("relay.toml:{line}:")),
                "{e}"
            );
        }
    }

    #[test]
    fn untrusted_text_is_shown_escaped() {
        let e = parse(&GOOD.replace("127.0.0.1:5783", "\\u001b[31mred")).unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
    }
}
