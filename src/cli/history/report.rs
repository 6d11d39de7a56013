//! `aigen history report --html`: the trail drawn as one self-contained HTML page.

use std::path::PathBuf;

use clap::Args;

use super::History;
use crate::error::{ExitStatus, Result};
use crate::fsutil;
use crate::phr::query::{Filter, SortKey};
use crate::phr::{query, report, verify};

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The HTML file to write.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
}

impl History<'_> {
    pub(super) fn report(&self, args: ReportArgs) -> Result<ExitStatus> {
        let store = self.store()?;
        let verified = verify::verify(store)?;
        let mut entries = self.entries(&Filter::default(), true)?;
        query::sort(&mut entries, SortKey::Date);
        let title = format!("Prompt History — {}", self.settings.app_name);
        let root = fsutil::slash_path(&fsutil::relative_to(store.root(), &self.settings.root));
        let html = report::render(&entries, &verified, &title, &root, self.redactor)?;
        let path = self.settings.cwd.join(&args.html);
        fsutil::write_atomic(&path, html.as_bytes())?;
        self.out(&format!("{}\n", self.display_path(&path)))?;
        Ok(ExitStatus::Success)
    }
}
