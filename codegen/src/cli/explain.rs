//! `iotp2p explain`: the long explanation of a diagnostic code.

use std::process::ExitCode;

use clap::Args;

use iotp2p_codegen::diagnostics::Code;

/// Arguments of `iotp2p explain`.
#[derive(Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The code, e.g. E0201. Without it, every code is listed with its summary.
    code: Option<String>,
}

pub(crate) fn run(args: &ExplainArgs) -> ExitCode {
    let Some(text) = &args.code else {
        let list: String = Code::ALL
            .iter()
            .map(|c| format!("{c}  {}\n", c.summary()))
            .collect();
        super::write_stdout(&list);
        return ExitCode::SUCCESS;
    };
    match text.parse::<Code>() {
        Ok(code) => {
            super::write_stdout(&format!(
                "{code}: {}\n\n{}\n",
                code.summary(),
                code.explanation()
            ));
            ExitCode::SUCCESS
        }
        Err(()) => {
            eprintln!("error: `{text}` is not a diagnostic code; `iotp2p explain` lists them all");
            ExitCode::from(2)
        }
    }
}
