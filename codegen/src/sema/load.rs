//! Loading: the files named by the user, then every file their imports name, each read and parsed once.
//!
//! Where files come from is behind the [`Loader`] trait: [`FsLoader`] reads the disk with include
//! directories (like protoc's `-I`), [`MemoryLoader`] serves tests and fuzzing from memory.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Component, Path, PathBuf};

use super::{display_path, Unit};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{read_source, LoadError, SourceFile, SourceMap, Span, MAX_FILE_SIZE};
use crate::{standard, syntax};

/// Where schema files come from.
pub trait Loader {
    /// The candidate paths for `import` written in the file at `importer`, in search order.
    fn candidates(&self, importer: &Path, import: &str) -> Vec<PathBuf>;
    /// Whether a schema file exists at `path`.
    fn exists(&self, path: &Path) -> bool;
    /// A key that is equal for two paths naming the same file.
    fn canonical(&self, path: &Path) -> PathBuf;
    /// The file's text.
    fn read(&self, path: &Path) -> Result<String, LoadError>;
}

/// Reads schema files from disk. Imports resolve relative to the importing file's directory first,
/// then against each include directory in order, and last, for `iotp2p/...`, to the standard's own
/// packages built into the library ([`crate::standard`]).
#[derive(Debug, Default, Clone)]
pub struct FsLoader {
    /// Include directories (`-I`), in search order.
    pub include_dirs: Vec<PathBuf>,
}

impl Loader for FsLoader {
    fn candidates(&self, importer: &Path, import: &str) -> Vec<PathBuf> {
        let base = importer.parent().unwrap_or(Path::new(""));
        std::iter::once(base.join(import))
            .chain(self.include_dirs.iter().map(|d| d.join(import)))
            .map(|p| normalize(&p))
            .chain(standard::candidate(import))
            .collect()
    }

    fn exists(&self, path: &Path) -> bool {
        standard::at(path).is_some() || path.is_file()
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        if standard::at(path).is_some() {
            return path.to_path_buf();
        }
        std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
    }

    fn read(&self, path: &Path) -> Result<String, LoadError> {
        match standard::at(path) {
            Some(text) => Ok(text.to_string()),
            None => read_source(path),
        }
    }
}

/// Serves schema files from memory: tests, fuzzing, and editors with unsaved buffers.
#[derive(Debug, Default, Clone)]
pub struct MemoryLoader {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryLoader {
    /// A loader over these path → text pairs.
    pub fn new(files: BTreeMap<PathBuf, String>) -> MemoryLoader {
        MemoryLoader {
            files: files
                .into_iter()
                .map(|(p, t)| (normalize(&p), t.into_bytes()))
                .collect(),
        }
    }

    /// A loader over raw bytes, which need not be UTF-8 (the loader reports that like the disk would).
    pub fn from_bytes(files: BTreeMap<PathBuf, Vec<u8>>) -> MemoryLoader {
        MemoryLoader {
            files: files.into_iter().map(|(p, b)| (normalize(&p), b)).collect(),
        }
    }
}

impl Loader for MemoryLoader {
    fn candidates(&self, importer: &Path, import: &str) -> Vec<PathBuf> {
        let base = importer.parent().unwrap_or(Path::new(""));
        vec![normalize(&base.join(import))]
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        normalize(path)
    }

    fn read(&self, path: &Path) -> Result<String, LoadError> {
        let bytes = self.files.get(&normalize(path)).ok_or_else(|| {
            LoadError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file",
            ))
        })?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(LoadError::TooLarge(bytes.len() as u64));
        }
        String::from_utf8(bytes.clone())
            .map_err(|e| LoadError::NotUtf8(e.utf8_error().valid_up_to()))
    }
}

/// Removes `.` and resolvable `..` components without touching the disk.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Turns a load failure into a diagnostic, at the import that named the file when there is one.
fn load_error(err: LoadError, name: &str, at: Option<Span>) -> Diagnostic {
    let d = match &err {
        LoadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => Diagnostic::without_span(
            Code::FileUnreadable,
            format!("cannot read `{name}`: no such file"),
        ),
        LoadError::Io(_) => {
            Diagnostic::without_span(Code::FileUnreadable, format!("cannot read `{name}`: {err}"))
        }
        LoadError::TooLarge(size) => Diagnostic::without_span(
            Code::FileTooLarge,
            format!("`{name}` is too large to be a schema file"),
        )
        .with_note(format!(
            "it is {size} bytes long; schema files are limited to {MAX_FILE_SIZE} bytes (4 MiB)"
        ))
        .with_help(
            "check that the path names a schema file, or split the schema into several packages",
        ),
        LoadError::NotUtf8(at) => {
            Diagnostic::without_span(Code::FileNotUtf8, format!("`{name}` is not UTF-8 text"))
                .with_note(format!(
                    "the first byte that is not valid UTF-8 is at offset {at}"
                ))
                .with_help("check that the path names a schema file, or convert the file to UTF-8")
        }
    };
    match at {
        Some(span) => Diagnostic {
            span: Some(span),
            ..d
        }
        .with_label("imported here"),
        None => d,
    }
}

struct Pending {
    path: PathBuf,
    name: String,
    imported_at: Option<Span>,
}

/// Reads and parses the root files and everything they import, breadth first. Each file is parsed
/// once however often it is imported.
pub(crate) fn load_all(
    roots: &[PathBuf],
    loader: &dyn Loader,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut queue: VecDeque<Pending> = roots
        .iter()
        .map(|p| Pending {
            path: p.clone(),
            name: p.display().to_string(),
            imported_at: None,
        })
        .collect();
    let mut root_count = roots.len();
    while let Some(next) = queue.pop_front() {
        let is_root = root_count > 0;
        root_count = root_count.saturating_sub(1);
        let canonical = loader.canonical(&next.path);
        if let Some(id) = sources.find_path(&canonical) {
            if is_root {
                if let Some(u) = units.iter_mut().find(|u| u.id == id) {
                    u.is_root = true;
                }
            }
            continue;
        }
        let text = match loader.read(&next.path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(load_error(e, &next.name, next.imported_at));
                continue;
            }
        };
        let id = sources.add(SourceFile::new(next.name.clone(), canonical, text));
        let ast = syntax::parse(id, &sources.get(id).text, diags);
        let mut import_files = Vec::with_capacity(ast.imports.len());
        for import in &ast.imports {
            let candidates = loader.candidates(&next.path, &import.path);
            match candidates.iter().find(|c| loader.exists(c)) {
                Some(found) => {
                    let canonical = loader.canonical(found);
                    import_files.push(sources.find_path(&canonical));
                    queue.push_back(Pending {
                        path: found.clone(),
                        name: display_path(found),
                        imported_at: Some(import.path_span),
                    });
                }
                None => {
                    import_files.push(None);
                    let searched: Vec<String> =
                        candidates.iter().map(|c| display_path(c)).collect();
                    let mut d = Diagnostic::new(
                        Code::ImportNotFound,
                        import.path_span,
                        format!("imported file `{}` not found", import.path),
                    )
                    .with_label("no such file")
                    .with_note(format!("searched: {}", searched.join(", ")))
                    .with_help("check the path, or add the directory that holds it with `-I DIR`");
                    if import.path.starts_with(standard::IMPORT_DIR) {
                        let known: Vec<String> = standard::FILES
                            .iter()
                            .map(|(n, _)| format!("`{}/{n}`", standard::IMPORT_DIR))
                            .collect();
                        d = d.with_note(format!(
                            "the standard's packages, built in, are {}",
                            known.join(", ")
                        ));
                    }
                    diags.push(d);
                }
            }
        }
        units.push(Unit {
            id,
            ast,
            import_files,
            is_root,
        });
    }
    // Imports queued before their target was loaded recorded `None`; fill them in now.
    let resolved: Vec<Vec<Option<crate::source::FileId>>> = units
        .iter()
        .map(|u| {
            u.ast
                .imports
                .iter()
                .zip(&u.import_files)
                .map(|(import, known)| {
                    known.or_else(|| {
                        let importer = &sources.get(u.id).path;
                        loader
                            .candidates(importer, &import.path)
                            .iter()
                            .find(|c| loader.exists(c))
                            .and_then(|c| sources.find_path(&loader.canonical(c)))
                    })
                })
                .collect()
        })
        .collect();
    for (u, r) in units.iter_mut().zip(resolved) {
        u.import_files = r;
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.iotp")),
            PathBuf::from("a/c.iotp")
        );
        assert_eq!(normalize(Path::new("../x/../y")), PathBuf::from("../y"));
    }
}
