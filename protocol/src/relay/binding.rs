//! The hop binding of a node at its home relay (spec §8.7.1): the transport address to which the relay
//! delivers what it holds for the node, set only by a message that verifies on the node's hop, and how
//! long it lasts.
//!
//! The state machine of §8.7.1 ([IOTP-SEC-171]): `Unbound` → `Bound(T, expiry)` on a verified message
//! from T ([IOTP-SEC-170]); `Bound` → `Bound(T′, expiry′)` on the next one, from wherever it came;
//! `Bound` → `Unbound` when the expiry passes ([IOTP-SEC-172]) or on a verified `presence` `Leaving`.
//! Nothing else changes it: an unsealed message, one that fails to open or is replayed, or one sealed
//! under another context never reaches [`HopBinding::verified`], which only the relay calls, and only
//! for a message that opened under the node's hop context.

use crate::engine::LISTEN_TIME;
use crate::params::Instant;

/// HOP_BINDING_MIN of §8.7.1: the lifetime for a node that stays awake, and the least for any, in ms.
pub const HOP_BINDING_MIN: u64 = 900_000;

/// HOP_BINDING_MAX of §8.7.1: the greatest lifetime, whatever the node announced, in ms.
pub const HOP_BINDING_MAX: u64 = 86_400_000;

/// HOP_BINDING_LIFETIME for a node that last announced `sleep_interval` seconds (0 if none):
/// min(HOP_BINDING_MAX, max(HOP_BINDING_MIN, s + LISTEN_TIME)), in ms.
pub fn lifetime(sleep_interval: u32) -> u64 {
    (u64::from(sleep_interval) * 1_000 + LISTEN_TIME).clamp(HOP_BINDING_MIN, HOP_BINDING_MAX)
}

/// A node's hop binding; `T` is the transport address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HopBinding<T> {
    /// Nothing is delivered; the relay holds everything.
    Unbound,
    /// Delivery goes to `to` until `until`.
    Bound {
        /// The transport address of the last message that verified on the hop.
        to: T,
        /// When the binding lapses unless another message verifies.
        until: Instant,
    },
}

impl<T: Clone + PartialEq> HopBinding<T> {
    /// A message from `from` verified on the hop at `now`: bind or rebind to `from` for the lifetime
    /// that the node's last `sleep_interval` gives ([IOTP-SEC-170]).
    pub fn verified(&mut self, from: &T, now: Instant, sleep_interval: u32) {
        *self = HopBinding::Bound {
            to: from.clone(),
            until: now.saturating_add(lifetime(sleep_interval)),
        };
    }

    /// A `presence` `Leaving` verified on the hop: unbind.
    pub fn leaving(&mut self) {
        *self = HopBinding::Unbound;
    }

    /// The transport address to deliver to at `now`, unbinding first if the expiry has passed
    /// ([IOTP-SEC-172]).
    pub fn target(&mut self, now: Instant) -> Option<&T> {
        if let HopBinding::Bound { until, .. } = self {
            if *until <= now {
                *self = HopBinding::Unbound;
            }
        }
        match self {
            HopBinding::Bound { to, .. } => Some(to),
            HopBinding::Unbound => None,
        }
    }

    /// Whether the binding is to `from` at `now` (without changing it).
    pub fn is_bound_to(&self, from: &T, now: Instant) -> bool {
        self.bound_at(now) == Some(from)
    }

    /// Whether the binding is to some transport address at `now`.
    pub fn is_bound(&self, now: Instant) -> bool {
        self.bound_at(now).is_some()
    }

    /// The transport address it is bound to at `now`, without changing it.
    pub fn bound_at(&self, now: Instant) -> Option<&T> {
        match self {
            HopBinding::Bound { to, until } if *until > now => Some(to),
            _ => None,
        }
    }

    /// When the binding lapses, if bound.
    pub fn deadline(&self) -> Option<Instant> {
        match self {
            HopBinding::Bound { until, .. } => Some(*until),
            HopBinding::Unbound => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifetime_follows_the_sleep_interval_within_its_bounds() {
        assert_eq!(lifetime(0), HOP_BINDING_MIN);
        assert_eq!(lifetime(600), HOP_BINDING_MIN);
        assert_eq!(lifetime(3_600), 3_605_000);
        assert_eq!(lifetime(u32::MAX), HOP_BINDING_MAX);
    }

    #[test]
    fn only_a_verified_message_binds_and_the_last_one_wins() {
        let mut b = HopBinding::Unbound;
        assert_eq!(b.target(0), None);
        b.verified(&"t1", 1_000, 0);
        assert_eq!(b.target(1_000), Some(&"t1"));
        assert!(b.is_bound_to(&"t1", 2_000));
        b.verified(&"t2", 5_000, 0);
        assert!(!b.is_bound_to(&"t1", 5_000));
        assert_eq!(b.target(5_000), Some(&"t2"));
        assert_eq!(b.deadline(), Some(5_000 + HOP_BINDING_MIN));
    }

    #[test]
    fn the_binding_lapses_at_its_expiry_and_on_leaving() {
        let mut b = HopBinding::Unbound;
        b.verified(&"t", 0, 0);
        assert_eq!(b.target(HOP_BINDING_MIN - 1), Some(&"t"));
        assert_eq!(b.target(HOP_BINDING_MIN), None);
        assert_eq!(b, HopBinding::Unbound);
        b.verified(&"t", 0, 0);
        b.leaving();
        assert_eq!(b.target(1), None);
    }
}
