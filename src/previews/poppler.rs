//! Running poppler's `pdfinfo` and `pdftoppm` on one PDF, in a folder of its own, under one
//! deadline. The programs parse bytes a buyer uploaded, so they run as child processes that
//! are killed when the deadline passes (dropping a `kill_on_drop` child's future kills it),
//! with no input but the file and no output but PNG files in that folder.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;
use tokio::time::Instant;

/// How long `-v` may take when checking that a program is there.
const VERSION_CHECK_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Why a render gave no pages.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The deadline passed; the program was killed.
    #[error("{0} took longer than the time limit")]
    TimedOut(&'static str),
    /// The program could not be started or ended with a failure.
    #[error("{program} failed: {detail}")]
    Failed {
        /// Which program.
        program: &'static str,
        /// Its exit status and the start of what it wrote to stderr.
        detail: String,
    },
    /// Reading the document or using the render folder failed: our side, not the PDF's.
    #[error("reading the document or using the render folder failed")]
    Io(#[from] std::io::Error),
}

/// The poppler programs to run.
#[derive(Debug, Clone)]
pub struct Poppler {
    /// `pdftoppm`.
    pub pdftoppm: PathBuf,
    /// `pdfinfo`, from the same installation.
    pub pdfinfo: PathBuf,
}

/// What one run of `pdftoppm` made.
pub struct RenderedFiles {
    /// The PDF's page count, as `pdfinfo` reports it.
    pub page_count: u32,
    /// The PNG files of pages 1, 2, ..., in order.
    pub pages: Vec<PathBuf>,
}

impl Poppler {
    /// The programs named by `pdftoppm` (a path, or a bare name looked up on `PATH`), with
    /// `pdfinfo` beside it.
    pub fn at(pdftoppm: PathBuf) -> Poppler {
        let pdfinfo = pdftoppm.with_file_name("pdfinfo");
        Poppler { pdftoppm, pdfinfo }
    }

    /// Whether both programs can be started here (and answer within a few seconds, so that
    /// a wrong program named by the settings cannot hold up the start).
    pub async fn is_installed(&self) -> bool {
        for program in [&self.pdftoppm, &self.pdfinfo] {
            // `-v` prints the version; the exit status differs between poppler versions, so
            // only starting and ending counts.
            let started = Command::new(program)
                .arg("-v")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .status();
            if !matches!(
                tokio::time::timeout(VERSION_CHECK_TIME, started).await,
                Ok(Ok(_))
            ) {
                return false;
            }
        }
        true
    }

    /// Renders the first `max_pages` pages of `pdf` as PNG files in `folder`, each scaled so
    /// that its long side is `long_side` pixels; everything before `deadline`.
    pub async fn render(
        &self,
        pdf: &Path,
        folder: &Path,
        max_pages: u32,
        long_side: u32,
        deadline: Instant,
    ) -> Result<RenderedFiles, RenderError> {
        let info = run("pdfinfo", Command::new(&self.pdfinfo).arg(pdf), deadline).await?;
        let page_count =
            page_count(&String::from_utf8_lossy(&info)).ok_or_else(|| RenderError::Failed {
                program: "pdfinfo",
                detail: "no page count in its output".into(),
            })?;
        let last = page_count.min(max_pages);
        if last == 0 {
            return Ok(RenderedFiles {
                page_count,
                pages: Vec::new(),
            });
        }
        let prefix = folder.join("page");
        run(
            "pdftoppm",
            Command::new(&self.pdftoppm)
                .args(["-png", "-scale-to", &long_side.to_string()])
                .args(["-f", "1", "-l", &last.to_string()])
                .arg(pdf)
                .arg(&prefix),
            deadline,
        )
        .await?;
        Ok(RenderedFiles {
            page_count,
            pages: page_files(folder).await?,
        })
    }
}

/// Runs `command` until `deadline` and returns its stdout.
async fn run(
    program: &'static str,
    command: &mut Command,
    deadline: Instant,
) -> Result<Vec<u8>, RenderError> {
    let running = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout_at(deadline, running)
        .await
        .map_err(|_| RenderError::TimedOut(program))?
        .map_err(|e| RenderError::Failed {
            program,
            detail: e.to_string(),
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(RenderError::Failed {
            program,
            detail: format!(
                "{}: {}",
                output.status,
                stderr.chars().take(300).collect::<String>()
            ),
        });
    }
    Ok(output.stdout)
}

/// The page count in `pdfinfo`'s output. Its last `Pages:` line: the document's own
/// metadata (a title with a line break) is printed before it and could forge an earlier one.
fn page_count(info: &str) -> Option<u32> {
    info.lines()
        .filter_map(|line| line.strip_prefix("Pages:"))
        .next_back()?
        .trim()
        .parse()
        .ok()
}

/// The `page-<n>.png` files `pdftoppm` wrote (it pads `<n>` to the width of the page
/// count), ordered by page number.
async fn page_files(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut numbered = Vec::new();
    let mut entries = tokio::fs::read_dir(folder).await?;
    while let Some(entry) = entries.next_entry().await? {
        let path = entry.path();
        let number = path
            .file_name()
            .and_then(OsStr::to_str)
            .and_then(|name| name.strip_prefix("page-")?.strip_suffix(".png"))
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(number) = number {
            numbered.push((number, path));
        }
    }
    numbered.sort();
    Ok(numbered.into_iter().map(|(_, path)| path).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_count_is_read_from_the_last_pages_line() {
        let info = "Title:          x\nPages: 1\nProducer:       y\nPages:          42\nEncrypted:      no\n";
        assert_eq!(page_count(info), Some(42));
    }

    #[test]
    fn output_without_a_page_count_gives_none() {
        assert_eq!(page_count("Title: x\nEncrypted: no\n"), None);
    }
}
