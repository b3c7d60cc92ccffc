//! Golden tests of the breaking-change checker (`iotp2p breaking`, spec §10.3).
//!
//! Every case is a directory under `tests/breaking/` with `old.iotp` (S1) and `new.iotp` (S2), which
//! may import other files of the directory, and `expected.stderr`, the human rendering with every
//! finding listed (`--all`):
//! - `tests/breaking/<RULE>/`: one per rule of the table, named after it, whose change falls under
//!   exactly that rule; a rule without its case fails [`every_rule_has_a_case`];
//! - `tests/breaking/compatible/<name>/`: changes that break no category (reformatting, reordering,
//!   documentation, additions), which report nothing by default;
//! - `tests/breaking/versions/<name>/`: version numbers against the changes ([IOTP-VER-8],
//!   [IOTP-VER-9], [IOTP-VER-13]).
//!
//! Paths are relative to the crate directory (cargo runs integration tests there), so names in the
//! output are stable. After a deliberate change of the output, re-bless with
//! `BLESS=1 cargo test --workspace` and review the diff of the expected files.
//!
//! Also here: the rule table against the spec's own table, and the shipped standard schema against its
//! last released version.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iotp2p_codegen::compat::report::{self, Policy, Report, Sources};
use iotp2p_codegen::compat::versions::{required_bump, Bump};
use iotp2p_codegen::compat::{Categories, Rule};
use iotp2p_codegen::diagnostics::render::render_plain_ending;
use iotp2p_codegen::{compile, Compilation, FsLoader};

const CASES: &str = "tests/breaking";

fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The case directories directly under `dir`, in name order.
fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the case directory exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.join("old.iotp").is_file())
        .collect();
    out.sort();
    out
}

/// Both sides of a case, compiled; each must compile.
struct Case {
    dir: PathBuf,
    old: Compilation,
    new: Compilation,
}

impl Case {
    fn load(dir: &Path) -> Case {
        let side = |name: &str| {
            let c = compile(&[dir.join(name)], &FsLoader::default());
            assert!(
                c.schema.is_some(),
                "{}/{name} does not compile:\n{}",
                dir.display(),
                iotp2p_codegen::diagnostics::render::render_plain(&c.sources, &c.diagnostics)
            );
            c
        };
        Case {
            dir: dir.to_path_buf(),
            old: side("old.iotp"),
            new: side("new.iotp"),
        }
    }

    fn report(&self) -> Report {
        Report::new(
            self.old.schema.as_ref().expect("compiled"),
            self.new.schema.as_ref().expect("compiled"),
        )
    }

    /// The rendering with every finding, as `iotp2p breaking --all` prints it.
    fn rendered(&self, policy: &Policy) -> String {
        let report = self.report();
        let sources = Sources {
            old: &self.old.sources,
            new: &self.new.sources,
            old_prefix: "",
        };
        let (map, diagnostics) = report::to_diagnostics(&report, policy, &sources);
        render_plain_ending(&map, &diagnostics, &report.summary(policy))
    }

    /// Compares the rendering with `expected.stderr`, or writes it when blessing.
    fn check_golden(&self, failures: &mut Vec<String>) {
        let actual = self.rendered(&Policy::new(Categories::ALL, true));
        let path = self.dir.join("expected.stderr");
        let expected = std::fs::read_to_string(&path).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            return;
        }
        if blessing() {
            std::fs::write(&path, &actual).expect("write expected output");
            eprintln!("blessed {}", path.display());
            return;
        }
        failures.push(match expected {
            None => format!(
                "{}: missing; run `BLESS=1 cargo test --workspace` and review it. The output is:\n{actual}",
                path.display()
            ),
            Some(expected) => format!(
                "{}: output differs.\n--- expected\n{expected}\n+++ actual\n{actual}",
                path.display()
            ),
        });
    }
}

#[test]
fn each_rule_case_triggers_exactly_its_rule() {
    let mut failures = Vec::new();
    for dir in case_dirs(Path::new(CASES)) {
        let case = Case::load(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let rules: BTreeSet<&str> = case
            .report()
            .findings
            .iter()
            .map(|f| f.rule.name())
            .collect();
        if rules != BTreeSet::from([name.as_str()]) {
            failures.push(format!("{name}: found {rules:?}"));
        }
        case.check_golden(&mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_rule_has_a_case() {
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .map(|r| r.name())
        .filter(|name| !Path::new(CASES).join(name).join("old.iotp").is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a case in {CASES}/: {missing:?}"
    );
}

#[test]
fn compatible_changes_report_nothing() {
    let mut failures = Vec::new();
    let dirs = case_dirs(&Path::new(CASES).join("compatible"));
    assert!(dirs.len() >= 5, "{dirs:?}");
    for dir in dirs {
        let case = Case::load(&dir);
        let report = case.report();
        let breaking: Vec<_> = report
            .findings
            .iter()
            .filter(|f| !f.breaks.is_empty())
            .map(|f| f.rule.name())
            .collect();
        if !breaking.is_empty() || report.fails(&Policy::default()) {
            failures.push(format!("{}: breaking {breaking:?}", dir.display()));
        }
        let shown = case.rendered(&Policy::default());
        if shown.lines().count() != 1 || !shown.starts_with("no breaking change") {
            failures.push(format!("{}: by default shows\n{shown}", dir.display()));
        }
        case.check_golden(&mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn version_cases_match_expected_output() {
    let mut failures = Vec::new();
    for dir in case_dirs(&Path::new(CASES).join("versions")) {
        Case::load(&dir).check_golden(&mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn rule_table_is_the_specs() {
    // The table of spec §10.3: `| `NAME` | change | WIRE | JSON | SOURCE |`.
    let spec = std::fs::read_to_string("../spec/10-versioning-and-transport.md").expect("the spec");
    let section = &spec[spec.find("<a id=\"ver-rules\"></a>").expect("§10.3")..];
    let section = &section[..section
        .find("<a id=\"ver-widening\"></a>")
        .expect("§10.3.1")];
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 5, "{line}");
        let breaking = |cell: &str| cell.starts_with("breaking");
        rows.push((
            cells[0].trim_matches('`').to_string(),
            Categories::new(breaking(cells[2]), breaking(cells[3]), breaking(cells[4])),
        ));
    }
    let ours: Vec<(String, Categories)> = Rule::ALL
        .iter()
        .map(|r| (r.name().to_string(), r.breaks()))
        .collect();
    assert_eq!(ours, rows);
    assert_eq!(rows.len(), 47);
}

/// The shipped standard schema (1.1.0) against its last released version, recorded in
/// `spec/schema/released/1.0.0/`: the standard obeys its own rules.
#[test]
fn the_standard_obeys_its_own_rules() {
    let side = |dir: &str| {
        let mut roots: Vec<PathBuf> = ["core.iotp", "security.iotp", "capabilities.iotp"]
            .iter()
            .map(|f| Path::new(dir).join(f))
            .collect();
        roots.sort();
        let c = compile(&roots, &FsLoader::default());
        assert!(c.schema.is_some(), "{dir} does not compile");
        c.schema.unwrap()
    };
    let old = side("../spec/schema/released/1.0.0");
    let new = side("../spec/schema");
    let report = Report::new(&old, &new);
    let wire: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.breaks.wire || f.frozen)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        wire.is_empty(),
        "WIRE-breaking changes since 1.0.0: {wire:#?}"
    );
    assert!(report.versions.is_empty(), "{:#?}", report.versions);
    for package in ["iotp2p.core", "iotp2p.security", "iotp2p.capabilities"] {
        assert_eq!(
            required_bump(&report.findings, package),
            Bump::Minor,
            "{package}"
        );
    }
}
