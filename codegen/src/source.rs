//! Schema source files: loading them with hard limits, and mapping byte spans to `line:col`.
//!
//! Every later stage points at the schema through a [`Span`] (file id + byte range); this module is the
//! only place that knows how to turn one into a file name, a line and a column.

use std::path::{Path, PathBuf};

/// Largest schema file accepted, in bytes. Real schemas are a few hundred KiB at most; the limit keeps a
/// stray multi-gigabyte file from being read into memory at all.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both `self` and `other` (which must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// An empty span at the end of `self`, for "expected `;` here" style messages.
    pub fn end_point(self) -> Span {
        Span {
            file: self.file,
            start: self.end,
            end: self.end,
        }
    }
}

/// One loaded schema file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as an import resolved it), used in messages.
    pub name: String,
    /// The canonical path on disk, used to recognise the same file imported twice.
    pub path: PathBuf,
    /// The file's text, guaranteed valid UTF-8 and at most [`MAX_FILE_SIZE`] bytes.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A file from text already in memory (tests, stdin, fuzzing).
    pub fn new(name: impl Into<String>, path: PathBuf, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        SourceFile {
            name: name.into(),
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line as u32 + 1, column as u32 + 1)
    }

    /// Byte offsets at which each line starts.
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }
}

/// Why a file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file does not exist or cannot be read.
    Io(std::io::Error),
    /// The file is larger than [`MAX_FILE_SIZE`].
    TooLarge(u64),
    /// The file is not valid UTF-8; the offset of the first bad byte.
    NotUtf8(usize),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::TooLarge(n) => write!(
                f,
                "the file is {n} bytes long; schema files are limited to {MAX_FILE_SIZE} bytes"
            ),
            LoadError::NotUtf8(at) => {
                write!(f, "the file is not valid UTF-8 (bad byte at offset {at})")
            }
        }
    }
}

/// Reads a schema file from disk, refusing oversized and non-UTF-8 files before parsing starts.
pub fn read_source(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(LoadError::Io)?;
    let meta = file.metadata().map_err(LoadError::Io)?;
    if meta.is_dir() {
        return Err(LoadError::Io(std::io::Error::other(
            "is a directory, not a schema file",
        )));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(LoadError::TooLarge(meta.len()));
    }
    // Read one byte past the limit so a file that grows between metadata() and read() is still caught.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(LoadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(LoadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// All files taking part in one compilation, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The id of an already loaded file with this canonical path.
    pub fn find_path(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    /// All files in load order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// `file`, line and column of the start of a span.
    pub fn location(&self, span: Span) -> (&str, u32, u32) {
        let file = self.get(span.file);
        let (line, column) = file.line_col(span.start);
        (&file.name, line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("t", PathBuf::new(), "ab\nçé x\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' is at byte 3 + 2 + 2 + 1 = 8 but character column 4.
        assert_eq!(f.line_col(8), (2, 4));
        assert_eq!(f.line_col(10), (3, 1));
    }
}
