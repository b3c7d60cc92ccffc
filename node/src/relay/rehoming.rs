//! A node's move between providers at its relays (spec §3.11): the owner's controller gives the
//! previous home relay the node's re-homing statement (`release` with it, §3.6.1.3) and the new one
//! the statement with the node's new credential statement (`register` with it, §3.6.1.2). Each relay
//! checks what it is given before acting on it ([IOTP-DLV-73], [IOTP-DLV-75]); the engine then
//! forwards or accepts what comes for the previous address during the grace period.
//!
//! These are the provider's calls; the Relay capability's `register` and `release` over the network
//! make the same checks (`iotp2p_protocol::relay::verify`).

use iotp2p_protocol::engine::KnownPeer;
use iotp2p_protocol::relay::verify::{arriving, leaving, Move};
use iotp2p_protocol::relay::RelayOutput;
use iotp2p_protocol::security::statement::verify_credential;

use super::{RelayError, UdpRelay};

impl UdpRelay {
    /// `release` with a re-homing statement (§3.11.1): checked with the credential statement the
    /// relay holds for the node, naming the previous address ([IOTP-DLV-73]); then the relay forwards
    /// what it holds and receives for that address to the home relay of the new one until the grace
    /// period ends ([IOTP-DLV-70]). Errs if the statement does not verify or the relay did not serve
    /// the address.
    pub async fn release_moved(
        &self,
        statement: &[u8],
        held_credential: &[u8],
    ) -> Result<(), RelayError> {
        let m: Move = leaving(statement, held_credential, 0)
            .map_err(|e| RelayError::Statement(e.to_string()))?;
        let previous = m.previous.clone();
        let served = self
            .with_relay(move |relay, now, _| {
                let until = now.saturating_add(m.grace_ms);
                relay.moved_away(now, &m.previous, &m.address, until)
            })
            .await?;
        if served {
            Ok(())
        } else {
            Err(RelayError::Address {
                address: previous,
                why: "the relay does not serve it".into(),
            })
        }
    }

    /// `register` with a re-homing statement (§3.11.2): the node's new credential statement names
    /// the new address and has the statement's identity key ([IOTP-DLV-75]); the relay then serves
    /// the new address, answers the node's handshake by its credential, and accepts for it what a
    /// relay of the previous address's domain forwards until the grace period ends ([IOTP-DLV-74]).
    pub async fn register_moved(
        &self,
        statement: &[u8],
        credential: &[u8],
    ) -> Result<(), RelayError> {
        let m: Move =
            arriving(statement, credential).map_err(|e| RelayError::Statement(e.to_string()))?;
        let held = verify_credential(credential)
            .map_err(|e| RelayError::Statement(format!("the node's credential statement: {e}")))?;
        let peers: Vec<KnownPeer> = held
            .statement
            .auth_credentials
            .iter()
            .map(|c| KnownPeer {
                credential: c.to_vec(),
                address: Some(m.address.clone()),
                node: Some(held.node_id),
            })
            .collect();
        let address = m.address.clone();
        let result = self
            .with_relay(move |relay, now, _| {
                let until = now.saturating_add(m.grace_ms);
                let registered = relay.moved_in(&m.address, &m.previous, until);
                for peer in peers {
                    relay.service_mut().add_edhoc_peer(peer);
                }
                (registered, Vec::<RelayOutput<_>>::new())
            })
            .await?;
        result.map_err(|e| RelayError::Address {
            address,
            why: format!("{e:?}"),
        })
    }
}
