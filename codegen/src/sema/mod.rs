//! The semantic layer: parsed files → resolved, validated [`ir::Schema`].
//!
//! Stages, each in its own module, each reporting into one [`Diagnostics`] and carrying on:
//! 1. `load`: read the named files and, transitively, their imports (include paths, limits);
//! 2. `packages`: package declarations, versions, import aliases, import cycles, dependency order;
//! 3. `symbols`: every type's fully-qualified name, and name lookup from inside a file;
//! 4. `lower`: types, bounds, defaults and attributes → IR, checked as they are built;
//! 5. `members`, `naming`, `recursion`, `warnings`: the rules that look at a whole type or the
//!    whole type graph.
//!
//! The IR is produced only when no error was reported, so backends never see an invalid schema.

mod attributes;
mod capability_model;
mod iotp2p_attributes;
mod load;
mod lower;
mod members;
mod naming;
mod packages;
mod recursion;
mod symbols;
mod warnings;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use load::{FsLoader, Loader, MemoryLoader};

use crate::diagnostics::Diagnostics;
use crate::ir;
use crate::source::{FileId, SourceMap};
use crate::syntax::ast;

/// The outcome of compiling a set of schema files.
#[derive(Debug)]
pub struct Compilation {
    /// Every file that was read, for rendering diagnostics.
    pub sources: SourceMap,
    /// Everything reported, errors and warnings.
    pub diagnostics: Diagnostics,
    /// The IR, present exactly when no error was reported.
    pub schema: Option<ir::Schema>,
}

/// One loaded and parsed file with what the later stages learn about it.
#[derive(Debug)]
pub(crate) struct Unit {
    pub id: FileId,
    pub ast: ast::SchemaFile,
    /// The file each import resolved to (`None` when it could not be found).
    pub import_files: Vec<Option<FileId>>,
    /// Whether this file was named by the user (as opposed to reached through an import).
    pub is_root: bool,
}

/// Compiles the files at `roots` and everything they import.
pub fn compile(roots: &[PathBuf], loader: &dyn Loader) -> Compilation {
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::new();
    let units = load::load_all(roots, loader, &mut sources, &mut diagnostics);
    let schema = analyse(&units, &sources, &mut diagnostics);
    Compilation {
        sources,
        diagnostics,
        schema,
    }
}

/// Compiles one schema held in memory; imports resolve against `others` (path → text).
pub fn compile_str(name: &str, text: &str, others: &[(&str, &str)]) -> Compilation {
    let mut files: BTreeMap<PathBuf, String> = others
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
    files.insert(PathBuf::from(name), text.to_string());
    let loader = MemoryLoader::new(files);
    compile(&[PathBuf::from(name)], &loader)
}

fn analyse(units: &[Unit], sources: &SourceMap, diags: &mut Diagnostics) -> Option<ir::Schema> {
    let packages = packages::check(units, sources, diags);
    let symbols = symbols::collect(units, &packages, diags);
    for unit in units {
        naming::check_file(unit, diags);
        members::check_file(unit, diags);
    }
    let lowered = lower::lower(units, &packages, &symbols, sources, diags);
    recursion::check(&lowered, diags);
    capability_model::check(&lowered, diags);
    warnings::check(units, &packages, &lowered, diags);
    if diags.has_errors() {
        return None;
    }
    let schema = ir::Schema {
        ir_version: ir::IR_VERSION,
        packages: lowered.packages,
    };
    warnings::check_sizes(&schema, &lowered.type_spans, diags);
    Some(schema)
}

/// Makes a path pleasant to show: relative to the current directory when it is below it.
pub(crate) fn display_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
