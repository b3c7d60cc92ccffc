//! How long a serving subcommand runs: until Ctrl-C, or for the time given.

use std::time::Duration;

/// Waits for Ctrl-C, or for `seconds` if given.
pub async fn until_stopped(seconds: Option<u64>) {
    match seconds {
        Some(s) => {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(s)) => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        None => {
            // If no handler can be installed, ctrl_c fails at once and the command stops rather
            // than run with no way to stop it but a kill.
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
