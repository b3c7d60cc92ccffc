//! The C runtime against the Rust runtime: for the same input and the same call, the same verdict,
//! the same error class at the same offset, the same value and the same position afterwards; for the
//! same value, the same bytes written (or the same refusal).
//!
//! Inputs: every input of up to two bytes; random bytes shaped like heads; random canonical items
//! with every truncation and every one-byte change of them; every input of the conformance vectors
//! with every truncation; values of every kind for the writer.

use iotp2p_codec::runtime::{self as rt, DecodeError, ErrorClass};
use iotp2p_codec_c as c;
use proptest::prelude::*;

#[path = "support/vectors.rs"]
mod vectors;

/// A value read, in a form both runtimes' results convert to (floats by their bits).
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Unit,
    Uint(u64),
    Int(i64),
    Bool(bool),
    F64(u64),
    F32(u32),
    Bytes(Vec<u8>),
    Count(usize),
    /// A head: kind, float width, argument (as the C runtime reports heads).
    Head(u32, u8, u64),
    /// A message's entries read generically: keys seen and the levels left for values.
    Message(Vec<u32>, usize),
    /// A union: key, levels left, the value's bytes.
    Union(u32, usize, Vec<u8>),
}

/// What one read gave: the value and the position after it, or the error.
type Outcome = Result<(Value, usize), DecodeError>;

/// One call of the reader's API, with its parameters.
#[derive(Clone, Copy, Debug)]
enum Op {
    Head,
    Uint(u64, u64),
    Int(i64, i64),
    U8(u8, u8),
    U16(u16, u16),
    U32(u32, u32),
    I8(i8, i8),
    I16(i16, i16),
    I32(i32, i32),
    Enum,
    Bool,
    Null,
    F64,
    F32,
    Text(usize),
    Bytes(usize),
    Fixed(usize),
    Array(usize),
    Map,
    Key(u32),
    Enter(usize, usize),
    DepthExceeded,
    Skip(usize),
    /// A whole top-level item: skip with MAX_DEPTH, then no trailing bytes.
    Item,
    /// A message of unknown fields only, read as generated code reads a map.
    Message(usize),
    /// A union, its value skipped.
    Union(usize),
}

/// The Rust head in the C runtime's terms.
fn head_of(h: rt::Head) -> Value {
    match h {
        rt::Head::Uint(v) => Value::Head(0, 0, v),
        rt::Head::Nint(v) => Value::Head(1, 0, v),
        rt::Head::Bytes(v) => Value::Head(2, 0, v),
        rt::Head::Text(v) => Value::Head(3, 0, v),
        rt::Head::Array(v) => Value::Head(4, 0, v),
        rt::Head::Map(v) => Value::Head(5, 0, v),
        rt::Head::Bool(b) => Value::Head(6, 0, b as u64),
        rt::Head::Null => Value::Head(7, 0, 0),
        rt::Head::Float(v, w) => {
            let bits = match w {
                3 => rt::f64_to_f16_exact(v).expect("a half-width float is a half") as u64,
                5 => (v as f32).to_bits() as u64,
                _ => v.to_bits(),
            };
            Value::Head(8, w, bits)
        }
    }
}

fn rust(op: Op, input: &[u8]) -> Outcome {
    let mut r = rt::Reader::new(input);
    let v = match op {
        Op::Head => head_of(r.head()?),
        Op::Uint(lo, hi) => Value::Uint(r.uint(lo, hi)?),
        Op::Int(lo, hi) => Value::Int(r.int(lo, hi)?),
        Op::U8(lo, hi) => Value::Uint(r.uint(lo as u64, hi as u64)?),
        Op::U16(lo, hi) => Value::Uint(r.uint(lo as u64, hi as u64)?),
        Op::U32(lo, hi) => Value::Uint(r.uint(lo as u64, hi as u64)?),
        Op::I8(lo, hi) => Value::Int(r.int(lo as i64, hi as i64)?),
        Op::I16(lo, hi) => Value::Int(r.int(lo as i64, hi as i64)?),
        Op::I32(lo, hi) => Value::Int(r.int(lo as i64, hi as i64)?),
        Op::Enum => Value::Uint(r.enum_number()? as u64),
        Op::Bool => Value::Bool(r.bool()?),
        Op::Null => {
            r.null()?;
            Value::Unit
        }
        Op::F64 => Value::F64(r.f64()?.to_bits()),
        Op::F32 => Value::F32(r.f32()?.to_bits()),
        Op::Text(max) => Value::Bytes(r.text(max)?.as_bytes().to_vec()),
        Op::Bytes(max) => Value::Bytes(r.bytes(max)?.to_vec()),
        Op::Fixed(len) => Value::Bytes(r.exact_bytes(len)?.to_vec()),
        Op::Array(max) => Value::Count(r.array(max)?),
        Op::Map => Value::Count(r.map()?),
        Op::Key(min) => Value::Uint(u64::from(r.key(min)?)),
        Op::Enter(depth, count) => Value::Count(rt::enter(&r, depth, count)?),
        Op::DepthExceeded => return Err(rt::depth_exceeded(&r)),
        Op::Skip(depth) => Value::Bytes(r.skip(depth)?.to_vec()),
        Op::Item => {
            let bytes = r.skip(rt::limits::MAX_DEPTH)?.to_vec();
            r.finish()?;
            Value::Bytes(bytes)
        }
        Op::Message(depth) => {
            // As a generated decoder whose message knows none of the keys.
            let count = r.map()?;
            let depth = rt::enter(&r, depth, count)?;
            let (mut keys, mut min) = (Vec::new(), 0);
            for _ in 0..count {
                let k = r.key(min)?;
                min = k + 1;
                keys.push(k);
                r.skip(depth)?;
            }
            Value::Message(keys, depth)
        }
        Op::Union(depth) => {
            let start = r.position();
            if r.map()? != 1 {
                return Err(DecodeError::new(ErrorClass::InvalidUnion, start));
            }
            let depth = rt::enter(&r, depth, 1)?;
            let key = r.key(0)?;
            let value = r.skip(depth)?.to_vec();
            Value::Union(key, depth, value)
        }
    };
    Ok((v, r.position()))
}

fn c_side(op: Op, input: &[u8]) -> Outcome {
    let mut r = c::Reader::new(input);
    let v = match op {
        Op::Head => {
            let h = r.head()?;
            Value::Head(h.kind, h.width, h.arg)
        }
        Op::Uint(lo, hi) => Value::Uint(r.uint(lo, hi)?),
        Op::Int(lo, hi) => Value::Int(r.int(lo, hi)?),
        Op::U8(lo, hi) => Value::Uint(r.u8(lo, hi)? as u64),
        Op::U16(lo, hi) => Value::Uint(r.u16(lo, hi)? as u64),
        Op::U32(lo, hi) => Value::Uint(r.u32(lo, hi)? as u64),
        Op::I8(lo, hi) => Value::Int(r.i8(lo, hi)? as i64),
        Op::I16(lo, hi) => Value::Int(r.i16(lo, hi)? as i64),
        Op::I32(lo, hi) => Value::Int(r.i32(lo, hi)? as i64),
        Op::Enum => Value::Uint(r.enum_number()? as u64),
        Op::Bool => Value::Bool(r.bool()?),
        Op::Null => {
            r.null()?;
            Value::Unit
        }
        Op::F64 => Value::F64(r.f64()?.to_bits()),
        Op::F32 => Value::F32(r.f32()?.to_bits()),
        Op::Text(max) => Value::Bytes(r.text(max)?.to_vec()),
        Op::Bytes(max) => Value::Bytes(r.bytes(max)?.to_vec()),
        Op::Fixed(len) => Value::Bytes(r.exact_bytes(len)?.to_vec()),
        Op::Array(max) => Value::Count(r.array(max)?),
        Op::Map => Value::Count(r.map()?),
        Op::Key(min) => Value::Uint(r.key(min)? as u64),
        Op::Enter(depth, count) => Value::Count(r.enter(depth, count)?),
        Op::DepthExceeded => return Err(r.depth_exceeded()),
        Op::Skip(depth) => Value::Bytes(r.skip(depth)?.to_vec()),
        Op::Item => {
            let bytes = r.skip(16)?.to_vec();
            r.finish()?;
            Value::Bytes(bytes)
        }
        Op::Message(depth) => {
            let mut m = r.map_begin(depth)?;
            let mut keys = Vec::new();
            while let Some(k) = r.map_next(&mut m)? {
                keys.push(k);
                r.map_skip_value(&mut m)?;
            }
            assert_eq!(m.unknown(), keys.len());
            Value::Message(keys, m.depth())
        }
        Op::Union(depth) => {
            let (key, inner) = r.union_begin(depth)?;
            let value = r.skip(inner)?.to_vec();
            Value::Union(key, inner, value)
        }
    };
    Ok((v, r.position()))
}

fn agree(op: Op, input: &[u8]) {
    let (want, got) = (rust(op, input), c_side(op, input));
    assert_eq!(
        got, want,
        "{op:?} on {input:02x?}: C (left) and Rust (right) disagree"
    );
}

/// The calls every input goes through: each primitive at the bounds that decide its verdicts.
fn all_ops() -> Vec<Op> {
    let mut ops = vec![
        Op::Head,
        Op::Uint(0, u64::MAX),
        Op::Uint(0, 23),
        Op::Uint(24, 1000),
        Op::Int(i64::MIN, i64::MAX),
        Op::Int(-24, 23),
        Op::U8(0, u8::MAX),
        Op::U16(0, u16::MAX),
        Op::U32(0, u32::MAX),
        Op::I8(i8::MIN, i8::MAX),
        Op::I16(i16::MIN, i16::MAX),
        Op::I32(i32::MIN, i32::MAX),
        Op::Enum,
        Op::Bool,
        Op::Null,
        Op::F64,
        Op::F32,
        Op::Text(0),
        Op::Text(3),
        Op::Text(usize::MAX),
        Op::Bytes(1),
        Op::Bytes(usize::MAX),
        Op::Fixed(0),
        Op::Fixed(2),
        Op::Array(1),
        Op::Array(usize::MAX),
        Op::Map,
        Op::Key(0),
        Op::Key(5),
        Op::Key(65536),
        Op::Enter(1, 1),
        Op::Enter(2, 1),
        Op::DepthExceeded,
        Op::Item,
        Op::Message(16),
        Op::Message(2),
        Op::Union(16),
        Op::Union(1),
    ];
    ops.extend((1..=16).map(Op::Skip));
    ops
}

#[test]
fn every_input_of_up_to_two_bytes() {
    let ops = all_ops();
    let mut input = Vec::with_capacity(2);
    agree_all(&ops, &input);
    for a in 0..=255u8 {
        input.clear();
        input.push(a);
        agree_all(&ops, &input);
        for b in 0..=255u8 {
            input.truncate(1);
            input.push(b);
            agree_all(&ops, &input);
        }
    }
}

fn agree_all(ops: &[Op], input: &[u8]) {
    for &op in ops {
        agree(op, input);
    }
}

/// Any canonical data item of the profile (what the writer produces from it).
#[derive(Clone, Debug)]
enum Item {
    Uint(u64),
    Int(i64),
    Float(u64),
    Bool(bool),
    Null,
    Text(String),
    Bytes(Vec<u8>),
    Array(Vec<Item>),
    Map(Vec<(u16, Item)>),
}

fn item() -> impl Strategy<Value = Item> {
    let leaf = prop_oneof![
        prop_oneof![0u64..30, 0u64..70_000, any::<u64>()].prop_map(Item::Uint),
        prop_oneof![-30i64..0, any::<i64>()].prop_map(Item::Int),
        prop_oneof![
            any::<u64>(),
            any::<u16>().prop_map(|h| rt::f16_to_f64(h).to_bits()),
            any::<u32>().prop_map(|s| (f32::from_bits(s) as f64).to_bits()),
        ]
        .prop_map(Item::Float),
        any::<bool>().prop_map(Item::Bool),
        Just(Item::Null),
        ".{0,6}".prop_map(Item::Text),
        proptest::collection::vec(any::<u8>(), 0..6).prop_map(Item::Bytes),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Item::Array),
            proptest::collection::btree_map(prop_oneof![0u16..30, any::<u16>()], inner, 0..4)
                .prop_map(|m| Item::Map(m.into_iter().collect())),
        ]
    })
}

fn write(w: &mut rt::Writer<'_>, item: &Item) {
    match item {
        Item::Uint(v) => w.u64(*v).unwrap(),
        Item::Int(v) => w.i64(*v).unwrap(),
        Item::Float(bits) => w.f64(f64::from_bits(*bits)).unwrap(),
        Item::Bool(b) => w.bool(*b).unwrap(),
        Item::Null => w.null().unwrap(),
        Item::Text(s) => w.text(s).unwrap(),
        Item::Bytes(b) => w.bytes(b).unwrap(),
        Item::Array(items) => {
            w.array(items.len()).unwrap();
            items.iter().for_each(|i| write(w, i));
            w.close(items.len());
        }
        Item::Map(entries) => {
            w.map(entries.len()).unwrap();
            for (k, v) in entries {
                w.u64(*k as u64).unwrap();
                write(w, v);
            }
            w.close(entries.len());
        }
    }
}

fn encode(item: &Item) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut w = rt::Writer::new(&mut buf);
    write(&mut w, item);
    let n = w.position();
    buf.truncate(n);
    buf
}

/// The calls a decoder makes on whole items.
fn item_ops() -> Vec<Op> {
    let mut ops = vec![
        Op::Item,
        Op::Message(16),
        Op::Message(3),
        Op::Union(16),
        Op::Union(2),
        Op::Head,
        Op::Text(4),
        Op::Array(3),
        Op::F64,
        Op::F32,
        Op::Int(i64::MIN, i64::MAX),
    ];
    ops.extend((1..=16).map(Op::Skip));
    ops
}

/// Every truncation and the whole input, through every whole-item call.
fn truncations(ops: &[Op], bytes: &[u8]) {
    for n in 0..=bytes.len() {
        agree_all(ops, &bytes[..n]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Random bytes, mostly starting with a head of any kind and width.
    #[test]
    fn random_bytes(
        head in (0u8..8, prop_oneof![0u8..24, 24u8..28, 28u8..32]).prop_map(|(m, i)| (m << 5) | i),
        rest in proptest::collection::vec(any::<u8>(), 0..16),
        lo in any::<u64>(), hi in any::<u64>(), a in any::<i64>(), b in any::<i64>(),
        max in 0usize..40, depth in 0usize..20,
    ) {
        let mut input = vec![head];
        input.extend(rest);
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        let (a, b) = (a.min(b), a.max(b));
        let ops = [
            Op::Uint(lo, hi), Op::Int(a, b), Op::Key((lo % 70_000) as u32), Op::Text(max),
            Op::Bytes(max), Op::Fixed(max % 5), Op::Array(max), Op::Skip(depth.max(1)),
            Op::Enter(depth.max(1), max), Op::Message(depth.max(1)), Op::Union(depth.max(1)),
        ];
        agree_all(&ops, &input);
        agree_all(&all_ops(), &input);
    }

    /// Canonical items: accepted alike, every truncation rejected alike, every one-byte change alike.
    #[test]
    fn canonical_items_truncated_and_changed(item in item(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let bytes = encode(&item);
        let ops = item_ops();
        assert!(rust(Op::Item, &bytes).is_ok());
        truncations(&ops, &bytes);
        let mut changed = bytes.clone();
        let i = at.index(changed.len());
        changed[i] = byte;
        agree_all(&ops, &changed);
        // The item again, with a byte after it.
        changed = bytes.clone();
        changed.push(byte);
        agree_all(&ops, &changed);
    }

    /// Nesting around the depth limit: arrays and maps of one entry, 12 to 20 deep.
    #[test]
    fn nesting_near_max_depth(levels in proptest::collection::vec(any::<bool>(), 12..20), leaf in any::<u8>()) {
        let mut bytes = Vec::new();
        for &is_map in &levels {
            if is_map {
                bytes.extend([0xa1, 0x00]);
            } else {
                bytes.push(0x81);
            }
        }
        bytes.push(leaf);
        truncations(&item_ops(), &bytes);
    }

    /// Floats of every width around the edges of exactness: exponents across the narrower format's
    /// normal and subnormal ranges, fractions with any number of trailing zero bits.
    #[test]
    fn floats_near_the_edges_of_exactness(
        sign in any::<bool>(), e64 in -160i64..140, m64 in any::<u64>(), k64 in 0u32..53,
        e32 in -30i32..20, m32 in any::<u32>(), k32 in 0u32..24, h in any::<u16>(), raw in any::<u64>(),
    ) {
        let double = ((sign as u64) << 63)
            | (((e64 + 1023) as u64) << 52)
            | (m64 & ((1u64 << 52) - 1) & !((1u64 << k64) - 1));
        let single = ((sign as u32) << 31)
            | (((e32 + 127) as u32) << 23)
            | (m32 & ((1u32 << 23) - 1) & !((1u32 << k32) - 1));
        let mut inputs = vec![
            [&[0xfb][..], &double.to_be_bytes()].concat(),
            [&[0xfb][..], &raw.to_be_bytes()].concat(),
            [&[0xfb][..], &(f32::from_bits(single) as f64).to_bits().to_be_bytes()].concat(),
            [&[0xfa][..], &single.to_be_bytes()].concat(),
            [&[0xfa][..], &(raw as u32).to_be_bytes()].concat(),
            [&[0xfa][..], &(rt::f16_to_f64(h) as f32).to_bits().to_be_bytes()].concat(),
            [&[0xf9][..], &h.to_be_bytes()].concat(),
        ];
        // Subnormal singles: any fraction, no exponent.
        inputs.push([&[0xfa][..], &(m32 & 0x807f_ffff).to_be_bytes()].concat());
        for input in &inputs {
            agree_all(&[Op::F64, Op::F32, Op::Head, Op::Item, Op::Uint(0, 1)], input);
        }
        for v in [f64::from_bits(double), f64::from_bits(raw), f32::from_bits(single) as f64] {
            prop_assert_eq!(c::float_len(v), rt::float_len(v));
        }
    }

    /// Unknown fields: a map decoded with some of its keys known keeps the others, and merging them
    /// back writes the same bytes in both runtimes.
    #[test]
    fn unknown_fields_merge_alike(
        entries in proptest::collection::btree_map(0u16..40, item(), 0..6),
        known in proptest::collection::btree_set(0u16..40, 0..6),
        nesting in 0usize..15,
    ) {
        let map = encode(&Item::Map(entries.into_iter().collect()));
        let known_rust: &'static [u16] = Box::leak(known.iter().copied().collect());
        let known_c: Vec<u32> = known.iter().map(|&k| k as u32).collect();

        // Rust, as a generated decoder and encoder do it.
        let mut r = rt::Reader::new(&map);
        let count = r.map().unwrap();
        let entries_at = r.position();
        let depth = rt::enter(&r, 16, count).unwrap();
        let (mut min, mut unknown) = (0, 0);
        for _ in 0..count {
            let k = r.key(min).unwrap();
            min = k + 1;
            r.skip(depth).unwrap();
            unknown += usize::from(u16::try_from(k).map_or(true, |k| known_rust.binary_search(&k).is_err()));
        }
        let fields = rt::UnknownFields::new(r.since(entries_at), unknown, depth);
        let mut rb = vec![0u8; 4096];
        let mut rw = rt::Writer::new(&mut rb);
        for _ in 0..nesting {
            rw.array(1).unwrap();
        }
        let mut merge = fields.merge(known_rust);
        let mut want = Ok(());
        for &k in known_rust {
            want = want.and_then(|()| merge.write_before(u64::from(k), &mut rw));
        }
        let want = want.and_then(|()| merge.finish(&mut rw));

        // C.
        let mut cr = c::Reader::new(&map);
        let mut m = cr.map_begin(16).unwrap();
        while let Some(k) = cr.map_next(&mut m).unwrap() {
            if known_c.binary_search(&k).is_ok() {
                cr.skip(m.depth()).unwrap();
            } else {
                cr.map_skip_value(&mut m).unwrap();
            }
        }
        prop_assert_eq!(m.unknown(), unknown);
        let mut cb = vec![0u8; 4096];
        let mut cw = c::Writer::new(&mut cb);
        for _ in 0..nesting {
            cw.array(1).unwrap();
        }
        let got = cw.merge(&cr, &m, &known_c);
        prop_assert_eq!(got, want);
        prop_assert_eq!(cw.position(), rw.position());
        let n = rw.position();
        prop_assert_eq!(&cb[..n], &rb[..n]);
    }

    /// The writer: the same bytes for the same values, and the same refusal when the buffer is
    /// too small (with the same `needed`).
    #[test]
    fn writers_agree(
        u in prop_oneof![0u64..30, any::<u64>()], i in any::<i64>(),
        f in prop_oneof![
            any::<u64>(),
            any::<u16>().prop_map(|h| rt::f16_to_f64(h).to_bits()),
            any::<u32>().prop_map(|s| (f32::from_bits(s) as f64).to_bits()),
        ],
        s in any::<u32>(), text in ".{0,8}", bytes in proptest::collection::vec(any::<u8>(), 0..300),
        major in 0u8..6, cap in 0usize..12,
    ) {
        let (f, s) = (f64::from_bits(f), f32::from_bits(s));
        prop_assert_eq!(c::head_len(u), rt::head_len(u));
        prop_assert_eq!(c::int_len(i), rt::int_len(i));
        prop_assert_eq!(c::float_len(f), rt::float_len(f));
        type Case<'a> = (
            Box<dyn Fn(&mut rt::Writer<'_>) -> Result<(), rt::EncodeError> + 'a>,
            Box<dyn Fn(&mut c::Writer<'_>) -> Result<(), rt::EncodeError> + 'a>,
        );
        let cases: Vec<Case<'_>> = vec![
            (Box::new(|w| w.u64(u)), Box::new(|w| w.u64(u))),
            (Box::new(|w| w.i64(i)), Box::new(|w| w.i64(i))),
            (Box::new(|w| w.head(major, u)), Box::new(|w| w.head(major, u))),
            (Box::new(|w| w.f64(f)), Box::new(|w| w.f64(f))),
            // The Rust codec writes an f32 as the f64 of the same value.
            (Box::new(|w| w.f64(s as f64)), Box::new(|w| w.f32(s))),
            (Box::new(|w| w.bool(u % 2 == 0)), Box::new(|w| w.bool(u % 2 == 0))),
            (Box::new(|w| w.null()), Box::new(|w| w.null())),
            (Box::new(|w| w.text(&text)), Box::new(|w| w.text(&text))),
            (Box::new(|w| w.bytes(&bytes)), Box::new(|w| w.bytes(&bytes))),
            (Box::new(|w| w.raw_item(&bytes)), Box::new(|w| w.raw_item(&bytes))),
            (Box::new(|w| w.raw_items(&bytes, 17)), Box::new(|w| w.raw_items(&bytes, 17))),
        ];
        for (rust_write, c_write) in &cases {
            for cap in [cap, 400] {
                let (mut rb, mut cb) = (vec![0u8; cap], vec![0u8; cap]);
                let (mut rw, mut cw) = (rt::Writer::new(&mut rb), c::Writer::new(&mut cb));
                let (want, got) = (rust_write(&mut rw), c_write(&mut cw));
                prop_assert_eq!(got, want);
                prop_assert_eq!(cw.position(), rw.position());
                let n = rw.position();
                prop_assert_eq!(&cb[..n], &rb[..n]);
            }
        }
    }

    /// The writer's depth: any sequence of opens, closes and raw items gives the same verdicts and
    /// levels.
    #[test]
    fn writer_depth_agrees(steps in proptest::collection::vec((0u8..5, 0usize..3), 0..40), item in item()) {
        let raw = encode(&item);
        let (mut rb, mut cb) = (vec![0u8; 1 << 14], vec![0u8; 1 << 14]);
        let (mut rw, mut cw) = (rt::Writer::new(&mut rb), c::Writer::new(&mut cb));
        // Closes only what is open, as generated encoders do.
        let mut open: Vec<usize> = Vec::new();
        for (step, n) in steps {
            let (want, got) = match step {
                0 => (rw.array(n), cw.array(n)),
                1 => (rw.map(n), cw.map(n)),
                2 => match open.pop() {
                    Some(n) => {
                        rw.close(n);
                        cw.close(n);
                        (Ok(()), Ok(()))
                    }
                    None => continue,
                },
                3 => (rw.raw_items(&raw, 16), cw.raw_items(&raw, 16)),
                _ => (rw.raw_item(&raw), cw.raw_item(&raw)),
            };
            prop_assert_eq!(got, want);
            if want.is_err() {
                break;
            }
            if step < 2 {
                open.push(n);
            }
            prop_assert_eq!(cw.levels(), rw.levels());
        }
        prop_assert_eq!(cw.position(), rw.position());
        let n = rw.position();
        prop_assert_eq!(&cb[..n], &rb[..n]);
    }
}

/// Every input of the conformance vectors (valid and invalid, every type), with every truncation.
#[test]
fn every_conformance_vector_input_and_its_truncations() {
    let inputs = vectors::vector_inputs();
    assert!(inputs.len() > 1000, "found only {} inputs", inputs.len());
    let ops = [
        Op::Item,
        Op::Message(16),
        Op::Union(16),
        Op::Skip(16),
        Op::Skip(3),
    ];
    for input in &inputs {
        truncations(&ops, input);
    }
}

/// Sticky errors: after a failure every later call fails with the first error, where the Rust
/// reader would have stopped at the `?`.
#[test]
fn errors_stick() {
    let input = [0x18, 0x01, 0x00, 0x00];
    let mut r = c::Reader::new(&input);
    let first = r.uint(0, 255).unwrap_err();
    assert_eq!(first, DecodeError::new(ErrorClass::NonCanonicalInteger, 0));
    assert_eq!(r.uint(0, 255), Err(first));
    assert_eq!(r.skip(16), Err(first));
    assert_eq!(r.finish(), Err(first));
    assert_eq!(r.fail(ErrorClass::MissingField, 3), first);
}

#[test]
fn class_names_are_the_specs() {
    for class in ErrorClass::ALL {
        assert_eq!(c::class_name(class), class.name());
    }
}
