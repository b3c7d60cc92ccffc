//! The AEAD nonce of a sealed envelope (spec §8.5.4, as [RFC 8613] §5.2): the Common IV XORed with
//! (length of ID_PIV ‖ ID_PIV left-padded to 7 bytes ‖ `message_id` as 5 bytes big-endian).

use super::key_id::KeyId;
use crate::params::MAX_SEALED_MESSAGE_ID;

/// Length of the nonce and of the Common IV (AES-CCM-16-64-128).
pub const NONCE_LEN: usize = 13;

/// The nonce for an envelope sealed by the holder of `sender_id` with this `message_id`, or `None`
/// when `message_id` does not fit the 5-byte Partial IV ([IOTP-SEC-70]).
pub fn nonce(
    common_iv: &[u8; NONCE_LEN],
    sender_id: &KeyId,
    message_id: u64,
) -> Option<[u8; NONCE_LEN]> {
    if message_id > MAX_SEALED_MESSAGE_ID {
        return None;
    }
    let id = sender_id.as_bytes();
    let mut block = [0u8; NONCE_LEN];
    // KeyId holds at most 7 bytes, so the length fits one byte and the padding never underflows.
    block[0] = id.len() as u8;
    block[1 + 7 - id.len()..8].copy_from_slice(id);
    block[8..].copy_from_slice(&message_id.to_be_bytes()[3..]);
    let mut out = *common_iv;
    for (o, b) in out.iter_mut().zip(block) {
        *o ^= b;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let iv = [0u8; NONCE_LEN];
        let n = nonce(&iv, &KeyId::new(&[0xaa, 0xbb]).unwrap(), 0x01_0203_0405).unwrap();
        assert_eq!(n, [2, 0, 0, 0, 0, 0, 0xaa, 0xbb, 1, 2, 3, 4, 5]);
        assert_eq!(nonce(&iv, &KeyId::EMPTY, MAX_SEALED_MESSAGE_ID + 1), None);
        let top = nonce(&iv, &KeyId::EMPTY, MAX_SEALED_MESSAGE_ID).unwrap();
        assert_eq!(top, [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff]);
    }
}
