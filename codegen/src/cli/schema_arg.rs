//! The schema that `decode` and `encode` work with: the core schema built into the tool, or schema
//! files given with `--schema` (and `-I` for their imports).

use std::path::PathBuf;

use clap::Args;

use iotp2p_codegen::ir::{Schema, Type};
use iotp2p_codegen::reflect::types::resolve_type;
use iotp2p_codegen::{Compilation, MemoryLoader};

/// The core schema, as shipped in `spec/schema/` and built into the library, so that `iotp2p decode`
/// works anywhere without a checkout.
const CORE: [(&str, &str); 3] = iotp2p_codegen::standard::FILES;

/// Which schema to use.
#[derive(Args, Debug)]
pub(crate) struct SchemaArgs {
    /// Schema files defining the type (with their imports). Default: the built-in core schema.
    #[arg(long = "schema", value_name = "FILE")]
    schema: Vec<PathBuf>,
    /// Directory in which to look for imported files. May be repeated.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
}

/// A compiled schema and the sources type expressions may import.
pub(crate) struct LoadedSchema {
    pub compilation: Compilation,
    sources: Vec<(String, String)>,
}

impl SchemaArgs {
    pub fn load(&self) -> LoadedSchema {
        if self.schema.is_empty() {
            let files = CORE
                .iter()
                .map(|(n, t)| (PathBuf::from(n), t.to_string()))
                .collect();
            let roots: Vec<PathBuf> = CORE.iter().map(|(n, _)| PathBuf::from(n)).collect();
            let compilation = iotp2p_codegen::compile(&roots, &MemoryLoader::new(files));
            let sources = CORE
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect();
            return LoadedSchema {
                compilation,
                sources,
            };
        }
        let loader = iotp2p_codegen::FsLoader {
            include_dirs: self.include.clone(),
        };
        let compilation = iotp2p_codegen::compile(&self.schema, &loader);
        let sources = compilation
            .sources
            .files()
            .map(|(_, f)| (f.name.clone(), f.text.clone()))
            .collect();
        LoadedSchema {
            compilation,
            sources,
        }
    }
}

/// Loads the schema and resolves `type_name` in it; on failure reports why and returns the exit code
/// (1 for a broken schema, 2 for a type that does not exist).
pub(crate) fn load_type(
    args: &SchemaArgs,
    type_name: &str,
) -> Result<(LoadedSchema, Type), std::process::ExitCode> {
    let loaded = args.load();
    if loaded.compilation.schema.is_none() {
        super::report(
            &loaded.compilation,
            super::Format::Human,
            super::Color::Auto,
        );
        return Err(std::process::ExitCode::from(1));
    }
    match loaded.resolve(type_name) {
        Ok(ty) => Ok((loaded, ty)),
        Err(e) => {
            eprintln!("error: {e}");
            Err(std::process::ExitCode::from(2))
        }
    }
}

impl LoadedSchema {
    /// The compiled schema (present: [`load_type`] refuses broken ones).
    pub fn schema(&self) -> &Schema {
        self.compilation
            .schema
            .as_ref()
            .expect("load_type checked the schema")
    }

    /// The type named on the command line: a full type name or a type expression.
    fn resolve(&self, name: &str) -> Result<Type, String> {
        let schema = self
            .compilation
            .schema
            .as_ref()
            .ok_or("the schema has errors")?;
        resolve_type(schema, &self.sources, name)
    }
}
