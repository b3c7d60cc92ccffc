//! The digest of an envelope (spec §5.9): SHA-256 of its encoding without the hop fields and with the
//! resolved addresses, so that a retransmission, a copy by another path, and a copy whose addresses a
//! relay wrote differently all have the same digest, and envelopes that differ end to end do not.

use iotp2p_codec::core::{Body, Envelope};
use iotp2p_codec::runtime::{EncodeError, Everything, Sends};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// The digest of `envelope` with `recipient` and `sender` the resolved addresses (`None` when the
/// recipient has no address this node knows, or the sender is anonymous).
pub fn digest(
    envelope: &Envelope<'_>,
    recipient: Option<&str>,
    sender: Option<&str>,
) -> Result<Digest, EncodeError> {
    digest_as::<Everything>(envelope, recipient, sender)
}

/// [`digest`], with the body encoded as a node in the role `R` sends it: a node whose role sends
/// only some bodies digests an envelope decoded as `rt::Opaque`, whose body it writes back as it
/// came.
pub fn digest_as<R: for<'a> Sends<Body<'a>>>(
    envelope: &Envelope<'_>,
    recipient: Option<&str>,
    sender: Option<&str>,
) -> Result<Digest, EncodeError> {
    let normalised = Envelope {
        ack_requested: false,
        ttl: None,
        more: false,
        recipient_contact: None,
        sender_contact: None,
        recipient,
        sender,
        ..*envelope
    };
    // Resolved addresses can make the envelope longer than it arrived (a contact number becomes an
    // address of up to 254 bytes), so the buffer is sized by the encoder, not by MAX_MESSAGE.
    let encoded = normalised.encode_to_vec_as::<R>()?;
    Ok(Sha256::digest(&encoded).into())
}
