//! The standard's packages are importable without a checkout: `import "iotp2p/core.iotp"` resolves to
//! the copy built into the library, through the ordinary file-system loader with no include
//! directory, and `iotp2p std` writes exactly the shipped files.

use std::path::{Path, PathBuf};
use std::process::Command;

use iotp2p_codegen::{compile, standard, FsLoader};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iotp2p-std-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const VENDOR: &str = r#"/// A vendor capability that uses the standard's types.
package com.example.plug version 1.0.0;

import "iotp2p/core.iotp" as core;
import "iotp2p/capabilities.iotp" as caps;

/// A reading.
message Reading {
    /// Who measured it.
    0 from: core.Address;
    /// The capability it relates to.
    1 capability: caps.StandardCapability;
}
"#;

#[test]
fn a_vendor_schema_imports_the_standard_with_no_include_directory() {
    let dir = scratch("vendor");
    let file = dir.join("plug.iotp");
    std::fs::write(&file, VENDOR).unwrap();
    let c = compile(&[file], &FsLoader::default());
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let schema = c.schema.expect("compiles");
    let packages: Vec<&str> = schema.packages.iter().map(|p| p.name.as_str()).collect();
    for expected in ["iotp2p.core", "iotp2p.capabilities", "com.example.plug"] {
        assert!(packages.contains(&expected), "{packages:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_copy_on_disk_takes_precedence_over_the_built_in_one() {
    // A newer draft of the standard next to the vendor's file wins, as any file on the search path.
    let dir = scratch("override");
    std::fs::create_dir_all(dir.join("iotp2p")).unwrap();
    std::fs::write(
        dir.join("iotp2p/core.iotp"),
        "@iotp2p.standard\npackage iotp2p.core version 9.0.0;\ntype Address = string<8>;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.iotp"),
        "package a.b;\nimport \"iotp2p/core.iotp\" as core;\nmessage M { 0 a: core.Address; }\n",
    )
    .unwrap();
    let c = compile(&[dir.join("main.iotp")], &FsLoader::default());
    let schema = c.schema.expect("compiles");
    let core = schema
        .packages
        .iter()
        .find(|p| p.name == "iotp2p.core")
        .unwrap();
    assert_eq!(core.version.as_ref().map(|v| v.major), Some(9));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn std_writes_the_shipped_files() {
    let dir = scratch("cli");
    let out = Command::new(env!("CARGO_BIN_EXE_iotp2p"))
        .args(["std", "--output"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/schema");
    for (name, _) in standard::FILES {
        let written = std::fs::read(dir.join("iotp2p").join(name)).unwrap();
        assert_eq!(
            written,
            std::fs::read(shipped.join(name)).unwrap(),
            "{name}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}
