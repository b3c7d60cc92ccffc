//! Backends: one per output target, each turning the model of a validated schema into files.
//!
//! A backend depends on [`crate::ir`] and [`crate::model`] only, never on the syntax tree or the
//! semantic layer, and keeps its askama templates beside it under `codegen/templates/<target>/`.
//! Code generators read the facts they need from the [`Model`] (recursion budgets, sizes, keys in
//! wire order, shapes) rather than working them out again from the IR.

pub mod c;
pub mod cddl;
pub mod docs;
pub mod json_schema;
pub mod rust;

use crate::model::Model;

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name, e.g. `iotp2p_core.rs`.
    pub name: String,
    /// Its contents.
    pub contents: String,
}

/// A target: the model in, files out.
pub trait Backend {
    /// The files for `model`, with names relative to the output directory.
    fn generate(&self, model: &Model<'_>) -> Vec<GeneratedFile>;

    /// Why the target cannot generate `model` yet, if it cannot (the C backend and recursive
    /// types); `None` by default.
    fn unsupported(&self, _model: &Model<'_>) -> Option<String> {
        None
    }
}
