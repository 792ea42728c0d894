# Staff accounts: invitations by email, forgotten passwords, the second factor.

staff-invite-heading = Invite a staff member
staff-invite-intro = They get an email with a link to choose their own password. The link works for 72 hours, once.
staff-invite-submit = Send invitation
staff-invite-error-email = Please enter a valid email address.
staff-role-staff-description = Onboarding work: buyers, documents, invitations, checks and reviews.
staff-role-admin-description = Everything staff do, plus staff users, settings, webhooks and API tokens.
staff-invitations-list = Invitations not yet accepted
staff-invitations-link = Link
staff-invitations-expires = works until { $moment }
staff-invitations-expired = expired { $moment }
staff-invitations-resend = Send again
staff-invitations-revoke = Withdraw
admin-flash-staff-invited = The invitation was sent.
admin-flash-staff-invitation-resent = The invitation was sent again with a new link; the old link no longer works.
admin-flash-staff-invitation-revoked = The invitation was withdrawn; its link no longer works.

staff-password-title-invitation = Choose your password
staff-password-title-reset = Choose a new password
staff-password-title-dead = This link no longer works
staff-password-intro-invitation = You were invited to the staff pages as { $email }. Choose a password to finish.
staff-password-intro-reset = Choose a new password for { $email }. You will be signed out everywhere else.
staff-password-new = New password (at least 12 characters)
staff-password-submit = Save password and sign in
staff-password-too-short = The password needs at least { $min } characters.
staff-password-dead = The link was used already, was replaced by a newer one, or has expired. Ask for a new one below, or ask an administrator to send the invitation again.

staff-forgot-link = Forgot your password?
staff-forgot-title = Forgot your password
staff-forgot-intro = Enter the email address you sign in with. If it belongs to a staff account, we send a link to choose a new password.
staff-forgot-submit = Send link
staff-forgot-sent = If this address belongs to a staff account, an email with a link is on its way. The link works for one hour, once.
staff-back-to-sign-in = Back to sign-in

email-staff-greeting = Hello,
email-staff-link-hint = If the button does not work, copy this link into your browser:
email-staff-help = Questions? { $contact }
email-staff-signature = { $organisation }
email-staff-invitation-subject = Your staff account at { $seller }
email-staff-invitation-intro = You were invited to the staff pages of { $organisation }'s KYC portal. Choose a password to start.
email-staff-invitation-button = Choose password
email-staff-invitation-expiry = The link works once, until { $date }.
email-staff-invitation-ignore = If you did not expect this invitation, you can ignore this email.
email-staff-reset-subject = A new password for { $seller }
email-staff-reset-intro = Someone asked for a new password for your staff account at { $organisation }.
email-staff-reset-button = Choose a new password
email-staff-reset-expiry = The link works once, for one hour.
email-staff-reset-ignore = If you did not ask for this, ignore this email: your password stays as it is.
