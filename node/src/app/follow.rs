//! An app's side of re-homing (spec §8.9): it knows devices by their credential statements, moves a
//! device it administers to another provider (`rehome`), and follows a device that moved when the
//! device or its owner gives it the re-homing statement (`apply_statement`, §8.9.2), binding the new
//! address while the previous one still works for the grace period ([IOTP-SEC-113],
//! [IOTP-SEC-114]).

use iotp2p_codec::core::owned::{Body, InvokeRequest, InvokeResponse};
use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{RehomeRequest, RehomeResult, RelayInfo};
use iotp2p_protocol::controller::ControllerError;
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{ExchangeId, Origin};
use iotp2p_protocol::interaction::check::status;
use iotp2p_protocol::security::statement::{
    rehoming_previous_address, verify_credential, verify_rehoming, Trust,
};
use iotp2p_protocol::security::NodeId;
use iotp2p_protocol::server::security::{member, SECURITY};

use super::{expect_success, AppError, UdpApp};

/// What `rehome` gave: the statements the owner hands the relays ([`crate::relay::UdpRelay`]'s
/// `register_moved` and `release_moved`) and the device's peers.
#[derive(Clone, Debug)]
pub struct Rehome {
    /// The signed re-homing statement (an encoded `SignedStatement`).
    pub statement: Vec<u8>,
    /// The device's new credential statement, naming the new address.
    pub credential: Vec<u8>,
}

impl UdpApp {
    /// Holds a device's credential statement: its authentication credential (for EDHOC) and
    /// identity key (for its statements), by the address it names. Gives its node ID.
    pub fn know(&mut self, statement: &[u8]) -> Result<NodeId, AppError> {
        let refused = |why: String| AppError::Claim(ControllerError::Credential(why));
        let verified = verify_credential(statement).map_err(|e| refused(format!("{e}")))?;
        let address = verified
            .statement
            .address
            .ok_or_else(|| refused("the credential statement names no address".into()))?;
        let credential = verified
            .statement
            .auth_credentials
            .iter()
            .next()
            .ok_or_else(|| refused("the credential statement has no key".into()))?;
        self.devices.insert(address.into(), credential.to_vec());
        self.keys.insert(address.into(), (verified.identity_key, 0));
        Ok(verified.node_id)
    }

    /// Where the device known at `address` is now (the address itself unless it moved).
    pub fn current(&self, address: &str) -> String {
        let mut at = address;
        // A chain of moves is at most as long as the devices known.
        for _ in 0..=self.moved.len() {
            match self.moved.get(at) {
                Some(next) => at = next,
                None => break,
            }
        }
        at.to_owned()
    }

    /// Moves the device at `address`, which the app administers, to `new_address` served by `relay`
    /// (§8.9.1), and follows it. Gives the statements for the relays and the device's other peers.
    pub async fn rehome(
        &mut self,
        address: &str,
        new_address: &str,
        relay: Option<RelayInfo>,
    ) -> Result<Rehome, AppError> {
        let input = RehomeRequest {
            new_address: new_address.into(),
            relay,
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|e| AppError::Engine(format!("the rehome request: {e}")))?;
        let reply = self
            .ask(
                address,
                Body::Invoke(InvokeRequest {
                    endpoint: 0,
                    capability: SECURITY,
                    action: member::REHOME,
                    input: Some(input),
                    echo: None,
                    unknown_fields: Default::default(),
                }),
            )
            .await?;
        let output = match reply {
            Body::InvokeResponse(InvokeResponse {
                output: Some(output),
                ..
            }) => output,
            other => {
                expect_success(other)?;
                return Err(AppError::Claim(ControllerError::UnexpectedReply));
            }
        };
        let unexpected = |_| AppError::Claim(ControllerError::UnexpectedReply);
        let result = RehomeResult::decode(&output).map_err(unexpected)?;
        let statement = result
            .rehoming
            .encode_to_vec()
            .map_err(|_| AppError::Claim(ControllerError::UnexpectedReply))?;
        let credential = result
            .credential
            .encode_to_vec()
            .map_err(|_| AppError::Claim(ControllerError::UnexpectedReply))?;
        self.follow(&statement, None).await?;
        Ok(Rehome {
            statement,
            credential,
        })
    }

    /// Accepts a device's re-homing statement (§8.9.3): signed by the identity key the app holds
    /// for the device bound to its `previous_address`, with a sequence above the last accepted one,
    /// and, when it came from `sender`, naming that sender as `new_address` ([IOTP-SEC-166]). The app
    /// then binds the new address ([IOTP-SEC-113]) and its context with the device accepts the
    /// previous one until the grace period ends ([IOTP-SEC-114]). Gives the new address.
    pub async fn follow(
        &mut self,
        statement: &[u8],
        sender: Option<&str>,
    ) -> Result<String, AppError> {
        let refused = |why: String| AppError::Claim(ControllerError::Credential(why));
        let previous = rehoming_previous_address(statement)
            .ok_or_else(|| refused("not a re-homing statement".into()))?
            .to_owned();
        let (key, sequence) = *self
            .keys
            .get(&previous)
            .ok_or_else(|| refused(format!("no device known at {previous:?}")))?;
        let known = [key];
        let trust = Trust {
            known: &known,
            administrators: &[],
            rotated_away: &[],
        };
        let verified = verify_rehoming(statement, &trust, &previous, sequence)
            .map_err(|e| refused(format!("the re-homing statement: {e}")))?;
        let s = verified.statement;
        let new_address = s.new_address.to_owned();
        if sender.is_some_and(|a| a != new_address && a != previous) {
            return Err(refused(
                "sent from neither of the statement's addresses".into(),
            ));
        }
        let grace_ms = u64::from(s.grace_period) * 1_000;
        self.keys.remove(&previous);
        self.keys.insert(new_address.clone(), (key, s.sequence));
        if let Some(credential) = self.devices.remove(&previous) {
            self.devices.insert(new_address.clone(), credential);
        }
        self.moved.insert(previous.clone(), new_address.clone());
        if let Some(context) = self.contexts.remove(&previous) {
            self.contexts.insert(new_address.clone(), context);
            let to = new_address.clone();
            self.node
                .with_engine(move |n, now, _| {
                    let until = now.saturating_add(grace_ms);
                    (n.rebind_peer(context, Some(to), Some(until)), Vec::new())
                })
                .await?;
        }
        Ok(new_address)
    }

    /// Answers a request that came while the app waited for a reply: `apply_statement` with a
    /// device's re-homing statement is followed; anything else is not served by an app.
    pub(super) async fn answer(
        &mut self,
        exchange: ExchangeId,
        sender: &Origin<std::net::SocketAddr>,
        context: Option<ContextId>,
        body: &Body,
    ) -> Result<(), AppError> {
        let code = match body {
            Body::Invoke(i)
                if (i.endpoint, i.capability, i.action)
                    == (0, SECURITY, member::APPLY_STATEMENT)
                    && context.is_some() =>
            {
                let from = match sender {
                    Origin::Address(a) => Some(a.as_str()),
                    _ => None,
                };
                let input = i.input.as_deref().unwrap_or_default();
                match self.follow(input, from).await {
                    Ok(_) => None,
                    Err(_) => Some(StatusCode::Forbidden),
                }
            }
            _ => Some(StatusCode::UnsupportedRequest),
        };
        let reply = match code {
            None => Body::InvokeResponse(InvokeResponse {
                output: None,
                unknown_fields: Default::default(),
            }),
            Some(code) => Body::Status(status(code, None)),
        };
        self.node
            .with_engine(move |n, now, rng| {
                let out = n.reply(now, rng, exchange, &reply).unwrap_or_default();
                ((), out)
            })
            .await?;
        Ok(())
    }
}
