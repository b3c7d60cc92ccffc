//! The task that owns a node's socket and engine: it feeds the engine what arrives (datagrams, the
//! time, the application's commands), sends what the engine outputs, and arms the engine's next
//! timer. It decides nothing about the protocol.

use std::net::SocketAddr;
use std::sync::Arc;

use iotp2p_codec::core::owned;
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{Destination, Event, ExchangeId, Output, SendError};
use iotp2p_protocol::params::Instant;
use rand_core::CryptoRngCore;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use super::admit::admit;
use super::driven::Driven;
use super::emit::may_send;
use super::stats::Stats;
use super::MAX_PAYLOAD;
use crate::clock::{sleep_until, Clock, Timer};
use crate::random::NodeRng;

/// What the application asks of the driver running `M`.
pub(super) enum Command<M> {
    Request {
        to: SocketAddr,
        destination: Destination,
        context: Option<ContextId>,
        body: owned::Body,
        confirmable: bool,
        ttl: Option<u32>,
        done: oneshot::Sender<Result<u64, SendError>>,
    },
    Reply {
        exchange: ExchangeId,
        body: owned::Body,
        done: oneshot::Sender<Result<(), SendError>>,
    },
    /// Any other call of the engine (contexts, EDHOC, presence, ...): run on the driver's task with
    /// the time and the RNG; what it returns is sent like any output.
    Engine(EngineCall<M>),
}

/// A call of the engine (or the server around it) made on the driver's task; it reports its own
/// result to the application.
pub(super) type EngineCall<M> =
    Box<dyn FnOnce(&mut M, Instant, &mut dyn CryptoRngCore) -> Vec<Output<SocketAddr>> + Send>;

impl<M> std::fmt::Debug for Command<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Request { .. } => "Request",
            Command::Reply { .. } => "Reply",
            Command::Engine(_) => "Engine",
        })
    }
}

pub(super) struct Driver<M> {
    socket: UdpSocket,
    engine: M,
    commands: mpsc::Receiver<Command<M>>,
    events: mpsc::Sender<Event<SocketAddr>>,
    stats: Arc<Stats>,
    clock: Clock,
    rng: NodeRng,
}

impl<M: Driven> Driver<M> {
    pub(super) fn new(
        socket: UdpSocket,
        engine: M,
        commands: mpsc::Receiver<Command<M>>,
        events: mpsc::Sender<Event<SocketAddr>>,
        stats: Arc<Stats>,
        rng: NodeRng,
    ) -> Self {
        Driver {
            socket,
            engine,
            commands,
            events,
            stats,
            clock: Clock::start(),
            rng,
        }
    }

    /// Runs until the application's handle is gone, then hands the engine back.
    pub(super) async fn run(mut self) -> M {
        // One byte more than MAX_PAYLOAD: a datagram that fills it was longer than any node may send
        // and has been cut by the read, so it is dropped whole ([IOTP-UDP-4]).
        let mut buffer = [0u8; MAX_PAYLOAD + 1];
        let mut timer = Timer::default();
        loop {
            let deadline = timer.arm(&self.clock, self.engine.next_deadline());
            let outputs = tokio::select! {
                // In this order, not at random: a stopping node handles no more datagrams, and a
                // flood of datagrams (hostile or not) never holds back a due retransmission or
                // acknowledgement.
                biased;
                command = self.commands.recv() => match command {
                    Some(command) => self.command(command),
                    None => break,
                },
                () = sleep_until(deadline), if deadline.is_some() => {
                    let now = timer.fire(&self.clock);
                    self.engine.on_timer(now, &mut self.rng)
                },
                received = self.socket.recv_from(&mut buffer) => match received {
                    Ok((len, from)) => self.datagram(&buffer[..len.min(MAX_PAYLOAD)], len > MAX_PAYLOAD, from),
                    // An unconnected UDP socket reports errors of earlier sends here on some systems
                    // (ICMP unreachable): nothing was received, the engine's timers recover.
                    Err(_) => {
                        self.stats.receive_error();
                        Vec::new()
                    }
                },
            };
            self.handle(outputs).await;
        }
        self.engine
    }

    fn datagram(
        &mut self,
        payload: &[u8],
        truncated: bool,
        from: SocketAddr,
    ) -> Vec<Output<SocketAddr>> {
        self.stats.received();
        if admit(payload, truncated).is_err() {
            self.stats.refused();
            return Vec::new();
        }
        self.engine
            .receive(self.clock.now(), &mut self.rng, &from, payload)
    }

    fn command(&mut self, command: Command<M>) -> Vec<Output<SocketAddr>> {
        let now = self.clock.now();
        let outputs = match command {
            Command::Request {
                to,
                destination,
                context,
                body,
                confirmable,
                ttl,
                done,
            } => {
                let sent = self.engine.engine().request(
                    now,
                    &mut self.rng,
                    to,
                    destination,
                    context,
                    &body,
                    confirmable,
                    ttl,
                );
                let (answer, outputs) = match sent {
                    Ok((message_id, outputs)) => (Ok(message_id), outputs),
                    Err(e) => (Err(e), Vec::new()),
                };
                // The application may have given up waiting; the request is out all the same.
                let _ = done.send(answer);
                outputs
            }
            Command::Reply {
                exchange,
                body,
                done,
            } => {
                let replied = self
                    .engine
                    .engine()
                    .reply(now, &mut self.rng, exchange, &body);
                let (answer, outputs) = match replied {
                    Ok(outputs) => (Ok(()), outputs),
                    Err(e) => (Err(e), Vec::new()),
                };
                let _ = done.send(answer);
                outputs
            }
            Command::Engine(call) => call(&mut self.engine, now, &mut self.rng),
        };
        self.engine.after_call(now, &mut self.rng, outputs)
    }

    async fn handle(&mut self, outputs: Vec<Output<SocketAddr>>) {
        for output in outputs {
            match output {
                Output::Send { to, bytes } => send(&self.socket, &self.stats, to, &bytes).await,
                Output::Event(Event::Discarded { .. }) => self.stats.discarded(),
                // A full queue means the application is not keeping up: the event is dropped and
                // counted rather than stalling the socket and the retransmission timers.
                Output::Event(event) => {
                    if self.events.try_send(event).is_err() {
                        self.stats.event_dropped();
                    }
                }
            }
        }
    }
}

/// Sends one datagram from the node's one socket, so that replies leave from the address and port
/// the request reached ([IOTP-UDP-6]). A free function, not a method: what the driver runs need only
/// be `Send`, not shared between threads while a send is awaited.
async fn send(socket: &UdpSocket, stats: &Stats, to: SocketAddr, bytes: &[u8]) {
    if may_send(to, bytes.len()).is_err() {
        stats.send_error();
        return;
    }
    match socket.send_to(bytes, to).await {
        Ok(n) => stats.sent(n),
        Err(_) => stats.send_error(),
    }
}
