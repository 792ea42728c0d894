//! What the dictionary of a stream says about how to read it: is it an
//! object stream or a cross-reference stream, its filters and predictor, and
//! whether any of that is an indirect reference that only the structural
//! pass can resolve.

/// Dictionary keys whose values matter for the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Type,
    Filter,
    DecodeParms,
    First,
    N,
    Root,
    Predictor,
    Colors,
    BitsPerComponent,
    Columns,
    Other,
}

impl Key {
    pub(super) fn of(name: Option<&[u8]>) -> Key {
        match name {
            Some(b"Type") => Key::Type,
            Some(b"Filter") => Key::Filter,
            Some(b"DecodeParms") => Key::DecodeParms,
            Some(b"First") => Key::First,
            Some(b"N") => Key::N,
            Some(b"Root") => Key::Root,
            Some(b"Predictor") => Key::Predictor,
            Some(b"Colors") => Key::Colors,
            Some(b"BitsPerComponent") => Key::BitsPerComponent,
            Some(b"Columns") => Key::Columns,
            _ => Key::Other,
        }
    }
}

/// Which dictionary or array a container is, as far as [`DictInfo`] cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// The object's (or trailer's) own dictionary.
    Top,
    /// The array value of `/Filter`.
    Filters,
    /// The array value of `/DecodeParms`.
    ParmsList,
    /// A decode parameters dictionary.
    Parms,
    Other,
}

/// A completed value, as far as the grammar cares.
#[derive(Debug, Clone, Copy)]
pub(super) enum Val<'a> {
    Int(i64),
    Name(Option<&'a [u8]>),
    Ref,
    OpenDict,
    OpenArray,
    Other,
}

/// An integer entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Param {
    #[default]
    Absent,
    Int(i64),
    /// An indirect reference: known only once the structure is read.
    Indirect,
    /// Anything else (a name, a string, ...).
    Invalid,
}

impl Param {
    fn of(val: Val<'_>) -> Param {
        match val {
            Val::Int(v) => Param::Int(v),
            Val::Ref => Param::Indirect,
            _ => Param::Invalid,
        }
    }
}

/// The filters of a stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Filters {
    #[default]
    None,
    /// Exactly one filter, `/FlateDecode`.
    Flate,
    /// An indirect reference (the filter or one in the array).
    Indirect,
    /// Anything else: other filters, chains.
    Unsupported,
}

impl Filters {
    fn add(self, val: Val<'_>) -> Filters {
        match (self, val) {
            (Filters::Indirect, _) | (_, Val::Ref) => Filters::Indirect,
            (Filters::None, Val::Name(Some(b"FlateDecode" | b"Fl"))) => Filters::Flate,
            _ => Filters::Unsupported,
        }
    }
}

/// The decode parameters of a stream (for its one filter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Parms {
    pub(super) predictor: Param,
    pub(super) colors: Param,
    pub(super) bits: Param,
    pub(super) columns: Param,
    /// `/DecodeParms` or one of its parts is an indirect reference.
    pub(super) indirect: bool,
    /// Not a dictionary, or an array of more than one.
    pub(super) invalid: bool,
    /// Elements of a `/DecodeParms` array.
    elements: u32,
}

/// What the top-level dictionary of the current object or trailer says.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DictInfo {
    pub(super) objstm: bool,
    pub(super) xref: bool,
    pub(super) root: bool,
    pub(super) first: Param,
    pub(super) n: Param,
    pub(super) filters: Filters,
    pub(super) parms: Parms,
}

impl DictInfo {
    /// Whether a reader could use this stream as an object stream: `/First`
    /// is all a lax one needs.
    pub(super) fn is_object_stream(&self) -> bool {
        self.objstm || self.first != Param::Absent
    }

    /// A value completed at `key` of a container with `role`. Returns the
    /// role of the container `val` opens, if it opens one.
    pub(super) fn value(&mut self, role: Role, key: Key, val: Val<'_>) -> Role {
        match role {
            Role::Top => self.top_value(key, val),
            Role::Filters => {
                self.filters = self.filters.add(val);
                Role::Other
            }
            Role::ParmsList => {
                self.parms.elements = self.parms.elements.saturating_add(1);
                if self.parms.elements > 1 {
                    self.parms.invalid = true;
                }
                match val {
                    Val::OpenDict => Role::Parms,
                    Val::Ref => {
                        self.parms.indirect = true;
                        Role::Other
                    }
                    Val::Other => Role::Other,
                    _ => {
                        self.parms.invalid = true;
                        Role::Other
                    }
                }
            }
            Role::Parms => {
                let param = Param::of(val);
                self.parms.indirect |= param == Param::Indirect;
                match key {
                    Key::Predictor => self.parms.predictor = param,
                    Key::Colors => self.parms.colors = param,
                    Key::BitsPerComponent => self.parms.bits = param,
                    Key::Columns => self.parms.columns = param,
                    _ => {}
                }
                Role::Other
            }
            Role::Other => Role::Other,
        }
    }

    fn top_value(&mut self, key: Key, val: Val<'_>) -> Role {
        match (key, val) {
            (Key::Type, Val::Name(Some(b"ObjStm"))) => self.objstm = true,
            (Key::Type, Val::Name(Some(b"XRef"))) => self.xref = true,
            (Key::Root, _) => self.root = true,
            (Key::First, _) => self.first = Param::of(val),
            (Key::N, _) => self.n = Param::of(val),
            (Key::Filter, Val::OpenArray) => return Role::Filters,
            (Key::Filter, _) => self.filters = Filters::None.add(val),
            (Key::DecodeParms, Val::OpenDict) => return Role::Parms,
            (Key::DecodeParms, Val::OpenArray) => return Role::ParmsList,
            (Key::DecodeParms, Val::Ref) => self.parms.indirect = true,
            // `null` is no parameters; the grammar reports it as `Other`, as
            // it does strings and reals, which are invalid here but make the
            // predictor default and so cannot hide anything.
            (Key::DecodeParms, _) => {}
            _ => {}
        }
        Role::Other
    }
}
