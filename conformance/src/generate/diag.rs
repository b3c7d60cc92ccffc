//! CBOR diagnostic notation (RFC 8949 §8) of a vector's input, for people reading the vectors.
//!
//! Written directly over the bytes, independently of the schema and of the codec, so that it also
//! shows inputs the profile rejects but that are well-formed CBOR: a head that is not in its shortest
//! form carries an encoding indicator (`1_0`, `[_0 1]`, `1.5_2`, RFC 8949 §8.1), an indefinite-length
//! item is written `[_ 1]` or `(_ h'01')`. Inputs that are not one well-formed data item (truncated,
//! trailing bytes, reserved heads, text that is not UTF-8) have no diagnostic notation.

/// The diagnostic notation of `bytes`, when they are exactly one well-formed data item.
pub(crate) fn diag(bytes: &[u8]) -> Option<String> {
    let mut p = Parser { bytes, pos: 0 };
    let text = p.item(0)?;
    (p.pos == bytes.len()).then_some(text)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Deep enough for every vector; deeper inputs get no notation instead of a deep recursion.
const MAX_NESTING: usize = 64;

enum Arg {
    /// A definite argument, with its encoding indicator when it is not in shortest form.
    Value(u64, Option<u8>),
    /// Additional information 31.
    Indefinite,
}

impl Parser<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let slice = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(slice)
    }

    fn argument(&mut self, info: u8) -> Option<Arg> {
        let (value, width) = match info {
            0..=23 => return Some(Arg::Value(info as u64, None)),
            24 => (self.take(1)?[0] as u64, 0),
            25 => {
                let b = self.take(2)?;
                (u16::from_be_bytes([b[0], b[1]]) as u64, 1)
            }
            26 => {
                let b = self.take(4)?;
                (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64, 2)
            }
            27 => {
                let b = self.take(8)?;
                (u64::from_be_bytes(b.try_into().ok()?), 3)
            }
            31 => return Some(Arg::Indefinite),
            _ => return None,
        };
        let shortest = match value {
            0..=23 => None,
            24..=0xff => Some(0),
            0x100..=0xffff => Some(1),
            0x1_0000..=0xffff_ffff => Some(2),
            _ => Some(3),
        };
        Some(Arg::Value(
            value,
            (shortest != Some(width)).then_some(width),
        ))
    }

    fn item(&mut self, nesting: usize) -> Option<String> {
        if nesting > MAX_NESTING {
            return None;
        }
        let initial = *self.bytes.get(self.pos)?;
        self.pos += 1;
        let (major, info) = (initial >> 5, initial & 0x1f);
        if major == 7 {
            return self.simple(info);
        }
        let arg = self.argument(info)?;
        let indicator = |i: Option<u8>| i.map_or(String::new(), |w| format!("_{w}"));
        Some(match (major, arg) {
            (0, Arg::Value(v, i)) => format!("{v}{}", indicator(i)),
            (1, Arg::Value(v, i)) => format!("{}{}", -1 - v as i128, indicator(i)),
            (2, Arg::Value(len, i)) => format!("h'{}'{}", self.byte_string(len)?, indicator(i)),
            (3, Arg::Value(len, i)) => format!("{}{}", self.text(len)?, indicator(i)),
            (2 | 3, Arg::Indefinite) => {
                let mut chunks = Vec::new();
                while self.bytes.get(self.pos) != Some(&0xff) {
                    let b = *self.bytes.get(self.pos)?;
                    self.pos += 1;
                    if b >> 5 != major {
                        return None;
                    }
                    let Arg::Value(len, i) = self.argument(b & 0x1f)? else {
                        return None;
                    };
                    let chunk = if major == 2 {
                        format!("h'{}'", self.byte_string(len)?)
                    } else {
                        self.text(len)?
                    };
                    chunks.push(format!("{chunk}{}", indicator(i)));
                }
                self.pos += 1;
                format!("(_ {})", chunks.join(", "))
            }
            (4, arg) => {
                let (items, open) = self.items(arg, nesting, false)?;
                format!("[{open}{}]", items.join(", "))
            }
            (5, arg) => {
                let (entries, open) = self.items(arg, nesting, true)?;
                format!("{{{open}{}}}", entries.join(", "))
            }
            (6, Arg::Value(tag, i)) => {
                format!("{tag}{}({})", indicator(i), self.item(nesting + 1)?)
            }
            _ => return None,
        })
    }

    /// The items of an array, or the `key: value` entries of a map, and what follows the bracket.
    fn items(&mut self, arg: Arg, nesting: usize, map: bool) -> Option<(Vec<String>, String)> {
        let mut out = Vec::new();
        let one = |p: &mut Self| -> Option<String> {
            let first = p.item(nesting + 1)?;
            if map {
                Some(format!("{first}: {}", p.item(nesting + 1)?))
            } else {
                Some(first)
            }
        };
        match arg {
            Arg::Value(n, i) => {
                // Every item takes at least one byte: a count beyond the input is not well-formed.
                if n > (self.bytes.len() - self.pos) as u64 {
                    return None;
                }
                for _ in 0..n {
                    out.push(one(self)?);
                }
                Some((out, i.map_or(String::new(), |w| format!("_{w} "))))
            }
            Arg::Indefinite => {
                while self.bytes.get(self.pos) != Some(&0xff) {
                    self.bytes.get(self.pos)?;
                    out.push(one(self)?);
                }
                self.pos += 1;
                Some((out, "_ ".to_string()))
            }
        }
    }

    fn byte_string(&mut self, len: u64) -> Option<String> {
        let len = usize::try_from(len).ok()?;
        Some(self.take(len)?.iter().map(|b| format!("{b:02x}")).collect())
    }

    fn text(&mut self, len: u64) -> Option<String> {
        let len = usize::try_from(len).ok()?;
        let text = std::str::from_utf8(self.take(len)?).ok()?;
        serde_json::to_string(text).ok()
    }

    fn simple(&mut self, info: u8) -> Option<String> {
        Some(match info {
            0..=19 => format!("simple({info})"),
            20 => "false".into(),
            21 => "true".into(),
            22 => "null".into(),
            23 => "undefined".into(),
            24 => {
                let v = self.take(1)?[0];
                if v < 32 {
                    return None;
                }
                format!("simple({v})")
            }
            25..=27 => return self.float(info),
            _ => return None,
        })
    }

    fn float(&mut self, info: u8) -> Option<String> {
        let (value, width, raw) = match info {
            25 => {
                let b = self.take(2)?;
                let bits = u16::from_be_bytes([b[0], b[1]]);
                (half_to_f64(bits), 1u8, b.to_vec())
            }
            26 => {
                let b = self.take(4)?;
                (
                    f32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f64,
                    2,
                    b.to_vec(),
                )
            }
            _ => {
                let b = self.take(8)?;
                (f64::from_be_bytes(b.try_into().ok()?), 3, b.to_vec())
            }
        };
        if value.is_nan() {
            // Only the profile's NaN has a plain notation; other NaNs differ in bits RFC 8949 §8
            // does not show.
            return (width == 1 && raw == [0x7e, 0x00]).then(|| "NaN".to_string());
        }
        let text = if value.is_infinite() {
            if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
        } else {
            format!("{value:?}")
        };
        let preferred = shortest_float_width(value);
        Some(if preferred == width {
            text
        } else {
            format!("{text}_{width}")
        })
    }
}

/// binary16 bits to the value.
pub(crate) fn half_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = ((bits >> 10) & 0x1f) as i32;
    let mantissa = (bits & 0x3ff) as f64;
    sign * match exponent {
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + mantissa / 1024.0) * 2f64.powi(e - 15),
    }
}

/// 1 (half), 2 (single) or 3 (double): the shortest width that holds `value` exactly.
fn shortest_float_width(value: f64) -> u8 {
    if half_exact(value) {
        1
    } else if (value as f32) as f64 == value {
        2
    } else {
        3
    }
}

/// Whether binary16 holds `value` exactly (same sign, magnitude, infinity).
fn half_exact(value: f64) -> bool {
    if value.is_infinite() || value == 0.0 {
        return true;
    }
    let magnitude = value.abs();
    if magnitude > 65504.0 {
        return false;
    }
    // Every binary16 value is a multiple of 2^-24; normal ones have 11 significant bits.
    let scaled = magnitude * 2f64.powi(24);
    if scaled.fract() != 0.0 {
        return false;
    }
    let scaled = scaled as u64;
    let bits = 64 - scaled.leading_zeros() - scaled.trailing_zeros();
    bits <= 11
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::case::unhex;

    fn d(hex: &str) -> Option<String> {
        diag(&unhex(hex))
    }

    #[test]
    fn notation_follows_rfc_8949() {
        assert_eq!(d("a2 00 01 01 02").as_deref(), Some("{0: 1, 1: 2}"));
        assert_eq!(d("39 01 f3").as_deref(), Some("-500"));
        assert_eq!(d("fa 3d cc cc cd").as_deref(), Some("0.10000000149011612"));
        assert_eq!(d("f9 80 00").as_deref(), Some("-0.0"));
        assert_eq!(d("f9 7e 00").as_deref(), Some("NaN"));
        assert_eq!(d("f9 fc 00").as_deref(), Some("-Infinity"));
        assert_eq!(d("66 68 c3 a9 6c 6c 6f").as_deref(), Some("\"héllo\""));
        assert_eq!(d("a1 00 f6").as_deref(), Some("{0: null}"));
        assert_eq!(d("42 01 02").as_deref(), Some("h'0102'"));
        assert_eq!(d("fa 47 c3 50 00").as_deref(), Some("100000.0"));
    }

    #[test]
    fn encoding_indicators_and_indefinite_items() {
        assert_eq!(d("18 01").as_deref(), Some("1_0"));
        assert_eq!(d("98 01 00").as_deref(), Some("[_0 0]"));
        assert_eq!(d("fa 3f c0 00 00").as_deref(), Some("1.5_2"));
        assert_eq!(d("9f 01 ff").as_deref(), Some("[_ 1]"));
        assert_eq!(d("5f 41 01 ff").as_deref(), Some("(_ h'01')"));
        assert_eq!(d("c1 00").as_deref(), Some("1(0)"));
        assert_eq!(d("f7").as_deref(), Some("undefined"));
        assert_eq!(d("f8 20").as_deref(), Some("simple(32)"));
    }

    #[test]
    fn no_notation_for_what_is_not_one_item() {
        for hex in [
            "", "19 01", "a0 00", "1c", "ff", "f8 10", "62 c3 28", "f9 7e 01",
        ] {
            assert_eq!(d(hex), None, "{hex}");
        }
    }

    #[test]
    fn half_precision() {
        assert!(half_exact(65504.0));
        assert!(half_exact(5.960464477539063e-8));
        assert!(!half_exact(0.1));
        assert!(!half_exact(65505.0));
        assert_eq!(half_to_f64(0x3c00), 1.0);
        assert_eq!(half_to_f64(0x0001), 5.960464477539063e-8);
    }
}
