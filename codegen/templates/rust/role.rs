{#- Encoding by role (`@sent_by`), in both forms: a union's guard per variant and the role
    parameter of an encoder by role. #}

{#- The first statement of a union variant's arm when the union encodes by role: a variant the role
    never sends is refused, and since the condition is a constant, the rest of the arm, the
    variant's encoder, leaves the role's code. The role's `rt::Sends` is the borrowed union's, which
    the owned form (`owned`) names by its path. #}
{%- macro sent(item, v, owned) -%}
{%- if item.sends_by_role %}
                if const { !rt::sends::<R, {% if owned %}super::{{ item.name }}<'static>{% else %}Self{% endif %}>({{ v.key }}) } {
                    return Err(rt::EncodeError::NotSentByRole);
                }
{%- endif %}
{%- endmacro %}

{#- The role parameter of an encoder by role, with a bound for each union it reaches: for the
    borrowed form, the union with the value's lifetime; for the owned form (in the module `owned`),
    the borrowed union of any lifetime. #}
{%- macro sends_param(item, owned) -%}
<R: {% for u in item.sent_unions %}{% if !loop.first %} + {% endif %}{% if owned %}for<'b> rt::Sends<super::{{ u }}<'b>>{% else %}rt::Sends<{{ u }}<'a>>{% endif %}{% endfor %}>
{%- endmacro %}
