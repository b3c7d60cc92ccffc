//! `iotp2p-node dns --zone ORIGIN=FILE ...`.

use std::net::SocketAddr;
use std::time::Duration;

use iotp2p_node::dns::{DnsServer, Zone};

/// Arguments of `dns`.
#[derive(clap::Args)]
pub struct Args {
    /// A zone to serve, as its origin and zone file (repeatable).
    #[arg(long = "zone", value_name = "ORIGIN=FILE", required = true, value_parser = parse_zone)]
    zones: Vec<Zone>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "IP:PORT")]
    listen: SocketAddr,
    /// Stop after this many seconds (default: at Ctrl-C).
    #[arg(long = "for", value_name = "SECONDS")]
    duration: Option<u64>,
}

fn parse_zone(text: &str) -> Result<Zone, String> {
    let (origin, file) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not ORIGIN=FILE"))?;
    Ok(Zone::new(origin, file))
}

pub async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let server = DnsServer::start(args.listen, &args.zones).await?;
    // The one line a script reads to know where to send its queries.
    println!("dns listening on {}", server.addr());
    super::run::until_stopped(args.duration).await;
    server.stop(Duration::from_secs(5)).await;
    Ok(())
}
