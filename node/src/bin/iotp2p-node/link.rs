//! `iotp2p-node link --a ADDR --b ADDR [impairments]`.

use std::net::SocketAddr;
use std::time::Duration;

use iotp2p_node::link::{Impairments, LinkConfig, LossyLink, Oversize};

/// Arguments of `link`: the same impairments both ways.
#[derive(clap::Args)]
pub struct Args {
    /// Node A's address.
    #[arg(long, value_name = "IP:PORT")]
    a: SocketAddr,
    /// Node B's address.
    #[arg(long, value_name = "IP:PORT")]
    b: SocketAddr,
    /// The seed of the link's decisions (the same seed, the same decisions).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Probability of losing a datagram (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    loss: f64,
    /// Probability of delivering one twice.
    #[arg(long, default_value_t = 0.0)]
    duplicate: f64,
    /// Probability of holding a copy back so that later ones overtake it.
    #[arg(long, default_value_t = 0.0)]
    reorder: f64,
    /// How long a reordered copy is held, in ms.
    #[arg(long, default_value_t = 50, value_name = "MS")]
    reorder_delay: u64,
    /// Least delay of every copy, in ms.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    min_delay: u64,
    /// Greatest delay of every copy, in ms.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    max_delay: u64,
    /// The largest datagram carried; longer ones are dropped (or cut, with --truncate).
    #[arg(long, value_name = "BYTES")]
    mtu: Option<usize>,
    /// Cut datagrams longer than the MTU instead of dropping them.
    #[arg(long)]
    truncate: bool,
    /// Stop after this many seconds (default: at Ctrl-C).
    #[arg(long = "for", value_name = "SECONDS")]
    duration: Option<u64>,
}

pub async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let impairments = Impairments {
        loss: args.loss,
        duplicate: args.duplicate,
        reorder: args.reorder,
        reorder_delay: args.reorder_delay,
        delay: args.min_delay..=args.max_delay,
        mtu: args.mtu,
        oversize: if args.truncate {
            Oversize::Truncate
        } else {
            Oversize::Drop
        },
    };
    let link = LossyLink::start(
        LinkConfig::symmetric(args.seed, impairments),
        args.a,
        args.b,
    )
    .await?;
    println!(
        "link: A sends to {} to reach B; B sends to {} to reach A",
        link.a_side(),
        link.b_side()
    );
    super::run::until_stopped(args.duration).await;
    let counts = link.stop(Duration::from_secs(5)).await;
    println!("{counts:?}");
    Ok(())
}
