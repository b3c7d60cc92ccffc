//! The iotp2p schema compiler.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md):
//!
//! ```text
//! text ──syntax──▶ syntax tree ──sema──▶ ir::Schema ──backends──▶ code, docs
//!        (nom lexer,             (resolve, validate,     (depend on `ir` only)
//!         parser, printer)        lower)
//! ```
//!
//! Every stage reports problems as [`diagnostics::Diagnostic`]s and keeps going, so one run shows every
//! error in a schema. Entry points: [`sema::compile`] for files on disk, [`sema::compile_str`] for text.

#![forbid(unsafe_code)]

pub mod backend;
pub mod builder;
pub mod compat;
pub mod diagnostics;
#[doc(hidden)]
pub mod fuzzing;
mod graph;
pub mod ir;
pub mod model;
pub mod reflect;
pub mod sema;
pub mod source;
pub mod standard;
pub mod syntax;

pub use builder::Builder;
pub use sema::{compile, compile_str, Compilation, FsLoader, Loader, MemoryLoader};
