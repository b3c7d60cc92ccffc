//! scratch
#[path = "support/fmt_helpers.rs"]
mod helpers;
use iotp2p_codegen::diagnostics::Diagnostics;
use iotp2p_codegen::source::FileId;
use iotp2p_codegen::syntax::lexer::lex;
use iotp2p_codegen::syntax::{parse, printer::print};

struct R(u64);
impl R {
    fn b(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn soup() {
    let mut sources: Vec<String> = Vec::new();
    for dir in ["tests/schemas/valid", "tests/fmt"] {
        for (_, t) in helpers::schema_files(std::path::Path::new(dir)) {
            sources.push(t);
        }
    }
    let inserts = [
        "// c\n",
        "/* b */",
        "/* m\n l */",
        "/// d\n",
        "\n\n",
        " ",
        "\n",
        "//// r\n",
        "// e",
        "@x.y ",
        "@x.z(1) ",
    ];
    let mut r = R(0x1234_5678_9abc_def1);
    let (mut ok, mut total) = (0, 0);
    for _ in 0..200000 {
        let src = &sources[r.b(sources.len() as u64) as usize];
        let toks = lex(FileId(0), src, &mut Diagnostics::new());
        let mut out = String::new();
        let mut last = 0;
        for t in &toks {
            let gap = &src[last..t.span.start as usize];
            out.push_str(gap);
            if r.b(40) == 0 {
                out.push_str(inserts[r.b(inserts.len() as u64) as usize]);
            }
            if r.b(2000) == 0 {
                last = t.span.end as usize;
                continue;
            } // drop token
            out.push_str(&src[t.span.start as usize..t.span.end as usize]);
            last = t.span.end as usize;
        }
        total += 1;
        let mut d = Diagnostics::new();
        let tree = parse(FileId(0), &out, &mut d);
        if d.has_errors() {
            continue;
        }
        ok += 1;
        let p1 = print(&tree);
        let mut d2 = Diagnostics::new();
        let t2 = parse(FileId(0), &p1, &mut d2);
        assert!(
            !d2.has_errors(),
            "printed text does not parse:\n{out}\n----\n{p1}"
        );
        let p2 = print(&t2);
        assert!(
            p1 == p2,
            "not idempotent:\n{out}\n----\n{p1}\n----\n{p2}\n{}",
            helpers::first_difference(&p1, &p2)
        );
        assert_eq!(
            helpers::comments(&out),
            helpers::comments(&p1),
            "comments:\n{out}\n----\n{p1}"
        );
        if ok % 5 == 0 {
            let c1 = iotp2p_codegen::compile_str("m.iotp", &out, &[]);
            let c2 = iotp2p_codegen::compile_str("m.iotp", &p1, &[]);
            let mut k1: Vec<_> = c1
                .diagnostics
                .iter()
                .map(|d| (d.code, d.message.clone()))
                .collect();
            let mut k2: Vec<_> = c2
                .diagnostics
                .iter()
                .map(|d| (d.code, d.message.clone()))
                .collect();
            k1.sort();
            k2.sort();
            assert_eq!(k1, k2, "diagnostics differ:\n{out}\n----\n{p1}");
            if c1.schema.is_some() {
                assert_eq!(
                    helpers::ir_without_positions(&c1, "a"),
                    helpers::ir_without_positions(&c2, "b")
                );
            }
        }
    }
    eprintln!("{ok}/{total} parsed");
}
