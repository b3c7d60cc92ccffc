//! The lock over the engine: its commands need proof of freshness, so a recorded command replayed
//! later moves nothing.

mod common;

use common::{invoke, read, status, subscribe, values, write, Bench};
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::StatusCode;
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::lock::{Lock, DOOR, LOCK};
use iotp2p_protocol::interaction::Config;

const LOCK_ACTION: u16 = 8;
const UNLOCK: u16 = 9;

fn bench() -> Bench<Lock> {
    let lock = Lock::new(DeviceInfo::new("iotp2p", "Reference Lock"));
    let model = lock.model();
    Bench::new(lock, model, Config::default())
}

/// The challenge of a `FreshnessRequired` status.
fn challenge(body: &Body) -> Vec<u8> {
    match body {
        Body::Status(s) if s.code == StatusCode::FreshnessRequired => {
            s.echo.clone().expect("a challenge")
        }
        other => panic!("not a challenge: {other:?}"),
    }
}

fn with_echo(mut body: Body, echo: Vec<u8>) -> Body {
    match &mut body {
        Body::Invoke(i) => i.echo = Some(echo),
        Body::Write(w) => w.echo = Some(echo),
        _ => unreachable!("only invokes and writes carry an echo"),
    }
    body
}

/// Invokes `action` the way an app does: asked for freshness, it repeats the request with the echo.
fn command(b: &mut Bench<Lock>, action: u16) -> Body {
    let echo = challenge(&b.ask(invoke(DOOR, LOCK, action, None)));
    b.ask(with_echo(invoke(DOOR, LOCK, action, None), echo))
}

#[test]
fn an_unlock_needs_a_fresh_challenge() {
    let mut b = bench();
    assert!(b.device.app().locked());
    let first = b.ask(invoke(DOOR, LOCK, UNLOCK, None));
    let echo = challenge(&first);
    assert!(b.device.app().locked(), "nothing moves before the proof");

    // A made-up echo is no proof.
    let forged = b.ask(with_echo(invoke(DOOR, LOCK, UNLOCK, None), vec![0; 8]));
    challenge(&forged);
    assert!(b.device.app().locked());

    let reply = b.ask(with_echo(invoke(DOOR, LOCK, UNLOCK, None), echo));
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    assert!(!b.device.app().locked());
    // locked = false, source = Remote (0).
    assert_eq!(
        values(&b.ask(read(DOOR, LOCK, Some(vec![0, 1])))),
        [(0, vec![0xf4]), (1, vec![0x00])]
    );
}

#[test]
fn a_recorded_unlock_replayed_later_moves_nothing() {
    let mut b = bench();
    command(&mut b, UNLOCK);
    let recorded = b.sent.last().cloned().expect("the unlock with its echo");
    command(&mut b, LOCK_ACTION);
    assert!(b.device.app().locked());

    // The same datagram again, at once and a minute later: the replay window refuses it.
    b.replay(&recorded);
    assert!(b.device.app().locked());
    b.advance(60_000);
    b.replay(&recorded);
    assert!(b.device.app().locked());
}

#[test]
fn an_old_challenge_expires() {
    let mut b = bench();
    let echo = challenge(&b.ask(invoke(DOOR, LOCK, UNLOCK, None)));
    // Past FRESHNESS_WINDOW (10 s): the device asks again.
    b.advance(11_000);
    let reply = b.ask(with_echo(invoke(DOOR, LOCK, UNLOCK, None), echo));
    challenge(&reply);
    assert!(b.device.app().locked());
}

#[test]
fn the_relock_delay_is_written_fresh_and_within_its_range() {
    let mut b = bench();
    // 3,601 s: above @range(0..=3600).
    let too_long = write(DOOR, LOCK, &[(2, vec![0x19, 0x0e, 0x11])]);
    let echo = challenge(&b.ask(too_long.clone()));
    let reply = b.ask(with_echo(too_long, echo));
    assert_eq!(status(&reply), StatusCode::ConstraintError);

    let thirty = write(DOOR, LOCK, &[(2, vec![0x18, 30])]);
    let echo = challenge(&b.ask(thirty.clone()));
    assert_eq!(status(&b.ask(with_echo(thirty, echo))), StatusCode::Ok);
    assert_eq!(b.device.app().auto_relock(), 30);
}

#[test]
fn a_subscriber_hears_every_move_with_its_source() {
    let mut b = bench();
    b.ask(subscribe(DOOR, LOCK, 300));
    command(&mut b, UNLOCK);
    let (_, report) = b.replies.pop().expect("a report of the unlock");
    let Body::Report(r) = &report else {
        panic!("{report:?}")
    };
    let events = r.events.clone().expect("the moved event");
    // moved (16), numbered from 0, data Remote (0).
    assert_eq!(
        events
            .iter()
            .map(|e| (e.member, e.number, e.data.clone()))
            .collect::<Vec<_>>(),
        [(16, 0, Some(vec![0x00]))]
    );

    // The firmware's relock timer: the event says Auto (2).
    b.device.app_mut().relock();
    b.poll();
    let (_, report) = b.replies.pop().expect("a report of the relock");
    let Body::Report(r) = &report else {
        panic!("{report:?}")
    };
    let events = r.events.clone().expect("the moved event");
    assert_eq!(
        (events[0].number, events[0].data.clone()),
        (1, Some(vec![0x02]))
    );
    assert!(b.device.app().locked());
}
