//! Encode and decode time of the iotp2p codec against peer codecs encoding the same data (see
//! `iotp2p_benches::codec_data`): three messages of the core schema, each in its envelope.
//!
//! Benchmark ids read as a table, `<op>/<message>/<codec>`:
//!
//! - `decode/<message>/iotp2p`: `Envelope::decode`, borrowed, with full validation (canonical form,
//!   bounds, UTF-8); arrays stay zero-copy views of the input;
//! - `decode/<message>/iotp2p_read_all`: the same, then every field of every record read once
//!   (`codec_data::read_all`), which decodes the array items from the validated bytes again;
//! - `decode/<message>/iotp2p_owned`: the `alloc` feature's `owned::Envelope::decode` (validate, copy);
//! - `decode/<message>/{prost, postcard_owned, postcard_borrowed, minicbor_borrowed, ciborium, serde_json}`;
//! - `encode/<message>/{iotp2p, iotp2p_owned, prost, postcard, minicbor, ciborium, serde_json}`: into a
//!   buffer allocated once (a slice, or a cleared `Vec` for the writers that need one).
//!
//! Decoders that allocate free their result inside the measurement, as an application eventually
//! does. Throughput is each codec's own encoded size. `cargo run -p iotp2p-benches --bin codec-table`
//! prints the medians as a table with the ratios (figures in benches/README.md).
//!
//! Run with `cargo bench -p iotp2p-benches --bench codec` (about 3 minutes on 2 cores).

use iotp2p_codec::prelude::*;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use iotp2p_benches::codec_data::{self, borrowed, cbor, model, proto, Codec, Fixture, Message};
use iotp2p_codec::core;

/// Output buffer size: larger than every encoding of every message.
const BUF: usize = 64 * 1024;

fn group<'c>(c: &'c mut Criterion, op: &str, message: Message) -> BenchmarkGroup<'c, WallTime> {
    c.benchmark_group(format!("{op}/{}", message.name()))
}

fn bytes_of(group: &mut BenchmarkGroup<'_, WallTime>, bytes: &[u8]) {
    group.throughput(Throughput::Bytes(bytes.len() as u64));
}

fn decode(c: &mut Criterion) {
    for message in Message::ALL {
        let f: &Fixture = message.fixture();
        let mut g = group(c, "decode", message);

        let bytes = f.encode(Codec::Iotp2p);
        bytes_of(&mut g, &bytes);
        g.bench_function("iotp2p", |b| {
            b.iter(|| core::Envelope::decode(black_box(&bytes)).unwrap())
        });
        g.bench_function("iotp2p_read_all", |b| {
            b.iter(|| codec_data::read_all(&core::Envelope::decode(black_box(&bytes)).unwrap()))
        });
        g.bench_function("iotp2p_owned", |b| {
            b.iter(|| codec_data::iotp2p_owned_decode(black_box(&bytes)).unwrap())
        });

        let bytes = f.encode(Codec::Prost);
        bytes_of(&mut g, &bytes);
        g.bench_function("prost", |b| {
            b.iter(|| <proto::Envelope as prost::Message>::decode(black_box(&bytes[..])).unwrap())
        });

        let bytes = f.encode(Codec::Postcard);
        bytes_of(&mut g, &bytes);
        g.bench_function("postcard_owned", |b| {
            b.iter(|| postcard::from_bytes::<model::Envelope>(black_box(&bytes)).unwrap())
        });
        g.bench_function("postcard_borrowed", |b| {
            b.iter(|| postcard::from_bytes::<borrowed::Envelope<'_>>(black_box(&bytes)).unwrap())
        });

        let bytes = f.encode(Codec::Minicbor);
        bytes_of(&mut g, &bytes);
        g.bench_function("minicbor_borrowed", |b| {
            b.iter(|| minicbor::decode::<cbor::Envelope<'_>>(black_box(&bytes)).unwrap())
        });

        let bytes = f.encode(Codec::Ciborium);
        bytes_of(&mut g, &bytes);
        g.bench_function("ciborium", |b| {
            b.iter(|| ciborium::from_reader::<model::Envelope, _>(black_box(&bytes[..])).unwrap())
        });

        let bytes = f.encode(Codec::SerdeJson);
        bytes_of(&mut g, &bytes);
        g.bench_function("serde_json", |b| {
            b.iter(|| serde_json::from_slice::<model::Envelope>(black_box(&bytes)).unwrap())
        });

        g.finish();
    }
}

fn encode(c: &mut Criterion) {
    let mut buf = vec![0u8; BUF];
    let mut out: Vec<u8> = Vec::with_capacity(BUF);
    for message in Message::ALL {
        let f: &Fixture = message.fixture();
        let mut g = group(c, "encode", message);

        bytes_of(&mut g, &f.encode(Codec::Iotp2p));
        g.bench_function("iotp2p", |b| {
            b.iter(|| black_box(&f.iotp2p).encode(&mut buf).unwrap())
        });
        let owned = codec_data::iotp2p_owned_decode(&f.encode(Codec::Iotp2p)).unwrap();
        g.bench_function("iotp2p_owned", |b| {
            b.iter(|| black_box(&owned).encode(&mut buf).unwrap())
        });

        bytes_of(&mut g, &f.encode(Codec::Prost));
        g.bench_function("prost", |b| {
            b.iter(|| {
                let mut rest: &mut [u8] = &mut buf;
                prost::Message::encode(black_box(&f.prost), &mut rest).unwrap();
                BUF - rest.len()
            })
        });

        bytes_of(&mut g, &f.encode(Codec::Postcard));
        g.bench_function("postcard", |b| {
            b.iter(|| {
                postcard::to_slice(black_box(&f.borrowed), &mut buf)
                    .unwrap()
                    .len()
            })
        });

        bytes_of(&mut g, &f.encode(Codec::Minicbor));
        g.bench_function("minicbor", |b| {
            b.iter(|| {
                let mut cursor = minicbor::encode::write::Cursor::new(&mut buf[..]);
                minicbor::encode(black_box(&f.minicbor), &mut cursor).unwrap();
                cursor.position()
            })
        });

        bytes_of(&mut g, &f.encode(Codec::Ciborium));
        g.bench_function("ciborium", |b| {
            b.iter(|| {
                out.clear();
                ciborium::into_writer(black_box(&f.borrowed), &mut out).unwrap();
                out.len()
            })
        });

        bytes_of(&mut g, &f.encode(Codec::SerdeJson));
        g.bench_function("serde_json", |b| {
            b.iter(|| {
                out.clear();
                serde_json::to_writer(&mut out, black_box(&f.borrowed)).unwrap();
                out.len()
            })
        });

        g.finish();
    }
}

/// Short enough for a 2-core machine: 48 benchmarks of 1 s warm-up and 2 s of measurement.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = decode, encode
}
criterion_main!(benches);
