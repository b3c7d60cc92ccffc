//! A real authoritative DNS server on loopback for tests and demos: `hickory-server` serving one zone
//! file per domain on 127.0.0.1 (or ::1), on a port of its own (UDP, and TCP for large answers),
//! stopped when asked or dropped. The
//! resolver under test talks to it over real UDP, as it would to a provider's name server.
//!
//! A zone given a [`ZoneKey`] is served signed (DNSSEC, RFC 4035): its DNSKEY record added, every
//! record set signed (RRSIG) and its names chained by NSEC records, as hickory-server signs a zone;
//! the key's DNSKEY record ([`ZoneKey::dnskey`]) is then the trust anchor a validating resolver
//! needs for it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::authority::{Catalog, DnssecAuthority, ZoneType};
use hickory_server::dnssec::NxProofKind;
use hickory_server::proto::dnssec::crypto::EcdsaSigningKey;
use hickory_server::proto::dnssec::rdata::DNSKEY;
use hickory_server::proto::dnssec::{Algorithm, SigSigner, SigningKey};
use hickory_server::proto::rr::{LowerName, Name};
use hickory_server::store::file::{FileAuthority, FileConfig};
use hickory_server::ServerFuture;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a TCP connection may stay idle.
const TCP_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the signatures of a signed zone are valid from the server's start.
const SIGNATURE_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// One zone to serve: its origin (`home.example.org`) and the zone file (RFC 1035 master format),
/// signed with `key` if it has one.
#[derive(Clone, Debug)]
pub struct Zone {
    /// The zone's origin.
    pub origin: String,
    /// Its zone file.
    pub file: PathBuf,
    /// The key that signs it, if it is served signed.
    pub key: Option<ZoneKey>,
}

impl Zone {
    /// The zone `origin` from `file`.
    pub fn new(origin: &str, file: impl AsRef<Path>) -> Self {
        Zone {
            origin: origin.to_owned(),
            file: file.as_ref().to_owned(),
            key: None,
        }
    }

    /// The zone `origin` from `file`, served signed with `key`.
    pub fn signed(origin: &str, file: impl AsRef<Path>, key: &ZoneKey) -> Self {
        Zone {
            key: Some(key.clone()),
            ..Zone::new(origin, file)
        }
    }
}

/// A zone's signing key: ECDSA P-256 with SHA-256 (DNSSEC algorithm 13), made fresh for a test or
/// a demo, never stored. One key signs the whole zone (a combined key- and zone-signing key).
#[derive(Clone)]
pub struct ZoneKey {
    pkcs8: Arc<pki_types::PrivatePkcs8KeyDer<'static>>,
    dnskey: DNSKEY,
}

impl std::fmt::Debug for ZoneKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The public half only.
        write!(f, "ZoneKey({})", self.dnskey)
    }
}

impl ZoneKey {
    /// A new key from the system's random source.
    pub fn generate() -> Result<ZoneKey, DnsServerError> {
        let key_error = |e: &dyn std::fmt::Display| DnsServerError::Key(e.to_string());
        let pkcs8 = EcdsaSigningKey::generate_pkcs8(Algorithm::ECDSAP256SHA256)
            .map_err(|e| key_error(&e))?;
        let signing = EcdsaSigningKey::from_pkcs8(&pkcs8, Algorithm::ECDSAP256SHA256)
            .map_err(|e| key_error(&e))?;
        let public = signing.to_public_key().map_err(|e| key_error(&e))?;
        Ok(ZoneKey {
            pkcs8: Arc::new(pkcs8),
            dnskey: DNSKEY::from_key(&public),
        })
    }

    /// Its DNSKEY record for the zone `origin`, in zone-file syntax: a trust anchor file's line.
    pub fn dnskey(&self, origin: &str) -> String {
        format!(
            "{}. 3600 IN DNSKEY {}",
            origin.trim_end_matches('.'),
            self.dnskey
        )
    }

    fn signer(&self, origin: &Name) -> Result<SigSigner, DnsServerError> {
        let signing = EcdsaSigningKey::from_pkcs8(&self.pkcs8, Algorithm::ECDSAP256SHA256)
            .map_err(|e| DnsServerError::Key(e.to_string()))?;
        Ok(SigSigner::dnssec(
            self.dnskey.clone(),
            Box::new(signing),
            origin.clone(),
            SIGNATURE_VALIDITY,
        ))
    }
}

/// A server that could not start.
#[derive(Debug, thiserror::Error)]
pub enum DnsServerError {
    /// An origin that is not a domain name.
    #[error("zone origin {origin:?} is not a domain name: {detail}")]
    Origin {
        /// The origin as given.
        origin: String,
        /// What the parser said.
        detail: String,
    },
    /// A zone file that could not be read or parsed.
    #[error("zone file {}: {detail}", file.display())]
    ZoneFile {
        /// The file.
        file: PathBuf,
        /// What went wrong, and where, as the zone parser says it.
        detail: String,
    },
    /// A zone's signing key could not be made, or the zone not signed with it.
    #[error("DNSSEC signing: {0}")]
    Key(String),
    /// The socket could not be bound.
    #[error("cannot bind the DNS server to {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
}

/// A running authoritative server. Dropping it stops it.
#[derive(Debug)]
pub struct DnsServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl DnsServer {
    /// Loads every zone and starts serving them over UDP on `bind` (port 0 for any free port).
    pub async fn start(bind: SocketAddr, zones: &[Zone]) -> Result<Self, DnsServerError> {
        let mut catalog = Catalog::new();
        for zone in zones {
            // Fully qualified, as the names of queries are, so that the catalog finds the zone.
            let fqdn = format!("{}.", zone.origin.trim_end_matches('.'));
            let origin = Name::from_ascii(&fqdn).map_err(|e| DnsServerError::Origin {
                origin: zone.origin.clone(),
                detail: e.to_string(),
            })?;
            let authority = FileAuthority::try_from_config(
                origin.clone(),
                ZoneType::Primary,
                false,
                None,
                &FileConfig {
                    zone_file_path: zone.file.clone(),
                },
                // Names that do not exist are denied with NSEC records in a signed zone.
                zone.key.as_ref().map(|_| NxProofKind::Nsec),
            )
            .map_err(|detail| DnsServerError::ZoneFile {
                file: zone.file.clone(),
                detail,
            })?;
            if let Some(key) = &zone.key {
                let signing = |e: &dyn std::fmt::Display| {
                    DnsServerError::Key(format!("zone {}: {e}", zone.origin))
                };
                authority
                    .add_zone_signing_key(key.signer(&origin)?)
                    .await
                    .map_err(|e| signing(&e))?;
                authority.secure_zone().await.map_err(|e| signing(&e))?;
            }
            catalog.upsert(LowerName::new(&origin), vec![Arc::new(authority)]);
        }
        let socket = UdpSocket::bind(bind)
            .await
            .map_err(|source| DnsServerError::Bind { addr: bind, source })?;
        let addr = socket
            .local_addr()
            .map_err(|source| DnsServerError::Bind { addr: bind, source })?;
        // TCP on the same port, for answers too large for a UDP datagram (a signed zone's
        // DNSKEY and RRSIG records), which the resolver asks again over TCP (RFC 7766).
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| DnsServerError::Bind { addr, source })?;
        let mut server = ServerFuture::new(catalog);
        server.register_socket(socket);
        server.register_listener(listener, TCP_TIMEOUT);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let token = server.shutdown_token().clone();
            // Stops on `stop`, and equally when the handle is gone.
            let watch = async move {
                let _ = stopped.await;
                token.cancel();
            };
            let _ = tokio::join!(watch, server.block_until_done());
        });
        Ok(DnsServer {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server, waiting at most `within`.
    pub async fn stop(mut self, within: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if tokio::time::timeout(within, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
