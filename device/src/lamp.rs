//! The lamp profile: a dimmable light. Endpoint 0 serves `DeviceInfo`; endpoint 1 the light, with
//! `OnOff` and `Level`.
//!
//! The logic decides what the light should do; the firmware's driver does it ([`Lamp::light`]):
//! a change comes with the transition it should take, which the driver carries out (a PWM fade,
//! say). `level` reports the level asked for, which a fade reaches at its end.

use alloc::vec::Vec;

use iotp2p_codec::capabilities::{SetLevel, StepLevel};
use iotp2p_codec::core::StatusCode;
use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::{Endpoint, Model};
use iotp2p_protocol::interaction::{Capabilities, Change, Failure};

use crate::changes::Changes;
use crate::info::DeviceInfo;
use crate::standard::{self, number};
use crate::value::{decoded, encoded, failure, message, unserved};

/// The endpoint of the light.
pub const LIGHT: u16 = 1;

/// What the light should do now: for the firmware's driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Light {
    /// Whether it is on.
    pub on: bool,
    /// Its level, 0 (dimmest) to 254 (brightest).
    pub level: u8,
    /// How long the last change should take, in tenths of a second.
    pub transition: u16,
}

/// A dimmable lamp.
#[derive(Clone, Debug)]
pub struct Lamp {
    /// `DeviceInfo`.
    pub info: DeviceInfo,
    light: Light,
    min_level: u8,
    max_level: u8,
    default_transition: u16,
    changes: Changes,
    /// Actions invoked so far ([`Lamp::actions_run`]).
    actions_run: u32,
}

impl Lamp {
    /// A lamp, off, at full level, that dims between `min_level` and `max_level` (at most 254).
    pub fn new(info: DeviceInfo, min_level: u8, max_level: u8) -> Self {
        let max_level = max_level.min(254);
        let min_level = min_level.min(max_level);
        Lamp {
            info,
            light: Light {
                on: false,
                level: max_level,
                transition: 0,
            },
            min_level,
            max_level,
            default_transition: 0,
            changes: Changes::default(),
            actions_run: 0,
        }
    }

    /// What the lamp serves.
    pub fn model(&self) -> Model {
        Model {
            endpoints: alloc::vec![
                Endpoint {
                    number: 0,
                    label: None,
                    capabilities: alloc::vec![self.info.capability()],
                },
                Endpoint {
                    number: LIGHT,
                    label: Some("light".into()),
                    capabilities: alloc::vec![standard::on_off(), standard::level()],
                },
            ],
            revision: 1,
        }
    }

    /// What the light should do now.
    pub fn light(&self) -> Light {
        self.light
    }

    /// How many actions were invoked on the lamp since it started (wrapping): a diagnostic that tells
    /// an idempotent command run twice from one run once, which the light's state cannot.
    pub fn actions_run(&self) -> u32 {
        self.actions_run
    }

    /// The wall switch was pressed: on if off, off if on.
    pub fn toggle(&mut self) {
        self.switch(!self.light.on);
    }

    fn switch(&mut self, on: bool) {
        if self.light.on != on {
            self.light.on = on;
            self.light.transition = self.default_transition;
            self.changed(number::ON_OFF, 0);
        }
    }

    fn set_level(&mut self, level: i32, transition: Option<u16>) {
        let level = level.clamp(i32::from(self.min_level), i32::from(self.max_level));
        // Within min..=max, both at most 254.
        let level = u8::try_from(level).unwrap_or(self.max_level);
        self.light.transition = transition.unwrap_or(self.default_transition);
        if self.light.level != level {
            self.light.level = level;
            self.changed(number::LEVEL, 0);
        }
    }

    fn changed(&mut self, capability: u16, member: u16) {
        self.changes.property(LIGHT, capability, member);
    }
}

impl Capabilities for Lamp {
    fn check_value(
        &self,
        endpoint: u16,
        capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError> {
        match (endpoint, capability, member) {
            (0, number::DEVICE_INFO, m) => self.info.check(m, value),
            (LIGHT, number::LEVEL, 3) => {
                decoded(value, |r| r.uint(0, u64::from(u16::MAX))).map(drop)
            }
            (LIGHT, number::LEVEL, 8) => message::<SetLevel>(value).map(drop),
            (LIGHT, number::LEVEL, 9) => message::<StepLevel>(value).map(drop),
            _ => Err(ValueError::Constraint),
        }
    }

    fn read(&mut self, endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure> {
        match (endpoint, capability, member) {
            (0, number::DEVICE_INFO, m) => self.info.read(m),
            (LIGHT, number::ON_OFF, 0) => encoded(|w| w.bool(self.light.on)),
            (LIGHT, number::LEVEL, 0) => encoded(|w| w.u64(self.light.level.into())),
            (LIGHT, number::LEVEL, 1) => encoded(|w| w.u64(self.min_level.into())),
            (LIGHT, number::LEVEL, 2) => encoded(|w| w.u64(self.max_level.into())),
            (LIGHT, number::LEVEL, 3) => encoded(|w| w.u64(self.default_transition.into())),
            _ => Err(unserved()),
        }
    }

    fn write(
        &mut self,
        endpoint: u16,
        capability: u16,
        values: &[(u16, &[u8])],
    ) -> Result<(), Failure> {
        for (member, value) in values {
            match (endpoint, capability, *member) {
                (0, number::DEVICE_INFO, m) => self.info.write(m, value)?,
                (LIGHT, number::LEVEL, 3) => {
                    let t = decoded(value, |r| r.uint(0, u64::from(u16::MAX)))
                        .map_err(|_| unserved())?;
                    self.default_transition = u16::try_from(t).map_err(|_| unserved())?;
                }
                _ => return Err(unserved()),
            }
        }
        Ok(())
    }

    fn invoke(
        &mut self,
        endpoint: u16,
        capability: u16,
        action: u16,
        input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        self.actions_run = self.actions_run.wrapping_add(1);
        let input = input.unwrap_or_default();
        match (endpoint, capability, action) {
            (LIGHT, number::ON_OFF, 8) => self.switch(false),
            (LIGHT, number::ON_OFF, 9) => self.switch(true),
            (LIGHT, number::ON_OFF, 10) => self.toggle(),
            (LIGHT, number::LEVEL, 8) => {
                let s = message::<SetLevel>(input).map_err(|_| unserved())?;
                self.set_level(s.level.into(), s.transition);
            }
            (LIGHT, number::LEVEL, 9) => {
                let s = message::<StepLevel>(input).map_err(|_| unserved())?;
                self.set_level(
                    i32::from(self.light.level) + i32::from(s.delta),
                    s.transition,
                );
            }
            // The fade the driver runs stops where it is; the level asked for stays what
            // `level` reports, as no further change was asked.
            (LIGHT, number::LEVEL, 10) => self.light.transition = 0,
            _ => return Err(failure(StatusCode::Failure)),
        }
        Ok(None)
    }

    fn take_changes(&mut self) -> Vec<Change> {
        self.changes.take()
    }
}
