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

/// A directory removed when the test ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("iotp2p-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

#[test]
fn relay_runs_from_its_configuration_and_refuses_a_stranger() {
    use iotp2p_codec::core::{Body, Envelope, StatusCode};
    use iotp2p_codec::prelude::*;
    use iotp2p_protocol::engine::{Config, Destination, Node, Output};

    let dir = temp_dir("relay");
    let config = dir.0.join("relay.toml");
    std::fs::write(
        &config,
        "domain = \"home.example.org\"\nbind = \"127.0.0.1:0\"\nstore = \"relay.sqlite\"\n\
         addresses = [\"sensor@home.example.org\"]\n",
    )
    .unwrap();
    // `--for` bounds the relay's life even if this test is killed before it can kill it.
    let mut relay = Killed(
        Command::new(BIN)
            .args(["relay", "--for", "60", "--config"])
            .arg(&config)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(relay.0.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .split_whitespace()
        .nth(5)
        .unwrap_or_else(|| panic!("{line:?}"))
        .parse()
        .unwrap();
    assert!(dir.0.join("relay.sqlite").exists(), "the store is created");

    // A stranger's request for the relay's sensor: `NoRoute`, back to it (spec IOTP-DLV-77).
    let mut stranger: Node<std::net::SocketAddr> = Node::new(
        Config {
            address: Some("x@example.org".into()),
            ..Config::default()
        },
        0,
    );
    let read = iotp2p_codec::core::owned::Body::Read(iotp2p_codec::core::owned::ReadRequest {
        endpoint: 1,
        capability: 6,
        members: None,
        unknown_fields: Default::default(),
    });
    let (id, out) = stranger
        .request(
            0,
            &mut rand_core::OsRng,
            addr,
            Destination::Address("sensor@home.example.org".into()),
            None,
            &read,
            false,
            None,
        )
        .unwrap();
    let Some(Output::Send { bytes, .. }) = out.into_iter().next() else {
        panic!("a datagram")
    };
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    socket.send_to(&bytes, addr).unwrap();
    let mut buf = [0u8; 1500];
    let (n, from) = socket.recv_from(&mut buf).unwrap();
    assert_eq!(from, addr);
    let answer = Envelope::decode(&buf[..n]).unwrap();
    assert_eq!(answer.correlation_id, Some(id));
    match answer.body {
        Some(Body::Status(s)) => assert_eq!(s.code, StatusCode::NoRoute),
        other => panic!("not a status: {other:?}"),
    }
}

#[test]
fn relay_reports_a_bad_configuration_by_file_and_line() {
    let dir = temp_dir("relay-bad");
    let config = dir.0.join("relay.toml");
    std::fs::write(
        &config,
        "domain = \"home.example.org\"\nbind = \"localhost\"\nstore = \"relay.sqlite\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["relay", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:2:8: bind:", config.display())),
        "{stderr}"
    );
    assert!(!dir.0.join("relay.sqlite").exists(), "nothing is created");
}
