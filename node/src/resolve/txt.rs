//! The TXT record of spec §3.2.2 at `_iotp2p.<domain>`: the node IDs of the domain's relay service.

use iotp2p_protocol::security::NodeId;

/// What a domain's iotp2p TXT record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayIds {
    /// The node IDs of `_relay@<domain>` (the `rid` tag), in their text form; empty without a `rid`
    /// tag.
    pub rids: Vec<String>,
}

/// A record that begins with `v=iotp2p1` and breaks the grammar of §3.2.2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxtError {
    /// A tag without `=`, or a tag name outside the grammar.
    #[error("tag {tag:?} is not of the form name=value with a lowercase name")]
    BadTag {
        /// The tag as written.
        tag: String,
    },
    /// A `rid` value that is not a node ID.
    #[error("rid value {value:?} is not a node ID (52 lowercase base32 characters)")]
    BadNodeId {
        /// The value as written.
        value: String,
    },
    /// Two `rid` tags.
    #[error("the rid tag appears twice")]
    RepeatedRid,
    /// Bytes that are not text.
    #[error("the record is not UTF-8 text")]
    NotText,
}

/// Parses one TXT record given as its strings, which are concatenated (RFC 7208 §3.3). Returns
/// `None` for a record that does not begin with `v=iotp2p1`, which a node ignores ([IOTP-DLV-10]);
/// tags it does not know are ignored ([IOTP-DLV-11]).
pub fn parse(strings: &[&[u8]]) -> Option<Result<RelayIds, TxtError>> {
    let bytes: Vec<u8> = strings.concat();
    let rest = bytes.strip_prefix(b"v=iotp2p1")?;
    // `v=iotp2p10` is another version, not this one.
    if !(rest.is_empty()
        || rest.starts_with(b";")
        || rest.iter().all(|b| *b == b' ' || *b == b'\t'))
    {
        return None;
    }
    Some(parse_tags(rest))
}

fn parse_tags(rest: &[u8]) -> Result<RelayIds, TxtError> {
    let rest = std::str::from_utf8(rest).map_err(|_| TxtError::NotText)?;
    let mut rids = None;
    for tag in rest.split(';').skip(1) {
        let tag = tag.trim_matches([' ', '\t']);
        if tag.is_empty() {
            // The optional `;` at the end.
            continue;
        }
        let (name, value) = tag
            .split_once('=')
            .ok_or_else(|| TxtError::BadTag { tag: tag.into() })?;
        let mut chars = name.chars();
        let valid_name = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_name {
            return Err(TxtError::BadTag { tag: tag.into() });
        }
        if name != "rid" {
            continue;
        }
        if rids.is_some() {
            return Err(TxtError::RepeatedRid);
        }
        let ids = value
            .split(',')
            .map(|id| match NodeId::parse(id) {
                Ok(_) => Ok(id.to_owned()),
                Err(_) => Err(TxtError::BadNodeId { value: id.into() }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        rids = Some(ids);
    }
    Ok(RelayIds {
        rids: rids.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RID: &str = "ssccfdng3ihje7bir5mmdvgomdxnlguuesioexgxzh5rwfljixoq";

    #[test]
    fn the_record_of_3_2_1_names_its_relay() {
        let record = format!("v=iotp2p1; rid={RID}");
        assert_eq!(
            parse(&[record.as_bytes()]),
            Some(Ok(RelayIds {
                rids: vec![RID.into()]
            }))
        );
    }

    #[test]
    fn strings_are_joined_and_unknown_tags_ignored() {
        let rid = format!("rid={RID},{RID}");
        let parsed = parse(&[b"v=iotp2p1;", b" x_1=any:thing ;", rid.as_bytes(), b";"]);
        assert_eq!(parsed.unwrap().unwrap().rids.len(), 2);
        assert_eq!(parse(&[b"v=iotp2p1"]), Some(Ok(RelayIds { rids: vec![] })));
    }

    #[test]
    fn other_records_are_ignored_and_broken_ones_refused() {
        assert_eq!(parse(&[b"v=spf1 -all"]), None);
        assert_eq!(parse(&[b"v=iotp2p10; rid=x"]), None);
        assert!(matches!(
            parse(&[b"v=iotp2p1; rid=abc"]),
            Some(Err(TxtError::BadNodeId { .. }))
        ));
        assert!(matches!(
            parse(&[b"v=iotp2p1; Rid=abc"]),
            Some(Err(TxtError::BadTag { .. }))
        ));
        assert!(matches!(
            parse(&[b"v=iotp2p1; novalue"]),
            Some(Err(TxtError::BadTag { .. }))
        ));
        let twice = format!("v=iotp2p1; rid={RID}; rid={RID}");
        assert_eq!(parse(&[twice.as_bytes()]), Some(Err(TxtError::RepeatedRid)));
    }
}
