//! A DNS-SD responder (RFC 6762, RFC 6763) for one node's records: it answers the queries that reach
//! its socket for the names it advertises, from what the node says it is now. On a product it listens
//! on port 5353 with the multicast group joined; in tests and demos on a loopback address and port of
//! its own, asked by unicast (RFC 6762 §6.7's legacy unicast answers: to the query's source, its ID
//! and question echoed, TTLs at most 10 s).
//!
//! **Bounds.** One datagram at a time, at most [`MAX_QUERY`] bytes read; a query that does not parse,
//! is not a query, or asks more than [`MAX_QUESTIONS`] questions is dropped silently; an answer holds
//! only the node's own records (a handful), so it stays far below the 9,000 bytes of RFC 6762 §17.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use hickory_resolver::proto::op::{Message, MessageType, OpCode};
use hickory_resolver::proto::rr::{Record, RecordType};
use tokio::net::UdpSocket;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::records::{Advertisement, AdvertisementError};

/// The mDNS group of IPv4 (RFC 6762 §3).
pub const MDNS_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);

/// The mDNS port.
pub const MDNS_PORT: u16 = 5353;

/// The most bytes of a query read; the rest of a longer datagram is not looked at.
pub const MAX_QUERY: usize = 1_500;

/// The most questions of one query answered.
pub const MAX_QUESTIONS: usize = 16;

/// The TTL of a legacy unicast answer (RFC 6762 §6.7).
const LEGACY_TTL: u32 = 10;

/// Why the responder could not start or change.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The socket could not be bound, or the group joined.
    #[error("cannot listen for DNS-SD queries on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// The advertisement cannot be put into records.
    #[error(transparent)]
    Advertisement(#[from] AdvertisementError),
    /// The responder stopped.
    #[error("the DNS-SD responder stopped")]
    Stopped,
}

/// A running responder.
pub struct Responder {
    addr: SocketAddr,
    records: watch::Sender<Vec<Record>>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Responder {
    /// Listens on `bind` and answers for `advertised`. On port 5353 of the unspecified IPv4
    /// address the multicast group is joined, as on a product; anywhere else the responder answers
    /// what reaches its address only.
    pub async fn start(
        bind: SocketAddr,
        advertised: &Advertisement,
    ) -> Result<Responder, DiscoveryError> {
        let records = advertised.records()?;
        let socket = UdpSocket::bind(bind)
            .await
            .map_err(|source| DiscoveryError::Bind { addr: bind, source })?;
        if bind.port() == MDNS_PORT && bind.ip() == IpAddr::V4(Ipv4Addr::UNSPECIFIED) {
            socket
                .join_multicast_v4(MDNS_V4, Ipv4Addr::UNSPECIFIED)
                .map_err(|source| DiscoveryError::Bind { addr: bind, source })?;
        }
        let addr = socket
            .local_addr()
            .map_err(|source| DiscoveryError::Bind { addr: bind, source })?;
        let (records, watching) = watch::channel(records);
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(socket, watching, stopped));
        Ok(Responder {
            addr,
            records,
            stop: Some(stop),
            task,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Advertises `advertised` from now on (a pairing window that closed, an address taken).
    pub fn set(&self, advertised: &Advertisement) -> Result<(), DiscoveryError> {
        let records = advertised.records()?;
        self.records
            .send(records)
            .map_err(|_| DiscoveryError::Stopped)
    }

    /// Stops answering.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    socket: UdpSocket,
    records: watch::Receiver<Vec<Record>>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut buffer = vec![0u8; MAX_QUERY];
    loop {
        tokio::select! {
            _ = &mut stop => return,
            received = socket.recv_from(&mut buffer) => {
                let Ok((len, from)) = received else { continue };
                let answer = answer(&buffer[..len.min(MAX_QUERY)], &records.borrow());
                if let Some(bytes) = answer {
                    let _ = socket.send_to(&bytes, from).await;
                }
            }
        }
    }
}

/// The answer to the datagram `query` from the node's `records`, if it is a query that asks for any
/// of them: the records asked for as answers, and those that a PTR or SRV answer leads to (the
/// instance's SRV and TXT, the host's address) as additional records (RFC 6763 §12).
pub fn answer(query: &[u8], records: &[Record]) -> Option<Vec<u8>> {
    let query = Message::from_vec(query).ok()?;
    if query.message_type() != MessageType::Query
        || query.op_code() != OpCode::Query
        || query.queries().len() > MAX_QUESTIONS
    {
        return None;
    }
    let asks = |r: &Record, q: &hickory_resolver::proto::op::Query| {
        r.name() == q.name()
            && (q.query_type() == RecordType::ANY || q.query_type() == r.record_type())
    };
    let mut answers: Vec<Record> = records
        .iter()
        .filter(|r| query.queries().iter().any(|q| asks(r, q)))
        .cloned()
        .collect();
    if answers.is_empty() {
        return None;
    }
    let leads_to = |r: &Record| -> Vec<Record> {
        let target = match r.data() {
            hickory_resolver::proto::rr::RData::PTR(ptr) => ptr.0.clone(),
            hickory_resolver::proto::rr::RData::SRV(srv) => srv.target().clone(),
            _ => return Vec::new(),
        };
        records
            .iter()
            .filter(|a| a.name() == &target)
            .cloned()
            .collect()
    };
    let mut additionals: Vec<Record> = Vec::new();
    for record in &answers {
        for next in leads_to(record)
            .into_iter()
            .flat_map(|n| std::iter::once(n.clone()).chain(leads_to(&n)))
        {
            if !answers.contains(&next) && !additionals.contains(&next) {
                additionals.push(next);
            }
        }
    }
    for r in answers.iter_mut().chain(additionals.iter_mut()) {
        r.set_ttl(r.ttl().min(LEGACY_TTL));
    }
    let mut reply = Message::new();
    reply
        .set_id(query.id())
        .set_message_type(MessageType::Response)
        .set_op_code(OpCode::Query)
        .set_authoritative(true)
        .add_queries(query.queries().to_vec())
        .add_answers(answers)
        .add_additionals(additionals);
    reply.to_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::op::Query;
    use hickory_resolver::proto::rr::Name;

    fn sensor() -> Advertisement {
        Advertisement {
            instance: "Acme Sensor 91C4".into(),
            host: "sensor-91c4".into(),
            at: "127.0.0.1:5783".parse().unwrap(),
            address: None,
            node_id: None,
            pairing: Some(412),
        }
    }

    fn query(names: &[Name], kind: MessageType) -> Vec<u8> {
        let mut m = Message::new();
        m.set_id(7)
            .set_message_type(kind)
            .set_op_code(OpCode::Query);
        for n in names {
            m.add_query(Query::query(n.clone(), RecordType::PTR));
        }
        m.to_vec().unwrap()
    }

    #[test]
    fn a_ptr_query_is_answered_with_the_instance_its_srv_txt_and_address() {
        let records = sensor().records().unwrap();
        let asked = super::super::records::subtype_name("_d412");
        let reply = answer(&query(&[asked], MessageType::Query), &records).unwrap();
        let reply = Message::from_vec(&reply).unwrap();
        assert_eq!(reply.id(), 7, "the query's ID (legacy unicast)");
        assert_eq!(reply.answers().len(), 1);
        let kinds: Vec<RecordType> = reply
            .additionals()
            .iter()
            .map(|r| r.record_type())
            .collect();
        assert_eq!(kinds, [RecordType::SRV, RecordType::A, RecordType::TXT]);
        assert!(reply
            .answers()
            .iter()
            .chain(reply.additionals())
            .all(|r| r.ttl() <= LEGACY_TTL));
    }

    #[test]
    fn what_is_not_a_query_for_its_names_gets_nothing() {
        let records = sensor().records().unwrap();
        let other = super::super::records::subtype_name("_d7");
        assert_eq!(answer(&query(&[other], MessageType::Query), &records), None);
        let asked = super::super::records::subtype_name("_p");
        assert_eq!(
            answer(
                &query(std::slice::from_ref(&asked), MessageType::Response),
                &records
            ),
            None,
            "a response is not answered"
        );
        let many = vec![asked; MAX_QUESTIONS + 1];
        assert_eq!(answer(&query(&many, MessageType::Query), &records), None);
        for junk in [&[][..], &[0xff; 3][..], &[0u8; 12][..], &[0xab; 700][..]] {
            assert_eq!(answer(junk, &records), None, "{junk:?}");
        }
    }

    proptest::proptest! {
        /// Whatever reaches the responder's socket, and whatever a browse receives, is answered or
        /// dropped, never a panic: random datagrams, and valid ones with a byte changed.
        #[test]
        fn any_datagram_is_answered_or_dropped(
            junk in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
            at in 0usize..64,
            byte in proptest::num::u8::ANY,
        ) {
            let records = sensor().records().unwrap();
            let _ = answer(&junk, &records);
            let valid = query(&[super::super::records::subtype_name("_p")], MessageType::Query);
            let mut changed = valid.clone();
            if let Some(b) = changed.get_mut(at % valid.len()) {
                *b = byte;
            }
            let reply = answer(&changed, &records);
            for datagram in [Some(junk), reply].into_iter().flatten() {
                if let Ok(m) = Message::from_vec(&datagram) {
                    let _ = super::super::browse::instances(&m);
                }
            }
        }
    }
}
