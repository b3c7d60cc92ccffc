/// Decodes `input` as the type named `type_name` (one of [`TYPE_NAMES`]) and writes the
/// value's canonical JSON form (spec/04-wire-format.md §4.18) with `serializer`: what tools,
/// logs and test vectors show. `None` when the name is not one of the types generated here.
{% if any_deprecated -%}
#[allow(deprecated)]
{% endif -%}
pub fn to_json<__S: {{ runtime }}::serde::Serializer>(
    type_name: &str,
    input: &[u8],
    serializer: __S,
) -> Option<Result<__S::Ok, {{ runtime }}::json::Error<__S::Error>>> {
    use {{ runtime }}::json;
    Some(match type_name {
{%- for t in types %}
        "{{ t.full_name }}" => json::to_json::<{{ t.path }}, _>(input, serializer),
{%- endfor %}
        _ => return None,
    })
}

/// Reads the canonical JSON form (spec/04-wire-format.md §4.18) of a value of the type
/// named `type_name` (one of [`TYPE_NAMES`]) with `deserializer`, and returns the value's
/// encoding. `None` when the name is not one of the types generated here.
{% if any_deprecated -%}
#[allow(deprecated)]
{% endif -%}
pub fn from_json<'de, __D: {{ runtime }}::serde::Deserializer<'de>>(
    type_name: &str,
    deserializer: __D,
) -> Option<Result<{{ runtime }}::alloc::vec::Vec<u8>, {{ runtime }}::json::Error<__D::Error>>> {
    use {{ runtime }}::json;
    Some(match type_name {
{%- for t in types %}
        "{{ t.full_name }}" => json::from_json::<{{ t.owned_path }}, _>(deserializer),
{%- endfor %}
        _ => return None,
    })
}
