//! DANE for the relay-to-relay hop ([IOTP-DLV-59]; RFC 6698, RFC 7671, RFC 7673): the TLSA records
//! of the SRV target a relay connects to, read from DNSSEC-validated answers only, compared with the
//! certificate the peer presents. They add to the certificate's path validation to the configured
//! trust anchors (spec §3.9.1), never replace it: a peer whose zone publishes usable TLSA records
//! must present a certificate that one of them matches, and a certificate that validates.
//!
//! Usable here are the records about the peer's own certificate: usage 3 (DANE-EE) and 1
//! (PKIX-EE), with selector 0 (the whole certificate) or 1 (its public key, SPKI) and matching
//! type 0 (exact), 1 (SHA-256) or 2 (SHA-512). Usages 0 and 2 name a CA in the peer's chain, which
//! the DTLS implementation does not hand over (the leaf alone): they are not usable, and a set of
//! records none of which is usable leaves the certificate to its path validation (RFC 7671 §4.1).

use sha2::{Digest, Sha256, Sha512};
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

use crate::resolve::Tlsa;

/// What the TLSA records say of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// None of the records is usable here: the certificate's path validation decides.
    NoneUsable,
    /// A usable record matches the certificate.
    Match,
    /// Records are usable, and none matches: the peer is refused.
    Mismatch,
}

/// Whether `records` are usable for a peer's certificate here (usage, selector and matching type).
fn usable(record: &Tlsa) -> bool {
    matches!(record.usage, 1 | 3) && matches!(record.selector, 0 | 1) && record.matching <= 2
}

/// The verdict of `records` on the certificate `leaf` (DER).
pub fn check(leaf: &[u8], records: &[Tlsa]) -> Verdict {
    let usable: Vec<&Tlsa> = records.iter().filter(|r| usable(r)).collect();
    if usable.is_empty() {
        return Verdict::NoneUsable;
    }
    // A certificate that does not parse matches nothing (its path validation refuses it too).
    let Ok(cert) = Certificate::from_der(leaf) else {
        return Verdict::Mismatch;
    };
    let Ok(spki) = cert.tbs_certificate().subject_public_key_info().to_der() else {
        return Verdict::Mismatch;
    };
    let matches = |r: &&Tlsa| {
        let selected: &[u8] = if r.selector == 0 { leaf } else { &spki };
        match r.matching {
            0 => selected == r.data.as_slice(),
            1 => Sha256::digest(selected).as_slice() == r.data.as_slice(),
            _ => Sha512::digest(selected).as_slice() == r.data.as_slice(),
        }
    };
    if usable.iter().any(matches) {
        Verdict::Match
    } else {
        Verdict::Mismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PublicKeyData;

    fn certificate() -> (Vec<u8>, Vec<u8>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["relay1.example.net".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.der().to_vec(), key.subject_public_key_info())
    }

    fn tlsa(usage: u8, selector: u8, matching: u8, data: &[u8]) -> Tlsa {
        Tlsa {
            usage,
            selector,
            matching,
            data: data.to_vec(),
        }
    }

    #[test]
    fn each_record_alone_matches_is_not_usable_or_does_not_match() {
        let (leaf, spki) = certificate();
        let (_, other) = certificate();
        let sha256 = |b: &[u8]| Sha256::digest(b).to_vec();
        let sha512 = |b: &[u8]| Sha512::digest(b).to_vec();
        let cases = [
            // The certificate or its key, by SHA-256, SHA-512 or itself; DANE-EE or PKIX-EE.
            (tlsa(3, 1, 1, &sha256(&spki)), Verdict::Match),
            (tlsa(3, 0, 1, &sha256(&leaf)), Verdict::Match),
            (tlsa(3, 1, 2, &sha512(&spki)), Verdict::Match),
            (tlsa(1, 0, 0, &leaf), Verdict::Match),
            (tlsa(3, 1, 0, &spki), Verdict::Match),
            // Another key's record; the right hash under the wrong matching type.
            (tlsa(3, 1, 1, &sha256(&other)), Verdict::Mismatch),
            (tlsa(3, 1, 2, &sha256(&spki)), Verdict::Mismatch),
            // About a CA (DANE-TA, PKIX-TA), or of kinds not assigned.
            (tlsa(2, 1, 1, b"a CA's key"), Verdict::NoneUsable),
            (tlsa(0, 0, 1, b"a CA"), Verdict::NoneUsable),
            (tlsa(4, 1, 1, &sha256(&spki)), Verdict::NoneUsable),
            (tlsa(3, 2, 1, &sha256(&spki)), Verdict::NoneUsable),
            (tlsa(3, 1, 3, &sha256(&spki)), Verdict::NoneUsable),
        ];
        for (record, verdict) in cases {
            let got = check(&leaf, std::slice::from_ref(&record));
            assert_eq!(got, verdict, "{record:?}");
        }
        // One record that matches among others that do not: a match (a key rollover).
        let both = [
            tlsa(3, 1, 1, &sha256(&other)),
            tlsa(3, 1, 1, &sha256(&spki)),
        ];
        assert_eq!(check(&leaf, &both), Verdict::Match);
        // Garbage for a certificate matches nothing.
        assert_eq!(check(b"not DER", &both), Verdict::Mismatch);
    }
}
