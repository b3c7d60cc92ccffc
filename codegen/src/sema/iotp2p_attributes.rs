//! The standard's extension attributes, `@iotp2p.*`: the capability attributes of
//! spec/07-capability-model.md §7.3 and `@iotp2p.standard`, which marks the standard's own packages
//! (the `iotp2p` package prefix is reserved, spec/schema-language.md §2). Names, where each may be
//! written, and its arguments. Other dotted attributes belong to other tools and pass
//! unchecked, but the `iotp2p` prefix is the standard's: a typo there (`@iotp2p.writeable`) would
//! silently make a property read-only, so it is an error like any unknown attribute.

use super::attributes::Target;

/// The arguments an `@iotp2p.*` attribute takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Args {
    /// None, and no parentheses.
    None,
    /// One string: a unit name of [`UNITS`].
    Unit,
    /// One integer in [`SCALE_RANGE`].
    Scale,
}

/// One standard extension attribute.
pub(crate) struct Standard {
    /// The name after `iotp2p.`.
    pub name: &'static str,
    pub args: Args,
    pub targets: &'static [Target],
    pub usage: &'static str,
}

/// Where a power of ten stops being a plausible scale (the SI prefixes span 10^-30 to 10^30).
pub(crate) const SCALE_RANGE: std::ops::RangeInclusive<i128> = -30..=30;

pub(crate) const STANDARD: &[Standard] = &[
    Standard {
        name: "standard",
        args: Args::None,
        targets: &[Target::Package],
        usage: "`@iotp2p.standard` before the `package` declaration of one of the standard's own packages",
    },
    Standard {
        name: "writable",
        args: Args::None,
        targets: &[Target::Field],
        usage: "`@iotp2p.writable` on a property field",
    },
    Standard {
        name: "unobservable",
        args: Args::None,
        targets: &[Target::Field],
        usage: "`@iotp2p.unobservable` on a property field",
    },
    Standard {
        name: "optional",
        args: Args::None,
        targets: &[Target::Variant],
        usage: "`@iotp2p.optional` on an action or event variant",
    },
    Standard {
        name: "fresh",
        args: Args::None,
        targets: &[Target::Variant, Target::Field],
        usage: "`@iotp2p.fresh` on an action variant or a writable property field",
    },
    Standard {
        name: "unit",
        args: Args::Unit,
        targets: &[Target::Field, Target::Variant, Target::Alias],
        usage: "`@iotp2p.unit(\"Cel\")` with a SenML unit name",
    },
    Standard {
        name: "scale",
        args: Args::Scale,
        targets: &[Target::Field, Target::Variant, Target::Alias],
        usage: "`@iotp2p.scale(-2)`: the value is the integer times 10 to this power",
    },
];

/// The unit names of the SenML Units registry (RFC 8428 §12.1, RFC 8798 §2, ISO 7027-1) and of the
/// SenML Secondary Units registry (RFC 8798 §3), as registered when this table was written. A unit
/// registered later is added here; until then a schema can spell it only by a registered one.
pub(crate) const UNITS: &[&str] = &[
    // RFC 8428.
    "m", "kg", "g", "s", "A", "K", "cd", "mol", "Hz", "rad", "sr", "N", "Pa", "J", "W", "C", "V",
    "F", "Ohm", "S", "Wb", "T", "H", "Cel", "lm", "lx", "Bq", "Gy", "Sv", "kat", "m2", "m3", "l",
    "m/s", "m/s2", "m3/s", "l/s", "W/m2", "cd/m2", "bit", "bit/s", "lat", "lon", "pH", "dB", "dBW",
    "Bspl", "count", "/", "%", "%RH", "%EL", "EL", "1/s", "1/min", "beat/min", "beats", "S/m",
    // RFC 8798, primary units.
    "B", "VA", "VAs", "var", "vars", "J/m", "kg/m3", "deg",
    // ISO 7027-1:2016 (turbidity).
    "NTU", // RFC 8798, secondary units.
    "ms", "min", "h", "MHz", "kW", "kVA", "kvar", "Ah", "Wh", "kWh", "varh", "kvarh", "kVAh",
    "Wh/km", "KiB", "GB", "Mbit/s", "B/s", "MB/s", "mV", "mA", "dBm", "ug/m3", "mm/h", "m/h",
    "ppm", "/100", "/1000", "hPa", "mm", "cm", "km", "km/h",
];

/// The standard attribute named `iotp2p.<name>`.
pub(crate) fn find(name: &str) -> Option<&'static Standard> {
    STANDARD.iter().find(|s| s.name == name)
}
