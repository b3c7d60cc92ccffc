//! The `protocol_engine` target's body.
//!
//! [`engine`] drives a device's engine with a sequence of steps built by `arbitrary`: arbitrary
//! datagrams from any hop peer, genuine envelopes of a peer that shares a context with the device,
//! those envelopes mutated, replayed or truncated, time passing, requests and replies of the device,
//! and arbitrary frames for its reassembler. After every step it checks what must hold whatever the
//! input: nothing panics, every table stays within its bound, one datagram causes at most a few
//! outputs, and an envelope whose sealed content was altered never reaches the application.

use alloc::vec::Vec;
use iotp2p_codec::prelude::*;

use arbitrary::{Arbitrary, Unstructured};
use iotp2p_codec::core::owned::{Body, InvokeRequest, InvokeResponse, ReadRequest};
use iotp2p_codec::core::Envelope;

use super::{context, Counter};
use crate::engine::peers::{ContextKind, Peer};
use crate::engine::{Config, Destination, Event, ExchangeId, Node, Output};
use crate::message::fragment::Reassembler;
use crate::params::{Instant, MAX_MESSAGE, MIN_REASSEMBLY};

/// One step of a fuzzed run.
#[derive(Arbitrary, Debug)]
enum Step {
    /// Arbitrary bytes from one of four hop peers (0 is the device's home relay, 1 the app).
    Datagram { from: u8, bytes: Vec<u8> },
    /// The app sends a genuine request to the device, sealed or not, confirmable or not.
    Genuine {
        sealed: bool,
        confirmable: bool,
        invoke: bool,
    },
    /// The last genuine envelope with one byte changed, delivered from the app.
    Mutated { index: u16, xor: u8 },
    /// The last genuine envelope cut short.
    Truncated { len: u16 },
    /// The last genuine envelope again.
    Replay,
    /// Time passes; the timers due run.
    Advance { ms: u16 },
    /// The device answers the oldest request it has not answered.
    Reply,
    /// The device sends a request to the app.
    Request { sealed: bool, confirmable: bool },
    /// A frame for the device's reassembler.
    Frame { from: u8, bytes: Vec<u8> },
}

/// Hop peers: 0 the home relay, 1 the app, 2 and 3 strangers.
type PeerLabel = u8;

fn config(address: &str) -> Config {
    Config {
        address: Some(address.into()),
        max_message: MAX_MESSAGE,
        dedup_capacity: 8,
        reply_capacity: 4,
        max_waiting: 4,
        max_pending: 4,
        max_exchanges: 4,
        max_contexts: 4,
        ..Config::default()
    }
}

fn read() -> Body {
    Body::Read(ReadRequest {
        endpoint: 1,
        capability: 7,
        members: None,
        unknown_fields: Default::default(),
    })
}

pub(super) fn invoke() -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 7,
        action: 8,
        input: Some(alloc::vec![0xa1, 0x00, 0x18, 0x80]),
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// `version`, `message_id`, `correlation_id`, `key_id` and `sealed` of an envelope.
type SealedFields = (u8, u64, Option<u64>, Option<Vec<u8>>, Option<Vec<u8>>);

/// The fields that the seal covers: an envelope that differs from the genuine one in any of them
/// must not open.
fn sealed_fields(bytes: &[u8]) -> Option<SealedFields> {
    let e = Envelope::decode(bytes).ok()?;
    Some((
        e.version,
        e.message_id,
        e.correlation_id,
        e.key_id.map(<[u8]>::to_vec),
        e.sealed.map(<[u8]>::to_vec),
    ))
}

/// What a run reached, so that the replay test can check that its inputs exercise the engine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    /// Steps run.
    pub steps: usize,
    /// Requests the device passed to its application.
    pub requests: usize,
    /// Of those, sealed ones.
    pub sealed_requests: usize,
    /// Datagrams the device discarded.
    pub discarded: usize,
}

/// The body of the `protocol_engine` target.
pub fn engine(data: &[u8]) {
    run(data);
}

/// Runs the body and says what it reached.
pub fn run(data: &[u8]) -> Reached {
    let mut reached = Reached::default();
    let mut u = Unstructured::new(data);
    let mut rng = Counter(0);
    let mut now: Instant = 0;
    let device_config = config("lamp@home.example.org");
    let mut device: Node<PeerLabel> = Node::new(device_config.clone(), 0);
    let mut app: Node<PeerLabel> = Node::new(config("app@example.com"), 0);
    device.set_home_relay(Some(0));
    let app_peer = Peer {
        address: Some("app@example.com".into()),
        kind: ContextKind::Ordinary,
        node: None,
    };
    let (Ok(device_ctx), Ok(app_ctx)) = (
        device.add_context(context(2, 1), app_peer),
        app.add_context(
            context(1, 2),
            Peer {
                address: Some("lamp@home.example.org".into()),
                kind: ContextKind::Ordinary,
                node: None,
            },
        ),
    ) else {
        return reached;
    };
    let mut reassembler: Reassembler<PeerLabel> = Reassembler::new(MIN_REASSEMBLY, 2, 1, 60_000);
    let mut last: Option<(Vec<u8>, bool)> = None;
    let mut exchanges: Vec<ExchangeId> = Vec::new();

    for _ in 0..64 {
        let Ok(step) = Step::arbitrary(&mut u) else {
            break;
        };
        reached.steps += 1;
        let (from, bytes, altered): (PeerLabel, Vec<u8>, bool) = match step {
            Step::Datagram { from, bytes } => (from % 4, bytes, false),
            Step::Genuine {
                sealed,
                confirmable,
                invoke: is_invoke,
            } => {
                let body = if is_invoke { invoke() } else { read() };
                let ctx = sealed.then_some(app_ctx);
                let Ok((_, out)) = app.request(
                    now,
                    &mut rng,
                    1,
                    Destination::HopPeer,
                    ctx,
                    &body,
                    confirmable,
                    None,
                ) else {
                    continue;
                };
                let Some(Output::Send { bytes, .. }) = out.into_iter().next() else {
                    continue;
                };
                last = Some((bytes.clone(), sealed));
                (1, bytes, false)
            }
            Step::Mutated { index, xor } => {
                let Some((mut bytes, sealed)) = last.clone() else {
                    continue;
                };
                if bytes.is_empty() {
                    continue;
                }
                let i = usize::from(index) % bytes.len();
                bytes[i] ^= xor;
                let altered = sealed
                    && sealed_fields(&bytes) != last.as_ref().and_then(|l| sealed_fields(&l.0));
                (1, bytes, altered)
            }
            Step::Truncated { len } => {
                let Some((bytes, _)) = last.clone() else {
                    continue;
                };
                let n = usize::from(len) % (bytes.len() + 1);
                (1, bytes[..n].to_vec(), false)
            }
            Step::Replay => {
                let Some((bytes, _)) = last.clone() else {
                    continue;
                };
                (1, bytes, false)
            }
            Step::Advance { ms } => {
                now += u64::from(ms) * 16;
                if device.next_deadline().is_some_and(|t| t <= now) {
                    let _ = device.on_timer(now, &mut rng);
                }
                let _ = app.on_timer(now, &mut rng);
                continue;
            }
            Step::Reply => {
                if let Some(exchange) = exchanges.first().copied() {
                    exchanges.remove(0);
                    let body = Body::InvokeResponse(InvokeResponse {
                        output: None,
                        unknown_fields: Default::default(),
                    });
                    let _ = device.reply(now, &mut rng, exchange, &body);
                }
                continue;
            }
            Step::Request {
                sealed,
                confirmable,
            } => {
                let ctx = sealed.then_some(device_ctx);
                let _ = device.request(
                    now,
                    &mut rng,
                    1,
                    Destination::HopPeer,
                    ctx,
                    &read(),
                    confirmable,
                    None,
                );
                continue;
            }
            Step::Frame { from, bytes } => {
                let _ = reassembler.receive(&(from % 4), &bytes, now);
                assert!(reassembler.in_progress() <= 2);
                continue;
            }
        };
        let out = device.receive(now, &mut rng, &from, &bytes);
        // Acknowledgement, cached reply or status, and one event: never more.
        assert!(out.len() <= 4, "{} outputs for one datagram", out.len());
        for o in &out {
            if let Output::Event(Event::Discarded { .. }) = o {
                reached.discarded += 1;
            }
            if let Output::Event(Event::Request {
                exchange, context, ..
            }) = o
            {
                assert!(
                    !altered,
                    "an altered sealed envelope reached the application"
                );
                reached.requests += 1;
                reached.sealed_requests += usize::from(context.is_some());
                exchanges.push(*exchange);
                if exchanges.len() > 8 {
                    exchanges.remove(0);
                }
            }
        }
        assert!(device.occupancy().within(&device_config));
    }
    reached
}
