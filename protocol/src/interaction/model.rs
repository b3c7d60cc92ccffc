//! The data model a node serves (spec §6.1): endpoints, the capability instances on each, and the
//! members of each capability with what they allow. The engine checks requests against it (§6.3);
//! the values themselves belong to the application ([`super::Capabilities`]).

use alloc::string::String;
use alloc::vec::Vec;

/// What a member is, and what it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    /// A property: readable always; writable and observable as the capability declares.
    Property {
        /// Accepts writes (`@iotp2p.writable`).
        writable: bool,
        /// Can be subscribed to (not `@iotp2p.unobservable`).
        observable: bool,
        /// Writes need proof of freshness (`@iotp2p.fresh`, [IOTP-IM-37]).
        fresh: bool,
    },
    /// An action, with or without an input and an output.
    Action {
        /// The action takes an input ([IOTP-IM-19]).
        input: bool,
        /// The action has an output ([IOTP-IM-20]).
        output: bool,
        /// Invokes need proof of freshness (`@iotp2p.fresh`, [IOTP-IM-37]).
        fresh: bool,
    },
    /// An event.
    Event,
}

/// A member of a capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member key.
    pub key: u16,
    /// What it is.
    pub kind: MemberKind,
    /// Optional in the capability's schema (`@iotp2p.optional`, or an optional property).
    pub optional: bool,
    /// For an optional member, whether this instance implements it.
    pub implemented: bool,
}

impl Member {
    /// A mandatory member.
    pub const fn new(key: u16, kind: MemberKind) -> Member {
        Member {
            key,
            kind,
            optional: false,
            implemented: true,
        }
    }

    /// Whether the instance has the member: mandatory, or optional and implemented (§6.3 step 5).
    pub const fn exists(&self) -> bool {
        !self.optional || self.implemented
    }
}

/// A capability as it appears on an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capability {
    /// The capability number on the endpoint.
    pub number: u16,
    /// The schema package that defines it.
    pub package: String,
    /// Its name in the package.
    pub name: String,
    /// The package's version (major, minor, patch).
    pub version: (u32, u32, u32),
    /// Its members, in ascending key order.
    pub members: Vec<Member>,
}

impl Capability {
    /// The member with this key, if the capability declares it.
    pub fn member(&self, key: u16) -> Option<&Member> {
        self.members.iter().find(|m| m.key == key)
    }
}

/// An endpoint and its capabilities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The endpoint number (0 is the root endpoint).
    pub number: u16,
    /// An optional label for people.
    pub label: Option<String>,
    /// Its capability instances, in ascending capability number.
    pub capabilities: Vec<Capability>,
}

/// Everything a node serves.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Model {
    /// The endpoints, in ascending number.
    pub endpoints: Vec<Endpoint>,
    /// Changes whenever the description changes ([IOTP-IM-62]).
    pub revision: u32,
}

impl Model {
    /// The endpoint with this number.
    pub fn endpoint(&self, number: u16) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.number == number)
    }

    /// The capability instance (endpoint, capability).
    pub fn capability(&self, endpoint: u16, capability: u16) -> Option<&Capability> {
        self.endpoint(endpoint)?
            .capabilities
            .iter()
            .find(|c| c.number == capability)
    }
}
