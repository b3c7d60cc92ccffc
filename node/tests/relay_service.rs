//! The Relay capability of a UDP home relay on loopback (spec §3.6.1, §3.10): an app enrols at
//! its relay with the token the provider gave its owner, claims a lamp out of its box and
//! registers it over the wire, so that the lamp attaches by its credential; a second app looks
//! the lamp up at the relay, is granted access by the owner and switches it. The relay, stopped
//! and started again from its store, still serves the lamp and takes the token no more.

mod common;

use std::time::Duration;

use common::{app, hex, lamp_out_of_its_box, Keys, TempDir, TEST_TIMEOUT};
use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};

use iotp2p_node::relay::{RelayFile, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_protocol::relay::RelayOutput;
use iotp2p_protocol::server::acl::privilege;

const DOMAIN: &str = "home.example.org";
const SERVICE: &str = "_relay@home.example.org";
const LAMP: &str = "lamp@home.example.org";
const APP: &str = "app@home.example.org";
const APP2: &str = "app2@home.example.org";
const TOKEN: [u8; 16] = [0x4b; 16];

fn invoke(endpoint: u16, capability: u16, action: u16) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint,
        capability,
        action,
        input: None,
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// The relay: serving the two apps, with an account whose token the owner holds; the lamp is
/// not in its file, only in what its store keeps.
async fn relay(dir: &TempDir, relay: &Keys, apps: [&Keys; 2]) -> UdpRelay {
    let text = format!(
        "domain = \"{DOMAIN}\"\nbind = \"127.0.0.1:0\"\nstore = \"relay.sqlite\"\n\
         addresses = [\"{APP}\", \"{APP2}\"]\nstatement = \"{}\"\n\n[identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n\
         [credentials]\n\"{APP}\" = \"{}\"\n\"{APP2}\" = \"{}\"\n\n\
         [accounts.\"Smith household\"]\ndomains = [\"{DOMAIN}\"]\nmax_registrations = 4\n\
         tokens = [\"{}\"]\n",
        hex(&relay.statement(SERVICE)),
        hex(&relay.auth),
        hex(&relay.ccs),
        hex(&apps[0].ccs),
        hex(&apps[1].ccs),
        hex(&TOKEN),
    );
    // A statement that names another address is refused, with its line.
    let wrong = text.replace(&hex(&relay.statement(SERVICE)), &hex(&relay.statement(APP)));
    let e = RelayFile::parse("relay.toml", &wrong, &dir.0).unwrap_err();
    assert_eq!((e.line, e.what.as_str()), (5, "statement"), "{e}");
    assert!(
        e.why.contains("does not name _relay@home.example.org"),
        "{e}"
    );
    let file = RelayFile::parse("relay.toml", &text, &dir.0).unwrap();
    let store = Box::new(SqliteStore::open(&file.store).unwrap());
    UdpRelay::start(file.setup, store).await.unwrap()
}

// [IOTP-DLV-80] [IOTP-DLV-89] [IOTP-DLV-95] [IOTP-DLV-65] [IOTP-DLV-84]
#[tokio::test]
async fn an_app_enrols_registers_a_lamp_over_the_wire_and_another_looks_it_up_and_switches_it() {
    tokio::time::timeout(TEST_TIMEOUT, run()).await.unwrap();
}

async fn run() {
    let dir = TempDir::new("relay-service");
    let (relay_keys, lamp_keys) = (Keys::new(0x31, 0x21, 1), Keys::new(0x32, 0x42, 2));
    let (owner_keys, other_keys) = (Keys::new(0x33, 0x63, 3), Keys::new(0x34, 0x64, 4));
    let relay = relay(&dir, &relay_keys, [&owner_keys, &other_keys]).await;
    let at = relay.local_addr();
    let mut owner = app(APP, at, &relay_keys, &owner_keys, 0x33).await;

    // Enrolment with the owner's token; the token is spent.
    let enrolled = owner.enrol(&TOKEN).await.unwrap();
    assert_eq!(enrolled.account, "Smith household");
    assert_eq!(enrolled.domains, vec![DOMAIN.to_string()]);
    assert!(
        owner.enrol(&TOKEN).await.is_err(),
        "a token is accepted once"
    );

    // A lamp out of its box, claimed on its link and registered over the wire before it attaches.
    let mut lamp = lamp_out_of_its_box(&lamp_keys).await;
    let relay_info = RelayInfo {
        credential: SignedStatement::decode(&relay_keys.statement(SERVICE)).unwrap(),
        endpoints: vec![format!("iotp2p+udp://{at}")],
        unknown_fields: Default::default(),
    };
    let me = owner_keys.identity.node_id();
    let claimed = owner
        .claim(lamp.local_addr(), 20_202_021, LAMP, Some(relay_info), &me)
        .await
        .unwrap();
    owner.register(&claimed.statement, None).await.unwrap();
    lamp.commissioned(Duration::from_secs(20)).await.unwrap();
    let reply = owner.ask(LAMP, invoke(1, 6, 9)).await.unwrap();
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");

    // Another app looks the lamp up at its relay, is granted OnOff, and switches it.
    let mut other = app(APP2, at, &relay_keys, &other_keys, 0x34).await;
    let found = other.lookup(LAMP).await.unwrap();
    let credential = found.credential.expect("the lamp's credential statement");
    let statement = credential.encode_to_vec().unwrap();
    assert_eq!(statement, claimed.statement);
    other.know(&statement).unwrap();
    let grant = other.statement().to_vec();
    owner
        .grant(LAMP, &grant, 1, privilege::INVOKE, Some((Some(1), Some(6))))
        .await
        .unwrap();
    let reply = other.ask(LAMP, invoke(1, 6, 8)).await.unwrap();
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");

    // Stopped and started again from its store: the lamp is still served, the token still spent.
    other.stop(Duration::from_secs(5)).await.unwrap();
    owner.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
    let relay = self::relay(&dir, &relay_keys, [&owner_keys, &other_keys]).await;
    let (served, registered, token) = relay
        .with_relay(|r, now, _| {
            let served = r.registered().any(|a| a == LAMP);
            let registered = r
                .registry()
                .registration(LAMP)
                .map(|g| g.credential.clone());
            let token = r.registry().token(&TOKEN, now).is_some();
            ((served, registered, token), Vec::<RelayOutput<_>>::new())
        })
        .await
        .unwrap();
    assert!(served);
    assert_eq!(registered, Some(claimed.statement.clone()));
    assert!(!token, "a used token is not issued again after a restart");
    // The owner, attached again, is still the account's administrator: it may release the lamp.
    let mut owner = app(APP, relay.local_addr(), &relay_keys, &owner_keys, 0x33).await;
    owner.release(LAMP, None).await.unwrap();
    owner.stop(Duration::from_secs(5)).await.unwrap();
    relay.stop(Duration::from_secs(5)).await.unwrap();
}
