//! The application's side of a UDP node: starting it, sending requests and replies through it,
//! taking its events, and stopping it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use iotp2p_codec::core::owned;
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{Destination, Event, ExchangeId, Node, Output, SendError};
use iotp2p_protocol::params::Instant;
use rand_core::CryptoRngCore;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::driven::Driven;
use super::driver::{Command, Driver};
use super::stats::{Counts, Stats};
use crate::random::NodeRng;

/// How a UDP node is set up.
#[derive(Clone, Debug)]
pub struct UdpConfig {
    /// The address and port of its one socket (port [`super::DEFAULT_PORT`] unless configured; 0 for
    /// any free port, as tests do). A specific address, not a wildcard, on a host with several: a
    /// socket bound to `0.0.0.0` or `::` lets the system pick the source address of each reply,
    /// which may not be the one the request reached ([IOTP-UDP-6]).
    pub bind: SocketAddr,
    /// Events held for the application before further ones are dropped (and counted): the bound of
    /// the queue between the driver and the application.
    pub event_queue: usize,
    /// Requests and replies of the application waiting for the driver: the bound of the command
    /// queue (a full queue makes the application wait).
    pub command_queue: usize,
    /// The seed of the node's randomness, for simulations that must replay ([`NodeRng::seeded`]);
    /// `None`, the default, draws from the operating system.
    pub seed: Option<u64>,
}

impl UdpConfig {
    /// A node on `bind` with queues of 64 events and 16 commands.
    pub fn new(bind: SocketAddr) -> Self {
        UdpConfig {
            bind,
            event_queue: 64,
            command_queue: 16,
            seed: None,
        }
    }
}

/// A node that could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The socket could not be bound.
    #[error("cannot bind the UDP socket to {addr}: {source} (is another node using that port? configure another one)")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// A queue of size 0 was asked for.
    #[error("the {which} queue must hold at least one entry")]
    EmptyQueue {
        /// Which queue.
        which: &'static str,
    },
}

/// What went wrong with a request or a reply.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The engine refused to send.
    #[error("the engine did not send: {0:?}")]
    Send(SendError),
    /// The node's task is no longer running.
    #[error("the node has stopped")]
    Stopped,
    /// The node's task did not stop within the time given.
    #[error("the node did not stop within {0:?}")]
    StopTimeout(Duration),
}

/// A running node: the handle of its driver task, which runs an engine (`M`, by default the end
/// node's [`Node`]) or a device's server ([`Driven`]). Dropping it stops the task.
#[derive(Debug)]
pub struct UdpNode<M = Node<SocketAddr>> {
    commands: mpsc::Sender<Command<M>>,
    events: mpsc::Receiver<Event<SocketAddr>>,
    local: SocketAddr,
    stats: Arc<Stats>,
    task: JoinHandle<M>,
}

impl<M: Driven> UdpNode<M> {
    /// Binds the socket and starts driving `engine` on it, on the current tokio runtime.
    pub async fn start(config: UdpConfig, engine: M) -> Result<Self, StartError> {
        if config.event_queue == 0 {
            return Err(StartError::EmptyQueue { which: "event" });
        }
        if config.command_queue == 0 {
            return Err(StartError::EmptyQueue { which: "command" });
        }
        let socket = UdpSocket::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.bind,
                source,
            })?;
        let local = socket.local_addr().map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
        let (commands, command_rx) = mpsc::channel(config.command_queue);
        let (event_tx, events) = mpsc::channel(config.event_queue);
        let stats = Arc::new(Stats::default());
        let driver = Driver::new(
            socket,
            engine,
            command_rx,
            event_tx,
            stats.clone(),
            NodeRng::from_seed(config.seed),
        );
        let task = tokio::spawn(driver.run());
        Ok(UdpNode {
            commands,
            events,
            local,
            stats,
            task,
        })
    }

    /// The address and port the socket is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The socket's counters now.
    pub fn counts(&self) -> Counts {
        self.stats.counts()
    }

    /// Sends a request through the hop peer `to` (see the engine's `Node::request`); returns its
    /// `message_id`, by which the reply event names it.
    pub async fn request(
        &self,
        to: SocketAddr,
        destination: Destination,
        context: Option<ContextId>,
        body: owned::Body,
        confirmable: bool,
        ttl: Option<u32>,
    ) -> Result<u64, NodeError> {
        let (done, answer) = oneshot::channel();
        self.command(Command::Request {
            to,
            destination,
            context,
            body,
            confirmable,
            ttl,
            done,
        })
        .await?;
        answer
            .await
            .map_err(|_| NodeError::Stopped)?
            .map_err(NodeError::Send)
    }

    /// Answers a received request (see the engine's `Node::reply`).
    pub async fn reply(&self, exchange: ExchangeId, body: owned::Body) -> Result<(), NodeError> {
        let (done, answer) = oneshot::channel();
        self.command(Command::Reply {
            exchange,
            body,
            done,
        })
        .await?;
        answer
            .await
            .map_err(|_| NodeError::Stopped)?
            .map_err(NodeError::Send)
    }

    /// Runs `call` on the node's engine (or server), on the driver's task, with the engine's time and
    /// the OS RNG: for everything beyond requests and replies (adding a context, starting EDHOC,
    /// announcing presence, changing a device's values). The outputs it returns are sent and handed
    /// out like any other, after a server has answered and reported what the call changed; its
    /// result comes back.
    pub async fn with_engine<R, F>(&self, call: F) -> Result<R, NodeError>
    where
        R: Send + 'static,
        F: FnOnce(&mut M, Instant, &mut dyn CryptoRngCore) -> (R, Vec<Output<SocketAddr>>)
            + Send
            + 'static,
    {
        let (done, answer) = oneshot::channel();
        self.command(Command::Engine(Box::new(move |engine, now, rng| {
            let (result, outputs) = call(engine, now, rng);
            // The application may have given up waiting; the outputs go all the same.
            let _ = done.send(result);
            outputs
        })))
        .await?;
        answer.await.map_err(|_| NodeError::Stopped)
    }

    async fn command(&self, command: Command<M>) -> Result<(), NodeError> {
        self.commands
            .send(command)
            .await
            .map_err(|_| NodeError::Stopped)
    }

    /// The next event for the application, or `None` once the node has stopped.
    pub async fn next_event(&mut self) -> Option<Event<SocketAddr>> {
        self.events.recv().await
    }

    /// An event already waiting, if any.
    pub fn try_event(&mut self) -> Option<Event<SocketAddr>> {
        self.events.try_recv().ok()
    }

    /// Stops the node and hands back its engine (for inspection, or to store its counter), waiting
    /// at most `within` for the task to end.
    pub async fn stop(self, within: Duration) -> Result<M, NodeError> {
        let UdpNode { commands, task, .. } = self;
        // The driver ends when the command queue closes.
        drop(commands);
        crate::clock::join_within(task, within)
            .await
            .map_err(|late| {
                if late {
                    NodeError::StopTimeout(within)
                } else {
                    NodeError::Stopped
                }
            })
    }
}
