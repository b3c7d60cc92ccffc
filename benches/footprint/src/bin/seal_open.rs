//! Security contexts alone: derive one (HKDF-SHA-256), seal and open a body (AES-CCM-16-64-128), with
//! the associated data encoded by the codec.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use iotp2p_footprint::{init_heap, opaque};
use iotp2p_protocol::security::{Exchange, KeyId, MasterSecret, Routing, SecurityContext};

#[entry]
fn main() -> ! {
    init_heap();
    let secret = opaque([7u8; 16]);
    let salt = opaque([9u8; 8]);
    let mut ctx = SecurityContext::derive(
        MasterSecret {
            secret: &secret,
            salt: &salt,
        },
        KeyId::from_byte(opaque(2)),
        KeyId::from_byte(opaque(1)),
    );
    let routing = Routing {
        version: 1,
        sender: Some(opaque("lamp@home.example.org")),
        recipient: Some(opaque("app@example.com")),
    };
    let body = opaque([0xa1, 0x05, 0xa0]);
    let mut sealed = [0u8; 64];
    let mut plain = [0u8; 64];
    if let Ok(s) = ctx.seal(&Exchange::Request, &routing, &body, &mut sealed) {
        opaque(ctx.open(
            s.message_id,
            &Exchange::Request,
            &routing,
            &sealed[..s.len],
            &mut plain,
        ))
        .ok();
    }
    iotp2p_footprint::done()
}
