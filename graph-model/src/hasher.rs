//! The hasher for maps keyed by state names, shared by the model's name index and validation.

use std::collections::HashMap;

/// FNV-1a, for maps keyed by state names: state names are short and trusted enough that SipHash's DoS resistance buys nothing
/// here, and hashing every name of a 10,000-state document shows in profiles.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map with [`Fnv`] hashing.
pub(crate) type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;
