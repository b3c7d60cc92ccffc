//! The lamp over the engine: switched, dimmed, named and watched by an app.

mod common;

use common::{invoke, read, status, subscribe, values, write, Bench};
use iotp2p_codec::capabilities::owned::{SetLevel, StepLevel};
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::lamp::{Lamp, LIGHT};
use iotp2p_device::standard::number::{DEVICE_INFO, LEVEL, ON_OFF};
use iotp2p_protocol::interaction::Config;

fn bench() -> Bench<Lamp> {
    let lamp = Lamp::new(DeviceInfo::new("iotp2p", "Reference Lamp"), 10, 200);
    let model = lamp.model();
    Bench::new(lamp, model, Config::default())
}

fn set_level(level: u8, transition: Option<u16>) -> Vec<u8> {
    SetLevel {
        level,
        transition,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap()
}

fn step(delta: i16) -> Vec<u8> {
    StepLevel {
        delta,
        transition: None,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap()
}

fn ok_invoke(body: Body) {
    assert!(
        matches!(body, Body::InvokeResponse(ref r) if r.output.is_none()),
        "{body:?}"
    );
}

#[test]
fn the_app_switches_and_dims_the_lamp() {
    let mut b = bench();
    assert!(!b.device.app().light().on);
    ok_invoke(b.ask(invoke(LIGHT, ON_OFF, 9, None)));
    assert!(b.device.app().light().on);
    assert_eq!(values(&b.ask(read(LIGHT, ON_OFF, None))), [(0, vec![0xf5])]);

    ok_invoke(b.ask(invoke(LIGHT, LEVEL, 8, Some(set_level(100, Some(15))))));
    let light = b.device.app().light();
    assert_eq!((light.level, light.transition), (100, 15));
    // Clamped to the lamp's range, 10..=200.
    ok_invoke(b.ask(invoke(LIGHT, LEVEL, 9, Some(step(-200)))));
    assert_eq!(b.device.app().light().level, 10);
    ok_invoke(b.ask(invoke(LIGHT, LEVEL, 8, Some(set_level(254, None)))));
    assert_eq!(b.device.app().light().level, 200);
    assert_eq!(
        values(&b.ask(read(LIGHT, LEVEL, Some(vec![0, 1, 2])))),
        [(0, vec![0x18, 200]), (1, vec![0x0a]), (2, vec![0x18, 200])]
    );

    ok_invoke(b.ask(invoke(LIGHT, ON_OFF, 10, None)));
    assert!(!b.device.app().light().on);
}

#[test]
fn a_bad_input_is_refused_and_changes_nothing() {
    let mut b = bench();
    // 255 is not a level (LevelValue is 0..=254): {0: 255}, which the app's encoder would refuse.
    let reply = b.ask(invoke(LIGHT, LEVEL, 8, Some(vec![0xa1, 0x00, 0x18, 0xff])));
    assert_eq!(status(&reply), StatusCode::InvalidValue);
    // set_level takes an input; off takes none.
    let reply = b.ask(invoke(LIGHT, LEVEL, 8, None));
    assert_eq!(status(&reply), StatusCode::InvalidValue);
    let reply = b.ask(invoke(LIGHT, ON_OFF, 8, Some(vec![0xf5])));
    assert_eq!(status(&reply), StatusCode::InvalidValue);
    // `level` is read-only.
    let reply = b.ask(write(LIGHT, LEVEL, &[(0, vec![0x05])]));
    assert_eq!(status(&reply), StatusCode::UnsupportedOperation);
    assert_eq!(b.device.app().light().level, 200);
}

#[test]
fn the_owner_names_the_lamp() {
    let mut b = bench();
    let name = b"\x67kitchen".to_vec();
    assert_eq!(
        status(&b.ask(write(0, DEVICE_INFO, &[(2, name.clone())]))),
        StatusCode::Ok
    );
    assert_eq!(b.device.app().info.name, "kitchen");
    assert_eq!(
        values(&b.ask(read(0, DEVICE_INFO, Some(vec![2])))),
        [(2, name)]
    );
    // 33 bytes: longer than string<32>.
    let mut long = vec![0x78, 33];
    long.extend([b'a'; 33]);
    let reply = b.ask(write(0, DEVICE_INFO, &[(2, long)]));
    assert_eq!(status(&reply), StatusCode::InvalidValue);
    assert_eq!(b.device.app().info.name, "kitchen");
}

#[test]
fn a_subscriber_hears_of_the_wall_switch_and_of_other_apps() {
    let mut b = bench();
    let first = b.ask(subscribe(LIGHT, ON_OFF, 60));
    assert_eq!(values(&first), [(0, vec![0xf4])]);

    // Someone presses the wall switch: the subscriber hears the new value.
    b.device.app_mut().toggle();
    b.poll();
    let (_, report) = b.replies.pop().expect("a report");
    assert_eq!(values(&report), [(0, vec![0xf5])]);

    // An invoke changes it too.
    ok_invoke(b.ask(invoke(LIGHT, ON_OFF, 8, None)));
    let (_, report) = b.replies.pop().expect("a report after the invoke");
    assert_eq!(values(&report), [(0, vec![0xf4])]);
    assert!(b.replies.is_empty());

    // Nothing changes for max_interval: a keep-alive without values.
    b.advance(61_000);
    let (_, keep_alive) = b.replies.pop().expect("a keep-alive");
    assert_eq!(values(&keep_alive), []);
}

#[test]
fn the_description_lists_what_the_lamp_serves() {
    let mut b = bench();
    let reply = b.ask(Body::Describe(iotp2p_codec::core::owned::DescribeRequest {
        endpoint: None,
        endpoints_only: false,
        unknown_fields: Default::default(),
    }));
    let Body::Description(d) = reply else {
        panic!("{reply:?}")
    };
    let caps: Vec<(u16, Vec<u16>)> = d
        .endpoints
        .iter()
        .map(|e| (e.endpoint, e.capabilities.iter().map(|c| c.id).collect()))
        .collect();
    assert_eq!(caps, [(0, vec![DEVICE_INFO]), (LIGHT, vec![ON_OFF, LEVEL])]);
}
