//! The ASL document model.
