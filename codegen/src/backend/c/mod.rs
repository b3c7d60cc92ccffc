//! The C backend: C99 encoders and decoders for microcontrollers, one `.h` and one `.c` per schema
//! package (`iotp2p gen c`).
//!
//! Messages and unions are table-driven: per type a const `iotp_record` (per field its key, kind,
//! bounds, `offsetof` the member, presence, nested table, range and default) and thin
//! `_decode_from`/`_encode_to` that call the runtime's interpreters, which recurse once per nested
//! record. Types on a recursive cycle, and those with arrays of arrays (or holding such a type), are
//! generated as code instead (`view::table_records` decides). [`Form::Code`] generates every type as
//! code, for a schema too small for the interpreters to pay for themselves.
//!
//! Generated code calls the hand-written runtime `codec-c/runtime/iotp2p.h` only: no dynamic
//! allocation, no global mutable state, and no recursion beyond a cycle's `@max_depth` budget: a type
//! on a recursive cycle keeps the values of its cycle that it holds encoded (checked by the cycle's
//! decoders, which spend the budget, when they are decoded and again before they are written), so
//! its struct stays finite. Structs are sized from the
//! schema's bounds: arrays have a fixed capacity and a count, strings and bytes point into the input
//! (zero-copy) or, with [`Strings::Copy`], are copied into buffers of the struct, optional fields have a presence flag, enums are `uint32_t` (open: an unknown number
//! is kept), unions keep an unknown variant's key and encoded value, and messages keep unknown
//! fields, so that decode → encode is byte-identical. Names carry the package's prefix
//! (`iotp2p.core.SemVer` → `iotp2p_core_sem_ver`, `IOTP2P_CORE_SEM_VER_MAX_ENCODED_SIZE`).
//!
//! Each package also gets an optional JSON unit, `<package>_json.h` and `<package>_json.c`: the
//! description of every type that the runtime's hosted `iotp2p_json.c` walks to convert between
//! canonical JSON (spec §4.18) and the encoding, and `_from_json`/`_to_json` per message and union,
//! which go through the codec's decoder and encoder. Firmware that links only the codec never
//! pulls it in.
//!
//! `view.rs` computes the facts (C names, literals, array levels) from the model, `json_view.rs`
//! those of the JSON unit; `templates/c/` (`package.h`, `package.c`, `macros.c`, `json.h`,
//! `json.c`) lays out every declaration and statement.

mod json_view;
pub mod names;
mod view;

use askama::Template;

use super::{Backend, GeneratedFile};
use crate::model::Model;
use json_view::{json_package_view, JsonPackageView};
pub use view::unsupported;
use view::{package_view, PackageView};

#[derive(Template)]
#[template(path = "c/package.h", escape = "none")]
struct HeaderTemplate<'v> {
    version: &'static str,
    pkg: &'v PackageView,
}

#[derive(Template)]
#[template(path = "c/package.c", escape = "none")]
struct SourceTemplate<'v> {
    version: &'static str,
    pkg: &'v PackageView,
}

#[derive(Template)]
#[template(path = "c/json.h", escape = "none")]
struct JsonHeaderTemplate<'v> {
    version: &'static str,
    pkg: &'v JsonPackageView,
}

#[derive(Template)]
#[template(path = "c/json.c", escape = "none")]
struct JsonSourceTemplate<'v> {
    version: &'static str,
    pkg: &'v JsonPackageView,
}

/// The C backend. Check [`unsupported`] first: the files of a model it names do not compile.
#[derive(Clone, Debug, Default)]
pub struct C {
    /// How messages and unions are generated.
    pub form: Form,
    /// For firmware that never re-encodes what it decodes: messages do not keep their unknown
    /// fields (no `unknown_fields` member, and no merge of them when encoding); a decoder still
    /// checks and skips them. Off by default: decode → encode is then byte-identical.
    pub drop_unknown_fields: bool,
    /// How decoded strings and bytes are held.
    pub strings: Strings,
}

/// How the C backend holds the strings and bytes of a decoded value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strings {
    /// A pointer and a length into the decoded input (`iotp_text`, `iotp_bytes`): no copy, and the
    /// value lives as long as the input.
    #[default]
    ZeroCopy,
    /// Copied into a buffer of the struct sized from the schema's bound (`struct { size_t len;
    /// char data[N + 1]; }`, the text followed by a NUL; bytes without), so that the value outlives
    /// the input. In tables such a field is marked `IOTP_FF_COPY`, which the runtime's
    /// interpreters read only when built with `IOTP_COPIED_STRINGS` (the generated `.c` refuses to
    /// compile without it). What has no bound in the schema still points into the input: retained
    /// unknown fields, an unknown union variant's value, and values of a recursive cycle kept
    /// encoded.
    Copy,
}

/// How the C backend generates messages and unions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Form {
    /// A const table per type, read and written by the runtime's interpreters: a field costs a few
    /// bytes of read-only data, the interpreters about 3 KB of code once (Cortex-M4, `-Os`). The
    /// smaller form for a schema of more than a few dozen fields (the core Envelope).
    #[default]
    Tables,
    /// A decoder and an encoder per type, calling the runtime's typed reads and writes: about 90
    /// bytes of code per field and no interpreter, so the smaller form for a schema of a few fields
    /// (zcbor's pet sample).
    Code,
}

impl Backend for C {
    fn unsupported(&self, model: &Model<'_>) -> Option<String> {
        unsupported(model)
    }

    fn generate(&self, model: &Model<'_>) -> Vec<GeneratedFile> {
        let mut files = Vec::new();
        for index in 0..model.packages().len() {
            let pkg = package_view(
                model,
                index,
                self.form,
                !self.drop_unknown_fields,
                self.strings,
            );
            let version = env!("CARGO_PKG_VERSION");
            let header = HeaderTemplate { version, pkg: &pkg };
            let source = SourceTemplate { version, pkg: &pkg };
            files.push(GeneratedFile {
                name: format!("{}.h", pkg.stem),
                contents: header.render().expect("the C header template renders") + "\n",
            });
            files.push(GeneratedFile {
                name: format!("{}.c", pkg.stem),
                contents: source.render().expect("the C source template renders") + "\n",
            });
            let pkg = json_package_view(model, index);
            let header = JsonHeaderTemplate { version, pkg: &pkg };
            let source = JsonSourceTemplate { version, pkg: &pkg };
            files.push(GeneratedFile {
                name: format!("{}_json.h", pkg.stem),
                contents: header.render().expect("the C JSON header template renders") + "\n",
            });
            files.push(GeneratedFile {
                name: format!("{}_json.c", pkg.stem),
                contents: source.render().expect("the C JSON source template renders") + "\n",
            });
        }
        files
    }
}
