# Was die Regeln, Konflikte und Ablehnungen der Fachlogik auf den Seiten sagen. { $field } ist
# der Name des Feldes in der Sprache der Seite.

rule-required = { $field }: Bitte ausfüllen.
rule-too-long = { $field }: Die Eingabe ist zu lang (höchstens { $max } Zeichen).
rule-control-characters = { $field }: Bitte nur eine Zeile einfachen Text eingeben.
rule-one-of = { $field }: Bitte wählen Sie einen der angebotenen Werte ({ $allowed }).
rule-between = { $field }: Bitte geben Sie eine Zahl von { $min } bis { $max } ein.
rule-days = { $field }: Bitte geben Sie eine ganze Zahl von Tagen von { $min } bis { $max } ein.
rule-days-or-empty = { $field }: Bitte geben Sie eine ganze Zahl von Tagen von { $min } bis { $max } ein oder lassen Sie das Feld leer.
rule-at-least = { $field }: Bitte geben Sie mindestens { $min } ein.
rule-too-many = { $field }: Es sind höchstens { $max } Einträge möglich.
rule-too-short = { $field }: Bitte verwenden Sie mindestens { $min } Zeichen.
rule-date = { $field }: Bitte geben Sie ein Datum ein.
rule-date-in-future = { $field }: Das Datum darf nicht in der Zukunft liegen.
rule-date-too-early = { $field }: Bitte geben Sie ein Datum nach 1900 ein.
rule-too-old-to-count = { $field }: Ein Dokument dieser Art gilt { $days } Tage ab seinem Datum, dieses ist also zu alt. Bitte laden Sie ein aktuelleres hoch.
rule-vat-empty = { $field }: Bitte geben Sie die USt-IdNr. mit Ländercode ein, zum Beispiel DE123456789.
rule-vat-greece = { $field }: Griechische USt-IdNrn. beginnen mit EL, nicht mit GR.
rule-vat-britain = { $field }: Britische USt-IdNrn. sind nicht in VIES; nur nordirische, die mit XI beginnen.
rule-vat-prefix = { $field }: „{ $prefix }“ ist nicht der Ländercode einer EU-USt-IdNr.
rule-vat-shape = { $field }: Das ist nicht das Format einer USt-IdNr. aus { $prefix }.
rule-email = { $field }: Das ist keine gültige E-Mail-Adresse.
rule-country = { $field }: Bitte einen zweistelligen ISO-Ländercode wie DE eingeben.
rule-phone = { $field }: Bitte nur Ziffern, Leerzeichen und + - ( ) / . verwenden.
rule-colour = { $field }: Bitte wählen Sie eine Farbe.
rule-colour-too-light = { $field }: Diese Farbe ist für weiße Schrift zu hell; bitte wählen Sie eine dunklere.
rule-link = { $field }: Bitte geben Sie einen Link ein, der mit https:// oder http:// beginnt.
rule-url = { $field }: Bitte geben Sie eine Adresse ein, die mit https:// oder http:// beginnt.
rule-url-internal = { $field }: Diese Adresse liegt in einem privaten Netz; Webhooks gehen nur an Adressen im öffentlichen Internet.
rule-no-events = { $field }: Bitte wählen Sie mindestens ein Ereignis.
rule-unknown-document-type = { $field }: Diese Dokumentart gibt es nicht.
rule-immutable = { $field }: Das kann nicht geändert werden.
rule-unknown-field = { $field }: Dieses Feld gibt es nicht.
rule-mode-downgrade = { $field }: Der Modus kann nur von „durch den Marktplatz“ zu „durch NT24“ wechseln, nie zurück.
rule-malformed = { $field }: Dieser Wert hat nicht die richtige Form.
rule-file-refused = Diese Datei kann nicht angenommen werden. Bitte laden Sie ein PDF-, JPEG- oder PNG-Dokument hoch (keine anderen Formate, keine PDFs mit Skripten oder Anhängen).
rule-file-password = Dieses PDF ist mit einem Passwort geschützt. Bitte laden Sie eine Kopie ohne Passwort hoch.
rule-one-file = { $field }: Bitte senden Sie jeweils eine Datei.
rule-unknown-seller = { $field }: Diesen Verkäufer gibt es nicht.
rule-cursor = { $field }: Diese Seite gibt es nicht; bitte beginnen Sie mit der ersten Seite.
rule-idempotency-key = { $field }: Dieser Schlüssel kann für diese Anfrage nicht verwendet werden.
rule-logo-kind = { $field }: Bitte wählen Sie ein PNG- oder JPEG-Bild.
rule-no-contact = Der Käufer hat keinen Ansprechpartner, an den der Link gehen könnte.
rule-archived-stays = Ein archiviertes Dokument bleibt archiviert.
rule-version = { $field }: Bitte laden Sie die Seite neu und versuchen Sie es erneut.

conflict-buyer-blocked = Der Käufer ist gesperrt; das ist gerade nicht möglich.
conflict-buyer-exists = Dieser Verkäufer hat bereits einen Käufer mit dieser USt-IdNr. und anderen Angaben. Öffnen Sie ihn, um ihn zu ändern.
conflict-changed = Jemand hat das geändert, nachdem Sie die Seite geöffnet haben. Es wurde nichts gespeichert. Laden Sie die Seite neu und versuchen Sie es erneut.
conflict-email-taken = Es gibt bereits einen Mitarbeiter mit dieser E-Mail-Adresse.
conflict-yourself = Ihr eigenes Konto können Sie hier nicht ändern.
conflict-invitation-not-active = Diese Einladung ist nicht mehr aktiv. Bitte erstellen Sie eine neue.
conflict-not-nt24-led = Die Identitätsprüfung gibt es nur für Käufer mit KYC „durch NT24“.
conflict-verification-in-review = Die Identitätsprüfung des Käufers wartet auf eine Prüfung durch Mitarbeiter.
conflict-already-verified = Der Käufer ist bereits verifiziert.
conflict-nothing-to-review = Keine Identitätsprüfung dieses Käufers wartet auf eine Prüfung.
conflict-not-verified = Ein KYC-Profil gibt es nur für verifizierte Käufer.
conflict-key-in-flight = Dieselbe Anfrage wird gerade noch bearbeitet. Bitte versuchen Sie es gleich noch einmal.

forbidden-marketplace-led = Die Organisation erlaubt kein KYC durch den Marktplatz. Bitte „durch NT24“ wählen.
forbidden-token = Dieses API-Token darf das nicht.
forbidden-admins-only = Das dürfen nur Administratoren.
forbidden-stale-form = Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es erneut.

unavailable-provider-not-configured = Die Identitätsprüfung ist nicht eingerichtet.
unavailable-provider = Der Anbieter der Identitätsprüfung war nicht erreichbar. Bitte versuchen Sie es später erneut.
unavailable-busy = Gerade melden sich sehr viele Personen an. Bitte versuchen Sie es gleich noch einmal.
