//! Which received datagrams reach the engine at all: the binding's own discard rules (spec §10.5),
//! checked before a byte of the payload is decoded.

use super::MAX_PAYLOAD;

/// Why a datagram was dropped at the socket, silently as the spec asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No payload at all.
    #[error("empty datagram")]
    Empty,
    /// Longer than MAX_MESSAGE: no node sends one ([IOTP-UDP-4]), and reading it would have cut it.
    #[error("datagram larger than {MAX_PAYLOAD} bytes")]
    Oversized,
    /// Not a whole message: a fragment of §5.12, or anything else whose first byte is not a CBOR
    /// map's (`0xa0`–`0xbf`) ([IOTP-UDP-3]).
    #[error("first byte {0:#04x} is not that of a whole message (0xa0-0xbf)")]
    NotAMessage(u8),
}

/// Whether a received payload goes to the engine. `truncated` says that the datagram did not fit the
/// receive buffer, which holds one byte more than MAX_PAYLOAD for exactly this test.
pub fn admit(payload: &[u8], truncated: bool) -> Result<(), Refusal> {
    if truncated || payload.len() > MAX_PAYLOAD {
        return Err(Refusal::Oversized);
    }
    match payload.first() {
        None => Err(Refusal::Empty),
        Some(&b) if (0xa0..=0xbf).contains(&b) => Ok(()),
        Some(&b) => Err(Refusal::NotAMessage(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_messages_within_max_message_pass() {
        assert_eq!(admit(&[0xa0], false), Ok(()));
        assert_eq!(admit(&[0xbf, 0xff], false), Ok(()));
        assert_eq!(admit(&[], false), Err(Refusal::Empty));
        assert_eq!(admit(&[0x9f], false), Err(Refusal::NotAMessage(0x9f)));
        assert_eq!(admit(&[0xc0], false), Err(Refusal::NotAMessage(0xc0)));
        // A DTLS record's first byte (§10.5.3) is for relays; an end node drops it.
        assert_eq!(admit(&[0x17], false), Err(Refusal::NotAMessage(0x17)));
        assert_eq!(admit(&[0xa1; MAX_PAYLOAD], false), Ok(()));
        assert_eq!(
            admit(&[0xa1; MAX_PAYLOAD + 1], false),
            Err(Refusal::Oversized)
        );
        assert_eq!(admit(&[0xa1; 10], true), Err(Refusal::Oversized));
    }
}
