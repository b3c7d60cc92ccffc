//! `iotp2p breaking` as a user runs it: exit codes (0 nothing enforced breaks, 1 something does, 2
//! usage or compile errors), `--enforce`, `--all`, `--format json`, malformed input on either side, and
//! `--against git:REV` on a temporary repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn iotp2p_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iotp2p"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the iotp2p binary runs")
}

fn iotp2p(args: &[&str]) -> Output {
    iotp2p_in(Path::new("."), args)
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed by a signal")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// `tests/breaking/<case>/old.iotp` and `new.iotp`.
fn case(name: &str) -> (String, String) {
    let dir = format!("tests/breaking/{name}");
    (format!("{dir}/old.iotp"), format!("{dir}/new.iotp"))
}

#[test]
fn compatible_changes_exit_0() {
    let (old, new) = case("compatible/optional_field_added");
    let out = iotp2p(&["breaking", "--against", &old, &new]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "no breaking change; 1 compatible change\n");
    let out = iotp2p(&[
        "breaking",
        "--all",
        "--color",
        "never",
        "--against",
        &old,
        &new,
    ]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("note[N0001]: FIELD_ADDED_OPTIONAL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_breaking_change_exits_1_with_both_places() {
    let (old, new) = case("FIELD_ADDED_REQUIRED");
    let out = iotp2p(&["breaking", "--color", "never", "--against", &old, &new]);
    assert_eq!(code(&out), 1);
    let text = stderr(&out);
    assert!(
        text.starts_with("error[E0801]: FIELD_ADDED_REQUIRED: "),
        "{text}"
    );
    assert!(
        text.contains(&format!("{new}:6:7")) && text.contains(&format!("{old}:4:9")),
        "{text}"
    );
}

#[test]
fn enforce_chooses_the_categories_but_never_drops_wire() {
    let (old, new) = case("FIELD_RENAMED"); // breaks JSON and SOURCE
    let out = iotp2p(&["breaking", "--enforce", "wire", "--against", &old, &new]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning[W0006]: FIELD_RENAMED"),
        "{}",
        stderr(&out)
    );
    let out = iotp2p(&[
        "breaking",
        "--enforce",
        "wire,json",
        "--against",
        &old,
        &new,
    ]);
    assert_eq!(code(&out), 1);
    let (old, new) = case("FIELD_TYPE_CHANGED"); // breaks WIRE
    let out = iotp2p(&["breaking", "--category", "source", "--against", &old, &new]);
    assert_eq!(code(&out), 1, "WIRE is enforced within a major version");
    let out = iotp2p(&["breaking", "--enforce", "bits", "--against", &old, &new]);
    assert_eq!(code(&out), 2);
}

#[test]
fn json_lists_every_finding_with_its_rule_and_places() {
    let (old, new) = case("FIELD_TYPE_WIDENED");
    let out = iotp2p(&["breaking", "--format", "json", "--against", &old, &new]);
    assert_eq!(code(&out), 1, "SOURCE is enforced by default");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "FIELD_TYPE_WIDENED");
    assert_eq!(f["category"], "SOURCE");
    assert_eq!(f["breaks"], serde_json::json!(["SOURCE"]));
    assert_eq!(f["requirement"], "IOTP-VER-7");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["old"]["file"], old.as_str());
    assert_eq!(f["new"]["line"], 6);
    assert_eq!(doc["errors"], 1);
    assert!(stderr(&out).is_empty());
}

#[test]
fn schemas_that_do_not_compile_exit_2_with_their_diagnostics() {
    let bad = "tests/ui/many_errors_in_one_file.iotp";
    let out = iotp2p(&["breaking", "--color", "never", "--against", bad, bad]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("error["), "{}", stderr(&out));
    let out = iotp2p(&[
        "breaking",
        "--format",
        "json",
        "--against",
        bad,
        "no/such/file.iotp",
    ]);
    assert_eq!(code(&out), 2);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"E0001"), "{codes:?}");
    let out = iotp2p(&["breaking", "tests/breaking/TYPE_ADDED/new.iotp"]);
    assert_eq!(code(&out), 2, "--against is required");
}

/// A temporary git repository, removed when dropped.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str) -> Repo {
        let dir =
            std::env::temp_dir().join(format!("iotp2p-breaking-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo(dir);
        repo.git(&["init", "-q"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@example.org"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.0.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn against_a_git_revision_reads_the_same_paths_there() {
    let repo = Repo::new("git");
    let types = "package example.types;\n\n/// A level.\ntype Level = u8;\n";
    let lamp = |extra: &str| {
        format!(
            "package example.lamp version 1.0.0;\n\nimport \"types.iotp\" as types;\n\n/// A lamp.\nmessage Lamp {{\n    0 level: types.Level;\n{extra}}}\n"
        )
    };
    repo.write("schemas/types.iotp", types);
    repo.write("schemas/lamp.iotp", &lamp(""));
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "first"]);
    repo.write("schemas/lamp.iotp", &lamp("    1 on: bool;\n"));

    let out = iotp2p_in(
        &repo.0,
        &[
            "breaking",
            "--color",
            "never",
            "--against",
            "git:HEAD",
            "schemas/lamp.iotp",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("FIELD_ADDED_REQUIRED"), "{text}");
    assert!(text.contains("HEAD:schemas/lamp.iotp:6:9"), "{text}");
    // A directory, at the revision too; the working tree's change did not touch `types.iotp`.
    let out = iotp2p_in(
        &repo.0,
        &[
            "breaking",
            "--format",
            "json",
            "--against",
            "git:HEAD",
            "schemas",
        ],
    );
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1, "{doc}");

    repo.git(&["commit", "-q", "-am", "second"]);
    let out = iotp2p_in(&repo.0, &["breaking", "--against", "git:HEAD", "schemas"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = iotp2p_in(
        &repo.0,
        &["breaking", "--against", "git:no-such-revision", "schemas"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("git ls-tree failed"),
        "{}",
        stderr(&out)
    );
    let out = iotp2p_in(
        &repo.0,
        &[
            "breaking",
            "--against",
            "git:HEAD",
            "--against",
            "x.iotp",
            "schemas",
        ],
    );
    assert_eq!(code(&out), 2);
}
