//! The sleeping sensor over the engine: measurements and battery reported to a subscriber, at
//! intervals no shorter than the sensor's sleep.

mod common;

use common::{read, subscribe, values, Bench};
use iotp2p_codec::core::owned::Body;
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::sensor::{Sensor, THERMOMETER};
use iotp2p_device::standard::number::{BATTERY, TEMPERATURE_MEASUREMENT};

/// The sensor sleeps 300 s between measurements.
const SLEEP: u32 = 300;

fn bench() -> Bench<Sensor> {
    let sensor = Sensor::new(
        DeviceInfo::new("iotp2p", "Reference Thermometer"),
        (-4000, 8500),
        50,
    );
    let model = sensor.model();
    Bench::new(sensor, model, Sensor::interaction_config(SLEEP))
}

fn granted_max_interval(body: &Body) -> Option<u32> {
    match body {
        Body::Report(r) => r.max_interval,
        other => panic!("not a report: {other:?}"),
    }
}

#[test]
fn a_subscriber_is_granted_at_least_the_sleep_interval_and_hears_each_measurement() {
    let mut b = bench();
    let first = b.ask(subscribe(THERMOMETER, TEMPERATURE_MEASUREMENT, 60));
    assert_eq!(granted_max_interval(&first), Some(SLEEP));

    // A wake: 21.5 °C measured, reported before the sensor sleeps again.
    b.device.app_mut().measured(2150);
    b.poll();
    let (_, report) = b.replies.pop().expect("a report");
    assert_eq!(values(&report), [(0, vec![0x19, 0x08, 0x66])]);

    // The same value again: nothing to report.
    b.device.app_mut().measured(2150);
    b.poll();
    assert!(b.replies.is_empty());

    // Out of range: kept at the sensor's limit (-40.00 °C).
    b.device.app_mut().measured(-27000);
    b.poll();
    let (_, report) = b.replies.pop().expect("a report");
    assert_eq!(values(&report), [(0, vec![0x39, 0x0f, 0x9f])]);
}

#[test]
fn a_low_battery_is_a_property_change_and_an_event() {
    let mut b = bench();
    b.ask(subscribe(0, BATTERY, SLEEP));
    b.device.app_mut().battery(50);
    b.poll();
    let (_, report) = b.replies.pop().expect("a report");
    assert_eq!(values(&report), [(0, vec![0x18, 50])]);
    let Body::Report(r) = &report else {
        unreachable!()
    };
    assert!(r.events.is_none(), "still Ok: no event");

    b.device.app_mut().battery(19);
    b.poll();
    let (_, report) = b.replies.pop().expect("a report");
    assert_eq!(values(&report), [(0, vec![0x13]), (1, vec![0x01])]);
    let Body::Report(r) = &report else {
        unreachable!()
    };
    let events = r.events.clone().expect("state_changed");
    assert_eq!(
        (events[0].member, events[0].data.clone()),
        (16, Some(vec![0x01]))
    );
}

#[test]
fn the_range_and_tolerance_are_readable() {
    let mut b = bench();
    assert_eq!(
        values(&b.ask(read(THERMOMETER, TEMPERATURE_MEASUREMENT, None))),
        [
            (0, vec![0x00]),
            (1, vec![0x39, 0x0f, 0x9f]),
            (2, vec![0x19, 0x21, 0x34]),
            (3, vec![0x18, 0x32]),
        ]
    );
}
