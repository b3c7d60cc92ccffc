//! A driver for profiling one codec operation with `valgrind --tool=callgrind`: it builds the
//! benchmark's message, then runs the operation N times, so that the profile is the operation's.
//!
//! ```sh
//! cargo build --release -p iotp2p-benches --bin codec-profile
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/codec-profile decode batch iotp2p 2000
//! callgrind_annotate cg.out | head -40
//! ```
//!
//! Operations: `decode` with `iotp2p`, `iotp2p_read_all`, `iotp2p_owned`, `prost`, `postcard_owned`,
//! `postcard_borrowed`, `minicbor_borrowed`, `c`; `encode` with `iotp2p`, `iotp2p_owned`, `prost`,
//! `postcard`, `minicbor`, `c`. `c` is the generated C codec of the core schema
//! (`codec-c/generated/iotp2p_core.c` and its runtime, compiled by `iotp2p-codec-c`'s build script as
//! for benches/codec_c.rs: the host's C compiler at the profile's optimisation, `-O3` in `release`):
//! `decode` is `iotp2p_core_envelope_decode` into an Envelope allocated once, `encode` encodes the
//! Envelope the C decoded from the message (as `c_vs_rust/*/c` of benches/codec_c.rs).
//! Messages: `notification`, `description`, `batch`. Instruction counts are repeatable where times are
//! not: divide the total by N (setup is a few thousand instructions). `bytes <message> iotp2p 1` writes
//! the message's encoding to standard output instead, for drivers in other languages (benches/c-speed).

use iotp2p_codec::prelude::*;
use std::hint::black_box;
use std::process::ExitCode;

use iotp2p_benches::codec_data::{self, borrowed, cbor, model, proto, Codec, Message};
use iotp2p_codec::core;
use iotp2p_codec_c::envelope::Codec as CCodec;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [op, message, codec, n] = &args[..] else {
        eprintln!("usage: codec-profile decode|encode|bytes <message> <codec> <iterations>");
        return ExitCode::FAILURE;
    };
    let Some(message) = Message::ALL.into_iter().find(|m| m.name() == message) else {
        eprintln!("unknown message {message}");
        return ExitCode::FAILURE;
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("not a number: {n}");
        return ExitCode::FAILURE;
    };
    let f = message.fixture();
    let bytes = |c| f.encode(c);
    let mut buf = vec![0u8; 64 * 1024];
    let mut check = 0u64;
    match (op.as_str(), codec.as_str()) {
        ("bytes", "iotp2p") => {
            use std::io::Write as _;
            let written = std::io::stdout().write_all(&bytes(Codec::Iotp2p));
            return if written.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        ("decode", "iotp2p") => {
            let b = bytes(Codec::Iotp2p);
            for _ in 0..n {
                black_box(core::Envelope::decode(black_box(&b)).unwrap());
            }
        }
        ("decode", "iotp2p_read_all") => {
            let b = bytes(Codec::Iotp2p);
            for _ in 0..n {
                check ^= codec_data::read_all(&core::Envelope::decode(black_box(&b)).unwrap());
            }
        }
        ("decode", "iotp2p_owned") => {
            let b = bytes(Codec::Iotp2p);
            for _ in 0..n {
                black_box(codec_data::iotp2p_owned_decode(black_box(&b)).unwrap());
            }
        }
        ("decode", "prost") => {
            let b = bytes(Codec::Prost);
            for _ in 0..n {
                black_box(<proto::Envelope as prost::Message>::decode(black_box(&b[..])).unwrap());
            }
        }
        ("decode", "postcard_owned") => {
            let b = bytes(Codec::Postcard);
            for _ in 0..n {
                black_box(postcard::from_bytes::<model::Envelope>(black_box(&b)).unwrap());
            }
        }
        ("decode", "postcard_borrowed") => {
            let b = bytes(Codec::Postcard);
            for _ in 0..n {
                black_box(postcard::from_bytes::<borrowed::Envelope<'_>>(black_box(&b)).unwrap());
            }
        }
        ("decode", "minicbor_borrowed") => {
            let b = bytes(Codec::Minicbor);
            for _ in 0..n {
                black_box(minicbor::decode::<cbor::Envelope<'_>>(black_box(&b)).unwrap());
            }
        }
        ("decode", "c") => {
            let b = bytes(Codec::Iotp2p);
            let mut c = CCodec::new();
            for _ in 0..n {
                check ^= u64::from(c.decode(black_box(&b)).is_ok());
            }
        }
        ("encode", "iotp2p") => {
            for _ in 0..n {
                check ^= black_box(&f.iotp2p).encode(&mut buf).unwrap() as u64;
            }
        }
        ("encode", "iotp2p_owned") => {
            let owned = codec_data::iotp2p_owned_decode(&bytes(Codec::Iotp2p)).unwrap();
            for _ in 0..n {
                check ^= black_box(&owned).encode(&mut buf).unwrap() as u64;
            }
        }
        ("encode", "c") => {
            let b = bytes(Codec::Iotp2p);
            let mut c = CCodec::new();
            let decoded = c.decode(&b).unwrap();
            for _ in 0..n {
                check ^= black_box(&decoded).encode(&mut buf).unwrap() as u64;
            }
        }
        ("encode", "prost") => {
            for _ in 0..n {
                let mut rest: &mut [u8] = &mut buf;
                prost::Message::encode(black_box(&f.prost), &mut rest).unwrap();
                check ^= rest.len() as u64;
            }
        }
        ("encode", "postcard") => {
            for _ in 0..n {
                check ^= postcard::to_slice(black_box(&f.borrowed), &mut buf)
                    .unwrap()
                    .len() as u64;
            }
        }
        ("encode", "minicbor") => {
            for _ in 0..n {
                let mut cursor = minicbor::encode::write::Cursor::new(&mut buf[..]);
                minicbor::encode(black_box(&f.minicbor), &mut cursor).unwrap();
                check ^= cursor.position() as u64;
            }
        }
        _ => {
            eprintln!("unknown operation {op} {codec}");
            return ExitCode::FAILURE;
        }
    }
    println!("{op} {} {codec} ×{n} (check {check})", message.name());
    ExitCode::SUCCESS
}
