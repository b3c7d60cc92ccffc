//! The canonical printer behind `iotp2p fmt`: syntax tree → text, keeping every comment.
