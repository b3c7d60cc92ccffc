//! The codec benchmarks' data: three representative messages of the core schema, each an `Envelope`
//! whose body carries the payload, as iotp2p values and as the SAME data in the types of the peer
//! codecs (`benches/codec.rs`, figures in `benches/README.md`).
//!
//! | message | what | iotp2p bytes |
//! |---|---|---|
//! | [`Message::Notification`] | the temperature notification of spec §5.15.2 (`msg.notify-temperature`), byte for byte | 27 |
//! | [`Message::Description`] | the reply to a `describe` of the battery-powered greenhouse sensor of spec §6.11: 2 endpoints, 6 capabilities | 298 |
//! | [`Message::Batch`] | a data logger's report: 64 property values (the last 16 readings of each of 64 channels) and 16 events | 4,091 |
//!
//! The batch stays within the schema's bounds (64 values and 16 events are `Report`'s maxima) but is
//! larger than MAX_MESSAGE (1232 bytes, spec §5.14): the codec accepts it, a conforming sender would
//! split it. It measures the codec on a large input, as the benchmark asks.
//!
//! Every representation is built from one model, [`model::Envelope`] (the serde types with owned
//! fields), so that every codec encodes exactly the same values:
//!
//! - iotp2p: [`iotp2p_codec::core::Envelope`] with [`Array::Slice`](iotp2p_codec::runtime::Array)
//!   arrays, as an application builds a message to send (decoding gives the zero-copy
//!   `Array::Encoded` form); the owned types of the codec's `alloc` feature are made from a decoded
//!   value with `into_owned`;
//! - prost: hand-written `#[derive(prost::Message)]` structs ([`proto`]), field numbers = iotp2p keys
//!   + 1, unions as a message with a `oneof`;
//! - serde (postcard, ciborium, serde_json): [`model`] with owned fields, [`borrowed`] with `&str` and
//!   `&[u8]` fields (`#[serde(borrow)]`) for zero-copy decoding; both use `serialize_bytes` for byte
//!   strings, so that ciborium writes byte strings and not arrays of integers;
//! - minicbor: [`cbor`], `#[derive(minicbor::Encode, minicbor::Decode)]` with map encoding and the same
//!   keys as iotp2p, borrowed `&str` and `&[u8]` fields, defaults left out as iotp2p does (the same wire
//!   family: the encodings differ only in how a union is written).
//!
//! Only the `Body` variants these messages use exist in the peers' types: the others would not change
//! the work of encoding or decoding these three.
//!
//! Every value is built once per process and kept for the rest of it (`&'static`), so that the iotp2p
//! values can borrow their arrays the way an application's would.

use iotp2p_codec::prelude::*;
use std::sync::OnceLock;

use iotp2p_codec::core;
use iotp2p_codec::runtime::{Array, UnknownFields, Writer};

use crate::Rng;

/// The three benchmark messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// Small: a sensor notification (spec §5.15.2), 27 bytes.
    Notification,
    /// Medium: a capability description, about 300 bytes.
    Description,
    /// Large: a batch report with arrays of records, about 4 KB.
    Batch,
}

impl Message {
    /// All three, smallest first.
    pub const ALL: [Message; 3] = [Message::Notification, Message::Description, Message::Batch];

    /// The name used in benchmark ids (`decode/<name>/<codec>`).
    pub fn name(self) -> &'static str {
        match self {
            Message::Notification => "notification",
            Message::Description => "description",
            Message::Batch => "batch",
        }
    }

    /// The message's values in every representation, built on first use.
    pub fn fixture(self) -> &'static Fixture {
        static CELLS: [OnceLock<Fixture>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        CELLS[self as usize].get_or_init(|| Fixture::new(self))
    }
}

/// The codecs compared, for encoded sizes and benchmark ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    /// `iotp2p-codec` (canonical CBOR profile of spec chapter 4).
    Iotp2p,
    /// prost (protobuf).
    Prost,
    /// postcard (serde).
    Postcard,
    /// minicbor (CBOR, derive with map encoding).
    Minicbor,
    /// ciborium (CBOR through serde: structs as maps with field names).
    Ciborium,
    /// serde_json.
    SerdeJson,
}

impl Codec {
    /// All of them, iotp2p first.
    pub const ALL: [Codec; 6] = [
        Codec::Iotp2p,
        Codec::Prost,
        Codec::Postcard,
        Codec::Minicbor,
        Codec::Ciborium,
        Codec::SerdeJson,
    ];

    /// The name used in benchmark ids and tables.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Iotp2p => "iotp2p",
            Codec::Prost => "prost",
            Codec::Postcard => "postcard",
            Codec::Minicbor => "minicbor",
            Codec::Ciborium => "ciborium",
            Codec::SerdeJson => "serde_json",
        }
    }
}

/// One message in every representation.
pub struct Fixture {
    /// Which message.
    pub message: Message,
    /// The data, with owned fields: the serde types of postcard, ciborium and serde_json.
    pub model: &'static model::Envelope,
    /// As an application builds it for iotp2p (arrays as slices).
    pub iotp2p: core::Envelope<'static>,
    /// For prost.
    pub prost: proto::Envelope,
    /// The serde types with borrowed fields.
    pub borrowed: borrowed::Envelope<'static>,
    /// For minicbor.
    pub minicbor: cbor::Envelope<'static>,
}

impl Fixture {
    fn new(message: Message) -> Fixture {
        let model: &'static model::Envelope = Box::leak(Box::new(match message {
            Message::Notification => notification(),
            Message::Description => description(),
            Message::Batch => batch(),
        }));
        Fixture {
            message,
            model,
            iotp2p: to_iotp2p::envelope(model),
            prost: to_proto::envelope(model),
            borrowed: to_borrowed::envelope(model),
            minicbor: to_cbor::envelope(model),
        }
    }

    /// The message encoded by `codec`.
    pub fn encode(&self, codec: Codec) -> Vec<u8> {
        match codec {
            Codec::Iotp2p => {
                let mut buf = vec![0; self.iotp2p.encoded_len()];
                let n = self.iotp2p.encode(&mut buf).expect("iotp2p encodes");
                buf.truncate(n);
                buf
            }
            Codec::Prost => prost::Message::encode_to_vec(&self.prost),
            Codec::Postcard => postcard::to_allocvec(&self.borrowed).expect("postcard encodes"),
            Codec::Minicbor => minicbor::to_vec(&self.minicbor).expect("minicbor encodes"),
            Codec::Ciborium => {
                let mut out = Vec::new();
                ciborium::into_writer(&self.borrowed, &mut out).expect("ciborium encodes");
                out
            }
            Codec::SerdeJson => serde_json::to_vec(&self.borrowed).expect("serde_json encodes"),
        }
    }
}

/// Decodes a message with the owned types of `iotp2p-codec` (feature `alloc`): validation, then a
/// copy of every string, byte string and array.
pub fn iotp2p_owned_decode(
    bytes: &[u8],
) -> Result<core::owned::Envelope, iotp2p_codec::runtime::DecodeError> {
    core::owned::Envelope::decode(bytes)
}

/// Reads every field of every record of a decoded message once (iterating the zero-copy arrays reads
/// their items back from the validated bytes) and folds them into a checksum, so that nothing can be
/// optimised away: the work an application does to use what the peers' decoders have materialised.
pub fn read_all(envelope: &core::Envelope<'_>) -> u64 {
    let mut sum = envelope.message_id
        ^ envelope.correlation_id.unwrap_or(0)
        ^ u64::from(envelope.recipient_contact.unwrap_or(0));
    match envelope.body {
        Some(core::Body::Report(report)) => {
            sum += u64::from(report.endpoint) + u64::from(report.capability);
            for value in report.values.into_iter().flatten() {
                sum = sum.wrapping_mul(31) + u64::from(value.member) + value.value.len() as u64;
            }
            for event in report.events.into_iter().flatten() {
                sum = sum.wrapping_mul(31)
                    + u64::from(event.member)
                    + event.number
                    + event.data.map_or(0, <[u8]>::len) as u64
                    + event.timestamp.unwrap_or(0);
            }
        }
        Some(core::Body::Description(description)) => {
            sum += u64::from(description.revision);
            for endpoint in description.endpoints {
                sum = sum.wrapping_mul(31)
                    + u64::from(endpoint.endpoint)
                    + endpoint.label.map_or(0, str::len) as u64;
                for capability in endpoint.capabilities {
                    sum = sum.wrapping_mul(31)
                        + u64::from(capability.id)
                        + capability.package.len() as u64
                        + capability.name.len() as u64
                        + u64::from(capability.version.major)
                        + u64::from(capability.version.minor)
                        + u64::from(capability.version.patch);
                    for member in capability.members.into_iter().flatten() {
                        sum += u64::from(member);
                    }
                }
            }
        }
        _ => {}
    }
    sum
}

// ---------------------------------------------------------------------------------------------
// The three messages
// ---------------------------------------------------------------------------------------------

/// Spec §5.15.2: a temperature sensor reports 21.50 °C (property 0 of `TemperatureMeasurement`,
/// capability 9 on endpoint 1, value `19 08 66`) to subscription 12, through contact number 1.
fn notification() -> model::Envelope {
    model::Envelope {
        message_id: 517,
        correlation_id: Some(12),
        recipient_contact: Some(1),
        body: Some(model::Body::Report(model::Report {
            endpoint: 1,
            capability: 9,
            values: Some(vec![model::MemberValue {
                member: 0,
                value: model::ByteBuf(vec![0x19, 0x08, 0x66]),
            }]),
            events: None,
            max_interval: None,
        })),
        ..model::Envelope::default()
    }
}

/// The greenhouse sensor of spec §6.11 answers the `describe` with `message_id` 13 (sensor → home
/// relay): Security, DeviceInfo, Firmware and Battery (with `voltage`, member 2) on endpoint 0;
/// TemperatureMeasurement and HumidityMeasurement (each with `tolerance`, member 3) on endpoint 1,
/// labelled `greenhouse`; revision 3.
fn description() -> model::Envelope {
    fn capability(id: u16, package: &str, name: &str, members: &[u16]) -> model::CapabilityInfo {
        model::CapabilityInfo {
            id,
            package: package.into(),
            name: name.into(),
            version: model::SemVer {
                major: 1,
                minor: 0,
                patch: 0,
            },
            members: (!members.is_empty()).then(|| members.to_vec()),
        }
    }
    const CAPS: &str = "iotp2p.capabilities";
    model::Envelope {
        message_id: 518,
        correlation_id: Some(13),
        recipient_contact: Some(1),
        body: Some(model::Body::Description(model::Description {
            endpoints: vec![
                model::EndpointInfo {
                    endpoint: 0,
                    capabilities: vec![
                        capability(1, "iotp2p.security", "Security", &[]),
                        capability(2, CAPS, "DeviceInfo", &[]),
                        capability(3, CAPS, "Firmware", &[]),
                        capability(4, CAPS, "Battery", &[2]),
                    ],
                    label: None,
                },
                model::EndpointInfo {
                    endpoint: 1,
                    capabilities: vec![
                        capability(9, CAPS, "TemperatureMeasurement", &[3]),
                        capability(10, CAPS, "HumidityMeasurement", &[3]),
                    ],
                    label: Some("greenhouse".into()),
                },
            ],
            revision: 3,
        })),
        ..model::Envelope::default()
    }
}

/// Channels of the batch's data logger, one property each (the schema's maximum of values per report).
pub const BATCH_CHANNELS: usize = 64;
/// Readings per channel in the batch.
pub const BATCH_READINGS: usize = 16;
/// Events in the batch (the schema's maximum per report).
pub const BATCH_EVENTS: usize = 16;

/// A greenhouse data logger (vendor capability 128 on endpoint 1) sends its subscriber the readings it
/// buffered: for each of 64 channels (properties 0..=63) the last 16 temperatures, in hundredths of a
/// degree (18.00 to 29.99 °C), as the CBOR array that is the property's value; and 16
/// `threshold_crossed` events (member 64, event numbers 1000..=1015, one a minute from
/// 2026-01-01T00:00:00Z), each with data `{0: channel, 1: reading, 2: limit}`. Deterministic (seed 7).
fn batch() -> model::Envelope {
    let mut rng = Rng::new(7);
    let mut buf = [0u8; 128];
    let mut encoded = |write: &mut dyn FnMut(&mut Writer<'_>)| {
        let mut w = Writer::new(&mut buf);
        write(&mut w);
        let n = w.position();
        model::ByteBuf(buf[..n].to_vec())
    };
    let values = (0..BATCH_CHANNELS as u16)
        .map(|member| {
            let readings: Vec<i64> = (0..BATCH_READINGS)
                .map(|_| 1800 + rng.below(1200) as i64)
                .collect();
            let value = encoded(&mut |w| {
                w.array(readings.len()).unwrap();
                for &r in &readings {
                    w.i64(r).unwrap();
                }
            });
            model::MemberValue { member, value }
        })
        .collect();
    let events = (0..BATCH_EVENTS as u64)
        .map(|i| {
            let channel = rng.below(BATCH_CHANNELS as u64);
            let reading = 3000 + rng.below(500) as i64;
            let data = encoded(&mut |w| {
                w.map(3).unwrap();
                w.u64(0).unwrap();
                w.u64(channel).unwrap();
                w.u64(1).unwrap();
                w.i64(reading).unwrap();
                w.u64(2).unwrap();
                w.i64(3000).unwrap();
            });
            model::Event {
                member: 64,
                number: 1000 + i,
                data: Some(data),
                timestamp: Some(1_767_225_600_000 + i * 60_000),
            }
        })
        .collect();
    model::Envelope {
        message_id: 519,
        correlation_id: Some(12),
        recipient_contact: Some(1),
        body: Some(model::Body::Report(model::Report {
            endpoint: 1,
            capability: 128,
            values: Some(values),
            events: Some(events),
            max_interval: None,
        })),
        ..model::Envelope::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Peer types
// ---------------------------------------------------------------------------------------------

/// The serde types with owned fields: the benchmark's data model, and what postcard, ciborium and
/// serde_json decode into. They mirror `iotp2p_codec::core` field by field (see its documentation);
/// a field with a default in the schema (`version` = 1) is an `Option` here.
#[allow(missing_docs)]
pub mod model {
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    pub struct Envelope {
        pub version: Option<u8>,
        pub message_id: u64,
        pub correlation_id: Option<u64>,
        pub ack_requested: bool,
        pub ttl: Option<u32>,
        pub more: bool,
        pub recipient: Option<String>,
        pub sender: Option<String>,
        pub recipient_contact: Option<u16>,
        pub sender_contact: Option<u16>,
        pub key_id: Option<ByteBuf>,
        pub sealed: Option<ByteBuf>,
        pub body: Option<Body>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub enum Body {
        Report(Report),
        Description(Description),
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Report {
        pub endpoint: u16,
        pub capability: u16,
        pub values: Option<Vec<MemberValue>>,
        pub events: Option<Vec<Event>>,
        pub max_interval: Option<u32>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct MemberValue {
        pub member: u16,
        pub value: ByteBuf,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Event {
        pub member: u16,
        pub number: u64,
        pub data: Option<ByteBuf>,
        pub timestamp: Option<u64>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Description {
        pub endpoints: Vec<EndpointInfo>,
        pub revision: u32,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct EndpointInfo {
        pub endpoint: u16,
        pub capabilities: Vec<CapabilityInfo>,
        pub label: Option<String>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct CapabilityInfo {
        pub id: u16,
        pub package: String,
        pub name: String,
        pub version: SemVer,
        pub members: Option<Vec<u16>>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct SemVer {
        pub major: u32,
        pub minor: u32,
        pub patch: u32,
    }

    /// An owned byte string that serde writes with `serialize_bytes` (a CBOR byte string, not an array
    /// of integers) and reads from bytes or from a sequence (serde_json).
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ByteBuf(pub Vec<u8>);

    impl Serialize for ByteBuf {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a byte string")
                }
                fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
                fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<ByteBuf, A::Error> {
                    let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                    while let Some(b) = seq.next_element()? {
                        v.push(b);
                    }
                    Ok(ByteBuf(v))
                }
            }
            deserializer.deserialize_byte_buf(Visitor)
        }
    }
}

/// The serde types with borrowed strings and byte strings (`#[serde(borrow)]`), for zero-copy
/// decoding (postcard); arrays are still `Vec`s. The same fields as [`model`].
#[allow(missing_docs)]
pub mod borrowed {
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Envelope<'a> {
        pub version: Option<u8>,
        pub message_id: u64,
        pub correlation_id: Option<u64>,
        pub ack_requested: bool,
        pub ttl: Option<u32>,
        pub more: bool,
        #[serde(borrow)]
        pub recipient: Option<&'a str>,
        #[serde(borrow)]
        pub sender: Option<&'a str>,
        pub recipient_contact: Option<u16>,
        pub sender_contact: Option<u16>,
        #[serde(borrow)]
        pub key_id: Option<&'a [u8]>,
        #[serde(borrow)]
        pub sealed: Option<&'a [u8]>,
        #[serde(borrow)]
        pub body: Option<Body<'a>>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub enum Body<'a> {
        #[serde(borrow)]
        Report(Report<'a>),
        #[serde(borrow)]
        Description(Description<'a>),
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Report<'a> {
        pub endpoint: u16,
        pub capability: u16,
        #[serde(borrow)]
        pub values: Option<Vec<MemberValue<'a>>>,
        #[serde(borrow)]
        pub events: Option<Vec<Event<'a>>>,
        pub max_interval: Option<u32>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct MemberValue<'a> {
        pub member: u16,
        #[serde(borrow)]
        pub value: &'a [u8],
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Event<'a> {
        pub member: u16,
        pub number: u64,
        #[serde(borrow)]
        pub data: Option<&'a [u8]>,
        pub timestamp: Option<u64>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Description<'a> {
        #[serde(borrow)]
        pub endpoints: Vec<EndpointInfo<'a>>,
        pub revision: u32,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct EndpointInfo<'a> {
        pub endpoint: u16,
        #[serde(borrow)]
        pub capabilities: Vec<CapabilityInfo<'a>>,
        #[serde(borrow)]
        pub label: Option<&'a str>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct CapabilityInfo<'a> {
        pub id: u16,
        #[serde(borrow)]
        pub package: &'a str,
        #[serde(borrow)]
        pub name: &'a str,
        pub version: SemVer,
        pub members: Option<Vec<u16>>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct SemVer {
        pub major: u32,
        pub minor: u32,
        pub patch: u32,
    }
}

/// The prost types, written by hand as `protoc` would generate them from a `.proto` mirroring the
/// core schema: field number = iotp2p key + 1; `u16` fields as `uint32`; a schema `optional` as a proto3
/// `optional`; a union (`Body`) as a message with a `oneof` (variant field number = variant key + 1).
#[allow(missing_docs)]
pub mod proto {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Envelope {
        #[prost(uint32, optional, tag = "1")]
        pub version: Option<u32>,
        #[prost(uint64, tag = "2")]
        pub message_id: u64,
        #[prost(uint64, optional, tag = "3")]
        pub correlation_id: Option<u64>,
        #[prost(bool, tag = "4")]
        pub ack_requested: bool,
        #[prost(uint32, optional, tag = "5")]
        pub ttl: Option<u32>,
        #[prost(bool, tag = "6")]
        pub more: bool,
        #[prost(string, optional, tag = "7")]
        pub recipient: Option<String>,
        #[prost(string, optional, tag = "8")]
        pub sender: Option<String>,
        #[prost(uint32, optional, tag = "9")]
        pub recipient_contact: Option<u32>,
        #[prost(uint32, optional, tag = "10")]
        pub sender_contact: Option<u32>,
        #[prost(bytes = "vec", optional, tag = "11")]
        pub key_id: Option<Vec<u8>>,
        #[prost(bytes = "vec", optional, tag = "12")]
        pub sealed: Option<Vec<u8>>,
        #[prost(message, optional, tag = "13")]
        pub body: Option<Body>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Body {
        #[prost(oneof = "body::Kind", tags = "9, 11")]
        pub kind: Option<body::Kind>,
    }

    pub mod body {
        #[derive(Clone, PartialEq, prost::Oneof)]
        pub enum Kind {
            #[prost(message, tag = "9")]
            Report(super::Report),
            #[prost(message, tag = "11")]
            Description(super::Description),
        }
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Report {
        #[prost(uint32, tag = "1")]
        pub endpoint: u32,
        #[prost(uint32, tag = "2")]
        pub capability: u32,
        #[prost(message, repeated, tag = "3")]
        pub values: Vec<MemberValue>,
        #[prost(message, repeated, tag = "4")]
        pub events: Vec<Event>,
        #[prost(uint32, optional, tag = "5")]
        pub max_interval: Option<u32>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct MemberValue {
        #[prost(uint32, tag = "1")]
        pub member: u32,
        #[prost(bytes = "vec", tag = "2")]
        pub value: Vec<u8>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Event {
        #[prost(uint32, tag = "1")]
        pub member: u32,
        #[prost(uint64, tag = "2")]
        pub number: u64,
        #[prost(bytes = "vec", optional, tag = "3")]
        pub data: Option<Vec<u8>>,
        #[prost(uint64, optional, tag = "4")]
        pub timestamp: Option<u64>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Description {
        #[prost(message, repeated, tag = "1")]
        pub endpoints: Vec<EndpointInfo>,
        #[prost(uint32, tag = "2")]
        pub revision: u32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct EndpointInfo {
        #[prost(uint32, tag = "1")]
        pub endpoint: u32,
        #[prost(message, repeated, tag = "2")]
        pub capabilities: Vec<CapabilityInfo>,
        #[prost(string, optional, tag = "3")]
        pub label: Option<String>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct CapabilityInfo {
        #[prost(uint32, tag = "1")]
        pub id: u32,
        #[prost(string, tag = "2")]
        pub package: String,
        #[prost(string, tag = "3")]
        pub name: String,
        #[prost(message, optional, tag = "4")]
        pub version: Option<SemVer>,
        #[prost(uint32, repeated, tag = "5")]
        pub members: Vec<u32>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct SemVer {
        #[prost(uint32, tag = "1")]
        pub major: u32,
        #[prost(uint32, tag = "2")]
        pub minor: u32,
        #[prost(uint32, tag = "3")]
        pub patch: u32,
    }
}

/// The minicbor types: map encoding with the iotp2p keys (`#[cbor(map)]`, `#[n(key)]`), borrowed
/// `&str` and `&[u8]` (`minicbor::bytes`) fields, absent `Option`s and default values left out
/// (`skip_if`) as in iotp2p. minicbor writes a union variant as `[index, value]` where iotp2p writes
/// `{key: value}` (the same size).
#[allow(missing_docs)]
pub mod cbor {
    use minicbor::{Decode, Encode};

    /// `skip_if` predicate: leave a field with its type's default value out, as iotp2p does.
    fn is_default<T: Default + PartialEq>(v: &T) -> bool {
        *v == T::default()
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct Envelope<'a> {
        #[n(0)]
        pub version: Option<u8>,
        #[n(1)]
        pub message_id: u64,
        #[n(2)]
        pub correlation_id: Option<u64>,
        #[cbor(n(3), skip_if = "is_default")]
        pub ack_requested: bool,
        #[n(4)]
        pub ttl: Option<u32>,
        #[cbor(n(5), skip_if = "is_default")]
        pub more: bool,
        #[b(6)]
        pub recipient: Option<&'a str>,
        #[b(7)]
        pub sender: Option<&'a str>,
        #[n(8)]
        pub recipient_contact: Option<u16>,
        #[n(9)]
        pub sender_contact: Option<u16>,
        #[cbor(n(10), with = "minicbor::bytes")]
        pub key_id: Option<&'a [u8]>,
        #[cbor(n(11), with = "minicbor::bytes")]
        pub sealed: Option<&'a [u8]>,
        #[b(12)]
        pub body: Option<Body<'a>>,
    }

    /// `#[cbor(flat)]`: `[index, value]`, without a further array around the variant's one field.
    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(flat)]
    pub enum Body<'a> {
        #[n(8)]
        Report(#[b(0)] Report<'a>),
        #[n(10)]
        Description(#[b(0)] Description<'a>),
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct Report<'a> {
        #[cbor(n(0), skip_if = "is_default")]
        pub endpoint: u16,
        #[n(1)]
        pub capability: u16,
        #[b(2)]
        pub values: Option<Vec<MemberValue<'a>>>,
        #[b(3)]
        pub events: Option<Vec<Event<'a>>>,
        #[n(4)]
        pub max_interval: Option<u32>,
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct MemberValue<'a> {
        #[n(0)]
        pub member: u16,
        #[cbor(n(1), with = "minicbor::bytes")]
        pub value: &'a [u8],
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct Event<'a> {
        #[n(0)]
        pub member: u16,
        #[n(1)]
        pub number: u64,
        #[cbor(n(2), with = "minicbor::bytes")]
        pub data: Option<&'a [u8]>,
        #[n(3)]
        pub timestamp: Option<u64>,
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct Description<'a> {
        #[b(0)]
        pub endpoints: Vec<EndpointInfo<'a>>,
        #[cbor(n(1), skip_if = "is_default")]
        pub revision: u32,
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct EndpointInfo<'a> {
        #[n(0)]
        pub endpoint: u16,
        #[b(1)]
        pub capabilities: Vec<CapabilityInfo<'a>>,
        #[b(2)]
        pub label: Option<&'a str>,
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct CapabilityInfo<'a> {
        #[n(0)]
        pub id: u16,
        #[b(1)]
        pub package: &'a str,
        #[b(2)]
        pub name: &'a str,
        #[n(3)]
        pub version: SemVer,
        #[n(4)]
        pub members: Option<Vec<u16>>,
    }

    #[derive(Clone, Debug, PartialEq, Encode, Decode)]
    #[cbor(map)]
    pub struct SemVer {
        #[n(0)]
        pub major: u32,
        #[cbor(n(1), skip_if = "is_default")]
        pub minor: u32,
        #[cbor(n(2), skip_if = "is_default")]
        pub patch: u32,
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions from the model
// ---------------------------------------------------------------------------------------------

mod to_iotp2p {
    use super::*;

    /// Keeps `items` for the rest of the process, so that an iotp2p array can borrow them.
    fn keep<T>(items: Vec<T>) -> &'static [T] {
        Box::leak(items.into_boxed_slice())
    }

    fn bytes(b: &'static Option<model::ByteBuf>) -> Option<&'static [u8]> {
        b.as_ref().map(|b| &b.0[..])
    }

    pub fn envelope(m: &'static model::Envelope) -> core::Envelope<'static> {
        core::Envelope {
            version: m.version.unwrap_or(1),
            message_id: m.message_id,
            correlation_id: m.correlation_id,
            ack_requested: m.ack_requested,
            ttl: m.ttl,
            more: m.more,
            recipient: m.recipient.as_deref(),
            sender: m.sender.as_deref(),
            recipient_contact: m.recipient_contact,
            sender_contact: m.sender_contact,
            key_id: bytes(&m.key_id),
            sealed: bytes(&m.sealed),
            body: m.body.as_ref().map(body),
            unknown_fields: UnknownFields::NONE,
        }
    }

    fn body(m: &'static model::Body) -> core::Body<'static> {
        match m {
            model::Body::Report(r) => core::Body::Report(core::Report {
                endpoint: r.endpoint,
                capability: r.capability,
                values: r.values.as_ref().map(|values| {
                    Array::Slice(keep(
                        values
                            .iter()
                            .map(|v| core::MemberValue {
                                member: v.member,
                                value: &v.value.0,
                                unknown_fields: UnknownFields::NONE,
                            })
                            .collect(),
                    ))
                }),
                events: r.events.as_ref().map(|events| {
                    Array::Slice(keep(
                        events
                            .iter()
                            .map(|e| core::Event {
                                member: e.member,
                                number: e.number,
                                data: bytes(&e.data),
                                timestamp: e.timestamp,
                                unknown_fields: UnknownFields::NONE,
                            })
                            .collect(),
                    ))
                }),
                max_interval: r.max_interval,
                unknown_fields: UnknownFields::NONE,
            }),
            model::Body::Description(d) => core::Body::Description(core::Description {
                endpoints: Array::Slice(keep(
                    d.endpoints
                        .iter()
                        .map(|e| core::EndpointInfo {
                            endpoint: e.endpoint,
                            capabilities: Array::Slice(keep(
                                e.capabilities.iter().map(capability).collect(),
                            )),
                            label: e.label.as_deref(),
                            unknown_fields: UnknownFields::NONE,
                        })
                        .collect(),
                )),
                revision: d.revision,
                unknown_fields: UnknownFields::NONE,
            }),
        }
    }

    fn capability(c: &'static model::CapabilityInfo) -> core::CapabilityInfo<'static> {
        core::CapabilityInfo {
            id: c.id,
            package: &c.package,
            name: &c.name,
            version: core::SemVer {
                major: c.version.major,
                minor: c.version.minor,
                patch: c.version.patch,
                unknown_fields: UnknownFields::NONE,
            },
            members: c.members.as_deref().map(Array::Slice),
            // The standard packages need no schema reference; the peers' messages carry none either.
            schema: None,
            unknown_fields: UnknownFields::NONE,
        }
    }
}

mod to_proto {
    use super::*;

    pub fn envelope(m: &model::Envelope) -> proto::Envelope {
        proto::Envelope {
            version: m.version.map(u32::from),
            message_id: m.message_id,
            correlation_id: m.correlation_id,
            ack_requested: m.ack_requested,
            ttl: m.ttl,
            more: m.more,
            recipient: m.recipient.clone(),
            sender: m.sender.clone(),
            recipient_contact: m.recipient_contact.map(u32::from),
            sender_contact: m.sender_contact.map(u32::from),
            key_id: m.key_id.as_ref().map(|b| b.0.clone()),
            sealed: m.sealed.as_ref().map(|b| b.0.clone()),
            body: m.body.as_ref().map(|b| proto::Body {
                kind: Some(body(b)),
            }),
        }
    }

    fn body(m: &model::Body) -> proto::body::Kind {
        match m {
            model::Body::Report(r) => proto::body::Kind::Report(proto::Report {
                endpoint: r.endpoint.into(),
                capability: r.capability.into(),
                values: r
                    .values
                    .iter()
                    .flatten()
                    .map(|v| proto::MemberValue {
                        member: v.member.into(),
                        value: v.value.0.clone(),
                    })
                    .collect(),
                events: r
                    .events
                    .iter()
                    .flatten()
                    .map(|e| proto::Event {
                        member: e.member.into(),
                        number: e.number,
                        data: e.data.as_ref().map(|b| b.0.clone()),
                        timestamp: e.timestamp,
                    })
                    .collect(),
                max_interval: r.max_interval,
            }),
            model::Body::Description(d) => proto::body::Kind::Description(proto::Description {
                endpoints: d
                    .endpoints
                    .iter()
                    .map(|e| proto::EndpointInfo {
                        endpoint: e.endpoint.into(),
                        capabilities: e
                            .capabilities
                            .iter()
                            .map(|c| proto::CapabilityInfo {
                                id: c.id.into(),
                                package: c.package.clone(),
                                name: c.name.clone(),
                                version: Some(proto::SemVer {
                                    major: c.version.major,
                                    minor: c.version.minor,
                                    patch: c.version.patch,
                                }),
                                members: c.members.iter().flatten().map(|&k| k.into()).collect(),
                            })
                            .collect(),
                        label: e.label.clone(),
                    })
                    .collect(),
                revision: d.revision,
            }),
        }
    }
}

mod to_borrowed {
    use super::*;

    pub fn envelope(m: &model::Envelope) -> borrowed::Envelope<'_> {
        borrowed::Envelope {
            version: m.version,
            message_id: m.message_id,
            correlation_id: m.correlation_id,
            ack_requested: m.ack_requested,
            ttl: m.ttl,
            more: m.more,
            recipient: m.recipient.as_deref(),
            sender: m.sender.as_deref(),
            recipient_contact: m.recipient_contact,
            sender_contact: m.sender_contact,
            key_id: m.key_id.as_ref().map(|b| &b.0[..]),
            sealed: m.sealed.as_ref().map(|b| &b.0[..]),
            body: m.body.as_ref().map(body),
        }
    }

    fn body(m: &model::Body) -> borrowed::Body<'_> {
        match m {
            model::Body::Report(r) => borrowed::Body::Report(borrowed::Report {
                endpoint: r.endpoint,
                capability: r.capability,
                values: r.values.as_ref().map(|values| {
                    values
                        .iter()
                        .map(|v| borrowed::MemberValue {
                            member: v.member,
                            value: &v.value.0,
                        })
                        .collect()
                }),
                events: r.events.as_ref().map(|events| {
                    events
                        .iter()
                        .map(|e| borrowed::Event {
                            member: e.member,
                            number: e.number,
                            data: e.data.as_ref().map(|b| &b.0[..]),
                            timestamp: e.timestamp,
                        })
                        .collect()
                }),
                max_interval: r.max_interval,
            }),
            model::Body::Description(d) => borrowed::Body::Description(borrowed::Description {
                endpoints: d
                    .endpoints
                    .iter()
                    .map(|e| borrowed::EndpointInfo {
                        endpoint: e.endpoint,
                        capabilities: e
                            .capabilities
                            .iter()
                            .map(|c| borrowed::CapabilityInfo {
                                id: c.id,
                                package: &c.package,
                                name: &c.name,
                                version: borrowed::SemVer {
                                    major: c.version.major,
                                    minor: c.version.minor,
                                    patch: c.version.patch,
                                },
                                members: c.members.clone(),
                            })
                            .collect(),
                        label: e.label.as_deref(),
                    })
                    .collect(),
                revision: d.revision,
            }),
        }
    }
}

mod to_cbor {
    use super::*;

    pub fn envelope(m: &model::Envelope) -> cbor::Envelope<'_> {
        cbor::Envelope {
            version: m.version,
            message_id: m.message_id,
            correlation_id: m.correlation_id,
            ack_requested: m.ack_requested,
            ttl: m.ttl,
            more: m.more,
            recipient: m.recipient.as_deref(),
            sender: m.sender.as_deref(),
            recipient_contact: m.recipient_contact,
            sender_contact: m.sender_contact,
            key_id: m.key_id.as_ref().map(|b| &b.0[..]),
            sealed: m.sealed.as_ref().map(|b| &b.0[..]),
            body: m.body.as_ref().map(body),
        }
    }

    fn body(m: &model::Body) -> cbor::Body<'_> {
        match m {
            model::Body::Report(r) => cbor::Body::Report(cbor::Report {
                endpoint: r.endpoint,
                capability: r.capability,
                values: r.values.as_ref().map(|values| {
                    values
                        .iter()
                        .map(|v| cbor::MemberValue {
                            member: v.member,
                            value: &v.value.0,
                        })
                        .collect()
                }),
                events: r.events.as_ref().map(|events| {
                    events
                        .iter()
                        .map(|e| cbor::Event {
                            member: e.member,
                            number: e.number,
                            data: e.data.as_ref().map(|b| &b.0[..]),
                            timestamp: e.timestamp,
                        })
                        .collect()
                }),
                max_interval: r.max_interval,
            }),
            model::Body::Description(d) => cbor::Body::Description(cbor::Description {
                endpoints: d
                    .endpoints
                    .iter()
                    .map(|e| cbor::EndpointInfo {
                        endpoint: e.endpoint,
                        capabilities: e
                            .capabilities
                            .iter()
                            .map(|c| cbor::CapabilityInfo {
                                id: c.id,
                                package: &c.package,
                                name: &c.name,
                                version: cbor::SemVer {
                                    major: c.version.major,
                                    minor: c.version.minor,
                                    patch: c.version.patch,
                                },
                                members: c.members.clone(),
                            })
                            .collect(),
                        label: e.label.as_deref(),
                    })
                    .collect(),
                revision: d.revision,
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Encoded sizes (the table of benches/README.md)
// ---------------------------------------------------------------------------------------------

/// The encoded sizes of every message with every codec, as the Markdown table that
/// `benches/README.md` shows (a unit test checks that the README has this exact table).
pub fn size_table() -> String {
    let mut out = String::from("| message | ");
    out += &Codec::ALL.map(Codec::name).join(" | ");
    out += " |\n|---|";
    out += &"---:|".repeat(Codec::ALL.len());
    out += "\n";
    for message in Message::ALL {
        let fixture = message.fixture();
        let iotp2p = fixture.encode(Codec::Iotp2p).len();
        out += &format!("| {} |", message.name());
        for codec in Codec::ALL {
            let n = fixture.encode(codec).len();
            if codec == Codec::Iotp2p {
                out += &format!(" {n} |");
            } else {
                out += &format!(" {n} ({:.2}×) |", n as f64 / iotp2p as f64);
            }
        }
        out += "\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    #[test]
    fn the_notification_is_the_spec_example() {
        // spec/05-message-layer.md §5.15.2, msg.notify-temperature.
        let expected =
            hex("a4 01 19 02 05 02 0c 08 01 0c a1 08 a3 00 01 01 09 02 81 a2 00 00 01 43 19 08 66");
        assert_eq!(
            Message::Notification.fixture().encode(Codec::Iotp2p),
            expected
        );
    }

    #[test]
    fn the_messages_have_the_sizes_the_docs_give() {
        let sizes = Message::ALL.map(|m| m.fixture().encode(Codec::Iotp2p).len());
        assert_eq!(sizes, [27, 298, 4091]);
        // Small ~20–40 bytes, medium ~300, large ~4 KB (the benchmark's brief).
        assert!((20..=40).contains(&sizes[0]));
        assert!((250..=350).contains(&sizes[1]));
        assert!((3800..=4400).contains(&sizes[2]));
    }

    #[test]
    fn the_batch_uses_the_schema_maxima() {
        let Some(core::Body::Report(report)) = Message::Batch.fixture().iotp2p.body else {
            panic!("the batch is a report");
        };
        assert_eq!(report.values.unwrap().len(), BATCH_CHANNELS);
        assert_eq!(report.events.unwrap().len(), BATCH_EVENTS);
    }

    #[test]
    fn iotp2p_round_trips() {
        for message in Message::ALL {
            let fixture = message.fixture();
            let bytes = fixture.encode(Codec::Iotp2p);
            assert_eq!(bytes.len(), fixture.iotp2p.encoded_len());
            let decoded = core::Envelope::decode(&bytes).unwrap();
            assert_eq!(decoded, fixture.iotp2p, "{message:?}");
            assert_eq!(read_all(&decoded), read_all(&fixture.iotp2p));
            // The owned types: the same value, the same bytes.
            let owned = iotp2p_owned_decode(&bytes).unwrap();
            assert_eq!(owned, decoded.into_owned());
            assert_eq!(owned.encode_to_vec().unwrap(), bytes);
        }
    }

    #[test]
    fn prost_round_trips() {
        for message in Message::ALL {
            let fixture = message.fixture();
            let bytes = fixture.encode(Codec::Prost);
            let decoded: proto::Envelope = prost::Message::decode(&bytes[..]).unwrap();
            assert_eq!(decoded, fixture.prost, "{message:?}");
        }
    }

    #[test]
    fn postcard_round_trips_owned_and_borrowed() {
        for message in Message::ALL {
            let fixture = message.fixture();
            let bytes = fixture.encode(Codec::Postcard);
            let owned: model::Envelope = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(&owned, fixture.model, "{message:?}");
            let borrowed: borrowed::Envelope<'_> = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(borrowed, fixture.borrowed, "{message:?}");
        }
    }

    #[test]
    fn minicbor_round_trips_borrowed() {
        for message in Message::ALL {
            let fixture = message.fixture();
            let bytes = fixture.encode(Codec::Minicbor);
            let decoded: cbor::Envelope<'_> = minicbor::decode(&bytes).unwrap();
            assert_eq!(decoded, fixture.minicbor, "{message:?}");
        }
    }

    #[test]
    fn minicbor_differs_from_iotp2p_only_in_the_union_head() {
        // `{12: {8: ...}}` in iotp2p, `{12: [8, ...]}` in minicbor: one byte, a1 against 82.
        for message in Message::ALL {
            let fixture = message.fixture();
            let ours = fixture.encode(Codec::Iotp2p);
            let theirs = fixture.encode(Codec::Minicbor);
            let differing: Vec<usize> = (0..ours.len().max(theirs.len()))
                .filter(|&i| ours.get(i) != theirs.get(i))
                .collect();
            assert_eq!(differing.len(), 1, "{message:?}");
            assert_eq!((ours[differing[0]], theirs[differing[0]]), (0xa1, 0x82));
        }
    }

    #[test]
    fn ciborium_and_serde_json_round_trip_owned() {
        for message in Message::ALL {
            let fixture = message.fixture();
            let bytes = fixture.encode(Codec::Ciborium);
            let decoded: model::Envelope = ciborium::from_reader(&bytes[..]).unwrap();
            assert_eq!(&decoded, fixture.model, "{message:?}");
            let bytes = fixture.encode(Codec::SerdeJson);
            let decoded: model::Envelope = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(&decoded, fixture.model, "{message:?}");
        }
    }

    #[test]
    fn the_readme_has_the_size_table() {
        let readme = include_str!("../README.md");
        let table = size_table();
        assert!(
            readme.contains(&table),
            "benches/README.md must contain the table of encoded sizes (print it with \
             `cargo run -p iotp2p-benches --bin codec-table`):\n{table}"
        );
    }
}
