//! `iotp2p check`: validate schemas and report every problem.

use std::process::ExitCode;

use clap::Args;

use super::{report, CompileArgs, Format};

/// Arguments of `iotp2p check`.
#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    compile: CompileArgs,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
}

pub(crate) fn run(args: &CheckArgs) -> ExitCode {
    let c = args.compile.compile();
    report(&c, args.compile.format, args.compile.color);
    let failed = c.diagnostics.has_errors() || (args.deny_warnings && !c.diagnostics.is_empty());
    if failed {
        return ExitCode::from(1);
    }
    if args.compile.format == Format::Human {
        let n = c.schema.as_ref().map_or(0, |s| s.packages.len());
        eprintln!(
            "checked {n} package{}: no errors",
            if n == 1 { "" } else { "s" }
        );
    }
    ExitCode::SUCCESS
}
