//! Frames, fragmentation and reassembly (spec §5.12).
