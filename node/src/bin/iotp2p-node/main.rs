//! `iotp2p-node`: the reference network elements from the command line. Thin: parse arguments, call
//! the library, print, choose the exit code (0 done, 1 failed, 2 usage, as clap does).

mod app;
mod device;
mod dns;
mod link;
mod relay;
mod resolve;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The iotp2p reference network elements.
#[derive(Parser)]
#[command(name = "iotp2p-node", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find a domain's home relay: its SRV targets in the order to try them, their addresses, and
    /// the relay's node IDs from the TXT record (spec §3.2).
    Resolve(resolve::Args),
    /// Serve zone files as an authoritative DNS server (for demos and tests; loopback by default).
    Dns(dns::Args),
    /// Run a lossy link between two UDP nodes (loss, duplication, reordering, delay, MTU).
    Link(link::Args),
    /// Run a home relay (spec chapter 3) from its configuration file, its held messages in a SQLite
    /// store that survives a crash.
    Relay(relay::Args),
    /// Run a device (a lamp, a sleeping sensor or a lock) from its configuration file: it attaches
    /// to its home relay and serves the apps its file names.
    Device(device::Args),
    /// A controller app: claim a device out of its box, enrol and register it at the home relay,
    /// then invoke, read or describe devices by address through the relays.
    App(app::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Resolve(args) => resolve::run(args).await,
            Command::Dns(args) => dns::run(args).await,
            Command::Link(args) => link::run(args).await,
            Command::Relay(args) => relay::run(args).await,
            Command::Device(args) => device::run(args).await,
            Command::App(args) => app::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
