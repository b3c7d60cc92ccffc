//! A lossy-link simulator: a UDP proxy that sits between two nodes A and B and impairs what it
//! carries (loss, duplication, reordering, delay, an MTU), each direction from its own seeded RNG, so
//! that the decisions of a run replay from its seed.
//!
//! A sends to [`LossyLink::a_side`] to reach B, and B to [`LossyLink::b_side`] to reach A; each sees
//! the link's address as its hop peer, so replies go back through the link as they would through a
//! real path. The decisions replay exactly for the same sequence of datagrams in a direction; on
//! real sockets that sequence can itself depend on timing (a retransmission sent before or after a
//! reply arrives), so a run is reproducible in its randomness, not in its scheduling.

mod impair;
mod proxy;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use impair::{fate, Fate, ImpairmentError, Impairments, Oversize};

/// How a link is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkConfig {
    /// The seed of both directions' RNGs.
    pub seed: u64,
    /// What happens to datagrams from A to B.
    pub a_to_b: Impairments,
    /// What happens to datagrams from B to A.
    pub b_to_a: Impairments,
    /// Datagrams held for delay at once, both directions together; more are dropped (and counted).
    pub queue: usize,
}

impl LinkConfig {
    /// The same impairments both ways, with a queue of 1,024 datagrams.
    pub fn symmetric(seed: u64, impairments: Impairments) -> Self {
        LinkConfig {
            seed,
            a_to_b: impairments.clone(),
            b_to_a: impairments,
            queue: 1024,
        }
    }
}

/// A link that could not start.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Impairments that make no sense.
    #[error("impairments {direction}: {source}")]
    Impairments {
        /// "A to B" or "B to A".
        direction: &'static str,
        /// What is wrong.
        source: ImpairmentError,
    },
    /// A queue of size 0 would carry nothing.
    #[error("the link's queue must hold at least one datagram")]
    EmptyQueue,
    /// A socket of the link could not be bound.
    #[error("cannot bind the link's socket on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
}

/// What a link did since it started, both directions together.
#[derive(Debug, Default)]
pub struct LinkStats {
    pub(crate) received: AtomicU64,
    pub(crate) forwarded: AtomicU64,
    pub(crate) lost: AtomicU64,
    pub(crate) duplicated: AtomicU64,
    pub(crate) reordered: AtomicU64,
    pub(crate) too_large: AtomicU64,
    pub(crate) truncated: AtomicU64,
    pub(crate) strangers: AtomicU64,
    pub(crate) overflow: AtomicU64,
}

/// A copy of a link's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkCounts {
    /// Datagrams that reached the link from A or B.
    pub received: u64,
    /// Copies sent on.
    pub forwarded: u64,
    /// Datagrams lost.
    pub lost: u64,
    /// Datagrams sent on twice.
    pub duplicated: u64,
    /// Datagrams with a copy held back to be overtaken.
    pub reordered: u64,
    /// Datagrams dropped for exceeding the MTU.
    pub too_large: u64,
    /// Datagrams cut to the MTU.
    pub truncated: u64,
    /// Datagrams from neither A nor B, dropped.
    pub strangers: u64,
    /// Copies dropped because the delay queue was full.
    pub overflow: u64,
}

impl LinkStats {
    /// The counters now.
    pub fn counts(&self) -> LinkCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LinkCounts {
            received: get(&self.received),
            forwarded: get(&self.forwarded),
            lost: get(&self.lost),
            duplicated: get(&self.duplicated),
            reordered: get(&self.reordered),
            too_large: get(&self.too_large),
            truncated: get(&self.truncated),
            strangers: get(&self.strangers),
            overflow: get(&self.overflow),
        }
    }
}

/// A running link. Dropping it stops its task.
#[derive(Debug)]
pub struct LossyLink {
    a_side: SocketAddr,
    b_side: SocketAddr,
    stats: Arc<LinkStats>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl LossyLink {
    /// Starts a link between `a` and `b`, with its two sockets on the loopback address of their
    /// family, on any free port.
    pub async fn start(
        config: LinkConfig,
        a: SocketAddr,
        b: SocketAddr,
    ) -> Result<Self, LinkError> {
        for (direction, impairments) in [("A to B", &config.a_to_b), ("B to A", &config.b_to_a)] {
            impairments
                .check()
                .map_err(|source| LinkError::Impairments { direction, source })?;
        }
        if config.queue == 0 {
            return Err(LinkError::EmptyQueue);
        }
        let a_socket = bind_loopback(a).await?;
        let b_socket = bind_loopback(b).await?;
        let a_side = a_socket
            .local_addr()
            .map_err(|source| LinkError::Bind { addr: a, source })?;
        let b_side = b_socket
            .local_addr()
            .map_err(|source| LinkError::Bind { addr: b, source })?;
        let stats = Arc::new(LinkStats::default());
        let (stop, stopped) = oneshot::channel();
        let proxy = proxy::Proxy::new(config, [a_socket, b_socket], [a, b], stats.clone());
        let task = tokio::spawn(proxy.run(stopped));
        Ok(LossyLink {
            a_side,
            b_side,
            stats,
            stop: Some(stop),
            task,
        })
    }

    /// Where A sends to reach B.
    pub fn a_side(&self) -> SocketAddr {
        self.a_side
    }

    /// Where B sends to reach A.
    pub fn b_side(&self) -> SocketAddr {
        self.b_side
    }

    /// The link's counters now.
    pub fn counts(&self) -> LinkCounts {
        self.stats.counts()
    }

    /// Stops the link, waiting at most `within`; datagrams still held are dropped.
    pub async fn stop(mut self, within: Duration) -> LinkCounts {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(within, &mut self.task).await.is_err() {
            abort.abort();
        }
        self.stats.counts()
    }
}

impl Drop for LossyLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A socket on the loopback address of `peer`'s family: the link faces that peer.
async fn bind_loopback(peer: SocketAddr) -> Result<UdpSocket, LinkError> {
    let addr: SocketAddr = if peer.is_ipv4() {
        (std::net::Ipv4Addr::LOCALHOST, 0).into()
    } else {
        (std::net::Ipv6Addr::LOCALHOST, 0).into()
    };
    UdpSocket::bind(addr)
        .await
        .map_err(|source| LinkError::Bind { addr, source })
}
