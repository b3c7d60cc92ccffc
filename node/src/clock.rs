//! The engine's clock: a monotonic clock read as milliseconds since the node started
//! (`params::Instant`), and the way back from an engine deadline to a timer of the runtime.

use std::time::Duration;

use iotp2p_protocol::params::Instant;

/// A monotonic clock whose origin is the moment it was made. The engine only compares and subtracts
/// instants, so any origin will do, but it must never go back: hence tokio's monotonic clock, never
/// the wall clock.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    origin: tokio::time::Instant,
}

impl Clock {
    /// A clock that reads 0 now.
    pub fn start() -> Self {
        Clock {
            origin: tokio::time::Instant::now(),
        }
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
}
