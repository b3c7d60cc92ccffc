//! Backends: one per output target, each turning the validated IR into files.
//!
//! A backend depends on [`crate::ir`] only, never on the syntax tree or the semantic layer, and keeps
//! its askama templates beside it under `codegen/templates/<target>/`.

pub mod cddl;
pub mod docs;
pub mod json_schema;
pub mod rust;
