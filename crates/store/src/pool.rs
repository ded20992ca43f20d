//! A small connection pool: connections are made on demand up to `max`, and
//! returned on drop. Both backends use it.
//!
//! Callers are served in the order they asked (a ticket each): a request that has
//! waited for a connection is not overtaken by one that arrives as a connection is
//! returned. Without that, under more concurrent requests than connections, a few
//! unlucky requests waited hundreds of milliseconds while later ones went ahead.

use std::sync::{Condvar, Mutex, MutexGuard};

pub struct Pool<C> {
    state: Mutex<State<C>>,
    available: Condvar,
    max: usize,
    make: Box<dyn Fn() -> Result<C, String> + Send + Sync>,
}

struct State<C> {
    idle: Vec<C>,
    /// Connections made and not discarded (idle or in use).
    made: usize,
    /// The next ticket to hand out, and the ticket whose turn it is.
    next: u64,
    serving: u64,
}

pub struct Pooled<'a, C> {
    pool: &'a Pool<C>,
    conn: Option<C>,
}

impl<C> Pool<C> {
    pub fn new(max: usize, make: impl Fn() -> Result<C, String> + Send + Sync + 'static) -> Self {
        Pool {
            state: Mutex::new(State {
                idle: Vec::new(),
                made: 0,
                next: 0,
                serving: 0,
            }),
            available: Condvar::new(),
            max,
            make: Box::new(make),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, State<C>>, String> {
        self.state.lock().map_err(|_| "pool poisoned".to_string())
    }

    pub fn get(&self) -> Result<Pooled<'_, C>, String> {
        let mut g = self.lock()?;
        let ticket = g.next;
        g.next += 1;
        loop {
            if ticket == g.serving {
                if let Some(c) = g.idle.pop() {
                    g.serving += 1;
                    drop(g);
                    self.available.notify_all();
                    return Ok(Pooled {
                        pool: self,
                        conn: Some(c),
                    });
                }
                if g.made < self.max {
                    g.made += 1;
                    g.serving += 1;
                    drop(g);
                    self.available.notify_all();
                    return match (self.make)() {
                        Ok(c) => Ok(Pooled {
                            pool: self,
                            conn: Some(c),
                        }),
                        Err(e) => {
                            self.discard();
                            Err(e)
                        }
                    };
                }
            }
            g = self
                .available
                .wait(g)
                .map_err(|_| "pool poisoned".to_string())?;
        }
    }

    /// Forget a broken connection (or one that could not be made), so a new one is
    /// made next time.
    fn discard(&self) {
        if let Ok(mut g) = self.state.lock() {
            g.made -= 1;
        }
        self.available.notify_all();
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
            if let Ok(mut g) = self.pool.state.lock() {
                g.idle.push(c);
            }
            self.pool.available.notify_all();
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
        let pool = Pool::new(2, move || Ok(m.fetch_add(1, Ordering::SeqCst)));
        let a = pool.get().unwrap();
        let b = pool.get().unwrap();
        assert_ne!(*a, *b);
        drop(a);
        let c = pool.get().unwrap();
        assert_eq!(made.load(Ordering::SeqCst), 2, "the returned one was used again");
        drop((b, c));
    }

    #[test]
    fn a_connection_that_cannot_be_made_frees_its_place() {
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let f = fail.clone();
        let pool = Pool::new(1, move || {
            if f.load(Ordering::SeqCst) {
                Err("refused".to_string())
            } else {
                Ok(())
            }
        });
        assert!(pool.get().is_err());
        fail.store(false, Ordering::SeqCst);
        assert!(pool.get().is_ok(), "the failed attempt did not use up the pool");
    }

    #[test]
    fn callers_are_served_in_the_order_they_asked() {
        // One connection, held; three callers ask in turn; each, once served, holds
        // the connection briefly. They must be served in the order they asked.
        let pool = Arc::new(Pool::new(1, || Ok(())));
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
            // Wait until this caller has its ticket before the next one asks.
            while pool.state.lock().unwrap().next < i as u64 + 2 {
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
