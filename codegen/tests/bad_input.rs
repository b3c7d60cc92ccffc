//! Bad input never crashes the compiler: garbage, huge, deep, long and broken files each end in typed
//! diagnostics with a code, never a panic or a stack overflow.
//!
//! Every case runs through the library (`compile_str` / `MemoryLoader`); the file-system ones also
//! through the `iotp2p` binary. Everything runs on the default test-thread stack (2 MiB), which is
//! less than the CLI's main thread gets.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use iotp2p_codegen::diagnostics::{json::render_json, render::render_plain, Code, MAX_DIAGNOSTICS};
use iotp2p_codegen::source::MAX_FILE_SIZE;
use iotp2p_codegen::{compile, compile_str, Compilation, FsLoader, MemoryLoader};

/// A deterministic pseudo-random byte stream (xorshift64*), so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 56) as u8).collect()
    }
}

/// Compiles raw bytes as `bad.iotp`.
fn compile_bytes(bytes: Vec<u8>) -> Compilation {
    let loader = MemoryLoader::from_bytes(BTreeMap::from([(PathBuf::from("bad.iotp"), bytes)]));
    compile(&[PathBuf::from("bad.iotp")], &loader)
}

/// The checks every bad input must pass: it failed, with coded diagnostics, within the limit, and both
/// renderings work. Returns the codes reported.
fn assert_rejected(what: &str, c: &Compilation) -> Vec<Code> {
    assert!(c.schema.is_none(), "{what}: produced IR");
    assert!(c.diagnostics.has_errors(), "{what}: no error reported");
    let codes: Vec<Code> = c.diagnostics.iter().map(|d| d.code).collect();
    assert!(!codes.is_empty(), "{what}: no diagnostic kept");
    assert!(
        codes.len() <= MAX_DIAGNOSTICS,
        "{what}: {} diagnostics kept",
        codes.len()
    );
    assert_renders(what, c);
    codes
}

/// Both renderings work on whatever was reported, and stay bounded.
fn assert_renders(what: &str, c: &Compilation) {
    let plain = render_plain(&c.sources, &c.diagnostics);
    let json = render_json(&c.sources, &c.diagnostics);
    let report: serde_json::Value = serde_json::from_str(&json).expect("the JSON report parses");
    assert!(
        report["diagnostics"].as_array().unwrap().len() <= MAX_DIAGNOSTICS,
        "{what}"
    );
    if c.diagnostics.has_errors() {
        assert!(plain.contains("could not compile"), "{what}: {plain}");
    }
}

/// The first `n` characters, for failure messages.
fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The last `n` characters, for failure messages.
fn tail(s: &str, n: usize) -> String {
    let skip = s.chars().count().saturating_sub(n);
    s.chars().skip(skip).collect()
}

// ---- garbage ---------------------------------------------------------------------------------------

#[test]
fn binary_garbage() {
    let bytes = XorShift(0x1234_5678_9abc_def0).bytes(64 * 1024);
    let c = compile_bytes(bytes);
    let codes = assert_rejected("64 KiB of random bytes", &c);
    assert_eq!(codes, [Code::FileNotUtf8]);
}

#[test]
fn binary_garbage_that_is_valid_utf8() {
    // Random bytes with the high bit cleared: valid UTF-8 (ASCII), control characters included.
    let bytes: Vec<u8> = XorShift(42)
        .bytes(64 * 1024)
        .into_iter()
        .map(|b| b & 0x7f)
        .collect();
    let c = compile_bytes(bytes);
    assert_rejected("64 KiB of random ASCII", &c);
}

#[test]
fn random_printable_text() {
    // Random printable characters (ASCII and beyond) and whitespace: gets through the loader, so the
    // lexer and parser see all of it.
    let mut rng = XorShift(7);
    let alphabet: Vec<char> = (' '..='~').chain("\n\t éßπ€😀{}<>;:@\"".chars()).collect();
    let text: String = (0..64 * 1024)
        .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
        .collect();
    let c = compile_str("printable.iotp", &text, &[]);
    assert_rejected("random printable text", &c);
}

#[test]
fn random_tokens_of_the_language() {
    // Random sequences of the language's own tokens reach deeper into the parser than random
    // characters do. Many seeds, small files.
    let tokens = [
        "package",
        "a.b",
        "version",
        "1.0.0",
        "import",
        "\"x.iotp\"",
        "as",
        "message",
        "enum",
        "union",
        "type",
        "reserved",
        "optional",
        "M",
        "f",
        "0",
        "1",
        "-1",
        "0x10",
        "1.5",
        "=",
        ";",
        ":",
        ",",
        "{",
        "}",
        "<",
        ">",
        "[",
        "]",
        "(",
        ")",
        "@",
        "@range",
        "@max_depth",
        "..=",
        "..",
        "array",
        "string",
        "bytes",
        "u8",
        "true",
        "\"s\"",
        "///doc\n",
        "//c\n",
        "/*b*/",
        "\n",
    ];
    for seed in 1..200u64 {
        let mut rng = XorShift(seed);
        let text: Vec<&str> = (0..200)
            .map(|_| tokens[(rng.next() % tokens.len() as u64) as usize])
            .collect();
        let text = text.join(" ");
        let c = compile_str("tokens.iotp", &text, &[]);
        // Some seeds could in principle form a valid file; all must simply not crash.
        assert_renders(&format!("random tokens, seed {seed}"), &c);
    }
}

// ---- size ------------------------------------------------------------------------------------------

const TEN_MB: usize = 10 * 1000 * 1000;

#[test]
fn ten_megabytes_is_refused_before_parsing() {
    let mut bytes = b"package a;\n".to_vec();
    bytes.resize(TEN_MB, b'{');
    let c = compile_bytes(bytes);
    let codes = assert_rejected("10 MB file", &c);
    // Only the size: had the file been lexed, `{` x 10 million would have said more.
    assert_eq!(codes, [Code::FileTooLarge]);
    assert!(c.sources.files().next().is_none(), "the file was kept");
}

#[test]
fn one_byte_over_the_limit_is_refused_and_the_limit_itself_is_not() {
    let mut over = b"package a;\n".to_vec();
    over.resize(MAX_FILE_SIZE as usize + 1, b' ');
    let codes = assert_rejected("limit + 1", &compile_bytes(over));
    assert_eq!(codes, [Code::FileTooLarge]);

    let mut at = b"package a;\n".to_vec();
    at.resize(MAX_FILE_SIZE as usize, b' ');
    let c = compile_bytes(at);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn just_under_the_limit_of_valid_messages_completes() {
    let mut text = String::from("@default_max_string(64)\npackage example.big;\n\n");
    let mut i = 0;
    loop {
        let message = format!(
            "/// Message number {i}.\nmessage M{i} {{\n    0 id: u32;\n    1 name: string;\n    2 \
             next: optional M{};\n}}\n\n",
            i + 1
        );
        if text.len() + message.len() + 40 > MAX_FILE_SIZE as usize {
            break;
        }
        text.push_str(&message);
        i += 1;
    }
    text.push_str(&format!("message M{i} {{ 0 end: bool; }}\n"));
    assert!(text.len() <= MAX_FILE_SIZE as usize);
    assert!(text.len() > MAX_FILE_SIZE as usize - 1024);

    let start = Instant::now();
    let c = compile_str("big.iotp", &text, &[]);
    eprintln!(
        "{} bytes, {} messages: compiled in {:?}",
        text.len(),
        i + 1,
        start.elapsed()
    );
    assert!(
        c.diagnostics.is_empty(),
        "{}",
        render_plain(&c.sources, &c.diagnostics)
    );
    let schema = c.schema.expect("the IR of a valid file");
    assert_eq!(schema.packages[0].types.len(), i + 1);
}

// ---- depth -----------------------------------------------------------------------------------------

const DEEP: usize = 10_000;

#[test]
fn ten_thousand_nested_arrays() {
    let text = format!(
        "@default_max_items(4)\npackage a;\ntype T = {}u8{};\n",
        "array<".repeat(DEEP),
        ">".repeat(DEEP)
    );
    let codes = assert_rejected("array< x 10000", &compile_str("deep.iotp", &text, &[]));
    assert!(codes.contains(&Code::NestingTooDeep), "{codes:?}");
}

#[test]
fn ten_thousand_unclosed_nested_arrays() {
    let text = format!("package a;\ntype T = {}", "array<".repeat(DEEP));
    let codes = assert_rejected("unclosed array<", &compile_str("deep.iotp", &text, &[]));
    assert!(codes.contains(&Code::NestingTooDeep), "{codes:?}");
}

#[test]
fn ten_thousand_braces_and_other_brackets() {
    for (what, text) in [
        ("{", format!("package a;\nmessage M {}", "{".repeat(DEEP))),
        ("{ at top level", "{".repeat(DEEP)),
        ("}", format!("package a;\n{}", "}".repeat(DEEP))),
        (
            "{}",
            format!("package a;\nmessage M {}", "{ 0 a: u8; ".repeat(DEEP)),
        ),
        (
            "(",
            format!("package a;\n@a{}\nmessage M {{}}", "(".repeat(DEEP)),
        ),
        (
            "[",
            format!("package a;\nmessage M {{ 0 a: bytes{} }}", "[".repeat(DEEP)),
        ),
        (
            "<",
            format!(
                "package a;\nmessage M {{ 0 a: string{} }}",
                "<".repeat(DEEP)
            ),
        ),
    ] {
        let c = compile_str("deep.iotp", &text, &[]);
        let codes = assert_rejected(what, &c);
        assert!(codes.contains(&Code::SyntaxError), "{what}: {codes:?}");
    }
}

#[test]
fn ten_thousand_nested_attributes() {
    for (what, text) in [
        (
            "@a(",
            format!("package a;\n{}\nmessage M {{}}", "@a(".repeat(DEEP)),
        ),
        (
            "@a(@a(...))",
            format!(
                "package a;\n{}1{}\nmessage M {{}}",
                "@a(".repeat(DEEP),
                ")".repeat(DEEP)
            ),
        ),
        (
            "@ x 10000",
            format!("package a;\n{}\nmessage M {{}}", "@".repeat(DEEP)),
        ),
        (
            "10000 attributes",
            format!("package a;\n{}\nmessage M {{}}", "@acme.x(1) ".repeat(DEEP)),
        ),
    ] {
        let c = compile_str("deep.iotp", &text, &[]);
        assert_renders(what, &c);
        assert!(c.diagnostics.iter().count() <= MAX_DIAGNOSTICS, "{what}");
    }
}

// ---- long chains (the iterative graph code) --------------------------------------------------------

/// Chains as long as the brief for the graph code asks; cycles and stacks, which exercise the same
/// code, are shorter to keep the suite quick in debug builds.
const CHAIN: usize = 100_000;
const CYCLE: usize = 10_000;

#[test]
fn hundred_thousand_type_alias_chain() {
    let mut text = String::from("package example.chain;\n");
    for i in 0..CHAIN {
        text.push_str(&format!("type A{i} = A{};\n", i + 1));
    }
    text.push_str(&format!(
        "@range(0..=9)\ntype A{CHAIN} = u8;\nmessage M {{ 0 x: A0 = 3; }}\n"
    ));
    let c = compile_str("chain.iotp", &text, &[]);
    assert!(
        c.diagnostics.is_empty(),
        "{}",
        render_plain(&c.sources, &c.diagnostics)
    );
    let schema = c.schema.expect("IR");
    // The range at the end of the chain reaches the field at its start.
    let m = schema.find_type("example.chain.M").unwrap();
    let json = serde_json::to_string(m).unwrap();
    assert!(json.contains("\"max\":9"), "{json}");
    // Dropping the IR and the compilation does not recurse down the chain either.
    drop(schema);
}

#[test]
fn hundred_thousand_type_alias_cycle() {
    let mut text = String::from("package example.cycle;\n");
    for i in 0..CYCLE {
        text.push_str(&format!("type A{i} = A{};\n", (i + 1) % CYCLE));
    }
    text.push_str("message M { 0 x: A0; }\n");
    let codes = assert_rejected("alias cycle", &compile_str("cycle.iotp", &text, &[]));
    assert_eq!(codes, [Code::AliasCycle]);
}

#[test]
fn aliases_cannot_stack_arrays_beyond_the_nesting_limit() {
    let mut text = String::from("@default_max_items(2)\npackage example.stack;\n");
    for i in 0..CYCLE {
        text.push_str(&format!("type A{i} = array<A{}>;\n", i + 1));
    }
    text.push_str(&format!("type A{CYCLE} = u8;\nmessage M {{ 0 x: A0; }}\n"));
    let codes = assert_rejected("stacked arrays", &compile_str("stack.iotp", &text, &[]));
    // Reported once, where the nesting first exceeds the limit; the aliases above it fail quietly.
    assert_eq!(codes, [Code::NestingTooDeep]);
}

#[test]
fn hundred_thousand_message_chain() {
    let mut text = String::from("package example.chain;\n");
    for i in 0..CHAIN {
        text.push_str(&format!("message M{i} {{ 0 next: M{}; }}\n", i + 1));
    }
    text.push_str(&format!("message M{CHAIN} {{ 0 end: bool; }}\n"));
    let c = compile_str("chain.iotp", &text, &[]);
    assert!(
        c.diagnostics.is_empty(),
        "{}",
        render_plain(&c.sources, &c.diagnostics)
    );
    assert_eq!(c.schema.unwrap().packages[0].types.len(), CHAIN + 1);
}

#[test]
fn hundred_thousand_message_cycle() {
    // One cycle through all of them, through required fields: infinite, and unbounded.
    let mut text = String::from("package example.cycle;\n");
    for i in 0..CYCLE {
        text.push_str(&format!(
            "message M{i} {{ 0 next: M{}; }}\n",
            (i + 1) % CYCLE
        ));
    }
    let codes = assert_rejected("message cycle", &compile_str("cycle.iotp", &text, &[]));
    assert_eq!(codes, [Code::InfiniteType]);
}

#[test]
fn long_import_chain_and_cycle() {
    let n = 500;
    let files: Vec<(String, String)> = (0..n)
        .map(|i| {
            let next = if i + 1 < n {
                format!("import \"f{}.iotp\" as next;\n", i + 1)
            } else {
                "import \"f0.iotp\" as next;\n".to_string()
            };
            (
                format!("f{i}.iotp"),
                format!("package p{i};\n{next}message M {{ 0 x: optional next.M; }}\n"),
            )
        })
        .collect();
    let others: Vec<(&str, &str)> = files[1..]
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let c = compile_str(&files[0].0, &files[0].1, &others);
    let codes = assert_rejected("import cycle of 500 files", &c);
    assert!(codes.contains(&Code::ImportCycle), "{codes:?}");
}

// ---- floods ----------------------------------------------------------------------------------------

#[test]
fn error_flood_stays_bounded() {
    // 20,000 unknown types, 20,000 duplicate keys and 20,000 bad names.
    let mut text = String::from("package example.flood;\nmessage M {\n");
    for i in 0..20_000 {
        text.push_str(&format!("    0 Field{i}: Unknown{i};\n"));
    }
    text.push_str("}\n");
    let c = compile_str("flood.iotp", &text, &[]);
    assert_rejected("error flood", &c);
    assert_eq!(c.diagnostics.iter().count(), MAX_DIAGNOSTICS);
    assert_eq!(c.diagnostics.error_count(), 59_999);
    let plain = render_plain(&c.sources, &c.diagnostics);
    assert!(
        plain.contains("more diagnostics not shown"),
        "{}",
        tail(&plain, 300)
    );
    assert!(plain.len() < 1_000_000, "{} bytes of output", plain.len());
    let json: serde_json::Value =
        serde_json::from_str(&render_json(&c.sources, &c.diagnostics)).unwrap();
    assert_eq!(
        json["omitted"].as_u64().unwrap() as usize,
        c.diagnostics.error_count() - MAX_DIAGNOSTICS
    );
}

#[test]
fn unknown_types_in_a_large_package_stay_fast() {
    // Every unknown name is compared with every type of the package for a "did you mean"; past the
    // diagnostics limit, that work must stop too.
    let mut text = String::from("package example.flood;\n");
    for i in 0..1_500 {
        text.push_str(&format!("message Type{i} {{ 0 x: Typo{i}; }}\n"));
    }
    let c = compile_str("flood.iotp", &text, &[]);
    assert_rejected("unknown types", &c);
    assert_eq!(c.diagnostics.error_count(), 1_500);
}

#[test]
fn thousands_of_reservations_stay_fast() {
    let n = 5_000;
    let reserved: Vec<String> = (0..n).map(|i| (2 * i).to_string()).collect();
    let mut text = format!(
        "package example.reserved;\nmessage M {{\n    reserved {};\n    reserved {};\n",
        reserved.join(", "),
        reserved.join(", ")
    );
    for i in 0..n {
        text.push_str(&format!("    {i} f{i}: u8;\n"));
    }
    text.push_str("}\n");
    let c = compile_str("reserved.iotp", &text, &[]);
    let codes = assert_rejected("reservations", &c);
    assert!(codes.contains(&Code::InvalidReservedRange), "{codes:?}");
    // 20,000 repeated reservations, and every even key of 0..20,000 reserved.
    assert_eq!(c.diagnostics.error_count(), n + n / 2);
}

#[test]
fn output_stays_bounded_on_one_enormous_line() {
    // A "minified" 512 KiB schema on one line with an error every few bytes: the line is not
    // echoed under each diagnostic (which would print 500 x 512 KiB).
    let body = "message M { 0 x: Nope; } ".repeat(512 * 1024 / 25);
    let text = format!("package example.minified; {body}");
    let c = compile_str("minified.iotp", &text, &[]);
    assert_rejected("one long line", &c);
    let plain = render_plain(&c.sources, &c.diagnostics);
    assert!(plain.len() < 500_000, "{} bytes of output", plain.len());
    assert!(
        plain.contains("the line is too long to show"),
        "{}",
        head(&plain, 2000)
    );
    assert!(
        plain.contains("minified.iotp:1:"),
        "the place is still named"
    );
}

#[test]
fn output_stays_bounded_on_a_comment_left_open() {
    // An unterminated block comment covers the rest of the file: its label shows one line, not all.
    let text = format!(
        "package a;\n/* never closed\n{}",
        "message M { 0 x: u8; }\n".repeat(20_000)
    );
    let c = compile_str("open.iotp", &text, &[]);
    let codes = assert_rejected("open comment", &c);
    assert!(codes.contains(&Code::UnterminatedString), "{codes:?}");
    let plain = render_plain(&c.sources, &c.diagnostics);
    assert!(plain.lines().count() < 30, "{plain}");
}

#[test]
fn syntax_error_flood_stays_bounded() {
    let text = "package a;\n".to_string() + &"message { 0 ; } ".repeat(20_000);
    let c = compile_str("flood.iotp", &text, &[]);
    let codes = assert_rejected("syntax flood", &c);
    assert!(codes.len() <= 60, "{}", codes.len());
}

#[test]
fn lexer_error_flood_stays_bounded() {
    // One bad character per token: a lexer error each, 30,000 of them.
    let text = "package a;\n".to_string() + &"a # ".repeat(30_000);
    let c = compile_str("flood.iotp", &text, &[]);
    assert_rejected("lexer flood", &c);
}

// ---- files that are not schemas --------------------------------------------------------------------

#[test]
fn not_utf8() {
    let mut bytes = b"package a;\nmessage M { 0 x: u8; }\n// caf".to_vec();
    bytes.extend([0xe9, b'\n']);
    let codes = assert_rejected("Latin-1 file", &compile_bytes(bytes));
    assert_eq!(codes, [Code::FileNotUtf8]);
    // A truncated multi-byte sequence at the very end.
    let codes = assert_rejected("truncated UTF-8", &compile_bytes(vec![b'a', 0xe2, 0x82]));
    assert_eq!(codes, [Code::FileNotUtf8]);
    // A byte-order mark starts some editors' files: accepted there, and only there.
    let c = compile_str("bom.iotp", "\u{feff}package a;\n", &[]);
    assert!(
        c.schema.is_some() && c.diagnostics.is_empty(),
        "leading byte-order mark"
    );
    let c = compile_str("bom.iotp", "package a;\n\u{feff}message M {}\n", &[]);
    assert_eq!(
        assert_rejected("byte-order mark after the start", &c),
        [Code::UnexpectedCharacter]
    );
}

#[test]
fn missing_file() {
    let c = compile(
        &[PathBuf::from("tests/no/such/file.iotp")],
        &FsLoader::default(),
    );
    let codes = assert_rejected("missing file", &c);
    assert_eq!(codes, [Code::FileUnreadable]);
    let c = compile(
        &[PathBuf::from("nothing.iotp")],
        &MemoryLoader::new(BTreeMap::new()),
    );
    assert_eq!(
        assert_rejected("missing in memory", &c),
        [Code::FileUnreadable]
    );
}

#[test]
fn directory_given_as_a_file() {
    let c = compile(&[PathBuf::from("tests")], &FsLoader::default());
    let codes = assert_rejected("a directory", &c);
    assert_eq!(codes, [Code::FileUnreadable]);
}

#[test]
fn empty_file_and_only_comments() {
    for (what, text) in [
        ("empty", ""),
        ("whitespace", " \n\t\r\n  "),
        ("comments", "// one\n/* two */\n//// three\n"),
        ("doc comment", "/// documents nothing\n"),
        ("a lone attribute", "@default_max_string(4)\n"),
        ("a lone @", "@"),
        ("unterminated comment", "/*"),
        ("unterminated string", "\""),
        ("NUL bytes", "\0\0\0"),
    ] {
        let codes = assert_rejected(what, &compile_str("x.iotp", text, &[]));
        assert!(
            codes.iter().all(|c| c.as_str().starts_with('E')),
            "{what}: {codes:?}"
        );
    }
}

#[test]
fn bad_files_among_good_ones() {
    // One good root, one missing root, one not UTF-8: every problem is reported, nothing crashes.
    let loader = MemoryLoader::from_bytes(BTreeMap::from([
        (PathBuf::from("good.iotp"), b"package good;\n".to_vec()),
        (PathBuf::from("bad.iotp"), vec![0xff]),
    ]));
    let c = compile(
        &[
            PathBuf::from("good.iotp"),
            PathBuf::from("missing.iotp"),
            PathBuf::from("bad.iotp"),
        ],
        &loader,
    );
    let mut codes = assert_rejected("mixed roots", &c);
    codes.sort();
    assert_eq!(codes, [Code::FileUnreadable, Code::FileNotUtf8]);
}

// ---- the same through the binary -------------------------------------------------------------------

fn check_cli(path: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iotp2p"))
        .args(["check", "--color", "never", path])
        .output()
        .expect("the binary runs");
    (
        out.status.code().expect("exited normally, no crash"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("iotp2p-bad-input-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn cli_refuses_a_ten_megabyte_file_before_parsing_it() {
    let mut bytes = b"package a;\n".to_vec();
    bytes.resize(TEN_MB, b'{');
    let file = TempFile::new("huge.iotp", &bytes);
    let (code, stderr) = check_cli(file.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E0002]"), "{stderr}");
    assert!(!stderr.contains("E0008"), "the file was parsed: {stderr}");
}

#[test]
fn cli_reports_a_file_that_is_not_utf8() {
    let file = TempFile::new("latin1.iotp", b"package a;\n// caf\xe9\n");
    let (code, stderr) = check_cli(file.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E0003]"), "{stderr}");
}

#[test]
fn cli_reports_binary_garbage() {
    let file = TempFile::new("garbage.iotp", &XorShift(99).bytes(64 * 1024));
    let (code, stderr) = check_cli(file.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E0003]"), "{stderr}");
}

#[test]
fn cli_reports_a_missing_file() {
    let (code, stderr) = check_cli("tests/no/such/file.iotp");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E0001]"), "{stderr}");
    assert!(stderr.contains("no such file"), "{stderr}");
}

#[test]
fn cli_reports_a_directory() {
    let (code, stderr) = check_cli("tests");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E0001]"), "{stderr}");
    assert!(stderr.contains("directory"), "{stderr}");
}

#[test]
fn cli_survives_deep_nesting_and_floods() {
    let deep = format!("package a;\ntype T = {}", "array<".repeat(DEEP));
    let file = TempFile::new("deep.iotp", deep.as_bytes());
    let (code, stderr) = check_cli(file.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E0009]"), "{stderr}");

    let mut flood = String::from("package example.flood;\nmessage M {\n");
    for i in 0..20_000 {
        flood.push_str(&format!("    {i} f{i}: Unknown;\n"));
    }
    flood.push_str("}\n");
    let file = TempFile::new("flood.iotp", flood.as_bytes());
    let (code, stderr) = check_cli(file.path());
    assert_eq!(code, 1);
    assert!(
        stderr.contains("could not compile due to 20000 errors"),
        "{}",
        tail(&stderr, 500)
    );
    assert!(stderr.len() < 1_000_000, "{} bytes", stderr.len());
}
