//! The `iotp2p-node` binary end to end: `dns` serves the test zones on loopback, `resolve` finds a
//! domain's relays through it, a relay, a lamp out of its box and an app claim and switch it, and
//! errors come out as one line that says what to fix, with exit 1.

mod common;

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

    // With a DNSSEC trust anchor, the unsigned zone is refused (tests/dnssec.rs has the signed).
    let anchor = std::env::temp_dir().join(format!("iotp2p-cli-anchor-{}.key", std::process::id()));
    let key = iotp2p_node::dns::ZoneKey::generate().unwrap();
    std::fs::write(&anchor, key.dnskey("home.example.org")).unwrap();
    let out = Command::new(BIN)
        .args(["resolve", "home.example.org", "--name-server", &addr])
        .arg("--trust-anchor")
        .arg(&anchor)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&anchor);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("DNSSEC-bogus"), "{stderr}");
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

fn temp_dir(name: &str) -> common::TempDir {
    common::TempDir::new(&format!("cli-{name}"))
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

/// The first line a spawned node prints, the word after "on" its address.
fn listening(child: &mut Child) -> (std::net::SocketAddr, BufReader<std::process::ChildStdout>) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "on")
        .unwrap_or_else(|| panic!("{line:?}"));
    let addr = words[at + 1].trim_end_matches(',').parse().unwrap();
    (addr, out)
}

#[test]
fn an_app_claims_a_lamp_out_of_its_box_and_switches_it_with_the_three_binaries() {
    use common::{hex, Keys};
    const LAMP: &str = "lamp@home.example.org";
    const APP: &str = "app@home.example.org";
    let dir = temp_dir("claim");
    let (relay_keys, lamp_keys, app_keys) = (
        Keys::new(0x31, 0x21, 1),
        Keys::new(0x32, 0x42, 2),
        Keys::new(0x33, 0x63, 3),
    );
    let relay_config = dir.0.join("relay.toml");
    std::fs::write(
        &relay_config,
        format!(
            "domain = \"home.example.org\"\nbind = \"127.0.0.1:0\"\nstore = \"relay.sqlite\"\n\
             addresses = [\"{LAMP}\", \"{APP}\"]\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
             [credentials]\n\"{LAMP}\" = \"{}\"\n\"{APP}\" = \"{}\"\n\n\
             [accounts.\"Smith household\"]\ndomains = [\"home.example.org\"]\n\
             max_registrations = 4\ntokens = [\"{}\"]\n",
            hex(&relay_keys.auth),
            hex(&relay_keys.ccs),
            hex(&lamp_keys.ccs),
            hex(&app_keys.ccs),
            hex(&[0x4b; 16]),
        ),
    )
    .unwrap();
    // `--for` bounds each node's life even if this test is killed before it can kill them.
    let mut relay = Killed(
        Command::new(BIN)
            .args(["relay", "--for", "60", "--config"])
            .arg(&relay_config)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (relay_at, _relay_out) = listening(&mut relay.0);

    let lamp_config = dir.0.join("lamp.toml");
    std::fs::write(
        &lamp_config,
        format!(
            "bind = \"127.0.0.1:0\"\n\n[factory]\nidentity_key = \"{}\"\npasscode = 20202021\n\n\
             [identity]\nkey = \"{}\"\ncredential = \"{}\"\n",
            hex(&[0x32; 32]),
            hex(&lamp_keys.auth),
            hex(&lamp_keys.ccs),
        ),
    )
    .unwrap();
    let mut lamp = Killed(
        Command::new(BIN)
            .args(["device", "--profile", "lamp", "--for", "60", "--config"])
            .arg(&lamp_config)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (lamp_at, mut lamp_out) = listening(&mut lamp.0);

    let app_config = dir.0.join("app.toml");
    let app_text = format!(
        "address = \"{APP}\"\nbind = \"127.0.0.1:0\"\nhome_relay = \"{relay_at}\"\n\
         relay_credential = \"{}\"\nidentity_key = \"{}\"\n\n[identity]\nkey = \"{}\"\n\
         credential = \"{}\"\n",
        hex(&relay_keys.ccs),
        hex(&[0x33; 32]),
        hex(&app_keys.auth),
        hex(&app_keys.ccs),
    );
    std::fs::write(&app_config, &app_text).unwrap();
    let out = Command::new(BIN)
        .args(["app", "--config"])
        .arg(&app_config)
        .args([
            "claim",
            "--device",
            &lamp_at.to_string(),
            "--passcode",
            "20202021",
        ])
        .args([
            "--address",
            LAMP,
            "--relay-uri",
            &format!("iotp2p+udp://{relay_at}"),
        ])
        .args([
            "--relay-statement",
            &hex(&relay_keys.statement("_relay@home.example.org")),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with(&format!("claimed {LAMP}: node ID ")));
    // The line for the [devices] table, which the next run reads.
    let device_line = lines.next().unwrap();
    std::fs::write(
        &app_config,
        format!("{app_text}\n[devices]\n{device_line}\n"),
    )
    .unwrap();
    // The lamp's credential statement, which the app registers at the relay once enrolled.
    let statement = lines
        .next()
        .unwrap()
        .strip_prefix("statement ")
        .unwrap()
        .to_owned();
    let app_run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(["app", "--config"])
            .arg(&app_config)
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let enrolled = app_run(&["enrol", "--token", &hex(&[0x4b; 16])]);
    assert!(
        enrolled.starts_with("enrolled in \"Smith household\""),
        "{enrolled}"
    );
    assert_eq!(
        app_run(&["lookup", "--address", LAMP]).trim(),
        format!("{LAMP} is bound to no node")
    );
    assert_eq!(
        app_run(&["register", "--statement", &statement]).trim(),
        "registered"
    );
    assert_eq!(
        app_run(&["lookup", "--address", LAMP]).trim(),
        format!("credential statement {statement}")
    );

    let out = Command::new(BIN)
        .args(["app", "--config"])
        .arg(&app_config)
        .args([
            "invoke",
            "--to",
            LAMP,
            "--endpoint",
            "1",
            "--capability",
            "6",
            "--action",
            "9",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "done");
    let out = Command::new(BIN)
        .args(["app", "--json", "--config"])
        .arg(&app_config)
        .args(["read", "--to", LAMP, "--endpoint", "1", "--capability", "6"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["report"]["values"][0]["value"], "f5", "{reply}");

    // The lamp says what it does, once claimed and switched.
    let mut seen = Vec::new();
    for line in (&mut lamp_out).lines().take(4) {
        let line = line.unwrap();
        let on = line.starts_with("light: on");
        seen.push(line);
        if on {
            return;
        }
    }
    panic!("the lamp never said it was on: {seen:?}");
}
