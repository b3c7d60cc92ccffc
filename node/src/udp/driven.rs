//! What a UDP node's driver runs: the end node's engine alone ([`Node`]), or a device's server
//! ([`Server`]: the engine with the interaction model answering its requests). Both take datagrams,
//! the time and randomness and give outputs in the same way; the driver needs nothing else.

use std::net::SocketAddr;

use iotp2p_protocol::engine::{Node, Output};
use iotp2p_protocol::interaction::Capabilities;
use iotp2p_protocol::params::Instant;
use iotp2p_protocol::server::Server;
use rand_core::CryptoRngCore;

/// A sans-I/O end node that a driver runs on one socket.
pub trait Driven: Send + 'static {
    /// The engine, for the application's requests and replies.
    fn engine(&mut self) -> &mut Node<SocketAddr>;
    /// A received datagram (see [`Node::receive`]).
    fn receive(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &SocketAddr,
        bytes: &[u8],
    ) -> Vec<Output<SocketAddr>>;
    /// The timers (see [`Node::on_timer`]).
    fn on_timer(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<SocketAddr>>;
    /// When [`Driven::on_timer`] is next due.
    fn next_deadline(&self) -> Option<Instant>;
    /// What a call of the application made the engine output, and whatever it changed: a server
    /// answers the requests among them and reports the changes; the engine alone passes them on.
    fn after_call(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        outputs: Vec<Output<SocketAddr>>,
    ) -> Vec<Output<SocketAddr>>;
}

impl Driven for Node<SocketAddr> {
    fn engine(&mut self) -> &mut Node<SocketAddr> {
        self
    }
    fn receive(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &SocketAddr,
        bytes: &[u8],
    ) -> Vec<Output<SocketAddr>> {
        Node::receive(self, now, rng, from, bytes)
    }
    fn on_timer(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<SocketAddr>> {
        Node::on_timer(self, now, rng)
    }
    fn next_deadline(&self) -> Option<Instant> {
        Node::next_deadline(self)
    }
    fn after_call(
        &mut self,
        _now: Instant,
        _rng: &mut dyn CryptoRngCore,
        outputs: Vec<Output<SocketAddr>>,
    ) -> Vec<Output<SocketAddr>> {
        outputs
    }
}

impl<A: Capabilities + Send + 'static> Driven for Server<SocketAddr, A> {
    fn engine(&mut self) -> &mut Node<SocketAddr> {
        self.node_mut()
    }
    fn receive(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &SocketAddr,
        bytes: &[u8],
    ) -> Vec<Output<SocketAddr>> {
        Server::receive(self, now, rng, from, bytes)
    }
    fn on_timer(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<Output<SocketAddr>> {
        Server::on_timer(self, now, rng)
    }
    fn next_deadline(&self) -> Option<Instant> {
        Server::next_deadline(self)
    }
    fn after_call(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        outputs: Vec<Output<SocketAddr>>,
    ) -> Vec<Output<SocketAddr>> {
        self.serve(now, rng, outputs)
    }
}
