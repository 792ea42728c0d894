//! The one page that asks before an action is taken (revoking, deleting, unblocking,
//! archiving): what it is about, what it will do, the button, and the way back. A GET page
//! with the POST form, so it works without JavaScript and nothing happens by one stray click.

use askama::Template;

use super::buyers::BuyerHeader;
use super::page::Chrome;

/// A confirmation page.
#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub struct ConfirmView {
    /// The frame; its title is the page's heading.
    pub chrome: Chrome,
    /// On a buyer's pages: its heading and sub-navigation.
    pub header: Option<BuyerHeader>,
    /// The question, when the title alone does not ask it.
    pub question: Option<String>,
    /// What the action is about, as terms and values.
    pub facts: Vec<(String, String)>,
    /// What the action will do.
    pub effect: Option<String>,
    /// Where the form posts.
    pub action: String,
    /// The button's label; None when there is nothing (left) to do.
    pub button: Option<String>,
    /// Whether the action destroys or stops something (a red button).
    pub danger: bool,
    /// Where "cancel" leads.
    pub cancel: String,
}
