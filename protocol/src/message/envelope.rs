//! The rules of the envelope (spec §5.2, §5.5) and the resolution of its sender and recipient (§5.5.1,
//! §5.5.2): step 3 of the receive pipeline (§5.9.1) and the addressing it relies on.

use core::fmt;

use iotp2p_codec::core::{Body, Envelope};

use crate::address::{self, AddressError};
use crate::params::MAX_MESSAGE;

/// The kind of hop an envelope arrived on, as far as contact numbers are concerned (§5.5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    /// This node is a home relay and the hop peer one of its devices: `recipient_contact` may appear.
    FromDevice,
    /// This node is a device and the hop peer its home relay: `sender_contact` may appear.
    FromHomeRelay,
    /// Any other hop: neither contact field may appear ([IOTP-MSG-34]).
    Other,
}

/// Which address field of the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressField {
    /// `recipient` (key 6).
    Recipient,
    /// `sender` (key 7).
    Sender,
}

/// A rule of §5.2 or §5.5 that an envelope breaks; the envelope is invalid ([IOTP-MSG-10]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Longer than MAX_MESSAGE or than this node announced it receives ([IOTP-MSG-2]).
    TooLarge {
        /// The envelope's length.
        len: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// Neither or both of `sealed` and `body` ([IOTP-MSG-3]).
    NotOneBody,
    /// Both `recipient` and `recipient_contact`, or both `sender` and `sender_contact` ([IOTP-MSG-4]).
    AddressTwice(AddressField),
    /// `key_id` without `sealed` ([IOTP-MSG-5]).
    KeyIdWithoutSealed,
    /// An address not in canonical form ([IOTP-MSG-6]).
    Address(AddressField, AddressError),
    /// An `ack` without `correlation_id` ([IOTP-MSG-7]).
    AckWithoutCorrelation,
    /// An `ack` with `ack_requested` ([IOTP-MSG-8]).
    AckRequested,
    /// A contact number on a hop where it may not appear ([IOTP-MSG-32] to [IOTP-MSG-34]).
    ContactOnWrongHop,
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeError::TooLarge { len, limit } => {
                write!(f, "an envelope of {len} bytes (at most {limit})")
            }
            EnvelopeError::NotOneBody => f.write_str("not exactly one of `sealed` and `body`"),
            EnvelopeError::AddressTwice(field) => {
                write!(f, "both {field:?} and its contact number")
            }
            EnvelopeError::KeyIdWithoutSealed => f.write_str("`key_id` without `sealed`"),
            EnvelopeError::Address(field, e) => write!(f, "{field:?}: {e}"),
            EnvelopeError::AckWithoutCorrelation => {
                f.write_str("an `ack` without `correlation_id`")
            }
            EnvelopeError::AckRequested => f.write_str("an `ack` that requests an acknowledgement"),
            EnvelopeError::ContactOnWrongHop => {
                f.write_str("a contact number on a hop where it may not appear")
            }
        }
    }
}

/// Checks the rules of §5.2 and §5.5 that an envelope of `len` encoded bytes must keep, received on
/// `hop` by a node that receives at most `max_message` bytes. For an envelope of a version this node
/// does not support, only the rules on the frozen keys apply (`frozen_only`, [IOTP-MSG-97]).
pub fn check(
    envelope: &Envelope<'_>,
    len: usize,
    max_message: usize,
    hop: Hop,
    frozen_only: bool,
) -> Result<(), EnvelopeError> {
    let limit = max_message.min(MAX_MESSAGE);
    if len > limit {
        return Err(EnvelopeError::TooLarge { len, limit });
    }
    if envelope.recipient.is_some() && envelope.recipient_contact.is_some() {
        return Err(EnvelopeError::AddressTwice(AddressField::Recipient));
    }
    if envelope.sender.is_some() && envelope.sender_contact.is_some() {
        return Err(EnvelopeError::AddressTwice(AddressField::Sender));
    }
    for (field, value) in [
        (AddressField::Recipient, envelope.recipient),
        (AddressField::Sender, envelope.sender),
    ] {
        if let Some(a) = value {
            address::check(a).map_err(|e| EnvelopeError::Address(field, e))?;
        }
    }
    let contact_allowed = match hop {
        Hop::FromDevice => envelope.sender_contact.is_none(),
        Hop::FromHomeRelay => envelope.recipient_contact.is_none(),
        Hop::Other => envelope.recipient_contact.is_none() && envelope.sender_contact.is_none(),
    };
    if !contact_allowed {
        return Err(EnvelopeError::ContactOnWrongHop);
    }
    if frozen_only {
        return Ok(());
    }
    if envelope.sealed.is_some() == envelope.body.is_some() {
        return Err(EnvelopeError::NotOneBody);
    }
    if envelope.key_id.is_some() && envelope.sealed.is_none() {
        return Err(EnvelopeError::KeyIdWithoutSealed);
    }
    if matches!(envelope.body, Some(Body::Ack)) {
        if envelope.correlation_id.is_none() {
            return Err(EnvelopeError::AckWithoutCorrelation);
        }
        if envelope.ack_requested {
            return Err(EnvelopeError::AckRequested);
        }
    }
    Ok(())
}

/// Who an envelope is for (§5.5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient<'a> {
    /// The address in `recipient`.
    Address(&'a str),
    /// A contact number that the receiving home relay assigned for the hop peer.
    Contact(u16),
    /// The receiving node itself.
    This,
}

/// Who an envelope is from (§5.5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender<'a> {
    /// The address in `sender`.
    Address(&'a str),
    /// The correspondent the hop peer (this device's home relay) assigned this contact number.
    Contact(u16),
    /// The hop peer: its address if this node knows it, or else an anonymous sender.
    HopPeer,
}

/// The recipient of an envelope, in the order of [IOTP-MSG-20].
pub fn recipient<'a>(envelope: &Envelope<'a>) -> Recipient<'a> {
    match (envelope.recipient, envelope.recipient_contact) {
        (Some(a), _) => Recipient::Address(a),
        (None, Some(c)) => Recipient::Contact(c),
        (None, None) => Recipient::This,
    }
}

/// The sender of an envelope, in the order of [IOTP-MSG-21].
pub fn sender<'a>(envelope: &Envelope<'a>) -> Sender<'a> {
    match (envelope.sender, envelope.sender_contact) {
        (Some(a), _) => Sender::Address(a),
        (None, Some(c)) => Sender::Contact(c),
        (None, None) => Sender::HopPeer,
    }
}
