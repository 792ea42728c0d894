//! When buyers are reminded: an unused link some days after it was sent, a link some days
//! before it expires, a document some days before it grows too old. Each is off at 0.

use serde::{Deserialize, Serialize};

/// The most days any reminder may be set to.
pub const MAX_REMINDER_DAYS: u32 = 365;

/// The reminder schedule, part of the organisation's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ReminderSettings {
    /// Days after an invitation was sent that a link never opened is recalled once; 0: never.
    pub invitation_reminder_after_days: u32,
    /// Days before an invitation expires that its buyer is reminded once; 0: never.
    pub invitation_reminder_before_expiry_days: u32,
    /// Days before a counting document grows too old that its buyer is asked for a new one;
    /// 0: never.
    pub document_expiry_reminder_days: u32,
}

impl ReminderSettings {
    /// The settings as a form or a patch names them, with their values.
    pub fn fields(&self) -> [(&'static str, u32); 3] {
        [
            (
                "invitationReminderAfterDays",
                self.invitation_reminder_after_days,
            ),
            (
                "invitationReminderBeforeExpiryDays",
                self.invitation_reminder_before_expiry_days,
            ),
            (
                "documentExpiryReminderDays",
                self.document_expiry_reminder_days,
            ),
        ]
    }

    /// The setting named `field` set to `days`; false for an unknown name.
    pub fn set(&mut self, field: &str, days: u32) -> bool {
        let slot = match field {
            "invitationReminderAfterDays" => &mut self.invitation_reminder_after_days,
            "invitationReminderBeforeExpiryDays" => {
                &mut self.invitation_reminder_before_expiry_days
            }
            "documentExpiryReminderDays" => &mut self.document_expiry_reminder_days,
            _ => return false,
        };
        *slot = days;
        true
    }
}
