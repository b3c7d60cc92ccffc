//! The check digit of a manual pairing code (spec §8.3.1): Verhoeff's algorithm over the dihedral
//! group D5.
//!
//! A manual pairing code is twelve decimal digits `DDDPPPPPPPPC`: the discriminator, the passcode and a
//! check digit over the first eleven. The tables are derived here as §8.3.1 defines them rather than
//! copied: `d` is the multiplication of D5 (rotations 0–4, reflections 5–9), `p(i)` is the permutation
//! `p(1) = 1576283094` applied i times, and `inv` the inverse in D5. The digits are processed **from
//! right to left**, the rightmost at position 1 when computing ([`check_digit`], [IOTP-SEC-131]) and
//! the check digit at position 0 when verifying ([`is_valid`], [IOTP-SEC-24]).

use core::fmt;

/// How many digits a manual pairing code has, its check digit included.
pub const CODE_LEN: usize = 12;

/// `p(1)` of §8.3.1: the permutation applied once per position.
const P1: [u8; 10] = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];

/// Why digits were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupCodeError {
    /// A character that is not a decimal digit, at this byte offset.
    NotADigit {
        /// Byte offset in the text.
        at: usize,
    },
    /// Not the number of digits expected: eleven to compute a check digit, twelve to verify a code.
    Length {
        /// The number of characters given.
        len: usize,
    },
}

impl fmt::Display for SetupCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupCodeError::NotADigit { at } => write!(f, "not a decimal digit at {at}"),
            SetupCodeError::Length { len } => write!(f, "{len} digits"),
        }
    }
}

/// `d(j, k)`: the product j·k in D5, rotations being 0–4 and reflections 5–9.
const fn d(j: u8, k: u8) -> u8 {
    match (j < 5, k < 5) {
        (true, true) => (j + k) % 5,
        (true, false) => 5 + (j + k - 5) % 5,
        (false, true) => 5 + (j - 5 + 5 - k) % 5,
        (false, false) => (j + 10 - k) % 5,
    }
}

/// `inv(j)`: the inverse of j in D5 (a reflection is its own).
const fn inv(j: u8) -> u8 {
    if j < 5 {
        (5 - j) % 5
    } else {
        j
    }
}

/// `p(i, k)`: `p(1)` applied `i mod 8` times to k (`p(1)` has order 8).
const fn p(i: usize, k: u8) -> u8 {
    let mut k = k;
    let mut n = 0;
    while n < i % 8 {
        k = P1[k as usize];
        n += 1;
    }
    k
}

/// The digits of `text`, of which there must be `len`.
fn digits(
    text: &str,
    len: usize,
) -> Result<impl DoubleEndedIterator<Item = u8> + '_, SetupCodeError> {
    if let Some(at) = text.bytes().position(|c| !c.is_ascii_digit()) {
        return Err(SetupCodeError::NotADigit { at });
    }
    if text.len() != len {
        return Err(SetupCodeError::Length { len: text.len() });
    }
    Ok(text.bytes().map(|c| c - b'0'))
}

/// Folds the digits from right to left, the rightmost at position `first`.
fn fold(digits: impl DoubleEndedIterator<Item = u8>, first: usize) -> u8 {
    digits
        .rev()
        .enumerate()
        .fold(0, |c, (n, digit)| d(c, p(n + first, digit)))
}

/// The check digit of the eleven digits `DDDPPPPPPPP` (discriminator and passcode), to append at the
/// right ([IOTP-SEC-131]).
pub fn check_digit(eleven: &str) -> Result<u8, SetupCodeError> {
    Ok(inv(fold(digits(eleven, CODE_LEN - 1)?, 1)))
}

/// Whether the twelve digits of a manual pairing code pass the check ([IOTP-SEC-24]: a controller
/// rejects a code that does not, without contacting any device).
pub fn is_valid(code: &str) -> Result<bool, SetupCodeError> {
    Ok(fold(digits(code, CODE_LEN)?, 0) == 0)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::string::String;
    use std::vec::Vec;

    use super::*;

    const SPEC_8: &str = include_str!("../../../spec/08-security.md");
    const SPEC_13: &str = include_str!("../../../spec/13-security-test-vectors.md");

    /// §8.3.1 from the definition of the tables on, with every run of white space made one space.
    fn tables_text() -> String {
        let start = SPEC_8
            .find("whose row j is:")
            .expect("the tables of §8.3.1");
        let end = start + SPEC_8[start..].find("**Example.**").expect("the example");
        SPEC_8[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The digits between the backquotes that follow `label` in [`tables_text`].
    fn after(text: &str, label: &str) -> Vec<u8> {
        let at = text.find(label).expect(label) + label.len();
        let rest = &text[at..];
        row(&rest[..rest.find('`').expect("closing backquote")])
    }

    fn row(text: &str) -> Vec<u8> {
        text.bytes().map(|c| c - b'0').collect()
    }

    /// The derived tables are those §8.3.1 writes out.
    #[test]
    fn tables_are_the_spec_s() {
        let text = tables_text();
        for j in 0..10u8 {
            let written = after(&text, &std::format!(" {j}: `"));
            let derived: Vec<u8> = (0..10).map(|k| d(j, k)).collect();
            assert_eq!(derived, written, "row {j} of d");
        }
        for i in 0..8usize {
            let label = match i {
                0 => String::from("row 0 is `"),
                _ => std::format!("row {i} `"),
            };
            let written = after(&text, &label);
            let derived: Vec<u8> = (0..10).map(|k| p(i, k)).collect();
            assert_eq!(derived, written, "row {i} of p");
            let again: Vec<u8> = (0..10).map(|k| p(i + 8, k)).collect();
            assert_eq!(again, written, "p has order 8");
        }
        let written = after(&text, "in D5: `");
        assert_eq!((0..10).map(inv).collect::<Vec<u8>>(), written);
    }

    /// Every `name: value` item of the `verhoeff` and `verhoeff-invalid` blocks of chapter 13.
    fn blocks(kind: &str) -> Vec<Vec<(String, String)>> {
        SPEC_13
            .split("```iotp-vector\n")
            .skip(1)
            .map(|b| &b[..b.find("```").expect("closed")])
            .map(|b| {
                b.lines()
                    .filter_map(|l| l.split_once(": "))
                    .map(|(n, v)| (n.into(), v.into()))
                    .collect::<Vec<(String, String)>>()
            })
            .filter(|items| items.first().is_some_and(|(n, v)| n == "kind" && v == kind))
            .collect()
    }

    fn item<'a>(block: &'a [(String, String)], name: &str) -> &'a str {
        &block.iter().find(|(n, _)| n == name).expect(name).1
    }

    #[test]
    fn chapter_13_check_digits() {
        let valid = blocks("verhoeff");
        assert_eq!(valid.len(), 10);
        for b in &valid {
            let digits = item(b, "digits");
            let check: u8 = item(b, "check").parse().unwrap();
            assert_eq!(check_digit(digits), Ok(check), "{digits}");
            let code = item(b, "code");
            assert_eq!(code, std::format!("{digits}{check}"));
            assert_eq!(is_valid(code), Ok(true), "{code}");
            // The mistaken left-to-right variant gives `left_to_right`; where it differs, the code
            // with that digit fails.
            let wrong: u8 = item(b, "left_to_right").parse().unwrap();
            let mirrored: String = digits.chars().rev().collect();
            assert_eq!(check_digit(&mirrored), Ok(wrong), "{digits}");
            let with_wrong = std::format!("{digits}{wrong}");
            assert_eq!(is_valid(&with_wrong), Ok(wrong == check), "{with_wrong}");
        }
        let invalid = blocks("verhoeff-invalid");
        assert_eq!(invalid.len(), 5);
        for b in &invalid {
            assert_eq!(is_valid(item(b, "code")), Ok(false), "{}", item(b, "code"));
        }
    }

    /// Every single-digit error and every adjacent transposition of one code is detected.
    #[test]
    fn detects_single_errors_and_transpositions() {
        let code: Vec<u8> =
            std::format!("74269414237{}", check_digit("74269414237").unwrap()).into_bytes();
        for at in 0..CODE_LEN {
            for digit in b'0'..=b'9' {
                let mut changed = code.clone();
                changed[at] = digit;
                let text = String::from_utf8(changed).unwrap();
                assert_eq!(is_valid(&text), Ok(digit == code[at]), "{text}");
            }
            if at + 1 < CODE_LEN && code[at] != code[at + 1] {
                let mut swapped = code.clone();
                swapped.swap(at, at + 1);
                assert_eq!(is_valid(&String::from_utf8(swapped).unwrap()), Ok(false));
            }
        }
    }

    #[test]
    fn refusals() {
        assert_eq!(
            check_digit("7426941423"),
            Err(SetupCodeError::Length { len: 10 })
        );
        assert_eq!(
            is_valid("7426 9414 2372"),
            Err(SetupCodeError::NotADigit { at: 4 })
        );
        assert_eq!(
            is_valid("74269414237"),
            Err(SetupCodeError::Length { len: 11 })
        );
    }
}
