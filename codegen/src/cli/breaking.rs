//! `iotp2p breaking`: compare schemas against an earlier version of themselves (spec §10.3), in the
//! manner of `buf breaking`. The earlier version is files, directories, or a git revision of the same
//! paths (`--against git:REV`), read with `git ls-tree` and `git show`, without a checkout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{Args, ValueEnum};

use iotp2p_codegen::compat::report::{self, Policy, Report, Sources};
use iotp2p_codegen::compat::Categories;
use iotp2p_codegen::diagnostics::{json, render};
use iotp2p_codegen::source::{LoadError, MAX_FILE_SIZE};
use iotp2p_codegen::{compile, standard, Compilation, FsLoader, Loader, MemoryLoader};

use super::{write_stdout, Color, Format};

/// Arguments of `iotp2p breaking`.
#[derive(Args, Debug)]
pub(crate) struct BreakingArgs {
    /// The earlier version: schema files or directories (may be repeated), or `git:REV` for the same
    /// paths as FILES at a git revision (`git:main`, `git:v1.0.0`, `git:HEAD~1`).
    #[arg(long, required = true, value_name = "OLD")]
    against: Vec<String>,
    /// The schema files or directories to check (directories: the `.iotp` files directly in them).
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Directory in which to look for imported files, on both sides. May be repeated.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
    /// Categories whose breaking changes are errors, comma-separated. WIRE is always enforced
    /// within one major version (spec IOTP-VER-8).
    #[arg(
        long,
        alias = "category",
        value_enum,
        value_delimiter = ',',
        default_value = "wire,json,source"
    )]
    enforce: Vec<CategoryArg>,
    /// Also list the compatible changes (as notes).
    #[arg(long)]
    all: bool,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human-readable output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// A compatibility category, as written on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CategoryArg {
    /// Encodings (spec §10.2).
    Wire,
    /// Canonical JSON.
    Json,
    /// Generated code.
    Source,
}

pub(crate) fn run(args: &BreakingArgs) -> ExitCode {
    let roots = match expand(&args.files) {
        Ok(roots) => roots,
        Err(e) => return usage(&e),
    };
    let new = compile(
        &roots,
        &FsLoader {
            include_dirs: args.include.clone(),
        },
    );
    let (old, prefix) = match args.against.as_slice() {
        [one] if one.starts_with("git:") => {
            let rev = &one["git:".len()..];
            match at_revision(rev, &roots, &args.include) {
                Ok(loader) => (compile(&roots, &loader), format!("{rev}:")),
                Err(e) => return usage(&e),
            }
        }
        against if against.iter().any(|a| a.starts_with("git:")) => {
            return usage("`--against git:REV` cannot be combined with other `--against` values")
        }
        against => {
            let paths: Vec<PathBuf> = against.iter().map(PathBuf::from).collect();
            match expand(&paths) {
                Ok(old_roots) => (
                    compile(
                        &old_roots,
                        &FsLoader {
                            include_dirs: args.include.clone(),
                        },
                    ),
                    String::new(),
                ),
                Err(e) => return usage(&e),
            }
        }
    };
    let color = match args.color {
        Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stderr()),
        Color::Always => true,
        Color::Never => false,
    };
    let (Some(old_schema), Some(new_schema)) = (&old.schema, &new.schema) else {
        return compile_errors(&old, &new, &prefix, args.format, color);
    };
    let enforce = args.enforce.iter().fold(Categories::NONE, |c, a| {
        c.with(match a {
            CategoryArg::Wire => iotp2p_codegen::compat::Category::Wire,
            CategoryArg::Json => iotp2p_codegen::compat::Category::Json,
            CategoryArg::Source => iotp2p_codegen::compat::Category::Source,
        })
    });
    let policy = Policy::new(enforce, args.all);
    let found = Report::new(old_schema, new_schema);
    match args.format {
        Format::Json => write_stdout(&report::render_json(&found, &policy, &prefix)),
        Format::Human => {
            let sources = Sources {
                old: &old.sources,
                new: &new.sources,
                old_prefix: &prefix,
            };
            let (map, diagnostics) = report::to_diagnostics(&found, &policy, &sources);
            render::emit_stderr_ending(&map, &diagnostics, color, &found.summary(&policy));
        }
    }
    if found.fails(&policy) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Either side does not compile: its diagnostics, then exit status 2 (there is nothing to compare).
fn compile_errors(
    old: &Compilation,
    new: &Compilation,
    prefix: &str,
    format: Format,
    color: bool,
) -> ExitCode {
    let (map, diagnostics) = report::merge_diagnostics(
        (&old.sources, &old.diagnostics),
        (&new.sources, &new.diagnostics),
        prefix,
    );
    match format {
        Format::Json => write_stdout(&json::render_json(&map, &diagnostics)),
        Format::Human => render::emit_stderr(&map, &diagnostics, color),
    }
    ExitCode::from(2)
}

fn usage(message: &str) -> ExitCode {
    eprintln!(
        "error: {}",
        iotp2p_codegen::diagnostics::printable::printable(message)
    );
    ExitCode::from(2)
}

/// The schema files that paths name: files as they are, directories as the `.iotp` files directly in
/// them (as for the compiler's own multi-file tests: files in subdirectories are reached through
/// imports), in name order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        if !path.is_dir() {
            // A missing file is the compiler's to report (E0001), like every other command.
            out.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read directory {}: {e}", path.display()))?;
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "iotp"))
            .collect();
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// The schema files at a git revision: every `.iotp` file of the directories of `roots` and of the
/// include directories, as `git ls-tree` lists them relative to the current directory, read with
/// `git show`. Served from memory; the standard's `iotp2p/...` files come from the tool as on disk.
fn at_revision(rev: &str, roots: &[PathBuf], include: &[PathBuf]) -> Result<Revision, String> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`git:{rev}` does not name a revision"));
    }
    let mut dirs: BTreeSet<PathBuf> = include.iter().cloned().collect();
    for root in roots {
        let dir = root.parent().unwrap_or(Path::new(""));
        dirs.insert(if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.to_path_buf()
        });
    }
    let mut args = vec![
        "ls-tree".to_string(),
        "-r".into(),
        "-l".into(),
        rev.into(),
        "--".into(),
    ];
    args.extend(dirs.iter().map(|d| d.to_string_lossy().into_owned()));
    let listing = git(&args)?;
    let mut files = BTreeMap::new();
    let mut too_large = BTreeMap::new();
    for line in String::from_utf8_lossy(&listing).lines() {
        // `<mode> blob <object> <size>\t<path>`
        let Some((meta, path)) = line.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split_whitespace();
        let (Some(_), Some("blob"), Some(object), Some(size)) =
            (meta.next(), meta.next(), meta.next(), meta.next())
        else {
            continue;
        };
        if !path.ends_with(".iotp") {
            continue;
        }
        let size: u64 = size.parse().unwrap_or(u64::MAX);
        if size > MAX_FILE_SIZE {
            too_large.insert(PathBuf::from(path), size);
            continue;
        }
        let bytes = git(&["cat-file".into(), "blob".into(), object.into()])?;
        files.insert(PathBuf::from(path), bytes);
    }
    Ok(Revision {
        files: MemoryLoader::from_bytes(files),
        too_large,
    })
}

/// Runs git with `args` in the current directory; its output, or what it said on failure.
fn git(args: &[String]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.first().map_or("", String::as_str),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// The files of a git revision, in memory, with the standard's built-in files behind them.
struct Revision {
    files: MemoryLoader,
    too_large: BTreeMap<PathBuf, u64>,
}

impl Loader for Revision {
    fn candidates(&self, importer: &Path, import: &str) -> Vec<PathBuf> {
        let mut out = self.files.candidates(importer, import);
        out.extend(standard::candidate(import));
        out
    }

    fn exists(&self, path: &Path) -> bool {
        standard::at(path).is_some()
            || self.too_large.contains_key(&self.files.canonical(path))
            || self.files.exists(path)
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        self.files.canonical(path)
    }

    fn read(&self, path: &Path) -> Result<String, LoadError> {
        if let Some(text) = standard::at(path) {
            return Ok(text.to_string());
        }
        if let Some(size) = self.too_large.get(&self.files.canonical(path)) {
            return Err(LoadError::TooLarge(*size));
        }
        self.files.read(path)
    }
}
