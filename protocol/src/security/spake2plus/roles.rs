//! The two roles ([RFC 9383] §3.3, appendix A), as state machines whose steps consume `self`:
//!
//! - the prover (the controller): [`Prover::start`] gives shareP; [`Prover::receive`] takes shareV;
//!   [`ProverConfirming::finish`] takes confirmV and, only if it verifies, gives confirmP and K_shared
//!   ([IOTP-SEC-34]);
//! - the verifier (the device): [`Verifier::respond`] takes shareP and gives shareV and confirmV;
//!   [`VerifierConfirming::finish`] takes confirmP and gives K_shared.
//!
//! A received share is decoded and checked before anything is computed with it ([IOTP-SEC-33]).
//!
//! [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383

use core::fmt;

use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::subtle::ConstantTimeEq;
use p256::elliptic_curve::Field;
use p256::{ProjectivePoint, Scalar};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::group::{decode_share, encode, m, n, reduce32};
use super::password::{ProverSecret, VerifierRecord};
use super::schedule::KeySchedule;
use super::{Error, Inputs, InvalidPoint, CONFIRM_LEN, KEY_LEN, SCALAR_LEN, SHARE_LEN};

/// K_shared: the secret both parties hold once the peer's confirmation verified. Wiped on drop;
/// compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SharedKey([u8; KEY_LEN]);

impl PartialEq for SharedKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl Eq for SharedKey {}

impl SharedKey {
    /// The key's bytes: the Master Secret of the pairing context (§8.3.4).
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for SharedKey {
    /// Prints no secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedKey(..)")
    }
}

/// An ephemeral scalar from the caller's 32 random bytes, reduced modulo n; zero is refused.
fn ephemeral(bytes: &[u8; SCALAR_LEN]) -> Result<Scalar, Error> {
    let scalar = reduce32(bytes);
    if bool::from(scalar.is_zero()) {
        return Err(Error::ZeroScalar);
    }
    Ok(scalar)
}

/// The peer's share with the password's mask `w0·fixed` taken out; refused if that leaves the
/// identity, for then Z and V would hold nothing secret.
fn unmask(share: &[u8], fixed: ProjectivePoint, w0: &Scalar) -> Result<ProjectivePoint, Error> {
    let point = decode_share(share).map_err(Error::InvalidShare)?;
    let unmasked = point - fixed * w0;
    if bool::from(unmasked.is_identity()) {
        return Err(Error::InvalidShare(InvalidPoint::Identity));
    }
    Ok(unmasked)
}

/// Z and V encoded, then the key schedule; the points and their encodings are wiped.
fn schedule(
    inputs: &Inputs<'_>,
    share_p: &[u8; SHARE_LEN],
    share_v: &[u8; SHARE_LEN],
    mut z: ProjectivePoint,
    mut v: ProjectivePoint,
    w0: &Scalar,
) -> Result<KeySchedule, Error> {
    // Neither is the identity: the unmasked share is not, and x, y, w1 are non-zero scalars of a
    // prime-order group. `encode` refuses it all the same.
    let encoded = encode(&z).and_then(|ez| encode(&v).map(|ev| (ez, ev)));
    z.zeroize();
    v.zeroize();
    let (mut ez, mut ev) = encoded.map_err(Error::InvalidShare)?;
    let schedule = KeySchedule::derive(inputs, share_p, share_v, &ez, &ev, w0);
    ez.zeroize();
    ev.zeroize();
    Ok(schedule)
}

/// The prover after sending shareP: holds w0, w1 and x. Wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Prover {
    w0: Scalar,
    w1: Scalar,
    x: Scalar,
    #[zeroize(skip)]
    share_p: [u8; SHARE_LEN],
}

impl fmt::Debug for Prover {
    /// Prints shareP only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prover")
            .field("share_p", &self.share_p)
            .finish_non_exhaustive()
    }
}

impl Prover {
    /// Starts an exchange with the ephemeral scalar x, given as 32 random bytes (reduced modulo n):
    /// shareP = X = x·P + w0·M.
    ///
    /// Fails with [`Error::ZeroScalar`] if x is zero modulo n, or if X is the identity (x cancels the
    /// password's mask; probability 2^-256).
    pub fn start(secret: &ProverSecret, x: &[u8; SCALAR_LEN]) -> Result<Self, Error> {
        let x = ephemeral(x)?;
        let mut point = ProjectivePoint::GENERATOR * x + m() * secret.w0;
        let share_p = encode(&point).map_err(|_| Error::ZeroScalar);
        point.zeroize();
        Ok(Prover {
            w0: secret.w0,
            w1: secret.w1,
            x,
            share_p: share_p?,
        })
    }

    /// shareP, to send in `pair_share`.
    pub fn share_p(&self) -> &[u8; SHARE_LEN] {
        &self.share_p
    }

    /// Takes the verifier's shareV, refused unless it is a valid uncompressed point other than the
    /// identity, and computes Z = x·(Y − w0·N), V = w1·(Y − w0·N), the transcript and the keys.
    pub fn receive(self, inputs: &Inputs<'_>, share_v: &[u8]) -> Result<ProverConfirming, Error> {
        let unmasked = unmask(share_v, n(), &self.w0)?;
        let mut share_v_bytes = [0u8; SHARE_LEN];
        // `unmask` accepted exactly SHARE_LEN bytes.
        share_v_bytes.copy_from_slice(share_v);
        let schedule = schedule(
            inputs,
            &self.share_p,
            &share_v_bytes,
            unmasked * self.x,
            unmasked * self.w1,
            &self.w0,
        )?;
        Ok(ProverConfirming { schedule })
    }
}

/// The prover holding the key schedule, waiting for confirmV.
#[derive(Debug)]
pub struct ProverConfirming {
    schedule: KeySchedule,
}

impl ProverConfirming {
    /// Checks confirmV in constant time and only then gives confirmP, to send in `pair_confirm`, and
    /// K_shared. If confirmV does not verify the exchange ends here, without confirmP
    /// ([IOTP-SEC-34]).
    pub fn finish(self, confirm_v: &[u8]) -> Result<([u8; CONFIRM_LEN], SharedKey), Error> {
        if !KeySchedule::verify(self.schedule.confirm_v(), confirm_v) {
            return Err(Error::ConfirmationFailed);
        }
        Ok((
            *self.schedule.confirm_p(),
            SharedKey(*self.schedule.k_shared()),
        ))
    }

    /// The transcript and the keys, for test vectors (feature `test-vectors`: confirmP is readable
    /// here before confirmV verified, which a product must never allow, [IOTP-SEC-34]).
    #[cfg(feature = "test-vectors")]
    pub fn schedule(&self) -> &KeySchedule {
        &self.schedule
    }
}

/// The verifier waiting for shareP: holds the record (w0, L).
#[derive(Debug)]
pub struct Verifier {
    record: VerifierRecord,
}

impl Verifier {
    /// A verifier for one exchange with this record.
    pub fn new(record: &VerifierRecord) -> Self {
        Verifier {
            record: record.clone(),
        }
    }

    /// Takes the prover's shareP, refused unless it is a valid uncompressed P-256 point other than
    /// the identity ([IOTP-SEC-33]); with the ephemeral scalar y, given as 32 random bytes (reduced
    /// modulo n, zero refused), computes shareV = y·P + w0·N, Z = y·(X − w0·M), V = y·L, the
    /// transcript and the keys.
    pub fn respond(
        self,
        inputs: &Inputs<'_>,
        share_p: &[u8],
        y: &[u8; SCALAR_LEN],
    ) -> Result<VerifierConfirming, Error> {
        let w0 = self.record.w0;
        let unmasked = unmask(share_p, m(), &w0)?;
        let mut y = ephemeral(y)?;
        let mut point = ProjectivePoint::GENERATOR * y + n() * w0;
        let share_v = encode(&point).map_err(|_| Error::ZeroScalar);
        point.zeroize();
        let share_v = share_v?;
        let mut share_p_bytes = [0u8; SHARE_LEN];
        // `unmask` accepted exactly SHARE_LEN bytes.
        share_p_bytes.copy_from_slice(share_p);
        let schedule = schedule(
            inputs,
            &share_p_bytes,
            &share_v,
            unmasked * y,
            self.record.l * y,
            &w0,
        );
        y.zeroize();
        Ok(VerifierConfirming {
            share_v,
            schedule: schedule?,
        })
    }
}

/// The verifier after sending shareV and confirmV, waiting for confirmP.
#[derive(Debug)]
pub struct VerifierConfirming {
    share_v: [u8; SHARE_LEN],
    schedule: KeySchedule,
}

impl VerifierConfirming {
    /// shareV, to send in `PairingShareReply`.
    pub fn share_v(&self) -> &[u8; SHARE_LEN] {
        &self.share_v
    }

    /// confirmV = HMAC(K_confirmV, shareP), to send with shareV.
    pub fn confirm_v(&self) -> &[u8; CONFIRM_LEN] {
        self.schedule.confirm_v()
    }

    /// Checks confirmP in constant time; gives K_shared if it verifies. A failure is a failed attempt
    /// ([IOTP-SEC-30]).
    pub fn finish(self, confirm_p: &[u8]) -> Result<SharedKey, Error> {
        if !KeySchedule::verify(self.schedule.confirm_p(), confirm_p) {
            return Err(Error::ConfirmationFailed);
        }
        Ok(SharedKey(*self.schedule.k_shared()))
    }

    /// The transcript and the keys, for test vectors (feature `test-vectors`: confirmP is readable
    /// here before confirmV verified, which a product must never allow, [IOTP-SEC-34]).
    #[cfg(feature = "test-vectors")]
    pub fn schedule(&self) -> &KeySchedule {
        &self.schedule
    }
}
