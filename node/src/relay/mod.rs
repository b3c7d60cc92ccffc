//! A home relay over the UDP binding (spec chapter 3, §10.5): the relay's engine
//! (`iotp2p_protocol::relay`) driven on one socket, what it holds kept in a [`RelayStore`] so that a
//! relay killed at any moment and started again loses no envelope it acknowledged.
//!
//! [`UdpRelay`] starts a task (the driver) that owns the socket, the engine and the store. The
//! engine's outputs are carried out in order: a store change is committed before the datagrams that
//! follow it are sent, so an acknowledgement never leaves before what it acknowledges is on disk. A
//! store that fails withholds the rest of that batch (the acknowledgement among it), and the engine
//! forgets the envelope, so that the sender's retransmission is taken afresh. Other domains are
//! reached through configured routes (domain → relay address). A node's move to another provider
//! ([`UdpRelay::release_moved`], [`UdpRelay::register_moved`]) is checked here and forwarded by the
//! engine during its grace period. The relay's own service answers the Relay capability
//! (`iotp2p_protocol::server::relay`): what its controllers change (administrators, registrations,
//! quarantines) goes to the store like a held message, before the reply, and is put back at start
//! (`registry.rs`). Other domains' relays are configured routes or found by DNS at start (§3.2),
//! and every hop to them is DTLS 1.3 with mutual certificate authentication (`dtls/`, §3.9.1): the
//! engine sees each authenticated frame from the other relay's address, and is told the host name
//! its certificate proved. When its domain moved to another provider, a release without statement
//! sends each held request to the relay the domain's SRV records name now (`redirect.rs`,
//! §3.11.4), by DTLS with that SRV target as reference identity; the store moves those
//! requests to its outbox in the release's transaction, and a relay started again carries what is
//! left there. What goes to another relay, by route or by those records, the engine sends
//! confirmable and retransmits until that relay acknowledges it ([IOTP-DLV-128]); what it
//! acknowledged for another domain the store keeps until then, with the state of its retry queue
//! when no relay of the domain took it ([IOTP-DLV-52]), and a relay started again goes on with
//! each where it was: at once if it was under way, at its next attempt if it was waiting
//! ([IOTP-DLV-130], [IOTP-DLV-131]).
//!
//! [`RelayStore`]: crate::store::RelayStore

pub mod config;
mod driver;
pub mod dtls;
mod handle;
mod redirect;
mod registry;
mod rehoming;

pub use config::{ConfigError, RelayFile};
pub use dtls::{DtlsCounts, DtlsSetup};
pub use handle::{AccountSetup, RelayError, RelaySetup, Route, UdpRelay};
