//! `iotp2p decode`: bytes of a schema type → canonical JSON, or an annotated hex dump.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use iotp2p_codegen::reflect;

use super::hexdump;
use super::schema_arg::SchemaArgs;
use super::write_stdout;
use iotp2p_codegen::diagnostics::printable::json_safe;

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
    #[arg(long)]
    annotate: bool,
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
            eprintln!(
                "error[{}]: {} bytes of `{}` rejected at byte {}\n{}",
                e.class.name(),
                bytes.len(),
                args.type_name,
                e.offset,
                hexdump::pointer(&bytes, e.offset)
            );
            eprintln!("  = note: {}", explain(e.class));
            ExitCode::from(1)
        }
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
