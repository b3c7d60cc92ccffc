//! One type for whichever profile a device runs, so that a host (the `iotp2p-node device` binary)
//! chooses the profile at start-up and serves it through one server type.

use alloc::vec::Vec;

use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::Model;
use iotp2p_protocol::interaction::{Capabilities, Change, Config, Failure};

use crate::lamp::Lamp;
use crate::lock::Lock;
use crate::sensor::Sensor;

/// A lamp, a sensor or a lock.
#[derive(Clone, Debug)]
pub enum Profile {
    /// A dimmable lamp.
    Lamp(Lamp),
    /// A sleeping temperature sensor, and how long it sleeps between wakes, in seconds.
    Sensor(Sensor, u32),
    /// A door lock.
    Lock(Lock),
}

impl Profile {
    /// The profile's name, as the command line gives it.
    pub fn name(&self) -> &'static str {
        match self {
            Profile::Lamp(_) => "lamp",
            Profile::Sensor(..) => "sensor",
            Profile::Lock(_) => "lock",
        }
    }

    /// What it serves.
    pub fn model(&self) -> Model {
        match self {
            Profile::Lamp(p) => p.model(),
            Profile::Sensor(p, _) => p.model(),
            Profile::Lock(p) => p.model(),
        }
    }

    /// The interaction model's configuration it needs: a sleeping sensor grants no `max_interval`
    /// below its sleep.
    pub fn interaction_config(&self) -> Config {
        match self {
            Profile::Sensor(_, sleep) => Sensor::interaction_config(*sleep),
            _ => Config::default(),
        }
    }

    /// How long it sleeps between wakes, in seconds, if it sleeps.
    pub fn sleep_interval(&self) -> Option<u32> {
        match self {
            Profile::Sensor(_, sleep) => Some(*sleep),
            _ => None,
        }
    }

    fn inner(&self) -> &dyn Capabilities {
        match self {
            Profile::Lamp(p) => p,
            Profile::Sensor(p, _) => p,
            Profile::Lock(p) => p,
        }
    }

    fn inner_mut(&mut self) -> &mut dyn Capabilities {
        match self {
            Profile::Lamp(p) => p,
            Profile::Sensor(p, _) => p,
            Profile::Lock(p) => p,
        }
    }
}

impl Capabilities for Profile {
    fn check_value(
        &self,
        endpoint: u16,
        capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError> {
        self.inner()
            .check_value(endpoint, capability, member, value)
    }

    fn read(&mut self, endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure> {
        self.inner_mut().read(endpoint, capability, member)
    }

    fn write(
        &mut self,
        endpoint: u16,
        capability: u16,
        values: &[(u16, &[u8])],
    ) -> Result<(), Failure> {
        self.inner_mut().write(endpoint, capability, values)
    }

    fn invoke(
        &mut self,
        endpoint: u16,
        capability: u16,
        action: u16,
        input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        self.inner_mut().invoke(endpoint, capability, action, input)
    }

    fn take_changes(&mut self) -> Vec<Change> {
        self.inner_mut().take_changes()
    }
}
