//! Transport URIs of the UDP binding (spec §10.5.2): `iotp2p+udp://host[:port]`, where a node is told
//! how to reach another without resolution (a device's home relay, `RelayInfo.endpoints`).

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use super::DEFAULT_PORT;

const SCHEME: &str = "iotp2p+udp://";

/// The host of a transport URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// A DNS name, resolved with AAAA and A queries ([IOTP-UDP-17]).
    Name(String),
    /// An IP address.
    Ip(IpAddr),
}

/// A UDP transport URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportUri {
    /// Where.
    pub host: Host,
    /// The port: 5783 when the URI gives none ([IOTP-UDP-16]).
    pub port: u16,
}

/// Why a text is not a UDP transport URI ([IOTP-UDP-14], [IOTP-UDP-15]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a UDP transport URI (iotp2p+udp://host[:port]): {why}")]
pub struct UriError {
    /// The text, cut to 80 characters.
    pub text: String,
    /// What is wrong.
    pub why: &'static str,
}

impl TransportUri {
    /// The socket address, when the host is an IP address.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match self.host {
            Host::Ip(ip) => Some(SocketAddr::new(ip, self.port)),
            Host::Name(_) => None,
        }
    }
}

impl FromStr for TransportUri {
    type Err = UriError;

    fn from_str(text: &str) -> Result<Self, UriError> {
        let error = |why| UriError {
            text: text.chars().take(80).collect(),
            why,
        };
        let rest = text
            .strip_prefix(SCHEME)
            .ok_or_else(|| error("it must start with iotp2p+udp://"))?;
        if rest.contains(['/', '?', '#']) {
            return Err(error("it has no path, query or fragment"));
        }
        if rest.contains('@') {
            return Err(error("it has no user information"));
        }
        let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
            let (ip, after) = bracketed
                .split_once(']')
                .ok_or_else(|| error("an IPv6 address ends with ]"))?;
            let ip: Ipv6Addr = ip
                .parse()
                .map_err(|_| error("not an IPv6 address in brackets"))?;
            (Host::Ip(IpAddr::V6(ip)), after)
        } else {
            let end = rest.find(':').unwrap_or(rest.len());
            let (host, after) = rest.split_at(end);
            let host = match host.parse::<std::net::Ipv4Addr>() {
                Ok(ip) => Host::Ip(IpAddr::V4(ip)),
                Err(_) => Host::Name(check_name(host).map_err(error)?.to_owned()),
            };
            (host, after)
        };
        let port = match port {
            "" => DEFAULT_PORT,
            p => {
                let digits = p
                    .strip_prefix(':')
                    .ok_or_else(|| error("only :port may follow the host"))?;
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(error("the port is digits"));
                }
                match digits.parse::<u16>() {
                    Ok(0) | Err(_) => return Err(error("the port is from 1 to 65535")),
                    Ok(port) => port,
                }
            }
        };
        Ok(TransportUri { host, port })
    }
}

/// A DNS name in lowercase with A-labels ([IOTP-UDP-15]).
fn check_name(name: &str) -> Result<&str, &'static str> {
    if name.is_empty() || name.len() > 253 {
        return Err("a host name has 1 to 253 characters");
    }
    for label in name.split('.') {
        let bytes = label.as_bytes();
        if bytes.is_empty() || bytes.len() > 63 {
            return Err("each label of the host name has 1 to 63 characters");
        }
        if !bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        {
            return Err("the host name is lowercase letters, digits and hyphens (A-labels)");
        }
        if bytes[0] == b'-' || bytes[bytes.len() - 1] == b'-' {
            return Err("a label neither starts nor ends with a hyphen");
        }
    }
    Ok(name)
}

impl fmt::Display for TransportUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Name(name) => write!(f, "{SCHEME}{name}:{}", self.port),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{SCHEME}{ip}:{}", self.port),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "{SCHEME}[{ip}]:{}", self.port),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TransportUri, UriError> {
        text.parse()
    }

    #[test]
    fn the_examples_of_10_5_2() {
        assert_eq!(
            parse("iotp2p+udp://relay.home.example.org").unwrap(),
            TransportUri {
                host: Host::Name("relay.home.example.org".into()),
                port: 5783
            }
        );
        assert_eq!(
            parse("iotp2p+udp://[2001:db8::1]:5783")
                .unwrap()
                .socket_addr(),
            Some("[2001:db8::1]:5783".parse().unwrap())
        );
        assert_eq!(
            parse("iotp2p+udp://192.0.2.7:61616").unwrap().socket_addr(),
            Some("192.0.2.7:61616".parse().unwrap())
        );
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        for (text, why) in [
            ("udp://relay.example.org", "start with"),
            ("iotp2p+udp://relay.example.org/x", "no path"),
            ("iotp2p+udp://relay.example.org?q", "no path"),
            ("iotp2p+udp://user@relay.example.org", "user information"),
            ("iotp2p+udp://Relay.example.org", "lowercase"),
            ("iotp2p+udp://relay..example.org", "1 to 63"),
            ("iotp2p+udp://-relay.example.org", "hyphen"),
            ("iotp2p+udp://[2001:db8::1", "ends with ]"),
            ("iotp2p+udp://[relay]:1", "IPv6"),
            ("iotp2p+udp://2001:db8::1", "port is digits"),
            ("iotp2p+udp://relay.example.org:", "port is digits"),
            ("iotp2p+udp://relay.example.org:0", "1 to 65535"),
            ("iotp2p+udp://relay.example.org:65536", "1 to 65535"),
            ("iotp2p+udp://[::1]x", "only :port"),
            ("iotp2p+udp://", "1 to 253"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.to_string().contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn display_writes_the_port_and_parses_back() {
        for text in [
            "iotp2p+udp://relay.example.org",
            "iotp2p+udp://[::1]",
            "iotp2p+udp://10.0.0.1:9",
        ] {
            let uri = parse(text).unwrap();
            assert_eq!(parse(&uri.to_string()).unwrap(), uri);
        }
    }
}
