//! Frames, fragmentation and reassembly (spec §5.12).
//!
//! On links whose frames are smaller than a message (BLE GATT, LoRaWAN, IEEE 802.15.4 without 6LoWPAN)
//! a message travels as a first fragment (`0xc0`, tag, size) and next fragments (`0xc1`, tag, offset).
//! [`Fragments`] cuts a message for a link's frame size; [`Reassembler`] puts messages back together,
//! per (hop peer, tag), and applies every discard rule of [IOTP-MSG-88].
//!
//! **Bounds.** A reassembly holds at most `capacity` bytes (at least [`MIN_REASSEMBLY`], at most
//! [`MAX_MESSAGE`]) and a bitmap of one bit per byte; at most `max_in_progress` reassemblies run at
//! once, of which at most `per_peer` for one hop peer. So the reassembler never holds more than
//! `max_in_progress × (capacity + capacity / 8)` bytes, whatever arrives. A new reassembly that would
//! pass a bound replaces the oldest one of the same peer (a peer can only hurt its own messages), or,
//! when the total bound is reached, the oldest of all.

use alloc::vec;
use alloc::vec::Vec;

use crate::params::{Instant, MAX_MESSAGE, MIN_REASSEMBLY};

/// First byte of a first fragment.
pub const FIRST_FRAGMENT: u8 = 0xc0;
/// First byte of a next fragment.
pub const NEXT_FRAGMENT: u8 = 0xc1;
/// Length of a fragment header: type, tag and a two-byte size or offset.
pub const FRAGMENT_HEADER: usize = 4;

/// A frame as received on a fragmenting link (§5.12.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A whole message (it starts with a map head, `0xa0`–`0xbf`).
    Whole(&'a [u8]),
    /// The first fragment of a message of `size` bytes; its chunk is bytes `0..chunk.len()`.
    First {
        /// Identifies the message among the sender's fragmented messages.
        tag: u8,
        /// The length of the whole message.
        size: u16,
        /// The first bytes of the message.
        chunk: &'a [u8],
    },
    /// A next fragment: bytes `offset..offset + chunk.len()` of the message.
    Next {
        /// Identifies the message among the sender's fragmented messages.
        tag: u8,
        /// Where the chunk goes in the message.
        offset: u16,
        /// Consecutive bytes of the message.
        chunk: &'a [u8],
    },
}

/// Why a frame is not one the ABNF of §5.12.1 admits; such a frame is discarded without reply
/// ([IOTP-MSG-74]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// No bytes at all.
    Empty,
    /// A first byte that starts neither a message nor a fragment (`0xc2`–`0xdf` are reserved for
    /// future frame types; the others are never admitted).
    UnknownType(u8),
    /// A fragment whose header is cut short, or whose chunk is empty.
    Truncated,
}

impl<'a> Frame<'a> {
    /// Classifies a received frame.
    pub fn parse(bytes: &'a [u8]) -> Result<Frame<'a>, FrameError> {
        let (&first, _) = bytes.split_first().ok_or(FrameError::Empty)?;
        match first {
            0xa0..=0xbf => Ok(Frame::Whole(bytes)),
            FIRST_FRAGMENT | NEXT_FRAGMENT => {
                if bytes.len() <= FRAGMENT_HEADER {
                    return Err(FrameError::Truncated);
                }
                let tag = bytes[1];
                let value = u16::from_be_bytes([bytes[2], bytes[3]]);
                let chunk = &bytes[FRAGMENT_HEADER..];
                Ok(if first == FIRST_FRAGMENT {
                    Frame::First {
                        tag,
                        size: value,
                        chunk,
                    }
                } else {
                    Frame::Next {
                        tag,
                        offset: value,
                        chunk,
                    }
                })
            }
            other => Err(FrameError::UnknownType(other)),
        }
    }
}

/// Why a message cannot be fragmented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FragmentError {
    /// The message is empty or larger than MAX_MESSAGE (1232 bytes).
    BadLength(usize),
    /// The link's frames cannot hold a fragment header and one byte.
    FrameTooSmall(usize),
}

/// One frame to send: a header (empty for a whole message) and a chunk of the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutFrame<'a> {
    header: [u8; FRAGMENT_HEADER],
    header_len: usize,
    /// The bytes of the message this frame carries.
    pub chunk: &'a [u8],
}

impl OutFrame<'_> {
    /// The frame's length on the link.
    pub fn len(&self) -> usize {
        self.header_len + self.chunk.len()
    }

    /// Never true: every frame carries at least one byte of the message.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The fragment header (empty for a whole message).
    pub fn header(&self) -> &[u8] {
        &self.header[..self.header_len]
    }

    /// The frame as one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len());
        v.extend_from_slice(self.header());
        v.extend_from_slice(self.chunk);
        v
    }
}

/// The frames of one message on a link whose frames hold `frame_size` bytes: the message itself when it
/// fits ([IOTP-MSG-75]), otherwise a first fragment and next fragments in ascending offset order
/// ([IOTP-MSG-77] to [IOTP-MSG-80]).
#[derive(Clone, Debug)]
pub struct Fragments<'a> {
    message: &'a [u8],
    frame_size: usize,
    tag: u8,
    next: usize,
    whole: bool,
}

impl<'a> Fragments<'a> {
    /// Cuts `message` for frames of `frame_size` bytes, with `tag` for its fragments. The caller picks
    /// a tag not used for another message to the same hop peer within REASSEMBLY_TIMEOUT
    /// ([IOTP-MSG-81]); a retransmission may reuse it ([IOTP-MSG-82]).
    pub fn new(message: &'a [u8], frame_size: usize, tag: u8) -> Result<Self, FragmentError> {
        if message.is_empty() || message.len() > MAX_MESSAGE {
            return Err(FragmentError::BadLength(message.len()));
        }
        let whole = message.len() <= frame_size;
        if !whole && frame_size <= FRAGMENT_HEADER {
            return Err(FragmentError::FrameTooSmall(frame_size));
        }
        Ok(Fragments {
            message,
            frame_size,
            tag,
            next: 0,
            whole,
        })
    }

    /// How many frames the message takes.
    pub fn count(&self) -> usize {
        if self.whole {
            1
        } else {
            self.message
                .len()
                .div_ceil(self.frame_size - FRAGMENT_HEADER)
        }
    }
}

impl<'a> Iterator for Fragments<'a> {
    type Item = OutFrame<'a>;

    fn next(&mut self) -> Option<OutFrame<'a>> {
        if self.next >= self.message.len() {
            return None;
        }
        if self.whole {
            self.next = self.message.len();
            return Some(OutFrame {
                header: [0; FRAGMENT_HEADER],
                header_len: 0,
                chunk: self.message,
            });
        }
        let start = self.next;
        let end = (start + self.frame_size - FRAGMENT_HEADER).min(self.message.len());
        self.next = end;
        // MAX_MESSAGE < 2^16, so sizes and offsets fit their two bytes.
        let (kind, value) = if start == 0 {
            (FIRST_FRAGMENT, self.message.len() as u16)
        } else {
            (NEXT_FRAGMENT, start as u16)
        };
        let [hi, lo] = value.to_be_bytes();
        Some(OutFrame {
            header: [kind, self.tag, hi, lo],
            header_len: FRAGMENT_HEADER,
            chunk: &self.message[start..end],
        })
    }
}

/// Why a reassembly, or a fragment, was discarded ([IOTP-MSG-88], [IOTP-MSG-90], [IOTP-MSG-92]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discard {
    /// The frame is not admitted by §5.12.1 ([IOTP-MSG-74]).
    Frame(FrameError),
    /// `size` exceeds MAX_MESSAGE or what this receiver reassembles.
    TooLarge,
    /// The first fragment's chunk is not shorter than `size`.
    FirstChunkTooLong,
    /// A chunk extends beyond `size`.
    BeyondSize,
    /// A next fragment has `offset` 0.
    ZeroOffset,
    /// A fragment overlaps received bytes with different values.
    Conflict,
    /// A first fragment with the same tag announces a different `size`.
    SizeChanged,
    /// A next fragment arrived before its first fragment ([IOTP-MSG-90]).
    NoFirstFragment,
    /// The reassembled bytes do not start with a map head ([IOTP-MSG-92]).
    NotAnEnvelope,
}

/// What a received frame gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// A whole message, as received.
    Message(&'a [u8]),
    /// The last missing fragment of a message: the reassembled message ([IOTP-MSG-91]).
    Reassembled(Vec<u8>),
    /// A fragment was kept; the message is not complete yet.
    Pending,
    /// A fragment that repeats bytes already received with the same values ([IOTP-MSG-89]).
    Repeated,
    /// The frame was discarded, and with it the reassembly it belonged to, if any.
    Discarded(Discard),
}

/// One message being reassembled.
#[derive(Debug)]
struct InProgress<P> {
    peer: P,
    tag: u8,
    started: Instant,
    bytes: Vec<u8>,
    /// One bit per byte of `bytes`: received or not.
    have: Vec<u8>,
    missing: usize,
}

impl<P> InProgress<P> {
    fn has(&self, i: usize) -> bool {
        self.have[i / 8] & (1 << (i % 8)) != 0
    }

    /// Adds a chunk at `offset` (already checked to lie within the message).
    fn put(&mut self, offset: usize, chunk: &[u8]) -> Result<bool, Discard> {
        let range = offset..offset + chunk.len();
        if range
            .clone()
            .zip(chunk)
            .any(|(i, &b)| self.has(i) && self.bytes[i] != b)
        {
            return Err(Discard::Conflict);
        }
        let mut added = false;
        for (i, &b) in range.zip(chunk) {
            if !self.has(i) {
                self.bytes[i] = b;
                self.have[i / 8] |= 1 << (i % 8);
                self.missing -= 1;
                added = true;
            }
        }
        Ok(added)
    }
}

/// Reassembles fragmented messages per (hop peer, tag), within stated bounds (see the module doc).
#[derive(Debug)]
pub struct Reassembler<P> {
    capacity: usize,
    max_in_progress: usize,
    per_peer: usize,
    timeout: u64,
    in_progress: Vec<InProgress<P>>,
}

impl<P: PartialEq + Clone> Reassembler<P> {
    /// A reassembler for messages of up to `capacity` bytes (clamped to MIN_REASSEMBLY..=MAX_MESSAGE:
    /// [IOTP-MSG-133]), with at most `max_in_progress` reassemblies at once, `per_peer` of them for one
    /// hop peer (both at least 1, [IOTP-MSG-84]), each discarded `timeout` ms after its first fragment
    /// (REASSEMBLY_TIMEOUT).
    pub fn new(capacity: usize, max_in_progress: usize, per_peer: usize, timeout: u64) -> Self {
        Reassembler {
            capacity: capacity.clamp(MIN_REASSEMBLY, MAX_MESSAGE),
            max_in_progress: max_in_progress.max(1),
            per_peer: per_peer.max(1),
            timeout,
            in_progress: Vec::new(),
        }
    }

    /// The largest message this reassembler puts back together.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many reassemblies are in progress.
    pub fn in_progress(&self) -> usize {
        self.in_progress.len()
    }

    /// When the oldest reassembly times out, if any is in progress: the time of the next call to
    /// [`expire`](Self::expire) (sans-I/O: the caller arms the timer).
    pub fn next_deadline(&self) -> Option<Instant> {
        self.in_progress
            .iter()
            .map(|r| r.started.saturating_add(self.timeout))
            .min()
    }

    /// Discards the reassemblies whose REASSEMBLY_TIMEOUT has passed at `now` ([IOTP-MSG-88]).
    pub fn expire(&mut self, now: Instant) {
        let timeout = self.timeout;
        self.in_progress
            .retain(|r| now < r.started.saturating_add(timeout));
    }

    /// Handles one frame received from `peer` at `now`.
    pub fn receive<'a>(&mut self, peer: &P, frame: &'a [u8], now: Instant) -> Received<'a> {
        self.expire(now);
        let frame = match Frame::parse(frame) {
            Ok(frame) => frame,
            Err(e) => return Received::Discarded(Discard::Frame(e)),
        };
        let (tag, offset, chunk) = match frame {
            Frame::Whole(message) => return Received::Message(message),
            Frame::First { tag, size, chunk } => {
                let size = usize::from(size);
                if let Some(discard) = self.check_first(peer, tag, size, chunk, now) {
                    return Received::Discarded(discard);
                }
                (tag, 0, chunk)
            }
            Frame::Next { tag, offset, chunk } => {
                if offset == 0 {
                    self.drop_reassembly(peer, tag);
                    return Received::Discarded(Discard::ZeroOffset);
                }
                (tag, usize::from(offset), chunk)
            }
        };
        let Some(index) = self.find(peer, tag) else {
            return Received::Discarded(Discard::NoFirstFragment);
        };
        let r = &mut self.in_progress[index];
        if offset + chunk.len() > r.bytes.len() {
            self.in_progress.remove(index);
            return Received::Discarded(Discard::BeyondSize);
        }
        match r.put(offset, chunk) {
            Err(discard) => {
                self.in_progress.remove(index);
                Received::Discarded(discard)
            }
            Ok(false) => Received::Repeated,
            Ok(true) if r.missing > 0 => Received::Pending,
            Ok(true) => {
                let done = self.in_progress.remove(index);
                if matches!(done.bytes.first(), Some(0xa0..=0xbf)) {
                    Received::Reassembled(done.bytes)
                } else {
                    Received::Discarded(Discard::NotAnEnvelope)
                }
            }
        }
    }

    /// Checks a first fragment and opens its reassembly if there is none; returns why the fragment
    /// is discarded, if it is.
    fn check_first(
        &mut self,
        peer: &P,
        tag: u8,
        size: usize,
        chunk: &[u8],
        now: Instant,
    ) -> Option<Discard> {
        let existing = self.find(peer, tag);
        let discard = if size > self.capacity {
            Some(Discard::TooLarge)
        } else if chunk.len() >= size {
            Some(Discard::FirstChunkTooLong)
        } else {
            match existing {
                Some(i) if self.in_progress[i].bytes.len() != size => Some(Discard::SizeChanged),
                _ => None,
            }
        };
        if discard.is_some() {
            // Every fragment held for the tag goes too.
            self.drop_reassembly(peer, tag);
            return discard;
        }
        if existing.is_none() {
            self.make_room(peer);
            self.in_progress.push(InProgress {
                peer: peer.clone(),
                tag,
                started: now,
                bytes: vec![0; size],
                have: vec![0; size.div_ceil(8)],
                missing: size,
            });
        }
        None
    }

    fn find(&self, peer: &P, tag: u8) -> Option<usize> {
        self.in_progress
            .iter()
            .position(|r| r.tag == tag && r.peer == *peer)
    }

    fn drop_reassembly(&mut self, peer: &P, tag: u8) {
        if let Some(i) = self.find(peer, tag) {
            self.in_progress.remove(i);
        }
    }

    /// Evicts the oldest reassembly of `peer` when the peer is at its bound, then the oldest of all
    /// when the total bound is reached. `in_progress` is in order of creation, so the first match is
    /// the oldest.
    fn make_room(&mut self, peer: &P) {
        let of_peer = self.in_progress.iter().filter(|r| r.peer == *peer).count();
        if of_peer >= self.per_peer {
            if let Some(i) = self.in_progress.iter().position(|r| r.peer == *peer) {
                self.in_progress.remove(i);
            }
        }
        if self.in_progress.len() >= self.max_in_progress {
            self.in_progress.remove(0);
        }
    }
}
