//! `iotp2p-node resolve DOMAIN --name-server ADDR [--trust-anchor FILE]`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use iotp2p_node::resolve::{Resolver, TrustAnchor};

/// Arguments of `resolve`.
#[derive(clap::Args)]
pub struct Args {
    /// The domain, as in an address after `@` (lowercase, A-labels).
    domain: String,
    /// The name server to ask (IP:port).
    #[arg(long, value_name = "IP:PORT")]
    name_server: SocketAddr,
    /// Validate every answer with DNSSEC under the DNSKEY records of FILE (zone-file syntax), and
    /// refuse what is not proven secure.
    #[arg(long, value_name = "FILE")]
    trust_anchor: Option<PathBuf>,
    /// How long to wait for each answer, in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    timeout: u64,
}

pub async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let timeout = Duration::from_millis(args.timeout);
    let resolver = match &args.trust_anchor {
        None => Resolver::new(args.name_server, timeout),
        Some(file) => {
            let anchor = TrustAnchor::read(file).map_err(|why| format!("--trust-anchor {why}"))?;
            Resolver::validating(args.name_server, timeout, &anchor)
        }
    };
    let relays = resolver.relay_hosts(&args.domain).await?;
    for relay in &relays {
        let t = &relay.target;
        let addresses: Vec<String> = relay.addresses.iter().map(|a| a.to_string()).collect();
        println!(
            "relay {} (priority {}, weight {}, port {}): {}",
            t.host,
            t.priority,
            t.weight,
            t.port,
            addresses.join(" ")
        );
    }
    match resolver.relay_ids(&args.domain).await? {
        Some(ids) if !ids.rids.is_empty() => {
            for rid in ids.rids {
                println!("relay node ID {rid}");
            }
        }
        _ => println!("no relay node IDs published (no iotp2p TXT record with rid)"),
    }
    Ok(())
}
