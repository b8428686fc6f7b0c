//! A fast hasher for keys that come from the run's own definition and mocks.

use std::hash::{BuildHasherDefault, Hasher};

/// Builds [`WordHasher`]s.
pub(crate) type FastHash = BuildHasherDefault<WordHasher>;

/// A multiply-rotate hash over eight bytes at a time (the scheme of rustc's FxHasher): a handful of
/// instructions for a state name or a path, where SipHash takes a hundred. Not flooding-resistant,
/// which is fine for keys that come from the definition and mocks of the run itself.
#[derive(Clone, Copy, Default)]
pub(crate) struct WordHasher(u64);

impl WordHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write(&value.to_le_bytes());
    }
}
