//! The link's task: reads from both sides, draws each datagram's fate, holds copies for their delay
//! in a bounded queue, and sends them on from the other side's socket.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::impair::{fate, Impairments};
use super::{LinkConfig, LinkStats};

/// The largest datagram the link reads: the largest UDP payload over IPv4 (65,507 bytes), so that
/// the link itself never cuts what a node sent and the nodes' own limits are what is tested.
const MAX_DATAGRAM: usize = 65_507;

/// A copy waiting for its time: ordered by release time, then by arrival, so that equal delays keep
/// their order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Held {
    at: Instant,
    seq: u64,
    /// The index of the side whose peer receives it (0: A, 1: B).
    to: usize,
    bytes: Vec<u8>,
}

pub(super) struct Proxy {
    sockets: [UdpSocket; 2],
    peers: [SocketAddr; 2],
    impairments: [Impairments; 2],
    rngs: [ChaCha8Rng; 2],
    queue: BinaryHeap<Reverse<Held>>,
    /// The bound of `queue` (LinkConfig::queue).
    capacity: usize,
    seq: u64,
    stats: Arc<LinkStats>,
}

impl Proxy {
    /// `sockets[0]` faces A (at `peers[0]`), `sockets[1]` faces B.
    pub(super) fn new(
        config: LinkConfig,
        sockets: [UdpSocket; 2],
        peers: [SocketAddr; 2],
        stats: Arc<LinkStats>,
    ) -> Self {
        Proxy {
            sockets,
            peers,
            rngs: [
                ChaCha8Rng::seed_from_u64(config.seed),
                ChaCha8Rng::seed_from_u64(config.seed ^ 0x9e37_79b9_7f4a_7c15),
            ],
            impairments: [config.a_to_b, config.b_to_a],
            queue: BinaryHeap::new(),
            capacity: config.queue,
            seq: 0,
            stats,
        }
    }

    pub(super) async fn run(mut self, mut stop: oneshot::Receiver<()>) {
        let mut buffers = [vec![0u8; MAX_DATAGRAM], vec![0u8; MAX_DATAGRAM]];
        let [buf_a, buf_b] = &mut buffers;
        loop {
            let next = self.queue.peek().map(|Reverse(h)| h.at);
            tokio::select! {
                _ = &mut stop => return,
                r = self.sockets[0].recv_from(buf_a) => {
                    if let Ok((len, from)) = r { self.arrived(0, from, &buf_a[..len]); }
                }
                r = self.sockets[1].recv_from(buf_b) => {
                    if let Ok((len, from)) = r { self.arrived(1, from, &buf_b[..len]); }
                }
                () = sleep_until(next), if next.is_some() => self.release().await,
            }
        }
    }

    /// A datagram reached the socket facing `side`: it travels towards the other side.
    fn arrived(&mut self, side: usize, from: SocketAddr, bytes: &[u8]) {
        if from != self.peers[side] {
            self.stats.strangers.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.stats.received.fetch_add(1, Ordering::Relaxed);
        let fate = fate(&mut self.rngs[side], &self.impairments[side], bytes.len());
        let count = |c: &std::sync::atomic::AtomicU64, yes: bool| {
            if yes {
                c.fetch_add(1, Ordering::Relaxed);
            }
        };
        count(&self.stats.lost, fate.copies.is_empty() && !fate.too_large);
        count(&self.stats.too_large, fate.too_large);
        count(&self.stats.duplicated, fate.copies.len() > 1);
        count(&self.stats.reordered, fate.reordered);
        count(
            &self.stats.truncated,
            fate.truncate_to.is_some() && !fate.copies.is_empty(),
        );
        let bytes = &bytes[..fate.truncate_to.unwrap_or(bytes.len()).min(bytes.len())];
        let now = Instant::now();
        for delay in fate.copies {
            if self.queue.len() >= self.capacity {
                self.stats.overflow.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            self.seq += 1;
            self.queue.push(Reverse(Held {
                at: now + Duration::from_millis(delay),
                seq: self.seq,
                to: 1 - side,
                bytes: bytes.to_vec(),
            }));
        }
    }

    /// Sends every copy whose time has come, from the socket facing its recipient.
    async fn release(&mut self) {
        let now = Instant::now();
        while self.queue.peek().is_some_and(|Reverse(h)| h.at <= now) {
            let Some(Reverse(held)) = self.queue.pop() else {
                break;
            };
            if self.sockets[held.to]
                .send_to(&held.bytes, self.peers[held.to])
                .await
                .is_ok()
            {
                self.stats.forwarded.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
