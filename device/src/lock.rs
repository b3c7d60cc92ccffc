//! The lock profile: a door lock. Endpoint 0 serves `DeviceInfo`; endpoint 1 the lock's vendor
//! capability `org.iotp2p.reference.lock.Lock` (`schema/lock.iotp`), numbered 128 as the first
//! capability outside the standard's numbers.
//!
//! Every command that moves the bolt or changes when it relocks is `@iotp2p.fresh`: the dispatcher
//! answers it with a challenge first, so that a recorded `unlock` replayed later does nothing
//! ([IOTP-IM-37]). The firmware moves the bolt ([`Lock::locked`]), tells of manual turns
//! ([`Lock::turned`]), and relocks when [`Lock::auto_relock`] seconds have passed since an unlock
//! ([`Lock::relock`]).

use alloc::vec::Vec;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::runtime::Message;
use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::{Endpoint, Member, MemberKind, Model};
use iotp2p_protocol::interaction::{Capabilities, Change, Failure};

use crate::changes::Changes;
use crate::info::DeviceInfo;
use crate::schema::org_iotp2p_reference_lock::LockSource;
use crate::standard::{capability, event, number, property};
use crate::value::{decoded, encoded, failure, unserved};

/// The endpoint of the lock.
pub const DOOR: u16 = 1;
/// The lock capability's number on [`DOOR`]: the first outside the standard's 1..=127.
pub const LOCK: u16 = 128;
/// The lock capability's package.
pub const PACKAGE: &str = "org.iotp2p.reference.lock";
/// The longest auto-relock delay, in seconds (`@range(0..=3600)`).
pub const MAX_AUTO_RELOCK: u16 = 3600;

/// A door lock.
#[derive(Clone, Debug)]
pub struct Lock {
    /// `DeviceInfo`.
    pub info: DeviceInfo,
    locked: bool,
    source: LockSource,
    auto_relock: u16,
    changes: Changes,
}

impl Lock {
    /// A lock, locked, that never relocks by itself.
    pub fn new(info: DeviceInfo) -> Self {
        Lock {
            info,
            locked: true,
            source: LockSource::Manual,
            auto_relock: 0,
            changes: Changes::default(),
        }
    }

    /// What the lock serves.
    pub fn model(&self) -> Model {
        let fresh = |key| {
            Member::new(
                key,
                MemberKind::Action {
                    input: false,
                    output: false,
                    fresh: true,
                },
            )
        };
        let members = alloc::vec![
            property(0),
            property(1),
            Member::new(
                2,
                MemberKind::Property {
                    writable: true,
                    observable: true,
                    fresh: true,
                },
            ),
            fresh(8),
            fresh(9),
            event(16),
        ];
        Model {
            endpoints: alloc::vec![
                Endpoint {
                    number: 0,
                    label: None,
                    capabilities: alloc::vec![self.info.capability()],
                },
                Endpoint {
                    number: DOOR,
                    label: Some("door".into()),
                    capabilities: alloc::vec![capability(
                        LOCK,
                        PACKAGE,
                        "Lock",
                        (1, 0, 0),
                        members
                    )],
                },
            ],
            revision: 1,
        }
    }

    /// Whether the bolt should be thrown.
    pub fn locked(&self) -> bool {
        self.locked
    }

    /// Seconds after an unlock before [`Lock::relock`] is due; 0 never.
    pub fn auto_relock(&self) -> u16 {
        self.auto_relock
    }

    /// Someone turned the key or the thumb turn.
    pub fn turned(&mut self, locked: bool) {
        self.move_bolt(locked, LockSource::Manual);
    }

    /// The auto-relock delay passed since the last unlock.
    pub fn relock(&mut self) {
        self.move_bolt(true, LockSource::Auto);
    }

    fn move_bolt(&mut self, locked: bool, source: LockSource) {
        if self.locked == locked {
            return;
        }
        self.locked = locked;
        self.changes.property(DOOR, LOCK, 0);
        if self.source != source {
            self.source = source;
            self.changes.property(DOOR, LOCK, 1);
        }
        if let Ok(data) = encoded(|w| source.encode_to(w)) {
            self.changes.event(DOOR, LOCK, 16, Some(data));
        }
    }
}

fn relock_delay(value: &[u8]) -> Result<u16, ValueError> {
    let seconds = decoded(value, |r| r.uint(0, u64::from(u16::MAX)))?;
    u16::try_from(seconds)
        .ok()
        .filter(|s| *s <= MAX_AUTO_RELOCK)
        .ok_or(ValueError::Constraint)
}

impl Capabilities for Lock {
    fn check_value(
        &self,
        endpoint: u16,
        capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError> {
        match (endpoint, capability, member) {
            (0, number::DEVICE_INFO, m) => self.info.check(m, value),
            (DOOR, LOCK, 2) => relock_delay(value).map(drop),
            _ => Err(ValueError::Constraint),
        }
    }

    fn read(&mut self, endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure> {
        match (endpoint, capability, member) {
            (0, number::DEVICE_INFO, m) => self.info.read(m),
            (DOOR, LOCK, 0) => encoded(|w| w.bool(self.locked)),
            (DOOR, LOCK, 1) => encoded(|w| self.source.encode_to(w)),
            (DOOR, LOCK, 2) => encoded(|w| w.u64(self.auto_relock.into())),
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
                (DOOR, LOCK, 2) => {
                    self.auto_relock = relock_delay(value).map_err(|_| unserved())?;
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
        _input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        match (endpoint, capability, action) {
            (DOOR, LOCK, 8) => self.move_bolt(true, LockSource::Remote),
            (DOOR, LOCK, 9) => self.move_bolt(false, LockSource::Remote),
            _ => return Err(failure(StatusCode::Failure)),
        }
        Ok(None)
    }

    fn take_changes(&mut self) -> Vec<Change> {
        self.changes.take()
    }
}
