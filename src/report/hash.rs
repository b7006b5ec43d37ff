//! Content hashes (SHA-256) for the audit trail: of a policy with its used files, and of
//! input and output files.
//!
//! The policy hash is the SHA-256 of the list of its files' SHA-256 digests, in load order
//! (the main file first), each as lowercase hex followed by a newline. So it can be
//! recomputed with standard tools:
//!
//! ```sh
//! sha256sum rules/icp.icp rules/sanctions.icp | cut -d' ' -f1 | sha256sum
//! ```

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::source::SourceMap;

/// The SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a file's bytes, read in blocks (the file is never held whole).
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The hash of a policy: SHA-256 over its files' digests (see the module docs).
pub fn policy_hash(sources: &SourceMap) -> String {
    let mut hasher = Sha256::new();
    for file in sources.files() {
        hasher.update(sha256_hex(file.text.as_bytes()).as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_and_abc() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
