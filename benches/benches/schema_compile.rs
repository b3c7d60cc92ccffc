//! Schema compiler throughput on a generated 5,000-line schema (see `iotp2p_benches::schema`).
//!
//! - `schema_compile/parse`: lexing and parsing alone (text → syntax tree);
//! - `schema_compile/parse_validate`: the whole front end (`compile_str`: load, parse, resolve,
//!   validate, lower → IR), the work `iotp2p check` does on one file.
//!
//! Run with `cargo bench -p iotp2p-benches --bench schema_compile`. Target: parse + validate under
//! 20 ms on the reference 2-core machine (figures in benches/README.md).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iotp2p_benches::schema::{large_schema, LARGE_SCHEMA_LINES};
use iotp2p_codegen::diagnostics::Diagnostics;
use iotp2p_codegen::source::FileId;

fn schema_compile(c: &mut Criterion) {
    let text = large_schema(LARGE_SCHEMA_LINES);
    let types = iotp2p_codegen::compile_str("large.iotp", &text, &[])
        .schema
        .map_or(0, |s| {
            s.packages.iter().map(|p| p.types.len()).sum::<usize>()
        });
    eprintln!(
        "schema_compile input: {} lines, {} bytes, {types} types",
        text.lines().count(),
        text.len()
    );
    let mut group = c.benchmark_group("schema_compile");
    group.throughput(Throughput::Bytes(text.len() as u64));

    group.bench_function("parse", |b| {
        b.iter(|| {
            let mut diagnostics = Diagnostics::new();
            let tree = iotp2p_codegen::syntax::parse(FileId(0), black_box(&text), &mut diagnostics);
            assert!(diagnostics.is_empty());
            tree
        })
    });

    group.bench_function("parse_validate", |b| {
        b.iter(|| {
            let compilation = iotp2p_codegen::compile_str("large.iotp", black_box(&text), &[]);
            assert!(compilation.schema.is_some());
            compilation
        })
    });

    group.finish();
}

criterion_group!(benches, schema_compile);
criterion_main!(benches);
