//! The order in which a sender tries a domain's relays: RFC 2782's, as spec §3.2.1 requires
//! ([IOTP-DLV-1]): lowest priority first, and among equal priorities a weighted random order.

use rand_core::RngCore;

/// One SRV record of a domain's home relay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Its priority (lower first).
    pub priority: u16,
    /// Its weight among targets of the same priority.
    pub weight: u16,
    /// The UDP port to send to ([IOTP-DLV-2]).
    pub port: u16,
    /// The host, a DNS name (lowercase, without the trailing dot).
    pub host: String,
}

/// The targets in the order to try them. Within one priority, RFC 2782's selection: the running sum
/// of the weights of the targets left (those of weight 0 first), a random number from 0 to the total,
/// and the first target whose running sum reaches it; repeated until none is left. A target of weight
/// 0 thus comes first only by chance when every weight is 0, and last otherwise.
pub fn order(mut targets: Vec<Target>, rng: &mut dyn RngCore) -> Vec<Target> {
    targets.sort_by_key(|t| t.priority);
    let mut ordered = Vec::with_capacity(targets.len());
    let mut rest = targets.as_slice();
    while let Some(first) = rest.first() {
        let end = rest
            .iter()
            .position(|t| t.priority != first.priority)
            .unwrap_or(rest.len());
        let (group, after) = rest.split_at(end);
        let mut group: Vec<Target> = group.to_vec();
        // Weight 0 first, as RFC 2782 asks, so that they are picked only when the draw is 0.
        group.sort_by_key(|t| t.weight != 0);
        while !group.is_empty() {
            let total: u32 = group.iter().map(|t| u32::from(t.weight)).sum();
            let draw = if total == 0 {
                0
            } else {
                rng.next_u32() % (total + 1)
            };
            let mut sum = 0;
            let pick = group
                .iter()
                .position(|t| {
                    sum += u32::from(t.weight);
                    sum >= draw
                })
                .unwrap_or(0);
            ordered.push(group.remove(pick));
        }
        rest = after;
    }
    ordered
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    use super::*;

    fn target(priority: u16, weight: u16, host: &str) -> Target {
        Target {
            priority,
            weight,
            port: 5783,
            host: host.into(),
        }
    }

    #[test]
    fn lower_priorities_first_and_weights_share_the_first_place() {
        // The example zone of §3.2.1.
        let zone = vec![
            target(20, 0, "backup"),
            target(10, 60, "relay1"),
            target(10, 40, "relay2"),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut first_relay1 = 0;
        for _ in 0..1000 {
            let hosts: Vec<String> = order(zone.clone(), &mut rng)
                .into_iter()
                .map(|t| t.host)
                .collect();
            assert_eq!(hosts[2], "backup", "{hosts:?}");
            first_relay1 += usize::from(hosts[0] == "relay1");
        }
        assert!(
            (550..650).contains(&first_relay1),
            "relay1 first {first_relay1} times of 1000 at weight 60 of 100"
        );
    }

    #[test]
    fn weight_zero_goes_last_among_weighted_ones() {
        let zone = vec![target(1, 0, "zero"), target(1, 5, "five")];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let zero_first = (0..1000)
            .filter(|_| order(zone.clone(), &mut rng)[0].host == "zero")
            .count();
        // Drawn first only when the draw is 0: 1 in 6.
        assert!((100..250).contains(&zero_first), "{zero_first}");
    }
}
