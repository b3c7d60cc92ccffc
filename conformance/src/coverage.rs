//! The coverage report (`iotp2p-conformance coverage`): every requirement ID of the spec with the vectors
//! that test it, and the testable codec requirements that no vector reaches yet.
//!
//! Requirement IDs are read from the spec's Markdown: a requirement is defined where its ID appears in
//! brackets in the chapter that the front page's prefix table assigns to its prefix (elsewhere it is
//! only cited). The codec requirements are those of chapter 4 (`IOTP-WIRE`) and of the codec
//! conformance class (`IOTP-CONF-3` to `IOTP-CONF-8`); [`NOT_TESTABLE_BY_VECTORS`] lists, with the
//! reason, those that no input/output vector can observe, and [`TESTED_THROUGH`] those that only
//! gather other requirements.
//!
//! The end-node protocol requirements ([`Party::EndNode`]) are the MUST and SHOULD requirements of the
//! chapters a device or an app shows on the wire (addressing, message layer, interaction model,
//! security, errors) whose sentence does not put the obligation on a relay: what protocol vectors and
//! scenarios can test black-box on an end node. The report lists those not yet tested. The split is
//! read from the sentence (a relay named before the key word), so it is a guide for suite authors,
//! not a verdict: requirements of the network elements ([`Party::Relay`]) wait for their tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::natural_key;
use crate::suite::Suite;

/// Codec requirements that vectors cannot check, with the reason. Reviewed by hand: a requirement
/// leaves this list as soon as the protocol can observe it.
pub const NOT_TESTABLE_BY_VECTORS: &[(&str, &str)] = &[
    (
        "IOTP-WIRE-46",
        "an obligation of applications, not of codecs",
    ),
    ("IOTP-WIRE-58", "a permission (MAY): nothing to check"),
];

/// Codec requirements that only gather others: they are tested through the requirements they refer
/// to, which vectors cite instead.
pub const TESTED_THROUGH: &[(&str, &str)] = &[
    ("IOTP-CONF-3", "the encoder requirements of chapter 4"),
    ("IOTP-CONF-4", "the decoder requirements of chapter 4"),
    (
        "IOTP-CONF-5",
        "IOTP-WIRE-44, IOTP-WIRE-50 and IOTP-WIRE-53 to IOTP-WIRE-57",
    ),
    (
        "IOTP-CONF-6",
        "IOTP-WIRE-13, IOTP-WIRE-14, IOTP-WIRE-22 to IOTP-WIRE-29, IOTP-WIRE-52 and IOTP-WIRE-59",
    ),
    ("IOTP-CONF-7", "IOTP-WIRE-65 to IOTP-WIRE-74"),
];

/// The default spec directory: `spec/` of the source tree this binary was built from.
pub fn default_spec_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec"))
}

/// Whom a requirement binds, as far as testing goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Party {
    /// A codec (chapter 4 and the codec conformance class).
    Codec,
    /// An end node (a device or an app), observable on the wire.
    EndNode,
    /// A relay, or the delivery system of chapter 3.
    Relay,
    /// Anything else: permissions (MAY), schema authors, versioning rules, transports.
    Other,
    /// No one: the requirement was withdrawn, and its ID stays only so that it is never reused.
    Withdrawn,
}

/// The level of a withdrawn requirement's ID, in place of a key word.
const WITHDRAWN: &str = "withdrawn";

/// Whether a site of an ID, at `level`, defines it (a key word, or its withdrawal) rather than
/// refers to it.
fn defines(level: &str) -> bool {
    level != "-"
}

/// Whom the requirement `id`, at `level`, with this sentence, binds.
fn party_of(id: &str, level: &str, sentence: &str) -> Party {
    if level == WITHDRAWN {
        return Party::Withdrawn;
    }
    if is_codec(id) {
        return Party::Codec;
    }
    let prefix = id.rsplit_once('-').map(|(p, _)| p).unwrap_or("");
    let before_key_word = ["MUST", "SHOULD", "MAY"]
        .iter()
        .filter_map(|k| sentence.find(k))
        .min()
        .map_or(sentence, |i| &sentence[..i]);
    match prefix {
        "IOTP-DLV" => Party::Relay,
        "IOTP-ADDR" | "IOTP-MSG" | "IOTP-IM" | "IOTP-SEC" | "IOTP-ERR" if level != "MAY" => {
            if before_key_word.to_lowercase().contains("relay") {
                Party::Relay
            } else {
                Party::EndNode
            }
        }
        _ => Party::Other,
    }
}

/// One requirement of the spec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Requirement {
    /// The ID, e.g. `IOTP-WIRE-8`.
    pub id: String,
    /// `MUST`, `SHOULD` or `MAY` (the strongest key word of its sentence, or of its paragraph);
    /// `withdrawn` for a withdrawn requirement; `-` when its site has no key word.
    pub level: String,
    /// Where it is defined, `file:line`.
    pub location: String,
    /// Its sentence, on one line.
    pub text: String,
    /// Whom it binds.
    pub party: Party,
    /// Whether it is a codec requirement that vectors can check.
    pub testable_codec: bool,
    /// Why vectors cannot check it, for codec requirements that they cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_testable: Option<String>,
    /// For a codec requirement that gathers others: the requirements it is tested through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tested_through: Option<String>,
    /// The vectors that cite it.
    pub vectors: Vec<String>,
}

/// The coverage report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// The vector-set hash.
    pub vector_set: String,
    /// Every requirement of the spec, in ID order.
    pub requirements: Vec<Requirement>,
    /// Testable codec requirements that no vector cites.
    pub unreached: Vec<String>,
    /// End-node protocol requirements that no vector or scenario cites yet.
    pub end_node_untested: Vec<String>,
    /// Requirement IDs that vectors cite but the spec does not define, with the citing vectors.
    pub unknown: BTreeMap<String, Vec<String>>,
}

impl Coverage {
    /// Whether there is nothing to fix: every testable codec requirement is reached and every cited
    /// ID exists.
    pub fn complete(&self) -> bool {
        self.unreached.is_empty() && self.unknown.is_empty()
    }
}

/// Reads the requirements of the spec in `spec_dir` and matches them with `suite`.
pub fn coverage(spec_dir: &Path, suite: &Suite) -> Result<Coverage, String> {
    let requirements = read_spec(spec_dir)?;
    let mut cited: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in suite.entries() {
        for r in &e.vector.requirements {
            cited.entry(r).or_default().push(e.vector.id.clone());
        }
    }
    let known: BTreeSet<&str> = requirements.iter().map(|r| r.id.as_str()).collect();
    let unknown = cited
        .iter()
        .filter(|(id, _)| !known.contains(**id))
        .map(|(id, v)| (id.to_string(), v.clone()))
        .collect();
    let mut out = Vec::new();
    let mut unreached = Vec::new();
    let mut end_node_untested = Vec::new();
    for mut r in requirements {
        r.vectors = cited.get(r.id.as_str()).cloned().unwrap_or_default();
        if r.testable_codec && r.vectors.is_empty() {
            unreached.push(r.id.clone());
        }
        if r.party == Party::EndNode && r.vectors.is_empty() {
            end_node_untested.push(r.id.clone());
        }
        out.push(r);
    }
    Ok(Coverage {
        vector_set: suite.hash.clone(),
        requirements: out,
        unreached,
        end_node_untested,
        unknown,
    })
}

/// Whether `id` is a codec requirement (vectors may or may not be able to check it).
fn is_codec(id: &str) -> bool {
    if id.starts_with("IOTP-WIRE-") {
        return true;
    }
    id.strip_prefix("IOTP-CONF-")
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (3..=8).contains(&n))
}

/// Every requirement defined in the Markdown files of `spec_dir`, in ID order.
pub fn read_spec(spec_dir: &Path) -> Result<Vec<Requirement>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(spec_dir)
        .map_err(|e| format!("cannot read the spec directory {}: {e}", spec_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let front = std::fs::read_to_string(spec_dir.join("README.md")).unwrap_or_default();
    let homes = prefix_chapters(&front);
    // id -> (is in its home chapter, requirement)
    let mut found: BTreeMap<String, (bool, Requirement)> = BTreeMap::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for (id, line, sentence, level) in requirement_sites(&text) {
            let prefix = id.rsplit_once('-').map(|(p, _)| p).unwrap_or("");
            let home = homes.get(prefix).is_some_and(|f| f == &name);
            // The site in the prefix's home chapter, and there the first that defines the ID: a
            // reference may come before the definition.
            let keep = match found.get(&id) {
                None => true,
                Some((was_home, was)) => {
                    (home && !was_home)
                        || (home == *was_home && defines(&level) && !defines(&was.level))
                }
            };
            if keep {
                let not_testable = NOT_TESTABLE_BY_VECTORS
                    .iter()
                    .find(|(n, _)| *n == id)
                    .map(|(_, why)| why.to_string());
                let tested_through = TESTED_THROUGH
                    .iter()
                    .find(|(n, _)| *n == id)
                    .map(|(_, through)| through.to_string());
                let requirement = Requirement {
                    party: party_of(&id, &level, &sentence),
                    testable_codec: is_codec(&id)
                        && not_testable.is_none()
                        && tested_through.is_none(),
                    tested_through,
                    not_testable: if is_codec(&id) { not_testable } else { None },
                    id: id.clone(),
                    level,
                    location: format!("{name}:{line}"),
                    text: sentence,
                    vectors: Vec::new(),
                };
                found.insert(id, (home, requirement));
            }
        }
    }
    let mut list: Vec<Requirement> = found.into_values().map(|(_, r)| r).collect();
    list.sort_by_cached_key(|a| natural_key(&a.id));
    Ok(list)
}

/// The front page's table of prefixes: `IOTP-WIRE` → `04-wire-format.md`.
fn prefix_chapters(front: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in front.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let Some(prefix) = cells[1]
            .strip_prefix("`IOTP-")
            .and_then(|p| p.strip_suffix('`'))
        else {
            continue;
        };
        if let Some(file) = cells[3]
            .split_once("](")
            .and_then(|(_, rest)| rest.split(['#', ')']).next())
        {
            map.insert(format!("IOTP-{prefix}"), file.to_string());
        }
    }
    map
}

/// Each bracketed requirement ID outside code blocks: (id, line, sentence, level).
fn requirement_sites(text: &str) -> Vec<(String, usize, String, String)> {
    let mut sites = Vec::new();
    let mut fenced = false;
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    // The key word of the last paragraph that is not a list item: the lead-in of a list whose items
    // are requirements without a key word of their own ("A decoder MUST check: 1. ...").
    let mut lead_level: Option<String> = None;
    let mut in_list = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(
                &paragraph,
                lead_level.as_deref().filter(|_| in_list),
                &mut sites,
            );
            paragraph.clear();
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let new_item = trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('|') || new_item {
            let lead = lead_level.as_deref().filter(|_| in_list);
            let level = flush(&paragraph, lead, &mut sites);
            if !paragraph.is_empty() && !in_list {
                lead_level = level;
            }
            paragraph.clear();
        }
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            if paragraph.is_empty() {
                // A list item, or a paragraph that ends the list.
                in_list = new_item;
            }
            paragraph.push((i + 1, line));
        }
    }
    flush(
        &paragraph,
        lead_level.as_deref().filter(|_| in_list),
        &mut sites,
    );
    sites
}

/// Records the requirement IDs of one paragraph (`lead_level`: the key word of the lead-in of the
/// list it is an item of); returns the paragraph's key word.
fn flush(
    paragraph: &[(usize, &str)],
    lead_level: Option<&str>,
    sites: &mut Vec<(String, usize, String, String)>,
) -> Option<String> {
    let joined: String = paragraph
        .iter()
        .map(|(_, l)| l.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let paragraph_level = level_of(&joined);
    // "(withdrawn in 1.1: ...; see [IOTP-X-1]) [IOTP-X-2]": the last ID is the one withdrawn, the
    // others are references to what replaced it.
    let withdrawn = joined.starts_with("(withdrawn");
    let first_site = sites.len();
    let mut from = 0;
    let mut offset = 0;
    while let Some(start) = joined[offset..].find("[IOTP-") {
        let abs = offset + start;
        let after = &joined[abs + 1..];
        let Some(end) = after.find(']') else { break };
        let id = &after[..end];
        let well_formed = id.split('-').count() == 3
            && id
                .rsplit('-')
                .next()
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            let sentence = joined[from..abs].trim();
            let level = level_of(sentence)
                .or_else(|| paragraph_level.clone())
                .or_else(|| lead_level.map(str::to_string))
                .unwrap_or_else(|| "-".into());
            sites.push((
                id.to_string(),
                line_of_offset(paragraph, abs),
                clean(sentence),
                level,
            ));
            from = abs + end + 2;
        }
        offset = abs + end + 2;
        if offset >= joined.len() {
            break;
        }
    }
    if withdrawn {
        let last = sites.len().saturating_sub(1).max(first_site);
        for (i, site) in sites.iter_mut().enumerate().skip(first_site) {
            site.3 = if i == last { WITHDRAWN } else { "-" }.to_string();
        }
    }
    paragraph_level
}

/// The line (1-based) of byte `offset` of the joined paragraph.
fn line_of_offset(paragraph: &[(usize, &str)], offset: usize) -> usize {
    let mut pos = 0;
    for (line, text) in paragraph {
        pos += text.trim().len() + 1;
        if offset < pos {
            return *line;
        }
    }
    paragraph.last().map(|(l, _)| *l).unwrap_or(0)
}

fn level_of(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    [
        "MUST",
        "SHALL",
        "REQUIRED",
        "SHOULD",
        "RECOMMENDED",
        "MAY",
        "OPTIONAL",
    ]
    .iter()
    .find(|k| words.contains(k))
    .map(|k| match *k {
        "SHALL" | "REQUIRED" => "MUST",
        "RECOMMENDED" => "SHOULD",
        "OPTIONAL" => "MAY",
        k => k,
    })
    .map(str::to_string)
}

fn clean(sentence: &str) -> String {
    let s = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 160 {
        format!("{}...", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

/// The report for people: one line per requirement, then the gaps.
pub fn render(c: &Coverage) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let width = c.requirements.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &c.requirements {
        let vectors = if r.vectors.is_empty() {
            match (&r.not_testable, &r.tested_through, r.testable_codec) {
                (Some(why), _, _) => format!("- (not testable by vectors: {why})"),
                (_, Some(through), _) => format!("- (tested through {through})"),
                (None, None, true) => "- UNREACHED".into(),
                (None, None, false) => "-".into(),
            }
        } else {
            let mut s = r
                .vectors
                .iter()
                .take(4)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if r.vectors.len() > 4 {
                let _ = write!(s, ", +{} more", r.vectors.len() - 4);
            }
            format!("{:>4}  {s}", r.vectors.len())
        };
        let _ = writeln!(out, "{:width$}  {:6}  {vectors}", r.id, r.level);
    }
    let codec: Vec<&Requirement> = c.requirements.iter().filter(|r| r.testable_codec).collect();
    let reached = codec.iter().filter(|r| !r.vectors.is_empty()).count();
    if !c.unreached.is_empty() {
        let _ = writeln!(
            out,
            "\ntestable codec requirements that no vector reaches yet ({}):",
            c.unreached.len()
        );
        for r in codec.iter().filter(|r| r.vectors.is_empty()) {
            let _ = writeln!(out, "  {} {} ({}): {}", r.id, r.level, r.location, r.text);
        }
    }
    let end_node: Vec<&Requirement> = c
        .requirements
        .iter()
        .filter(|r| r.party == Party::EndNode)
        .collect();
    if !c.end_node_untested.is_empty() {
        let _ = writeln!(
            out,
            "\nend-node protocol requirements that no vector or scenario tests yet ({}):",
            c.end_node_untested.len()
        );
        for r in end_node.iter().filter(|r| r.vectors.is_empty()) {
            let _ = writeln!(out, "  {} {} ({}): {}", r.id, r.level, r.location, r.text);
        }
    }
    if !c.unknown.is_empty() {
        let _ = writeln!(
            out,
            "\nrequirement IDs cited by vectors but not defined in the spec:"
        );
        for (id, vectors) in &c.unknown {
            let _ = writeln!(out, "  {id}: {}", vectors.join(", "));
        }
    }
    let cited = c
        .requirements
        .iter()
        .filter(|r| !r.vectors.is_empty())
        .count();
    let _ = writeln!(
        out,
        "\n{} requirements in the spec, {cited} tested by vectors; {reached} of {} testable codec \
         requirements reached; {} of {} end-node protocol requirements tested (vector set {})",
        c.requirements.len(),
        codec.len(),
        end_node.len() - c.end_node_untested.len(),
        end_node.len(),
        c.vector_set
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn obligations_of_relays_are_told_from_those_of_end_nodes() {
        assert_eq!(
            party_of(
                "IOTP-MSG-41",
                "MUST",
                "A node that receives a confirmable envelope MUST acknowledge it."
            ),
            Party::EndNode
        );
        assert_eq!(
            party_of(
                "IOTP-MSG-71",
                "MUST",
                "A home relay that delivers a held message MUST set more."
            ),
            Party::Relay
        );
        assert_eq!(
            party_of(
                "IOTP-MSG-90",
                "MAY",
                "A receiver MAY discard a next fragment."
            ),
            Party::Other
        );
        assert_eq!(
            party_of("IOTP-DLV-1", "MUST", "A node MUST resolve."),
            Party::Relay
        );
        assert_eq!(
            party_of("IOTP-WIRE-8", "MUST", "An encoder MUST."),
            Party::Codec
        );
        assert_eq!(
            party_of(
                "IOTP-SEC-74",
                "SHOULD",
                "A node that finds no context SHOULD answer, even a relay's."
            ),
            Party::EndNode,
            "only a relay named before the key word binds the relay"
        );
    }

    use super::*;

    #[test]
    fn requirement_sentences_and_levels() {
        let text = "Intro.\n\nA decoder MUST do one thing. [IOTP-WIRE-1] It SHOULD do\nanother. \
                    [IOTP-WIRE-2]\n\nA decoder MUST check:\n\n1. the first: reject. [IOTP-WIRE-3]\n\
                    2. the second, on\n   two lines. [IOTP-WIRE-4]\n\nSee [IOTP-CAP-1].\n\n\
                    ```\n[IOTP-WIRE-99]\n```\n";
        let sites = requirement_sites(text);
        let got: Vec<(&str, usize, &str, &str)> = sites
            .iter()
            .map(|(id, line, s, level)| (id.as_str(), *line, s.as_str(), level.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("IOTP-WIRE-1", 3, "A decoder MUST do one thing.", "MUST"),
                ("IOTP-WIRE-2", 4, "It SHOULD do another.", "SHOULD"),
                ("IOTP-WIRE-3", 8, "1. the first: reject.", "MUST"),
                ("IOTP-WIRE-4", 10, "2. the second, on two lines.", "MUST"),
                ("IOTP-CAP-1", 12, "See", "-"),
            ]
        );
    }

    #[test]
    fn a_withdrawn_requirement_binds_no_one_and_its_references_define_nothing() {
        let text = "(withdrawn in 1.1: see [IOTP-MSG-7] and [IOTP-MSG-8]) [IOTP-MSG-6]\n\n\
                    A node MUST do it. [IOTP-MSG-7]\n";
        let levels: Vec<(String, String)> = requirement_sites(text)
            .into_iter()
            .map(|(id, _, _, level)| (id, level))
            .collect();
        let pair = |id: &str, level: &str| (id.to_string(), level.to_string());
        assert_eq!(
            levels,
            [
                pair("IOTP-MSG-7", "-"),
                pair("IOTP-MSG-8", "-"),
                pair("IOTP-MSG-6", WITHDRAWN),
                pair("IOTP-MSG-7", "MUST"),
            ]
        );
        assert_eq!(party_of("IOTP-MSG-6", WITHDRAWN, ")"), Party::Withdrawn);
    }

    #[test]
    fn the_spec_is_read_at_each_definition() {
        let requirements = read_spec(&default_spec_dir()).unwrap();
        let get = |id: &str| requirements.iter().find(|r| r.id == id).unwrap();
        // Withdrawn in 1.1; the paragraph that says so names its replacement first.
        assert_eq!(get("IOTP-MSG-14").party, Party::Withdrawn);
        assert_eq!(get("IOTP-MSG-97").level, "MUST");
        assert_ne!(get("IOTP-MSG-97").location, get("IOTP-MSG-14").location);
        // Referred to in a table before the sentence that defines it.
        assert!(get("IOTP-SEC-124")
            .text
            .starts_with("A node MUST accept a revocation"));
    }

    #[test]
    fn the_front_page_assigns_prefixes_to_chapters() {
        let front = "| `IOTP-WIRE` | wire format | [4](04-wire-format.md) |\n\
                     | `IOTP-VER` | versioning | [10](10-versioning-and-transport.md#ver) |\n";
        let map = prefix_chapters(front);
        assert_eq!(map["IOTP-WIRE"], "04-wire-format.md");
        assert_eq!(map["IOTP-VER"], "10-versioning-and-transport.md");
    }

    #[test]
    fn the_spec_defines_the_codec_requirements() {
        let requirements = read_spec(&default_spec_dir()).unwrap();
        let wire8 = requirements.iter().find(|r| r.id == "IOTP-WIRE-8").unwrap();
        assert_eq!(wire8.level, "MUST");
        assert!(wire8.location.starts_with("04-wire-format.md:"));
        assert!(wire8.testable_codec);
        for (id, _) in NOT_TESTABLE_BY_VECTORS.iter().chain(TESTED_THROUGH) {
            assert!(
                requirements.iter().any(|r| &r.id == id),
                "{id} is not in the spec"
            );
        }
    }
}
