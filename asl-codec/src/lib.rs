//! ASL text formats to and from the document model.
