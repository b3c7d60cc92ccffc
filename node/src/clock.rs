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
