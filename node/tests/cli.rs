//! The `iotp2p-node` binary end to end: `dns` serves the test zones on loopback, `resolve` finds a
//! domain's relays through it, and errors come out as one line that says what to fix, with exit 1.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_iotp2p-node");

/// A child process that is killed when the test ends, whether it passes or fails.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn zone(domain: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/zones");
    format!("{domain}={}", dir.join(format!("{domain}.zone")).display())
}

#[test]
fn dns_serves_and_resolve_finds_the_relays() {
    // `--for` bounds the server's life even if this test is killed before it can kill it.
    let mut dns = Killed(
        Command::new(BIN)
            .args(["dns", "--for", "60", "--zone"])
            .arg(zone("home.example.org"))
            .arg("--zone")
            .arg(zone("provider.example.net"))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(dns.0.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("dns listening on ")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_owned();

    let out = Command::new(BIN)
        .args(["resolve", "home.example.org", "--name-server", &addr])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("relay relay1.provider.example.net (priority 10, weight 60, port 5783)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("relay node ID ssccfdng3ihje7bir5mmdvgomdxnlguuesioexgxzh5rwfljixoq"),
        "{stdout}"
    );

    let out = Command::new(BIN)
        .args([
            "resolve",
            "missing.home.example.org",
            "--name-server",
            &addr,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.starts_with("error: ") && stderr.contains("NXDOMAIN"),
        "{stderr}"
    );
    drop(dns);
}

#[test]
fn nonsense_impairments_are_refused() {
    let out = Command::new(BIN)
        .args([
            "link",
            "--a",
            "127.0.0.1:1",
            "--b",
            "127.0.0.1:2",
            "--loss",
            "1.5",
            "--for",
            "1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("loss probability must be from 0 to 1"),
        "{stderr}"
    );
}
