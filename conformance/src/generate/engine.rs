//! What the protocol-engine generators (`sealing`, `framing`) share: building a vector around the
//! exact request the runner sends, and computing a response with the reference engine where the spec
//! gives no value (every such response is checked against hand-stated outcomes by its generator).

use crate::protocol::{Request, Response};
use crate::reference::{crypto, engine};
use crate::vector::{Expect, Input, Level, Operation, Vector, VectorFile, SUITE_VERSION};

/// The reference engine's answer to `request`, or why it has none.
pub(crate) fn reference(request: &Request) -> Result<Response, String> {
    match engine::answer(request).or_else(|| crypto::answer(request)) {
        Some(Response::Errored { id, details }) => Err(format!("{id}: {details}")),
        Some(response) => Ok(response),
        None => Err(format!("not a protocol-engine request: {request:?}")),
    }
}

/// Checks the reference engine's answer against the stated one, and returns the stated one.
pub(crate) fn agreed(request: &Request, stated: Response) -> Result<Response, String> {
    let engine = reference(request)?;
    if engine != stated {
        return Err(format!(
            "the reference engine answers {engine:?} where the vector states {stated:?}"
        ));
    }
    Ok(stated)
}

/// Checks that the reference engine refuses `request` with `class`.
pub(crate) fn check_refusal(request: &Request, class: &str) -> Result<(), String> {
    match reference(request)? {
        Response::Error { class: got, .. } if got == class => Ok(()),
        other => Err(format!(
            "the reference engine answers {other:?} where `{class}` is stated"
        )),
    }
}

/// A MUST vector whose outcome is stated: the response `Ok`, or the refusal class `Err`; the
/// reference engine must agree.
pub(crate) fn stated(
    description: impl Into<String>,
    requirements: &[&str],
    operation: Operation,
    request: Request,
    outcome: Result<Response, &str>,
) -> Result<Vector, String> {
    let id = crate::runner::request_id(&request)
        .unwrap_or_default()
        .to_string();
    let expect = match outcome {
        Ok(response) => respond(agreed(&request, response).map_err(|e| format!("{id}: {e}"))?),
        Err(class) => {
            check_refusal(&request, class).map_err(|e| format!("{id}: {e}"))?;
            refuse(class)
        }
    };
    Ok(vector(
        description,
        requirements,
        Level::Must,
        operation,
        request,
        expect,
    ))
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
    Expect::Response {
        response: Box::new(response),
    }
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
