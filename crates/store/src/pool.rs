//! A small connection pool: connections are made on demand up to `max`, and
//! returned on drop. Both backends use it.

use std::sync::{Condvar, Mutex};

pub struct Pool<C> {
    idle: Mutex<(Vec<C>, usize)>,
    available: Condvar,
    max: usize,
    make: Box<dyn Fn() -> Result<C, String> + Send + Sync>,
}

pub struct Pooled<'a, C> {
    pool: &'a Pool<C>,
    conn: Option<C>,
}

impl<C> Pool<C> {
    pub fn new(max: usize, make: impl Fn() -> Result<C, String> + Send + Sync + 'static) -> Self {
        Pool {
            idle: Mutex::new((Vec::new(), 0)),
            available: Condvar::new(),
            max,
            make: Box::new(make),
        }
    }

    pub fn get(&self) -> Result<Pooled<'_, C>, String> {
        let mut g = self.idle.lock().map_err(|_| "pool poisoned".to_string())?;
        loop {
            if let Some(c) = g.0.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(c),
                });
            }
            if g.1 < self.max {
                g.1 += 1;
                drop(g);
                return match (self.make)() {
                    Ok(c) => Ok(Pooled {
                        pool: self,
                        conn: Some(c),
                    }),
                    Err(e) => {
                        self.idle.lock().map(|mut g| g.1 -= 1).ok();
                        Err(e)
                    }
                };
            }
            g = self
                .available
                .wait(g)
                .map_err(|_| "pool poisoned".to_string())?;
        }
    }

    /// Forget a broken connection so a new one is made next time.
    fn discard(&self) {
        if let Ok(mut g) = self.idle.lock() {
            g.1 -= 1;
        }
        self.available.notify_one();
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
            if let Ok(mut g) = self.pool.idle.lock() {
                g.0.push(c);
            }
            self.pool.available.notify_one();
        }
    }
}
