{#- The head of `encode_to` for a message or union (borrowed or owned): inside a recursive cycle it
    starts `encode_in_cycle` with the cycle's `@max_depth` budget, the mirror of `decode_in_cycle`.
    Included where the body follows; rustfmt settles the indentation. #}

    /// Writes the canonical encoding, checking bounds and ranges first.
    pub fn encode_to(&self, w: &mut rt::Writer<'_>) -> Result<(), rt::EncodeError> {
{%- if let Some(budget) = item.budget %}
        self.encode_in_cycle(w, {{ budget }})
    }

    /// Encodes within its recursive cycle: `budget` is how many more nestings
    /// `@max_depth` allows; a value nested deeper is refused, as a decoder would
    /// refuse its encoding.
    pub(crate) fn encode_in_cycle(
        &self,
        w: &mut rt::Writer<'_>,
        budget: u32,
    ) -> Result<(), rt::EncodeError> {
{%- if item.counts_depth %}
        let Some(budget) = budget.checked_sub(1) else {
            return Err(rt::EncodeError::DepthExceeded);
        };
{%- endif %}
{%- endif %}
