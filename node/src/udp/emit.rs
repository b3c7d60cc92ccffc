//! What a node may send at all: the binding's own limits on outgoing datagrams (spec §10.5), checked
//! for every datagram the engine asks to send. The engine keeps within them; the binding answers for
//! what leaves its socket, so it checks again.
//!
//! The UDP checksum of [IOTP-UDP-5] needs nothing here: the system computes it for every datagram
//! unless a socket option turns it off, which this binding never sets.

use std::net::SocketAddr;

use super::MAX_PAYLOAD;

/// Why a datagram was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Withheld {
    /// Longer than MAX_MESSAGE ([IOTP-UDP-4]).
    #[error("a payload of {0} bytes exceeds {MAX_PAYLOAD}")]
    Oversized(usize),
    /// To an IP multicast address ([IOTP-UDP-7]).
    #[error("{0} is a multicast address")]
    Multicast(SocketAddr),
}

/// Whether a payload of `len` bytes may go to `to`.
pub fn may_send(to: SocketAddr, len: usize) -> Result<(), Withheld> {
    if len > MAX_PAYLOAD {
        return Err(Withheld::Oversized(len));
    }
    if to.ip().is_multicast() {
        return Err(Withheld::Multicast(to));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_multicast_and_nothing_beyond_max_message() {
        let unicast: SocketAddr = "127.0.0.1:5783".parse().unwrap();
        assert_eq!(may_send(unicast, MAX_PAYLOAD), Ok(()));
        assert_eq!(
            may_send(unicast, MAX_PAYLOAD + 1),
            Err(Withheld::Oversized(1233))
        );
        for group in ["224.0.1.187:5783", "[ff02::fd]:5783"] {
            let to: SocketAddr = group.parse().unwrap();
            assert_eq!(may_send(to, 10), Err(Withheld::Multicast(to)));
        }
    }
}
