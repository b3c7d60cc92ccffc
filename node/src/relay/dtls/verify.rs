//! Validation of another relay's certificate (spec §3.9.1): the path from its leaf to one of the
//! configured trust anchors, for the usage of its role in the handshake, and the DNS-ID check of
//! RFC 9525 against the reference identity: the SRV target the connecting relay resolved
//! ([IOTP-DLV-56]), or the host name configured with a route. All of it is `webpki`'s; this file
//! only says which anchors, which time, which usage and which name.
//!
//! **Limit.** The DTLS implementation hands over the peer's leaf certificate alone
//! (`Output::PeerCert`), without the intermediates its Certificate message carried, so a peer's
//! leaf must be issued directly by a configured trust anchor, or by an intermediate CA configured
//! beside the anchors (`intermediates`): a chain through any other intermediate is refused.

use pki_types::{
    CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};
use webpki::{EndEntityCert, KeyUsage};

use std::collections::HashMap;

use super::dane;
use super::ecdsa::ALGORITHMS;
use crate::resolve::{Tlsa, MAX_TLSA};

/// How many of a peer certificate's DNS-IDs are looked at, when no reference identity is known
/// (a relay that connected to this one from an address it did not resolve): each that validates is
/// one of its authenticated host names. A certificate is the peer's to make long; this keeps the
/// work per handshake and the names kept small (the engine keeps as many, `MAX_RELAY_HOSTS`).
pub(crate) const MAX_PEER_NAMES: usize = 16;

/// Why a peer certificate was refused ([IOTP-DLV-55]).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    /// The trust anchors configured cannot be read as CA certificates.
    #[error("trust anchor {0} is not a usable CA certificate: {1}")]
    Anchor(usize, String),
    /// The certificate does not lead to a trust anchor, is expired, or is not for this usage.
    #[error("its certificate does not validate: {0}")]
    Path(String),
    /// The certificate is valid, but not for the host name the relay meant to reach.
    #[error("its certificate is not for {0}")]
    Name(String),
    /// The certificate names no DNS-ID to authenticate the peer with.
    #[error("its certificate names no host")]
    NoName,
    /// The host's zone publishes TLSA records (DNSSEC-validated) and none matches the certificate.
    #[error("its certificate matches none of the TLSA records of {0} (DANE, IOTP-DLV-59)")]
    Dane(String),
}

/// The trust anchors a relay validates other relays' certificates with.
pub struct Verifier {
    anchors: Vec<TrustAnchor<'static>>,
    /// Configured intermediates, offered to path building (a peer's are not available).
    intermediates: Vec<CertificateDer<'static>>,
    /// The TLSA records of the relays' host names whose zones publish them (DANE).
    dane: HashMap<String, Vec<Tlsa>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verifier({} anchors)", self.anchors.len())
    }
}

/// Which side of the handshake the peer was: the certificate's extended key usage must allow it
/// (an extension that is absent allows both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerRole {
    /// The peer answered this relay's ClientHello.
    Server,
    /// The peer sent the ClientHello.
    Client,
}

impl Verifier {
    /// A verifier for the CA certificates `anchors` (DER), each of which must parse as a trust
    /// anchor, with the intermediate CA certificates `intermediates` (DER).
    pub fn new(anchors: Vec<Vec<u8>>, intermediates: Vec<Vec<u8>>) -> Result<Self, Refused> {
        let anchors = anchors
            .iter()
            .enumerate()
            .map(|(i, der)| {
                let der = CertificateDer::from(der.as_slice());
                webpki::anchor_from_trusted_cert(&der)
                    .map(|a| a.to_owned())
                    .map_err(|e| Refused::Anchor(i, e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        let intermediates = intermediates
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        Ok(Verifier {
            anchors,
            intermediates,
            dane: HashMap::new(),
        })
    }

    /// The TLSA records of `host` (none: DANE does not apply to it), at most [`MAX_TLSA`], for
    /// at most `MAX_KNOWN_RELAYS` hosts. False when the table is full.
    pub fn set_dane(&mut self, host: &str, mut records: Vec<Tlsa>) -> bool {
        let host = host_name(host);
        if records.is_empty() {
            self.dane.remove(&host);
            return true;
        }
        if !self.dane.contains_key(&host) && self.dane.len() >= super::MAX_KNOWN_RELAYS {
            return false;
        }
        records.truncate(MAX_TLSA);
        self.dane.insert(host, records);
        true
    }

    /// Validates `leaf` (DER), presented by a peer in `role`, at `now`: for `expected` when the
    /// relay knows whom it meant to reach, otherwise for each of its first `MAX_PEER_NAMES`
    /// DNS-IDs, which one provider's relay may have for the many domains it serves. Returns the
    /// authenticated host names, as DNS compares them (lower case, no final dot), never none.
    pub fn validate(
        &self,
        leaf: &[u8],
        role: PeerRole,
        expected: Option<&str>,
        now: UnixTime,
    ) -> Result<Vec<String>, Refused> {
        let leaf = CertificateDer::from(leaf);
        let cert = EndEntityCert::try_from(&leaf).map_err(|e| Refused::Path(e.to_string()))?;
        let usage = match role {
            PeerRole::Server => KeyUsage::server_auth(),
            PeerRole::Client => KeyUsage::client_auth(),
        };
        let algorithms: Vec<&dyn SignatureVerificationAlgorithm> = ALGORITHMS.to_vec();
        cert.verify_for_usage(
            &algorithms,
            &self.anchors,
            &self.intermediates,
            now,
            usage,
            None,
            None,
        )
        .map_err(|e| Refused::Path(e.to_string()))?;
        let valid_for = |host: &str| {
            ServerName::try_from(host)
                .ok()
                .is_some_and(|name| cert.verify_is_valid_for_subject_name(&name).is_ok())
        };
        match expected {
            Some(host) => {
                let host = host_name(host);
                if !valid_for(&host) {
                    return Err(Refused::Name(host));
                }
                // DANE, where the host's zone publishes TLSA records ([IOTP-DLV-59]).
                if let Some(records) = self.dane.get(&host) {
                    if dane::check(leaf.as_ref(), records) == dane::Verdict::Mismatch {
                        return Err(Refused::Dane(host));
                    }
                }
                Ok(vec![host])
            }
            None => {
                let mut names: Vec<String> = Vec::new();
                for name in cert
                    .valid_dns_names()
                    .take(MAX_PEER_NAMES)
                    // A wildcard names no one host: it cannot be a relay's authenticated name.
                    .filter(|name| !name.contains('*'))
                    .map(host_name)
                {
                    if valid_for(&name) && !names.contains(&name) {
                        names.push(name);
                    }
                }
                if names.is_empty() {
                    Err(Refused::NoName)
                } else {
                    Ok(names)
                }
            }
        }
    }
}

/// A host name as DNS compares it: lower case (ASCII), without the root's final dot (§3.11.4).
fn host_name(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}
