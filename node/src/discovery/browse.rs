//! Finding nodes on the local link (spec §3.3): one DNS-SD query for the service type or one of its
//! subtypes, the answers gathered for a while, each instance made out of its SRV, TXT and address
//! records. What it finds is an untrusted hint ([IOTP-DLV-19]): a node authenticates what it reaches
//! this way (EDHOC with the credential it holds, or pairing with the passcode) before anything else.
//!
//! **Bounds.** At most [`MAX_FOUND`] instances are kept; each answer is one datagram of at most
//! [`MAX_ANSWER`] bytes; the wait is the caller's `within`.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::proto::op::{Message, MessageType, OpCode, Query};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;

use super::records::{service_name, subtype_name};

/// The most instances one browse keeps.
pub const MAX_FOUND: usize = 64;

/// The largest answer read (RFC 6762 §17).
pub const MAX_ANSWER: usize = 9_000;

/// A node found on the local link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Its instance name.
    pub instance: String,
    /// Where it receives iotp2p messages.
    pub at: SocketAddr,
    /// Its address, if it advertises it (TXT `a`).
    pub address: Option<String>,
    /// Its node ID's text, if it advertises it (TXT `id`).
    pub node_id: Option<String>,
    /// The discriminator of its open pairing window (TXT `pw` and `d`).
    pub pairing: Option<u16>,
}

/// What to look for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Looking {
    /// Every iotp2p node.
    All,
    /// The node with this address (its `_a<hash>` subtype).
    Address(String),
    /// Devices in their pairing window (`_p`).
    Pairing,
    /// The device in its pairing window with this discriminator (`_d<n>`).
    Discriminator(u16),
}

impl Looking {
    /// Whether it names one node (an address, a discriminator): the browse ends at the first
    /// answer that describes one.
    pub fn names_one(&self) -> bool {
        matches!(self, Looking::Address(_) | Looking::Discriminator(_))
    }

    fn name(&self) -> Name {
        match self {
            Looking::All => service_name(&[]),
            Looking::Address(a) => subtype_name(&super::records::address_subtype(a)),
            Looking::Pairing => subtype_name("_p"),
            Looking::Discriminator(d) => subtype_name(&super::records::discriminator_subtype(*d)),
        }
    }
}

/// Why a browse failed.
#[derive(Debug, thiserror::Error)]
pub enum BrowseError {
    /// The socket could not be bound or the query sent.
    #[error("cannot send a DNS-SD query to {to}: {source}")]
    Send {
        /// Where the query went.
        to: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
}

/// Asks `to` (the mDNS group and port on a product, a responder's address in tests) for `looking`,
/// from `bind`, and gathers the answers that come within `within`; for one node
/// ([`Looking::names_one`]), until the first answer that describes one.
pub async fn browse(
    bind: SocketAddr,
    to: SocketAddr,
    looking: &Looking,
    within: Duration,
) -> Result<Vec<Found>, BrowseError> {
    let send_error = |source| BrowseError::Send { to, source };
    let socket = UdpSocket::bind(bind).await.map_err(send_error)?;
    let mut query = Message::new();
    query
        .set_id(rand_core::RngCore::next_u32(&mut rand_core::OsRng) as u16)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(looking.name(), RecordType::PTR));
    let bytes = query
        .to_vec()
        .map_err(|e| send_error(std::io::Error::other(e.to_string())))?;
    socket.send_to(&bytes, to).await.map_err(send_error)?;
    let mut found = BTreeMap::new();
    let mut buffer = vec![0u8; MAX_ANSWER];
    let _ = tokio::time::timeout(within, async {
        loop {
            let Ok((len, _)) = socket.recv_from(&mut buffer).await else {
                continue;
            };
            let Ok(answer) = Message::from_vec(&buffer[..len]) else {
                continue;
            };
            if answer.id() != query.id() || answer.message_type() != MessageType::Response {
                continue;
            }
            for instance in instances(&answer) {
                if found.len() < MAX_FOUND || found.contains_key(&instance.instance) {
                    found.insert(instance.instance.clone(), instance);
                }
            }
            if looking.names_one() && !found.is_empty() {
                return;
            }
        }
    })
    .await;
    Ok(found.into_values().collect())
}

/// The instances an answer describes in full: each PTR's instance with its SRV, TXT and address.
pub fn instances(answer: &Message) -> Vec<Found> {
    let records: Vec<&Record> = answer
        .answers()
        .iter()
        .chain(answer.additionals())
        .collect();
    let of = |name: &Name, kind: RecordType| records_of(&records, name, kind);
    let mut found = Vec::new();
    for data in records.iter().filter_map(|r| match r.data() {
        RData::PTR(ptr) => Some(ptr.0.clone()),
        _ => None,
    }) {
        let Some(RData::SRV(srv)) = of(&data, RecordType::SRV).into_iter().next() else {
            continue;
        };
        let ip = of(srv.target(), RecordType::A)
            .into_iter()
            .chain(of(srv.target(), RecordType::AAAA))
            .find_map(|d| match d {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                _ => None,
            });
        let Some(ip) = ip else { continue };
        let txt: Vec<String> = of(&data, RecordType::TXT)
            .into_iter()
            .filter_map(|d| match d {
                RData::TXT(t) => Some(t.iter()),
                _ => None,
            })
            .flatten()
            .filter_map(|s| std::str::from_utf8(s).ok().map(str::to_owned))
            .collect();
        let key = |k: &str| {
            txt.iter()
                .find_map(|s| s.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
        };
        let Some(label) = data.iter().next() else {
            continue;
        };
        found.push(Found {
            instance: String::from_utf8_lossy(label).into_owned(),
            at: SocketAddr::new(ip, srv.port()),
            address: key("a").map(str::to_owned),
            node_id: key("id").map(str::to_owned),
            pairing: key("pw")
                .filter(|v| *v == "1")
                .and_then(|_| key("d"))
                .and_then(|d| d.parse().ok()),
        });
    }
    found.dedup_by(|a, b| a.instance == b.instance);
    found
}

/// The data of the records named `name` of type `kind`.
fn records_of<'a>(records: &[&'a Record], name: &Name, kind: RecordType) -> Vec<&'a RData> {
    records
        .iter()
        .filter(|r| r.name() == name && r.record_type() == kind)
        .map(|r| r.data())
        .collect()
}
