//! Generates the Acme sprinkler capability's codec from `schema/sprinkler.iotp` into `OUT_DIR`,
//! reusing the core types of `iotp2p-codec` instead of generating them again.

fn main() {
    // `import "iotp2p/capabilities.iotp"` resolves to the standard's packages built into the
    // compiler: no include directory, no checkout of the standard.
    iotp2p_codegen::Builder::new()
        .extern_package("iotp2p.core", "::iotp2p_codec::core")
        .extern_package("iotp2p.security", "::iotp2p_codec::security")
        .extern_package("iotp2p.capabilities", "::iotp2p_codec::capabilities")
        .compile(&["schema/sprinkler.iotp"])
        .unwrap_or_else(|e| panic!("\n{e}"));
}
