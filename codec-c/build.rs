//! Compiles the C runtime (runtime/iotp2p.c), the C generated for the shipped schema
//! (generated/iotp2p_core.c, iotp2p_security.c, iotp2p_capabilities.c) and for two of the compiler's test schemas
//! (codegen/tests/golden/c/example_recursive.c, example_every_scalar.c), and the test shims that expose them (shim/) into a
//! static library linked into this crate, with the warnings the C build treats as errors
//! (codec-c/Makefile), so that the bindings test the same code.
//!
//! The same three packages generated with copied strings (generated-copy/, `--strings copy`) are
//! compiled with the runtime a second time, with `IOTP_COPIED_STRINGS`, and with the transcode shim:
//! both builds define the same C names, so the second is linked into one object (`cc -r`) whose
//! symbols `objcopy` makes local, all but the shim's two entry points, renamed
//! `iotp_shim_copy_transcode` and `iotp_shim_copy_transcode_size` (library `iotp2p_c_copy`).
//!
//! Under `--cfg fuzzing` (the libFuzzer build of `fuzz/`), the C is instrumented for coverage too
//! (`-fsanitize-coverage`, when the C compiler takes it: clang, `CC=clang`), so that the fuzzer also
//! learns from the branches of the C codec.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The warnings the C build treats as errors (codec-c/Makefile).
const WARNINGS: [&str; 6] = [
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Wconversion",
    "-Wshadow",
    "-Wcast-qual",
];

/// The copied-strings packages, besides the runtime and the transcode shim.
const COPY_SOURCES: [&str; 3] = [
    "generated-copy/iotp2p_core.c",
    "generated-copy/iotp2p_security.c",
    "generated-copy/iotp2p_capabilities.c",
];

/// The shim's entry points kept global in the copied-strings build, and their new names.
const COPY_ENTRY_POINTS: [(&str, &str); 2] = [
    ("iotp_shim_transcode", "iotp_shim_copy_transcode"),
    ("iotp_shim_transcode_size", "iotp_shim_copy_transcode_size"),
];

/// A build of C99 sources with the strict warnings as errors, instrumented under `--cfg fuzzing`.
fn c99() -> cc::Build {
    let mut build = cc::Build::new();
    build.std("c99").warnings_into_errors(true);
    for flag in WARNINGS {
        build.flag_if_supported(flag);
    }
    if std::env::var_os("CARGO_CFG_FUZZING").is_some() {
        build.flag_if_supported("-fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp");
    }
    build
}

/// Runs `command`, and stops the build if it fails.
fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

/// The copied-strings build (see the module documentation), as `lib<name>.a` in `out`.
fn copied_strings(out: &Path, name: &str) {
    for path in COPY_SOURCES.iter().chain(&[
        "generated-copy/iotp2p_core.h",
        "generated-copy/iotp2p_security.h",
        "generated-copy/iotp2p_capabilities.h",
    ]) {
        println!("cargo:rerun-if-changed={path}");
    }
    let dir = out.join("copied-strings");
    let mut build = c99();
    build
        .files(COPY_SOURCES)
        .files(["runtime/iotp2p.c", "shim/transcode_shim.c"])
        .include("runtime")
        .include("generated-copy")
        .define("IOTP_COPIED_STRINGS", None)
        .out_dir(&dir);
    let objects = build.compile_intermediates();
    let combined = dir.join("copied_strings.o");
    run(Command::new(build.get_compiler().path())
        .args(["-r", "-nostdlib", "-o"])
        .arg(&combined)
        .args(&objects));
    let objcopy = std::env::var_os("OBJCOPY").unwrap_or_else(|| "objcopy".into());
    let mut localize = Command::new(&objcopy);
    for (old, _) in COPY_ENTRY_POINTS {
        localize.arg(format!("--keep-global-symbol={old}"));
    }
    run(localize.arg(&combined));
    let mut rename = Command::new(&objcopy);
    for (old, new) in COPY_ENTRY_POINTS {
        rename.arg(format!("--redefine-sym={old}={new}"));
    }
    run(rename.arg(&combined));
    let archive = out.join(format!("lib{name}.a"));
    let _ = std::fs::remove_file(&archive);
    run(build.get_archiver().arg("crs").arg(&archive).arg(&combined));
    println!("cargo:rustc-link-lib=static={name}");
}

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
    c99()
        .files(sources)
        .include("runtime")
        .include("generated")
        .include("../codegen/tests/golden/c")
        .compile("iotp2p_c");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    copied_strings(&out, "iotp2p_c_copy");
}
