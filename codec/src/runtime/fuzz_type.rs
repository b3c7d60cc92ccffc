//! The macro through which a generated message or union is a [`FuzzType`](super::fuzz::FuzzType)
//! (feature `arbitrary`).

/// `fuzz_type! { owned::Name: "package.Name", Name<'a>, cycle false, unknown unknown_fields;
/// generate(g) value; audit(self, a) { checks } }`: [`FuzzType`](crate::runtime::fuzz::FuzzType)
/// and `Arbitrary` for the owned form of a generated message or union, from its schema name, its
/// borrowed form, whether it lies on a recursive cycle, a message's unknown fields (which the audit
/// records when there are any), the value that `generate` builds with `g` (an
/// [`fuzz::Gen`](crate::runtime::fuzz::Gen)) and the checks that `audit` makes with `a` (an
/// [`fuzz::Audit`](crate::runtime::fuzz::Audit)), between `a.enter(cycle)` and `a.leave(cycle)`.
/// `Arbitrary` is the generator at depth 0. Attributes before the type (`#[allow(deprecated)]`)
/// go on both impls.
///
/// `fuzz_type!(Enum: "package.Enum", numbers [0, 1, ..], other Unrecognized)`: the same for a
/// generated enum, its own owned form, whose values are drawn from its known numbers and others.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_fuzz_type {
    (
        $(#[$attr:meta])* $owned:ty : $name:literal, $borrowed:ident<$lt:lifetime>, cycle $cycle:literal
        $(, unknown $unknown:ident)?;
        generate($g:ident) $generate:expr;
        audit($self:ident, $a:ident) $audit:block
    ) => {
        $(#[$attr])*
        impl $crate::runtime::fuzz::FuzzType for $owned {
            const NAME: &'static str = $name;
            const MAX_ENCODED_SIZE: usize = $borrowed::MAX_ENCODED_SIZE;
            type Borrowed<$lt> = $borrowed<$lt>;

            fn generate(
                u: &mut $crate::runtime::fuzz::Unstructured<'_>,
                depth: u32,
            ) -> $crate::runtime::fuzz::Result<Self> {
                let $g = &mut $crate::runtime::fuzz::Gen::new(u, depth);
                Ok($generate)
            }

            fn audit(&$self, $a: &mut $crate::runtime::fuzz::Audit) {
                $a.enter($cycle);
                $audit
                $(if !$self.$unknown.is_empty() {
                    $a.unknown();
                })?
                $a.leave($cycle);
            }
        }

        $crate::runtime::fuzz::arbitrary!($(#[$attr])* $owned);
    };
    ($(#[$attr:meta])* $enum:ident : $name:literal, numbers [$($number:literal),* $(,)?], other $other:ident) => {
        $(#[$attr])*
        impl $crate::runtime::fuzz::FuzzType for $enum {
            const NAME: &'static str = $name;
            const MAX_ENCODED_SIZE: usize = $enum::MAX_ENCODED_SIZE;
            type Borrowed<'a> = $enum;

            fn generate(
                u: &mut $crate::runtime::fuzz::Unstructured<'_>,
                _depth: u32,
            ) -> $crate::runtime::fuzz::Result<Self> {
                Ok(Self::from_u32($crate::runtime::fuzz::enum_number(u, &[$($number),*])?))
            }

            fn audit(&self, a: &mut $crate::runtime::fuzz::Audit) {
                if let Self::$other(_) = self {
                    a.unknown();
                }
            }
        }

        $crate::runtime::fuzz::arbitrary!($(#[$attr])* $enum);
    };
}
