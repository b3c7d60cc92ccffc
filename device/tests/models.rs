//! Every capability descriptor a profile serves agrees with the schema that defines it: the same
//! members, each with the same kind, writability, observability, freshness, input, output and
//! optionality, and the package's version. A descriptor is written by hand (a device links no
//! schema compiler); this test is what keeps it true when the schema changes.

use std::path::PathBuf;

use iotp2p_codegen::ir::{Attribute, Presence, Schema, TypeDef, TypeKind};
use iotp2p_codegen::{compile, FsLoader};
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::lamp::Lamp;
use iotp2p_device::lock::Lock;
use iotp2p_device::sensor::Sensor;
use iotp2p_protocol::interaction::model::{Capability, Endpoint, Member, MemberKind, Model};
use iotp2p_protocol::server::security::SecurityService;

fn schema() -> Schema {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = [
        root.join("../spec/schema/capabilities.iotp"),
        root.join("../spec/schema/security.iotp"),
        root.join("schema/lock.iotp"),
    ];
    let compilation = compile(
        &files,
        &FsLoader {
            include_dirs: vec![root.join("../spec/schema")],
        },
    );
    compilation.schema.expect("the schemas compile")
}

fn has(attributes: &[Attribute], name: &str) -> bool {
    attributes.iter().any(|a| a.name == name)
}

fn find<'a>(schema: &'a Schema, package: &str, name: &str) -> Option<&'a TypeDef> {
    schema
        .packages
        .iter()
        .find(|p| p.name == package)?
        .types
        .iter()
        .find(|t| t.name == name)
}

/// The members the schema gives the capability, in key order, with their optionality.
fn expected(schema: &Schema, c: &Capability) -> (Vec<(Member, bool)>, (u32, u32, u32)) {
    let package = schema
        .packages
        .iter()
        .find(|p| p.name == c.package)
        .unwrap_or_else(|| panic!("package {}", c.package));
    let version = package.version.as_ref().expect("a versioned package");
    let mut members = Vec::new();
    if let Some(TypeKind::Message { fields, .. }) =
        find(schema, &c.package, &format!("{}Properties", c.name)).map(|t| &t.kind)
    {
        for f in fields {
            let writable = has(&f.attributes, "iotp2p.writable");
            let kind = MemberKind::Property {
                writable,
                observable: !has(&f.attributes, "iotp2p.unobservable"),
                fresh: has(&f.attributes, "iotp2p.fresh"),
            };
            let optional = f.presence == Presence::Optional;
            members.push((Member::new(f.key as u16, kind), optional));
        }
    }
    let outputs: Vec<u32> = match find(schema, &c.package, &format!("{}Outputs", c.name)) {
        Some(TypeDef {
            kind: TypeKind::Union { variants, .. },
            ..
        }) => variants.iter().map(|v| v.key).collect(),
        _ => Vec::new(),
    };
    if let Some(TypeKind::Union { variants, .. }) =
        find(schema, &c.package, &format!("{}Actions", c.name)).map(|t| &t.kind)
    {
        for v in variants {
            let kind = MemberKind::Action {
                input: v.ty.is_some(),
                output: outputs.contains(&v.key),
                fresh: has(&v.attributes, "iotp2p.fresh"),
            };
            let optional = has(&v.attributes, "iotp2p.optional");
            members.push((Member::new(v.key as u16, kind), optional));
        }
    }
    if let Some(TypeKind::Union { variants, .. }) =
        find(schema, &c.package, &format!("{}Events", c.name)).map(|t| &t.kind)
    {
        for v in variants {
            let optional = has(&v.attributes, "iotp2p.optional");
            members.push((Member::new(v.key as u16, MemberKind::Event), optional));
        }
    }
    members.sort_by_key(|(m, _)| m.key);
    (members, (version.major, version.minor, version.patch))
}

fn check(schema: &Schema, model: &Model) {
    for endpoint in &model.endpoints {
        for c in &endpoint.capabilities {
            let (members, version) = expected(schema, c);
            assert_eq!(c.version, version, "{}.{}", c.package, c.name);
            let served: Vec<(Member, bool)> = c
                .members
                .iter()
                .map(|m| {
                    let implemented_or_not = Member {
                        implemented: true,
                        optional: false,
                        ..*m
                    };
                    (implemented_or_not, m.optional)
                })
                .collect();
            assert_eq!(served, members, "{}.{}", c.package, c.name);
        }
    }
}

#[test]
fn every_profile_serves_its_capabilities_as_the_schema_defines_them() {
    let schema = schema();
    let info = || DeviceInfo::new("iotp2p", "test");
    check(&schema, &Lamp::new(info(), 0, 254).model());
    check(&schema, &Sensor::new(info(), (0, 1), 0).model());
    check(&schema, &Lock::new(info()).model());
    let mut with_hardware = info();
    with_hardware.hardware_version = Some("rev B");
    check(&schema, &Lamp::new(with_hardware, 0, 254).model());
    // The Security capability a server adds on endpoint 0.
    let security = Model {
        endpoints: vec![Endpoint {
            number: 0,
            label: None,
            capabilities: vec![SecurityService::capability()],
        }],
        revision: 0,
    };
    check(&schema, &security);
}
