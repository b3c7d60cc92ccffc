//! One DTLS 1.3 association with another relay: the `dimpl` endpoint, the frames waiting for its
//! handshake, the name its certificate was validated for, and its times. It turns what the
//! endpoint puts out into datagrams to send, frames received and the moment it is authenticated.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use dimpl::{Dtls, Output};
use pki_types::UnixTime;

use super::verify::{PeerRole, Refused, Verifier};
use super::{Out, MAX_DATAGRAM, MAX_QUEUED};

/// Why an association ended.
#[derive(Debug)]
pub(super) enum Ended {
    /// The peer's certificate was refused ([IOTP-DLV-55]).
    Refused(Refused),
    /// The DTLS endpoint failed (a handshake that timed out, a fatal alert): `dimpl`'s errors are
    /// all fatal.
    Failed,
    /// The peer closed it.
    Closed,
}

/// One association, in handshake or open.
pub(super) struct Association {
    dtls: Dtls,
    /// Whether the peer is the handshake's server (this relay connected) or its client.
    pub(super) peer_role: PeerRole,
    /// The reference identity: the host name the relay meant to reach at this address (the SRV
    /// target or the route's host), if it knows one.
    expected: Option<String>,
    /// The host names its certificate was validated for (at least one once validated).
    pub(super) names: Option<Vec<String>>,
    /// Whether the handshake completed.
    pub(super) open: bool,
    /// Frames waiting for the handshake, at most [`MAX_QUEUED`].
    queue: VecDeque<Vec<u8>>,
    /// When it was made: a handshake older than `HANDSHAKE_TIMEOUT` is given up.
    pub(super) started: Instant,
    /// When a datagram of the peer last authenticated on it, or it was made.
    pub(super) last_received: Instant,
    /// When it last sent or received anything: idle associations expire.
    pub(super) last_active: Instant,
    /// The first send since the peer was last heard from: a peer silent too long after it is
    /// taken to have lost the association (it restarted).
    pub(super) unanswered_since: Option<Instant>,
    /// When the endpoint wants `handle_timeout`.
    pub(super) timeout: Option<Instant>,
    /// Which of the handshakes this relay started in a row for the frames it holds this is (1 for
    /// the first): see `HANDSHAKE_ATTEMPTS`.
    pub(super) attempt: u32,
    /// For a handshake a ClientHello opened, that ClientHello's random: a first ClientHello with
    /// another one comes from a client that started over.
    pub(super) client_random: Option<[u8; 32]>,
    /// When the handshake completed.
    pub(super) opened: Option<Instant>,
    /// Whether the peer has been heard from on the open association: a frame of its, or, for the
    /// handshake's server, the client's last flight. The client's last flight can be lost after
    /// the client took the handshake for done; until the peer is heard from, the frames written
    /// are kept in `unheard`, at most [`MAX_QUEUED`], to go again on a new handshake.
    pub(super) heard: bool,
    /// Copies of the frames written before the peer was heard from.
    unheard: VecDeque<Vec<u8>>,
    /// Whether a frame queued for the handshake or written since asks for an answer: a
    /// confirmable envelope, which the peer's engine acknowledges. Only those make a peer that was
    /// never heard from suspect ([`unheard_for`](Self::unheard_for)); a relay pair that carries
    /// non-confirmable envelopes one way hears nothing back, rightly.
    awaits_answer: bool,
}

impl Association {
    pub(super) fn new(
        dtls: Dtls,
        peer_role: PeerRole,
        expected: Option<String>,
        now: Instant,
    ) -> Self {
        Association {
            dtls,
            peer_role,
            expected,
            names: None,
            open: false,
            queue: VecDeque::new(),
            started: now,
            last_received: now,
            last_active: now,
            unanswered_since: None,
            timeout: None,
            attempt: 1,
            client_random: None,
            opened: None,
            heard: false,
            unheard: VecDeque::new(),
            awaits_answer: false,
        }
    }

    /// Takes over the frames another association was holding: a handshake given up for the
    /// peer's own, when both relays connected at once, or for a new one of this relay's; and the
    /// frames written on an open association whose peer was never heard from.
    pub(super) fn take_queue(&mut self, other: &mut Association) {
        self.queue.append(&mut other.unheard);
        self.queue.append(&mut other.queue);
        self.queue.truncate(MAX_QUEUED);
        self.awaits_answer |= other.awaits_answer;
    }

    /// Whether frames wait for its handshake, or were written before the peer was heard from.
    pub(super) fn holds_frames(&self) -> bool {
        !self.queue.is_empty() || !self.unheard.is_empty()
    }

    /// Whether this relay completed the handshake as its client and has not heard from the peer
    /// since, for longer than `silent`: the server may never have had the client's last flight.
    pub(super) fn unheard_for(&self, silent: std::time::Duration, now: Instant) -> bool {
        !self.heard
            && self.awaits_answer
            && self.opened.is_some_and(|t| now.duration_since(t) > silent)
    }

    /// Keeps a copy of a frame written before the peer was heard from.
    fn keep_unheard(&mut self, frame: &[u8]) {
        if !self.heard && self.unheard.len() < MAX_QUEUED {
            self.unheard.push_back(frame.to_vec());
        }
    }

    /// Advances the endpoint's clock; every `dimpl` call at a new instant needs it first.
    pub(super) fn tick(&mut self, now: Instant) -> Result<(), Ended> {
        self.dtls.handle_timeout(now).map_err(|_| Ended::Failed)
    }

    /// Feeds a received datagram, then drains the endpoint.
    pub(super) fn receive(
        &mut self,
        peer: SocketAddr,
        datagram: &[u8],
        verifier: &Verifier,
        now: Instant,
        out: &mut Out,
    ) -> Result<(), Ended> {
        self.tick(now)?;
        self.dtls
            .handle_packet(datagram)
            .map_err(|_| Ended::Failed)?;
        let received = self.drain(peer, verifier, now, out)?;
        if received {
            self.last_received = now;
            self.unanswered_since = None;
        }
        self.last_active = now;
        Ok(())
    }

    /// Sends `frame`, or queues it while the handshake runs; a frame that finds the queue full is
    /// dropped, and the engine's retransmission brings it again. `answered`: the frame asks the
    /// peer for an answer (a confirmable envelope).
    pub(super) fn send(
        &mut self,
        peer: SocketAddr,
        frame: Vec<u8>,
        answered: bool,
        verifier: &Verifier,
        now: Instant,
        out: &mut Out,
    ) -> Result<bool, Ended> {
        self.tick(now)?;
        if !self.open {
            if self.queue.len() >= MAX_QUEUED {
                return Ok(false);
            }
            self.queue.push_back(frame);
            self.awaits_answer |= answered;
            self.drain(peer, verifier, now, out)?;
            return Ok(true);
        }
        if answered {
            self.awaits_answer = true;
            self.unanswered_since.get_or_insert(now);
        }
        self.last_active = now;
        self.write(peer, &frame, verifier, now, out)?;
        Ok(true)
    }

    /// Runs the endpoint's timers.
    pub(super) fn on_timer(
        &mut self,
        peer: SocketAddr,
        verifier: &Verifier,
        now: Instant,
        out: &mut Out,
    ) -> Result<(), Ended> {
        self.tick(now)?;
        self.drain(peer, verifier, now, out).map(|_| ())
    }

    /// Ends an open association politely (close_notify), for an idle expiry.
    pub(super) fn close(&mut self, peer: SocketAddr, verifier: &Verifier, now: Instant) -> Out {
        let mut out = Out::default();
        if self.dtls.close().is_ok() {
            let _ = self.drain(peer, verifier, now, &mut out);
        }
        out
    }

    /// One frame as the whole plaintext of one application-data record, in a datagram of its own
    /// ([IOTP-UDP-18]): the endpoint appends a record to the last datagram it has not handed out
    /// yet, so each record is drained before the next is written.
    fn write(
        &mut self,
        peer: SocketAddr,
        frame: &[u8],
        verifier: &Verifier,
        now: Instant,
        out: &mut Out,
    ) -> Result<(), Ended> {
        self.dtls
            .send_application_data(frame)
            .map_err(|_| Ended::Failed)?;
        self.keep_unheard(frame);
        self.drain(peer, verifier, now, out).map(|_| ())
    }

    /// Takes everything the endpoint has to put out, up to its next timeout; returns whether
    /// anything of the peer's was authenticated (a frame, or the handshake's end).
    fn drain(
        &mut self,
        peer: SocketAddr,
        verifier: &Verifier,
        now: Instant,
        out: &mut Out,
    ) -> Result<bool, Ended> {
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        let mut received = false;
        let mut connected = false;
        loop {
            match self.dtls.poll_output(&mut buffer) {
                Output::Packet(p) => out.datagrams.push((peer, p.to_vec())),
                Output::BufferTooSmall { needed } => {
                    // The endpoint's records are bounded by its MTU and by MAX_MESSAGE plus the
                    // record's overhead; anything larger is not ours to send.
                    if needed > 4 * MAX_DATAGRAM {
                        return Err(Ended::Failed);
                    }
                    buffer.resize(needed, 0);
                }
                Output::Timeout(t) => {
                    self.timeout = Some(t);
                    break;
                }
                Output::PeerCert(der) => {
                    let unix = UnixTime::now();
                    let names = verifier
                        .validate(der, self.peer_role, self.expected.as_deref(), unix)
                        .map_err(Ended::Refused)?;
                    self.names = Some(names);
                }
                Output::Connected => connected = true,
                // Only what an authenticated association carries reaches the engine.
                Output::ApplicationData(frame)
                    if (self.open || connected) && self.names.is_some() =>
                {
                    out.frames.push((peer, frame.to_vec()));
                    received = true;
                    self.heard = true;
                    self.unheard.clear();
                }
                Output::CloseNotify => return Err(Ended::Closed),
                _ => {}
            }
        }
        if connected && !self.open {
            // Mutual authentication is required of both roles ([IOTP-DLV-54]): a handshake that
            // ends without a validated certificate is refused.
            let Some(names) = self.names.clone() else {
                return Err(Ended::Refused(Refused::NoName));
            };
            self.open = true;
            self.opened = Some(now);
            // The server completes on the client's last flight: it has heard the client.
            if self.peer_role == PeerRole::Client {
                self.heard = true;
            }
            received = true;
            out.authenticated.push((peer, names));
            // Only now that the endpoint is drained to its timeout: `flush` reads packets alone.
            while let Some(frame) = self.queue.pop_front() {
                if self.awaits_answer {
                    self.unanswered_since.get_or_insert(now);
                }
                self.dtls
                    .send_application_data(&frame)
                    .map_err(|_| Ended::Failed)?;
                self.keep_unheard(&frame);
                // Each queued frame in a datagram of its own, as in `write`.
                self.flush(peer, &mut buffer, out)?;
            }
        }
        Ok(received)
    }

    /// Hands out the datagrams the endpoint has ready, without reading anything else it has.
    fn flush(
        &mut self,
        peer: SocketAddr,
        buffer: &mut Vec<u8>,
        out: &mut Out,
    ) -> Result<(), Ended> {
        loop {
            match self.dtls.poll_output(buffer) {
                Output::Packet(p) => out.datagrams.push((peer, p.to_vec())),
                Output::BufferTooSmall { needed } if needed <= 4 * MAX_DATAGRAM => {
                    buffer.resize(needed, 0);
                }
                Output::BufferTooSmall { .. } => return Err(Ended::Failed),
                Output::Timeout(t) => {
                    self.timeout = Some(t);
                    return Ok(());
                }
                // Only packets are ready right after a write of ours.
                _ => {}
            }
        }
    }
}
