//! The `node_dtls_hop` fuzz target's body (feature `fuzzing`), kept in the library so that
//! `tests/fuzz_replay.rs` replays its corpus on stable and `fuzz/` runs it under libFuzzer. Not a
//! public API.
//!
//! [`dtls_hop`] drives two relays' DTLS hops, A and B, over a network the input controls: frames
//! each sends the other (B answers each frame that asks for an answer, as its engine would
//! acknowledge it), datagrams in flight delivered, lost, duplicated or delivered long after
//! (handshake flights included), copies of past datagrams changed in one byte, arbitrary bytes
//! under the other relay's address, strangers' datagrams (arbitrary, or a relay's replayed from
//! another address), and time passing. After every step it checks what must hold whatever the
//! input:
//!
//! - nothing panics, and each hop's handshakes and associations stay within their bounds;
//! - a frame comes out of a hop only from the other relay's address, and only if that relay sent
//!   it; only the other relay authenticates, with its host name ([IOTP-DLV-55]);
//! - a datagram that is not one the other relay sent (changed, forged, a stranger's) ends no open
//!   association.
//!
//! And at the end, whatever state the input left, the path made clean: each relay's frame, sent
//! again every two seconds as the engine retransmits it, reaches the other within a minute. This
//! is what a stuck association breaks (a handshake endpoint that takes every new ClientHello for
//! a copy of its own, a half-open association neither side leaves).

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};

use crate::relay::dtls::{Hop, Out, MAX_ASSOCIATIONS, MAX_HANDSHAKES};
use crate::relay::DtlsSetup;

/// Relay A's host name, which its certificate names.
pub const HOST_A: &str = "relay1.example.net";
/// Relay B's host name.
pub const HOST_B: &str = "relay1.home.example.org";

/// The two relays' DTLS setups, from one CA: A's certificate for [`HOST_A`], B's for [`HOST_B`].
/// The caller makes them (the test PKI, `node/examples/pki`), once for many runs.
pub struct Setups {
    /// Relay A's.
    pub a: DtlsSetup,
    /// Relay B's.
    pub b: DtlsSetup,
}

/// Steps a run takes at most.
const MAX_STEPS: usize = 96;
/// Datagrams kept in flight each way; the oldest is lost beyond it.
const MAX_IN_FLIGHT: usize = 64;
/// Past datagrams kept each way for late copies, changes and replays.
const MAX_PAST: usize = 64;
/// How long the clean path at the end has to carry each relay's frame.
const CLEAN_WITHIN: Duration = Duration::from_secs(60);
/// How often the frame goes again meanwhile (the engine's retransmissions, roughly).
const SEND_AGAIN: Duration = Duration::from_secs(2);

/// One step of a fuzzed run. `to_b` picks the direction: towards B (from A, or from A's address),
/// or towards A.
#[derive(Debug)]
enum Step {
    /// The relay at the other end sends a frame of `len` bytes, which asks for an answer or not.
    Send { to_b: bool, len: u8, answered: bool },
    /// The oldest datagram in flight is delivered.
    Deliver { to_b: bool },
    /// Every datagram in flight is delivered, both ways, as it comes (a clean stretch).
    DeliverAll,
    /// The oldest datagram in flight is lost.
    Lose { to_b: bool },
    /// The oldest datagram in flight is delivered and a copy of it stays in flight, last.
    Duplicate { to_b: bool },
    /// The newest datagram in flight overtakes the others.
    Reorder { to_b: bool },
    /// A past datagram is delivered again, late (a copy the path held back).
    Late { to_b: bool, index: u8 },
    /// A past datagram with one byte changed, under the sender's address.
    Changed {
        to_b: bool,
        index: u8,
        at: u16,
        xor: u8,
    },
    /// Arbitrary bytes under the other relay's address.
    Forged { to_b: bool, bytes: Vec<u8> },
    /// A stranger's datagram: a past datagram of the other relay replayed from the stranger's
    /// address, or arbitrary bytes.
    Stranger {
        to_b: bool,
        stranger: u8,
        replay: Option<u8>,
        bytes: Vec<u8>,
    },
    /// Time passes, `ms` milliseconds, or seconds when `long`; the timers due run.
    Advance { ms: u16, long: bool },
}

impl Step {
    /// The next step: deliveries weigh most, so that handshakes complete between the losses,
    /// copies and forgeries; arbitrary bytes are at most 96 long.
    fn take(u: &mut Unstructured<'_>) -> arbitrary::Result<Step> {
        let kind = u8::arbitrary(u)?;
        let to_b = kind & 1 == 0;
        let bytes = |u: &mut Unstructured<'_>| -> arbitrary::Result<Vec<u8>> {
            let len = usize::from(u8::arbitrary(u)? % 96);
            Ok(u.bytes(len.min(u.len()))?.to_vec())
        };
        Ok(match kind {
            0..=111 => Step::Deliver { to_b },
            112..=127 => Step::Send {
                to_b,
                len: u.arbitrary()?,
                answered: u.arbitrary()?,
            },
            128..=143 => Step::Advance {
                ms: u.arbitrary()?,
                long: false,
            },
            144..=151 => Step::Lose { to_b },
            152..=159 => Step::Duplicate { to_b },
            160..=167 => Step::Reorder { to_b },
            168..=183 => Step::Late {
                to_b,
                index: u.arbitrary()?,
            },
            184..=199 => Step::Changed {
                to_b,
                index: u.arbitrary()?,
                at: u.arbitrary()?,
                xor: u.arbitrary()?,
            },
            200..=207 => Step::Forged {
                to_b,
                bytes: bytes(u)?,
            },
            208..=223 => Step::Stranger {
                to_b,
                stranger: u.arbitrary()?,
                replay: u.arbitrary()?,
                bytes: bytes(u)?,
            },
            224..=231 => Step::Advance {
                ms: u.arbitrary()?,
                long: true,
            },
            _ => Step::DeliverAll,
        })
    }
}

/// One relay of the run: its hop, address, what is in flight to it and what it was sent.
struct Side {
    hop: Hop,
    at: SocketAddr,
    host: &'static str,
    /// Datagrams in flight to this relay, oldest first.
    in_flight: VecDeque<Vec<u8>>,
    /// Datagrams sent to this relay, kept for late copies.
    past: VecDeque<Vec<u8>>,
    /// The frames this relay sent, which alone may come out of the other's hop.
    sent: HashSet<Vec<u8>>,
    /// The frames that came out of this relay's hop.
    received: Vec<Vec<u8>>,
}

/// The two relays and the run's clock.
struct Run {
    a: Side,
    b: Side,
    now: Instant,
    /// Numbers the frames, so that every frame is distinct.
    frames: u32,
}

/// The body: `data` gives the steps through `arbitrary`.
pub fn dtls_hop(data: &[u8], setups: &Setups) {
    run_dtls_hop(data, setups);
}

/// What a run reached, for the replay test to check that the body still exercises the hop.
#[derive(Clone, Copy, Debug, Default)]
pub struct HopReached {
    /// Steps taken from the input.
    pub steps: u64,
    /// Handshakes that authenticated the other relay, both hops, before the clean path.
    pub authenticated: u64,
    /// Frames that came out of either hop before the clean path.
    pub frames: u64,
    /// Handshakes and associations that failed, both hops, before the clean path.
    pub failed: u64,
    /// Datagrams either hop dropped (no association, a full queue, a flood's ClientHellos).
    pub dropped: u64,
}

/// [`dtls_hop`], telling what the run reached.
pub fn run_dtls_hop(data: &[u8], setups: &Setups) -> HopReached {
    let mut u = Unstructured::new(data);
    let mut run = Run::new(setups);
    let mut reached = HopReached::default();
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        let Ok(step) = Step::take(&mut u) else {
            break;
        };
        run.step(step);
        reached.steps += 1;
    }
    for side in [&run.a, &run.b] {
        let c = side.hop.counts();
        reached.authenticated += c.authenticated;
        reached.failed += c.failed;
        reached.dropped += c.dropped;
        reached.frames += side.received.len() as u64;
    }
    run.clean_path_carries_each_way();
    reached
}

impl Side {
    fn new(setup: &DtlsSetup, at: SocketAddr, host: &'static str) -> Side {
        Side {
            hop: Hop::new(setup.clone(), at).expect("the test PKI's setup"),
            at,
            host,
            in_flight: VecDeque::new(),
            past: VecDeque::new(),
            sent: HashSet::new(),
            received: Vec::new(),
        }
    }

    fn past(&self, index: u8) -> Option<Vec<u8>> {
        if self.past.is_empty() {
            return None;
        }
        self.past.get(usize::from(index) % self.past.len()).cloned()
    }
}

impl Run {
    fn new(setups: &Setups) -> Run {
        let at_a: SocketAddr = ([127, 0, 0, 1], 40_001).into();
        let at_b: SocketAddr = ([127, 0, 0, 1], 40_002).into();
        let mut a = Side::new(&setups.a, at_a, HOST_A);
        let b = Side::new(&setups.b, at_b, HOST_B);
        // A resolved B's SRV target; B learns A's names from its certificate.
        assert!(a.hop.expect(at_b, HOST_B));
        Run {
            a,
            b,
            now: Instant::now(),
            frames: 0,
        }
    }

    /// Relay B and relay A when `b_first`, A and B otherwise: the relay datagrams go to and the
    /// one they come from (`b_first` = `to_b`), or the relay that sends or puts out and the other.
    fn pair(&mut self, b_first: bool) -> (&mut Side, &mut Side) {
        if b_first {
            (&mut self.b, &mut self.a)
        } else {
            (&mut self.a, &mut self.b)
        }
    }

    fn step(&mut self, step: Step) {
        match step {
            Step::Send {
                to_b,
                len,
                answered,
            } => {
                self.send(!to_b, usize::from(len), answered);
            }
            Step::Deliver { to_b } => {
                if let Some(d) = self.pair(to_b).0.in_flight.pop_front() {
                    self.deliver(to_b, None, &d, true);
                }
            }
            Step::DeliverAll => self.drain_in_flight(),
            Step::Lose { to_b } => {
                self.pair(to_b).0.in_flight.pop_front();
            }
            Step::Duplicate { to_b } => {
                let (to, _) = self.pair(to_b);
                if let Some(d) = to.in_flight.pop_front() {
                    to.in_flight.push_back(d.clone());
                    self.deliver(to_b, None, &d, true);
                }
            }
            Step::Reorder { to_b } => {
                let (to, _) = self.pair(to_b);
                if let Some(d) = to.in_flight.pop_back() {
                    to.in_flight.push_front(d);
                }
            }
            Step::Late { to_b, index } => {
                if let Some(d) = self.pair(to_b).0.past(index) {
                    self.deliver(to_b, None, &d, true);
                }
            }
            Step::Changed {
                to_b,
                index,
                at,
                xor,
            } => {
                if let Some(mut d) = self.pair(to_b).0.past(index) {
                    if !d.is_empty() && xor != 0 {
                        let i = usize::from(at) % d.len();
                        d[i] ^= xor;
                        self.deliver(to_b, None, &d, false);
                    }
                }
            }
            Step::Forged { to_b, bytes } => self.deliver(to_b, None, &bytes, false),
            Step::Stranger {
                to_b,
                stranger,
                replay,
                bytes,
            } => {
                let from: SocketAddr = ([127, 0, 0, 2], 40_100 + u16::from(stranger % 4)).into();
                let d = match replay {
                    Some(index) => self.pair(to_b).0.past(index).unwrap_or(bytes),
                    None => bytes,
                };
                self.deliver(to_b, Some(from), &d, false);
            }
            Step::Advance { ms, long } => {
                let by = if long {
                    Duration::from_secs(u64::from(ms % 1_200))
                } else {
                    Duration::from_millis(u64::from(ms))
                };
                self.advance(by);
            }
        }
        self.check_bounds();
    }

    /// The relay at A (`from_b` false) or B sends the other a new frame.
    fn send(&mut self, from_b: bool, len: usize, answered: bool) -> Vec<u8> {
        self.frames += 1;
        let mut frame = vec![0xa5; len.max(8)];
        frame[1..5].copy_from_slice(&self.frames.to_be_bytes());
        frame[5] = u8::from(from_b);
        frame[6] = u8::from(answered);
        self.pair(from_b).0.sent.insert(frame.clone());
        self.send_frame(from_b, &frame, answered);
        frame
    }

    /// Relay B (`from_b`) or A hands `frame` to its hop, for the other.
    fn send_frame(&mut self, from_b: bool, frame: &[u8], answered: bool) {
        let now = self.now;
        let (from, to) = self.pair(from_b);
        let out = from.hop.send_frame(to.at, frame.to_vec(), answered, now);
        self.take(from_b, out);
    }

    /// Delivers `d` to B (`to_b`) or A, from the other relay's address or from `stranger`.
    /// `genuine`: `d` is a datagram the other relay sent; anything else must end no association.
    fn deliver(&mut self, to_b: bool, stranger: Option<SocketAddr>, d: &[u8], genuine: bool) {
        let now = self.now;
        let (to, from) = self.pair(to_b);
        let source = stranger.unwrap_or(from.at);
        let before = to.hop.counts();
        let out = to.hop.receive(source, d, now);
        let after = to.hop.counts();
        if !genuine {
            assert!(
                after.associations >= before.associations,
                "a datagram the other relay never sent ended an association"
            );
        }
        self.take(to_b, out);
    }

    /// What the hop of B (`of_b`) or A put out: datagrams into flight, frames checked and
    /// answered, authentications checked.
    fn take(&mut self, of_b: bool, out: Out) {
        let (side, other) = self.pair(of_b);
        for (to, d) in out.datagrams {
            // Datagrams to strangers go nowhere; those to the other relay are in flight.
            if to == other.at {
                if other.in_flight.len() >= MAX_IN_FLIGHT {
                    other.in_flight.pop_front();
                }
                other.in_flight.push_back(d.clone());
                if other.past.len() >= MAX_PAST {
                    other.past.pop_front();
                }
                other.past.push_back(d);
            }
        }
        for (peer, hosts) in &out.authenticated {
            assert_eq!(*peer, other.at, "only the other relay authenticates");
            assert_eq!(hosts, &[other.host.to_owned()], "with its host name");
        }
        let mut answers = 0;
        for (peer, frame) in out.frames {
            assert_eq!(peer, other.at, "a frame only from the other relay");
            assert!(
                other.sent.contains(&frame),
                "a frame the other relay never sent"
            );
            // A frame that asks for an answer gets one, as an engine acknowledges a confirmable
            // envelope: a frame that asks for none.
            if frame[6] == 1 {
                answers += 1;
            }
            side.received.push(frame);
        }
        for _ in 0..answers {
            self.send(of_b, 12, false);
        }
    }

    /// Time passes by `by`; each hop's timers that are due run, a bounded number of times.
    fn advance(&mut self, by: Duration) {
        self.now += by;
        for of_b in [false, true] {
            for _ in 0..8 {
                let side = if of_b { &mut self.b } else { &mut self.a };
                if side.hop.next_deadline().is_none_or(|t| t > self.now) {
                    break;
                }
                let out = side.hop.on_timer(self.now);
                self.take(of_b, out);
            }
        }
    }

    fn check_bounds(&self) {
        for side in [&self.a, &self.b] {
            let c = side.hop.counts();
            assert!(c.handshakes <= MAX_HANDSHAKES as u64, "{c:?}");
            assert!(c.associations <= MAX_ASSOCIATIONS as u64, "{c:?}");
        }
    }

    /// The path made clean: every datagram in flight is delivered as it comes, and each relay's
    /// frame, sent again every [`SEND_AGAIN`], reaches the other within [`CLEAN_WITHIN`].
    fn clean_path_carries_each_way(&mut self) {
        for from_b in [false, true] {
            let frame = self.send(from_b, 24, true);
            let start = self.now;
            let mut next_send = self.now + SEND_AGAIN;
            loop {
                self.drain_in_flight();
                let to = if from_b { &self.a } else { &self.b };
                if to.received.contains(&frame) {
                    break;
                }
                assert!(
                    self.now.duration_since(start) < CLEAN_WITHIN,
                    "a frame of relay {} sent again for {CLEAN_WITHIN:?} on a clean path never \
                     arrived",
                    if from_b { "B" } else { "A" }
                );
                self.advance(Duration::from_millis(250));
                if self.now >= next_send {
                    next_send = self.now + SEND_AGAIN;
                    self.send_frame(from_b, &frame, true);
                }
            }
        }
    }

    /// Delivers every datagram in flight, both ways, until none is left (bounded).
    fn drain_in_flight(&mut self) {
        for _ in 0..64 {
            if self.a.in_flight.is_empty() && self.b.in_flight.is_empty() {
                return;
            }
            for to_b in [true, false] {
                while let Some(d) = self.pair(to_b).0.in_flight.pop_front() {
                    self.deliver(to_b, None, &d, true);
                }
            }
        }
    }
}
