//! The task that owns a relay's socket, engine and store: it feeds the engine datagrams, the time and
//! the application's calls, commits store changes, sends datagrams and arms the next timer. It decides
//! nothing about the protocol.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;

use iotp2p_codec::core::Envelope;
use iotp2p_codec::prelude::*;
use iotp2p_protocol::message::digest::Digest;
use iotp2p_protocol::params::Instant;
use iotp2p_protocol::relay::{Relay, RelayEvent, RelayOutput, StoreChange};
use iotp2p_protocol::server::relay::RelayServer;
use rand_core::CryptoRngCore;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::dtls::demux::{self, Kind};
use super::dtls::{self as hop, DtlsStats, Hop};
use super::redirect::Redirects;
use super::registry::Times;
use crate::clock::{sleep_until, Clock, Timer};
use crate::random::NodeRng;
use crate::store::{HoldLimits, NewMessage, RelayStore, StoreError};
use crate::udp::{admit, may_send, Stats, MAX_PAYLOAD};

/// A call of the relay's engine made on the driver's task.
pub(super) type RelayCall = Box<
    dyn FnOnce(
            &mut Relay<SocketAddr>,
            Instant,
            &mut dyn CryptoRngCore,
        ) -> Vec<RelayOutput<SocketAddr>>
        + Send,
>;

pub(super) struct Driver {
    pub(super) socket: UdpSocket,
    pub(super) relay: RelayServer<SocketAddr>,
    pub(super) store: Box<dyn RelayStore + Send>,
    /// The store's identifier of each envelope held, in the outbox or kept as a forward, by digest.
    pub(super) ids: HashMap<Digest, u64>,
    /// The relays of each other domain, in the order to try them.
    pub(super) routes: BTreeMap<String, Vec<SocketAddr>>,
    pub(super) calls: mpsc::Receiver<RelayCall>,
    pub(super) events: mpsc::Sender<RelayEvent<SocketAddr>>,
    pub(super) stats: Arc<Stats>,
    pub(super) clock: Clock,
    pub(super) rng: NodeRng,
    /// Where the requests held for a released address go (§3.11.4).
    pub(super) redirects: Redirects,
    /// The DTLS associations with other relays (§3.9.1); without it, no other relay is reached.
    pub(super) hop: Option<Hop>,
    pub(super) dtls_stats: Arc<DtlsStats>,
}

/// The time of the DTLS endpoints: the runtime's clock, which a test may pause, as the engine's is.
fn dtls_now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}

/// Whether a frame the engine sends to another relay asks for an answer: a confirmable envelope,
/// which the other relay's engine acknowledges. An envelope that does not decode is taken to (the
/// hop then treats a silent peer as before).
fn asks_for_answer(frame: &[u8]) -> bool {
    Envelope::decode(frame).map_or(true, |e| e.ack_requested)
}

/// The most datagrams taken from the socket at once, into one batch of the store.
const RECEIVE_BATCH: usize = 64;

/// What one batch of store changes holds back or may have to undo.
#[derive(Default)]
struct Batch {
    /// The store has a batch open.
    open: bool,
    /// The datagrams that wait for the batch to be stored.
    sends: Vec<(SocketAddr, Vec<u8>)>,
    /// The envelopes the batch holds for a recipient, by recipient and digest.
    held: Vec<(String, Digest)>,
    /// The envelopes the batch keeps for forwarding, by digest.
    kept: Vec<Digest>,
}

impl Driver {
    /// Carries out `pending` (what a restart found under way), then runs until the handle is gone,
    /// and hands the store back.
    pub(super) async fn run(
        mut self,
        pending: Vec<RelayOutput<SocketAddr>>,
    ) -> Box<dyn RelayStore + Send> {
        self.handle(pending).await;
        // As in the node's driver, one byte more than the largest datagram taken: MAX_PAYLOAD for a
        // frame ([IOTP-UDP-4]), a record carrying one for DTLS ([IOTP-DLV-60]).
        let mut buffer = [0u8; hop::MAX_DATAGRAM + 1];
        let mut timer = Timer::default();
        // When the DTLS timers last ran: a deadline at or before it is retried a millisecond
        // later, so that it never spins the loop (as `Timer` does for the engine's).
        let mut dtls_ran: Option<std::time::Instant> = None;
        loop {
            let deadline = timer.arm(&self.clock, self.relay.next_deadline());
            let dtls_deadline = self.hop.as_ref().and_then(Hop::next_deadline).map(|t| {
                let t = match dtls_ran {
                    Some(ran) if t <= ran => ran + std::time::Duration::from_millis(1),
                    _ => t,
                };
                tokio::time::Instant::from_std(t)
            });
            let outputs = tokio::select! {
                biased;
                call = self.calls.recv() => match call {
                    Some(call) => {
                        let now = self.clock.now();
                        let out = call(self.relay.relay_mut(), now, &mut self.rng);
                        self.relay.serve(now, &mut self.rng, out)
                    }
                    None => break,
                },
                Some((redirect, relays)) = self.redirects.outcomes.recv() => {
                    // Each relay by its SRV target, the reference identity of the handshake
                    // ([IOTP-DLV-56]); without DTLS no relay can be reached.
                    let relays: Vec<SocketAddr> = match self.hop.as_mut() {
                        Some(hop) => relays
                            .into_iter()
                            .filter(|(addr, host, tlsa)| {
                                hop.expect_dane(host, tlsa.clone()) && hop.expect(*addr, host)
                            })
                            .map(|(addr, ..)| addr)
                            .collect(),
                        None => Vec::new(),
                    };
                    // No relay to carry it to: answered at once ([IOTP-DLV-113]).
                    let now = self.clock.now();
                    let out = self.relay.relay_mut().redirect_to(now, &mut self.rng, redirect, relays);
                    self.relay.serve(now, &mut self.rng, out)
                },
                () = sleep_until(deadline), if deadline.is_some() => {
                    let now = timer.fire(&self.clock);
                    self.relay.on_timer(now, &mut self.rng)
                },
                () = sleep_until(dtls_deadline), if dtls_deadline.is_some() => {
                    let now = dtls_now();
                    dtls_ran = Some(now);
                    match self.hop.as_mut() {
                        Some(hop) => {
                            let out = hop.on_timer(now);
                            self.carry_out_hop(out).await
                        }
                        None => Vec::new(),
                    }
                },
                received = self.socket.recv_from(&mut buffer) => {
                    let mut out = self.received(received, &buffer).await;
                    // The datagrams already waiting are taken too, so that one batch of the store
                    // (one sync of its disk) covers them all: at most RECEIVE_BATCH, so that the
                    // timers and the application's calls are not kept waiting under load.
                    for _ in 1..RECEIVE_BATCH {
                        match self.socket.try_recv_from(&mut buffer) {
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                            received => out.extend(self.received(received, &buffer).await),
                        }
                    }
                    out
                },
            };
            self.handle(outputs).await;
        }
        self.store
    }

    /// One read of the socket: what the datagram it gave brings (nothing for a failed read).
    async fn received(
        &mut self,
        received: std::io::Result<(usize, SocketAddr)>,
        buffer: &[u8],
    ) -> Vec<RelayOutput<SocketAddr>> {
        let Ok((len, from)) = received else {
            self.stats.receive_error();
            return Vec::new();
        };
        self.stats.received();
        // The socket cuts a longer datagram to the buffer, one byte more than the largest taken.
        self.datagram(from, &buffer[..len.min(hop::MAX_DATAGRAM)], len)
            .await
    }

    /// A received datagram of `len` bytes (`bytes` is what the buffer held of it), told apart by its
    /// first byte ([IOTP-UDP-19]): DTLS to the hop, a frame to the engine unless its source is a
    /// relay's address, anything else dropped.
    async fn datagram(
        &mut self,
        from: SocketAddr,
        bytes: &[u8],
        len: usize,
    ) -> Vec<RelayOutput<SocketAddr>> {
        match demux::kind(bytes) {
            Kind::Dtls => match self.hop.as_mut() {
                Some(hop) if len <= hop::MAX_DATAGRAM => {
                    let out = hop.receive(from, bytes, dtls_now());
                    self.carry_out_hop(out).await
                }
                _ => {
                    self.stats.refused();
                    Vec::new()
                }
            },
            _ if admit(&bytes[..len.min(MAX_PAYLOAD)], len > MAX_PAYLOAD).is_err() => {
                self.stats.refused();
                Vec::new()
            }
            _ if self.hop.as_ref().is_some_and(|h| h.is_relay(&from)) => {
                // A relay's frames come through DTLS alone: an unprotected one from its address
                // proves nothing of its sender ([IOTP-DLV-57], [IOTP-DLV-58]).
                self.dtls_stats.plain_from_relay();
                Vec::new()
            }
            _ => self
                .relay
                .receive(self.clock.now(), &mut self.rng, &from, bytes),
        }
    }

    /// Sends what the hop put out, tells the engine which peers authenticated with which host
    /// names, and gives it the frames that came through DTLS, from the peer's address.
    async fn carry_out_hop(&mut self, out: hop::Out) -> Vec<RelayOutput<SocketAddr>> {
        for (to, datagram) in &out.datagrams {
            send_datagram(&self.socket, &self.stats, *to, datagram).await;
        }
        for (peer, hosts) in &out.authenticated {
            let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
            self.relay.relay_mut().set_relay_hosts(*peer, &hosts);
        }
        let mut outputs = Vec::new();
        for (peer, frame) in out.frames {
            if admit(&frame, false).is_err() {
                self.stats.refused();
                continue;
            }
            let now = self.clock.now();
            outputs.extend(self.relay.receive(now, &mut self.rng, &peer, &frame));
        }
        outputs
    }

    /// Carries out the engine's outputs in order; a store change that fails withholds the rest.
    /// A forward goes back to the engine with the relay of its domain, which sends and
    /// retransmits it; what that puts out is carried out in its place.
    ///
    /// The store changes are one batch (group commit): from the first, the datagrams wait until
    /// the batch is stored, so that no acknowledgement leaves before what it acknowledges is on
    /// disk; if the batch cannot be stored, they never leave, and the engine forgets the envelopes
    /// the batch held or kept for forwarding, whose senders will send them again.
    pub(super) async fn handle(&mut self, outputs: Vec<RelayOutput<SocketAddr>>) {
        let mut batch = Batch::default();
        self.carry_out(outputs, &mut batch).await;
        if !batch.open {
            return;
        }
        if self.store.end_batch().is_err() {
            self.stats.store_error();
            let relay = self.relay.relay_mut();
            for (recipient, digest) in &batch.held {
                relay.forget(recipient, digest);
                self.ids.remove(digest);
            }
            for digest in &batch.kept {
                relay.forget_forward(digest);
                self.ids.remove(digest);
            }
            return;
        }
        for (to, bytes) in batch.sends {
            self.send_output(to, bytes).await;
        }
    }

    /// Sends a datagram the engine put out: to another relay through DTLS, each frame the
    /// plaintext of a record of its own ([IOTP-UDP-18]); to anyone else as it is.
    async fn send_output(&mut self, to: SocketAddr, bytes: Vec<u8>) {
        match self.hop.as_mut() {
            Some(hop) if hop.is_relay(&to) => {
                let answered = asks_for_answer(&bytes);
                let out = hop.send_frame(to, bytes, answered, dtls_now());
                for (to, datagram) in &out.datagrams {
                    send_datagram(&self.socket, &self.stats, *to, datagram).await;
                }
            }
            _ => {
                send(&self.socket, &self.stats, to, &bytes).await;
            }
        }
    }

    async fn carry_out(&mut self, outputs: Vec<RelayOutput<SocketAddr>>, batch: &mut Batch) {
        let mut queue = VecDeque::from(outputs);
        while let Some(output) = queue.pop_front() {
            match output {
                RelayOutput::Send { to, bytes } if batch.open => batch.sends.push((to, bytes)),
                RelayOutput::Send { to, bytes } => self.send_output(to, bytes).await,
                RelayOutput::Forward { domain, bytes } => {
                    let relays = self.routes.get(&domain).cloned().unwrap_or_default();
                    if relays.is_empty() {
                        self.stats.send_error();
                    }
                    let now = self.clock.now();
                    let out = self.relay.relay_mut().forward_to(
                        now,
                        &mut self.rng,
                        &domain,
                        relays,
                        bytes,
                    );
                    let out = self.relay.serve(now, &mut self.rng, out);
                    for o in out.into_iter().rev() {
                        queue.push_front(o);
                    }
                }
                RelayOutput::Redirect(redirect) => self.redirects.start(redirect),
                RelayOutput::Store(change) => {
                    if !batch.open {
                        // Without a batch (the store refused one), each change alone.
                        batch.open = self.store.begin_batch().is_ok();
                    }
                    match &change {
                        StoreChange::Held {
                            recipient, digest, ..
                        } => batch.held.push((recipient.clone(), *digest)),
                        StoreChange::Outgoing { digest, .. } => batch.kept.push(*digest),
                        _ => {}
                    }
                    if self.store_change(change).is_err() {
                        self.stats.store_error();
                        return;
                    }
                }
                RelayOutput::Event(RelayEvent::Discarded { .. }) => self.stats.discarded(),
                RelayOutput::Event(event) => {
                    if self.events.try_send(event).is_err() {
                        self.stats.event_dropped();
                    }
                }
            }
        }
    }

    /// The wall-clock time of the engine's instant `t`: engine instants are the relay's own, the
    /// store keeps wall-clock times, which outlive the process.
    fn wall(&self, t: Instant) -> u64 {
        let (now, wall) = (self.clock.now(), self.clock.wall());
        if t >= now {
            wall.saturating_add(t - now)
        } else {
            wall.saturating_sub(now - t)
        }
    }

    fn store_change(&mut self, change: StoreChange) -> Result<(), StoreError> {
        match change {
            StoreChange::Held {
                recipient,
                digest,
                request,
                sender,
                envelope,
                received,
                expires,
            } => {
                let (received_at, expires_at) = (self.wall(received), self.wall(expires));
                let limits = self.relay.relay().config().limits;
                let limits = HoldLimits::new(limits.max_messages, u64::from(limits.max_bytes))?;
                let held = self.store.hold(
                    &NewMessage {
                        recipient: &recipient,
                        request,
                        envelope: &envelope,
                        received_at,
                        expires_at,
                        sender: sender.as_deref(),
                    },
                    limits,
                );
                match held {
                    Ok(held) => {
                        self.ids.insert(digest, held.id);
                        Ok(())
                    }
                    Err(e) => {
                        self.relay.relay_mut().forget(&recipient, &digest);
                        Err(e)
                    }
                }
            }
            StoreChange::Removed { recipient, digests } => {
                let ids: Vec<u64> = digests.iter().filter_map(|d| self.ids.remove(d)).collect();
                self.store.remove(&recipient, &ids).map(|_| ())
            }
            StoreChange::Outgoing {
                domain,
                digest,
                envelope,
                received,
            } => match self
                .store
                .forwarding(&domain, &envelope, self.wall(received))
            {
                Ok(id) => {
                    self.ids.insert(digest, id);
                    Ok(())
                }
                Err(e) => {
                    self.relay.relay_mut().forget_forward(&digest);
                    Err(e)
                }
            },
            StoreChange::Retry {
                digest,
                failed,
                next,
            } => match self.ids.get(&digest) {
                Some(&id) => {
                    let next = self.wall(next);
                    self.store.retry_forwarding(id, failed, next).map(|_| ())
                }
                None => Ok(()),
            },
            StoreChange::Forwarded { digest } => match self.ids.remove(&digest) {
                Some(id) => self.store.forwarded(id).map(|_| ()),
                None => Ok(()),
            },
            StoreChange::Redirected { digest, .. } => match self.ids.remove(&digest) {
                Some(id) => self.store.sent(id).map(|_| ()),
                None => Ok(()),
            },
            StoreChange::Registry(change) => {
                let times = Times {
                    now: self.clock.now(),
                    wall: self.clock.wall(),
                };
                super::registry::store(self.store.as_mut(), change, times)
            }
        }
    }
}

/// Sends one DTLS datagram from the relay's one socket: longer than a frame by the record's
/// overhead ([IOTP-DLV-60]), never multicast.
async fn send_datagram(socket: &UdpSocket, stats: &Stats, to: SocketAddr, bytes: &[u8]) {
    if to.ip().is_multicast() || bytes.len() > hop::MAX_DATAGRAM {
        stats.send_error();
        return;
    }
    match socket.send_to(bytes, to).await {
        Ok(n) => stats.sent(n),
        Err(_) => stats.send_error(),
    }
}

/// Sends one datagram from the relay's one socket ([IOTP-UDP-6]); returns whether it went. The
/// socket and counters are borrowed alone, so that the driver (whose store need not be `Sync`) is
/// not held across the await.
async fn send(socket: &UdpSocket, stats: &Stats, to: SocketAddr, bytes: &[u8]) -> bool {
    if may_send(to, bytes.len()).is_err() {
        stats.send_error();
        return false;
    }
    match socket.send_to(bytes, to).await {
        Ok(n) => {
            stats.sent(n);
            true
        }
        Err(_) => {
            stats.send_error();
            false
        }
    }
}
