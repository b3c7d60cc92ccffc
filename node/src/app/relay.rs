//! The app as a controller of its provider account (spec §3.6.1): the Relay capability of its home
//! relay's service, asked under the hop context: `enrol` with the token the provider gave the owner,
//! `register` and `release` of the devices it commissioned (with a re-homing statement when one
//! moves), and `lookup` of an address of the relay's domain.

use iotp2p_codec::capabilities::owned::{
    EnrolRequest, EnrolResult, LookupResult, RegisterRequest, ReleaseRequest,
};
use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::runtime::Message;
use iotp2p_codec::security::owned::SignedStatement;
use iotp2p_protocol::controller::ControllerError;
use iotp2p_protocol::engine::Destination;
use iotp2p_protocol::server::relay::{member, RELAY};

use super::{expect_success, AppError, UdpApp};

/// A statement, as a field of a request.
fn signed(bytes: &[u8]) -> Result<SignedStatement, AppError> {
    SignedStatement::decode(bytes)
        .map_err(|e| AppError::Claim(ControllerError::Credential(format!("{e:?}"))))
}

fn encoded<'m, M: Message<'m>>(m: &M) -> Result<Vec<u8>, AppError> {
    m.encode_to_vec()
        .map_err(|e| AppError::Engine(format!("encoding the request: {e:?}")))
}

/// The output of a successful action with one.
fn output<'m, M: Message<'m>>(reply: &'m Body) -> Result<M, AppError> {
    match reply {
        Body::InvokeResponse(r) => M::decode(r.output.as_deref().unwrap_or_default())
            .map_err(|_| AppError::Claim(ControllerError::UnexpectedReply)),
        _ => expect_success(reply.clone())
            .and(Err(AppError::Claim(ControllerError::UnexpectedReply))),
    }
}

impl UdpApp {
    /// Invokes `action` of the home relay's Relay capability with `input`, under the hop context.
    async fn relay_service(&mut self, action: u16, input: Vec<u8>) -> Result<Body, AppError> {
        let body = Body::Invoke(InvokeRequest {
            input: Some(input),
            ..InvokeRequest::new(RELAY, action)
        });
        let (relay, service) = (self.relay, self.service.clone());
        let id = self
            .node
            .request(
                relay,
                Destination::Address(service.clone()),
                Some(self.hop),
                body,
                true,
                None,
            )
            .await
            .map_err(|e| AppError::Engine(e.to_string()))?;
        self.reply(&service, relay, id).await
    }

    /// Joins the provider account that `token` stands for (§3.6.1.1): the app becomes one of its
    /// administrators.
    pub async fn enrol(&mut self, token: &[u8]) -> Result<EnrolResult, AppError> {
        let input = encoded(&EnrolRequest::new(token.to_vec(), signed(&self.statement)?))?;
        let reply = self.relay_service(member::ENROL, input).await?;
        output(&reply)
    }

    /// Binds the address that the device's credential statement `credential` names to the device
    /// (§3.6.1.2), with its re-homing statement when it moves here from another address.
    pub async fn register(
        &mut self,
        credential: &[u8],
        rehoming: Option<&[u8]>,
    ) -> Result<(), AppError> {
        self.register_with(credential, rehoming, &[]).await
    }

    /// Binds the address that `credential` names to the device at this relay, to which the
    /// address's domain moves from the relays `previous_relays` of its previous provider (their host
    /// names, §3.11.4): this relay then accepts from them what they held for the address.
    pub async fn register_from_previous_relays(
        &mut self,
        credential: &[u8],
        previous_relays: &[String],
    ) -> Result<(), AppError> {
        self.register_with(credential, None, previous_relays).await
    }

    async fn register_with(
        &mut self,
        credential: &[u8],
        rehoming: Option<&[u8]>,
        previous_relays: &[String],
    ) -> Result<(), AppError> {
        let input = encoded(&RegisterRequest {
            credential: signed(credential)?,
            policy: None,
            // Never present and empty (the schema's rule).
            previous_relays: (!previous_relays.is_empty()).then(|| previous_relays.to_vec()),
            rehoming: rehoming.map(signed).transpose()?,
            unknown_fields: Default::default(),
        })?;
        expect_success(self.relay_service(member::REGISTER, input).await?)
    }

    /// Gives `address` up (§3.6.1.3), with the device's re-homing statement when it moves.
    pub async fn release(
        &mut self,
        address: &str,
        rehoming: Option<&[u8]>,
    ) -> Result<(), AppError> {
        let input = encoded(&ReleaseRequest {
            address: address.into(),
            rehoming: rehoming.map(signed).transpose()?,
            unknown_fields: Default::default(),
        })?;
        expect_success(self.relay_service(member::RELEASE, input).await?)
    }

    /// What the home relay says of `address` (§3.10.2): the credential statement of the node bound
    /// to it, and during a move its re-homing statement. A credential statement found is the
    /// weakest of bindings: the caller verifies it and checks the address ([IOTP-DLV-68]) before
    /// it [`know`](UdpApp::know)s it.
    pub async fn lookup(&mut self, address: &str) -> Result<LookupResult, AppError> {
        let mut input = vec![0u8; address.len() + 9];
        let mut w = iotp2p_codec::runtime::Writer::new(&mut input);
        w.text(address)
            .map_err(|e| AppError::Engine(format!("encoding the address: {e:?}")))?;
        let n = w.position();
        input.truncate(n);
        let reply = self.relay_service(member::LOOKUP, input).await?;
        output(&reply)
    }
}
