//! The standard security handler, for files that open without a password:
//! authenticate the empty user password (ISO 32000-1 algorithms 2 and 6 for
//! revisions 2–4; ISO 32000-2 algorithm 2.A/2.B for revisions 5 and 6) and
//! decrypt object streams as they stream through. Names and cross-reference
//! streams are never encrypted, so nothing else needs the key.

use aes::{Aes128, Aes256};
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit, KeyIvInit, StreamCipher};
use md5::{Digest, Md5};
use sha2::{Sha256, Sha384, Sha512};

use super::object::{Dict, Obj};
use crate::documents::inspect::Rejection;

/// The password padding string of algorithm 2.
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// Decrypts one stream's data as it streams through.
pub(super) trait Decrypt: Send {
    /// Appends the plaintext of `data` (as far as it can be known yet) to `out`.
    fn push(&mut self, data: &[u8], out: &mut Vec<u8>);
    /// Appends what was held back.
    fn finish(&mut self, out: &mut Vec<u8>);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Rc4,
    Aes128,
    Aes256,
}

/// An authenticated file key and how streams are encrypted with it.
#[derive(Debug, Clone)]
pub(super) struct Security {
    key: Vec<u8>,
    /// `None` when streams are not encrypted (the `/Identity` crypt filter).
    streams: Option<Method>,
}

fn password_needed() -> Rejection {
    Rejection::PdfPasswordProtected
}

fn unsupported(reason: &'static str) -> Rejection {
    Rejection::PdfUninspectable { reason }
}

impl Security {
    /// Opens the encryption dictionary with the empty user password; `id` is
    /// the first string of the trailer's `/ID`.
    pub(super) fn open(dict: &Dict, id: &[u8]) -> Result<Security, Rejection> {
        if dict.name(b"Filter") != Some(b"Standard") {
            // Certificate (public-key) handlers and others need a secret too.
            return Err(password_needed());
        }
        let v = dict.int(b"V")?.unwrap_or(0);
        let r = dict.int(b"R")?.unwrap_or(0);
        let o = dict.string(b"O").unwrap_or_default();
        let u = dict.string(b"U").unwrap_or_default();
        let (method, length) = methods(dict, v)?;
        let key = match r {
            2..=4 => {
                let bytes = if r == 2 { 5 } else { length / 8 };
                if !(5..=16).contains(&bytes) {
                    return Err(unsupported("unusual encryption key length"));
                }
                let p = dict.int(b"P")?.unwrap_or(0);
                let metadata = !matches!(dict.get(b"EncryptMetadata"), Some(Obj::Bool(false)));
                let key = file_key(o, p, id, r, metadata, bytes)?;
                if !user_password_is_empty(&key, u, id, r) {
                    return Err(password_needed());
                }
                key
            }
            5 | 6 => {
                let ue = dict.string(b"UE").unwrap_or_default();
                aes256_file_key(u, ue, r)?.ok_or_else(password_needed)?
            }
            _ => return Err(unsupported("unknown encryption revision")),
        };
        Ok(Security {
            key,
            streams: method,
        })
    }

    /// Whether stream data is encrypted at all.
    pub(super) fn encrypts_streams(&self) -> bool {
        self.streams.is_some()
    }

    /// The decryptor for the stream of object `num gen`.
    pub(super) fn stream(&self, num: u32, generation: u16) -> Option<Box<dyn Decrypt>> {
        let method = self.streams?;
        if method == Method::Aes256 {
            return Some(Box::new(AesStream::new(AesKey::A256(self.key.clone()))));
        }
        // Algorithm 1: a key per object.
        let mut md5 = Md5::new();
        md5.update(&self.key);
        md5.update(&num.to_le_bytes()[..3]);
        md5.update(generation.to_le_bytes());
        if method == Method::Aes128 {
            md5.update(b"sAlT");
        }
        let digest = md5.finalize();
        let n = (self.key.len() + 5).min(16);
        let key = digest.get(..n).unwrap_or_default();
        Some(match method {
            Method::Rc4 => Box::new(Rc4Stream(rc4(key)?)),
            _ => Box::new(AesStream::new(AesKey::A128(key.to_vec()))),
        })
    }
}

/// The stream method and key length in bits, from `/V` and the crypt filters.
fn methods(dict: &Dict, v: i64) -> Result<(Option<Method>, usize), Rejection> {
    let length = dict
        .int(b"Length")?
        .and_then(|l| usize::try_from(l).ok())
        .filter(|&l| l > 0);
    match v {
        1 => Ok((Some(Method::Rc4), 40)),
        2 => Ok((Some(Method::Rc4), length.unwrap_or(40))),
        4 | 5 => {
            let stm = dict.name(b"StmF").unwrap_or(b"Identity");
            if stm == b"Identity" {
                return Ok((None, length.unwrap_or(128)));
            }
            let filter = match dict.get(b"CF") {
                Some(Obj::Dict(cf)) => match cf.get(stm) {
                    Some(Obj::Dict(filter)) => filter,
                    _ => return Err(unsupported("unknown crypt filter")),
                },
                _ => return Err(unsupported("unknown crypt filter")),
            };
            // A crypt filter's length is in bytes, though some write bits.
            let filter_length = filter
                .int(b"Length")?
                .and_then(|l| usize::try_from(l).ok())
                .map(|l| if l < 40 { l * 8 } else { l });
            let bits = length.or(filter_length).unwrap_or(128);
            match (v, filter.name(b"CFM")) {
                (4, Some(b"V2")) => Ok((Some(Method::Rc4), bits)),
                (4, Some(b"AESV2")) => Ok((Some(Method::Aes128), 128)),
                (5, Some(b"AESV3")) => Ok((Some(Method::Aes256), 256)),
                (_, Some(b"None")) => Ok((None, bits)),
                _ => Err(unsupported("unknown crypt filter method")),
            }
        }
        _ => Err(unsupported("unknown encryption version")),
    }
}

/// Algorithm 2 with the empty password.
fn file_key(
    o: &[u8],
    p: i64,
    id: &[u8],
    r: i64,
    metadata: bool,
    bytes: usize,
) -> Result<Vec<u8>, Rejection> {
    let Some(o) = o.get(..32) else {
        return Err(unsupported("malformed encryption dictionary"));
    };
    let mut md5 = Md5::new();
    md5.update(PAD);
    md5.update(o);
    // `/P` is a 32-bit value some writers store unsigned.
    md5.update((p as u32).to_le_bytes());
    md5.update(id);
    if r >= 4 && !metadata {
        md5.update([0xFF; 4]);
    }
    let mut hash = md5.finalize().to_vec();
    if r >= 3 {
        for _ in 0..50 {
            hash = Md5::digest(hash.get(..bytes).unwrap_or_default()).to_vec();
        }
    }
    hash.truncate(bytes);
    Ok(hash)
}

/// Algorithms 4 and 5: does the key reproduce `/U`?
fn user_password_is_empty(key: &[u8], u: &[u8], id: &[u8], r: i64) -> bool {
    if r == 2 {
        let mut check = PAD;
        match rc4(key) {
            Some(mut cipher) => cipher.apply_keystream(&mut check),
            None => return false,
        }
        return u.get(..32) == Some(check.as_slice());
    }
    let mut check: Vec<u8> = {
        let mut md5 = Md5::new();
        md5.update(PAD);
        md5.update(id);
        md5.finalize().to_vec()
    };
    for i in 0u8..20 {
        let round: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        match rc4(&round) {
            Some(mut cipher) => cipher.apply_keystream(&mut check),
            None => return false,
        }
    }
    u.get(..16) == Some(check.as_slice())
}

/// Revisions 5 and 6: the file key, if the empty user password opens it.
fn aes256_file_key(u: &[u8], ue: &[u8], r: i64) -> Result<Option<Vec<u8>>, Rejection> {
    let (Some(hash), Some(validation), Some(key_salt), Some(ue)) =
        (u.get(..32), u.get(32..40), u.get(40..48), ue.get(..32))
    else {
        return Err(unsupported("malformed encryption dictionary"));
    };
    let password_hash = |salt: &[u8]| -> Vec<u8> {
        if r == 5 {
            Sha256::digest(salt).to_vec()
        } else {
            hardened_hash(salt)
        }
    };
    if password_hash(validation) != hash {
        return Ok(None);
    }
    let intermediate = password_hash(key_salt);
    let mut decryptor = cbc::Decryptor::<Aes256>::new_from_slices(&intermediate, &[0; 16])
        .map_err(|_| unsupported("malformed encryption dictionary"))?;
    let mut key = ue.to_vec();
    for block in key.chunks_exact_mut(16) {
        decryptor.decrypt_block_mut(block.into());
    }
    Ok(Some(key))
}

/// Algorithm 2.B for the empty password and no user key.
fn hardened_hash(salt: &[u8]) -> Vec<u8> {
    let mut k = Sha256::digest(salt).to_vec();
    let mut round = 0u32;
    loop {
        let mut e: Vec<u8> = k.repeat(64);
        let (Some(key), Some(iv)) = (k.get(..16), k.get(16..32)) else {
            return k;
        };
        if let Ok(mut encryptor) = cbc::Encryptor::<Aes128>::new_from_slices(key, iv) {
            for block in e.chunks_exact_mut(16) {
                encryptor.encrypt_block_mut(block.into());
            }
        }
        let sum: u32 = e.iter().take(16).map(|&b| u32::from(b)).sum();
        k = match sum % 3 {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        round += 1;
        let last = u32::from(e.last().copied().unwrap_or(0));
        if round >= 64 && last <= round - 32 {
            break;
        }
    }
    k.truncate(32);
    k
}

/// RC4 with a key of 5 to 16 bytes.
fn rc4(key: &[u8]) -> Option<Box<dyn StreamCipher + Send>> {
    use rc4::consts::{U5, U6, U7, U8, U9, U10, U11, U12, U13, U14, U15, U16};
    macro_rules! sized {
        ($($n:literal => $size:ty),*) => {
            match key.len() {
                $($n => rc4::Rc4::<$size>::new_from_slice(key)
                    .ok()
                    .map(|c| Box::new(c) as Box<dyn StreamCipher + Send>),)*
                _ => None,
            }
        };
    }
    sized!(5 => U5, 6 => U6, 7 => U7, 8 => U8, 9 => U9, 10 => U10, 11 => U11, 12 => U12,
        13 => U13, 14 => U14, 15 => U15, 16 => U16)
}

struct Rc4Stream(Box<dyn StreamCipher + Send>);

impl Decrypt for Rc4Stream {
    fn push(&mut self, data: &[u8], out: &mut Vec<u8>) {
        let from = out.len();
        out.extend_from_slice(data);
        if let Some(tail) = out.get_mut(from..) {
            self.0.apply_keystream(tail);
        }
    }

    fn finish(&mut self, _out: &mut Vec<u8>) {}
}

enum AesKey {
    A128(Vec<u8>),
    A256(Vec<u8>),
}

enum AesCbc {
    A128(Box<cbc::Decryptor<Aes128>>),
    A256(Box<cbc::Decryptor<Aes256>>),
}

/// AES-CBC with the IV in the first 16 bytes and PKCS#7 padding, which is
/// removed only when it is well formed (like lenient readers do).
struct AesStream {
    key: AesKey,
    cipher: Option<AesCbc>,
    pending: Vec<u8>,
    /// The last decrypted block, held back until it is known to be the last.
    held: Option<[u8; 16]>,
}

impl AesStream {
    fn new(key: AesKey) -> Self {
        AesStream {
            key,
            cipher: None,
            pending: Vec::with_capacity(32),
            held: None,
        }
    }
}

impl Decrypt for AesStream {
    fn push(&mut self, data: &[u8], out: &mut Vec<u8>) {
        self.pending.extend_from_slice(data);
        let mut used = 0;
        while let Some(block) = self.pending.get(used..used + 16) {
            let mut block: [u8; 16] = block.try_into().unwrap_or([0; 16]);
            used += 16;
            let Some(cipher) = &mut self.cipher else {
                self.cipher = match &self.key {
                    AesKey::A128(key) => cbc::Decryptor::<Aes128>::new_from_slices(key, &block)
                        .ok()
                        .map(|c| AesCbc::A128(Box::new(c))),
                    AesKey::A256(key) => cbc::Decryptor::<Aes256>::new_from_slices(key, &block)
                        .ok()
                        .map(|c| AesCbc::A256(Box::new(c))),
                };
                continue;
            };
            match cipher {
                AesCbc::A128(c) => c.decrypt_block_mut((&mut block).into()),
                AesCbc::A256(c) => c.decrypt_block_mut((&mut block).into()),
            }
            if let Some(previous) = self.held.replace(block) {
                out.extend_from_slice(&previous);
            }
        }
        self.pending.drain(..used);
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        let Some(last) = self.held.take() else {
            return;
        };
        let pad = usize::from(last[15]);
        let well_formed =
            (1..=16).contains(&pad) && last.iter().rev().take(pad).all(|&b| usize::from(b) == pad);
        let keep = if well_formed { 16 - pad } else { 16 };
        out.extend_from_slice(last.get(..keep).unwrap_or_default());
    }
}
