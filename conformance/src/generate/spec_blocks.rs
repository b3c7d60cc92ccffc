//! The spec's fenced blocks of normative test data (```` ```iotp-vector ```` in chapter 13,
//! ```` ```iotp-fragments ```` in chapter 5), read as `name: value` items, so that the protocol-engine
//! vectors take their values from the spec's text and never from a copy of it.

/// One block: its items in order (a name may repeat, as `frame` does in `iotp-fragments`).
pub(crate) struct Block {
    /// Where the block is, for messages: `file:line`.
    pub at: String,
    pub items: Vec<(String, String)>,
}

impl Block {
    /// The value of the first item called `name`.
    pub fn get(&self, name: &str) -> Result<&str, String> {
        self.items
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| format!("{}: the block has no item `{name}`", self.at))
    }

    /// The value of an optional item.
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.get(name).ok()
    }

    /// Every value of the items called `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.items
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A byte string item (spaces between bytes allowed, as chapter 5 writes them).
    pub fn bytes(&self, name: &str) -> Result<Vec<u8>, String> {
        hex_bytes(self.get(name)?).map_err(|e| format!("{}: `{name}`: {e}", self.at))
    }

    /// A decimal item.
    pub fn number(&self, name: &str) -> Result<u64, String> {
        let text = self.get(name)?;
        text.parse()
            .map_err(|_| format!("{}: `{name}` is not a number: {text}", self.at))
    }
}

/// Bytes written in hex, with or without spaces between them.
pub(crate) fn hex_bytes(text: &str) -> Result<Vec<u8>, String> {
    let compact: String = text.split_whitespace().collect();
    crate::suite::unhex(&compact)
}

/// Every block of `text` (the chapter `file`) whose info string is `info`.
pub(crate) fn blocks(file: &str, text: &str, info: &str) -> Result<Vec<Block>, String> {
    let fence = format!("```{info}");
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line.trim_end() != fence {
            continue;
        }
        let mut items = Vec::new();
        for (m, line) in lines.by_ref() {
            if line.trim_end() == "```" {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("{file}:{}: not `name: value`: {line}", m + 1))?;
            let value = value.strip_prefix(' ').unwrap_or(value);
            items.push((name.to_string(), value.to_string()));
        }
        out.push(Block {
            at: format!("{file}:{}", n + 1),
            items,
        });
    }
    Ok(out)
}
