//! Who a request comes from, as subscriptions name their subscribers (§6.7): by node ID where the
//! context knows it, so that a subscription follows its subscriber to a newer context
//! ([IOTP-IM-65]) and an `unsubscribe` under that context finds it.

use alloc::string::String;

use crate::engine::peers::ContextId;
use crate::engine::Origin;
use crate::security::NodeId;

/// The sender of a request, as the dispatcher's subscriptions name it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    /// A peer whose node ID the context knows.
    Node(NodeId),
    /// A peer known only by the context its request opened under.
    Context(ContextId),
    /// An unsealed request's sender, by its address.
    Address(String),
    /// An unsealed request's sender, by the contact number the home relay gave it.
    Contact(u16),
    /// An unsealed request from the hop peer itself.
    HopPeer,
}

impl Who {
    /// Names the sender of a request from what the engine knows of it.
    pub fn of<P>(node: Option<NodeId>, context: Option<ContextId>, sender: &Origin<P>) -> Who {
        match (node, context, sender) {
            (Some(node), _, _) => Who::Node(node),
            (None, Some(context), _) => Who::Context(context),
            (None, None, Origin::Address(a)) => Who::Address(a.clone()),
            (None, None, Origin::Contact(c)) => Who::Contact(*c),
            (None, None, Origin::HopPeer(_)) => Who::HopPeer,
        }
    }
}
