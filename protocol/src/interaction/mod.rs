//! The interaction model's dispatch (spec chapter 6): a request for a node's capabilities is checked in
//! the order of §6.3 and answered with exactly one reply ([IOTP-IM-3]); reads, writes (all or
//! nothing), invokes, describe, subscribe and unsubscribe; freshness challenges; subscriptions and
//! their reports.
//!
//! The dispatcher knows the node's [`Model`] (which members exist and what they allow); the values
//! belong to the application, which implements [`Capabilities`]: it judges values (steps 8 and 9) and
//! carries requests out (step 10). Access control (step 1) is decided before, by the caller, and comes
//! in as [`Access`].
//!
//! - [`model`]: endpoints, capabilities and members.
//! - [`check`]: the check order of §6.3.
//! - [`subscriptions`]: subscriptions and their reports (§6.7).

pub mod check;
pub mod model;
pub mod subscriptions;

use alloc::vec::Vec;

use iotp2p_codec::core::owned::{
    Body, CapabilityInfo, Description, EndpointInfo, InvokeResponse, MemberValue, Report, SemVer,
};
use iotp2p_codec::core::StatusCode;
use rand_core::CryptoRngCore;

use crate::engine::peers::ContextId;
use crate::params::Instant;
use crate::security::echo::Challenges;
use check::{refuse, status, Operation, Refusal, ValueError};
use model::{MemberKind, Model};
use subscriptions::{Subscription, Subscriptions};

/// Step 10 failed: the status to answer with (`InvalidState`, `ResourceExhausted`, `Busy` or
/// `Failure`), and a capability's own code if it has one ([IOTP-IM-9]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The closest code of chapter 9.
    pub code: StatusCode,
    /// The capability's own status code.
    pub capability_status: Option<u32>,
}

/// The application's side: the values of its capabilities.
pub trait Capabilities {
    /// Steps 8 and 9: whether `value` decodes against the member's type and meets the capability's
    /// constraints.
    fn check_value(
        &self,
        endpoint: u16,
        capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError>;
    /// The current value of a property, encoded.
    fn read(&mut self, endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure>;
    /// Applies every value, or none ([IOTP-IM-17]); the values have passed steps 1 to 9.
    fn write(
        &mut self,
        endpoint: u16,
        capability: u16,
        values: &[(u16, &[u8])],
    ) -> Result<(), Failure>;
    /// Carries out an action; returns its output exactly when the action has one ([IOTP-IM-20]).
    fn invoke(
        &mut self,
        endpoint: u16,
        capability: u16,
        action: u16,
        input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure>;
    /// What changed since the last call other than by a write, which the dispatcher sees itself: a
    /// property an action or the physical world changed, an event that occurred. A server passes
    /// them to the subscriptions after every request it answers and whenever it is polled. None by
    /// default.
    fn take_changes(&mut self) -> Vec<Change> {
        Vec::new()
    }
}

/// A change that subscriptions report (§6.7).
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A property has a new value.
    Property {
        /// The endpoint.
        endpoint: u16,
        /// The capability instance.
        capability: u16,
        /// The property.
        member: u16,
    },
    /// An event occurred.
    Event {
        /// The endpoint.
        endpoint: u16,
        /// The capability instance.
        capability: u16,
        /// The event, with its data. Its `number` is the server's to give: one numbering across
        /// all the node's events, whichever part of the node recorded them (§6.7).
        event: iotp2p_codec::core::owned::Event,
    },
}

/// The outcome of access control for a request (§6.3 step 1, chapter 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The request may proceed.
    Allowed,
    /// The sender is not authenticated (an unsealed request that needs a context).
    Unauthenticated,
    /// The sender is authenticated but not allowed.
    Forbidden,
}

/// A request, with what the engine knows of it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a, S> {
    /// The request.
    pub body: &'a Body,
    /// Step 1's outcome.
    pub access: Access,
    /// The security context it opened under (`None`: unsealed).
    pub context: Option<ContextId>,
    /// Who sent it, as subscriptions name subscribers.
    pub subscriber: &'a S,
    /// Its `message_id` (a subscription's identifier).
    pub message_id: u64,
}

/// The configuration of a dispatcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// FRESHNESS_WINDOW in ms (10 s recommended, at most 60 s, [IOTP-IM-44]).
    pub freshness_window: u64,
    /// Challenges outstanding at once.
    pub max_challenges: usize,
    /// Subscriptions held at once.
    pub max_subscriptions: usize,
    /// The shortest `max_interval` this node grants, in seconds: a node that sleeps grants at least
    /// its sleep interval ([IOTP-IM-25]).
    pub min_granted_max_interval: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            freshness_window: 10_000,
            max_challenges: 4,
            max_subscriptions: 8,
            min_granted_max_interval: 0,
        }
    }
}

/// Answers the interaction-model requests of a node.
#[derive(Clone, Debug)]
pub struct Dispatcher<S> {
    model: Model,
    config: Config,
    challenges: Challenges<ContextId>,
    subscriptions: Subscriptions<S>,
}

impl<S: PartialEq + Clone> Dispatcher<S> {
    /// A dispatcher for `model`.
    pub fn new(model: Model, config: Config) -> Self {
        Dispatcher {
            challenges: Challenges::new(config.freshness_window, config.max_challenges),
            subscriptions: Subscriptions::new(config.max_subscriptions),
            model,
            config,
        }
    }

    /// The model served.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The subscriptions.
    pub fn subscriptions(&self) -> &Subscriptions<S> {
        &self.subscriptions
    }

    /// Answers one request: the successful reply of §6.2 or a status ([IOTP-IM-3], [IOTP-IM-6]).
    pub fn handle(
        &mut self,
        app: &mut dyn Capabilities,
        request: Request<'_, S>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
    ) -> Body {
        match self.answer(app, request, now, rng) {
            Ok(body) => body,
            Err(refusal) => Body::Status(refusal.into_status()),
        }
    }

    fn answer(
        &mut self,
        app: &mut dyn Capabilities,
        request: Request<'_, S>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Body, Refusal> {
        match request.access {
            Access::Allowed => {}
            Access::Unauthenticated => return Err(refuse(StatusCode::Unauthenticated, None)),
            Access::Forbidden => return Err(refuse(StatusCode::Forbidden, None)),
        }
        match request.body {
            Body::Read(r) => {
                let cap = check::instance(&self.model, r.endpoint, r.capability)?;
                let keys: Vec<u16> = match &r.members {
                    Some(keys) => {
                        check::ascending(keys)?;
                        keys.clone()
                    }
                    // Every readable property of the instance ([IOTP-IM-13]).
                    None => cap
                        .members
                        .iter()
                        .filter(|m| m.exists() && matches!(m.kind, MemberKind::Property { .. }))
                        .map(|m| m.key)
                        .collect(),
                };
                check::members(cap, &keys, Operation::Read)?;
                let mut values = Vec::with_capacity(keys.len());
                for member in keys {
                    let value = app
                        .read(r.endpoint, r.capability, member)
                        .map_err(failure)?;
                    values.push(MemberValue {
                        member,
                        value,
                        unknown_fields: Default::default(),
                    });
                }
                Ok(Body::Report(report(r.endpoint, r.capability, values, None)))
            }
            Body::Write(w) => {
                let cap = check::instance(&self.model, w.endpoint, w.capability)?;
                let keys: Vec<u16> = w.values.iter().map(|v| v.member).collect();
                check::ascending(&keys)?;
                check::members(cap, &keys, Operation::Write)?;
                if check::needs_freshness(cap, &keys) {
                    freshness(
                        &mut self.challenges,
                        request.context,
                        w.echo.as_deref(),
                        now,
                        rng,
                    )?;
                }
                let pairs: Vec<(u16, &[u8])> = w
                    .values
                    .iter()
                    .map(|v| (v.member, v.value.as_slice()))
                    .collect();
                check::values(app, w.endpoint, w.capability, &pairs)?;
                app.write(w.endpoint, w.capability, &pairs)
                    .map_err(failure)?;
                for (member, _) in &pairs {
                    self.subscriptions
                        .changed(w.endpoint, w.capability, *member);
                }
                Ok(Body::Status(status(StatusCode::Ok, None)))
            }
            Body::Invoke(i) => {
                let cap = check::instance(&self.model, i.endpoint, i.capability)?;
                check::members(cap, &[i.action], Operation::Invoke)?;
                if check::needs_freshness(cap, &[i.action]) {
                    freshness(
                        &mut self.challenges,
                        request.context,
                        i.echo.as_deref(),
                        now,
                        rng,
                    )?;
                }
                let takes_input = cap
                    .member(i.action)
                    .is_some_and(|m| matches!(m.kind, MemberKind::Action { input: true, .. }));
                match (&i.input, takes_input) {
                    (Some(input), true) => {
                        check::values(app, i.endpoint, i.capability, &[(i.action, input)])?
                    }
                    (None, false) => {}
                    // A missing or unexpected input ([IOTP-IM-19]).
                    _ => return Err(refuse(StatusCode::InvalidValue, Some(i.action))),
                }
                let output = app
                    .invoke(i.endpoint, i.capability, i.action, i.input.as_deref())
                    .map_err(failure)?;
                Ok(Body::InvokeResponse(InvokeResponse {
                    output,
                    unknown_fields: Default::default(),
                }))
            }
            Body::Describe(d) => self.describe(d.endpoint, d.endpoints_only),
            Body::Subscribe(s) => {
                let cap = check::instance(&self.model, s.endpoint, s.capability)?;
                if let Some(keys) = &s.members {
                    check::ascending(keys)?;
                    check::members(cap, keys, Operation::Subscribe)?;
                }
                if s.min_interval > s.max_interval {
                    return Err(refuse(StatusCode::InvalidRequest, None)); // [IOTP-IM-24]
                }
                let observed: Vec<u16> = cap
                    .members
                    .iter()
                    .filter(|m| m.exists())
                    .filter(|m| {
                        matches!(
                            m.kind,
                            MemberKind::Property {
                                observable: true,
                                ..
                            }
                        )
                    })
                    .filter(|m| s.members.as_ref().is_none_or(|k| k.contains(&m.key)))
                    .map(|m| m.key)
                    .collect();
                let mut values = Vec::with_capacity(observed.len());
                for member in observed {
                    let value = app
                        .read(s.endpoint, s.capability, member)
                        .map_err(failure)?;
                    values.push(MemberValue {
                        member,
                        value,
                        unknown_fields: Default::default(),
                    });
                }
                let granted = s.max_interval.max(self.config.min_granted_max_interval);
                let subscription = Subscription {
                    subscriber: request.subscriber.clone(),
                    id: request.message_id,
                    endpoint: s.endpoint,
                    capability: s.capability,
                    members: s.members.clone(),
                    min_interval: u64::from(s.min_interval) * 1000,
                    max_interval: u64::from(granted) * 1000,
                    expires: s.lifetime.map(|l| now.saturating_add(u64::from(l) * 1000)),
                    last_report: now,
                    changed: Vec::new(),
                    events: Vec::new(),
                };
                self.subscriptions
                    .insert(subscription)
                    .map_err(|_| refuse(StatusCode::ResourceExhausted, None))?;
                Ok(Body::Report(report(
                    s.endpoint,
                    s.capability,
                    values,
                    Some(granted),
                )))
            }
            Body::Unsubscribe(u) => {
                if self
                    .subscriptions
                    .remove(request.subscriber, u.subscription)
                {
                    Ok(Body::Status(status(StatusCode::Ok, None)))
                } else {
                    Err(refuse(StatusCode::UnknownSubscription, None))
                }
            }
            _ => Err(refuse(StatusCode::UnsupportedRequest, None)),
        }
    }

    /// A `describe` ([IOTP-IM-57] to [IOTP-IM-61]).
    fn describe(&self, endpoint: Option<u16>, endpoints_only: bool) -> Result<Body, Refusal> {
        if let Some(n) = endpoint {
            self.model
                .endpoint(n)
                .ok_or(refuse(StatusCode::UnknownEndpoint, None))?;
        }
        let mut endpoints: Vec<EndpointInfo> = self
            .model
            .endpoints
            .iter()
            .filter(|e| endpoint.is_none_or(|n| n == e.number))
            .map(|e| {
                let mut capabilities: Vec<CapabilityInfo> = if endpoints_only {
                    Vec::new()
                } else {
                    e.capabilities
                        .iter()
                        .map(|c| {
                            let optional: Vec<u16> = c
                                .members
                                .iter()
                                .filter(|m| m.optional && m.implemented)
                                .map(|m| m.key)
                                .collect();
                            CapabilityInfo {
                                id: c.number,
                                package: c.package.clone(),
                                name: c.name.clone(),
                                version: SemVer {
                                    major: c.version.0,
                                    minor: c.version.1,
                                    patch: c.version.2,
                                    unknown_fields: Default::default(),
                                },
                                members: (!optional.is_empty()).then_some(optional),
                                schema: None,
                                unknown_fields: Default::default(),
                            }
                        })
                        .collect()
                };
                capabilities.sort_by_key(|c| c.id);
                EndpointInfo {
                    endpoint: e.number,
                    capabilities,
                    label: e.label.clone(),
                    unknown_fields: Default::default(),
                }
            })
            .collect();
        endpoints.sort_by_key(|e| e.endpoint);
        Ok(Body::Description(Description {
            endpoints,
            revision: self.model.revision,
            unknown_fields: Default::default(),
        }))
    }

    /// Ends the subscriptions `keep` refuses: those the node's access control list no longer allows
    /// ([IOTP-SEC-101]).
    pub fn retain_subscriptions(&mut self, keep: impl FnMut(&Subscription<S>) -> bool) {
        self.subscriptions.retain(keep);
    }

    /// Tells the subscriptions that a property changed (the application calls it).
    pub fn property_changed(&mut self, endpoint: u16, capability: u16, member: u16) {
        self.subscriptions.changed(endpoint, capability, member);
    }

    /// Tells the subscriptions that an event occurred.
    pub fn event(
        &mut self,
        endpoint: u16,
        capability: u16,
        event: &iotp2p_codec::core::owned::Event,
    ) {
        self.subscriptions.event(endpoint, capability, event);
    }

    /// When [`reports`](Self::reports) is next due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.subscriptions.next_deadline()
    }

    /// The reports due at `now`: for each, the subscriber, the subscription's identifier (the
    /// `correlation_id` of the report) and the report, with the changed values ([IOTP-IM-27]) and
    /// the events ([IOTP-IM-28]), or neither for a keep-alive ([IOTP-IM-29]).
    pub fn reports(&mut self, app: &mut dyn Capabilities, now: Instant) -> Vec<(S, u64, Report)> {
        let mut out = Vec::new();
        for s in self.subscriptions.due(now) {
            let mut values = Vec::new();
            for &member in &s.changed {
                // A value that cannot be read now is left out; the next change reports it.
                if let Ok(value) = app.read(s.endpoint, s.capability, member) {
                    values.push(MemberValue {
                        member,
                        value,
                        unknown_fields: Default::default(),
                    });
                }
            }
            let mut r = report(s.endpoint, s.capability, values, None);
            r.events = (!s.events.is_empty()).then_some(s.events);
            out.push((s.subscriber, s.id, r));
        }
        out
    }
}

fn report(
    endpoint: u16,
    capability: u16,
    values: Vec<MemberValue>,
    max_interval: Option<u32>,
) -> Report {
    Report {
        endpoint,
        capability,
        values: (!values.is_empty()).then_some(values),
        events: None,
        max_interval,
        unknown_fields: Default::default(),
    }
}

fn failure(f: Failure) -> Refusal {
    Refusal {
        capability_status: f.capability_status,
        ..refuse(f.code, None)
    }
}

/// Step 7: the request's `echo` redeems a challenge issued under its context, or the answer is
/// `FreshnessRequired` with a new one ([IOTP-IM-39], [IOTP-IM-40]). An unsealed request cannot
/// be made fresh: a challenge travels sealed only ([IOTP-SEC-88], [IOTP-SEC-91]).
fn freshness(
    challenges: &mut Challenges<ContextId>,
    context: Option<ContextId>,
    echo: Option<&[u8]>,
    now: Instant,
    rng: &mut dyn CryptoRngCore,
) -> Result<(), Refusal> {
    let Some(context) = context else {
        return Err(refuse(StatusCode::Unauthenticated, None));
    };
    if echo.is_some_and(|e| challenges.redeem(context, e, now)) {
        return Ok(());
    }
    Err(Refusal {
        echo: Some(challenges.issue(context, now, rng)),
        ..refuse(StatusCode::FreshnessRequired, None)
    })
}
