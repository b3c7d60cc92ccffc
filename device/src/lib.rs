//! The reference device logic of iotp2p: what a lamp, a sleeping temperature sensor and a door lock
//! serve, on top of the protocol engine. `no_std` with `alloc`, so that the same code runs in the host
//! binary (`iotp2p-node device --profile ...`) and in a Cortex-M4F's firmware.
//!
//! A profile holds a device's values and implements the interaction model's
//! [`Capabilities`](iotp2p_protocol::interaction::Capabilities); its `model()` says what it serves. A
//! [`Server`](iotp2p_protocol::server::Server) joins it to the engine: the server answers requests,
//! keeps subscriptions and reports what the profile says changed. The firmware (or the host binary)
//! moves the hardware from the profile's state and tells it of the world (a switch pressed, a
//! measurement).
//!
//! - [`lamp`]: a dimmable light (`OnOff`, `Level`).
//! - [`sensor`]: a battery-powered temperature sensor that sleeps (`TemperatureMeasurement`, `Battery`).
//! - [`lock`]: a door lock whose commands need proof of freshness (a vendor capability).
//! - [`profile`]: whichever of the three a host runs, as one type.
//! - [`info`]: `DeviceInfo`, served alike by every profile.
//! - [`standard`]: the descriptors of the standard capabilities served.
//! - [`value`], [`changes`]: member values, and what changed for subscribers.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod changes;
pub mod info;
pub mod lamp;
pub mod lock;
pub mod profile;
pub mod sensor;
pub mod standard;
pub mod value;

/// The lock's vendor capability, generated from `schema/lock.iotp` by `build.rs`.
pub mod schema {
    include!(concat!(env!("OUT_DIR"), "/iotp2p_generated.rs"));
}
