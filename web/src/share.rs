//! Share links: a definition carried in the URL fragment, compressed.
//!
//! The fragment is `asl=1.<payload>`, where the payload is the definition's UTF-8 text compressed
//! with raw DEFLATE and written in unpadded base64url. The fragment never reaches a server (browsers
//! do not send it), so sharing needs no network request of ours. The version digit lets a later
//! format live beside this one.

use base64::Engine as _;

/// The key that marks our fragment: `#asl=1.<payload>`.
const FRAGMENT_KEY: &str = "asl=";
/// The current payload format.
const FORMAT_VERSION: &str = "1";
/// A decoded definition larger than this is refused: a few hundred bytes of fragment could
/// otherwise inflate to gigabytes and stall the tab.
pub const MAX_DECODED_BYTES: usize = 8 * 1024 * 1024;
/// DEFLATE level: the best ratio; definitions are small, so the time does not matter.
const COMPRESSION_LEVEL: u8 = 9;

/// Why a share fragment could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareLinkError {
    /// The fragment is not ours (`asl=` missing).
    #[error("the link carries no definition (no '#asl=')")]
    NotAShareLink,
    /// A format version this build does not know.
    #[error("the link uses share format '{0}', this build reads '1'")]
    UnknownVersion(String),
    /// The payload is not base64url.
    #[error("the link's payload is not base64url: {0}")]
    BadEncoding(String),
    /// The payload does not inflate (corrupt, truncated, or over [`MAX_DECODED_BYTES`]).
    #[error("the link's payload does not decompress: {0}")]
    BadCompression(String),
    /// The inflated bytes are not UTF-8 text.
    #[error("the link's definition is not UTF-8 text: {0}")]
    NotText(String),
}

/// The URL fragment (without `#`) that carries `definition`.
#[must_use]
pub fn encode_fragment(definition: &str) -> String {
    let compressed =
        miniz_oxide::deflate::compress_to_vec(definition.as_bytes(), COMPRESSION_LEVEL);
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed);
    format!("{FRAGMENT_KEY}{FORMAT_VERSION}.{payload}")
}

/// The definition carried by a URL fragment (with or without its leading `#`).
///
/// # Errors
/// [`ShareLinkError`] naming what is wrong with the fragment.
pub fn decode_fragment(fragment: &str) -> Result<String, ShareLinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let rest = fragment
        .strip_prefix(FRAGMENT_KEY)
        .ok_or(ShareLinkError::NotAShareLink)?;
    let (version, payload) = rest
        .split_once('.')
        .ok_or_else(|| ShareLinkError::UnknownVersion(rest.chars().take(8).collect()))?;
    if version != FORMAT_VERSION {
        return Err(ShareLinkError::UnknownVersion(version.to_owned()));
    }
    // Links pasted from chat tools sometimes gain padding or whitespace: tolerate both.
    let payload: String = payload
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .collect();
    let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .map_err(|e| ShareLinkError::BadEncoding(e.to_string()))?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_DECODED_BYTES)
        .map_err(|e| ShareLinkError::BadCompression(format!("{:?}", e.status)))?;
    String::from_utf8(bytes).map_err(|e| ShareLinkError::NotText(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_definitions() -> Vec<(String, String)> {
        asl_studio_tests::files_under("corpus", &[".json"])
            .into_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                Some((path.display().to_string(), text))
            })
            .collect()
    }

    #[test]
    fn corpus_definitions_survive_a_share_link_byte_for_byte() {
        let definitions = corpus_definitions();
        assert!(definitions.len() > 10, "the bundled corpus is missing");
        for (name, text) in definitions {
            let fragment = encode_fragment(&text);
            assert!(fragment.starts_with("asl=1."), "{name}");
            assert!(
                fragment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"=.-_".contains(&b)),
                "{name}: fragment needs no percent-encoding"
            );
            assert_eq!(decode_fragment(&format!("#{fragment}")), Ok(text), "{name}");
        }
    }

    #[test]
    fn share_links_are_much_shorter_than_the_definition() {
        let (name, text) = corpus_definitions()
            .into_iter()
            .max_by_key(|(_, text)| text.len())
            .expect("the corpus has definitions");
        let fragment = encode_fragment(&text);
        assert!(
            fragment.len() * 2 < text.len(),
            "{name}: {} bytes of fragment for {} bytes of text",
            fragment.len(),
            text.len()
        );
    }

    #[test]
    fn foreign_and_damaged_fragments_are_refused_with_a_reason() {
        assert_eq!(decode_fragment(""), Err(ShareLinkError::NotAShareLink));
        assert_eq!(
            decode_fragment("#section-2"),
            Err(ShareLinkError::NotAShareLink)
        );
        assert_eq!(
            decode_fragment("asl=9.AAAA"),
            Err(ShareLinkError::UnknownVersion("9".to_owned()))
        );
        assert!(matches!(
            decode_fragment("asl=1.%%%"),
            Err(ShareLinkError::BadEncoding(_))
        ));
        let compressed = miniz_oxide::deflate::compress_to_vec(
            br#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#,
            9,
        );
        let truncated = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(&compressed[..compressed.len() / 2]);
        assert!(matches!(
            decode_fragment(&format!("asl=1.{truncated}")),
            Err(ShareLinkError::BadCompression(_))
        ));
        let not_text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe, 0x00], 6),
        );
        assert!(matches!(
            decode_fragment(&format!("asl=1.{not_text}")),
            Err(ShareLinkError::NotText(_))
        ));
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let bomb = vec![b' '; MAX_DECODED_BYTES + 1];
        let fragment = encode_fragment(std::str::from_utf8(&bomb).expect("spaces are UTF-8"));
        assert!(fragment.len() < 64 * 1024, "the bomb is small on the wire");
        assert!(matches!(
            decode_fragment(&fragment),
            Err(ShareLinkError::BadCompression(_))
        ));
    }
}
