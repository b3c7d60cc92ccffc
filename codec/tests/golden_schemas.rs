//! The golden code generated from the compiler's test schemas (`codegen/tests/golden/rust/`) compiles
//! against this runtime without warnings, and behaves: round trips, defaults, ranges, recursion limits.

use iotp2p_codec::prelude::*;
#[path = "../../codegen/tests/golden/rust/mod.rs"]
#[allow(dead_code)]
mod generated;

use generated::example_recursive;
use iotp2p_codec::runtime::{EncodeError, ErrorClass, UnknownFields};

#[test]
fn every_golden_type_rejects_garbage_without_panicking() {
    let mut out = [0u8; 1024];
    for name in generated::TYPE_NAMES {
        for input in [&[][..], &[0xa0], &[0xa1, 0x00, 0x00], &[0xff], &[0x1c]] {
            let _ = generated::transcode(name, input, &mut out);
        }
    }
}

#[test]
fn unknown_fields_survive_a_round_trip() {
    let mut buf = [0u8; 256];
    for name in generated::TYPE_NAMES {
        // An empty map is valid for messages without required fields; add an unknown field 65535.
        let input = [0xa1, 0x19, 0xff, 0xff, 0xf5];
        if let Some(Ok(n)) = generated::transcode(name, &input, &mut buf) {
            assert_eq!(&buf[..n], &input, "{name}");
        }
    }
}

/// A menu `levels` deep: {0: "a", 1: [{0: "a", 1: [...]}]}, the innermost with no children.
fn menu(levels: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for level in 0..levels {
        out.extend([0xa2, 0x00, 0x61, b'a', 0x01]);
        out.push(if level + 1 < levels { 0x81 } else { 0x80 });
    }
    out
}

#[test]
fn recursion_is_bounded_by_max_depth() {
    use example_recursive::MenuNode;
    // `@max_depth(6)`: six nested menus are fine, the seventh is rejected where it starts.
    let six = menu(6);
    let node = MenuNode::decode(&six).unwrap();
    let mut out = [0u8; 64];
    let n = node.encode(&mut out).unwrap();
    assert_eq!(&out[..n], &six[..]);
    let seven = menu(7);
    let err = MenuNode::decode(&seven).unwrap_err();
    assert_eq!((err.class(), err.offset()), (ErrorClass::DepthExceeded, 36));
    let _ = UnknownFields::NONE;

    // Encoders refuse what decoders would: a decoded six-level menu put under a new entry (its
    // children still the decoded bytes, checked where they now sit) ...
    let children = [node];
    let deeper = MenuNode {
        children: children[..].into(),
        ..node
    };
    assert_eq!(deeper.encode(&mut out), Err(EncodeError::DepthExceeded));
}

#[cfg(feature = "alloc")]
#[test]
fn owned_recursion_is_bounded_by_max_depth_too() {
    // An owned menu built seven levels deep is refused; six levels encode as decoded.
    let owned = |levels: usize| {
        let mut node = example_recursive::owned::MenuNode {
            label: "a".into(),
            children: vec![],
            action: None,
            unknown_fields: Default::default(),
        };
        for _ in 1..levels {
            node = example_recursive::owned::MenuNode {
                children: vec![node.clone()],
                ..node
            };
        }
        node
    };
    assert_eq!(owned(6).encode_to_vec().unwrap(), menu(6));
    assert_eq!(owned(7).encode_to_vec(), Err(EncodeError::DepthExceeded));
}

#[test]
fn lazily_kept_recursive_values_read_back() {
    use example_recursive::{Expr, Room};
    // not(not(constant 5)): {3: {3: {0: 5}}}
    let bytes = [0xa1, 0x03, 0xa1, 0x03, 0xa1, 0x00, 0x05];
    let Expr::Not(inner) = Expr::decode(&bytes).unwrap() else {
        panic!("not a negation")
    };
    let Some(Expr::Not(inner)) = inner.get() else {
        panic!("not a double negation")
    };
    assert_eq!(inner.get(), Some(Expr::Constant(5)));
    // A room whose gateway is in another room: {0: "a", 1: {0: h'0000000000000000', 1: {0: "b"}}}
    let mut room = vec![0xa2, 0x00, 0x61, b'a', 0x01, 0xa2, 0x00, 0x48];
    room.extend([0; 8]);
    room.extend([0x01, 0xa1, 0x00, 0x61, b'b']);
    let r = Room::decode(&room).unwrap();
    let gateway = r.gateway.unwrap().get().unwrap();
    assert_eq!(gateway.location.unwrap().get().unwrap().name, "b");
}

/// The `arbitrary` layer of the golden code (recursive types included): generation ends, the
/// encoder rejects exactly what the audit finds broken (and recursive values deeper than their
/// cycle's `@max_depth`), and what it accepts decodes back to the same bytes.
#[cfg(feature = "arbitrary")]
#[test]
fn golden_values_from_arbitrary_encode_and_decode_back() {
    use iotp2p_codec::runtime::arbitrary::Unstructured;
    use iotp2p_codec::runtime::fuzz::{Audit, FuzzType, Visitor};

    struct Check<'d>(&'d [u8]);
    impl Visitor for Check<'_> {
        type Output = bool;
        fn visit<T: FuzzType>(self) -> bool {
            let value = T::arbitrary(&mut Unstructured::new(self.0)).unwrap();
            let audit = Audit::of(&value);
            let bytes = match value.encode_to_vec() {
                Err(e) => {
                    assert!(audit.warrants(&e), "{}: {e:?} for {value:?}", T::NAME);
                    return false;
                }
                Ok(bytes) => bytes,
            };
            assert!(audit.violations.is_empty(), "{}: {value:?}", T::NAME);
            match T::decode(&bytes) {
                Ok(back) => assert_eq!(back.encode_to_vec().unwrap(), bytes, "{}", T::NAME),
                Err(e) => panic!("{}: {e} for {value:?}", T::NAME),
            }
            true
        }
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut encoded = 0;
    for name in generated::TYPE_NAMES {
        for len in [0, 16, 256, 2048] {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            encoded += usize::from(generated::visit_type(name, Check(&data)).unwrap());
        }
    }
    assert!(encoded > generated::TYPE_NAMES.len() * 2);
}
