//! The end node's engine on a virtual clock: the spec's worked invoke (§5.15.1) reproduced byte for
//! byte by the lamp's engine, sealed exchanges between two engines, acknowledgement and
//! retransmission, duplicates and replays, forged envelopes, and the regression of the one-packet
//! duplicate-detection denial of service of version 1.0 (§5.9).

use iotp2p_codec::prelude::*;
mod common;

use common::{context, example, Fixed};
use iotp2p_codec::core::owned::{
    Body, InvokeRequest, InvokeResponse, MemberValue, ReadRequest, Report, Status,
    SubscribeRequest, UnsubscribeRequest,
};
use iotp2p_codec::core::{role, Envelope, StatusCode};
use iotp2p_codec::runtime::EncodeError;
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{
    Config, Destination, Discard, Event, ExchangeId, Node, Origin, Output, SendError,
};
use iotp2p_protocol::security::seal::OpenError;
use iotp2p_protocol::security::{Exchange, KeyId, NodeId, ReplayWindow, Routing};

fn node(address: &str) -> Node<&'static str> {
    Node::new(
        Config {
            address: Some(address.into()),
            ..Config::default()
        },
        0,
    )
}

fn sends(out: &[Output<&'static str>]) -> Vec<(&'static str, Vec<u8>)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { to, bytes } => Some((*to, bytes.clone())),
            Output::Event(_) => None,
        })
        .collect()
}

fn events(out: &[Output<&'static str>]) -> Vec<Event<&'static str>> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event(e) => Some(e.clone()),
            Output::Send { .. } => None,
        })
        .collect()
}

fn invoke() -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 7,
        action: 8,
        input: Some(vec![0xa2, 0x00, 0x18, 0xc8, 0x01, 0x0a]),
        echo: None,
        unknown_fields: Default::default(),
    })
}

fn empty_response() -> Body {
    Body::InvokeResponse(InvokeResponse {
        output: None,
        unknown_fields: Default::default(),
    })
}

#[test]
fn the_lamp_of_5_15_1_answers_as_the_spec_shows() {
    let mut rng = Fixed(0);
    let mut lamp = node("lamp@home.example.org");
    lamp.set_home_relay(Some("relay"));
    // The lamp's side of the context of §8.5.8: its Sender ID is 02, the app's 01; 77 envelopes sealed.
    let ctx = context(2, 1).resume(77, ReplayWindow::new());
    let id = lamp
        .add_context(
            ctx,
            Peer {
                address: Some("app@example.com".into()),
                kind: ContextKind::Ordinary,
                node: None,
            },
        )
        .unwrap();

    let request = example("05-message-layer.md", "msg.invoke-set-level-sealed");
    let out = lamp.receive(0, &mut rng, &"relay", &request);
    assert!(
        sends(&out).is_empty(),
        "the acknowledgement waits for the reply: {out:?}"
    );
    let [Event::Request {
        exchange,
        message_id,
        sender,
        context,
        fresh,
        body,
        ..
    }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
    else {
        panic!("{out:?}")
    };
    assert_eq!(message_id, 1234);
    assert_eq!(sender, Origin::Contact(1));
    assert_eq!((context, fresh), (Some(id), true));
    assert_eq!(body, invoke());

    let out = lamp
        .reply(0, &mut rng, exchange, &empty_response())
        .unwrap();
    assert_eq!(
        sends(&out),
        [(
            "relay",
            example("05-message-layer.md", "msg.reply-invoke-sealed")
        )],
        "the reply carries the acknowledgement ([IOTP-MSG-44]) and is byte for byte §5.15.1's"
    );
    assert_eq!(
        lamp.next_deadline(),
        None,
        "no acknowledgement left to send"
    );

    // The relay retransmits the request (its acknowledgement was lost): acknowledged again by the
    // cached reply alone, not passed to the application ([IOTP-MSG-54] to [IOTP-MSG-56],
    // [IOTP-MSG-136]).
    let out = lamp.receive(1_000, &mut rng, &"relay", &request);
    assert_eq!(
        sends(&out),
        [(
            "relay",
            example("05-message-layer.md", "msg.reply-invoke-sealed")
        )],
        "{out:?}"
    );
    assert_eq!(
        events(&out),
        [Event::Discarded {
            from: "relay",
            reason: Discard::Duplicate
        }]
    );
}

#[test]
fn a_slow_reply_does_not_hold_the_acknowledgement_back() {
    let mut rng = Fixed(0);
    let mut lamp = node("lamp@home.example.org");
    lamp.set_home_relay(Some("relay"));
    lamp.add_context(context(2, 1), app_peer()).unwrap();
    let out = lamp.receive(
        0,
        &mut rng,
        &"relay",
        &example("05-message-layer.md", "msg.invoke-set-level-sealed"),
    );
    assert_eq!(sends(&out).len(), 0);
    assert_eq!(lamp.next_deadline(), Some(0));
    let out = lamp.on_timer(0, &mut rng);
    let sent = sends(&out);
    assert_eq!(sent.len(), 1);
    let ack = Envelope::decode(&sent[0].1).unwrap();
    assert_eq!((ack.correlation_id, ack.ack_requested), (Some(1234), false));
    assert!(matches!(ack.body, Some(iotp2p_codec::core::Body::Ack)));
}

/// Two engines on a direct hop with a shared context.
/// The app, as the lamp's context names its peer.
fn app_peer() -> Peer {
    Peer {
        address: Some("app@example.com".into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

fn pair() -> (Node<&'static str>, Node<&'static str>) {
    let mut app = node("app@example.com");
    let mut lamp = node("lamp@home.example.org");
    app.add_context(
        context(1, 2),
        Peer {
            address: Some("lamp@home.example.org".into()),
            kind: ContextKind::Ordinary,
            node: None,
        },
    )
    .unwrap();
    lamp.add_context(context(2, 1), app_peer()).unwrap();
    (app, lamp)
}

/// The app sends `body` to the lamp directly, under their context: its `message_id` and datagram.
fn app_asks(
    app: &mut Node<&'static str>,
    rng: &mut Fixed,
    now: u64,
    body: &Body,
    confirmable: bool,
) -> (u64, Vec<u8>) {
    let ctx = app.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap());
    let (message_id, out) = app
        .request(
            now,
            rng,
            "lamp",
            Destination::HopPeer,
            ctx,
            body,
            confirmable,
            None,
        )
        .unwrap();
    (message_id, sends(&out).remove(0).1)
}

#[test]
fn a_sealed_request_is_retransmitted_until_answered() {
    let mut rng = Fixed(0);
    let (mut app, mut lamp) = pair();
    let ctx = app.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap());
    let (message_id, out) = app
        .request(
            0,
            &mut rng,
            "lamp",
            Destination::HopPeer,
            ctx,
            &invoke(),
            true,
            None,
        )
        .unwrap();
    assert_eq!(message_id, 0, "the first Sender Sequence Number");
    let first = sends(&out).remove(0).1;
    // Lost. The timer fires at ACK_TIMEOUT and the same bytes go again ([IOTP-MSG-46]).
    assert_eq!(app.next_deadline(), Some(2_000));
    let again = sends(&app.on_timer(2_000, &mut rng)).remove(0).1;
    assert_eq!(again, first);

    let out = lamp.receive(2_010, &mut rng, &"app", &again);
    let [Event::Request { exchange, .. }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
    else {
        panic!("{out:?}")
    };
    let reply = sends(
        &lamp
            .reply(2_010, &mut rng, exchange, &empty_response())
            .unwrap(),
    )
    .remove(0)
    .1;
    let out = app.receive(2_020, &mut rng, &"lamp", &reply);
    let evs = events(&out);
    assert_eq!(
        evs[0],
        Event::Acknowledged {
            to: "lamp",
            message_id: 0
        },
        "the piggybacked reply ends the retransmission ([IOTP-MSG-42])"
    );
    let Event::Reply { request, body, .. } = &evs[1] else {
        panic!("{evs:?}")
    };
    assert_eq!((*request, body), (0, &empty_response()));
    assert_eq!(app.next_deadline(), None);
}

/// Runs `app`'s timers until the transmission of its request `id` to the lamp fails, passing each
/// retransmission to `copy` with its time; gives the time of the failure.
fn until_failed(
    app: &mut Node<&'static str>,
    rng: &mut Fixed,
    id: u64,
    mut copy: impl FnMut(u64, Vec<u8>, &mut Fixed),
) -> u64 {
    for _ in 0..10 {
        let t = app.next_deadline().expect("retransmitting until it fails");
        let out = app.on_timer(t, rng);
        let failed = Event::Failed {
            to: "lamp",
            message_id: id,
        };
        if events(&out).contains(&failed) {
            return t;
        }
        copy(t, sends(&out).remove(0).1, rng);
    }
    panic!("the transmission fails within MAX_RETRANSMIT retransmissions");
}

/// [IOTP-MSG-149]: a request whose transmission failed because every reply was lost (the reply
/// carried the acknowledgement) goes once more, byte for byte, within ACK_TIMEOUT of the failure;
/// the lamp answers the copy from its reply cache without carrying the request out again, and the
/// reply matches the request. Not a third time, and not after ACK_TIMEOUT.
#[test]
fn a_request_whose_transmission_failed_goes_once_more_and_is_answered_from_the_reply_cache() {
    let mut rng = Fixed(0);
    let (mut app, mut lamp) = pair();
    let (id, first) = app_asks(&mut app, &mut rng, 0, &invoke(), true);
    // Every transmission reaches the lamp, every reply is lost.
    let out = lamp.receive(0, &mut rng, &"app", &first);
    let [Event::Request { exchange, .. }] = events(&out)[..] else {
        panic!("taken: {out:?}");
    };
    let reply = sends(
        &lamp
            .reply(0, &mut rng, exchange, &empty_response())
            .unwrap(),
    )
    .remove(0)
    .1;
    let failed_at = until_failed(&mut app, &mut rng, id, |t, copy, rng| {
        assert_eq!(copy, first);
        let answer = sends(&lamp.receive(t, rng, &"app", &copy)).remove(0).1;
        assert_eq!(answer, reply, "answered from the reply cache");
    });
    assert_eq!(
        app.send_again(failed_at, &mut rng, &"other", id),
        Err(SendError::NotFailed),
        "only the hop peer it failed towards"
    );
    let again = app
        .send_again(failed_at + 100, &mut rng, &"lamp", id)
        .unwrap();
    assert_eq!(sends(&again), [("lamp", first.clone())], "byte for byte");
    assert_eq!(
        app.send_again(failed_at + 100, &mut rng, &"lamp", id),
        Err(SendError::NotFailed),
        "once"
    );
    let out = lamp.receive(failed_at + 110, &mut rng, &"app", &first);
    assert!(
        events(&out)
            .iter()
            .all(|e| !matches!(e, Event::Request { .. })),
        "not carried out again: {out:?}"
    );
    let out = app.receive(failed_at + 120, &mut rng, &"lamp", &sends(&out).remove(0).1);
    assert!(
        matches!(&events(&out)[..], [Event::Acknowledged { .. }, Event::Reply { request, .. }] if *request == id),
        "{out:?}"
    );

    // A second request that fails is not sent again after ACK_TIMEOUT.
    let now = failed_at + 1_000;
    let (id, _) = app_asks(&mut app, &mut rng, now, &invoke(), true);
    let failed_at = until_failed(&mut app, &mut rng, id, |_, _, _| {});
    let late = failed_at + iotp2p_protocol::params::Timing::default().ack_timeout;
    assert_eq!(
        app.send_again(late, &mut rng, &"lamp", id),
        Err(SendError::NotFailed)
    );
}

#[test]
fn forged_and_replayed_envelopes_change_nothing() {
    let mut rng = Fixed(0);
    let (mut app, mut lamp) = pair();
    let ctx = app.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap());
    let (_, out) = app
        .request(
            0,
            &mut rng,
            "lamp",
            Destination::HopPeer,
            ctx,
            &invoke(),
            false,
            None,
        )
        .unwrap();
    let genuine = sends(&out).remove(0).1;

    // A flipped bit of `sealed` (its last byte, inside the tag): Unauthenticated, and the window
    // has not moved ([IOTP-SEC-76], [IOTP-SEC-77]).
    let mut forged = genuine.clone();
    *forged.last_mut().unwrap() ^= 1;
    let out = lamp.receive(0, &mut rng, &"app", &forged);
    assert_eq!(
        events(&out),
        [Event::Discarded {
            from: "app",
            reason: Discard::Open(OpenError::Aead)
        }]
    );
    let sent = sends(&out);
    let status = Envelope::decode(&sent[0].1).unwrap();
    assert!(status.sealed.is_none(), "an unsealed status");
    assert!(matches!(
        status.body,
        Some(iotp2p_codec::core::Body::Status(s)) if s.code == StatusCode::Unauthenticated
    ));

    let out = lamp.receive(1, &mut rng, &"app", &genuine);
    assert!(
        matches!(events(&out)[..], [Event::Request { .. }]),
        "{out:?}"
    );

    // A replay of an envelope opened before: a duplicate; nothing for the application.
    let out = lamp.receive(2, &mut rng, &"app", &genuine);
    assert_eq!(
        events(&out),
        [Event::Discarded {
            from: "app",
            reason: Discard::Duplicate
        }]
    );
}

#[test]
fn one_unsealed_envelope_cannot_silence_a_sender() {
    // Version 1.0 kept a per-sender window: one envelope with a large message_id made every later
    // message of the genuine sender "stale". Unsealed envelopes are now duplicates only of identical
    // ones ([IOTP-MSG-110]).
    let mut rng = Fixed(0);
    let mut lamp = node("lamp@home.example.org");
    let read = Body::Read(ReadRequest {
        endpoint: 0,
        capability: 1,
        members: None,
        unknown_fields: Default::default(),
    });
    let mut attacker = Node::<&str>::new(Config::default(), (1 << 40) - 2);
    let (_, out) = attacker
        .request(
            0,
            &mut rng,
            "lamp",
            Destination::HopPeer,
            None,
            &read,
            false,
            None,
        )
        .unwrap();
    let out = lamp.receive(0, &mut rng, &"app", &sends(&out)[0].1);
    assert!(matches!(events(&out)[..], [Event::Request { .. }]));

    let mut app = Node::<&str>::new(Config::default(), 5);
    let (_, out) = app
        .request(
            1,
            &mut rng,
            "lamp",
            Destination::HopPeer,
            None,
            &read,
            false,
            None,
        )
        .unwrap();
    let out = lamp.receive(1, &mut rng, &"app", &sends(&out)[0].1);
    assert!(
        matches!(events(&out)[..], [Event::Request { .. }]),
        "the genuine envelope is new: {out:?}"
    );
}

#[test]
fn contact_numbers_only_on_their_hop() {
    let mut rng = Fixed(0);
    let mut lamp = node("lamp@home.example.org");
    lamp.set_home_relay(Some("relay"));
    let request = example("05-message-layer.md", "msg.invoke-set-level");
    let out = lamp.receive(0, &mut rng, &"stranger", &request);
    assert!(matches!(
        events(&out)[..],
        [Event::Discarded {
            reason: Discard::Envelope(_),
            ..
        }]
    ));
    let out = lamp.receive(0, &mut rng, &"relay", &request);
    assert!(
        matches!(events(&out)[..], [Event::Request { .. }]),
        "{out:?}"
    );
}

#[test]
fn a_lost_replay_window_is_resynchronised_by_an_echo() {
    use iotp2p_codec::core::owned::{MemberValue, WriteRequest};
    let mut rng = Fixed(0);
    let (mut app, _) = pair();
    let mut lamp = node("lamp@home.example.org");
    // The lamp restarted: it kept its keys and Sender Sequence Number, not its replay window.
    lamp.add_context(
        context(2, 1).resume(500, ReplayWindow::lost()),
        Peer {
            address: Some("app@example.com".into()),
            kind: ContextKind::Ordinary,
            node: None,
        },
    )
    .unwrap();
    let ctx = app.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap());
    let write = |echo: Option<Vec<u8>>| {
        Body::Write(WriteRequest {
            endpoint: 1,
            capability: 7,
            values: vec![MemberValue {
                member: 0,
                value: vec![5],
                unknown_fields: Default::default(),
            }],
            echo,
            unknown_fields: Default::default(),
        })
    };
    let (_, out) = app
        .request(
            0,
            &mut rng,
            "lamp",
            Destination::HopPeer,
            ctx,
            &write(None),
            false,
            None,
        )
        .unwrap();
    let out = lamp.receive(0, &mut rng, &"app", &sends(&out)[0].1);
    assert_eq!(
        events(&out),
        [Event::Discarded {
            from: "app",
            reason: Discard::Unverified
        }],
        "not acted on [IOTP-SEC-85]"
    );
    let out = app.receive(1, &mut rng, &"lamp", &sends(&out)[0].1);
    let [Event::Reply {
        body: Body::Status(status),
        context: Some(_),
        ..
    }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
    else {
        panic!("a sealed status: {out:?}")
    };
    assert_eq!(status.code, StatusCode::FreshnessRequired);
    let echo = status.echo.expect("a challenge");

    let (message_id, out) = app
        .request(
            2,
            &mut rng,
            "lamp",
            Destination::HopPeer,
            ctx,
            &write(Some(echo.clone())),
            false,
            None,
        )
        .unwrap();
    let out = lamp.receive(2, &mut rng, &"app", &sends(&out)[0].1);
    assert!(
        matches!(events(&out)[..], [Event::Request { fresh: true, .. }]),
        "the echo proves freshness: {out:?}"
    );
    assert_eq!(
        lamp.contexts()
            .get(
                lamp.contexts()
                    .by_recipient_id(&KeyId::new(&[1]).unwrap())
                    .unwrap()
            )
            .unwrap()
            .context
            .replay_window()
            .highest(),
        Some(message_id),
        "H is the message_id of the request that carried the echo"
    );
    // The echo is used up: the same challenge again does not resynchronise anything.
    let (_, out) = app
        .request(
            3,
            &mut rng,
            "lamp",
            Destination::HopPeer,
            ctx,
            &write(Some(echo)),
            false,
            None,
        )
        .unwrap();
    let out = lamp.receive(3, &mut rng, &"app", &sends(&out)[0].1);
    assert!(
        matches!(events(&out)[..], [Event::Request { .. }]),
        "the window is back: {out:?}"
    );
}

mod edhoc_responder {
    use super::*;
    use iotp2p_protocol::engine::{
        EdhocResponder, KnownPeer, VISITOR_HANDSHAKE_BURST, VISITOR_HANDSHAKE_INTERVAL,
    };
    use iotp2p_protocol::security::edhoc::carriage::{
        decode_edhoc_1_output, encode_edhoc_1_input, encode_edhoc_3_input, EDHOC_1, EDHOC_3,
    };
    use iotp2p_protocol::security::edhoc::{
        connection_id_from_int, AuthKey, Credential, IdCredI, Initiator, LocalIdentity,
    };
    use iotp2p_protocol::security::statement::ccs::p256_credential;
    use iotp2p_protocol::security::NodeId;
    use p256::elliptic_curve::sec1::ToEncodedPoint;

    fn identity(secret: [u8; 32], owner: u8, kid: u8) -> (LocalIdentity, Vec<u8>) {
        let point = p256::SecretKey::from_bytes(&secret.into())
            .unwrap()
            .public_key()
            .to_encoded_point(false);
        let ccs = p256_credential(
            &NodeId::from_bytes([owner; 32]),
            &[kid],
            point.x().unwrap().as_slice().try_into().unwrap(),
            point.y().unwrap().as_slice().try_into().unwrap(),
        )
        .unwrap();
        let id = LocalIdentity::new(
            AuthKey::new(&secret).unwrap(),
            Credential::parse(&ccs).unwrap(),
        )
        .unwrap();
        (id, ccs)
    }

    fn security_invoke(action: u16, input: Vec<u8>) -> Body {
        Body::Invoke(InvokeRequest {
            endpoint: 0,
            capability: 1,
            action,
            input: Some(input),
            echo: None,
            unknown_fields: Default::default(),
        })
    }

    fn output(events: &[Event<&'static str>]) -> Vec<u8> {
        match events {
            [Event::Reply {
                body: Body::InvokeResponse(r),
                ..
            }] => r.output.clone().unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_lamp_answers_edhoc_and_seals_under_the_new_context() {
        let mut rng = Fixed(7);
        let (app_id, app_ccs) = identity([0x11; 32], 0xaa, 5);
        let (lamp_id, lamp_ccs) = identity([0x22; 32], 0xbb, 7);
        let mut lamp = node("lamp@home.example.org");
        lamp.set_edhoc_responder(Some(EdhocResponder {
            identity: lamp_id,
            peers: vec![KnownPeer {
                credential: app_ccs,
                address: Some("app@example.com".into()),
                node: None,
            }],
            max_pending: 1,
            pending_lifetime: 0,
            max_visitors: 1,
            max_visitor_sources: 8,
        }));
        let mut app = node("app@example.com");

        // edhoc_1 → message_2, answered by the engine itself.
        let none: &[KeyId] = &[];
        let (initiator, m1) = Initiator::start(
            &app_id,
            IdCredI::Kid,
            connection_id_from_int(1).unwrap(),
            none,
            &[0x31; 32],
        )
        .unwrap();
        let mut input = vec![0u8; 64];
        let n = encode_edhoc_1_input(m1.as_bytes(), &mut input).unwrap();
        let (_, out) = app
            .request(
                0,
                &mut rng,
                "lamp",
                Destination::HopPeer,
                None,
                &security_invoke(EDHOC_1, input[..n].to_vec()),
                false,
                None,
            )
            .unwrap();
        let edhoc_1 = sends(&out)[0].1.clone();
        let out = lamp.receive(0, &mut rng, &"app", &edhoc_1);
        assert!(events(&out).is_empty(), "not for the application: {out:?}");
        assert_eq!(lamp.pending_handshakes(), 1);
        let reply = app.receive(0, &mut rng, &"lamp", &sends(&out)[0].1);
        let message_2 = output(&events(&reply));
        let iotp2p_codec::security::EdhocReply::Message2(m2) =
            decode_edhoc_1_output(&message_2).unwrap()
        else {
            panic!("message_2")
        };
        let held: &[&[u8]] = &[&lamp_ccs];
        let (sent, m3) = initiator.receive_message_2(m2, held).unwrap();
        let mut input = vec![0u8; 64];
        let n = encode_edhoc_3_input(sent.c_r(), m3.as_bytes(), &mut input).unwrap();
        let edhoc_3 = security_invoke(EDHOC_3, input[..n].to_vec());

        // The same edhoc_3 from another sender is ignored, and the handshake goes on ([IOTP-SEC-194]).
        let mut stranger = node("stranger@example.net");
        let (_, out) = stranger
            .request(
                0,
                &mut rng,
                "lamp",
                Destination::HopPeer,
                None,
                &edhoc_3,
                false,
                None,
            )
            .unwrap();
        let out = lamp.receive(0, &mut rng, &"stranger", &sends(&out)[0].1);
        assert!(sends(&out).is_empty(), "{out:?}");
        assert_eq!(lamp.pending_handshakes(), 1);

        let (_, out) = app
            .request(
                1,
                &mut rng,
                "lamp",
                Destination::HopPeer,
                None,
                &edhoc_3,
                false,
                None,
            )
            .unwrap();
        let out = lamp.receive(1, &mut rng, &"app", &sends(&out)[0].1);
        let [Event::Session {
            context,
            visitor: false,
        }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
        else {
            panic!("a new ordinary context: {out:?}")
        };
        assert_eq!(lamp.pending_handshakes(), 0);
        let done = app.receive(1, &mut rng, &"lamp", &sends(&out)[0].1);
        assert_eq!(output(&events(&done)), [0xa1, 0x00, 0xf6], "`done`");

        // Both sides seal under the new context.
        let (app_context, _) = sent.complete().unwrap().into_parts();
        let app_ctx = app
            .add_context(
                app_context,
                Peer {
                    address: Some("lamp@home.example.org".into()),
                    kind: ContextKind::Ordinary,
                    node: None,
                },
            )
            .unwrap();
        let (_, out) = invoke_under(&mut app, &mut rng, app_ctx);
        let out = lamp.receive(2, &mut rng, &"app", &sends(&out)[0].1);
        assert!(
            matches!(events(&out)[..], [Event::Request { context: Some(c), .. }] if c == context),
            "{out:?}"
        );
    }

    #[test]
    fn two_engines_run_edhoc_by_themselves() {
        let mut rng = Fixed(9);
        let (app_id, app_ccs) = identity([0x11; 32], 0xaa, 5);
        let (lamp_id, lamp_ccs) = identity([0x22; 32], 0xbb, 7);
        let mut app = node("app@example.com");
        app.set_edhoc_responder(Some(EdhocResponder {
            identity: app_id,
            peers: vec![],
            max_pending: 2,
            pending_lifetime: 0,
            max_visitors: 1,
            max_visitor_sources: 8,
        }));
        let mut lamp = node("lamp@home.example.org");
        lamp.set_edhoc_responder(Some(EdhocResponder {
            identity: lamp_id,
            peers: vec![KnownPeer {
                credential: app_ccs,
                address: Some("app@example.com".into()),
                node: None,
            }],
            max_pending: 2,
            pending_lifetime: 0,
            max_visitors: 1,
            max_visitor_sources: 8,
        }));
        let lamp_peer = KnownPeer {
            credential: lamp_ccs,
            address: Some("lamp@home.example.org".into()),
            node: None,
        };
        let (_, out) = app
            .connect(0, &mut rng, "lamp", Destination::HopPeer, lamp_peer)
            .unwrap();
        let sessions = exchange(&mut app, &mut lamp, &mut rng, &out);
        let app_ctx = sessions
            .iter()
            .find(|s| s.0 == "app")
            .expect("the app's context")
            .1;
        assert!(
            sessions.iter().any(|s| s.0 == "lamp" && !s.2),
            "the lamp's ordinary context: {sessions:?}"
        );
        assert_eq!(app.next_deadline(), None, "both requests answered");
        let (_, out) = invoke_under(&mut app, &mut rng, app_ctx);
        let out = lamp.receive(2, &mut rng, &"app", &sends(&out)[0].1);
        assert!(
            matches!(
                events(&out)[..],
                [Event::Request {
                    context: Some(_),
                    ..
                }]
            ),
            "{out:?}"
        );
    }

    /// The app's non-confirmable invoke to the lamp at time 2, sealed under `context`: its
    /// `message_id` and output.
    fn invoke_under(
        app: &mut Node<&'static str>,
        rng: &mut Fixed,
        context: ContextId,
    ) -> (u64, Vec<Output<&'static str>>) {
        app.request(
            2,
            rng,
            "lamp",
            Destination::HopPeer,
            Some(context),
            &invoke(),
            false,
            None,
        )
        .unwrap()
    }

    /// Carries what `app` sent (`out`) to `lamp` and every answer back, in turn, until neither has
    /// more to send (at most 8 envelopes; an EDHOC handshake is edhoc_1 →, ← message_2 with the
    /// acknowledgement, edhoc_3 →, ← done): the contexts each side made, as (side, context, visitor).
    fn exchange(
        app: &mut Node<&'static str>,
        lamp: &mut Node<&'static str>,
        rng: &mut Fixed,
        out: &[Output<&'static str>],
    ) -> Vec<(&'static str, ContextId, bool)> {
        let mut wire: Vec<(&str, Vec<u8>)> =
            sends(out).into_iter().map(|(_, b)| ("app", b)).collect();
        let mut sessions = Vec::new();
        for _ in 0..8 {
            let Some((from, bytes)) = wire.pop() else {
                break;
            };
            let (to, out) = if from == "app" {
                ("lamp", lamp.receive(1, rng, &"app", &bytes))
            } else {
                ("app", app.receive(1, rng, &"lamp", &bytes))
            };
            for e in events(&out) {
                if let Event::Session { context, visitor } = e {
                    sessions.push((to, context, visitor));
                }
            }
            wire.extend(sends(&out).into_iter().map(|(_, b)| (to, b)));
        }
        sessions
    }

    /// Regression (walk-through seeds 531 and 568): a handshake whose `edhoc_1` went unanswered
    /// (to the home relay, every transmission lost) took the reply to a later request to another
    /// peer for its message_2, because it knew its request by `message_id` alone and every context
    /// numbers from 0: the reply was consumed and never reached the application. A reply is matched
    /// by its sender and `correlation_id` ([IOTP-MSG-39]), under the request's context.
    #[test]
    fn a_handshake_left_unanswered_does_not_take_the_reply_of_another_peer() {
        let mut rng = Fixed(9);
        let (app_id, app_ccs) = identity([0x11; 32], 0xaa, 5);
        let (lamp_id, lamp_ccs) = identity([0x22; 32], 0xbb, 7);
        let (_, relay_ccs) = identity([0x33; 32], 0xcc, 9);
        let responder = |identity, peers| EdhocResponder {
            identity,
            peers,
            max_pending: 2,
            pending_lifetime: 0,
            max_visitors: 1,
            max_visitor_sources: 8,
        };
        let mut app = node("app@example.com");
        app.set_edhoc_responder(Some(responder(app_id, vec![])));
        let mut lamp = node("lamp@home.example.org");
        let app_peer = KnownPeer {
            credential: app_ccs,
            address: Some("app@example.com".into()),
            node: None,
        };
        lamp.set_edhoc_responder(Some(responder(lamp_id, vec![app_peer])));
        let peer = |credential, address: &str| KnownPeer {
            credential,
            address: Some(address.into()),
            node: None,
        };
        // The handshake with the relay: its edhoc_1 is never delivered.
        let (unanswered, _) = app
            .connect(
                0,
                &mut rng,
                "relay",
                Destination::HopPeer,
                peer(relay_ccs, "relay.example.com"),
            )
            .unwrap();
        let (_, out) = app
            .connect(
                0,
                &mut rng,
                "lamp",
                Destination::HopPeer,
                peer(lamp_ccs, "lamp@home.example.org"),
            )
            .unwrap();
        let sessions = exchange(&mut app, &mut lamp, &mut rng, &out);
        let (_, app_ctx, _) = *sessions
            .iter()
            .find(|s| s.0 == "app")
            .expect("the app's context");
        let (request, out) = invoke_under(&mut app, &mut rng, app_ctx);
        assert_eq!(
            request, unanswered,
            "the case: the request to the lamp has the edhoc_1's message_id"
        );
        let out = lamp.receive(2, &mut rng, &"app", &sends(&out)[0].1);
        let [Event::Request { exchange, .. }] = events(&out)[..] else {
            panic!("the lamp takes the request: {out:?}");
        };
        let answer = Body::InvokeResponse(InvokeResponse {
            output: None,
            unknown_fields: Default::default(),
        });
        let out = lamp.reply(2, &mut rng, exchange, &answer).unwrap();
        let out = app.receive(2, &mut rng, &"lamp", &sends(&out)[0].1);
        assert!(
            matches!(&events(&out)[..], [Event::Reply { request: r, body, .. }] if *r == request && *body == answer),
            "the reply reaches the application: {out:?}"
        );
    }

    /// One handshake of `app` with `lamp` with the app's credential by value, at `now` (a fresh app
    /// engine each time: calls are spaced beyond the duplicate caches' lifetime); whether the lamp made
    /// a context, and the output of its answer to `edhoc_3`.
    fn by_value(
        lamp: &mut Node<&'static str>,
        app_id: &LocalIdentity,
        lamp_ccs: &[u8],
        rng: &mut Fixed,
        now: u64,
    ) -> (bool, Vec<u8>) {
        by_value_from(lamp, app_id, lamp_ccs, rng, now, "app", 0x35)
    }

    /// [`by_value`] from the hop peer `from`, with the ephemeral key `[ephemeral; 32]`: handshakes
    /// with different keys are different envelopes, not duplicates, even at the same instant.
    fn by_value_from(
        lamp: &mut Node<&'static str>,
        app_id: &LocalIdentity,
        lamp_ccs: &[u8],
        rng: &mut Fixed,
        now: u64,
        from: &'static str,
        ephemeral: u8,
    ) -> (bool, Vec<u8>) {
        let mut app = node("app@example.com");
        let none: &[KeyId] = &[];
        let (initiator, m1) = Initiator::start(
            app_id,
            IdCredI::ByValue,
            connection_id_from_int(2).unwrap(),
            none,
            &[ephemeral; 32],
        )
        .unwrap();
        let mut input = vec![0u8; 64];
        let n = encode_edhoc_1_input(m1.as_bytes(), &mut input).unwrap();
        let ask = |app: &mut Node<&'static str>, rng: &mut Fixed, body: Body| {
            let (_, out) = app
                .request(
                    now,
                    rng,
                    "lamp",
                    Destination::HopPeer,
                    None,
                    &body,
                    false,
                    None,
                )
                .unwrap();
            sends(&out)[0].1.clone()
        };
        let edhoc_1 = ask(&mut app, rng, security_invoke(EDHOC_1, input[..n].to_vec()));
        let out = lamp.receive(now, rng, &from, &edhoc_1);
        let reply = app.receive(now, rng, &"lamp", &sends(&out)[0].1);
        let message_2 = output(&events(&reply));
        let iotp2p_codec::security::EdhocReply::Message2(m2) =
            decode_edhoc_1_output(&message_2).unwrap()
        else {
            panic!("message_2")
        };
        let held: &[&[u8]] = &[lamp_ccs];
        let (sent, m3) = initiator.receive_message_2(m2, held).unwrap();
        let mut input = vec![0u8; 256];
        let n = encode_edhoc_3_input(sent.c_r(), m3.as_bytes(), &mut input).unwrap();
        let edhoc_3 = ask(&mut app, rng, security_invoke(EDHOC_3, input[..n].to_vec()));
        let out = lamp.receive(now, rng, &from, &edhoc_3);
        let session = events(&out)
            .iter()
            .any(|e| matches!(e, Event::Session { .. }));
        let answer = app.receive(now, rng, &"lamp", &sends(&out)[0].1);
        (session, output(&events(&answer)))
    }

    #[test]
    fn a_revoked_node_is_refused_by_value_until_it_is_added_again() {
        let mut rng = Fixed(11);
        let (app_id, app_ccs) = identity([0x11; 32], 0xaa, 5);
        let (lamp_id, lamp_ccs) = identity([0x22; 32], 0xbb, 7);
        let app_node = NodeId::from_bytes([0xaa; 32]);
        let mut lamp = node("lamp@home.example.org");
        lamp.set_edhoc_responder(Some(EdhocResponder {
            identity: lamp_id,
            peers: vec![],
            max_pending: 2,
            pending_lifetime: 0,
            max_visitors: 1,
            max_visitor_sources: 8,
        }));
        // Not revoked: a visitor context.
        let (session, done) = by_value(&mut lamp, &app_id, &lamp_ccs, &mut rng, 0);
        assert!(session);
        assert_eq!(done, [0xa1, 0x00, 0xf6]);

        // Revoked: refused, whatever it sends by value ([IOTP-SEC-156]).
        assert!(lamp.revoke_peer(&app_node));
        let (session, answer) = by_value(&mut lamp, &app_id, &lamp_ccs, &mut rng, 400_000);
        assert!(!session, "a revoked node got a context");
        assert_ne!(answer, [0xa1, 0x00, 0xf6]);

        // An administrator adds it again: an ordinary context ([IOTP-SEC-123], [IOTP-SEC-192]).
        lamp.add_edhoc_peer(KnownPeer {
            credential: app_ccs,
            address: Some("app@example.com".into()),
            node: Some(app_node),
        });
        let (session, done) = by_value(&mut lamp, &app_id, &lamp_ccs, &mut rng, 800_000);
        assert!(session);
        assert_eq!(done, [0xa1, 0x00, 0xf6]);
    }

    const DONE: [u8; 3] = [0xa1, 0x00, 0xf6];
    /// EDHOC error code 1 with an empty ERR_INFO, in `EdhocFinish.error`.
    const REFUSED: [u8; 5] = [0xa1, 0x02, 0x42, 0x01, 0x60];

    /// A node at `address` answering EDHOC as `id`, holding one visitor and counting `sources`
    /// addresses and node IDs for the rate limit.
    fn taking_visitors(address: &str, id: LocalIdentity, sources: usize) -> Node<&'static str> {
        let mut n = node(address);
        n.set_edhoc_responder(Some(EdhocResponder {
            identity: id,
            peers: vec![],
            max_pending: 2,
            pending_lifetime: 0,
            max_visitors: 1,
            max_visitor_sources: sources,
        }));
        n
    }

    fn lamp_taking_visitors(sources: usize) -> (Node<&'static str>, Vec<u8>) {
        let (lamp_id, lamp_ccs) = identity([0x22; 32], 0xbb, 7);
        let lamp = taking_visitors("lamp@home.example.org", lamp_id, sources);
        (lamp, lamp_ccs)
    }

    #[test]
    fn handshakes_by_value_are_rate_limited_per_address_and_per_claimed_node_id() {
        let mut rng = Fixed(13);
        let (mut lamp, lamp_ccs) = lamp_taking_visitors(8);
        let (mallory, _) = identity([0x11; 32], 0xa1, 5);
        let burst = VISITOR_HANDSHAKE_BURST as u8;
        // A flood from one address: the burst gets in, the rest is refused with EDHOC error 1 and
        // leaves nothing pending ([IOTP-SEC-162], [IOTP-SEC-200]).
        for n in 0..burst + 3 {
            let (session, answer) = by_value_from(
                &mut lamp,
                &mallory,
                &lamp_ccs,
                &mut rng,
                0,
                "mallory",
                0x40 + n,
            );
            if n < burst {
                assert!(session, "handshake {n} of the burst");
                assert_eq!(answer, DONE);
            } else {
                assert!(!session, "handshake {n} beyond the burst got a context");
                assert_eq!(answer, REFUSED);
            }
            assert_eq!(lamp.pending_handshakes(), 0);
        }
        // Another peer at another address, claiming another node ID, still gets in.
        let (alice, _) = identity([0x33; 32], 0xa2, 6);
        let (session, answer) =
            by_value_from(&mut lamp, &alice, &lamp_ccs, &mut rng, 0, "alice", 0x50);
        assert!(session && answer == DONE, "{answer:02x?}");
        // Mallory's node ID from a fresh address and another key: the node ID's own limit.
        let (mallory_again, _) = identity([0x44; 32], 0xa1, 5);
        let (session, answer) = by_value_from(
            &mut lamp,
            &mallory_again,
            &lamp_ccs,
            &mut rng,
            0,
            "carol",
            0x51,
        );
        assert!(!session && answer == REFUSED, "{answer:02x?}");
        // The address is refused under a new node ID too.
        let (dave, _) = identity([0x55; 32], 0xa3, 8);
        let (session, _) = by_value_from(&mut lamp, &dave, &lamp_ccs, &mut rng, 0, "mallory", 0x52);
        assert!(!session);
        // One interval later, one more handshake from that address and node ID; then none.
        let later = VISITOR_HANDSHAKE_INTERVAL;
        let (session, answer) = by_value_from(
            &mut lamp, &mallory, &lamp_ccs, &mut rng, later, "mallory", 0x53,
        );
        assert!(session && answer == DONE, "{answer:02x?}");
        let (session, _) = by_value_from(
            &mut lamp, &mallory, &lamp_ccs, &mut rng, later, "mallory", 0x54,
        );
        assert!(!session);
    }

    #[test]
    fn handshakes_by_kid_are_not_rate_limited() {
        let mut rng = Fixed(17);
        let (mut lamp, lamp_ccs) = lamp_taking_visitors(1);
        let (app_id, app_ccs) = identity([0x11; 32], 0xa1, 5);
        lamp.add_edhoc_peer(KnownPeer {
            credential: app_ccs,
            address: Some("app@example.com".into()),
            node: Some(NodeId::from_bytes([0xa1; 32])),
        });
        let burst = VISITOR_HANDSHAKE_BURST as u8;
        // By value, the known credential makes an ordinary context ([IOTP-SEC-155]) but counts.
        for n in 0..burst {
            let (session, _) =
                by_value_from(&mut lamp, &app_id, &lamp_ccs, &mut rng, 0, "app", 0x60 + n);
            assert!(session);
        }
        let (session, _) = by_value_from(&mut lamp, &app_id, &lamp_ccs, &mut rng, 0, "app", 0x6f);
        assert!(!session, "beyond the burst by value");
        // By kid, from the same address at the same instant: not limited.
        let lamp_peer = KnownPeer {
            credential: lamp_ccs,
            address: Some("lamp@home.example.org".into()),
            node: None,
        };
        let mut app = taking_visitors("app@example.com", app_id, 1);
        let (_, out) = app
            .connect(0, &mut rng, "lamp", Destination::HopPeer, lamp_peer)
            .unwrap();
        let mut wire: Vec<(bool, Vec<u8>)> =
            sends(&out).into_iter().map(|(_, b)| (true, b)).collect();
        let mut lamp_sessions = 0;
        while let Some((to_lamp, bytes)) = wire.pop() {
            let out = if to_lamp {
                lamp.receive(0, &mut rng, &"app", &bytes)
            } else {
                app.receive(0, &mut rng, &"lamp", &bytes)
            };
            lamp_sessions += usize::from(to_lamp)
                * events(&out)
                    .iter()
                    .filter(|e| matches!(e, Event::Session { visitor: false, .. }))
                    .count();
            wire.extend(sends(&out).into_iter().map(|(_, b)| (!to_lamp, b)));
        }
        assert_eq!(lamp_sessions, 1, "the handshake by kid completed");
    }

    #[test]
    fn the_rate_limit_counts_a_bounded_number_of_sources() {
        let mut rng = Fixed(19);
        let sources = 4;
        let (mut lamp, lamp_ccs) = lamp_taking_visitors(sources);
        // Ever new addresses and node IDs: the first `sources` are counted and admitted; while they
        // are still limited, the next are refused rather than a count forgotten ([IOTP-SEC-201]).
        for i in 0..12u8 {
            let from: &'static str = Box::leak(format!("peer-{i}").into_boxed_str());
            let (app, _) = identity([0x11; 32], 0x80 + i, 5);
            let (session, answer) =
                by_value_from(&mut lamp, &app, &lamp_ccs, &mut rng, 0, from, 0x20 + i);
            assert_eq!(session, usize::from(i) < sources, "peer {i}: {answer:02x?}");
            let (addresses, claims) = lamp.visitor_sources();
            assert!(addresses <= sources && claims <= sources);
        }
        assert_eq!(lamp.visitor_sources(), (sources, sources));
        // Once their allowances are full again they are forgotten, and a new peer gets in.
        let (app, _) = identity([0x11; 32], 0x7f, 5);
        let later = VISITOR_HANDSHAKE_INTERVAL;
        let (session, _) = by_value_from(&mut lamp, &app, &lamp_ccs, &mut rng, later, "new", 0x30);
        assert!(session);
        assert_eq!(lamp.visitor_sources(), (1, 1));
    }
}

fn subscribe() -> Body {
    Body::Subscribe(SubscribeRequest {
        endpoint: 1,
        capability: 7,
        members: Some(vec![0]),
        min_interval: 0,
        max_interval: 900,
        lifetime: None,
        unknown_fields: Default::default(),
    })
}

fn level_report(level: u8) -> Body {
    Body::Report(Report {
        endpoint: 1,
        capability: 7,
        values: Some(vec![MemberValue {
            member: 0,
            value: vec![0x18, level],
            unknown_fields: Default::default(),
        }]),
        events: None,
        max_interval: None,
        unknown_fields: Default::default(),
    })
}

/// The app's node ID, which both of the lamp's contexts with it name.
const APP_NODE: &str = "wru6jsobgag5xuwgjfiolkqvhwwlt25jzhsndl2vutlznpot3bwq";

#[test]
fn the_reports_of_a_subscription_reach_the_subscriber_until_it_unsubscribes() {
    let mut rng = Fixed(0);
    let (mut app, mut lamp) = pair();
    let app_node = NodeId::parse(APP_NODE).unwrap();
    // The lamp knows the app's node ID; the app subscribes under their context.
    let first = lamp
        .contexts()
        .by_recipient_id(&KeyId::new(&[1]).unwrap())
        .unwrap();
    lamp.add_context(
        context(6, 5),
        Peer {
            address: Some("someone@example.net".into()),
            kind: ContextKind::Ordinary,
            node: None,
        },
    )
    .unwrap();
    let (subscription, datagram) = app_asks(&mut app, &mut rng, 0, &subscribe(), false);
    let out = lamp.receive(10, &mut rng, &"app", &datagram);
    let [Event::Request {
        exchange,
        hop,
        message_id,
        context: Some(opened_under),
        ..
    }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
    else {
        panic!("{out:?}")
    };
    assert_eq!((message_id, opened_under), (subscription, first));
    let subscriber = lamp.subscriber(opened_under, message_id, hop).unwrap();
    let out = lamp
        .reply(10, &mut rng, exchange, &level_report(128))
        .unwrap();
    let out = app.receive(20, &mut rng, &"lamp", &sends(&out)[0].1);
    assert!(matches!(events(&out)[..], [Event::Reply { request, .. }] if request == subscription));

    // A later report: accepted as a reply to the subscribe ([IOTP-IM-26]), once.
    let out = lamp
        .notify(1_000, &mut rng, &subscriber, &level_report(10), false)
        .unwrap()
        .1;
    let report = sends(&out).remove(0).1;
    assert_eq!(
        Envelope::decode(&report).unwrap().key_id,
        None,
        "under the subscribe's context"
    );
    let out = app.receive(1_010, &mut rng, &"lamp", &report);
    let [Event::Reply { request, body, .. }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
    else {
        panic!("{out:?}")
    };
    assert_eq!((request, body), (subscription, level_report(10)));
    let out = app.receive(1_020, &mut rng, &"lamp", &report);
    assert!(matches!(
        events(&out)[..],
        [Event::Discarded {
            reason: Discard::Duplicate,
            ..
        }]
    ));

    // An unsealed report of the subscription could be anyone's: not accepted ([IOTP-SEC-80]).
    // {1: 9, 2: subscription, 12: {8: {0: 1, 1: 7}}}: an unsealed report.
    let mut forged = vec![0xa3, 0x01, 0x09, 0x02];
    forged.push(u8::try_from(subscription).unwrap());
    forged.extend([0x0c, 0xa1, 0x08, 0xa2, 0x00, 0x01, 0x01, 0x07]);
    let out = app.receive(1_030, &mut rng, &"lamp", &forged);
    assert!(matches!(
        events(&out)[..],
        [Event::Discarded {
            reason: Discard::UnmatchedReply,
            ..
        }]
    ));

    // The two nodes run EDHOC again: a newer context with the app's node ID. The lamp's reports go
    // under it, with key_id ([IOTP-IM-65], [IOTP-SEC-164]), and the app still accepts them.
    for (node, own, peer, address) in [
        (&mut lamp, 4, 3, "app@example.com"),
        (&mut app, 3, 4, "lamp@home.example.org"),
    ] {
        node.add_context(
            context(own, peer),
            Peer {
                address: Some(address.into()),
                kind: ContextKind::Ordinary,
                node: Some(app_node).filter(|_| own == 4),
            },
        )
        .unwrap();
    }
    let mut known = subscriber.clone();
    known.node = Some(app_node);
    let out = lamp
        .notify(2_000, &mut rng, &known, &level_report(11), false)
        .unwrap()
        .1;
    let report = sends(&out).remove(0).1;
    assert_eq!(Envelope::decode(&report).unwrap().key_id, Some(&[4u8][..]));
    let out = app.receive(2_010, &mut rng, &"lamp", &report);
    assert!(
        matches!(&events(&out)[..], [Event::Reply { request, body, .. }] if *request == subscription && *body == level_report(11)),
        "{out:?}"
    );

    // The app unsubscribes: the reports of the subscription are no longer accepted.
    let unsubscribe = Body::Unsubscribe(UnsubscribeRequest {
        subscription,
        unknown_fields: Default::default(),
    });
    app_asks(&mut app, &mut rng, 3_000, &unsubscribe, false);
    let out = lamp
        .notify(3_100, &mut rng, &known, &level_report(12), false)
        .unwrap()
        .1;
    let out = app.receive(3_110, &mut rng, &"lamp", &sends(&out)[0].1);
    assert!(matches!(
        events(&out)[..],
        [Event::Discarded {
            reason: Discard::UnmatchedReply,
            ..
        }]
    ));
    assert!(app.occupancy().within(app.config()));
}

/// The app's confirmable request reaches the lamp, whose application is slow: the acknowledgement
/// goes alone and reaches the app at 20 ms. The request's `message_id` and the lamp's exchange.
fn acknowledged_alone(
    app: &mut Node<&'static str>,
    lamp: &mut Node<&'static str>,
    rng: &mut Fixed,
) -> (u64, ExchangeId) {
    let (request, datagram) = app_asks(app, rng, 0, &invoke(), true);
    let out = lamp.receive(10, rng, &"app", &datagram);
    let [Event::Request { exchange, .. }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
    else {
        panic!("{out:?}")
    };
    let ack = sends(&lamp.on_timer(10, rng)).remove(0).1;
    app.receive(20, rng, &"lamp", &ack);
    (request, exchange)
}

#[test]
fn a_reply_after_a_separate_acknowledgement_is_confirmable_and_survives_its_loss() {
    let mut rng = Fixed(0);
    let (mut app, mut lamp) = pair();
    let (request, exchange) = acknowledged_alone(&mut app, &mut lamp, &mut rng);
    assert_eq!(app.next_deadline(), None, "nothing left to retransmit");

    // The reply is confirmable ([IOTP-MSG-135]); the first copy is lost, the lamp sends it again.
    let first = sends(
        &lamp
            .reply(500, &mut rng, exchange, &empty_response())
            .unwrap(),
    )
    .remove(0)
    .1;
    assert!(Envelope::decode(&first).unwrap().ack_requested);
    let deadline = lamp.next_deadline().expect("the reply is retransmitted");
    let again = sends(&lamp.on_timer(deadline, &mut rng)).remove(0).1;
    assert_eq!(again, first, "the same bytes");
    let out = app.receive(deadline + 10, &mut rng, &"lamp", &again);
    assert!(
        matches!(&events(&out)[..], [Event::Reply { request: r, .. }] if *r == request),
        "{out:?}"
    );
    // The app acknowledges it, which ends the lamp's retransmission.
    let [(to, ack)] = <[(&str, Vec<u8>); 1]>::try_from(sends(&out)).unwrap();
    assert_eq!(to, "lamp");
    assert!(matches!(
        Envelope::decode(&ack).unwrap().body,
        Some(iotp2p_codec::core::Body::Ack)
    ));
    lamp.receive(deadline + 20, &mut rng, &"app", &ack);
    assert_eq!(lamp.next_deadline(), None);
}

/// A requester acknowledges every copy of a confirmable sealed reply, also once its request is
/// answered ([IOTP-MSG-145], [IOTP-MSG-41]): when its first acknowledgement was lost, the copy found
/// no request to open under and was discarded unacknowledged, and the replier retransmitted the reply
/// until it failed, holding back everything behind it towards the requester (NSTART).
#[test]
fn a_copy_of_a_confirmable_reply_is_acknowledged_after_the_reply_was_taken() {
    let mut rng = Fixed(0);
    let (mut app, mut lamp) = pair();
    let (request, exchange) = acknowledged_alone(&mut app, &mut lamp, &mut rng);
    let reply = sends(
        &lamp
            .reply(500, &mut rng, exchange, &empty_response())
            .unwrap(),
    )
    .remove(0)
    .1;
    let out = app.receive(510, &mut rng, &"lamp", &reply);
    assert!(
        matches!(&events(&out)[..], [Event::Reply { request: r, .. }] if *r == request),
        "{out:?}"
    );
    // The app's acknowledgement is lost; the lamp retransmits the reply.
    let deadline = lamp.next_deadline().expect("the reply is retransmitted");
    let again = sends(&lamp.on_timer(deadline, &mut rng)).remove(0).1;
    let out = app.receive(deadline + 10, &mut rng, &"lamp", &again);
    assert!(
        events(&out)
            .iter()
            .all(|e| !matches!(e, Event::Reply { .. })),
        "not a second reply: {out:?}"
    );
    let [(to, ack)] = <[(&str, Vec<u8>); 1]>::try_from(sends(&out))
        .unwrap_or_else(|_| panic!("the copy is acknowledged: {out:?}"));
    assert_eq!(to, "lamp");
    lamp.receive(deadline + 20, &mut rng, &"app", &ack);
    assert_eq!(lamp.next_deadline(), None, "the retransmission ends");
}

#[test]
fn a_duplicate_acknowledged_before_the_reply_makes_the_reply_confirmable() {
    let mut rng = Fixed(0);
    let (mut app, mut lamp) = pair();
    let (_, request) = app_asks(&mut app, &mut rng, 0, &invoke(), true);
    let out = lamp.receive(10, &mut rng, &"app", &request);
    let [Event::Request { exchange, .. }] = <[Event<&str>; 1]>::try_from(events(&out)).unwrap()
    else {
        panic!("{out:?}")
    };
    // The app retransmits before the lamp's application has answered: a bare acknowledgement.
    let out = lamp.receive(2_000, &mut rng, &"app", &request);
    let [(_, ack)] = <[(&str, Vec<u8>); 1]>::try_from(sends(&out)).unwrap();
    assert!(matches!(
        Envelope::decode(&ack).unwrap().body,
        Some(iotp2p_codec::core::Body::Ack)
    ));
    let reply = sends(
        &lamp
            .reply(2_100, &mut rng, exchange, &empty_response())
            .unwrap(),
    )
    .remove(0)
    .1;
    assert!(
        Envelope::decode(&reply).unwrap().ack_requested,
        "[IOTP-MSG-135]"
    );
}

/// An answer to a request sealed end to end, sealed by the home relay under the hop context and
/// naming the request: a status of the relay's is taken, anything else is discarded, since only
/// the request's peer can answer it under their context ([IOTP-SEC-80], §8.5.3).
#[test]
fn the_home_relay_cannot_answer_an_end_to_end_request_but_with_a_status() {
    const RELAY: &str = "_relay@example.com";
    let answer = |body: Body, named: bool| {
        let mut rng = Fixed(0);
        let mut app = node("app@example.com");
        app.set_home_relay(Some("relay"));
        let lamp = app
            .add_context(
                context(1, 2),
                Peer {
                    address: Some("lamp@home.example.org".into()),
                    kind: ContextKind::Ordinary,
                    node: None,
                },
            )
            .unwrap();
        app.add_context(
            context(0x0a, 0x0b),
            Peer {
                address: Some(RELAY.into()),
                kind: ContextKind::Ordinary,
                node: None,
            },
        )
        .unwrap();
        let (request, _) = app
            .request(
                0,
                &mut rng,
                "relay",
                Destination::Address("lamp@home.example.org".into()),
                Some(lamp),
                &invoke(),
                true,
                None,
            )
            .unwrap();
        // The relay's side of the hop context seals its answer to the app's request.
        let mut hop = context(0x0b, 0x0a);
        let plain = body.encode_to_vec().unwrap();
        let mut sealed = vec![0; plain.len() + 8];
        let done = hop
            .seal(
                &Exchange::Answer {
                    request_key_id: KeyId::from_byte(1),
                    correlation_id: request,
                },
                &Routing {
                    version: 1,
                    sender: Some(RELAY),
                    recipient: Some("app@example.com"),
                },
                &plain,
                &mut sealed,
            )
            .unwrap();
        sealed.truncate(done.len);
        let envelope = Envelope {
            version: 1,
            message_id: done.message_id,
            correlation_id: Some(request),
            ack_requested: false,
            ttl: None,
            more: false,
            recipient: None,
            sender: named.then_some(RELAY),
            recipient_contact: None,
            sender_contact: None,
            key_id: Some(&[0x0b]),
            sealed: Some(&sealed),
            body: None,
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .unwrap();
        events(&app.receive(10, &mut rng, &"relay", &envelope))
    };
    // The relay's non-delivery status names the request's recipient ([IOTP-MSG-39]).
    let undeliverable = Body::Status(Status {
        code: StatusCode::Undeliverable,
        member: None,
        capability_status: None,
        detail: None,
        echo: None,
        retry_after: None,
        decode_error: None,
        offset: None,
        recipient: Some("lamp@home.example.org".into()),
        supported_versions: None,
        unknown_fields: Default::default(),
    });
    let out = answer(undeliverable.clone(), true);
    assert!(
        out.iter()
            .any(|e| matches!(e, Event::Reply { body, .. } if *body == undeliverable)),
        "the relay's status is the request's answer: {out:?}"
    );
    // A response sealed under the hop context, with the relay named or not, is not the lamp's.
    for named in [true, false] {
        let out = answer(empty_response(), named);
        assert!(
            !out.iter().any(|e| matches!(e, Event::Reply { .. })),
            "named {named}: {out:?}"
        );
    }
}

/// The lamp of §5.15.1, its side of the context of §8.5.8, with its home relay.
fn lamp_of_5_15_1() -> (
    Node<&'static str>,
    iotp2p_protocol::engine::peers::ContextId,
) {
    let mut lamp = node("lamp@home.example.org");
    lamp.set_home_relay(Some("relay"));
    let ctx = context(2, 1).resume(77, ReplayWindow::new());
    let peer = Peer {
        address: Some("app@example.com".into()),
        kind: ContextKind::Ordinary,
        node: None,
    };
    let id = lamp.add_context(ctx, peer).unwrap();
    (lamp, id)
}

fn requests(out: &[Output<&'static str>]) -> usize {
    events(out)
        .iter()
        .filter(|e| matches!(e, Event::Request { .. }))
        .count()
}

#[test]
fn a_moved_node_opens_what_was_sealed_for_its_previous_address_during_the_grace_period() {
    // The request of §5.15.1 leaves the recipient out and was sealed for lamp@home.example.org
    // ([IOTP-SEC-68]).
    let request = example("05-message-layer.md", "msg.invoke-set-level-sealed");
    let mut rng = Fixed(0);
    let (mut lamp, _) = lamp_of_5_15_1();
    lamp.move_to("lamp@new.example.net".into(), 60_000);
    let out = lamp.receive(1_000, &mut rng, &"relay", &request);
    assert_eq!(
        requests(&out),
        1,
        "opened with the previous address: {out:?}"
    );

    let (mut lamp, _) = lamp_of_5_15_1();
    lamp.move_to("lamp@new.example.net".into(), 60_000);
    let out = lamp.receive(60_000, &mut rng, &"relay", &request);
    assert_eq!(requests(&out), 0, "the grace period is over: {out:?}");
}

#[test]
fn a_peers_previous_address_opens_what_it_sealed_before_its_move_during_the_grace_period() {
    // The request of §5.15.1 names its sender by contact number and was sealed by
    // app@example.com; the lamp has since bound the app to its new address ([IOTP-SEC-163]).
    let request = example("05-message-layer.md", "msg.invoke-set-level-sealed");
    let mut rng = Fixed(0);
    let (mut lamp, id) = lamp_of_5_15_1();
    assert!(lamp.rebind_peer(id, Some("app@new.example.net".into()), Some(60_000)));
    let out = lamp.receive(1_000, &mut rng, &"relay", &request);
    assert_eq!(
        requests(&out),
        1,
        "opened with the peer's previous address: {out:?}"
    );

    let (mut lamp, id) = lamp_of_5_15_1();
    assert!(lamp.rebind_peer(id, Some("app@new.example.net".into()), None));
    let out = lamp.receive(1_000, &mut rng, &"relay", &request);
    assert_eq!(requests(&out), 0, "no grace period: {out:?}");
}

/// A node keeps room in its waiting queue for the reply to each request it has taken
/// ([IOTP-MSG-144]): a confirmable request that arrives when the queue could not take its reply is
/// discarded unrecorded and unacknowledged, and comes again by its retransmission once there is room;
/// an envelope of the node's own does not take the room an unanswered request needs. A lamp that
/// took and acknowledged a request with its queue full lost the reply for good.
#[test]
fn a_request_is_taken_only_with_room_for_its_reply() {
    let mut rng = Fixed(0);
    let (mut app, _) = pair();
    let mut lamp = Node::new(
        Config {
            address: Some("lamp@home.example.org".into()),
            max_waiting: 2,
            ..Config::default()
        },
        0,
    );
    lamp.add_context(context(2, 1), app_peer()).unwrap();
    let ctx = lamp.contexts().by_recipient_id(&KeyId::new(&[1]).unwrap());
    let mut now = 0;
    // The lamp's application is slow: each request's acknowledgement goes alone, so each reply is
    // confirmable ([IOTP-MSG-135]), and the app does not acknowledge the first reply yet: the others
    // wait their turn (NSTART) behind it.
    let take =
        |app: &mut Node<&'static str>, lamp: &mut Node<&'static str>, rng: &mut Fixed, now: u64| {
            let (_, request) = app_asks(app, rng, now, &invoke(), true);
            let out = lamp.receive(now, rng, &"app", &request);
            let exchange = match &events(&out)[..] {
                [Event::Request { exchange, .. }] => Some(*exchange),
                _ => None,
            };
            (exchange, request, out)
        };
    let mut exchanges = Vec::new();
    for _ in 0..2 {
        now += 100;
        let (exchange, _, out) = take(&mut app, &mut lamp, &mut rng, now);
        exchanges.push(exchange.unwrap_or_else(|| panic!("taken: {out:?}")));
        let ack = sends(&lamp.on_timer(now, &mut rng)).remove(0).1;
        app.receive(now, &mut rng, &"lamp", &ack);
    }
    // Both places are kept for the two replies owed: a third request is neither taken nor
    // acknowledged.
    now += 100;
    let (exchange, third, out) = take(&mut app, &mut lamp, &mut rng, now);
    assert_eq!(exchange, None);
    let discarded = [Output::Event(Event::Discarded {
        from: "app",
        reason: Discard::NoRoom,
    })];
    assert_eq!(out, discarded);
    assert!(
        sends(&lamp.on_timer(now, &mut rng)).is_empty(),
        "no acknowledgement"
    );

    // The first reply goes at once; one envelope of the lamp's own may wait behind it, a second
    // may not: it would take the place kept for the second reply, which then waits.
    let first = sends(
        &lamp
            .reply(now, &mut rng, exchanges[0], &empty_response())
            .unwrap(),
    );
    assert_eq!(first.len(), 1, "the first reply goes at once");
    let own = |lamp: &mut Node<&'static str>, rng: &mut Fixed| {
        lamp.request(
            now,
            rng,
            "app",
            Destination::HopPeer,
            ctx,
            &invoke(),
            true,
            None,
        )
    };
    assert!(
        sends(&own(&mut lamp, &mut rng).unwrap().1).is_empty(),
        "it waits"
    );
    assert!(
        own(&mut lamp, &mut rng).is_err(),
        "an envelope of the lamp's own does not take the place kept for a reply"
    );
    let out = lamp
        .reply(now, &mut rng, exchanges[1], &empty_response())
        .unwrap();
    assert!(sends(&out).is_empty(), "the second reply waits: {out:?}");
    // The queue is full: the third request's retransmission (the same bytes) is discarded again.
    assert_eq!(lamp.receive(now, &mut rng, &"app", &third), discarded);

    // The app acknowledges the first reply, the lamp's own request starts and a place is free
    // again: the third request is taken.
    let out = app.receive(now, &mut rng, &"lamp", &first[0].1);
    let ack = sends(&out).remove(0).1;
    let out = lamp.receive(now, &mut rng, &"app", &ack);
    assert_eq!(sends(&out).len(), 1, "the next envelope starts: {out:?}");
    let out = lamp.receive(now, &mut rng, &"app", &third);
    assert!(
        matches!(&events(&out)[..], [Event::Request { .. }]),
        "taken now: {out:?}"
    );
}

#[test]
fn a_reply_names_its_recipient_and_sender_off_the_home_relay() {
    // [IOTP-MSG-22], [IOTP-MSG-23], [IOTP-MSG-25]: a request that a hop peer other than the home
    // relay passed on, from a sender named in full, is answered with that sender as `recipient` and
    // the lamp's own address as `sender`: the hop peer, a relay of another domain, knows neither.
    // Through the home relay the lamp leaves `sender` out; to an anonymous hop peer, both.
    const HEATER: &str = "heater@other.example";
    let reply_via = |hop: &'static str, sender: Option<&str>| {
        let mut rng = Fixed(0);
        let mut lamp = node("lamp@home.example.org");
        lamp.set_home_relay(Some("relay"));
        let read = iotp2p_codec::core::ReadRequest::new(7);
        let request = Envelope {
            recipient: sender.map(|_| "lamp@home.example.org"),
            sender,
            body: Some(iotp2p_codec::core::Body::Read(read)),
            ..Envelope::new(7)
        };
        let out = lamp.receive(0, &mut rng, &hop, &request.encode_to_vec().unwrap());
        let Some(Event::Request { exchange, .. }) = events(&out).into_iter().next() else {
            panic!("no request: {out:?}");
        };
        let out = lamp
            .reply(0, &mut rng, exchange, &empty_response())
            .unwrap();
        let (to, bytes) = sends(&out).into_iter().next().unwrap();
        assert_eq!(to, hop);
        let reply = Envelope::decode(&bytes).unwrap();
        (
            reply.recipient.map(String::from),
            reply.sender.map(String::from),
        )
    };
    assert_eq!(
        reply_via("relay-b", Some(HEATER)),
        (Some(HEATER.into()), Some("lamp@home.example.org".into()))
    );
    assert_eq!(
        reply_via("relay", Some(HEATER)),
        (Some(HEATER.into()), None)
    );
    assert_eq!(reply_via("app-direct", None), (None, None));
}

/// The lamp as a device's firmware builds it: its engine decodes as a device receives
/// (`role::Device`), and keeps a body a device never receives as an unknown variant.
fn device_lamp() -> Node<&'static str, role::Device> {
    let mut lamp = Node::with_role(
        Config {
            address: Some("lamp@home.example.org".into()),
            ..Config::default()
        },
        0,
        role::Device,
    );
    lamp.add_context(context(2, 1), app_peer()).unwrap();
    lamp
}

/// The status in the one datagram of `out`, opened by `app` (sealed or not).
fn status_at_app(
    app: &mut Node<&'static str>,
    rng: &mut Fixed,
    out: &[Output<&'static str>],
) -> Option<StatusCode> {
    let [(to, bytes)] = <[_; 1]>::try_from(sends(out)).ok()?;
    assert_eq!(to, "app");
    events(&app.receive(10, rng, &"lamp", &bytes))
        .into_iter()
        .find_map(|e| match e {
            Event::Reply {
                body: Body::Status(s),
                ..
            } => Some(s.code),
            _ => None,
        })
}

#[test]
fn a_device_answers_a_body_it_never_receives_as_an_unknown_variant() {
    // A `report` is never received by a device (`@received_by(app)`): a device-role engine has no
    // decoder for it, so it is an unknown variant (§5.9.1): a request is answered
    // `UnsupportedRequest`, and never reaches the application; a reply matching nothing is
    // discarded, as any unmatched reply.
    let mut rng = Fixed(0);
    let (mut app, mut everything) = pair();
    let mut lamp = device_lamp();
    let ctx = app.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap());
    for context in [ctx, None] {
        let (_, out) = app
            .request(
                0,
                &mut rng,
                "lamp",
                Destination::HopPeer,
                context,
                &level_report(3),
                false,
                None,
            )
            .unwrap();
        let request = sends(&out).remove(0).1;

        // Decoding every body, the lamp takes it for a request of the application.
        let out = everything.receive(1, &mut rng, &"app", &request);
        assert!(
            matches!(
                &events(&out)[..],
                [Event::Request {
                    body: Body::Report(_),
                    ..
                }]
            ),
            "{out:?}"
        );

        let out = lamp.receive(1, &mut rng, &"app", &request);
        assert_eq!(
            events(&out),
            [Event::Discarded {
                from: "app",
                reason: Discard::UnknownBody
            }],
            "sealed: {}",
            context.is_some()
        );
        assert_eq!(
            status_at_app(&mut app, &mut rng, &out),
            Some(StatusCode::UnsupportedRequest),
            "sealed: {}",
            context.is_some()
        );
    }

    // A report in reply to nothing the lamp asked: discarded, nothing sent.
    let mut reply = Envelope::new(7);
    reply.correlation_id = Some(99);
    let report = level_report(3).encode_to_vec().unwrap();
    reply.body = Some(iotp2p_codec::core::Body::decode(&report).unwrap());
    let out = lamp.receive(2, &mut rng, &"app", &reply.encode_to_vec().unwrap());
    assert_eq!(
        out,
        [Output::Event(Event::Discarded {
            from: "app",
            reason: Discard::UnmatchedReply
        })]
    );
}

#[test]
fn a_device_refuses_to_send_a_body_it_never_sends() {
    // A `read` is sent by apps and relays (`@sent_by(app, relay)`): a device-role engine has no
    // encoder for it and refuses it before anything is recorded; what a device sends (an invoke)
    // goes.
    let mut rng = Fixed(0);
    let mut lamp = device_lamp();
    let ctx = lamp.contexts().by_recipient_id(&KeyId::new(&[1]).unwrap());
    let read = Body::Read(ReadRequest::new(7));
    for (body, sent) in [
        (read, Err(SendError::Encode(EncodeError::NotSentByRole))),
        (invoke(), Ok(1)),
    ] {
        let out = lamp.request(
            0,
            &mut rng,
            "app",
            Destination::HopPeer,
            ctx,
            &body,
            true,
            None,
        );
        assert_eq!(out.map(|(_, out)| sends(&out).len()), sent, "{body:?}");
        assert_eq!(lamp.occupancy().pending, sent.map_or(0, |_| 1));
    }
}
