//! `iotp2p ir`: the validated IR as JSON, or the JSON Schema that describes it.

use std::process::ExitCode;

use clap::Args;

use iotp2p_codegen::ir::Schema;

use super::{report, write_stdout, Color, Format};

/// Arguments of `iotp2p ir`.
#[derive(Args, Debug)]
pub(crate) struct IrArgs {
    /// Print the JSON Schema of the IR instead of compiling anything.
    #[arg(long, conflicts_with_all = ["files"])]
    json_schema: bool,
    /// Schema files to compile.
    #[arg(value_name = "FILES", required_unless_present = "json_schema")]
    files: Vec<std::path::PathBuf>,
    /// Directory in which to look for imported files. May be repeated.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<std::path::PathBuf>,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

pub(crate) fn run(args: &IrArgs) -> ExitCode {
    if args.json_schema {
        let schema = Schema::json_schema();
        write_stdout(
            &(serde_json::to_string_pretty(&schema).expect("JSON Schema serialises") + "\n"),
        );
        return ExitCode::SUCCESS;
    }
    let loader = iotp2p_codegen::FsLoader {
        include_dirs: args.include.clone(),
    };
    let c = iotp2p_codegen::compile(&args.files, &loader);
    // Diagnostics go to stderr so that stdout stays pure JSON.
    report(&c, Format::Human, args.color);
    match &c.schema {
        Some(schema) => {
            write_stdout(
                &(serde_json::to_string_pretty(schema).expect("the IR serialises") + "\n"),
            );
            ExitCode::SUCCESS
        }
        None => ExitCode::from(1),
    }
}
