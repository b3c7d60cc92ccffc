//! Authentication keys and CCS credentials (spec §8.2.2): the node's own, the peers' held by `kid`,
//! and a CCS received by value (§8.4.6).

use core::fmt;

use lakers::{CredentialKey, CredentialType};
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::FromEncodedPoint;
use p256::{AffinePoint, EncodedPoint, SecretKey};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::crypto::is_p256_x;
use super::{Error, SCALAR_LEN};
use crate::security::statement::ccs::{parse_layout, Ccs, CcsKey};

/// Largest credential this module uses, in bytes. lakers 0.8 hashes TH_4 = H(TH_3, PLAINTEXT_3,
/// CRED_I) in a work buffer of 384 bytes (the size this crate selects, see Cargo.toml), and
/// PLAINTEXT_3 may take up to 182 bytes of a 192-byte message_3: 34 + 182 + 168 = 384. A CCS of §8.2.2
/// is 137 bytes, with room to spare for a longer `kid`.
pub const MAX_CREDENTIAL_LEN: usize = 168;

/// Length of a node ID in text: 52 characters of lowercase base32 (spec chapter 2).
pub const NODE_ID_TEXT_LEN: usize = 52;

/// A node's EDHOC authentication key: a P-256 private scalar, big-endian (§8.2.2). Wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct AuthKey([u8; SCALAR_LEN]);

impl fmt::Debug for AuthKey {
    /// Prints no key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthKey(..)")
    }
}

impl AuthKey {
    /// The key with this scalar, refused unless it lies in 1..n−1 ([`Error::InvalidAuthKey`]): a
    /// stored key out of range is corrupt, and reducing it would silently make another key.
    pub fn new(private: &[u8; SCALAR_LEN]) -> Result<Self, Error> {
        SecretKey::from_bytes(private.into()).map_err(|_| Error::InvalidAuthKey)?;
        Ok(AuthKey(*private))
    }

    /// The x-coordinate of the public key, as a credential holds it.
    pub fn public_key_x(&self) -> [u8; SCALAR_LEN] {
        // `new` checked the scalar.
        SecretKey::from_bytes((&self.0).into())
            .map(|key| key.public_key().as_affine().x().into())
            .unwrap_or([0; SCALAR_LEN])
    }

    pub(super) fn scalar(&self) -> &[u8; SCALAR_LEN] {
        &self.0
    }
}

/// A CCS credential ([RFC 9528] §3.5.2) with the P-256 public key and the `kid` it holds.
///
/// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
#[derive(Clone, Copy, PartialEq)]
pub struct Credential(lakers::Credential);

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("kid", &self.kid())
            .field("len", &self.as_bytes().len())
            .finish()
    }
}

impl Credential {
    /// Parses a CCS laid out as §8.2.2 lays it out, in deterministic encoding: a `sub` (any text, so
    /// that RFC 9529's credentials parse too) and a `cnf` holding a COSE_Key of type EC2 on P-256 whose
    /// point is on the curve. At most [`MAX_CREDENTIAL_LEN`] bytes. Refused with
    /// [`Error::InvalidCredential`] otherwise.
    pub fn parse(ccs: &[u8]) -> Result<Self, Error> {
        if ccs.len() > MAX_CREDENTIAL_LEN {
            return Err(Error::InvalidCredential);
        }
        // The layout of §8.2.2 in deterministic encoding first ([IOTP-SEC-7]), read by the codec
        // runtime: lakers 0.8 reads a COSE_Key leniently, and its reading of a label `0x38 n` with n
        // below 0x20 subtracts past zero, a panic wherever overflow checks are on.
        if !matches!(
            parse_layout(ccs),
            Ok(Ccs {
                key: CcsKey::P256 { .. },
                ..
            })
        ) {
            return Err(Error::InvalidCredential);
        }
        let credential =
            lakers::Credential::parse_ccs(ccs).map_err(|_| Error::InvalidCredential)?;
        match (credential.cred_type, credential.key) {
            (CredentialType::CCS, CredentialKey::EC2Compact(x)) if is_p256_x(&x) => {
                Ok(Credential(credential))
            }
            _ => Err(Error::InvalidCredential),
        }
    }

    /// The CCS as encoded: CRED_x of the transcript.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.bytes.as_slice()
    }

    /// The `kid` of the COSE_Key, by which ID_CRED_x refers to the credential.
    pub fn kid(&self) -> Option<&[u8]> {
        self.0.kid.as_ref().map(|kid| kid.as_slice())
    }

    /// The x-coordinate of the public key.
    pub fn public_key_x(&self) -> [u8; SCALAR_LEN] {
        match self.0.key {
            CredentialKey::EC2Compact(x) => x,
            // `parse` accepts EC2 keys only.
            CredentialKey::Symmetric(_) => [0; SCALAR_LEN],
        }
    }

    pub(super) fn lakers(&self) -> lakers::Credential {
        self.0
    }
}

/// A node's own side of a handshake: its authentication key and the CCS that holds its public key.
#[derive(Clone)]
pub struct LocalIdentity {
    pub(super) key: AuthKey,
    pub(super) credential: Credential,
}

impl fmt::Debug for LocalIdentity {
    /// Prints the credential, not the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalIdentity")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl LocalIdentity {
    /// The identity of this key and credential, refused ([`Error::InvalidCredential`]) if the
    /// credential has no `kid` (ID_CRED_R is always a `kid`, [IOTP-SEC-149]) or holds another public
    /// key, or if it is longer than lakers can send by value.
    pub fn new(key: AuthKey, credential: Credential) -> Result<Self, Error> {
        if credential.kid().is_none() || credential.public_key_x() != key.public_key_x() {
            return Err(Error::InvalidCredential);
        }
        Ok(LocalIdentity { key, credential })
    }

    /// The node's credential.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }
}

/// The credentials a node holds for the peers it may talk to, found by `kid`.
///
/// A `kid` need not be unique: the node offers every credential it holds under that `kid`, and the
/// handshake tries each until one verifies ([IOTP-SEC-8], [RFC 9528] §3.5.3). A node offers only
/// credentials of peers it is allowed to talk to; a `kid` with none is an unknown credential
/// ([IOTP-SEC-51]).
///
/// Implemented for a slice of CCS encodings (each offered when its own `kid` matches) and for any
/// `Fn(&[u8], &mut dyn FnMut(&[u8]) -> bool)`.
///
/// [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528
pub trait PeerCredentials {
    /// Calls `offer` with the CCS encoding of each credential held under `kid`, in turn, until it
    /// returns `true` (the credential verified).
    fn offer(&self, kid: &[u8], offer: &mut dyn FnMut(&[u8]) -> bool);
}

impl PeerCredentials for [&[u8]] {
    fn offer(&self, kid: &[u8], offer: &mut dyn FnMut(&[u8]) -> bool) {
        for ccs in self {
            let matches = Credential::parse(ccs).is_ok_and(|c| c.kid() == Some(kid));
            if matches && offer(ccs) {
                return;
            }
        }
    }
}

impl<F: Fn(&[u8], &mut dyn FnMut(&[u8]) -> bool)> PeerCredentials for F {
    fn offer(&self, kid: &[u8], offer: &mut dyn FnMut(&[u8]) -> bool) {
        self(kid, offer)
    }
}

/// The node ID a CCS received by value claims in its `sub`: 52 characters of lowercase base32,
/// unverified (§8.4.6).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NodeIdClaim([u8; NODE_ID_TEXT_LEN]);

impl NodeIdClaim {
    /// The claimed node ID.
    pub fn as_str(&self) -> &str {
        // Only lowercase base32 characters are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

#[cfg(test)]
impl NodeIdClaim {
    /// A distinct claim for each `n`, for tests of what is keyed by claims.
    pub(crate) fn for_tests(n: u8) -> Self {
        let mut claim = [b'a'; NODE_ID_TEXT_LEN];
        claim[0] = b'a' + n / 26;
        claim[1] = b'a' + n % 26;
        NodeIdClaim(claim)
    }
}

impl fmt::Debug for NodeIdClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeIdClaim({:?})", self.as_str())
    }
}

/// The credential that authenticated the peer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PeerCredential {
    /// ID_CRED_x referenced by `kid` a credential the node holds for a peer it may talk to.
    Referenced(Credential),
    /// ID_CRED_I carried this CCS by value ([IOTP-SEC-151]): EDHOC authenticated the holder of its key,
    /// and nothing more. The caller must treat the context as a visitor context (§8.4.6,
    /// [IOTP-SEC-152], [IOTP-SEC-153]) unless it holds a credential statement whose credential equals
    /// this CCS byte for byte ([IOTP-SEC-155]), and must refuse it if the claimed node is revoked
    /// ([IOTP-SEC-156]).
    ByValue {
        /// The CCS received, of the form of §8.2.2.
        credential: Credential,
        /// The node ID its `sub` claims, unverified.
        claimed_node_id: NodeIdClaim,
    },
}

impl PeerCredential {
    /// The credential, however it was identified.
    pub fn credential(&self) -> &Credential {
        match self {
            PeerCredential::Referenced(credential) => credential,
            PeerCredential::ByValue { credential, .. } => credential,
        }
    }

    /// Whether the credential came by value, so that the context is a visitor context (§8.4.6).
    pub fn is_by_value(&self) -> bool {
        matches!(self, PeerCredential::ByValue { .. })
    }
}

/// A cursor over a CCS being checked against the template of §8.2.2.
struct Template<'a> {
    rest: &'a [u8],
}

impl<'a> Template<'a> {
    fn expect(&mut self, bytes: &[u8]) -> Option<()> {
        self.rest = self.rest.strip_prefix(bytes)?;
        Some(())
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(taken)
    }
}

/// Checks a CCS received by value against the form of §8.2.2 in deterministic encoding
/// ([IOTP-SEC-7]) and its `sub` against the node ID syntax, as [IOTP-SEC-154] requires:
///
/// ```text
/// a2 02 78 34 <sub: 52 lowercase base32>
///    08 a1 01 a5 01 02  02 <kid: byte string of 0..23 bytes>  20 01  21 58 20 <x>  22 58 20 <y>
/// ```
///
/// and (x, y) must be a point of P-256.
pub(super) fn parse_by_value(ccs: &[u8]) -> Result<(Credential, NodeIdClaim), Error> {
    let checked = || -> Option<NodeIdClaim> {
        let mut t = Template { rest: ccs };
        t.expect(&[0xa2, 0x02, 0x78, NODE_ID_TEXT_LEN as u8])?;
        let sub = t.take(NODE_ID_TEXT_LEN)?;
        if !sub
            .iter()
            .all(|c| c.is_ascii_lowercase() || (b'2'..=b'7').contains(c))
        {
            return None;
        }
        t.expect(&[0x08, 0xa1, 0x01, 0xa5, 0x01, 0x02, 0x02])?;
        let kid_head = *t.take(1)?.first()?;
        if !(0x40..=0x57).contains(&kid_head) {
            return None;
        }
        t.take(usize::from(kid_head & 0x1f))?;
        t.expect(&[0x20, 0x01, 0x21, 0x58, 0x20])?;
        let x = t.take(SCALAR_LEN)?;
        t.expect(&[0x22, 0x58, 0x20])?;
        let y = t.take(SCALAR_LEN)?;
        if !t.rest.is_empty() {
            return None;
        }
        let point = EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
        Option::<AffinePoint>::from(AffinePoint::from_encoded_point(&point))?;
        let mut claim = [0u8; NODE_ID_TEXT_LEN];
        claim.copy_from_slice(sub);
        Some(NodeIdClaim(claim))
    };
    let claim = checked().ok_or(Error::InvalidCredentialByValue)?;
    let credential = Credential::parse(ccs).map_err(|_| Error::InvalidCredentialByValue)?;
    Ok((credential, claim))
}
