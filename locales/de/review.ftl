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
