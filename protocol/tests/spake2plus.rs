//! SPAKE2+ (spec §8.3.3, RFC 9383) and the pairing context (§8.3.4): the RFC's test vector through
//! both roles, the spec's worked examples and vectors, refusals, and a randomised round trip; then
//! the device's Security service as a server hands it the pairing requests: whose exchange a
//! `pair_share` or `pair_confirm` continues.

use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::UnknownFields;
use iotp2p_codec::security::{PairingParams, PairingStart};
use iotp2p_protocol::security::spake2plus::{
    pairing_context, pairing_context_hash, Error, Inputs, InvalidPoint, PairingRole, Prover,
    ProverSecret, Verifier, VerifierRecord, KEY_LEN, SHARE_LEN,
};
use iotp2p_protocol::security::{Exchange, KeyId, ReplayWindow, Routing};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::PrimeField;
use proptest::prelude::*;

mod common;

fn unhex(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd hex length");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn unhex_array<const N: usize>(hex: &str) -> [u8; N] {
    unhex(hex).try_into().expect("length")
}

// ---------------------------------------------------------------------------------------------
// RFC 9383, appendix C: the vector of P256-SHA256-HKDF-SHA256-HMAC-SHA256, copied from the RFC.

/// The vector's `Context`.
const CONTEXT: &[u8] = b"SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 Test Vectors";
/// The vector's `idProver`.
const ID_PROVER: &[u8] = b"client";
/// The vector's `idVerifier`.
const ID_VERIFIER: &[u8] = b"server";

/// w0.
const W0: &str = "bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3";

/// w1.
const W1: &str = "7e945f34d78785b8a3ef44d0df5a1a97d6b3b460409a345ca7830387a74b1dba";

/// L = w1·P.
const L: &str = concat!(
    "04eb7c9db3d9a9eb1f8adab81b5794c1f13ae3e225efbe91ea487425854c7fc00f00bfedcbd09b2400142d40",
    "a14f2064ef31dfaa903b91d1faea7093d835966efd",
);

/// The prover's x.
const X: &str = "d1232c8e8693d02368976c174e2088851b8365d0d79a9eee709c6a05a2fad539";

/// shareP = X.
const SHARE_P: &str = concat!(
    "04ef3bd051bf78a2234ec0df197f7828060fe9856503579bb1733009042c15c0c1de127727f418b5966afadf",
    "dd95a6e4591d171056b333dab97a79c7193e341727",
);

/// The verifier's y.
const Y: &str = "717a72348a182085109c8d3917d6c43d59b224dc6a7fc4f0483232fa6516d8b3";

/// shareV = Y.
const SHARE_V: &str = concat!(
    "04c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb5cc1ca7494db39e82ff2f5",
    "0665255d76173e09986ab46742c798a9a68437b048",
);

/// Z.
const Z: &str = concat!(
    "04bbfce7dd7f277819c8da21544afb7964705569bdf12fb92aa388059408d50091a0c5f1d3127f56813b5337",
    "f9e4e67e2ca633117a4fbd559946ab474356c41839",
);

/// V.
const V: &str = concat!(
    "0458bf27c6bca011c9ce1930e8984a797a3419797b936629a5a937cf2f11c8b9514b82b993da8a46e664f23d",
    "b7c01edc87faa530db01c2ee405230b18997f16b68",
);

/// The transcript TT.
const TT: &str = concat!(
    "38000000000000005350414b45322b2d503235362d5348413235362d484b44462d5348413235362d484d4143",
    "2d534841323536205465737420566563746f72730600000000000000636c69656e7406000000000000007365",
    "72766572410000000000000004886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa1",
    "2f5ff355163e43ce224e0b0e65ff02ac8e5c7be09419c785e0ca547d55a12e2d20410000000000000004d8bb",
    "d6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b4907d60aa6bfade45008a636337f51",
    "68c64d9bd36034808cd564490b1e656edbe7410000000000000004ef3bd051bf78a2234ec0df197f7828060f",
    "e9856503579bb1733009042c15c0c1de127727f418b5966afadfdd95a6e4591d171056b333dab97a79c7193e",
    "341727410000000000000004c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb",
    "5cc1ca7494db39e82ff2f50665255d76173e09986ab46742c798a9a68437b048410000000000000004bbfce7",
    "dd7f277819c8da21544afb7964705569bdf12fb92aa388059408d50091a0c5f1d3127f56813b5337f9e4e67e",
    "2ca633117a4fbd559946ab474356c4183941000000000000000458bf27c6bca011c9ce1930e8984a797a3419",
    "797b936629a5a937cf2f11c8b9514b82b993da8a46e664f23db7c01edc87faa530db01c2ee405230b18997f1",
    "6b682000000000000000bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3",
);

/// K_main.
const K_MAIN: &str = "4c59e1ccf2cfb961aa31bd9434478a1089b56cd11542f53d3576fb6c2a438a29";

/// K_confirmP.
const K_CONFIRM_P: &str = "871ae3f7b78445e34438fb284504240239031c39d80ac23eb5ab9be5ad6db58a";

/// K_confirmV.
const K_CONFIRM_V: &str = "ccd53c7c1fa37b64a462b40db8be101cedcf838950162902054e644b400f1680";

/// HMAC(K_confirmP, shareV) = confirmP.
const CONFIRM_P: &str = "926cc713504b9b4d76c9162ded04b5493e89109f6d89462cd33adc46fda27527";

/// HMAC(K_confirmV, shareP) = confirmV.
const CONFIRM_V: &str = "9747bcc4f8fe9f63defee53ac9b07876d907d55047e6ff2def2e7529089d3e68";

/// K_shared.
const K_SHARED: &str = "0c5f8ccd1413423a54f6c1fb26ff01534a87f893779c6e68666d772bfd91f3e7";

fn rfc_inputs() -> Inputs<'static> {
    Inputs {
        context: CONTEXT,
        id_prover: ID_PROVER,
        id_verifier: ID_VERIFIER,
    }
}

fn rfc_secret() -> ProverSecret {
    ProverSecret::from_scalars(&unhex_array(W0), &unhex_array(W1)).unwrap()
}

fn rfc_record() -> VerifierRecord {
    VerifierRecord::new(&unhex_array(W0), &unhex(L)).unwrap()
}

#[test]
fn rfc9383_vector_both_roles() {
    let inputs = rfc_inputs();
    let secret = rfc_secret();
    assert_eq!(secret.w0().to_vec(), unhex(W0));
    assert_eq!(secret.w1().to_vec(), unhex(W1));
    // The record the prover computes is the RFC's L; the verifier runs with the RFC's own L.
    assert_eq!(secret.record().l().to_vec(), unhex(L));
    let record = rfc_record();
    assert_eq!(record.w0().to_vec(), unhex(W0));
    assert_eq!(record.l().to_vec(), unhex(L));

    let prover = Prover::start(&secret, &unhex_array(X)).unwrap();
    assert_eq!(prover.share_p().to_vec(), unhex(SHARE_P));

    let verifier = Verifier::new(&record)
        .respond(&inputs, prover.share_p(), &unhex_array(Y))
        .unwrap();
    assert_eq!(verifier.share_v().to_vec(), unhex(SHARE_V));
    assert_eq!(verifier.confirm_v().to_vec(), unhex(CONFIRM_V));

    let prover = prover.receive(&inputs, verifier.share_v()).unwrap();

    for schedule in [prover.schedule(), verifier.schedule()] {
        assert_eq!(schedule.z().to_vec(), unhex(Z));
        assert_eq!(schedule.v().to_vec(), unhex(V));
        assert_eq!(schedule.transcript(), unhex(TT).as_slice());
        assert_eq!(schedule.k_main().to_vec(), unhex(K_MAIN));
        assert_eq!(schedule.k_confirm_p().to_vec(), unhex(K_CONFIRM_P));
        assert_eq!(schedule.k_confirm_v().to_vec(), unhex(K_CONFIRM_V));
        assert_eq!(schedule.confirm_p().to_vec(), unhex(CONFIRM_P));
        assert_eq!(schedule.confirm_v().to_vec(), unhex(CONFIRM_V));
        assert_eq!(schedule.k_shared().to_vec(), unhex(K_SHARED));
    }

    let (confirm_p, prover_key) = prover.finish(verifier.confirm_v()).unwrap();
    assert_eq!(confirm_p.to_vec(), unhex(CONFIRM_P));
    let verifier_key = verifier.finish(&confirm_p).unwrap();
    assert_eq!(prover_key.as_bytes().to_vec(), unhex(K_SHARED));
    assert_eq!(verifier_key, prover_key);
}

/// The transcript holds M and N uncompressed: the decompressed forms of the RFC's compressed points.
#[test]
fn rfc9383_fixed_points_in_transcript() {
    let tt = unhex(TT);
    // len(Context) ‖ Context ‖ len(idProver) ‖ idProver ‖ len(idVerifier) ‖ idVerifier, then M.
    let at = 8 + CONTEXT.len() + 8 + ID_PROVER.len() + 8 + ID_VERIFIER.len();
    let m = &tt[at + 8..at + 8 + SHARE_LEN];
    let n = &tt[at + 16 + SHARE_LEN..at + 16 + 2 * SHARE_LEN];
    let compressed = |point: &[u8]| {
        let affine = p256::PublicKey::from_sec1_bytes(point).unwrap();
        affine.to_encoded_point(true).as_bytes().to_vec()
    };
    assert_eq!(
        compressed(m),
        unhex("02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f")
    );
    assert_eq!(
        compressed(n),
        unhex("03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49")
    );
}

// ---------------------------------------------------------------------------------------------
// Spec §8.3.3 and chapter 13.

/// The worked example of §8.3.3: `Context` from the example `PairingStart` and `PairingParams`.
#[test]
fn spec_context_example() {
    let start = unhex("a100505a5b5c5d5e5f60616263646566676869");
    let params =
        unhex("a30050c0c1c2c3c4c5c6c7c8c9cacbcccdcecf0150000102030405060708090a0b0c0d0e0f02192710");
    assert_eq!(
        pairing_context_hash(&start, &params).to_vec(),
        unhex("18ea406edcc84a33a0b33b00b62b7f23647099d448201502dd9807be73bdddd3")
    );
    // The same bytes from the generated codec.
    let nonce: [u8; 16] = unhex_array("5a5b5c5d5e5f60616263646566676869");
    let mut buf = [0u8; 64];
    let len = PairingStart {
        controller_nonce: &nonce,
        unknown_fields: UnknownFields::NONE,
    }
    .encode(&mut buf)
    .unwrap();
    assert_eq!(&buf[..len], start.as_slice());
}

/// Password processing (§8.3.3) for the passcode 69414237 with the example's salt and iteration
/// count. The expected values were computed independently of this crate, with Python's standard
/// library (`hashlib.pbkdf2_hmac`, integers modulo n, textbook affine P-256 arithmetic for L). Both
/// halves of the PBKDF2 output exceed n, so the reduction is exercised.
#[test]
fn passcode_to_record() {
    let salt = unhex("000102030405060708090a0b0c0d0e0f");
    let secret = ProverSecret::from_passcode(69_414_237, &salt, 10_000).unwrap();
    assert_eq!(
        secret.w0().to_vec(),
        unhex("0c5b4014272d45c2aff0e6cf0ce105d552cd29da2aac7dc7b90e7746247cf27d")
    );
    assert_eq!(
        secret.w1().to_vec(),
        unhex("635e041d9b2604373cfe23ead946adb1f860bde98fb7f352f75587be15ef3a3b")
    );
    let record = secret.record();
    assert_eq!(
        record.l().to_vec(),
        unhex(concat!(
            "040153635419bcba2486e79bb690727a917d7f63d7ed1b579f12055911425e775d",
            "9f247cb1d9670435fe07052be0d762ef4895fdfb31a9189e3db91a3873d2623d"
        ))
    );
    // The stored form round-trips.
    let stored = record.to_bytes();
    assert_eq!(
        VerifierRecord::from_bytes(&stored).unwrap().to_bytes(),
        stored
    );
    // The generic derivation with the same inputs agrees.
    let generic = ProverSecret::derive(b"69414237", &[], &[], &salt, 10_000).unwrap();
    assert_eq!(generic.w0(), secret.w0());
    assert_eq!(generic.w1(), secret.w1());
}

#[test]
fn passcode_bounds() {
    let salt = [7u8; 16];
    assert_eq!(
        ProverSecret::from_passcode(100_000_000, &salt, 1000).unwrap_err(),
        Error::InvalidPasscode
    );
    for (salt_len, iterations) in [(15, 1000), (33, 1000), (16, 999), (32, 100_001)] {
        assert_eq!(
            ProverSecret::from_passcode(1, &vec![0; salt_len], iterations).unwrap_err(),
            Error::PbkdfParameters
        );
    }
    assert_eq!(
        ProverSecret::derive(b"1", &[], &[], &salt, 0).unwrap_err(),
        Error::PbkdfParameters
    );
    // Leading zeros are part of the password: 00000001 is not "1".
    let padded = ProverSecret::from_passcode(1, &salt, 1000).unwrap();
    let literal = ProverSecret::derive(b"00000001", &[], &[], &salt, 1000).unwrap();
    let short = ProverSecret::derive(b"1", &[], &[], &salt, 1000).unwrap();
    assert_eq!(padded.w0(), literal.w0());
    assert_ne!(padded.w0(), short.w0());
}

/// The `oscore-context` block `pairing` of chapter 13, from both sides, and the sealing vector
/// `seal.pairing-commission` under the controller's context.
#[test]
fn spec_pairing_context_vector() {
    let k_shared: [u8; KEY_LEN] =
        unhex_array("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    let controller_nonce = unhex_array("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    let device_nonce = unhex_array("b0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    let controller_key = unhex("8d1ca1f63ee87e32f225e5df2c700788");
    let device_key = unhex("7cf05b27be7cd71af1fe2fab58041a37");
    let common_iv = unhex("d4f89108ae37e36f44d7fba805");

    let controller = pairing_context(
        &k_shared,
        &controller_nonce,
        &device_nonce,
        PairingRole::Controller,
    );
    assert_eq!(controller.sender_id(), &KeyId::new(&[0x01]).unwrap());
    assert_eq!(controller.recipient_id(), &KeyId::new(&[0x00]).unwrap());
    assert_eq!(controller.sender_key().to_vec(), controller_key);
    assert_eq!(controller.recipient_key().to_vec(), device_key);
    assert_eq!(controller.common_iv().to_vec(), common_iv);

    let device = pairing_context(
        &k_shared,
        &controller_nonce,
        &device_nonce,
        PairingRole::Device,
    );
    assert_eq!(device.sender_id(), &KeyId::new(&[0x00]).unwrap());
    assert_eq!(device.recipient_id(), &KeyId::new(&[0x01]).unwrap());
    assert_eq!(device.sender_key().to_vec(), device_key);
    assert_eq!(device.recipient_key().to_vec(), controller_key);
    assert_eq!(device.common_iv().to_vec(), common_iv);

    let mut controller = controller.resume(3, ReplayWindow::new());
    let plaintext = unhex("a104a30101020d035818a100756c616d7040686f6d652e6578616d706c652e6f7267");
    let mut out = [0u8; 128];
    let sealed = controller
        .seal(&Exchange::Request, &pairing_routing(), &plaintext, &mut out)
        .unwrap();
    assert_eq!(sealed.message_id, 3);
    assert_eq!(
        out[..sealed.len].to_vec(),
        unhex(
            "71b9fb15f4a2af3d963af24294672e0c12dfe7b25fc226bbcfce7f259593022ff202e0566082bfe5c288"
        )
    );
}

/// Under a pairing context the associated data holds no address ([IOTP-SEC-135]).
fn pairing_routing() -> Routing<'static> {
    Routing {
        version: 1,
        sender: None,
        recipient: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Refusals.

/// The verifier at the RFC vector's record, given `share_p`.
fn respond(share_p: &[u8]) -> Result<(), Error> {
    Verifier::new(&rfc_record())
        .respond(&rfc_inputs(), share_p, &unhex_array(Y))
        .map(|_| ())
}

#[test]
fn invalid_share_p_is_refused() {
    let good = unhex(SHARE_P);

    // Off the curve: the last byte of y changed.
    let mut off_curve = good.clone();
    off_curve[64] ^= 1;
    assert_eq!(
        respond(&off_curve),
        Err(Error::InvalidShare(InvalidPoint::NotOnCurve))
    );
    // Coordinates not below the field prime: x = p.
    let mut beyond = vec![0x04];
    beyond.extend(unhex(
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    ));
    beyond.extend(&good[33..]);
    assert_eq!(
        respond(&beyond),
        Err(Error::InvalidShare(InvalidPoint::NotOnCurve))
    );
    // All zeros, 65 bytes with the uncompressed tag: (0, 0) is not on P-256.
    let mut zeros = vec![0u8; SHARE_LEN];
    zeros[0] = 0x04;
    assert_eq!(
        respond(&zeros),
        Err(Error::InvalidShare(InvalidPoint::NotOnCurve))
    );
    // The point at infinity in SEC 1 form (one zero byte), and 65 zero bytes.
    assert_eq!(
        respond(&[0x00]),
        Err(Error::InvalidShare(InvalidPoint::Length { len: 1 }))
    );
    assert_eq!(
        respond(&[0u8; SHARE_LEN]),
        Err(Error::InvalidShare(InvalidPoint::NotUncompressed))
    );
    // Truncated, and empty.
    assert_eq!(
        respond(&good[..64]),
        Err(Error::InvalidShare(InvalidPoint::Length { len: 64 }))
    );
    assert_eq!(
        respond(&[]),
        Err(Error::InvalidShare(InvalidPoint::Length { len: 0 }))
    );
    // One byte too many.
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        respond(&long),
        Err(Error::InvalidShare(InvalidPoint::Length { len: 66 }))
    );
    // The same point compressed (33 bytes), and a compressed tag on 65 bytes.
    let compressed = p256::PublicKey::from_sec1_bytes(&good)
        .unwrap()
        .to_encoded_point(true);
    assert_eq!(
        respond(compressed.as_bytes()),
        Err(Error::InvalidShare(InvalidPoint::Length { len: 33 }))
    );
    let mut hybrid = good.clone();
    hybrid[0] = 0x02;
    assert_eq!(
        respond(&hybrid),
        Err(Error::InvalidShare(InvalidPoint::NotUncompressed))
    );
    // w0·M: a share that cancels the password's mask, leaving the identity.
    let w0 = p256::Scalar::from_repr(unhex_array::<32>(W0).into()).unwrap();
    let m = p256::PublicKey::from_sec1_bytes(&unhex(
        "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f",
    ))
    .unwrap()
    .to_projective();
    let mask = (m * w0).to_affine().to_encoded_point(false);
    assert_eq!(
        respond(mask.as_bytes()),
        Err(Error::InvalidShare(InvalidPoint::Identity))
    );
    // The good share passes.
    assert_eq!(respond(&good), Ok(()));
}

#[test]
fn invalid_share_v_is_refused() {
    let receive = |share_v: &[u8]| {
        Prover::start(&rfc_secret(), &unhex_array(X))
            .unwrap()
            .receive(&rfc_inputs(), share_v)
            .map(|_| ())
    };
    let mut off_curve = unhex(SHARE_V);
    off_curve[64] ^= 1;
    assert_eq!(
        receive(&off_curve),
        Err(Error::InvalidShare(InvalidPoint::NotOnCurve))
    );
    assert_eq!(
        receive(&unhex(SHARE_V)[..64]),
        Err(Error::InvalidShare(InvalidPoint::Length { len: 64 }))
    );
    assert_eq!(
        receive(&[0x00]),
        Err(Error::InvalidShare(InvalidPoint::Length { len: 1 }))
    );
    assert_eq!(receive(&unhex(SHARE_V)), Ok(()));
}

#[test]
fn zero_ephemeral_scalars_are_refused() {
    let order = unhex_array("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    for zero in [[0u8; 32], order] {
        assert_eq!(
            Prover::start(&rfc_secret(), &zero).unwrap_err(),
            Error::ZeroScalar
        );
        assert_eq!(
            Verifier::new(&rfc_record())
                .respond(&rfc_inputs(), &unhex(SHARE_P), &zero)
                .unwrap_err(),
            Error::ZeroScalar
        );
    }
}

#[test]
fn invalid_records_are_refused() {
    assert_eq!(
        VerifierRecord::new(&[0; 32], &unhex(L)).unwrap_err(),
        Error::InvalidSecret
    );
    assert_eq!(
        VerifierRecord::new(&unhex_array(W0), &[0x00]).unwrap_err(),
        Error::InvalidSecret
    );
    assert_eq!(
        ProverSecret::from_scalars(&unhex_array(W0), &[0; 32]).unwrap_err(),
        Error::InvalidSecret
    );
}

/// The prover runs with a wrong passcode against the device's record: the prover refuses confirmV
/// and gives no confirmP ([IOTP-SEC-34]); the confirmP it would have sent fails at the device.
#[test]
fn wrong_password_fails_on_both_sides() {
    let salt = [0x5a; 16];
    let record = ProverSecret::from_passcode(20_202_021, &salt, 1000)
        .unwrap()
        .record();
    let wrong = ProverSecret::from_passcode(20_202_012, &salt, 1000).unwrap();
    let context = [0x11; 32];
    let inputs = Inputs::pairing(&context);

    let prover = Prover::start(&wrong, &[0x21; 32]).unwrap();
    let verifier = Verifier::new(&record)
        .respond(&inputs, prover.share_p(), &[0x42; 32])
        .unwrap();
    let prover = prover.receive(&inputs, verifier.share_v()).unwrap();
    assert_ne!(prover.schedule().k_shared(), verifier.schedule().k_shared());
    let would_send = *prover.schedule().confirm_p();
    assert_eq!(
        prover.finish(verifier.confirm_v()).unwrap_err(),
        Error::ConfirmationFailed
    );
    assert_eq!(
        verifier.finish(&would_send).unwrap_err(),
        Error::ConfirmationFailed
    );
}

/// Another `Context` on one side (another `PairingParams`, say) fails the same way.
#[test]
fn context_mismatch_fails() {
    let prover = Prover::start(&rfc_secret(), &unhex_array(X)).unwrap();
    let verifier = Verifier::new(&rfc_record())
        .respond(&rfc_inputs(), prover.share_p(), &unhex_array(Y))
        .unwrap();
    let other = Inputs {
        context: b"another context",
        ..rfc_inputs()
    };
    let prover = prover.receive(&other, verifier.share_v()).unwrap();
    assert_eq!(
        prover.finish(verifier.confirm_v()).unwrap_err(),
        Error::ConfirmationFailed
    );
}

#[test]
fn tampered_confirmations_fail() {
    let run = || {
        let prover = Prover::start(&rfc_secret(), &unhex_array(X)).unwrap();
        let verifier = Verifier::new(&rfc_record())
            .respond(&rfc_inputs(), prover.share_p(), &unhex_array(Y))
            .unwrap();
        let prover = prover.receive(&rfc_inputs(), verifier.share_v()).unwrap();
        (prover, verifier)
    };
    let confirm_v = unhex(CONFIRM_V);
    let confirm_p = unhex(CONFIRM_P);
    for bit in [0usize, 7, 100, 255] {
        let mut bad_v = confirm_v.clone();
        bad_v[bit / 8] ^= 1 << (bit % 8);
        let (prover, _) = run();
        assert_eq!(
            prover.finish(&bad_v).unwrap_err(),
            Error::ConfirmationFailed
        );

        let mut bad_p = confirm_p.clone();
        bad_p[bit / 8] ^= 1 << (bit % 8);
        let (_, verifier) = run();
        assert_eq!(
            verifier.finish(&bad_p).unwrap_err(),
            Error::ConfirmationFailed
        );
    }
    // Truncated, extended and empty confirmations.
    for bad in [
        &confirm_v[..31],
        &[confirm_v.as_slice(), &[0]].concat()[..],
        &[][..],
    ] {
        let (prover, _) = run();
        assert_eq!(prover.finish(bad).unwrap_err(), Error::ConfirmationFailed);
    }
    for bad in [&confirm_p[..31], &[][..]] {
        let (_, verifier) = run();
        assert_eq!(verifier.finish(bad).unwrap_err(), Error::ConfirmationFailed);
    }
    // Each side's own confirmation is not the other's.
    let (prover, _) = run();
    assert_eq!(
        prover.finish(&confirm_p).unwrap_err(),
        Error::ConfirmationFailed
    );
    let (_, verifier) = run();
    assert_eq!(
        verifier.finish(&confirm_v).unwrap_err(),
        Error::ConfirmationFailed
    );
}

// ---------------------------------------------------------------------------------------------
// A whole pairing with random inputs.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn pairing_round_trip(
        passcode in 0u32..=99_999_999,
        salt in proptest::collection::vec(any::<u8>(), 16..=32),
        controller_nonce in any::<[u8; 16]>(),
        device_nonce in any::<[u8; 16]>(),
        x in any::<[u8; 32]>(),
        y in any::<[u8; 32]>(),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let iterations = 1000;
        // Manufacture: the device stores the record only.
        let record = ProverSecret::from_passcode(passcode, &salt, iterations).unwrap().record();
        let record = VerifierRecord::from_bytes(&record.to_bytes()).unwrap();

        // pair_start and its reply, encoded by the codec, give the Context.
        let mut start = [0u8; PairingStart::MAX_ENCODED_SIZE];
        let start_len = PairingStart { controller_nonce: &controller_nonce, unknown_fields: UnknownFields::NONE }
            .encode(&mut start).unwrap();
        let mut params = [0u8; 128];
        let params_len = PairingParams {
            device_nonce: &device_nonce,
            salt: &salt,
            iterations,
            unknown_fields: UnknownFields::NONE,
        }
        .encode(&mut params).unwrap();
        let context = pairing_context_hash(&start[..start_len], &params[..params_len]);
        let inputs = Inputs::pairing(&context);

        // The controller learns salt and iterations from PairingParams.
        let secret = ProverSecret::from_passcode(passcode, &salt, iterations).unwrap();
        let prover = match Prover::start(&secret, &x) {
            Ok(prover) => prover,
            Err(e) => { prop_assert_eq!(e, Error::ZeroScalar); return Ok(()); }
        };
        let verifier = match Verifier::new(&record).respond(&inputs, prover.share_p(), &y) {
            Ok(verifier) => verifier,
            Err(e) => { prop_assert_eq!(e, Error::ZeroScalar); return Ok(()); }
        };
        let prover = prover.receive(&inputs, verifier.share_v()).unwrap();
        let (confirm_p, controller_key) = prover.finish(verifier.confirm_v()).unwrap();
        let device_key = verifier.finish(&confirm_p).unwrap();
        prop_assert_eq!(&controller_key, &device_key);

        let mut controller =
            controller_key.pairing_context(&controller_nonce, &device_nonce, PairingRole::Controller);
        let mut device = device_key.pairing_context(&controller_nonce, &device_nonce, PairingRole::Device);

        // A request from the controller, opened by the device.
        let mut sealed = [0u8; 128];
        let mut opened = [0u8; 128];
        let request = controller.seal(&Exchange::Request, &pairing_routing(), &body, &mut sealed).unwrap();
        let open = device
            .open(request.message_id, &Exchange::Request, &pairing_routing(), &sealed[..request.len], &mut opened)
            .unwrap();
        prop_assert_eq!(&opened[..open.len], body.as_slice());

        // The device's reply, opened by the controller.
        let answer = Exchange::Answer { request_key_id: *controller.sender_id(), correlation_id: request.message_id };
        let reply = device.seal(&answer, &pairing_routing(), &body, &mut sealed).unwrap();
        let open = controller
            .open(reply.message_id, &answer, &pairing_routing(), &sealed[..reply.len], &mut opened)
            .unwrap();
        prop_assert_eq!(&opened[..open.len], body.as_slice());
    }
}

/// iotp2p's inputs (§8.3.3): the 32-byte `Context`, then two empty identities, then M.
#[test]
fn pairing_transcript_layout() {
    let context = [0xc7; 32];
    let inputs = Inputs::pairing(&context);
    let prover = Prover::start(&rfc_secret(), &unhex_array(X)).unwrap();
    let verifier = Verifier::new(&rfc_record())
        .respond(&inputs, prover.share_p(), &unhex_array(Y))
        .unwrap();
    let tt = verifier.schedule().transcript();
    assert_eq!(&tt[..8], &32u64.to_le_bytes());
    assert_eq!(&tt[8..40], &context);
    assert_eq!(&tt[40..56], &[0u8; 16]);
    assert_eq!(&tt[56..64], &65u64.to_le_bytes());
    // Context, two empty identities, six points and w0, each with its 8-byte length.
    assert_eq!(tt.len(), 8 + 32 + 8 + 8 + 6 * (8 + SHARE_LEN) + 8 + 32);
    assert_eq!(&tt[tt.len() - 32..], unhex(W0).as_slice());
}

proptest! {
    /// Any bytes as a share, and any bytes as a confirmation: an answer, never a panic, and no
    /// confirmation but the right one verifies.
    #[test]
    fn arbitrary_shares_and_confirmations(
        share in proptest::collection::vec(any::<u8>(), 0..80),
        confirm in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let verifier = Verifier::new(&rfc_record()).respond(&rfc_inputs(), &share, &unhex_array(Y));
        if let Ok(verifier) = verifier {
            prop_assert_eq!(verifier.finish(&confirm).is_ok(), confirm == unhex(CONFIRM_P) && share == unhex(SHARE_P));
        }
        let prover = Prover::start(&rfc_secret(), &unhex_array(X)).unwrap();
        if let Ok(prover) = prover.receive(&rfc_inputs(), &share) {
            prop_assert_eq!(prover.finish(&confirm).is_ok(), confirm == unhex(CONFIRM_V) && share == unhex(SHARE_V));
        }
    }
}

/// The exchanges of a device's Security service, which a server hands the unsealed pairing
/// requests with the hop peer each came over (hops are numbers here).
mod exchanges {
    use super::common::Fixed;
    use iotp2p_codec::core::owned::{Body, InvokeRequest};
    use iotp2p_codec::core::StatusCode;
    use iotp2p_codec::prelude::*;
    use iotp2p_codec::security::owned::PairingConfirm;
    use iotp2p_protocol::controller::Pairing;
    use iotp2p_protocol::engine::{Config, Node};
    use iotp2p_protocol::interaction::Change;
    use iotp2p_protocol::params::Instant;
    use iotp2p_protocol::security::spake2plus::ProverSecret;
    use iotp2p_protocol::security::statement::ccs::p256_credential;
    use iotp2p_protocol::security::IdentityKey;
    use iotp2p_protocol::server::security::{
        member, Decision, ExchangePeer, Manufactured, SecurityService, Source, SECURITY,
    };
    use p256::elliptic_curve::sec1::ToEncodedPoint;

    const PASSCODE: u32 = 20_202_021;
    const CONTROLLER: u8 = 1;
    const STRANGER: u8 = 2;

    /// A device out of its box, its window open at 0, and what a server keeps for it.
    struct Device {
        node: Node<u8>,
        security: SecurityService,
        exchange: ExchangePeer<u8>,
        rng: Fixed,
        now: Instant,
    }

    impl Device {
        fn new() -> Device {
            let identity = IdentityKey::from_bytes(&[0x11; 32]).unwrap();
            let point = p256::SecretKey::from_bytes(&[0x12; 32].into())
                .unwrap()
                .public_key()
                .to_encoded_point(false);
            let ccs = p256_credential(
                &identity.node_id(),
                &[7],
                point.x().unwrap().as_slice().try_into().unwrap(),
                point.y().unwrap().as_slice().try_into().unwrap(),
            )
            .unwrap();
            let made = Manufactured {
                identity,
                auth_credentials: vec![ccs],
                verifier: ProverSecret::from_passcode(PASSCODE, &[0x5a; 16], 1000)
                    .unwrap()
                    .record(),
                salt: vec![0x5a; 16],
                iterations: 1000,
                suites: vec![2],
            };
            Device {
                node: Node::new(Config::default(), 0),
                security: SecurityService::unclaimed(made, 0).unwrap(),
                exchange: ExchangePeer::new(),
                rng: Fixed(0x5eed),
                now: 0,
            }
        }

        /// The device's answer to `body`, unsealed from `hop`.
        fn ask(&mut self, hop: u8, body: &Body) -> Body {
            let source = Source {
                context: None,
                sender: None,
                hop: &hop,
            };
            match self.security.decide(
                &mut self.node,
                self.now,
                &mut self.rng,
                source,
                &mut self.exchange,
                body,
            ) {
                Decision::Answered(reply) => reply,
                Decision::Dispatch(_) => panic!("a Security action goes to the dispatcher"),
            }
        }

        /// How many `pairing_failed` events the device reported since the last call.
        fn failed_attempts(&mut self) -> usize {
            self.security
                .take_changes()
                .iter()
                .filter(|c| {
                    matches!(c, Change::Event { event, .. } if event.member == member::PAIRING_FAILED)
                })
                .count()
        }
    }

    /// The status of an unsealed answer, with its `retry_after`.
    fn status(reply: &Body) -> Option<(StatusCode, Option<u32>)> {
        match reply {
            Body::Status(s) => Some((s.code, s.retry_after)),
            _ => None,
        }
    }

    /// A `pair_confirm` with a confirmP made up by someone who ran no exchange.
    fn made_up_confirm() -> Body {
        let input = PairingConfirm {
            confirm_p: [0x5c; 32],
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .unwrap();
        Body::Invoke(InvokeRequest {
            endpoint: 0,
            capability: SECURITY,
            action: member::PAIR_CONFIRM,
            input: Some(input),
            echo: None,
            unknown_fields: Default::default(),
        })
    }

    /// The exchange is the hop peer's whose `pair_start` the device answered: another hop peer's
    /// `pair_share` and `pair_confirm` are answered `Busy` with the time left, neither end the
    /// exchange nor count as failed attempts, also once confirmP verified, and the controller
    /// pairs ([IOTP-SEC-35], [IOTP-SEC-203]).
    #[test]
    fn another_hop_peers_pair_share_and_pair_confirm_leave_the_exchange_alone() {
        let mut device = Device::new();
        let mut rng = Fixed(0xc0de);
        let (mut controller, start) = Pairing::start(PASSCODE, &mut rng);
        let params = device.ask(CONTROLLER, &start);
        assert_eq!(status(&params), None, "{params:?}");

        // A stranger on the link saw the device's reply and computes a share of its own guess.
        device.now = 10_000;
        let (mut stranger, _) = Pairing::start(12_345_670, &mut Fixed(0xbad));
        let share = stranger.share(&params, &mut Fixed(0xbad)).unwrap();
        let busy = Some((StatusCode::Busy, Some(20)));
        assert_eq!(status(&device.ask(STRANGER, &share)), busy);
        assert_eq!(status(&device.ask(STRANGER, &made_up_confirm())), busy);

        device.now = 15_000;
        let share_reply = device.ask(CONTROLLER, &controller.share(&params, &mut rng).unwrap());
        let confirm = controller.confirm(&share_reply).unwrap();
        assert_eq!(
            status(&device.ask(STRANGER, &made_up_confirm())),
            Some((StatusCode::Busy, Some(30)))
        );
        let done = device.ask(CONTROLLER, &confirm);
        assert!(controller.paired(&done).is_ok(), "{done:?}");

        // Under way with the pairing context, the exchange is still the controller's.
        device.now = 16_000;
        assert_eq!(
            status(&device.ask(STRANGER, &share)),
            Some((StatusCode::Busy, Some(29)))
        );
        assert_eq!(device.failed_attempts(), 0);
    }

    /// The exchange's own hop peer that sends a message out of its order fails the attempt, and
    /// ends the exchange: the next `pair_start` begins another, whose peer may be anyone
    /// ([IOTP-SEC-35]).
    #[test]
    fn the_exchange_peers_message_out_of_order_is_a_failed_attempt() {
        let mut device = Device::new();
        let mut rng = Fixed(0xc0de);
        let (_, start) = Pairing::start(PASSCODE, &mut rng);
        assert_eq!(status(&device.ask(CONTROLLER, &start)), None);
        assert_eq!(
            status(&device.ask(CONTROLLER, &made_up_confirm())),
            Some((StatusCode::InvalidState, None))
        );
        assert_eq!(device.failed_attempts(), 1);

        let (mut stranger, start) = Pairing::start(PASSCODE, &mut Fixed(0xbad));
        let params = device.ask(STRANGER, &start);
        assert_eq!(status(&params), None, "{params:?}");
        let share = stranger.share(&params, &mut Fixed(0xbad)).unwrap();
        assert_eq!(status(&device.ask(STRANGER, &share)), None);
        assert_eq!(
            status(&device.ask(CONTROLLER, &made_up_confirm())),
            Some((StatusCode::Busy, Some(30)))
        );
    }
}
