//! What the lossy link does to each datagram: the impairments of one direction and the decisions drawn
//! for a datagram from a seeded RNG. Pure, so that a seed names one run's decisions.

use std::ops::RangeInclusive;

use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;

/// What happens to a datagram longer than the link's MTU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oversize {
    /// Dropped, as IPv6 drops what exceeds a path's MTU.
    Drop,
    /// Cut to the MTU, as a careless middlebox or a short receive buffer does.
    Truncate,
}

/// The impairments of one direction of a link. Probabilities are from 0 to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Impairments {
    /// Probability that a datagram is lost.
    pub loss: f64,
    /// Probability that a datagram that is not lost arrives twice.
    pub duplicate: f64,
    /// Probability that a copy is held back by `reorder_delay`, so that later datagrams overtake it.
    pub reorder: f64,
    /// Extra delay of a reordered copy, in ms.
    pub reorder_delay: u64,
    /// Delay of every copy, in ms, uniform in this range.
    pub delay: RangeInclusive<u64>,
    /// The largest datagram the link carries, if limited.
    pub mtu: Option<usize>,
    /// What becomes of a longer one.
    pub oversize: Oversize,
}

impl Impairments {
    /// A perfect link: nothing lost, duplicated, reordered, delayed or cut.
    pub fn none() -> Self {
        Impairments {
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: 0,
            delay: 0..=0,
            mtu: None,
            oversize: Oversize::Drop,
        }
    }

    /// Checks that every probability is within 0 to 1 and the delay range is not empty.
    pub fn check(&self) -> Result<(), ImpairmentError> {
        for (name, p) in [
            ("loss", self.loss),
            ("duplicate", self.duplicate),
            ("reorder", self.reorder),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(ImpairmentError::Probability { name, value: p });
            }
        }
        if self.delay.is_empty() {
            return Err(ImpairmentError::Delay {
                min: *self.delay.start(),
                max: *self.delay.end(),
            });
        }
        if self.mtu == Some(0) {
            return Err(ImpairmentError::Mtu);
        }
        Ok(())
    }
}

/// Impairments that make no sense.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ImpairmentError {
    /// A probability outside 0 to 1.
    #[error("the {name} probability must be from 0 to 1, not {value}")]
    Probability {
        /// Which one.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A delay range whose minimum exceeds its maximum.
    #[error("the delay range {min}..={max} ms is empty")]
    Delay {
        /// The minimum.
        min: u64,
        /// The maximum.
        max: u64,
    },
    /// An MTU of 0 would carry nothing.
    #[error("an MTU must be at least one byte")]
    Mtu,
}

/// What the link does with one datagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fate {
    /// The delay in ms of each copy that goes on (none: lost or dropped).
    pub copies: Vec<u64>,
    /// Whether the copies are cut to the MTU.
    pub truncate_to: Option<usize>,
    /// Whether a copy was held back to be overtaken.
    pub reordered: bool,
    /// Whether the datagram was dropped for its size.
    pub too_large: bool,
}

/// Draws the fate of a datagram of `len` bytes. The draws are made in a fixed order whatever the
/// outcome, so that one datagram's fate never shifts the draws of the next.
pub fn fate(rng: &mut ChaCha8Rng, impairments: &Impairments, len: usize) -> Fate {
    let lost = chance(rng, impairments.loss);
    let twice = chance(rng, impairments.duplicate);
    let held = [
        chance(rng, impairments.reorder),
        chance(rng, impairments.reorder),
    ];
    let delays = [
        uniform(rng, &impairments.delay),
        uniform(rng, &impairments.delay),
    ];
    let mut fate = Fate::default();
    if lost {
        return fate;
    }
    if let Some(mtu) = impairments.mtu.filter(|&mtu| len > mtu) {
        match impairments.oversize {
            Oversize::Drop => {
                fate.too_large = true;
                return fate;
            }
            Oversize::Truncate => fate.truncate_to = Some(mtu),
        }
    }
    let count = if twice { 2 } else { 1 };
    for (delay, held) in delays.into_iter().zip(held).take(count) {
        fate.reordered |= held;
        fate.copies
            .push(delay + if held { impairments.reorder_delay } else { 0 });
    }
    fate
}

/// True with probability `p`.
fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    // 53 random bits make a uniform float in [0, 1).
    let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    x < p
}

/// Uniform in the (non-empty) range.
fn uniform(rng: &mut ChaCha8Rng, range: &RangeInclusive<u64>) -> u64 {
    let span = range.end() - range.start();
    let draw = rng.next_u64();
    if span == u64::MAX {
        draw
    } else {
        range.start() + draw % (span + 1)
    }
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn a_seed_names_one_sequence_of_fates() {
        let lossy = Impairments {
            loss: 0.2,
            duplicate: 0.1,
            reorder: 0.1,
            reorder_delay: 30,
            delay: 1..=5,
            ..Impairments::none()
        };
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..1000)
                .map(|_| fate(&mut rng, &lossy, 100))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let fates = run(7);
        let lost = fates.iter().filter(|f| f.copies.is_empty()).count();
        let doubled = fates.iter().filter(|f| f.copies.len() == 2).count();
        assert!((150..250).contains(&lost), "{lost} of 1000 lost at 20 %");
        assert!((50..120).contains(&doubled), "{doubled} of 1000 doubled");
        assert!(fates
            .iter()
            .flat_map(|f| &f.copies)
            .all(|d| (1..=35).contains(d)));
    }

    #[test]
    fn the_mtu_drops_or_cuts() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut link = Impairments {
            mtu: Some(51),
            ..Impairments::none()
        };
        assert!(fate(&mut rng, &link, 52).too_large);
        assert_eq!(fate(&mut rng, &link, 51).copies, [0]);
        link.oversize = Oversize::Truncate;
        assert_eq!(fate(&mut rng, &link, 52).truncate_to, Some(51));
    }

    #[test]
    fn nonsense_is_refused() {
        let bad = Impairments {
            loss: 1.5,
            ..Impairments::none()
        };
        assert!(bad.check().is_err());
        #[allow(clippy::reversed_empty_ranges)]
        let bad = Impairments {
            delay: 5..=1,
            ..Impairments::none()
        };
        assert!(bad.check().is_err());
        assert!(Impairments::none().check().is_ok());
    }
}
