//! A deliberately wrong testee, for the runner's own tests (`tests/runner.rs`): it answers like the
//! Rust reference except for the misbehaviour chosen by its first argument.
//!
//! - `accept-all`: accepts every input, answering a rejected one with its own bytes and `{}`;
//! - `flip-byte`: flips every bit of the last byte of each accepted output;
//! - `crash-on HEX`: panics (exits) on an input that starts with the bytes HEX;
//! - `hang-on HEX`: stops answering on an input that starts with the bytes HEX;
//! - `reference`: no misbehaviour.

use iotp2p_conformance::protocol::{Request, Response};
use iotp2p_conformance::reference;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("reference");
    let prefix = args.get(1).cloned().unwrap_or_default();
    let respond = move |request: &Request| -> Option<Response> {
        let input = match request {
            Request::Decode { hex, .. } => hex.as_str(),
            _ => "",
        };
        let mut response = reference::answer(request)?;
        match (mode, request) {
            ("accept-all", Request::Decode { id, hex, .. })
                if !matches!(response, Response::Ok { .. }) =>
            {
                response = Response::Ok {
                    id: id.clone(),
                    hex: hex.clone(),
                    json: Some(serde_json::json!({})),
                    json_text: Some("{}".into()),
                };
            }
            ("flip-byte", _) => {
                if let Response::Ok { hex, .. } = &mut response {
                    if let Some(last) = hex.len().checked_sub(2) {
                        let byte = u8::from_str_radix(&hex[last..], 16).unwrap_or(0) ^ 0xff;
                        hex.replace_range(last.., &format!("{byte:02x}"));
                    }
                }
            }
            ("crash-on", Request::Decode { .. }) if input.starts_with(&prefix) => {
                panic!("simulated crash on input {input}");
            }
            ("hang-on", Request::Decode { .. }) if input.starts_with(&prefix) => loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            },
            _ => {}
        }
        Some(response)
    };
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    if let Err(e) = reference::serve(stdin, stdout, respond) {
        eprintln!("testee-misbehaving: {e}");
        std::process::exit(1);
    }
}
