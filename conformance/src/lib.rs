//! The iotp2p conformance suite.
//!
//! - [`vector`]: the vector format (with its JSON Schema in `vectors/vector-file.schema.json`);
//! - [`protocol`]: how the runner talks to an implementation under test (one JSON object per line);
//! - the generator that writes `vectors/` from declarative cases, the runner, and the Rust reference
//!   testee built from `iotp2p-codec`.

pub mod protocol;
pub mod vector;
