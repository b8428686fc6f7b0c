//! The dry-run engine. See the crate README and ARCHITECTURE.md.
