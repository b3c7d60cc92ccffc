//! The signature algorithms `webpki` checks certificates with: ECDSA on P-256 with SHA-256 and on
//! P-384 with SHA-384, the two the DTLS implementation signs its handshakes with, carried out by
//! the RustCrypto curves (the family the rest of the project uses; no C or assembly). Each is a
//! thin adapter from `webpki`'s trait to `p256`/`p384`: parsing the key and the DER signature and
//! verifying are the crates'.

use pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};

/// An adapter named `$name` for the curve crate `$curve`, with its key's and signature's
/// algorithm identifiers.
macro_rules! ecdsa {
    ($name:ident, $curve:ident, $key:expr, $signature:expr) => {
        #[derive(Debug)]
        struct $name;

        impl SignatureVerificationAlgorithm for $name {
            fn verify_signature(
                &self,
                public_key: &[u8],
                message: &[u8],
                signature: &[u8],
            ) -> Result<(), InvalidSignature> {
                use $curve::ecdsa::signature::Verifier;
                let key = $curve::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let signature = $curve::ecdsa::DerSignature::try_from(signature)
                    .map_err(|_| InvalidSignature)?;
                key.verify(message, &signature)
                    .map_err(|_| InvalidSignature)
            }

            fn public_key_alg_id(&self) -> AlgorithmIdentifier {
                $key
            }

            fn signature_alg_id(&self) -> AlgorithmIdentifier {
                $signature
            }
        }
    };
}

ecdsa!(
    EcdsaP256Sha256,
    p256_dtls,
    alg_id::ECDSA_P256,
    alg_id::ECDSA_SHA256
);
ecdsa!(
    EcdsaP384Sha384,
    p384_dtls,
    alg_id::ECDSA_P384,
    alg_id::ECDSA_SHA384
);

/// What a certificate's signature may be made with.
pub(super) static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] =
    &[&EcdsaP256Sha256, &EcdsaP384Sha384];
