//! A scenario's node that serves the Security capability (feature `security`): the protocol crate's
//! [`Server`] with its [`SecurityService`], as the reference lamp runs it, on the fixture
//! application of the set-up's capabilities. The device starts unclaimed, its pairing window open,
//! with what the set-up says it holds from manufacture; access is its access control list's.
//!
//! Such a node answers `datagram`, `tick`, `change` (its application's new value, reported to the
//! subscriptions) and `rehome` (which a scenario sends after `commission`, so that the runner
//! addresses the device as the address it took); the application's own requests (`app`,
//! `presence`) belong to the plain node of [`super`] and are refused here. With
//! `node.edhoc`, the device answers EDHOC with that identity and the peers its controllers give it.

use iotp2p_protocol::engine::{Config, Node, Output};
use iotp2p_protocol::interaction::Change;
use iotp2p_protocol::security::spake2plus::ProverSecret;
use iotp2p_protocol::security::IdentityKey;
use iotp2p_protocol::server::security::{Manufactured, SecurityService};
use iotp2p_protocol::server::Server;

use super::{edhoc_responder, model, Fixture, Lcg};
use crate::protocol::OutDatagram;
use crate::scenario::NodeSetup;
use crate::suite::{hex, unhex};

/// A running device with the Security capability.
pub(super) struct Secured {
    pub(super) id: String,
    server: Server<String, Fixture>,
    rng: Lcg,
}

impl Secured {
    /// The device of `setup`, out of its box at time 0.
    pub(super) fn start(id: &str, setup: &NodeSetup) -> Result<Secured, String> {
        let made = setup
            .security
            .as_ref()
            .ok_or("the set-up gives no `security`")?;
        let key: [u8; 32] = unhex(&made.identity_key)?
            .try_into()
            .map_err(|_| "an identity key of 32 bytes")?;
        let identity = IdentityKey::from_bytes(&key).map_err(|e| format!("identity_key: {e:?}"))?;
        let salt = unhex(&made.salt)?;
        let secret = ProverSecret::from_passcode(made.passcode, &salt, made.iterations)
            .map_err(|e| format!("the passcode's verifier: {e:?}"))?;
        let security = SecurityService::unclaimed(
            Manufactured {
                identity,
                auth_credentials: vec![unhex(&made.credential)?],
                verifier: secret.record(),
                salt,
                iterations: made.iterations,
                suites: vec![2],
            },
            0,
        )
        .map_err(|e| format!("the device cannot start: {e:?}"))?;
        let mut node = Node::new(
            Config {
                address: setup.address.clone(),
                ..Config::default()
            },
            setup.counter,
        );
        node.set_home_relay(setup.home_relay.clone());
        // The peers its controllers give it (`add_peer`) join the responder's known peers.
        if let Some(edhoc) = &setup.edhoc {
            node.set_edhoc_responder(Some(edhoc_responder(edhoc)?));
        }
        let mut fixture = Fixture::default();
        let model = model(&setup.capabilities, &mut fixture)?;
        Ok(Secured {
            id: id.into(),
            server: Server::with_security(node, model, Default::default(), fixture, security),
            rng: Lcg(0x5eed),
        })
    }

    /// A datagram from the hop peer `from`: the datagrams the device sends.
    pub(super) fn receive(&mut self, now: u64, from: &str, bytes: &[u8]) -> Vec<OutDatagram> {
        let out = self
            .server
            .receive(now, &mut self.rng, &from.to_string(), bytes);
        // As a host does: the address `commission` gave becomes the engine's.
        let commissioned = self
            .server
            .security_mut()
            .and_then(SecurityService::take_commissioned);
        if let Some(c) = commissioned {
            self.server.node_mut().set_address(Some(c.address));
        }
        sends(out)
    }

    /// The device takes `address` (a `rehome` step: the runner learns the address it took), still
    /// opening envelopes for the address it leaves until `grace_until`, when given.
    pub(super) fn rehome(&mut self, address: &str, grace_until: Option<u64>) {
        let node = self.server.node_mut();
        match grace_until {
            Some(until) => node.move_to(address.into(), until),
            None => node.set_address(Some(address.into())),
        }
    }

    /// The application set the member `at` (endpoint, capability, member) to `value` (hex of its
    /// encoding): the reports due go out.
    pub(super) fn change(
        &mut self,
        now: u64,
        at: (u16, u16, u16),
        value: &str,
    ) -> Result<Vec<OutDatagram>, String> {
        let app = self.server.app_mut();
        app.values.insert(at, unhex(value)?);
        app.changes.push(Change::Property {
            endpoint: at.0,
            capability: at.1,
            member: at.2,
        });
        Ok(sends(self.server.poll(now, &mut self.rng)))
    }

    /// The clock reached `now`.
    pub(super) fn tick(&mut self, now: u64) -> Vec<OutDatagram> {
        let out = self.server.on_timer(now, &mut self.rng);
        sends(out)
    }

    /// When the device next wants a `tick`.
    pub(super) fn next_deadline(&self) -> Option<u64> {
        self.server.next_deadline()
    }
}

/// The datagrams among the server's outputs; its events are the device's own business.
fn sends(out: Vec<Output<String>>) -> Vec<OutDatagram> {
    out.into_iter()
        .filter_map(|o| match o {
            Output::Send { to, bytes } => Some(OutDatagram {
                to,
                hex: hex(&bytes),
            }),
            _ => None,
        })
        .collect()
}
