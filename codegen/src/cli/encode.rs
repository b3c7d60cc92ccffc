//! `iotp2p encode`: canonical JSON of a schema type → its canonical encoding, as hex.

use std::process::ExitCode;

use clap::Args;

use iotp2p_codegen::reflect;

use super::schema_arg::SchemaArgs;
use super::write_stdout;

/// Arguments of `iotp2p encode`.
#[derive(Args, Debug)]
pub(crate) struct EncodeArgs {
    /// The type: a fully-qualified name (`iotp2p.core.Envelope`) or a type expression (`array<u16, 4>`).
    #[arg(value_name = "TYPE")]
    type_name: String,
    /// The value in the canonical JSON mapping (spec/04-wire-format.md §4.18); `-` reads standard input.
    #[arg(value_name = "JSON")]
    json: String,
    #[command(flatten)]
    schema: SchemaArgs,
}

pub(crate) fn run(args: &EncodeArgs) -> ExitCode {
    let (loaded, ty) = match super::schema_arg::load_type(&args.schema, &args.type_name) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let schema = loaded.schema();
    let text = if args.json == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            eprintln!("error: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        args.json.clone()
    };
    let json = match reflect::parse_json_text(&text) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: the value is not JSON: {e}");
            return ExitCode::from(1);
        }
    };
    let value = match reflect::from_json(schema, &ty, &json) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: the JSON is not a `{}`: {e}", args.type_name);
            return ExitCode::from(1);
        }
    };
    match reflect::encode(schema, &ty, &value) {
        Ok(bytes) => {
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            write_stdout(&format!("{}\n", hex.join(" ")));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: the value does not fit `{}`: {e}", args.type_name);
            ExitCode::from(1)
        }
    }
}
