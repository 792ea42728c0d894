# Einladungen nur zum Ausdrucken: keine E-Mail; der Link wird gedruckt (QR-Blatt) oder übergeben.
conflict-invitation-print-only = Diese Einladung ist nur zum Ausdrucken und hat keine E-Mail-Adresse: Es gibt keine E-Mail zu senden. Drucken Sie das Blatt aus oder geben Sie den Link weiter.
invitation-print-only-recipient = nur Ausdruck (keine E-Mail)
portal-renewal-where-print-only = Ihr Link wurde Ihnen persönlich oder auf Papier übergeben; der neue Link für { $company } erreicht Sie auf demselben Weg.
admin-invitation-print-only = Nur Ausdruck (keine E-Mail)
admin-invitation-recipient-erased = Adresse mit den Daten des Käufers gelöscht
admin-invitation-email-none = Keine E-Mail (nur Ausdruck)
admin-invitation-delivery = Wie der Käufer den Link erhält
admin-invitation-delivery-email = Per E-Mail senden
admin-invitation-delivery-print-only = Nur ausdrucken (keine E-Mail)
admin-invitation-delivery-print-only-hint = Es wird keine E-Mail gesendet. Nach dem Erstellen erhalten Sie das Blatt mit dem QR-Code zum Ausdrucken; Sie können den Link auch weitergeben.
admin-sheet-created-print-only = Die Einladung wurde ohne E-Mail erstellt. Drucken Sie dieses Blatt aus oder geben Sie den Link unten weiter.
admin-buyers-history-invitation-created-print-only = { $actor } hat eine Einladung nur zum Ausdrucken erstellt (keine E-Mail).
admin-buyers-history-invitation-revoked-print-only = { $actor } hat eine Einladung nur zum Ausdrucken widerrufen.
