//! The `iotp2p` binary as a user runs it: exit codes, output formats, include directories, the IR and
//! its JSON Schema, `explain`, and every subcommand's `--help`.
//!
//! Exit codes (see `src/main.rs`): 0 success, 1 the input has errors, 2 usage errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use iotp2p_codegen::diagnostics::Code;
use iotp2p_codegen::ir::{Schema, IR_VERSION};

fn iotp2p(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iotp2p"))
        .args(args)
        .output()
        .expect("the iotp2p binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed by a signal")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Every valid example schema, relative to the crate directory (cargo's working directory for tests).
fn valid_schemas() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "iotp") {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new("tests/schemas/valid"), &mut out);
    out.sort();
    assert!(
        out.len() >= 5,
        "expected the example schemas, found {out:?}"
    );
    out
}

const INVALID: &str = "tests/ui/many_errors_in_one_file.iotp";

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("iotp2p-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, path: &str, text: &str) -> String {
        let full = self.0.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        full.to_string_lossy().into_owned()
    }

    fn path(&self, path: &str) -> String {
        self.0.join(path).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---- check ----------------------------------------------------------------------------------------

#[test]
fn check_accepts_every_valid_schema() {
    for file in valid_schemas() {
        let out = iotp2p(&["check", "--color", "never", &file]);
        assert_eq!(code(&out), 0, "{file}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("no errors"),
            "{file}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn check_accepts_all_valid_schemas_at_once() {
    let files = valid_schemas();
    let mut args = vec!["check", "--color", "never"];
    args.extend(files.iter().map(String::as_str));
    let out = iotp2p(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn check_rejects_an_invalid_schema_with_exit_1() {
    let out = iotp2p(&["check", "--color", "never", INVALID]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("error[E0201]: unknown type `Temprature`"),
        "{err}"
    );
    assert!(err.contains("could not compile due to"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "--color never printed escapes: {err:?}"
    );
    assert!(
        stdout(&out).is_empty(),
        "human diagnostics go to stderr only"
    );
}

#[test]
fn check_colours_only_when_asked() {
    let out = iotp2p(&["check", "--color", "always", INVALID]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains('\u{1b}'),
        "--color always printed no escapes"
    );
    // Auto: stderr is a pipe here, so no colour.
    let out = iotp2p(&["check", INVALID]);
    assert!(!stderr(&out).contains('\u{1b}'));
}

#[test]
fn check_deny_warnings_fails_on_warnings_only() {
    let file = "tests/ui/w0001_unused_import/main.iotp";
    let out = iotp2p(&["check", "--color", "never", file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("warning[W0001]"));
    let out = iotp2p(&["check", "--color", "never", "--deny-warnings", file]);
    assert_eq!(code(&out), 1);
}

#[test]
fn check_usage_errors_exit_2() {
    for args in [
        &["check"][..],                              // no files
        &["check", "--no-such-flag", INVALID][..],   // unknown flag
        &["check", "--format", "xml", INVALID][..],  // bad value
        &["check", "--color", "sometimes", INVALID], // bad value
        &["frobnicate"][..],                         // unknown subcommand
        &[][..],                                     // no subcommand
    ] {
        let out = iotp2p(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?} explained nothing");
    }
}

#[test]
fn check_json_reports_every_diagnostic_with_its_location() {
    let out = iotp2p(&["check", "--format", "json", INVALID]);
    assert_eq!(code(&out), 1);
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("stdout is one JSON document");
    let diagnostics = report["diagnostics"]
        .as_array()
        .expect("a diagnostics array");
    assert!(diagnostics.len() > 10, "{report}");
    assert_eq!(
        report["errors"].as_u64().unwrap() + report["warnings"].as_u64().unwrap(),
        diagnostics.len() as u64
    );
    for d in diagnostics {
        let code = d["code"].as_str().expect("code");
        assert!(code.parse::<Code>().is_ok(), "unknown code {code}");
        assert!(matches!(d["severity"].as_str(), Some("error" | "warning")));
        assert!(!d["message"].as_str().expect("message").is_empty());
        assert_eq!(d["file"], INVALID);
        assert!(d["line"].as_u64().expect("line") >= 1);
        assert!(d["column"].as_u64().expect("column") >= 1);
        assert!(d["end_line"].as_u64().expect("end_line") >= d["line"].as_u64().unwrap());
        let start = d["span"]["start"].as_u64().expect("span.start");
        let end = d["span"]["end"].as_u64().expect("span.end");
        assert!(start <= end);
        assert!(d["help"].is_array() && d["notes"].is_array() && d["related"].is_array());
    }
    // Human output is not mixed in.
    assert!(!stderr(&out).contains("error["), "{}", stderr(&out));
}

#[test]
fn check_json_of_a_valid_schema_is_an_empty_report() {
    let out = iotp2p(&["check", "--format", "json", "tests/schemas/valid/lamp.iotp"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["errors"], 0);
    assert!(report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] == "warning"));
}

#[test]
fn check_json_diagnostics_without_a_place_have_no_location() {
    let out = iotp2p(&["check", "--format", "json", "tests/ui/no_such_file.iotp"]);
    assert_eq!(code(&out), 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "E0001");
    assert!(d.get("line").is_none() && d.get("file").is_none(), "{d}");
}

#[test]
fn include_directories_resolve_imports() {
    let dir = Scratch::new("include");
    dir.write(
        "vendor/shared/units.iotp",
        "package example.units;\n\ntype Celsius = i16;\n",
    );
    let app = dir.write(
        "app/main.iotp",
        "package example.app;\n\nimport \"shared/units.iotp\" as units;\n\nmessage Reading {\n    0 t: units.Celsius;\n}\n",
    );
    // Not relative to the importing file: not found without -I.
    let out = iotp2p(&["check", "--color", "never", &app]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("error[E0104]"), "{}", stderr(&out));
    assert!(stderr(&out).contains("-I DIR"), "the help names -I");

    let vendor = dir.path("vendor");
    for flag in ["-I", "--include"] {
        let out = iotp2p(&["check", flag, &vendor, &app]);
        assert_eq!(code(&out), 0, "{flag}: {}", stderr(&out));
    }
    // Several directories are searched in order; a wrong one first does no harm.
    let out = iotp2p(&["check", "-I", &dir.path("app"), "-I", &vendor, &app]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // `ir` takes -I too.
    let out = iotp2p(&["ir", "-I", &vendor, &app]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ir: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = ir["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["example.units", "example.app"]);
}

// ---- ir -------------------------------------------------------------------------------------------

fn ir_json(file: &str) -> serde_json::Value {
    let out = iotp2p(&["ir", file]);
    assert_eq!(code(&out), 0, "{file}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{file}: stdout is not JSON: {e}"))
}

#[test]
fn ir_prints_the_ir_of_every_valid_schema() {
    for file in valid_schemas() {
        let json = ir_json(&file);
        assert_eq!(json["ir_version"], IR_VERSION, "{file}");
        assert_eq!(json["ir_version"], 1, "{file}");
        let packages = json["packages"].as_array().expect("a packages array");
        assert!(!packages.is_empty(), "{file}");
        // The file's own package comes last: dependencies first.
        let last = &packages[packages.len() - 1];
        assert!(
            last["location"]["file"]
                .as_str()
                .is_some_and(|f| file.ends_with(f) || f.ends_with(&file)),
            "{file}: last package is {}",
            last["name"]
        );
    }
}

#[test]
fn ir_json_deserialises_into_the_ir_types() {
    for file in valid_schemas() {
        let json = ir_json(&file);
        let schema: Schema = serde_json::from_str(&json.to_string())
            .unwrap_or_else(|e| panic!("{file}: the IR does not deserialise: {e}"));
        assert_eq!(schema.ir_version, IR_VERSION);
        // Round trip: what was printed is exactly what the Schema holds.
        assert_eq!(serde_json::to_value(&schema).unwrap(), json, "{file}");
    }
}

#[test]
fn ir_of_an_invalid_schema_exits_1_with_nothing_on_stdout() {
    let out = iotp2p(&["ir", "--color", "never", INVALID]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("error[E0201]"));
}

#[test]
fn ir_usage_errors_exit_2() {
    for args in [
        &["ir"][..],
        &["ir", "--json-schema", "tests/schemas/valid/lamp.iotp"][..],
        &["ir", "--bogus", "tests/schemas/valid/lamp.iotp"][..],
    ] {
        let out = iotp2p(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    }
}

fn json_schema() -> serde_json::Value {
    let out = iotp2p(&["ir", "--json-schema"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("the JSON Schema is JSON")
}

#[test]
fn ir_json_schema_describes_the_ir() {
    let schema = json_schema();
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org")),
        "{}",
        schema["$schema"]
    );
    let properties = schema["properties"]
        .as_object()
        .expect("top-level properties");
    for field in ["ir_version", "packages"] {
        assert!(
            properties.contains_key(field),
            "no `{field}` in {properties:?}"
        );
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required list")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(required.contains(&"ir_version") && required.contains(&"packages"));
    // The schema itself is a valid JSON Schema.
    jsonschema::meta::validate(&schema).expect("a valid JSON Schema");
}

#[test]
fn ir_of_every_valid_schema_validates_against_the_json_schema() {
    let validator = jsonschema::validator_for(&json_schema()).expect("the JSON Schema compiles");
    for file in valid_schemas() {
        let ir = ir_json(&file);
        let errors: Vec<String> = validator
            .iter_errors(&ir)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
    }
    // And the schema is strict enough to reject what is not IR.
    let mut bad = ir_json("tests/schemas/valid/lamp.iotp");
    bad["packages"][0]["unexpected"] = serde_json::json!(true);
    assert!(!validator.is_valid(&bad), "an unknown field passed");
    let mut bad = ir_json("tests/schemas/valid/lamp.iotp");
    bad["ir_version"] = serde_json::json!("one");
    assert!(!validator.is_valid(&bad), "a string ir_version passed");
}

// ---- explain --------------------------------------------------------------------------------------

#[test]
fn explain_prints_a_code_s_explanation() {
    let out = iotp2p(&["explain", "E0201"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.starts_with("E0201: "), "{text}");
    assert!(text.contains(Code::UnknownType.summary()), "{text}");
    assert!(text.contains(Code::UnknownType.explanation()), "{text}");
    // Case does not matter.
    let out = iotp2p(&["explain", "w0001"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains(Code::UnusedImport.explanation()));
}

#[test]
fn explain_explains_every_code() {
    for c in Code::ALL {
        let out = iotp2p(&["explain", c.as_str()]);
        assert_eq!(code(&out), 0, "{c}");
        assert!(stdout(&out).contains(c.explanation()), "{c}");
    }
}

#[test]
fn explain_without_a_code_lists_them_all() {
    let out = iotp2p(&["explain"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), Code::ALL.len(), "{text}");
    for c in Code::ALL {
        assert!(
            text.lines()
                .any(|l| l.starts_with(c.as_str()) && l.contains(c.summary())),
            "{c} is not listed"
        );
    }
}

#[test]
fn explain_of_an_unknown_code_exits_2() {
    for bad in ["X9", "E9999", "e02010", ""] {
        let out = iotp2p(&["explain", bad]);
        assert_eq!(code(&out), 2, "{bad:?}");
        assert!(stderr(&out).contains("not a diagnostic code"), "{bad:?}");
        assert!(stdout(&out).is_empty());
    }
}

// ---- help -----------------------------------------------------------------------------------------

#[test]
fn every_subcommand_has_help_that_names_its_options() {
    // Every subcommand the top-level help lists (new ones included) has working help.
    let out = iotp2p(&["--help"]);
    assert_eq!(code(&out), 0);
    let top = stdout(&out);
    let subcommands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|name| name != "help")
        .collect();
    assert!(
        top.contains("Exit status") && top.contains("  2  usage error"),
        "the exit codes are documented:\n{top}"
    );
    for expected in ["check", "fmt", "ir", "explain", "std", "breaking"] {
        assert!(
            subcommands.iter().any(|s| s == expected),
            "{expected} missing from:\n{top}"
        );
    }
    for sub in &subcommands {
        let out = iotp2p(&[sub, "--help"]);
        assert_eq!(code(&out), 0, "{sub} --help: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!("Usage: iotp2p {sub}")),
            "{sub}:\n{text}"
        );
        assert!(text.contains("-h, --help"), "{sub}:\n{text}");
    }

    // And names the options of the commands this suite covers.
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["check", "--help"],
            &[
                "--include",
                "-I",
                "--format",
                "--color",
                "--deny-warnings",
                "FILES",
            ],
        ),
        (
            &["ir", "--help"],
            &["--json-schema", "--include", "-I", "--color", "FILES"],
        ),
        (&["explain", "--help"], &["CODE"]),
        (&["fmt", "--help"], &["--check", "FILES"]),
        (&["help", "check"], &["--format"]),
    ];
    for (args, mentions) in cases {
        let out = iotp2p(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        for m in *mentions {
            assert!(
                text.contains(m),
                "`{}` help does not mention {m}:\n{text}",
                args.join(" ")
            );
        }
    }
    let out = iotp2p(&["--version"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains(env!("CARGO_PKG_VERSION")));
}

// ---- doc ------------------------------------------------------------------------------------------

#[test]
fn doc_documents_a_vendors_packages_only() {
    // The vendor example imports the standard's capabilities (built in): its page documents its own
    // package, names imported types in full without linking them, and shows the standard attributes.
    let file = "../examples/vendor-sprinkler/schema/sprinkler.iotp";
    let out = iotp2p(&["doc", file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.starts_with("# Schema reference"), "{page}");
    assert!(page.contains("## Package `com.acme.sprinkler`"), "{page}");
    assert!(
        !page.contains("Package `iotp2p."),
        "imports are not repeated:\n{page}"
    );
    assert!(!page.contains("scripts/generate"), "{page}");
    assert!(
        page.contains("`iotp2p.capabilities.CentiPercentRh`"),
        "{page}"
    );
    assert!(
        !page.contains("](#iotp2p-"),
        "no link into a page that is not there:\n{page}"
    );
    assert!(
        page.contains("defined in `../examples/"),
        "paths as given:\n{page}"
    );

    let linked = iotp2p(&["doc", file, "--imports-url", "https://example.org/ref.md"]);
    assert!(stdout(&linked)
        .contains("](https://example.org/ref.md#iotp2p-capabilities-centipercentrh)"));

    // The standard's own page shows the capability attributes per member.
    let std_page = iotp2p(&["doc", "--spec-chapter", "../spec/schema/capabilities.iotp"]);
    let text = stdout(&std_page);
    assert!(text.starts_with("# 11 Message reference"), "{text}");
    assert!(text.contains("*writable.*"), "{text}");
    assert!(text.contains("*unit `%EL`.*"), "{text}");
}

/// `iotp2p gen c`: one `.h` and one `.c` per package and its JSON unit, `--check` against them,
/// and a schema the C backend cannot generate yet refused by name with exit code 1.
#[test]
fn gen_c_writes_checks_and_refuses() {
    let out = std::env::temp_dir().join(format!("iotp2p-gen-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let dir = out.to_str().unwrap();
    let pet = "../codec-c/schema/pet.iotp";
    let written = iotp2p(&["gen", "c", pet, "-o", dir]);
    assert_eq!(code(&written), 0, "{}", stderr(&written));
    assert!(out.join("pet.h").is_file() && out.join("pet.c").is_file());
    assert!(out.join("pet_json.h").is_file() && out.join("pet_json.c").is_file());
    assert_eq!(code(&iotp2p(&["gen", "c", pet, "-o", dir, "--check"])), 0);
    std::fs::write(out.join("pet.c"), "stale").unwrap();
    let stale = iotp2p(&["gen", "c", pet, "-o", dir, "--check"]);
    assert_eq!(code(&stale), 1);
    assert!(stderr(&stale).contains("out of date"), "{}", stderr(&stale));
    // The default form is tables; `--form code` writes the per-type decoder and encoder instead.
    assert_eq!(code(&iotp2p(&["gen", "c", pet, "-o", dir])), 0);
    assert!(std::fs::read_to_string(out.join("pet.c"))
        .unwrap()
        .contains("iotp_record_decode(r, depth, &pet_pet_record, out)"));
    let code_form = iotp2p(&["gen", "c", pet, "-o", dir, "--form", "code"]);
    assert_eq!(code(&code_form), 0, "{}", stderr(&code_form));
    let pet_c = std::fs::read_to_string(out.join("pet.c")).unwrap();
    assert!(
        pet_c.contains("iotp_map_begin(r, depth, &m)") && !pet_c.contains("iotp_record_decode")
    );
    // `--drop-unknown-fields`: no retained entries in the struct, no merge in the encoder.
    let lean = iotp2p(&[
        "gen",
        "c",
        pet,
        "-o",
        dir,
        "--form",
        "code",
        "--drop-unknown-fields",
    ]);
    assert_eq!(code(&lean), 0, "{}", stderr(&lean));
    let pet_h = std::fs::read_to_string(out.join("pet.h")).unwrap();
    let pet_c = std::fs::read_to_string(out.join("pet.c")).unwrap();
    assert!(!pet_h.contains("unknown_fields") && !pet_c.contains("iotp_merge"));

    let grid = out.join("grid.iotp");
    std::fs::write(
        &grid,
        "package t;\n@max_depth(3) message Node { 0 grid: array<array<Node, 2>, 2>; }\n",
    )
    .unwrap();
    let refused = iotp2p(&["gen", "c", grid.to_str().unwrap(), "-o", dir]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("Node.grid"),
        "{}",
        stderr(&refused)
    );
    std::fs::remove_dir_all(&out).unwrap();
}
