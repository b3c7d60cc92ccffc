//! The rate limit a home relay puts on what each of its nodes sends for holding or forwarding (spec
//! §3.6.3, [IOTP-DLV-31], [IOTP-SEC-95]): a token bucket of `burst` tokens refilled at `per_second`,
//! never below RELAY_BURST_MIN and RELAY_RATE_MIN ([IOTP-DLV-123]). A refused request is answered
//! `Busy` with the seconds until a token comes ([IOTP-DLV-124]).
//!
//! Integer arithmetic only (thousandths of a token), so that a device build links no float code.

use crate::params::Instant;

/// RELAY_RATE_MIN of §3.6.3: the least sustained rate, in messages per second.
pub const RELAY_RATE_MIN: u32 = 4;

/// RELAY_BURST_MIN of §3.6.3: the least burst, in messages.
pub const RELAY_BURST_MIN: u32 = 32;

/// A rate: `burst` messages at once, `per_second` after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Messages per second, sustained.
    pub per_second: u32,
    /// Messages at once, after a quiet while.
    pub burst: u32,
}

impl Default for Rate {
    /// The floor of §3.6.3.
    fn default() -> Self {
        Rate {
            per_second: RELAY_RATE_MIN,
            burst: RELAY_BURST_MIN,
        }
    }
}

impl Rate {
    /// This rate, raised to the floor of §3.6.3 where it is below ([IOTP-DLV-123]).
    pub fn at_least_the_floor(self) -> Rate {
        Rate {
            per_second: self.per_second.max(RELAY_RATE_MIN),
            burst: self.burst.max(RELAY_BURST_MIN),
        }
    }
}

/// One node's bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Tokens, in thousandths.
    milli: u64,
    /// When they were counted.
    at: Instant,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn full(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            milli: u64::from(rate.burst) * 1_000,
            at: now,
        }
    }

    /// Takes a token at `now`, or says in how many whole seconds one will be there.
    pub fn take(&mut self, rate: Rate, now: Instant) -> Result<(), u32> {
        let elapsed = now.saturating_sub(self.at);
        // Tokens per ms in thousandths is `per_second`: one token (1 000) every 1 000 / per_second ms.
        let refill = elapsed.saturating_mul(u64::from(rate.per_second));
        self.milli = self
            .milli
            .saturating_add(refill)
            .min(u64::from(rate.burst) * 1_000);
        self.at = self.at.max(now);
        if self.milli >= 1_000 {
            self.milli -= 1_000;
            return Ok(());
        }
        let missing_ms = (1_000 - self.milli).div_ceil(u64::from(rate.per_second.max(1)));
        Err(u32::try_from(missing_ms.div_ceil(1_000))
            .unwrap_or(u32::MAX)
            .max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_admits_the_burst_then_the_rate() {
        let rate = Rate::default();
        let mut b = Bucket::full(rate, 0);
        for _ in 0..RELAY_BURST_MIN {
            assert_eq!(b.take(rate, 0), Ok(()));
        }
        assert_eq!(b.take(rate, 0), Err(1));
        // One token every 250 ms at 4 per second.
        assert_eq!(b.take(rate, 249), Err(1));
        assert_eq!(b.take(rate, 250), Ok(()));
        assert_eq!(b.take(rate, 250), Err(1));
        // A quiet while refills it to the burst, no more.
        let mut admitted = 0;
        while b.take(rate, 3_600_000).is_ok() {
            admitted += 1;
        }
        assert_eq!(admitted, RELAY_BURST_MIN);
    }

    #[test]
    fn rates_below_the_floor_are_raised_to_it() {
        let low = Rate {
            per_second: 1,
            burst: 2,
        };
        assert_eq!(low.at_least_the_floor(), Rate::default());
        let slow = Rate {
            per_second: 1,
            burst: 1,
        };
        let mut b = Bucket::full(slow, 0);
        assert_eq!(b.take(slow, 0), Ok(()));
        assert_eq!(b.take(slow, 0), Err(1));
        assert_eq!(b.take(slow, 1_000), Ok(()));
    }
}
