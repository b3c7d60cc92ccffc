//! Command-line parsing (clap) and dispatch to one module per subcommand.

mod breaking;
mod check;
mod decode;
mod doc;
mod encode;
mod explain;
mod fmt;
mod gen;
mod hexdump;
mod ir;
mod schema_arg;
mod std_files;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use iotp2p_codegen::diagnostics::{json::render_json, render::emit_stderr};
use iotp2p_codegen::Compilation;

/// The exit codes every command uses, printed under `--help`.
const EXIT_STATUS: &str = "Exit status, for every command:
  0  success (warnings alone do not fail)
  1  the input was rejected: a schema with errors, bytes or JSON that do not decode or encode,
     an unformatted file under `fmt --check`
  2  usage error: unknown command, option or type name, unreadable argument (e.g. bad hex)
`breaking` exits 1 when a change breaks an enforced category, and 2 when either version of the
schemas does not compile (there is nothing to compare).";

/// The iotp2p schema compiler.
///
/// Schemas (`.iotp` files) define the messages of the iotp2p protocol and of vendor capabilities.
/// See spec/schema-language.md for the language.
#[derive(Parser, Debug)]
#[command(
    name = "iotp2p",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = EXIT_STATUS
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate schema files and everything they import.
    ///
    /// Exits 0 when there are no errors (warnings are printed but do not fail), 1 when there are.
    Check(check::CheckArgs),
    /// Rewrite schema files in the canonical format, keeping comments.
    ///
    /// With --check, changes nothing and exits 1 if any file is not formatted.
    Fmt(fmt::FmtArgs),
    /// Print the validated intermediate representation (IR) as JSON, or its JSON Schema.
    ///
    /// The IR is a versioned interface (field `ir_version`) for tools in any language, like
    /// protobuf's FileDescriptorSet.
    Ir(ir::IrArgs),
    /// Generate encoders and decoders from schemas.
    Gen(gen::GenArgs),
    /// Decode bytes of a schema type: canonical JSON, or an annotated hex dump with --annotate.
    Decode(decode::DecodeArgs),
    /// Encode a value given as canonical JSON; prints the canonical encoding as hex.
    Encode(encode::EncodeArgs),
    /// Render schemas as the specification's message reference chapter (Markdown).
    Doc(doc::DocArgs),
    /// Compare schemas with an earlier version by the rules of spec §10.3.
    ///
    /// Every change is classified (WIRE, JSON, SOURCE) and the version numbers are checked. The
    /// earlier version is files, directories, or `git:REV` for the same paths at a git revision.
    ///
    /// Exits 0 when no enforced category breaks, 1 when one does (or a version number does not follow
    /// the changes), 2 when either version does not compile or the earlier one cannot be read.
    Breaking(breaking::BreakingArgs),
    /// Explain a diagnostic code, e.g. `iotp2p explain E0501`.
    Explain(explain::ExplainArgs),
    /// List the standard's schema packages built into the tool, or write them out with --output.
    ///
    /// Schemas import them as `import "iotp2p/core.iotp" as core;` without any include directory.
    Std(std_files::StdArgs),
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// rustc-style text on standard error.
    #[default]
    Human,
    /// One JSON document on standard output (for editors and CI).
    Json,
}

/// When to colour human output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    /// When standard error is a terminal.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Options shared by the commands that compile schemas.
#[derive(Args, Debug)]
pub(crate) struct CompileArgs {
    /// Schema files to compile.
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Directory in which to look for imported files (after the importing file's own directory).
    /// May be repeated; searched in order.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human-readable diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

impl CompileArgs {
    fn compile(&self) -> Compilation {
        let loader = iotp2p_codegen::FsLoader {
            include_dirs: self.include.clone(),
        };
        iotp2p_codegen::compile(&self.files, &loader)
    }
}

/// Prints diagnostics as asked; JSON always prints (an empty list is an answer too).
pub(crate) fn report(c: &Compilation, format: Format, color: Color) {
    match format {
        Format::Json => write_stdout(&render_json(&c.sources, &c.diagnostics)),
        Format::Human if c.diagnostics.is_empty() => {}
        Format::Human => {
            let color = match color {
                Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stderr()),
                Color::Always => true,
                Color::Never => false,
            };
            emit_stderr(&c.sources, &c.diagnostics, color)
        }
    }
}

/// Writes to standard output; a closed pipe (`iotp2p ir x.iotp | head`) ends the output quietly
/// instead of panicking as `print!` would.
pub(crate) fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        // Nothing useful can be said on a stdout that is gone.
    }
}

/// Parses the command line and runs the command.
pub(crate) fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Ir(args) => ir::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::Doc(args) => doc::run(&args),
        Command::Gen(args) => gen::run(&args),
        Command::Breaking(args) => breaking::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Std(args) => std_files::run(&args),
    }
}
