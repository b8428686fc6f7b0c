//! Resource names in a derived policy: literal text, `${Placeholder}` values that the exported
//! stack supplies as parameters / variables, and the deploying account's partition, region and
//! account id, kept apart so that each target can render them in its own syntax.

/// One piece of a resource name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// The value of the definition's `${Name}` placeholder (a template parameter / variable).
    Placeholder(String),
    /// The partition the stack is deployed in (`aws`, `aws-cn`, ...).
    Partition,
    /// The region the stack is deployed in.
    Region,
    /// The account the stack is deployed in.
    Account,
}

/// A resource in a policy statement: everything (`*`) or a name built from pieces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// `*`: the definition does not say which resource (the statement's note says why).
    Any,
    /// A resource name (an ARN, or an ARN pattern with `*`).
    Named(Vec<Piece>),
}

impl Resource {
    /// A name made of literal text and placeholders, as written in the definition.
    pub fn from_text(text: &str) -> Self {
        Self::Named(pieces(text))
    }

    /// `arn:<deploying partition>:<service>:<deploying region>:<deploying account>:<rest>`: a
    /// resource the definition names without its account, so the stack's own.
    pub fn own(service: &str, rest: &str) -> Self {
        let mut out = Vec::from(own_head(service));
        out.push(Piece::Text(":".to_owned()));
        out.extend(pieces(rest));
        Self::Named(normalise(out))
    }

    /// This name with `suffix` appended (for example `:*` for a function's versions).
    pub fn with_suffix(&self, suffix: &str) -> Self {
        match self {
            Self::Any => Self::Any,
            Self::Named(list) => {
                let mut list = list.clone();
                list.push(Piece::Text(suffix.to_owned()));
                Self::Named(normalise(list))
            }
        }
    }

    /// The literal text, when the name has no placeholder or deploy-time piece.
    pub fn literal(&self) -> Option<String> {
        match self {
            Self::Any => Some("*".to_owned()),
            Self::Named(list) => list
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(|parts| parts.concat()),
        }
    }

    /// For a resource of the stack's own account (`arn:<partition>:<service>:<region>:<account>:`
    /// followed by `prefix` and a name), the name's pieces: SAM policy templates take a name.
    pub fn own_name(&self, service: &str, prefix: &str) -> Option<Vec<Piece>> {
        let Self::Named(list) = self else {
            return None;
        };
        let rest = list.strip_prefix(&own_head(service)[..])?;
        let (first, tail) = rest.split_first()?;
        let Piece::Text(text) = first else {
            return None;
        };
        let name_start = text.strip_prefix(':')?.strip_prefix(prefix)?;
        let mut name = Vec::new();
        if !name_start.is_empty() {
            name.push(Piece::Text(name_start.to_owned()));
        }
        name.extend(tail.iter().cloned());
        let plain = name.iter().all(|piece| match piece {
            Piece::Text(text) => !text.contains([':', '/', '*']),
            Piece::Placeholder(_) => true,
            _ => false,
        });
        (plain && !name.is_empty()).then_some(name)
    }
}

/// `arn:<deploying partition>:<service>:<deploying region>:<deploying account>`, the head of the
/// stack's own resources' ARNs (without the `:` that follows).
fn own_head(service: &str) -> [Piece; 6] {
    [
        Piece::Text("arn:".to_owned()),
        Piece::Partition,
        Piece::Text(format!(":{service}:")),
        Piece::Region,
        Piece::Text(":".to_owned()),
        Piece::Account,
    ]
}

impl std::fmt::Display for Resource {
    /// CloudFormation's `Fn::Sub` spelling: `*`, or the name with `${Placeholder}` and
    /// `${AWS::Partition}` / `${AWS::Region}` / `${AWS::AccountId}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self::Named(list) = self else {
            return f.write_str("*");
        };
        for piece in list {
            match piece {
                Piece::Text(text) => f.write_str(text)?,
                Piece::Placeholder(name) => write!(f, "${{{name}}}")?,
                Piece::Partition => f.write_str("${AWS::Partition}")?,
                Piece::Region => f.write_str("${AWS::Region}")?,
                Piece::Account => f.write_str("${AWS::AccountId}")?,
            }
        }
        Ok(())
    }
}

/// Splits text into literal runs and `${Name}` placeholders; `${AWS::Partition}`,
/// `${AWS::Region}` and `${AWS::AccountId}` are the deploying account's own.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        let name = &after[..end];
        let plausible = !name.is_empty()
            && !name.starts_with('!')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'));
        if !plausible {
            out.push(Piece::Text(rest[..start + 2].to_owned()));
            rest = after;
            continue;
        }
        if start > 0 {
            out.push(Piece::Text(rest[..start].to_owned()));
        }
        out.push(match name {
            "AWS::Partition" => Piece::Partition,
            "AWS::Region" => Piece::Region,
            "AWS::AccountId" => Piece::Account,
            other => Piece::Placeholder(other.to_owned()),
        });
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_owned()));
    }
    normalise(out)
}

/// Joins adjacent literal pieces, so that equal names compare equal.
fn normalise(list: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(list.len());
    for piece in list {
        match (out.last_mut(), piece) {
            (Some(Piece::Text(previous)), Piece::Text(text)) => previous.push_str(&text),
            (_, Piece::Text(text)) if text.is_empty() => {}
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// Splits `text` at `separator`, except inside `${...}` (placeholder names such as
/// `${AWS::Region}` hold colons).
pub fn split_outside_placeholders(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = text.as_bytes();
    for (index, c) in text.char_indices() {
        match c {
            '{' if index > 0 && bytes[index - 1] == b'$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == separator && depth == 0 => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Whether the whole text is one `${Name}` placeholder (its value decides everything).
pub fn whole_placeholder(text: &str) -> Option<&str> {
    match pieces(text).as_slice() {
        [Piece::Placeholder(_)] => text.strip_prefix("${")?.strip_suffix('}'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_pseudo_parameters_are_told_apart() {
        assert_eq!(
            pieces("arn:${AWS::Partition}:sns:${AWS::Region}:${Acct}:topic"),
            vec![
                Piece::Text("arn:".into()),
                Piece::Partition,
                Piece::Text(":sns:".into()),
                Piece::Region,
                Piece::Text(":".into()),
                Piece::Placeholder("Acct".into()),
                Piece::Text(":topic".into()),
            ]
        );
    }

    #[test]
    fn splitting_keeps_placeholder_colons() {
        assert_eq!(
            split_outside_placeholders("arn:${AWS::Partition}:states:::x", ':'),
            vec!["arn", "${AWS::Partition}", "states", "", "", "x"]
        );
    }

    #[test]
    fn own_name_reads_back_the_name_of_an_own_account_resource() {
        let table = Resource::own("dynamodb", "table/${Table}");
        assert_eq!(
            table.own_name("dynamodb", "table/"),
            Some(vec![Piece::Placeholder("Table".into())])
        );
        assert_eq!(
            Resource::from_text("arn:aws:dynamodb:us-east-1:1:table/T")
                .own_name("dynamodb", "table/"),
            None
        );
    }
}
