//! Seeds for the `protocol_device` target that reach the visitors' paths, which pseudo-random bytes
//! rarely do: lists of steps, encoded as `#[derive(Arbitrary)]` reads them (a variant is a
//! little-endian `u32` whose share of the range picks it; a `Vec<u8>` is each byte after a
//! continuation flag, then a stop). The unit test below decodes each seed back to its steps, so an
//! encoder that drifts from the enums fails there. `fuzz_replay`'s `write_visitor_seeds` writes
//! them to `fuzz/corpus/protocol_device/`.

use alloc::string::String;
use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};

use super::device::Step;
use super::visitor::{Visit, VisitorAsk};

/// The `arbitrary` encoding of a variant choice: the middle of variant `index`'s share of the `u32`
/// range among `count` variants.
pub(super) fn variant(index: u32, count: u32, out: &mut Vec<u8>) {
    let tag = ((2 * u64::from(index) + 1) << 32) / (2 * u64::from(count));
    out.extend_from_slice(&(tag as u32).to_le_bytes());
}

/// The `arbitrary` encoding of a `Vec<u8>`: each byte after a continuation flag, then a stop.
pub(super) fn bytes_of(bytes: &[u8], out: &mut Vec<u8>) {
    for b in bytes {
        out.extend_from_slice(&[1, *b]);
    }
    out.push(0);
}

const VISITS: u32 = 3;
const ASKS: u32 = 6;

impl Visit {
    /// Appends the bytes from which `arbitrary` builds this step, to write seeds.
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Visit::Handshake {
                stranger,
                claim,
                from,
                abandon,
            } => {
                variant(0, VISITS, out);
                out.extend_from_slice(&[u8::from(*stranger), u8::from(*claim), *from]);
                out.push(u8::from(*abandon));
            }
            Visit::Flood {
                count,
                claim,
                from,
                spread,
            } => {
                variant(1, VISITS, out);
                out.extend_from_slice(&[*count, u8::from(*claim), *from, u8::from(*spread)]);
            }
            Visit::Ask(ask) => {
                variant(2, VISITS, out);
                ask.encode(out);
            }
        }
    }
}

impl VisitorAsk {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            VisitorAsk::Introduce => variant(0, ASKS, out),
            VisitorAsk::IntroduceMutated { index, xor } => {
                variant(1, ASKS, out);
                out.extend_from_slice(&index.to_le_bytes());
                out.push(*xor);
            }
            VisitorAsk::IntroduceTruncated { len } => {
                variant(2, ASKS, out);
                out.extend_from_slice(&len.to_le_bytes());
            }
            VisitorAsk::IntroduceArbitrary(bytes) => {
                variant(3, ASKS, out);
                bytes_of(bytes, out);
            }
            VisitorAsk::SwitchOn => variant(4, ASKS, out),
            VisitorAsk::Invoke {
                endpoint,
                capability,
                action,
                input,
            } => {
                variant(5, ASKS, out);
                out.extend_from_slice(&[*endpoint, *capability, *action]);
                match input {
                    Some(bytes) => {
                        out.push(1);
                        bytes_of(bytes, out);
                    }
                    None => out.push(0),
                }
            }
        }
    }
}

/// Variants of [`Step`].
const STEPS: u32 = 9;

impl Step {
    /// Appends the bytes from which `arbitrary` builds this step, to write seeds.
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Step::Datagram { from, bytes } => {
                variant(0, STEPS, out);
                out.push(*from);
                bytes_of(bytes, out);
            }
            Step::Pair { right } => {
                variant(1, STEPS, out);
                out.push(u8::from(*right));
            }
            Step::Claim => variant(2, STEPS, out),
            Step::SwitchOn => variant(3, STEPS, out),
            Step::Mutated { index, xor } => {
                variant(4, STEPS, out);
                out.extend_from_slice(&index.to_le_bytes());
                out.push(*xor);
            }
            Step::Truncated { len } => {
                variant(5, STEPS, out);
                out.extend_from_slice(&len.to_le_bytes());
            }
            Step::Replay => variant(6, STEPS, out),
            Step::Advance { seconds } => {
                variant(7, STEPS, out);
                out.push(*seconds);
            }
            Step::Visit(visit) => {
                variant(8, STEPS, out);
                visit.encode(out);
            }
        }
    }
}

/// The steps that pair with the right passcode and claim the device (the controller becomes its
/// owner-level administrator and gives it its address).
fn claimed() -> Vec<Step> {
    let mut steps: Vec<Step> = (0..4).map(|_| Step::Pair { right: true }).collect();
    steps.extend((0..4).map(|_| Step::Claim));
    steps
}

fn guest_handshake() -> Step {
    Step::Visit(Visit::Handshake {
        stranger: false,
        claim: false,
        from: 0,
        abandon: false,
    })
}

/// Seeds that take the body through the visitors' paths, named by what they do: each is an input of
/// the `protocol_device` target (written to `fuzz/corpus/protocol_device/` by the replay test's
/// `write_visitor_seeds`).
pub fn visitor_seeds() -> Vec<(&'static str, Vec<u8>)> {
    encoded(seed_steps(), Step::encode)
}

/// Each named list of steps as the bytes from which `arbitrary` builds it.
pub(super) fn encoded<S>(
    seeds: Vec<(&'static str, Vec<S>)>,
    encode: impl Fn(&S, &mut Vec<u8>),
) -> Vec<(&'static str, Vec<u8>)> {
    seeds
        .into_iter()
        .map(|(name, steps)| {
            let mut bytes = Vec::new();
            for step in &steps {
                encode(step, &mut bytes);
            }
            (name, bytes)
        })
        .collect()
}

/// The steps of each of [`visitor_seeds`].
fn seed_steps() -> Vec<(&'static str, Vec<Step>)> {
    let flood = |count, claim, from, spread| {
        Step::Visit(Visit::Flood {
            count,
            claim,
            from,
            spread,
        })
    };
    let stranger = |claim, from, abandon| {
        Step::Visit(Visit::Handshake {
            stranger: true,
            claim,
            from,
            abandon,
        })
    };
    let ask = |a| Step::Visit(Visit::Ask(a));
    let mut seeds: Vec<(&'static str, Vec<Step>)> = Vec::new();
    let mut introduced = claimed();
    introduced.extend([
        guest_handshake(),
        ask(VisitorAsk::SwitchOn),
        ask(VisitorAsk::Introduce),
        ask(VisitorAsk::SwitchOn),
        ask(VisitorAsk::Introduce),
    ]);
    seeds.push(("visitor-introduced", introduced));
    let mut mutated = claimed();
    mutated.push(guest_handshake());
    for i in 0..8u16 {
        mutated.push(ask(VisitorAsk::IntroduceMutated {
            index: i * 97,
            xor: 0x5a,
        }));
        mutated.push(ask(VisitorAsk::IntroduceTruncated { len: i * 53 }));
    }
    mutated.push(ask(VisitorAsk::Introduce));
    seeds.push(("visitor-introduce-mutated", mutated));
    let mut arbitrary = claimed();
    arbitrary.extend([
        guest_handshake(),
        ask(VisitorAsk::IntroduceArbitrary(alloc::vec![
            0xa2, 0x00, 0xa0, 0x01, 0x80
        ])),
        ask(VisitorAsk::Invoke {
            endpoint: 0,
            capability: 1,
            action: 17,
            input: Some(alloc::vec![0xa0]),
        }),
        ask(VisitorAsk::Invoke {
            endpoint: 0,
            capability: 1,
            action: 13,
            input: None,
        }),
        Step::Advance { seconds: 255 },
        Step::Advance { seconds: 255 },
        Step::Advance { seconds: 255 },
        ask(VisitorAsk::Introduce),
    ]);
    seeds.push(("visitor-forbidden-then-expired", arbitrary));
    seeds.push((
        "visitor-unclaimed-device",
        alloc::vec![
            guest_handshake(),
            ask(VisitorAsk::Introduce),
            ask(VisitorAsk::SwitchOn),
        ],
    ));
    let mut abandoned = claimed();
    abandoned.extend([
        Step::Visit(Visit::Handshake {
            stranger: false,
            claim: false,
            from: 0,
            abandon: true,
        }),
        Step::Mutated {
            index: 30,
            xor: 0x01,
        },
        Step::Truncated { len: 20 },
        Step::Replay,
        Step::Replay,
        stranger(false, 5, true),
        Step::Advance { seconds: 255 },
        Step::Advance { seconds: 60 },
        Step::Replay,
    ]);
    seeds.push(("visitor-abandoned-and-replayed", abandoned));
    seeds.push(("flood-one-address", alloc::vec![flood(7, false, 7, false)]));
    seeds.push((
        "flood-one-claim-many-addresses",
        alloc::vec![flood(7, true, 20, true)],
    ));
    seeds.push((
        "flood-then-interval",
        alloc::vec![
            flood(7, false, 1, false),
            Step::Advance { seconds: 15 },
            flood(3, false, 1, false),
            Step::Advance { seconds: 60 },
            flood(7, true, 1, false),
        ],
    ));
    let mut flood_and_guest = claimed();
    flood_and_guest.extend([
        // Four strangers' addresses fill the device's table of counts: the guest, from a fifth, is
        // refused until their allowances are full again.
        flood(3, false, 40, true),
        guest_handshake(),
        ask(VisitorAsk::Introduce),
        Step::Advance { seconds: 30 },
        guest_handshake(),
        ask(VisitorAsk::Introduce),
        ask(VisitorAsk::SwitchOn),
    ]);
    seeds.push(("flood-while-a-guest-visits", flood_and_guest));
    let mut handshakes = alloc::vec![];
    for i in 0..12u8 {
        handshakes.push(stranger(i % 3 == 0, i / 2, false));
        if i % 4 == 3 {
            handshakes.push(Step::Advance { seconds: 7 });
        }
    }
    seeds.push(("stranger-handshakes", handshakes));
    seeds
}

/// The steps an input decodes to, as text: to check [`visitor_seeds`] against `arbitrary`.
pub fn decoded_steps(data: &[u8]) -> Vec<String> {
    decoded::<Step>(data)
}

/// The steps of type `S` an input decodes to, as text.
pub(super) fn decoded<'a, S: Arbitrary<'a> + core::fmt::Debug>(data: &'a [u8]) -> Vec<String> {
    let mut u = Unstructured::new(data);
    let mut steps = Vec::new();
    while !u.is_empty() {
        match S::arbitrary(&mut u) {
            Ok(step) => steps.push(alloc::format!("{step:?}")),
            Err(_) => break,
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_decode_to_the_steps_they_were_written_from() {
        for ((name, steps), (_, bytes)) in seed_steps().iter().zip(visitor_seeds()) {
            let written: Vec<String> = steps.iter().map(|s| alloc::format!("{s:?}")).collect();
            assert_eq!(decoded_steps(&bytes), written, "{name}");
        }
    }
}
