//! The engine's clock: a monotonic clock read as milliseconds since the node started
//! (`params::Instant`), the wall-clock time that goes with it (what a relay's store keeps), and
//! the way back from an engine deadline to a timer of the runtime.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iotp2p_protocol::params::Instant;

/// A monotonic clock whose origin is the moment it was made. The engine only compares and subtracts
/// instants, so any origin will do, but it must never go back: hence tokio's monotonic clock, never
/// the wall clock.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    origin: tokio::time::Instant,
    /// The wall clock at `origin`, in milliseconds since the UNIX epoch.
    wall_origin: u64,
}

impl Clock {
    /// A clock that reads 0 now.
    pub fn start() -> Self {
        let wall_origin = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Clock {
            origin: tokio::time::Instant::now(),
            wall_origin,
        }
    }

    /// Milliseconds since the UNIX epoch now: the wall clock read when this clock started, advanced
    /// with it since. Times that outlive the process (a relay's store) are kept in it; advancing it
    /// with the monotonic clock keeps them in step with the engine's instants, on tokio's paused
    /// clock too (the walk-through, the tests), and a wall clock set back while the node runs does
    /// not make what it holds younger.
    pub fn wall(&self) -> u64 {
        self.wall_origin.saturating_add(self.now())
    }

    /// The engine's time now, in whole milliseconds (rounded down, so a deadline is never reported
    /// as reached before it is).
    pub fn now(&self) -> Instant {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The runtime's instant at which the engine's `at` is reached.
    pub fn deadline(&self, at: Instant) -> tokio::time::Instant {
        // Far beyond any run (about 584 million years of milliseconds) the addition would overflow:
        // saturate to a day from now, which re-arms harmlessly.
        self.origin
            .checked_add(Duration::from_millis(at))
            .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(86_400))
    }
}

/// The timer of a driver's loop: the engine's next deadline, unless the engine still reports one at
/// or before its last run of the timers (`timer_ran`), which that run did not clear; it is retried a
/// millisecond later rather than at once, so that such a deadline can never keep the loop spinning
/// ahead of the socket.
#[derive(Debug, Default)]
pub(crate) struct Timer {
    ran: Option<Instant>,
}

impl Timer {
    /// When to wake for the engine's `next` deadline.
    pub(crate) fn arm(&self, clock: &Clock, next: Option<Instant>) -> Option<tokio::time::Instant> {
        next.map(|t| {
            let t = match self.ran {
                Some(ran) if t <= ran => ran.saturating_add(1),
                _ => t,
            };
            clock.deadline(t)
        })
    }

    /// The timer fired: the time at which the engine's timers run now.
    pub(crate) fn fire(&mut self, clock: &Clock) -> Instant {
        let now = clock.now();
        self.ran = Some(now);
        now
    }
}

/// Waits until `deadline`, or forever without one.
pub(crate) async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Waits at most `within` for a driver's task to end and returns what it handed back; aborts it when
/// it does not end in time. `Err(true)`: it did not stop in time; `Err(false)`: it had failed.
pub(crate) async fn join_within<T>(
    task: tokio::task::JoinHandle<T>,
    within: Duration,
) -> Result<T, bool> {
    let abort = task.abort_handle();
    match tokio::time::timeout(within, task).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(false),
        Err(_) => {
            abort.abort();
            Err(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn time_moves_with_the_runtime_and_deadlines_map_back() {
        let clock = Clock::start();
        assert_eq!(clock.now(), 0);
        tokio::time::advance(Duration::from_millis(1_500)).await;
        assert_eq!(clock.now(), 1_500);
        assert_eq!(
            clock.deadline(2_000) - tokio::time::Instant::now(),
            Duration::from_millis(500)
        );
        assert!(clock.deadline(u64::MAX) > tokio::time::Instant::now());
    }

    #[tokio::test(start_paused = true)]
    async fn the_wall_clock_moves_with_the_engines_on_a_paused_runtime() {
        let clock = Clock::start();
        let wall = clock.wall();
        assert!(
            wall > 1_700_000_000_000,
            "milliseconds since the epoch: {wall}"
        );
        tokio::time::advance(Duration::from_secs(600)).await;
        assert_eq!(clock.wall() - wall, 600_000);
        assert_eq!(clock.wall() - clock.now(), wall);
    }
}
