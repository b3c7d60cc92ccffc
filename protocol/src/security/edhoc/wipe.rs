//! Wiping lakers' states. lakers keeps ephemeral private keys, PRKs and transcript hashes in plain
//! structs with public fields and does not zeroize them; [`Wiped`] holds one and zeroizes its secret
//! fields when dropped, whether the handshake completed, failed or was abandoned.

use core::ops::{Deref, DerefMut};

use lakers::{
    Completed, EdhocMessageBuffer, InitiatorStart, ProcessedM2, ProcessedM3, ProcessingM1,
    ProcessingM2, ProcessingM3, ResponderStart, WaitM2, WaitM3, WaitM4,
};
use zeroize::Zeroize;

/// A lakers state whose secret fields can be overwritten.
pub(super) trait Wipe {
    /// Overwrites the secret fields with zeros.
    fn wipe(&mut self);
}

/// A lakers state that is wiped on drop.
pub(super) struct Wiped<T: Wipe>(pub(super) T);

impl<T: Wipe> Drop for Wiped<T> {
    fn drop(&mut self) {
        self.0.wipe();
    }
}

impl<T: Wipe> Deref for Wiped<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Wipe> DerefMut for Wiped<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Plaintexts hold MACs and identities; wiped with the states that keep them.
fn wipe_buffer(buffer: &mut EdhocMessageBuffer) {
    buffer.content.zeroize();
    buffer.len = 0;
}

impl Wipe for InitiatorStart {
    fn wipe(&mut self) {
        self.x.zeroize();
    }
}

impl Wipe for ResponderStart {
    fn wipe(&mut self) {
        self.y.zeroize();
    }
}

impl Wipe for WaitM2 {
    fn wipe(&mut self) {
        self.x.zeroize();
        self.h_message_1.zeroize();
    }
}

impl Wipe for ProcessingM2 {
    fn wipe(&mut self) {
        self.mac_2.zeroize();
        self.prk_2e.zeroize();
        self.th_2.zeroize();
        self.x.zeroize();
        wipe_buffer(&mut self.plaintext_2);
    }
}

impl Wipe for ProcessedM2 {
    fn wipe(&mut self) {
        self.prk_3e2m.zeroize();
        self.prk_4e3m.zeroize();
        self.th_3.zeroize();
    }
}

impl Wipe for WaitM4 {
    fn wipe(&mut self) {
        self.prk_4e3m.zeroize();
        self.th_4.zeroize();
        self.prk_out.zeroize();
        self.prk_exporter.zeroize();
    }
}

impl Wipe for ProcessingM1 {
    fn wipe(&mut self) {
        self.y.zeroize();
        self.h_message_1.zeroize();
    }
}

impl Wipe for WaitM3 {
    fn wipe(&mut self) {
        self.y.zeroize();
        self.prk_3e2m.zeroize();
        self.th_3.zeroize();
    }
}

impl Wipe for ProcessingM3 {
    fn wipe(&mut self) {
        self.mac_3.zeroize();
        self.y.zeroize();
        self.prk_3e2m.zeroize();
        self.th_3.zeroize();
        wipe_buffer(&mut self.plaintext_3);
    }
}

impl Wipe for ProcessedM3 {
    fn wipe(&mut self) {
        self.prk_4e3m.zeroize();
        self.th_4.zeroize();
        self.prk_out.zeroize();
        self.prk_exporter.zeroize();
    }
}

impl Wipe for Completed {
    fn wipe(&mut self) {
        self.prk_out.zeroize();
        self.prk_exporter.zeroize();
    }
}
