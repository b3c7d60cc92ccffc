//! The relay store on SQLite, embedded (rusqlite, bundled).
//!
//! Why SQLite: one file, no server to run beside a relay; in WAL mode with `synchronous=FULL` a
//! transaction that returned is on disk (the WAL is synced at every commit) and a process or machine
//! killed at any moment leaves the last committed state, which the next open recovers from the WAL.
//! The schema is plain tables, so that a provider that outgrows one machine can carry it to a server
//! database behind the same [`RelayStore`] trait.

use std::ops::Deref;
use std::path::Path;
use std::time::Duration;

use rusqlite::{
    params, Connection, OptionalExtension, Savepoint, Transaction, TransactionBehavior,
};

use super::{
    check_address, Arrived, Departed, Forwarding, Held, HeldMessage, HoldLimits, NewMessage,
    PreviousRelays, Quarantined, Registration, RelayStore, StoreError, StoredAdmin, MAX_ACCOUNT,
    MAX_DOMAIN, MAX_FORWARDING, MAX_PAGE, MAX_POLICY, MAX_PREVIOUS_RELAYS,
};
use iotp2p_protocol::params::MAX_MESSAGE;

/// The schema version this code reads and writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 6;

/// From version 1: held messages name their sender (the relay's own nodes send without `sender`).
const MIGRATE_1_TO_2: &str = "ALTER TABLE held ADD COLUMN sender TEXT;";

/// From version 2: what the Relay capability changes (spec §3.6.1): a registration's credential
/// statement and move, the accounts' administrators, the enrolment tokens used and the addresses
/// in quarantine.
const MIGRATE_2_TO_3: &str = "
ALTER TABLE registration ADD COLUMN credential BLOB NOT NULL DEFAULT x'';
ALTER TABLE registration ADD COLUMN departed_to TEXT;
ALTER TABLE registration ADD COLUMN departed_statement BLOB;
ALTER TABLE registration ADD COLUMN departed_sequence INTEGER;
ALTER TABLE registration ADD COLUMN departed_until INTEGER;
ALTER TABLE registration ADD COLUMN arrived_previous TEXT;
ALTER TABLE registration ADD COLUMN arrived_until INTEGER;
CREATE TABLE admin (
    node       BLOB PRIMARY KEY CHECK (length(node) = 32),
    account    TEXT NOT NULL,
    credential BLOB NOT NULL
) STRICT;
CREATE TABLE used_token (token BLOB PRIMARY KEY) STRICT;
CREATE TABLE quarantine (
    address TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    until   INTEGER NOT NULL
) STRICT;
";

/// From version 3: the relays a registration's domain came from (spec §3.11.4), their host names
/// one per line, and the end of the window in which their messages are accepted.
const MIGRATE_3_TO_4: &str = "
ALTER TABLE registration ADD COLUMN previous_relays TEXT;
ALTER TABLE registration ADD COLUMN previous_relays_until INTEGER;
";

/// From version 4: the outbox, the requests held for an address released without statement on
/// their way to the domain's new relay (spec §3.11.4), moved there from `held` in the release's
/// transaction and kept until the next relay acknowledges or the relay answers each; and the
/// envelopes acknowledged for another domain on their way to its relay (§3.9.2).
const MIGRATE_4_TO_5: &str = "
CREATE TABLE forwarding (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    domain   TEXT NOT NULL,
    envelope BLOB NOT NULL
) STRICT;
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    recipient   TEXT    NOT NULL,
    envelope    BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    sender      TEXT
) STRICT;
";

/// From version 5: a forward's retry state ([IOTP-DLV-52], [IOTP-DLV-131]): when the relay took
/// it, its failed attempts and the time of its next. A forward kept by version 5 counts as taken at
/// the upgrade and never tried: it goes at the relay's start, as version 5 sent it.
const MIGRATE_5_TO_6: &str = "
ALTER TABLE forwarding ADD COLUMN received_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE forwarding ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE forwarding ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
UPDATE forwarding SET received_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
";

/// The columns of a registration, in the order [`registration_of`] reads them.
const REGISTRATION: &str = "address, account, node, policy, credential, departed_to, \
    departed_statement, departed_sequence, departed_until, arrived_previous, arrived_until, \
    previous_relays, previous_relays_until";

const SCHEMA: &str = "
CREATE TABLE registration (
    address TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    node    BLOB NOT NULL CHECK (length(node) = 32),
    policy  BLOB NOT NULL
) STRICT;
CREATE INDEX registration_by_account ON registration (account, address);
CREATE TABLE held (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient   TEXT    NOT NULL,
    request     INTEGER NOT NULL CHECK (request IN (0, 1)),
    envelope    BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    sender      TEXT
) STRICT;
CREATE INDEX held_by_recipient ON held (recipient, id);
CREATE INDEX held_by_expiry ON held (expires_at, id);
";

/// A relay store in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    db: Connection,
    /// A batch is open ([`RelayStore::begin_batch`]): each change is a savepoint of its transaction.
    batch: bool,
}

/// The transaction of one change: its own, or a savepoint of the open batch's, so that a change
/// that fails is undone alone either way.
enum Write<'a> {
    Alone(Transaction<'a>),
    InBatch(Savepoint<'a>),
}

impl Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Write::Alone(tx) => tx,
            Write::InBatch(sp) => sp,
        }
    }
}

impl Write<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        match self {
            Write::Alone(tx) => tx.commit(),
            Write::InBatch(sp) => sp.commit(),
        }
    }
}

fn database(operation: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| StoreError::Database {
        operation,
        source: Box::new(e),
    }
}

impl SqliteStore {
    /// Opens the store at `path`, creating it if needed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Connection::open(path).map_err(database("opening the store"))?;
        Self::setup(db, &path.display().to_string())
    }

    /// A store in memory (tests; nothing survives).
    pub fn in_memory() -> Result<Self, StoreError> {
        let db = Connection::open_in_memory().map_err(database("opening the store"))?;
        Self::setup(db, ":memory:")
    }

    fn setup(mut db: Connection, path: &str) -> Result<Self, StoreError> {
        // Another process holding the write lock (a second relay on the same file) is waited for,
        // briefly, instead of failing at once.
        db.busy_timeout(Duration::from_secs(5))
            .map_err(database("setting the busy timeout"))?;
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(database("enabling the write-ahead log"))?;
        db.pragma_update(None, "synchronous", "FULL")
            .map_err(database("setting synchronous=FULL"))?;
        let tx = db
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(database("checking the schema"))?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(database("reading the schema version"))?;
        // The steps from the file's version to this code's, in order.
        let steps: &[&str] = match version {
            0 => &[
                SCHEMA,
                MIGRATE_2_TO_3,
                MIGRATE_3_TO_4,
                MIGRATE_4_TO_5,
                MIGRATE_5_TO_6,
            ],
            1 => &[
                MIGRATE_1_TO_2,
                MIGRATE_2_TO_3,
                MIGRATE_3_TO_4,
                MIGRATE_4_TO_5,
                MIGRATE_5_TO_6,
            ],
            2 => &[
                MIGRATE_2_TO_3,
                MIGRATE_3_TO_4,
                MIGRATE_4_TO_5,
                MIGRATE_5_TO_6,
            ],
            3 => &[MIGRATE_3_TO_4, MIGRATE_4_TO_5, MIGRATE_5_TO_6],
            4 => &[MIGRATE_4_TO_5, MIGRATE_5_TO_6],
            5 => &[MIGRATE_5_TO_6],
            SCHEMA_VERSION => &[],
            found => {
                return Err(StoreError::Version {
                    path: path.to_owned(),
                    found,
                    expected: SCHEMA_VERSION,
                })
            }
        };
        for step in steps {
            tx.execute_batch(step)
                .map_err(database("creating or upgrading the schema"))?;
        }
        if !steps.is_empty() {
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(database("writing the schema version"))?;
        }
        tx.commit().map_err(database("creating the schema"))?;
        Ok(SqliteStore { db, batch: false })
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): `Ok` when it reports no problem.
    pub fn integrity_check(&mut self) -> Result<(), StoreError> {
        let report: Vec<String> = {
            let mut statement = self
                .db
                .prepare("PRAGMA integrity_check")
                .map_err(database("checking integrity"))?;
            let rows = statement
                .query_map([], |row| row.get(0))
                .map_err(database("checking integrity"))?;
            rows.collect::<Result<_, _>>()
                .map_err(database("checking integrity"))?
        };
        if report == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Invalid {
                what: "store file",
                why: report.join("; "),
            })
        }
    }

    fn write(&mut self, operation: &'static str) -> Result<Write<'_>, StoreError> {
        if self.batch {
            // SQLite rolls a whole transaction back on some errors (a full disk, an I/O error):
            // what the batch held is gone, and a change made now would be committed alone.
            if self.db.is_autocommit() {
                return Err(StoreError::Invalid {
                    what: "batch",
                    why: "the database rolled the batch back".into(),
                });
            }
            return self
                .db
                .savepoint()
                .map(Write::InBatch)
                .map_err(database(operation));
        }
        // IMMEDIATE: the write lock is taken first, so that the reads that decide a write (the
        // limits of `hold`) see what the write will follow.
        self.db
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map(Write::Alone)
            .map_err(database(operation))
    }
}

fn registration_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Registration> {
    let node: Vec<u8> = row.get(2)?;
    let departed = match (
        row.get(5)?,
        row.get(6)?,
        row.get::<_, Option<i64>>(7)?,
        row.get::<_, Option<i64>>(8)?,
    ) {
        (Some(to), Some(statement), Some(sequence), Some(until)) => Some(Departed {
            to,
            statement,
            sequence: u32::try_from(sequence).unwrap_or(u32::MAX),
            until: until as u64,
        }),
        _ => None,
    };
    let arrived = match (row.get(9)?, row.get::<_, Option<i64>>(10)?) {
        (Some(previous), Some(until)) => Some(Arrived {
            previous,
            until: until as u64,
        }),
        _ => None,
    };
    let previous_relays = match (
        row.get::<_, Option<String>>(11)?,
        row.get::<_, Option<i64>>(12)?,
    ) {
        (Some(hosts), Some(until)) => Some(PreviousRelays {
            hosts: hosts.lines().map(String::from).collect(),
            until: until as u64,
        }),
        _ => None,
    };
    Ok(Registration {
        address: row.get(0)?,
        account: row.get(1)?,
        // The schema's CHECK keeps every node 32 bytes long.
        node: node.try_into().unwrap_or([0; 32]),
        policy: row.get(3)?,
        credential: row.get(4)?,
        departed,
        arrived,
        previous_relays,
    })
}

fn admin_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAdmin> {
    let node: Vec<u8> = row.get(0)?;
    Ok(StoredAdmin {
        node: node.try_into().unwrap_or([0; 32]),
        account: row.get(1)?,
        credential: row.get(2)?,
    })
}

fn held_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<HeldMessage> {
    Ok(HeldMessage {
        id: row.get::<_, i64>(0)? as u64,
        recipient: row.get(1)?,
        request: row.get::<_, i64>(2)? == 1,
        envelope: row.get(3)?,
        received_at: row.get::<_, i64>(4)? as u64,
        expires_at: row.get::<_, i64>(5)? as u64,
        sender: row.get(6)?,
    })
}

/// The host names of `previous`, one per line, checked against their bounds.
fn previous_relays_text(previous: &PreviousRelays) -> Result<String, StoreError> {
    let valid = !previous.hosts.is_empty()
        && previous.hosts.len() <= MAX_PREVIOUS_RELAYS
        && previous.hosts.iter().all(|h| {
            !h.is_empty() && h.len() <= iotp2p_protocol::relay::MAX_HOST_NAME && !h.contains('\n')
        });
    if !valid {
        return Err(StoreError::Invalid {
            what: "previous relays",
            why: format!(
                "1 to {MAX_PREVIOUS_RELAYS} host names, none empty, longer than {} bytes or with a line break",
                iotp2p_protocol::relay::MAX_HOST_NAME
            ),
        });
    }
    Ok(previous.hosts.join("\n"))
}

/// SQLite integers are signed: times beyond i64 (not before the year 292 million) are clamped.
fn time(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

fn page(limit: usize) -> i64 {
    limit.min(MAX_PAGE) as i64
}

impl RelayStore for SqliteStore {
    fn begin_batch(&mut self) -> Result<(), StoreError> {
        if self.batch {
            return Ok(());
        }
        // IMMEDIATE, as a change alone: the write lock first, for the whole batch.
        self.db
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(database("starting a batch"))?;
        self.batch = true;
        Ok(())
    }

    fn end_batch(&mut self) -> Result<(), StoreError> {
        if !std::mem::replace(&mut self.batch, false) {
            return Ok(());
        }
        if self.db.is_autocommit() {
            return Err(StoreError::Invalid {
                what: "batch",
                why: "the database rolled the batch back".into(),
            });
        }
        let committed = self.db.execute_batch("COMMIT");
        if committed.is_err() && !self.db.is_autocommit() {
            // Nothing of the batch may be taken for stored: undo it all before reporting.
            let _ = self.db.execute_batch("ROLLBACK");
        }
        committed.map_err(database("committing a batch"))
    }

    fn register(&mut self, r: &Registration) -> Result<Option<Registration>, StoreError> {
        check_address("address", &r.address)?;
        if r.account.len() > MAX_ACCOUNT {
            return Err(StoreError::Invalid {
                what: "account",
                why: format!("longer than {MAX_ACCOUNT} bytes"),
            });
        }
        if r.policy.len() > MAX_POLICY {
            return Err(StoreError::Invalid {
                what: "policy",
                why: format!("longer than {MAX_POLICY} bytes"),
            });
        }
        let tx = self.write("registering")?;
        let previous = tx
            .query_row(
                &format!("SELECT {REGISTRATION} FROM registration WHERE address = ?1"),
                [&r.address],
                registration_of,
            )
            .optional()
            .map_err(database("registering"))?;
        let previous_relays = r
            .previous_relays
            .as_ref()
            .map(previous_relays_text)
            .transpose()?;
        let (d, a) = (r.departed.as_ref(), r.arrived.as_ref());
        tx.execute(
            &format!(
                "INSERT OR REPLACE INTO registration ({REGISTRATION})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            ),
            params![
                r.address,
                r.account,
                &r.node[..],
                r.policy,
                r.credential,
                d.map(|d| &d.to),
                d.map(|d| &d.statement),
                d.map(|d| i64::from(d.sequence)),
                d.map(|d| time(d.until)),
                a.map(|a| &a.previous),
                a.map(|a| time(a.until)),
                previous_relays,
                r.previous_relays.as_ref().map(|p| time(p.until)),
            ],
        )
        .map_err(database("registering"))?;
        tx.execute("DELETE FROM quarantine WHERE address = ?1", [&r.address])
            .map_err(database("registering"))?;
        tx.commit().map_err(database("registering"))?;
        Ok(previous)
    }

    fn registration(&mut self, address: &str) -> Result<Option<Registration>, StoreError> {
        self.db
            .query_row(
                &format!("SELECT {REGISTRATION} FROM registration WHERE address = ?1"),
                [address],
                registration_of,
            )
            .optional()
            .map_err(database("reading a registration"))
    }

    fn release(&mut self, address: &str) -> Result<bool, StoreError> {
        let removed = self
            .db
            .execute("DELETE FROM registration WHERE address = ?1", [address])
            .map_err(database("releasing"))?;
        Ok(removed > 0)
    }

    fn registrations(
        &mut self,
        account: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Registration>, StoreError> {
        let mut statement = self
            .db
            .prepare(&format!(
                "SELECT {REGISTRATION} FROM registration
                 WHERE account = ?1 AND address > ?2 ORDER BY address LIMIT ?3"
            ))
            .map_err(database("listing registrations"))?;
        let rows = statement
            .query_map(
                params![account, after.unwrap_or(""), page(limit)],
                registration_of,
            )
            .map_err(database("listing registrations"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("listing registrations"))
    }

    fn every_registration(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Registration>, StoreError> {
        let mut statement = self
            .db
            .prepare(&format!(
                "SELECT {REGISTRATION} FROM registration WHERE address > ?1 ORDER BY address LIMIT ?2"
            ))
            .map_err(database("listing registrations"))?;
        let rows = statement
            .query_map(params![after.unwrap_or(""), page(limit)], registration_of)
            .map_err(database("listing registrations"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("listing registrations"))
    }

    fn enrol(
        &mut self,
        account: &str,
        node: [u8; 32],
        credential: &[u8],
        token: &[u8],
    ) -> Result<(), StoreError> {
        if account.len() > MAX_ACCOUNT || credential.len() > MAX_MESSAGE || token.len() > 32 {
            return Err(StoreError::Invalid {
                what: "enrolment",
                why: "an account, credential statement or token beyond its bound".into(),
            });
        }
        let tx = self.write("enrolling")?;
        tx.execute(
            "INSERT OR REPLACE INTO admin (node, account, credential) VALUES (?1, ?2, ?3)",
            params![&node[..], account, credential],
        )
        .map_err(database("enrolling"))?;
        tx.execute(
            "INSERT OR IGNORE INTO used_token (token) VALUES (?1)",
            [token],
        )
        .map_err(database("enrolling"))?;
        tx.commit().map_err(database("enrolling"))
    }

    fn unenrol(&mut self, node: [u8; 32]) -> Result<bool, StoreError> {
        let removed = self
            .db
            .execute("DELETE FROM admin WHERE node = ?1", [&node[..]])
            .map_err(database("unenrolling"))?;
        Ok(removed > 0)
    }

    fn admins(
        &mut self,
        after: Option<[u8; 32]>,
        limit: usize,
    ) -> Result<Vec<StoredAdmin>, StoreError> {
        let mut statement = self
            .db
            .prepare(
                "SELECT node, account, credential FROM admin WHERE node > ?1 ORDER BY node LIMIT ?2",
            )
            .map_err(database("listing administrators"))?;
        let after = after.map_or(Vec::new(), |a| a.to_vec());
        let rows = statement
            .query_map(params![after, page(limit)], admin_of)
            .map_err(database("listing administrators"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("listing administrators"))
    }

    fn token_used(&mut self, token: &[u8]) -> Result<bool, StoreError> {
        self.db
            .query_row("SELECT 1 FROM used_token WHERE token = ?1", [token], |_| {
                Ok(())
            })
            .optional()
            .map(|found| found.is_some())
            .map_err(database("reading the used tokens"))
    }

    fn quarantine(&mut self, q: &Quarantined) -> Result<(), StoreError> {
        check_address("address", &q.address)?;
        let tx = self.write("quarantining")?;
        tx.execute("DELETE FROM registration WHERE address = ?1", [&q.address])
            .map_err(database("quarantining"))?;
        // The held requests go to the outbox, the held replies nowhere ([IOTP-DLV-113]).
        tx.execute(
            "INSERT INTO outbox (id, recipient, envelope, received_at, expires_at, sender)
             SELECT id, recipient, envelope, received_at, expires_at, sender FROM held
             WHERE recipient = ?1 AND request = 1",
            [&q.address],
        )
        .map_err(database("quarantining"))?;
        tx.execute("DELETE FROM held WHERE recipient = ?1", [&q.address])
            .map_err(database("quarantining"))?;
        tx.execute(
            "INSERT OR REPLACE INTO quarantine (address, account, until) VALUES (?1, ?2, ?3)",
            params![q.address, q.account, time(q.until)],
        )
        .map_err(database("quarantining"))?;
        tx.commit().map_err(database("quarantining"))
    }

    fn quarantined(
        &mut self,
        now: u64,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Quarantined>, StoreError> {
        self.db
            .execute("DELETE FROM quarantine WHERE until <= ?1", [time(now)])
            .map_err(database("forgetting quarantines"))?;
        let mut statement = self
            .db
            .prepare(
                "SELECT address, account, until FROM quarantine WHERE address > ?1
                 ORDER BY address LIMIT ?2",
            )
            .map_err(database("listing quarantines"))?;
        let rows = statement
            .query_map(params![after.unwrap_or(""), page(limit)], |row| {
                Ok(Quarantined {
                    address: row.get(0)?,
                    account: row.get(1)?,
                    until: row.get::<_, i64>(2)? as u64,
                })
            })
            .map_err(database("listing quarantines"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("listing quarantines"))
    }

    fn hold(&mut self, m: &NewMessage<'_>, limits: HoldLimits) -> Result<Held, StoreError> {
        check_address("recipient", m.recipient)?;
        if let Some(sender) = m.sender {
            check_address("sender", sender)?;
        }
        if m.envelope.is_empty() || m.envelope.len() > MAX_MESSAGE {
            return Err(StoreError::Invalid {
                what: "envelope",
                why: format!("{} bytes, not 1 to {MAX_MESSAGE}", m.envelope.len()),
            });
        }
        let size = m.envelope.len() as u64;
        let tx = self.write("holding a message")?;
        let usage = |tx: &Connection| -> Result<(u64, u64), StoreError> {
            tx.query_row(
                "SELECT count(*), coalesce(sum(length(envelope)), 0) FROM held WHERE recipient = ?1",
                [m.recipient],
                |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
            )
            .map_err(database("holding a message"))
        };
        let fits = |(count, bytes): (u64, u64)| {
            count < u64::from(limits.max_messages) && bytes + size <= limits.max_bytes
        };
        let mut dropped = Vec::new();
        let mut used = usage(&tx)?;
        // A reply may push out older replies, oldest first; a request never pushes anything out.
        while !fits(used) && !m.request {
            let oldest: Option<i64> = tx
                .query_row(
                    "SELECT id FROM held WHERE recipient = ?1 AND request = 0 ORDER BY id LIMIT 1",
                    [m.recipient],
                    |row| row.get(0),
                )
                .optional()
                .map_err(database("holding a message"))?;
            let Some(oldest) = oldest else { break };
            tx.execute("DELETE FROM held WHERE id = ?1", [oldest])
                .map_err(database("holding a message"))?;
            dropped.push(oldest as u64);
            used = usage(&tx)?;
        }
        if !fits(used) {
            // Dropping the transaction rolls back any reply removed above.
            return Err(StoreError::Full {
                recipient: m.recipient.to_owned(),
                messages: used.0,
                bytes: used.1,
            });
        }
        tx.execute(
            "INSERT INTO held (recipient, request, envelope, received_at, expires_at, sender)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                m.recipient,
                i64::from(m.request),
                m.envelope,
                time(m.received_at),
                time(m.expires_at),
                m.sender
            ],
        )
        .map_err(database("holding a message"))?;
        let id = tx.last_insert_rowid() as u64;
        tx.commit().map_err(database("holding a message"))?;
        Ok(Held {
            id,
            dropped_replies: dropped,
        })
    }

    fn held(&mut self, recipient: &str, limit: usize) -> Result<Vec<HeldMessage>, StoreError> {
        let mut statement = self
            .db
            .prepare(
                "SELECT id, recipient, request, envelope, received_at, expires_at, sender FROM held
                 WHERE recipient = ?1 ORDER BY id LIMIT ?2",
            )
            .map_err(database("reading held messages"))?;
        let rows = statement
            .query_map(params![recipient, page(limit)], held_of)
            .map_err(database("reading held messages"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("reading held messages"))
    }

    fn remove(&mut self, recipient: &str, ids: &[u64]) -> Result<usize, StoreError> {
        let tx = self.write("removing held messages")?;
        let mut removed = 0;
        {
            let mut statement = tx
                .prepare("DELETE FROM held WHERE recipient = ?1 AND id = ?2")
                .map_err(database("removing held messages"))?;
            for &id in ids {
                let Ok(id) = i64::try_from(id) else { continue };
                removed += statement
                    .execute(params![recipient, id])
                    .map_err(database("removing held messages"))?;
            }
        }
        tx.commit().map_err(database("removing held messages"))?;
        Ok(removed)
    }

    fn outbox(&mut self, after: Option<u64>, limit: usize) -> Result<Vec<HeldMessage>, StoreError> {
        let after = after.map_or(0, |a| i64::try_from(a).unwrap_or(i64::MAX));
        let mut statement = self
            .db
            .prepare(
                "SELECT id, recipient, 1, envelope, received_at, expires_at, sender FROM outbox
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )
            .map_err(database("reading the outbox"))?;
        let rows = statement
            .query_map(params![after, page(limit)], held_of)
            .map_err(database("reading the outbox"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("reading the outbox"))
    }

    fn sent(&mut self, id: u64) -> Result<bool, StoreError> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(false);
        };
        self.db
            .execute("DELETE FROM outbox WHERE id = ?1", [id])
            .map(|n| n > 0)
            .map_err(database("removing from the outbox"))
    }

    fn forwarding(
        &mut self,
        domain: &str,
        envelope: &[u8],
        received_at: u64,
    ) -> Result<u64, StoreError> {
        if domain.is_empty() || domain.len() > MAX_DOMAIN {
            return Err(StoreError::Invalid {
                what: "domain",
                why: format!("{} bytes, not 1 to {MAX_DOMAIN}", domain.len()),
            });
        }
        if envelope.is_empty() || envelope.len() > MAX_MESSAGE {
            return Err(StoreError::Invalid {
                what: "envelope",
                why: format!("{} bytes, not 1 to {MAX_MESSAGE}", envelope.len()),
            });
        }
        let tx = self.write("keeping a forward")?;
        let count: i64 = tx
            .query_row("SELECT count(*) FROM forwarding", [], |row| row.get(0))
            .map_err(database("keeping a forward"))?;
        if count as u64 >= MAX_FORWARDING as u64 {
            return Err(StoreError::Full {
                recipient: domain.to_owned(),
                messages: count as u64,
                bytes: 0,
            });
        }
        tx.execute(
            "INSERT INTO forwarding (domain, envelope, received_at) VALUES (?1, ?2, ?3)",
            params![domain, envelope, time(received_at)],
        )
        .map_err(database("keeping a forward"))?;
        let id = tx.last_insert_rowid() as u64;
        tx.commit().map_err(database("keeping a forward"))?;
        Ok(id)
    }

    fn forwardings(
        &mut self,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Forwarding>, StoreError> {
        let after = after.map_or(0, |a| i64::try_from(a).unwrap_or(i64::MAX));
        let mut statement = self
            .db
            .prepare(
                "SELECT id, domain, envelope, received_at, failed, next_attempt_at FROM forwarding \
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )
            .map_err(database("reading the forwards"))?;
        let rows = statement
            .query_map(params![after, page(limit)], |row| {
                Ok(Forwarding {
                    id: row.get::<_, i64>(0)? as u64,
                    domain: row.get(1)?,
                    envelope: row.get(2)?,
                    received_at: row.get::<_, i64>(3)?.max(0) as u64,
                    failed: u32::try_from(row.get::<_, i64>(4)?.max(0)).unwrap_or(u32::MAX),
                    next_attempt_at: row.get::<_, i64>(5)?.max(0) as u64,
                })
            })
            .map_err(database("reading the forwards"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("reading the forwards"))
    }

    fn retry_forwarding(
        &mut self,
        id: u64,
        failed: u32,
        next_attempt_at: u64,
    ) -> Result<bool, StoreError> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(false);
        };
        self.db
            .execute(
                "UPDATE forwarding SET failed = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![id, failed, time(next_attempt_at)],
            )
            .map(|n| n > 0)
            .map_err(database("recording a forward's retry"))
    }

    fn forwarded(&mut self, id: u64) -> Result<bool, StoreError> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(false);
        };
        self.db
            .execute("DELETE FROM forwarding WHERE id = ?1", [id])
            .map(|n| n > 0)
            .map_err(database("removing a forward"))
    }

    fn expired(&mut self, now: u64, limit: usize) -> Result<Vec<HeldMessage>, StoreError> {
        let mut statement = self
            .db
            .prepare(
                "SELECT id, recipient, request, envelope, received_at, expires_at, sender FROM held
                 WHERE expires_at <= ?1 ORDER BY expires_at, id LIMIT ?2",
            )
            .map_err(database("reading expired messages"))?;
        let rows = statement
            .query_map(params![time(now), page(limit)], held_of)
            .map_err(database("reading expired messages"))?;
        rows.collect::<Result<_, _>>()
            .map_err(database("reading expired messages"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAMP: &str = "lamp@home.example.org";
    const SENSOR: &str = "sensor@home.example.org";

    fn limits() -> HoldLimits {
        HoldLimits::new(16, 4096).unwrap()
    }

    fn message(request: bool, len: usize) -> Vec<u8> {
        vec![if request { 0xa5 } else { 0xa6 }; len]
    }

    fn hold(store: &mut SqliteStore, request: bool, len: usize) -> Result<Held, StoreError> {
        store.hold(
            &NewMessage {
                recipient: SENSOR,
                request,
                envelope: &message(request, len),
                received_at: 1_000,
                expires_at: 2_000,
                sender: Some("app@example.com"),
            },
            limits(),
        )
    }

    #[test]
    fn registrations_replace_list_in_order_and_release() {
        let mut store = SqliteStore::in_memory().unwrap();
        let reg = |address: &str, node: u8| Registration {
            address: address.into(),
            account: "Smith household".into(),
            node: [node; 32],
            policy: vec![0xa0],
            credential: Vec::new(),
            departed: None,
            arrived: None,
            previous_relays: None,
        };
        assert_eq!(store.register(&reg(SENSOR, 1)).unwrap(), None);
        assert_eq!(store.register(&reg(LAMP, 2)).unwrap(), None);
        assert_eq!(store.register(&reg(LAMP, 3)).unwrap(), Some(reg(LAMP, 2)));
        assert_eq!(store.registration(LAMP).unwrap(), Some(reg(LAMP, 3)));
        let page = store.registrations("Smith household", None, 16).unwrap();
        assert_eq!(page, [reg(LAMP, 3), reg(SENSOR, 1)]);
        let page = store
            .registrations("Smith household", Some(LAMP), 16)
            .unwrap();
        assert_eq!(page, [reg(SENSOR, 1)]);
        assert!(store.registrations("Jones", None, 16).unwrap().is_empty());
        assert!(store.release(LAMP).unwrap());
        assert!(!store.release(LAMP).unwrap());
        assert!(store.register(&reg("Not An Address", 1)).is_err());
    }

    #[test]
    fn what_the_relay_capability_changes_survives_a_reopening() {
        let dir = std::env::temp_dir().join(format!("iotp2p-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("relay.sqlite");
        let _ = std::fs::remove_file(&path);
        let moved = Registration {
            address: LAMP.into(),
            account: "Smith household".into(),
            node: [2; 32],
            policy: vec![0xa0],
            credential: vec![0x82, 0x41, 0x00],
            departed: Some(Departed {
                to: "lamp@lamps.example.com".into(),
                statement: vec![1, 2, 3],
                sequence: 4,
                until: 5_000,
            }),
            arrived: Some(Arrived {
                previous: "lamp@old.example.net".into(),
                until: 6_000,
            }),
            previous_relays: Some(PreviousRelays {
                hosts: vec![
                    "relay1.provider.example.net".into(),
                    "relay2.provider.example.net".into(),
                ],
                until: 7_000,
            }),
        };
        {
            let mut store = SqliteStore::open(&path).unwrap();
            store
                .enrol("Smith household", [1; 32], &[9, 9], &[7; 16])
                .unwrap();
            store.register(&moved).unwrap();
            store
                .quarantine(&Quarantined {
                    address: SENSOR.into(),
                    account: "Smith household".into(),
                    until: 10_000,
                })
                .unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        assert!(store.token_used(&[7; 16]).unwrap());
        assert!(!store.token_used(&[8; 16]).unwrap());
        let admins = store.admins(None, 16).unwrap();
        assert_eq!(admins.len(), 1);
        assert_eq!(
            (admins[0].node, admins[0].credential.as_slice()),
            ([1; 32], &[9, 9][..])
        );
        assert!(store.admins(Some([1; 32]), 16).unwrap().is_empty());
        assert_eq!(
            store.every_registration(None, 16).unwrap(),
            std::slice::from_ref(&moved)
        );
        let quarantined = store.quarantined(9_999, None, 16).unwrap();
        assert_eq!(quarantined.len(), 1);
        // Registering an address ends its quarantine; a quarantine ends its registration.
        store
            .register(&Registration {
                address: SENSOR.into(),
                ..moved.clone()
            })
            .unwrap();
        assert!(store.quarantined(9_999, None, 16).unwrap().is_empty());
        store
            .quarantine(&Quarantined {
                address: LAMP.into(),
                account: "Smith household".into(),
                until: 10_000,
            })
            .unwrap();
        assert_eq!(store.registration(LAMP).unwrap(), None);
        // Over, it is forgotten.
        assert!(store.quarantined(10_000, None, 16).unwrap().is_empty());
        assert!(store.unenrol([1; 32]).unwrap());
        assert!(!store.unenrol([1; 32]).unwrap());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn requests_are_refused_when_full_and_never_pushed_out() {
        let mut store = SqliteStore::in_memory().unwrap();
        for _ in 0..16 {
            hold(&mut store, true, 100).unwrap();
        }
        let full = hold(&mut store, true, 100).unwrap_err();
        assert!(
            matches!(full, StoreError::Full { messages: 16, .. }),
            "{full}"
        );
        let full = hold(&mut store, false, 100).unwrap_err();
        assert!(
            matches!(full, StoreError::Full { .. }),
            "a reply pushes out no request"
        );
        assert_eq!(store.held(SENSOR, 100).unwrap().len(), 16);
    }

    #[test]
    fn a_batch_is_stored_whole_on_its_end_and_a_change_that_fails_in_it_alone_is_undone() {
        let (dir, path) = fresh_file("batch");
        {
            let mut store = SqliteStore::open(&path).unwrap();
            store.begin_batch().unwrap();
            for _ in 0..16 {
                hold(&mut store, true, 100).unwrap();
            }
            // The seventeenth does not fit: refused, and the sixteen stay in the batch.
            assert!(matches!(
                hold(&mut store, true, 100),
                Err(StoreError::Full { .. })
            ));
            // What the batch holds is seen inside it (the limits count it)...
            assert_eq!(store.held(SENSOR, 100).unwrap().len(), 16);
            // ...and by no other connection before its end (a reader: the batch holds the lock).
            let reader = Connection::open(&path).unwrap();
            let seen: i64 = reader
                .query_row("SELECT count(*) FROM held", [], |row| row.get(0))
                .unwrap();
            assert_eq!(seen, 0, "seen before the commit");
            store.end_batch().unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.held(SENSOR, 100).unwrap().len(), 16);
        // A batch never ended (the relay killed in it) leaves nothing.
        let id = store.held(SENSOR, 1).unwrap()[0].id;
        store.begin_batch().unwrap();
        store.remove(SENSOR, &[id]).unwrap();
        drop(store);
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.held(SENSOR, 100).unwrap().len(), 16);
        // Without a batch, each change is stored at once.
        store.remove(SENSOR, &[id]).unwrap();
        drop(store);
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.held(SENSOR, 100).unwrap().len(), 15);
        store.integrity_check().unwrap();
        drop(store);
        std::fs::remove_dir_all(dir).unwrap();
    }

    // [IOTP-DLV-129]
    #[test]
    fn a_release_moves_the_held_requests_to_the_outbox_in_its_transaction() {
        let mut store = SqliteStore::in_memory().unwrap();
        let request = hold(&mut store, true, 100).unwrap().id;
        hold(&mut store, false, 100).unwrap();
        let lamp = hold_for(&mut store, LAMP);
        store
            .quarantine(&Quarantined {
                address: SENSOR.into(),
                account: "Smith household".into(),
                until: 9_000,
            })
            .unwrap();
        assert_eq!(
            store.held(SENSOR, 100).unwrap(),
            Vec::new(),
            "the reply goes nowhere"
        );
        let outbox = store.outbox(None, 100).unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!((outbox[0].id, outbox[0].request), (request, true));
        assert_eq!(outbox[0].envelope, message(true, 100));
        assert_eq!(store.outbox(Some(request), 100).unwrap(), Vec::new());
        assert_eq!(
            store.held(LAMP, 100).unwrap()[0].id,
            lamp,
            "others' stay held"
        );
        assert!(store.sent(request).unwrap());
        assert!(!store.sent(request).unwrap());
        assert_eq!(store.outbox(None, 100).unwrap(), Vec::new());
    }

    // [IOTP-DLV-130]
    #[test]
    fn forwards_are_kept_until_done_and_listed_in_order() {
        let mut store = SqliteStore::in_memory().unwrap();
        let first = store
            .forwarding("example.net", &message(true, 10), 5_000)
            .unwrap();
        let second = store
            .forwarding("example.com", &message(false, 20), 6_000)
            .unwrap();
        let listed = store.forwardings(None, 100).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(
            (listed[0].id, listed[0].domain.as_str()),
            (first, "example.net")
        );
        assert_eq!(listed[1].envelope, message(false, 20));
        assert_eq!(
            (
                listed[1].received_at,
                listed[1].failed,
                listed[1].next_attempt_at
            ),
            (6_000, 0, 0),
            "taken at 6 s, never tried"
        );
        // Its retry state is kept with it ([IOTP-DLV-131]).
        assert!(store.retry_forwarding(second, 3, 250_000).unwrap());
        let retried = &store.forwardings(Some(first), 100).unwrap()[0];
        assert_eq!(
            (retried.id, retried.failed, retried.next_attempt_at),
            (second, 3, 250_000)
        );
        assert!(store.forwarded(first).unwrap());
        assert!(!store.forwarded(first).unwrap());
        assert_eq!(store.forwardings(None, 100).unwrap().len(), 1);
        assert!(store.forwarding("", &message(true, 10), 0).is_err());
        assert!(store.forwarding("example.net", &[], 0).is_err());
        assert!(!store.retry_forwarding(first, 1, 0).unwrap(), "gone");
    }

    // [IOTP-DLV-131] [IOTP-DLV-130]
    #[test]
    fn a_store_of_version_5_is_upgraded_and_keeps_its_forwards_as_never_tried() {
        let (dir, path) = fresh_file("v5");
        {
            let db = Connection::open(&path).unwrap();
            for step in [SCHEMA, MIGRATE_2_TO_3, MIGRATE_3_TO_4, MIGRATE_4_TO_5] {
                db.execute_batch(step).unwrap();
            }
            db.execute(
                "INSERT INTO forwarding (domain, envelope) VALUES ('example.net', ?1)",
                [message(true, 10)],
            )
            .unwrap();
            db.pragma_update(None, "user_version", 5).unwrap();
        }
        let before = now_ms();
        let mut store = SqliteStore::open(&path).unwrap();
        let kept = store.forwardings(None, 10).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            (kept[0].domain.as_str(), &kept[0].envelope),
            ("example.net", &message(true, 10))
        );
        assert_eq!((kept[0].failed, kept[0].next_attempt_at), (0, 0));
        // Taken at the upgrade (to the second): its hold time does not end at once.
        assert!(kept[0].received_at + 1_000 >= before && kept[0].received_at <= now_ms());
        assert!(store.retry_forwarding(kept[0].id, 1, 9).unwrap());
        drop(store);
        let mut again = SqliteStore::open(&path).unwrap();
        assert_eq!(again.forwardings(None, 10).unwrap()[0].failed, 1);
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn now_ms() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    }

    fn hold_for(store: &mut SqliteStore, recipient: &str) -> u64 {
        let envelope = message(true, 10);
        let m = NewMessage {
            recipient,
            request: true,
            envelope: &envelope,
            received_at: 1_000,
            expires_at: 2_000,
            sender: None,
        };
        store.hold(&m, limits()).unwrap().id
    }

    #[test]
    fn replies_push_out_older_replies_and_bytes_count() {
        let mut store = SqliteStore::in_memory().unwrap();
        let first = hold(&mut store, false, 1000).unwrap().id;
        let second = hold(&mut store, false, 1000).unwrap().id;
        hold(&mut store, true, 1000).unwrap();
        hold(&mut store, true, 1000).unwrap();
        // 4000 bytes held; a 1000-byte reply needs the oldest reply's room.
        let held = hold(&mut store, false, 1000).unwrap();
        assert_eq!(held.dropped_replies, [first]);
        // A request of 1000 bytes does not fit, and drops nothing.
        assert!(hold(&mut store, true, 1000).is_err());
        let ids: Vec<u64> = store
            .held(SENSOR, 100)
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(ids.len(), 4);
        assert_eq!(ids[0], second, "oldest first ([IOTP-DLV-106])");
    }

    #[test]
    fn receipts_remove_and_expiry_lists() {
        let mut store = SqliteStore::in_memory().unwrap();
        let a = hold(&mut store, true, 10).unwrap().id;
        let b = hold(&mut store, true, 10).unwrap().id;
        assert_eq!(store.expired(1_999, 10).unwrap(), []);
        assert_eq!(store.expired(2_000, 10).unwrap().len(), 2);
        assert_eq!(store.remove(SENSOR, &[a, 999]).unwrap(), 1);
        assert_eq!(
            store.remove(LAMP, &[b]).unwrap(),
            0,
            "only the recipient's own"
        );
        assert_eq!(store.held(SENSOR, 10).unwrap()[0].id, b);
    }

    #[test]
    fn bad_input_is_refused() {
        let mut store = SqliteStore::in_memory().unwrap();
        assert!(hold(&mut store, true, 0).is_err());
        assert!(hold(&mut store, true, MAX_MESSAGE + 1).is_err());
        assert!(HoldLimits::new(15, 4096).is_err());
        assert!(HoldLimits::new(16, 4095).is_err());
        store.integrity_check().unwrap();
    }

    /// A directory of its own for the store file of test `what`, and that file's path (not there).
    fn fresh_file(what: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("iotp2p-store-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("relay.sqlite");
        (dir, path)
    }

    #[test]
    fn a_store_of_version_1_is_upgraded_and_keeps_what_it_held() {
        let (dir, path) = fresh_file("v1");
        {
            let db = Connection::open(&path).unwrap();
            db.execute_batch(&SCHEMA.replace(",\n    sender      TEXT", ""))
                .unwrap();
            db.execute(
                "INSERT INTO held (recipient, request, envelope, received_at, expires_at)
                 VALUES (?1, 1, x'a5', 1, 2)",
                [SENSOR],
            )
            .unwrap();
            db.pragma_update(None, "user_version", 1).unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        let held = store.held(SENSOR, 10).unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].sender, None);
        hold(&mut store, true, 10).unwrap();
        assert_eq!(
            store.held(SENSOR, 10).unwrap()[1].sender.as_deref(),
            Some("app@example.com")
        );
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_store_of_version_3_is_upgraded_and_keeps_its_registrations() {
        let (dir, path) = fresh_file("v3");
        {
            let db = Connection::open(&path).unwrap();
            db.execute_batch(SCHEMA).unwrap();
            db.execute_batch(MIGRATE_2_TO_3).unwrap();
            db.execute(
                "INSERT INTO registration (address, account, node, policy) VALUES (?1, 'Jones', ?2, x'a0')",
                params![LAMP, &[2u8; 32][..]],
            )
            .unwrap();
            db.pragma_update(None, "user_version", 3).unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        let kept = store.registration(LAMP).unwrap().unwrap();
        assert_eq!(
            (kept.account.as_str(), kept.previous_relays),
            ("Jones", None)
        );
        let hosts = |hosts: &[&str]| PreviousRelays {
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            until: 7_000,
        };
        let moved = Registration {
            previous_relays: Some(hosts(&["relay1.provider.example.net"])),
            ..kept
        };
        store.register(&moved).unwrap();
        assert_eq!(store.registration(LAMP).unwrap(), Some(moved.clone()));
        // Beyond the schema's bounds: none, five, or a line break that would split a name.
        for bad in [
            &[][..],
            &["a.example"; 5][..],
            &["a.example\nb.example"][..],
        ] {
            let r = Registration {
                previous_relays: Some(hosts(bad)),
                ..moved.clone()
            };
            assert!(store.register(&r).is_err(), "{bad:?}");
        }
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
