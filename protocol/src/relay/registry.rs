//! What a home relay knows of its provider's customers (spec §3.6.1): accounts with their domains,
//! quota and administrators, the enrolment tokens that stand for them, the registrations (address →
//! the node's credential statement and relay policy) and the addresses quarantined after a release.
//! Plain data with its bounds; the Relay capability (`server::relay`) decides what changes, and
//! each change goes out as a [`RegistryChange`] for a store that keeps it across restarts.
//!
//! **Bounds** (each in [`Limits`]): accounts (`max_accounts`), tokens outstanding (`max_tokens`),
//! administrators per account (`max_admins`), quarantined addresses (`max_quarantined`: ended
//! quarantines make room, then the one that would end first is forgotten), node IDs and peers whose
//! failed enrolments are counted (`max_failures`, the oldest forgotten first), peers whose lookups
//! are rate-limited (`max_lookup_peers`, the least recent forgotten). Registrations are bounded per
//! account by its `max_registrations` and in all by the relay's `max_nodes`.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::capabilities::owned::RelayPolicy;

use crate::params::Instant;
use crate::security::NodeId;

/// The bounds of a registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Accounts at the relay.
    pub max_accounts: usize,
    /// Enrolment tokens issued and not yet used or expired.
    pub max_tokens: usize,
    /// Administrators per account.
    pub max_admins: usize,
    /// Addresses in quarantine after a release; beyond it an ended quarantine makes room, else the one
    /// that would end first is forgotten.
    pub max_quarantined: usize,
    /// Node IDs and hop peers whose failed enrolments are counted (a failure counts against both);
    /// beyond it the oldest count is forgotten.
    pub max_failures: usize,
    /// Hop peers whose lookups are rate-limited at once ([IOTP-DLV-67]); beyond it the bucket
    /// used longest ago is forgotten.
    pub max_lookup_peers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_accounts: 64,
            max_tokens: 64,
            max_admins: 8,
            max_quarantined: 256,
            max_failures: 64,
            max_lookup_peers: 64,
        }
    }
}

/// How long a released address stays quarantined ([IOTP-ADDR-37]): 90 days, in ms.
pub const QUARANTINE_TIME: u64 = 90 * 24 * 3600 * 1000;

/// ENROL_FAILURE_LIMIT (§3.6.1.1): failed enrolments of one peer within [`ENROL_FAILURE_WINDOW`].
pub const ENROL_FAILURE_LIMIT: u32 = 5;

/// The window in which failed enrolments count, in ms (one hour).
pub const ENROL_FAILURE_WINDOW: u64 = 3_600_000;

/// The shortest and longest enrolment token ([IOTP-DLV-83]).
pub const TOKEN_LEN: core::ops::RangeInclusive<usize> = 16..=32;

/// A provider account (§3.6.1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The provider's name for it, unique at the relay (at most 64 bytes).
    pub name: String,
    /// The domains in which it may register addresses (at most 8).
    pub domains: Vec<String>,
    /// How many addresses it may hold at once.
    pub max_registrations: u32,
}

/// An administrator of an account: a controller that enrolled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admin {
    /// Its node ID.
    pub node: NodeId,
    /// Its credential statement.
    pub credential: Vec<u8>,
}

/// A node's move away from a registered address, during its grace period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departure {
    /// The address it moved to.
    pub to: String,
    /// The re-homing statement ([IOTP-DLV-100]: the latest).
    pub statement: Vec<u8>,
    /// Its `sequence`.
    pub sequence: u32,
    /// The end of the grace period.
    pub until: Instant,
}

/// A node's arrival from another address, during its grace period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// The address it left.
    pub previous: String,
    /// The end of the grace period.
    pub until: Instant,
}

/// The relays of the domain's previous provider, named in `register`'s `previous_relays`, whose
/// messages for the address are accepted until `until` (§3.11.4, [IOTP-DLV-112]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousRelays {
    /// Their host names, lower case, without a final dot (at most
    /// [`super::MAX_PREVIOUS_RELAYS`], each at most [`super::MAX_HOST_NAME`] bytes).
    pub hosts: Vec<String>,
    /// The end of the window: the registration plus the relay's `max_hold_time`.
    pub until: Instant,
}

/// A registered address (§3.6.1.2).
#[derive(Clone, Debug, PartialEq)]
pub struct Registration {
    /// The address.
    pub address: String,
    /// The account that holds it.
    pub account: String,
    /// The node it is bound to.
    pub node: NodeId,
    /// The node's credential statement.
    pub credential: Vec<u8>,
    /// That statement's serial.
    pub serial: u32,
    /// Its relay policy.
    pub policy: RelayPolicy,
    /// Released with a re-homing statement: the node left, and the relay forwards until `until`.
    pub departed: Option<Departure>,
    /// Registered with a re-homing statement: the node came from another address.
    pub arrived: Option<Arrival>,
    /// Registered with `previous_relays`: the domain came from another provider's relays.
    pub previous_relays: Option<PreviousRelays>,
}

/// A change of the registry, for a caller that keeps it in a store. Accounts and tokens are the
/// provider's to give at every start; what the relay's service changes is here.
// A change goes to the caller's store at once: one at a time, its size does not add up.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum RegistryChange {
    /// A controller enrolled with `token`, which is used up.
    Enrolled {
        /// The account.
        account: String,
        /// The new administrator.
        admin: Admin,
        /// The token it used.
        token: Vec<u8>,
    },
    /// An administrator was removed.
    Unenrolled {
        /// Its node ID.
        node: NodeId,
    },
    /// A registration is new or changed (a newer credential statement, a policy, a departure).
    Registered(Registration),
    /// A registration ended; its address is quarantined until `quarantined_until`.
    Unregistered {
        /// The address.
        address: String,
        /// The account that held it.
        account: String,
        /// The end of its quarantine.
        quarantined_until: Instant,
    },
}

/// A token issued for an account.
#[derive(Clone, Debug)]
struct Token {
    secret: Vec<u8>,
    account: String,
    expires: Instant,
}

/// Why the provider's call was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// Beyond a bound of [`Limits`].
    Full,
    /// A token outside [`TOKEN_LEN`], or an account without a domain or with a name too long.
    Invalid,
    /// No account of that name.
    UnknownAccount,
}

/// The accounts, tokens, registrations and quarantine of a relay.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub(super) limits: Limits,
    accounts: Vec<(Account, Vec<Admin>)>,
    tokens: Vec<Token>,
    /// In ascending order of address (`registrations` lists them so, [IOTP-DLV-103]).
    registrations: Vec<Registration>,
    quarantined: Vec<(String, String, Instant)>,
}

impl Registry {
    /// An empty registry within `limits`.
    pub fn new(limits: Limits) -> Self {
        Registry {
            limits,
            ..Registry::default()
        }
    }

    /// Adds an account, or replaces the domains and quota of the one of the same name.
    pub fn add_account(&mut self, account: Account) -> Result<(), RegistryError> {
        if account.name.len() > 64 || account.domains.is_empty() || account.domains.len() > 8 {
            return Err(RegistryError::Invalid);
        }
        if let Some((held, _)) = self
            .accounts
            .iter_mut()
            .find(|(a, _)| a.name == account.name)
        {
            *held = account;
            return Ok(());
        }
        if self.accounts.len() >= self.limits.max_accounts {
            return Err(RegistryError::Full);
        }
        self.accounts.push((account, Vec::new()));
        Ok(())
    }

    /// Issues `secret` as an enrolment token of `account`, valid until `expires`.
    pub fn issue_token(
        &mut self,
        account: &str,
        secret: &[u8],
        expires: Instant,
        now: Instant,
    ) -> Result<(), RegistryError> {
        if !TOKEN_LEN.contains(&secret.len()) {
            return Err(RegistryError::Invalid);
        }
        if self.account(account).is_none() {
            return Err(RegistryError::UnknownAccount);
        }
        self.tokens.retain(|t| t.expires > now);
        if self.tokens.iter().any(|t| t.secret == secret) {
            return Ok(());
        }
        if self.tokens.len() >= self.limits.max_tokens {
            return Err(RegistryError::Full);
        }
        self.tokens.push(Token {
            secret: secret.into(),
            account: account.into(),
            expires,
        });
        Ok(())
    }

    /// Forgets a token that was used (a store says so after a restart).
    pub fn token_used(&mut self, secret: &[u8]) {
        self.tokens.retain(|t| t.secret != secret);
    }

    /// The account of an unused, unexpired token.
    pub fn token(&self, secret: &[u8], now: Instant) -> Option<&str> {
        self.tokens
            .iter()
            .find(|t| t.secret == secret && now < t.expires)
            .map(|t| t.account.as_str())
    }

    /// The account named `name`.
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|(a, _)| a.name == name)
            .map(|(a, _)| a)
    }

    /// The account `node` administers.
    pub fn account_of(&self, node: &NodeId) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|(_, admins)| admins.iter().any(|a| a.node == *node))
            .map(|(a, _)| a)
    }

    /// The administrators of `account`.
    pub fn admins(&self, account: &str) -> &[Admin] {
        self.accounts
            .iter()
            .find(|(a, _)| a.name == account)
            .map_or(&[], |(_, admins)| admins.as_slice())
    }

    /// The administrator whose credential statement holds the authentication credential `ccs`: the
    /// peer of a context whose handshake referenced a credential the relay knew before the
    /// enrolment (its node ID not recorded on the context). The statements were verified at
    /// enrolment, so they are only decoded here.
    pub fn admin_by_credential(&self, ccs: &[u8]) -> Option<NodeId> {
        use iotp2p_codec::prelude::*;
        use iotp2p_codec::security::{SignedStatement, Statement};
        self.accounts
            .iter()
            .flat_map(|(_, admins)| admins.iter())
            .find(|a| {
                let Ok(signed) = SignedStatement::decode(&a.credential) else {
                    return false;
                };
                matches!(Statement::decode(signed.payload),
                    Ok(Statement::Credential(c)) if c.auth_credentials.iter().any(|x| x == ccs))
            })
            .map(|a| a.node)
    }

    /// Makes `admin` an administrator of `account`, using up `token` if given.
    pub fn enrol(
        &mut self,
        account: &str,
        admin: Admin,
        token: Option<&[u8]>,
    ) -> Result<(), RegistryError> {
        let max = self.limits.max_admins;
        let (_, admins) = self
            .accounts
            .iter_mut()
            .find(|(a, _)| a.name == account)
            .ok_or(RegistryError::UnknownAccount)?;
        let count = admins.len();
        match admins.iter_mut().find(|a| a.node == admin.node) {
            Some(held) => *held = admin,
            None if count >= max => return Err(RegistryError::Full),
            None => admins.push(admin),
        }
        if let Some(token) = token {
            self.token_used(token);
        }
        Ok(())
    }

    /// Removes the administrator `node`; returns whether it was one.
    pub fn unenrol(&mut self, node: &NodeId) -> bool {
        let mut removed = false;
        for (_, admins) in &mut self.accounts {
            let before = admins.len();
            admins.retain(|a| a.node != *node);
            removed |= admins.len() != before;
        }
        removed
    }

    /// The registration of `address`.
    pub fn registration(&self, address: &str) -> Option<&Registration> {
        self.index(address).ok().map(|i| &self.registrations[i])
    }

    /// How many addresses are in quarantine (at most `max_quarantined`).
    pub fn quarantined_len(&self) -> usize {
        self.quarantined.len()
    }

    /// The registrations, in ascending order of address.
    pub fn registrations(&self) -> &[Registration] {
        &self.registrations
    }

    /// How many addresses `account` holds (those whose node left count until the grace period ends,
    /// since the relay still forwards for them).
    pub fn held_by(&self, account: &str) -> usize {
        self.registrations
            .iter()
            .filter(|r| r.account == account)
            .count()
    }

    /// Records a registration, replacing the one of the same address.
    pub fn put(&mut self, registration: Registration) {
        self.quarantined
            .retain(|(a, _, _)| *a != registration.address);
        match self.index(&registration.address) {
            Ok(i) => self.registrations[i] = registration,
            Err(i) => self.registrations.insert(i, registration),
        }
    }

    /// Ends the registration of `address` at `now` and quarantines the address until `until`.
    pub fn remove(&mut self, address: &str, now: Instant, until: Instant) -> Option<Registration> {
        let i = self.index(address).ok()?;
        let gone = self.registrations.remove(i);
        self.quarantine(address, &gone.account, now, until);
        Some(gone)
    }

    /// Quarantines `address`, released by `account`, from `now` until `until` ([IOTP-ADDR-37]).
    /// Quarantines that have ended make room first; only a table full of running ones forgets one,
    /// the one that would end first.
    pub fn quarantine(&mut self, address: &str, account: &str, now: Instant, until: Instant) {
        self.quarantined
            .retain(|(a, _, ends)| a != address && *ends > now);
        if self.quarantined.len() >= self.limits.max_quarantined.max(1) {
            let first_to_end = (0..self.quarantined.len()).min_by_key(|&i| self.quarantined[i].2);
            if let Some(i) = first_to_end {
                self.quarantined.remove(i);
            }
        }
        self.quarantined
            .push((address.into(), account.into(), until));
    }

    /// Whether `address` is quarantined at `now` for another account than `account`: an account may
    /// bind an address it released itself at once (§3.6.1.2).
    pub fn quarantined_for(&self, address: &str, account: &str, now: Instant) -> bool {
        self.quarantined
            .iter()
            .any(|(a, by, until)| a == address && by != account && now < *until)
    }

    /// The registrations whose node left and whose grace period is over at `now`.
    pub fn departures_over(&self, now: Instant) -> Vec<String> {
        self.registrations
            .iter()
            .filter(|r| r.departed.as_ref().is_some_and(|d| d.until <= now))
            .map(|r| r.address.clone())
            .collect()
    }

    fn index(&self, address: &str) -> Result<usize, usize> {
        self.registrations
            .binary_search_by(|r| r.address.as_bytes().cmp(address.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(max_quarantined: usize) -> Registry {
        Registry::new(Limits {
            max_quarantined,
            ..Limits::default()
        })
    }

    #[test]
    fn an_ended_quarantine_makes_room_before_a_running_one_is_forgotten() {
        let mut r = registry(2);
        r.quarantine("a@x.org", "acme", 0, 100);
        r.quarantine("b@x.org", "acme", 10, 500);
        // `a` ended at 100: it goes, `b` stays quarantined.
        r.quarantine("c@x.org", "acme", 200, 900);
        assert!(r.quarantined_for("b@x.org", "other", 300));
        assert!(r.quarantined_for("c@x.org", "other", 300));
        assert!(
            !r.quarantined_for("a@x.org", "other", 50),
            "forgotten once ended"
        );
    }

    #[test]
    fn a_table_full_of_running_quarantines_forgets_the_one_that_ends_first() {
        let mut r = registry(2);
        r.quarantine("late@x.org", "acme", 0, 900);
        r.quarantine("soon@x.org", "acme", 5, 300);
        r.quarantine("new@x.org", "acme", 10, 1_000);
        assert!(r.quarantined_for("late@x.org", "other", 20));
        assert!(r.quarantined_for("new@x.org", "other", 20));
        assert!(!r.quarantined_for("soon@x.org", "other", 20));
        // The account that released an address may take it back at once (§3.6.1.2).
        assert!(!r.quarantined_for("late@x.org", "acme", 20));
    }
}
