//! The spec's requirement identifiers obey spec/README.md, "Requirement identifiers": each prefix's
//! numbers run from 1 without a gap in the chapter that owns the prefix (an identifier is never
//! renumbered, and a withdrawn one keeps its place), every identifier cited anywhere exists, no draft
//! placeholder (`IOTP-SEC-new:...`) is left, and spec/CHANGES.md lists every withdrawn identifier and
//! names only identifiers that exist.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(spec_dir().join(name)).unwrap_or_else(|e| panic!("spec/{name}: {e}"))
}

/// Markdown files of the spec, by name.
fn chapters() -> BTreeMap<String, String> {
    std::fs::read_dir(spec_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            (name, text)
        })
        .collect()
}

/// The front page's prefix table: `SEC` → `08-security.md`.
fn homes() -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in read("README.md").lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let Some(prefix) = cells[1]
            .strip_prefix("`IOTP-")
            .and_then(|c| c.strip_suffix('`'))
        else {
            continue;
        };
        let Some(file) = cells[3]
            .split_once("](")
            .and_then(|(_, rest)| rest.split(['#', ')']).next())
        else {
            continue;
        };
        map.insert(prefix.to_string(), file.to_string());
    }
    assert!(map.len() >= 12, "prefix table not found in spec/README.md");
    map
}

/// Every `IOTP-<PREFIX>-<n>` in `text`, as (prefix, n, byte offset).
fn ids(text: &str) -> Vec<(String, u32, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("IOTP-") {
        let start = from + i;
        let rest = &text[start + 5..];
        let prefix: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase())
            .collect();
        let after = &rest[prefix.len()..];
        if !prefix.is_empty() {
            if let Some(num) = after.strip_prefix('-') {
                let digits: String = num.chars().take_while(|c| c.is_ascii_digit()).collect();
                if let Ok(n) = digits.parse() {
                    out.push((prefix, n, start));
                }
            }
        }
        from = start + 5;
    }
    out
}

/// Identifiers defined in their home chapter: (prefix → numbers).
fn defined() -> BTreeMap<String, BTreeSet<u32>> {
    let chapters = chapters();
    let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (prefix, file) in homes() {
        let text = chapters
            .get(&file)
            .unwrap_or_else(|| panic!("spec/{file} (home of IOTP-{prefix}) is missing"));
        let numbers = ids(text)
            .into_iter()
            .filter(|(p, _, at)| *p == prefix && text[..*at].ends_with('['))
            .map(|(_, n, _)| n)
            .collect();
        out.insert(prefix, numbers);
    }
    out
}

#[test]
fn numbers_run_without_gaps_in_their_home_chapter() {
    for (prefix, numbers) in defined() {
        let max = numbers.iter().max().copied().unwrap_or(0);
        let missing: Vec<u32> = (1..=max).filter(|n| !numbers.contains(n)).collect();
        assert!(
            missing.is_empty(),
            "IOTP-{prefix}: numbers {missing:?} are missing below {max}; a withdrawn requirement keeps its \
             identifier with the text \"(withdrawn ...)\""
        );
    }
}

#[test]
fn every_cited_identifier_exists_and_no_placeholder_is_left() {
    let defined = defined();
    for (name, text) in chapters() {
        assert!(
            !text.contains("-new:"),
            "spec/{name} still has a draft placeholder identifier (IOTP-<PREFIX>-new:...)"
        );
        for (prefix, n, _) in ids(&text) {
            let known = defined.get(&prefix).is_some_and(|s| s.contains(&n));
            assert!(
                known,
                "spec/{name} cites IOTP-{prefix}-{n}, which no chapter defines"
            );
        }
    }
}

#[test]
fn changes_list_every_withdrawn_identifier() {
    let changes = read("CHANGES.md");
    let listed: BTreeSet<(String, u32)> =
        ids(&changes).into_iter().map(|(p, n, _)| (p, n)).collect();
    assert!(!listed.is_empty(), "spec/CHANGES.md names no requirement");
    let chapters = chapters();
    let mut withdrawn = 0;
    for (prefix, file) in homes() {
        let text = &chapters[&file];
        for (p, n, at) in ids(text) {
            if p != prefix || !text[..at].ends_with('[') {
                continue;
            }
            // A withdrawn requirement reads `(withdrawn in 1.1: why; see [IOTP-X-M]) [IOTP-X-N]`:
            // the identifier follows a parenthesis that opens with "(withdrawn".
            let before = text[..at - 1].trim_end();
            let withdrawn_here = before.ends_with(')') && {
                let mut depth = 0;
                let open = before.char_indices().rev().find(|&(_, c)| {
                    depth += match c {
                        ')' => 1,
                        '(' => -1,
                        _ => 0,
                    };
                    depth == 0
                });
                open.is_some_and(|(i, _)| before[i..].starts_with("(withdrawn"))
            };
            if withdrawn_here {
                withdrawn += 1;
                assert!(
                    listed.contains(&(p.clone(), n)),
                    "IOTP-{p}-{n} is withdrawn in spec/{file} but spec/CHANGES.md does not list it"
                );
            }
        }
    }
    assert!(
        withdrawn > 0,
        "no withdrawn requirement found: the check would pass vacuously"
    );
}
