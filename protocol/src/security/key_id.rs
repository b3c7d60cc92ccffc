//! Sender and Recipient IDs: the EDHOC connection identifiers in byte-string form ([RFC 9528] §3.3.2),
//! which name a security context on the wire (`key_id`).
//!
//! At most [`MAX_SENDER_ID`] (7) bytes ([IOTP-SEC-55]), since the nonce has room for no more; held
//! inline, so that a context never allocates.

use core::fmt;

use crate::params::MAX_SENDER_ID;

/// A Sender ID or Recipient ID of 0 to 7 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct KeyId {
    bytes: [u8; MAX_SENDER_ID],
    len: u8,
}

/// A byte string too long to be a Sender ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyIdTooLong {
    /// The length that was given.
    pub len: usize,
}

impl fmt::Display for KeyIdTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a key identifier of {} bytes (at most {MAX_SENDER_ID})",
            self.len
        )
    }
}

impl KeyId {
    /// The empty identifier (a valid connection identifier, [IOTP-SEC-55]).
    pub const EMPTY: KeyId = KeyId {
        bytes: [0; MAX_SENDER_ID],
        len: 0,
    };

    /// The one-byte identifier `byte` (the fixed Sender IDs of a pairing context, §8.3.4).
    pub const fn from_byte(byte: u8) -> KeyId {
        let mut bytes = [0; MAX_SENDER_ID];
        bytes[0] = byte;
        KeyId { bytes, len: 1 }
    }

    /// The identifier with these bytes, if there are at most 7.
    pub fn new(bytes: &[u8]) -> Result<KeyId, KeyIdTooLong> {
        if bytes.len() > MAX_SENDER_ID {
            return Err(KeyIdTooLong { len: bytes.len() });
        }
        let mut id = KeyId::EMPTY;
        id.bytes[..bytes.len()].copy_from_slice(bytes);
        id.len = bytes.len() as u8;
        Ok(id)
    }

    /// The identifier's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyId(h'")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str("')")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(KeyId::new(&[]).unwrap().as_bytes(), &[] as &[u8]);
        assert_eq!(KeyId::new(&[1; 7]).unwrap().as_bytes(), &[1; 7]);
        assert_eq!(KeyId::new(&[1; 8]), Err(KeyIdTooLong { len: 8 }));
        assert_eq!(
            std::format!("{:?}", KeyId::new(&[0xab, 1]).unwrap()),
            "KeyId(h'ab01')"
        );
    }
}
