//! Encrypted PDFs, built here with the standard security handler (written
//! from the specification independently of the inspector's code: RC4 by
//! hand, keys and `/U` values computed the other way round). Files that open
//! without a password are decrypted and checked; the others are refused.

use super::builders::*;
use super::*;
use aes::{Aes128, Aes256};
use cbc::cipher::{BlockEncryptMut, KeyIvInit};
use md5::{Digest, Md5};
use sha2::{Sha256, Sha384, Sha512};

const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];
const ID: &[u8] = b"kyc-portal-test!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Rc4With40Bits,
    Rc4With128Bits,
    Aes128,
    Aes256,
}

const ALL: [Scheme; 4] = [
    Scheme::Rc4With40Bits,
    Scheme::Rc4With128Bits,
    Scheme::Aes128,
    Scheme::Aes256,
];

fn rc4(key: &[u8], data: &mut [u8]) {
    let mut s: Vec<u8> = (0..=255).collect();
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, j as usize);
    }
    let (mut i, mut j) = (0u8, 0u8);
    for byte in data {
        i = i.wrapping_add(1);
        j = j.wrapping_add(s[i as usize]);
        s.swap(i as usize, j as usize);
        *byte ^= s[s[i as usize].wrapping_add(s[j as usize]) as usize];
    }
}

fn hex(bytes: &[u8]) -> String {
    format!("<{}>", ::hex::encode(bytes))
}

fn aes_cbc_pad(key: &[u8], data: &[u8]) -> Vec<u8> {
    let iv = [7u8; 16];
    let mut padded = data.to_vec();
    let pad = 16 - padded.len() % 16;
    padded.extend(std::iter::repeat_n(pad as u8, pad));
    encrypt_blocks(key, &iv, &mut padded);
    let mut out = iv.to_vec();
    out.extend(padded);
    out
}

fn encrypt_blocks(key: &[u8], iv: &[u8], data: &mut [u8]) {
    if key.len() == 16 {
        let mut c = cbc::Encryptor::<Aes128>::new_from_slices(key, iv).unwrap();
        data.chunks_exact_mut(16)
            .for_each(|b| c.encrypt_block_mut(b.into()));
    } else {
        let mut c = cbc::Encryptor::<Aes256>::new_from_slices(key, iv).unwrap();
        data.chunks_exact_mut(16)
            .for_each(|b| c.encrypt_block_mut(b.into()));
    }
}

/// ISO 32000-2 algorithm 2.B, for any password.
fn hash_2b(password: &[u8], salt: &[u8]) -> Vec<u8> {
    let mut k = Sha256::new()
        .chain_update(password)
        .chain_update(salt)
        .finalize()
        .to_vec();
    let mut round = 0;
    loop {
        let mut e: Vec<u8> = [password, &k].concat().repeat(64);
        encrypt_blocks(&k[..16], &k[16..32], &mut e);
        k = match e[..16].iter().map(|&b| u32::from(b)).sum::<u32>() % 3 {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        round += 1;
        if round >= 64 && u32::from(*e.last().unwrap()) <= round - 32 {
            return k[..32].to_vec();
        }
    }
}

/// The encryption dictionary and file key for `user_password`.
fn security(scheme: Scheme, user_password: &[u8]) -> (String, Vec<u8>) {
    if scheme == Scheme::Aes256 {
        let (validation, key_salt) = ([1u8; 8], [2u8; 8]);
        let file_key = vec![0x5Au8; 32];
        let u = [
            hash_2b(user_password, &validation),
            validation.to_vec(),
            key_salt.to_vec(),
        ]
        .concat();
        let mut ue = file_key.clone();
        encrypt_blocks(&hash_2b(user_password, &key_salt), &[0; 16], &mut ue);
        let dict = format!(
            "<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 \
             /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> \
             /StmF /StdCF /StrF /StdCF /O {} /U {} /OE {} /UE {} /Perms {} >>",
            hex(&[3; 48]),
            hex(&u),
            hex(&[4; 32]),
            hex(&ue),
            hex(&[5; 16])
        );
        return (dict, file_key);
    }
    let (v, r, bytes, extra) = match scheme {
        Scheme::Rc4With40Bits => (1, 2, 5, String::new()),
        Scheme::Rc4With128Bits => (2, 3, 16, "/Length 128".to_owned()),
        _ => (
            4,
            4,
            16,
            "/Length 128 /CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> \
             /StmF /StdCF /StrF /StdCF"
                .to_owned(),
        ),
    };
    let o = [0x4F; 32];
    let p: i32 = -3904;
    let padded: Vec<u8> = user_password
        .iter()
        .chain(PAD.iter())
        .take(32)
        .copied()
        .collect();
    let mut key = Md5::new()
        .chain_update(&padded)
        .chain_update(o)
        .chain_update(p.to_le_bytes())
        .chain_update(ID)
        .finalize()
        .to_vec();
    if r >= 3 {
        for _ in 0..50 {
            key = Md5::digest(&key[..bytes]).to_vec();
        }
    }
    key.truncate(bytes);
    let u = if r == 2 {
        let mut u = PAD;
        rc4(&key, &mut u);
        u.to_vec()
    } else {
        let mut x = Md5::new()
            .chain_update(PAD)
            .chain_update(ID)
            .finalize()
            .to_vec();
        for i in 0..20u8 {
            let round: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            rc4(&round, &mut x);
        }
        x.extend_from_slice(&[0xAB; 16]);
        x
    };
    let dict = format!(
        "<< /Filter /Standard /V {v} /R {r} {extra} /P {p} /O {} /U {} >>",
        hex(&o),
        hex(&u)
    );
    (dict, key)
}

/// Encrypts the data of the stream of object `num` (generation 0).
fn encrypt_stream(scheme: Scheme, file_key: &[u8], num: u32, data: &[u8]) -> Vec<u8> {
    if scheme == Scheme::Aes256 {
        return aes_cbc_pad(file_key, data);
    }
    let aes = scheme == Scheme::Aes128;
    let mut md5 = Md5::new()
        .chain_update(file_key)
        .chain_update(&num.to_le_bytes()[..3])
        .chain_update([0, 0]);
    if aes {
        md5.update(b"sAlT");
    }
    let key = md5.finalize()[..(file_key.len() + 5).min(16)].to_vec();
    if aes {
        aes_cbc_pad(&key, data)
    } else {
        let mut out = data.to_vec();
        rc4(&key, &mut out);
        out
    }
}

/// Catalog, pages and page in clear objects; `action` (object 8) in an
/// encrypted, compressed object stream (5), run by a link on the page.
fn encrypted_pdf(scheme: Scheme, user_password: &[u8], action: &str) -> Vec<u8> {
    let (encrypt, key) = security(scheme, user_password);
    let header = "8 0 ";
    let content = zlib(format!("{header}{action}\n").as_bytes());
    let mut doc = Doc::with_pages("", LINK_TO_8);
    doc.object_bytes(
        5,
        &stream(
            &format!(
                "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
                header.len()
            ),
            &encrypt_stream(scheme, &key, 5, &content),
        ),
    );
    doc.entries.insert(8, XEntry::InStream(5, 0));
    doc.object(6, &encrypt);
    let id = hex(ID);
    doc.xref_stream(7, &format!("/Encrypt 6 0 R /ID [{id} {id}]"));
    doc.bytes()
}

const GO_TO: &str = "<< /S /GoTo /D [3 0 R /Fit] >>";

#[test]
fn files_that_open_without_a_password_are_decrypted_and_accepted() {
    for scheme in ALL {
        assert_eq!(
            inspect(&encrypted_pdf(scheme, b"", GO_TO)),
            Ok(FileKind::Pdf),
            "{scheme:?}"
        );
    }
}

#[test]
fn a_script_in_an_encrypted_object_stream_is_found_and_refused() {
    let script = "<< /S /J#61vaScript /JS (app.alert(1)) >>";
    for scheme in ALL {
        let file = encrypted_pdf(scheme, b"", script);
        assert!(!file.windows(4).any(|w| w == b"#61v"), "{scheme:?}");
        assert_eq!(inspect(&file), active("/JavaScript"), "{scheme:?}");
    }
}

#[test]
fn files_that_need_a_password_are_refused_as_such() {
    for scheme in ALL {
        assert_eq!(
            inspect(&encrypted_pdf(scheme, b"secret", GO_TO)),
            Err(Rejection::PdfPasswordProtected),
            "{scheme:?}"
        );
    }
}

#[test]
fn a_certificate_security_handler_counts_as_a_password() {
    let mut doc = Doc::with_pages("", "");
    doc.object(6, "<< /Filter /Adobe.PubSec /V 4 /R 4 >>");
    doc.table("/Encrypt 6 0 R");
    assert_eq!(inspect(&doc.bytes()), Err(Rejection::PdfPasswordProtected));
}

#[test]
fn the_password_refusal_has_its_own_message_for_the_pages() {
    use crate::errors::Rule;
    assert_eq!(
        Rule::File(Rejection::PdfPasswordProtected).message_id(),
        "rule-file-password"
    );
    assert_eq!(
        Rule::File(Rejection::Empty).message_id(),
        "rule-file-refused"
    );
    assert!(
        Rejection::PdfPasswordProtected
            .to_string()
            .contains("password")
    );
}
