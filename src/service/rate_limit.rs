//! Sliding-window rate limits kept in memory (per node).
//!
//! Used for sign-in (per account and per address, against password guessing), live-auction
//! bids, and the actions a hostile user could repeat to flood the platform ([`AbusePolicy`]).
//! A limit per node is enough: an attacker spreading attempts over nodes gains at most a
//! factor of the node count.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::ServiceError;

/// Limits on what a hostile user could repeat to flood the platform (issue 13: 280 firms with
/// accounts in 18 s, 150 replacements of one sealed bid in 1.4 s, colleagues added without
/// end). Each is far above what a real user does in an hour.
#[derive(Debug, Clone)]
pub struct AbusePolicy {
    /// Firms registered from one client address (an office registering a group's firms
    /// stays well within).
    pub registrations_per_address: usize,
    /// Sealed bids submitted or replaced by one supplier on one tender (one per lot, plus
    /// corrections).
    pub bids_per_tender: usize,
    /// Colleagues' accounts one firm adds.
    pub colleagues_per_firm: usize,
    /// The window of every limit above.
    pub window: Duration,
}

impl Default for AbusePolicy {
    fn default() -> Self {
        AbusePolicy {
            registrations_per_address: 10,
            bids_per_tender: 60,
            colleagues_per_firm: 20,
            window: Duration::from_secs(3600),
        }
    }
}

/// The key of a firm's limits: its supplier, which every account of the firm shares (a user
/// of no firm counts alone).
pub fn firm_key(user: &crate::domain::user::User) -> String {
    match user.supplier_id {
        Some(id) => format!("supplier:{id}"),
        None => format!("user:{}", user.id),
    }
}

/// The running limits of an [`AbusePolicy`] (one per node, in the application state).
#[derive(Debug)]
pub struct AbuseLimits {
    /// Self-registrations, keyed by client address.
    pub registrations: RateLimiter,
    /// Sealed bids, keyed by `supplier:tender`.
    pub bids: RateLimiter,
    /// Colleagues added, keyed by supplier.
    pub colleagues: RateLimiter,
}

impl AbuseLimits {
    /// Limits per the policy.
    pub fn new(policy: &AbusePolicy) -> AbuseLimits {
        AbuseLimits {
            registrations: RateLimiter::new(policy.registrations_per_address, policy.window),
            bids: RateLimiter::new(policy.bids_per_tender, policy.window),
            colleagues: RateLimiter::new(policy.colleagues_per_firm, policy.window),
        }
    }
}

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

    /// Takes a slot for `key` if one is free, checking and recording in one step (so concurrent
    /// requests cannot all slip through between a check and a record); otherwise the seconds
    /// to wait.
    pub fn acquire(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut events = self.lock();
        if events.len() > 100_000 {
            let window = self.window;
            events.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let queue = events.entry(key.to_string()).or_default();
        while queue
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            queue.pop_front();
        }
        if queue.len() >= self.max {
            let oldest = queue.front().copied().unwrap_or(now);
            return Err(self
                .window
                .saturating_sub(now.duration_since(oldest))
                .as_secs()
                .max(1));
        }
        queue.push_back(now);
        Ok(())
    }

    /// Gives back the latest slot of `key`: the action it was taken for did not happen.
    pub fn refund(&self, key: &str) {
        if let Some(queue) = self.lock().get_mut(key) {
            queue.pop_back();
        }
    }

    /// Runs `action` within the limit: refused with [`ServiceError::RateLimited`] (429 with
    /// `Retry-After`) before it starts when `key` has no slot left. An action that fails gives
    /// its slot back, so only what was actually done counts (a form corrected twice is one
    /// registration).
    pub async fn limited<T, E: From<ServiceError>>(
        &self,
        key: &str,
        action: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        self.acquire(key).map_err(|wait| {
            E::from(ServiceError::RateLimited {
                retry_after_secs: wait,
            })
        })?;
        let result = action.await;
        if result.is_err() {
            self.refund(key);
        }
        result
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
    fn acquire_takes_a_slot_and_refund_gives_it_back() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert!(limiter.acquire("k").is_ok());
        assert!(limiter.acquire("k").is_ok());
        assert!(limiter.acquire("k").is_err());
        limiter.refund("k");
        assert!(limiter.acquire("k").is_ok());
        assert!(limiter.acquire("k").is_err());
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
