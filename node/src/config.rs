//! What every configuration file of the node binary shares (TOML, read whole and bounded): errors
//! that name the file, the line and column, what is wrong and why, so that the person running the node
//! can fix it; unknown keys refused (a misspelt key is not silently the default); untrusted text shown
//! escaped; and the readers of the values the files have in common (addresses, hex, EDHOC identities
//! and credentials).

use std::path::Path;

use iotp2p_protocol::engine::KnownPeer;
use iotp2p_protocol::security::edhoc::{AuthKey, Credential, LocalIdentity};
use toml_edit::{Document, Item, Table};

/// The largest configuration file read, in bytes: a relay's file is a few hundred bytes per address.
pub const MAX_CONFIG: usize = 1 << 20;

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

/// Reads the whole configuration file at `path` (at most [`MAX_CONFIG`] bytes of UTF-8).
pub fn read(path: &Path) -> Result<String, ConfigError> {
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
            "{} bytes, more than the {MAX_CONFIG} a configuration may have",
            bytes.len()
        )));
    }
    String::from_utf8(bytes).map_err(|e| fail(format!("not UTF-8: {e}")))
}

/// Positions in the file being read, and its values' readers.
pub(crate) struct Locator<'a> {
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
}

impl<'a> Locator<'a> {
    /// The file's top-level table, with only the `known` keys.
    pub(crate) fn root(
        &self,
        doc: &'a Document<&'a str>,
        known: &[&str],
    ) -> Result<&'a Table, ConfigError> {
        let root = doc
            .as_item()
            .as_table()
            .ok_or_else(|| self.error(0, "not TOML", "the document is not a table"))?;
        self.only(root, known)?;
        Ok(root)
    }

    /// Parses the file as TOML.
    pub(crate) fn document(&self) -> Result<Document<&'a str>, ConfigError> {
        Document::parse(self.text).map_err(|e| {
            self.error(
                e.span().map_or(0, |s| s.start),
                "not TOML",
                e.message().trim(),
            )
        })
    }

    /// A node's EDHOC identity from its `[identity]` table (`key`, `credential`).
    pub(crate) fn identity(
        &self,
        root: &Table,
        identity: &Item,
    ) -> Result<LocalIdentity, ConfigError> {
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
        LocalIdentity::new(auth, parsed)
            .map_err(|e| self.error(self.value_at(table, "key"), "identity", &e.to_string()))
    }

    /// The required `[identity]` table: the node's EDHOC identity and its credential (a CCS), which
    /// `why` says the node needs.
    pub(crate) fn required_identity(
        &self,
        root: &Table,
        why: &str,
    ) -> Result<(LocalIdentity, Vec<u8>), ConfigError> {
        let item = root
            .get("identity")
            .ok_or_else(|| self.error(0, "no [identity]", why))?;
        let identity = self.identity(root, item)?;
        let credential = item
            .as_table()
            .map(|t| self.hex(t, "credential"))
            .transpose()?
            .unwrap_or_default();
        Ok((identity, credential))
    }

    /// The peers of the table `key` (address = credential), each address and credential checked;
    /// none when the table is absent.
    pub(crate) fn known_peers(
        &self,
        root: &Table,
        key: &str,
    ) -> Result<Vec<KnownPeer>, ConfigError> {
        let Some(item) = root.get(key) else {
            return Ok(Vec::new());
        };
        let table = item
            .as_table()
            .ok_or_else(|| self.error(self.value_at(root, key), key, "a table"))?;
        let mut peers = Vec::new();
        for (address, _) in table.iter() {
            iotp2p_protocol::address::check(address).map_err(|e| {
                let at = table
                    .key(address)
                    .and_then(|k| k.span())
                    .map_or(0, |s| s.start);
                self.error(at, &format!("{key} {address:?}"), &format!("{e:?}"))
            })?;
            peers.push(KnownPeer {
                credential: self.credential(table, address)?,
                address: Some(address.to_owned()),
                node: None,
            });
        }
        Ok(peers)
    }

    /// A credential (a CCS, hex) under `key`, checked.
    pub(crate) fn credential(&self, table: &Table, key: &str) -> Result<Vec<u8>, ConfigError> {
        let credential = self.hex(table, key)?;
        Credential::parse(&credential)
            .map_err(|e| self.error(self.value_at(table, key), key, &e.to_string()))?;
        Ok(credential)
    }

    /// An address (spec §2.2) under `key`, checked.
    pub(crate) fn address(&self, table: &Table, key: &str) -> Result<String, ConfigError> {
        let address = self.string(table, key)?;
        iotp2p_protocol::address::check(&address).map_err(|e| {
            self.error(
                self.value_at(table, key),
                &format!("address {address:?}"),
                &format!("{e:?}"),
            )
        })?;
        Ok(address)
    }

    /// The bytes of a lowercase hex string.
    pub(crate) fn hex(&self, table: &Table, key: &str) -> Result<Vec<u8>, ConfigError> {
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

    pub(crate) fn error(&self, offset: usize, what: &str, why: &str) -> ConfigError {
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
    pub(crate) fn value_at(&self, table: &Table, key: &str) -> usize {
        let value = table.get(key).and_then(Item::span);
        let key = table.key(key).and_then(|k| k.span());
        value.or(key).or(table.span()).map_or(0, |s| s.start)
    }

    /// Every key of `table` is one of `known`.
    pub(crate) fn only(&self, table: &Table, known: &[&str]) -> Result<(), ConfigError> {
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

    pub(crate) fn string(&self, table: &Table, key: &str) -> Result<String, ConfigError> {
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

    pub(crate) fn parsed<T: std::str::FromStr>(
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
    pub(crate) fn at_least(
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
                &format!("{n} is below the least the spec allows, {floor} ([{requirement}])"),
            ));
        }
        *value = n;
        Ok(())
    }
}
