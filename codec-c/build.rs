//! Compiles the C runtime (runtime/iotp2p.c), the C generated for the shipped schema
//! (generated/iotp2p_core.c, iotp2p_security.c, iotp2p_capabilities.c) and for two of the compiler's test schemas
//! (codegen/tests/golden/c/example_recursive.c, example_every_scalar.c), and the test shims that expose them (shim/) into a
//! static library linked into this crate, with the warnings the C build treats as errors
//! (codec-c/Makefile), so that the bindings test the same code.
//!
//! Under `--cfg fuzzing` (the libFuzzer build of `fuzz/`), the C is instrumented for coverage too
//! (`-fsanitize-coverage`, when the C compiler takes it: clang, `CC=clang`), so that the fuzzer also
//! learns from the branches of the C codec.

fn main() {
    let sources = [
        "runtime/iotp2p.c",
        "generated/iotp2p_core.c",
        "generated/iotp2p_security.c",
        "generated/iotp2p_capabilities.c",
        "shim/envelope_shim.c",
        "shim/transcode_shim.c",
        "../codegen/tests/golden/c/example_recursive.c",
        "../codegen/tests/golden/c/example_every_scalar.c",
        "shim/golden_shim.c",
    ];
    for path in sources.iter().chain(&[
        "runtime/iotp2p.h",
        "generated/iotp2p_core.h",
        "generated/iotp2p_security.h",
        "generated/iotp2p_capabilities.h",
        "../codegen/tests/golden/c/example_recursive.h",
        "../codegen/tests/golden/c/example_every_scalar.h",
    ]) {
        println!("cargo:rerun-if-changed={path}");
    }
    let mut build = cc::Build::new();
    build
        .files(sources)
        .include("runtime")
        .include("generated")
        .include("../codegen/tests/golden/c")
        .std("c99")
        .warnings_into_errors(true);
    for flag in [
        "-Wall",
        "-Wextra",
        "-Wpedantic",
        "-Wconversion",
        "-Wshadow",
        "-Wcast-qual",
    ] {
        build.flag_if_supported(flag);
    }
    if std::env::var_os("CARGO_CFG_FUZZING").is_some() {
        build.flag_if_supported("-fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp");
    }
    build.compile("iotp2p_c");
}
