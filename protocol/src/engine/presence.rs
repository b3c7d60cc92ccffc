//! Presence of a sleeping device (spec §6.9, §5.11): the device tells its home relay, sealed under their
//! hop context and confirmable, when it listens and for how long it sleeps, and keeps listening for
//! LISTEN_TIME after that and after each delivered envelope with `more` set.

use iotp2p_codec::core::owned::{Body, Presence};
use iotp2p_codec::core::PresenceState;
use rand_core::CryptoRngCore;

use super::send::SendError;
use super::{Node, Output, Role};
use crate::params::{Instant, MAX_MESSAGE};

/// LISTEN_TIME of §6.12: how long a device listens after it announces `Awake` and after each
/// envelope with `more`, in ms.
pub const LISTEN_TIME: u64 = 5_000;

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Announces `state` to the home relay: sealed under the hop context, without `recipient`
    /// ([IOTP-IM-45]), confirmable ([IOTP-IM-46]); `Asleep` carries `sleep_interval`
    /// ([IOTP-IM-51]), and every presence the node's capacity when it is below MAX_MESSAGE
    /// ([IOTP-IM-55]) and its description's `revision` ([IOTP-IM-56]).
    pub fn presence(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        state: PresenceState,
        sleep_interval: Option<u32>,
        revision: Option<u32>,
    ) -> Result<(u64, alloc::vec::Vec<Output<P>>), SendError> {
        let (Some(context), Some(relay)) = (self.hop_context, self.home_relay.clone()) else {
            return Err(SendError::NoContext);
        };
        if state == PresenceState::Asleep && sleep_interval.is_none() {
            return Err(SendError::Encode(
                iotp2p_codec::runtime::EncodeError::BoundExceeded {
                    field: iotp2p_codec::runtime::field!("Presence.sleep_interval", key 1),
                },
            ));
        }
        let max_message = (self.config.max_message < MAX_MESSAGE)
            .then(|| u16::try_from(self.config.max_message).unwrap_or(u16::MAX));
        let body = Body::Presence(Presence {
            state,
            sleep_interval,
            max_message,
            revision,
            unknown_fields: Default::default(),
        });
        if state == PresenceState::Awake {
            self.listen_until = Some(now.saturating_add(LISTEN_TIME));
        }
        // What a failed receipt named goes first ([IOTP-MSG-141]).
        let mut out = alloc::vec::Vec::new();
        self.send_receipt(now, rng, &mut out);
        let (message_id, more) = self.request(
            now,
            rng,
            relay,
            super::Destination::HopPeer,
            Some(context),
            &body,
            true,
            None,
        )?;
        out.extend(more);
        Ok((message_id, out))
    }

    /// Until when the device must keep listening ([IOTP-IM-68], [IOTP-MSG-73]): LISTEN_TIME after its
    /// last `Awake` presence or its last delivered envelope with `more`, if that is still ahead.
    pub fn listening_until(&self, now: Instant) -> Option<Instant> {
        self.listen_until.filter(|t| *t > now)
    }

    /// Notes a delivery with `more` set: more envelopes follow.
    pub(super) fn more_follows(&mut self, now: Instant) {
        self.listen_until = Some(now.saturating_add(LISTEN_TIME));
    }
}
