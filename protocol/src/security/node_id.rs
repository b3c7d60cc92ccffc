//! Node IDs (spec §2.8.1, §8.2.1) and the validation of identity public keys.
//!
//! A node ID is the COSE Key Thumbprint ([RFC 9679]) of the node's P-256 identity public key, computed
//! with SHA-256 over the deterministic encoding of the COSE_Key `{1: 2, -1: 1, -2: x, -3: y}`: 75 bytes,
//! `a4 01 02 20 01 21 58 20`, x, `22 58 20`, y. Its text form is the lowercase base32 of [RFC 4648] §6
//! without padding, 52 characters, optionally written in groups of four separated by `-`.
//!
//! The COSE_Key is a COSE structure, not a schema message, so it is written with the codec runtime's
//! writer, which gives the wire profile's deterministic encoding.

use core::fmt;

use iotp2p_codec::runtime::{EncodeError, Writer};
use iotp2p_codec::security::{KeyAlgorithm, PublicKey};
use p256::ecdsa::VerifyingKey;
use p256::elliptic_curve::sec1::{EncodedPoint, FromEncodedPoint};
use p256::{FieldBytes, NistP256};
use sha2::{Digest, Sha256};

/// Length of the deterministic encoding of a P-256 COSE_Key `{1: 2, -1: 1, -2: x, -3: y}`.
pub const COSE_KEY_LEN: usize = 75;

/// Length of a node ID's text form: 256 bits in 5-bit characters.
pub const NODE_ID_TEXT_LEN: usize = 52;

/// The base32 alphabet of RFC 4648 §6, in lowercase.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Writes the lowercase base32 of RFC 4648 §6 of `bytes`, without padding, into `out`: a character
/// per 5 bits, the last padded with zero bits. Returns how many it wrote, at most `out.len()`.
pub fn base32_lower(bytes: &[u8], out: &mut [u8]) -> usize {
    let (mut acc, mut bits, mut n) = (0u16, 0u32, 0);
    let mut put = |c: u16, n: &mut usize| {
        if let Some(slot) = out.get_mut(*n) {
            *slot = ALPHABET[usize::from(c & 31)];
            *n += 1;
        }
    };
    for &b in bytes {
        acc = (acc << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            put(acc >> bits, &mut n);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        put(acc << (5 - bits), &mut n);
    }
    n
}

/// The prime of P-256's field, big-endian: a coordinate must be below it.
const P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// A node ID: the SHA-256 COSE Key Thumbprint of a node's identity public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId([u8; 32]);

/// The 52-character text form of a node ID, held inline so that formatting never allocates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NodeIdText([u8; NODE_ID_TEXT_LEN]);

/// Why a text is not a node ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeIdTextError {
    /// Not 52 characters once the group separators are removed.
    Length,
    /// A character outside the lowercase base32 alphabet, at this byte offset.
    Character {
        /// Byte offset in the text.
        at: usize,
    },
    /// `-` used other than between groups of four characters (spec §2.8.1).
    Grouping,
    /// The last character carries nonzero padding bits: another spelling of a node ID, refused so that
    /// equal texts and equal node IDs are the same thing.
    NonCanonical,
}

/// Why a public key is not a usable identity key ([IOTP-SEC-1]: an ECDSA key pair on P-256).
///
/// The point at infinity (the identity element) has no affine coordinates, so a key given as `x` and
/// `y` can never be it; a pair of coordinates that would stand for it in some encodings, such as
/// `(0, 0)`, is not on the curve and is refused as [`PublicKeyError::NotOnCurve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicKeyError {
    /// The key's algorithm is not ES256, the only one of this version (§8.2.1).
    UnsupportedAlgorithm(u32),
    /// An ES256 key without its y-coordinate.
    MissingY,
    /// A coordinate is not an element of the field (it is p or more).
    CoordinateOutOfRange,
    /// The coordinates are not a point of P-256.
    NotOnCurve,
}

impl fmt::Display for NodeIdTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeIdTextError::Length => f.write_str("a node ID is 52 base32 characters"),
            NodeIdTextError::Character { at } => {
                write!(f, "not a lowercase base32 character at {at}")
            }
            NodeIdTextError::Grouping => f.write_str("`-` only between groups of four characters"),
            NodeIdTextError::NonCanonical => f.write_str("the last character has padding bits set"),
        }
    }
}

impl fmt::Display for PublicKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKeyError::UnsupportedAlgorithm(n) => write!(f, "key algorithm {n} is not ES256"),
            PublicKeyError::MissingY => f.write_str("an ES256 key without its y-coordinate"),
            PublicKeyError::CoordinateOutOfRange => f.write_str("a coordinate is not below p"),
            PublicKeyError::NotOnCurve => f.write_str("the point is not on P-256"),
        }
    }
}

impl NodeId {
    /// The node ID with these 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> NodeId {
        NodeId(bytes)
    }

    /// The node ID's 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The node ID of the P-256 public key with these coordinates (the coordinates are not checked;
    /// [`IdentityPublicKey`] does that).
    pub fn of_coordinates(x: &[u8; 32], y: &[u8; 32]) -> NodeId {
        NodeId(Sha256::digest(cose_key(x, y)).into())
    }

    /// The text form: 52 characters of lowercase base32, as in the `sub` claim of a credential
    /// ([IOTP-SEC-127]).
    pub fn to_text(&self) -> NodeIdText {
        let mut out = [0u8; NODE_ID_TEXT_LEN];
        base32_lower(&self.0, &mut out);
        NodeIdText(out)
    }

    /// Parses the text form: 52 lowercase base32 characters, or the same in groups of four separated
    /// by `-` (spec §2.8.1). Uppercase is refused: the spec writes the form in lowercase, and a `sub`
    /// claim is compared as text.
    pub fn parse(text: &str) -> Result<NodeId, NodeIdTextError> {
        let bytes = text.as_bytes();
        let grouped = bytes.contains(&b'-');
        if grouped {
            // 13 groups of four, 12 separators.
            if bytes.len() != NODE_ID_TEXT_LEN + 12 {
                return Err(NodeIdTextError::Length);
            }
            for (i, &c) in bytes.iter().enumerate() {
                if (i % 5 == 4) != (c == b'-') {
                    return Err(NodeIdTextError::Grouping);
                }
            }
        } else if bytes.len() != NODE_ID_TEXT_LEN {
            return Err(NodeIdTextError::Length);
        }
        let mut out = [0u8; 32];
        let (mut acc, mut bits, mut n) = (0u16, 0u32, 0);
        for (at, &c) in bytes.iter().enumerate() {
            if c == b'-' {
                continue;
            }
            let v = match c {
                b'a'..=b'z' => c - b'a',
                b'2'..=b'7' => c - b'2' + 26,
                _ => return Err(NodeIdTextError::Character { at }),
            };
            acc = (acc << 5) | u16::from(v);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                if n < out.len() {
                    out[n] = (acc >> bits) as u8;
                }
                n += 1;
            }
            acc &= (1 << bits) - 1;
        }
        if acc != 0 {
            return Err(NodeIdTextError::NonCanonical);
        }
        Ok(NodeId(out))
    }
}

impl NodeIdText {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only characters of the ASCII alphabet are ever written.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for NodeIdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for NodeIdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_text().as_str())
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.to_text())
    }
}

/// The deterministic encoding of the COSE_Key `{1: 2, -1: 1, -2: x, -3: y}` (kty EC2, crv P-256),
/// whose SHA-256 hash is the node ID.
pub fn cose_key(x: &[u8; 32], y: &[u8; 32]) -> [u8; COSE_KEY_LEN] {
    let mut out = [0u8; COSE_KEY_LEN];
    // The buffer has exactly the room the encoding takes, so the writer cannot fail; were it to, the
    // zeroed tail would show in every node ID, which the vectors of chapter 13 check.
    let _ = write_cose_key(&mut Writer::new(&mut out), x, y);
    out
}

fn write_cose_key(w: &mut Writer<'_>, x: &[u8; 32], y: &[u8; 32]) -> Result<(), EncodeError> {
    // Labels in deterministic (bytewise) order: 1 (0x01), then -1 (0x20), -2 (0x21), -3 (0x22).
    w.map(4)?;
    w.u64(1)?;
    w.u64(2)?;
    w.i64(-1)?;
    w.u64(1)?;
    w.i64(-2)?;
    w.bytes(x)?;
    w.i64(-3)?;
    w.bytes(y)?;
    w.close(4);
    Ok(())
}

/// A validated P-256 identity public key and its node ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdentityPublicKey {
    key: VerifyingKey,
    x: [u8; 32],
    y: [u8; 32],
    node_id: NodeId,
}

impl IdentityPublicKey {
    /// The key with these affine coordinates, if they are a point of P-256.
    pub fn from_coordinates(
        x: &[u8; 32],
        y: &[u8; 32],
    ) -> Result<IdentityPublicKey, PublicKeyError> {
        // Big-endian arrays of equal length compare as the numbers they hold.
        if x.as_slice() >= P.as_slice() || y.as_slice() >= P.as_slice() {
            return Err(PublicKeyError::CoordinateOutOfRange);
        }
        let point = EncodedPoint::<NistP256>::from_affine_coordinates(
            FieldBytes::from_slice(x),
            FieldBytes::from_slice(y),
            false,
        );
        // `from_encoded_point` checks the curve equation and refuses the identity.
        let public = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&point))
            .ok_or(PublicKeyError::NotOnCurve)?;
        Ok(IdentityPublicKey {
            key: VerifyingKey::from(public),
            x: *x,
            y: *y,
            node_id: NodeId::of_coordinates(x, y),
        })
    }

    /// The key of a schema `PublicKey`: ES256 with both coordinates, on the curve.
    pub fn from_schema(key: &PublicKey<'_>) -> Result<IdentityPublicKey, PublicKeyError> {
        if key.algorithm != KeyAlgorithm::Es256 {
            return Err(PublicKeyError::UnsupportedAlgorithm(key.algorithm.to_u32()));
        }
        let y = key.y.ok_or(PublicKeyError::MissingY)?;
        IdentityPublicKey::from_coordinates(key.x, y)
    }

    /// The key as a schema `PublicKey`.
    pub fn to_schema(&self) -> PublicKey<'_> {
        PublicKey {
            algorithm: KeyAlgorithm::Es256,
            x: &self.x,
            y: Some(&self.y),
            unknown_fields: Default::default(),
        }
    }

    /// The x-coordinate, 32 bytes big-endian.
    pub fn x(&self) -> &[u8; 32] {
        &self.x
    }

    /// The y-coordinate, 32 bytes big-endian.
    pub fn y(&self) -> &[u8; 32] {
        &self.y
    }

    /// The node ID this key names.
    pub fn node_id(&self) -> NodeId {
        self.node_id
    }

    /// Whether this key's node ID is `node`.
    pub fn names(&self, node: &[u8; 32]) -> bool {
        self.node_id.as_bytes() == node
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }
}

impl From<VerifyingKey> for IdentityPublicKey {
    fn from(key: VerifyingKey) -> IdentityPublicKey {
        let point = key.to_encoded_point(false);
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        // A verifying key is never the identity, so its uncompressed point has both coordinates.
        if let (Some(px), Some(py)) = (point.x(), point.y()) {
            x.copy_from_slice(px);
            y.copy_from_slice(py);
        }
        IdentityPublicKey {
            key,
            x,
            y,
            node_id: NodeId::of_coordinates(&x, &y),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_follows_rfc_4648_and_stops_at_the_end_of_its_output() {
        let text = |bytes: &[u8], room: usize| {
            let mut out = [0u8; 16];
            let n = base32_lower(bytes, &mut out[..room]);
            alloc::string::String::from_utf8(out[..n].to_vec()).unwrap()
        };
        // RFC 4648 §10, lowercase and without padding.
        assert_eq!(text(b"", 16), "");
        assert_eq!(text(b"f", 16), "my");
        assert_eq!(text(b"foob", 16), "mzxw6yq");
        assert_eq!(text(b"foobar", 16), "mzxw6ytboi");
        assert_eq!(text(b"foobar", 4), "mzxw", "no more than the room given");
    }

    #[test]
    fn rfc_9679_example() {
        let hex = |s: &str| -> [u8; 32] {
            let mut out = [0u8; 32];
            for (i, b) in out.iter_mut().enumerate() {
                *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
            }
            out
        };
        let x = hex("65eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d");
        let y = hex("1e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c");
        let key = IdentityPublicKey::from_coordinates(&x, &y).unwrap();
        let id = key.node_id();
        assert_eq!(
            id.as_bytes(),
            &hex("496bd8afadf307e5b08c64b0421bf9dc01528a344a43bda88fadd1669da253ec")
        );
        let text = "jfv5rl5n6md6lmemmsyeeg7z3qavfcrujjb33kepvxiwnhnckpwa";
        assert_eq!(id.to_text().as_str(), text);
        assert_eq!(NodeId::parse(text), Ok(id));
        assert_eq!(
            NodeId::parse("jfv5-rl5n-6md6-lmem-msye-eg7z-3qav-fcru-jjb3-3kep-vxiw-nhnc-kpwa"),
            Ok(id)
        );
    }

    #[test]
    fn bad_texts() {
        let text = "jfv5rl5n6md6lmemmsyeeg7z3qavfcrujjb33kepvxiwnhnckpwa";
        assert_eq!(NodeId::parse(&text[1..]), Err(NodeIdTextError::Length));
        assert_eq!(
            NodeId::parse(&text.replace('j', "J")),
            Err(NodeIdTextError::Character { at: 0 })
        );
        // The last character carries one bit: `b` sets a padding bit.
        let mut other = std::string::String::from(&text[..51]);
        other.push('b');
        assert_eq!(NodeId::parse(&other), Err(NodeIdTextError::NonCanonical));
        // A separator one place off.
        assert_eq!(
            NodeId::parse("jfv5r-l5n6md6-lmem-msye-eg7z-3qav-fcru-jjb3-3kep-vxiw-nhnc-kpwa"),
            Err(NodeIdTextError::Length)
        );
        assert_eq!(
            NodeId::parse("jfv5r-l5n-6md6-lmem-msye-eg7z-3qav-fcru-jjb3-3kep-vxiw-nhnc-kpwa"),
            Err(NodeIdTextError::Grouping)
        );
    }

    #[test]
    fn bad_points() {
        assert_eq!(
            IdentityPublicKey::from_coordinates(&[0; 32], &[0; 32]),
            Err(PublicKeyError::NotOnCurve)
        );
        assert_eq!(
            IdentityPublicKey::from_coordinates(&[0xff; 32], &[0; 32]),
            Err(PublicKeyError::CoordinateOutOfRange)
        );
    }
}
