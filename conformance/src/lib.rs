//! The iotp2p conformance suite.
//!
//! - [`vector`]: the vector format (with its JSON Schema in `vectors/vector-file.schema.json`);
//! - [`protocol`]: how the runner talks to an implementation under test (one JSON object per line);
//! - [`scenario`]: scripted-peer scenarios on a virtual clock (protocol 2);
//! - [`generate`]: the generator that writes `vectors/` from declarative cases;
//! - [`suite`]: the vector set as the runner loads it, with its hash;
//! - [`runner`]: drives a testee through the vectors, surviving crashes and hangs;
//! - [`baseline`], [`report`], [`junit`]: known failures, the JSON report and summary, JUnit XML;
//! - [`coverage`]: which requirement IDs of the spec the vectors test;
//! - [`reference`](mod@reference): the Rust reference testee, built from `iotp2p-codec`.

pub mod baseline;
pub mod coverage;
pub mod generate;
pub mod glob;
pub mod junit;
pub mod protocol;
pub mod protocol_edhoc;
pub mod reference;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod suite;
pub mod vector;
