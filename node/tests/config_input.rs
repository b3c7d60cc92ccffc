//! Configuration files are written by people and by tools, and any of them can be wrong. Every
//! relay, device and app file here, cut short anywhere, with characters changed, inserted or
//! removed, or with a line repeated or dropped, and arbitrary text too, must either read or be
//! refused with a `ConfigError`. The error's line and column must lie within the file, and its
//! message must show no raw control character (what it quotes from the file is escaped). No input
//! may cause a panic.

mod common;
#[path = "../examples/pki/mod.rs"]
mod pki;

use std::path::Path;
use std::sync::OnceLock;

use common::{hex, Keys, TempDir};
use iotp2p_node::app::AppFile;
use iotp2p_node::config::ConfigError;
use iotp2p_node::device::DeviceFile;
use iotp2p_node::relay::RelayFile;
use proptest::prelude::*;

/// A relay's file with every table: routes, resolution, DTLS (its files written into `dir`),
/// identity, credentials, an account and limits.
fn relay_text(dir: &Path) -> String {
    let (relay, node) = (Keys::new(1, 2, 3), Keys::new(4, 5, 6));
    static CA: OnceLock<pki::TestCa> = OnceLock::new();
    let ca = CA.get_or_init(|| pki::TestCa::new("config CA"));
    let dtls = ca.dtls_table(dir, "relay1.home.example.org");
    format!(
        "domain = \"home.example.org\"\nbind = \"127.0.0.1:5783\"\nstore = \"relay.sqlite\"\n\
         addresses = [\"lamp@home.example.org\"]\nhost = \"relay1.home.example.org\"\n\
         name_server = \"127.0.0.1:5353\"\nresolve = [\"lamps.example.org\"]\n\
         statement = \"{}\"\n\n{dtls}\n[routes]\n\"example.net\" = \"relay1.example.net@127.0.0.1:5784\"\n\n\
         [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
         [credentials]\n\"lamp@home.example.org\" = \"{}\"\n\n\
         [accounts.\"Smith household\"]\ndomains = [\"home.example.org\"]\nmax_registrations = 4\n\
         tokens = [\"{}\"]\ntoken_lifetime = 3600\n\n\
         [limits]\nmax_held_messages = 16\nmax_held_bytes = 4096\nmax_hold_time = 86400\n\
         rate_per_second = 4\nrate_burst = 32\n",
        hex(&relay.statement("_relay@home.example.org")),
        hex(&relay.auth),
        hex(&relay.ccs),
        hex(&node.ccs),
        hex(&[0x77; 16]),
    )
}

/// A provisioned sensor's file, and a lamp's out of its box with local discovery.
fn device_texts() -> [String; 2] {
    let (device, relay, app) = (
        Keys::new(7, 8, 9),
        Keys::new(1, 2, 3),
        Keys::new(10, 11, 12),
    );
    [
        format!(
            "address = \"sensor@home.example.org\"\nbind = \"127.0.0.1:5790\"\n\
             home_relay = \"127.0.0.1:5783\"\nrelay_credential = \"{}\"\nsleep_interval = 300\n\
             presence_interval = 300\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
             [peers]\n\"app@example.net\" = \"{}\"\n\n\
             [info]\nvendor = \"iotp2p\"\nproduct = \"Reference Sensor\"\nname = \"hall\"\n",
            hex(&relay.ccs),
            hex(&device.auth),
            hex(&device.ccs),
            hex(&app.ccs),
        ),
        format!(
            "bind = \"127.0.0.1:5791\"\n\n[factory]\nidentity_key = \"{}\"\npasscode = 20202021\n\
             salt = \"{}\"\niterations = 1000\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
             [discovery]\nbind = \"127.0.0.1:5353\"\ninstance = \"Kitchen ceiling\"\n\
             host = \"lamp\"\ndiscriminator = 742\nadvertise_address = false\n",
            hex(&[0x32; 32]),
            hex(&[0x5a; 16]),
            hex(&device.auth),
            hex(&device.ccs),
        ),
    ]
}

/// An app's file.
fn app_text() -> String {
    // Its identity key is the one `Keys::new(10, ..)` derives its node ID from.
    let (app, relay) = (Keys::new(10, 11, 12), Keys::new(1, 2, 3));
    format!(
        "address = \"app@home.example.org\"\nbind = \"127.0.0.1:5795\"\n\
         home_relay = \"127.0.0.1:5783\"\nrelay_credential = \"{}\"\nidentity_key = \"{}\"\n\
         reply_timeout = 30\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n",
        hex(&relay.ccs),
        hex(&[10; 32]),
        hex(&app.auth),
        hex(&app.ccs),
    )
}

/// One change to a file's text.
#[derive(Clone, Debug)]
enum Change {
    /// Cut at this fraction of its length (in thousandths).
    Cut(u16),
    /// The character at this fraction replaced by `char`.
    Replace(u16, char),
    /// `text` inserted at this fraction.
    Insert(u16, String),
    /// The characters from this fraction on, `len` of them, removed.
    Remove(u16, u8),
    /// The line at this fraction repeated.
    RepeatLine(u16),
    /// The line at this fraction dropped.
    DropLine(u16),
}

fn change() -> impl Strategy<Value = Change> {
    let at = 0u16..1000;
    // Characters that matter to TOML, and control characters, quotes and non-ASCII.
    let special = prop::sample::select(vec![
        '"', '\'', '=', '[', ']', '{', '}', ',', '.', '#', '\\', '\n', '\r', '\t', '\0', '\u{1b}',
        '\u{7f}', '\u{202e}', 'é', '0', '-', '+', '_', ' ',
    ]);
    prop_oneof![
        at.clone().prop_map(Change::Cut),
        (at.clone(), prop_oneof![special, any::<char>()]).prop_map(|(a, c)| Change::Replace(a, c)),
        (at.clone(), "(\\PC|[\"\\[\\]={}\\\\\n\u{0}\u{1b}]){1,12}")
            .prop_map(|(a, s)| Change::Insert(a, s)),
        (at.clone(), 1u8..40).prop_map(|(a, n)| Change::Remove(a, n)),
        at.clone().prop_map(Change::RepeatLine),
        at.prop_map(Change::DropLine),
    ]
}

/// The character index at `at` thousandths of `text`, on a character boundary.
fn index(text: &str, at: u16) -> usize {
    let chars = text.chars().count();
    let n = chars * usize::from(at) / 1000;
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

fn apply(text: &str, change: &Change) -> String {
    let mut t = text.to_owned();
    match change {
        Change::Cut(at) => t.truncate(index(text, *at)),
        Change::Replace(at, c) => {
            let i = index(text, *at);
            if let Some(old) = t[i..].chars().next() {
                t.replace_range(i..i + old.len_utf8(), &c.to_string());
            }
        }
        Change::Insert(at, s) => t.insert_str(index(text, *at), s),
        Change::Remove(at, n) => {
            let i = index(text, *at);
            let end = t[i..]
                .char_indices()
                .nth(usize::from(*n))
                .map_or(t.len(), |(j, _)| i + j);
            t.replace_range(i..end, "");
        }
        Change::RepeatLine(at) | Change::DropLine(at) => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let i = (lines.len() * usize::from(*at) / 1000).min(lines.len() - 1);
            if matches!(change, Change::RepeatLine(_)) {
                lines.insert(i, lines[i]);
            } else {
                lines.remove(i);
            }
            t = lines.join("\n");
        }
    }
    t
}

/// What must hold of the error a file's `text` was refused with.
fn check(e: &ConfigError, name: &str, text: &str) {
    let lines = text.split('\n').count();
    assert_eq!(e.path, name);
    assert!(
        (1..=lines).contains(&e.line),
        "line {} of a file of {lines}: {e}",
        e.line
    );
    let line = text.split('\n').nth(e.line - 1).unwrap_or("");
    assert!(
        (1..=line.chars().count() + 1).contains(&e.column),
        "column {} of a line of {} characters: {e}",
        e.column,
        line.chars().count()
    );
    let shown = e.to_string();
    assert!(
        !shown.chars().any(|c| c.is_control()),
        "a raw control character in {shown:?}"
    );
    assert!(!e.what.is_empty() && !e.why.is_empty(), "{e:?}");
}

/// Reads `text` as the kind of file `kind` names (0 relay, 1 device, 2 app), checking any error.
fn read(kind: u8, text: &str, dir: &Path) {
    match kind {
        0 => {
            if let Err(e) = RelayFile::parse("relay.toml", text, dir) {
                check(&e, "relay.toml", text);
            }
        }
        1 => {
            if let Err(e) = DeviceFile::parse("device.toml", text) {
                check(&e, "device.toml", text);
            }
        }
        _ => {
            if let Err(e) = AppFile::parse("app.toml", text) {
                check(&e, "app.toml", text);
            }
        }
    }
}

#[test]
fn the_files_as_written_read() {
    let dir = TempDir::new("config-input");
    RelayFile::parse("relay.toml", &relay_text(&dir.0), &dir.0).unwrap();
    for text in device_texts() {
        DeviceFile::parse("device.toml", &text).unwrap();
    }
    AppFile::parse("app.toml", &app_text()).unwrap();
}

#[test]
fn what_an_error_quotes_of_the_file_is_escaped() {
    let dir = TempDir::new("config-input-escaped");
    // TOML's escapes put raw control characters in a value: an escape sequence that clears a
    // terminal, in an address.
    let text = relay_text(&dir.0).replace(
        "addresses = [\"lamp@home.example.org\"]",
        "addresses = [\"lamp\\u001b[2J@home.example.org\"]",
    );
    let e = RelayFile::parse("relay.toml", &text, &dir.0).unwrap_err();
    check(&e, "relay.toml", &text);
    assert_eq!(e.line, 4, "{e}");
    assert!(e.to_string().contains("\\u{1b}[2J"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn changed_files_read_or_are_refused_with_a_located_error(
        file in 0usize..4,
        changes in prop::collection::vec(change(), 1..4),
    ) {
        let dir = TempDir::new("config-input-changed");
        let [sensor, lamp] = device_texts();
        let (kind, text) = match file {
            0 => (0, relay_text(&dir.0)),
            1 => (1, sensor),
            2 => (1, lamp),
            _ => (2, app_text()),
        };
        let text = changes.iter().fold(text, |t, c| apply(&t, c));
        read(kind, &text, &dir.0);
    }

    #[test]
    fn arbitrary_text_is_refused_with_a_located_error(kind in 0u8..3, text in "\\PC{0,200}|(\\PC|\n|\u{0}|\u{1b}|\r){0,200}") {
        let dir = TempDir::new("config-input-arbitrary");
        read(kind, &text, &dir.0);
    }
}
