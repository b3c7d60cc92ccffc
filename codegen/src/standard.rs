//! The standard's own schema packages (`spec/schema/`), compiled into the library, so that a vendor's
//! schema can `import "iotp2p/core.iotp" as core;` with nothing but the crate: no checkout of the
//! standard and no include directory. [`FsLoader`](crate::FsLoader) serves them under
//! [`ROOT`], after the importing file's directory and the include directories, so that a copy on disk
//! (a newer draft, say) still takes precedence. `iotp2p std` writes them out for editors.

use std::path::{Path, PathBuf};

/// The import prefix of the standard's packages: `import "iotp2p/core.iotp"`.
pub const IMPORT_DIR: &str = "iotp2p";

/// Where the built-in files appear in paths and diagnostics: `<built-in>/iotp2p/core.iotp`. Not a
/// directory on disk.
pub const ROOT: &str = "<built-in>";

/// The standard's files, by file name, as shipped in `spec/schema/`.
pub const FILES: [(&str, &str); 3] = [
    ("core.iotp", include_str!("../../spec/schema/core.iotp")),
    (
        "security.iotp",
        include_str!("../../spec/schema/security.iotp"),
    ),
    (
        "capabilities.iotp",
        include_str!("../../spec/schema/capabilities.iotp"),
    ),
];

/// The path under which a built-in file is served: `<built-in>/iotp2p/core.iotp`.
pub fn path_of(file_name: &str) -> PathBuf {
    Path::new(ROOT).join(IMPORT_DIR).join(file_name)
}

/// The built-in file at `path`, if `path` names one.
pub fn at(path: &Path) -> Option<&'static str> {
    let name = path.strip_prefix(Path::new(ROOT).join(IMPORT_DIR)).ok()?;
    FILES
        .iter()
        .find(|(n, _)| Path::new(n) == name)
        .map(|(_, text)| *text)
}

/// The built-in candidate for an import as written (`iotp2p/core.iotp`), if it names a standard file.
pub fn candidate(import: &str) -> Option<PathBuf> {
    let name = import.strip_prefix(IMPORT_DIR)?.strip_prefix('/')?;
    FILES.iter().any(|(n, _)| *n == name).then(|| path_of(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_resolve_to_the_built_in_files() {
        let path = candidate("iotp2p/core.iotp").unwrap();
        assert_eq!(path, Path::new("<built-in>/iotp2p/core.iotp"));
        assert!(at(&path).unwrap().contains("package iotp2p.core"));
        assert_eq!(candidate("iotp2p/nope.iotp"), None);
        assert_eq!(candidate("core.iotp"), None);
        assert_eq!(at(Path::new("iotp2p/core.iotp")), None);
    }
}
