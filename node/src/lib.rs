//! The reference network elements of iotp2p: the sans-I/O protocol engine (`iotp2p-protocol`) driven
//! over real I/O.
//!
//! - [`udp`]: the UDP binding of spec §10.5: one socket per node, the engine fed with datagrams, the
//!   time and the OS RNG, and what it outputs sent back (reply to source).
//! - [`link`]: a lossy-link simulator, a UDP proxy between two nodes that loses, duplicates, reorders,
//!   delays and truncates datagrams from a seeded RNG.
//! - [`resolve`]: the resolution of spec §3.2 (SRV and TXT records of a domain's home relay).
//! - [`device`]: a device (lamp, sensor or lock of `iotp2p-device`) over the UDP binding, attached to
//!   its home relay by EDHOC and a sealed presence.
//! - [`relay`]: a home relay over the UDP binding, its engine's holdings kept in the store, so that
//!   a relay killed and started again delivers what it acknowledged.
//! - [`store`]: the relay's state that must survive a crash (registrations, held messages), behind a
//!   trait, on SQLite.
//! - [`app`]: a controller app: claims devices over their link, then asks them by address.
//! - [`attach`]: a node attaching to its home relay (EDHOC, hop context, presence).
//! - [`config`]: what the configuration files share: bounded reading, errors with file:line:column.
//! - [`random`]: a node's randomness: the OS RNG, or a seeded stream for simulations that replay.
//! - [`dns`]: a real authoritative DNS server on loopback, serving zone files, for tests and demos.
//!
//! The engine is driven, never duplicated: no rule of the protocol lives here, only I/O, time,
//! randomness and the limits of the transport binding.

pub mod app;
pub mod attach;
pub mod clock;
pub mod config;
pub mod device;
pub mod discovery;
pub mod dns;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod link;
pub mod random;
pub mod relay;
pub mod resolve;
pub mod store;
pub mod udp;
