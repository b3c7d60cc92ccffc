//! What the protocol-engine generators (`sealing`, `framing`) share: building a vector around the
//! exact request the runner sends, and computing a response with the reference engine where the spec
//! gives no value (every such response is checked against hand-stated outcomes by its generator).

use crate::protocol::{Request, Response};
use crate::reference::engine;
use crate::vector::{Expect, Input, Level, Operation, Vector, VectorFile, SUITE_VERSION};

/// The reference engine's answer to `request`, or why it has none.
pub(crate) fn reference(request: &Request) -> Result<Response, String> {
    match engine::answer(request) {
        Some(Response::Errored { id, details }) => Err(format!("{id}: {details}")),
        Some(response) => Ok(response),
        None => Err(format!("not a protocol-engine request: {request:?}")),
    }
}

/// A vector of a protocol-engine operation: `request` carries the vector's id.
pub(crate) fn vector(
    description: impl Into<String>,
    requirements: &[&str],
    level: Level,
    operation: Operation,
    request: Request,
    expect: Expect,
) -> Vector {
    let id = crate::runner::request_id(&request)
        .expect("engine requests carry an id")
        .to_string();
    Vector {
        id,
        description: description.into(),
        requirements: requirements.iter().map(|r| r.to_string()).collect(),
        level,
        type_name: String::new(),
        operation,
        features: Vec::new(),
        input: Input {
            hex: None,
            diag: None,
            json: None,
            json_text: None,
            request: Some(request),
            scenario: None,
        },
        expect,
    }
}

/// The expectation that the testee answers exactly `response`.
pub(crate) fn respond(response: Response) -> Expect {
    Expect::Response { response }
}

/// The expectation that the testee refuses with `class`.
pub(crate) fn refuse(class: &str) -> Expect {
    Expect::Invalid {
        class: class.into(),
        offset: None,
    }
}

/// A vector file of the suite's version.
pub(crate) fn file(area: &str, description: &str, vectors: Vec<Vector>) -> VectorFile {
    VectorFile {
        suite_version: SUITE_VERSION.to_string(),
        area: area.to_string(),
        description: description.to_string(),
        vectors,
    }
}
