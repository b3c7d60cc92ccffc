//! `iotp2p-node relay --config FILE`.

use std::path::PathBuf;
use std::time::Duration;

use iotp2p_node::relay::{RelayFile, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;

/// Arguments of `relay`.
#[derive(clap::Args)]
pub struct Args {
    /// The relay's configuration file (TOML: domain, bind, store, addresses, routes, identity,
    /// credentials, limits).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Stop after this many seconds (default: at Ctrl-C).
    #[arg(long = "for", value_name = "SECONDS")]
    duration: Option<u64>,
}

pub async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let file = RelayFile::read(&args.config)?;
    let store = SqliteStore::open(&file.store)?;
    let domain = file.setup.relay.domain.clone();
    let served = file.setup.addresses.len();
    let relay = UdpRelay::start(file.setup, Box::new(store)).await?;
    // The one line a script reads to know where the relay is.
    println!(
        "relay of {domain} listening on {} ({served} addresses, store {})",
        relay.local_addr(),
        file.store.display()
    );
    super::run::until_stopped(args.duration).await;
    relay.stop(Duration::from_secs(5)).await?;
    Ok(())
}
