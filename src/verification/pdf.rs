//! The profile's PDF: A4 pages of labelled fields under the organisation's logo, in DejaVu
//! fonts embedded as subsets (see [`super::pdf_font`]), so it reads the same in every viewer
//! for the years it is kept. The bytes depend only on the facts, the language, the time of
//! issue and the profile id: no random ids, no clock.

use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::pdf_font::{Face, UsedFont};
use super::pdf_image::Image;
use super::profile::ProfileFacts;
use super::signing::PublicKey;
use crate::db::Timestamp;
use crate::i18n::Language;
use crate::time_zone::TimeZone;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const VALUE_X: f32 = 210.0;
const REGULAR: Face = Face::Regular;
const BOLD: Face = Face::Bold;
const MONO: Face = Face::Mono;
/// The box the logo is scaled into, keeping its proportions.
const LOGO_WIDTH: f32 = 180.0;
const LOGO_HEIGHT: f32 = 56.0;
const LOGO: Name<'static> = Name(b"Im1");

/// Renders the profile.
pub fn render(
    facts: &ProfileFacts,
    l: Language,
    issued_at: Timestamp,
    profile_id: &str,
    key: &PublicKey,
) -> anyhow::Result<Vec<u8>> {
    let mut page = Layout::new()?;
    if let Some(logo) = &facts.logo {
        // A logo that cannot be read (it was checked only for its kind at upload) leaves
        // the header to the title rather than failing the profile.
        if let Some(image) = Image::read(&logo.content_type, &logo.bytes) {
            page.logo(image);
        }
    }
    page.title(&l.text("profile-title"));
    page.line(
        REGULAR,
        10.0,
        MARGIN,
        &l.text_with("profile-issued-by", &[("organisation", &facts.issuer)]),
    );
    page.field(
        &l.text("profile-issued-at"),
        &time(l, facts.time_zone, issued_at),
    );
    page.field(&l.text("profile-id"), profile_id);

    page.heading(&l.text("profile-company"));
    page.field(&l.text("profile-company-name"), &facts.company_name);
    page.field(&l.text("profile-vat-number"), &facts.vat_number);
    let address = &facts.address;
    page.field(
        &l.text("profile-address"),
        &format!(
            "{}, {} {}, {}",
            address.street,
            address.post_code,
            address.city,
            address.country.as_str()
        ),
    );
    page.field(&l.text("profile-seller"), &facts.seller);
    page.field(&l.text("profile-buyer-id"), &facts.buyer_id);

    page.heading(&l.text("profile-vies"));
    match &facts.vies {
        Some(vies) => {
            let result = vies.result.map_or_else(String::new, |r| {
                l.text(&format!("profile-vies-{}", r.as_str()))
            });
            page.field(&l.text("profile-vies-result"), &result);
            let checked = vies
                .checked_at
                .map(|at| time(l, facts.time_zone, at))
                .unwrap_or_default();
            page.field(&l.text("profile-vies-checked-at"), &checked);
            if let Some(date) = &vies.request_date {
                page.field(
                    &l.text("profile-vies-request-date"),
                    &recorded_time(l, facts.time_zone, date),
                );
            }
            let identifier = vies.request_identifier.as_deref().unwrap_or("-");
            page.field(&l.text("profile-vies-request-identifier"), identifier);
            if let Some(name) = &vies.name {
                page.field(&l.text("profile-vies-name"), name);
            }
        }
        None => page.paragraph(&l.text("profile-vies-none")),
    }

    page.heading(&l.text("profile-documents"));
    if facts.documents.is_empty() {
        page.paragraph(&l.text("profile-documents-none"));
    }
    for document in &facts.documents {
        page.ensure(30.0);
        let name = document.document_type.label(l);
        match &document.expires_on {
            Some(last_day) => page.field(
                &name,
                &l.text_with("profile-valid-until", &[("date", &day(l, last_day))]),
            ),
            None => page.field(&name, &day(l, &document.document_date)),
        }
        page.mono(&format!("SHA-256 {}", document.sha256));
        for sha256 in &document.more_sha256 {
            page.mono(&format!("SHA-256 {sha256}"));
        }
    }

    page.heading(&l.text("profile-verification"));
    let verification = &facts.verification;
    page.field(&l.text("profile-verification-provider"), "iDenfy");
    page.field(
        &l.text("profile-verification-outcome"),
        &l.text("profile-verification-verified"),
    );
    page.field(
        &l.text("profile-verification-reference"),
        &verification.scan_ref,
    );
    let decided = verification
        .decided_at
        .map(|at| time(l, facts.time_zone, at))
        .unwrap_or_default();
    page.field(&l.text("profile-verification-date"), &decided);
    let aml = match (verification.aml_screened, verification.aml_hit) {
        (false, _) => "profile-aml-not-screened",
        (true, false) => "profile-aml-clear",
        (true, true) => "profile-aml-hit-cleared",
    };
    page.field(&l.text("profile-aml"), &l.text(aml));
    if let Some(reviewer) = &verification.reviewed_by {
        page.field(
            &l.text("profile-verification-reviewed-by"),
            &crate::audit::Actor::name_of(reviewer),
        );
    }

    page.heading(&l.text("profile-person"));
    match &verification.person {
        Some(person) => {
            page.field(
                &l.text("profile-person-name"),
                &format!("{} {}", person.first_name, person.last_name),
            );
            if let Some(birth_date) = &person.birth_date {
                page.field(&l.text("profile-person-birth-date"), &day(l, birth_date));
            }
        }
        None => page.field(
            &l.text("profile-person-name"),
            &l.text("profile-person-not-recorded"),
        ),
    }
    page.field(
        &l.text("profile-person-role"),
        &l.text(verification.role.message_id()),
    );

    page.heading(&l.text("profile-signature"));
    page.paragraph(&l.text("profile-signature-note"));
    page.mono(&format!("SHA-256 {}", key.fingerprint()));

    page.finish(l, issued_at, profile_id)
}

/// `22.04.2026, 10:01:30 UTC` or `22 April 2026, 10:01:30 UTC`.
fn time(l: Language, zone: TimeZone, at: Timestamp) -> String {
    zone.moment_to_the_second(l, at)
}

/// A time a third party recorded as RFC 3339 text (VIES's request date), written like
/// [`time`]; as recorded when it is not such a time.
fn recorded_time(l: Language, zone: TimeZone, text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|at| time(l, zone, Timestamp::from_millis(at.timestamp_millis())))
        .unwrap_or_else(|_| text.to_owned())
}

/// A document's date (`2026-11-02`) as the language writes dates.
fn day(l: Language, text: &str) -> String {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|date| l.date(date))
        .unwrap_or_else(|_| text.to_owned())
}

/// Splits `text` into lines that `fits` at spaces (a word wider than a line is cut).
fn wrap(text: &str, fits: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let longer = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if fits(&longer) {
                line = longer;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            while !fits(rest) {
                // The longest start of the word that fits, at least one character.
                let cut = rest
                    .char_indices()
                    .skip(1)
                    .map(|(at, _)| at)
                    .take_while(|at| fits(&rest[..*at]))
                    .last()
                    .unwrap_or_else(|| rest.chars().next().map_or(rest.len(), char::len_utf8));
                lines.push(rest[..cut].to_owned());
                rest = &rest[cut..];
            }
            line = rest.to_owned();
        }
        lines.push(line);
    }
    lines
}

/// Pages being filled from the top.
struct Layout {
    pages: Vec<Content>,
    current: Content,
    y: f32,
    fonts: [UsedFont; 3],
    logo: Option<Image>,
}

/// The resource name of a face.
fn font_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => Name(b"F1"),
        Face::Bold => Name(b"F2"),
        Face::Mono => Name(b"F3"),
    }
}

impl Layout {
    fn new() -> anyhow::Result<Layout> {
        Ok(Layout {
            pages: Vec::new(),
            current: Content::new(),
            y: PAGE_HEIGHT - MARGIN,
            fonts: [
                UsedFont::new(REGULAR)?,
                UsedFont::new(BOLD)?,
                UsedFont::new(MONO)?,
            ],
            logo: None,
        })
    }

    fn font(&mut self, face: Face) -> &mut UsedFont {
        let index = match face {
            Face::Regular => 0,
            Face::Bold => 1,
            Face::Mono => 2,
        };
        &mut self.fonts[index]
    }

    /// Draws the logo at the top, scaled into its box; the text starts below it.
    fn logo(&mut self, image: Image) {
        let (width, height) = (image.width as f32, image.height as f32);
        let scale = (LOGO_WIDTH / width).min(LOGO_HEIGHT / height);
        let (width, height) = (width * scale, height * scale);
        self.y -= height;
        self.current
            .save_state()
            .transform([width, 0.0, 0.0, height, MARGIN, self.y])
            .x_object(LOGO)
            .restore_state();
        self.y -= 8.0;
        self.logo = Some(image);
    }

    /// Starts a new page unless `height` still fits above the footer.
    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN + 20.0 {
            let full = std::mem::replace(&mut self.current, Content::new());
            self.pages.push(full);
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn line(&mut self, font: Face, size: f32, x: f32, text: &str) {
        self.ensure(size * 1.4);
        self.y -= size * 1.4;
        self.text_at(font, size, x, self.y, text);
    }

    fn text_at(&mut self, font: Face, size: f32, x: f32, y: f32, text: &str) {
        let codes = self.font(font).encode(text);
        self.current
            .begin_text()
            .set_font(font_name(font), size)
            .next_line(x, y)
            .show(Str(&codes))
            .end_text();
    }

    fn title(&mut self, text: &str) {
        self.line(BOLD, 18.0, MARGIN, text);
        self.y -= 4.0;
    }

    fn heading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y -= 10.0;
        self.line(BOLD, 12.0, MARGIN, text);
        self.current
            .set_line_width(0.5)
            .move_to(MARGIN, self.y - 3.0)
            .line_to(PAGE_WIDTH - MARGIN, self.y - 3.0)
            .stroke();
        self.y -= 4.0;
    }

    /// A label on the left and its value beside it, wrapped in the value's column.
    fn field(&mut self, label: &str, value: &str) {
        let label_width = VALUE_X - MARGIN - 8.0;
        let value_width = PAGE_WIDTH - MARGIN - VALUE_X;
        let labels = wrap(label, |t| self.fonts[1].measure(t, 9.0) <= label_width);
        let values = wrap(value, |t| self.fonts[0].measure(t, 10.0) <= value_width);
        let rows = labels.len().max(values.len());
        self.ensure(rows as f32 * 14.0);
        for row in 0..rows {
            self.y -= 14.0;
            if let Some(label) = labels.get(row) {
                self.text_at(BOLD, 9.0, MARGIN, self.y, label);
            }
            if let Some(value) = values.get(row) {
                self.text_at(REGULAR, 10.0, VALUE_X, self.y, value);
            }
        }
    }

    fn paragraph(&mut self, text: &str) {
        let width = PAGE_WIDTH - 2.0 * MARGIN;
        for line in wrap(text, |t| self.fonts[0].measure(t, 10.0) <= width) {
            self.line(REGULAR, 10.0, MARGIN, &line);
        }
    }

    /// A line of fixed-width text in the value column (hashes: 64 hex digits fit).
    fn mono(&mut self, text: &str) {
        let width = PAGE_WIDTH - MARGIN - (VALUE_X - 40.0);
        for line in wrap(text, |t| self.fonts[2].measure(t, 8.0) <= width) {
            self.line(MONO, 8.0, VALUE_X - 40.0, &line);
        }
    }

    fn finish(
        mut self,
        l: Language,
        issued_at: Timestamp,
        profile_id: &str,
    ) -> anyhow::Result<Vec<u8>> {
        let last = std::mem::replace(&mut self.current, Content::new());
        self.pages.push(last);
        let count = self.pages.len();
        let mut next_id = Ref::new(1);
        let mut next = move || next_id.bump();
        let catalog = next();
        let tree = next();
        let info = next();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree).lang(TextStr(l.code()));
        let ids: Vec<(Ref, Ref)> = (0..count).map(|_| (next(), next())).collect();
        pdf.pages(tree)
            .kids(ids.iter().map(|(page, _)| *page))
            .count(i32::try_from(count)?);
        let at = issued_at.to_datetime();
        let date = |v: u32| u8::try_from(v).unwrap_or(0);
        pdf.document_info(info)
            .title(TextStr(&l.text("profile-title")))
            .producer(TextStr("kyc-portal"))
            .creation_date(
                Date::new(u16::try_from(chrono::Datelike::year(&at)).unwrap_or(1970))
                    .month(date(chrono::Datelike::month(&at)))
                    .day(date(chrono::Datelike::day(&at)))
                    .hour(date(chrono::Timelike::hour(&at)))
                    .minute(date(chrono::Timelike::minute(&at)))
                    .second(date(chrono::Timelike::second(&at)))
                    .utc_offset_hour(0),
            );
        let logo = self.logo.take().map(|image| (next(), image));
        let mut contents = Vec::with_capacity(count);
        for (index, mut content) in std::mem::take(&mut self.pages).into_iter().enumerate() {
            let number = (index + 1).to_string();
            let footer = format!(
                "{}   {}",
                l.text_with("profile-footer", &[("id", profile_id)]),
                l.text_with(
                    "profile-page",
                    &[("page", &number), ("pages", &count.to_string())]
                )
            );
            let codes = self.font(REGULAR).encode(&footer);
            content
                .begin_text()
                .set_font(font_name(REGULAR), 8.0)
                .next_line(MARGIN, MARGIN - 20.0)
                .show(Str(&codes))
                .end_text();
            contents.push(content.finish());
        }
        let fonts: Vec<(Name<'static>, Ref)> = [REGULAR, BOLD, MONO]
            .into_iter()
            .map(|face| (font_name(face), next()))
            .collect();
        for ((page_id, content_id), content) in ids.iter().zip(&contents) {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree)
                .contents(*content_id);
            let mut resources = page.resources();
            let mut font_map = resources.fonts();
            for (name, font) in &fonts {
                font_map.pair(*name, *font);
            }
            font_map.finish();
            if let Some((image, _)) = &logo {
                resources.x_objects().pair(LOGO, *image);
            }
            resources.finish();
            page.finish();
            pdf.stream(*content_id, content);
        }
        for (font, (_, id)) in self.fonts.iter().zip(&fonts) {
            font.write(&mut pdf, *id, &mut next)?;
        }
        if let Some((id, image)) = &logo {
            image.write(&mut pdf, *id, &mut next);
        }
        Ok(pdf.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_at_spaces_and_cuts_only_overlong_words() {
        let within = |n: usize| move |t: &str| t.chars().count() <= n;
        assert_eq!(wrap("aaa bbb ccc", within(7)), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", within(4)), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one\ntwo", within(20)), vec!["one", "two"]);
        assert_eq!(wrap("äöü", within(1)), vec!["ä", "ö", "ü"]);
    }
}
