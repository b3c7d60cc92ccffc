/// Calls `visitor` with the type named `type_name` (one of [`TYPE_NAMES`]): its owned form, or the
/// enum itself, as a [`FuzzType`]({{ runtime }}::fuzz::FuzzType). `None` when the name is not one of
/// the types generated here. For fuzzing: one generic body runs for every type.
{% if any_deprecated -%}
#[allow(deprecated)]
{% endif -%}
pub fn visit_type<__V: {{ runtime }}::fuzz::Visitor>(type_name: &str, visitor: __V) -> Option<__V::Output> {
    Some(match type_name {
{%- for t in types %}
        "{{ t.full_name }}" => visitor.visit::<{{ t.owned_path }}>(),
{%- endfor %}
        _ => return None,
    })
}
