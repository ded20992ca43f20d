//! A small connection pool: connections are made on demand up to `max`, and
//! returned on drop. Both backends use it.
//!
//! Callers who must wait queue, and each is woken only when it is their turn, so a
//! busy pool does not wake every waiting thread for every connection returned.
//! Normally a connection free as someone asks is theirs (the longest waiter is woken
//! to try too): a request that uses several connections one after another keeps
//! going, and nobody waits on a hand-over. Strict turns cost PostgreSQL intake half
//! its throughput, and SQLite reads (microseconds) a fifth.
//!
//! But on PostgreSQL, where connections are held for network round trips, some
//! requests then waited hundreds of milliseconds while later ones went ahead. So a
//! pool may be `Fairness::InTurnAfter(patience)`: once the longest waiter has waited
//! that long, returned connections go to waiters in turn, and newcomers queue.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Pool<C> {
    state: Mutex<State<C>>,
    max: usize,
    fairness: Fairness,
    make: Box<dyn Fn() -> Result<C, String> + Send + Sync>,
}

struct State<C> {
    idle: Vec<C>,
    /// Connections made and not discarded (idle, in use or handed to a waiter).
    made: usize,
    /// Callers waiting, longest first: their ticket, what wakes them, and since when.
    waiting: VecDeque<(u64, Arc<Condvar>, Instant)>,
    /// Connections handed to a waiter who has not yet woken to take them.
    handed: HashMap<u64, C>,
    next_ticket: u64,
}

/// Who gets a connection returned while callers wait (see the module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fairness {
    /// Whoever asks while a connection is free.
    FirstFree,
    /// First free, until the longest waiter has waited this long; then in turn.
    InTurnAfter(Duration),
}

pub struct Pooled<'a, C> {
    pool: &'a Pool<C>,
    conn: Option<C>,
}

impl<C> Pool<C> {
    pub fn new(
        max: usize,
        fairness: Fairness,
        make: impl Fn() -> Result<C, String> + Send + Sync + 'static,
    ) -> Self {
        Pool {
            state: Mutex::new(State {
                idle: Vec::new(),
                made: 0,
                waiting: VecDeque::new(),
                handed: HashMap::new(),
                next_ticket: 0,
            }),
            max,
            fairness,
            make: Box::new(make),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, State<C>>, String> {
        self.state.lock().map_err(|_| "pool poisoned".to_string())
    }

    fn pooled(&self, c: C) -> Pooled<'_, C> {
        Pooled {
            pool: self,
            conn: Some(c),
        }
    }

    /// Make a connection in a place already counted in `made`.
    fn make_counted(&self) -> Result<Pooled<'_, C>, String> {
        match (self.make)() {
            Ok(c) => Ok(self.pooled(c)),
            Err(e) => {
                self.discard();
                Err(e)
            }
        }
    }

    pub fn get(&self) -> Result<Pooled<'_, C>, String> {
        let mut g = self.lock()?;
        if !self.in_turn(&g) {
            if let Some(c) = g.idle.pop() {
                return Ok(self.pooled(c));
            }
            if g.made < self.max {
                g.made += 1;
                drop(g);
                return self.make_counted();
            }
        }
        let ticket = g.next_ticket;
        g.next_ticket += 1;
        let wake = Arc::new(Condvar::new());
        g.waiting.push_back((ticket, wake.clone(), Instant::now()));
        loop {
            g = wake.wait(g).map_err(|_| "pool poisoned".to_string())?;
            if let Some(c) = g.handed.remove(&ticket) {
                return Ok(self.pooled(c));
            }
            // Woken at the front: a connection is free (first free), or a place came
            // free (a connection discarded).
            let first = g.waiting.front().is_some_and(|w| w.0 == ticket);
            if first {
                if let Some(c) = g.idle.pop() {
                    g.waiting.pop_front();
                    Self::wake_first(&g);
                    return Ok(self.pooled(c));
                }
                if g.made < self.max {
                    g.waiting.pop_front();
                    g.made += 1;
                    drop(g);
                    return self.make_counted();
                }
            }
        }
    }

    /// Take a connection back: to the longest waiter if it is their turn; otherwise to
    /// the idle ones, waking the longest waiter to take it if no newcomer does first.
    fn put_back(&self, c: C) {
        if let Ok(mut g) = self.state.lock() {
            if self.in_turn(&g) {
                if let Some((ticket, wake, _)) = g.waiting.pop_front() {
                    g.handed.insert(ticket, c);
                    wake.notify_one();
                    return;
                }
            }
            g.idle.push(c);
            Self::wake_first(&g);
        }
    }

    fn wake_first(g: &State<C>) {
        if let Some((_, wake, _)) = g.waiting.front() {
            wake.notify_one();
        }
    }

    /// Whether connections now go to waiters in turn: someone has waited past the
    /// pool's patience.
    fn in_turn(&self, g: &State<C>) -> bool {
        match (self.fairness, g.waiting.front()) {
            (Fairness::InTurnAfter(patience), Some(w)) => w.2.elapsed() >= patience,
            _ => false,
        }
    }

    /// Forget a broken connection (or one that could not be made), so a new one is
    /// made next time; the longest waiter may make it.
    fn discard(&self) {
        if let Ok(mut g) = self.state.lock() {
            g.made -= 1;
            Self::wake_first(&g);
        }
    }
}

impl<C> Pooled<'_, C> {
    /// Drop this connection instead of returning it (after an I/O error).
    pub fn discard(mut self) {
        self.conn = None;
        self.pool.discard();
    }
}

impl<C> std::ops::Deref for Pooled<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl<C> std::ops::DerefMut for Pooled<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn.as_mut().expect("connection present until drop")
    }
}

impl<C> Drop for Pooled<'_, C> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.pool.put_back(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn makes_up_to_max_and_reuses_what_is_returned() {
        let made = Arc::new(AtomicUsize::new(0));
        let m = made.clone();
        let pool = Pool::new(2, Fairness::FirstFree, move || {
            Ok(m.fetch_add(1, Ordering::SeqCst))
        });
        let a = pool.get().unwrap();
        let b = pool.get().unwrap();
        assert_ne!(*a, *b);
        drop(a);
        let c = pool.get().unwrap();
        assert_eq!(
            made.load(Ordering::SeqCst),
            2,
            "the returned one was used again"
        );
        drop((b, c));
    }

    #[test]
    fn a_connection_that_cannot_be_made_frees_its_place() {
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let f = fail.clone();
        let pool = Pool::new(1, Fairness::InTurnAfter(Duration::ZERO), move || {
            if f.load(Ordering::SeqCst) {
                Err("refused".to_string())
            } else {
                Ok(())
            }
        });
        assert!(pool.get().is_err());
        fail.store(false, Ordering::SeqCst);
        assert!(
            pool.get().is_ok(),
            "the failed attempt did not use up the pool"
        );
    }

    #[test]
    fn a_waiter_makes_a_new_connection_when_one_is_discarded() {
        let made = Arc::new(AtomicUsize::new(0));
        let m = made.clone();
        let pool = Arc::new(Pool::new(
            1,
            Fairness::InTurnAfter(Duration::ZERO),
            move || Ok(m.fetch_add(1, Ordering::SeqCst)),
        ));
        let held = pool.get().unwrap();
        let other = pool.clone();
        let waiter = std::thread::spawn(move || *other.get().unwrap());
        while pool.state.lock().unwrap().waiting.is_empty() {
            std::thread::yield_now();
        }
        held.discard();
        assert_eq!(
            waiter.join().unwrap(),
            1,
            "a new connection, made by the waiter"
        );
        assert_eq!(pool.state.lock().unwrap().made, 1);
    }

    #[test]
    fn a_waiter_is_woken_for_a_returned_connection_when_the_first_free_takes_it() {
        let pool = Arc::new(Pool::new(1, Fairness::FirstFree, || Ok(7)));
        let held = pool.get().unwrap();
        let other = pool.clone();
        let waiter = std::thread::spawn(move || *other.get().unwrap());
        while pool.state.lock().unwrap().waiting.is_empty() {
            std::thread::yield_now();
        }
        drop(held);
        assert_eq!(waiter.join().unwrap(), 7);
        assert!(pool.state.lock().unwrap().waiting.is_empty());
    }

    #[test]
    fn callers_are_served_in_the_order_they_asked() {
        // One connection, held; three callers ask in turn; each, once served, holds
        // the connection briefly. They must be served in the order they asked.
        let pool = Arc::new(Pool::new(1, Fairness::InTurnAfter(Duration::ZERO), || {
            Ok(())
        }));
        let held = pool.get().unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut threads = Vec::new();
        for i in 0..3 {
            let (mine, order) = (pool.clone(), order.clone());
            threads.push(std::thread::spawn(move || {
                let _c = mine.get().unwrap();
                order.lock().unwrap().push(i);
                std::thread::sleep(Duration::from_millis(5));
            }));
            // Wait until this caller is queued before the next one asks.
            while pool.state.lock().unwrap().waiting.len() < i + 1 {
                std::thread::yield_now();
            }
        }
        drop(held);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
    }
}
