//! The pairing states of a device (spec §8.3.2, §8.3.7 and the diagram of §8.3.8): when it accepts a
//! `pair_start`, when it answers `Busy`, how failed attempts close its window, and when it discards its
//! pairing context. Pure and sans-I/O: the device's code (or the engine serving the Security actions)
//! reports each event with the time, and asks [`PairingStates::state`] what is allowed now. The
//! SPAKE2+ exchange itself is [`super::spake2plus`]'s; this module decides only whether one may run.
//!
//! The states change only on the events of the diagram ([IOTP-SEC-148]); every method that is not an
//! event of the current state leaves it as it is and says so.
//!
//! **Bounds.** No allocation; a few words of state. A window lasts at most [`MAX_WINDOW`]
//! ([IOTP-SEC-28]) and closes after [`MAX_FAILED_ATTEMPTS`] ([IOTP-SEC-30]); an exchange in progress
//! ends when [`PAIRING_EXCHANGE_TIMEOUT`] passes without one of its messages ([IOTP-SEC-134]).

use crate::params::Instant;

/// The longest a pairing window stays open, in ms: 900 s ([IOTP-SEC-28]).
pub const MAX_WINDOW: u64 = 900_000;

/// The longest time between two messages of one pairing exchange, in ms (§8.3.2).
pub const PAIRING_EXCHANGE_TIMEOUT: u64 = 30_000;

/// Failed attempts after which a window closes ([IOTP-SEC-30]).
pub const MAX_FAILED_ATTEMPTS: u8 = 20;

/// The states of §8.3.8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Unclaimed, no window: no pairing.
    UnclaimedClosed,
    /// Unclaimed, its window open for the printed passcode: `pair_start` accepted.
    UnclaimedWindow,
    /// Unclaimed, a SPAKE2+ exchange in progress.
    UnclaimedExchange,
    /// Unclaimed, confirmP verified: commissioning under the pairing context.
    UnclaimedCommissioning,
    /// Claimed, no window.
    Claimed,
    /// Claimed, a commissioning window open with the verifier an administrator gave.
    ClaimedWindow,
    /// Claimed, a SPAKE2+ exchange in progress.
    ClaimedExchange,
    /// Claimed, confirmP verified: the window's one `acl_write` under the pairing context awaited.
    ClaimedCommissioning,
}

/// Why an event was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// No window is open: a `pair_start` gets no pairing ([IOTP-SEC-132] on a claimed device).
    Closed,
    /// Another exchange is in progress: answer `Busy` with this `retry_after`, in whole seconds
    /// rounded up, the time left until that exchange times out ([IOTP-SEC-31]).
    Busy {
        /// Seconds until the exchange in progress times out.
        retry_after: u32,
    },
    /// The message does not continue the exchange in progress (none is, or it is past that step).
    NotInExchange,
    /// The event does not apply in this state (opening a commissioning window on an unclaimed
    /// device, or while one is open).
    NotNow,
}

/// What an event or the passing of time did beyond the new state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more.
    None,
    /// The pairing context is to be discarded ([IOTP-SEC-38], [IOTP-SEC-134]).
    DiscardPairingContext,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for a `pair_start`.
    Open,
    /// A SPAKE2+ exchange, last message at the time given.
    Exchange(Instant),
    /// confirmP verified, last message of commissioning at the time given.
    Commissioning(Instant),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    closes: Instant,
    failed: u8,
    phase: Phase,
}

/// A device's pairing state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairingStates {
    claimed: bool,
    window: Option<Window>,
}

impl PairingStates {
    /// A device as it leaves the factory, or after a factory reset: unclaimed, no window.
    pub fn new() -> Self {
        PairingStates {
            claimed: false,
            window: None,
        }
    }

    /// A device that was claimed before a restart: claimed, no window.
    pub fn claimed() -> Self {
        PairingStates {
            claimed: true,
            window: None,
        }
    }

    /// The state at `now` (after any timeout due by then).
    pub fn state(&mut self, now: Instant) -> State {
        self.expire(now);
        match (self.claimed, self.window.map(|w| w.phase)) {
            (false, None) => State::UnclaimedClosed,
            (false, Some(Phase::Open)) => State::UnclaimedWindow,
            (false, Some(Phase::Exchange(_))) => State::UnclaimedExchange,
            (false, Some(Phase::Commissioning(_))) => State::UnclaimedCommissioning,
            (true, None) => State::Claimed,
            (true, Some(Phase::Open)) => State::ClaimedWindow,
            (true, Some(Phase::Exchange(_))) => State::ClaimedExchange,
            (true, Some(Phase::Commissioning(_))) => State::ClaimedCommissioning,
        }
    }

    /// Failed attempts in the open window.
    pub fn failed_attempts(&self) -> u8 {
        self.window.map_or(0, |w| w.failed)
    }

    /// Power-up or the documented physical action: an unclaimed device opens its window for the
    /// printed passcode ([IOTP-SEC-26]); a claimed one does nothing ([IOTP-SEC-132]).
    pub fn power_up_or_physical_action(&mut self, now: Instant) -> Result<(), Refused> {
        self.expire(now);
        if self.claimed {
            return Err(Refused::NotNow);
        }
        if self.window.is_none() {
            self.window = Some(Window {
                closes: now.saturating_add(MAX_WINDOW),
                failed: 0,
                phase: Phase::Open,
            });
        }
        Ok(())
    }

    /// An administrator's `open_commissioning_window` on a claimed device ([IOTP-SEC-133]): a window
    /// for its verifier, open for `duration` ms, at most [`MAX_WINDOW`].
    pub fn open_commissioning_window(
        &mut self,
        now: Instant,
        duration: u64,
    ) -> Result<(), Refused> {
        self.expire(now);
        if !self.claimed || self.window.is_some() {
            return Err(Refused::NotNow);
        }
        self.window = Some(Window {
            closes: now.saturating_add(duration.min(MAX_WINDOW)),
            failed: 0,
            phase: Phase::Open,
        });
        Ok(())
    }

    /// A `pair_start`: accepted in an open window with no exchange in progress, `Busy` while one is
    /// ([IOTP-SEC-31]), refused without a window.
    pub fn pair_start(&mut self, now: Instant) -> Result<(), Refused> {
        self.busy(now)?;
        let window = self.window.as_mut().ok_or(Refused::Closed)?;
        window.phase = Phase::Exchange(now);
        Ok(())
    }

    /// `Busy` while an exchange is in progress, a pairing context included (§8.3.2), with the time
    /// left until it times out; nothing changes but the timeouts due at `now`. What the device
    /// answers a `pair_start` then ([IOTP-SEC-31]), and a `pair_share` or `pair_confirm` from a hop
    /// peer other than the exchange's ([IOTP-SEC-203]).
    pub fn busy(&mut self, now: Instant) -> Result<(), Refused> {
        self.expire(now);
        match self.window.map(|w| w.phase) {
            Some(Phase::Exchange(last) | Phase::Commissioning(last)) => {
                let left = last
                    .saturating_add(PAIRING_EXCHANGE_TIMEOUT)
                    .saturating_sub(now);
                Err(Refused::Busy {
                    retry_after: u32::try_from(left.div_ceil(1_000)).unwrap_or(u32::MAX),
                })
            }
            _ => Ok(()),
        }
    }

    /// A `pair_share` of the exchange in progress. One that continues none counts as a failed attempt
    /// ([IOTP-SEC-35]) when a window is open, and may close it.
    pub fn pair_share(&mut self, now: Instant) -> Result<(), Refused> {
        self.expire(now);
        match self.window.as_mut() {
            Some(w) if matches!(w.phase, Phase::Exchange(_)) => {
                w.phase = Phase::Exchange(now);
                Ok(())
            }
            Some(_) => {
                self.failed(false);
                Err(Refused::NotInExchange)
            }
            None => Err(Refused::Closed),
        }
    }

    /// The outcome of a `pair_confirm` of the exchange in progress: confirmP verified (commissioning
    /// begins under the pairing context) or not (a failed attempt, [IOTP-SEC-30]). A `pair_confirm`
    /// that continues no exchange is a failed attempt too ([IOTP-SEC-35]).
    pub fn pair_confirm(&mut self, now: Instant, verified: bool) -> Result<Effect, Refused> {
        self.expire(now);
        match self.window.as_mut() {
            Some(w) if matches!(w.phase, Phase::Exchange(_)) => {
                if verified {
                    w.phase = Phase::Commissioning(now);
                    Ok(Effect::None)
                } else {
                    Ok(self.failed(true))
                }
            }
            Some(_) => {
                self.failed(false);
                Err(Refused::NotInExchange)
            }
            None => Err(Refused::Closed),
        }
    }

    /// A request of commissioning under the pairing context: it keeps the exchange alive.
    pub fn commissioning_message(&mut self, now: Instant) -> Result<(), Refused> {
        self.expire(now);
        match self.window.as_mut() {
            Some(w) if matches!(w.phase, Phase::Commissioning(_)) => {
                w.phase = Phase::Commissioning(now);
                Ok(())
            }
            _ => Err(Refused::NotInExchange),
        }
    }

    /// The pairing completed: `commission` succeeded on an unclaimed device, or the window's
    /// `acl_write` on a claimed one. The device is claimed and the window closes ([IOTP-SEC-29]),
    /// with the pairing context.
    pub fn completed(&mut self, now: Instant) -> Result<Effect, Refused> {
        self.expire(now);
        match self.window {
            Some(Window {
                phase: Phase::Commissioning(_),
                ..
            }) => {
                self.claimed = true;
                self.window = None;
                Ok(Effect::DiscardPairingContext)
            }
            _ => Err(Refused::NotInExchange),
        }
    }

    /// A factory reset: unclaimed, no window, from every state (§8.3.6).
    pub fn factory_reset(&mut self) -> Effect {
        let had_context = matches!(
            self.window,
            Some(Window {
                phase: Phase::Commissioning(_),
                ..
            })
        );
        *self = PairingStates::new();
        if had_context {
            Effect::DiscardPairingContext
        } else {
            Effect::None
        }
    }

    /// When a timeout is next due, for the device's timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        let w = self.window?;
        Some(match w.phase {
            Phase::Open => w.closes,
            Phase::Exchange(last) | Phase::Commissioning(last) => {
                w.closes.min(last.saturating_add(PAIRING_EXCHANGE_TIMEOUT))
            }
        })
    }

    /// Applies the timeouts due at `now`: the window's end ([IOTP-SEC-28]) and an exchange's
    /// ([IOTP-SEC-134]); says whether the pairing context is to be discarded ([IOTP-SEC-38]).
    pub fn on_timer(&mut self, now: Instant) -> Effect {
        self.expire(now)
    }

    fn expire(&mut self, now: Instant) -> Effect {
        let Some(w) = self.window else {
            return Effect::None;
        };
        let had_context = matches!(w.phase, Phase::Commissioning(_));
        if now >= w.closes {
            self.window = None;
            return if had_context {
                Effect::DiscardPairingContext
            } else {
                Effect::None
            };
        }
        match w.phase {
            Phase::Exchange(last) if now >= last.saturating_add(PAIRING_EXCHANGE_TIMEOUT) => {
                // Abandoned before confirmP verified: a failed attempt.
                self.failed(true)
            }
            Phase::Commissioning(last) if now >= last.saturating_add(PAIRING_EXCHANGE_TIMEOUT) => {
                // Abandoned after: not a failed attempt; the window stays open for another
                // controller.
                if let Some(w) = self.window.as_mut() {
                    w.phase = Phase::Open;
                }
                Effect::DiscardPairingContext
            }
            _ => Effect::None,
        }
    }

    /// Counts a failed attempt; `ends_exchange` returns the window to waiting for a `pair_start`.
    /// The last allowed failure closes the window.
    fn failed(&mut self, ends_exchange: bool) -> Effect {
        let Some(w) = self.window.as_mut() else {
            return Effect::None;
        };
        let had_context = matches!(w.phase, Phase::Commissioning(_));
        w.failed = w.failed.saturating_add(1);
        if ends_exchange {
            w.phase = Phase::Open;
        }
        if w.failed >= MAX_FAILED_ATTEMPTS {
            self.window = None;
            if had_context {
                return Effect::DiscardPairingContext;
            }
        }
        Effect::None
    }
}

impl Default for PairingStates {
    fn default() -> Self {
        PairingStates::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window_at(t: Instant) -> PairingStates {
        let mut p = PairingStates::new();
        p.power_up_or_physical_action(t).unwrap();
        p
    }

    #[test]
    fn an_unclaimed_device_opens_its_window_at_power_up_for_900_seconds() {
        let mut p = PairingStates::new();
        assert_eq!(p.state(0), State::UnclaimedClosed);
        assert_eq!(p.pair_start(0), Err(Refused::Closed));
        p.power_up_or_physical_action(1_000).unwrap();
        assert_eq!(p.state(1_000), State::UnclaimedWindow);
        assert_eq!(p.next_deadline(), Some(901_000));
        assert_eq!(p.state(900_999), State::UnclaimedWindow);
        assert_eq!(p.state(901_000), State::UnclaimedClosed, "[IOTP-SEC-28]");
    }

    #[test]
    fn a_second_pair_start_is_busy_until_the_exchange_times_out() {
        let mut p = window_at(0);
        p.pair_start(10_000).unwrap();
        assert_eq!(p.state(10_000), State::UnclaimedExchange);
        assert_eq!(
            p.pair_start(15_500),
            Err(Refused::Busy { retry_after: 25 }),
            "[IOTP-SEC-31]: 24.5 s left, rounded up"
        );
        p.pair_share(20_000).unwrap();
        assert_eq!(p.pair_start(20_000), Err(Refused::Busy { retry_after: 30 }));
        // Abandoned: PAIRING_EXCHANGE_TIMEOUT after its last message, a failed attempt
        // ([IOTP-SEC-134], [IOTP-SEC-30]).
        assert_eq!(p.state(50_000), State::UnclaimedWindow);
        assert_eq!(p.failed_attempts(), 1);
        assert_eq!(p.pair_start(50_000), Ok(()));
    }

    #[test]
    fn busy_while_an_exchange_or_its_pairing_context_lives_and_nothing_changes() {
        let mut p = window_at(0);
        assert_eq!(p.busy(1_000), Ok(()));
        assert_eq!(p.state(1_000), State::UnclaimedWindow);
        p.pair_start(10_000).unwrap();
        // What another hop peer's pair_share or pair_confirm is answered ([IOTP-SEC-203]).
        assert_eq!(p.busy(15_500), Err(Refused::Busy { retry_after: 25 }));
        assert_eq!(p.failed_attempts(), 0);
        p.pair_share(20_000).unwrap();
        p.pair_confirm(21_000, true).unwrap();
        assert_eq!(p.busy(22_000), Err(Refused::Busy { retry_after: 29 }));
        assert_eq!(p.state(22_000), State::UnclaimedCommissioning);
        assert_eq!(p.failed_attempts(), 0);
    }

    #[test]
    fn twenty_failed_attempts_close_the_window() {
        let mut p = window_at(0);
        for n in 1..MAX_FAILED_ATTEMPTS {
            p.pair_start(u64::from(n)).unwrap();
            assert_eq!(p.pair_confirm(u64::from(n), false), Ok(Effect::None));
            assert_eq!(p.state(u64::from(n)), State::UnclaimedWindow);
        }
        p.pair_start(100).unwrap();
        p.pair_confirm(100, false).unwrap();
        assert_eq!(p.state(100), State::UnclaimedClosed, "[IOTP-SEC-30]");
    }

    #[test]
    fn a_message_out_of_its_exchange_is_a_failed_attempt() {
        let mut p = window_at(0);
        assert_eq!(p.pair_share(10), Err(Refused::NotInExchange));
        assert_eq!(p.pair_confirm(20, true), Err(Refused::NotInExchange));
        assert_eq!(p.failed_attempts(), 2, "[IOTP-SEC-35]");
        assert_eq!(p.state(20), State::UnclaimedWindow);
    }

    #[test]
    fn commissioning_claims_the_device_and_closes_the_window() {
        let mut p = window_at(0);
        p.pair_start(10).unwrap();
        p.pair_share(20).unwrap();
        assert_eq!(p.pair_confirm(30, true), Ok(Effect::None));
        assert_eq!(p.state(30), State::UnclaimedCommissioning);
        assert!(matches!(p.pair_start(40), Err(Refused::Busy { .. })));
        p.commissioning_message(25_000).unwrap();
        assert_eq!(p.completed(50_000), Ok(Effect::DiscardPairingContext));
        assert_eq!(p.state(50_000), State::Claimed, "[IOTP-SEC-29]");
        // The printed passcode is worthless now ([IOTP-SEC-132]): no window opens for it.
        assert_eq!(p.power_up_or_physical_action(60_000), Err(Refused::NotNow));
        assert_eq!(p.pair_start(60_000), Err(Refused::Closed));
    }

    #[test]
    fn commissioning_abandoned_discards_the_context_and_reopens_the_window() {
        let mut p = window_at(0);
        p.pair_start(10).unwrap();
        p.pair_confirm(20, true).unwrap();
        assert_eq!(p.on_timer(30_019), Effect::None);
        assert_eq!(p.on_timer(30_020), Effect::DiscardPairingContext);
        assert_eq!(p.state(30_020), State::UnclaimedWindow);
        assert_eq!(p.failed_attempts(), 0, "not a failed attempt");
    }

    #[test]
    fn the_window_closing_discards_a_pairing_context() {
        let mut p = window_at(0);
        p.pair_start(899_000).unwrap();
        p.pair_confirm(899_500, true).unwrap();
        assert_eq!(
            p.on_timer(900_000),
            Effect::DiscardPairingContext,
            "[IOTP-SEC-38]"
        );
        assert_eq!(p.state(900_000), State::UnclaimedClosed);
    }

    #[test]
    fn a_claimed_device_pairs_only_in_a_commissioning_window() {
        let mut p = PairingStates::claimed();
        assert_eq!(p.pair_start(0), Err(Refused::Closed));
        // At most 900 s however long the administrator asks for ([IOTP-SEC-28], [IOTP-SEC-133]).
        p.open_commissioning_window(0, 3_600_000).unwrap();
        assert_eq!(p.next_deadline(), Some(MAX_WINDOW));
        assert_eq!(
            p.open_commissioning_window(10, 60_000),
            Err(Refused::NotNow)
        );
        p.pair_start(100).unwrap();
        assert_eq!(p.state(100), State::ClaimedExchange);
        p.pair_confirm(200, true).unwrap();
        assert_eq!(p.state(200), State::ClaimedCommissioning);
        assert_eq!(p.completed(300), Ok(Effect::DiscardPairingContext));
        assert_eq!(p.state(300), State::Claimed);
        assert_eq!(
            PairingStates::new().open_commissioning_window(0, 1_000),
            Err(Refused::NotNow),
            "an unclaimed device has no commissioning window"
        );
    }

    #[test]
    fn a_factory_reset_leads_from_every_state_to_unclaimed_closed() {
        let mut p = window_at(0);
        p.pair_start(10).unwrap();
        p.pair_confirm(20, true).unwrap();
        assert_eq!(p.factory_reset(), Effect::DiscardPairingContext);
        assert_eq!(p.state(30), State::UnclaimedClosed);
        let mut q = PairingStates::claimed();
        assert_eq!(q.factory_reset(), Effect::None);
        assert_eq!(q.state(0), State::UnclaimedClosed);
    }
}
