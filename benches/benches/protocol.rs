//! Protocol benchmarks (benches/README.md, "Protocol engine"): sealing and opening the typical invoke
//! of spec §5.15.1, fragmenting and reassembling a message of MAX_MESSAGE bytes at a 51-byte frame
//! size, a SPAKE2+ pairing (both roles, with the spec's minimum of 1,000 PBKDF2 iterations and with
//! 10,000), a full EDHOC handshake (method 3, suite 2, both roles, message_4 included), and the lamp's
//! engine answering the sealed invoke.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use iotp2p_codec::core::owned::{Body, InvokeResponse};
use iotp2p_protocol::engine::peers::{ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Event, Node, Output};
use iotp2p_protocol::message::fragment::{Fragments, Reassembler, Received};
use iotp2p_protocol::params::MAX_MESSAGE;
use iotp2p_protocol::security::edhoc::{
    connection_id_from_int, AuthKey, Credential, IdCredI, Initiator, LocalIdentity, Responder,
};
use iotp2p_protocol::security::spake2plus::{
    pairing_context_hash, Inputs, Prover, ProverSecret, Verifier,
};
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::NodeId;
use iotp2p_protocol::security::{
    Exchange, KeyId, MasterSecret, ReplayWindow, Routing, SecurityContext,
};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::{impls, CryptoRng, RngCore};
use std::hint::black_box;

const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

/// The sealed invoke of §5.15.1 as the lamp receives it (`msg.invoke-set-level-sealed`).
const REQUEST: [u8; 43] = [
    0xa6, 0x01, 0x19, 0x04, 0xd2, 0x03, 0xf5, 0x04, 0x18, 0x39, 0x09, 0x01, 0x0a, 0x41, 0x01, 0x0b,
    0x58, 0x19, 0x4b, 0x56, 0xfe, 0x05, 0xc6, 0x8f, 0x0b, 0xad, 0x51, 0x0e, 0x2c, 0x72, 0x60, 0x79,
    0x3a, 0x92, 0xe9, 0x44, 0xd4, 0xf7, 0xac, 0x3d, 0xfa, 0x30, 0xbb,
];

/// The plaintext of that invoke: its encoded `Body`.
const BODY: [u8; 17] = [
    0xa1, 0x04, 0xa4, 0x00, 0x01, 0x01, 0x07, 0x02, 0x08, 0x03, 0x46, 0xa2, 0x00, 0x18, 0xc8, 0x01,
    0x0a,
];

struct Rng(u32);

impl RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        impls::next_u64_via_u32(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Rng {}

fn context(sender: u8, recipient: u8) -> SecurityContext {
    SecurityContext::derive(
        MasterSecret {
            secret: &SECRET,
            salt: &SALT,
        },
        KeyId::from_byte(sender),
        KeyId::from_byte(recipient),
    )
}

fn seal_open(c: &mut Criterion) {
    let routing = Routing {
        version: 1,
        sender: Some("app@example.com"),
        recipient: Some("lamp@home.example.org"),
    };
    let mut group = c.benchmark_group("protocol");
    group.bench_function("seal_open_invoke", |b| {
        b.iter_batched(
            || (context(1, 2), context(2, 1)),
            |(mut app, mut lamp)| {
                let mut sealed = [0u8; 64];
                let mut plain = [0u8; 64];
                let s = app
                    .seal(&Exchange::Request, &routing, black_box(&BODY), &mut sealed)
                    .unwrap();
                lamp.open(
                    s.message_id,
                    &Exchange::Request,
                    &routing,
                    &sealed[..s.len],
                    &mut plain,
                )
                .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("derive_context", |b| b.iter(|| context(black_box(1), 2)));
    group.finish();
}

fn fragmentation(c: &mut Criterion) {
    let mut message = vec![0x5au8; MAX_MESSAGE];
    message[0] = 0xa3;
    let mut group = c.benchmark_group("protocol");
    group.throughput(Throughput::Bytes(MAX_MESSAGE as u64));
    group.bench_function("fragment_reassemble_1232_at_51", |b| {
        b.iter(|| {
            let mut r: Reassembler<u8> = Reassembler::new(MAX_MESSAGE, 1, 1, 60_000);
            let mut out = None;
            for frame in Fragments::new(black_box(&message), 51, 7).unwrap() {
                if let Received::Reassembled(m) = r.receive(&0, &frame.to_vec(), 0) {
                    out = Some(m);
                }
            }
            out.unwrap()
        })
    });
    group.finish();
}

fn pairing(c: &mut Criterion) {
    let context = pairing_context_hash(&[0xa1, 0x00, 0x41, 0x00], &[0xa1, 0x00, 0x41, 0x01]);
    let mut group = c.benchmark_group("protocol");
    group.sample_size(20);
    for iterations in [1_000u32, 10_000] {
        let salt = [7u8; 16];
        group.bench_function(format!("spake2plus_pairing_pbkdf2_{iterations}"), |b| {
            b.iter(|| {
                let inputs = Inputs::pairing(&context);
                let secret =
                    ProverSecret::from_passcode(black_box(69_414_237), &salt, iterations).unwrap();
                let record = secret.record();
                let prover = Prover::start(&secret, &[3u8; 32]).unwrap();
                let verifier = Verifier::new(&record)
                    .respond(&inputs, prover.share_p(), &[5u8; 32])
                    .unwrap();
                let prover = prover.receive(&inputs, verifier.share_v()).unwrap();
                let (confirm_p, k_prover) = prover.finish(verifier.confirm_v()).unwrap();
                let k_verifier = verifier.finish(&confirm_p).unwrap();
                (k_prover, k_verifier)
            })
        });
    }
    group.finish();
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("protocol");
    group.bench_function("engine_receive_and_reply_sealed_invoke", |b| {
        b.iter_batched(
            || {
                let mut lamp: Node<u8> = Node::new(
                    Config {
                        address: Some("lamp@home.example.org".into()),
                        ..Config::default()
                    },
                    0,
                );
                lamp.set_home_relay(Some(0));
                let ctx = context(2, 1).resume(77, ReplayWindow::new());
                lamp.add_context(
                    ctx,
                    Peer {
                        address: Some("app@example.com".into()),
                        kind: ContextKind::Ordinary,
                        node: None,
                    },
                )
                .unwrap();
                lamp
            },
            |mut lamp| {
                let mut rng = Rng(1);
                let out = lamp.receive(0, &mut rng, &0, black_box(&REQUEST));
                let Some(Output::Event(Event::Request { exchange, .. })) = out.into_iter().next()
                else {
                    panic!("the invoke reaches the application")
                };
                let reply = Body::InvokeResponse(InvokeResponse {
                    output: None,
                    unknown_fields: Default::default(),
                });
                lamp.reply(0, &mut rng, exchange, &reply).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// The CCS of spec §8.2.2 for the P-256 authentication key `secret`, naming the node `owner`.
fn ccs(secret: &[u8; 32], owner: u8, kid: u8) -> Vec<u8> {
    let key = p256::SecretKey::from_bytes(secret.into()).expect("a valid key");
    let point = key.public_key().to_encoded_point(false);
    let (x, y) = (
        point.x().expect("uncompressed"),
        point.y().expect("uncompressed"),
    );
    p256_credential(
        &NodeId::from_bytes([owner; 32]),
        &[kid],
        x.as_slice().try_into().unwrap(),
        y.as_slice().try_into().unwrap(),
    )
    .expect("a credential")
}

fn edhoc(c: &mut Criterion) {
    let party = |secret: [u8; 32], owner: u8, kid| {
        let ccs = ccs(&secret, owner, kid);
        let identity = LocalIdentity::new(
            AuthKey::new(&secret).unwrap(),
            Credential::parse(&ccs).unwrap(),
        )
        .unwrap();
        (identity, ccs)
    };
    let (a, a_ccs) = party([0x11; 32], 0xaa, 5);
    let (b, b_ccs) = party([0x22; 32], 0xbb, 7);
    let held_a: &[&[u8]] = &[&a_ccs];
    let held_b: &[&[u8]] = &[&b_ccs];
    let none: &[KeyId] = &[];
    let mut group = c.benchmark_group("protocol");
    group.bench_function("edhoc_handshake", |bench| {
        bench.iter(|| {
            let c_i = connection_id_from_int(1).unwrap();
            let c_r = connection_id_from_int(2).unwrap();
            let (initiator, m1) =
                Initiator::start(&a, IdCredI::Kid, c_i, none, black_box(&[0x31; 32])).unwrap();
            let (responder, m2) =
                Responder::receive_message_1(&b, m1.as_bytes(), c_r, none, &[0x32; 32]).unwrap();
            let (sent, m3) = initiator.receive_message_2(m2.as_bytes(), held_b).unwrap();
            let verified = responder.receive_message_3(m3.as_bytes(), held_a).unwrap();
            let (r_done, m4) = verified.complete_with_message_4().unwrap();
            (sent.receive_message_4(m4.as_bytes()).unwrap(), r_done)
        })
    });
    group.finish();
}

criterion_group!(benches, seal_open, fragmentation, pairing, edhoc, engine);
criterion_main!(benches);
