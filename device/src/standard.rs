//! The descriptors of the standard capabilities the profiles serve (spec/schema/capabilities.iotp):
//! their well-known numbers and members with what each allows, as the interaction model checks
//! requests against them. `tests/models.rs` checks every descriptor against the schema itself.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_protocol::interaction::model::{Capability, Member, MemberKind};

/// The standard capabilities' package and its version.
pub const PACKAGE: &str = "iotp2p.capabilities";
/// The version of [`PACKAGE`] the descriptors follow.
pub const VERSION: (u32, u32, u32) = (1, 1, 0);

/// The well-known capability numbers (`StandardCapability`).
pub mod number {
    /// `DeviceInfo`.
    pub const DEVICE_INFO: u16 = 2;
    /// `Battery`.
    pub const BATTERY: u16 = 4;
    /// `OnOff`.
    pub const ON_OFF: u16 = 6;
    /// `Level`.
    pub const LEVEL: u16 = 7;
    /// `TemperatureMeasurement`.
    pub const TEMPERATURE_MEASUREMENT: u16 = 9;
}

/// A property that is read-only and observable.
pub const fn property(key: u16) -> Member {
    Member::new(
        key,
        MemberKind::Property {
            writable: false,
            observable: true,
            fresh: false,
        },
    )
}

/// A writable, observable property.
pub const fn writable(key: u16) -> Member {
    Member::new(
        key,
        MemberKind::Property {
            writable: true,
            observable: true,
            fresh: false,
        },
    )
}

/// An optional member, implemented or not by this instance.
pub const fn optional(mut member: Member, implemented: bool) -> Member {
    member.optional = true;
    member.implemented = implemented;
    member
}

/// An action.
pub const fn action(key: u16, input: bool, output: bool) -> Member {
    Member::new(
        key,
        MemberKind::Action {
            input,
            output,
            fresh: false,
        },
    )
}

/// An event.
pub const fn event(key: u16) -> Member {
    Member::new(key, MemberKind::Event)
}

/// A capability of `package` named `name`, numbered `number` on its endpoint.
pub fn capability(
    number: u16,
    package: &str,
    name: &str,
    version: (u32, u32, u32),
    members: Vec<Member>,
) -> Capability {
    Capability {
        number,
        package: String::from(package),
        name: String::from(name),
        version,
        members,
    }
}

/// `DeviceInfo`: vendor, product, the owner's name for it; of the optional properties, those the
/// device has.
pub fn device_info(hardware_version: bool, serial_number: bool, product_url: bool) -> Capability {
    let members = alloc::vec![
        property(0),
        property(1),
        writable(2),
        optional(property(3), hardware_version),
        optional(property(4), serial_number),
        optional(property(5), product_url),
    ];
    capability(number::DEVICE_INFO, PACKAGE, "DeviceInfo", VERSION, members)
}

/// `OnOff`: the `on` property and the `off`, `on` and `toggle` actions.
pub fn on_off() -> Capability {
    let members = alloc::vec![
        property(0),
        action(8, false, false),
        action(9, false, false),
        action(10, false, false),
    ];
    capability(number::ON_OFF, PACKAGE, "OnOff", VERSION, members)
}

/// `Level`, with its range and default transition.
pub fn level() -> Capability {
    let members = alloc::vec![
        property(0),
        optional(property(1), true),
        optional(property(2), true),
        optional(writable(3), true),
        action(8, true, false),
        action(9, true, false),
        action(10, false, false),
    ];
    capability(number::LEVEL, PACKAGE, "Level", VERSION, members)
}

/// `TemperatureMeasurement`, with the sensor's range and tolerance.
pub fn temperature_measurement() -> Capability {
    let members = alloc::vec![
        property(0),
        optional(property(1), true),
        optional(property(2), true),
        optional(property(3), true),
    ];
    capability(
        number::TEMPERATURE_MEASUREMENT,
        PACKAGE,
        "TemperatureMeasurement",
        VERSION,
        members,
    )
}

/// `Battery`, without voltage or charging (a primary cell).
pub fn battery() -> Capability {
    let members = alloc::vec![
        property(0),
        property(1),
        optional(property(2), false),
        optional(property(3), false),
        event(16),
    ];
    capability(number::BATTERY, PACKAGE, "Battery", VERSION, members)
}
