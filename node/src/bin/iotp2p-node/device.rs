//! `iotp2p-node device --profile lamp|sensor|lock --config FILE`.

use std::path::PathBuf;
use std::time::Duration;

use iotp2p_device::profile::Profile;
use iotp2p_node::device::{DeviceFile, ProfileKind, UdpDevice};
use iotp2p_protocol::engine::LISTEN_TIME;
use iotp2p_protocol::security::pairing_states::MAX_WINDOW;

/// The profiles, as the command line names them.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Kind {
    /// A dimmable lamp (OnOff, Level).
    Lamp,
    /// A sleeping temperature sensor (TemperatureMeasurement, Battery).
    Sensor,
    /// A door lock whose commands need proof of freshness.
    Lock,
}

/// Arguments of `device`.
#[derive(clap::Args)]
pub struct Args {
    /// What the device is.
    #[arg(long, value_enum)]
    profile: Kind,
    /// The device's configuration file (TOML: address, bind, home relay and its credential,
    /// identity, peers, info).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// A sensor's reading, in hundredths of a degree Celsius (a host has no thermometer; without
    /// it, readings drift slowly around 21 °C).
    #[arg(long, value_name = "CENTI_CELSIUS", allow_hyphen_values = true)]
    temperature: Option<i16>,
    /// Stop after this many seconds (default: at Ctrl-C).
    #[arg(long = "for", value_name = "SECONDS")]
    duration: Option<u64>,
}

pub async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let file = DeviceFile::read(&args.config)?;
    let configured = file.address().map(str::to_owned);
    let kind = match args.profile {
        Kind::Lamp => ProfileKind::Lamp,
        Kind::Sensor => ProfileKind::Sensor,
        Kind::Lock => ProfileKind::Lock,
    };
    let setup = file.setup(kind)?;
    let mut device = UdpDevice::start(setup).await?;
    let name = device.with_profile(|p| p.name()).await?;
    // The one line a script reads to know where the device is.
    match configured {
        Some(address) => println!(
            "{name} {address} listening on {}, attached to its home relay",
            device.local_addr()
        ),
        None => {
            println!(
                "{name} listening on {}, unclaimed: its pairing window is open for {} s",
                device.local_addr(),
                MAX_WINDOW / 1000
            );
            let claimed = device
                .commissioned(Duration::from_millis(MAX_WINDOW))
                .await?;
            println!("claimed: {}", Printable(&claimed.address));
        }
    }
    let stop = super::run::until_stopped(args.duration);
    tokio::pin!(stop);
    let mut last = String::new();
    let mut wakes = 0u32;
    loop {
        let sleep = device.with_profile(|p| p.sleep_interval()).await?;
        let pause = match sleep {
            // A sensor sleeps, then wakes to measure and take what its relay held.
            Some(seconds) => Duration::from_secs(seconds.into()),
            // A lamp or lock watches its state for the console.
            None => Duration::from_millis(250),
        };
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(pause) => {}
        }
        if sleep.is_some() {
            wakes = wakes.wrapping_add(1);
            let reading = args.temperature.unwrap_or_else(|| drift(wakes));
            // A presence the relay never acknowledged: tried again at the next wake-up.
            match device.wake().await {
                Err(e) if e.is_presence_lost() => {
                    eprintln!("warning: {e}; trying again at the next wake-up");
                    continue;
                }
                woke => woke?,
            }
            device
                .with_profile(move |p| {
                    if let Profile::Sensor(s, _) = p {
                        s.measured(reading);
                    }
                })
                .await?;
            println!("woke: {}.{:02} °C", reading / 100, (reading % 100).abs());
            tokio::time::sleep(Duration::from_millis(LISTEN_TIME)).await;
            match device.sleep().await {
                Err(e) if e.is_presence_lost() => {
                    eprintln!("warning: {e}; the relay learns of the sleep at the next wake-up");
                }
                slept => slept?,
            }
            continue;
        }
        match device.keep_bound().await {
            Err(e) if e.is_presence_lost() => {
                eprintln!("warning: {e}; trying again after the presence interval");
            }
            kept => {
                kept?;
            }
        }
        let state = device.with_profile(|p| describe(p)).await?;
        if state != last {
            println!("{state}");
            last = state;
        }
    }
    device.stop(Duration::from_secs(5)).await?;
    Ok(())
}

/// A simulated reading: around 21 °C, moving by at most half a degree between wakes.
fn drift(wake: u32) -> i16 {
    let step = (wake % 20) as i16;
    2100 + if step < 10 { step * 5 } else { (20 - step) * 5 }
}

/// What a person watching the device wants to see.
fn describe(profile: &Profile) -> String {
    match profile {
        Profile::Lamp(l) => {
            let light = l.light();
            let state = if light.on { "on" } else { "off" };
            format!("light: {state}, level {}", light.level)
        }
        Profile::Lock(l) => {
            let state = if l.locked() { "locked" } else { "unlocked" };
            format!("bolt: {state}")
        }
        Profile::Sensor(s, _) => format!("temperature: {}", s.temperature()),
    }
}

/// Text from the network, shown with control characters escaped.
struct Printable<'a>(&'a str);

impl std::fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}
