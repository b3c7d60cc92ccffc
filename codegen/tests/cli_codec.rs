//! `iotp2p decode` and `iotp2p encode` on the built-in core schema: JSON, annotated hex dumps, byte
//! offsets in errors, and the round trip between the two commands.

use std::process::{Command, Output};

fn iotp2p(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iotp2p"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const INVOKE: &str = "a1 04 a4 00 01 01 07 02 08 03 46 a2 00 18 c8 01 0a";

#[test]
fn decode_prints_canonical_json() {
    let o = iotp2p(&["decode", "iotp2p.core.Body", INVOKE]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["invoke"]["capability"], 7);
    assert_eq!(json["invoke"]["input"], "a20018c8010a");
}

#[test]
fn decoded_text_reaches_the_terminal_escaped() {
    // A Status whose `detail` holds ESC [2J (clear screen), a C1 CSI and a right-to-left override.
    let hostile = "a1 03 6a 61 1b 5b 32 4a c2 9b e2 80 ae";
    let raw = |text: &str| {
        text.chars()
            .find(|&c| iotp2p_codegen::diagnostics::printable::is_unsafe(c) && c != '\n')
    };
    let o = iotp2p(&["decode", "iotp2p.core.Status", hostile]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(raw(&stdout(&o)), None, "{}", stdout(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        json["detail"], "a\u{1b}[2J\u{9b}\u{202e}",
        "the value itself is unchanged"
    );
    let o = iotp2p(&["decode", "--annotate", "iotp2p.core.Status", hostile]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(raw(&stdout(&o)), None, "{}", stdout(&o));
}

#[test]
fn encode_errors_speak_the_schema_language() {
    let o = iotp2p(&["encode", "iotp2p.core.SemVer", r#"{"major": "x"}"#]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(r#"major: "x" is not a u32 (a JSON integer)"#),
        "{err}"
    );
    assert!(!err.contains("Int {"), "no Rust Debug output: {err}");
}

#[test]
fn an_unknown_type_is_named_with_a_suggestion() {
    for (asked, meant) in [
        ("iotp2p.core.Envelop", "iotp2p.core.Envelope"),
        ("Envelope", "iotp2p.core.Envelope"),
    ] {
        let o = iotp2p(&["decode", asked, "a0"]);
        assert_eq!(o.status.code(), Some(2), "a usage error");
        let err = stderr(&o);
        assert!(err.contains(&format!("unknown type `{asked}`")), "{err}");
        assert!(err.contains(&format!("did you mean `{meant}`?")), "{err}");
        assert!(!err.contains("unused import"), "{err}");
    }
}

#[test]
fn annotate_labels_every_byte_range() {
    let o = iotp2p(&["decode", "--annotate", "iotp2p.core.Body", INVOKE]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("key 4 (invoke)"), "{text}");
    assert!(text.contains("capability: 7"), "{text}");
    // One line per annotation, each starting with its offset.
    assert!(
        text.lines()
            .all(|l| l.len() > 4 && u32::from_str_radix(&l[..4], 16).is_ok()),
        "{text}"
    );
}

#[test]
fn rejected_input_points_at_the_byte() {
    // The second key repeats the first.
    let o = iotp2p(&["decode", "iotp2p.core.SemVer", "a2 00 01 00 02"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error[duplicate-key]"), "{err}");
    assert!(err.contains("at byte 3"), "{err}");
    assert!(err.contains("^^"), "{err}");
}

#[test]
fn encode_then_decode_round_trips() {
    let o = iotp2p(&[
        "encode",
        "iotp2p.core.SemVer",
        r#"{"major": 1, "minor": 2, "patch": 0}"#,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // patch equals its default and is omitted.
    assert_eq!(stdout(&o).trim(), "a2 00 01 01 02");
    let back = iotp2p(&["decode", "iotp2p.core.SemVer", stdout(&o).trim()]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&back)).unwrap();
    assert_eq!(json, serde_json::json!({"major": 1, "minor": 2}));
}

#[test]
fn encode_rejects_duplicate_member_names() {
    // A JSON map would keep one of the two silently; IOTP-WIRE-73 requires a rejection.
    let o = iotp2p(&[
        "encode",
        "iotp2p.core.SemVer",
        r#"{"major": 1, "major": 2}"#,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("duplicate member"), "{}", stderr(&o));
}

#[test]
fn type_expressions_and_usage_errors() {
    let o = iotp2p(&["decode", "array<u16, 4>", "82", "01", "19", "01", "00"]);
    assert!(o.status.success());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap(),
        serde_json::json!([1, 256])
    );
    assert_eq!(
        iotp2p(&["decode", "iotp2p.core.NoSuchType", "00"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(iotp2p(&["decode", "u8", "0g"]).status.code(), Some(2));
    let bad = iotp2p(&["encode", "iotp2p.core.SemVer", r#"{"major": -1}"#]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("outside"), "{}", stderr(&bad));
}

#[test]
fn encode_reads_json_as_chapter_4_says() {
    let encode = |ty: &str, json: &str| iotp2p(&["encode", ty, json]);
    // A float is rounded once from its decimal (IOTP-WIRE-70): this number lies just above the
    // midpoint 1 + 2^-24, which rounding through binary64 would take down to 1.0.
    let o = encode("f32", "1.0000000596046448");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "fa 3f 80 00 01");
    // Rejected: a number beyond the float type, text after the value, `-0` for an integer, `#<key>`
    // with a leading zero or naming a known field, `null` for a field, uppercase hexadecimal.
    for (ty, json, why) in [
        ("f32", "1e39", "beyond the range"),
        ("f64", "1e309", "out of range"),
        (
            "iotp2p.core.SemVer",
            r#"{"major": 1} {"major": 2}"#,
            "trailing characters",
        ),
        ("iotp2p.core.SemVer", r#"{"major": -0}"#, "not an integer"),
        (
            "iotp2p.core.SemVer",
            r##"{"major": 1, "#01": "00"}"##,
            "bad member name",
        ),
        (
            "iotp2p.core.SemVer",
            r##"{"major": 1, "#1": "02"}"##,
            "the key of `minor`",
        ),
        (
            "iotp2p.core.SemVer",
            r#"{"major": 1, "minor": null}"#,
            "minor",
        ),
        ("bytes<4>", r#""0A""#, "lowercase"),
    ] {
        let o = encode(ty, json);
        assert_eq!(o.status.code(), Some(1), "{json}: {}", stdout(&o));
        assert!(stderr(&o).contains(why), "{json}: {}", stderr(&o));
    }
    // Accepted: whitespace around the value, the number of a known enum value.
    let o = encode("iotp2p.core.SemVer", " {\"major\": 1}\n");
    assert_eq!(stdout(&o).trim(), "a1 00 01", "{}", stderr(&o));
    let o = encode("iotp2p.core.DecodeError", "8");
    assert_eq!(stdout(&o).trim(), "08", "{}", stderr(&o));
    let back = iotp2p(&["decode", "iotp2p.core.DecodeError", "08"]);
    assert_eq!(stdout(&back).trim(), r#""WrongType""#);
}
