//! The walk-through of spec chapter 12 on real UDP sockets on loopback (`walkthrough/mod.rs` says
//! each step): an authoritative DNS server with the providers' zones, three providers' home relays
//! that find each other through its SRV records, a lamp out of its box claimed with its passcode, a
//! sleeping sensor, two vendors' apps on two providers, and the lamp's move to the third provider
//! with the other app following it.
//!
//! Each step prints what happened and the datagrams and bytes each node sent for it; the run exits 0
//! only if every step did what it should and the lamp ran each command exactly once. `scripts/demo`
//! runs it.

mod walkthrough;

use walkthrough::{LAMP_ACTIONS, SENSOR_READINGS};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = std::env::temp_dir().join(format!("iotp2p-demo-{}", std::process::id()));
    let result = walkthrough::run(&dir, walkthrough::Options::default()).await;
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(o) if o.lamp_actions == LAMP_ACTIONS && o.sensor_readings == SENSOR_READINGS => {
            for (name, counts) in &o.links {
                println!("link {name}: {counts:?}");
            }
            println!(
                "\nevery step succeeded: the lamp ran each of its {} actions once, the sensor \
                 served its reading once, the nodes sent {} datagrams",
                o.lamp_actions, o.sent
            );
        }
        Ok(o) => {
            eprintln!(
                "\nerror: the lamp ran {} actions (not {LAMP_ACTIONS}), the sensor served {} \
                 readings (not {SENSOR_READINGS})",
                o.lamp_actions, o.sensor_readings
            );
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("\nerror: {e}");
            std::process::exit(1);
        }
    }
}
