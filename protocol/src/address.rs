//! Addresses in canonical form (spec §2.2 and the length limits of §2.3), outside the special-use
//! domains of §2.6.2.
//!
//! Every address a node sends is canonical ([IOTP-ADDR-1]) and a receiver refuses envelopes whose
//! addresses are not ([IOTP-MSG-6], [IOTP-ADDR-2]). The check is a single pass over at most 254 bytes,
//! without allocation.

use core::fmt;

/// Longest local part, in octets ([IOTP-ADDR-5]).
pub const MAX_LOCAL_PART: usize = 64;
/// Longest label of a domain ([IOTP-ADDR-6]).
pub const MAX_LABEL: usize = 63;
/// Longest domain ([IOTP-ADDR-7]).
pub const MAX_DOMAIN: usize = 253;
/// Longest address ([IOTP-ADDR-8]).
pub const MAX_ADDRESS: usize = 254;

/// Why a string is not a canonical address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressError {
    /// No `@`, or more than one.
    NoSingleAt,
    /// The local part breaks the ABNF of §2.2 (a character other than a–z, 0–9 and single separators
    /// between them; a service local part is `_` and letters, digits and single hyphens).
    LocalPart,
    /// A label of the domain breaks the ABNF (LDH, lowercase, no leading or trailing hyphen).
    Label,
    /// The domain has a single label.
    SingleLabel,
    /// The last label is all digits ([IOTP-ADDR-3]).
    NumericTopLabel,
    /// A label with `-` as its third and fourth characters that does not start with `xn--`
    /// ([IOTP-ADDR-4]).
    ReservedLabel,
    /// A length limit of §2.3 is exceeded ([IOTP-ADDR-9]).
    TooLong,
    /// The domain is, or ends in, `local`, `localhost` or `invalid`: special-use names that are never
    /// valid in an address (§2.6.2, [IOTP-ADDR-26]).
    SpecialUse,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressError::NoSingleAt => "an address has exactly one `@`",
            AddressError::LocalPart => "the local part is not canonical",
            AddressError::Label => "a label of the domain is not canonical",
            AddressError::SingleLabel => "the domain has a single label",
            AddressError::NumericTopLabel => "the last label of the domain is all digits",
            AddressError::ReservedLabel => {
                "a label with `--` at positions 3 and 4 is not an A-label"
            }
            AddressError::TooLong => "the address exceeds a length limit of spec §2.3",
            AddressError::SpecialUse => {
                "the domain is a special-use name (`local`, `localhost` or `invalid`)"
            }
        })
    }
}

fn let_dig(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Checks that `address` is in the canonical form of spec §2.2, within the limits of §2.3, and not in
/// a special-use domain that §2.6.2 excludes.
pub fn check(address: &str) -> Result<(), AddressError> {
    if address.len() > MAX_ADDRESS {
        return Err(AddressError::TooLong);
    }
    let mut parts = address.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AddressError::NoSingleAt);
    };
    if local.len() > MAX_LOCAL_PART || domain.len() > MAX_DOMAIN {
        return Err(AddressError::TooLong);
    }
    check_local(local.as_bytes())?;
    check_domain(domain)
}

/// `node-local = let-dig *( [ separator ] let-dig )`, `service-local = "_" let-dig *( [ "-" ] let-dig )`.
fn check_local(local: &[u8]) -> Result<(), AddressError> {
    let (body, separators): (&[u8], &[u8]) = match local.split_first() {
        Some((b'_', rest)) => (rest, b"-"),
        _ => (local, b".-_"),
    };
    let (Some(&first), Some(&last)) = (body.first(), body.last()) else {
        return Err(AddressError::LocalPart);
    };
    if !let_dig(first) || !let_dig(last) {
        return Err(AddressError::LocalPart);
    }
    let mut previous_separator = false;
    for &b in body {
        if let_dig(b) {
            previous_separator = false;
        } else if separators.contains(&b) && !previous_separator {
            previous_separator = true;
        } else {
            return Err(AddressError::LocalPart);
        }
    }
    Ok(())
}

/// `domain = label 1*( "." label )`, with the label rules of [IOTP-ADDR-3], [IOTP-ADDR-4] and
/// [IOTP-ADDR-6].
fn check_domain(domain: &str) -> Result<(), AddressError> {
    let mut labels = 0;
    let mut last = "";
    for label in domain.split('.') {
        let bytes = label.as_bytes();
        if bytes.len() > MAX_LABEL {
            return Err(AddressError::TooLong);
        }
        let (Some(&first), Some(&end)) = (bytes.first(), bytes.last()) else {
            return Err(AddressError::Label);
        };
        if !let_dig(first) || !let_dig(end) || !bytes.iter().all(|&b| let_dig(b) || b == b'-') {
            return Err(AddressError::Label);
        }
        if bytes.get(2..4) == Some(b"--") && !label.starts_with("xn--") {
            return Err(AddressError::ReservedLabel);
        }
        labels += 1;
        last = label;
    }
    if labels < 2 {
        return Err(AddressError::SingleLabel);
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AddressError::NumericTopLabel);
    }
    // Multicast DNS names are not unique beyond one link; `localhost` and `invalid` name nothing
    // anyone can reach (RFC 6761, RFC 6762).
    if matches!(last, "local" | "localhost" | "invalid") {
        return Err(AddressError::SpecialUse);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_examples() {
        for ok in [
            "lamp@home.example.org",
            "kitchen.ceiling-2@home.example.org",
            "thermostat@xn--bcher-kva.example",
            "alice-phone@example.net",
            "_relay@home.example.org",
            "a@b.c",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("Lamp@home.example.org", AddressError::LocalPart),
            ("lamp@home.example.org.", AddressError::Label),
            ("lamp..1@home.example.org", AddressError::LocalPart),
            ("-lamp@home.example.org", AddressError::LocalPart),
            ("lamp@localhost", AddressError::SingleLabel),
            ("lamp@192.0.2.1", AddressError::NumericTopLabel),
            ("\"a b\"@example.org", AddressError::LocalPart),
            ("lamp@ab--c.example", AddressError::ReservedLabel),
            ("lamp@home.local", AddressError::SpecialUse),
            ("lamp@printer.localhost", AddressError::SpecialUse),
            ("lamp@home.invalid", AddressError::SpecialUse),
            ("_re_lay@example.org", AddressError::LocalPart),
            ("_@example.org", AddressError::LocalPart),
            ("a@b@example.org", AddressError::NoSingleAt),
            ("example.org", AddressError::NoSingleAt),
            ("lamp@-a.example", AddressError::Label),
        ] {
            assert_eq!(check(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn length_limits() {
        let local = "a".repeat(64);
        let label = "b".repeat(63);
        assert_eq!(check(&std::format!("{local}@{label}.org")), Ok(()));
        assert_eq!(
            check(&std::format!("{local}a@{label}.org")),
            Err(AddressError::TooLong)
        );
        assert_eq!(
            check(&std::format!("a@{label}b.org")),
            Err(AddressError::TooLong)
        );
        let domain = std::format!("{label}.{label}.{label}.{}", "c".repeat(61));
        assert_eq!(domain.len(), 253);
        assert_eq!(check_domain(&domain), Ok(()));
        // With the shortest local part, a 253-octet domain makes a 255-octet address: one too many.
        assert_eq!(
            check(&std::format!("a@{domain}")),
            Err(AddressError::TooLong)
        );
        assert_eq!(check(&std::format!("a@{}", &domain[1..])), Ok(()));
    }
}
