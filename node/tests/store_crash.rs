//! The relay store survives a process killed at any moment: a child process holds and removes
//! messages in transactions as fast as SQLite commits them (each commit synced to disk, where a kill
//! most often lands) and is killed with SIGKILL; the store then opens, passes SQLite's integrity
//! check, keeps every message whose `hold` had returned, and shows each transaction whole or not at
//! all. Every third recipient's messages are held in one batch of the store (group commit, as the
//! relay's driver does), which is whole or not at all too. Three kills in a row on the same file,
//! each followed by recovery.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::store::{HoldLimits, NewMessage, RelayStore};

/// The variable that turns this test binary into the writing child, naming its store.
const CHILD: &str = "IOTP2P_STORE_CRASH_CHILD";
/// Messages per recipient, removed together by one receipt (one transaction).
const BATCH: u64 = 8;
/// How long the child writes before it is killed, per round.
const KILL_AFTER: [Duration; 3] = [
    Duration::from_millis(300),
    Duration::from_millis(450),
    Duration::from_millis(600),
];

fn recipient(round: u64, n: u64) -> String {
    format!("sensor-{round}-{n}@home.example.org")
}

fn limits() -> HoldLimits {
    HoldLimits::new(16, 16 * 1232).unwrap()
}

/// The child: for recipient after recipient, hold BATCH messages (printing each id once `hold`
/// returned), then remove them all in one transaction (printing it once it returned). Runs until
/// killed, or for at most 30 s.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD) else {
        return;
    };
    let round: u64 = std::env::var("ROUND").unwrap().parse().unwrap();
    let mut store = SqliteStore::open(Path::new(&path)).unwrap();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(30) {
        let to = recipient(round, n);
        let batched = in_batch(n);
        if batched {
            store.begin_batch().unwrap();
        }
        let mut ids = Vec::new();
        for i in 0..BATCH {
            let envelope = vec![0xa0 | (i as u8); 1000];
            let held = store
                .hold(
                    &NewMessage {
                        recipient: &to,
                        request: true,
                        envelope: &envelope,
                        received_at: 0,
                        expires_at: u64::MAX,
                        sender: None,
                    },
                    limits(),
                )
                .unwrap();
            ids.push(held.id);
            if !batched {
                println!("held {to} {}", held.id);
            }
        }
        if batched {
            // Held once the batch is stored, not before.
            store.end_batch().unwrap();
            for id in &ids {
                println!("held {to} {id}");
            }
        }
        // Every other recipient keeps its messages, so that the store grows across rounds.
        if n % 2 == 0 {
            assert_eq!(store.remove(&to, &ids).unwrap(), BATCH as usize);
            println!("removed {to}");
        }
        n += 1;
    }
}

/// Whether the child holds the messages of its `n`th recipient in one batch.
fn in_batch(n: u64) -> bool {
    n % 3 == 1
}

/// What the child reported before it was killed.
#[derive(Default)]
struct Reported {
    held: BTreeMap<String, Vec<u64>>,
    removed: Vec<String>,
}

fn run_child(path: &Path, round: u64, kill_after: Duration) -> Reported {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, path)
        .env("ROUND", round.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut reported = Reported::default();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let words: Vec<&str> = line.split(' ').collect();
            match words[..] {
                ["held", to, id] => reported
                    .held
                    .entry(to.to_owned())
                    .or_default()
                    .push(id.parse().unwrap()),
                ["removed", to] => reported.removed.push(to.to_owned()),
                _ => {}
            }
        }
        reported
    });
    std::thread::sleep(kill_after);
    // SIGKILL: no destructor, no rollback, no flush.
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap()
}

/// A directory removed at the end of the test, whether it passes or fails.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_store_killed_mid_transaction_stays_whole() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let dir =
        TempDir(std::env::temp_dir().join(format!("iotp2p-store-crash-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let path = dir.0.join("relay.sqlite");
    let mut kept: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (round, kill_after) in KILL_AFTER.into_iter().enumerate() {
        let reported = run_child(&path, round as u64, kill_after);
        assert!(
            !reported.held.is_empty(),
            "the child wrote before it was killed"
        );
        let mut store = SqliteStore::open(&path).expect("the store opens after the kill");
        store
            .integrity_check()
            .expect("SQLite finds the file sound");
        let last = reported
            .held
            .keys()
            .max_by_key(|to| reported.held[*to].iter().max())
            .cloned();
        for (to, ids) in &reported.held {
            let now: Vec<u64> = store.held(to, 100).unwrap().iter().map(|m| m.id).collect();
            if reported.removed.contains(to) {
                assert!(
                    now.is_empty(),
                    "{to}: removed, and committed, before the kill"
                );
            } else if Some(to) != last.as_ref() || ids.len() as u64 == BATCH {
                // Either the receipt's transaction committed whole (nothing left) or not at all
                // (every message still there): never a part of it.
                assert!(
                    now.is_empty() || now == *ids,
                    "{to}: held {ids:?}, now {now:?}"
                );
                if !now.is_empty() {
                    kept.insert(to.clone(), now);
                }
            } else {
                // The recipient being written when the kill came: every hold that returned is kept.
                assert!(now.starts_with(ids), "{to}: held {ids:?}, now {now:?}");
                kept.insert(to.clone(), now);
            }
        }
        // A batch is whole or not at all, reported or not (the kill may come between its commit
        // and its report).
        let written = reported.held.len() as u64 + 1;
        for n in (0..=written).filter(|n| in_batch(*n)) {
            let to = recipient(round as u64, n);
            let now = store.held(&to, 100).unwrap().len() as u64;
            assert!(
                now == 0 || now == BATCH,
                "{to}: {now} of a batch of {BATCH}"
            );
        }
        // What earlier rounds kept is still there.
        for (to, ids) in &kept {
            let now: Vec<u64> = store.held(to, 100).unwrap().iter().map(|m| m.id).collect();
            assert_eq!(&now, ids, "{to} after round {round}");
        }
        eprintln!(
            "round {round}: killed after {kill_after:?}, {} recipients written, {} receipts, {} recipients holding",
            reported.held.len(),
            reported.removed.len(),
            kept.len()
        );
    }
}
