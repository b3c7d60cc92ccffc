//! Prints the codec benchmark's results as Markdown tables: the medians of
//! `cargo bench -p iotp2p-benches --bench codec` with their ratios to iotp2p, the verdict on each target
//! of the benchmark, and the encoded sizes (computed here, not measured).
//!
//! ```sh
//! cargo run -p iotp2p-benches --bin codec-table            # reads <target>/criterion
//! cargo run -p iotp2p-benches --bin codec-table -- DIR     # reads DIR (a `criterion` directory)
//! ```
//!
//! It reads every `new/benchmark.json` (for the id `<op>/<message>/<codec>`) and the `new/estimates.json`
//! beside it (`median.point_estimate`, in ns) under the directory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use iotp2p_benches::codec_data::{self, Codec, Message};

/// Medians in ns by (op, message, codec).
type Medians = BTreeMap<(String, String, String), f64>;

const DECODE: [&str; 9] = [
    "iotp2p",
    "iotp2p_read_all",
    "iotp2p_owned",
    "prost",
    "postcard_owned",
    "postcard_borrowed",
    "minicbor_borrowed",
    "ciborium",
    "serde_json",
];
const ENCODE: [&str; 7] = [
    "iotp2p",
    "iotp2p_owned",
    "prost",
    "postcard",
    "minicbor",
    "ciborium",
    "serde_json",
];

fn main() -> ExitCode {
    let dir = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
            .join("criterion"),
    };
    let mut medians = Medians::new();
    if let Err(e) = collect(&dir, &mut medians) {
        eprintln!("error: reading {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    if medians.is_empty() {
        eprintln!(
            "error: no results of the codec benchmark under {}; run \
             `cargo bench -p iotp2p-benches --bench codec` first",
            dir.display()
        );
        return ExitCode::FAILURE;
    }
    print!("{}", machine());
    println!();
    print!("{}", median_table(&medians, "decode", &DECODE));
    println!();
    print!("{}", median_table(&medians, "encode", &ENCODE));
    println!();
    print!("{}", targets(&medians));
    println!();
    println!("Encoded sizes in bytes (ratio to iotp2p):");
    println!();
    print!("{}", codec_data::size_table());
    ExitCode::SUCCESS
}

/// Walks `dir` for `new/benchmark.json` files of the codec benchmark.
fn collect(dir: &Path, medians: &mut Medians) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if let Some((key, median)) = read(&path) {
                medians.insert(key, median);
            }
        } else {
            collect(&path, medians)?;
        }
    }
    Ok(())
}

/// The id and median of one benchmark's `new` directory, if it is one of the codec benchmark's.
fn read(new: &Path) -> Option<((String, String, String), f64)> {
    let json = |name: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&std::fs::read(new.join(name)).ok()?).ok()
    };
    let id = json("benchmark.json")?["full_id"].as_str()?.to_owned();
    let mut parts = id.splitn(3, '/');
    let (op, message, codec) = (parts.next()?, parts.next()?, parts.next()?);
    if !matches!(op, "decode" | "encode") || !Message::ALL.iter().any(|m| m.name() == message) {
        return None;
    }
    let median = json("estimates.json")?["median"]["point_estimate"].as_f64()?;
    Some(((op.into(), message.into(), codec.into()), median))
}

fn get(medians: &Medians, op: &str, message: Message, codec: &str) -> Option<f64> {
    medians
        .get(&(op.into(), message.name().into(), codec.into()))
        .copied()
}

/// A duration in ns, with three significant digits.
fn time(ns: f64) -> String {
    let (v, unit) = match ns {
        ns if ns < 1e3 => (ns, "ns"),
        ns if ns < 1e6 => (ns / 1e3, "µs"),
        ns => (ns / 1e6, "ms"),
    };
    match v {
        v if v < 10.0 => format!("{v:.2} {unit}"),
        v if v < 100.0 => format!("{v:.1} {unit}"),
        v => format!("{v:.0} {unit}"),
    }
}

fn median_table(medians: &Medians, op: &str, codecs: &[&str]) -> String {
    let mut out = format!(
        "{op}: median time per message (ratio to iotp2p: how many times iotp2p's time it takes)\n\n"
    );
    out += "| message | ";
    out += &codecs.join(" | ");
    out += " |\n|---|";
    out += &"---:|".repeat(codecs.len());
    out += "\n";
    for message in Message::ALL {
        let base = get(medians, op, message, "iotp2p");
        let _ = write!(out, "| {} |", message.name());
        for codec in codecs {
            let cell = match (get(medians, op, message, codec), base) {
                (Some(t), _) if *codec == "iotp2p" => time(t),
                (Some(t), Some(base)) => format!("{} ({:.2}×)", time(t), t / base),
                (Some(t), None) => time(t),
                (None, _) => "–".into(),
            };
            let _ = write!(out, " {cell} |");
        }
        out += "\n";
    }
    out
}

/// The benchmark's targets, one row per target and message.
fn targets(medians: &Medians) -> String {
    struct Target {
        what: &'static str,
        op: &'static str,
        ours: &'static str,
        peer: &'static str,
        at_least: f64,
    }
    let rows = [
        Target {
            what: "decode ≥ 3× faster than prost",
            op: "decode",
            ours: "iotp2p",
            peer: "prost",
            at_least: 3.0,
        },
        Target {
            what: "decode ≥ 2× faster than minicbor (borrowed)",
            op: "decode",
            ours: "iotp2p",
            peer: "minicbor_borrowed",
            at_least: 2.0,
        },
        Target {
            what: "encode ≥ 2× faster than prost",
            op: "encode",
            ours: "iotp2p",
            peer: "prost",
            at_least: 2.0,
        },
        Target {
            what: "encode no slower than postcard",
            op: "encode",
            ours: "iotp2p",
            peer: "postcard",
            at_least: 1.0,
        },
        Target {
            what: "(decode + read every record ≥ 3× faster than prost)",
            op: "decode",
            ours: "iotp2p_read_all",
            peer: "prost",
            at_least: 3.0,
        },
        Target {
            what: "(decode + read every record ≥ 2× faster than minicbor)",
            op: "decode",
            ours: "iotp2p_read_all",
            peer: "minicbor_borrowed",
            at_least: 2.0,
        },
        Target {
            what: "(owned decode ≥ 3× faster than prost)",
            op: "decode",
            ours: "iotp2p_owned",
            peer: "prost",
            at_least: 3.0,
        },
    ];
    let mut out = String::from(
        "Targets (ratio = peer's median / iotp2p's; rows in parentheses are not targets of the \
         benchmark, they show the same ratio for the other ways of decoding):\n\n",
    );
    out += "| target | message | iotp2p | peer | ratio | met |\n|---|---|---:|---:|---:|---|\n";
    for t in &rows {
        for message in Message::ALL {
            let (Some(ours), Some(peer)) = (
                get(medians, t.op, message, t.ours),
                get(medians, t.op, message, t.peer),
            ) else {
                continue;
            };
            let ratio = peer / ours;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {ratio:.2}× | {} |",
                t.what,
                message.name(),
                time(ours),
                time(peer),
                if ratio >= t.at_least { "yes" } else { "**no**" }
            );
        }
    }
    for message in Message::ALL {
        let fixture = message.fixture();
        let ours = fixture.encode(Codec::Iotp2p).len();
        let proto = fixture.encode(Codec::Prost).len();
        let _ = writeln!(
            out,
            "| size no larger than protobuf's | {} | {ours} B | {proto} B | {:.2}× | {} |",
            message.name(),
            proto as f64 / ours as f64,
            if ours <= proto { "yes" } else { "**no**" }
        );
    }
    out
}

/// Date, machine and toolchain, as far as this system tells them.
fn machine() -> String {
    let run = |program: &str, args: &[&str]| -> String {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|| "?".into())
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .map_or("?", str::trim)
            .to_owned()
    };
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "Printed {} on {cpus} CPUs, \"{}\" at {} MHz; {}; load average {}\n",
        run("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        field("model name"),
        field("cpu MHz"),
        run("rustc", &["--version"]),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}
