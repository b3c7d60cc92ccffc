//! The relay's state that must survive a crash: the registrations of its addresses, the messages it
//! holds for sleeping devices (spec §3.6.1, §3.7), and the outbox of the requests held for an address
//! released without statement until the domain's new relay has them (§3.11.4, [IOTP-DLV-129]), and
//! the envelopes acknowledged for other domains until their relays have them ([IOTP-DLV-130]), with
//! the state of their retry queue ([IOTP-DLV-52], [IOTP-DLV-131]). The
//! relay talks to a [`RelayStore`]; [`sqlite`] is the embedded implementation, and a provider that
//! runs many relays can put the same trait on a server database.
//!
//! What the trait promises: each call is one transaction, whole or not at all, and once it returns
//! `Ok` its effect survives a crash of the process or the machine. So a message the relay acknowledged
//! after [`RelayStore::hold`] returned is never lost ([IOTP-DLV-36]). Every value is bounded before it
//! is stored, and each recipient's queue by its [`HoldLimits`]; how many recipients there are is the
//! relay's to bound, which holds only for the addresses it serves. The outbox holds what the queues of
//! released addresses held, until the relay has carried or answered each.

pub mod sqlite;

use iotp2p_protocol::params::MAX_MESSAGE;

/// The least a home relay holds for each device: 16 messages and 4096 bytes ([IOTP-DLV-33]).
pub const MIN_HELD_MESSAGES: u32 = 16;
/// See [`MIN_HELD_MESSAGES`].
pub const MIN_HELD_BYTES: u64 = 4096;
/// The most entries one listing returns.
pub const MAX_PAGE: usize = 256;
/// The largest policy stored with a registration (an encoded `RegistrationPolicy`, which arrives in a
/// message and so is smaller than one).
pub const MAX_POLICY: usize = MAX_MESSAGE;
/// The longest account name stored.
pub const MAX_ACCOUNT: usize = 256;

/// An address registered at the relay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The address (canonical, spec §2.2).
    pub address: String,
    /// The account it belongs to.
    pub account: String,
    /// The node ID bound to it.
    pub node: [u8; 32],
    /// Its policy, encoded (opaque to the store).
    pub policy: Vec<u8>,
    /// The node's credential statement (empty: none held, a registration made by the provider).
    pub credential: Vec<u8>,
    /// The node left with a re-homing statement: the relay forwards until the grace period ends.
    pub departed: Option<Departed>,
    /// The node came from another address, whose messages the relay accepts until then.
    pub arrived: Option<Arrived>,
    /// The domain came from another provider's relays, whose messages for the address the relay
    /// accepts until then (spec §3.11.4).
    pub previous_relays: Option<PreviousRelays>,
}

/// A node's move away from a registered address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departed {
    /// The address it moved to.
    pub to: String,
    /// Its re-homing statement.
    pub statement: Vec<u8>,
    /// The statement's `sequence`.
    pub sequence: u32,
    /// The end of the grace period, in ms since the UNIX epoch.
    pub until: u64,
}

/// A node's arrival at a registered address from another one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrived {
    /// The address it left.
    pub previous: String,
    /// The end of the grace period, in ms since the UNIX epoch.
    pub until: u64,
}

/// The relays a registered address's domain came from (spec §3.11.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousRelays {
    /// Their host names (at most [`MAX_PREVIOUS_RELAYS`], each a DNS name without line breaks).
    pub hosts: Vec<String>,
    /// The end of the window, in ms since the UNIX epoch.
    pub until: u64,
}

/// The longest domain a forward is kept for (a DNS name, RFC 1035).
pub const MAX_DOMAIN: usize = 253;
/// The most forwards kept at once: beyond it the relay takes no more for other domains until the
/// next relays have some ([IOTP-DLV-130]).
pub const MAX_FORWARDING: usize = 4096;

/// An envelope acknowledged for another domain, on its way to that domain's relay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarding {
    /// Its identifier in the store.
    pub id: u64,
    /// The domain whose relay it goes to.
    pub domain: String,
    /// The envelope as forwarded.
    pub envelope: Vec<u8>,
    /// When the relay took it, in ms since the UNIX epoch: its hold time counts from then.
    pub received_at: u64,
    /// Its failed attempts ([IOTP-DLV-52]); 0: never tried, or under way.
    pub failed: u32,
    /// When its next attempt is due, in ms since the UNIX epoch (0 with `failed` 0).
    pub next_attempt_at: u64,
}

/// The most previous relays stored with a registration (`RegisterRequest`'s bound).
pub const MAX_PREVIOUS_RELAYS: usize = iotp2p_protocol::relay::MAX_PREVIOUS_RELAYS;

/// An administrator of an account (spec §3.6.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAdmin {
    /// Its account.
    pub account: String,
    /// Its node ID.
    pub node: [u8; 32],
    /// Its credential statement.
    pub credential: Vec<u8>,
}

/// An address in quarantine after a release ([IOTP-ADDR-37]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantined {
    /// The address.
    pub address: String,
    /// The account that released it.
    pub account: String,
    /// The end of the quarantine, in ms since the UNIX epoch.
    pub until: u64,
}

/// A message to hold.
#[derive(Clone, Copy, Debug)]
pub struct NewMessage<'a> {
    /// The address it is for.
    pub recipient: &'a str,
    /// Whether it is a request (never dropped to make room, [IOTP-DLV-36]) or a reply (may be,
    /// oldest first, [IOTP-DLV-37]).
    pub request: bool,
    /// The envelope as received (at most MAX_MESSAGE bytes).
    pub envelope: &'a [u8],
    /// When it was received, in ms since the UNIX epoch (a wall clock: the store outlives processes).
    pub received_at: u64,
    /// When its `ttl` or the relay's `max_hold_time` ends, in the same unit.
    pub expires_at: u64,
    /// Its sender's address as the relay resolved it (`None`: the relay's own service): the relay's
    /// own nodes send without `sender`, and a non-delivery status about the message goes to it.
    pub sender: Option<&'a str>,
}

/// A held message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldMessage {
    /// Its identifier in the store, increasing in the order of reception ([IOTP-DLV-106]).
    pub id: u64,
    /// The address it is for.
    pub recipient: String,
    /// Whether it is a request.
    pub request: bool,
    /// The envelope.
    pub envelope: Vec<u8>,
    /// When it was received.
    pub received_at: u64,
    /// When it expires.
    pub expires_at: u64,
    /// Its sender's address as the relay resolved it.
    pub sender: Option<String>,
}

/// A device's holding limits ([IOTP-DLV-33], [IOTP-DLV-34]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldLimits {
    /// The most messages held.
    pub max_messages: u32,
    /// The most bytes of envelopes held.
    pub max_bytes: u64,
}

impl HoldLimits {
    /// Limits of at least the spec's minimum.
    pub fn new(max_messages: u32, max_bytes: u64) -> Result<Self, StoreError> {
        if max_messages < MIN_HELD_MESSAGES || max_bytes < MIN_HELD_BYTES {
            return Err(StoreError::Invalid {
                what: "holding limits",
                why: format!(
                    "{max_messages} messages and {max_bytes} bytes are below the least a home relay \
                     holds, {MIN_HELD_MESSAGES} messages and {MIN_HELD_BYTES} bytes ([IOTP-DLV-33])"
                ),
            });
        }
        Ok(HoldLimits {
            max_messages,
            max_bytes,
        })
    }
}

/// A message was held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// Its identifier.
    pub id: u64,
    /// Held replies dropped to make room, oldest first ([IOTP-DLV-37]).
    pub dropped_replies: Vec<u64>,
}

/// Why the store did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The recipient's limits are reached: the relay answers `QueueFull` ([IOTP-DLV-35]).
    #[error(
        "{recipient} already has {messages} messages ({bytes} bytes) held: its limits are reached"
    )]
    Full {
        /// The recipient.
        recipient: String,
        /// Messages held.
        messages: u64,
        /// Bytes held.
        bytes: u64,
    },
    /// A value outside its bounds.
    #[error("invalid {what}: {why}")]
    Invalid {
        /// Which value.
        what: &'static str,
        /// Why.
        why: String,
    },
    /// A store written by another version of this schema.
    #[error("the store {path} has schema version {found}, this relay reads version {expected}")]
    Version {
        /// The store.
        path: String,
        /// Its version.
        found: i64,
        /// This code's.
        expected: i64,
    },
    /// The database failed.
    #[error("{operation}: {source}")]
    Database {
        /// What the store was doing.
        operation: &'static str,
        /// The database's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The state of a relay that must survive a crash. Each call is one transaction, or one part of a
/// batch's.
pub trait RelayStore {
    /// Starts a batch: the changes until [`RelayStore::end_batch`] are stored together, on one sync
    /// of the disk (group commit), so that a relay that takes many messages at once does not wait
    /// for the disk once per message. A change that fails in a batch is undone alone, and the
    /// changes before it stay in the batch. Nothing of a batch is stored before `end_batch`
    /// returns `Ok`. A store without batches keeps each change as it comes.
    fn begin_batch(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Commits the batch: `Ok` once every change of it is stored; on an error none of them is.
    fn end_batch(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Registers `registration.address`, replacing an earlier registration of it; returns that one.
    fn register(&mut self, registration: &Registration)
        -> Result<Option<Registration>, StoreError>;
    /// The registration of `address`.
    fn registration(&mut self, address: &str) -> Result<Option<Registration>, StoreError>;
    /// Removes the registration of `address`; whether there was one.
    fn release(&mut self, address: &str) -> Result<bool, StoreError>;
    /// The account's registrations whose address sorts after `after`, in order, at most `limit`
    /// (and at most [`MAX_PAGE`]).
    fn registrations(
        &mut self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Registration>, StoreError>;
    /// Every registration whose address sorts after `after`, in order, at most `limit` (and at most
    /// [`MAX_PAGE`]): what a relay puts back at start.
    fn every_registration(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Registration>, StoreError>;
    /// Records `node` as an administrator of `account` and `token` as used, together.
    fn enrol(
        &mut self,
        account: &str,
        node: [u8; 32],
        credential: &[u8],
        token: &[u8],
    ) -> Result<(), StoreError>;
    /// Removes the administrator `node`; whether it was one.
    fn unenrol(&mut self, node: [u8; 32]) -> Result<bool, StoreError>;
    /// The administrators whose node ID sorts after `after`, in order, at most `limit` (and at most
    /// [`MAX_PAGE`]).
    fn admins(
        &mut self,
        after: Option<[u8; 32]>,
        limit: usize,
    ) -> Result<Vec<StoredAdmin>, StoreError>;
    /// Whether `token` was used to enrol.
    fn token_used(&mut self, token: &[u8]) -> Result<bool, StoreError>;
    /// Removes the registration of `quarantined.address`, quarantines the address, and moves the
    /// requests held for it to the outbox (dropping the replies), together: a release of the
    /// address ([IOTP-DLV-99]), after which each request goes to the domain's new relay or is
    /// answered `Undeliverable` ([IOTP-DLV-113]), even if the relay dies first.
    fn quarantine(&mut self, quarantined: &Quarantined) -> Result<(), StoreError>;
    /// The addresses quarantined at `now` that sort after `after`, in order, at most `limit` (and
    /// at most [`MAX_PAGE`]); the quarantines over are forgotten.
    fn quarantined(
        &mut self,
        now: u64,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Quarantined>, StoreError>;
    /// Holds a message within the recipient's limits: a reply may drop older held replies to make
    /// room, a request never drops anything; [`StoreError::Full`] when it does not fit.
    fn hold(&mut self, message: &NewMessage<'_>, limits: HoldLimits) -> Result<Held, StoreError>;
    /// The messages held for `recipient`, oldest first, at most `limit` (and at most [`MAX_PAGE`]).
    fn held(&mut self, recipient: &str, limit: usize) -> Result<Vec<HeldMessage>, StoreError>;
    /// Removes held messages of `recipient` (named by a receipt, or answered with a non-delivery
    /// status); how many there were.
    fn remove(&mut self, recipient: &str, ids: &[u64]) -> Result<usize, StoreError>;
    /// The requests in the outbox (moved there by [`RelayStore::quarantine`]) whose identifier is
    /// above `after`, in order, at most `limit` (and at most [`MAX_PAGE`]): what a relay sends
    /// again, or answers, after a restart. Their identifiers are those they were held with.
    fn outbox(&mut self, after: Option<u64>, limit: usize) -> Result<Vec<HeldMessage>, StoreError>;
    /// Removes request `id` from the outbox: the next relay acknowledged or answered it, or the
    /// relay answered it `Undeliverable`. Whether it was there.
    fn sent(&mut self, id: u64) -> Result<bool, StoreError>;
    /// Keeps an envelope acknowledged for `domain` at `received_at` (ms since the UNIX epoch) until
    /// [`RelayStore::forwarded`] (at most [`MAX_FORWARDING`] at once: [`StoreError::Full`] beyond);
    /// its identifier.
    fn forwarding(
        &mut self,
        domain: &str,
        envelope: &[u8],
        received_at: u64,
    ) -> Result<u64, StoreError>;
    /// Records that forward `id` failed `failed` attempts and goes again at `next_attempt_at` (ms
    /// since the UNIX epoch), so that a restart goes on with its back-off ([IOTP-DLV-52],
    /// [IOTP-DLV-131]). Whether it was kept.
    fn retry_forwarding(
        &mut self,
        id: u64,
        failed: u32,
        next_attempt_at: u64,
    ) -> Result<bool, StoreError>;
    /// The forwards kept whose identifier is above `after`, in order, at most `limit` (and at most
    /// [`MAX_PAGE`]): what a relay forwards again after a restart.
    fn forwardings(
        &mut self,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Forwarding>, StoreError>;
    /// Removes forward `id`: the next relay acknowledged or answered it, or its sender was told.
    /// Whether it was kept.
    fn forwarded(&mut self, id: u64) -> Result<bool, StoreError>;
    /// Held messages whose time ended at `now`, oldest expiry first, at most `limit` (and at most
    /// [`MAX_PAGE`]): the relay sends their `Expired` statuses, then removes them, so that a crash in
    /// between sends a status twice rather than never ([IOTP-DLV-40]).
    fn expired(&mut self, now: u64, limit: usize) -> Result<Vec<HeldMessage>, StoreError>;
}

/// Checks an address against spec §2.2 with the protocol crate's rules.
pub(crate) fn check_address(what: &'static str, address: &str) -> Result<(), StoreError> {
    iotp2p_protocol::address::check(address).map_err(|e| StoreError::Invalid {
        what,
        why: format!("{address:?}: {e:?}"),
    })
}
