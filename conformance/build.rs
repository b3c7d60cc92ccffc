//! Generates the codec of the conformance package (`schema/conformance.iotp`) into `OUT_DIR` with
//! [`iotp2p_codegen::Builder`], reusing the core packages of `iotp2p-codec`, for the Rust reference
//! testee (`src/bin/testee-rust.rs`). The include file it writes also holds the index of the
//! generated types (`TYPE_NAMES`, `transcode`, `to_json`, `from_json`), the testee's entry points.

use iotp2p_codegen::Builder;

const SCHEMA: &str = "schema/conformance.iotp";
const INCLUDE: &str = "../spec/schema";
const EXTERN: [(&str, &str); 3] = [
    ("iotp2p.core", "::iotp2p_codec::core"),
    ("iotp2p.security", "::iotp2p_codec::security"),
    ("iotp2p.capabilities", "::iotp2p_codec::capabilities"),
];

fn main() {
    let mut builder = Builder::new().include(INCLUDE);
    for (package, path) in EXTERN {
        builder = builder.extern_package(package, path);
    }
    builder
        .compile(&[SCHEMA])
        .unwrap_or_else(|e| panic!("\n{e}"));
}
