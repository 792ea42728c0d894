## Prüfung der Dokumente durch das Team

rule-rejection-needs-reason = Geben Sie an, warum das Dokument abgelehnt wird: Der Käufer erfährt es.

review-reason-UNREADABLE = Nicht lesbar
review-reason-WRONG_DOCUMENT = Falsches Dokument
review-reason-EXPIRED = Abgelaufen
review-reason-NAME_MISMATCH = Name oder Firma stimmt nicht überein
review-reason-INCOMPLETE = Unvollständig
review-reason-OTHER = Sonstiges

admin-settings-require-review = Dokumente brauchen die Freigabe des Teams
admin-settings-require-review-hint = Wenn aktiv, zählt je Dokumentart nur die neueste angenommene Version; ein neuerer Upload wartet auf die Prüfung, ohne eine angenommene Version aufzuheben.

admin-nav-reviews = Prüfung
admin-review-status-pending-review = Wartet auf Prüfung
admin-review-status-accepted = Angenommen
admin-review-status-rejected = Abgelehnt
admin-review-open = Prüfen
admin-review-title = Prüfung
admin-review-replaces = Eine neue Entscheidung ersetzt diese; beide bleiben im Verlauf.
admin-review-state = Prüfung
admin-review-reason = Grund
admin-review-note = Notiz
admin-review-decided = Entschieden
admin-review-decided-by = { $who }, { $when }
admin-review-decision = Entscheidung
admin-review-accept = Annehmen
admin-review-reject = Ablehnen
admin-review-reason-if-rejected = Grund (zum Ablehnen nötig; der Käufer erfährt ihn)
admin-review-reason-none = (keiner)
admin-review-note-label = Notiz (optional)
admin-review-submit = Entscheidung speichern
admin-review-back-to-queue = Zurück zur Prüfliste
admin-flash-document-accepted = Das Dokument wurde angenommen.
admin-flash-document-rejected = Das Dokument wurde abgelehnt; der Käufer wird per E-Mail informiert.
admin-review-queue-title = Prüfliste
admin-review-queue-explain = Uploads, die auf eine Entscheidung warten, die ältesten zuerst.
admin-review-queue-filter-label = Prüfliste filtern
admin-review-queue-empty = Nichts wartet auf eine Prüfung.
admin-review-queue-caption = Dokumente, die auf eine Prüfung warten, die ältesten zuerst
admin-review-queue-first = Erste Seite

email-rejected-subject = { $seller }: Bitte laden Sie ein Dokument erneut hoch
email-rejected-greeting = Guten Tag,
email-rejected-intro = { $organisation } hat die Unterlagen geprüft, die { $company } für { $seller } hochgeladen hat, und konnte das folgende Dokument nicht annehmen. Bitte laden Sie auf der sicheren Upload-Seite eine neue Version hoch.
email-rejected-button = Neue Version hochladen
email-rejected-link-hint = Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:
email-rejected-expiry = Der Link ist gültig bis zum { $date }.
email-rejected-help = Fragen? Schreiben Sie an { $contact }.
email-rejected-ignore = Falls Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren.
email-rejected-signature = Mit freundlichen Grüßen, { $organisation }

portal-state-rejected = Nicht angenommen: { $file } ({ $reason }).
portal-state-rejected-again = Bitte laden Sie eine neue Version hoch.

admin-settings-four-eyes = Vier-Augen-Prüfung
admin-settings-four-eyes-hint = Wenn aktiv, zählt die Entscheidung eines Teammitglieds über ein Dokument erst, wenn ein zweites Teammitglied dieselbe Entscheidung trifft. Entscheidungen über die API zählen sofort.
admin-flash-document-proposed = Die Entscheidung wurde vorgemerkt; sie zählt, sobald eine zweite Person sie bestätigt.
admin-review-proposal = Wartet auf eine zweite Prüfung
admin-review-proposed-by = { $decision }, vorgeschlagen von { $who }, { $when }
admin-review-proposal-hint = Ein anderes Teammitglied bestätigt sie mit derselben Entscheidung; eine andere Entscheidung ersetzt den Vorschlag.

admin-today-reviews = Warten auf Prüfung
admin-today-reviews-hint = Uploads warten auf eine Entscheidung des Teams, bevor sie zählen: Arbeiten Sie sie in der Prüfliste ab.
