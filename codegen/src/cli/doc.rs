//! `iotp2p doc`: reference pages in Markdown for the packages of the files named (a vendor's own, by
//! default: imported packages are named, not repeated), or, with `--spec-chapter`, the
//! specification's message reference chapter for every package.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use iotp2p_codegen::backend::docs::{self, ChapterOptions, Example};

use super::{report, write_stdout, Color, Format};

/// Arguments of `iotp2p doc`.
#[derive(Args, Debug)]
pub(crate) struct DocArgs {
    /// Schema files to document (with everything they import).
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Directory in which to look for imported files. May be repeated.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
    /// Markdown files whose ```iotp-example blocks are shown under their types. May be repeated.
    #[arg(long = "examples", value_name = "MARKDOWN")]
    examples: Vec<PathBuf>,
    /// Write the chapter to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Change nothing; exit 1 if the file given with --output is not up to date.
    #[arg(long, requires = "output")]
    check: bool,
    /// Render the specification's message reference chapter (header, section numbers, every package
    /// including imported ones), as scripts/generate does.
    #[arg(long)]
    spec_chapter: bool,
    /// Section number of the chapter, with --spec-chapter.
    #[arg(long, default_value = "11", requires = "spec_chapter")]
    number: String,
    /// Title of the page (without --spec-chapter).
    #[arg(long, default_value = "Schema reference")]
    title: String,
    /// Where the reference of imported packages lives: their types link to URL#anchor. Without it,
    /// imported types are named in full, not linked.
    #[arg(long, value_name = "URL")]
    imports_url: Option<String>,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

pub(crate) fn run(args: &DocArgs) -> ExitCode {
    let loader = iotp2p_codegen::FsLoader {
        include_dirs: args.include.clone(),
    };
    let c = iotp2p_codegen::compile(&args.files, &loader);
    report(&c, Format::Human, args.color);
    let Some(schema) = &c.schema else {
        return ExitCode::from(1);
    };
    let mut examples: Vec<Example> = Vec::new();
    for path in &args.examples {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return ExitCode::from(1);
            }
        };
        match docs::examples::extract(&text, &path.display().to_string()) {
            Ok(mut found) => examples.append(&mut found),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let options = if args.spec_chapter {
        ChapterOptions {
            number: args.number.clone(),
            regenerate: "scripts/generate".into(),
            ..ChapterOptions::default()
        }
    } else {
        // The packages of the files named on the command line, which the loader read first.
        let roots: BTreeSet<&str> = c
            .sources
            .files()
            .take(args.files.len())
            .map(|(_, f)| f.name.as_str())
            .collect();
        let only = schema
            .packages
            .iter()
            .filter(|p| roots.contains(p.location.file.as_str()))
            .map(|p| p.name.clone())
            .collect();
        ChapterOptions {
            title: args.title.clone(),
            regenerate: "iotp2p doc".into(),
            spec_chapter: false,
            only: Some(only),
            imports_url: args.imports_url.clone(),
            ..ChapterOptions::default()
        }
    };
    let text = docs::render_reference(schema, &examples, &options);
    let Some(out) = &args.output else {
        write_stdout(&text);
        return ExitCode::SUCCESS;
    };
    let current = std::fs::read_to_string(out).unwrap_or_default();
    if args.check {
        if current == text {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "error: `{}` is out of date; run scripts/generate",
            out.display()
        );
        return ExitCode::from(1);
    }
    if current != text {
        if let Err(e) = std::fs::write(out, &text) {
            eprintln!("error: cannot write `{}`: {e}", out.display());
            return ExitCode::from(1);
        }
        eprintln!("wrote {}", out.display());
    }
    ExitCode::SUCCESS
}
