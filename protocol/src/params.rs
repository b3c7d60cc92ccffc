//! The protocol parameters of spec §5.14 (message layer) and the fixed bounds of chapter 8.
//!
//! Times are in milliseconds: the engine's clock is a count of milliseconds that the caller injects
//! (see [`Instant`]). Parameters that a transport binding or a deployment may change are fields of
//! [`Timing`]; those the spec fixes are constants.

/// A point in time, in milliseconds since an origin the caller chooses (boot, for a device). The engine
/// only ever compares and subtracts instants, so the origin does not matter, but it must not go back.
pub type Instant = u64;

/// Largest encoded envelope, in bytes (fixed, [IOTP-MSG-134]).
pub const MAX_MESSAGE: usize = 1232;

/// Smallest reassembly capacity of any receiver on a fragmenting link, in bytes (fixed, [IOTP-MSG-133]).
pub const MIN_REASSEMBLY: usize = 704;

/// The least number of entries of a recipient's duplicate cache (fixed, [IOTP-MSG-134]).
pub const DEDUP_CACHE_MIN: usize = 8;

/// The width of the replay window of a security context, in `message_id` values ([IOTP-SEC-83]: at
/// least 32). This engine keeps exactly 32, so that the conformance scenarios test the spec's bound.
pub const REPLAY_WINDOW: u64 = 32;

/// Largest Sender ID (connection identifier) in bytes ([IOTP-SEC-55]): the nonce has room for 7.
pub const MAX_SENDER_ID: usize = 7;

/// Largest `message_id` a node may seal with ([IOTP-SEC-70]): 2^40 − 1.
pub const MAX_SEALED_MESSAGE_ID: u64 = (1 << 40) - 1;

/// NSTART_RELAY: the most confirmable envelopes outstanding towards another relay (32,
/// [IOTP-UDP-21]), the bound of the relay pair's congestion window.
pub const NSTART_RELAY: usize = 32;

/// INITIAL_WINDOW_RELAY: the congestion window of a relay pair when it starts, and again after an
/// idle period longer than its retransmission timeout (4, [IOTP-UDP-22]).
pub const INITIAL_WINDOW_RELAY: usize = 4;

/// MIN_RTO_RELAY: the least retransmission timeout towards another relay computed from measured
/// round trips, in ms (1 s, [IOTP-UDP-23]).
pub const MIN_RTO_RELAY: u64 = 1_000;

/// The parameters of §5.14 that a transport binding may give other defaults and a deployment may
/// configure ([IOTP-MSG-134]). `Default` is the spec's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// ACK_TIMEOUT: the initial retransmission timeout (2 s).
    pub ack_timeout: u64,
    /// ACK_RANDOM_FACTOR, as a fraction in thousandths (1.5 → 1500), so that no float is needed.
    pub ack_random_factor_milli: u64,
    /// MAX_RETRANSMIT: retransmissions before a hop transmission fails (4).
    pub max_retransmit: u32,
    /// NSTART: outstanding confirmable envelopes per hop peer (1).
    pub nstart: usize,
    /// EXCHANGE_LIFETIME: how long a reply is kept for resending to duplicates (247 s).
    pub exchange_lifetime: u64,
    /// DEDUP_CACHE_LIFETIME: how long an unsealed envelope stays in the duplicate cache (247 s).
    pub dedup_cache_lifetime: u64,
    /// REASSEMBLY_TIMEOUT: longest time to complete a reassembly (60 s).
    pub reassembly_timeout: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            ack_timeout: 2_000,
            ack_random_factor_milli: 1_500,
            max_retransmit: 4,
            nstart: 1,
            exchange_lifetime: 247_000,
            dedup_cache_lifetime: 247_000,
            reassembly_timeout: 60_000,
        }
    }
}

impl Timing {
    /// MAX_TRANSMIT_SPAN: ACK_TIMEOUT × (2^MAX_RETRANSMIT − 1) × ACK_RANDOM_FACTOR (45 s by default).
    pub fn max_transmit_span(&self) -> u64 {
        let doublings = (1u64 << self.max_retransmit.min(32)) - 1;
        self.ack_timeout
            .saturating_mul(doublings)
            .saturating_mul(self.ack_random_factor_milli)
            / 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_transmit_span_is_the_spec_figure() {
        assert_eq!(Timing::default().max_transmit_span(), 45_000);
    }
}
