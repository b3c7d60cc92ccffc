//! The DNS-SD records a node advertises on its local link (spec §3.3.1), built from what it is:
//! the service instance's SRV and TXT records, the PTR records of the service type and of its
//! subtypes (`_a<hash>` for its address, `_p` and `_d<n>` while its pairing window is open), and the
//! address records of its host name. Pure: no socket, no clock.

use std::net::IpAddr;

use hickory_resolver::proto::rr::rdata::{A, AAAA, PTR, SRV, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record};
use iotp2p_protocol::security::node_id::base32_lower;
use iotp2p_protocol::security::NodeId;
use sha2::{Digest, Sha256};

/// The service type's labels under `local.` (`_iotp2p._udp`).
pub const SERVICE: [&str; 2] = ["_iotp2p", "_udp"];

/// The TTL of the records, in seconds: RFC 6762 §10's for records of a host's own name and service
/// (120 s), short enough that a closed pairing window is soon forgotten by caches that heard it.
pub const TTL: u32 = 120;

/// The longest instance name, in bytes of UTF-8 (§3.3.1: one DNS label).
pub const MAX_INSTANCE: usize = 63;

/// What a node advertises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advertisement {
    /// Its service instance name, for people (`Kitchen ceiling`); at most [`MAX_INSTANCE`] bytes.
    pub instance: String,
    /// Its host name's first label (`lamp-3f2a`, for `lamp-3f2a.local.`).
    pub host: String,
    /// The address and port at which it receives iotp2p messages.
    pub at: std::net::SocketAddr,
    /// Its address, when it advertises it ([IOTP-DLV-14], [IOTP-DLV-17]).
    pub address: Option<String>,
    /// Its node ID, when it advertises it.
    pub node_id: Option<NodeId>,
    /// The discriminator of its open pairing window ([IOTP-DLV-15]); `None` once it closed
    /// ([IOTP-DLV-16]).
    pub pairing: Option<u16>,
}

/// Why an advertisement cannot be put into records.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdvertisementError {
    /// The instance name is empty or longer than one DNS label.
    #[error("the instance name must be 1 to {MAX_INSTANCE} bytes, not {0}")]
    Instance(usize),
    /// The host label is not a DNS label of letters, digits and hyphens.
    #[error("the host name {0:?} is not one label of letters, digits and hyphens")]
    Host(String),
}

/// The subtype label of an address (§3.3.1): `_a` and the lowercase base32 of the first 10 bytes of
/// the SHA-256 of its canonical form, 16 characters.
pub fn address_subtype(address: &str) -> String {
    let digest = Sha256::digest(address.as_bytes());
    let mut text = [0u8; 16];
    base32_lower(&digest[..10], &mut text);
    format!("_a{}", String::from_utf8_lossy(&text))
}

/// The subtype label of a discriminator: `_d` and its decimal digits.
pub fn discriminator_subtype(discriminator: u16) -> String {
    format!("_d{discriminator}")
}

/// The name `labels` followed by the service type and `local.`.
pub fn service_name(labels: &[&[u8]]) -> Name {
    let local: [&[u8]; 3] = [SERVICE[0].as_bytes(), SERVICE[1].as_bytes(), b"local"];
    let mut name =
        Name::from_labels(labels.iter().copied().chain(local)).unwrap_or_else(|_| Name::root());
    name.set_fqdn(true);
    name
}

/// The name of a subtype of the service (`<sub>._sub._iotp2p._udp.local.`).
pub fn subtype_name(sub: &str) -> Name {
    service_name(&[sub.as_bytes(), b"_sub"])
}

impl Advertisement {
    /// The service instance's name (`<instance>._iotp2p._udp.local.`).
    pub fn instance_name(&self) -> Result<Name, AdvertisementError> {
        if self.instance.is_empty() || self.instance.len() > MAX_INSTANCE {
            return Err(AdvertisementError::Instance(self.instance.len()));
        }
        Ok(service_name(&[self.instance.as_bytes()]))
    }

    /// Its host name (`<host>.local.`).
    pub fn host_name(&self) -> Result<Name, AdvertisementError> {
        let label_ok = !self.host.is_empty()
            && self.host.len() <= MAX_INSTANCE
            && self
                .host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let name = label_ok
            .then(|| Name::from_labels([self.host.as_bytes(), b"local"]).ok())
            .flatten()
            .ok_or_else(|| AdvertisementError::Host(self.host.clone()))?;
        let mut name = name;
        name.set_fqdn(true);
        Ok(name)
    }

    /// Its TXT strings in §3.3.1's order: `txtvers` first, then `a`, `id`, `pw` and `d` where
    /// present.
    pub fn txt(&self) -> Vec<String> {
        let mut txt = vec!["txtvers=1".to_owned()];
        if let Some(address) = &self.address {
            txt.push(format!("a={address}"));
        }
        if let Some(id) = &self.node_id {
            txt.push(format!("id={}", id.to_text().as_str()));
        }
        if let Some(d) = self.pairing {
            txt.push("pw=1".to_owned());
            txt.push(format!("d={d}"));
        }
        txt
    }

    /// The names of the subtypes it advertises now.
    pub fn subtypes(&self) -> Vec<String> {
        let mut subs = Vec::new();
        if let Some(address) = &self.address {
            subs.push(address_subtype(address));
        }
        if let Some(d) = self.pairing {
            subs.push("_p".to_owned());
            subs.push(discriminator_subtype(d));
        }
        subs
    }

    /// Every record it advertises: the PTR of the service type and of each subtype to the instance,
    /// the instance's SRV and TXT, and its host name's address record.
    pub fn records(&self) -> Result<Vec<Record>, AdvertisementError> {
        let instance = self.instance_name()?;
        let host = self.host_name()?;
        let ptr = |from: Name| Record::from_rdata(from, TTL, RData::PTR(PTR(instance.clone())));
        let mut records = vec![ptr(service_name(&[]))];
        records.extend(self.subtypes().iter().map(|s| ptr(subtype_name(s))));
        records.push(Record::from_rdata(
            instance.clone(),
            TTL,
            RData::SRV(SRV::new(0, 0, self.at.port(), host.clone())),
        ));
        records.push(Record::from_rdata(
            instance,
            TTL,
            RData::TXT(TXT::new(self.txt())),
        ));
        records.push(Record::from_rdata(
            host,
            TTL,
            match self.at.ip() {
                IpAddr::V4(ip) => RData::A(A(ip)),
                IpAddr::V6(ip) => RData::AAAA(AAAA(ip)),
            },
        ));
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::rr::RecordType;

    fn lamp() -> Advertisement {
        Advertisement {
            instance: "Kitchen ceiling".into(),
            host: "lamp-3f2a".into(),
            at: "127.0.0.1:5783".parse().unwrap(),
            address: Some("lamp@home.example.org".into()),
            node_id: None,
            pairing: None,
        }
    }

    #[test]
    fn the_address_subtype_is_the_specs_example() {
        // §3.3.1's example for lamp@home.example.org.
        assert_eq!(
            address_subtype("lamp@home.example.org"),
            "_aiq3pylmt3iexjpvo"
        );
    }

    #[test]
    fn a_lamp_with_its_address_advertises_the_address_subtype() {
        let records = lamp().records().unwrap();
        let names: Vec<String> = records
            .iter()
            .map(|r| format!("{} {}", r.name(), r.record_type()))
            .collect();
        assert_eq!(
            names,
            [
                "_iotp2p._udp.local. PTR",
                "_aiq3pylmt3iexjpvo._sub._iotp2p._udp.local. PTR",
                "Kitchen\\040ceiling._iotp2p._udp.local. SRV",
                "Kitchen\\040ceiling._iotp2p._udp.local. TXT",
                "lamp-3f2a.local. A",
            ]
        );
        assert_eq!(lamp().txt(), ["txtvers=1", "a=lamp@home.example.org"]);
    }

    #[test]
    fn a_device_in_its_pairing_window_advertises_p_and_its_discriminator() {
        let sensor = Advertisement {
            instance: "Acme Sensor 91C4".into(),
            host: "sensor-91c4".into(),
            address: None,
            pairing: Some(412),
            ..lamp()
        };
        assert_eq!(sensor.subtypes(), ["_p", "_d412"]);
        assert_eq!(sensor.txt(), ["txtvers=1", "pw=1", "d=412"]);
        let ptrs = sensor
            .records()
            .unwrap()
            .into_iter()
            .filter(|r| r.record_type() == RecordType::PTR)
            .count();
        assert_eq!(ptrs, 3, "the service type, _p and _d412");
        // Closed: neither subtype nor key any more ([IOTP-DLV-16]).
        let closed = Advertisement {
            pairing: None,
            ..sensor
        };
        assert!(closed.subtypes().is_empty());
        assert_eq!(closed.txt(), ["txtvers=1"]);
    }

    #[test]
    fn names_that_are_not_labels_are_refused() {
        let long = Advertisement {
            instance: "x".repeat(MAX_INSTANCE + 1),
            ..lamp()
        };
        assert_eq!(long.records(), Err(AdvertisementError::Instance(64)));
        let host = Advertisement {
            host: "lamp.kitchen".into(),
            ..lamp()
        };
        assert!(matches!(host.records(), Err(AdvertisementError::Host(_))));
    }
}
