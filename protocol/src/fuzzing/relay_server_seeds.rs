//! Seeds for the `protocol_relay_server` target: genuine runs of the Relay capability (enrolments,
//! registrations, releases, policies, listings, lookups, their refusals, forgeries and time), which
//! pseudo-random bytes reach only now and then. Lists of steps encoded as `#[derive(Arbitrary)]`
//! reads them (the encoding of `device_seeds`); the unit test below decodes each seed back to its
//! steps. `fuzz_replay`'s `write_relay_server_seeds` writes them to
//! `fuzz/corpus/protocol_relay_server/`.

use alloc::vec::Vec;

use super::device_seeds::{bytes_of, encoded, variant};
use super::relay_server::Step;

/// Variants of [`Step`].
const STEPS: u32 = 13;

fn option<T>(value: &Option<T>, out: &mut Vec<u8>, encode: impl Fn(&T, &mut Vec<u8>)) {
    match value {
        Some(v) => {
            out.push(1);
            encode(v, out);
        }
        None => out.push(0),
    }
}

impl Step {
    /// Appends the bytes from which `arbitrary` builds this step, to write seeds.
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Step::Enrol { who, token } => {
                variant(0, STEPS, out);
                out.extend_from_slice(&[*who, *token]);
            }
            Step::Register {
                who,
                node,
                kind,
                policy,
                previous_relays,
                mutate,
            } => {
                variant(1, STEPS, out);
                out.extend_from_slice(&[*who, *node, *kind]);
                option(policy, out, |p, out| out.push(*p));
                out.push(u8::from(*previous_relays));
                option(mutate, out, |(index, xor), out| {
                    out.extend_from_slice(&index.to_le_bytes());
                    out.push(*xor);
                });
            }
            Step::Release {
                who,
                node,
                rehoming,
            } => {
                variant(2, STEPS, out);
                out.extend_from_slice(&[*who, *node, u8::from(*rehoming)]);
            }
            Step::Unenrol { who, whom } => {
                variant(3, STEPS, out);
                out.extend_from_slice(&[*who, *whom]);
            }
            Step::SetPolicy {
                who,
                node,
                lookup,
                listed,
                max_held_messages,
                max_hold_time,
            } => {
                variant(4, STEPS, out);
                out.extend_from_slice(&[*who, *node, *lookup, u8::from(*listed)]);
                option(max_held_messages, out, |n, out| {
                    out.extend_from_slice(&n.to_le_bytes())
                });
                option(max_hold_time, out, |n, out| {
                    out.extend_from_slice(&n.to_le_bytes())
                });
            }
            Step::Registrations { who, after } => {
                variant(5, STEPS, out);
                out.push(*who);
                option(after, out, |n, out| out.push(*n));
            }
            Step::Lookup { who, node } => {
                variant(6, STEPS, out);
                out.extend_from_slice(&[*who, *node]);
            }
            Step::Invoke {
                who,
                sealed,
                action,
                input,
            } => {
                variant(7, STEPS, out);
                out.extend_from_slice(&[*who, u8::from(*sealed), *action]);
                bytes_of(input, out);
            }
            Step::Datagram { from, bytes } => {
                variant(8, STEPS, out);
                out.push(*from);
                bytes_of(bytes, out);
            }
            Step::Mutated { from, index, xor } => {
                variant(9, STEPS, out);
                out.push(*from);
                out.extend_from_slice(&index.to_le_bytes());
                out.push(*xor);
            }
            Step::Truncated { from, len } => {
                variant(10, STEPS, out);
                out.push(*from);
                out.extend_from_slice(&len.to_le_bytes());
            }
            Step::Replay { from } => {
                variant(11, STEPS, out);
                out.push(*from);
            }
            Step::Advance { ms, scale } => {
                variant(12, STEPS, out);
                out.extend_from_slice(&ms.to_le_bytes());
                out.push(*scale);
            }
        }
    }
}

/// Client `who` registers node `node`'s genuine statement (`kind` 0) or another kind of it.
fn register(who: u8, node: u8, kind: u8) -> Step {
    Step::Register {
        who,
        node,
        kind,
        policy: None,
        previous_relays: false,
        mutate: None,
    }
}

/// Time passes: `n` hours (scale 2) or days (scale 3).
fn hours(n: u16) -> Step {
    Step::Advance { ms: n, scale: 2 }
}

fn days(n: u16) -> Step {
    Step::Advance { ms: n, scale: 3 }
}

/// The steps of each seed, named by what they do.
fn seed_steps() -> Vec<(&'static str, Vec<Step>)> {
    let enrol = |who, token| Step::Enrol { who, token };
    let lookup = |who, node| Step::Lookup { who, node };
    let listing = |who, after| Step::Registrations { who, after };
    let release = |who, node, rehoming| Step::Release {
        who,
        node,
        rehoming,
    };
    alloc::vec![
        (
            "edhoc-enrol-register-lookup",
            alloc::vec![
                enrol(128, 0),
                register(0, 0, 0),
                enrol(131, 2),
                lookup(3, 0),
                Step::Replay { from: 3 },
                enrol(130, 3),
                enrol(129, 1),
                register(1, 1, 0),
            ],
        ),
        (
            "enrol-register-lookup",
            alloc::vec![
                enrol(0, 0),
                register(0, 0, 0),
                lookup(3, 0),
                listing(0, None),
                register(0, 1, 0),
                register(0, 2, 0),
                register(0, 0, 0),
                listing(0, Some(0)),
                listing(3, None),
                lookup(3, 200),
            ],
        ),
        (
            "release-rehoming-then-quarantine",
            alloc::vec![
                enrol(0, 0),
                register(0, 0, 0),
                release(0, 0, true),
                lookup(3, 0),
                hours(2),
                lookup(3, 0),
                enrol(2, 2),
                register(2, 0, 0),
                register(0, 0, 0),
                release(0, 0, false),
                register(2, 0, 0),
                days(91),
                register(2, 0, 0),
                listing(2, None),
            ],
        ),
        (
            "two-administrators-unenrol",
            alloc::vec![
                enrol(0, 0),
                enrol(1, 1),
                Step::Unenrol { who: 0, whom: 0 },
                Step::Unenrol { who: 3, whom: 1 },
                Step::Unenrol { who: 1, whom: 0 },
                register(0, 0, 0),
                register(1, 0, 0),
                enrol(0, 0),
                enrol(2, 2),
                Step::Unenrol { who: 2, whom: 1 },
                release(2, 0, false),
            ],
        ),
        (
            "enrolment-failures-and-expiry",
            alloc::vec![
                enrol(3, 3),
                enrol(3, 3),
                enrol(3, 3),
                enrol(3, 3),
                enrol(3, 3),
                enrol(3, 0),
                hours(1),
                Step::Advance { ms: 1, scale: 1 },
                enrol(3, 0),
                days(2),
                enrol(1, 1),
                enrol(2, 2),
            ],
        ),
        (
            "policies-arrival-and-bad-statements",
            alloc::vec![
                enrol(0, 0),
                Step::Register {
                    who: 0,
                    node: 0,
                    kind: 4,
                    policy: Some(0),
                    previous_relays: true,
                    mutate: None,
                },
                Step::SetPolicy {
                    who: 0,
                    node: 0,
                    lookup: 1,
                    listed: true,
                    max_held_messages: Some(1),
                    max_hold_time: Some(60),
                },
                lookup(3, 0),
                lookup(0, 0),
                Step::SetPolicy {
                    who: 0,
                    node: 0,
                    lookup: 1,
                    listed: false,
                    max_held_messages: None,
                    max_hold_time: None,
                },
                Step::SetPolicy {
                    who: 3,
                    node: 0,
                    lookup: 2,
                    listed: false,
                    max_held_messages: None,
                    max_hold_time: None,
                },
                register(0, 0, 1),
                register(0, 0, 2),
                register(0, 1, 3),
                Step::Register {
                    who: 0,
                    node: 1,
                    kind: 0,
                    policy: None,
                    previous_relays: false,
                    mutate: Some((40, 0x01)),
                },
                hours(2),
                lookup(3, 0),
            ],
        ),
        (
            "forged-and-replayed",
            alloc::vec![
                enrol(0, 0),
                register(0, 0, 0),
                Step::Replay { from: 0 },
                Step::Replay { from: 3 },
                Step::Mutated {
                    from: 0,
                    index: 40,
                    xor: 1,
                },
                Step::Truncated { from: 0, len: 30 },
                release(0, 0, false),
                Step::Mutated {
                    from: 0,
                    index: 10,
                    xor: 0x80,
                },
                Step::Datagram {
                    from: 4,
                    bytes: alloc::vec![0xa2, 0x00, 0x01, 0x01, 0x40],
                },
                Step::Invoke {
                    who: 3,
                    sealed: false,
                    action: 10,
                    input: alloc::vec![0xa0],
                },
                Step::Invoke {
                    who: 0,
                    sealed: true,
                    action: 14,
                    input: alloc::vec![0xa0],
                },
                Step::Invoke {
                    who: 0,
                    sealed: true,
                    action: 11,
                    input: alloc::vec![0xa1, 0x00, 0x60],
                },
            ],
        ),
    ]
}

/// The seeds of the `protocol_relay_server` target, named by what they do.
pub fn relay_server_seeds() -> Vec<(&'static str, Vec<u8>)> {
    encoded(seed_steps(), Step::encode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::device_seeds::decoded;

    #[test]
    fn the_seeds_decode_to_the_steps_they_were_written_from() {
        for ((name, steps), (_, bytes)) in seed_steps().iter().zip(relay_server_seeds()) {
            let written: Vec<alloc::string::String> =
                steps.iter().map(|s| alloc::format!("{s:?}")).collect();
            assert_eq!(decoded::<Step>(&bytes), written, "{name}");
        }
    }
}
