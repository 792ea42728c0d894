//! The structural pass: after the streaming pass has checked every byte,
//! prove that what a reader loads is what was checked. It reads only the
//! cross-reference sections, the trailer, a few small objects (the
//! encryption dictionary, the catalog, indirect decode parameters) and the
//! object streams it must decode again, never the whole file.

use std::path::Path;

use super::capture::Capture;
use super::decode::{Budget, Decoder, Encoding};
use super::decrypt::{Decrypt, Security};
use super::dict_info::{DictInfo, Filters, Param};
use super::layout::{Layout, ObjectKind, ObjectRecord, Outcome};
use super::not_a_pdf;
use super::object::{Dict, Obj, ObjParser};
use super::objstm::{ObjStmCheck, Plan, plan};
use super::source::{Bytes, FileSource};
use super::xref::{Newest, Xref};
use crate::documents::inspect::Rejection;

/// Deepest chain of references followed for one value.
const MAX_HOPS: u32 = 8;

/// Runs the structural pass over the staged file at `path`.
pub(super) fn check(path: &Path, layout: &Layout, budget: &mut Budget) -> Result<(), Rejection> {
    let mut src = FileSource::open(path)?;
    let xref = Xref::read(layout, &mut src, budget)?;
    let mut pass = Structure {
        layout,
        xref: &xref,
        src: &mut src,
        budget,
        security: None,
    };
    pass.security = pass.open_encryption()?;
    pass.object_streams()?;
    pass.check_catalog()
}

struct Structure<'a> {
    layout: &'a Layout,
    xref: &'a Xref,
    src: &'a mut FileSource,
    budget: &'a mut Budget,
    security: Option<Security>,
}

fn too_deep() -> Rejection {
    Rejection::PdfUninspectable {
        reason: "references nested too deeply",
    }
}

impl Structure<'_> {
    /// The trailer's `/Encrypt`, opened with the empty password.
    fn open_encryption(&mut self) -> Result<Option<Security>, Rejection> {
        let Some(encrypt) = self.xref.trailer.get(b"Encrypt").cloned() else {
            return Ok(None);
        };
        if let Obj::Ref(num, _) = encrypt
            && let Newest::Compressed { .. } = self.xref.newest(self.layout, num)
        {
            return Err(not_a_pdf(
                "the encryption dictionary is in an object stream",
            ));
        }
        let dict = match self.resolve(&encrypt, 0)? {
            Obj::Null => return Ok(None),
            Obj::Dict(dict) => dict,
            _ => return Err(not_a_pdf("the encryption dictionary is not a dictionary")),
        };
        let id = match self.xref.trailer.get(b"ID") {
            Some(Obj::Array(ids)) => match ids.first() {
                Some(Obj::Str(id)) => id.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Security::open(&dict, &id).map(Some)
    }

    fn encrypted_streams(&self) -> bool {
        self.security
            .as_ref()
            .is_some_and(Security::encrypts_streams)
    }

    fn cipher_for(&self, record: &ObjectRecord) -> Option<Box<dyn Decrypt>> {
        self.security
            .as_ref()
            .and_then(|s| s.stream(record.num, record.generation))
    }

    /// Every object stream the streaming pass could not finish is decoded
    /// again, now that references and the key are known; in an encrypted
    /// file every one is (what the streaming pass saw was ciphertext).
    fn object_streams(&mut self) -> Result<(), Rejection> {
        let encrypted = self.encrypted_streams();
        for stream in &self.layout.streams {
            let Some(record) = self.layout.objects.get(stream.object as usize) else {
                continue;
            };
            if !matches!(record.kind, ObjectKind::ObjectStream(_)) {
                continue;
            }
            match (&stream.outcome, encrypted) {
                (Outcome::Checked, false) => continue,
                (Outcome::Held(rejection), false) => return Err(rejection.clone()),
                _ => {}
            }
            let (encoding, index) = self.stream_plan(record, 0)?;
            if let (Some((n, _)), Some(highest)) = (index, self.xref.highest_index(record.num))
                && i64::from(highest) >= n
            {
                return Err(not_a_pdf(
                    "a compressed object's index is past its container",
                ));
            }
            let mut check = ObjStmCheck::new(encoding, index, self.cipher_for(record))?;
            let budget = &mut *self.budget;
            self.src
                .read_range(stream.data, &mut |chunk| check.push(chunk, budget))?;
            check.finish(self.budget)?;
        }
        Ok(())
    }

    /// The catalog must be a dictionary with a page tree: a reader that
    /// finds none rebuilds the file from whatever looks like objects.
    fn check_catalog(&mut self) -> Result<(), Rejection> {
        let root = self.xref.trailer.get(b"Root").cloned().unwrap_or(Obj::Null);
        let Obj::Dict(catalog) = self.resolve(&root, 0)? else {
            return Err(not_a_pdf("the trailer's /Root is not a document catalog"));
        };
        let pages = catalog.get(b"Pages").cloned().unwrap_or(Obj::Null);
        match self.resolve(&pages, 0)? {
            Obj::Dict(_) => Ok(()),
            _ => Err(not_a_pdf("the document catalog has no page tree")),
        }
    }

    /// `obj`, with references followed as a reader follows them.
    fn resolve(&mut self, obj: &Obj, hops: u32) -> Result<Obj, Rejection> {
        let Obj::Ref(num, generation) = *obj else {
            return Ok(obj.clone());
        };
        if hops > MAX_HOPS {
            return Err(too_deep());
        }
        let value = match self.xref.newest(self.layout, num) {
            // A reference to nothing is the null object.
            Newest::Absent => return Ok(Obj::Null),
            Newest::Object(record) => {
                if record.generation != generation {
                    return Err(not_a_pdf(
                        "a reference's generation does not match its object",
                    ));
                }
                self.parse_object(record)?.1
            }
            Newest::Compressed { container, index } => {
                if generation != 0 {
                    return Err(not_a_pdf(
                        "a reference's generation does not match its object",
                    ));
                }
                self.compressed(container, index, num, hops)?
            }
        };
        self.resolve(&value, hops + 1)
    }

    /// The value of the top-level object `record`.
    fn parse_object(&mut self, record: &ObjectRecord) -> Result<((u32, u16), Obj), Rejection> {
        self.src.seek(record.start);
        let mut parser = ObjParser::new(&mut *self.src);
        let header = parser.object_header()?;
        Ok((header, parser.value()?))
    }

    fn compressed(
        &mut self,
        container: u32,
        index: u32,
        num: u32,
        hops: u32,
    ) -> Result<Obj, Rejection> {
        let Newest::Object(record) = self.xref.newest(self.layout, container) else {
            return Err(not_a_pdf("a compressed object's container does not exist"));
        };
        let ObjectKind::ObjectStream(stream) = record.kind else {
            return Err(not_a_pdf(
                "a compressed object's container is not an object stream",
            ));
        };
        let (encoding, header) = self.stream_plan(record, hops + 1)?;
        let Some((_, first)) = header else {
            return Err(Rejection::PdfUninspectable {
                reason: "an object stream without /N and /First",
            });
        };
        let data = self
            .layout
            .streams
            .get(stream as usize)
            .map(|s| s.data)
            .unwrap_or_default();
        let mut capture = Capture::new(first, index, num)?;
        let mut decoder = Decoder::new(encoding, self.cipher_for(record));
        let budget = &mut *self.budget;
        self.src.read_range(data, &mut |chunk| {
            decoder.push(chunk, budget, &mut |bytes| capture.push(bytes))
        })?;
        decoder.finish(self.budget, &mut |bytes| capture.push(bytes))?;
        capture.object()
    }

    /// How to decode the object stream `record`, its dictionary resolved.
    fn stream_plan(
        &mut self,
        record: &ObjectRecord,
        hops: u32,
    ) -> Result<(Encoding, Option<(i64, i64)>), Rejection> {
        if hops > MAX_HOPS {
            return Err(too_deep());
        }
        let Obj::Dict(dict) = self.parse_object(record)?.1 else {
            return Err(not_a_pdf("an object stream without a dictionary"));
        };
        let info = self.resolved_info(&dict, hops)?;
        match plan(&info)? {
            Plan::Decode(encoding, index) => Ok((encoding, index)),
            Plan::Defer => Err(too_deep()),
        }
    }

    /// What a stream dictionary says once its references are followed.
    fn resolved_info(&mut self, dict: &Dict, hops: u32) -> Result<DictInfo, Rejection> {
        let mut info = DictInfo {
            objstm: dict.name(b"Type") == Some(b"ObjStm"),
            ..DictInfo::default()
        };
        info.first = self.param(dict.get(b"First"), hops)?;
        info.n = self.param(dict.get(b"N"), hops)?;
        info.filters = match self.resolve_opt(dict.get(b"Filter"), hops)? {
            Obj::Null => Filters::None,
            Obj::Name(n) => filter(&n),
            Obj::Array(items) => {
                let mut filters = Filters::None;
                for item in &items {
                    filters = match (filters, self.resolve(item, hops + 1)?) {
                        (Filters::None, Obj::Name(n)) => filter(&n),
                        _ => Filters::Unsupported,
                    };
                }
                filters
            }
            _ => Filters::Unsupported,
        };
        let parms = match self.resolve_opt(dict.get(b"DecodeParms"), hops)? {
            Obj::Array(items) if items.len() <= 1 => match items.first() {
                Some(item) => self.resolve(item, hops + 1)?,
                None => Obj::Null,
            },
            other => other,
        };
        match parms {
            Obj::Null => {}
            Obj::Dict(parms) => {
                info.parms.predictor = self.param(parms.get(b"Predictor"), hops)?;
                info.parms.colors = self.param(parms.get(b"Colors"), hops)?;
                info.parms.bits = self.param(parms.get(b"BitsPerComponent"), hops)?;
                info.parms.columns = self.param(parms.get(b"Columns"), hops)?;
            }
            _ => info.parms.invalid = true,
        }
        Ok(info)
    }

    fn resolve_opt(&mut self, obj: Option<&Obj>, hops: u32) -> Result<Obj, Rejection> {
        match obj {
            Some(obj) => self.resolve(obj, hops + 1),
            None => Ok(Obj::Null),
        }
    }

    fn param(&mut self, obj: Option<&Obj>, hops: u32) -> Result<Param, Rejection> {
        Ok(match self.resolve_opt(obj, hops)? {
            Obj::Null => Param::Absent,
            Obj::Int(v) => Param::Int(v),
            _ => Param::Invalid,
        })
    }
}

fn filter(name: &[u8]) -> Filters {
    match name {
        b"FlateDecode" | b"Fl" => Filters::Flate,
        _ => Filters::Unsupported,
    }
}
