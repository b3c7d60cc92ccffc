//! The `iotp2p` command-line tool: check, format and inspect iotp2p schemas.
//!
//! Exit codes: 0 success, 1 the input has errors (or `fmt --check` found unformatted files), 2 usage
//! errors (clap's own convention).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
