# Print-only invitations: no email; the link is printed (the QR sheet) or handed over.
conflict-invitation-print-only = This invitation is print-only and has no email address: there is no email to send. Print its sheet or hand over the link.
invitation-print-only-recipient = print only (no email)
portal-renewal-where-print-only = Your link was handed to you in person or on paper, so the new link for { $company } will reach you the same way.
admin-invitation-print-only = Print only (no email)
admin-invitation-recipient-erased = Address erased with the buyer's data
admin-invitation-email-none = No email (print only)
admin-invitation-delivery = How the buyer gets the link
admin-invitation-delivery-email = Send by email
admin-invitation-delivery-print-only = Print only (no email)
admin-invitation-delivery-print-only-hint = No email is sent. After creating you get the printable sheet with the QR code; you can also hand over the link.
admin-sheet-created-print-only = The invitation was created without email. Print this sheet or hand over the link below.
admin-buyers-history-invitation-created-print-only = { $actor } made a print-only invitation (no email).
admin-buyers-history-invitation-revoked-print-only = { $actor } revoked a print-only invitation.
