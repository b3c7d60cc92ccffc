//! `iotp2p decode`: bytes of a schema type → canonical JSON, or an annotated hex dump.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use iotp2p_codegen::ir::Type;
use iotp2p_codegen::reflect::{self, Expected, Rejected};

use super::hexdump;
use super::schema_arg::SchemaArgs;
use super::{write_stdout, Format};
use iotp2p_codegen::diagnostics::printable::{json_safe, printable};

/// Arguments of `iotp2p decode`.
#[derive(Args, Debug)]
pub(crate) struct DecodeArgs {
    /// The type: a fully-qualified name (`iotp2p.core.Envelope`) or a type expression (`array<u16, 4>`).
    #[arg(value_name = "TYPE")]
    type_name: String,
    /// The encoding as hex, in one or several words (`a1 04 ...`). Omit it with --file.
    #[arg(value_name = "HEX", required_unless_present = "file", conflicts_with = "file", num_args = 1..)]
    hex: Vec<String>,
    /// Read the encoding from a file of raw bytes (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Show every byte range with what it means, instead of JSON.
    /// On a rejected input, the annotation stops at the failing byte.
    #[arg(long)]
    annotate: bool,
    /// How a rejected input is reported: rustc-style text on standard error, or one JSON document
    /// (`class`, `offset`, `length`, `type`, `path`, `expected`) on standard output.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    schema: SchemaArgs,
}

pub(crate) fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = digits.strip_prefix("0x").unwrap_or(&digits);
    if digits.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&digits[i..i + 2], 16)
                .map_err(|_| format!("`{}` at character {i} is not hex", &digits[i..i + 2]))
        })
        .collect()
}

fn read_input(args: &DecodeArgs) -> Result<Vec<u8>, String> {
    match (args.hex.is_empty(), &args.file) {
        (false, _) => parse_hex(&args.hex.join(" ")),
        (true, Some(path)) if path.as_os_str() == "-" => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                .map_err(|e| e.to_string())?;
            Ok(buf)
        }
        (true, Some(path)) => {
            std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
        }
        (true, None) => Err("give the bytes as hex or with --file".into()),
    }
}

pub(crate) fn run(args: &DecodeArgs) -> ExitCode {
    let (loaded, ty) = match super::schema_arg::load_type(&args.schema, &args.type_name) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let schema = loaded.schema();
    let bytes = match read_input(args) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match reflect::decode(schema, &ty, &bytes) {
        Ok(decoded) if args.annotate => {
            write_stdout(&hexdump::annotated(&bytes, &decoded.annotations));
            ExitCode::SUCCESS
        }
        Ok(decoded) => {
            let json = reflect::to_json(schema, &ty, &decoded.value);
            // serde_json escapes C0 controls but not C1 or bidirectional controls.
            write_stdout(&format!(
                "{}\n",
                json_safe(serde_json::to_string_pretty(&json).expect("JSON serialises"))
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(args, &ty, &bytes, &e);
            ExitCode::from(1)
        }
    }
}

/// The name the path of a rejection starts from: a defined type's own name (`Envelope`), or the type
/// expression as given.
fn root_name<'a>(ty: &'a Type, given: &'a str) -> &'a str {
    match ty {
        Type::Message { name }
        | Type::Union { name }
        | Type::Enum { name }
        | Type::Alias { name, .. } => name.rsplit('.').next().unwrap_or(name),
        _ => given,
    }
}

/// Where the decoder was and what it expected, e.g. `Envelope.body: expected a map (message `Body`)`.
fn location(e: &Rejected<'_>, root: &str) -> String {
    match e.expected {
        Expected::End => format!("expected {}", e.expected),
        _ => format!("{}: expected {}", e.path_from(root), e.expected),
    }
}

fn report(args: &DecodeArgs, ty: &Type, bytes: &[u8], e: &Rejected<'_>) {
    let root = root_name(ty, &args.type_name);
    let path = e.path_from(root);
    let expected = e.expected.to_string();
    let label = printable(&location(e, root)).into_owned();
    if args.format == Format::Json {
        let json = serde_json::json!({
            "class": e.class.name(),
            "offset": e.offset,
            "length": bytes.len(),
            "type": args.type_name,
            "path": path,
            "expected": expected,
        });
        write_stdout(&format!(
            "{}\n",
            json_safe(serde_json::to_string_pretty(&json).expect("JSON serialises"))
        ));
    }
    if args.annotate {
        let text = format!("error[{}] at byte {}: {label}", e.class.name(), e.offset);
        write_stdout(&hexdump::annotated_failure(
            bytes,
            &e.annotations,
            e.offset,
            e.path.len(),
            &text,
        ));
    }
    if args.format == Format::Human {
        eprintln!(
            "error[{}]: {} bytes of `{}` rejected at byte {}\n{}",
            e.class.name(),
            bytes.len(),
            printable(&args.type_name),
            e.offset,
            hexdump::pointer(bytes, e.offset, &label)
        );
        eprintln!("  = note: {}", explain(e.class));
    }
}

/// The spec's one-line definition of each class (spec/04-wire-format.md §4.17).
fn explain(class: iotp2p_codec::runtime::ErrorClass) -> &'static str {
    use iotp2p_codec::runtime::ErrorClass::*;
    match class {
        Truncated => "the input ends inside a head or inside the content a head announces",
        TrailingBytes => "bytes remain after the top-level item",
        InvalidHead => "a reserved additional-information value (28-30, or 31 with major type 0, 1 or 6)",
        IndefiniteLength => "indefinite-length items are not part of the profile",
        NonCanonicalInteger => "an integer, length or count is not in its shortest form",
        NonCanonicalFloat => "a float is not in its shortest exact form, or is a NaN other than f9 7e 00",
        ForbiddenItem => "tags and simple values other than false, true and null are not part of the profile",
        InvalidUtf8 => "a text string is not well-formed UTF-8",
        WrongType => "the data item's kind does not match the schema's type",
        UnsortedKeys => "map keys must be in strictly ascending order",
        DuplicateKey => "a map key appears twice",
        InvalidUnion => "a union is a map with exactly one entry",
        BoundExceeded => "a string, byte string or array is longer than its bound (or fixed bytes have another length)",
        OutOfRange => "a number is outside its type or @range (or a key above 65535, or a double where an f32 is expected)",
        DepthExceeded => "nesting is deeper than 16 levels or a type's @max_depth",
        MissingField => "a required field has no entry",
        DefaultValuePresent => "a field equal to its default must be omitted",
        _ => "see spec/04-wire-format.md §4.17",
    }
}
