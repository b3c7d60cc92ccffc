//! The interaction model's dispatch (spec chapter 6) on a lamp: the check order of §6.3, reads, all-or-
//! nothing writes, invokes, fresh commands with single-use challenges, describe, and subscriptions with
//! their reports on a virtual clock.

mod common;

use common::Fixed;
use iotp2p_codec::core::owned::{
    Body, DescribeRequest, InvokeRequest, MemberValue, ReadRequest, Status, SubscribeRequest,
    UnsubscribeRequest, WriteRequest,
};
use iotp2p_codec::core::{DecodeError, StatusCode};
use iotp2p_codec::runtime::ErrorClass;
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::{Capability, Endpoint, Member, MemberKind, Model};
use iotp2p_protocol::interaction::{Access, Capabilities, Config, Dispatcher, Failure, Request};

const LEVEL: u16 = 7;
const LOCK: u16 = 9;

/// The lamp of §6.1's figure, with a lock capability whose `unlock` needs freshness.
fn model() -> Model {
    let property = |writable, observable| MemberKind::Property {
        writable,
        observable,
        fresh: false,
    };
    Model {
        endpoints: vec![Endpoint {
            number: 1,
            label: None,
            capabilities: vec![
                Capability {
                    number: LEVEL,
                    package: "iotp2p.capabilities".into(),
                    name: "Level".into(),
                    version: (1, 0, 0),
                    members: vec![
                        Member::new(0, property(false, true)),
                        Member::new(1, property(true, true)),
                        Member {
                            optional: true,
                            implemented: true,
                            ..Member::new(3, property(true, false))
                        },
                        Member {
                            optional: true,
                            implemented: false,
                            ..Member::new(4, property(true, true))
                        },
                        Member::new(
                            8,
                            MemberKind::Action {
                                input: true,
                                output: false,
                                fresh: false,
                            },
                        ),
                        Member::new(16, MemberKind::Event),
                    ],
                },
                Capability {
                    number: LOCK,
                    package: "org.example.locks".into(),
                    name: "Lock".into(),
                    version: (2, 1, 0),
                    members: vec![Member::new(
                        8,
                        MemberKind::Action {
                            input: false,
                            output: false,
                            fresh: true,
                        },
                    )],
                },
            ],
        }],
        revision: 3,
    }
}

/// The lamp's values: each property is one byte, encoded as a CBOR unsigned integer below 24; a
/// value above 20 breaks the capability's constraint.
#[derive(Default)]
struct Lamp {
    values: [u8; 8],
    writes: usize,
    invokes: usize,
}

impl Capabilities for Lamp {
    fn check_value(&self, _: u16, _: u16, _: u16, value: &[u8]) -> Result<(), ValueError> {
        match value {
            [v] if *v < 24 && *v > 20 => Err(ValueError::Constraint),
            [v] if *v < 24 => Ok(()),
            [] => Err(ValueError::Decode {
                class: ErrorClass::Truncated,
                offset: 0,
            }),
            _ => Err(ValueError::Decode {
                class: ErrorClass::WrongType,
                offset: 0,
            }),
        }
    }
    fn read(&mut self, _: u16, _: u16, member: u16) -> Result<Vec<u8>, Failure> {
        Ok(vec![self.values[usize::from(member % 8)]])
    }
    fn write(&mut self, _: u16, _: u16, values: &[(u16, &[u8])]) -> Result<(), Failure> {
        self.writes += 1;
        for (member, value) in values {
            self.values[usize::from(member % 8)] = value[0];
        }
        Ok(())
    }
    fn invoke(
        &mut self,
        _: u16,
        _: u16,
        _: u16,
        _: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        self.invokes += 1;
        Ok(None)
    }
}

struct Run {
    dispatcher: Dispatcher<&'static str>,
    lamp: Lamp,
    now: u64,
    next_id: u64,
}

impl Run {
    fn new() -> Self {
        Run {
            dispatcher: Dispatcher::new(model(), Config::default()),
            lamp: Lamp::default(),
            now: 0,
            next_id: 100,
        }
    }

    fn ask_as(&mut self, who: &'static str, context: u32, body: Body) -> Body {
        self.next_id += 1;
        self.dispatcher.handle(
            &mut self.lamp,
            Request {
                body: &body,
                access: Access::Allowed,
                context: Some(ContextId(context)),
                subscriber: &who,
                message_id: self.next_id,
            },
            self.now,
            &mut Fixed(7),
        )
    }

    fn ask(&mut self, body: Body) -> Body {
        self.ask_as("app", 0, body)
    }
}

fn code(body: &Body) -> (StatusCode, Option<u16>) {
    match body {
        Body::Status(Status { code, member, .. }) => (*code, *member),
        other => panic!("not a status: {other:?}"),
    }
}

fn read(endpoint: u16, capability: u16, members: Option<Vec<u16>>) -> Body {
    Body::Read(ReadRequest {
        endpoint,
        capability,
        members,
        unknown_fields: Default::default(),
    })
}

fn write(values: &[(u16, &[u8])]) -> Body {
    Body::Write(WriteRequest {
        endpoint: 1,
        capability: LEVEL,
        values: values
            .iter()
            .map(|(member, value)| MemberValue {
                member: *member,
                value: value.to_vec(),
                unknown_fields: Default::default(),
            })
            .collect(),
        echo: None,
        unknown_fields: Default::default(),
    })
}

fn invoke(capability: u16, action: u16, input: Option<Vec<u8>>, echo: Option<Vec<u8>>) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability,
        action,
        input,
        echo,
        unknown_fields: Default::default(),
    })
}

#[test]
fn the_check_order_of_6_3() {
    let mut r = Run::new();
    // Access control comes first, whatever else is wrong.
    let body = read(9, 9, Some(vec![]));
    for (access, expected) in [
        (Access::Unauthenticated, StatusCode::Unauthenticated),
        (Access::Forbidden, StatusCode::Forbidden),
    ] {
        let reply = r.dispatcher.handle(
            &mut r.lamp,
            Request {
                body: &body,
                access,
                context: None,
                subscriber: &"app",
                message_id: 1,
            },
            0,
            &mut Fixed(0),
        );
        assert_eq!(code(&reply).0, expected, "[IOTP-IM-7] step 1");
    }
    assert_eq!(
        code(&r.ask(read(9, 9, Some(vec![])))).0,
        StatusCode::UnknownEndpoint
    );
    assert_eq!(
        code(&r.ask(read(1, 5, Some(vec![])))).0,
        StatusCode::UnknownCapability
    );
    assert_eq!(
        code(&r.ask(read(1, 8, Some(vec![])))).0,
        StatusCode::UnknownCapability
    );
    assert_eq!(
        code(&r.ask(read(1, LEVEL, Some(vec![])))).0,
        StatusCode::InvalidRequest,
        "[IOTP-IM-10]"
    );
    assert_eq!(
        code(&r.ask(read(1, LEVEL, Some(vec![1, 0])))).0,
        StatusCode::InvalidRequest,
        "[IOTP-IM-11]"
    );
    assert_eq!(
        code(&r.ask(read(1, LEVEL, Some(vec![0, 0])))).0,
        StatusCode::InvalidRequest
    );
    // The lowest failing member, and an optional member not implemented does not exist.
    assert_eq!(
        code(&r.ask(read(1, LEVEL, Some(vec![4, 8, 9])))),
        (StatusCode::UnknownMember, Some(4)),
        "[IOTP-IM-8]"
    );
    // Step 5 (an action is not a property) before step 6 (member 0 is not writable).
    assert_eq!(
        code(&r.ask(write(&[(0, &[1]), (8, &[1])]))),
        (StatusCode::UnknownMember, Some(8))
    );
    assert_eq!(
        code(&r.ask(write(&[(0, &[1]), (1, &[1])]))),
        (StatusCode::UnsupportedOperation, Some(0))
    );
    // Step 8 (the value of 3 does not decode) before step 9 (the value of 1 breaks a constraint).
    let reply = r.ask(write(&[(1, &[22]), (3, &[0x61, 0x62])]));
    let Body::Status(s) = &reply else { panic!() };
    assert_eq!(
        (s.code, s.member),
        (StatusCode::InvalidValue, Some(3)),
        "[IOTP-IM-2]"
    );
    assert_eq!(
        (s.decode_error, s.offset),
        (Some(DecodeError::WrongType), Some(0))
    );
    assert_eq!(
        code(&r.ask(write(&[(1, &[22]), (3, &[21])]))),
        (StatusCode::ConstraintError, Some(1))
    );
    assert_eq!(
        r.lamp.writes, 0,
        "nothing is carried out unless every check passes"
    );
}

#[test]
fn reads_and_writes() {
    let mut r = Run::new();
    assert_eq!(
        code(&r.ask(write(&[(1, &[5]), (3, &[6])]))),
        (StatusCode::Ok, None),
        "[IOTP-IM-18]"
    );
    assert_eq!(
        r.lamp.writes, 1,
        "one call with every value: all or nothing [IOTP-IM-17]"
    );
    let Body::Report(report) = r.ask(read(1, LEVEL, None)) else {
        panic!()
    };
    let values: Vec<(u16, Vec<u8>)> = report
        .values
        .unwrap()
        .into_iter()
        .map(|v| (v.member, v.value))
        .collect();
    assert_eq!(
        values,
        [(0, vec![0]), (1, vec![5]), (3, vec![6])],
        "[IOTP-IM-12], [IOTP-IM-13]"
    );
}

#[test]
fn invokes_and_their_inputs() {
    let mut r = Run::new();
    assert_eq!(
        code(&r.ask(invoke(LEVEL, 8, None, None))),
        (StatusCode::InvalidValue, Some(8)),
        "[IOTP-IM-19]"
    );
    assert!(
        matches!(r.ask(invoke(LEVEL, 8, Some(vec![3]), None)), Body::InvokeResponse(ref o) if o.output.is_none())
    );
    assert_eq!(
        code(&r.ask(invoke(LEVEL, 0, None, None))),
        (StatusCode::UnknownMember, Some(0))
    );
    assert_eq!(r.lamp.invokes, 1);
}

#[test]
fn fresh_commands_need_a_single_use_challenge() {
    let mut r = Run::new();
    let Body::Status(s) = r.ask(invoke(LOCK, 8, None, None)) else {
        panic!()
    };
    assert_eq!(
        s.code,
        StatusCode::FreshnessRequired,
        "[IOTP-IM-37], [IOTP-IM-40]"
    );
    let echo = s.echo.expect("a challenge");
    assert!((8..=40).contains(&echo.len()), "[IOTP-IM-41]");
    // Another context cannot use it ([IOTP-SEC-88]).
    assert_eq!(
        code(&r.ask_as("app", 1, invoke(LOCK, 8, None, Some(echo.clone())))).0,
        StatusCode::FreshnessRequired
    );
    assert!(matches!(
        r.ask(invoke(LOCK, 8, None, Some(echo.clone()))),
        Body::InvokeResponse(_)
    ));
    assert_eq!(r.lamp.invokes, 1);
    // Used once only ([IOTP-IM-43]).
    assert_eq!(
        code(&r.ask(invoke(LOCK, 8, None, Some(echo)))).0,
        StatusCode::FreshnessRequired
    );
    // Too late ([IOTP-IM-39]).
    let Body::Status(s) = r.ask(invoke(LOCK, 8, None, None)) else {
        panic!()
    };
    r.now += 10_001;
    assert_eq!(
        code(&r.ask(invoke(LOCK, 8, None, s.echo))).0,
        StatusCode::FreshnessRequired
    );
    assert_eq!(r.lamp.invokes, 1);
}

#[test]
fn describe_lists_what_the_model_holds() {
    let mut r = Run::new();
    let Body::Description(d) = r.ask(Body::Describe(DescribeRequest {
        endpoint: None,
        endpoints_only: false,
        unknown_fields: Default::default(),
    })) else {
        panic!()
    };
    assert_eq!(d.revision, 3);
    let caps: Vec<(u16, &str, Option<Vec<u16>>)> = d.endpoints[0]
        .capabilities
        .iter()
        .map(|c| (c.id, c.name.as_str(), c.members.clone()))
        .collect();
    assert_eq!(
        caps,
        [(LEVEL, "Level", Some(vec![3])), (LOCK, "Lock", None)],
        "[IOTP-IM-60], [IOTP-IM-61]"
    );
    let Body::Description(d) = r.ask(Body::Describe(DescribeRequest {
        endpoint: Some(1),
        endpoints_only: true,
        unknown_fields: Default::default(),
    })) else {
        panic!()
    };
    assert!(d.endpoints[0].capabilities.is_empty(), "[IOTP-IM-59]");
    assert_eq!(
        code(&r.ask(Body::Describe(DescribeRequest {
            endpoint: Some(2),
            endpoints_only: false,
            unknown_fields: Default::default(),
        }))),
        (StatusCode::UnknownEndpoint, None),
        "[IOTP-IM-58]"
    );
}

fn subscribe(members: Option<Vec<u16>>, min: u32, max: u32, lifetime: Option<u32>) -> Body {
    Body::Subscribe(SubscribeRequest {
        endpoint: 1,
        capability: LEVEL,
        members,
        min_interval: min,
        max_interval: max,
        lifetime,
        unknown_fields: Default::default(),
    })
}

#[test]
fn subscriptions_report_changes_and_keep_alive() {
    let mut r = Run::new();
    assert_eq!(
        code(&r.ask(subscribe(None, 10, 5, None))).0,
        StatusCode::InvalidRequest,
        "[IOTP-IM-24]"
    );
    assert_eq!(
        code(&r.ask(subscribe(Some(vec![3]), 0, 5, None))),
        (StatusCode::UnsupportedOperation, Some(3))
    );
    let Body::Report(first) = r.ask(subscribe(None, 10, 900, Some(3600))) else {
        panic!()
    };
    let id = r.next_id;
    assert_eq!(first.max_interval, Some(900), "[IOTP-IM-25]");
    let observed: Vec<u16> = first.values.unwrap().iter().map(|v| v.member).collect();
    assert_eq!(observed, [0, 1], "observable properties only");

    // A change at t = 1 s is reported no sooner than min_interval after the first report.
    r.now = 1_000;
    assert_eq!(code(&r.ask(write(&[(1, &[9])]))).0, StatusCode::Ok);
    assert_eq!(r.dispatcher.next_deadline(), Some(10_000), "[IOTP-IM-26]");
    assert!(r.dispatcher.reports(&mut r.lamp, 9_999).is_empty());
    let reports = r.dispatcher.reports(&mut r.lamp, 10_000);
    let [(who, sub, report)] = reports.as_slice() else {
        panic!("{reports:?}")
    };
    assert_eq!((*who, *sub), ("app", id));
    let changed: Vec<(u16, Vec<u8>)> = report
        .values
        .clone()
        .unwrap()
        .into_iter()
        .map(|v| (v.member, v.value))
        .collect();
    assert_eq!(changed, [(1, vec![9])], "[IOTP-IM-27]");

    // Nothing changes: a keep-alive after the granted maximum interval ([IOTP-IM-29]).
    assert_eq!(r.dispatcher.next_deadline(), Some(910_000));
    let reports = r.dispatcher.reports(&mut r.lamp, 910_000);
    assert!(reports[0].2.values.is_none() && reports[0].2.events.is_none());

    // Unsubscribe, and again.
    let unsubscribe = |id| {
        Body::Unsubscribe(UnsubscribeRequest {
            subscription: id,
            unknown_fields: Default::default(),
        })
    };
    assert_eq!(
        code(&r.ask_as("other", 0, unsubscribe(id))).0,
        StatusCode::UnknownSubscription
    );
    assert_eq!(
        code(&r.ask(unsubscribe(id))).0,
        StatusCode::Ok,
        "[IOTP-IM-31]"
    );
    assert_eq!(
        code(&r.ask(unsubscribe(id))).0,
        StatusCode::UnknownSubscription,
        "[IOTP-IM-32]"
    );
}

#[test]
fn subscriptions_are_bounded_and_replaced() {
    let mut r = Run {
        dispatcher: Dispatcher::new(
            model(),
            Config {
                max_subscriptions: 2,
                ..Config::default()
            },
        ),
        ..Run::new()
    };
    assert!(matches!(
        r.ask_as("a", 0, subscribe(None, 0, 60, None)),
        Body::Report(_)
    ));
    // The same subscriber again on the same instance replaces the first ([IOTP-IM-31]).
    assert!(matches!(
        r.ask_as("a", 0, subscribe(None, 0, 60, None)),
        Body::Report(_)
    ));
    assert_eq!(r.dispatcher.subscriptions().len(), 1);
    assert!(matches!(
        r.ask_as("b", 0, subscribe(None, 0, 60, Some(5))),
        Body::Report(_)
    ));
    assert_eq!(
        code(&r.ask_as("c", 0, subscribe(None, 0, 60, None))).0,
        StatusCode::ResourceExhausted,
        "[IOTP-IM-35]"
    );
    assert_eq!(
        r.dispatcher.subscriptions().len(),
        2,
        "the existing ones are kept [IOTP-IM-36]"
    );
    // b's lifetime ends at 5 s.
    let _ = r.dispatcher.reports(&mut r.lamp, 5_000);
    assert_eq!(r.dispatcher.subscriptions().len(), 1);
}
