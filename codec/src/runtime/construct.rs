//! What generated messages are built with beyond their own `new`.

/// `default_is_new!(Name<'_>)`: `Default` for a generated message without required fields, in
/// either form: `Name::new()`, every field as an encoding that leaves it out decodes. Attributes
/// before the type (`#[allow(deprecated)]`) go on the impl.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_default_is_new {
    ($(#[$attr:meta])* $t:ty) => {
        $(#[$attr])*
        impl Default for $t {
            /// [`Self::new()`]: every field as an encoding that leaves it out decodes.
            fn default() -> Self {
                Self::new()
            }
        }
    };
}
