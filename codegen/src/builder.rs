//! The build-script API, in the manner of prost-build: compile schemas to Rust in `OUT_DIR`, or to C
//! for a mixed project ([`Builder::compile_c`]).
//!
//! ```no_run
//! // In the build.rs of a vendor crate whose schema imports "iotp2p/core.iotp" (built in: no
//! // include directory needed; `.include(dir)` adds directories for the vendor's own imports):
//! iotp2p_codegen::Builder::new()
//!     .extern_package("iotp2p.core", "::iotp2p_codec::core")
//!     .compile(&["schema/acme_sprinkler.iotp"])
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```
//!
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/iotp2p_generated.rs"));`, which declares one
//! module per generated package (`pub mod com_acme_sprinkler { ... }`) and the index of the generated
//! types: `TYPE_NAMES`, `transcode`, and with the codec's features `to_json`, `from_json` and
//! `visit_type`, by fully-qualified type name.

use std::path::{Path, PathBuf};

use crate::backend::c::{Form, Strings, C};
use crate::backend::rust::{self, RustOptions};
use crate::backend::{Backend, GeneratedFile};
use crate::diagnostics::render::render_plain;
use crate::ir::Schema;
use crate::model::Model;
use crate::{compile, FsLoader};

/// Name of the file, in the output directory, that declares every generated module.
pub const INCLUDE_FILE: &str = "iotp2p_generated.rs";

/// Configures and runs code generation from a build script.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    include_dirs: Vec<PathBuf>,
    options: RustOptions,
    out_dir: Option<PathBuf>,
    c_form: Form,
    c_drop_unknown_fields: bool,
    c_strings: Strings,
}

/// Why generation failed: the schema's diagnostics (rendered like rustc's) or an I/O error.
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl Builder {
    /// A builder with no include directories, the `iotp2p_codec` runtime, and `OUT_DIR` as output.
    /// Code in `OUT_DIR` is not piped through rustfmt (nobody reads it, and it keeps builds fast);
    /// see [`Builder::format`].
    pub fn new() -> Builder {
        let mut b = Builder::default();
        b.options.rustfmt = false;
        b
    }

    /// Whether to format the generated code with rustfmt (when installed).
    pub fn format(mut self, yes: bool) -> Builder {
        self.options.rustfmt = yes;
        self
    }

    /// Adds a directory in which imports are looked up (after the importing file's own directory).
    pub fn include(mut self, dir: impl AsRef<Path>) -> Builder {
        self.include_dirs.push(dir.as_ref().to_path_buf());
        self
    }

    /// Uses already generated code for `package` at the Rust path `path` instead of generating it,
    /// e.g. `("iotp2p.core", "::iotp2p_codec::core")`.
    pub fn extern_package(mut self, package: &str, path: &str) -> Builder {
        self.options
            .extern_packages
            .push((package.to_string(), path.to_string()));
        self
    }

    /// The Rust path of the codec runtime (default `::iotp2p_codec::runtime`).
    pub fn runtime(mut self, path: &str) -> Builder {
        self.options.runtime = path.to_string();
        self
    }

    /// Writes to `dir` instead of `OUT_DIR`.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Builder {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Compiles `schemas` (and their imports) and writes one `.rs` file per generated package plus
    /// [`INCLUDE_FILE`] (the modules and the index of their types). Tells cargo to rerun when any
    /// schema file read changes.
    pub fn compile(&self, schemas: &[impl AsRef<Path>]) -> Result<(), Error> {
        let (schema, out_dir) = self.schema(schemas)?;
        let options = RustOptions {
            modules_in_out_dir: true,
            ..self.options.clone()
        };
        for file in rust::generate(&schema, &options) {
            // The backend's index becomes the include file: the modules, each including its file
            // from OUT_DIR, and TYPE_NAMES, transcode and the feature-gated by-name functions.
            let name = if file.name == "mod.rs" {
                INCLUDE_FILE
            } else {
                file.name.as_str()
            };
            write(&out_dir.join(name), &file.contents)?;
        }
        Ok(())
    }

    /// How [`Builder::compile_c`] generates messages and unions (tables for the runtime's
    /// interpreters by default; [`Form::Code`] for a schema of a few fields).
    pub fn c_form(mut self, form: Form) -> Builder {
        self.c_form = form;
        self
    }

    /// Whether [`Builder::compile_c`] leaves unknown fields out of decoded messages (checked and
    /// skipped, not re-encoded): for firmware that never re-encodes what it decodes.
    pub fn c_drop_unknown_fields(mut self, yes: bool) -> Builder {
        self.c_drop_unknown_fields = yes;
        self
    }

    /// How [`Builder::compile_c`] holds decoded strings and bytes: pointers into the input by
    /// default, or [`Strings::Copy`], copied into buffers of the struct sized from the schema's
    /// bounds, so that a decoded value outlives its input. Compile the runtime and the generated
    /// code with `IOTP_COPIED_STRINGS` defined when the form is tables (the interpreters read
    /// copied strings only then; the generated code refuses to compile without it).
    pub fn c_strings(mut self, strings: Strings) -> Builder {
        self.c_strings = strings;
        self
    }

    /// Compiles `schemas` (and their imports) to C for a mixed project: writes the C runtime
    /// (`iotp2p.h`, `iotp2p.c`) and one `<package>.h` and `<package>.c` per package (every package,
    /// imported ones included; `extern_package` applies to Rust only) to the output directory, and
    /// returns the paths of those `.c` files to compile, for example with the `cc` crate. The
    /// optional JSON units (`<package>_json.h`, `<package>_json.c` and the runtime's
    /// `iotp2p_json.h`, `iotp2p_json.c`, hosted C99) are written beside them but not returned: add
    /// them to the build where values are shown or taken as JSON.
    ///
    /// ```no_run
    /// let sources = iotp2p_codegen::Builder::new()
    ///     .compile_c(&["schema/acme_sprinkler.iotp"])
    ///     .unwrap_or_else(|e| panic!("{e}"));
    /// // cc::Build::new().files(&sources).include(std::env::var("OUT_DIR").unwrap()).compile("codec");
    /// ```
    pub fn compile_c(&self, schemas: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, Error> {
        let (schema, out_dir) = self.schema(schemas)?;
        let model = Model::new(&schema);
        let c = C {
            form: self.c_form,
            drop_unknown_fields: self.c_drop_unknown_fields,
            strings: self.c_strings,
        };
        if let Some(why) = c.unsupported(&model) {
            return Err(Error(why));
        }
        let runtime = [
            GeneratedFile {
                name: "iotp2p.h".into(),
                contents: C_RUNTIME_H.into(),
            },
            GeneratedFile {
                name: "iotp2p.c".into(),
                contents: C_RUNTIME_C.into(),
            },
            GeneratedFile {
                name: "iotp2p_json.h".into(),
                contents: C_JSON_RUNTIME_H.into(),
            },
            GeneratedFile {
                name: "iotp2p_json.c".into(),
                contents: C_JSON_RUNTIME_C.into(),
            },
        ];
        let mut sources = Vec::new();
        for file in runtime.into_iter().chain(c.generate(&model)) {
            let path = out_dir.join(&file.name);
            write(&path, &file.contents)?;
            if file.name.ends_with(".c") && !file.name.ends_with("_json.c") {
                sources.push(path);
            }
        }
        Ok(sources)
    }

    /// Compiles `schemas` for a build script: the schema, and the output directory (created).
    fn schema(&self, schemas: &[impl AsRef<Path>]) -> Result<(Schema, PathBuf), Error> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or_else(|| {
                Error(
                    "OUT_DIR is not set: call Builder::compile from a build script, or set out_dir"
                        .into(),
                )
            })?),
        };
        let roots: Vec<PathBuf> = schemas.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let loader = FsLoader {
            include_dirs: self.include_dirs.clone(),
        };
        let c = compile(&roots, &loader);
        // The standard's built-in files change only with this crate, which cargo tracks itself; a
        // path that does not exist would make cargo rerun the build script every time.
        for (_, file) in c.sources.files() {
            if crate::standard::at(&file.path).is_none() {
                println!("cargo:rerun-if-changed={}", file.path.display());
            }
        }
        let Some(schema) = c.schema else {
            return Err(Error(render_plain(&c.sources, &c.diagnostics)));
        };
        // Warnings do not stop the build; cargo shows them to the vendor as `warning: ...` lines.
        if c.diagnostics.warning_count() > 0 {
            for line in cargo_warnings(&render_plain(&c.sources, &c.diagnostics)) {
                println!("{line}");
            }
        }
        std::fs::create_dir_all(&out_dir)
            .map_err(|e| Error(format!("cannot create {}: {e}", out_dir.display())))?;
        Ok((schema, out_dir))
    }
}

/// The C runtime that generated C calls (codec-c/runtime/), written beside it by
/// [`Builder::compile_c`].
const C_RUNTIME_H: &str = include_str!("../../codec-c/runtime/iotp2p.h");
const C_RUNTIME_C: &str = include_str!("../../codec-c/runtime/iotp2p.c");
const C_JSON_RUNTIME_H: &str = include_str!("../../codec-c/runtime/iotp2p_json.h");
const C_JSON_RUNTIME_C: &str = include_str!("../../codec-c/runtime/iotp2p_json.c");

/// Rendered diagnostics as `cargo:warning=` lines, one per non-empty line (cargo shows each on its
/// own, so the excerpt keeps its shape); the closing summary line is left out.
fn cargo_warnings(rendered: &str) -> Vec<String> {
    rendered
        .lines()
        .filter(|l| {
            !l.trim().is_empty() && !l.starts_with("warning: ") && !l.starts_with("error: ")
        })
        .map(|l| format!("cargo:warning={l}"))
        .collect()
}

fn write(path: &Path, contents: &str) -> Result<(), Error> {
    // Leave unchanged files alone so that cargo does not rebuild for nothing.
    if std::fs::read_to_string(path).is_ok_and(|c| c == contents) {
        return Ok(());
    }
    std::fs::write(path, contents)
        .map_err(|e| Error(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_become_cargo_warning_lines() {
        // An unused import: a warning (W0001), the schema still compiles.
        let c = crate::compile_str(
            "w.iotp",
            "package a.b;\nimport \"x.iotp\" as x;\nmessage M { 0 f: u8; }\n",
            &[("x.iotp", "package x;\nmessage X { 0 f: u8; }\n")],
        );
        assert!(c.schema.is_some());
        let rendered = render_plain(&c.sources, &c.diagnostics);
        let lines = cargo_warnings(&rendered);
        assert!(
            lines.iter().all(|l| l.starts_with("cargo:warning=")),
            "{lines:?}"
        );
        assert!(lines[0].contains("warning[W0001]"), "{lines:?}");
        assert!(
            lines.iter().any(|l| l.contains("import \"x.iotp\"")),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains("emitted")), "{lines:?}");
    }
}
