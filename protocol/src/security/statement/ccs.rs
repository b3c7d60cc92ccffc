//! Authentication credentials (spec §8.2.2): a CWT Claims Set with exactly two claims, `sub` (the
//! owner's node ID in text form) and `cnf` holding a COSE_Key, in deterministic encoding
//! ([IOTP-SEC-7]):
//!
//! ```text
//! {2: sub, 8: {1: {1: 2, 2: kid, -1: 1, -2: x, -3: y}}}   P-256 (EC2), 137 bytes with a one-byte kid
//! {2: sub, 8: {1: {1: 1, 2: kid, -1: 4, -2: x}}}           X25519 (OKP)
//! ```
//!
//! The CCS is a COSE structure, not a schema message; it is read with the codec runtime's reader,
//! which accepts only the shortest form of every head, and the keys are required in exactly the
//! deterministic order above, so that any other encoding of the same claims is refused.

use alloc::vec::Vec;

use iotp2p_codec::runtime::{EncodeError, Reader, Writer};

use crate::security::node_id::{IdentityPublicKey, NodeId, NODE_ID_TEXT_LEN};

/// The static Diffie-Hellman public key of a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CcsKey<'a> {
    /// A P-256 key (EDHOC cipher suite 2); the point is on the curve.
    P256 {
        /// The x-coordinate.
        x: &'a [u8; 32],
        /// The y-coordinate.
        y: &'a [u8; 32],
    },
    /// An X25519 key (cipher suite 0, [IOTP-SEC-5]).
    X25519 {
        /// The u-coordinate.
        x: &'a [u8; 32],
    },
}

/// An authentication credential of the form of §8.2.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ccs<'a> {
    /// The `sub` claim: the owner's node ID, 52 characters of lowercase base32.
    pub sub: &'a str,
    /// The key identifier used in `ID_CRED_x`.
    pub kid: &'a [u8],
    /// The public key.
    pub key: CcsKey<'a>,
}

/// The longest `kid` read; [IOTP-SEC-8] recommends one byte.
const MAX_KID: usize = 32;

/// The P-256 authentication credential of the node `owner`: the CCS of §8.2.2 with `owner`'s text form
/// as `sub` ([IOTP-SEC-127]), in deterministic encoding ([IOTP-SEC-7]). A `kid` longer than 32 bytes
/// is refused (a one-byte `kid` is recommended, [IOTP-SEC-8]).
pub fn p256_credential(
    owner: &NodeId,
    kid: &[u8],
    x: &[u8; 32],
    y: &[u8; 32],
) -> Result<Vec<u8>, EncodeError> {
    if kid.len() > MAX_KID {
        return Err(EncodeError::BoundExceeded {
            field: &"COSE_Key.kid",
        });
    }
    // Heads and labels take at most 21 bytes: the three map heads and their four labels 7, the head
    // of `sub` 2, the COSE_Key's labels and small values 7, the head of `kid` at most 2 (it is at most
    // 32 bytes), and the heads of x and y 3.
    let mut out = alloc::vec![0u8; 21 + NODE_ID_TEXT_LEN + kid.len() + 64];
    let mut w = Writer::new(&mut out);
    w.map(2)?;
    w.u64(2)?;
    w.text(owner.to_text().as_str())?;
    w.u64(8)?;
    w.map(1)?;
    w.u64(1)?;
    w.map(5)?;
    w.u64(1)?;
    w.u64(2)?;
    w.u64(2)?;
    w.bytes(kid)?;
    w.i64(-1)?;
    w.u64(1)?;
    w.i64(-2)?;
    w.bytes(x)?;
    w.i64(-3)?;
    w.bytes(y)?;
    w.close(5);
    w.close(1);
    w.close(2);
    let n = w.position();
    out.truncate(n);
    Ok(out)
}

/// A byte string that is not a CCS of the form of §8.2.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotACcs;

/// Reads `bytes` as a CCS of the form of §8.2.2; the `sub` is checked to be a node ID's text form,
/// not whose node ID it is (that is the statement's check, [IOTP-SEC-128]).
pub fn parse(bytes: &[u8]) -> Result<Ccs<'_>, NotACcs> {
    let ccs = parse_layout(bytes)?;
    // Exactly the unseparated text form: a grouped or non-canonical spelling is not a `sub`.
    if ccs.sub.len() != NODE_ID_TEXT_LEN || NodeId::parse(ccs.sub).is_err() {
        return Err(NotACcs);
    }
    Ok(ccs)
}

/// Reads `bytes` as a CCS laid out as §8.2.2 lays it out, in deterministic encoding, whatever text its
/// `sub` holds: the form EDHOC credentials take, such as those of RFC 9529's traces, whose `sub` is
/// no node ID.
pub fn parse_layout(bytes: &[u8]) -> Result<Ccs<'_>, NotACcs> {
    let mut r = Reader::new(bytes);
    let ccs = read(&mut r).ok_or(NotACcs)?;
    r.finish().map_err(|_| NotACcs)?;
    Ok(ccs)
}

/// The longest `sub` read by [`parse_layout`]: a CCS as long as an EDHOC credential may be.
const MAX_SUB: usize = 168;

fn read<'a>(r: &mut Reader<'a>) -> Option<Ccs<'a>> {
    let int = |r: &mut Reader<'a>, v: i64| r.int(v, v).ok();
    (r.map().ok()? == 2).then_some(())?;
    int(r, 2)?;
    let sub = r.text(MAX_SUB).ok()?;
    int(r, 8)?;
    (r.map().ok()? == 1).then_some(())?;
    int(r, 1)?;
    let entries = r.map().ok()?;
    int(r, 1)?;
    let kty = r.int(1, 2).ok()?;
    int(r, 2)?;
    let kid = r.bytes(MAX_KID).ok()?;
    int(r, -1)?;
    let key = match (kty, entries) {
        (2, 5) => {
            int(r, 1)?;
            int(r, -2)?;
            let x = r.fixed::<32>().ok()?;
            int(r, -3)?;
            let y = r.fixed::<32>().ok()?;
            IdentityPublicKey::from_coordinates(x, y).ok()?;
            CcsKey::P256 { x, y }
        }
        (1, 4) => {
            int(r, 4)?;
            int(r, -2)?;
            CcsKey::X25519 {
                x: r.fixed::<32>().ok()?,
            }
        }
        _ => return None,
    };
    Some(Ccs { sub, kid, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point() -> ([u8; 32], [u8; 32]) {
        let key = crate::security::identity::IdentityKey::from_bytes(&[9; 32]).unwrap();
        (*key.public_key().x(), *key.public_key().y())
    }

    #[test]
    fn built_credentials_parse() {
        let (x, y) = point();
        let owner = NodeId::from_bytes([3; 32]);
        for kid_len in [0, 1, 23, 24, 32] {
            let kid = [0x2a; 32];
            let ccs = p256_credential(&owner, &kid[..kid_len], &x, &y).unwrap();
            let parsed = parse(&ccs).unwrap();
            assert_eq!(parsed.sub, owner.to_text().as_str());
            assert_eq!(parsed.kid, &kid[..kid_len]);
            assert_eq!(parsed.key, CcsKey::P256 { x: &x, y: &y });
        }
        assert!(p256_credential(&owner, &[0; 33], &x, &y).is_err());
    }

    #[test]
    fn other_forms_are_refused() {
        let (x, y) = point();
        let owner = NodeId::from_bytes([3; 32]);
        let ccs = p256_credential(&owner, &[5], &x, &y).unwrap();
        // A trailing byte, a truncation, a point off the curve.
        let mut longer = ccs.clone();
        longer.push(0);
        assert_eq!(parse(&longer), Err(NotACcs));
        assert_eq!(parse(&ccs[..ccs.len() - 1]), Err(NotACcs));
        let mut off_curve = ccs.clone();
        let last = off_curve.len() - 1;
        off_curve[last] ^= 1;
        assert_eq!(parse(&off_curve), Err(NotACcs));
        // The claims in the other order: {8: ..., 2: sub} is not deterministic encoding.
        let sub_len = 2 + NODE_ID_TEXT_LEN + 1;
        let mut swapped = alloc::vec![ccs[0]];
        swapped.extend_from_slice(&ccs[sub_len..]);
        swapped.extend_from_slice(&ccs[1..sub_len]);
        assert_eq!(parse(&swapped), Err(NotACcs));
    }
}
