//! `iotp2p-node app --config FILE <claim|discover|invoke|read|describe|enrol|register|release|lookup|...> ...`:
//! a controller app from the command line. It attaches to its home relay, does one thing and stops; replies print readably, or in the
//! spec's JSON mapping with `--json`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use iotp2p_codec::core::owned::{Body, DescribeRequest, InvokeRequest, ReadRequest};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};
use iotp2p_node::app::{AppFile, UdpApp};
use iotp2p_node::discovery::{browse, Looking};

/// Arguments of `app`.
#[derive(clap::Args)]
pub struct Args {
    /// The app's configuration file (TOML: address, bind, home relay and its credential, identity
    /// key, identity, devices).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Print replies in the spec's JSON mapping, one line each.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Claim a device out of its box on the local link: pair with its printed passcode, give it an
    /// address and a home relay (spec §8.3).
    Claim {
        /// The device's UDP address on the link.
        #[arg(long, value_name = "IP:PORT")]
        device: SocketAddr,
        /// The passcode printed on the device.
        #[arg(long)]
        passcode: u32,
        /// The address the device takes.
        #[arg(long)]
        address: String,
        /// The home relay's transport URI (iotp2p+udp://host:port).
        #[arg(long, value_name = "URI", requires = "relay_statement")]
        relay_uri: Option<String>,
        /// The home relay's credential statement, hex.
        #[arg(long, value_name = "HEX", requires = "relay_uri")]
        relay_statement: Option<String>,
    },
    /// Find iotp2p nodes on the local link with DNS-SD (spec §3.3): every node, the devices in their
    /// pairing window, the one with a setup code's discriminator, or a node by its address. What is
    /// found is only where to try: claiming authenticates it with the passcode, asking with EDHOC.
    Discover {
        /// The device in its pairing window with this discriminator (the setup code's first three
        /// digits).
        #[arg(long, value_name = "N", conflicts_with_all = ["pairing", "address"])]
        discriminator: Option<u16>,
        /// Devices in their pairing window.
        #[arg(long, conflicts_with = "address")]
        pairing: bool,
        /// The node with this address.
        #[arg(long)]
        address: Option<String>,
        /// Where to ask: the mDNS group, or one responder's address.
        #[arg(long, value_name = "IP:PORT", default_value = "224.0.0.251:5353")]
        mdns: SocketAddr,
        /// How long to gather answers, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 2)]
        within: u64,
    },
    /// Invoke an action of a device.
    Invoke {
        /// The device's address.
        #[arg(long)]
        to: String,
        /// The endpoint.
        #[arg(long, default_value_t = 0)]
        endpoint: u16,
        /// The capability number.
        #[arg(long)]
        capability: u16,
        /// The action's key.
        #[arg(long)]
        action: u16,
        /// The action's input, encoded, in hex.
        #[arg(long, value_name = "HEX")]
        input: Option<String>,
    },
    /// Read properties of a device.
    Read {
        /// The device's address.
        #[arg(long)]
        to: String,
        /// The endpoint.
        #[arg(long, default_value_t = 0)]
        endpoint: u16,
        /// The capability number.
        #[arg(long)]
        capability: u16,
        /// A property's key (repeat for several; none: every readable property).
        #[arg(long = "member")]
        members: Vec<u16>,
    },
    /// Describe what a device serves.
    Describe {
        /// The device's address.
        #[arg(long)]
        to: String,
    },
    /// Tell a device this app administers to forget a node (spec §8.11): its credential, contexts
    /// and access go.
    Revoke {
        /// The device's address.
        #[arg(long)]
        to: String,
        /// The node ID of the node to forget (52 base32 characters).
        #[arg(long)]
        node: String,
    },
    /// Join the provider account of an enrolment token at the home relay (spec §3.6.1.1).
    Enrol {
        /// The token the provider gave, hex.
        #[arg(long, value_name = "HEX")]
        token: String,
    },
    /// Register a device this app claimed at the home relay (spec §3.6.1.2): the address its
    /// credential statement names is bound to it.
    Register {
        /// The device's credential statement, hex (from `claim`).
        #[arg(long, value_name = "HEX")]
        statement: String,
        /// Its re-homing statement, hex, when it moves here from another address.
        #[arg(long, value_name = "HEX", conflicts_with = "previous_relays")]
        rehoming: Option<String>,
        /// The host name of a relay of the provider the address's domain moves from (repeatable,
        /// at most four): this relay accepts what they held for the address (spec §3.11.4).
        #[arg(long = "previous-relay", value_name = "HOST")]
        previous_relays: Vec<String>,
    },
    /// Give an address up at the home relay (spec §3.6.1.3).
    Release {
        /// The address.
        #[arg(long)]
        address: String,
        /// The device's re-homing statement, hex, when it moves.
        #[arg(long, value_name = "HEX")]
        rehoming: Option<String>,
    },
    /// Ask the home relay which node an address of its domain is bound to (spec §3.10.2).
    Lookup {
        /// The address.
        #[arg(long)]
        address: String,
    },
    /// Print this app's node ID and credential statement (hex), which an administrator of a device
    /// grants it access with. Does not start the app.
    Statement,
    /// Let another app use a device this app administers: give the device the other app's
    /// credential statement and an access control entry (spec §8.8.1).
    Grant {
        /// The device's address.
        #[arg(long)]
        to: String,
        /// The other app's credential statement, hex (from its `statement`).
        #[arg(long, value_name = "HEX")]
        peer_statement: String,
        /// The privileges, bits of §8.8.1: 1 read, 2 write, 4 invoke, 8 subscribe, 16 administer.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=31))]
        privileges: u8,
        /// The entry's index in the device's list (0 is the owner's).
        #[arg(long, default_value_t = 1)]
        index: u8,
        /// Only on this endpoint.
        #[arg(long)]
        endpoint: Option<u16>,
        /// Only on this capability.
        #[arg(long)]
        capability: Option<u16>,
    },
}

pub async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let file = AppFile::read(&args.config)?;
    let me = file.node_id;
    if let Action::Statement = args.action {
        println!("node ID {}", me.to_text().as_str());
        println!("{}", hex(&file.setup.statement));
        return Ok(());
    }
    let mut app = UdpApp::start(file.setup).await?;
    let result = act(&mut app, args.action, args.json, &me).await;
    app.stop(Duration::from_secs(5)).await?;
    result
}

async fn act(
    app: &mut UdpApp,
    action: Action,
    json: bool,
    me: &iotp2p_protocol::security::NodeId,
) -> Result<(), Box<dyn std::error::Error>> {
    let (to, body) = match action {
        Action::Claim {
            device,
            passcode,
            address,
            relay_uri,
            relay_statement,
        } => {
            let relay = match (relay_uri, relay_statement) {
                (Some(uri), Some(statement)) => Some(RelayInfo {
                    credential: SignedStatement::decode(&unhex(&statement)?)
                        .map_err(|e| format!("--relay-statement: {e}"))?,
                    endpoints: vec![uri],
                    unknown_fields: Default::default(),
                }),
                _ => None,
            };
            let claimed = app.claim(device, passcode, &address, relay, me).await?;
            println!(
                "claimed {address}: node ID {}",
                claimed.node_id.to_text().as_str()
            );
            // What to add to the [devices] table to reach it later.
            println!("\"{address}\" = \"{}\"", hex(&claimed.credential));
            // What `register` gives the home relay.
            println!("statement {}", hex(&claimed.statement));
            return Ok(());
        }
        Action::Enrol { token } => {
            let enrolled = app.enrol(&unhex(&token)?).await?;
            // The provider's names, from the network: shown escaped.
            println!(
                "enrolled in {:?}: domains {:?}, up to {} addresses",
                enrolled.account, enrolled.domains, enrolled.max_registrations
            );
            return Ok(());
        }
        Action::Register {
            statement,
            rehoming,
            previous_relays,
        } => {
            let rehoming = rehoming.as_deref().map(unhex).transpose()?;
            let statement = unhex(&statement)?;
            if previous_relays.is_empty() {
                app.register(&statement, rehoming.as_deref()).await?;
            } else {
                app.register_from_previous_relays(&statement, &previous_relays)
                    .await?;
            }
            println!("registered");
            return Ok(());
        }
        Action::Release { address, rehoming } => {
            let rehoming = rehoming.as_deref().map(unhex).transpose()?;
            app.release(&address, rehoming.as_deref()).await?;
            println!("released {address}");
            return Ok(());
        }
        Action::Discover {
            discriminator,
            pairing,
            address,
            mdns,
            within,
        } => {
            let looking = match (discriminator, pairing, address) {
                (Some(d), _, _) => Looking::Discriminator(d),
                (None, true, _) => Looking::Pairing,
                (None, false, Some(a)) => Looking::Address(a),
                (None, false, None) => Looking::All,
            };
            // A query from a port other than 5353 is answered by unicast (RFC 6762 §6.7).
            let bind = match mdns.ip() {
                ip if ip.is_loopback() => SocketAddr::new(ip, 0),
                std::net::IpAddr::V4(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
                std::net::IpAddr::V6(_) => SocketAddr::from(([0u16; 8], 0)),
            };
            let found = browse(bind, mdns, &looking, Duration::from_secs(within)).await?;
            // Names and addresses come from anyone on the link: printed escaped, never raw.
            if json {
                let found: Vec<_> = found
                    .iter()
                    .map(|f| {
                        serde_json::json!({
                            "instance": f.instance,
                            "at": f.at.to_string(),
                            "address": f.address,
                            "node_id": f.node_id,
                            "discriminator": f.pairing,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(found));
            } else if found.is_empty() {
                println!("nothing found within {within} s");
            }
            if !json {
                for f in &found {
                    let mut line = format!("{:?} at {}", f.instance, f.at);
                    if let Some(a) = &f.address {
                        line.push_str(&format!(", address {a:?}"));
                    }
                    if let Some(d) = f.pairing {
                        line.push_str(&format!(", pairing window open, discriminator {d}"));
                    }
                    println!("{line}");
                }
            }
            return Ok(());
        }
        Action::Lookup { address } => {
            let found = app.lookup(&address).await?;
            match &found.credential {
                Some(c) => println!(
                    "credential statement {}",
                    hex(&c.encode_to_vec().map_err(|e| format!("{e:?}"))?)
                ),
                None => println!("{address} is bound to no node"),
            }
            if let Some(r) = &found.rehoming {
                println!(
                    "re-homing statement {}",
                    hex(&r.encode_to_vec().map_err(|e| format!("{e:?}"))?)
                );
            }
            return Ok(());
        }
        Action::Invoke {
            to,
            endpoint,
            capability,
            action,
            input,
        } => {
            let input = input.as_deref().map(unhex).transpose()?;
            let body = Body::Invoke(InvokeRequest {
                endpoint,
                capability,
                action,
                input,
                echo: None,
                unknown_fields: Default::default(),
            });
            (to, body)
        }
        Action::Read {
            to,
            endpoint,
            capability,
            members,
        } => {
            let body = Body::Read(ReadRequest {
                endpoint,
                capability,
                members: (!members.is_empty()).then_some(members),
                unknown_fields: Default::default(),
            });
            (to, body)
        }
        Action::Statement => return Ok(()),
        Action::Revoke { to, node } => {
            let node = iotp2p_protocol::security::NodeId::parse(&node)
                .map_err(|e| format!("--node: {e}"))?;
            app.revoke(&to, &node).await?;
            println!("{to} forgot {}", node.to_text().as_str());
            return Ok(());
        }
        Action::Grant {
            to,
            peer_statement,
            privileges,
            index,
            endpoint,
            capability,
        } => {
            let target =
                (endpoint.is_some() || capability.is_some()).then_some((endpoint, capability));
            let node = app
                .grant(&to, &unhex(&peer_statement)?, index, privileges, target)
                .await?;
            println!("granted {} on {to}", node.to_text().as_str());
            return Ok(());
        }
        Action::Describe { to } => {
            let body = Body::Describe(DescribeRequest {
                endpoint: None,
                endpoints_only: false,
                unknown_fields: Default::default(),
            });
            (to, body)
        }
    };
    let reply = app.ask(&to, body).await?;
    if json {
        println!("{}", serde_json::to_string(&reply)?);
    } else {
        println!("{}", readable(&reply));
    }
    if let Body::Status(s) = &reply {
        if s.code != iotp2p_codec::core::StatusCode::Ok {
            return Err(format!("the device answered {:?}", s.code).into());
        }
    }
    Ok(())
}

/// A reply for a person: the status, the output, or the values by member, in hex.
fn readable(reply: &Body) -> String {
    match reply {
        Body::Status(s) => format!("status {:?}", s.code),
        Body::InvokeResponse(r) => match &r.output {
            Some(output) => format!("done, output {}", hex(output)),
            None => "done".into(),
        },
        Body::Report(r) => r
            .values
            .iter()
            .flatten()
            .map(|v| format!("member {}: {}", v.member, hex(&v.value)))
            .collect::<Vec<_>>()
            .join("\n"),
        Body::Description(d) => d
            .endpoints
            .iter()
            .map(|e| {
                let caps: Vec<String> = e
                    .capabilities
                    .iter()
                    // Names from the network: control characters shown escaped, never raw.
                    .map(|c| {
                        format!(
                            "{} {}.{}",
                            c.id,
                            c.package.escape_debug(),
                            c.name.escape_debug()
                        )
                    })
                    .collect();
                format!("endpoint {}: {}", e.endpoint, caps.join(", "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("{other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return Err("hex: two digits a byte".into());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(|| "hex: two digits a byte".to_string())
        })
        .collect()
}
