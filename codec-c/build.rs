//! Compiles the C runtime (runtime/iotp2p.c) into a static library linked into this crate, with the
//! warnings the C build treats as errors (codec-c/Makefile), so that the bindings test the same code.

fn main() {
    println!("cargo:rerun-if-changed=runtime/iotp2p.c");
    println!("cargo:rerun-if-changed=runtime/iotp2p.h");
    let mut build = cc::Build::new();
    build
        .file("runtime/iotp2p.c")
        .include("runtime")
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
