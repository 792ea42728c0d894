//! PDF previews: the first pages of a PDF document as PNG images, rendered on the server by
//! poppler's `pdftoppm`. Browsers show a PDF in their own viewer, and Chromium's viewer keeps
//! the origin of the page that serves it whatever sandbox the response asks for; so no page
//! of the portal hands a browser an uploaded PDF to render. It sees pictures of the pages.
//!
//! Optional: without poppler-utils (or when a render fails or runs out of time) the preview
//! page offers the download only. Each render runs as a child process under a time limit, for
//! at most [`PreviewLimits::max_pages`] pages of at most [`PreviewLimits::long_side`] pixels on
//! their long side, with at most [`PreviewLimits::slots`] renders at once; renders are kept
//! in memory for a while (`cache.rs` says why not on disk) so that a reload, and the page
//! images the preview page asks for next, render nothing again.

mod cache;
mod poppler;

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

use self::cache::{Kept, PreviewCache};
use self::poppler::{Poppler, RenderError};
use crate::storage::{BlobStream, StorageError};

/// The bounds of a render.
#[derive(Debug, Clone)]
pub struct PreviewLimits {
    /// Pages rendered at most (the first ones).
    pub max_pages: u32,
    /// Pixels on the long side of a page image: a page is scaled to it, which bounds the
    /// pixels rendered per page whatever size the PDF claims.
    pub long_side: u32,
    /// Time for one whole render (reading the file, counting and rendering the pages).
    pub time_limit: Duration,
    /// Renders running at once in this process.
    pub slots: usize,
    /// How long a request waits for a free slot before it is told the server is busy.
    pub wait_for_slot: Duration,
}

impl Default for PreviewLimits {
    fn default() -> PreviewLimits {
        PreviewLimits {
            max_pages: 10,
            long_side: 1600,
            time_limit: Duration::from_secs(15),
            slots: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            wait_for_slot: Duration::from_secs(5),
        }
    }
}

/// One rendered page.
pub struct PageImage {
    /// The PNG file, as `pdftoppm` wrote it.
    pub png: Bytes,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// The rendered first pages of a PDF.
pub struct RenderedPdf {
    /// How many pages the PDF has.
    pub page_count: u32,
    /// Its first pages (all of them, or the first `max_pages`).
    pub pages: Vec<PageImage>,
}

/// What a preview of a PDF gives.
#[derive(Clone)]
pub enum Preview {
    /// The first pages, rendered.
    Rendered(Arc<RenderedPdf>),
    /// `pdftoppm` (or `pdfinfo`) is not installed here.
    NotInstalled,
    /// The render failed or ran out of time.
    Failed,
    /// Every render slot stayed busy; trying again in a moment may work.
    Busy,
}

/// Renders PDF previews and keeps them for a while.
pub struct PdfPreviews {
    poppler: Option<Poppler>,
    limits: PreviewLimits,
    slots: Semaphore,
    cache: PreviewCache,
    /// One lock per document being rendered, so that the preview page and the page images
    /// it asks for at once wait for one render instead of each starting their own.
    rendering: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    scratch: PathBuf,
}

impl PdfPreviews {
    /// Previews with `pdftoppm` (unset: the one on `PATH`) if it and `pdfinfo` beside it can
    /// be started (checked once, now), rendering in a temporary folder under `scratch`.
    pub async fn start(
        pdftoppm: Option<&Path>,
        scratch: &Path,
        limits: PreviewLimits,
    ) -> PdfPreviews {
        let poppler = Poppler::at(pdftoppm.unwrap_or(Path::new("pdftoppm")).to_owned());
        let poppler = if poppler.is_installed().await {
            tracing::info!(pdftoppm = %poppler.pdftoppm.display(), "PDF previews are rendered by pdftoppm");
            Some(poppler)
        } else {
            tracing::warn!(
                pdftoppm = %poppler.pdftoppm.display(),
                pdfinfo = %poppler.pdfinfo.display(),
                "PDF previews are off: pdftoppm or pdfinfo cannot be started (install poppler-utils); staff see the download link only"
            );
            None
        };
        PdfPreviews {
            poppler,
            slots: Semaphore::new(limits.slots.max(1)),
            limits,
            cache: PreviewCache::default(),
            rendering: Mutex::default(),
            scratch: scratch.to_owned(),
        }
    }

    /// The preview of the PDF with this SHA-256, kept or rendered now from the stream `open`
    /// gives (asked for only when a render is needed).
    pub async fn preview<F, Fut>(&self, sha256: &str, open: F) -> Preview
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<BlobStream, StorageError>>,
    {
        let Some(poppler) = &self.poppler else {
            return Preview::NotInstalled;
        };
        if let Some(kept) = self.cache.get(sha256) {
            return kept.into();
        }
        let lock = self.lock_for(sha256);
        let _turn = lock.lock().await;
        let _forget = Forget {
            previews: self,
            sha256,
        };
        // Rendered by the request that held the lock before us?
        if let Some(kept) = self.cache.get(sha256) {
            return kept.into();
        }
        self.render(poppler, sha256, open).await
    }

    fn lock_for(&self, sha256: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.rendering.lock() {
            Ok(mut rendering) => rendering.entry(sha256.to_owned()).or_default().clone(),
            // A poisoned map only costs the sharing of a render.
            Err(_) => Arc::default(),
        }
    }

    async fn render<F, Fut>(&self, poppler: &Poppler, sha256: &str, open: F) -> Preview
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<BlobStream, StorageError>>,
    {
        let Ok(Ok(_slot)) =
            tokio::time::timeout(self.limits.wait_for_slot, self.slots.acquire()).await
        else {
            return Preview::Busy;
        };
        let deadline = tokio::time::Instant::now() + self.limits.time_limit;
        let scratch = self.scratch.clone();
        let folder = match tokio::task::spawn_blocking(move || {
            tempfile::Builder::new()
                .prefix("preview-")
                .tempdir_in(scratch)
        })
        .await
        {
            Ok(Ok(folder)) => folder,
            Ok(Err(e)) => return local_failure(&e),
            Err(e) => return local_failure(&e),
        };
        let pdf = folder.path().join("document.pdf");
        // A blob store that is slow or failing is our problem, not the PDF's: reported as an
        // I/O failure, which is not remembered.
        let rendered = match tokio::time::timeout_at(deadline, copy(open, &pdf)).await {
            Ok(Ok(())) => self.run(poppler, &pdf, folder.path(), deadline).await,
            Ok(Err(e)) => Err(e),
            Err(_) => Err(RenderError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "reading the document took longer than the time limit",
            ))),
        };
        // Removing the folder touches the disk: not on this thread.
        drop(tokio::task::spawn_blocking(move || folder.close()));
        match rendered {
            Ok(rendered) => {
                let rendered = Arc::new(rendered);
                self.cache.put(sha256, Kept::Pages(rendered.clone()));
                Preview::Rendered(rendered)
            }
            Err(RenderError::Io(e)) => local_failure(&e),
            Err(e) => {
                tracing::warn!(error = %e, sha256, "a PDF preview could not be rendered");
                self.cache.put(sha256, Kept::Failed);
                Preview::Failed
            }
        }
    }

    async fn run(
        &self,
        poppler: &Poppler,
        pdf: &Path,
        folder: &Path,
        deadline: tokio::time::Instant,
    ) -> Result<RenderedPdf, RenderError> {
        let limits = &self.limits;
        let files = poppler
            .render(pdf, folder, limits.max_pages, limits.long_side, deadline)
            .await?;
        if files.pages.is_empty() {
            return Err(RenderError::Failed {
                program: "pdftoppm",
                detail: format!("no page images for {} pages", files.page_count),
            });
        }
        let mut pages = Vec::with_capacity(files.pages.len());
        for path in files.pages {
            let png = Bytes::from(tokio::fs::read(&path).await?);
            let (width, height) = png_size(&png)
                .filter(|(w, h)| *w.max(h) <= limits.long_side + 2)
                .ok_or_else(|| RenderError::Failed {
                    program: "pdftoppm",
                    detail: format!("{} is not a PNG within the pixel limit", path.display()),
                })?;
            pages.push(PageImage { png, width, height });
        }
        Ok(RenderedPdf {
            page_count: files
                .page_count
                .max(u32::try_from(pages.len()).unwrap_or(0)),
            pages,
        })
    }
}

/// Removes a document's lock once its render is done, or abandoned (a request that goes
/// away drops its future, and with it the render's child process).
struct Forget<'a> {
    previews: &'a PdfPreviews,
    sha256: &'a str,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.previews.rendering.lock() {
            rendering.remove(self.sha256);
        }
    }
}

impl From<Kept> for Preview {
    fn from(kept: Kept) -> Preview {
        match kept {
            Kept::Pages(rendered) => Preview::Rendered(rendered),
            Kept::Failed => Preview::Failed,
        }
    }
}

/// A failure of ours (disk, blob store), not of the PDF: logged, not remembered.
fn local_failure(e: &dyn std::fmt::Display) -> Preview {
    tracing::error!(error = %e, "a PDF preview could not be prepared");
    Preview::Failed
}

/// Writes the stream `open` gives to `path`.
async fn copy<F, Fut>(open: F, path: &Path) -> Result<(), RenderError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<BlobStream, StorageError>>,
{
    let mut stream = open().await.map_err(std::io::Error::other)?;
    let mut file = tokio::fs::File::create(path).await?;
    while let Some(chunk) = stream.next().await {
        file.write_all(&chunk?).await?;
    }
    file.flush().await?;
    Ok(())
}

/// Width and height from a PNG's header; None when `png` does not start like a PNG.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.get(..8)? != SIGNATURE || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let number = |at: usize| {
        png.get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
    };
    Some((number(16)?, number(20)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_header_gives_the_size_and_anything_else_none() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&1237u32.to_be_bytes());
        png.extend_from_slice(&1600u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((1237, 1600)));
        assert_eq!(png_size(b"%PDF-1.7"), None);
        assert_eq!(png_size(&png[..20]), None);
    }
}
