//! `iotp2p gen`: generate code from schemas.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use iotp2p_codegen::backend::c::{Form, Strings, C};
use iotp2p_codegen::backend::rust::{Rust, RustOptions};
use iotp2p_codegen::backend::{cddl::Cddl, json_schema::JsonSchema, Backend, GeneratedFile};
use iotp2p_codegen::model::Model;

use super::{report, Color, Format};

/// Arguments of `iotp2p gen`.
#[derive(Args, Debug)]
pub(crate) struct GenArgs {
    #[command(subcommand)]
    target: Target,
}

#[derive(Subcommand, Debug)]
enum Target {
    /// Zero-copy, no_std Rust encoders and decoders: one module per package, plus `mod.rs`.
    Rust(RustArgs),
    /// C99 encoders and decoders without allocation: one `<package>.h` and `<package>.c` per
    /// package, calling the runtime of codec-c/runtime (`iotp2p.h`, `iotp2p.c`), and the optional
    /// JSON unit `<package>_json.h`, `<package>_json.c` (with the runtime's `iotp2p_json.c`).
    C(CArgs),
    /// CDDL (RFC 8610) of the wire format: one `<package>.cddl` per package, rules named by
    /// fully-qualified type names (concatenate a file after those of the packages it imports).
    Cddl(ExportArgs),
    /// JSON Schema (draft 2020-12) of the canonical JSON mapping: one `<package>.schema.json` per
    /// package, with the package's types in `$defs`.
    #[command(name = "json-schema")]
    JsonSchema(ExportArgs),
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// Schema files to export (with everything they import).
    #[arg(required = true, value_name = "SCHEMA")]
    files: Vec<PathBuf>,
    /// Directory in which to look for imported files. May be repeated.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
    /// Output directory (created if missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Change nothing; exit 1 if any file in the output directory is out of date.
    #[arg(long)]
    check: bool,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Args, Debug)]
struct CArgs {
    #[command(flatten)]
    export: ExportArgs,
    /// How messages and unions are generated: `tables` (a const table per type, read and written by
    /// the runtime's interpreters; smaller from a few dozen fields on) or `code` (a decoder and an
    /// encoder per type; smaller for a schema of a few fields).
    #[arg(long, value_enum, default_value_t = CForm::Tables)]
    form: CForm,
    /// For firmware that never re-encodes what it decodes: decoders check and skip unknown fields
    /// but do not keep them (no `unknown_fields` member, no merge code in encoders). Without it,
    /// decode → encode is byte-identical.
    #[arg(long)]
    drop_unknown_fields: bool,
    /// How decoded strings and bytes are held: `zero-copy` (a pointer and a length into the input)
    /// or `copy` (copied into buffers of the struct sized from the schema's bounds, so that a
    /// decoded value outlives its input; in tables, build the runtime and the generated code with
    /// -DIOTP_COPIED_STRINGS).
    #[arg(long, value_enum, default_value_t = CStrings::ZeroCopy)]
    strings: CStrings,
}

/// The choices of `--strings` (the backend's [`Strings`]).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CStrings {
    ZeroCopy,
    Copy,
}

/// The choices of `--form` (the backend's [`Form`]).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CForm {
    Tables,
    Code,
}

#[derive(Args, Debug)]
struct RustArgs {
    /// Schema files to generate (with everything they import).
    #[arg(required = true, value_name = "SCHEMA")]
    files: Vec<PathBuf>,
    /// Directory in which to look for imported files. May be repeated.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
    /// Output directory (created if missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Rust path of the codec runtime.
    #[arg(long, default_value = "::iotp2p_codec::runtime", value_name = "PATH")]
    runtime: String,
    /// A package generated elsewhere, as PACKAGE=RUST_PATH (e.g. iotp2p.core=::iotp2p_codec::core).
    /// May be repeated.
    #[arg(long = "extern", value_name = "PACKAGE=PATH", value_parser = parse_extern)]
    extern_packages: Vec<(String, String)>,
    /// Change nothing; exit 1 if any file in the output directory is out of date.
    #[arg(long)]
    check: bool,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

fn parse_extern(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(p, r)| (p.to_string(), r.to_string()))
        .ok_or_else(|| format!("expected PACKAGE=PATH, found `{s}`"))
}

pub(crate) fn run(args: &GenArgs) -> ExitCode {
    match &args.target {
        Target::Rust(args) => {
            let rust = Rust {
                options: RustOptions {
                    runtime: args.runtime.clone(),
                    extern_packages: args.extern_packages.clone(),
                    rustfmt: true,
                    modules_in_out_dir: false,
                },
            };
            let files = Files {
                schemas: &args.files,
                include: &args.include,
                output: &args.output,
                check: args.check,
                color: args.color,
            };
            files.generate(&rust)
        }
        Target::C(args) => args.export.files().generate(&C {
            form: match args.form {
                CForm::Tables => Form::Tables,
                CForm::Code => Form::Code,
            },
            drop_unknown_fields: args.drop_unknown_fields,
            strings: match args.strings {
                CStrings::ZeroCopy => Strings::ZeroCopy,
                CStrings::Copy => Strings::Copy,
            },
        }),
        Target::Cddl(args) => args.files().generate(&Cddl),
        Target::JsonSchema(args) => args.files().generate(&JsonSchema),
    }
}

/// What every target reads and writes.
struct Files<'a> {
    schemas: &'a [PathBuf],
    include: &'a [PathBuf],
    output: &'a std::path::Path,
    check: bool,
    color: Color,
}

impl ExportArgs {
    fn files(&self) -> Files<'_> {
        Files {
            schemas: &self.files,
            include: &self.include,
            output: &self.output,
            check: self.check,
            color: self.color,
        }
    }
}

impl Files<'_> {
    /// Compiles the schemas and writes what `backend` makes of their model.
    fn generate(&self, backend: &dyn Backend) -> ExitCode {
        let loader = iotp2p_codegen::FsLoader {
            include_dirs: self.include.to_vec(),
        };
        let c = iotp2p_codegen::compile(self.schemas, &loader);
        report(&c, Format::Human, self.color);
        let Some(schema) = &c.schema else {
            return ExitCode::from(1);
        };
        let model = Model::new(schema);
        if let Some(why) = backend.unsupported(&model) {
            eprintln!("error: {why}");
            return ExitCode::from(1);
        }
        let files = backend.generate(&model);
        write_files(&files, self.output, self.check)
    }
}

/// Writes the files that changed (or, with `check`, reports them).
fn write_files(files: &[GeneratedFile], output: &std::path::Path, check: bool) -> ExitCode {
    let mut stale = false;
    for file in files {
        let path = output.join(&file.name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == file.contents {
            continue;
        }
        if check {
            eprintln!("error: `{}` is out of date", path.display());
            stale = true;
            continue;
        }
        if let Err(e) =
            std::fs::create_dir_all(output).and_then(|()| std::fs::write(&path, &file.contents))
        {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return ExitCode::from(1);
        }
        eprintln!("wrote {}", path.display());
    }
    if stale {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
