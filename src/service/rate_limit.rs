//! Sliding-window rate limits kept in memory (per node).
//!
//! Used for sign-in (per account and per address, against password guessing) and later for
//! bidding. A limit per node is enough against guessing: an attacker spreading attempts over
//! nodes gains at most a factor of the node count.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` events per key within `window`.
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter allowing `max` events per key per `window`.
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock cannot leave the map inconsistent (each operation
        // is a single push/pop), so a poisoned lock is safe to keep using.
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Ok` if another event is allowed now, otherwise the seconds to wait.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut events = self.lock();
        let Some(queue) = events.get_mut(key) else {
            return Ok(());
        };
        while queue
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            queue.pop_front();
        }
        if queue.len() < self.max {
            return Ok(());
        }
        let oldest = queue.front().copied().unwrap_or(now);
        let wait = self.window.saturating_sub(now.duration_since(oldest));
        Err(wait.as_secs().max(1))
    }

    /// Records an event for `key`.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut events = self.lock();
        // Keep memory bounded under a flood of distinct keys: drop stale keys first.
        if events.len() > 100_000 {
            let window = self.window;
            events.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let queue = events.entry(key.to_string()).or_default();
        queue.push_back(now);
        while queue.len() > self.max {
            queue.pop_front();
        }
    }

    /// Forgets a key (e.g. after a successful sign-in).
    pub fn reset(&self, key: &str) {
        self.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_and_resets() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.check("ana").is_ok());
            limiter.record("ana");
        }
        let wait = limiter.check("ana").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.check("luis").is_ok(), "keys are independent");
        limiter.reset("ana");
        assert!(limiter.check("ana").is_ok());
    }

    #[test]
    fn window_expires() {
        let limiter = RateLimiter::new(1, Duration::from_millis(30));
        limiter.record("k");
        assert!(limiter.check("k").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limiter.check("k").is_ok());
    }
}
