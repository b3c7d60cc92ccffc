//! Vectors of canonical addresses (spec §2.2, §2.3), for the request `check-address` of protocol
//! version 2.
//!
//! The spec's own examples of valid canonical addresses (the table of §2.2) and of strings that are
//! not (the sentence after it) are read from its text. The other vectors sit on each side of every
//! length limit of §2.3 and break each rule of the ABNF and of IOTP-ADDR-3, -4, -16 and -23 once (IOTP-ADDR-7 has no case of its own: see `cases`). Every
//! verdict is stated here, and the reference engine must agree.

use super::engine::file;
use crate::protocol::{Request, Response};
use crate::vector::{Operation, Vector, VectorFile};

const CHAPTER: &str = "spec/02-addressing.md";
const TEXT: &str = include_str!("../../../spec/02-addressing.md");

/// The backquoted strings that contain `@` in the paragraph (or table) that starts with the line
/// beginning with `start`, or follows it after blank lines.
fn quoted_after(start: &str) -> Result<Vec<String>, String> {
    let mut lines = TEXT.lines().skip_while(|l| !l.starts_with(start));
    let first = lines
        .next()
        .ok_or_else(|| format!("{CHAPTER}: no paragraph starting `{start}`"))?;
    let rest = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty());
    let paragraph: Vec<&str> = std::iter::once(first).chain(rest).collect();
    Ok(paragraph
        .join("\n")
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|a| a.contains('@'))
        .map(str::to_string)
        .collect())
}

/// The spec's examples: (address, canonical).
fn spec_examples() -> Result<Vec<(String, bool)>, String> {
    let valid = quoted_after("Examples of valid canonical addresses")?;
    let invalid = quoted_after("Examples of strings that are not canonical addresses")?;
    if valid.len() < 5 || invalid.len() < 7 {
        return Err(format!(
            "{CHAPTER}: {} valid and {} invalid example addresses, expected 5 and 7",
            valid.len(),
            invalid.len()
        ));
    }
    Ok(valid
        .into_iter()
        .map(|a| (a, true))
        .chain(invalid.into_iter().map(|a| (a, false)))
        .collect())
}

/// A domain of `len` octets made of labels of at most 63 octets (`len` ≥ 5).
fn domain(len: usize) -> String {
    let mut labels = Vec::new();
    let mut left = len;
    while left > 64 {
        labels.push("d".repeat(63));
        left -= 64;
    }
    // The rest, at least 3 octets, as `label.org`-like tail: `x…x.ab`.
    labels.push(format!("{}.ab", "e".repeat(left - 3)));
    labels.join(".")
}

/// A hand-made case: its name, the string, the verdict, what it is about, its requirements.
struct Case {
    name: &'static str,
    address: String,
    canonical: bool,
    what: &'static str,
    requirements: &'static [&'static str],
}

fn case(
    name: &'static str,
    address: impl Into<String>,
    canonical: bool,
    what: &'static str,
    requirements: &'static [&'static str],
) -> Case {
    Case {
        name,
        address: address.into(),
        canonical,
        what,
        requirements,
    }
}

/// One string on each side of the limits of §2.3, and each rule of §2.2 broken once. The limit of
/// a domain (IOTP-ADDR-7, 253 octets) has no case of its own: an address holds at most 252 octets of
/// domain within its own limit of 254 (IOTP-ADDR-8).
fn cases() -> Vec<Case> {
    vec![
        case(
            "local-part-64",
            format!("{}@example.org", "a".repeat(64)),
            true,
            "a local part of 64 octets",
            &["IOTP-ADDR-5"],
        ),
        case(
            "local-part-65",
            format!("{}@example.org", "a".repeat(65)),
            false,
            "a local part of 65 octets",
            &["IOTP-ADDR-5", "IOTP-ADDR-9"],
        ),
        case(
            "label-63",
            format!("lamp@{}.org", "b".repeat(63)),
            true,
            "a label of 63 octets",
            &["IOTP-ADDR-6"],
        ),
        case(
            "label-64",
            format!("lamp@{}.org", "b".repeat(64)),
            false,
            "a label of 64 octets",
            &["IOTP-ADDR-6", "IOTP-ADDR-9"],
        ),
        case(
            "address-254",
            format!("{}@{}", "a".repeat(64), domain(189)),
            true,
            "an address of 254 octets",
            &["IOTP-ADDR-8", "IOTP-ADDR-10"],
        ),
        case(
            "address-255",
            format!("{}@{}", "a".repeat(64), domain(190)),
            false,
            "an address of 255 octets, each part within its own limit",
            &["IOTP-ADDR-8", "IOTP-ADDR-9"],
        ),
        case(
            "shortest",
            "a@b.cd",
            true,
            "one-octet local part and labels of one and two octets",
            &["IOTP-ADDR-2"],
        ),
        case(
            "numeric-top-label",
            "lamp@example.123",
            false,
            "a last label of digits only",
            &["IOTP-ADDR-3"],
        ),
        case(
            "numeric-inner-label",
            "lamp@123.example",
            true,
            "digits only in a label other than the last",
            &["IOTP-ADDR-3"],
        ),
        case(
            "reserved-label",
            "lamp@ab--cd.example",
            false,
            "a label with `--` at positions 3 and 4 that is not an A-label",
            &["IOTP-ADDR-4"],
        ),
        case(
            "special-use-local",
            "lamp@home.local",
            false,
            "a domain in `.local`, a Multicast DNS name unique on one link only",
            &["IOTP-ADDR-26"],
        ),
        case(
            "special-use-localhost",
            "lamp@printer.localhost",
            false,
            "a domain in `.localhost`",
            &["IOTP-ADDR-26"],
        ),
        case(
            "special-use-invalid",
            "lamp@home.invalid",
            false,
            "a domain in `.invalid`",
            &["IOTP-ADDR-26"],
        ),
        case(
            "home-arpa",
            "lamp@kitchen.home.arpa",
            true,
            "a domain in `home.arpa`, valid within one home network",
            &["IOTP-ADDR-26"],
        ),
        case(
            "local-as-inner-label",
            "lamp@local.example.org",
            true,
            "`local` as a label other than the last",
            &["IOTP-ADDR-26"],
        ),
        case(
            "a-label",
            "lamp@xn--mnchen-3ya.example",
            true,
            "an A-label",
            &["IOTP-ADDR-4"],
        ),
        case(
            "u-label",
            "lamp@bücher.example",
            false,
            "a domain with a U-label",
            &["IOTP-ADDR-16"],
        ),
        case(
            "non-ascii-local",
            "lämp@example.org",
            false,
            "a local part with a non-ASCII character",
            &["IOTP-ADDR-23"],
        ),
        case(
            "no-at",
            "lamp.example.org",
            false,
            "no `@`",
            &["IOTP-ADDR-2"],
        ),
        case(
            "two-at",
            "lamp@home@example.org",
            false,
            "two `@`",
            &["IOTP-ADDR-2"],
        ),
        case(
            "empty-local",
            "@example.org",
            false,
            "an empty local part",
            &["IOTP-ADDR-2"],
        ),
        case(
            "trailing-separator",
            "lamp-@example.org",
            false,
            "a local part that ends with a separator",
            &["IOTP-ADDR-2"],
        ),
        case(
            "underscore-separator",
            "lamp_2@example.org",
            true,
            "`_` as a separator in a node local part",
            &["IOTP-ADDR-2"],
        ),
        case(
            "service-underscore",
            "_re_lay@example.org",
            false,
            "`_` inside a service local part, which admits only `-`",
            &["IOTP-ADDR-2"],
        ),
        case(
            "service-bare",
            "_@example.org",
            false,
            "a service local part without a name",
            &["IOTP-ADDR-2"],
        ),
        case(
            "label-hyphen-start",
            "lamp@-example.org",
            false,
            "a label that starts with a hyphen",
            &["IOTP-ADDR-2"],
        ),
        case(
            "label-hyphen-end",
            "lamp@example-.org",
            false,
            "a label that ends with a hyphen",
            &["IOTP-ADDR-2"],
        ),
        case(
            "uppercase-domain",
            "lamp@Example.org",
            false,
            "an uppercase letter in the domain",
            &["IOTP-ADDR-2"],
        ),
        case(
            "empty-label",
            "lamp@example..org",
            false,
            "an empty label",
            &["IOTP-ADDR-2"],
        ),
        case(
            "space",
            "la mp@example.org",
            false,
            "a space in the local part",
            &["IOTP-ADDR-2"],
        ),
    ]
}

fn address_vector(
    name: &str,
    address: String,
    canonical: bool,
    description: String,
    requirements: &[&str],
) -> Result<Vector, String> {
    let id = format!("protocol.addresses.{name}");
    let request = Request::CheckAddress {
        id: id.clone(),
        address,
    };
    let stated = Response::Address {
        id: id.clone(),
        canonical,
    };
    super::engine::stated(
        description,
        requirements,
        Operation::CheckAddress,
        request,
        Ok(stated),
    )
}

/// The vector file `protocol.addresses`.
pub(crate) fn file_of_addresses() -> Result<VectorFile, String> {
    let mut vectors = Vec::new();
    for (i, (address, canonical)) in spec_examples()?.into_iter().enumerate() {
        let verdict = if canonical { "valid" } else { "not canonical" };
        vectors.push(address_vector(
            &format!("example.{}", i + 1),
            address.clone(),
            canonical,
            format!("`{address}`, an example of {CHAPTER} §2.2: {verdict}"),
            &["IOTP-ADDR-2"],
        )?);
    }
    for c in cases() {
        let verdict = if c.canonical {
            "canonical"
        } else {
            "not canonical"
        };
        vectors.push(address_vector(
            c.name,
            c.address,
            c.canonical,
            format!("{}: {verdict}", c.what),
            c.requirements,
        )?);
    }
    Ok(file(
        "protocol.addresses",
        "strings checked for the canonical form of an address (spec §2.2) and its length limits \
         (§2.3): the spec's examples and each rule once (request `check-address`, protocol version 2)",
        vectors,
    ))
}
