//! Introductions (spec §8.8.4): the app as the introducer signs one for a device it administers and
//! another node, and as the audience accepts one and presents it to the device under a visitor
//! context, after which that context is the app's ordinary one with the device.

use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::Introduction as OwnedIntroduction;
use iotp2p_codec::security::{Introduction, IntroductionStatement, SignedStatement};
use iotp2p_protocol::controller::ControllerError;
use iotp2p_protocol::security::statement::{
    sign_introduction, verify_credential, verify_introduction_at_audience,
};
use iotp2p_protocol::security::NodeId;
use iotp2p_protocol::server::security::{member, SECURITY};

use super::{expect_success, AppError, UdpApp};

fn refused(why: String) -> AppError {
    AppError::Claim(ControllerError::Credential(why))
}

fn signed(bytes: &[u8]) -> Result<SignedStatement<'_>, AppError> {
    SignedStatement::decode(bytes).map_err(|e| refused(format!("a statement: {e}")))
}

impl UdpApp {
    /// Signs an introduction of `audience` (its credential statement) to the device whose credential
    /// statement is `subject`, granting `privileges` on `target` (§8.8.4.1), with the introduction
    /// serial `serial`, which must be greater than that of every introduction the app signed before
    /// ([IOTP-SEC-179]). Gives the encoded `Introduction` for the audience: the statement with the
    /// app's and the device's credential statements.
    pub fn sign_introduction(
        &self,
        subject: &[u8],
        audience: &[u8],
        privileges: u8,
        target: Option<(Option<u16>, Option<u16>)>,
        serial: u32,
    ) -> Result<Vec<u8>, AppError> {
        let device = verify_credential(subject).map_err(|e| refused(format!("{e}")))?;
        let app = verify_credential(audience).map_err(|e| refused(format!("{e}")))?;
        let targets = target.map(|(endpoint, capability)| {
            [iotp2p_codec::security::AclTarget {
                endpoint,
                capability,
                unknown_fields: Default::default(),
            }]
        });
        let statement = sign_introduction(
            &self.identity_key,
            &IntroductionStatement {
                subject: device.node_id.as_bytes(),
                subject_address: device.statement.address,
                audience: app.node_id.as_bytes(),
                privileges,
                targets: targets.as_ref().map(|t| t.as_slice().into()),
                serial,
                not_after: None,
                issued_at: None,
                unknown_fields: Default::default(),
            },
        )
        .map_err(|e| refused(format!("signing the introduction: {e:?}")))?;
        let introduction = OwnedIntroduction {
            statement: signed(&statement)?.into_owned(),
            credentials: vec![
                signed(&self.statement)?.into_owned(),
                signed(subject)?.into_owned(),
            ],
            unknown_fields: Default::default(),
        };
        introduction
            .encode_to_vec()
            .map_err(|e| AppError::Engine(format!("encoding the introduction: {e:?}")))
    }

    /// Accepts `introduction` (an encoded `Introduction`) as its audience and presents it to its
    /// subject (§8.8.4.2). The statement must be signed by the introducer whose credential statement
    /// it carries and name the app as its audience, and the subject's credential statement must name
    /// the subject and its address ([IOTP-SEC-181], [IOTP-SEC-182]). Whether to trust the introducer
    /// is the caller's decision, taken before. The app then runs EDHOC with the device, its own
    /// credential by value, and invokes `introduce` under the visitor context this gives. Gives the
    /// device's address.
    pub async fn present(&mut self, introduction: &[u8]) -> Result<String, AppError> {
        let received = Introduction::decode(introduction).map_err(|e| refused(format!("{e}")))?;
        let statement = received
            .statement
            .encode_to_vec()
            .map_err(|e| refused(format!("{e:?}")))?;
        let signer = received
            .statement
            .signatures
            .iter()
            .next()
            .map(|s| *s.signer)
            .ok_or_else(|| refused("the introduction is not signed".into()))?;
        let credentials: Vec<Vec<u8>> = received
            .credentials
            .iter()
            .filter_map(|c| c.encode_to_vec().ok())
            .collect();
        let held = |node: &[u8; 32]| {
            credentials
                .iter()
                .find(|c| verify_credential(c).is_ok_and(|v| v.node_id.as_bytes() == node))
        };
        let introducer = held(&signer)
            .and_then(|c| verify_credential(c).ok())
            .ok_or_else(|| refused("no credential statement of the introducer".into()))?;
        let own = verify_credential(&self.statement)
            .map_err(|e| refused(format!("{e}")))?
            .node_id;
        let verified = verify_introduction_at_audience(&statement, &introducer.identity_key, &own)
            .map_err(|e| refused(format!("{e}")))?;
        let subject_statement = held(verified.statement.subject)
            .ok_or_else(|| refused("no credential statement of the subject".into()))?
            .clone();
        let subject = verify_credential(&subject_statement).map_err(|e| refused(format!("{e}")))?;
        verified
            .check_subject_credential(&subject)
            .map_err(|e| refused(format!("{e}")))?;
        // An owner binding of the subject's address ([IOTP-SEC-181]).
        let device: NodeId = self.know(&subject_statement)?;
        let address = subject
            .statement
            .address
            .map(String::from)
            .ok_or_else(|| refused("the subject's credential names no address".into()))?;

        let context = self.handshake(&address, Some(device), true).await?;
        self.contexts.insert(address.clone(), context);
        let presented = OwnedIntroduction {
            statement: signed(&statement)?.into_owned(),
            credentials: vec![signed(&self.statement)?.into_owned()],
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|e| AppError::Engine(format!("encoding the introduction: {e:?}")))?;
        let invoke = Body::Invoke(InvokeRequest {
            endpoint: 0,
            capability: SECURITY,
            action: member::INTRODUCE,
            input: Some(presented),
            echo: None,
            unknown_fields: Default::default(),
        });
        expect_success(self.ask(&address, invoke).await?)?;
        Ok(address)
    }
}
