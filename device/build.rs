//! Generates the lock's vendor capability (`schema/lock.iotp`) into `OUT_DIR`, against the core codec,
//! as a vendor's firmware would.

fn main() {
    iotp2p_codegen::Builder::new()
        .extern_package("iotp2p.core", "::iotp2p_codec::core")
        .extern_package("iotp2p.security", "::iotp2p_codec::security")
        .extern_package("iotp2p.capabilities", "::iotp2p_codec::capabilities")
        .compile(&["schema/lock.iotp"])
        .unwrap_or_else(|e| panic!("\n{e}"));
}
