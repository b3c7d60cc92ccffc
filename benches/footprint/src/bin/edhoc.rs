//! EDHOC through `lakers` (spec §8.4): a whole handshake, both roles (a device is usually the
//! responder; the code of the two roles is mostly shared), up to the security contexts.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use cortex_m_rt::entry;
use iotp2p_footprint::{init_heap, opaque};
use iotp2p_protocol::security::edhoc::{
    connection_id_from_int, AuthKey, Credential, IdCredI, Initiator, LocalIdentity, Responder,
};
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::{KeyId, NodeId};
use p256::elliptic_curve::sec1::ToEncodedPoint;

/// The CCS of spec §8.2.2 for the P-256 authentication key `secret`.
fn ccs(secret: &[u8; 32], kid: u8) -> Option<Vec<u8>> {
    let key = p256::SecretKey::from_bytes(secret.into()).ok()?;
    let point = key.public_key().to_encoded_point(false);
    let x: &[u8; 32] = point.x()?.as_slice().try_into().ok()?;
    let y: &[u8; 32] = point.y()?.as_slice().try_into().ok()?;
    p256_credential(&NodeId::from_bytes([kid; 32]), &[kid], x, y).ok()
}

fn handshake() -> Option<()> {
    let a_key = opaque([0x11u8; 32]);
    let b_key = opaque([0x22u8; 32]);
    let a_ccs = ccs(&a_key, 5)?;
    let b_ccs = ccs(&b_key, 7)?;
    let a = LocalIdentity::new(AuthKey::new(&a_key).ok()?, Credential::parse(&a_ccs).ok()?).ok()?;
    let b = LocalIdentity::new(AuthKey::new(&b_key).ok()?, Credential::parse(&b_ccs).ok()?).ok()?;
    let none: &[KeyId] = &[];
    let held_a: &[&[u8]] = &[&a_ccs];
    let held_b: &[&[u8]] = &[&b_ccs];
    let (initiator, m1) = Initiator::start(
        &a,
        IdCredI::Kid,
        connection_id_from_int(1)?,
        none,
        &opaque([0x31; 32]),
    )
    .ok()?;
    let (responder, m2) = Responder::receive_message_1(
        &b,
        m1.as_bytes(),
        connection_id_from_int(2)?,
        none,
        &opaque([0x32; 32]),
    )
    .ok()?;
    let (sent, m3) = initiator.receive_message_2(m2.as_bytes(), held_b).ok()?;
    let verified = responder.receive_message_3(m3.as_bytes(), held_a).ok()?;
    opaque(verified.complete().ok()?);
    opaque(sent.complete().ok()?);
    Some(())
}

#[entry]
fn main() -> ! {
    init_heap();
    opaque(handshake());
    iotp2p_footprint::done()
}
