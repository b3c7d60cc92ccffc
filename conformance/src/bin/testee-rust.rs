//! The Rust reference testee: `iotp2p-conformance run --testee target/release/testee-rust`.
//! Speaks the testee protocol (conformance/README.md) on standard input and output.

fn main() {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let mut reference = iotp2p_conformance::reference::Reference::default();
    if let Err(e) = iotp2p_conformance::reference::serve(stdin, stdout, |r| reference.answer(r)) {
        eprintln!("testee-rust: {e}");
        std::process::exit(1);
    }
}
