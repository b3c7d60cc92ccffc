//! The layering ARCHITECTURE.md states for the protocol crate, checked on its sources: the engine is
//! sans-I/O (no sockets, clocks, threads or ambient randomness anywhere in `src/`), and neither the end
//! node's engine nor the relay's knows the interaction model or the server that joins it to the engine
//! (requests leave them as events).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `path` that are code, not comments.
fn code(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .expect("a source file")
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(n, l)| (n + 1, l.to_string()))
        .collect()
}

fn offenders(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    assert!(!files.is_empty(), "no sources under {dir}");
    let mut found = Vec::new();
    for file in files {
        for (n, line) in code(&file) {
            for word in forbidden {
                if line.contains(word) {
                    found.push(format!("{}:{n}: `{word}` in {line}", file.display()));
                }
            }
        }
    }
    found
}

#[test]
fn the_engine_is_sans_io() {
    let found = offenders(
        "src",
        &[
            "std::net",
            "std::time",
            "std::thread",
            "std::fs",
            "SystemTime",
            "Instant::now",
            "OsRng",
            "thread_rng",
            "getrandom",
            "tokio",
        ],
    );
    assert!(
        found.is_empty(),
        "I/O, clocks or ambient randomness:\n{}",
        found.join("\n")
    );
}

#[test]
fn neither_the_end_node_nor_the_relay_knows_the_interaction_model() {
    let forbidden = ["interaction::", "Dispatcher", "server::"];
    let mut found = offenders("src/engine", &forbidden);
    found.extend(offenders("src/relay", &forbidden));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_message_and_security_layers_do_not_know_the_engine() {
    let mut found = offenders("src/message", &["crate::engine", "crate::interaction"]);
    found.extend(offenders(
        "src/security",
        &["crate::engine", "crate::interaction"],
    ));
    assert!(found.is_empty(), "{}", found.join("\n"));
}
