//! The index of generated code: the functions by type name that `generated/mod.rs` offers, made
//! from one table by [`index!`](crate::runtime::index).

/// `index! { "package.Type" => module::Type, ... }`: the by-name functions of a generated index,
/// from one row per message, union and enum (its fully-qualified schema name and its Rust path
/// from the index; the owned form is `module::owned::Type`):
///
/// - `TYPE_NAMES`, the names in the table's order;
/// - `transcode(type_name, input, output)`, a canonical pass-through ([`transcode`](crate::runtime::transcode));
/// - with the feature `serde`, `to_json(type_name, input, serializer)` and
///   `from_json(type_name, deserializer)` (`json::to_json`, `json::from_json`);
/// - with the feature `arbitrary`, `visit_type(type_name, visitor)` (`fuzz::Visitor`).
///
/// Each is `None` for a name that is not in the table.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_index {
    ($($name:literal => $module:ident :: $ty:ident),* $(,)?) => {
        /// The fully-qualified schema name of every message, union and enum generated here.
        pub const TYPE_NAMES: &[&str] = &[$($name),*];

        /// Decodes `input` as the type named `type_name` (one of [`TYPE_NAMES`]) and encodes the
        /// decoded value into `output`, returning the length written: a canonical pass-through, as a
        /// relay or a conformance test needs. `None` when the name is not one of the types generated
        /// here.
        #[allow(deprecated)]
        pub fn transcode(
            type_name: &str,
            input: &[u8],
            output: &mut [u8],
        ) -> Option<Result<usize, $crate::runtime::TranscodeError>> {
            Some(match type_name {
                $($name => $crate::runtime::transcode::<$module::$ty>(input, output),)*
                _ => return None,
            })
        }

        $crate::runtime::cfg_serde! {
            /// Decodes `input` as the type named `type_name` (one of [`TYPE_NAMES`]) and writes the
            /// value's canonical JSON form (spec/04-wire-format.md §4.18) with `serializer`: what
            /// tools, logs and test vectors show. `None` when the name is not one of the types
            /// generated here.
            #[allow(deprecated)]
            pub fn to_json<S: $crate::runtime::serde::Serializer>(
                type_name: &str,
                input: &[u8],
                serializer: S,
            ) -> Option<Result<S::Ok, $crate::runtime::json::Error<S::Error>>> {
                Some(match type_name {
                    $($name => $crate::runtime::json::to_json::<$module::$ty, _>(input, serializer),)*
                    _ => return None,
                })
            }

            /// Reads the canonical JSON form (spec/04-wire-format.md §4.18) of a value of the type
            /// named `type_name` (one of [`TYPE_NAMES`]) with `deserializer`, and returns the
            /// value's encoding. `None` when the name is not one of the types generated here.
            #[allow(deprecated)]
            pub fn from_json<'de, D: $crate::runtime::serde::Deserializer<'de>>(
                type_name: &str,
                deserializer: D,
            ) -> Option<Result<$crate::runtime::alloc::vec::Vec<u8>, $crate::runtime::json::Error<D::Error>>> {
                Some(match type_name {
                    $($name => $crate::runtime::json::from_json::<$module::owned::$ty, _>(deserializer),)*
                    _ => return None,
                })
            }
        }

        $crate::runtime::cfg_arbitrary! {
            /// Calls `visitor` with the type named `type_name` (one of [`TYPE_NAMES`]): its owned
            /// form, or the enum itself, as a `FuzzType` (`runtime::fuzz`). `None` when the name is
            /// not one of the types generated here. For fuzzing: one generic body runs for every
            /// type.
            #[allow(deprecated)]
            pub fn visit_type<V: $crate::runtime::fuzz::Visitor>(
                type_name: &str,
                visitor: V,
            ) -> Option<V::Output> {
                Some(match type_name {
                    $($name => visitor.visit::<$module::owned::$ty>(),)*
                    _ => return None,
                })
            }
        }
    };
}
