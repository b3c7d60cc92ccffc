//! `iotp2p std`: writes the standard's schema packages built into the tool, for editors and for tools
//! that need them on disk (`DIR/iotp2p/core.iotp`, ...).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::write_stdout;

use iotp2p_codegen::standard;

/// Arguments of `iotp2p std`.
#[derive(Args, Debug)]
pub(crate) struct StdArgs {
    /// Directory to write into; the files go to DIR/iotp2p/. Without it, lists the built-in files.
    #[arg(long, short = 'o', value_name = "DIR")]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: &StdArgs) -> ExitCode {
    let Some(dir) = &args.output else {
        for (name, text) in standard::FILES {
            let version = text
                .lines()
                .find_map(|l| l.strip_prefix("package "))
                .unwrap_or("")
                .trim_end_matches(';');
            write_stdout(&format!("{}/{name}\t{version}\n", standard::IMPORT_DIR));
        }
        return ExitCode::SUCCESS;
    };
    let target = dir.join(standard::IMPORT_DIR);
    if let Err(e) = std::fs::create_dir_all(&target) {
        eprintln!("error: cannot create {}: {e}", target.display());
        return ExitCode::from(1);
    }
    for (name, text) in standard::FILES {
        let path = target.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        write_stdout(&format!("wrote {}\n", path.display()));
    }
    ExitCode::SUCCESS
}
