//! The syntax layer: text → tokens → syntax tree, and the tree back to canonical text.
//!
//! This layer knows the grammar and nothing else: it resolves no names and checks no rules beyond
//! "does this parse". The semantic layer (`crate::sema`) is its only consumer besides `fmt`.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod printer;

pub use parser::parse;
