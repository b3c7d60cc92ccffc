//! Access control for a served request (§6.3 step 1), as a policy the [`super::Server`] asks.

use iotp2p_codec::core::owned::Body;

use crate::engine::peers::{ContextKind, Peer};
use crate::interaction::Access;

/// Decides whether a request may proceed (§6.3 step 1).
pub trait AccessControl {
    /// The outcome for `body` from the peer of the context it opened under (`None`: unsealed).
    fn access(&self, peer: Option<&Peer>, body: &Body) -> Access;
}

/// Every authenticated peer may do everything, but a visitor nothing (§8.4.6); an unsealed
/// request is refused as unauthenticated. The policy of a node with no access control list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthenticatedPeers;

impl AccessControl for AuthenticatedPeers {
    fn access(&self, peer: Option<&Peer>, _body: &Body) -> Access {
        match peer.map(|p| p.kind) {
            None => Access::Unauthenticated,
            Some(ContextKind::Visitor) => Access::Forbidden,
            Some(ContextKind::Ordinary | ContextKind::Pairing) => Access::Allowed,
        }
    }
}
