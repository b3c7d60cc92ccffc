//! The sleeping temperature sensor profile: endpoint 0 serves `DeviceInfo` and `Battery`, endpoint 1
//! `TemperatureMeasurement`.
//!
//! The sensor sleeps between measurements; its home relay holds what arrives meanwhile and delivers
//! it when the sensor wakes (spec §3.8). A subscriber is granted a `max_interval` of at least the
//! sleep interval ([IOTP-IM-25], [`Sensor::interaction_config`]), so that a sleeping sensor never owes
//! a keep-alive. The firmware calls [`Sensor::measured`] and [`Sensor::battery`] on each wake; the
//! server reports what changed before the sensor sleeps again.

use alloc::vec::Vec;

use iotp2p_codec::capabilities::BatteryState;
use iotp2p_codec::core::StatusCode;
use iotp2p_codec::runtime::Message;
use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::{Endpoint, Model};
use iotp2p_protocol::interaction::{Capabilities, Change, Config, Failure};

use crate::changes::Changes;
use crate::info::DeviceInfo;
use crate::standard::{self, number};
use crate::value::{encoded, failure, unserved};

/// The endpoint of the thermometer.
pub const THERMOMETER: u16 = 1;

/// Below this charge the battery is `Low`, in percent.
pub const LOW_PERCENT: u8 = 20;
/// Below this charge the battery is `Critical`, in percent.
pub const CRITICAL_PERCENT: u8 = 5;

/// A battery-powered temperature sensor.
#[derive(Clone, Debug)]
pub struct Sensor {
    /// `DeviceInfo`.
    pub info: DeviceInfo,
    /// Hundredths of a degree Celsius.
    temperature: i16,
    range: (i16, i16),
    /// Hundredths of a kelvin.
    tolerance: u16,
    percent: u8,
    changes: Changes,
    /// Temperature readings served so far ([`Sensor::readings`]).
    readings: u32,
}

impl Sensor {
    /// A sensor that measures from `range.0` to `range.1` hundredths of a degree Celsius within
    /// `tolerance` hundredths of a kelvin, on a full battery, not yet measured (0 °C).
    pub fn new(info: DeviceInfo, range: (i16, i16), tolerance: u16) -> Self {
        Sensor {
            info,
            temperature: 0,
            range,
            tolerance,
            percent: 100,
            changes: Changes::default(),
            readings: 0,
        }
    }

    /// How many times the temperature was read since the sensor started (wrapping): a diagnostic,
    /// what a test counts the reads that reached the sensor by.
    pub fn readings(&self) -> u32 {
        self.readings
    }

    /// What the sensor serves.
    pub fn model(&self) -> Model {
        Model {
            endpoints: alloc::vec![
                Endpoint {
                    number: 0,
                    label: None,
                    capabilities: alloc::vec![self.info.capability(), standard::battery()],
                },
                Endpoint {
                    number: THERMOMETER,
                    label: Some("thermometer".into()),
                    capabilities: alloc::vec![standard::temperature_measurement()],
                },
            ],
            revision: 1,
        }
    }

    /// The interaction model's configuration of a sensor that sleeps `sleep_interval` seconds.
    pub fn interaction_config(sleep_interval: u32) -> Config {
        Config {
            min_granted_max_interval: sleep_interval,
            ..Config::default()
        }
    }

    /// The last measured temperature, in hundredths of a degree Celsius.
    pub fn temperature(&self) -> i16 {
        self.temperature
    }

    /// A new measurement, in hundredths of a degree Celsius, kept within the sensor's range.
    pub fn measured(&mut self, centi_celsius: i16) {
        let t = centi_celsius.clamp(self.range.0, self.range.1);
        if t != self.temperature {
            self.temperature = t;
            self.changes
                .property(THERMOMETER, number::TEMPERATURE_MEASUREMENT, 0);
        }
    }

    /// The battery's charge now, in percent (at most 100); a change of its state is an event.
    pub fn battery(&mut self, percent: u8) {
        let before = state(self.percent);
        let percent = percent.min(100);
        if percent != self.percent {
            self.percent = percent;
            self.changes.property(0, number::BATTERY, 0);
        }
        let after = state(percent);
        if after != before {
            self.changes.property(0, number::BATTERY, 1);
            if let Ok(data) = encoded(|w| after.encode_to(w)) {
                self.changes.event(0, number::BATTERY, 16, Some(data));
            }
        }
    }
}

/// The battery state of a charge.
fn state(percent: u8) -> BatteryState {
    if percent < CRITICAL_PERCENT {
        BatteryState::Critical
    } else if percent < LOW_PERCENT {
        BatteryState::Low
    } else {
        BatteryState::Ok
    }
}

impl Capabilities for Sensor {
    fn check_value(
        &self,
        endpoint: u16,
        capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError> {
        match (endpoint, capability) {
            (0, number::DEVICE_INFO) => self.info.check(member, value),
            _ => Err(ValueError::Constraint),
        }
    }

    fn read(&mut self, endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure> {
        match (endpoint, capability, member) {
            (0, number::DEVICE_INFO, m) => self.info.read(m),
            (0, number::BATTERY, 0) => encoded(|w| w.u64(self.percent.into())),
            (0, number::BATTERY, 1) => encoded(|w| state(self.percent).encode_to(w)),
            (THERMOMETER, number::TEMPERATURE_MEASUREMENT, 0) => {
                self.readings = self.readings.wrapping_add(1);
                encoded(|w| w.i64(self.temperature.into()))
            }
            (THERMOMETER, number::TEMPERATURE_MEASUREMENT, 1) => {
                encoded(|w| w.i64(self.range.0.into()))
            }
            (THERMOMETER, number::TEMPERATURE_MEASUREMENT, 2) => {
                encoded(|w| w.i64(self.range.1.into()))
            }
            (THERMOMETER, number::TEMPERATURE_MEASUREMENT, 3) => {
                encoded(|w| w.u64(self.tolerance.into()))
            }
            _ => Err(unserved()),
        }
    }

    fn write(
        &mut self,
        endpoint: u16,
        capability: u16,
        values: &[(u16, &[u8])],
    ) -> Result<(), Failure> {
        match (endpoint, capability) {
            (0, number::DEVICE_INFO) => values
                .iter()
                .try_for_each(|(member, value)| self.info.write(*member, value)),
            _ => Err(unserved()),
        }
    }

    fn invoke(
        &mut self,
        _endpoint: u16,
        _capability: u16,
        _action: u16,
        _input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        // None of the sensor's capabilities has an action: the check order refuses before.
        Err(failure(StatusCode::Failure))
    }

    fn take_changes(&mut self) -> Vec<Change> {
        self.changes.take()
    }
}
