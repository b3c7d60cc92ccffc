//! Compiles the C runtime (runtime/iotp2p.c), the C generated for the core schema
//! (generated/iotp2p_core.c) and for two of the compiler's test schemas
//! (codegen/tests/golden/c/example_recursive.c, example_every_scalar.c), and the test shims that expose them (shim/) into a
//! static library linked into this crate, with the warnings the C build treats as errors
//! (codec-c/Makefile), so that the bindings test the same code.

fn main() {
    let sources = [
        "runtime/iotp2p.c",
        "generated/iotp2p_core.c",
        "shim/envelope_shim.c",
        "../codegen/tests/golden/c/example_recursive.c",
        "../codegen/tests/golden/c/example_every_scalar.c",
        "shim/golden_shim.c",
    ];
    for path in sources.iter().chain(&[
        "runtime/iotp2p.h",
        "generated/iotp2p_core.h",
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
    build.compile("iotp2p_c");
}
