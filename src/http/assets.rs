//! Versions of the stylesheets and scripts the pages name: each URL carries one (`?v=…`)
//! derived from the file's content, so a browser that keeps a file for an hour fetches the
//! new one the first time a page of a new release names it.

use sha2::{Digest, Sha256};

/// A version of `files`' content: 12 hex digits of their SHA-256, changing whenever any does.
pub fn version_of(files: &[&str]) -> String {
    let digest = files
        .iter()
        // Each file's length first, so that no two lists of files read as one another.
        .fold(Sha256::new(), |hash, file| {
            hash.chain_update((file.len() as u64).to_le_bytes())
                .chain_update(file)
        })
        .finalize();
    hex::encode(&digest[..6])
}

#[cfg(test)]
mod tests {
    use super::version_of;

    #[test]
    fn the_version_names_the_content() {
        let version = version_of(&["a { color: red }", "b"]);
        assert_eq!(version.len(), 12);
        assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(version, version_of(&["a { color: red }", "b"]));
        assert_ne!(version, version_of(&["a { color: blue }", "b"]));
        assert_ne!(version, version_of(&["a { color: red }", "c"]));
        assert_ne!(version_of(&["ab", "c"]), version_of(&["a", "bc"]));
    }
}
