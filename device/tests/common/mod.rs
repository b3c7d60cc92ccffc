//! A device's server and an app's engine on a direct hop with a shared security context, in memory
//! and on a virtual clock: what the app asks, the device answers through its profile. The device's
//! engine decodes as a device receives (`role::Device`), as its firmware does.

#![allow(dead_code)]

use iotp2p_codec::core::owned::{self, Body};
use iotp2p_codec::core::role;
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node, Output};
use iotp2p_protocol::interaction::model::Model;
use iotp2p_protocol::interaction::{Capabilities, Config as InteractionConfig};
use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};
use iotp2p_protocol::server::Server;
use rand_core::{impls, CryptoRng, RngCore};

/// Randomness that always draws the same value: timers and challenges are exact.
pub struct Fixed(pub u32);

impl CryptoRng for Fixed {}

impl RngCore for Fixed {
    fn next_u32(&mut self) -> u32 {
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        impls::next_u64_via_u32(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

fn context(sender: u8, recipient: u8) -> SecurityContext {
    SecurityContext::derive(
        MasterSecret {
            secret: &[7; 16],
            salt: &[9; 8],
        },
        KeyId::new(&[sender]).unwrap(),
        KeyId::new(&[recipient]).unwrap(),
    )
}

fn node_config(address: &str) -> Config {
    Config {
        address: Some(address.into()),
        ..Config::default()
    }
}

/// The app and the device.
pub struct Bench<A> {
    pub now: u64,
    pub rng: Fixed,
    pub app: Node<&'static str>,
    pub device: Server<&'static str, A, role::Device>,
    /// The app's context with the device.
    pub context: ContextId,
    /// The replies the app received that `ask` did not take: a subscription's reports.
    pub replies: Vec<(u64, Body)>,
    /// Every datagram the app sent to the device, in order (to replay them).
    pub sent: Vec<Vec<u8>>,
}

impl<A: Capabilities> Bench<A> {
    /// The device serving `model` with `profile`, and an app that shares a context with it.
    pub fn new(profile: A, model: Model, config: InteractionConfig) -> Self {
        let mut app = Node::new(node_config("app@example.com"), 0);
        let shared = app
            .add_context(context(1, 2), peer("device@home.example.org"))
            .unwrap();
        let node = Node::with_role(node_config("device@home.example.org"), 0, role::Device);
        let mut device = Server::new(node, model, config, profile);
        device
            .node_mut()
            .add_context(context(2, 1), peer("app@example.com"))
            .unwrap();
        Bench {
            now: 0,
            rng: Fixed(7),
            app,
            device,
            context: shared,
            replies: Vec::new(),
            sent: Vec::new(),
        }
    }

    /// The app sends `body`; returns the reply to it once both sides are quiet.
    pub fn ask(&mut self, body: Body) -> Body {
        let (id, out) = self
            .app
            .request(
                self.now,
                &mut self.rng,
                "device",
                Destination::HopPeer,
                Some(self.context),
                &body,
                true,
                None,
            )
            .unwrap();
        self.settle_app(out);
        let at = self
            .replies
            .iter()
            .position(|(request, _)| *request == id)
            .expect("the device answers");
        self.replies.remove(at).1
    }

    /// The device's clock runs to `now`, with its timers; what it sends reaches the app.
    pub fn advance(&mut self, now: u64) {
        self.now = now;
        let out = self.device.on_timer(now, &mut self.rng);
        self.settle_device(out);
    }

    /// The device's application changed something itself.
    pub fn poll(&mut self) {
        let out = self.device.poll(self.now, &mut self.rng);
        self.settle_device(out);
    }

    /// Delivers the datagram again, as an attacker who recorded it would.
    pub fn replay(&mut self, datagram: &[u8]) {
        let out = self
            .device
            .receive(self.now, &mut self.rng, &"app", datagram);
        self.settle_device(out);
    }

    fn settle_app(&mut self, out: Vec<Output<&'static str>>) {
        let mut to_device = Vec::new();
        for o in out {
            match o {
                Output::Send { bytes, .. } => to_device.push(bytes),
                Output::Event(Event::Reply { request, body, .. }) => {
                    self.replies.push((request, body))
                }
                Output::Event(_) => {}
            }
        }
        for bytes in to_device {
            self.sent.push(bytes.clone());
            let out = self.device.receive(self.now, &mut self.rng, &"app", &bytes);
            self.settle_device(out);
        }
    }

    fn settle_device(&mut self, out: Vec<Output<&'static str>>) {
        for o in out {
            if let Output::Send { bytes, .. } = o {
                let back = self.app.receive(self.now, &mut self.rng, &"device", &bytes);
                self.settle_app(back);
            }
        }
    }
}

fn peer(address: &str) -> Peer {
    Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

/// An invoke of `action` on (`endpoint`, `capability`).
pub fn invoke(endpoint: u16, capability: u16, action: u16, input: Option<Vec<u8>>) -> Body {
    Body::Invoke(owned::InvokeRequest {
        endpoint,
        capability,
        action,
        input,
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// A read of `members` (all when `None`).
pub fn read(endpoint: u16, capability: u16, members: Option<Vec<u16>>) -> Body {
    Body::Read(owned::ReadRequest {
        endpoint,
        capability,
        members,
        unknown_fields: Default::default(),
    })
}

/// A write of `values`.
pub fn write(endpoint: u16, capability: u16, values: &[(u16, Vec<u8>)]) -> Body {
    Body::Write(owned::WriteRequest {
        endpoint,
        capability,
        values: values
            .iter()
            .map(|(member, value)| owned::MemberValue {
                member: *member,
                value: value.clone(),
                unknown_fields: Default::default(),
            })
            .collect(),
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// A subscribe to every member of (`endpoint`, `capability`).
pub fn subscribe(endpoint: u16, capability: u16, max_interval: u32) -> Body {
    Body::Subscribe(owned::SubscribeRequest {
        endpoint,
        capability,
        members: None,
        min_interval: 0,
        max_interval,
        lifetime: None,
        unknown_fields: Default::default(),
    })
}

/// The values of a report, by member.
pub fn values(body: &Body) -> Vec<(u16, Vec<u8>)> {
    match body {
        Body::Report(r) => r
            .values
            .iter()
            .flatten()
            .map(|v| (v.member, v.value.clone()))
            .collect(),
        other => panic!("not a report: {other:?}"),
    }
}

/// The status code of a status body.
pub fn status(body: &Body) -> iotp2p_codec::core::StatusCode {
    match body {
        Body::Status(s) => s.code,
        other => panic!("not a status: {other:?}"),
    }
}
