//! Generated enums are open (unknown numbers are kept) and a value is its number.

#[test]
fn an_enum_value_is_its_number() {
    use iotp2p_codec::core::PresenceState;
    // `Unrecognized(1)` encodes as `Asleep` does, so it is `Asleep`.
    assert_eq!(PresenceState::Unrecognized(1), PresenceState::Asleep);
    assert_ne!(PresenceState::Unrecognized(9), PresenceState::Asleep);
    let state = std::hash::RandomState::new();
    assert_eq!(
        std::hash::BuildHasher::hash_one(&state, PresenceState::Unrecognized(1)),
        std::hash::BuildHasher::hash_one(&state, PresenceState::Asleep)
    );
}
