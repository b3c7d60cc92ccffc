//! Decode and encode time of the generated C codec (`codec-c/generated/iotp2p_core.c`, issue 13)
//! next to the generated Rust codec, on the three messages of `iotp2p_benches::codec_data`, in one
//! run.
//!
//! Benchmark ids are `c_vs_rust/<op>/<message>/<codec>`:
//!
//! - `decode/<message>/rust`: `Envelope::decode`, borrowed, with full validation (the same as
//!   `decode/<message>/iotp2p` of benches/codec.rs); arrays stay views of the validated input;
//! - `decode/<message>/rust_read_all`: the same, then every field of every record read once
//!   (`codec_data::read_all`, as `iotp2p_read_all` of benches/codec.rs): the work the C decoder does
//!   when it fills its arrays in;
//! - `decode/<message>/c`: `iotp2p_core_envelope_decode` into an `iotp2p_core_envelope` allocated
//!   once (its texts and byte strings point into the input; its arrays are filled in, item by
//!   item), with the same validation (the differential tests hold it to the Rust codec);
//! - `encode/<message>/rust`: the fixture's `Envelope`, built from the data (as `encode/*/iotp2p`
//!   of benches/codec.rs; a decoded Rust value would copy its arrays' validated bytes instead);
//! - `encode/<message>/c`: the C's decoded `iotp2p_core_envelope`, item by item.
//!
//! Encoders write into a buffer allocated once.
//!
//! The C is compiled by the `cc` crate with the bench profile's optimisation (`-O3`) by the host's C
//! compiler, and called through one function of the test shim (`shim/envelope_shim.c`) per
//! operation. Figures in benches/README.md. Run with `cargo bench -p iotp2p-benches --bench
//! codec_c` (15 benchmarks, under a minute).

use iotp2p_codec::prelude::*;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iotp2p_benches::codec_data::{self, Codec, Message};
use iotp2p_codec::core;
use iotp2p_codec_c::envelope::Codec as CCodec;

/// Output buffer size: larger than every encoding of every message.
const BUF: usize = 64 * 1024;

fn c_vs_rust(c: &mut Criterion) {
    let mut buf = vec![0u8; BUF];
    let mut codec = CCodec::new();
    for message in Message::ALL {
        let bytes = message.fixture().encode(Codec::Iotp2p);
        let mut g = c.benchmark_group(format!("c_vs_rust/decode/{}", message.name()));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("rust", |b| {
            b.iter(|| core::Envelope::decode(black_box(&bytes)).unwrap())
        });
        g.bench_function("rust_read_all", |b| {
            b.iter(|| codec_data::read_all(&core::Envelope::decode(black_box(&bytes)).unwrap()))
        });
        g.bench_function("c", |b| b.iter(|| codec.decode(black_box(&bytes)).is_ok()));
        g.finish();

        let mut g = c.benchmark_group(format!("c_vs_rust/encode/{}", message.name()));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        let rust = &message.fixture().iotp2p;
        g.bench_function("rust", |b| {
            b.iter(|| black_box(rust).encode(&mut buf).unwrap())
        });
        let decoded = codec.decode(&bytes).unwrap();
        // Both encoders write the input back, byte for byte.
        let n = decoded.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], &bytes[..], "{}", message.name());
        g.bench_function("c", |b| {
            b.iter(|| black_box(&decoded).encode(&mut buf).unwrap())
        });
        g.finish();
    }
}

/// As benches/codec.rs: 1 s warm-up, 2 s of measurement, 30 samples.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = c_vs_rust
}
criterion_main!(benches);
