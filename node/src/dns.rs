//! A real authoritative DNS server on loopback for tests and demos: `hickory-server` serving one zone
//! file per domain on 127.0.0.1 (or ::1), on a port of its own, stopped when asked or dropped. The
//! resolver under test talks to it over real UDP, as it would to a provider's name server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::authority::{Catalog, ZoneType};
use hickory_server::proto::rr::{LowerName, Name};
use hickory_server::store::file::{FileAuthority, FileConfig};
use hickory_server::ServerFuture;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// One zone to serve: its origin (`home.example.org`) and the zone file (RFC 1035 master format).
#[derive(Clone, Debug)]
pub struct Zone {
    /// The zone's origin.
    pub origin: String,
    /// Its zone file.
    pub file: PathBuf,
}

impl Zone {
    /// The zone `origin` from `file`.
    pub fn new(origin: &str, file: impl AsRef<Path>) -> Self {
        Zone {
            origin: origin.to_owned(),
            file: file.as_ref().to_owned(),
        }
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
            )
            .map_err(|detail| DnsServerError::ZoneFile {
                file: zone.file.clone(),
                detail,
            })?;
            catalog.upsert(LowerName::new(&origin), vec![Arc::new(authority)]);
        }
        let socket = UdpSocket::bind(bind)
            .await
            .map_err(|source| DnsServerError::Bind { addr: bind, source })?;
        let addr = socket
            .local_addr()
            .map_err(|source| DnsServerError::Bind { addr: bind, source })?;
        let mut server = ServerFuture::new(catalog);
        server.register_socket(socket);
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
