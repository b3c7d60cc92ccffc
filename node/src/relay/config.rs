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
//! [routes]                             # the home relays of other domains, each as its host
//! "example.net" = "relay1.example.net@127.0.0.1:5784"   # name (which its certificate must be
//!                                      # valid for, §3.9.1) @ its address and port
//!
//! host = "relay1.provider.example.net" # its host name, the SRV target naming it (§3.9.1)
//! name_server = "127.0.0.1:5353"       # asked for a released address's domain (§3.11.4)
//! trust_anchor = "root.key"            # optional: validate every answer with DNSSEC under these
//!                                      # DNSKEY records (zone-file syntax; relative to this
//!                                      # file's directory) and refuse what is not proven secure;
//!                                      # with it, DANE: resolved relays' TLSA records checked
//! resolve = ["lamps.example.org"]      # domains whose relays it finds there at start, by their
//!                                      # SRV records (§3.2), instead of [routes]
//!
//! [dtls]                               # the relay-to-relay hop's DTLS 1.3 (§3.9.1), required
//! certificate = "relay.crt"            # with [routes] or resolve: its certificate (PEM, the
//!                                      # first of the file), for its host name; relative paths
//! key = "relay.key"                    # from this file's directory; its private key (PEM,
//!                                      # PKCS#8 or SEC1, P-256 or P-384)
//! trust_anchors = ["ca.crt"]           # PEM files of the CAs that issue other relays'
//!                                      # certificates
//! intermediates = ["sub-ca.crt"]       # optional: PEM files of intermediate CAs between them
//!                                      # and other relays' leaves (DTLS hands over a leaf alone)
//!
//! statement = "…"                     # the relay's credential statement, naming its service
//!                                      # address, hex: read unsealed at first contact (§3.10.1)
//!
//! [identity]                           # the relay's EDHOC identity (spec §8.4), lowercase hex
//! key = "…"                            # its P-256 authentication private key, 32 bytes
//! credential = "…"                     # its credential (a CCS naming its node ID)
//!
//! [credentials]                        # each node's credential, by its address: the node runs EDHOC
//! "lamp@home.example.org" = "…"        # with the relay by `kid` and gets its hop context (§8.7)
//!
//! [accounts."Smith household"]         # the provider's accounts (spec §3.6.1.1), by name
//! domains = ["home.example.org"]       # where it may register addresses (the relay's domain)
//! max_registrations = 50
//! tokens = ["…"]                       # single-use enrolment tokens, lowercase hex, 16 to 32 bytes,
//! token_lifetime = 86400               # valid this many seconds from the relay's start (default a day)
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
use toml_edit::{Item, Table};

use super::{AccountSetup, DtlsSetup, RelaySetup, Route};
pub use crate::config::ConfigError;
use crate::config::Locator;
use crate::resolve::{check_domain, Resolver, TrustAnchor};
use iotp2p_protocol::relay::registry::Account;

/// How long the relay waits for its name server, each of two attempts.
const NAME_SERVER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// A relay's configuration: how to start it, and where its store is.
#[derive(Debug)]
pub struct RelayFile {
    /// The relay.
    pub setup: RelaySetup,
    /// Its store's file.
    pub store: PathBuf,
}

/// The strings of the array `item` at `key` of `table`, each with where it starts in the file: each
/// a `what` ("address", "domain").
fn strings<'t>(
    at: &Locator<'_>,
    table: &Table,
    item: &'t Item,
    key: &str,
    what: &str,
) -> Result<Vec<(usize, &'t str)>, ConfigError> {
    let array = item.as_array().ok_or_else(|| {
        at.error(
            at.value_at(table, key),
            key,
            &format!("an array of {what}s"),
        )
    })?;
    array
        .iter()
        .map(|value| {
            let start = value.span().map_or(0, |s| s.start);
            let text = value
                .as_str()
                .ok_or_else(|| at.error(start, key, &format!("each {what} is a string")))?;
            Ok((start, text))
        })
        .collect()
}

impl RelayFile {
    /// Reads the configuration file at `path`.
    pub fn read(path: &Path) -> Result<RelayFile, ConfigError> {
        let text = crate::config::read(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        RelayFile::parse(&path.display().to_string(), &text, dir)
    }

    /// Parses `text`, the file `name`; a relative store path is taken from `dir`.
    pub fn parse(name: &str, text: &str, dir: &Path) -> Result<RelayFile, ConfigError> {
        let at = Locator { name, text };
        let doc = at.document()?;
        let root = at.root(
            &doc,
            &[
                "domain",
                "bind",
                "store",
                "addresses",
                "routes",
                "identity",
                "credentials",
                "accounts",
                "limits",
                "statement",
                "host",
                "name_server",
                "trust_anchor",
                "dtls",
                "resolve",
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
            for (start, address) in strings(&at, root, item, "addresses", "address")? {
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
                setup
                    .routes
                    .insert(other.to_owned(), at.route(routes, other)?);
            }
        }
        if root.get("host").is_some() {
            setup.host = Some(at.host_name(root, "host")?);
        }
        if root.get("name_server").is_some() {
            let server: SocketAddr = at.parsed(
                root,
                "name_server",
                "an IP address and port, as 127.0.0.1:53",
            )?;
            setup.resolver = Some(match root.get("trust_anchor") {
                None => Resolver::new(server, NAME_SERVER_TIMEOUT),
                Some(_) => {
                    let file = dir.join(at.string(root, "trust_anchor")?);
                    let anchor = TrustAnchor::read(&file).map_err(|why| {
                        at.error(at.value_at(root, "trust_anchor"), "trust_anchor", &why)
                    })?;
                    Resolver::validating(server, NAME_SERVER_TIMEOUT, &anchor)
                }
            });
        } else if root.get("trust_anchor").is_some() {
            return Err(at.error(
                at.value_at(root, "trust_anchor"),
                "trust_anchor",
                "it validates the answers of the name_server, which is missing",
            ));
        }
        if let Some(item) = root.get("resolve") {
            let domains = strings(&at, root, item, "resolve", "domain")?;
            if setup.resolver.is_none() {
                return Err(at.error(
                    at.value_at(root, "resolve"),
                    "resolve",
                    "the domains' relays are found through the name_server, which is missing",
                ));
            }
            for (start, domain) in domains {
                let domain = check_domain(domain)
                    .map_err(|e| at.error(start, &format!("domain {domain:?}"), &e.to_string()))?;
                setup.resolve.push(domain.to_owned());
            }
        }
        if let Some(item) = root.get("dtls") {
            setup.dtls = Some(at.dtls(root, item, dir)?);
        } else {
            // Every hop to another domain's relay is DTLS ([IOTP-DLV-54]).
            for key in ["routes", "resolve"] {
                if root.get(key).is_some() {
                    return Err(at.error(
                        at.value_at(root, key),
                        key,
                        "other domains' relays are reached over DTLS 1.3 only (IOTP-DLV-54): \
                         configure [dtls] with the relay's certificate, key and trust anchors",
                    ));
                }
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
        if root.get("statement").is_some() {
            let statement = at.hex(root, "statement")?;
            let service = format!("_relay@{domain}");
            let bad = |why: String| at.error(at.value_at(root, "statement"), "statement", &why);
            let verified = iotp2p_protocol::security::statement::verify_credential(&statement)
                .map_err(|e| bad(format!("does not verify: {e}")))?;
            if verified.statement.address != Some(service.as_str()) {
                return Err(bad(format!("does not name {service}")));
            }
            let edhoc = setup
                .edhoc
                .as_ref()
                .map(|e| e.identity.credential().as_bytes().to_vec());
            if let Some(credential) = edhoc {
                if !verified
                    .statement
                    .auth_credentials
                    .iter()
                    .any(|c| c == credential.as_slice())
                {
                    return Err(bad("does not hold the [identity] credential".into()));
                }
            }
            setup.statement = Some(statement);
        }
        if let Some(item) = root.get("accounts") {
            let accounts = item
                .as_table()
                .ok_or_else(|| at.error(at.value_at(root, "accounts"), "accounts", "a table"))?;
            for (name, item) in accounts.iter() {
                setup.accounts.push(at.account(&domain, name, item)?);
            }
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

impl Locator<'_> {
    /// The route at `key` of `[routes]`: "host@address:port".
    fn route(&self, routes: &Table, key: &str) -> Result<Route, ConfigError> {
        let text = self.string(routes, key)?;
        let at = self.value_at(routes, key);
        let expected = "the relay's host name @ its IP address and port, as \
                        relay1.example.net@127.0.0.1:5784";
        let bad = || {
            self.error(
                at,
                &format!("route of {key:?}"),
                &format!("{text:?} is not {expected}"),
            )
        };
        let (host, addr) = text.split_once('@').ok_or_else(bad)?;
        let addr: SocketAddr = addr.parse().map_err(|_| bad())?;
        let host = check_domain(host)
            .map_err(|e| self.error(at, &format!("route of {key:?}"), &e.to_string()))?;
        Ok(Route {
            host: host.to_owned(),
            addr,
        })
    }

    /// The `[dtls]` table: the relay's certificate, key and trust anchors, read from their PEM
    /// files (relative to `dir`).
    fn dtls(&self, root: &Table, item: &Item, dir: &Path) -> Result<DtlsSetup, ConfigError> {
        use pki_types::pem::PemObject;
        use pki_types::{CertificateDer, PrivateKeyDer};
        let table = item
            .as_table()
            .ok_or_else(|| self.error(self.value_at(root, "dtls"), "dtls", "a table"))?;
        self.only(
            table,
            &["certificate", "key", "trust_anchors", "intermediates"],
        )?;
        let file = |key: &str, path: &str, e: &dyn std::fmt::Display, at: usize| {
            self.error(
                at,
                key,
                &format!("cannot read {:?} as PEM: {e}", dir.join(path).display()),
            )
        };
        let path = self.string(table, "certificate")?;
        let certificate = CertificateDer::from_pem_file(dir.join(&path)).map_err(|e| {
            file(
                "certificate",
                &path,
                &e,
                self.value_at(table, "certificate"),
            )
        })?;
        let path = self.string(table, "key")?;
        let key = PrivateKeyDer::from_pem_file(dir.join(&path))
            .map_err(|e| file("key", &path, &e, self.value_at(table, "key")))?;
        let pem_certificates = |key: &str| -> Result<Vec<Vec<u8>>, ConfigError> {
            let mut all = Vec::new();
            for (path, start) in self.strings(table, key)? {
                let certs = CertificateDer::pem_file_iter(dir.join(&path))
                    .map_err(|e| file(key, &path, &e, start))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| file(key, &path, &e, start))?;
                if certs.is_empty() {
                    return Err(self.error(start, key, &format!("{path:?} holds no certificate")));
                }
                all.extend(certs.into_iter().map(|c| c.to_vec()));
            }
            Ok(all)
        };
        let trust_anchors = pem_certificates("trust_anchors")?;
        let intermediates = pem_certificates("intermediates")?;
        if trust_anchors.is_empty() {
            return Err(self.error(
                self.value_at(table, "trust_anchors"),
                "trust_anchors",
                "at least one CA certificate, to validate other relays with (IOTP-DLV-55)",
            ));
        }
        let setup = DtlsSetup {
            certificate: certificate.to_vec(),
            private_key: key.secret_der().to_vec(),
            trust_anchors,
            intermediates,
        };
        crate::relay::dtls::check(&setup)
            .map_err(|e| self.error(table.span().map_or(0, |s| s.start), "dtls", &e.to_string()))?;
        Ok(setup)
    }

    /// The host name at `key`: a DNS name, lower case.
    fn host_name(&self, table: &Table, key: &str) -> Result<String, ConfigError> {
        let host = self.string(table, key)?;
        check_domain(&host)
            .map_err(|e| self.error(self.value_at(table, key), key, &e.to_string()))?;
        Ok(host)
    }

    /// An account of `[accounts]`, named `name`: its domains (the relay's only), quota and tokens.
    fn account(&self, domain: &str, name: &str, item: &Item) -> Result<AccountSetup, ConfigError> {
        let what = format!("account {name:?}");
        let table = item
            .as_table()
            .ok_or_else(|| self.error(item.span().map_or(0, |s| s.start), &what, "a table"))?;
        self.only(
            table,
            &["domains", "max_registrations", "tokens", "token_lifetime"],
        )?;
        if name.is_empty() || name.len() > 64 {
            return Err(self.error(
                item.span().map_or(0, |s| s.start),
                &what,
                "a name of 1 to 64 bytes (EnrolResult.account)",
            ));
        }
        let mut domains = Vec::new();
        for (value, start) in self.strings(table, "domains")? {
            if value != domain {
                return Err(self.error(
                    start,
                    &format!("domain {value:?}"),
                    &format!("this relay serves only {domain}"),
                ));
            }
            domains.push(value);
        }
        if domains.is_empty() {
            return Err(self.error(
                self.value_at(table, "domains"),
                "domains",
                "at least one domain, the relay's",
            ));
        }
        let mut max_registrations = 0;
        self.at_least(
            table,
            "max_registrations",
            1,
            "§3.6.1.1",
            &mut max_registrations,
        )?;
        let mut lifetime = 86_400;
        self.at_least(table, "token_lifetime", 1, "IOTP-DLV-85", &mut lifetime)?;
        let mut tokens = Vec::new();
        for (value, start) in self.strings(table, "tokens")? {
            let bad = || {
                self.error(
                    start,
                    "token",
                    "16 to 32 bytes of lowercase hex, from a secure random source (IOTP-DLV-83)",
                )
            };
            if value.len() % 2 != 0 || !(32..=64).contains(&value.len()) {
                return Err(bad());
            }
            let bytes: Option<Vec<u8>> = (0..value.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&value[i..i + 2], 16).ok())
                .collect();
            tokens.push(bytes.ok_or_else(bad)?);
        }
        Ok(AccountSetup {
            account: Account {
                name: name.to_owned(),
                domains,
                max_registrations,
            },
            tokens,
            token_lifetime: u64::from(lifetime) * 1_000,
        })
    }

    /// The strings of an optional array `key`, each with where it starts.
    fn strings(&self, table: &Table, key: &str) -> Result<Vec<(String, usize)>, ConfigError> {
        let Some(item) = table.get(key) else {
            return Ok(Vec::new());
        };
        let array = item
            .as_array()
            .ok_or_else(|| self.error(self.value_at(table, key), key, "an array of strings"))?;
        array
            .iter()
            .map(|value| {
                let start = value.span().map_or(0, |s| s.start);
                value
                    .as_str()
                    .map(|v| (v.to_owned(), start))
                    .ok_or_else(|| self.error(start, key, "each a string"))
            })
            .collect()
    }

    /// The relay's EDHOC responder from `[identity]` and `[credentials]` (each a served address).
    fn edhoc(
        &self,
        root: &Table,
        identity: &Item,
        served: &[String],
    ) -> Result<EdhocResponder, ConfigError> {
        let identity = self.identity(root, identity)?;
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
                peers.push(KnownPeer {
                    credential: self.credential(table, address)?,
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
            max_visitor_sources: 64,
        })
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
        assert_eq!(f.setup.relay.limits.max_messages, 32);
        assert_eq!(f.setup.relay.rate.burst, 64);
        assert_eq!(f.setup.relay.rate.per_second, RELAY_RATE_MIN);
    }

    #[test]
    fn errors_name_the_line_what_and_why() {
        let cases = [
            (
                GOOD.replace("rate_burst = 64", "rate_burst = 8"),
                9,
                "rate_burst",
                "below the least",
            ),
            (
                GOOD.replace("max_held_messages", "max_held_mesages"),
                8,
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
            (GOOD.replace("[limits]", "[limits"), 7, "not TOML", ""),
            (
                format!("{GOOD}\n[credentials]\n\"lamp@home.example.org\" = \"00\"\n"),
                11,
                "credentials",
                "need the relay's [identity]",
            ),
            (
                format!("{GOOD}\n[identity]\nkey = \"0g\"\ncredential = \"00\"\n"),
                12,
                "key",
                "lowercase hex",
            ),
        ];
        let account = "\n[accounts.\"Smith household\"]\ndomains = [\"home.example.org\"]\n\
                       max_registrations = 8\ntokens = [\"00112233445566778899aabbccddeeff\"]\n";
        let cases = cases.into_iter().chain([
            (
                format!("{GOOD}{account}")
                    .replace("\"00112233445566778899aabbccddeeff\"", "\"0011\""),
                14,
                "token",
                "16 to 32 bytes",
            ),
            (
                format!("{GOOD}{account}").replace("[\"home.example.org\"]", "[\"example.net\"]"),
                12,
                "domain \"example.net\"",
                "this relay serves only",
            ),
            (
                format!("{GOOD}{account}")
                    .replace("max_registrations = 8", "max_registrations = 0"),
                13,
                "max_registrations",
                "below the least",
            ),
        ]);
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
    fn accounts_give_their_domains_quota_and_tokens() {
        let text = format!(
            "{GOOD}\n[accounts.\"Smith household\"]\ndomains = [\"home.example.org\"]\n\
             max_registrations = 8\ntokens = [\"00112233445566778899aabbccddeeff\"]\n\
             token_lifetime = 3600\n"
        );
        let f = parse(&text).unwrap();
        let a = &f.setup.accounts[0];
        assert_eq!(a.account.name, "Smith household");
        assert_eq!(a.account.domains, ["home.example.org"]);
        assert_eq!(a.account.max_registrations, 8);
        assert_eq!(a.tokens, [(0u8..16).map(|i| i * 0x11).collect::<Vec<u8>>()]);
        assert_eq!(a.token_lifetime, 3_600_000);
    }

    #[test]
    fn a_relay_names_its_host_and_its_name_server() {
        let text = format!(
            "host = \"relay1.provider.example.net\"\nname_server = \"127.0.0.1:5353\"\n{GOOD}"
        );
        let f = parse(&text).unwrap();
        assert_eq!(f.setup.host.as_deref(), Some("relay1.provider.example.net"));
        assert!(f.setup.resolver.is_some());

        let e = parse(&format!("host = \"Relay_1\"\n{GOOD}")).unwrap_err();
        assert_eq!((e.line, e.what.as_str()), (1, "host"), "{e}");
    }

    /// A directory of its own under the system's temporary one, removed when dropped.
    struct Dir(std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A CA and a relay certificate for `host`, as PEM files in a new directory: `ca.crt`,
    /// `relay.crt`, `relay.key`.
    fn pki(host: &str) -> Dir {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "iotp2p-relay-config-{}-{n}-{host}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec![host.to_owned()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        std::fs::write(dir.join("ca.crt"), ca_cert.pem()).unwrap();
        std::fs::write(dir.join("relay.crt"), leaf.pem()).unwrap();
        std::fs::write(dir.join("relay.key"), key.serialize_pem()).unwrap();
        Dir(dir)
    }

    const DTLS: &str =
        "[dtls]\ncertificate = \"relay.crt\"\nkey = \"relay.key\"\ntrust_anchors = [\"ca.crt\"]\n";

    #[test]
    fn routes_name_their_relay_by_host_and_address_over_dtls() {
        let dir = pki("relay1.home.example.org");
        let routes = "[routes]\n\"example.net\" = \"relay1.example.net@127.0.0.1:5784\"\n";
        let text = format!("{GOOD}\n{routes}\n{DTLS}");
        let f = RelayFile::parse("relay.toml", &text, &dir.0).unwrap();
        let route = &f.setup.routes["example.net"];
        assert_eq!(route.host, "relay1.example.net");
        assert_eq!(route.addr, "127.0.0.1:5784".parse::<SocketAddr>().unwrap());
        let dtls = f.setup.dtls.as_ref().unwrap();
        assert_eq!(dtls.trust_anchors.len(), 1);

        let parse_here = |text: &str| RelayFile::parse("relay.toml", text, &dir.0).unwrap_err();
        // A route without its host name: the reference identity of its handshake is missing.
        let e = parse_here(&text.replace("relay1.example.net@", ""));
        assert_eq!(
            (e.line, e.what.as_str()),
            (12, "route of \"example.net\""),
            "{e}"
        );
        assert!(e.why.contains("host name @"), "{e}");
        // Other domains without DTLS: refused (IOTP-DLV-54).
        let e = parse_here(&format!("{GOOD}\n{routes}"));
        assert_eq!((e.line, e.what.as_str()), (11, "routes"), "{e}");
        assert!(e.why.contains("IOTP-DLV-54"), "{e}");
        let resolve = "name_server = \"127.0.0.1:5353\"\nresolve = [\"example.net\"]\n";
        let e = parse_here(&format!("{resolve}{GOOD}"));
        assert_eq!((e.line, e.what.as_str()), (2, "resolve"), "{e}");
        // A key file that is no key, a missing anchor file, no anchor at all.
        let e = parse_here(&text.replace("key = \"relay.key\"", "key = \"relay.crt\""));
        assert_eq!((e.line, e.what.as_str()), (16, "key"), "{e}");
        let e = parse_here(&text.replace("[\"ca.crt\"]", "[\"missing.crt\"]"));
        assert_eq!((e.line, e.what.as_str()), (17, "trust_anchors"), "{e}");
        let e = parse_here(&text.replace("[\"ca.crt\"]", "[]"));
        assert_eq!((e.line, e.what.as_str()), (17, "trust_anchors"), "{e}");
        assert!(e.to_string().starts_with("relay.toml:17:"), "{e}");
        // Intermediates, optional, read as the anchors are.
        let f = RelayFile::parse(
            "relay.toml",
            &format!("{text}intermediates = [\"ca.crt\"]\n"),
            &dir.0,
        )
        .unwrap();
        assert_eq!(f.setup.dtls.unwrap().intermediates.len(), 1);
        let e = parse_here(&format!("{text}intermediates = [\"missing.crt\"]\n"));
        assert_eq!((e.line, e.what.as_str()), (18, "intermediates"), "{e}");
    }

    #[test]
    fn domains_to_resolve_need_the_name_server() {
        let dir = pki("relay1.home.example.org");
        let parse = |text: &str| RelayFile::parse("relay.toml", text, &dir.0);
        let resolve = "resolve = [\"lamps.example.org\", \"example.net\"]\n";
        let f = parse(&format!(
            "name_server = \"127.0.0.1:5353\"\n{resolve}{GOOD}\n{DTLS}"
        ))
        .unwrap();
        assert_eq!(f.setup.resolve, ["lamps.example.org", "example.net"]);

        let e = parse(&format!("{resolve}{GOOD}\n{DTLS}")).unwrap_err();
        assert_eq!((e.line, e.what.as_str()), (1, "resolve"), "{e}");
        assert!(e.why.contains("name_server"), "{e}");
        let e = parse(&format!(
            "name_server = \"127.0.0.1:5353\"\nresolve = [\"bad_domain\"]\n{GOOD}\n{DTLS}"
        ))
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn a_trust_anchor_validates_the_name_servers_answers() {
        let dir = pki("relay1.home.example.org");
        let key = crate::dns::ZoneKey::generate().unwrap();
        std::fs::write(dir.0.join("anchor.key"), key.dnskey("example.net")).unwrap();
        std::fs::write(dir.0.join("empty.key"), "; no key\n").unwrap();
        let parse = |text: &str| RelayFile::parse("relay.toml", text, &dir.0);
        let server = "name_server = \"127.0.0.1:5353\"\n";
        let f = parse(&format!("{server}trust_anchor = \"anchor.key\"\n{GOOD}")).unwrap();
        assert!(f.setup.resolver.unwrap().is_validating());
        let f = parse(&format!("{server}{GOOD}")).unwrap();
        assert!(!f.setup.resolver.unwrap().is_validating(), "as before");

        for (anchor, why) in [
            ("missing.key", "missing.key"),
            ("empty.key", "no DNSKEY record"),
            ("relay.crt", "DNSKEY records in zone-file syntax"),
        ] {
            let e = parse(&format!("{server}trust_anchor = \"{anchor}\"\n{GOOD}")).unwrap_err();
            assert_eq!((e.line, e.what.as_str()), (2, "trust_anchor"), "{e}");
            assert!(e.why.contains(why), "{e}");
            assert!(e.to_string().starts_with("relay.toml:2:"), "{e}");
        }
        let e = parse(&format!("trust_anchor = \"anchor.key\"\n{GOOD}")).unwrap_err();
        assert_eq!((e.line, e.what.as_str()), (1, "trust_anchor"), "{e}");
        assert!(e.why.contains("name_server"), "{e}");
    }

    #[test]
    fn untrusted_text_is_shown_escaped() {
        let e = parse(&GOOD.replace("127.0.0.1:5783", "\\u001b[31mred")).unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
    }
}
