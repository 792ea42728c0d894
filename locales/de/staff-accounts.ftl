# Mitarbeiterkonten: Einladung per E-Mail, vergessene Passwörter, der zweite Faktor.

staff-invite-heading = Mitarbeiter einladen
staff-invite-intro = Die Person erhält eine E-Mail mit einem Link, über den sie ihr Passwort selbst wählt. Der Link gilt 72 Stunden und nur einmal.
staff-invite-submit = Einladung senden
staff-invite-error-email = Bitte geben Sie eine gültige E-Mail-Adresse ein.
staff-role-staff-description = Onboarding: Käufer, Dokumente, Einladungen, Prüfungen und Freigaben.
staff-role-admin-description = Alles, was Mitarbeiter tun, dazu Mitarbeiterkonten, Einstellungen, Webhooks und API-Tokens.
staff-invitations-list = Noch nicht angenommene Einladungen
staff-invitations-link = Link
staff-invitations-expires = gilt bis { $moment }
staff-invitations-expired = abgelaufen { $moment }
staff-invitations-resend = Erneut senden
staff-invitations-revoke = Zurückziehen
admin-flash-staff-invited = Die Einladung wurde gesendet.
admin-flash-staff-invitation-resent = Die Einladung wurde mit einem neuen Link erneut gesendet; der alte Link gilt nicht mehr.
admin-flash-staff-invitation-revoked = Die Einladung wurde zurückgezogen; ihr Link gilt nicht mehr.

staff-password-title-invitation = Passwort wählen
staff-password-title-reset = Neues Passwort wählen
staff-password-title-dead = Dieser Link gilt nicht mehr
staff-password-intro-invitation = Sie wurden als { $email } zu den Mitarbeiterseiten eingeladen. Wählen Sie ein Passwort, um abzuschließen.
staff-password-intro-reset = Wählen Sie ein neues Passwort für { $email }. Überall sonst werden Sie abgemeldet.
staff-password-new = Neues Passwort (mindestens 12 Zeichen)
staff-password-submit = Passwort speichern und anmelden
staff-password-too-short = Das Passwort braucht mindestens { $min } Zeichen.
staff-password-dead = Der Link wurde bereits benutzt, durch einen neueren ersetzt oder ist abgelaufen. Fordern Sie unten einen neuen an oder bitten Sie einen Administrator, die Einladung erneut zu senden.

staff-forgot-link = Passwort vergessen?
staff-forgot-title = Passwort vergessen
staff-forgot-intro = Geben Sie die E-Mail-Adresse ein, mit der Sie sich anmelden. Gehört sie zu einem Mitarbeiterkonto, senden wir einen Link zum Wählen eines neuen Passworts.
staff-forgot-submit = Link senden
staff-forgot-sent = Wenn diese Adresse zu einem Mitarbeiterkonto gehört, ist eine E-Mail mit einem Link unterwegs. Der Link gilt eine Stunde und nur einmal.
staff-back-to-sign-in = Zurück zur Anmeldung

email-staff-greeting = Guten Tag,
email-staff-link-hint = Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:
email-staff-help = Fragen? { $contact }
email-staff-signature = { $organisation }
email-staff-invitation-subject = Ihr Mitarbeiterkonto bei { $seller }
email-staff-invitation-intro = Sie wurden zu den Mitarbeiterseiten des KYC-Portals von { $organisation } eingeladen. Wählen Sie ein Passwort, um zu beginnen.
email-staff-invitation-button = Passwort wählen
email-staff-invitation-expiry = Der Link gilt einmal, bis zum { $date }.
email-staff-invitation-ignore = Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.
email-staff-reset-subject = Ein neues Passwort für { $seller }
email-staff-reset-intro = Jemand hat ein neues Passwort für Ihr Mitarbeiterkonto bei { $organisation } angefordert.
email-staff-reset-button = Neues Passwort wählen
email-staff-reset-expiry = Der Link gilt einmal, eine Stunde lang.
email-staff-reset-ignore = Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.
