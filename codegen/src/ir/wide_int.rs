//! Integers of the IR (from −2^63 to 2^64−1) as plain JSON numbers.
//!
//! serde buffers the contents of tagged enums and cannot hold an `i128` there, so these fields
//! travel as `i64` or `u64`, whichever fits; the JSON is the same number either way.

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Serialises an `i128` that fits in `i64` or `u64`.
pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
    if let Ok(small) = i64::try_from(*v) {
        s.serialize_i64(small)
    } else if let Ok(big) = u64::try_from(*v) {
        s.serialize_u64(big)
    } else {
        Err(serde::ser::Error::custom(format!(
            "{v} is outside the IR's integer range"
        )))
    }
}

struct WideInt;

impl Visitor<'_> for WideInt {
    type Value = i128;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an integer from -2^63 to 2^64-1")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
        Ok(v as i128)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
        Ok(v as i128)
    }
}

/// Deserialises what [`serialize`] wrote.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
    d.deserialize_any(WideInt)
}

/// The same for optional fields.
pub mod option {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises an optional wide integer (`None` is skipped by the field's attributes).
    pub fn serialize<S: Serializer>(v: &Option<i128>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => super::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    /// Deserialises an optional wide integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i128>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super")] i128);
        Option::<Wrapped>::deserialize(d).map(|w| w.map(|Wrapped(v)| v))
    }
}

/// The JSON Schema of these integers: any integer from −2^63 to 2^64−1 (neither `int64` nor `uint64`
/// alone covers both ends).
pub struct WideIntSchema;

impl schemars::JsonSchema for WideIntSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WideInt".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An integer from -2^63 to 2^64-1.",
            "type": "integer",
            "minimum": i64::MIN,
            "maximum": u64::MAX
        })
    }
}
