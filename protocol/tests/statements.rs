//! Node IDs, authentication credentials and signed statements, against the vectors of spec chapter
//! 13 (§13.4 and §13.5), and properties of signing and verification.
//!
//! Each `iotp-vector` block of the kinds `node-id`, `ccs`, `ecdsa`, `signed-statement` and
//! `statement-fail` is recomputed with this crate: node IDs and their text form, credentials, the
//! Sig_structure, the signatures (byte-equal, since the nonces are RFC 6979's) and the encoded
//! `SignedStatement`; every statement verifies as its kind requires, and every statement that must be
//! refused is refused by the check the chapter names. The test fails if a kind has fewer vectors than
//! the chapter holds today, so that it cannot pass on a chapter that lost its vectors.

use iotp2p_codec::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::generated::from_json;
use iotp2p_codec::runtime::UnknownFields;
use iotp2p_codec::security::{
    AclTarget, CredentialStatement, IntroductionStatement, KeyRotationStatement, RehomingStatement,
    RevocationReason, RevocationStatement, Signature, SignedStatement, Statement,
};
use iotp2p_protocol::security::identity::{sig_structure, IdentityKey, MAX_SIG_STRUCTURE};
use iotp2p_protocol::security::node_id::{cose_key, IdentityPublicKey, NodeId};
use iotp2p_protocol::security::statement::{
    self as st, ccs, IntroductionSerials, StatementError, SubjectView, Trust,
};
use proptest::prelude::*;

const CHAPTER: &str = "13-security-test-vectors.md";

// -------------------------------------------------------------------------------------------------
// The block format of §13.2, as far as these kinds need it
// -------------------------------------------------------------------------------------------------

/// One `iotp-vector` block; items are taken as they are checked, and none may be left over.
struct Block {
    kind: String,
    line: usize,
    items: BTreeMap<String, String>,
}

impl Block {
    fn label(&self) -> String {
        format!("{CHAPTER}:{} ({})", self.line, self.kind)
    }

    fn opt(&mut self, name: &str) -> Option<String> {
        self.items.remove(name)
    }

    fn text(&mut self, name: &str) -> String {
        let label = self.label();
        self.opt(name)
            .unwrap_or_else(|| panic!("{label}: no item `{name}`"))
    }

    fn hex(&mut self, name: &str) -> Vec<u8> {
        let text = self.text(name);
        assert!(
            text.len() % 2 == 0,
            "{}: `{name}` has an odd length",
            self.label()
        );
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hexadecimal"))
            .collect()
    }

    fn hex32(&mut self, name: &str) -> [u8; 32] {
        let label = self.label();
        self.hex(name)
            .try_into()
            .unwrap_or_else(|_| panic!("{label}: `{name}` is not 32 bytes"))
    }

    /// Every item was checked.
    fn finish(&self) {
        assert!(
            self.items.is_empty(),
            "{}: unchecked items {:?}",
            self.label(),
            self.items.keys()
        );
    }
}

fn blocks() -> Vec<Block> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../spec")
        .join(CHAPTER);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line != "```iotp-vector" {
            continue;
        }
        let mut kind = None;
        let mut items = BTreeMap::new();
        for (m, line) in lines.by_ref() {
            if line == "```" {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("{CHAPTER}:{}: not `name: value`", m + 1));
            let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
            if name == "kind" && kind.is_none() {
                kind = Some(value);
            } else {
                assert!(
                    items.insert(name.to_owned(), value).is_none(),
                    "{CHAPTER}:{}: `{name}` twice",
                    m + 1
                );
            }
        }
        let kind = kind.unwrap_or_else(|| panic!("{CHAPTER}:{}: no kind", n + 1));
        out.push(Block {
            kind,
            line: n + 1,
            items,
        });
    }
    out
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_eq(block: &mut Block, name: &str, computed: &[u8]) {
    let label = block.label();
    let stated = block.hex(name);
    assert!(
        stated == computed,
        "{label}: `{name}` differs\n  stated:   {}\n  computed: {}",
        to_hex(&stated),
        to_hex(computed)
    );
}

// -------------------------------------------------------------------------------------------------
// The checks of each kind
// -------------------------------------------------------------------------------------------------

/// The identity keys of the `node-id` vectors, by name.
type Keys = BTreeMap<String, IdentityKey>;

fn check_node_id(b: &mut Block, keys: &mut Keys) {
    let key = IdentityKey::from_bytes(&b.hex32("d")).expect("a private key");
    let public = *key.public_key();
    check_eq(b, "x", public.x());
    check_eq(b, "y", public.y());
    check_eq(b, "cose_key", &cose_key(public.x(), public.y()));
    let node_id = key.node_id();
    check_eq(b, "node_id", node_id.as_bytes());
    let text = b.text("text");
    assert_eq!(node_id.to_text().as_str(), text, "{}", b.label());
    assert_eq!(NodeId::parse(&text), Ok(node_id), "{}", b.label());
    let again = IdentityPublicKey::from_coordinates(public.x(), public.y()).expect("on the curve");
    assert_eq!(again.node_id(), node_id);
    let name = b.text("name");
    assert!(
        keys.insert(name, key).is_none(),
        "{}: name twice",
        b.label()
    );
}

fn check_ccs(b: &mut Block, keys: &Keys) {
    let owner = keys[&b.text("owner")].node_id();
    // The authentication key is a Diffie-Hellman key, not an identity key: derived with `p256`.
    let secret = p256::SecretKey::from_slice(&b.hex("d")).expect("a private key");
    let point =
        p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&secret.public_key(), false);
    let (x, y): ([u8; 32], [u8; 32]) = (
        point.x().unwrap().as_slice().try_into().unwrap(),
        point.y().unwrap().as_slice().try_into().unwrap(),
    );
    check_eq(b, "x", &x);
    check_eq(b, "y", &y);
    let kid = b.hex("kid");
    let built = ccs::p256_credential(&owner, &kid, &x, &y).expect("encodes");
    assert_eq!(
        built.len(),
        137,
        "{}: a P-256 CCS with a one-byte kid",
        b.label()
    );
    check_eq(b, "ccs", &built);
    let parsed = ccs::parse(&built).expect("a CCS");
    assert_eq!(parsed.sub, owner.to_text().as_str());
    assert_eq!(parsed.kid, &kid[..]);
    assert_eq!(parsed.key, ccs::CcsKey::P256 { x: &x, y: &y });
}

/// RFC 6979 A.2.5. The crate signs nothing but statements ([IOTP-SEC-3]) and has no function that
/// signs raw bytes, so these two blocks are checked with `p256`, the implementation its identity key
/// calls; the crate's own unit test (`identity::tests::rfc_6979_a_2_5`) runs them through that call.
fn check_ecdsa(b: &mut Block) {
    use p256::ecdsa::signature::Signer;
    let key = p256::ecdsa::SigningKey::from_slice(&b.hex("d")).expect("a private key");
    let message = b.hex("message");
    let signature: p256::ecdsa::Signature = key.sign(&message);
    check_eq(b, "signature", &signature.to_bytes());
}

/// The items shared by `signed-statement` and `statement-fail`: the payload from its JSON, the
/// Sig_structure, and the encoded `SignedStatement` from the payload and the stated signatures.
/// Returns the kind, the encoded statement and the signers' names.
fn check_statement_items(b: &mut Block, keys: &Keys) -> (String, Vec<u8>, Vec<String>) {
    b.text("id");
    let kind = b.text("statement");
    let json: serde_json::Value = serde_json::from_str(&b.text("payload_json")).expect("JSON");
    assert!(
        json.get(&kind).is_some(),
        "{}: payload_json is not a {kind}",
        b.label()
    );
    let payload = from_json("iotp2p.security.Statement", &json)
        .expect("a generated type")
        .expect("encodes");
    check_eq(b, "payload", &payload);
    let mut structure = [0u8; MAX_SIG_STRUCTURE];
    let n = sig_structure(&payload, &mut structure).expect("a payload within bounds");
    check_eq(b, "sig_structure", &structure[..n]);
    let mut names = Vec::new();
    let mut values = Vec::new();
    for i in 1..=2 {
        let Some(name) = b.opt(&format!("signer_{i}")) else {
            break;
        };
        let value: [u8; 64] = b
            .hex(&format!("signature_{i}"))
            .try_into()
            .expect("64 bytes");
        values.push((*keys[&name].node_id().as_bytes(), value));
        names.push(name);
    }
    let signatures: Vec<Signature<'_>> = values
        .iter()
        .map(|(signer, value)| Signature {
            signer,
            value,
            unknown_fields: UnknownFields::NONE,
        })
        .collect();
    let signed = SignedStatement {
        payload: &payload,
        signatures: signatures.as_slice().into(),
        unknown_fields: UnknownFields::NONE,
    };
    let mut encoded = vec![0u8; signed.encoded_len()];
    let n = signed.encode(&mut encoded).expect("encodes");
    encoded.truncate(n);
    check_eq(b, "signed_statement", &encoded);
    (kind, encoded, names)
}

/// What a receiver holds: these identity keys, and these administrators.
fn trust_of<'k>(known: &'k [IdentityPublicKey], admins: &'k [NodeId]) -> Trust<'k> {
    Trust {
        known,
        administrators: admins,
        rotated_away: &[],
    }
}

/// Verifies `signed` as the receiver of its kind in the chapter's examples would: it holds the keys of
/// the lamp, the controller and the app, and the controller administers it.
fn verify(kind: &str, signed: &[u8], keys: &Keys) -> Result<(), StatementError> {
    let known: Vec<IdentityPublicKey> = ["lamp", "controller", "app"]
        .iter()
        .map(|n| *keys[*n].public_key())
        .collect();
    let admins = [keys["controller"].node_id()];
    let trust = trust_of(&known, &admins);
    match kind {
        "credential" => st::verify_credential(signed).map(drop),
        "rehoming" => st::verify_rehoming(signed, &trust, "lamp@home.example.org", 0).map(drop),
        "key_rotation" => st::verify_key_rotation(signed, &trust).map(drop),
        "revocation" => st::verify_revocation(signed, &trust).map(drop),
        "introduction" => {
            let view = SubjectView {
                own: keys["lamp"].node_id(),
                peer: keys["app"].node_id(),
                revoked: &[],
                now: Some(1_796_119_200_000),
            };
            st::verify_introduction_at_subject(signed, &trust, &view, |_| {
                IntroductionSerials::default()
            })?;
            st::verify_introduction_at_audience(
                signed,
                keys["controller"].public_key(),
                &keys["app"].node_id(),
            )
            .map(drop)
        }
        other => panic!("unknown statement kind {other:?}"),
    }
}

/// Signs the payload of `signed` again with this crate, as its kind's signing function does.
fn resign(kind: &str, signed: &[u8], signers: &[&IdentityKey]) -> Vec<u8> {
    let payload = SignedStatement::decode(signed).expect("decodes").payload;
    let statement = Statement::decode(payload).expect("decodes");
    match (kind, statement) {
        ("credential", Statement::Credential(s)) => st::sign_credential(signers[0], &s),
        ("rehoming", Statement::Rehoming(s)) => {
            st::sign_rehoming(signers[0], &s, signers.get(1).copied())
        }
        ("key_rotation", Statement::KeyRotation(s)) => {
            st::sign_key_rotation(signers[0], signers[1], &s)
        }
        ("revocation", Statement::Revocation(s)) => st::sign_revocation(signers[0], &s),
        ("introduction", Statement::Introduction(s)) => st::sign_introduction(signers[0], &s),
        (kind, statement) => panic!("{kind} is not {statement:?}"),
    }
    .expect("signs")
}

fn check_signed_statement(
    b: &mut Block,
    keys: &Keys,
    by_id: &mut BTreeMap<String, Vec<u8>>,
) -> String {
    let id = b.items.get("id").cloned().unwrap_or_default();
    let (kind, signed, names) = check_statement_items(b, keys);
    let signers: Vec<&IdentityKey> = names.iter().map(|n| &keys[n]).collect();
    assert_eq!(
        resign(&kind, &signed, &signers),
        signed,
        "{}: signed again",
        b.label()
    );
    verify(&kind, &signed, keys).unwrap_or_else(|e| panic!("{}: refused: {e}", b.label()));
    by_id.insert(id, signed);
    kind
}

fn check_statement_fail(b: &mut Block, keys: &Keys) -> String {
    let (kind, signed, _) = check_statement_items(b, keys);
    let failure = b.text("failure");
    let error = verify(&kind, &signed, keys).expect_err(&format!("{}: accepted", b.label()));
    let as_stated = match failure.as_str() {
        "signature" => matches!(error, StatementError::BadSignature { .. }),
        "signers" => error.requirement() == "IOTP-SEC-14",
        "ccs-sub" => matches!(error, StatementError::CcsSub { .. }),
        other => panic!("{}: unknown failure {other:?}", b.label()),
    };
    assert!(
        as_stated,
        "{}: refused with {error:?}, not by `{failure}`",
        b.label()
    );
    failure
}

/// The rules around the vectors that need the receiver's state: a replaced credential, a re-homing
/// accepted before, the introduction serial and its expiry (the "must fail" list of §8.5.8.2).
fn check_state_rules(keys: &Keys, by_id: &BTreeMap<String, Vec<u8>>) {
    let credential = st::verify_credential(&by_id["credential"]).unwrap();
    assert_eq!(credential.node_id, keys["lamp"].node_id());
    assert_eq!(st::accepts_replacement(0, &credential), Ok(()));
    assert_eq!(
        st::accepts_replacement(1, &credential),
        Err(StatementError::StaleSerial {
            held: 1,
            received: 1
        })
    );

    let known = [*keys["lamp"].public_key(), *keys["controller"].public_key()];
    let admins = [keys["controller"].node_id()];
    let trust = trust_of(&known, &admins);
    let rehoming = &by_id["rehoming"];
    assert_eq!(
        st::verify_rehoming(rehoming, &trust, "lamp@home.example.org", 1).unwrap_err(),
        StatementError::StaleSequence {
            accepted: 1,
            received: 1
        }
    );
    assert_eq!(
        st::verify_rehoming(rehoming, &trust, "lamp@lamps.example.org", 0).unwrap_err(),
        StatementError::PreviousAddress
    );
    let countersigned = st::verify_rehoming(
        &by_id["rehoming-countersigned"],
        &trust,
        "lamp@home.example.org",
        0,
    )
    .unwrap();
    assert_eq!(
        countersigned.countersigner,
        Some(keys["controller"].node_id())
    );
    assert_eq!(
        st::countersign_rehoming(rehoming, &keys["controller"]).unwrap(),
        by_id["rehoming-countersigned"]
    );
    // A countersignature by a node the receiver does not know.
    let by_app = st::countersign_rehoming(rehoming, &keys["app"]).unwrap();
    assert_eq!(
        st::verify_rehoming(&by_app, &trust, "lamp@home.example.org", 0).unwrap_err(),
        StatementError::UnknownSigner { index: 1 }
    );

    // A move to an address not in canonical form: the signer refuses to write it (IOTP-ADDR-1), and a
    // receiver refuses it even with a valid signature (IOTP-ADDR-2).
    let lamp_id = keys["lamp"].node_id();
    let uppercase = RehomingStatement {
        node: lamp_id.as_bytes(),
        previous_address: "lamp@home.example.org",
        new_address: "Lamp@lamps.example.org",
        sequence: 1,
        grace_period: 2_592_000,
        issued_at: None,
        unknown_fields: UnknownFields::NONE,
    };
    assert!(matches!(
        st::sign_rehoming(&keys["lamp"], &uppercase, None),
        Err(st::SignError::Refused(StatementError::Address(_)))
    ));
    let forged = sign_unchecked(&Statement::Rehoming(uppercase), &keys["lamp"]);
    let error = st::verify_rehoming(&forged, &trust, "lamp@home.example.org", 0).unwrap_err();
    assert!(matches!(error, StatementError::Address(_)), "{error:?}");
    assert_eq!(error.requirement(), "IOTP-ADDR-2");

    // After the rotation the lamp's old node ID signs nothing more (IOTP-SEC-121).
    let rotated = [keys["lamp"].node_id()];
    let after = Trust {
        rotated_away: &rotated,
        ..trust
    };
    assert_eq!(
        st::verify_rehoming(rehoming, &after, "lamp@home.example.org", 0).unwrap_err(),
        StatementError::RotatedAway { index: 0 }
    );
    let rotation = st::verify_key_rotation(&by_id["key_rotation"], &trust).unwrap();
    assert_eq!(
        rotation.new_identity_key.node_id(),
        keys["lamp-2"].node_id()
    );

    // A revocation by the app of the lamp: the app administers nothing.
    let known = [
        *keys["lamp"].public_key(),
        *keys["controller"].public_key(),
        *keys["app"].public_key(),
    ];
    let trust = trust_of(&known, &admins);
    let revocation = st::verify_revocation(&by_id["revocation"], &trust).unwrap();
    assert_eq!(revocation.revoked, keys["app"].node_id());
    let lamp = keys["lamp"].node_id();
    let payload = RevocationStatement {
        node: lamp.as_bytes(),
        reason: RevocationReason::from_u32(1),
        issued_at: None,
        unknown_fields: UnknownFields::NONE,
    };
    let by_app = st::sign_revocation(&keys["app"], &payload).unwrap();
    assert_eq!(
        st::verify_revocation(&by_app, &trust).unwrap_err(),
        StatementError::NotAdministrator { index: 0 }
    );

    // The introduction at the lamp: used once, then replayed; past not_after; without a clock.
    let introduction = &by_id["introduction"];
    let view = SubjectView {
        own: keys["lamp"].node_id(),
        peer: keys["app"].node_id(),
        revoked: &[],
        now: Some(1_796_724_000_000),
    };
    let mut serials = IntroductionSerials::default();
    let accepted =
        st::verify_introduction_at_subject(introduction, &trust, &view, |_| serials).unwrap();
    serials.record(accepted.statement.serial);
    assert_eq!(
        st::verify_introduction_at_subject(introduction, &trust, &view, |_| serials).unwrap_err(),
        StatementError::SerialReplayed { serial: 1 }
    );
    let replayed =
        st::verify_introduction_at_subject(introduction, &trust, &view, |_| serials).unwrap_err();
    assert_eq!(replayed.introduce_status(), StatusCode::InvalidState);
    let late = SubjectView {
        now: Some(1_796_724_000_001),
        ..view
    };
    assert_eq!(
        st::verify_introduction_at_subject(introduction, &trust, &late, |_| {
            IntroductionSerials::default()
        })
        .unwrap_err(),
        StatementError::Expired {
            not_after: 1_796_724_000_000
        }
    );
    let clockless = SubjectView { now: None, ..view };
    assert_eq!(
        st::verify_introduction_at_subject(introduction, &trust, &clockless, |_| {
            IntroductionSerials::default()
        })
        .unwrap_err(),
        StatementError::TimeUnknown
    );
    let revoked = [keys["app"].node_id()];
    let revoking = SubjectView {
        revoked: &revoked,
        ..view
    };
    assert_eq!(
        st::verify_introduction_at_subject(introduction, &trust, &revoking, |_| {
            IntroductionSerials::default()
        })
        .unwrap_err(),
        StatementError::AudienceRevoked
    );
    // Presented over the controller's context instead of the app's.
    let stolen = SubjectView {
        peer: keys["controller"].node_id(),
        ..view
    };
    assert_eq!(
        st::verify_introduction_at_subject(introduction, &trust, &stolen, |_| {
            IntroductionSerials::default()
        })
        .unwrap_err(),
        StatementError::NotAudience
    );
    // At the audience, with the lamp's credential statement of the vectors (IOTP-SEC-181).
    let at_app = st::verify_introduction_at_audience(
        introduction,
        keys["controller"].public_key(),
        &keys["app"].node_id(),
    )
    .unwrap();
    assert_eq!(at_app.check_subject_credential(&credential), Ok(()));
    assert_eq!(
        st::verify_introduction_at_audience(
            introduction,
            keys["controller"].public_key(),
            &keys["lamp"].node_id()
        )
        .unwrap_err(),
        StatementError::NotAudience
    );
}

/// A `SignedStatement` of `statement` with `key`'s signature, made without the signing functions'
/// checks: what a careless or hostile signer sends.
fn sign_unchecked(statement: &Statement<'_>, key: &IdentityKey) -> Vec<u8> {
    let mut payload = vec![0u8; statement.encoded_len()];
    let n = statement.encode(&mut payload).unwrap();
    payload.truncate(n);
    let value = key.sign_payload(&payload).unwrap();
    let node = key.node_id();
    let signatures = [Signature {
        signer: node.as_bytes(),
        value: &value,
        unknown_fields: UnknownFields::NONE,
    }];
    let signed = SignedStatement {
        payload: &payload,
        signatures: signatures.as_slice().into(),
        unknown_fields: UnknownFields::NONE,
    };
    let mut out = vec![0u8; signed.encoded_len()];
    let n = signed.encode(&mut out).unwrap();
    out.truncate(n);
    out
}

#[test]
fn chapter_13_node_ids_credentials_and_statements() {
    let mut blocks = blocks();
    let mut keys = Keys::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut kinds = std::collections::BTreeSet::new();
    let mut failures = std::collections::BTreeSet::new();
    let mut by_id = BTreeMap::new();
    // Keys first: the other blocks name them.
    for b in blocks.iter_mut().filter(|b| b.kind == "node-id") {
        check_node_id(b, &mut keys);
        b.finish();
        *counts.entry(b.kind.clone()).or_default() += 1;
    }
    for b in blocks.iter_mut() {
        match b.kind.as_str() {
            "ccs" => check_ccs(b, &keys),
            "ecdsa" => check_ecdsa(b),
            "signed-statement" => {
                kinds.insert(check_signed_statement(b, &keys, &mut by_id));
            }
            "statement-fail" => {
                failures.insert(check_statement_fail(b, &keys));
            }
            // Sealing and pairing codes (§13.3, §13.6) are other modules' vectors.
            _ => continue,
        }
        b.finish();
        *counts.entry(b.kind.clone()).or_default() += 1;
    }
    check_state_rules(&keys, &by_id);

    eprintln!("chapter 13 vectors checked: {counts:?}");
    for (kind, least) in [
        ("node-id", 4),
        ("ccs", 3),
        ("ecdsa", 2),
        ("signed-statement", 6),
        ("statement-fail", 3),
    ] {
        let n = counts.get(kind).copied().unwrap_or(0);
        assert!(
            n >= least,
            "{n} `{kind}` vectors read; the chapter has {least}"
        );
    }
    let all = [
        "credential",
        "introduction",
        "key_rotation",
        "rehoming",
        "revocation",
    ];
    assert_eq!(kinds.iter().map(String::as_str).collect::<Vec<_>>(), all);
    let all = ["ccs-sub", "signature", "signers"];
    assert_eq!(failures.iter().map(String::as_str).collect::<Vec<_>>(), all);
}

// -------------------------------------------------------------------------------------------------
// Properties
// -------------------------------------------------------------------------------------------------

fn key() -> impl Strategy<Value = IdentityKey> {
    any::<[u8; 32]>().prop_filter_map("a P-256 scalar", |d| IdentityKey::from_bytes(&d).ok())
}

fn address() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,12}@[a-z]{1,10}\\.(org|net|example)"
}

/// A signed statement of each kind, the bytes a receiver accepts, and how it verifies them.
#[derive(Debug, Clone)]
struct Case {
    kind: &'static str,
    signed: Vec<u8>,
    subject: IdentityKey,
    other: IdentityKey,
    address: String,
}

impl Case {
    fn verify(&self, bytes: &[u8]) -> Result<(), StatementError> {
        let known = [*self.subject.public_key(), *self.other.public_key()];
        let admins = [self.other.node_id()];
        let trust = Trust {
            known: &known,
            administrators: &admins,
            rotated_away: &[],
        };
        match self.kind {
            "credential" => st::verify_credential(bytes).map(drop),
            "rehoming" => st::verify_rehoming(bytes, &trust, &self.address, 0).map(drop),
            "key_rotation" => st::verify_key_rotation(bytes, &trust).map(drop),
            "revocation" => st::verify_revocation(bytes, &trust).map(drop),
            _ => {
                let view = SubjectView {
                    own: self.subject.node_id(),
                    peer: self.other.node_id(),
                    revoked: &[],
                    now: Some(0),
                };
                st::verify_introduction_at_subject(bytes, &trust, &view, |_| {
                    IntroductionSerials::default()
                })
                .map(drop)
            }
        }
    }
}

prop_compose! {
    fn case()(
        kind in 0usize..6,
        subject in key(),
        other in key(),
        address in address(),
        new_address in address(),
        serial in 1u32..,
        time in proptest::option::of(any::<u64>()),
        kid in proptest::collection::vec(any::<u8>(), 0..4),
    ) -> Case {
        let (node, other_id) = (subject.node_id(), other.node_id());
        let kinds = ["credential", "rehoming", "rehoming", "key_rotation", "revocation", "introduction"];
        let signed = match kind {
            0 => {
                let public = subject.public_key();
                // Another valid point stands in for the Diffie-Hellman key, which must not be the
                // identity key (IOTP-SEC-6).
                let dh = other.public_key();
                let ccs = ccs::p256_credential(&node, &kid, dh.x(), dh.y()).unwrap();
                let credentials = [ccs.as_slice()];
                let suites = [2];
                let statement = CredentialStatement {
                    identity_key: public.to_schema(),
                    address: Some(&address),
                    auth_credentials: credentials.as_slice().into(),
                    serial,
                    suites: suites.as_slice().into(),
                    issued_at: time,
                    unknown_fields: UnknownFields::NONE,
                };
                st::sign_credential(&subject, &statement).unwrap()
            }
            1 | 2 => {
                let statement = RehomingStatement {
                    node: node.as_bytes(),
                    previous_address: &address,
                    new_address: &new_address,
                    sequence: serial,
                    grace_period: 2_592_000,
                    issued_at: time,
                    unknown_fields: UnknownFields::NONE,
                };
                st::sign_rehoming(&subject, &statement, (kind == 2).then_some(&other)).unwrap()
            }
            3 => {
                let statement = KeyRotationStatement {
                    previous_node: node.as_bytes(),
                    new_identity_key: other.public_key().to_schema(),
                    issued_at: time,
                    unknown_fields: UnknownFields::NONE,
                };
                st::sign_key_rotation(&subject, &other, &statement).unwrap()
            }
            4 => {
                let statement = RevocationStatement {
                    node: node.as_bytes(),
                    reason: RevocationReason::from_u32(serial % 4),
                    issued_at: time,
                    unknown_fields: UnknownFields::NONE,
                };
                st::sign_revocation(&other, &statement).unwrap()
            }
            _ => {
                let targets = [AclTarget { endpoint: Some(1), capability: None, unknown_fields: UnknownFields::NONE }];
                let statement = IntroductionStatement {
                    subject: node.as_bytes(),
                    subject_address: Some(&address),
                    audience: other_id.as_bytes(),
                    privileges: 13,
                    targets: Some(targets.as_slice().into()),
                    serial,
                    not_after: time,
                    issued_at: None,
                    unknown_fields: UnknownFields::NONE,
                };
                st::sign_introduction(&other, &statement).unwrap()
            }
        };
        Case { kind: kinds[kind], signed, subject, other, address }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// What a signer makes, a receiver accepts, and the payload decodes to what was signed.
    #[test]
    fn sign_then_verify(case in case()) {
        prop_assert_eq!(case.verify(&case.signed), Ok(()), "{}", case.kind);
    }

    /// Any one changed byte of a signed statement makes it refused, never accepted and never a panic.
    #[test]
    fn one_changed_byte_is_refused(case in case(), at in any::<prop::sample::Index>(), mask in 1u8..) {
        let mut bytes = case.signed.clone();
        let i = at.index(bytes.len());
        bytes[i] ^= mask;
        prop_assert!(case.verify(&bytes).is_err(), "{}: byte {} ^ {:#04x} accepted", case.kind, i, mask);
    }

    /// Arbitrary bytes are refused without a panic, by every verifier.
    #[test]
    fn arbitrary_bytes_never_panic(case in case(), bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(case.verify(&bytes).is_err());
        let _ = ccs::parse(&bytes);
    }

    /// Text forms round-trip, and parsing any text never panics.
    #[test]
    fn node_id_text(bytes in any::<[u8; 32]>(), text in "[a-z2-7-]{0,70}") {
        let id = NodeId::from_bytes(bytes);
        prop_assert_eq!(NodeId::parse(id.to_text().as_str()), Ok(id));
        if let Ok(parsed) = NodeId::parse(&text) {
            let again = parsed.to_text();
            prop_assert_eq!(again.as_str(), text.replace('-', ""));
        }
    }
}

proptest! {
    /// The introduction serial window agrees with a model that remembers every accepted serial: a
    /// serial is acceptable iff it is above the greatest, or one of the 32 below it not accepted yet
    /// ([IOTP-SEC-186]).
    #[test]
    fn introduction_serials_agree_with_a_model(serials in proptest::collection::vec(0u32..120, 0..60), probe in 0u32..130) {
        let mut window = IntroductionSerials::default();
        let mut accepted = std::collections::BTreeSet::new();
        for serial in serials {
            if window.check(serial).is_ok() {
                window.record(serial);
                accepted.insert(serial);
            }
        }
        let greatest = accepted.last().copied().unwrap_or(0);
        let expected = probe > greatest
            || (probe != 0 && (1..=32).contains(&(greatest - probe)) && !accepted.contains(&probe));
        prop_assert_eq!(window.check(probe).is_ok(), expected);
        prop_assert_eq!(window.greatest(), greatest);
    }
}
