//! A test PKI for relays' DTLS (spec §3.9.1), made when a test, the demo or the load harness runs:
//! a CA and a certificate for each relay's host name, signed by it. Nothing is checked in, so
//! nothing expires; each run has keys of its own.

#![allow(dead_code)]

use std::path::Path;

use iotp2p_node::relay::DtlsSetup;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A CA that issues relays' certificates.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    /// Its certificate, DER.
    pub der: Vec<u8>,
    /// Its certificate, PEM.
    pub pem: String,
}

/// A relay's certificate and key.
pub struct RelayCert {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The certificate, PEM.
    pub pem: String,
    /// Its private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
    /// Its private key, PEM.
    pub key_pem: String,
}

impl TestCa {
    /// A CA named `name` (P-256).
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a P-256 key");
        let cert = params.self_signed(&key).expect("a self-signed CA");
        TestCa {
            der: cert.der().to_vec(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// An intermediate CA named `name`, issued by this one.
    pub fn intermediate(&self, name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a P-256 key");
        let cert = params.signed_by(&key, &self.issuer).expect("signed");
        TestCa {
            der: cert.der().to_vec(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A certificate for `host`, for both roles of a handshake (a relay is the client of the
    /// relays it connects to and the server of those that connect to it).
    pub fn relay(&self, host: &str) -> RelayCert {
        self.relay_for(&[host])
    }

    /// A certificate for the host names `hosts` (one provider's relay serving several domains),
    /// its common name the first, for both roles of a handshake.
    pub fn relay_for(&self, hosts: &[&str]) -> RelayCert {
        let names: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("DNS names");
        params.distinguished_name.push(DnType::CommonName, hosts[0]);
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().expect("a P-256 key");
        let cert = params.signed_by(&key, &self.issuer).expect("signed");
        RelayCert {
            der: cert.der().to_vec(),
            pem: cert.pem(),
            key_der: key.serialize_der(),
            key_pem: key.serialize_pem(),
        }
    }

    /// The DTLS setup of the relay `host`, trusting this CA.
    pub fn setup(&self, host: &str) -> DtlsSetup {
        self.setup_for(&[host])
    }

    /// The DTLS setup of a relay whose certificate names `hosts`, trusting this CA.
    pub fn setup_for(&self, hosts: &[&str]) -> DtlsSetup {
        let cert = self.relay_for(hosts);
        DtlsSetup {
            certificate: cert.der,
            private_key: cert.key_der,
            trust_anchors: vec![self.der.clone()],
            intermediates: Vec::new(),
        }
    }

    /// Writes the relay `host`'s certificate and key and this CA's certificate into `dir`, and
    /// returns the `[dtls]` table of a relay configuration in `dir` that names them.
    pub fn dtls_table(&self, dir: &Path, host: &str) -> String {
        let cert = self.relay(host);
        let write = |name: &str, text: &str| {
            std::fs::write(dir.join(name), text).expect("a PEM file written");
        };
        write(&format!("{host}.crt"), &cert.pem);
        write(&format!("{host}.key"), &cert.key_pem);
        write("ca.crt", &self.pem);
        format!(
            "[dtls]\ncertificate = \"{host}.crt\"\nkey = \"{host}.key\"\ntrust_anchors = [\"ca.crt\"]\n"
        )
    }
}
