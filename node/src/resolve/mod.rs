//! Finding a domain's home relay (spec §3.2): the SRV records at `_iotp2p._udp.<domain>`, tried in
//! RFC 2782's order, their targets' addresses (AAAA and A), and the TXT record at `_iotp2p.<domain>`.
//!
//! Lookups go to the name servers the node is configured with, never to the system's: a relay and a
//! test both say which server they trust. Caching is hickory's, which keeps records no longer than
//! their TTL and negative answers no longer than RFC 2308 allows ([IOTP-DLV-5], [IOTP-DLV-6]).
//!
//! With a DNSSEC trust anchor ([`TrustAnchor`], [`Resolver::validating`]), every answer is validated
//! by hickory's validator (RFC 4035, [IOTP-DLV-7]) and every record the node uses must be proven
//! *secure*: an answer that is bogus (a signature missing, wrong or made with another key), or
//! whose security cannot be proven, is refused with [`ResolveError::Dnssec`]. The node does no
//! cryptography of its own here. What that means for unsigned zones is in the crate's README
//! ("DNSSEC").

mod srv;
mod txt;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::config::{
    LookupIpStrategy, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::lookup::Lookup;
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::dnssec::{Proof, TrustAnchors};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::{ResolveErrorKind, TokioResolver};
use rand_core::OsRng;

pub use srv::{order, Target};

use crate::udp::{Host, TransportUri};
pub use txt::{parse as parse_txt, RelayIds, TxtError};

/// Why a domain's relay could not be found: each a case a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The name does not exist (NXDOMAIN): the domain has no iotp2p service, or is misspelt
    /// ([IOTP-DLV-4]: the recipient is unreachable, `NoRoute`).
    #[error("{name} does not exist (NXDOMAIN): check the spelling of the domain, and that it publishes _iotp2p._udp SRV records")]
    NoSuchName {
        /// The name looked up.
        name: String,
    },
    /// The name exists but has no records of the type asked for ([IOTP-DLV-4] for SRV: `NoRoute`).
    #[error("{name} has no {kind} records: the domain has not published its iotp2p relay")]
    NoRecords {
        /// The name looked up.
        name: String,
        /// The record type.
        kind: &'static str,
    },
    /// A single SRV record with target `.`: the domain says it has no iotp2p service ([IOTP-DLV-3]).
    #[error("{domain} declares that it has no iotp2p service (SRV target \".\")")]
    NoService {
        /// The domain.
        domain: String,
    },
    /// No answer in time from the name servers.
    #[error("no answer for {name} from the name server {server} within {timeout:?}: is it running and reachable?")]
    Timeout {
        /// The name looked up.
        name: String,
        /// The name server asked.
        server: SocketAddr,
        /// How long each attempt waited.
        timeout: Duration,
    },
    /// The name server answered with an error (SERVFAIL, REFUSED, ...).
    #[error("the name server {server} answered {code} for {name}: does it serve that domain, or forward to one that does?")]
    Server {
        /// The name looked up.
        name: String,
        /// The name server asked.
        server: SocketAddr,
        /// Its response code.
        code: String,
    },
    /// The domain is not a name that can be looked up.
    #[error("{domain:?} is not a domain name: {why}")]
    BadDomain {
        /// The domain as given.
        domain: String,
        /// Why.
        why: String,
    },
    /// Several TXT records at `_iotp2p.<domain>` begin with `v=iotp2p1`.
    #[error("{name} has {count} iotp2p TXT records; a domain publishes one")]
    SeveralTxt {
        /// The name looked up.
        name: String,
        /// How many.
        count: usize,
    },
    /// The iotp2p TXT record breaks the grammar of §3.2.2.
    #[error("the TXT record at {name}: {source}")]
    BadTxt {
        /// The name looked up.
        name: String,
        /// What is wrong.
        source: TxtError,
    },
    /// DNSSEC validation is on and the answer is not proven secure under the trust anchor
    /// ([IOTP-DLV-7]): a spoofed or tampered answer, a zone signed with a key the anchor does not
    /// lead to, or a zone that is not signed at all.
    #[error("the {kind} answer for {name} is DNSSEC-{proof} under the configured trust anchor, and refused: {hint}")]
    Dnssec {
        /// The name looked up.
        name: String,
        /// The record type.
        kind: &'static str,
        /// hickory's verdict: `bogus` (a signature missing or wrong), `insecure` (no chain of
        /// trust from the anchor) or `indeterminate`.
        proof: String,
        /// What a person can check.
        hint: &'static str,
    },
    /// Anything else the resolver reported.
    #[error("looking up {name}: {detail}")]
    Other {
        /// The name looked up.
        name: String,
        /// What the resolver said.
        detail: String,
    },
}

/// A relay to try: the SRV target and the addresses it resolved to, with the SRV record's port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayHost {
    /// The SRV record.
    pub target: Target,
    /// Its addresses, from both AAAA and A records, each with the record's port.
    pub addresses: Vec<SocketAddr>,
}

/// The largest trust anchor file read: a handful of DNSKEY records fit in a few kilobytes.
pub const MAX_TRUST_ANCHOR_FILE: usize = 64 * 1024;

/// DNSSEC trust anchors: the DNSKEY records (zone-file syntax, as `dig DNSKEY` prints them) whose
/// keys the validator trusts, the root zone's key-signing keys for a resolver that validates the
/// whole tree, or one zone's key to pin that zone.
///
/// hickory 0.25 reads DNSKEY records only (not DS records), and trusts an anchor's key wherever
/// it is found: the owner name of an anchor record is not checked against the zone that uses it.
#[derive(Clone)]
pub struct TrustAnchor {
    keys: Arc<TrustAnchors>,
}

impl std::fmt::Debug for TrustAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustAnchor")
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl TrustAnchor {
    /// Reads the trust anchor file at `path` (at most [`MAX_TRUST_ANCHOR_FILE`] bytes).
    pub fn read(path: &Path) -> Result<TrustAnchor, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if bytes.len() > MAX_TRUST_ANCHOR_FILE {
            return Err(format!(
                "{}: {} bytes, more than the {MAX_TRUST_ANCHOR_FILE} a trust anchor file may have",
                path.display(),
                bytes.len()
            ));
        }
        let text =
            String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8: {e}", path.display()))?;
        TrustAnchor::parse(&text).map_err(|why| format!("{}: {why}", path.display()))
    }

    /// Parses trust anchors: DNSKEY records in zone-file syntax, at least one.
    pub fn parse(text: &str) -> Result<TrustAnchor, String> {
        const FORMAT: &str = "a trust anchor file holds DNSKEY records in zone-file syntax, as `dig DNSKEY` prints them; DS records are not read";
        // hickory 0.25.2's parser has debug assertions that input can fail (a class or type in
        // lower case, a key of an algorithm it does not support): in a debug build they panic.
        // A file is refused, never the process brought down.
        let parsed = std::panic::catch_unwind(|| text.parse::<TrustAnchors>())
            .map_err(|_| format!("not a trust anchor file that can be read ({FORMAT}; classes and types in upper case, keys of a supported algorithm)"))?;
        let keys = parsed.map_err(|e| format!("{e} ({FORMAT})"))?;
        if keys.is_empty() {
            return Err("no DNSKEY record: with no key, no answer could be validated".into());
        }
        Ok(TrustAnchor {
            keys: Arc::new(keys),
        })
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Never true for an anchor read or parsed ([`TrustAnchor::parse`] refuses an empty one).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// A TLSA record (RFC 6698): how a service's certificate is bound to its name in DNS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlsa {
    /// Certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.
    pub usage: u8,
    /// 0 the whole certificate, 1 its public key (SubjectPublicKeyInfo).
    pub selector: u8,
    /// 0 the data itself, 1 its SHA-256, 2 its SHA-512.
    pub matching: u8,
    /// The certificate association data.
    pub data: Vec<u8>,
}

/// The most TLSA records kept for one service: a key rollover publishes two or three.
pub const MAX_TLSA: usize = 8;

/// A resolver of iotp2p's DNS records, asking one configured name server.
#[derive(Clone, Debug)]
pub struct Resolver {
    inner: TokioResolver,
    server: SocketAddr,
    timeout: Duration,
    validating: bool,
}

impl Resolver {
    /// A resolver that asks `server` over UDP, waiting `timeout` for each of two attempts. It
    /// trusts the server's answers as they come (no DNSSEC validation).
    pub fn new(server: SocketAddr, timeout: Duration) -> Self {
        Resolver::build(server, timeout, None)
    }

    /// A resolver like [`Resolver::new`] that validates every answer with DNSSEC under `anchor`
    /// and uses only records proven secure ([IOTP-DLV-7]).
    pub fn validating(server: SocketAddr, timeout: Duration, anchor: &TrustAnchor) -> Self {
        Resolver::build(server, timeout, Some(anchor))
    }

    /// Whether answers are validated with DNSSEC.
    pub fn is_validating(&self) -> bool {
        self.validating
    }

    fn build(server: SocketAddr, timeout: Duration, anchor: Option<&TrustAnchor>) -> Self {
        let mut config = ResolverConfig::new();
        config.add_name_server(NameServerConfig::new(server, Protocol::Udp));
        // An answer truncated over UDP is asked again over TCP (RFC 7766): signed answers, with
        // their RRSIG and DNSKEY records, often are.
        config.add_name_server(NameServerConfig::new(server, Protocol::Tcp));
        let mut options = ResolverOpts::default();
        options.timeout = timeout;
        options.attempts = 2;
        // Only the configured server: no hosts file, no search domains.
        options.use_hosts_file = ResolveHosts::Never;
        options.ndots = 0;
        // Both AAAA and A, always ([IOTP-DLV-2], [IOTP-UDP-17]).
        options.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
        // Bounded cache (records, by name and type).
        options.cache_size = 256;
        // hickory marks each record with its proof and keeps the bogus ones in its answer: the
        // lookups below use only the secure ones (`secure`).
        options.validate = anchor.is_some();
        // EDNS(0) when validating: the DO bit asks for the signatures, and answers up to 1232
        // bytes come over UDP.
        options.edns0 = anchor.is_some();
        let mut builder =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                .with_options(options);
        if let Some(anchor) = anchor {
            builder = builder.with_trust_anchor(Arc::clone(&anchor.keys));
        }
        Resolver {
            inner: builder.build(),
            server,
            timeout,
            validating: anchor.is_some(),
        }
    }

    /// With validation on, every record of type `of` among `records` proven secure, or the
    /// weakest proof found as [`ResolveError::Dnssec`].
    fn secure(
        &self,
        name: &str,
        kind: &'static str,
        of: &[RecordType],
        lookup: &Lookup,
    ) -> Result<(), ResolveError> {
        if !self.validating {
            return Ok(());
        }
        let weakest = lookup
            .record_iter()
            .filter(|r| of.contains(&r.record_type()))
            .map(Record::proof)
            .min();
        match weakest {
            None | Some(Proof::Secure) => Ok(()),
            Some(proof) => Err(dnssec_error(name, kind, proof)),
        }
    }

    /// The SRV records of `domain`'s home relay in the order to try them ([IOTP-DLV-1]).
    pub async fn relay_targets(&self, domain: &str) -> Result<Vec<Target>, ResolveError> {
        let name = fqdn(&format!("_iotp2p._udp.{}", check_domain(domain)?));
        let lookup = self
            .inner
            .srv_lookup(name.as_str())
            .await
            .map_err(|e| self.error(&name, "SRV", e))?;
        self.secure(&name, "SRV", &[RecordType::SRV], lookup.as_lookup())?;
        let targets: Vec<Target> = lookup
            .iter()
            .map(|srv| Target {
                priority: srv.priority(),
                weight: srv.weight(),
                port: srv.port(),
                host: srv
                    .target()
                    .to_lowercase()
                    .to_utf8()
                    .trim_end_matches('.')
                    .to_owned(),
            })
            .collect();
        if targets.len() == 1 && targets[0].host.is_empty() {
            return Err(ResolveError::NoService {
                domain: domain.to_owned(),
            });
        }
        if targets.is_empty() {
            return Err(ResolveError::NoRecords { name, kind: "SRV" });
        }
        // A "." among other targets means nothing; it is no host to try.
        let targets = targets.into_iter().filter(|t| !t.host.is_empty()).collect();
        Ok(order(targets, &mut OsRng))
    }

    /// The relays of `domain` to try, in order, each with its addresses (AAAA and A, [IOTP-DLV-2]).
    /// A target whose name does not resolve is left out; if none resolves, the first target's error.
    pub async fn relay_hosts(&self, domain: &str) -> Result<Vec<RelayHost>, ResolveError> {
        let mut hosts = Vec::new();
        let mut first_error = None;
        for target in self.relay_targets(domain).await? {
            let name = fqdn(&target.host);
            let lookup = self.inner.lookup_ip(name.as_str()).await;
            let lookup = lookup.map_err(|e| self.error(&name, "AAAA or A", e));
            match lookup.and_then(|ips| {
                self.secure(&name, "AAAA or A", &ADDRESSES, ips.as_lookup())?;
                Ok(ips)
            }) {
                Ok(ips) => {
                    let addresses = ips
                        .iter()
                        .map(|ip| SocketAddr::new(ip, target.port))
                        .collect();
                    hosts.push(RelayHost { target, addresses });
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match (hosts.is_empty(), first_error) {
            (true, Some(e)) => Err(e),
            _ => Ok(hosts),
        }
    }

    /// The addresses of a transport URI ([IOTP-UDP-16], [IOTP-UDP-17]): its IP address, or those of its
    /// DNS name from AAAA and A records, each with the URI's port.
    pub async fn transport_addresses(
        &self,
        uri: &TransportUri,
    ) -> Result<Vec<SocketAddr>, ResolveError> {
        let name = match &uri.host {
            Host::Ip(ip) => return Ok(vec![SocketAddr::new(*ip, uri.port)]),
            Host::Name(name) => fqdn(name),
        };
        let ips = self
            .inner
            .lookup_ip(name.as_str())
            .await
            .map_err(|e| self.error(&name, "AAAA or A", e))?;
        self.secure(&name, "AAAA or A", &ADDRESSES, ips.as_lookup())?;
        Ok(ips.iter().map(|ip| SocketAddr::new(ip, uri.port)).collect())
    }

    /// The node IDs `domain` publishes for its relay service, or `None` without an iotp2p TXT record
    /// ([IOTP-DLV-8], records of other protocols ignored, [IOTP-DLV-10]).
    pub async fn relay_ids(&self, domain: &str) -> Result<Option<RelayIds>, ResolveError> {
        let name = fqdn(&format!("_iotp2p.{}", check_domain(domain)?));
        let lookup = match self.inner.txt_lookup(name.as_str()).await {
            Ok(lookup) => lookup,
            Err(e) => {
                return match self.error(&name, "TXT", e) {
                    ResolveError::NoSuchName { .. } | ResolveError::NoRecords { .. } => Ok(None),
                    e => Err(e),
                }
            }
        };
        self.secure(&name, "TXT", &[RecordType::TXT], lookup.as_lookup())?;
        let records: Vec<Result<RelayIds, TxtError>> = lookup
            .iter()
            .filter_map(|txt| {
                let strings: Vec<&[u8]> = txt.txt_data().iter().map(|s| &s[..]).collect();
                parse_txt(&strings)
            })
            .collect();
        match records.len() {
            0 => Ok(None),
            1 => records
                .into_iter()
                .next()
                .map(|r| r.map_err(|source| ResolveError::BadTxt { name, source }))
                .transpose(),
            count => Err(ResolveError::SeveralTxt { name, count }),
        }
    }

    /// The TLSA records of the DTLS service at `port` of `host` (`_<port>._udp.<host>`, RFC 7673),
    /// at most [`MAX_TLSA`], for DANE ([IOTP-DLV-59]). DANE rests on DNSSEC: a resolver that does
    /// not validate returns none, as does a validated denial that the name or the records exist.
    pub async fn tlsa(&self, host: &str, port: u16) -> Result<Vec<Tlsa>, ResolveError> {
        if !self.validating {
            return Ok(Vec::new());
        }
        let name = fqdn(&format!("_{port}._udp.{}", host.trim_end_matches('.')));
        let lookup = match self.inner.lookup(name.as_str(), RecordType::TLSA).await {
            Ok(lookup) => lookup,
            Err(e) => {
                return match self.error(&name, "TLSA", e) {
                    ResolveError::NoSuchName { .. } | ResolveError::NoRecords { .. } => {
                        Ok(Vec::new())
                    }
                    e => Err(e),
                }
            }
        };
        self.secure(&name, "TLSA", &[RecordType::TLSA], &lookup)?;
        Ok(lookup
            .record_iter()
            .filter_map(|r| match r.data() {
                RData::TLSA(tlsa) => Some(Tlsa {
                    usage: tlsa.cert_usage().into(),
                    selector: tlsa.selector().into(),
                    matching: tlsa.matching().into(),
                    data: tlsa.cert_data().to_vec(),
                }),
                _ => None,
            })
            .take(MAX_TLSA)
            .collect())
    }

    fn error(
        &self,
        name: &str,
        kind: &'static str,
        e: hickory_resolver::ResolveError,
    ) -> ResolveError {
        let name = name.to_owned();
        let ResolveErrorKind::Proto(proto) = e.kind() else {
            return ResolveError::Other {
                name,
                detail: e.to_string(),
            };
        };
        match proto.kind() {
            // A negative answer whose denial of existence (NSEC) does not validate.
            ProtoErrorKind::Nsec { proof, .. } => dnssec_error(&name, kind, *proof),
            // With validation on, hickory has checked the NSEC records of a negative answer; its
            // SOA must be secure too, or a stripped negative answer would pass as one.
            ProtoErrorKind::NoRecordsFound { soa, .. }
                if self.validating
                    && soa.as_ref().is_none_or(|soa| soa.proof() != Proof::Secure) =>
            {
                let proof = soa.as_ref().map_or(Proof::Indeterminate, |soa| soa.proof());
                dnssec_error(&name, kind, proof)
            }
            ProtoErrorKind::NoRecordsFound { response_code, .. } => match *response_code {
                ResponseCode::NXDomain => ResolveError::NoSuchName { name },
                ResponseCode::NoError => ResolveError::NoRecords { name, kind },
                code => ResolveError::Server {
                    name,
                    server: self.server,
                    code: code.to_string(),
                },
            },
            ProtoErrorKind::Timeout => ResolveError::Timeout {
                name,
                server: self.server,
                timeout: self.timeout,
            },
            _ => ResolveError::Other {
                name,
                detail: e.to_string(),
            },
        }
    }
}

/// The record types of a host's addresses.
const ADDRESSES: [RecordType; 2] = [RecordType::AAAA, RecordType::A];

/// The refusal of a record set whose `proof` is not secure.
fn dnssec_error(name: &str, kind: &'static str, proof: Proof) -> ResolveError {
    let hint = match proof {
        Proof::Bogus => "its signatures are missing or do not verify with a key the trust anchor leads to: the answer was altered on the way, the zone is signed with another key, or it is not signed at all and outside the anchor's tree (check the anchor file and the zone's DNSKEY and DS records, e.g. with `delv`; a relay that must reach unsigned domains runs without trust_anchor)",
        Proof::Insecure => "no chain of trust leads from the anchor to it: the zone is not signed or its parent publishes no DS record for it, or the answer is forged (hickory 0.25 says insecure, not bogus, for answers stripped of their signatures or signed with another key); sign the zone and publish its DS record, or, for a relay that must reach unsigned domains, run without trust_anchor",
        _ => "the keys and signatures needed to validate it could not be obtained: does the name server answer DNSSEC queries (DNSKEY, DS, RRSIG with the DO bit)?",
    };
    ResolveError::Dnssec {
        name: name.to_owned(),
        kind,
        proof: proof.to_string().to_lowercase(),
        hint,
    }
}

/// A domain as the spec writes it: lowercase, A-labels, no trailing dot, at least two labels.
pub(crate) fn check_domain(domain: &str) -> Result<&str, ResolveError> {
    let bad = |why: &str| ResolveError::BadDomain {
        domain: domain.to_owned(),
        why: why.to_owned(),
    };
    if domain.is_empty() || domain.len() > 253 {
        return Err(bad("a domain has 1 to 253 characters"));
    }
    for label in domain.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("each label has 1 to 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad(
                "labels are lowercase letters, digits and hyphens (A-labels for other scripts)",
            ));
        }
    }
    Ok(domain)
}

/// The name with its trailing dot, so that no search domain is ever appended.
fn fqdn(name: &str) -> String {
    format!("{name}.")
}
