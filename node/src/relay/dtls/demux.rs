//! What a datagram on the relay's one port is, by its first byte (spec §10.5.3, RFC 7983, RFC 9147
//! §4.1): a DTLS record from another relay, an iotp2p frame from a node, or neither. And whether a
//! DTLS datagram opens a handshake (a ClientHello), the only DTLS datagram that may create state
//! for an address the relay has no association with.

/// The kinds of datagram that share the relay's port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A DTLS record: its first byte is from 20 to 63 ([IOTP-UDP-19]).
    Dtls,
    /// An iotp2p frame: its first byte is from `0xa0` to `0xbf`.
    Frame,
    /// Anything else, empty included: dropped.
    Other,
}

/// The kind of `datagram`.
pub fn kind(datagram: &[u8]) -> Kind {
    match datagram.first() {
        Some(0x14..=0x3f) => Kind::Dtls,
        Some(0xa0..=0xbf) => Kind::Frame,
        _ => Kind::Other,
    }
}

/// The DTLS record header of an unprotected record (RFC 9147 §4): type, version (2), epoch (2),
/// sequence number (6), length (2).
const PLAINTEXT_HEADER: usize = 13;

/// The handshake message header (RFC 9147 §5.2): type, length (3), message_seq (2),
/// fragment_offset (3), fragment_length (3).
const HANDSHAKE_HEADER: usize = 12;

/// Whether `datagram` starts with an unprotected handshake record of epoch 0 carrying a
/// ClientHello: the only way a peer opens an association. Everything else from an address without
/// one is dropped before any DTLS state exists for it.
pub fn is_client_hello(datagram: &[u8]) -> bool {
    datagram.len() >= PLAINTEXT_HEADER + HANDSHAKE_HEADER
        // Content type 22, handshake; epoch 0; handshake type 1, ClientHello.
        && datagram[0] == 0x16
        && datagram[3..5] == [0, 0]
        && datagram[PLAINTEXT_HEADER] == 0x01
}

/// The `random` of the ClientHello that `datagram` starts with, when it is the whole first message
/// of a handshake (message_seq 0, not a fragment past the start): what tells a client that started
/// over (a new random) from a copy of the ClientHello an endpoint already answered (the same one).
/// A ClientHello that returns a cookie has message_seq 1 and gives `None`, as does anything that
/// is no ClientHello.
pub fn first_client_hello_random(datagram: &[u8]) -> Option<[u8; 32]> {
    if !is_client_hello(datagram) {
        return None;
    }
    let handshake = &datagram[PLAINTEXT_HEADER..];
    // message_seq (2 bytes at 4) and fragment_offset (3 bytes at 6).
    if handshake[4..9] != [0, 0, 0, 0, 0] {
        return None;
    }
    // legacy_version (2 bytes), then the random.
    let at = HANDSHAKE_HEADER + 2;
    handshake.get(at..at + 32)?.try_into().ok()
}

/// Whether `datagram` carries unprotected records (epoch 0: ClientHello, ServerHello,
/// HelloRetryRequest, or an alert before keys exist), which only a handshake in progress reads.
pub fn is_plaintext(datagram: &[u8]) -> bool {
    matches!(datagram.first(), Some(0x15 | 0x16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_byte_tells_dtls_from_frames() {
        for b in 0x14..=0x3f {
            assert_eq!(kind(&[b, 0]), Kind::Dtls, "{b:#x}");
        }
        for b in 0xa0..=0xbf {
            assert_eq!(kind(&[b]), Kind::Frame, "{b:#x}");
        }
        for b in (0..0x14).chain(0x40..0xa0).chain(0xc0..=0xff) {
            assert_eq!(kind(&[b]), Kind::Other, "{b:#x}");
        }
        assert_eq!(kind(&[]), Kind::Other);
    }

    #[test]
    fn only_an_epoch_0_client_hello_opens_a_handshake() {
        let mut hello = [0u8; 25];
        hello[0] = 0x16;
        hello[1..3].copy_from_slice(&[0xfe, 0xfd]);
        hello[13] = 0x01;
        assert!(is_client_hello(&hello));
        assert!(!is_client_hello(&hello[..24]), "too short for its headers");
        let mut server_hello = hello;
        server_hello[13] = 0x02;
        assert!(!is_client_hello(&server_hello));
        let mut later_epoch = hello;
        later_epoch[4] = 1;
        assert!(!is_client_hello(&later_epoch));
        let mut alert = hello;
        alert[0] = 0x15;
        assert!(!is_client_hello(&alert));
        assert!(is_plaintext(&hello) && is_plaintext(&alert));
        assert!(!is_plaintext(&[0x2f, 0]), "a unified header: protected");
    }

    #[test]
    fn the_random_of_a_first_client_hello() {
        let mut hello = [0u8; 59];
        hello[0] = 0x16;
        hello[1..3].copy_from_slice(&[0xfe, 0xfd]);
        hello[13] = 0x01;
        hello[25..27].copy_from_slice(&[0xfe, 0xfd]);
        for (i, b) in hello[27..59].iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        let random: [u8; 32] = core::array::from_fn(|i| i as u8 + 1);
        assert_eq!(first_client_hello_random(&hello), Some(random));
        assert_eq!(
            first_client_hello_random(&hello[..58]),
            None,
            "cut in its random"
        );
        let mut with_cookie = hello;
        with_cookie[18] = 1;
        assert_eq!(
            first_client_hello_random(&with_cookie),
            None,
            "message_seq 1"
        );
        let mut fragment = hello;
        fragment[21] = 1;
        assert_eq!(
            first_client_hello_random(&fragment),
            None,
            "a later fragment"
        );
        let mut server_hello = hello;
        server_hello[13] = 0x02;
        assert_eq!(first_client_hello_random(&server_hello), None);
    }
}
