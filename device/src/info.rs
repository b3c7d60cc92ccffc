//! `DeviceInfo` on endpoint 0 (spec/07-capability-model.md): who made the device, what it is, and
//! the name its owner gives it, which every profile serves the same way.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::Capability;
use iotp2p_protocol::interaction::Failure;

use crate::standard;
use crate::value::{decoded, encoded, unserved};

/// The longest `name` (`string<32>`), vendor and product.
pub const MAX_NAME: usize = 32;

/// What `DeviceInfo` tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The manufacturer, at most 32 bytes (a firmware's constant, or a host's configuration).
    pub vendor: Cow<'static, str>,
    /// The product, at most 32 bytes.
    pub product: Cow<'static, str>,
    /// The hardware revision, at most 16 bytes, if the vendor gives one.
    pub hardware_version: Option<&'static str>,
    /// The owner's name for the device; empty until written.
    pub name: String,
}

impl DeviceInfo {
    /// A device of `vendor`'s `product`, not yet named.
    pub fn new(
        vendor: impl Into<Cow<'static, str>>,
        product: impl Into<Cow<'static, str>>,
    ) -> Self {
        DeviceInfo {
            vendor: vendor.into(),
            product: product.into(),
            hardware_version: None,
            name: String::new(),
        }
    }

    /// The capability's descriptor: the optional members this device has.
    pub fn capability(&self) -> Capability {
        standard::device_info(self.hardware_version.is_some(), false, false)
    }

    /// Step 9 for a write of `name`.
    pub fn check(&self, member: u16, value: &[u8]) -> Result<(), ValueError> {
        match member {
            2 => decoded(value, |r| r.text(MAX_NAME)).map(drop),
            _ => Err(ValueError::Constraint),
        }
    }

    /// A property's value.
    pub fn read(&self, member: u16) -> Result<Vec<u8>, Failure> {
        match (member, self.hardware_version) {
            (0, _) => encoded(|w| w.text(&self.vendor)),
            (1, _) => encoded(|w| w.text(&self.product)),
            (2, _) => encoded(|w| w.text(&self.name)),
            (3, Some(v)) => encoded(|w| w.text(v)),
            _ => Err(unserved()),
        }
    }

    /// Writes `name` (checked before).
    pub fn write(&mut self, member: u16, value: &[u8]) -> Result<(), Failure> {
        match member {
            2 => {
                let name = decoded(value, |r| r.text(MAX_NAME)).map_err(|_| unserved())?;
                self.name = String::from(name);
                Ok(())
            }
            _ => Err(unserved()),
        }
    }
}
