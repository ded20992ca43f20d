//! Group commit for the one SQLite writer connection.
//!
//! SQLite allows one writer at a time. With a transaction and an fsync per request,
//! concurrent writers queue on the database lock (SQLite's busy handler sleeps, so the
//! tail latency grows to hundreds of milliseconds) and each pays a full commit. Here
//! every write runs on one connection, in its own savepoint inside a shared
//! `BEGIN IMMEDIATE` transaction; the last writer in line commits for all of them, and
//! none returns until that commit is durable. A write that fails rolls back its own
//! savepoint only; a commit that fails fails every write in it. So the guarantee is
//! unchanged — an acknowledged write survived an fsync — and under load one fsync
//! carries many writes.
//!
//! The writes run on the callers' own threads (no borrowed data crosses a thread);
//! the connection's mutex orders them.

use crate::{Result, StoreError};
use rusqlite::Connection;
use std::collections::VecDeque;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Most writes one commit carries: bounds the latency of the first in a long queue.
const MAX_BATCH: usize = 256;
/// How many failed commits are remembered for writers still to wake.
const FAILURES_KEPT: usize = 1024;

pub(crate) struct Writer {
    state: Mutex<State>,
    committed: Condvar,
    /// Writers waiting for the connection: while any are, the transaction stays open
    /// for them and the last of them commits.
    queued: AtomicUsize,
    /// Commits made, for the tests and the metrics.
    commits: std::sync::atomic::AtomicU64,
}

struct State {
    conn: Connection,
    /// The batch (epoch) whose transaction is open, and how many writes it holds.
    open: Option<(u64, usize)>,
    next_epoch: u64,
    /// Every epoch up to this one has ended (committed or failed).
    ended: u64,
    failed: VecDeque<(u64, String)>,
}

impl State {
    fn end(&mut self, epoch: u64, outcome: &Result<()>) {
        self.open = None;
        self.ended = epoch;
        if let Err(e) = outcome {
            self.failed.push_back((epoch, e.to_string()));
            if self.failed.len() > FAILURES_KEPT {
                self.failed.pop_front();
            }
        }
    }

    fn outcome(&self, epoch: u64) -> Result<()> {
        match self.failed.iter().find(|(e, _)| *e == epoch) {
            Some((_, msg)) => Err(StoreError::Backend(format!("the commit failed: {msg}"))),
            None => Ok(()),
        }
    }
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl Writer {
    pub(crate) fn new(conn: Connection) -> Writer {
        Writer {
            state: Mutex::new(State {
                conn,
                open: None,
                next_epoch: 1,
                ended: 0,
                failed: VecDeque::new(),
            }),
            committed: Condvar::new(),
            queued: AtomicUsize::new(0),
            commits: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Writes never panic while holding the lock (they are caught), so a poisoned
        // lock still holds a consistent connection.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `f` as one all-or-nothing write and return once it is durable.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut s = self.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);

        let epoch = match s.open {
            Some((epoch, _)) => epoch,
            None => {
                run(&s.conn, "BEGIN IMMEDIATE").map_err(backend)?;
                let epoch = s.next_epoch;
                s.next_epoch += 1;
                s.open = Some((epoch, 0));
                epoch
            }
        };

        let (out, panic) = in_savepoint(&s.conn, f);
        if let Some((_, n)) = s.open.as_mut() {
            *n += 1;
        }
        let held = s.open.map_or(0, |(_, n)| n);

        let outcome = if s.conn.is_autocommit() {
            // SQLite rolled the whole transaction back (an I/O error, a full disk):
            // every write in this batch is lost, so each of them fails.
            let e = Err(StoreError::Backend(
                "the transaction was rolled back by the database".into(),
            ));
            s.end(epoch, &e);
            self.committed.notify_all();
            Some(e)
        } else if self.queued.load(Ordering::SeqCst) == 0 || held >= MAX_BATCH {
            // Nobody is waiting to join: commit for everyone in this batch.
            let r = run(&s.conn, "COMMIT").map_err(backend);
            self.commits.fetch_add(1, Ordering::Relaxed);
            if r.is_err() {
                let _ = run(&s.conn, "ROLLBACK");
            }
            s.end(epoch, &r);
            self.committed.notify_all();
            Some(r)
        } else {
            None
        };
        let committed = match outcome {
            Some(r) => r,
            None => {
                // A writer behind us will commit this batch.
                while s.ended < epoch {
                    s = self.committed.wait(s).unwrap_or_else(|p| p.into_inner());
                }
                s.outcome(epoch)
            }
        };
        drop(s);
        if let Some(p) = panic {
            resume_unwind(p);
        }
        committed.and(out)
    }
}

type Panic = Box<dyn std::any::Any + Send>;

/// Run one statement of the transaction's bracketing, prepared once per connection
/// (parsing `SAVEPOINT` and `RELEASE` afresh for every write cost more than they do).
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Run `f` in a savepoint: kept if it succeeds, rolled back if it fails or panics.
fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> (Result<T>, Option<Panic>) {
    if let Err(e) = run(conn, "SAVEPOINT write") {
        return (Err(backend(e)), None);
    }
    let (out, panic) = match catch_unwind(AssertUnwindSafe(|| f(conn))) {
        Ok(out) => (out, None),
        Err(p) => (
            Err(StoreError::Backend("the write panicked".into())),
            Some(p),
        ),
    };
    let end = if out.is_ok() {
        run(conn, "RELEASE write")
    } else {
        run(conn, "ROLLBACK TO write").and_then(|_| run(conn, "RELEASE write"))
    };
    match (out, end) {
        (Ok(_), Err(e)) => {
            // Not released: undo it rather than commit half a write.
            let _ = run(conn, "ROLLBACK TO write").and_then(|_| run(conn, "RELEASE write"));
            (Err(backend(e)), panic)
        }
        (out, _) => (out, panic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn writer(dir: &tempfile::TempDir) -> (Writer, String) {
        let path = dir.path().join("w.db").to_string_lossy().into_owned();
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE t (n INTEGER PRIMARY KEY);",
        )
        .unwrap();
        (Writer::new(c), path)
    }

    fn insert(w: &Writer, n: i64) -> Result<()> {
        w.write(|c| {
            c.execute("INSERT INTO t (n) VALUES (?1)", [n])
                .map(|_| ())
                .map_err(|e| StoreError::Conflict(e.to_string()))
        })
    }

    fn stored(path: &str) -> Vec<i64> {
        let c = Connection::open(path).unwrap();
        let mut st = c.prepare("SELECT n FROM t ORDER BY n").unwrap();
        let rows = st.query_map([], |r| r.get(0)).unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    #[test]
    fn one_writer_alone_commits_each_write() {
        let dir = tempfile::tempdir().unwrap();
        let (w, path) = writer(&dir);
        for n in 1..=3 {
            insert(&w, n).unwrap();
            // Durable and visible to another connection as soon as it returns.
            assert_eq!(stored(&path).len() as i64, n);
        }
        assert_eq!(w.commits.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn writers_queued_behind_one_share_its_commit_and_a_failure_is_only_its_own() {
        const QUEUED: usize = 12;
        let dir = tempfile::tempdir().unwrap();
        let (w, path) = writer(&dir);
        insert(&w, 1000).unwrap();
        let before = w.commits.load(Ordering::Relaxed);
        let (go, wait) = mpsc::channel::<()>();
        let (inside, entered) = mpsc::channel::<()>();
        std::thread::scope(|scope| {
            // The first writer holds the connection until the others are queued.
            let wr = &w;
            let first = scope.spawn(move || {
                wr.write(|c| {
                    inside.send(()).unwrap();
                    wait.recv().unwrap();
                    c.execute("INSERT INTO t (n) VALUES (0)", []).unwrap();
                    Ok(())
                })
            });
            entered.recv().unwrap();
            let others: Vec<_> = (1..=QUEUED as i64)
                .map(|n| {
                    let w = &w;
                    // Every fourth repeats the key written before: a conflict.
                    scope.spawn(move || insert(w, if n % 4 == 0 { 1000 } else { n }))
                })
                .collect();
            while w.queued.load(Ordering::SeqCst) < QUEUED {
                std::thread::yield_now();
            }
            go.send(()).unwrap();
            first.join().unwrap().unwrap();
            for (i, h) in others.into_iter().enumerate() {
                let n = i + 1;
                let r = h.join().unwrap();
                assert_eq!(r.is_err(), n % 4 == 0, "write {n}: {r:?}");
            }
        });
        assert_eq!(
            w.commits.load(Ordering::Relaxed) - before,
            1,
            "one commit carried all {} writes",
            QUEUED + 1
        );
        let mut expected: Vec<i64> = (0..=QUEUED as i64)
            .filter(|n| *n == 0 || n % 4 != 0)
            .collect();
        expected.push(1000);
        assert_eq!(stored(&path), expected);
    }

    #[test]
    fn a_write_that_panics_is_undone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (w, path) = writer(&dir);
        let r = catch_unwind(AssertUnwindSafe(|| {
            w.write(|c| -> Result<()> {
                c.execute("INSERT INTO t (n) VALUES (7)", []).unwrap();
                panic!("a bug in a write");
            })
        }));
        assert!(r.is_err(), "the panic reaches the caller");
        insert(&w, 8).unwrap();
        assert_eq!(stored(&path), vec![8]);
    }
}
