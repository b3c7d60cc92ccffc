//! The UDP binding of spec §10.5: one socket per node, one whole message per datagram, replies to
//! the source of what they answer.
//!
//! [`UdpNode`] starts a task (the driver) that owns the socket and the engine, or a device's server
//! around the engine ([`Driven`]); the application talks to it through the handle: requests and
//! replies go in as commands, events come out of a bounded queue.

mod admit;
mod driven;
mod driver;
mod emit;
mod handle;
mod stats;
mod uri;

pub use admit::{admit, Refusal};
pub use driven::Driven;
pub use emit::{may_send, Withheld};
pub use handle::{NodeError, StartError, UdpConfig, UdpNode};
pub use stats::{Counts, Stats};
pub use uri::{Host, TransportUri, UriError};

/// The default port for development until IANA assigns one ([IOTP-UDP-1]); every node lets it be
/// configured ([`UdpConfig::bind`]).
pub const DEFAULT_PORT: u16 = 5783;

/// The largest UDP payload a node sends or accepts: MAX_MESSAGE, 1232 bytes, so that a datagram
/// never exceeds the IPv6 minimum MTU of 1280 bytes with its headers ([IOTP-UDP-4]).
pub const MAX_PAYLOAD: usize = iotp2p_protocol::params::MAX_MESSAGE;
