//! The oracle: the schema-driven reflection codec of `iotp2p-codegen`, which applies
//! spec/04-wire-format.md rule by rule. It computes what the tables leave out (canonical JSON of an
//! accepted input, the bytes of an encoded value) and checks what the tables state by hand (classes,
//! offsets, canonical bytes): a case on which the oracle and the table disagree fails the generation,
//! unless it is listed in [`super::KNOWN_ORACLE_DEVIATIONS`], where the table follows the spec.

use std::collections::BTreeMap;
use std::path::PathBuf;

use iotp2p_codegen::ir::{Schema, Type};
use iotp2p_codegen::reflect::{self, types::named, Value};
use iotp2p_codegen::MemoryLoader;
use serde_json::Value as Json;

use super::case::{hex, Case, CaseInput, Want, CONFORMANCE, INVALID_VALUE};
use super::diag::diag;
use crate::vector::{Expect, Input, Operation, Outcome, Vector};

/// The schema files: the core schema of the spec and the conformance package.
pub(crate) const SOURCES: [(&str, &str); 4] = [
    ("core.iotp", include_str!("../../../spec/schema/core.iotp")),
    (
        "security.iotp",
        include_str!("../../../spec/schema/security.iotp"),
    ),
    (
        "capabilities.iotp",
        include_str!("../../../spec/schema/capabilities.iotp"),
    ),
    (
        "conformance.iotp",
        include_str!("../../schema/conformance.iotp"),
    ),
];

/// The compiled schema and the reflection codec over it.
pub(crate) struct Oracle {
    pub schema: Schema,
    /// Cases where the oracle is known to disagree with the spec, and whether each was met.
    deviations: BTreeMap<&'static str, bool>,
}

/// What the oracle does with a case's input.
#[derive(Debug, PartialEq)]
enum Outcome_ {
    Ok {
        json: Json,
        hex: Vec<u8>,
    },
    Err {
        class: String,
        offset: Option<usize>,
    },
}

impl Oracle {
    pub fn new(deviations: &[&'static str]) -> Result<Oracle, String> {
        let files = SOURCES
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        let roots: Vec<PathBuf> = SOURCES.iter().map(|(p, _)| PathBuf::from(p)).collect();
        let c = iotp2p_codegen::compile(&roots, &MemoryLoader::new(files));
        let schema = c.schema.ok_or_else(|| {
            let first = c.diagnostics.sorted().first().map(|d| d.message.clone());
            format!("the schemas do not compile: {}", first.unwrap_or_default())
        })?;
        Ok(Oracle {
            schema,
            deviations: deviations.iter().map(|d| (*d, false)).collect(),
        })
    }

    /// The full name of a type written in a case table.
    pub fn full_name(name: &str) -> String {
        if name.contains('.') {
            name.to_string()
        } else {
            format!("{CONFORMANCE}.{name}")
        }
    }

    /// The IR type of a named schema type.
    pub fn ty(&self, name: &str) -> Result<Type, String> {
        let full = Oracle::full_name(name);
        let def = self
            .schema
            .find_type(&full)
            .ok_or_else(|| format!("no type `{full}` in the schemas"))?;
        Ok(named(&def.full_name, &def.kind))
    }

    /// Encodes a value (the generic core vectors build values, not bytes).
    pub fn encode(&self, ty: &Type, value: &Value) -> Result<Vec<u8>, String> {
        reflect::encode(&self.schema, ty, value)
    }

    fn encode_json(&self, ty: &Type, json: &Json) -> Outcome_ {
        let encoded = reflect::from_json(&self.schema, ty, json)
            .and_then(|v| Ok((reflect::encode(&self.schema, ty, &v)?, v)));
        match encoded {
            Ok((bytes, value)) => Outcome_::Ok {
                json: reflect::to_json(&self.schema, ty, &value),
                hex: bytes,
            },
            Err(_) => Outcome_::Err {
                class: INVALID_VALUE.to_string(),
                offset: None,
            },
        }
    }

    fn run(&self, ty: &Type, input: &CaseInput) -> Outcome_ {
        match input {
            CaseInput::Hex(bytes) => match reflect::decode(&self.schema, ty, bytes) {
                Ok(d) => match reflect::encode(&self.schema, ty, &d.value) {
                    Ok(again) => Outcome_::Ok {
                        json: reflect::to_json(&self.schema, ty, &d.value),
                        hex: again,
                    },
                    Err(e) => Outcome_::Err {
                        class: format!("(re-encoding failed: {e})"),
                        offset: None,
                    },
                },
                Err(e) => Outcome_::Err {
                    class: e.class.name().to_string(),
                    offset: Some(e.offset),
                },
            },
            CaseInput::Json(json) => self.encode_json(ty, json),
            // A duplicate member name is refused as any other value that is not of the type.
            CaseInput::JsonText(text) => match reflect::parse_json_text(text) {
                Ok(json) => self.encode_json(ty, &json),
                Err(_) => Outcome_::Err {
                    class: INVALID_VALUE.to_string(),
                    offset: None,
                },
            },
        }
    }

    /// Builds the vector of `case` in `area`, checking the oracle against the hand-stated parts.
    pub fn vector(&mut self, area: &str, case: Case) -> Result<Vector, String> {
        let id = format!("{area}.{}", case.id);
        let type_name = Oracle::full_name(&case.type_name);
        let ty = self.ty(&type_name).map_err(|e| format!("{id}: {e}"))?;
        let got = self.run(&ty, &case.input);
        let operation = match case.input {
            CaseInput::Hex(_) => Operation::Decode,
            CaseInput::Json(_) | CaseInput::JsonText(_) => Operation::Encode,
        };
        let (expect, agrees) = self
            .expect(&case.input, &case.want, &got)
            .map_err(|e| format!("{id}: {e}"))?;
        match (self.deviations.get_mut(id.as_str()), agrees) {
            (None, true) => {}
            (None, false) => {
                return Err(format!(
                    "{id}: the oracle disagrees with the case table: table {:?}, oracle {got:?}",
                    case.want
                ))
            }
            (Some(_), true) => {
                return Err(format!(
                "{id}: listed as a known oracle deviation, but the oracle now agrees; remove it \
                     from KNOWN_ORACLE_DEVIATIONS"
            ))
            }
            (Some(met), false) => *met = true,
        }
        let mut requirements: Vec<String> =
            case.requirements.iter().map(|r| r.to_string()).collect();
        let general: &[&str] = match (&operation, &expect) {
            (Operation::Decode, Expect::Valid { .. }) => &["IOTP-WIRE-2", "IOTP-WIRE-57"],
            (
                Operation::Decode,
                Expect::Invalid {
                    offset: Some(_), ..
                },
            ) => &["IOTP-WIRE-3", "IOTP-WIRE-62", "IOTP-WIRE-63"],
            (Operation::Decode, _) => &["IOTP-WIRE-3", "IOTP-WIRE-62"],
            (Operation::Encode, Expect::Valid { .. }) => &["IOTP-WIRE-1"],
            // Codec cases only: the protocol-engine vectors are built without the oracle.
            _ => &[],
        };
        for r in general {
            if !requirements.iter().any(|x| x == r) {
                requirements.push(r.to_string());
            }
        }
        let input = match &case.input {
            CaseInput::Hex(bytes) => Input {
                hex: Some(hex(bytes)),
                diag: diag(bytes),
                json: None,
                json_text: None,
                request: None,
                scenario: None,
            },
            CaseInput::Json(json) => Input {
                hex: None,
                diag: None,
                json: Some(json.clone()),
                json_text: None,
                request: None,
                scenario: None,
            },
            CaseInput::JsonText(text) => Input {
                hex: None,
                diag: None,
                json: None,
                json_text: Some(text.clone()),
                request: None,
                scenario: None,
            },
        };
        Ok(Vector {
            id,
            description: case.description,
            requirements,
            level: case.level,
            type_name,
            operation,
            features: features(
                operation,
                &expect,
                input.json_text.is_some() || case.json_text_out,
            ),
            input,
            expect,
        })
    }

    /// The prescribed outcome of `want`, and whether the oracle's outcome `got` agrees with it.
    fn expect(
        &self,
        input: &CaseInput,
        want: &Want,
        got: &Outcome_,
    ) -> Result<(Expect, bool), String> {
        Ok(match want {
            Want::Valid { json, hex: bytes } => {
                let stated = match json {
                    Some(text) => Some(
                        serde_json::from_str::<Json>(text)
                            .map_err(|e| format!("bad JSON in the table: {e}"))?,
                    ),
                    None => None,
                };
                // For a decode case, the canonical bytes are the input itself (IOTP-WIRE-57).
                let canonical = match (input, bytes) {
                    (CaseInput::Hex(input), _) => Some(input.clone()),
                    (CaseInput::Json(_) | CaseInput::JsonText(_), Some(b)) => Some(b.clone()),
                    (CaseInput::Json(_) | CaseInput::JsonText(_), None) => None,
                };
                match got {
                    Outcome_::Ok {
                        json: got_json,
                        hex: got_hex,
                    } => {
                        let agrees = canonical.as_ref().is_none_or(|c| c == got_hex)
                            && stated.as_ref().is_none_or(|j| same_json(j, got_json));
                        (
                            Expect::Valid {
                                json: stated.unwrap_or_else(|| got_json.clone()),
                                hex: hex(canonical.as_ref().unwrap_or(got_hex)),
                            },
                            agrees,
                        )
                    }
                    Outcome_::Err { .. } => match (stated, canonical) {
                        (Some(json), Some(c)) => (Expect::Valid { json, hex: hex(&c) }, false),
                        _ => {
                            return Err(format!(
                                "the table says valid, the oracle rejects it: {got:?}"
                            ))
                        }
                    },
                }
            }
            Want::Invalid { class, offset } => {
                let agrees = match got {
                    Outcome_::Err {
                        class: c,
                        offset: o,
                    } => c == class && (offset.is_none() || o == offset),
                    Outcome_::Ok { .. } => false,
                };
                (
                    Expect::Invalid {
                        class: class.to_string(),
                        offset: *offset,
                    },
                    agrees,
                )
            }
            Want::Choice { choice, outcomes } => {
                let mut agrees = false;
                let mut out = Vec::new();
                for (value, w) in outcomes {
                    if matches!(w, Want::Choice { .. }) {
                        return Err("a choice inside a choice".into());
                    }
                    let (e, a) = self.expect(input, w, got)?;
                    agrees |= a;
                    out.push(Outcome {
                        choice: value.to_string(),
                        expect: Box::new(e),
                    });
                }
                (
                    Expect::ImplementationDefined {
                        choice: choice.to_string(),
                        outcomes: out,
                    },
                    agrees,
                )
            }
        })
    }

    /// Listed deviations that no case met.
    pub fn unmet_deviations(&self) -> Vec<&'static str> {
        self.deviations
            .iter()
            .filter(|(_, met)| !**met)
            .map(|(id, _)| *id)
            .collect()
    }
}

/// JSON values compared as written, so that -0.0 and 0.0 differ.
fn same_json(a: &Json, b: &Json) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

/// The features a vector exercises: `json` when it states canonical JSON, `offsets` when it states
/// an offset, `encode` for encode vectors, `json-text` when its input is JSON text.
fn features(operation: Operation, expect: &Expect, json_text: bool) -> Vec<String> {
    let mut out = Vec::new();
    if operation == Operation::Encode {
        out.push("encode".to_string());
    }
    if json_text {
        out.push("json-text".to_string());
    }
    let mut add = |f: &str| {
        if !out.iter().any(|x| x == f) {
            out.push(f.to_string());
        }
    };
    let visit = |e: &Expect, add: &mut dyn FnMut(&str)| match e {
        Expect::Valid { .. } => add("json"),
        Expect::Invalid {
            offset: Some(_), ..
        } => add("offsets"),
        _ => {}
    };
    match expect {
        Expect::ImplementationDefined { outcomes, .. } => {
            for o in outcomes {
                visit(&o.expect, &mut add);
            }
        }
        e => visit(e, &mut add),
    }
    out
}
