//! Local discovery with DNS-SD (spec §3.3): what a node advertises on its link (`records`), the
//! responder that answers for it (`responder`), and the browse that finds nodes (`browse`). A device
//! in its pairing window advertises `_p` and its discriminator ([IOTP-DLV-15]) until the window
//! closes ([IOTP-DLV-16]); a node may advertise its address (`_a<hash>`, [IOTP-DLV-14]) or nothing
//! of itself ([IOTP-DLV-17]). What a browse finds is only where to try ([IOTP-DLV-19]).

pub mod browse;
pub mod records;
pub mod responder;

pub use browse::{browse, BrowseError, Found, Looking};
pub use records::Advertisement;
pub use responder::{DiscoveryError, Responder};
