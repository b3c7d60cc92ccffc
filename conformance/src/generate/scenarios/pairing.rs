//! Scenarios of pairing and claiming as a device out of its box answers them (spec §8.3, feature
//! `security`): the runner plays the controller with `iotp2p-protocol`'s SPAKE2+ prover on a direct
//! hop, then claims the device under the pairing context (`add_peer`, `acl_write`, `commission`).
//! Among them the regression of version 1.0's static passcode: once claimed, the passcode printed on
//! the device pairs no more (IOTP-SEC-132).

use serde_json::{json, Value};

use super::*;
use crate::scenario::{EdhocSetup, PeerEdhoc, PeerPairing, SecuritySetup};
use crate::suite::hex;
use crate::vector::Vector;
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::prelude::*;
use iotp2p_protocol::controller;
use iotp2p_protocol::security::statement::sign_own_credential;
use iotp2p_protocol::security::IdentityKey;

/// The passcode printed on the device.
pub(super) const PASSCODE: u32 = 20_202_021;
/// The device's keys: identity, authentication.
pub(super) const DEVICE_KEYS: ([u8; 32], [u8; 32]) = ([0x61; 32], [0x62; 32]);
/// The controller's keys.
pub(super) const CONTROLLER_KEYS: ([u8; 32], [u8; 32]) = ([0x71; 32], [0x72; 32]);
pub(super) const CONTROLLER: &str = "phone@example.com";
const ANY: &str = crate::runner::scenario::ANY;

/// The CCS of §8.2.2 of the authentication key `auth`, naming the node of `identity`, with `kid`.
fn credential(identity: &IdentityKey, auth: &[u8; 32], kid: u8) -> Result<Vec<u8>, String> {
    p256_ccs(auth, &identity.node_id(), kid)
}

/// A body of the controller's, as canonical JSON.
pub(super) fn json_of(body: &Body) -> Result<Value, String> {
    let bytes = body.encode_to_vec().map_err(|e| e.to_string())?;
    crate::reference::to_json("iotp2p.core.Body", &bytes)
        .map(|(v, _)| v)
        .map_err(|e| e.to_string())
}

/// The claiming requests of the controller: `add_peer` with its credential statement, `acl_write`
/// of an Administer entry for itself at index 0, and `commission` with the device's address.
struct Claim {
    add_peer: Value,
    acl_write: Value,
    commission: Value,
}

/// The credential statement of the node of `keys` (identity, authentication) at `address`, its
/// credential named by `kid`.
pub(super) fn statement(
    keys: &([u8; 32], [u8; 32]),
    address: &str,
    kid: u8,
) -> Result<Vec<u8>, String> {
    let key = IdentityKey::from_bytes(&keys.0).map_err(|e| format!("{e:?}"))?;
    let ccs = credential(&key, &keys.1, kid)?;
    sign_own_credential(&key, &ccs, Some(address), 1).map_err(|e| format!("{e:?}"))
}

fn claim() -> Result<Claim, String> {
    let key = IdentityKey::from_bytes(&CONTROLLER_KEYS.0).map_err(|e| format!("{e:?}"))?;
    Ok(Claim {
        add_peer: json_of(&controller::add_peer(&statement(
            &CONTROLLER_KEYS,
            CONTROLLER,
            9,
        )?))?,
        acl_write: json_of(&controller::acl_write(0, &key.node_id(), None))?,
        commission: json_of(&controller::commission(LAMP, None, None))?,
    })
}

/// An unclaimed device with the level capability, out of its box: no address, no home relay, no
/// context; its pairing window open.
pub(super) fn device(
    id: &str,
    description: &str,
    requirements: &[&str],
) -> Result<Builder, String> {
    let identity = IdentityKey::from_bytes(&DEVICE_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let credential = hex(&credential(&identity, &DEVICE_KEYS.1, 7)?);
    Ok(Builder::lamp(id, description, requirements)
        .needs("security")
        .node(|n| {
            n.address = None;
            n.home_relay = None;
            n.contexts = Vec::new();
            n.security = Some(SecuritySetup {
                identity_key: hex(&DEVICE_KEYS.0),
                credential,
                passcode: PASSCODE,
                salt: hex(&[0x5a; 16]),
                iterations: 1000,
            });
        }))
}

/// The controller's pairing message, unsealed on the direct hop `app`, in the envelope `message_id`.
pub(super) fn pairing(message_id: u64, step: PeerPairing) -> Step {
    with(plain("app", json!({ "message_id": message_id })), |s| {
        s.pairing = Some(step)
    })
}

/// The device's unsealed `invoke_response` to `message_id` on the direct hop, no address in it.
pub(super) fn answered(message_id: u64) -> SendPattern {
    to(
        "app",
        json!({"correlation_id": message_id, "sealed": ABSENT, "recipient": ABSENT, "body": {"invoke_response": {}}}),
    )
}

/// A whole SPAKE2+ exchange named `session` with `passcode` in the envelopes `first` to `first + 2`,
/// the device's replies being its datagrams `replies` and `replies + 1` before the confirmation.
pub(super) fn paired(
    b: Builder,
    session: &str,
    passcode: u32,
    first: u64,
    replies: usize,
) -> Builder {
    b.step(pairing(
        first,
        PeerPairing::Start {
            session: session.into(),
            passcode,
        },
    ))
    .step(expect(
        "pair_start: the device's nonce and PBKDF2 parameters",
        vec![answered(first)],
    ))
    .step(pairing(
        first + 1,
        PeerPairing::Share {
            session: session.into(),
            reply_to: replies,
        },
    ))
    .step(expect(
        "pair_share: shareV and confirmV",
        vec![answered(first + 1)],
    ))
    .step(pairing(
        first + 2,
        PeerPairing::Confirm {
            session: session.into(),
            reply_to: replies + 1,
        },
    ))
    .step(expect(
        "pair_confirm: confirmP verified, both hold the pairing context",
        vec![answered(first + 2)],
    ))
}

/// The controller's request `body` under the pairing context, and the device's sealed answer
/// `answer` (a pattern of its body) to it, the `n`th request under the context.
pub(super) fn under_pairing(b: Builder, why: &str, body: Value, n: u64, answer: Value) -> Builder {
    under_pairing_as(b, "p", why, body, n, answer)
}

/// [`under_pairing`] under the pairing context `session`.
pub(super) fn under_pairing_as(
    b: Builder,
    session: &str,
    why: &str,
    body: Value,
    n: u64,
    answer: Value,
) -> Builder {
    b.step(sealed("app", session, json!({}), body))
        .step(expect(why, vec![sealed_answer("app", n, session, answer)]))
}

/// Pairs with the printed passcode and claims the device.
fn claimed(b: Builder) -> Result<Builder, String> {
    let claim = claim()?;
    let b = paired(b, "p", PASSCODE, 1, 0);
    let b = under_pairing(
        b,
        "add_peer: the controller's credential statement is stored",
        claim.add_peer,
        0,
        json!({"invoke_response": {}}),
    );
    let b = under_pairing(
        b,
        "acl_write: the controller's Administer entry at index 0",
        claim.acl_write,
        1,
        json!({"invoke_response": {}}),
    );
    Ok(under_pairing(
        b,
        "commission: the device's credential statement naming its address",
        claim.commission,
        2,
        json!({"invoke_response": {"output": ANY}}),
    ))
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        claims()?,
        printed_passcode_worthless_once_claimed()?,
        commission_reply_resent_once_claimed()?,
        busy_while_pairing()?,
        share_from_another_peer()?,
        commission_needs_administer()?,
        commissioning_window_refusals()?,
        commissioning_window_pairs_a_second_controller()?,
        window_entry_effective_after_the_handshake()?,
        window_entry_gone_after_its_timeout()?,
        abandoned_claim_forgotten()?,
    ])
}

/// Regression (the lossy walk-through's seed 695): the controller's claim is abandoned after its
/// `acl_write` (its replies lost, it sends nothing for PAIRING_EXCHANGE_TIMEOUT); the device, still
/// unclaimed, forgets what that pairing added, so that the controller pairs again and claims it.
/// A device that kept the peer refused the same statement again (not newer, IOTP-SEC-16), and kept
/// an owner-level entry for whoever gave up.
fn abandoned_claim_forgotten() -> Result<Vector, String> {
    let claim = claim()?;
    let b = device(
        "sec.abandoned-claim-forgotten",
        "a controller pairs, adds itself and writes its Administer entry, then sends nothing for          31 s: the device abandons the exchange and, unclaimed, forgets the peer and the entry that          pairing added; the controller pairs again and claims it, its add_peer with the same          credential statement accepted",
        &["IOTP-SEC-204", "IOTP-SEC-134"],
    )?;
    let b = paired(b, "p", PASSCODE, 1, 0);
    let b = under_pairing(
        b,
        "add_peer",
        claim.add_peer.clone(),
        0,
        json!({"invoke_response": {}}),
    );
    let b = under_pairing(
        b,
        "acl_write",
        claim.acl_write.clone(),
        1,
        json!({"invoke_response": {}}),
    );
    // The device's datagrams so far: three of the exchange, two answers under the context.
    let b = paired(b.step(at(31_000)), "q", PASSCODE, 4, 5);
    let b = under_pairing_as(
        b,
        "q",
        "add_peer again, with the same statement: the first pairing's peer was forgotten",
        claim.add_peer,
        0,
        json!({"invoke_response": {}}),
    );
    let b = under_pairing_as(
        b,
        "q",
        "acl_write",
        claim.acl_write,
        1,
        json!({"invoke_response": {}}),
    );
    Ok(under_pairing_as(
        b,
        "q",
        "commission: claimed",
        claim.commission,
        2,
        json!({"invoke_response": {"output": ANY}}),
    )
    .build())
}

fn claims() -> Result<Vector, String> {
    let b = device(
        "sec.pairing-claims-the-device",
        "a controller pairs with the passcode printed on a device out of its box (SPAKE2+, RFC 9383) \
         and claims it under the pairing context: add_peer, acl_write of its Administer entry, \
         commission with the device's address, each an invoke of the Security capability on \
         endpoint 0, capability 1",
        &[
            "IOTP-SEC-125",
            "IOTP-SEC-26",
            "IOTP-SEC-32",
            "IOTP-SEC-33",
            "IOTP-SEC-39",
            "IOTP-SEC-35",
        ],
    )?;
    Ok(claimed(b)?.build())
}

fn printed_passcode_worthless_once_claimed() -> Result<Vector, String> {
    let b = device(
        "sec.printed-passcode-worthless-once-claimed",
        "version 1.0's static passcode: once the device is claimed, its pairing window is closed and \
         the passcode on its label pairs no more; a pair_start with it is refused InvalidState",
        &["IOTP-SEC-132", "IOTP-SEC-29", "IOTP-SEC-133", "IOTP-SEC-38"],
    )?;
    Ok(claimed(b)?
        .step(pairing(
            10,
            PeerPairing::Start {
                session: "again".into(),
                passcode: PASSCODE,
            },
        ))
        .step(expect(
            "no window: InvalidState, unsealed",
            vec![status("app", 10, "InvalidState")],
        ))
        .step(sealed("app", "p", json!({}), read_level()))
        .step(expect(
            "the pairing context closed with the window: it answers retransmissions only, and \
             refuses the read",
            vec![sealed_answer(
                "app",
                3,
                "p",
                json!({"status": {"code": "Forbidden"}}),
            )],
        ))
        .build())
}

fn commission_reply_resent_once_claimed() -> Result<Vector, String> {
    let b = device(
        "sec.commission-reply-resent-once-claimed",
        "the reply to commission is lost: the controller's retransmission, which the claimed device \
         receives under the pairing context the claim closed and with an address it had not before, \
         is answered with the same reply; a new request under that context is refused Forbidden, \
         and once EXCHANGE_LIFETIME (247 s) has passed the context is gone and nothing opens under it",
        &["IOTP-SEC-38", "IOTP-MSG-56", "IOTP-MSG-136"],
    )?;
    let b = claimed(b)?;
    let commission = b.steps_so_far() - 2;
    Ok(b.step(repeat("app", commission))
        .step(expect(
            "the retransmission of commission: its reply again",
            vec![sealed_answer(
                "app",
                2,
                "p",
                json!({"invoke_response": {"output": ANY}}),
            )],
        ))
        .step(sealed("app", "p", json!({}), read_level()))
        .step(expect(
            "a new request under the closing pairing context: Forbidden",
            vec![sealed_answer(
                "app",
                3,
                "p",
                json!({"status": {"code": "Forbidden"}}),
            )],
        ))
        .step(at(248_000))
        .step(sealed("app", "p", json!({}), read_level()))
        .step(expecting(
            expect(
                "EXCHANGE_LIFETIME later the pairing context is gone: the read does not open",
                vec![status("app", 4, "Unauthenticated")],
            ),
            |e| {
                e.or = vec![vec![]];
            },
        ))
        .build())
}

fn busy_while_pairing() -> Result<Vector, String> {
    let b = device(
        "sec.pairing-busy-while-an-exchange-is-in-progress",
        "a second controller's pair_start while an exchange is in progress is answered Busy, with the \
         time left until PAIRING_EXCHANGE_TIMEOUT (30 s) in retry_after",
        &["IOTP-SEC-31"],
    )?;
    Ok(b.step(pairing(
        1,
        PeerPairing::Start {
            session: "p".into(),
            passcode: PASSCODE,
        },
    ))
    .step(expect("pair_start answered", vec![answered(1)]))
    .step(at(10_000))
    .step(with(plain("stranger", json!({"message_id": 1})), |s| {
        s.pairing = Some(PeerPairing::Start {
            session: "q".into(),
            passcode: PASSCODE,
        })
    }))
    .step(expect(
        "Busy, retry after the 20 s left of the exchange",
        vec![busy_to_stranger(1, 20)],
    ))
    .build())
}

/// The device's unsealed `Busy` to the stranger's request `message_id`, retry after `seconds`.
fn busy_to_stranger(message_id: u64, seconds: u32) -> SendPattern {
    to(
        "stranger",
        json!({"correlation_id": message_id, "sealed": ABSENT, "body": {"status": {"code": "Busy", "retry_after": seconds}}}),
    )
}

fn share_from_another_peer() -> Result<Vector, String> {
    let b = device(
        "sec.pairing-share-from-another-peer",
        "the exchange belongs to the hop peer whose pair_start the device answered: a stranger on the \
         link, refused Busy for its own pair_start, sends a pair_share computed from the device's \
         reply to the controller and a pair_confirm of its own making; each is answered Busy with the \
         time left of the exchange, and the controller's pair_share and pair_confirm then continue \
         it, and its pairing context serves add_peer: the stranger's messages, no events of the \
         state diagram, change no state",
        &["IOTP-SEC-35", "IOTP-SEC-203", "IOTP-SEC-31", "IOTP-SEC-148"],
    )?;
    let made_up_confirm = iotp2p_codec::security::owned::PairingConfirm {
        confirm_p: [0x5c; 32],
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    // The stranger numbers its envelopes apart from the controller's, so that each reply is
    // told apart by its correlation_id alone.
    let stranger = |message_id: u64, step: PeerPairing| {
        with(
            plain("stranger", json!({ "message_id": message_id })),
            |s| s.pairing = Some(step),
        )
    };
    let b = b
        .step(pairing(
            1,
            PeerPairing::Start {
                session: "p".into(),
                passcode: PASSCODE,
            },
        ))
        .step(expect("pair_start answered", vec![answered(1)]))
        .step(at(10_000))
        .step(stranger(
            11,
            PeerPairing::Start {
                session: "q".into(),
                passcode: 12_345_670,
            },
        ))
        .step(expect(
            "the stranger's pair_start: Busy",
            vec![busy_to_stranger(11, 20)],
        ))
        .step(stranger(
            12,
            PeerPairing::Share {
                session: "q".into(),
                reply_to: 0,
            },
        ))
        .step(expect(
            "the stranger's pair_share continues nothing: Busy",
            vec![busy_to_stranger(12, 20)],
        ))
        .step(plain(
            "stranger",
            json!({"message_id": 13, "body": {"invoke": {"endpoint": 0, "capability": 1, "action": 12, "input": hex(&made_up_confirm)}}}),
        ))
        .step(expect(
            "the stranger's pair_confirm continues nothing: Busy",
            vec![busy_to_stranger(13, 20)],
        ))
        .step(pairing(
            2,
            PeerPairing::Share {
                session: "p".into(),
                reply_to: 0,
            },
        ))
        .step(expect(
            "the controller's pair_share continues its exchange: shareV and confirmV",
            vec![answered(2)],
        ))
        .step(pairing(
            3,
            PeerPairing::Confirm {
                session: "p".into(),
                reply_to: 4,
            },
        ))
        .step(expect(
            "the controller's pair_confirm: confirmP verified, both hold the pairing context",
            vec![answered(3)],
        ));
    Ok(under_pairing(
        b,
        "add_peer under the controller's pairing context",
        claim()?.add_peer,
        0,
        json!({"invoke_response": {}}),
    )
    .build())
}

fn commission_needs_administer() -> Result<Vector, String> {
    let claim = claim()?;
    let b = device(
        "sec.commission-needs-an-administer-entry",
        "commission under the pairing context before acl_write gave the controller an Administer \
         entry is refused Forbidden, and the device stays unclaimed: commission succeeds once the \
         entry is written",
        &["IOTP-SEC-39"],
    )?;
    let b = paired(b, "p", PASSCODE, 1, 0);
    let b = under_pairing(
        b,
        "add_peer",
        claim.add_peer,
        0,
        json!({"invoke_response": {}}),
    );
    let b = under_pairing(
        b,
        "commission without an Administer entry: Forbidden",
        claim.commission.clone(),
        1,
        json!({"status": {"code": "Forbidden"}}),
    );
    let b = under_pairing(
        b,
        "acl_write",
        claim.acl_write,
        2,
        json!({"invoke_response": {}}),
    );
    Ok(under_pairing(
        b,
        "commission now succeeds",
        claim.commission,
        3,
        json!({"invoke_response": {"output": ANY}}),
    )
    .build())
}

/// `open_commissioning_window` with a PBKDF2 salt of `salt` and the verifier of `passcode` made with
/// it, or with `verifier` in its place.
fn window(passcode: u32, salt: &[u8], verifier: Option<Vec<u8>>) -> Result<Value, String> {
    window_granting(passcode, salt, verifier, READ_ANYWHERE)
}

/// What a window lets the new controller's entry grant: privileges (bits of §8.8.1) and one target
/// (endpoint, capability), or every target.
#[derive(Clone, Copy)]
pub(super) struct Grant {
    pub(super) privileges: u8,
    pub(super) target: Option<(Option<u16>, Option<u16>)>,
}

/// Read on every target: the grant of the owner's window in most scenarios.
pub(super) const READ_ANYWHERE: Grant = Grant {
    privileges: iotp2p_protocol::server::acl::privilege::READ,
    target: None,
};

/// `open_commissioning_window` with `passcode`, `salt`, the verifier computed from them unless
/// `verifier` is given, and `grant`.
pub(super) fn window_granting(
    passcode: u32,
    salt: &[u8],
    verifier: Option<Vec<u8>>,
    grant: Grant,
) -> Result<Value, String> {
    use iotp2p_codec::security::owned::PairingWindow;
    use iotp2p_protocol::security::spake2plus::ProverSecret;
    // With a salt too short to compute a verifier with, one of another salt: the device refuses the
    // window for its salt alone.
    let of = if salt.len() >= 16 { salt } else { &[0x11; 16] };
    let computed = ProverSecret::from_passcode(passcode, of, 1000)
        .map_err(|e| format!("{e:?}"))?
        .record()
        .to_bytes()
        .to_vec();
    let request = PairingWindow {
        timeout: 300,
        discriminator: 7,
        iterations: 1000,
        salt: salt.to_vec(),
        verifier: verifier
            .unwrap_or(computed)
            .try_into()
            .map_err(|_| "a verifier of w0 and L")?,
        privileges: grant.privileges,
        targets: grant.target.map(|(endpoint, capability)| {
            vec![iotp2p_codec::security::owned::AclTarget {
                endpoint,
                capability,
                unknown_fields: Default::default(),
            }]
        }),
        unknown_fields: Default::default(),
    };
    let input = request.encode_to_vec().map_err(|e| e.to_string())?;
    Ok(json!({"invoke": {"endpoint": 0, "capability": 1, "action": 26, "input": hex(&input)}}))
}

/// The device's sealed status `code` to the owner's request `n` under its EDHOC context.
fn owner_status(why: &str, n: u64, code: &str) -> Step {
    expect(
        why,
        vec![sealed_answer(
            "app",
            n,
            "owner",
            json!({"status": {"code": code}}),
        )],
    )
}

/// A device claimed by the controller, which has then run EDHOC with it as its owner (context
/// `owner`); the device has sent 8 datagrams.
pub(super) fn owned(id: &str, description: &str, requirements: &[&str]) -> Result<Builder, String> {
    owned_sending(id, description, requirements, false)
}

/// [`owned`], the controller's handshake sending its credential by value if `by_value`.
pub(super) fn owned_sending(
    id: &str,
    description: &str,
    requirements: &[&str],
    by_value: bool,
) -> Result<Builder, String> {
    owned_with(id, description, requirements, by_value, None)
}

/// [`owned_sending`], the owner's `then` sent right after its `edhoc_3` ([`handshake_followed`]).
pub(super) fn owned_with(
    id: &str,
    description: &str,
    requirements: &[&str],
    by_value: bool,
    then: Option<Follower>,
) -> Result<Builder, String> {
    let identity = IdentityKey::from_bytes(&DEVICE_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let device_ccs = hex(&credential(&identity, &DEVICE_KEYS.1, 7)?);
    let b = device(id, description, requirements)?.node(|n| {
        n.edhoc = Some(EdhocSetup {
            key: hex(&DEVICE_KEYS.1),
            credential: device_ccs,
            peers: Vec::new(),
        })
    });
    let b = claimed(b)?.step(rehome(LAMP));
    handshake_followed(
        b,
        Handshake {
            hop: "app",
            by_value,
            session: "owner",
            keys: &CONTROLLER_KEYS,
            kid: 9,
            address: CONTROLLER,
            first: 20,
            reply_to: 6,
        },
        "`done`: the controller is the peer its add_peer gave",
        "a100f6",
        then,
    )
}

fn commissioning_window_refusals() -> Result<Vector, String> {
    let b = owned(
        "sec.commissioning-window-refusals",
        "the owner, after claiming the device and running EDHOC with it as the peer it added, opens a \
         commissioning window: a salt shorter than 16 bytes and a verifier whose w0 is not below the \
         order of P-256 are refused ConstraintError; a valid window opens; a second one while it is \
         open is refused InvalidState; Security action 19 is UnknownMember; commission, the device \
         being claimed, is Forbidden",
        &[
            "IOTP-SEC-197",
            "IOTP-SEC-141",
            "IOTP-SEC-140",
            "IOTP-SEC-193",
            "IOTP-SEC-40",
        ],
    )?;
    let mut bad_w0 = vec![0xff; 32];
    bad_w0.extend_from_slice(
        &iotp2p_protocol::security::spake2plus::ProverSecret::from_passcode(
            31_415_926,
            &[0x22; 16],
            1000,
        )
        .map_err(|e| format!("{e:?}"))?
        .record()
        .to_bytes()[32..],
    );
    Ok(b.step(sealed(
        "app",
        "owner",
        json!({}),
        window(31_415_926, &[0x22; 8], None)?,
    ))
    .step(owner_status(
        "a salt of 8 bytes: ConstraintError",
        0,
        "ConstraintError",
    ))
    .step(sealed(
        "app",
        "owner",
        json!({}),
        window(31_415_926, &[0x22; 16], Some(bad_w0))?,
    ))
    .step(owner_status(
        "w0 not below n: ConstraintError",
        1,
        "ConstraintError",
    ))
    .step(sealed(
        "app",
        "owner",
        json!({}),
        window(31_415_926, &[0x33; 16], None)?,
    ))
    .step(expect(
        "a valid window opens",
        vec![sealed_answer(
            "app",
            2,
            "owner",
            json!({"invoke_response": {}}),
        )],
    ))
    .step(sealed(
        "app",
        "owner",
        json!({}),
        window(27_182_818, &[0x44; 16], None)?,
    ))
    .step(owner_status(
        "a window is open: InvalidState",
        3,
        "InvalidState",
    ))
    .step(sealed(
        "app",
        "owner",
        json!({}),
        json!({"invoke": {"endpoint": 0, "capability": 1, "action": 19}}),
    ))
    .step(owner_status(
        "action 19 is withdrawn: UnknownMember",
        4,
        "UnknownMember",
    ))
    .step(sealed("app", "owner", json!({}), claim()?.commission))
    .step(owner_status(
        "the device is claimed: commission is Forbidden",
        5,
        "Forbidden",
    ))
    .build())
}

/// The second controller's keys and address.
pub(super) const SECOND_KEYS: ([u8; 32], [u8; 32]) = ([0x81; 32], [0x82; 32]);
pub(super) const SECOND: &str = "guest@example.net";
/// The `kid` of the second controller's credential: another than the owner's, so that a handshake
/// by it finds no credential once the device has deleted this one.
pub(super) const SECOND_KID: u8 = 11;

/// The owner opens a commissioning window; a second controller pairs in it, is refused commission,
/// and adds itself (add_peer, acl_write of a Read entry at index 1), which closes the window. The
/// device has sent 15 datagrams.
pub(super) fn second_controller_added(
    id: &str,
    description: &str,
    requirements: &[&str],
) -> Result<Builder, String> {
    second_controller_granted(id, description, requirements, READ_ANYWHERE)
}

/// [`second_controller_added`] with a window, and an entry, of `grant`.
pub(super) fn second_controller_granted(
    id: &str,
    description: &str,
    requirements: &[&str],
    grant: Grant,
) -> Result<Builder, String> {
    let second = IdentityKey::from_bytes(&SECOND_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let b = owned(id, description, requirements)?
        .step(sealed(
            "app",
            "owner",
            json!({}),
            window_granting(WINDOW_PASSCODE, &[0x33; 16], None, grant)?,
        ))
        .step(expect(
            "the window opens",
            vec![sealed_answer(
                "app",
                0,
                "owner",
                json!({"invoke_response": {}}),
            )],
        ));
    let b = paired(b, "w", WINDOW_PASSCODE, 30, 9);
    let b = under_pairing_as(
        b,
        "w",
        "commission under a window's pairing context: Forbidden",
        claim()?.commission,
        0,
        json!({"status": {"code": "Forbidden"}}),
    );
    let b = under_pairing_as(
        b,
        "w",
        "add_peer: the second controller's credential statement",
        add_second()?,
        1,
        json!({"invoke_response": {}}),
    );
    Ok(under_pairing_as(
        b,
        "w",
        "acl_write at a free index, within the window's grant",
        json_of(&controller::grant(
            1,
            &second.node_id(),
            grant.privileges,
            grant.target,
            None,
        ))?,
        2,
        json!({"invoke_response": {}}),
    ))
}

/// `add_peer` of the second controller's credential statement.
pub(super) fn add_second() -> Result<Value, String> {
    json_of(&controller::add_peer(&statement(
        &SECOND_KEYS,
        SECOND,
        SECOND_KID,
    )?))
}

/// The passcode of the owner's commissioning window.
pub(super) const WINDOW_PASSCODE: u32 = 31_415_926;

fn commissioning_window_pairs_a_second_controller() -> Result<Vector, String> {
    Ok(second_controller_added(
        "sec.commissioning-window-pairs-a-second-controller",
        "the owner opens a commissioning window with a fresh passcode; a second controller pairs \
         with that passcode, is refused commission, adds itself with one add_peer and one acl_write \
         within the window's grant, and the window then closes: another pair_start is refused \
         InvalidState",
        &["IOTP-SEC-133", "IOTP-SEC-144", "IOTP-SEC-29"],
    )?
    .step(pairing(
        40,
        PeerPairing::Start {
            session: "again".into(),
            passcode: WINDOW_PASSCODE,
        },
    ))
    .step(expect(
        "the acl_write completed the pairing and closed the window: InvalidState",
        vec![status("app", 40, "InvalidState")],
    ))
    .build())
}

/// A controller's EDHOC handshake by `kid` with the device on the direct hop.
pub(super) struct Handshake<'a> {
    /// The direct hop the controller sends on.
    pub(super) hop: &'a str,
    /// Whether it sends its credential by value (a visitor, §8.4.6) rather than by `kid`.
    pub(super) by_value: bool,
    /// The context's name once the handshake completes.
    pub(super) session: &'a str,
    /// The controller's identity and authentication keys.
    pub(super) keys: &'a ([u8; 32], [u8; 32]),
    /// Its credential's `kid`.
    pub(super) kid: u8,
    /// Its address, in the envelopes and the associated data.
    pub(super) address: &'a str,
    /// The `message_id` of its `edhoc_1`; `edhoc_3`'s is the next.
    pub(super) first: u64,
    /// The device's datagram that carries message_2.
    pub(super) reply_to: usize,
}

/// Runs `h`; the device answers `edhoc_3` with `finish` (the output's bytes), as `why` says.
pub(super) fn handshake(
    b: Builder,
    h: Handshake<'_>,
    why: &str,
    finish: &str,
) -> Result<Builder, String> {
    handshake_followed(b, h, why, finish, None)
}

/// A request sealed under a context, sent right after the `edhoc_3` that establishes it, and the
/// pattern of the device's answer.
pub(super) type Follower = (Value, SendPattern);

/// [`handshake`], with `then` sent right after `edhoc_3`, before the device has answered it.
pub(super) fn handshake_followed(
    b: Builder,
    h: Handshake<'_>,
    why: &str,
    finish: &str,
    then: Option<Follower>,
) -> Result<Builder, String> {
    let identity = IdentityKey::from_bytes(&h.keys.0).map_err(|e| format!("{e:?}"))?;
    let ccs = hex(&credential(&identity, &h.keys.1, h.kid)?);
    let answer = |message_id: u64, output: &str| {
        vec![to(
            h.hop,
            json!({"correlation_id": message_id, "sealed": ABSENT, "body": {"invoke_response": {"output": output}}}),
        )]
    };
    let b = b
        .step(with(
            plain(h.hop, json!({"message_id": h.first, "sender": h.address})),
            |s| {
                s.edhoc = Some(PeerEdhoc::Message1 {
                    session: h.session.into(),
                    key: hex(&h.keys.1),
                    credential: ccs,
                    c_i: 1,
                    ephemeral: hex(&[0x31; 32]),
                    by_value: h.by_value,
                    address: Some(h.address.into()),
                })
            },
        ))
        .step(expect("message_2", answer(h.first, ANY)))
        .step(with(
            plain(
                h.hop,
                json!({"message_id": h.first + 1, "sender": h.address}),
            ),
            |s| {
                s.edhoc = Some(PeerEdhoc::Message3 {
                    session: h.session.into(),
                    reply_to: h.reply_to,
                })
            },
        ));
    let mut sends = answer(h.first + 1, finish);
    let b = match then {
        Some((body, pattern)) => {
            sends.push(pattern);
            b.step(sealed(h.hop, h.session, json!({}), body))
        }
        None => b,
    };
    Ok(b.step(expect(why, sends)))
}

/// The second controller's handshake, after [`second_controller_added`].
pub(super) fn second_handshake(b: Builder, why: &str, finish: &str) -> Result<Builder, String> {
    handshake(
        b,
        Handshake {
            hop: "app",
            by_value: false,
            session: "second",
            keys: &SECOND_KEYS,
            kid: SECOND_KID,
            address: SECOND,
            first: 50,
            reply_to: 15,
        },
        why,
        finish,
    )
}

fn window_entry_effective_after_the_handshake() -> Result<Vector, String> {
    let b = second_controller_added(
        "sec.window-entry-effective-after-the-handshake",
        "the entry a second controller wrote in a commissioning window becomes effective with its \
         first EDHOC handshake, within the window's timeout after the window closed: its read of \
         the level under the new context is answered",
        &["IOTP-SEC-146", "IOTP-SEC-147"],
    )?
    .step(at(299_000));
    Ok(second_handshake(b, "`done`", "a100f6")?
        .step(sealed("app", "second", json!({}), read_level()))
        .step(expect(
            "the entry allows the read",
            vec![sealed_answer("app", 0, "second", json!({"report": {}}))],
        ))
        .build())
}

fn window_entry_gone_after_its_timeout() -> Result<Vector, String> {
    let b = second_controller_added(
        "sec.window-entry-gone-after-its-timeout",
        "an entry written in a commissioning window that has not become effective within the \
         window's timeout (300 s) after the window closed is deleted with the credential statement \
         added with it: the second controller's EDHOC handshake by kid then gets EDHOC error code 3",
        &["IOTP-SEC-147"],
    )?
    .step(at(300_000));
    Ok(second_handshake(
        b,
        "the credential is gone: error code 3, \"unknown credential referenced\"",
        "a1024203f5",
    )?
    .build())
}
